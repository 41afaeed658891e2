/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vfio-user message layer. The socket is non-blocking and every wait is
 * bounded by one deadline per request, so a server that stops answering
 * costs at most timeout_ms once; after that the device is gone and every
 * later request fails at once.
 */

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_common.h>

#include "tmmr_pci_priv.h"
#include "tmmr_vfu_client.h"

#define HDR_SIZE	sizeof(struct tmmr_vfu_hdr)

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Caller holds c->lock. */
static void
mark_dead(struct tmmr_vfu_client *c, const char *why, int err)
{
	if (c->dead)
		return;
	__atomic_store_n(&c->dead, true, __ATOMIC_RELAXED);
	/* keep the fd number until fini so it cannot be reused under us */
	shutdown(c->sock, SHUT_RDWR);
	PCI_LOG(ERR, "%s: vfio-user server gone (%s%s%s); register reads now return all-ones",
		c->name, why, err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
}

/* Wait for @events until @deadline: 0, -ETIMEDOUT or -errno. */
static int
wait_sock(struct tmmr_vfu_client *c, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = c->sock, .events = events };
	int64_t left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
send_all(struct tmmr_vfu_client *c, struct iovec *iov, int iovcnt, const int *fds,
	 unsigned int nfds, int64_t deadline)
{
	char ctrl[CMSG_SPACE(sizeof(int) * TMMR_VFU_MAX_FDS)];
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;
	int ret;

	if (nfds > TMMR_VFU_MAX_FDS)
		return -EINVAL;
	while (iovcnt > 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = iovcnt;
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
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			ret = wait_sock(c, POLLOUT, deadline);
			if (ret != 0)
				return ret;
			continue;
		}
		nfds = 0;	/* the fds went with the first byte */
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

/*
 * Receive exactly @len bytes (into @buf, or dropped if NULL), collecting
 * any fds into @fds (closing those beyond @max_fds).
 */
static int
recv_all(struct tmmr_vfu_client *c, void *buf, size_t len, int *fds, unsigned int max_fds,
	 unsigned int *nfds, int64_t deadline)
{
	char ctrl[CMSG_SPACE(sizeof(int) * TMMR_VFU_MAX_FDS)];
	char scratch[512];
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	size_t got = 0, i, nrecv;
	ssize_t n;
	int fd, ret;

	while (got < len) {
		memset(&mh, 0, sizeof(mh));
		if (buf != NULL) {
			iov.iov_base = (char *)buf + got;
			iov.iov_len = len - got;
		} else {
			iov.iov_base = scratch;
			iov.iov_len = RTE_MIN(sizeof(scratch), len - got);
		}
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		n = recvmsg(c->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			ret = wait_sock(c, POLLIN, deadline);
			if (ret != 0)
				return ret;
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			nrecv = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nrecv; i++) {
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (fds != NULL && *nfds < max_fds)
					fds[(*nfds)++] = fd;
				else
					close(fd);
			}
		}
		if (mh.msg_flags & MSG_CTRUNC)
			return -EPROTO;	/* more fds than any message may carry */
		got += n;
	}
	return 0;
}

int
tmmr_vfu_xfer(struct tmmr_vfu_client *c, struct tmmr_vfu_msg *m)
{
	struct tmmr_vfu_hdr hdr, rhdr;
	struct iovec iov[2];
	int64_t deadline;
	size_t body, keep;
	unsigned int nrfds = 0;
	int rfds_local[TMMR_VFU_MAX_FDS];
	int *rfds = m->rfds != NULL ? m->rfds : rfds_local;
	unsigned int max_rfds = m->rfds != NULL ? m->max_rfds : 0;
	int ret;

	m->reply_len = 0;
	m->nrfds = 0;
	if (HDR_SIZE + m->req_len > TMMR_VFU_MAX_MSG_SIZE)
		return -EMSGSIZE;
	pthread_mutex_lock(&c->lock);
	if (c->dead) {
		pthread_mutex_unlock(&c->lock);
		return -ENOTCONN;
	}
	deadline = now_ms() + c->timeout_ms;

	memset(&hdr, 0, sizeof(hdr));
	hdr.msg_id = c->next_id++;
	hdr.cmd = m->cmd;
	hdr.size = (uint32_t)(HDR_SIZE + m->req_len);
	hdr.flags = TMMR_VFU_F_TYPE_COMMAND;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = HDR_SIZE;
	iov[1].iov_base = (void *)(uintptr_t)m->req;
	iov[1].iov_len = m->req_len;
	ret = send_all(c, iov, m->req_len > 0 ? 2 : 1, m->fds, m->nfds, deadline);
	if (ret != 0) {
		mark_dead(c, "cannot send request", -ret);
		goto out;
	}

	ret = recv_all(c, &rhdr, HDR_SIZE, rfds, max_rfds, &nrfds, deadline);
	if (ret != 0) {
		mark_dead(c, ret == -ECONNRESET ? "EOF" : ret == -ETIMEDOUT ?
			  "no reply in time" : "cannot read reply", ret == -ECONNRESET ||
			  ret == -ETIMEDOUT ? 0 : -ret);
		goto out;
	}
	if (rhdr.size < HDR_SIZE || rhdr.size > TMMR_VFU_MAX_MSG_SIZE) {
		PCI_LOG(ERR, "%s: reply to command %u has size %u", c->name, m->cmd, rhdr.size);
		ret = -EPROTO;
		mark_dead(c, "malformed reply size", 0);
		goto out;
	}
	if ((rhdr.flags & TMMR_VFU_F_TYPE_MASK) != TMMR_VFU_F_TYPE_REPLY ||
	    rhdr.msg_id != hdr.msg_id || rhdr.cmd != hdr.cmd) {
		PCI_LOG(ERR, "%s: expected reply to msg %u command %u, got %s msg %u command %u",
			c->name, hdr.msg_id, hdr.cmd,
			(rhdr.flags & TMMR_VFU_F_TYPE_MASK) == TMMR_VFU_F_TYPE_REPLY ?
			"reply" : "command", rhdr.msg_id, rhdr.cmd);
		ret = -EPROTO;
		mark_dead(c, "out-of-sequence message", 0);
		goto out;
	}
	body = rhdr.size - HDR_SIZE;
	keep = RTE_MIN(body, m->reply_cap);
	ret = recv_all(c, m->reply, keep, rfds, max_rfds, &nrfds, deadline);
	if (ret == 0 && body > keep)
		ret = recv_all(c, NULL, body - keep, rfds, max_rfds, &nrfds, deadline);
	if (ret != 0) {
		mark_dead(c, ret == -ECONNRESET ? "EOF inside a reply" : "cannot read reply",
			  ret == -ECONNRESET ? 0 : -ret);
		goto out;
	}
	if (rhdr.flags & TMMR_VFU_F_ERROR) {
		ret = rhdr.error_no > 0 && rhdr.error_no < 4096 ? -(int)rhdr.error_no : -EIO;
		goto out;
	}
	m->reply_len = body;
	m->nrfds = nrfds;
	nrfds = 0;
	ret = 0;
out:
	pthread_mutex_unlock(&c->lock);
	close_fds(rfds, nrfds);
	return ret;
}

int
tmmr_vfu_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int
tmmr_vfu_client_init(struct tmmr_vfu_client *c, int sock, const char *name)
{
	int fl;

	memset(c, 0, sizeof(*c));
	c->sock = sock;
	c->timeout_ms = TMMR_VFU_DEFAULT_TIMEOUT_MS;
	c->max_fds = 1;
	c->max_xfer = TMMR_VFU_MAX_DATA_XFER;
	snprintf(c->name, sizeof(c->name), "%s", name);
	fl = fcntl(sock, F_GETFL);
	if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) != 0)
		return -errno;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void
