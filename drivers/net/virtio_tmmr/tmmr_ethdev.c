/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * net_virtio_tmmr: the ethdev of virtio Transitional MMR network VFs.
 * The device is initialised in full at every dev_start (reset, features,
 * queues, vectors, DRIVER_OK, control commands) and reset at dev_stop, as a
 * legacy device renegotiates everything after a reset.
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
#include "tmmr_logs.h"
#include "tmmr_mp.h"

static const struct rte_pci_id tmmr_pci_id_map[] = {
	{ RTE_PCI_DEVICE(TMMR_PCI_VENDOR_ID, TMMR_PCI_DEVICE_ID_NET) },
	{ .vendor_id = 0 },
};

static inline uint16_t
tmmr_rx_vq(uint16_t qid)
{
	return 2 * qid;
}

static inline uint16_t
tmmr_tx_vq(uint16_t qid)
{
	return 2 * qid + 1;
}

/* The features usable with no offload configured yet: the capability report. */
static uint32_t
tmmr_usable_features(const struct tmmr_hw *hw)
{
	return tmmr_features_negotiate(hw->dev_features, &hw->args, NULL);
}

/*
 * The model's vfio-user device hands each DMA map to a vhost-user backend as a
 * memory region, of which a backend takes only a few (8 for DPDK's). With IOVA
 * mode PA every physically discontiguous page is a map of its own, and the
 * device fails at DRIVER_OK. EAL does not weigh such devices (no kernel
 * driver) when it picks the mode, so say what to do before that happens.
 */
static bool
tmmr_iova_pa_on_model(const struct tmmr_pci *p)
{
	return rte_eal_iova_mode() == RTE_IOVA_PA && strcmp(p->ops->name, "vfio-user") == 0;
}

static void
tmmr_build_dp_cfg(struct rte_eth_dev *dev, uint32_t f, struct tmmr_dp_cfg *c)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;
	uint64_t rx_off = conf->rxmode.offloads;

	memset(c, 0, sizeof(*c));
	c->features = f;
	c->mrg_rxbuf = tmmr_has(f, TMMR_NET_F_MRG_RXBUF);
	c->hdr_len = c->mrg_rxbuf ? sizeof(struct tmmr_net_hdr_mrg) : sizeof(struct tmmr_net_hdr);
	c->any_layout = tmmr_has(f, TMMR_F_ANY_LAYOUT);
	c->indirect = tmmr_has(f, TMMR_RING_F_INDIRECT_DESC);
	c->event_idx = tmmr_has(f, TMMR_RING_F_EVENT_IDX);
	c->rx_csum = (rx_off & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) &&
		tmmr_has(f, TMMR_NET_F_GUEST_CSUM);
	c->rx_lro = (rx_off & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
		(tmmr_has(f, TMMR_NET_F_GUEST_TSO4) || tmmr_has(f, TMMR_NET_F_GUEST_TSO6));
	c->rx_intr = conf->intr_conf.rxq != 0;
	c->vlan_strip = false;
	c->max_rx_pkt_len = dev->data->mtu + TMMR_L2_OVERHEAD;
}

/* Field by field: struct padding is not reliably copied. */
static bool
tmmr_dp_cfg_equal(const struct tmmr_dp_cfg *a, const struct tmmr_dp_cfg *b)
{
	return a->features == b->features && a->hdr_len == b->hdr_len &&
		a->mrg_rxbuf == b->mrg_rxbuf && a->any_layout == b->any_layout &&
		a->indirect == b->indirect && a->event_idx == b->event_idx &&
		a->rx_csum == b->rx_csum && a->rx_lro == b->rx_lro &&
		a->rx_intr == b->rx_intr && a->vlan_strip == b->vlan_strip &&
		a->max_rx_pkt_len == b->max_rx_pkt_len;
}

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

/*
 * Take in the device's offer @f and the config fields it makes valid
 * (max_virtqueue_pairs with MQ, mtu with MTU); a field out of range drops
 * its feature. hw->lock held.
 */
