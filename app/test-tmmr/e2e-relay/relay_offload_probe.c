/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Offload probe: both ends of a relayed VF in one DPDK process.
 *   "guest" port G: net_virtio_user on the relay's vhost-user socket (hot-plugged once the
 *                   relay listens), offloads enabled;
 *   "backend" port B: net_vhost (EAL --vdev) behind the relay's VF.
 * Sends packets carrying checksum and TSO requests each way and checks that they arrive as the
 * same requests (partial checksum still partial, one coalesced TSO segment with its MSS), i.e.
 * nobody on the way completed or segmented them in software.
 *
 * usage: relay_offload_probe EAL... --vdev net_vhost0,iface=VF_SOCK,tso=1 -- GUEST_SOCK [server]
 * "server": the guest port owns GUEST_SOCK (a relay in --client mode connects to it), as QEMU
 * with server=on would.
 * Prints PASS/FAIL lines; exit status = number of failures.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#define MSS 1000
#define BIG_PAYLOAD 4000

static struct rte_mempool *pool;
static int failures;

static void
result(const char *name, bool ok, const char *why)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, ok ? "" : ": ", ok ? "" : why);
	fflush(stdout);
	if (!ok)
		failures++;
}

static int
port_start(uint16_t port, bool want_lro)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint64_t rx = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_RX_OFFLOAD_SCATTER | (want_lro ? RTE_ETH_RX_OFFLOAD_TCP_LRO : 0);
	uint64_t tx = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx & info.rx_offload_capa;
	conf.txmode.offloads = tx & info.tx_offload_capa;
	printf("port %u: rx offloads 0x%" PRIx64 " tx offloads 0x%" PRIx64 "\n", port,
		conf.rxmode.offloads, conf.txmode.offloads);
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 0, 0, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	return ret;
}

/* Ethernet/IP/L4 frame with `payload` bytes; L4 checksum = pseudo-header sum (partial). */
static struct rte_mbuf *
build(int ipver, bool tcp, unsigned int payload, uint8_t seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	unsigned int l3 = ipver == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	unsigned int l4 = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	unsigned int len = RTE_ETHER_HDR_LEN + l3 + l4 + payload, i;
	struct rte_ether_hdr *eth;
	uint8_t *p;
	void *ip;

	if (m == NULL || (p = (uint8_t *)rte_pktmbuf_append(m, len)) == NULL)
		rte_exit(1, "mbuf\n");
	memset(p, 0, len);
	eth = (struct rte_ether_hdr *)p;
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr.addr_bytes[0] = 0x02;
	eth->src_addr.addr_bytes[5] = seed;
	eth->ether_type = rte_cpu_to_be_16(ipver == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	ip = p + RTE_ETHER_HDR_LEN;
	if (ipver == 4) {
		struct rte_ipv4_hdr *h = ip;

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16(l3 + l4 + payload);
		h->time_to_live = 64;
		h->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->src_addr = rte_cpu_to_be_32(0xc6120001);
		h->dst_addr = rte_cpu_to_be_32(0xc6120002);
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(l4 + payload);
		h->proto = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		h->hop_limits = 64;
		h->src_addr[0] = 0xfd;
		h->src_addr[15] = 1;
		h->dst_addr[0] = 0xfd;
		h->dst_addr[15] = 2;
	}
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(p + RTE_ETHER_HDR_LEN + l3);

		t->src_port = rte_cpu_to_be_16(4000 + seed);
		t->dst_port = rte_cpu_to_be_16(5000);
		t->sent_seq = rte_cpu_to_be_32(1);
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		t->rx_win = rte_cpu_to_be_16(65535);
		t->cksum = ipver == 4 ? rte_ipv4_phdr_cksum(ip, 0) : rte_ipv6_phdr_cksum(ip, 0);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(p + RTE_ETHER_HDR_LEN + l3);

		u->src_port = rte_cpu_to_be_16(4000 + seed);
		u->dst_port = rte_cpu_to_be_16(5000);
		u->dgram_len = rte_cpu_to_be_16(l4 + payload);
		u->dgram_cksum = ipver == 4 ? rte_ipv4_phdr_cksum(ip, 0) :
			rte_ipv6_phdr_cksum(ip, 0);
	}
	for (i = 0; i < payload; i++)
		p[len - payload + i] = (uint8_t)(i * 13 + seed);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = l3;
	m->l4_len = l4;
	return m;
}

