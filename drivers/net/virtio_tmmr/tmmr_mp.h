/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_MP_H
#define TMMR_MP_H

/* Multi-process: the primary's side (rte_mp actions) and the secondary's attach. */

#include <stdbool.h>
#include <stdint.h>

#include <bus_pci_driver.h>
#include <ethdev_driver.h>
#include <rte_eal.h>

#include "tmmr_pci.h"

/* Primary: answer secondaries' requests (once per process; idempotent). */
void tmmr_mp_primary_init(void);
/* Secondary: attach to the port the primary probed on @pci_dev. */
int tmmr_mp_secondary_probe(struct rte_pci_device *pci_dev);

/* --- the TMMR_MP_FDS reply, shared with the unit tests --- */

/* What the primary holds for one slot (a doorbell, or an Rx vector). */
enum tmmr_mp_slot {
	TMMR_MP_SLOT_NONE,	/* no fd: the doorbell goes through the primary */
	TMMR_MP_SLOT_FD,	/* an eventfd, attached to the reply */
	TMMR_MP_SLOT_MMIO,	/* a BAR doorbell: map the BAR yourself */
};

/*
 * Slots 0..nb_vq-1 are the Rx/Tx virtqueues' doorbells, then nb_rxvec Rx
 * queue vectors; one reply carries at most RTE_MP_MAX_FD_NUM slots, and the
 * fds of its TMMR_MP_SLOT_FD slots, in order.
 */
struct tmmr_mp_rep {
	int32_t result;		/* 0 or negative errno */
	uint16_t nb_vq;
	uint16_t nb_rxvec;
	uint16_t first;
	uint16_t count;
	uint8_t kind[RTE_MP_MAX_FD_NUM];
};

/*
 * Secondary: take the slots @first.. of reply @m (@rep its parameter block):
 * doorbell fds into nt[].efd (-1 without one), Rx vector fds into vec_fd[].
 * What was taken belongs to the caller; every other fd of @m is closed.
 * False when the reply does not fit what the first one said or its fds do
 * not match its slots.
 */
bool tmmr_mp_take_slots(const struct rte_mp_msg *m, const struct tmmr_mp_rep *rep,
			uint16_t first, uint16_t nb_vq, uint16_t nb_rxvec,
			struct tmmr_doorbell *nt, int *vec_fd);

#endif /* TMMR_MP_H */
