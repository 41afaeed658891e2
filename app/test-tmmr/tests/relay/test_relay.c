/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Unit tests of tmmr_relay: command line parsing, the offload mapping of both directions and
 * how a VF link change reaches the guest.
 */

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/virtio_net.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "relay.h"

struct relay relay_global;	/* referenced by the linked relay modules */
static struct rte_mempool *pool;

/* ---- command line ---- */

static int
parse(struct relay_options *o, char *err, const char *first, ...)
{
	char *argv[80];
	int argc = 0;
	const char *a;
	va_list ap;

	argv[argc++] = (char *)"tmmr_relay";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 79; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return relay_parse_args(argc, argv, o, err, 256);
}

static void
test_args_full(void **state)
{
	struct relay_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, "--vf", "0,socket=/run/a.sock,lcore=1", "--vf", "net_b",
		"--socket-dir", "/run/relay", "--client", "--stats-interval", "0", "--burst", "16",
		"--busy-poll-us", "0", "--no-link-reflect", "--mbufs", "4096", "--link-hold-ms", "0",
		NULL), 0);
	assert_int_equal(o.nb_vfs, 2);
	assert_string_equal(o.vf[0].dev, "0");
	assert_string_equal(o.vf[0].socket, "/run/a.sock");
	assert_int_equal(o.vf[0].lcore, 1);
	assert_string_equal(o.vf[1].dev, "net_b");
	assert_string_equal(o.vf[1].socket, "");
	assert_int_equal(o.vf[1].lcore, -1);
	assert_string_equal(o.socket_dir, "/run/relay");
	assert_true(o.client_mode);
	assert_false(o.link_reflect);
	assert_int_equal(o.link_hold_ms, 0);
	assert_int_equal(o.stats_interval_s, 0);
	assert_int_equal(o.burst, 16);
	assert_int_equal(o.busy_poll_us, 0);
	assert_int_equal(o.nb_mbufs, 4096);
}

static void
test_args_defaults(void **state)
{
	struct relay_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", NULL), 0);
	assert_int_equal(o.nb_vfs, 0);
	assert_true(o.link_reflect);
	assert_int_equal(o.link_hold_ms, 1000);
	assert_false(o.client_mode);
	assert_int_equal(o.burst, 32);
	assert_int_equal(o.stats_interval_s, 10);
	assert_int_equal(o.socket_mode, 0600);
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", "--socket-mode", "0660", NULL), 0);
	assert_int_equal(o.socket_mode, 0660);
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", "--socket-mode", "777", NULL), 0);
	assert_int_equal(o.socket_mode, 0777);
	assert_false(o.fallback_copy);
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", "--mode", "vdpa", "--fallback",
		"copy", NULL), 0);
	assert_true(o.vdpa_mode);
	assert_true(o.fallback_copy);
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", "--mode", "vdpa", "--fallback",
		"none", NULL), 0);
	assert_false(o.fallback_copy);
}

