/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tmmr_vfio_user.h"
#include "vfemu_sock.h"
#include "vfemu_vfu.h"

#define HDR_SIZE	sizeof(struct tmmr_vfu_hdr)
#define MSGS_PER_ROUND	32	/* fairness between 1024 VFs on one thread */
#define REPLY_MAX	(HDR_SIZE + sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER)

static const char version_caps[] =
	"{\"capabilities\":{\"max_msg_fds\":64,\"max_data_xfer_size\":4096,"
	"\"pgsizes\":4096}}";

struct vfemu_vfu {
	struct vfemu_loop *loop;
	struct vfemu_dev *dev;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int conn_fd;
	bool versioned;
	/* the message being received */
	uint8_t *msg;
	uint32_t have;
	int fds[TMMR_VFU_MAX_FDS];
	unsigned int nb_fds;
	bool fds_lost;		/* more fds than we accept came with it */
	uint8_t reply[REPLY_MAX] __attribute__((aligned(8)));	/* replies are cast to structs */
};

/* what one handler produced */
struct vfu_reply {
	int err;			/* 0 or a positive errno */
	uint32_t len;			/* payload bytes in vfu->reply after the header */
	const int *fds;
	unsigned int nb_fds;
};

static void
close_pending_fds(struct vfemu_vfu *vfu)
{
	unsigned int i;

	for (i = 0; i < vfu->nb_fds; i++)
		if (vfu->fds[i] >= 0)
			close(vfu->fds[i]);
	vfu->nb_fds = 0;
	vfu->fds_lost = false;
}

void
vfemu_vfu_drop_client(struct vfemu_vfu *vfu)
{
	if (vfu->conn_fd < 0)
		return;
	vfemu_loop_del(vfu->loop, vfu->conn_fd);
	close(vfu->conn_fd);
	vfu->conn_fd = -1;
	vfu->versioned = false;
	vfu->have = 0;
	close_pending_fds(vfu);
	free(vfu->msg);
	vfu->msg = NULL;
	vfemu_dev_disconnect(vfu->dev);
	/* the next client, perhaps already waiting in the backlog, may come in now */
	vfemu_loop_mod(vfu->loop, vfu->listen_fd, EPOLLIN);
}

bool
vfemu_vfu_has_client(const struct vfemu_vfu *vfu)
{
	return vfu->conn_fd >= 0;
}

static int
send_reply(struct vfemu_vfu *vfu, const struct tmmr_vfu_hdr *req, const struct vfu_reply *r)
{
	struct tmmr_vfu_hdr *hdr = (struct tmmr_vfu_hdr *)vfu->reply;
	char cbuf[CMSG_SPACE(sizeof(int) * TMMR_VFU_MAX_FDS)];
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	memset(hdr, 0, sizeof(*hdr));
	hdr->msg_id = req->msg_id;
	hdr->cmd = req->cmd;
	hdr->flags = TMMR_VFU_F_TYPE_REPLY;
	hdr->size = HDR_SIZE + (r->err ? 0 : r->len);
	if (r->err) {
		hdr->flags |= TMMR_VFU_F_ERROR;
		hdr->error_no = r->err;
	}
	iov.iov_base = vfu->reply;
	iov.iov_len = hdr->size;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (!r->err && r->nb_fds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * r->nb_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * r->nb_fds);
		memcpy(CMSG_DATA(c), r->fds, sizeof(int) * r->nb_fds);
	}
	n = sendmsg(vfu->conn_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	/* a client that does not read its replies is dropped */
	return n == (ssize_t)hdr->size ? 0 : -1;
}

/* take the single fd that came with the message */
static int
take_fd(struct vfemu_vfu *vfu)
{
	int fd;

	if (vfu->nb_fds != 1 || vfu->fds_lost)
		return -1;
	fd = vfu->fds[0];
	vfu->fds[0] = -1;
	return fd;
}

