/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The vfio-user transport against a scripted server in a thread: the
 * requests it sends (the server checks them), what it makes of good
 * replies, and that bad replies (short, wrong msg_id, error flag, EOF,
 * silence, oversize) give all-ones reads and a dead device, never a crash,
 * a hang or a leaked fd.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <rte_common.h>
#include <rte_interrupts.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_virtio_legacy.h"
#include "cfg_builder.h"
#include "fake_vfu_server.h"
#include "pci_doorbell.h"
#include "vf_layout.h"

struct ctx {
	struct fake_vfu srv;
	struct tmmr_pci *p;
	int fds_before;
};

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start a server with the defaults and its client, not yet attached. */
static struct ctx *
ctx_new(void)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->fds_before = count_fds();
	fake_vfu_init(&c->srv);
	c->p = tmmr_pci_alloc("vfutest");
	return c;
}

static int
ctx_attach(struct ctx *c, const char *cfg_path)
{
	int sock = fake_vfu_start_pair(&c->srv);

	assert_true(sock >= 0);
	return tmmr_pci_vfu_attach_fd(c->p, sock, cfg_path);
}

/* Close the client, wait for the server, check nothing leaked. */
static void
ctx_end(struct ctx *c, bool expect_clean)
{
	tmmr_pci_close(c->p);
	fake_vfu_join(&c->srv);
	if (expect_clean && c->srv.bad != 0)
		fail_msg("server saw a bad request: %s", c->srv.badmsg);
	assert_int_equal(count_fds(), c->fds_before);
	free(c);
}

static struct ctx *
attached(void)
{
	struct ctx *c = ctx_new();

	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	return c;
}

static void
test_attach(void **state)
{
	struct ctx *c = attached();

	assert_string_equal(c->p->ops->name, "vfio-user");
	assert_int_equal(c->p->bar_len[0], TMMR_BAR0_SIZE);
	assert_int_equal(c->p->bar_len[1], 0);
	assert_int_equal(c->p->bar_len[5], 0);
	assert_vf_layout(&c->p->layout, CB_MSIX_VECS);
	assert_true(c->srv.n_cfg_reads > 0);	/* no file: region 7 */
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_VERSION], 1);
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_DEVICE_GET_INFO], 1);
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_DEVICE_GET_REGION_IO_FDS], 1);
	assert_true(c->p->ops->alive(c->p));
	assert_non_null(c->p->intr_handle);
	assert_int_equal(rte_intr_type_get(c->p->intr_handle), RTE_INTR_HANDLE_VFIO_MSIX);
	assert_int_equal(rte_intr_fd_get(c->p->intr_handle), -1);
	assert_int_equal(c->p->nb_vec, 0);
	ctx_end(c, true);
}

/* Config comes from the sysfs file when there is one. */
static void
test_config_file(void **state)
{
	struct ctx *c = ctx_new();
	char path[128];
	uint8_t cfg[TMMR_PCI_CFG_SIZE];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pci/vfutest-%d-config", getpid());
	cb_build_vf(cfg);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cfg, sizeof(cfg)), sizeof(cfg));
	close(fd);
	/* the server's region 7 says something else: the file must win */
	cb_put16(c->srv.cfg, 0, 0xffff);
	assert_int_equal(ctx_attach(c, path), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	assert_int_equal(c->srv.n_cfg_reads, 0);
	assert_int_equal(c->p->ops->cfg_read(c->p, cfg, 8, TMMR_PCI_CFG_SIZE - 4), -EINVAL);
	ctx_end(c, true);
	unlink(path);

	/* a 256-byte file: the 4096-byte read fails, parse sees no VSEC */
	c = ctx_new();
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_int_equal(write(fd, cfg, 256), 256);
	close(fd);
	assert_int_equal(ctx_attach(c, path), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), -1);
	ctx_end(c, true);
	unlink(path);
}

