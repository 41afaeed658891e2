/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The pure parts of vDPA mode: which guests the VF serves (feature mapping),
 * the legacy ring layout check, the translation of the relay's addresses of a
 * guest's rings into guest-physical ones, the VF's link from its status.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tmmr_legacy.h"
#include "tmmr_vdpa.h"

/* The model's offer: csum, guest csum, MAC, guest/host TSO, MRG_RXBUF, STATUS, CTRL_VQ,
 * CTRL_RX, CTRL_VLAN, GUEST_ANNOUNCE, ANY_LAYOUT, INDIRECT, EVENT_IDX, MTU */
#define OFFER UINT32_C(0x38af81ab)
#define BIT64(b) (UINT64_C(1) << (b))

static void
test_guest_offer(void **state)
{
	uint64_t f;

	(void)state;
	f = tmmr_vdpa_guest_offer(OFFER, false);
	assert_true(f & BIT64(TMMR_VDPA_F_PROTOCOL_FEATURES));
	assert_false(f & BIT64(TMMR_VDPA_F_VERSION_1));
	assert_int_equal((uint32_t)f & ~TMMR_BIT(TMMR_VDPA_F_PROTOCOL_FEATURES), OFFER);
	/* modern=1: VERSION_1 only if the VF has mergeable buffers and any layout */
	assert_true(tmmr_vdpa_guest_offer(OFFER, true) & BIT64(TMMR_VDPA_F_VERSION_1));
	assert_false(tmmr_vdpa_guest_offer(OFFER & ~TMMR_BIT(TMMR_NET_F_MRG_RXBUF), true) &
		     BIT64(TMMR_VDPA_F_VERSION_1));
	assert_false(tmmr_vdpa_guest_offer(OFFER & ~TMMR_BIT(TMMR_F_ANY_LAYOUT), true) &
		     BIT64(TMMR_VDPA_F_VERSION_1));
	/* never more than 32 bits besides those two */
	assert_int_equal(tmmr_vdpa_guest_offer(UINT32_MAX, true) >> 33, 0);
}

static void
test_vf_features(void **state)
{
	char why[256];
	uint32_t f;
	uint64_t acked;

	(void)state;
	/* a legacy Linux guest: datapath bits kept, vhost bits dropped */
	acked = TMMR_BIT(TMMR_NET_F_MRG_RXBUF) | TMMR_BIT(TMMR_NET_F_CSUM) |
		TMMR_BIT(TMMR_RING_F_EVENT_IDX) | BIT64(TMMR_VDPA_F_PROTOCOL_FEATURES) |
		BIT64(TMMR_VDPA_F_LOG_ALL);
	assert_int_equal(tmmr_vdpa_vf_features(acked, OFFER, false, &f, why, sizeof(why)), 0);
	assert_false(f & TMMR_BIT(TMMR_VDPA_F_PROTOCOL_FEATURES));
	assert_false(f & TMMR_BIT(TMMR_VDPA_F_LOG_ALL));
	assert_true(f & TMMR_BIT(TMMR_NET_F_MRG_RXBUF));
	assert_true(f & TMMR_BIT(TMMR_RING_F_EVENT_IDX));
	/* the control queue is the driver's: CTRL_VQ and CTRL_RX though the guest did not ask */
	assert_true(f & TMMR_BIT(TMMR_NET_F_CTRL_VQ));
	assert_true(f & TMMR_BIT(TMMR_NET_F_CTRL_RX));
	/* ... and the guest's own control bits never reach the VF */
	acked |= TMMR_BIT(TMMR_NET_F_CTRL_VLAN) | TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE);
	assert_int_equal(tmmr_vdpa_vf_features(acked, OFFER, false, &f, why, sizeof(why)), 0);
	assert_false(f & TMMR_BIT(TMMR_NET_F_CTRL_VLAN));
	assert_false(f & TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE));
	/* MQ only if the guest asked and the VF offers it */
	assert_false(f & TMMR_BIT(TMMR_NET_F_MQ));
	assert_int_equal(tmmr_vdpa_vf_features(acked | TMMR_BIT(TMMR_NET_F_MQ),
					       OFFER | TMMR_BIT(TMMR_NET_F_MQ), false, &f, why,
					       sizeof(why)), 0);
	assert_true(f & TMMR_BIT(TMMR_NET_F_MQ));
	/* a VF without a control queue gets no control bits */
	assert_int_equal(tmmr_vdpa_vf_features(TMMR_BIT(TMMR_NET_F_MRG_RXBUF),
					       OFFER & ~TMMR_BIT(TMMR_NET_F_CTRL_VQ), false, &f,
					       why, sizeof(why)), 0);
	assert_int_equal(f, TMMR_BIT(TMMR_NET_F_MRG_RXBUF));

	/* refusals, each with its reason */
	assert_int_equal(tmmr_vdpa_vf_features(acked | BIT64(TMMR_VDPA_F_VERSION_1), OFFER,
					       false, &f, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "VERSION_1"));
	assert_int_equal(tmmr_vdpa_vf_features(BIT64(TMMR_VDPA_F_VERSION_1), OFFER, true, &f,
					       why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "MRG_RXBUF"));
	assert_int_equal(tmmr_vdpa_vf_features(BIT64(34), OFFER, true, &f, why, sizeof(why)),
			 -ENOTSUP);
	assert_non_null(strstr(why, "above bit 31"));
	assert_int_equal(tmmr_vdpa_vf_features(TMMR_BIT(TMMR_NET_F_HOST_UFO), OFFER, false, &f,
					       why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "does not offer"));
	/* modern=1 and MRG_RXBUF: VERSION_1 dropped, ANY_LAYOUT (implied by it) kept */
	assert_int_equal(tmmr_vdpa_vf_features(BIT64(TMMR_VDPA_F_VERSION_1) |
					       TMMR_BIT(TMMR_NET_F_MRG_RXBUF), OFFER, true, &f,
					       why, sizeof(why)), 0);
	assert_true(f & TMMR_BIT(TMMR_F_ANY_LAYOUT));
	assert_true(f & TMMR_BIT(TMMR_NET_F_MRG_RXBUF));
}

