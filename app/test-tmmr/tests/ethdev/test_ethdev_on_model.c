/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * net_virtio_tmmr through the ethdev API against the real model
 * (tmmr-vfemu, path in argv[1]), control path only: no vhost-user backend is
 * attached. Probe of several VFs, devargs rejected then accepted on hotplug,
 * configure/start/stop with two queue pairs, filters seen by the model, link
 * change events from the config interrupt, Rx interrupt plumbing, xstats,
 * dev_reset, and a surprise removal under a running port.
 */

#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include <ethdev_driver.h>
#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_tcp.h>

#include "tmmr_virtio_legacy.h"

#define NB_VFS		3
#define NB_PAIRS	2
#define WAIT_MS		3000

static const char *vfemu_path;
static char work_dir[128];
static char ctl_path[100];
static pid_t model_pid = -1;
static struct rte_mempool *pool;
static struct rte_mempool *big_pool;	/* single-segment 3 KB frames */

static unsigned int lsc_events[RTE_MAX_ETHPORTS];
static unsigned int rmv_events[RTE_MAX_ETHPORTS];
static unsigned int reset_events[RTE_MAX_ETHPORTS];

static int
event_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)arg;
	(void)ret;
	if (type == RTE_ETH_EVENT_INTR_LSC)
		__atomic_fetch_add(&lsc_events[port], 1, __ATOMIC_RELAXED);
	else if (type == RTE_ETH_EVENT_INTR_RMV)
		__atomic_fetch_add(&rmv_events[port], 1, __ATOMIC_RELAXED);
	else if (type == RTE_ETH_EVENT_INTR_RESET)
		__atomic_fetch_add(&reset_events[port], 1, __ATOMIC_RELAXED);
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One command to the model's control socket; the reply line in @out. */
static int
model_ctl(const char *cmd, char *out, size_t outlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[128];
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, ctl_path, sizeof(ctl_path));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", cmd);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		close(fd);
		return -1;
	}
	while (got + 1 < outlen) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, WAIT_MS) <= 0)
			break;
		n = read(fd, out + got, outlen - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(out, '\n', got) != NULL)
			break;
	}
	out[got] = '\0';
	close(fd);
	return got > 0 ? 0 : -1;
}

/* "key=value" from the model's status line of @vf. */
static long
model_status(unsigned int vf, const char *key)
{
	char cmd[32], out[1024], pat[64];
	const char *p;

	snprintf(cmd, sizeof(cmd), "status %u", vf);
	if (model_ctl(cmd, out, sizeof(out)) != 0)
		return -1;
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(out, pat);
	if (p == NULL)
		return -1;
	return strtol(p + strlen(pat), NULL, 0);
}

static bool
wait_counter(unsigned int *c, unsigned int at_least)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (now_ms() < end) {
		if (__atomic_load_n(c, __ATOMIC_RELAXED) >= at_least)
			return true;
		usleep(10000);
	}
	return false;
}

static int
start_model(void)
{
	char sysfs[192], backend[192], ready[16] = "";
	size_t have = 0;
	int pipefd[2];
	uint64_t end;

	snprintf(work_dir, sizeof(work_dir), "/tmp/tmmr-ethdev-test-XXXXXX");
	if (mkdtemp(work_dir) == NULL)
		return -1;
	snprintf(sysfs, sizeof(sysfs), "%s/tree", work_dir);
	snprintf(backend, sizeof(backend), "vhost-user:%s/vh", work_dir);
	if (snprintf(ctl_path, sizeof(ctl_path), "%.60s/tree/.vfemu-ctl.sock", work_dir) < 0)
		return -1;
	if (pipe(pipefd) != 0)
		return -1;
	model_pid = fork();
	if (model_pid < 0)
		return -1;
	if (model_pid == 0) {
		char vfs[8], pairs[8];

		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		snprintf(vfs, sizeof(vfs), "%d", NB_VFS);
		snprintf(pairs, sizeof(pairs), "%d", NB_PAIRS);
		execl(vfemu_path, vfemu_path, "--sysfs", sysfs, "--vfs", vfs, "--backend",
		      backend, "--queue-pairs", pairs, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	end = now_ms() + 10000;
	while (now_ms() < end && strstr(ready, "ready") == NULL && have + 1 < sizeof(ready)) {
		ssize_t n = read(pipefd[0], ready + have, sizeof(ready) - 1 - have);

		if (n > 0) {
			have += (size_t)n;
			ready[have] = '\0';
		} else {
			usleep(10000);
		}
	}
	close(pipefd[0]);
	if (strstr(ready, "ready") == NULL)
		return -1;
	setenv("SYSFS_PCI_DEVICES", sysfs, 1);
	return 0;
}

static void
stop_model(void)
{
	char cmd[300];
	int st;

	if (model_pid > 0) {
		kill(model_pid, SIGTERM);
		waitpid(model_pid, &st, 0);
		model_pid = -1;
	}
	if (work_dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", work_dir);
	}
}

static int
find_port(const char *bdf, uint16_t *port)
{
	return rte_eth_dev_get_port_by_name(bdf, port);
}

static unsigned int
tmmr_ports(void)
{
	struct rte_eth_dev_info info;
	unsigned int n = 0;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port)
		if (rte_eth_dev_info_get(port, &info) == 0 &&
		    strcmp(info.driver_name, "net_virtio_tmmr") == 0)
			n++;
	return n;
}

static bool
wait_link(uint16_t port, int status)
{
	uint64_t end = now_ms() + WAIT_MS;
	struct rte_eth_link link;

	while (now_ms() < end) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == status)
			return true;
		usleep(10000);
	}
	return false;
}

/* Start the port and wait for its link. */
static void
start_up(uint16_t port)
{
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_true(wait_link(port, RTE_ETH_LINK_UP));
}

static int
setup_port(uint16_t port, bool rxq_intr)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	conf.intr_conf.rxq = rxq_intr;
	ret = rte_eth_dev_configure(port, NB_PAIRS, NB_PAIRS, &conf);
	if (ret != 0)
		return ret;
	for (q = 0; q < NB_PAIRS; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 0, 0, NULL, pool);
		if (ret != 0)
			return ret;
		ret = rte_eth_tx_queue_setup(port, q, 0, 0, NULL);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* The model's VFs get their data plane from net_vhost ports of this process. */
