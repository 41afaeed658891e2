/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_pause.h>

#include "tmmr_legacy.h"
#include "tmmr_logs.h"

uint32_t
tmmr_features_fixup(uint32_t f)
{
	const uint32_t need_cvq = TMMR_BIT(TMMR_NET_F_CTRL_RX) | TMMR_BIT(TMMR_NET_F_CTRL_VLAN) |
		TMMR_BIT(TMMR_NET_F_GUEST_ANNOUNCE) | TMMR_BIT(TMMR_NET_F_MQ) |
		TMMR_BIT(TMMR_NET_F_CTRL_MAC_ADDR) | TMMR_BIT(TMMR_NET_F_CTRL_RX_EXTRA);
	const uint32_t guest_tso = TMMR_BIT(TMMR_NET_F_GUEST_TSO4) |
		TMMR_BIT(TMMR_NET_F_GUEST_TSO6) | TMMR_BIT(TMMR_NET_F_GUEST_ECN) |
		TMMR_BIT(TMMR_NET_F_GUEST_UFO);
	const uint32_t host_tso = TMMR_BIT(TMMR_NET_F_HOST_TSO4) |
		TMMR_BIT(TMMR_NET_F_HOST_TSO6) | TMMR_BIT(TMMR_NET_F_HOST_ECN) |
		TMMR_BIT(TMMR_NET_F_HOST_UFO);

	if (!tmmr_has(f, TMMR_NET_F_CTRL_VQ))
		f &= ~need_cvq;
	if (!tmmr_has(f, TMMR_NET_F_GUEST_CSUM))
		f &= ~guest_tso;
	if (!tmmr_has(f, TMMR_NET_F_CSUM))
		f &= ~host_tso;
	return f;
}

uint32_t
tmmr_features_negotiate(uint32_t device_features, const struct tmmr_devargs *da,
			const struct tmmr_feature_req *req)
{
	uint32_t f = device_features & TMMR_FEATURES_SUPPORTED;
	const uint32_t tso = TMMR_BIT(TMMR_NET_F_GUEST_TSO4) | TMMR_BIT(TMMR_NET_F_GUEST_TSO6) |
		TMMR_BIT(TMMR_NET_F_HOST_TSO4) | TMMR_BIT(TMMR_NET_F_HOST_TSO6);

	if (da->mrg_rxbuf == TMMR_MRG_OFF)
		f &= ~TMMR_BIT(TMMR_NET_F_MRG_RXBUF);
	if (!da->event_idx)
		f &= ~TMMR_BIT(TMMR_RING_F_EVENT_IDX);
	if (!da->indirect)
		f &= ~TMMR_BIT(TMMR_RING_F_INDIRECT_DESC);
	if (!da->any_layout)
		f &= ~TMMR_BIT(TMMR_F_ANY_LAYOUT);
	if (!da->csum)
		f &= ~(TMMR_BIT(TMMR_NET_F_CSUM) | TMMR_BIT(TMMR_NET_F_GUEST_CSUM));
	if (!da->tso)
		f &= ~tso;

	if (req != NULL) {
		/*
		 * A device may hand partially checksummed or coalesced packets
		 * to a driver that acked GUEST_CSUM/GUEST_TSO: only ack them when
		 * the application asked for those offloads.
		 */
		if (!req->rx_lro)
			f &= ~(TMMR_BIT(TMMR_NET_F_GUEST_TSO4) | TMMR_BIT(TMMR_NET_F_GUEST_TSO6));
		/*
		 * mrg_rxbuf=auto: a frame that fits one mbuf needs no mergeable
		 * buffers, and without them the headers are the 10-byte ones a
		 * forwarded packet can keep unwritten (tmmr_tx_zero_hdr).
		 */
		if (da->mrg_rxbuf == TMMR_MRG_AUTO && !req->rx_scatter && !req->rx_lro)
			f &= ~TMMR_BIT(TMMR_NET_F_MRG_RXBUF);
		if (!req->rx_csum && !req->rx_lro)
			f &= ~TMMR_BIT(TMMR_NET_F_GUEST_CSUM);
		if (!req->tx_tso)
			f &= ~(TMMR_BIT(TMMR_NET_F_HOST_TSO4) | TMMR_BIT(TMMR_NET_F_HOST_TSO6));
		if (!req->tx_csum && !req->tx_tso)
			f &= ~TMMR_BIT(TMMR_NET_F_CSUM);
		/* with CTRL_VLAN acked, a device drops VLANs not in its (empty) table */
		if (!req->vlan_filter)
			f &= ~TMMR_BIT(TMMR_NET_F_CTRL_VLAN);
	}
	return tmmr_features_fixup(f);
}

