/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Tx: a packet is one descriptor chain taken from a driver-private free
 * list (shadow next[] links; the descriptor table is written, never read).
 * Where the header goes:
 *  - headroom: ANY_LAYOUT and the mbuf is ours to write in front of (direct,
 *    refcnt 1, room, 2-byte aligned): nb_segs descriptors;
 *  - indirect: one descriptor pointing at the head's indirect table
 *    (header slot + segments) in the per-queue header area;
 *  - chained: the head's header slot, then the segments.
 * With no Tx offload acked every header is zero: the header area is zeroed
 * once at queue setup and never written by a burst (only a header pushed into
 * an mbuf's headroom, which is not ours between bursts, is zeroed per packet,
 * and only when it is not zero already: tmmr_tx_zero_hdr).
 * An indirect table's first entry (the head's header slot) never changes and
 * is also written once at setup.
 * Completed chains are reclaimed from the used ring when free descriptors
 * run low and in tx_done_cleanup.
 * This free-list path is the reference; the static ring (tmmr_tx_static.c)
 * sends the one-descriptor packets cheaper while the device completes in
 * order, and leaves the rest to this one. Under RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE the
 * application promises one pool and refcnt 1: completed mbufs then go back
 * with rte_mempool_put_bulk. Each is still checked (single segment, direct,
 * refcnt 1, the batch's pool) and one that is not, such as the control
 * path's injected packet, is freed the ordinary way.
 */

#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "tmmr_logs.h"
#include "tmmr_tx_common.h"
#include "tmmr_tx_static.h"

#define TMMR_TX_FREE_BATCH	64

/* Offloads a legacy virtio-net header cannot express. */
#define TMMR_TX_OL_UNSUPPORTED (RTE_MBUF_F_TX_OUTER_IP_CKSUM | RTE_MBUF_F_TX_OUTER_UDP_CKSUM | \
	RTE_MBUF_F_TX_TUNNEL_MASK | RTE_MBUF_F_TX_UDP_SEG | RTE_MBUF_F_TX_QINQ | \
	RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_OUTER_IPV6 | RTE_MBUF_F_TX_SEC_OFFLOAD)

/* An empty queue (ring just reset): free list whole, static ring laid out. */
static void
tmmr_tx_init_free_list(struct tmmr_txq *q)
{
	uint16_t i;

	for (i = 0; i < q->vq.num; i++) {
		q->next[i] = (uint16_t)((i + 1) & q->vq.mask);
		q->mb[i] = NULL;
	}
	q->free_head = 0;
	/* the list holds the whole ring; only max_desc of it is ever in flight */
	q->nb_free = q->max_desc;
	q->dirty_from = q->vq.avail_shadow;
	tmmr_tx_static_init(q);
}

void
tmmr_txq_set_nb_desc(struct tmmr_txq *q, uint16_t nb_desc)
{
	q->max_desc = nb_desc != 0 && nb_desc < q->vq.num ? nb_desc : q->vq.num;
	tmmr_tx_init_free_list(q);
}

void
tmmr_txq_set_static_ring(struct tmmr_txq *q, bool on)
{
	q->static_ok = on;
	tmmr_tx_init_free_list(q);
}

bool
tmmr_txq_static_ring(const struct tmmr_txq *q)
{
	return q->in_order;
}

void
tmmr_txq_set_fast_free(struct tmmr_txq *q, bool on)
{
	q->fast_free = on;
}

/* Fast free of @n completed mbufs: one put per pool run, the odd ones one by one. */
static void
tmmr_tx_fast_free(struct rte_mbuf **done, uint32_t n)
{
	struct rte_mempool *mp = done[0]->pool;
	uint32_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = done[i];

		if (likely(m->pool == mp && m->nb_segs == 1 && RTE_MBUF_DIRECT(m) &&
			   rte_mbuf_refcnt_read(m) == 1)) {
			done[k++] = m;
			continue;
		}
		rte_pktmbuf_free(m);
	}
	if (k)
		rte_mempool_put_bulk(mp, (void **)done, k);
}

static inline void
tmmr_tx_free_done(const struct tmmr_txq *q, struct rte_mbuf **done, uint32_t n)
{
	if (q->fast_free)
		tmmr_tx_fast_free(done, n);
	else
		rte_pktmbuf_free_bulk(done, n);
}

