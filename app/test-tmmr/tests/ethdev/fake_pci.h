/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef FAKE_PCI_H
#define FAKE_PCI_H

/*
 * A fake transport for the control-path tests: struct tmmr_pci whose ops
 * emulate a legacy virtio-net register block from plain fields, plus a
 * scriptable control-queue device that reads the ring through IOVA = VA.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_mmr.h"
#include "tmmr_pci.h"
#include "tmmr_virtio_legacy.h"

#define FAKE_NB_QUEUES	32

struct fake_ctrl_cmd {
	uint8_t class;
	uint8_t cmd;
	uint8_t data[1024];	/* device-readable data after the header, concatenated */
	uint32_t data_len;
	unsigned int nb_out;	/* device-readable descriptors, header included */
	unsigned int nb_in;	/* device-writable descriptors */
};

enum fake_ctrl_mode {
	FAKE_CTRL_ACK,		/* complete with the configured ack */
	FAKE_CTRL_SILENT,	/* never complete */
	FAKE_CTRL_BAD_ID,	/* complete with a used id never posted */
	FAKE_CTRL_DOUBLE,	/* move used->idx by 2 */
};

struct fake_dev {
	struct tmmr_pci pci;

	uint32_t dev_features;
	uint32_t drv_features;
	uint8_t status;
	uint16_t qsel;
	uint16_t qsize[FAKE_NB_QUEUES];
	uint32_t pfn[FAKE_NB_QUEUES];
	uint16_t qvec[FAKE_NB_QUEUES];
	uint16_t cfgvec;
	uint8_t devcfg[64];

	unsigned int reset_delay;	/* status reads that still show the old value */
	unsigned int reset_pending;
	uint8_t status_before_reset;
	bool reset_stuck;
	bool fn_reset_fails;		/* the function-level reset does not help */
	unsigned int fn_resets;
	bool gone;			/* removed: reads all-ones, alive() false */
	bool pfn_ignored;		/* PFN writes do not stick */
	bool vec_refuse;		/* every vector write reads back NO_VECTOR */
	unsigned int mac_changes;	/* MAC reads that still see a new value */
	bool mq_late;			/* QEMU's virtio-net: until the driver writes MQ,
					 * queue 2 is the control queue (64) and the
					 * queues beyond it are absent */

	/* DMA: IOVA dma_iova .. + dma_len is memory at dma_va */
	uint64_t dma_iova;
	uint8_t *dma_va;
	uint64_t dma_len;
	unsigned int dma_faults;	/* IOVAs outside the window */

	/* control queue */
	uint16_t ctrl_queue;
	enum fake_ctrl_mode ctrl_mode;
	uint8_t ctrl_ack;
	uint16_t ctrl_last_avail;
	struct fake_ctrl_cmd last_cmd;
	unsigned int ctrl_cmds;

	unsigned int notifies;		/* QUEUE_NOTIFY writes */
	bool has_doorbells;		/* the transport's kick takes every queue */
	unsigned int kicks;		/* kicks the transport took */
	unsigned int reads;
	unsigned int writes;
};

/* Device view of driver memory; NULL (and a fault counted) outside the window. */
void *fake_dma(struct fake_dev *d, uint64_t iova, uint64_t len);

/* A net device offering @features, MSI-X table present, queues of @qsize. */
void fake_dev_init(struct fake_dev *d, uint32_t features, uint16_t qsize);

#endif /* FAKE_PCI_H */
