/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* tmmr_relay: startup, the control thread, shutdown. */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

#define RELAY_CTRL_TICK_US 100000

struct relay relay_global;

static void
relay_signal(int sig)
{
	unsigned int lcore;

	RTE_SET_USED(sig);
	relay_global.quit = true;
	RTE_LCORE_FOREACH(lcore)
		relay_worker_wake(&relay_global.worker[lcore]);
}

static void *
relay_ctrl_main(void *arg)
{
	struct relay *r = arg;
	uint64_t hz = rte_get_timer_hz();
	uint64_t next_log = rte_get_timer_cycles() + hz * r->opt.stats_interval_s;
	unsigned int i;

	while (!r->quit) {
		for (i = 0; i < r->nb_pairs && !r->quit; i++)
			relay_port_control(r, &r->pair[i]);
		if (r->opt.stats_interval_s != 0 && rte_get_timer_cycles() >= next_log) {
			relay_stats_log(r, r->opt.stats_interval_s);
			next_log += hz * r->opt.stats_interval_s;
		}
		usleep(RELAY_CTRL_TICK_US);
	}
	return NULL;
}

static int
relay_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
relay_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tmmr_relay: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int
relay_assign_queues(struct relay *r, struct relay_pair *p, const struct relay_vf_opt *vf,
		unsigned int *load, bool workers_only)
{
	unsigned int q, lcore;

	for (q = 0; q < p->nb_queues; q++) {
		struct relay_queue *rq = &p->q[q];

		if (vf->nb_lcores > 0) {
			lcore = vf->lcores[q % vf->nb_lcores];
			if (!rte_lcore_is_enabled(lcore))
				return relay_fail("VF %s: lcore %u is not in the EAL lcore list",
					p->port_name, lcore);
		} else {
			unsigned int best = workers_only ? rte_get_next_lcore(-1, 1, 0) :
				rte_get_main_lcore();

			RTE_LCORE_FOREACH(lcore)
				if (load[lcore] < load[best] &&
				    (!workers_only || lcore != rte_get_main_lcore()))
					best = lcore;
			lcore = best;
		}
		load[lcore]++;
		rq->pair = p;
		rq->qid = q;
		rq->kick_fd = -1;
		rq->kick_src_fd = -1;
		rq->worker = &r->worker[lcore];
		rq->worker->queues[rq->worker->nb_queues++] = rq;
	}
	return 0;
}

/* Turn the options into pairs: port, socket path, the lcores of its queue pairs. */
static int
relay_build_pairs(struct relay *r)
{
	struct relay_options *o = &r->opt;
	unsigned int i, load[RTE_MAX_LCORE] = { 0 };
	char path[PATH_MAX];
	uint16_t port;

	if (o->nb_vfs == 0) {
		RTE_ETH_FOREACH_DEV(port) {
			if (o->nb_vfs == RELAY_MAX_PAIRS)
				break;
			snprintf(o->vf[o->nb_vfs].dev, sizeof(o->vf[0].dev), "%u", port);
			o->vf[o->nb_vfs].lcore = -1;
			o->vf[o->nb_vfs].queues = 1;
			o->nb_vfs++;
		}
		if (o->nb_vfs == 0)
			return relay_fail("no ethdev port was probed (give --vdev or -a)");
	}
	for (i = 0; i < o->nb_vfs; i++) {
		struct relay_pair *p = &r->pair[i];
		int n;

		memset(p, 0, sizeof(*p));
		p->index = i;
		p->vid = -1;
		p->nb_queues = RTE_MAX(o->vf[i].queues, 1u);
		p->mtu_wanted = o->vf[i].mtu;
		p->lro_wanted = o->vf[i].lro;
		if (relay_port_resolve(o->vf[i].dev, &p->port_id) < 0) {
			fprintf(stderr, "tmmr_relay: error: VF '%s' is not a probed port; ports:",
				o->vf[i].dev);
			RTE_ETH_FOREACH_DEV(port) {
				char name[RTE_ETH_NAME_MAX_LEN];

				rte_eth_dev_get_name_by_port(port, name);
				fprintf(stderr, " %u=%s", port, name);
			}
			fprintf(stderr, "\n");
			return -1;
		}
		rte_eth_dev_get_name_by_port(p->port_id, p->port_name);
		for (n = 0; n < (int)i; n++)
			if (r->pair[n].port_id == p->port_id)
				return relay_fail("port %u (%s) is given twice", p->port_id,
					p->port_name);
		/* built aside: options and pairs live in the same object */
		if (o->vf[i].socket[0] != '\0')
			n = snprintf(path, sizeof(path), "%s", o->vf[i].socket);
		else
			n = snprintf(path, sizeof(path), "%s/%s.sock", o->socket_dir,
				p->port_name);
		if (n >= 108)
			return relay_fail("socket path %s is longer than 107 bytes", path);
		memcpy(p->socket, path, n + 1);
		for (n = 0; n < (int)i; n++)
			if (strcmp(r->pair[n].socket, p->socket) == 0)
				return relay_fail("socket %s used for two VFs", p->socket);
		if (relay_assign_queues(r, p, &o->vf[i], load, false) < 0)
			return -1;
		r->nb_pairs++;
	}
	return 0;
}

