/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* The legacy register block at BAR0 + 0x1000, the doorbells and MSI-X. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_harness.h"

#define F(bit) (1u << (bit))
#define CTRL_BITS (F(TMMR_NET_F_MAC) | F(TMMR_NET_F_STATUS) | F(TMMR_NET_F_CTRL_VQ) | \
		   F(TMMR_NET_F_CTRL_RX) | F(TMMR_NET_F_CTRL_VLAN) | \
		   F(TMMR_NET_F_CTRL_MAC_ADDR) | F(TMMR_NET_F_MTU) | F(TMMR_NET_F_GUEST_ANNOUNCE))
#define DATA_BITS (F(TMMR_NET_F_MRG_RXBUF) | F(TMMR_NET_F_CSUM) | F(TMMR_NET_F_GUEST_CSUM) | \
		   F(TMMR_NET_F_HOST_TSO4) | F(TMMR_NET_F_HOST_TSO6) | \
		   F(TMMR_NET_F_GUEST_TSO4) | F(TMMR_NET_F_GUEST_TSO6) | \
		   F(TMMR_RING_F_EVENT_IDX) | F(TMMR_F_ANY_LAYOUT) | F(TMMR_RING_F_INDIRECT_DESC))

static struct mh h;

static int
setup_pairs(uint16_t pairs)
{
	struct mh_cfg cfg = { .nb_vfs = 1, .pairs = pairs };

	if (mh_setup(&h, &cfg) < 0)
		return -1;
	return mh_connect(&h, 0);
}

static int
setup(void **state)
{
	(void)state;
	return setup_pairs(1);
}

static int
setup_mq(void **state)
{
	(void)state;
	return setup_pairs(4);
}

static int
teardown(void **state)
{
	(void)state;
	mh_teardown(&h);
	return 0;
}

static void
test_features(void **state)
{
	uint32_t f;

	(void)state;
	f = mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4);
	assert_int_equal(f, CTRL_BITS | DATA_BITS);
	assert_false(f & F(TMMR_NET_F_MQ));
	assert_false(f & F(TMMR_VHOST_USER_F_PROTOCOL_FEATURES));
	/* device features are read-only */
	mh_leg_write(&h, TMMR_LEG_DEVICE_FEATURES, 4, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4), f);
	/* the driver can only ack what is offered */
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, 0xffffffff);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DRIVER_FEATURES, 4), f);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, F(TMMR_NET_F_MAC) | F(TMMR_NET_F_MQ));
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DRIVER_FEATURES, 4), F(TMMR_NET_F_MAC));
	assert_int_equal(mh_status_num(&h, 0, "acked"), F(TMMR_NET_F_MAC));
}

static void
test_features_mq(void **state)
{
	(void)state;
	assert_true(mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4) & F(TMMR_NET_F_MQ));
	/* max_virtqueue_pairs in the device config (no MSI-X: at 0x14) */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DEVCFG_NO_MSIX + TMMR_NET_CFG_MAX_VQ_PAIRS, 2),
			 4);
	/* queues: 8 data, ctrl at 8, none at 9 */
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 7);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 8);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 64);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 9);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 0);
}

static void
test_queues(void **state)
{
	struct mh_mem m;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x100000), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	/* size is read-only */
	mh_leg_write(&h, TMMR_LEG_QUEUE_SIZE, 2, 16);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 1);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 2);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 64);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 3);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SEL, 2), 3);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 0);
	/* a PFN for a queue that does not exist goes nowhere */
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x100);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_PFN, 4), 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0xffff);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 0);
	/* a good PFN sticks and 0 disables */
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 1);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x100);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_PFN, 4), 0x100);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_PFN, 4), 0);
	mh_mem_destroy(&m);
}

static void
test_wrong_width_and_holes(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_DEVICE_FEATURES, 2, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_DEVICE_FEATURES, 1, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_DEVICE_FEATURES + 1, 1, &v), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 0x1000 + TMMR_LEG_QUEUE_PFN, 2, 1), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_QUEUE_SEL, 4, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_STATUS, 2, &v), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 0x1000 + TMMR_LEG_STATUS, 4, 0), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1000 + TMMR_LEG_ISR, 4, &v), -EINVAL);
	/* device config: 1/2/4 inside, nothing crossing the end or of width 3 */
	assert_int_equal(mh_bar_read(&h, 0x1014 + 11, 1, &v), 0);
	assert_int_equal(mh_bar_read(&h, 0x1014 + 11, 2, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1014 + 1, 4, &v), 0);
	assert_int_equal(mh_bar_read(&h, 0x1014, 3, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x1014 + 12, 1, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x10fc, 4, &v), -EINVAL);
	/* between the legacy block and the MSI-X table */
	assert_int_equal(mh_bar_read(&h, 0x1100, 4, &v), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 0x1800, 4, 0), -EINVAL);
	/* doorbells: 2 bytes at 4*q only */
	assert_int_equal(mh_bar_write(&h, 0, 4, 0), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 2, 2, 0), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 4 * 3, 2, 3), -EINVAL);
	assert_int_equal(mh_bar_write(&h, 0xffc, 2, 0), -EINVAL);
	/* outside BAR0 */
	assert_int_equal(mh_bar_read(&h, 0x4000, 4, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x3ffe, 4, &v), -EINVAL);
	/* no crash, still talking */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
}

