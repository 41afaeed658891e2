/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tmmr_vfio_user.h"
#include "vfemu_dev.h"

static void
signal_fd(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	if (fd < 0)
		return;
	r = write(fd, &one, sizeof(one));
	(void)r;	/* EAGAIN: the counter is saturated, the event is pending anyway */
}

static void
ctrlq_kicked(void *opaque, int fd, uint32_t events)
{
	struct vfemu_dev *dev = opaque;
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));

	(void)r;
	(void)events;
	dev->kicks++;
	if (dev->status & TMMR_STATUS_DRIVER_OK)
		vfemu_ctrlq_process(dev);
}

static void
backend_connection(void *opaque, bool connected)
{
	struct vfemu_dev *dev = opaque;

	if (!connected) {
		/* the frontend forgot the rings with the connection */
		dev->dp_started = false;
		dev->rings_started = 0;
	}
	vfemu_dev_update_link(dev);
	if (connected && (dev->status & TMMR_STATUS_DRIVER_OK) &&
	    !(dev->status & TMMR_STATUS_NEEDS_RESET))
		vfemu_dp_start(dev);
}

static const struct vfemu_vhost_ops backend_ops = {
	.connection = backend_connection,
};

int
vfemu_dev_init(struct vfemu_dev *dev, struct vfemu_loop *loop, const struct vfemu_dev_params *p)
{
	unsigned int i;
	int rc;

	memset(dev, 0, sizeof(*dev));
	dev->loop = loop;
	dev->index = p->index;
	dev->max_pairs = p->max_pairs;
	dev->nb_queues = 2 * p->max_pairs + 1;
	dev->intx_fd = -1;
	for (i = 0; i < VFEMU_MAX_VECTORS; i++)
		dev->msix_fd[i] = -1;
	for (i = 0; i < VFEMU_MAX_QUEUES; i++)
		dev->q[i].kick_fd = -1;
	vfemu_cfg_init_vf(&dev->cfg, p->max_pairs, p->bar0);
	vfemu_dma_init(&dev->dma);
	memcpy(dev->default_mac, p->mac, 6);
	dev->mtu = p->mtu;
	for (i = 0; i < dev->nb_queues; i++) {
		dev->q[i].num = i == dev->nb_queues - 1u ? VFEMU_CTRLQ_SIZE : p->queue_size;
		dev->q[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->q[i].kick_fd < 0) {
			rc = -errno;
			goto fail;
		}
	}
	rc = vfemu_loop_add(loop, dev->q[dev->nb_queues - 1].kick_fd, EPOLLIN, ctrlq_kicked, dev);
	if (rc < 0)
		goto fail;
	vfemu_dev_reset(dev);
	if (p->backend_path != NULL) {
		dev->vh = vfemu_vhost_create(loop, p->backend_path, p->backend_server,
					     &backend_ops, dev);
		if (dev->vh == NULL) {
			rc = -ENOMEM;
			vfemu_loop_del(loop, dev->q[dev->nb_queues - 1].kick_fd);
			goto fail;
		}
		/* before any backend connects: the first try is on a loop tick */
		vfemu_vhost_set_mtu(dev->vh, dev->mtu);
	}
	vfemu_dev_update_link(dev);
	return 0;
fail:
	for (i = 0; i < dev->nb_queues; i++)
		if (dev->q[i].kick_fd >= 0)
			close(dev->q[i].kick_fd);
	return rc;
}

static void
close_irqs(struct vfemu_dev *dev, uint32_t index)
{
	unsigned int i;

	if (index == TMMR_VFU_IRQ_INTX) {
		if (dev->intx_fd >= 0)
			close(dev->intx_fd);
		dev->intx_fd = -1;
		return;
	}
	for (i = 0; i < VFEMU_MAX_VECTORS; i++) {
		if (dev->msix_fd[i] >= 0)
			close(dev->msix_fd[i]);
		dev->msix_fd[i] = -1;
	}
	dev->nb_msix_fds = 0;
	vfemu_cfg_set_msix_enable(&dev->cfg, false);
}