static int
start_backends(void)
{
	struct rte_eth_conf conf;
	char name[32];
	uint16_t port;
	int i;

	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < NB_VFS; i++) {
		snprintf(name, sizeof(name), "net_vhost%d", i);
		if (rte_eth_dev_get_port_by_name(name, &port) != 0 ||
		    rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
		    rte_eth_rx_queue_setup(port, 0, 256, 0, NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup(port, 0, 256, 0, NULL) != 0 ||
		    rte_eth_dev_start(port) != 0)
			return -1;
	}
	return 0;
}

static int
group_setup(void **state)
{
	char prefix[64], vh[NB_VFS][160];
	char *argv[] = {
		"test_ethdev_on_model", "--no-huge", "-m", "512", "-l", "0",
		"--file-prefix", prefix,
		/* below 16 TiB even under ASan, whose shadow takes 2 GiB..16 TiB */
		"--base-virtaddr", "0x40000000",
		"-a", "0000:01:00.1,lsc_poll_ms=20", "-a", "0000:01:00.2,lsc_poll_ms=0",
		"--vdev", vh[0], "--vdev", vh[1], "--vdev", vh[2],
		"--log-level", "pmd.net.virtio_tmmr:info", "--log-level", "vhost.*:warning",
	};
	int i;

	(void)state;
	if (start_model() != 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "tmmr-ethdev-test-%d", (int)getpid());
	for (i = 0; i < NB_VFS; i++)
		snprintf(vh[i], sizeof(vh[i]), "net_vhost%d,iface=%.100s/vh%d,tso=1", i, work_dir,
			 i);
	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_pool", 8192, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (pool == NULL)
		return -1;
	big_pool = rte_pktmbuf_pool_create("test_big", 256, 0, 0, 4096 + RTE_PKTMBUF_HEADROOM, 0);
	if (big_pool == NULL)
		return -1;
	if (start_backends() != 0)
		return -1;
	rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_LSC, event_cb, NULL);
	rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV, event_cb, NULL);
	rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RESET, event_cb, NULL);
	return 0;
}

static int
group_teardown(void **state)
{
	uint16_t port;

	(void)state;
	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_mempool_free(pool);
	rte_mempool_free(big_pool);
	rte_eal_cleanup();
	stop_model();
	return 0;
}

static void
test_probe_info(void **state)
{
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	uint16_t port;

	(void)state;
	assert_int_equal(tmmr_ports(), 2);
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
	assert_string_equal(info.driver_name, "net_virtio_tmmr");
	assert_int_equal(info.max_rx_queues, NB_PAIRS);
	assert_int_equal(info.max_tx_queues, NB_PAIRS);
	assert_true(info.rx_desc_lim.nb_max >= 2);
	/* the device's ring size is the default; any other count is accepted too */
	assert_int_equal(info.default_rxportconf.ring_size, 256);
	assert_int_equal(info.default_txportconf.ring_size, 256);
	assert_true(info.rx_desc_lim.nb_min <= 1 && info.tx_desc_lim.nb_min <= 1);
	assert_int_equal(info.rx_desc_lim.nb_max, UINT16_MAX);
	assert_int_equal(info.tx_desc_lim.nb_max, UINT16_MAX);
	assert_true(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS);
	assert_true(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE);
	assert_true(info.min_mtu == RTE_ETHER_MIN_MTU && info.max_mtu >= RTE_ETHER_MTU);
	assert_int_equal(rte_eth_macaddr_get(port, &mac), 0);
	assert_true(rte_is_valid_assigned_ether_addr(&mac));
}

static void
test_bad_devargs_hotplug(void **state)
{
	struct rte_eth_dev_info info;
	uint16_t port;

	(void)state;
	/* the third VF: a bad value fails the probe and leaves no port behind */
	assert_true(rte_dev_probe("0000:01:00.3,csum=7") < 0);
	assert_int_not_equal(find_port("0000:01:00.3", &port), 0);
	assert_true(rte_dev_probe("0000:01:00.3,nosuchkey=1") < 0);
	assert_int_not_equal(find_port("0000:01:00.3", &port), 0);
	/* failing after the port was allocated: released again (ASan checks the rest) */
	assert_true(rte_dev_probe("0000:01:00.3,queue_size=4096") < 0);
	assert_int_not_equal(find_port("0000:01:00.3", &port), 0);
	assert_int_equal(tmmr_ports(), 2);
	/* the same VF with good devargs then probes */
	assert_int_equal(rte_dev_probe("0000:01:00.3,mac=02:12:34:56:78:9a,mrg_rxbuf=0"), 0);
	assert_int_equal(find_port("0000:01:00.3", &port), 0);
	assert_int_equal(tmmr_ports(), 3);
	assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
	assert_int_equal(rte_dev_remove(info.device), 0);
	assert_int_equal(tmmr_ports(), 2);
}

