/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Tx datapath against the scripted device: header placement, offloads, doorbells. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "ring_harness.h"
#include "tmmr_vq.h"

static struct rte_mempool *pool;
static const uint8_t mac_uc[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

struct tx_env {
	struct tmmr_txq *q;
	struct fdev dev;
	unsigned int baseline;
};

static void
env_open(struct tx_env *e, const struct tmmr_dp_cfg *cfg, uint16_t num)
{
	uint64_t iova = 0;

	e->baseline = rte_mempool_in_use_count(pool);
	e->q = tmmr_txq_create(0, 1, num, SOCKET_ID_ANY, cfg, &iova);
	assert_non_null(e->q);
	fdev_attach(&e->dev, iova, num, cfg->hdr_len);
	tmmr_txq_set_doorbell(e->q, &e->dev.doorbell);
	harness_txq_path(e->q, cfg);
	/* Tx completions are polled: interrupts suppressed */
	assert_int_equal(e->dev.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
}

static void
env_close(struct tx_env *e)
{
	tmmr_txq_stop(e->q);
	tmmr_txq_free(e->q);
	fdev_detach(&e->dev);
	assert_int_equal(rte_mempool_in_use_count(pool), e->baseline);
}

/* The device takes one chain and checks the bytes; returns the header. */
static struct tmmr_net_hdr_mrg
tx_check(struct tx_env *e, const uint8_t *frame, uint32_t len, struct fdev_chain *c)
{
	static uint8_t got[65536];
	struct tmmr_net_hdr_mrg h;

	memset(&h, 0xee, sizeof(h));
	assert_int_equal(fdev_tx(&e->dev, &h, got, sizeof(got), c), (int)len);
	assert_memory_equal(got, frame, len);
	return h;
}

static void
assert_hdr_zero(const struct tmmr_net_hdr_mrg *h, uint16_t hdr_len)
{
	static const uint8_t zero[12];

	assert_memory_equal(h, zero, hdr_len);
}

static void
test_tx_headroom(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr_mrg h;
	struct fdev_chain c;
	uint8_t frame[100];
	struct rte_mbuf *m;
	struct tx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	harness_frame(frame, 100, mac_uc, 1);
	m = harness_mbuf(pool, frame, 100, 1);
	assert_int_equal(tmmr_xmit_prep(e.q, &m, 1), 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	h = tx_check(&e, frame, 100, &c);
	assert_hdr_zero(&h, 12);
	/* one descriptor: the header sits right before the data */
	assert_int_equal(c.nseg, 1);
	assert_false(c.indirect);
	assert_int_equal(c.seg[0].iova, rte_mbuf_data_iova(m) - 12);
	assert_int_equal(c.seg[0].len, 112);
	/* still ours until reclaimed */
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 1);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 1);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	assert_int_equal(tmmr_txq_stats(e.q)->packets, 1);
	assert_int_equal(tmmr_txq_stats(e.q)->bytes, 100);
	assert_int_equal(tmmr_txq_stats(e.q)->size_bins[1], 1);
	env_close(&e);
}

#define TX_OFFLOAD_FEATURES ((1u << TMMR_NET_F_CSUM) | (1u << TMMR_NET_F_HOST_TSO4) | \
			     (1u << TMMR_NET_F_HOST_TSO6))

/*
 * A header pushed into the headroom goes out zero whatever the headroom held:
 * a received header (num_buffers 1 with MRG_RXBUF, which transmit must send
 * as 0), garbage, or one stray byte at any position (the Tx path only stores
 * when the header is not zero already, so every byte must be looked at).
 */