static void
expect_error(const char *needle, const char *first, ...)
{
	struct relay_options o;
	char err[256];
	char *argv[80];
	int argc = 0;
	const char *a;
	va_list ap;

	argv[argc++] = (char *)"tmmr_relay";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 79; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(relay_parse_args(argc, argv, &o, err, sizeof(err)), -EINVAL);
	if (strstr(err, needle) == NULL)
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void
test_args_errors(void **state)
{
	char longpath[300];

	(void)state;
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';

	expect_error("needs --socket-dir", NULL);
	expect_error("no socket=PATH", "--vf", "0", NULL);
	expect_error("unknown key", "--vf", "0,sock=/a", NULL);
	expect_error("expected DEV", "--vf", "socket=/a", NULL);
	expect_error("expected DEV", "--vf", ",", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,lcore=x", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,lcore=-1", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,lcore=99999", NULL);
	expect_error("socket path", "--vf", "0,socket=", NULL);
	{
		char arg[sizeof(longpath) + 16];

		snprintf(arg, sizeof(arg), "0,socket=%s", longpath);
		expect_error("socket path", "--vf", arg, NULL);
	}
	expect_error("given twice", "--vf", "0,socket=/a", "--vf", "0,socket=/b", NULL);
	expect_error("two VFs", "--vf", "0,socket=/a", "--vf", "1,socket=/a", NULL);
	expect_error("--burst", "--socket-dir", "/d", "--burst", "0", NULL);
	expect_error("--burst", "--socket-dir", "/d", "--burst", "65", NULL);
	expect_error("--burst", "--socket-dir", "/d", "--burst", "12abc", NULL);
	expect_error("--stats-interval", "--socket-dir", "/d", "--stats-interval", "-1", NULL);
	expect_error("--stats-interval", "--socket-dir", "/d", "--stats-interval", "", NULL);
	expect_error("--mbufs", "--socket-dir", "/d", "--mbufs", "10", NULL);
	expect_error("--link-hold-ms '60001'", "--socket-dir", "/d", "--link-hold-ms", "60001",
		NULL);
	expect_error("--link-hold-ms '-1'", "--socket-dir", "/d", "--link-hold-ms", "-1", NULL);
	expect_error("--link-hold-ms '1s'", "--socket-dir", "/d", "--link-hold-ms", "1s", NULL);
	expect_error("unexpected argument", "--socket-dir", "/d", "stray", NULL);
	expect_error("unknown", "--socket-dir", "/d", "--bogus", NULL);
	expect_error("incomplete", "--socket-dir", NULL);
	expect_error("help", "--help", NULL);
	expect_error("--socket-mode '0400'", "--socket-dir", "/d", "--socket-mode", "0400", NULL);
	expect_error("--socket-mode '1777'", "--socket-dir", "/d", "--socket-mode", "1777", NULL);
	expect_error("--socket-mode '0680'", "--socket-dir", "/d", "--socket-mode", "0680", NULL);
	expect_error("--socket-mode 'rw'", "--socket-dir", "/d", "--socket-mode", "rw", NULL);
	expect_error("--socket-mode ''", "--socket-dir", "/d", "--socket-mode", "", NULL);
	expect_error("--socket-mode '00600'", "--socket-dir", "/d", "--socket-mode", "00600",
		NULL);
	expect_error("QEMU does", "--socket-dir", "/d", "--client", "--socket-mode", "0660",
		NULL);
	expect_error("--fallback 'zero'", "--socket-dir", "/d", "--mode", "vdpa", "--fallback",
		"zero", NULL);
	expect_error("without --mode vdpa", "--socket-dir", "/d", "--fallback", "copy", NULL);
}

/* ---- the VF link as the guest sees it ---- */

static struct relay_options
link_opts(unsigned int hold_ms)
{
	struct relay_options o;

	memset(&o, 0, sizeof(o));
	o.link_hold_ms = hold_ms;
	return o;
}

/* a down shorter than the hold is a blip: the socket stays open, nothing is reflected */
static void
test_link_blip(void **state)
{
	struct relay_options o = link_opts(1000);
	struct relay_link l;

	(void)state;
	relay_link_init(&l, &o, true);
	l.changes = l.blips = 0;
	assert_true(relay_link_start(&l, true, "vf", "/s"));
	assert_true(relay_link_follow(&l, "vf", true, 5000));
	assert_true(relay_link_follow(&l, "vf", false, 5100));
	assert_true(relay_link_follow(&l, "vf", false, 6099));
	assert_true(l.up);
	assert_true(relay_link_follow(&l, "vf", true, 6099));
	assert_int_equal(l.blips, 1);
	assert_int_equal(l.changes, 0);
	/* the next down is timed from its own start, not the blip's */
	assert_true(relay_link_follow(&l, "vf", false, 7000));
	assert_true(relay_link_follow(&l, "vf", false, 7999));
	assert_false(relay_link_follow(&l, "vf", false, 8000));
	assert_false(l.up);
	assert_int_equal(l.changes, 1);
	assert_int_equal(l.blips, 1);
	/* up again at once: no hold on the way up */
	assert_true(relay_link_follow(&l, "vf", true, 8001));
	assert_true(l.up);
	assert_int_equal(l.changes, 2);
	assert_int_equal(l.blips, 1);
	/* a clock at 0 (a fresh TSC) still times the down */
	assert_true(relay_link_follow(&l, "vf", false, 0));
	assert_false(relay_link_follow(&l, "vf", false, 1000));
	assert_int_equal(l.changes, 3);
}

/* without a hold a down is reflected at once; without reflection the socket stays open */
static void
test_link_no_hold_no_reflect(void **state)
{
	struct relay_options o = link_opts(0);
	struct relay_link l;

	(void)state;
	relay_link_init(&l, &o, true);
	l.changes = l.blips = 0;
	assert_true(relay_link_start(&l, true, "vf", "/s"));
	assert_false(relay_link_follow(&l, "vf", false, 10));
	assert_int_equal(l.changes, 1);
	assert_false(relay_link_follow(&l, "vf", false, 20));
	assert_int_equal(l.changes, 1);
	o = link_opts(500);
	relay_link_init(&l, &o, false);
	l.changes = l.blips = 0;
	assert_true(relay_link_start(&l, true, "vf", "/s"));
	assert_true(relay_link_follow(&l, "vf", false, 100));
	assert_true(relay_link_follow(&l, "vf", false, 600));
	assert_false(l.up);
	assert_int_equal(l.changes, 1);
	/* a VF down from the start has nothing to hold; its socket waits (without reflection
	 * it opens all the same)
	 */
	assert_true(relay_link_start(&l, false, "vf", "/s"));
	relay_link_init(&l, &o, true);
	l.changes = l.blips = 0;
	assert_false(relay_link_start(&l, false, "vf", "/s"));
	assert_false(relay_link_follow(&l, "vf", false, 100));
	assert_true(relay_link_follow(&l, "vf", true, 200));
	assert_int_equal(l.changes, 1);
	assert_int_equal(l.blips, 0);
}

/* queues=, the lcore list, mtu= and lro= of --vf */
static void
test_args_queues_mtu(void **state)
{
	struct relay_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, "--vf", "0,socket=/a,queues=4,lcore=1:2,mtu=9000",
		"--vf", "1,socket=/b", "--vf", "2,mtu=68,queues=8,lcore=3,socket=/c",
		"--vf", "3,socket=/d,queues=3,lcore=0:1:2", NULL), 0);
	assert_int_equal(o.nb_vfs, 4);
	assert_int_equal(o.vf[0].queues, 4);
	assert_int_equal(o.vf[0].nb_lcores, 2);
	assert_int_equal(o.vf[0].lcores[0], 1);
	assert_int_equal(o.vf[0].lcores[1], 2);
	assert_int_equal(o.vf[0].lcore, 1);
	assert_int_equal(o.vf[0].mtu, 9000);
	/* defaults: one queue pair, automatic lcore, the VF's MTU */
	assert_int_equal(o.vf[1].queues, 1);
	assert_int_equal(o.vf[1].nb_lcores, 0);
	assert_int_equal(o.vf[1].lcore, -1);
	assert_int_equal(o.vf[1].mtu, 0);
	assert_int_equal(o.vf[2].queues, RELAY_MAX_QUEUES);
	assert_int_equal(o.vf[2].mtu, RELAY_MTU_MIN);
	assert_int_equal(o.vf[2].nb_lcores, 1);
	assert_int_equal(o.vf[2].lcore, 3);
	assert_string_equal(o.vf[2].socket, "/c");
	assert_int_equal(o.vf[3].nb_lcores, 3);
	assert_int_equal(o.vf[3].lcores[2], 2);
	assert_int_equal(parse(&o, err, "--vf", "0,socket=/a,mtu=65535", NULL), 0);
	assert_int_equal(o.vf[0].mtu, 65535);
	/* lro: off unless lro=1 */
	assert_false(o.vf[0].lro);
	assert_int_equal(parse(&o, err, "--vf", "0,socket=/a,lro=1", "--vf", "1,socket=/b,lro=0",
		NULL), 0);
	assert_true(o.vf[0].lro);
	assert_false(o.vf[1].lro);
	expect_error("lro must be 0 or 1", "--vf", "0,socket=/a,lro=2", NULL);
	expect_error("lro must be 0 or 1", "--vf", "0,socket=/a,lro=", NULL);
	expect_error("lro must be 0 or 1", "--vf", "0,socket=/a,lro=on", NULL);

	expect_error("queues must be", "--vf", "0,socket=/a,queues=0", NULL);
	expect_error("queues must be", "--vf", "0,socket=/a,queues=9", NULL);
	expect_error("queues must be", "--vf", "0,socket=/a,queues=", NULL);
	expect_error("queues must be", "--vf", "0,socket=/a,queues=2x", NULL);
	expect_error("mtu must be", "--vf", "0,socket=/a,mtu=67", NULL);
	expect_error("mtu must be", "--vf", "0,socket=/a,mtu=65536", NULL);
	expect_error("mtu must be", "--vf", "0,socket=/a,mtu=-1", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,queues=2,lcore=1:", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,queues=2,lcore=:1", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,queues=2,lcore=1::2", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,queues=2,lcore=1:x", NULL);
	expect_error("lcore must be", "--vf", "0,socket=/a,queues=8,lcore=0:1:2:3:4:5:6:7:8",
		NULL);
	expect_error("at most one per pair", "--vf", "0,socket=/a,lcore=0:1", NULL);
	expect_error("at most one per pair", "--vf", "0,socket=/a,lcore=0:1:2,queues=2", NULL);
}

