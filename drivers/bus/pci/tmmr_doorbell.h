/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_DOORBELL_H
#define TMMR_DOORBELL_H

/*
 * A queue's doorbell as the datapath rings it: all the ring code knows of the
 * transport. The transport fills it in (tmmr_pci.h, ops->doorbell); the ring
 * code only rings it, so it never sees the transport table or its registers.
 */

#include <stdint.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_io.h>

struct tmmr_pci;

/* A slow kick: a register write that tells the device about a queue. */
typedef void (*tmmr_kick_fn)(struct tmmr_pci *p, uint16_t queue);

/*
 * How the datapath rings one queue's doorbell. The transport resolves it
 * (ops->doorbell) to an MMIO address or an ioeventfd; when it resolves to
 * neither, each kick is a register write through the transport (slow_kick,
 * set by whoever owns the register protocol).
 */
struct tmmr_doorbell {
	volatile uint16_t *mmio;	/* MMIO doorbell, or NULL */
	tmmr_kick_fn slow_kick;		/* neither mmio nor efd: this, with pci and queue */
	struct tmmr_pci *pci;
	int efd;			/* ioeventfd, or -1 */
	uint16_t queue;
};				/* pointers first: 32 bytes on LP64, in every queue */

/* Datapath doorbell: at most one store, one eventfd write or one slow kick. */
static inline void
tmmr_doorbell_ring(const struct tmmr_doorbell *db)
{
	if (db->mmio != NULL) {
		/* a little-endian register; free on x86 */
		rte_write16(rte_cpu_to_le_16(db->queue), db->mmio);
	} else if (db->efd >= 0) {
		uint64_t one = 1;
		ssize_t r = write(db->efd, &one, sizeof(one));
		(void)r;
	} else {
		db->slow_kick(db->pci, db->queue);
	}
}

#endif /* TMMR_DOORBELL_H */
