/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_memory.h>

#include "ring_harness.h"

void
harness_eal_init(void)
{
	char prefix[64];
	char *argv[] = { "test-ring", "--no-huge", "--no-pci", "-m", "128", "--file-prefix",
			 prefix, "-l", "0", "--log-level", "pmd.net.virtio_tmmr*:debug", NULL };

	snprintf(prefix, sizeof(prefix), "ring%d", getpid());
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		exit(1);
	}
}

struct rte_mempool *
harness_pool(const char *name, unsigned int n, uint16_t data_room)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create(name, n, 0, 0, data_room, SOCKET_ID_ANY);

	assert_non_null(mp);
	return mp;
}

static void *
fdev_va(uint64_t iova, uint32_t len)
{
	void *va = rte_mem_iova2virt(iova);

	/* the device only reaches DPDK memory, as through an IOMMU */
	assert_non_null(va);
	if (len > 1)
		assert_non_null(rte_mem_iova2virt(iova + len - 1));
	return va;
}

void
fdev_attach(struct fdev *d, uint64_t ring_iova, uint16_t num, uint16_t hdr_len)
{
	memset(d, 0, sizeof(*d));
	d->ring = fdev_va(ring_iova, tmmr_vring_size(num));
	assert_int_equal((uintptr_t)d->ring % TMMR_LEG_RING_ALIGN, 0);
	assert_int_equal(ring_iova % TMMR_LEG_RING_ALIGN, 0);
	d->num = num;
	d->hdr_len = hdr_len;
	d->desc = (struct tmmr_vring_desc *)d->ring;
	d->avail = (struct tmmr_vring_avail *)(d->ring + tmmr_vring_avail_off(num));
	d->used = (struct tmmr_vring_used *)(d->ring + tmmr_vring_used_off(num));
	d->efd = eventfd(0, EFD_NONBLOCK);
	assert_true(d->efd >= 0);
	d->doorbell.mmio = NULL;
	d->doorbell.efd = d->efd;
	d->doorbell.pci = NULL;
	d->doorbell.queue = 0;
}

void
fdev_detach(struct fdev *d)
{
	close(d->efd);
	d->efd = -1;
}

