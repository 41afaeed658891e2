/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Capability walker. The config space image may come from a hostile or
 * broken device, so every read goes through a bounds-checked accessor, every
 * list walk is bounded in length and remembers what it visited, and each
 * failure says exactly which pointer or field was wrong.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tmmr_caps.h"
#include "tmmr_mmr.h"
#include "tmmr_virtio_legacy.h"

#define CFG_STD_SIZE		256
#define CFG_STD_CAP_FIRST	0x40
#define CFG_STD_CAP_MAX		48
#define CFG_EXT_CAP_MAX		((TMMR_PCI_CFG_SIZE - CFG_STD_SIZE) / 4)

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_SUBSYS_VENDOR_ID	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34

/* PCI Express capability: 36 bytes in version 1, 60 from version 2 */
#define PCIE_CAP_FLAGS		0x02
#define PCIE_CAP_LEN_V1		36
#define PCIE_CAP_LEN_V2		60

/* MSI-X capability */
#define MSIX_CAP_LEN		12
#define MSIX_FLAGS		0x02
#define MSIX_TABLE		0x04
#define MSIX_PBA		0x08
#define MSIX_FLAGS_QSIZE	0x07ff
#define MSIX_BIR_MASK		0x7
#define MSIX_ENTRY_SIZE		16

/* virtio_pci_cap and virtio_pci_notify_cap */
#define VIRTIO_CAP_LEN		0x02
#define VIRTIO_CAP_CFG_TYPE	0x03
#define VIRTIO_CAP_BAR		0x04
#define VIRTIO_CAP_OFFSET	0x08
#define VIRTIO_CAP_LENGTH	0x0c
#define VIRTIO_CAP_MULTIPLIER	0x10
#define VIRTIO_CAP_MIN_LEN	16
#define VIRTIO_NOTIFY_CAP_LEN	20

/* PCIe extended capabilities */
#define VSEC_HDR		0x04
#define VSEC_BODY		0x08
#define VSEC_TOTAL_LEN		(VSEC_BODY + 16)	/* = TMMR_VSEC_LEN */
/* the registers up to the MSI-X vectors, then the net config the driver reads */
#define LEGACY_MIN_LEN		(TMMR_LEG_DEVCFG_MSIX + TMMR_NET_CFG_LEN)

#define SRIOV_CAP_LEN		0x40
#define SRIOV_TOTAL_VFS		0x0e
#define SRIOV_NUM_VFS		0x10
#define SRIOV_VF_OFFSET		0x14
#define SRIOV_VF_STRIDE		0x16
#define SRIOV_VF_DID		0x1a

#define PCI_MAX_BAR		5

struct cfg_img {
	const uint8_t *p;
	size_t len;
};

static uint8_t
rd8(const struct cfg_img *c, size_t off)
{
	return off < c->len ? c->p[off] : 0xff;
}

static uint16_t
rd16(const struct cfg_img *c, size_t off)
{
	return (uint16_t)(rd8(c, off) | rd8(c, off + 1) << 8);
}

