/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * --mode vdpa: each VF, probed with -a BDF,class=vdpa, is a vDPA device that
 * runs its guest's rings itself. The relay only serves one vhost-user socket
 * per VF with the device attached; no packet and no forwarding lcore passes
 * through it (the driver's kick relay thread forwards the guest's doorbells).
 *
 * --fallback copy: a guest the VF refuses (the driver's vf_guest_refused stat) is
 * dropped, the VF probed again as an ethdev and the socket reopened for the copy path
 * (relay_vhost.c, relay_fwd.c on the worker lcores); once that guest's connection
 * closes the VF is a vDPA device again.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>
#include <rte_vdpa.h>
#include <rte_vhost.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

#define RELAY_VDPA_TICK_US	100000
#define RELAY_VDPA_MAX_STATS	8

struct relay_vdpa_dev {
	char name[RTE_DEV_NAME_MAX_LEN];
	char socket[PATH_MAX];
	struct rte_vdpa_device *vdev;
	uint32_t nb_vrings;
	bool registered;
	int link_stat;			/* index of the driver's vf_link_up stat, -1: none */
	/* reflected unless --no-link-reflect, or the VF has no vf_link_up or no vf_resume */
	struct relay_link link;
	int vid;			/* atomic; -1: no guest */
	uint64_t guest_connects;	/* atomic */
	uint64_t guest_disconnects;	/* atomic */
	/* --fallback copy */
	int refused_stat;		/* index of vf_guest_refused, -1: no fallback */
	char vdpa_args[RTE_DEV_NAME_MAX_LEN + 256];	/* BDF,devargs as probed */
	char eth_args[RTE_DEV_NAME_MAX_LEN + 256];	/* the same without vDPA's */
	struct relay_pair *pair;	/* the copy path's */
	bool copy;			/* the VF is an ethdev serving the socket by copying */
	uint64_t conn_closes;		/* pair->conn_closes when the copy path began */
	uint64_t fallbacks;		/* atomic */
};

/* vdev of a VF changes at each switch: held by the switch and by telemetry */
static pthread_mutex_t relay_vdpa_lock = PTHREAD_MUTEX_INITIALIZER;

static struct relay_vdpa_dev relay_vdpa[RELAY_MAX_PAIRS];
static unsigned int relay_nb_vdpa;

static struct relay_vdpa_dev *
relay_vdpa_by_vid(int vid)
{
	char path[PATH_MAX];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return NULL;
	for (i = 0; i < relay_nb_vdpa; i++)
		if (strcmp(relay_vdpa[i].socket, path) == 0)
			return &relay_vdpa[i];
	return NULL;
}

static int
relay_vdpa_new_device(int vid)
{
	struct relay_vdpa_dev *d = relay_vdpa_by_vid(vid);
	uint64_t features = 0;

	if (d == NULL)
		return -1;
	rte_vhost_get_negotiated_features(vid, &features);
	__atomic_store_n(&d->vid, vid, __ATOMIC_RELEASE);
	__atomic_add_fetch(&d->guest_connects, 1, __ATOMIC_RELAXED);
	RLOG(INFO, "VF %s: guest connected on %s (vid %d, %s, features 0x%" PRIx64 ")",
		d->name, d->socket, vid,
		(features & (1ULL << VIRTIO_F_VERSION_1)) ? "modern" : "legacy", features);
	return 0;
}

static void
relay_vdpa_destroy_device(int vid)
{
	struct relay_vdpa_dev *d = relay_vdpa_by_vid(vid);

	if (d == NULL || __atomic_load_n(&d->vid, __ATOMIC_ACQUIRE) != vid)
		return;
	__atomic_store_n(&d->vid, -1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&d->guest_disconnects, 1, __ATOMIC_RELAXED);
	RLOG(INFO, "VF %s: guest disconnected from %s", d->name, d->socket);
}

static const struct rte_vhost_device_ops relay_vdpa_ops = {
	.new_device = relay_vdpa_new_device,
	.destroy_device = relay_vdpa_destroy_device,
};

/* Index of the driver's stat @name, -1 if it has none. */
static int
relay_vdpa_stat_index(const struct relay_vdpa_dev *d, const char *name)
{
	struct rte_vdpa_stat_name names[RELAY_VDPA_MAX_STATS];
	int n, i;

	n = rte_vdpa_get_stats_names(d->vdev, names, RELAY_VDPA_MAX_STATS);
	for (i = 0; i < RTE_MIN(n, RELAY_VDPA_MAX_STATS); i++)
		if (strcmp(names[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * Device-wide driver stats (vring 0's) in one read: val[k] gets the stat at idx[k], and
 * keeps what the caller put there (its default) when idx[k] < 0 or the driver has none or
 * fails. No read when no idx[k] names a stat.
 */
static void
relay_vdpa_stats_read(const struct relay_vdpa_dev *d, const int *idx, uint64_t *val,
		      unsigned int nb)
{
	struct rte_vdpa_stat st[RELAY_VDPA_MAX_STATS];
	unsigned int k;
	int n, i;

	for (k = 0; k < nb; k++)
		if (idx[k] >= 0)
			break;
	if (k == nb || d->vdev == NULL)
		return;
	n = rte_vdpa_get_stats(d->vdev, 0, st, RELAY_VDPA_MAX_STATS);
	for (k = 0; k < nb; k++) {
		if (idx[k] < 0)
			continue;
		for (i = 0; i < RTE_MIN(n, RELAY_VDPA_MAX_STATS); i++) {
			if (st[i].id == (uint64_t)idx[k]) {
				val[k] = st[i].value;
				break;
			}
		}
	}
}

/* A device-wide driver stat (vring 0's), or dflt when the driver has none or fails. */
static uint64_t
relay_vdpa_stat_read(const struct relay_vdpa_dev *d, int idx, uint64_t dflt)
{
	uint64_t val = dflt;

	relay_vdpa_stats_read(d, &idx, &val, 1);
	return val;
}

/* The VF's link from its driver's vf_link_up stat; as it was when unreadable. */
static bool
relay_vdpa_link_read(const struct relay_vdpa_dev *d)
{
	return relay_vdpa_stat_read(d, d->link_stat, d->link.up) != 0;
}

/* The VF's devargs as probed, and as an ethdev: without class=, modern=, resume=. */
static int
relay_vdpa_fallback_prepare(struct relay_vdpa_dev *d)
{
	const struct rte_devargs *da = rte_dev_devargs(rte_vdpa_get_rte_device(d->vdev));
	const char *args = da != NULL && da->args != NULL ? da->args : "";
	char copy[256], *kv, *save = NULL;
	size_t len;

	d->refused_stat = relay_vdpa_stat_index(d, "vf_guest_refused");
	if (d->refused_stat < 0) {
		fprintf(stderr, "tmmr_relay: error: VF %s: its vDPA driver reports no "
			"vf_guest_refused: --fallback copy cannot tell a refused guest\n", d->name);
		return -1;
	}
	if (strlen(args) >= sizeof(copy)) {
		fprintf(stderr, "tmmr_relay: error: VF %s: devargs too long\n", d->name);
		return -1;
	}
	snprintf(d->vdpa_args, sizeof(d->vdpa_args), "%s%s%s", d->name, args[0] ? "," : "",
		args);
	len = snprintf(d->eth_args, sizeof(d->eth_args), "%s", d->name);
	snprintf(copy, sizeof(copy), "%s", args);
	for (kv = strtok_r(copy, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
		if (strncmp(kv, "class=", 6) == 0 || strncmp(kv, "modern=", 7) == 0 ||
		    strncmp(kv, "resume=", 7) == 0)
			continue;
		len += snprintf(d->eth_args + len, sizeof(d->eth_args) - len, ",%s", kv);
	}
	return 0;
}

static int
relay_vdpa_add(struct relay *r, const char *name, const char *socket)
{
	struct relay_vdpa_dev *d = &relay_vdpa[relay_nb_vdpa];
	uint32_t pairs = 0;
	int n;

	memset(d, 0, sizeof(*d));
	d->vid = -1;
	d->vdev = rte_vdpa_find_device_by_name(name);
	if (d->vdev == NULL) {
		fprintf(stderr, "tmmr_relay: error: '%s' is not a vDPA device (probe it with "
			"-a %s,class=vdpa)\n", name, name);
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	if (socket[0] != '\0')
		n = snprintf(d->socket, sizeof(d->socket), "%s", socket);
	else
		n = snprintf(d->socket, sizeof(d->socket), "%s/%s.sock", r->opt.socket_dir, name);
	if (n >= 108) {
		fprintf(stderr, "tmmr_relay: error: socket path %s is longer than 107 bytes\n",
			d->socket);
		return -1;
	}
	if (rte_vdpa_get_queue_num(d->vdev, &pairs) != 0 || pairs == 0)
		pairs = 1;
	d->nb_vrings = 2 * pairs;
	d->link_stat = relay_vdpa_stat_index(d, "vf_link_up");
	relay_link_init(&d->link, &r->opt, r->opt.link_reflect);
	if (d->link.reflect && d->link_stat < 0) {
		RLOG(WARNING, "VF %s: its vDPA driver reports no vf_link_up: the link is not "
			"reflected", name);
		d->link.reflect = false;
	} else if (d->link.reflect &&
		   relay_vdpa_stat_read(d, relay_vdpa_stat_index(d, "vf_resume"), 0) == 0) {
		/* a guest dropped at link down comes back with its rings at a non-zero
		 * index, which a legacy VF cannot take: it would stay idle for good
		 */
		RLOG(WARNING, "VF %s: the link is not reflected: the VF does not resume rings "
			"(devarg resume=1 if it does), a guest dropped at link down could not "
			"come back", name);
		d->link.reflect = false;
	}
	d->refused_stat = -1;
	if (r->opt.fallback_copy && relay_vdpa_fallback_prepare(d) < 0)
		return -1;
	relay_nb_vdpa++;
	return 0;
}

/* Every vDPA device on the PCI bus, when no --vf names them. */
static int
relay_vdpa_add_all(struct relay *r)
{
	struct rte_dev_iterator it;
	struct rte_device *dev;

	RTE_DEV_FOREACH(dev, "bus=pci", &it) {
		if (relay_nb_vdpa == RELAY_MAX_PAIRS)
			break;
		if (rte_vdpa_find_device_by_name(rte_dev_name(dev)) == NULL)
			continue;
		if (relay_vdpa_add(r, rte_dev_name(dev), "") < 0)
			return -1;
	}
	if (relay_nb_vdpa == 0) {
		fprintf(stderr, "tmmr_relay: error: no vDPA device was probed "
			"(give -a BDF,class=vdpa)\n");
		return -1;
	}
	return 0;
}

/* The VF's socket, the vDPA device attached; undone on failure. */
static int
relay_vdpa_open(struct relay *r, struct relay_vdpa_dev *d)
{
	uint64_t flags = r->opt.client_mode ? RTE_VHOST_USER_CLIENT : 0;

	if (d->registered)
		return 0;
	if (!r->opt.client_mode)
		relay_remove_stale_socket(d->socket);
	if (rte_vhost_driver_register(d->socket, flags) < 0) {
		RLOG(ERR, "VF %s: cannot register vhost-user socket %s", d->name, d->socket);
		return -1;
	}
	if (rte_vhost_driver_callback_register(d->socket, &relay_vdpa_ops) < 0 ||
	    rte_vhost_driver_attach_vdpa_device(d->socket, d->vdev) < 0 ||
	    relay_vhost_start(r, d->name, d->socket) < 0) {
		RLOG(ERR, "VF %s: cannot attach the vDPA device to %s and start it", d->name,
			d->socket);
		rte_vhost_driver_unregister(d->socket);
		return -1;
	}
	d->registered = true;
	RLOG(INFO, "VF %s: vDPA, vhost-user %s %s", d->name,
		r->opt.client_mode ? "client connecting to" : "server listening on", d->socket);
	return 0;
}

/* Closes the socket: a guest is dropped, the driver's dev_close runs before it returns. */
static void
relay_vdpa_close(struct relay_vdpa_dev *d)
{
	relay_vhost_close(d->name, d->socket, &d->registered);
}

static int
relay_vdpa_start(struct relay *r, struct relay_vdpa_dev *d)
{
	int n = (int)(d - relay_vdpa);

	if (relay_link_start(&d->link, relay_vdpa_link_read(d), d->name, d->socket) &&
	    relay_vdpa_open(r, d) < 0)
		return -1;
	printf("VF %d %s vDPA socket %s\n"
	       "  qemu: -chardev socket,id=relay%d,path=%s%s -netdev vhost-user,id=relaynet%d,"
	       "chardev=relay%d -device virtio-net-pci,netdev=relaynet%d,disable-modern=on,"
	       "vectors=0\n"
	       "  the guest's rings must have the VF's size (the driver's probe line): QEMU's "
	       "default is 256, else add rx_queue_size=N,tx_queue_size=N\n",
	       n, d->name, d->socket, n, d->socket,
	       r->opt.client_mode ? ",server=on,wait=off" : ",reconnect=1", n, n, n);
	fflush(stdout);
	return 0;
}

/* The VF, an ethdev or none, probed as the vDPA device again; false if it is lost. */
static bool
relay_vdpa_reprobe(struct relay_vdpa_dev *d)
{
	struct rte_vdpa_device *vdev = NULL;

	if (rte_dev_probe(d->vdpa_args) == 0)
		vdev = rte_vdpa_find_device_by_name(d->name);
	pthread_mutex_lock(&relay_vdpa_lock);
	d->vdev = vdev;
	pthread_mutex_unlock(&relay_vdpa_lock);
	if (vdev == NULL) {
		RLOG(ERR, "VF %s: cannot probe %s as a vDPA device again: the VF is lost",
			d->name, d->vdpa_args);
		return false;
	}
	d->copy = false;
	return true;
}

/* The ethdev of a copy path stopped and removed (its guest is gone). */
static void
relay_vdpa_eth_remove(struct relay_pair *p)
{
	struct rte_eth_dev_info info;

	relay_pair_set_ready(p, &p->vf_ready, false);
	if (p->vf_state == RELAY_VF_REMOVED)
		return;
	p->vf_state = RELAY_VF_REMOVED;
	relay_port_unregister_events(p);
	rte_eth_dev_stop(p->port_id);
	if (rte_eth_dev_info_get(p->port_id, &info) == 0)
		rte_dev_remove(info.device);
}

/*
 * The VF refused its guest: drop it, remove the vDPA device, probe the VF as an ethdev and
 * serve the socket by copying. QEMU (reconnect=1) comes back to the copy path: its guest sees
 * the link go down and up once. Back to vDPA as it was on any failure.
 */
static void
relay_vdpa_to_copy(struct relay *r, struct relay_vdpa_dev *d)
{
	struct relay_pair *p = d->pair;
	bool eth_up = false;
	int ret;

	RLOG(NOTICE, "VF %s: the VF refused its guest: switching to the copy path "
		"(--fallback copy)", d->name);
	relay_vdpa_close(d);
	pthread_mutex_lock(&relay_vdpa_lock);
	ret = rte_dev_remove(rte_vdpa_get_rte_device(d->vdev));
	if (ret == 0)
		d->vdev = NULL;
	pthread_mutex_unlock(&relay_vdpa_lock);
	if (ret < 0) {
		RLOG(ERR, "VF %s: cannot remove the vDPA device (%s): no fallback for it",
			d->name, strerror(-ret));
		goto fail;
	}
	ret = rte_dev_probe(d->eth_args);
	if (ret < 0 || rte_eth_dev_get_port_by_name(d->name, &p->port_id) != 0) {
		RLOG(ERR, "VF %s: cannot probe %s as an ethdev (%s): no fallback for it",
			d->name, d->eth_args, strerror(-ret));
		goto fail;
	}
	rte_eth_dev_get_name_by_port(p->port_id, p->port_name);
	p->remove_pending = p->reset_pending = false;
	p->vf_state = RELAY_VF_UP;
	eth_up = true;
	if (relay_port_setup(r, p) < 0) {
		RLOG(ERR, "VF %s: cannot start the ethdev: no fallback for it", d->name);
		goto fail;
	}
	relay_port_register_events(p);
	d->conn_closes = __atomic_load_n(&p->conn_closes, __ATOMIC_ACQUIRE);
	d->copy = true;
	__atomic_add_fetch(&d->fallbacks, 1, __ATOMIC_RELAXED);
	relay_pair_set_ready(p, &p->vf_ready, true);
	relay_port_link_start(r, p);
	RLOG(NOTICE, "VF %s: served by the copy path (port %u) until its guest leaves",
		d->name, p->port_id);
	return;

fail:
	/* undo as far as it went: the ethdev, then the vDPA device (NULL once removed) */
	d->refused_stat = -1;
	if (eth_up)
		relay_vdpa_eth_remove(p);
	if (d->vdev == NULL)
		relay_vdpa_reprobe(d);
}

/* The copy path's guest left: the VF is a vDPA device again for the next guest. */
static void
relay_vdpa_from_copy(struct relay *r, struct relay_vdpa_dev *d)
{
	struct relay_pair *p = d->pair;

	relay_vhost_unregister(p);
	relay_vdpa_eth_remove(p);
	if (!relay_vdpa_reprobe(d))
		return;
	RLOG(NOTICE, "VF %s: the copy path's guest left: the VF is a vDPA device again",
		d->name);
	if (relay_link_start(&d->link, relay_vdpa_link_read(d), d->name, d->socket))
		relay_vdpa_open(r, d);
}

/* The control tick's link step: the socket follows the VF's link as in copy mode. */
static void
relay_vdpa_control(struct relay *r, struct relay_vdpa_dev *d)
{
	struct relay_pair *p = d->pair;
	/* one read a tick: vf_link_up (as it was when unreadable), vf_guest_refused (0) */
	int idx[2] = { d->link_stat, d->refused_stat };
	uint64_t val[2] = { d->link.up, 0 };

	if (d->copy) {
		relay_port_control(r, p);
		if (__atomic_load_n(&p->conn_closes, __ATOMIC_ACQUIRE) != d->conn_closes &&
		    __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) < 0)
			relay_vdpa_from_copy(r, d);
		return;
	}
	if (d->vdev == NULL)
		return;
	relay_vdpa_stats_read(d, idx, val, RTE_DIM(idx));
	if (!relay_link_follow(&d->link, d->name, val[0] != 0, relay_now_ms()))
		relay_vdpa_close(d);
	else if (!d->registered)
		relay_vdpa_open(r, d);
	if (d->registered && val[1] != 0)
		relay_vdpa_to_copy(r, d);
}

/* --fallback copy: the copy path's pair of each VF, its queues on the worker lcores (the
 * main one runs the control tick), idle until the VF is an ethdev.
 */
static int
relay_vdpa_fallback_init(struct relay *r)
{
	struct relay_vf_opt auto_vf = { .lcore = -1 };
	unsigned int i, lcore, load[RTE_MAX_LCORE] = { 0 }, nb_mbufs = r->opt.nb_mbufs;
	uint32_t pairs;

	if (rte_lcore_count() < 2) {
		fprintf(stderr, "tmmr_relay: error: --fallback copy needs a worker lcore for "
			"the copy path (EAL -l with two lcores or more, e.g. -l 0,1)\n");
		return -1;
	}
	RTE_LCORE_FOREACH(lcore) {
		r->worker[lcore].lcore_id = lcore;
		if (relay_worker_init(&r->worker[lcore]) < 0) {
			fprintf(stderr, "tmmr_relay: error: lcore %u: cannot create its "
				"epoll/eventfd\n", lcore);
			return -1;
		}
		r->nb_workers++;
	}
	for (i = 0; i < relay_nb_vdpa; i++) {
		struct relay_vdpa_dev *d = &relay_vdpa[i];
		struct relay_pair *p = &r->pair[i];

		memset(p, 0, sizeof(*p));
		p->index = i;
		p->vid = -1;
		p->vf_state = RELAY_VF_REMOVED;
		p->epoch = 1;
		pairs = d->nb_vrings / 2;
		p->nb_queues = RTE_MIN(pairs, (uint32_t)RELAY_MAX_QUEUES);
		/* the guest may have acked GUEST_TSO4/6 from the vDPA device, and QEMU
		 * drops a reconnection whose backend lacks a feature its guest acked: the
		 * copy path offers what the VF offered, so it takes LRO where it can
		 */
		p->lro_wanted = true;
		rte_strscpy(p->port_name, d->name, sizeof(p->port_name));
		memcpy(p->socket, d->socket, sizeof(p->socket));
		if (relay_assign_queues(r, p, &auto_vf, load, true) < 0)
			return -1;
		d->pair = p;
		r->nb_pairs++;
	}
	if (nb_mbufs == 0)
		nb_mbufs = RTE_MAX(8192u, r->nb_pairs * RELAY_MAX_QUEUES *
			(2048 + 4 * RELAY_BURST_MAX) / 4 + r->nb_workers * 512);
	r->pool = rte_pktmbuf_pool_create("relay_mbufs", nb_mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (r->pool == NULL) {
		fprintf(stderr, "tmmr_relay: error: cannot create %u mbufs for the copy path: "
			"%s (give EAL -m more memory)\n", nb_mbufs, rte_strerror(rte_errno));
		return -1;
	}
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(relay_worker_main, r, lcore);
	return 0;
}

/* Each vring's driver counters summed, by name; the device-wide ones (vf_*) as vring 0 says. */
static unsigned int
relay_vdpa_stats(const struct relay_vdpa_dev *d, struct rte_vdpa_stat_name *names,
		 uint64_t *sum)
{
	struct rte_vdpa_stat st[RELAY_VDPA_MAX_STATS];
	int n, k, i;
	uint32_t q;

	if (d->vdev == NULL)
		return 0;
	n = rte_vdpa_get_stats_names(d->vdev, names, RELAY_VDPA_MAX_STATS);
	if (n <= 0)
		return 0;
	n = RTE_MIN(n, RELAY_VDPA_MAX_STATS);
	memset(sum, 0, sizeof(*sum) * n);
	for (q = 0; q < d->nb_vrings; q++) {
		k = rte_vdpa_get_stats(d->vdev, q, st, n);
		for (i = 0; i < RTE_MIN(k, n); i++)
			if (st[i].id < (uint64_t)n && (q == 0 ||
			    strncmp(names[st[i].id].name, "vf_", 3) != 0))
				sum[st[i].id] += st[i].value;
	}
	return n;
}

static void
relay_vdpa_dict(struct rte_tel_data *t, const struct relay_vdpa_dev *d)
{
	struct rte_vdpa_stat_name names[RELAY_VDPA_MAX_STATS];
	uint64_t sum[RELAY_VDPA_MAX_STATS];
	unsigned int i, n = relay_vdpa_stats(d, names, sum);
	int vid = __atomic_load_n(&d->vid, __ATOMIC_ACQUIRE);
	struct relay_counters c;

	if (d->copy)
		vid = __atomic_load_n(&d->pair->vid, __ATOMIC_ACQUIRE);
	rte_tel_data_start_dict(t);
	rte_tel_data_add_dict_string(t, "mode", "vdpa");
	rte_tel_data_add_dict_string(t, "path", d->copy ? "copy" : "vdpa");
	rte_tel_data_add_dict_u64(t, "fallbacks",
		__atomic_load_n(&d->fallbacks, __ATOMIC_RELAXED));
	if (d->copy) {
		relay_pair_totals(d->pair, &c);
		rte_tel_data_add_dict_u64(t, "guest_tx_pkts", c.guest_tx_pkts);
		rte_tel_data_add_dict_u64(t, "vf_tx_pkts", c.vf_tx_pkts);
		rte_tel_data_add_dict_u64(t, "vf_rx_pkts", c.vf_rx_pkts);
		rte_tel_data_add_dict_u64(t, "guest_rx_pkts", c.guest_rx_pkts);
	}
	rte_tel_data_add_dict_string(t, "vf", d->name);
	rte_tel_data_add_dict_string(t, "socket", d->socket);
	rte_tel_data_add_dict_string(t, "guest", vid >= 0 ? "connected" : "none");
	rte_tel_data_add_dict_int(t, "vid", vid);
	rte_tel_data_add_dict_u64(t, "guest_connects",
		__atomic_load_n(&d->guest_connects, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(t, "guest_disconnects",
		__atomic_load_n(&d->guest_disconnects, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_string(t, "socket_state",
		d->registered || (d->copy && d->pair->vhost_registered) ? "open" : "closed");
	rte_tel_data_add_dict_u64(t, "link_changes",
		__atomic_load_n(&d->link.changes, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(t, "link_blips",
		__atomic_load_n(&d->link.blips, __ATOMIC_RELAXED));
	for (i = 0; i < n; i++)
		rte_tel_data_add_dict_u64(t, names[i].name, sum[i]);
}

static void
relay_vdpa_fill(struct rte_tel_data *t, unsigned int i)
{
	relay_vdpa_dict(t, &relay_vdpa[i]);
}

/* /tmmr_relay/stats[,N]: as the copy relay's, one dictionary per VF */
static int
relay_vdpa_tel_stats(const char *cmd, const char *params, struct rte_tel_data *t)
{
	int ret;

	RTE_SET_USED(cmd);
	pthread_mutex_lock(&relay_vdpa_lock);
	ret = relay_tel_by_index(params, t, relay_nb_vdpa, relay_vdpa_fill);
	pthread_mutex_unlock(&relay_vdpa_lock);
	return ret;
}

static int
relay_vdpa_tel_pairs(const char *cmd, const char *params, struct rte_tel_data *t)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_array(t, RTE_TEL_STRING_VAL);
	for (i = 0; i < relay_nb_vdpa; i++)
		rte_tel_data_add_array_string(t, relay_vdpa[i].name);
	return 0;
}

static void
relay_vdpa_log(void)
{
	struct rte_vdpa_stat_name names[RELAY_VDPA_MAX_STATS];
	uint64_t sum[RELAY_VDPA_MAX_STATS];
	char line[256];
	unsigned int i, k, n;
	int len;

	for (i = 0; i < relay_nb_vdpa; i++) {
		n = relay_vdpa_stats(&relay_vdpa[i], names, sum);
		len = 0;
		for (k = 0; k < n && len < (int)sizeof(line); k++)
			len += snprintf(line + len, sizeof(line) - len, " %s %" PRIu64,
				names[k].name, sum[k]);
		RLOG(INFO, "vdpa %u %s path=%s guest=%s link_changes=%" PRIu64 " |%s", i,
			relay_vdpa[i].name, relay_vdpa[i].copy ? "copy" : "vdpa",
			__atomic_load_n(relay_vdpa[i].copy ? &relay_vdpa[i].pair->vid :
			&relay_vdpa[i].vid, __ATOMIC_RELAXED) >= 0 ? "connected" : "none",
			__atomic_load_n(&relay_vdpa[i].link.changes, __ATOMIC_RELAXED), line);
	}
}

int
relay_vdpa_run(struct relay *r)
{
	uint64_t hz = rte_get_timer_hz();
	uint64_t next_log = rte_get_timer_cycles() + hz * r->opt.stats_interval_s;
	unsigned int i;

	relay_nb_vdpa = 0;
	if (r->opt.nb_vfs == 0) {
		if (relay_vdpa_add_all(r) < 0)
			return -1;
	} else {
		for (i = 0; i < r->opt.nb_vfs; i++)
			if (relay_vdpa_add(r, r->opt.vf[i].dev, r->opt.vf[i].socket) < 0)
				return -1;
	}
	if (r->opt.fallback_copy && relay_vdpa_fallback_init(r) < 0)
		return -1;
	for (i = 0; i < relay_nb_vdpa; i++)
		if (relay_vdpa_start(r, &relay_vdpa[i]) < 0)
			return -1;
	printf("guest memory must be shared, e.g.: -object memory-backend-memfd,id=mem,"
	       "size=512M,share=on -numa node,memdev=mem\n");
	fflush(stdout);
	if (rte_telemetry_register_cmd("/tmmr_relay/stats", relay_vdpa_tel_stats,
			"Per VF counters (vDPA mode). Parameters: int VF index (optional)") < 0 ||
	    rte_telemetry_register_cmd("/tmmr_relay/pairs", relay_vdpa_tel_pairs,
			"VF device names, by index. Takes no parameters") < 0)
		RLOG(WARNING, "telemetry commands unavailable");
	/* nothing to forward: the main lcore only logs until told to stop */
	while (!r->quit) {
		usleep(RELAY_VDPA_TICK_US);
		for (i = 0; i < relay_nb_vdpa && !r->quit; i++)
			relay_vdpa_control(r, &relay_vdpa[i]);
		if (r->opt.stats_interval_s != 0 && rte_get_timer_cycles() >= next_log) {
			relay_vdpa_log();
			next_log += hz * r->opt.stats_interval_s;
		}
	}
	return 0;
}

void
relay_vdpa_teardown(struct relay *r)
{
	unsigned int i, lcore;

	/* closes each connection: the driver's dev_close runs before it returns */
	for (i = 0; i < relay_nb_vdpa; i++)
		relay_vdpa_close(&relay_vdpa[i]);
	if (!r->opt.fallback_copy)
		return;
	r->quit = true;
	RTE_LCORE_FOREACH_WORKER(lcore)
		relay_worker_wake(&r->worker[lcore]);
	rte_eal_mp_wait_lcore();
	RTE_LCORE_FOREACH(lcore)
		__atomic_store_n(&r->worker[lcore].running, false, __ATOMIC_RELEASE);
	for (i = 0; i < r->nb_pairs; i++) {
		relay_vhost_unregister(&r->pair[i]);
		relay_port_close(&r->pair[i]);
	}
	RTE_LCORE_FOREACH(lcore)
		relay_worker_fini(&r->worker[lcore]);
	rte_mempool_free(r->pool);
	r->pool = NULL;
}
