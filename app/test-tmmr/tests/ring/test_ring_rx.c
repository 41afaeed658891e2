/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Rx datapath against the scripted device: layouts, offloads, notifications. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "ring_harness.h"

#define NUM 256

static struct rte_mempool *pool;
static const uint8_t mac_uc[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t mac_bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

struct rx_env {
	struct tmmr_rxq *q;
	struct fdev dev;
	struct tmmr_dp_cfg cfg;
	unsigned int baseline;
};

static void
env_open(struct rx_env *e, const struct tmmr_dp_cfg *cfg, uint16_t num)
{
	uint64_t iova = 0;

	e->baseline = rte_mempool_in_use_count(pool);
	e->cfg = *cfg;
	e->q = tmmr_rxq_create(0, 0, num, SOCKET_ID_ANY, pool, cfg, &iova);
	assert_non_null(e->q);
	fdev_attach(&e->dev, iova, num, cfg->hdr_len);
	tmmr_rxq_set_doorbell(e->q, &e->dev.doorbell);
}

static void
env_close(struct rx_env *e)
{
	tmmr_rxq_stop(e->q);
	tmmr_rxq_free(e->q);
	fdev_detach(&e->dev);
	/* every mbuf the queue ever held is back */
	assert_int_equal(rte_mempool_in_use_count(pool), e->baseline);
}

/* Receive one packet and compare it with what the device sent. */
static struct rte_mbuf *
rx_one(struct rx_env *e, const uint8_t *frame, uint32_t len)
{
	static uint8_t got[16384];
	struct rte_mbuf *m = NULL;

	assert_int_equal(tmmr_recv_pkts(e->q, &m, 1), 1);
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(harness_copy(m, got, sizeof(got)), len);
	assert_memory_equal(got, frame, len);
	assert_int_equal(m->port, 0);
	return m;
}

static void
test_rx_mrg_single(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	const struct tmmr_q_stats *st;
	struct rx_env e;
	uint8_t frame[512];
	struct rte_mbuf *m;
	int i;

	(void)state;
	env_open(&e, &cfg, NUM);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	assert_int_equal(fdev_avail_pending(&e.dev), NUM);
	/* one descriptor per mbuf, the header lands in the headroom */
	assert_int_equal(e.dev.desc[0].flags, TMMR_VRING_DESC_F_WRITE);
	assert_int_equal(e.dev.desc[0].len, 2048 + 12);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + NUM);

	harness_frame(frame, 64, mac_uc, 1);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	m = rx_one(&e, frame, 64);
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->data_off, RTE_PKTMBUF_HEADROOM);
	assert_int_equal(m->ol_flags, 0);
	rte_pktmbuf_free(m);

	harness_frame(frame, 60, mac_bc, 2);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 60, true), 1);
	harness_frame(frame + 64, 200, mac_mc, 3);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame + 64, 200, true), 1);
	m = rx_one(&e, frame, 60);
	rte_pktmbuf_free(m);
	m = rx_one(&e, frame + 64, 200);
	rte_pktmbuf_free(m);

	st = tmmr_rxq_stats(e.q);
	assert_int_equal(st->packets, 3);
	assert_int_equal(st->bytes, 64 + 60 + 200);
	assert_int_equal(st->size_bins[0], 1);
	assert_int_equal(st->size_bins[7], 1);
	assert_int_equal(st->size_bins[2], 1);
	assert_int_equal(st->broadcast, 1);
	assert_int_equal(st->multicast, 1);
	assert_int_equal(st->errors, 0);
	/* fewer than a refill batch consumed: nothing posted, no doorbell */
	assert_int_equal(e.dev.avail->idx, NUM);
	assert_int_equal(fdev_doorbells(&e.dev), 0);

	/* a batch: refilled with one doorbell */
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	for (i = 0; i < 40; i++) {
		m = rx_one(&e, frame, 64);
		rte_pktmbuf_free(m);
	}
	/* refilled once 32 heads were free */
	assert_int_equal(e.dev.avail->idx, NUM + 32);
	assert_int_equal(fdev_avail_pending(&e.dev), NUM - 43 + 32);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	assert_int_equal(tmmr_rxq_stats(e.q)->doorbells, 2);
	tmmr_rxq_stats_reset(e.q);
	assert_int_equal(tmmr_rxq_stats(e.q)->packets, 0);
	env_close(&e);
}

