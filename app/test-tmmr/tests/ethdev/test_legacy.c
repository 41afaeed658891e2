/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The legacy control path against a fake register block: feature
 * negotiation, reset, the 20/24 device-config rule, MAC read until stable,
 * queue size and ring IOVA validation, MSI-X vector read-back.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_pci.h"
#include "tmmr_ethdev.h"
#include "tmmr_hw.h"
#include "tmmr_legacy.h"

#define B(x) TMMR_BIT(x)

static const uint32_t all_offered = TMMR_FEATURES_SUPPORTED | B(TMMR_NET_F_GUEST_UFO) |
	B(TMMR_NET_F_HOST_UFO) | B(TMMR_NET_F_GUEST_ECN) | B(TMMR_F_NOTIFY_ON_EMPTY) |
	B(TMMR_VHOST_USER_F_PROTOCOL_FEATURES) | B(TMMR_NET_F_CTRL_RX_EXTRA) | B(31);

static void
test_negotiate_all(void **state)
{
	struct tmmr_devargs da;
	uint32_t f;

	(void)state;
	tmmr_devargs_default(&da);
	f = tmmr_features_negotiate(all_offered, &da, NULL);
	/* exactly the supported set: nothing the driver cannot handle */
	assert_int_equal(f, TMMR_FEATURES_SUPPORTED);
	assert_false(f & B(TMMR_VHOST_USER_F_PROTOCOL_FEATURES));
	assert_false(f & B(TMMR_NET_F_GUEST_UFO));
	assert_false(f & B(TMMR_F_NOTIFY_ON_EMPTY));
	/* nothing the device does not offer */
	f = tmmr_features_negotiate(B(TMMR_NET_F_MAC) | B(TMMR_NET_F_STATUS), &da, NULL);
	assert_int_equal(f, B(TMMR_NET_F_MAC) | B(TMMR_NET_F_STATUS));
	assert_int_equal(tmmr_features_negotiate(0, &da, NULL), 0);
}

static void
test_negotiate_devargs(void **state)
{
	struct tmmr_devargs da;
	uint32_t f;

	(void)state;
	tmmr_devargs_default(&da);
	da.mrg_rxbuf = TMMR_MRG_OFF;
	da.event_idx = false;
	da.indirect = false;
	da.any_layout = false;
	f = tmmr_features_negotiate(all_offered, &da, NULL);
	assert_false(f & (B(TMMR_NET_F_MRG_RXBUF) | B(TMMR_RING_F_EVENT_IDX) |
			  B(TMMR_RING_F_INDIRECT_DESC) | B(TMMR_F_ANY_LAYOUT)));
	assert_true(f & B(TMMR_NET_F_CSUM));

	tmmr_devargs_default(&da);
	da.csum = false;
	f = tmmr_features_negotiate(all_offered, &da, NULL);
	/* TSO needs checksum offload: gone with it */
	assert_false(f & (B(TMMR_NET_F_CSUM) | B(TMMR_NET_F_GUEST_CSUM) |
			  B(TMMR_NET_F_HOST_TSO4) | B(TMMR_NET_F_HOST_TSO6) |
			  B(TMMR_NET_F_GUEST_TSO4) | B(TMMR_NET_F_GUEST_TSO6)));
	assert_true(f & B(TMMR_NET_F_MRG_RXBUF));

	tmmr_devargs_default(&da);
	da.tso = false;
	f = tmmr_features_negotiate(all_offered, &da, NULL);
	assert_false(f & (B(TMMR_NET_F_HOST_TSO4) | B(TMMR_NET_F_GUEST_TSO6)));
	assert_true(f & (B(TMMR_NET_F_CSUM) | B(TMMR_NET_F_GUEST_CSUM)));
}

