/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_DEV_H
#define VFEMU_DEV_H

/*
 * State of one MMR VF: config space, legacy registers, queues, interrupts,
 * net config and receive filters, DMA table, and the vhost-user frontend
 * that carries its data plane. Everything runs on the model's one loop thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmmr_mmr.h"
#include "tmmr_virtio_legacy.h"
#include "vfemu_cfgspace.h"
#include "vfemu_dma.h"
#include "vfemu_loop.h"
#include "vfemu_vhost.h"

#define VFEMU_MAX_QUEUES	(2 * TMMR_MAX_QUEUE_PAIRS + 1)
#define VFEMU_MAX_VECTORS	TMMR_MSIX_VECTORS(TMMR_MAX_QUEUE_PAIRS)
#define VFEMU_CTRLQ_SIZE	64
#define VFEMU_MSIX_ENTRY_SIZE	16

/* feature bits the model implements (control plane here, data path in the backend) */
#define VFEMU_FEATURES_CTRL \
	((1u << TMMR_NET_F_MAC) | (1u << TMMR_NET_F_STATUS) | (1u << TMMR_NET_F_CTRL_VQ) | \
	 (1u << TMMR_NET_F_CTRL_RX) | (1u << TMMR_NET_F_CTRL_VLAN) | \
	 (1u << TMMR_NET_F_CTRL_MAC_ADDR) | (1u << TMMR_NET_F_MTU) | \
	 (1u << TMMR_NET_F_GUEST_ANNOUNCE))
#define VFEMU_FEATURES_DATA \
	((1u << TMMR_NET_F_MRG_RXBUF) | (1u << TMMR_NET_F_CSUM) | \
	 (1u << TMMR_NET_F_GUEST_CSUM) | (1u << TMMR_NET_F_HOST_TSO4) | \
	 (1u << TMMR_NET_F_HOST_TSO6) | (1u << TMMR_NET_F_GUEST_TSO4) | \
	 (1u << TMMR_NET_F_GUEST_TSO6) | (1u << TMMR_RING_F_EVENT_IDX) | \
	 (1u << TMMR_F_ANY_LAYOUT) | (1u << TMMR_RING_F_INDIRECT_DESC))
/* what vhost-user may see of the acked features: data-path bits only */
#define VFEMU_FEATURES_VHOST \
	(VFEMU_FEATURES_DATA | (1u << TMMR_NET_F_GUEST_ECN) | (1u << TMMR_NET_F_GUEST_UFO) | \
	 (1u << TMMR_NET_F_HOST_ECN) | (1u << TMMR_NET_F_HOST_UFO))

struct vfemu_queue {
	uint16_t num;		/* 0: the queue does not exist */
	uint32_t pfn;
	uint16_t vector;	/* MSI-X vector, TMMR_MSI_NO_VECTOR if none */
	int kick_fd;		/* ioeventfd: the doorbell */
	uint16_t last_avail;	/* ctrl queue only: next avail entry to handle */
};

struct vfemu_dev_params {
	unsigned int index;	/* VF number */
	uint16_t max_pairs;
	uint16_t queue_size;
	uint16_t mtu;		/* net config mtu (offered with VIRTIO_NET_F_MTU) */
	uint8_t mac[6];
	uint64_t bar0;		/* fake physical address */
	const char *backend_path;	/* vhost-user socket, NULL: none */
	bool backend_server;
};

struct vfemu_dev {
	struct vfemu_loop *loop;
	unsigned int index;
	uint16_t max_pairs;
	uint16_t nb_queues;	/* 2 * max_pairs + 1, ctrl last */
	struct vfemu_cfg cfg;
	struct vfemu_dma dma;
	struct vfemu_queue q[VFEMU_MAX_QUEUES];
	uint8_t msix_table[VFEMU_MAX_VECTORS * VFEMU_MSIX_ENTRY_SIZE];
	uint8_t msix_pending[(VFEMU_MAX_VECTORS + 7) / 8];	/* the PBA */

	/* legacy registers */
	bool features_latched;
	uint32_t host_features;	/* latched offer */
	uint32_t guest_features;
	uint16_t queue_sel;
	uint8_t status;
	uint8_t isr;
	uint16_t config_vector;

	/* net config */
	uint8_t mac[6];
	uint8_t default_mac[6];
	uint16_t net_status;
	uint16_t mtu;

	/* interrupts set through vfio-user SET_IRQS */
	int msix_fd[VFEMU_MAX_VECTORS];
	unsigned int nb_msix_fds;
	int intx_fd;

	/* receive filters and queue pairs from the control queue */
	bool promisc;
	bool allmulti;
	unsigned int nb_uc;
	unsigned int nb_mc;
	uint8_t mac_table[TMMR_NET_MAX_MAC_TABLE][6];
	uint8_t vlans[TMMR_NET_MAX_VLAN / 8];
	uint16_t pairs;

