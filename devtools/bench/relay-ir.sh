#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Instructions per packet of tmmr_relay's forwarding loop, split by part,
# counted by callgrind in the topology of bench.sh's switch section
# (devtools/bench/switch.sh, sourced: endpoint testpmd <-> relay <-> VF). The
# relay runs under valgrind, collecting only inside relay_worker_main (its one
# lcore). The packets are the relay's own counters (telemetry
# /tmmr_relay/stats: dequeued from the guest + received from the VF) over the
# window between callgrind's zero and dump: the traffic starts after the zero
# and is stopped (the rings drained) before the dump. The polls that found
# nothing depend on how fast the endpoint is (on the machine's load): they
# are taken out at their own cost, measured in a dump of the relay
# busy-polling without traffic (--busy-poll-us 1000000 for that), so the
# "busy" figure does not depend on the load.
#
# usage: relay-ir.sh [--build DIR] [--seconds S] [--sizes "64 1518"] [--keep DIR]
#                    [--burst N]
#   --seconds  forwarding time under callgrind per size (default 20)
#   --burst    the relay's --burst (default: its own default)
#   --keep DIR keep the callgrind files, annotations, splits and logs there
# Output: one line per size, Ir per packet of each part, inclusive of what it
# calls (see the legend printed below the table).
#
# OVS-DPDK is not run under callgrind: see doc/guides/perf/index.rst (its PMD
# thread's busy cycles/pkt come from ovs-appctl dpif-netdev/pmd-stats-show in
# bench.sh's switch section).
set -euo pipefail

burst=
cg_option()
{
	case $1 in
	--burst) burst=$2; return 1 ;;
	*) return 2 ;;
	esac
}
# shellcheck source=cg-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/cg-start.sh" relayir "$@"
# shellcheck source=switch.sh
source "$top/devtools/bench/switch.sh"
[[ -x $RELAY_BIN ]] || fail "no $RELAY_BIN: build first"
# busy-polling for 1 s after the traffic stops: the idle dump's empty polls
SW_RELAY_ARGS="--busy-poll-us 1000000${burst:+ --burst $burst}"