static void
test_args_mode(void **state)
{
	struct relay_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", NULL), 0);
	assert_false(o.vdpa_mode);
	assert_int_equal(parse(&o, err, "--socket-dir", "/d", "--mode", "copy", NULL), 0);
	assert_false(o.vdpa_mode);
	assert_int_equal(parse(&o, err, "--mode", "vdpa", "--vf", "0000:01:00.1,socket=/a",
		"--client", NULL), 0);
	assert_true(o.vdpa_mode);
	assert_string_equal(o.vf[0].dev, "0000:01:00.1");
	expect_error("--mode 'fast'", "--socket-dir", "/d", "--mode", "fast", NULL);
	expect_error("--mode ''", "--socket-dir", "/d", "--mode", "", NULL);
	expect_error("no forwarding lcores", "--mode", "vdpa", "--vf",
		"0000:01:00.1,socket=/a,lcore=0", NULL);
	expect_error("needs --socket-dir", "--mode", "vdpa", NULL);
	expect_error("queues=, mtu= and lro= with --mode vdpa", "--mode", "vdpa", "--vf",
		"0000:01:00.1,socket=/a,queues=2", NULL);
	expect_error("queues=, mtu= and lro= with --mode vdpa", "--mode", "vdpa", "--vf",
		"0000:01:00.1,socket=/a,mtu=9000", NULL);
	expect_error("queues=, mtu= and lro= with --mode vdpa", "--mode", "vdpa", "--vf",
		"0000:01:00.1,socket=/a,lro=1", NULL);
}

