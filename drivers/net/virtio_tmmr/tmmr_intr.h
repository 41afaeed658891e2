/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_INTR_H
#define TMMR_INTR_H

/* tmmr_intr.c: LSC interrupt, periodic health poll, fault events. */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_ethdev.h"

/* Events found under hw->lock, delivered to the application after unlocking. */
#define TMMR_EV_LSC	0x1
#define TMMR_EV_RMV	0x2
#define TMMR_EV_RESET	0x4

void tmmr_intr_start(struct rte_eth_dev *dev);
void tmmr_intr_stop(struct rte_eth_dev *dev);
/* Read the link from the device into the ethdev; hw->lock held. */
void tmmr_link_read(struct rte_eth_dev *dev);
/* Removal, needs-reset, broken queues, link, announce; hw->lock held. */
unsigned int tmmr_poll_locked(struct rte_eth_dev *dev);
void tmmr_events_deliver(struct rte_eth_dev *dev, unsigned int ev);

#endif /* TMMR_INTR_H */
