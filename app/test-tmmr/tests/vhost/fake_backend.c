/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fake_backend.h"

#define IDLE_LIMIT_MS 5000

void
fake_init(struct fake_backend *fb, const char *path)
{
	memset(fb, 0, sizeof(*fb));
	snprintf(fb->path, sizeof(fb->path), "%s", path);
	fb->accepts = 1;
	fb->queue_num = 1;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Read @len bytes; fds that come along are recorded in @rec and closed. */
static int
read_full(int fd, void *buf, size_t len, struct fake_record *rec)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 16)];
	char *p = buf;

	while (len > 0) {
		struct iovec iov = { .iov_base = p, .iov_len = len };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct cmsghdr *cm;
		ssize_t n;

		if (poll(&pfd, 1, IDLE_LIMIT_MS) <= 0)
			return -ETIMEDOUT;
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t i, nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < nfd; i++) {
				char link[64], target[128];
				struct stat st;
				ssize_t tl;
				int rfd;

				memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (rec != NULL && rec->nb_fds < VHOST_USER_MAX_REGIONS) {
					fstat(rfd, &st);
					rec->fd_ino[rec->nb_fds] = st.st_ino;
					snprintf(link, sizeof(link), "/proc/self/fd/%d", rfd);
					tl = readlink(link, target, sizeof(target) - 1);
					target[tl > 0 ? tl : 0] = '\0';
					rec->eventfd[rec->nb_fds] =
						strstr(target, "eventfd") != NULL;
					rec->nb_fds++;
				}
				close(rfd);
			}
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
send_raw(int fd, const void *buf, size_t len, int pass_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pass_fd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		return;	/* the frontend may already have given up */
}

static bool
normal_reply(const struct fake_backend *fb, const struct fake_record *r,
	     struct vhost_user_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->hdr.request = r->hdr.request;
	out->hdr.flags = VHOST_USER_FLAG_VERSION | VHOST_USER_FLAG_REPLY;
	out->hdr.size = sizeof(uint64_t);
	switch (r->hdr.request) {
	case VHOST_USER_REQ_GET_FEATURES:
		out->payload.u64 = fb->features;
		return true;
	case VHOST_USER_REQ_GET_PROTOCOL_FEATURES:
		out->payload.u64 = fb->protocol;
		return true;
	case VHOST_USER_REQ_GET_QUEUE_NUM:
		out->payload.u64 = fb->queue_num;
		return true;
	case VHOST_USER_REQ_GET_VRING_BASE:
		out->payload.state.index = r->payload.state.index;
		out->payload.state.num = 0x55;
		out->hdr.size = sizeof(out->payload.state);
		return true;
	default:
		out->payload.u64 = 0;
		return (r->hdr.flags & VHOST_USER_FLAG_NEED_REPLY) != 0;
	}
}

