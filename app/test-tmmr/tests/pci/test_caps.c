/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The capability walker on hand-built config spaces: the binding's VF and
 * PF, then one test per way a config space can be malformed (each must fail
 * with its own reason), then random mutations that must never crash or hang.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tmmr_caps.h"
#include "tmmr_mmr.h"
#include "cfg_builder.h"
#include "vf_layout.h"

static uint8_t cfg[TMMR_PCI_CFG_SIZE];
static struct tmmr_mmr_layout lay;
static char err[256];

static int
setup_vf(void **state)
{
	cb_build_vf(cfg);
	memset(&lay, 0, sizeof(lay));
	err[0] = '\0';
	return 0;
}

static int
parse_vf(void)
{
	return tmmr_caps_parse(cfg, sizeof(cfg), 1, &lay, err, sizeof(err));
}

/* Parsing must fail and the reason must contain @what. */
static void
expect_fail(const char *what)
{
	int ret = parse_vf();

	if (ret != -1 || strstr(err, what) == NULL)
		fail_msg("expected failure containing \"%s\", got %d \"%s\"", what, ret, err);
}

static void
test_good_vf(void **state)
{
	assert_int_equal(parse_vf(), 0);
	assert_string_equal(err, "");
	assert_vf_layout(&lay, CB_MSIX_VECS);
	assert_int_equal(lay.msix_cap_off, CB_MSIX_OFF);
}

static void
test_good_pf(void **state)
{
	cb_build_pf(cfg);
	assert_int_equal(tmmr_caps_parse(cfg, sizeof(cfg), 0, &lay, err, sizeof(err)), 0);
	assert_int_equal(lay.device_id, 0x1041);
	assert_true(lay.has_sriov);
	assert_int_equal(lay.sriov_off, 0x100);
	assert_int_equal(lay.sriov_total_vfs, 8);
	assert_int_equal(lay.sriov_num_vfs, 2);
	assert_int_equal(lay.sriov_vf_offset, 1);
	assert_int_equal(lay.sriov_vf_stride, 1);
	assert_int_equal(lay.sriov_vf_device_id, 0x10f9);
	assert_int_equal(lay.vsec_off, 0);
	/* a PF is no MMR function */
	assert_int_equal(tmmr_caps_parse(cfg, sizeof(cfg), 1, &lay, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no MMR VSEC"));
}

/* A foreign VSEC first, ours second, then the SR-IOV cap: all found. */
static void
test_vsec_chain(void **state)
{
	uint8_t body[24];

	memcpy(body, cfg + 0x100, sizeof(body));
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x200));
	cb_put32(cfg, 0x104, 0x8086 | 1 << 16 | 24u << 20);
	memcpy(cfg + 0x200, body, sizeof(body));
	cb_put32(cfg, 0x200, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x300));
	cb_put32(cfg, 0x300, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_SRIOV, 1, 0));
	assert_int_equal(parse_vf(), 0);
	assert_int_equal(lay.vsec_off, 0x200);
	assert_true(lay.has_sriov);
	assert_int_equal(lay.sriov_off, 0x300);
}

/* The longest possible lists are walked, not mistaken for loops. */
static void
test_longest_lists(void **state)
{
	unsigned int p;

	/* 48 standard capabilities, every dword from 0x40: PCIe, then MSI caps */
	cfg[CB_PCIE_OFF + 1] = 0x44;
	for (p = 0x44; p < 0x100; p += 4) {
		cfg[p] = 0x05;
		cfg[p + 1] = p + 4 < 0x100 ? p + 4 : 0;
	}
	assert_int_equal(parse_vf(), 0);
	assert_true(lay.has_pcie);
	assert_false(lay.has_msix);
	assert_false(lay.has_notify);
	assert_int_equal(lay.vsec_off, 0x100);

	/* 960 extended capabilities: every dword of the extended space */
	cb_build_vf(cfg);
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x118));
	for (p = 0x118; p < 0x1000; p += 4)
		cb_put32(cfg, p, cb_ext_hdr(0x0001, 1, p + 4 < 0x1000 ? p + 4 : 0));
	assert_int_equal(parse_vf(), 0);
}

