/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "fuzz_common.h"

uint8_t
fz_u8(struct fz_in *in)
{
	uint8_t v = 0;

	if (in->left > 0) {
		v = *in->p++;
		in->left--;
	}
	return v;
}

uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | fz_u8(in) << 8);
}

uint32_t
fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

uint64_t
fz_u64(struct fz_in *in)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)fz_u8(in) << (8 * i);
	return v;
}

const uint8_t *
fz_bytes(struct fz_in *in, size_t *len)
{
	const uint8_t *p = in->p;

	if (*len > in->left)
		*len = in->left;
	in->p += *len;
	in->left -= *len;
	return p;
}

const uint8_t *
fz_record(struct fz_in *in, uint8_t *ctl, size_t *len)
{
	if (in->left < 3)
		return NULL;
	*ctl = fz_u8(in);
	*len = fz_u16(in);
	return fz_bytes(in, len);
}

size_t
fz_overlay(uint8_t *buf, size_t size, size_t off, const uint8_t *src, size_t n, size_t len)
{
	if (n > size - off)
		n = size - off;
	memcpy(buf + off, src, n);
	return off + n > len ? off + n : len;
}

int
fz_memfd(const char *name, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
		abort();
	return fd;
}

int
fz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own */
}

void
fz_check_fds(int before, FILE *report)
{
	if (fz_count_fds() != before) {
		fprintf(report, "fd leak: %d open before, %d after\n", before, fz_count_fds());
		abort();
	}
}

bool
fz_verbose(void)
{
	return getenv("TMMR_FUZZ_VERBOSE") != NULL;
}

FILE *
fz_quiet_stderr(bool verbose)
{
	FILE *real = stderr, *null;

	if (verbose)
		return real;
	null = fopen("/dev/null", "w");
	if (null == NULL)
		abort();
	stderr = null;
	return real;
}

/* One recvmsg() into @buf; the fds that came with it closed. */
static ssize_t
recv_closing_fds(int fd, void *buf, size_t len, int flags)
{
	char ctrl[CMSG_SPACE(sizeof(int) * FZ_RECV_MAX_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
	};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);

	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t i, nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (i = 0; i < nfd; i++) {
			int rfd;

			memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			close(rfd);
		}
	}
	return n;
}

int
fz_recv_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv_closing_fds(fd, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
fz_drain(int fd)
{
	char buf[8192];

	while (recv_closing_fds(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int
fz_send(int fd, const void *buf, size_t len, const int *fds, unsigned int nfds, int flags)
{
	char ctrl[CMSG_SPACE(sizeof(int) * FZ_SEND_MAX_FDS)];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > FZ_SEND_MAX_FDS)
		abort();
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &mh, flags) < 0 ? -1 : 0;
}
