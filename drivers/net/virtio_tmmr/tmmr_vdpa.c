/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * vDPA mode: the VF registered with DPDK's vDPA framework instead of as an
 * ethdev. A vhost-user guest whose rings have the legacy layout gets them run
 * by the VF itself: its memory is DMA-mapped into the VF at IOVA = guest
 * physical address, each ring's PFN is written, the VF's MSI-X vectors are the
 * guest's call fds, and its kicks reach the doorbells through one thread
 * (tmmr_vdpa_notify.c). No packet passes through the host CPU.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/queue.h>

#include <bus_pci_driver.h>
#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_vhost.h>
#include <vdpa_driver.h>

#include "tmmr_legacy.h"
#include "tmmr_logs.h"
#include "tmmr_vdpa.h"

#define TMMR_VDPA_WHY_LEN	256

/*
 * vhost-user protocol features we support: several queue pairs, acked
 * replies, the device status. With STATUS, vhost calls dev_conf only once the
 * frontend set DRIVER_OK, when every queue pair has its rings: QEMU otherwise
 * makes pair 0 ready (and dev_conf run) before it gives pair 1 its rings.
 */
#define TMMR_VDPA_PROTOCOL_FEATURES \
	((UINT64_C(1) << VHOST_USER_PROTOCOL_F_MQ) | \
	 (UINT64_C(1) << VHOST_USER_PROTOCOL_F_REPLY_ACK) | \
	 (UINT64_C(1) << VHOST_USER_PROTOCOL_F_STATUS))

struct tmmr_vdpa_entry {
	TAILQ_ENTRY(tmmr_vdpa_entry) next;
	struct tmmr_vdpa *v;
};

static TAILQ_HEAD(, tmmr_vdpa_entry) tmmr_vdpa_list = TAILQ_HEAD_INITIALIZER(tmmr_vdpa_list);
static pthread_mutex_t tmmr_vdpa_list_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const tmmr_vdpa_stat_names[TMMR_VDPA_NB_STATS] = {
	[TMMR_VDPA_STAT_KICKS] = "kicks_relayed",
	[TMMR_VDPA_STAT_COMPLETED] = "completed_descriptors",
	[TMMR_VDPA_STAT_LINK_UP] = "vf_link_up",
	[TMMR_VDPA_STAT_LINK_CHANGES] = "vf_link_changes",
	[TMMR_VDPA_STAT_RESUME] = "vf_resume",
	[TMMR_VDPA_STAT_GUEST_REFUSED] = "vf_guest_refused",
};

static struct tmmr_vdpa *
tmmr_vdpa_of_dev(struct rte_vdpa_device *vdev)
{
	struct tmmr_vdpa_entry *e;
	struct tmmr_vdpa *v = NULL;

	pthread_mutex_lock(&tmmr_vdpa_list_lock);
	TAILQ_FOREACH(e, &tmmr_vdpa_list, next)
		if (e->v->vdev == vdev) {
			v = e->v;
			break;
		}
	pthread_mutex_unlock(&tmmr_vdpa_list_lock);
	return v;
}

static struct tmmr_vdpa *
tmmr_vdpa_of_vid(int vid)
{
	return tmmr_vdpa_of_dev(rte_vhost_get_vdpa_device(vid));
}

static int
tmmr_vdpa_get_queue_num(struct rte_vdpa_device *vdev, uint32_t *queue_num)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_dev(vdev);

	if (v == NULL)
		return -1;
	*queue_num = v->dev_max_pairs;
	return 0;
}

static int
tmmr_vdpa_get_features(struct rte_vdpa_device *vdev, uint64_t *features)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_dev(vdev);

	if (v == NULL)
		return -1;
	*features = tmmr_vdpa_guest_offer(v->dev_features, v->args.modern);
	return 0;
}

static int
tmmr_vdpa_get_protocol_features(struct rte_vdpa_device *vdev, uint64_t *features)
{
	RTE_SET_USED(vdev);
	*features = TMMR_VDPA_PROTOCOL_FEATURES;
	return 0;
}

/* The guest said no (or we did): say why once per guest. v->lock held. */
static int
tmmr_vdpa_refuse(struct tmmr_vdpa *v, int vid, const char *why)
{
	if (!v->refused)
		TMMR_LOG(driver, ERR, v, "vhost device %d refused: %s", vid, why);
	v->refused = true;
	return -1;
}