static void
test_rx_mrg_multi(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	static uint8_t frame[6000];
	struct rte_mbuf *m, *pk[4];
	struct fdev_chain c[3];
	struct tmmr_net_hdr_mrg hdr;
	struct rx_env e;
	int i;

	(void)state;
	env_open(&e, &cfg, NUM);
	assert_int_equal(harness_rxq_start(e.q), 0);
	harness_frame(frame, 5000, mac_uc, 9);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 5000, true), 3);
	m = rx_one(&e, frame, 5000);
	assert_int_equal(m->nb_segs, 3);
	assert_int_equal(m->data_len, 2048);
	assert_int_equal(m->next->data_len, 2048 + 12);
	assert_int_equal(tmmr_rxq_stats(e.q)->size_bins[6], 1);
	rte_pktmbuf_free(m);

	/* a packet whose last buffer is not published yet waits for it */
	memset(&hdr, 0, sizeof(hdr));
	hdr.num_buffers = 3;
	for (i = 0; i < 3; i++)
		assert_true(fdev_pop(&e.dev, &c[i]));
	fdev_chain_write(&c[0], 0, &hdr, sizeof(hdr));
	fdev_chain_write(&c[0], sizeof(hdr), frame, 2048);
	fdev_chain_write(&c[1], 0, frame + 2048, 2060);
	fdev_chain_write(&c[2], 0, frame + 4108, 100);
	fdev_push_used(&e.dev, c[0].head, 2060);
	fdev_push_used(&e.dev, c[1].head, 2060);
	assert_int_equal(tmmr_rxq_count(e.q), 2);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 4), 0);
	fdev_push_used(&e.dev, c[2].head, 100);
	m = rx_one(&e, frame, 4208);
	assert_int_equal(m->nb_segs, 3);
	rte_pktmbuf_free(m);
	assert_int_equal(tmmr_rxq_count(e.q), 0);
	assert_int_equal(tmmr_rxq_stats(e.q)->errors, 0);
	env_close(&e);
}

/* No MRG_RXBUF, no ANY_LAYOUT: header descriptor, then the data descriptor. */
static void
test_rx_hdr_own_desc(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	struct fdev_chain c;
	uint8_t frame[1518];
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	env_open(&e, &cfg, NUM);
	assert_int_equal(harness_rxq_start(e.q), 0);
	/* 2-descriptor chains: half the ring in buffers */
	assert_int_equal(fdev_avail_pending(&e.dev), NUM / 2);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + NUM / 2);
	assert_true(fdev_pop(&e.dev, &c));
	assert_int_equal(c.nseg, 2);
	assert_int_equal(c.seg[0].len, 10);
	assert_int_equal(c.seg[1].len, 2048);
	assert_true(c.seg[0].write && c.seg[1].write);
	/* the header goes into the first mbuf's headroom, just before the data */
	assert_int_equal(c.seg[0].iova + 10, c.seg[1].iova);
	e.dev.last_avail--;

	harness_frame(frame, 1518, mac_uc, 4);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 1518, false), 1);
	m = rx_one(&e, frame, 1518);
	assert_int_equal(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	assert_int_equal(tmmr_rxq_stats(e.q)->size_bins[5], 1);
	env_close(&e);
}

