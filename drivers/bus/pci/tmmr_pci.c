/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * PCI glue entry point: pick the transport that reaches the VF, then read
 * and check its MMR layout the same way whichever transport it is.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_log.h>
#include <rte_pci.h>
#include <bus_pci_driver.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_vfio_user.h"

RTE_LOG_REGISTER(tmmr_pci_logtype, pmd.net.virtio_tmmr.pci, NOTICE);

struct tmmr_pci *
tmmr_pci_alloc(const char *name)
{
	struct tmmr_pci *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name != NULL ? name : "?");
	return p;
}

int
tmmr_pci_load_layout(struct tmmr_pci *p)
{
	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	size_t len = sizeof(cfg);
	char err[256];
	int ret;

	memset(cfg, 0, sizeof(cfg));
	ret = p->ops->cfg_read(p, cfg, TMMR_PCI_CFG_SIZE, 0);
	if (ret != 0) {
		/* a conventional function only has 256 bytes */
		len = 256;
		ret = p->ops->cfg_read(p, cfg, len, 0);
	}
	if (ret != 0) {
		PCI_LOG(ERR, "%s: cannot read config space (%s transport): %s", p->name,
			p->ops->name, strerror(-ret));
		return -1;
	}
	if (tmmr_caps_parse(cfg, len, 1, &p->layout, err, sizeof(err)) != 0) {
		PCI_LOG(ERR, "%s: not a usable MMR function: %s", p->name, err);
		return -1;
	}
	if (tmmr_caps_check_bars(&p->layout, p->bar_len, err, sizeof(err)) != 0) {
		PCI_LOG(ERR, "%s: MMR layout does not fit the BARs: %s", p->name, err);
		return -1;
	}
	PCI_LOG(INFO, "%s: legacy block in BAR%u at 0x%x, %u bytes (%s transport)", p->name,
		p->layout.legacy_bar, p->layout.legacy_off, p->layout.legacy_len,
		p->ops->name);
	return 0;
}

struct tmmr_pci *
tmmr_pci_open(struct rte_pci_device *pci_dev)
{
	char bdf[PCI_PRI_STR_SIZE], sock[PATH_MAX], cfg[PATH_MAX];
	struct tmmr_pci *p;
	struct stat st;
	int ret;

	if (pci_dev == NULL)
		return NULL;
	rte_pci_device_name(&pci_dev->addr, bdf, sizeof(bdf));
	p = tmmr_pci_alloc(bdf);
	if (p == NULL) {
		PCI_LOG(ERR, "%s: out of memory", bdf);
		return NULL;
	}
	p->pci_dev = pci_dev;

	if (pci_dev->kdrv == RTE_PCI_KDRV_VFIO) {
		ret = tmmr_pci_vfio_attach(p);
	} else {
		snprintf(sock, sizeof(sock), "%s/%s/%s", rte_pci_get_sysfs_path(), bdf,
			 TMMR_VFU_SOCK_NAME);
		snprintf(cfg, sizeof(cfg), "%s/%s/config", rte_pci_get_sysfs_path(), bdf);
		if (stat(sock, &st) != 0 || !S_ISSOCK(st.st_mode)) {
			PCI_LOG(ERR,
				"%s: neither bound to vfio-pci nor served by tmmr-vfemu (no socket %s)",
				bdf, sock);
			free(p);
			return NULL;
		}
		ret = tmmr_pci_vfu_attach(p, sock, cfg);
	}
	if (ret != 0) {
		/* the transport logged why; it freed its own state */
		free(p);
		return NULL;
	}
	if (tmmr_pci_load_layout(p) != 0) {
		tmmr_pci_close(p);
		return NULL;
	}
	return p;
}

void
tmmr_pci_close(struct tmmr_pci *p)
{
	if (p == NULL)
		return;
	if (p->ops != NULL)
		p->ops->close(p);
	free(p);
}
