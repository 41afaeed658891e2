/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the device side of the control virtqueue (vfemu_ctrlq.c). A
 * VF with two DMA windows (64 KiB at 0x10000 and 4 KiB at 0x30000, a hole
 * between) has its control queue at 0x10000 and DRIVER_OK set through the
 * legacy registers, with the input's features. The driver side is the input:
 *
 *   u32 driver features (masked to what the device offers)
 *   then patches: u16 offset (into the 68 KiB of DMA memory), u16 len, bytes;
 *   after each patch the device processes the queue.
 * Descriptor chains, indirect tables, avail ring, used ring and the commands
 * all come from those bytes. Afterwards the model must be whole: no fd
 * leaked, counters sane.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fuzz_common.h"
#include "tmmr_mmr.h"
#include "tmmr_virtio_legacy.h"
#include "vfemu_dev.h"
#include "vfemu_loop.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIN0_IOVA	0x10000u
#define WIN0_SIZE	0x10000u
#define WIN1_IOVA	0x30000u
#define WIN1_SIZE	0x1000u
#define MEM_SIZE	(WIN0_SIZE + WIN1_SIZE)
#define MAX_PATCHES	256

static int memfd = -1;
static uint8_t *mem;
static bool verbose;
static FILE *report;	/* the real stderr */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = fz_verbose();
	memfd = fz_memfd("fuzz-ctrlq", MEM_SIZE);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		abort();
	/* the model's stderr chatter off; fd 2 (sanitizers, libFuzzer) kept */
	report = fz_quiet_stderr(verbose);
	return 0;
}

static void
leg_write(struct vfemu_dev *dev, uint32_t reg, uint32_t val, uint32_t width)
{
	if (vfemu_legacy_write(dev, reg, &val, width) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfemu_dev_params par = {
		.index = 0, .max_pairs = 4, .queue_size = 256, .mtu = 1500,
		.mac = { 0x02, 0, 0, 0, 0, 1 }, .bar0 = 0xfe000000ULL,
	};
	static struct vfemu_dev dev;
	struct fz_in in = { .p = data, .left = size };
	struct vfemu_loop *loop;
	uint32_t features;
	unsigned int n;
	int before;

	if (in.left < 4)
		return 0;
	features = fz_u32(&in);
	before = fz_count_fds();
	memset(mem, 0, MEM_SIZE);
	loop = vfemu_loop_create();
	if (loop == NULL || vfemu_dev_init(&dev, loop, &par) != 0)
		abort();
	if (vfemu_dev_dma_map(&dev, WIN0_IOVA, WIN0_SIZE, dup(memfd), 0) != 0 ||
	    vfemu_dev_dma_map(&dev, WIN1_IOVA, WIN1_SIZE, dup(memfd), WIN0_SIZE) != 0)
		abort();
	leg_write(&dev, TMMR_LEG_STATUS, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER, 1);
	leg_write(&dev, TMMR_LEG_DRIVER_FEATURES, features & vfemu_dev_offer(&dev), 4);
	leg_write(&dev, TMMR_LEG_QUEUE_SEL, dev.nb_queues - 1u, 2);
	leg_write(&dev, TMMR_LEG_QUEUE_PFN, WIN0_IOVA >> TMMR_LEG_PFN_SHIFT, 4);
	leg_write(&dev, TMMR_LEG_STATUS,
		  TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK, 1);
	for (n = 0; n < MAX_PATCHES && in.left >= 4; n++) {
		uint32_t off = fz_u16(&in) % MEM_SIZE;
		size_t len = fz_u16(&in);

		if (len > in.left)
			len = in.left;
		if (len > MEM_SIZE - off)
			len = MEM_SIZE - off;
		memcpy(mem + off, fz_bytes(&in, &len), len);
		vfemu_ctrlq_process(&dev);
	}
	if (dev.nb_uc > TMMR_NET_MAX_MAC_TABLE || dev.nb_mc > TMMR_NET_MAX_MAC_TABLE - dev.nb_uc ||
	    dev.pairs < 1 || dev.pairs > dev.max_pairs)
		abort();
	if (verbose) {
		char line[1024];

		vfemu_dev_status_line(&dev, line, sizeof(line));
		fprintf(report, "%u patches; %s\n", n, line);
	}
	vfemu_dev_fini(&dev);
	vfemu_loop_destroy(loop);
	fz_check_fds(before, report);
	return 0;
}
