/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Rx: every posted buffer is a fixed-shape chain at a fixed place in the
 * descriptor table (chain slot c = descriptors c*stride ...), so a used id
 * is valid only if it is a chain head we have in flight, and the chain's
 * mbufs are found without reading anything the device could have changed.
 *  - MRG_RXBUF: one descriptor per mbuf, header in the headroom; a packet
 *    spans num_buffers used entries.
 *  - otherwise: one chain per packet sized for max_rx_pkt_len; the header
 *    either shares the first descriptor (ANY_LAYOUT) or has its own one
 *    pointing into the first mbuf's headroom.
 *
 * Static avail ring (q->in_order, whenever the number of chains is a power of
 * 2): avail entry i always names chain i & cap_mask, written once when the
 * queue is set up, and chains are posted in that order, so a refill writes
 * only descriptor addresses and the index. A device that uses buffers in the
 * order it got them (every known backend's Rx) then returns chain
 * used_cons & cap_mask next; that is the only check the entry needs. Legacy
 * virtio has no IN_ORDER feature, so a device may also complete out of order:
 * the first used id that is not the expected one turns the queue over to the
 * free-head stack for good (until it is stopped), whose checks then judge it:
 * a chain in flight is taken, anything else is a device error as ever.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_prefetch.h>

#include "tmmr_logs.h"
#include "tmmr_rx_common.h"
#ifdef RTE_ARCH_X86_64
#include "tmmr_rx_sse.h"
#endif

/*
 * The device used a chain other than the expected one: leave the static avail
 * ring for the free-head stack, and let the checks of that mode judge the
 * entry (a chain in flight: the device completes out of order; anything else:
 * a device error). The chains in flight are the in_flight ones posted last
 * before avail_shadow; the free ones follow them in the static order and go
 * onto the stack, the next to post on top.
 */
void __rte_noinline
tmmr_rx_leave_order(struct tmmr_rxq *q)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t k;

	for (k = 0; k < q->nb_free_heads; k++)
		q->free_heads[q->nb_free_heads - 1 - k] =
			tmmr_rx_static_head(q, vq->avail_shadow + k, false);
	q->in_order = false;
	PMD_RX_LOG(INFO, "port %u queue %u: used id not in posting order, static avail ring off",
		   vq->port_id, vq->queue_idx);
}

/* Write the fixed parts (flags, next, len) of every chain's descriptors. */
static void
tmmr_rx_preset_descs(struct tmmr_rxq *q)
{
	uint16_t ndesc = q->segs + (q->hdr_desc ? 1 : 0);
	uint16_t c, s;

	for (c = 0; c < q->capacity; c++) {
		uint16_t h = c * q->stride;

		for (s = 0; s < ndesc; s++) {
			struct tmmr_vring_desc *d = &q->vq.desc[h + s];

			d->flags = TMMR_VRING_DESC_F_WRITE |
				(s + 1 < ndesc ? TMMR_VRING_DESC_F_NEXT : 0);
			d->next = s + 1 < ndesc ? h + s + 1 : 0;
			if (q->hdr_desc)
				d->len = s == 0 ? q->hdr_len : q->seg_room;
			else
				d->len = s == 0 ? q->hdr_len + q->seg_room : q->seg_room;
		}
		/* popped from the top: post in ascending order at first */
		q->free_heads[q->capacity - 1 - c] = h;
	}
	q->nb_free_heads = q->capacity;
	q->stride_shift = (uint8_t)rte_bsf32(q->stride);
	q->in_order = q->static_ok && rte_is_power_of_2(q->capacity);
	if (q->in_order) {
		uint32_t pos;

		q->cap_mask = q->capacity - 1;
		for (pos = 0; pos < q->vq.num; pos++)
			q->vq.avail->ring[pos] = tmmr_rx_static_head(q, pos, false);
	}
}

/*
 * A fresh mbuf for the ring: the fields a received packet does not overwrite
 * are reset as rte_pktmbuf_reset would: data_off, refcnt, nb_segs and port in
 * one 8-byte store from the queue's template (@rearm), then the offload
 * fields. pkt_len and data_len are set on receive; next is NULL for every
 * mbuf in a pool (the mbuf library frees only unchained mbufs into it).
 */