/* Read the guest's rings; the VF's queue sizes are read first. v->lock held. */
static int
tmmr_vdpa_read_vrings(struct tmmr_vdpa *v, int vid, char *why)
{
	uint16_t q, nb = rte_vhost_get_vring_num(vid);

	nb = RTE_MIN(nb, (uint16_t)(2 * v->dev_max_pairs));
	if (nb < 2) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "%u vrings, a network device needs 2", nb);
		return -1;
	}
	v->nb_vrings = nb;
	for (q = 0; q < nb; q++) {
		struct tmmr_vdpa_vq *vq = &v->vq[q];
		struct rte_vhost_vring vr;
		uint64_t desc, avail, used;
		uint16_t last_avail, last_used;
		char tmp[TMMR_VDPA_WHY_LEN] = "has no base index";

		vq->programmed = false;
		vq->kickfd = -1;
		vq->callfd = -1;
		if (rte_vhost_get_vhost_vring(vid, q, &vr) != 0 || vr.desc == NULL) {
			if (q < 2) {
				snprintf(why, TMMR_VDPA_WHY_LEN, "vring %u has no address", q);
				return -1;
			}
			continue;	/* a pair the guest does not use (yet) */
		}
		if (tmmr_vdpa_hva_to_gpa(v->mem, (uintptr_t)vr.desc, 16 * vr.size, &desc) ||
		    tmmr_vdpa_hva_to_gpa(v->mem, (uintptr_t)vr.avail, 4 + 2 * vr.size, &avail) ||
		    tmmr_vdpa_hva_to_gpa(v->mem, (uintptr_t)vr.used, 4 + 8 * vr.size, &used)) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "vring %u is outside the guest's memory",
				 q);
			return -1;
		}
		if (tmmr_vdpa_check_layout(desc, avail, used, vr.size,
					   tmmr_leg_queue_size(v->pci, q), why,
					   TMMR_VDPA_WHY_LEN) != 0) {
			snprintf(tmp, sizeof(tmp), "vring %u: %s", q, why);
			snprintf(why, TMMR_VDPA_WHY_LEN, "%s", tmp);
			return -1;
		}
		if (rte_vhost_get_vring_base(vid, q, &last_avail, &last_used) != 0 ||
		    tmmr_vdpa_check_base(last_avail, last_used, *(volatile uint16_t *)
					 ((uintptr_t)vr.used + 2), v->args.resume, tmp,
					 sizeof(tmp)) != 0) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "vring %u %s", q, tmp);
			return -1;
		}
		vq->num = vr.size;
		vq->desc_gpa = desc;
		vq->kickfd = vr.kickfd;
		vq->callfd = vr.callfd;
		vq->used_idx = (const volatile uint16_t *)((uintptr_t)vr.used + 2);
		vq->last_used = *vq->used_idx;
		vq->programmed = true;
	}
	return 0;
}

struct tmmr_vdpa_overlap_arg {
	const struct rte_vhost_memory *mem;
	uint64_t gpa;		/* the first overlap found */
	uint64_t iova;
};

static int
tmmr_vdpa_memseg_overlap(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
			 void *arg)
{
	struct tmmr_vdpa_overlap_arg *a = arg;
	uint32_t i;

	RTE_SET_USED(msl);
	if (ms->iova == RTE_BAD_IOVA)
		return 0;
	for (i = 0; i < a->mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &a->mem->regions[i];

		if (tmmr_vdpa_overlap(r->guest_phys_addr, r->size, ms->iova, ms->len)) {
			a->gpa = r->guest_phys_addr;
			a->iova = ms->iova;
			return 1;
		}
	}
	return 0;
}

static void
tmmr_vdpa_unmap_guest(struct tmmr_vdpa *v)
{
	struct tmmr_pci *p = v->pci;
	uint32_t i;

	for (i = 0; i < v->nb_mapped; i++) {
		const struct rte_vhost_mem_region *r = &v->mem->regions[i];

		p->ops->ext_dma_unmap(p, r->host_user_addr, r->guest_phys_addr, r->size);
	}
	v->nb_mapped = 0;
}

