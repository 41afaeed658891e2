/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_LOGS_H
#define TMMR_LOGS_H

#include <rte_log.h>

extern int tmmr_logtype_driver;	/* pmd.net.virtio_tmmr */
extern int tmmr_logtype_rx;	/* pmd.net.virtio_tmmr.rx */

#define PMD_DRV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, tmmr_logtype_driver, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/*
 * A message about one device, its name (the PCI address) said once in front
 * of it, as vhost's VHOST_LOG_CONFIG does. @type: driver or rx; @dev:
 * anything with a name member, a struct tmmr_hw, struct tmmr_pci or
 * struct rte_device.
 */
#define TMMR_LOG(type, level, dev, fmt, ...) \
	rte_log(RTE_LOG_ ## level, tmmr_logtype_ ## type, "%s(): %s: " fmt "\n", \
		__func__, (dev)->name, ##__VA_ARGS__)

#define PMD_RX_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, tmmr_logtype_rx, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#endif /* TMMR_LOGS_H */
