/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the PMD's Rx and Tx completion paths against a hostile device
 * that owns the used ring. Same idea as tests/ring/ring_harness.c, without
 * cmocka: the input is a queue configuration, then a script of device and
 * driver steps:
 *
 *   byte 0: bit 0 Tx (else Rx), 1 MRG_RXBUF, 2 ANY_LAYOUT, 3 INDIRECT,
 *           4 EVENT_IDX, 5 Rx checksum/LRO offloads, 6 VLAN strip, 7 jumbo
 *   byte 1: ring size 2^(3 + b % 6) (8..256)
 *   then steps, each an opcode byte and its operands:
 *     used entry (raw id and len), a device-like completion of the next avail
 *     chain (header and frame written into the posted buffer when it is one
 *     of the pool's mbufs), a used index jump, a descriptor scribble, used
 *     flags / avail_event scribble, Rx burst or Tx burst of fuzzed mbufs,
 *     interrupt enable/disable, queue count, Tx done cleanup, queue stop and
 *     start with a device reset.
 * Every mbuf handed to the application is read end to end (ASan sees bad
 * lengths) and freed. After stop and free, the pool's in-use count must be
 * back to its baseline: a hostile device costs no mbuf.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "fuzz_common.h"
#include "fuzz_mbuf.h"
#include "tmmr_rxtx.h"
#include "tmmr_virtio_legacy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL_SIZE	2048
#define MAX_STEPS	256
#define BURST		32

static struct rte_mempool *pool;
static bool verbose;

/* every mbuf's data buffer, by IOVA: the only memory the fake device writes */
struct bufmap {
	uint64_t iova;
	uint8_t *va;
	uint32_t len;
};
static struct bufmap bufs[POOL_SIZE];
static unsigned int nb_bufs;

static void
collect_buf(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)opaque;
	(void)idx;
	if (nb_bufs < POOL_SIZE)
		bufs[nb_bufs++] = (struct bufmap){
			.iova = m->buf_iova, .va = m->buf_addr, .len = m->buf_len,
		};
}

/* The VA of [iova, iova + len) if it lies inside one mbuf buffer, else NULL. */
static uint8_t *
dev_va(uint64_t iova, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < nb_bufs; i++)
		if (iova >= bufs[i].iova && iova - bufs[i].iova <= bufs[i].len &&
		    len <= bufs[i].len - (iova - bufs[i].iova))
			return bufs[i].va + (iova - bufs[i].iova);
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = fz_verbose();
	fz_eal_init("fuzz_ring", verbose);
	pool = rte_pktmbuf_pool_create("fuzz_ring", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "no mbuf pool: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	rte_mempool_obj_iter(pool, collect_buf, NULL);
	return 0;
}

struct dev {
	uint16_t num;
	struct tmmr_vring_desc *desc;
	struct tmmr_vring_avail *avail;
	struct tmmr_vring_used *used;
	uint16_t *avail_event;
	uint16_t last_avail;
	uint16_t used_prod;
	int efd;
};

static void
dev_attach(struct dev *d, uint64_t ring_iova, uint16_t num)
{
	uint8_t *ring = rte_mem_iova2virt(ring_iova);

	if (ring == NULL)
		abort();
	memset(d, 0, sizeof(*d));
	d->num = num;
	d->desc = (struct tmmr_vring_desc *)ring;
	d->avail = (struct tmmr_vring_avail *)(ring + tmmr_vring_avail_off(num));
	d->used = (struct tmmr_vring_used *)(ring + tmmr_vring_used_off(num));
	d->avail_event = (uint16_t *)&d->used->ring[num];
	d->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->efd < 0)
		abort();
}

/* what a device reset does to the device's side of the ring */
static void
dev_reset(struct dev *d)
{
	d->last_avail = 0;
	d->used_prod = 0;
}

static void
push_used(struct dev *d, uint32_t id, uint32_t len, bool publish)
{
	d->used->ring[d->used_prod % d->num].id = id;
	d->used->ring[d->used_prod % d->num].len = len;
	d->used_prod++;
	if (publish) {
		rte_smp_wmb();
		d->used->idx = d->used_prod;
	}
}