static void
test_negotiate_offloads(void **state)
{
	struct tmmr_feature_req req;
	struct tmmr_devargs da;
	uint32_t f;

	(void)state;
	tmmr_devargs_default(&da);
	memset(&req, 0, sizeof(req));
	f = tmmr_features_negotiate(all_offered, &da, &req);
	/* no offload asked: no offload feature acked, CTRL_VLAN not either */
	assert_false(f & (B(TMMR_NET_F_CSUM) | B(TMMR_NET_F_GUEST_CSUM) |
			  B(TMMR_NET_F_HOST_TSO4) | B(TMMR_NET_F_GUEST_TSO4) |
			  B(TMMR_NET_F_CTRL_VLAN)));
	assert_true(f & B(TMMR_NET_F_MQ));
	assert_true(f & B(TMMR_NET_F_CTRL_RX));
	/* mrg_rxbuf=auto: frames that fit one mbuf need no mergeable buffers */
	assert_false(f & B(TMMR_NET_F_MRG_RXBUF));

	req.rx_csum = true;
	f = tmmr_features_negotiate(all_offered, &da, &req);
	assert_true(f & B(TMMR_NET_F_GUEST_CSUM));
	assert_false(f & (B(TMMR_NET_F_GUEST_TSO4) | B(TMMR_NET_F_CSUM)));

	memset(&req, 0, sizeof(req));
	req.rx_lro = true;
	f = tmmr_features_negotiate(all_offered, &da, &req);
	/* LRO alone pulls in GUEST_CSUM, which guest TSO needs */
	assert_true(f & B(TMMR_NET_F_GUEST_CSUM));
	assert_true(f & B(TMMR_NET_F_GUEST_TSO4));
	assert_true(f & B(TMMR_NET_F_GUEST_TSO6));

	memset(&req, 0, sizeof(req));
	req.tx_tso = true;
	req.vlan_filter = true;
	f = tmmr_features_negotiate(all_offered, &da, &req);
	assert_true(f & (B(TMMR_NET_F_CSUM) | B(TMMR_NET_F_HOST_TSO4)));
	assert_true(f & B(TMMR_NET_F_CTRL_VLAN));
	assert_false(f & B(TMMR_NET_F_GUEST_CSUM));

	/* devargs win over the offload request */
	da.tso = false;
	f = tmmr_features_negotiate(all_offered, &da, &req);
	assert_false(f & B(TMMR_NET_F_HOST_TSO4));
	assert_true(f & B(TMMR_NET_F_CSUM));
}

/* mrg_rxbuf=auto acks MRG_RXBUF for scattered Rx or LRO only; 0 and 1 decide alone */
static void
test_negotiate_mrg_auto(void **state)
{
	struct tmmr_feature_req req;
	struct tmmr_devargs da;

	(void)state;
	tmmr_devargs_default(&da);
	memset(&req, 0, sizeof(req));
	assert_false(tmmr_features_negotiate(all_offered, &da, &req) & B(TMMR_NET_F_MRG_RXBUF));
	req.rx_scatter = true;
	assert_true(tmmr_features_negotiate(all_offered, &da, &req) & B(TMMR_NET_F_MRG_RXBUF));
	memset(&req, 0, sizeof(req));
	req.rx_lro = true;
	assert_true(tmmr_features_negotiate(all_offered, &da, &req) & B(TMMR_NET_F_MRG_RXBUF));
	/* what the device can do (no request): offered, so usable */
	assert_true(tmmr_features_negotiate(all_offered, &da, NULL) & B(TMMR_NET_F_MRG_RXBUF));
	/* not offered: never */
	req.rx_scatter = true;
	assert_false(tmmr_features_negotiate(all_offered & ~B(TMMR_NET_F_MRG_RXBUF), &da, &req) &
		     B(TMMR_NET_F_MRG_RXBUF));

	memset(&req, 0, sizeof(req));
	da.mrg_rxbuf = TMMR_MRG_ON;
	assert_true(tmmr_features_negotiate(all_offered, &da, &req) & B(TMMR_NET_F_MRG_RXBUF));
	da.mrg_rxbuf = TMMR_MRG_OFF;
	req.rx_scatter = true;
	assert_false(tmmr_features_negotiate(all_offered, &da, &req) & B(TMMR_NET_F_MRG_RXBUF));
}

