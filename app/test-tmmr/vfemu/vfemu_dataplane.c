/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Hands a VF's data queues to the vhost-user backend, as QEMU's virtio-net
 * does with a vhost-user netdev: acked data-path features, a memory table
 * built from the DMA maps, and ring addresses computed from the queue PFNs.
 */

#include <errno.h>
#include <string.h>

#include "vfemu_dev.h"

/* every DMA map goes to the backend, one way or another (vfemu_memtab.h) */
_Static_assert(VFEMU_DMA_MAX_MAPS <= VFEMU_VHOST_MAX_MEM, "all maps fit a table");

bool
vfemu_dp_ring_ok(const struct vfemu_dev *dev, uint16_t q)
{
	const struct vfemu_queue *vq = &dev->q[q];
	uint64_t iova = (uint64_t)vq->pfn << TMMR_LEG_PFN_SHIFT;

	return vq->pfn != 0 && vq->num != 0 &&
	       vfemu_dma_covered(&dev->dma, iova, tmmr_vring_size(vq->num));
}

static unsigned int
build_mem(const struct vfemu_dev *dev, struct vfemu_vhost_mem *mem)
{
	unsigned int i;

	for (i = 0; i < dev->dma.nb_maps; i++) {
		mem[i].iova = dev->dma.maps[i].iova;
		mem[i].size = dev->dma.maps[i].size;
		mem[i].fd = dev->dma.maps[i].fd;
		mem[i].fd_offset = dev->dma.maps[i].fd_offset;
	}
	return dev->dma.nb_maps;
}

static int
call_fd(const struct vfemu_dev *dev, uint16_t q)
{
	uint16_t v = dev->q[q].vector;

	if (!vfemu_dev_msix_on(dev) || v == TMMR_MSI_NO_VECTOR || v >= VFEMU_MAX_VECTORS)
		return -1;
	return dev->msix_fd[v];
}

static bool
ring_enabled(const struct vfemu_dev *dev, uint16_t q)
{
	return q / 2 < dev->pairs;
}

void
vfemu_dp_start(struct vfemu_dev *dev)
{
	struct vfemu_vhost_mem mem[VFEMU_DMA_MAX_MAPS];
	struct vfemu_vhost_ring rings[2 * TMMR_MAX_QUEUE_PAIRS];
	unsigned int nb_rings = 0, nb_enabled = 0;
	uint16_t q;
	int rc;

	if (dev->dp_started || dev->vh == NULL || !vfemu_vhost_connected(dev->vh) ||
	    !(dev->status & TMMR_STATUS_DRIVER_OK) || (dev->status & TMMR_STATUS_NEEDS_RESET))
		return;
	for (q = 0; q < 2 * dev->max_pairs; q++) {
		struct vfemu_vhost_ring *r = &rings[nb_rings];
		const struct vfemu_queue *vq = &dev->q[q];
		uint16_t used_idx = 0;

		if (vq->pfn == 0)
			continue;
		if (!vfemu_dp_ring_ok(dev, q)) {
			vfemu_dev_needs_reset(dev, "ring outside DMA memory");
			return;
		}
		memset(r, 0, sizeof(*r));
		r->index = q;
		r->num = vq->num;
		r->desc = (uint64_t)vq->pfn << TMMR_LEG_PFN_SHIFT;
		r->avail = r->desc + tmmr_vring_avail_off(vq->num);
		r->used = r->desc + tmmr_vring_used_off(vq->num);
		/* resume where the device side stopped: everything used is consumed */
		vfemu_dma_read(&dev->dma, r->used + 2, &used_idx, sizeof(used_idx));
		r->base = used_idx;
		r->kick_fd = vq->kick_fd;
		r->call_fd = call_fd(dev, q);
		r->enabled = ring_enabled(dev, q);
		nb_enabled += r->enabled;
		nb_rings++;
	}
	rc = vfemu_vhost_start(dev->vh, dev->guest_features & VFEMU_FEATURES_VHOST, mem,
			       build_mem(dev, mem), rings, nb_rings);
	if (rc < 0) {
		/* a backend that went away is waited for; one that refused is an error */
		if (rc == -E2BIG || rc == -ERANGE)
			vfemu_dev_needs_reset(dev, "DMA maps do not fit the backend's memory table");
		else if (vfemu_vhost_connected(dev->vh))
			vfemu_dev_needs_reset(dev, "backend refused the rings");
		return;
	}
	dev->dp_started = true;
	dev->rings_started = nb_enabled;
}

void
vfemu_dp_stop(struct vfemu_dev *dev)
{
	if (dev->dp_started && dev->vh != NULL)
		vfemu_vhost_stop(dev->vh);
	dev->dp_started = false;
	dev->rings_started = 0;
}

void
vfemu_dp_restart(struct vfemu_dev *dev)
{
	if (!dev->dp_started)
		return;
	vfemu_dp_stop(dev);
	vfemu_dp_start(dev);
}

void
vfemu_dp_update_mem(struct vfemu_dev *dev)
{
	struct vfemu_vhost_mem mem[VFEMU_DMA_MAX_MAPS];
	int rc;

	if (!dev->dp_started)
		return;
	rc = vfemu_vhost_update_mem(dev->vh, mem, build_mem(dev, mem));
	if (rc == -E2BIG || rc == -ERANGE)
		vfemu_dev_needs_reset(dev, "DMA maps do not fit the backend's memory table");
	else if (rc < 0 && vfemu_vhost_connected(dev->vh))
		vfemu_dev_needs_reset(dev, "backend refused the memory table");
}

void
vfemu_dp_set_pairs(struct vfemu_dev *dev, uint16_t pairs)
{
	unsigned int nb_enabled = 0;
	uint16_t q;

	dev->pairs = pairs;
	if (!dev->dp_started)
		return;
	for (q = 0; q < 2 * dev->max_pairs; q++) {
		if (dev->q[q].pfn == 0)
			continue;
		vfemu_vhost_enable_ring(dev->vh, q, ring_enabled(dev, q));
		nb_enabled += ring_enabled(dev, q);
	}
	dev->rings_started = nb_enabled;
}
