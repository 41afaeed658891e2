/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TEST_VF_LAYOUT_H
#define TEST_VF_LAYOUT_H

/*
 * The layout every reader of an MMR VF's config space must find (the binding, DEV-1 to
 * DEV-7 and DEV-11), whoever built the config space: the model, the tests' builder, a
 * vfio-user server. The numbers are written out here, not taken from the binding's header,
 * so that a wrong constant shared by the driver and the model still fails. Include after
 * <cmocka.h> and tmmr_caps.h.
 */

static inline void
assert_vf_layout(const struct tmmr_mmr_layout *lay, unsigned int msix_vectors)
{
	assert_int_equal(lay->vendor_id, 0x1af4);
	assert_int_equal(lay->device_id, 0x10f9);
	assert_int_equal(lay->subsys_vendor_id, 0x1af4);
	assert_int_equal(lay->subsys_device_id, 1);
	assert_int_equal(lay->class_code, 0x020000);
	assert_int_equal(lay->revision, 0);
	assert_true(lay->has_pcie);
	assert_int_equal(lay->vsec_off, 0x100);
	/* BAR0: notification area, legacy registers, MSI-X table, PBA */
	assert_int_equal(lay->legacy_bar, 0);
	assert_int_equal(lay->legacy_off, 0x1000);
	assert_int_equal(lay->legacy_len, 0x100);
	assert_true(lay->has_notify);
	assert_int_equal(lay->notify_bar, 0);
	assert_int_equal(lay->notify_off, 0);
	assert_int_equal(lay->notify_len, 0x1000);
	assert_int_equal(lay->notify_off_multiplier, 4);
	assert_true(lay->has_msix);
	assert_int_equal(lay->msix_table_size, msix_vectors);
	assert_int_equal(lay->msix_table_bar, 0);
	assert_int_equal(lay->msix_table_off, 0x2000);
	assert_int_equal(lay->msix_pba_bar, 0);
	assert_int_equal(lay->msix_pba_off, 0x3000);
	assert_false(lay->has_sriov);
}

#endif /* TEST_VF_LAYOUT_H */
