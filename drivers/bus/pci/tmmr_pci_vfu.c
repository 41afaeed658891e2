/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vfio-user transport: the VF lives in tmmr-vfemu. Register accesses are
 * REGION_READ/WRITE round trips (trapped like MMIO exits), doorbells use the
 * model's ioeventfds when offered, MSI-X vectors are eventfds we hand over
 * with DEVICE_SET_IRQS.
 *
 * Interrupt handle (what the ethdev sees in p->intr_handle):
 *  - allocated here, type RTE_INTR_HANDLE_VFIO_MSIX, dev_fd -1;
 *  - after intr_setup(n): fd = vector 0's eventfd (config changes),
 *    efds[i] = vector i + 1's eventfd, nb_efd = n - 1, max_intr = n,
 *    efd_counter_size = 8;
 *  - for VFIO_MSIX the EAL interrupt thread reads 8 bytes from fd before
 *    calling the callbacks, and the Rx epoll path reads 8 bytes from an efd,
 *    so the EAL drains every eventfd: callbacks must not read them;
 *  - rte_intr_enable/disable/ack must not be used on it (they would need a
 *    vfio device fd; they fail harmlessly with -1): intr_setup/teardown
 *    enable and disable the vectors in the model.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_interrupts.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_vfu.h"
#include "tmmr_virtio_legacy.h"

#define NB_BARS		6

static uint32_t
ones(unsigned int width)
{
	return width == 1 ? 0xff : width == 2 ? 0xffff : UINT32_MAX;
}

static bool
bar_range_ok(const struct tmmr_pci *p, uint8_t bar, uint32_t off, unsigned int width)
{
	if (bar >= NB_BARS || (width != 1 && width != 2 && width != 4))
		return false;
	return (uint64_t)off + width <= p->bar_len[bar];
}

static int
vfu_cfg_read(struct tmmr_pci *p, void *buf, uint32_t len, uint32_t off)
{
	struct vfu_priv *v = p->priv;
	size_t got = 0;
	ssize_t n;

	if ((uint64_t)off + len > TMMR_PCI_CFG_SIZE)
		return -EINVAL;
	if (v->cfg_fd < 0)
		return tmmr_vfu_region_read(&v->cl, TMMR_VFU_REGION_CONFIG, off, buf, len);
	while (got < len) {
		n = pread(v->cfg_fd, (char *)buf + got, len - got, off + got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* file shorter than asked */
		got += n;
	}
	return 0;
}

static uint32_t
vfu_bar_read(struct tmmr_pci *p, uint8_t bar, uint32_t off, unsigned int width)
{
	struct vfu_priv *v = p->priv;
	uint8_t b[4];

	if (!bar_range_ok(p, bar, off, width) ||
	    tmmr_vfu_region_read(&v->cl, TMMR_VFU_REGION_BAR0 + bar, off, b, width) != 0)
		return ones(width);
	switch (width) {
	case 1:
		return b[0];
	case 2:
		return (uint32_t)b[0] | (uint32_t)b[1] << 8;
	default:
		return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			(uint32_t)b[3] << 24;
	}
}

static void
vfu_bar_write(struct tmmr_pci *p, uint8_t bar, uint32_t off, uint32_t val, unsigned int width)
{
	struct vfu_priv *v = p->priv;
	uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };	/* registers are LE */

	if (!bar_range_ok(p, bar, off, width)) {
		PCI_LOG(DEBUG, "%s: dropped write of %u bytes at BAR%u+0x%x", p->name, width,
			bar, off);
		return;
	}
	tmmr_vfu_region_write(&v->cl, TMMR_VFU_REGION_BAR0 + bar, off, b, width);
}

/* Offset of queue @queue's doorbell in the notify BAR; false if none. */
static bool
doorbell_off(const struct tmmr_pci *p, uint16_t queue, uint32_t *off)
{
	const struct tmmr_mmr_layout *l = &p->layout;
	uint64_t rel = (uint64_t)l->notify_off_multiplier * queue;

	if (!l->has_notify || rel + sizeof(uint16_t) > l->notify_len)
		return false;
	rel += l->notify_off;
	if (rel + sizeof(uint16_t) > p->bar_len[l->notify_bar])
		return false;
	*off = (uint32_t)rel;
	return true;
}