static void
test_tx_headroom_dirty(void **state)
{
	static const uint16_t lens[] = { 10, 12 };
	unsigned int l, k;

	(void)state;
	/* 10 and 12 bytes, each without and with Tx offloads acked (a packet without
	 * offload flags on such a queue: its header too must reach the device zeroed)
	 */
	for (l = 0; l < 2 * RTE_DIM(lens); l++) {
		uint16_t hl = lens[l % RTE_DIM(lens)];
		struct tmmr_dp_cfg cfg = harness_cfg(hl == 12, true, false);
		struct tx_env e;

		if (l >= RTE_DIM(lens))
			cfg.features |= TX_OFFLOAD_FEATURES;
		env_open(&e, &cfg, 64);
		/* k < hl: byte k set; hl: all 0xff; hl + 1: a received header; hl + 2: zero */
		for (k = 0; k < hl + 3u; k++) {
			struct tmmr_net_hdr_mrg h;
			struct fdev_chain c;
			uint8_t frame[80], *dst;
			struct rte_mbuf *m;

			harness_frame(frame, sizeof(frame), mac_uc, k);
			m = harness_mbuf(pool, frame, sizeof(frame), 1);
			dst = rte_pktmbuf_mtod_offset(m, uint8_t *, -(int)hl);
			memset(dst, 0, hl);
			if (k < hl)
				dst[k] = 0x5a;
			else if (k == hl)
				memset(dst, 0xff, hl);
			else if (k == hl + 1u && hl == 12)
				dst[10] = 1;	/* num_buffers 1, as a device wrote it */
			assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
			h = tx_check(&e, frame, sizeof(frame), &c);
			assert_int_equal(c.nseg, 1);
			assert_int_equal(c.seg[0].iova, rte_mbuf_data_iova(m) - hl);
			assert_hdr_zero(&h, hl);
			assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 1);
		}
		env_close(&e);
	}
}

/* Without ANY_LAYOUT, or with an mbuf we may not write in front of. */
static void
test_tx_separate_hdr(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	struct tmmr_net_hdr_mrg h;
	struct rte_mbuf *m, *clone;
	struct fdev_chain c;
	uint8_t frame[300];
	struct tx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	harness_frame(frame, 300, mac_uc, 2);
	m = harness_mbuf(pool, frame, 300, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	h = tx_check(&e, frame, 300, &c);
	assert_hdr_zero(&h, 10);
	assert_int_equal(c.nseg, 2);
	assert_int_equal(c.seg[0].len, 10);
	assert_int_equal(c.seg[1].iova, rte_mbuf_data_iova(m));
	assert_int_equal(c.seg[1].len, 300);
	env_close(&e);

	/* ANY_LAYOUT, but shared, cloned or without headroom: own descriptor */
	cfg = harness_cfg(true, true, false);
	env_open(&e, &cfg, 64);
	m = harness_mbuf(pool, frame, 300, 1);
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	h = tx_check(&e, frame, 300, &c);
	assert_int_equal(c.nseg, 2);
	assert_int_equal(c.seg[0].len, 12);
	assert_hdr_zero(&h, 12);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 1);
	clone = rte_pktmbuf_clone(m, pool);
	assert_non_null(clone);
	assert_int_equal(tmmr_xmit_pkts(e.q, &clone, 1), 1);
	tx_check(&e, frame, 300, &c);
	assert_int_equal(c.nseg, 2);
	rte_pktmbuf_free(m);
	m = harness_mbuf(pool, frame, 300, 1);
	m->data_off = 0;
	memcpy(rte_pktmbuf_mtod(m, void *), frame, 300);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	tx_check(&e, frame, 300, &c);
	assert_int_equal(c.nseg, 2);
	/* an odd address for the header: not pushed either */
	m = harness_mbuf(pool, frame, 300, 1);
	m->data_off = 61;
	memcpy(rte_pktmbuf_mtod(m, void *), frame, 300);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	tx_check(&e, frame, 300, &c);
	assert_int_equal(c.nseg, 2);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 3);
	env_close(&e);
}

static void
test_tx_indirect(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, false, true);
	static uint8_t frame[3000];
	struct tmmr_net_hdr_mrg h;
	struct fdev_chain c;
	struct rte_mbuf *m;
	struct tx_env e;

	(void)state;
	env_open(&e, &cfg, 64);
	harness_frame(frame, 3000, mac_uc, 3);
	m = harness_mbuf(pool, frame, 200, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	assert_int_equal(e.dev.desc[e.dev.avail->ring[0]].flags, TMMR_VRING_DESC_F_INDIRECT);
	assert_int_equal(e.dev.desc[e.dev.avail->ring[0]].len, 2 * 16);
	h = tx_check(&e, frame, 200, &c);
	assert_hdr_zero(&h, 12);
	assert_true(c.indirect);
	assert_int_equal(c.nseg, 2);
	assert_int_equal(c.seg[0].len, 12);

	/* three segments: still one ring slot */
	m = harness_mbuf(pool, frame, 3000, 3);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	h = tx_check(&e, frame, 3000, &c);
	assert_true(c.indirect);
	assert_int_equal(c.nseg, 4);
	/* a packet with more segments than a table holds: chained instead */
	m = harness_mbuf(pool, frame, 3000, 40);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
	h = tx_check(&e, frame, 3000, &c);
	assert_false(c.indirect);
	assert_int_equal(c.nseg, 41);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 3);
	env_close(&e);
}