void
vfemu_dev_fini(struct vfemu_dev *dev)
{
	unsigned int i;

	if (dev->vh != NULL) {
		vfemu_vhost_destroy(dev->vh);
		dev->vh = NULL;
	}
	vfemu_loop_del(dev->loop, dev->q[dev->nb_queues - 1].kick_fd);
	for (i = 0; i < dev->nb_queues; i++) {
		close(dev->q[i].kick_fd);
		dev->q[i].kick_fd = -1;
	}
	close_irqs(dev, TMMR_VFU_IRQ_INTX);
	close_irqs(dev, TMMR_VFU_IRQ_MSIX);
	vfemu_dma_clear(&dev->dma);
}

void
vfemu_dev_reset(struct vfemu_dev *dev)
{
	unsigned int i;

	vfemu_dp_stop(dev);
	for (i = 0; i < dev->nb_queues; i++) {
		dev->q[i].pfn = 0;
		dev->q[i].vector = TMMR_MSI_NO_VECTOR;
		dev->q[i].last_avail = 0;
	}
	dev->features_latched = false;
	dev->host_features = 0;
	dev->guest_features = 0;
	dev->queue_sel = 0;
	dev->status = 0;
	dev->isr = 0;
	dev->config_vector = TMMR_MSI_NO_VECTOR;
	memcpy(dev->mac, dev->default_mac, 6);
	dev->net_status &= TMMR_NET_S_LINK_UP;
	/* as QEMU's virtio-net: receive everything until the driver says otherwise */
	dev->promisc = true;
	dev->allmulti = false;
	dev->nb_uc = 0;
	dev->nb_mc = 0;
	memset(dev->vlans, 0, sizeof(dev->vlans));
	dev->pairs = 1;
}

void
vfemu_dev_function_reset(struct vfemu_dev *dev)
{
	vfemu_dev_reset(dev);
	memset(dev->msix_table, 0, sizeof(dev->msix_table));
	memset(dev->msix_pending, 0, sizeof(dev->msix_pending));
	vfemu_cfg_reset(&dev->cfg);
	/* as vfio-pci: the interrupt fds stay set, and so does MSI-X */
	vfemu_cfg_set_msix_enable(&dev->cfg, vfemu_dev_msix_on(dev));
}

void
vfemu_dev_disconnect(struct vfemu_dev *dev)
{
	close_irqs(dev, TMMR_VFU_IRQ_INTX);
	close_irqs(dev, TMMR_VFU_IRQ_MSIX);
	vfemu_dev_function_reset(dev);
	vfemu_dma_clear(&dev->dma);
	vfemu_vhost_new_session(dev->vh);
}

bool
vfemu_dev_msix_on(const struct vfemu_dev *dev)
{
	return dev->nb_msix_fds > 0;
}

static uint16_t
nb_vectors(const struct vfemu_dev *dev)
{
	return TMMR_MSIX_VECTORS(dev->max_pairs);
}

static bool
vector_masked(const struct vfemu_dev *dev, uint16_t v)
{
	return vfemu_cfg_msix_masked(&dev->cfg) ||
	       (dev->msix_table[v * VFEMU_MSIX_ENTRY_SIZE + 12] & 1);
}

void
vfemu_dev_signal_vector(struct vfemu_dev *dev, uint16_t v)
{
	if (v >= nb_vectors(dev))
		return;
	if (vector_masked(dev, v)) {
		dev->msix_pending[v / 8] |= 1u << (v % 8);
		return;
	}
	signal_fd(dev->msix_fd[v]);
}

void
vfemu_dev_msix_unmasked(struct vfemu_dev *dev)
{
	uint16_t v;

	for (v = 0; v < nb_vectors(dev); v++) {
		if ((dev->msix_pending[v / 8] & (1u << (v % 8))) && !vector_masked(dev, v)) {
			dev->msix_pending[v / 8] &= ~(1u << (v % 8));
			signal_fd(dev->msix_fd[v]);
		}
	}
}

