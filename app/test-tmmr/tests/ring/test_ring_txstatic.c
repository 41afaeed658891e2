/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The static Tx ring against a device that does not complete in order,
 * names wrong descriptors, or sees chains between one-descriptor packets.
 * Also run on the free list (TMMR_RING_TX=list): both paths must judge the
 * same completions the same way.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "ring_harness.h"
#include "tmmr_vq.h"

#define NUM 64
#define FLEN 200

static struct rte_mempool *pool;
static const uint8_t mac_uc[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static uint8_t frame[FLEN];

struct env {
	struct tmmr_txq *q;
	struct fdev dev;
	unsigned int baseline;
	bool st;		/* the queue starts on the static ring */
};

static void
env_open(struct env *e, bool indirect)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, indirect);
	uint64_t iova = 0;

	memset(e, 0, sizeof(*e));
	e->baseline = rte_mempool_in_use_count(pool);
	e->q = tmmr_txq_create(0, 1, NUM, SOCKET_ID_ANY, &cfg, &iova);
	assert_non_null(e->q);
	fdev_attach(&e->dev, iova, NUM, cfg.hdr_len);
	tmmr_txq_set_doorbell(e->q, &e->dev.doorbell);
	harness_txq_path(e->q, &cfg);
	e->st = !harness_tx_list();
}

static void
env_close(struct env *e)
{
	tmmr_txq_stop(e->q);
	assert_false(tmmr_txq_broken(e->q));
	/* a stopped queue starts on the static ring again */
	assert_int_equal(tmmr_txq_static_ring(e->q), e->st);
	tmmr_txq_free(e->q);
	fdev_detach(&e->dev);
	assert_int_equal(rte_mempool_in_use_count(pool), e->baseline);
}

/* Send @n packets of @nseg segments; all must be taken. */
static void
send(struct env *e, unsigned int n, unsigned int nseg)
{
	struct rte_mbuf *m[NUM];
	unsigned int i;

	for (i = 0; i < n; i++)
		m[i] = harness_mbuf(pool, frame, FLEN, nseg);
	assert_int_equal(tmmr_xmit_pkts(e->q, m, n), n);
}

/* The device takes @n chains, checks their bytes, and completes none yet. */
static void
take(struct env *e, struct fdev_chain *c, unsigned int n)
{
	static uint8_t got[4096];
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t pos = e->dev.last_avail;

		assert_true(fdev_pop(&e->dev, &c[i]));
		assert_int_equal(fdev_chain_read(&c[i], got, sizeof(got)),
				 e->dev.hdr_len + FLEN);
		assert_memory_equal(got + e->dev.hdr_len, frame, FLEN);
		/* the static ring: entry i names descriptor i */
		if (tmmr_txq_static_ring(e->q))
			assert_int_equal(c[i].head, pos & (NUM - 1));
	}
}

/* Take and complete @n chains in order, checking each; count reclaimed. */
static void
round_trip(struct env *e, unsigned int n)
{
	struct fdev_chain c[NUM];
	unsigned int i;

	take(e, c, n);
	for (i = 0; i < n; i++)
		fdev_push_used(&e->dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e->q, 0), n);
}

/* Completed out of order: every chain comes back, then the free list for good. */
static void
test_txs_out_of_order(void **state)
{
	struct fdev_chain c[8];
	struct env e;
	int i, round;

	(void)state;
	env_open(&e, false);
	for (round = 0; round < 12; round++) {
		send(&e, 8, 1);
		take(&e, c, 8);
		for (i = 0; i < 8; i++)
			fdev_push_used(&e.dev, c[i ^ 1].head, 0);
		assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 8);
		assert_false(tmmr_txq_broken(e.q));
		assert_false(tmmr_txq_static_ring(e.q));
		assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	}
	assert_int_equal(tmmr_txq_stats(e.q)->bad_used_id, 0);
	/* and in order again: still the free list, still whole */
	for (round = 0; round < 20; round++) {
		send(&e, 7, 1 + round % 2);
		round_trip(&e, 7);
	}
	assert_false(tmmr_txq_static_ring(e.q));
	env_close(&e);
}

/* One lap of the ring in order: every slot then holds a stale mbuf pointer. */
static void
lap(struct env *e)
{
	int k;

	for (k = 0; k < NUM / 16; k++) {
		send(e, 16, 1);
		round_trip(e, 16);
	}
}

/*
 * A wrong id amid entries in order: one not in flight (a stale slot, an alias
 * of an expected one above the ring size, the same one twice) breaks the
 * queue after the good ones are taken; one in flight is an out-of-order
 * completion and taken.
 */