/* Jumbo without MRG_RXBUF: each buffer is a chain of mbufs sized for the MTU. */
static void
test_rx_chain_jumbo(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	static uint8_t frame[9000];
	struct fdev_chain c;
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	cfg.max_rx_pkt_len = 9000;
	env_open(&e, &cfg, NUM);
	assert_int_equal(harness_rxq_start(e.q), 0);
	/* header + 5 mbufs = 6 descriptors, in slots of 8 */
	assert_int_equal(fdev_avail_pending(&e.dev), NUM / 8);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + NUM / 8 * 5);
	assert_true(fdev_pop(&e.dev, &c));
	assert_int_equal(c.nseg, 6);
	assert_int_equal(fdev_chain_cap(&c), 10 + 5 * 2048);
	e.dev.last_avail--;

	harness_frame(frame, 9000, mac_uc, 5);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 9000, false), 1);
	m = rx_one(&e, frame, 9000);
	assert_int_equal(m->nb_segs, 5);
	rte_pktmbuf_free(m);
	/* a short one: the chain's unused mbufs go back to the pool */
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 3000, false), 1);
	m = rx_one(&e, frame, 3000);
	assert_int_equal(m->nb_segs, 2);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + (NUM / 8 - 2) * 5);
	env_close(&e);
}

/* ANY_LAYOUT without MRG_RXBUF: header and data share the first descriptor. */
static void
test_rx_any_layout(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, true, false);
	struct fdev_chain c;
	uint8_t frame[1500];
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_avail_pending(&e.dev), 64);
	assert_true(fdev_pop(&e.dev, &c));
	assert_int_equal(c.nseg, 1);
	assert_int_equal(c.seg[0].len, 2048 + 10);
	e.dev.last_avail--;
	harness_frame(frame, 1000, mac_uc, 6);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 1000, false), 1);
	m = rx_one(&e, frame, 1000);
	rte_pktmbuf_free(m);
	env_close(&e);
}

static void
test_rx_offloads(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr h;
	uint8_t frame[128];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	cfg.rx_csum = true;
	cfg.rx_lro = true;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	harness_frame(frame, 100, mac_uc, 7);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(86);
	ip->next_proto_id = IPPROTO_TCP;
	frame[14 + 20 + 12] = 0x50;	/* TCP data offset 5 */

	memset(&h, 0, sizeof(h));
	h.flags = TMMR_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_int_equal(m->packet_type & RTE_PTYPE_L4_MASK, RTE_PTYPE_L4_TCP);
	assert_int_equal(m->packet_type & RTE_PTYPE_L2_MASK, RTE_PTYPE_L2_ETHER);
	assert_true(RTE_ETH_IS_IPV4_HDR(m->packet_type));
	rte_pktmbuf_free(m);

	/* no packet types wanted (rte_eth_dev_set_ptypes): the flags still, no parse */
	tmmr_rxq_set_no_ptype(e.q, true);
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_NONE);
	assert_int_equal(m->packet_type, RTE_PTYPE_UNKNOWN);
	rte_pktmbuf_free(m);
	tmmr_rxq_set_no_ptype(e.q, false);

	h.flags = TMMR_NET_HDR_F_DATA_VALID;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	rte_pktmbuf_free(m);

	/* checksum range past the packet */
	h.flags = TMMR_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 99;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_BAD);
	rte_pktmbuf_free(m);

	h.flags = TMMR_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.gso_type = TMMR_NET_HDR_GSO_TCPV4;
	h.gso_size = 1448;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
	assert_int_equal(m->tso_segsz, 1448);
	rte_pktmbuf_free(m);

	/* UFO is not something we asked for: dropped, counted */
	h.gso_type = TMMR_NET_HDR_GSO_UDP;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, &m, 1), 0);
	assert_int_equal(tmmr_rxq_stats(e.q)->errors, 1);
	assert_int_equal(tmmr_rxq_stats(e.q)->packets, 5);
	env_close(&e);
}

/* Offloads off: header flags ignored, no parsing. */
static void
test_rx_no_offload(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr h;
	uint8_t frame[100];
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	harness_frame(frame, 100, mac_uc, 7);
	memset(&h, 0, sizeof(h));
	h.flags = TMMR_NET_HDR_F_DATA_VALID;
	assert_int_equal(fdev_rx(&e.dev, &h, frame, 100, true), 1);
	m = rx_one(&e, frame, 100);
	assert_int_equal(m->ol_flags, 0);
	assert_int_equal(m->packet_type, 0);
	rte_pktmbuf_free(m);
	env_close(&e);
}