/* Take completed chains back; returns the number of packets freed. */
uint32_t
tmmr_tx_reclaim_list(struct tmmr_txq *q, uint32_t max)
{
	struct tmmr_vq *vq = &q->vq;
	struct rte_mbuf *done[TMMR_TX_FREE_BATCH];
	uint16_t avail = tmmr_vq_used_pending(vq);
	uint16_t cons = vq->used_cons;
	uint32_t n = RTE_MIN((uint32_t)avail, max);
	uint32_t i, nb_done = 0, freed = 0;

	for (i = 0; i < n; i++) {
		uint32_t id = vq->used->ring[cons & vq->mask].id;
		uint16_t tail, k;

		if (unlikely(id >= vq->num || q->mb[id] == NULL)) {
			vq->stats.bad_used_id++;
			vq->broken = true;
			break;
		}
		tail = id;
		for (k = 1; k < q->ndesc[id]; k++)
			tail = q->next[tail];
		q->next[tail] = q->free_head;
		q->free_head = id;
		q->nb_free += q->ndesc[id];
		done[nb_done++] = q->mb[id];
		q->mb[id] = NULL;
		vq->in_flight--;
		cons++;
		if (nb_done == TMMR_TX_FREE_BATCH) {
			tmmr_tx_free_done(q, done, nb_done);
			freed += nb_done;
			nb_done = 0;
		}
	}
	vq->used_cons = cons;
	if (nb_done) {
		tmmr_tx_free_done(q, done, nb_done);
		freed += nb_done;
	}
	return freed;
}

int
tmmr_txq_inject(struct tmmr_txq *q, struct rte_mbuf *m)
{
	struct rte_mbuf *none = NULL;

	if (!__atomic_compare_exchange_n(&q->inject, &none, m, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	return 0;
}

/* Send the injected packet on the owning lcore; kept for later if no room. */
static void
tmmr_tx_send_injected(struct tmmr_txq *q)
{
	struct rte_mbuf *m = __atomic_exchange_n(&q->inject, NULL, __ATOMIC_ACQUIRE);

	if (m != NULL && tmmr_xmit_pkts(q, &m, 1) == 0)
		__atomic_store_n(&q->inject, m, __ATOMIC_RELAXED);
}

/* The free-list path: any chain shape; the caller publishes. */
static uint16_t
tmmr_tx_list_burst(struct tmmr_txq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct tmmr_vq *vq = &q->vq;
	struct tmmr_vring_desc *desc = vq->desc;
	uint16_t nb_tx, nb_dropped = 0;

	if (q->nb_free < TMMR_TX_FREE_THRESH)
		tmmr_tx_reclaim_list(q, UINT32_MAX);

	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		struct rte_mbuf *m = pkts[nb_tx];
		uint16_t head = q->free_head;
		uint16_t need, last;

		if (m->nb_segs == 1 && likely(tmmr_tx_can_push(q, m))) {
			/* the common case: one descriptor, header in the headroom */
			if (unlikely(q->nb_free == 0)) {
				tmmr_tx_reclaim_list(q, UINT32_MAX);
				if (q->nb_free == 0 || vq->broken)
					break;
				head = q->free_head;
			}
			tmmr_tx_push_hdr(q, m);
			desc[head].addr = rte_mbuf_data_iova(m) - q->hdr_len;
			desc[head].len = m->data_len + q->hdr_len;
			desc[head].flags = 0;
			q->free_head = q->next[head];
			q->nb_free--;
			q->mb[head] = m;
			q->ndesc[head] = 1;
			goto posted;
		}

		if (tmmr_tx_can_push(q, m))
			need = m->nb_segs;
		else if (q->indirect && m->nb_segs < TMMR_TX_IND_MAX)
			need = 1;
		else
			need = m->nb_segs + 1;
		if (unlikely(need > q->max_desc)) {
			/* can never fit: drop it rather than stall the queue */
			vq->stats.errors++;
			nb_dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(need > q->nb_free)) {
			tmmr_tx_reclaim_list(q, UINT32_MAX);
			if (need > q->nb_free || vq->broken)
				break;
			head = q->free_head;
		}

		if (tmmr_tx_can_push(q, m)) {
			tmmr_tx_push_hdr(q, m);
			last = tmmr_tx_fill_segs(q, desc, head, m, true);
			desc[head].addr -= q->hdr_len;
			desc[head].len += q->hdr_len;
		} else if (need == 1) {
			tmmr_tx_post_indirect(q, head, m);
			last = head;
		} else {
			tmmr_tx_slot_hdr(q, head, m);
			desc[head].addr = q->hdr_iova + (uint64_t)head * TMMR_TX_HDR_SLOT;
			desc[head].len = q->hdr_len;
			desc[head].flags = TMMR_VRING_DESC_F_NEXT;
			desc[head].next = q->next[head];
			last = tmmr_tx_fill_segs(q, desc, q->next[head], m, true);
		}
		q->free_head = q->next[last];
		q->nb_free -= need;
		q->mb[head] = m;
		q->ndesc[head] = need;
posted:
		vq->avail->ring[vq->avail_shadow++ & vq->mask] = head;
		vq->in_flight++;
		tmmr_stats_update(&vq->stats, m);
	}
	vq->stats.packets += nb_tx - nb_dropped;
	/*
	 * The avail entries written since the static ring was left, for going
	 * back to it: at most the whole ring, however long the free list runs.
	 */
	if ((uint16_t)(vq->avail_shadow - q->dirty_from) > vq->num)
		q->dirty_from = vq->avail_shadow - vq->num;
	return nb_tx;
}

uint16_t
tmmr_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct tmmr_txq *q = txq;
	uint16_t nb_tx;

	if (unlikely(q->vq.broken))
		return 0;
	if (unlikely(q->inject != NULL))
		tmmr_tx_send_injected(q);
	if (likely(q->in_order) || (q->vq.in_flight == 0 && tmmr_tx_enter_static(q))) {
		nb_tx = tmmr_tx_static_burst(q, pkts, nb_pkts);
		/* a packet that needs a chain: the free list goes on from it */
		if (unlikely(!q->in_order) && !q->vq.broken)
			nb_tx += tmmr_tx_list_burst(q, pkts + nb_tx, nb_pkts - nb_tx);
	} else {
		nb_tx = tmmr_tx_list_burst(q, pkts, nb_pkts);
	}
	tmmr_vq_publish_and_kick(&q->vq);
	return nb_tx;
}

