/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The control socket (link, announce, unplug, status, quit) and the data
 * plane handoff to a vhost-user backend (the vhost tests' scripted fake
 * backend, in its own thread).
 */

#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_backend.h"
#include "model_harness.h"

#define F(bit) (1ull << (bit))

static const char *const status_keys[] = {
	"vf", "status", "features", "acked", "link", "backend", "started", "promisc",
	"allmulti", "mac", "uc", "mc", "vlans", "pairs", "max_pairs", "rings_started",
	"dma_maps", "msix", "msix_enabled", "intx", "isr", "net_status", "ctrl_ok",
	"ctrl_errors", "bad_msgs", "config_irqs", "kicks", "mtu", "bar_reads", "bar_writes",
};

static int
ctl_connect(struct mh *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vfemu_pf_ctl_path(h->pf));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	mh_pump(h, 2);
	return fd;
}

/* send @cmd (with newline) and read one reply line */
static void
ctl_cmd(struct mh *h, int fd, const char *cmd, char *out, size_t len)
{
	size_t got = 0;
	int i;

	assert_int_equal(send(fd, cmd, strlen(cmd), MSG_NOSIGNAL), (ssize_t)strlen(cmd));
	for (i = 0; i < 1000 && (got == 0 || out[got - 1] != '\n'); i++) {
		ssize_t n;

		mh_pump(h, 1);
		n = recv(fd, out + got, len - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += n;
		else if (n == 0)
			break;
	}
	out[got] = '\0';
}

static void
test_ctl_socket_protocol(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 2 };
	char out[1024];
	unsigned int i;
	struct mh h;
	int fd;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	fd = ctl_connect(&h);
	ctl_cmd(&h, fd, "status 1\n", out, sizeof(out));
	for (i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "%s%s=", i ? " " : "", status_keys[i]);
		assert_non_null(strstr(out, pat));
	}
	assert_true(strncmp(out, "vf=1 status=0x00 ", 17) == 0);
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);	/* one line */

	ctl_cmd(&h, fd, "status 2\n", out, sizeof(out));
	assert_string_equal(out, "error bad vf\n");
	ctl_cmd(&h, fd, "status -1\n", out, sizeof(out));
	assert_string_equal(out, "error bad vf\n");
	ctl_cmd(&h, fd, "status\n", out, sizeof(out));
	assert_string_equal(out, "error bad vf\n");
	ctl_cmd(&h, fd, "frobnicate 0\n", out, sizeof(out));
	assert_string_equal(out, "error unknown command\n");
	ctl_cmd(&h, fd, "link 0 sideways\n", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);
	ctl_cmd(&h, fd, "\n", out, sizeof(out));
	assert_true(strncmp(out, "error", 5) == 0);
	/* two commands in one write: two replies */
	ctl_cmd(&h, fd, "link 0 down\nlink 0 up\n", out, sizeof(out));
	mh_pump(&h, 2);
	{
		char more[64] = "";
		ssize_t n = recv(fd, more, sizeof(more) - 1, MSG_DONTWAIT);

		if (n > 0)
			strncat(out, more, n);
	}
	assert_string_equal(out, "ok\nok\n");
	/* an endless line is cut off */
	{
		char longline[600];

		memset(longline, 'a', sizeof(longline));
		assert_int_equal(send(fd, longline, sizeof(longline), MSG_NOSIGNAL),
				 (ssize_t)sizeof(longline));
		assert_true(mh_peer_closed(&h, fd));
	}
	close(fd);
	/* quit stops the loop */
	fd = ctl_connect(&h);
	ctl_cmd(&h, fd, "quit\n", out, sizeof(out));
	assert_string_equal(out, "ok\n");
	assert_int_equal(vfemu_loop_run(h.loop, 10), 0);
	close(fd);
	mh_teardown(&h);
}

static void
test_unplug(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 3 };
	char out[256], path[512];
	struct mh h;
	int fd;

	(void)state;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 1), 0);
	snprintf(path, sizeof(path), "%s/0000:01:00.2", h.dir);
	assert_int_equal(access(path, F_OK), 0);
	fd = ctl_connect(&h);
	ctl_cmd(&h, fd, "unplug 1\n", out, sizeof(out));
	assert_string_equal(out, "ok\n");
	/* the driver's connection is cut, the function is gone from the tree */
	assert_true(mh_peer_closed(&h, h.fd));
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/0000:01:00.0/virtfn1", h.dir);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_false(vfemu_pf_vf_has_client(h.pf, 1));
	assert_int_equal(mh_connect_raw(&h, 1), -1);
	ctl_cmd(&h, fd, "status 1\n", out, sizeof(out));
	assert_string_equal(out, "error vf unplugged\n");
	ctl_cmd(&h, fd, "unplug 1\n", out, sizeof(out));
	assert_string_equal(out, "error vf unplugged\n");
	/* the others are untouched */
	ctl_cmd(&h, fd, "status 2\n", out, sizeof(out));
	assert_true(strncmp(out, "vf=2 ", 5) == 0);
	assert_int_equal(mh_connect(&h, 2), 0);
	close(fd);
	mh_teardown(&h);
	assert_int_not_equal(access(h.dir, F_OK), 0);
}