static void
test_start_filters(void **state)
{
	struct rte_ether_addr extra = {{ 0x02, 0, 0, 0, 0, 0x99 }};
	struct rte_ether_addr mc = {{ 0x01, 0, 0x5e, 0, 0, 1 }};
	struct rte_eth_link link;
	uint16_t port;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(setup_port(port, false), 0);
	assert_int_equal(rte_eth_promiscuous_disable(port), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	/* the link follows the model's backend connection */
	assert_true(wait_link(port, RTE_ETH_LINK_UP));
	assert_int_equal(rte_eth_link_get_nowait(port, &link), 0);
	assert_int_equal(link.link_speed, RTE_ETH_SPEED_NUM_10G);
	assert_int_equal(model_status(0, "started"), 1);
	assert_int_equal(model_status(0, "pairs"), NB_PAIRS);
	assert_int_equal(model_status(0, "rings_started"), 2 * NB_PAIRS);
	assert_int_equal(model_status(0, "promisc"), 0);

	/* runtime changes reach the device through the control queue */
	assert_int_equal(rte_eth_promiscuous_enable(port), 0);
	assert_int_equal(model_status(0, "promisc"), 1);
	assert_int_equal(rte_eth_allmulticast_enable(port), 0);
	assert_int_equal(model_status(0, "allmulti"), 1);
	assert_int_equal(rte_eth_dev_mac_addr_add(port, &extra, 0), 0);
	assert_int_equal(rte_eth_dev_mac_addr_add(port, &mc, 0), 0);
	assert_int_equal(model_status(0, "uc"), 1);
	assert_int_equal(model_status(0, "mc"), 1);
	assert_int_equal(rte_eth_dev_mac_addr_remove(port, &extra), 0);
	assert_int_equal(model_status(0, "uc"), 0);

	/* stop resets the device; start restores every filter */
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(model_status(0, "started"), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_int_equal(model_status(0, "promisc"), 1);
	assert_int_equal(model_status(0, "allmulti"), 1);
	assert_int_equal(model_status(0, "mc"), 1);
	assert_int_equal(model_status(0, "pairs"), NB_PAIRS);
	assert_true(wait_link(port, RTE_ETH_LINK_UP));
}

static struct rte_mbuf *
make_pkt(uint16_t len, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	memset(p, tag, len);
	/* broadcast destination, locally administered source, IPv4-less type */
	memset(p, 0xff, 6);
	p[6] = 0x02;
	p[12] = 0x88;
	p[13] = 0xb5;
	return m;
}

/* Send @n packets on @tx_port queue 0, receive them on @rx_port's queues. */
static unsigned int
pass_packets(uint16_t tx_port, uint16_t rx_port, uint16_t rx_queues, unsigned int n,
	     uint16_t len)
{
	struct rte_mbuf *pkts[32];
	unsigned int sent = 0, got = 0, i;
	uint64_t end = now_ms() + WAIT_MS;
	uint16_t q, k;

	while (sent < n && now_ms() < end) {
		unsigned int burst = RTE_MIN(n - sent, 32u);

		for (i = 0; i < burst; i++)
			pkts[i] = make_pkt(len, (uint8_t)(sent + i));
		k = rte_eth_tx_burst(tx_port, 0, pkts, (uint16_t)burst);
		for (i = k; i < burst; i++)
			rte_pktmbuf_free(pkts[i]);
		sent += k;
	}
	while (got < sent && now_ms() < end) {
		for (q = 0; q < rx_queues; q++) {
			k = rte_eth_rx_burst(rx_port, q, pkts, 32);
			for (i = 0; i < k; i++) {
				if (rte_pktmbuf_pkt_len(pkts[i]) == len)
					got++;
				rte_pktmbuf_free(pkts[i]);
			}
		}
		/* the Tx side reclaims completed buffers on its next burst */
		rte_eth_tx_burst(tx_port, 0, pkts, 0);
	}
	return got;
}

static void
test_traffic(void **state)
{
	struct rte_eth_stats st;
	uint16_t port, vh;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_stats_reset(port), 0);
	/* backend -> VF: the PMD's Rx path */
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 100, 60), 100);
	assert_int_equal(rte_eth_rx_queue_count(port, 0), 0);
	/* VF -> backend, small and large frames */
	assert_int_equal(pass_packets(port, vh, 1, 100, 60), 100);
	assert_int_equal(pass_packets(port, vh, 1, 20, 1514), 20);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 20, 1514), 20);
	assert_int_equal(rte_eth_stats_get(port, &st), 0);
	assert_int_equal(st.ipackets, 120);
	assert_int_equal(st.opackets, 120);
	assert_int_equal(st.ibytes, 100 * 60 + 20 * 1514);
	assert_int_equal(st.ierrors, 0);
	assert_int_equal(st.q_ipackets[0] + st.q_ipackets[1], 120);
	/* everything sent has completed: cleanup frees what is left, never fails */
	assert_true(rte_eth_tx_done_cleanup(port, 0, 0) >= 0);
}

/*
 * A legacy device fixes its ring size: whatever count the application asks
 * for (OVS asks for 2048 and does not adjust it to the limits), queue setup
 * succeeds and the device's size is used.
 */
static void
test_any_desc_count(void **state)
{
	static const uint16_t counts[] = { 2048, 1, 100, 256, 4096, UINT16_MAX };
	struct rte_eth_conf conf;
	uint16_t port, vh, rxd, txd, q;
	unsigned int i;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	assert_int_equal(rte_eth_dev_configure(port, NB_PAIRS, NB_PAIRS, &conf), 0);
	/* ethdev's own adjustment leaves an application's count alone */
	rxd = 2048;
	txd = 2048;
	assert_int_equal(rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd), 0);
	assert_int_equal(rxd, 2048);
	assert_int_equal(txd, 2048);
	for (i = 0; i < RTE_DIM(counts); i++) {
		for (q = 0; q < NB_PAIRS; q++) {
			assert_int_equal(rte_eth_rx_queue_setup(port, q, counts[i], 0, NULL, pool),
					 0);
			assert_int_equal(rte_eth_tx_queue_setup(port, q, counts[i], 0, NULL), 0);
		}
	}
	/* OVS's defaults: the port runs on the device's 256-entry rings */
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_rx_queue_setup(port, q, 2048, 0, NULL, pool), 0);
		assert_int_equal(rte_eth_tx_queue_setup(port, q, 2048, 0, NULL), 0);
	}
	start_up(port);
	assert_int_equal(model_status(0, "rings_started"), 2 * NB_PAIRS);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 200, 60), 200);
	assert_int_equal(pass_packets(port, vh, 1, 200, 60), 200);
}

/*
 * The ring is the device's size, but a queue uses only the descriptors the
 * application asked for: an Rx queue of 32 pins 32 mbufs, not the ring's 256.
 */
static void
test_nb_desc_honoured(void **state)
{
	struct rte_eth_conf conf;
	unsigned int avail;
	uint16_t port, vh, q;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	assert_int_equal(rte_eth_dev_configure(port, NB_PAIRS, NB_PAIRS, &conf), 0);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_rx_queue_setup(port, q, 32, 0, NULL, pool), 0);
		assert_int_equal(rte_eth_tx_queue_setup(port, q, 16, 0, NULL), 0);
	}
	avail = rte_mempool_avail_count(pool);
	start_up(port);
	assert_int_equal(avail - rte_mempool_avail_count(pool), 32 * NB_PAIRS);
	/*
	 * rounds of what a queue holds (pass_packets sends all before it
	 * receives) keep the small queues going, refilled and reclaimed
	 */
	for (q = 0; q < 10; q++) {
		assert_int_equal(pass_packets(vh, port, NB_PAIRS, 30, 60), 30);
		assert_int_equal(pass_packets(port, vh, 1, 16, 60), 16);
	}
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);

	assert_int_equal(setup_port(port, false), 0);
	start_up(port);
}

