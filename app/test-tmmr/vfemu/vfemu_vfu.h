/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_VFU_H
#define VFEMU_VFU_H

/*
 * vfio-user server of one VF: a listening socket, one client at a time
 * (a second is refused), the protocol 0.1 subset of tmmr_vfio_user.h.
 * A client going away is a device reset that also drops its DMA maps and
 * interrupt fds. Nothing a client sends can crash the model.
 */

#include <stdbool.h>

#include "vfemu_dev.h"
#include "vfemu_loop.h"

struct vfemu_vfu;

/* Listen on @path (replacing a stale socket there). NULL with errno set. */
struct vfemu_vfu *vfemu_vfu_create(struct vfemu_loop *loop, struct vfemu_dev *dev,
				   const char *path);
/* Close the client (device reset) and the listening socket, remove the socket file. */
void vfemu_vfu_destroy(struct vfemu_vfu *vfu);
bool vfemu_vfu_has_client(const struct vfemu_vfu *vfu);
void vfemu_vfu_drop_client(struct vfemu_vfu *vfu);

#endif /* VFEMU_VFU_H */
