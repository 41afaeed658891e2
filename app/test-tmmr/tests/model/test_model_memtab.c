/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The memory table the model builds for a VF's vhost-user backend from the
 * driver's DMA maps (vfemu_memtab.h): direct tables merge what continues in
 * IOVA and in the same file, translated ones take one region per file and
 * IOTLB entries; limits, and hostile descriptors rejected.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfemu_memtab.h"

#define MB2 (2ULL << 20)
#define BASE0 (1ULL << VFEMU_MEMTAB_REGION_SHIFT)

static int
new_file(void)
{
	int fd = memfd_create("memtab", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static struct vfemu_vhost_mem
map(int fd, uint64_t iova, uint64_t size, uint64_t off)
{
	return (struct vfemu_vhost_mem){ .iova = iova, .size = size, .fd = fd, .fd_offset = off };
}

static void
test_direct_merges_continuing_pieces(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t));
	struct vfemu_vhost_mem m[4];
	int fd = new_file(), other = new_file();

	(void)state;
	/* four pieces of one file, handed over out of order (memory added in steps) */
	m[0] = map(fd, 0x40000000 + 2 * MB2, MB2, 2 * MB2);
	m[1] = map(fd, 0x40000000, MB2, 0);
	m[2] = map(fd, 0x40000000 + 3 * MB2, MB2, 3 * MB2);
	m[3] = map(fd, 0x40000000 + MB2, MB2, MB2);
	assert_int_equal(vfemu_memtab_build(m, 4, false, t), 0);
	assert_false(t->translated);
	assert_int_equal(t->nb_maps, 4);
	assert_int_equal(t->nb_regions, 1);
	assert_int_equal(t->regions[0].addr, 0x40000000);
	assert_int_equal(t->regions[0].size, 4 * MB2);
	assert_int_equal(t->regions[0].fd_offset, 0);
	assert_int_equal(t->nb_entries, 0);

	/* continuing in IOVA but not in the file: no merge (PA order of hugepages) */
	m[0] = map(fd, 0x80000000, MB2, 3 * MB2);
	m[1] = map(fd, 0x80000000 + MB2, MB2, 2 * MB2);
	m[2] = map(fd, 0x80000000 + 2 * MB2, MB2, MB2);
	m[3] = map(fd, 0x80000000 + 3 * MB2, MB2, 0);
	assert_int_equal(vfemu_memtab_build(m, 4, false, t), 0);
	assert_int_equal(t->nb_regions, 4);
	assert_int_equal(t->regions[3].addr, 0x80000000 + 3 * MB2);
	assert_int_equal(t->regions[3].fd_offset, 0);

	/* continuing in IOVA and offset, but another file: no merge */
	m[0] = map(fd, 0x1000000, MB2, 0);
	m[1] = map(other, 0x1000000 + MB2, MB2, MB2);
	assert_int_equal(vfemu_memtab_build(m, 2, false, t), 0);
	assert_int_equal(t->nb_regions, 2);
	assert_int_equal(t->regions[0].fd, fd);
	assert_int_equal(t->regions[1].fd, other);

	/* the same file through another descriptor (each DMA_MAP brings its own): merged */
	m[1] = map(dup(fd), 0x1000000 + MB2, MB2, MB2);
	assert_int_equal(vfemu_memtab_build(m, 2, false, t), 0);
	assert_int_equal(t->nb_regions, 1);
	assert_int_equal(t->regions[0].size, 2 * MB2);
	close(m[1].fd);

	assert_int_equal(vfemu_memtab_build(NULL, 0, false, t), 0);
	assert_int_equal(t->nb_regions, 0);
	close(fd);
	close(other);
	free(t);
}

static void
test_direct_limit_and_translated_form(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t));
	struct vfemu_vhost_mem m[9];
	int fd = new_file();
	unsigned int i;

	(void)state;
	/* nine hugepages with descending physical addresses: nine regions */
	for (i = 0; i < 9; i++)
		m[i] = map(fd, 0x100000000ULL - (i + 1) * MB2, MB2, i * MB2);
	assert_int_equal(vfemu_memtab_build(m, 8, false, t), 0);
	assert_int_equal(t->nb_regions, 8);
	assert_int_equal(vfemu_memtab_build(m, 9, false, t), -E2BIG);

	assert_int_equal(vfemu_memtab_build(m, 9, true, t), 0);
	assert_true(t->translated);
	assert_int_equal(t->nb_regions, 1);
	assert_int_equal(t->regions[0].addr, BASE0);
	assert_int_equal(t->regions[0].size, 9 * MB2);
	assert_int_equal(t->regions[0].fd_offset, 0);
	assert_int_equal(t->regions[0].fd, fd);
	/* in IOVA order; neighbours in IOVA are not neighbours in the file */
	assert_int_equal(t->nb_entries, 9);
	for (i = 0; i < 9; i++) {
		assert_int_equal(t->entries[i].iova, 0x100000000ULL - (9 - i) * MB2);
		assert_int_equal(t->entries[i].size, MB2);
		assert_int_equal(t->entries[i].uaddr, BASE0 + (8 - i) * MB2);
	}
	close(fd);
	free(t);
}

