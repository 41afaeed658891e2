/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_LOOP_H
#define VFEMU_LOOP_H

/*
 * The model's single-threaded event loop: epoll over every socket and
 * eventfd of every VF, plus one periodic tick for retries. One thread serves
 * 1024 VFs because the model only handles the control plane.
 */

#include <stdint.h>

struct vfemu_loop;

typedef void (*vfemu_fd_cb)(void *opaque, int fd, uint32_t events);
typedef void (*vfemu_tick_cb)(void *opaque);

struct vfemu_loop *vfemu_loop_create(void);
void vfemu_loop_destroy(struct vfemu_loop *loop);

/* Watch @fd for @events (EPOLLIN, ...); 0 or -errno. One watch per fd. */
int vfemu_loop_add(struct vfemu_loop *loop, int fd, uint32_t events, vfemu_fd_cb cb,
		   void *opaque);
int vfemu_loop_mod(struct vfemu_loop *loop, int fd, uint32_t events);
/* Stop watching @fd (call before closing it); safe from inside a callback. */
void vfemu_loop_del(struct vfemu_loop *loop, int fd);

/* Called every @period_ms from the loop, in registration order. */
int vfemu_loop_add_tick(struct vfemu_loop *loop, vfemu_tick_cb cb, void *opaque);
void vfemu_loop_del_tick(struct vfemu_loop *loop, vfemu_tick_cb cb, void *opaque);

/* Run until vfemu_loop_stop() or a signal handler sets the stop flag. */
int vfemu_loop_run(struct vfemu_loop *loop, unsigned int period_ms);
/* One round: wait at most @timeout_ms, dispatch; for tests. */
int vfemu_loop_once(struct vfemu_loop *loop, int timeout_ms);
void vfemu_loop_stop(struct vfemu_loop *loop);	/* async-signal-safe */

#endif /* VFEMU_LOOP_H */
