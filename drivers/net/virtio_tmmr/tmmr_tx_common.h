/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_TX_COMMON_H
#define TMMR_TX_COMMON_H

/*
 * What the two Tx paths share: the free-list path (tmmr_tx.c, the reference,
 * any chain shape) and the static ring (tmmr_tx_static.c, one descriptor per
 * packet at a fixed place).
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tmmr_vq.h"

/*
 * Zero the @hdr_len-byte header at @dst (pushed into an mbuf's headroom),
 * storing only when it is not zero already. Why: a device without Rx
 * offloads leaves a 10-byte header zero, so a forwarded packet's header
 * usually is; not storing keeps that cache line clean, and when the mbuf
 * comes back to an Rx ring the device's write into it takes no modified line
 * from this core. Against DPDK's vhost that write cost 73 of its ~400 cycles
 * per packet (perf guide, "The backend's cost per tmmr packet"). A received
 * 12-byte header says num_buffers 1, which must be 0 on transmit (virtio 1.1,
 * 5.1.6.2.1), so with MRG_RXBUF the store stays. @dst is 2-byte aligned.
 */
static __rte_always_inline void
tmmr_tx_zero_hdr(void *dst, uint16_t hdr_len)
{
	uint64_t lo;

	memcpy(&lo, dst, sizeof(lo));
	/* constant sizes: the stores stay inline */
	if (hdr_len == sizeof(struct tmmr_net_hdr_mrg)) {
		uint32_t hi;

		memcpy(&hi, RTE_PTR_ADD(dst, sizeof(lo)), sizeof(hi));
		if ((lo | hi) != 0)
			memset(dst, 0, sizeof(struct tmmr_net_hdr_mrg));
	} else {
		uint16_t hi;

		memcpy(&hi, RTE_PTR_ADD(dst, sizeof(lo)), sizeof(hi));
		if ((lo | hi) != 0)
			memset(dst, 0, sizeof(struct tmmr_net_hdr));
	}
}

/*
 * The legacy header for @m's offloads, as far as the device accepted them:
 * NEEDS_CSUM only with CSUM acked, GSO only with HOST_TSO4/6 acked for the
 * packet's family (tx_prep refuses the rest).
 */
static inline void
tmmr_tx_fill_hdr(const struct tmmr_txq *q, void *dst, const struct rte_mbuf *m)
{
	uint64_t ol = m->ol_flags & q->ol_ok;
	struct tmmr_net_hdr *h = dst;

	/* a packet without offloads leaves a zero header's line alone, as without CSUM */
	tmmr_tx_zero_hdr(dst, q->hdr_len);
	if (likely(!(ol & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG))))
		return;
	if ((ol & RTE_MBUF_F_TX_TCP_SEG) && !((ol & RTE_MBUF_F_TX_IPV6) ? q->tso6 : q->tso4))
		ol &= ~RTE_MBUF_F_TX_TCP_SEG;
	h->csum_start = m->l2_len + m->l3_len;
	if (ol & RTE_MBUF_F_TX_TCP_SEG) {
		h->flags = TMMR_NET_HDR_F_NEEDS_CSUM;
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
		h->gso_type = (ol & RTE_MBUF_F_TX_IPV6) ?
			TMMR_NET_HDR_GSO_TCPV6 : TMMR_NET_HDR_GSO_TCPV4;
		h->gso_size = m->tso_segsz;
		h->hdr_len = m->l2_len + m->l3_len + m->l4_len;
	} else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) {
		h->flags = TMMR_NET_HDR_F_NEEDS_CSUM;
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	} else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM) {
		h->flags = TMMR_NET_HDR_F_NEEDS_CSUM;
		h->csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
	} else {
		h->csum_start = 0;	/* SCTP, or nothing acked: refused by tx_prep */
	}
}

/* The header in front of @m's data: a fixed-size zeroing without offloads. */
static inline void
tmmr_tx_push_hdr(const struct tmmr_txq *q, struct rte_mbuf *m)
{
	void *dst = rte_pktmbuf_mtod_offset(m, char *, -(int)q->hdr_len);

	if (likely(!q->hdr_ol)) {
		tmmr_tx_zero_hdr(dst, q->hdr_len);
		return;
	}
	tmmr_tx_fill_hdr(q, dst, m);
}

/* The head's slot in the header area: already zero unless offloads were acked. */
static inline void
tmmr_tx_slot_hdr(const struct tmmr_txq *q, uint16_t head, const struct rte_mbuf *m)
{
	if (q->hdr_ol)
		tmmr_tx_fill_hdr(q, q->hdr_va + (size_t)head * TMMR_TX_HDR_SLOT, m);
}

static inline bool
tmmr_tx_can_push(const struct tmmr_txq *q, const struct rte_mbuf *m)
{
	return q->any_layout && RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
		rte_pktmbuf_headroom(m) >= q->hdr_len &&
		(((uintptr_t)rte_pktmbuf_mtod(m, char *) - q->hdr_len) & 1) == 0;
}

/* Segments into descriptors from @idx on; returns the last one written. */
static inline uint16_t
tmmr_tx_fill_segs(struct tmmr_txq *q, struct tmmr_vring_desc *tbl, uint16_t idx,
		  const struct rte_mbuf *seg, bool shadow_links)
{
	uint16_t nxt;

	for (;;) {
		tbl[idx].addr = rte_mbuf_data_iova(seg);
		tbl[idx].len = seg->data_len;
		seg = seg->next;
		if (seg == NULL) {
			tbl[idx].flags = 0;
			return idx;
		}
		nxt = shadow_links ? q->next[idx] : idx + 1;
		tbl[idx].flags = TMMR_VRING_DESC_F_NEXT;
		tbl[idx].next = nxt;
		idx = nxt;
	}
}

/* @m as one indirect descriptor at @head: the head's table holds header and segments. */
static inline void
tmmr_tx_post_indirect(struct tmmr_txq *q, uint16_t head, const struct rte_mbuf *m)
{
	struct tmmr_vring_desc *tbl = q->ind_va + (size_t)head * TMMR_TX_IND_MAX;
	struct tmmr_vring_desc *d = &q->vq.desc[head];

	/* tbl[0], the header slot, was written at setup */
	tmmr_tx_slot_hdr(q, head, m);
	tmmr_tx_fill_segs(q, tbl, 1, m, false);
	d->addr = q->ind_iova + (uint64_t)head * TMMR_TX_IND_MAX * sizeof(*tbl);
	d->len = (m->nb_segs + 1) * sizeof(*tbl);
	d->flags = TMMR_VRING_DESC_F_INDIRECT;
}

/* tmmr_tx.c: the free list's reclaim, which judges what the static ring did not expect */
uint32_t tmmr_tx_reclaim_list(struct tmmr_txq *q, uint32_t max);

#endif /* TMMR_TX_COMMON_H */
