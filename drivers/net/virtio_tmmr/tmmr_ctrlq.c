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
	size_t ring_len;
	int ret;

	if (num < TMMR_CTRLQ_DESCS || !rte_is_power_of_2(num) || mem == NULL ||
	    ((uintptr_t)mem & (TMMR_LEG_RING_ALIGN - 1)) != 0 || len < tmmr_ctrlq_mem_size(num))
		return -EINVAL;

	ring_len = RTE_ALIGN_CEIL(tmmr_vring_size(num), TMMR_LEG_RING_ALIGN);
	memset(mem, 0, tmmr_ctrlq_mem_size(num));
	memset(cq, 0, sizeof(*cq));
	/*
	 * Polled: the ring's interrupts stay suppressed (the attach does that)
	 * and every command is kicked, whatever the device's suppression says.
	 */
	ret = tmmr_vq_attach(&cq->vq, queue, num, mem, iova, false);
	if (ret != 0)
		return ret;
	tmmr_leg_doorbell(p, queue, &cq->vq.doorbell);
	cq->vq.has_doorbell = true;
	cq->pci = p;
	cq->buf = (uint8_t *)mem + ring_len;
	cq->buf_iova = iova + ring_len;
	cq->timeout_ms = TMMR_CTRLQ_TIMEOUT_MS;
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
 * Wait until the device published a used entry: 0, -ETIMEDOUT, -ENODEV, or
 * -EPROTO if the used index jumped past the one command in flight (the ring
 * code marks the queue broken).
 */
static int
tmmr_ctrlq_wait(struct tmmr_ctrlq *cq)
{
	uint64_t deadline = tmmr_ctrlq_now_us() + (uint64_t)cq->timeout_ms * 1000;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 10000 };
	unsigned int spins = 0;

	while (tmmr_vq_used_pending(&cq->vq) == 0) {
		if (cq->vq.broken)
			return -EPROTO;
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
	struct tmmr_vq *vq = cq != NULL ? &cq->vq : NULL;
	struct tmmr_vring_desc *desc;
	volatile uint8_t *ack;
	struct tmmr_ctrl_hdr *hdr;
	uint32_t off, total = 0;
	uint16_t head = 0;
	struct tmmr_vring_used_elem elem;
	unsigned int i, nd = 0;
	int ret;

	if (vq == NULL || vq->desc == NULL || nb_data > TMMR_CTRLQ_MAX_DATA)
		return -EINVAL;
	for (i = 0; i < nb_data; i++)
		total += RTE_ALIGN_CEIL(len[i], 8);
	if (total + 16 + 8 > TMMR_CTRLQ_BUF_SIZE)
		return -EINVAL;
	if (vq->broken)
		return -EIO;
	desc = vq->desc;

	/* buffer: header at 0, data from 16, ack after the data */
	hdr = (struct tmmr_ctrl_hdr *)cq->buf;
	hdr->class = class;
	hdr->cmd = cmd;
	desc[nd].addr = cq->buf_iova;
	desc[nd].len = sizeof(*hdr);
	desc[nd].flags = TMMR_VRING_DESC_F_NEXT;
	desc[nd].next = nd + 1;
	nd++;
	off = 16;
	for (i = 0; i < nb_data; i++) {
		memcpy(cq->buf + off, data[i], len[i]);
		desc[nd].addr = cq->buf_iova + off;
		desc[nd].len = len[i];
		desc[nd].flags = TMMR_VRING_DESC_F_NEXT;
		desc[nd].next = nd + 1;
		nd++;
		off += RTE_ALIGN_CEIL(len[i], 8);
	}
	ack = cq->buf + off;
	*ack = 0xff;	/* a device that never writes the ack has not acked */
	desc[nd].addr = cq->buf_iova + off;
	desc[nd].len = 1;
	desc[nd].flags = TMMR_VRING_DESC_F_WRITE;
	desc[nd].next = 0;

	vq->avail->ring[vq->avail_shadow & vq->mask] = head;
	vq->avail_shadow++;
	vq->in_flight++;
	tmmr_vq_publish(vq);
	/* the index before the doorbell; always kicked (see tmmr_ctrlq_init) */
	rte_io_wmb();
	tmmr_doorbell_ring(&vq->doorbell);
	vq->stats.doorbells++;
	cq->commands++;

	ret = tmmr_ctrlq_wait(cq);
	if (ret == -EPROTO) {
		cq->errors++;
		TMMR_LOG(driver, ERR, cq->pci, "control command %u.%u: bad completion (used idx +%u)",
			 class, cmd, (uint16_t)(vq->used->idx - vq->used_cons));
		return ret;
	}
	if (ret != 0) {
		/* the command may still be in flight: never reuse the buffer */
		vq->broken = true;
		if (ret == -ETIMEDOUT)
			cq->timeouts++;
		cq->errors++;
		TMMR_LOG(driver, ERR, cq->pci, "control command %u.%u: %s", class, cmd,
			 ret == -ETIMEDOUT ? "no completion in time" : "device gone");
		return ret;
	}
	/* tmmr_vq_used_pending ordered the entry and the ack after the index */
	elem = vq->used->ring[vq->used_cons & vq->mask];
	if (elem.id != head) {
		vq->broken = true;
		vq->stats.bad_used_id++;
		cq->errors++;
		TMMR_LOG(driver, ERR, cq->pci, "control command %u.%u: bad completion (used id %u)",
			 class, cmd, elem.id);
		return -EPROTO;
	}
	vq->used_cons++;
	vq->in_flight--;
	if (*ack != TMMR_NET_OK) {
		cq->errors++;
		TMMR_LOG(driver, ERR, cq->pci, "control command %u.%u refused by the device (ack %u)",
			 class, cmd, *ack);
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
