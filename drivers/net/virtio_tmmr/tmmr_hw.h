/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_HW_H
#define TMMR_HW_H

/*
 * Device bring-up for the ethdev (tmmr_hw.c): reset, the device's offer and
 * feature negotiation, queues and vectors in the device, the control
 * commands that restore the port's filters, DRIVER_OK, and the way back.
 * The "_locked" functions want hw->lock held.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_ethdev.h"

/* Device queue index of Rx / Tx queue @qid. */
static inline uint16_t
tmmr_rx_vq(uint16_t qid)
{
	return 2 * qid;
}

static inline uint16_t
tmmr_tx_vq(uint16_t qid)
{
	return 2 * qid + 1;
}

/* The features usable with no offload configured yet: the capability report. */
uint32_t tmmr_usable_features(const struct tmmr_hw *hw);

/*
 * A transport whose device side holds only a few DMA maps (the model's
 * vfio-user device hands them to a vhost-user backend, which takes 8 memory
 * regions): in IOVA mode PA every physically discontiguous page is a map of its
 * own, so the model then needs a backend with IOMMU support to translate them,
 * else the device fails at DRIVER_OK. EAL does not weigh such devices (no
 * kernel driver) when it picks the mode, so say what it takes before that
 * happens.
 */
bool tmmr_iova_pa_on_model(const struct tmmr_pci *p);

/* The datapath configuration of features @f and the port's configuration. */
void tmmr_build_dp_cfg(struct rte_eth_dev *dev, uint32_t f, struct tmmr_dp_cfg *c);
/* Field by field: struct padding is not reliably copied. */
bool tmmr_dp_cfg_equal(const struct tmmr_dp_cfg *a, const struct tmmr_dp_cfg *b);

/* Log the MMR layout the PCI glue found. */
void tmmr_log_layout(const struct tmmr_pci *p);

/*
 * A device may offer other features after a reset (the model offers the
 * data-path features of its vhost-user backend once it is connected): take
 * the current offer while the port is stopped.
 */
void tmmr_refresh_offer(struct tmmr_hw *hw);

/*
 * The device at probe or after dev_reset: reset, read the offer, the MAC and
 * queue 0's size, and leave the device reset. hw->lock held.
 */
int tmmr_hw_init_locked(struct rte_eth_dev *dev);

/* Read and check the device-chosen size of device queue @vq (takes hw->lock). */
int tmmr_hw_queue_size(struct rte_eth_dev *dev, uint16_t vq, uint16_t *size);

/*
 * Reset the device, ack the planned features, give it the rings, vectors and
 * control commands, set DRIVER_OK and fill the Rx rings. hw->lock held; on
 * failure everything is undone.
 */
int tmmr_hw_start_locked(struct rte_eth_dev *dev);
/* Undo tmmr_hw_start_locked, whatever stage it reached. hw->lock held. */
void tmmr_hw_stop_locked(struct rte_eth_dev *dev);

#endif /* TMMR_HW_H */
