/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfemu_ctl.h"
#include "vfemu_pf.h"
#include "vfemu_sock.h"
#include "vfemu_vfu.h"

/* fake physical addresses of the BARs, as in the resource files */
#define PF_BAR0		0x380000000000ull
#define VF_BAR0_BASE	0x380000100000ull
#define CTL_SOCK_NAME	".vfemu-ctl.sock"

struct vfemu_vf {
	struct vfemu_dev dev;
	struct vfemu_vfu *vfu;
	struct vfemu_pci_addr addr;
	bool present;
	bool dev_ok;
};

struct vfemu_pf {
	struct vfemu_loop *loop;
	struct vfemu_opts o;
	char *dir;
	char *ctl_path;
	struct vfemu_cfg cfg;
	struct vfemu_vf *vfs;
	unsigned int nb_vfs;
	bool pf_dir;
	struct vfemu_ctl *ctl;
};

void
vfemu_opts_default(struct vfemu_opts *o)
{
	static const uint8_t mac[6] = { 0x02, 0x1a, 0xf4, 0x00, 0x00, 0x00 };

	memset(o, 0, sizeof(*o));
	o->queue_pairs = 1;
	o->queue_size = 256;
	o->mtu = VFEMU_MTU_DEFAULT;
	o->socket_mode = VFEMU_SOCKET_MODE;
	o->pf.domain = 0;
	o->pf.rid = 0x0100;	/* 0000:01:00.0 */
	memcpy(o->mac_base, mac, 6);
}

int
vfemu_vf_rid(uint16_t pf_rid, unsigned int n)
{
	uint32_t rid = pf_rid + VFEMU_VF_OFFSET + n * VFEMU_VF_STRIDE;

	return rid > 0xffff ? -1 : (int)rid;
}

unsigned int
vfemu_pf_nb_vfs(const struct vfemu_pf *pf)
{
	return pf->nb_vfs;
}

struct vfemu_dev *
vfemu_pf_dev(struct vfemu_pf *pf, unsigned int n)
{
	return n < pf->nb_vfs && pf->vfs[n].present ? &pf->vfs[n].dev : NULL;
}

int
vfemu_pf_vf_addr(const struct vfemu_pf *pf, unsigned int n, struct vfemu_pci_addr *a)
{
	if (n >= pf->nb_vfs)
		return -ENOENT;
	*a = pf->vfs[n].addr;
	return 0;
}

int
vfemu_pf_vf_socket(const struct vfemu_pf *pf, unsigned int n, char *buf, size_t len)
{
	if (n >= pf->nb_vfs)
		return -ENOENT;
	return vfemu_sysfs_path(pf->dir, &pf->vfs[n].addr, "vfio-user.sock", buf, len);
}

bool
vfemu_pf_vf_has_client(const struct vfemu_pf *pf, unsigned int n)
{
	return n < pf->nb_vfs && pf->vfs[n].vfu != NULL && vfemu_vfu_has_client(pf->vfs[n].vfu);
}

struct vfemu_loop *
vfemu_pf_loop(struct vfemu_pf *pf)
{
	return pf->loop;
}

const char *
vfemu_pf_ctl_path(const struct vfemu_pf *pf)
{
	return pf->ctl_path;
}

static void
vf_teardown(struct vfemu_pf *pf, struct vfemu_vf *vf, unsigned int n)
{
	char name[32];

	vfemu_vfu_destroy(vf->vfu);
	vf->vfu = NULL;
	if (vf->dev_ok)
		vfemu_dev_fini(&vf->dev);
	vf->dev_ok = false;
	vfemu_sysfs_remove_fn(pf->dir, &vf->addr);
	snprintf(name, sizeof(name), "virtfn%u", n);
	vfemu_sysfs_unlink(pf->dir, &pf->o.pf, name);
	vf->present = false;
}

int
vfemu_pf_unplug(struct vfemu_pf *pf, unsigned int n)
{
	if (vfemu_pf_dev(pf, n) == NULL)
		return -ENOENT;
	vf_teardown(pf, &pf->vfs[n], n);
	return 0;
}

