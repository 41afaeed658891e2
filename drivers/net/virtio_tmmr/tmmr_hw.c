/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Device bring-up: everything the ethdev asks of the device itself, through
 * the legacy register protocol (tmmr_legacy.c) and the control queue. The
 * device is initialised in full at every dev_start and reset at dev_stop, as
 * a legacy device renegotiates everything after a reset.
 */

#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_memzone.h>

#include "tmmr_filter.h"
#include "tmmr_hw.h"
#include "tmmr_logs.h"

uint32_t
tmmr_usable_features(const struct tmmr_hw *hw)
{
	return tmmr_features_negotiate(hw->dev_features, &hw->args, NULL);
}

bool
tmmr_iova_pa_on_model(const struct tmmr_pci *p)
{
	return rte_eal_iova_mode() == RTE_IOVA_PA && p->ops->max_dma_regions != 0;
}

void
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

bool
tmmr_dp_cfg_equal(const struct tmmr_dp_cfg *a, const struct tmmr_dp_cfg *b)
{
	return a->features == b->features && a->hdr_len == b->hdr_len &&
		a->mrg_rxbuf == b->mrg_rxbuf && a->any_layout == b->any_layout &&
		a->indirect == b->indirect && a->event_idx == b->event_idx &&
		a->rx_csum == b->rx_csum && a->rx_lro == b->rx_lro &&
		a->rx_intr == b->rx_intr && a->vlan_strip == b->vlan_strip &&
		a->max_rx_pkt_len == b->max_rx_pkt_len;
}

void
tmmr_log_layout(const struct tmmr_pci *p)
{
	const struct tmmr_mmr_layout *l = &p->layout;

	TMMR_LOG(driver, INFO, p, "%s transport: legacy block in BAR%u at 0x%x, %u bytes; "
		 "notify %s BAR%u+0x%x x%u; MSI-X %u vectors", p->ops->name, l->legacy_bar,
		 l->legacy_off, l->legacy_len, l->has_notify ? "in" : "absent",
		 l->notify_bar, l->notify_off, l->notify_off_multiplier,
		 l->has_msix ? l->msix_table_size : 0);
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
			TMMR_LOG(driver, WARNING, p, "max_virtqueue_pairs %u out of range, not using MQ",
				 v);
			hw->dev_features &= ~TMMR_BIT(TMMR_NET_F_MQ);
		} else {
			hw->dev_max_pairs = v;
		}
	}
	hw->dev_mtu = 0;
	if (tmmr_has(hw->dev_features, TMMR_NET_F_MTU)) {
		v = tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_MTU);
		if (v < RTE_ETHER_MIN_MTU) {
			TMMR_LOG(driver, WARNING, p, "device MTU %u below %u, ignoring it", v,
				 RTE_ETHER_MIN_MTU);
			hw->dev_features &= ~TMMR_BIT(TMMR_NET_F_MTU);
		} else {
			hw->dev_mtu = v;
		}
	}
	hw->max_pairs = 1;
	if (tmmr_has(tmmr_usable_features(hw), TMMR_NET_F_MQ))
		hw->max_pairs = RTE_MIN(hw->dev_max_pairs, TMMR_MAX_QUEUE_PAIRS);

}

void
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
			TMMR_LOG(driver, INFO, hw, "device now offers 0x%08x (was 0x%08x)", f,
				 hw->dev_features);
			tmmr_read_offer_locked(hw, f);
		}
	}
	pthread_mutex_unlock(&hw->lock);
}

/* Reset the device and say a driver is here (ACKNOWLEDGE, DRIVER); its offer in *offer. */
static int
tmmr_hw_reset_ack_locked(struct tmmr_hw *hw, uint32_t *offer)
{
	struct tmmr_pci *p = hw->pci;
	int ret;

	ret = tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS);
	hw->cnt.device_resets++;
	if (ret != 0)
		return ret;
	tmmr_leg_add_status(p, TMMR_STATUS_ACK);
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER);
	*offer = tmmr_leg_get_features(p);
	return 0;
}

