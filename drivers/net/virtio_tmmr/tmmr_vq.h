/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_VQ_H
#define TMMR_VQ_H

/*
 * Queue internals shared by tmmr_ring.c, tmmr_rx.c, tmmr_tx.c and the
 * control queue (tmmr_ctrlq.c), which is a struct tmmr_vq too.
 *
 * Trust model: the device may write anything into the used ring (and,
 * being a DMA master, into the rest of the ring). Every value read from
 * device-writable memory is read once into a local and validated before
 * use; descriptor chains and the free list live in driver-private shadow
 * arrays and are never rebuilt from the descriptor table.
 */

#include <stdint.h>
#include <stdbool.h>

#include <rte_atomic.h>
#include <rte_io.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "tmmr_doorbell.h"
#include "tmmr_rxtx.h"
#include "tmmr_virtio_legacy.h"

/* Refill / reclaim in batches of at least this many. */
#define TMMR_RX_REFILL_BATCH	32
#define TMMR_TX_FREE_THRESH	32
/* Entries of one per-slot indirect table: header + up to 31 segments. */
#define TMMR_TX_IND_MAX		32
/* Size of one per-slot header in the Tx header area (holds 12 bytes). */
#define TMMR_TX_HDR_SLOT	16

/* The three parts of a legacy split ring plus what is common to all queues. */
struct tmmr_vq {
	struct tmmr_vring_desc *desc;
	struct tmmr_vring_avail *avail;
	volatile struct tmmr_vring_used *used;
	volatile uint16_t *used_event;	/* avail->ring[num], driver-written */
	volatile uint16_t *avail_event;	/* used->ring[num], device-written */
	uint16_t num;
	uint16_t mask;
	uint16_t avail_shadow;		/* next avail idx to publish */
	uint16_t avail_published;	/* avail idx at the last doorbell decision */
	uint16_t used_cons;		/* next used idx to consume */
	uint16_t in_flight;		/* chains posted and not yet consumed */
	uint16_t queue_idx;
	uint16_t port_id;
	bool event_idx;
	bool broken;
	bool has_doorbell;		/* a doorbell was set */
	struct tmmr_doorbell doorbell;
	const struct rte_memzone *ring_mz;	/* NULL when the memory is the caller's */
	uint64_t ring_iova;
	struct tmmr_q_stats stats;
};

struct tmmr_rxq {
	struct tmmr_vq vq;
	struct rte_mbuf **sw;		/* [num]: mbuf s of the chain at head h in sw[h + s] */
	uint16_t *free_heads;		/* stack of free chain heads (unused while in_order) */
	uint16_t nb_free_heads;		/* free chains */
	uint16_t capacity;		/* chains posted at most (nb_desc, ring) */
	uint16_t stride;		/* descriptors per chain slot (power of 2) */
	uint16_t cap_mask;		/* capacity - 1 when capacity is a power of 2 */
	uint8_t stride_shift;		/* log2(stride) */
	bool in_order;			/* static avail ring: entry i names chain i & cap_mask */
	bool static_ok;			/* the static ring may be used (default) */
	bool vec;			/* SSE groups on the static ring (tmmr_rx_sse.h) */
	uint16_t segs;			/* mbufs per chain */
	uint16_t refill_thresh;		/* free chains that make a refill worth it */
	uint32_t pf_off;		/* mbuf to its Rx header, for prefetching */
	uint64_t rearm;			/* rearm_data of a fresh mbuf: data_off, refcnt,
					 * nb_segs, port */
	uint16_t hdr_len;
	bool hdr_desc;			/* header in its own descriptor */
	bool mrg;
	bool offload;			/* csum / LRO / ptype parsing wanted */
	bool no_ptype;			/* ... but no ptype parsing (rte_eth_dev_set_ptypes) */
	bool vlan_strip;
	uint32_t seg_room;		/* data bytes an mbuf holds after its headroom */
	uint32_t buf_cap;		/* bytes the device may write into one chain */
	struct rte_mempool *mp;
	struct tmmr_dp_cfg cfg;
};

struct tmmr_txq {
	struct tmmr_vq vq;
	struct rte_mbuf **mb;		/* [num], by chain head: the packet in flight (the
					 * static ring: valid only between used_cons and
					 * avail_shadow) */
	uint16_t *ndesc;		/* [num], by chain head: descriptors of the chain */
	uint16_t *next;			/* [num] shadow of desc.next / free list links */
	uint16_t free_head;
	uint16_t nb_free;
	uint16_t max_desc;		/* descriptors in flight at most (nb_desc) */
	bool in_order;			/* static ring: avail entry i names descriptor i */
	bool static_ok;			/* the static ring may be used (default) */
	bool out_of_order;		/* the device completed out of order: no static ring
					 * until the queue is stopped */
	uint16_t dirty_from;		/* avail idx from which the free-list path wrote
					 * avail entries (rewritten when back on the static
					 * ring) */
	uint16_t put_slow;		/* static ring: avail idx of the last packet
					 * posted that a put in place cannot take */
	struct rte_mempool *put_mp;	/* static ring: the pool put to */
	struct rte_mbuf *inject;	/* a control-path packet for the next burst */
	uint16_t hdr_len;
	bool any_layout;
	bool indirect;
	bool csum;			/* CSUM acked: NEEDS_CSUM allowed */
	bool tso4;			/* HOST_TSO4 acked */
	bool tso6;			/* HOST_TSO6 acked */
	bool hdr_ol;			/* a header may carry offloads: written per packet */
	bool fast_free;			/* RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE */
	uint64_t ol_ok;			/* mbuf Tx flags the header may carry */
	uint8_t *hdr_va;		/* [num] x TMMR_TX_HDR_SLOT */
	uint64_t hdr_iova;
	struct tmmr_vring_desc *ind_va;	/* [num] x TMMR_TX_IND_MAX */
	uint64_t ind_iova;
	const struct rte_memzone *hdr_mz;
	struct tmmr_dp_cfg cfg;
};

