/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_DEVARGS_H
#define TMMR_DEVARGS_H

/*
 * Device arguments of net_virtio_tmmr ("-a <bdf>,key=value,..."). Every key is
 * validated; a bad value fails the probe with a message naming the key and
 * what it accepts. Documented in doc/guides/nics/virtio_tmmr.rst.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#define TMMR_DEVARG_MRG_RXBUF	"mrg_rxbuf"
#define TMMR_DEVARG_EVENT_IDX	"event_idx"
#define TMMR_DEVARG_INDIRECT	"indirect"
#define TMMR_DEVARG_ANY_LAYOUT	"any_layout"
#define TMMR_DEVARG_CSUM	"csum"
#define TMMR_DEVARG_TSO		"tso"
#define TMMR_DEVARG_QUEUE_SIZE	"queue_size"
#define TMMR_DEVARG_MAC		"mac"
#define TMMR_DEVARG_LSC_POLL_MS	"lsc_poll_ms"
#define TMMR_DEVARG_CLASS	"class"
#define TMMR_DEVARG_MODERN	"modern"
#define TMMR_DEVARG_RESUME	"resume"

#define TMMR_DEVARGS_HELP \
	TMMR_DEVARG_MRG_RXBUF "=0|1|auto " \
	TMMR_DEVARG_EVENT_IDX "=0|1 " \
	TMMR_DEVARG_INDIRECT "=0|1 " \
	TMMR_DEVARG_ANY_LAYOUT "=0|1 " \
	TMMR_DEVARG_CSUM "=0|1 " \
	TMMR_DEVARG_TSO "=0|1 " \
	TMMR_DEVARG_QUEUE_SIZE "=<power of 2, 2..32768> " \
	TMMR_DEVARG_MAC "=<xx:xx:xx:xx:xx:xx> " \
	TMMR_DEVARG_LSC_POLL_MS "=<0 or 10..60000> " \
	TMMR_DEVARG_CLASS "=eth|vdpa " \
	TMMR_DEVARG_MODERN "=0|1 " \
	TMMR_DEVARG_RESUME "=0|1"

#define TMMR_LSC_POLL_MS_DEFAULT	100
#define TMMR_LSC_POLL_MS_MIN		10
#define TMMR_LSC_POLL_MS_MAX		60000
#define TMMR_QUEUE_SIZE_MAX		32768

/* mrg_rxbuf=0, 1 (whenever offered) or auto (the default: only when the application asks
 * for scattered Rx or LRO)
 */
enum tmmr_mrg_mode {
	TMMR_MRG_OFF,
	TMMR_MRG_ON,
	TMMR_MRG_AUTO,
};

struct tmmr_devargs {
	enum tmmr_mrg_mode mrg_rxbuf;
	/* feature switches: false = never negotiate, true = use if offered */
	bool event_idx;
	bool indirect;
	bool any_layout;
	bool csum;		/* CSUM, GUEST_CSUM and everything needing them */
	bool tso;		/* HOST_TSO4/6, GUEST_TSO4/6 */
	uint16_t queue_size;	/* 0: accept the device's size; else it must match */
	bool has_mac;
	struct rte_ether_addr mac;
	uint32_t lsc_poll_ms;	/* 0: no polling */
	bool vdpa;		/* class=vdpa: a vDPA device, not an ethdev */
	bool modern;		/* vDPA: offer VERSION_1 to legacy-laid-out guests */
	bool resume;		/* vDPA: the VF resumes a ring at its used index */
};

/* Defaults: everything the device offers, no MAC override, 100 ms polling. */
void tmmr_devargs_default(struct tmmr_devargs *da);

/*
 * Parse @args (may be NULL or empty) over the defaults. 0, or -EINVAL with
 * the reason logged; @da is then left at the defaults.
 */
int tmmr_devargs_parse(const char *args, struct tmmr_devargs *da);

#endif /* TMMR_DEVARGS_H */