int
tmmr_hw_init_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	uint32_t f;
	int ret;

	ret = tmmr_hw_reset_ack_locked(hw, &f);
	if (ret != 0)
		return ret;
	if (f == UINT32_MAX && !p->ops->alive(p))
		return -ENODEV;
	hw->dev_features = f;

	if (hw->args.has_mac) {
		rte_ether_addr_copy(&hw->args.mac, &hw->dev_mac);
	} else if (tmmr_has(hw->dev_features, TMMR_NET_F_MAC)) {
		if (tmmr_leg_read_mac(p, hw->dev_mac.addr_bytes, TMMR_MAC_READ_TRIES) != 0) {
			TMMR_LOG(driver, ERR, p, "MAC in device config never read the same twice");
			return -EIO;
		}
		if (!rte_is_valid_assigned_ether_addr(&hw->dev_mac)) {
			TMMR_LOG(driver, WARNING, p, "device MAC " RTE_ETHER_ADDR_PRT_FMT
				 " is not a unicast address, using a random one",
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
		TMMR_LOG(driver, ERR, p, "device queue size %u unusable (%s)", hw->queue_size,
			 ret == -ENOENT ? "queue absent" : "not a power of 2 up to 32768");
		return ret;
	}
	if (hw->args.queue_size != 0 && hw->args.queue_size != hw->queue_size) {
		TMMR_LOG(driver, ERR, p, "device chose queue size %u, devarg "
			 TMMR_DEVARG_QUEUE_SIZE " requires %u (legacy devices choose the size)",
			 hw->queue_size, hw->args.queue_size);
		return -EINVAL;
	}

	TMMR_LOG(driver, INFO, p, "features 0x%08x, MAC " RTE_ETHER_ADDR_PRT_FMT
		 ", %u queue pairs (device max %u), queue size %u, MTU %u, link %s",
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
tmmr_hw_queue_size(struct rte_eth_dev *dev, uint16_t vq, uint16_t *size)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint16_t n;
	int ret;

	pthread_mutex_lock(&hw->lock);
	/*
	 * The queues of pairs beyond the first may exist only once MQ is
	 * negotiated: QEMU's virtio-net creates them when the driver writes its
	 * features, and until then has its control queue (64 entries) at index 2,
	 * where Rx queue 1 goes. Write the planned features, as start will, before
	 * reading the size of any queue beyond the first pair.
	 */
	if (vq >= 2 && !hw->started && tmmr_has(hw->plan_features, TMMR_NET_F_MQ))
		tmmr_leg_set_features(hw->pci, hw->plan_features);
	n = tmmr_leg_queue_size(hw->pci, vq);
	pthread_mutex_unlock(&hw->lock);
	ret = tmmr_leg_check_queue_size(n);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, hw, "device queue %u has size %u (%s)", vq, n,
			 ret == -ENOENT ? "queue absent" : "not a power of 2 up to 32768");
		return ret;
	}
	if (hw->args.queue_size != 0 && n != hw->args.queue_size) {
		TMMR_LOG(driver, ERR, hw, "device queue %u has size %u, devarg "
			 TMMR_DEVARG_QUEUE_SIZE " requires %u", vq, n, hw->args.queue_size);
		return -EINVAL;
	}
	*size = n;
	return 0;
}

