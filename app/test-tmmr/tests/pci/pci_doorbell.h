/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef PCI_DOORBELL_H
#define PCI_DOORBELL_H

/*
 * A queue's doorbell as the PMD resolves it (tmmr_leg_doorbell), for tests
 * of the PCI glue alone: the transport's answer, and a slow kick that is
 * ops->kick without the PMD's legacy QUEUE_NOTIFY fallback.
 */

#include "tmmr_pci.h"

static inline void
test_slow_kick(struct tmmr_pci *p, uint16_t queue)
{
	(void)p->ops->kick(p, queue);
}

static inline void
test_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db)
{
	tmmr_pci_doorbell(p, queue, test_slow_kick, db);
}

#endif /* PCI_DOORBELL_H */