static void
test_fixup_dependencies(void **state)
{
	uint32_t f;

	(void)state;
	/* control-queue features without a control queue */
	f = tmmr_features_fixup(B(TMMR_NET_F_CTRL_RX) | B(TMMR_NET_F_MQ) |
				B(TMMR_NET_F_CTRL_VLAN) | B(TMMR_NET_F_CTRL_MAC_ADDR) |
				B(TMMR_NET_F_GUEST_ANNOUNCE) | B(TMMR_NET_F_MAC));
	assert_int_equal(f, B(TMMR_NET_F_MAC));
	/* TSO without checksum offload */
	f = tmmr_features_fixup(B(TMMR_NET_F_GUEST_TSO4) | B(TMMR_NET_F_HOST_TSO6) |
				B(TMMR_NET_F_CSUM));
	assert_int_equal(f, B(TMMR_NET_F_HOST_TSO6) | B(TMMR_NET_F_CSUM));
	f = tmmr_features_fixup(B(TMMR_NET_F_CTRL_VQ) | B(TMMR_NET_F_MQ));
	assert_int_equal(f, B(TMMR_NET_F_CTRL_VQ) | B(TMMR_NET_F_MQ));
}

static void
test_reset(void **state)
{
	struct fake_dev d;

	(void)state;
	fake_dev_init(&d, 0, 256);
	d.status = TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK;
	assert_int_equal(tmmr_leg_reset(&d.pci, 100), 0);
	assert_int_equal(d.status, 0);

	/* a device that takes a few reads to finish */
	d.status = TMMR_STATUS_ACK;
	d.reset_delay = 50;
	assert_int_equal(tmmr_leg_reset(&d.pci, 1000), 0);

	/* one that never does: bounded */
	d.status = TMMR_STATUS_ACK;
	d.reset_stuck = true;
	assert_int_equal(tmmr_leg_reset(&d.pci, 30), -ETIMEDOUT);

	/* one that is gone */
	d.reset_stuck = false;
	d.gone = true;
	assert_int_equal(tmmr_leg_reset(&d.pci, 1000), -ENODEV);
}

/*
 * The reset at stop must not leave a device doing DMA: a legacy reset that
 * times out is followed by a function-level reset and a check that the
 * device reads reset; -ETIMEDOUT only when that fails too.
 */
static void
test_quiesce(void **state)
{
	struct fake_dev d;

	(void)state;
	fake_dev_init(&d, 0, 256);
	d.status = TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK;
	assert_int_equal(tmmr_leg_quiesce(&d.pci, 100), 0);
	assert_int_equal(d.fn_resets, 0);

	/* stuck: the function-level reset gets it back */
	d.status = TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK;
	d.reset_stuck = true;
	assert_int_equal(tmmr_leg_quiesce(&d.pci, 30), 0);
	assert_int_equal(d.fn_resets, 1);
	assert_int_equal(d.status, 0);

	/* and when that does not help either */
	d.status = TMMR_STATUS_ACK | TMMR_STATUS_DRIVER | TMMR_STATUS_DRIVER_OK;
	d.reset_stuck = true;
	d.fn_reset_fails = true;
	assert_int_equal(tmmr_leg_quiesce(&d.pci, 30), -ETIMEDOUT);
	assert_int_equal(d.fn_resets, 2);

	/* a device that is gone is not reset again */
	d.reset_stuck = false;
	d.gone = true;
	assert_int_equal(tmmr_leg_quiesce(&d.pci, 100), -ENODEV);
	assert_int_equal(d.fn_resets, 2);
}

