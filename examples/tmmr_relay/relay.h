/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_RELAY_H
#define TMMR_RELAY_H

/*
 * tmmr_relay: re-exports each VF ethdev port to a guest as a vhost-user virtio-net device.
 * A VF/guest pair has one or more queue pairs: guest queue pair i <-> VF queue pair i.
 *
 * Threads:
 *  - forwarding lcores (every EAL lcore, the main one included) each own a list of queue
 *    pairs, possibly of several VFs; the queue pairs of one VF may sit on several lcores;
 *  - the vhost-user event thread of librte_vhost calls the device callbacks;
 *  - a control thread handles link polling, VF reset/removal, the periodic log line;
 *  - the telemetry thread reads the counters.
 * Only the owning forwarding lcore touches a queue pair; the other threads change a pair's
 * state by clearing a readiness flag, bumping the pair epoch and waiting until every lcore
 * owning one of its queue pairs has run one full loop iteration (relay_worker_quiesce()).
 */

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>

#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define RELAY_MAX_PAIRS RTE_MAX_ETHPORTS
#define RELAY_MAX_QUEUES 8	/* queue pairs per VF (guest pair i <-> VF queue pair i) */
#define RELAY_BURST_MAX 64
#define RELAY_GUEST_RXQ 0	/* vhost queue the relay enqueues to (guest Rx), of pair 0 */
#define RELAY_GUEST_TXQ 1	/* vhost queue the relay dequeues from (guest Tx), of pair 0 */
/* vhost queue indexes of guest queue pair q */
#define RELAY_GUEST_RXQ_OF(q) (2 * (q) + RELAY_GUEST_RXQ)
#define RELAY_GUEST_TXQ_OF(q) (2 * (q) + RELAY_GUEST_TXQ)
#define RELAY_MTU_MIN 68
#define RELAY_MTU_MAX 65535

#define RELAY_SOCKET_MODE	0600	/* owner-only unless --socket-mode widens it */

struct relay_options {
	unsigned int nb_vfs;
	struct relay_vf_opt {
		char dev[RTE_ETH_NAME_MAX_LEN];	/* port id or device name as given */
		char socket[PATH_MAX];		/* empty: derived from socket_dir */
		int lcore;			/* -1: automatic, else lcores[0] */
		unsigned int nb_lcores;		/* lcore=A[:B...]: queue pair q on lcores[q % n] */
		unsigned int lcores[RELAY_MAX_QUEUES];
		unsigned int queues;		/* queue pairs, 1..RELAY_MAX_QUEUES */
		unsigned int mtu;		/* 0: the VF's default MTU */
		bool lro;			/* lro=1: ask the VF for LRO */
	} vf[RELAY_MAX_PAIRS];
	char socket_dir[PATH_MAX];
	bool client_mode;
	bool link_reflect;
	unsigned int link_hold_ms;	/* a shorter link down is not reflected */
	unsigned int stats_interval_s;	/* 0: no periodic log line */
	unsigned int burst;
	unsigned int busy_poll_us;	/* busy-poll window before sleeping */
	unsigned int nb_mbufs;		/* 0: computed */
	unsigned int socket_mode;	/* of the vhost-user sockets the relay creates */
	bool vdpa_mode;			/* --mode vdpa: the VFs run the guests' rings */
	bool fallback_copy;		/* --fallback copy: a refused guest served by copying */
};

/* Per-pair counters: written only by the forwarding lcore (or, for the event counters, by the
 * control thread), read by anyone with relaxed loads.
 */
struct relay_counters {
	uint64_t guest_tx_pkts;		/* dequeued from the guest */
	uint64_t vf_tx_pkts;		/* accepted by the VF */
	uint64_t vf_tx_drops;		/* VF Tx queue full or VF not ready */
	uint64_t vf_rx_pkts;		/* received from the VF */
	uint64_t guest_rx_pkts;		/* enqueued to the guest */
	uint64_t guest_rx_drops;	/* guest Rx ring full or guest not connected */
	uint64_t offload_drops;		/* offload the peer did not negotiate */
	uint64_t sw_cksums;		/* checksums completed in software */
	uint64_t wakeups;		/* times the lcore woke up for this pair */
	uint64_t guest_connects;
	uint64_t guest_disconnects;
	uint64_t vf_resets;
	uint64_t link_changes;
	uint64_t link_blips;
};

