/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Placeholder: every call reports "not connected" until the frontend lands. */

#include <errno.h>
#include <stdlib.h>

#include "vfemu_vhost.h"

struct vfemu_vhost {
	struct vfemu_loop *loop;
};

struct vfemu_vhost *
vfemu_vhost_create(struct vfemu_loop *loop, const char *path, bool server,
		   const struct vfemu_vhost_ops *ops, void *opaque)
{
	struct vfemu_vhost *vh = calloc(1, sizeof(*vh));

	if (vh != NULL)
		vh->loop = loop;
	return vh;
}

void
vfemu_vhost_destroy(struct vfemu_vhost *vh)
{
	free(vh);
}

bool
vfemu_vhost_connected(const struct vfemu_vhost *vh)
{
	return false;
}

uint64_t
vfemu_vhost_backend_features(const struct vfemu_vhost *vh)
{
	return 0;
}

uint16_t
vfemu_vhost_max_queue_pairs(const struct vfemu_vhost *vh)
{
	return 1;
}

int
vfemu_vhost_start(struct vfemu_vhost *vh, uint64_t features,
		  const struct vfemu_vhost_mem *mem, unsigned int nb_mem,
		  const struct vfemu_vhost_ring *rings, unsigned int nb_rings)
{
	return -ENOTCONN;
}

int
vfemu_vhost_update_mem(struct vfemu_vhost *vh, const struct vfemu_vhost_mem *mem,
		       unsigned int nb_mem)
{
	return -ENOTCONN;
}

int
vfemu_vhost_enable_ring(struct vfemu_vhost *vh, uint16_t index, bool enable)
{
	return -ENOTCONN;
}

void
vfemu_vhost_stop(struct vfemu_vhost *vh)
{
}

bool
vfemu_vhost_started(const struct vfemu_vhost *vh)
{
	return false;
}
