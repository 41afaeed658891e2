/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The PCI glue against the real model: starts tmmr-vfemu (path in argv[1])
 * with two VFs, opens VF 0 the way the PMD does (tmmr_pci_open on a fake
 * rte_pci_device, SYSFS_PCI_DEVICES pointing at the model's tree), then
 * drives it: PF SR-IOV capability, legacy registers, MSI-X (the device
 * config moves to +0x18; a config interrupt reaches an EAL callback), DMA
 * maps of DPDK memory, doorbells, reset, and a surprise unplug.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_interrupts.h>
#include <bus_pci_driver.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_virtio_legacy.h"
#include "pci_doorbell.h"
#include "vf_layout.h"

extern char **environ;

static const char *vfemu_bin;
static char dir[64];
static pid_t model_pid = -1;

#define VF0_BDF		"0000:01:00.1"
#define PF_BDF		"0000:01:00.0"

static int
start_model(void)
{
	char be[160];
	char *argv[] = {
		"timeout", "120", (char *)vfemu_bin, "--sysfs", dir, "--vfs", "2",
		"--queue-pairs", "2", "--backend", be, "--server", NULL,
	};
	posix_spawn_file_actions_t fa;
	struct pollfd pfd;
	char buf[256];
	size_t got = 0;
	ssize_t n;
	int pipefd[2];

	snprintf(be, sizeof(be), "vhost-user:%s/be", dir);
	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	if (posix_spawnp(&model_pid, "timeout", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	/* "ready" once the sysfs tree is complete */
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	while (got < sizeof(buf) - 1 && poll(&pfd, 1, 10000) > 0) {
		n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
		if (strstr(buf, "ready") != NULL) {
			close(pipefd[0]);
			return 0;
		}
	}
	close(pipefd[0]);
	return -1;
}

static void
stop_model(void)
{
	int st;

	if (model_pid > 0) {
		kill(model_pid, SIGTERM);
		waitpid(model_pid, &st, 0);
		model_pid = -1;
	}
}

/* One line to the model's control socket, its answer back. */
static int
model_ctl(const char *line, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/.vfemu-ctl.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) || write(fd, "\n", 1) != 1)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) <= 0)
		goto fail;
	n = read(fd, out, len - 1);
	if (n <= 0)
		goto fail;
	out[n] = '\0';
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static struct tmmr_pci *
open_vf0(struct rte_pci_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	assert_int_equal(rte_pci_addr_parse(VF0_BDF, &dev->addr), 0);
	dev->kdrv = RTE_PCI_KDRV_UNKNOWN;
	return tmmr_pci_open(dev);
}