static int
tmmr_vdpa_map_guest(struct tmmr_vdpa *v, char *why)
{
	struct tmmr_vdpa_overlap_arg a = { .mem = v->mem };
	struct tmmr_pci *p = v->pci;
	uint32_t i;
	int ret;

	if (rte_memseg_walk(tmmr_vdpa_memseg_overlap, &a) > 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "guest memory at GPA 0x%" PRIx64 " overlaps "
			 "the relay's own DMA memory at IOVA 0x%" PRIx64 " (give the relay "
			 "another --base-virtaddr)", a.gpa, a.iova);
		return -1;
	}
	for (i = 0; i < v->mem->nregions; i++) {
		const struct rte_vhost_mem_region *r = &v->mem->regions[i];
		uint64_t off = r->host_user_addr - (uintptr_t)r->mmap_addr;

		ret = p->ops->ext_dma_map(p, r->host_user_addr, r->guest_phys_addr, r->size,
					  r->fd, off);
		if (ret != 0) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "cannot map guest region %u (GPA 0x%"
				 PRIx64 ", %" PRIu64 " bytes) for the VF: %s", i,
				 r->guest_phys_addr, r->size, strerror(-ret));
			return -1;
		}
		v->nb_mapped = i + 1;
	}
	return 0;
}

/* The VF's control queue in DPDK memory, DMA-mapped at its own IOVA. v->lock held. */
static int
tmmr_vdpa_cvq_setup(struct tmmr_vdpa *v, char *why)
{
	struct tmmr_pci *p = v->pci;
	uint16_t q = tmmr_has(v->features, TMMR_NET_F_MQ) ? 2 * v->dev_max_pairs : 2;
	uint16_t n = tmmr_leg_queue_size(p, q);
	char name[RTE_MEMZONE_NAMESIZE];
	size_t len;
	int ret;

	if (tmmr_leg_check_queue_size(n) != 0 || n < TMMR_CTRLQ_DESCS) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF's control queue %u has size %u", q, n);
		return -1;
	}
	len = tmmr_ctrlq_mem_size(n);
	if (v->cvq_mz != NULL && v->cvq_mz->len < len) {
		rte_memzone_free(v->cvq_mz);
		v->cvq_mz = NULL;
	}
	if (v->cvq_mz == NULL) {
		snprintf(name, sizeof(name), "tmmr_vdpa_cvq_%p", (void *)v);
		v->cvq_mz = rte_memzone_reserve_aligned(name, len, SOCKET_ID_ANY,
							RTE_MEMZONE_IOVA_CONTIG,
							TMMR_LEG_RING_ALIGN);
		if (v->cvq_mz == NULL) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "no memory for the control queue");
			return -1;
		}
	}
	ret = p->ops->dma_setup(p);
	if (ret != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "DMA setup of the control queue: %s",
			 strerror(-ret));
		return -1;
	}
	v->dma_on = true;
	if (tmmr_ctrlq_init(&v->cvq, p, q, n, v->cvq_mz->addr, v->cvq_mz->iova,
			    v->cvq_mz->len) != 0 ||
	    tmmr_leg_queue_activate(p, q, v->cvq_mz->iova) != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF did not take its control queue %u", q);
		return -1;
	}
	if (v->irqs_on)
		tmmr_leg_set_queue_vector(p, q, TMMR_MSI_NO_VECTOR);
	v->cvq_ready = true;
	return 0;
}

/* Queue pairs the guest has enabled: the highest pair with both vrings on, at least 1. */
static uint16_t
tmmr_vdpa_enabled_pairs(const struct tmmr_vdpa *v)
{
	uint16_t k, pairs = 1;

	for (k = 1; 2 * k + 1 < v->nb_vrings; k++)
		if (v->vq[2 * k].enabled && v->vq[2 * k + 1].enabled &&
		    v->vq[2 * k].programmed && v->vq[2 * k + 1].programmed)
			pairs = k + 1;
	return pairs;
}

/* Tell the VF the number of queue pairs (MQ). v->lock held. */
static void
tmmr_vdpa_set_pairs(struct tmmr_vdpa *v)
{
	uint16_t pairs = tmmr_vdpa_enabled_pairs(v);
	int ret;

	if (!v->cvq_ready || !tmmr_has(v->features, TMMR_NET_F_MQ) || pairs == v->pairs)
		return;
	ret = tmmr_ctrlq_mq_pairs_set(&v->cvq, pairs);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, v, "the VF did not take %u queue pairs: %s", pairs,
			 strerror(-ret));
		return;
	}
	TMMR_LOG(driver, INFO, v, "%u queue pairs in use", pairs);
	v->pairs = pairs;
}

