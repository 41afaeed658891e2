/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_FILTER_H
#define TMMR_FILTER_H

/* tmmr_filter.c: receive filters through the control queue. */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_ethdev.h"

int tmmr_promiscuous_enable(struct rte_eth_dev *dev);
int tmmr_promiscuous_disable(struct rte_eth_dev *dev);
int tmmr_allmulticast_enable(struct rte_eth_dev *dev);
int tmmr_allmulticast_disable(struct rte_eth_dev *dev);
/* Send the secondary MACs, leaving out index @skip and taking @addr for @extra; lock held. */
int tmmr_mac_table_apply_locked(struct rte_eth_dev *dev, uint32_t skip, uint32_t extra,
				const struct rte_ether_addr *addr);
int tmmr_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		      uint32_t vmdq);
void tmmr_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
int tmmr_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr);
int tmmr_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on);

#endif /* TMMR_FILTER_H */
