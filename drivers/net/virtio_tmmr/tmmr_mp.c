/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Multi-process: a port of net_virtio_tmmr in a DPDK secondary process.
 *
 * Shared between the processes: the ethdev data and its dev_private (struct
 * tmmr_hw), the queue objects and rings (rte_malloc and memzones), the
 * mempools. Per process: the transport (struct tmmr_pci: a socket, eventfds,
 * a BAR mapping). A secondary therefore never follows hw->pci, which points
 * into the primary's heap; it rings doorbells it holds itself, through
 * tmmr_proc_doorbells (tmmr_vq.h):
 *  - vfio-pci: the PCI bus maps the BARs in the secondary at the primary's
 *    addresses; the secondary opens a transport of its own over them and
 *    uses its MMIO doorbells;
 *  - vfio-user (tmmr-vfemu): the model serves one client, the primary, so
 *    the secondary asks the primary (rte_mp request TMMR_MP_FDS) for the
 *    doorbell ioeventfds, one per virtqueue, and for the eventfds of the Rx
 *    queue vectors; a doorbell the model offers no ioeventfd for is sent to
 *    the primary (TMMR_MP_KICK), which writes the register.
 * The secondary gets the burst functions and the ops that only read or
 * reset shared state (info, link, stats, xstats) or act on its Rx queue
 * interrupts; everything that changes the device stays with the primary.
 * As with any DPDK driver, attach secondaries after the primary has
 * configured the port, and restart them when it reconfigures it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_interrupts.h>
#include <rte_string_fns.h>
#include <ethdev_pci.h>

#include "tmmr_ethdev.h"
#include "tmmr_legacy.h"
#include "tmmr_logs.h"
#include "tmmr_mp.h"
#include "tmmr_stats.h"
#include "tmmr_vq.h"

#define TMMR_MP_FDS		"tmmr_mp_fds"
#define TMMR_MP_KICK		"tmmr_mp_kick"
#define TMMR_MP_TIMEOUT_S	5
#define TMMR_DRV_NAME		"net_virtio_tmmr"

struct tmmr_mp_req {
	char name[RTE_DEV_NAME_MAX_LEN];	/* the PCI device */
	uint16_t first;		/* TMMR_MP_FDS: first slot wanted */
	uint16_t queue;		/* TMMR_MP_KICK: the virtqueue */
};

_Static_assert(sizeof(struct tmmr_mp_req) <= RTE_MP_MAX_PARAM_LEN, "request too large");
_Static_assert(sizeof(struct tmmr_mp_rep) <= RTE_MP_MAX_PARAM_LEN, "reply too large");

/* --- primary --- */

/* The port behind PCI device @name if it is ours, or NULL. */
static struct rte_eth_dev *
tmmr_mp_port(const char *name)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(name);

	if (dev == NULL || dev->device == NULL || dev->device->driver == NULL ||
	    strcmp(dev->device->driver->name, TMMR_DRV_NAME) != 0 ||
	    dev->data->dev_private == NULL)
		return NULL;
	return dev;
}

static bool
tmmr_mp_req_get(const struct rte_mp_msg *msg, struct tmmr_mp_req *req)
{
	if (msg->len_param != sizeof(*req))
		return false;
	memcpy(req, msg->param, sizeof(*req));
	req->name[sizeof(req->name) - 1] = '\0';
	return true;
}

/* Fill @rep and @out's fds from slot @first on; hw->lock held. */
static void
tmmr_mp_slots_locked(struct tmmr_hw *hw, uint16_t first, struct tmmr_mp_rep *rep,
		     struct rte_mp_msg *out)
{
	struct tmmr_pci *p = hw->pci;
	struct tmmr_doorbell n;
	uint32_t s, total;
	int fd;

	rep->nb_vq = 2 * hw->max_pairs;
	rep->nb_rxvec = hw->rx_intr && p->nb_vec > 1 ? p->nb_vec - 1 : 0;
	rep->first = first;
	total = (uint32_t)rep->nb_vq + rep->nb_rxvec;
	for (s = first; s < total && rep->count < RTE_MP_MAX_FD_NUM; s++) {
		if (s < rep->nb_vq) {
			tmmr_leg_doorbell(p, s, &n);
			fd = n.mmio == NULL ? n.efd : -1;
			rep->kind[rep->count] = n.mmio != NULL ? TMMR_MP_SLOT_MMIO :
				fd >= 0 ? TMMR_MP_SLOT_FD : TMMR_MP_SLOT_NONE;
		} else {
			fd = rte_intr_efds_index_get(p->intr_handle, s - rep->nb_vq);
			rep->kind[rep->count] = fd >= 0 ? TMMR_MP_SLOT_FD : TMMR_MP_SLOT_NONE;
		}
		if (rep->kind[rep->count] == TMMR_MP_SLOT_FD)
			out->fds[out->num_fds++] = fd;
		rep->count++;
	}
}

