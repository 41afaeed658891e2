/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_RXTX_H
#define TMMR_RXTX_H

/*
 * The datapath as the ethdev code sees it. Queue internals live in
 * tmmr_vq.h; nothing here knows how registers or doorbells are reached
 * (struct tmmr_doorbell comes from the PCI glue, filled by the transport).
 */

#include <stdint.h>
#include <stdbool.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tmmr_doorbell.h"

struct tmmr_rxq;
struct tmmr_txq;

/* What the ethdev negotiated and configured; fixed while the port runs. */
struct tmmr_dp_cfg {
	uint32_t features;		/* acked legacy features */
	uint16_t hdr_len;		/* 10, or 12 with MRG_RXBUF */
	bool mrg_rxbuf;
	bool any_layout;
	bool indirect;
	bool event_idx;
	bool rx_csum;			/* RTE_ETH_RX_OFFLOAD_*_CKSUM requested */
	bool rx_lro;			/* guest TSO requested */
	bool rx_intr;			/* Rx interrupts requested */
	bool vlan_strip;
	uint32_t max_rx_pkt_len;	/* MTU + L2 overhead */
};

/* Per-queue counters; also exported as xstats by name (see tmmr_dp_stats.c). */
struct tmmr_q_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		/* dropped: malformed, too long, no mbuf */
	uint64_t nombuf;		/* Rx refill failures */
	uint64_t doorbells;		/* notifications actually sent */
	uint64_t bad_used_id;		/* used id out of range or not in flight */
	uint64_t bad_used_len;		/* used length beyond the posted buffer */
	uint64_t bad_num_buffers;	/* absurd num_buffers in a mergeable header */
	uint64_t bad_used_idx;		/* used index jumped by more than the ring size */
	uint64_t multicast;
	uint64_t broadcast;
	uint64_t size_bins[8];		/* 64, 65-127, 128-255, 256-511, 512-1023,
					 * 1024-1518, 1519+, <64 */
};

/*
 * Create a queue: ring memory (4096-aligned, zeroed) of @num entries in DPDK
 * memory on @socket. @queue_idx is the device queue index (2n Rx, 2n+1 Tx).
 * Returns NULL and sets rte_errno on failure. The ring's IOVA, for the PFN,
 * is in *ring_iova.
 */
struct tmmr_rxq *tmmr_rxq_create(uint16_t port_id, uint16_t queue_idx, uint16_t num,
				 int socket, struct rte_mempool *mp,
				 const struct tmmr_dp_cfg *cfg, uint64_t *ring_iova);
struct tmmr_txq *tmmr_txq_create(uint16_t port_id, uint16_t queue_idx, uint16_t num,
				 int socket, const struct tmmr_dp_cfg *cfg,
				 uint64_t *ring_iova);

/*
 * Use at most @nb_desc of the ring's descriptors (the application's count;
 * 0 or above the ring size: all), as the mbufs a queue pins follow from
 * it. Set while the queue is stopped.
 */
void tmmr_rxq_set_nb_desc(struct tmmr_rxq *q, uint16_t nb_desc);
void tmmr_txq_set_nb_desc(struct tmmr_txq *q, uint16_t nb_desc);

/* Skip the packet type parse of Rx offloads (rte_eth_dev_set_ptypes); also while running. */
void tmmr_rxq_set_no_ptype(struct tmmr_rxq *q, bool no_ptype);

/*
 * Rx with a static avail ring (the default; used while the number of chains
 * is a power of 2 and the device completes in order) or always with the
 * free-head stack (@on false: the reference path). Set while the queue is
 * stopped. tmmr_rxq_static_ring: whether the queue uses it now.
 */
void tmmr_rxq_set_static_ring(struct tmmr_rxq *q, bool on);
bool tmmr_rxq_static_ring(const struct tmmr_rxq *q);

/*
 * On the static ring, take used entries with SSE (x86-64; chosen at queue
 * creation unless EAL --force-max-simd-bitwidth is below 128) or with the
 * scalar code (@on false). Returns whether SSE is used now.
 */
