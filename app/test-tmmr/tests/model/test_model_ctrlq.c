/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* The control virtqueue, device side: every command, good and malformed. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_harness.h"

#define F(bit) (1u << (bit))
#define PAIRS		2
#define CTRLQ		(2 * PAIRS)
#define QSZ		64
#define RING		0x100000ull
#define AVAIL		(RING + QSZ * 16)
#define USED		(RING + 0x1000)
#define BUF		0x110000ull
#define FULL_FEATURES	(F(TMMR_NET_F_MAC) | F(TMMR_NET_F_STATUS) | F(TMMR_NET_F_CTRL_VQ) | \
			 F(TMMR_NET_F_CTRL_RX) | F(TMMR_NET_F_CTRL_VLAN) | \
			 F(TMMR_NET_F_CTRL_MAC_ADDR) | F(TMMR_NET_F_GUEST_ANNOUNCE) | \
			 F(TMMR_NET_F_MQ) | F(TMMR_RING_F_INDIRECT_DESC))

static struct mh h;
static struct mh_mem mem;
static int efds[TMMR_MSIX_VECTORS(PAIRS)];
static uint16_t avail_idx;

static uint8_t *
va(uint64_t iova)
{
	return mem.va + (iova - mem.iova);
}

static uint16_t
used_idx(void)
{
	return *(volatile uint16_t *)(void *)va(USED + 2);
}

static struct tmmr_vring_used_elem
used_elem(uint16_t i)
{
	struct tmmr_vring_used_elem e;

	memcpy(&e, va(USED + 4 + 8 * (i % QSZ)), sizeof(e));
	return e;
}

static void
set_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	 uint16_t next)
{
	struct tmmr_vring_desc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(va(table + 16 * i), &d, sizeof(d));
}

/* publish @head and ring the ctrl queue's doorbell */
static void
push(uint16_t head)
{
	uint16_t *ring = (void *)va(AVAIL + 4);

	ring[avail_idx % QSZ] = head;
	avail_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(uint16_t *)(void *)va(AVAIL + 2) = avail_idx;
	assert_int_equal(mh_bar_write(&h, 4 * CTRLQ, 2, CTRLQ), 0);
	mh_pump(&h, 3);
}

/* a well-formed command: header, data, ack; returns the ack byte */
static int
submit(uint8_t class, uint8_t cmd, const void *data, uint32_t len)
{
	uint16_t before = used_idx();
	uint8_t *p = va(BUF);
	struct tmmr_vring_used_elem e;

	p[0] = class;
	p[1] = cmd;
	if (len > 0)
		memcpy(p + 0x100, data, len);
	p[0x800] = 0xee;
	set_desc(RING, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 1);
	if (len > 0) {
		set_desc(RING, 1, BUF + 0x100, len, TMMR_VRING_DESC_F_NEXT, 2);
		set_desc(RING, 2, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
	} else {
		set_desc(RING, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 2);
		set_desc(RING, 2, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
	}
	push(0);
	assert_int_equal(used_idx(), (uint16_t)(before + 1));
	e = used_elem(before);
	assert_int_equal(e.id, 0);
	assert_int_equal(e.len, 1);
	assert_true(mh_efd_fired(efds[1]));
	return p[0x800];
}

static int
bring_up(uint32_t features)
{
	struct mh_cfg cfg = { .nb_vfs = 1, .pairs = PAIRS };

	avail_idx = 0;
	if (mh_setup(&h, &cfg) < 0 || mh_connect(&h, 0) < 0 ||
	    mh_mem_create(&mem, 0x100000, 0x100000) < 0 || mh_dma_map(&h, &mem) < 0 ||
	    mh_set_msix(&h, 0, TMMR_MSIX_VECTORS(PAIRS), efds) < 0)
		return -1;
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, features);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, CTRLQ);
	if (mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2) != QSZ)
		return -1;
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, RING >> 12);
	mh_leg_write(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2, 1);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		     TMMR_STATUS_DRIVER_OK);
	if (mh_leg_read(&h, TMMR_LEG_STATUS, 1) != 0x07)
		return -1;
	mh_efd_fired(efds[0]);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	return bring_up(FULL_FEATURES);
}

static int
setup_event_idx(void **state)
{
	(void)state;
	return bring_up(FULL_FEATURES | F(TMMR_RING_F_EVENT_IDX));
}

static int
setup_minimal(void **state)
{
	(void)state;
	return bring_up(F(TMMR_NET_F_CTRL_VQ) | F(TMMR_NET_F_MAC));
}

