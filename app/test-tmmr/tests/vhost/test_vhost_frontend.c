/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The model's vhost-user frontend against a scripted fake backend: exact
 * message sequences and payloads, then a backend that lies, stalls, hangs up
 * or sends garbage.
 */

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_backend.h"
#include "vfemu_loop.h"
#include "vfemu_vhost.h"

#define F_PROTO (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)
#define P_MQ (1ULL << VHOST_USER_PROTOCOL_F_MQ)
#define P_ACK (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)
#define NET_F_MAC (1ULL << 5)
#define NET_F_MRG_RXBUF (1ULL << 15)
#define F_VERSION_1 (1ULL << 32)
#define V1 VHOST_USER_FLAG_VERSION
#define NEED VHOST_USER_FLAG_NEED_REPLY

static char tmpdir[64];
static unsigned int path_seq;

struct tctx {
	struct vfemu_loop *loop;
	struct vfemu_vhost *vh;
	char path[108];
	int ups, downs;
	/* client-mode runs */
	unsigned int ticks;
	int ups_at_tick5;
	int want_ups, want_downs;
};

static void
on_connection(void *opaque, bool up)
{
	struct tctx *t = opaque;

	if (up)
		t->ups++;
	else
		t->downs++;
}

static const struct vfemu_vhost_ops test_ops = { .connection = on_connection };

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void
tctx_init(struct tctx *t)
{
	memset(t, 0, sizeof(*t));
	t->loop = vfemu_loop_create();
	assert_non_null(t->loop);
	snprintf(t->path, sizeof(t->path), "%s/s%u.sock", tmpdir, path_seq++);
}

static void
tctx_fini(struct tctx *t)
{
	vfemu_vhost_destroy(t->vh);
	t->vh = NULL;
	vfemu_loop_destroy(t->loop);
}

/* Server-mode frontend: dispatch until @fb has finished or @cond holds. */
static void
pump(struct tctx *t, const int *counter, int want, struct fake_backend *fb, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (now_ms() < end) {
		if (counter != NULL && *counter >= want)
			return;
		if (fb != NULL && __atomic_load_n(&fb->finished, __ATOMIC_ACQUIRE))
			return;
		vfemu_loop_once(t->loop, 10);
	}
}

static void
start_server_with(struct tctx *t, struct fake_backend *fb)
{
	t->vh = vfemu_vhost_create(t->loop, t->path, true, &test_ops, t);
	assert_non_null(t->vh);
	fake_init(fb, t->path);
}

/* Frontend in server mode, a fake backend connects and is served. */
static void
connect_backend(struct tctx *t, struct fake_backend *fb)
{
	assert_int_equal(fake_start(fb), 0);
	pump(t, &t->ups, t->ups + 1, fb, 3000);
}

static void
finish(struct tctx *t, struct fake_backend *fb)
{
	vfemu_vhost_destroy(t->vh);
	t->vh = NULL;
	fake_join(fb);
}

static const struct fake_record *
expect_msg(const struct fake_backend *fb, unsigned int idx, uint32_t request, uint32_t flags,
	   uint32_t size)
{
	const struct fake_record *r;

	assert_true(idx < fb->nb_rec);
	r = &fb->rec[idx];
	if (r->hdr.request != request || r->hdr.flags != flags || r->hdr.size != size)
		fail_msg("message %u: got request %u flags %#x size %u, want %u %#x %u", idx,
			 r->hdr.request, r->hdr.flags, r->hdr.size, request, flags, size);
	return r;
}

static void
expect_state(const struct fake_backend *fb, unsigned int idx, uint32_t request, uint32_t flags,
	     uint32_t index, uint32_t num)
{
	const struct fake_record *r = expect_msg(fb, idx, request, flags, 8);

	assert_int_equal(r->payload.state.index, index);
	assert_int_equal(r->payload.state.num, num);
	assert_int_equal(r->nb_fds, 0);
}

static void
full_backend(struct fake_backend *fb)
{
	fb->features = NET_F_MAC | NET_F_MRG_RXBUF | F_VERSION_1 | F_PROTO;
	/* also offers LOG_SHMFD and SLAVE_REQ, which the frontend must not take */
	fb->protocol = P_MQ | P_ACK | (1ULL << 1) | (1ULL << 5);
	fb->queue_num = 2;
}

static void
test_handshake_full(void **state)
{
	struct fake_backend fb;
	struct tctx t;
	const struct fake_record *r;

	tctx_init(&t);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.queue_num = 4;
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	assert_true(vfemu_vhost_connected(t.vh));
	assert_false(vfemu_vhost_started(t.vh));
	assert_int_equal(vfemu_vhost_backend_features(t.vh), fb.features);
	assert_int_equal(vfemu_vhost_max_queue_pairs(t.vh), 4);
	finish(&t, &fb);

	assert_true(fb.saw_eof);
	assert_int_equal(fb.nb_rec, 5);
	r = expect_msg(&fb, 0, VHOST_USER_REQ_GET_FEATURES, V1, 0);
	assert_int_equal(r->nb_fds, 0);
	expect_msg(&fb, 1, VHOST_USER_REQ_GET_PROTOCOL_FEATURES, V1, 0);
	r = expect_msg(&fb, 2, VHOST_USER_REQ_SET_PROTOCOL_FEATURES, V1, 8);
	assert_int_equal(r->payload.u64, P_MQ | P_ACK);
	expect_msg(&fb, 3, VHOST_USER_REQ_GET_QUEUE_NUM, V1, 0);
	expect_msg(&fb, 4, VHOST_USER_REQ_SET_OWNER, V1 | NEED, 0);
	assert_int_equal(t.downs, 0);	/* destroy reports nothing */
	tctx_fini(&t);
}

static void
test_handshake_legacy_backend(void **state)
{
	struct fake_backend fb;
	struct tctx t;

	tctx_init(&t);
	start_server_with(&t, &fb);
	fb.features = NET_F_MAC;
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	assert_int_equal(vfemu_vhost_max_queue_pairs(t.vh), 1);
	finish(&t, &fb);
	assert_int_equal(fb.nb_rec, 2);
	expect_msg(&fb, 0, VHOST_USER_REQ_GET_FEATURES, V1, 0);
	expect_msg(&fb, 1, VHOST_USER_REQ_SET_OWNER, V1, 0);
	tctx_fini(&t);
}

