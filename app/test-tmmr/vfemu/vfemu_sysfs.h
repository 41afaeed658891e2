/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_SYSFS_H
#define VFEMU_SYSFS_H

/*
 * The sysfs-style tree DPDK's PCI bus reads when SYSFS_PCI_DEVICES points at
 * it: one directory per function, named by its address. Everything else the
 * model keeps there starts with '.', which DPDK's scan skips.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vfemu_cfgspace.h"

#define VFEMU_DRIVER_NAME	"tmmr-vfemu"
#define VFEMU_DRIVER_DIR	".drivers"

struct vfemu_pci_addr {
	uint16_t domain;
	uint16_t rid;		/* bus << 8 | device << 3 | function */
};

struct vfemu_sysfs_fn {
	struct vfemu_pci_addr addr;
	uint16_t device_id;
	uint16_t subsys_device;
	uint32_t class_code;
	unsigned int max_vfs;
	uint64_t bar0;		/* fake physical address, 0 for none */
	uint64_t bar0_size;
	const struct vfemu_cfg *cfg;
};

/* "dddd:bb:dd.f" */
void vfemu_pci_addr_str(const struct vfemu_pci_addr *a, char buf[16]);
/* parse "dddd:bb:dd.f"; 0 or -1 */
int vfemu_pci_addr_parse(const char *s, struct vfemu_pci_addr *a);

/* Create @dir (if missing) and the driver directory; 0 or -errno. */
int vfemu_sysfs_init(const char *dir);
/* The directory of one function with every attribute file and its driver link. */
int vfemu_sysfs_add_fn(const char *dir, const struct vfemu_sysfs_fn *fn);
/* dir/<from>/<name> -> ../<to> */
int vfemu_sysfs_link(const char *dir, const struct vfemu_pci_addr *from, const char *name,
		     const struct vfemu_pci_addr *to);
int vfemu_sysfs_write(const char *dir, const struct vfemu_pci_addr *fn, const char *name,
		      const char *text);
void vfemu_sysfs_unlink(const char *dir, const struct vfemu_pci_addr *fn, const char *name);
/* path of a file in a function's directory; -ENAMETOOLONG */
int vfemu_sysfs_path(const char *dir, const struct vfemu_pci_addr *fn, const char *name,
		     char *buf, size_t len);
/* rm -r of one function's directory */
void vfemu_sysfs_remove_fn(const char *dir, const struct vfemu_pci_addr *fn);
/* remove the driver directory, and @dir itself if it is then empty */
void vfemu_sysfs_fini(const char *dir);
/* rm -r of any path (no symlink following) */
void vfemu_rm_rf(const char *path);

#endif /* VFEMU_SYSFS_H */