static int
do_version(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	const struct tmmr_vfu_version *in = (const void *)p;
	struct tmmr_vfu_version *out = (void *)(vfu->reply + HDR_SIZE);

	if (len < sizeof(*in) || in->major != TMMR_VFU_VERSION_MAJOR)
		return EINVAL;
	/* optional caps: must be a NUL-terminated string if present */
	if (len > sizeof(*in) && p[len - 1] != '\0')
		return EINVAL;
	out->major = TMMR_VFU_VERSION_MAJOR;
	out->minor = TMMR_VFU_VERSION_MINOR;
	memcpy(out->caps, version_caps, sizeof(version_caps));
	r->len = sizeof(*out) + sizeof(version_caps);
	vfu->versioned = true;
	return 0;
}

static int
do_dma_map(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	struct tmmr_vfu_dma_map m;
	int fd, rc;

	if (len < sizeof(m))
		return EINVAL;
	memcpy(&m, p, sizeof(m));
	if (m.argsz < sizeof(m) || m.argsz > len ||
	    (m.flags & ~(TMMR_VFU_DMA_READ_OK | TMMR_VFU_DMA_WRITE_OK)))
		return EINVAL;
	if (vfu->nb_fds == 0)
		return EBADF;	/* the model has no DMA_READ/WRITE path: fd required */
	fd = take_fd(vfu);
	if (fd < 0)
		return EINVAL;
	rc = vfemu_dev_dma_map(vfu->dev, m.addr, m.size, fd, m.offset);
	if (rc < 0) {
		close(fd);
		return -rc;
	}
	r->len = 0;
	return 0;
}

static int
do_dma_unmap(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	struct tmmr_vfu_dma_unmap u;
	int rc;

	if (len < sizeof(u))
		return EINVAL;
	memcpy(&u, p, sizeof(u));
	if (u.argsz < sizeof(u) || u.argsz > len || u.flags != 0)
		return EINVAL;
	rc = vfemu_dev_dma_unmap(vfu->dev, u.addr, u.size);
	if (rc < 0)
		return -rc;
	memcpy(vfu->reply + HDR_SIZE, &u, sizeof(u));
	r->len = sizeof(u);
	return 0;
}

static int
do_device_info(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	struct tmmr_vfu_device_info info = {
		.argsz = sizeof(info),
		.flags = TMMR_VFU_DEV_F_RESET | TMMR_VFU_DEV_F_PCI,
		.num_regions = TMMR_VFU_NUM_REGIONS,
		.num_irqs = TMMR_VFU_NUM_IRQS,
	};
	uint32_t argsz;

	if (len < sizeof(argsz))
		return EINVAL;
	memcpy(&argsz, p, sizeof(argsz));
	if (argsz < sizeof(info))
		return EINVAL;
	memcpy(vfu->reply + HDR_SIZE, &info, sizeof(info));
	r->len = sizeof(info);
	return 0;
}

static int
do_region_info(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	struct tmmr_vfu_region_info ri;

	if (len < sizeof(ri))
		return EINVAL;
	memcpy(&ri, p, sizeof(ri));
	if (ri.argsz < sizeof(ri) || ri.index >= TMMR_VFU_NUM_REGIONS)
		return EINVAL;
	ri.argsz = sizeof(ri);
	ri.cap_offset = 0;
	ri.offset = 0;
	ri.flags = 0;
	ri.size = 0;
	if (ri.index == TMMR_VFU_REGION_BAR0) {
		ri.size = TMMR_BAR0_SIZE;
		ri.flags = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
	} else if (ri.index == TMMR_VFU_REGION_CONFIG) {
		ri.size = TMMR_PCI_CFG_SIZE;
		ri.flags = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
	}
	memcpy(vfu->reply + HDR_SIZE, &ri, sizeof(ri));
	r->len = sizeof(ri);
	return 0;
}

