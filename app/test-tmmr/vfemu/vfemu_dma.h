/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_DMA_H
#define VFEMU_DMA_H

/*
 * The DMA mappings a vfio-user client gave one VF: IOVA ranges backed by
 * file descriptors the model mmaps (MAP_SHARED), so it can read the control
 * queue and ring indices, and hand the same fds to the vhost-user backend.
 */

#include <stdbool.h>
#include <stdint.h>

#define VFEMU_DMA_MAX_MAPS	256

struct vfemu_dma_map {
	uint64_t iova;
	uint64_t size;
	uint64_t fd_offset;
	int fd;			/* owned by the table */
	uint8_t *va;
};

struct vfemu_dma {
	struct vfemu_dma_map maps[VFEMU_DMA_MAX_MAPS];
	unsigned int nb_maps;
};

void vfemu_dma_init(struct vfemu_dma *dma);
/*
 * Map [iova, iova+size) to @fd at @offset; the table takes @fd on success.
 * -EINVAL (zero/unaligned/overflowing range), -EBADF (fd not mappable),
 * -EEXIST (overlaps an existing map), -ENOSPC.
 */
int vfemu_dma_map(struct vfemu_dma *dma, uint64_t iova, uint64_t size, int fd,
		  uint64_t offset);
/* Exactly one existing range; -ENOENT otherwise. */
int vfemu_dma_unmap(struct vfemu_dma *dma, uint64_t iova, uint64_t size);
void vfemu_dma_clear(struct vfemu_dma *dma);

/* Is every byte of [iova, iova+len) mapped (possibly across adjacent maps)? */
bool vfemu_dma_covered(const struct vfemu_dma *dma, uint64_t iova, uint64_t len);
/* Copy to/from driver memory; -EFAULT if any byte is unmapped. */
int vfemu_dma_read(const struct vfemu_dma *dma, uint64_t iova, void *buf, uint64_t len);
int vfemu_dma_write(const struct vfemu_dma *dma, uint64_t iova, const void *buf,
		    uint64_t len);

#endif /* VFEMU_DMA_H */
