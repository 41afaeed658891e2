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

#include "fuzz_common.h"
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

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = fz_verbose();
	snprintf(sock_path, sizeof(sock_path), "/tmp/tmmr-fuzz-vfu-%d.sock", getpid());
	memfd = fz_memfd("fuzz-dma", MEM_SIZE);
	report = fz_quiet_stderr(verbose);
	return 0;
}

static void
send_record(int fd, uint8_t ctl, uint8_t *buf, size_t len, uint16_t msg_id)
{
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
	if (len > 0)
		(void)fz_send(fd, buf, len, fds, nfds, MSG_NOSIGNAL | MSG_DONTWAIT);
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
	struct fz_in in = { .p = data, .left = size };
	unsigned int rec;
	uint16_t msg_id = 0;
	int before, cfd, i;

	before = fz_count_fds();
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
	for (rec = 0; rec < MAX_RECORDS && in.left >= 3 && vfemu_vfu_has_client(vfu); rec++) {
		const uint8_t *bytes;
		uint8_t ctl;
		size_t len;

		bytes = fz_record(&in, &ctl, &len);
		if (bytes == NULL)
			break;	/* not reached: 3 bytes are left */
		memcpy(buf, bytes, len);
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
			fz_drain(cfd);
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
	fz_check_fds(before, report);
	return 0;
}
