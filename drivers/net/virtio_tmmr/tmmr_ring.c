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

const struct tmmr_doorbell *tmmr_proc_doorbells[RTE_MAX_ETHPORTS];

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

/* Lay the ring out over its (zeroed) memory, which starts with the descriptors. */
void
tmmr_vq_reset(struct tmmr_vq *vq)
{
	uint8_t *base = (uint8_t *)vq->desc;

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

static bool
tmmr_vq_size_ok(uint16_t num)
{
	if (num == 0 || !rte_is_power_of_2(num) || num > 32768) {
		PMD_DRV_LOG(ERR, "ring size %u is not a power of 2 in 1..32768", num);
		return false;
	}
	return true;
}

int
tmmr_vq_attach(struct tmmr_vq *vq, uint16_t queue_idx, uint16_t num, void *mem, uint64_t iova,
	       bool event_idx)
{
	if (!tmmr_vq_size_ok(num) || mem == NULL ||
	    ((uintptr_t)mem & (TMMR_LEG_RING_ALIGN - 1)) != 0)
		return -EINVAL;
	vq->ring_mz = NULL;
	vq->desc = mem;
	vq->ring_iova = iova;
	vq->num = num;
	vq->mask = num - 1;
	vq->queue_idx = queue_idx;
	vq->event_idx = event_idx;
	vq->has_doorbell = false;
	vq->doorbell.mmio = NULL;
	vq->doorbell.efd = -1;
	vq->doorbell.slow_kick = NULL;
	vq->doorbell.pci = NULL;
	vq->doorbell.queue = queue_idx;
	tmmr_vq_reset(vq);
	return 0;
}

int
tmmr_vq_alloc(struct tmmr_vq *vq, const char *kind, uint16_t port_id, uint16_t queue_idx,
	      uint16_t num, int socket, bool event_idx)
{
	const struct rte_memzone *mz;
	int ret;

	if (!tmmr_vq_size_ok(num)) {
		rte_errno = EINVAL;
		return -EINVAL;
	}
	mz = tmmr_dp_memzone(kind, port_id, queue_idx, tmmr_vring_size(num), socket);
	if (mz == NULL)
		return -rte_errno;
	ret = tmmr_vq_attach(vq, queue_idx, num, mz->addr, mz->iova, event_idx);
	if (ret != 0) {
		rte_memzone_free(mz);
		rte_errno = -ret;
		return ret;
	}
	vq->ring_mz = mz;
	vq->port_id = port_id;
	return 0;
}

void
tmmr_vq_fini(struct tmmr_vq *vq)
{
	rte_memzone_free(vq->ring_mz);
	vq->ring_mz = NULL;
}

/* Set by the ring helpers when the device published a hostile completion. */
bool
tmmr_rxq_broken(const struct tmmr_rxq *q)
{
	return q->vq.broken;
}

bool
tmmr_txq_broken(const struct tmmr_txq *q)
{
	return q->vq.broken;
}
