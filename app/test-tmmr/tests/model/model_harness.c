/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "model_harness.h"
#include "vfemu_ctl.h"

#define RECV_TIMEOUT_MS	3000
#define MH_CLOSED	(-1000)

static unsigned int setups;

int
mh_setup(struct mh *h, const struct mh_cfg *cfg)
{
	struct vfemu_opts o;
	char err[256];

	memset(h, 0, sizeof(*h));
	h->fd = -1;
	mkdir("/tmp/model", 0755);
	if (cfg->dir != NULL)
		snprintf(h->dir, sizeof(h->dir), "%s", cfg->dir);
	else
		snprintf(h->dir, sizeof(h->dir), "/tmp/model/t%d-%u", (int)getpid(), setups++);
	h->loop = vfemu_loop_create();
	if (h->loop == NULL)
		return -1;
	vfemu_opts_default(&o);
	o.sysfs_dir = h->dir;
	o.nb_vfs = cfg->nb_vfs ? cfg->nb_vfs : 1;
	o.queue_pairs = cfg->pairs ? cfg->pairs : 1;
	o.backend_prefix = cfg->backend_prefix;
	o.backend_server = cfg->backend_server;
	if (cfg->mtu != 0)
		o.mtu = cfg->mtu;
	h->pf = vfemu_pf_create(h->loop, &o, err, sizeof(err));
	if (h->pf == NULL) {
		fprintf(stderr, "mh_setup: %s\n", err);
		vfemu_loop_destroy(h->loop);
		return -1;
	}
	return 0;
}

void
mh_teardown(struct mh *h)
{
	mh_close(h);
	vfemu_pf_destroy(h->pf);
	vfemu_loop_destroy(h->loop);
	h->pf = NULL;
	h->loop = NULL;
}

void
mh_pump(struct mh *h, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++)
		vfemu_loop_once(h->loop, 0);
}

int
mh_connect_raw(struct mh *h, unsigned int vf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (vfemu_pf_vf_socket(h->pf, vf, sa.sun_path, sizeof(sa.sun_path)) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	mh_pump(h, 2);	/* accept */
	return fd;
}

int
mh_connect(struct mh *h, unsigned int vf)
{
	struct {
		struct tmmr_vfu_version v;
		char caps[64];
	} out;
	struct tmmr_vfu_version v = { .major = 0, .minor = 1 };

	mh_close(h);
	h->fd = mh_connect_raw(h, vf);
	if (h->fd < 0)
		return -1;
	return mh_rpc(h, TMMR_VFU_VERSION, &v, sizeof(v), NULL, 0, &out, sizeof(out), NULL,
		      NULL) < (int)sizeof(v) ? -1 : 0;
}

void
mh_close(struct mh *h)
{
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
		mh_pump(h, 2);
	}
}

static bool
wait_readable(struct mh *h, int fd)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0)
			return true;
		vfemu_loop_once(h->loop, 5);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >
		    RECV_TIMEOUT_MS)
			return false;
	}
}

bool
mh_peer_closed(struct mh *h, int fd)
{
	char b[256];

	while (wait_readable(h, fd)) {
		ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0)
			return false;
	}
	return false;
}

int
mh_send_raw(struct mh *h, const void *buf, size_t len, const int *fds, unsigned int nb_fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 256)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nb_fds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nb_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nb_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nb_fds);
	}
	n = sendmsg(h->fd, &mh, MSG_NOSIGNAL);
	return n == (ssize_t)len ? 0 : -1;
}

static int
recv_exact(struct mh *h, void *buf, size_t len, int *fds, unsigned int *nb_fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];
	uint8_t *p = buf;

	while (len > 0) {
		struct iovec iov = { .iov_base = p, .iov_len = len };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		ssize_t n;

		if (!wait_readable(h, h->fd))
			return -1;
		n = recvmsg(h->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0)
			return -1;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
			unsigned int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;

			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (fds != NULL && nb_fds != NULL && *nb_fds < 64)
					fds[(*nb_fds)++] = fd;
				else
					close(fd);
			}
		}
		p += n;
		len -= n;
	}
	return 0;
}