void
vfemu_dev_config_irq(struct vfemu_dev *dev)
{
	dev->isr |= TMMR_ISR_CONFIG;
	dev->config_irqs++;
	if (vfemu_dev_msix_on(dev)) {
		if (dev->config_vector != TMMR_MSI_NO_VECTOR)
			vfemu_dev_signal_vector(dev, dev->config_vector);
	} else {
		signal_fd(dev->intx_fd);
	}
}

void
vfemu_dev_queue_irq(struct vfemu_dev *dev, uint16_t q)
{
	dev->isr |= TMMR_ISR_QUEUE;
	dev->queue_irqs++;
	if (vfemu_dev_msix_on(dev)) {
		if (dev->q[q].vector != TMMR_MSI_NO_VECTOR)
			vfemu_dev_signal_vector(dev, dev->q[q].vector);
	} else {
		signal_fd(dev->intx_fd);
	}
}

void
vfemu_dev_needs_reset(struct vfemu_dev *dev, const char *why)
{
	if (dev->status & TMMR_STATUS_NEEDS_RESET)
		return;
	fprintf(stderr, "vfemu: VF %u: device needs reset: %s\n", dev->index, why);
	dev->status |= TMMR_STATUS_NEEDS_RESET;
	vfemu_dp_stop(dev);
	vfemu_dev_config_irq(dev);
}

void
vfemu_dev_update_link(struct vfemu_dev *dev)
{
	bool up = vfemu_vhost_link(dev->vh) && !dev->link_forced_down;
	bool was = (dev->net_status & TMMR_NET_S_LINK_UP) != 0;

	if (up == was)
		return;
	if (up)
		dev->net_status |= TMMR_NET_S_LINK_UP;
	else
		dev->net_status &= ~TMMR_NET_S_LINK_UP;
	vfemu_dev_config_irq(dev);
}

void
vfemu_dev_force_link(struct vfemu_dev *dev, bool down)
{
	dev->link_forced_down = down;
	vfemu_dev_update_link(dev);
}

int
vfemu_dev_announce(struct vfemu_dev *dev)
{
	if (!(dev->guest_features & (1u << TMMR_NET_F_GUEST_ANNOUNCE)) ||
	    !(dev->status & TMMR_STATUS_DRIVER_OK))
		return -ENOTSUP;
	dev->net_status |= TMMR_NET_S_ANNOUNCE;
	vfemu_dev_config_irq(dev);
	return 0;
}

uint32_t
vfemu_dev_offer(const struct vfemu_dev *dev)
{
	uint32_t f = VFEMU_FEATURES_CTRL | VFEMU_FEATURES_DATA;

	if (dev->max_pairs > 1)
		f |= 1u << TMMR_NET_F_MQ;
	/* data-path bits only as far as the backend implements them */
	if (dev->vh != NULL && vfemu_vhost_connected(dev->vh))
		f &= ~VFEMU_FEATURES_DATA |
		     (uint32_t)vfemu_vhost_backend_features(dev->vh);
	return f;
}

/* ---- region access ---- */

static int
notify_write(struct vfemu_dev *dev, uint64_t off, const void *buf, uint32_t count)
{
	uint16_t q = off / TMMR_NOTIFY_OFF_MULTIPLIER;

	if (count != 2 || off % TMMR_NOTIFY_OFF_MULTIPLIER != 0 || q >= dev->nb_queues)
		return -EINVAL;
	(void)buf;
	vfemu_dev_kick(dev, q);
	return 0;
}

static int
msix_access(struct vfemu_dev *dev, uint64_t off, void *buf, uint32_t count, bool write)
{
	uint64_t tsize = (uint64_t)nb_vectors(dev) * VFEMU_MSIX_ENTRY_SIZE;

	if ((count != 4 && count != 8) || off % count != 0)
		return -EINVAL;
	if (off >= TMMR_BAR0_MSIX_PBA_OFF - TMMR_BAR0_MSIX_TABLE_OFF) {
		uint64_t poff = off - (TMMR_BAR0_MSIX_PBA_OFF - TMMR_BAR0_MSIX_TABLE_OFF);

		/* the PBA is read-only */
		if (write)
			return 0;
		memset(buf, 0, count);
		if (poff < sizeof(dev->msix_pending))
			memcpy(buf, &dev->msix_pending[poff],
			       sizeof(dev->msix_pending) - poff < count ?
			       sizeof(dev->msix_pending) - poff : count);
		return 0;
	}
	if (off + count > tsize) {
		if (!write)
			memset(buf, 0, count);
		return 0;
	}
	if (!write) {
		memcpy(buf, &dev->msix_table[off], count);
		return 0;
	}
	memcpy(&dev->msix_table[off], buf, count);
	vfemu_dev_msix_unmasked(dev);
	return 0;
}

