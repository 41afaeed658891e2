/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef PCI_TEST_FAKE_VFU_SERVER_H
#define PCI_TEST_FAKE_VFU_SERVER_H

/*
 * A scripted vfio-user server for the client's tests: a thread serving one
 * connection for a fake MMR VF (config space + 16 KiB BAR0 in memory). It
 * checks every request it gets (srv->bad counts violations, badmsg says the
 * first) and can be told to answer one request wrongly.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tmmr_mmr.h"
#include "tmmr_vfio_user.h"

enum fake_fault {
	FAULT_NONE,
	FAULT_SHORT,		/* reply payload cut short */
	FAULT_BAD_ID,		/* reply with another msg_id */
	FAULT_ERROR,		/* reply with F_ERROR, error_no = fault_errno */
	FAULT_EOF,		/* close the connection instead of replying */
	FAULT_SILENT,		/* never reply, keep the connection */
	FAULT_OVERSIZE,		/* header announces a 1 MiB message */
	FAULT_AS_COMMAND,	/* "reply" flagged as a command */
	FAULT_WRONG_COUNT,	/* REGION_READ reply with another count */
	FAULT_RANDOM,		/* a valid header for this request, then random bytes */
	FAULT_RANDOM_RAW,	/* random bytes instead of a reply, then hang up */
};

#define FAKE_NB_IOEVT	4	/* ioeventfds offered: queues 0..3 */
#define FAKE_MAX_MAPS	256

struct fake_dma_map {
	int fd;
	uint64_t offset;
	uint64_t iova;
	uint64_t size;
	bool live;
};

struct fake_vfu {
	int listen_fd;		/* -1 when serving a socketpair end */
	int sock;
	pthread_t thread;
	pthread_mutex_t lock;	/* guards everything below */

	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	uint8_t bar0[TMMR_BAR0_SIZE];

	/* script */
	uint16_t ver_major, ver_minor;
	int max_fds;		/* advertised max_msg_fds; 0: no JSON */
	bool offer_ioevt;
	uint32_t dev_flags;
	enum fake_fault fault;
	uint16_t fault_cmd;	/* command the fault applies to; 0: any */
	uint32_t fault_errno;
	uint32_t seed;		/* for the random faults */

	/* what happened */
	unsigned int bad;
	char badmsg[256];
	unsigned int n_cmd[16];
	unsigned int n_cfg_reads;
	int ioevt[FAKE_NB_IOEVT];
	int irq_fd[64];		/* the eventfd of each MSI-X vector, or -1 */
	unsigned int n_set_irqs;
	uint32_t last_irq_flags, last_irq_start, last_irq_count;
	struct fake_dma_map maps[FAKE_MAX_MAPS];
	unsigned int n_maps, n_unmaps;
	uint32_t last_wr_region;
	uint64_t last_wr_off;
	uint32_t last_wr_count;
	uint8_t last_wr_data[8];
	bool done;
};

/* Serve one end of a socketpair; returns the client's end. */
int fake_vfu_start_pair(struct fake_vfu *s);
/* Listen on @path and serve the first connection. 0 or -1. */
int fake_vfu_start_listen(struct fake_vfu *s, const char *path);
/* Set up the defaults (good VF, version 0.1, 64 fds, ioeventfds offered). */
void fake_vfu_init(struct fake_vfu *s);
/* Wait for the server to end (the client closed) and free everything. */
void fake_vfu_join(struct fake_vfu *s);
/* Arm a fault for the next request of @cmd (0: any). */
void fake_vfu_fault(struct fake_vfu *s, enum fake_fault f, uint16_t cmd);
/* Close the connection from the server side now. */
void fake_vfu_hangup(struct fake_vfu *s);
/* Signal MSI-X vector @vec from the device side: 0 or -1. */
int fake_vfu_raise(struct fake_vfu *s, unsigned int vec);

#endif /* PCI_TEST_FAKE_VFU_SERVER_H */
