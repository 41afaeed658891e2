/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * net_virtio_tmmr: the ethdev of virtio Transitional MMR network VFs, its
 * ops and its probe. What the ops ask of the device is in tmmr_hw.c.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bus_pci_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>
#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "tmmr_ethdev.h"
#include "tmmr_filter.h"
#include "tmmr_hw.h"
#include "tmmr_intr.h"
#include "tmmr_logs.h"
#include "tmmr_mp.h"
#include "tmmr_stats.h"
#include "tmmr_vdpa.h"

static const struct rte_pci_id tmmr_pci_id_map[] = {
	{ RTE_PCI_DEVICE(TMMR_PCI_VENDOR_ID, TMMR_PCI_DEVICE_ID_NET) },
	{ .vendor_id = 0 },
};

/* Largest frame one Rx mbuf of @mp holds (the net header sits in the headroom). */
static uint32_t
tmmr_rx_buf_frame(struct rte_mempool *mp)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp);

	if (room <= (uint32_t)RTE_PKTMBUF_HEADROOM)
		return 0;
	return room - RTE_PKTMBUF_HEADROOM;
}

/*
 * A frame larger than one mbuf arrives as a multi-segment mbuf (over several
 * mergeable buffers, or in a chain of mbufs sized for the MTU), which the
 * application must have allowed with the SCATTER offload, as net/virtio
 * requires too.
 */
static bool
tmmr_rx_frame_fits(struct rte_eth_dev *dev, struct rte_mempool *mp, uint32_t frame)
{
	if (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER)
		return true;
	return frame <= tmmr_rx_buf_frame(mp);
}

int
tmmr_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint32_t f;

	tmmr_refresh_offer(hw);
	f = tmmr_usable_features(hw);
	info->max_rx_queues = hw->max_pairs;
	info->max_tx_queues = hw->max_pairs;
	info->min_rx_bufsize = 64;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	if (tmmr_has(f, TMMR_NET_F_MTU))
		info->max_mtu = hw->dev_mtu;
	else
		info->max_mtu = TMMR_MAX_RX_PKTLEN - TMMR_L2_OVERHEAD;
	info->max_rx_pktlen = info->max_mtu + TMMR_L2_OVERHEAD;
	info->max_mac_addrs = tmmr_has(f, TMMR_NET_F_CTRL_RX) ? TMMR_NET_MAX_MAC_TABLE : 1;

	info->rx_offload_capa = 0;
	if (tmmr_has(f, TMMR_NET_F_GUEST_CSUM))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if ((tmmr_has(f, TMMR_NET_F_GUEST_TSO4) || tmmr_has(f, TMMR_NET_F_GUEST_TSO6)) &&
	    tmmr_has(f, TMMR_NET_F_MRG_RXBUF))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	if (tmmr_has(f, TMMR_NET_F_CTRL_VLAN))
		info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	/* the datapath chains mbufs: mergeable buffers, or MTU-sized chains */
	info->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	if (tmmr_has(f, TMMR_NET_F_CSUM))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
			RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	/* TCP_TSO means IPv4 and IPv6: a device with one of them cannot take it */
	if (tmmr_has(f, TMMR_NET_F_HOST_TSO4) && tmmr_has(f, TMMR_NET_F_HOST_TSO6))
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;

	/*
	 * Legacy: the device chooses the ring size and the driver takes it. Any
	 * requested count is accepted (queue setup logs when it differs), as
	 * applications such as OVS ask for their own count without adjusting it
	 * to the limits; 0 picks the default, which is the device's size.
	 */
	info->rx_desc_lim.nb_max = UINT16_MAX;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = UINT16_MAX;
	info->tx_desc_lim.nb_min = 1;
	info->tx_desc_lim.nb_align = 1;
	info->default_rxportconf.ring_size = hw->queue_size;
	info->default_txportconf.ring_size = hw->queue_size;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}