static void
test_handshake_protocol_without_mq_ack(void **state)
{
	struct fake_backend fb;
	struct tctx t;
	const struct fake_record *r;

	tctx_init(&t);
	start_server_with(&t, &fb);
	fb.features = NET_F_MAC | F_PROTO;
	fb.protocol = 1ULL << 1;
	fb.queue_num = 8;	/* never asked */
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	assert_int_equal(vfemu_vhost_max_queue_pairs(t.vh), 1);
	finish(&t, &fb);
	assert_int_equal(fb.nb_rec, 4);
	expect_msg(&fb, 0, VHOST_USER_REQ_GET_FEATURES, V1, 0);
	expect_msg(&fb, 1, VHOST_USER_REQ_GET_PROTOCOL_FEATURES, V1, 0);
	r = expect_msg(&fb, 2, VHOST_USER_REQ_SET_PROTOCOL_FEATURES, V1, 8);
	assert_int_equal(r->payload.u64, 0);
	expect_msg(&fb, 3, VHOST_USER_REQ_SET_OWNER, V1, 0);
	tctx_fini(&t);
}

/* One handshake with a backend offering NET_MTU or not, the frontend told @mtu (0: not);
 * returns the connections reported, the backend's records are in @fb.
 */
static int
mtu_handshake(struct fake_backend *fb, uint16_t mtu, bool offer, bool nack)
{
	struct tctx t;
	int ups;

	tctx_init(&t);
	start_server_with(&t, fb);
	if (mtu != 0)
		vfemu_vhost_set_mtu(t.vh, mtu);
	full_backend(fb);
	if (offer)
		fb->protocol |= 1ULL << VHOST_USER_PROTOCOL_F_NET_MTU;
	if (nack) {
		fb->bad = FAKE_NACK;
		fb->bad_request = VHOST_USER_REQ_NET_SET_MTU;
		fb->bad_nth = 1;
	}
	assert_int_equal(fake_start(fb), 0);
	pump(&t, &t.ups, 1, fb, nack ? 1000 : 3000);
	ups = t.ups;
	if (nack)
		assert_false(vfemu_vhost_connected(t.vh));
	finish(&t, fb);
	tctx_fini(&t);
	return ups;
}

/*
 * The VF's MTU reaches a backend that offers PROTOCOL_F_NET_MTU (NET_SET_MTU, u64, acked
 * after SET_OWNER); without the protocol feature, or with no MTU set, nothing is sent; a
 * backend that refuses the MTU fails the handshake.
 */
static void
test_handshake_net_mtu(void **state)
{
	struct fake_backend fb;
	const struct fake_record *r;

	(void)state;
	assert_int_equal(mtu_handshake(&fb, 9000, true, false), 1);
	assert_int_equal(fb.nb_rec, 6);
	r = expect_msg(&fb, 2, VHOST_USER_REQ_SET_PROTOCOL_FEATURES, V1, 8);
	assert_int_equal(r->payload.u64,
		P_MQ | P_ACK | (1ULL << VHOST_USER_PROTOCOL_F_NET_MTU));
	expect_msg(&fb, 4, VHOST_USER_REQ_SET_OWNER, V1 | NEED, 0);
	r = expect_msg(&fb, 5, VHOST_USER_REQ_NET_SET_MTU, V1 | NEED, 8);
	assert_int_equal(r->payload.u64, 9000);

	/* not offered: the handshake of test_handshake_full */
	assert_int_equal(mtu_handshake(&fb, 9000, false, false), 1);
	assert_int_equal(fb.nb_rec, 5);
	expect_msg(&fb, 4, VHOST_USER_REQ_SET_OWNER, V1 | NEED, 0);

	/* offered, no MTU set */
	assert_int_equal(mtu_handshake(&fb, 0, true, false), 1);
	assert_int_equal(fb.nb_rec, 5);

	/* refused (a nack): no connection is reported */
	assert_int_equal(mtu_handshake(&fb, 9000, true, true), 0);
	assert_true(fb.misbehaved);
}

struct two_regions {
	int fd[2];
	struct vfemu_vhost_mem mem[2];
	ino_t ino[2];
	int kick, call;
	struct vfemu_vhost_ring rings[2];
};

static void
regions_init(struct two_regions *m)
{
	struct stat st;
	int i;

	for (i = 0; i < 2; i++) {
		m->fd[i] = memfd_create("vhost-test", MFD_CLOEXEC);
		assert_true(m->fd[i] >= 0);
		assert_int_equal(ftruncate(m->fd[i], 2 << 20), 0);
		fstat(m->fd[i], &st);
		m->ino[i] = st.st_ino;
	}
	m->mem[0] = (struct vfemu_vhost_mem){ .iova = 0x100000, .size = 2 << 20, .fd = m->fd[0] };
	m->mem[1] = (struct vfemu_vhost_mem){ .iova = 0x400000, .size = 0x80000, .fd = m->fd[1],
					      .fd_offset = 0x80000 };
	m->kick = eventfd(0, EFD_CLOEXEC);
	m->call = eventfd(0, EFD_CLOEXEC);
	m->rings[0] = (struct vfemu_vhost_ring){
		.index = 0, .num = 256, .desc = 0x100000, .avail = 0x101000, .used = 0x102000,
		.base = 7, .kick_fd = m->kick, .call_fd = -1, .enabled = true,
	};
	m->rings[1] = (struct vfemu_vhost_ring){
		.index = 1, .num = 512, .desc = 0x110000, .avail = 0x112000, .used = 0x113000,
		.base = 0, .kick_fd = -1, .call_fd = m->call, .enabled = false,
	};
}

static void
regions_fini(struct two_regions *m)
{
	close(m->fd[0]);
	close(m->fd[1]);
	close(m->kick);
	close(m->call);
}