static void
test_tx_multiseg(void **state)
{
	static uint8_t frame[5000];
	struct fdev_chain c;
	struct rte_mbuf *m[2];
	struct tx_env e;
	unsigned int layout;

	(void)state;
	harness_frame(frame, 5000, mac_uc, 4);
	for (layout = 0; layout < 2; layout++) {
		struct tmmr_dp_cfg cfg = harness_cfg(layout == 0, layout == 0, false);

		env_open(&e, &cfg, 64);
		m[0] = harness_mbuf(pool, frame, 5000, 3);
		m[1] = harness_mbuf(pool, frame, 1000, 2);
		assert_int_equal(tmmr_xmit_pkts(e.q, m, 2), 2);
		assert_int_equal(fdev_doorbells(&e.dev), 1);
		tx_check(&e, frame, 5000, &c);
		assert_int_equal(c.nseg, layout == 0 ? 3 : 4);
		tx_check(&e, frame, 1000, &c);
		assert_int_equal(c.nseg, layout == 0 ? 2 : 3);
		assert_int_equal(tmmr_txq_stats(e.q)->bytes, 6000);
		env_close(&e);
	}
}

/* An IPv4 (or IPv6) + TCP (or UDP) frame with consistent lengths. */
static uint32_t
build_l4(uint8_t *f, bool v6, bool tcp, uint32_t payload)
{
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint32_t l4 = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	uint32_t len = 14 + l3 + l4 + payload;
	uint8_t *ip = f + 14;

	harness_frame(f, len, mac_uc, 5);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(l4 + payload);
		h->proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->hop_limits = 64;
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		memset(h, 0, sizeof(*h));
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(l3 + l4 + payload);
		h->time_to_live = 64;
		h->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->src_addr = rte_cpu_to_be_32(0x0a000001);
		h->dst_addr = rte_cpu_to_be_32(0x0a000002);
	}
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + l3);

		t->data_off = 0x50;
		t->cksum = 0;
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + l3);

		u->dgram_len = rte_cpu_to_be_16(l4 + payload);
		u->dgram_cksum = 0;
	}
	return len;
}

/* What the device does for NEEDS_CSUM: complete the sum from csum_start. */
static void
device_complete_csum(uint8_t *pkt, uint32_t len, const struct tmmr_net_hdr *h)
{
	uint16_t sum = rte_raw_cksum(pkt + h->csum_start, len - h->csum_start);
	uint16_t cks = (uint16_t)~sum;

	memcpy(pkt + h->csum_start + h->csum_offset, &cks, 2);
}

static void
tx_offload_case(struct tx_env *e, bool v6, bool tcp, bool tso)
{
	static uint8_t frame[8192], got[8192];
	struct tmmr_net_hdr_mrg h;
	struct fdev_chain c;
	uint32_t payload = tso ? 3000 : 50;
	uint32_t len = build_l4(frame, v6, tcp, payload);
	uint32_t l3 = v6 ? 40 : 20, l4 = tcp ? 20 : 8;
	struct rte_mbuf *m = harness_mbuf(pool, frame, len, tso ? 2 : 1);
	int n;

	m->l2_len = 14;
	m->l3_len = l3;
	m->l4_len = l4;
	m->ol_flags = v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4;
	if (tso) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
		m->tso_segsz = 1400;
	} else {
		m->ol_flags |= tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	}
	if (!v6)
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
	n = tmmr_xmit_prep(e->q, &m, 1);
	if (n != 1)
		fail_msg("tx_prep: %s", rte_strerror(rte_errno));
	assert_int_equal(tmmr_xmit_pkts(e->q, &m, 1), 1);
	memset(&h, 0, sizeof(h));
	n = fdev_tx(&e->dev, &h, got, sizeof(got), &c);
	assert_int_equal(n, (int)len);
	assert_int_equal(h.hdr.flags, TMMR_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.hdr.csum_start, 14 + l3);
	assert_int_equal(h.hdr.csum_offset, tcp ? 16 : 6);
	if (tso) {
		assert_int_equal(h.hdr.gso_type, v6 ? TMMR_NET_HDR_GSO_TCPV6 :
				 TMMR_NET_HDR_GSO_TCPV4);
		assert_int_equal(h.hdr.gso_size, 1400);
		assert_int_equal(h.hdr.hdr_len, 14 + l3 + l4);
	} else {
		assert_int_equal(h.hdr.gso_type, TMMR_NET_HDR_GSO_NONE);
		assert_int_equal(h.hdr.gso_size, 0);
	}
	/* the pseudo-header sum left by tx_prep makes the completed sum valid */
	device_complete_csum(got, len, &h.hdr);
	if (v6)
		assert_int_equal(rte_ipv6_udptcp_cksum_verify(
			(struct rte_ipv6_hdr *)(got + 14), got + 14 + l3), 0);
	else {
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(
			(struct rte_ipv4_hdr *)(got + 14), got + 14 + l3), 0);
		/* and the IPv4 header sum is right */
		assert_int_equal(rte_raw_cksum(got + 14, 20), 0xffff);
	}
}

