/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vfio-pci transport: the VF's BARs are mapped by DPDK's PCI bus, so
 * registers are plain MMIO, DMA goes through the IOMMU mappings the EAL
 * already maintains, and MSI-X goes through the EAL's vfio interrupt code.
 * The register accessors only need BAR addresses and lengths, so the unit
 * tests run them over ordinary memory (tmmr_pci_vfio_attach_mem).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <rte_bus_pci.h>
#include <rte_byteorder.h>
#include <rte_dev.h>
#include <rte_interrupts.h>
#include <rte_io.h>
#include <rte_errno.h>
#include <rte_vfio.h>
#include <bus_pci_driver.h>

#include "tmmr_pci_priv.h"
#include "tmmr_virtio_legacy.h"

#define NB_BARS 6

struct vfio_priv {
	uint8_t *bar[NB_BARS];
	uint64_t len[NB_BARS];
	bool we_mapped;		/* rte_pci_map_device was ours to undo */
	bool intr_on;
	bool ev_cb;		/* vfio_dev_event registered */
	bool gone;		/* vfio-pci asked for the device back (removal) */
};

static uint32_t
ones(unsigned int width)
{
	return width == 1 ? 0xff : width == 2 ? 0xffff : UINT32_MAX;
}

/* Address of an access, or NULL if it is outside the BAR or misaligned. */
static uint8_t *
mmio_addr(const struct vfio_priv *v, uint8_t bar, uint32_t off, unsigned int width)
{
	if (bar >= NB_BARS || v->bar[bar] == NULL)
		return NULL;
	if (width != 1 && width != 2 && width != 4)
		return NULL;
	if (off & (width - 1))
		return NULL;
	if ((uint64_t)off + width > v->len[bar])
		return NULL;
	return v->bar[bar] + off;
}

static uint32_t
vfio_bar_read(struct tmmr_pci *p, uint8_t bar, uint32_t off, unsigned int width)
{
	uint8_t *a = mmio_addr(p->priv, bar, off, width);

	if (a == NULL)
		return ones(width);
	switch (width) {
	case 1:
		return rte_read8(a);
	case 2:
		return rte_le_to_cpu_16(rte_read16(a));
	default:
		return rte_le_to_cpu_32(rte_read32(a));
	}
}

static void
vfio_bar_write(struct tmmr_pci *p, uint8_t bar, uint32_t off, uint32_t val,
	       unsigned int width)
{
	uint8_t *a = mmio_addr(p->priv, bar, off, width);

	if (a == NULL) {
		PCI_LOG(DEBUG, "%s: dropped write of %u bytes at BAR%u+0x%x", p->name, width,
			bar, off);
		return;
	}
	switch (width) {
	case 1:
		rte_write8((uint8_t)val, a);
		break;
	case 2:
		rte_write16(rte_cpu_to_le_16((uint16_t)val), a);
		break;
	default:
		rte_write32(rte_cpu_to_le_32(val), a);
		break;
	}
}

/* Queue @queue's doorbell in the notification area, or NULL if outside it. */
static volatile uint16_t *
doorbell_addr(struct tmmr_pci *p, uint16_t queue)
{
	const struct tmmr_mmr_layout *l = &p->layout;
	uint64_t off = (uint64_t)l->notify_off_multiplier * queue;

	if (!l->has_notify || off + sizeof(uint16_t) > l->notify_len)
		return NULL;
	off += l->notify_off;
	if (off > UINT32_MAX)
		return NULL;
	return (volatile uint16_t *)mmio_addr(p->priv, l->notify_bar, (uint32_t)off, 2);
}

static int
vfio_kick(struct tmmr_pci *p, uint16_t queue)
{
	volatile uint16_t *db = doorbell_addr(p, queue);

	if (db == NULL)
		return -ENOENT;
	rte_write16(rte_cpu_to_le_16(queue), db);
	return 0;
}

static void
vfio_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db)
{
	db->mmio = doorbell_addr(p, queue);
}

static int
vfio_cfg_read(struct tmmr_pci *p, void *buf, uint32_t len, uint32_t off)
{
	int ret;

	if (p->pci_dev == NULL)
		return -ENODEV;
	ret = rte_pci_read_config(p->pci_dev, buf, len, off);
	if (ret < 0)
		return ret;
	return (uint32_t)ret == len ? 0 : -EIO;
}

/* The EAL maps all its memory into the container's IOMMU already. */
static int
vfio_dma_setup(struct tmmr_pci *p)
{
	return 0;
}

static void
vfio_dma_teardown(struct tmmr_pci *p)
{
}