static void
assert_io(uint16_t port, uint64_t ipackets, uint64_t ibytes, uint64_t opackets,
	  uint64_t obytes)
{
	struct rte_eth_stats st;

	assert_int_equal(rte_eth_stats_get(port, &st), 0);
	assert_int_equal(st.ipackets, ipackets);
	assert_int_equal(st.ibytes, ibytes);
	assert_int_equal(st.opackets, opackets);
	assert_int_equal(st.obytes, obytes);
}

static uint64_t xstat_by_name(uint16_t port, const char *name);

/*
 * ethdev counters are cumulative until a stats reset: queue setup again
 * (as OVS does on every reconfiguration), fewer queues, and a queue rebuild
 * at start (new MTU) must not take them back to 0.
 */
static void
test_counters_survive_reconfig(void **state)
{
	struct rte_eth_stats st;
	struct rte_eth_conf conf;
	uint16_t port, vh;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_stats_reset(port), 0);
	assert_io(port, 0, 0, 0, 0);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 50, 60), 50);
	assert_int_equal(pass_packets(port, vh, 1, 30, 100), 30);
	assert_io(port, 50, 50 * 60, 30, 30 * 100);
	assert_int_equal(xstat_by_name(port, "rx_q0_good_packets") +
			 xstat_by_name(port, "rx_q1_good_packets"), 50);

	/* the same configuration again: every queue object is recreated */
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(setup_port(port, false), 0);
	assert_io(port, 50, 50 * 60, 30, 30 * 100);
	start_up(port);
	assert_io(port, 50, 50 * 60, 30, 30 * 100);
	assert_int_equal(rte_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_ipackets[0] + st.q_ipackets[1], 50);
	assert_int_equal(st.q_opackets[0], 30);
	assert_int_equal(xstat_by_name(port, "rx_q0_good_packets") +
			 xstat_by_name(port, "rx_q1_good_packets"), 50);
	assert_int_equal(xstat_by_name(port, "tx_q0_good_bytes"), 30 * 100);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 10, 60), 10);
	assert_io(port, 60, 60 * 60, 30, 30 * 100);

	/* one queue pair: what queue 1 counted stays in the port's totals */
	assert_int_equal(rte_eth_dev_stop(port), 0);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, pool), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, 0, 0, NULL), 0);
	start_up(port);
	assert_io(port, 60, 60 * 60, 30, 30 * 100);
	assert_int_equal(pass_packets(port, vh, 1, 5, 200), 5);
	assert_io(port, 60, 60 * 60, 35, 30 * 100 + 5 * 200);

	/* a new MTU rebuilds the queues at start */
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_set_mtu(port, 1400), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_io(port, 60, 60 * 60, 35, 30 * 100 + 5 * 200);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_set_mtu(port, RTE_ETHER_MTU), 0);

	/* back to two pairs; only a stats reset clears the counters */
	assert_int_equal(setup_port(port, false), 0);
	start_up(port);
	assert_io(port, 60, 60 * 60, 35, 30 * 100 + 5 * 200);
	assert_int_equal(rte_eth_stats_reset(port), 0);
	assert_io(port, 0, 0, 0, 0);
	assert_int_equal(xstat_by_name(port, "rx_q0_good_packets") +
			 xstat_by_name(port, "rx_q1_good_packets"), 0);
	assert_int_equal(rte_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_ipackets[0] + st.q_ipackets[1] + st.q_opackets[0], 0);
	/* and counting starts again from there */
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 7, 60), 7);
	assert_io(port, 7, 7 * 60, 0, 0);
}

static void
count_mz(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static void
test_restart_no_leak(void **state)
{
	unsigned int avail, mz_before = 0, mz_after = 0, i;
	uint16_t port, vh;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	avail = rte_mempool_avail_count(pool);
	rte_memzone_walk(count_mz, &mz_before);
	for (i = 0; i < 5; i++) {
		start_up(port);
		/* leave packets in flight both ways, then stop under them */
		assert_int_equal(pass_packets(vh, port, NB_PAIRS, 40, 100), 40);
		assert_int_equal(pass_packets(port, vh, 1, 40, 100), 40);
		assert_int_equal(rte_eth_dev_stop(port), 0);
		/* every buffer the rings held is back in the pool */
		assert_int_equal(rte_mempool_avail_count(pool), avail);
	}
	rte_memzone_walk(count_mz, &mz_after);
	assert_int_equal(mz_after, mz_before);

	/* a new MTU rebuilds the queues at start; traffic still flows, nothing leaks */
	assert_int_equal(rte_eth_dev_set_mtu(port, 1400), 0);
	start_up(port);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 40, 1400), 40);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
	assert_int_equal(rte_eth_dev_set_mtu(port, RTE_ETHER_MTU), 0);
	start_up(port);
}

/* Ethernet + IPv4 + TCP with @payload bytes, checksums as for TSO offload. */
static struct rte_mbuf *
make_tcp(uint16_t payload, uint16_t mss)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(big_pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	uint16_t len = sizeof(*eth) + sizeof(*ip) + sizeof(*tcp) + payload;

	if (m == NULL || rte_pktmbuf_append(m, len) == NULL)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(&eth->dst_addr, 0xff, 6);
	memcpy(&eth->src_addr, "\x02\x00\x00\x00\x00\x07", 6);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp = (struct rte_tcp_hdr *)(ip + 1);
	memset(tcp, 0, sizeof(*tcp));
	tcp->src_port = rte_cpu_to_be_16(1234);
	tcp->dst_port = rte_cpu_to_be_16(80);
	tcp->data_off = (sizeof(*tcp) / 4) << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	memset(tcp + 1, 0x5a, payload);
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = sizeof(*tcp);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	if (mss != 0) {
		/* DPDK's rule: IPv4 TSO asks for the IP checksum too */
		m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM;
		m->tso_segsz = mss;
	}
	tcp->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	return m;
}