# one_size SIZE: RESULT "pkts total deq enq rx tx offl free loop empty
# full_deq_polls full_rx_polls polls"
one_size()
{
	local size=$1 out pid p0 p1

	bench_begin "relayir-$size"
	out=$WORK/callgrind.out
	SW_SIZE=$size SW_START_WAIT=300 SW_RELAY_WRAP="valgrind --tool=callgrind \
--callgrind-out-file=$out --collect-atstart=no --toggle-collect=relay_worker_main" sw_relay_up
	pid=$(pgrep -P "$pid_relay" | head -n 1)
	[[ -n $pid ]] || fail "no valgrind process under $pid_relay"
	# the cost of an empty poll: a dump of the relay busy-polling after a
	# short run drained (the first polls also wake the paths up)
	tp_run ep 30 'packets/burst' "start tx_first $BENCH_POP" > /dev/null ||
		fail "endpoint did not start"
	sleep 2
	tp_fwd_stop ep > /dev/null
	sleep 0.3
	callgrind_control --zero "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	sleep 1
	callgrind_control --dump=idle "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	# the traffic (testpmd drops what its Rx rings hold when it starts)
	callgrind_control --zero "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	p0=$(sw_relay_pkts)
	tp_run ep 30 'packets/burst' "start tx_first $BENCH_POP" > /dev/null ||
		fail "endpoint did not start"
	sleep "$seconds"
	tp_fwd_stop ep > "$WORK/ep.stop"
	# the packets in the rings drain through the relay
	sleep 2
	p1=$(sw_relay_pkts)
	callgrind_control --dump=traffic "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	bench_end
	[[ -s $out.1 && -s $out.2 ]] || fail "no callgrind dumps"
	if [[ -n $keep ]]; then
		cp "$out.1" "$keep/callgrind.relay.$size.idle"
		cp "$out.2" "$keep/callgrind.relay.$size"
		cp "$WORK/relay.log" "$keep/relay.$size.log" 2> /dev/null || true
		callgrind_annotate "$out.2" > "$keep/annotate.relay.$size.txt" 2>&1 || true
	fi
	# relay_worker_main's cost split at the relay's own boundary (cg.py split)
	"$BENCH_DIR/cg.py" split "$out.1" tmmr_relay relay_worker_main > "$WORK/split.idle"
	"$BENCH_DIR/cg.py" split "$out.2" tmmr_relay relay_worker_main > "$WORK/split"
	[[ -n $keep ]] && cp "$WORK/split" "$keep/split.relay.$size" &&
		cp "$WORK/split.idle" "$keep/split.relay.$size.idle"
	# parts: vhost deq/enq, the PMD's rx/tx, the relay's frees, the offload
	# mapping (own code and what it calls), the rest of the loop
	RESULT="$((p1 - p0)) $(awk '
		# the idle dump: Ir per empty poll of the guest and of the VF, and of the
		# loop code itself per iteration
		FNR == NR && $2 == "rte_vhost_dequeue_burst" && $4 > 0 { ed = $3 / $4 }
		FNR == NR && $2 == "tmmr_recv_pkts" && $4 > 0 { er = $3 / $4 }
		FNR == NR && $1 == "self" { iself += $3 }
		FNR == NR && $1 == "calls" && $2 == "relay_queue_forward" { iit = $3 }
		FNR == NR { next }
		# polls that brought packets are followed by the offload mapping
		$1 == "calls" && $2 == "relay_offload_from_guest" { fd = $3; next }
		$1 == "calls" && $2 == "relay_offload_to_guest" { fr2 = $3; next }
		$1 == "calls" && $2 == "relay_queue_forward" { it = $3; next }
		$1 == "calls" { next }
		$1 == "self" && $2 ~ /^relay_offload_/ { offl += $3; next }
		$1 == "self" { loop += $3; next }
		$2 == "rte_vhost_dequeue_burst" { deq += $3; dc += $4; next }
		$2 == "rte_vhost_enqueue_burst" { enq += $3; next }
		$2 == "tmmr_recv_pkts" { rx += $3; rc += $4; next }
		$2 == "tmmr_xmit_pkts" { tx += $3; next }
		$2 ~ /^rte_pktmbuf_free/ { fr += $3; next }
		{ loop += $3 }
		END {
			# the empty polls apart, and the iterations that found nothing (at
			# least max(fd, fr2) iterations found something)
			ei = it - (fd > fr2 ? fd : fr2)
			if (ei < 0) ei = 0
			el = iit ? ei * iself / iit : 0
			if (el > loop) el = loop
			eq = (dc - fd) * ed; erx = (rc - fr2) * er
			if (eq > deq) eq = deq
			if (erx > rx) erx = rx
			deq -= eq; rx -= erx; loop -= el
			empty = eq + erx + el
			tot = deq + enq + rx + tx + fr + offl + loop + empty
			# (%.0f: the %d of mawk stops at 2^31 - 1)
			printf "%.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f", tot, deq,
				enq, rx, tx, offl, fr,
				loop, empty, fd, fr2, dc + rc
		}' "$WORK/split.idle" "$WORK/split")"
}
lines=()
for size in $sizes; do
	log "relay-ir: ${size}B under callgrind for ${seconds}s"
	one_size "$size"
	lines+=("$(awk -v s="$size" '{
		p = $1
		if (p == 0) { printf "%5s  no packets\n", s; exit }
		printf "%5s %8d %9.1f %9.1f %8.1f %8.1f %8.1f %9.1f %8.1f %8.1f %8.1f %8.1f %8.1f\n",
			s, p, $3 / p, $4 / p, $5 / p, $6 / p, $7 / p, $8 / p, $9 / p, $10 / p,
			($2 - $10) / p, $2 / p, ($11 + $12) ? p / ($11 + $12) : 0 }' <<< "$RESULT")")
done
echo "tmmr_relay under callgrind, ${seconds}s per size, switch topology; Ir per packet" \
	"(packets = guest Tx + VF Rx the relay took in), each part inclusive"
printf '%5s %8s %9s %9s %8s %8s %8s %9s %8s %8s %8s %8s %8s\n' size packets vhost_deq \
	vhost_enq eth_rx eth_tx offload free_bulk loop empty busy total pkt/poll
printf '%s\n' "${lines[@]}"
echo "vhost_deq/enq: copies, descriptors, mbuf alloc (deq); eth_rx/tx: the PMD (refill," \
	"completions, their mempool work); free_bulk: the relay's own frees; loop: the" \
	"relay's own code (counters, readiness, sleep/wake policy) and its other calls;" \
	"empty: the polls and loop iterations that found nothing, at their Ir measured" \
	"apart (a dump while idle);" \
	"busy: total without them; pkt/poll: packets per poll that found some"
