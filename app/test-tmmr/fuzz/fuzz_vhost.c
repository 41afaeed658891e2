/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the model's vhost-user frontend (vfemu_vhost.c) against a
 * hostile backend. The frontend listens; a backend thread connects and
 * answers every request that expects an answer (GET_*, or NEED_REPLY) with
 * the next record of the input:
 *
 *   byte 0: what the model does once connected: bit 0 start the data plane
 *           (features, memory table, two rings), 1 a new memory table, 2
 *           disable/enable a ring, 3 stop, 4 new session
 *   records: u8 ctl, u16 len (little-endian), len bytes
 *     ctl & 3: 0 raw reply = the bytes (ctl & 4: header fixed up to this
 *              request, REPLY|version flags, size = len - 12)
 *              1 the reply of a good backend
 *              2 the good reply overwritten from offset bytes[0] by bytes[1..]
 *              3 hang up instead of replying
 *     ctl & 8: an eventfd comes with the reply
 *     ctl & 0x20: hang up after the reply
 * A reply whose size field disagrees with the bytes sent is followed by a
 * hang-up (the frontend would wait its 2 s for the rest), and so is the end of
 * the input. Afterwards no fd may have leaked.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fuzz_common.h"
#include "vfemu_loop.h"
#include "vfemu_vhost.h"
#include "vfemu_vhost_proto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE	(1u << 20)
#define REP_MAX		(VHOST_USER_HDR_SIZE + sizeof(union vhost_user_payload))

struct backend {
	int sock;
	struct fz_in in;
	union vhost_user_payload req;
	uint8_t rep[REP_MAX + 256];
};

static char sock_path[108];
static int memfd = -1;
static bool verbose;
static FILE *report;	/* the real stderr */
static unsigned int connections;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = fz_verbose();
	snprintf(sock_path, sizeof(sock_path), "/tmp/tmmr-fuzz-vhost-%d.sock", getpid());
	memfd = fz_memfd("fuzz-vhost", MEM_SIZE);
	/* the model's stderr chatter off, fd 2 kept */
	report = fz_quiet_stderr(verbose);
	return 0;
}

static size_t
good_reply(struct backend *b, const struct vhost_user_hdr *rq)
{
	struct vhost_user_hdr *h = (struct vhost_user_hdr *)b->rep;
	union vhost_user_payload pl;
	uint32_t size = sizeof(uint64_t);

	memset(&pl, 0, sizeof(pl));
	switch (rq->request) {
	case VHOST_USER_REQ_GET_FEATURES:
		pl.u64 = (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) | (1ULL << 32) | 0x39ef8000ULL;
		break;
	case VHOST_USER_REQ_GET_PROTOCOL_FEATURES:
		pl.u64 = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
			 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK);
		break;
	case VHOST_USER_REQ_GET_QUEUE_NUM:
		pl.u64 = 4;
		break;
	case VHOST_USER_REQ_GET_VRING_BASE:
		pl.state.index = b->req.state.index;
		pl.state.num = 0;
		size = sizeof(pl.state);
		break;
	default:
		pl.u64 = 0;	/* REPLY_ACK: success */
		break;
	}
	h->request = rq->request;
	h->flags = VHOST_USER_FLAG_VERSION | VHOST_USER_FLAG_REPLY;
	h->size = size;
	memcpy(b->rep + VHOST_USER_HDR_SIZE, &pl, size);
	return VHOST_USER_HDR_SIZE + size;
}

