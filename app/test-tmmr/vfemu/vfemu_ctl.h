/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_CTL_H
#define VFEMU_CTL_H

/*
 * The model's control socket: unix stream, one command per line, one reply
 * line each ("ok", "error <reason>", or the status line):
 *   link <vf> up|down | announce <vf> | unplug <vf> | status <vf> | quit
 *   needs-reset <vf>: set DEVICE_NEEDS_RESET and raise a config interrupt, as
 *   a device fault does (refused while the status register is 0)
 */

#include <stddef.h>

#include "vfemu_loop.h"

struct vfemu_ctl;
struct vfemu_pf;

struct vfemu_ctl *vfemu_ctl_create(struct vfemu_loop *loop, struct vfemu_pf *pf,
				   const char *path);
void vfemu_ctl_destroy(struct vfemu_ctl *ctl);
/* Run one command line (no newline); the reply goes to @out (no newline). */
void vfemu_ctl_exec(struct vfemu_pf *pf, struct vfemu_loop *loop, const char *line, char *out,
		    size_t outlen);

#endif /* VFEMU_CTL_H */