static void
test_txs_wrong_id(void **state)
{
	struct fdev_chain c[8];
	struct env e;
	unsigned int b, k, p;

	(void)state;
	/* every kind at every place of a group of four, the others as expected */
	for (b = 0; b < 4; b++) {
		for (p = b == 3 ? 1 : 0; p < 6; p++) {
			uint32_t bad;

			env_open(&e, false);
			lap(&e);
			send(&e, 8, 1);
			take(&e, c, 8);
			if (b == 0) {
				/* a slot that is not in flight */
				bad = (c[7].head + 20) & (NUM - 1);
				for (k = 0; k < 8; k++)
					assert_int_not_equal(bad, c[k].head);
			} else if (b == 1) {
				bad = c[p].head + NUM;
			} else if (b == 2) {
				bad = c[p].head + 0x10000;
			} else {
				bad = c[p - 1].head;	/* twice */
			}
			for (k = 0; k < 8; k++)
				fdev_push_used(&e.dev, k == p ? bad : c[k].head, 0);
			assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), p);
			assert_int_equal(tmmr_txq_stats(e.q)->bad_used_id, 1);
			assert_true(tmmr_txq_broken(e.q));
			/* the rest go back at stop, the stale ones not again */
			assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 8 - p);
			env_close(&e);
		}
	}

	env_open(&e, false);
	lap(&e);
	send(&e, 8, 1);
	take(&e, c, 8);
	fdev_push_used(&e.dev, c[0].head, 0);
	fdev_push_used(&e.dev, c[1].head, 0);
	fdev_push_used(&e.dev, c[5].head, 0);
	for (b = 2; b < 8; b++)
		if (b != 5)
			fdev_push_used(&e.dev, c[b].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 8);
	assert_false(tmmr_txq_broken(e.q));
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	send(&e, 8, 1);
	round_trip(&e, 8);
	env_close(&e);
}

/* Across the wrap of the 16-bit indices: in order, then out of order. */
static void
test_txs_index_wrap(void **state)
{
	struct fdev_chain c[40];
	struct env e;
	int i;

	(void)state;
	env_open(&e, true);
	while ((uint16_t)(0xffec - e.q->vq.avail_shadow) >= 32) {
		struct rte_mbuf *m[32];
		struct fdev_chain ch;

		for (i = 0; i < 32; i++)
			m[i] = harness_mbuf(pool, frame, 64, 1);
		assert_int_equal(tmmr_xmit_pkts(e.q, m, 32), 32);
		for (i = 0; i < 32; i++) {
			assert_true(fdev_pop(&e.dev, &ch));
			fdev_push_used(&e.dev, ch.head, 0);
		}
		assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 32);
	}
	while (e.q->vq.avail_shadow != 0xffec) {
		send(&e, 1, 1);
		round_trip(&e, 1);
	}
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	/* 40 packets over the wrap, a multi-segment one at its indirect slot */
	send(&e, 20, 1);
	send(&e, 1, 3);
	send(&e, 19, 1);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	take(&e, c, 40);
	assert_int_equal(c[20].indirect, e.st);
	for (i = 0; i < 30; i++)
		fdev_push_used(&e.dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 30);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	for (i = 39; i >= 30; i--)
		fdev_push_used(&e.dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 10);
	assert_false(tmmr_txq_broken(e.q));
	assert_false(tmmr_txq_static_ring(e.q));
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	send(&e, 8, 2);
	round_trip(&e, 8);
	env_close(&e);
}

/*
 * A chain between one-descriptor packets: with INDIRECT_DESC it takes its
 * static slot; without, the free list takes it and the rest of the burst
 * while the earlier ones are in flight, and hands the queue back to the
 * static ring once nothing is.
 */