static void
test_rx_vlan_strip(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	uint8_t frame[100], want[96];
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	cfg.vlan_strip = true;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	harness_frame(frame, 100, mac_uc, 8);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = 0x00;
	frame[15] = 0x2a;
	frame[16] = 0x08;
	frame[17] = 0x00;
	memcpy(want, frame, 12);
	memcpy(want + 12, frame + 16, 84);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 100, true), 1);
	m = rx_one(&e, want, 96);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED);
	assert_int_equal(m->vlan_tci, 42);
	rte_pktmbuf_free(m);
	env_close(&e);
}

/* used->flags NO_NOTIFY: the device polls, no doorbell. */
static void
test_rx_notify_suppressed(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *pk[64];
	uint8_t frame[64];
	struct rx_env e;
	int i;

	(void)state;
	env_open(&e, &cfg, 64);
	e.dev.used->flags = TMMR_VRING_USED_F_NO_NOTIFY;
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	harness_frame(frame, 64, mac_uc, 1);
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 40);
	rte_pktmbuf_free_bulk(pk, 40);
	assert_int_equal(e.dev.avail->idx, 64 + 40);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	assert_int_equal(tmmr_rxq_stats(e.q)->doorbells, 0);
	/* the device asks again: one doorbell per burst */
	e.dev.used->flags = 0;
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 40);
	rte_pktmbuf_free_bulk(pk, 40);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	env_close(&e);
}

/* EVENT_IDX: a doorbell only when the new avail index crosses avail_event. */
static void
test_rx_event_idx(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	volatile uint16_t *avail_event, *used_event;
	struct rte_mbuf *pk[64];
	uint8_t frame[64];
	struct rx_env e;
	int i;

	(void)state;
	cfg.event_idx = true;
	env_open(&e, &cfg, 64);
	avail_event = (volatile uint16_t *)&e.dev.used->ring[64];
	used_event = (volatile uint16_t *)&e.dev.avail->ring[64];
	assert_int_equal(harness_rxq_start(e.q), 0);
	/* avail_event 0: the device wants to hear when entry 0 is made available */
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	harness_frame(frame, 64, mac_uc, 1);
	*avail_event = 200;	/* far ahead: no doorbell */
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 40);
	rte_pktmbuf_free_bulk(pk, 40);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	/* avail idx goes 104 -> 144 next: event 110 is crossed */
	*avail_event = 110;
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 40);
	rte_pktmbuf_free_bulk(pk, 40);
	assert_int_equal(fdev_doorbells(&e.dev), 1);

	/* Rx interrupts: suppressed by default, used_event set when enabled */
	assert_int_equal(e.dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(*used_event, 0xffff);
	assert_false(tmmr_rxq_intr_enable(e.q));
	assert_int_equal(*used_event, 80);
	assert_int_equal(e.dev.avail->flags, 0);
	tmmr_rxq_intr_disable(e.q);
	assert_int_equal(*used_event, 79);
	assert_int_equal(e.dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);

	/*
	 * A packet published after the last empty poll, while interrupts were
	 * off: used_event 80 is already passed, no interrupt will come. The
	 * enable reports it instead.
	 */
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_true(tmmr_rxq_intr_enable(e.q));
	assert_int_equal(*used_event, 80);
	tmmr_rxq_intr_disable(e.q);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 1);
	rte_pktmbuf_free(pk[0]);
	assert_false(tmmr_rxq_intr_enable(e.q));
	tmmr_rxq_intr_disable(e.q);
	env_close(&e);
}