static void
test_args_too_many_vfs(void **state)
{
	struct relay_options o;
	char err[256], vf[RELAY_MAX_PAIRS + 1][32];
	char *argv[2 * (RELAY_MAX_PAIRS + 1) + 4];
	int argc = 0, i;

	(void)state;
	argv[argc++] = (char *)"tmmr_relay";
	argv[argc++] = (char *)"--socket-dir";
	argv[argc++] = (char *)"/d";
	for (i = 0; i <= RELAY_MAX_PAIRS; i++) {
		snprintf(vf[i], sizeof(vf[i]), "net_%d", i);
		argv[argc++] = (char *)"--vf";
		argv[argc++] = vf[i];
	}
	argv[argc] = NULL;
	assert_int_equal(relay_parse_args(argc, argv, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "one process per shard"));
	/* exactly the maximum is fine */
	assert_int_equal(relay_parse_args(argc - 2, argv, &o, err, sizeof(err)), 0);
	assert_int_equal(o.nb_vfs, RELAY_MAX_PAIRS);
}

/* ---- offloads ---- */

#define PAYLOAD 100

/* Ethernet + IPv4/IPv6 + TCP/UDP + payload; L4 checksum field holds the pseudo-header sum
 * (what a virtio device hands over with NEEDS_CSUM).
 */
