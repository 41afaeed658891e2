/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* VF side: port configuration, reset and removal events, link state reflected to the guest. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

#define RELAY_RX_OFFLOADS (RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
/* lro=1: coalesced segments only fit in chained mbufs */
#define RELAY_RX_LRO (RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_SCATTER)
/* MBUF_FAST_FREE: every mbuf the relay sends comes from its one pool (vhost dequeue) with a
 * reference count of 1
 */
#define RELAY_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
	RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS | \
	RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)

int
relay_port_resolve(const char *dev, uint16_t *port_id)
{
	char *end;
	unsigned long v;

	if (dev[0] >= '0' && dev[0] <= '9') {
		v = strtoul(dev, &end, 10);
		if (*end == '\0') {
			if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(v))
				return -ENODEV;
			*port_id = v;
			return 0;
		}
	}
	return rte_eth_dev_get_port_by_name(dev, port_id) == 0 ? 0 : -ENODEV;
}

static int
relay_port_try(struct relay *r, struct relay_pair *p, uint64_t rx_off, uint64_t tx_off,
		bool rx_intr)
{
	int socket = rte_eth_dev_socket_id(p->port_id);
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = rx_off;
	conf.rxmode.mtu = p->mtu_wanted;	/* 0: ethdev's default, RTE_ETHER_MTU */
	conf.txmode.offloads = tx_off;
	conf.intr_conf.rxq = rx_intr;
	/* N queue pairs: the PMD tells the device (VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET) */
	ret = rte_eth_dev_configure(p->port_id, p->nb_queues, p->nb_queues, &conf);
	if (ret < 0)
		return ret;
	/* packet types are never read here (the offload mapping parses what it needs): a
	 * PMD that parses in software skips it, and the packet lines it would read
	 */
	ret = rte_eth_dev_set_ptypes(p->port_id, 0, NULL, 0);
	if (ret < 0)
		RLOG(WARNING, "VF %s: cannot turn packet type parsing off: %s", p->port_name,
			rte_strerror(-ret));
	for (q = 0; q < p->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, 0, socket, NULL, r->pool);
		if (ret < 0)
			return ret;
		ret = rte_eth_tx_queue_setup(p->port_id, q, 0, socket, NULL);
		if (ret < 0)
			return ret;
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret < 0)
		return ret;
	for (q = 0; rx_intr && q < p->nb_queues; q++) {
		if (rte_eth_dev_rx_intr_ctl_q_get_fd(p->port_id, q) < 0) {
			rte_eth_dev_stop(p->port_id);
			return -ENOTSUP;
		}
	}
	return 0;
}

/* What the VF must take for --vf ...,queues= and mtu=: checked before trying, so that the
 * log says why rather than which step failed.
 */
