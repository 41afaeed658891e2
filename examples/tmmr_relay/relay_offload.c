/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Offload metadata crossing the relay.
 *
 * Guest -> VF: librte_vhost (registered without NET_COMPLIANT_OL_FLAGS) turns the guest's
 * virtio-net header into Tx requests (RTE_MBUF_F_TX_{TCP,UDP}_CKSUM, RTE_MBUF_F_TX_TCP_SEG with
 * l2/l3/l4_len and tso_segsz) but leaves out the IP version flag a Tx path needs; we add it, and
 * complete in software whatever the VF was not configured to offload.
 *
 * VF -> guest: an ethdev reports Rx state (RTE_MBUF_F_RX_L4_CKSUM_NONE: checksum field holds
 * only the pseudo-header sum; RTE_MBUF_F_RX_LRO: coalesced TCP segment of tso_segsz). The
 * vhost enqueue path writes the guest's header from Tx requests, so each Rx state is restated
 * as the Tx request that produces the same header, if the guest negotiated the matching
 * feature; otherwise the checksum is completed here, and an oversized segment is dropped.
 */

#include <linux/virtio_net.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "relay.h"

#define RELAY_TX_L4_REQ (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)

/* IP version of the header at l2_len, 0 if the packet is too short or not IP. */
static unsigned int
relay_ip_version(const struct rte_mbuf *m)
{
	const uint8_t *b;

	if (m->l2_len >= rte_pktmbuf_data_len(m))
		return 0;
	b = rte_pktmbuf_mtod_offset(m, const uint8_t *, m->l2_len);
	return *b >> 4;
}

/* Replace the checksum field at l2+l3 with the full L4 checksum. Headers must be in the first
 * segment (true for what vhost and virtio PMDs build).
 */
static int
relay_sw_l4_cksum(struct rte_mbuf *m, unsigned int ipver, bool tcp)
{
	uint32_t l4_off = m->l2_len + m->l3_len;
	uint16_t sum;
	void *ip;

	if (l4_off + (tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr)) >
	    rte_pktmbuf_data_len(m))
		return -1;
	ip = rte_pktmbuf_mtod_offset(m, void *, m->l2_len);
	if (tcp) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l4_off);

		th->cksum = 0;
		sum = ipver == 4 ? rte_ipv4_udptcp_cksum_mbuf(m, ip, l4_off) :
			rte_ipv6_udptcp_cksum_mbuf(m, ip, l4_off);
		th->cksum = sum;
	} else {
		struct rte_udp_hdr *uh = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, l4_off);

		uh->dgram_cksum = 0;
		sum = ipver == 4 ? rte_ipv4_udptcp_cksum_mbuf(m, ip, l4_off) :
			rte_ipv6_udptcp_cksum_mbuf(m, ip, l4_off);
		uh->dgram_cksum = sum;
	}
	return 0;
}

/* Keep packets whose keep[i] is set, free the others; returns the new count. */
static uint16_t
relay_compact(struct rte_mbuf **pkts, uint16_t n, const bool *keep)
{
	uint16_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (keep[i])
			pkts[j++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]);
	}
	return j;
}

uint16_t
relay_offload_from_guest(struct rte_mbuf **pkts, uint16_t n, uint64_t vf_tx_offloads,
		struct relay_counters *cnt)
{
	bool keep[RELAY_BURST_MAX];
	bool any_drop = false;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t req = m->ol_flags & RELAY_TX_L4_REQ;
		uint64_t l4 = req & RTE_MBUF_F_TX_L4_MASK;
		unsigned int ipver;
		bool tcp;

