/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vhost-user frontend of one VF.
 *
 * Requests are synchronous: the model's control plane is single-threaded and
 * a backend answers in microseconds, so every request is sent and its reply
 * read in place. While it waits, no driver is served, so the wait is bounded
 * per operation, not per request: a handshake, a start (with the stop it may
 * imply), a stop, a memory update or a ring switch gets OP_BUDGET_MS in all.
 * A driver's request can wait for at most two operations (a handshake the
 * loop was in, then its own), below the PMD's 5 s vfio-user timeout, so a
 * backend that is slow (a testpmd starting on a loaded machine) costs the
 * connection, which is retried, never the driver's device. Anything unexpected
 * from the backend (EOF, error, timeout, malformed reply, unsolicited bytes,
 * file descriptors in a reply) breaks the connection.
 *
 * Breaking a connection from inside a request does not call the model back
 * right there (the model is in the middle of its own call): the socket is
 * shut down, which makes it readable in the event loop, and the loop's
 * callback closes it and reports connection(false) from a clean stack.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vfemu_memtab.h"
#include "vfemu_vhost.h"
#include "vfemu_vhost_proto.h"

_Static_assert(VFEMU_MEMTAB_MAX_REGIONS == VHOST_USER_MAX_REGIONS, "one fd per region");

#define OP_BUDGET_MS 2000
/* the ring index travels in 8 bits in SET_VRING_KICK/CALL */
#define MAX_RINGS 256
#define MAX_RING_SIZE 32768
/* client mode: retry every tick at first, then back off to every 8th tick */
#define MAX_RETRY_BACKOFF 8
/* protocol features the model makes use of */
#define WANTED_PROTOCOL_FEATURES ((1ULL << VHOST_USER_PROTOCOL_F_MQ) | \
				  (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
				  (1ULL << VHOST_USER_PROTOCOL_F_NET_MTU))

struct vfemu_vhost {
	struct vfemu_loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	struct vfemu_vhost_ops ops;
	void *opaque;

	int listen_fd;		/* server mode */
	bool listen_watched;	/* not while a backend is connected */
	int fd;			/* connection, -1 if none */
	bool fd_watched;
	bool connected;		/* handshake done, socket healthy */
	bool announced;		/* connection(true) was reported */
	bool renewing;		/* client: we closed it for a new session, not the backend */
	bool waiting_logged;	/* client: "backend missing" said once */
	unsigned int retry_backoff;	/* client: ticks between attempts */
	unsigned int retry_skip;	/* client: ticks left before the next one */

	uint64_t features;	/* backend's virtio features */
	uint64_t protocol;	/* negotiated protocol features */
	uint16_t max_queue_pairs;
	uint16_t mtu;		/* the VF's MTU, told with NET_SET_MTU; 0: never */

	uint64_t op_deadline;	/* end of the current operation's budget, 0: none */
	bool started;
	bool mem_sent;		/* the backend holds a memory table of this session */
	bool translated;	/* ... and translates IOVAs through our IOTLB entries */
	struct vfemu_memtab *tab;	/* the table the backend holds (while mem_sent) */
	struct vfemu_memtab *next;	/* the one being planned */
	unsigned int nb_started;
	uint16_t started_rings[MAX_RINGS];
};