uint64_t
fdev_doorbells(struct fdev *d)
{
	uint64_t v = 0;

	if (read(d->efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

uint16_t
fdev_avail_pending(const struct fdev *d)
{
	return (uint16_t)(((volatile struct tmmr_vring_avail *)d->avail)->idx - d->last_avail);
}

static void
fdev_add_seg(struct fdev_chain *c, const struct tmmr_vring_desc *desc)
{
	assert_true(c->nseg < FDEV_MAX_SEGS);
	c->seg[c->nseg].iova = desc->addr;
	c->seg[c->nseg].len = desc->len;
	c->seg[c->nseg].write = desc->flags & TMMR_VRING_DESC_F_WRITE;
	c->seg[c->nseg].va = desc->len ? fdev_va(desc->addr, desc->len) : NULL;
	c->nseg++;
}

bool
fdev_pop(struct fdev *d, struct fdev_chain *c)
{
	uint16_t idx, steps;

	if (fdev_avail_pending(d) == 0)
		return false;
	rte_smp_rmb();
	memset(c, 0, offsetof(struct fdev_chain, seg));
	c->head = d->avail->ring[d->last_avail & (d->num - 1)];
	d->last_avail++;
	assert_true(c->head < d->num);
	idx = c->head;
	for (steps = 0; steps < d->num; steps++) {
		const struct tmmr_vring_desc *desc = &d->desc[idx];

		if (desc->flags & TMMR_VRING_DESC_F_INDIRECT) {
			const struct tmmr_vring_desc *tbl = fdev_va(desc->addr, desc->len);
			uint16_t n = desc->len / sizeof(*tbl), i = 0, k;

			assert_int_equal(c->nseg, 0);
			assert_int_equal(desc->len % sizeof(*tbl), 0);
			c->indirect = true;
			for (k = 0; k < n; k++) {
				fdev_add_seg(c, &tbl[i]);
				if (!(tbl[i].flags & TMMR_VRING_DESC_F_NEXT))
					break;
				i = tbl[i].next;
				assert_true(i < n);
			}
			return true;
		}
		fdev_add_seg(c, desc);
		if (!(desc->flags & TMMR_VRING_DESC_F_NEXT))
			return true;
		idx = desc->next;
		assert_true(idx < d->num);
	}
	fail_msg("descriptor loop");
	return false;
}

void
fdev_push_used(struct fdev *d, uint32_t id, uint32_t len)
{
	volatile struct tmmr_vring_used *u = d->used;
	uint16_t idx = u->idx;

	u->ring[idx & (d->num - 1)].id = id;
	u->ring[idx & (d->num - 1)].len = len;
	rte_smp_wmb();
	u->idx = idx + 1;
}

uint32_t
fdev_chain_cap(const struct fdev_chain *c)
{
	uint32_t cap = 0;
	unsigned int i;

	for (i = 0; i < c->nseg; i++)
		if (c->seg[i].write)
			cap += c->seg[i].len;
	return cap;
}

uint32_t
fdev_chain_write(const struct fdev_chain *c, uint32_t off, const void *buf, uint32_t len)
{
	const uint8_t *src = buf;
	uint32_t done = 0, pos = 0;
	unsigned int i;

	for (i = 0; i < c->nseg && done < len; i++) {
		uint32_t seg_len = c->seg[i].len, start, n;

		assert_true(c->seg[i].write);
		if (pos + seg_len <= off) {
			pos += seg_len;
			continue;
		}
		start = off > pos ? off - pos : 0;
		n = RTE_MIN(seg_len - start, len - done);
		memcpy(c->seg[i].va + start, src + done, n);
		done += n;
		off += n;
		pos += seg_len;
	}
	return done;
}

uint32_t
fdev_chain_read(const struct fdev_chain *c, uint8_t *buf, uint32_t max)
{
	uint32_t total = 0;
	unsigned int i;

	for (i = 0; i < c->nseg; i++) {
		assert_false(c->seg[i].write);
		assert_true(total + c->seg[i].len <= max);
		memcpy(buf + total, c->seg[i].va, c->seg[i].len);
		total += c->seg[i].len;
	}
	return total;
}

int
fdev_rx(struct fdev *d, const struct tmmr_net_hdr *h, const uint8_t *pkt, uint32_t len,
	bool mrg)
{
	struct tmmr_net_hdr_mrg hdr;
	struct fdev_chain c[16];
	uint32_t need = d->hdr_len + len, have = 0, off = 0;
	unsigned int n = 0, i;

	memset(&hdr, 0, sizeof(hdr));
	if (h != NULL)
		hdr.hdr = *h;
	do {
		if (n == RTE_DIM(c) || !fdev_pop(d, &c[n]))
			return -1;
		have += fdev_chain_cap(&c[n]);
		n++;
	} while (mrg && have < need);
	if (have < need)
		return -1;
	hdr.num_buffers = n;
	/* the header and the data are one byte stream over the buffers */
	for (i = 0; i < n; i++) {
		uint32_t cap = fdev_chain_cap(&c[i]), w = 0, hl = 0;

		if (i == 0) {
			hl = fdev_chain_write(&c[0], 0, &hdr, d->hdr_len);
			assert_int_equal(hl, d->hdr_len);
		}
		if (off < len)
			w = fdev_chain_write(&c[i], hl, pkt + off, RTE_MIN(cap - hl, len - off));
		off += w;
		fdev_push_used(d, c[i].head, hl + w);
	}
	return (int)n;
}

int
fdev_tx(struct fdev *d, void *hdr, uint8_t *pkt, uint32_t max, struct fdev_chain *c)
{
	static uint8_t buf[65536 + 64];
	uint32_t total;

	if (!fdev_pop(d, c))
		return -1;
	total = fdev_chain_read(c, buf, sizeof(buf));
	assert_true(total >= d->hdr_len);
	assert_true(total - d->hdr_len <= max);
	memcpy(hdr, buf, d->hdr_len);
	memcpy(pkt, buf + d->hdr_len, total - d->hdr_len);
	fdev_push_used(d, c->head, 0);
	return (int)(total - d->hdr_len);
}

void
harness_frame(uint8_t *buf, uint32_t len, const uint8_t *dst, uint8_t seed)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
	if (len >= 14) {
		memcpy(buf, dst, 6);
		memcpy(buf + 6, src, 6);
		buf[12] = 0x08;
		buf[13] = 0x00;
	}
}

struct rte_mbuf *
harness_mbuf(struct rte_mempool *mp, const uint8_t *data, uint32_t len, unsigned int nseg)
{
	struct rte_mbuf *head = NULL, *prev = NULL;
	uint32_t off = 0, per = (len + nseg - 1) / nseg;
	unsigned int i;

	for (i = 0; i < nseg; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n = RTE_MIN(per, len - off);

		assert_non_null(m);
		assert_true(n <= rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), data + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			prev->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		prev = m;
	}
	return head;
}

uint32_t
harness_copy(const struct rte_mbuf *m, uint8_t *buf, uint32_t max)
{
	uint32_t total = 0;

	for (; m != NULL; m = m->next) {
		assert_true(total + m->data_len <= max);
		memcpy(buf + total, rte_pktmbuf_mtod(m, const void *), m->data_len);
		total += m->data_len;
	}
	return total;
}

struct tmmr_dp_cfg
harness_cfg(bool mrg, bool any_layout, bool indirect)
{
	struct tmmr_dp_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mrg_rxbuf = mrg;
	cfg.hdr_len = mrg ? sizeof(struct tmmr_net_hdr_mrg) : sizeof(struct tmmr_net_hdr);
	cfg.any_layout = any_layout;
	cfg.indirect = indirect;
	cfg.max_rx_pkt_len = RTE_ETHER_MAX_LEN;
	if (mrg)
		cfg.features |= 1u << TMMR_NET_F_MRG_RXBUF;
	if (any_layout)
		cfg.features |= 1u << TMMR_F_ANY_LAYOUT;
	if (indirect)
		cfg.features |= 1u << TMMR_RING_F_INDIRECT_DESC;
	return cfg;
}

static bool
harness_rx_mode(const char *mode)
{
	const char *v = getenv("TMMR_RING_RX");

	return v != NULL && strcmp(v, mode) == 0;
}

bool
harness_rx_stack(void)
{
	return harness_rx_mode("stack");
}

int
harness_rxq_start(struct tmmr_rxq *q)
{
	bool vec;

	if (harness_rx_stack())
		tmmr_rxq_set_static_ring(q, false);
	vec = tmmr_rxq_set_vector(q, !harness_rx_mode("scalar"));
#ifdef RTE_ARCH_X86_64
	/* the default run is the SSE one: it must not fall back silently */
	assert_int_equal(vec, !harness_rx_mode("scalar"));
#else
	assert_false(vec);
#endif
	return tmmr_rxq_start(q);
}

bool
harness_tx_list(void)
{
	const char *v = getenv("TMMR_RING_TX");

	return v != NULL && strcmp(v, "list") == 0;
}

void
harness_txq_path(struct tmmr_txq *q, const struct tmmr_dp_cfg *cfg)
{
	if (harness_tx_list())
		tmmr_txq_set_static_ring(q, false);
	/* without either feature every packet is a chain: the free list */
	assert_int_equal(tmmr_txq_static_ring(q),
			 !harness_tx_list() && (cfg->any_layout || cfg->indirect));
}
