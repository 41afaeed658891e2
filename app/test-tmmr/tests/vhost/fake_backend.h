/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

/*
 * A scripted vhost-user backend in a thread, for the frontend's tests. It
 * records every message (header, payload, identity of the fds that came
 * with it) and answers as a well-behaved backend would, except for one
 * configurable misbehaviour. Assertions happen in the test thread on the
 * record, after the backend thread has ended.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "vfemu_vhost_proto.h"

enum fake_misbehaviour {
	FAKE_OK,
	FAKE_CLOSE,		/* close instead of replying */
	FAKE_HANG,		/* never reply (frontend must time out) */
	FAKE_WRONG_REQUEST,	/* reply with another request code */
	FAKE_NO_REPLY_FLAG,	/* reply without the REPLY flag */
	FAKE_BAD_VERSION,	/* reply with version 2 */
	FAKE_HUGE_SIZE,		/* header announces 4 GiB of payload */
	FAKE_WRONG_SIZE,	/* 4-byte payload where 8 are due */
	FAKE_TRUNCATED,		/* header, half the payload, then close */
	FAKE_SEND_FD,		/* attach an fd to the reply */
	FAKE_NACK,		/* REPLY_ACK status 1 */
	FAKE_GARBAGE,		/* random bytes, then close the write side */
	FAKE_WRONG_RING,	/* GET_VRING_BASE reply names another ring */
};

#define FAKE_MAX_RECORDS 128

struct fake_record {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
	unsigned int nb_fds;
	ino_t fd_ino[VHOST_USER_MAX_REGIONS];
	bool eventfd[VHOST_USER_MAX_REGIONS];
};

struct fake_backend {
	/* set before fake_start */
	uint64_t features;
	uint64_t protocol;
	uint64_t queue_num;
	uint32_t bad_request;		/* misbehave on this request ... */
	unsigned int bad_nth;		/* ... on its nth occurrence (1 = first) */
	enum fake_misbehaviour bad;
	unsigned int garbage_seed;
	unsigned int bad_session;	/* misbehave only in this session (0: all) */
	bool unsolicited_after_owner;	/* speak up unasked after SET_OWNER */
	unsigned int close_after_owner;	/* the first n sessions end after SET_OWNER ... */
	int hold_ms;			/* ... this long after it */
	int connect_delay_ms;		/* client role: wait before connecting */
	int slow_ms;			/* answer each request after SET_OWNER this late */
	bool listen_role;		/* listen on path (frontend is client) */
	unsigned int accepts;		/* listen role: backends served in turn */
	char path[108];

	/* results */
	pthread_t thread;
	struct fake_record rec[FAKE_MAX_RECORDS];
	unsigned int nb_rec;
	bool saw_eof;			/* frontend closed the connection */
	bool misbehaved;
	unsigned int sessions;		/* connections served */
	bool finished;			/* thread done (read with __atomic) */
};

void fake_init(struct fake_backend *fb, const char *path);
int fake_start(struct fake_backend *fb);
void fake_join(struct fake_backend *fb);
/* index of the @nth record with @request (1-based), or -1 */
int fake_find(const struct fake_backend *fb, uint32_t request, unsigned int nth);
unsigned int fake_count(const struct fake_backend *fb, uint32_t request);

#endif /* FAKE_BACKEND_H */
