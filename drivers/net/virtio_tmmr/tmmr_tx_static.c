/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Tx on the static ring (q->in_order, the default whenever a packet can be
 * one descriptor: ANY_LAYOUT or INDIRECT_DESC acked): avail entry i always
 * names descriptor i & mask, written once when the queue is set up, and
 * packet i goes into that descriptor, either with its header pushed into its
 * headroom or as an indirect table. A send writes the descriptor and the
 * mbuf pointer, and the burst moves the avail index; no free list.
 *
 * A device that completes in the order it got the chains (every known
 * backend's Tx) returns descriptor used_cons & mask next; that is the only
 * check a used entry needs, and the completed mbufs are a run of the mbuf
 * array. Whether a completed mbuf can go straight back to its pool is
 * decided when it is sent: one segment, direct, refcnt 1 (its header went
 * into its headroom, which needs all three) and the queue's pool (the first
 * such packet's). Freeing such an mbuf is exactly a put into its pool, with
 * or without fast free: its only reference is the one the application
 * handed over. put_slow is the avail index of the last packet that failed;
 * while that is before a completed run, nothing in flight failed and the run
 * goes back with one put straight from the array; any other run is freed as
 * before (fast free: checked mbuf by mbuf; otherwise rte_pktmbuf_free_bulk).
 * Legacy virtio has no IN_ORDER feature, so a device may also
 * complete out of order: the first used id that is not the expected one
 * turns the queue over to the free list for good (until it is stopped),
 * whose checks then judge it and the rest: a chain in flight is taken,
 * anything else (out of range, completed twice) is a device error as ever.
 * A packet that needs a chain (no INDIRECT_DESC, and no room or no
 * ANY_LAYOUT for the header) also moves the queue to the free list, which
 * hands it back to the static ring once nothing is in flight.
 */

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tmmr_tx_common.h"
#include "tmmr_tx_static.h"

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
/*
 * rearm_data as one word: refcnt 1 and one segment (data_off and port are
 * masked out), in one load.
 */
#define TMMR_TX_REARM_SH(f) \
	((offsetof(struct rte_mbuf, f) - offsetof(struct rte_mbuf, rearm_data)) * 8)
#define TMMR_TX_REARM_MASK \
	((UINT64_C(0xffff) << TMMR_TX_REARM_SH(refcnt)) | \
	 (UINT64_C(0xffff) << TMMR_TX_REARM_SH(nb_segs)))
#define TMMR_TX_REARM_ONE \
	((UINT64_C(1) << TMMR_TX_REARM_SH(refcnt)) | (UINT64_C(1) << TMMR_TX_REARM_SH(nb_segs)))

static __rte_always_inline bool
tmmr_tx_one_seg_ref(const struct rte_mbuf *m)
{
	uint64_t rearm;

	memcpy(&rearm, &m->rearm_data, sizeof(rearm));
	return (rearm & TMMR_TX_REARM_MASK) == TMMR_TX_REARM_ONE;
}

/* len, then flags and next zero, in one store */
static __rte_always_inline void
tmmr_tx_desc_len(struct tmmr_vring_desc *d, uint32_t len)
{
	uint64_t len_flags = len;

	memcpy(&d->len, &len_flags, sizeof(len_flags));
}
#else
static __rte_always_inline bool
tmmr_tx_one_seg_ref(const struct rte_mbuf *m)
{
	return m->nb_segs == 1 && rte_mbuf_refcnt_read(m) == 1;
}

static __rte_always_inline void
tmmr_tx_desc_len(struct tmmr_vring_desc *d, uint32_t len)
{
	d->len = len;
	d->flags = 0;
}
#endif

/* Lay the static ring out on an empty queue: avail entry i names descriptor i. */
void
tmmr_tx_static_init(struct tmmr_txq *q)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t i;

	q->out_of_order = false;
	q->put_slow = vq->avail_shadow - 1;	/* none in flight */
	q->put_mp = NULL;
	q->in_order = q->static_ok && (q->any_layout || q->indirect);
	if (!q->in_order)
		return;
	for (i = 0; i < vq->num; i++)
		vq->avail->ring[i] = i;
}

/*
 * Hand the queue to the free list: the chains in flight are the in_flight
 * descriptors before avail_shadow, one each; the free ones follow them in the
 * static order, the next to use first. Their mbuf pointers are stale and go,
 * so that the free list's checks see a completion of one as a device error.
 */