static int
tmmr_dev_configure(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	uint64_t rx_off = conf->rxmode.offloads;
	uint64_t tx_off = conf->txmode.offloads;
	uint16_t nb_rx = dev->data->nb_rx_queues;
	uint16_t nb_tx = dev->data->nb_tx_queues;
	struct tmmr_feature_req req;
	uint32_t f;

	if (hw->removed) {
		TMMR_LOG(driver, ERR, hw, "device was removed");
		return -ENODEV;
	}
	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		TMMR_LOG(driver, ERR, hw, "Rx mq_mode %d not supported (NONE, or RSS with the "
			 "device steering flows itself)", conf->rxmode.mq_mode);
		return -EINVAL;
	}
	if (conf->txmode.mq_mode != RTE_ETH_MQ_TX_NONE) {
		TMMR_LOG(driver, ERR, hw, "Tx mq_mode %d not supported (only NONE)",
			 conf->txmode.mq_mode);
		return -EINVAL;
	}
	if (nb_rx > hw->max_pairs || nb_tx > hw->max_pairs) {
		TMMR_LOG(driver, ERR, hw, "%u Rx / %u Tx queues requested, the device has %u "
			 "queue pairs", nb_rx, nb_tx, hw->max_pairs);
		return -EINVAL;
	}
	if (conf->intr_conf.rxq && !hw->pci->layout.has_msix) {
		TMMR_LOG(driver, ERR, hw, "Rx interrupts need MSI-X, the device has none");
		return -ENOTSUP;
	}
	if (conf->rxmode.mq_mode == RTE_ETH_MQ_RX_RSS && RTE_MAX(nb_rx, nb_tx) > 1)
		TMMR_LOG(driver, INFO, hw, "no RSS hash; the device spreads flows over the "
			 "queue pairs itself");

	req.rx_csum = (rx_off & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
				 RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) != 0;
	req.rx_lro = (rx_off & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0;
	req.rx_scatter = (rx_off & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	req.tx_csum = (tx_off & (RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
				 RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) != 0;
	req.tx_tso = (tx_off & RTE_ETH_TX_OFFLOAD_TCP_TSO) != 0;
	req.vlan_filter = (rx_off & RTE_ETH_RX_OFFLOAD_VLAN_FILTER) != 0;
	f = tmmr_features_negotiate(hw->dev_features, &hw->args, &req);

	if (req.rx_lro && !tmmr_has(f, TMMR_NET_F_MRG_RXBUF)) {
		TMMR_LOG(driver, ERR, hw, "TCP LRO needs mergeable Rx buffers ("
			 TMMR_DEVARG_MRG_RXBUF "=1 or auto, and a device offering them)");
		return -EINVAL;
	}
	if (RTE_MAX(nb_rx, nb_tx) > 1 && !tmmr_has(f, TMMR_NET_F_MQ)) {
		TMMR_LOG(driver, ERR, hw, "several queue pairs need MQ and a control queue");
		return -EINVAL;
	}
	hw->plan_features = f;
	hw->nb_pairs = RTE_MAX(nb_rx, nb_tx);
	tmmr_build_dp_cfg(dev, f, &hw->dp_cfg);
	TMMR_LOG(driver, INFO, hw, "%u queue pairs, features to ack 0x%08x", hw->nb_pairs, f);
	return 0;
}

/* Free the queue behind a slot; its counters go to the port's base first. */
static void
tmmr_qslot_free(struct rte_eth_dev *dev, uint16_t qid, bool rx)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_qslot *s = rx ? &hw->rxq[qid] : &hw->txq[qid];

	if (s->q != NULL) {
		tmmr_stats_absorb(hw, qid, rx);
		if (rx)
			tmmr_rxq_free(s->q);
		else
			tmmr_txq_free(s->q);
	}
	memset(s, 0, sizeof(*s));
	if (rx && qid < dev->data->nb_rx_queues)
		dev->data->rx_queues[qid] = NULL;
	else if (!rx && qid < dev->data->nb_tx_queues)
		dev->data->tx_queues[qid] = NULL;
}

/* (Re)create the datapath queue behind a slot whose size/socket/mp are set. */
static int
tmmr_qslot_create(struct rte_eth_dev *dev, uint16_t qid, bool rx)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_qslot *s = rx ? &hw->rxq[qid] : &hw->txq[qid];
	uint64_t iova = 0;
	void *q;

	if (rx)
		q = tmmr_rxq_create(dev->data->port_id, tmmr_rx_vq(qid), s->num, s->socket,
				    s->mp, &hw->dp_cfg, &iova);
	else
		q = tmmr_txq_create(dev->data->port_id, tmmr_tx_vq(qid), s->num, s->socket,
				    &hw->dp_cfg, &iova);
	if (q == NULL) {
		TMMR_LOG(driver, ERR, hw, "cannot create %s queue %u: %s", rx ? "Rx" : "Tx", qid,
			 rte_strerror(rte_errno));
		return rte_errno != 0 ? -rte_errno : -ENOMEM;
	}
	if (tmmr_leg_check_ring_iova(iova) != 0) {
		TMMR_LOG(driver, ERR, hw, "%s queue %u ring at IOVA 0x%" PRIx64 " cannot be "
			 "given to a legacy device (32-bit PFN: 4096-aligned, below 16 TiB)",
			 rx ? "Rx" : "Tx", qid, iova);
		if (rx)
			tmmr_rxq_free(q);
		else
			tmmr_txq_free(q);
		return -EINVAL;
	}
	if (rx) {
		tmmr_rxq_set_nb_desc(q, s->nb_desc);
		tmmr_rxq_set_no_ptype(q, hw->rx_no_ptype);
	} else {
		tmmr_txq_set_nb_desc(q, s->nb_desc);
		tmmr_txq_set_fast_free(q, s->fast_free);
	}
	s->q = q;
	s->ring_iova = iova;
	s->cfg = hw->dp_cfg;
	if (rx)
		dev->data->rx_queues[qid] = q;
	else
		dev->data->tx_queues[qid] = q;
	return 0;
}