bool tmmr_rxq_set_vector(struct tmmr_rxq *q, bool on);

/*
 * Tx with the static ring (the default; used while packets fit one
 * descriptor, ANY_LAYOUT or INDIRECT_DESC acked, and the device completes in
 * order) or always with the free list (@on false: the reference path). Set
 * while the queue is stopped. tmmr_txq_static_ring: whether the queue uses
 * it now.
 */
void tmmr_txq_set_static_ring(struct tmmr_txq *q, bool on);
bool tmmr_txq_static_ring(const struct tmmr_txq *q);

/*
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE on @q: completed mbufs go back to their
 * pool with one rte_mempool_put_bulk per batch. Set while the queue is stopped.
 */
void tmmr_txq_set_fast_free(struct tmmr_txq *q, bool on);

/* Doorbell for the queue; set before the queue is started. */
void tmmr_rxq_set_doorbell(struct tmmr_rxq *q, const struct tmmr_doorbell *n);
void tmmr_txq_set_doorbell(struct tmmr_txq *q, const struct tmmr_doorbell *n);

/*
 * A packet from the control path (the announce RARP) for Tx queue @q: the
 * lcore that owns the queue sends it ahead of its next burst (or cleanup),
 * so no lock is shared with the datapath. 0, or -EBUSY if one is waiting.
 */
int tmmr_txq_inject(struct tmmr_txq *q, struct rte_mbuf *m);

/* Fill the Rx ring with buffers and notify; 0 or -ENOMEM. */
int tmmr_rxq_start(struct tmmr_rxq *q);

/*
 * Take back every buffer the device still owns (device reset first!) and
 * reset the ring to empty, so the queue can be started again. No mbuf leaks.
 */
void tmmr_rxq_stop(struct tmmr_rxq *q);
void tmmr_txq_stop(struct tmmr_txq *q);

/*
 * The device could not be reset and may still write into the posted Rx
 * buffers: forget them (they never go back to the pool) and reset the ring
 * to empty. Returns the number of mbufs given up.
 */
unsigned int tmmr_rxq_abandon(struct tmmr_rxq *q);

void tmmr_rxq_free(struct tmmr_rxq *q);
void tmmr_txq_free(struct tmmr_txq *q);

uint16_t tmmr_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t tmmr_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t tmmr_xmit_prep(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);

/*
 * Rx interrupt: ask the device for (or stop) used-buffer notifications.
 * Enable returns true when used entries are already waiting: the device may
 * have published them before it saw the request, and will not interrupt for
 * them.
 */
bool tmmr_rxq_intr_enable(struct tmmr_rxq *q);
void tmmr_rxq_intr_disable(struct tmmr_rxq *q);

/* Number of filled Rx descriptors waiting (rx_queue_count). */
uint32_t tmmr_rxq_count(struct tmmr_rxq *q);

/* Tx done cleanup (tx_done_cleanup); returns the number freed. */
int tmmr_txq_done_cleanup(struct tmmr_txq *q, uint32_t free_cnt);

const struct tmmr_q_stats *tmmr_rxq_stats(const struct tmmr_rxq *q);
const struct tmmr_q_stats *tmmr_txq_stats(const struct tmmr_txq *q);
void tmmr_rxq_stats_reset(struct tmmr_rxq *q);
void tmmr_txq_stats_reset(struct tmmr_txq *q);

/*
 * A hostile completion was seen (bad id, index jump): the queue stops
 * delivering and the ethdev should reset the device. Polled by the ethdev.
 */
bool tmmr_rxq_broken(const struct tmmr_rxq *q);
bool tmmr_txq_broken(const struct tmmr_txq *q);

/* xstats names for per-queue counters: count and fill for one queue. */
#define TMMR_Q_XSTATS_NB 19
const char *tmmr_q_xstat_name(unsigned int i);
uint64_t tmmr_q_xstat_value(const struct tmmr_q_stats *s, unsigned int i);

#endif /* TMMR_RXTX_H */