static struct rte_mbuf *
build_pkt(int ipver, bool tcp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	unsigned int l3 = ipver == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	unsigned int l4 = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	unsigned int len = sizeof(*eth) + l3 + l4 + PAYLOAD, i;
	uint8_t *p;
	void *ip;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(p);
	memset(p, 0, len);
	eth = (struct rte_ether_hdr *)p;
	eth->ether_type = rte_cpu_to_be_16(ipver == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	ip = p + sizeof(*eth);
	if (ipver == 4) {
		struct rte_ipv4_hdr *h = ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(l3 + l4 + PAYLOAD);
		h->time_to_live = 64;
		h->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->src_addr = rte_cpu_to_be_32(0xc6120001);
		h->dst_addr = rte_cpu_to_be_32(0xc6120002);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(l4 + PAYLOAD);
		h->proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->hop_limits = 64;
		h->src_addr[15] = 1;
		h->dst_addr[15] = 2;
	}
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(p + sizeof(*eth) + l3);

		t->src_port = rte_cpu_to_be_16(1000);
		t->dst_port = rte_cpu_to_be_16(2000);
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG;
		t->cksum = ipver == 4 ? rte_ipv4_phdr_cksum(ip, 0) : rte_ipv6_phdr_cksum(ip, 0);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(p + sizeof(*eth) + l3);

		u->src_port = rte_cpu_to_be_16(1000);
		u->dst_port = rte_cpu_to_be_16(2000);
		u->dgram_len = rte_cpu_to_be_16(l4 + PAYLOAD);
		u->dgram_cksum = ipver == 4 ? rte_ipv4_phdr_cksum(ip, 0) :
			rte_ipv6_phdr_cksum(ip, 0);
	}
	for (i = 0; i < PAYLOAD; i++)
		p[len - PAYLOAD + i] = (uint8_t)(i * 7 + 3);
	m->l2_len = sizeof(*eth);
	m->l3_len = l3;
	m->l4_len = l4;
	return m;
}

static bool
l4_cksum_valid(struct rte_mbuf *m, int ipver)
{
	void *ip = rte_pktmbuf_mtod_offset(m, void *, sizeof(struct rte_ether_hdr));
	const void *l4 = rte_pktmbuf_mtod_offset(m, const void *,
		sizeof(struct rte_ether_hdr) + (ipver == 4 ? 20 : 40));

	return (ipver == 4 ? rte_ipv4_udptcp_cksum_verify(ip, l4) :
		rte_ipv6_udptcp_cksum_verify(ip, l4)) == 0;
}

static void
test_from_guest_hw_csum(void **state)
{
	struct relay_counters c = { 0 };
	struct rte_mbuf *m[2] = { build_pkt(4, false), build_pkt(6, true) };

	(void)state;
	/* what vhost's dequeue gives: Tx requests without the IP version */
	m[0]->ol_flags = RTE_MBUF_F_TX_UDP_CKSUM;
	m[1]->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;
	assert_int_equal(relay_offload_from_guest(m, 2, RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM, &c), 2);
	assert_int_equal(m[0]->ol_flags, RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV4);
	assert_int_equal(m[1]->ol_flags, RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV6);
	assert_int_equal(c.sw_cksums, 0);
	/* the checksum is still partial: the VF completes it */
	assert_false(l4_cksum_valid(m[1], 6));
	rte_pktmbuf_free_bulk(m, 2);
}

static void
test_from_guest_sw_csum(void **state)
{
	struct relay_counters c = { 0 };
	struct rte_mbuf *m[2] = { build_pkt(4, true), build_pkt(6, false) };

	(void)state;
	m[0]->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;
	m[1]->ol_flags = RTE_MBUF_F_TX_UDP_CKSUM;
	assert_int_equal(relay_offload_from_guest(m, 2, 0, &c), 2);
	assert_int_equal(m[0]->ol_flags, 0);
	assert_int_equal(m[1]->ol_flags, 0);
	assert_true(l4_cksum_valid(m[0], 4));
	assert_true(l4_cksum_valid(m[1], 6));
	assert_int_equal(c.sw_cksums, 2);
	rte_pktmbuf_free_bulk(m, 2);
}

