/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vDPA mode: the VF's link, for the vf_link_up and vf_link_changes stats.
 * The VF's config interrupt is not wired in vDPA mode (its vectors are the
 * guest's), so the link is read when the stats are: the application polls.
 */

#include <errno.h>

#include "tmmr_legacy.h"
#include "tmmr_logs.h"
#include "tmmr_vdpa.h"

void
tmmr_vdpa_link_poll(struct tmmr_vdpa *v, bool first)
{
	uint16_t st = 0;
	bool up;
	int ret;

	/* the net config moves by 4 bytes while MSI-X is on: it is while a guest's call fds
	 * are wired (irqs_on), which the transport's own vector count does not show
	 */
	if (tmmr_has(v->dev_features, TMMR_NET_F_STATUS))
		st = (uint16_t)tmmr_leg_read(v->pci, tmmr_leg_devcfg_off(v->irqs_on) +
					     TMMR_NET_CFG_STATUS, 2);
	ret = tmmr_vdpa_link_decode(v->dev_features, st, &up);
	if (ret != 0 && !v->link_bad)
		TMMR_LOG(driver, WARNING, v, "VF link status 0x%04x: %s", st, ret == -EIO ?
			 "the device does not answer, link down" : "reserved bits set, ignored");
	v->link_bad = ret != 0;
	if (!first && up != v->link_up)
		v->link_changes++;
	v->link_up = up;
}
