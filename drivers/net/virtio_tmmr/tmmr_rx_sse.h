/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_RX_SSE_H
#define TMMR_RX_SSE_H

/*
 * The vector form of tmmr_rx_static_groups() (tmmr_rx.c), x86-64's baseline
 * SSE2 only: the same groups of four used entries, the same checks, the same
 * outcome; the scalar form stays the reference and the ring tests run both.
 * Included by tmmr_rx.c only.
 */

#include <stddef.h>

#include <rte_vect.h>

#include "tmmr_rx_common.h"

#define TMMR_RX_SSE 1

/*
 * Four used entries are read with one 8-byte load each (so each id and
 * length is read once, as in the scalar form) and sorted into a vector of
 * ids and one of lengths: one compare against the four expected chains and
 * one unsigned range check of the lengths, both folded into one mask. Each
 * mbuf then gets pkt_len, data_len and vlan_tci (0) with one 8-byte store.
 */
static __rte_always_inline uint16_t
tmmr_rx_static_groups_sse(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t *nb_rx,
			  uint16_t cons, uint16_t max, const bool mrg)
{
	struct tmmr_vq *vq = &q->vq;
	const uint8_t *ring = (const uint8_t *)(uintptr_t)vq->used->ring;
	struct rte_mbuf **sw = q->sw;
	const uint16_t mask = vq->mask;
	const uint16_t cmask = q->cap_mask;
	const uint16_t hdr_len = q->hdr_len;
	const uint32_t lo = hdr_len + (uint32_t)RTE_ETHER_HDR_LEN;
	const __m128i step = _mm_set_epi32(3, 2, 1, 0);
	const __m128i vcmask = _mm_set1_epi32(cmask);
	const __m128i vlo = _mm_set1_epi32((int32_t)lo);
	const __m128i bias = _mm_set1_epi32(INT32_MIN);
	/* unsigned len - lo > span, as a signed compare of both biased */
	const __m128i vspan = _mm_set1_epi32((int32_t)((q->buf_cap - lo) ^ 0x80000000u));
	const __m128i vhdr = _mm_set1_epi32(hdr_len);
	uint16_t done = 0, n = *nb_rx;

	/* pkt_len, data_len and vlan_tci are 8 contiguous bytes */
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, data_len) !=
			 offsetof(struct rte_mbuf, pkt_len) + 4);
	RTE_BUILD_BUG_ON(offsetof(struct rte_mbuf, vlan_tci) !=
			 offsetof(struct rte_mbuf, pkt_len) + 6);
	RTE_BUILD_BUG_ON(sizeof(struct tmmr_vring_used_elem) != 8);

	while ((uint16_t)(max - done) >= TMMR_RX_BATCH) {
		uint16_t pos = cons + done;
		struct rte_mbuf *m[TMMR_RX_BATCH];
		__m128i e0, e1, e2, e3, ids, lens, exp, off, good, d, d01, d23;
		unsigned int k;

		e0 = _mm_loadl_epi64((const __m128i *)(ring + 8 * (pos & mask)));
		e1 = _mm_loadl_epi64((const __m128i *)(ring + 8 * ((uint16_t)(pos + 1) & mask)));
		e2 = _mm_loadl_epi64((const __m128i *)(ring + 8 * ((uint16_t)(pos + 2) & mask)));
		e3 = _mm_loadl_epi64((const __m128i *)(ring + 8 * ((uint16_t)(pos + 3) & mask)));
		e0 = _mm_unpacklo_epi64(e0, e1);	/* id0 len0 id1 len1 */
		e2 = _mm_unpacklo_epi64(e2, e3);	/* id2 len2 id3 len3 */
		ids = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(e0), _mm_castsi128_ps(e2),
						      _MM_SHUFFLE(2, 0, 2, 0)));
		lens = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(e0), _mm_castsi128_ps(e2),
						       _MM_SHUFFLE(3, 1, 3, 1)));
		/* the expected chains: (pos + k) & cmask, which wraps as pos does */
		exp = _mm_and_si128(_mm_add_epi32(_mm_set1_epi32(pos), step), vcmask);
		good = _mm_cmpeq_epi32(ids, exp);
		off = _mm_xor_si128(_mm_sub_epi32(lens, vlo), bias);
		good = _mm_andnot_si128(_mm_cmpgt_epi32(off, vspan), good);
		if (unlikely(_mm_movemask_epi8(good) != 0xffff))
			break;
		TMMR_RX_UNROLL
		for (k = 0; k < TMMR_RX_BATCH; k++)
			m[k] = sw[(uint16_t)(pos + k) & cmask];
		if (mrg && unlikely(tmmr_rx_group_mrg_bad(q, m) != 0))
			break;
		if ((uint16_t)(max - done) >= 2 * TMMR_RX_BATCH)
			tmmr_rx_group_prefetch(q, sw, cmask, pos + TMMR_RX_BATCH);
		/* lengths below 64 KiB after the range check: data_len = pkt_len, vlan_tci 0 */
		d = _mm_sub_epi32(lens, vhdr);
		d01 = _mm_unpacklo_epi32(d, d);
		d23 = _mm_unpackhi_epi32(d, d);
		/* unaligned 8-byte stores (pkt_len is at offset 36) */
		_mm_storel_epi64((__m128i *)&m[0]->pkt_len, d01);
		_mm_storel_epi64((__m128i *)&m[1]->pkt_len, _mm_srli_si128(d01, 8));
		_mm_storel_epi64((__m128i *)&m[2]->pkt_len, d23);
		_mm_storel_epi64((__m128i *)&m[3]->pkt_len, _mm_srli_si128(d23, 8));
		n = tmmr_rx_group_take(q, sw, cmask, m, pos, pkts, n);
		done += TMMR_RX_BATCH;
	}
	*nb_rx = n;
	return done;
}

/* May this process use the SSE form (EAL --force-max-simd-bitwidth=64: no)? */
static inline bool
tmmr_rx_sse_allowed(void)
{
	return rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_128;
}

#endif /* TMMR_RX_SSE_H */