/*
 * What Rx and Tx queue setup share: the queue exists, the device's ring size
 * (a legacy device chooses it; a different request is only noted) and no
 * deferred start.
 */
static int
tmmr_queue_setup_check(struct rte_eth_dev *dev, uint16_t qid, bool rx, uint16_t nb_desc,
		       bool deferred_start, uint16_t *size)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	int ret;

	if (qid >= hw->max_pairs)
		return -EINVAL;
	ret = tmmr_hw_queue_size(dev, rx ? tmmr_rx_vq(qid) : tmmr_tx_vq(qid), size);
	if (ret != 0)
		return ret;
	if (nb_desc > *size)
		TMMR_LOG(driver, INFO, hw, "%s queue %u: the device's ring has %u descriptors, "
			 "not %u", rx ? "Rx" : "Tx", qid, *size, nb_desc);
	if (deferred_start) {
		TMMR_LOG(driver, ERR, hw, "deferred queue start is not supported");
		return -EINVAL;
	}
	return 0;
}

static int
tmmr_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_qslot *s = &hw->rxq[qid];
	uint16_t n;
	int ret;

	ret = tmmr_queue_setup_check(dev, qid, true, nb_desc,
				     conf != NULL && conf->rx_deferred_start, &n);
	if (ret != 0)
		return ret;
	if (!tmmr_rx_frame_fits(dev, mp, hw->dp_cfg.max_rx_pkt_len)) {
		TMMR_LOG(driver, ERR, hw, "Rx queue %u: mbufs of pool %s hold %u-byte frames, "
			 "MTU %u needs %u (enable scattered Rx)", qid, mp->name,
			 tmmr_rx_buf_frame(mp), dev->data->mtu, hw->dp_cfg.max_rx_pkt_len);
		return -EINVAL;
	}
	tmmr_qslot_free(dev, qid, true);
	s->num = n;
	s->nb_desc = nb_desc;
	s->socket = (int)socket;
	s->mp = mp;
	ret = tmmr_qslot_create(dev, qid, true);
	if (ret != 0)
		memset(s, 0, sizeof(*s));
	return ret;
}

