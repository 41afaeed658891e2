/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The vfio-pci transport's register accessors and doorbell math over a fake
 * BAR (plain memory), since this machine has no vfio: widths, little-endian
 * layout, bounds (all-ones on bad reads, dropped bad writes), doorbell
 * addresses from the notify capability, the QUEUE_NOTIFY fallback.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_virtio_legacy.h"
#include "cfg_builder.h"
#include "pci_doorbell.h"

#define GUARD 64

struct fake {
	struct tmmr_pci *p;
	uint8_t *mem;		/* BAR0 with GUARD bytes either side */
	uint8_t *bar0;
	uint8_t bar2[0x100];
};

static int
setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	void *addr[6] = { NULL };
	uint64_t len[6] = { 0 };
	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	char err[128];

	f->mem = calloc(1, TMMR_BAR0_SIZE + 2 * GUARD);
	f->bar0 = f->mem + GUARD;
	memset(f->mem, 0xa5, GUARD);
	memset(f->bar0 + TMMR_BAR0_SIZE, 0xa5, GUARD);
	addr[0] = f->bar0;
	len[0] = TMMR_BAR0_SIZE;
	addr[2] = f->bar2;
	len[2] = sizeof(f->bar2);
	f->p = tmmr_pci_alloc("fake");
	assert_non_null(f->p);
	assert_int_equal(tmmr_pci_vfio_attach_mem(f->p, addr, len), 0);
	assert_int_equal(f->p->bar_len[0], TMMR_BAR0_SIZE);
	assert_int_equal(f->p->bar_len[1], 0);
	cb_build_vf(cfg);
	assert_int_equal(tmmr_caps_parse(cfg, sizeof(cfg), 1, &f->p->layout, err,
					 sizeof(err)), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fake *f = *state;
	unsigned int i;

	for (i = 0; i < GUARD; i++) {
		assert_int_equal(f->mem[i], 0xa5);
		assert_int_equal(f->bar0[TMMR_BAR0_SIZE + i], 0xa5);
	}
	tmmr_pci_close(f->p);
	free(f->mem);
	free(f);
	return 0;
}

static void
test_widths(void **state)
{
	struct fake *f = *state;
	const struct tmmr_pci_ops *o = f->p->ops;

	f->bar0[0x1000] = 0x11;
	f->bar0[0x1001] = 0x22;
	f->bar0[0x1002] = 0x33;
	f->bar0[0x1003] = 0x44;
	assert_int_equal(o->bar_read(f->p, 0, 0x1000, 1), 0x11);
	assert_int_equal(o->bar_read(f->p, 0, 0x1002, 2), 0x4433);
	assert_int_equal(o->bar_read(f->p, 0, 0x1000, 4), 0x44332211);

	o->bar_write(f->p, 0, 0x1008, 0xdeadbeef, 4);
	assert_memory_equal(f->bar0 + 0x1008, "\xef\xbe\xad\xde", 4);
	o->bar_write(f->p, 0, 0x100e, 0x1234, 2);
	assert_memory_equal(f->bar0 + 0x100e, "\x34\x12", 2);
	o->bar_write(f->p, 0, 0x1012, 0x8f, 1);
	assert_int_equal(f->bar0[0x1012], 0x8f);
	/* the last bytes of the BAR are reachable */
	o->bar_write(f->p, 0, TMMR_BAR0_SIZE - 4, 0x01020304, 4);
	assert_int_equal(o->bar_read(f->p, 0, TMMR_BAR0_SIZE - 4, 4), 0x01020304);
	o->bar_write(f->p, 2, 0xfe, 0xabcd, 2);
	assert_int_equal(o->bar_read(f->p, 2, 0xfe, 2), 0xabcd);
}

static void
test_legacy_accessors(void **state)
{
	struct fake *f = *state;

	tmmr_leg_write(f->p, TMMR_LEG_DRIVER_FEATURES, 0x00010020, 4);
	assert_memory_equal(f->bar0 + 0x1004, "\x20\x00\x01\x00", 4);
	f->bar0[0x1000 + TMMR_LEG_STATUS] = TMMR_STATUS_DRIVER_OK;
	assert_int_equal(tmmr_leg_read(f->p, TMMR_LEG_STATUS, 1), TMMR_STATUS_DRIVER_OK);
	tmmr_leg_write(f->p, TMMR_LEG_QUEUE_SEL, 3, 2);
	assert_int_equal(tmmr_leg_read(f->p, TMMR_LEG_QUEUE_SEL, 2), 3);
}