static void
test_translated_regions_per_file_and_merged_entries(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t));
	struct vfemu_vhost_mem m[6];
	int a = new_file(), b = new_file();

	(void)state;
	/* file a: pages at offsets 4M and 6M continue each other in IOVA too */
	m[0] = map(a, 0x10000000, MB2, 4 * MB2);
	m[1] = map(a, 0x10000000 + MB2, MB2, 5 * MB2);
	/* file b in between, at offset 16 MiB */
	m[2] = map(b, 0x20000000, MB2, 8 * MB2);
	/* file a again, far in IOVA, at offset 2 MiB: widens a's region */
	m[3] = map(dup(a), 0x30000000, MB2, MB2);
	/* then file b at offset 20 MiB */
	m[4] = map(b, 0x30000000 + MB2, MB2, 10 * MB2);
	assert_int_equal(vfemu_memtab_build(m, 5, true, t), 0);
	assert_int_equal(t->nb_regions, 2);
	assert_int_equal(t->regions[0].addr, BASE0);
	assert_int_equal(t->regions[0].fd_offset, MB2);
	assert_int_equal(t->regions[0].size, 5 * MB2);
	assert_int_equal(t->regions[1].addr, 2 * BASE0);
	assert_int_equal(t->regions[1].fd_offset, 8 * MB2);
	assert_int_equal(t->regions[1].size, 3 * MB2);
	assert_int_equal(t->nb_entries, 4);
	assert_int_equal(t->entries[0].iova, 0x10000000);
	assert_int_equal(t->entries[0].size, 2 * MB2);
	assert_int_equal(t->entries[0].uaddr, BASE0 + 3 * MB2);
	assert_int_equal(t->entries[1].uaddr, 2 * BASE0);
	assert_int_equal(t->entries[2].iova, 0x30000000);
	assert_int_equal(t->entries[2].uaddr, BASE0);
	assert_int_equal(t->entries[3].iova, 0x30000000 + MB2);
	assert_int_equal(t->entries[3].uaddr, 2 * BASE0 + 2 * MB2);

	/* the same layout again compares equal; a changed one does not */
	{
		struct vfemu_memtab *u = malloc(sizeof(*u));
		struct vfemu_memtab_entry e = t->entries[2];

		assert_int_equal(vfemu_memtab_build(m, 5, true, u), 0);
		assert_true(vfemu_memtab_same_regions(t, u));
		assert_true(vfemu_memtab_has_entry(u, &e));
		e.uaddr += MB2;
		assert_false(vfemu_memtab_has_entry(u, &e));
		m[5] = map(b, 0x40000000, MB2, 20 * MB2);
		assert_int_equal(vfemu_memtab_build(m, 6, true, u), 0);
		assert_false(vfemu_memtab_same_regions(t, u));
		free(u);
	}
	close(m[3].fd);
	close(a);
	close(b);
	free(t);
}

/*
 * A guest replaced by another at the same guest-physical addresses: the tables look the same
 * to a backend (DPDK compares addresses and sizes), only the files tell them apart, and the
 * old file's fd may be closed (and its number reused) by then.
 */
static void
test_same_shape_other_file(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t)), *u = malloc(sizeof(*u));
	struct vfemu_vhost_mem m[2];
	int relay = new_file(), guest1 = new_file(), guest2;

	(void)state;
	m[0] = map(relay, 0x40000000000ULL, MB2, 0);
	m[1] = map(guest1, 0, 64 * MB2, 0);
	for (int translate = 0; translate < 2; translate++) {
		assert_int_equal(vfemu_memtab_build(m, 2, translate, t), 0);
		assert_int_equal(vfemu_memtab_build(m, 2, translate, u), 0);
		assert_true(vfemu_memtab_same_files(t, u));
	}
	assert_int_equal(vfemu_memtab_build(m, 2, false, t), 0);
	close(guest1);
	guest2 = new_file();
	m[1] = map(guest2, 0, 64 * MB2, 0);
	assert_int_equal(vfemu_memtab_build(m, 2, false, u), 0);
	assert_true(vfemu_memtab_same_regions(t, u));
	assert_false(vfemu_memtab_same_files(t, u));
	/* fewer regions: never the same files */
	assert_int_equal(vfemu_memtab_build(m, 1, false, u), 0);
	assert_false(vfemu_memtab_same_files(t, u));
	close(guest2);
	close(relay);
	free(t);
	free(u);
}

