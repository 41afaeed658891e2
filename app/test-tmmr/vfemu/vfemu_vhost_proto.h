/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef VFEMU_VHOST_PROTO_H
#define VFEMU_VHOST_PROTO_H

/*
 * vhost-user wire format (QEMU docs/interop/vhost-user.rst), the subset the
 * model's frontend speaks. Shared by the frontend and its tests' fake backend.
 * All fields are in host byte order (the protocol is local to one machine).
 */

#include <stdint.h>

enum vhost_user_request {
	VHOST_USER_REQ_GET_FEATURES = 1,
	VHOST_USER_REQ_SET_FEATURES = 2,
	VHOST_USER_REQ_SET_OWNER = 3,
	VHOST_USER_REQ_SET_MEM_TABLE = 5,
	VHOST_USER_REQ_SET_VRING_NUM = 8,
	VHOST_USER_REQ_SET_VRING_ADDR = 9,
	VHOST_USER_REQ_SET_VRING_BASE = 10,
	VHOST_USER_REQ_GET_VRING_BASE = 11,
	VHOST_USER_REQ_SET_VRING_KICK = 12,
	VHOST_USER_REQ_SET_VRING_CALL = 13,
	VHOST_USER_REQ_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_REQ_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_REQ_GET_QUEUE_NUM = 17,
	VHOST_USER_REQ_SET_VRING_ENABLE = 18,
	VHOST_USER_REQ_NET_SET_MTU = 20,
	VHOST_USER_REQ_IOTLB_MSG = 22,
};

/* header flags */
#define VHOST_USER_FLAG_VERSION_MASK	0x3u
#define VHOST_USER_FLAG_VERSION		0x1u
#define VHOST_USER_FLAG_REPLY		0x4u
#define VHOST_USER_FLAG_NEED_REPLY	0x8u

/* virtio feature bit that announces GET/SET_PROTOCOL_FEATURES */
#define VHOST_USER_F_PROTOCOL_FEATURES	30

/*
 * virtio feature bit (VIRTIO_F_ACCESS_PLATFORM, once IOMMU_PLATFORM): ring and
 * buffer addresses are IOVAs the backend translates through IOTLB entries the
 * frontend sends (IOTLB_MSG) into addresses of the memory table's regions
 */
#define VHOST_USER_F_IOMMU_PLATFORM	33

/* protocol feature bits */
#define VHOST_USER_PROTOCOL_F_MQ	0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3
#define VHOST_USER_PROTOCOL_F_NET_MTU	4	/* NET_SET_MTU: the device's MTU, u64 */

/* SET_VRING_KICK/CALL payload: ring index in the low byte, bit 8 = no fd */
#define VHOST_USER_VRING_INDEX_MASK	0xffu
#define VHOST_USER_VRING_NOFD		0x100u

/* fds a SET_MEM_TABLE may carry without CONFIGURE_MEM_SLOTS */
#define VHOST_USER_MAX_REGIONS		8

struct vhost_user_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
};

struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};

/* IOTLB_MSG payload (the layout of Linux's struct vhost_iotlb_msg) */
#define VHOST_USER_IOTLB_ACCESS_RW	3
#define VHOST_USER_IOTLB_UPDATE		2
#define VHOST_USER_IOTLB_INVALIDATE	3

struct vhost_user_iotlb {
	uint64_t iova;
	uint64_t size;
	uint64_t uaddr;
	uint8_t perm;
	uint8_t type;
	uint8_t padding[6];
};

struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;		/* payload bytes that follow */
};

union vhost_user_payload {
	uint64_t u64;
	struct vhost_user_vring_state state;
	struct vhost_user_vring_addr addr;
	struct vhost_user_memory memory;
	struct vhost_user_iotlb iotlb;
};

/* one message as it travels: header immediately followed by the payload */
struct vhost_user_msg {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
} __attribute__((packed));

#define VHOST_USER_HDR_SIZE ((uint32_t)sizeof(struct vhost_user_hdr))

#endif /* VFEMU_VHOST_PROTO_H */
