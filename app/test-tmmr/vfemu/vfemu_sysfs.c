/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfemu_sysfs.h"

/* Linux resource flags of a 64-bit non-prefetchable memory BAR */
#define RES_FLAGS_MEM64		0x140204ull
#define RES_LINES		13	/* 6 BARs, ROM, 6 SR-IOV BARs, as Linux prints */

void
vfemu_pci_addr_str(const struct vfemu_pci_addr *a, char buf[16])
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", a->domain, a->rid >> 8, (a->rid >> 3) & 0x1f,
		 a->rid & 7);
}

int
vfemu_pci_addr_parse(const char *s, struct vfemu_pci_addr *a)
{
	unsigned int dom, bus, dev, fn;
	char end;

	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7 || strlen(s) != 12)
		return -1;
	a->domain = dom;
	a->rid = bus << 8 | dev << 3 | fn;
	return 0;
}

int
vfemu_sysfs_path(const char *dir, const struct vfemu_pci_addr *fn, const char *name, char *buf,
		 size_t len)
{
	char bdf[16];
	int n;

	vfemu_pci_addr_str(fn, bdf);
	if (name != NULL)
		n = snprintf(buf, len, "%s/%s/%s", dir, bdf, name);
	else
		n = snprintf(buf, len, "%s/%s", dir, bdf);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int
vfemu_sysfs_write(const char *dir, const struct vfemu_pci_addr *fn, const char *name,
		  const char *text)
{
	char path[4096];
	int rc = vfemu_sysfs_path(dir, fn, name, path, sizeof(path));

	return rc < 0 ? rc : write_file(path, text, strlen(text));
}

/*
 * Functions a killed earlier run left behind: address-named directories
 * whose driver link is ours. Anything else in @dir is not touched.
 */
static void
remove_stale(const char *dir)
{
	const char *ours = "/" VFEMU_DRIVER_DIR "/" VFEMU_DRIVER_NAME;
	struct vfemu_pci_addr a;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096], link[256];
		ssize_t n;

		if (e->d_name[0] == '.' || vfemu_pci_addr_parse(e->d_name, &a) < 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/driver", dir, e->d_name) >=
		    sizeof(path))
			continue;
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if ((size_t)n >= strlen(ours) && strcmp(link + n - strlen(ours), ours) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			vfemu_rm_rf(path);
		}
	}
	closedir(d);
}

int
vfemu_sysfs_init(const char *dir)
{
	char path[4096];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	remove_stale(dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, VFEMU_DRIVER_DIR) >= sizeof(path))
		return -ENAMETOOLONG;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, VFEMU_DRIVER_DIR, VFEMU_DRIVER_NAME);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
write_hex(const char *dir, const struct vfemu_pci_addr *fn, const char *name, unsigned int v,
	  int digits)
{
	char text[32];

	snprintf(text, sizeof(text), "0x%0*x\n", digits, v);
	return vfemu_sysfs_write(dir, fn, name, text);
}

int
vfemu_sysfs_add_fn(const char *dir, const struct vfemu_sysfs_fn *fn)
{
	char path[4096], text[RES_LINES * 64];
	size_t off = 0;
	int rc, i;

	rc = vfemu_sysfs_path(dir, &fn->addr, NULL, path, sizeof(path));
	if (rc < 0)
		return rc;
	vfemu_rm_rf(path);	/* a stale tree from a killed run */
	if (mkdir(path, 0755) < 0)
		return -errno;
	rc = write_hex(dir, &fn->addr, "vendor", 0x1af4, 4);
	rc = rc ?: write_hex(dir, &fn->addr, "device", fn->device_id, 4);
	rc = rc ?: write_hex(dir, &fn->addr, "subsystem_vendor", 0x1af4, 4);
	rc = rc ?: write_hex(dir, &fn->addr, "subsystem_device", fn->subsys_device, 4);
	rc = rc ?: write_hex(dir, &fn->addr, "class", fn->class_code, 6);
	rc = rc ?: vfemu_sysfs_write(dir, &fn->addr, "numa_node", "0\n");
	snprintf(text, sizeof(text), "%u\n", fn->max_vfs);
	rc = rc ?: vfemu_sysfs_write(dir, &fn->addr, "max_vfs", text);
	for (i = 0; i < RES_LINES; i++) {
		uint64_t start = 0, end = 0, flags = 0;

		if (i == 0 && fn->bar0 != 0) {
			start = fn->bar0;
			end = fn->bar0 + fn->bar0_size - 1;
			flags = RES_FLAGS_MEM64;
		}
		off += snprintf(text + off, sizeof(text) - off,
				"0x%016" PRIx64 " 0x%016" PRIx64 " 0x%016" PRIx64 "\n",
				start, end, flags);
	}
	rc = rc ?: vfemu_sysfs_write(dir, &fn->addr, "resource", text);
	if (rc == 0) {
		rc = vfemu_sysfs_path(dir, &fn->addr, "config", path, sizeof(path));
		rc = rc ?: write_file(path, fn->cfg->img, sizeof(fn->cfg->img));
	}
	if (rc == 0) {
		rc = vfemu_sysfs_path(dir, &fn->addr, "driver", path, sizeof(path));
		if (rc == 0 && symlink("../" VFEMU_DRIVER_DIR "/" VFEMU_DRIVER_NAME, path) < 0)
			rc = -errno;
	}
	return rc;
}

int
vfemu_sysfs_link(const char *dir, const struct vfemu_pci_addr *from, const char *name,
		 const struct vfemu_pci_addr *to)
{
	char path[4096], target[32], bdf[16];
	int rc = vfemu_sysfs_path(dir, from, name, path, sizeof(path));

	if (rc < 0)
		return rc;
	vfemu_pci_addr_str(to, bdf);
	snprintf(target, sizeof(target), "../%s", bdf);
	unlink(path);
	return symlink(target, path) < 0 ? -errno : 0;
}

void
vfemu_sysfs_unlink(const char *dir, const struct vfemu_pci_addr *fn, const char *name)
{
	char path[4096];

	if (vfemu_sysfs_path(dir, fn, name, path, sizeof(path)) == 0)
		unlink(path);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
vfemu_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
vfemu_sysfs_remove_fn(const char *dir, const struct vfemu_pci_addr *fn)
{
	char path[4096];

	if (vfemu_sysfs_path(dir, fn, NULL, path, sizeof(path)) == 0)
		vfemu_rm_rf(path);
}

void
vfemu_sysfs_fini(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, VFEMU_DRIVER_DIR);
	vfemu_rm_rf(path);
	rmdir(dir);
}