/* The per-ring sequence of @ring starting at record @i; returns the next index. */
static unsigned int
expect_ring(const struct fake_backend *fb, unsigned int i, const struct vfemu_vhost_ring *ring,
	    bool protocol)
{
	uint32_t flags = protocol ? V1 | NEED : V1;
	const struct fake_record *r;

	expect_state(fb, i++, VHOST_USER_REQ_SET_VRING_NUM, flags, ring->index, ring->num);
	expect_state(fb, i++, VHOST_USER_REQ_SET_VRING_BASE, flags, ring->index, ring->base);
	r = expect_msg(fb, i++, VHOST_USER_REQ_SET_VRING_ADDR, flags,
		       sizeof(struct vhost_user_vring_addr));
	assert_int_equal(r->payload.addr.index, ring->index);
	assert_int_equal(r->payload.addr.flags, 0);
	assert_int_equal(r->payload.addr.desc_user_addr, ring->desc);
	assert_int_equal(r->payload.addr.avail_user_addr, ring->avail);
	assert_int_equal(r->payload.addr.used_user_addr, ring->used);
	assert_int_equal(r->payload.addr.log_guest_addr, 0);
	r = expect_msg(fb, i++, VHOST_USER_REQ_SET_VRING_KICK, flags, 8);
	assert_int_equal(r->payload.u64, ring->index | (ring->kick_fd < 0 ? 0x100 : 0));
	assert_int_equal(r->nb_fds, ring->kick_fd < 0 ? 0 : 1);
	if (ring->kick_fd >= 0)
		assert_true(r->eventfd[0]);
	r = expect_msg(fb, i++, VHOST_USER_REQ_SET_VRING_CALL, flags, 8);
	assert_int_equal(r->payload.u64, ring->index | (ring->call_fd < 0 ? 0x100 : 0));
	assert_int_equal(r->nb_fds, ring->call_fd < 0 ? 0 : 1);
	if (ring->call_fd >= 0)
		assert_true(r->eventfd[0]);
	if (protocol)
		expect_state(fb, i++, VHOST_USER_REQ_SET_VRING_ENABLE, flags, ring->index,
			     ring->enabled);
	return i;
}

static unsigned int
expect_mem_table(const struct fake_backend *fb, unsigned int i, const struct two_regions *m,
		 unsigned int nb, uint32_t flags)
{
	const struct fake_record *r;
	unsigned int k;

	r = expect_msg(fb, i++, VHOST_USER_REQ_SET_MEM_TABLE, flags,
		       8 + nb * (uint32_t)sizeof(struct vhost_user_region));
	assert_int_equal(r->payload.memory.nregions, nb);
	assert_int_equal(r->nb_fds, nb);
	for (k = 0; k < nb; k++) {
		const struct vhost_user_region *reg = &r->payload.memory.regions[k];

		assert_int_equal(reg->guest_phys_addr, m->mem[k].iova);
		assert_int_equal(reg->userspace_addr, m->mem[k].iova);
		assert_int_equal(reg->memory_size, m->mem[k].size);
		assert_int_equal(reg->mmap_offset, m->mem[k].fd_offset);
		/* the very file the caller passed, not a copy */
		assert_int_equal(r->fd_ino[k], m->ino[k]);
	}
	return i;
}