/* TMMR_MP_FDS: a secondary wants the fds of its doorbells and Rx vectors. */
static int
tmmr_mp_on_fds(const struct rte_mp_msg *msg, const void *peer)
{
	struct rte_mp_msg out;
	struct tmmr_mp_rep rep;
	struct tmmr_mp_req req;
	struct rte_eth_dev *dev;
	struct tmmr_hw *hw;

	memset(&out, 0, sizeof(out));
	memset(&rep, 0, sizeof(rep));
	rte_strscpy(out.name, msg->name, sizeof(out.name));
	out.len_param = sizeof(rep);
	rep.result = -ENODEV;
	if (!tmmr_mp_req_get(msg, &req)) {
		rep.result = -EINVAL;
	} else if ((dev = tmmr_mp_port(req.name)) != NULL) {
		hw = tmmr_hw_of(dev);
		pthread_mutex_lock(&hw->lock);
		if (hw->pci != NULL && !hw->removed) {
			tmmr_mp_slots_locked(hw, req.first, &rep, &out);
			rep.result = 0;
		}
		pthread_mutex_unlock(&hw->lock);
	}
	if (rep.result != 0)
		PMD_DRV_LOG(WARNING, "secondary asked for the fds of %s: %s", req.name,
			    rte_strerror(-rep.result));
	memcpy(out.param, &rep, sizeof(rep));
	/* the EAL sends duplicates: our fds stay ours */
	return rte_mp_reply(&out, peer);
}

/* TMMR_MP_KICK: a doorbell of a secondary that has no ioeventfd for it. */
static int
tmmr_mp_on_kick(const struct rte_mp_msg *msg, const void *peer __rte_unused)
{
	struct tmmr_mp_req req;
	struct rte_eth_dev *dev;
	struct tmmr_hw *hw;

	if (!tmmr_mp_req_get(msg, &req) || (dev = tmmr_mp_port(req.name)) == NULL)
		return 0;
	hw = tmmr_hw_of(dev);
	pthread_mutex_lock(&hw->lock);
	if (hw->pci != NULL && hw->started && !hw->removed && req.queue < 2 * hw->nb_pairs)
		tmmr_leg_kick(hw->pci, req.queue);
	pthread_mutex_unlock(&hw->lock);
	return 0;
}

void
tmmr_mp_primary_init(void)
{
	static bool done;

	if (done)
		return;
	/* ENOTSUP: no secondaries can exist (--in-memory, --no-shconf) */
	if ((rte_mp_action_register(TMMR_MP_FDS, tmmr_mp_on_fds) != 0 &&
	     rte_errno != EEXIST && rte_errno != ENOTSUP) ||
	    (rte_mp_action_register(TMMR_MP_KICK, tmmr_mp_on_kick) != 0 &&
	     rte_errno != EEXIST && rte_errno != ENOTSUP)) {
		PMD_DRV_LOG(WARNING, "cannot serve secondary processes: %s",
			    rte_strerror(rte_errno));
		return;
	}
	done = true;
}

/* --- secondary --- */

/* This process's view of one port. */
struct tmmr_mp_local {
	struct tmmr_pci proxy;		/* doorbells sent to the primary */
	struct tmmr_pci *pci;		/* vfio-pci: our own transport, or NULL */
	struct rte_intr_handle *intr;	/* Rx queue vectors, or NULL */
	uint16_t nb_vq;
	uint16_t nb_rxvec;
	int *rxvec_fd;			/* [nb_rxvec], ours */
	struct tmmr_doorbell nt[];	/* [nb_vq]: efd >= 0 is ours */
};

static struct tmmr_mp_local *tmmr_mp_locals[RTE_MAX_ETHPORTS];

