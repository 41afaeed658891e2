/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The control queue against a fake device that walks the ring (IOVA = VA):
 * command encoding on the wire, ack checking, and a device that NAKs,
 * stays silent, completes garbage or disappears.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci.h"
#include "tmmr_ctrlq.h"
#include "tmmr_legacy.h"

struct fixture {
	struct fake_dev d;
	struct tmmr_ctrlq cq;
	void *mem;
	size_t len;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	uint16_t num = 64;

	if (fx == NULL)
		return -1;
	fake_dev_init(&fx->d, 0, num);
	fx->d.ctrl_queue = 16;
	fx->len = tmmr_ctrlq_mem_size(num);
	fx->mem = aligned_alloc(4096, fx->len);
	if (fx->mem == NULL)
		return -1;
	/* an IOVA unlike the address: the ring must carry IOVAs, never pointers */
	fx->d.dma_iova = 0x40000000;
	fx->d.dma_va = fx->mem;
	fx->d.dma_len = fx->len;
	if (tmmr_ctrlq_init(&fx->cq, &fx->d.pci, 16, num, fx->mem, fx->d.dma_iova,
			    fx->len) != 0)
		return -1;
	if (tmmr_leg_queue_activate(&fx->d.pci, 16, fx->d.dma_iova) != 0)
		return -1;
	fx->cq.timeout_ms = 50;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	free(fx->mem);
	free(fx);
	return 0;
}

static void
test_init_checks(void **state)
{
	struct fixture *fx = *state;
	struct tmmr_ctrlq cq;

	/* too small, not a power of two, misaligned, short memory */
	assert_int_equal(tmmr_ctrlq_init(&cq, &fx->d.pci, 16, 2, fx->mem, 0, fx->len), -EINVAL);
	assert_int_equal(tmmr_ctrlq_init(&cq, &fx->d.pci, 16, 48, fx->mem, 0, fx->len),
			 -EINVAL);
	assert_int_equal(tmmr_ctrlq_init(&cq, &fx->d.pci, 16, 64, (uint8_t *)fx->mem + 64, 0,
					 fx->len), -EINVAL);
	assert_int_equal(tmmr_ctrlq_init(&cq, &fx->d.pci, 16, 64, fx->mem, 0, fx->len - 1),
			 -EINVAL);
	assert_true(tmmr_ctrlq_mem_size(64) >= tmmr_vring_size(64) + TMMR_CTRLQ_BUF_SIZE);
}

static void
test_rx_mode(void **state)
{
	struct fixture *fx = *state;
	struct fake_ctrl_cmd *c = &fx->d.last_cmd;

	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, true), 0);
	assert_int_equal(c->class, TMMR_NET_CTRL_RX);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_RX_PROMISC);
	assert_int_equal(c->nb_out, 2);
	assert_int_equal(c->nb_in, 1);
	assert_int_equal(c->data_len, 1);
	assert_int_equal(c->data[0], 1);
	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_ALLMULTI, false), 0);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_RX_ALLMULTI);
	assert_int_equal(c->data[0], 0);
	assert_int_equal(fx->d.ctrl_cmds, 2);
	assert_int_equal(fx->cq.commands, 2);
	assert_int_equal(fx->d.dma_faults, 0);
	/* the driver asked not to be interrupted: it polls */
	assert_int_equal(fx->cq.vq.avail->flags, TMMR_VRING_AVAIL_F_NO_INTERRUPT);
}

static void
test_mac_commands(void **state)
{
	struct fixture *fx = *state;
	struct fake_ctrl_cmd *c = &fx->d.last_cmd;
	const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	const uint8_t uc[2][6] = { { 0x02, 0, 0, 0, 0, 1 }, { 0x02, 0, 0, 0, 0, 2 } };
	const uint8_t mc[1][6] = { { 0x01, 0, 0x5e, 0, 0, 1 } };
	uint32_t n;

	assert_int_equal(tmmr_ctrlq_mac_addr_set(&fx->cq, mac), 0);
	assert_int_equal(c->class, TMMR_NET_CTRL_MAC);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_MAC_ADDR_SET);
	assert_int_equal(c->data_len, 6);
	assert_memory_equal(c->data, mac, 6);

	assert_int_equal(tmmr_ctrlq_mac_table_set(&fx->cq, uc, 2, mc, 1), 0);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_MAC_TABLE_SET);
	/* two tables, each le32 entries + addresses, in separate descriptors */
	assert_int_equal(c->nb_out, 3);
	assert_int_equal(c->data_len, 4 + 12 + 4 + 6);
	memcpy(&n, c->data, 4);
	assert_int_equal(n, 2);
	assert_memory_equal(c->data + 4, uc, 12);
	memcpy(&n, c->data + 16, 4);
	assert_int_equal(n, 1);
	assert_memory_equal(c->data + 20, mc, 6);

	/* empty tables are legal: clears the filters */
	assert_int_equal(tmmr_ctrlq_mac_table_set(&fx->cq, NULL, 0, NULL, 0), 0);
	assert_int_equal(c->data_len, 8);
	/* more than the table holds */
	assert_int_equal(tmmr_ctrlq_mac_table_set(&fx->cq, NULL, 60, NULL, 5), -EINVAL);
}

