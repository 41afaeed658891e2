/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The legacy virtio register block at BAR0 + 0x1000. Registers are accessed
 * at their natural width and offset only; the device config window accepts
 * 1, 2 or 4 bytes anywhere inside it. Anything else is -EINVAL, which the
 * vfio-user server turns into an error reply.
 */

#include <errno.h>
#include <string.h>

#include "vfemu_dev.h"

static uint32_t
get_le(const void *buf, uint32_t count)
{
	const uint8_t *p = buf;
	uint32_t v = 0, i;

	for (i = 0; i < count; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void
put_le(void *buf, uint32_t v, uint32_t count)
{
	uint8_t *p = buf;
	uint32_t i;

	for (i = 0; i < count; i++)
		p[i] = v >> (8 * i);
}

static uint32_t
devcfg_base(const struct vfemu_dev *dev)
{
	return vfemu_dev_msix_on(dev) ? TMMR_LEG_DEVCFG_MSIX : TMMR_LEG_DEVCFG_NO_MSIX;
}

static void
net_config(const struct vfemu_dev *dev, uint8_t cfg[TMMR_NET_CFG_LEN])
{
	memcpy(&cfg[TMMR_NET_CFG_MAC], dev->mac, 6);
	put_le(&cfg[TMMR_NET_CFG_STATUS], dev->net_status, 2);
	put_le(&cfg[TMMR_NET_CFG_MAX_VQ_PAIRS], dev->max_pairs, 2);
	put_le(&cfg[TMMR_NET_CFG_MTU], dev->mtu, 2);
}

static void
latch_features(struct vfemu_dev *dev)
{
	/* the offer must not change under a driver that is negotiating */
	if (!dev->features_latched) {
		dev->host_features = vfemu_dev_offer(dev);
		dev->features_latched = true;
	}
}

static struct vfemu_queue *
selected(struct vfemu_dev *dev)
{
	return dev->queue_sel < dev->nb_queues ? &dev->q[dev->queue_sel] : NULL;
}

/* natural width of the register at @off, 0 if none (or device config) */
static uint32_t
reg_width(const struct vfemu_dev *dev, uint32_t off)
{
	switch (off) {
	case TMMR_LEG_DEVICE_FEATURES:
	case TMMR_LEG_DRIVER_FEATURES:
	case TMMR_LEG_QUEUE_PFN:
		return 4;
	case TMMR_LEG_QUEUE_SIZE:
	case TMMR_LEG_QUEUE_SEL:
	case TMMR_LEG_QUEUE_NOTIFY:
		return 2;
	case TMMR_LEG_STATUS:
	case TMMR_LEG_ISR:
		return 1;
	case TMMR_LEG_MSIX_CONFIG_VECTOR:
	case TMMR_LEG_MSIX_QUEUE_VECTOR:
		return vfemu_dev_msix_on(dev) ? 2 : 0;
	default:
		return 0;
	}
}

static bool
in_devcfg(const struct vfemu_dev *dev, uint32_t off, uint32_t count)
{
	uint32_t base = devcfg_base(dev);

	return (count == 1 || count == 2 || count == 4) && off >= base &&
	       off + count <= base + TMMR_NET_CFG_LEN;
}

int
vfemu_legacy_read(struct vfemu_dev *dev, uint32_t off, void *buf, uint32_t count)
{
	struct vfemu_queue *q = selected(dev);
	uint32_t w = reg_width(dev, off);
	uint32_t v = 0;

	if (w == 0) {
		uint8_t cfg[TMMR_NET_CFG_LEN];

		if (!in_devcfg(dev, off, count))
			return -EINVAL;
		net_config(dev, cfg);
		memcpy(buf, &cfg[off - devcfg_base(dev)], count);
		return 0;
	}
	if (count != w)
		return -EINVAL;
	switch (off) {
	case TMMR_LEG_DEVICE_FEATURES:
		latch_features(dev);
		v = dev->host_features;
		break;
	case TMMR_LEG_DRIVER_FEATURES:
		v = dev->guest_features;
		break;
	case TMMR_LEG_QUEUE_PFN:
		v = q != NULL ? q->pfn : 0;
		break;
	case TMMR_LEG_QUEUE_SIZE:
		v = q != NULL ? q->num : 0;
		break;
	case TMMR_LEG_QUEUE_SEL:
		v = dev->queue_sel;
		break;
	case TMMR_LEG_QUEUE_NOTIFY:
		v = 0;
		break;
	case TMMR_LEG_STATUS:
		v = dev->status;
		break;
	case TMMR_LEG_ISR:
		v = dev->isr;
		dev->isr = 0;	/* read clears, and deasserts INTx */
		break;
	case TMMR_LEG_MSIX_CONFIG_VECTOR:
		v = dev->config_vector;
		break;
	case TMMR_LEG_MSIX_QUEUE_VECTOR:
		v = q != NULL ? q->vector : TMMR_MSI_NO_VECTOR;
		break;
	}
	put_le(buf, v, count);
	return 0;
}

/* Every ring the driver gave a PFN lies in DMA memory; NEEDS_RESET otherwise. */
static bool
check_rings(struct vfemu_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->nb_queues; i++) {
		if (dev->q[i].pfn != 0 && !vfemu_dp_ring_ok(dev, i)) {
			vfemu_dev_needs_reset(dev, "ring outside DMA memory");
			return false;
		}
	}
	return true;
}

static void
write_status(struct vfemu_dev *dev, uint8_t val)
{
	uint8_t old = dev->status;

	if (val == 0) {
		vfemu_dev_reset(dev);
		return;
	}
	latch_features(dev);
	dev->status = val | (old & TMMR_STATUS_NEEDS_RESET);
	if (!(old & TMMR_STATUS_DRIVER_OK) && (val & TMMR_STATUS_DRIVER_OK)) {
		if (!check_rings(dev))
			return;
		vfemu_dp_start(dev);
		/* kicks that came before DRIVER_OK */
		vfemu_ctrlq_process(dev);
	} else if ((old & TMMR_STATUS_DRIVER_OK) && !(val & TMMR_STATUS_DRIVER_OK)) {
		vfemu_dp_stop(dev);
	}
}

static uint16_t
vector_or_none(const struct vfemu_dev *dev, uint32_t v)
{
	/* a vector the device cannot use reads back as NO_VECTOR */
	return v < (uint32_t)TMMR_MSIX_VECTORS(dev->max_pairs) ? v : TMMR_MSI_NO_VECTOR;
}

int
vfemu_legacy_write(struct vfemu_dev *dev, uint32_t off, const void *buf, uint32_t count)
{
	struct vfemu_queue *q = selected(dev);
	uint32_t w = reg_width(dev, off);
	uint32_t v;

	if (w == 0) {
		uint32_t rel, i;

		if (!in_devcfg(dev, off, count))
			return -EINVAL;
		/* only the MAC is writable in the legacy layout */
		rel = off - devcfg_base(dev);
		for (i = 0; i < count; i++)
			if (rel + i < TMMR_NET_CFG_MAC + 6)
				dev->mac[rel + i] = ((const uint8_t *)buf)[i];
		return 0;
	}
	if (count != w)
		return -EINVAL;
	v = get_le(buf, count);
	switch (off) {
	case TMMR_LEG_DRIVER_FEATURES:
		latch_features(dev);
		if (!(dev->status & TMMR_STATUS_DRIVER_OK))
			dev->guest_features = v & dev->host_features;
		break;
	case TMMR_LEG_QUEUE_PFN:
		if (q == NULL || (dev->status & TMMR_STATUS_DRIVER_OK))
			break;
		q->pfn = v;
		if (v != 0 && !vfemu_dp_ring_ok(dev, dev->queue_sel))
			vfemu_dev_needs_reset(dev, "ring outside DMA memory");
		break;
	case TMMR_LEG_QUEUE_SEL:
		dev->queue_sel = v;
		break;
	case TMMR_LEG_QUEUE_NOTIFY:
		vfemu_dev_kick(dev, v);
		break;
	case TMMR_LEG_STATUS:
		write_status(dev, v);
		break;
	case TMMR_LEG_MSIX_CONFIG_VECTOR:
		dev->config_vector = vector_or_none(dev, v);
		break;
	case TMMR_LEG_MSIX_QUEUE_VECTOR:
		if (q == NULL)
			break;
		q->vector = vector_or_none(dev, v);
		if (dev->dp_started)
			vfemu_dp_restart(dev);
		break;
	default:
		/* read-only registers: the write is ignored, as on hardware */
		break;
	}
	return 0;
}