static int
tmmr_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_qslot *s = &hw->txq[qid];
	uint16_t n;
	int ret;

	ret = tmmr_queue_setup_check(dev, qid, false, nb_desc,
				     conf != NULL && conf->tx_deferred_start, &n);
	if (ret != 0)
		return ret;
	tmmr_qslot_free(dev, qid, false);
	s->num = n;
	s->nb_desc = nb_desc;
	s->socket = (int)socket;
	/* ethdev passes the queue's own offloads; the port's apply too */
	s->fast_free = ((conf != NULL ? conf->offloads : 0) | dev->data->dev_conf.txmode.offloads) &
		RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	ret = tmmr_qslot_create(dev, qid, false);
	if (ret != 0)
		memset(s, 0, sizeof(*s));
	return ret;
}

static void
tmmr_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	if (qid < TMMR_MAX_QUEUE_PAIRS)
		tmmr_qslot_free(dev, qid, true);
}

static void
tmmr_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	if (qid < TMMR_MAX_QUEUE_PAIRS)
		tmmr_qslot_free(dev, qid, false);
}

static int
tmmr_dev_start(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_dp_cfg cfg;
	uint16_t i;
	int ret;

	if (hw->removed) {
		TMMR_LOG(driver, ERR, hw, "device was removed");
		return -ENODEV;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (hw->rxq[i].q == NULL) {
			TMMR_LOG(driver, ERR, hw, "Rx queue %u not set up", i);
			return -EINVAL;
		}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (hw->txq[i].q == NULL) {
			TMMR_LOG(driver, ERR, hw, "Tx queue %u not set up", i);
			return -EINVAL;
		}
	/* MTU or offloads changed since queue setup: rebuild those queues */
	tmmr_build_dp_cfg(dev, hw->plan_features, &cfg);
	hw->dp_cfg = cfg;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tmmr_qslot *s = &hw->rxq[i];

		if (!tmmr_rx_frame_fits(dev, s->mp, cfg.max_rx_pkt_len)) {
			TMMR_LOG(driver, ERR, hw, "MTU %u does not fit the Rx mbufs of queue %u "
				 "(enable scattered Rx)", dev->data->mtu, i);
			return -EINVAL;
		}
		if (tmmr_dp_cfg_equal(&s->cfg, &cfg))
			continue;
		tmmr_stats_absorb(hw, i, true);
		tmmr_rxq_free(s->q);
		s->q = NULL;
		dev->data->rx_queues[i] = NULL;
		ret = tmmr_qslot_create(dev, i, true);
		if (ret != 0)
			return ret;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct tmmr_qslot *s = &hw->txq[i];

		if (tmmr_dp_cfg_equal(&s->cfg, &cfg))
			continue;
		tmmr_stats_absorb(hw, i, false);
		tmmr_txq_free(s->q);
		s->q = NULL;
		dev->data->tx_queues[i] = NULL;
		ret = tmmr_qslot_create(dev, i, false);
		if (ret != 0)
			return ret;
	}
	tmmr_set_burst_fns(dev);

	pthread_mutex_lock(&hw->lock);
	ret = tmmr_hw_start_locked(dev);
	if (ret == 0)
		tmmr_link_read(dev);
	pthread_mutex_unlock(&hw->lock);
	if (ret != 0)
		return ret;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	tmmr_intr_start(dev);
	TMMR_LOG(driver, INFO, hw, "started, features 0x%08x, %s", hw->features,
		 hw->msix ? "MSI-X" : "no MSI-X");
	return 0;
}

static int
tmmr_dev_stop(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_eth_link link;
	uint16_t i;

	tmmr_intr_stop(dev);
	pthread_mutex_lock(&hw->lock);
	tmmr_hw_stop_locked(dev);
	pthread_mutex_unlock(&hw->lock);

	memset(&link, 0, sizeof(link));
	link.link_status = RTE_ETH_LINK_DOWN;
	link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	rte_eth_linkstatus_set(dev, &link);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static void
tmmr_free_queues(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		tmmr_qslot_free(dev, i, true);
		tmmr_qslot_free(dev, i, false);
	}
}

static int
tmmr_dev_close(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (hw->started)
		tmmr_dev_stop(dev);
	tmmr_free_queues(dev);
	if (hw->cvq_mz != NULL) {
		rte_memzone_free(hw->cvq_mz);
		hw->cvq_mz = NULL;
	}
	if (hw->pci != NULL) {
		tmmr_pci_close(hw->pci);
		hw->pci = NULL;
	}
	dev->intr_handle = NULL;
	pthread_mutex_destroy(&hw->lock);
	return 0;
}