static bool
wait_status(struct mh *h, const char *key, const char *want)
{
	char v[64];
	int i;

	for (i = 0; i < 600; i++) {
		if (mh_status_str(h, 0, key, v, sizeof(v)) == 0 && strcmp(v, want) == 0)
			return true;
		vfemu_loop_once(h->loop, 5);
	}
	return false;
}

static void
start_fake(struct fake_backend *fb, const char *prefix, uint64_t features)
{
	char path[128];

	snprintf(path, sizeof(path), "%s0", prefix);
	fake_init(fb, path);
	fb->features = features;
	fb->protocol = F(0) | F(3);	/* MQ, REPLY_ACK */
	fb->queue_num = 1;
	assert_int_equal(fake_start(fb), 0);
}

static void
test_link_follows_backend(void **state)
{
	char prefix[64], out[128];
	struct fake_backend *fb = calloc(1, sizeof(*fb));
	struct mh_cfg cfg = { .nb_vfs = 1, .backend_server = true };
	struct mh h;
	int efds[4], i;
	long irqs;

	(void)state;
	snprintf(prefix, sizeof(prefix), "/tmp/model/vh%d-link", (int)getpid());
	cfg.backend_prefix = prefix;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_MSIX_CONFIG_VECTOR, 2, 0);
	assert_true(wait_status(&h, "link", "down"));
	/* link up only with a backend, even if forced up */
	mh_ctl(&h, "link 0 up", out, sizeof(out));
	assert_string_equal(out, "ok");
	assert_true(wait_status(&h, "link", "down"));
	assert_false(mh_efd_fired(efds[0]));

	irqs = mh_status_num(&h, 0, "config_irqs");
	start_fake(fb, prefix, F(TMMR_NET_F_MRG_RXBUF) | F(TMMR_NET_F_CSUM) | F(30) | F(32));
	assert_true(wait_status(&h, "backend", "connected"));
	assert_true(wait_status(&h, "link", "up"));
	assert_int_equal(mh_status_num(&h, 0, "config_irqs"), irqs + 1);
	assert_true(mh_efd_fired(efds[0]));
	assert_int_equal(mh_leg_read(&h, 0x18 + TMMR_NET_CFG_STATUS, 2), TMMR_NET_S_LINK_UP);
	/* data-path bits now only as far as the backend has them */
	{
		uint32_t f = mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4);

		assert_true(f & F(TMMR_NET_F_MRG_RXBUF));
		assert_true(f & F(TMMR_NET_F_CSUM));
		assert_false(f & F(TMMR_RING_F_EVENT_IDX));
		assert_false(f & F(TMMR_NET_F_GUEST_TSO4));
		assert_true(f & F(TMMR_NET_F_CTRL_VQ));	/* the model's own */
		assert_false(f & F(30));
	}

	mh_ctl(&h, "link 0 down", out, sizeof(out));
	assert_string_equal(out, "ok");
	assert_true(wait_status(&h, "link", "down"));
	assert_true(mh_efd_fired(efds[0]));
	assert_int_equal(mh_leg_read(&h, 0x18 + TMMR_NET_CFG_STATUS, 2), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_ISR, 1), TMMR_ISR_CONFIG);
	mh_ctl(&h, "link 0 down", out, sizeof(out));	/* no change, no interrupt */
	assert_false(mh_efd_fired(efds[0]));
	mh_ctl(&h, "link 0 up", out, sizeof(out));
	assert_true(wait_status(&h, "link", "up"));
	assert_true(mh_efd_fired(efds[0]));

	mh_teardown(&h);
	fake_join(fb);
	assert_true(fb->sessions >= 1);
	assert_true(fake_find(fb, VHOST_USER_REQ_GET_FEATURES, 1) >= 0);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	free(fb);
}

