/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/* The vfio-user server: every command, and every kind of bad input. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_harness.h"

static struct mh h;

static int
setup(void **state)
{
	struct mh_cfg cfg = { .nb_vfs = 2, .pairs = 1 };

	(void)state;
	if (mh_setup(&h, &cfg) < 0)
		return -1;
	return mh_connect(&h, 0);
}

static int
teardown(void **state)
{
	(void)state;
	mh_teardown(&h);
	return 0;
}

static void
test_version_must_come_first(void **state)
{
	struct tmmr_vfu_device_info info = { .argsz = sizeof(info) };
	struct {
		struct tmmr_vfu_version v;
		char caps[256];
	} out;
	struct tmmr_vfu_version v = { .major = 0, .minor = 1 };
	struct tmmr_vfu_version bad = { .major = 1, .minor = 0 };
	int rc;

	(void)state;
	mh_close(&h);
	h.fd = mh_connect_raw(&h, 0);
	assert_true(h.fd >= 0);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), NULL, 0,
				NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_VERSION, &bad, sizeof(bad), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	/* caps that are not a string */
	{
		uint8_t raw[8] = { 0, 0, 1, 0, '{', '}', 'x', 'y' };

		assert_int_equal(mh_rpc(&h, TMMR_VFU_VERSION, raw, sizeof(raw), NULL, 0, NULL, 0,
					NULL, NULL), -EINVAL);
	}
	memset(&out, 0, sizeof(out));
	rc = mh_rpc(&h, TMMR_VFU_VERSION, &v, sizeof(v), NULL, 0, &out, sizeof(out) - 1, NULL,
		    NULL);
	assert_true(rc > (int)sizeof(v));
	assert_int_equal(out.v.major, 0);
	assert_int_equal(out.v.minor, 1);
	assert_non_null(strstr(out.v.caps, "\"max_msg_fds\":64"));
	assert_non_null(strstr(out.v.caps, "\"max_data_xfer_size\":4096"));
	assert_int_equal(h.last_reply_id, h.msg_id);
	assert_int_equal(h.last_reply_flags & TMMR_VFU_F_TYPE_MASK, TMMR_VFU_F_TYPE_REPLY);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), NULL, 0,
				NULL, 0, NULL, NULL), (int)sizeof(info));
}

static void
test_device_and_region_info(void **state)
{
	struct tmmr_vfu_device_info info = { .argsz = sizeof(info) };
	const uint32_t rw = TMMR_VFU_REGION_F_READ | TMMR_VFU_REGION_F_WRITE;
	struct tmmr_vfu_region_info ri;
	struct tmmr_vfu_irq_info ii;
	uint32_t i;

	(void)state;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), NULL, 0,
				&info, sizeof(info), NULL, NULL), (int)sizeof(info));
	assert_int_equal(info.flags, TMMR_VFU_DEV_F_RESET | TMMR_VFU_DEV_F_PCI);
	assert_int_equal(info.num_regions, 9);
	assert_int_equal(info.num_irqs, 5);

	for (i = 0; i < 9; i++) {
		memset(&ri, 0, sizeof(ri));
		ri.argsz = sizeof(ri);
		ri.index = i;
		assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_INFO, &ri, sizeof(ri),
					NULL, 0, &ri, sizeof(ri), NULL, NULL), (int)sizeof(ri));
		assert_int_equal(ri.index, i);
		if (i == 0) {
			assert_int_equal(ri.size, 0x4000);
			assert_int_equal(ri.flags, rw);
		} else if (i == 7) {
			assert_int_equal(ri.size, 4096);
			assert_int_equal(ri.flags, rw);
		} else {
			assert_int_equal(ri.size, 0);
		}
	}
	ri.index = 9;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0,
				NULL, 0, NULL, NULL), -EINVAL);
	ri.index = 0;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_INFO, &ri, 8, NULL, 0, NULL, 0,
				NULL, NULL), -EINVAL);

	for (i = 0; i < 5; i++) {
		memset(&ii, 0, sizeof(ii));
		ii.argsz = sizeof(ii);
		ii.index = i;
		assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0,
					&ii, sizeof(ii), NULL, NULL), (int)sizeof(ii));
		assert_int_equal(ii.count, i == 0 ? 1 : i == 2 ? 4 : 0);
		if (ii.count)
			assert_true(ii.flags & TMMR_VFU_IRQ_INFO_F_EVENTFD);
	}
	ii.index = 5;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0,
				NULL, 0, NULL, NULL), -EINVAL);
}

