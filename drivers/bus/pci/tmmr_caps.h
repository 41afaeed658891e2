/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_CAPS_H
#define TMMR_CAPS_H

/*
 * Capability walker for MMR VFs: reads a 4096-byte config space image and
 * locates what the binding says a driver needs. Plain C, no DPDK: used by the
 * PCI glue and, as an independent reader, by the model's tests. Every pointer
 * is bounds-checked and loops are bounded, so a malformed config space yields
 * an error string, never a crash or hang.
 */

#include <stddef.h>
#include <stdint.h>

struct tmmr_mmr_layout {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsys_vendor_id;
	uint16_t subsys_device_id;
	uint32_t class_code;	/* 24 bits */
	uint8_t revision;

	/* legacy register block (VSEC cfg_type LEGACY_MMR) */
	uint8_t legacy_bar;
	uint32_t legacy_off;
	uint32_t legacy_len;

	/* notification area (virtio vendor cap, cfg_type NOTIFY) */
	int has_notify;
	uint8_t notify_bar;
	uint32_t notify_off;
	uint32_t notify_len;
	uint32_t notify_off_multiplier;

	/* MSI-X */
	int has_msix;
	uint8_t msix_cap_off;	/* offset of the MSI-X capability in config space */
	uint16_t msix_table_size;	/* number of vectors */
	uint8_t msix_table_bar;
	uint32_t msix_table_off;
	uint8_t msix_pba_bar;
	uint32_t msix_pba_off;

	int has_pcie;
	uint16_t vsec_off;	/* where the MMR VSEC was found */

	/* SR-IOV, on a PF */
	int has_sriov;
	uint16_t sriov_off;
	uint16_t sriov_total_vfs;
	uint16_t sriov_num_vfs;
	uint16_t sriov_vf_offset;
	uint16_t sriov_vf_stride;
	uint16_t sriov_vf_device_id;
};

/*
 * Parse @cfg (@len bytes, at least 256; 4096 to see extended caps).
 * Returns 0 and fills @out, or -1 with a reason in @err.
 * A function without the MMR VSEC is an error only if @need_mmr is set.
 */
int tmmr_caps_parse(const uint8_t *cfg, size_t len, int need_mmr,
		    struct tmmr_mmr_layout *out, char *err, size_t errlen);

/*
 * Check the layout against the BAR sizes the transport reports
 * (@bar_len[6], 0 for an absent BAR). Returns 0, or -1 with a reason.
 */
int tmmr_caps_check_bars(const struct tmmr_mmr_layout *lay, const uint64_t bar_len[6],
			 char *err, size_t errlen);

#endif /* TMMR_CAPS_H */
