/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* Guest side: one vhost-user socket per VF and the librte_vhost device callbacks. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_log.h>
#include <rte_vhost.h>

#include "relay.h"

#define RLOG(level, fmt, ...) \
	RTE_LOG(level, USER1, "tmmr_relay: " fmt "\n", ##__VA_ARGS__)

static struct relay_pair *
relay_pair_by_vid(int vid)
{
	char path[PATH_MAX];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return NULL;
	for (i = 0; i < relay_global.nb_pairs; i++)
		if (strcmp(relay_global.pair[i].socket, path) == 0)
			return &relay_global.pair[i];
	return NULL;
}

/* The guest's queue pairs and MTU must fit the VF: refuse it with the reason otherwise. */
static int
relay_guest_fits(const struct relay_pair *p, int vid)
{
	uint16_t rings = rte_vhost_get_vring_num(vid), mtu = 0;

	if (rings > 2 * p->nb_queues) {
		RLOG(ERR, "VF %s: guest on %s has %u queue pairs, the relay serves %u: refused "
			"(QEMU netdev queues= at most %u, or --vf ...,queues=)", p->port_name,
			p->socket, rings / 2, p->nb_queues, p->nb_queues);
		return -1;
	}
	/* VHOST_USER_NET_SET_MTU: QEMU's host_mtu=, sent when VIRTIO_NET_F_MTU is offered */
	if (rte_vhost_get_mtu(vid, &mtu) == 0 && mtu > p->mtu) {
		RLOG(ERR, "VF %s: guest on %s has MTU %u, above the VF's %u: refused (QEMU "
			"host_mtu= at most %u, or --vf ...,mtu=)", p->port_name, p->socket, mtu,
			p->mtu, p->mtu);
		return -1;
	}
	if (mtu != 0)
		RLOG(INFO, "VF %s: guest MTU %u, VF MTU %u", p->port_name, mtu, p->mtu);
	return 0;
}

static int
relay_new_device(int vid)
{
	struct relay_pair *p = relay_pair_by_vid(vid);
	uint64_t features = 0;
	uint16_t q;

	if (p == NULL) {
		RLOG(ERR, "vhost device %d on an unknown socket", vid);
		return -1;
	}
	if (__atomic_load_n(&p->guest_ready, __ATOMIC_ACQUIRE)) {
		RLOG(ERR, "VF %s: a second guest on %s refused", p->port_name, p->socket);
		return -1;
	}
	rte_vhost_get_negotiated_features(vid, &features);
	if (relay_guest_fits(p, vid) < 0)
		return -1;
	/* the lcores busy-poll the guest Tx rings until they go to sleep */
	for (q = 0; q < rte_vhost_get_vring_num(vid); q++)
		rte_vhost_enable_guest_notification(vid, q, 0);
	p->guest_features = features;
	__atomic_store_n(&p->vid, vid, __ATOMIC_RELEASE);
	__atomic_add_fetch(&p->cnt.guest_connects, 1, __ATOMIC_RELAXED);
	relay_pair_set_ready(p, &p->guest_ready, true);
	RLOG(INFO, "VF %s: guest connected on %s (vid %d, %s, features 0x%" PRIx64
		"%s%s%s)", p->port_name, p->socket, vid,
		(features & (1ULL << VIRTIO_F_VERSION_1)) ? "modern" : "legacy", features,
		(features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)) ? ", mrg_rxbuf" : "",
		(features & (1ULL << VIRTIO_NET_F_CSUM)) ? ", csum" : "",
		(features & (1ULL << VIRTIO_NET_F_HOST_TSO4)) ? ", tso" : "");
	return 0;
}

static void
relay_destroy_device(int vid)
{
	struct relay_pair *p = relay_pair_by_vid(vid);

	if (p == NULL || __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) != vid)
		return;
	/* returns once the forwarding lcore no longer touches vid */
	relay_pair_set_ready(p, &p->guest_ready, false);
	__atomic_store_n(&p->vid, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&p->vring_ready, 0, __ATOMIC_RELEASE);
	p->guest_features = 0;
	__atomic_add_fetch(&p->cnt.guest_disconnects, 1, __ATOMIC_RELAXED);
	RLOG(INFO, "VF %s: guest disconnected from %s", p->port_name, p->socket);
}

static int
relay_vring_state_changed(int vid, uint16_t queue_id, int enable)
{
	struct relay_pair *p = relay_pair_by_vid(vid);
	int cur;

	/* may run with vring locks held: never wait for the lcores here, just make them
	 * re-read the pair's state (kick fds, which guest queue pairs are enabled)
	 */
	if (p == NULL)
		return 0;
	/* rings of a second guest, refused by new_device, are not ours */
	cur = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
	if (cur != -1 && cur != vid)
		return 0;
	if (queue_id >= 2 * p->nb_queues) {
		if (enable)
			RLOG(ERR, "VF %s: guest on %s enabled queue pair %u, the relay serves %u: "
				"not served (QEMU netdev queues= at most %u)", p->port_name,
				p->socket, queue_id / 2, p->nb_queues, p->nb_queues);
		return 0;
	}
	if (enable)
		__atomic_or_fetch(&p->vring_ready, 1ULL << queue_id, __ATOMIC_ACQ_REL);
	else
		__atomic_and_fetch(&p->vring_ready, ~(1ULL << queue_id), __ATOMIC_ACQ_REL);
	relay_pair_wake(p);
	return 0;
}