static void
test_status_features(void **state)
{
	struct fake_dev d;

	(void)state;
	fake_dev_init(&d, 0x12345678, 256);
	tmmr_leg_add_status(&d.pci, TMMR_STATUS_ACK);
	tmmr_leg_add_status(&d.pci, TMMR_STATUS_DRIVER);
	assert_int_equal(tmmr_leg_get_status(&d.pci), TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	assert_int_equal(tmmr_leg_get_features(&d.pci), 0x12345678);
	tmmr_leg_set_features(&d.pci, 0x8);
	assert_int_equal(d.drv_features, 0x8);
}

static void
test_devcfg_offset_rule(void **state)
{
	struct fake_dev d;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(tmmr_leg_devcfg_off(false), 20);
	assert_int_equal(tmmr_leg_devcfg_off(true), 24);

	fake_dev_init(&d, 0, 256);
	memcpy(d.devcfg, "\x02\x01\x02\x03\x04\x05", 6);
	d.devcfg[TMMR_NET_CFG_STATUS] = TMMR_NET_S_LINK_UP;
	d.devcfg[TMMR_NET_CFG_MAX_VQ_PAIRS] = 4;
	d.devcfg[TMMR_NET_CFG_MTU] = 0xdc;
	d.devcfg[TMMR_NET_CFG_MTU + 1] = 0x05;

	/* without MSI-X: config at 0x14 */
	assert_int_equal(tmmr_leg_read_mac(&d.pci, mac, 4), 0);
	assert_memory_equal(mac, d.devcfg, 6);
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_STATUS), 1);
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_MAX_VQ_PAIRS), 4);
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_MTU), 1500);

	/* with MSI-X: 0x14/0x16 are the vectors, config moves to 0x18 */
	d.pci.nb_vec = 3;
	assert_int_equal(tmmr_leg_set_config_vector(&d.pci, 0), 0);
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_MAX_VQ_PAIRS), 4);
	assert_int_equal(tmmr_leg_read_mac(&d.pci, mac, 4), 0);
	assert_memory_equal(mac, d.devcfg, 6);
	/* writing the MAC with MSI-X on must not touch the vectors */
	tmmr_leg_devcfg_write(&d.pci, TMMR_NET_CFG_MAC, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_memory_equal(d.devcfg, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_int_equal(d.cfgvec, 0);
}

/*
 * DRV-4: every access stays inside the legacy block. A block that ends
 * before the net config (probe refuses it; here forced) reads all-ones and
 * takes no write, without an access reaching the device.
 */
static void
test_block_bounds(void **state)
{
	struct fake_dev d;
	unsigned int reads, writes;

	(void)state;
	fake_dev_init(&d, 0, 256);
	d.devcfg[TMMR_NET_CFG_MTU] = 0xdc;
	d.devcfg[TMMR_NET_CFG_MTU + 1] = 0x05;
	d.pci.nb_vec = 3;
	/* the registers and the MAC, not the status, pairs or MTU */
	d.pci.layout.legacy_len = TMMR_LEG_DEVCFG_MSIX + 6;
	reads = d.reads;
	writes = d.writes;
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_MTU), 0xffff);
	assert_int_equal(tmmr_leg_devcfg_read16(&d.pci, TMMR_NET_CFG_STATUS), 0xffff);
	assert_int_equal(tmmr_leg_read(&d.pci, d.pci.layout.legacy_len - 1, 2), 0xffff);
	assert_int_equal(tmmr_leg_read(&d.pci, UINT32_MAX - 1, 4), UINT32_MAX);
	tmmr_leg_write(&d.pci, d.pci.layout.legacy_len, 0x12, 1);
	tmmr_leg_devcfg_write(&d.pci, TMMR_NET_CFG_STATUS, "\x01\x02", 2);
	assert_int_equal(d.reads, reads);
	assert_int_equal(d.writes, writes);
	/* inside the block as before */
	assert_int_equal(tmmr_leg_read(&d.pci, d.pci.layout.legacy_len - 2, 2),
			 d.devcfg[4] | d.devcfg[5] << 8);
	assert_int_equal(d.reads, reads + 1);
}