static void
tmmr_read_offer_locked(struct tmmr_hw *hw, uint32_t f)
{
	struct tmmr_pci *p = hw->pci;
	uint16_t v;

	hw->dev_features = f;
	hw->dev_max_pairs = 1;
	if (tmmr_has(hw->dev_features, TMMR_NET_F_MQ)) {
		v = tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_MAX_VQ_PAIRS);
		if (v < TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN || v > TMMR_NET_CTRL_MQ_VQ_PAIRS_MAX) {
			PMD_DRV_LOG(WARNING, "%s: max_virtqueue_pairs %u out of range, not using MQ",
				    p->name, v);
			hw->dev_features &= ~TMMR_BIT(TMMR_NET_F_MQ);
		} else {
			hw->dev_max_pairs = v;
		}
	}
	hw->dev_mtu = 0;
	if (tmmr_has(hw->dev_features, TMMR_NET_F_MTU)) {
		v = tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_MTU);
		if (v < RTE_ETHER_MIN_MTU) {
			PMD_DRV_LOG(WARNING, "%s: device MTU %u below %u, ignoring it",
				    p->name, v, RTE_ETHER_MIN_MTU);
			hw->dev_features &= ~TMMR_BIT(TMMR_NET_F_MTU);
		} else {
			hw->dev_mtu = v;
		}
	}
	hw->max_pairs = 1;
	if (tmmr_has(tmmr_usable_features(hw), TMMR_NET_F_MQ))
		hw->max_pairs = RTE_MIN(hw->dev_max_pairs, TMMR_MAX_QUEUE_PAIRS);

}

/*
 * A device may offer other features after a reset (the model offers the
 * data-path features of its vhost-user backend once it is connected): take
 * the current offer while the port is stopped.
 */
static void
tmmr_refresh_offer(struct tmmr_hw *hw)
{
	uint32_t f;

	/* only the primary talks to the device */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	pthread_mutex_lock(&hw->lock);
	if (!hw->started && !hw->removed && hw->pci != NULL) {
		f = tmmr_leg_get_features(hw->pci);
		if (f != UINT32_MAX && f != hw->dev_features) {
			PMD_DRV_LOG(INFO, "%s: device now offers 0x%08x (was 0x%08x)",
				    hw->pci->name, f, hw->dev_features);
			tmmr_read_offer_locked(hw, f);
		}
	}
	pthread_mutex_unlock(&hw->lock);
}

