/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "vfemu_loop.h"

struct vfemu_watch {
	int fd;
	vfemu_fd_cb cb;
	void *opaque;
	struct vfemu_watch *next;	/* hash chain */
	bool dead;			/* deleted while events were being dispatched */
};

struct vfemu_tick {
	vfemu_tick_cb cb;
	void *opaque;
	struct vfemu_tick *next;
};

#define WATCH_HASH 1024

struct vfemu_loop {
	int epfd;
	volatile sig_atomic_t stop;
	struct vfemu_watch *hash[WATCH_HASH];
	struct vfemu_watch *graveyard;	/* freed after the dispatch round */
	struct vfemu_tick *ticks;
	uint64_t last_tick_ms;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct vfemu_loop *
vfemu_loop_create(void)
{
	struct vfemu_loop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

static void
free_graveyard(struct vfemu_loop *loop)
{
	while (loop->graveyard != NULL) {
		struct vfemu_watch *w = loop->graveyard;

		loop->graveyard = w->next;
		free(w);
	}
}

void
vfemu_loop_destroy(struct vfemu_loop *loop)
{
	unsigned int i;

	if (loop == NULL)
		return;
	for (i = 0; i < WATCH_HASH; i++) {
		while (loop->hash[i] != NULL) {
			struct vfemu_watch *w = loop->hash[i];

			loop->hash[i] = w->next;
			free(w);
		}
	}
	free_graveyard(loop);
	while (loop->ticks != NULL) {
		struct vfemu_tick *t = loop->ticks;

		loop->ticks = t->next;
		free(t);
	}
	close(loop->epfd);
	free(loop);
}

static struct vfemu_watch **
watch_slot(struct vfemu_loop *loop, int fd)
{
	struct vfemu_watch **pp = &loop->hash[(unsigned int)fd % WATCH_HASH];

	while (*pp != NULL && (*pp)->fd != fd)
		pp = &(*pp)->next;
	return pp;
}

int
vfemu_loop_add(struct vfemu_loop *loop, int fd, uint32_t events, vfemu_fd_cb cb, void *opaque)
{
	struct epoll_event ev = { .events = events };
	struct vfemu_watch *w;

	if (fd < 0 || cb == NULL)
		return -EINVAL;
	if (*watch_slot(loop, fd) != NULL)
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->fd = fd;
	w->cb = cb;
	w->opaque = opaque;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	w->next = loop->hash[(unsigned int)fd % WATCH_HASH];
	loop->hash[(unsigned int)fd % WATCH_HASH] = w;
	return 0;
}

int
vfemu_loop_mod(struct vfemu_loop *loop, int fd, uint32_t events)
{
	struct vfemu_watch *w = *watch_slot(loop, fd);
	struct epoll_event ev = { .events = events };

	if (w == NULL)
		return -ENOENT;
	ev.data.ptr = w;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void
vfemu_loop_del(struct vfemu_loop *loop, int fd)
{
	struct vfemu_watch **pp = watch_slot(loop, fd);
	struct vfemu_watch *w = *pp;

	if (w == NULL)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	*pp = w->next;
	/* events for it may still be pending in this round: free later */
	w->dead = true;
	w->next = loop->graveyard;
	loop->graveyard = w;
}

int
vfemu_loop_add_tick(struct vfemu_loop *loop, vfemu_tick_cb cb, void *opaque)
{
	struct vfemu_tick *t = calloc(1, sizeof(*t));
	struct vfemu_tick **pp = &loop->ticks;

	if (t == NULL)
		return -ENOMEM;
	t->cb = cb;
	t->opaque = opaque;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = t;
	return 0;
}

void
vfemu_loop_del_tick(struct vfemu_loop *loop, vfemu_tick_cb cb, void *opaque)
{
	struct vfemu_tick **pp = &loop->ticks;

	while (*pp != NULL) {
		if ((*pp)->cb == cb && (*pp)->opaque == opaque) {
			struct vfemu_tick *t = *pp;

			*pp = t->next;
			free(t);
			return;
		}
		pp = &(*pp)->next;
	}
}

int
vfemu_loop_once(struct vfemu_loop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	int n, i;

	n = epoll_wait(loop->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct vfemu_watch *w = evs[i].data.ptr;

		if (!w->dead)
			w->cb(w->opaque, w->fd, evs[i].events);
	}
	free_graveyard(loop);
	return n;
}

static void
run_ticks(struct vfemu_loop *loop)
{
	struct vfemu_tick *t = loop->ticks;

	while (t != NULL) {
		/* a tick may delete itself: step first */
		struct vfemu_tick *next = t->next;

		t->cb(t->opaque);
		t = next;
	}
}

int
vfemu_loop_run(struct vfemu_loop *loop, unsigned int period_ms)
{
	loop->last_tick_ms = now_ms();
	while (!loop->stop) {
		uint64_t now = now_ms();
		int wait = (int)period_ms - (int)(now - loop->last_tick_ms);
		int rc;

		if (wait <= 0) {
			run_ticks(loop);
			loop->last_tick_ms = now;
			wait = (int)period_ms;
		}
		rc = vfemu_loop_once(loop, wait);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
vfemu_loop_stop(struct vfemu_loop *loop)
{
	loop->stop = 1;
}
