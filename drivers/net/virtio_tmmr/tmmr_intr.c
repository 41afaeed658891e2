/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Link and fault handling: the config-change MSI-X vector, and a periodic
 * alarm for what raises no interrupt (surprise removal, hostile
 * completions) or when there is no MSI-X. Events are collected under
 * hw->lock and delivered after it is released, so application callbacks may
 * call back into the driver.
 */

#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_arp.h>
#include <rte_interrupts.h>

#include "tmmr_ethdev.h"
#include "tmmr_intr.h"
#include "tmmr_logs.h"

void
tmmr_link_read(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_eth_link link;
	bool up = false;

	if (hw->started && !hw->removed) {
		if (tmmr_has(hw->features, TMMR_NET_F_STATUS)) {
			uint16_t st = tmmr_leg_devcfg_read16(hw->pci, TMMR_NET_CFG_STATUS);

			/* all-ones: the device is gone, not up */
			up = st != UINT16_MAX && (st & TMMR_NET_S_LINK_UP) != 0;
		} else {
			up = true;
		}
	}
	memset(&link, 0, sizeof(link));
	link.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	link.link_speed = up ? TMMR_LINK_SPEED : RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	rte_eth_linkstatus_set(dev, &link);
}

/* The device is gone: no register access, no datapath, link down. */
static void
tmmr_mark_removed(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	uint16_t port = dev->data->port_id;

	hw->removed = true;
	hw->cnt.surprise_removals++;
	dev->rx_pkt_burst = rte_eth_pkt_burst_dummy;
	dev->tx_pkt_burst = rte_eth_pkt_burst_dummy;
	/* a running port's lcores call through the fast-path table */
	if (dev->data->dev_started) {
		rte_eth_fp_ops[port].rx_pkt_burst = rte_eth_pkt_burst_dummy;
		rte_eth_fp_ops[port].tx_pkt_burst = rte_eth_pkt_burst_dummy;
	}
	tmmr_link_read(dev);
	TMMR_LOG(driver, ERR, hw, "port %u: device removed", port);
}

static bool
tmmr_queues_broken(const struct tmmr_hw *hw, struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues && i < TMMR_MAX_QUEUE_PAIRS; i++)
		if (hw->rxq[i].q != NULL && tmmr_rxq_broken(hw->rxq[i].q))
			return true;
	for (i = 0; i < dev->data->nb_tx_queues && i < TMMR_MAX_QUEUE_PAIRS; i++)
		if (hw->txq[i].q != NULL && tmmr_txq_broken(hw->txq[i].q))
			return true;
	return false;
}

/*
 * The device asks the driver to announce itself (it moved, e.g. after a
 * migration): a RARP with the port's MAC, as net/virtio sends, so switches
 * learn where it is now. It goes out on Tx queue 0 with that queue's next
 * burst, sent by the lcore that owns the queue.
 */
static void
tmmr_announce_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_mbuf *m;

	if (dev->data->nb_tx_queues == 0 || hw->txq[0].q == NULL || hw->rxq[0].mp == NULL)
		return;
	m = rte_net_make_rarp_packet(hw->rxq[0].mp, &dev->data->mac_addrs[0]);
	if (m == NULL) {
		TMMR_LOG(driver, WARNING, hw, "no mbuf for the announce RARP");
		return;
	}
	if (tmmr_txq_inject(hw->txq[0].q, m) != 0)
		rte_pktmbuf_free(m);	/* the previous one still waits */
}

unsigned int
tmmr_poll_locked(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct tmmr_pci *p = hw->pci;
	unsigned int ev = 0;
	uint8_t st;
	bool up;

	if (hw->removed || p == NULL)
		return 0;
	st = tmmr_leg_get_status(p);
	if (st == 0xff || !p->ops->alive(p)) {
		bool was_up = hw->link_up;

		tmmr_mark_removed(dev);
		hw->link_up = false;
		return TMMR_EV_RMV | (was_up ? TMMR_EV_LSC : 0);
	}
	if (!hw->started)
		return 0;
	if (!hw->reset_requested) {
		if (st & TMMR_STATUS_NEEDS_RESET) {
			hw->cnt.needs_reset_events++;
			hw->reset_requested = true;
			TMMR_LOG(driver, ERR, hw, "device needs reset");
			ev |= TMMR_EV_RESET;
		} else if (tmmr_queues_broken(hw, dev) || hw->cvq.vq.broken) {
			hw->cnt.broken_queue_events++;
			hw->reset_requested = true;
			TMMR_LOG(driver, ERR, hw, "a queue saw hostile completions, reset needed");
			ev |= TMMR_EV_RESET;
		}
	}
	tmmr_link_read(dev);
	up = dev->data->dev_link.link_status == RTE_ETH_LINK_UP;
	if (up != hw->link_up) {
		hw->link_up = up;
		hw->cnt.link_changes++;
		ev |= TMMR_EV_LSC;
	}
	if (tmmr_has(hw->features, TMMR_NET_F_GUEST_ANNOUNCE) && hw->cvq_ready) {
		uint16_t ns = tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_STATUS);

		if (ns != UINT16_MAX && (ns & TMMR_NET_S_ANNOUNCE)) {
			tmmr_announce_locked(dev);
			if (tmmr_ctrlq_announce_ack(&hw->cvq) == 0)
				hw->cnt.announce_acks++;
		}
	}
	return ev;
}