static void
test_device_config_and_msix_layout(void **state)
{
	uint8_t mac[6];
	int efds[4], i;

	(void)state;
	/* without MSI-X the device config is at 0x14 */
	for (i = 0; i < 6; i++)
		mac[i] = mh_leg_read(&h, 0x14 + i, 1);
	assert_int_equal(mac[0], 0x02);
	assert_int_equal(mac[1], 0x1a);
	assert_int_equal(mac[5], 0x00);
	assert_int_equal(mh_leg_read(&h, 0x14 + TMMR_NET_CFG_MTU, 2), 1500);
	assert_int_equal(mh_leg_read(&h, 0x14 + TMMR_NET_CFG_MAX_VQ_PAIRS, 2), 1);
	assert_int_equal(mh_leg_read(&h, 0x14 + TMMR_NET_CFG_STATUS, 2), 0);	/* no backend */
	/* the MAC is writable, status is not */
	mh_leg_write(&h, 0x14 + 4, 2, 0x5544);
	mh_leg_write(&h, 0x14 + TMMR_NET_CFG_STATUS, 2, 0xffff);
	assert_int_equal(mh_leg_read(&h, 0x14 + 4, 2), 0x5544);
	assert_int_equal(mh_leg_read(&h, 0x14 + TMMR_NET_CFG_STATUS, 2), 0);
	{
		char s[32];

		assert_int_equal(mh_status_str(&h, 0, "mac", s, sizeof(s)), 0);
		assert_string_equal(s, "02:1a:f4:00:44:55");
	}
	/* the vector registers do not exist without MSI-X: 0x14 is the MAC */
	assert_int_equal(mh_leg_read(&h, 0x14, 2), 0x1a02);
	/* with MSI-X: vectors at 0x14/0x16, device config at 0x18 */
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2), TMMR_MSI_NO_VECTOR);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 4);	/* no such vector */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2), TMMR_MSI_NO_VECTOR);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 1);
	mh_leg_write(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2, 2);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2), 2);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2), TMMR_MSI_NO_VECTOR);
	assert_int_equal(mh_leg_read(&h, 0x18 + 4, 2), 0x5544);
	assert_int_equal(mh_leg_read(&h, 0x18 + TMMR_NET_CFG_MTU, 2), 1500);
	/* the MSI-X enable bit in config space follows SET_IRQS, as with vfio-pci */
	{
		uint16_t ctl;

		assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0x82, &ctl, 2), 0);
		assert_true(ctl & 0x8000);
	}
	for (i = 0; i < 4; i++)
		close(efds[i]);
}

static void
test_status_and_reset(void **state)
{
	struct mh_mem m;
	int efds[4], i;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x100000), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, F(TMMR_NET_F_MAC));
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x100);
	mh_leg_write(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2, 1);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0x07);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0x07);
	/* no backend: the data plane waits, the device is still fine */
	assert_int_equal(mh_status_num(&h, 0, "started"), 0);
	mh_leg_write(&h, 0x18, 1, 0x66);
	/* reset is synchronous */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DRIVER_FEATURES, 4), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SEL, 2), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_PFN, 4), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2), TMMR_MSI_NO_VECTOR);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2), TMMR_MSI_NO_VECTOR);
	/* the MAC goes back to the one the device was made with */
	assert_int_equal(mh_leg_read(&h, 0x18, 1), 0x02);
	/* DMA maps and interrupts belong to the connection, not the device state */
	assert_int_equal(mh_status_num(&h, 0, "dma_maps"), 1);
	assert_int_equal(mh_status_num(&h, 0, "msix"), 4);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	mh_mem_destroy(&m);
}

