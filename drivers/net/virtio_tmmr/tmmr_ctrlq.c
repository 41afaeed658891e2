/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_io.h>
#include <rte_pause.h>

#include "tmmr_ctrlq.h"
#include "tmmr_legacy.h"
#include "tmmr_logs.h"

size_t
tmmr_ctrlq_mem_size(uint16_t num)
{
	return RTE_ALIGN_CEIL(tmmr_vring_size(num), TMMR_LEG_RING_ALIGN) + TMMR_CTRLQ_BUF_SIZE;
}

int
tmmr_ctrlq_init(struct tmmr_ctrlq *cq, struct tmmr_pci *p, uint16_t queue, uint16_t num,
		void *mem, uint64_t iova, size_t len)
{
	uint8_t *base = mem;
	size_t ring_len;

	if (num < TMMR_CTRLQ_DESCS || !rte_is_power_of_2(num) || mem == NULL ||
	    ((uintptr_t)mem & (TMMR_LEG_RING_ALIGN - 1)) != 0 || len < tmmr_ctrlq_mem_size(num))
		return -EINVAL;

	ring_len = RTE_ALIGN_CEIL(tmmr_vring_size(num), TMMR_LEG_RING_ALIGN);
	memset(mem, 0, tmmr_ctrlq_mem_size(num));
	memset(cq, 0, sizeof(*cq));
	cq->pci = p;
	cq->queue = queue;
	cq->num = num;
	cq->desc = (struct tmmr_vring_desc *)base;
	cq->avail = (struct tmmr_vring_avail *)(base + tmmr_vring_avail_off(num));
	cq->used = (struct tmmr_vring_used *)(base + tmmr_vring_used_off(num));
	cq->ring_iova = iova;
	cq->buf = base + ring_len;
	cq->buf_iova = iova + ring_len;
	cq->timeout_ms = TMMR_CTRLQ_TIMEOUT_MS;
	/* polled: the device need not interrupt for control completions */
	cq->avail->flags = TMMR_VRING_AVAIL_F_NO_INTERRUPT;
	cq->doorbell.mmio = NULL;
	cq->doorbell.efd = -1;
	cq->doorbell.slow_kick = tmmr_leg_kick;
	cq->doorbell.pci = p;
	cq->doorbell.queue = queue;
	return 0;
}

static uint64_t
tmmr_ctrlq_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static bool
tmmr_ctrlq_device_gone(struct tmmr_ctrlq *cq)
{
	struct tmmr_pci *p = cq->pci;

	return !p->ops->alive(p);
}

/*
 * The ring is shared with a DMA master: ordering is the datapath's idiom,
 * volatile accesses to the indices and rte_io_* barriers (C11 atomics order
 * CPUs only; on weakly ordered CPUs they need not order DMA-visible memory).
 */
static inline uint16_t
tmmr_ctrlq_used_idx(const struct tmmr_ctrlq *cq)
{
	return *(volatile const uint16_t *)&cq->used->idx;
}

/* Wait until the device moved used->idx; 0, -ETIMEDOUT or -ENODEV. */
static int
tmmr_ctrlq_wait(struct tmmr_ctrlq *cq)
{
	uint64_t deadline = tmmr_ctrlq_now_us() + (uint64_t)cq->timeout_ms * 1000;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 10000 };
	unsigned int spins = 0;

	while (tmmr_ctrlq_used_idx(cq) == cq->used_idx) {
		if (++spins < 1000) {
			rte_pause();
			continue;
		}
		if ((spins & 63) == 0 && tmmr_ctrlq_device_gone(cq))
			return -ENODEV;
		if (tmmr_ctrlq_now_us() > deadline)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
	return 0;
}