static void
test_txs_chain_between(void **state)
{
	struct rte_mbuf *m[16];
	struct fdev_chain c[16];
	struct env e;
	int i;

	(void)state;
	env_open(&e, true);
	for (i = 0; i < 6; i++)
		m[i] = harness_mbuf(pool, frame, FLEN, i == 1 ? 3 : 1);
	/* shared: no header in its headroom, so the indirect table's slot */
	rte_mbuf_refcnt_update(m[4], 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 6), 6);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	take(&e, c, 6);
	/* the free list pushes the header and chains the segments instead */
	assert_int_equal(c[1].indirect, e.st);
	assert_int_equal(c[1].nseg, e.st ? 4 : 3);
	assert_true(c[4].indirect);
	assert_false(c[0].indirect || c[2].indirect);
	for (i = 0; i < 6; i++)
		fdev_push_used(&e.dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 6);
	rte_pktmbuf_free(m[4]);
	env_close(&e);

	env_open(&e, false);
	send(&e, 10, 1);
	for (i = 0; i < 6; i++)
		m[i] = harness_mbuf(pool, frame, FLEN, i == 1 ? 3 : 1);
	rte_mbuf_refcnt_update(m[3], 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 6), 6);
	assert_false(tmmr_txq_static_ring(e.q));
	take(&e, c, 16);
	assert_int_equal(c[11].nseg, 3);
	assert_int_equal(c[13].nseg, 2);	/* header slot, then the data */
	/* the chains must not share descriptors with the ones in flight */
	for (i = 15; i >= 0; i--)
		fdev_push_used(&e.dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 16);
	assert_false(tmmr_txq_broken(e.q));
	rte_pktmbuf_free(m[3]);
	/* that was a chain, not the device: back on the static ring when empty */
	send(&e, 4, 1);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	round_trip(&e, 4);
	/* more than a lap: the avail entries the free list wrote name their slots again */
	for (i = 0; i < 9; i++) {
		send(&e, 10, 1);
		round_trip(&e, 10);
	}
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	env_close(&e);
}

/*
 * The free list runs for more than the 16-bit index range (one chain held
 * by the device all along) before the queue goes back to the static ring:
 * every avail entry it wrote names its own descriptor again.
 */
static void
test_txs_long_list(void **state)
{
	struct rte_mbuf *m[32];
	struct fdev_chain c, ch;
	struct env e;
	int i;

	(void)state;
	env_open(&e, false);
	send(&e, 1, 3);
	assert_false(tmmr_txq_static_ring(e.q));
	take(&e, &c, 1);
	while (e.q->vq.avail_shadow < 0xffe0 || e.q->vq.avail_shadow > 0xfff0) {
		for (i = 0; i < 32; i++)
			m[i] = harness_mbuf(pool, frame, 64, 1);
		assert_int_equal(tmmr_xmit_pkts(e.q, m, 32), 32);
		assert_false(tmmr_txq_static_ring(e.q));
		for (i = 0; i < 32; i++) {
			assert_true(fdev_pop(&e.dev, &ch));
			fdev_push_used(&e.dev, ch.head, 0);
		}
		assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 32);
	}
	while (e.q->vq.avail_shadow != 5) {
		send(&e, 1, 1);
		round_trip(&e, 1);
	}
	fdev_push_used(&e.dev, c.head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 1);
	for (i = 0; i < 2 * NUM / 8; i++) {
		send(&e, 8, 1);
		assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
		round_trip(&e, 8);
	}
	env_close(&e);
}

/* A full ring takes nothing more and stays on the static ring; room comes back. */
static void
test_txs_full(void **state)
{
	struct rte_mbuf *m[NUM + 8];
	struct fdev_chain c[NUM + 8];
	struct env e;
	int i;

	(void)state;
	env_open(&e, false);
	send(&e, 5, 1);
	round_trip(&e, 5);
	for (i = 0; i < NUM + 8; i++)
		m[i] = harness_mbuf(pool, frame, FLEN, i == NUM ? 3 : 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, NUM + 8), NUM);
	/* no room even for the chain: nothing changes */
	assert_int_equal(tmmr_xmit_pkts(e.q, m + NUM, 8), 0);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	take(&e, c, NUM);
	for (i = 0; i < 40; i++)
		fdev_push_used(&e.dev, c[i].head, 0);
	/* room again, over the end of the ring; then the chain leaves the static ring */
	assert_int_equal(tmmr_xmit_pkts(e.q, m + NUM + 1, 7), 7);
	assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
	assert_int_equal(tmmr_xmit_pkts(e.q, m + NUM, 1), 1);
	assert_false(tmmr_txq_static_ring(e.q));
	take(&e, c + NUM, 8);
	for (i = 40; i < NUM + 8; i++)
		fdev_push_used(&e.dev, c[i].head, 0);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 32);
	assert_false(tmmr_txq_broken(e.q));
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	env_close(&e);
}

/*
 * Packets a put in place cannot take (two segments, another pool, a second
 * reference; the first of them ahead of every ordinary one) among ordinary
 * ones, with and without fast free, completed one by one and then in runs:
 * each goes back the right way, nothing leaks, the second reference stays.
 */