static void
test_translated_limits(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t));
	struct vfemu_vhost_mem m[VFEMU_MEMTAB_MAX_MAPS + 1];
	int fds[9], fd = new_file();
	unsigned int i;

	(void)state;
	/* nine files: one region each is too many even translated */
	for (i = 0; i < 9; i++) {
		fds[i] = new_file();
		m[i] = map(fds[i], (i + 1) * 0x10000000ULL, MB2, 0);
	}
	assert_int_equal(vfemu_memtab_build(m, 8, true, t), 0);
	assert_int_equal(t->nb_regions, 8);
	assert_int_equal(vfemu_memtab_build(m, 9, true, t), -E2BIG);
	for (i = 0; i < 9; i++)
		close(fds[i]);

	/* one file spread over more than the span a region may cover */
	m[0] = map(fd, 0x10000000, MB2, 0);
	m[1] = map(fd, 0x20000000, MB2, 1ULL << VFEMU_MEMTAB_SPAN_SHIFT);
	assert_int_equal(vfemu_memtab_build(m, 2, true, t), -ERANGE);
	m[1].fd_offset -= MB2;	/* exactly the span: fits */
	assert_int_equal(vfemu_memtab_build(m, 2, true, t), 0);
	assert_int_equal(t->regions[0].size, 1ULL << VFEMU_MEMTAB_SPAN_SHIFT);

	/* as many maps as the model keeps, every one its own entry */
	for (i = 0; i < VFEMU_MEMTAB_MAX_MAPS; i++)
		m[i] = map(fd, (uint64_t)(2 * i) * MB2, MB2, (uint64_t)i * MB2);
	assert_int_equal(vfemu_memtab_build(m, VFEMU_MEMTAB_MAX_MAPS, false, t), -E2BIG);
	assert_int_equal(vfemu_memtab_build(m, VFEMU_MEMTAB_MAX_MAPS, true, t), 0);
	assert_int_equal(t->nb_entries, VFEMU_MEMTAB_MAX_MAPS);
	m[VFEMU_MEMTAB_MAX_MAPS] = map(fd, 0x100000000000ULL, MB2, 0);
	assert_int_equal(vfemu_memtab_build(m, VFEMU_MEMTAB_MAX_MAPS + 1, true, t), -EINVAL);
	close(fd);
	free(t);
}

static void
test_hostile_descriptors(void **state)
{
	struct vfemu_memtab *t = malloc(sizeof(*t));
	struct vfemu_vhost_mem m[2];
	int fd = new_file(), closed = new_file();
	bool tr;

	(void)state;
	close(closed);
	for (tr = false; ; tr = true) {
		assert_int_equal(vfemu_memtab_build(NULL, 1, tr, t), -EINVAL);
		assert_int_equal(vfemu_memtab_build(m, 0, tr, NULL), -EINVAL);
		m[0] = map(-1, 0, MB2, 0);
		assert_int_equal(vfemu_memtab_build(m, 1, tr, t), -EINVAL);
		m[0] = map(fd, 0, 0, 0);
		assert_int_equal(vfemu_memtab_build(m, 1, tr, t), -EINVAL);
		m[0] = map(fd, UINT64_MAX - MB2 + 2, MB2, 0);
		assert_int_equal(vfemu_memtab_build(m, 1, tr, t), -EINVAL);
		m[0] = map(fd, 0, MB2, UINT64_MAX - 10);
		assert_int_equal(vfemu_memtab_build(m, 1, tr, t), -EINVAL);
		m[0] = map(closed, 0, MB2, 0);
		assert_int_equal(vfemu_memtab_build(m, 1, tr, t), -EBADF);
		/* overlapping ranges, whichever comes first */
		m[0] = map(fd, 0x100000, MB2, 0);
		m[1] = map(fd, 0x100000 + MB2 - 4096, 4096, MB2);
		assert_int_equal(vfemu_memtab_build(m, 2, tr, t), -EINVAL);
		assert_int_equal(vfemu_memtab_build(&m[0], 1, tr, t), 0);
		m[1] = m[0];
		m[0] = map(fd, 0x100000 - 4096, 8192, 4 * MB2);
		assert_int_equal(vfemu_memtab_build(m, 2, tr, t), -EINVAL);
		if (tr)
			break;
	}
	close(fd);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_merges_continuing_pieces),
		cmocka_unit_test(test_direct_limit_and_translated_form),
		cmocka_unit_test(test_translated_regions_per_file_and_merged_entries),
		cmocka_unit_test(test_same_shape_other_file),
		cmocka_unit_test(test_translated_limits),
		cmocka_unit_test(test_hostile_descriptors),
	};

	return cmocka_run_group_tests_name("model memory table", tests, NULL, NULL);
}