int
tmmr_ctrlq_send(struct tmmr_ctrlq *cq, uint8_t class, uint8_t cmd,
		const void *const data[], const uint32_t len[], unsigned int nb_data)
{
	volatile uint8_t *ack;
	struct tmmr_ctrl_hdr *hdr;
	uint32_t off, total = 0;
	uint16_t used_now, head = 0;
	struct tmmr_vring_used_elem elem;
	unsigned int i, nd = 0;
	int ret;

	if (cq == NULL || cq->desc == NULL || nb_data > TMMR_CTRLQ_MAX_DATA)
		return -EINVAL;
	for (i = 0; i < nb_data; i++)
		total += RTE_ALIGN_CEIL(len[i], 8);
	if (total + 16 + 8 > TMMR_CTRLQ_BUF_SIZE)
		return -EINVAL;
	if (cq->broken)
		return -EIO;

	/* buffer: header at 0, data from 16, ack after the data */
	hdr = (struct tmmr_ctrl_hdr *)cq->buf;
	hdr->class = class;
	hdr->cmd = cmd;
	cq->desc[nd].addr = cq->buf_iova;
	cq->desc[nd].len = sizeof(*hdr);
	cq->desc[nd].flags = TMMR_VRING_DESC_F_NEXT;
	cq->desc[nd].next = nd + 1;
	nd++;
	off = 16;
	for (i = 0; i < nb_data; i++) {
		memcpy(cq->buf + off, data[i], len[i]);
		cq->desc[nd].addr = cq->buf_iova + off;
		cq->desc[nd].len = len[i];
		cq->desc[nd].flags = TMMR_VRING_DESC_F_NEXT;
		cq->desc[nd].next = nd + 1;
		nd++;
		off += RTE_ALIGN_CEIL(len[i], 8);
	}
	ack = cq->buf + off;
	*ack = 0xff;	/* a device that never writes the ack has not acked */
	cq->desc[nd].addr = cq->buf_iova + off;
	cq->desc[nd].len = 1;
	cq->desc[nd].flags = TMMR_VRING_DESC_F_WRITE;
	cq->desc[nd].next = 0;

	cq->avail->ring[cq->avail_idx & (cq->num - 1)] = head;
	cq->avail_idx++;
	/* command, descriptors and ring entry before the index that exposes them */
	rte_io_wmb();
	*(volatile uint16_t *)&cq->avail->idx = cq->avail_idx;
	/* the index before the doorbell */
	rte_io_wmb();
	tmmr_doorbell_ring(&cq->doorbell);
	cq->commands++;

	ret = tmmr_ctrlq_wait(cq);
	if (ret != 0) {
		/* the command may still be in flight: never reuse the buffer */
		cq->broken = true;
		if (ret == -ETIMEDOUT)
			cq->timeouts++;
		cq->errors++;
		PMD_DRV_LOG(ERR, "%s: control command %u.%u: %s", cq->pci->name, class, cmd,
			    ret == -ETIMEDOUT ? "no completion in time" : "device gone");
		return ret;
	}
	used_now = tmmr_ctrlq_used_idx(cq);
	/* the used entry and the ack only after the index that covers them */
	rte_io_rmb();
	elem = cq->used->ring[cq->used_idx & (cq->num - 1)];
	if ((uint16_t)(used_now - cq->used_idx) != 1 || elem.id != head) {
		cq->broken = true;
		cq->errors++;
		PMD_DRV_LOG(ERR, "%s: control command %u.%u: bad completion (used idx +%u, id %u)",
			    cq->pci->name, class, cmd, (uint16_t)(used_now - cq->used_idx),
			    elem.id);
		return -EPROTO;
	}
	cq->used_idx = used_now;
	if (*ack != TMMR_NET_OK) {
		cq->errors++;
		PMD_DRV_LOG(ERR, "%s: control command %u.%u refused by the device (ack %u)",
			    cq->pci->name, class, cmd, *ack);
		return -EIO;
	}
	return 0;
}

int
tmmr_ctrlq_rx_mode(struct tmmr_ctrlq *cq, uint8_t cmd, bool on)
{
	uint8_t v = on ? 1 : 0;
	const void *data[1] = { &v };
	uint32_t len[1] = { sizeof(v) };

	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_RX, cmd, data, len, 1);
}

int
tmmr_ctrlq_mac_addr_set(struct tmmr_ctrlq *cq, const uint8_t mac[6])
{
	const void *data[1] = { mac };
	uint32_t len[1] = { 6 };

	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_ADDR_SET, data, len, 1);
}

int
tmmr_ctrlq_mac_table_set(struct tmmr_ctrlq *cq, const uint8_t (*uc)[6], uint32_t nb_uc,
			 const uint8_t (*mc)[6], uint32_t nb_mc)
{
	/* each table: le32 entries, then the addresses */
	uint8_t uc_tbl[4 + TMMR_NET_MAX_MAC_TABLE * 6];
	uint8_t mc_tbl[4 + TMMR_NET_MAX_MAC_TABLE * 6];
	const void *data[2] = { uc_tbl, mc_tbl };
	uint32_t len[2];

	if (nb_uc + nb_mc > TMMR_NET_MAX_MAC_TABLE)
		return -EINVAL;
	memcpy(uc_tbl, &nb_uc, 4);
	if (nb_uc > 0)
		memcpy(uc_tbl + 4, uc, nb_uc * 6);
	memcpy(mc_tbl, &nb_mc, 4);
	if (nb_mc > 0)
		memcpy(mc_tbl + 4, mc, nb_mc * 6);
	len[0] = 4 + nb_uc * 6;
	len[1] = 4 + nb_mc * 6;
	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, data, len, 2);
}

int
tmmr_ctrlq_vlan(struct tmmr_ctrlq *cq, uint16_t vid, bool add)
{
	const void *data[1] = { &vid };
	uint32_t len[1] = { sizeof(vid) };

	if (vid >= TMMR_NET_MAX_VLAN)
		return -EINVAL;
	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_VLAN,
			       add ? TMMR_NET_CTRL_VLAN_ADD : TMMR_NET_CTRL_VLAN_DEL, data, len, 1);
}

int
tmmr_ctrlq_mq_pairs_set(struct tmmr_ctrlq *cq, uint16_t pairs)
{
	const void *data[1] = { &pairs };
	uint32_t len[1] = { sizeof(pairs) };

	if (pairs < TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > TMMR_NET_CTRL_MQ_VQ_PAIRS_MAX)
		return -EINVAL;
	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, data, len, 1);
}

int
tmmr_ctrlq_announce_ack(struct tmmr_ctrlq *cq)
{
	return tmmr_ctrlq_send(cq, TMMR_NET_CTRL_ANNOUNCE, TMMR_NET_CTRL_ANNOUNCE_ACK,
			       NULL, NULL, 0);
}
