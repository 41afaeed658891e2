/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * DMA for the vfio-user transport: the model reaches DPDK memory by mapping
 * the files behind it, so every memory segment is sent with DMA_MAP together
 * with its fd and offset, at the segment's IOVA. Neighbouring pages of the
 * same file are merged (with --no-huge all memory is one memfd and one map).
 * Memory added or removed later arrives through a memory event callback,
 * which DPDK calls with its hotplug lock held; the same lock guards our list.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "tmmr_pci_vfu.h"

#define MEM_CB_NAME	"tmmr_pci_dma"

struct piece_list {
	struct tmmr_pci *p;
	struct vfu_dma_map *v;
	unsigned int n;
	unsigned int cap;
};

static int
list_push(struct vfu_dma_map **arr, unsigned int *n, unsigned int *cap,
	  const struct vfu_dma_map *m)
{
	struct vfu_dma_map *a;

	if (*n == *cap) {
		a = realloc(*arr, (*cap ? *cap * 2 : 16) * sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		*arr = a;
		*cap = *cap ? *cap * 2 : 16;
	}
	(*arr)[(*n)++] = *m;
	return 0;
}

/* Append @m, merging it into the last piece when both continue each other. */
static int
pieces_add(struct piece_list *l, const struct vfu_dma_map *m)
{
	struct vfu_dma_map *last = l->n > 0 ? &l->v[l->n - 1] : NULL;

	if (last != NULL && last->fd == m->fd && last->va + last->len == m->va &&
	    last->iova + last->len == m->iova && last->fd_off + last->len == m->fd_off) {
		last->len += m->len;
		return 0;
	}
	return list_push(&l->v, &l->n, &l->cap, m);
}

/* Describe one segment; the hotplug lock is held by our caller. */
static int
seg_piece(struct tmmr_pci *p, const struct rte_memseg *ms, struct vfu_dma_map *m)
{
	size_t off = 0;
	int fd;

	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) != 0) {
		PCI_LOG(ERR,
			"%s: DPDK memory at %p (%zu bytes) has no file descriptor, so the model cannot map it (%s); use --no-huge or hugepages, not external or anonymous memory",
			p->name, ms->addr, ms->len, rte_strerror(rte_errno));
		return -ENOTSUP;
	}
	if (ms->iova == RTE_BAD_IOVA) {
		PCI_LOG(ERR, "%s: DPDK memory at %p has no IOVA; use --iova-mode=va", p->name,
			ms->addr);
		return -EINVAL;
	}
	m->va = (uintptr_t)ms->addr;
	m->iova = ms->iova;
	m->len = ms->len;
	m->fd = fd;
	m->fd_off = off;
	return 0;
}

static int
walk_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct piece_list *l = arg;
	struct vfu_dma_map m;

	if (seg_piece(l->p, ms, &m) != 0 || pieces_add(l, &m) != 0)
		return -1;
	return 0;
}

/* DMA_MAP of @d, not recorded. */
static int
send_map(struct tmmr_pci *p, const struct vfu_dma_map *d)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_dma_map req = {
		.argsz = sizeof(req),
		.flags = TMMR_VFU_DMA_READ_OK | TMMR_VFU_DMA_WRITE_OK,
		.offset = d->fd_off,
		.addr = d->iova,
		.size = d->len,
	};
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_DMA_MAP,
		.req = &req, .req_len = sizeof(req),
		.fds = &d->fd, .nfds = 1,
	};
	int ret = tmmr_vfu_xfer(&v->cl, &m);

	if (ret != 0) {
		PCI_LOG(ERR, "%s: DMA_MAP of IOVA 0x%" PRIx64 " (%" PRIu64 " bytes) failed: %s",
			p->name, d->iova, d->len, strerror(-ret));
		return ret;
	}
	return 0;
}

static int
map_one(struct tmmr_pci *p, const struct vfu_dma_map *d)
{
	struct vfu_priv *v = p->priv;
	int ret = send_map(p, d);

	if (ret != 0)
		return ret;
	ret = list_push(&v->maps, &v->nb_maps, &v->cap_maps, d);
	if (ret != 0)
		PCI_LOG(ERR, "%s: out of memory recording a DMA map", p->name);
	return ret;
}

static void
unmap_one(struct tmmr_pci *p, const struct vfu_dma_map *d)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_dma_unmap req = {
		.argsz = sizeof(req),
		.addr = d->iova,
		.size = d->len,
	};
	struct tmmr_vfu_dma_unmap rep;
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_DMA_UNMAP,
		.req = &req, .req_len = sizeof(req),
		.reply = &rep, .reply_cap = sizeof(rep),
	};
	int ret;

	if (v->cl.dead)
		return;
	ret = tmmr_vfu_xfer(&v->cl, &m);
	if (ret != 0)
		PCI_LOG(WARNING, "%s: DMA_UNMAP of IOVA 0x%" PRIx64 " failed: %s", p->name,
			d->iova, strerror(-ret));
}