static void
test_layout(void **state)
{
	char why[256];
	uint64_t d = 0x123456000;

	(void)state;
	/* 256 entries: avail right after the 4096-byte table, used at the next page */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 4096, d + 8192, 256, 256, why,
						sizeof(why)), 0);
	/* 1024 entries: avail at +16 KiB, its 2054 bytes end in the next page */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 16384, d + 16384 + 4096, 1024, 1024,
						why, sizeof(why)), 0);
	/* 8 entries: all in one page, used at the next */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 128, d + 4096, 8, 8, why,
						sizeof(why)), 0);
	/* the VF chose another size */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 2048, d + 4096, 128, 256, why,
						sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "ring of 128 entries, the VF's queue has 256"));
	/* a modern layout: used aligned to 64 bytes only */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 4096, d + 4096 + 576, 256, 256, why,
						sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not the legacy layout"));
	/* separately allocated rings */
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 65536, d + 8192, 256, 256, why,
						sizeof(why)), -EINVAL);
	/* unaligned table, table above the 32-bit PFN */
	assert_int_equal(tmmr_vdpa_check_layout(d + 64, d + 64 + 4096, d + 8192, 256, 256, why,
						sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "4096-aligned"));
	d = UINT64_C(1) << 44;
	assert_int_equal(tmmr_vdpa_check_layout(d, d + 4096, d + 8192, 256, 256, why,
						sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "16 TiB"));
}

static void
test_hva_to_gpa(void **state)
{
	struct rte_vhost_memory *mem;
	uint64_t gpa = 0;

	(void)state;
	mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	assert_non_null(mem);
	mem->nregions = 2;
	mem->regions[0].guest_phys_addr = 0;
	mem->regions[0].host_user_addr = 0x7f0000000000;
	mem->regions[0].size = 0x80000000;
	mem->regions[1].guest_phys_addr = 0x100000000;
	mem->regions[1].host_user_addr = 0x7f8000000000;
	mem->regions[1].size = 0x40000000;

	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f0000001000, 4096, &gpa), 0);
	assert_int_equal(gpa, 0x1000);
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f8000002000, 16, &gpa), 0);
	assert_int_equal(gpa, 0x100002000);
	/* the last bytes of a region, and one byte beyond */
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f0000000000 + 0x80000000 - 16, 16, &gpa),
			 0);
	assert_int_equal(gpa, 0x80000000 - 16);
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f0000000000 + 0x80000000 - 16, 17, &gpa),
			 -ENOENT);
	/* between regions, below them, a length wrapping around */
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f4000000000, 1, &gpa), -ENOENT);
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x1000, 1, &gpa), -ENOENT);
	assert_int_equal(tmmr_vdpa_hva_to_gpa(mem, 0x7f0000001000, UINT64_MAX, &gpa), -ENOENT);
	free(mem);
}