/* The slow kick of a doorbell the primary rings for us. */
static void
tmmr_mp_proxy_kick(struct tmmr_pci *p, uint16_t queue)
{
	struct tmmr_mp_req req;
	struct rte_mp_msg msg;

	memset(&msg, 0, sizeof(msg));
	memset(&req, 0, sizeof(req));
	rte_strscpy(msg.name, TMMR_MP_KICK, sizeof(msg.name));
	rte_strscpy(req.name, p->name, sizeof(req.name));
	req.queue = queue;
	msg.len_param = sizeof(req);
	memcpy(msg.param, &req, sizeof(req));
	if (rte_mp_sendmsg(&msg) != 0)
		TMMR_LOG(driver, DEBUG, p, "doorbell of queue %u not sent to the primary: %s",
			 queue, rte_strerror(rte_errno));
}

static void
tmmr_mp_local_free(struct tmmr_mp_local *loc)
{
	uint16_t i;

	if (loc == NULL)
		return;
	for (i = 0; i < loc->nb_vq; i++)
		if (loc->pci == NULL && loc->nt[i].efd >= 0)
			close(loc->nt[i].efd);
	for (i = 0; i < loc->nb_rxvec; i++)
		if (loc->rxvec_fd[i] >= 0)
			close(loc->rxvec_fd[i]);
	free(loc->rxvec_fd);
	if (loc->intr != NULL) {
		rte_intr_vec_list_free(loc->intr);
		rte_intr_instance_free(loc->intr);
	}
	tmmr_pci_close(loc->pci);
	free(loc);
}

static void
tmmr_mp_close_fds(const struct rte_mp_msg *m, int from)
{
	int i;

	for (i = from; i < m->num_fds; i++)
		close(m->fds[i]);
}

bool
tmmr_mp_take_slots(const struct rte_mp_msg *m, const struct tmmr_mp_rep *rep, uint16_t first,
		   uint16_t nb_vq, uint16_t nb_rxvec, struct tmmr_doorbell *nt, int *vec_fd)
{
	int nfd = 0, fd;
	uint16_t k, s;

	if (rep->first != first || rep->count == 0 || rep->count > RTE_MP_MAX_FD_NUM ||
	    rep->nb_vq != nb_vq || rep->nb_rxvec != nb_rxvec ||
	    (uint32_t)first + rep->count > (uint32_t)nb_vq + nb_rxvec ||
	    m->num_fds < 0 || m->num_fds > RTE_MP_MAX_FD_NUM) {
		tmmr_mp_close_fds(m, 0);
		return false;
	}
	for (k = 0; k < rep->count; k++) {
		fd = -1;
		if (rep->kind[k] == TMMR_MP_SLOT_FD) {
			if (nfd >= m->num_fds) {
				tmmr_mp_close_fds(m, nfd);
				return false;
			}
			fd = m->fds[nfd++];
		}
		s = first + k;
		if (s < nb_vq)
			nt[s].efd = fd;
		else
			vec_fd[s - nb_vq] = fd;
	}
	tmmr_mp_close_fds(m, nfd);
	return true;
}