static uint32_t
rd32(const struct cfg_img *c, size_t off)
{
	return (uint32_t)rd16(c, off) | (uint32_t)rd16(c, off + 2) << 16;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
parse_pcie(const struct cfg_img *c, unsigned int at, struct tmmr_mmr_layout *out,
	   char *err, size_t errlen)
{
	unsigned int ver = rd16(c, at + PCIE_CAP_FLAGS) & 0xf;
	unsigned int need = ver >= 2 ? PCIE_CAP_LEN_V2 : PCIE_CAP_LEN_V1;

	if (out->has_pcie)
		return fail(err, errlen, "second PCI Express capability at 0x%02x", at);
	if (at + need > CFG_STD_SIZE)
		return fail(err, errlen,
			    "PCI Express capability v%u at 0x%02x is truncated (%u bytes past 0x100)",
			    ver, at, at + need - CFG_STD_SIZE);
	out->has_pcie = 1;
	return 0;
}

static int
parse_msix(const struct cfg_img *c, unsigned int at, struct tmmr_mmr_layout *out,
	   char *err, size_t errlen)
{
	uint32_t table, pba;

	if (out->has_msix)
		return fail(err, errlen, "second MSI-X capability at 0x%02x", at);
	if (at + MSIX_CAP_LEN > CFG_STD_SIZE)
		return fail(err, errlen, "MSI-X capability at 0x%02x is truncated", at);
	table = rd32(c, at + MSIX_TABLE);
	pba = rd32(c, at + MSIX_PBA);
	if ((table & MSIX_BIR_MASK) > PCI_MAX_BAR)
		return fail(err, errlen, "MSI-X table BIR %u > 5 (capability at 0x%02x)",
			    table & MSIX_BIR_MASK, at);
	if ((pba & MSIX_BIR_MASK) > PCI_MAX_BAR)
		return fail(err, errlen, "MSI-X PBA BIR %u > 5 (capability at 0x%02x)",
			    pba & MSIX_BIR_MASK, at);
	out->has_msix = 1;
	out->msix_cap_off = (uint8_t)at;
	out->msix_table_size = (rd16(c, at + MSIX_FLAGS) & MSIX_FLAGS_QSIZE) + 1;
	out->msix_table_bar = table & MSIX_BIR_MASK;
	out->msix_table_off = table & ~(uint32_t)MSIX_BIR_MASK;
	out->msix_pba_bar = pba & MSIX_BIR_MASK;
	out->msix_pba_off = pba & ~(uint32_t)MSIX_BIR_MASK;
	return 0;
}

static int
parse_virtio(const struct cfg_img *c, unsigned int at, struct tmmr_mmr_layout *out,
	     char *err, size_t errlen)
{
	unsigned int cap_len = rd8(c, at + VIRTIO_CAP_LEN);
	unsigned int type = rd8(c, at + VIRTIO_CAP_CFG_TYPE);
	unsigned int bar = rd8(c, at + VIRTIO_CAP_BAR);

	if (cap_len < VIRTIO_CAP_MIN_LEN)
		return fail(err, errlen, "virtio capability at 0x%02x: cap_len %u < %u",
			    at, cap_len, VIRTIO_CAP_MIN_LEN);
	if (at + cap_len > CFG_STD_SIZE)
		return fail(err, errlen,
			    "virtio capability at 0x%02x: cap_len %u runs past 0x100",
			    at, cap_len);
	/* only the notification area matters to a legacy driver; first one wins */
	if (type != TMMR_VIRTIO_PCI_CAP_NOTIFY_CFG || out->has_notify)
		return 0;
	if (cap_len < VIRTIO_NOTIFY_CAP_LEN)
		return fail(err, errlen,
			    "virtio notify capability at 0x%02x: cap_len %u < %u",
			    at, cap_len, VIRTIO_NOTIFY_CAP_LEN);
	if (bar > PCI_MAX_BAR)
		return fail(err, errlen, "virtio notify capability at 0x%02x: bar %u > 5",
			    at, bar);
	out->has_notify = 1;
	out->notify_bar = (uint8_t)bar;
	out->notify_off = rd32(c, at + VIRTIO_CAP_OFFSET);
	out->notify_len = rd32(c, at + VIRTIO_CAP_LENGTH);
	out->notify_off_multiplier = rd32(c, at + VIRTIO_CAP_MULTIPLIER);
	if ((uint64_t)out->notify_off + out->notify_len > UINT32_MAX)
		return fail(err, errlen,
			    "virtio notify capability at 0x%02x: offset 0x%x + length 0x%x overflows",
			    at, out->notify_off, out->notify_len);
	return 0;
}

static int
walk_std(const struct cfg_img *c, struct tmmr_mmr_layout *out, char *err, size_t errlen)
{
	uint8_t seen[CFG_STD_SIZE / 4];
	unsigned int ptr, n, from = PCI_CAP_PTR;
	int ret = 0;

	if (!(rd16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	memset(seen, 0, sizeof(seen));
	ptr = rd8(c, PCI_CAP_PTR);
	for (n = 0; ptr != 0; n++) {
		if (n >= CFG_STD_CAP_MAX)
			return fail(err, errlen, "more than %u standard capabilities",
				    CFG_STD_CAP_MAX);
		if (ptr & 3)
			return fail(err, errlen,
				    "capability pointer 0x%02x (at 0x%02x) is not dword-aligned",
				    ptr, from);
		if (ptr < CFG_STD_CAP_FIRST)
			return fail(err, errlen,
				    "capability pointer 0x%02x (at 0x%02x) points into the header",
				    ptr, from);
		if (seen[ptr / 4])
			return fail(err, errlen,
				    "capability list loops: 0x%02x (at 0x%02x) was already visited",
				    ptr, from);
		seen[ptr / 4] = 1;

		switch (rd8(c, ptr)) {
		case TMMR_PCI_CAP_ID_EXP:
			ret = parse_pcie(c, ptr, out, err, errlen);
			break;
		case TMMR_PCI_CAP_ID_MSIX:
			ret = parse_msix(c, ptr, out, err, errlen);
			break;
		case TMMR_PCI_CAP_ID_VNDR:
			ret = parse_virtio(c, ptr, out, err, errlen);
			break;
		default:
			break;
		}
		if (ret != 0)
			return ret;
		from = ptr + 1;
		ptr = rd8(c, ptr + 1);
	}
	return 0;
}

static int
parse_vsec(const struct cfg_img *c, unsigned int at, unsigned int cap_ver,
	   struct tmmr_mmr_layout *out, char *err, size_t errlen)
{
	uint32_t hdr = rd32(c, at + VSEC_HDR);
	unsigned int id = hdr & 0xffff, rev = (hdr >> 16) & 0xf, len = hdr >> 20;
	unsigned int type, bar;
	uint32_t off, length;

	if (id != TMMR_VSEC_ID)
		return 0;	/* someone else's VSEC */
	if (out->vsec_off != 0)
		return fail(err, errlen, "second MMR VSEC at 0x%03x (first at 0x%03x)",
			    at, out->vsec_off);
	if (cap_ver != TMMR_VSEC_CAP_VERSION)
		return fail(err, errlen, "MMR VSEC at 0x%03x: capability version %u, expected %u",
			    at, cap_ver, TMMR_VSEC_CAP_VERSION);
	if (rev != TMMR_VSEC_REV)
		return fail(err, errlen, "MMR VSEC at 0x%03x: VSEC rev %u, expected %u",
			    at, rev, TMMR_VSEC_REV);
	if (len != TMMR_VSEC_LEN)
		return fail(err, errlen, "MMR VSEC at 0x%03x: VSEC length %u, expected %u",
			    at, len, TMMR_VSEC_LEN);
	if (at + VSEC_TOTAL_LEN > c->len)
		return fail(err, errlen, "MMR VSEC at 0x%03x is truncated by the end of config space",
			    at);
	type = rd8(c, at + VSEC_BODY + offsetof(struct tmmr_vsec_body, cfg_type));
	bar = rd8(c, at + VSEC_BODY + offsetof(struct tmmr_vsec_body, bar));
	off = rd32(c, at + VSEC_BODY + offsetof(struct tmmr_vsec_body, offset));
	length = rd32(c, at + VSEC_BODY + offsetof(struct tmmr_vsec_body, length));
	if (type != TMMR_VIRTIO_PCI_CAP_LEGACY_MMR)
		return fail(err, errlen, "MMR VSEC at 0x%03x: cfg_type %u, expected %u (LEGACY_MMR)",
			    at, type, TMMR_VIRTIO_PCI_CAP_LEGACY_MMR);
	if (bar > PCI_MAX_BAR)
		return fail(err, errlen, "MMR VSEC at 0x%03x: bar %u > 5", at, bar);
	if (length < LEGACY_MIN_LEN)
		return fail(err, errlen,
			    "MMR VSEC at 0x%03x: legacy block length 0x%x < 0x%x, too small for the registers and net config",
			    at, length, LEGACY_MIN_LEN);
	if ((uint64_t)off + length > UINT32_MAX)
		return fail(err, errlen,
			    "MMR VSEC at 0x%03x: offset 0x%x + length 0x%x overflows",
			    at, off, length);
	out->vsec_off = (uint16_t)at;
	out->legacy_bar = (uint8_t)bar;
	out->legacy_off = off;
	out->legacy_len = length;
	return 0;
}

static int
parse_sriov(const struct cfg_img *c, unsigned int at, struct tmmr_mmr_layout *out,
	    char *err, size_t errlen)
{
	if (out->has_sriov)
		return fail(err, errlen, "second SR-IOV capability at 0x%03x", at);
	if (at + SRIOV_CAP_LEN > c->len)
		return fail(err, errlen, "SR-IOV capability at 0x%03x is truncated", at);
	out->has_sriov = 1;
	out->sriov_off = (uint16_t)at;
	out->sriov_total_vfs = rd16(c, at + SRIOV_TOTAL_VFS);
	out->sriov_num_vfs = rd16(c, at + SRIOV_NUM_VFS);
	out->sriov_vf_offset = rd16(c, at + SRIOV_VF_OFFSET);
	out->sriov_vf_stride = rd16(c, at + SRIOV_VF_STRIDE);
	out->sriov_vf_device_id = rd16(c, at + SRIOV_VF_DID);
	return 0;
}

static int
walk_ext(const struct cfg_img *c, struct tmmr_mmr_layout *out, char *err, size_t errlen)
{
	uint8_t seen[(TMMR_PCI_CFG_SIZE - CFG_STD_SIZE) / 4];
	unsigned int ptr = TMMR_PCI_EXT_CAP_START, from = 0, n;
	uint32_t hdr;
	int ret = 0;

	hdr = rd32(c, ptr);
	/* an empty list reads as 0, a function without one as all-ones */
	if (hdr == 0 || hdr == UINT32_MAX)
		return 0;
	memset(seen, 0, sizeof(seen));
	for (n = 0; ptr != 0; n++) {
		if (n >= CFG_EXT_CAP_MAX)
			return fail(err, errlen, "more than %u extended capabilities",
				    CFG_EXT_CAP_MAX);
		if (ptr & 3)
			return fail(err, errlen,
				    "extended capability pointer 0x%03x (at 0x%03x) is not dword-aligned",
				    ptr, from);
		if (ptr < TMMR_PCI_EXT_CAP_START)
			return fail(err, errlen,
				    "extended capability pointer 0x%03x (at 0x%03x) is below 0x100",
				    ptr, from);
		if (ptr + 4 > c->len)
			return fail(err, errlen,
				    "extended capability pointer 0x%03x (at 0x%03x) is outside config space",
				    ptr, from);
		if (seen[(ptr - CFG_STD_SIZE) / 4])
			return fail(err, errlen,
				    "extended capability list loops: 0x%03x (at 0x%03x) was already visited",
				    ptr, from);
		seen[(ptr - CFG_STD_SIZE) / 4] = 1;

		hdr = rd32(c, ptr);
		switch (hdr & 0xffff) {
		case TMMR_PCI_EXT_CAP_ID_VSEC:
			if (ptr + VSEC_BODY > c->len)
				return fail(err, errlen, "VSEC at 0x%03x is truncated", ptr);
			ret = parse_vsec(c, ptr, (hdr >> 16) & 0xf, out, err, errlen);
			break;
		case TMMR_PCI_EXT_CAP_ID_SRIOV:
			ret = parse_sriov(c, ptr, out, err, errlen);
			break;
		default:
			break;
		}
		if (ret != 0)
			return ret;
		from = ptr;
		ptr = hdr >> 20;
	}
	return 0;
}

int
tmmr_caps_parse(const uint8_t *cfg, size_t len, int need_mmr,
		struct tmmr_mmr_layout *out, char *err, size_t errlen)
{
	struct cfg_img c = { .p = cfg, .len = len };
	struct tmmr_mmr_layout lay;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL || out == NULL)
		return fail(err, errlen, "no config space");
	if (len < CFG_STD_SIZE)
		return fail(err, errlen, "config space of %zu bytes, need at least %u", len,
			    CFG_STD_SIZE);
	if (len > TMMR_PCI_CFG_SIZE)
		c.len = TMMR_PCI_CFG_SIZE;

	memset(&lay, 0, sizeof(lay));
	lay.vendor_id = rd16(&c, PCI_VENDOR_ID);
	if (lay.vendor_id == 0xffff)
		return fail(err, errlen, "no function there: vendor ID reads 0xffff");
	lay.device_id = rd16(&c, PCI_DEVICE_ID);
	lay.revision = rd8(&c, PCI_REVISION_ID);
	lay.class_code = rd32(&c, PCI_REVISION_ID) >> 8;
	lay.subsys_vendor_id = rd16(&c, PCI_SUBSYS_VENDOR_ID);
	lay.subsys_device_id = rd16(&c, PCI_SUBSYS_ID);

	ret = walk_std(&c, &lay, err, errlen);
	if (ret != 0)
		return ret;
	/* only a PCI Express function has the extended space */
	if (lay.has_pcie && c.len >= TMMR_PCI_CFG_SIZE) {
		ret = walk_ext(&c, &lay, err, errlen);
		if (ret != 0)
			return ret;
	}
	if (need_mmr && lay.vsec_off == 0) {
		if (!lay.has_pcie)
			return fail(err, errlen,
				    "no PCI Express capability, so no extended capabilities and no MMR VSEC");
		if (c.len < TMMR_PCI_CFG_SIZE)
			return fail(err, errlen,
				    "config space of %zu bytes has no extended capabilities, so no MMR VSEC",
				    c.len);
		return fail(err, errlen,
			    "no MMR VSEC (extended capability 0x000b with VSEC ID 0x%04x, cfg_type %u)",
			    TMMR_VSEC_ID, TMMR_VIRTIO_PCI_CAP_LEGACY_MMR);
	}
	*out = lay;
	return 0;
}

static int
check_range(const uint64_t bar_len[6], unsigned int bar, uint64_t off, uint64_t len,
	    const char *what, char *err, size_t errlen)
{
	if (bar > PCI_MAX_BAR)
		return fail(err, errlen, "%s: bar %u > 5", what, bar);
	if (bar_len[bar] == 0)
		return fail(err, errlen, "%s is in BAR%u, which the device does not have",
			    what, bar);
	if (off > bar_len[bar] || len > bar_len[bar] - off)
		return fail(err, errlen,
			    "%s at 0x%" PRIx64 "..0x%" PRIx64 " runs past BAR%u (0x%" PRIx64 " bytes)",
			    what, off, off + len, bar, bar_len[bar]);
	return 0;
}

int
tmmr_caps_check_bars(const struct tmmr_mmr_layout *lay, const uint64_t bar_len[6],
		     char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (lay == NULL || bar_len == NULL)
		return fail(err, errlen, "no layout");
	if (lay->vsec_off != 0 &&
	    check_range(bar_len, lay->legacy_bar, lay->legacy_off, lay->legacy_len,
			"legacy register block", err, errlen) != 0)
		return -1;
	if (lay->has_notify) {
		if (lay->notify_len < sizeof(uint16_t))
			return fail(err, errlen, "notification area of %u bytes is too small",
				    lay->notify_len);
		if (check_range(bar_len, lay->notify_bar, lay->notify_off, lay->notify_len,
				"notification area", err, errlen) != 0)
			return -1;
	}
	if (lay->has_msix) {
		if (check_range(bar_len, lay->msix_table_bar, lay->msix_table_off,
				(uint64_t)lay->msix_table_size * MSIX_ENTRY_SIZE,
				"MSI-X table", err, errlen) != 0)
			return -1;
		if (check_range(bar_len, lay->msix_pba_bar, lay->msix_pba_off,
				((uint64_t)lay->msix_table_size + 63) / 64 * 8,
				"MSI-X PBA", err, errlen) != 0)
			return -1;
	}
	return 0;
}