static void
test_backend_goes_away(void **state)
{
	char prefix[64];
	struct fake_backend *fb = calloc(1, sizeof(*fb));
	struct mh_cfg cfg = { .nb_vfs = 1, .backend_server = true };
	struct mh h;
	long irqs;

	(void)state;
	snprintf(prefix, sizeof(prefix), "/tmp/model/vh%d-gone", (int)getpid());
	cfg.backend_prefix = prefix;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 0), 0);
	irqs = mh_status_num(&h, 0, "config_irqs");
	/* a backend that hangs up 300 ms after the handshake */
	fake_init(fb, "");
	snprintf(fb->path, sizeof(fb->path), "%s0", prefix);
	fb->features = F(TMMR_NET_F_MRG_RXBUF) | F(32);
	fb->close_after_owner = 1;
	fb->hold_ms = 300;
	assert_int_equal(fake_start(fb), 0);
	assert_true(wait_status(&h, "link", "up"));
	assert_true(wait_status(&h, "backend", "disconnected"));
	assert_true(wait_status(&h, "link", "down"));
	assert_int_equal(mh_status_num(&h, 0, "config_irqs"), irqs + 2);
	assert_int_equal(mh_leg_read(&h, 0x14 + TMMR_NET_CFG_STATUS, 2), 0);
	fake_join(fb);
	mh_teardown(&h);
	free(fb);
}

static void
test_data_plane_handoff(void **state)
{
	char prefix[64];
	struct fake_backend *fb = calloc(1, sizeof(*fb));
	struct mh_cfg cfg = { .nb_vfs = 1, .backend_server = true };
	uint32_t acked = (1u << TMMR_NET_F_MRG_RXBUF) | (1u << TMMR_NET_F_CTRL_VQ) |
			 (1u << TMMR_NET_F_MAC) | (1u << TMMR_NET_F_STATUS);
	struct mh_mem m;
	struct mh h;
	int efds[4], i, r;

	(void)state;
	snprintf(prefix, sizeof(prefix), "/tmp/model/vh%d-dp", (int)getpid());
	cfg.backend_prefix = prefix;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 0), 0);
	start_fake(fb, prefix, F(TMMR_NET_F_MRG_RXBUF) | F(TMMR_NET_F_CSUM) | F(30) | F(32));
	assert_true(wait_status(&h, "backend", "connected"));

	assert_int_equal(mh_mem_create(&m, 0x40000000, 0x100000), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	/* the used index the backend must resume from */
	*(uint16_t *)(void *)(m.va + 0x3000 + 2) = 7;
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, acked);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 0);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x40001);	/* rx at +0x1000 */
	mh_leg_write(&h, TMMR_LEG_MSIX_QUEUE_VECTOR, 2, 1);
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 1);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, 0x40010);	/* tx at +0x10000 */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0x07);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0x07);
	assert_int_equal(mh_status_num(&h, 0, "started"), 1);
	assert_int_equal(mh_status_num(&h, 0, "rings_started"), 2);
	/* a new DMA map while running goes to the backend */
	{
		struct mh_mem m2;

		assert_int_equal(mh_mem_create(&m2, 0x80000000, 0x10000), 0);
		assert_int_equal(mh_dma_map(&h, &m2), 0);
		assert_int_equal(mh_status_num(&h, 0, "started"), 1);
		mh_mem_destroy(&m2);
	}
	/* reset stops the data plane */
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0);
	assert_int_equal(mh_status_num(&h, 0, "started"), 0);
	assert_int_equal(mh_status_num(&h, 0, "rings_started"), 0);
	mh_teardown(&h);
	fake_join(fb);

	r = fake_find(fb, VHOST_USER_REQ_SET_FEATURES, 1);
	assert_true(r >= 0);
	/* only data-path bits, and only those the backend offered */
	assert_int_equal(fb->rec[r].payload.u64 & 0xffffffffull, F(TMMR_NET_F_MRG_RXBUF) | F(30));
	assert_true(fake_count(fb, VHOST_USER_REQ_SET_MEM_TABLE) >= 2);
	assert_int_equal(fake_count(fb, VHOST_USER_REQ_SET_VRING_ADDR), 2);
	for (i = 1; i <= 2; i++) {
		const struct fake_record *rec;
		int k = fake_find(fb, VHOST_USER_REQ_SET_VRING_ADDR, i);

		rec = &fb->rec[k];
		if (rec->payload.addr.index == 0) {
			assert_int_equal(rec->payload.addr.desc_user_addr, 0x40001000ull);
			assert_int_equal(rec->payload.addr.avail_user_addr,
					 0x40001000ull + 256 * 16);
			assert_int_equal(rec->payload.addr.used_user_addr, 0x40003000ull);
		} else {
			assert_int_equal(rec->payload.addr.index, 1);
			assert_int_equal(rec->payload.addr.desc_user_addr, 0x40010000ull);
		}
	}
	for (i = 1; i <= 2; i++) {
		int k = fake_find(fb, VHOST_USER_REQ_SET_VRING_BASE, i);

		assert_true(k >= 0);
		if (fb->rec[k].payload.state.index == 0)
			assert_int_equal(fb->rec[k].payload.state.num, 7);
	}
	assert_int_equal(fake_count(fb, VHOST_USER_REQ_SET_VRING_KICK), 2);
	assert_int_equal(fake_count(fb, VHOST_USER_REQ_SET_VRING_CALL), 2);
	assert_int_equal(fake_count(fb, VHOST_USER_REQ_GET_VRING_BASE), 2);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	mh_mem_destroy(&m);
	free(fb);
}

