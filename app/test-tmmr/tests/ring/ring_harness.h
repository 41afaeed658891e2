/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef RING_HARNESS_H
#define RING_HARNESS_H

/*
 * A scripted device for the datapath tests: it reads the avail ring and the
 * descriptors the driver posted, moves bytes in and out of the posted
 * buffers, and writes used entries, exactly as a device would (or, when told,
 * as a hostile one would). Plus the EAL, a mempool and packet builders.
 */

#include <stdint.h>
#include <stdbool.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "tmmr_rxtx.h"
#include "tmmr_virtio_legacy.h"

#define FDEV_MAX_SEGS 64

/* One chain the driver made available, as the device sees it. */
struct fdev_chain {
	uint16_t head;
	unsigned int nseg;
	bool indirect;
	struct {
		uint8_t *va;
		uint32_t len;
		bool write;
		uint64_t iova;
	} seg[FDEV_MAX_SEGS];
};

struct fdev {
	uint8_t *ring;
	uint16_t num;
	uint16_t hdr_len;
	struct tmmr_vring_desc *desc;
	struct tmmr_vring_avail *avail;
	struct tmmr_vring_used *used;
	uint16_t last_avail;
	int efd;			/* the queue's doorbell */
	struct tmmr_doorbell doorbell;
};

/* EAL + a pool of @n mbufs with @data_room bytes (headroom included). */
void harness_eal_init(void);
struct rte_mempool *harness_pool(const char *name, unsigned int n, uint16_t data_room);

/*
 * Start an Rx queue on the Rx path the test run asks for, by environment
 * TMMR_RING_RX: "stack", the free-head stack (the reference path); "scalar",
 * the static avail ring with scalar groups of used entries; otherwise the
 * static ring with SSE groups (x86-64).
 */
int harness_rxq_start(struct tmmr_rxq *q);
bool harness_rx_stack(void);

/*
 * Put a new Tx queue on the Tx path the test run asks for, by environment
 * TMMR_RING_TX: "list", always the free list (the reference path); otherwise
 * the static ring where the queue's features (@cfg) allow it.
 */
void harness_txq_path(struct tmmr_txq *q, const struct tmmr_dp_cfg *cfg);
bool harness_tx_list(void);

void fdev_attach(struct fdev *d, uint64_t ring_iova, uint16_t num, uint16_t hdr_len);
void fdev_detach(struct fdev *d);
uint16_t fdev_avail_pending(const struct fdev *d);
/* Doorbells rung since the last call. */
uint64_t fdev_doorbells(struct fdev *d);
/* Next available chain; false if none. */
bool fdev_pop(struct fdev *d, struct fdev_chain *c);
void fdev_push_used(struct fdev *d, uint32_t id, uint32_t len);
/* Scatter @len bytes at @off into the chain's writable segments; bytes written. */
uint32_t fdev_chain_write(const struct fdev_chain *c, uint32_t off, const void *buf,
			  uint32_t len);
/* Gather the chain's readable bytes; total length. */
uint32_t fdev_chain_read(const struct fdev_chain *c, uint8_t *buf, uint32_t max);
uint32_t fdev_chain_cap(const struct fdev_chain *c);

/*
 * Deliver a packet: header then data, over as many buffers as needed (one
 * chain unless @mrg; num_buffers filled in); returns buffers used, or -1.
 */
int fdev_rx(struct fdev *d, const struct tmmr_net_hdr *h, const uint8_t *pkt, uint32_t len,
	    bool mrg);
/* Consume a Tx chain: header out, data out; completes it. Data length or -1. */
int fdev_tx(struct fdev *d, void *hdr, uint8_t *pkt, uint32_t max, struct fdev_chain *c);

/* A frame of @len bytes: dst MAC @dst, an IPv4 header and a pattern. */
void harness_frame(uint8_t *buf, uint32_t len, const uint8_t *dst, uint8_t seed);
struct rte_mbuf *harness_mbuf(struct rte_mempool *mp, const uint8_t *data, uint32_t len,
			      unsigned int nseg);
/* Copy an mbuf chain out; total length. */
uint32_t harness_copy(const struct rte_mbuf *m, uint8_t *buf, uint32_t max);

struct tmmr_dp_cfg harness_cfg(bool mrg, bool any_layout, bool indirect);

#endif /* RING_HARNESS_H */
