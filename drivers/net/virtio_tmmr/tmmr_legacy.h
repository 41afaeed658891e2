/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_LEGACY_H
#define TMMR_LEGACY_H

/*
 * The legacy virtio control path over the MMR window: reset, status,
 * feature negotiation, queue setup, MSI-X vectors and device config. Only
 * register access through struct tmmr_pci; no ethdev state, so it can be
 * driven by unit tests against a fake transport.
 */

#include <stdbool.h>
#include <stdint.h>

#include "tmmr_pci.h"
#include "tmmr_devargs.h"
#include "tmmr_virtio_legacy.h"

#define TMMR_BIT(b)			(UINT32_C(1) << (b))

/* Bounds on waiting for the device. */
#define TMMR_RESET_TIMEOUT_MS		1000
#define TMMR_MAC_READ_TRIES		16

/* PFN is 32 bits: a ring must start below 2^(32 + 12) = 16 TiB. */
#define TMMR_RING_IOVA_LIMIT		(UINT64_C(1) << (32 + TMMR_LEG_PFN_SHIFT))

/* Everything the driver knows how to use, if the device offers it. */
#define TMMR_FEATURES_SUPPORTED ( \
	TMMR_BIT(TMMR_NET_F_CSUM) | TMMR_BIT(TMMR_NET_F_GUEST_CSUM) | \
	TMMR_BIT(TMMR_NET_F_MTU) | TMMR_BIT(TMMR_NET_F_MAC) | \
	TMMR_BIT(TMMR_NET_F_GUEST_TSO4) | TMMR_BIT(TMMR_NET_F_GUEST_TSO6) | \
	TMMR_BIT(TMMR_NET_F_HOST_TSO4) | TMMR_BIT(TMMR_NET_F_HOST_TSO6) | \
	TMMR_BIT(TMMR_NET_F_MRG_RXBUF) | TMMR_BIT(TMMR_NET_F_STATUS) | \
	TMMR_BIT(TMMR_NET_F_CTRL_VQ) | TMMR_BIT(TMMR_NET_F_CTRL_RX) | \
	TMMR_BIT(TMMR_NET_F_CTRL_VLAN) | TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE) | \
	TMMR_BIT(TMMR_NET_F_MQ) | TMMR_BIT(TMMR_NET_F_CTRL_MAC_ADDR) | \
	TMMR_BIT(TMMR_F_ANY_LAYOUT) | TMMR_BIT(TMMR_RING_F_INDIRECT_DESC) | \
	TMMR_BIT(TMMR_RING_F_EVENT_IDX))

/* What the application configured that decides optional features. */
struct tmmr_feature_req {
	bool rx_csum;		/* Rx UDP/TCP checksum offload */
	bool rx_lro;		/* TCP LRO */
	bool rx_scatter;	/* scattered Rx (a frame in several mbufs) */
	bool tx_csum;		/* Tx UDP/TCP checksum offload */
	bool tx_tso;		/* TCP TSO */
	bool vlan_filter;	/* Rx VLAN filter offload */
};

/*
 * The features the driver asks for: what the device offers and the driver
 * supports, minus what the devargs and the offload request exclude, minus
 * every feature whose prerequisite is missing (spec 5.1.3.1: the control
 * queue features need CTRL_VQ, guest TSO needs GUEST_CSUM, host TSO CSUM).
 * A NULL @req means "offloads not configured yet": keep every offload the
 * device offers (used for the capability report).
 */
uint32_t tmmr_features_negotiate(uint32_t device_features, const struct tmmr_devargs *da,
				 const struct tmmr_feature_req *req);

/* Drop features whose prerequisites are absent. */
uint32_t tmmr_features_fixup(uint32_t features);

static inline bool
tmmr_has(uint32_t features, unsigned int bit)
{
	return (features & TMMR_BIT(bit)) != 0;
}

/* Device config offset: 0x18 while MSI-X is enabled, else 0x14. */
static inline uint32_t
tmmr_leg_devcfg_off(bool msix_enabled)
{
	return msix_enabled ? TMMR_LEG_DEVCFG_MSIX : TMMR_LEG_DEVCFG_NO_MSIX;
}

/*
 * Reset: write 0 to status and wait (bounded) until it reads 0.
 * 0, -ENODEV if the device reads all-ones (gone), -ETIMEDOUT.
 */
int tmmr_leg_reset(struct tmmr_pci *p, unsigned int timeout_ms);

/*
 * Reset that the device must not outlive: on a timeout, a function-level
 * reset (if the transport has one) and the legacy reset again. 0 once the
 * device is reset, -ENODEV if gone, -ETIMEDOUT if it may still be doing DMA.
 */
int tmmr_leg_quiesce(struct tmmr_pci *p, unsigned int timeout_ms);

uint8_t tmmr_leg_get_status(struct tmmr_pci *p);
/* OR @bits into the status register. */
void tmmr_leg_add_status(struct tmmr_pci *p, uint8_t bits);
uint32_t tmmr_leg_get_features(struct tmmr_pci *p);
void tmmr_leg_set_features(struct tmmr_pci *p, uint32_t features);
/* What the driver features register holds (the device may refuse bits). */
uint32_t tmmr_leg_get_driver_features(struct tmmr_pci *p);
uint8_t tmmr_leg_read_isr(struct tmmr_pci *p);

/* Device-specific config, at the offset the current MSI-X state gives. */
void tmmr_leg_devcfg_read(struct tmmr_pci *p, uint32_t off, void *buf, uint32_t len);
void tmmr_leg_devcfg_write(struct tmmr_pci *p, uint32_t off, const void *buf, uint32_t len);
uint16_t tmmr_leg_devcfg_read16(struct tmmr_pci *p, uint32_t off);

/*
 * Legacy config has no generation counter: read the MAC until two
 * consecutive reads agree (at most @tries). 0 or -EAGAIN.
 */
int tmmr_leg_read_mac(struct tmmr_pci *p, uint8_t mac[6], unsigned int tries);

/* Is @size a usable device-chosen ring size? 0, or -ENOENT (0), -EINVAL. */
int tmmr_leg_check_queue_size(uint32_t size);
/* Can a ring at @iova be given to a legacy device? 0 or -EINVAL. */
int tmmr_leg_check_ring_iova(uint64_t iova);

/* Select @queue and read its size. */
uint16_t tmmr_leg_queue_size(struct tmmr_pci *p, uint16_t queue);
/*
 * Select @queue, check the ring at @iova and write its PFN, read it back.
 * 0, -EINVAL (bad IOVA), -EIO (device did not take it).
 */
int tmmr_leg_queue_activate(struct tmmr_pci *p, uint16_t queue, uint64_t iova);
void tmmr_leg_queue_deactivate(struct tmmr_pci *p, uint16_t queue);

/*
 * Slow kick of @queue: its doorbell in the notification area if the layout
 * has one, else the legacy QUEUE_NOTIFY register.
 */
void tmmr_leg_kick(struct tmmr_pci *p, uint16_t queue);
/* @queue's doorbell as the transport resolves it, tmmr_leg_kick otherwise. */
void tmmr_leg_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db);

/*
 * MSI-X vectors (MSI-X must be enabled). Write and read back; returns the
 * vector the device reports, TMMR_MSI_NO_VECTOR meaning refused.
 */
uint16_t tmmr_leg_set_config_vector(struct tmmr_pci *p, uint16_t vec);
uint16_t tmmr_leg_set_queue_vector(struct tmmr_pci *p, uint16_t queue, uint16_t vec);

#endif /* TMMR_LEGACY_H */
