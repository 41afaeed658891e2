/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Rx interrupts through VFIO MSI-X, in the vfio suite's guest: port 0 sleeps in
 * rte_epoll_wait on its Rx queue's interrupt while another lcore sends a burst from port 1
 * (both ports are joined by the guest's QEMU hub) a moment later. Each round must wake with
 * exactly one event after the sender's delay and receive the whole burst; a first wait
 * without traffic must time out (the interrupt is not simply always pending).
 *
 * usage: tmmr_vfio_rxintr EAL-ARGS (two ports, port 0's Rx queue gets the interrupt)
 * Prints "RXINTR ..." lines, "RXINTR PASS" at the end; exit status 0 only then.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define ROUNDS 5
#define BURST 8
#define DELAY_MS 300
#define NB_DESC 256

static struct rte_mempool *pool;
static volatile int armed;	/* round number the receiver is waiting in, 0: none */
static volatile int quit;

static int
port_setup(uint16_t port, bool rx_intr)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = rx_intr;
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL,
					     pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		printf("RXINTR port %u setup failed: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* lcore 1: once the receiver waits in round r, sends BURST broadcast frames from port 1 */
static int
sender(void *arg)
{
	int done = 0;

	(void)arg;
	while (!quit) {
		struct rte_mbuf *m[BURST];
		uint16_t sent = 0;
		unsigned int i;

		if (armed == done) {
			rte_delay_us_sleep(1000);
			continue;
		}
		done = armed;
		rte_delay_us_sleep(DELAY_MS * 1000);
		if (rte_pktmbuf_alloc_bulk(pool, m, BURST) != 0) {
			printf("RXINTR sender: no mbufs\n");
			continue;
		}
		for (i = 0; i < BURST; i++) {
			uint8_t *p = (uint8_t *)rte_pktmbuf_append(m[i], 64);

			memset(p, 0, 64);
			memset(p, 0xff, 6);		/* broadcast */
			p[6] = 0x02;			/* locally administered source */
			p[11] = (uint8_t)done;
			p[12] = 0x88;			/* local experimental ethertype */
			p[13] = 0xb5;
		}
		while (sent < BURST)
			sent += rte_eth_tx_burst(1, 0, m + sent, BURST - sent);
	}
	return 0;
}

static unsigned int
drain(void)
{
	struct rte_mbuf *m[32];
	unsigned int total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(0, 0, m, 32)) > 0) {
		total += n;
		rte_pktmbuf_free_bulk(m, n);
	}
	return total;
}

int
main(int argc, char **argv)
{
	struct rte_epoll_event ev;
	unsigned int lcore, bad = 0;
	uint64_t t;
	int r, n;

	if (rte_eal_init(argc, argv) < 0) {
		printf("RXINTR cannot init EAL\n");
		return 1;
	}
	if (rte_eth_dev_count_avail() < 2 || rte_lcore_count() < 2) {
		printf("RXINTR needs two ports and two lcores\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("rxintr", 2048, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL || port_setup(0, true) != 0 || port_setup(1, false) != 0)
		return 1;
	n = rte_eth_dev_rx_intr_ctl_q(0, 0, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD, NULL);
	if (n != 0) {
		printf("RXINTR rx_intr_ctl_q: %s\n", rte_strerror(-n));
		return 1;
	}
	/* the links come up after start */
	for (r = 0; r < 100; r++) {
		struct rte_eth_link l0, l1;

		rte_eth_link_get_nowait(0, &l0);
		rte_eth_link_get_nowait(1, &l1);
		if (l0.link_status && l1.link_status)
			break;
		rte_delay_us_sleep(100 * 1000);
	}
	lcore = rte_get_next_lcore(-1, 1, 0);
	rte_eal_remote_launch(sender, NULL, lcore);

	/* nothing sent: the wait must time out */
	drain();
	rte_eth_dev_rx_intr_enable(0, 0);
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 500);
	rte_eth_dev_rx_intr_disable(0, 0);
	printf("RXINTR idle wait: %d events\n", n);
	if (n != 0)
		bad++;

	for (r = 1; r <= ROUNDS; r++) {
		unsigned int got;
		uint64_t ms;

		drain();
		rte_eth_dev_rx_intr_enable(0, 0);
		t = rte_get_timer_cycles();
		armed = r;
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 5000);
		ms = (rte_get_timer_cycles() - t) * 1000 / rte_get_timer_hz();
		rte_eth_dev_rx_intr_disable(0, 0);
		/* the burst may still be arriving when the first frame's interrupt wakes us */
		got = 0;
		for (int i = 0; i < 50 && got < BURST; i++) {
			got += drain();
			if (got < BURST)
				rte_delay_us_sleep(10 * 1000);
		}
		printf("RXINTR round %d: %d events after %" PRIu64 " ms, %u packets\n", r, n, ms,
		       got);
		if (n != 1 || ms < DELAY_MS / 2 || got != BURST)
			bad++;
	}
	quit = 1;
	rte_eal_mp_wait_lcore();
	rte_eth_dev_stop(0);
	rte_eth_dev_stop(1);
	rte_eth_dev_close(0);
	rte_eth_dev_close(1);
	printf("RXINTR %s\n", bad ? "FAIL" : "PASS");
	rte_eal_cleanup();
	return bad ? 1 : 0;
}
