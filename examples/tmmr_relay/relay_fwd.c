/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Forwarding lcores. Each polls its queue pairs in bursts; after busy_poll_us without a packet
 * it arms guest kicks (vhost guest notification on the guest Tx rings) and VF Rx interrupts,
 * polls once more to close the race, and sleeps in rte_epoll_wait() on the kick fds, the VF Rx
 * interrupt fds and its own wake eventfd. A pair whose VF has no Rx interrupt makes the lcore
 * sleep 1 ms at a time instead. A guest queue pair the guest has not enabled is not polled.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <rte_cycles.h>
#include <rte_atomic.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_vhost.h>

#include "relay.h"

#define RELAY_SAFETY_SLEEP_MS 1000	/* bound on a sleep, should a wake-up ever be lost */
#define RELAY_POLL_SLEEP_MS 1		/* sleep of a lcore serving a VF without Rx interrupts */
#define RELAY_TX_RETRIES 4

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

static inline void
relay_cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static void
relay_drain_eventfd(int fd, void *arg)
{
	uint64_t v;

	RTE_SET_USED(arg);
	/* non-blocking eventfds: one read clears the counter */
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		RLOG(DEBUG, "eventfd %d read: %s", fd, strerror(errno));
}

int
relay_worker_init(struct relay_worker *w)
{
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd < 0) {
		int ret = -errno;

		close(w->epfd);
		w->epfd = -1;
		return ret;
	}
	memset(&w->wake_ev, 0, sizeof(w->wake_ev));
	w->wake_ev.epdata.event = EPOLLIN;
	w->wake_ev.epdata.cb_fun = relay_drain_eventfd;
	if (rte_epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &w->wake_ev) < 0) {
		close(w->wake_fd);
		close(w->epfd);
		w->wake_fd = w->epfd = -1;
		return -EIO;
	}
	return 0;
}

void
relay_worker_fini(struct relay_worker *w)
{
	if (w->wake_fd >= 0) {
		rte_epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->wake_fd, &w->wake_ev);
		close(w->wake_fd);
		w->wake_fd = -1;
	}
	if (w->epfd >= 0) {
		close(w->epfd);
		w->epfd = -1;
	}
}

void
relay_worker_wake(struct relay_worker *w)
{
	uint64_t one = 1;

	/* async-signal-safe: also called from the signal handler */
	if (w->wake_fd >= 0 && write(w->wake_fd, &one, sizeof(one)) < 0)
		return;
}

void
relay_worker_quiesce(struct relay_worker *w)
{
	uint64_t target;

	if (w == NULL)
		return;
	/* the iteration under way may have read the old state: wait for the one after it */
	target = __atomic_load_n(&w->iterations, __ATOMIC_ACQUIRE) + 2;
	while (__atomic_load_n(&w->running, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&w->iterations, __ATOMIC_ACQUIRE) < target) {
		relay_worker_wake(w);
		usleep(50);
	}
}

void
relay_pair_set_ready(struct relay_pair *p, bool *flag, bool ready)
{
	uint16_t i;

	__atomic_store_n(flag, ready, __ATOMIC_RELEASE);
	__atomic_add_fetch(&p->epoch, 1, __ATOMIC_RELEASE);
	for (i = 0; i < p->nb_queues; i++) {
		/* queue pairs on one lcore: one wait is enough */
		if (i > 0 && p->q[i].worker == p->q[i - 1].worker)
			continue;
		if (ready)
			relay_worker_wake(p->q[i].worker);
		else
			relay_worker_quiesce(p->q[i].worker);
	}
}

/* Make every lcore of the pair re-read its state (no waiting: vhost callbacks call this). */
void
relay_pair_wake(struct relay_pair *p)
{
	uint16_t i;

	__atomic_add_fetch(&p->epoch, 1, __ATOMIC_RELEASE);
	for (i = 0; i < p->nb_queues; i++)
		relay_worker_wake(p->q[i].worker);
}

static void
relay_kick_release(struct relay_worker *w, struct relay_queue *q)
{
	if (q->kick_fd < 0)
		return;
	rte_epoll_ctl(w->epfd, EPOLL_CTL_DEL, q->kick_fd, &q->kick_ev);
	close(q->kick_fd);
	q->kick_fd = -1;
	q->kick_src_fd = -1;
}

/* Follow the guest Tx ring's kick fd; our own dup keeps the fd number ours while registered. */
static void
relay_kick_refresh(struct relay_worker *w, struct relay_queue *q, int vid)
{
	struct rte_vhost_vring vring;
	int fd;

	if (rte_vhost_get_vhost_vring(vid, RELAY_GUEST_TXQ_OF(q->qid), &vring) < 0 ||
	    vring.kickfd < 0) {
		relay_kick_release(w, q);
		return;
	}
	if (q->kick_fd >= 0 && vring.kickfd == q->kick_src_fd)
		return;
	relay_kick_release(w, q);
	fd = fcntl(vring.kickfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&q->kick_ev, 0, sizeof(q->kick_ev));
	q->kick_ev.epdata.event = EPOLLIN;
	q->kick_ev.epdata.data = q;
	q->kick_ev.epdata.cb_fun = relay_drain_eventfd;
	if (rte_epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &q->kick_ev) < 0) {
		close(fd);
		return;
	}
	q->kick_fd = fd;
	q->kick_src_fd = vring.kickfd;
}