/* TSO: the device wants the pseudo-header sum including the L4 length. */
static void
tmmr_tx_tso_fix_cksum(struct rte_mbuf *m)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(l3 + m->l3_len);
	uint32_t l4_len = m->pkt_len - m->l2_len - m->l3_len;
	uint32_t sum;

	if ((l3[0] >> 4) == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	sum = th->cksum;
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	th->cksum = (uint16_t)sum;
}

uint16_t
tmmr_xmit_prep(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct tmmr_txq *q = txq;
	uint16_t i;

	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t ol = m->ol_flags;
		int ret;

		if (unlikely((ol & TMMR_TX_OL_UNSUPPORTED) ||
			     (ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_SCTP_CKSUM)) {
			rte_errno = ENOTSUP;
			return i;
		}
		if (unlikely(m->nb_segs + 1 > q->max_desc || m->pkt_len == 0)) {
			rte_errno = EINVAL;
			return i;
		}
		if (ol & RTE_MBUF_F_TX_TCP_SEG) {
			if (m->tso_segsz == 0 ||
			    !(ol & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ||
			    m->l4_len < sizeof(struct rte_tcp_hdr)) {
				rte_errno = EINVAL;
				return i;
			}
		}
		/* what the device did not accept cannot be asked of it */
		if (unlikely(((ol & RTE_MBUF_F_TX_L4_MASK) && !q->csum) ||
			     ((ol & RTE_MBUF_F_TX_TCP_SEG) &&
			      !((ol & RTE_MBUF_F_TX_IPV6) ? q->tso6 : q->tso4)))) {
			rte_errno = ENOTSUP;
			return i;
		}
		if (ol & RTE_MBUF_F_TX_VLAN) {
			ret = rte_vlan_insert(&pkts[i]);
			if (ret != 0) {
				rte_errno = -ret;
				return i;
			}
			m = pkts[i];
			m->ol_flags &= ~RTE_MBUF_F_TX_VLAN;
			ol = m->ol_flags;
		}
		ret = rte_validate_tx_offload(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
		ret = rte_net_intel_cksum_prepare(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
		if (ol & RTE_MBUF_F_TX_TCP_SEG)
			tmmr_tx_tso_fix_cksum(m);
		else if ((ol & RTE_MBUF_F_TX_IP_CKSUM) && (ol & RTE_MBUF_F_TX_IPV4)) {
			/* no IP checksum in a legacy header: do it here */
			struct rte_ipv4_hdr *ip =
				rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);

			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
	}
	return i;
}

struct tmmr_txq *
tmmr_txq_create(uint16_t port_id, uint16_t queue_idx, uint16_t num, int socket,
		const struct tmmr_dp_cfg *cfg, uint64_t *ring_iova)
{
	struct tmmr_txq *q;
	size_t hdr_area, len;

	if (cfg == NULL || ring_iova == NULL ||
	    (cfg->hdr_len != sizeof(struct tmmr_net_hdr) &&
	     cfg->hdr_len != sizeof(struct tmmr_net_hdr_mrg))) {
		rte_errno = EINVAL;
		return NULL;
	}
	q = rte_zmalloc_socket("tmmr_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, socket);
	if (q == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	q->cfg = *cfg;
	q->hdr_len = cfg->hdr_len;
	q->any_layout = cfg->any_layout;
	q->indirect = cfg->indirect;
	q->csum = (cfg->features & (1u << TMMR_NET_F_CSUM)) != 0;
	q->tso4 = q->csum && (cfg->features & (1u << TMMR_NET_F_HOST_TSO4)) != 0;
	q->tso6 = q->csum && (cfg->features & (1u << TMMR_NET_F_HOST_TSO6)) != 0;
	q->ol_ok = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6;
	if (q->csum)
		q->ol_ok |= RTE_MBUF_F_TX_L4_MASK;
	if (q->tso4 || q->tso6)
		q->ol_ok |= RTE_MBUF_F_TX_TCP_SEG;
	/* TSO needs CSUM: without it every header is zero */
	q->hdr_ol = q->csum;
	if (tmmr_vq_alloc(&q->vq, "tx", port_id, queue_idx, num, socket, cfg->event_idx) != 0)
		goto fail;
	hdr_area = (size_t)num * TMMR_TX_HDR_SLOT;
	len = hdr_area;
	if (q->indirect)
		len += (size_t)num * TMMR_TX_IND_MAX * sizeof(struct tmmr_vring_desc);
	q->hdr_mz = tmmr_dp_memzone("txh", port_id, queue_idx, len, socket);
	q->mb = rte_zmalloc_socket("tmmr_tx_mb", num * sizeof(q->mb[0]),
				   RTE_CACHE_LINE_SIZE, socket);
	q->ndesc = rte_zmalloc_socket("tmmr_tx_ndesc", num * sizeof(q->ndesc[0]),
				      RTE_CACHE_LINE_SIZE, socket);
	q->next = rte_zmalloc_socket("tmmr_tx_next", num * sizeof(q->next[0]),
				     RTE_CACHE_LINE_SIZE, socket);
	if (q->hdr_mz == NULL || q->mb == NULL || q->ndesc == NULL || q->next == NULL) {
		rte_errno = ENOMEM;
		goto fail;
	}
	q->hdr_va = q->hdr_mz->addr;
	q->hdr_iova = q->hdr_mz->iova;
	/* the memzone comes zeroed: every header slot is a valid empty header */
	if (q->indirect) {
		uint16_t i;

		q->ind_va = (struct tmmr_vring_desc *)(q->hdr_va + hdr_area);
		q->ind_iova = q->hdr_iova + hdr_area;
		for (i = 0; i < num; i++) {
			struct tmmr_vring_desc *tbl = q->ind_va + (size_t)i * TMMR_TX_IND_MAX;

			tbl[0].addr = q->hdr_iova + (uint64_t)i * TMMR_TX_HDR_SLOT;
			tbl[0].len = q->hdr_len;
			tbl[0].flags = TMMR_VRING_DESC_F_NEXT;
			tbl[0].next = 1;
		}
	}
	q->max_desc = num;
	q->static_ok = true;
	tmmr_tx_init_free_list(q);
	*ring_iova = q->vq.ring_iova;
	return q;
fail:
	rte_free(q->next);
	rte_free(q->ndesc);
	rte_free(q->mb);
	rte_memzone_free(q->hdr_mz);
	if (q->vq.ring_mz != NULL)
		tmmr_vq_fini(&q->vq);
	rte_free(q);
	return NULL;
}

void
tmmr_txq_set_doorbell(struct tmmr_txq *q, const struct tmmr_doorbell *n)
{
	q->vq.doorbell = *n;
	q->vq.has_doorbell = true;
}

void
tmmr_txq_stop(struct tmmr_txq *q)
{
	struct rte_mbuf *m = __atomic_exchange_n(&q->inject, NULL, __ATOMIC_ACQUIRE);
	uint16_t i;

	rte_pktmbuf_free(m);
	if (q->in_order) {
		tmmr_tx_static_stop(q);
	} else {
		for (i = 0; i < q->vq.num; i++) {
			rte_pktmbuf_free(q->mb[i]);
			q->mb[i] = NULL;
		}
	}
	tmmr_vq_reset(&q->vq);
	tmmr_tx_init_free_list(q);
}

void
tmmr_txq_free(struct tmmr_txq *q)
{
	if (q == NULL)
		return;
	tmmr_txq_stop(q);
	tmmr_vq_fini(&q->vq);
	rte_memzone_free(q->hdr_mz);
	rte_free(q->next);
	rte_free(q->ndesc);
	rte_free(q->mb);
	rte_free(q);
}

int
tmmr_txq_done_cleanup(struct tmmr_txq *q, uint32_t free_cnt)
{
	if (q->vq.broken)
		return 0;
	if (unlikely(q->inject != NULL))
		tmmr_tx_send_injected(q);
	if (q->in_order)
		return (int)tmmr_tx_reclaim_static(q, free_cnt ? free_cnt : UINT32_MAX);
	return (int)tmmr_tx_reclaim_list(q, free_cnt ? free_cnt : UINT32_MAX);
}