/* Called with hw->lock held: the device at probe or after dev_reset. */
static int
tmmr_hw_init_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	uint32_t f;
	int ret;

	ret = tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS);
	hw->cnt.device_resets++;
	if (ret != 0)
		return ret;
	tmmr_leg_add_status(p, TMMR_STATUS_ACK);
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER);

	f = tmmr_leg_get_features(p);
	if (f == UINT32_MAX && p->ops->alive != NULL && !p->ops->alive(p))
		return -ENODEV;
	hw->dev_features = f;

	if (hw->args.has_mac) {
		rte_ether_addr_copy(&hw->args.mac, &hw->dev_mac);
	} else if (tmmr_has(hw->dev_features, TMMR_NET_F_MAC)) {
		if (tmmr_leg_read_mac(p, hw->dev_mac.addr_bytes, TMMR_MAC_READ_TRIES) != 0) {
			PMD_DRV_LOG(ERR, "%s: MAC in device config never read the same twice",
				    p->name);
			return -EIO;
		}
		if (!rte_is_valid_assigned_ether_addr(&hw->dev_mac)) {
			PMD_DRV_LOG(WARNING, "%s: device MAC " RTE_ETHER_ADDR_PRT_FMT
				    " is not a unicast address, using a random one", p->name,
				    RTE_ETHER_ADDR_BYTES(&hw->dev_mac));
			rte_eth_random_addr(hw->dev_mac.addr_bytes);
		}
	} else {
		rte_eth_random_addr(hw->dev_mac.addr_bytes);
	}

	tmmr_read_offer_locked(hw, hw->dev_features);

	hw->queue_size = tmmr_leg_queue_size(p, 0);
	ret = tmmr_leg_check_queue_size(hw->queue_size);
	if (ret != 0) {
		PMD_DRV_LOG(ERR, "%s: device queue size %u unusable (%s)", p->name,
			    hw->queue_size, ret == -ENOENT ? "queue absent" :
			    "not a power of 2 up to 32768");
		return ret;
	}
	if (hw->args.queue_size != 0 && hw->args.queue_size != hw->queue_size) {
		PMD_DRV_LOG(ERR, "%s: device chose queue size %u, devarg " TMMR_DEVARG_QUEUE_SIZE
			    " requires %u (legacy devices choose the size)", p->name,
			    hw->queue_size, hw->args.queue_size);
		return -EINVAL;
	}

	PMD_DRV_LOG(INFO, "%s: features 0x%08x, MAC " RTE_ETHER_ADDR_PRT_FMT
		    ", %u queue pairs (device max %u), queue size %u, MTU %u, link %s", p->name,
		    hw->dev_features, RTE_ETHER_ADDR_BYTES(&hw->dev_mac), hw->max_pairs,
		    hw->dev_max_pairs, hw->queue_size, hw->dev_mtu,
		    !tmmr_has(hw->dev_features, TMMR_NET_F_STATUS) ? "not reported" :
		    (tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_STATUS) & TMMR_NET_S_LINK_UP) ?
		    "up" : "down");

	/* leave the device idle until dev_start */
	ret = tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS);
	hw->cnt.device_resets++;
	if (ret != 0)
		return ret;
	hw->plan_features = tmmr_usable_features(hw);
	tmmr_build_dp_cfg(dev, hw->plan_features, &hw->dp_cfg);
	return 0;
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
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
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
		PMD_DRV_LOG(ERR, "port %u: device was removed", dev->data->port_id);
		return -ENODEV;
	}
	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    conf->rxmode.mq_mode != RTE_ETH_MQ_RX_RSS) {
		PMD_DRV_LOG(ERR, "port %u: Rx mq_mode %d not supported (NONE, or RSS with the "
			    "device steering flows itself)", dev->data->port_id,
			    conf->rxmode.mq_mode);
		return -EINVAL;
	}
	if (conf->txmode.mq_mode != RTE_ETH_MQ_TX_NONE) {
		PMD_DRV_LOG(ERR, "port %u: Tx mq_mode %d not supported (only NONE)",
			    dev->data->port_id, conf->txmode.mq_mode);
		return -EINVAL;
	}
	if (nb_rx > hw->max_pairs || nb_tx > hw->max_pairs) {
		PMD_DRV_LOG(ERR, "port %u: %u Rx / %u Tx queues requested, the device has %u "
			    "queue pairs", dev->data->port_id, nb_rx, nb_tx, hw->max_pairs);
		return -EINVAL;
	}
	if (conf->intr_conf.rxq && !hw->pci->layout.has_msix) {
		PMD_DRV_LOG(ERR, "port %u: Rx interrupts need MSI-X, the device has none",
			    dev->data->port_id);
		return -ENOTSUP;
	}
	if (conf->rxmode.mq_mode == RTE_ETH_MQ_RX_RSS && RTE_MAX(nb_rx, nb_tx) > 1)
		PMD_DRV_LOG(INFO, "port %u: no RSS hash; the device spreads flows over the "
			    "queue pairs itself", dev->data->port_id);

	req.rx_csum = (rx_off & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
				 RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) != 0;
	req.rx_lro = (rx_off & RTE_ETH_RX_OFFLOAD_TCP_LRO) != 0;
	req.tx_csum = (tx_off & (RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
				 RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) != 0;
	req.tx_tso = (tx_off & RTE_ETH_TX_OFFLOAD_TCP_TSO) != 0;
	req.vlan_filter = (rx_off & RTE_ETH_RX_OFFLOAD_VLAN_FILTER) != 0;
	f = tmmr_features_negotiate(hw->dev_features, &hw->args, &req);

	if (req.rx_lro && !tmmr_has(f, TMMR_NET_F_MRG_RXBUF)) {
		PMD_DRV_LOG(ERR, "port %u: TCP LRO needs mergeable Rx buffers ("
			    TMMR_DEVARG_MRG_RXBUF "=1 and a device offering them)",
			    dev->data->port_id);
		return -EINVAL;
	}
	if (RTE_MAX(nb_rx, nb_tx) > 1 && !tmmr_has(f, TMMR_NET_F_MQ)) {
		PMD_DRV_LOG(ERR, "port %u: several queue pairs need MQ and a control queue",
			    dev->data->port_id);
		return -EINVAL;
	}
	hw->plan_features = f;
	hw->nb_pairs = RTE_MAX(nb_rx, nb_tx);
	tmmr_build_dp_cfg(dev, f, &hw->dp_cfg);
	PMD_DRV_LOG(INFO, "port %u: %u queue pairs, features to ack 0x%08x",
		    dev->data->port_id, hw->nb_pairs, f);
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
		PMD_DRV_LOG(ERR, "port %u: cannot create %s queue %u: %s", dev->data->port_id,
			    rx ? "Rx" : "Tx", qid, rte_strerror(rte_errno));
		return rte_errno != 0 ? -rte_errno : -ENOMEM;
	}
	if (tmmr_leg_check_ring_iova(iova) != 0) {
		PMD_DRV_LOG(ERR, "port %u: %s queue %u ring at IOVA 0x%" PRIx64 " cannot be "
			    "given to a legacy device (32-bit PFN: 4096-aligned, below 16 TiB)",
			    dev->data->port_id, rx ? "Rx" : "Tx", qid, iova);
		if (rx)
			tmmr_rxq_free(q);
		else
			tmmr_txq_free(q);
		return -EINVAL;
	}
	if (rx)
		tmmr_rxq_set_nb_desc(q, s->nb_desc);
	else
		tmmr_txq_set_nb_desc(q, s->nb_desc);
	s->q = q;
	s->ring_iova = iova;
	s->cfg = hw->dp_cfg;
	if (rx)
		dev->data->rx_queues[qid] = q;
	else
		dev->data->tx_queues[qid] = q;
	return 0;
}

