/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the PMD's vfio-user client (tmmr_vfu_client.c and the
 * transport above it, tmmr_pci_vfu.c) against a hostile server. A thread
 * serves one end of a socketpair: it reads each request the client sends and
 * answers it with the next record of the input:
 *
 *   u8 ctl, u16 len (little-endian), len bytes
 *   ctl & 3: 0 raw reply = the bytes (ctl & 4: header fixed up to this
 *              request's msg_id, cmd, REPLY type and the real size)
 *            1 the reply a good server would give
 *            2 the good reply overwritten from offset bytes[0..1] by bytes[2..]
 *            3 hang up instead of replying
 *   (ctl >> 3) & 3: eventfds sent with the reply
 *   ctl & 0x20: hang up after the reply
 * A reply whose header size differs from the bytes sent is followed by a
 * hang-up (the client would otherwise wait its timeout for the rest); so is
 * the end of the input. The client runs attach, load_layout, register
 * accesses, doorbells, MSI-X setup/teardown, FLR and close; afterwards no fd
 * may have leaked.
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <rte_log.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_vfio_user.h"
#include "tmmr_virtio_legacy.h"
#include "pci_doorbell.h"
#include "cfg_builder.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_SIZE	sizeof(struct tmmr_vfu_hdr)
#define REPLY_MAX	(HDR_SIZE + sizeof(struct tmmr_vfu_region_access) + TMMR_VFU_MAX_DATA_XFER)

struct server {
	int sock;
	struct fz_in in;
	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	uint8_t req[TMMR_VFU_MAX_MSG_SIZE];
	uint8_t rep[REPLY_MAX + 4096];
};

static uint8_t vf_cfg[TMMR_PCI_CFG_SIZE];

/* The reply of a well-behaved MMR VF server; its total length. */
static size_t
good_reply(struct server *s, const struct tmmr_vfu_hdr *rq, const uint8_t *body, size_t blen)
{
	struct tmmr_vfu_hdr *h = (struct tmmr_vfu_hdr *)s->rep;
	uint8_t *out = s->rep + HDR_SIZE;
	size_t len = 0;

	memset(s->rep, 0, REPLY_MAX);
	switch (rq->cmd) {
	case TMMR_VFU_VERSION: {
		static const char caps[] =
			"{\"capabilities\":{\"max_msg_fds\":64,\"max_data_xfer_size\":4096}}";
		struct tmmr_vfu_version v = { .major = 0, .minor = 1 };

		memcpy(out, &v, sizeof(v));
		memcpy(out + sizeof(v), caps, sizeof(caps));
		len = sizeof(v) + sizeof(caps);
		break;
	}
	case TMMR_VFU_DEVICE_GET_INFO: {
		struct tmmr_vfu_device_info di = {
			.argsz = sizeof(di),
			.flags = TMMR_VFU_DEV_F_PCI | TMMR_VFU_DEV_F_RESET,
			.num_regions = TMMR_VFU_NUM_REGIONS,
			.num_irqs = TMMR_VFU_NUM_IRQS,
		};

		memcpy(out, &di, sizeof(di));
		len = sizeof(di);
		break;
	}
	case TMMR_VFU_DEVICE_GET_REGION_INFO: {
		struct tmmr_vfu_region_info ri = { .argsz = sizeof(ri) };

		if (blen >= sizeof(ri))
			memcpy(&ri, body, sizeof(ri));
		ri.argsz = sizeof(ri);
		ri.flags = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
		ri.size = ri.index == TMMR_VFU_REGION_BAR0 ? TMMR_BAR0_SIZE :
			  ri.index == TMMR_VFU_REGION_CONFIG ? TMMR_PCI_CFG_SIZE : 0;
		ri.offset = (uint64_t)ri.index << 40;
		memcpy(out, &ri, sizeof(ri));
		len = sizeof(ri);
		break;
	}
	case TMMR_VFU_DEVICE_GET_REGION_IO_FDS: {
		struct tmmr_vfu_region_io_fds_reply r = { .argsz = sizeof(r) };

		memcpy(out, &r, sizeof(r));
		len = sizeof(r);
		break;
	}
	case TMMR_VFU_REGION_READ: {
		struct tmmr_vfu_region_access ra = { 0 };

		if (blen >= sizeof(ra))
			memcpy(&ra, body, sizeof(ra));
		if (ra.count > TMMR_VFU_MAX_DATA_XFER)
			ra.count = TMMR_VFU_MAX_DATA_XFER;
		memcpy(out, &ra, sizeof(ra));
		if (ra.region == TMMR_VFU_REGION_CONFIG && ra.offset < TMMR_PCI_CFG_SIZE)
			memcpy(out + sizeof(ra), s->cfg + ra.offset,
			       ra.count < TMMR_PCI_CFG_SIZE - ra.offset ? ra.count :
			       TMMR_PCI_CFG_SIZE - ra.offset);
		len = sizeof(ra) + ra.count;
		break;
	}
	case TMMR_VFU_REGION_WRITE: {
		struct tmmr_vfu_region_access ra = { 0 };

		if (blen >= sizeof(ra))
			memcpy(&ra, body, sizeof(ra));
		memcpy(out, &ra, sizeof(ra));
		len = sizeof(ra);
		break;
	}
	default:
		break;
	}
	h->msg_id = rq->msg_id;
	h->cmd = rq->cmd;
	h->flags = TMMR_VFU_F_TYPE_REPLY;
	h->size = (uint32_t)(HDR_SIZE + len);
	return HDR_SIZE + len;
}

static int
send_reply(struct server *s, size_t len, unsigned int nfds)
{
	int fds[3], rc;
	unsigned int i;

	for (i = 0; i < nfds; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	rc = len > 0 || nfds > 0 ? fz_send(s->sock, s->rep, len, fds, nfds, MSG_NOSIGNAL) : 0;
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

static void *
server_main(void *arg)
{
	struct server *s = arg;

	for (;;) {
		struct tmmr_vfu_hdr rq, *h;
		const uint8_t *in;
		uint8_t ctl;
		size_t len, blen, rlen;
		bool hangup;

		if (fz_recv_full(s->sock, &rq, HDR_SIZE) != 0 || rq.size < HDR_SIZE ||
		    rq.size > TMMR_VFU_MAX_MSG_SIZE)
			break;
		blen = rq.size - HDR_SIZE;
		if (fz_recv_full(s->sock, s->req, blen) != 0)
			break;
		in = fz_record(&s->in, &ctl, &rlen);
		if (in == NULL)
			break;
		hangup = (ctl & 0x20) != 0;
		switch (ctl & 3) {
		case 0:
			len = rlen < REPLY_MAX ? rlen : REPLY_MAX;
			memcpy(s->rep, in, len);
			if ((ctl & 4) && len >= HDR_SIZE) {
				h = (struct tmmr_vfu_hdr *)s->rep;
				h->msg_id = rq.msg_id;
				h->cmd = rq.cmd;
				h->flags = (h->flags & ~TMMR_VFU_F_TYPE_MASK) |
					   TMMR_VFU_F_TYPE_REPLY;
				h->size = (uint32_t)len;
			}
			break;
		case 1:
			len = good_reply(s, &rq, s->req, blen);
			break;
		case 2: {
			size_t off = 0;

			len = good_reply(s, &rq, s->req, blen);
			if (rlen >= 2) {
				off = (size_t)(in[0] | in[1] << 8) % REPLY_MAX;
				len = fz_overlay(s->rep, sizeof(s->rep), off, in + 2, rlen - 2u,
						 len);
			}
			break;
		}
		default:
			len = 0;
			hangup = true;
			break;
		}
		h = (struct tmmr_vfu_hdr *)s->rep;
		/* nothing sent, or a size the bytes do not match: the peer would wait */
		if (len < HDR_SIZE || h->size != len)
			hangup = true;
		if (send_reply(s, len, (ctl >> 3) & 3) != 0 || hangup)
			break;
	}
	shutdown(s->sock, SHUT_RDWR);
	close(s->sock);
	return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* TMMR_FUZZ_VERBOSE=1: every log line of the code under test */
	if (fz_verbose())
		rte_log_set_level_pattern("pmd.*", RTE_LOG_DEBUG);
	else
		rte_log_set_global_level(RTE_LOG_EMERG);
	cb_build_vf(vf_cfg);
	return 0;
}

static void
drive(struct tmmr_pci *p)
{
	const struct tmmr_pci_ops *ops = p->ops;
	struct tmmr_doorbell n;
	uint8_t buf[64];
	uint32_t v;

	tmmr_pci_vfu_set_timeout(p, 2000);
	if (tmmr_pci_load_layout(p) != 0)
		return;
	v = tmmr_leg_read(p, TMMR_LEG_DEVICE_FEATURES, 4);
	tmmr_leg_write(p, TMMR_LEG_DRIVER_FEATURES, v, 4);
	tmmr_leg_write(p, TMMR_LEG_STATUS, TMMR_STATUS_ACK, 1);
	(void)tmmr_leg_read(p, TMMR_LEG_QUEUE_SIZE, 2);
	ops->cfg_read(p, buf, sizeof(buf), 0);
	test_doorbell(p, 0, &n);
	tmmr_doorbell_ring(&n);
	(void)ops->kick(p, 1);
	if (ops->intr_setup(p, 3) == 0)
		ops->intr_teardown(p);
	ops->fn_reset(p);
	ops->alive(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct server s;
	struct tmmr_pci *p;
	pthread_t th;
	int sv[2], before;

	before = fz_count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	s.sock = sv[1];
	s.in = (struct fz_in){ .p = data, .left = size };
	memcpy(s.cfg, vf_cfg, sizeof(s.cfg));
	if (pthread_create(&th, NULL, server_main, &s) != 0)
		abort();
	p = tmmr_pci_alloc("fuzz");
	if (p == NULL)
		abort();
	if (tmmr_pci_vfu_attach_fd(p, sv[0], NULL) == 0)
		drive(p);
	tmmr_pci_close(p);
	pthread_join(th, NULL);
	fz_check_fds(before, stderr);
	return 0;
}
