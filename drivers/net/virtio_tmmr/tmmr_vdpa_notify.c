/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The kick relay of vDPA mode: one thread sleeps in epoll on the guest's kick
 * eventfds and turns each wake-up into one doorbell of that queue (an
 * ioeventfd write on the model, an MMIO store on vfio-pci). Interrupts do not
 * pass here: the VF's MSI-X vectors are the guest's call fds.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "tmmr_logs.h"
#include "tmmr_vdpa.h"

#define TMMR_VDPA_STOP_TAG	UINT32_MAX

bool
tmmr_vdpa_sample_used(struct tmmr_vdpa *v)
{
	bool moved = false;
	uint16_t q, idx;

	for (q = 0; q < v->nb_vrings; q++) {
		struct tmmr_vdpa_vq *vq = &v->vq[q];

		if (!vq->programmed)
			continue;
		idx = *vq->used_idx;
		if (idx == vq->last_used)
			continue;
		__atomic_fetch_add(&vq->completed, (uint16_t)(idx - vq->last_used),
				   __ATOMIC_RELAXED);
		vq->last_used = idx;
		moved = true;
	}
	return moved;
}

static void *
tmmr_vdpa_notify_main(void *arg)
{
	struct tmmr_vdpa *v = arg;
	struct epoll_event ev[TMMR_VDPA_MAX_VRINGS + 1];
	int timeout = TMMR_VDPA_SAMPLE_MS;
	uint64_t buf;
	int i, n;

	for (;;) {
		n = epoll_wait(v->epfd, ev, RTE_DIM(ev), timeout);
		/* an idle guest costs a wake-up every 40 ms, a busy one every 5 ms */
		if (tmmr_vdpa_sample_used(v))
			timeout = TMMR_VDPA_SAMPLE_MS;
		else if (n == 0)
			timeout = RTE_MIN(2 * timeout, TMMR_VDPA_SAMPLE_IDLE_MS);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			TMMR_LOG(driver, ERR, v, "kick relay: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			uint32_t q = ev[i].data.u32;
			struct tmmr_vdpa_vq *vq;

			if (q == TMMR_VDPA_STOP_TAG)
				return NULL;
			vq = &v->vq[q];
			/* drain the counter: several kicks since the last wake-up are one */
			if (read(vq->kickfd, &buf, sizeof(buf)) < 0 && errno != EAGAIN)
				continue;
			tmmr_doorbell_ring(&vq->db);
			__atomic_fetch_add(&vq->kicks, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

int
tmmr_vdpa_notify_start(struct tmmr_vdpa *v)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char name[RTE_MAX_THREAD_NAME_LEN];
	uint16_t q;
	int ret;

	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	v->stop_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->epfd < 0 || v->stop_efd < 0) {
		ret = -errno;
		goto fail;
	}
	ev.data.u32 = TMMR_VDPA_STOP_TAG;
	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->stop_efd, &ev) < 0) {
		ret = -errno;
		goto fail;
	}
	for (q = 0; q < v->nb_vrings; q++) {
		if (!v->vq[q].programmed || v->vq[q].kickfd < 0)
			continue;
		ev.data.u32 = q;
		if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->vq[q].kickfd, &ev) < 0) {
			ret = -errno;
			TMMR_LOG(driver, ERR, v, "kick relay: vring %u kick fd: %s", q,
				 strerror(errno));
			goto fail;
		}
	}
	snprintf(name, sizeof(name), "tmmr-vdpa-%d", v->vid);
	ret = rte_ctrl_thread_create(&v->thread, name, NULL, tmmr_vdpa_notify_main, v);
	if (ret != 0) {
		ret = -ret;
		goto fail;
	}
	v->thread_on = true;
	return 0;
fail:
	TMMR_LOG(driver, ERR, v, "cannot start the kick relay: %s", strerror(-ret));
	tmmr_vdpa_notify_stop(v);
	return ret;
}

void
tmmr_vdpa_notify_stop(struct tmmr_vdpa *v)
{
	uint64_t one = 1;

	if (v->thread_on) {
		if (write(v->stop_efd, &one, sizeof(one)) != sizeof(one))
			TMMR_LOG(driver, ERR, v, "cannot stop the kick relay: %s", strerror(errno));
		else
			pthread_join(v->thread, NULL);
		v->thread_on = false;
	}
	if (v->epfd >= 0)
		close(v->epfd);
	if (v->stop_efd >= 0)
		close(v->stop_efd);
	v->epfd = -1;
	v->stop_efd = -1;
}
