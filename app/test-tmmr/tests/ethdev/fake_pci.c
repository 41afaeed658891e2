/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "fake_pci.h"

static struct fake_dev *
fake_of(struct tmmr_pci *p)
{
	return container_of(p, struct fake_dev, pci);
}

static bool
fake_msix(const struct fake_dev *d)
{
	return d->pci.nb_vec > 0;
}

void *
fake_dma(struct fake_dev *d, uint64_t iova, uint64_t len)
{
	if (iova < d->dma_iova || len > d->dma_len || iova - d->dma_iova > d->dma_len - len) {
		d->dma_faults++;
		return NULL;
	}
	return d->dma_va + (iova - d->dma_iova);
}

static void
fake_ctrl_process(struct fake_dev *d)
{
	uint16_t num = d->qsize[d->ctrl_queue];
	uint8_t *ring = fake_dma(d, (uint64_t)d->pfn[d->ctrl_queue] << TMMR_LEG_PFN_SHIFT,
				 tmmr_vring_size(num));
	struct tmmr_vring_desc *desc = (struct tmmr_vring_desc *)ring;
	struct tmmr_vring_avail *avail = (struct tmmr_vring_avail *)(ring +
		tmmr_vring_avail_off(num));
	struct tmmr_vring_used *used = (struct tmmr_vring_used *)(ring +
		tmmr_vring_used_off(num));
	struct fake_ctrl_cmd *c = &d->last_cmd;

	if (ring == NULL)
		return;
	while (d->ctrl_last_avail != __atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE)) {
		uint16_t head = avail->ring[d->ctrl_last_avail & (num - 1)];
		uint16_t i = head, hops = 0;
		uint8_t *ack = NULL;

		memset(c, 0, sizeof(*c));
		for (;;) {
			uint8_t *buf = fake_dma(d, desc[i].addr, desc[i].len);

			if (buf == NULL)
				return;
			if (desc[i].flags & TMMR_VRING_DESC_F_WRITE) {
				c->nb_in++;
				ack = buf;
			} else if (c->nb_out++ == 0) {
				c->class = buf[0];
				c->cmd = buf[1];
			} else if (c->data_len + desc[i].len <= sizeof(c->data)) {
				memcpy(c->data + c->data_len, buf, desc[i].len);
				c->data_len += desc[i].len;
			}
			if (!(desc[i].flags & TMMR_VRING_DESC_F_NEXT) || ++hops >= num)
				break;
			i = desc[i].next;
		}
		d->ctrl_last_avail++;
		d->ctrl_cmds++;
		if (d->ctrl_mode == FAKE_CTRL_SILENT)
			continue;
		if (ack != NULL)
			*ack = d->ctrl_ack;
		used->ring[used->idx & (num - 1)].id = d->ctrl_mode == FAKE_CTRL_BAD_ID ?
			(uint32_t)head + 7 : head;
		used->ring[used->idx & (num - 1)].len = 1;
		__atomic_store_n(&used->idx, used->idx + (d->ctrl_mode == FAKE_CTRL_DOUBLE ? 2 : 1),
				 __ATOMIC_RELEASE);
	}
}

static uint32_t
fake_leg_read(struct fake_dev *d, uint32_t reg, unsigned int width)
{
	uint32_t cfg = fake_msix(d) ? TMMR_LEG_DEVCFG_MSIX : TMMR_LEG_DEVCFG_NO_MSIX;
	uint16_t q = d->qsel < FAKE_NB_QUEUES ? d->qsel : 0;
	uint32_t v = 0;

	if (reg >= cfg) {
		uint32_t off = reg - cfg, i;

		for (i = 0; i < width && off + i < sizeof(d->devcfg); i++)
			v |= (uint32_t)d->devcfg[off + i] << (8 * i);
		/* a config that changes under the reader: a new MAC at each full read */
		if (off <= 5 && off + width > 5 && d->mac_changes > 0) {
			d->mac_changes--;
			d->devcfg[5]++;
		}
		return v;
	}
	switch (reg) {
	case TMMR_LEG_DEVICE_FEATURES:
		return d->dev_features;
	case TMMR_LEG_DRIVER_FEATURES:
		return d->drv_features;
	case TMMR_LEG_QUEUE_PFN:
		return d->qsel < FAKE_NB_QUEUES ? d->pfn[q] : 0;
	case TMMR_LEG_QUEUE_SIZE:
		if (d->mq_late && d->qsel >= 2 &&
		    !(d->drv_features & (UINT32_C(1) << TMMR_NET_F_MQ)))
			return d->qsel == 2 ? 64 : 0;
		return d->qsel < FAKE_NB_QUEUES ? d->qsize[q] : 0;
	case TMMR_LEG_QUEUE_SEL:
		return d->qsel;
	case TMMR_LEG_STATUS:
		if (d->reset_stuck)
			return d->status_before_reset;
		if (d->reset_pending > 0) {
			d->reset_pending--;
			return d->status_before_reset;
		}
		return d->status;
	case TMMR_LEG_ISR:
		return 0;
	case TMMR_LEG_MSIX_CONFIG_VECTOR:
		return d->cfgvec;
	case TMMR_LEG_MSIX_QUEUE_VECTOR:
		return d->qvec[q];
	default:
		return 0;
	}
}

