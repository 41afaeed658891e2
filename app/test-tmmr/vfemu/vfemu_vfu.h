/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_VFU_H
#define VFEMU_VFU_H

/*
 * vfio-user server of one VF: a listening socket, one client at a time
 * (the next waits in the listen backlog until the current one is gone and
 * the device reset), the protocol 0.1 subset of tmmr_vfio_user.h.
 * A client going away is a device reset that also drops its DMA maps and
 * interrupt fds. Nothing a client sends can crash the model.
 *
 * Choices the protocol leaves open:
 *  - VERSION must come first (anything else: EINVAL); major 0; the reply's
 *    caps are {"capabilities":{"max_msg_fds":64,"max_data_xfer_size":4096,
 *    "pgsizes":4096}}.
 *  - A header size below 16 or above TMMR_VFU_MAX_MSG_SIZE gets an EINVAL
 *    reply and the connection is closed (the stream cannot be resynchronised).
 *  - Payload shorter than the command's struct, argsz larger than the
 *    payload, or a REGION_WRITE/READ whose size does not match count exactly:
 *    EINVAL. Unknown commands: ENOSYS. Every error reply counts in bad_msgs.
 *  - fds no command consumed are closed after the reply.
 *  - DMA_MAP needs exactly one fd of a regular file (memfd, hugetlbfs) that
 *    covers offset + size; addr, size and offset 4 KiB aligned.
 *    Overlap: EEXIST; no fd: EBADF; unmappable fd: EBADF; else EINVAL.
 *  - DMA_UNMAP: exactly a mapped range, flags 0, else ENOENT/EINVAL.
 *  - GET_REGION_IO_FDS (BAR0): one ioeventfd per queue, ctrl queue last,
 *    at offset 4*q, size 2, no datamatch. A request argsz below the reply
 *    size gets the count and the argsz needed, without fds.
 *  - SET_IRQS: INTx (index 0) and MSI-X (index 2); DATA_EVENTFD|TRIGGER with
 *    exactly count fds, or DATA_NONE|TRIGGER with count 0 to disable.
 *  - DEVICE_RESET is a function-level reset; DMA maps and irq fds stay.
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