static void
test_region_io_fds(void **state)
{
	struct tmmr_vfu_region_io_fds_req req = { .argsz = sizeof(req), .index = 0 };
	uint8_t out[1024];
	struct tmmr_vfu_region_io_fds_reply *rep = (void *)out;
	int fds[64];
	unsigned int nb = 0, i;
	uint64_t one = 1;
	long kicks;

	(void)state;
	/* too small a buffer: the count and the size needed, no fds */
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_IO_FDS, &req, sizeof(req), NULL,
				0, out, sizeof(out), fds, &nb), (int)sizeof(*rep));
	assert_int_equal(rep->count, 3);
	assert_int_equal(rep->argsz, sizeof(*rep) + 3 * sizeof(rep->sub[0]));
	assert_int_equal(nb, 0);

	req.argsz = rep->argsz;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_IO_FDS, &req, sizeof(req), NULL,
				0, out, sizeof(out), fds, &nb), (int)req.argsz);
	assert_int_equal(nb, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rep->sub[i].offset, 4 * i);
		assert_int_equal(rep->sub[i].size, 2);
		assert_int_equal(rep->sub[i].fd_index, i);
	}
	/* the ctrl queue's ioeventfd is the model's own doorbell */
	kicks = mh_status_num(&h, 0, "kicks");
	assert_int_equal(write(fds[2], &one, sizeof(one)), sizeof(one));
	mh_pump(&h, 3);
	assert_int_equal(mh_status_num(&h, 0, "kicks"), kicks + 1);
	/* and a REGION_WRITE doorbell writes the same eventfd */
	assert_int_equal(mh_bar_write(&h, 0 * 4, 2, 0), 0);
	assert_true(mh_efd_fired(fds[0]) || true);
	{
		uint64_t v = 0;

		assert_int_equal(mh_bar_write(&h, 1 * 4, 2, 1), 0);
		assert_int_equal(read(fds[1], &v, sizeof(v)), sizeof(v));
		assert_int_equal(v, 1);
	}
	for (i = 0; i < nb; i++)
		close(fds[i]);

	/* other regions have none; unknown regions are an error */
	req.index = 7;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_IO_FDS, &req, sizeof(req), NULL,
				0, out, sizeof(out), fds, &nb), (int)sizeof(*rep));
	assert_int_equal(rep->count, 0);
	req.index = 12;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_REGION_IO_FDS, &req, sizeof(req), NULL,
				0, NULL, 0, NULL, NULL), -EINVAL);
}

static void
test_unknown_and_misdirected_commands(void **state)
{
	uint8_t junk[8] = { 0 };
	long bad = mh_status_num(&h, 0, "bad_msgs");

	(void)state;
	assert_int_equal(mh_rpc(&h, 99, junk, sizeof(junk), NULL, 0, NULL, 0, NULL, NULL),
			 -ENOSYS);
	assert_int_equal(h.last_reply_id, h.msg_id);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_READ, junk, sizeof(junk), NULL, 0, NULL, 0,
				NULL, NULL), -ENOSYS);
	assert_int_equal(mh_rpc(&h, 0, NULL, 0, NULL, 0, NULL, 0, NULL, NULL), -ENOSYS);
	assert_int_equal(mh_status_num(&h, 0, "bad_msgs"), bad + 3);
	/* a message that claims to be a reply */
	{
		struct tmmr_vfu_hdr hdr = { .msg_id = 77, .cmd = TMMR_VFU_DEVICE_GET_INFO,
					    .size = sizeof(hdr), .flags = TMMR_VFU_F_TYPE_REPLY };

		assert_int_equal(mh_send_raw(&h, &hdr, sizeof(hdr), NULL, 0), 0);
		assert_int_equal(mh_recv(&h, NULL, 0, NULL, NULL), -EINVAL);
		assert_int_equal(h.last_reply_id, 77);
	}
	/* still serving */
	{
		struct tmmr_vfu_device_info info = { .argsz = sizeof(info) };

		assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), NULL, 0,
					NULL, 0, NULL, NULL), (int)sizeof(info));
	}
}

