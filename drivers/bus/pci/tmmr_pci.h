/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_PCI_H
#define TMMR_PCI_H

/*
 * The PCI glue: one small interface over the two ways of reaching an MMR VF.
 *  - vfio: VF bound to vfio-pci; BAR mapped by DPDK's PCI bus, registers by
 *    MMIO, DMA through the EAL's IOMMU mappings, MSI-X through rte_intr.
 *  - vfu: VF served by tmmr-vfemu; config from the sysfs file, registers by
 *    vfio-user REGION_READ/WRITE, DMA by DMA_MAP of DPDK's memory, MSI-X by
 *    eventfds, doorbells by ioeventfds when the model offers them.
 * The ring and ethdev code only ever see struct tmmr_pci.
 */

#include <stdint.h>
#include <stdbool.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_io.h>
#include <rte_interrupts.h>

#include "tmmr_caps.h"
#include "tmmr_doorbell.h"

struct rte_pci_device;

/*
 * A transport. Every member is mandatory: callers never NULL-check them (a
 * transport with nothing to do for one, such as DMA behind an IOMMU the EAL
 * programs, implements it as a no-op).
 */
struct tmmr_pci_ops {
	const char *name;
	/*
	 * DMA mappings the device side can hold at most, 0 for no limit (an
	 * IOMMU). The model's vfio-user device hands each map to a vhost-user
	 * backend as one memory region, of which a backend takes only a few.
	 */
	uint32_t max_dma_regions;
	/* config space; 0 or negative errno */
	int (*cfg_read)(struct tmmr_pci *p, void *buf, uint32_t len, uint32_t off);
	/* BAR access, width 1, 2 or 4 bytes; a read that fails returns all-ones,
	 * as a surprise-removed device does */
	uint32_t (*bar_read)(struct tmmr_pci *p, uint8_t bar, uint32_t off, unsigned int width);
	void (*bar_write)(struct tmmr_pci *p, uint8_t bar, uint32_t off, uint32_t val,
			  unsigned int width);
	/*
	 * Slow kick: write @queue to its doorbell register in the notification
	 * area, through the transport's register access. -ENOENT, writing
	 * nothing, if the layout has no doorbell for @queue (the legacy
	 * QUEUE_NOTIFY register is then the caller's business).
	 */
	int (*kick)(struct tmmr_pci *p, uint16_t queue);
	/*
	 * Resolve @queue's doorbell for the datapath: set db->mmio or db->efd
	 * when a store or an eventfd write reaches it; leave both unset (NULL,
	 * -1) when only a slow kick does. Touches no other member.
	 */
	void (*doorbell)(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db);
	/* make all DPDK memory (and memory added later) reachable by the device */
	int (*dma_setup)(struct tmmr_pci *p);
	void (*dma_teardown)(struct tmmr_pci *p);
	/*
	 * MSI-X: vector 0 for config changes, vectors 1..nb_vec-1 for Rx queues.
	 * After success p->intr_handle has fd = the config vector's eventfd and
	 * efds[i] = vector i + 1, as rte_eth_dev_rx_intr_ctl_q expects.
	 * nb_vec 0 disables MSI-X.
	 * Both transports: the handle is RTE_INTR_HANDLE_VFIO_MSIX, so the EAL
	 * drains the eventfds itself (8-byte read before config callbacks and in
	 * the Rx epoll path); callbacks must not read them. Register callbacks
	 * after intr_setup (fd >= 0) and unregister them before intr_teardown,
	 * which closes the eventfds. Do not call rte_intr_enable/disable/
	 * efd_enable on p->intr_handle: intr_setup/teardown do that (vfu: the
	 * handle has no vfio device fd, those calls just return -1).
	 */
	int (*intr_setup)(struct tmmr_pci *p, uint16_t nb_vec);
	void (*intr_teardown)(struct tmmr_pci *p);
	/*
	 * Memory that is not DPDK's (a vDPA guest's): make @len bytes at @va,
	 * backed by @fd from @fd_off (vfio-user sends them; vfio-pci needs only
	 * @va), reachable by the device at @iova. dma_setup/teardown do not track
	 * it: the caller unmaps it with ext_dma_unmap. 0 or negative errno.
	 */
	int (*ext_dma_map)(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len, int fd,
			   uint64_t fd_off);
	int (*ext_dma_unmap)(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len);
	/*
	 * MSI-X vector i signals the caller's eventfd @fds[i] (a vDPA guest's
	 * call fd), i < @nb_vec; nb_vec 0 disables MSI-X. Not with intr_setup at
	 * the same time (intr_teardown first). The fds stay the caller's: the
	 * device holds its own references until MSI-X is disabled.
	 */
	int (*ext_irqs)(struct tmmr_pci *p, const int *fds, uint16_t nb_vec);
	/* function-level reset; 0 or negative errno */
	int (*fn_reset)(struct tmmr_pci *p);
	/* is the link to the device still there (socket alive, device present) */
	bool (*alive)(struct tmmr_pci *p);
	void (*close)(struct tmmr_pci *p);
};

struct tmmr_pci {
	const struct tmmr_pci_ops *ops;
	struct rte_pci_device *pci_dev;
	struct tmmr_mmr_layout layout;
	uint64_t bar_len[6];
	struct rte_intr_handle *intr_handle;	/* what LSC and Rx interrupts use */
	uint16_t nb_vec;			/* MSI-X vectors currently enabled */
	void *priv;				/* the transport's state */
	char name[64];
};

/*
 * Resolve @queue's doorbell for the datapath: what the transport finds (an
 * MMIO address or an ioeventfd), else @slow_kick. The caller owns the
 * register protocol, so the slow kick is its choice.
 */
static inline void
tmmr_pci_doorbell(struct tmmr_pci *p, uint16_t queue, tmmr_kick_fn slow_kick,
		  struct tmmr_doorbell *db)
{
	db->mmio = NULL;
	db->efd = -1;
	db->slow_kick = slow_kick;
	db->pci = p;
	db->queue = queue;
	p->ops->doorbell(p, queue, db);
}

/*
 * Open the VF behind @pci_dev with the right transport (vfio-pci if bound to
 * it, otherwise the model's vfio-user socket under the sysfs tree), read and
 * parse its config space, check the MMR layout. NULL on error, logged.
 */
struct tmmr_pci *tmmr_pci_open(struct rte_pci_device *pci_dev);
void tmmr_pci_close(struct tmmr_pci *p);

/*
 * Legacy block accessors, bounded by the block's length (DRV-4): an access
 * beyond it reads all-ones and writes nothing, without touching the device.
 */
static inline bool
tmmr_leg_in_block(const struct tmmr_pci *p, uint32_t reg, unsigned int width)
{
	return (uint64_t)reg + width <= p->layout.legacy_len;
}

static inline uint32_t
tmmr_leg_read(struct tmmr_pci *p, uint32_t reg, unsigned int width)
{
	if (!tmmr_leg_in_block(p, reg, width))
		return width >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
	return p->ops->bar_read(p, p->layout.legacy_bar, p->layout.legacy_off + reg, width);
}

static inline void
tmmr_leg_write(struct tmmr_pci *p, uint32_t reg, uint32_t val, unsigned int width)
{
	if (!tmmr_leg_in_block(p, reg, width))
		return;
	p->ops->bar_write(p, p->layout.legacy_bar, p->layout.legacy_off + reg, val, width);
}

#endif /* TMMR_PCI_H */
