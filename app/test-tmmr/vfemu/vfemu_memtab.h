/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_MEMTAB_H
#define VFEMU_MEMTAB_H

/*
 * The memory table a VF's vhost-user backend gets, built from the driver's
 * DMA maps. A backend takes at most 8 regions (SET_MEM_TABLE; DPDK's vhost
 * library, as of 22.11 and later, has no CONFIGURE_MEM_SLOTS), and a driver
 * may hand over hundreds of maps (one per 2 MiB hugepage in IOVA PA mode),
 * so the table comes in one of two forms:
 *
 * - direct: the regions are the maps, the backend's "guest physical" and
 *   "user" addresses both the IOVA. Maps of the same file that continue each
 *   other in IOVA and in file offset are merged (memory hot-added in several
 *   steps, IOVA VA mode). It fits when at most 8 regions remain.
 * - translated: one region per backing file, covering the part of the file
 *   the maps use, at a made-up "user" address (file k at (k + 1) << 41); the
 *   backend translates IOVAs through IOTLB entries, one per run of maps
 *   contiguous in IOVA and in that address. Needs a backend that offers
 *   VIRTIO_F_IOMMU_PLATFORM; it fits with at most 8 files (DPDK with
 *   --single-file-segments has one per memory segment list).
 *
 * Pure computation on the caller's descriptors: nothing is sent, no fd is
 * taken or closed (each fd is only fstat()ed to know its file).
 */

#include <stdbool.h>
#include <stdint.h>

#include "vfemu_vhost.h"

#define VFEMU_MEMTAB_MAX_REGIONS	8
#define VFEMU_MEMTAB_MAX_MAPS		VFEMU_VHOST_MAX_MEM
/* translated: the file span one region may cover, and the spacing of regions */
#define VFEMU_MEMTAB_SPAN_SHIFT		40
#define VFEMU_MEMTAB_REGION_SHIFT	41

struct vfemu_memtab_region {
	uint64_t addr;		/* guest-physical and user address */
	uint64_t size;
	uint64_t fd_offset;
	int fd;			/* one of the caller's fds of that file */
	uint64_t file_dev;	/* that file (fstat), which outlives the fd */
	uint64_t file_ino;
};

struct vfemu_memtab_entry {
	uint64_t iova;
	uint64_t size;
	uint64_t uaddr;
};

struct vfemu_memtab {
	bool translated;
	unsigned int nb_maps;		/* maps it was built from */
	unsigned int nb_regions;
	struct vfemu_memtab_region regions[VFEMU_MEMTAB_MAX_REGIONS];
	unsigned int nb_entries;	/* translated only */
	struct vfemu_memtab_entry entries[VFEMU_MEMTAB_MAX_MAPS];
};

/*
 * Build @t from @nb maps. @translate: the translated form, else the direct
 * one. 0, or -EINVAL (NULL with nb > 0, negative fd, empty, overflowing or
 * overlapping ranges, more than VFEMU_MEMTAB_MAX_MAPS maps), -EBADF (fd not
 * fstat-able), -E2BIG (more than 8 regions), -ERANGE (translated: one file's
 * maps spread over more than 1 << VFEMU_MEMTAB_SPAN_SHIFT bytes). @t is
 * undefined after an error.
 */
int vfemu_memtab_build(const struct vfemu_vhost_mem *mem, unsigned int nb, bool translate,
		       struct vfemu_memtab *t);

/* Same regions (addresses, sizes, offsets) as far as a backend can tell? */
bool vfemu_memtab_same_regions(const struct vfemu_memtab *a, const struct vfemu_memtab *b);

/* Are @a's regions, one by one, backed by the same files as @b's (same number of regions)? */
bool vfemu_memtab_same_files(const struct vfemu_memtab *a, const struct vfemu_memtab *b);

/* Does @t hold exactly @e among its entries? */
bool vfemu_memtab_has_entry(const struct vfemu_memtab *t, const struct vfemu_memtab_entry *e);

#endif /* VFEMU_MEMTAB_H */