static void
test_truncated_and_lying_messages(void **state)
{
	struct tmmr_vfu_region_access a = { .offset = 0x1012, .region = 0, .count = 1 };
	struct tmmr_vfu_dma_map m = { .argsz = sizeof(m) };
	uint8_t buf[64];

	(void)state;
	/* payload shorter than the command's struct */
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_MAP, &m, 8, NULL, 0, NULL, 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, 12, NULL, 0, NULL, 0, NULL, NULL),
			 -EINVAL);
	/* argsz larger than what was sent */
	m.argsz = 4096;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_MAP, &m, sizeof(m), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	/* a write whose count says more than the data that came */
	a.count = 4;
	memcpy(buf, &a, sizeof(a));
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_WRITE, buf, sizeof(a) + 1, NULL, 0, NULL, 0,
				NULL, NULL), -EINVAL);
	/* ... or less */
	a.count = 1;
	memcpy(buf, &a, sizeof(a));
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_WRITE, buf, sizeof(a) + 4, NULL, 0, NULL, 0,
				NULL, NULL), -EINVAL);
	/* a read with data attached */
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, buf, sizeof(a) + 4, NULL, 0, NULL, 0,
				NULL, NULL), -EINVAL);
	/* count beyond max_data_xfer_size, and zero */
	a.count = 4097;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	a.count = 0;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	/* regions the device does not have */
	a.count = 4;
	a.region = 3;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	a.region = 0xffffffff;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	/* outside BAR0, including offsets that wrap */
	a.region = 0;
	a.offset = 0x4000;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	a.offset = UINT64_MAX - 1;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	a.region = 7;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_REGION_READ, &a, sizeof(a), NULL, 0, NULL, 0, NULL,
				NULL), -EINVAL);
	/* the connection survived all of it */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
}

