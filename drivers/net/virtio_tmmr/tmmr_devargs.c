/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>

#include "tmmr_devargs.h"
#include "tmmr_logs.h"

static const char *const tmmr_valid_keys[] = {
	TMMR_DEVARG_MRG_RXBUF,
	TMMR_DEVARG_EVENT_IDX,
	TMMR_DEVARG_INDIRECT,
	TMMR_DEVARG_ANY_LAYOUT,
	TMMR_DEVARG_CSUM,
	TMMR_DEVARG_TSO,
	TMMR_DEVARG_QUEUE_SIZE,
	TMMR_DEVARG_MAC,
	TMMR_DEVARG_LSC_POLL_MS,
	TMMR_DEVARG_CLASS,
	TMMR_DEVARG_MODERN,
	TMMR_DEVARG_RESUME,
	NULL,
};

void
tmmr_devargs_default(struct tmmr_devargs *da)
{
	memset(da, 0, sizeof(*da));
	da->mrg_rxbuf = TMMR_MRG_AUTO;
	da->event_idx = true;
	da->indirect = true;
	da->any_layout = true;
	da->csum = true;
	da->tso = true;
	da->lsc_poll_ms = TMMR_LSC_POLL_MS_DEFAULT;
}

/* Strict decimal: digits only, no sign, no spaces, no overflow. */
static int
tmmr_parse_u32(const char *value, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (value == NULL || value[0] < '0' || value[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
tmmr_kv_bool(const char *key, const char *value, void *opaque)
{
	bool *flag = opaque;

	if (value != NULL && strcmp(value, "0") == 0) {
		*flag = false;
	} else if (value != NULL && strcmp(value, "1") == 0) {
		*flag = true;
	} else {
		PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: 0 or 1)",
			    key, value != NULL ? value : "");
		return -EINVAL;
	}
	return 0;
}

/* mrg_rxbuf: 0, 1 (whenever offered) or auto (when the offloads need it) */
static int
tmmr_kv_mrg(const char *key, const char *value, void *opaque)
{
	struct tmmr_devargs *da = opaque;

	if (value != NULL && strcmp(value, "auto") == 0) {
		da->mrg_rxbuf = TMMR_MRG_AUTO;
		return 0;
	}
	if (value != NULL && (strcmp(value, "0") == 0 || strcmp(value, "1") == 0)) {
		da->mrg_rxbuf = value[0] == '1' ? TMMR_MRG_ON : TMMR_MRG_OFF;
		return 0;
	}
	PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: 0, 1 or auto)",
		    key, value != NULL ? value : "");
	return -EINVAL;
}

static int
tmmr_kv_queue_size(const char *key, const char *value, void *opaque)
{
	uint16_t *size = opaque;
	uint32_t v;

	if (tmmr_parse_u32(value, &v) != 0 || v < 2 || v > TMMR_QUEUE_SIZE_MAX ||
	    !rte_is_power_of_2(v)) {
		PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: a power of 2 from 2 to %u)",
			    key, value != NULL ? value : "", TMMR_QUEUE_SIZE_MAX);
		return -EINVAL;
	}
	*size = (uint16_t)v;
	return 0;
}

static int
tmmr_kv_lsc_poll(const char *key, const char *value, void *opaque)
{
	uint32_t *ms = opaque;
	uint32_t v;

	if (tmmr_parse_u32(value, &v) != 0 ||
	    (v != 0 && (v < TMMR_LSC_POLL_MS_MIN || v > TMMR_LSC_POLL_MS_MAX))) {
		PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: 0 to disable, or %u..%u)",
			    key, value != NULL ? value : "", TMMR_LSC_POLL_MS_MIN,
			    TMMR_LSC_POLL_MS_MAX);
		return -EINVAL;
	}
	*ms = v;
	return 0;
}

static int
tmmr_kv_mac(const char *key, const char *value, void *opaque)
{
	struct tmmr_devargs *da = opaque;
	struct rte_ether_addr mac;

	/* rte_ether_unformat_addr also takes the xxxx:xxxx:xxxx form; insist on one */
	if (value == NULL || strlen(value) != RTE_ETHER_ADDR_FMT_SIZE - 1 ||
	    rte_ether_unformat_addr(value, &mac) != 0) {
		PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: xx:xx:xx:xx:xx:xx)",
			    key, value != NULL ? value : "");
		return -EINVAL;
	}
	if (!rte_is_valid_assigned_ether_addr(&mac)) {
		PMD_DRV_LOG(ERR, "devarg %s: '%s' is not a unicast, non-zero address",
			    key, value);
		return -EINVAL;
	}
	da->mac = mac;
	da->has_mac = true;
	return 0;
}

/* DPDK's device class convention (mlx5, ifc): eth (the default) or vdpa */
static int
tmmr_kv_class(const char *key, const char *value, void *opaque)
{
	bool *vdpa = opaque;

	if (value != NULL && strcmp(value, "vdpa") == 0) {
		*vdpa = true;
	} else if (value != NULL && (strcmp(value, "eth") == 0 || strcmp(value, "net") == 0)) {
		*vdpa = false;
	} else {
		PMD_DRV_LOG(ERR, "devarg %s: invalid value '%s' (allowed: eth or vdpa)",
			    key, value != NULL ? value : "");
		return -EINVAL;
	}
	return 0;
}

int
tmmr_devargs_parse(const char *args, struct tmmr_devargs *da)
{
	struct rte_kvargs *kvlist;
	struct tmmr_devargs tmp;
	int ret = 0;

	tmmr_devargs_default(da);
	if (args == NULL || args[0] == '\0')
		return 0;

	kvlist = rte_kvargs_parse(args, tmmr_valid_keys);
	if (kvlist == NULL) {
		PMD_DRV_LOG(ERR, "cannot parse devargs '%s' (malformed, or an unknown key); allowed: %s",
			    args, TMMR_DEVARGS_HELP);
		return -EINVAL;
	}

	tmp = *da;
	if (rte_kvargs_process(kvlist, TMMR_DEVARG_MRG_RXBUF, tmmr_kv_mrg, &tmp) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_EVENT_IDX, tmmr_kv_bool, &tmp.event_idx) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_INDIRECT, tmmr_kv_bool, &tmp.indirect) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_ANY_LAYOUT, tmmr_kv_bool, &tmp.any_layout) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_CSUM, tmmr_kv_bool, &tmp.csum) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_TSO, tmmr_kv_bool, &tmp.tso) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_QUEUE_SIZE, tmmr_kv_queue_size,
			       &tmp.queue_size) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_MAC, tmmr_kv_mac, &tmp) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_LSC_POLL_MS, tmmr_kv_lsc_poll,
			       &tmp.lsc_poll_ms) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_CLASS, tmmr_kv_class, &tmp.vdpa) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_MODERN, tmmr_kv_bool, &tmp.modern) ||
	    rte_kvargs_process(kvlist, TMMR_DEVARG_RESUME, tmmr_kv_bool, &tmp.resume))
		ret = -EINVAL;
	else
		*da = tmp;

	rte_kvargs_free(kvlist);
	return ret;
}