static int
do_region_io_fds(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	static int fds[VFEMU_MAX_QUEUES];
	struct tmmr_vfu_region_io_fds_req req;
	struct tmmr_vfu_region_io_fds_reply *out = (void *)(vfu->reply + HDR_SIZE);
	uint32_t count = 0, need, i;

	if (len < sizeof(req))
		return EINVAL;
	memcpy(&req, p, sizeof(req));
	if (req.index >= TMMR_VFU_NUM_REGIONS || req.flags != 0)
		return EINVAL;
	if (req.index == TMMR_VFU_REGION_BAR0)
		count = vfu->dev->nb_queues;
	need = sizeof(*out) + count * sizeof(out->sub[0]);
	memset(out, 0, need);
	out->argsz = need;
	out->index = req.index;
	out->count = count;
	r->len = sizeof(*out);
	/* a client buffer too small for the list learns the size it needs */
	if (req.argsz < need)
		return 0;
	for (i = 0; i < count; i++) {
		out->sub[i].offset = TMMR_BAR0_NOTIFY_OFF +
				     (uint64_t)i * TMMR_NOTIFY_OFF_MULTIPLIER;
		out->sub[i].size = 2;
		out->sub[i].fd_index = i;
		out->sub[i].type = 0;
		fds[i] = vfu->dev->q[i].kick_fd;
	}
	r->len = need;
	r->fds = fds;
	r->nb_fds = count;
	return 0;
}

static int
do_irq_info(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	struct tmmr_vfu_irq_info ii;

	if (len < sizeof(ii))
		return EINVAL;
	memcpy(&ii, p, sizeof(ii));
	if (ii.argsz < sizeof(ii) || ii.index >= TMMR_VFU_NUM_IRQS)
		return EINVAL;
	ii.argsz = sizeof(ii);
	ii.count = 0;
	ii.flags = 0;
	if (ii.index == TMMR_VFU_IRQ_INTX)
		ii.count = 1;
	else if (ii.index == TMMR_VFU_IRQ_MSIX)
		ii.count = TMMR_MSIX_VECTORS(vfu->dev->max_pairs);
	if (ii.count > 0)
		ii.flags = TMMR_VFU_IRQ_INFO_F_EVENTFD;
	memcpy(vfu->reply + HDR_SIZE, &ii, sizeof(ii));
	r->len = sizeof(ii);
	return 0;
}

static int
do_set_irqs(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, struct vfu_reply *r)
{
	const uint32_t eventfd_trigger = TMMR_VFU_IRQ_SET_DATA_EVENTFD |
					 TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
	const uint32_t none_trigger = TMMR_VFU_IRQ_SET_DATA_NONE |
				      TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
	struct tmmr_vfu_irq_set s;
	unsigned int i;
	int rc;

	if (len < sizeof(s))
		return EINVAL;
	memcpy(&s, p, sizeof(s));
	if (s.argsz < sizeof(s) || s.argsz > len ||
	    (s.index != TMMR_VFU_IRQ_INTX && s.index != TMMR_VFU_IRQ_MSIX))
		return EINVAL;
	r->len = 0;
	if (s.flags == none_trigger && s.count == 0 && vfu->nb_fds == 0)
		return -vfemu_dev_set_irqs(vfu->dev, s.index, 0, 0, NULL);
	if (s.flags != eventfd_trigger || s.count == 0 || vfu->fds_lost ||
	    s.count != vfu->nb_fds)
		return EINVAL;
	rc = vfemu_dev_set_irqs(vfu->dev, s.index, s.start, s.count, vfu->fds);
	if (rc < 0)
		return -rc;
	for (i = 0; i < vfu->nb_fds; i++)
		vfu->fds[i] = -1;	/* the device owns them now */
	return 0;
}

static int
do_region_access(struct vfemu_vfu *vfu, const uint8_t *p, uint32_t len, bool write,
		 struct vfu_reply *r)
{
	struct tmmr_vfu_region_access a;
	struct tmmr_vfu_region_access *out = (void *)(vfu->reply + HDR_SIZE);
	int rc;

	if (len < sizeof(a))
		return EINVAL;
	memcpy(&a, p, sizeof(a));
	if (a.count == 0 || a.count > TMMR_VFU_MAX_DATA_XFER)
		return EINVAL;
	/* the size must match the count exactly: no reading past what was sent */
	if (write ? len != sizeof(a) + a.count : len != sizeof(a))
		return EINVAL;
	if (a.region == TMMR_VFU_REGION_BAR0)
		rc = write ? vfemu_dev_bar_write(vfu->dev, a.offset, p + sizeof(a), a.count) :
			     vfemu_dev_bar_read(vfu->dev, a.offset, out->data, a.count);
	else if (a.region == TMMR_VFU_REGION_CONFIG)
		rc = write ? vfemu_dev_cfg_write(vfu->dev, a.offset, p + sizeof(a), a.count) :
			     vfemu_dev_cfg_read(vfu->dev, a.offset, out->data, a.count);
	else
		rc = -EINVAL;
	if (rc < 0)
		return -rc;
	if (a.region == TMMR_VFU_REGION_BAR0) {
		if (write)
			vfu->dev->bar_writes++;
		else
			vfu->dev->bar_reads++;
	}
	out->offset = a.offset;
	out->region = a.region;
	out->count = a.count;
	r->len = sizeof(a) + (write ? 0 : a.count);
	return 0;
}

