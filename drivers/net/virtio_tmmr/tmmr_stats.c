/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Basic stats and xstats: per-queue counters come from the datapath
 * (tmmr_rxq_stats/tmmr_txq_stats) plus what released queue objects had
 * counted (hw->rxq_base/txq_base), device counters from the control path.
 * xstats order: device counters, then rx_q<n>_<name> for every configured
 * Rx queue, then tx_q<n>_<name> for every configured Tx queue.
 */

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "tmmr_ethdev.h"
#include "tmmr_stats.h"

struct tmmr_dev_xstat {
	const char *name;
	size_t off;	/* in struct tmmr_dev_counters, or SIZE_MAX: ctrl queue */
};

#define TMMR_DEV_XSTAT(n) { #n, offsetof(struct tmmr_dev_counters, n) }

static const struct tmmr_dev_xstat tmmr_dev_xstats[] = {
	TMMR_DEV_XSTAT(config_interrupts),
	TMMR_DEV_XSTAT(device_resets),
	TMMR_DEV_XSTAT(needs_reset_events),
	TMMR_DEV_XSTAT(broken_queue_events),
	TMMR_DEV_XSTAT(surprise_removals),
	TMMR_DEV_XSTAT(link_changes),
	TMMR_DEV_XSTAT(announce_acks),
	{ "ctrl_commands", SIZE_MAX },
	{ "ctrl_errors", SIZE_MAX - 1 },
	{ "ctrl_timeouts", SIZE_MAX - 2 },
};

#define TMMR_DEV_XSTATS_NB RTE_DIM(tmmr_dev_xstats)

static uint64_t
tmmr_dev_xstat_value(const struct tmmr_hw *hw, unsigned int i)
{
	size_t off = tmmr_dev_xstats[i].off;

	if (off == SIZE_MAX)
		return hw->cvq.commands;
	if (off == SIZE_MAX - 1)
		return hw->cvq.errors;
	if (off == SIZE_MAX - 2)
		return hw->cvq.timeouts;
	return *(const uint64_t *)((const uint8_t *)&hw->cnt + off);
}

/* struct tmmr_q_stats is summed as an array of counters */
static_assert(sizeof(struct tmmr_q_stats) % sizeof(uint64_t) == 0,
	      "struct tmmr_q_stats holds uint64_t counters only");
#define TMMR_Q_COUNTERS (sizeof(struct tmmr_q_stats) / sizeof(uint64_t))

static void
tmmr_qstats_add(struct tmmr_q_stats *sum, const struct tmmr_q_stats *s)
{
	uint64_t *d = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)s;
	size_t i;

	for (i = 0; i < TMMR_Q_COUNTERS; i++)
		d[i] += a[i];
}

void
tmmr_stats_absorb(struct tmmr_hw *hw, uint16_t qid, bool rx)
{
	if (qid >= TMMR_MAX_QUEUE_PAIRS)
		return;
	if (rx && hw->rxq[qid].q != NULL)
		tmmr_qstats_add(&hw->rxq_base[qid], tmmr_rxq_stats(hw->rxq[qid].q));
	else if (!rx && hw->txq[qid].q != NULL)
		tmmr_qstats_add(&hw->txq_base[qid], tmmr_txq_stats(hw->txq[qid].q));
}

/* Queue @qid's counters since the last reset: released objects plus the live one. */
static void
tmmr_qstats(const struct tmmr_hw *hw, uint16_t qid, bool rx, struct tmmr_q_stats *out)
{
	const struct tmmr_qslot *s;

	memset(out, 0, sizeof(*out));
	if (qid >= TMMR_MAX_QUEUE_PAIRS)
		return;
	s = rx ? &hw->rxq[qid] : &hw->txq[qid];
	*out = rx ? hw->rxq_base[qid] : hw->txq_base[qid];
	if (s->q != NULL)
		tmmr_qstats_add(out, rx ? tmmr_rxq_stats(s->q) : tmmr_txq_stats(s->q));
}

int
tmmr_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_q_stats s;
	uint16_t i;

	/* every queue index: one that is no longer configured keeps its share of the total */
	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		tmmr_qstats(hw, i, true, &s);
		stats->ipackets += s.packets;
		stats->ibytes += s.bytes;
		stats->ierrors += s.errors;
		stats->rx_nombuf += s.nombuf;
		if (i < dev->data->nb_rx_queues && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_ipackets[i] = s.packets;
			stats->q_ibytes[i] = s.bytes;
			stats->q_errors[i] = s.errors;
		}
		tmmr_qstats(hw, i, false, &s);
		stats->opackets += s.packets;
		stats->obytes += s.bytes;
		stats->oerrors += s.errors;
		if (i < dev->data->nb_tx_queues && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_opackets[i] = s.packets;
			stats->q_obytes[i] = s.bytes;
		}
	}
	return 0;
}

int
tmmr_stats_reset(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint16_t i;

	memset(hw->rxq_base, 0, sizeof(hw->rxq_base));
	memset(hw->txq_base, 0, sizeof(hw->txq_base));
	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		if (hw->rxq[i].q != NULL)
			tmmr_rxq_stats_reset(hw->rxq[i].q);
		if (hw->txq[i].q != NULL)
			tmmr_txq_stats_reset(hw->txq[i].q);
	}
	return 0;
}

static unsigned int
tmmr_xstats_count(struct rte_eth_dev *dev)
{
	return TMMR_DEV_XSTATS_NB + (unsigned int)(dev->data->nb_rx_queues +
		dev->data->nb_tx_queues) * TMMR_Q_XSTATS_NB;
}

int
tmmr_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
		      unsigned int n)
{
	unsigned int count = tmmr_xstats_count(dev), k = 0, i, j;
	uint16_t q;

	if (names == NULL || n < count)
		return (int)count;
	for (i = 0; i < TMMR_DEV_XSTATS_NB; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", tmmr_dev_xstats[i].name);
	for (j = 0; j < 2; j++) {
		uint16_t nb = j == 0 ? dev->data->nb_rx_queues : dev->data->nb_tx_queues;

		for (q = 0; q < nb; q++)
			for (i = 0; i < TMMR_Q_XSTATS_NB; i++)
				snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s_q%u_%s",
					 j == 0 ? "rx" : "tx", q, tmmr_q_xstat_name(i));
	}
	return (int)k;
}

int
tmmr_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	unsigned int count = tmmr_xstats_count(dev), k = 0, i, j;
	uint16_t q;

	if (xstats == NULL || n < count)
		return (int)count;
	for (i = 0; i < TMMR_DEV_XSTATS_NB; i++) {
		xstats[k].id = k;
		xstats[k].value = tmmr_dev_xstat_value(hw, i);
		k++;
	}
	for (j = 0; j < 2; j++) {
		uint16_t nb = j == 0 ? dev->data->nb_rx_queues : dev->data->nb_tx_queues;

		for (q = 0; q < nb; q++) {
			struct tmmr_q_stats s;

			tmmr_qstats(hw, q, j == 0, &s);
			for (i = 0; i < TMMR_Q_XSTATS_NB; i++) {
				xstats[k].id = k;
				xstats[k].value = tmmr_q_xstat_value(&s, i);
				k++;
			}
		}
	}
	return (int)k;
}

int
tmmr_xstats_reset(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);

	memset(&hw->cnt, 0, sizeof(hw->cnt));
	hw->cvq.commands = 0;
	hw->cvq.errors = 0;
	hw->cvq.timeouts = 0;
	return tmmr_stats_reset(dev);
}
