/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Ties every number that the driver and the model share to Linux's uapi
 * headers, a source neither side wrote, wherever Linux defines it: the virtio
 * legacy ABI of tmmr_virtio_legacy.h (legacy registers, status, ISR and feature
 * bits, net config, split ring structs, net header, control-queue codes), the
 * PCI numbers of tmmr_mmr.h, and what tmmr_vfio_user.h mirrors of
 * <linux/vfio.h>. Both sides agreeing on a wrong
 * constant would pass every test; here it fails the build. Compiled in every
 * build (drivers/common/tmmr/meson.build); app/test-tmmr/tests/pci/
 * test_abi_mutate.py changes each shared value in a copy and checks that this
 * file then fails to compile.
 *
 * No Linux twin, so not checked here:
 * - tmmr_mmr.h: the binding's own numbers (device IDs, class, BAR0 layout,
 *   cfg_type 10, the VSEC and its body) and the device limits; the binding
 *   page and its clause tests are their reference;
 * - tmmr_virtio_legacy.h: TMMR_ISR_QUEUE (Linux names only the config bit),
 *   TMMR_VHOST_USER_F_PROTOCOL_FEATURES (vhost-user's, not virtio's) and
 *   TMMR_NET_MAX_VLAN (the 12-bit VLAN ID space);
 * - tmmr_vfio_user.h: the message header, commands, limits and the
 *   vfio-user-only structs (version, region access, io fds).
 * The ring layout functions are compared with Linux's vring_init() at run
 * time by the pci_abi test.
 */

#include <assert.h>
#include <stddef.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "tmmr_mmr.h"
#include "tmmr_vfio_user.h"
#include "tmmr_virtio_legacy.h"

