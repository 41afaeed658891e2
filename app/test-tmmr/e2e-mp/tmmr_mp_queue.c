/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * tmmr-mp-queue: DPDK's multi-process model on one port, each process its own
 * queue pair. The primary configures port 0 with 2 queue pairs and a mempool
 * the secondaries share; any process then sends --count 64-byte UDP frames
 * on its --queue and receives as many back (the test's backend loops each
 * queue pair onto itself), and prints
 *   queue Q: sent N received M bytes B
 * A primary then waits until the file --done exists (the test creates it once
 * its secondaries are done) and prints the port's per-queue counters as
 *   xstat NAME VALUE
 * With --intr (the same in every process) the port has Rx queue interrupts:
 * each process arms its queue's interrupt while the queue is still empty,
 * sends, and sleeps in rte_epoll_wait() until the device's interrupt wakes it,
 * then also prints "wakeups W first-wait E" (E: what the first wait returned).
 * Exit status 0 when every frame came back (and, with --intr, the first wait
 * was woken by an event).
 * With --prime each process first sends one frame of its flow, waits and drops
 * whatever its queue received, and prints "queue Q: primed, dropped D": a
 * multi-queue Linux tap (the vfio suite's loop) steers a flow back to the queue
 * it last came from, but the first frame of a flow to a queue of its own hash.
 *
 *   tmmr-mp-queue EAL-ARGS -- --queue Q --count N [--done FILE] [--intr] [--prime]
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define POOL_NAME	"tmmr_mpq_pool"
#define NB_QUEUES	2
#define NB_DESC		256
#define NB_MBUFS	4095
#define FRAME_LEN	64
#define BURST		32
#define WAIT_S		10

static uint16_t port;
static bool intr;
static bool prime;

static int
usage(const char *prog)
{
	fprintf(stderr, "usage: %s EAL-ARGS -- --queue Q --count N [--done FILE] [--intr] [--prime]\n",
		prog);
	return 2;
}

static int
primary_setup(struct rte_mempool **mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	uint64_t deadline;
	uint16_t q;
	int ret;

	*mp = rte_pktmbuf_pool_create(POOL_NAME, NB_MBUFS, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				      rte_socket_id());
	if (*mp == NULL) {
		fprintf(stderr, "mempool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = intr;
	ret = rte_eth_dev_configure(port, NB_QUEUES, NB_QUEUES, &conf);
	for (q = 0; ret == 0 && q < NB_QUEUES; q++) {
		ret = rte_eth_rx_queue_setup(port, q, NB_DESC, rte_eth_dev_socket_id(port), NULL,
					     *mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, NB_DESC,
						     rte_eth_dev_socket_id(port), NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0) {
		fprintf(stderr, "port %u setup: %s\n", port, rte_strerror(-ret));
		return -1;
	}
	deadline = rte_get_timer_cycles() + WAIT_S * rte_get_timer_hz();
	do {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_ms(50);
	} while (rte_get_timer_cycles() < deadline);
	fprintf(stderr, "port %u: link down\n", port);
	return -1;
}

/* A 64-byte UDP frame to ourselves, 198.18.0.1 -> 198.18.0.2. */
static struct rte_mbuf *
make_frame(struct rte_mempool *mp, const struct rte_ether_addr *mac, uint16_t queue)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint16_t l3 = FRAME_LEN - sizeof(*eth);

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, sizeof(*eth));
	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, l3);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(0xc6120001);
	ip->dst_addr = rte_cpu_to_be_32(0xc6120002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9000 + queue);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(l3 - sizeof(*ip));
	return m;
}

static uint32_t
drain(uint16_t queue, uint64_t *bytes)
{
	struct rte_mbuf *pkts[BURST];
	uint32_t got = 0;
	uint16_t n, i;

	while ((n = rte_eth_rx_burst(port, queue, pkts, BURST)) > 0) {
		for (i = 0; i < n; i++) {
			*bytes += pkts[i]->pkt_len;
			rte_pktmbuf_free(pkts[i]);
		}
		got += n;
	}
	return got;
}

/* Sleep until @queue's interrupt; what rte_epoll_wait returned. */
static int
wait_rx(uint16_t queue)
{
	struct rte_epoll_event ev;
	int n;

	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 2000);
	rte_eth_dev_rx_intr_disable(port, queue);
	return n;
}