static void
vfio_intr_teardown(struct tmmr_pci *p)
{
	struct vfio_priv *v = p->priv;

	if (!v->intr_on)
		return;
	rte_intr_disable(p->intr_handle);
	rte_intr_efd_disable(p->intr_handle);
	v->intr_on = false;
	p->nb_vec = 0;
}

/*
 * The bus's handle is VFIO_MSIX: fd is vector 0, rte_intr_efd_enable makes
 * one eventfd per Rx vector, rte_intr_enable hands them all to vfio.
 */
static int
vfio_intr_setup(struct tmmr_pci *p, uint16_t nb_vec)
{
	struct vfio_priv *v = p->priv;
	int ret;

	vfio_intr_teardown(p);
	if (nb_vec == 0)
		return 0;
	if (p->intr_handle == NULL)
		return -ENOTSUP;
	if (nb_vec > 1) {
		ret = rte_intr_efd_enable(p->intr_handle, nb_vec - 1);
		if (ret != 0) {
			PCI_LOG(ERR, "%s: cannot create %u Rx interrupt eventfds", p->name,
				nb_vec - 1);
			return ret < 0 ? ret : -EIO;
		}
	}
	if (rte_intr_enable(p->intr_handle) != 0) {
		PCI_LOG(ERR, "%s: cannot enable %u MSI-X vectors", p->name, nb_vec);
		rte_intr_efd_disable(p->intr_handle);
		return -EIO;
	}
	v->intr_on = true;
	p->nb_vec = nb_vec;
	return 0;
}

/* A vDPA guest's memory, at its guest-physical address in the EAL's container. */
static int
vfio_ext_dma_map(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len, int fd,
		 uint64_t fd_off)
{
	RTE_SET_USED(fd);
	RTE_SET_USED(fd_off);
	if (rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD, va, iova, len) != 0) {
		PCI_LOG(ERR, "%s: IOMMU map of IOVA 0x%" PRIx64 " (%" PRIu64 " bytes) failed",
			p->name, iova, len);
		return rte_errno != 0 ? -rte_errno : -EIO;
	}
	return 0;
}

static int
vfio_ext_dma_unmap(struct tmmr_pci *p, uint64_t va, uint64_t iova, uint64_t len)
{
	if (rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD, va, iova, len) != 0) {
		PCI_LOG(WARNING, "%s: IOMMU unmap of IOVA 0x%" PRIx64 " failed", p->name, iova);
		return -EIO;
	}
	return 0;
}

/* VFIO_DEVICE_SET_IRQS on the MSI-X index with the caller's eventfds. */
static int
vfio_ext_irqs(struct tmmr_pci *p, const int *fds, uint16_t nb_vec)
{
	struct vfio_priv *v = p->priv;
	struct vfio_irq_set *set;
	size_t len = sizeof(*set) + (size_t)nb_vec * sizeof(int);
	int dev_fd, ret;

	if (v->intr_on)
		return -EBUSY;
	if (p->intr_handle == NULL)
		return -ENOTSUP;
	dev_fd = rte_intr_dev_fd_get(p->intr_handle);
	if (dev_fd < 0)
		return -ENOTSUP;
	set = calloc(1, len);
	if (set == NULL)
		return -ENOMEM;
	set->argsz = len;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = nb_vec;
	if (nb_vec == 0) {
		set->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	} else {
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		memcpy(set->data, fds, (size_t)nb_vec * sizeof(int));
	}
	ret = ioctl(dev_fd, VFIO_DEVICE_SET_IRQS, set);
	ret = ret != 0 ? -errno : 0;
	free(set);
	if (ret != 0)
		PCI_LOG(ERR, "%s: cannot wire %u MSI-X vectors to the caller's eventfds: %s",
			p->name, nb_vec, strerror(-ret));
	return ret;
}

static int
vfio_fn_reset(struct tmmr_pci *p)
{
	int fd;

	if (p->pci_dev == NULL || p->pci_dev->intr_handle == NULL)
		return -ENODEV;
	fd = rte_intr_dev_fd_get(p->pci_dev->intr_handle);
	if (fd < 0)
		return -ENODEV;
	if (ioctl(fd, VFIO_DEVICE_RESET) != 0) {
		PCI_LOG(ERR, "%s: VFIO_DEVICE_RESET failed: %s", p->name, strerror(errno));
		return -errno;
	}
	PCI_LOG(INFO, "%s: VFIO_DEVICE_RESET done", p->name);
	return 0;
}

static bool
vfio_alive(struct tmmr_pci *p)
{
	uint16_t vendor = 0xffff;

	if (__atomic_load_n(&((struct vfio_priv *)p->priv)->gone, __ATOMIC_ACQUIRE))
		return false;
	if (p->pci_dev == NULL)
		return true;
	if (rte_pci_read_config(p->pci_dev, &vendor, sizeof(vendor), 0) != sizeof(vendor))
		return false;
	return vendor != 0xffff;
}