static int
vfu_kick(struct tmmr_pci *p, uint16_t queue)
{
	uint32_t off;

	if (!doorbell_off(p, queue, &off))
		return -ENOENT;
	vfu_bar_write(p, p->layout.notify_bar, off, queue, 2);
	return 0;
}

/* An ioeventfd the model registered for the doorbell, if any. */
static void
vfu_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db)
{
	struct vfu_priv *v = p->priv;
	unsigned int i;
	uint32_t off;

	if (p->layout.notify_bar != TMMR_VFU_REGION_BAR0 || !doorbell_off(p, queue, &off))
		return;
	for (i = 0; i < v->nb_ioevt; i++) {
		const struct vfu_ioeventfd *e = &v->ioevt[i];

		if (e->offset == off && (!e->datamatch || e->data == queue)) {
			db->efd = e->fd;
			return;
		}
	}
}

static void
irq_fds_close(struct vfu_priv *v, uint16_t from)
{
	uint16_t i;

	for (i = from; i < v->nb_irq_fd; i++)
		close(v->irq_fd[i]);
	v->nb_irq_fd = RTE_MIN(v->nb_irq_fd, from);
}

/* DEVICE_SET_IRQS on MSI-X: @n eventfds @fds from vector 0, or disable if 0. */
static int
set_irqs_fds(struct tmmr_pci *p, const int *fds, uint16_t n)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_irq_set req = {
		.argsz = sizeof(req),
		.index = TMMR_VFU_IRQ_MSIX,
	};
	struct tmmr_vfu_msg m;
	uint16_t start = 0, chunk;
	int ret;

	if (n == 0) {
		req.flags = TMMR_VFU_IRQ_SET_DATA_NONE | TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
		memset(&m, 0, sizeof(m));
		m.cmd = TMMR_VFU_DEVICE_SET_IRQS;
		m.req = &req;
		m.req_len = sizeof(req);
		return tmmr_vfu_xfer(&v->cl, &m);
	}
	/* the server may accept fewer fds per message than we have vectors */
	while (start < n) {
		chunk = (uint16_t)RTE_MIN((uint32_t)(n - start), v->cl.max_fds);
		req.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
		req.start = start;
		req.count = chunk;
		memset(&m, 0, sizeof(m));
		m.cmd = TMMR_VFU_DEVICE_SET_IRQS;
		m.req = &req;
		m.req_len = sizeof(req);
		m.fds = &fds[start];
		m.nfds = chunk;
		ret = tmmr_vfu_xfer(&v->cl, &m);
		if (ret != 0)
			return ret;
		start += chunk;
	}
	return 0;
}

static int
set_irqs(struct tmmr_pci *p, uint16_t n)
{
	return set_irqs_fds(p, ((struct vfu_priv *)p->priv)->irq_fd, n);
}

static int
vfu_ext_irqs(struct tmmr_pci *p, const int *fds, uint16_t nb_vec)
{
	struct vfu_priv *v = p->priv;
	int ret;

	if (v->irq_on)
		return -EBUSY;
	if (p->layout.has_msix && nb_vec > p->layout.msix_table_size)
		return -EINVAL;
	ret = set_irqs_fds(p, fds, nb_vec);
	if (ret != 0)
		PCI_LOG(ERR, "%s: cannot wire %u MSI-X vectors to the caller's eventfds: %s",
			p->name, nb_vec, strerror(-ret));
	return ret;
}

static void
handle_reset(struct tmmr_pci *p)
{
	rte_intr_fd_set(p->intr_handle, -1);
	rte_intr_nb_efd_set(p->intr_handle, 0);
	rte_intr_max_intr_set(p->intr_handle, 0);
}

static void
vfu_intr_teardown(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	int ret;

	if (v->irq_on) {
		ret = set_irqs(p, 0);
		if (ret != 0 && tmmr_vfu_client_alive(&v->cl))
			PCI_LOG(WARNING, "%s: disabling MSI-X failed: %s", p->name,
				strerror(-ret));
	}
	v->irq_on = false;
	handle_reset(p);
	irq_fds_close(v, 0);
	p->nb_vec = 0;
}