static int
dispatch(struct vfemu_vfu *vfu, const struct tmmr_vfu_hdr *hdr, const uint8_t *p, uint32_t len,
	 struct vfu_reply *r)
{
	if ((hdr->flags & TMMR_VFU_F_TYPE_MASK) != TMMR_VFU_F_TYPE_COMMAND)
		return EINVAL;
	if (!vfu->versioned && hdr->cmd != TMMR_VFU_VERSION)
		return EINVAL;	/* VERSION must come first */
	switch (hdr->cmd) {
	case TMMR_VFU_VERSION:
		return do_version(vfu, p, len, r);
	case TMMR_VFU_DMA_MAP:
		return do_dma_map(vfu, p, len, r);
	case TMMR_VFU_DMA_UNMAP:
		return do_dma_unmap(vfu, p, len, r);
	case TMMR_VFU_DEVICE_GET_INFO:
		return do_device_info(vfu, p, len, r);
	case TMMR_VFU_DEVICE_GET_REGION_INFO:
		return do_region_info(vfu, p, len, r);
	case TMMR_VFU_DEVICE_GET_REGION_IO_FDS:
		return do_region_io_fds(vfu, p, len, r);
	case TMMR_VFU_DEVICE_GET_IRQ_INFO:
		return do_irq_info(vfu, p, len, r);
	case TMMR_VFU_DEVICE_SET_IRQS:
		return do_set_irqs(vfu, p, len, r);
	case TMMR_VFU_REGION_READ:
		return do_region_access(vfu, p, len, false, r);
	case TMMR_VFU_REGION_WRITE:
		return do_region_access(vfu, p, len, true, r);
	case TMMR_VFU_DEVICE_RESET:
		vfemu_dev_function_reset(vfu->dev);
		r->len = 0;
		return 0;
	default:
		return ENOSYS;
	}
}

/* a whole message is in vfu->msg; false if the client must be dropped */
static bool
handle_message(struct vfemu_vfu *vfu)
{
	struct tmmr_vfu_hdr hdr;
	struct vfu_reply r = { 0 };
	bool ok = true;

	memcpy(&hdr, vfu->msg, sizeof(hdr));
	r.err = dispatch(vfu, &hdr, vfu->msg + HDR_SIZE, hdr.size - HDR_SIZE, &r);
	if (r.err)
		vfu->dev->bad_msgs++;
	if (r.err || !(hdr.flags & TMMR_VFU_F_NO_REPLY))
		ok = send_reply(vfu, &hdr, &r) == 0;
	/* fds no handler took: an fd sent for nothing must not leak */
	close_pending_fds(vfu);
	return ok;
}

static void
collect_fds(struct vfemu_vfu *vfu, struct msghdr *mh)
{
	struct cmsghdr *c;

	if (mh->msg_flags & MSG_CTRUNC)
		vfu->fds_lost = true;
	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		unsigned int n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (vfu->nb_fds < TMMR_VFU_MAX_FDS) {
				vfu->fds[vfu->nb_fds++] = fd;
			} else {
				close(fd);
				vfu->fds_lost = true;
			}
		}
	}
}