/* One frame of our flow on @queue, then drop what the queue received. */
static int
prime_queue(struct rte_mempool *mp, const struct rte_ether_addr *mac, uint16_t queue)
{
	struct rte_mbuf *m = make_frame(mp, mac, queue);
	uint64_t bytes = 0;

	if (m == NULL)
		return -1;
	if (rte_eth_tx_burst(port, queue, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	rte_delay_ms(300);
	printf("queue %u: primed, dropped %u\n", queue, drain(queue, &bytes));
	return 0;
}

/* Send @count frames on @queue and take as many back: 0 when all came back. */
static int
run_queue(struct rte_mempool *mp, uint16_t queue, uint32_t count)
{
	struct rte_mbuf *pkts[BURST];
	struct rte_ether_addr mac;
	uint64_t deadline, bytes = 0;
	uint32_t sent = 0, recvd = 0, wakeups = 0;
	int first = 0, ret;
	uint16_t n, i, k;

	if (rte_eth_macaddr_get(port, &mac) != 0)
		return -1;
	if (prime && prime_queue(mp, &mac, queue) != 0)
		return -1;
	if (intr) {
		/* the queue is empty: only the device can wake us */
		ret = rte_eth_dev_rx_intr_ctl_q(port, queue, RTE_EPOLL_PER_THREAD,
						RTE_INTR_EVENT_ADD, NULL);
		if (ret == 0)
			ret = rte_eth_dev_rx_intr_enable(port, queue);
		if (ret != 0) {
			fprintf(stderr, "queue %u: Rx interrupt: %s\n", queue, rte_strerror(-ret));
			return -1;
		}
	}
	deadline = rte_get_timer_cycles() + WAIT_S * rte_get_timer_hz();
	while ((sent < count || recvd < count) && rte_get_timer_cycles() < deadline) {
		if (intr && sent == count) {
			ret = wait_rx(queue);
			if (wakeups++ == 0)
				first = ret;
			recvd += drain(queue, &bytes);
			if (recvd < count)
				rte_eth_dev_rx_intr_enable(port, queue);
			continue;
		}
		if (sent < count) {
			n = (uint16_t)RTE_MIN((uint32_t)BURST, count - sent);
			for (i = 0; i < n; i++) {
				pkts[i] = make_frame(mp, &mac, queue);
				if (pkts[i] == NULL)
					break;
			}
			k = rte_eth_tx_burst(port, queue, pkts, i);
			sent += k;
			rte_pktmbuf_free_bulk(&pkts[k], i - k);
			if (intr)
				continue;
		}
		n = rte_eth_rx_burst(port, queue, pkts, BURST);
		for (i = 0; i < n; i++) {
			bytes += pkts[i]->pkt_len;
			rte_pktmbuf_free(pkts[i]);
		}
		recvd += n;
	}
	/* anything more that arrives would be a duplicate: wait a little for it */
	rte_delay_ms(200);
	recvd += drain(queue, &bytes);
	printf("queue %u: sent %u received %u bytes %" PRIu64 "\n", queue, sent, recvd, bytes);
	if (intr)
		printf("queue %u: wakeups %u first-wait %d\n", queue, wakeups, first);
	fflush(stdout);
	if (intr && first <= 0)
		return -1;
	return sent == count && recvd == count ? 0 : -1;
}

static void
print_xstats(void)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *xs;
	int n, i;

	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		return;
	names = calloc(n, sizeof(*names));
	xs = calloc(n, sizeof(*xs));
	if (names != NULL && xs != NULL && rte_eth_xstats_get_names(port, names, n) == n &&
	    rte_eth_xstats_get(port, xs, n) == n)
		for (i = 0; i < n; i++)
			printf("xstat %s %" PRIu64 "\n", names[xs[i].id].name, xs[i].value);
	fflush(stdout);
	free(names);
	free(xs);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "count", required_argument, NULL, 'c' },
		{ "done", required_argument, NULL, 'd' },
		{ "intr", no_argument, NULL, 'i' },
		{ "prime", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *done = NULL;
	struct rte_mempool *mp;
	uint32_t count = 0;
	uint16_t queue = 0;
	bool primary;
	int ret, c, rc;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			queue = (uint16_t)atoi(optarg);
			break;
		case 'c':
			count = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			done = optarg;
			break;
		case 'i':
			intr = true;
			break;
		case 'p':
			prime = true;
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (count == 0 || queue >= NB_QUEUES)
		return usage(argv[0]);
	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr, "want exactly one port, have %u\n", rte_eth_dev_count_avail());
		return 1;
	}
	port = 0;
	primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	if (primary) {
		if (primary_setup(&mp) != 0)
			return 1;
	} else {
		mp = rte_mempool_lookup(POOL_NAME);
		if (mp == NULL) {
			fprintf(stderr, "no mempool %s in the primary\n", POOL_NAME);
			return 1;
		}
	}
	rc = run_queue(mp, queue, count) == 0 ? 0 : 1;
	if (primary) {
		printf("primary ready\n");
		fflush(stdout);
		while (done != NULL && access(done, F_OK) != 0)
			usleep(50000);
		print_xstats();
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_eal_cleanup();
	return rc;
}