/* A device that takes the next avail chain and writes @len bytes into it. */
static void
complete_next(struct dev *d, struct fz_in *in, bool rx)
{
	uint8_t bytes[64];
	uint16_t head, i, steps;
	uint32_t len, off = 0, n, k;
	uint8_t mode = fz_u8(in);

	if ((uint16_t)(d->avail->idx - d->last_avail) == 0)
		return;
	rte_smp_rmb();
	head = d->avail->ring[d->last_avail++ % d->num];
	len = fz_u16(in) % 9000;
	n = mode & 0x3f;
	if (n > sizeof(bytes))
		n = sizeof(bytes);
	for (k = 0; k < n; k++)
		bytes[k] = fz_u8(in);
	if (rx && head < d->num) {
		/* header and frame: the input's bytes, then a pattern */
		for (i = head, steps = 0; steps < d->num && off < len; steps++) {
			struct tmmr_vring_desc *de = &d->desc[i];
			uint32_t room = de->len < len - off ? de->len : len - off;
			uint8_t *va = dev_va(de->addr, room);

			if (va != NULL && (de->flags & TMMR_VRING_DESC_F_WRITE)) {
				for (k = 0; k < room; k++)
					va[k] = off + k < n ? bytes[off + k] : (uint8_t)(off + k);
			}
			off += room;
			if (!(de->flags & TMMR_VRING_DESC_F_NEXT) || de->next >= d->num)
				break;
			i = de->next;
		}
	}
	push_used(d, mode & 0x40 ? fz_u16(in) : head, mode & 0x80 ? fz_u32(in) : (rx ? len : 0),
		  true);
}

static void
scribble(struct dev *d, struct fz_in *in)
{
	uint8_t what = fz_u8(in);
	struct tmmr_vring_desc *de = &d->desc[fz_u16(in) % d->num];

	switch (what & 7) {
	case 0:
		de->addr = (uint64_t)fz_u32(in) << 32 | fz_u32(in);
		break;
	case 1:
		de->len = fz_u32(in);
		break;
	case 2:
		de->flags = fz_u16(in);
		break;
	case 3:
		de->next = fz_u16(in);
		break;
	case 4:
		d->used->flags = fz_u16(in);
		break;
	case 5:
		*d->avail_event = fz_u16(in);
		break;
	case 6:
		/* an entry written but not published, or published later */
		push_used(d, fz_u16(in), fz_u32(in), false);
		break;
	default:
		d->used->ring[fz_u16(in) % d->num].id = fz_u32(in);
		break;
	}
}

static struct rte_mbuf *shared[MAX_STEPS * 8];
static unsigned int nb_shared;

