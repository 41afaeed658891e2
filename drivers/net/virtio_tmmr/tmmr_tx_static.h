/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_TX_STATIC_H
#define TMMR_TX_STATIC_H

/* The static Tx ring (tmmr_tx_static.c), for tmmr_tx.c. */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct tmmr_txq;

/* Lay the static ring out on an empty queue, if the queue may use it. */
void tmmr_tx_static_init(struct tmmr_txq *q);
/* Hand the queue to the free list (@out_of_order: for good, until stopped). */
void tmmr_tx_leave_static(struct tmmr_txq *q, bool out_of_order);
/* Back to the static ring when nothing is in flight; whether the queue is on it. */
bool tmmr_tx_enter_static(struct tmmr_txq *q);
uint32_t tmmr_tx_reclaim_static(struct tmmr_txq *q, uint32_t max);
uint16_t tmmr_tx_static_burst(struct tmmr_txq *q, struct rte_mbuf **pkts, uint16_t nb_pkts);
/* Free the mbufs the device still holds (before the ring is reset). */
void tmmr_tx_static_stop(struct tmmr_txq *q);

#endif /* TMMR_TX_STATIC_H */