static void
test_short_cfg(void **state)
{
	assert_int_equal(tmmr_caps_parse(cfg, 255, 0, &lay, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "need at least 256"));
	/* 256 bytes: no extended space, so no VSEC */
	assert_int_equal(tmmr_caps_parse(cfg, 256, 0, &lay, err, sizeof(err)), 0);
	assert_int_equal(tmmr_caps_parse(cfg, 256, 1, &lay, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no extended capabilities"));
	assert_int_equal(tmmr_caps_parse(NULL, 4096, 0, &lay, err, sizeof(err)), -1);
	/* no error buffer is fine */
	assert_int_equal(tmmr_caps_parse(cfg, 10, 0, &lay, NULL, 0), -1);
}

static void
test_no_function(void **state)
{
	cb_put16(cfg, 0, 0xffff);
	expect_fail("vendor ID reads 0xffff");
}

static void
test_std_unaligned(void **state)
{
	cfg[0x34] = 0x41;
	expect_fail("0x41 (at 0x34) is not dword-aligned");
	cb_build_vf(cfg);
	cfg[CB_MSIX_OFF + 1] = 0x92;
	expect_fail("0x92 (at 0x81) is not dword-aligned");
}

static void
test_std_in_header(void **state)
{
	cfg[0x34] = 0x3c;
	expect_fail("points into the header");
}

static void
test_std_loop(void **state)
{
	cfg[CB_NOTIFY_OFF + 1] = CB_PCIE_OFF;
	expect_fail("capability list loops: 0x40 (at 0x91)");
	cb_build_vf(cfg);
	cfg[CB_PCIE_OFF + 1] = CB_PCIE_OFF;
	expect_fail("loops");
}

static void
test_std_no_caplist(void **state)
{
	cb_put16(cfg, 0x06, 0);
	expect_fail("no PCI Express capability");
}

static void
test_pcie_truncated(void **state)
{
	/* a v2 PCIe capability is 60 bytes: at 0xd0 it would end at 0x10c */
	memcpy(cfg + 0xd0, cfg + CB_PCIE_OFF, 4);
	cfg[0x34] = 0xd0;
	expect_fail("PCI Express capability v2 at 0xd0 is truncated");
}

static void
test_pcie_twice(void **state)
{
	cfg[0xc0] = TMMR_PCI_CAP_ID_EXP;
	cfg[0xc1] = 0;
	cb_put16(cfg, 0xc2, 1);	/* v1: 36 bytes, fits */
	cfg[CB_NOTIFY_OFF + 1] = 0xc0;
	expect_fail("second PCI Express capability at 0xc0");
}

static void
test_msix_bad(void **state)
{
	cb_put32(cfg, CB_MSIX_OFF + 4, 0x2000 | 6);
	expect_fail("MSI-X table BIR 6 > 5");
	cb_build_vf(cfg);
	cb_put32(cfg, CB_MSIX_OFF + 8, 0x3000 | 7);
	expect_fail("MSI-X PBA BIR 7 > 5");
	cb_build_vf(cfg);
	memcpy(cfg + 0xf8, cfg + CB_MSIX_OFF, 2);
	cfg[0xf9] = 0;
	cfg[CB_PCIE_OFF + 1] = 0xf8;	/* the only MSI-X, 12 bytes from 0xf8 */
	expect_fail("MSI-X capability at 0xf8 is truncated");
	cb_build_vf(cfg);
	memcpy(cfg + 0xc0, cfg + CB_MSIX_OFF, 12);
	cfg[0xc1] = 0;
	cfg[CB_NOTIFY_OFF + 1] = 0xc0;
	expect_fail("second MSI-X capability at 0xc0");
}

static void
test_virtio_cap_bad(void **state)
{
	cfg[CB_NOTIFY_OFF + 2] = 8;
	expect_fail("cap_len 8 < 16");
	cfg[CB_NOTIFY_OFF + 2] = 16;
	expect_fail("virtio notify capability at 0x90: cap_len 16 < 20");
	cb_build_vf(cfg);
	cfg[CB_NOTIFY_OFF + 4] = 6;
	expect_fail("virtio notify capability at 0x90: bar 6 > 5");
	cb_build_vf(cfg);
	cb_put32(cfg, CB_NOTIFY_OFF + 8, 0xfffff000);
	cb_put32(cfg, CB_NOTIFY_OFF + 12, 0x2000);
	expect_fail("overflows");
	/* a vendor cap running past the standard header */
	cb_build_vf(cfg);
	memcpy(cfg + 0xf0, cfg + CB_NOTIFY_OFF, 20);
	cfg[CB_MSIX_OFF + 1] = 0xf0;
	expect_fail("cap_len 20 runs past 0x100");
}

/* Other virtio caps are checked for size only; the first notify cap wins. */
static void
test_virtio_other_caps(void **state)
{
	memcpy(cfg + 0xb0, cfg + CB_NOTIFY_OFF, 20);
	cfg[0xb3] = 1;		/* COMMON_CFG */
	cfg[0xb4] = 9;		/* a bar we never touch */
	cfg[0xb1] = 0xc8;
	memcpy(cfg + 0xc8, cfg + CB_NOTIFY_OFF, 20);
	cb_put32(cfg, 0xc8 + 16, 8);	/* a second notify cap: ignored */
	cfg[0xc9] = 0;
	cfg[CB_NOTIFY_OFF + 1] = 0xb0;
	assert_int_equal(parse_vf(), 0);
	assert_int_equal(lay.notify_off_multiplier, 4);
}

static void
test_ext_unaligned(void **state)
{
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x202));
	expect_fail("extended capability pointer 0x202 (at 0x100) is not dword-aligned");
}

