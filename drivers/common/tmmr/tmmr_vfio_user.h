/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_VFIO_USER_H
#define TMMR_VFIO_USER_H

/*
 * Wire format of the vfio-user subset tmmr speaks (protocol 0.1, host
 * endianness, one AF_UNIX stream socket per VF, fds as SCM_RIGHTS).
 * Plain C, no DPDK: the PCI glue's client and the model's server both use it.
 * The indices, flags and argument structs that mirror <linux/vfio.h> are tied
 * to it in tmmr_abi_check.c; the message header, the commands and the
 * vfio-user-only structs follow the vfio-user specification, which has no C
 * header to compare with.
 */

#include <stdint.h>

#define TMMR_VFU_VERSION_MAJOR		0
#define TMMR_VFU_VERSION_MINOR		1
#define TMMR_VFU_SOCK_NAME		"vfio-user.sock"
#define TMMR_VFU_MAX_MSG_SIZE		(64 * 1024)	/* largest message either side accepts */
#define TMMR_VFU_MAX_DATA_XFER		4096		/* REGION_READ/WRITE count limit */
#define TMMR_VFU_MAX_FDS		64		/* fds in one message */

enum tmmr_vfu_cmd {
	TMMR_VFU_VERSION = 1,
	TMMR_VFU_DMA_MAP = 2,
	TMMR_VFU_DMA_UNMAP = 3,
	TMMR_VFU_DEVICE_GET_INFO = 4,
	TMMR_VFU_DEVICE_GET_REGION_INFO = 5,
	TMMR_VFU_DEVICE_GET_REGION_IO_FDS = 6,
	TMMR_VFU_DEVICE_GET_IRQ_INFO = 7,
	TMMR_VFU_DEVICE_SET_IRQS = 8,
	TMMR_VFU_REGION_READ = 9,
	TMMR_VFU_REGION_WRITE = 10,
	TMMR_VFU_DMA_READ = 11,
	TMMR_VFU_DMA_WRITE = 12,
	TMMR_VFU_DEVICE_RESET = 13,
};

/* header flags */
#define TMMR_VFU_F_TYPE_MASK		0xf
#define TMMR_VFU_F_TYPE_COMMAND		0x0
#define TMMR_VFU_F_TYPE_REPLY		0x1
#define TMMR_VFU_F_NO_REPLY		(1u << 4)
#define TMMR_VFU_F_ERROR		(1u << 5)

struct tmmr_vfu_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size;		/* whole message, header included */
	uint32_t flags;
	uint32_t error_no;	/* errno, valid in replies with F_ERROR */
};

struct tmmr_vfu_version {
	uint16_t major;
	uint16_t minor;
	char caps[];		/* optional NUL-terminated JSON */
};

/* DMA_MAP flags */
#define TMMR_VFU_DMA_READ_OK		(1u << 0)
#define TMMR_VFU_DMA_WRITE_OK		(1u << 1)

struct tmmr_vfu_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset;	/* into the fd passed with the message */
	uint64_t addr;		/* IOVA */
	uint64_t size;
};

struct tmmr_vfu_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};

struct tmmr_vfu_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
};
#define TMMR_VFU_DEV_F_RESET		(1u << 0)
#define TMMR_VFU_DEV_F_PCI		(1u << 1)

/* standard vfio-pci indices */
#define TMMR_VFU_REGION_BAR0		0
#define TMMR_VFU_REGION_CONFIG		7
#define TMMR_VFU_NUM_REGIONS		9
#define TMMR_VFU_IRQ_INTX		0
#define TMMR_VFU_IRQ_MSI		1
#define TMMR_VFU_IRQ_MSIX		2
#define TMMR_VFU_NUM_IRQS		5

struct tmmr_vfu_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset;
};
#define TMMR_VFU_REGION_F_READ		(1u << 0)
#define TMMR_VFU_REGION_F_WRITE		(1u << 1)
#define TMMR_VFU_REGION_F_MMAP		(1u << 2)

struct tmmr_vfu_region_io_fds_req {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};

struct tmmr_vfu_sub_region_ioeventfd {
	uint64_t offset;	/* within the region */
	uint64_t size;		/* access width that triggers it */
	uint32_t fd_index;
	uint32_t type;		/* 0: ioeventfd */
	uint32_t flags;
	uint32_t padding;
	uint64_t datamatch;	/* value written; matched when flags & DATAMATCH */
};
#define TMMR_VFU_IOEVENTFD_F_DATAMATCH	(1u << 0)

struct tmmr_vfu_region_io_fds_reply {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
	struct tmmr_vfu_sub_region_ioeventfd sub[];
};

struct tmmr_vfu_irq_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};
#define TMMR_VFU_IRQ_INFO_F_EVENTFD	(1u << 0)

struct tmmr_vfu_irq_set {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
};
#define TMMR_VFU_IRQ_SET_DATA_NONE	(1u << 0)
#define TMMR_VFU_IRQ_SET_DATA_BOOL	(1u << 1)
#define TMMR_VFU_IRQ_SET_DATA_EVENTFD	(1u << 2)
#define TMMR_VFU_IRQ_SET_ACTION_MASK	(1u << 3)
#define TMMR_VFU_IRQ_SET_ACTION_UNMASK	(1u << 4)
#define TMMR_VFU_IRQ_SET_ACTION_TRIGGER	(1u << 5)

struct tmmr_vfu_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[];		/* WRITE request and READ reply only */
};

#endif /* TMMR_VFIO_USER_H */