static void
test_rx_intr_flags(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	assert_int_equal(e.dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(e.dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
	assert_false(tmmr_rxq_intr_enable(e.q));
	assert_int_equal(e.dev.avail->flags, 0);
	tmmr_rxq_intr_disable(e.q);
	assert_int_equal(e.dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
	env_close(&e);
}

/* Stop gives every posted mbuf back and the queue starts again from scratch. */
static void
test_rx_restart(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	uint8_t frame[64];
	struct rte_mbuf *m;
	struct rx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	harness_frame(frame, 64, mac_uc, 1);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	tmmr_rxq_stop(e.q);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	assert_int_equal(e.dev.avail->idx, 0);
	assert_int_equal(e.dev.used->idx, 0);
	e.dev.last_avail = 0;
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_avail_pending(&e.dev), 64);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	m = rx_one(&e, frame, 64);
	rte_pktmbuf_free(m);
	env_close(&e);
}

/* A small pool: the ring takes what there is and refills once mbufs come back. */
/*
 * A device that could not be reset may still write into the posted
 * buffers: they are given up, never back in the pool, and the queue starts
 * again with fresh ones.
 */
static void
test_rx_abandon(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *pk[4];
	uint8_t frame[64];
	struct rx_env e;
	unsigned int in_use;

	(void)state;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	in_use = rte_mempool_in_use_count(pool);
	assert_int_equal(in_use, e.baseline + 64);
	assert_int_equal(tmmr_rxq_abandon(e.q), 64);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use);
	assert_int_equal(tmmr_rxq_count(e.q), 0);
	/* a new start posts fresh buffers into the emptied ring */
	e.dev.last_avail = 0;
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(rte_mempool_in_use_count(pool), in_use + 64);
	harness_frame(frame, 64, mac_uc, 1);
	assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 4), 1);
	rte_pktmbuf_free(pk[0]);
	tmmr_rxq_stop(e.q);
	tmmr_rxq_free(e.q);
	fdev_detach(&e.dev);
	/* only the given-up ones are missing */
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 64);
}

/* nb_desc below the ring: only that many buffers are posted, refills keep to it. */
static void
test_rx_nb_desc(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *pk[64];
	uint8_t frame[64];
	struct rx_env e;
	int i;

	(void)state;
	env_open(&e, &cfg, 64);
	tmmr_rxq_set_nb_desc(e.q, 8);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_avail_pending(&e.dev), 8);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 8);
	harness_frame(frame, 64, mac_uc, 1);
	for (i = 0; i < 8; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, true), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 64), 8);
	rte_pktmbuf_free_bulk(pk, 8);
	assert_int_equal(fdev_avail_pending(&e.dev), 8);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 8);
	env_close(&e);

	/* chains of two descriptors: 9 descriptors make 4 chains; 0 is the whole ring */
	cfg = harness_cfg(false, false, false);
	env_open(&e, &cfg, 64);
	tmmr_rxq_set_nb_desc(e.q, 9);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_avail_pending(&e.dev), 4);
	tmmr_rxq_stop(e.q);
	tmmr_rxq_set_nb_desc(e.q, 0);
	e.dev.last_avail = 0;
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(fdev_avail_pending(&e.dev), 32);
	env_close(&e);
}

static void
test_rx_pool_short(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, true, false);
	struct rte_mempool *small = harness_pool("ring_rx_small", 40, RTE_MBUF_DEFAULT_BUF_SIZE);
	struct rte_mbuf *pk[64];
	uint8_t frame[64];
	struct tmmr_rxq *q;
	struct fdev dev;
	uint64_t iova;
	int i;

	(void)state;
	q = tmmr_rxq_create(0, 0, 64, SOCKET_ID_ANY, small, &cfg, &iova);
	assert_non_null(q);
	fdev_attach(&dev, iova, 64, cfg.hdr_len);
	tmmr_rxq_set_doorbell(q, &dev.doorbell);
	assert_int_equal(harness_rxq_start(q), 0);
	assert_int_equal(fdev_avail_pending(&dev), 40);
	assert_int_equal(rte_mempool_in_use_count(small), 40);
	assert_int_equal(tmmr_rxq_stats(q)->nombuf, 24);
	harness_frame(frame, 64, mac_uc, 1);
	for (i = 0; i < 40; i++)
		assert_int_equal(fdev_rx(&dev, NULL, frame, 64, false), 1);
	/* the device used them all; none can be posted while the app holds them */
	assert_int_equal(tmmr_recv_pkts(q, pk, 64), 40);
	assert_int_equal(dev.avail->idx, 40);
	rte_pktmbuf_free_bulk(pk, 40);
	assert_int_equal(tmmr_recv_pkts(q, pk, 64), 0);
	assert_int_equal(dev.avail->idx, 80);
	tmmr_rxq_free(q);
	fdev_detach(&dev);
	assert_int_equal(rte_mempool_in_use_count(small), 0);
	rte_mempool_free(small);
}