static struct rte_mbuf *
make_pkt(struct fz_in *in)
{
	uint8_t shape = fz_u8(in);
	unsigned int nseg = 1 + (shape & 3), i;
	struct rte_mbuf *head = NULL, *m;
	uint16_t len;

	for (i = 0; i < nseg; i++) {
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			break;
		len = fz_u16(in) % (i == 0 ? 1600 : 600);
		if (i == 0 && len < 14)
			len = 14 + len;
		if (rte_pktmbuf_append(m, len) == NULL) {
			rte_pktmbuf_free(m);
			break;
		}
		memset(rte_pktmbuf_mtod(m, void *), shape, len);
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
	}
	if (head == NULL)
		return NULL;
	if (shape & 4) {
		/* any request an application may make; not the bits that say what
		 * kind of buffer the mbuf is
		 */
		head->ol_flags = ((uint64_t)fz_u32(in) << 32 | fz_u32(in)) &
				 ~(RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
		head->l2_len = fz_u8(in);
		head->l3_len = fz_u8(in);
		head->l4_len = fz_u8(in);
		head->tso_segsz = fz_u16(in);
		head->vlan_tci = fz_u16(in);
	}
	if ((shape & 8) && nb_shared < RTE_DIM(shared)) {
		/* shared: the driver may not write a header in front of it */
		rte_pktmbuf_refcnt_update(head, 1);	/* every segment */
		shared[nb_shared++] = head;
	}
	return head;
}

static void
print_stats(const char *dir, const struct tmmr_q_stats *st, bool broken)
{
	if (verbose)
		fprintf(stderr, "%s: packets %" PRIu64 " errors %" PRIu64 " bad_used_id %" PRIu64
			" bad_used_len %" PRIu64 " bad_num_buffers %" PRIu64 " bad_used_idx %"
			PRIu64 "%s\n", dir, st->packets, st->errors, st->bad_used_id,
			st->bad_used_len, st->bad_num_buffers, st->bad_used_idx,
			broken ? " (broken)" : "");
}

static void
run_rx(struct tmmr_rxq *q, struct dev *d, struct fz_in *in)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int step;
	uint16_t i, n;

	for (step = 0; step < MAX_STEPS && in->left > 0; step++) {
		switch (fz_u8(in) % 8) {
		case 0:
		case 1:
			complete_next(d, in, true);
			break;
		case 2:
			push_used(d, fz_u16(in), fz_u32(in), true);
			break;
		case 3:
			d->used_prod += fz_u16(in);
			d->used->idx = d->used_prod;
			break;
		case 4:
			scribble(d, in);
			break;
		case 5:
		case 6:
			n = tmmr_recv_pkts(q, pkts, 1 + fz_u8(in) % BURST);
			for (i = 0; i < n; i++)
				fz_consume_mbuf(pkts[i]);
			break;
		default:
			switch (fz_u8(in) % 4) {
			case 0:
				tmmr_rxq_intr_enable(q);
				break;
			case 1:
				tmmr_rxq_intr_disable(q);
				break;
			case 2:
				(void)tmmr_rxq_count(q);
				break;
			default:
				/* port stop and start, or reset recovery: the device
				 * was reset too
				 */
				tmmr_rxq_stop(q);
				dev_reset(d);
				(void)tmmr_rxq_start(q);
				break;
			}
			break;
		}
	}
	n = tmmr_recv_pkts(q, pkts, BURST);
	for (i = 0; i < n; i++)
		fz_consume_mbuf(pkts[i]);
}