/* Guest queue pair qid is usable: pair 0 once the guest is ready, the others once the guest
 * enabled both of their vrings (MQ: VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET through QEMU).
 */
static bool
relay_queue_guest_enabled(const struct relay_pair *p, uint16_t qid)
{
	uint64_t both = 3ULL << (2 * qid);

	if (!__atomic_load_n(&p->guest_ready, __ATOMIC_ACQUIRE))
		return false;
	return qid == 0 || (__atomic_load_n(&p->vring_ready, __ATOMIC_ACQUIRE) & both) == both;
}

/* Apply a readiness change seen through the pair epoch (this lcore only). */
static void
relay_queue_sync(struct relay_worker *w, struct relay_queue *q)
{
	struct relay_pair *p = q->pair;
	uint32_t epoch = __atomic_load_n(&p->epoch, __ATOMIC_ACQUIRE);
	bool vf_ready, active;
	int ret;

	if (epoch == q->seen_epoch)
		return;
	q->seen_epoch = epoch;
	vf_ready = __atomic_load_n(&p->vf_ready, __ATOMIC_ACQUIRE);
	active = relay_queue_guest_enabled(p, q->qid);

	if (!vf_ready && q->rx_intr_added) {
		rte_eth_dev_rx_intr_ctl_q(p->port_id, q->qid, w->epfd, RTE_INTR_EVENT_DEL, q);
		q->rx_intr_added = false;
	}
	if (vf_ready && !q->rx_intr_added && p->vf_rx_intr) {
		ret = rte_eth_dev_rx_intr_ctl_q(p->port_id, q->qid, w->epfd, RTE_INTR_EVENT_ADD,
			q);
		if (ret < 0) {
			p->vf_rx_intr = false;
			RLOG(WARNING, "VF %s: Rx interrupt unusable (%s): idle lcore %u polls "
				"with %d ms sleeps", p->port_name, strerror(-ret), w->lcore_id,
				RELAY_POLL_SLEEP_MS);
		} else {
			q->rx_intr_added = true;
			rte_eth_dev_rx_intr_disable(p->port_id, q->qid);
		}
	}
	if (active != q->active && p->nb_queues > 1)
		RLOG(INFO, "VF %s: queue pair %u %s on lcore %u", p->port_name, q->qid,
			active ? "enabled by the guest, forwarding" : "not in use",
			w->lcore_id);
	__atomic_store_n(&q->active, active, __ATOMIC_RELEASE);
	if (!active)
		relay_kick_release(w, q);
	else
		relay_kick_refresh(w, q, __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE));
}