static void
test_tx_csum_tso(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tx_env e;

	(void)state;
	cfg.features |= TX_OFFLOAD_FEATURES;
	env_open(&e, &cfg, 64);
	tx_offload_case(&e, false, true, false);
	tx_offload_case(&e, false, false, false);
	tx_offload_case(&e, true, true, false);
	tx_offload_case(&e, true, false, false);
	tx_offload_case(&e, false, true, true);
	tx_offload_case(&e, true, true, true);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 6);
	env_close(&e);
	/* the same through a separate header */
	cfg = harness_cfg(false, false, false);
	cfg.features |= TX_OFFLOAD_FEATURES;
	env_open(&e, &cfg, 64);
	tx_offload_case(&e, false, true, true);
	tx_offload_case(&e, true, false, false);
	env_close(&e);
}

/* Send @m without tx_prep (as an application may) and read the header it got. */
static void
tx_raw_hdr(struct tx_env *e, struct rte_mbuf *m, struct tmmr_net_hdr_mrg *h)
{
	static uint8_t got[8192];
	struct fdev_chain c;

	assert_int_equal(tmmr_xmit_pkts(e->q, &m, 1), 1);
	memset(h, 0xee, sizeof(*h));
	assert_true(fdev_tx(&e->dev, h, got, sizeof(got), &c) > 0);
}

/*
 * The header carries only what was negotiated: no NEEDS_CSUM without CSUM,
 * no GSO without HOST_TSO4/6 for the packet's family (an IPv6 GSO header to a
 * TSO4-only device breaks the spec); tx_prep refuses such packets.
 */
static void
test_tx_hdr_negotiated(void **state)
{
	static uint8_t frame[8192];
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_net_hdr_mrg h;
	struct rte_mbuf *m;
	struct tx_env e;
	uint32_t len;
	int v6;

	(void)state;
	/* nothing acked */
	env_open(&e, &cfg, 64);
	for (v6 = 0; v6 < 2; v6++) {
		len = build_l4(frame, v6, true, 3000);
		m = harness_mbuf(pool, frame, len, 2);
		m->l2_len = 14;
		m->l3_len = v6 ? 40 : 20;
		m->l4_len = 20;
		m->tso_segsz = 1400;
		m->ol_flags = (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
			RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
		assert_int_equal(tmmr_xmit_prep(e.q, &m, 1), 0);
		assert_int_equal(rte_errno, ENOTSUP);
		m->ol_flags &= ~RTE_MBUF_F_TX_TCP_SEG;
		assert_int_equal(tmmr_xmit_prep(e.q, &m, 1), 0);
		assert_int_equal(rte_errno, ENOTSUP);
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		tx_raw_hdr(&e, m, &h);
		assert_int_equal(h.hdr.flags, 0);
		assert_int_equal(h.hdr.gso_type, TMMR_NET_HDR_GSO_NONE);
		assert_int_equal(h.hdr.gso_size, 0);
		assert_int_equal(h.hdr.csum_start, 0);
		assert_int_equal(h.num_buffers, 0);
	}
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 2);
	env_close(&e);

	/* CSUM and HOST_TSO4 only: IPv4 TSO goes, IPv6 TSO is refused */
	cfg.features |= (1u << TMMR_NET_F_CSUM) | (1u << TMMR_NET_F_HOST_TSO4);
	env_open(&e, &cfg, 64);
	tx_offload_case(&e, false, true, true);
	tx_offload_case(&e, true, true, false);
	len = build_l4(frame, true, true, 3000);
	m = harness_mbuf(pool, frame, len, 2);
	m->l2_len = 14;
	m->l3_len = 40;
	m->l4_len = 20;
	m->tso_segsz = 1400;
	m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	assert_int_equal(tmmr_xmit_prep(e.q, &m, 1), 0);
	assert_int_equal(rte_errno, ENOTSUP);
	/* sent anyway: a checksum request, no GSO */
	tx_raw_hdr(&e, m, &h);
	assert_int_equal(h.hdr.flags, TMMR_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.hdr.gso_type, TMMR_NET_HDR_GSO_NONE);
	assert_int_equal(h.hdr.gso_size, 0);
	assert_int_equal(h.hdr.csum_start, 14 + 40);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 3);
	env_close(&e);
}