static void
vh_log(const struct vfemu_vhost *vh, const char *what, int err)
{
	if (err != 0)
		fprintf(stderr, "vfemu: vhost %s: %s: %s\n", vh->path, what, strerror(-err));
	else
		fprintf(stderr, "vfemu: vhost %s: %s\n", vh->path, what);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Opens an operation's budget unless one is open (a start that stops first); returns
 * whether this call opened it, for op_end(). */
static bool
op_begin(struct vfemu_vhost *vh)
{
	if (vh->op_deadline != 0)
		return false;
	vh->op_deadline = now_ms() + OP_BUDGET_MS;
	return true;
}

static void
op_end(struct vfemu_vhost *vh, bool opened)
{
	if (opened)
		vh->op_deadline = 0;
}

static bool
has_protocol(const struct vfemu_vhost *vh, unsigned int bit)
{
	return (vh->protocol & (1ULL << bit)) != 0;
}

static bool
protocol_negotiated(const struct vfemu_vhost *vh)
{
	return (vh->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) != 0;
}

static bool
iommu_offered(const struct vfemu_vhost *vh)
{
	return (vh->features & (1ULL << VHOST_USER_F_IOMMU_PLATFORM)) != 0;
}

/* Wait until @fd has @events or the deadline passes. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		uint64_t now = now_ms();
		int rc;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc > 0)
			return 0;	/* errors and hangups surface in the I/O call */
		if (rc == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
send_all(int fd, const void *buf, size_t len, const int *fds, unsigned int nb_fds,
	 uint64_t deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
	const char *p = buf;

	while (len > 0) {
		struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		int rc;

		if (nb_fds > 0) {
			struct cmsghdr *cm;

			memset(cbuf, 0, sizeof(cbuf));
			mh.msg_control = cbuf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nb_fds);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nb_fds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * nb_fds);
		}
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			/* the fds went with the first byte */
			nb_fds = 0;
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Read exactly @len bytes. A reply never carries fds on this channel: any that
 * arrive are closed and make the read fail.
 */
static int
recv_all(int fd, void *buf, size_t len, uint64_t deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
	char *p = buf;

	while (len > 0) {
		struct iovec iov = { .iov_base = p, .iov_len = len };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		bool got_fds = false;
		struct cmsghdr *cm;
		ssize_t n;
		int rc;

		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			rc = wait_fd(fd, POLLIN, deadline);
			if (rc < 0)
				return rc;
			continue;
		}
		if (n < 0)
			return -errno;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t nfd, i;

			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfd; i++) {
				int rfd;

				memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				close(rfd);
			}
			got_fds = true;
		}
		if (got_fds || (mh.msg_flags & MSG_CTRUNC))
			return -EPROTO;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Unregister and close the connection; report it if the model knew about it. */
static void
conn_close(struct vfemu_vhost *vh);

/*
 * A request failed on the transport or the backend misbehaved: stop using the
 * socket now, report the loss from the event loop (see the file comment).
 */
static void
conn_break(struct vfemu_vhost *vh, const char *why, int err)
{
	if (vh->fd < 0 || !vh->connected)
		return;
	vh_log(vh, why, err);
	vh->connected = false;
	vh->started = false;
	vh->nb_started = 0;
	shutdown(vh->fd, SHUT_RDWR);
}

/*
 * Send one request. With @reply, read the reply of @reply_size bytes and check
 * it belongs to this request. With @ack (and REPLY_ACK negotiated) ask for and
 * check the backend's status. -EIO: the backend refused (connection kept);
 * other errors broke the connection.
 */
static int
vh_request(struct vfemu_vhost *vh, uint32_t request, const void *payload, uint32_t size,
	   const int *fds, unsigned int nb_fds, void *reply, uint32_t reply_size, bool ack)
{
	struct vhost_user_msg msg;
	struct vhost_user_hdr rhdr;
	union vhost_user_payload rpl;
	uint64_t deadline;
	int rc;

	if (vh->fd < 0 || !vh->connected)
		return -ENOTCONN;
	if (reply != NULL)
		ack = false;	/* the reply itself is the answer */
	else if (!has_protocol(vh, VHOST_USER_PROTOCOL_F_REPLY_ACK))
		ack = false;
	memset(&msg, 0, sizeof(msg));
	msg.hdr.request = request;
	msg.hdr.flags = VHOST_USER_FLAG_VERSION | (ack ? VHOST_USER_FLAG_NEED_REPLY : 0);
	msg.hdr.size = size;
	if (size > 0)
		memcpy(&msg.payload, payload, size);
	deadline = vh->op_deadline != 0 ? vh->op_deadline : now_ms() + OP_BUDGET_MS;
	rc = send_all(vh->fd, &msg, VHOST_USER_HDR_SIZE + size, fds, nb_fds, deadline);
	if (rc < 0) {
		conn_break(vh, "send failed", rc);
		return rc;
	}
	if (reply == NULL && !ack)
		return 0;
	if (ack)
		reply_size = sizeof(uint64_t);

	rc = recv_all(vh->fd, &rhdr, sizeof(rhdr), deadline);
	if (rc < 0) {
		conn_break(vh, "no reply", rc);
		return rc;
	}
	if (rhdr.request != request ||
	    (rhdr.flags & VHOST_USER_FLAG_VERSION_MASK) != VHOST_USER_FLAG_VERSION ||
	    !(rhdr.flags & VHOST_USER_FLAG_REPLY) || rhdr.size != reply_size) {
		fprintf(stderr, "vfemu: vhost %s: bad reply to request %u: request %u flags %#x "
			"size %u\n", vh->path, request, rhdr.request, rhdr.flags, rhdr.size);
		conn_break(vh, "protocol error", -EPROTO);
		return -EPROTO;
	}
	rc = recv_all(vh->fd, &rpl, reply_size, deadline);
	if (rc < 0) {
		conn_break(vh, "short reply", rc);
		return rc;
	}
	if (ack)
		return rpl.u64 == 0 ? 0 : -EIO;
	memcpy(reply, &rpl, reply_size);
	return 0;
}

static int
vh_get_u64(struct vfemu_vhost *vh, uint32_t request, uint64_t *val)
{
	return vh_request(vh, request, NULL, 0, NULL, 0, val, sizeof(*val), false);
}

static int
vh_set_u64(struct vfemu_vhost *vh, uint32_t request, uint64_t val, int fd)
{
	return vh_request(vh, request, &val, sizeof(val), &fd, fd >= 0 ? 1 : 0, NULL, 0, true);
}

static int
vh_set_state(struct vfemu_vhost *vh, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_user_vring_state st = { .index = index, .num = num };

	return vh_request(vh, request, &st, sizeof(st), NULL, 0, NULL, 0, true);
}

/* Features, protocol features, queue count, ownership, the VF's MTU. */
static int
handshake(struct vfemu_vhost *vh)
{
	uint64_t offered, queues;
	int rc;

	vh->protocol = 0;
	vh->max_queue_pairs = 1;
	rc = vh_get_u64(vh, VHOST_USER_REQ_GET_FEATURES, &vh->features);
	if (rc < 0)
		return rc;
	if (protocol_negotiated(vh)) {
		rc = vh_get_u64(vh, VHOST_USER_REQ_GET_PROTOCOL_FEATURES, &offered);
		if (rc < 0)
			return rc;
		/* no ack on this one: REPLY_ACK only counts once it is set */
		rc = vh_set_u64(vh, VHOST_USER_REQ_SET_PROTOCOL_FEATURES,
				offered & WANTED_PROTOCOL_FEATURES, -1);
		if (rc < 0)
			return rc;
		vh->protocol = offered & WANTED_PROTOCOL_FEATURES;
	}
	if (has_protocol(vh, VHOST_USER_PROTOCOL_F_MQ)) {
		rc = vh_get_u64(vh, VHOST_USER_REQ_GET_QUEUE_NUM, &queues);
		if (rc < 0)
			return rc;
		if (queues < 1)
			queues = 1;
		if (queues > MAX_RINGS / 2)
			queues = MAX_RINGS / 2;
		vh->max_queue_pairs = (uint16_t)queues;
	}
	rc = vh_request(vh, VHOST_USER_REQ_SET_OWNER, NULL, 0, NULL, 0, NULL, 0, true);
	if (rc < 0)
		return rc;
	/* as QEMU does for host_mtu=: the backend then takes frames of the VF's MTU */
	if (vh->mtu != 0 && has_protocol(vh, VHOST_USER_PROTOCOL_F_NET_MTU)) {
		rc = vh_set_u64(vh, VHOST_USER_REQ_NET_SET_MTU, vh->mtu, -1);
		if (rc == 0)
			fprintf(stderr, "vfemu: vhost %s: backend told MTU %u\n", vh->path,
				vh->mtu);
	}
	return rc;
}

static void
listen_event(void *opaque, int fd, uint32_t events);
static void
conn_event(void *opaque, int fd, uint32_t events);

static void
listen_rearm(struct vfemu_vhost *vh)
{
	if (!vh->server || vh->listen_fd < 0 || vh->listen_watched)
		return;
	if (vfemu_loop_add(vh->loop, vh->listen_fd, EPOLLIN, listen_event, vh) == 0)
		vh->listen_watched = true;
}

/* A new session that did not come up: the backend is gone after all (link down). */
static void
renewal_failed(struct vfemu_vhost *vh)
{
	if (!vh->renewing)
		return;
	vh->renewing = false;
	if (vh->ops.connection != NULL)
		vh->ops.connection(vh->opaque, false);
}

static void
conn_close(struct vfemu_vhost *vh)
{
	bool was_announced = vh->announced;

	if (vh->fd >= 0) {
		if (vh->fd_watched)
			vfemu_loop_del(vh->loop, vh->fd);
		close(vh->fd);
	}
	vh->fd = -1;
	vh->fd_watched = false;
	vh->connected = false;
	vh->announced = false;
	vh->started = false;
	vh->mem_sent = false;
	vh->translated = false;
	vh->nb_started = 0;
	vh->features = 0;
	vh->protocol = 0;
	vh->max_queue_pairs = 1;
	listen_rearm(vh);
	if (was_announced) {
		vh_log(vh, "backend disconnected", 0);
		if (vh->ops.connection != NULL)
			vh->ops.connection(vh->opaque, false);
	} else {
		renewal_failed(vh);
	}
}

/* A fresh socket to a backend: negotiate, watch it, tell the model. */
static void
conn_open(struct vfemu_vhost *vh, int fd)
{
	bool op;
	int rc;

	vh->fd = fd;
	vh->connected = true;
	op = op_begin(vh);
	rc = handshake(vh);
	op_end(vh, op);
	if (rc == 0) {
		rc = vfemu_loop_add(vh->loop, fd, EPOLLIN | EPOLLRDHUP, conn_event, vh);
		vh->fd_watched = rc == 0;
	}
	if (rc < 0 || !vh->connected) {
		vh_log(vh, "handshake failed", rc < 0 ? rc : -EPROTO);
		conn_close(vh);
		return;
	}
	vh->announced = true;
	vh->renewing = false;
	vh->waiting_logged = false;
	fprintf(stderr, "vfemu: vhost %s: backend connected (features %#llx, protocol %#llx, "
		"%u queue pairs)\n", vh->path, (unsigned long long)vh->features,
		(unsigned long long)vh->protocol, vh->max_queue_pairs);
	if (vh->ops.connection != NULL)
		vh->ops.connection(vh->opaque, true);
}

/* The backend only ever speaks when asked: readable while idle means gone. */
static void
conn_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_vhost *vh = opaque;
	char byte;
	ssize_t n;

	if (fd != vh->fd)
		return;
	if (vh->connected && !(events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))) {
		n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n > 0)
			vh_log(vh, "unsolicited message from the backend", -EPROTO);
	}
	conn_close(vh);
}