/* A VF's link as the control tick reflects it to the guest (relay_link.c). */
struct relay_link {
	bool reflect;			/* the socket follows the link */
	unsigned int hold_ms;		/* a shorter down is not reflected */
	bool up;			/* as reflected: the VF's socket is open while up */
	bool down_pending;		/* a down not reflected yet, first read at down_since_ms */
	uint64_t down_since_ms;
	uint64_t changes;		/* atomic: changes reflected */
	uint64_t blips;			/* atomic: downs shorter than link_hold_ms */
};

enum relay_vf_state {
	RELAY_VF_DOWN,		/* configured but not forwarding (link down, resetting) */
	RELAY_VF_UP,
	RELAY_VF_REMOVED,	/* unplugged: never used again */
};

struct relay_worker;
struct relay_pair;

/* One queue pair of a VF/guest pair: VF queue pair qid <-> guest queue pair qid. */
struct relay_queue {
	struct relay_pair *pair;
	uint16_t qid;
	struct relay_worker *worker;

	/* owned by the forwarding lcore (active also read by telemetry) */
	uint32_t seen_epoch;
	bool active;			/* guest connected and this guest pair enabled */
	bool rx_intr_added;
	bool notify_on;			/* guest kicks / VF interrupts armed for a sleep */
	int kick_src_fd;		/* vhost's kick fd number we duplicated */
	int kick_fd;			/* our dup of the guest Tx kick fd, -1: none */
	struct rte_epoll_event kick_ev;

	struct relay_counters cnt;	/* traffic counters of this queue pair */
};

struct relay_pair {
	unsigned int index;
	uint16_t port_id;
	char port_name[RTE_ETH_NAME_MAX_LEN];
	struct rte_ether_addr mac;
	char socket[PATH_MAX];
	uint16_t nb_queues;		/* queue pairs of the VF and of the guest, at most */
	uint16_t mtu_wanted;		/* 0: leave the VF's default */
	bool lro_wanted;		/* ask the VF for LRO (and scattered Rx) */
	uint16_t mtu;			/* the VF's MTU once configured */
	struct relay_queue q[RELAY_MAX_QUEUES];

	/* what the VF can do, decided at configuration time */
	uint64_t vf_rx_offloads;
	uint64_t vf_tx_offloads;
	bool vf_rx_intr;	/* VF Rx interrupts usable: sleep on them */

	/* state shared across threads (atomics) */
	int vid;			/* -1: no guest */
	bool guest_ready;		/* forwarding lcore may use vid */
	bool vf_ready;			/* forwarding lcore may use port */
	uint32_t epoch;			/* bumped on any readiness change */
	bool vhost_registered;
	uint64_t guest_features;	/* negotiated by the current guest */
	uint64_t vring_ready;		/* bit n: vhost vring n is ready (enabled) */
	enum relay_vf_state vf_state;
	struct relay_link link;
	bool reset_pending;		/* set by the ethdev event callback */
	bool remove_pending;
	uint64_t conn_closes;		/* atomic: vhost-user connections closed */

	struct relay_counters cnt;	/* events; traffic is counted per queue pair */
};

#define RELAY_WORKER_MAX_QUEUES (RELAY_MAX_PAIRS * RELAY_MAX_QUEUES)

struct relay_worker {
	unsigned int lcore_id;
	unsigned int nb_queues;
	struct relay_queue *queues[RELAY_WORKER_MAX_QUEUES];
	int epfd;
	int wake_fd;			/* eventfd: other threads wake a sleeping lcore */
	struct rte_epoll_event wake_ev;
	uint64_t iterations;		/* atomic: completed loop iterations */
	bool running;			/* atomic */
	bool sleeping;			/* atomic */
	uint64_t sleeps;
	uint64_t start_tsc;		/* when the loop began */
	uint64_t busy_cycles;		/* atomic: TSC cycles of the iterations that forwarded */
	uint64_t busy_iterations;	/* atomic: iterations that forwarded */
};

struct relay {
	struct relay_options opt;
	unsigned int nb_pairs;
	struct relay_pair pair[RELAY_MAX_PAIRS];
	unsigned int nb_workers;
	struct relay_worker worker[RTE_MAX_LCORE];
	struct rte_mempool *pool;
	volatile bool quit;
};

extern struct relay relay_global;

