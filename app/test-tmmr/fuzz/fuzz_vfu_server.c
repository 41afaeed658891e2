/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the model's vfio-user server (vfemu_vfu.c and the device
 * behind it: BAR0, config space, legacy registers, MSI-X, DMA table, control
 * queue) against a hostile client. A fresh VF serves a socket; the input is a
 * list of records, each sent by a client connected to it:
 *
 *   u8 ctl, u16 len (little-endian), len bytes
 *   ctl & 3: fds sent with the bytes: 0 none, 1 the memfd, 2 eventfds
 *            ((ctl >> 2) & 3) + 1 of them, 3 the memfd and an eventfd
 *   ctl & 0x10: header fixed up: size = len, a fresh msg_id, type command
 *   ctl & 0x40: not sent: bytes[4..] written into the memfd at the offset
 *               in bytes[0..3] (what a driver puts in its DMA memory)
 * The loop runs after every record and the client reads (and drops) the
 * replies. At the end the client hangs up; the model must be back to its fds
 * and memory of before.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tmmr_mmr.h"
#include "tmmr_vfio_user.h"
#include "vfemu_dev.h"
#include "vfemu_loop.h"
#include "vfemu_vfu.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE	(1u << 20)
#define MAX_RECORDS	512

static char sock_path[108];
static int memfd = -1;
static bool verbose;
static FILE *report;	/* the real stderr */

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

/*
 * The model reports every refused message on stderr. Unless asked, point
 * the stdio stream elsewhere: fd 2 stays, so the sanitizers' and libFuzzer's
 * own reports (which do not go through this FILE) still show.
 */
static void
quiet_model(void)
{
	FILE *null;

	report = stderr;
	if (verbose)
		return;
	null = fopen("/dev/null", "w");
	if (null == NULL)
		abort();
	stderr = null;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("TMMR_FUZZ_VERBOSE") != NULL;
	snprintf(sock_path, sizeof(sock_path), "/tmp/tmmr-fuzz-vfu-%d.sock", getpid());
	memfd = memfd_create("fuzz-dma", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEM_SIZE) != 0)
		abort();
	quiet_model();
	return 0;
}

static void
drain(int fd)
{
	char buf[8192], ctrl[CMSG_SPACE(sizeof(int) * TMMR_VFU_MAX_FDS)];

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};
		struct cmsghdr *cm;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t i, nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < nfd; i++) {
				int rfd;

				memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				close(rfd);
			}
		}
	}
}

static void
send_record(int fd, uint8_t ctl, uint8_t *buf, size_t len, uint16_t msg_id)
{
	char ctrl[CMSG_SPACE(sizeof(int) * 5)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[5];
	unsigned int nfds = 0, i, nev = 0;

	if ((ctl & 0x10) && len >= sizeof(struct tmmr_vfu_hdr)) {
		struct tmmr_vfu_hdr *h = (struct tmmr_vfu_hdr *)buf;

		h->msg_id = msg_id;
		h->size = (uint32_t)len;
		h->flags &= ~TMMR_VFU_F_TYPE_MASK;
	}
	if ((ctl & 3) == 1 || (ctl & 3) == 3)
		fds[nfds++] = memfd;
	if ((ctl & 3) == 2)
		nev = ((ctl >> 2) & 3) + 1;
	else if ((ctl & 3) == 3)
		nev = 1;
	for (i = 0; i < nev; i++)
		fds[nfds++] = eventfd(0, EFD_CLOEXEC);
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
	if (len > 0)
		(void)sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	for (i = nfds - nev; i < nfds; i++)
		close(fds[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[TMMR_VFU_MAX_MSG_SIZE];
	struct vfemu_dev_params par = {
		.index = 0, .max_pairs = 2, .queue_size = 256, .mtu = 1500,
		.mac = { 0x02, 0, 0, 0, 0, 1 }, .bar0 = 0xfe000000ULL,
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static struct vfemu_dev dev;
	struct vfemu_loop *loop;
	struct vfemu_vfu *vfu;
	unsigned int rec;
	uint16_t msg_id = 0;
	int before, cfd, i;

	before = count_fds();
	loop = vfemu_loop_create();
	if (loop == NULL || vfemu_dev_init(&dev, loop, &par) != 0)
		abort();
	vfu = vfemu_vfu_create(loop, &dev, sock_path);
	if (vfu == NULL)
		abort();
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		abort();
	vfemu_loop_once(loop, 0);
	if (!vfemu_vfu_has_client(vfu))
		abort();
	for (rec = 0; rec < MAX_RECORDS && size >= 3 && vfemu_vfu_has_client(vfu); rec++) {
		uint8_t ctl = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8);

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		memcpy(buf, data, len);
		data += len;
		size -= len;
		if (ctl & 0x40) {
			uint32_t off;

			if (len < 4)
				continue;
			memcpy(&off, buf, 4);
			off %= MEM_SIZE;
			if (len - 4 > MEM_SIZE - off)
				len = MEM_SIZE - off + 4;
			if (pwrite(memfd, buf + 4, len - 4, off) < 0)
				abort();
			continue;
		}
		send_record(cfd, ctl, buf, len, msg_id++);
		for (i = 0; i < 4; i++) {
			vfemu_loop_once(loop, 0);
			drain(cfd);
		}
	}
	if (verbose) {
		char line[1024];

		vfemu_dev_status_line(&dev, line, sizeof(line));
		fprintf(report, "%u records; %s\n", rec, line);
	}
	close(cfd);
	for (i = 0; i < 4 && vfemu_vfu_has_client(vfu); i++)
		vfemu_loop_once(loop, 0);
	if (vfemu_vfu_has_client(vfu)) {
		fprintf(report, "the model did not notice the client hang up\n");
		abort();
	}
	vfemu_vfu_destroy(vfu);
	vfemu_dev_fini(&dev);
	vfemu_loop_destroy(loop);
	/* scrub the DMA memory for the next input */
	if (ftruncate(memfd, 0) != 0 || ftruncate(memfd, MEM_SIZE) != 0)
		abort();
	if (count_fds() != before) {
		fprintf(report, "fd leak: %d open before, %d after\n", before, count_fds());
		abort();
	}
	return 0;
}