/* One packet @m from @tx to @rx (any of @nq queues); its received copy or NULL. */
static struct rte_mbuf *
pass_one(uint16_t tx, uint16_t rx, uint16_t nq, struct rte_mbuf *m)
{
	uint64_t end = now_ms() + WAIT_MS;
	struct rte_mbuf *got = NULL;
	uint16_t q;

	if (rte_eth_tx_prepare(tx, 0, &m, 1) != 1 || rte_eth_tx_burst(tx, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	while (got == NULL && now_ms() < end) {
		for (q = 0; q < nq && got == NULL; q++)
			if (rte_eth_rx_burst(rx, q, &got, 1) == 0)
				got = NULL;
		rte_eth_tx_burst(tx, 0, &m, 0);
	}
	return got;
}

static void
test_offloads(void **state)
{
	const uint64_t rx_off = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	const uint64_t tx_off = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_mbuf *m;
	uint32_t ptypes[16];
	uint16_t port, vh, q;
	long acked;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	/* the offer is re-read while stopped: the backend (tso=1) has every offload */
	assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
	assert_int_equal(info.rx_offload_capa & rx_off, rx_off);
	assert_int_equal(info.tx_offload_capa & tx_off, tx_off);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	conf.rxmode.offloads = rx_off;
	conf.txmode.offloads = tx_off;
	assert_int_equal(rte_eth_dev_configure(port, NB_PAIRS, NB_PAIRS, &conf), 0);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_rx_queue_setup(port, q, 0, 0, NULL, pool), 0);
		assert_int_equal(rte_eth_tx_queue_setup(port, q, 0, 0, NULL), 0);
	}
	start_up(port);
	acked = model_status(0, "acked");
	assert_true(acked > 0);
	assert_true(acked & (1L << 0));		/* CSUM */
	assert_true(acked & (1L << 1));		/* GUEST_CSUM */
	assert_true(acked & (1L << 7));		/* GUEST_TSO4 */
	assert_true(acked & (1L << 11));	/* HOST_TSO4 */
	assert_true(acked & (1L << 19));	/* CTRL_VLAN, with the VLAN filter offload */

	/* VLAN filters go to the device, and come back after a restart */
	assert_int_equal(rte_eth_dev_vlan_filter(port, 100, 1), 0);
	assert_int_equal(rte_eth_dev_vlan_filter(port, 4000, 1), 0);
	assert_int_equal(model_status(0, "vlans"), 2);
	assert_int_equal(rte_eth_dev_vlan_filter(port, 4000, 0), 0);
	assert_int_equal(model_status(0, "vlans"), 1);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_int_equal(model_status(0, "vlans"), 1);
	assert_true(wait_link(port, RTE_ETH_LINK_UP));

	/* TSO: one 3000-byte segment-offloaded frame reaches the backend whole */
	m = pass_one(port, vh, 1, make_tcp(3000, 1000));
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 20 + 3000);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
	assert_int_equal(m->tso_segsz, 1000);
	rte_pktmbuf_free(m);

	/*
	 * Tx checksum offload: the header says NEEDS_CSUM; the backend, without
	 * its own Rx checksum offload, completes the sum in software and checks it
	 */
	m = pass_one(port, vh, 1, make_tcp(100, 0));
	assert_non_null(m);
	assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	rte_pktmbuf_free(m);

	/*
	 * Rx checksum: a partial sum from the backend is flagged, not dropped; with no
	 * packet type asked for (also on queues set up after), none parsed
	 */
	assert_int_equal(rte_eth_dev_set_ptypes(port, 0, NULL, 0), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	for (q = 0; q < NB_PAIRS; q++)
		assert_int_equal(rte_eth_rx_queue_setup(port, q, 0, 0, NULL, pool), 0);
	start_up(port);
	m = pass_one(vh, port, NB_PAIRS, make_tcp(100, 0));
	assert_non_null(m);
	assert_int_not_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
			     RTE_MBUF_F_RX_L4_CKSUM_BAD);
	assert_int_equal(m->packet_type, RTE_PTYPE_UNKNOWN);
	rte_pktmbuf_free(m);

	/* LRO: a coalesced frame from the backend arrives as one (chained) packet */
	assert_int_equal(rte_eth_dev_set_ptypes(port, RTE_PTYPE_L4_MASK, ptypes, 16), 0);
	m = pass_one(vh, port, NB_PAIRS, make_tcp(3000, 1000));
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 20 + 3000);
	assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
	assert_int_equal(m->tso_segsz, 1000);
	assert_int_equal(m->packet_type & RTE_PTYPE_L4_MASK, RTE_PTYPE_L4_TCP);
	rte_pktmbuf_free(m);
}

static void
test_scatter_without_mrg(void **state)
{
	struct rte_mempool *small;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_mbuf *m;
	uint16_t port, vh;

	(void)state;
	assert_int_equal(rte_dev_probe("0000:01:00.3,mrg_rxbuf=0,lsc_poll_ms=0"), 0);
	assert_int_equal(find_port("0000:01:00.3", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost2", &vh), 0);
	assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
	/* no LRO without mergeable buffers */
	assert_false(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO);
	assert_true(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER);

	/* the device's MTU (1500) does not fit one 1 KB mbuf: refused without SCATTER */
	small = rte_pktmbuf_pool_create("test_small", 1024, 0, 0, 1024 + RTE_PKTMBUF_HEADROOM,
					0);
	assert_non_null(small);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, small), -EINVAL);

	/* with SCATTER the driver posts chains and the frame arrives in segments */
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, small), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, 0, 0, NULL), 0);
	start_up(port);
	assert_int_equal(model_status(2, "acked") & (1L << 15), 0);	/* no MRG_RXBUF */
	m = pass_one(vh, port, 1, make_tcp(1400, 0));
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 20 + 1400);
	assert_true(m->nb_segs >= 2);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_info_get(port, &info), 0);
	assert_int_equal(rte_dev_remove(info.device), 0);
	/* the queues gave every mbuf back */
	assert_int_equal(rte_mempool_avail_count(small), 1024);
	rte_mempool_free(small);
}

/*
 * Mergeable Rx buffers split a frame larger than one mbuf over several mbufs
 * too: without the SCATTER offload, mbufs smaller than the MTU's frame are
 * refused at queue setup and at start, as net/virtio does.
 */
static void
test_scatter_with_mrg(void **state)
{
	struct rte_mempool *small;
	struct rte_eth_conf conf;
	struct rte_mbuf *m;
	uint16_t port, vh;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	small = rte_pktmbuf_pool_create("test_small_mrg", 1024, 0, 0,
					1024 + RTE_PKTMBUF_HEADROOM, 0);
	assert_non_null(small);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, small), -EINVAL);

	/* with SCATTER: accepted, and a full-size frame arrives in segments */
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, small), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, 0, 0, NULL), 0);
	start_up(port);
	assert_true(model_status(0, "acked") & (1L << 15));	/* MRG_RXBUF */
	m = pass_one(vh, port, 1, make_tcp(1400, 0));
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 20 + 1400);
	assert_true(m->nb_segs >= 2);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_eth_dev_stop(port), 0);

	/* SCATTER dropped while the small-mbuf queue stays: start refuses */
	conf.rxmode.offloads = 0;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_dev_start(port), -EINVAL);

	/* back to the suite's configuration */
	assert_int_equal(setup_port(port, false), 0);
	start_up(port);
	assert_int_equal(rte_mempool_avail_count(small), 1024);
	/* mrg_rxbuf=auto: no SCATTER nor LRO, no mergeable buffers; a frame still arrives whole */
	assert_int_equal(model_status(0, "acked") & (1L << 15), 0);
	m = pass_one(vh, port, 1, make_tcp(1400, 0));
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 20 + 1400);
	assert_int_equal(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	rte_mempool_free(small);
}