static int
teardown(void **state)
{
	unsigned int i;

	(void)state;
	mh_teardown(&h);
	mh_mem_destroy(&mem);
	for (i = 0; i < TMMR_MSIX_VECTORS(PAIRS); i++)
		close(efds[i]);
	return 0;
}

static void
test_rx_mode(void **state)
{
	uint8_t on = 1, off = 0, two[2] = { 1, 1 };

	(void)state;
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 1);
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_PROMISC, &off, 1),
			 TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 0);
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_ALLMULTI, &on, 1),
			 TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "allmulti"), 1);
	assert_int_equal(submit(TMMR_NET_CTRL_RX, 7, &on, 1), TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_PROMISC, two, 2),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_PROMISC, NULL, 0),
			 TMMR_NET_ERR);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 0);
	assert_int_equal(mh_status_num(&h, 0, "ctrl_ok"), 2);
	assert_int_equal(mh_status_num(&h, 0, "ctrl_errors"), 3);
}

static void
test_mac_commands(void **state)
{
	uint8_t tbl[4 + 2 * 6 + 4 + 1 * 6] = { 2, 0, 0, 0 };
	uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	uint8_t big[4 + 65 * 6 + 4] = { 65, 0, 0, 0 };
	char s[32];
	int i;

	(void)state;
	tbl[4 + 12] = 1;
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, tbl, sizeof(tbl)),
			 TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "uc"), 2);
	assert_int_equal(mh_status_num(&h, 0, "mc"), 1);
	/* more than the table holds */
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, big, sizeof(big)),
			 TMMR_NET_ERR);
	/* a multicast count that runs past the data */
	tbl[4 + 12] = 9;
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, tbl, sizeof(tbl)),
			 TMMR_NET_ERR);
	/* trailing bytes */
	tbl[4 + 12] = 0;
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, tbl, sizeof(tbl)),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_TABLE_SET, tbl, 3),
			 TMMR_NET_ERR);
	assert_int_equal(mh_status_num(&h, 0, "uc"), 2);

	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_ADDR_SET, mac, 6),
			 TMMR_NET_OK);
	assert_int_equal(mh_status_str(&h, 0, "mac", s, sizeof(s)), 0);
	assert_string_equal(s, "02:11:22:33:44:55");
	for (i = 0; i < 6; i++)	/* MSI-X on: device config at 0x18 */
		assert_int_equal(mh_leg_read(&h, 0x18 + i, 1), mac[i]);
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_ADDR_SET, mac, 5),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, 9, mac, 6), TMMR_NET_ERR);
}

static void
test_vlan_announce_mq(void **state)
{
	uint16_t vid;
	char out[128];

	(void)state;
	vid = 100;
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_ADD, &vid, 2), TMMR_NET_OK);
	vid = 200;
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_ADD, &vid, 2), TMMR_NET_OK);
	vid = 100;
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_DEL, &vid, 2), TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "vlans"), 1);
	vid = 4096;
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_ADD, &vid, 2),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_ADD, &vid, 1),
			 TMMR_NET_ERR);
	assert_int_equal(mh_status_num(&h, 0, "vlans"), 1);

	/* announce: the device asks, the driver acks */
	mh_ctl(&h, "announce 0", out, sizeof(out));
	assert_string_equal(out, "ok");
	assert_true(mh_efd_fired(efds[0]));
	assert_true(mh_leg_read(&h, 0x18 + TMMR_NET_CFG_STATUS, 2) & TMMR_NET_S_ANNOUNCE);
	assert_int_equal(submit(TMMR_NET_CTRL_ANNOUNCE, 5, NULL, 0), TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_ANNOUNCE, TMMR_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
			 TMMR_NET_OK);
	assert_false(mh_leg_read(&h, 0x18 + TMMR_NET_CFG_STATUS, 2) & TMMR_NET_S_ANNOUNCE);

	/* queue pairs: 1..max */
	assert_int_equal(mh_status_num(&h, 0, "pairs"), 1);
	vid = 2;
	assert_int_equal(submit(TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, &vid, 2),
			 TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "pairs"), 2);
	vid = 3;
	assert_int_equal(submit(TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, &vid, 2),
			 TMMR_NET_ERR);
	vid = 0;
	assert_int_equal(submit(TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, &vid, 2),
			 TMMR_NET_ERR);
	vid = 1;
	assert_int_equal(submit(TMMR_NET_CTRL_MQ, 1, &vid, 2), TMMR_NET_ERR);
	assert_int_equal(mh_status_num(&h, 0, "pairs"), 2);
	/* classes that do not exist */
	assert_int_equal(submit(0x55, 0, &vid, 2), TMMR_NET_ERR);
	/* a reset forgets it all */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_status_num(&h, 0, "pairs"), 1);
	assert_int_equal(mh_status_num(&h, 0, "vlans"), 0);
}