/* Send m on `from`; return the first frame from `to` whose source MAC ends in seed. */
static struct rte_mbuf *
exchange(uint16_t from, uint16_t to, struct rte_mbuf *m, uint8_t seed)
{
	struct rte_mbuf *rx[32], *found = NULL;
	uint64_t deadline = rte_get_timer_cycles() + 3 * rte_get_timer_hz();
	uint16_t n, i;

	if (rte_eth_tx_burst(from, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	while (found == NULL && rte_get_timer_cycles() < deadline) {
		/* keep the other direction drained */
		n = rte_eth_rx_burst(from, 0, rx, RTE_DIM(rx));
		rte_pktmbuf_free_bulk(rx, n);
		n = rte_eth_rx_burst(to, 0, rx, RTE_DIM(rx));
		for (i = 0; i < n; i++) {
			struct rte_ether_hdr *eth = rte_pktmbuf_mtod(rx[i], struct rte_ether_hdr *);

			if (found == NULL && eth->src_addr.addr_bytes[0] == 0x02 &&
			    eth->src_addr.addr_bytes[5] == seed)
				found = rx[i];
			else
				rte_pktmbuf_free(rx[i]);
		}
		if (found == NULL)
			usleep(1000);
	}
	return found;
}

/* the checksum field of a received frame, read across segments */
static uint16_t
l4_field(struct rte_mbuf *m, int ipver, bool tcp)
{
	uint32_t off = RTE_ETHER_HDR_LEN + (ipver == 4 ? 20 : 40) +
		(tcp ? offsetof(struct rte_tcp_hdr, cksum) :
		 offsetof(struct rte_udp_hdr, dgram_cksum));
	uint16_t v = 0;
	const uint16_t *p = rte_pktmbuf_read(m, off, sizeof(v), &v);

	return p != NULL ? *p : 0;
}

static void
run_case(const char *name, uint16_t from, uint16_t to, int ipver, bool tcp, bool tso,
		uint8_t seed)
{
	unsigned int payload = tso ? BIG_PAYLOAD : 200;
	struct rte_mbuf *m = build(ipver, tcp, payload, seed);
	uint16_t partial = l4_field(m, ipver, tcp);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	struct rte_mbuf *r;
	char why[256];

	m->ol_flags = (ipver == 4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6) |
		(tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
	if (tso) {
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
		m->tso_segsz = MSS;
	}
	r = exchange(from, to, m, seed);
	if (r == NULL) {
		result(name, false, "nothing arrived");
		return;
	}
	snprintf(why, sizeof(why), "len %u/%u flags 0x%" PRIx64 " mss %u cksum 0x%04x/0x%04x",
		rte_pktmbuf_pkt_len(r), len, r->ol_flags, r->tso_segsz, l4_field(r, ipver, tcp),
		partial);
	if (tso)
		result(name, rte_pktmbuf_pkt_len(r) == len && (r->ol_flags & RTE_MBUF_F_RX_LRO) &&
			r->tso_segsz == MSS, why);
	else
		result(name, rte_pktmbuf_pkt_len(r) == len &&
			(r->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
				RTE_MBUF_F_RX_L4_CKSUM_NONE &&
			l4_field(r, ipver, tcp) == partial, why);
	rte_pktmbuf_free(r);
}

int
main(int argc, char **argv)
{
	char devargs[512];
	uint16_t be, guest;
	struct stat st;
	int ret, i;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(1, "EAL init failed\n");
	argc -= ret;
	argv += ret;
	if (argc != 2 && !(argc == 3 && strcmp(argv[2], "server") == 0))
		rte_exit(2, "usage: relay_offload_probe EAL... -- GUEST_SOCK [server]\n");
	/* large data room: TSO segments fit in one mbuf on our side */
	pool = rte_pktmbuf_pool_create("probe", 4096, 64, 0, 9216 + RTE_PKTMBUF_HEADROOM, 0);
	if (pool == NULL || rte_eth_dev_get_port_by_name("net_vhost0", &be) != 0)
		rte_exit(1, "no pool or no net_vhost0\n");
	if (port_start(be, false) < 0)
		rte_exit(1, "backend port\n");
	printf("probe: backend ready\n");
	fflush(stdout);
	/* as a client, wait for the relay's socket; as a server, attaching waits for the relay */
	for (i = 0; argc == 2 && i < 300 && (stat(argv[1], &st) < 0 || !S_ISSOCK(st.st_mode)); i++)
		usleep(100000);
	snprintf(devargs, sizeof(devargs), "net_virtio_user1,path=%s,queues=1%s", argv[1],
		argc == 3 ? ",server=1" : "");
	if (rte_dev_probe(devargs) < 0 ||
	    rte_eth_dev_get_port_by_name("net_virtio_user1", &guest) != 0)
		rte_exit(1, "cannot attach to %s\n", argv[1]);
	if (port_start(guest, true) < 0)
		rte_exit(1, "guest port\n");
	for (i = 0; i < 100; i++) {
		struct rte_eth_link lg, lb;

		rte_eth_link_get_nowait(guest, &lg);
		rte_eth_link_get_nowait(be, &lb);
		if (lg.link_status && lb.link_status)
			break;
		usleep(100000);
	}
	sleep(1);	/* the relay's pair becomes ready asynchronously */

	run_case("guest->vf udp4 checksum request crosses", guest, be, 4, false, false, 1);
	run_case("guest->vf tcp6 checksum request crosses", guest, be, 6, true, false, 2);
	run_case("guest->vf tcp4 TSO crosses unsegmented", guest, be, 4, true, true, 3);
	run_case("vf->guest tcp4 checksum request crosses", be, guest, 4, true, false, 4);
	run_case("vf->guest udp6 checksum request crosses", be, guest, 6, false, false, 5);
	run_case("vf->guest tcp4 TSO crosses unsegmented", be, guest, 4, true, true, 6);
	run_case("vf->guest tcp6 TSO crosses unsegmented", be, guest, 6, true, true, 7);

	rte_eth_dev_stop(guest);
	rte_eth_dev_close(guest);
	rte_eth_dev_stop(be);
	rte_eth_dev_close(be);
	rte_eal_cleanup();
	printf("probe: %d failure(s)\n", failures);
	return failures;
}