static void
run_tx(struct tmmr_txq *q, struct dev *d, struct fz_in *in)
{
	struct rte_mbuf *pkts[8];
	unsigned int step;
	uint16_t i, n, sent;

	for (step = 0; step < MAX_STEPS && in->left > 0; step++) {
		uint8_t op = fz_u8(in) % 8;

		if (verbose)
			fprintf(stderr, "tx step %u: op %u, in use %u\n", step, op,
				rte_mempool_in_use_count(pool));
		switch (op) {
		case 0:
		case 1:
			n = 1 + fz_u8(in) % 8;
			for (i = 0; i < n; i++) {
				pkts[i] = make_pkt(in);
				if (pkts[i] == NULL)
					break;
			}
			n = i;
			if (verbose)
				fprintf(stderr, "  made %u, in use %u\n", n,
					rte_mempool_in_use_count(pool));
			sent = tmmr_xmit_prep(q, pkts, n);
			if (verbose)
				fprintf(stderr, "  prep %u, in use %u\n", sent,
					rte_mempool_in_use_count(pool));
			if (sent < n) {
				/* the one refused and those after it go back */
				for (i = sent; i < n; i++)
					rte_pktmbuf_free(pkts[i]);
				n = sent;
			}
			sent = tmmr_xmit_pkts(q, pkts, n);
			if (verbose)
				fprintf(stderr, "  xmit %u of %u, in use %u\n", sent, n,
					rte_mempool_in_use_count(pool));
			for (i = sent; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			break;
		case 2:
		case 3:
			complete_next(d, in, false);
			break;
		case 4:
			push_used(d, fz_u16(in), fz_u32(in), true);
			break;
		case 5:
			d->used_prod += fz_u16(in);
			d->used->idx = d->used_prod;
			break;
		case 6:
			scribble(d, in);
			break;
		default:
			n = fz_u8(in);
			if (n & 0x80) {
				/* stop and start, with a device reset */
				tmmr_txq_stop(q);
				dev_reset(d);
			} else {
				(void)tmmr_txq_done_cleanup(q, n);
			}
			break;
		}
	}
}

/* the harness's own reference to the shared packets it sent */
static void
release_shared(void)
{
	while (nb_shared > 0)
		rte_pktmbuf_free(shared[--nb_shared]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .left = size };
	struct tmmr_dp_cfg cfg;
	struct tmmr_doorbell nf;
	struct dev d;
	uint64_t iova = 0;
	unsigned int baseline = rte_mempool_in_use_count(pool);
	uint8_t c = fz_u8(&in);
	uint16_t num = (uint16_t)(1u << (3 + fz_u8(&in) % 6));

	memset(&cfg, 0, sizeof(cfg));
	cfg.mrg_rxbuf = c & 2;
	cfg.hdr_len = cfg.mrg_rxbuf ? sizeof(struct tmmr_net_hdr_mrg) :
		      sizeof(struct tmmr_net_hdr);
	cfg.any_layout = c & 4;
	cfg.indirect = c & 8;
	cfg.event_idx = c & 16;
	cfg.rx_csum = c & 32;
	cfg.rx_lro = c & 32;
	cfg.vlan_strip = c & 64;
	cfg.max_rx_pkt_len = c & 128 ? 9018 : RTE_ETHER_MAX_LEN;
	cfg.features = (cfg.mrg_rxbuf ? 1u << TMMR_NET_F_MRG_RXBUF : 0) |
		       (cfg.any_layout ? 1u << TMMR_F_ANY_LAYOUT : 0) |
		       (cfg.indirect ? 1u << TMMR_RING_F_INDIRECT_DESC : 0) |
		       (cfg.event_idx ? 1u << TMMR_RING_F_EVENT_IDX : 0);
	if (c & 32)
		cfg.features |= (1u << TMMR_NET_F_CSUM) | (1u << TMMR_NET_F_GUEST_CSUM) |
				(1u << TMMR_NET_F_HOST_TSO4) | (1u << TMMR_NET_F_HOST_TSO6) |
				(1u << TMMR_NET_F_GUEST_TSO4) | (1u << TMMR_NET_F_GUEST_TSO6);

	memset(&nf, 0, sizeof(nf));
	if (c & 1) {
		struct tmmr_txq *q = tmmr_txq_create(0, 1, num, SOCKET_ID_ANY, &cfg, &iova);

		if (q == NULL)
			return 0;
		dev_attach(&d, iova, num);
		nf.efd = d.efd;
		tmmr_txq_set_doorbell(q, &nf);
		run_tx(q, &d, &in);
		print_stats("tx", tmmr_txq_stats(q), tmmr_txq_broken(q));
		tmmr_txq_stop(q);
		tmmr_txq_free(q);
	} else {
		struct tmmr_rxq *q = tmmr_rxq_create(0, 0, num, SOCKET_ID_ANY, pool, &cfg, &iova);

		if (q == NULL)
			return 0;
		dev_attach(&d, iova, num);
		nf.efd = d.efd;
		tmmr_rxq_set_doorbell(q, &nf);
		if (tmmr_rxq_start(q) == 0)
			run_rx(q, &d, &in);
		print_stats("rx", tmmr_rxq_stats(q), tmmr_rxq_broken(q));
		tmmr_rxq_stop(q);
		tmmr_rxq_free(q);
	}
	close(d.efd);
	release_shared();
	if (rte_mempool_in_use_count(pool) != baseline) {
		fprintf(stderr, "mbuf leak: %u in use, baseline %u\n",
			rte_mempool_in_use_count(pool), baseline);
		abort();
	}
	return 0;
}