static void
test_commands_need_their_feature(void **state)
{
	uint8_t on = 0, mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint16_t v = 1;
	char out[128];

	(void)state;
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_PROMISC, &on, 1),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_MAC, TMMR_NET_CTRL_MAC_ADDR_SET, mac, 6),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_VLAN, TMMR_NET_CTRL_VLAN_ADD, &v, 2), TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, &v, 2),
			 TMMR_NET_ERR);
	assert_int_equal(submit(TMMR_NET_CTRL_ANNOUNCE, TMMR_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
			 TMMR_NET_ERR);
	mh_ctl(&h, "announce 0", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 1);
	/* indirect descriptors were not negotiated */
	{
		uint16_t before = used_idx();
		uint8_t *p = va(BUF);

		p[0] = TMMR_NET_CTRL_RX;
		p[1] = 0;
		set_desc(BUF + 0x1000, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 1);
		set_desc(BUF + 0x1000, 1, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
		set_desc(RING, 5, BUF + 0x1000, 32, TMMR_VRING_DESC_F_INDIRECT, 0);
		push(5);
		assert_int_equal(used_idx(), (uint16_t)(before + 1));
		assert_int_equal(used_elem(before).len, 0);
	}
}

/* push a hand-made chain at head @head; the used entry's len (or -1 if none was added) */
static int
raw(uint16_t head)
{
	uint16_t before = used_idx();

	push(head);
	if (used_idx() == before)
		return -1;
	assert_int_equal(used_elem(before).id, head);
	return (int)used_elem(before).len;
}

static void
test_malformed_chains(void **state)
{
	uint8_t *p = va(BUF);
	long errors = mh_status_num(&h, 0, "ctrl_errors");
	const uint16_t N = TMMR_VRING_DESC_F_NEXT, W = TMMR_VRING_DESC_F_WRITE;

	(void)state;
	p[0] = TMMR_NET_CTRL_RX;
	p[1] = TMMR_NET_CTRL_RX_PROMISC;
	p[2] = 0;
	/* head out of the ring: skipped */
	assert_int_equal(raw(QSZ), -1);
	assert_int_equal(raw(0xffff), -1);
	/* a loop */
	set_desc(RING, 0, BUF, 2, N, 0);
	assert_int_equal(raw(0), 0);
	/* a longer loop through valid descriptors */
	set_desc(RING, 0, BUF, 2, N, 1);
	set_desc(RING, 1, BUF + 2, 1, N, 0);
	assert_int_equal(raw(0), 0);
	/* next out of the ring */
	set_desc(RING, 0, BUF, 2, N, 200);
	assert_int_equal(raw(0), 0);
	/* addresses outside DMA memory, and wrapping */
	set_desc(RING, 0, 0x900000, 3, N, 1);
	set_desc(RING, 1, BUF + 0x800, 1, W, 0);
	assert_int_equal(raw(0), 0);
	set_desc(RING, 0, UINT64_MAX - 1, 3, N, 1);
	assert_int_equal(raw(0), 0);
	set_desc(RING, 0, BUF, 3, N, 1);
	set_desc(RING, 1, 0x1ff000 + 0xfff, 2, W, 0);	/* ack straddles the end */
	assert_int_equal(raw(0), 0);
	/* zero and huge lengths */
	set_desc(RING, 0, BUF, 0, N, 1);
	set_desc(RING, 1, BUF + 0x800, 1, W, 0);
	assert_int_equal(raw(0), 0);
	set_desc(RING, 0, BUF, 0xffffffff, N, 1);
	assert_int_equal(raw(0), 0);
	/* no writable ack */
	set_desc(RING, 0, BUF, 3, N, 1);
	set_desc(RING, 1, BUF + 0x800, 1, 0, 0);
	assert_int_equal(raw(0), 0);
	set_desc(RING, 0, BUF, 3, 0, 0);
	assert_int_equal(raw(0), 0);
	/* readable after writable: ERR into the ack */
	set_desc(RING, 0, BUF, 2, N, 1);
	set_desc(RING, 1, BUF + 0x800, 1, W | N, 2);
	set_desc(RING, 2, BUF + 2, 1, 0, 0);
	p[0x800] = 0xee;
	assert_int_equal(raw(0), 1);
	assert_int_equal(p[0x800], TMMR_NET_ERR);
	/* a header of one byte */
	set_desc(RING, 0, BUF, 1, N, 1);
	set_desc(RING, 1, BUF + 0x800, 1, W, 0);
	assert_int_equal(raw(0), 1);
	assert_int_equal(p[0x800], TMMR_NET_ERR);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 1);

	/* indirect: good, then bad tables */
	set_desc(BUF + 0x1000, 0, BUF, 3, N, 1);
	set_desc(BUF + 0x1000, 1, BUF + 0x800, 1, W, 0);
	set_desc(RING, 7, BUF + 0x1000, 32, TMMR_VRING_DESC_F_INDIRECT, 0);
	p[0x800] = 0xee;
	assert_int_equal(raw(7), 1);
	assert_int_equal(p[0x800], TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 0);
	set_desc(RING, 7, BUF + 0x1000, 31, TMMR_VRING_DESC_F_INDIRECT, 0);	/* not n*16 */
	assert_int_equal(raw(7), 0);
	set_desc(RING, 7, BUF + 0x1000, 0, TMMR_VRING_DESC_F_INDIRECT, 0);
	assert_int_equal(raw(7), 0);
	set_desc(RING, 7, 0x900000, 32, TMMR_VRING_DESC_F_INDIRECT, 0);
	assert_int_equal(raw(7), 0);
	/* past the ack, the chain breaks: ERR goes into the ack already found */
	set_desc(BUF + 0x1000, 1, BUF + 0x800, 1, W | N, 5);	/* next past the table */
	set_desc(RING, 7, BUF + 0x1000, 32, TMMR_VRING_DESC_F_INDIRECT, 0);
	p[0x800] = 0xee;
	assert_int_equal(raw(7), 1);
	assert_int_equal(p[0x800], TMMR_NET_ERR);
	set_desc(BUF + 0x1000, 1, BUF + 0x800, 1, W | N, 0);	/* loop inside the table */
	p[0x800] = 0xee;
	assert_int_equal(raw(7), 1);
	assert_int_equal(p[0x800], TMMR_NET_ERR);
	set_desc(BUF + 0x1000, 1, BUF + 0x1000, 32, TMMR_VRING_DESC_F_INDIRECT, 0);	/* nested */
	assert_int_equal(raw(7), 0);
	set_desc(RING, 7, BUF + 0x1000, 32, TMMR_VRING_DESC_F_INDIRECT | N, 8);	/* + NEXT */
	assert_int_equal(raw(7), 0);

	/* the driver claims more new entries than the ring holds */
	{
		long before = mh_status_num(&h, 0, "ctrl_errors");

		avail_idx += 1000;
		*(uint16_t *)(void *)va(AVAIL + 2) = avail_idx;
		assert_int_equal(mh_bar_write(&h, 4 * CTRLQ, 2, CTRLQ), 0);
		mh_pump(&h, 3);
		assert_int_equal(mh_status_num(&h, 0, "ctrl_errors"), before + 1);
	}
	assert_true(mh_status_num(&h, 0, "ctrl_errors") >= errors + 20);
	/* and the queue still works */
	{
		uint8_t on = 1;

		assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_ALLMULTI, &on, 1),
				 TMMR_NET_OK);
	}
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & TMMR_STATUS_NEEDS_RESET, 0);
}

