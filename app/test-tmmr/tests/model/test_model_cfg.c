/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The config spaces and the sysfs tree, read back by independent readers:
 * tmmr_caps_parse() (the PCI glue's walker) and a scan that follows what
 * DPDK's drivers/bus/pci/linux/pci.c reads.
 */

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_harness.h"
#include "tmmr_caps.h"
#include "vf_layout.h"

static void
read_file(const char *dir, const char *fn, const char *name, void *buf, size_t len,
	  ssize_t *got)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, fn, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	memset(buf, 0, len);
	*got = fread(buf, 1, len, f);
	fclose(f);
}

static void
check_text(const char *dir, const char *fn, const char *name, const char *want)
{
	char buf[256];
	ssize_t n;

	read_file(dir, fn, name, buf, sizeof(buf) - 1, &n);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_vf_config_walked(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 2, .pairs = 1 };
	uint64_t bars[6] = { TMMR_BAR0_SIZE, 0, 0, 0, 0, 0 };
	struct tmmr_mmr_layout lay;
	uint8_t img[TMMR_PCI_CFG_SIZE], live[TMMR_PCI_CFG_SIZE];
	char err[128];
	struct mh h;
	ssize_t n;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	read_file(h.dir, "0000:01:00.1", "config", img, sizeof(img), &n);
	assert_int_equal(n, TMMR_PCI_CFG_SIZE);
	assert_int_equal(tmmr_caps_parse(img, sizeof(img), 1, &lay, err, sizeof(err)), 0);
	/* one queue pair: config, control queue, Rx and Tx vectors */
	assert_vf_layout(&lay, 4);
	assert_int_equal(tmmr_caps_check_bars(&lay, bars, err, sizeof(err)), 0);
	/* no I/O BAR: BAR0 is a 64-bit memory BAR */
	assert_int_equal(img[0x10] & 0x7, 0x4);

	/* the live config space (region 7) says the same */
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0, live, 4096), 0);
	assert_memory_equal(img, live, sizeof(img));
	mh_teardown(&h);
}

static void
test_vf_config_max_pairs(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 1, .pairs = 8 };
	struct tmmr_mmr_layout lay;
	uint8_t img[TMMR_PCI_CFG_SIZE];
	char err[128];
	struct mh h;
	ssize_t n;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	read_file(h.dir, "0000:01:00.1", "config", img, sizeof(img), &n);
	assert_int_equal(tmmr_caps_parse(img, sizeof(img), 1, &lay, err, sizeof(err)), 0);
	assert_int_equal(lay.msix_table_size, 18);
	mh_teardown(&h);
}

static void
test_pf_config_sriov(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 5 };
	struct tmmr_mmr_layout lay;
	uint8_t img[TMMR_PCI_CFG_SIZE];
	char err[128];
	struct mh h;
	ssize_t n;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	read_file(h.dir, "0000:01:00.0", "config", img, sizeof(img), &n);
	assert_int_equal(tmmr_caps_parse(img, sizeof(img), 0, &lay, err, sizeof(err)), 0);
	assert_int_equal(lay.device_id, 0x1041);
	assert_int_equal(lay.class_code, 0x020000);
	assert_true(lay.has_sriov);
	assert_int_equal(lay.sriov_total_vfs, 5);
	assert_int_equal(lay.sriov_num_vfs, 5);
	assert_int_equal(lay.sriov_vf_offset, 1);
	assert_int_equal(lay.sriov_vf_stride, 1);
	assert_int_equal(lay.sriov_vf_device_id, 0x10f9);
	/* the PF is not an MMR function */
	assert_int_not_equal(tmmr_caps_parse(img, sizeof(img), 1, &lay, err, sizeof(err)), 0);
	mh_teardown(&h);
}

static uint32_t
cfg32(struct mh *h, uint32_t off)
{
	uint32_t v = 0;

	assert_int_equal(mh_region_read(h, TMMR_VFU_REGION_CONFIG, off, &v, 4), 0);
	return v;
}

static void
cfg_w32(struct mh *h, uint32_t off, uint32_t v)
{
	assert_int_equal(mh_region_write(h, TMMR_VFU_REGION_CONFIG, off, &v, 4), 0);
}