/* read what the current message still needs; 1 progress, 0 would block, -1 drop */
static int
receive(struct vfemu_vfu *vfu)
{
	char cbuf[CMSG_SPACE(sizeof(int) * TMMR_VFU_MAX_FDS)];
	struct tmmr_vfu_hdr hdr;
	struct msghdr mh;
	struct iovec iov;
	uint32_t want;
	ssize_t n;

	if (vfu->have < HDR_SIZE) {
		want = HDR_SIZE - vfu->have;
	} else {
		memcpy(&hdr, vfu->msg, sizeof(hdr));
		want = hdr.size - vfu->have;
	}
	iov.iov_base = vfu->msg + vfu->have;
	iov.iov_len = want;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	n = recvmsg(vfu->conn_fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	collect_fds(vfu, &mh);
	if (n == 0)
		return -1;
	vfu->have += n;
	return 1;
}

static void
client_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_vfu *vfu = opaque;
	unsigned int msgs = 0;

	(void)fd;
	while (msgs < MSGS_PER_ROUND) {
		struct tmmr_vfu_hdr hdr;
		int rc = receive(vfu);

		if (rc < 0)
			goto drop;
		if (rc == 0)
			break;
		if (vfu->have < HDR_SIZE)
			continue;
		memcpy(&hdr, vfu->msg, sizeof(hdr));
		if (hdr.size < HDR_SIZE || hdr.size > TMMR_VFU_MAX_MSG_SIZE) {
			/* the stream cannot be resynchronised after a lying size */
			struct vfu_reply r = { .err = EINVAL };

			vfu->dev->bad_msgs++;
			send_reply(vfu, &hdr, &r);
			goto drop;
		}
		if (vfu->have < hdr.size)
			continue;
		vfu->have = 0;
		if (!handle_message(vfu))
			goto drop;
		msgs++;
	}
	if (events & (EPOLLHUP | EPOLLERR) && msgs == 0 && !(events & EPOLLIN))
		goto drop;
	return;
drop:
	vfemu_vfu_drop_client(vfu);
}

static void
listen_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_vfu *vfu = opaque;
	int c;

	(void)events;
	if (vfu->conn_fd >= 0) {
		/*
		 * One client at a time. A second one waits in the listen backlog
		 * until the current one is gone (a driver restarted at once often
		 * connects before the model has seen the old connection close):
		 * not accepted, not reset. Not reached once the watch is off.
		 */
		vfemu_loop_mod(vfu->loop, fd, 0);
		return;
	}
	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	/* the receive buffer exists only while a client does: 1024 VFs, few clients */
	vfu->msg = malloc(TMMR_VFU_MAX_MSG_SIZE);
	if (vfu->msg == NULL || vfemu_loop_add(vfu->loop, c, EPOLLIN, client_event, vfu) < 0) {
		free(vfu->msg);
		vfu->msg = NULL;
		close(c);
		return;
	}
	vfu->conn_fd = c;
	vfu->have = 0;
	vfu->versioned = false;
	/* the next client stays in the backlog while this one is served */
	vfemu_loop_mod(vfu->loop, fd, 0);
}

struct vfemu_vfu *
vfemu_vfu_create(struct vfemu_loop *loop, struct vfemu_dev *dev, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfemu_vfu *vfu;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	vfu = calloc(1, sizeof(*vfu));
	if (vfu == NULL)
		return NULL;
	vfu->loop = loop;
	vfu->dev = dev;
	vfu->conn_fd = -1;
	snprintf(vfu->path, sizeof(vfu->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	vfu->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (vfu->listen_fd < 0)
		goto fail;
	unlink(path);
	if (vfemu_bind_private(vfu->listen_fd, &sa) < 0 ||
	    listen(vfu->listen_fd, 4) < 0)
		goto fail_sock;
	err = vfemu_loop_add(loop, vfu->listen_fd, EPOLLIN, listen_event, vfu);
	if (err < 0) {
		errno = -err;
		unlink(path);
		goto fail_sock;
	}
	return vfu;
fail_sock:
	err = errno;
	close(vfu->listen_fd);
	errno = err;
fail:
	err = errno;
	free(vfu);
	errno = err;
	return NULL;
}

void
vfemu_vfu_destroy(struct vfemu_vfu *vfu)
{
	if (vfu == NULL)
		return;
	vfemu_vfu_drop_client(vfu);
	vfemu_loop_del(vfu->loop, vfu->listen_fd);
	close(vfu->listen_fd);
	unlink(vfu->path);
	free(vfu);
}