static int
vfu_intr_setup(struct tmmr_pci *p, uint16_t nb_vec)
{
	struct vfu_priv *v = p->priv;
	uint32_t limit = RTE_MAX_RXTX_INTR_VEC_ID + 1;
	uint16_t i;
	int *fds, ret;

	if (nb_vec == 0) {
		vfu_intr_teardown(p);
		return 0;
	}
	if (p->layout.has_msix)
		limit = RTE_MIN(limit, (uint32_t)p->layout.msix_table_size);
	if (nb_vec > limit) {
		PCI_LOG(ERR, "%s: %u MSI-X vectors asked, the device has %u", p->name, nb_vec,
			limit);
		return -EINVAL;
	}
	/* changing the vector count needs MSI-X off first, as with vfio-pci */
	if (v->irq_on && nb_vec != p->nb_vec) {
		ret = set_irqs(p, 0);
		v->irq_on = false;
		p->nb_vec = 0;
		if (ret != 0)
			goto fail;
	}
	/* keep the eventfds we have: a vector's fd stays the same across setups */
	if (nb_vec > v->nb_irq_fd) {
		fds = realloc(v->irq_fd, nb_vec * sizeof(*fds));
		if (fds == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
		v->irq_fd = fds;
		for (i = v->nb_irq_fd; i < nb_vec; i++) {
			fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
			if (fds[i] < 0) {
				ret = -errno;
				goto fail;
			}
			v->nb_irq_fd = i + 1;
		}
	}
	ret = set_irqs(p, nb_vec);
	if (ret != 0)
		goto fail;
	irq_fds_close(v, nb_vec);
	v->irq_on = true;
	p->nb_vec = nb_vec;

	rte_intr_fd_set(p->intr_handle, v->irq_fd[0]);
	for (i = 1; i < nb_vec; i++)
		rte_intr_efds_index_set(p->intr_handle, i - 1, v->irq_fd[i]);
	rte_intr_nb_efd_set(p->intr_handle, nb_vec - 1);
	rte_intr_max_intr_set(p->intr_handle, nb_vec);
	rte_intr_efd_counter_size_set(p->intr_handle, sizeof(uint64_t));
	return 0;
fail:
	PCI_LOG(ERR, "%s: cannot set up %u MSI-X vectors: %s", p->name, nb_vec,
		strerror(-ret));
	vfu_intr_teardown(p);
	return ret;
}

static int
vfu_fn_reset(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_msg m = { .cmd = TMMR_VFU_DEVICE_RESET };
	int ret = tmmr_vfu_xfer(&v->cl, &m);

	if (ret != 0)
		PCI_LOG(ERR, "%s: DEVICE_RESET failed: %s", p->name, strerror(-ret));
	return ret;
}

static bool
vfu_alive(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;

	return tmmr_vfu_client_alive(&v->cl);
}

static void
vfu_free(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	unsigned int i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nb_ioevt_fds; i++)
		close(v->ioevt_fds[i]);
	if (v->cfg_fd >= 0)
		close(v->cfg_fd);
	irq_fds_close(v, 0);
	free(v->irq_fd);
	free(v->maps);
	tmmr_vfu_client_fini(&v->cl);
	if (p->intr_handle != NULL) {
		rte_intr_vec_list_free(p->intr_handle);
		rte_intr_instance_free(p->intr_handle);
		p->intr_handle = NULL;
	}
	free(v);
	p->priv = NULL;
}

static void
vfu_close(struct tmmr_pci *p)
{
	if (p->priv == NULL)
		return;
	vfu_intr_teardown(p);
	tmmr_pci_vfu_dma_teardown(p);
	vfu_free(p);
}

static const struct tmmr_pci_ops vfu_ops = {
	.name = "vfio-user",
	/* the vhost-user backend of the model: DPDK's takes 8 memory regions */
	.max_dma_regions = 8,
	.cfg_read = vfu_cfg_read,
	.bar_read = vfu_bar_read,
	.bar_write = vfu_bar_write,
	.kick = vfu_kick,
	.doorbell = vfu_doorbell,
	.dma_setup = tmmr_pci_vfu_dma_setup,
	.dma_teardown = tmmr_pci_vfu_dma_teardown,
	.ext_dma_map = tmmr_pci_vfu_ext_dma_map,
	.ext_dma_unmap = tmmr_pci_vfu_ext_dma_unmap,
	.ext_irqs = vfu_ext_irqs,
	.intr_setup = vfu_intr_setup,
	.intr_teardown = vfu_intr_teardown,
	.fn_reset = vfu_fn_reset,
	.alive = vfu_alive,
	.close = vfu_close,
};

