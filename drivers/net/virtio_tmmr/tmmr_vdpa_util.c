/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The pure parts of vDPA mode: which guests the VF can serve and where their
 * rings are. Plain arithmetic over what vhost-user told us, unit-tested.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>

#include "tmmr_legacy.h"
#include "tmmr_vdpa.h"

/* Control queue features: the guest's control queue stays with its VMM. */
#define TMMR_VDPA_CVQ_BITS ( \
	TMMR_BIT(TMMR_NET_F_CTRL_VQ) | TMMR_BIT(TMMR_NET_F_CTRL_RX) | \
	TMMR_BIT(TMMR_NET_F_CTRL_VLAN) | TMMR_BIT(TMMR_NET_F_CTRL_RX_EXTRA) | \
	TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE) | TMMR_BIT(TMMR_NET_F_MQ) | \
	TMMR_BIT(TMMR_NET_F_CTRL_MAC_ADDR))

/* VERSION_1 as a legacy guest: mergeable buffers' header, any layout */
#define TMMR_VDPA_MODERN_NEEDS (TMMR_BIT(TMMR_NET_F_MRG_RXBUF) | TMMR_BIT(TMMR_F_ANY_LAYOUT))

uint64_t
tmmr_vdpa_guest_offer(uint32_t offer, bool modern)
{
	uint64_t f = (uint64_t)(offer & ~TMMR_BIT(TMMR_VDPA_F_PROTOCOL_FEATURES)) |
		(UINT64_C(1) << TMMR_VDPA_F_PROTOCOL_FEATURES);

	if (modern && (offer & TMMR_VDPA_MODERN_NEEDS) == TMMR_VDPA_MODERN_NEEDS)
		f |= UINT64_C(1) << TMMR_VDPA_F_VERSION_1;
	return f;
}

int
tmmr_vdpa_vf_features(uint64_t acked, uint32_t offer, bool modern, uint32_t *vf_features,
		      char *why, size_t why_len)
{
	bool v1 = (acked & (UINT64_C(1) << TMMR_VDPA_F_VERSION_1)) != 0;
	uint64_t high = (acked & ~(UINT64_C(1) << TMMR_VDPA_F_VERSION_1)) >> 32;
	uint32_t low = (uint32_t)acked, data;
	uint32_t f;

	if (v1 && !modern) {
		snprintf(why, why_len, "the guest acked VERSION_1 (a modern guest); the VF runs "
			 "legacy rings only, the copy relay serves it");
		return -ENOTSUP;
	}
	if (v1 && !tmmr_has(low, TMMR_NET_F_MRG_RXBUF)) {
		snprintf(why, why_len, "the guest acked VERSION_1 without MRG_RXBUF: its 12-byte "
			 "header is not the VF's 10-byte legacy one");
		return -ENOTSUP;
	}
	if (high != 0) {
		snprintf(why, why_len, "the guest acked features 0x%" PRIx64 " above bit 31, "
			 "which a legacy VF cannot take", high << 32);
		return -ENOTSUP;
	}
	if (v1)
		low |= TMMR_BIT(TMMR_F_ANY_LAYOUT);
	low &= ~(TMMR_BIT(TMMR_VDPA_F_PROTOCOL_FEATURES) | TMMR_BIT(TMMR_VDPA_F_LOG_ALL));
	data = low & ~TMMR_VDPA_CVQ_BITS;
	if (data & ~offer) {
		snprintf(why, why_len, "the guest acked 0x%08x, which the VF does not offer "
			 "(offer 0x%08x)", data & ~offer, offer);
		return -ENOTSUP;
	}
	f = data;
	if (tmmr_has(offer, TMMR_NET_F_CTRL_VQ)) {
		f |= TMMR_BIT(TMMR_NET_F_CTRL_VQ);
		if (tmmr_has(offer, TMMR_NET_F_CTRL_RX))
			f |= TMMR_BIT(TMMR_NET_F_CTRL_RX);
		if (tmmr_has(low, TMMR_NET_F_MQ) && tmmr_has(offer, TMMR_NET_F_MQ))
			f |= TMMR_BIT(TMMR_NET_F_MQ);
	}
	*vf_features = f;
	return 0;
}

int
tmmr_vdpa_check_layout(uint64_t desc, uint64_t avail, uint64_t used, uint32_t num,
		       uint16_t vf_num, char *why, size_t why_len)
{
	uint64_t want_avail, want_used;

	if (num != vf_num) {
		snprintf(why, why_len, "ring of %u entries, the VF's queue has %u (a legacy "
			 "device chooses the size: give the guest queue size %u)", num, vf_num,
			 vf_num);
		return -EINVAL;
	}
	if (desc % TMMR_LEG_RING_ALIGN != 0) {
		snprintf(why, why_len, "descriptor table at 0x%" PRIx64 " is not 4096-aligned",
			 desc);
		return -EINVAL;
	}
	if (tmmr_leg_check_ring_iova(desc) != 0) {
		snprintf(why, why_len, "descriptor table at 0x%" PRIx64 " is above the 32-bit "
			 "PFN's 16 TiB", desc);
		return -EINVAL;
	}
	want_avail = desc + 16 * (uint64_t)num;
	want_used = RTE_ALIGN_CEIL(want_avail + 2 * (3 + (uint64_t)num), TMMR_LEG_RING_ALIGN);
	if (avail != want_avail || used != want_used) {
		snprintf(why, why_len, "not the legacy layout: avail at 0x%" PRIx64 ", used at "
			 "0x%" PRIx64 "; a PFN at 0x%" PRIx64 " puts them at 0x%" PRIx64 " and 0x%"
			 PRIx64, avail, used, desc, want_avail, want_used);
		return -EINVAL;
	}
	return 0;
}

int
tmmr_vdpa_check_base(uint16_t last_avail, uint16_t last_used, uint16_t ring_used,
		     bool resume, char *why, size_t why_len)
{
	if (last_avail == 0 && last_used == 0)
		return 0;
	if (!resume) {
		snprintf(why, why_len, "starts at index %u, a legacy device only at 0 (resume=1 "
			 "if the VF resumes at its used ring's index)", last_avail);
		return -ENOTSUP;
	}
	if (last_avail != last_used || ring_used != last_used) {
		snprintf(why, why_len, "resumes at avail index %u and used index %u, its used "
			 "ring holds %u: the VF resumes at the used ring's index only",
			 last_avail, last_used, ring_used);
		return -ENOTSUP;
	}
	return 0;
}

int
tmmr_vdpa_hva_to_gpa(const struct rte_vhost_memory *mem, uint64_t hva, uint64_t len,
		     uint64_t *gpa)
{
	uint32_t i;

	for (i = 0; i < mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &mem->regions[i];

		if (hva >= r->host_user_addr && len <= r->size &&
		    hva - r->host_user_addr <= r->size - len) {
			*gpa = hva - r->host_user_addr + r->guest_phys_addr;
			return 0;
		}
	}
	return -ENOENT;
}

bool
tmmr_vdpa_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

int
tmmr_vdpa_link_decode(uint32_t offer, uint16_t status, bool *up)
{
	if (!tmmr_has(offer, TMMR_NET_F_STATUS)) {
		*up = true;
		return 0;
	}
	if (status == UINT16_MAX) {
		*up = false;
		return -EIO;
	}
	*up = (status & TMMR_NET_S_LINK_UP) != 0;
	return (status & ~(TMMR_NET_S_LINK_UP | TMMR_NET_S_ANNOUNCE)) != 0 ? -EINVAL : 0;
}