static void
test_no_interrupt_flag(void **state)
{
	uint8_t on = 1;
	uint16_t before;

	(void)state;
	*(uint16_t *)(void *)va(AVAIL) = TMMR_VRING_AVAIL_F_NO_INTERRUPT;
	before = used_idx();
	va(BUF)[0] = TMMR_NET_CTRL_RX;
	va(BUF)[1] = TMMR_NET_CTRL_RX_ALLMULTI;
	memcpy(va(BUF + 0x100), &on, 1);
	set_desc(RING, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 1);
	set_desc(RING, 1, BUF + 0x100, 1, TMMR_VRING_DESC_F_NEXT, 2);
	set_desc(RING, 2, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
	push(0);
	assert_int_equal(used_idx(), (uint16_t)(before + 1));
	assert_false(mh_efd_fired(efds[1]));
	assert_int_equal(mh_status_num(&h, 0, "allmulti"), 1);
}

/* EVENT_IDX: avail_event tells the driver when to kick, used_event when to interrupt */
static void
test_event_idx(void **state)
{
	uint16_t *used_event = (void *)va(AVAIL + 4 + 2 * QSZ);
	uint16_t *avail_event = (void *)va(USED + 4 + 8 * QSZ);
	uint8_t on = 1;

	(void)state;
	*used_event = 0;
	/* first request: used goes 0 -> 1, crosses used_event 0: interrupt */
	assert_int_equal(submit(TMMR_NET_CTRL_RX, TMMR_NET_CTRL_RX_ALLMULTI, &on, 1),
			 TMMR_NET_OK);
	assert_int_equal(*avail_event, 1);
	/* the driver asks for an interrupt only after entry 5 */
	*used_event = 5;
	va(BUF)[0] = TMMR_NET_CTRL_RX;
	va(BUF)[1] = TMMR_NET_CTRL_RX_PROMISC;
	va(BUF + 0x100)[0] = 0;
	push(0);
	assert_int_equal(used_idx(), 2);
	assert_int_equal(*avail_event, 2);
	assert_false(mh_efd_fired(efds[1]));
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 0);
}