static void
test_ext_below(void **state)
{
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x0c0));
	expect_fail("0x0c0 (at 0x100) is below 0x100");
}

static void
test_ext_loop(void **state)
{
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x100));
	expect_fail("extended capability list loops: 0x100 (at 0x100)");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x800));
	cb_put32(cfg, 0x800, cb_ext_hdr(0x0001, 1, 0x900));
	cb_put32(cfg, 0x900, cb_ext_hdr(0x0002, 1, 0x800));
	expect_fail("0x800 (at 0x900) was already visited");
}

static void
test_ext_absent(void **state)
{
	cb_put32(cfg, 0x100, 0xffffffff);
	expect_fail("no MMR VSEC");
	cb_put32(cfg, 0x100, 0);
	expect_fail("no MMR VSEC");
}

static void
test_vsec_bad(void **state)
{
	cb_put32(cfg, 0x104, TMMR_VSEC_ID | 2 << 16 | 24u << 20);
	expect_fail("VSEC rev 2, expected 1");
	cb_put32(cfg, 0x104, TMMR_VSEC_ID | 1 << 16 | 20u << 20);
	expect_fail("VSEC length 20, expected 24");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 2, 0));
	expect_fail("capability version 2, expected 1");
	cb_build_vf(cfg);
	cfg[0x108] = 9;
	expect_fail("cfg_type 9, expected 10 (LEGACY_MMR)");
	cb_build_vf(cfg);
	cfg[0x109] = 6;
	expect_fail("MMR VSEC at 0x100: bar 6 > 5");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x110, 0x17);
	expect_fail("legacy block length 0x17 < 0x24, too small for the registers and net config");
	cb_build_vf(cfg);
	/* the registers, but not the net config (MAC, status, pairs, MTU) after them */
	cb_put32(cfg, 0x110, 0x18);
	expect_fail("legacy block length 0x18 < 0x24");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x110, 0x23);
	expect_fail("legacy block length 0x23 < 0x24");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x10c, 0xffffff00);
	cb_put32(cfg, 0x110, 0x200);
	expect_fail("overflows");
	cb_build_vf(cfg);
	cb_put32(cfg, 0x110, 0x24);	/* exactly the registers and net config: fine */
	assert_int_equal(parse_vf(), 0);
}