static void
test_txs_put_mixed(void **state)
{
	/* 0: 2 segs, 1, 2: ok, 3: other pool, 4: ok, 5: 2 segs, 6: ok, 7: shared */
	static const uint8_t kind[8] = { 2, 0, 0, 3, 0, 2, 0, 1 };
	struct rte_mempool *small, *other;
	struct rte_mbuf *m[8];
	struct fdev_chain c[8];
	struct env e;
	int i, round, ff;

	(void)state;
	small = harness_pool("txs_small", 32, RTE_MBUF_DEFAULT_BUF_SIZE);
	other = harness_pool("txs_other", 8, RTE_MBUF_DEFAULT_BUF_SIZE);
	for (ff = 0; ff < 2; ff++) {
		env_open(&e, true);
		tmmr_txq_set_fast_free(e.q, ff);
		for (round = 0; round < 4; round++) {
			for (i = 0; i < 8; i++) {
				m[i] = harness_mbuf(kind[i] == 3 ? other : small, frame, FLEN,
						    kind[i] == 2 ? 2 : 1);
				if (kind[i] == 1)
					rte_mbuf_refcnt_update(m[i], 1);
			}
			assert_int_equal(tmmr_xmit_pkts(e.q, m, 8), 8);
			assert_int_equal(tmmr_txq_static_ring(e.q), e.st);
			take(&e, c, 8);
			for (i = 0; i < 8; i++)
				fdev_push_used(&e.dev, c[i].head, 0);
			if (round % 2 == 0) {
				for (i = 0; i < 8; i++)
					assert_int_equal(tmmr_txq_done_cleanup(e.q, 1), 1);
			} else {
				assert_int_equal(tmmr_txq_done_cleanup(e.q, 3), 3);
				assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 5);
			}
			assert_int_equal(rte_mbuf_refcnt_read(m[7]), 1);
			rte_pktmbuf_free(m[7]);
			assert_int_equal(rte_mempool_avail_count(small), 32);
			assert_int_equal(rte_mempool_avail_count(other), 8);
		}
		env_close(&e);
	}
	rte_mempool_free(small);
	rte_mempool_free(other);
}

/* A packet at @off in its buffer, the headroom before it filled with 0x5a. */
static struct rte_mbuf *
mbuf_at(uint16_t off)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memset(m->buf_addr, 0x5a, off);
	m->data_off = off;
	memcpy(rte_pktmbuf_mtod(m, void *), frame, FLEN);
	m->data_len = FLEN;
	m->pkt_len = FLEN;
	return m;
}

static void
assert_headroom_kept(const struct rte_mbuf *m)
{
	const uint8_t *b = m->buf_addr;
	uint16_t i;

	for (i = 0; i < m->data_off; i++)
		assert_int_equal(b[i], 0x5a);
}

/*
 * No header in front of the data when the headroom is too small or the
 * header would be odd-aligned: the indirect table's header slot, or a chain
 * with the header in its own descriptor; the headroom stays as it was.
 */
static void
test_txs_no_push(void **state)
{
	static const uint16_t off[4] = { RTE_PKTMBUF_HEADROOM, 4, 129, RTE_PKTMBUF_HEADROOM };
	struct rte_mbuf *m[4];
	struct fdev_chain c[4];
	struct env e;
	int i, ind;

	(void)state;
	for (ind = 0; ind < 2; ind++) {
		env_open(&e, ind);
		for (i = 0; i < 4; i++)
			m[i] = mbuf_at(off[i]);
		assert_int_equal(tmmr_xmit_pkts(e.q, m, 4), 4);
		/* in flight: still ours to look at until completed */
		take(&e, c, 4);
		for (i = 1; i < 3; i++) {
			if (ind) {
				assert_true(c[i].indirect);
			} else {
				assert_false(c[i].indirect);
				assert_int_equal(c[i].nseg, 2);
			}
			assert_int_equal(c[i].seg[0].len, e.dev.hdr_len);
			assert_headroom_kept(m[i]);
		}
		assert_false(c[0].indirect || c[3].indirect);
		assert_int_equal(c[0].nseg, 1);
		assert_int_equal(tmmr_txq_static_ring(e.q), e.st && ind);
		for (i = 0; i < 4; i++)
			fdev_push_used(&e.dev, c[i].head, 0);
		assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 4);
		env_close(&e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txs_out_of_order),
		cmocka_unit_test(test_txs_wrong_id),
		cmocka_unit_test(test_txs_index_wrap),
		cmocka_unit_test(test_txs_chain_between),
		cmocka_unit_test(test_txs_long_list),
		cmocka_unit_test(test_txs_full),
		cmocka_unit_test(test_txs_no_push),
		cmocka_unit_test(test_txs_put_mixed),
	};

	harness_eal_init();
	harness_frame(frame, FLEN, mac_uc, 3);
	pool = harness_pool("ring_txs_pool", 2048, RTE_MBUF_DEFAULT_BUF_SIZE);
	return cmocka_run_group_tests_name("ring_txstatic", tests, NULL, NULL);
}
