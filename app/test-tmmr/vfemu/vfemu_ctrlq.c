/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Device side of the virtio-net control virtqueue. Everything the driver
 * wrote is untrusted: every index, chain, address and length is checked
 * before use; a bad request gets an ERR ack (or, when there is nowhere to
 * write one, a zero-length used entry) and is counted, never a crash.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vfemu_dev.h"

#define CTRL_MAX_OUT		4096	/* bytes of command we look at */
#define CTRL_MAX_INDIRECT	1024	/* entries in one indirect table */

struct ctrl_req {
	uint8_t out[CTRL_MAX_OUT];
	uint32_t out_len;
	uint64_t ack_iova;	/* first writable byte */
	bool has_ack;
	bool seen_in;
};

static bool
feature(const struct vfemu_dev *dev, unsigned int bit)
{
	return (dev->guest_features & (1u << bit)) != 0;
}

/* one buffer of the chain; false if the request is malformed */
static bool
add_segment(const struct vfemu_dev *dev, struct ctrl_req *req, const struct tmmr_vring_desc *d)
{
	if (d->len == 0 || !vfemu_dma_covered(&dev->dma, d->addr, d->len))
		return false;
	if (d->flags & TMMR_VRING_DESC_F_WRITE) {
		if (!req->seen_in) {
			req->ack_iova = d->addr;
			req->has_ack = true;
		}
		req->seen_in = true;
		return true;
	}
	/* device-readable buffers must all come before the writable ones */
	if (req->seen_in || d->len > CTRL_MAX_OUT - req->out_len)
		return false;
	if (vfemu_dma_read(&dev->dma, d->addr, &req->out[req->out_len], d->len) < 0)
		return false;
	req->out_len += d->len;
	return true;
}

static bool
walk_indirect(const struct vfemu_dev *dev, struct ctrl_req *req, const struct tmmr_vring_desc *t)
{
	uint32_t n = t->len / sizeof(struct tmmr_vring_desc);
	uint32_t i = 0, steps = 0;

	if (!feature(dev, TMMR_RING_F_INDIRECT_DESC) || t->len % sizeof(struct tmmr_vring_desc) ||
	    n == 0 || n > CTRL_MAX_INDIRECT || (t->flags & TMMR_VRING_DESC_F_NEXT) ||
	    !vfemu_dma_covered(&dev->dma, t->addr, t->len))
		return false;
	for (;;) {
		struct tmmr_vring_desc d;

		if (i >= n || ++steps > n)
			return false;	/* out of the table, or a loop */
		if (vfemu_dma_read(&dev->dma, t->addr + (uint64_t)i * sizeof(d), &d, sizeof(d)) < 0)
			return false;
		if (d.flags & TMMR_VRING_DESC_F_INDIRECT)
			return false;	/* no nesting */
		if (!add_segment(dev, req, &d))
			return false;
		if (!(d.flags & TMMR_VRING_DESC_F_NEXT))
			return true;
		i = d.next;
	}
}

static bool
walk_chain(const struct vfemu_dev *dev, uint64_t desc_base, uint16_t num, uint16_t head,
	   struct ctrl_req *req)
{
	uint32_t i = head, steps = 0;

	for (;;) {
		struct tmmr_vring_desc d;
		uint64_t at = desc_base + (uint64_t)i * sizeof(d);

		if (i >= num || ++steps > num)
			return false;
		if (vfemu_dma_read(&dev->dma, at, &d, sizeof(d)) < 0)
			return false;
		if (d.flags & TMMR_VRING_DESC_F_INDIRECT) {
			if (steps != 1 || !walk_indirect(dev, req, &d))
				return false;
			return true;
		}
		if (!add_segment(dev, req, &d))
			return false;
		if (!(d.flags & TMMR_VRING_DESC_F_NEXT))
			return true;
		i = d.next;
	}
}

