/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_ETHDEV_H
#define TMMR_ETHDEV_H

/*
 * Private state of one net_virtio_tmmr port, shared by the ethdev ops
 * (tmmr_ethdev.c) and the interrupt/fault handling (tmmr_intr.c).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_memzone.h>

#include "tmmr_ctrlq.h"
#include "tmmr_devargs.h"
#include "tmmr_legacy.h"
#include "tmmr_pci.h"
#include "tmmr_rxtx.h"

/* Frame overhead on top of the MTU: Ethernet header and one VLAN tag. */
#define TMMR_L2_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
/* Largest frame with mergeable Rx buffers and no device MTU. */
#define TMMR_MAX_RX_PKTLEN	9728
#define TMMR_LINK_SPEED		RTE_ETH_SPEED_NUM_10G

/* One Rx or Tx queue as the ethdev tracks it across stop/start. */
struct tmmr_qslot {
	void *q;			/* struct tmmr_rxq * or struct tmmr_txq * */
	uint64_t ring_iova;
	uint16_t num;
	uint16_t nb_desc;		/* descriptors the application asked for */
	int socket;
	struct rte_mempool *mp;		/* Rx only */
	struct tmmr_dp_cfg cfg;		/* what the queue was created with */
};

/* Device-level counters exported as xstats. */
struct tmmr_dev_counters {
	uint64_t config_interrupts;
	uint64_t device_resets;
	uint64_t needs_reset_events;
	uint64_t broken_queue_events;
	uint64_t surprise_removals;
	uint64_t link_changes;
	uint64_t announce_acks;
};

struct tmmr_hw {
	struct tmmr_pci *pci;
	uint16_t port_id;
	struct tmmr_devargs args;
	/* register access and control queue: app thread vs interrupt thread */
	pthread_mutex_t lock;

	uint32_t dev_features;		/* offered by the device */
	uint32_t plan_features;		/* what dev_start acks (from dev_configure) */
	uint32_t features;		/* acked, while started */
	struct tmmr_dp_cfg dp_cfg;
	uint16_t max_pairs;		/* usable queue pairs */
	uint16_t dev_max_pairs;		/* as the device reports (ctrl queue index) */
	uint16_t dev_mtu;		/* 0 without MTU */
	uint16_t nb_pairs;		/* configured */
	uint16_t queue_size;		/* device-chosen size of queue 0 */
	struct rte_ether_addr dev_mac;	/* as read at probe (or generated) */

	struct tmmr_qslot rxq[TMMR_MAX_QUEUE_PAIRS];
	struct tmmr_qslot txq[TMMR_MAX_QUEUE_PAIRS];

	struct tmmr_ctrlq cvq;
	const struct rte_memzone *cvq_mz;
	bool cvq_ready;

	bool started;
	bool msix;			/* MSI-X vectors in use */
	bool rx_intr;			/* Rx queue vectors set */
	bool intr_cb;			/* LSC callback registered */
	bool alarm_on;
	bool dma_on;
	bool removed;			/* surprise removal seen */
	bool reset_requested;		/* RESET event sent, waiting for dev_reset */
	bool link_up;
	struct tmmr_dev_counters cnt;
	/*
	 * Counters of queue objects already released (queue setup again,
	 * fewer queues, MTU rebuild, dev_reset): ethdev counters only go back
	 * to 0 on a stats reset.
	 */
	struct tmmr_q_stats rxq_base[TMMR_MAX_QUEUE_PAIRS];
	struct tmmr_q_stats txq_base[TMMR_MAX_QUEUE_PAIRS];
};

static inline struct tmmr_hw *
tmmr_hw_of(struct rte_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* Events found under hw->lock, delivered to the application after unlocking. */
#define TMMR_EV_LSC	0x1
#define TMMR_EV_RMV	0x2
#define TMMR_EV_RESET	0x4

/* tmmr_intr.c: LSC interrupt, periodic health poll, fault events. */
void tmmr_intr_start(struct rte_eth_dev *dev);
void tmmr_intr_stop(struct rte_eth_dev *dev);
/* Read the link from the device into the ethdev; hw->lock held. */
void tmmr_link_read(struct rte_eth_dev *dev);
/* Removal, needs-reset, broken queues, link, announce; hw->lock held. */
unsigned int tmmr_poll_locked(struct rte_eth_dev *dev);
void tmmr_events_deliver(struct rte_eth_dev *dev, unsigned int ev);
/* Datapath entry points, swapped for dummies once the device is gone. */
void tmmr_set_burst_fns(struct rte_eth_dev *dev);

/* tmmr_ethdev.c; also what a secondary process reports (tmmr_mp.c) */
int tmmr_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);

/* tmmr_stats.c */
/* Add the counters of queue @qid's object to the port's base before it is freed. */
void tmmr_stats_absorb(struct tmmr_hw *hw, uint16_t qid, bool rx);
int tmmr_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
int tmmr_stats_reset(struct rte_eth_dev *dev);
int tmmr_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int tmmr_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int n);
int tmmr_xstats_reset(struct rte_eth_dev *dev);

/* tmmr_filter.c: receive filters through the control queue */
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

#endif /* TMMR_ETHDEV_H */