static void
fake_leg_write(struct fake_dev *d, uint32_t reg, uint32_t val, unsigned int width)
{
	uint32_t cfg = fake_msix(d) ? TMMR_LEG_DEVCFG_MSIX : TMMR_LEG_DEVCFG_NO_MSIX;
	uint16_t q = d->qsel < FAKE_NB_QUEUES ? d->qsel : 0;
	unsigned int i;

	if (reg >= cfg) {
		uint32_t off = reg - cfg;

		for (i = 0; i < width && off + i < sizeof(d->devcfg); i++)
			d->devcfg[off + i] = (uint8_t)(val >> (8 * i));
		return;
	}
	switch (reg) {
	case TMMR_LEG_DRIVER_FEATURES:
		d->drv_features = val;
		break;
	case TMMR_LEG_QUEUE_PFN:
		if (d->qsel < FAKE_NB_QUEUES && !d->pfn_ignored)
			d->pfn[q] = val;
		break;
	case TMMR_LEG_QUEUE_SEL:
		d->qsel = (uint16_t)val;
		break;
	case TMMR_LEG_QUEUE_NOTIFY:
		d->notifies++;
		if (val == d->ctrl_queue && d->pfn[d->ctrl_queue] != 0)
			fake_ctrl_process(d);
		break;
	case TMMR_LEG_STATUS:
		if (val == 0) {
			d->status_before_reset = d->status;
			d->reset_pending = d->reset_delay;
			d->status = 0;
			d->drv_features = 0;
			memset(d->pfn, 0, sizeof(d->pfn));
			d->cfgvec = TMMR_MSI_NO_VECTOR;
			for (i = 0; i < FAKE_NB_QUEUES; i++)
				d->qvec[i] = TMMR_MSI_NO_VECTOR;
			d->ctrl_last_avail = 0;
		} else {
			d->status = (uint8_t)val;
		}
		break;
	case TMMR_LEG_MSIX_CONFIG_VECTOR:
		d->cfgvec = d->vec_refuse || val >= d->pci.nb_vec ? TMMR_MSI_NO_VECTOR :
			(uint16_t)val;
		break;
	case TMMR_LEG_MSIX_QUEUE_VECTOR:
		d->qvec[q] = d->vec_refuse || val >= d->pci.nb_vec ? TMMR_MSI_NO_VECTOR :
			(uint16_t)val;
		break;
	default:
		break;
	}
}

static uint32_t
fake_bar_read(struct tmmr_pci *p, uint8_t bar, uint32_t off, unsigned int width)
{
	struct fake_dev *d = fake_of(p);

	d->reads++;
	if (d->gone)
		return width == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * width)) - 1;
	if (bar != p->layout.legacy_bar || off < p->layout.legacy_off ||
	    off >= p->layout.legacy_off + p->layout.legacy_len)
		return 0;
	return fake_leg_read(d, off - p->layout.legacy_off, width);
}

static void
fake_bar_write(struct tmmr_pci *p, uint8_t bar, uint32_t off, uint32_t val, unsigned int width)
{
	struct fake_dev *d = fake_of(p);

	d->writes++;
	if (d->gone)
		return;
	if (bar != p->layout.legacy_bar || off < p->layout.legacy_off ||
	    off >= p->layout.legacy_off + p->layout.legacy_len)
		return;
	fake_leg_write(d, off - p->layout.legacy_off, val, width);
}