/* MQ: backend comes after DRIVER_OK; VQ_PAIRS_SET enables the second pair */
static void
test_late_backend_and_pairs(void **state)
{
	char prefix[64];
	struct fake_backend *fb = calloc(1, sizeof(*fb));
	struct mh_cfg cfg = { .nb_vfs = 1, .pairs = 2, .backend_server = true };
	uint32_t acked = (1u << TMMR_NET_F_CTRL_VQ) | (1u << TMMR_NET_F_MQ);
	const uint64_t ring = 0x40000000, ctrl = ring + 0x40000, buf = ring + 0x50000;
	struct tmmr_vring_desc d[3] = {
		{ .addr = buf, .len = 2, .flags = TMMR_VRING_DESC_F_NEXT, .next = 1 },
		{ .addr = buf + 2, .len = 2, .flags = TMMR_VRING_DESC_F_NEXT, .next = 2 },
		{ .addr = buf + 8, .len = 1, .flags = TMMR_VRING_DESC_F_WRITE, .next = 0 },
	};
	uint8_t cmd[4] = { TMMR_NET_CTRL_MQ, TMMR_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0 };
	struct mh_mem m;
	struct mh h;
	unsigned int i, enables = 0;
	uint16_t q;

	(void)state;
	snprintf(prefix, sizeof(prefix), "/tmp/model/vh%d-mq", (int)getpid());
	cfg.backend_prefix = prefix;
	assert_int_equal(mh_setup(&h, &cfg), 0);
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_mem_create(&m, ring, 0x100000), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	mh_leg_read(&h, TMMR_LEG_DEVICE_FEATURES, 4);
	mh_leg_write(&h, TMMR_LEG_DRIVER_FEATURES, 4, acked);
	for (q = 0; q < 4; q++) {
		mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, q);
		mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, (ring >> 12) + 0x10 * q);
	}
	mh_leg_write(&h, TMMR_LEG_QUEUE_SEL, 2, 4);
	mh_leg_write(&h, TMMR_LEG_QUEUE_PFN, 4, ctrl >> 12);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, 0x07);
	assert_int_equal(mh_status_num(&h, 0, "started"), 0);

	fake_init(fb, "");
	snprintf(fb->path, sizeof(fb->path), "%s0", prefix);
	fb->features = F(TMMR_NET_F_MRG_RXBUF) | F(30) | F(32);
	fb->protocol = F(0) | F(3);
	fb->queue_num = 2;
	assert_int_equal(fake_start(fb), 0);
	assert_true(wait_status(&h, "started", "1"));
	assert_int_equal(mh_status_num(&h, 0, "rings_started"), 2);

	memcpy(m.va + (ctrl - ring), d, sizeof(d));
	memcpy(m.va + (buf - ring), cmd, 4);
	*(uint16_t *)(void *)(m.va + (ctrl - ring) + 64 * 16 + 4) = 0;	/* ring[0] = head 0 */
	*(uint16_t *)(void *)(m.va + (ctrl - ring) + 64 * 16 + 2) = 1;	/* avail idx */
	assert_int_equal(mh_bar_write(&h, 4 * 4, 2, 4), 0);
	mh_pump(&h, 3);
	assert_int_equal(m.va[buf + 8 - ring], TMMR_NET_OK);
	assert_int_equal(mh_status_num(&h, 0, "pairs"), 2);
	assert_int_equal(mh_status_num(&h, 0, "rings_started"), 4);
	mh_teardown(&h);
	fake_join(fb);
	assert_int_equal(fake_count(fb, VHOST_USER_REQ_SET_VRING_ADDR), 4);
	for (i = 1; i <= fake_count(fb, VHOST_USER_REQ_SET_VRING_ENABLE); i++) {
		const struct fake_record *r =
			&fb->rec[fake_find(fb, VHOST_USER_REQ_SET_VRING_ENABLE, i)];

		/* the second pair: first handed over disabled, later enabled */
		if (r->payload.state.index >= 2 && r->payload.state.num == 1)
			enables++;
	}
	assert_int_equal(enables, 2);
	mh_mem_destroy(&m);
	free(fb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_socket_protocol),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_link_follows_backend),
		cmocka_unit_test(test_backend_goes_away),
		cmocka_unit_test(test_data_plane_handoff),
		cmocka_unit_test(test_late_backend_and_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
