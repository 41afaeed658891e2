/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_MMR_H
#define TMMR_MMR_H

/*
 * The virtio Transitional MMR binding as tmmr v1 pins it down
 * (doc/guides/spec/mmr_binding.rst): how a VF says what it is and where its
 * legacy register block sits (identity, capabilities, the VSEC, BAR0 layout)
 * and the limits of a tmmr device. What lives inside that block (the legacy
 * virtio ABI) is tmmr_virtio_legacy.h.
 *
 * Plain C, no DPDK: shared by the PCI glue, the PMD and the software model,
 * none of which may disagree on a number. The numbers that have a twin in
 * Linux's uapi (PCI capability IDs, the virtio device ID, the notify cfg_type)
 * are tied to it in tmmr_abi_check.c; the binding's own (IDs, BAR0 layout,
 * cfg_type 10, the VSEC) have the binding page and its clause tests as their
 * reference.
 */

#include <stdint.h>

/* Identity */
#define TMMR_PCI_VENDOR_ID		0x1af4
#define TMMR_PCI_DEVICE_ID_NET		0x10f9
#define TMMR_PCI_DEVICE_ID_BLOCK	0x10fa
#define TMMR_PCI_DEVICE_ID_BALLOON	0x10fb
#define TMMR_PCI_DEVICE_ID_CONSOLE	0x10fc
#define TMMR_PCI_DEVICE_ID_SCSI		0x10fd
#define TMMR_PCI_DEVICE_ID_ENTROPY	0x10fe
#define TMMR_PCI_DEVICE_ID_9P		0x10ff
#define TMMR_PCI_SUBSYS_DEVICE_NET	1	/* virtio device ID */
#define TMMR_PCI_CLASS_NET		0x020000
#define TMMR_PCI_PF_DEVICE_ID		0x1041	/* modern virtio-net PF */

/* BAR0 layout */
#define TMMR_BAR0_SIZE			0x4000
#define TMMR_BAR0_NOTIFY_OFF		0x0000
#define TMMR_BAR0_NOTIFY_LEN		0x1000
#define TMMR_BAR0_LEGACY_OFF		0x1000
#define TMMR_BAR0_LEGACY_LEN		0x100
#define TMMR_BAR0_MSIX_TABLE_OFF	0x2000
#define TMMR_BAR0_MSIX_PBA_OFF		0x3000
#define TMMR_NOTIFY_OFF_MULTIPLIER	4

/* PCI config space */
#define TMMR_PCI_CFG_SIZE		4096
#define TMMR_PCI_CAP_ID_VNDR		0x09
#define TMMR_PCI_CAP_ID_EXP		0x10
#define TMMR_PCI_CAP_ID_MSIX		0x11
#define TMMR_PCI_EXT_CAP_ID_SRIOV	0x0010
#define TMMR_PCI_EXT_CAP_ID_VSEC	0x000b
#define TMMR_PCI_EXT_CAP_START		0x100
#define TMMR_VSEC_OFF			0x100	/* where a VF's VSEC sits */
#define TMMR_VSEC_CAP_VERSION		1
#define TMMR_VSEC_ID			0x1af4
#define TMMR_VSEC_REV			1
#define TMMR_VSEC_LEN			24
#define TMMR_VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define TMMR_VIRTIO_PCI_CAP_LEGACY_MMR	10

/* VSEC body, at VSEC offset + 8 */
struct tmmr_vsec_body {
	uint8_t cfg_type;	/* TMMR_VIRTIO_PCI_CAP_LEGACY_MMR */
	uint8_t bar;
	uint8_t id;
	uint8_t reserved0;
	uint32_t offset;	/* le32 */
	uint32_t length;	/* le32 */
	uint32_t reserved1;
} __attribute__((packed));

/* Limits of a tmmr device: queue pairs, MSI-X table size, MAC filter entries */
#define TMMR_MAX_QUEUE_PAIRS		8
#define TMMR_MSIX_VECTORS(pairs)	(2 * (pairs) + 2)
#define TMMR_NET_MAX_MAC_TABLE		64

#endif /* TMMR_MMR_H */