static void
test_pf_sriov(void **state)
{
	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	struct tmmr_mmr_layout lay;
	char path[256], err[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/config", dir, PF_BDF);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, cfg, sizeof(cfg)), sizeof(cfg));
	close(fd);
	if (tmmr_caps_parse(cfg, sizeof(cfg), 0, &lay, err, sizeof(err)) != 0)
		fail_msg("PF config: %s", err);
	assert_int_equal(lay.device_id, TMMR_PCI_PF_DEVICE_ID);
	assert_true(lay.has_sriov);
	assert_int_equal(lay.sriov_vf_device_id, TMMR_PCI_DEVICE_ID_NET);
	assert_int_equal(lay.sriov_num_vfs, 2);
	assert_true(lay.sriov_total_vfs >= 2);
	/* VF 0 at PF function + offset */
	assert_int_equal(lay.sriov_vf_offset, 1);
	assert_int_equal(lay.sriov_vf_stride, 1);
}

static volatile int config_irqs;

static void
on_config(void *arg)
{
	__atomic_fetch_add(&config_irqs, 1, __ATOMIC_RELAXED);
}

static void
test_vf(void **state)
{
	struct rte_pci_device dev;
	struct tmmr_pci *p;
	struct tmmr_doorbell n;
	uint32_t feat, mac_lo;
	uint16_t qsize;
	char out[256];
	int i;

	p = open_vf0(&dev);
	assert_non_null(p);
	assert_string_equal(p->ops->name, "vfio-user");
	/* two queue pairs: config, control queue, two Rx and two Tx vectors */
	assert_vf_layout(&p->layout, 6);
	assert_int_equal(p->bar_len[0], TMMR_BAR0_SIZE);

	/* reset, then the legacy handshake */
	tmmr_leg_write(p, TMMR_LEG_STATUS, 0, 1);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_STATUS, 1), 0);
	feat = tmmr_leg_read(p, TMMR_LEG_DEVICE_FEATURES, 4);
	assert_true(feat != 0 && feat != 0xffffffff);
	assert_true(feat & (1u << TMMR_NET_F_MAC));
	tmmr_leg_write(p, TMMR_LEG_STATUS, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER, 1);
	tmmr_leg_write(p, TMMR_LEG_DRIVER_FEATURES, feat, 4);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_DRIVER_FEATURES, 4), feat);
	tmmr_leg_write(p, TMMR_LEG_QUEUE_SEL, 0, 2);
	qsize = tmmr_leg_read(p, TMMR_LEG_QUEUE_SIZE, 2);
	assert_true(qsize != 0 && (qsize & (qsize - 1)) == 0);

	/* device config at +0x14 without MSI-X */
	mac_lo = tmmr_leg_read(p, TMMR_LEG_DEVCFG_NO_MSIX + TMMR_NET_CFG_MAC, 4);

	/* MSI-X on: device config moves to +0x18 */
	assert_int_equal(p->ops->intr_setup(p, 3), 0);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_DEVCFG_MSIX + TMMR_NET_CFG_MAC, 4), mac_lo);
	tmmr_leg_write(p, TMMR_LEG_MSIX_CONFIG_VECTOR, 0, 2);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_MSIX_CONFIG_VECTOR, 2), 0);

	/* a config change reaches an EAL callback on vector 0 */
	config_irqs = 0;
	assert_int_equal(rte_intr_callback_register(p->intr_handle, on_config, NULL), 0);
	tmmr_leg_write(p, TMMR_LEG_STATUS, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER |
		       TMMR_STATUS_DRIVER_OK, 1);
	assert_int_equal(model_ctl("announce 0", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "ok"));
	for (i = 0; i < 200 && __atomic_load_n(&config_irqs, __ATOMIC_RELAXED) == 0; i++)
		usleep(10000);
	assert_int_equal(config_irqs, 1);
	assert_true(tmmr_leg_read(p, TMMR_LEG_DEVCFG_MSIX + TMMR_NET_CFG_STATUS, 2) &
		    TMMR_NET_S_ANNOUNCE);
	assert_true(rte_intr_callback_unregister_sync(p->intr_handle, on_config, NULL) >= 0);

	/* DPDK memory reachable by the model */
	assert_int_equal(p->ops->dma_setup(p), 0);

	/* doorbells: an ioeventfd or a REGION_WRITE, either way the device lives */
	for (i = 0; i < 5; i++) {
		test_doorbell(p, i, &n);
		/* the model offers an ioeventfd per queue (2 pairs + ctrl) */
		assert_true(n.efd >= 0);
		tmmr_doorbell_ring(&n);
	}
	test_doorbell(p, 5, &n);
	assert_int_equal(n.efd, -1);
	tmmr_doorbell_ring(&n);
	assert_true(p->ops->alive(p));

	/* function reset: status back to 0 */
	assert_int_equal(p->ops->fn_reset(p), 0);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_STATUS, 1), 0);

	p->ops->intr_teardown(p);
	/* MSI-X off: device config is back at +0x14 */
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_DEVCFG_NO_MSIX + TMMR_NET_CFG_MAC, 4), mac_lo);
	p->ops->dma_teardown(p);
	tmmr_pci_close(p);
}

/* Surprise removal: the model drops the VF; reads are all-ones, no crash. */
static void
test_unplug(void **state)
{
	struct rte_pci_device dev;
	struct tmmr_pci *p;
	char out[256];
	int i;

	p = open_vf0(&dev);
	assert_non_null(p);
	assert_int_equal(p->ops->intr_setup(p, 2), 0);
	assert_int_equal(p->ops->dma_setup(p), 0);
	assert_int_equal(model_ctl("unplug 0", out, sizeof(out)), 0);
	for (i = 0; i < 200 && p->ops->alive(p); i++)
		usleep(10000);
	assert_false(p->ops->alive(p));
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_DEVICE_FEATURES, 4), 0xffffffff);
	assert_int_equal(tmmr_leg_read(p, TMMR_LEG_STATUS, 1), 0xff);
	tmmr_pci_close(p);
	/* and it cannot be opened again */
	assert_null(open_vf0(&dev));
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal_argv[] = {
		"test_pci_model", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"-l", "0", "--file-prefix", prefix, "--log-level", "eal:warning",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_sriov),
		cmocka_unit_test(test_vf),
		cmocka_unit_test(test_unplug),
	};
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-tmmr-vfemu\n", argv[0]);
		return 1;
	}
	vfemu_bin = argv[1];
	mkdir("/tmp/pci", 0700);
	snprintf(dir, sizeof(dir), "/tmp/pci/model-%d", getpid());
	if (start_model() != 0) {
		fprintf(stderr, "tmmr-vfemu did not come up\n");
		stop_model();
		return 1;
	}
	setenv("SYSFS_PCI_DEVICES", dir, 1);
	snprintf(prefix, sizeof(prefix), "pcimodel%d", getpid());
	if (rte_eal_init(RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		stop_model();
		return 1;
	}
	ret = cmocka_run_group_tests_name("pci_model", tests, NULL, NULL);
	rte_eal_cleanup();
	stop_model();
	return ret;
}
