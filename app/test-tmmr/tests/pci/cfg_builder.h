/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef PCI_TEST_CFG_BUILDER_H
#define PCI_TEST_CFG_BUILDER_H

/* Hand-built config spaces for the PCI glue tests, laid out as the binding says. */

#include <stdint.h>

/* where the good images put each capability */
#define CB_PCIE_OFF	0x40
#define CB_MSIX_OFF	0x80
#define CB_NOTIFY_OFF	0x90
#define CB_EXT_OFF	0x100
#define CB_MSIX_VECS	18

void cb_put16(uint8_t *cfg, unsigned int off, uint16_t v);
void cb_put32(uint8_t *cfg, unsigned int off, uint32_t v);
uint32_t cb_get32(const uint8_t *cfg, unsigned int off);

/* An MMR net VF: PCIe, MSI-X (18 vectors), notify cap, MMR VSEC at 0x100. */
void cb_build_vf(uint8_t cfg[4096]);
/* Its PF: modern virtio-net with an SR-IOV capability at 0x100, no VSEC. */
void cb_build_pf(uint8_t cfg[4096]);
/* Extended capability header. */
uint32_t cb_ext_hdr(uint16_t id, unsigned int ver, unsigned int next);

#endif /* PCI_TEST_CFG_BUILDER_H */