tmmr_vfu_client_fini(struct tmmr_vfu_client *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	pthread_mutex_destroy(&c->lock);
}

/* A number after "key": in the server's JSON, or @def. */
static uint32_t
json_u32(const char *json, const char *key, uint32_t def)
{
	const char *s = strstr(json, key);
	unsigned long v;
	char *end;

	if (s == NULL)
		return def;
	s += strlen(key);
	while (*s == '"' || *s == ' ' || *s == ':' || *s == '\t')
		s++;
	v = strtoul(s, &end, 10);
	if (end == s || v == 0 || v > UINT32_MAX)
		return def;
	return (uint32_t)v;
}

int
tmmr_vfu_handshake(struct tmmr_vfu_client *c)
{
	static const char caps[] =
		"{\"capabilities\":{\"max_msg_fds\":64,\"max_data_xfer_size\":4096}}";
	char req[sizeof(struct tmmr_vfu_version) + sizeof(caps)];
	char rep[1024];
	struct tmmr_vfu_version ver = {
		.major = TMMR_VFU_VERSION_MAJOR,
		.minor = TMMR_VFU_VERSION_MINOR,
	};
	struct tmmr_vfu_msg m = {
		.cmd = TMMR_VFU_VERSION,
		.req = req,
		.req_len = sizeof(req),
		.reply = rep,
		.reply_cap = sizeof(rep) - 1,
	};
	int ret;

	memcpy(req, &ver, sizeof(ver));
	memcpy(req + sizeof(ver), caps, sizeof(caps));
	ret = tmmr_vfu_xfer(c, &m);
	if (ret != 0) {
		PCI_LOG(ERR, "%s: VERSION failed: %s", c->name, strerror(-ret));
		return ret;
	}
	if (m.reply_len < sizeof(ver)) {
		PCI_LOG(ERR, "%s: VERSION reply of %zu bytes is too short", c->name,
			m.reply_len);
		return -EPROTO;
	}
	memcpy(&ver, rep, sizeof(ver));
	if (ver.major != TMMR_VFU_VERSION_MAJOR || ver.minor != TMMR_VFU_VERSION_MINOR) {
		PCI_LOG(ERR, "%s: server speaks vfio-user %u.%u, we need %u.%u", c->name,
			ver.major, ver.minor, TMMR_VFU_VERSION_MAJOR, TMMR_VFU_VERSION_MINOR);
		return -EPROTONOSUPPORT;
	}
	rep[RTE_MIN(m.reply_len, sizeof(rep) - 1)] = '\0';
	if (m.reply_len > sizeof(ver)) {
		const char *json = rep + sizeof(ver);

		c->max_fds = RTE_MIN(json_u32(json, "max_msg_fds", 1),
				     (uint32_t)TMMR_VFU_MAX_FDS);
		c->max_xfer = RTE_MIN(json_u32(json, "max_data_xfer_size",
					       TMMR_VFU_MAX_DATA_XFER),
				      (uint32_t)TMMR_VFU_MAX_DATA_XFER);
	}
	return 0;
}