static int
tmmr_dev_reset(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	int ret;

	if (hw->removed) {
		TMMR_LOG(driver, ERR, hw, "device was removed, cannot reset");
		return -ENODEV;
	}
	/* the application sets queues up again after a reset */
	tmmr_free_queues(dev);
	pthread_mutex_lock(&hw->lock);
	ret = p->ops->fn_reset(p);
	if (ret != 0)
		TMMR_LOG(driver, WARNING, p, "function reset failed (%s), legacy reset only",
			 rte_strerror(-ret));
	ret = tmmr_hw_init_locked(dev);
	hw->reset_requested = false;
	pthread_mutex_unlock(&hw->lock);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, hw, "reinitialisation failed: %s", rte_strerror(-ret));
		return ret;
	}
	rte_ether_addr_copy(&hw->dev_mac, &dev->data->mac_addrs[0]);
	tmmr_set_burst_fns(dev);
	return 0;
}

static int
tmmr_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_eth_link old;
	int ret;

	rte_eth_linkstatus_get(dev, &old);
	pthread_mutex_lock(&hw->lock);
	tmmr_link_read(dev);
	pthread_mutex_unlock(&hw->lock);
	ret = dev->data->dev_link.link_status == old.link_status ? -1 : 0;
	return ret;
}

static int
tmmr_is_removed(struct rte_eth_dev *dev)
{
	return tmmr_hw_of(dev)->removed ? 1 : 0;
}

static int
tmmr_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint32_t frame = (uint32_t)mtu + TMMR_L2_OVERHEAD;
	uint16_t i;

	if (hw->started) {
		TMMR_LOG(driver, ERR, hw, "stop the port to change the MTU");
		return -EBUSY;
	}
	if (tmmr_has(hw->plan_features, TMMR_NET_F_MTU) && mtu > hw->dev_mtu) {
		TMMR_LOG(driver, ERR, hw, "MTU %u above the device's %u", mtu, hw->dev_mtu);
		return -EINVAL;
	}
	if (frame > TMMR_MAX_RX_PKTLEN) {
		TMMR_LOG(driver, ERR, hw, "MTU %u above %u", mtu,
			 TMMR_MAX_RX_PKTLEN - TMMR_L2_OVERHEAD);
		return -EINVAL;
	}
	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		struct tmmr_qslot *s = &hw->rxq[i];

		if (s->q != NULL && !tmmr_rx_frame_fits(dev, s->mp, frame)) {
			TMMR_LOG(driver, ERR, hw, "MTU %u does not fit the Rx mbufs of queue %u "
				 "(enable scattered Rx)", mtu, i);
			return -EINVAL;
		}
	}
	return 0;
}

/* The Rx queue whose interrupt the application may switch, or NULL. */
static struct tmmr_rxq *
tmmr_intr_rxq(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);

	if (qid >= dev->data->nb_rx_queues || !hw->rx_intr)
		return NULL;
	return hw->rxq[qid].q;
}

static int
tmmr_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tmmr_rxq *q = tmmr_intr_rxq(dev, qid);

	if (q == NULL)
		return -EINVAL;
	if (tmmr_rxq_intr_enable(q)) {
		/*
		 * Work arrived before the device saw the request: raise the
		 * queue's event ourselves, so the application's epoll wakes.
		 */
		int fd = rte_intr_efds_index_get(tmmr_hw_of(dev)->pci->intr_handle, qid);
		uint64_t one = 1;

		if (fd >= 0 && write(fd, &one, sizeof(one)) != sizeof(one))
			TMMR_LOG(driver, DEBUG, tmmr_hw_of(dev), "Rx queue %u: cannot raise its event",
				 qid);
	}
	return 0;
}

static int
tmmr_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tmmr_rxq *q = tmmr_intr_rxq(dev, qid);

	if (q == NULL)
		return -EINVAL;
	tmmr_rxq_intr_disable(q);
	return 0;
}