/* MSI-X vector q of the VF is vring q's call fd. v->lock held. */
static int
tmmr_vdpa_wire_irqs(struct tmmr_vdpa *v, char *why)
{
	struct tmmr_pci *p = v->pci;
	int fds[TMMR_VDPA_MAX_VRINGS];
	uint16_t q;
	int ret;

	if (!p->layout.has_msix || p->layout.msix_table_size < v->nb_vrings) {
		TMMR_LOG(driver, WARNING, v, "no MSI-X vector per vring: the guest must poll");
		return 0;
	}
	for (q = 0; q < v->nb_vrings; q++) {
		fds[q] = v->vq[q].programmed && v->vq[q].callfd >= 0 ? v->vq[q].callfd : -1;
		if (fds[q] >= 0)
			continue;
		if (v->dummy_efd < 0)
			v->dummy_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (v->dummy_efd < 0) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "eventfd: %s", strerror(errno));
			return -1;
		}
		fds[q] = v->dummy_efd;
	}
	ret = p->ops->ext_irqs(p, fds, v->nb_vrings);
	if (ret != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "cannot wire MSI-X to the guest's call fds: %s",
			 strerror(-ret));
		return -1;
	}
	v->irqs_on = true;
	tmmr_leg_set_config_vector(p, TMMR_MSI_NO_VECTOR);
	return 0;
}

/* Undo dev_conf, whatever stage it reached. v->lock held. */
static void
tmmr_vdpa_teardown(struct tmmr_vdpa *v, int vid)
{
	struct tmmr_pci *p = v->pci;
	uint16_t q;

	tmmr_vdpa_notify_stop(v);
	tmmr_vdpa_sample_used(v);
	if (tmmr_leg_quiesce(p, TMMR_RESET_TIMEOUT_MS) != 0)
		TMMR_LOG(driver, ERR, v, "VF not reset: it may still write the guest's memory");
	/* the guest learns where the VF stopped (GET_VRING_BASE) */
	for (q = 0; q < v->nb_vrings && v->configured; q++) {
		uint16_t idx;

		if (!v->vq[q].programmed)
			continue;
		idx = *v->vq[q].used_idx;
		rte_vhost_set_vring_base(vid, q, idx, idx);
	}
	if (v->irqs_on)
		p->ops->ext_irqs(p, NULL, 0);
	v->irqs_on = false;
	tmmr_vdpa_unmap_guest(v);
	if (v->dma_on)
		p->ops->dma_teardown(p);
	v->dma_on = false;
	v->cvq_ready = false;
	free(v->mem);
	v->mem = NULL;
	for (q = 0; q < TMMR_VDPA_MAX_VRINGS; q++)
		v->vq[q].programmed = false;
	v->configured = false;
	v->pairs = 0;
}