static __rte_always_inline void
tmmr_rx_reset_mbuf(struct rte_mbuf *m, uint64_t rearm)
{
	memcpy(&m->rearm_data, &rearm, sizeof(rearm));
	m->ol_flags &= RTE_MBUF_F_EXTERNAL;
	m->packet_type = 0;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->tx_offload = 0;
}

/* The rearm_data of a fresh mbuf for port @port_id. */
static uint64_t
tmmr_rx_rearm_template(uint16_t port_id)
{
	struct rte_mbuf t;
	uint64_t v;

	memset(&t, 0, sizeof(t));
	t.data_off = RTE_PKTMBUF_HEADROOM;
	rte_mbuf_refcnt_set(&t, 1);
	t.nb_segs = 1;
	t.port = port_id;
	memcpy(&v, &t.rearm_data, sizeof(v));
	return v;
}

/*
 * Post @nc free chains with the fresh mbufs @mb (segs of them per chain,
 * reset here).
 */
static __rte_always_inline void
tmmr_rx_post(struct tmmr_rxq *q, struct rte_mbuf **mb, uint16_t nc, const bool in_order)
{
	struct tmmr_vq *vq = &q->vq;
	const uint64_t rearm = q->rearm;
	uint16_t i, k = 0;

	if (in_order && likely(q->segs == 1 && !q->hdr_desc)) {
		/* consecutive chains: one pass, the queue's fields in locals */
		struct tmmr_vring_desc *desc = vq->desc;
		struct rte_mbuf **sw = q->sw;
		const uint16_t pos = vq->avail_shadow, cmask = q->cap_mask;
		const uint64_t off = RTE_PKTMBUF_HEADROOM - q->hdr_len;

		for (i = 0; i < nc; i++) {
			uint16_t h = (uint16_t)(pos + i) & cmask;
			struct rte_mbuf *m = mb[i];

			tmmr_rx_reset_mbuf(m, rearm);
			sw[h] = m;
			desc[h].addr = m->buf_iova + off;
		}
		vq->avail_shadow = pos + nc;
		q->nb_free_heads -= nc;
	} else if (likely(q->segs == 1 && !q->hdr_desc)) {
		for (i = 0; i < nc; i++) {
			uint16_t h = tmmr_rx_take_head(q, in_order, true);
			struct rte_mbuf *m = mb[i];

			tmmr_rx_reset_mbuf(m, rearm);
			q->sw[h] = m;
			vq->desc[h].addr = m->buf_iova + RTE_PKTMBUF_HEADROOM - q->hdr_len;
		}
	} else {
		for (i = 0; i < nc; i++) {
			uint16_t h = tmmr_rx_take_head(q, in_order, false);
			uint16_t s, d = h;

			if (q->hdr_desc)
				vq->desc[d++].addr = mb[k]->buf_iova +
					RTE_PKTMBUF_HEADROOM - q->hdr_len;
			for (s = 0; s < q->segs; s++, k++, d++) {
				tmmr_rx_reset_mbuf(mb[k], rearm);
				q->sw[h + s] = mb[k];
				vq->desc[d].addr = mb[k]->buf_iova + RTE_PKTMBUF_HEADROOM;
			}
			if (!q->hdr_desc)
				vq->desc[h].addr -= q->hdr_len;
		}
	}
	vq->in_flight += nc;
}

/* Post up to @max free chains with fresh mbufs; returns chains posted. */
static uint16_t
tmmr_rx_refill(struct tmmr_rxq *q, uint16_t max)
{
	struct tmmr_vq *vq = &q->vq;
	struct rte_mbuf *mb[TMMR_RX_ALLOC_CHUNK];
	uint16_t want = RTE_MIN(max, q->nb_free_heads);
	uint16_t posted = 0;
	uint16_t chunk_chains = TMMR_RX_ALLOC_CHUNK / q->segs;

	while (posted < want) {
		uint16_t nc = RTE_MIN(want - posted, chunk_chains);

		/* a pool short of mbufs still gets what it has, in smaller bites */
		while (unlikely(rte_mempool_get_bulk(q->mp, (void **)mb, nc * q->segs) != 0)) {
			if (nc == 1) {
				vq->stats.nombuf += (uint32_t)(want - posted) * q->segs;
				goto out;
			}
			nc /= 2;
		}
		if (likely(q->in_order))
			tmmr_rx_post(q, mb, nc, true);
		else
			tmmr_rx_post(q, mb, nc, false);
		posted += nc;
	}
out:
	return posted;
}