/* vfio-user: get the doorbell and Rx vector fds from the primary. */
static int
tmmr_mp_fetch(struct tmmr_mp_local *loc)
{
	struct timespec ts = { .tv_sec = TMMR_MP_TIMEOUT_S };
	struct rte_mp_reply reply;
	struct tmmr_mp_rep rep;
	struct tmmr_mp_req req;
	struct rte_mp_msg msg, *m;
	uint16_t first = 0;
	uint16_t i;
	bool ok;

	do {
		memset(&msg, 0, sizeof(msg));
		memset(&req, 0, sizeof(req));
		rte_strscpy(msg.name, TMMR_MP_FDS, sizeof(msg.name));
		rte_strscpy(req.name, loc->proxy.name, sizeof(req.name));
		req.first = first;
		msg.len_param = sizeof(req);
		memcpy(msg.param, &req, sizeof(req));
		memset(&reply, 0, sizeof(reply));
		if (rte_mp_request_sync(&msg, &reply, &ts) != 0 || reply.nb_received != 1) {
			TMMR_LOG(driver, ERR, &loc->proxy,
				 "the primary did not answer for the doorbells (%s)",
				 rte_strerror(rte_errno));
			free(reply.msgs);
			return -EIO;
		}
		m = &reply.msgs[0];
		memset(&rep, 0, sizeof(rep));
		ok = m->len_param == sizeof(rep);
		if (ok)
			memcpy(&rep, m->param, sizeof(rep));
		if (ok && rep.result != 0) {
			TMMR_LOG(driver, ERR, &loc->proxy, "the primary cannot give the doorbells: %s",
				 rte_strerror(-rep.result));
			tmmr_mp_close_fds(m, 0);
			free(reply.msgs);
			return rep.result;
		}
		if (ok && first == 0) {
			loc->nb_rxvec = rep.nb_rxvec;
			if (rep.nb_rxvec > 0) {
				loc->rxvec_fd = malloc(rep.nb_rxvec * sizeof(int));
				if (loc->rxvec_fd == NULL) {
					tmmr_mp_close_fds(m, 0);
					free(reply.msgs);
					loc->nb_rxvec = 0;
					return -ENOMEM;
				}
				for (i = 0; i < rep.nb_rxvec; i++)
					loc->rxvec_fd[i] = -1;
			}
		}
		ok = ok && tmmr_mp_take_slots(m, &rep, first, loc->nb_vq, loc->nb_rxvec, loc->nt,
					      loc->rxvec_fd);
		if (!ok && m->len_param != sizeof(rep))
			tmmr_mp_close_fds(m, 0);
		free(reply.msgs);
		if (!ok) {
			TMMR_LOG(driver, ERR, &loc->proxy, "malformed reply from the primary");
			return -EPROTO;
		}
		first += rep.count;
	} while (first < loc->nb_vq + loc->nb_rxvec);
	return 0;
}

/* An interrupt handle for the Rx queue vectors we were given. */
static int
tmmr_mp_intr_init(struct tmmr_mp_local *loc)
{
	struct rte_intr_handle *h;
	uint16_t i;

	if (loc->nb_rxvec == 0)
		return 0;
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		return -ENOMEM;
	loc->intr = h;
	/* as the primary's: the EAL drains each eventfd's 8-byte counter */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VFIO_MSIX) != 0 ||
	    rte_intr_fd_set(h, -1) != 0 || rte_intr_dev_fd_set(h, -1) != 0 ||
	    rte_intr_vec_list_alloc(h, "tmmr_mp_vec", loc->nb_rxvec) != 0)
		return -ENOMEM;
	for (i = 0; i < loc->nb_rxvec; i++) {
		rte_intr_efds_index_set(h, i, loc->rxvec_fd[i]);
		rte_intr_vec_list_index_set(h, i, RTE_INTR_VEC_RXTX_OFFSET + i);
	}
	rte_intr_nb_efd_set(h, loc->nb_rxvec);
	rte_intr_max_intr_set(h, loc->nb_rxvec + 1);
	rte_intr_efd_counter_size_set(h, sizeof(uint64_t));
	return 0;
}

static struct tmmr_mp_local *
tmmr_mp_local_of(struct rte_eth_dev *dev)
{
	return tmmr_mp_locals[dev->data->port_id];
}

static void
tmmr_mp_detach(struct rte_eth_dev *dev)
{
	uint16_t port = dev->data->port_id;

	tmmr_proc_doorbells[port] = NULL;
	tmmr_mp_local_free(tmmr_mp_locals[port]);
	tmmr_mp_locals[port] = NULL;
	dev->intr_handle = NULL;
}

static int
tmmr_mp_dev_close(struct rte_eth_dev *dev)
{
	tmmr_mp_detach(dev);
	return 0;
}

/* The primary keeps the link in the shared data up to date. */
static int
tmmr_mp_link_update(struct rte_eth_dev *dev __rte_unused, int wait_to_complete __rte_unused)
{
	return 0;
}

static struct tmmr_rxq *
tmmr_mp_intr_rxq(struct rte_eth_dev *dev, uint16_t qid, int *fd)
{
	struct tmmr_mp_local *loc = tmmr_mp_local_of(dev);

	if (loc == NULL || qid >= loc->nb_rxvec || qid >= dev->data->nb_rx_queues)
		return NULL;
	*fd = loc->rxvec_fd[qid];
	return dev->data->rx_queues[qid];
}

static int
tmmr_mp_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tmmr_rxq *q;
	uint64_t one = 1;
	int fd = -1;

	q = tmmr_mp_intr_rxq(dev, qid, &fd);
	if (q == NULL)
		return -EINVAL;
	/* work that came before the device saw the request: wake ourselves */
	if (tmmr_rxq_intr_enable(q) && fd >= 0 && write(fd, &one, sizeof(one)) != sizeof(one))
		PMD_DRV_LOG(DEBUG, "port %u: Rx queue %u: cannot raise its event",
			    dev->data->port_id, qid);
	return 0;
}