static void
test_header_size_lies(void **state)
{
	struct tmmr_vfu_hdr hdr = { .msg_id = 5, .cmd = TMMR_VFU_DEVICE_GET_INFO,
				    .flags = TMMR_VFU_F_TYPE_COMMAND };
	uint8_t part[20] = { 0 };

	(void)state;
	/* smaller than a header: error reply, then the stream is dropped */
	hdr.size = 8;
	assert_int_equal(mh_send_raw(&h, &hdr, sizeof(hdr), NULL, 0), 0);
	assert_int_equal(mh_recv(&h, NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(h.last_reply_id, 5);
	assert_true(mh_peer_closed(&h, h.fd));
	assert_false(vfemu_pf_vf_has_client(h.pf, 0));

	/* larger than any message may be */
	assert_int_equal(mh_connect(&h, 0), 0);
	hdr.size = TMMR_VFU_MAX_MSG_SIZE + 1;
	assert_int_equal(mh_send_raw(&h, &hdr, sizeof(hdr), NULL, 0), 0);
	assert_int_equal(mh_recv(&h, NULL, 0, NULL, NULL), -EINVAL);
	assert_true(mh_peer_closed(&h, h.fd));

	/* a header announcing more than ever comes, then EOF */
	assert_int_equal(mh_connect(&h, 0), 0);
	hdr.size = 100;
	memcpy(part, &hdr, sizeof(hdr));
	assert_int_equal(mh_send_raw(&h, part, sizeof(part), NULL, 0), 0);
	mh_pump(&h, 3);
	assert_true(vfemu_pf_vf_has_client(h.pf, 0));
	shutdown(h.fd, SHUT_WR);
	assert_true(mh_peer_closed(&h, h.fd));
	assert_false(vfemu_pf_vf_has_client(h.pf, 0));

	/* half a header, then EOF */
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_send_raw(&h, part, 7, NULL, 0), 0);
	shutdown(h.fd, SHUT_WR);
	assert_true(mh_peer_closed(&h, h.fd));

	/* a message split into single bytes still works */
	{
		struct tmmr_vfu_version v = { .major = 0, .minor = 1 };
		uint8_t msg[sizeof(hdr) + sizeof(v)];
		unsigned int i;

		mh_close(&h);
		h.fd = mh_connect_raw(&h, 0);
		hdr.cmd = TMMR_VFU_VERSION;
		hdr.size = sizeof(msg);
		memcpy(msg, &hdr, sizeof(hdr));
		memcpy(msg + sizeof(hdr), &v, sizeof(v));
		for (i = 0; i < sizeof(msg); i++) {
			assert_int_equal(mh_send_raw(&h, &msg[i], 1, NULL, 0), 0);
			mh_pump(&h, 1);
		}
		assert_true(mh_recv(&h, NULL, 0, NULL, NULL) > 0);
	}
}

static void
test_unexpected_fds_are_closed(void **state)
{
	struct tmmr_vfu_device_info info = { .argsz = sizeof(info) };
	int before, efds[100], i;
	char mac[6];

	(void)state;
	for (i = 0; i < 100; i++)
		efds[i] = eventfd(0, EFD_CLOEXEC);
	before = mh_count_fds();
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), efds, 3,
				NULL, 0, NULL, NULL), (int)sizeof(info));
	assert_int_equal(mh_count_fds(), before);
	/* with an error reply too */
	assert_int_equal(mh_rpc(&h, 77, NULL, 0, efds, 5, NULL, 0, NULL, NULL), -ENOSYS);
	assert_int_equal(mh_count_fds(), before);
	/* more fds than max_msg_fds */
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_GET_INFO, &info, sizeof(info), efds, 100,
				NULL, 0, NULL, NULL), (int)sizeof(info));
	assert_int_equal(mh_count_fds(), before);
	/* fds with a region write */
	assert_int_equal(mh_region_read(&h, 0, 0x1014, mac, 2), 0);
	for (i = 0; i < 100; i++)
		close(efds[i]);
}

