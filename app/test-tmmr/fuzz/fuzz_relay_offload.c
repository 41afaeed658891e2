/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the relay's offload mapping (examples/tmmr_relay/
 * relay_offload.c) between a hostile guest and a VF.
 *
 *   byte 0: bit 0 direction (0: guest to VF, 1: VF to guest), bits 1-3 what
 *           the VF offloads (TCP_CKSUM, UDP_CKSUM, TCP_TSO) or the guest acked
 *           (GUEST_CSUM, GUEST_TSO4, GUEST_TSO6), bits 4-7 packets - 1
 *   per packet, guest to VF: a virtio-net header (10 bytes), u16 length, u8
 *           first-segment length, the frame. The header becomes mbuf Tx
 *           requests the way librte_vhost's legacy (non-compliant) dequeue
 *           path does it: NEEDS_CSUM gives an L4 checksum request chosen by
 *           csum_offset, a GSO type a segmentation request with gso_size, and
 *           the lengths are those of the frame's real headers when they fit
 *           the first segment (no request at all otherwise).
 *   per packet, VF to guest: u64 Rx ol_flags, u16 tso_segsz, u16 length, u8
 *           first-segment length, the frame.
 * Whatever the relay keeps must be a sane mbuf readable end to end, what it
 * drops must be freed: the pool's in-use count is back to baseline.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_net.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "fuzz_common.h"
#include "fuzz_mbuf.h"
#include "relay.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PKTS	16
#define MAX_FRAME	9216

static struct rte_mempool *pool;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_eal_init("fuzz_relay_offload", fz_verbose());
	/* 2 KiB segments: a jumbo frame takes several */
	pool = rte_pktmbuf_pool_create("fuzz_relay", 512, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		exit(1);
	return 0;
}

/* A frame of @len bytes from the input, its first segment @first bytes long. */
static struct rte_mbuf *
make_frame(struct fz_in *in, uint16_t len, uint16_t first)
{
	uint16_t room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *head = NULL, *m;
	uint16_t seg, done = 0, k;

	if (first == 0 || first > room)
		first = room;
	while (head == NULL || done < len) {
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		seg = RTE_MIN((uint16_t)(len - done), head == NULL ? first : room);
		{
			uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, seg);

			for (k = 0; k < seg; k++)
				p[k] = fz_u8(in);
		}
		done += seg;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

/* What a vhost-user backend makes of the guest's virtio-net header. */
static void
guest_hdr_to_mbuf(struct rte_mbuf *m, const struct virtio_net_hdr *h)
{
	struct rte_net_hdr_lens lens;
	uint32_t ptype, l4;

	m->ol_flags = 0;
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && h->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return;
	memset(&lens, 0, sizeof(lens));
	ptype = rte_net_get_ptype(m, &lens, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
				  RTE_PTYPE_L4_MASK);
	l4 = ptype & RTE_PTYPE_L4_MASK;
	if (!(RTE_ETH_IS_IPV4_HDR(ptype) || RTE_ETH_IS_IPV6_HDR(ptype)) ||
	    (uint32_t)lens.l2_len + lens.l3_len + lens.l4_len > rte_pktmbuf_data_len(m))
		return;
	m->l2_len = lens.l2_len;
	m->l3_len = lens.l3_len;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (h->csum_offset == offsetof(struct rte_tcp_hdr, cksum) && l4 == RTE_PTYPE_L4_TCP)
			m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		else if (h->csum_offset == offsetof(struct rte_udp_hdr, dgram_cksum) &&
			 l4 == RTE_PTYPE_L4_UDP)
			m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		else if (h->csum_offset == 8)
			m->ol_flags |= RTE_MBUF_F_TX_SCTP_CKSUM;
	}
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (l4 == RTE_PTYPE_L4_TCP) {
			m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG;
			m->tso_segsz = h->gso_size;
			m->l4_len = lens.l4_len;
		}
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		if (l4 == RTE_PTYPE_L4_UDP) {
			m->ol_flags |= RTE_MBUF_F_TX_UDP_SEG;
			m->tso_segsz = h->gso_size;
			m->l4_len = sizeof(struct rte_udp_hdr);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .left = size };
	struct rte_mbuf *pkts[MAX_PKTS];
	struct relay_counters cnt;
	unsigned int baseline = rte_mempool_in_use_count(pool);
	uint8_t c = fz_u8(&in);
	bool to_guest = c & 1;
	uint16_t n = 1 + (c >> 4), i, kept;
	uint64_t vf_tx = 0, guest = 0;

	memset(&cnt, 0, sizeof(cnt));
	if (c & 2) {
		vf_tx |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		guest |= 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	}
	if (c & 4) {
		vf_tx |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		guest |= 1ULL << VIRTIO_NET_F_GUEST_TSO4;
	}
	if (c & 8) {
		vf_tx |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
		guest |= 1ULL << VIRTIO_NET_F_GUEST_TSO6;
	}
	for (i = 0; i < n; i++) {
		struct virtio_net_hdr h;
		uint64_t rx_flags = 0;
		uint16_t segsz = 0, len, first;

		if (to_guest) {
			rx_flags = fz_u64(&in);
			segsz = fz_u16(&in);
		} else {
			h.flags = fz_u8(&in);
			h.gso_type = fz_u8(&in);
			h.hdr_len = fz_u16(&in);
			h.gso_size = fz_u16(&in);
			h.csum_start = fz_u16(&in);
			h.csum_offset = fz_u16(&in);
		}
		len = fz_u16(&in) % MAX_FRAME;
		first = fz_u8(&in) * 8;
		pkts[i] = make_frame(&in, len, first);
		if (pkts[i] == NULL)
			break;
		if (to_guest) {
			/* what a PMD may report; not the bits that say what kind of
			 * buffer the mbuf is
			 */
			pkts[i]->ol_flags = rx_flags & ~(RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
			pkts[i]->tso_segsz = segsz;
		} else {
			guest_hdr_to_mbuf(pkts[i], &h);
		}
	}
	n = i;
	kept = to_guest ? relay_offload_to_guest(pkts, n, guest, &cnt) :
			  relay_offload_from_guest(pkts, n, vf_tx, &cnt);
	if (kept > n || kept + cnt.offload_drops != n)
		abort();
	for (i = 0; i < kept; i++) {
		struct rte_mbuf *m = pkts[i];

		/* a request the VF gets must say which IP version it is about */
		if (!to_guest && (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)) &&
		    !(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)))
			abort();
		fz_consume_mbuf(m);
	}
	(void)relay_guest_features_to_disable(vf_tx, vf_tx);
	if (rte_mempool_in_use_count(pool) != baseline) {
		fprintf(stderr, "mbuf leak: %u in use, baseline %u\n",
			rte_mempool_in_use_count(pool), baseline);
		abort();
	}
	return 0;
}
