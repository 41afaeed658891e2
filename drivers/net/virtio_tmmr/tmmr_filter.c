/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Receive filters: promiscuous and all-multicast modes, the MAC table, the
 * primary MAC and VLAN filters, through the control queue (or the legacy MAC
 * field without CTRL_MAC_ADDR). Changed while the port is stopped, they are
 * sent at the next start (tmmr_ctrl_restore_locked in tmmr_ethdev.c).
 */

#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_ether.h>

#include "tmmr_ethdev.h"
#include "tmmr_filter.h"
#include "tmmr_logs.h"

/* Send a control command now if the port runs; else it is applied at start. */
static int
tmmr_rx_mode_set(struct rte_eth_dev *dev, uint8_t cmd, bool on)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	int ret = 0;

	if (!tmmr_has(hw->plan_features, TMMR_NET_F_CTRL_RX))
		return -ENOTSUP;
	pthread_mutex_lock(&hw->lock);
	if (hw->removed)
		ret = -ENODEV;
	else if (hw->started && hw->cvq_ready)
		ret = tmmr_ctrlq_rx_mode(&hw->cvq, cmd, on);
	pthread_mutex_unlock(&hw->lock);
	return ret;
}

int
tmmr_promiscuous_enable(struct rte_eth_dev *dev)
{
	return tmmr_rx_mode_set(dev, TMMR_NET_CTRL_RX_PROMISC, true);
}

int
tmmr_promiscuous_disable(struct rte_eth_dev *dev)
{
	return tmmr_rx_mode_set(dev, TMMR_NET_CTRL_RX_PROMISC, false);
}

int
tmmr_allmulticast_enable(struct rte_eth_dev *dev)
{
	return tmmr_rx_mode_set(dev, TMMR_NET_CTRL_RX_ALLMULTI, true);
}

int
tmmr_allmulticast_disable(struct rte_eth_dev *dev)
{
	return tmmr_rx_mode_set(dev, TMMR_NET_CTRL_RX_ALLMULTI, false);
}

/*
 * Send the device the secondary MAC addresses (all but index 0, which is
 * the primary one), leaving out @skip and taking @addr for index @extra.
 */
int
tmmr_mac_table_apply_locked(struct rte_eth_dev *dev, uint32_t skip, uint32_t extra,
			    const struct rte_ether_addr *addr)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint8_t uc[TMMR_NET_MAX_MAC_TABLE][6], mc[TMMR_NET_MAX_MAC_TABLE][6];
	uint32_t nb_uc = 0, nb_mc = 0, i;

	if (!hw->started || !hw->cvq_ready || !tmmr_has(hw->features, TMMR_NET_F_CTRL_RX))
		return 0;
	for (i = 1; i < TMMR_NET_MAX_MAC_TABLE; i++) {
		const struct rte_ether_addr *a = i == extra ? addr : &dev->data->mac_addrs[i];

		if (i == skip || rte_is_zero_ether_addr(a))
			continue;
		if (rte_is_multicast_ether_addr(a))
			memcpy(mc[nb_mc++], a->addr_bytes, 6);
		else
			memcpy(uc[nb_uc++], a->addr_bytes, 6);
	}
	return tmmr_ctrlq_mac_table_set(&hw->cvq, (const uint8_t (*)[6])uc, nb_uc,
					(const uint8_t (*)[6])mc, nb_mc);
}

int
tmmr_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *addr, uint32_t index,
		  uint32_t vmdq)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	int ret;

	if (!tmmr_has(hw->plan_features, TMMR_NET_F_CTRL_RX))
		return -ENOTSUP;
	if (index == 0 || index >= TMMR_NET_MAX_MAC_TABLE)
		return -EINVAL;
	pthread_mutex_lock(&hw->lock);
	ret = hw->removed ? -ENODEV : tmmr_mac_table_apply_locked(dev, UINT32_MAX, index, addr);
	pthread_mutex_unlock(&hw->lock);
	return ret;
}

void
tmmr_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);

	if (index == 0 || index >= TMMR_NET_MAX_MAC_TABLE)
		return;
	pthread_mutex_lock(&hw->lock);
	if (!hw->removed && tmmr_mac_table_apply_locked(dev, index, UINT32_MAX, NULL) != 0)
		TMMR_LOG(driver, ERR, hw, "MAC table update failed");
	pthread_mutex_unlock(&hw->lock);
}

int
tmmr_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	int ret = 0;

	pthread_mutex_lock(&hw->lock);
	if (hw->removed)
		ret = -ENODEV;
	else if (hw->started && hw->cvq_ready && tmmr_has(hw->features,
							  TMMR_NET_F_CTRL_MAC_ADDR))
		ret = tmmr_ctrlq_mac_addr_set(&hw->cvq, addr->addr_bytes);
	else if (hw->started)
		tmmr_leg_devcfg_write(hw->pci, TMMR_NET_CFG_MAC, addr->addr_bytes,
				      RTE_ETHER_ADDR_LEN);
	pthread_mutex_unlock(&hw->lock);
	return ret;
}

int
tmmr_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vid, int on)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	int ret = 0;

	if (!tmmr_has(hw->plan_features, TMMR_NET_F_CTRL_VLAN))
		return -ENOTSUP;
	if (vid >= TMMR_NET_MAX_VLAN)
		return -EINVAL;
	pthread_mutex_lock(&hw->lock);
	if (hw->removed)
		ret = -ENODEV;
	else if (hw->started && hw->cvq_ready)
		ret = tmmr_ctrlq_vlan(&hw->cvq, vid, on != 0);
	pthread_mutex_unlock(&hw->lock);
	return ret;
}