static void
test_kick_before_driver_ok(void **state)
{
	uint8_t off = 0;

	(void)state;
	/* reset, queue set up again, a request published before DRIVER_OK */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	memset(va(RING), 0, 0x2000);
	avail_idx = 0;
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, FULL_FEATURES);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, CTRLQ);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, RING >> 12);
	mh_leg_write(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2, 1);
	va(BUF)[0] = TMMR_NET_CTRL_RX;
	va(BUF)[1] = TMMR_NET_CTRL_RX_PROMISC;
	memcpy(va(BUF + 0x100), &off, 1);
	set_desc(RING, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 1);
	set_desc(RING, 1, BUF + 0x100, 1, TMMR_VRING_DESC_F_NEXT, 2);
	set_desc(RING, 2, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
	push(0);
	assert_int_equal(used_idx(), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0x07);
	assert_int_equal(used_idx(), 1);
	assert_int_equal(mh_status_num(&h, 0, "promisc"), 0);
}

/* the driver shrinks the memory under a DMA map: SIGBUS in the model, caught */
static void
test_memory_shrunk_under_map(void **state)
{
	uint16_t before = used_idx();
	long errors = mh_status_num(&h, 0, "ctrl_errors");

	(void)state;
	va(BUF)[0] = TMMR_NET_CTRL_RX;
	set_desc(RING, 0, BUF, 2, TMMR_VRING_DESC_F_NEXT, 1);
	set_desc(RING, 1, BUF + 0x800, 1, TMMR_VRING_DESC_F_WRITE, 0);
	/* the ring stays, the buffers at +0x10000 go */
	assert_int_equal(ftruncate(mem.fd, 0x8000), 0);
	push(0);
	assert_int_equal(used_idx(), (uint16_t)(before + 1));
	assert_int_equal(used_elem(before).len, 0);
	assert_int_equal(mh_status_num(&h, 0, "ctrl_errors"), errors + 1);
	/* even the ring itself */
	assert_int_equal(ftruncate(mem.fd, 0), 0);
	assert_int_equal(mh_bar_write(&h, 4 * CTRLQ, 2, CTRLQ), 0);
	mh_pump(&h, 3);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & 0x07, 0x07);
}

/* random descriptor tables, avail entries and buffers: answered or skipped, no crash */
static void
test_fuzz_ring(void **state)
{
	unsigned int seed = 99, round, k;

	(void)state;
	for (round = 0; round < 2000; round++) {
		struct tmmr_vring_desc *d = (void *)va(RING);
		uint16_t *ring = (void *)va(AVAIL + 4);

		for (k = 0; k < QSZ; k++) {
			d[k].addr = rand_r(&seed) % 4 ? BUF + rand_r(&seed) % 0x2000 :
				    ((uint64_t)rand_r(&seed) << 32 | rand_r(&seed));
			d[k].len = rand_r(&seed) % 4 ? rand_r(&seed) % 64 : rand_r(&seed);
			d[k].flags = rand_r(&seed) % 8;
			d[k].next = rand_r(&seed) % 4 ? rand_r(&seed) % QSZ : rand_r(&seed);
			ring[k] = rand_r(&seed) % 8 ? rand_r(&seed) % QSZ : rand_r(&seed);
		}
		for (k = 0; k < 0x2000; k++)
			va(BUF)[k] = rand_r(&seed) % 8 == 0 ? rand_r(&seed) % 5 : rand_r(&seed);
		avail_idx += rand_r(&seed) % 8 == 0 ? rand_r(&seed) : rand_r(&seed) % 4;
		*(uint16_t *)(void *)va(AVAIL + 2) = avail_idx;
		assert_int_equal(mh_bar_write(&h, 4 * CTRLQ, 2, CTRLQ), 0);
		mh_pump(&h, 2);
	}
	assert_true(mh_status_num(&h, 0, "ctrl_errors") > 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1) & 0x07, 0x07);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rx_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vlan_announce_mq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commands_need_their_feature, setup_minimal,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx, setup_event_idx, teardown),
		cmocka_unit_test_setup_teardown(test_kick_before_driver_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_shrunk_under_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_ring, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