static void
relay_tx_to_vf(struct relay_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;
	unsigned int retry;

	for (retry = 0; retry < RELAY_TX_RETRIES && sent < n; retry++)
		sent += rte_eth_tx_burst(q->pair->port_id, q->qid, pkts + sent, n - sent);
	relay_cnt_add(&q->cnt.vf_tx_pkts, sent);
	if (sent < n) {
		relay_cnt_add(&q->cnt.vf_tx_drops, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* One burst each way; returns the number of packets seen. */
static unsigned int
relay_queue_forward(struct relay *r, struct relay_queue *q)
{
	struct relay_pair *p = q->pair;
	struct rte_mbuf *pkts[RELAY_BURST_MAX];
	bool vf_ready = __atomic_load_n(&p->vf_ready, __ATOMIC_ACQUIRE);
	bool guest_on = q->active;
	uint16_t burst = r->opt.burst;
	uint16_t n, kept, sent;
	unsigned int seen = 0;
	int vid = p->vid;

	if (guest_on) {
		n = rte_vhost_dequeue_burst(vid, RELAY_GUEST_TXQ_OF(q->qid), r->pool, pkts,
			burst);
		if (n > 0) {
			seen += n;
			relay_cnt_add(&q->cnt.guest_tx_pkts, n);
			kept = relay_offload_from_guest(pkts, n, p->vf_tx_offloads, &q->cnt);
			if (vf_ready) {
				relay_tx_to_vf(q, pkts, kept);
			} else {
				relay_cnt_add(&q->cnt.vf_tx_drops, kept);
				rte_pktmbuf_free_bulk(pkts, kept);
			}
		}
	}
	if (vf_ready) {
		n = rte_eth_rx_burst(p->port_id, q->qid, pkts, burst);
		if (n > 0) {
			seen += n;
			relay_cnt_add(&q->cnt.vf_rx_pkts, n);
			if (guest_on) {
				kept = relay_offload_to_guest(pkts, n, p->guest_features, &q->cnt);
				/* the enqueue copies into guest buffers: the mbufs stay ours */
				sent = rte_vhost_enqueue_burst(vid, RELAY_GUEST_RXQ_OF(q->qid),
					pkts, kept);
				relay_cnt_add(&q->cnt.guest_rx_pkts, sent);
				relay_cnt_add(&q->cnt.guest_rx_drops, kept - sent);
				rte_pktmbuf_free_bulk(pkts, kept);
			} else {
				relay_cnt_add(&q->cnt.guest_rx_drops, n);
				rte_pktmbuf_free_bulk(pkts, n);
			}
		}
	}
	return seen;
}

static void
relay_notify_arm(struct relay_queue *q, bool on)
{
	struct relay_pair *p = q->pair;

	if (q->notify_on == on)
		return;
	q->notify_on = on;
	if (q->active || !on)
		if (p->vid >= 0)
			rte_vhost_enable_guest_notification(p->vid, RELAY_GUEST_TXQ_OF(q->qid), on);
	if (q->rx_intr_added) {
		if (on)
			rte_eth_dev_rx_intr_enable(p->port_id, q->qid);
		else
			rte_eth_dev_rx_intr_disable(p->port_id, q->qid);
	}
}

/* Returns true if something happened (traffic, a kick, an interrupt, a wake-up). */
static bool
relay_worker_sleep(struct relay *r, struct relay_worker *w)
{
	struct rte_epoll_event ev[RELAY_WORKER_MAX_QUEUES * 2 + 1];
	bool poll_only = false;
	unsigned int i, seen = 0;
	int n = 0, k;

	for (i = 0; i < w->nb_queues; i++) {
		struct relay_queue *q = w->queues[i];

		relay_queue_sync(w, q);
		if (q->active)
			relay_kick_refresh(w, q, q->pair->vid);
		relay_notify_arm(q, true);
		if (__atomic_load_n(&q->pair->vf_ready, __ATOMIC_ACQUIRE) && !q->rx_intr_added)
			poll_only = true;
	}
	/* The arming stores (used->flags or avail_event, the VF's interrupt flag) must be
	 * visible before the re-check reads the rings, or a peer that reads the old value
	 * skips its notification while we read its old index: a store-load fence.
	 */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* anything that arrived before arming raised no notification: look once more */
	for (i = 0; i < w->nb_queues; i++)
		seen += relay_queue_forward(r, w->queues[i]);
	if (seen == 0 && !r->quit) {
		__atomic_store_n(&w->sleeping, true, __ATOMIC_RELEASE);
		w->sleeps++;
		n = rte_epoll_wait(w->epfd, ev, RTE_DIM(ev),
			poll_only ? RELAY_POLL_SLEEP_MS : RELAY_SAFETY_SLEEP_MS);
		for (k = 0; k < n; k++) {
			struct relay_queue *q = ev[k].epdata.data;

			if (q != NULL)
				relay_cnt_add(&q->cnt.wakeups, 1);
		}
		__atomic_store_n(&w->sleeping, false, __ATOMIC_RELEASE);
	}
	for (i = 0; i < w->nb_queues; i++)
		relay_notify_arm(w->queues[i], false);
	return seen > 0 || n != 0;
}

int
relay_worker_main(void *arg)
{
	struct relay *r = arg;
	struct relay_worker *w = &r->worker[rte_lcore_id()];
	uint64_t busy_cycles = rte_get_tsc_hz() / 1000000 * r->opt.busy_poll_us;
	uint64_t last_busy;
	unsigned int i, seen;

	if (w->nb_queues == 0)
		return 0;
	for (i = 0, seen = 0; i < w->nb_queues; i++)
		if (i == 0 || w->queues[i]->pair != w->queues[i - 1]->pair)
			seen++;
	RLOG(INFO, "lcore %u forwards %u pair(s), %u queue pair(s)", w->lcore_id, seen,
		w->nb_queues);
	__atomic_store_n(&w->running, true, __ATOMIC_RELEASE);
	last_busy = rte_rdtsc();
	while (!r->quit) {
		seen = 0;
		for (i = 0; i < w->nb_queues; i++) {
			relay_queue_sync(w, w->queues[i]);
			seen += relay_queue_forward(r, w->queues[i]);
		}
		if (seen > 0) {
			last_busy = rte_rdtsc();
		} else if (rte_rdtsc() - last_busy >= busy_cycles) {
			/* a sleep that merely timed out (polling fallback, safety timeout) goes
			 * straight back to sleep: no new busy-poll window
			 */
			if (relay_worker_sleep(r, w))
				last_busy = rte_rdtsc();
		} else {
			rte_pause();
		}
		__atomic_add_fetch(&w->iterations, 1, __ATOMIC_RELEASE);
	}
	/* drop our registrations; the pairs' state is torn down after all lcores returned */
	for (i = 0; i < w->nb_queues; i++) {
		struct relay_queue *q = w->queues[i];

		relay_notify_arm(q, false);
		relay_kick_release(w, q);
		if (q->rx_intr_added) {
			rte_eth_dev_rx_intr_ctl_q(q->pair->port_id, q->qid, w->epfd,
				RTE_INTR_EVENT_DEL, q);
			q->rx_intr_added = false;
		}
	}
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	__atomic_add_fetch(&w->iterations, 1, __ATOMIC_RELEASE);
	RLOG(INFO, "lcore %u stopped (%" PRIu64 " sleeps)", w->lcore_id, w->sleeps);
	return 0;
}