int
vfemu_dev_bar_read(struct vfemu_dev *dev, uint64_t off, void *buf, uint32_t count)
{
	if (count == 0 || off >= TMMR_BAR0_SIZE || count > TMMR_BAR0_SIZE - off)
		return -EINVAL;
	if (off < TMMR_BAR0_NOTIFY_OFF + TMMR_BAR0_NOTIFY_LEN) {
		if (count != 2 || off % TMMR_NOTIFY_OFF_MULTIPLIER != 0)
			return -EINVAL;
		memset(buf, 0, count);
		return 0;
	}
	if (off < TMMR_BAR0_LEGACY_OFF + TMMR_BAR0_LEGACY_LEN)
		return vfemu_legacy_read(dev, off - TMMR_BAR0_LEGACY_OFF, buf, count);
	if (off >= TMMR_BAR0_MSIX_TABLE_OFF)
		return msix_access(dev, off - TMMR_BAR0_MSIX_TABLE_OFF, buf, count, false);
	return -EINVAL;
}

int
vfemu_dev_bar_write(struct vfemu_dev *dev, uint64_t off, const void *buf, uint32_t count)
{
	if (count == 0 || off >= TMMR_BAR0_SIZE || count > TMMR_BAR0_SIZE - off)
		return -EINVAL;
	if (off < TMMR_BAR0_NOTIFY_OFF + TMMR_BAR0_NOTIFY_LEN)
		return notify_write(dev, off - TMMR_BAR0_NOTIFY_OFF, buf, count);
	if (off < TMMR_BAR0_LEGACY_OFF + TMMR_BAR0_LEGACY_LEN)
		return vfemu_legacy_write(dev, off - TMMR_BAR0_LEGACY_OFF, buf, count);
	if (off >= TMMR_BAR0_MSIX_TABLE_OFF)
		return msix_access(dev, off - TMMR_BAR0_MSIX_TABLE_OFF, (void *)(uintptr_t)buf,
				   count, true);
	return -EINVAL;
}

int
vfemu_dev_cfg_read(struct vfemu_dev *dev, uint64_t off, void *buf, uint32_t count)
{
	if (count == 0 || off >= TMMR_PCI_CFG_SIZE)
		return -EINVAL;
	return vfemu_cfg_read(&dev->cfg, (uint32_t)off, buf, count);
}

int
vfemu_dev_cfg_write(struct vfemu_dev *dev, uint64_t off, const void *buf, uint32_t count)
{
	/* "initiate function-level reset": bit 15 of the PCIe device control */
	const uint64_t flr_byte = VFEMU_CFG_PCIE_OFF + 9;
	bool flr;
	int rc;

	if (count == 0 || off >= TMMR_PCI_CFG_SIZE)
		return -EINVAL;
	flr = off <= flr_byte && flr_byte < off + count &&
	      (((const uint8_t *)buf)[flr_byte - off] & 0x80);
	rc = vfemu_cfg_write(&dev->cfg, (uint32_t)off, buf, count);
	if (rc == 0 && flr)
		vfemu_dev_function_reset(dev);
	else if (rc == 0)
		vfemu_dev_msix_unmasked(dev);
	return rc;
}

void
vfemu_dev_kick(struct vfemu_dev *dev, uint16_t q)
{
	if (q < dev->nb_queues)
		signal_fd(dev->q[q].kick_fd);
}