/* Bytes of the header area of @q equal to @v, over @slots slots. */
static size_t
hdr_area_count(const struct tmmr_txq *q, uint16_t slots, uint8_t v)
{
	size_t i, n = 0;

	for (i = 0; i < (size_t)slots * TMMR_TX_HDR_SLOT; i++)
		n += q->hdr_va[i] == v;
	return n;
}

/*
 * Without Tx offloads the per-slot headers are zeroed once at setup and a
 * burst never writes them (a marker put there stays); with CSUM acked the
 * header of each posted slot is written per packet.
 */
static void
test_tx_hdr_area(void **state)
{
	static const bool layouts[2][3] = {
		{ false, false, false },	/* chained: header slot + data */
		{ true, false, true },		/* indirect */
	};
	static uint8_t frame[300];
	struct tmmr_dp_cfg cfg;
	struct fdev_chain c;
	struct rte_mbuf *m;
	struct tx_env e;
	unsigned int l, i, acked;

	(void)state;
	harness_frame(frame, 300, mac_uc, 9);
	for (acked = 0; acked < 2; acked++) {
		for (l = 0; l < 2; l++) {
			cfg = harness_cfg(layouts[l][0], layouts[l][1], layouts[l][2]);
			if (acked)
				cfg.features |= TX_OFFLOAD_FEATURES;
			env_open(&e, &cfg, 64);
			/* zeroed at setup */
			assert_int_equal(hdr_area_count(e.q, 64, 0), 64 * TMMR_TX_HDR_SLOT);
			memset(e.q->hdr_va, 0x5a, 64 * TMMR_TX_HDR_SLOT);
			for (i = 0; i < 8; i++) {
				m = harness_mbuf(pool, frame, 300, 1);
				assert_int_equal(tmmr_xmit_pkts(e.q, &m, 1), 1);
				if (layouts[l][2]) {
					assert_true(fdev_pop(&e.dev, &c));
					assert_true(c.indirect);
					assert_int_equal(c.seg[0].iova, e.q->hdr_iova +
							 (uint64_t)c.head * TMMR_TX_HDR_SLOT);
					assert_int_equal(c.seg[0].len, cfg.hdr_len);
					fdev_push_used(&e.dev, c.head, 0);
				}
			}
			if (!acked) {
				/* not one byte written */
				assert_int_equal(hdr_area_count(e.q, 64, 0x5a),
						 64 * TMMR_TX_HDR_SLOT);
			} else {
				/* the posted slots got a fresh (zero) header */
				assert_int_equal(64 * TMMR_TX_HDR_SLOT -
						 hdr_area_count(e.q, 64, 0x5a),
						 8 * cfg.hdr_len);
			}
			assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), layouts[l][2] ? 8 : 0);
			env_close(&e);
		}
	}
}

/*
 * Fast free: the completed mbufs go back to their pool, exactly those; an
 * mbuf outside the contract (other pool, chained, shared) is still freed
 * correctly.
 */