static void
test_mac_until_stable(void **state)
{
	struct fake_dev d;
	uint8_t mac[6];

	(void)state;
	fake_dev_init(&d, 0, 256);
	memcpy(d.devcfg, "\x02\x00\x00\x00\x00\x10", 6);
	d.mac_changes = 3;
	assert_int_equal(tmmr_leg_read_mac(&d.pci, mac, TMMR_MAC_READ_TRIES), 0);
	/* the value that was read twice, i.e. the final one */
	assert_int_equal(mac[5], 0x13);
	assert_memory_equal(mac, d.devcfg, 6);

	/* never stable: bounded, error */
	d.mac_changes = 1000;
	assert_int_equal(tmmr_leg_read_mac(&d.pci, mac, TMMR_MAC_READ_TRIES), -EAGAIN);
	assert_true(d.mac_changes >= 1000 - TMMR_MAC_READ_TRIES);
}

static void
test_queue_size_checks(void **state)
{
	struct fake_dev d;

	(void)state;
	assert_int_equal(tmmr_leg_check_queue_size(0), -ENOENT);
	assert_int_equal(tmmr_leg_check_queue_size(3), -EINVAL);
	assert_int_equal(tmmr_leg_check_queue_size(255), -EINVAL);
	assert_int_equal(tmmr_leg_check_queue_size(65535), -EINVAL);
	assert_int_equal(tmmr_leg_check_queue_size(65536), -EINVAL);
	assert_int_equal(tmmr_leg_check_queue_size(1), 0);
	assert_int_equal(tmmr_leg_check_queue_size(256), 0);
	assert_int_equal(tmmr_leg_check_queue_size(32768), 0);

	fake_dev_init(&d, 0, 256);
	d.qsize[3] = 1024;
	d.qsize[5] = 0;
	assert_int_equal(tmmr_leg_queue_size(&d.pci, 0), 256);
	assert_int_equal(tmmr_leg_queue_size(&d.pci, 3), 1024);
	assert_int_equal(tmmr_leg_queue_size(&d.pci, 5), 0);
	assert_int_equal(d.qsel, 5);
}

/*
 * QEMU's virtio-net creates the queues beyond the first pair when the driver writes
 * MQ, and until then has its control queue (64 entries) at index 2, where Rx queue 1
 * goes. The size read at queue setup must be the one start will find, whatever the
 * order the queues are set up in: Rx 1 right after Rx 0 and Tx 0 (tmmr-mp-queue) read
 * 64 and then failed the start ("queue 2 size is now 256, was 64 at setup").
 */
static void
test_queue_size_mq_late(void **state)
{
	const uint32_t plan = B(TMMR_NET_F_CTRL_VQ) | B(TMMR_NET_F_MQ);
	struct rte_eth_dev_data data;
	struct rte_eth_dev dev;
	struct tmmr_hw hw;
	struct fake_dev d;
	uint16_t vq, n;

	(void)state;
	fake_dev_init(&d, plan, 256);
	d.mq_late = true;
	memset(&dev, 0, sizeof(dev));
	memset(&data, 0, sizeof(data));
	memset(&hw, 0, sizeof(hw));
	dev.data = &data;
	data.dev_private = &hw;
	hw.pci = &d.pci;
	hw.plan_features = plan;
	pthread_mutex_init(&hw.lock, NULL);
	/* the first pair does not need MQ: nothing written for it */
	for (vq = 0; vq < 2; vq++) {
		n = 0;
		assert_int_equal(tmmr_hw_queue_size(&dev, vq, &n), 0);
		assert_int_equal(n, 256);
	}
	assert_int_equal(d.drv_features, 0);
	/* Rx 1, then Tx 1 */
	for (vq = 2; vq < 4; vq++) {
		n = 0;
		assert_int_equal(tmmr_hw_queue_size(&dev, vq, &n), 0);
		assert_int_equal(n, 256);
	}
	assert_int_equal(d.drv_features, plan);
	pthread_mutex_destroy(&hw.lock);
}

