/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_RX_COMMON_H
#define TMMR_RX_COMMON_H

/*
 * Rx helpers shared by the scalar burst (tmmr_rx.c) and the vector one
 * (tmmr_rx_vec.c): chain heads on the static ring and the free-head stack,
 * and the tail every received packet goes through. See tmmr_rx.c for the
 * ring layout.
 */

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_prefetch.h>

#include "tmmr_vq.h"

#define TMMR_RX_MAX_SEGS	32
#define TMMR_RX_ALLOC_CHUNK	64
#define TMMR_RX_BATCH		4	/* used entries (8 bytes each) taken as one group */
#define TMMR_RX_UNROLL		_Pragma("GCC unroll 4")

static inline bool
tmmr_rx_id_valid(const struct tmmr_rxq *q, uint32_t id)
{
	return id < q->vq.num && (id & (q->stride - 1)) == 0 && q->sw[id] != NULL;
}

/*
 * Chain head at avail (and, in order, used) position @pos of a static ring;
 * @one: chains of one descriptor (stride 1: always with MRG_RXBUF).
 */
static __rte_always_inline uint16_t
tmmr_rx_static_head(const struct tmmr_rxq *q, uint16_t pos, const bool one)
{
	if (one)
		return pos & q->cap_mask;
	return (uint16_t)((pos & q->cap_mask) << q->stride_shift);
}

/*
 * The device used a chain other than the expected one: leave the static
 * avail ring for the free-head stack (tmmr_rx.c).
 */
void tmmr_rx_leave_order(struct tmmr_rxq *q);

/*
 * Is @id, read from the used entry at position @cons, a chain head we may
 * take? With @in_order (the static ring), only the expected one is.
 */
static __rte_always_inline bool
tmmr_rx_head_ok(const struct tmmr_rxq *q, uint16_t cons, uint32_t id, const bool in_order,
		const bool one)
{
	if (in_order)
		return id == tmmr_rx_static_head(q, cons, one);
	return tmmr_rx_id_valid(q, id);
}

/* A consumed chain is free again. */
static __rte_always_inline void
tmmr_rx_put_head(struct tmmr_rxq *q, uint16_t h, const bool in_order)
{
	if (!in_order)
		q->free_heads[q->nb_free_heads] = h;
	q->nb_free_heads++;
	q->vq.in_flight--;
}

/* A free chain to post next, its avail entry written unless static. */
static __rte_always_inline uint16_t
tmmr_rx_take_head(struct tmmr_rxq *q, const bool in_order, const bool one)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t pos = vq->avail_shadow++;
	uint16_t h;

	q->nb_free_heads--;
	if (in_order)
		return tmmr_rx_static_head(q, pos, one);
	h = q->free_heads[q->nb_free_heads];
	vq->avail->ring[pos & vq->mask] = h;
	return h;
}

