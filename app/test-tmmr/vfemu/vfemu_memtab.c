/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "vfemu_memtab.h"

struct file_id {
	dev_t dev;
	ino_t ino;
};

/* the maps in IOVA order, with the file each one is backed by */
struct sorted {
	unsigned int idx[VFEMU_MEMTAB_MAX_MAPS];
	struct file_id file[VFEMU_MEMTAB_MAX_MAPS];	/* by map index */
};

static bool
same_file(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static int
check_and_sort(const struct vfemu_vhost_mem *mem, unsigned int nb, struct sorted *s)
{
	unsigned int i, j;
	struct stat st;

	if (nb > VFEMU_MEMTAB_MAX_MAPS || (nb > 0 && mem == NULL))
		return -EINVAL;
	for (i = 0; i < nb; i++) {
		const struct vfemu_vhost_mem *m = &mem[i];

		if (m->fd < 0 || m->size == 0 || m->iova + m->size < m->iova ||
		    m->fd_offset + m->size < m->fd_offset)
			return -EINVAL;
		if (fstat(m->fd, &st) < 0)
			return -EBADF;
		s->file[i] = (struct file_id){ .dev = st.st_dev, .ino = st.st_ino };
		/* insertion sort by IOVA: a few hundred maps at most */
		for (j = i; j > 0 && mem[s->idx[j - 1]].iova > m->iova; j--)
			s->idx[j] = s->idx[j - 1];
		s->idx[j] = i;
	}
	for (i = 1; i < nb; i++) {
		const struct vfemu_vhost_mem *a = &mem[s->idx[i - 1]], *b = &mem[s->idx[i]];

		if (a->iova + a->size > b->iova)
			return -EINVAL;	/* overlap: which file backs those bytes? */
	}
	return 0;
}

static int
build_direct(const struct vfemu_vhost_mem *mem, unsigned int nb, const struct sorted *s,
	     struct vfemu_memtab *t)
{
	const struct vfemu_vhost_mem *prev = NULL;
	unsigned int i;

	for (i = 0; i < nb; i++) {
		const struct vfemu_vhost_mem *m = &mem[s->idx[i]];
		struct vfemu_memtab_region *r;

		if (prev != NULL && same_file(&s->file[s->idx[i - 1]], &s->file[s->idx[i]])) {
			r = &t->regions[t->nb_regions - 1];
			if (r->addr + r->size == m->iova &&
			    r->fd_offset + r->size == m->fd_offset) {
				r->size += m->size;
				prev = m;
				continue;
			}
		}
		if (t->nb_regions == VFEMU_MEMTAB_MAX_REGIONS)
			return -E2BIG;
		r = &t->regions[t->nb_regions++];
		r->addr = m->iova;
		r->size = m->size;
		r->fd_offset = m->fd_offset;
		r->fd = m->fd;
		r->file_dev = s->file[s->idx[i]].dev;
		r->file_ino = s->file[s->idx[i]].ino;
		prev = m;
	}
	return 0;
}

static int
build_translated(const struct vfemu_vhost_mem *mem, unsigned int nb, const struct sorted *s,
		 struct vfemu_memtab *t)
{
	struct file_id files[VFEMU_MEMTAB_MAX_REGIONS];
	uint64_t lo[VFEMU_MEMTAB_MAX_REGIONS], hi[VFEMU_MEMTAB_MAX_REGIONS];
	unsigned int region_of[VFEMU_MEMTAB_MAX_MAPS];
	unsigned int i, k;

	/* the files, in the order their first map comes in IOVA */
	for (i = 0; i < nb; i++) {
		unsigned int mi = s->idx[i];
		const struct vfemu_vhost_mem *m = &mem[mi];

		for (k = 0; k < t->nb_regions; k++)
			if (same_file(&files[k], &s->file[mi]))
				break;
		if (k == t->nb_regions) {
			if (k == VFEMU_MEMTAB_MAX_REGIONS)
				return -E2BIG;
			files[k] = s->file[mi];
			lo[k] = m->fd_offset;
			hi[k] = m->fd_offset + m->size;
			t->regions[k].fd = m->fd;
			t->regions[k].file_dev = files[k].dev;
			t->regions[k].file_ino = files[k].ino;
			t->nb_regions++;
		}
		if (m->fd_offset < lo[k])
			lo[k] = m->fd_offset;
		if (m->fd_offset + m->size > hi[k])
			hi[k] = m->fd_offset + m->size;
		region_of[mi] = k;
	}
	for (k = 0; k < t->nb_regions; k++) {
		if (hi[k] - lo[k] > (1ULL << VFEMU_MEMTAB_SPAN_SHIFT))
			return -ERANGE;
		t->regions[k].addr = (uint64_t)(k + 1) << VFEMU_MEMTAB_REGION_SHIFT;
		t->regions[k].size = hi[k] - lo[k];
		t->regions[k].fd_offset = lo[k];
	}
	for (i = 0; i < nb; i++) {
		unsigned int mi = s->idx[i];
		const struct vfemu_vhost_mem *m = &mem[mi];
		const struct vfemu_memtab_region *r = &t->regions[region_of[mi]];
		uint64_t uaddr = r->addr + (m->fd_offset - r->fd_offset);
		struct vfemu_memtab_entry *e = t->nb_entries > 0 ?
					       &t->entries[t->nb_entries - 1] : NULL;

		if (e != NULL && e->iova + e->size == m->iova && e->uaddr + e->size == uaddr) {
			e->size += m->size;
			continue;
		}
		e = &t->entries[t->nb_entries++];
		e->iova = m->iova;
		e->size = m->size;
		e->uaddr = uaddr;
	}
	return 0;
}

int
vfemu_memtab_build(const struct vfemu_vhost_mem *mem, unsigned int nb, bool translate,
		   struct vfemu_memtab *t)
{
	struct sorted s;
	int rc;

	if (t == NULL)
		return -EINVAL;
	memset(t, 0, offsetof(struct vfemu_memtab, entries));
	rc = check_and_sort(mem, nb, &s);
	if (rc < 0)
		return rc;
	t->translated = translate;
	t->nb_maps = nb;
	return translate ? build_translated(mem, nb, &s, t) : build_direct(mem, nb, &s, t);
}

bool
vfemu_memtab_same_regions(const struct vfemu_memtab *a, const struct vfemu_memtab *b)
{
	unsigned int k;

	if (a->nb_regions != b->nb_regions)
		return false;
	for (k = 0; k < a->nb_regions; k++) {
		if (a->regions[k].addr != b->regions[k].addr ||
		    a->regions[k].size != b->regions[k].size ||
		    a->regions[k].fd_offset != b->regions[k].fd_offset)
			return false;
	}
	return true;
}

bool
vfemu_memtab_same_files(const struct vfemu_memtab *a, const struct vfemu_memtab *b)
{
	unsigned int k;

	if (a->nb_regions != b->nb_regions)
		return false;
	for (k = 0; k < a->nb_regions; k++) {
		if (a->regions[k].file_dev != b->regions[k].file_dev ||
		    a->regions[k].file_ino != b->regions[k].file_ino)
			return false;
	}
	return true;
}

bool
vfemu_memtab_has_entry(const struct vfemu_memtab *t, const struct vfemu_memtab_entry *e)
{
	unsigned int i;

	for (i = 0; i < t->nb_entries; i++) {
		if (t->entries[i].iova == e->iova && t->entries[i].size == e->size &&
		    t->entries[i].uaddr == e->uaddr)
			return true;
	}
	return false;
}