static void
listen_event(void *opaque, int fd, uint32_t events)
{
	struct vfemu_vhost *vh = opaque;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (vh->fd >= 0) {
		/* one backend at a time */
		close(cfd);
		return;
	}
	/* leave further backends in the backlog while this one is served */
	vfemu_loop_del(vh->loop, vh->listen_fd);
	vh->listen_watched = false;
	conn_open(vh, cfd);
}

static void
connect_tick(void *opaque)
{
	struct vfemu_vhost *vh = opaque;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (vh->fd >= 0)
		return;
	/* a thousand VFs without backends should not cost a thousand connects a tick */
	if (vh->retry_skip > 0) {
		vh->retry_skip--;
		return;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memcpy(sa.sun_path, vh->path, sizeof(sa.sun_path));
	/* a unix connect completes or fails at once; EAGAIN (backlog full) retries */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (!vh->waiting_logged)
			vh_log(vh, "waiting for the backend", -errno);
		vh->waiting_logged = true;
		close(fd);
		renewal_failed(vh);
		vh->retry_skip = vh->retry_backoff;
		vh->retry_backoff = vh->retry_backoff == 0 ? 1 :
				    vh->retry_backoff * 2 > MAX_RETRY_BACKOFF ?
				    MAX_RETRY_BACKOFF : vh->retry_backoff * 2;
		return;
	}
	vh->retry_backoff = 0;
	vh->retry_skip = 0;
	conn_open(vh, fd);
}