static void
test_start_stop_sequence(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	const struct fake_record *r;
	unsigned int i;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	/* bit 40 is not offered by the backend: it must not be acked */
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC | NET_F_MRG_RXBUF | (1ULL << 40),
					   m.mem, 2, m.rings, 2), 0);
	assert_true(vfemu_vhost_started(t.vh));
	vfemu_vhost_stop(t.vh);
	assert_false(vfemu_vhost_started(t.vh));
	assert_true(vfemu_vhost_connected(t.vh));
	vfemu_vhost_stop(t.vh);	/* nothing left to stop: sends nothing */
	finish(&t, &fb);

	i = 5;	/* after the handshake */
	r = expect_msg(&fb, i++, VHOST_USER_REQ_SET_FEATURES, V1 | NEED, 8);
	assert_int_equal(r->payload.u64, NET_F_MAC | NET_F_MRG_RXBUF | F_PROTO);
	i = expect_mem_table(&fb, i, &m, 2, V1 | NEED);
	i = expect_ring(&fb, i, &m.rings[0], true);
	i = expect_ring(&fb, i, &m.rings[1], true);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 1, 0);
	assert_int_equal(fb.nb_rec, i);
	assert_int_equal(t.downs, 0);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_restart_update_enable(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	const struct fake_record *r;
	unsigned int i;
	int idx;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	connect_backend(&t, &fb);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 1), 0);
	/* starting again first takes the running ring back */
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), 0);
	assert_int_equal(vfemu_vhost_update_mem(t.vh, m.mem, 1), 0);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 1, true), 0);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 3, false), 0);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 4, true), -EINVAL);	/* 2 pairs */
	finish(&t, &fb);

	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_SET_FEATURES), 2);
	idx = fake_find(&fb, VHOST_USER_REQ_SET_FEATURES, 2);
	assert_true(idx > 0);
	expect_state(&fb, (unsigned int)idx - 1, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_GET_VRING_BASE), 1);
	i = expect_mem_table(&fb, (unsigned int)idx + 1, &m, 2, V1 | NEED);
	i = expect_ring(&fb, i, &m.rings[0], true);
	i = expect_ring(&fb, i, &m.rings[1], true);
	i = expect_mem_table(&fb, i, &m, 1, V1 | NEED);
	expect_state(&fb, i++, VHOST_USER_REQ_SET_VRING_ENABLE, V1 | NEED, 1, 1);
	expect_state(&fb, i++, VHOST_USER_REQ_SET_VRING_ENABLE, V1 | NEED, 3, 0);
	assert_int_equal(fb.nb_rec, i);
	r = &fb.rec[idx];
	assert_int_equal(r->payload.u64, NET_F_MAC | F_PROTO);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_start_without_protocol_features(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	const struct fake_record *r;
	unsigned int i;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	fb.features = NET_F_MAC | NET_F_MRG_RXBUF;
	connect_backend(&t, &fb);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), 0);
	/* without protocol features a ring cannot be disabled, only kicked alive */
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 0, false), -ENOTSUP);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 0, true), 0);
	vfemu_vhost_stop(t.vh);
	finish(&t, &fb);

	i = 2;
	r = expect_msg(&fb, i++, VHOST_USER_REQ_SET_FEATURES, V1, 8);
	assert_int_equal(r->payload.u64, NET_F_MAC);
	i = expect_mem_table(&fb, i, &m, 2, V1);
	i = expect_ring(&fb, i, &m.rings[0], false);
	i = expect_ring(&fb, i, &m.rings[1], false);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 1, 0);
	assert_int_equal(fb.nb_rec, i);
	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_SET_VRING_ENABLE), 0);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_invalid_arguments(void **state)
{
	struct vfemu_vhost_mem nine[9];
	struct vfemu_vhost_ring bad[2];
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	int k;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	fb.features = NET_F_MAC | F_PROTO;
	fb.protocol = P_ACK;	/* one queue pair */
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);

	memcpy(bad, m.rings, sizeof(bad));
	bad[1].num = 3;
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, bad, 2), -EINVAL);
	memcpy(bad, m.rings, sizeof(bad));
	bad[1].num = 0;
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, bad, 2), -EINVAL);
	memcpy(bad, m.rings, sizeof(bad));
	bad[1].index = 2;	/* beyond the backend's single pair */
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, bad, 2), -EINVAL);
	memcpy(bad, m.rings, sizeof(bad));
	bad[1].index = 0;
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, bad, 2), -EINVAL);
	memcpy(bad, m.rings, sizeof(bad));
	bad[0].kick_fd = -7;
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, bad, 2), -EINVAL);
	assert_int_equal(vfemu_vhost_start(t.vh, 0, NULL, 1, m.rings, 2), -EINVAL);
	/* the same range twice: which file backs it? */
	for (k = 0; k < 9; k++)
		nine[k] = m.mem[0];
	assert_int_equal(vfemu_vhost_start(t.vh, 0, nine, 2, m.rings, 2), -EINVAL);
	/* nine pieces that do not continue each other, and no IOTLB at the backend */
	for (k = 0; k < 9; k++)
		nine[k] = (struct vfemu_vhost_mem){ .iova = 0x100000ULL * (k + 1), .size = 4096,
						    .fd = m.fd[0], .fd_offset = 4096ULL * k };
	assert_int_equal(vfemu_vhost_start(t.vh, 0, nine, 9, m.rings, 2), -E2BIG);
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, 9), -E2BIG);
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, VFEMU_VHOST_MAX_MEM + 1), -EINVAL);
	nine[0].fd = -1;
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, 1), -EINVAL);
	nine[0] = m.mem[0];
	nine[0].size = 0;
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, 1), -EINVAL);
	nine[0] = m.mem[0];
	nine[0].iova = UINT64_MAX - 10;
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, 1), -EINVAL);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 2, true), -EINVAL);
	assert_true(vfemu_vhost_connected(t.vh));
	assert_false(vfemu_vhost_started(t.vh));
	finish(&t, &fb);
	/* nothing went out after the handshake */
	assert_int_equal(fb.nb_rec, 4);
	regions_fini(&m);
	tctx_fini(&t);
}

#define F_IOMMU (1ULL << VHOST_USER_F_IOMMU_PLATFORM)
#define NINE 9
#define PAGE 4096ULL
#define TOP_IOVA 0x10000000ULL
#define UBASE (1ULL << 41)	/* where the model puts the first file's region */

/*
 * Nine pages of one file, each the page below the previous one in IOVA (as
 * hugepages in IOVA PA mode come): nine regions direct, more than a backend
 * takes. Page k is at IOVA TOP_IOVA - (k + 1) pages, file offset k pages.
 */
static void
nine_pages(const struct two_regions *m, struct vfemu_vhost_mem *nine)
{
	unsigned int k;

	for (k = 0; k < NINE; k++)
		nine[k] = (struct vfemu_vhost_mem){ .iova = TOP_IOVA - (k + 1) * PAGE,
						    .size = PAGE, .fd = m->fd[0],
						    .fd_offset = k * PAGE };
}

/* A full backend that also offers IOMMU_PLATFORM, connected; nine_pages() in @nine. */
static void
connect_iommu_backend(struct tctx *t, struct fake_backend *fb, struct two_regions *m,
		      struct vfemu_vhost_mem *nine)
{
	tctx_init(t);
	regions_init(m);
	nine_pages(m, nine);
	start_server_with(t, fb);
	full_backend(fb);
	fb->features |= F_IOMMU;
	connect_backend(t, fb);
}

/* An IOTLB update of page @k of nine_pages() at record @i. */
static void
expect_iotlb(const struct fake_backend *fb, unsigned int i, uint8_t type, unsigned int k)
{
	const struct fake_record *r = expect_msg(fb, i, VHOST_USER_REQ_IOTLB_MSG, V1 | NEED,
						 sizeof(struct vhost_user_iotlb));

	assert_int_equal(r->nb_fds, 0);
	assert_int_equal(r->payload.iotlb.type, type);
	assert_int_equal(r->payload.iotlb.iova, TOP_IOVA - (k + 1) * PAGE);
	assert_int_equal(r->payload.iotlb.size, PAGE);
	if (type == VHOST_USER_IOTLB_UPDATE) {
		assert_int_equal(r->payload.iotlb.uaddr, UBASE + k * PAGE);
		assert_int_equal(r->payload.iotlb.perm, VHOST_USER_IOTLB_ACCESS_RW);
	}
}