static int
map_pieces(struct tmmr_pci *p, const struct piece_list *l)
{
	unsigned int i;
	int ret;

	for (i = 0; i < l->n; i++) {
		ret = map_one(p, &l->v[i]);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static void
mem_alloc(struct tmmr_pci *p, uintptr_t start, size_t len)
{
	struct piece_list l = { .p = p };
	const struct rte_memseg_list *msl;
	const struct rte_memseg *ms;
	struct vfu_dma_map m;
	uintptr_t a = start;

	while (a < start + len) {
		msl = rte_mem_virt2memseg_list((void *)a);
		ms = msl != NULL ? rte_mem_virt2memseg((void *)a, msl) : NULL;
		if (ms == NULL || ms->len == 0) {
			PCI_LOG(ERR, "%s: new memory at 0x%" PRIxPTR " is not a DPDK segment",
				p->name, a);
			goto out;
		}
		if (seg_piece(p, ms, &m) != 0 || pieces_add(&l, &m) != 0)
			goto out;
		a = (uintptr_t)ms->addr + ms->len;
	}
	if (map_pieces(p, &l) != 0)
		PCI_LOG(ERR, "%s: the device cannot reach memory at 0x%" PRIxPTR " (%zu bytes)",
			p->name, start, len);
out:
	free(l.v);
}

/* Unmap everything overlapping [start, end); map back what lies outside it. */
static void
mem_free(struct tmmr_pci *p, uint64_t start, uint64_t end)
{
	struct vfu_priv *v = p->priv;
	struct vfu_dma_map d, part;
	unsigned int i = 0;

	while (i < v->nb_maps) {
		d = v->maps[i];
		if (d.va >= end || d.va + d.len <= start) {
			i++;
			continue;
		}
		unmap_one(p, &d);
		v->maps[i] = v->maps[--v->nb_maps];
		if (d.va < start) {
			part = d;
			part.len = start - d.va;
			map_one(p, &part);
		}
		if (d.va + d.len > end) {
			part = d;
			part.va = end;
			part.iova = d.iova + (end - d.va);
			part.fd_off = d.fd_off + (end - d.va);
			part.len = d.va + d.len - end;
			map_one(p, &part);
		}
	}
}

void
tmmr_pci_vfu_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct tmmr_pci *p = arg;
	struct vfu_priv *v = p->priv;

	/* a gone device needs no maps kept in step */
	if (v == NULL || !v->dma_on || !tmmr_vfu_client_alive(&v->cl))
		return;
	if (type == RTE_MEM_EVENT_ALLOC)
		mem_alloc(p, (uintptr_t)addr, len);
	else
		mem_free(p, (uintptr_t)addr, (uintptr_t)addr + len);
}

static void
unmap_all(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	unsigned int i;

	for (i = 0; i < v->nb_maps; i++)
		unmap_one(p, &v->maps[i]);
	v->nb_maps = 0;
}

int
tmmr_pci_vfu_dma_setup(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	struct piece_list l = { .p = p };
	int ret;

	if (v->dma_on)
		return 0;
	rte_mcfg_mem_read_lock();
	if (rte_memseg_walk_thread_unsafe(walk_seg, &l) != 0) {
		ret = -ENOTSUP;
		goto out;
	}
	if (l.n == 0) {
		PCI_LOG(ERR, "%s: no DPDK memory to map", p->name);
		ret = -ENOMEM;
		goto out;
	}
	v->dma_on = true;
	ret = map_pieces(p, &l);
	if (ret != 0)
		goto out;
	if (rte_mem_event_callback_register(MEM_CB_NAME, tmmr_pci_vfu_mem_event, p) == 0) {
		v->mem_cb = true;
	} else if (rte_errno != ENOTSUP) {
		PCI_LOG(ERR, "%s: cannot follow memory hotplug: %s", p->name,
			rte_strerror(rte_errno));
		ret = -rte_errno;
		goto out;
	}
	/* ENOTSUP: legacy memory (e.g. --no-huge) never changes */
	PCI_LOG(DEBUG, "%s: %u DMA maps%s", p->name, v->nb_maps,
		v->mem_cb ? ", following hotplug" : "");
out:
	if (ret != 0 && v->dma_on) {
		unmap_all(p);
		v->dma_on = false;
	}
	rte_mcfg_mem_read_unlock();
	free(l.v);
	return ret;
}

void
tmmr_pci_vfu_dma_teardown(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;

	if (v == NULL || !v->dma_on)
		return;
	if (v->mem_cb) {
		rte_mem_event_callback_unregister(MEM_CB_NAME, p);
		v->mem_cb = false;
	}
	rte_mcfg_mem_read_lock();
	unmap_all(p);
	v->dma_on = false;
	rte_mcfg_mem_read_unlock();
}

/* A vDPA guest's memory: mapped and unmapped by the caller, never in our list. */
int
tmmr_pci_vfu_ext_dma_map(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len, int fd,
			 uint64_t fd_off)
{
	struct vfu_dma_map d = {
		.va = va, .iova = iova, .len = len, .fd_off = fd_off, .fd = fd,
	};

	if (fd < 0 || len == 0)
		return -EINVAL;
	return send_map(p, &d);
}

int
tmmr_pci_vfu_ext_dma_unmap(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len)
{
	struct vfu_dma_map d = { .va = va, .iova = iova, .len = len, .fd = -1 };

	unmap_one(p, &d);
	return 0;
}
