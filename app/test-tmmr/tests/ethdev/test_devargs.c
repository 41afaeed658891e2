/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Devargs of net_virtio_tmmr: every key, good and bad values. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tmmr_devargs.h"

static void
test_defaults(void **state)
{
	struct tmmr_devargs da;

	(void)state;
	assert_int_equal(tmmr_devargs_parse(NULL, &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_AUTO);
	assert_true(da.event_idx && da.indirect && da.any_layout);
	assert_true(da.csum && da.tso);
	assert_false(da.has_mac);
	assert_int_equal(da.queue_size, 0);
	assert_int_equal(da.lsc_poll_ms, TMMR_LSC_POLL_MS_DEFAULT);
	assert_int_equal(tmmr_devargs_parse("", &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_AUTO);
}

static void
test_bools(void **state)
{
	struct tmmr_devargs da;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=0,event_idx=0,indirect=0,any_layout=0,"
					    "csum=0,tso=0", &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_OFF);
	assert_false(da.event_idx || da.indirect || da.any_layout || da.csum || da.tso);
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=1,tso=1", &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_ON);
	assert_true(da.tso);
}

/* mrg_rxbuf takes auto besides 0 and 1; 0 and 1 end the automatic choice */
static void
test_mrg_rxbuf_auto(void **state)
{
	struct tmmr_devargs da;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=1,mrg_rxbuf=auto", &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_AUTO);
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=0", &da), 0);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_OFF);
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=Auto", &da), -EINVAL);
	assert_int_equal(tmmr_devargs_parse("mrg_rxbuf=", &da), -EINVAL);
	assert_int_equal(da.mrg_rxbuf, TMMR_MRG_AUTO);
}

static void
test_bad_bools(void **state)
{
	static const char *const bad[] = {
		"mrg_rxbuf=2", "event_idx=yes", "indirect=", "any_layout=01", "csum=-1",
		"tso=true", "csum= 1", "tso",
	};
	struct tmmr_devargs da;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tmmr_devargs_parse(bad[i], &da), -EINVAL);
		/* a failed parse leaves the defaults */
		assert_int_equal(da.mrg_rxbuf, TMMR_MRG_AUTO);
		assert_true(da.csum && da.tso);
	}
}

static void
test_queue_size(void **state)
{
	static const char *const bad[] = {
		"queue_size=0", "queue_size=1", "queue_size=3", "queue_size=65536",
		"queue_size=65535", "queue_size=x", "queue_size=256k", "queue_size=-256",
		"queue_size=99999999999999999999", "queue_size=",
	};
	struct tmmr_devargs da;
	unsigned int i;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("queue_size=256", &da), 0);
	assert_int_equal(da.queue_size, 256);
	assert_int_equal(tmmr_devargs_parse("queue_size=2", &da), 0);
	assert_int_equal(da.queue_size, 2);
	assert_int_equal(tmmr_devargs_parse("queue_size=32768", &da), 0);
	assert_int_equal(da.queue_size, 32768);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tmmr_devargs_parse(bad[i], &da), -EINVAL);
}

static void
test_mac(void **state)
{
	static const char *const bad[] = {
		"mac=00:00:00:00:00:00", "mac=01:02:03:04:05:06", "mac=ff:ff:ff:ff:ff:ff",
		"mac=02:00:00:00:00", "mac=02:00:00:00:00:0g", "mac=0200.0000.0001",
		"mac=0200:0000:0001", "mac=02:00:00:00:00:01:02", "mac=",
	};
	struct tmmr_devargs da;
	unsigned int i;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("mac=02:11:22:33:44:5f", &da), 0);
	assert_true(da.has_mac);
	assert_int_equal(da.mac.addr_bytes[0], 0x02);
	assert_int_equal(da.mac.addr_bytes[5], 0x5f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tmmr_devargs_parse(bad[i], &da), -EINVAL);
		assert_false(da.has_mac);
	}
}

static void
test_lsc_poll(void **state)
{
	static const char *const bad[] = {
		"lsc_poll_ms=1", "lsc_poll_ms=9", "lsc_poll_ms=60001", "lsc_poll_ms=abc",
		"lsc_poll_ms=4294967296", "lsc_poll_ms=+50",
	};
	struct tmmr_devargs da;
	unsigned int i;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("lsc_poll_ms=0", &da), 0);
	assert_int_equal(da.lsc_poll_ms, 0);
	assert_int_equal(tmmr_devargs_parse("lsc_poll_ms=10", &da), 0);
	assert_int_equal(da.lsc_poll_ms, 10);
	assert_int_equal(tmmr_devargs_parse("lsc_poll_ms=60000", &da), 0);
	assert_int_equal(da.lsc_poll_ms, 60000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tmmr_devargs_parse(bad[i], &da), -EINVAL);
}

static void
test_unknown_and_malformed(void **state)
{
	struct tmmr_devargs da;

	(void)state;
	assert_int_equal(tmmr_devargs_parse("bogus=1", &da), -EINVAL);
	assert_int_equal(tmmr_devargs_parse("csum=0,bogus=1", &da), -EINVAL);
	/* nothing of a rejected string is applied */
	assert_true(da.csum);
	assert_int_equal(tmmr_devargs_parse("queue_size=256,csum=0,mac=02:00:00:00:00:01,"
					    "lsc_poll_ms=500", &da), 0);
	assert_int_equal(da.queue_size, 256);
	assert_false(da.csum);
	assert_true(da.has_mac);
	assert_int_equal(da.lsc_poll_ms, 500);
}

static void
test_class(void **state)
{
	static const char *const bad[] = {
		"class=", "class=crypto", "class=VDPA", "class=vdpa,modern=2", "modern=yes",
		"class=vdpa,resume=", "resume=on",
	};
	struct tmmr_devargs da;
	unsigned int i;

	(void)state;
	assert_int_equal(tmmr_devargs_parse(NULL, &da), 0);
	assert_false(da.vdpa || da.modern || da.resume);
	assert_int_equal(tmmr_devargs_parse("class=vdpa", &da), 0);
	assert_true(da.vdpa);
	assert_false(da.modern);
	assert_int_equal(tmmr_devargs_parse("class=vdpa,modern=1", &da), 0);
	assert_true(da.vdpa && da.modern);
	assert_false(da.resume);
	assert_int_equal(tmmr_devargs_parse("class=vdpa,resume=1", &da), 0);
	assert_true(da.vdpa && da.resume);
	assert_int_equal(tmmr_devargs_parse("class=eth", &da), 0);
	assert_false(da.vdpa);
	assert_int_equal(tmmr_devargs_parse("class=net", &da), 0);
	assert_false(da.vdpa);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tmmr_devargs_parse(bad[i], &da), -EINVAL);
		assert_false(da.vdpa);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_mrg_rxbuf_auto),
		cmocka_unit_test(test_bad_bools),
		cmocka_unit_test(test_queue_size),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_lsc_poll),
		cmocka_unit_test(test_unknown_and_malformed),
		cmocka_unit_test(test_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
