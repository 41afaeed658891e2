/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_PCI_PRIV_H
#define TMMR_PCI_PRIV_H

/*
 * Inside the PCI glue: the log type, the two transports' constructors and
 * the hooks the unit tests use to run a transport without a PCI bus
 * (a fake BAR for vfio, a scripted socket for vfio-user).
 */

#include <rte_log.h>

#include "tmmr_pci.h"

extern int tmmr_pci_logtype;	/* pmd.net.virtio_tmmr.pci */

#define PCI_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, tmmr_pci_logtype, "tmmr_pci: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* An empty struct tmmr_pci named @name; the caller attaches a transport. */
struct tmmr_pci *tmmr_pci_alloc(const char *name);

/*
 * Read 4096 (or at least 256) bytes of config space through the transport,
 * parse it (need_mmr), check it against p->bar_len, log the legacy block.
 * 0 or -1, logged.
 */
int tmmr_pci_load_layout(struct tmmr_pci *p);

/* vfio-pci: map @p->pci_dev's BARs. 0 or negative errno. */
int tmmr_pci_vfio_attach(struct tmmr_pci *p);
/*
 * vfio-pci transport over BARs already in memory (tests: plain memory).
 * No pci_dev: config access fails, DMA is a no-op, intr fails.
 */
int tmmr_pci_vfio_attach_mem(struct tmmr_pci *p, void *const bar_addr[6],
			     const uint64_t bar_len[6]);

/*
 * vfio-user: connect to @sock_path, handshake, query the device.
 * @cfg_path: the sysfs `config` file to read config space from, or NULL to
 * read it with REGION_READ of region 7. 0 or negative errno.
 */
int tmmr_pci_vfu_attach(struct tmmr_pci *p, const char *sock_path, const char *cfg_path);
/* Same over an already connected socket, which @p then owns (tests). */
int tmmr_pci_vfu_attach_fd(struct tmmr_pci *p, int sock, const char *cfg_path);
/* Reply timeout of the vfio-user client, default 5000 ms (tests shorten it). */
void tmmr_pci_vfu_set_timeout(struct tmmr_pci *p, int timeout_ms);

#endif /* TMMR_PCI_PRIV_H */