/*
 * Static ring, chains of one descriptor and one mbuf (MRG_RXBUF, or
 * ANY_LAYOUT with packets that fit one mbuf): the used entries from @cons in
 * groups of TMMR_RX_BATCH, at most @max entries. A group is taken only when
 * every entry in it is plain: the expected id, a length from an Ethernet
 * header to the buffer's end and, with @mrg, a header with num_buffers 1. The
 * first group that is not is left, whole, to the entry-by-entry loop, which
 * has the reasons. The index covering the entries was read (and the barrier
 * passed) once for the burst. Returns the entries taken (tmmr_rx_groups
 * frees their chains); the packets are stored at pkts[*nb_rx] on.
 */
static __rte_always_inline uint16_t
tmmr_rx_static_groups(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t *nb_rx,
		      uint16_t cons, uint16_t max, const bool mrg)
{
	struct tmmr_vq *vq = &q->vq;
	volatile struct tmmr_vring_used_elem *ring = vq->used->ring;
	struct rte_mbuf **sw = q->sw;
	const uint16_t mask = vq->mask;
	const uint16_t cmask = q->cap_mask;
	const uint16_t hdr_len = q->hdr_len;
	const uint32_t lo = hdr_len + (uint32_t)RTE_ETHER_HDR_LEN;
	const uint32_t span = q->buf_cap - lo;
	uint16_t done = 0, n = *nb_rx;

	while ((uint16_t)(max - done) >= TMMR_RX_BATCH) {
		uint16_t pos = cons + done;
		struct rte_mbuf *m[TMMR_RX_BATCH];
		uint32_t len[TMMR_RX_BATCH];
		uint32_t bad = 0;
		unsigned int k;

		TMMR_RX_UNROLL
		for (k = 0; k < TMMR_RX_BATCH; k++) {
			uint16_t p = pos + k;

			bad |= ring[p & mask].id ^ (p & cmask);
			len[k] = ring[p & mask].len;
			bad |= len[k] - lo > span;
			m[k] = sw[p & cmask];
		}
		if (unlikely(bad != 0) || (mrg && unlikely(tmmr_rx_group_mrg_bad(q, m) != 0)))
			break;
		if ((uint16_t)(max - done) >= 2 * TMMR_RX_BATCH)
			tmmr_rx_group_prefetch(q, sw, cmask, pos + TMMR_RX_BATCH);
		TMMR_RX_UNROLL
		for (k = 0; k < TMMR_RX_BATCH; k++) {
			m[k]->data_len = len[k] - hdr_len;
			m[k]->pkt_len = len[k] - hdr_len;
		}
		n = tmmr_rx_group_take(q, sw, cmask, m, pos, pkts, n);
		done += TMMR_RX_BATCH;
	}
	*nb_rx = n;
	return done;
}

/*
 * Groups of used entries on the static ring: SSE where allowed, else scalar.
 * Returns the entries taken, whose chains are free again.
 */
static __rte_always_inline uint16_t
tmmr_rx_groups(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t *nb_rx, uint16_t cons,
	       uint16_t max, const bool mrg)
{
	uint16_t done;

#ifdef TMMR_RX_SSE
	if (likely(q->vec))
		done = tmmr_rx_static_groups_sse(q, pkts, nb_rx, cons, max, mrg);
	else
#endif
		done = tmmr_rx_static_groups(q, pkts, nb_rx, cons, max, mrg);
	q->nb_free_heads += done;
	q->vq.in_flight -= done;
	return done;
}

/*
 * The used entries of one burst. With @in_order (the static ring) an entry's
 * id is only compared with the expected chain and never used: on the first
 * other one the queue leaves the static ring and the caller goes on with
 * !@in_order, whose checks judge the entry.
 */