static void
test_tx_fast_free(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *m[16], *got[16], *odd[3];
	struct rte_mempool *small, *other;
	struct fdev_chain c;
	uint8_t frame[64];
	struct tx_env e;
	unsigned int i, j, found;

	(void)state;
	small = rte_pktmbuf_pool_create("ff_small", 16, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	other = rte_pktmbuf_pool_create("ff_other", 16, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	assert_non_null(small);
	assert_non_null(other);
	harness_frame(frame, 64, mac_uc, 5);
	env_open(&e, &cfg, 64);
	tmmr_txq_set_fast_free(e.q, true);
	for (i = 0; i < 16; i++) {
		m[i] = harness_mbuf(small, frame, 64, 1);
		assert_non_null(m[i]);
	}
	assert_int_equal(rte_mempool_avail_count(small), 0);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 16), 16);
	for (i = 0; i < 16; i++)
		tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 16);
	/* all back, and they are the ones sent (the pool holds nothing else) */
	assert_int_equal(rte_mempool_avail_count(small), 16);
	assert_int_equal(rte_pktmbuf_alloc_bulk(small, got, 16), 0);
	for (i = 0, found = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			found += got[i] == m[j];
	assert_int_equal(found, 16);
	for (i = 0; i < 16; i++) {
		assert_int_equal(rte_mbuf_refcnt_read(got[i]), 1);
		assert_int_equal(got[i]->nb_segs, 1);
		assert_null(got[i]->next);
	}
	rte_pktmbuf_free_bulk(got, 16);

	/* outside the contract: another pool, two segments, a second reference */
	m[0] = harness_mbuf(small, frame, 64, 1);
	odd[0] = harness_mbuf(other, frame, 64, 1);
	odd[1] = harness_mbuf(small, frame, 64, 2);
	odd[2] = harness_mbuf(small, frame, 64, 1);
	rte_mbuf_refcnt_update(odd[2], 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 1), 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, odd, 3), 3);
	for (i = 0; i < 4; i++)
		tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 4);
	assert_int_equal(rte_mempool_avail_count(other), 16);
	assert_int_equal(rte_mempool_avail_count(small), 15);
	assert_int_equal(rte_mbuf_refcnt_read(odd[2]), 1);
	rte_pktmbuf_free(odd[2]);
	assert_int_equal(rte_mempool_avail_count(small), 16);
	env_close(&e);
	rte_mempool_free(small);
	rte_mempool_free(other);
}

static void
test_tx_prep_rejects(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	uint8_t frame[128];
	struct rte_mbuf *m[3];
	struct tx_env e;
	uint32_t len;

	(void)state;
	cfg.features |= TX_OFFLOAD_FEATURES;
	env_open(&e, &cfg, 64);
	len = build_l4(frame, false, true, 20);
	m[0] = harness_mbuf(pool, frame, len, 1);
	m[1] = harness_mbuf(pool, frame, len, 1);
	m[2] = harness_mbuf(pool, frame, len, 1);
	m[1]->l2_len = 14;
	m[1]->l3_len = 20;
	m[1]->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM;
	assert_int_equal(tmmr_xmit_prep(e.q, m, 3), 1);
	assert_int_equal(rte_errno, ENOTSUP);
	m[1]->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
	m[1]->l4_len = 20;
	m[1]->tso_segsz = 0;
	assert_int_equal(tmmr_xmit_prep(e.q, m, 3), 1);
	assert_int_equal(rte_errno, EINVAL);
	/* TSO without saying IPv4 or IPv6 */
	m[1]->ol_flags = RTE_MBUF_F_TX_TCP_SEG;
	m[1]->tso_segsz = 100;
	assert_int_equal(tmmr_xmit_prep(e.q, m, 3), 1);
	/* header lengths beyond the first segment */
	m[1]->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	m[1]->l3_len = 200;
	assert_int_equal(tmmr_xmit_prep(e.q, m, 3), 1);
	m[1]->l3_len = 20;
	assert_int_equal(tmmr_xmit_prep(e.q, m, 3), 3);
	rte_pktmbuf_free_bulk(m, 3);
	env_close(&e);
}

/* nb_desc below the ring: at most that many descriptors in flight. */
static void
test_tx_nb_desc(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *m[24];
	struct fdev_chain c;
	uint8_t frame[64];
	struct tx_env e;
	int i;

	(void)state;
	harness_frame(frame, 64, mac_uc, 9);
	env_open(&e, &cfg, 64);
	tmmr_txq_set_nb_desc(e.q, 16);
	for (i = 0; i < 24; i++)
		m[i] = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 24), 16);
	assert_int_equal(fdev_avail_pending(&e.dev), 16);
	/* completions make room again */
	for (i = 0; i < 4; i++)
		tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_xmit_pkts(e.q, m + 16, 8), 4);
	rte_pktmbuf_free_bulk(m + 20, 4);
	/* a packet that can never fit the limit is dropped, not left to stall */
	m[0] = harness_mbuf(pool, frame, 64, 17);
	assert_int_equal(tmmr_xmit_prep(e.q, m, 1), 0);
	rte_pktmbuf_free(m[0]);
	env_close(&e);
}

