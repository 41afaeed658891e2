/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The model's vhost-user frontend against DPDK's real vhost library (the
 * backend it meets in production): DPDK serves a socket, the frontend
 * connects as a client, hands over a memfd region holding two legacy split
 * rings, and DPDK must declare the device ready (new_device), then move one
 * packet each way through those rings. GET_VRING_BASE must stop it again.
 */

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "vfemu_loop.h"
#include "vfemu_vhost.h"

#define REGION_IOVA 0x40000000ULL
#define REGION_SIZE (1u << 20)
#define RING_NUM 256
#define RING0_OFF 0x0000	/* vhost queue 0: the driver's Rx */
#define RING1_OFF 0x4000	/* vhost queue 1: the driver's Tx */
#define RXBUF_OFF 0x10000
#define TXBUF_OFF 0x20000
#define NET_HDR_LEN 10		/* legacy header without MRG_RXBUF */
#define NET_F_CSUM (1ULL << 0)	/* offered by DPDK net vhost; MAC is not */

/* legacy split ring layout (virtio 0.9.5), as the PMD lays it out */
struct test_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct test_used_elem {
	uint32_t id;
	uint32_t len;
};

#define TEST_DESC_F_WRITE 2

static char sock_path[108];
static char iommu_sock_path[108];	/* a backend with IOMMU support (translated tables) */
static char runtime_dir[256];
static int dpdk_vid = -1;
static int new_device_calls;
static int destroy_device_calls;

static int
on_new_device(int vid)
{
	__atomic_store_n(&dpdk_vid, vid, __ATOMIC_RELEASE);
	__atomic_add_fetch(&new_device_calls, 1, __ATOMIC_ACQ_REL);
	return 0;
}

static void
on_destroy_device(int vid)
{
	__atomic_add_fetch(&destroy_device_calls, 1, __ATOMIC_ACQ_REL);
}

static const struct rte_vhost_device_ops dpdk_ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
};

struct tctx {
	struct vfemu_loop *loop;
	int ups;
	unsigned int ticks;
};

static void
on_connection(void *opaque, bool up)
{
	struct tctx *t = opaque;

	t->ups += up ? 1 : -1;
}