static void
test_link_events(void **state)
{
	struct rte_eth_link link;
	char out[256];
	unsigned int base;
	uint16_t port;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	base = __atomic_load_n(&lsc_events[port], __ATOMIC_RELAXED);
	assert_int_equal(model_ctl("link 0 down", out, sizeof(out)), 0);
	assert_true(wait_counter(&lsc_events[port], base + 1));
	assert_int_equal(rte_eth_link_get_nowait(port, &link), 0);
	assert_int_equal(link.link_status, RTE_ETH_LINK_DOWN);
	assert_int_equal(model_ctl("link 0 up", out, sizeof(out)), 0);
	assert_true(wait_counter(&lsc_events[port], base + 2));
	assert_int_equal(rte_eth_link_get_nowait(port, &link), 0);
	assert_int_equal(link.link_status, RTE_ETH_LINK_UP);
	assert_int_equal(link.link_speed, RTE_ETH_SPEED_NUM_10G);
}

static uint64_t xstat_by_name(uint16_t port, const char *name);

/*
 * GUEST_ANNOUNCE: the device asks the driver to announce itself; a RARP with
 * the port's MAC reaches the backend and the request is acknowledged.
 */
static void
test_announce_rarp(void **state)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *pk[32];
	char out[256];
	uint64_t end, acks;
	uint16_t port, vh, n, i;
	bool seen = false;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &vh), 0);
	assert_int_equal(rte_eth_macaddr_get(port, &mac), 0);
	assert_true(model_status(0, "acked") & (1L << 21));	/* GUEST_ANNOUNCE */
	acks = xstat_by_name(port, "announce_acks");
	assert_int_equal(model_ctl("announce 0", out, sizeof(out)), 0);
	assert_string_equal(out, "ok\n");
	end = now_ms() + WAIT_MS;
	while (!seen && now_ms() < end) {
		/* the application's (empty) bursts carry it */
		rte_eth_tx_burst(port, 0, pk, 0);
		n = rte_eth_rx_burst(vh, 0, pk, RTE_DIM(pk));
		for (i = 0; i < n; i++) {
			const struct rte_ether_hdr *eh =
				rte_pktmbuf_mtod(pk[i], const struct rte_ether_hdr *);

			if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP) &&
			    rte_is_same_ether_addr(&eh->src_addr, &mac))
				seen = true;
			rte_pktmbuf_free(pk[i]);
		}
		usleep(1000);
	}
	assert_true(seen);
	assert_int_equal(xstat_by_name(port, "announce_acks"), acks + 1);
}

static uint64_t
xstat_by_name(uint16_t port, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return UINT64_MAX;
	if (rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return UINT64_MAX;
	return value;
}

static void
test_xstats(void **state)
{
	uint16_t port;
	int n;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	n = rte_eth_xstats_get_names(port, NULL, 0);
	/* 8 generic + the driver's device counters + 2 x 2 queues x 19 */
	assert_true(n >= 8 + 10 + 2 * NB_PAIRS * 19);
	assert_true(xstat_by_name(port, "device_resets") >= 3);
	assert_true(xstat_by_name(port, "config_interrupts") >= 2);
	assert_true(xstat_by_name(port, "link_changes") >= 2);
	assert_true(xstat_by_name(port, "ctrl_commands") >= 5);
	assert_int_equal(xstat_by_name(port, "ctrl_errors"), 0);
	assert_int_equal(xstat_by_name(port, "rx_q1_bad_used_id"), 0);
	assert_int_equal(xstat_by_name(port, "tx_q1_doorbells"), 0);
	assert_int_equal(rte_eth_xstats_reset(port), 0);
	assert_int_equal(xstat_by_name(port, "device_resets"), 0);
}

static void
test_rx_intr_and_reset(void **state)
{
	struct rte_epoll_event ev[4];
	struct rte_mbuf *m;
	uint16_t port, vh, q, n = 0;

	(void)state;
	assert_int_equal(find_port("0000:01:00.2", &port), 0);
	assert_int_equal(setup_port(port, true), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_int_equal(model_status(1, "msix_enabled"), 1);
	assert_true(wait_link(port, RTE_ETH_LINK_UP));
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
							   RTE_INTR_EVENT_ADD, NULL), 0);
		assert_int_equal(rte_eth_dev_rx_intr_enable(port, q), 0);
	}
	/* a packet from the backend wakes the sleeping queue through its vector */
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost1", &vh), 0);
	m = make_pkt(60, 1);
	assert_non_null(m);
	assert_int_equal(rte_eth_tx_burst(vh, 0, &m, 1), 1);
	assert_true(rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), WAIT_MS) >= 1);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_dev_rx_intr_disable(port, q), 0);
		n += rte_eth_rx_burst(port, q, &m, 1);
		if (n == 1) {
			rte_pktmbuf_free(m);
			n++;
		}
		assert_int_equal(rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
							   RTE_INTR_EVENT_DEL, NULL), 0);
	}
	assert_int_equal(n, 2);
	/* MTU changes need a stopped port */
	assert_int_not_equal(rte_eth_dev_set_mtu(port, 1400), 0);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_set_mtu(port, 1400), 0);

	/* full reinitialisation, then the port is set up again and runs */
	assert_int_equal(rte_eth_dev_reset(port), 0);
	assert_int_equal(setup_port(port, false), 0);
	assert_int_equal(rte_eth_dev_start(port), 0);
	assert_int_equal(model_status(1, "started"), 1);
	assert_int_equal(rte_eth_dev_stop(port), 0);
}

/*
 * A packet the device publishes while the queue's interrupt is still
 * suppressed (after the application's last empty poll, before it enables the
 * interrupt and sleeps) raises no interrupt: with EVENT_IDX its used index is
 * already past the used_event the enable writes. The enable must notice it and
 * wake the sleeper itself.
 */