static int
relay_port_check(struct relay *r, struct relay_pair *p, const struct rte_eth_dev_info *info,
		uint64_t *need_rx, uint64_t *need_tx)
{
	uint32_t frame, room;

	*need_rx = *need_tx = 0;
	if (p->nb_queues > info->max_rx_queues || p->nb_queues > info->max_tx_queues) {
		RLOG(ERR, "VF %s: %u queue pairs asked, the VF has %u Rx and %u Tx queues",
			p->port_name, p->nb_queues, info->max_rx_queues, info->max_tx_queues);
		return -EINVAL;
	}
	if (p->mtu_wanted == 0)
		return 0;
	if (p->mtu_wanted < info->min_mtu || p->mtu_wanted > info->max_mtu) {
		RLOG(ERR, "VF %s: MTU %u outside the VF's range %u..%u", p->port_name,
			p->mtu_wanted, info->min_mtu, info->max_mtu);
		return -EINVAL;
	}
	/* a frame longer than one mbuf arrives and leaves as a chain of mbufs */
	frame = p->mtu_wanted + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2 * RTE_VLAN_HLEN;
	room = rte_pktmbuf_data_room_size(r->pool) - RTE_PKTMBUF_HEADROOM;
	if (frame > room) {
		if (!(info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) ||
		    !(info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)) {
			RLOG(ERR, "VF %s: MTU %u needs %u-byte frames in %u-byte mbufs, and the "
				"VF has no scattered Rx or multi-segment Tx", p->port_name,
				p->mtu_wanted, frame, room);
			return -EINVAL;
		}
		*need_rx = RTE_ETH_RX_OFFLOAD_SCATTER;
		*need_tx = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	return 0;
}

/* Configure the queue pairs with the offloads the VF offers and Rx interrupts if it has them;
 * fall back step by step so that any ethdev can be relayed.
 */
int
relay_port_setup(struct relay *r, struct relay_pair *p)
{
	struct rte_eth_dev_info info;
	uint64_t rx_off, tx_off, need_rx, need_tx;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret < 0)
		return ret;
	ret = relay_port_check(r, p, &info, &need_rx, &need_tx);
	if (ret < 0)
		return ret;
	/*
	 * Scattered Rx only when the MTU or LRO needs it: a VF such as tmmr's then leaves
	 * mergeable Rx buffers out (mrg_rxbuf=auto), and with them a header store per
	 * forwarded packet. LRO only when asked, as OVS: a switch passes packets as they came.
	 */
	rx_off = (info.rx_offload_capa & RELAY_RX_OFFLOADS) | need_rx;
	tx_off = info.tx_offload_capa & RELAY_TX_OFFLOADS;
	if (p->lro_wanted) {
		if ((info.rx_offload_capa & RELAY_RX_LRO) == RELAY_RX_LRO)
			rx_off |= RELAY_RX_LRO;
		else
			RLOG(WARNING, "VF %s: lro=1, but the VF has no LRO with scattered Rx: "
				"guests get no GUEST_TSO4/6", p->port_name);
	}

	p->vf_rx_intr = true;
	ret = relay_port_try(r, p, rx_off, tx_off, true);
	if (ret < 0) {
		p->vf_rx_intr = false;
		ret = relay_port_try(r, p, rx_off, tx_off, false);
		if (ret == 0)
			RLOG(WARNING, "VF %s has no Rx interrupts: its idle lcore polls with "
				"1 ms sleeps", p->port_name);
	}
	if (ret < 0) {
		RLOG(WARNING, "VF %s refused offloads rx 0x%" PRIx64 " tx 0x%" PRIx64
			" (%s): relaying without them", p->port_name, rx_off, tx_off,
			strerror(-ret));
		rx_off = need_rx;
		tx_off = need_tx;
		ret = relay_port_try(r, p, rx_off, tx_off, false);
	}
	if (ret < 0) {
		RLOG(ERR, "VF %s: cannot configure and start: %s", p->port_name, strerror(-ret));
		return ret;
	}
	p->vf_rx_offloads = rx_off;
	p->vf_tx_offloads = tx_off;
	if (rte_eth_dev_get_mtu(p->port_id, &p->mtu) < 0)
		p->mtu = RTE_ETHER_MTU;
	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (p->nb_queues > 1 || p->mtu_wanted != 0)
		RLOG(INFO, "VF %s: %u queue pair(s), MTU %u%s", p->port_name, p->nb_queues,
			p->mtu, (rx_off & RTE_ETH_RX_OFFLOAD_SCATTER) ? ", scattered Rx" : "");
	return 0;
}

/* Runs in the EAL interrupt thread: note the event, the control thread acts on it. */
static int
relay_port_event(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	struct relay_pair *p = arg;

	RTE_SET_USED(ret_param);
	if (p->port_id != port_id)
		return 0;
	if (type == RTE_ETH_EVENT_INTR_RESET)
		__atomic_store_n(&p->reset_pending, true, __ATOMIC_RELEASE);
	else if (type == RTE_ETH_EVENT_INTR_RMV)
		__atomic_store_n(&p->remove_pending, true, __ATOMIC_RELEASE);
	return 0;
}

