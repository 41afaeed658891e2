/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#ifndef TMMR_VDPA_H
#define TMMR_VDPA_H

/*
 * vDPA mode (devarg class=vdpa): the VF runs a vhost-user guest's own rings.
 * tmmr_vdpa.c registers the VF with DPDK's vDPA framework and implements its
 * ops; tmmr_vdpa_notify.c relays the guest's kicks to the VF's doorbells;
 * tmmr_vdpa_util.c holds the pure checks (ring layout, feature mapping,
 * address translation) that the unit tests run without a device.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_vhost.h>

#include "tmmr_ctrlq.h"
#include "tmmr_devargs.h"
#include "tmmr_mmr.h"
#include "tmmr_pci.h"

#define TMMR_VDPA_MAX_VRINGS	(2 * TMMR_MAX_QUEUE_PAIRS)

/* Feature bits of the vhost-user layer, never written to the VF. */
#define TMMR_VDPA_F_LOG_ALL		26	/* VHOST_F_LOG_ALL */
#define TMMR_VDPA_F_PROTOCOL_FEATURES	30	/* VHOST_USER_F_PROTOCOL_FEATURES */
#define TMMR_VDPA_F_VERSION_1		32

/*
 * get_stats, in this order: per-vring counters, then the device-wide ones
 * (named vf_*, the same on every vring), which need no guest.
 */
enum {
	TMMR_VDPA_STAT_KICKS,		/* guest kicks relayed to the VF's doorbell */
	TMMR_VDPA_STAT_COMPLETED,	/* descriptors the VF returned (used idx advance) */
	TMMR_VDPA_STAT_LINK_UP,		/* the VF's link, read at each get_stats: 1 up */
	TMMR_VDPA_STAT_LINK_CHANGES,	/* link changes get_stats saw since the probe */
	TMMR_VDPA_STAT_RESUME,		/* 1: the VF resumes rings (resume=1), so a guest
					 * dropped at link down can come back */
	TMMR_VDPA_STAT_GUEST_REFUSED,	/* 1 while a connected guest is refused (its
					 * rings are not the VF's to run) */
	TMMR_VDPA_NB_STATS,
};

struct tmmr_vdpa_vq {
	bool programmed;	/* PFN written at dev_conf */
	bool enabled;		/* the guest enabled it (set_vring_state) */
	int kickfd;		/* the guest's, vhost's to close */
	int callfd;
	uint16_t num;
	uint64_t desc_gpa;
	const volatile uint16_t *used_idx;	/* in the guest's memory, read only */
	struct tmmr_doorbell db;
	uint64_t kicks;		/* atomic: written by the notify thread */
	uint64_t completed;	/* atomic: written by the notify thread */
	uint16_t last_used;	/* the notify thread's */
	uint64_t kicks_base;	/* reset_stats */
	uint64_t completed_base;
};

struct tmmr_vdpa {
	char name[64];
	struct rte_pci_device *pci_dev;
	struct tmmr_pci *pci;
	struct rte_vdpa_device *vdev;
	struct tmmr_devargs args;
	pthread_mutex_t lock;
	uint32_t dev_features;	/* the VF's offer */
	uint16_t dev_max_pairs;

	/* the current guest, under the lock */
	int vid;		/* -1: none */
	bool configured;
	bool refused;		/* dev_conf said why once; quiet until the guest goes */
	uint32_t features;	/* written to the VF */
	uint16_t nb_vrings;
	uint16_t pairs;		/* queue pairs told to the VF (MQ) */
	struct rte_vhost_memory *mem;
	uint32_t nb_mapped;	/* regions of mem DMA-mapped into the VF */
	bool irqs_on;
	bool dma_on;		/* DPDK's own memory mapped (control queue) */
	int dummy_efd;		/* the vector of a vring without a call fd */
	struct tmmr_vdpa_vq vq[TMMR_VDPA_MAX_VRINGS];

	/* the VF's control queue, in DPDK memory */
	const struct rte_memzone *cvq_mz;
	struct tmmr_ctrlq cvq;
	bool cvq_ready;

	/* the VF's link (tmmr_vdpa_link.c), under the lock */
	bool link_up;
	bool link_bad;		/* the last read was unusable, said once */
	uint64_t link_changes;

	/* the kick relay */
	pthread_t thread;
	bool thread_on;
	int epfd;
	int stop_efd;
};