/* A control-path packet goes out first with the next burst, even an empty one. */
static void
test_tx_inject(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *m[2], *inj;
	struct fdev_chain c;
	uint8_t frame[64], other[64];
	struct tx_env e;

	(void)state;
	harness_frame(frame, 64, mac_uc, 10);
	harness_frame(other, 64, mac_uc, 11);
	env_open(&e, &cfg, 64);
	inj = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_txq_inject(e.q, inj), 0);
	m[0] = harness_mbuf(pool, other, 64, 1);
	assert_int_equal(tmmr_txq_inject(e.q, m[0]), -EBUSY);
	assert_int_equal(fdev_avail_pending(&e.dev), 0);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 0), 0);
	tx_check(&e, frame, 64, &c);
	/* ahead of the burst's own packets */
	inj = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_txq_inject(e.q, inj), 0);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 1), 1);
	tx_check(&e, frame, 64, &c);
	tx_check(&e, other, 64, &c);
	/* one never sent is freed at stop */
	inj = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_txq_inject(e.q, inj), 0);
	env_close(&e);
}

static void
test_tx_notify(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	volatile uint16_t *avail_event;
	struct rte_mbuf *m[8];
	struct fdev_chain c;
	uint8_t frame[64];
	struct tx_env e;
	int i;

	(void)state;
	harness_frame(frame, 64, mac_uc, 6);
	env_open(&e, &cfg, 64);
	e.dev.used->flags = TMMR_VRING_USED_F_NO_NOTIFY;
	for (i = 0; i < 8; i++)
		m[i] = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 4), 4);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	e.dev.used->flags = 0;
	assert_int_equal(tmmr_xmit_pkts(e.q, m + 4, 4), 4);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	assert_int_equal(tmmr_txq_stats(e.q)->doorbells, 1);
	/* nothing to send: no doorbell */
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 0), 0);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	for (i = 0; i < 8; i++)
		tx_check(&e, frame, 64, &c);
	env_close(&e);

	cfg.event_idx = true;
	env_open(&e, &cfg, 64);
	avail_event = (volatile uint16_t *)&e.dev.used->ring[64];
	for (i = 0; i < 8; i++)
		m[i] = harness_mbuf(pool, frame, 64, 1);
	*avail_event = 10;	/* 0 -> 4 does not cross it */
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 4), 4);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	/* 4 -> 8 crosses 5 */
	*avail_event = 5;
	assert_int_equal(tmmr_xmit_pkts(e.q, m + 4, 4), 4);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	env_close(&e);
}

/*
 * A secondary process rings the doorbells it holds (tmmr_proc_doorbells), not
 * the ones the primary stored in the shared queue.
 */
static void
test_tx_proc_doorbell(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct tmmr_doorbell own[2];
	struct rte_mbuf *m[2];
	struct fdev_chain c;
	uint8_t frame[64];
	struct tx_env e;
	uint64_t v = 0;
	int efd;

	(void)state;
	harness_frame(frame, 64, mac_uc, 7);
	env_open(&e, &cfg, 64);
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	memset(own, 0, sizeof(own));
	own[0].efd = -1;
	own[1].efd = efd;	/* the queue is virtqueue 1 of port 0 */
	own[1].queue = 1;
	tmmr_proc_doorbells[0] = own;
	m[0] = harness_mbuf(pool, frame, 64, 1);
	m[1] = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m[0], 1), 1);
	assert_int_equal(fdev_doorbells(&e.dev), 0);
	assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);
	/* back to the queue's own */
	tmmr_proc_doorbells[0] = NULL;
	tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_xmit_pkts(e.q, &m[1], 1), 1);
	assert_int_equal(fdev_doorbells(&e.dev), 1);
	assert_int_equal(read(efd, &v, sizeof(v)), -1);
	tx_check(&e, frame, 64, &c);
	close(efd);
	env_close(&e);
}

