/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fake_vfu_server.h"
#include "cfg_builder.h"

#define HDR sizeof(struct tmmr_vfu_hdr)

static void
bad(struct fake_vfu *s, const char *fmt, const char *what, unsigned int v)
{
	if (s->bad++ == 0)
		snprintf(s->badmsg, sizeof(s->badmsg), fmt, what, v);
}

void
fake_vfu_init(struct fake_vfu *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->listen_fd = -1;
	s->sock = -1;
	pthread_mutex_init(&s->lock, NULL);
	cb_build_vf(s->cfg);
	s->ver_major = TMMR_VFU_VERSION_MAJOR;
	s->ver_minor = TMMR_VFU_VERSION_MINOR;
	s->max_fds = 64;
	s->offer_ioevt = true;
	s->dev_flags = TMMR_VFU_DEV_F_PCI | TMMR_VFU_DEV_F_RESET;
	s->fault_errno = ENOSPC;
	for (i = 0; i < FAKE_NB_IOEVT; i++)
		s->ioevt[i] = -1;
	for (i = 0; i < 64; i++)
		s->irq_fd[i] = -1;
}

static int
recv_exact(int fd, void *buf, size_t len, int *fds, unsigned int *nfds)
{
	char ctrl[CMSG_SPACE(sizeof(int) * 64)];
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	size_t got = 0;
	ssize_t n;
	unsigned int i, k;

	while (got < len) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = (char *)buf + got;
		iov.iov_len = len - got;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < k; i++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (*nfds < 64)
					fds[(*nfds)++] = f;
				else
					close(f);
			}
		}
		got += n;
	}
	return 0;
}