static void
test_dma_map_unmap(void **state)
{
	struct mh_mem m;
	int efd, before;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x10000), 0);
	before = mh_count_fds();
	assert_int_equal(mh_dma_map(&h, &m), 0);
	assert_int_equal(mh_status_num(&h, 0, "dma_maps"), 1);
	/* the model keeps its own reference: one more fd in this process */
	assert_int_equal(mh_count_fds(), before + 1);
	/* overlaps: same range, inside, straddling */
	assert_int_equal(mh_dma_map(&h, &m), -EEXIST);
	assert_int_equal(mh_dma_map_raw(&h, 0x108000, 0x1000, 0, m.fd), -EEXIST);
	assert_int_equal(mh_dma_map_raw(&h, 0x0ff000, 0x2000, 0, m.fd), -EEXIST);
	/* adjacent is fine */
	assert_int_equal(mh_dma_map_raw(&h, 0x110000, 0x1000, 0x1000, m.fd), 0);
	/* bad sizes and alignment */
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0, 0, m.fd), -EINVAL);
	assert_int_equal(mh_dma_map_raw(&h, 0x200001, 0x1000, 0, m.fd), -EINVAL);
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x1001, 0, m.fd), -EINVAL);
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x1000, 0x10, m.fd), -EINVAL);
	assert_int_equal(mh_dma_map_raw(&h, UINT64_MAX & ~0xfffull, 0x2000, 0, m.fd), -EINVAL);
	/* past the end of the file (would SIGBUS the model) */
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x20000, 0, m.fd), -EINVAL);
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x1000, 0x10000, m.fd), -EINVAL);
	/* no fd, an fd that cannot be mapped, two fds */
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x1000, 0, -1), -EBADF);
	efd = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(mh_dma_map_raw(&h, 0x200000, 0x1000, 0, efd), -EBADF);
	{
		struct tmmr_vfu_dma_map dm = { .argsz = sizeof(dm), .addr = 0x200000,
					       .size = 0x1000 };
		int two[2] = { m.fd, efd };

		assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_MAP, &dm, sizeof(dm), two, 2, NULL, 0,
					NULL, NULL), -EINVAL);
		dm.flags = 0x80;
		assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_MAP, &dm, sizeof(dm), two, 1, NULL, 0,
					NULL, NULL), -EINVAL);
	}
	close(efd);
	assert_int_equal(mh_status_num(&h, 0, "dma_maps"), 2);
	/* unmap: only an exact range */
	assert_int_equal(mh_dma_unmap(&h, 0x100000, 0x1000), -ENOENT);
	assert_int_equal(mh_dma_unmap(&h, 0x300000, 0x1000), -ENOENT);
	{
		struct tmmr_vfu_dma_unmap u = { .argsz = sizeof(u), .flags = 1, .addr = 0x100000,
						.size = 0x10000 };

		assert_int_equal(mh_rpc(&h, TMMR_VFU_DMA_UNMAP, &u, sizeof(u), NULL, 0, NULL, 0,
					NULL, NULL), -EINVAL);
	}
	assert_int_equal(mh_dma_unmap(&h, 0x100000, 0x10000), 0);
	assert_int_equal(mh_dma_unmap(&h, 0x110000, 0x1000), 0);
	assert_int_equal(mh_status_num(&h, 0, "dma_maps"), 0);
	assert_int_equal(mh_count_fds(), before);
	mh_mem_destroy(&m);
}

static void
test_set_irqs(void **state)
{
	struct tmmr_vfu_irq_set s = { .argsz = sizeof(s), .index = TMMR_VFU_IRQ_MSIX };
	int efds[8], before, i;

	(void)state;
	before = mh_count_fds();
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	assert_int_equal(mh_status_num(&h, 0, "msix"), 4);
	assert_int_equal(mh_status_num(&h, 0, "msix_enabled"), 1);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	/* beyond the table */
	assert_int_equal(mh_set_msix(&h, 3, 2, efds), -EINVAL);
	close(efds[0]);
	close(efds[1]);
	/* fd count not matching count */
	s.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
	s.count = 2;
	efds[0] = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), efds, 1, NULL, 0,
				NULL, NULL), -EINVAL);
	/* MSI (index 1) is not offered; masking is not supported */
	s.index = TMMR_VFU_IRQ_MSI;
	s.count = 1;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), efds, 1, NULL, 0,
				NULL, NULL), -EINVAL);
	s.index = TMMR_VFU_IRQ_MSIX;
	s.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_MASK;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), efds, 1, NULL, 0,
				NULL, NULL), -EINVAL);
	/* INTx */
	s.index = TMMR_VFU_IRQ_INTX;
	s.flags = TMMR_VFU_IRQ_SET_DATA_EVENTFD | TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
	s.count = 1;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), efds, 1, NULL, 0,
				NULL, NULL), 0);
	assert_int_equal(mh_status_num(&h, 0, "intx"), 1);
	close(efds[0]);
	/* DATA_NONE count 0 disables */
	s.flags = TMMR_VFU_IRQ_SET_DATA_NONE | TMMR_VFU_IRQ_SET_ACTION_TRIGGER;
	s.count = 0;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), NULL, 0, NULL, 0,
				NULL, NULL), 0);
	assert_int_equal(mh_status_num(&h, 0, "intx"), 0);
	s.index = TMMR_VFU_IRQ_MSIX;
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_SET_IRQS, &s, sizeof(s), NULL, 0, NULL, 0,
				NULL, NULL), 0);
	assert_int_equal(mh_status_num(&h, 0, "msix"), 0);
	assert_int_equal(mh_status_num(&h, 0, "msix_enabled"), 0);
	assert_int_equal(mh_count_fds(), before);
}