static uint32_t
tmmr_rx_queue_count(void *rxq)
{
	return tmmr_rxq_count(rxq);
}

static int
tmmr_tx_done_cleanup(void *txq, uint32_t free_cnt)
{
	return tmmr_txq_done_cleanup(txq, free_cnt);
}

static const uint32_t *
tmmr_dev_supported_ptypes_get(struct rte_eth_dev *dev)
{
	/* with Rx offloads on, the datapath parses every packet (rte_net_get_ptype) */
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER, RTE_PTYPE_L2_ETHER_VLAN, RTE_PTYPE_L2_ETHER_QINQ,
		RTE_PTYPE_L3_IPV4, RTE_PTYPE_L3_IPV4_EXT, RTE_PTYPE_L3_IPV6, RTE_PTYPE_L3_IPV6_EXT,
		RTE_PTYPE_L4_TCP, RTE_PTYPE_L4_UDP, RTE_PTYPE_L4_SCTP, RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_UNKNOWN
	};

	if (dev->rx_pkt_burst == tmmr_recv_pkts)
		return ptypes;
	return NULL;
}

/* An application that needs no packet types (ptype_mask 0) spares every packet the parse. */
static int
tmmr_dev_ptypes_set(struct rte_eth_dev *dev, uint32_t ptype_mask)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint16_t i;

	hw->rx_no_ptype = ptype_mask == RTE_PTYPE_UNKNOWN;
	for (i = 0; i < RTE_DIM(hw->rxq); i++)
		if (hw->rxq[i].q != NULL)
			tmmr_rxq_set_no_ptype(hw->rxq[i].q, hw->rx_no_ptype);
	return 0;
}

static const struct eth_dev_ops tmmr_eth_dev_ops = {
	.dev_configure = tmmr_dev_configure,
	.dev_start = tmmr_dev_start,
	.dev_stop = tmmr_dev_stop,
	.dev_close = tmmr_dev_close,
	.dev_reset = tmmr_dev_reset,
	.is_removed = tmmr_is_removed,
	.dev_infos_get = tmmr_dev_infos_get,
	.dev_supported_ptypes_get = tmmr_dev_supported_ptypes_get,
	.dev_ptypes_set = tmmr_dev_ptypes_set,
	.rx_queue_setup = tmmr_rx_queue_setup,
	.rx_queue_release = tmmr_rx_queue_release,
	.tx_queue_setup = tmmr_tx_queue_setup,
	.tx_queue_release = tmmr_tx_queue_release,
	.rx_queue_intr_enable = tmmr_rx_queue_intr_enable,
	.rx_queue_intr_disable = tmmr_rx_queue_intr_disable,
	.tx_done_cleanup = tmmr_tx_done_cleanup,
	.link_update = tmmr_link_update,
	.promiscuous_enable = tmmr_promiscuous_enable,
	.promiscuous_disable = tmmr_promiscuous_disable,
	.allmulticast_enable = tmmr_allmulticast_enable,
	.allmulticast_disable = tmmr_allmulticast_disable,
	.mac_addr_set = tmmr_mac_addr_set,
	.mac_addr_add = tmmr_mac_addr_add,
	.mac_addr_remove = tmmr_mac_addr_remove,
	.vlan_filter_set = tmmr_vlan_filter_set,
	.mtu_set = tmmr_mtu_set,
	.stats_get = tmmr_stats_get,
	.stats_reset = tmmr_stats_reset,
	.xstats_get = tmmr_xstats_get,
	.xstats_get_names = tmmr_xstats_get_names,
	.xstats_reset = tmmr_xstats_reset,
};

void
tmmr_set_burst_fns(struct rte_eth_dev *dev)
{
	dev->rx_pkt_burst = tmmr_recv_pkts;
	dev->tx_pkt_burst = tmmr_xmit_pkts;
	dev->tx_pkt_prepare = tmmr_xmit_prep;
	dev->rx_queue_count = tmmr_rx_queue_count;
}