/* Unless told it has doorbells, no notification area: kicks are QUEUE_NOTIFY writes. */
static int
fake_kick(struct tmmr_pci *p, uint16_t queue)
{
	struct fake_dev *d = fake_of(p);

	RTE_SET_USED(queue);
	if (!d->has_doorbells)
		return -ENOENT;
	d->kicks++;
	return 0;
}

static void
fake_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db)
{
	RTE_SET_USED(p);
	RTE_SET_USED(queue);
	RTE_SET_USED(db);
}

static int
fake_cfg_read(struct tmmr_pci *p, void *buf, uint32_t len, uint32_t off)
{
	RTE_SET_USED(p);
	RTE_SET_USED(buf);
	RTE_SET_USED(len);
	RTE_SET_USED(off);
	return -ENODEV;
}

/* The fake reads and writes test memory: nothing to map. */
static int
fake_dma_setup(struct tmmr_pci *p)
{
	RTE_SET_USED(p);
	return 0;
}

static void
fake_nop(struct tmmr_pci *p)
{
	RTE_SET_USED(p);
}

static int
fake_intr_setup(struct tmmr_pci *p, uint16_t nb_vec)
{
	if (nb_vec > p->layout.msix_table_size)
		return -EINVAL;
	p->nb_vec = nb_vec;
	return 0;
}

static void
fake_intr_teardown(struct tmmr_pci *p)
{
	p->nb_vec = 0;
}

static bool
fake_alive(struct tmmr_pci *p)
{
	return !fake_of(p)->gone;
}

/* A function-level reset: the device starts over, unless told it does not. */
static int
fake_fn_reset(struct tmmr_pci *p)
{
	struct fake_dev *d = fake_of(p);

	d->fn_resets++;
	if (d->fn_reset_fails)
		return -EIO;
	d->reset_stuck = false;
	d->reset_pending = 0;
	d->status = 0;
	d->drv_features = 0;
	memset(d->pfn, 0, sizeof(d->pfn));
	return 0;
}

static int
fake_ext_dma_map(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len, int fd,
		 uint64_t fd_off)
{
	RTE_SET_USED(p);
	RTE_SET_USED(va);
	RTE_SET_USED(iova);
	RTE_SET_USED(len);
	RTE_SET_USED(fd);
	RTE_SET_USED(fd_off);
	return -ENOTSUP;
}

static int
fake_ext_dma_unmap(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len)
{
	RTE_SET_USED(p);
	RTE_SET_USED(va);
	RTE_SET_USED(iova);
	RTE_SET_USED(len);
	return -ENOTSUP;
}

static int
fake_ext_irqs(struct tmmr_pci *p, const int *fds, uint16_t nb_vec)
{
	RTE_SET_USED(p);
	RTE_SET_USED(fds);
	RTE_SET_USED(nb_vec);
	return -ENOTSUP;
}

static const struct tmmr_pci_ops fake_ops = {
	.name = "fake",
	.cfg_read = fake_cfg_read,
	.bar_read = fake_bar_read,
	.bar_write = fake_bar_write,
	.kick = fake_kick,
	.doorbell = fake_doorbell,
	.dma_setup = fake_dma_setup,
	.dma_teardown = fake_nop,
	.ext_dma_map = fake_ext_dma_map,
	.ext_dma_unmap = fake_ext_dma_unmap,
	.ext_irqs = fake_ext_irqs,
	.close = fake_nop,
	.intr_setup = fake_intr_setup,
	.intr_teardown = fake_intr_teardown,
	.alive = fake_alive,
	.fn_reset = fake_fn_reset,
};

void
fake_dev_init(struct fake_dev *d, uint32_t features, uint16_t qsize)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->pci.ops = &fake_ops;
	d->pci.layout.legacy_bar = 0;
	d->pci.layout.legacy_off = TMMR_BAR0_LEGACY_OFF;
	d->pci.layout.legacy_len = TMMR_BAR0_LEGACY_LEN;
	d->pci.layout.has_msix = 1;
	d->pci.layout.msix_table_size = TMMR_MSIX_VECTORS(TMMR_MAX_QUEUE_PAIRS);
	snprintf(d->pci.name, sizeof(d->pci.name), "fake");
	d->dev_features = features;
	for (i = 0; i < FAKE_NB_QUEUES; i++) {
		d->qsize[i] = qsize;
		d->qvec[i] = TMMR_MSI_NO_VECTOR;
	}
	d->cfgvec = TMMR_MSI_NO_VECTOR;
	d->ctrl_queue = 2;
	d->ctrl_ack = TMMR_NET_OK;
}
