/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_CFGSPACE_H
#define VFEMU_CFGSPACE_H

/*
 * PCI config space of the model's functions: a 4096-byte image plus a
 * per-byte write mask, so read-only bits stay whatever is written and BAR
 * sizing (all-ones write, read back the size mask) works as on hardware.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_mmr.h"

/* where the VF's standard capabilities sit */
#define VFEMU_CFG_PCIE_OFF	0x40
#define VFEMU_CFG_MSIX_OFF	0x80
#define VFEMU_CFG_NOTIFY_OFF	0x90
#define VFEMU_CFG_SRIOV_OFF	0x100	/* PF only */

#define VFEMU_MSIX_CTRL_ENABLE	0x8000
#define VFEMU_MSIX_CTRL_MASKALL	0x4000

struct vfemu_cfg {
	uint8_t img[TMMR_PCI_CFG_SIZE];
	uint8_t wmask[TMMR_PCI_CFG_SIZE];
};

/* A VF of the MMR binding with BAR0 at @bar0 (fake physical address). */
void vfemu_cfg_init_vf(struct vfemu_cfg *cfg, uint16_t max_pairs, uint64_t bar0);
/* The PF with an SR-IOV capability for @nb_vfs VFs whose BAR0s start at @vf_bar0. */
void vfemu_cfg_init_pf(struct vfemu_cfg *cfg, uint16_t nb_vfs, uint16_t vf_offset,
		       uint16_t vf_stride, uint64_t pf_bar0, uint64_t vf_bar0);

/* 0 or -EINVAL (outside the 4096 bytes). */
int vfemu_cfg_read(const struct vfemu_cfg *cfg, uint32_t off, void *buf, uint32_t len);
int vfemu_cfg_write(struct vfemu_cfg *cfg, uint32_t off, const void *buf, uint32_t len);

uint16_t vfemu_cfg_get16(const struct vfemu_cfg *cfg, uint32_t off);
uint32_t vfemu_cfg_get32(const struct vfemu_cfg *cfg, uint32_t off);
void vfemu_cfg_set16(struct vfemu_cfg *cfg, uint32_t off, uint16_t v);

/* MSI-X message control of a VF, as the config space says */
bool vfemu_cfg_msix_enabled(const struct vfemu_cfg *cfg);
bool vfemu_cfg_msix_masked(const struct vfemu_cfg *cfg);
/* Reflect vfio's MSI-X enable (SET_IRQS) in the control register, as vfio-pci does. */
void vfemu_cfg_set_msix_enable(struct vfemu_cfg *cfg, bool on);
/* Function reset: writable registers back to their reset values. */
void vfemu_cfg_reset(struct vfemu_cfg *cfg);

#endif /* VFEMU_CFGSPACE_H */