/* A full ring takes what fits; reclaim makes room again. */
static void
test_tx_ring_full(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(true, true, false);
	struct rte_mbuf *m[100];
	struct fdev_chain c;
	uint8_t frame[64];
	struct tx_env e;
	int i;

	(void)state;
	harness_frame(frame, 64, mac_uc, 7);
	env_open(&e, &cfg, 64);
	for (i = 0; i < 100; i++)
		m[i] = harness_mbuf(pool, frame, 64, 1);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 100), 64);
	assert_int_equal(tmmr_xmit_pkts(e.q, m + 64, 36), 0);
	for (i = 0; i < 40; i++)
		tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_xmit_pkts(e.q, m + 64, 36), 36);
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline + 60);
	for (i = 0; i < 20; i++)
		tx_check(&e, frame, 64, &c);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 5), 5);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 15);
	assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 0);
	/* stop takes back what the device never completed */
	env_close(&e);
}

/* A packet that can never fit the ring is dropped, not left to stall it. */
static void
test_tx_too_many_segs(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	struct rte_mbuf *m[2];
	struct fdev_chain c;
	uint8_t frame[600];
	struct tx_env e;

	(void)state;
	harness_frame(frame, 600, mac_uc, 8);
	env_open(&e, &cfg, 16);
	m[0] = harness_mbuf(pool, frame, 600, 20);
	m[1] = harness_mbuf(pool, frame, 600, 2);
	assert_int_equal(tmmr_xmit_prep(e.q, m, 2), 0);
	assert_int_equal(tmmr_xmit_pkts(e.q, m, 2), 2);
	assert_int_equal(tmmr_txq_stats(e.q)->errors, 1);
	assert_int_equal(tmmr_txq_stats(e.q)->packets, 1);
	tx_check(&e, frame, 600, &c);
	assert_int_equal(c.nseg, 3);
	env_close(&e);
}

/* Chains come back out of order; the free list stays whole. */
static void
test_tx_out_of_order(void **state)
{
	struct tmmr_dp_cfg cfg = harness_cfg(false, false, false);
	struct fdev_chain c[8];
	struct rte_mbuf *m[8];
	uint8_t frame[600];
	struct tx_env e;
	int i, round;

	(void)state;
	harness_frame(frame, 600, mac_uc, 9);
	env_open(&e, &cfg, 32);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 8; i++)
			m[i] = harness_mbuf(pool, frame, 600, 1 + (i + round) % 3);
		assert_int_equal(tmmr_xmit_pkts(e.q, m, 8), 8);
		for (i = 0; i < 8; i++)
			assert_true(fdev_pop(&e.dev, &c[i]));
		for (i = 7; i >= 0; i -= 2)
			fdev_push_used(&e.dev, c[i].head, 0);
		for (i = 6; i >= 0; i -= 2)
			fdev_push_used(&e.dev, c[i].head, 0);
		assert_int_equal(tmmr_txq_done_cleanup(e.q, 0), 8);
	}
	assert_false(tmmr_txq_broken(e.q));
	assert_int_equal(rte_mempool_in_use_count(pool), e.baseline);
	env_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_headroom),
		cmocka_unit_test(test_tx_headroom_dirty),
		cmocka_unit_test(test_tx_separate_hdr),
		cmocka_unit_test(test_tx_indirect),
		cmocka_unit_test(test_tx_multiseg),
		cmocka_unit_test(test_tx_csum_tso),
		cmocka_unit_test(test_tx_hdr_negotiated),
		cmocka_unit_test(test_tx_hdr_area),
		cmocka_unit_test(test_tx_fast_free),
		cmocka_unit_test(test_tx_prep_rejects),
		cmocka_unit_test(test_tx_nb_desc),
		cmocka_unit_test(test_tx_inject),
		cmocka_unit_test(test_tx_notify),
		cmocka_unit_test(test_tx_proc_doorbell),
		cmocka_unit_test(test_tx_ring_full),
		cmocka_unit_test(test_tx_too_many_segs),
		cmocka_unit_test(test_tx_out_of_order),
	};

	harness_eal_init();
	pool = harness_pool("ring_tx_pool", 4096, RTE_MBUF_DEFAULT_BUF_SIZE);
	return cmocka_run_group_tests_name("ring_tx", tests, NULL, NULL);
}