static void
test_translated_start_update_stop(void **state)
{
	struct vfemu_vhost_mem nine[NINE], eight[NINE - 1];
	const struct fake_record *r;
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	unsigned int i, k;
	int fds_before = count_fds();

	connect_iommu_backend(&t, &fb, &m, nine);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, nine, NINE, m.rings, 2), 0);
	assert_true(vfemu_vhost_translated(t.vh));
	/* page 4 goes: the region (the file's span) stays, one entry goes */
	for (k = 0, i = 0; k < NINE; k++)
		if (k != 4)
			eight[i++] = nine[k];
	assert_int_equal(vfemu_vhost_update_mem(t.vh, eight, NINE - 1), 0);
	assert_true(vfemu_vhost_translated(t.vh));
	vfemu_vhost_stop(t.vh);
	assert_false(vfemu_vhost_translated(t.vh));
	finish(&t, &fb);

	i = 5;	/* after the handshake */
	r = expect_msg(&fb, i++, VHOST_USER_REQ_SET_FEATURES, V1 | NEED, 8);
	assert_int_equal(r->payload.u64, NET_F_MAC | F_PROTO | F_IOMMU);
	/* one region: the file's span, at a made-up address, the file itself */
	r = expect_msg(&fb, i++, VHOST_USER_REQ_SET_MEM_TABLE, V1 | NEED,
		       8 + (uint32_t)sizeof(struct vhost_user_region));
	assert_int_equal(r->payload.memory.nregions, 1);
	assert_int_equal(r->payload.memory.regions[0].guest_phys_addr, UBASE);
	assert_int_equal(r->payload.memory.regions[0].userspace_addr, UBASE);
	assert_int_equal(r->payload.memory.regions[0].memory_size, NINE * PAGE);
	assert_int_equal(r->payload.memory.regions[0].mmap_offset, 0);
	assert_int_equal(r->nb_fds, 1);
	assert_int_equal(r->fd_ino[0], m.ino[0]);
	/* every ring exists before the entries, the entries before the ring addresses */
	expect_state(&fb, i++, VHOST_USER_REQ_SET_VRING_NUM, V1 | NEED, 0, m.rings[0].num);
	expect_state(&fb, i++, VHOST_USER_REQ_SET_VRING_NUM, V1 | NEED, 1, m.rings[1].num);
	for (k = NINE; k-- > 0;)	/* in IOVA order */
		expect_iotlb(&fb, i++, VHOST_USER_IOTLB_UPDATE, k);
	i = expect_ring(&fb, i, &m.rings[0], true);
	i = expect_ring(&fb, i, &m.rings[1], true);
	/* and again, for a backend that moved a ring and dropped its entries */
	for (k = NINE; k-- > 0;)
		expect_iotlb(&fb, i++, VHOST_USER_IOTLB_UPDATE, k);
	/* the update: the page that went is invalidated, every other entry sent again */
	expect_iotlb(&fb, i++, VHOST_USER_IOTLB_INVALIDATE, 4);
	for (k = NINE; k-- > 0;)
		if (k != 4)
			expect_iotlb(&fb, i++, VHOST_USER_IOTLB_UPDATE, k);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
	expect_state(&fb, i++, VHOST_USER_REQ_GET_VRING_BASE, V1, 1, 0);
	assert_int_equal(fb.nb_rec, i);
	regions_fini(&m);
	tctx_fini(&t);
	assert_int_equal(count_fds(), fds_before);
}

/*
 * A backend that refuses an IOTLB entry during a translated start: -EIO, the
 * rings it already has (both got SET_VRING_NUM) are taken back, the connection
 * stays. One that breaks the protocol on an entry loses the connection; in
 * both cases no descriptor is left behind.
 */
