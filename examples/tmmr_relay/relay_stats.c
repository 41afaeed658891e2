/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Per-pair counters: telemetry commands and the periodic log line. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_telemetry.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

#define RD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static const char *
relay_vf_state_name(const struct relay_pair *p)
{
	switch (p->vf_state) {
	case RELAY_VF_UP:
		return p->link_up ? "up" : "link-down";
	case RELAY_VF_DOWN:
		return "down";
	default:
		return "removed";
	}
}

static void
relay_pair_dict(struct rte_tel_data *d, const struct relay_pair *p)
{
	const struct relay_counters *c = &p->cnt;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port_id", p->port_id);
	rte_tel_data_add_dict_string(d, "vf", p->port_name);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_string(d, "socket", p->socket);
	rte_tel_data_add_dict_string(d, "vf_state", relay_vf_state_name(p));
	rte_tel_data_add_dict_int(d, "guest_connected", RD(p->guest_ready));
	rte_tel_data_add_dict_u64(d, "guest_features", RD(p->guest_features));
	rte_tel_data_add_dict_int(d, "lcore", p->worker != NULL ? (int)p->worker->lcore_id : -1);
	rte_tel_data_add_dict_int(d, "vf_rx_intr", p->vf_rx_intr);
	rte_tel_data_add_dict_u64(d, "guest_tx_pkts", RD(c->guest_tx_pkts));
	rte_tel_data_add_dict_u64(d, "vf_tx_pkts", RD(c->vf_tx_pkts));
	rte_tel_data_add_dict_u64(d, "vf_tx_drops", RD(c->vf_tx_drops));
	rte_tel_data_add_dict_u64(d, "vf_rx_pkts", RD(c->vf_rx_pkts));
	rte_tel_data_add_dict_u64(d, "guest_rx_pkts", RD(c->guest_rx_pkts));
	rte_tel_data_add_dict_u64(d, "guest_rx_drops", RD(c->guest_rx_drops));
	rte_tel_data_add_dict_u64(d, "offload_drops", RD(c->offload_drops));
	rte_tel_data_add_dict_u64(d, "sw_cksums", RD(c->sw_cksums));
	rte_tel_data_add_dict_u64(d, "wakeups", RD(c->wakeups));
	rte_tel_data_add_dict_u64(d, "guest_connects", RD(c->guest_connects));
	rte_tel_data_add_dict_u64(d, "guest_disconnects", RD(c->guest_disconnects));
	rte_tel_data_add_dict_u64(d, "vf_resets", RD(c->vf_resets));
	rte_tel_data_add_dict_u64(d, "link_changes", RD(c->link_changes));
}

static int
relay_parse_index(const char *params, unsigned int n, unsigned int *idx)
{
	char *end;
	unsigned long v;

	if (params == NULL || params[0] < '0' || params[0] > '9')
		return -1;
	v = strtoul(params, &end, 10);
	if (*end != '\0' || v >= n)
		return -1;
	*idx = v;
	return 0;
}

int
relay_tel_by_index(const char *params, struct rte_tel_data *d, unsigned int n,
		   void (*fill)(struct rte_tel_data *d, unsigned int i))
{
	unsigned int i;
	char key[16];

	if (params != NULL && params[0] != '\0') {
		if (relay_parse_index(params, n, &i) < 0)
			return -1;
		fill(d, i);
		return 0;
	}
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -1;
		fill(c, i);
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static void
relay_pair_fill(struct rte_tel_data *d, unsigned int i)
{
	relay_pair_dict(d, &relay_global.pair[i]);
}

/* /tmmr_relay/stats[,N]: all pairs keyed by index, or pair N alone */
static int
relay_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	return relay_tel_by_index(params, d, relay_global.nb_pairs, relay_pair_fill);
}

static int
relay_tel_pairs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < relay_global.nb_pairs; i++)
		rte_tel_data_add_array_string(d, relay_global.pair[i].port_name);
	return 0;
}

int
relay_telemetry_init(void)
{
	if (rte_telemetry_register_cmd("/tmmr_relay/stats", relay_tel_stats,
			"Per VF/guest pair counters. Parameters: int pair index (optional)") < 0 ||
	    rte_telemetry_register_cmd("/tmmr_relay/pairs", relay_tel_pairs,
			"VF device names, by pair index. Takes no parameters") < 0)
		return -1;
	return 0;
}

void
relay_stats_log(const struct relay *r, double interval_s)
{
	static uint64_t last_g2v[RELAY_MAX_PAIRS], last_v2g[RELAY_MAX_PAIRS];
	unsigned int i;

	for (i = 0; i < r->nb_pairs; i++) {
		const struct relay_pair *p = &r->pair[i];
		uint64_t g2v = RD(p->cnt.vf_tx_pkts), v2g = RD(p->cnt.guest_rx_pkts);

		RLOG(INFO, "pair %u %s vf=%s guest=%s | guest->vf %" PRIu64 " pkts %.0f pps, "
			"drops %" PRIu64 " | vf->guest %" PRIu64 " pkts %.0f pps, drops %" PRIu64
			" | offload drops %" PRIu64 " resets %" PRIu64,
			i, p->port_name, relay_vf_state_name(p),
			RD(p->guest_ready) ? "connected" : "none",
			g2v, (g2v - last_g2v[i]) / interval_s, RD(p->cnt.vf_tx_drops),
			v2g, (v2g - last_v2g[i]) / interval_s, RD(p->cnt.guest_rx_drops),
			RD(p->cnt.offload_drops), RD(p->cnt.vf_resets));
		last_g2v[i] = g2v;
		last_v2g[i] = v2g;
	}
}