static int
tmmr_vdpa_conf_locked(struct tmmr_vdpa *v, int vid, char *why)
{
	struct tmmr_pci *p = v->pci;
	uint64_t acked = 0;
	uint32_t offer, back;
	uint16_t q;

	if (rte_vhost_get_negotiated_features(vid, &acked) != 0 ||
	    tmmr_vdpa_vf_features(acked, v->dev_features, v->args.modern, &v->features, why,
				  TMMR_VDPA_WHY_LEN) != 0)
		return -1;
	if (rte_vhost_get_mem_table(vid, &v->mem) != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "no memory table");
		return -1;
	}
	if (tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS) != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF does not reset");
		return -1;
	}
	if (tmmr_vdpa_read_vrings(v, vid, why) != 0)
		return -1;
	tmmr_leg_add_status(p, TMMR_STATUS_ACK);
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER);
	offer = tmmr_leg_get_features(p);
	if ((offer & v->features) != v->features) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF now offers 0x%08x, without 0x%08x",
			 offer, v->features & ~offer);
		return -1;
	}
	tmmr_leg_set_features(p, v->features);
	back = tmmr_leg_get_driver_features(p);
	if (back != v->features) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF took features 0x%08x, not 0x%08x", back,
			 v->features);
		return -1;
	}
	if (tmmr_vdpa_map_guest(v, why) != 0 || tmmr_vdpa_wire_irqs(v, why) != 0)
		return -1;
	for (q = 0; q < v->nb_vrings; q++) {
		struct tmmr_vdpa_vq *vq = &v->vq[q];

		if (!vq->programmed)
			continue;
		if (tmmr_leg_queue_activate(p, q, vq->desc_gpa) != 0) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "the VF did not take vring %u at 0x%"
				 PRIx64, q, vq->desc_gpa);
			return -1;
		}
		if (v->irqs_on && tmmr_leg_set_queue_vector(p, q, vq->callfd >= 0 ? q :
				TMMR_MSI_NO_VECTOR) != (vq->callfd >= 0 ? q : TMMR_MSI_NO_VECTOR)) {
			snprintf(why, TMMR_VDPA_WHY_LEN, "the VF refused vector %u for vring %u",
				 q, q);
			return -1;
		}
		tmmr_leg_doorbell(p, q, &vq->db);
	}
	if (tmmr_has(v->features, TMMR_NET_F_CTRL_VQ) && tmmr_vdpa_cvq_setup(v, why) != 0)
		return -1;
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER_OK);
	if (tmmr_leg_get_status(p) & TMMR_STATUS_NEEDS_RESET) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "the VF needs a reset right after DRIVER_OK");
		return -1;
	}
	v->configured = true;
	/* the guest's MAC is its VMM's and never reaches the VF: receive everything */
	if (v->cvq_ready && tmmr_has(v->features, TMMR_NET_F_CTRL_RX) &&
	    tmmr_ctrlq_rx_mode(&v->cvq, TMMR_NET_CTRL_RX_PROMISC, true) != 0)
		TMMR_LOG(driver, WARNING, v, "the VF refused promiscuous mode");
	v->pairs = 1;
	tmmr_vdpa_set_pairs(v);
	if (tmmr_vdpa_notify_start(v) != 0) {
		snprintf(why, TMMR_VDPA_WHY_LEN, "no kick relay thread");
		return -1;
	}
	/* what the guest posted before we listened */
	for (q = 0; q < v->nb_vrings; q++)
		if (v->vq[q].programmed)
			tmmr_doorbell_ring(&v->vq[q].db);
	return 0;
}

static int
tmmr_vdpa_dev_conf(int vid)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_vid(vid);
	char why[TMMR_VDPA_WHY_LEN] = "";
	int ret = 0;

	if (v == NULL)
		return -1;
	pthread_mutex_lock(&v->lock);
	if (v->configured && v->vid == vid)
		goto out;
	if (v->configured) {
		ret = tmmr_vdpa_refuse(v, vid, "the VF already runs another guest");
		goto out;
	}
	if (v->refused && v->vid == vid) {
		ret = -1;
		goto out;
	}
	v->vid = vid;
	v->refused = false;
	if (tmmr_vdpa_conf_locked(v, vid, why) != 0) {
		tmmr_vdpa_teardown(v, vid);
		ret = tmmr_vdpa_refuse(v, vid, why);
		goto out;
	}
	TMMR_LOG(driver, NOTICE, v, "vhost device %d runs on the VF: features 0x%08x, %u vrings, "
		 "%u memory regions mapped, MSI-X %s", vid, v->features, v->nb_vrings,
		 v->nb_mapped, v->irqs_on ? "to the guest's call fds" : "off");
out:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