static void
translated_hostile(enum fake_misbehaviour bad, unsigned int nth)
{
	struct vfemu_vhost_mem nine[NINE];
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	int fds_before = count_fds();
	int idx, rc;

	tctx_init(&t);
	regions_init(&m);
	nine_pages(&m, nine);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.features |= F_IOMMU;
	fb.bad_request = VHOST_USER_REQ_IOTLB_MSG;
	fb.bad_nth = nth;
	fb.bad = bad;
	connect_backend(&t, &fb);
	rc = vfemu_vhost_start(t.vh, NET_F_MAC, nine, NINE, m.rings, 2);
	assert_true(fb.misbehaved);
	assert_false(vfemu_vhost_started(t.vh));
	assert_false(vfemu_vhost_translated(t.vh));
	if (bad == FAKE_NACK) {
		assert_int_equal(rc, -EIO);
		assert_true(vfemu_vhost_connected(t.vh));
	} else {
		assert_true(rc < 0 && rc != -EIO);
		assert_false(vfemu_vhost_connected(t.vh));
		pump(&t, &t.downs, 1, NULL, 3000);
		assert_int_equal(t.downs, 1);
	}
	finish(&t, &fb);
	if (bad == FAKE_NACK) {
		idx = fake_find(&fb, VHOST_USER_REQ_IOTLB_MSG, nth);
		assert_true(idx > 0);
		expect_state(&fb, (unsigned int)idx + 1, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
		expect_state(&fb, (unsigned int)idx + 2, VHOST_USER_REQ_GET_VRING_BASE, V1, 1, 0);
		assert_int_equal(fb.nb_rec, (unsigned int)idx + 3);
	}
	regions_fini(&m);
	tctx_fini(&t);
	assert_int_equal(count_fds(), fds_before);
}

static void
test_translated_hostile_backend(void **state)
{
	static const enum fake_misbehaviour kinds[] = {
		FAKE_CLOSE, FAKE_WRONG_REQUEST, FAKE_TRUNCATED, FAKE_SEND_FD, FAKE_GARBAGE,
	};
	unsigned int k;

	translated_hostile(FAKE_NACK, 3);
	translated_hostile(FAKE_NACK, NINE + 1);	/* the second round, after the rings */
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		translated_hostile(kinds[k], 5);
}

/*
 * A new table with other regions (the file's span grew): the old entries are
 * invalidated, the table sent, then every entry. A direct table that stops
 * fitting while running cannot switch to translation: -E2BIG, nothing sent.
 */
static void
test_translated_region_change_and_direct_overflow(void **state)
{
	struct vfemu_vhost_mem nine[NINE];
	const struct fake_record *r;
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	unsigned int i, k;

	connect_iommu_backend(&t, &fb, &m, nine);
	/* eight pages fit direct: no translation, IOMMU_PLATFORM not acked */
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, nine, NINE - 1, m.rings, 1), 0);
	assert_false(vfemu_vhost_translated(t.vh));
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, NINE), -E2BIG);
	assert_true(vfemu_vhost_connected(t.vh));
	/* started again with nine: translated; then the ninth page's offset moves */
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, nine, NINE, m.rings, 1), 0);
	assert_true(vfemu_vhost_translated(t.vh));
	nine[NINE - 1].fd_offset = NINE * PAGE;
	assert_int_equal(vfemu_vhost_update_mem(t.vh, nine, NINE), 0);
	finish(&t, &fb);

	/* direct start, translated start, the update; none for the refused update */
	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_SET_MEM_TABLE), 3);
	r = &fb.rec[5];
	assert_int_equal(r->hdr.request, VHOST_USER_REQ_SET_FEATURES);
	assert_int_equal(r->payload.u64, NET_F_MAC | F_PROTO);
	i = (unsigned int)fake_find(&fb, VHOST_USER_REQ_SET_FEATURES, 2);
	assert_int_equal(fb.rec[i].payload.u64, NET_F_MAC | F_PROTO | F_IOMMU);
	i = (unsigned int)fake_find(&fb, VHOST_USER_REQ_SET_MEM_TABLE, 3);
	/* before it, the nine entries of the old table went */
	for (k = 0; k < NINE; k++)
		assert_int_equal(fb.rec[i - NINE + k].payload.iotlb.type,
				 VHOST_USER_IOTLB_INVALIDATE);
	assert_int_equal(fb.rec[i].payload.memory.regions[0].memory_size, (NINE + 1) * PAGE);
	for (k = 1; k <= NINE; k++) {
		r = expect_msg(&fb, i + k, VHOST_USER_REQ_IOTLB_MSG, V1 | NEED,
			       sizeof(struct vhost_user_iotlb));
		assert_int_equal(r->payload.iotlb.type, VHOST_USER_IOTLB_UPDATE);
	}
	/* the moved page: IOVA lowest, so first, at its new place in the file */
	assert_int_equal(fb.rec[i + 1].payload.iotlb.uaddr, UBASE + NINE * PAGE);
	assert_int_equal(fb.nb_rec, i + NINE + 1);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_not_connected(void **state)
{
	struct two_regions m;
	struct tctx t;

	tctx_init(&t);
	regions_init(&m);
	t.vh = vfemu_vhost_create(t.loop, t.path, true, &test_ops, &t);
	assert_non_null(t.vh);
	assert_false(vfemu_vhost_connected(t.vh));
	assert_int_equal(vfemu_vhost_backend_features(t.vh), 0);
	assert_int_equal(vfemu_vhost_max_queue_pairs(t.vh), 1);
	assert_int_equal(vfemu_vhost_start(t.vh, 0, m.mem, 2, m.rings, 2), -ENOTCONN);
	assert_int_equal(vfemu_vhost_update_mem(t.vh, m.mem, 2), -ENOTCONN);
	assert_int_equal(vfemu_vhost_enable_ring(t.vh, 0, true), -ENOTCONN);
	vfemu_vhost_stop(t.vh);
	assert_false(vfemu_vhost_started(t.vh));
	/* the listening socket exists, and goes with destroy */
	assert_int_equal(access(t.path, F_OK), 0);
	tctx_fini(&t);
	assert_int_equal(access(t.path, F_OK), -1);
	/* bad arguments */
	t.loop = vfemu_loop_create();
	assert_null(vfemu_vhost_create(t.loop, "", false, &test_ops, &t));
	assert_null(vfemu_vhost_create(NULL, t.path, false, &test_ops, &t));
	{
		char longpath[300];

		memset(longpath, 'a', sizeof(longpath) - 1);
		longpath[sizeof(longpath) - 1] = '\0';
		assert_null(vfemu_vhost_create(t.loop, longpath, false, &test_ops, &t));
	}
	vfemu_loop_destroy(t.loop);
	regions_fini(&m);
}

/* A backend that misbehaves during the handshake is never announced. */
static void
hostile_handshake(uint32_t request, enum fake_misbehaviour bad)
{
	struct fake_backend fb, good;
	struct tctx t;
	int fds_before = count_fds();

	tctx_init(&t);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.bad_request = request;
	fb.bad_nth = 1;
	fb.bad = bad;
	assert_int_equal(fake_start(&fb), 0);
	pump(&t, NULL, 0, &fb, 5000);
	fake_join(&fb);
	pump(&t, NULL, 0, NULL, 50);
	assert_true(fb.misbehaved);
	assert_int_equal(t.ups, 0);
	assert_int_equal(t.downs, 0);
	assert_false(vfemu_vhost_connected(t.vh));
	/* the frontend dropped it and listens again: a sane backend gets in */
	fake_init(&good, t.path);
	full_backend(&good);
	good.queue_num = 3;
	connect_backend(&t, &good);
	assert_int_equal(t.ups, 1);
	assert_int_equal(vfemu_vhost_max_queue_pairs(t.vh), 3);
	finish(&t, &good);
	tctx_fini(&t);
	assert_int_equal(count_fds(), fds_before);
}

static void
test_hostile_handshake(void **state)
{
	static const enum fake_misbehaviour kinds[] = {
		FAKE_CLOSE, FAKE_WRONG_REQUEST, FAKE_NO_REPLY_FLAG, FAKE_BAD_VERSION,
		FAKE_HUGE_SIZE, FAKE_WRONG_SIZE, FAKE_TRUNCATED, FAKE_SEND_FD, FAKE_GARBAGE,
	};
	static const uint32_t requests[] = {
		VHOST_USER_REQ_GET_FEATURES, VHOST_USER_REQ_GET_PROTOCOL_FEATURES,
		VHOST_USER_REQ_GET_QUEUE_NUM, VHOST_USER_REQ_SET_OWNER,
	};
	unsigned int k, q;

	for (q = 0; q < sizeof(requests) / sizeof(requests[0]); q++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			hostile_handshake(requests[q], kinds[k]);
	/* a refused SET_OWNER is no connection either */
	hostile_handshake(VHOST_USER_REQ_SET_OWNER, FAKE_NACK);
}

static void
test_hostile_handshake_timeout(void **state)
{
	uint64_t t0 = now_ms();

	hostile_handshake(VHOST_USER_REQ_GET_FEATURES, FAKE_HANG);
	/* bounded by the frontend's reply timeout (~2 s), not the fake's 5 s */
	assert_true(now_ms() - t0 < 4800);
	assert_true(now_ms() - t0 >= 1500);
}

/* Misbehaviour in the middle of start: start fails, the loss is reported once. */
static void
hostile_start(uint32_t request, unsigned int nth, enum fake_misbehaviour bad)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	int fds_before = count_fds();
	int rc;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.bad_request = request;
	fb.bad_nth = nth;
	fb.bad = bad;
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	rc = vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2);
	assert_true(fb.misbehaved);
	assert_true(rc < 0);
	assert_int_not_equal(rc, -EIO);
	assert_false(vfemu_vhost_connected(t.vh));
	assert_false(vfemu_vhost_started(t.vh));
	assert_int_equal(vfemu_vhost_backend_features(t.vh), 0);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), -ENOTCONN);
	/* reported from the loop, exactly once */
	assert_int_equal(t.downs, 0);
	pump(&t, &t.downs, 1, NULL, 3000);
	pump(&t, NULL, 0, NULL, 50);
	assert_int_equal(t.downs, 1);
	assert_int_equal(t.ups, 1);
	finish(&t, &fb);
	regions_fini(&m);
	tctx_fini(&t);
	assert_int_equal(count_fds(), fds_before);
}