int
tmmr_vfu_region_read(struct tmmr_vfu_client *c, uint32_t region, uint64_t off, void *buf,
		     uint32_t len)
{
	uint8_t rep[sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER];
	struct tmmr_vfu_region_access req, got;
	struct tmmr_vfu_msg m;
	uint32_t chunk;
	int ret;

	while (len > 0) {
		chunk = RTE_MIN(len, c->max_xfer);
		req.offset = off;
		req.region = region;
		req.count = chunk;
		memset(&m, 0, sizeof(m));
		m.cmd = TMMR_VFU_REGION_READ;
		m.req = &req;
		m.req_len = sizeof(req);
		m.reply = rep;
		m.reply_cap = sizeof(rep);
		ret = tmmr_vfu_xfer(c, &m);
		if (ret != 0)
			return ret;
		memcpy(&got, rep, RTE_MIN(sizeof(got), m.reply_len));
		if (m.reply_len != sizeof(got) + chunk || got.count != chunk ||
		    got.region != region || got.offset != off) {
			PCI_LOG(ERR,
				"%s: bad REGION_READ reply (%zu bytes) for region %u +0x%" PRIx64
				" count %u", c->name, m.reply_len, region, off, chunk);
			return -EPROTO;
		}
		memcpy(buf, rep + sizeof(got), chunk);
		buf = (uint8_t *)buf + chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

int
tmmr_vfu_region_write(struct tmmr_vfu_client *c, uint32_t region, uint64_t off,
		      const void *buf, uint32_t len)
{
	uint8_t req[sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER];
	struct tmmr_vfu_region_access hdr, got;
	struct tmmr_vfu_msg m;
	uint32_t chunk;
	int ret;

	while (len > 0) {
		chunk = RTE_MIN(len, c->max_xfer);
		hdr.offset = off;
		hdr.region = region;
		hdr.count = chunk;
		memcpy(req, &hdr, sizeof(hdr));
		memcpy(req + sizeof(hdr), buf, chunk);
		memset(&m, 0, sizeof(m));
		m.cmd = TMMR_VFU_REGION_WRITE;
		m.req = req;
		m.req_len = sizeof(hdr) + chunk;
		m.reply = &got;
		m.reply_cap = sizeof(got);
		ret = tmmr_vfu_xfer(c, &m);
		if (ret != 0)
			return ret;
		if (m.reply_len < sizeof(got) || got.count != chunk) {
			PCI_LOG(ERR, "%s: bad REGION_WRITE reply (%zu bytes) for region %u +0x%"
				PRIx64, c->name, m.reply_len, region, off);
			return -EPROTO;
		}
		buf = (const uint8_t *)buf + chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

bool
tmmr_vfu_client_alive(struct tmmr_vfu_client *c)
{
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN | POLLRDHUP };
	bool alive;
	char b;

	/* a request in flight will notice by itself */
	if (pthread_mutex_trylock(&c->lock) != 0)
		return !__atomic_load_n(&c->dead, __ATOMIC_RELAXED);
	if (!c->dead && poll(&pfd, 1, 0) > 0) {
		if (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL))
			mark_dead(c, "hang-up", 0);
		else if (recv(c->sock, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			mark_dead(c, "EOF", 0);
		else
			mark_dead(c, "unsolicited message", 0);
	}
	alive = !c->dead;
	pthread_mutex_unlock(&c->lock);
	return alive;
}