/*
 * Doorbells of a secondary process (tmmr_ring.c): per port, an array indexed
 * by virtqueue that this process filled when it attached (its own ioeventfds,
 * BAR mapping or proxy). NULL, always in the primary: the queue's own.
 */
extern const struct tmmr_doorbell *tmmr_proc_doorbells[RTE_MAX_ETHPORTS];

static inline const struct tmmr_doorbell *
tmmr_vq_doorbell(const struct tmmr_vq *vq)
{
	const struct tmmr_doorbell *own = NULL;

	if (vq->port_id < RTE_MAX_ETHPORTS)
		own = tmmr_proc_doorbells[vq->port_id];
	return likely(own == NULL) ? &vq->doorbell : &own[vq->queue_idx];
}

/* tmmr_ring.c */
/*
 * Lay a ring of @num entries (a power of 2 up to 32768) out over @mem, at
 * IOVA @iova: 4096-aligned, at least tmmr_vring_size(@num) bytes, zeroed
 * here. No doorbell yet. 0 or -EINVAL.
 */
int tmmr_vq_attach(struct tmmr_vq *vq, uint16_t queue_idx, uint16_t num, void *mem,
		   uint64_t iova, bool event_idx);
/* Reserve ring memory in DPDK memory on @socket and attach it; 0 or negative errno. */
int tmmr_vq_alloc(struct tmmr_vq *vq, const char *kind, uint16_t port_id,
		  uint16_t queue_idx, uint16_t num, int socket, bool event_idx);
void tmmr_vq_reset(struct tmmr_vq *vq);
/* Free what tmmr_vq_alloc reserved (nothing for attached memory). */
void tmmr_vq_fini(struct tmmr_vq *vq);
const struct rte_memzone *tmmr_dp_memzone(const char *kind, uint16_t port_id,
					  uint16_t queue_idx, size_t len, int socket);
void tmmr_vq_suppress_interrupts(struct tmmr_vq *vq);

/* Per-packet counters: size bins and multicast/broadcast. */
void tmmr_stats_slow(struct tmmr_q_stats *s, const struct rte_mbuf *m);

/* Multicast and broadcast, by the destination MAC at @dst. */
static inline void
tmmr_stats_cast(struct tmmr_q_stats *s, const uint8_t *dst)
{
	if (unlikely(dst[0] & 1)) {
		if (dst[0] == 0xff && dst[1] == 0xff && dst[2] == 0xff &&
		    dst[3] == 0xff && dst[4] == 0xff && dst[5] == 0xff)
			s->broadcast++;
		else
			s->multicast++;
	}
}

static inline void
tmmr_stats_update(struct tmmr_q_stats *s, const struct rte_mbuf *m)
{
	uint32_t len = m->pkt_len;
	const uint8_t *dst = rte_pktmbuf_mtod(m, const uint8_t *);

	s->bytes += len;
	if (likely(len == 64))
		s->size_bins[0]++;
	else
		tmmr_stats_slow(s, m);
	tmmr_stats_cast(s, dst);
}

/*
 * Full barrier between our stores to the ring and our next load of
 * device-written ring memory. The device is DMA-coherent and the ring is
 * write-back memory: on x86 a locked instruction (rte_smp_mb) orders that as
 * mfence does, at a fraction of the cost (Linux's virt_mb() for legacy virtio
 * PCI does the same); elsewhere use the I/O barrier.
 */
static inline void
tmmr_dma_mb(void)
{
#ifdef RTE_ARCH_X86
	rte_smp_mb();
#else
	rte_io_mb();
#endif
}

/* Expose the ring entries up to the shadow avail index to the device. */
static inline void
tmmr_vq_publish(struct tmmr_vq *vq)
{
	uint16_t new_idx = vq->avail_shadow;

	/* descriptors and ring entries before the index that exposes them */
	rte_io_wmb();
	vq->avail->idx = new_idx;
	vq->avail_published = new_idx;
}

/*
 * Publish the shadow avail index and decide whether the device wants a
 * doorbell. Rings it at most once.
 */
static inline void
tmmr_vq_publish_and_kick(struct tmmr_vq *vq)
{
	uint16_t new_idx = vq->avail_shadow;
	uint16_t old_idx = vq->avail_published;
	bool kick;

	if (new_idx == old_idx)
		return;
	tmmr_vq_publish(vq);
	/* the index must be visible before we read the device's suppression */
	tmmr_dma_mb();
	if (vq->event_idx) {
		uint16_t ev = *vq->avail_event;

		kick = (uint16_t)(new_idx - ev - 1) < (uint16_t)(new_idx - old_idx);
	} else {
		kick = !(vq->used->flags & TMMR_VRING_USED_F_NO_NOTIFY);
	}
	if (kick && vq->has_doorbell) {
		tmmr_doorbell_ring(tmmr_vq_doorbell(vq));
		vq->stats.doorbells++;
	}
}

/*
 * How many used entries the device has published, validated: more than we
 * have in flight means a hostile index jump (queue marked broken, 0 returned).
 */
static inline uint16_t
tmmr_vq_used_pending(struct tmmr_vq *vq)
{
	uint16_t used_idx = vq->used->idx;
	uint16_t n = (uint16_t)(used_idx - vq->used_cons);

	if (unlikely(n > vq->in_flight)) {
		vq->stats.bad_used_idx++;
		vq->broken = true;
		return 0;
	}
	/* entries are read only after the index that covers them */
	rte_io_rmb();
	return n;
}

#endif /* TMMR_VQ_H */
