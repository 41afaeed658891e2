/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Helpers of the harnesses that run DPDK: EAL start, mbufs read back. */

#ifndef FUZZ_MBUF_H
#define FUZZ_MBUF_H

#include <stdbool.h>

struct rte_mbuf;

/*
 * rte_eal_init() for a fuzz target named @name: no hugepages, no PCI, a
 * file prefix of its own, one lcore, logs off unless @verbose. Exits on
 * failure.
 */
void fz_eal_init(const char *name, bool verbose);
/*
 * Read @m end to end the way an application would (ASan sees bad lengths),
 * abort unless it is a sane mbuf whose segments add up to pkt_len, free it.
 */
void fz_consume_mbuf(struct rte_mbuf *m);

#endif /* FUZZ_MBUF_H */