static void
test_registers(void **state)
{
	struct ctx *c = attached();
	uint8_t *leg = c->srv.bar0 + TMMR_BAR0_LEGACY_OFF;

	memcpy(leg, "\x21\x43\x65\x87", 4);
	assert_int_equal(tmmr_leg_read(c->p, TMMR_LEG_DEVICE_FEATURES, 4), 0x87654321);
	assert_int_equal(tmmr_leg_read(c->p, TMMR_LEG_DEVICE_FEATURES + 2, 2), 0x8765);
	assert_int_equal(tmmr_leg_read(c->p, 3, 1), 0x87);
	tmmr_leg_write(c->p, TMMR_LEG_QUEUE_PFN, 0x12345, 4);
	assert_memory_equal(leg + TMMR_LEG_QUEUE_PFN, "\x45\x23\x01\x00", 4);
	assert_int_equal(c->srv.last_wr_region, 0);
	assert_int_equal(c->srv.last_wr_off, TMMR_BAR0_LEGACY_OFF + TMMR_LEG_QUEUE_PFN);
	assert_int_equal(c->srv.last_wr_count, 4);
	tmmr_leg_write(c->p, TMMR_LEG_STATUS, 0, 1);
	assert_int_equal(c->srv.last_wr_count, 1);

	/* outside BAR0 or a missing BAR: all-ones, no request */
	unsigned int before = c->srv.n_cmd[TMMR_VFU_REGION_READ];

	assert_int_equal(c->p->ops->bar_read(c->p, 0, TMMR_BAR0_SIZE - 2, 4), 0xffffffff);
	assert_int_equal(c->p->ops->bar_read(c->p, 1, 0, 2), 0xffff);
	assert_int_equal(c->p->ops->bar_read(c->p, 9, 0, 1), 0xff);
	assert_int_equal(c->p->ops->bar_read(c->p, 0, 0, 8), 0xffffffff);
	c->p->ops->bar_write(c->p, 0, TMMR_BAR0_SIZE, 1, 1);
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_REGION_READ], before);
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_REGION_WRITE], 2);
	ctx_end(c, true);
}

static void
test_doorbells(void **state)
{
	struct ctx *c = attached();
	struct tmmr_doorbell n;
	uint64_t cnt;
	uint16_t q;

	for (q = 0; q < FAKE_NB_IOEVT; q++) {
		test_doorbell(c->p, q, &n);
		assert_null(n.mmio);
		assert_true(n.efd >= 0);
		tmmr_doorbell_ring(&n);
		tmmr_doorbell_ring(&n);
		assert_int_equal(read(c->srv.ioevt[q], &cnt, sizeof(cnt)), sizeof(cnt));
		assert_int_equal(cnt, 2);
	}
	/* no ioeventfd for queue 5: a REGION_WRITE of le16 5 at 4 * 5 */
	test_doorbell(c->p, 5, &n);
	assert_int_equal(n.efd, -1);
	assert_null(n.mmio);
	tmmr_doorbell_ring(&n);
	assert_int_equal(c->srv.last_wr_region, 0);
	assert_int_equal(c->srv.last_wr_off, 20);
	assert_int_equal(c->srv.last_wr_count, 2);
	assert_memory_equal(c->srv.last_wr_data, "\x05\x00", 2);
	/* beyond the notify area: no kick (QUEUE_NOTIFY is the PMD's fallback) */
	assert_int_equal(c->p->ops->kick(c->p, 2000), -ENOENT);
	assert_int_equal(c->srv.last_wr_off, 20);
	assert_int_equal(c->p->ops->kick(c->p, 6), 0);
	assert_int_equal(c->srv.last_wr_off, 24);
	assert_memory_equal(c->srv.last_wr_data, "\x06\x00", 2);
	ctx_end(c, true);

	/* a server without ioeventfds: every doorbell is a REGION_WRITE */
	c = ctx_new();
	c->srv.offer_ioevt = false;
	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	test_doorbell(c->p, 0, &n);
	assert_int_equal(n.efd, -1);
	tmmr_doorbell_ring(&n);
	assert_int_equal(c->srv.last_wr_off, 0);
	assert_memory_equal(c->srv.last_wr_data, "\x00\x00", 2);
	assert_true(c->p->ops->alive(c->p));
	ctx_end(c, true);
}