/* The port behind @dev is still the one whose private data is @priv. */
static bool
tmmr_port_alive(const struct rte_eth_dev *dev, const void *priv)
{
	return dev->state != RTE_ETH_DEV_UNUSED && dev->data != NULL &&
		dev->data->dev_private == priv;
}

/*
 * An application callback may stop or close the port (and free hw): nothing
 * of the port is touched after one has run, unless it is still there.
 */
void
tmmr_events_deliver(struct rte_eth_dev *dev, unsigned int ev)
{
	const void *priv = dev->data->dev_private;

	if (!dev->data->dev_conf.intr_conf.lsc)
		ev &= ~TMMR_EV_LSC;
	if (ev & TMMR_EV_LSC)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	if ((ev & TMMR_EV_RMV) && tmmr_port_alive(dev, priv))
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
	if ((ev & TMMR_EV_RESET) && tmmr_port_alive(dev, priv))
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET, NULL);
}

static void
tmmr_config_intr(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	unsigned int ev = 0;

	/* both transports give a VFIO_MSIX handle: the EAL drained the eventfd */
	pthread_mutex_lock(&hw->lock);
	if (!hw->removed && hw->started) {
		/* with MSI-X the vector itself says "config changed"; ISR read clears */
		(void)tmmr_leg_read_isr(hw->pci);
		hw->cnt.config_interrupts++;
		ev = tmmr_poll_locked(dev);
	}
	pthread_mutex_unlock(&hw->lock);
	tmmr_events_deliver(dev, ev);
}

static void
tmmr_alarm(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	unsigned int ev;

	pthread_mutex_lock(&hw->lock);
	ev = tmmr_poll_locked(dev);
	/*
	 * Re-arm before the events go out: a callback that stops or closes the
	 * port frees hw (no reading it afterwards), and its stop cancels the
	 * alarm set here (a cancel from another thread waits for this run).
	 */
	if (__atomic_load_n(&hw->alarm_on, __ATOMIC_ACQUIRE) && !hw->removed)
		rte_eal_alarm_set((uint64_t)hw->args.lsc_poll_ms * 1000, tmmr_alarm, dev);
	pthread_mutex_unlock(&hw->lock);
	tmmr_events_deliver(dev, ev);
}

void
tmmr_intr_start(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);
	struct rte_intr_handle *ih = hw->pci->intr_handle;
	int ret;

	hw->link_up = dev->data->dev_link.link_status == RTE_ETH_LINK_UP;
	if (hw->msix && ih != NULL && rte_intr_fd_get(ih) >= 0) {
		ret = rte_intr_callback_register(ih, tmmr_config_intr, dev);
		if (ret == 0)
			hw->intr_cb = true;
		else
			TMMR_LOG(driver, WARNING, hw, "cannot register the config interrupt (%s)",
				 rte_strerror(-ret));
	}
	if (hw->args.lsc_poll_ms != 0) {
		__atomic_store_n(&hw->alarm_on, true, __ATOMIC_RELEASE);
		ret = rte_eal_alarm_set((uint64_t)hw->args.lsc_poll_ms * 1000, tmmr_alarm, dev);
		if (ret != 0) {
			__atomic_store_n(&hw->alarm_on, false, __ATOMIC_RELEASE);
			TMMR_LOG(driver, WARNING, hw, "cannot arm the health poll (%s)",
				 rte_strerror(-ret));
		}
	}
}

void
tmmr_intr_stop(struct rte_eth_dev *dev)
{
	struct tmmr_hw *hw = tmmr_hw_of(dev);

	if (__atomic_exchange_n(&hw->alarm_on, false, __ATOMIC_ACQ_REL))
		rte_eal_alarm_cancel(tmmr_alarm, dev);
	if (hw->intr_cb) {
		/*
		 * An application may stop the port from an event callback, i.e. on
		 * the interrupt thread, where waiting for our own callback to end
		 * would never return: defer the unregistration while our source is
		 * being served. From another source's callback (an alarm, e.g. a
		 * deferred device removal) ours is idle and "pending" is refused:
		 * unregister at once, or the source outlives its closed eventfd and
		 * the interrupt thread panics at its next epoll rebuild.
		 */
		if (rte_thread_is_intr()) {
			if (rte_intr_callback_unregister(hw->pci->intr_handle,
							 tmmr_config_intr, dev) == -EAGAIN)
				rte_intr_callback_unregister_pending(hw->pci->intr_handle,
								     tmmr_config_intr, dev, NULL);
		} else
			rte_intr_callback_unregister_sync(hw->pci->intr_handle,
							  tmmr_config_intr, dev);
		hw->intr_cb = false;
	}
}