static void
test_rx_intr_pending_at_enable(void **state)
{
	struct rte_epoll_event ev[4];
	struct rte_mbuf *m;
	uint64_t end;
	uint16_t port, vh, q;
	unsigned int got = 0;
	int n;

	(void)state;
	assert_int_equal(find_port("0000:01:00.2", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost1", &vh), 0);
	assert_int_equal(setup_port(port, true), 0);
	start_up(port);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
							   RTE_INTR_EVENT_ADD, NULL), 0);
		assert_int_equal(rte_eth_dev_rx_intr_disable(port, q), 0);
	}
	/* the packet lands while interrupts are off: the device stays quiet */
	m = make_pkt(60, 2);
	assert_non_null(m);
	assert_int_equal(rte_eth_tx_burst(vh, 0, &m, 1), 1);
	end = now_ms() + WAIT_MS;
	while (rte_eth_rx_queue_count(port, 0) + rte_eth_rx_queue_count(port, 1) == 0 &&
	       now_ms() < end)
		usleep(1000);
	assert_int_equal(rte_eth_rx_queue_count(port, 0) + rte_eth_rx_queue_count(port, 1), 1);
	/*
	 * suppression is only a hint (DPDK's vhost signals its first completion
	 * regardless): forget any interrupt that came anyway
	 */
	(void)rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 100);
	/* the application enables and sleeps: the packet must wake it */
	for (q = 0; q < NB_PAIRS; q++)
		assert_int_equal(rte_eth_dev_rx_intr_enable(port, q), 0);
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 1000);
	assert_true(n >= 1);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_dev_rx_intr_disable(port, q), 0);
		if (rte_eth_rx_burst(port, q, &m, 1) == 1) {
			rte_pktmbuf_free(m);
			got++;
		}
	}
	assert_int_equal(got, 1);
	/* nothing pending: enabling wakes no one */
	for (q = 0; q < NB_PAIRS; q++)
		assert_int_equal(rte_eth_dev_rx_intr_enable(port, q), 0);
	assert_int_equal(rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), 100), 0);
	for (q = 0; q < NB_PAIRS; q++) {
		assert_int_equal(rte_eth_dev_rx_intr_disable(port, q), 0);
		assert_int_equal(rte_eth_dev_rx_intr_ctl_q(port, q, RTE_EPOLL_PER_THREAD,
							   RTE_INTR_EVENT_DEL, NULL), 0);
	}
	assert_int_equal(rte_eth_dev_stop(port), 0);
}

/*
 * The device reports a fault (the model's "needs-reset" command sets
 * DEVICE_NEEDS_RESET and raises the config interrupt): the PMD raises one
 * RESET event, and rte_eth_dev_reset() plus a new setup bring traffic back.
 * The port has no health poll (lsc_poll_ms=0): the MSI-X config vector alone
 * must carry the news.
 */
static void
test_needs_reset_event(void **state)
{
	struct rte_eth_stats before, after;
	char out[256];
	uint16_t port, vh;

	(void)state;
	assert_int_equal(find_port("0000:01:00.2", &port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost1", &vh), 0);
	assert_int_equal(setup_port(port, false), 0);
	start_up(port);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 20, 60), 20);
	assert_int_equal(pass_packets(port, vh, 1, 20, 60), 20);
	assert_int_equal(rte_eth_stats_get(port, &before), 0);
	assert_int_equal(__atomic_load_n(&reset_events[port], __ATOMIC_RELAXED), 0);

	assert_int_equal(model_ctl("needs-reset 1", out, sizeof(out)), 0);
	assert_string_equal(out, "ok\n");
	assert_true(wait_counter(&reset_events[port], 1));
	assert_true(model_status(1, "status") & 0x40);
	assert_int_equal(xstat_by_name(port, "needs_reset_events"), 1);
	/* one event per fault, however often the device is asked */
	assert_int_equal(model_ctl("needs-reset 1", out, sizeof(out)), 0);
	usleep(200000);
	assert_int_equal(__atomic_load_n(&reset_events[port], __ATOMIC_RELAXED), 1);

	/* the application's recovery: reset, set up again, start */
	assert_int_equal(rte_eth_dev_reset(port), 0);
	assert_int_equal(model_status(1, "status"), 0);
	assert_int_equal(setup_port(port, false), 0);
	start_up(port);
	assert_int_equal(model_status(1, "status") & 0x40, 0);
	assert_int_equal(model_status(1, "rings_started"), 2 * NB_PAIRS);
	assert_int_equal(pass_packets(vh, port, NB_PAIRS, 20, 60), 20);
	assert_int_equal(pass_packets(port, vh, 1, 20, 60), 20);
	/* the counters went on across the reset */
	assert_int_equal(rte_eth_stats_get(port, &after), 0);
	assert_int_equal(after.ipackets, before.ipackets + 20);
	assert_int_equal(after.opackets, before.opackets + 20);
	assert_int_equal(__atomic_load_n(&reset_events[port], __ATOMIC_RELAXED), 1);
	/* a stopped port's device is reset: nothing to report a fault to */
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(model_ctl("needs-reset 1", out, sizeof(out)), 0);
	assert_true(strncmp(out, "error", 5) == 0);
}

struct traffic {
	uint16_t port;
	uint16_t vh;
	bool stop;
	unsigned long rounds;
};

/* Backend -> VF -> backend, as fast as it goes, until told to stop. */
static void *
traffic_loop(void *arg)
{
	struct traffic *t = arg;
	struct rte_mbuf *pkts[16];
	uint16_t n, k, q, i;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < 8; i++) {
			pkts[i] = make_pkt(64, (uint8_t)i);
			if (pkts[i] == NULL)
				break;
		}
		k = rte_eth_tx_burst(t->vh, 0, pkts, i);
		while (k < i)
			rte_pktmbuf_free(pkts[k++]);
		for (q = 0; q < NB_PAIRS; q++) {
			n = rte_eth_rx_burst(t->port, q, pkts, 16);
			k = rte_eth_tx_burst(t->port, 0, pkts, n);
			while (k < n)
				rte_pktmbuf_free(pkts[k++]);
		}
		n = rte_eth_rx_burst(t->vh, 0, pkts, 16);
		for (k = 0; k < n; k++)
			rte_pktmbuf_free(pkts[k]);
		t->rounds++;
	}
	return NULL;
}