static int
tmmr_pci_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *pci_dev)
{
	struct rte_devargs *da = pci_dev->device.devargs;
	struct rte_eth_dev *eth_dev;
	struct tmmr_devargs args;
	struct tmmr_hw *hw;
	struct tmmr_pci *p;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return tmmr_mp_secondary_probe(pci_dev);
	ret = tmmr_devargs_parse(da != NULL ? da->args : NULL, &args);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, &pci_dev->device, "bad devargs, not probing");
		return ret;
	}
	p = tmmr_pci_open(pci_dev);
	if (p == NULL)
		return -ENODEV;
	tmmr_log_layout(p);
	if (args.vdpa) {
		ret = tmmr_vdpa_probe(pci_dev, p, &args);
		if (ret != 0)
			tmmr_pci_close(p);
		return ret;
	}
	if (tmmr_iova_pa_on_model(p))
		TMMR_LOG(driver, NOTICE, p, "IOVA mode is PA: each physically discontiguous page "
			 "needs a DMA map of its own, which the model's vhost-user backend "
			 "takes only with IOMMU support (net_vhost iommu-support=1); "
			 "--iova-mode=va needs none");

	eth_dev = rte_eth_dev_pci_allocate(pci_dev, sizeof(struct tmmr_hw));
	if (eth_dev == NULL) {
		tmmr_pci_close(p);
		return -ENOMEM;
	}
	hw = tmmr_hw_of(eth_dev);
	snprintf(hw->name, sizeof(hw->name), "%s", p->name);
	hw->pci = p;
	hw->args = args;
	pthread_mutex_init(&hw->lock, NULL);
	eth_dev->dev_ops = &tmmr_eth_dev_ops;
	eth_dev->intr_handle = p->intr_handle;
	tmmr_set_burst_fns(eth_dev);

	eth_dev->data->mac_addrs = rte_zmalloc("tmmr_mac", RTE_ETHER_ADDR_LEN *
					       TMMR_NET_MAX_MAC_TABLE, 0);
	if (eth_dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	pthread_mutex_lock(&hw->lock);
	ret = tmmr_hw_init_locked(eth_dev);
	pthread_mutex_unlock(&hw->lock);
	if (ret != 0)
		goto fail;
	rte_ether_addr_copy(&hw->dev_mac, &eth_dev->data->mac_addrs[0]);
	tmmr_mp_primary_init();
	rte_eth_dev_probing_finish(eth_dev);
	TMMR_LOG(driver, INFO, p, "port %u ready", eth_dev->data->port_id);
	return 0;
fail:
	TMMR_LOG(driver, ERR, &pci_dev->device, "probe failed: %s", rte_strerror(-ret));
	pthread_mutex_destroy(&hw->lock);
	eth_dev->intr_handle = NULL;
	rte_eth_dev_release_port(eth_dev);
	tmmr_pci_close(p);
	return ret;
}

static int
tmmr_pci_remove(struct rte_pci_device *pci_dev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(pci_dev->device.name);
	uint16_t port;

	if (tmmr_vdpa_remove(pci_dev) != 0)
		return 0;
	/* a secondary finds the name of a port it closed still in the shared data */
	if (eth_dev == NULL || eth_dev->state == RTE_ETH_DEV_UNUSED)
		return 0;	/* already closed */
	port = eth_dev->data->port_id;
	/* a secondary only lets go of its own state */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && eth_dev->data->dev_started)
		rte_eth_dev_stop(port);
	return rte_eth_dev_close(port);
}

static struct rte_pci_driver tmmr_pci_driver = {
	.id_table = tmmr_pci_id_map,
	/* no NEED_MAPPING: with the model the VF has no kernel driver to map from */
	.drv_flags = RTE_PCI_DRV_INTR_LSC | RTE_PCI_DRV_INTR_RMV,
	.probe = tmmr_pci_probe,
	.remove = tmmr_pci_remove,
};

RTE_PMD_REGISTER_PCI(net_virtio_tmmr, tmmr_pci_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_virtio_tmmr, tmmr_pci_id_map);
RTE_PMD_REGISTER_KMOD_DEP(net_virtio_tmmr, "* vfio-pci");
RTE_PMD_REGISTER_PARAM_STRING(net_virtio_tmmr, TMMR_DEVARGS_HELP);