static int
tmmr_mp_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct tmmr_rxq *q;
	int fd;

	q = tmmr_mp_intr_rxq(dev, qid, &fd);
	if (q == NULL)
		return -EINVAL;
	tmmr_rxq_intr_disable(q);
	return 0;
}

static const struct eth_dev_ops tmmr_mp_secondary_ops = {
	.dev_close = tmmr_mp_dev_close,
	.dev_infos_get = tmmr_dev_infos_get,
	.link_update = tmmr_mp_link_update,
	.rx_queue_intr_enable = tmmr_mp_rx_intr_enable,
	.rx_queue_intr_disable = tmmr_mp_rx_intr_disable,
	.stats_get = tmmr_stats_get,
	.stats_reset = tmmr_stats_reset,
	.xstats_get = tmmr_xstats_get,
	.xstats_get_names = tmmr_xstats_get_names,
	.xstats_reset = tmmr_xstats_reset,
};

static int
tmmr_mp_open_transport(struct tmmr_mp_local *loc, struct rte_pci_device *pci_dev)
{
	uint16_t i;

	if (pci_dev->kdrv != RTE_PCI_KDRV_VFIO)
		return tmmr_mp_fetch(loc);
	/* the bus mapped the BARs where the primary has them; registers are MMIO */
	loc->pci = tmmr_pci_open(pci_dev);
	if (loc->pci == NULL)
		return -ENODEV;
	for (i = 0; i < loc->nb_vq; i++) {
		tmmr_leg_doorbell(loc->pci, i, &loc->nt[i]);
	}
	return 0;
}

int
tmmr_mp_secondary_probe(struct rte_pci_device *pci_dev)
{
	struct tmmr_mp_local *loc;
	struct rte_eth_dev *dev;
	struct tmmr_hw *hw;
	uint16_t port, i, nb_vq;
	int ret, mmio;

	dev = rte_eth_dev_pci_allocate(pci_dev, 0);
	if (dev == NULL) {
		TMMR_LOG(driver, ERR, &pci_dev->device, "the primary process has no port on it");
		return -ENODEV;
	}
	port = dev->data->port_id;
	hw = tmmr_hw_of(dev);
	nb_vq = 2 * hw->max_pairs;
	loc = calloc(1, sizeof(*loc) + nb_vq * sizeof(loc->nt[0]));
	if (loc == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	loc->nb_vq = nb_vq;
	loc->proxy.pci_dev = pci_dev;
	rte_strscpy(loc->proxy.name, pci_dev->device.name, sizeof(loc->proxy.name));
	for (i = 0; i < nb_vq; i++) {
		loc->nt[i].efd = -1;
		loc->nt[i].pci = &loc->proxy;
		loc->nt[i].slow_kick = tmmr_mp_proxy_kick;
		loc->nt[i].queue = i;
	}
	ret = tmmr_mp_open_transport(loc, pci_dev);
	if (ret == 0)
		ret = tmmr_mp_intr_init(loc);
	if (ret != 0)
		goto fail;

	tmmr_mp_locals[port] = loc;
	tmmr_proc_doorbells[port] = loc->nt;
	dev->dev_ops = &tmmr_mp_secondary_ops;
	dev->intr_handle = loc->intr;
	tmmr_set_burst_fns(dev);
	rte_eth_dev_probing_finish(dev);
	for (i = 0, ret = 0, mmio = 0; i < nb_vq; i++) {
		ret += loc->nt[i].efd >= 0 || loc->nt[i].mmio != NULL;
		mmio += loc->nt[i].mmio != NULL;
	}
	TMMR_LOG(driver, INFO, &pci_dev->device, "port %u attached in a secondary process: "
		 "%d of %u doorbells direct, %u Rx queue vectors, %d by MMIO", port, ret, nb_vq,
		 loc->nb_rxvec, mmio);
	return 0;
fail:
	TMMR_LOG(driver, ERR, &pci_dev->device, "cannot attach in a secondary process: %s",
		 rte_strerror(-ret));
	tmmr_mp_local_free(loc);
	dev->intr_handle = NULL;
	rte_eth_dev_release_port(dev);
	return ret;
}
