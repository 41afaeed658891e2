/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_CTRLQ_H
#define TMMR_CTRLQ_H

/*
 * The control virtqueue: a struct tmmr_vq, driven synchronously with the
 * datapath's ring helpers. One command at a time, laid out as [class,cmd]
 * (device-readable), the command data (device-readable, up to
 * TMMR_CTRLQ_MAX_DATA pieces), [ack] (device-writable); the driver waits,
 * bounded, for the used entry and checks the ack. The memory (ring +
 * command buffer) is the caller's, so unit tests can use plain memory with
 * IOVA = VA.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmmr_mmr.h"
#include "tmmr_pci.h"
#include "tmmr_virtio_legacy.h"
#include "tmmr_vq.h"

#define TMMR_CTRLQ_MAX_DATA	2
#define TMMR_CTRLQ_DESCS	(TMMR_CTRLQ_MAX_DATA + 2)
#define TMMR_CTRLQ_BUF_SIZE	4096
#define TMMR_CTRLQ_TIMEOUT_MS	1000

struct tmmr_ctrl_hdr {
	uint8_t class;
	uint8_t cmd;
} __attribute__((packed));

struct tmmr_ctrlq {
	/* the ring; vq.broken: a command timed out or the device misbehaved */
	struct tmmr_vq vq;
	struct tmmr_pci *pci;
	uint8_t *buf;		/* command buffer, TMMR_CTRLQ_BUF_SIZE */
	uint64_t buf_iova;
	unsigned int timeout_ms;
	uint64_t commands;
	uint64_t errors;	/* NAKed or failed */
	uint64_t timeouts;
};

/* Bytes of 4096-aligned memory a control queue of @num entries needs. */
size_t tmmr_ctrlq_mem_size(uint16_t num);

/*
 * Lay the queue out in @mem (@len bytes, 4096-aligned, IOVA @iova), zero it
 * and resolve its doorbell. The queue is not given to the device here (see
 * tmmr_leg_queue_activate). 0 or -EINVAL.
 */
int tmmr_ctrlq_init(struct tmmr_ctrlq *cq, struct tmmr_pci *p, uint16_t queue, uint16_t num,
		    void *mem, uint64_t iova, size_t len);

/*
 * Send one command and wait for the device's ack. 0 on TMMR_NET_OK,
 * -EIO if NAKed, -ETIMEDOUT, -EPROTO on a malformed completion, -ENODEV if
 * the device is gone, -EINVAL on bad arguments, -EIO if the queue is
 * broken.
 */
int tmmr_ctrlq_send(struct tmmr_ctrlq *cq, uint8_t class, uint8_t cmd,
		    const void *const data[], const uint32_t len[], unsigned int nb_data);

/* Encoders for the commands the ethdev sends; each returns tmmr_ctrlq_send's result. */
int tmmr_ctrlq_rx_mode(struct tmmr_ctrlq *cq, uint8_t cmd, bool on);
int tmmr_ctrlq_mac_addr_set(struct tmmr_ctrlq *cq, const uint8_t mac[6]);
/* @uc/@mc: @nb_uc/@nb_mc addresses of 6 bytes; at most TMMR_NET_MAX_MAC_TABLE in all */
int tmmr_ctrlq_mac_table_set(struct tmmr_ctrlq *cq, const uint8_t (*uc)[6], uint32_t nb_uc,
			     const uint8_t (*mc)[6], uint32_t nb_mc);
int tmmr_ctrlq_vlan(struct tmmr_ctrlq *cq, uint16_t vid, bool add);
int tmmr_ctrlq_mq_pairs_set(struct tmmr_ctrlq *cq, uint16_t pairs);
int tmmr_ctrlq_announce_ack(struct tmmr_ctrlq *cq);

#endif /* TMMR_CTRLQ_H */