/* nothing came on @fd (no reply, no close) while the model ran a while */
static bool
quiet(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	for (i = 0; i < 20; i++) {
		mh_pump(&h, 1);
		if (poll(&p, 1, 5) != 0)
			return false;
	}
	return true;
}

/*
 * One client at a time, but a second one is not reset: it waits in the listen
 * backlog and is served once the first is gone (a driver restarted at once
 * connects before the model has seen its old connection close).
 */
static void
test_second_client_waits(void **state)
{
	struct {
		struct tmmr_vfu_hdr hdr;
		struct tmmr_vfu_version v;
	} req = {
		.hdr = { .msg_id = 7, .cmd = TMMR_VFU_VERSION, .size = sizeof(req),
			 .flags = TMMR_VFU_F_TYPE_COMMAND },
		.v = { .major = 0, .minor = 1 },
	};
	struct {
		struct tmmr_vfu_version v;
		char caps[128];
	} out;
	int first = h.fd, second;

	(void)state;
	second = mh_connect_raw(&h, 0);
	assert_true(second >= 0);
	/* it asks at once; neither answered nor reset while the first is attached */
	assert_int_equal(send(second, &req, sizeof(req), MSG_NOSIGNAL), (int)sizeof(req));
	assert_true(quiet(second));
	/* the first is untouched */
	assert_true(vfemu_pf_vf_has_client(h.pf, 0));
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK);
	/* the first goes away: the second is served, on a reset device */
	close(first);
	h.fd = second;
	assert_true(mh_recv(&h, &out, sizeof(out), NULL, NULL) >= (int)sizeof(out.v));
	assert_int_equal(h.last_reply_id, 7);
	assert_true(vfemu_pf_vf_has_client(h.pf, 0));
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
	/* the same once more without the model running in between: close and connect */
	close(h.fd);
	h.fd = -1;
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_QUEUE_SIZE, 2), 256);
}

static void
test_disconnect_resets(void **state)
{
	struct mh_mem m;
	int efds[4], i, before;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x10000), 0);
	before = mh_count_fds();
	assert_int_equal(mh_dma_map(&h, &m), 0);
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	assert_int_equal(mh_status_num(&h, 0, "status"), 3);
	mh_close(&h);
	assert_false(vfemu_pf_vf_has_client(h.pf, 0));
	assert_int_equal(mh_status_num(&h, 0, "status"), 0);
	assert_int_equal(mh_status_num(&h, 0, "dma_maps"), 0);
	assert_int_equal(mh_status_num(&h, 0, "msix"), 0);
	/* our 4 eventfds are left; both ends of the connection are gone */
	assert_int_equal(mh_count_fds(), before + 4 - 2);
	for (i = 0; i < 4; i++)
		close(efds[i]);
	/* a new client starts from scratch */
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	mh_mem_destroy(&m);
}

static void
test_device_reset(void **state)
{
	uint16_t cmd = 0x0006, devctl = 0x8000;
	int efds[4], i;

	(void)state;
	assert_int_equal(mh_set_msix(&h, 0, 4, efds), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 1);
	assert_int_equal(mh_rpc(&h, TMMR_VFU_DEVICE_RESET, NULL, 0, NULL, 0, NULL, 0, NULL, NULL),
			 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	/* the interrupt fds survive a reset, as with vfio-pci */
	assert_int_equal(mh_status_num(&h, 0, "msix"), 4);

	/* FLR through the PCIe device control register */
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 4, &cmd, 2), 0);
	mh_leg_write(&h, TMMR_LEG_STATUS, 1, TMMR_STATUS_ACK | TMMR_STATUS_DRIVER);
	assert_int_equal(mh_region_write(&h, TMMR_VFU_REGION_CONFIG, 0x40 + 8, &devctl, 2), 0);
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 4, &cmd, 2), 0);
	assert_int_equal(cmd, 0);
	assert_int_equal(mh_region_read(&h, TMMR_VFU_REGION_CONFIG, 0x40 + 8, &devctl, 2), 0);
	assert_int_equal(devctl, 0);
	for (i = 0; i < 4; i++)
		close(efds[i]);
}