		keep[i] = true;
		if (req == 0)
			continue;
		ipver = relay_ip_version(m);
		if ((ipver != 4 && ipver != 6) || (req & RTE_MBUF_F_TX_UDP_SEG) ||
		    ((req & RTE_MBUF_F_TX_TCP_SEG) &&
		     !(vf_tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO))) {
			/* cannot be sent as the guest asked: never negotiated, so hostile */
			keep[i] = false;
			any_drop = true;
			cnt->offload_drops++;
			continue;
		}
		m->ol_flags |= ipver == 4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
		if (req & RTE_MBUF_F_TX_TCP_SEG)
			continue;
		tcp = l4 == RTE_MBUF_F_TX_TCP_CKSUM;
		if ((l4 == RTE_MBUF_F_TX_TCP_CKSUM &&
		     (vf_tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) ||
		    (l4 == RTE_MBUF_F_TX_UDP_CKSUM &&
		     (vf_tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM)))
			continue;
		if ((l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM) ||
		    relay_sw_l4_cksum(m, ipver, tcp) < 0) {
			keep[i] = false;
			any_drop = true;
			cnt->offload_drops++;
			continue;
		}
		m->ol_flags &= ~(RELAY_TX_L4_REQ | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
		cnt->sw_cksums++;
	}
	return any_drop ? relay_compact(pkts, n, keep) : n;
}

uint16_t
relay_offload_to_guest(struct rte_mbuf **pkts, uint16_t n, uint64_t guest_features,
		struct relay_counters *cnt)
{
	bool keep[RELAY_BURST_MAX];
	bool any_drop = false;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t rx = m->ol_flags;
		struct rte_net_hdr_lens lens;
		uint32_t ptype, l4type;
		unsigned int ipver;
		bool lro, partial;

		keep[i] = true;
		/* only Tx request bits are read by the enqueue path: start clean */
		m->ol_flags = rx & (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
		lro = rx & RTE_MBUF_F_RX_LRO;
		partial = (rx & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE;
		if (!lro && !partial)
			continue;
		ptype = rte_net_get_ptype(m, &lens, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
			RTE_PTYPE_L4_MASK);
		l4type = ptype & RTE_PTYPE_L4_MASK;
		ipver = RTE_ETH_IS_IPV4_HDR(ptype) ? 4 : RTE_ETH_IS_IPV6_HDR(ptype) ? 6 : 0;
		m->l2_len = lens.l2_len;
		m->l3_len = lens.l3_len;
		m->l4_len = lens.l4_len;
		if (ipver == 0 || (l4type != RTE_PTYPE_L4_TCP && l4type != RTE_PTYPE_L4_UDP)) {
			if (lro) {
				keep[i] = false;
				any_drop = true;
				cnt->offload_drops++;
			}
			/* a partial checksum on something else: the VF PMD completes those */
			continue;
		}
		if (lro) {
			uint64_t need = ipver == 4 ? 1ULL << VIRTIO_NET_F_GUEST_TSO4 :
				1ULL << VIRTIO_NET_F_GUEST_TSO6;

			if (l4type != RTE_PTYPE_L4_TCP || m->tso_segsz == 0 ||
			    !(guest_features & need) ||
			    !(guest_features & (1ULL << VIRTIO_NET_F_GUEST_CSUM))) {
				keep[i] = false;
				any_drop = true;
				cnt->offload_drops++;
				continue;
			}
			m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
				(ipver == 4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
			continue;
		}
		if (guest_features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
			m->ol_flags |= (l4type == RTE_PTYPE_L4_TCP ? RTE_MBUF_F_TX_TCP_CKSUM :
				RTE_MBUF_F_TX_UDP_CKSUM) |
				(ipver == 4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
			continue;
		}
		if (relay_sw_l4_cksum(m, ipver, l4type == RTE_PTYPE_L4_TCP) == 0)
			cnt->sw_cksums++;
	}
	return any_drop ? relay_compact(pkts, n, keep) : n;
}

uint64_t
relay_guest_features_to_disable(uint64_t vf_rx_offloads, uint64_t vf_tx_offloads)
{
	/*
	 * One queue pair per guest; no UDP fragmentation offload or ECN GSO in a VF Tx path.
	 * VIRTIO_NET_F_GSO (legacy: "the device takes any GSO type") is never offered: a Linux
	 * guest with CSUM and GSO turns on TSO, TSO6 and TSO_ECN whatever HOST_TSO4/6 say, so
	 * with a VF that cannot segment, every TSO frame would be dropped here. HOST_TSO4/6 say
	 * exactly what the VF carries.
	 */
	uint64_t off = (1ULL << VIRTIO_NET_F_MQ) | (1ULL << VIRTIO_NET_F_GSO) |
		(1ULL << VIRTIO_NET_F_HOST_UFO) | (1ULL << VIRTIO_NET_F_GUEST_UFO) |
		(1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_ECN);

	if (!(vf_tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		off |= (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6);
	if (!(vf_rx_offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO))
		off |= (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6);
	return off;
}
