/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_PCI_VFU_H
#define TMMR_PCI_VFU_H

/* State of the vfio-user transport, shared by its register and DMA halves. */

#include <rte_memory.h>

#include "tmmr_pci_priv.h"
#include "tmmr_vfu_client.h"

#define VFU_MAX_IOEVENTFDS	64

struct vfu_ioeventfd {
	uint64_t offset;	/* in BAR0 */
	uint64_t size;
	int fd;			/* owned via vfu_priv.ioevt_fds */
	bool datamatch;
	uint64_t data;
};

/* One DMA_MAP we sent: a piece of DPDK memory backed by @fd at @fd_off. */
struct vfu_dma_map {
	uint64_t va;
	uint64_t iova;
	uint64_t len;
	uint64_t fd_off;
	int fd;			/* DPDK's, not ours to close */
};

struct vfu_priv {
	struct tmmr_vfu_client cl;
	int cfg_fd;		/* sysfs config file, or -1: use region 7 */
	uint32_t dev_flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint64_t cfg_size;	/* size of region 7 */

	/* doorbell fast path offered by GET_REGION_IO_FDS */
	struct vfu_ioeventfd ioevt[VFU_MAX_IOEVENTFDS];
	unsigned int nb_ioevt;
	int ioevt_fds[TMMR_VFU_MAX_FDS];
	unsigned int nb_ioevt_fds;

	/* DMA (vfu_dma.c); guarded by DPDK's memory hotplug lock */
	bool dma_on;
	bool mem_cb;		/* memory event callback registered */
	struct vfu_dma_map *maps;
	unsigned int nb_maps;
	unsigned int cap_maps;

	/* MSI-X eventfds: irq_fd[0] config, irq_fd[i] Rx vector i */
	int *irq_fd;
	uint16_t nb_irq_fd;
	bool irq_on;
};

int tmmr_pci_vfu_dma_setup(struct tmmr_pci *p);
void tmmr_pci_vfu_dma_teardown(struct tmmr_pci *p);
int tmmr_pci_vfu_ext_dma_map(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len,
			     int fd, uint64_t fd_off);
int tmmr_pci_vfu_ext_dma_unmap(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len);
/* The memory event callback; exposed for the unit tests (--no-huge has no hotplug). */
void tmmr_pci_vfu_mem_event(enum rte_mem_event type, const void *addr, size_t len,
			    void *arg);

#endif /* TMMR_PCI_VFU_H */
