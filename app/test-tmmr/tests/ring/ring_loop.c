/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Not a test: the forwarding loop of the PMD (64-byte packets, bursts of 32:
 * receive, send back) against the scripted device, for counting the burst
 * functions' instructions under callgrind (devtools/bench/ring-ir.sh). Every
 * burst is full, so the count per packet does not depend on how fast a
 * backend is or how loaded the machine is.
 * Usage: ring_loop [BURSTS] [fast-free] [nomrg] [scalar] [txlist]
 * (nomrg: Rx without mergeable buffers, one chain per packet; scalar: no SSE;
 * txlist: Tx always on the free list, not the static ring)
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "ring_harness.h"
#include "tmmr_vq.h"

#define LOOP_BURST	32
#define LOOP_RING	256

int
main(int argc, char **argv)
{
	static const uint8_t dst[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	unsigned long bursts = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	bool fast_free = false, mrg = true, vec = true, tx_static = true;
	struct tmmr_dp_cfg cfg;
	struct rte_mbuf *pkts[LOOP_BURST];
	struct tmmr_net_hdr h = { 0 };
	struct rte_mempool *mp;
	struct tmmr_rxq *rxq;
	struct tmmr_txq *txq;
	struct fdev rd, td;
	struct fdev_chain c;
	unsigned long i, fwd = 0;
	uint64_t iova;
	uint8_t frame[64];
	uint16_t n, k, sent;
	int a;

	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "fast-free") == 0)
			fast_free = true;
		else if (strcmp(argv[a], "nomrg") == 0)
			mrg = false;
		else if (strcmp(argv[a], "scalar") == 0)
			vec = false;
		else if (strcmp(argv[a], "txlist") == 0)
			tx_static = false;
		else
			return 2;
	}
	cfg = harness_cfg(mrg, true, true);
	harness_eal_init();
	mp = rte_pktmbuf_pool_create("ring_loop", 4096, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		return 1;
	rxq = tmmr_rxq_create(0, 0, LOOP_RING, SOCKET_ID_ANY, mp, &cfg, &iova);
	if (rxq == NULL)
		return 1;
	fdev_attach(&rd, iova, LOOP_RING, cfg.hdr_len);
	tmmr_rxq_set_doorbell(rxq, &rd.doorbell);
	txq = tmmr_txq_create(0, 1, LOOP_RING, SOCKET_ID_ANY, &cfg, &iova);
	if (txq == NULL)
		return 1;
	fdev_attach(&td, iova, LOOP_RING, cfg.hdr_len);
	tmmr_txq_set_doorbell(txq, &td.doorbell);
	tmmr_txq_set_fast_free(txq, fast_free);
	tmmr_txq_set_static_ring(txq, tx_static);
	tmmr_rxq_set_vector(rxq, vec);
	if (tmmr_rxq_start(rxq) != 0)
		return 1;
	harness_frame(frame, sizeof(frame), dst, 1);
	for (i = 0; i < bursts; i++) {
		for (k = 0; k < LOOP_BURST; k++)
			if (fdev_rx(&rd, &h, frame, sizeof(frame), cfg.mrg_rxbuf) < 0)
				break;
		n = tmmr_recv_pkts(rxq, pkts, LOOP_BURST);
		sent = tmmr_xmit_pkts(txq, pkts, n);
		fwd += sent;
		if (sent < n)
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		while (fdev_pop(&td, &c))
			fdev_push_used(&td, c.head, 0);
		fdev_doorbells(&rd);
		fdev_doorbells(&td);
	}
	printf("packets forwarded: %lu\n", fwd);
	tmmr_txq_free(txq);
	tmmr_rxq_stop(rxq);
	tmmr_rxq_free(rxq);
	fdev_detach(&rd);
	fdev_detach(&td);
	return fwd == bursts * LOOP_BURST ? 0 : 1;
}
