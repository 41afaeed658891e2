/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * A hostile device: used ids out of range or not in flight, lengths beyond
 * the posted buffer, absurd num_buffers, used index jumps, a scribbled
 * descriptor table; and a device that completes Rx out of order (legal, but
 * not what the static avail ring expects). Each is counted, costs no crash and no mbuf, and the
 * bad id / index cases mark the queue broken.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "ring_harness.h"

#define NUM 64

static struct rte_mempool *pool;
static const uint8_t mac_uc[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static uint8_t frame[8192];

struct env {
	struct tmmr_rxq *rxq;
	struct tmmr_txq *txq;
	struct fdev dev;
	unsigned int baseline;
};

static void
rx_open(struct env *e, const struct tmmr_dp_cfg *cfg)
{
	uint64_t iova = 0;

	memset(e, 0, sizeof(*e));
	e->baseline = rte_mempool_in_use_count(pool);
	e->rxq = tmmr_rxq_create(0, 0, NUM, SOCKET_ID_ANY, pool, cfg, &iova);
	assert_non_null(e->rxq);
	fdev_attach(&e->dev, iova, NUM, cfg->hdr_len);
	tmmr_rxq_set_doorbell(e->rxq, &e->dev.doorbell);
	assert_int_equal(harness_rxq_start(e->rxq), 0);
}

static void
tx_open(struct env *e, const struct tmmr_dp_cfg *cfg)
{
	uint64_t iova = 0;

	memset(e, 0, sizeof(*e));
	e->baseline = rte_mempool_in_use_count(pool);
	e->txq = tmmr_txq_create(0, 1, NUM, SOCKET_ID_ANY, cfg, &iova);
	assert_non_null(e->txq);
	fdev_attach(&e->dev, iova, NUM, cfg->hdr_len);
	tmmr_txq_set_doorbell(e->txq, &e->dev.doorbell);
	harness_txq_path(e->txq, cfg);
}

/* After a device reset: stop takes every mbuf back. */
static void
env_close(struct env *e)
{
	if (e->rxq != NULL) {
		tmmr_rxq_stop(e->rxq);
		assert_false(tmmr_rxq_broken(e->rxq));
		tmmr_rxq_free(e->rxq);
	}
	if (e->txq != NULL) {
		tmmr_txq_stop(e->txq);
		assert_false(tmmr_txq_broken(e->txq));
		tmmr_txq_free(e->txq);
	}
	fdev_detach(&e->dev);
	assert_int_equal(rte_mempool_in_use_count(pool), e->baseline);
}

static uint16_t
rx_burst_free(struct env *e)
{
	struct rte_mbuf *pk[NUM];
	uint16_t n = tmmr_recv_pkts(e->rxq, pk, NUM);

	rte_pktmbuf_free_bulk(pk, n);
	return n;
}

/* Push a used entry naming a chain the device took, with a header and a length. */
static void
rx_raw(struct env *e, uint16_t num_buffers, uint32_t len, struct fdev_chain *c)
{
	struct tmmr_net_hdr_mrg h;

	memset(&h, 0, sizeof(h));
	h.num_buffers = num_buffers;
	assert_true(fdev_pop(&e->dev, c));
	fdev_chain_write(c, 0, &h, e->dev.hdr_len);
	fdev_push_used(&e->dev, c->head, len);
}

static void
test_rx_bad_id(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 1);
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	fdev_push_used(&e.dev, 1000, 64);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	/* the good ones before the bad entry are delivered */
	assert_int_equal(rx_burst_free(&e), 2);
	assert_int_equal(st->bad_used_id, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(st->packets, 2);
	env_close(&e);
}

static void
test_rx_id_not_in_flight(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct fdev_chain c;
	struct env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 2);
	rx_open(&e, &cfg);
	rx_raw(&e, 1, 12 + 64, &c);
	assert_int_equal(rx_burst_free(&e), 1);
	/* the same buffer again: we own it now */
	fdev_push_used(&e.dev, c.head, 12 + 64);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(tmmr_rxq_stats(e.rxq)->bad_used_id, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	env_close(&e);

	/* chained layout: an id inside a chain is not a head */
	cfg = harness_cfg(false, false, false);
	rx_open(&e, &cfg);
	assert_true(fdev_pop(&e.dev, &c));
	fdev_push_used(&e.dev, c.head + 1, 10 + 64);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(tmmr_rxq_stats(e.rxq)->bad_used_id, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

static void
test_rx_bad_len(void **state)
{
	static const uint32_t bad[] = { 12 + 2048 + 1, 0xffffffff, 4 };
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct fdev_chain c;
	struct env e;
	unsigned int i;

	(void)state;
	harness_frame(frame, 64, mac_uc, 3);
	/*
	 * a mergeable head beyond its buffer or shorter than the header: its
	 * num_buffers cannot be trusted, so neither can the framing after it
	 */
	for (i = 0; i < RTE_DIM(bad); i++) {
		rx_open(&e, &cfg);
		st = tmmr_rxq_stats(e.rxq);
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
		rx_raw(&e, 1, bad[i], &c);
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
		/* the packet before is delivered, nothing from the bad one on */
		assert_int_equal(rx_burst_free(&e), 1);
		assert_int_equal(st->bad_used_len, bad[i] > 12 + 2048 ? 1 : 0);
		assert_int_equal(st->errors, 1);
		assert_true(tmmr_rxq_broken(e.rxq));
		assert_int_equal(rx_burst_free(&e), 0);
		env_close(&e);
	}

	/* the same through a chain (10 + 2048 bytes): one packet each, dropped alone */
	cfg = harness_cfg(false, false, false);
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	rx_raw(&e, 1, 10 + 2048 + 1, &c);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, false), 1);
	assert_int_equal(rx_burst_free(&e), 1);
	assert_int_equal(st->bad_used_len, 1);
	assert_false(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

static void
test_rx_bad_num_buffers(void **state)
{
	static const uint16_t bad[] = { 0, NUM + 1, 0xffff };
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct fdev_chain c;
	struct env e;
	unsigned int i;

	(void)state;
	harness_frame(frame, 64, mac_uc, 4);
	for (i = 0; i < RTE_DIM(bad); i++) {
		rx_open(&e, &cfg);
		st = tmmr_rxq_stats(e.rxq);
		rx_raw(&e, bad[i], 12 + 64, &c);
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
		assert_int_equal(rx_burst_free(&e), 0);
		assert_int_equal(st->bad_num_buffers, 1);
		assert_true(tmmr_rxq_broken(e.rxq));
		env_close(&e);
	}
}

/*
 * A head with a bad header followed by its other buffers: parsed on their
 * own, the followers' payload would be read as headers (bytes 10-11 as
 * num_buffers = 1) and delivered as packets. The queue stops instead.
 */
static void
test_rx_mrg_bad_head_framing(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr_mrg h;
	struct fdev_chain c[3];
	static uint8_t junk[2060];
	struct env e;

	(void)state;
	harness_frame(junk, sizeof(junk), mac_uc, 7);
	junk[10] = 1;
	junk[11] = 0;
	rx_open(&e, &cfg);
	memset(&h, 0, sizeof(h));
	h.num_buffers = 3;
	assert_true(fdev_pop(&e.dev, &c[0]));
	fdev_chain_write(&c[0], 0, &h, sizeof(h));
	fdev_push_used(&e.dev, c[0].head, 4);	/* header cut short */
	assert_true(fdev_pop(&e.dev, &c[1]));
	fdev_chain_write(&c[1], 0, junk, sizeof(junk));
	fdev_push_used(&e.dev, c[1].head, sizeof(junk));
	assert_true(fdev_pop(&e.dev, &c[2]));
	fdev_chain_write(&c[2], 0, junk, 100);
	fdev_push_used(&e.dev, c[2].head, 100);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_true(tmmr_rxq_broken(e.rxq));
	assert_int_equal(tmmr_rxq_stats(e.rxq)->packets, 0);
	assert_int_equal(tmmr_rxq_stats(e.rxq)->errors, 1);
	env_close(&e);
}

/* A runt (less than an Ethernet header after the net header) is dropped and counted. */
static void
test_rx_runt(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct fdev_chain c;
	struct env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 8);
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	rx_raw(&e, 1, 12 + 13, &c);
	rx_raw(&e, 1, 12, &c);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(rx_burst_free(&e), 1);
	assert_int_equal(st->errors, 2);
	assert_int_equal(st->packets, 1);
	assert_false(tmmr_rxq_broken(e.rxq));
	env_close(&e);

	cfg = harness_cfg(false, true, false);
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	rx_raw(&e, 1, 10 + 13, &c);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, false), 1);
	assert_int_equal(rx_burst_free(&e), 1);
	assert_int_equal(st->errors, 1);
	assert_false(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

static void
test_rx_used_idx_jump(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct env e;

	(void)state;
	rx_open(&e, &cfg);
	e.dev.used->idx = NUM + 1;	/* more completions than buffers posted */
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(tmmr_rxq_stats(e.rxq)->bad_used_idx, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	assert_int_equal(tmmr_rxq_count(e.rxq), NUM);
	env_close(&e);

	/* and backwards, which is the same thing modulo 2^16 */
	rx_open(&e, &cfg);
	e.dev.used->idx = 0xfff0;
	assert_int_equal(rx_burst_free(&e), 0);
	assert_true(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

/* A mergeable packet whose later buffers are hostile. */
static void
test_rx_mrg_bad_followers(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct fdev_chain c[3];
	struct env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 5);
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	/* second buffer with a length beyond it: packet dropped, queue fine */
	rx_raw(&e, 3, 12 + 2048, &c[0]);
	assert_true(fdev_pop(&e.dev, &c[1]));
	fdev_push_used(&e.dev, c[1].head, 5000);
	assert_true(fdev_pop(&e.dev, &c[2]));
	fdev_push_used(&e.dev, c[2].head, 100);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(rx_burst_free(&e), 1);
	assert_int_equal(st->bad_used_len, 1);
	assert_int_equal(st->errors, 1);
	assert_false(tmmr_rxq_broken(e.rxq));
	/* second buffer names a buffer not in flight: broken, nothing leaks */
	rx_raw(&e, 3, 12 + 2048, &c[0]);
	fdev_push_used(&e.dev, c[0].head, 100);
	assert_true(fdev_pop(&e.dev, &c[2]));
	fdev_push_used(&e.dev, c[2].head, 100);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(st->bad_used_id, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

/* Length of the frame with seed @seed: 64 to 92 bytes, so that packets differ. */
static uint32_t
rx_len(uint8_t seed)
{
	return 64 + seed % 29;
}

/* One packet into chain @c: the header (num_buffers 1), then frame seed @seed. */
static void
rx_fill(struct env *e, const struct fdev_chain *c, uint8_t seed)
{
	struct tmmr_net_hdr_mrg h;

	memset(&h, 0, sizeof(h));
	h.num_buffers = 1;
	harness_frame(frame, rx_len(seed), mac_uc, seed);
	fdev_chain_write(c, 0, &h, e->dev.hdr_len);
	fdev_chain_write(c, e->dev.hdr_len, frame, rx_len(seed));
}

/* The burst holds @n packets with the frames of @seeds, in that order. */
static void
rx_expect(struct env *e, const uint8_t *seeds, uint16_t n)
{
	struct rte_mbuf *pk[NUM];
	uint8_t got[128];
	uint16_t i;

	assert_int_equal(tmmr_recv_pkts(e->rxq, pk, NUM), n);
	for (i = 0; i < n; i++) {
		harness_frame(frame, rx_len(seeds[i]), mac_uc, seeds[i]);
		assert_int_equal(harness_copy(pk[i], got, sizeof(got)), rx_len(seeds[i]));
		assert_int_equal(pk[i]->data_len, rx_len(seeds[i]));
		assert_int_equal(pk[i]->nb_segs, 1);
		assert_memory_equal(got, frame, rx_len(seeds[i]));
	}
	rte_pktmbuf_free_bulk(pk, n);
}

/*
 * A device that completes in pairs swapped (1, 0, 3, 2, ...), past a wrap of
 * the 16-bit indexes: legal without IN_ORDER. Every packet arrives whole and
 * in completion order, and no chain is posted again while the device holds
 * it. On the static ring the first swapped id turns it off.
 */
static void
rx_swapped(const struct tmmr_dp_cfg *cfg)
{
	const unsigned int rounds = 70000 / 4;
	bool held[NUM];
	struct fdev_chain c[4];
	const struct tmmr_q_stats *st;
	struct env e;
	unsigned int r, i;
	uint8_t seeds[4];

	memset(held, 0, sizeof(held));
	rx_open(&e, cfg);
	st = tmmr_rxq_stats(e.rxq);
	/* a few in order first: free chains not posted again yet when it turns */
	for (i = 0; i < 4; i++) {
		assert_true(fdev_pop(&e.dev, &c[0]));
		rx_fill(&e, &c[0], (uint8_t)(200 + i));
		fdev_push_used(&e.dev, c[0].head, e.dev.hdr_len + rx_len(200 + i));
		seeds[0] = (uint8_t)(200 + i);
		rx_expect(&e, seeds, 1);
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4; i++) {
			assert_true(fdev_pop(&e.dev, &c[i]));
			assert_false(held[c[i].head]);
			held[c[i].head] = true;
			rx_fill(&e, &c[i], (uint8_t)(r * 4 + i));
		}
		for (i = 0; i < 4; i++) {
			fdev_push_used(&e.dev, c[i ^ 1].head,
				       e.dev.hdr_len + rx_len((uint8_t)(r * 4 + (i ^ 1))));
			held[c[i ^ 1].head] = false;
			seeds[i] = (uint8_t)(r * 4 + (i ^ 1));
		}
		rx_expect(&e, seeds, 4);
	}
	assert_false(tmmr_rxq_static_ring(e.rxq));
	assert_int_equal(st->packets, rounds * 4 + 4);
	assert_int_equal(st->bad_used_id, 0);
	assert_int_equal(st->errors, 0);
	assert_false(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

static void
test_rx_out_of_order(void **state)
{
	struct tmmr_dp_cfg cfg;

	(void)state;
	cfg = harness_cfg(true, true, false);
	rx_swapped(&cfg);
	cfg = harness_cfg(false, true, false);
	rx_swapped(&cfg);
	/* header in a descriptor of its own: chains of two */
	cfg = harness_cfg(false, false, false);
	rx_swapped(&cfg);
}

/*
 * In order past a wrap of the 16-bit indexes: the static ring stays on (when
 * the run allows it) and every packet is the one the device wrote. With a
 * number of chains that is not a power of 2 there is no static ring.
 */
static void
test_rx_in_order_wrap(void **state)
{
	static const bool mrg[2] = { true, false };
	struct tmmr_dp_cfg cfg;
	struct fdev_chain c;
	struct env e;
	unsigned int k, i;
	uint8_t seed;

	(void)state;
	for (k = 0; k < RTE_DIM(mrg); k++) {
		cfg = harness_cfg(mrg[k], true, false);
		rx_open(&e, &cfg);
		assert_int_equal(tmmr_rxq_static_ring(e.rxq), !harness_rx_stack());
		/* three alone first: groups of entries straddle the wraps */
		for (i = 0; i < 3; i++) {
			seed = (uint8_t)(100 + i);
			assert_true(fdev_pop(&e.dev, &c));
			rx_fill(&e, &c, seed);
			fdev_push_used(&e.dev, c.head, e.dev.hdr_len + rx_len(seed));
			rx_expect(&e, &seed, 1);
		}
		for (i = 0; i < 70000 / 8; i++) {
			uint8_t seeds[8];
			unsigned int j;

			for (j = 0; j < 8; j++) {
				seed = (uint8_t)(i * 8 + j);
				assert_true(fdev_pop(&e.dev, &c));
				rx_fill(&e, &c, seed);
				fdev_push_used(&e.dev, c.head, e.dev.hdr_len + rx_len(seed));
				seeds[j] = seed;
			}
			rx_expect(&e, seeds, 8);
		}
		assert_int_equal(tmmr_rxq_static_ring(e.rxq), !harness_rx_stack());
		assert_int_equal(tmmr_rxq_stats(e.rxq)->packets, 70000 / 8 * 8 + 3);
		env_close(&e);
	}
	cfg = harness_cfg(true, true, false);
	memset(&e, 0, sizeof(e));
	e.baseline = rte_mempool_in_use_count(pool);
	{
		uint64_t iova = 0;

		e.rxq = tmmr_rxq_create(0, 0, NUM, SOCKET_ID_ANY, pool, &cfg, &iova);
		assert_non_null(e.rxq);
		tmmr_rxq_set_nb_desc(e.rxq, 48);
		fdev_attach(&e.dev, iova, NUM, cfg.hdr_len);
		tmmr_rxq_set_doorbell(e.rxq, &e.dev.doorbell);
		assert_int_equal(harness_rxq_start(e.rxq), 0);
	}
	assert_false(tmmr_rxq_static_ring(e.rxq));
	assert_int_equal(fdev_avail_pending(&e.dev), 48);
	for (i = 0; i < 1000; i++) {
		seed = (uint8_t)i;
		assert_true(fdev_pop(&e.dev, &c));
		rx_fill(&e, &c, seed);
		fdev_push_used(&e.dev, c.head, e.dev.hdr_len + rx_len(seed));
		rx_expect(&e, &seed, 1);
	}
	env_close(&e);
}

/*
 * Mergeable buffers: a packet whose second buffer is not the next one posted
 * (legal), then a second buffer that names no buffer at all (a device error:
 * counted, queue broken, nothing leaks).
 */
static void
test_rx_mrg_follower_order(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr_mrg h;
	const struct tmmr_q_stats *st;
	struct rte_mbuf *pk[NUM];
	struct fdev_chain c[3];
	struct env e;
	uint8_t mark;

	(void)state;
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	memset(&h, 0, sizeof(h));
	assert_true(fdev_pop(&e.dev, &c[0]));
	assert_true(fdev_pop(&e.dev, &c[1]));
	assert_true(fdev_pop(&e.dev, &c[2]));
	/* packet A in buffers 0 and 2, packet B in buffer 1 */
	h.num_buffers = 2;
	fdev_chain_write(&c[0], 0, &h, 12);
	mark = 0xaa;
	fdev_chain_write(&c[0], 12, &mark, 1);
	mark = 0xbb;
	fdev_chain_write(&c[2], 0, &mark, 1);
	h.num_buffers = 1;
	fdev_chain_write(&c[1], 0, &h, 12);
	mark = 0xcc;
	fdev_chain_write(&c[1], 12, &mark, 1);
	fdev_push_used(&e.dev, c[0].head, 12 + 1000);
	fdev_push_used(&e.dev, c[2].head, 500);
	fdev_push_used(&e.dev, c[1].head, 12 + 64);
	assert_int_equal(tmmr_recv_pkts(e.rxq, pk, NUM), 2);
	assert_int_equal(pk[0]->pkt_len, 1500);
	assert_int_equal(pk[0]->nb_segs, 2);
	assert_int_equal(*rte_pktmbuf_mtod(pk[0], uint8_t *), 0xaa);
	assert_int_equal(*rte_pktmbuf_mtod(pk[0]->next, uint8_t *), 0xbb);
	assert_int_equal(pk[1]->pkt_len, 64);
	assert_int_equal(*rte_pktmbuf_mtod(pk[1], uint8_t *), 0xcc);
	rte_pktmbuf_free_bulk(pk, 2);
	assert_false(tmmr_rxq_static_ring(e.rxq));
	assert_int_equal(st->bad_used_id, 0);
	env_close(&e);

	/* the second buffer's id beyond the ring */
	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	rx_raw(&e, 2, 12 + 1000, &c[0]);
	fdev_push_used(&e.dev, 1000, 500);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_int_equal(st->bad_used_id, 1);
	assert_true(tmmr_rxq_broken(e.rxq));
	env_close(&e);
}

enum group_fault { GF_LONG, GF_RUNT, GF_BAD_ID, GF_NUM_BUFFERS, GF_NB };

/*
 * Eight packets in one burst, one of them faulty at @at: a group of four
 * entries with a fault in it is left to the entry-by-entry checks, with the
 * same outcome as on the reference path.
 */
static void
rx_group_fault(bool mrg, enum group_fault f, unsigned int at)
{
	struct tmmr_dp_cfg cfg = harness_cfg(mrg, true, false);
	const struct tmmr_q_stats *st;
	struct tmmr_net_hdr_mrg h;
	struct rte_mbuf *pk[NUM];
	struct fdev_chain c;
	struct env e;
	unsigned int j;
	uint16_t n, want;
	bool broken;

	rx_open(&e, &cfg);
	st = tmmr_rxq_stats(e.rxq);
	for (j = 0; j < 8; j++) {
		uint32_t len = e.dev.hdr_len + rx_len((uint8_t)j);
		uint32_t id;

		assert_true(fdev_pop(&e.dev, &c));
		rx_fill(&e, &c, (uint8_t)j);
		id = c.head;
		if (j == at) {
			switch (f) {
			case GF_LONG:
				len = fdev_chain_cap(&c) + 1;
				break;
			case GF_RUNT:
				len = e.dev.hdr_len + 10;
				break;
			case GF_BAD_ID:
				id = 1000;
				break;
			default:
				memset(&h, 0, sizeof(h));
				fdev_chain_write(&c, 0, &h, e.dev.hdr_len);
				break;
			}
		}
		fdev_push_used(&e.dev, id, len);
	}
	/* what the entry-by-entry checks make of it */
	broken = f == GF_BAD_ID || f == GF_NUM_BUFFERS || (mrg && f == GF_LONG);
	want = broken ? at : 7;
	n = tmmr_recv_pkts(e.rxq, pk, NUM);
	assert_int_equal(n, want);
	for (j = 0; j < n; j++) {
		uint8_t seed = (uint8_t)(j < at ? j : j + 1);
		uint8_t got[128];

		harness_frame(frame, rx_len(seed), mac_uc, seed);
		assert_int_equal(harness_copy(pk[j], got, sizeof(got)), rx_len(seed));
		assert_int_equal(pk[j]->data_len, rx_len(seed));
		assert_memory_equal(got, frame, rx_len(seed));
	}
	rte_pktmbuf_free_bulk(pk, n);
	assert_int_equal(tmmr_rxq_broken(e.rxq), broken);
	assert_int_equal(st->bad_used_len, f == GF_LONG);
	assert_int_equal(st->bad_used_id, f == GF_BAD_ID);
	assert_int_equal(st->bad_num_buffers, f == GF_NUM_BUFFERS);
	env_close(&e);
}

static void
test_rx_group_faults(void **state)
{
	static const unsigned int at[] = { 0, 2, 3, 5, 7 };
	unsigned int f, k;

	(void)state;
	for (f = 0; f < GF_NB; f++) {
		for (k = 0; k < RTE_DIM(at); k++) {
			rx_group_fault(true, f, at[k]);
			if (f != GF_NUM_BUFFERS)
				rx_group_fault(false, f, at[k]);
		}
	}
}

/* After a reset the broken queue works again. */
static void
test_rx_recover(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 6);
	rx_open(&e, &cfg);
	fdev_push_used(&e.dev, NUM, 64);
	assert_int_equal(rx_burst_free(&e), 0);
	assert_true(tmmr_rxq_broken(e.rxq));
	tmmr_rxq_stop(e.rxq);
	assert_false(tmmr_rxq_broken(e.rxq));
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	e.dev.last_avail = 0;
	assert_int_equal(harness_rxq_start(e.rxq), 0);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(rx_burst_free(&e), 1);
	env_close(&e);
}

static void
tx_send(struct env *e, unsigned int n, unsigned int nseg)
{
	struct rte_mbuf *m[NUM];
	unsigned int i;

	for (i = 0; i < n; i++)
		m[i] = harness_mbuf(pool, frame, 600, nseg);
	assert_int_equal(tmmr_xmit_pkts(e->txq, m, n), n);
}

static void
test_tx_bad_id(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *m;
	struct fdev_chain c;
	struct env e;

	(void)state;
	harness_frame(frame, 600, mac_uc, 7);
	tx_open(&e, &cfg);
	tx_send(&e, 4, 1);
	assert_true(fdev_pop(&e.dev, &c));
	fdev_push_used(&e.dev, c.head, 0);
	fdev_push_used(&e.dev, 999, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 1);
	assert_int_equal(tmmr_txq_stats(e.txq)->bad_used_id, 1);
	assert_true(tmmr_txq_broken(e.txq));
	m = harness_mbuf(pool, frame, 600, 1);
	assert_int_equal(tmmr_xmit_pkts(e.txq, &m, 1), 0);
	rte_pktmbuf_free(m);
	env_close(&e);
}

static void
test_tx_not_in_flight(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	struct fdev_chain c;
	struct env e;

	(void)state;
	harness_frame(frame, 600, mac_uc, 8);
	tx_open(&e, &cfg);
	tx_send(&e, 4, 2);
	assert_true(fdev_pop(&e.dev, &c));
	fdev_push_used(&e.dev, c.head, 0);
	fdev_push_used(&e.dev, c.head, 0);	/* twice */
	assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 1);
	assert_int_equal(tmmr_txq_stats(e.txq)->bad_used_id, 1);
	assert_true(tmmr_txq_broken(e.txq));
	env_close(&e);

	tx_open(&e, &cfg);
	tx_send(&e, 4, 2);
	assert_true(fdev_pop(&e.dev, &c));
	/* the chain's second descriptor is not a head */
	fdev_push_used(&e.dev, e.dev.desc[c.head].next, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 0);
	assert_true(tmmr_txq_broken(e.txq));
	env_close(&e);
}

static void
test_tx_used_idx_jump(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct env e;

	(void)state;
	harness_frame(frame, 600, mac_uc, 9);
	tx_open(&e, &cfg);
	tx_send(&e, 4, 1);
	e.dev.used->idx = 5;
	assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 0);
	assert_int_equal(tmmr_txq_stats(e.txq)->bad_used_idx, 1);
	assert_true(tmmr_txq_broken(e.txq));
	env_close(&e);
}

/*
 * The device rewrites the descriptor table and reports absurd lengths: the
 * driver's chains and free list come from its own shadow, so it goes on.
 */
static void
test_tx_scribbled_descs(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	static uint8_t got[4096];
	struct tmmr_net_hdr_mrg h;
	struct fdev_chain c[8];
	struct env e;
	int i, round;

	(void)state;
	harness_frame(frame, 600, mac_uc, 10);
	tx_open(&e, &cfg);
	for (round = 0; round < 12; round++) {
		tx_send(&e, 8, 3);
		for (i = 0; i < 8; i++)
			assert_true(fdev_pop(&e.dev, &c[i]));
		memset(e.dev.desc, 0xa5, NUM * sizeof(*e.dev.desc));
		for (i = 7; i >= 0; i--)
			fdev_push_used(&e.dev, c[i].head, 0xffffffff);
		assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 8);
		assert_false(tmmr_txq_broken(e.txq));
	}
	tx_send(&e, 8, 3);
	for (i = 0; i < 8; i++)
		assert_int_equal(fdev_tx(&e.dev, &h, got, sizeof(got), &c[0]), 600);
	assert_int_equal(tmmr_txq_done_cleanup(e.txq, 0), 8);
	env_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_bad_id),
		cmocka_unit_test(test_rx_id_not_in_flight),
		cmocka_unit_test(test_rx_bad_len),
		cmocka_unit_test(test_rx_bad_num_buffers),
		cmocka_unit_test(test_rx_mrg_bad_head_framing),
		cmocka_unit_test(test_rx_runt),
		cmocka_unit_test(test_rx_used_idx_jump),
		cmocka_unit_test(test_rx_mrg_bad_followers),
		cmocka_unit_test(test_rx_out_of_order),
		cmocka_unit_test(test_rx_in_order_wrap),
		cmocka_unit_test(test_rx_mrg_follower_order),
		cmocka_unit_test(test_rx_group_faults),
		cmocka_unit_test(test_rx_recover),
		cmocka_unit_test(test_tx_bad_id),
		cmocka_unit_test(test_tx_not_in_flight),
		cmocka_unit_test(test_tx_used_idx_jump),
		cmocka_unit_test(test_tx_scribbled_descs),
	};

	harness_eal_init();
	pool = harness_pool("ring_hostile_pool", 2048, RTE_MBUF_DEFAULT_BUF_SIZE);
	return cmocka_run_group_tests_name("ring_hostile", tests, NULL, NULL);
}