static int
get_device_info(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_device_info req = { .argsz = sizeof(req) }, rep;
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_DEVICE_GET_INFO,
		.req = &req, .req_len = sizeof(req),
		.reply = &rep, .reply_cap = sizeof(rep),
	};
	int ret = tmmr_vfu_xfer(&v->cl, &m);

	if (ret != 0) {
		PCI_LOG(ERR, "%s: DEVICE_GET_INFO failed: %s", p->name, strerror(-ret));
		return ret;
	}
	if (m.reply_len < sizeof(rep)) {
		PCI_LOG(ERR, "%s: DEVICE_GET_INFO reply of %zu bytes is too short", p->name,
			m.reply_len);
		return -EPROTO;
	}
	if (!(rep.flags & TMMR_VFU_DEV_F_PCI) || rep.num_regions <= TMMR_VFU_REGION_BAR0) {
		PCI_LOG(ERR, "%s: not a PCI device (flags 0x%x, %u regions)", p->name,
			rep.flags, rep.num_regions);
		return -ENODEV;
	}
	v->dev_flags = rep.flags;
	v->num_regions = rep.num_regions;
	v->num_irqs = rep.num_irqs;
	return 0;
}

/* Size of region @index, 0 if absent; negative errno if the link broke. */
static int64_t
region_size(struct tmmr_pci *p, uint32_t index)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_region_info req = { .argsz = sizeof(req), .index = index }, rep;
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_DEVICE_GET_REGION_INFO,
		.req = &req, .req_len = sizeof(req),
		.reply = &rep, .reply_cap = sizeof(rep),
	};
	int ret;

	if (index >= v->num_regions)
		return 0;
	ret = tmmr_vfu_xfer(&v->cl, &m);	/* an mmap fd, if offered, is closed */
	if (ret != 0)
		return v->cl.dead ? ret : 0;
	if (m.reply_len < sizeof(rep) || rep.index != index) {
		PCI_LOG(ERR, "%s: bad GET_REGION_INFO reply for region %u", p->name, index);
		return -EPROTO;
	}
	if (!(rep.flags & TMMR_VFU_REGION_F_READ) || rep.size > INT64_MAX)
		return 0;
	return (int64_t)rep.size;
}

/* Doorbell ioeventfds in BAR0; none offered is fine (slow path). */
static int
get_io_fds(struct tmmr_pci *p)
{
	struct vfu_priv *v = p->priv;
	struct tmmr_vfu_region_io_fds_req req = {
		.argsz = sizeof(struct tmmr_vfu_region_io_fds_reply) +
			VFU_MAX_IOEVENTFDS * sizeof(struct tmmr_vfu_sub_region_ioeventfd),
		.index = TMMR_VFU_REGION_BAR0,
	};
	uint8_t buf[sizeof(struct tmmr_vfu_region_io_fds_reply) +
		    VFU_MAX_IOEVENTFDS * sizeof(struct tmmr_vfu_sub_region_ioeventfd)];
	struct tmmr_vfu_region_io_fds_reply rep;
	struct tmmr_vfu_sub_region_ioeventfd sub;
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_DEVICE_GET_REGION_IO_FDS,
		.req = &req, .req_len = sizeof(req),
		.reply = buf, .reply_cap = sizeof(buf),
		.rfds = v->ioevt_fds, .max_rfds = TMMR_VFU_MAX_FDS,
	};
	unsigned int i;
	int ret;

	ret = tmmr_vfu_xfer(&v->cl, &m);
	if (ret != 0) {
		PCI_LOG(INFO, "%s: no doorbell ioeventfds (%s): doorbells are REGION_WRITEs",
			p->name, strerror(-ret));
		return v->cl.dead ? ret : 0;
	}
	v->nb_ioevt_fds = m.nrfds;
	memcpy(&rep, buf, RTE_MIN(sizeof(rep), m.reply_len));
	/* a server with more doorbells than we have room for says how much it needs */
	if (m.reply_len >= sizeof(rep) && rep.argsz > req.argsz) {
		PCI_LOG(INFO, "%s: %u doorbell ioeventfds are more than %u: doorbells are REGION_WRITEs",
			p->name, rep.count, VFU_MAX_IOEVENTFDS);
		return 0;
	}
	if (m.reply_len < sizeof(rep) || rep.count > VFU_MAX_IOEVENTFDS ||
	    m.reply_len < sizeof(rep) + rep.count * sizeof(sub)) {
		PCI_LOG(ERR, "%s: malformed GET_REGION_IO_FDS reply (%zu bytes)", p->name,
			m.reply_len);
		return -EPROTO;
	}
	for (i = 0; i < rep.count; i++) {
		memcpy(&sub, buf + sizeof(rep) + i * sizeof(sub), sizeof(sub));
		if (sub.fd_index >= v->nb_ioevt_fds || sub.type != 0) {
			PCI_LOG(ERR, "%s: ioeventfd %u: fd index %u of %u, type %u", p->name, i,
				sub.fd_index, v->nb_ioevt_fds, sub.type);
			return -EPROTO;
		}
		v->ioevt[v->nb_ioevt++] = (struct vfu_ioeventfd){
			.offset = sub.offset,
			.size = sub.size,
			.fd = v->ioevt_fds[sub.fd_index],
			.datamatch = (sub.flags & TMMR_VFU_IOEVENTFD_F_DATAMATCH) != 0,
			.data = sub.datamatch,
		};
	}
	PCI_LOG(DEBUG, "%s: %u doorbell ioeventfds", p->name, v->nb_ioevt);
	return 0;
}