/* the sockets are born owner-only; --socket-mode widens them on purpose */
static int
widen_socket(const struct vfemu_pf *pf, const char *path)
{
	if (pf->o.socket_mode == 0 || pf->o.socket_mode == VFEMU_SOCKET_MODE)
		return 0;
	return chmod(path, pf->o.socket_mode);
}

static int
vf_setup(struct vfemu_pf *pf, unsigned int n, char *err, size_t errlen)
{
	struct vfemu_vf *vf = &pf->vfs[n];
	struct vfemu_dev_params p = {
		.index = n,
		.max_pairs = pf->o.queue_pairs,
		.queue_size = pf->o.queue_size,
		.mtu = pf->o.mtu ? pf->o.mtu : VFEMU_MTU_DEFAULT,
		.bar0 = VF_BAR0_BASE + (uint64_t)n * TMMR_BAR0_SIZE,
		.backend_server = pf->o.backend_server,
	};
	struct vfemu_sysfs_fn fn = {
		.device_id = TMMR_PCI_DEVICE_ID_NET,
		.subsys_device = TMMR_PCI_SUBSYS_DEVICE_NET,
		.class_code = TMMR_PCI_CLASS_NET,
		.bar0 = p.bar0,
		.bar0_size = TMMR_BAR0_SIZE,
	};
	char backend[4096], name[32], sock[4096];
	uint32_t low;
	int rc;

	memcpy(p.mac, pf->o.mac_base, 6);
	low = ((uint32_t)p.mac[3] << 16 | p.mac[4] << 8 | p.mac[5]) + n;
	p.mac[3] = low >> 16;
	p.mac[4] = low >> 8;
	p.mac[5] = low;
	if (pf->o.backend_prefix != NULL) {
		snprintf(backend, sizeof(backend), "%s%u", pf->o.backend_prefix, n);
		p.backend_path = backend;
	}
	rc = vfemu_dev_init(&vf->dev, pf->loop, &p);
	if (rc < 0) {
		snprintf(err, errlen, "VF %u: device: %s", n, strerror(-rc));
		return rc;
	}
	vf->dev_ok = true;
	vf->present = true;
	fn.addr = vf->addr;
	fn.cfg = &vf->dev.cfg;
	rc = vfemu_sysfs_add_fn(pf->dir, &fn);
	rc = rc ?: vfemu_sysfs_link(pf->dir, &vf->addr, "physfn", &pf->o.pf);
	snprintf(name, sizeof(name), "virtfn%u", n);
	rc = rc ?: vfemu_sysfs_link(pf->dir, &pf->o.pf, name, &vf->addr);
	rc = rc ?: vfemu_pf_vf_socket(pf, n, sock, sizeof(sock));
	if (rc < 0) {
		snprintf(err, errlen, "VF %u: sysfs: %s", n, strerror(-rc));
		return rc;
	}
	vf->vfu = vfemu_vfu_create(pf->loop, &vf->dev, sock);
	if (vf->vfu == NULL || widen_socket(pf, sock) < 0) {
		rc = -errno;
		snprintf(err, errlen, "VF %u: socket %s: %s", n, sock, strerror(errno));
		return rc;
	}
	return 0;
}

static int
pf_setup(struct vfemu_pf *pf, char *err, size_t errlen)
{
	struct vfemu_sysfs_fn fn = {
		.addr = pf->o.pf,
		.device_id = TMMR_PCI_PF_DEVICE_ID,
		.subsys_device = TMMR_PCI_SUBSYS_DEVICE_NET,
		.class_code = TMMR_PCI_CLASS_NET,
		.max_vfs = pf->nb_vfs,
		.bar0 = PF_BAR0,
		.bar0_size = TMMR_BAR0_SIZE,
		.cfg = &pf->cfg,
	};
	char text[32];
	int rc;

	vfemu_cfg_init_pf(&pf->cfg, pf->nb_vfs, VFEMU_VF_OFFSET, VFEMU_VF_STRIDE, PF_BAR0,
			  VF_BAR0_BASE);
	rc = vfemu_sysfs_init(pf->dir);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", pf->dir, strerror(-rc));
		return rc;
	}
	rc = vfemu_sysfs_add_fn(pf->dir, &fn);
	pf->pf_dir = true;
	snprintf(text, sizeof(text), "%u\n", pf->nb_vfs);
	rc = rc ?: vfemu_sysfs_write(pf->dir, &pf->o.pf, "sriov_numvfs", text);
	rc = rc ?: vfemu_sysfs_write(pf->dir, &pf->o.pf, "sriov_totalvfs", text);
	if (rc < 0)
		snprintf(err, errlen, "PF sysfs: %s", strerror(-rc));
	return rc;
}