int
vfemu_dev_set_irqs(struct vfemu_dev *dev, uint32_t index, uint32_t start, uint32_t count,
		   const int *fds)
{
	bool was_on = vfemu_dev_msix_on(dev);
	uint32_t i;

	if (index == TMMR_VFU_IRQ_INTX) {
		if (fds == NULL && count == 0) {
			close_irqs(dev, index);
			return 0;
		}
		if (start != 0 || count != 1 || fds == NULL)
			return -EINVAL;
		close_irqs(dev, index);
		dev->intx_fd = fds[0];
		return 0;
	}
	if (index != TMMR_VFU_IRQ_MSIX)
		return -EINVAL;
	if (fds == NULL && count == 0) {
		close_irqs(dev, index);
	} else {
		if (fds == NULL || count == 0 || start >= nb_vectors(dev) ||
		    count > nb_vectors(dev) - start)
			return -EINVAL;
		for (i = 0; i < count; i++) {
			if (dev->msix_fd[start + i] >= 0)
				close(dev->msix_fd[start + i]);
			dev->msix_fd[start + i] = fds[i];
		}
		if (start + count > dev->nb_msix_fds)
			dev->nb_msix_fds = start + count;
		vfemu_cfg_set_msix_enable(&dev->cfg, true);
	}
	if (was_on != vfemu_dev_msix_on(dev) || dev->dp_started)
		vfemu_dp_restart(dev);	/* call fds follow the vectors */
	return 0;
}

int
vfemu_dev_dma_map(struct vfemu_dev *dev, uint64_t iova, uint64_t size, int fd, uint64_t offset)
{
	int rc = vfemu_dma_map(&dev->dma, iova, size, fd, offset);

	if (rc == 0)
		vfemu_dp_update_mem(dev);
	return rc;
}

int
vfemu_dev_dma_unmap(struct vfemu_dev *dev, uint64_t iova, uint64_t size)
{
	int rc = vfemu_dma_unmap(&dev->dma, iova, size);

	if (rc == 0)
		vfemu_dp_update_mem(dev);
	return rc;
}

int
vfemu_dev_status_line(const struct vfemu_dev *dev, char *buf, size_t len)
{
	unsigned int i, nb_vlans = 0, nb_msix = 0;
	bool backend = dev->vh != NULL && vfemu_vhost_connected(dev->vh);

	for (i = 0; i < sizeof(dev->vlans); i++)
		nb_vlans += __builtin_popcount(dev->vlans[i]);
	for (i = 0; i < VFEMU_MAX_VECTORS; i++)
		nb_msix += dev->msix_fd[i] >= 0;
	return snprintf(buf, len,
		"vf=%u status=0x%02x features=0x%08x acked=0x%08x link=%s backend=%s "
		"started=%u promisc=%u allmulti=%u mac=%02x:%02x:%02x:%02x:%02x:%02x "
		"uc=%u mc=%u vlans=%u pairs=%u max_pairs=%u rings_started=%u dma_maps=%u "
		"msix=%u msix_enabled=%u intx=%u isr=0x%02x net_status=0x%04x "
		"ctrl_ok=%" PRIu64 " ctrl_errors=%" PRIu64 " bad_msgs=%" PRIu64
		" config_irqs=%" PRIu64 " kicks=%" PRIu64 " mtu=%u"
		" bar_reads=%" PRIu64 " bar_writes=%" PRIu64,
		dev->index, dev->status,
		dev->features_latched ? dev->host_features : vfemu_dev_offer(dev),
		dev->guest_features,
		(dev->net_status & TMMR_NET_S_LINK_UP) ? "up" : "down",
		backend ? "connected" : "disconnected", dev->dp_started,
		dev->promisc, dev->allmulti,
		dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5],
		dev->nb_uc, dev->nb_mc, nb_vlans, dev->pairs, dev->max_pairs,
		dev->rings_started, dev->dma.nb_maps, nb_msix, vfemu_dev_msix_on(dev),
		dev->intx_fd >= 0, dev->isr, dev->net_status,
		dev->ctrl_ok, dev->ctrl_errors, dev->bad_msgs, dev->config_irqs, dev->kicks,
		dev->mtu, dev->bar_reads, dev->bar_writes);
}