/* Serve one connection until EOF, an error or a scripted end. */
static void
serve(struct fake_backend *fb, int fd)
{
	unsigned int seen[64] = { 0 };
	bool owned = false;

	fb->sessions++;
	for (;;) {
		struct fake_record tmp, *r = fb->nb_rec < FAKE_MAX_RECORDS ?
			&fb->rec[fb->nb_rec] : &tmp;
		struct vhost_user_msg out;
		bool reply, bad;
		int rc;

		memset(r, 0, sizeof(*r));
		rc = read_full(fd, &r->hdr, sizeof(r->hdr), r);
		if (rc == -ECONNRESET)
			fb->saw_eof = true;
		if (rc < 0)
			return;
		if (r->hdr.size > sizeof(r->payload))
			return;	/* a frontend bug: the test will see the record missing */
		rc = read_full(fd, &r->payload, r->hdr.size, r);
		if (rc < 0)
			return;
		if (r != &tmp)
			fb->nb_rec++;
		if (r->hdr.request < 64)
			seen[r->hdr.request]++;
		reply = normal_reply(fb, r, &out);
		bad = fb->bad != FAKE_OK && r->hdr.request == fb->bad_request &&
		      r->hdr.request < 64 && seen[r->hdr.request] == fb->bad_nth &&
		      (fb->bad_session == 0 || fb->bad_session == fb->sessions);
		if (bad) {
			fb->misbehaved = true;
			switch (fb->bad) {
			case FAKE_CLOSE:
				return;
			case FAKE_HANG:
				continue;
			case FAKE_WRONG_REQUEST:
				out.hdr.request++;
				break;
			case FAKE_NO_REPLY_FLAG:
				out.hdr.flags = VHOST_USER_FLAG_VERSION;
				break;
			case FAKE_BAD_VERSION:
				out.hdr.flags = 2 | VHOST_USER_FLAG_REPLY;
				break;
			case FAKE_HUGE_SIZE:
				out.hdr.size = 0xffffffffu;
				break;
			case FAKE_WRONG_SIZE:
				out.hdr.size = 4;
				break;
			case FAKE_TRUNCATED:
				send_raw(fd, &out, VHOST_USER_HDR_SIZE + out.hdr.size / 2, -1);
				return;
			case FAKE_SEND_FD: {
				int efd = eventfd(0, EFD_CLOEXEC);

				send_raw(fd, &out, VHOST_USER_HDR_SIZE + out.hdr.size, efd);
				close(efd);
				continue;
			}
			case FAKE_NACK:
				out.payload.u64 = 1;
				break;
			case FAKE_GARBAGE: {
				unsigned char junk[48];
				unsigned int *seed = &fb->garbage_seed;
				size_t i, len = 1 + (size_t)rand_r(seed) % sizeof(junk);

				for (i = 0; i < len; i++)
					junk[i] = (unsigned char)rand_r(seed);
				send_raw(fd, junk, len, -1);
				shutdown(fd, SHUT_WR);
				continue;
			}
			case FAKE_WRONG_RING:
				out.payload.state.index++;
				break;
			case FAKE_OK:
				break;
			}
			reply = true;
		}
		if (r->hdr.request == VHOST_USER_REQ_SET_OWNER)
			owned = true;
		else if (reply && owned && fb->slow_ms > 0)
			sleep_ms(fb->slow_ms);
		if (reply) {
			/* a lying size still travels with an 8-byte payload */
			size_t len = out.hdr.size > sizeof(out.payload) ?
				     sizeof(uint64_t) : out.hdr.size;

			send_raw(fd, &out, VHOST_USER_HDR_SIZE + len, -1);
		}
		if (fb->unsolicited_after_owner && r->hdr.request == VHOST_USER_REQ_SET_OWNER) {
			memset(&out, 0, sizeof(out));
			out.hdr.request = VHOST_USER_REQ_GET_FEATURES;
			out.hdr.flags = VHOST_USER_FLAG_VERSION | VHOST_USER_FLAG_REPLY;
			out.hdr.size = 8;
			send_raw(fd, &out, VHOST_USER_HDR_SIZE + 8, -1);
		}
		if (fb->sessions <= fb->close_after_owner &&
		    r->hdr.request == VHOST_USER_REQ_SET_OWNER) {
			sleep_ms(fb->hold_ms);
			return;
		}
	}
}

static void *
fake_run(struct fake_backend *fb);

static void *
fake_main(void *arg)
{
	struct fake_backend *fb = arg;

	fake_run(fb);
	__atomic_store_n(&fb->finished, true, __ATOMIC_RELEASE);
	return NULL;
}

static void *
fake_run(struct fake_backend *fb)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int i;
	int fd, lfd;

	memcpy(sa.sun_path, fb->path, sizeof(sa.sun_path));
	if (fb->connect_delay_ms > 0)
		sleep_ms(fb->connect_delay_ms);
	if (!fb->listen_role) {
		int tries;

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		for (tries = 0; tries < 200; tries++) {
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
				break;
			sleep_ms(10);
		}
		if (tries < 200)
			serve(fb, fd);
		close(fd);
		return NULL;
	}
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(fb->path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0) {
		close(lfd);
		return NULL;
	}
	for (i = 0; i < fb->accepts; i++) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		if (poll(&pfd, 1, IDLE_LIMIT_MS) <= 0)
			break;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			break;
		serve(fb, fd);
		close(fd);
	}
	close(lfd);
	unlink(fb->path);
	return NULL;
}

int
fake_start(struct fake_backend *fb)
{
	return pthread_create(&fb->thread, NULL, fake_main, fb);
}

void
fake_join(struct fake_backend *fb)
{
	pthread_join(fb->thread, NULL);
}

int
fake_find(const struct fake_backend *fb, uint32_t request, unsigned int nth)
{
	unsigned int i, k = 0;

	for (i = 0; i < fb->nb_rec; i++) {
		if (fb->rec[i].hdr.request == request && ++k == nth)
			return (int)i;
	}
	return -1;
}

unsigned int
fake_count(const struct fake_backend *fb, uint32_t request)
{
	unsigned int i, k = 0;

	for (i = 0; i < fb->nb_rec; i++)
		k += fb->rec[i].hdr.request == request;
	return k;
}
