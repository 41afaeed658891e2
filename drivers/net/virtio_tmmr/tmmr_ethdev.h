/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_ETHDEV_H
#define TMMR_ETHDEV_H

/*
 * Private state of one net_virtio_tmmr port, shared by the ethdev ops
 * (tmmr_ethdev.c), device bring-up (tmmr_hw.c), the interrupt and fault
 * handling (tmmr_intr.c), filters (tmmr_filter.c) and stats (tmmr_stats.c).
 * Each of them declares its functions in a header of its own.
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
	bool fast_free;			/* Tx only: MBUF_FAST_FREE asked for */
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
	char name[RTE_DEV_NAME_MAX_LEN];	/* the device's, for TMMR_LOG */
	struct tmmr_pci *pci;
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
	bool rx_no_ptype;		/* rte_eth_dev_set_ptypes(..., 0, ...): no parsing */
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

/* Datapath entry points (tmmr_ethdev.c), swapped for dummies once the device is gone. */
void tmmr_set_burst_fns(struct rte_eth_dev *dev);

/* tmmr_ethdev.c; also what a secondary process reports (tmmr_mp.c) */
int tmmr_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);

#endif /* TMMR_ETHDEV_H */
