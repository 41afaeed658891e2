/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The control queue's ordering against DMA: the code (tmmr_ctrlq.c and the
 * ring helpers of tmmr_vq.h it uses) is compiled here with the I/O barriers
 * replaced by hooks that look at the ring when they are issued (on x86 they
 * compile to nothing, so no run can show a missing one).
 * A command must put a write barrier between its descriptors and the avail
 * index, another between the index and the doorbell, and a read barrier
 * between the used index it saw move and the used entry and ack it reads.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_io.h>
#include <rte_pause.h>

/* before the headers whose inline ring helpers issue the barriers */
static void hook_wmb(void);
static void hook_rmb(void);
#undef rte_io_wmb
#undef rte_io_rmb
#define rte_io_wmb() hook_wmb()
#define rte_io_rmb() hook_rmb()

#include "fake_pci.h"
#include "tmmr_ctrlq.h"
#include "tmmr_legacy.h"
#include "tmmr_logs.h"

static struct fake_dev *hook_dev;
static struct tmmr_ctrlq *hook_cq;
static unsigned int wmb_before_idx;	/* descriptors written, index not yet */
static unsigned int wmb_before_bell;	/* index written, device not yet told */
static unsigned int rmb_after_used;	/* used index moved, not yet consumed */

static void
hook_wmb(void)
{
	struct tmmr_ctrlq *cq = hook_cq;
	uint16_t idx;

	if (cq == NULL)
		return;
	idx = *(volatile uint16_t *)&cq->vq.avail->idx;
	if (idx != cq->vq.avail_shadow && cq->vq.desc[0].len != 0)
		wmb_before_idx++;
	else if (idx == cq->vq.avail_shadow && hook_dev->ctrl_last_avail != idx)
		wmb_before_bell++;
}

static void
hook_rmb(void)
{
	struct tmmr_ctrlq *cq = hook_cq;

	if (cq != NULL && cq->vq.used->idx != cq->vq.used_cons)
		rmb_after_used++;
}

#include "tmmr_ctrlq.c"

static void
test_ordering(void **state)
{
	struct fake_dev d;
	struct tmmr_ctrlq cq;
	uint16_t num = 64;
	size_t len = tmmr_ctrlq_mem_size(num);
	void *mem = aligned_alloc(4096, len);
	int i;

	(void)state;
	assert_non_null(mem);
	fake_dev_init(&d, 0, num);
	d.ctrl_queue = 16;
	d.dma_iova = 0x40000000;
	d.dma_va = mem;
	d.dma_len = len;
	assert_int_equal(tmmr_ctrlq_init(&cq, &d.pci, 16, num, mem, d.dma_iova, len), 0);
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 16, d.dma_iova), 0);
	cq.timeout_ms = 50;
	hook_dev = &d;
	hook_cq = &cq;
	for (i = 1; i <= 3; i++) {
		assert_int_equal(tmmr_ctrlq_rx_mode(&cq, TMMR_NET_CTRL_RX_PROMISC, true), 0);
		assert_int_equal(wmb_before_idx, i);
		assert_int_equal(wmb_before_bell, i);
		assert_int_equal(rmb_after_used, i);
	}
	assert_int_equal(d.ctrl_cmds, 3);
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordering),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