static uint64_t
tmmr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
tmmr_short_sleep(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 20000 };

	nanosleep(&ts, NULL);
}

uint8_t
tmmr_leg_get_status(struct tmmr_pci *p)
{
	return (uint8_t)tmmr_leg_read(p, TMMR_LEG_STATUS, 1);
}

void
tmmr_leg_add_status(struct tmmr_pci *p, uint8_t bits)
{
	uint8_t st = bits;

	/* never OR into a reset request or into a removed device's all-ones */
	if (bits != 0) {
		uint8_t cur = tmmr_leg_get_status(p);

		if (cur != 0xff)
			st |= cur;
	}
	tmmr_leg_write(p, TMMR_LEG_STATUS, st, 1);
}

int
tmmr_leg_reset(struct tmmr_pci *p, unsigned int timeout_ms)
{
	uint64_t deadline = tmmr_now_ms() + timeout_ms;
	unsigned int polls = 0;
	uint8_t st;

	tmmr_leg_write(p, TMMR_LEG_STATUS, 0, 1);
	for (;;) {
		st = tmmr_leg_get_status(p);
		if (st == 0)
			return 0;
		if (st == 0xff && !p->ops->alive(p)) {
			TMMR_LOG(driver, ERR, p, "device gone during reset (status reads 0xff)");
			return -ENODEV;
		}
		if (tmmr_now_ms() > deadline)
			break;
		if (++polls > 100)
			tmmr_short_sleep();
		else
			rte_pause();
	}
	TMMR_LOG(driver, ERR, p, "reset did not complete in %u ms (status 0x%02x)", timeout_ms, st);
	return -ETIMEDOUT;
}

int
tmmr_leg_quiesce(struct tmmr_pci *p, unsigned int timeout_ms)
{
	int ret = tmmr_leg_reset(p, timeout_ms);

	if (ret != -ETIMEDOUT)
		return ret;
	TMMR_LOG(driver, WARNING, p, "trying a function-level reset");
	ret = p->ops->fn_reset(p);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, p, "function-level reset failed: %s", rte_strerror(-ret));
		return -ETIMEDOUT;
	}
	return tmmr_leg_reset(p, timeout_ms);
}

uint32_t
tmmr_leg_get_features(struct tmmr_pci *p)
{
	return tmmr_leg_read(p, TMMR_LEG_DEVICE_FEATURES, 4);
}

void
tmmr_leg_set_features(struct tmmr_pci *p, uint32_t features)
{
	tmmr_leg_write(p, TMMR_LEG_DRIVER_FEATURES, features, 4);
}

uint32_t
tmmr_leg_get_driver_features(struct tmmr_pci *p)
{
	return tmmr_leg_read(p, TMMR_LEG_DRIVER_FEATURES, 4);
}

uint8_t
tmmr_leg_read_isr(struct tmmr_pci *p)
{
	return (uint8_t)tmmr_leg_read(p, TMMR_LEG_ISR, 1);
}

void
tmmr_leg_devcfg_read(struct tmmr_pci *p, uint32_t off, void *buf, uint32_t len)
{
	uint32_t base = tmmr_leg_devcfg_off(p->nb_vec > 0) + off;
	uint8_t *b = buf;
	uint32_t i;

	/* byte accesses: the legacy config is guest-native and unaligned */
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)tmmr_leg_read(p, base + i, 1);
}

void
tmmr_leg_devcfg_write(struct tmmr_pci *p, uint32_t off, const void *buf, uint32_t len)
{
	uint32_t base = tmmr_leg_devcfg_off(p->nb_vec > 0) + off;
	const uint8_t *b = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		tmmr_leg_write(p, base + i, b[i], 1);
}

uint16_t
tmmr_leg_devcfg_read16(struct tmmr_pci *p, uint32_t off)
{
	uint32_t base = tmmr_leg_devcfg_off(p->nb_vec > 0) + off;

	return (uint16_t)tmmr_leg_read(p, base, 2);
}