static int
tmmr_vdpa_dev_close(int vid)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_vid(vid);

	if (v == NULL)
		return -1;
	pthread_mutex_lock(&v->lock);
	if (v->vid == vid) {
		uint16_t q;

		if (v->configured) {
			tmmr_vdpa_teardown(v, vid);
			TMMR_LOG(driver, NOTICE, v, "vhost device %d left the VF", vid);
		}
		/* the next start enables its vrings again */
		for (q = 0; q < TMMR_VDPA_MAX_VRINGS; q++)
			v->vq[q].enabled = false;
		v->vid = -1;
		v->refused = false;
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static int
tmmr_vdpa_set_vring_state(int vid, int vring, int state)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_vid(vid);

	if (v == NULL || vring < 0 || vring >= TMMR_VDPA_MAX_VRINGS)
		return -1;
	pthread_mutex_lock(&v->lock);
	if (v->vid >= 0 && v->vid != vid) {
		pthread_mutex_unlock(&v->lock);
		return 0;	/* a guest the VF does not run */
	}
	v->vq[vring].enabled = state != 0;
	if (v->configured && v->vid == vid) {
		if (state && vring < v->nb_vrings && !v->vq[vring].programmed)
			TMMR_LOG(driver, WARNING, v, "vring %d enabled after the VF started: "
				 "it stays off until the guest reconnects", vring);
		tmmr_vdpa_set_pairs(v);
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static int
tmmr_vdpa_set_features(int vid)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_vid(vid);
	uint64_t f = 0;

	/* a legacy VF takes features once; logging dirty pages (migration) is not done */
	if (v != NULL && rte_vhost_get_negotiated_features(vid, &f) == 0 &&
	    (f & (UINT64_C(1) << TMMR_VDPA_F_LOG_ALL)))
		TMMR_LOG(driver, WARNING, v, "dirty page logging asked: not supported, live "
			 "migration of this guest would lose memory writes of the VF");
	return 0;
}

static int
tmmr_vdpa_get_stats_names(struct rte_vdpa_device *vdev, struct rte_vdpa_stat_name *names,
			  unsigned int size)
{
	unsigned int i;

	RTE_SET_USED(vdev);
	if (names == NULL)
		return TMMR_VDPA_NB_STATS;
	for (i = 0; i < RTE_MIN(size, (unsigned int)TMMR_VDPA_NB_STATS); i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", tmmr_vdpa_stat_names[i]);
	return TMMR_VDPA_NB_STATS;
}

static int
tmmr_vdpa_get_stats(struct rte_vdpa_device *vdev, int qid, struct rte_vdpa_stat *stats,
		    unsigned int n)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_dev(vdev);
	struct tmmr_vdpa_vq *vq;
	uint64_t val[TMMR_VDPA_NB_STATS];
	unsigned int i;

	if (v == NULL || qid < 0 || qid >= TMMR_VDPA_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	vq = &v->vq[qid];
	val[TMMR_VDPA_STAT_KICKS] = __atomic_load_n(&vq->kicks, __ATOMIC_RELAXED) -
		vq->kicks_base;
	val[TMMR_VDPA_STAT_COMPLETED] = __atomic_load_n(&vq->completed, __ATOMIC_RELAXED) -
		vq->completed_base;
	/* device-wide, guest or not */
	tmmr_vdpa_link_poll(v, false);
	val[TMMR_VDPA_STAT_LINK_UP] = v->link_up;
	val[TMMR_VDPA_STAT_LINK_CHANGES] = v->link_changes;
	val[TMMR_VDPA_STAT_RESUME] = v->args.resume;
	val[TMMR_VDPA_STAT_GUEST_REFUSED] = v->refused && v->vid >= 0;
	pthread_mutex_unlock(&v->lock);
	for (i = 0; i < RTE_MIN(n, (unsigned int)TMMR_VDPA_NB_STATS); i++) {
		stats[i].id = i;
		stats[i].value = val[i];
	}
	return TMMR_VDPA_NB_STATS;
}

static int
tmmr_vdpa_reset_stats(struct rte_vdpa_device *vdev, int qid)
{
	struct tmmr_vdpa *v = tmmr_vdpa_of_dev(vdev);
	struct tmmr_vdpa_vq *vq;

	if (v == NULL || qid < 0 || qid >= TMMR_VDPA_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	vq = &v->vq[qid];
	vq->kicks_base = __atomic_load_n(&vq->kicks, __ATOMIC_RELAXED);
	vq->completed_base = __atomic_load_n(&vq->completed, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static struct rte_vdpa_dev_ops tmmr_vdpa_ops = {
	.get_queue_num = tmmr_vdpa_get_queue_num,
	.get_features = tmmr_vdpa_get_features,
	.get_protocol_features = tmmr_vdpa_get_protocol_features,
	.dev_conf = tmmr_vdpa_dev_conf,
	.dev_close = tmmr_vdpa_dev_close,
	.set_vring_state = tmmr_vdpa_set_vring_state,
	.set_features = tmmr_vdpa_set_features,
	.get_stats_names = tmmr_vdpa_get_stats_names,
	.get_stats = tmmr_vdpa_get_stats,
	.reset_stats = tmmr_vdpa_reset_stats,
};

/* The VF's offer and queue pairs, the VF left reset. */
static int
tmmr_vdpa_read_offer(struct tmmr_vdpa *v)
{
	struct tmmr_pci *p = v->pci;
	uint16_t pairs;

	if (tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS) != 0)
		return -EIO;
	tmmr_leg_add_status(p, TMMR_STATUS_ACK);
	tmmr_leg_add_status(p, TMMR_STATUS_DRIVER);
	v->dev_features = tmmr_leg_get_features(p);
	if (v->dev_features == UINT32_MAX)
		return -ENODEV;
	v->dev_max_pairs = 1;
	if (tmmr_has(v->dev_features, TMMR_NET_F_MQ)) {
		pairs = tmmr_leg_devcfg_read16(p, TMMR_NET_CFG_MAX_VQ_PAIRS);
		if (pairs >= TMMR_NET_CTRL_MQ_VQ_PAIRS_MIN &&
		    pairs <= TMMR_NET_CTRL_MQ_VQ_PAIRS_MAX)
			v->dev_max_pairs = RTE_MIN(pairs, TMMR_MAX_QUEUE_PAIRS);
		else
			v->dev_features &= ~TMMR_BIT(TMMR_NET_F_MQ);
	}
	if (!tmmr_has(v->dev_features, TMMR_NET_F_CTRL_VQ)) {
		v->dev_features &= ~TMMR_BIT(TMMR_NET_F_MQ);
		v->dev_max_pairs = 1;
	}
	return tmmr_leg_reset(p, TMMR_RESET_TIMEOUT_MS) != 0 ? -EIO : 0;
}

int
tmmr_vdpa_probe(struct rte_pci_device *pci_dev, struct tmmr_pci *p,
		const struct tmmr_devargs *args)
{
	struct tmmr_vdpa_entry *e;
	struct tmmr_vdpa *v;
	int ret;

	v = rte_zmalloc("tmmr_vdpa", sizeof(*v), 0);
	e = rte_zmalloc("tmmr_vdpa_entry", sizeof(*e), 0);
	if (v == NULL || e == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(v->name, sizeof(v->name), "%s", p->name);
	v->pci_dev = pci_dev;
	v->pci = p;
	v->args = *args;
	v->vid = -1;
	v->epfd = -1;
	v->stop_efd = -1;
	v->dummy_efd = -1;
	pthread_mutex_init(&v->lock, NULL);
	ret = tmmr_vdpa_read_offer(v);
	if (ret != 0) {
		TMMR_LOG(driver, ERR, v, "cannot read the VF's offer: %s", strerror(-ret));
		goto fail_lock;
	}
	tmmr_vdpa_link_poll(v, true);
	e->v = v;
	pthread_mutex_lock(&tmmr_vdpa_list_lock);
	TAILQ_INSERT_TAIL(&tmmr_vdpa_list, e, next);
	pthread_mutex_unlock(&tmmr_vdpa_list_lock);
	v->vdev = rte_vdpa_register_device(&pci_dev->device, &tmmr_vdpa_ops);
	if (v->vdev == NULL) {
		TMMR_LOG(driver, ERR, v, "cannot register the vDPA device");
		pthread_mutex_lock(&tmmr_vdpa_list_lock);
		TAILQ_REMOVE(&tmmr_vdpa_list, e, next);
		pthread_mutex_unlock(&tmmr_vdpa_list_lock);
		ret = -EIO;
		goto fail_lock;
	}
	TMMR_LOG(driver, NOTICE, v, "vDPA device: features 0x%08x, %u queue pairs, queue size "
		 "%u", v->dev_features, v->dev_max_pairs, tmmr_leg_queue_size(p, 0));
	return 0;
fail_lock:
	pthread_mutex_destroy(&v->lock);
fail:
	rte_free(e);
	rte_free(v);
	return ret;
}

int
tmmr_vdpa_remove(struct rte_pci_device *pci_dev)
{
	struct tmmr_vdpa_entry *e;
	struct tmmr_vdpa *v = NULL;

	pthread_mutex_lock(&tmmr_vdpa_list_lock);
	TAILQ_FOREACH(e, &tmmr_vdpa_list, next)
		if (e->v->pci_dev == pci_dev) {
			v = e->v;
			TAILQ_REMOVE(&tmmr_vdpa_list, e, next);
			break;
		}
	pthread_mutex_unlock(&tmmr_vdpa_list_lock);
	if (v == NULL)
		return 0;
	pthread_mutex_lock(&v->lock);
	if (v->configured)
		tmmr_vdpa_teardown(v, v->vid);
	pthread_mutex_unlock(&v->lock);
	rte_vdpa_unregister_device(v->vdev);
	if (v->cvq_mz != NULL)
		rte_memzone_free(v->cvq_mz);
	if (v->dummy_efd >= 0)
		close(v->dummy_efd);
	tmmr_pci_close(v->pci);
	pthread_mutex_destroy(&v->lock);
	rte_free(v);
	rte_free(e);
	return 1;
}
