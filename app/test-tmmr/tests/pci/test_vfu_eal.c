/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The vfio-user transport with a running EAL (--no-huge, --no-pci):
 *  - DMA: the scripted server maps the fd it gets and must see exactly the
 *    bytes DPDK wrote at that IOVA (and DPDK must see the server's writes);
 *    memory events split and extend the maps; teardown unmaps everything;
 *  - interrupts: the EAL interrupt thread calls a callback registered on
 *    p->intr_handle and drains vector 0's eventfd; rte_intr_rx_ctl +
 *    rte_epoll_wait deliver an Rx vector and drain its eventfd;
 *  - tmmr_pci_open() on a fake sysfs tree picks the model's socket, reads
 *    config from the `config` file and logs the legacy block; it refuses a
 *    device with neither transport, and a vfio-pci one it cannot map.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_interrupts.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <bus_pci_driver.h>

#include "tmmr_mmr.h"
#include "tmmr_pci_priv.h"
#include "tmmr_pci_vfu.h"
#include "cfg_builder.h"
#include "fake_vfu_server.h"

struct ctx {
	struct fake_vfu srv;
	struct tmmr_pci *p;
};

static struct ctx *
attached(void)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int sock;

	fake_vfu_init(&c->srv);
	c->p = tmmr_pci_alloc("ealtest");
	sock = fake_vfu_start_pair(&c->srv);
	assert_true(sock >= 0);
	assert_int_equal(tmmr_pci_vfu_attach_fd(c->p, sock, NULL), 0);
	assert_int_equal(tmmr_pci_load_layout(c->p), 0);
	return c;
}

static void
ctx_end(struct ctx *c)
{
	tmmr_pci_close(c->p);
	fake_vfu_join(&c->srv);
	if (c->srv.bad != 0)
		fail_msg("server saw a bad request: %s", c->srv.badmsg);
	free(c);
}

static const struct fake_dma_map *
live_map_at(const struct fake_vfu *s, uint64_t iova, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < s->n_maps; i++)
		if (s->maps[i].live && s->maps[i].iova <= iova &&
		    iova + len <= s->maps[i].iova + s->maps[i].size)
			return &s->maps[i];
	return NULL;
}

static unsigned int
live_maps(const struct fake_vfu *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n_maps; i++)
		n += s->maps[i].live;
	return n;
}

/* Map what the server got and compare it with DPDK's view of @buf. */
static void
check_device_view(const struct fake_vfu *s, uint8_t *buf, size_t len)
{
	uint64_t iova = rte_mem_virt2iova(buf);
	const struct fake_dma_map *m = live_map_at(s, iova, len);
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t start, skew;
	uint8_t *dev;

	assert_non_null(m);
	start = m->offset + (iova - m->iova);
	skew = start % pg;
	dev = mmap(NULL, len + skew, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd,
		   (off_t)(start - skew));
	assert_true(dev != MAP_FAILED);
	assert_memory_equal(dev + skew, buf, len);
	/* and the other way: a device write lands in DPDK memory */
	dev[skew + 7] ^= 0xff;
	assert_int_equal(buf[7], (uint8_t)(dev[skew + 7]));
	dev[skew + 7] ^= 0xff;
	munmap(dev, len + skew);
}