/* A new connection on the socket of a pair without a guest: ring states of an earlier one
 * (a guest refused by new_device never gets destroy_device) are not this one's.
 */
static int
relay_new_connection(int vid)
{
	struct relay_pair *p = relay_pair_by_vid(vid);

	if (p != NULL && __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) == -1)
		__atomic_store_n(&p->vring_ready, 0, __ATOMIC_RELEASE);
	return 0;
}

/* The connection is gone (not merely the device stopped): --fallback copy waits for it. */
static void
relay_destroy_connection(int vid)
{
	struct relay_pair *p = relay_pair_by_vid(vid);

	if (p != NULL)
		__atomic_add_fetch(&p->conn_closes, 1, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops relay_vhost_ops = {
	.new_connection = relay_new_connection,
	.destroy_connection = relay_destroy_connection,
	.new_device = relay_new_device,
	.destroy_device = relay_destroy_device,
	.vring_state_changed = relay_vring_state_changed,
};

/* A socket file left by a killed relay blocks bind(): remove it if nobody listens on it. */
void
relay_remove_stale_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	if (strlen(path) >= sizeof(sun.sun_path))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 && errno == ECONNREFUSED) {
		RLOG(WARNING, "removing stale socket %s", path);
		unlink(path);
	}
	close(fd);
}

/*
 * Whoever may connect to the socket gets the guest's port on the VF: the server socket is
 * born owner-only (bind() runs inside rte_vhost_driver_start; the umask is the process's, so
 * a file another thread created meanwhile would only get a narrower mode), then widened to
 * --socket-mode if asked.
 */
int
relay_vhost_start(const struct relay *r, const char *vf, const char *path)
{
	mode_t old;
	int rc;

	if (r->opt.client_mode)
		return rte_vhost_driver_start(path);
	old = umask(0177);
	rc = rte_vhost_driver_start(path);
	umask(old);
	if (rc < 0)
		return rc;
	if (r->opt.socket_mode != RELAY_SOCKET_MODE && chmod(path, r->opt.socket_mode) < 0) {
		RLOG(ERR, "VF %s: chmod %o %s: %s", vf, r->opt.socket_mode, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int
relay_vhost_register(struct relay *r, struct relay_pair *p)
{
	uint64_t flags = r->opt.client_mode ? RTE_VHOST_USER_CLIENT : 0;
	uint64_t off;

	if (p->vhost_registered)
		return 0;
	if (!r->opt.client_mode)
		relay_remove_stale_socket(p->socket);
	/* no RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS: dequeued packets carry Tx requests */
	if (rte_vhost_driver_register(p->socket, flags) < 0) {
		RLOG(ERR, "VF %s: cannot register vhost-user socket %s", p->port_name, p->socket);
		return -EIO;
	}
	off = relay_guest_features_to_disable(p->vf_rx_offloads, p->vf_tx_offloads);
	/* several queue pairs: the guest's MQ through the control queue (QEMU's), pairs
	 * enabled through SET_VRING_ENABLE; librte_vhost 22.11 offers up to 128 pairs and
	 * has no per-socket limit, so new_device refuses a guest with more than the VF's
	 */
	if (p->nb_queues > 1)
		off &= ~(1ULL << VIRTIO_NET_F_MQ);
	if (rte_vhost_driver_disable_features(p->socket, off) < 0 ||
	    rte_vhost_driver_callback_register(p->socket, &relay_vhost_ops) < 0 ||
	    relay_vhost_start(r, p->port_name, p->socket) < 0) {
		RLOG(ERR, "VF %s: cannot start vhost-user socket %s", p->port_name, p->socket);
		rte_vhost_driver_unregister(p->socket);
		return -EIO;
	}
	p->vhost_registered = true;
	RLOG(INFO, "VF %s: vhost-user %s %s", p->port_name,
		r->opt.client_mode ? "client connecting to" : "server listening on", p->socket);
	return 0;
}

void
relay_vhost_close(const char *vf, const char *path, bool *registered)
{
	if (!*registered)
		return;
	/* closes the connection: destroy_device (and a vDPA device's dev_close) runs in this
	 * thread before it returns
	 */
	if (rte_vhost_driver_unregister(path) < 0)
		RLOG(ERR, "VF %s: unregistering %s failed", vf, path);
	*registered = false;
}

void
relay_vhost_unregister(struct relay_pair *p)
{
	relay_vhost_close(p->port_name, p->socket, &p->vhost_registered);
}

void
relay_print_qemu_args(const struct relay *r, const struct relay_pair *p)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE], mq[32] = "", dev_mq[16] = "", mtu[24] = "";

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	if (p->nb_queues > 1) {
		snprintf(mq, sizeof(mq), ",queues=%u", p->nb_queues);
		snprintf(dev_mq, sizeof(dev_mq), ",mq=on");
	}
	if (p->mtu_wanted != 0)
		snprintf(mtu, sizeof(mtu), ",host_mtu=%u", p->mtu);
	printf("VF %u %s MAC %s socket %s\n", p->index, p->port_name, mac, p->socket);
	printf("  qemu: -chardev socket,id=relay%u,path=%s%s"
	       " -netdev vhost-user,id=relaynet%u,chardev=relay%u%s"
	       " -device virtio-net-pci,netdev=relaynet%u,mac=%s,disable-modern=on,vectors=0%s%s\n",
	       p->index, p->socket, r->opt.client_mode ? ",server=on,wait=off" : ",reconnect=1",
	       p->index, p->index, mq, p->index, mac, dev_mq, mtu);
	fflush(stdout);
}