void
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
			TMMR_LOG(driver, WARNING, p, "device gone at stop");
		else if (ret != 0)
			quiet = false;
		if (ret == 0 && hw->features != 0) {
			/* only once reset: PFN 0 gives each ring up (DRV-8) */
			for (i = 0; i < dev->data->nb_rx_queues; i++)
				tmmr_leg_queue_deactivate(p, tmmr_rx_vq(i));
			for (i = 0; i < dev->data->nb_tx_queues; i++)
				tmmr_leg_queue_deactivate(p, tmmr_tx_vq(i));
			if (hw->cvq_ready)
				tmmr_leg_queue_deactivate(p, hw->cvq.vq.queue_idx);
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
				TMMR_LOG(driver, ERR, p, "device not reset: Rx queue %u gives up its %u "
					 "mbufs (never back in the pool, it may still write them)",
					 i, n);
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
		TMMR_LOG(driver, ERR, p, "control queue %u has unusable size %u", vq, n);
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
			TMMR_LOG(driver, ERR, p, "no memory for the control queue: %s",
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
		TMMR_LOG(driver, WARNING, p, "control queue vector not cleared");
	hw->cvq_ready = true;
	return 0;
}

/* Program one Rx or Tx ring and its vector. hw->lock held. */
static int
tmmr_vq_setup_locked(struct tmmr_hw *hw, struct tmmr_qslot *s, uint16_t vq, uint16_t vec,
		     bool rx)
{
	struct tmmr_pci *p = hw->pci;
	struct tmmr_doorbell nt;
	uint16_t n, back;
	int ret;

	n = tmmr_leg_queue_size(p, vq);
	if (n != s->num) {
		TMMR_LOG(driver, ERR, p, "queue %u size is now %u, was %u at setup", vq, n, s->num);
		return -EIO;
	}
	ret = tmmr_leg_queue_activate(p, vq, s->ring_iova);
	if (ret != 0)
		return ret;
	if (hw->msix) {
		back = tmmr_leg_set_queue_vector(p, vq, vec);
		if (back != vec) {
			TMMR_LOG(driver, ERR, p, "queue %u: vector %u written, %u read back%s", vq,
				 vec, back, back == TMMR_MSI_NO_VECTOR ? " (refused)" : "");
			return -EIO;
		}
	}
	tmmr_leg_doorbell(p, vq, &nt);
	if (rx)
		tmmr_rxq_set_doorbell(s->q, &nt);
	else
		tmmr_txq_set_doorbell(s->q, &nt);
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

int
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
	ret = tmmr_hw_reset_ack_locked(hw, &dev_f);
	if (ret != 0)
		return ret;
	if ((dev_f & f) != f) {
		TMMR_LOG(driver, ERR, p, "device now offers 0x%08x, lacking planned 0x%08x; reset "
			 "the port", dev_f, f & ~dev_f);
		ret = -EIO;
		goto fail;
	}
	tmmr_leg_set_features(p, f);
	back = tmmr_leg_get_driver_features(p);
	if (back != f) {
		TMMR_LOG(driver, ERR, p, "driver features 0x%08x written, 0x%08x read back", f,
			 back);
		ret = -EIO;
		goto fail;
	}
	hw->features = f;

	/* every ring must be reachable before the device learns its PFN */
	ret = p->ops->dma_setup(p);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, p, "DMA setup failed: %s", rte_strerror(-ret));
		goto fail;
	}
	hw->dma_on = true;

	if (p->layout.has_msix) {
		nb_vec = 1 + (hw->dp_cfg.rx_intr ? nb_rx : 0);
		ret = p->ops->intr_setup(p, nb_vec);
		if (ret == 0) {
			hw->msix = true;
		} else if (hw->dp_cfg.rx_intr) {
			TMMR_LOG(driver, ERR, p, "MSI-X with %u vectors failed: %s", nb_vec,
				 rte_strerror(-ret));
			goto fail;
		} else {
			TMMR_LOG(driver, WARNING, p, "no MSI-X (%s), polling the link every %u ms",
				 rte_strerror(-ret), hw->args.lsc_poll_ms);
		}
	}
	if (hw->msix) {
		back = tmmr_leg_set_config_vector(p, 0);
		if (back != 0) {
			TMMR_LOG(driver, ERR, p, "config vector 0 written, 0x%x read back%s", back,
				 back == TMMR_MSI_NO_VECTOR ? " (refused)" : "");
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
		TMMR_LOG(driver, ERR, p, "device needs reset right after DRIVER_OK%s",
			 tmmr_iova_pa_on_model(p) ? " (IOVA mode PA: the model's vhost-user "
			 "backend needs IOMMU support, or use --iova-mode=va)" : "");
		ret = -EIO;
		goto fail;
	}
	for (i = 0; i < nb_rx; i++) {
		ret = tmmr_rxq_start(hw->rxq[i].q);
		if (ret != 0) {
			TMMR_LOG(driver, ERR, p, "cannot fill Rx queue %u: %s", i,
				 rte_strerror(-ret));
			goto fail;
		}
	}
	ret = tmmr_ctrl_restore_locked(dev);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, p, "control queue commands failed: %s", rte_strerror(-ret));
		goto fail;
	}
	hw->started = true;
	hw->reset_requested = false;
	return 0;
fail:
	tmmr_hw_stop_locked(dev);
	return ret;
}