static __rte_always_inline uint16_t
tmmr_rx_mrg_loop(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, uint16_t avail,
		 const bool in_order)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t cons = vq->used_cons;
	uint16_t end = cons + avail;
	uint16_t nb_rx = 0;

	if (in_order)
		cons += tmmr_rx_groups(q, pkts, &nb_rx, cons, RTE_MIN(avail, nb_pkts), true);
	while (nb_rx < nb_pkts && cons != end) {
		struct tmmr_vring_used_elem e;
		struct tmmr_net_hdr_mrg *hdr;
		struct rte_mbuf *m, *prev;
		uint16_t nbuf, k;
		bool bad_len = false;

		e.id = vq->used->ring[cons & vq->mask].id;
		e.len = vq->used->ring[cons & vq->mask].len;
		if (unlikely(!tmmr_rx_head_ok(q, cons, e.id, in_order, true))) {
			if (in_order) {
				tmmr_rx_leave_order(q);
				break;
			}
			vq->stats.bad_used_id++;
			vq->broken = true;
			break;
		}
		if ((uint16_t)(end - cons) > 2)
			tmmr_rx_prefetch(q, cons + 2);
		m = q->sw[e.id];
		/*
		 * A head whose header cannot be trusted leaves no way to tell
		 * where the next packet starts: dropping it alone would make its
		 * other buffers parse as packets (payload read as num_buffers).
		 * Stop here; the device is reset before anything is posted again.
		 */
		if (unlikely(e.len < q->hdr_len || e.len > q->buf_cap)) {
			if (e.len > q->buf_cap)
				vq->stats.bad_used_len++;
			vq->stats.errors++;
			vq->broken = true;
			break;
		}
		hdr = tmmr_rx_hdr(q, m);
		nbuf = hdr->num_buffers;
		if (unlikely(nbuf != 1)) {
			if (nbuf == 0 || nbuf > vq->in_flight) {
				vq->stats.bad_num_buffers++;
				vq->stats.errors++;
				vq->broken = true;
				break;
			}
			if (nbuf > (uint16_t)(end - cons))
				break;	/* the rest of the packet is not there yet */
			/* in order, the followers are taken without reading their ids */
			for (k = 1; in_order && k < nbuf; k++) {
				uint16_t pos = cons + k;

				if (vq->used->ring[pos & vq->mask].id !=
				    tmmr_rx_static_head(q, pos, true)) {
					tmmr_rx_leave_order(q);
					goto out;
				}
			}
		}
		q->sw[e.id] = NULL;
		tmmr_rx_put_head(q, e.id, in_order);
		cons++;
		m->data_len = e.len - q->hdr_len;
		m->pkt_len = m->data_len;
		prev = m;
		for (k = 1; k < nbuf; k++) {
			struct rte_mbuf *seg;

			if (in_order)
				e.id = tmmr_rx_static_head(q, cons, true);
			else
				e.id = vq->used->ring[cons & vq->mask].id;
			e.len = vq->used->ring[cons & vq->mask].len;
			if (!in_order && unlikely(!tmmr_rx_id_valid(q, e.id))) {
				vq->stats.bad_used_id++;
				vq->broken = true;
				rte_pktmbuf_free(m);
				goto out;
			}
			seg = q->sw[e.id];
			q->sw[e.id] = NULL;
			tmmr_rx_put_head(q, e.id, in_order);
			cons++;
			if (unlikely(e.len > q->buf_cap)) {
				vq->stats.bad_used_len++;
				bad_len = true;
				e.len = 0;
			}
			/* the device wrote from the start of the posted buffer */
			seg->data_off = RTE_PKTMBUF_HEADROOM - q->hdr_len;
			seg->data_len = e.len;
			m->pkt_len += e.len;
			prev->next = seg;
			prev = seg;
		}
		m->nb_segs = nbuf;
		/* a follower too long, or a runt without an Ethernet header */
		if (unlikely(bad_len || m->pkt_len < RTE_ETHER_HDR_LEN)) {
			vq->stats.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (tmmr_rx_finish(q, m, &hdr->hdr))
			pkts[nb_rx++] = m;
	}
out:
	vq->used_cons = cons;
	return nb_rx;
}