static void
test_surprise_removal(void **state)
{
	struct traffic traffic;
	pthread_t th;
	struct rte_mbuf *pkts[8];
	struct rte_eth_link link;
	char out[256];
	uint16_t port;
	int i;

	(void)state;
	assert_int_equal(find_port("0000:01:00.1", &port), 0);
	assert_int_equal(rte_eth_dev_is_removed(port), 0);
	/* traffic both ways from another thread while the device goes away */
	assert_int_equal(find_port("0000:01:00.1", &traffic.port), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name("net_vhost0", &traffic.vh), 0);
	traffic.stop = false;
	assert_int_equal(pthread_create(&th, NULL, traffic_loop, &traffic), 0);
	usleep(200000);
	assert_int_equal(model_ctl("unplug 0", out, sizeof(out)), 0);
	/* noticed by the 20 ms health poll */
	assert_true(wait_counter(&rmv_events[port], 1));
	usleep(200000);
	__atomic_store_n(&traffic.stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(traffic.rounds > 0);
	assert_int_equal(rte_eth_dev_is_removed(port), 1);
	assert_int_equal(rte_eth_link_get_nowait(port, &link), 0);
	assert_int_equal(link.link_status, RTE_ETH_LINK_DOWN);
	/* the datapath no longer touches the device */
	for (i = 0; i < 100; i++)
		assert_int_equal(rte_eth_rx_burst(port, 0, pkts, 8), 0);
	/* ethdev reports any failure of a removed device as -EIO */
	assert_int_equal(rte_eth_promiscuous_disable(port), -EIO);
	assert_int_equal(rte_eth_dev_stop(port), 0);
	assert_int_equal(rte_eth_dev_start(port), -EIO);
	assert_int_equal(rte_eth_dev_reset(port), -EIO);
	assert_int_equal(rte_eth_dev_close(port), 0);
	assert_int_equal(tmmr_ports(), 1);
	/* one RMV event only */
	usleep(100000);
	assert_int_equal(__atomic_load_n(&rmv_events[port], __ATOMIC_RELAXED), 1);
}

struct close_ctx {
	void *priv;		/* the closed port's private data, freed */
	size_t len;
	unsigned int closed;
	char mz_prefix[32];
	const struct rte_memzone *mz;
};

/* The application closes the port from its RESET callback. */
static int
close_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct close_ctx *c = arg;

	(void)ret;
	if (type != RTE_ETH_EVENT_INTR_RESET || c->closed != 0)
		return 0;
	c->priv = rte_eth_devices[port].data->dev_private;
	if (rte_malloc_validate(c->priv, &c->len) != 0)
		c->len = 0;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
#ifdef __SANITIZE_ADDRESS__
	/* DPDK's allocator is not instrumented: make the freed block count as such */
	ASAN_POISON_MEMORY_REGION(c->priv, c->len);
#endif
	__atomic_store_n(&c->closed, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
find_rx_ring(const struct rte_memzone *mz, void *arg)
{
	struct close_ctx *c = arg;

	if (strncmp(mz->name, c->mz_prefix, strlen(c->mz_prefix)) == 0)
		c->mz = mz;
}

/*
 * The health poll (alarm) raises RESET for a queue that saw a hostile
 * completion, and the application closes the port inside the callback: the
 * alarm must not touch the freed port afterwards (under ASan, a read of the
 * freed private data aborts the test).
 */
static void
test_close_in_alarm_callback(void **state)
{
	static struct close_ctx ctx;
	struct rte_eth_conf conf;
	struct rte_mbuf *pk[8];
	volatile uint16_t *used_idx;
	uint32_t num;
	uint16_t port;

	(void)state;
	assert_int_equal(rte_dev_probe("0000:01:00.3,lsc_poll_ms=20"), 0);
	assert_int_equal(find_port("0000:01:00.3", &port), 0);
	assert_int_equal(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET, close_cb,
						       &ctx), 0);
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	assert_int_equal(rte_eth_dev_configure(port, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(port, 0, 0, 0, NULL, pool), 0);
	assert_int_equal(rte_eth_tx_queue_setup(port, 0, 0, 0, NULL), 0);
	start_up(port);

	/* the device (as the test plays it) moves the used index past what is in flight */
	snprintf(ctx.mz_prefix, sizeof(ctx.mz_prefix), "tmmr_rx_%u_0_", port);
	rte_memzone_walk(find_rx_ring, &ctx);
	assert_non_null(ctx.mz);
	for (num = 1; num <= 32768; num <<= 1)
		if (RTE_ALIGN_CEIL(tmmr_vring_size(num), RTE_CACHE_LINE_SIZE) == ctx.mz->len)
			break;
	assert_true(num <= 32768);
	used_idx = (volatile uint16_t *)((uint8_t *)ctx.mz->addr + tmmr_vring_used_off(num) + 2);
	*used_idx = (uint16_t)(*used_idx + num + 1);
	assert_int_equal(rte_eth_rx_burst(port, 0, pk, RTE_DIM(pk)), 0);

	assert_true(wait_counter(&ctx.closed, 1));
	/* the alarm's run that delivered the event has ended; later ones must not come */
	usleep(200000);
#ifdef __SANITIZE_ADDRESS__
	ASAN_UNPOISON_MEMORY_REGION(ctx.priv, ctx.len);
#endif
	assert_false(rte_eth_dev_is_valid_port(port));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_info),
		cmocka_unit_test(test_bad_devargs_hotplug),
		cmocka_unit_test(test_start_filters),
		cmocka_unit_test(test_traffic),
		cmocka_unit_test(test_any_desc_count),
		cmocka_unit_test(test_nb_desc_honoured),
		cmocka_unit_test(test_counters_survive_reconfig),
		cmocka_unit_test(test_restart_no_leak),
		cmocka_unit_test(test_offloads),
		cmocka_unit_test(test_scatter_without_mrg),
		cmocka_unit_test(test_scatter_with_mrg),
		cmocka_unit_test(test_link_events),
		cmocka_unit_test(test_announce_rarp),
		cmocka_unit_test(test_xstats),
		cmocka_unit_test(test_rx_intr_and_reset),
		cmocka_unit_test(test_rx_intr_pending_at_enable),
		cmocka_unit_test(test_needs_reset_event),
		cmocka_unit_test(test_surprise_removal),
		cmocka_unit_test(test_close_in_alarm_callback),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s <tmmr-vfemu>\n", argv[0]);
		return 2;
	}
	vfemu_path = argv[1];
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
