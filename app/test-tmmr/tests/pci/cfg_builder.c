/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <string.h>

#include "tmmr_mmr.h"
#include "cfg_builder.h"

void
cb_put16(uint8_t *cfg, unsigned int off, uint16_t v)
{
	cfg[off] = v & 0xff;
	cfg[off + 1] = v >> 8;
}

void
cb_put32(uint8_t *cfg, unsigned int off, uint32_t v)
{
	cb_put16(cfg, off, v & 0xffff);
	cb_put16(cfg, off + 2, v >> 16);
}

uint32_t
cb_get32(const uint8_t *cfg, unsigned int off)
{
	return (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
		(uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
}

uint32_t
cb_ext_hdr(uint16_t id, unsigned int ver, unsigned int next)
{
	return id | (ver & 0xf) << 16 | (uint32_t)next << 20;
}

static void
build_common(uint8_t *cfg, uint16_t device)
{
	memset(cfg, 0, TMMR_PCI_CFG_SIZE);
	cb_put16(cfg, 0x00, TMMR_PCI_VENDOR_ID);
	cb_put16(cfg, 0x02, device);
	cb_put16(cfg, 0x06, 0x0010);		/* capability list */
	cb_put32(cfg, 0x08, TMMR_PCI_CLASS_NET << 8);	/* revision 0 */
	cb_put16(cfg, 0x2c, TMMR_PCI_VENDOR_ID);
	cb_put16(cfg, 0x2e, TMMR_PCI_SUBSYS_DEVICE_NET);
	cfg[0x34] = CB_PCIE_OFF;

	cfg[CB_PCIE_OFF] = TMMR_PCI_CAP_ID_EXP;
	cfg[CB_PCIE_OFF + 1] = CB_MSIX_OFF;
	cb_put16(cfg, CB_PCIE_OFF + 2, 0x0002);	/* version 2, endpoint */

	cfg[CB_MSIX_OFF] = TMMR_PCI_CAP_ID_MSIX;
	cfg[CB_MSIX_OFF + 1] = CB_NOTIFY_OFF;
	cb_put16(cfg, CB_MSIX_OFF + 2, CB_MSIX_VECS - 1);
	cb_put32(cfg, CB_MSIX_OFF + 4, TMMR_BAR0_MSIX_TABLE_OFF | 0);
	cb_put32(cfg, CB_MSIX_OFF + 8, TMMR_BAR0_MSIX_PBA_OFF | 0);

	cfg[CB_NOTIFY_OFF] = TMMR_PCI_CAP_ID_VNDR;
	cfg[CB_NOTIFY_OFF + 1] = 0;
	cfg[CB_NOTIFY_OFF + 2] = 20;
	cfg[CB_NOTIFY_OFF + 3] = TMMR_VIRTIO_PCI_CAP_NOTIFY_CFG;
	cfg[CB_NOTIFY_OFF + 4] = 0;		/* bar */
	cb_put32(cfg, CB_NOTIFY_OFF + 8, TMMR_BAR0_NOTIFY_OFF);
	cb_put32(cfg, CB_NOTIFY_OFF + 12, TMMR_BAR0_NOTIFY_LEN);
	cb_put32(cfg, CB_NOTIFY_OFF + 16, TMMR_NOTIFY_OFF_MULTIPLIER);
}

void
cb_build_vf(uint8_t cfg[4096])
{
	build_common(cfg, TMMR_PCI_DEVICE_ID_NET);
	cb_put32(cfg, CB_EXT_OFF, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_VSEC, 1, 0));
	cb_put32(cfg, CB_EXT_OFF + 4,
		 TMMR_VSEC_ID | TMMR_VSEC_REV << 16 | (uint32_t)TMMR_VSEC_LEN << 20);
	cfg[CB_EXT_OFF + 8] = TMMR_VIRTIO_PCI_CAP_LEGACY_MMR;
	cfg[CB_EXT_OFF + 9] = 0;		/* bar */
	cb_put32(cfg, CB_EXT_OFF + 12, TMMR_BAR0_LEGACY_OFF);
	cb_put32(cfg, CB_EXT_OFF + 16, TMMR_BAR0_LEGACY_LEN);
}

void
cb_build_pf(uint8_t cfg[4096])
{
	build_common(cfg, TMMR_PCI_PF_DEVICE_ID);
	cb_put32(cfg, CB_EXT_OFF, cb_ext_hdr(TMMR_PCI_EXT_CAP_ID_SRIOV, 1, 0));
	cb_put16(cfg, CB_EXT_OFF + 0x0c, 8);	/* initial VFs */
	cb_put16(cfg, CB_EXT_OFF + 0x0e, 8);	/* total VFs */
	cb_put16(cfg, CB_EXT_OFF + 0x10, 2);	/* num VFs */
	cb_put16(cfg, CB_EXT_OFF + 0x14, 1);	/* first VF offset */
	cb_put16(cfg, CB_EXT_OFF + 0x16, 1);	/* VF stride */
	cb_put16(cfg, CB_EXT_OFF + 0x1a, TMMR_PCI_DEVICE_ID_NET);
}