/* tmmr_vdpa.c */
int tmmr_vdpa_probe(struct rte_pci_device *pci_dev, struct tmmr_pci *p,
		    const struct tmmr_devargs *args);
/* 1 if @pci_dev was a vDPA device (now unregistered and closed), 0 if not ours */
int tmmr_vdpa_remove(struct rte_pci_device *pci_dev);

/*
 * tmmr_vdpa_notify.c. The thread also folds each vring's used index into
 * its 64-bit completed count: every TMMR_VDPA_SAMPLE_MS while descriptors
 * complete, backing off to TMMR_VDPA_SAMPLE_IDLE_MS when none do. A count is
 * exact unless more than 65535 descriptors complete on one vring in between.
 */
#define TMMR_VDPA_SAMPLE_MS		5
#define TMMR_VDPA_SAMPLE_IDLE_MS	40
int tmmr_vdpa_notify_start(struct tmmr_vdpa *v);
void tmmr_vdpa_notify_stop(struct tmmr_vdpa *v);
/*
 * Fold the used indexes in; the notify thread, or anyone once it stopped.
 * True if any vring completed descriptors since the last call.
 */
bool tmmr_vdpa_sample_used(struct tmmr_vdpa *v);

/*
 * tmmr_vdpa_link.c: read the VF's link into v->link_up, counting changes in
 * v->link_changes; @first sets it without counting. v->lock held.
 */
void tmmr_vdpa_link_poll(struct tmmr_vdpa *v, bool first);

/* tmmr_vdpa_util.c: no device, no vhost calls */

/*
 * The link of a VF offering @offer whose net config status reads @status
 * (16 bits): without VIRTIO_NET_F_STATUS the link is always up. 0, or
 * -EIO for all-ones (the device does not answer: down), or -EINVAL if
 * bits other than LINK_UP and ANNOUNCE are set (reserved: decoded anyway).
 */
int tmmr_vdpa_link_decode(uint32_t offer, uint16_t status, bool *up);

/*
 * The features the VF is given for a guest that acked @acked, out of the
 * VF's @offer: the guest's datapath bits, the control queue bits the VF
 * offers (the control queue is the driver's, not the guest's), MQ if the
 * guest acked it. VERSION_1 only with @modern and MRG_RXBUF: its 12-byte
 * header and little-endian rings are then a legacy guest's byte for byte
 * (ANY_LAYOUT, which VERSION_1 implies, is given to the VF). -ENOTSUP with
 * the reason in @why for a guest the VF cannot serve.
 */
int tmmr_vdpa_vf_features(uint64_t acked, uint32_t offer, bool modern, uint32_t *vf_features,
			  char *why, size_t why_len);

/*
 * The features offered to vhost-user guests: the VF's offer and
 * PROTOCOL_FEATURES; VERSION_1 too with @modern if the VF offers MRG_RXBUF
 * and ANY_LAYOUT.
 */
uint64_t tmmr_vdpa_guest_offer(uint32_t offer, bool modern);

/*
 * Is a ring of @num entries at guest-physical @desc/@avail/@used laid out
 * as a legacy device finds it from a PFN, with the VF's @vf_num entries?
 * 0, or -EINVAL with the reason in @why.
 */
int tmmr_vdpa_check_layout(uint64_t desc, uint64_t avail, uint64_t used, uint32_t num,
			   uint16_t vf_num, char *why, size_t why_len);

/*
 * Guest-physical address of @len bytes at the relay's virtual address
 * @hva, through @mem. 0, or -ENOENT if no one region holds them.
 */
int tmmr_vdpa_hva_to_gpa(const struct rte_vhost_memory *mem, uint64_t hva, uint64_t len,
			 uint64_t *gpa);

/*
 * May the VF run a vring that vhost-user hands over at avail index
 * @last_avail and used index @last_used, whose used ring in the guest's
 * memory holds @ring_used? At 0 always: the VF starts there after its reset.
 * Elsewhere (a frontend that reconnects keeps its rings' indexes) only with
 * @resume, a VF that resumes at the index its used ring holds, and only if
 * all three agree. 0, or -ENOTSUP with the reason in @why.
 */
int tmmr_vdpa_check_base(uint16_t last_avail, uint16_t last_used, uint16_t ring_used,
			 bool resume, char *why, size_t why_len);

/* Do [a, a + alen) and [b, b + blen) overlap? */
bool tmmr_vdpa_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

#endif /* TMMR_VDPA_H */
