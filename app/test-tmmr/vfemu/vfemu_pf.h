/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_PF_H
#define VFEMU_PF_H

/*
 * The software PF and its VFs: builds the sysfs tree, one device, vfio-user
 * server and vhost-user frontend per VF, and the control socket; tears it
 * all down again. The library API the tests drive in-process.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfemu_dev.h"
#include "vfemu_loop.h"
#include "vfemu_sysfs.h"

#define VFEMU_MAX_VFS		1024
#define VFEMU_VF_OFFSET		1
#define VFEMU_VF_STRIDE		1
/* the MTU the VFs advertise (VIRTIO_NET_F_MTU): default and the accepted range */
#define VFEMU_MTU_DEFAULT	1500
#define VFEMU_MTU_MIN		68
#define VFEMU_MTU_MAX		65535

struct vfemu_opts {
	const char *sysfs_dir;
	unsigned int nb_vfs;
	const char *backend_prefix;	/* vhost-user socket PREFIX<n>; NULL: no backend */
	bool backend_server;
	uint16_t queue_pairs;
	uint16_t queue_size;
	struct vfemu_pci_addr pf;
	const char *ctl_path;		/* NULL: sysfs_dir/.vfemu-ctl.sock */
	uint8_t mac_base[6];
	uint16_t mtu;			/* net config mtu; 0: VFEMU_MTU_DEFAULT */
	unsigned int socket_mode;	/* vfio-user and control sockets; 0: 0600 */
};

struct vfemu_pf;

/* Fill @o with the defaults of the command line. */
void vfemu_opts_default(struct vfemu_opts *o);

/* Build everything; NULL with a reason in @err. */
struct vfemu_pf *vfemu_pf_create(struct vfemu_loop *loop, const struct vfemu_opts *o,
				 char *err, size_t errlen);
/* Tear everything down, the sysfs tree and the sockets included. */
void vfemu_pf_destroy(struct vfemu_pf *pf);

unsigned int vfemu_pf_nb_vfs(const struct vfemu_pf *pf);
/* NULL if @n is out of range or unplugged */
struct vfemu_dev *vfemu_pf_dev(struct vfemu_pf *pf, unsigned int n);
int vfemu_pf_vf_addr(const struct vfemu_pf *pf, unsigned int n, struct vfemu_pci_addr *a);
/* path of the VF's vfio-user socket */
int vfemu_pf_vf_socket(const struct vfemu_pf *pf, unsigned int n, char *buf, size_t len);
bool vfemu_pf_vf_has_client(const struct vfemu_pf *pf, unsigned int n);
/* Surprise removal: client and socket closed, sysfs directory gone. 0 or -ENOENT. */
int vfemu_pf_unplug(struct vfemu_pf *pf, unsigned int n);
struct vfemu_loop *vfemu_pf_loop(struct vfemu_pf *pf);
const char *vfemu_pf_ctl_path(const struct vfemu_pf *pf);

/* routing ID of VF @n; -1 past the last bus */
int vfemu_vf_rid(uint16_t pf_rid, unsigned int n);

#endif /* VFEMU_PF_H */