static void
test_overlap(void **state)
{
	(void)state;
	assert_true(tmmr_vdpa_overlap(0x1000, 0x1000, 0x1800, 0x10));
	assert_true(tmmr_vdpa_overlap(0x1800, 0x10, 0x1000, 0x1000));
	assert_false(tmmr_vdpa_overlap(0x1000, 0x1000, 0x2000, 0x1000));
	assert_false(tmmr_vdpa_overlap(0x2000, 0x1000, 0x1000, 0x1000));
	assert_false(tmmr_vdpa_overlap(0x1000, 0, 0x1000, 0x1000));
}

/* Where the VF may take a guest's ring up: at 0, or where a resuming VF finds it */
static void
test_check_base(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(tmmr_vdpa_check_base(0, 0, 0, false, why, sizeof(why)), 0);
	assert_int_equal(tmmr_vdpa_check_base(0, 0, 0, true, why, sizeof(why)), 0);
	/* a reconnecting frontend: QEMU resumes at the used ring's index */
	assert_int_equal(tmmr_vdpa_check_base(2, 2, 2, false, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "starts at index 2"));
	assert_int_equal(tmmr_vdpa_check_base(2, 2, 2, true, why, sizeof(why)), 0);
	assert_int_equal(tmmr_vdpa_check_base(65535, 65535, 65535, true, why, sizeof(why)), 0);
	/* the VF would resume elsewhere than the frontend asks */
	assert_int_equal(tmmr_vdpa_check_base(3, 2, 2, true, why, sizeof(why)), -ENOTSUP);
	assert_int_equal(tmmr_vdpa_check_base(2, 2, 5, true, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "holds 5"));
	assert_int_equal(tmmr_vdpa_check_base(0, 2, 2, true, why, sizeof(why)), -ENOTSUP);
}

/* The VF's link from its net config status, as the vf_link_up stat reports it */
static void
test_link_decode(void **state)
{
	uint32_t no_status = OFFER & ~TMMR_BIT(TMMR_NET_F_STATUS);
	bool up;

	(void)state;
	assert_true(tmmr_has(OFFER, TMMR_NET_F_STATUS));
	up = true;
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, 0, &up), 0);
	assert_false(up);
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, TMMR_NET_S_LINK_UP, &up), 0);
	assert_true(up);
	/* an announcement pending is not the link */
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, TMMR_NET_S_ANNOUNCE, &up), 0);
	assert_false(up);
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, TMMR_NET_S_LINK_UP | TMMR_NET_S_ANNOUNCE,
					       &up), 0);
	assert_true(up);
	/* all-ones: the device does not answer, down whatever LINK_UP says */
	up = true;
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, UINT16_MAX, &up), -EIO);
	assert_false(up);
	/* reserved bits: reported, LINK_UP still read */
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, 0x8001, &up), -EINVAL);
	assert_true(up);
	assert_int_equal(tmmr_vdpa_link_decode(OFFER, 0x0100, &up), -EINVAL);
	assert_false(up);
	/* no STATUS offered: nothing to read, always up, whatever the register holds */
	up = false;
	assert_int_equal(tmmr_vdpa_link_decode(no_status, 0, &up), 0);
	assert_true(up);
	up = false;
	assert_int_equal(tmmr_vdpa_link_decode(no_status, UINT16_MAX, &up), 0);
	assert_true(up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_offer),
		cmocka_unit_test(test_vf_features),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_hva_to_gpa),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_link_decode),
		cmocka_unit_test(test_check_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