/*
 * Refill resets what a received packet does not overwrite: mbufs put back
 * into the pool raw, with stale offload fields, data_off and port, come out
 * of the ring as fresh ones.
 */
static void
test_rx_refill_rearm(void **state)
{
	static const bool mrg[2] = { true, false };
	struct rte_mempool *dirty;
	struct rte_mbuf *mb[32], *m;
	struct tmmr_dp_cfg cfg;
	uint8_t frame[64];
	struct rx_env e;
	unsigned int i, l;
	uint64_t iova;

	(void)state;
	harness_frame(frame, 64, mac_uc, 4);
	for (l = 0; l < 2; l++) {
		dirty = harness_pool("ring_rx_dirty", 32, RTE_MBUF_DEFAULT_BUF_SIZE);
		assert_int_equal(rte_pktmbuf_alloc_bulk(dirty, mb, 32), 0);
		for (i = 0; i < 32; i++) {
			mb[i]->ol_flags = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_L4_CKSUM_BAD;
			mb[i]->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4;
			mb[i]->vlan_tci = 7;
			mb[i]->vlan_tci_outer = 9;
			mb[i]->tx_offload = UINT64_MAX;
			mb[i]->port = 77;
			mb[i]->data_off = 6;
			mb[i]->pkt_len = 1000;
		}
		/* raw, as a driver's fast free does: nothing reset on the way */
		rte_mempool_put_bulk(dirty, (void **)mb, 32);
		cfg = harness_cfg(mrg[l], true, false);
		e.q = tmmr_rxq_create(3, 0, 16, SOCKET_ID_ANY, dirty, &cfg, &iova);
		assert_non_null(e.q);
		fdev_attach(&e.dev, iova, 16, cfg.hdr_len);
		tmmr_rxq_set_doorbell(e.q, &e.dev.doorbell);
		assert_int_equal(harness_rxq_start(e.q), 0);
		for (i = 0; i < 24; i++) {
			assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, mrg[l]), 1);
			assert_int_equal(tmmr_recv_pkts(e.q, &m, 1), 1);
			assert_int_equal(m->pkt_len, 64);
			assert_int_equal(m->data_len, 64);
			assert_memory_equal(rte_pktmbuf_mtod(m, void *), frame, 64);
			assert_int_equal(m->data_off, RTE_PKTMBUF_HEADROOM);
			assert_int_equal(rte_mbuf_refcnt_read(m), 1);
			assert_int_equal(m->nb_segs, 1);
			assert_null(m->next);
			assert_int_equal(m->port, 3);
			assert_int_equal(m->ol_flags, 0);
			assert_int_equal(m->packet_type, 0);
			assert_int_equal(m->vlan_tci, 0);
			assert_int_equal(m->vlan_tci_outer, 0);
			assert_int_equal(m->tx_offload, 0);
			rte_pktmbuf_free(m);
		}
		tmmr_rxq_stop(e.q);
		tmmr_rxq_free(e.q);
		fdev_detach(&e.dev);
		assert_int_equal(rte_mempool_in_use_count(dirty), 0);
		rte_mempool_free(dirty);
	}
}