/* Address of the net header the device wrote in front of an Rx mbuf's data. */
static inline void *
tmmr_rx_hdr(const struct tmmr_rxq *q, struct rte_mbuf *m)
{
	return (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM - q->hdr_len;
}

/* Offloads from the header; false: the packet is malformed and dropped. */
static inline bool
tmmr_rx_offload(struct tmmr_rxq *q, struct rte_mbuf *m, const struct tmmr_net_hdr *hdr)
{
	/* the device could still be writing: read each field once */
	uint8_t flags = hdr->flags;
	uint8_t gso = hdr->gso_type;
	uint16_t gso_size = hdr->gso_size;

	/* the parse reads the packet's first lines, which a forwarder may never touch */
	if (likely(!__atomic_load_n(&q->no_ptype, __ATOMIC_RELAXED)))
		m->packet_type = rte_net_get_ptype(m, NULL, RTE_PTYPE_ALL_MASK);
	if (flags & TMMR_NET_HDR_F_NEEDS_CSUM) {
		uint32_t end = (uint32_t)hdr->csum_start + hdr->csum_offset + 2;

		/* checksum still to be completed: valid data, unverified sum */
		if (end <= m->pkt_len)
			m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		else
			m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_BAD;
	} else if (flags & TMMR_NET_HDR_F_DATA_VALID) {
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (gso != TMMR_NET_HDR_GSO_NONE) {
		switch (gso & ~TMMR_NET_HDR_GSO_ECN) {
		case TMMR_NET_HDR_GSO_TCPV4:
		case TMMR_NET_HDR_GSO_TCPV6:
			if (gso_size == 0 || !q->cfg.rx_lro)
				return false;
			m->ol_flags |= RTE_MBUF_F_RX_LRO;
			m->tso_segsz = gso_size;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* Common tail of every received packet; false: dropped (already freed). */
static __rte_always_inline bool
tmmr_rx_finish(struct tmmr_rxq *q, struct rte_mbuf *m, const struct tmmr_net_hdr *hdr)
{
	struct tmmr_vq *vq = &q->vq;

	m->port = vq->port_id;
	if (unlikely(q->offload) && !tmmr_rx_offload(q, m, hdr)) {
		vq->stats.errors++;
		rte_pktmbuf_free(m);
		return false;
	}
	if (unlikely(q->vlan_strip))
		rte_vlan_strip(m);
	tmmr_stats_update(&vq->stats, m);
	return true;
}

static inline void
tmmr_rx_prefetch(const struct tmmr_rxq *q, uint16_t cons)
{
	const struct tmmr_vq *vq = &q->vq;
	struct rte_mbuf *m = q->sw[vq->used->ring[cons & vq->mask].id & vq->mask];

	/* the mbuf, the header line and the first data line (stats read it) */
	if (m != NULL) {
		rte_prefetch0(m);
		rte_prefetch0(RTE_PTR_ADD(m, q->pf_off));
		rte_prefetch0(RTE_PTR_ADD(m, q->pf_off + q->hdr_len));
	}
}

/*
 * Steps shared by the scalar and the SSE groups of used entries on the
 * static ring (chains of one descriptor), for the group at position @pos.
 */

/* With MRG_RXBUF: non-zero unless every header of the group says num_buffers 1. */
static __rte_always_inline uint32_t
tmmr_rx_group_mrg_bad(const struct tmmr_rxq *q, struct rte_mbuf *const *m)
{
	uint32_t bad = 0;
	unsigned int k;

	TMMR_RX_UNROLL
	for (k = 0; k < TMMR_RX_BATCH; k++) {
		const struct tmmr_net_hdr_mrg *h = tmmr_rx_hdr(q, m[k]);

		bad |= h->num_buffers ^ 1u;
	}
	return bad;
}

/*
 * Prefetch the mbufs, header and first data lines of the group at @pos;
 * @sw and @cmask are the queue's, passed in as the caller holds them.
 */
static __rte_always_inline void
tmmr_rx_group_prefetch(const struct tmmr_rxq *q, struct rte_mbuf *const *sw, uint16_t cmask,
		       uint16_t pos)
{
	unsigned int k;

	TMMR_RX_UNROLL
	for (k = 0; k < TMMR_RX_BATCH; k++) {
		struct rte_mbuf *nx = sw[(uint16_t)(pos + k) & cmask];

		rte_prefetch0(nx);
		rte_prefetch0(RTE_PTR_ADD(nx, q->pf_off));
		rte_prefetch0(RTE_PTR_ADD(nx, q->pf_off + q->hdr_len));
	}
}

/* Take the group at @pos (lengths set): its packets go to pkts[n] on; the new n. */
static __rte_always_inline uint16_t
tmmr_rx_group_take(struct tmmr_rxq *q, struct rte_mbuf **sw, uint16_t cmask,
		   struct rte_mbuf *const *m, uint16_t pos, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned int k;

	TMMR_RX_UNROLL
	for (k = 0; k < TMMR_RX_BATCH; k++) {
		sw[(uint16_t)(pos + k) & cmask] = NULL;
		if (tmmr_rx_finish(q, m[k], tmmr_rx_hdr(q, m[k])))
			pkts[n++] = m[k];
	}
	return n;
}

#endif /* TMMR_RX_COMMON_H */
