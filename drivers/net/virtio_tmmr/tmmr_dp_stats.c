/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Per-queue counters and their xstats names. */

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include <rte_common.h>

#include "tmmr_vq.h"

struct tmmr_q_xstat {
	const char *name;
	size_t off;
};

#define TMMR_QX(n, f) { n, offsetof(struct tmmr_q_stats, f) }

static const struct tmmr_q_xstat tmmr_q_xstats[] = {
	TMMR_QX("good_packets", packets),
	TMMR_QX("good_bytes", bytes),
	TMMR_QX("errors", errors),
	TMMR_QX("nombuf", nombuf),
	TMMR_QX("doorbells", doorbells),
	TMMR_QX("bad_used_id", bad_used_id),
	TMMR_QX("bad_used_len", bad_used_len),
	TMMR_QX("bad_num_buffers", bad_num_buffers),
	TMMR_QX("bad_used_idx", bad_used_idx),
	TMMR_QX("multicast_packets", multicast),
	TMMR_QX("broadcast_packets", broadcast),
	TMMR_QX("size_64_packets", size_bins[0]),
	TMMR_QX("size_65_127_packets", size_bins[1]),
	TMMR_QX("size_128_255_packets", size_bins[2]),
	TMMR_QX("size_256_511_packets", size_bins[3]),
	TMMR_QX("size_512_1023_packets", size_bins[4]),
	TMMR_QX("size_1024_1518_packets", size_bins[5]),
	TMMR_QX("size_1519_max_packets", size_bins[6]),
	TMMR_QX("undersize_packets", size_bins[7]),
};

static_assert(RTE_DIM(tmmr_q_xstats) == TMMR_Q_XSTATS_NB,
	      "TMMR_Q_XSTATS_NB in tmmr_rxtx.h must match the table");

const char *
tmmr_q_xstat_name(unsigned int i)
{
	return i < RTE_DIM(tmmr_q_xstats) ? tmmr_q_xstats[i].name : NULL;
}

uint64_t
tmmr_q_xstat_value(const struct tmmr_q_stats *s, unsigned int i)
{
	if (i >= RTE_DIM(tmmr_q_xstats))
		return 0;
	return *(const uint64_t *)((const uint8_t *)s + tmmr_q_xstats[i].off);
}

/* Sizes other than 64: bins 1..6 by power of two, 7 for runts. */
void
tmmr_stats_slow(struct tmmr_q_stats *s, const struct rte_mbuf *m)
{
	uint32_t len = m->pkt_len;
	unsigned int bin;

	if (len < 64)
		bin = 7;
	else if (len < 128)
		bin = 1;
	else if (len < 256)
		bin = 2;
	else if (len < 512)
		bin = 3;
	else if (len < 1024)
		bin = 4;
	else if (len <= 1518)
		bin = 5;
	else
		bin = 6;
	s->size_bins[bin]++;
}

const struct tmmr_q_stats *
tmmr_rxq_stats(const struct tmmr_rxq *q)
{
	return &q->vq.stats;
}

const struct tmmr_q_stats *
tmmr_txq_stats(const struct tmmr_txq *q)
{
	return &q->vq.stats;
}

void
tmmr_rxq_stats_reset(struct tmmr_rxq *q)
{
	memset(&q->vq.stats, 0, sizeof(q->vq.stats));
}

void
tmmr_txq_stats_reset(struct tmmr_txq *q)
{
	memset(&q->vq.stats, 0, sizeof(q->vq.stats));
}