static void
send_reply(struct fake_vfu *s, const struct tmmr_vfu_hdr *req, const void *payload,
	   size_t len, const int *fds, unsigned int nfds, uint32_t err)
{
	char ctrl[CMSG_SPACE(sizeof(int) * 64)];
	struct tmmr_vfu_hdr h = {
		.msg_id = req->msg_id,
		.cmd = req->cmd,
		.size = (uint32_t)(HDR + len),
		.flags = TMMR_VFU_F_TYPE_REPLY,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = HDR },
		{ .iov_base = (void *)(uintptr_t)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct cmsghdr *cm;
	enum fake_fault f = FAULT_NONE;
	uint8_t junk[512];	/* random faults: outlives the switch, sendmsg reads it */
	size_t i, n;

	if (s->fault != FAULT_NONE && (s->fault_cmd == 0 || s->fault_cmd == req->cmd)) {
		f = s->fault;
		s->fault = FAULT_NONE;
	}
	if (err != 0) {
		h.flags |= TMMR_VFU_F_ERROR;
		h.error_no = err;
		h.size = HDR;
		mh.msg_iovlen = 1;
		nfds = 0;
	}
	switch (f) {
	case FAULT_SHORT:
		if (len > 0) {
			iov[1].iov_len = len / 2;
			h.size = (uint32_t)(HDR + len / 2);
		}
		break;
	case FAULT_BAD_ID:
		h.msg_id++;
		break;
	case FAULT_ERROR:
		h.flags |= TMMR_VFU_F_ERROR;
		h.error_no = s->fault_errno;
		h.size = HDR;
		mh.msg_iovlen = 1;
		nfds = 0;
		break;
	case FAULT_EOF:
		shutdown(s->sock, SHUT_RDWR);
		return;
	case FAULT_SILENT:
		return;
	case FAULT_OVERSIZE:
		h.size = 1 << 20;
		break;
	case FAULT_AS_COMMAND:
		h.flags = TMMR_VFU_F_TYPE_COMMAND;
		break;
	case FAULT_RANDOM:
	case FAULT_RANDOM_RAW:
		n = 1 + rand_r(&s->seed) % sizeof(junk);
		for (i = 0; i < n; i++)
			junk[i] = (uint8_t)rand_r(&s->seed);
		if (f == FAULT_RANDOM) {
			/* keep the framing right, randomize flags, errno and payload */
			h.flags = TMMR_VFU_F_TYPE_REPLY |
				(rand_r(&s->seed) % 4 == 0 ? TMMR_VFU_F_ERROR : 0);
			h.error_no = rand_r(&s->seed) % 200;
			h.size = (uint32_t)(HDR + n);
			iov[1].iov_base = junk;
			iov[1].iov_len = n;
			mh.msg_iovlen = 2;
			nfds = rand_r(&s->seed) % 2 ? nfds : 0;
			break;
		}
		if (send(s->sock, junk, n, MSG_NOSIGNAL) < 0)
			return;
		shutdown(s->sock, SHUT_RDWR);
		return;
	default:
		break;
	}
	if (nfds > 0) {
		memset(ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	if (sendmsg(s->sock, &mh, MSG_NOSIGNAL) < 0)
		return;
}

static void
do_version(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len)
{
	struct tmmr_vfu_version v;
	char rep[256];
	size_t n = sizeof(v);

	if (len < sizeof(v)) {
		bad(s, "%s: %u bytes", "VERSION", (unsigned int)len);
	} else {
		memcpy(&v, p, sizeof(v));
		if (v.major != 0 || v.minor != 1)
			bad(s, "%s: client version minor %u", "VERSION", v.minor);
		if (len > sizeof(v) &&
		    (p[len - 1] != '\0' ||
		     strstr((const char *)p + sizeof(v), "capabilities") == NULL))
			bad(s, "%s: bad JSON (%u)", "VERSION", (unsigned int)len);
	}
	v.major = s->ver_major;
	v.minor = s->ver_minor;
	memcpy(rep, &v, sizeof(v));
	if (s->max_fds > 0)
		n += (size_t)snprintf(rep + sizeof(v), sizeof(rep) - sizeof(v),
				      "{\"capabilities\":{\"max_msg_fds\":%d}}", s->max_fds) + 1;
	send_reply(s, h, rep, n, NULL, 0, 0);
}

static void
do_region_info(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len)
{
	struct tmmr_vfu_region_info ri;

	if (len < sizeof(ri)) {
		bad(s, "%s: %u bytes", "GET_REGION_INFO", (unsigned int)len);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	memcpy(&ri, p, sizeof(ri));
	if (ri.argsz < sizeof(ri))
		bad(s, "%s: argsz %u", "GET_REGION_INFO", ri.argsz);
	ri.argsz = sizeof(ri);
	ri.cap_offset = 0;
	ri.offset = (uint64_t)ri.index << 40;
	if (ri.index == TMMR_VFU_REGION_BAR0) {
		ri.size = TMMR_BAR0_SIZE;
		ri.flags = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
	} else if (ri.index == TMMR_VFU_REGION_CONFIG) {
		ri.size = TMMR_PCI_CFG_SIZE;
		ri.flags = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
	} else {
		ri.size = 0;
		ri.flags = 0;
	}
	send_reply(s, h, &ri, sizeof(ri), NULL, 0, 0);
}

static void
do_io_fds(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len)
{
	uint8_t rep[sizeof(struct tmmr_vfu_region_io_fds_reply) +
		    FAKE_NB_IOEVT * sizeof(struct tmmr_vfu_sub_region_ioeventfd)];
	struct tmmr_vfu_region_io_fds_req req;
	struct tmmr_vfu_region_io_fds_reply r;
	struct tmmr_vfu_sub_region_ioeventfd sub;
	unsigned int q;

	if (len < sizeof(req)) {
		bad(s, "%s: %u bytes", "GET_REGION_IO_FDS", (unsigned int)len);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	memcpy(&req, p, sizeof(req));
	if (!s->offer_ioevt || req.index != 0) {
		send_reply(s, h, NULL, 0, NULL, 0, ENOTSUP);
		return;
	}
	if (req.argsz < sizeof(rep))
		bad(s, "%s: argsz %u too small", "GET_REGION_IO_FDS", req.argsz);
	r = (struct tmmr_vfu_region_io_fds_reply){
		.argsz = sizeof(rep), .index = 0, .count = FAKE_NB_IOEVT,
	};
	memcpy(rep, &r, sizeof(r));
	for (q = 0; q < FAKE_NB_IOEVT; q++) {
		if (s->ioevt[q] < 0)
			s->ioevt[q] = eventfd(0, EFD_NONBLOCK);
		sub = (struct tmmr_vfu_sub_region_ioeventfd){
			.offset = TMMR_BAR0_NOTIFY_OFF + TMMR_NOTIFY_OFF_MULTIPLIER * q,
			.size = 2, .fd_index = q, .type = 0,
			.flags = TMMR_VFU_IOEVENTFD_F_DATAMATCH, .datamatch = q,
		};
		memcpy(rep + sizeof(r) + q * sizeof(sub), &sub, sizeof(sub));
	}
	send_reply(s, h, rep, sizeof(rep), s->ioevt, FAKE_NB_IOEVT, 0);
}

static uint8_t *
region_mem(struct fake_vfu *s, uint32_t region, uint64_t off, uint32_t count)
{
	if (region == TMMR_VFU_REGION_BAR0 && off <= TMMR_BAR0_SIZE &&
	    count <= TMMR_BAR0_SIZE - off)
		return s->bar0 + off;
	if (region == TMMR_VFU_REGION_CONFIG && off <= TMMR_PCI_CFG_SIZE &&
	    count <= TMMR_PCI_CFG_SIZE - off)
		return s->cfg + off;
	return NULL;
}

static void
do_region_rw(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len)
{
	uint8_t rep[sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER];
	struct tmmr_vfu_region_access a;
	bool rd = h->cmd == TMMR_VFU_REGION_READ;
	uint8_t *mem;

	if (len < sizeof(a)) {
		bad(s, "%s: %u bytes", "REGION_READ/WRITE", (unsigned int)len);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	memcpy(&a, p, sizeof(a));
	if (a.count == 0 || a.count > TMMR_VFU_MAX_DATA_XFER ||
	    (rd ? len != sizeof(a) : len != sizeof(a) + a.count)) {
		bad(s, "%s: count %u", rd ? "REGION_READ" : "REGION_WRITE", a.count);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	mem = region_mem(s, a.region, a.offset, a.count);
	if (mem == NULL) {
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	if (rd) {
		if (a.region == TMMR_VFU_REGION_CONFIG)
			s->n_cfg_reads++;
		memcpy(rep + sizeof(a), mem, a.count);
		if (s->fault == FAULT_WRONG_COUNT &&
		    (s->fault_cmd == 0 || s->fault_cmd == h->cmd)) {
			s->fault = FAULT_NONE;
			a.count--;
		}
		memcpy(rep, &a, sizeof(a));
		send_reply(s, h, rep, sizeof(a) + a.count, NULL, 0, 0);
		return;
	}
	memcpy(mem, p + sizeof(a), a.count);
	s->last_wr_region = a.region;
	s->last_wr_off = a.offset;
	s->last_wr_count = a.count;
	memcpy(s->last_wr_data, p + sizeof(a), a.count < 8 ? a.count : 8);
	send_reply(s, h, &a, sizeof(a), NULL, 0, 0);
}

static void
do_dma(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len, int *fds,
	unsigned int *nfds)
{
	struct tmmr_vfu_dma_map m;
	struct tmmr_vfu_dma_unmap u;
	unsigned int i;

	if (h->cmd == TMMR_VFU_DMA_MAP) {
		if (len != sizeof(m) || *nfds != 1) {
			bad(s, "%s: %u fds", "DMA_MAP", *nfds);
			send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
			return;
		}
		memcpy(&m, p, sizeof(m));
		if (m.argsz != sizeof(m) || m.flags != (TMMR_VFU_DMA_READ_OK |
							 TMMR_VFU_DMA_WRITE_OK) || m.size == 0)
			bad(s, "%s: flags %u", "DMA_MAP", m.flags);
		for (i = 0; i < s->n_maps; i++)
			if (s->maps[i].live && m.addr < s->maps[i].iova + s->maps[i].size &&
			    s->maps[i].iova < m.addr + m.size)
				bad(s, "%s: overlaps map %u", "DMA_MAP", i);
		/* a refused map is not a map */
		if (s->n_maps == FAKE_MAX_MAPS || (s->fault == FAULT_ERROR &&
						   (s->fault_cmd == 0 || s->fault_cmd == h->cmd))) {
			send_reply(s, h, NULL, 0, NULL, 0, ENOSPC);
			return;
		}
		s->maps[s->n_maps++] = (struct fake_dma_map){
			.fd = fds[0], .offset = m.offset, .iova = m.addr, .size = m.size,
			.live = true,
		};
		*nfds = 0;	/* kept */
		send_reply(s, h, NULL, 0, NULL, 0, 0);
		return;
	}
	if (len != sizeof(u)) {
		bad(s, "%s: %u bytes", "DMA_UNMAP", (unsigned int)len);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	memcpy(&u, p, sizeof(u));
	for (i = 0; i < s->n_maps; i++) {
		if (s->maps[i].live && s->maps[i].iova == u.addr && s->maps[i].size == u.size) {
			s->maps[i].live = false;
			s->n_unmaps++;
			send_reply(s, h, &u, sizeof(u), NULL, 0, 0);
			return;
		}
	}
	bad(s, "%s: no such map (size %u)", "DMA_UNMAP", (unsigned int)u.size);
	send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
}

static void
do_set_irqs(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len,
	    int *fds, unsigned int *nfds)
{
	struct tmmr_vfu_irq_set is;
	unsigned int i;

	if (len != sizeof(is)) {
		bad(s, "%s: %u bytes", "SET_IRQS", (unsigned int)len);
		send_reply(s, h, NULL, 0, NULL, 0, EINVAL);
		return;
	}
	memcpy(&is, p, sizeof(is));
	s->n_set_irqs++;
	s->last_irq_flags = is.flags;
	s->last_irq_start = is.start;
	s->last_irq_count = is.count;
	if (is.index != TMMR_VFU_IRQ_MSIX || is.argsz != sizeof(is))
		bad(s, "%s: index %u", "SET_IRQS", is.index);
	if (is.flags == (TMMR_VFU_IRQ_SET_DATA_NONE | TMMR_VFU_IRQ_SET_ACTION_TRIGGER) &&
	    is.count == 0) {
		for (i = 0; i < 64; i++) {
			if (s->irq_fd[i] >= 0)
				close(s->irq_fd[i]);
			s->irq_fd[i] = -1;
		}
	} else if (is.flags == (TMMR_VFU_IRQ_SET_DATA_EVENTFD |
				TMMR_VFU_IRQ_SET_ACTION_TRIGGER)) {
		if (*nfds != is.count || is.start + is.count > 64 ||
		    (s->max_fds > 0 && is.count > (unsigned int)s->max_fds) ||
		    (s->max_fds == 0 && is.count > 1))
			bad(s, "%s: %u fds", "SET_IRQS", *nfds);
		for (i = 0; i < *nfds && is.start + i < 64; i++) {
			if (s->irq_fd[is.start + i] >= 0)
				close(s->irq_fd[is.start + i]);
			s->irq_fd[is.start + i] = fds[i];
			fds[i] = -1;
		}
	} else {
		bad(s, "%s: flags 0x%x", "SET_IRQS", is.flags);
	}
	send_reply(s, h, NULL, 0, NULL, 0, 0);
}

static void
handle(struct fake_vfu *s, const struct tmmr_vfu_hdr *h, const uint8_t *p, size_t len, int *fds,
	unsigned int *nfds)
{
	struct tmmr_vfu_device_info di;

	if (h->cmd < 16)
		s->n_cmd[h->cmd]++;
	switch (h->cmd) {
	case TMMR_VFU_VERSION:
		do_version(s, h, p, len);
		break;
	case TMMR_VFU_DEVICE_GET_INFO:
		if (len < sizeof(di))
			bad(s, "%s: %u bytes", "GET_INFO", (unsigned int)len);
		di = (struct tmmr_vfu_device_info){
			.argsz = sizeof(di), .flags = s->dev_flags,
			.num_regions = TMMR_VFU_NUM_REGIONS, .num_irqs = TMMR_VFU_NUM_IRQS,
		};
		send_reply(s, h, &di, sizeof(di), NULL, 0, 0);
		break;
	case TMMR_VFU_DEVICE_GET_REGION_INFO:
		do_region_info(s, h, p, len);
		break;
	case TMMR_VFU_DEVICE_GET_REGION_IO_FDS:
		do_io_fds(s, h, p, len);
		break;
	case TMMR_VFU_REGION_READ:
	case TMMR_VFU_REGION_WRITE:
		do_region_rw(s, h, p, len);
		break;
	case TMMR_VFU_DMA_MAP:
	case TMMR_VFU_DMA_UNMAP:
		do_dma(s, h, p, len, fds, nfds);
		break;
	case TMMR_VFU_DEVICE_SET_IRQS:
		do_set_irqs(s, h, p, len, fds, nfds);
		break;
	case TMMR_VFU_DEVICE_RESET:
		send_reply(s, h, NULL, 0, NULL, 0, 0);
		break;
	default:
		bad(s, "%s %u", "unknown command", h->cmd);
		send_reply(s, h, NULL, 0, NULL, 0, ENOSYS);
		break;
	}
}

static void *
serve(void *arg)
{
	struct fake_vfu *s = arg;
	struct tmmr_vfu_hdr h;
	uint8_t *payload = malloc(TMMR_VFU_MAX_MSG_SIZE);
	int fds[64];
	unsigned int nfds, i;

	if (s->listen_fd >= 0) {
		s->sock = accept(s->listen_fd, NULL, NULL);
		if (s->sock < 0)
			goto out;
	}
	for (;;) {
		nfds = 0;
		if (recv_exact(s->sock, &h, HDR, fds, &nfds) != 0)
			break;
		if (h.size < HDR || h.size > TMMR_VFU_MAX_MSG_SIZE ||
		    (h.flags & TMMR_VFU_F_TYPE_MASK) != TMMR_VFU_F_TYPE_COMMAND) {
			pthread_mutex_lock(&s->lock);
			bad(s, "%s: size %u", "header", h.size);
			pthread_mutex_unlock(&s->lock);
			break;
		}
		if (recv_exact(s->sock, payload, h.size - HDR, fds, &nfds) != 0)
			break;
		pthread_mutex_lock(&s->lock);
		handle(s, &h, payload, h.size - HDR, fds, &nfds);
		pthread_mutex_unlock(&s->lock);
		for (i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
out:
	free(payload);
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int
fake_vfu_start_pair(struct fake_vfu *s)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	s->sock = sv[0];
	if (pthread_create(&s->thread, NULL, serve, s) != 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	return sv[1];
}

int
fake_vfu_start_listen(struct fake_vfu *s, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -1;
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->listen_fd, 1) != 0 ||
	    pthread_create(&s->thread, NULL, serve, s) != 0) {
		close(s->listen_fd);
		s->listen_fd = -1;
		return -1;
	}
	return 0;
}

void
fake_vfu_join(struct fake_vfu *s)
{
	unsigned int i;

	pthread_join(s->thread, NULL);
	if (s->sock >= 0)
		close(s->sock);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	for (i = 0; i < FAKE_NB_IOEVT; i++)
		if (s->ioevt[i] >= 0)
			close(s->ioevt[i]);
	for (i = 0; i < 64; i++)
		if (s->irq_fd[i] >= 0)
			close(s->irq_fd[i]);
	for (i = 0; i < s->n_maps; i++)
		close(s->maps[i].fd);
	pthread_mutex_destroy(&s->lock);
}

void
fake_vfu_fault(struct fake_vfu *s, enum fake_fault f, uint16_t cmd)
{
	pthread_mutex_lock(&s->lock);
	s->fault = f;
	s->fault_cmd = cmd;
	pthread_mutex_unlock(&s->lock);
}

void
fake_vfu_hangup(struct fake_vfu *s)
{
	pthread_mutex_lock(&s->lock);
	shutdown(s->sock, SHUT_RDWR);
	pthread_mutex_unlock(&s->lock);
}

int
fake_vfu_raise(struct fake_vfu *s, unsigned int vec)
{
	uint64_t one = 1;
	int ret = -1;

	pthread_mutex_lock(&s->lock);
	if (vec < 64 && s->irq_fd[vec] >= 0)
		ret = write(s->irq_fd[vec], &one, sizeof(one)) == sizeof(one) ? 0 : -1;
	pthread_mutex_unlock(&s->lock);
	return ret;
}