static void
test_pfn_outside_dma_needs_reset(void **state)
{
	struct mh_mem m;
	int efds[4], i;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x10000), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	assert_false(mh_efd_fired(efds[0]));
	/* a 256-entry ring needs 0x2806 bytes: at 0x10e000 it runs past the map's end */
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x10e);
	assert_true(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET);
	assert_true(mh_efd_fired(efds[0]));
	/* ISR: config change, read clears */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_ISR, 1), TMMR_ISR_CONFIG);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_ISR, 1), 0);
	/* the bit survives driver status writes until a reset */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		     TMMR_STATUS_DRIVER_OK);
	assert_true(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);

	/* checked again at DRIVER_OK: the map went away after the PFN write */
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 2);	/* ctrl queue, 64 entries */
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x100);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET, 0);
	assert_int_equal(mh_dma_unmap(&h, 0x100000, 0x10000), 0);
	assert_false(mh_efd_fired(efds[0]));
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		     TMMR_STATUS_DRIVER_OK);
	assert_true(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET);
	assert_true(mh_efd_fired(efds[0]));
	for (i = 0; i < 4; i++)
		close(efds[i]);
	mh_mem_destroy(&m);
}

/* The MTU the model was given is what the device config offers, with F_MTU. */
static void
test_mtu_option(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 2, .mtu = 9000 };
	struct mh big;
	int efds[4], i;

	(void)state;
	/* the default */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_DEVCFG_NO_MSIX + TMMR_NET_CFG_MTU, 2), 1500);
	assert_int_equal(mh_status_num(&h, 0, "mtu"), 1500);
	assert_int_equal(mh_setup(&big, &cfg), 0);
	assert_int_equal(mh_connect(&big, 1), 0);
	assert_true(mh_leg_read(&big, TMMR_LEG_DEVICE_FEATURES, 4) & F(TMMR_NET_F_MTU));
	assert_int_equal(mh_leg_read(&big, TMMR_LEG_DEVCFG_NO_MSIX + TMMR_NET_CFG_MTU, 2),
			 9000);
	assert_int_equal(mh_status_num(&big, 1, "mtu"), 9000);
	/* at its place after the MSI-X registers too, and read-only */
	assert_int_equal(mh_set_msix(&big, 0, 4, efds), 0);
	assert_int_equal(mh_leg_read(&big, 0x18 + TMMR_NET_CFG_MTU, 2), 9000);
	mh_leg_write(&big, 0x18 + TMMR_NET_CFG_MTU, 2, 1234);
	assert_int_equal(mh_leg_read(&big, 0x18 + TMMR_NET_CFG_MTU, 2), 9000);
	/* a reset keeps it */
	mh_leg_write(&big, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_leg_read(&big, 0x18 + TMMR_NET_CFG_MTU, 2), 9000);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	mh_teardown(&big);

	/* the library refuses an MTU below 68 */
	cfg.mtu = 67;
	assert_int_not_equal(mh_setup(&big, &cfg), 0);
}

/* "needs-reset <vf>": NEEDS_RESET and a config interrupt, as a device fault. */
static void
test_needs_reset_command(void **state)
{
	char out[128];
	int efds[4], i;

	(void)state;
	/* a device in reset has no driver to tell */
	mh_ctl(&h, "needs-reset 0", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	mh_ctl(&h, "needs-reset 1", out, sizeof(out));
	assert_string_equal(out, "error bad vf");
	mh_ctl(&h, "needs-reset", out, sizeof(out));
	assert_string_equal(out, "error bad vf");
	mh_ctl(&h, "needs-reset 0 now", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);

	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		     TMMR_STATUS_DRIVER_OK);
	assert_false(mh_efd_fired(efds[0]));
	mh_ctl(&h, "needs-reset 0 now", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET, 0);
	assert_false(mh_efd_fired(efds[0]));
	mh_ctl(&h, "needs-reset 0", out, sizeof(out));
	assert_string_equal(out, "ok");
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), TMMR_STATUS_ACK |
			 TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK | TMMR_STATUS_NEEDS_RESET);
	assert_true(mh_efd_fired(efds[0]));
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_ISR, 1), TMMR_ISR_CONFIG);
	assert_int_equal(mh_status_num(&h, 0, "status"), 0x47);
	/* once until a reset: no second interrupt */
	mh_ctl(&h, "needs-reset 0", out, sizeof(out));
	assert_string_equal(out, "ok");
	assert_false(mh_efd_fired(efds[0]));
	/* a reset clears it; the device works again */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		     TMMR_STATUS_DRIVER_OK);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET, 0);
	for (i = 0; i < 4; i++)
		close(efds[i]);
}