#define SAME(ours, theirs) \
	static_assert((ours) == (theirs), #ours " differs from Linux's " #theirs)

/* same offset and width of a field in our struct and in Linux's */
#define SAME_FIELD(ours, ofield, theirs, tfield) \
	static_assert(offsetof(ours, ofield) == offsetof(theirs, tfield) && \
		sizeof(((ours *)0)->ofield) == sizeof(((theirs *)0)->tfield), \
		#ours "." #ofield " differs from Linux's " #theirs "." #tfield)

#define SAME_SIZE(ours, theirs) \
	static_assert(sizeof(ours) == sizeof(theirs), \
		"size of " #ours " differs from Linux's " #theirs)

/* same offset and element size of a flexible array member */
#define SAME_FLEX(ours, ofield, theirs, tfield) \
	static_assert(offsetof(ours, ofield) == offsetof(theirs, tfield) && \
		sizeof(((ours *)0)->ofield[0]) == sizeof(((theirs *)0)->tfield[0]), \
		#ours "." #ofield "[] differs from Linux's " #theirs "." #tfield "[]")

/* PCI */
SAME(TMMR_PCI_CFG_SIZE, PCI_CFG_SPACE_EXP_SIZE);
SAME(TMMR_PCI_CAP_ID_VNDR, PCI_CAP_ID_VNDR);
SAME(TMMR_PCI_CAP_ID_EXP, PCI_CAP_ID_EXP);
SAME(TMMR_PCI_CAP_ID_MSIX, PCI_CAP_ID_MSIX);
SAME(TMMR_PCI_EXT_CAP_ID_SRIOV, PCI_EXT_CAP_ID_SRIOV);
SAME(TMMR_PCI_EXT_CAP_ID_VSEC, PCI_EXT_CAP_ID_VNDR);
SAME(TMMR_PCI_EXT_CAP_START, PCI_CFG_SPACE_SIZE);
SAME(TMMR_PCI_SUBSYS_DEVICE_NET, VIRTIO_ID_NET);

/* the VSEC body is the binding's own layout (no Linux twin); its notify capability is not */
SAME(TMMR_VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG);

/* the legacy register block */
SAME(TMMR_LEG_DEVICE_FEATURES, VIRTIO_PCI_HOST_FEATURES);
SAME(TMMR_LEG_DRIVER_FEATURES, VIRTIO_PCI_GUEST_FEATURES);
SAME(TMMR_LEG_QUEUE_PFN, VIRTIO_PCI_QUEUE_PFN);
SAME(TMMR_LEG_QUEUE_SIZE, VIRTIO_PCI_QUEUE_NUM);
SAME(TMMR_LEG_QUEUE_SEL, VIRTIO_PCI_QUEUE_SEL);
SAME(TMMR_LEG_QUEUE_NOTIFY, VIRTIO_PCI_QUEUE_NOTIFY);
SAME(TMMR_LEG_STATUS, VIRTIO_PCI_STATUS);
SAME(TMMR_LEG_ISR, VIRTIO_PCI_ISR);
SAME(TMMR_LEG_MSIX_CONFIG_VECTOR, VIRTIO_MSI_CONFIG_VECTOR);
SAME(TMMR_LEG_MSIX_QUEUE_VECTOR, VIRTIO_MSI_QUEUE_VECTOR);
SAME(TMMR_LEG_DEVCFG_NO_MSIX, VIRTIO_PCI_CONFIG_OFF(0));
SAME(TMMR_LEG_DEVCFG_MSIX, VIRTIO_PCI_CONFIG_OFF(1));
SAME(TMMR_LEG_PFN_SHIFT, VIRTIO_PCI_QUEUE_ADDR_SHIFT);
SAME(TMMR_LEG_RING_ALIGN, VIRTIO_PCI_VRING_ALIGN);
SAME(TMMR_MSI_NO_VECTOR, VIRTIO_MSI_NO_VECTOR);
SAME(TMMR_ISR_CONFIG, VIRTIO_PCI_ISR_CONFIG);

/* device status */
SAME(TMMR_STATUS_ACK, VIRTIO_CONFIG_S_ACKNOWLEDGE);
SAME(TMMR_STATUS_DRIVER, VIRTIO_CONFIG_S_DRIVER);
SAME(TMMR_STATUS_DRIVER_OK, VIRTIO_CONFIG_S_DRIVER_OK);
SAME(TMMR_STATUS_FEATURES_OK, VIRTIO_CONFIG_S_FEATURES_OK);
SAME(TMMR_STATUS_NEEDS_RESET, VIRTIO_CONFIG_S_NEEDS_RESET);
SAME(TMMR_STATUS_FAILED, VIRTIO_CONFIG_S_FAILED);

/* net device config */
SAME(TMMR_NET_CFG_MAC, offsetof(struct virtio_net_config, mac));
SAME(TMMR_NET_CFG_STATUS, offsetof(struct virtio_net_config, status));
SAME(TMMR_NET_CFG_MAX_VQ_PAIRS, offsetof(struct virtio_net_config, max_virtqueue_pairs));
SAME(TMMR_NET_CFG_MTU, offsetof(struct virtio_net_config, mtu));
SAME(TMMR_NET_CFG_LEN, offsetof(struct virtio_net_config, mtu) +
	sizeof(((struct virtio_net_config *)0)->mtu));
SAME(TMMR_NET_S_LINK_UP, VIRTIO_NET_S_LINK_UP);
SAME(TMMR_NET_S_ANNOUNCE, VIRTIO_NET_S_ANNOUNCE);

/* feature bits */
SAME(TMMR_NET_F_CSUM, VIRTIO_NET_F_CSUM);
SAME(TMMR_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_CSUM);
SAME(TMMR_NET_F_MTU, VIRTIO_NET_F_MTU);
SAME(TMMR_NET_F_MAC, VIRTIO_NET_F_MAC);
SAME(TMMR_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO4);
SAME(TMMR_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_TSO6);
SAME(TMMR_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_ECN);
SAME(TMMR_NET_F_GUEST_UFO, VIRTIO_NET_F_GUEST_UFO);
SAME(TMMR_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO4);
SAME(TMMR_NET_F_HOST_TSO6, VIRTIO_NET_F_HOST_TSO6);
SAME(TMMR_NET_F_HOST_ECN, VIRTIO_NET_F_HOST_ECN);
SAME(TMMR_NET_F_HOST_UFO, VIRTIO_NET_F_HOST_UFO);
SAME(TMMR_NET_F_MRG_RXBUF, VIRTIO_NET_F_MRG_RXBUF);
SAME(TMMR_NET_F_STATUS, VIRTIO_NET_F_STATUS);
SAME(TMMR_NET_F_CTRL_VQ, VIRTIO_NET_F_CTRL_VQ);
SAME(TMMR_NET_F_CTRL_RX, VIRTIO_NET_F_CTRL_RX);
SAME(TMMR_NET_F_CTRL_VLAN, VIRTIO_NET_F_CTRL_VLAN);
SAME(TMMR_NET_F_CTRL_RX_EXTRA, VIRTIO_NET_F_CTRL_RX_EXTRA);
SAME(TMMR_NET_F_GUEST_ANNOUNCE, VIRTIO_NET_F_GUEST_ANNOUNCE);
SAME(TMMR_NET_F_MQ, VIRTIO_NET_F_MQ);
SAME(TMMR_NET_F_CTRL_MAC_ADDR, VIRTIO_NET_F_CTRL_MAC_ADDR);
SAME(TMMR_F_NOTIFY_ON_EMPTY, VIRTIO_F_NOTIFY_ON_EMPTY);
SAME(TMMR_F_ANY_LAYOUT, VIRTIO_F_ANY_LAYOUT);
SAME(TMMR_RING_F_INDIRECT_DESC, VIRTIO_RING_F_INDIRECT_DESC);
SAME(TMMR_RING_F_EVENT_IDX, VIRTIO_RING_F_EVENT_IDX);

/* split ring */
SAME(TMMR_VRING_DESC_F_NEXT, VRING_DESC_F_NEXT);
SAME(TMMR_VRING_DESC_F_WRITE, VRING_DESC_F_WRITE);
SAME(TMMR_VRING_DESC_F_INDIRECT, VRING_DESC_F_INDIRECT);
SAME(TMMR_VRING_USED_F_NO_NOTIFY, VRING_USED_F_NO_NOTIFY);
SAME(TMMR_VRING_AVAIL_F_NO_INTERRUPT, VRING_AVAIL_F_NO_INTERRUPT);
SAME_SIZE(struct tmmr_vring_desc, struct vring_desc);
SAME_FIELD(struct tmmr_vring_desc, addr, struct vring_desc, addr);
SAME_FIELD(struct tmmr_vring_desc, len, struct vring_desc, len);
SAME_FIELD(struct tmmr_vring_desc, flags, struct vring_desc, flags);
SAME_FIELD(struct tmmr_vring_desc, next, struct vring_desc, next);
SAME_SIZE(struct tmmr_vring_avail, struct vring_avail);
SAME_FIELD(struct tmmr_vring_avail, flags, struct vring_avail, flags);
SAME_FIELD(struct tmmr_vring_avail, idx, struct vring_avail, idx);
SAME_FLEX(struct tmmr_vring_avail, ring, struct vring_avail, ring);
SAME_SIZE(struct tmmr_vring_used_elem, struct vring_used_elem);
SAME_FIELD(struct tmmr_vring_used_elem, id, struct vring_used_elem, id);
SAME_FIELD(struct tmmr_vring_used_elem, len, struct vring_used_elem, len);
SAME_SIZE(struct tmmr_vring_used, struct vring_used);
SAME_FIELD(struct tmmr_vring_used, flags, struct vring_used, flags);
SAME_FIELD(struct tmmr_vring_used, idx, struct vring_used, idx);
SAME_FLEX(struct tmmr_vring_used, ring, struct vring_used, ring);

/* legacy net header */
SAME(TMMR_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_F_NEEDS_CSUM);
SAME(TMMR_NET_HDR_F_DATA_VALID, VIRTIO_NET_HDR_F_DATA_VALID);
SAME(TMMR_NET_HDR_GSO_NONE, VIRTIO_NET_HDR_GSO_NONE);
SAME(TMMR_NET_HDR_GSO_TCPV4, VIRTIO_NET_HDR_GSO_TCPV4);
SAME(TMMR_NET_HDR_GSO_UDP, VIRTIO_NET_HDR_GSO_UDP);
SAME(TMMR_NET_HDR_GSO_TCPV6, VIRTIO_NET_HDR_GSO_TCPV6);
SAME(TMMR_NET_HDR_GSO_ECN, VIRTIO_NET_HDR_GSO_ECN);
SAME_SIZE(struct tmmr_net_hdr, struct virtio_net_hdr);
SAME_FIELD(struct tmmr_net_hdr, flags, struct virtio_net_hdr, flags);
SAME_FIELD(struct tmmr_net_hdr, gso_type, struct virtio_net_hdr, gso_type);
SAME_FIELD(struct tmmr_net_hdr, hdr_len, struct virtio_net_hdr, hdr_len);
SAME_FIELD(struct tmmr_net_hdr, gso_size, struct virtio_net_hdr, gso_size);
SAME_FIELD(struct tmmr_net_hdr, csum_start, struct virtio_net_hdr, csum_start);
SAME_FIELD(struct tmmr_net_hdr, csum_offset, struct virtio_net_hdr, csum_offset);
SAME_SIZE(struct tmmr_net_hdr_mrg, struct virtio_net_hdr_mrg_rxbuf);
SAME_FIELD(struct tmmr_net_hdr_mrg, hdr, struct virtio_net_hdr_mrg_rxbuf, hdr);
SAME_FIELD(struct tmmr_net_hdr_mrg, num_buffers, struct virtio_net_hdr_mrg_rxbuf, num_buffers);

/* control virtqueue */
SAME(TMMR_NET_CTRL_RX, VIRTIO_NET_CTRL_RX);
SAME(TMMR_NET_CTRL_RX_PROMISC, VIRTIO_NET_CTRL_RX_PROMISC);
SAME(TMMR_NET_CTRL_RX_ALLMULTI, VIRTIO_NET_CTRL_RX_ALLMULTI);
SAME(TMMR_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC);
SAME(TMMR_NET_CTRL_MAC_TABLE_SET, VIRTIO_NET_CTRL_MAC_TABLE_SET);
SAME(TMMR_NET_CTRL_MAC_ADDR_SET, VIRTIO_NET_CTRL_MAC_ADDR_SET);
SAME(TMMR_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN);
SAME(TMMR_NET_CTRL_VLAN_ADD, VIRTIO_NET_CTRL_VLAN_ADD);
SAME(TMMR_NET_CTRL_VLAN_DEL, VIRTIO_NET_CTRL_VLAN_DEL);
SAME(TMMR_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE);
SAME(TMMR_NET_CTRL_ANNOUNCE_ACK, VIRTIO_NET_CTRL_ANNOUNCE_ACK);
SAME(TMMR_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ);
SAME(TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET);
SAME(TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN);
SAME(TMMR_NET_CTRL_MQ_VQ_PAIRS_MAX, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX);
SAME(TMMR_NET_OK, VIRTIO_NET_OK);
SAME(TMMR_NET_ERR, VIRTIO_NET_ERR);

/* vfio-user mirrors VFIO's indices, flags and argument structs */
SAME(TMMR_VFU_REGION_BAR0, VFIO_PCI_BAR0_REGION_INDEX);
SAME(TMMR_VFU_REGION_CONFIG, VFIO_PCI_CONFIG_REGION_INDEX);
SAME(TMMR_VFU_NUM_REGIONS, VFIO_PCI_NUM_REGIONS);
SAME(TMMR_VFU_IRQ_INTX, VFIO_PCI_INTX_IRQ_INDEX);
SAME(TMMR_VFU_IRQ_MSI, VFIO_PCI_MSI_IRQ_INDEX);
SAME(TMMR_VFU_IRQ_MSIX, VFIO_PCI_MSIX_IRQ_INDEX);
SAME(TMMR_VFU_NUM_IRQS, VFIO_PCI_NUM_IRQS);
SAME(TMMR_VFU_DEV_F_RESET, VFIO_DEVICE_FLAGS_RESET);
SAME(TMMR_VFU_DEV_F_PCI, VFIO_DEVICE_FLAGS_PCI);
SAME(TMMR_VFU_REGION_F_READ, VFIO_REGION_INFO_FLAG_READ);
SAME(TMMR_VFU_REGION_F_WRITE, VFIO_REGION_INFO_FLAG_WRITE);
SAME(TMMR_VFU_REGION_F_MMAP, VFIO_REGION_INFO_FLAG_MMAP);
SAME(TMMR_VFU_IRQ_INFO_F_EVENTFD, VFIO_IRQ_INFO_EVENTFD);
SAME(TMMR_VFU_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_NONE);
SAME(TMMR_VFU_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_BOOL);
SAME(TMMR_VFU_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_EVENTFD);
SAME(TMMR_VFU_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_MASK);
SAME(TMMR_VFU_IRQ_SET_ACTION_UNMASK, VFIO_IRQ_SET_ACTION_UNMASK);
SAME(TMMR_VFU_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER);
SAME(TMMR_VFU_DMA_READ_OK, VFIO_DMA_MAP_FLAG_READ);
SAME(TMMR_VFU_DMA_WRITE_OK, VFIO_DMA_MAP_FLAG_WRITE);
SAME_FIELD(struct tmmr_vfu_device_info, argsz, struct vfio_device_info, argsz);
SAME_FIELD(struct tmmr_vfu_device_info, flags, struct vfio_device_info, flags);
SAME_FIELD(struct tmmr_vfu_device_info, num_regions, struct vfio_device_info, num_regions);
SAME_FIELD(struct tmmr_vfu_device_info, num_irqs, struct vfio_device_info, num_irqs);
SAME_SIZE(struct tmmr_vfu_region_info, struct vfio_region_info);
SAME_FIELD(struct tmmr_vfu_region_info, argsz, struct vfio_region_info, argsz);
SAME_FIELD(struct tmmr_vfu_region_info, flags, struct vfio_region_info, flags);
SAME_FIELD(struct tmmr_vfu_region_info, index, struct vfio_region_info, index);
SAME_FIELD(struct tmmr_vfu_region_info, cap_offset, struct vfio_region_info, cap_offset);
SAME_FIELD(struct tmmr_vfu_region_info, size, struct vfio_region_info, size);
SAME_FIELD(struct tmmr_vfu_region_info, offset, struct vfio_region_info, offset);
SAME_SIZE(struct tmmr_vfu_irq_info, struct vfio_irq_info);
SAME_FIELD(struct tmmr_vfu_irq_info, argsz, struct vfio_irq_info, argsz);
SAME_FIELD(struct tmmr_vfu_irq_info, flags, struct vfio_irq_info, flags);
SAME_FIELD(struct tmmr_vfu_irq_info, index, struct vfio_irq_info, index);
SAME_FIELD(struct tmmr_vfu_irq_info, count, struct vfio_irq_info, count);
SAME_SIZE(struct tmmr_vfu_irq_set, struct vfio_irq_set);
SAME_FIELD(struct tmmr_vfu_irq_set, argsz, struct vfio_irq_set, argsz);
SAME_FIELD(struct tmmr_vfu_irq_set, flags, struct vfio_irq_set, flags);
SAME_FIELD(struct tmmr_vfu_irq_set, index, struct vfio_irq_set, index);
SAME_FIELD(struct tmmr_vfu_irq_set, start, struct vfio_irq_set, start);
SAME_FIELD(struct tmmr_vfu_irq_set, count, struct vfio_irq_set, count);
/* DMA_MAP carries a file offset where VFIO's type1 map has the process address */
SAME_SIZE(struct tmmr_vfu_dma_map, struct vfio_iommu_type1_dma_map);
SAME_FIELD(struct tmmr_vfu_dma_map, argsz, struct vfio_iommu_type1_dma_map, argsz);
SAME_FIELD(struct tmmr_vfu_dma_map, flags, struct vfio_iommu_type1_dma_map, flags);
SAME_FIELD(struct tmmr_vfu_dma_map, offset, struct vfio_iommu_type1_dma_map, vaddr);
SAME_FIELD(struct tmmr_vfu_dma_map, addr, struct vfio_iommu_type1_dma_map, iova);
SAME_FIELD(struct tmmr_vfu_dma_map, size, struct vfio_iommu_type1_dma_map, size);
SAME_SIZE(struct tmmr_vfu_dma_unmap, struct vfio_iommu_type1_dma_unmap);
SAME_FIELD(struct tmmr_vfu_dma_unmap, argsz, struct vfio_iommu_type1_dma_unmap, argsz);
SAME_FIELD(struct tmmr_vfu_dma_unmap, flags, struct vfio_iommu_type1_dma_unmap, flags);
SAME_FIELD(struct tmmr_vfu_dma_unmap, addr, struct vfio_iommu_type1_dma_unmap, iova);
SAME_FIELD(struct tmmr_vfu_dma_unmap, size, struct vfio_iommu_type1_dma_unmap, size);