static void
test_vlan_mq_announce(void **state)
{
	struct fixture *fx = *state;
	struct fake_ctrl_cmd *c = &fx->d.last_cmd;
	uint16_t v;

	assert_int_equal(tmmr_ctrlq_vlan(&fx->cq, 100, true), 0);
	assert_int_equal(c->class, TMMR_NET_CTRL_VLAN);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_VLAN_ADD);
	memcpy(&v, c->data, 2);
	assert_int_equal(v, 100);
	assert_int_equal(tmmr_ctrlq_vlan(&fx->cq, 4095, false), 0);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_VLAN_DEL);
	assert_int_equal(tmmr_ctrlq_vlan(&fx->cq, 4096, true), -EINVAL);

	assert_int_equal(tmmr_ctrlq_mq_pairs_set(&fx->cq, 4), 0);
	assert_int_equal(c->class, TMMR_NET_CTRL_MQ);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET);
	assert_int_equal(c->data_len, 2);
	memcpy(&v, c->data, 2);
	assert_int_equal(v, 4);
	assert_int_equal(tmmr_ctrlq_mq_pairs_set(&fx->cq, 0), -EINVAL);

	assert_int_equal(tmmr_ctrlq_announce_ack(&fx->cq), 0);
	assert_int_equal(c->class, TMMR_NET_CTRL_ANNOUNCE);
	assert_int_equal(c->cmd, TMMR_NET_CTRL_ANNOUNCE_ACK);
	assert_int_equal(c->nb_out, 1);
	assert_int_equal(c->nb_in, 1);
}

static void
test_many_commands_wrap(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	/* well past the 16-bit index and the ring size */
	for (i = 0; i < 70000; i++)
		assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, i & 1), 0);
	assert_int_equal(fx->d.ctrl_cmds, 70000);
}

static void
test_nak(void **state)
{
	struct fixture *fx = *state;

	fx->d.ctrl_ack = TMMR_NET_ERR;
	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, true), -EIO);
	assert_int_equal(fx->cq.errors, 1);
	/* a NAK is an answer: the queue stays usable */
	fx->d.ctrl_ack = TMMR_NET_OK;
	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, true), 0);
	/* any ack but OK is a refusal */
	fx->d.ctrl_ack = 0x7f;
	assert_int_equal(tmmr_ctrlq_announce_ack(&fx->cq), -EIO);
}

static void
test_silent_device(void **state)
{
	struct fixture *fx = *state;

	fx->d.ctrl_mode = FAKE_CTRL_SILENT;
	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, true),
			 -ETIMEDOUT);
	assert_int_equal(fx->cq.timeouts, 1);
	assert_true(fx->cq.vq.broken);
	/* the buffer may still be in flight: no reuse until reinitialised */
	fx->d.ctrl_mode = FAKE_CTRL_ACK;
	assert_int_equal(tmmr_ctrlq_rx_mode(&fx->cq, TMMR_NET_CTRL_RX_PROMISC, true), -EIO);
	assert_int_equal(fx->d.ctrl_cmds, 1);
}

static void
test_bad_completion(void **state)
{
	struct fixture *fx = *state;

	fx->d.ctrl_mode = FAKE_CTRL_BAD_ID;
	assert_int_equal(tmmr_ctrlq_vlan(&fx->cq, 1, true), -EPROTO);
	assert_true(fx->cq.vq.broken);
}

static void
test_index_jump(void **state)
{
	struct fixture *fx = *state;

	fx->d.ctrl_mode = FAKE_CTRL_DOUBLE;
	assert_int_equal(tmmr_ctrlq_vlan(&fx->cq, 1, true), -EPROTO);
	assert_true(fx->cq.vq.broken);
}

static void
test_device_gone(void **state)
{
	struct fixture *fx = *state;

	fx->d.gone = true;
	fx->cq.timeout_ms = 5000;
	/* noticed through alive(), long before the timeout */
	assert_int_equal(tmmr_ctrlq_mq_pairs_set(&fx->cq, 2), -ENODEV);
	assert_int_equal(fx->cq.timeouts, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_mq_announce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_commands_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_jump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_gone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
