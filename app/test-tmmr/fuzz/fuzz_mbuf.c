/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "fuzz_mbuf.h"

void
fz_eal_init(const char *name, bool verbose)
{
	char prefix[64];
	char *eal[] = { (char *)(uintptr_t)name, "--no-huge", "-m", "64", "--no-pci",
			"--no-shconf", "--file-prefix", prefix, "-l", "0", "--log-level", "*:emerg",
			NULL };
	int eal_argc = (int)RTE_DIM(eal) - 1;

	if (verbose)
		eal_argc -= 2;
	snprintf(prefix, sizeof(prefix), "fuzz-%d", getpid());
	if (rte_eal_init(eal_argc, eal) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
}

static volatile uint8_t sink;

void
fz_consume_mbuf(struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t total = 0, k;

	if (rte_mbuf_check(m, 1, NULL) != 0)
		abort();
	for (s = m; s != NULL; s = s->next) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);

		for (k = 0; k < s->data_len; k++)
			sink ^= p[k];
		total += s->data_len;
	}
	if (total != m->pkt_len)
		abort();
	rte_pktmbuf_free(m);
}