static void
test_hostile_start(void **state)
{
	static const enum fake_misbehaviour kinds[] = {
		FAKE_CLOSE, FAKE_WRONG_REQUEST, FAKE_NO_REPLY_FLAG, FAKE_BAD_VERSION,
		FAKE_HUGE_SIZE, FAKE_WRONG_SIZE, FAKE_TRUNCATED, FAKE_SEND_FD, FAKE_GARBAGE,
	};
	unsigned int k;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		hostile_start(VHOST_USER_REQ_SET_FEATURES, 1, kinds[k]);
		hostile_start(VHOST_USER_REQ_SET_MEM_TABLE, 1, kinds[k]);
		hostile_start(VHOST_USER_REQ_SET_VRING_ADDR, 2, kinds[k]);
		hostile_start(VHOST_USER_REQ_SET_VRING_ENABLE, 2, kinds[k]);
	}
	hostile_start(VHOST_USER_REQ_SET_VRING_CALL, 1, FAKE_HANG);
}

/*
 * A backend that answers every request, each in time but slowly: the model
 * serves no driver while it waits, so a whole start is bounded (2 s), not
 * each request. Without that bound this start takes a dozen times 0.7 s
 * and succeeds, while the driver's vfio-user request behind it times out.
 */
static void
test_slow_backend_bounded(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	uint64_t t0, took;
	int rc;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.slow_ms = 700;
	connect_backend(&t, &fb);
	assert_int_equal(t.ups, 1);
	t0 = now_ms();
	rc = vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2);
	took = now_ms() - t0;
	assert_true(rc < 0);
	assert_true(took >= 1500);
	assert_true(took < 3000);
	assert_false(vfemu_vhost_connected(t.vh));
	pump(&t, &t.downs, 1, NULL, 3000);
	assert_int_equal(t.downs, 1);
	finish(&t, &fb);
	regions_fini(&m);
	tctx_fini(&t);
}

/* A refusal is an answer: start fails, rings already handed over are taken back. */
static void
test_nack_during_start(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;
	int idx;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.bad_request = VHOST_USER_REQ_SET_VRING_ADDR;
	fb.bad_nth = 2;
	fb.bad = FAKE_NACK;
	connect_backend(&t, &fb);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), -EIO);
	assert_true(vfemu_vhost_connected(t.vh));
	assert_false(vfemu_vhost_started(t.vh));
	/* a second try works */
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), 0);
	pump(&t, NULL, 0, NULL, 50);
	assert_int_equal(t.downs, 0);
	finish(&t, &fb);
	idx = fake_find(&fb, VHOST_USER_REQ_SET_VRING_ADDR, 2);
	assert_true(idx > 0);
	expect_state(&fb, (unsigned int)idx + 1, VHOST_USER_REQ_GET_VRING_BASE, V1, 0, 0);
	expect_state(&fb, (unsigned int)idx + 2, VHOST_USER_REQ_GET_VRING_BASE, V1, 1, 0);
	assert_int_equal(fb.rec[idx + 3].hdr.request, VHOST_USER_REQ_SET_FEATURES);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_stop_reply_for_wrong_ring(void **state)
{
	struct fake_backend fb;
	struct two_regions m;
	struct tctx t;

	tctx_init(&t);
	regions_init(&m);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.bad_request = VHOST_USER_REQ_GET_VRING_BASE;
	fb.bad_nth = 1;
	fb.bad = FAKE_WRONG_RING;
	connect_backend(&t, &fb);
	assert_int_equal(vfemu_vhost_start(t.vh, NET_F_MAC, m.mem, 2, m.rings, 2), 0);
	vfemu_vhost_stop(t.vh);
	assert_false(vfemu_vhost_connected(t.vh));
	assert_false(vfemu_vhost_started(t.vh));
	pump(&t, &t.downs, 1, NULL, 3000);
	assert_int_equal(t.downs, 1);
	finish(&t, &fb);
	/* it gave up after the bad reply instead of carrying on */
	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_GET_VRING_BASE), 1);
	regions_fini(&m);
	tctx_fini(&t);
}

static void
test_unsolicited_message(void **state)
{
	struct fake_backend fb;
	struct tctx t;

	tctx_init(&t);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.unsolicited_after_owner = true;
	connect_backend(&t, &fb);
	pump(&t, &t.downs, 1, NULL, 3000);
	assert_int_equal(t.ups, 1);
	assert_int_equal(t.downs, 1);
	assert_false(vfemu_vhost_connected(t.vh));
	finish(&t, &fb);
	assert_true(fb.saw_eof);
	tctx_fini(&t);
}