/* Read and check the device-chosen size of device queue @vq. */
static int
tmmr_vq_size(struct rte_eth_dev *dev, uint16_t vq, uint16_t *size)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint16_t n;
	int ret;

	pthread_mutex_lock(&hw->lock);
	n = tmmr_leg_queue_size(hw->pci, vq);
	/*
	 * The queues of pairs beyond the first may exist only once MQ is
	 * negotiated (QEMU's virtio-net creates them when the driver writes its
	 * features): write the planned features, as start will, and look again.
	 */
	if (n == 0 && !hw->started && tmmr_has(hw->plan_features, TMMR_NET_F_MQ)) {
		tmmr_leg_set_features(hw->pci, hw->plan_features);
		n = tmmr_leg_queue_size(hw->pci, vq);
	}
	pthread_mutex_unlock(&hw->lock);
	ret = tmmr_leg_check_queue_size(n);
	if (ret != 0) {
		PMD_DRV_LOG(ERR, "port %u: device queue %u has size %u (%s)", dev->data->port_id,
			    vq, n, ret == -ENOENT ? "queue absent" :
			    "not a power of 2 up to 32768");
		return ret;
	}
	if (hw->args.queue_size != 0 && n != hw->args.queue_size) {
		PMD_DRV_LOG(ERR, "port %u: device queue %u has size %u, devarg "
			    TMMR_DEVARG_QUEUE_SIZE " requires %u", dev->data->port_id, vq, n,
			    hw->args.queue_size);
		return -EINVAL;
	}
	*size = n;
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
	ret = tmmr_vq_size(dev, rx ? tmmr_rx_vq(qid) : tmmr_tx_vq(qid), size);
	if (ret != 0)
		return ret;
	if (nb_desc > *size)
		PMD_DRV_LOG(INFO, "port %u: %s queue %u: the device's ring has %u descriptors, "
			    "not %u", dev->data->port_id, rx ? "Rx" : "Tx", qid, *size, nb_desc);
	if (deferred_start) {
		PMD_DRV_LOG(ERR, "port %u: deferred queue start is not supported",
			    dev->data->port_id);
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
		PMD_DRV_LOG(ERR, "port %u: Rx queue %u: mbufs of pool %s hold %u-byte frames, "
			    "MTU %u needs %u (enable scattered Rx)",
			    dev->data->port_id, qid, mp->name, tmmr_rx_buf_frame(mp),
			    dev->data->mtu, hw->dp_cfg.max_rx_pkt_len);
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

/* Undo tmmr_hw_start_locked, whatever stage it reached. hw->lock held. */
static void
tmmr_hw_stop_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	bool quiet = true;
	unsigned int i;
	int ret;

	/* the device must stop touching memory before buffers are taken back */
	if (!hw->removed) {
		ret = tmmr_leg_quiesce(p, TMMR_RESET_TIMEOUT_MS);
		hw->cnt.device_resets++;
		if (ret == -ENODEV)
			PMD_DRV_LOG(WARNING, "%s: device gone at stop", p->name);
		else if (ret != 0)
			quiet = false;
		if (ret == 0 && hw->features != 0) {
			/* only once reset: PFN 0 gives each ring up (DRV-8) */
			for (i = 0; i < dev->data->nb_rx_queues; i++)
				tmmr_leg_queue_deactivate(p, tmmr_rx_vq(i));
			for (i = 0; i < dev->data->nb_tx_queues; i++)
				tmmr_leg_queue_deactivate(p, tmmr_tx_vq(i));
			if (hw->cvq_ready)
				tmmr_leg_queue_deactivate(p, hw->cvq.queue);
		}
	}
	if (hw->rx_intr) {
		rte_intr_vec_list_free(p->intr_handle);
		hw->rx_intr = false;
	}
	if (hw->msix) {
		p->ops->intr_teardown(p);
		hw->msix = false;
	}
	if (hw->dma_on) {
		p->ops->dma_teardown(p);
		hw->dma_on = false;
	}
	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		if (hw->rxq[i].q != NULL && quiet) {
			tmmr_rxq_stop(hw->rxq[i].q);
		} else if (hw->rxq[i].q != NULL) {
			unsigned int n = tmmr_rxq_abandon(hw->rxq[i].q);

			if (n != 0)
				PMD_DRV_LOG(ERR, "%s: device not reset: Rx queue %u gives up its %u "
					    "mbufs (never back in the pool, it may still write them)",
					    p->name, i, n);
		}
		if (hw->txq[i].q != NULL)
			tmmr_txq_stop(hw->txq[i].q);
	}
	hw->cvq_ready = false;
	hw->features = 0;
	hw->started = false;
	hw->link_up = false;
}