int
tmmr_pci_vfu_attach_fd(struct tmmr_pci *p, int sock, const char *cfg_path)
{
	struct vfu_priv *v = calloc(1, sizeof(*v));
	int64_t sz;
	unsigned int i;
	int ret;

	if (v == NULL) {
		close(sock);
		return -ENOMEM;
	}
	v->cfg_fd = -1;
	p->priv = v;
	p->ops = &vfu_ops;
	ret = tmmr_vfu_client_init(&v->cl, sock, p->name);
	if (ret != 0)
		goto fail;
	p->intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (p->intr_handle == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	rte_intr_type_set(p->intr_handle, RTE_INTR_HANDLE_VFIO_MSIX);
	rte_intr_dev_fd_set(p->intr_handle, -1);
	handle_reset(p);

	ret = tmmr_vfu_handshake(&v->cl);
	if (ret != 0)
		goto fail;
	ret = get_device_info(p);
	if (ret != 0)
		goto fail;
	for (i = 0; i < NB_BARS; i++) {
		sz = region_size(p, TMMR_VFU_REGION_BAR0 + i);
		if (sz < 0) {
			ret = (int)sz;
			goto fail;
		}
		p->bar_len[i] = (uint64_t)sz;
	}
	sz = region_size(p, TMMR_VFU_REGION_CONFIG);
	if (sz < 0) {
		ret = (int)sz;
		goto fail;
	}
	v->cfg_size = (uint64_t)sz;
	ret = get_io_fds(p);
	if (ret != 0)
		goto fail;
	if (cfg_path != NULL) {
		v->cfg_fd = open(cfg_path, O_RDONLY | O_CLOEXEC);
		if (v->cfg_fd < 0)
			PCI_LOG(NOTICE, "%s: cannot open %s (%s): reading config space over vfio-user",
				p->name, cfg_path, strerror(errno));
	}
	if (v->cfg_fd < 0 && v->cfg_size < 256) {
		PCI_LOG(ERR, "%s: no config space: no config file, region 7 is %" PRIu64 " bytes",
			p->name, v->cfg_size);
		ret = -ENODEV;
		goto fail;
	}
	return 0;
fail:
	PCI_LOG(ERR, "%s: cannot attach over vfio-user: %s", p->name, strerror(-ret));
	vfu_free(p);
	p->ops = NULL;
	return ret;
}

int
tmmr_pci_vfu_attach(struct tmmr_pci *p, const char *sock_path, const char *cfg_path)
{
	int fd = tmmr_vfu_connect(sock_path);

	if (fd < 0) {
		PCI_LOG(ERR, "%s: cannot connect to %s: %s", p->name, sock_path, strerror(-fd));
		return fd;
	}
	return tmmr_pci_vfu_attach_fd(p, fd, cfg_path);
}

void
tmmr_pci_vfu_set_timeout(struct tmmr_pci *p, int timeout_ms)
{
	struct vfu_priv *v = p->priv;

	if (v != NULL && p->ops == &vfu_ops)
		v->cl.timeout_ms = timeout_ms;
}
