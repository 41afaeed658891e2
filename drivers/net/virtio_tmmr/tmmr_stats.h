/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_STATS_H
#define TMMR_STATS_H

/* tmmr_stats.c: the port's stats and xstats. */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_ethdev.h"

/* Add the counters of queue @qid's object to the port's base before it is freed. */
void tmmr_stats_absorb(struct tmmr_hw *hw, uint16_t qid, bool rx);
int tmmr_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
int tmmr_stats_reset(struct rte_eth_dev *dev);
int tmmr_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int tmmr_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int n);
int tmmr_xstats_reset(struct rte_eth_dev *dev);

#endif /* TMMR_STATS_H */