static int
listen_open(struct vfemu_vhost *vh)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, vh->path, sizeof(sa.sun_path));
	/* a socket left by an earlier run; never remove anything else */
	if (lstat(vh->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(vh->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	vh->listen_fd = fd;
	listen_rearm(vh);
	if (!vh->listen_watched) {
		close(fd);
		vh->listen_fd = -1;
		unlink(vh->path);
		return -ENOMEM;
	}
	return 0;
}

struct vfemu_vhost *
vfemu_vhost_create(struct vfemu_loop *loop, const char *path, bool server,
		   const struct vfemu_vhost_ops *ops, void *opaque)
{
	struct vfemu_vhost *vh;
	int rc;

	if (loop == NULL || path == NULL || path[0] == '\0')
		return NULL;
	if (strlen(path) >= sizeof(vh->path))
		return NULL;
	vh = calloc(1, sizeof(*vh));
	if (vh == NULL)
		return NULL;
	vh->tab = calloc(1, sizeof(*vh->tab));
	vh->next = calloc(1, sizeof(*vh->next));
	if (vh->tab == NULL || vh->next == NULL) {
		free(vh->tab);
		free(vh->next);
		free(vh);
		return NULL;
	}
	vh->loop = loop;
	strcpy(vh->path, path);
	vh->server = server;
	if (ops != NULL)
		vh->ops = *ops;
	vh->opaque = opaque;
	vh->listen_fd = -1;
	vh->fd = -1;
	vh->max_queue_pairs = 1;
	if (server)
		rc = listen_open(vh);
	else
		rc = vfemu_loop_add_tick(loop, connect_tick, vh);	/* first try on a tick */
	if (rc < 0) {
		vh_log(vh, server ? "cannot listen" : "cannot register", rc);
		free(vh->tab);
		free(vh->next);
		free(vh);
		return NULL;
	}
	return vh;
}

void
vfemu_vhost_set_mtu(struct vfemu_vhost *vh, uint16_t mtu)
{
	vh->mtu = mtu;
}

void
vfemu_vhost_destroy(struct vfemu_vhost *vh)
{
	if (vh == NULL)
		return;
	if (!vh->server)
		vfemu_loop_del_tick(vh->loop, connect_tick, vh);
	if (vh->fd >= 0) {
		if (vh->fd_watched)
			vfemu_loop_del(vh->loop, vh->fd);
		close(vh->fd);
	}
	if (vh->listen_fd >= 0) {
		if (vh->listen_watched)
			vfemu_loop_del(vh->loop, vh->listen_fd);
		close(vh->listen_fd);
		unlink(vh->path);
	}
	free(vh->tab);
	free(vh->next);
	free(vh);
}

bool
vfemu_vhost_connected(const struct vfemu_vhost *vh)
{
	return vh != NULL && vh->connected;
}

bool
vfemu_vhost_link(const struct vfemu_vhost *vh)
{
	return vh != NULL && (vh->connected || vh->renewing);
}

uint64_t
vfemu_vhost_backend_features(const struct vfemu_vhost *vh)
{
	return vfemu_vhost_connected(vh) ? vh->features : 0;
}

uint16_t
vfemu_vhost_max_queue_pairs(const struct vfemu_vhost *vh)
{
	return vfemu_vhost_connected(vh) ? vh->max_queue_pairs : 1;
}

bool
vfemu_vhost_started(const struct vfemu_vhost *vh)
{
	return vfemu_vhost_connected(vh) && vh->started;
}

bool
vfemu_vhost_translated(const struct vfemu_vhost *vh)
{
	return vfemu_vhost_started(vh) && vh->translated;
}

/*
 * The table for @mem into vh->next: direct when it fits, else translated if
 * @may_translate; @must_translate skips the direct form.
 */
static int
plan_mem(struct vfemu_vhost *vh, const struct vfemu_vhost_mem *mem, unsigned int nb_mem,
	 bool may_translate, bool must_translate)
{
	int rc = -E2BIG;

	if (!must_translate)
		rc = vfemu_memtab_build(mem, nb_mem, false, vh->next);
	if (rc == -E2BIG && may_translate)
		rc = vfemu_memtab_build(mem, nb_mem, true, vh->next);
	if (rc == -E2BIG)
		fprintf(stderr, "vfemu: vhost %s: %u DMA maps do not fit in %u memory regions%s\n",
			vh->path, nb_mem, VFEMU_MEMTAB_MAX_REGIONS, may_translate ?
			" even with IOTLB translation (too many backing files)" :
			iommu_offered(vh) ? " (and the running data plane cannot switch to IOTLB "
			"translation)" : "; a backend offering VIRTIO_F_IOMMU_PLATFORM would take "
			"them through IOTLB translation");
	else if (rc == -ERANGE)
		fprintf(stderr, "vfemu: vhost %s: DMA maps spread over more than %llu bytes of "
			"one file\n", vh->path, 1ULL << VFEMU_MEMTAB_SPAN_SHIFT);
	return rc;
}

/* Send vh->next as the memory table; on success it becomes vh->tab. */
static int
send_mem_table(struct vfemu_vhost *vh)
{
	const struct vfemu_memtab *t = vh->next;
	struct vhost_user_memory table;
	int fds[VHOST_USER_MAX_REGIONS];
	struct vfemu_memtab *swap;
	unsigned int i;
	int rc;

	memset(&table, 0, sizeof(table));
	table.nregions = t->nb_regions;
	for (i = 0; i < t->nb_regions; i++) {
		/* direct: the IOVA is both the guest-physical and the user address */
		table.regions[i].guest_phys_addr = t->regions[i].addr;
		table.regions[i].userspace_addr = t->regions[i].addr;
		table.regions[i].memory_size = t->regions[i].size;
		table.regions[i].mmap_offset = t->regions[i].fd_offset;
		fds[i] = t->regions[i].fd;
	}
	/* only the regions in use travel, as other frontends do */
	rc = vh_request(vh, VHOST_USER_REQ_SET_MEM_TABLE, &table,
			(uint32_t)(offsetof(struct vhost_user_memory, regions) +
				   t->nb_regions * sizeof(table.regions[0])),
			fds, t->nb_regions, NULL, 0, true);
	if (rc < 0)
		return rc;
	vh->mem_sent = true;
	swap = vh->tab;
	vh->tab = vh->next;
	vh->next = swap;
	return 0;
}

static int
send_iotlb(struct vfemu_vhost *vh, uint8_t type, const struct vfemu_memtab_entry *e)
{
	struct vhost_user_iotlb msg = {
		.iova = e->iova,
		.size = e->size,
		.uaddr = type == VHOST_USER_IOTLB_UPDATE ? e->uaddr : 0,
		.perm = type == VHOST_USER_IOTLB_UPDATE ? VHOST_USER_IOTLB_ACCESS_RW : 0,
		.type = type,
	};

	return vh_request(vh, VHOST_USER_REQ_IOTLB_MSG, &msg, sizeof(msg), NULL, 0, NULL, 0,
			  true);
}

/*
 * Every entry of vh->tab. A backend keeps the entries it has (DPDK's ignores
 * an update of an IOVA it holds), so sending them all again is harmless, and
 * it brings back what an invalidation took beyond its range (DPDK 22.11 also
 * drops the entry that starts right at the end of an invalidated one).
 */
static int
send_all_entries(struct vfemu_vhost *vh)
{
	unsigned int i;
	int rc;

	for (i = 0; i < vh->tab->nb_entries; i++) {
		rc = send_iotlb(vh, VHOST_USER_IOTLB_UPDATE, &vh->tab->entries[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void
log_table(const struct vfemu_vhost *vh)
{
	if (vh->tab->translated)
		fprintf(stderr, "vfemu: vhost %s: memory table: %u DMA maps in %u regions, "
			"translated through %u IOTLB entries\n", vh->path, vh->tab->nb_maps,
			vh->tab->nb_regions, vh->tab->nb_entries);
	else
		fprintf(stderr, "vfemu: vhost %s: memory table: %u DMA maps in %u regions\n",
			vh->path, vh->tab->nb_maps, vh->tab->nb_regions);
}

static int
check_rings(const struct vfemu_vhost *vh, const struct vfemu_vhost_ring *rings,
	    unsigned int nb_rings)
{
	bool seen[MAX_RINGS] = { false };
	unsigned int i;

	if (nb_rings > 0 && rings == NULL)
		return -EINVAL;
	for (i = 0; i < nb_rings; i++) {
		const struct vfemu_vhost_ring *r = &rings[i];

		if (r->index >= 2u * vh->max_queue_pairs || r->index >= MAX_RINGS ||
		    seen[r->index])
			return -EINVAL;
		seen[r->index] = true;
		if (r->num == 0 || r->num > MAX_RING_SIZE || (r->num & (r->num - 1)) != 0)
			return -EINVAL;
		if (r->kick_fd < -1 || r->call_fd < -1)
			return -EINVAL;
	}
	return 0;
}

static int
fd_payload(uint16_t index, int fd)
{
	return index | (fd < 0 ? VHOST_USER_VRING_NOFD : 0);
}

/* From its SET_VRING_NUM on the backend holds state for a ring: stop it later. */
static void
note_started(struct vfemu_vhost *vh, uint16_t index)
{
	unsigned int i;

	for (i = 0; i < vh->nb_started; i++)
		if (vh->started_rings[i] == index)
			return;
	vh->started_rings[vh->nb_started++] = index;
}

/*
 * Translated: a backend may keep IOTLB entries per ring (DPDK 22.11 does,
 * and only for rings it has), so every ring is made to exist (SET_VRING_NUM)
 * before the entries go out, and the entries before the ring addresses that
 * need them.
 */
static int
prime_iotlb(struct vfemu_vhost *vh, const struct vfemu_vhost_ring *rings, unsigned int nb_rings)
{
	unsigned int i;
	int rc;

	for (i = 0; i < nb_rings; i++) {
		rc = vh_set_state(vh, VHOST_USER_REQ_SET_VRING_NUM, rings[i].index, rings[i].num);
		if (rc < 0)
			return rc;
		note_started(vh, rings[i].index);
	}
	return send_all_entries(vh);
}

static int
start_ring(struct vfemu_vhost *vh, const struct vfemu_vhost_ring *r)
{
	struct vhost_user_vring_addr addr = {
		.index = r->index,
		.desc_user_addr = r->desc,
		.used_user_addr = r->used,
		.avail_user_addr = r->avail,
	};
	int rc;

	rc = vh_set_state(vh, VHOST_USER_REQ_SET_VRING_NUM, r->index, r->num);
	if (rc < 0)
		return rc;
	note_started(vh, r->index);
	rc = vh_set_state(vh, VHOST_USER_REQ_SET_VRING_BASE, r->index, r->base);
	if (rc < 0)
		return rc;
	rc = vh_request(vh, VHOST_USER_REQ_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0,
			NULL, 0, true);
	if (rc < 0)
		return rc;
	/* DPDK's vhost needs kick and call both set (fd or NOFD) before a ring is ready */
	rc = vh_set_u64(vh, VHOST_USER_REQ_SET_VRING_KICK, fd_payload(r->index, r->kick_fd),
			r->kick_fd);
	if (rc < 0)
		return rc;
	rc = vh_set_u64(vh, VHOST_USER_REQ_SET_VRING_CALL, fd_payload(r->index, r->call_fd),
			r->call_fd);
	if (rc < 0)
		return rc;
	/* with protocol features rings start disabled; without, the kick enabled it */
	if (protocol_negotiated(vh))
		rc = vh_set_state(vh, VHOST_USER_REQ_SET_VRING_ENABLE, r->index, r->enabled);
	return rc;
}

/*
 * Would the backend keep serving from its old memory? DPDK's vhost takes a table whose
 * regions have the addresses and sizes of the one it has as unchanged, whatever the fds
 * and offsets (see vfemu_vhost_new_session). A driver that stays and maps other memory at
 * the same IOVAs, as a vDPA driver does from one guest to the next (guest-physical
 * addresses repeat), would leave the backend in the old guest's memory: only a new session
 * makes it let go.
 */
static bool
table_stale_for_backend(const struct vfemu_vhost *vh)
{
	const struct vfemu_memtab *a = vh->tab, *b = vh->next;
	unsigned int k;

	if (!vh->mem_sent || a->nb_regions != b->nb_regions)
		return false;
	for (k = 0; k < a->nb_regions; k++)
		if (a->regions[k].addr != b->regions[k].addr ||
		    a->regions[k].size != b->regions[k].size)
			return false;	/* the backend sees a new table */
	return !vfemu_memtab_same_regions(a, b) || !vfemu_memtab_same_files(a, b);
}

int
vfemu_vhost_start(struct vfemu_vhost *vh, uint64_t features,
		  const struct vfemu_vhost_mem *mem, unsigned int nb_mem,
		  const struct vfemu_vhost_ring *rings, unsigned int nb_rings)
{
	uint64_t acked;
	unsigned int i;
	bool op;
	int rc;

	if (!vfemu_vhost_connected(vh))
		return -ENOTCONN;
	rc = check_rings(vh, rings, nb_rings);
	if (rc == 0)
		rc = plan_mem(vh, mem, nb_mem, iommu_offered(vh), false);
	if (rc < 0)
		return rc;
	if (table_stale_for_backend(vh)) {
		/* the model starts the rings again once the backend is back */
		vh_log(vh, "other memory at the addresses the backend has", 0);
		vfemu_vhost_new_session(vh);
		return -ENOTCONN;
	}
	op = op_begin(vh);
	if (vh->started)
		vfemu_vhost_stop(vh);
	if (!vh->connected) {
		op_end(vh, op);
		return -ENOTCONN;
	}

	/* never ack what the backend did not offer */
	acked = features & vh->features & ~(1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	if (protocol_negotiated(vh))
		acked |= 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;
	if (vh->next->translated)
		acked |= 1ULL << VHOST_USER_F_IOMMU_PLATFORM;
	vh->started = true;
	vh->nb_started = 0;
	rc = vh_set_u64(vh, VHOST_USER_REQ_SET_FEATURES, acked, -1);
	if (rc == 0)
		rc = send_mem_table(vh);
	if (rc == 0) {
		vh->translated = vh->tab->translated;
		log_table(vh);
	}
	if (rc == 0 && vh->translated)
		rc = prime_iotlb(vh, rings, nb_rings);
	for (i = 0; rc == 0 && i < nb_rings; i++)
		rc = start_ring(vh, &rings[i]);
	/*
	 * Once more: setting a ring up may move it to the NUMA node of its
	 * memory, and DPDK 22.11 empties a moved ring's IOTLB
	 */
	if (rc == 0 && vh->translated)
		rc = send_all_entries(vh);
	if (rc < 0) {
		vh_log(vh, "start failed", rc);
		/* refused by a live backend: take back the rings it already has */
		vfemu_vhost_stop(vh);
	}
	op_end(vh, op);
	return rc;
}

/*
 * Translated, while running: vh->next replaces vh->tab. Entries that go are
 * invalidated first; a table with other regions makes the backend forget
 * every entry (DPDK flushes its IOTLB), so all of them are sent again.
 */
static int
update_translated(struct vfemu_vhost *vh)
{
	bool same = vh->mem_sent && vfemu_memtab_same_regions(vh->tab, vh->next);
	unsigned int i;
	int rc;

	for (i = 0; i < vh->tab->nb_entries; i++) {
		if (same && vfemu_memtab_has_entry(vh->next, &vh->tab->entries[i]))
			continue;
		rc = send_iotlb(vh, VHOST_USER_IOTLB_INVALIDATE, &vh->tab->entries[i]);
		if (rc < 0)
			return rc;
	}
	if (same) {
		struct vfemu_memtab *swap = vh->tab;

		vh->tab = vh->next;
		vh->next = swap;
	} else {
		rc = send_mem_table(vh);
		if (rc < 0)
			return rc;
	}
	log_table(vh);
	return send_all_entries(vh);
}

int
vfemu_vhost_update_mem(struct vfemu_vhost *vh, const struct vfemu_vhost_mem *mem,
		       unsigned int nb_mem)
{
	bool op, translate;
	int rc;

	if (!vfemu_vhost_connected(vh))
		return -ENOTCONN;
	/* IOMMU_PLATFORM was acked (or not) at the start: the form stays */
	translate = vh->started && vh->translated;
	rc = plan_mem(vh, mem, nb_mem, translate, translate);
	if (rc < 0)
		return rc;
	if (table_stale_for_backend(vh)) {
		vh_log(vh, "other memory at the addresses the backend has", 0);
		vfemu_vhost_new_session(vh);
		return -ENOTCONN;
	}
	op = op_begin(vh);
	if (translate)
		rc = update_translated(vh);
	else
		rc = send_mem_table(vh);
	op_end(vh, op);
	return rc;
}

int
vfemu_vhost_enable_ring(struct vfemu_vhost *vh, uint16_t index, bool enable)
{
	bool op;
	int rc;

	if (!vfemu_vhost_connected(vh))
		return -ENOTCONN;
	if (index >= 2u * vh->max_queue_pairs)
		return -EINVAL;
	if (!protocol_negotiated(vh))
		return enable ? 0 : -ENOTSUP;	/* rings are enabled by their kick */
	op = op_begin(vh);
	rc = vh_set_state(vh, VHOST_USER_REQ_SET_VRING_ENABLE, index, enable);
	op_end(vh, op);
	return rc;
}

void
vfemu_vhost_stop(struct vfemu_vhost *vh)
{
	struct vhost_user_vring_state st;
	unsigned int i;
	bool op;
	int rc;

	if (vh == NULL)
		return;
	op = op_begin(vh);
	for (i = 0; vh->connected && i < vh->nb_started; i++) {
		struct vhost_user_vring_state req = { .index = vh->started_rings[i] };

		/* the reply carries the next avail index; the backend stops the ring */
		rc = vh_request(vh, VHOST_USER_REQ_GET_VRING_BASE, &req, sizeof(req), NULL, 0,
				&st, sizeof(st), false);
		if (rc == 0 && st.index != req.index)
			conn_break(vh, "GET_VRING_BASE reply for another ring", -EPROTO);
	}
	op_end(vh, op);
	vh->started = false;
	vh->nb_started = 0;
}

/*
 * The driver went away. A backend keeps its memory table as long as the
 * regions' addresses and sizes look unchanged (DPDK's vhost does not compare
 * the fds), so the next driver, whose memory may sit at the same IOVAs in
 * another process, would be served from the old process's memory. A fresh
 * session makes the backend drop it.
 */
void
vfemu_vhost_new_session(struct vfemu_vhost *vh)
{
	if (vh == NULL || vh->fd < 0 || !vh->mem_sent)
		return;
	vh_log(vh, "driver gone: new session with the backend", 0);
	/* our own reconnect, not a lost backend: the link stays up unless it fails (a vDPA
	 * relay would otherwise drop each new guest, as the link blinks at its arrival)
	 */
	vh->renewing = !vh->server;
	conn_close(vh);
	vh->retry_skip = 0;
	vh->retry_backoff = 0;
}