static void
test_dma(void **state)
{
	struct ctx *c = attached();
	const struct fake_dma_map *head = NULL, *tail = NULL;
	uint8_t *buf = rte_malloc(NULL, 3 * 4096, 4096);
	uint64_t iova;
	unsigned int i, maps;

	assert_non_null(buf);
	for (i = 0; i < 3 * 4096; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	iova = rte_malloc_virt2iova(buf);
	assert_true(iova != RTE_BAD_IOVA);

	assert_int_equal(c->p->ops->dma_setup(c->p), 0);
	/* --no-huge: all memory is one memfd, merged into one map */
	assert_int_equal(c->srv.n_maps, 1);
	assert_int_equal(c->srv.maps[0].size, 64 << 20);
	check_device_view(&c->srv, buf, 3 * 4096);
	/* a second setup changes nothing */
	assert_int_equal(c->p->ops->dma_setup(c->p), 0);
	assert_int_equal(c->srv.n_maps, 1);

	/* the middle page goes away: one unmap, head and tail mapped back */
	tmmr_pci_vfu_mem_event(RTE_MEM_EVENT_FREE, buf + 4096, 4096, c->p);
	assert_int_equal(c->srv.n_unmaps, 1);
	assert_int_equal(c->srv.n_maps, 3);
	assert_null(live_map_at(&c->srv, iova + 4096, 1));
	for (i = 0; i < c->srv.n_maps; i++) {
		if (!c->srv.maps[i].live)
			continue;
		if (c->srv.maps[i].iova + c->srv.maps[i].size == iova + 4096)
			head = &c->srv.maps[i];
		if (c->srv.maps[i].iova == iova + 8192)
			tail = &c->srv.maps[i];
	}
	assert_non_null(head);
	assert_non_null(tail);
	assert_int_equal(tail->offset - head->offset, tail->iova - head->iova);
	check_device_view(&c->srv, buf, 4096);
	check_device_view(&c->srv, buf + 8192, 4096);

	/* it comes back */
	tmmr_pci_vfu_mem_event(RTE_MEM_EVENT_ALLOC, buf + 4096, 4096, c->p);
	assert_int_equal(c->srv.n_maps, 4);
	assert_int_equal(c->srv.maps[3].iova, iova + 4096);
	assert_int_equal(c->srv.maps[3].size, 4096);
	check_device_view(&c->srv, buf + 4096, 4096);

	/* teardown unmaps all three */
	maps = live_maps(&c->srv);
	assert_int_equal(maps, 3);
	c->p->ops->dma_teardown(c->p);
	assert_int_equal(live_maps(&c->srv), 0);
	assert_int_equal(c->srv.n_unmaps, 4);
	/* events after teardown are ignored */
	tmmr_pci_vfu_mem_event(RTE_MEM_EVENT_ALLOC, buf, 4096, c->p);
	assert_int_equal(c->srv.n_maps, 4);

	/* a server refusing DMA_MAP: setup fails, nothing stays mapped */
	fake_vfu_fault(&c->srv, FAULT_ERROR, TMMR_VFU_DMA_MAP);
	assert_int_equal(c->p->ops->dma_setup(c->p), -ENOSPC);
	assert_int_equal(live_maps(&c->srv), 0);

	/* left mapped at close: close unmaps */
	assert_int_equal(c->p->ops->dma_setup(c->p), 0);
	assert_int_equal(live_maps(&c->srv), 1);
	rte_free(buf);
	tmmr_pci_close(c->p);
	fake_vfu_join(&c->srv);
	assert_int_equal(live_maps(&c->srv), 0);
	assert_int_equal(c->srv.bad, 0);
	free(c);
}

/* Memory DPDK knows but has no fd for (external memory): a clear error. */
static void
test_dma_no_fd(void **state)
{
	struct ctx *c = attached();
	size_t len = 2 * 4096;
	void *ext = aligned_alloc(4096, len);
	char *logbuf = NULL;
	size_t loglen = 0;
	FILE *log;
	int ret;

	assert_non_null(ext);
	assert_int_equal(rte_extmem_register(ext, len, NULL, 0, 4096), 0);
	log = open_memstream(&logbuf, &loglen);
	rte_openlog_stream(log);
	ret = c->p->ops->dma_setup(c->p);
	rte_openlog_stream(NULL);
	fclose(log);
	assert_int_equal(ret, -ENOTSUP);
	fprintf(stderr, "%s", logbuf);
	assert_non_null(strstr(logbuf, "has no file descriptor, so the model cannot map it"));
	free(logbuf);
	assert_int_equal(live_maps(&c->srv), 0);
	assert_int_equal(rte_extmem_unregister(ext, len), 0);
	free(ext);
	/* without it, DMA works again */
	assert_int_equal(c->p->ops->dma_setup(c->p), 0);
	assert_int_equal(live_maps(&c->srv), 1);
	ctx_end(c);
}

static volatile int cb_calls;

static void
config_cb(void *arg)
{
	__atomic_fetch_add(&cb_calls, 1, __ATOMIC_RELAXED);
}

static int
wait_calls(int n)
{
	int i;

	for (i = 0; i < 200 && __atomic_load_n(&cb_calls, __ATOMIC_RELAXED) < n; i++)
		usleep(10000);
	return __atomic_load_n(&cb_calls, __ATOMIC_RELAXED);
}

static void
test_intr_eal(void **state)
{
	struct ctx *c = attached();
	struct rte_intr_handle *h = c->p->intr_handle;
	struct rte_epoll_event ev[4];
	void *tag = (void *)(uintptr_t)0x5151;
	uint64_t v;
	int n;

	assert_int_equal(c->p->ops->intr_setup(c->p, 3), 0);

	/* config vector: the EAL thread calls back and drains the eventfd */
	cb_calls = 0;
	assert_int_equal(rte_intr_callback_register(h, config_cb, NULL), 0);
	assert_int_equal(fake_vfu_raise(&c->srv, 0), 0);
	assert_int_equal(wait_calls(1), 1);
	usleep(100000);
	assert_int_equal(cb_calls, 1);	/* drained: no storm */
	assert_int_equal(read(rte_intr_fd_get(h), &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(fake_vfu_raise(&c->srv, 0), 0);
	assert_int_equal(wait_calls(2), 2);

	/* Rx queue 1 -> vector 2 -> efds[1], as the ethdev maps it */
	assert_int_equal(rte_intr_vec_list_alloc(h, "pcitest", 2), 0);
	assert_int_equal(rte_intr_vec_list_index_set(h, 0, RTE_INTR_VEC_RXTX_OFFSET + 0), 0);
	assert_int_equal(rte_intr_vec_list_index_set(h, 1, RTE_INTR_VEC_RXTX_OFFSET + 1), 0);
	assert_int_equal(rte_intr_rx_ctl(h, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_ADD,
					 rte_intr_vec_list_index_get(h, 1), tag), 0);
	assert_int_equal(rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 4, 0), 0);
	assert_int_equal(fake_vfu_raise(&c->srv, 2), 0);
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 4, 2000);
	assert_int_equal(n, 1);
	assert_ptr_equal(ev[0].epdata.data, tag);
	assert_int_equal(ev[0].fd, rte_intr_efds_index_get(h, 1));
	assert_int_equal(read(rte_intr_efds_index_get(h, 1), &v, sizeof(v)), -1);
	assert_int_equal(errno, EAGAIN);
	/* vector 1 (queue 0) is not in this epoll set */
	assert_int_equal(fake_vfu_raise(&c->srv, 1), 0);
	assert_int_equal(rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, 4, 50), 0);
	assert_int_equal(rte_intr_rx_ctl(h, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL,
					 rte_intr_vec_list_index_get(h, 1), tag), 0);

	assert_true(rte_intr_callback_unregister_sync(h, config_cb, NULL) >= 0);
	c->p->ops->intr_teardown(c->p);
	ctx_end(c);
}

