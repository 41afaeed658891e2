/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_VIRTIO_LEGACY_H
#define TMMR_VIRTIO_LEGACY_H

/*
 * The virtio legacy ABI a Transitional MMR VF speaks inside its legacy
 * register block (tmmr_mmr.h says where that block is): register offsets,
 * device status and ISR bits, feature bits 0..31, the net device config, the
 * split ring and its legacy layout, the net header and the control-queue
 * classes, commands and acks.
 *
 * Plain C, no DPDK: shared by the PCI glue, the PMD and the software model.
 * tmmr_abi_check.c ties every value here to Linux's uapi headers
 * (<linux/virtio_pci.h>, <linux/virtio_config.h>, <linux/virtio_net.h>,
 * <linux/virtio_ring.h>) with static_assert, so a value both sides got wrong
 * fails the build; test_abi_mutate.py proves each check is there. The few
 * values Linux does not define are named in tmmr_abi_check.c.
 */

#include <stdint.h>

/* Legacy register block, offsets from its start */
#define TMMR_LEG_DEVICE_FEATURES	0x00	/* 32, RO */
#define TMMR_LEG_DRIVER_FEATURES	0x04	/* 32, RW */
#define TMMR_LEG_QUEUE_PFN		0x08	/* 32, RW */
#define TMMR_LEG_QUEUE_SIZE		0x0c	/* 16, RO */
#define TMMR_LEG_QUEUE_SEL		0x0e	/* 16, RW */
#define TMMR_LEG_QUEUE_NOTIFY		0x10	/* 16, RW */
#define TMMR_LEG_STATUS			0x12	/* 8, RW */
#define TMMR_LEG_ISR			0x13	/* 8, RO, read clears */
#define TMMR_LEG_MSIX_CONFIG_VECTOR	0x14	/* 16, only with MSI-X on */
#define TMMR_LEG_MSIX_QUEUE_VECTOR	0x16	/* 16, only with MSI-X on */
#define TMMR_LEG_DEVCFG_NO_MSIX		0x14
#define TMMR_LEG_DEVCFG_MSIX		0x18
#define TMMR_LEG_PFN_SHIFT		12
#define TMMR_LEG_RING_ALIGN		4096
#define TMMR_MSI_NO_VECTOR		0xffff

/* Device status bits */
#define TMMR_STATUS_ACK			0x01
#define TMMR_STATUS_DRIVER		0x02
#define TMMR_STATUS_DRIVER_OK		0x04
#define TMMR_STATUS_FEATURES_OK		0x08
#define TMMR_STATUS_NEEDS_RESET		0x40
#define TMMR_STATUS_FAILED		0x80

/* ISR bits */
#define TMMR_ISR_QUEUE			0x01
#define TMMR_ISR_CONFIG			0x02

/* virtio-net device config, legacy layout (guest-native endian) */
#define TMMR_NET_CFG_MAC		0	/* 6 bytes */
#define TMMR_NET_CFG_STATUS		6	/* le16 */
#define TMMR_NET_CFG_MAX_VQ_PAIRS	8	/* le16 */
#define TMMR_NET_CFG_MTU		10	/* le16 */
#define TMMR_NET_CFG_LEN		12
#define TMMR_NET_S_LINK_UP		1
#define TMMR_NET_S_ANNOUNCE		2

/* Feature bits (only 0..31 exist in legacy) */
#define TMMR_NET_F_CSUM			0
#define TMMR_NET_F_GUEST_CSUM		1
#define TMMR_NET_F_MTU			3
#define TMMR_NET_F_MAC			5
#define TMMR_NET_F_GUEST_TSO4		7
#define TMMR_NET_F_GUEST_TSO6		8
#define TMMR_NET_F_GUEST_ECN		9
#define TMMR_NET_F_GUEST_UFO		10
#define TMMR_NET_F_HOST_TSO4		11
#define TMMR_NET_F_HOST_TSO6		12
#define TMMR_NET_F_HOST_ECN		13
#define TMMR_NET_F_HOST_UFO		14
#define TMMR_NET_F_MRG_RXBUF		15
#define TMMR_NET_F_STATUS		16
#define TMMR_NET_F_CTRL_VQ		17
#define TMMR_NET_F_CTRL_RX		18
#define TMMR_NET_F_CTRL_VLAN		19
#define TMMR_NET_F_CTRL_RX_EXTRA	20
#define TMMR_NET_F_GUEST_ANNOUNCE	21
#define TMMR_NET_F_MQ			22
#define TMMR_NET_F_CTRL_MAC_ADDR	23
#define TMMR_F_NOTIFY_ON_EMPTY		24
#define TMMR_F_ANY_LAYOUT		27
#define TMMR_RING_F_INDIRECT_DESC	28
#define TMMR_RING_F_EVENT_IDX		29
#define TMMR_VHOST_USER_F_PROTOCOL_FEATURES 30	/* vhost-user only, never offered */