void __rte_noinline
tmmr_tx_leave_static(struct tmmr_txq *q, bool out_of_order)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t end = vq->avail_shadow;
	uint16_t k;

	for (k = 0; k < vq->num - vq->in_flight; k++) {
		uint16_t j = (uint16_t)(end + k) & vq->mask;

		q->mb[j] = NULL;
		q->next[j] = (j + 1) & vq->mask;
	}
	for (k = 0; k < vq->in_flight; k++)
		q->ndesc[(uint16_t)(vq->used_cons + k) & vq->mask] = 1;
	q->free_head = end & vq->mask;
	q->nb_free = q->max_desc - vq->in_flight;
	q->dirty_from = end;
	q->in_order = false;
	q->out_of_order |= out_of_order;
}

/*
 * Back to the static ring once the free list has nothing in flight, unless
 * the device completed out of order: the avail entries the free list wrote
 * name their descriptors again. Returns whether the queue is on it.
 */
bool __rte_noinline
tmmr_tx_enter_static(struct tmmr_txq *q)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t n = (uint16_t)(vq->avail_shadow - q->dirty_from);
	uint16_t k;

	if (!q->static_ok || q->out_of_order || vq->in_flight != 0 ||
	    !(q->any_layout || q->indirect))
		return false;
	/* the free list keeps dirty_from at most a ring behind (tmmr_tx_list_burst) */
	if (n > vq->num)
		n = vq->num;
	for (k = 0; k < n; k++) {
		uint16_t j = (uint16_t)(q->dirty_from + k) & vq->mask;

		vq->avail->ring[j] = j;
	}
	q->put_slow = vq->avail_shadow - 1;
	q->in_order = true;
	return true;
}

/*
 * @n completed mbufs, a run of the mbuf array from avail index @pos. With no
 * packet in flight that failed the send-time check, one put; otherwise,
 * under fast free, each is checked (single segment, direct, refcnt 1, the
 * run's pool), one that is not goes the ordinary way, and the others go back
 * in place with one put per stretch.
 */
static inline void
tmmr_tx_free_run(struct tmmr_txq *q, struct rte_mbuf **run, uint32_t n, uint16_t pos)
{
	struct rte_mempool *mp;
	uint32_t i, start = 0;

	if (n == 0)
		return;
	if (likely((int16_t)(q->put_slow - pos) < 0)) {
		rte_mempool_put_bulk(q->put_mp, (void **)run, n);
		/* still before what is in flight, however far the index goes */
		q->put_slow = pos + n - 1;
		return;
	}
	if (!q->fast_free) {
		rte_pktmbuf_free_bulk(run, n);
		return;
	}
	mp = run[0]->pool;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = run[i];

		if (likely(m->pool == mp && m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
			   rte_mbuf_refcnt_read(m) == 1))
			continue;
		if (i > start)
			rte_mempool_put_bulk(mp, (void **)&run[start], i - start);
		rte_pktmbuf_free(m);
		start = i + 1;
	}
	if (n > start)
		rte_mempool_put_bulk(mp, (void **)&run[start], n - start);
}

/*
 * How many of the @n used entries from ring position @first on (not past the
 * ring's end) name their own position, as the static ring expects: in groups
 * of four (half a cache line), then one by one from the group with a
 * mismatch or the end. An id is only compared, never used: what is taken
 * comes from the driver's own array, so a device changing an id between the
 * two reads of such a group decides nothing but that compare.
 */
static inline uint32_t
tmmr_tx_in_order(volatile struct tmmr_vring_used_elem *ring, uint32_t first, uint32_t n)
{
	uint32_t i = 0, j;

	for (; i + 4 <= n; i += 4) {
		j = first + i;
		if ((ring[j].id ^ j) | (ring[j + 1].id ^ (j + 1)) |
		    (ring[j + 2].id ^ (j + 2)) | (ring[j + 3].id ^ (j + 3)))
			break;
	}
	for (; i < n; i++)
		if (ring[first + i].id != first + i)
			break;
	return i;
}

/* Take completed packets back; returns the number freed. */
uint32_t
tmmr_tx_reclaim_static(struct tmmr_txq *q, uint32_t max)
{
	struct tmmr_vq *vq = &q->vq;
	volatile struct tmmr_vring_used_elem *ring = vq->used->ring;
	uint16_t cons = vq->used_cons;
	uint32_t n = RTE_MIN((uint32_t)tmmr_vq_used_pending(vq), max);
	uint32_t i, first, tail;

	/* up to the ring's end, then from its start */
	first = cons & vq->mask;
	i = tmmr_tx_in_order(ring, first, RTE_MIN(n, vq->num - first));
	if (i == vq->num - first && i < n)
		i += tmmr_tx_in_order(ring, 0, n - i);
	vq->used_cons = cons + i;
	vq->in_flight -= i;
	tail = first + i > vq->num ? first + i - vq->num : 0;
	tmmr_tx_free_run(q, &q->mb[first], i - tail, cons);
	tmmr_tx_free_run(q, q->mb, tail, cons + i - tail);
	if (unlikely(i < n)) {
		/* not the expected descriptor: the free list's checks judge it */
		tmmr_tx_leave_static(q, true);
		return i + tmmr_tx_reclaim_list(q, max - i);
	}
	return i;
}