/* Few chains in the ring: refills come in smaller batches. */
static void
test_rx_small_capacity(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	static uint8_t frame[9000];
	struct rte_mbuf *pk[8];
	struct rx_env e;
	int i;

	(void)state;
	cfg.max_rx_pkt_len = 9000;
	env_open(&e, &cfg, 64);
	assert_int_equal(harness_rxq_start(e.q), 0);
	assert_int_equal(e.dev.avail->idx, 8);
	harness_frame(frame, 64, mac_uc, 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(fdev_rx(&e.dev, NULL, frame, 64, false), 1);
	assert_int_equal(tmmr_recv_pkts(e.q, pk, 8), 4);
	rte_pktmbuf_free_bulk(pk, 4);
	assert_int_equal(e.dev.avail->idx, 12);
	env_close(&e);
}

/* Bad arguments are refused, not half-built. */
static void
test_rx_create_invalid(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	unsigned int base = rte_mempool_in_use_count(pool);
	uint64_t iova;

	(void)state;
	assert_null(tmmr_rxq_create(0, 0, 100, SOCKET_ID_ANY, pool, &cfg, &iova));
	cfg.hdr_len = 10;	/* MRG_RXBUF needs the 12-byte header */
	assert_null(tmmr_rxq_create(0, 0, 64, SOCKET_ID_ANY, pool, &cfg, &iova));
	cfg = harness_cfg(false, false, false);
	cfg.max_rx_pkt_len = 60000;	/* 30 mbufs + header: a 32-slot chain in a ring of 16 */
	assert_null(tmmr_rxq_create(0, 0, 16, SOCKET_ID_ANY, pool, &cfg, &iova));
	assert_int_equal(rte_mempool_in_use_count(pool), base);
}

static void
test_xstats_table(void **state)
{
	struct tmmr_q_stats s;
	unsigned int i, j;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.packets = 1;
	s.bad_used_idx = 9;
	s.size_bins[7] = 77;
	for (i = 0; i < TMMR_Q_XSTATS_NB; i++) {
		assert_non_null(tmmr_q_xstat_name(i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(tmmr_q_xstat_name(i), tmmr_q_xstat_name(j));
	}
	assert_null(tmmr_q_xstat_name(TMMR_Q_XSTATS_NB));
	assert_int_equal(tmmr_q_xstat_value(&s, TMMR_Q_XSTATS_NB), 0);
	for (i = 0; i < TMMR_Q_XSTATS_NB; i++) {
		const char *n = tmmr_q_xstat_name(i);

		if (strcmp(n, "good_packets") == 0)
			assert_int_equal(tmmr_q_xstat_value(&s, i), 1);
		else if (strcmp(n, "bad_used_idx") == 0)
			assert_int_equal(tmmr_q_xstat_value(&s, i), 9);
		else if (strcmp(n, "undersize_packets") == 0)
			assert_int_equal(tmmr_q_xstat_value(&s, i), 77);
		else
			assert_int_equal(tmmr_q_xstat_value(&s, i), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_mrg_single),
		cmocka_unit_test(test_rx_mrg_multi),
		cmocka_unit_test(test_rx_hdr_own_desc),
		cmocka_unit_test(test_rx_chain_jumbo),
		cmocka_unit_test(test_rx_any_layout),
		cmocka_unit_test(test_rx_offloads),
		cmocka_unit_test(test_rx_no_offload),
		cmocka_unit_test(test_rx_vlan_strip),
		cmocka_unit_test(test_rx_notify_suppressed),
		cmocka_unit_test(test_rx_event_idx),
		cmocka_unit_test(test_rx_intr_flags),
		cmocka_unit_test(test_rx_restart),
		cmocka_unit_test(test_rx_abandon),
		cmocka_unit_test(test_rx_nb_desc),
		cmocka_unit_test(test_rx_pool_short),
		cmocka_unit_test(test_rx_refill_rearm),
		cmocka_unit_test(test_rx_small_capacity),
		cmocka_unit_test(test_rx_create_invalid),
		cmocka_unit_test(test_xstats_table),
	};

	harness_eal_init();
	pool = harness_pool("ring_rx_pool", 4096, RTE_MBUF_DEFAULT_BUF_SIZE);
	return cmocka_run_group_tests_name("ring_rx", tests, NULL, NULL);
}
