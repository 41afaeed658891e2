/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Per-pair counters: telemetry commands and the periodic log line. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
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
		return p->link.up ? "up" : "link-down";
	case RELAY_VF_DOWN:
		return "down";
	default:
		return "removed";
	}
}

/* The pair's traffic counters (the sum over its queue pairs) and its event counters. */
void
relay_pair_totals(const struct relay_pair *p, struct relay_counters *sum)
{
	uint16_t i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < p->nb_queues; i++) {
		const struct relay_counters *c = &p->q[i].cnt;

		sum->guest_tx_pkts += RD(c->guest_tx_pkts);
		sum->vf_tx_pkts += RD(c->vf_tx_pkts);
		sum->vf_tx_drops += RD(c->vf_tx_drops);
		sum->vf_rx_pkts += RD(c->vf_rx_pkts);
		sum->guest_rx_pkts += RD(c->guest_rx_pkts);
		sum->guest_rx_drops += RD(c->guest_rx_drops);
		sum->offload_drops += RD(c->offload_drops);
		sum->sw_cksums += RD(c->sw_cksums);
		sum->wakeups += RD(c->wakeups);
	}
	sum->guest_connects = RD(p->cnt.guest_connects);
	sum->guest_disconnects = RD(p->cnt.guest_disconnects);
	sum->vf_resets = RD(p->cnt.vf_resets);
	sum->link_changes = RD(p->link.changes);
	sum->link_blips = RD(p->link.blips);
}

/* qN_KEY: queue pair N's lcore, whether the guest enabled it, and its traffic */
static void
relay_queue_keys(struct rte_tel_data *d, const struct relay_queue *q)
{
	char key[32];

#define RELAY_QKEY(k) (snprintf(key, sizeof(key), "q%u_%s", q->qid, k), key)
	rte_tel_data_add_dict_int(d, RELAY_QKEY("lcore"),
		q->worker != NULL ? (int)q->worker->lcore_id : -1);
	rte_tel_data_add_dict_int(d, RELAY_QKEY("active"), RD(q->active));
	rte_tel_data_add_dict_u64(d, RELAY_QKEY("guest_tx_pkts"), RD(q->cnt.guest_tx_pkts));
	rte_tel_data_add_dict_u64(d, RELAY_QKEY("vf_tx_pkts"), RD(q->cnt.vf_tx_pkts));
	rte_tel_data_add_dict_u64(d, RELAY_QKEY("vf_rx_pkts"), RD(q->cnt.vf_rx_pkts));
	rte_tel_data_add_dict_u64(d, RELAY_QKEY("guest_rx_pkts"), RD(q->cnt.guest_rx_pkts));
#undef RELAY_QKEY
}

static void
relay_pair_dict(struct rte_tel_data *d, const struct relay_pair *p)
{
	struct relay_counters sum, *c = &sum;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	uint16_t i;

	relay_pair_totals(p, &sum);

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port_id", p->port_id);
	rte_tel_data_add_dict_string(d, "vf", p->port_name);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_string(d, "socket", p->socket);
	rte_tel_data_add_dict_string(d, "vf_state", relay_vf_state_name(p));
	rte_tel_data_add_dict_int(d, "guest_connected", RD(p->guest_ready));
	rte_tel_data_add_dict_u64(d, "guest_features", RD(p->guest_features));
	rte_tel_data_add_dict_int(d, "lcore",
		p->q[0].worker != NULL ? (int)p->q[0].worker->lcore_id : -1);
	rte_tel_data_add_dict_int(d, "queues", p->nb_queues);
	rte_tel_data_add_dict_int(d, "mtu", p->mtu);
	rte_tel_data_add_dict_int(d, "vf_rx_intr", p->vf_rx_intr);
	rte_tel_data_add_dict_u64(d, "vf_rx_offloads", p->vf_rx_offloads);
	rte_tel_data_add_dict_u64(d, "vf_tx_offloads", p->vf_tx_offloads);
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
	rte_tel_data_add_dict_u64(d, "link_blips", RD(c->link_blips));
	for (i = 0; i < p->nb_queues; i++)
		relay_queue_keys(d, &p->q[i]);
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

/* /tmmr_relay/lcores: per forwarding lcore N, lN_busy_cycles and lN_busy_iterations (the
 * iterations that forwarded), lN_cycles (since its loop began), lN_iterations, lN_sleeps;
 * tsc_hz
 */
static int
relay_tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct relay *r = &relay_global;
	uint64_t now = rte_rdtsc();
	unsigned int i;
	char key[32];

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct relay_worker *w = &r->worker[i];

		if (w->nb_queues == 0 || !__atomic_load_n(&w->running, __ATOMIC_ACQUIRE))
			continue;
#define RELAY_LKEY(k) (snprintf(key, sizeof(key), "l%u_%s", i, k), key)
		rte_tel_data_add_dict_u64(d, RELAY_LKEY("busy_cycles"), RD(w->busy_cycles));
		rte_tel_data_add_dict_u64(d, RELAY_LKEY("busy_iterations"), RD(w->busy_iterations));
		rte_tel_data_add_dict_u64(d, RELAY_LKEY("cycles"), now - w->start_tsc);
		rte_tel_data_add_dict_u64(d, RELAY_LKEY("iterations"), RD(w->iterations));
		rte_tel_data_add_dict_u64(d, RELAY_LKEY("sleeps"), RD(w->sleeps));
#undef RELAY_LKEY
	}
	return 0;
}

int
relay_telemetry_init(void)
{
	if (rte_telemetry_register_cmd("/tmmr_relay/stats", relay_tel_stats,
			"Per VF/guest pair counters. Parameters: int pair index (optional)") < 0 ||
	    rte_telemetry_register_cmd("/tmmr_relay/pairs", relay_tel_pairs,
			"VF device names, by pair index. Takes no parameters") < 0 ||
	    rte_telemetry_register_cmd("/tmmr_relay/lcores", relay_tel_lcores,
			"Forwarding lcores' busy and total TSC cycles. Takes no parameters") < 0)
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
		struct relay_counters c;
		uint64_t g2v, v2g;

		relay_pair_totals(p, &c);
		g2v = c.vf_tx_pkts;
		v2g = c.guest_rx_pkts;

		RLOG(INFO, "pair %u %s vf=%s guest=%s | guest->vf %" PRIu64 " pkts %.0f pps, "
			"drops %" PRIu64 " | vf->guest %" PRIu64 " pkts %.0f pps, drops %" PRIu64
			" | offload drops %" PRIu64 " resets %" PRIu64,
			i, p->port_name, relay_vf_state_name(p),
			RD(p->guest_ready) ? "connected" : "none",
			g2v, (g2v - last_g2v[i]) / interval_s, c.vf_tx_drops,
			v2g, (v2g - last_v2g[i]) / interval_s, c.guest_rx_drops,
			c.offload_drops, c.vf_resets);
		last_g2v[i] = g2v;
		last_v2g[i] = v2g;
	}
}