static void
stop_when_up(void *opaque)
{
	struct tctx *t = opaque;

	if (t->ups > 0 || ++t->ticks > 300)
		vfemu_loop_stop(t->loop);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
wait_for(int *counter, int want, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want) {
		if (now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* the ring addresses in IOVA space for a legacy ring at @off */
static struct vfemu_vhost_ring
ring_at(uint16_t index, uint64_t off)
{
	uint64_t desc = REGION_IOVA + off;
	uint64_t avail = desc + RING_NUM * sizeof(struct test_desc);
	uint64_t used = (avail + 4 + 2 * RING_NUM + 2 + 4095) & ~4095ULL;

	return (struct vfemu_vhost_ring){
		.index = index, .num = RING_NUM, .desc = desc, .avail = avail, .used = used,
		.base = 0, .kick_fd = -1, .call_fd = -1, .enabled = true,
	};
}

/* where a ring's part at @iova sits in the region, the ring starting at offset @off */
static void *
ring_part(uint8_t *region, const struct vfemu_vhost_ring *r, uint64_t off, uint64_t iova)
{
	return region + off + (iova - r->desc);
}

/* A zeroed memfd of REGION_SIZE, mapped here to fill the rings; its fd in @fd. */
static uint8_t *
region_create(const char *name, int *fd)
{
	uint8_t *region;

	*fd = memfd_create(name, MFD_CLOEXEC);
	assert_true(*fd >= 0);
	assert_int_equal(ftruncate(*fd, REGION_SIZE), 0);
	region = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	assert_true(region != MAP_FAILED);
	memset(region, 0, REGION_SIZE);
	return region;
}

/* The frontend, a client of DPDK's socket @path, once connected. */
static struct vfemu_vhost *
frontend_connect(struct tctx *t, const char *path)
{
	static const struct vfemu_vhost_ops ops = { .connection = on_connection };
	struct vfemu_vhost *vh;

	t->loop = vfemu_loop_create();
	assert_non_null(t->loop);
	vh = vfemu_vhost_create(t->loop, path, false, &ops, t);
	assert_non_null(vh);
	assert_int_equal(vfemu_loop_add_tick(t->loop, stop_when_up, t), 0);
	assert_int_equal(vfemu_loop_run(t->loop, 10), 0);
	assert_int_equal(t->ups, 1);
	assert_true(vfemu_vhost_connected(vh));
	return vh;
}

/*
 * The "driver" side before the start: one packet (legacy header and 60 bytes
 * @first, @first + 1, ...) posted on the Tx ring (rings[1] at RING1_OFF), one
 * writable 2 KiB buffer on the Rx ring (rings[0] at RING0_OFF). @iova_of
 * gives the IOVA of a region offset.
 */
static void
post_one_each_way(uint8_t *region, const struct vfemu_vhost_ring *rings,
		  uint64_t (*iova_of)(uint64_t), uint8_t first)
{
	struct test_desc *desc;
	uint16_t *avail;
	int k;

	desc = ring_part(region, &rings[1], RING1_OFF, rings[1].desc);
	memset(region + TXBUF_OFF, 0, NET_HDR_LEN);
	for (k = 0; k < 60; k++)
		region[TXBUF_OFF + NET_HDR_LEN + k] = (uint8_t)(first + k);
	desc[0] = (struct test_desc){ .addr = iova_of(TXBUF_OFF), .len = NET_HDR_LEN + 60 };
	avail = ring_part(region, &rings[1], RING1_OFF, rings[1].avail);
	avail[2] = 0;		/* ring[0] = desc 0 */
	avail[1] = 1;		/* idx */
	desc = ring_part(region, &rings[0], RING0_OFF, rings[0].desc);
	desc[0] = (struct test_desc){ .addr = iova_of(RXBUF_OFF), .len = 2048,
				       .flags = TEST_DESC_F_WRITE };
	avail = ring_part(region, &rings[0], RING0_OFF, rings[0].avail);
	avail[2] = 0;
	avail[1] = 1;
}

/* DPDK takes the posted packet and puts it back into the Rx buffer. */
static void
check_one_each_way(int vid, struct rte_mempool *pool, uint8_t *region,
		   const struct vfemu_vhost_ring *rings, uint8_t first)
{
	struct rte_mbuf *pkts[4];
	struct test_used_elem *ue;
	uint16_t *used_idx;
	uint16_t n;

	/* guest -> backend: DPDK finds the packet through the memory table */
	n = rte_vhost_dequeue_burst(vid, 1, pool, pkts, 4);
	assert_int_equal(n, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(pkts[0]), 60);
	assert_int_equal(rte_pktmbuf_mtod(pkts[0], uint8_t *)[59], (uint8_t)(first + 59));
	used_idx = (uint16_t *)((uint8_t *)ring_part(region, &rings[1], RING1_OFF,
						     rings[1].used) + 2);
	assert_int_equal(__atomic_load_n(used_idx, __ATOMIC_ACQUIRE), 1);

	/* backend -> guest: the same packet goes back into the Rx buffer */
	n = rte_vhost_enqueue_burst(vid, 0, pkts, 1);
	assert_int_equal(n, 1);
	rte_pktmbuf_free(pkts[0]);
	used_idx = (uint16_t *)((uint8_t *)ring_part(region, &rings[0], RING0_OFF,
						     rings[0].used) + 2);
	assert_int_equal(__atomic_load_n(used_idx, __ATOMIC_ACQUIRE), 1);
	ue = (struct test_used_elem *)((uint8_t *)used_idx + 2);
	assert_int_equal(ue[0].id, 0);
	assert_int_equal(ue[0].len, NET_HDR_LEN + 60);
	assert_int_equal(region[RXBUF_OFF + NET_HDR_LEN + 59], (uint8_t)(first + 59));
}

static uint64_t
linear_iova(uint64_t off)
{
	return REGION_IOVA + off;
}

static void
test_dpdk_vhost_ring_ready_and_traffic(void **state)
{
	struct vfemu_vhost_ring rings[2] = { ring_at(0, RING0_OFF), ring_at(1, RING1_OFF) };
	struct rte_mempool *pool;
	struct vfemu_vhost_mem mem;
	struct vfemu_vhost *vh;
	uint64_t negotiated;
	struct tctx t = { 0 };
	uint8_t *region;
	int fd, vid;

	/* the "driver" memory: one memfd region */
	region = region_create("tmmr-vhost-dpdk", &fd);
	mem = (struct vfemu_vhost_mem){ .iova = REGION_IOVA, .size = REGION_SIZE, .fd = fd };
	vh = frontend_connect(&t, sock_path);
	/* DPDK offers protocol features with MQ; 22.11 answers GET_QUEUE_NUM with 128 */
	assert_true(vfemu_vhost_backend_features(vh) & (1ULL << 30));
	assert_int_equal(vfemu_vhost_max_queue_pairs(vh), 128);
	post_one_each_way(region, rings, linear_iova, 0xa0);

	assert_int_equal(vfemu_vhost_start(vh, NET_F_CSUM, &mem, 1, rings, 2), 0);
	assert_true(vfemu_vhost_started(vh));
	assert_false(vfemu_vhost_translated(vh));
	assert_true(wait_for(&new_device_calls, 1, 3000));
	vid = __atomic_load_n(&dpdk_vid, __ATOMIC_ACQUIRE);
	assert_int_equal(rte_vhost_get_negotiated_features(vid, &negotiated), 0);
	assert_int_equal(negotiated, NET_F_CSUM | (1ULL << 30));

	pool = rte_pktmbuf_pool_create("vhost-test", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	check_one_each_way(vid, pool, region, rings, 0xa0);

	/* GET_VRING_BASE stops the device in DPDK */
	vfemu_vhost_stop(vh);
	assert_false(vfemu_vhost_started(vh));
	assert_true(wait_for(&destroy_device_calls, 1, 3000));
	assert_true(vfemu_vhost_connected(vh));

	/* and it comes back with a new start, from where the rings stood */
	rings[0].base = 1;
	rings[1].base = 1;
	assert_int_equal(vfemu_vhost_start(vh, NET_F_CSUM, &mem, 1, rings, 2), 0);
	assert_true(wait_for(&new_device_calls, 2, 3000));
	vfemu_vhost_stop(vh);
	assert_true(wait_for(&destroy_device_calls, 2, 3000));

	vfemu_vhost_destroy(vh);
	vfemu_loop_destroy(t.loop);
	rte_mempool_free(pool);
	munmap(region, REGION_SIZE);
	close(fd);
}

/*
 * IOVA PA mode in small: the region's 64 KiB pieces sit in IOVA space in
 * reverse order, so no two neighbours in IOVA are neighbours in the file and
 * a direct table would need 16 regions. The frontend must hand DPDK one
 * region and 16 IOTLB entries, and DPDK must find the rings and packets.
 */
#define PIECE (64u << 10)
#define NB_PIECES (REGION_SIZE / PIECE)

static uint64_t
scrambled_iova(uint64_t off)
{
	return REGION_IOVA + (uint64_t)(NB_PIECES - 1 - off / PIECE) * PIECE + off % PIECE;
}

static struct vfemu_vhost_ring
scrambled_ring(uint16_t index, uint64_t off)
{
	struct vfemu_vhost_ring r = ring_at(index, off);

	/* each ring lies within one piece, so it keeps its layout */
	r.desc = scrambled_iova(r.desc - REGION_IOVA);
	r.avail = scrambled_iova(r.avail - REGION_IOVA);
	r.used = scrambled_iova(r.used - REGION_IOVA);
	return r;
}

static void
test_dpdk_vhost_translated_table(void **state)
{
	struct vfemu_vhost_ring rings[2] = { scrambled_ring(0, RING0_OFF),
					     scrambled_ring(1, RING1_OFF) };
	struct vfemu_vhost_mem mem[NB_PIECES];
	struct rte_mempool *pool;
	struct vfemu_vhost *vh;
	uint64_t negotiated;
	struct tctx t = { 0 };
	int news = __atomic_load_n(&new_device_calls, __ATOMIC_ACQUIRE);
	int gone = __atomic_load_n(&destroy_device_calls, __ATOMIC_ACQUIRE);
	uint8_t *region;
	unsigned int p;
	int fd, vid;

	region = region_create("tmmr-vhost-dpdk-iotlb", &fd);
	for (p = 0; p < NB_PIECES; p++)
		mem[p] = (struct vfemu_vhost_mem){ .iova = scrambled_iova(p * PIECE),
						   .size = PIECE, .fd = fd,
						   .fd_offset = p * PIECE };
	vh = frontend_connect(&t, iommu_sock_path);
	assert_true(vfemu_vhost_backend_features(vh) & (1ULL << 33));
	post_one_each_way(region, rings, scrambled_iova, 0x30);

	assert_int_equal(vfemu_vhost_start(vh, NET_F_CSUM, mem, NB_PIECES, rings, 2), 0);
	assert_true(vfemu_vhost_translated(vh));
	assert_true(wait_for(&new_device_calls, news + 1, 3000));
	vid = __atomic_load_n(&dpdk_vid, __ATOMIC_ACQUIRE);
	assert_int_equal(rte_vhost_get_negotiated_features(vid, &negotiated), 0);
	assert_int_equal(negotiated, NET_F_CSUM | (1ULL << 30) | (1ULL << 33));

	pool = rte_pktmbuf_pool_create("vhost-iotlb", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	check_one_each_way(vid, pool, region, rings, 0x30);

	/* a piece goes (memory freed by the driver): the rest is translated anew */
	assert_int_equal(vfemu_vhost_update_mem(vh, mem, NB_PIECES - 1), 0);
	assert_true(vfemu_vhost_translated(vh));
	vfemu_vhost_stop(vh);
	assert_true(wait_for(&destroy_device_calls, gone + 1, 3000));
	vfemu_vhost_destroy(vh);
	vfemu_loop_destroy(t.loop);
	rte_mempool_free(pool);
	munmap(region, REGION_SIZE);
	close(fd);
}

static int
setup_dpdk(void **state)
{
	char prefix[64], *argv[16];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=tmmr-vhost-%d", (int)getpid());
	argv[argc++] = (char *)"test_vhost_dpdk";
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"64";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"-l";
	argv[argc++] = (char *)"0";
	argv[argc++] = prefix;
	argv[argc++] = (char *)"--log-level=lib.vhost.config:info";
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0)
		return -1;
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	snprintf(sock_path, sizeof(sock_path), "/tmp/tmmr-vhost-dpdk-%d.sock", (int)getpid());
	unlink(sock_path);
	/* flags 0: DPDK is the server, the model's frontend the client */
	if (rte_vhost_driver_register(sock_path, 0) != 0)
		return -1;
	if (rte_vhost_driver_callback_register(sock_path, &dpdk_ops) != 0)
		return -1;
	if (rte_vhost_driver_start(sock_path) != 0)
		return -1;
	/* as net_vhost with iommu-support=1 */
	snprintf(iommu_sock_path, sizeof(iommu_sock_path), "/tmp/tmmr-vhost-dpdk-%d-iommu.sock",
		 (int)getpid());
	unlink(iommu_sock_path);
	if (rte_vhost_driver_register(iommu_sock_path, RTE_VHOST_USER_IOMMU_SUPPORT) != 0)
		return -1;
	if (rte_vhost_driver_callback_register(iommu_sock_path, &dpdk_ops) != 0)
		return -1;
	return rte_vhost_driver_start(iommu_sock_path) == 0 ? 0 : -1;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static int
teardown_dpdk(void **state)
{
	rte_vhost_driver_unregister(sock_path);
	unlink(sock_path);
	rte_vhost_driver_unregister(iommu_sock_path);
	unlink(iommu_sock_path);
	rte_eal_cleanup();
	/* EAL leaves its per-prefix runtime directory behind */
	if (strstr(runtime_dir, "tmmr-vhost-") != NULL)
		nftw(runtime_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpdk_vhost_ring_ready_and_traffic),
		cmocka_unit_test(test_dpdk_vhost_translated_table),
	};

	return cmocka_run_group_tests_name("vhost frontend vs DPDK vhost", tests, setup_dpdk,
					   teardown_dpdk);
}