static int
send_reply(struct backend *b, size_t len, bool efd)
{
	int fd = -1, rc;

	if (efd)
		fd = eventfd(0, EFD_CLOEXEC);
	rc = len > 0 ? fz_send(b->sock, b->rep, len, &fd, efd ? 1 : 0, MSG_NOSIGNAL) : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

static void *
backend_main(void *arg)
{
	struct backend *b = arg;

	for (;;) {
		struct vhost_user_hdr rq, *h;
		const uint8_t *in;
		uint8_t ctl;
		size_t len, rlen;
		bool hangup;

		if (fz_recv_full(b->sock, &rq, sizeof(rq)) != 0 || rq.size > sizeof(b->req) ||
		    fz_recv_full(b->sock, &b->req, rq.size) != 0)
			break;
		if (rq.request != VHOST_USER_REQ_GET_FEATURES &&
		    rq.request != VHOST_USER_REQ_GET_PROTOCOL_FEATURES &&
		    rq.request != VHOST_USER_REQ_GET_QUEUE_NUM &&
		    rq.request != VHOST_USER_REQ_GET_VRING_BASE &&
		    !(rq.flags & VHOST_USER_FLAG_NEED_REPLY))
			continue;
		in = fz_record(&b->in, &ctl, &rlen);
		if (in == NULL)
			break;
		hangup = (ctl & 0x20) != 0;
		switch (ctl & 3) {
		case 0:
			len = rlen < sizeof(b->rep) ? rlen : sizeof(b->rep);
			memcpy(b->rep, in, len);
			if ((ctl & 4) && len >= VHOST_USER_HDR_SIZE) {
				h = (struct vhost_user_hdr *)b->rep;
				h->request = rq.request;
				h->flags = VHOST_USER_FLAG_VERSION | VHOST_USER_FLAG_REPLY;
				h->size = (uint32_t)(len - VHOST_USER_HDR_SIZE);
			}
			break;
		case 1:
			len = good_reply(b, &rq);
			break;
		case 2:
			len = good_reply(b, &rq);
			if (rlen >= 1) {
				size_t off = in[0] % REP_MAX;

				len = fz_overlay(b->rep, sizeof(b->rep), off, in + 1, rlen - 1u,
						 len);
			}
			break;
		default:
			len = 0;
			hangup = true;
			break;
		}
		h = (struct vhost_user_hdr *)b->rep;
		/* nothing sent, or a size the bytes do not match: the peer would wait */
		if (len < VHOST_USER_HDR_SIZE || h->size != len - VHOST_USER_HDR_SIZE)
			hangup = true;
		if (send_reply(b, len, ctl & 8) != 0 || hangup)
			break;
	}
	shutdown(b->sock, SHUT_RDWR);
	close(b->sock);
	return NULL;
}

static void
on_connection(void *opaque, bool up)
{
	(void)opaque;
	if (up)
		connections++;
}

static void
drive(struct vfemu_vhost *vh, uint8_t what)
{
	struct vfemu_vhost_mem mem[2] = {
		{ .iova = 0x100000, .size = MEM_SIZE / 2, .fd = memfd, .fd_offset = 0 },
		{ .iova = 0x400000, .size = MEM_SIZE / 2, .fd = memfd,
		  .fd_offset = MEM_SIZE / 2 },
	};
	struct vfemu_vhost_ring rings[2];
	int efd[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (i = 0; i < 2; i++)
		rings[i] = (struct vfemu_vhost_ring){
			.index = (uint16_t)i, .num = 256,
			.desc = 0x100000 + i * 0x10000, .avail = 0x101000 + i * 0x10000,
			.used = 0x102000 + i * 0x10000, .base = 0,
			.kick_fd = efd[2 * i], .call_fd = efd[2 * i + 1], .enabled = true,
		};
	if (what & 1)
		(void)vfemu_vhost_start(vh, vfemu_vhost_backend_features(vh) & 0x39ef8000ULL,
					mem, 2, rings, 2);
	if (what & 2)
		(void)vfemu_vhost_update_mem(vh, mem, 1);
	if (what & 4) {
		(void)vfemu_vhost_enable_ring(vh, 1, false);
		(void)vfemu_vhost_enable_ring(vh, 1, true);
	}
	if (what & 8)
		vfemu_vhost_stop(vh);
	if (what & 16)
		vfemu_vhost_new_session(vh);
	(void)vfemu_vhost_started(vh);
	(void)vfemu_vhost_max_queue_pairs(vh);
	for (i = 0; i < 4; i++)
		close(efd[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vfemu_vhost_ops ops = { .connection = on_connection };
	static struct backend b;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfemu_loop *loop;
	struct vfemu_vhost *vh;
	pthread_t th;
	uint8_t what;
	int before, i;

	if (size < 1)
		return 0;
	what = data[0];
	before = fz_count_fds();
	loop = vfemu_loop_create();
	if (loop == NULL)
		abort();
	vh = vfemu_vhost_create(loop, sock_path, true, &ops, NULL);
	if (vh == NULL)
		abort();
	b.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (b.sock < 0 || connect(b.sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		abort();
	b.in = (struct fz_in){ .p = data + 1, .left = size - 1 };
	if (pthread_create(&th, NULL, backend_main, &b) != 0)
		abort();
	/* accept and handshake */
	for (i = 0; i < 4 && !vfemu_vhost_connected(vh); i++)
		vfemu_loop_once(loop, 0);
	if (vfemu_vhost_connected(vh))
		drive(vh, what);
	for (i = 0; i < 4; i++)
		vfemu_loop_once(loop, 0);
	vfemu_vhost_destroy(vh);
	pthread_join(th, NULL);
	vfemu_loop_destroy(loop);
	if (verbose)
		fprintf(report, "connections reported: %u\n", connections);
	fz_check_fds(before, report);
	return 0;
}
