/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef MODEL_HARNESS_H
#define MODEL_HARNESS_H

/*
 * Drives the model in-process: the PF and its VFs on a loop that the test
 * pumps itself, and a raw vfio-user client written from the protocol
 * document, not from the model's server. Single-threaded, so every test is
 * deterministic.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmmr_mmr.h"
#include "tmmr_vfio_user.h"
#include "tmmr_virtio_legacy.h"
#include "vfemu_pf.h"

struct mh {
	char dir[128];
	struct vfemu_loop *loop;
	struct vfemu_pf *pf;
	int fd;			/* vfio-user client, -1 if none */
	uint16_t msg_id;
	uint16_t last_reply_id;
	uint32_t last_reply_flags;
};

struct mh_cfg {
	unsigned int nb_vfs;
	uint16_t pairs;
	const char *backend_prefix;
	bool backend_server;
	const char *dir;	/* NULL: a fresh one under /tmp/model */
	uint16_t mtu;		/* 0: the model's default */
};

/* a memfd the test can see and the model maps through DMA_MAP */
struct mh_mem {
	int fd;
	uint8_t *va;
	uint64_t iova;
	uint64_t size;
};

int mh_setup(struct mh *h, const struct mh_cfg *cfg);
void mh_teardown(struct mh *h);
void mh_pump(struct mh *h, int rounds);

/* connect to VF @vf's socket (no VERSION yet) */
int mh_connect_raw(struct mh *h, unsigned int vf);
/* connect and negotiate VERSION */
int mh_connect(struct mh *h, unsigned int vf);
void mh_close(struct mh *h);
/* the server closed the connection (pumps the loop while waiting) */
bool mh_peer_closed(struct mh *h, int fd);

int mh_send_raw(struct mh *h, const void *buf, size_t len, const int *fds, unsigned int nb_fds);
/*
 * Receive one reply; @out gets the payload. Returns the payload length, or
 * -error_no for an error reply, or -1000 if the connection closed/timed out.
 */
int mh_recv(struct mh *h, void *out, size_t cap, int *fds, unsigned int *nb_fds);
int mh_rpc(struct mh *h, uint16_t cmd, const void *payload, uint32_t len, const int *fds,
	   unsigned int nb_fds, void *out, size_t cap, int *rfds, unsigned int *rnb_fds);

int mh_region_read(struct mh *h, uint32_t region, uint64_t off, void *buf, uint32_t count);
int mh_region_write(struct mh *h, uint32_t region, uint64_t off, const void *buf,
		    uint32_t count);
/* BAR0 register of @width at @off, little-endian; 0 or -errno */
int mh_bar_read(struct mh *h, uint64_t off, unsigned int width, uint32_t *val);
int mh_bar_write(struct mh *h, uint64_t off, unsigned int width, uint32_t val);
uint32_t mh_leg_read(struct mh *h, uint32_t reg, unsigned int width);
void mh_leg_write(struct mh *h, uint32_t reg, unsigned int width, uint32_t val);

int mh_mem_create(struct mh_mem *m, uint64_t iova, uint64_t size);
void mh_mem_destroy(struct mh_mem *m);
int mh_dma_map(struct mh *h, const struct mh_mem *m);
int mh_dma_map_raw(struct mh *h, uint64_t iova, uint64_t size, uint64_t offset, int fd);
int mh_dma_unmap(struct mh *h, uint64_t iova, uint64_t size);
/* MSI-X vectors [start, start+count) to fresh eventfds returned in @efds */
int mh_set_msix(struct mh *h, uint32_t start, uint32_t count, int *efds);
/* was the eventfd signalled (reads and clears it) */
bool mh_efd_fired(int efd);

/* status line key of VF @vf, as an integer (hex accepted) or string */
long mh_status_num(struct mh *h, unsigned int vf, const char *key);
int mh_status_str(struct mh *h, unsigned int vf, const char *key, char *buf, size_t len);
/* run a control command in-process */
void mh_ctl(struct mh *h, const char *line, char *out, size_t len);

int mh_count_fds(void);

#endif /* MODEL_HARNESS_H */