static void
test_intr(void **state)
{
	struct ctx *c = ctx_new();
	struct rte_intr_handle *h;
	int fd0, efd3;
	uint64_t v;
	unsigned int i;

	c->srv.max_fds = 8;	/* 18 vectors go in three messages */
	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	h = c->p->intr_handle;

	assert_int_equal(c->p->ops->intr_setup(c->p, CB_MSIX_VECS), 0);
	assert_int_equal(c->p->nb_vec, CB_MSIX_VECS);
	assert_int_equal(c->srv.n_set_irqs, 3);
	assert_int_equal(rte_intr_type_get(h), RTE_INTR_HANDLE_VFIO_MSIX);
	assert_int_equal(rte_intr_nb_efd_get(h), CB_MSIX_VECS - 1);
	assert_int_equal(rte_intr_max_intr_get(h), CB_MSIX_VECS);
	assert_int_equal(rte_intr_efd_counter_size_get(h), 8);
	assert_true(rte_intr_cap_multiple(h));
	assert_true(rte_intr_allow_others(h));
	assert_true(rte_intr_dp_is_en(h));
	fd0 = rte_intr_fd_get(h);
	assert_true(fd0 >= 0);
	/* each vector the device raises shows up on the right fd */
	for (i = 0; i < CB_MSIX_VECS; i++) {
		int fd = i == 0 ? fd0 : rte_intr_efds_index_get(h, i - 1);

		assert_int_equal(read(fd, &v, sizeof(v)), -1);	/* non-blocking, empty */
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(fake_vfu_raise(&c->srv, i), 0);
		assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
		assert_int_equal(v, 1);
	}
	efd3 = rte_intr_efds_index_get(h, 2);

	/* same count again: fds kept, no disable in between */
	assert_int_equal(c->p->ops->intr_setup(c->p, CB_MSIX_VECS), 0);
	assert_int_equal(rte_intr_fd_get(h), fd0);
	assert_int_equal(c->srv.last_irq_flags & TMMR_VFU_IRQ_SET_DATA_EVENTFD,
			 TMMR_VFU_IRQ_SET_DATA_EVENTFD);

	/* fewer vectors: disable first, vector fds kept */
	i = c->srv.n_set_irqs;
	assert_int_equal(c->p->ops->intr_setup(c->p, 5), 0);
	assert_int_equal(c->srv.n_set_irqs, i + 2);
	assert_int_equal(rte_intr_fd_get(h), fd0);
	assert_int_equal(rte_intr_efds_index_get(h, 2), efd3);
	assert_int_equal(rte_intr_nb_efd_get(h), 4);
	assert_int_equal(c->srv.irq_fd[5], -1);
	assert_true(c->srv.irq_fd[4] >= 0);

	/* more than the MSI-X table has */
	assert_int_equal(c->p->ops->intr_setup(c->p, CB_MSIX_VECS + 1), -EINVAL);

	c->p->ops->intr_teardown(c->p);
	assert_int_equal(c->srv.last_irq_flags,
			 TMMR_VFU_IRQ_SET_DATA_NONE | TMMR_VFU_IRQ_SET_ACTION_TRIGGER);
	assert_int_equal(c->srv.last_irq_count, 0);
	assert_int_equal(rte_intr_fd_get(h), -1);
	assert_int_equal(rte_intr_nb_efd_get(h), 0);
	assert_int_equal(c->p->nb_vec, 0);
	assert_int_equal(c->srv.irq_fd[0], -1);

	/* setup with 1 vector (config only), then 0 disables */
	assert_int_equal(c->p->ops->intr_setup(c->p, 1), 0);
	assert_int_equal(rte_intr_nb_efd_get(h), 0);
	assert_false(rte_intr_dp_is_en(h));
	assert_int_equal(c->p->ops->intr_setup(c->p, 0), 0);
	assert_int_equal(c->p->nb_vec, 0);

	/* left enabled at close: close disables and frees */
	assert_int_equal(c->p->ops->intr_setup(c->p, 3), 0);
	ctx_end(c, true);
}

/* A server without "max_msg_fds" is assumed to take one fd per message. */
static void
test_intr_one_fd(void **state)
{
	struct ctx *c = ctx_new();

	c->srv.max_fds = 0;
	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	assert_int_equal(c->p->ops->intr_setup(c->p, 4), 0);
	assert_int_equal(c->srv.n_set_irqs, 4);
	assert_int_equal(c->srv.last_irq_start, 3);
	assert_int_equal(fake_vfu_raise(&c->srv, 3), 0);
	ctx_end(c, true);
}

static void
test_reset(void **state)
{
	struct ctx *c = attached();

	assert_int_equal(c->p->ops->fn_reset(c->p), 0);
	assert_int_equal(c->srv.n_cmd[TMMR_VFU_DEVICE_RESET], 1);
	fake_vfu_fault(&c->srv, FAULT_ERROR, TMMR_VFU_DEVICE_RESET);
	assert_int_equal(c->p->ops->fn_reset(c->p), -ENOSPC);
	assert_true(c->p->ops->alive(c->p));
	ctx_end(c, true);
}