int
tmmr_leg_read_mac(struct tmmr_pci *p, uint8_t mac[6], unsigned int tries)
{
	uint8_t prev[6], cur[6];
	unsigned int i;

	tmmr_leg_devcfg_read(p, TMMR_NET_CFG_MAC, prev, sizeof(prev));
	for (i = 1; i < tries; i++) {
		tmmr_leg_devcfg_read(p, TMMR_NET_CFG_MAC, cur, sizeof(cur));
		if (memcmp(prev, cur, sizeof(cur)) == 0) {
			memcpy(mac, cur, sizeof(cur));
			return 0;
		}
		memcpy(prev, cur, sizeof(cur));
	}
	return -EAGAIN;
}

int
tmmr_leg_check_queue_size(uint32_t size)
{
	if (size == 0)
		return -ENOENT;
	if (!rte_is_power_of_2(size) || size > 32768)
		return -EINVAL;
	return 0;
}

int
tmmr_leg_check_ring_iova(uint64_t iova)
{
	if (iova == 0 || (iova & (TMMR_LEG_RING_ALIGN - 1)) != 0 ||
	    iova >= TMMR_RING_IOVA_LIMIT)
		return -EINVAL;
	return 0;
}

uint16_t
tmmr_leg_queue_size(struct tmmr_pci *p, uint16_t queue)
{
	tmmr_leg_write(p, TMMR_LEG_QUEUE_SEL, queue, 2);
	return (uint16_t)tmmr_leg_read(p, TMMR_LEG_QUEUE_SIZE, 2);
}

int
tmmr_leg_queue_activate(struct tmmr_pci *p, uint16_t queue, uint64_t iova)
{
	uint32_t pfn, back;

	if (tmmr_leg_check_ring_iova(iova) != 0) {
		TMMR_LOG(driver, ERR, p, "queue %u: ring IOVA 0x%" PRIx64 " unusable by a legacy "
			 "device (needs non-zero, 4096-aligned, below 16 TiB)", queue, iova);
		return -EINVAL;
	}
	pfn = (uint32_t)(iova >> TMMR_LEG_PFN_SHIFT);
	tmmr_leg_write(p, TMMR_LEG_QUEUE_SEL, queue, 2);
	tmmr_leg_write(p, TMMR_LEG_QUEUE_PFN, pfn, 4);
	back = tmmr_leg_read(p, TMMR_LEG_QUEUE_PFN, 4);
	if (back != pfn) {
		TMMR_LOG(driver, ERR, p, "queue %u: PFN 0x%x written, 0x%x read back", queue, pfn,
			 back);
		return -EIO;
	}
	return 0;
}

void
tmmr_leg_queue_deactivate(struct tmmr_pci *p, uint16_t queue)
{
	tmmr_leg_write(p, TMMR_LEG_QUEUE_SEL, queue, 2);
	tmmr_leg_write(p, TMMR_LEG_QUEUE_PFN, 0, 4);
}

void
tmmr_leg_kick(struct tmmr_pci *p, uint16_t queue)
{
	if (p->ops->kick(p, queue) != 0)
		tmmr_leg_write(p, TMMR_LEG_QUEUE_NOTIFY, queue, 2);
}

void
tmmr_leg_doorbell(struct tmmr_pci *p, uint16_t queue, struct tmmr_doorbell *db)
{
	tmmr_pci_doorbell(p, queue, tmmr_leg_kick, db);
}

uint16_t
tmmr_leg_set_config_vector(struct tmmr_pci *p, uint16_t vec)
{
	tmmr_leg_write(p, TMMR_LEG_MSIX_CONFIG_VECTOR, vec, 2);
	return (uint16_t)tmmr_leg_read(p, TMMR_LEG_MSIX_CONFIG_VECTOR, 2);
}

uint16_t
tmmr_leg_set_queue_vector(struct tmmr_pci *p, uint16_t queue, uint16_t vec)
{
	tmmr_leg_write(p, TMMR_LEG_QUEUE_SEL, queue, 2);
	tmmr_leg_write(p, TMMR_LEG_MSIX_QUEUE_VECTOR, vec, 2);
	return (uint16_t)tmmr_leg_read(p, TMMR_LEG_MSIX_QUEUE_VECTOR, 2);
}