static char sysfs[128];

static void
make_fake_sysfs(const char *bdf, const uint8_t *cfg)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sysfs, bdf);
	mkdir(sysfs, 0700);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/config", sysfs, bdf);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cfg, TMMR_PCI_CFG_SIZE), TMMR_PCI_CFG_SIZE);
	close(fd);
}

static void
test_open(void **state)
{
	struct rte_pci_device dev;
	struct fake_vfu srv;
	struct tmmr_pci *p;
	char path[256], *logbuf = NULL;
	size_t loglen = 0;
	FILE *log;
	uint8_t cfg[TMMR_PCI_CFG_SIZE];

	snprintf(sysfs, sizeof(sysfs), "/tmp/pci/sysfs-%d", getpid());
	cb_build_vf(cfg);
	make_fake_sysfs("0000:00:01.0", cfg);
	setenv("SYSFS_PCI_DEVICES", sysfs, 1);
	fake_vfu_init(&srv);
	cb_put16(srv.cfg, 0, 0xffff);	/* config must come from the file */
	snprintf(path, sizeof(path), "%s/0000:00:01.0/" TMMR_VFU_SOCK_NAME, sysfs);
	assert_int_equal(fake_vfu_start_listen(&srv, path), 0);

	memset(&dev, 0, sizeof(dev));
	dev.addr.function = 0;
	dev.addr.devid = 1;
	dev.kdrv = RTE_PCI_KDRV_UNKNOWN;

	log = open_memstream(&logbuf, &loglen);
	rte_openlog_stream(log);
	p = tmmr_pci_open(&dev);
	rte_openlog_stream(NULL);
	fclose(log);
	assert_non_null(p);
	assert_non_null(strstr(logbuf, "0000:00:01.0: legacy block in BAR0 at 0x1000, 256 bytes"
			       " (vfio-user transport)"));
	free(logbuf);
	assert_ptr_equal(p->pci_dev, &dev);
	assert_string_equal(p->name, "0000:00:01.0");
	assert_string_equal(p->ops->name, "vfio-user");
	assert_int_equal(srv.n_cfg_reads, 0);
	assert_true(p->ops->alive(p));
	tmmr_pci_close(p);
	fake_vfu_join(&srv);
	assert_int_equal(srv.bad, 0);

	/* the socket is gone: neither transport */
	unlink(path);
	log = open_memstream(&logbuf, &loglen);
	rte_openlog_stream(log);
	assert_null(tmmr_pci_open(&dev));
	rte_openlog_stream(NULL);
	fclose(log);
	assert_non_null(strstr(logbuf, "neither bound to vfio-pci nor served by tmmr-vfemu"));
	free(logbuf);

	/* vfio-pci, but this machine has no vfio: a clean failure */
	dev.kdrv = RTE_PCI_KDRV_VFIO;
	assert_null(tmmr_pci_open(&dev));
	assert_null(tmmr_pci_open(NULL));

	snprintf(path, sizeof(path), "%s/0000:00:01.0/config", sysfs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/0000:00:01.0", sysfs);
	rmdir(path);
	rmdir(sysfs);
}

int
main(void)
{
	char prefix[64];
	char *argv[] = {
		"test_pci_vfu_eal", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"-l", "0", "--file-prefix", prefix,
		"--log-level", "pmd.net.virtio_tmmr.pci:info", "--log-level", "eal:warning",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_dma_no_fd),
		cmocka_unit_test(test_intr_eal),
		cmocka_unit_test(test_open),
	};
	int ret;

	mkdir("/tmp/pci", 0700);
	snprintf(prefix, sizeof(prefix), "pcitest%d", getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests_name("pci_vfu_eal", tests, NULL, NULL);
	rte_eal_cleanup();
	return ret;
}
