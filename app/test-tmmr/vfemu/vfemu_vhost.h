/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_VHOST_H
#define VFEMU_VHOST_H

/*
 * vhost-user frontend of one VF: hands the data plane to an external
 * backend (DPDK net_vhost, OVS, ...), as QEMU's virtio-net does with a
 * vhost-user netdev. The model keeps the control plane (config space,
 * legacy registers, the control virtqueue) to itself.
 *
 * Addresses: the "guest physical" and the "user" address of a region are
 * both the driver's IOVA, so ring addresses are IOVAs too.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vfemu_loop.h"

struct vfemu_vhost;

/* DMA maps a start or memory update may hand over (see vfemu_memtab.h) */
#define VFEMU_VHOST_MAX_MEM	256

struct vfemu_vhost_mem {
	uint64_t iova;
	uint64_t size;
	int fd;			/* owned by the caller; sent with SET_MEM_TABLE */
	uint64_t fd_offset;
};

struct vfemu_vhost_ring {
	uint16_t index;		/* vhost queue index (2n Rx, 2n+1 Tx) */
	uint16_t num;
	uint64_t desc;		/* IOVAs */
	uint64_t avail;
	uint64_t used;
	uint16_t base;		/* next avail index the backend should read */
	int kick_fd;		/* -1: backend polls */
	int call_fd;		/* -1: no interrupt */
	bool enabled;
};

struct vfemu_vhost_ops {
	/* backend came (features known) or went; the model updates link status */
	void (*connection)(void *opaque, bool connected);
};

/*
 * @path: socket; client mode connects (and keeps retrying from the loop's
 * tick), server mode listens and accepts one backend at a time.
 */
struct vfemu_vhost *vfemu_vhost_create(struct vfemu_loop *loop, const char *path, bool server,
				       const struct vfemu_vhost_ops *ops, void *opaque);
void vfemu_vhost_destroy(struct vfemu_vhost *vh);
/*
 * The VF's MTU: told to every backend that offers VHOST_USER_PROTOCOL_F_NET_MTU
 * (VHOST_USER_NET_SET_MTU) at the end of its handshake, as QEMU does with
 * host_mtu=; 0: never. Takes effect from the next connection.
 */
void vfemu_vhost_set_mtu(struct vfemu_vhost *vh, uint16_t mtu);

bool vfemu_vhost_connected(const struct vfemu_vhost *vh);
/*
 * What the VF's link follows: connected, or (client) reconnecting for a new session the
 * model started itself, until that fails.
 */
bool vfemu_vhost_link(const struct vfemu_vhost *vh);
/* The backend's virtio features (valid while connected). */
uint64_t vfemu_vhost_backend_features(const struct vfemu_vhost *vh);
/* Number of queue pairs the backend can serve (1 without PROTOCOL_F_MQ). */
uint16_t vfemu_vhost_max_queue_pairs(const struct vfemu_vhost *vh);

/*
 * Start the data plane: features, memory table, then every ring.
 * The memory table comes from up to VFEMU_VHOST_MAX_MEM maps: merged into at
 * most 8 regions if they allow it, else (if the backend offers
 * VIRTIO_F_IOMMU_PLATFORM) one region per backing file with the IOVAs
 * translated through IOTLB entries; -E2BIG when neither fits.
 * 0, or -errno (the model then sets DEVICE_NEEDS_RESET).
 */
int vfemu_vhost_start(struct vfemu_vhost *vh, uint64_t features,
		      const struct vfemu_vhost_mem *mem, unsigned int nb_mem,
		      const struct vfemu_vhost_ring *rings, unsigned int nb_rings);
/*
 * New memory table while running (DMA_MAP/UNMAP after DRIVER_OK), in the form
 * the start chose: a direct table that no longer fits gives -E2BIG, as the
 * features (IOMMU_PLATFORM) cannot change under a running device.
 */
int vfemu_vhost_update_mem(struct vfemu_vhost *vh, const struct vfemu_vhost_mem *mem,
			   unsigned int nb_mem);
/* Enable/disable one ring (MQ pairs changing through the control queue). */
int vfemu_vhost_enable_ring(struct vfemu_vhost *vh, uint16_t index, bool enable);
/* Stop every started ring (GET_VRING_BASE), e.g. on device reset. */
void vfemu_vhost_stop(struct vfemu_vhost *vh);
bool vfemu_vhost_started(const struct vfemu_vhost *vh);
/* Does the running data plane go through IOTLB translation? */
bool vfemu_vhost_translated(const struct vfemu_vhost *vh);
/*
 * The driver detached: drop the connection (the backend forgets the old
 * driver's memory) and connect again; nothing happens if no memory table was
 * ever sent in this session.
 */
void vfemu_vhost_new_session(struct vfemu_vhost *vh);

#endif /* VFEMU_VHOST_H */