static int
tmmr_cvq_setup_locked(struct rte_eth_dev *dev, uint32_t f)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	uint16_t vq = tmmr_has(f, TMMR_NET_F_MQ) ? 2 * hw->dev_max_pairs : 2;
	char name[RTE_MEMZONE_NAMESIZE];
	uint16_t n;
	size_t len;
	int ret;

	n = tmmr_leg_queue_size(p, vq);
	if (tmmr_leg_check_queue_size(n) != 0 || n < TMMR_CTRLQ_DESCS) {
		PMD_DRV_LOG(ERR, "%s: control queue %u has unusable size %u", p->name, vq, n);
		return -EINVAL;
	}
	len = tmmr_ctrlq_mem_size(n);
	if (hw->cvq_mz != NULL && hw->cvq_mz->len < len) {
		rte_memzone_free(hw->cvq_mz);
		hw->cvq_mz = NULL;
	}
	if (hw->cvq_mz == NULL) {
		snprintf(name, sizeof(name), "tmmr_cvq_%u", dev->data->port_id);
		hw->cvq_mz = rte_memzone_reserve_aligned(name, len, dev->data->numa_node,
							 RTE_MEMZONE_IOVA_CONTIG,
							 TMMR_LEG_RING_ALIGN);
		if (hw->cvq_mz == NULL) {
			PMD_DRV_LOG(ERR, "%s: no memory for the control queue: %s", p->name,
				    rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	ret = tmmr_ctrlq_init(&hw->cvq, p, vq, n, hw->cvq_mz->addr, hw->cvq_mz->iova,
			      hw->cvq_mz->len);
	if (ret != 0)
		return ret;
	ret = tmmr_leg_queue_activate(p, vq, hw->cvq_mz->iova);
	if (ret != 0)
		return ret;
	if (hw->msix && tmmr_leg_set_queue_vector(p, vq, TMMR_MSI_NO_VECTOR) !=
	    TMMR_MSI_NO_VECTOR)
		PMD_DRV_LOG(WARNING, "%s: control queue vector not cleared", p->name);
	if (p->ops->notifier != NULL)
		p->ops->notifier(p, vq, &hw->cvq.notifier);
	hw->cvq_ready = true;
	return 0;
}

/* Program one Rx or Tx ring and its vector. hw->lock held. */
static int
tmmr_vq_setup_locked(struct tmmr_hw *hw, struct tmmr_qslot *s, uint16_t vq, uint16_t vec,
		     bool rx)
{
	struct tmmr_pci *p = hw->pci;
	struct tmmr_notifier nt;
	uint16_t n, back;
	int ret;

	n = tmmr_leg_queue_size(p, vq);
	if (n != s->num) {
		PMD_DRV_LOG(ERR, "%s: queue %u size is now %u, was %u at setup", p->name, vq,
			    n, s->num);
		return -EIO;
	}
	ret = tmmr_leg_queue_activate(p, vq, s->ring_iova);
	if (ret != 0)
		return ret;
	if (hw->msix) {
		back = tmmr_leg_set_queue_vector(p, vq, vec);
		if (back != vec) {
			PMD_DRV_LOG(ERR, "%s: queue %u: vector %u written, %u read back%s",
				    p->name, vq, vec, back,
				    back == TMMR_MSI_NO_VECTOR ? " (refused)" : "");
			return -EIO;
		}
	}
	memset(&nt, 0, sizeof(nt));
	nt.efd = -1;
	nt.pci = p;
	nt.queue = vq;
	if (p->ops->notifier != NULL)
		p->ops->notifier(p, vq, &nt);
	if (rx)
		tmmr_rxq_set_notifier(s->q, &nt);
	else
		tmmr_txq_set_notifier(s->q, &nt);
	return 0;
}

/* The control commands that restore the port's filters. hw->lock held. */

static int
tmmr_ctrl_restore_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_eth_dev_data *d = dev->data;
	uint32_t f = hw->features;
	unsigned int i, b;
	int ret;

	if (!hw->cvq_ready)
		return 0;
	if (tmmr_has(f, TMMR_NET_F_MQ)) {
		ret = tmmr_ctrlq_mq_pairs_set(&hw->cvq, hw->nb_pairs);
		if (ret != 0)
			return ret;
	}
	if (tmmr_has(f, TMMR_NET_F_CTRL_RX)) {
		ret = tmmr_ctrlq_rx_mode(&hw->cvq, TMMR_NET_CTRL_RX_PROMISC, d->promiscuous);
		if (ret == 0)
			ret = tmmr_ctrlq_rx_mode(&hw->cvq, TMMR_NET_CTRL_RX_ALLMULTI,
						 d->all_multicast);
		if (ret == 0)
			ret = tmmr_mac_table_apply_locked(dev, UINT32_MAX, UINT32_MAX, NULL);
		if (ret != 0)
			return ret;
	}
	if (tmmr_has(f, TMMR_NET_F_CTRL_MAC_ADDR)) {
		ret = tmmr_ctrlq_mac_addr_set(&hw->cvq, d->mac_addrs[0].addr_bytes);
		if (ret != 0)
			return ret;
	}
	if (tmmr_has(f, TMMR_NET_F_CTRL_VLAN)) {
		for (i = 0; i < RTE_DIM(d->vlan_filter_conf.ids); i++) {
			uint64_t w = d->vlan_filter_conf.ids[i];

			for (b = 0; w != 0 && b < 64; b++) {
				if (!(w & (UINT64_C(1) << b)))
					continue;
				ret = tmmr_ctrlq_vlan(&hw->cvq, (uint16_t)(i * 64 + b), true);
				if (ret != 0)
					return ret;
			}
		}
	}
	return 0;
}

static int
tmmr_hw_start_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	uint16_t nb_rx = dev->data->nb_rx_queues;
	uint16_t nb_tx = dev->data->nb_tx_queues;
	uint32_t f = hw->plan_features, dev_f, back;
	uint16_t i, nb_vec;
	int ret;

	if (hw->removed)
		return -ENODEV;
	ret = tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS);
	hw->cnt.device_resets++;
	if (ret != 0)
		return ret;
	tmmr_leg_add_status(p, TMMR_STATUS_ACK);
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER);
	dev_f = tmmr_leg_get_features(p);
	if ((dev_f & f) != f) {
		PMD_DRV_LOG(ERR, "%s: device now offers 0x%08x, lacking planned 0x%08x; reset "
			    "the port", p->name, dev_f, f & ~dev_f);
		ret = -EIO;
		goto fail;
	}
	tmmr_leg_set_features(p, f);
	back = tmmr_leg_read(p, TMMR_LEG_DRIVER_FEATURES, 4);
	if (back != f) {
		PMD_DRV_LOG(ERR, "%s: driver features 0x%08x written, 0x%08x read back",
			    p->name, f, back);
		ret = -EIO;
		goto fail;
	}
	hw->features = f;

	/* every ring must be reachable before the device learns its PFN */
	ret = p->ops->dma_setup(p);
	if (ret != 0) {
		PMD_DRV_LOG(ERR, "%s: DMA setup failed: %s", p->name, rte_strerror(-ret));
		goto fail;
	}
	hw->dma_on = true;

	if (p->layout.has_msix && p->ops->intr_setup != NULL) {
		nb_vec = 1 + (hw->dp_cfg.rx_intr ? nb_rx : 0);
		ret = p->ops->intr_setup(p, nb_vec);
		if (ret == 0) {
			hw->msix = true;
		} else if (hw->dp_cfg.rx_intr) {
			PMD_DRV_LOG(ERR, "%s: MSI-X with %u vectors failed: %s", p->name, nb_vec,
				    rte_strerror(-ret));
			goto fail;
		} else {
			PMD_DRV_LOG(WARNING, "%s: no MSI-X (%s), polling the link every %u ms",
				    p->name, rte_strerror(-ret), hw->args.lsc_poll_ms);
		}
	}
	if (hw->msix) {
		back = tmmr_leg_set_config_vector(p, 0);
		if (back != 0) {
			PMD_DRV_LOG(ERR, "%s: config vector 0 written, 0x%x read back%s", p->name,
				    back, back == TMMR_MSI_NO_VECTOR ? " (refused)" : "");
			ret = -EIO;
			goto fail;
		}
	}
	if (hw->dp_cfg.rx_intr) {
		if (rte_intr_vec_list_alloc(p->intr_handle, "tmmr_intr_vec", nb_rx) != 0) {
			ret = -ENOMEM;
			goto fail;
		}
		hw->rx_intr = true;
		for (i = 0; i < nb_rx; i++)
			rte_intr_vec_list_index_set(p->intr_handle, i,
						    RTE_INTR_VEC_RXTX_OFFSET + i);
	}
	for (i = 0; i < nb_rx; i++) {
		ret = tmmr_vq_setup_locked(hw, &hw->rxq[i], tmmr_rx_vq(i),
					   hw->dp_cfg.rx_intr ? 1 + i : TMMR_MSI_NO_VECTOR, true);
		if (ret != 0)
			goto fail;
	}
	for (i = 0; i < nb_tx; i++) {
		ret = tmmr_vq_setup_locked(hw, &hw->txq[i], tmmr_tx_vq(i), TMMR_MSI_NO_VECTOR,
					   false);
		if (ret != 0)
			goto fail;
	}
	if (tmmr_has(f, TMMR_NET_F_CTRL_VQ)) {
		ret = tmmr_cvq_setup_locked(dev, f);
		if (ret != 0)
			goto fail;
	}
	/* legacy config MAC is driver-writable: the fallback without CTRL_MAC_ADDR */
	if (!tmmr_has(f, TMMR_NET_F_CTRL_MAC_ADDR))
		tmmr_leg_devcfg_write(p, TMMR_NET_CFG_MAC, dev->data->mac_addrs[0].addr_bytes,
				      RTE_ETHER_ADDR_LEN);

	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER_OK);
	if (tmmr_leg_get_status(p) & TMMR_STATUS_NEEDS_RESET) {
		PMD_DRV_LOG(ERR, "%s: device needs reset right after DRIVER_OK%s", p->name,
			    tmmr_iova_pa_on_model(p) ? " (IOVA mode PA: use --iova-mode=va)" : "");
		ret = -EIO;
		goto fail;
	}
	for (i = 0; i < nb_rx; i++) {
		ret = tmmr_rxq_start(hw->rxq[i].q);
		if (ret != 0) {
			PMD_DRV_LOG(ERR, "%s: cannot fill Rx queue %u: %s", p->name, i,
				    rte_strerror(-ret));
			goto fail;
		}
	}
	ret = tmmr_ctrl_restore_locked(dev);
	if (ret != 0) {
		PMD_DRV_LOG(ERR, "%s: control queue commands failed: %s", p->name,
			    rte_strerror(-ret));
		goto fail;
	}
	hw->started = true;
	hw->reset_requested = false;
	return 0;