static void
test_from_guest_tso_and_hostile(void **state)
{
	struct relay_counters c = { 0 };
	struct rte_mbuf *m[5] = { build_pkt(4, true), build_pkt(4, true), build_pkt(4, true),
		build_pkt(4, false), build_pkt(4, true) };
	unsigned int free_before = rte_mempool_avail_count(pool);

	(void)state;
	m[0]->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	m[0]->tso_segsz = 1000;
	m[1]->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;
	/* not IP at l2_len */
	*rte_pktmbuf_mtod_offset(m[1], uint8_t *, 14) = 0x15;
	m[2]->ol_flags = RTE_MBUF_F_TX_TCP_CKSUM;
	m[2]->l2_len = 127;	/* points past the data */
	m[2]->l3_len = 0;
	m[3]->ol_flags = RTE_MBUF_F_TX_UDP_SEG;	/* UFO is never negotiated */
	m[4]->ol_flags = 0;
	/* VF without TSO: the segment cannot go out */
	assert_int_equal(relay_offload_from_guest(m, 5, RTE_ETH_TX_OFFLOAD_TCP_CKSUM, &c), 1);
	assert_int_equal(c.offload_drops, 4);
	assert_int_equal(m[0]->ol_flags, 0);	/* the plain packet moved to the front */
	assert_int_equal(rte_mempool_avail_count(pool), free_before + 4);
	rte_pktmbuf_free(m[0]);

	/* VF with TSO: kept, IP version added */
	m[0] = build_pkt(6, true);
	m[0]->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM;
	assert_int_equal(relay_offload_from_guest(m, 1, RTE_ETH_TX_OFFLOAD_TCP_TSO, &c), 1);
	assert_int_equal(m[0]->ol_flags, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		RTE_MBUF_F_TX_IPV6);
	rte_pktmbuf_free(m[0]);
}

static void
test_to_guest_csum(void **state)
{
	struct relay_counters c = { 0 };
	struct rte_mbuf *m[3] = { build_pkt(4, true), build_pkt(6, false), build_pkt(4, true) };
	uint64_t feat = 1ULL << VIRTIO_NET_F_GUEST_CSUM;

	(void)state;
	m[0]->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE | RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	m[1]->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE;
	m[2]->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	m[0]->l2_len = m[0]->l3_len = m[1]->l2_len = 0;	/* the relay finds them itself */
	assert_int_equal(relay_offload_to_guest(m, 3, feat, &c), 3);
	assert_int_equal(m[0]->ol_flags, RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IPV4);
	assert_int_equal(m[0]->l2_len, 14);
	assert_int_equal(m[0]->l3_len, 20);
	assert_int_equal(m[0]->l4_len, 20);
	assert_int_equal(m[1]->ol_flags, RTE_MBUF_F_TX_UDP_CKSUM | RTE_MBUF_F_TX_IPV6);
	assert_int_equal(m[1]->l3_len, 40);
	assert_int_equal(m[2]->ol_flags, 0);
	assert_int_equal(c.sw_cksums, 0);
	rte_pktmbuf_free_bulk(m, 3);

	/* a guest without GUEST_CSUM gets complete checksums */
	m[0] = build_pkt(4, false);
	m[1] = build_pkt(6, true);
	m[0]->ol_flags = m[1]->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE;
	assert_int_equal(relay_offload_to_guest(m, 2, 0, &c), 2);
	assert_int_equal(m[0]->ol_flags, 0);
	assert_int_equal(m[1]->ol_flags, 0);
	assert_true(l4_cksum_valid(m[0], 4));
	assert_true(l4_cksum_valid(m[1], 6));
	assert_int_equal(c.sw_cksums, 2);
	rte_pktmbuf_free_bulk(m, 2);
}