/*
 * Post @n packets at the avail index, one descriptor each from descriptor
 * @slot on (not past the ring's end); stops at a packet that needs a chain.
 */
static inline uint16_t
tmmr_tx_static_post(struct tmmr_txq *q, struct rte_mbuf **pkts, uint16_t n, uint16_t slot)
{
	struct tmmr_vq *vq = &q->vq;
	struct tmmr_vring_desc *desc = &vq->desc[slot];
	struct rte_mbuf **mb = &q->mb[slot];
	struct rte_mempool *put_mp = q->put_mp;
	uint16_t idx = vq->avail_shadow;
	/* in locals: the stores below may alias the queue */
	const uint16_t hdr_len = q->hdr_len;
	const bool push_ok = q->any_layout;
	const bool hdr_ol = q->hdr_ol;
	const bool indirect = q->indirect;
	uint64_t bytes = 0;
	uint32_t n64 = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t off = m->data_off;
		uint32_t len;

		/* one segment, refcnt 1, direct, room for the header, 2-byte aligned */
		if (likely(push_ok && tmmr_tx_one_seg_ref(m) && RTE_MBUF_DIRECT(m) &&
			   off >= hdr_len && (((uintptr_t)m->buf_addr + off) & 1) == 0)) {
			char *dst = (char *)m->buf_addr + off - hdr_len;

			desc[i].addr = rte_mbuf_iova_get(m) + off - hdr_len;
			tmmr_tx_desc_len(&desc[i], m->data_len + hdr_len);
			if (unlikely(m->pool != put_mp)) {
				/* the first packet names the pool */
				if (put_mp == NULL)
					q->put_mp = put_mp = m->pool;
				else
					q->put_slow = idx + i;
			}
			if (likely(!hdr_ol))
				tmmr_tx_zero_hdr(dst, hdr_len);
			else
				tmmr_tx_fill_hdr(q, dst, m);
		} else if (indirect && m->nb_segs < TMMR_TX_IND_MAX) {
			tmmr_tx_post_indirect(q, slot + i, m);
			q->put_slow = idx + i;
		} else {
			break;
		}
		mb[i] = m;
		len = m->pkt_len;
		bytes += len;
		if (likely(len == 64))
			n64++;
		else
			tmmr_stats_slow(&vq->stats, m);
		tmmr_stats_cast(&vq->stats, rte_pktmbuf_mtod(m, const uint8_t *));
	}
	vq->avail_shadow = idx + i;
	vq->stats.bytes += bytes;
	vq->stats.size_bins[0] += n64;
	return i;
}

/* Post @n packets: up to the ring's end, then from its start. */
static inline uint16_t
tmmr_tx_static_posts(struct tmmr_txq *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t first = q->vq.avail_shadow & q->vq.mask;
	uint16_t n1 = RTE_MIN(n, (uint16_t)(q->vq.num - first));
	uint16_t i = tmmr_tx_static_post(q, pkts, n1, first);

	if (i == n1 && n1 < n)
		i += tmmr_tx_static_post(q, pkts + n1, n - n1, 0);
	return i;
}

/*
 * Post up to @nb_pkts packets; stops early when the ring is full or at a
 * packet that needs a chain (the queue is then on the free list, which takes
 * it). The caller publishes.
 */
uint16_t
tmmr_tx_static_burst(struct tmmr_txq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t room, n, i;

	room = q->max_desc - vq->in_flight;
	if (room < TMMR_TX_FREE_THRESH || room < nb_pkts) {
		tmmr_tx_reclaim_static(q, UINT32_MAX);
		if (unlikely(!q->in_order || vq->broken))
			return 0;
		room = q->max_desc - vq->in_flight;
	}
	n = RTE_MIN(nb_pkts, room);
	i = tmmr_tx_static_posts(q, pkts, n);
	vq->in_flight += i;
	vq->stats.packets += i;
	if (unlikely(i < n))
		tmmr_tx_leave_static(q, false);
	return i;
}

/* Free what the device still holds: the in_flight packets before avail_shadow. */
void
tmmr_tx_static_stop(struct tmmr_txq *q)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t k;

	for (k = 0; k < vq->in_flight; k++) {
		uint16_t j = (uint16_t)(vq->used_cons + k) & vq->mask;

		rte_pktmbuf_free(q->mb[j]);
		q->mb[j] = NULL;
	}
}