static void
test_vsec_truncated(void **state)
{
	uint8_t vsec[24];

	memcpy(vsec, cfg + 0x100, sizeof(vsec));
	memcpy(cfg + 0xff0, vsec, 16);	/* the last 16 bytes of config space */
	cb_put32(cfg, 0x100, cb_ext_hdr(0x0001, 1, 0xff0));
	cb_put32(cfg, 0xff0, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0));
	expect_fail("MMR VSEC at 0xff0 is truncated");
	cb_put32(cfg, 0x100, cb_ext_hdr(0x0001, 1, 0xffc));
	cb_put32(cfg, 0xffc, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0));
	expect_fail("VSEC at 0xffc is truncated");
}

static void
test_vsec_twice(void **state)
{
	memcpy(cfg + 0x400, cfg + 0x100, 24);
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0x400));
	expect_fail("second MMR VSEC at 0x400 (first at 0x100)");
}

static void
test_sriov_bad(void **state)
{
	cb_build_pf(cfg);
	cb_put32(cfg, 0x100, cb_ext_hdr(0x0001, 1, 0xfd0));
	cb_put32(cfg, 0xfd0, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_SRIOV, 1, 0));
	assert_int_equal(tmmr_caps_parse(cfg, sizeof(cfg), 0, &lay, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "SR-IOV capability at 0xfd0 is truncated"));
	cb_put32(cfg, 0x100, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_SRIOV, 1, 0x200));
	cb_put32(cfg, 0x200, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_SRIOV, 1, 0));
	assert_int_equal(tmmr_caps_parse(cfg, sizeof(cfg), 0, &lay, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "second SR-IOV capability at 0x200"));
}

static void
test_no_pcie(void **state)
{
	cfg[0x34] = CB_MSIX_OFF;
	expect_fail("no PCI Express capability");
}

static void
test_out_untouched_on_error(void **state)
{
	memset(&lay, 0x5a, sizeof(lay));
	cfg[0x109] = 6;
	assert_int_equal(parse_vf(), -1);
	assert_int_equal(lay.vendor_id, 0x5a5a);
}

static void
test_check_bars(void **state)
{
	uint64_t bars[6] = { TMMR_BAR0_SIZE };

	assert_int_equal(parse_vf(), 0);
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), 0);

	bars[0] = 0;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err,
			       "legacy register block is in BAR0, which the device does not have"));

	bars[0] = 0x1080;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "legacy register block at 0x1000..0x1100 runs past BAR0"));

	bars[0] = TMMR_BAR0_SIZE;
	lay.notify_len = 0x5000;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "notification area"));
	lay.notify_len = 1;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));
	lay.notify_len = 0x1000;

	lay.msix_table_size = 2048;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "MSI-X table"));
	lay.msix_table_size = CB_MSIX_VECS;
	lay.msix_pba_off = 0x3ffc;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "MSI-X PBA"));
	lay.msix_pba_off = 0x3000;

	lay.legacy_off = 0xffffffff;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	lay.legacy_off = 0x1000;
	lay.legacy_bar = 2;
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "BAR2"));
	assert_int_equal(tmmr_caps_check_bars(NULL, bars, err, sizeof(err)), -1);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Whatever parse accepts must satisfy the invariants the PMD relies on. */
static void
check_accepted(const struct tmmr_mmr_layout *l, int need_mmr)
{
	if (need_mmr) {
		assert_true(l->vsec_off >= 0x100 && l->vsec_off % 4 == 0);
		assert_true(l->legacy_bar <= 5);
		assert_true(l->legacy_len >= 0x24);
	}
	if (l->has_notify)
		assert_true(l->notify_bar <= 5);
	if (l->has_msix)
		assert_true(l->msix_table_bar <= 5 && l->msix_pba_bar <= 5);
}

