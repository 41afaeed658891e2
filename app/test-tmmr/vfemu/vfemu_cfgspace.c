/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <string.h>

#include "vfemu_cfgspace.h"

#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_REVISION		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34
#define PCI_INT_LINE		0x3c
#define PCI_INT_PIN		0x3d
#define PCI_BAR_MEM_64		0x4
/* memory, bus master, parity, SERR, INTx disable */
#define PCI_COMMAND_WMASK	0x0546
#define PCIE_CAP_LEN		0x3c
#define PCIE_DEVCAP_FLR		(1u << 28)
#define SRIOV_LEN		0x40

static void
put8(struct vfemu_cfg *cfg, uint32_t off, uint8_t v)
{
	cfg->img[off] = v;
}

void
vfemu_cfg_set16(struct vfemu_cfg *cfg, uint32_t off, uint16_t v)
{
	cfg->img[off] = v & 0xff;
	cfg->img[off + 1] = v >> 8;
}

static void
put32(struct vfemu_cfg *cfg, uint32_t off, uint32_t v)
{
	vfemu_cfg_set16(cfg, off, v & 0xffff);
	vfemu_cfg_set16(cfg, off + 2, v >> 16);
}

static void
wmask16(struct vfemu_cfg *cfg, uint32_t off, uint16_t m)
{
	cfg->wmask[off] = m & 0xff;
	cfg->wmask[off + 1] = m >> 8;
}

static void
wmask32(struct vfemu_cfg *cfg, uint32_t off, uint32_t m)
{
	wmask16(cfg, off, m & 0xffff);
	wmask16(cfg, off + 2, m >> 16);
}

uint16_t
vfemu_cfg_get16(const struct vfemu_cfg *cfg, uint32_t off)
{
	return cfg->img[off] | (uint16_t)(cfg->img[off + 1] << 8);
}

uint32_t
vfemu_cfg_get32(const struct vfemu_cfg *cfg, uint32_t off)
{
	return vfemu_cfg_get16(cfg, off) | ((uint32_t)vfemu_cfg_get16(cfg, off + 2) << 16);
}

/* type 0 header common to PF and VF; BAR0 is a 64-bit memory BAR of @bar_size */
static void
init_header(struct vfemu_cfg *cfg, uint16_t device, uint8_t rev, uint16_t subsys,
	    uint64_t bar0, uint64_t bar_size)
{
	memset(cfg, 0, sizeof(*cfg));
	vfemu_cfg_set16(cfg, 0x00, TMMR_PCI_VENDOR_ID);
	vfemu_cfg_set16(cfg, 0x02, device);
	wmask16(cfg, PCI_COMMAND, PCI_COMMAND_WMASK);
	vfemu_cfg_set16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put8(cfg, PCI_REVISION, rev);
	put8(cfg, PCI_CLASS_PROG, TMMR_PCI_CLASS_NET & 0xff);
	vfemu_cfg_set16(cfg, PCI_CLASS_PROG + 1, TMMR_PCI_CLASS_NET >> 8);
	put8(cfg, PCI_HEADER_TYPE, 0);
	put32(cfg, PCI_BAR0, (uint32_t)(bar0 & 0xfffffff0) | PCI_BAR_MEM_64);
	put32(cfg, PCI_BAR0 + 4, (uint32_t)(bar0 >> 32));
	/* the size mask is what software reads back after writing all-ones */
	wmask32(cfg, PCI_BAR0, (uint32_t)~(bar_size - 1) & 0xfffffff0);
	wmask32(cfg, PCI_BAR0 + 4, 0xffffffff);
	vfemu_cfg_set16(cfg, PCI_SUBSYS_VENDOR, TMMR_PCI_VENDOR_ID);
	vfemu_cfg_set16(cfg, PCI_SUBSYS_ID, subsys);
	put8(cfg, PCI_CAP_PTR, VFEMU_CFG_PCIE_OFF);
	cfg->wmask[PCI_INT_LINE] = 0xff;
	put8(cfg, PCI_INT_PIN, 1);
}