static __rte_always_inline uint16_t
tmmr_rx_chain_loop(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts,
		   uint16_t avail, const bool in_order)
{
	struct tmmr_vq *vq = &q->vq;
	uint16_t cons = vq->used_cons;
	uint16_t end = cons + avail;
	uint16_t nb_rx = 0;

	if (in_order && q->segs == 1 && !q->hdr_desc)
		cons += tmmr_rx_groups(q, pkts, &nb_rx, cons, RTE_MIN(avail, nb_pkts), false);
	while (nb_rx < nb_pkts && cons != end) {
		struct rte_mbuf *segs[TMMR_RX_MAX_SEGS];
		struct rte_mbuf *m;
		uint32_t id, len, left;
		uint16_t s, used_segs;

		id = vq->used->ring[cons & vq->mask].id;
		len = vq->used->ring[cons & vq->mask].len;
		if (unlikely(!tmmr_rx_head_ok(q, cons, id, in_order, false))) {
			if (in_order) {
				tmmr_rx_leave_order(q);
				break;
			}
			vq->stats.bad_used_id++;
			vq->broken = true;
			break;
		}
		if ((uint16_t)(end - cons) > 2)
			tmmr_rx_prefetch(q, cons + 2);
		for (s = 0; s < q->segs; s++) {
			segs[s] = q->sw[id + s];
			q->sw[id + s] = NULL;
		}
		tmmr_rx_put_head(q, id, in_order);
		cons++;
		/* beyond the chain, or a runt without an Ethernet header */
		if (unlikely(len < q->hdr_len + (uint32_t)RTE_ETHER_HDR_LEN || len > q->buf_cap)) {
			if (len > q->buf_cap)
				vq->stats.bad_used_len++;
			vq->stats.errors++;
			for (s = 0; s < q->segs; s++)
				rte_pktmbuf_free_seg(segs[s]);
			continue;
		}
		m = segs[0];
		left = len - q->hdr_len;
		m->pkt_len = left;
		m->data_len = RTE_MIN(left, q->seg_room);
		left -= m->data_len;
		used_segs = 1;
		while (left > 0) {
			struct rte_mbuf *seg = segs[used_segs++];

			seg->data_len = RTE_MIN(left, q->seg_room);
			left -= seg->data_len;
			segs[used_segs - 2]->next = seg;
		}
		m->nb_segs = used_segs;
		for (s = used_segs; s < q->segs; s++)
			rte_pktmbuf_free_seg(segs[s]);
		if (tmmr_rx_finish(q, m, tmmr_rx_hdr(q, m)))
			pkts[nb_rx++] = m;
	}
	vq->used_cons = cons;
	return nb_rx;
}

/*
 * One burst of either layout: on the static ring while the device keeps the
 * order, the rest of the burst with the free-head stack once it does not.
 */
#define TMMR_RX_BURST(name, loop) \
static uint16_t \
name(struct tmmr_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, uint16_t avail) \
{ \
	uint16_t cons0 = q->vq.used_cons, nb_rx; \
\
	if (unlikely(!q->in_order)) \
		return loop(q, pkts, nb_pkts, avail, false); \
	nb_rx = loop(q, pkts, nb_pkts, avail, true); \
	if (likely(q->in_order)) \
		return nb_rx; \
	avail -= (uint16_t)(q->vq.used_cons - cons0); \
	return nb_rx + loop(q, pkts + nb_rx, nb_pkts - nb_rx, avail, false); \
}

TMMR_RX_BURST(tmmr_rx_mrg, tmmr_rx_mrg_loop)
TMMR_RX_BURST(tmmr_rx_chain, tmmr_rx_chain_loop)

uint16_t
tmmr_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct tmmr_rxq *q = rxq;
	struct tmmr_vq *vq = &q->vq;
	uint16_t avail, nb_rx;

	if (unlikely(vq->broken))
		return 0;
	avail = tmmr_vq_used_pending(vq);
	if (likely(q->mrg))
		nb_rx = avail ? tmmr_rx_mrg(q, pkts, nb_pkts, avail) : 0;
	else
		nb_rx = avail ? tmmr_rx_chain(q, pkts, nb_pkts, avail) : 0;
	vq->stats.packets += nb_rx;
	if (unlikely(vq->broken))
		return nb_rx;	/* the device is reset before anything is posted again */
	if (q->nb_free_heads >= q->refill_thresh) {
		tmmr_rx_refill(q, q->nb_free_heads);
		tmmr_vq_publish_and_kick(vq);
	}
	return nb_rx;
}