	/* link and backend */
	struct vfemu_vhost *vh;
	bool link_forced_down;
	bool dp_started;
	unsigned int rings_started;

	/* counters */
	uint64_t ctrl_ok;
	uint64_t ctrl_errors;
	uint64_t bad_msgs;	/* maintained by the vfio-user server */
	uint64_t config_irqs;
	uint64_t queue_irqs;
	uint64_t kicks;
	uint64_t bar_reads;	/* BAR0 accesses served (the control path's cost) */
	uint64_t bar_writes;
};

int vfemu_dev_init(struct vfemu_dev *dev, struct vfemu_loop *loop,
		   const struct vfemu_dev_params *p);
void vfemu_dev_fini(struct vfemu_dev *dev);

/* Device reset: status 0, queues, features, vectors, filters; data plane stopped. */
void vfemu_dev_reset(struct vfemu_dev *dev);
/* Function-level reset (FLR, DEVICE_RESET): also MSI-X table and config registers. */
void vfemu_dev_function_reset(struct vfemu_dev *dev);
/* Client went away: reset and drop DMA maps and interrupt fds. */
void vfemu_dev_disconnect(struct vfemu_dev *dev);

/* BAR0 access (vfio-user region 0); 0 or -EINVAL. */
int vfemu_dev_bar_read(struct vfemu_dev *dev, uint64_t off, void *buf, uint32_t count);
int vfemu_dev_bar_write(struct vfemu_dev *dev, uint64_t off, const void *buf, uint32_t count);

/* Config space access (vfio-user region 7). */
int vfemu_dev_cfg_read(struct vfemu_dev *dev, uint64_t off, void *buf, uint32_t count);
int vfemu_dev_cfg_write(struct vfemu_dev *dev, uint64_t off, const void *buf, uint32_t count);

/* Doorbell of queue @q (REGION_WRITE path): one write to its ioeventfd. */
void vfemu_dev_kick(struct vfemu_dev *dev, uint16_t q);

/*
 * SET_IRQS for @index (INTx or MSI-X). @fds: @count eventfds taken over by
 * the device, or NULL with @count 0 to disable every vector of the index.
 */
int vfemu_dev_set_irqs(struct vfemu_dev *dev, uint32_t index, uint32_t start,
		       uint32_t count, const int *fds);
bool vfemu_dev_msix_on(const struct vfemu_dev *dev);

int vfemu_dev_dma_map(struct vfemu_dev *dev, uint64_t iova, uint64_t size, int fd,
		      uint64_t offset);
int vfemu_dev_dma_unmap(struct vfemu_dev *dev, uint64_t iova, uint64_t size);

/* interrupts */
void vfemu_dev_signal_vector(struct vfemu_dev *dev, uint16_t vector);
/* deliver vectors left pending while masked */
void vfemu_dev_msix_unmasked(struct vfemu_dev *dev);
void vfemu_dev_config_irq(struct vfemu_dev *dev);
void vfemu_dev_queue_irq(struct vfemu_dev *dev, uint16_t q);
/* NEEDS_RESET + config interrupt */
void vfemu_dev_needs_reset(struct vfemu_dev *dev, const char *why);

/* link = backend connected and not forced down; changes raise a config interrupt */
void vfemu_dev_update_link(struct vfemu_dev *dev);
void vfemu_dev_force_link(struct vfemu_dev *dev, bool down);
/* set ANNOUNCE (needs GUEST_ANNOUNCE acked); 0 or -ENOTSUP */
int vfemu_dev_announce(struct vfemu_dev *dev);

/* the features the device offers right now (before latching) */
uint32_t vfemu_dev_offer(const struct vfemu_dev *dev);

/* one line of key=value pairs, no newline */
int vfemu_dev_status_line(const struct vfemu_dev *dev, char *buf, size_t len);

/* legacy register block (vfemu_legacy.c) */
int vfemu_legacy_read(struct vfemu_dev *dev, uint32_t off, void *buf, uint32_t count);
int vfemu_legacy_write(struct vfemu_dev *dev, uint32_t off, const void *buf, uint32_t count);

/* data plane handoff (vfemu_dataplane.c) */
void vfemu_dp_start(struct vfemu_dev *dev);
void vfemu_dp_stop(struct vfemu_dev *dev);
void vfemu_dp_restart(struct vfemu_dev *dev);	/* call fds or memory changed */
void vfemu_dp_update_mem(struct vfemu_dev *dev);
void vfemu_dp_set_pairs(struct vfemu_dev *dev, uint16_t pairs);
/* ring of queue @q lies in DMA memory? */
bool vfemu_dp_ring_ok(const struct vfemu_dev *dev, uint16_t q);

/* control queue (vfemu_ctrlq.c) */
void vfemu_ctrlq_process(struct vfemu_dev *dev);

#endif /* VFEMU_DEV_H */
