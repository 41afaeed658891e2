/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The legacy ring layout helpers of tmmr_virtio_legacy.h against Linux's vring_init(),
 * for every ring size a legacy device may choose. The constants are compared
 * at build time (drivers/common/tmmr/tmmr_abi_check.c); functions need a run.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "tmmr_virtio_legacy.h"

static void
test_ring_layout_matches_linux(void **state)
{
	/* a fake base: only the offsets vring_init() computes from it matter */
	uintptr_t base = (uintptr_t)1 << 32;
	unsigned int checked = 0;
	uint32_t num;

	(void)state;
	for (num = 1; num <= 32768; num <<= 1) {
		struct vring vr;

		vring_init(&vr, num, (void *)base, VIRTIO_PCI_VRING_ALIGN);
		assert_int_equal(tmmr_vring_avail_off(num), (uintptr_t)vr.avail - base);
		assert_int_equal(tmmr_vring_used_off(num), (uintptr_t)vr.used - base);
		assert_int_equal(tmmr_vring_size(num), vring_size(num, VIRTIO_PCI_VRING_ALIGN));
		checked++;
	}
	assert_int_equal(checked, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_layout_matches_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