/* Bad accesses: all-ones of the width back, nothing written anywhere. */
static void
test_bounds(void **state)
{
	struct fake *f = *state;
	const struct tmmr_pci_ops *o = f->p->ops;
	uint8_t *copy = malloc(TMMR_BAR0_SIZE);

	memset(f->bar0, 0, TMMR_BAR0_SIZE);
	assert_int_equal(o->bar_read(f->p, 0, TMMR_BAR0_SIZE, 1), 0xff);
	assert_int_equal(o->bar_read(f->p, 0, TMMR_BAR0_SIZE - 2, 4), 0xffffffff);
	assert_int_equal(o->bar_read(f->p, 0, 0xfffffffe, 2), 0xffff);
	assert_int_equal(o->bar_read(f->p, 0, 0x1001, 2), 0xffff);	/* misaligned */
	assert_int_equal(o->bar_read(f->p, 0, 0x1000, 3), 0xffffffff);	/* bad width */
	assert_int_equal(o->bar_read(f->p, 1, 0, 4), 0xffffffff);	/* no BAR1 */
	assert_int_equal(o->bar_read(f->p, 6, 0, 4), 0xffffffff);
	assert_int_equal(o->bar_read(f->p, 255, 0, 1), 0xff);
	assert_int_equal(o->bar_read(f->p, 2, 0x100, 1), 0xff);

	memcpy(copy, f->bar0, TMMR_BAR0_SIZE);
	o->bar_write(f->p, 0, TMMR_BAR0_SIZE, 1, 1);
	o->bar_write(f->p, 0, TMMR_BAR0_SIZE - 2, 0xffffffff, 4);
	o->bar_write(f->p, 0, 0xfffffffc, 0xffffffff, 4);
	o->bar_write(f->p, 0, 0x1001, 0xffff, 2);
	o->bar_write(f->p, 1, 0, 1, 4);
	o->bar_write(f->p, 7, 0, 1, 4);
	assert_memory_equal(copy, f->bar0, TMMR_BAR0_SIZE);
	free(copy);
}

static void
test_doorbell_math(void **state)
{
	struct fake *f = *state;
	struct tmmr_doorbell n;
	uint16_t q;

	for (q = 0; q < 18; q++) {
		test_doorbell(f->p, q, &n);
		assert_ptr_equal((void *)(uintptr_t)n.mmio, f->bar0 + 4 * q);
		assert_int_equal(n.efd, -1);
		assert_ptr_equal(n.pci, f->p);
		assert_int_equal(n.queue, q);
		tmmr_doorbell_ring(&n);
		assert_int_equal(f->bar0[4 * q], q);
		assert_int_equal(f->bar0[4 * q + 1], 0);
	}
	/* the last doorbell that fits the 4 KiB area, and the first that does not */
	test_doorbell(f->p, 1023, &n);
	assert_ptr_equal((void *)(uintptr_t)n.mmio, f->bar0 + 4092);
	test_doorbell(f->p, 1024, &n);
	assert_null(n.mmio);
	/* no doorbell: the transport's kick refuses, QUEUE_NOTIFY is the PMD's */
	assert_int_equal(f->p->ops->kick(f->p, 1024), -ENOENT);
	tmmr_doorbell_ring(&n);
	assert_memory_equal(f->bar0 + 0x1000 + TMMR_LEG_QUEUE_NOTIFY, "\x00\x00", 2);
	assert_int_equal(f->p->ops->kick(f->p, 17), 0);
	assert_int_equal(f->bar0[4 * 17], 17);
}

static void
test_doorbell_layouts(void **state)
{
	struct fake *f = *state;
	struct tmmr_doorbell n;

	/* multiplier 0: every queue shares one doorbell */
	f->p->layout.notify_off_multiplier = 0;
	test_doorbell(f->p, 7, &n);
	assert_ptr_equal((void *)(uintptr_t)n.mmio, f->bar0);
	tmmr_doorbell_ring(&n);
	assert_memory_equal(f->bar0, "\x07\x00", 2);

	/* a notify area in another BAR, at an offset */
	f->p->layout.notify_bar = 2;
	f->p->layout.notify_off = 0x80;
	f->p->layout.notify_len = 0x80;
	f->p->layout.notify_off_multiplier = 2;
	test_doorbell(f->p, 5, &n);
	assert_ptr_equal((void *)(uintptr_t)n.mmio, f->bar2 + 0x80 + 10);
	test_doorbell(f->p, 63, &n);
	assert_ptr_equal((void *)(uintptr_t)n.mmio, f->bar2 + 0xfe);
	test_doorbell(f->p, 64, &n);
	assert_null(n.mmio);

	/* an area the BAR cannot hold (parse checked nothing here) */
	f->p->layout.notify_len = 0x1000;
	test_doorbell(f->p, 64, &n);
	assert_null(n.mmio);

	/* no notify capability: the slow path */
	f->p->layout.has_notify = 0;
	test_doorbell(f->p, 0, &n);
	assert_null(n.mmio);
	assert_int_equal(n.efd, -1);
	assert_int_equal(f->p->ops->kick(f->p, 9), -ENOENT);
	assert_memory_equal(f->bar0 + 0x1000 + TMMR_LEG_QUEUE_NOTIFY, "\x00\x00", 2);
}

/* Without a PCI device: no config access, DMA is the EAL's, no interrupts. */
static void
test_no_device(void **state)
{
	struct fake *f = *state;
	uint8_t b[4];

	assert_int_equal(f->p->ops->cfg_read(f->p, b, 4, 0), -ENODEV);
	assert_int_equal(f->p->ops->dma_setup(f->p), 0);
	f->p->ops->dma_teardown(f->p);
	assert_int_equal(f->p->ops->intr_setup(f->p, 0), 0);
	assert_int_equal(f->p->ops->intr_setup(f->p, 3), -ENOTSUP);
	assert_int_equal(f->p->nb_vec, 0);
	assert_int_equal(f->p->ops->fn_reset(f->p), -ENODEV);
	assert_true(f->p->ops->alive(f->p));
	assert_string_equal(f->p->ops->name, "vfio-pci");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_accessors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbell_math, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doorbell_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_device, setup, teardown),
	};

	return cmocka_run_group_tests_name("pci_vfio_mem", tests, NULL, NULL);
}