static void
test_config_writes(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 1 };
	uint32_t bar_lo, bar_hi, v;
	uint16_t w;
	struct mh h;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 0), 0);

	/* BAR sizing: all-ones reads back the size mask, flags stay */
	bar_lo = cfg32(&h, 0x10);
	bar_hi = cfg32(&h, 0x14);
	cfg_w32(&h, 0x10, 0xffffffff);
	cfg_w32(&h, 0x14, 0xffffffff);
	assert_int_equal(cfg32(&h, 0x10), 0xffffc004);
	assert_int_equal(cfg32(&h, 0x14), 0xffffffff);
	cfg_w32(&h, 0x10, bar_lo);
	cfg_w32(&h, 0x14, bar_hi);
	assert_int_equal(cfg32(&h, 0x10), bar_lo);
	/* absent BARs stay 0 */
	cfg_w32(&h, 0x18, 0xffffffff);
	assert_int_equal(cfg32(&h, 0x18), 0);

	/* identity is read-only */
	cfg_w32(&h, 0x00, 0x12345678);
	assert_int_equal(cfg32(&h, 0x00), 0x10f91af4);
	cfg_w32(&h, 0x08, 0xffffffff);
	assert_int_equal(cfg32(&h, 0x08), 0x02000000);

	/* command: memory and bus master are writable, I/O space is not */
	w = 0x0007;
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 4, &w, 2), 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 4, &w, 2), 0);
	assert_int_equal(w, 0x0006);

	/* MSI-X control: enable and function mask writable, table size not */
	w = 0xffff;
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 0x82, &w, 2), 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0x82, &w, 2), 0);
	assert_int_equal(w, 0xc000 | 3);
	w = 0;
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 0x82, &w, 2), 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0x82, &w, 2), 0);
	assert_int_equal(w, 3);

	/* the VSEC is read-only */
	cfg_w32(&h, 0x10c, 0);
	assert_int_equal(cfg32(&h, 0x10c), 0x1000);

	/* outside config space */
	v = 0;
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 4094, &v, 4), -EINVAL);
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 4096, &v, 4), -EINVAL);
	mh_teardown(&h);
}

static void
test_sysfs_files(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 3 };
	char buf[512], path[512];
	struct mh h;
	ssize_t n;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	check_text(h.dir, "0000:01:00.1", "vendor", "0x1af4\n");
	check_text(h.dir, "0000:01:00.1", "device", "0x10f9\n");
	check_text(h.dir, "0000:01:00.1", "subsystem_vendor", "0x1af4\n");
	check_text(h.dir, "0000:01:00.1", "subsystem_device", "0x0001\n");
	check_text(h.dir, "0000:01:00.1", "class", "0x020000\n");
	check_text(h.dir, "0000:01:00.1", "numa_node", "0\n");
	check_text(h.dir, "0000:01:00.1", "max_vfs", "0\n");
	check_text(h.dir, "0000:01:00.0", "device", "0x1041\n");
	check_text(h.dir, "0000:01:00.0", "sriov_numvfs", "3\n");
	check_text(h.dir, "0000:01:00.0", "sriov_totalvfs", "3\n");
	check_text(h.dir, "0000:01:00.0", "max_vfs", "3\n");

	read_file(h.dir, "0000:01:00.2", "resource", buf, sizeof(buf) - 1, &n);
	buf[n] = '\0';
	assert_true(strncmp(buf, "0x0000380000104000 0x0000380000107fff 0x0000000000140204\n"
			    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n",
			    114) == 0);

	snprintf(path, sizeof(path), "%s/0000:01:00.1/driver", h.dir);
	n = readlink(path, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "/tmmr-vfemu"));
	assert_string_equal(strrchr(buf, '/'), "/tmmr-vfemu");
	snprintf(path, sizeof(path), "%s/0000:01:00.3/physfn", h.dir);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_string_equal(buf, "../0000:01:00.0");
	snprintf(path, sizeof(path), "%s/0000:01:00.0/virtfn2", h.dir);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_string_equal(buf, "../0000:01:00.3");
	mh_teardown(&h);

	/* teardown removes the whole tree */
	assert_int_not_equal(access(h.dir, F_OK), 0);
}