static uint16_t
le16(const uint8_t *p)
{
	return p[0] | (uint16_t)(p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return le16(p) | ((uint32_t)le16(p + 2) << 16);
}

static uint8_t
cmd_rx(struct vfemu_dev *dev, uint8_t cmd, const uint8_t *data, uint32_t len)
{
	if (!feature(dev, TMMR_NET_F_CTRL_RX) || len != 1)
		return TMMR_NET_ERR;
	if (cmd == TMMR_NET_CTRL_RX_PROMISC)
		dev->promisc = data[0] != 0;
	else if (cmd == TMMR_NET_CTRL_RX_ALLMULTI)
		dev->allmulti = data[0] != 0;
	else
		return TMMR_NET_ERR;
	return TMMR_NET_OK;
}

static uint8_t
cmd_mac(struct vfemu_dev *dev, uint8_t cmd, const uint8_t *data, uint32_t len)
{
	uint32_t uc, mc;

	if (cmd == TMMR_NET_CTRL_MAC_ADDR_SET) {
		if (!feature(dev, TMMR_NET_F_CTRL_MAC_ADDR) || len != 6)
			return TMMR_NET_ERR;
		memcpy(dev->mac, data, 6);
		return TMMR_NET_OK;
	}
	if (cmd != TMMR_NET_CTRL_MAC_TABLE_SET || !feature(dev, TMMR_NET_F_CTRL_RX))
		return TMMR_NET_ERR;
	/* two tables: le32 entries, then entries * 6 bytes */
	if (len < 4)
		return TMMR_NET_ERR;
	uc = le32(data);
	if (uc > TMMR_NET_MAX_MAC_TABLE || len < 4 + uc * 6 + 4)
		return TMMR_NET_ERR;
	mc = le32(data + 4 + uc * 6);
	if (mc > TMMR_NET_MAX_MAC_TABLE - uc || len != 4 + uc * 6 + 4 + mc * 6)
		return TMMR_NET_ERR;
	memcpy(dev->mac_table[0], data + 4, uc * 6);
	memcpy(dev->mac_table[uc], data + 4 + uc * 6 + 4, mc * 6);
	dev->nb_uc = uc;
	dev->nb_mc = mc;
	return TMMR_NET_OK;
}

static uint8_t
cmd_vlan(struct vfemu_dev *dev, uint8_t cmd, const uint8_t *data, uint32_t len)
{
	uint16_t vid;

	if (!feature(dev, TMMR_NET_F_CTRL_VLAN) || len != 2)
		return TMMR_NET_ERR;
	vid = le16(data);
	if (vid >= TMMR_NET_MAX_VLAN)
		return TMMR_NET_ERR;
	if (cmd == TMMR_NET_CTRL_VLAN_ADD)
		dev->vlans[vid / 8] |= 1u << (vid % 8);
	else if (cmd == TMMR_NET_CTRL_VLAN_DEL)
		dev->vlans[vid / 8] &= ~(1u << (vid % 8));
	else
		return TMMR_NET_ERR;
	return TMMR_NET_OK;
}

static uint8_t
cmd_mq(struct vfemu_dev *dev, uint8_t cmd, const uint8_t *data, uint32_t len)
{
	uint16_t pairs;

	if (!feature(dev, TMMR_NET_F_MQ) || cmd != TMMR_NET_CTRL_MQ_VQ_PAIRS_SET || len != 2)
		return TMMR_NET_ERR;
	pairs = le16(data);
	if (pairs < TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > dev->max_pairs)
		return TMMR_NET_ERR;
	vfemu_dp_set_pairs(dev, pairs);
	return TMMR_NET_OK;
}

static uint8_t
execute(struct vfemu_dev *dev, const struct ctrl_req *req)
{
	const uint8_t *data = req->out + 2;
	uint32_t len = req->out_len - 2;

	if (req->out_len < 2)
		return TMMR_NET_ERR;
	switch (req->out[0]) {
	case TMMR_NET_CTRL_RX:
		return cmd_rx(dev, req->out[1], data, len);
	case TMMR_NET_CTRL_MAC:
		return cmd_mac(dev, req->out[1], data, len);
	case TMMR_NET_CTRL_VLAN:
		return cmd_vlan(dev, req->out[1], data, len);
	case TMMR_NET_CTRL_ANNOUNCE:
		if (!feature(dev, TMMR_NET_F_GUEST_ANNOUNCE) ||
		    req->out[1] != TMMR_NET_CTRL_ANNOUNCE_ACK || len != 0)
			return TMMR_NET_ERR;
		dev->net_status &= ~TMMR_NET_S_ANNOUNCE;
		return TMMR_NET_OK;
	case TMMR_NET_CTRL_MQ:
		return cmd_mq(dev, req->out[1], data, len);
	default:
		return TMMR_NET_ERR;
	}
}

/* with EVENT_IDX: interrupt only if the driver's used_event was crossed */
static bool
want_irq(const struct vfemu_dev *dev, uint64_t avail, uint16_t num, uint16_t old, uint16_t new)
{
	uint16_t flags = 0, event = 0;

	if (feature(dev, TMMR_RING_F_EVENT_IDX)) {
		if (vfemu_dma_read(&dev->dma, avail + 4 + 2ull * num, &event, 2) < 0)
			return true;
		return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	}
	vfemu_dma_read(&dev->dma, avail, &flags, 2);
	return !(flags & TMMR_VRING_AVAIL_F_NO_INTERRUPT);
}

void
vfemu_ctrlq_process(struct vfemu_dev *dev)
{
	uint16_t qi = dev->nb_queues - 1;
	struct vfemu_queue *q = &dev->q[qi];
	uint64_t desc, avail, used;
	uint16_t avail_idx, used_idx, old_used;
	unsigned int done = 0;
	struct ctrl_req *req;

	if (!(dev->status & TMMR_STATUS_DRIVER_OK) || (dev->status & TMMR_STATUS_NEEDS_RESET) ||
	    !vfemu_dp_ring_ok(dev, qi))
		return;
	desc = (uint64_t)q->pfn << TMMR_LEG_PFN_SHIFT;
	avail = desc + tmmr_vring_avail_off(q->num);
	used = desc + tmmr_vring_used_off(q->num);
	if (vfemu_dma_read(&dev->dma, avail + 2, &avail_idx, 2) < 0 ||
	    vfemu_dma_read(&dev->dma, used + 2, &used_idx, 2) < 0)
		return;
	if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
		/* the driver claims more new entries than the ring holds */
		dev->ctrl_errors++;
		q->last_avail = avail_idx;
		return;
	}
	req = malloc(sizeof(*req));
	if (req == NULL)
		return;
	old_used = used_idx;
	while (q->last_avail != avail_idx) {
		struct tmmr_vring_used_elem elem = { 0, 0 };
		uint16_t head = UINT16_MAX;
		uint8_t ack = TMMR_NET_ERR;

		vfemu_dma_read(&dev->dma, avail + 4 + 2ull * (q->last_avail % q->num), &head, 2);
		q->last_avail++;
		req->out_len = 0;
		req->has_ack = false;
		req->seen_in = false;
		if (head >= q->num) {
			/* no descriptor to give back: skip it */
			dev->ctrl_errors++;
			continue;
		}
		if (walk_chain(dev, desc, q->num, head, req) && req->has_ack)
			ack = execute(dev, req);
		if (ack == TMMR_NET_OK)
			dev->ctrl_ok++;
		else
			dev->ctrl_errors++;
		elem.id = head;
		if (req->has_ack && vfemu_dma_write(&dev->dma, req->ack_iova, &ack, 1) == 0)
			elem.len = 1;
		vfemu_dma_write(&dev->dma, used + 4 + 8ull * (used_idx % q->num), &elem,
				sizeof(elem));
		used_idx++;
		done++;
	}
	free(req);
	/* with EVENT_IDX the driver kicks only when it passes avail_event */
	if (feature(dev, TMMR_RING_F_EVENT_IDX))
		vfemu_dma_write(&dev->dma, used + 4 + 8ull * q->num, &q->last_avail, 2);
	if (done == 0)
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vfemu_dma_write(&dev->dma, used + 2, &used_idx, 2);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (want_irq(dev, avail, q->num, old_used, used_idx))
		vfemu_dev_queue_irq(dev, qi);
}