static void
init_pcie_cap(struct vfemu_cfg *cfg, uint8_t next)
{
	uint32_t o = VFEMU_CFG_PCIE_OFF;

	put8(cfg, o, TMMR_PCI_CAP_ID_EXP);
	put8(cfg, o + 1, next);
	vfemu_cfg_set16(cfg, o + 2, 0x0002);	/* version 2, endpoint */
	put32(cfg, o + 4, PCIE_DEVCAP_FLR);
	/* device control: error reporting, relaxed ordering, payload, FLR (self-clearing) */
	wmask16(cfg, o + 8, 0x7fff);
	put32(cfg, o + 0x0c, 0x00400011);	/* link cap: x1, 2.5 GT/s */
	vfemu_cfg_set16(cfg, o + 0x12, 0x0011);	/* link status: x1, 2.5 GT/s */
}

void
vfemu_cfg_init_vf(struct vfemu_cfg *cfg, uint16_t max_pairs, uint64_t bar0)
{
	uint32_t o;

	init_header(cfg, TMMR_PCI_DEVICE_ID_NET, 0, TMMR_PCI_SUBSYS_DEVICE_NET, bar0,
		    TMMR_BAR0_SIZE);
	init_pcie_cap(cfg, VFEMU_CFG_MSIX_OFF);

	o = VFEMU_CFG_MSIX_OFF;
	put8(cfg, o, TMMR_PCI_CAP_ID_MSIX);
	put8(cfg, o + 1, VFEMU_CFG_NOTIFY_OFF);
	vfemu_cfg_set16(cfg, o + 2, TMMR_MSIX_VECTORS(max_pairs) - 1);
	wmask16(cfg, o + 2, VFEMU_MSIX_CTRL_ENABLE | VFEMU_MSIX_CTRL_MASKALL);
	put32(cfg, o + 4, TMMR_BAR0_MSIX_TABLE_OFF | 0);	/* BIR 0 */
	put32(cfg, o + 8, TMMR_BAR0_MSIX_PBA_OFF | 0);

	/* struct virtio_pci_notify_cap */
	o = VFEMU_CFG_NOTIFY_OFF;
	put8(cfg, o, TMMR_PCI_CAP_ID_VNDR);
	put8(cfg, o + 1, 0);
	put8(cfg, o + 2, 20);
	put8(cfg, o + 3, TMMR_VIRTIO_PCI_CAP_NOTIFY_CFG);
	put8(cfg, o + 4, 0);	/* bar */
	put8(cfg, o + 5, 0);	/* id */
	put32(cfg, o + 8, TMMR_BAR0_NOTIFY_OFF);
	put32(cfg, o + 12, TMMR_BAR0_NOTIFY_LEN);
	put32(cfg, o + 16, TMMR_NOTIFY_OFF_MULTIPLIER);

	/* the MMR VSEC, the only extended capability */
	o = TMMR_VSEC_OFF;
	put32(cfg, o, TMMR_PCI_EXT_CAP_ID_VSEC | (TMMR_VSEC_CAP_VERSION << 16) | (0u << 20));
	put32(cfg, o + 4, TMMR_VSEC_ID | (TMMR_VSEC_REV << 16) | ((uint32_t)TMMR_VSEC_LEN << 20));
	put8(cfg, o + 8, TMMR_VIRTIO_PCI_CAP_LEGACY_MMR);
	put8(cfg, o + 9, 0);	/* bar */
	put8(cfg, o + 10, 0);	/* id */
	put32(cfg, o + 12, TMMR_BAR0_LEGACY_OFF);
	put32(cfg, o + 16, TMMR_BAR0_LEGACY_LEN);
}