static void
test_to_guest_lro(void **state)
{
	struct relay_counters c = { 0 };
	struct rte_mbuf *m[3] = { build_pkt(4, true), build_pkt(6, true), build_pkt(4, false) };
	uint64_t feat = (1ULL << VIRTIO_NET_F_GUEST_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_TSO4);

	(void)state;
	m[0]->ol_flags = m[1]->ol_flags = m[2]->ol_flags =
		RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE;
	m[0]->tso_segsz = m[1]->tso_segsz = m[2]->tso_segsz = 1400;
	/* IPv6 without GUEST_TSO6 and LRO on UDP: dropped */
	assert_int_equal(relay_offload_to_guest(m, 3, feat, &c), 1);
	assert_int_equal(c.offload_drops, 2);
	assert_int_equal(m[0]->ol_flags, RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		RTE_MBUF_F_TX_IPV4);
	assert_int_equal(m[0]->tso_segsz, 1400);
	rte_pktmbuf_free(m[0]);

	/* hostile: LRO claimed on a non-IP frame */
	m[0] = build_pkt(4, true);
	*rte_pktmbuf_mtod_offset(m[0], uint16_t *, 12) = 0x1234;
	m[0]->ol_flags = RTE_MBUF_F_RX_LRO;
	m[0]->tso_segsz = 1400;
	assert_int_equal(relay_offload_to_guest(m, 1, feat, &c), 0);
	assert_int_equal(c.offload_drops, 3);
}

static void
test_features_to_disable(void **state)
{
	uint64_t off;

	(void)state;
	off = relay_guest_features_to_disable(0, 0);
	assert_true(off & (1ULL << VIRTIO_NET_F_HOST_TSO4));
	assert_true(off & (1ULL << VIRTIO_NET_F_GUEST_TSO6));
	assert_true(off & (1ULL << VIRTIO_NET_F_MQ));
	/* "any GSO type" would make a Linux guest send TSO the VF cannot carry */
	assert_true(off & (1ULL << VIRTIO_NET_F_GSO));
	assert_false(off & (1ULL << VIRTIO_NET_F_CSUM));
	assert_false(off & (1ULL << VIRTIO_NET_F_GUEST_CSUM));
	assert_false(off & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_false(off & (1ULL << VIRTIO_F_VERSION_1));
	off = relay_guest_features_to_disable(RTE_ETH_RX_OFFLOAD_TCP_LRO,
		RTE_ETH_TX_OFFLOAD_TCP_TSO);
	assert_false(off & (1ULL << VIRTIO_NET_F_HOST_TSO4));
	assert_false(off & (1ULL << VIRTIO_NET_F_HOST_TSO6));
	assert_false(off & (1ULL << VIRTIO_NET_F_GUEST_TSO4));
	assert_true(off & (1ULL << VIRTIO_NET_F_HOST_UFO));
	/* even with TSO: GSO would also promise ECN (and UFO to older guests) */
	assert_true(off & (1ULL << VIRTIO_NET_F_GSO));
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	char prefix[64], rundir[PATH_MAX];
	int ret;
	char *eal[] = { (char *)"relay_unit", (char *)"--no-huge", (char *)"--no-pci",
		(char *)"-m", (char *)"64", (char *)"-l", (char *)"0", (char *)"--log-level",
		(char *)"error", (char *)"--file-prefix", prefix, NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_full),
		cmocka_unit_test(test_args_defaults),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_args_queues_mtu),
		cmocka_unit_test(test_args_mode),
		cmocka_unit_test(test_args_too_many_vfs),
		cmocka_unit_test(test_link_blip),
		cmocka_unit_test(test_link_no_hold_no_reflect),
		cmocka_unit_test(test_from_guest_hw_csum),
		cmocka_unit_test(test_from_guest_sw_csum),
		cmocka_unit_test(test_from_guest_tso_and_hostile),
		cmocka_unit_test(test_to_guest_csum),
		cmocka_unit_test(test_to_guest_lro),
		cmocka_unit_test(test_features_to_disable),
	};

	snprintf(prefix, sizeof(prefix), "relay-unit-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("unit", 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	/* EAL keeps its runtime directory: remove ours */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	nftw(rundir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return ret;
}