struct tmmr_rxq *
tmmr_rxq_create(uint16_t port_id, uint16_t queue_idx, uint16_t num, int socket,
		struct rte_mempool *mp, const struct tmmr_dp_cfg *cfg, uint64_t *ring_iova)
{
	struct tmmr_rxq *q;
	uint32_t data_room, pkt_len, ndesc;

	if (mp == NULL || cfg == NULL || ring_iova == NULL ||
	    (cfg->hdr_len != sizeof(struct tmmr_net_hdr) &&
	     cfg->hdr_len != sizeof(struct tmmr_net_hdr_mrg)) ||
	    (cfg->mrg_rxbuf && cfg->hdr_len != sizeof(struct tmmr_net_hdr_mrg))) {
		rte_errno = EINVAL;
		return NULL;
	}
	data_room = rte_pktmbuf_data_room_size(mp);
	if (data_room < RTE_PKTMBUF_HEADROOM + 64 || RTE_PKTMBUF_HEADROOM < cfg->hdr_len) {
		PMD_RX_LOG(ERR, "mbuf data room %u too small", data_room);
		rte_errno = EINVAL;
		return NULL;
	}
	q = rte_zmalloc_socket("tmmr_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	q->cfg = *cfg;
	q->mp = mp;
	q->static_ok = true;
#ifdef TMMR_RX_SSE
	q->vec = tmmr_rx_sse_allowed();
#endif
	q->rearm = tmmr_rx_rearm_template(port_id);
	q->hdr_len = cfg->hdr_len;
	q->mrg = cfg->mrg_rxbuf;
	q->offload = cfg->rx_csum || cfg->rx_lro;
	q->vlan_strip = cfg->vlan_strip;
	q->seg_room = data_room - RTE_PKTMBUF_HEADROOM;
	if (q->mrg) {
		q->segs = 1;
		q->hdr_desc = false;
	} else {
		pkt_len = cfg->max_rx_pkt_len ? cfg->max_rx_pkt_len : RTE_ETHER_MAX_LEN;
		q->segs = (pkt_len + q->seg_room - 1) / q->seg_room;
		q->hdr_desc = !cfg->any_layout;
	}
	ndesc = q->segs + (q->hdr_desc ? 1 : 0);
	q->stride = rte_align32pow2(ndesc);
	if (q->segs > TMMR_RX_MAX_SEGS || q->stride > num) {
		PMD_RX_LOG(ERR, "%u-descriptor Rx chains do not fit a ring of %u", ndesc, num);
		rte_free(q);
		rte_errno = EINVAL;
		return NULL;
	}
	q->buf_cap = q->hdr_len + q->segs * q->seg_room;
	q->capacity = num / q->stride;
	q->refill_thresh = RTE_MIN(TMMR_RX_REFILL_BATCH, q->capacity / 2);
	if (q->refill_thresh == 0)
		q->refill_thresh = 1;
	/* where rte_pktmbuf_init puts the buffer; only a prefetch hint */
	q->pf_off = sizeof(struct rte_mbuf) + rte_pktmbuf_priv_size(mp) +
		RTE_PKTMBUF_HEADROOM - q->hdr_len;
	q->sw = rte_zmalloc_socket("tmmr_rx_sw", num * sizeof(q->sw[0]),
				   RTE_CACHE_LINE_SIZE, socket);
	q->free_heads = rte_zmalloc_socket("tmmr_rx_free", q->capacity * sizeof(uint16_t),
					   RTE_CACHE_LINE_SIZE, socket);
	if (q->sw == NULL || q->free_heads == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	if (tmmr_vq_alloc(&q->vq, "rx", port_id, queue_idx, num, socket,
			  cfg->event_idx) != 0)
		goto fail;
	tmmr_rx_preset_descs(q);
	*ring_iova = q->vq.ring_iova;
	return q;
fail:
	rte_free(q->free_heads);
	rte_free(q->sw);
	rte_free(q);
	return NULL;
}

/* May run while the queue's lcore receives: one flag, read once per packet. */
void
tmmr_rxq_set_no_ptype(struct tmmr_rxq *q, bool no_ptype)
{
	__atomic_store_n(&q->no_ptype, no_ptype, __ATOMIC_RELAXED);
}

void
tmmr_rxq_set_nb_desc(struct tmmr_rxq *q, uint16_t nb_desc)
{
	uint16_t ndesc = q->segs + (q->hdr_desc ? 1 : 0);
	uint16_t chains = q->vq.num / q->stride;

	if (nb_desc != 0 && nb_desc / ndesc < chains)
		chains = RTE_MAX(nb_desc / ndesc, 1);
	q->capacity = chains;
	q->refill_thresh = RTE_MIN(TMMR_RX_REFILL_BATCH, q->capacity / 2);
	if (q->refill_thresh == 0)
		q->refill_thresh = 1;
	tmmr_rx_preset_descs(q);
}

void
tmmr_rxq_set_static_ring(struct tmmr_rxq *q, bool on)
{
	q->static_ok = on;
	tmmr_rx_preset_descs(q);
}

bool
tmmr_rxq_static_ring(const struct tmmr_rxq *q)
{
	return q->in_order;
}

bool
tmmr_rxq_set_vector(struct tmmr_rxq *q, bool on)
{
#ifdef TMMR_RX_SSE
	q->vec = on;
#else
	RTE_SET_USED(on);
#endif
	return q->vec;
}

void
tmmr_rxq_set_doorbell(struct tmmr_rxq *q, const struct tmmr_doorbell *n)
{
	q->vq.doorbell = *n;
	q->vq.has_doorbell = true;
}

int
tmmr_rxq_start(struct tmmr_rxq *q)
{
	uint16_t posted = tmmr_rx_refill(q, q->nb_free_heads);

	tmmr_vq_publish_and_kick(&q->vq);
	if (q->vq.in_flight == 0) {
		PMD_RX_LOG(ERR, "no mbufs for Rx queue %u (posted %u)", q->vq.queue_idx, posted);
		return -ENOMEM;
	}
	return 0;
}

void
tmmr_rxq_stop(struct tmmr_rxq *q)
{
	uint16_t i;

	for (i = 0; i < q->vq.num; i++) {
		if (q->sw[i] != NULL) {
			rte_pktmbuf_free_seg(q->sw[i]);
			q->sw[i] = NULL;
		}
	}
	tmmr_vq_reset(&q->vq);
	tmmr_rx_preset_descs(q);
}

unsigned int
tmmr_rxq_abandon(struct tmmr_rxq *q)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < q->vq.num; i++) {
		if (q->sw[i] != NULL) {
			q->sw[i] = NULL;	/* the device may still write it: never reused */
			n++;
		}
	}
	tmmr_vq_reset(&q->vq);
	tmmr_rx_preset_descs(q);
	return n;
}

void
tmmr_rxq_free(struct tmmr_rxq *q)
{
	if (q == NULL)
		return;
	tmmr_rxq_stop(q);
	tmmr_vq_fini(&q->vq);
	rte_free(q->free_heads);
	rte_free(q->sw);
	rte_free(q);
}

bool
tmmr_rxq_intr_enable(struct tmmr_rxq *q)
{
	struct tmmr_vq *vq = &q->vq;

	*vq->used_event = vq->used_cons;
	vq->avail->flags = 0;
	/* the request must be visible before we look at the used index again */
	tmmr_dma_mb();
	/*
	 * An entry the device published after our last poll but before it could
	 * see the request raises no interrupt (with EVENT_IDX its index is already
	 * past used_event): report it, or the caller sleeps on it.
	 */
	return !vq->broken && vq->used->idx != vq->used_cons;
}

void
tmmr_rxq_intr_disable(struct tmmr_rxq *q)
{
	tmmr_vq_suppress_interrupts(&q->vq);
}

uint32_t
tmmr_rxq_count(struct tmmr_rxq *q)
{
	uint16_t n = (uint16_t)(q->vq.used->idx - q->vq.used_cons);

	return RTE_MIN(n, q->vq.in_flight);
}
