/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_MP_H
#define TMMR_MP_H

/* Multi-process: the primary's side (rte_mp actions) and the secondary's attach. */

#include <bus_pci_driver.h>
#include <ethdev_driver.h>

/* Primary: answer secondaries' requests (once per process; idempotent). */
void tmmr_mp_primary_init(void);
/* Secondary: attach to the port the primary probed on @pci_dev. */
int tmmr_mp_secondary_probe(struct rte_pci_device *pci_dev);

#endif /* TMMR_MP_H */