/* what DPDK's scan does: skip dot entries, parse the rest as addresses */
static void
test_sysfs_scan_like_dpdk(void **state)
{
	static const char *const mandatory[] = {
		"vendor", "device", "subsystem_vendor", "subsystem_device", "class", "resource",
	};
	struct mh_cfg cfg = { .nb_vfs = 9 };
	unsigned int nb_fn = 0, i;
	struct dirent *e;
	struct mh h;
	DIR *d;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	d = opendir(h.dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct vfemu_pci_addr a;
		char path[512], link[64];
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		assert_int_equal(vfemu_pci_addr_parse(e->d_name, &a), 0);
		for (i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", h.dir, e->d_name, mandatory[i]);
			assert_int_equal(access(path, R_OK), 0);
		}
		snprintf(path, sizeof(path), "%s/%s/driver", h.dir, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		assert_true(n > 0);
		nb_fn++;
	}
	closedir(d);
	assert_int_equal(nb_fn, 10);
	/* the model's private entries exist but are dot-named */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/.drivers/tmmr-vfemu", h.dir);
		assert_int_equal(access(path, F_OK), 0);
		snprintf(path, sizeof(path), "%s/.vfemu-ctl.sock", h.dir);
		assert_int_equal(access(path, F_OK), 0);
		/* VF 8 crosses into device 1 */
		snprintf(path, sizeof(path), "%s/0000:01:01.1/vfio-user.sock", h.dir);
		assert_int_equal(access(path, F_OK), 0);
	}
	mh_teardown(&h);
}

static void
test_stale_tree_cleaned(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 1 };
	char dir[128], path[256];
	struct mh h;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/model/stale%d", (int)getpid());
	cfg.dir = dir;
	/* what a killed run with more VFs leaves, plus things that are not ours */
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/0000:01:00.7", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/0000:01:00.7/driver", dir);
	assert_int_equal(symlink("../.drivers/tmmr-vfemu", path), 0);
	snprintf(path, sizeof(path), "%s/0000:02:00.0", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/0000:02:00.0/driver", dir);
	assert_int_equal(symlink("../../somewhere/else", path), 0);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);

	assert_int_equal(mh_setup(&h, &cfg), 0);
	snprintf(path, sizeof(path), "%s/0000:01:00.7", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/0000:02:00.0/driver", dir);
	/* a dangling link of theirs is left alone */
	{
		struct stat st;

		assert_int_equal(lstat(path, &st), 0);
	}
	snprintf(path, sizeof(path), "%s/0000:02:00.0", dir);
	assert_int_equal(access(path, F_OK), 0);
	mh_teardown(&h);
	/* ours is gone, theirs stays */
	snprintf(path, sizeof(path), "%s/0000:01:00.1", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	assert_int_equal(access(path, F_OK), 0);
	vfemu_rm_rf(dir);
}

static void
test_vf_routing_ids(void **state)
{
	struct vfemu_pci_addr a = { .domain = 0, .rid = 0 };
	char s[16];

	(void)state;
	assert_int_equal(vfemu_vf_rid(0x0100, 0), 0x0101);
	assert_int_equal(vfemu_vf_rid(0x0100, 6), 0x0107);
	assert_int_equal(vfemu_vf_rid(0x0100, 7), 0x0108);
	assert_int_equal(vfemu_vf_rid(0x0100, 254), 0x01ff);
	assert_int_equal(vfemu_vf_rid(0x0100, 255), 0x0200);
	assert_int_equal(vfemu_vf_rid(0x0100, 1023), 0x0500);
	assert_int_equal(vfemu_vf_rid(0xff00, 254), 0xffff);
	assert_int_equal(vfemu_vf_rid(0xff00, 255), -1);
	a.rid = 0x0108;
	vfemu_pci_addr_str(&a, s);
	assert_string_equal(s, "0000:01:01.0");
	a.rid = 0x0500;
	a.domain = 0x12;
	vfemu_pci_addr_str(&a, s);
	assert_string_equal(s, "0012:05:00.0");
	assert_int_equal(vfemu_pci_addr_parse("0000:01:1f.7", &a), 0);
	assert_int_equal(a.rid, 0x01ff);
	assert_int_not_equal(vfemu_pci_addr_parse("0000:01:20.0", &a), 0);
	assert_int_not_equal(vfemu_pci_addr_parse("0000:01:00.8", &a), 0);
	assert_int_not_equal(vfemu_pci_addr_parse("01:00.0", &a), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vf_config_walked),
		cmocka_unit_test(test_vf_config_max_pairs),
		cmocka_unit_test(test_pf_config_sriov),
		cmocka_unit_test(test_config_writes),
		cmocka_unit_test(test_sysfs_files),
		cmocka_unit_test(test_sysfs_scan_like_dpdk),
		cmocka_unit_test(test_stale_tree_cleaned),
		cmocka_unit_test(test_vf_routing_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