/* relay_config.c */
int relay_parse_args(int argc, char **argv, struct relay_options *opt, char *err, size_t errlen);
void relay_usage(const char *prog);

/* relay_port.c */
int relay_port_resolve(const char *dev, uint16_t *port_id);
int relay_port_setup(struct relay *r, struct relay_pair *p);
void relay_port_register_events(struct relay_pair *p);
void relay_port_unregister_events(struct relay_pair *p);
void relay_port_control(struct relay *r, struct relay_pair *p);
void relay_port_close(struct relay_pair *p);
/* The pair's link as its port reads now; its socket registered unless the link keeps it
 * closed. -1 if the socket could not be registered.
 */
int relay_port_link_start(struct relay *r, struct relay_pair *p);

/* relay_link.c */
/* @l's socket follows the link if @reflect, with opt's hold time. */
void relay_link_init(struct relay_link *l, const struct relay_options *opt, bool reflect);
/*
 * @l as VF @vf's link reads @up when its socket @path may open (at start, after a switch of
 * mode): true if it should open now, else logs that it waits for the link.
 */
bool relay_link_start(struct relay_link *l, bool up, const char *vf, const char *path);
/*
 * The control step of both modes for VF @vf whose link reads @up at @now_ms: a change of @l
 * is counted and logged once a down has lasted l->hold_ms (a shorter one is counted as a
 * blip). True if the VF's vhost-user socket should be open (link up, or reflection off).
 */
bool relay_link_follow(struct relay_link *l, const char *vf, bool up, uint64_t now_ms);
/* Milliseconds of the TSC, for relay_link_follow(). */
uint64_t relay_now_ms(void);

/* relay_vhost.c */
int relay_vhost_register(struct relay *r, struct relay_pair *p);
/* rte_vhost_driver_start on @path (registered), the socket owner-only unless --socket-mode */
int relay_vhost_start(const struct relay *r, const char *vf, const char *path);
void relay_vhost_unregister(struct relay_pair *p);
/* Unregisters socket @path of VF @vf if *@registered, and clears it. */
void relay_vhost_close(const char *vf, const char *path, bool *registered);
void relay_print_qemu_args(const struct relay *r, const struct relay_pair *p);
void relay_remove_stale_socket(const char *path);

/* relay_fwd.c */
int relay_worker_init(struct relay_worker *w);
void relay_worker_fini(struct relay_worker *w);
int relay_worker_main(void *arg);
void relay_worker_wake(struct relay_worker *w);
void relay_worker_quiesce(struct relay_worker *w);
void relay_pair_set_ready(struct relay_pair *p, bool *flag, bool ready);
void relay_pair_wake(struct relay_pair *p);

/* relay_offload.c */
uint16_t relay_offload_from_guest(struct rte_mbuf **pkts, uint16_t n, uint64_t vf_tx_offloads,
		struct relay_counters *cnt);
uint16_t relay_offload_to_guest(struct rte_mbuf **pkts, uint16_t n, uint64_t guest_features,
		struct relay_counters *cnt);
uint64_t relay_guest_features_to_disable(uint64_t vf_rx_offloads, uint64_t vf_tx_offloads);

/* relay_main.c */
/* Queue pair q of pair @p on vf->lcores[q % n] if given, else on the least loaded lcore by
 * @load (the main one only if !@workers_only).
 */
int relay_assign_queues(struct relay *r, struct relay_pair *p, const struct relay_vf_opt *vf,
		unsigned int *load, bool workers_only);

/* relay_vdpa.c: --mode vdpa, a vDPA device per --vf, no forwarding lcores */
int relay_vdpa_run(struct relay *r);
void relay_vdpa_teardown(struct relay *r);

/* relay_stats.c */
int relay_telemetry_init(void);
void relay_stats_log(const struct relay *r, double interval_s);
void relay_pair_totals(const struct relay_pair *p, struct relay_counters *sum);
struct rte_tel_data;
/* A telemetry answer: with "N" in @params the dictionary @fill makes of item N (< @n), without
 * one a dictionary of them all keyed by index. 0, or -1 for a bad index.
 */
int relay_tel_by_index(const char *params, struct rte_tel_data *d, unsigned int n,
		void (*fill)(struct rte_tel_data *d, unsigned int i));

#endif /* TMMR_RELAY_H */