static void
test_no_reply_flag(void **state)
{
	struct {
		struct tmmr_vfu_hdr hdr;
		struct tmmr_vfu_region_access a;
		uint8_t v;
	} __attribute__((packed)) msg = {
		.hdr = { .msg_id = 9, .cmd = TMMR_VFU_REGION_WRITE, .size = sizeof(msg),
			 .flags = TMMR_VFU_F_TYPE_COMMAND | TMMR_VFU_F_NO_REPLY },
		.a = { .offset = 0x1012, .region = 0, .count = 1 },
		.v = TMMR_STATUS_ACK,
	};

	(void)state;
	assert_int_equal(mh_send_raw(&h, &msg, sizeof(msg), NULL, 0), 0);
	/* the next reply is for the next request */
	assert_int_equal(mh_leg_read(&h, TMMR_LEG_STATUS, 1), TMMR_STATUS_ACK);
	assert_int_equal(h.last_reply_id, h.msg_id);
}

/*
 * Random commands with random payloads (some shaped like the real structs,
 * pointing into a real DMA map), sometimes with fds: the model must answer
 * or hang up, never crash, and hold no fd once the client is gone.
 */
static void
test_fuzz(void **state)
{
	unsigned int seed = 1234, i, replies = 0, drops = 0;
	struct mh_mem m;
	int before, efd;

	(void)state;
	assert_int_equal(mh_mem_create(&m, 0x100000, 0x40000), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	mh_close(&h);
	before = mh_count_fds();
	assert_int_equal(mh_connect(&h, 0), 0);
	assert_int_equal(mh_dma_map(&h, &m), 0);
	for (i = 0; i < 3000; i++) {
		uint8_t payload[96];
		uint16_t cmd = rand_r(&seed) % 15;
		uint32_t len = rand_r(&seed) % sizeof(payload), k;
		int fds[2] = { m.fd, efd };
		unsigned int nb_fds = rand_r(&seed) % 8 == 0 ? 1 + rand_r(&seed) % 2 : 0;
		int rc;

		for (k = 0; k < len; k++)
			payload[k] = rand_r(&seed);
		/* plausible region accesses and DMA requests reach deeper */
		if (len >= 24 && rand_r(&seed) % 2) {
			struct tmmr_vfu_region_access *a = (void *)payload;

			a->offset = rand_r(&seed) % 2 ? 0x1000 + rand_r(&seed) % 0x30 :
				    rand_r(&seed) % 0x4010;
			a->region = rand_r(&seed) % 3 == 0 ? 7 : 0;
			a->count = 1 << (rand_r(&seed) % 3);
			if (cmd == TMMR_VFU_REGION_READ)
				len = sizeof(*a);
			else if (cmd == TMMR_VFU_REGION_WRITE)
				len = sizeof(*a) + a->count;
			if (a->offset == 0x1008 && a->count == 4)
				memcpy(a->data, &(uint32_t){ 0x100 + rand_r(&seed) % 0x40 }, 4);
		}
		rc = mh_rpc(&h, cmd, payload, len, fds, nb_fds, NULL, 0, NULL, NULL);
		if (rc == -1000) {
			drops++;
			assert_int_equal(mh_connect(&h, 0), 0);
			assert_int_equal(mh_dma_map(&h, &m), 0);
		} else {
			replies++;
		}
	}
	assert_true(replies > 2000);
	mh_close(&h);
	assert_int_equal(mh_count_fds(), before);
	close(efd);
	mh_mem_destroy(&m);
	printf("fuzz: %u replies, %u disconnects\n", replies, drops);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_version_must_come_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_and_region_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_io_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_misdirected_commands, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_lying_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_size_lies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_fds_are_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_map_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_irqs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_client_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_reply_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