void
relay_port_register_events(struct relay_pair *p)
{
	rte_eth_dev_callback_register(p->port_id, RTE_ETH_EVENT_INTR_RESET, relay_port_event, p);
	rte_eth_dev_callback_register(p->port_id, RTE_ETH_EVENT_INTR_RMV, relay_port_event, p);
}

void
relay_port_unregister_events(struct relay_pair *p)
{
	rte_eth_dev_callback_unregister(p->port_id, RTE_ETH_EVENT_INTR_RESET,
		relay_port_event, p);
	rte_eth_dev_callback_unregister(p->port_id, RTE_ETH_EVENT_INTR_RMV,
		relay_port_event, p);
}

static void
relay_port_reset(struct relay *r, struct relay_pair *p)
{
	int ret;

	RLOG(WARNING, "VF %s: reset requested by the device", p->port_name);
	relay_pair_set_ready(p, &p->vf_ready, false);
	ret = rte_eth_dev_reset(p->port_id);
	if (ret == -ENOTSUP) {
		/* no reset operation: a stop and a full reconfiguration is the same for us */
		ret = rte_eth_dev_stop(p->port_id);
	}
	if (ret < 0) {
		RLOG(ERR, "VF %s: reset failed (%s), retrying", p->port_name, strerror(-ret));
		__atomic_store_n(&p->reset_pending, true, __ATOMIC_RELEASE);
		return;
	}
	if (relay_port_setup(r, p) < 0) {
		__atomic_store_n(&p->reset_pending, true, __ATOMIC_RELEASE);
		return;
	}
	__atomic_add_fetch(&p->cnt.vf_resets, 1, __ATOMIC_RELAXED);
	p->vf_state = RELAY_VF_UP;
	relay_pair_set_ready(p, &p->vf_ready, true);
	RLOG(INFO, "VF %s: reset done, forwarding again", p->port_name);
}

/* Control-thread step for one pair: removal, reset, link changes. */
void
relay_port_control(struct relay *r, struct relay_pair *p)
{
	struct rte_eth_link link;
	bool up;

	if (p->vf_state == RELAY_VF_REMOVED)
		return;
	if (__atomic_exchange_n(&p->remove_pending, false, __ATOMIC_ACQ_REL)) {
		RLOG(WARNING, "VF %s removed: its guest is disconnected, other VFs go on",
			p->port_name);
		relay_vhost_unregister(p);
		relay_pair_set_ready(p, &p->vf_ready, false);
		p->vf_state = RELAY_VF_REMOVED;
		relay_port_unregister_events(p);
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		return;
	}
	if (__atomic_exchange_n(&p->reset_pending, false, __ATOMIC_ACQ_REL))
		relay_port_reset(r, p);
	if (p->vf_state != RELAY_VF_UP)
		return;
	if (rte_eth_link_get_nowait(p->port_id, &link) < 0)
		return;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (!relay_link_follow(&p->link, p->port_name, up, relay_now_ms()))
		relay_vhost_unregister(p);
	else if (!p->vhost_registered)
		relay_vhost_register(r, p);
}

int
relay_port_link_start(struct relay *r, struct relay_pair *p)
{
	struct rte_eth_link link;
	bool up = rte_eth_link_get_nowait(p->port_id, &link) == 0 &&
		link.link_status == RTE_ETH_LINK_UP;

	relay_link_init(&p->link, &r->opt, r->opt.link_reflect);
	if (!relay_link_start(&p->link, up, p->port_name, p->socket))
		return 0;
	return relay_vhost_register(r, p);
}

void
relay_port_close(struct relay_pair *p)
{
	if (p->vf_state == RELAY_VF_REMOVED)
		return;
	relay_port_unregister_events(p);
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
	p->vf_state = RELAY_VF_REMOVED;
}