int
mh_recv(struct mh *h, void *out, size_t cap, int *fds, unsigned int *nb_fds)
{
	struct tmmr_vfu_hdr hdr;
	static uint8_t body[TMMR_VFU_MAX_MSG_SIZE];
	uint32_t len;

	if (nb_fds != NULL)
		*nb_fds = 0;
	if (recv_exact(h, &hdr, sizeof(hdr), fds, nb_fds) < 0)
		return MH_CLOSED;
	if (hdr.size < sizeof(hdr) || hdr.size > TMMR_VFU_MAX_MSG_SIZE)
		return MH_CLOSED;
	len = hdr.size - sizeof(hdr);
	if (recv_exact(h, body, len, fds, nb_fds) < 0)
		return MH_CLOSED;
	h->last_reply_id = hdr.msg_id;
	h->last_reply_flags = hdr.flags;
	if (hdr.flags & TMMR_VFU_F_ERROR)
		return -(int)hdr.error_no;
	if (out != NULL)
		memcpy(out, body, len < cap ? len : cap);
	return (int)len;
}

int
mh_rpc(struct mh *h, uint16_t cmd, const void *payload, uint32_t len, const int *fds,
	unsigned int nb_fds, void *out, size_t cap, int *rfds, unsigned int *rnb_fds)
{
	static uint8_t msg[TMMR_VFU_MAX_MSG_SIZE];
	struct tmmr_vfu_hdr *hdr = (void *)msg;

	memset(hdr, 0, sizeof(*hdr));
	hdr->msg_id = ++h->msg_id;
	hdr->cmd = cmd;
	hdr->size = sizeof(*hdr) + len;
	hdr->flags = TMMR_VFU_F_TYPE_COMMAND;
	if (len > 0)
		memcpy(msg + sizeof(*hdr), payload, len);
	if (mh_send_raw(h, msg, hdr->size, fds, nb_fds) < 0)
		return MH_CLOSED;
	return mh_recv(h, out, cap, rfds, rnb_fds);
}

int
mh_region_read(struct mh *h, uint32_t region, uint64_t off, void *buf, uint32_t count)
{
	static uint8_t out[sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER];
	struct tmmr_vfu_region_access a = { .offset = off, .region = region, .count = count };
	int rc = mh_rpc(h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, out, sizeof(out), NULL,
			NULL);

	if (rc < 0)
		return rc;
	if (rc != (int)(sizeof(a) + count))
		return -EPROTO;
	memcpy(buf, out + sizeof(a), count);
	return 0;
}

int
mh_region_write(struct mh *h, uint32_t region, uint64_t off, const void *buf, uint32_t count)
{
	static uint8_t in[sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER + 64];
	struct tmmr_vfu_region_access a = { .offset = off, .region = region, .count = count };
	int rc;

	memcpy(in, &a, sizeof(a));
	memcpy(in + sizeof(a), buf, count);
	rc = mh_rpc(h, TMMR_VFU_REGION_WRITE, in, sizeof(a) + count, NULL, 0, NULL, 0, NULL,
		    NULL);
	return rc < 0 ? rc : 0;
}

int
mh_bar_read(struct mh *h, uint64_t off, unsigned int width, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	int rc = mh_region_read(h, TMMR_VFU_REGION_BAR0, off, b, width);

	*val = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return rc;
}

int
mh_bar_write(struct mh *h, uint64_t off, unsigned int width, uint32_t val)
{
	uint8_t b[4] = { val, val >> 8, val >> 16, val >> 24 };

	return mh_region_write(h, TMMR_VFU_REGION_BAR0, off, b, width);
}

uint32_t
mh_leg_read(struct mh *h, uint32_t reg, unsigned int width)
{
	uint32_t v = 0xdeadbeef;

	if (mh_bar_read(h, TMMR_BAR0_LEGACY_OFF + reg, width, &v) < 0)
		return 0xdeadbeef;
	return v;
}