static void
test_ring_iova(void **state)
{
	struct fake_dev d;

	(void)state;
	assert_int_equal(tmmr_leg_check_ring_iova(0), -EINVAL);
	assert_int_equal(tmmr_leg_check_ring_iova(0x1000), 0);
	assert_int_equal(tmmr_leg_check_ring_iova(0x1800), -EINVAL);
	assert_int_equal(tmmr_leg_check_ring_iova(0xffffffff000ULL), 0);
	assert_int_equal(tmmr_leg_check_ring_iova(1ULL << 44), -EINVAL);
	assert_int_equal(tmmr_leg_check_ring_iova(0x7f0000000000ULL), -EINVAL);
	assert_int_equal(tmmr_leg_check_ring_iova(UINT64_MAX & ~0xfffULL), -EINVAL);

	fake_dev_init(&d, 0, 256);
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 1, 0x12345000), 0);
	assert_int_equal(d.pfn[1], 0x12345);
	/* the largest usable PFN */
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 2, (1ULL << 44) - 0x1000), 0);
	assert_int_equal(d.pfn[2], 0xffffffff);
	/* rejected before anything is written */
	d.writes = 0;
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 3, 1ULL << 44), -EINVAL);
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 3, 0x12345800), -EINVAL);
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 3, 0), -EINVAL);
	assert_int_equal(d.writes, 0);
	assert_int_equal(d.pfn[3], 0);
	/* a device that does not take the PFN */
	d.pfn_ignored = true;
	assert_int_equal(tmmr_leg_queue_activate(&d.pci, 4, 0x5000), -EIO);
	d.pfn_ignored = false;
	tmmr_leg_queue_deactivate(&d.pci, 1);
	assert_int_equal(d.pfn[1], 0);
}

static void
test_vectors(void **state)
{
	struct fake_dev d;

	(void)state;
	fake_dev_init(&d, 0, 256);
	d.pci.nb_vec = 3;
	assert_int_equal(tmmr_leg_set_config_vector(&d.pci, 0), 0);
	assert_int_equal(tmmr_leg_set_queue_vector(&d.pci, 0, 1), 1);
	assert_int_equal(tmmr_leg_set_queue_vector(&d.pci, 2, 2), 2);
	assert_int_equal(d.qvec[0], 1);
	assert_int_equal(d.qvec[2], 2);
	/* out of the enabled range: the device answers NO_VECTOR */
	assert_int_equal(tmmr_leg_set_queue_vector(&d.pci, 4, 3), TMMR_MSI_NO_VECTOR);
	d.vec_refuse = true;
	assert_int_equal(tmmr_leg_set_config_vector(&d.pci, 0), TMMR_MSI_NO_VECTOR);
}

/*
 * A slow kick takes the queue's doorbell when the transport has one, the
 * legacy QUEUE_NOTIFY register otherwise; a doorbell the transport cannot
 * resolve rings as a slow kick.
 */
static void
test_kick_fallback(void **state)
{
	struct tmmr_doorbell db;
	struct fake_dev d;

	(void)state;
	fake_dev_init(&d, 0, 256);
	tmmr_leg_kick(&d.pci, 1);
	assert_int_equal(d.notifies, 1);
	assert_int_equal(d.kicks, 0);
	tmmr_leg_doorbell(&d.pci, 3, &db);
	assert_null(db.mmio);
	assert_int_equal(db.efd, -1);
	assert_ptr_equal(db.pci, &d.pci);
	assert_int_equal(db.queue, 3);
	tmmr_doorbell_ring(&db);
	assert_int_equal(d.notifies, 2);

	d.has_doorbells = true;
	tmmr_leg_kick(&d.pci, 1);
	tmmr_doorbell_ring(&db);
	assert_int_equal(d.kicks, 2);
	assert_int_equal(d.notifies, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate_all),
		cmocka_unit_test(test_negotiate_devargs),
		cmocka_unit_test(test_negotiate_offloads),
		cmocka_unit_test(test_negotiate_mrg_auto),
		cmocka_unit_test(test_fixup_dependencies),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_quiesce),
		cmocka_unit_test(test_status_features),
		cmocka_unit_test(test_devcfg_offset_rule),
		cmocka_unit_test(test_block_bounds),
		cmocka_unit_test(test_mac_until_stable),
		cmocka_unit_test(test_queue_size_checks),
		cmocka_unit_test(test_queue_size_mq_late),
		cmocka_unit_test(test_ring_iova),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_kick_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