/* Mutations of the good VF, each parsed from a heap copy of exactly len bytes. */
static void
test_fuzz(void **state)
{
	struct tmmr_mmr_layout l;
	uint8_t base[TMMR_PCI_CFG_SIZE];
	unsigned int iter, n, k, len;
	uint64_t bars[6] = { TMMR_BAR0_SIZE, 0, 0, 0, 0, 0 };
	int ret, accepted = 0, rejected = 0;
	uint8_t *buf;

	for (iter = 0; iter < 30000; iter++) {
		if (iter % 3 == 0)
			cb_build_pf(base);
		else
			cb_build_vf(base);
		n = 1 + rnd() % 8;
		for (k = 0; k < n; k++) {
			unsigned int at = rnd() % 8 == 0 ? rnd() % 4096 : rnd() % 0x140;

			base[at] = (uint8_t)rnd();
		}
		if (iter % 10 == 0) {
			for (k = 0; k < 4096; k++)
				base[k] = (uint8_t)rnd();
		}
		len = rnd() % 4 == 0 ? rnd() % 4097 : 4096;
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		memcpy(buf, base, len);
		ret = tmmr_caps_parse(buf, len, iter & 1, &l, err, sizeof(err));
		if (ret == 0) {
			check_accepted(&l, iter & 1);
			tmmr_caps_check_bars(&l, bars, err, sizeof(err));
			accepted++;
		} else {
			assert_int_equal(ret, -1);
			assert_true(err[0] != '\0');
			rejected++;
		}
		free(buf);
	}
	/* the mutations reach both outcomes */
	assert_true(accepted > 1000);
	assert_true(rejected > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_vf, setup_vf),
		cmocka_unit_test_setup(test_good_pf, setup_vf),
		cmocka_unit_test_setup(test_vsec_chain, setup_vf),
		cmocka_unit_test_setup(test_longest_lists, setup_vf),
		cmocka_unit_test_setup(test_short_cfg, setup_vf),
		cmocka_unit_test_setup(test_no_function, setup_vf),
		cmocka_unit_test_setup(test_std_unaligned, setup_vf),
		cmocka_unit_test_setup(test_std_in_header, setup_vf),
		cmocka_unit_test_setup(test_std_loop, setup_vf),
		cmocka_unit_test_setup(test_std_no_caplist, setup_vf),
		cmocka_unit_test_setup(test_pcie_truncated, setup_vf),
		cmocka_unit_test_setup(test_pcie_twice, setup_vf),
		cmocka_unit_test_setup(test_msix_bad, setup_vf),
		cmocka_unit_test_setup(test_virtio_cap_bad, setup_vf),
		cmocka_unit_test_setup(test_virtio_other_caps, setup_vf),
		cmocka_unit_test_setup(test_ext_unaligned, setup_vf),
		cmocka_unit_test_setup(test_ext_below, setup_vf),
		cmocka_unit_test_setup(test_ext_loop, setup_vf),
		cmocka_unit_test_setup(test_ext_absent, setup_vf),
		cmocka_unit_test_setup(test_vsec_bad, setup_vf),
		cmocka_unit_test_setup(test_vsec_truncated, setup_vf),
		cmocka_unit_test_setup(test_vsec_twice, setup_vf),
		cmocka_unit_test_setup(test_sriov_bad, setup_vf),
		cmocka_unit_test_setup(test_no_pcie, setup_vf),
		cmocka_unit_test_setup(test_out_untouched_on_error, setup_vf),
		cmocka_unit_test_setup(test_check_bars, setup_vf),
		cmocka_unit_test_setup(test_fuzz, setup_vf),
	};

	return cmocka_run_group_tests_name("pci_caps", tests, NULL, NULL);
}
