/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Helpers shared by the libFuzzer harnesses: a cursor over the input, the
 * fd-leak check, the model's stderr muted, and the socket plumbing of a
 * peer that sends and drops fds.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* fds one fz_recv_full()/fz_drain() call takes (and closes) at the most */
#define FZ_RECV_MAX_FDS	64
/* fds one fz_send() call passes at the most */
#define FZ_SEND_MAX_FDS	8

/* The input still to consume. */
struct fz_in {
	const uint8_t *p;
	size_t left;
};

/* The next byte; 0 once the input is used up. */
uint8_t fz_u8(struct fz_in *in);
/* Little-endian, byte after byte (each 0 past the end). */
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);
/* The next @len bytes (fewer if the input ends first, *len says how many). */
const uint8_t *fz_bytes(struct fz_in *in, size_t *len);
/*
 * A record: u8 ctl, u16 len (little-endian), then len bytes, len cut to
 * what is left. Its bytes, *len set to their count; NULL, consuming
 * nothing, when fewer than 3 bytes are left.
 */
const uint8_t *fz_record(struct fz_in *in, uint8_t *ctl, size_t *len);

/*
 * Copy @n bytes of @src into @buf (@size bytes) at @off (< @size), cut to
 * the room there; the message length @len grown to cover them if need be.
 */
size_t fz_overlay(uint8_t *buf, size_t size, size_t off, const uint8_t *src, size_t n,
		  size_t len);

/* A memfd of @size bytes (close-on-exec); aborts if there is none. */
int fz_memfd(const char *name, size_t size);
/* The process's open fds. */
int fz_count_fds(void);
/* Abort, saying so on @report, unless the fd count is @before again. */
void fz_check_fds(int before, FILE *report);

/* TMMR_FUZZ_VERBOSE is set in the environment. */
bool fz_verbose(void);
/*
 * Unless @verbose, point the stdio stream stderr at /dev/null: the model's
 * chatter goes, fd 2 stays, so the sanitizers' and libFuzzer's reports
 * (which do not go through this FILE) still show. Returns the real stderr.
 */
FILE *fz_quiet_stderr(bool verbose);

/* Read exactly @len bytes from @fd, closing any fd that comes along; 0 or -1. */
int fz_recv_full(int fd, void *buf, size_t len);
/* Read and drop whatever @fd has queued now, closing the fds in it. */
void fz_drain(int fd);
/* One sendmsg() of @buf with @nfds fds (<= FZ_SEND_MAX_FDS) as SCM_RIGHTS; 0 or -1. */
int fz_send(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds,
	    int flags);

#endif /* FUZZ_COMMON_H */