struct vfemu_pf *
vfemu_pf_create(struct vfemu_loop *loop, const struct vfemu_opts *o, char *err, size_t errlen)
{
	struct vfemu_pf *pf;
	unsigned int n;

	if (o->sysfs_dir == NULL || o->nb_vfs == 0 || o->nb_vfs > VFEMU_MAX_VFS ||
	    o->queue_pairs == 0 || o->queue_pairs > TMMR_MAX_QUEUE_PAIRS ||
	    o->queue_size == 0 || (o->queue_size & (o->queue_size - 1)) ||
	    o->queue_size > 32768 || (o->mtu != 0 && o->mtu < VFEMU_MTU_MIN)) {
		snprintf(err, errlen, "invalid options");
		return NULL;
	}
	if (vfemu_vf_rid(o->pf.rid, o->nb_vfs - 1) < 0) {
		snprintf(err, errlen, "%u VFs do not fit after the PF's routing ID", o->nb_vfs);
		return NULL;
	}
	pf = calloc(1, sizeof(*pf));
	if (pf == NULL)
		return NULL;
	pf->loop = loop;
	pf->o = *o;
	pf->nb_vfs = o->nb_vfs;
	pf->dir = strdup(o->sysfs_dir);
	pf->vfs = calloc(o->nb_vfs, sizeof(*pf->vfs));
	if (o->ctl_path != NULL) {
		pf->ctl_path = strdup(o->ctl_path);
	} else if (pf->dir != NULL &&
		   asprintf(&pf->ctl_path, "%s/%s", pf->dir, CTL_SOCK_NAME) < 0) {
		pf->ctl_path = NULL;
	}
	if (pf->dir == NULL || pf->vfs == NULL || pf->ctl_path == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	pf->o.sysfs_dir = pf->dir;
	pf->o.ctl_path = pf->ctl_path;
	for (n = 0; n < pf->nb_vfs; n++) {
		pf->vfs[n].addr.domain = o->pf.domain;
		pf->vfs[n].addr.rid = vfemu_vf_rid(o->pf.rid, n);
	}
	if (pf_setup(pf, err, errlen) < 0)
		goto fail;
	for (n = 0; n < pf->nb_vfs; n++)
		if (vf_setup(pf, n, err, errlen) < 0)
			goto fail;
	pf->ctl = vfemu_ctl_create(loop, pf, pf->ctl_path);
	if (pf->ctl == NULL || widen_socket(pf, pf->ctl_path) < 0) {
		snprintf(err, errlen, "control socket %s: %s", pf->ctl_path, strerror(errno));
		goto fail;
	}
	return pf;
fail:
	vfemu_pf_destroy(pf);
	return NULL;
}

void
vfemu_pf_destroy(struct vfemu_pf *pf)
{
	unsigned int n;

	if (pf == NULL)
		return;
	vfemu_ctl_destroy(pf->ctl);
	for (n = 0; pf->vfs != NULL && n < pf->nb_vfs; n++)
		if (pf->vfs[n].present)
			vf_teardown(pf, &pf->vfs[n], n);
	if (pf->pf_dir) {
		vfemu_sysfs_remove_fn(pf->dir, &pf->o.pf);
		vfemu_sysfs_fini(pf->dir);
	}
	free(pf->vfs);
	free(pf->dir);
	free(pf->ctl_path);
	free(pf);
}