fail:
	tmmr_hw_stop_locked(dev);
	return ret;
}

static int
tmmr_dev_start(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_dp_cfg cfg;
	uint16_t i;
	int ret;

	if (hw->removed) {
		PMD_DRV_LOG(ERR, "port %u: device was removed", dev->data->port_id);
		return -ENODEV;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (hw->rxq[i].q == NULL) {
			PMD_DRV_LOG(ERR, "port %u: Rx queue %u not set up", dev->data->port_id, i);
			return -EINVAL;
		}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (hw->txq[i].q == NULL) {
			PMD_DRV_LOG(ERR, "port %u: Tx queue %u not set up", dev->data->port_id, i);
			return -EINVAL;
		}
	/* MTU or offloads changed since queue setup: rebuild those queues */
	tmmr_build_dp_cfg(dev, hw->plan_features, &cfg);
	hw->dp_cfg = cfg;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct tmmr_qslot *s = &hw->rxq[i];

		if (!tmmr_rx_frame_fits(dev, s->mp, cfg.max_rx_pkt_len)) {
			PMD_DRV_LOG(ERR, "port %u: MTU %u does not fit the Rx mbufs of queue %u "
				    "(enable scattered Rx)",
				    dev->data->port_id, dev->data->mtu, i);
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
	PMD_DRV_LOG(INFO, "port %u: started, features 0x%08x, %s", dev->data->port_id,
		    hw->features, hw->msix ? "MSI-X" : "no MSI-X");
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
		PMD_DRV_LOG(ERR, "port %u: device was removed, cannot reset", dev->data->port_id);
		return -ENODEV;
	}
	/* the application sets queues up again after a reset */
	tmmr_free_queues(dev);
	pthread_mutex_lock(&hw->lock);
	if (p->ops->fn_reset != NULL) {
		ret = p->ops->fn_reset(p);
		if (ret != 0)
			PMD_DRV_LOG(WARNING, "%s: function reset failed (%s), legacy reset only",
				    p->name, rte_strerror(-ret));
	}
	ret = tmmr_hw_init_locked(dev);
	hw->reset_requested = false;
	pthread_mutex_unlock(&hw->lock);
	if (ret != 0) {
		PMD_DRV_LOG(ERR, "port %u: reinitialisation failed: %s", dev->data->port_id,
			    rte_strerror(-ret));
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
		PMD_DRV_LOG(ERR, "port %u: stop the port to change the MTU", dev->data->port_id);
		return -EBUSY;
	}
	if (tmmr_has(hw->plan_features, TMMR_NET_F_MTU) && mtu > hw->dev_mtu) {
		PMD_DRV_LOG(ERR, "port %u: MTU %u above the device's %u", dev->data->port_id,
			    mtu, hw->dev_mtu);
		return -EINVAL;
	}
	if (frame > TMMR_MAX_RX_PKTLEN) {
		PMD_DRV_LOG(ERR, "port %u: MTU %u above %u", dev->data->port_id, mtu,
			    TMMR_MAX_RX_PKTLEN - TMMR_L2_OVERHEAD);
		return -EINVAL;
	}
	for (i = 0; i < TMMR_MAX_QUEUE_PAIRS; i++) {
		struct tmmr_qslot *s = &hw->rxq[i];

		if (s->q != NULL && !tmmr_rx_frame_fits(dev, s->mp, frame)) {
			PMD_DRV_LOG(ERR, "port %u: MTU %u does not fit the Rx mbufs of queue %u "
				    "(enable scattered Rx)",
				    dev->data->port_id, mtu, i);
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
			PMD_DRV_LOG(DEBUG, "port %u: Rx queue %u: cannot raise its event",
				    dev->data->port_id, qid);
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
	/* the datapath parses every packet with rte_net_get_ptype() */
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER,
		RTE_PTYPE_L2_ETHER_VLAN,
		RTE_PTYPE_L2_ETHER_QINQ,
		RTE_PTYPE_L3_IPV4,
		RTE_PTYPE_L3_IPV4_EXT,
		RTE_PTYPE_L3_IPV6,
		RTE_PTYPE_L3_IPV6_EXT,
		RTE_PTYPE_L4_TCP,
		RTE_PTYPE_L4_UDP,
		RTE_PTYPE_L4_SCTP,
		RTE_PTYPE_L4_FRAG,
		RTE_PTYPE_UNKNOWN
	};

	if (dev->rx_pkt_burst == tmmr_recv_pkts)
		return ptypes;
	return NULL;
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

static void
tmmr_log_layout(const struct tmmr_pci *p)
{
	const struct tmmr_mmr_layout *l = &p->layout;

	PMD_DRV_LOG(INFO, "%s (%s): legacy block in BAR%u at 0x%x, %u bytes; notify %s "
		    "BAR%u+0x%x x%u; MSI-X %u vectors", p->name, p->ops->name, l->legacy_bar,
		    l->legacy_off, l->legacy_len, l->has_notify ? "in" : "absent",
		    l->notify_bar, l->notify_off, l->notify_off_multiplier,
		    l->has_msix ? l->msix_table_size : 0);
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
		PMD_DRV_LOG(ERR, "%s: bad devargs, not probing", pci_dev->device.name);
		return ret;
	}
	p = tmmr_pci_open(pci_dev);
	if (p == NULL)
		return -ENODEV;
	tmmr_log_layout(p);
	if (tmmr_iova_pa_on_model(p))
		PMD_DRV_LOG(ERR, "%s: IOVA mode is PA: each physically discontiguous page needs "
			    "a DMA map of its own, more than the model's vhost-user backend takes; "
			    "start EAL with --iova-mode=va", p->name);

	eth_dev = rte_eth_dev_pci_allocate(pci_dev, sizeof(struct tmmr_hw));
	if (eth_dev == NULL) {
		tmmr_pci_close(p);
		return -ENOMEM;
	}
	hw = tmmr_hw_of(eth_dev);
	hw->pci = p;
	hw->port_id = eth_dev->data->port_id;
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
	PMD_DRV_LOG(INFO, "%s: port %u ready", p->name, hw->port_id);
	return 0;
fail:
	PMD_DRV_LOG(ERR, "%s: probe failed: %s", pci_dev->device.name, rte_strerror(-ret));
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
