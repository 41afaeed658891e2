/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The fault and link poll of the ethdev (tmmr_poll_locked) against the fake
 * transport: link changes, DEVICE_NEEDS_RESET, a broken control queue,
 * ANNOUNCE, and surprise removal, each reported once.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci.h"
#include "tmmr_ethdev.h"
#include "tmmr_intr.h"

struct fixture {
	struct fake_dev d;
	struct rte_eth_dev dev;
	struct rte_eth_dev_data data;
	struct tmmr_hw hw;
	void *cvq_mem;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	size_t len = tmmr_ctrlq_mem_size(64);

	if (fx == NULL)
		return -1;
	fake_dev_init(&fx->d, TMMR_BIT(TMMR_NET_F_STATUS), 256);
	fx->dev.data = &fx->data;
	fx->data.dev_private = &fx->hw;
	fx->hw.pci = &fx->d.pci;
	fx->hw.started = true;
	fx->hw.features = TMMR_BIT(TMMR_NET_F_STATUS) | TMMR_BIT(TMMR_NET_F_CTRL_VQ) |
		TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE);
	fx->d.status = TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK;
	fx->d.devcfg[TMMR_NET_CFG_STATUS] = TMMR_NET_S_LINK_UP;
	fx->hw.link_up = true;

	/* a control queue on plain memory, for ANNOUNCE_ACK */
	fx->cvq_mem = aligned_alloc(4096, len);
	if (fx->cvq_mem == NULL)
		return -1;
	fx->d.ctrl_queue = 2;
	fx->d.qsize[2] = 64;
	fx->d.dma_iova = 0x40000000;
	fx->d.dma_va = fx->cvq_mem;
	fx->d.dma_len = len;
	if (tmmr_ctrlq_init(&fx->hw.cvq, &fx->d.pci, 2, 64, fx->cvq_mem, fx->d.dma_iova,
			    len) != 0 ||
	    tmmr_leg_queue_activate(&fx->d.pci, 2, fx->d.dma_iova) != 0)
		return -1;
	fx->hw.cvq_ready = true;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->cvq_mem);
	free(fx);
	return 0;
}

static void
test_quiet(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->data.dev_link.link_status, RTE_ETH_LINK_UP);
	assert_int_equal(fx->data.dev_link.link_speed, RTE_ETH_SPEED_NUM_10G);
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
}

static void
test_link_change(void **state)
{
	struct fixture *fx = *state;

	fx->d.devcfg[TMMR_NET_CFG_STATUS] = 0;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_LSC);
	assert_int_equal(fx->data.dev_link.link_status, RTE_ETH_LINK_DOWN);
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	fx->d.devcfg[TMMR_NET_CFG_STATUS] = TMMR_NET_S_LINK_UP;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_LSC);
	assert_int_equal(fx->hw.cnt.link_changes, 2);

	/* without STATUS the link is up while started */
	fx->hw.features &= ~TMMR_BIT(TMMR_NET_F_STATUS);
	fx->d.devcfg[TMMR_NET_CFG_STATUS] = 0;
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->data.dev_link.link_status, RTE_ETH_LINK_UP);
}

static void
test_link_with_msix_offset(void **state)
{
	struct fixture *fx = *state;

	/* with MSI-X on, the status sits at 0x18 + 6, not 0x14 + 6 */
	fx->d.pci.nb_vec = 2;
	fx->d.devcfg[TMMR_NET_CFG_STATUS] = 0;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_LSC);
	assert_int_equal(fx->data.dev_link.link_status, RTE_ETH_LINK_DOWN);
}

static void
test_needs_reset_once(void **state)
{
	struct fixture *fx = *state;

	fx->d.status |= TMMR_STATUS_NEEDS_RESET;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_RESET);
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->hw.cnt.needs_reset_events, 1);
	assert_true(fx->hw.reset_requested);
}

static void
test_broken_ctrlq(void **state)
{
	struct fixture *fx = *state;

	fx->hw.cvq.vq.broken = true;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_RESET);
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->hw.cnt.broken_queue_events, 1);
}

static void
test_announce(void **state)
{
	struct fixture *fx = *state;

	fx->d.devcfg[TMMR_NET_CFG_STATUS] = TMMR_NET_S_LINK_UP | TMMR_NET_S_ANNOUNCE;
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->hw.cnt.announce_acks, 1);
	assert_int_equal(fx->d.last_cmd.class, TMMR_NET_CTRL_ANNOUNCE);
	assert_int_equal(fx->d.last_cmd.cmd, TMMR_NET_CTRL_ANNOUNCE_ACK);

	/* not negotiated: not acked */
	fx->hw.features &= ~TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE);
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->hw.cnt.announce_acks, 1);
}

static void
test_surprise_removal(void **state)
{
	struct fixture *fx = *state;
	unsigned int reads;

	fx->dev.rx_pkt_burst = (eth_rx_burst_t)(uintptr_t)1;
	fx->d.gone = true;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_RMV | TMMR_EV_LSC);
	assert_true(fx->hw.removed);
	assert_int_equal(fx->hw.cnt.surprise_removals, 1);
	assert_int_equal(fx->data.dev_link.link_status, RTE_ETH_LINK_DOWN);
	assert_ptr_equal(fx->dev.rx_pkt_burst, rte_eth_pkt_burst_dummy);
	assert_ptr_equal(fx->dev.tx_pkt_burst, rte_eth_pkt_burst_dummy);
	/* once, and no more register traffic to a dead device */
	reads = fx->d.reads;
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->d.reads, reads);
}

static void
test_status_all_ones(void **state)
{
	struct fixture *fx = *state;

	/* the transport still claims the device, but the status reads 0xff */
	fx->d.status = 0xff;
	assert_int_equal(tmmr_poll_locked(&fx->dev), TMMR_EV_RMV | TMMR_EV_LSC);
	assert_true(fx->hw.removed);
}

static void
test_stopped_port(void **state)
{
	struct fixture *fx = *state;

	fx->hw.started = false;
	fx->d.status |= TMMR_STATUS_NEEDS_RESET;
	assert_int_equal(tmmr_poll_locked(&fx->dev), 0);
	assert_int_equal(fx->hw.cnt.needs_reset_events, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_with_msix_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reset_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_ctrlq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_surprise_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_all_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_port, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