static void
test_intx_config_interrupt(void **state)
{
	struct tmmr_vfu_irq_set s = {
		.argsz = sizeof(s),
		.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_TRIGGER,
		.index = TMMR_VFU_IRQ_INTX, .count = 1,
	};
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	(void)state;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), &efd, 1, NULL, 0,
				NULL, NULL), 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x12345);	/* nothing is mapped */
	assert_true(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET);
	assert_true(mh_efd_fired(efd));
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_ISR, 1), TMMR_ISR_CONFIG);
	close(efd);
}

/* bar_reads/bar_writes count the BAR0 accesses served, and only those */
static void
test_bar_access_counters(void **state)
{
	long reads, writes;
	uint8_t cfg[4];

	(void)state;
	reads = mh_status_num(&h, 0, "bar_reads");
	writes = mh_status_num(&h, 0, "bar_writes");
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0, cfg, sizeof(cfg)), 0);
	/* refused: wrong width on a 16-bit register, and beyond BAR0 */
	assert_int_not_equal(mh_bar_read(&h, TMMR_BAR0_LEGACY_OFF + TMMR_LEG_QUEUE_SEL, 4,
					 (uint32_t[]){ 0 }), 0);
	assert_int_not_equal(mh_bar_write(&h, TMMR_BAR0_SIZE, 4, 0), 0);
	mh_pump(&h, 2);
	assert_int_equal(mh_status_num(&h, 0, "bar_reads"), reads + 1);
	assert_int_equal(mh_status_num(&h, 0, "bar_writes"), writes + 1);
}

static void
test_doorbells(void **state)
{
	long kicks;

	(void)state;
	kicks = mh_status_num(&h, 0, "kicks");
	/* the ctrl queue (2) is the model's own: both doorbells reach it */
	assert_int_equal(mh_bar_write(&h, 4 * 2, 2, 2), 0);
	mh_pump(&h, 2);
	assert_int_equal(mh_status_num(&h, 0, "kicks"), kicks + 1);
	mh_leg_write(&h, TMMR_LEG_QUEUE_NOTIFY, 2, 2);
	mh_pump(&h, 2);
	assert_int_equal(mh_status_num(&h, 0, "kicks"), kicks + 2);
	/* QUEUE_NOTIFY of a queue that does not exist is ignored */
	mh_leg_write(&h, TMMR_LEG_QUEUE_NOTIFY, 2, 77);
	mh_pump(&h, 2);
	assert_int_equal(mh_status_num(&h, 0, "kicks"), kicks + 2);
	/* data queues' doorbells are accepted (for the backend) */
	assert_int_equal(mh_bar_write(&h, 4 * 0, 2, 0), 0);
	assert_int_equal(mh_bar_read(&h, 4 * 0, 2, (uint32_t[]){ 0 }), 0);
}

static void
test_msix_table_and_masking(void **state)
{
	uint32_t v;
	uint16_t ctl;
	int efds[4], i;

	(void)state;
	/* table entries are read/write, the PBA read-only */
	assert_int_equal(mh_bar_write(&h, 0x2000 + 16 * 3 + 8, 4, 0xabcd), 0);
	assert_int_equal(mh_bar_read(&h, 0x2000 + 16 * 3 + 8, 4, &v), 0);
	assert_int_equal(v, 0xabcd);
	assert_int_equal(mh_bar_read(&h, 0x2000 + 2, 2, &v), -EINVAL);
	assert_int_equal(mh_bar_read(&h, 0x3000, 4, &v), 0);
	assert_int_equal(v, 0);

	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 1);
	/* function mask: the interrupt is held pending, then delivered */
	ctl = 0x8000 | 0x4000;
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 0x82, &ctl, 2), 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x999);
	assert_true(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET);
	assert_false(mh_efd_fired(efds[1]));
	assert_int_equal(mh_bar_read(&h, 0x3000, 4, &v), 0);
	assert_int_equal(v, 1u << 1);
	ctl = 0x8000;
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 0x82, &ctl, 2), 0);
	assert_true(mh_efd_fired(efds[1]));
	assert_int_equal(mh_bar_read(&h, 0x3000, 4, &v), 0);
	assert_int_equal(v, 0);
	/* per-vector mask bit in the table entry */
	assert_int_equal(mh_bar_write(&h, 0x2000 + 16 * 1 + 12, 4, 1), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 1);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x999);
	assert_false(mh_efd_fired(efds[1]));
	assert_int_equal(mh_bar_write(&h, 0x2000 + 16 * 1 + 12, 4, 0), 0);
	assert_true(mh_efd_fired(efds[1]));
	for (i = 0; i < 4; i++)
		close(efds[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_mq, setup_mq, teardown),
		cmocka_unit_test_setup_teardown(test_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_width_and_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_config_and_msix_layout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pfn_outside_dma_needs_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx_config_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtu_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reset_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbells, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_access_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_table_and_masking, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