/* Split ring (legacy layout) */
#define TMMR_VRING_DESC_F_NEXT		1
#define TMMR_VRING_DESC_F_WRITE		2
#define TMMR_VRING_DESC_F_INDIRECT	4
#define TMMR_VRING_USED_F_NO_NOTIFY	1
#define TMMR_VRING_AVAIL_F_NO_INTERRUPT	1

struct tmmr_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct tmmr_vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
	/* uint16_t used_event follows ring[num] */
};

struct tmmr_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct tmmr_vring_used {
	uint16_t flags;
	uint16_t idx;
	struct tmmr_vring_used_elem ring[];
	/* uint16_t avail_event follows ring[num] */
};

/* Byte offsets of the three parts of a legacy ring of @num entries. */
static inline uint64_t
tmmr_vring_avail_off(uint32_t num)
{
	return (uint64_t)num * sizeof(struct tmmr_vring_desc);
}

static inline uint64_t
tmmr_vring_used_off(uint32_t num)
{
	uint64_t end = tmmr_vring_avail_off(num) + 2 * sizeof(uint16_t) +
		(uint64_t)num * sizeof(uint16_t) + sizeof(uint16_t);

	return (end + TMMR_LEG_RING_ALIGN - 1) & ~(uint64_t)(TMMR_LEG_RING_ALIGN - 1);
}

static inline uint64_t
tmmr_vring_size(uint32_t num)
{
	return tmmr_vring_used_off(num) + 2 * sizeof(uint16_t) +
		(uint64_t)num * sizeof(struct tmmr_vring_used_elem) + sizeof(uint16_t);
}

/* Net header (legacy): 10 bytes, 12 with MRG_RXBUF */
#define TMMR_NET_HDR_F_NEEDS_CSUM	1
#define TMMR_NET_HDR_F_DATA_VALID	2
#define TMMR_NET_HDR_GSO_NONE		0
#define TMMR_NET_HDR_GSO_TCPV4		1
#define TMMR_NET_HDR_GSO_UDP		3
#define TMMR_NET_HDR_GSO_TCPV6		4
#define TMMR_NET_HDR_GSO_ECN		0x80

struct tmmr_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
} __attribute__((packed));

struct tmmr_net_hdr_mrg {
	struct tmmr_net_hdr hdr;
	uint16_t num_buffers;
} __attribute__((packed));

/* Control virtqueue (virtio-net queue indices: rx0, tx0, rx1, tx1, ..., ctrl last) */
#define TMMR_NET_CTRL_RX		0
#define TMMR_NET_CTRL_RX_PROMISC	0
#define TMMR_NET_CTRL_RX_ALLMULTI	1
#define TMMR_NET_CTRL_MAC		1
#define TMMR_NET_CTRL_MAC_TABLE_SET	0
#define TMMR_NET_CTRL_MAC_ADDR_SET	1
#define TMMR_NET_CTRL_VLAN		2
#define TMMR_NET_CTRL_VLAN_ADD		0
#define TMMR_NET_CTRL_VLAN_DEL		1
#define TMMR_NET_CTRL_ANNOUNCE		3
#define TMMR_NET_CTRL_ANNOUNCE_ACK	0
#define TMMR_NET_CTRL_MQ		4
#define TMMR_NET_CTRL_MQ_VQ_PAIRS_SET	0
#define TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN	1
#define TMMR_NET_CTRL_MQ_VQ_PAIRS_MAX	0x8000
#define TMMR_NET_OK			0
#define TMMR_NET_ERR			1

/* VLAN filter: one bit per 12-bit VLAN ID */
#define TMMR_NET_MAX_VLAN		4096

#endif /* TMMR_VIRTIO_LEGACY_H */
