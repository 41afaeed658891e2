/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Ring memory and the state common to Rx and Tx queues. */

#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memzone.h>

#include "tmmr_logs.h"
#include "tmmr_vq.h"

const struct tmmr_notifier *tmmr_proc_doorbells[RTE_MAX_ETHPORTS];

/*
 * Memzone names must be unique while they live; a queue may be set up again
 * before the old one is freed, so add a generation number.
 */
static uint32_t tmmr_mz_gen;

const struct rte_memzone *
tmmr_dp_memzone(const char *kind, uint16_t port_id, uint16_t queue_idx, size_t len,
		int socket)
{
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	uint32_t gen = __atomic_fetch_add(&tmmr_mz_gen, 1, __ATOMIC_RELAXED);

	snprintf(name, sizeof(name), "tmmr_%s_%u_%u_%u", kind, port_id, queue_idx, gen);
	mz = rte_memzone_reserve_aligned(name, len, socket, RTE_MEMZONE_IOVA_CONTIG,
					 TMMR_LEG_RING_ALIGN);
	if (mz == NULL && socket != SOCKET_ID_ANY)
		mz = rte_memzone_reserve_aligned(name, len, SOCKET_ID_ANY,
						 RTE_MEMZONE_IOVA_CONTIG, TMMR_LEG_RING_ALIGN);
	if (mz == NULL) {
		PMD_DRV_LOG(ERR, "cannot reserve %zu bytes for %s (port %u queue %u): %s",
			    len, name, port_id, queue_idx, rte_strerror(rte_errno));
		return NULL;
	}
	if (mz->iova == RTE_BAD_IOVA) {
		PMD_DRV_LOG(ERR, "memzone %s has no IOVA", name);
		rte_memzone_free(mz);
		rte_errno = EFAULT;
		return NULL;
	}
	memset(mz->addr, 0, len);
	return mz;
}

void
tmmr_vq_suppress_interrupts(struct tmmr_vq *vq)
{
	vq->avail->flags = TMMR_VRING_AVAIL_F_NO_INTERRUPT;
	/* with EVENT_IDX: an entry already consumed, reached again only after a wrap */
	*vq->used_event = (uint16_t)(vq->used_cons - 1);
}

/* Lay the ring out over its (zeroed) memory and reset the indices. */
void
tmmr_vq_reset(struct tmmr_vq *vq)
{
	uint8_t *base = vq->ring_mz->addr;

	memset(base, 0, tmmr_vring_size(vq->num));
	vq->desc = (struct tmmr_vring_desc *)base;
	vq->avail = (struct tmmr_vring_avail *)(base + tmmr_vring_avail_off(vq->num));
	vq->used = (volatile struct tmmr_vring_used *)(base + tmmr_vring_used_off(vq->num));
	vq->used_event = (volatile uint16_t *)&vq->avail->ring[vq->num];
	vq->avail_event = (volatile uint16_t *)&vq->used->ring[vq->num];
	vq->avail_shadow = 0;
	vq->avail_published = 0;
	vq->used_cons = 0;
	vq->in_flight = 0;
	vq->broken = false;
	tmmr_vq_suppress_interrupts(vq);
}

int
tmmr_vq_init(struct tmmr_vq *vq, const char *kind, uint16_t port_id, uint16_t queue_idx,
	     uint16_t num, int socket, bool event_idx)
{
	if (num == 0 || !rte_is_power_of_2(num) || num > 32768) {
		PMD_DRV_LOG(ERR, "ring size %u is not a power of 2 in 1..32768", num);
		rte_errno = EINVAL;
		return -EINVAL;
	}
	vq->ring_mz = tmmr_dp_memzone(kind, port_id, queue_idx, tmmr_vring_size(num), socket);
	if (vq->ring_mz == NULL)
		return -rte_errno;
	vq->ring_iova = vq->ring_mz->iova;
	vq->num = num;
	vq->mask = num - 1;
	vq->port_id = port_id;
	vq->queue_idx = queue_idx;
	vq->event_idx = event_idx;
	vq->notifier.mmio = NULL;
	vq->notifier.efd = -1;
	vq->notifier.pci = NULL;
	vq->notifier.queue = queue_idx;
	tmmr_vq_reset(vq);
	return 0;
}

void
tmmr_vq_fini(struct tmmr_vq *vq)
{
	rte_memzone_free(vq->ring_mz);
	vq->ring_mz = NULL;
}