void
vfemu_cfg_init_pf(struct vfemu_cfg *cfg, uint16_t nb_vfs, uint16_t vf_offset,
		  uint16_t vf_stride, uint64_t pf_bar0, uint64_t vf_bar0)
{
	uint32_t o = VFEMU_CFG_SRIOV_OFF;

	/* a modern virtio-net PF (revision 1) */
	init_header(cfg, TMMR_PCI_PF_DEVICE_ID, 1, TMMR_PCI_SUBSYS_DEVICE_NET, pf_bar0,
		    TMMR_BAR0_SIZE);
	init_pcie_cap(cfg, 0);

	put32(cfg, o, TMMR_PCI_EXT_CAP_ID_SRIOV | (1u << 16) | (0u << 20));
	put32(cfg, o + 0x04, 0);		/* SR-IOV capabilities */
	vfemu_cfg_set16(cfg, o + 0x08, 0x0009);	/* VF enable, VF memory space enable */
	vfemu_cfg_set16(cfg, o + 0x0c, nb_vfs);	/* InitialVFs */
	vfemu_cfg_set16(cfg, o + 0x0e, nb_vfs);	/* TotalVFs */
	vfemu_cfg_set16(cfg, o + 0x10, nb_vfs);	/* NumVFs */
	vfemu_cfg_set16(cfg, o + 0x14, vf_offset);
	vfemu_cfg_set16(cfg, o + 0x16, vf_stride);
	vfemu_cfg_set16(cfg, o + 0x1a, TMMR_PCI_DEVICE_ID_NET);
	put32(cfg, o + 0x1c, 0x553);		/* supported page sizes */
	put32(cfg, o + 0x20, 0x1);		/* system page size 4 KiB */
	wmask32(cfg, o + 0x20, 0xffffffff);
	put32(cfg, o + 0x24, (uint32_t)(vf_bar0 & 0xfffffff0) | PCI_BAR_MEM_64);
	put32(cfg, o + 0x28, (uint32_t)(vf_bar0 >> 32));
	(void)SRIOV_LEN;
}

int
vfemu_cfg_read(const struct vfemu_cfg *cfg, uint32_t off, void *buf, uint32_t len)
{
	if (off > TMMR_PCI_CFG_SIZE || len > TMMR_PCI_CFG_SIZE - off)
		return -EINVAL;
	memcpy(buf, &cfg->img[off], len);
	return 0;
}

int
vfemu_cfg_write(struct vfemu_cfg *cfg, uint32_t off, const void *buf, uint32_t len)
{
	const uint8_t *p = buf;
	uint32_t i;

	if (off > TMMR_PCI_CFG_SIZE || len > TMMR_PCI_CFG_SIZE - off)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		uint8_t m = cfg->wmask[off + i];

		cfg->img[off + i] = (cfg->img[off + i] & ~m) | (p[i] & m);
	}
	/* function-level reset bit of the PCIe device control reads back 0 */
	cfg->img[VFEMU_CFG_PCIE_OFF + 9] &= 0x7f;
	return 0;
}

bool
vfemu_cfg_msix_enabled(const struct vfemu_cfg *cfg)
{
	return (vfemu_cfg_get16(cfg, VFEMU_CFG_MSIX_OFF + 2) & VFEMU_MSIX_CTRL_ENABLE) != 0;
}

bool
vfemu_cfg_msix_masked(const struct vfemu_cfg *cfg)
{
	return (vfemu_cfg_get16(cfg, VFEMU_CFG_MSIX_OFF + 2) & VFEMU_MSIX_CTRL_MASKALL) != 0;
}

void
vfemu_cfg_set_msix_enable(struct vfemu_cfg *cfg, bool on)
{
	uint16_t ctl = vfemu_cfg_get16(cfg, VFEMU_CFG_MSIX_OFF + 2);

	if (on)
		ctl |= VFEMU_MSIX_CTRL_ENABLE;
	else
		ctl &= ~VFEMU_MSIX_CTRL_ENABLE;
	vfemu_cfg_set16(cfg, VFEMU_CFG_MSIX_OFF + 2, ctl);
}

void
vfemu_cfg_reset(struct vfemu_cfg *cfg)
{
	uint16_t ctl = vfemu_cfg_get16(cfg, VFEMU_CFG_MSIX_OFF + 2);

	vfemu_cfg_set16(cfg, PCI_COMMAND, 0);
	vfemu_cfg_set16(cfg, VFEMU_CFG_MSIX_OFF + 2,
			ctl & ~(VFEMU_MSIX_CTRL_ENABLE | VFEMU_MSIX_CTRL_MASKALL));
	vfemu_cfg_set16(cfg, VFEMU_CFG_PCIE_OFF + 8, 0);
}