void
mh_leg_write(struct mh *h, uint32_t reg, unsigned int width, uint32_t val)
{
	mh_bar_write(h, TMMR_BAR0_LEGACY_OFF + reg, width, val);
}

int
mh_mem_create(struct mh_mem *m, uint64_t iova, uint64_t size)
{
	m->fd = memfd_create("mh-dma", MFD_CLOEXEC);
	if (m->fd < 0 || ftruncate(m->fd, size) < 0)
		return -1;
	m->va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->va == MAP_FAILED)
		return -1;
	m->iova = iova;
	m->size = size;
	return 0;
}

void
mh_mem_destroy(struct mh_mem *m)
{
	munmap(m->va, m->size);
	close(m->fd);
}

int
mh_dma_map_raw(struct mh *h, uint64_t iova, uint64_t size, uint64_t offset, int fd)
{
	struct tmmr_vfu_dma_map m = {
		.argsz = sizeof(m),
		.flags = TMMR_VFU_DMA_READ_OK | TMMR_VFU_DMA_WRITE_OK,
		.offset = offset, .addr = iova, .size = size,
	};

	return mh_rpc(h, TMMR_VFU_DMA_MAP, &m, sizeof(m), &fd, fd >= 0 ? 1 : 0, NULL, 0, NULL,
		      NULL);
}

int
mh_dma_map(struct mh *h, const struct mh_mem *m)
{
	return mh_dma_map_raw(h, m->iova, m->size, 0, m->fd);
}

int
mh_dma_unmap(struct mh *h, uint64_t iova, uint64_t size)
{
	struct tmmr_vfu_dma_unmap u = { .argsz = sizeof(u), .addr = iova, .size = size };
	int rc = mh_rpc(h, TMMR_VFU_DMA_UNMAP, &u, sizeof(u), NULL, 0, NULL, 0, NULL, NULL);

	return rc < 0 ? rc : 0;
}

int
mh_set_msix(struct mh *h, uint32_t start, uint32_t count, int *efds)
{
	struct tmmr_vfu_irq_set s = {
		.argsz = sizeof(s),
		.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_TRIGGER,
		.index = TMMR_VFU_IRQ_MSIX, .start = start, .count = count,
	};
	uint32_t i;
	int rc;

	for (i = 0; i < count; i++)
		efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = mh_rpc(h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), efds, count, NULL, 0, NULL, NULL);
	return rc < 0 ? rc : 0;
}

bool
mh_efd_fired(int efd)
{
	uint64_t v;

	return read(efd, &v, sizeof(v)) == sizeof(v) && v > 0;
}

static int
status_value(struct mh *h, unsigned int vf, const char *key, char *buf, size_t len)
{
	char line[1024], cmd[32], pat[64], *p, *e;

	snprintf(cmd, sizeof(cmd), "status %u", vf);
	mh_ctl(h, cmd, line, sizeof(line));
	snprintf(pat, sizeof(pat), " %s=", key);
	if (strncmp(line, pat + 1, strlen(pat + 1)) == 0)
		p = line + strlen(pat + 1);
	else if ((p = strstr(line, pat)) != NULL)
		p += strlen(pat);
	else
		return -1;
	e = strchr(p, ' ');
	if (e != NULL)
		*e = '\0';
	snprintf(buf, len, "%s", p);
	return 0;
}

long
mh_status_num(struct mh *h, unsigned int vf, const char *key)
{
	char v[64];

	if (status_value(h, vf, key, v, sizeof(v)) < 0)
		return -1;
	return strtol(v, NULL, 0);
}

int
mh_status_str(struct mh *h, unsigned int vf, const char *key, char *buf, size_t len)
{
	return status_value(h, vf, key, buf, len);
}

void
mh_ctl(struct mh *h, const char *line, char *out, size_t len)
{
	vfemu_ctl_exec(h->pf, h->loop, line, out, len);
}

int
mh_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}