static int
relay_run(struct relay *r)
{
	unsigned int i, lcore, nb_mbufs;
	pthread_t ctrl;
	int ret;

	RTE_LCORE_FOREACH(lcore) {
		r->worker[lcore].lcore_id = lcore;
		if (relay_worker_init(&r->worker[lcore]) < 0)
			return relay_fail("lcore %u: cannot create its epoll/eventfd", lcore);
		r->nb_workers++;
	}
	if (relay_build_pairs(r) < 0)
		return -1;

	/* per queue pair: Rx ring, Tx ring in flight, bursts in hand; per lcore: mempool cache */
	nb_mbufs = r->opt.nb_mbufs;
	if (nb_mbufs == 0) {
		unsigned int nb_queues = 0;

		for (i = 0; i < r->nb_pairs; i++)
			nb_queues += r->pair[i].nb_queues;
		nb_mbufs = RTE_MAX(8192u, nb_queues * (2048 + 4 * RELAY_BURST_MAX) +
			r->nb_workers * 512);
	}
	r->pool = rte_pktmbuf_pool_create("relay_mbufs", nb_mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (r->pool == NULL)
		return relay_fail("cannot create %u mbufs: %s (give EAL -m more memory)",
			nb_mbufs, rte_strerror(rte_errno));

	for (i = 0; i < r->nb_pairs; i++) {
		struct relay_pair *p = &r->pair[i];

		if (relay_port_setup(r, p) < 0)
			return relay_fail("VF %s cannot be started", p->port_name);
		p->vf_state = RELAY_VF_UP;
		p->vf_ready = true;
		p->epoch = 1;
		relay_port_register_events(p);
		relay_print_qemu_args(r, p);
		if (relay_port_link_start(r, p) < 0)
			return -1;
	}
	printf("guest memory must be shared, e.g.: -object memory-backend-memfd,id=mem,"
	       "size=512M,share=on -numa node,memdev=mem\n");
	fflush(stdout);
	if (relay_telemetry_init() < 0)
		RLOG(WARNING, "telemetry commands unavailable");

	ret = rte_ctrl_thread_create(&ctrl, "relay-ctrl", NULL, relay_ctrl_main, r);
	if (ret != 0)
		return relay_fail("cannot start the control thread: %s", strerror(ret));
	rte_eal_mp_remote_launch(relay_worker_main, r, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	r->quit = true;
	pthread_join(ctrl, NULL);
	return 0;
}

static void
relay_teardown(struct relay *r)
{
	unsigned int i, lcore;

	/* the lcores are gone: nothing waits for them any more */
	RTE_LCORE_FOREACH(lcore)
		__atomic_store_n(&r->worker[lcore].running, false, __ATOMIC_RELEASE);
	for (i = 0; i < r->nb_pairs; i++)
		relay_vhost_unregister(&r->pair[i]);
	for (i = 0; i < r->nb_pairs; i++)
		relay_port_close(&r->pair[i]);
	RTE_LCORE_FOREACH(lcore)
		relay_worker_fini(&r->worker[lcore]);
	rte_mempool_free(r->pool);
	r->pool = NULL;
}

int
main(int argc, char **argv)
{
	struct relay *r = &relay_global;
	char err[512];
	unsigned int lcore;
	int ret, consumed;

	/* --help before "--": EAL's options, then the relay's own */
	rte_set_application_usage_hook(relay_usage);
	consumed = rte_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "tmmr_relay: error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= consumed;
	argv += consumed;
	argv[0] = (char *)"tmmr_relay";
	if (relay_parse_args(argc, argv, &r->opt, err, sizeof(err)) < 0) {
		if (strcmp(err, "help") == 0) {
			relay_usage("tmmr_relay");
			rte_eal_cleanup();
			return 0;
		}
		fprintf(stderr, "tmmr_relay: error: %s (see --help)\n", err);
		rte_eal_cleanup();
		return 2;
	}
	RTE_LCORE_FOREACH(lcore)
		r->worker[lcore].wake_fd = r->worker[lcore].epfd = -1;
	signal(SIGINT, relay_signal);
	signal(SIGTERM, relay_signal);
	signal(SIGPIPE, SIG_IGN);

	if (r->opt.vdpa_mode) {
		ret = relay_vdpa_run(r);
		relay_vdpa_teardown(r);
	} else {
		ret = relay_run(r);
		relay_teardown(r);
	}
	RLOG(INFO, "stopped");
	rte_eal_cleanup();
	return ret < 0 ? 1 : 0;
}