/* Arm @f on the next REGION_READ, read a register, check the outcome. */
static void
read_with_fault(enum fake_fault f, bool stays_alive)
{
	struct ctx *c = attached();
	unsigned int reads;

	memcpy(c->srv.bar0 + TMMR_BAR0_LEGACY_OFF, "\x01\x02\x03\x04", 4);
	tmmr_pci_vfu_set_timeout(c->p, 300);
	fake_vfu_fault(&c->srv, f, TMMR_VFU_REGION_READ);
	assert_int_equal(tmmr_leg_read(c->p, 0, 4), 0xffffffff);
	assert_int_equal(c->p->ops->alive(c->p), stays_alive);
	if (stays_alive) {
		assert_int_equal(tmmr_leg_read(c->p, 0, 4), 0x04030201);
	} else {
		/* gone: every access fails at once, without a request */
		pthread_mutex_lock(&c->srv.lock);
		reads = c->srv.n_cmd[TMMR_VFU_REGION_READ];
		pthread_mutex_unlock(&c->srv.lock);
		assert_int_equal(tmmr_leg_read(c->p, 0, 2), 0xffff);
		assert_int_equal(tmmr_leg_read(c->p, 0, 1), 0xff);
		tmmr_leg_write(c->p, TMMR_LEG_STATUS, 0, 1);
		assert_int_equal(c->p->ops->fn_reset(c->p), -ENOTCONN);
		assert_int_equal(c->p->ops->intr_setup(c->p, 2), -ENOTCONN);
		(void)c->p->ops->kick(c->p, 1);
		pthread_mutex_lock(&c->srv.lock);
		assert_int_equal(c->srv.n_cmd[TMMR_VFU_REGION_READ], reads);
		pthread_mutex_unlock(&c->srv.lock);
	}
	ctx_end(c, true);
}

static void
test_fault_short(void **state)
{
	read_with_fault(FAULT_SHORT, true);
}

static void
test_fault_wrong_count(void **state)
{
	read_with_fault(FAULT_WRONG_COUNT, true);
}

static void
test_fault_error(void **state)
{
	read_with_fault(FAULT_ERROR, true);
}

static void
test_fault_bad_id(void **state)
{
	read_with_fault(FAULT_BAD_ID, false);
}

static void
test_fault_as_command(void **state)
{
	read_with_fault(FAULT_AS_COMMAND, false);
}

static void
test_fault_oversize(void **state)
{
	read_with_fault(FAULT_OVERSIZE, false);
}

static void
test_fault_eof(void **state)
{
	read_with_fault(FAULT_EOF, false);
}

static void
test_fault_silent(void **state)
{
	int64_t t0 = ms_now();

	read_with_fault(FAULT_SILENT, false);
	/* one timeout, not one per access */
	assert_true(ms_now() - t0 < 2000);
}

/* The server hangs up while the client is idle: alive() notices. */
static void
test_idle_hangup(void **state)
{
	struct ctx *c = attached();
	int i;

	assert_true(c->p->ops->alive(c->p));
	fake_vfu_hangup(&c->srv);
	for (i = 0; i < 100 && c->p->ops->alive(c->p); i++)
		usleep(10000);
	assert_false(c->p->ops->alive(c->p));
	assert_int_equal(tmmr_leg_read(c->p, 0, 4), 0xffffffff);
	ctx_end(c, true);
}

static void
attach_fails(struct ctx *c, int expect)
{
	assert_int_equal(ctx_attach(c, NULL), expect);
	/* the transport freed its state and the socket; p itself is ours */
	assert_null(c->p->priv);
	assert_null(c->p->intr_handle);
	ctx_end(c, false);
}

static void
test_attach_failures(void **state)
{
	struct ctx *c;

	c = ctx_new();
	c->srv.ver_minor = 2;
	attach_fails(c, -EPROTONOSUPPORT);

	c = ctx_new();
	c->srv.ver_major = 1;
	c->srv.ver_minor = 1;
	attach_fails(c, -EPROTONOSUPPORT);

	c = ctx_new();
	c->srv.dev_flags = 0;
	attach_fails(c, -ENODEV);

	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_ERROR, TMMR_VFU_DEVICE_GET_INFO);
	attach_fails(c, -ENOSPC);

	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_SHORT, TMMR_VFU_DEVICE_GET_INFO);
	attach_fails(c, -EPROTO);

	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_EOF, TMMR_VFU_VERSION);
	attach_fails(c, -ECONNRESET);

	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_EOF, TMMR_VFU_DEVICE_GET_REGION_IO_FDS);
	attach_fails(c, -ECONNRESET);

	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_SHORT, TMMR_VFU_DEVICE_GET_REGION_IO_FDS);
	attach_fails(c, -EPROTO);

	/* BAR0 unknown to the server: attach works, the layout check does not */
	c = ctx_new();
	fake_vfu_fault(&c->srv, FAULT_ERROR, TMMR_VFU_DEVICE_GET_REGION_INFO);
	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(c->p->bar_len[0], 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), -1);
	ctx_end(c, true);

	/* a config space without the VSEC */
	c = ctx_new();
	cb_build_pf(c->srv.cfg);
	assert_int_equal(ctx_attach(c, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), -1);
	ctx_end(c, true);

	/* nobody listening */
	c = ctx_new();
	assert_true(tmmr_pci_vfu_attach(c->p, "/tmp/pci/no-such.sock", NULL) < 0);
	assert_null(c->p->priv);
	tmmr_pci_close(c->p);
	assert_int_equal(count_fds(), c->fds_before);
	pthread_mutex_destroy(&c->srv.lock);
	free(c);
}

