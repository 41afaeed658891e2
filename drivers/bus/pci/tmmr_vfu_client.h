/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_VFU_CLIENT_H
#define TMMR_VFU_CLIENT_H

/*
 * Message layer of the vfio-user client: one request and its reply at a
 * time over one socket, with file descriptors either way. Any framing
 * problem (EOF, timeout, wrong msg_id, oversize or foreign message) leaves
 * the stream unusable, so it marks the device gone; an error reply does not.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmmr_vfio_user.h"

#define TMMR_VFU_DEFAULT_TIMEOUT_MS	5000

struct tmmr_vfu_client {
	int sock;
	pthread_mutex_t lock;	/* held for a whole request/reply */
	uint16_t next_id;
	bool dead;
	int timeout_ms;
	uint32_t max_fds;	/* server's max_msg_fds (default 1) */
	uint32_t max_xfer;	/* server's max_data_xfer_size, capped to ours */
	char name[64];
};

struct tmmr_vfu_msg {
	uint16_t cmd;
	const void *req;	/* payload after the header */
	size_t req_len;
	const int *fds;		/* sent with the request */
	unsigned int nfds;
	void *reply;		/* reply payload goes here, truncated to reply_cap */
	size_t reply_cap;
	size_t reply_len;	/* out: the reply's real payload length */
	int *rfds;		/* out: fds received; the caller owns them */
	unsigned int max_rfds;
	unsigned int nrfds;
};

/* Connect to a vfio-user socket: a connected fd or negative errno. */
int tmmr_vfu_connect(const char *path);

/* Take ownership of the connected @sock. */
int tmmr_vfu_client_init(struct tmmr_vfu_client *c, int sock, const char *name);
void tmmr_vfu_client_fini(struct tmmr_vfu_client *c);

/* Send a request, wait for its reply: 0, or negative errno. */
int tmmr_vfu_xfer(struct tmmr_vfu_client *c, struct tmmr_vfu_msg *m);

/* VERSION exchange; learns the server's limits. */
int tmmr_vfu_handshake(struct tmmr_vfu_client *c);

/* REGION_READ / REGION_WRITE of any length (split by max_xfer). */
int tmmr_vfu_region_read(struct tmmr_vfu_client *c, uint32_t region, uint64_t off,
			 void *buf, uint32_t len);
int tmmr_vfu_region_write(struct tmmr_vfu_client *c, uint32_t region, uint64_t off,
			  const void *buf, uint32_t len);

/* False once the server has gone (EOF, hang-up, timeout, protocol breach). */
bool tmmr_vfu_client_alive(struct tmmr_vfu_client *c);

#endif /* TMMR_VFU_CLIENT_H */