/*
 * A hot unplug does not make the device unreadable: vfio-pci keeps it until the
 * process lets go, and asks for it through its request interrupt, which the EAL
 * turns into RTE_DEV_EVENT_REMOVE. Mark the device gone and fake a
 * configuration interrupt (vector 0's eventfd) so that the driver's check runs
 * now and reports the removal even without periodic polling.
 */
static void
vfio_dev_event(const char *name, enum rte_dev_event_type type, void *arg)
{
	struct tmmr_pci *p = arg;
	struct vfio_priv *v = p->priv;
	uint64_t one = 1;
	int fd;

	if (type != RTE_DEV_EVENT_REMOVE || v == NULL)
		return;
	PCI_LOG(ERR, "%s: vfio-pci requests the device back (removal)", name);
	__atomic_store_n(&v->gone, true, __ATOMIC_RELEASE);
	fd = p->intr_handle != NULL ? rte_intr_fd_get(p->intr_handle) : -1;
	if (v->intr_on && fd >= 0 && write(fd, &one, sizeof(one)) != sizeof(one))
		PCI_LOG(ERR, "%s: cannot signal the removal: %s", name, strerror(errno));
}

static void
vfio_close(struct tmmr_pci *p)
{
	struct vfio_priv *v = p->priv;

	if (v == NULL)
		return;
	if (v->ev_cb &&
	    rte_dev_event_callback_unregister(p->pci_dev->device.name, vfio_dev_event, p) >= 0)
		v->ev_cb = false;
	vfio_intr_teardown(p);
	if (v->we_mapped)
		rte_pci_unmap_device(p->pci_dev);
	free(v);
	p->priv = NULL;
}

static const struct tmmr_pci_ops vfio_ops = {
	.name = "vfio-pci",
	.cfg_read = vfio_cfg_read,
	.bar_read = vfio_bar_read,
	.bar_write = vfio_bar_write,
	.kick = vfio_kick,
	.doorbell = vfio_doorbell,
	.dma_setup = vfio_dma_setup,
	.dma_teardown = vfio_dma_teardown,
	.ext_dma_map = vfio_ext_dma_map,
	.ext_dma_unmap = vfio_ext_dma_unmap,
	.ext_irqs = vfio_ext_irqs,
	.intr_setup = vfio_intr_setup,
	.intr_teardown = vfio_intr_teardown,
	.fn_reset = vfio_fn_reset,
	.alive = vfio_alive,
	.close = vfio_close,
};

int
tmmr_pci_vfio_attach_mem(struct tmmr_pci *p, void *const bar_addr[6],
			 const uint64_t bar_len[6])
{
	struct vfio_priv *v = calloc(1, sizeof(*v));
	unsigned int i;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < NB_BARS; i++) {
		v->bar[i] = bar_addr[i];
		v->len[i] = bar_addr[i] != NULL ? bar_len[i] : 0;
		p->bar_len[i] = v->len[i];
	}
	p->priv = v;
	p->ops = &vfio_ops;
	return 0;
}

int
tmmr_pci_vfio_attach(struct tmmr_pci *p)
{
	struct rte_pci_device *dev = p->pci_dev;
	void *addr[NB_BARS];
	uint64_t len[NB_BARS];
	bool mapped = false;
	unsigned int i;
	int ret;

	/* a driver with RTE_PCI_DRV_NEED_MAPPING got its BARs mapped by the bus */
	for (i = 0; i < NB_BARS; i++)
		mapped |= dev->mem_resource[i].addr != NULL;
	if (!mapped) {
		ret = rte_pci_map_device(dev);
		if (ret != 0) {
			PCI_LOG(ERR, "%s: cannot map the BARs of a vfio-pci device", p->name);
			return ret < 0 ? ret : -EIO;
		}
	}
	for (i = 0; i < NB_BARS; i++) {
		addr[i] = dev->mem_resource[i].addr;
		len[i] = dev->mem_resource[i].len;
		if (addr[i] != NULL)
			PCI_LOG(INFO, "%s: BAR%u mapped, %" PRIu64 " bytes", p->name, i, len[i]);
	}
	ret = tmmr_pci_vfio_attach_mem(p, addr, len);
	if (ret != 0) {
		if (!mapped)
			rte_pci_unmap_device(dev);
		return ret;
	}
	((struct vfio_priv *)p->priv)->we_mapped = !mapped;
	p->intr_handle = dev->intr_handle;
	if (rte_dev_event_callback_register(dev->device.name, vfio_dev_event, p) == 0)
		((struct vfio_priv *)p->priv)->ev_cb = true;
	else
		PCI_LOG(WARNING, "%s: no removal notification", p->name);
	return 0;
}