/*
 * Random replies to random requests, during attach and after: attach fails
 * or works, reads give a value or all-ones; never a crash, hang or fd leak.
 */
static void
test_random_replies(void **state)
{
	static const uint16_t cmds[] = {
		TMMR_VFU_VERSION, TMMR_VFU_DEVICE_GET_INFO, TMMR_VFU_DEVICE_GET_REGION_INFO,
		TMMR_VFU_DEVICE_GET_REGION_IO_FDS, TMMR_VFU_REGION_READ,
	};
	unsigned int iter, seed = 12345, attached_ok = 0;
	uint32_t level = rte_log_get_level(tmmr_pci_logtype);
	struct ctx *c;

	rte_log_set_level(tmmr_pci_logtype, RTE_LOG_CRIT);	/* 300 failures are noisy */
	for (iter = 0; iter < 300; iter++) {
		c = ctx_new();
		c->srv.seed = iter;
		c->srv.fault = rand_r(&seed) % 3 ? FAULT_RANDOM : FAULT_RANDOM_RAW;
		c->srv.fault_cmd = cmds[rand_r(&seed) % RTE_DIM(cmds)];
		if (ctx_attach(c, NULL) == 0) {
			attached_ok++;
			tmmr_pci_vfu_set_timeout(c->p, 200);
			if (tmmr_pci_load_layout(c->p) == 0) {
				tmmr_leg_read(c->p, 0, 4);
				tmmr_leg_read(c->p, 0, 2);
			}
			c->p->ops->alive(c->p);
		} else {
			assert_null(c->p->priv);
		}
		ctx_end(c, false);
	}
	rte_log_set_level(tmmr_pci_logtype, level);
	/* some faults hit requests made after attach */
	assert_true(attached_ok > 0);
}

struct hammer {
	struct tmmr_pci *p;
	uint32_t reg;
	uint32_t expect;
	int bad;
};

static void *
hammer_run(void *arg)
{
	struct hammer *h = arg;
	int i;

	for (i = 0; i < 2000; i++)
		h->bad += tmmr_leg_read(h->p, h->reg, 4) != h->expect;
	return NULL;
}

/* The control path from two threads at once: requests never interleave. */
static void
test_two_threads(void **state)
{
	struct ctx *c = attached();
	struct hammer h[2] = {
		{ .p = c->p, .reg = 0, .expect = 0x11111111 },
		{ .p = c->p, .reg = 4, .expect = 0x22222222 },
	};
	pthread_t t[2];
	int i;

	memset(c->srv.bar0 + TMMR_BAR0_LEGACY_OFF, 0x11, 4);
	memset(c->srv.bar0 + TMMR_BAR0_LEGACY_OFF + 4, 0x22, 4);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer_run, &h[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(h[0].bad, 0);
	assert_int_equal(h[1].bad, 0);
	assert_true(c->p->ops->alive(c->p));
	ctx_end(c, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_doorbells),
		cmocka_unit_test(test_intr),
		cmocka_unit_test(test_intr_one_fd),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_fault_short),
		cmocka_unit_test(test_fault_wrong_count),
		cmocka_unit_test(test_fault_error),
		cmocka_unit_test(test_fault_bad_id),
		cmocka_unit_test(test_fault_as_command),
		cmocka_unit_test(test_fault_oversize),
		cmocka_unit_test(test_fault_eof),
		cmocka_unit_test(test_fault_silent),
		cmocka_unit_test(test_idle_hangup),
		cmocka_unit_test(test_attach_failures),
		cmocka_unit_test(test_random_replies),
		cmocka_unit_test(test_two_threads),
	};

	mkdir("/tmp/pci", 0700);
	return cmocka_run_group_tests_name("pci_vfu", tests, NULL, NULL);
}