static void
test_backend_leaves_while_idle(void **state)
{
	struct fake_backend fb, fb2;
	struct tctx t;

	tctx_init(&t);
	start_server_with(&t, &fb);
	full_backend(&fb);
	fb.close_after_owner = 1;
	connect_backend(&t, &fb);
	pump(&t, &t.downs, 1, NULL, 3000);
	assert_int_equal(t.ups, 1);
	assert_int_equal(t.downs, 1);
	assert_false(vfemu_vhost_connected(t.vh));
	assert_int_equal(vfemu_vhost_backend_features(t.vh), 0);
	fake_join(&fb);
	/* and the next one is welcome */
	fake_init(&fb2, t.path);
	fb2.features = NET_F_MAC;
	connect_backend(&t, &fb2);
	assert_int_equal(t.ups, 2);
	assert_int_equal(vfemu_vhost_backend_features(t.vh), NET_F_MAC);
	finish(&t, &fb2);
	tctx_fini(&t);
}

static void
test_server_serves_one_at_a_time(void **state)
{
	struct fake_backend fb1, fb2;
	struct tctx t;

	tctx_init(&t);
	start_server_with(&t, &fb1);
	full_backend(&fb1);
	fb1.close_after_owner = 1;
	fb1.hold_ms = 1000;
	fake_init(&fb2, t.path);
	full_backend(&fb2);
	connect_backend(&t, &fb1);
	assert_int_equal(t.ups, 1);
	assert_int_equal(fake_start(&fb2), 0);
	pump(&t, NULL, 0, NULL, 150);
	assert_int_equal(fb2.nb_rec, 0);	/* waits in the backlog */
	pump(&t, &t.ups, 2, NULL, 3000);
	assert_int_equal(t.downs, 1);
	assert_int_equal(t.ups, 2);
	fake_join(&fb1);
	finish(&t, &fb2);
	assert_int_equal(fb2.nb_rec, 5);
	tctx_fini(&t);
}

static void
stopper_tick(void *opaque)
{
	struct tctx *t = opaque;

	if (++t->ticks == 5)
		t->ups_at_tick5 = t->ups;
	if ((t->ups >= t->want_ups && t->downs >= t->want_downs) || t->ticks > 500)
		vfemu_loop_stop(t->loop);
}

/* Client mode: retries while the backend is missing, reconnects after it leaves. */
static void
test_client_retry_and_reconnect(void **state)
{
	struct fake_backend fb;
	struct tctx t;

	tctx_init(&t);
	fake_init(&fb, t.path);
	full_backend(&fb);
	fb.listen_role = true;
	fb.connect_delay_ms = 1000;
	fb.accepts = 2;
	fb.close_after_owner = 1;
	t.vh = vfemu_vhost_create(t.loop, t.path, false, &test_ops, &t);
	assert_non_null(t.vh);
	assert_int_equal(vfemu_loop_add_tick(t.loop, stopper_tick, &t), 0);
	t.want_ups = 2;
	t.want_downs = 1;
	assert_int_equal(fake_start(&fb), 0);
	assert_int_equal(vfemu_loop_run(t.loop, 10), 0);
	assert_int_equal(t.ups_at_tick5, 0);	/* no backend yet: no connection */
	assert_int_equal(t.ups, 2);
	assert_int_equal(t.downs, 1);
	assert_true(vfemu_vhost_connected(t.vh));
	finish(&t, &fb);
	assert_int_equal(fb.sessions, 2);
	assert_int_equal(fake_count(&fb, VHOST_USER_REQ_GET_FEATURES), 2);
	assert_true(fb.saw_eof);
	tctx_fini(&t);
}

/* Random bytes in place of replies: never a crash, never a connection, no leak. */
static void
test_garbage_fuzz(void **state)
{
	static const uint32_t requests[] = {
		VHOST_USER_REQ_GET_FEATURES, VHOST_USER_REQ_GET_PROTOCOL_FEATURES,
		VHOST_USER_REQ_GET_QUEUE_NUM, VHOST_USER_REQ_SET_OWNER,
	};
	struct fake_backend fb;
	struct tctx t;
	int fds_before = count_fds();
	unsigned int seed;

	tctx_init(&t);
	t.vh = vfemu_vhost_create(t.loop, t.path, true, &test_ops, &t);
	assert_non_null(t.vh);
	for (seed = 1; seed <= 200; seed++) {
		fake_init(&fb, t.path);
		full_backend(&fb);
		fb.bad = FAKE_GARBAGE;
		fb.garbage_seed = seed;
		fb.bad_request = requests[seed % 4];
		fb.bad_nth = 1;
		assert_int_equal(fake_start(&fb), 0);
		pump(&t, NULL, 0, &fb, 5000);
		fake_join(&fb);
		pump(&t, NULL, 0, NULL, 2);
	}
	assert_int_equal(t.ups, 0);
	assert_false(vfemu_vhost_connected(t.vh));
	tctx_fini(&t);
	assert_int_equal(count_fds(), fds_before);
}

static int
make_tmpdir(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tmmr-vhost-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
remove_tmpdir(void **state)
{
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_full),
		cmocka_unit_test(test_handshake_legacy_backend),
		cmocka_unit_test(test_handshake_protocol_without_mq_ack),
		cmocka_unit_test(test_handshake_net_mtu),
		cmocka_unit_test(test_start_stop_sequence),
		cmocka_unit_test(test_restart_update_enable),
		cmocka_unit_test(test_start_without_protocol_features),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_translated_start_update_stop),
		cmocka_unit_test(test_translated_region_change_and_direct_overflow),
		cmocka_unit_test(test_translated_hostile_backend),
		cmocka_unit_test(test_not_connected),
		cmocka_unit_test(test_hostile_handshake),
		cmocka_unit_test(test_hostile_handshake_timeout),
		cmocka_unit_test(test_hostile_start),
		cmocka_unit_test(test_slow_backend_bounded),
		cmocka_unit_test(test_nack_during_start),
		cmocka_unit_test(test_stop_reply_for_wrong_ring),
		cmocka_unit_test(test_unsolicited_message),
		cmocka_unit_test(test_backend_leaves_while_idle),
		cmocka_unit_test(test_server_serves_one_at_a_time),
		cmocka_unit_test(test_client_retry_and_reconnect),
		cmocka_unit_test(test_garbage_fuzz),
	};

	return cmocka_run_group_tests_name("vhost frontend", tests, make_tmpdir, remove_tmpdir);
}
