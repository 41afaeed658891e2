#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Instructions per packet of the vhost BACKEND (Debian's dpdk-testpmd with
# net_vhost, the other side of devtools/bench.sh's fwd loop) for each
# contender, counted by callgrind: the backend testpmd runs under valgrind,
# collecting only inside rte_vhost_dequeue_burst (the contender's Tx ring into
# the backend) and rte_vhost_enqueue_burst (the backend into the contender's
# Rx ring), with everything they call (descriptor walk, gpa->vva translation,
# copies, used-ring writes, notifications). Under callgrind the backend is
# the slow side by far: its polls that return packets take full bursts of 32.
# Its empty polls (the measured side preempted on a busy machine) are taken
# out of the dequeue at the cost of an empty poll, measured first in a phase
# without packets and dumped apart. So the counts do not depend on the load.
# The backend's log gives the negotiated features and the memory table it was
# handed (regions).
#
# usage: backend-ir.sh [--build DIR] [--seconds S] [--sizes "64 1518"]
#                      [--contenders "tmmr vu_default vu_inorder0"] [--cache]
#                      [--functions] [--keep DIR]
#   --seconds   forwarding time under callgrind per contender (default 20)
#   --cache     also simulate caches and branches (--cache-sim, --branch-sim;
#               about twice as slow): D1/LL misses and mispredicts per packet
#   --functions also a table of the functions' own (self) Ir per packet, the
#               library's static functions named from its static archive
#               (vhost_syms.py; needs librte_vhost.a of libdpdk-dev)
#   --keep DIR  keep the callgrind files and backend logs there
# Output: a table, one line per contender and size: Ir/pkt of the dequeue and
# the enqueue, their sum, the memory regions and features the backend saw.
set -euo pipefail

contenders="tmmr vu_default vu_inorder0"
cache=0
functions=0
cg_option()
{
	case $1 in
	--contenders) contenders=$2; return 1 ;;
	--cache) cache=1 ;;
	--functions) functions=1 ;;
	*) return 2 ;;
	esac
}
# shellcheck source=cg-start.sh
source "$(dirname "${BASH_SOURCE[0]}")/cg-start.sh" beir "$@"

# one_run CONTENDER SIZE: RESULT "deq_ir enq_ir rx tx regions features
# empty_polls ir_per_empty_poll [d1 ll mispredicts]"
one_run()
{
	local who=$1 size=$2 out wrapper stop rx tx regions feat vgopts belog pid
	local -a d e i

	bench_begin "beir-$who-$size"
	out=$WORK/callgrind.out
	wrapper=$WORK/testpmd-callgrind
	vgopts="--tool=callgrind --callgrind-out-file=$out --collect-atstart=no"
	vgopts+=" --toggle-collect=rte_vhost_dequeue_burst --toggle-collect=rte_vhost_enqueue_burst"
	((cache)) && vgopts+=" --cache-sim=yes --branch-sim=yes"
	printf '#!/bin/sh\nexec valgrind %s %q "$@"\n' "$vgopts" "$TESTPMD" > "$wrapper"
	chmod +x "$wrapper"
	E2E_TP_MEM=512 TESTPMD=$wrapper fwd_start_backend "$WORK/vh-0" "$size"
	pid=$(tp_pid_of be)
	fwd_start_measured "$who" "$size"
	tp_wait_links dut 60 0
	tp_wait_links be 60 0
	tp_run dut 30 'packets/burst' start > /dev/null || fail "measured side did not start"
	# the cost of an empty poll: forwarding without packets, dumped apart
	tp_run be 60 'packets/burst' start > /dev/null || fail "backend did not start"
	sleep 3
	callgrind_control --dump=idle "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	tp_run be 120 'Done.' stop > /dev/null || fail "backend did not stop"
	callgrind_control --zero "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	tp_run be 60 'packets/burst' "start tx_first $BENCH_POP" > /dev/null ||
		fail "backend did not start"
	sleep "$seconds"
	stop=$(tp_run be 120 'Done.' stop) || fail "backend did not stop"
	rx=$(awk '/Accumulated forward/ { f = 1 } f && $1 == "RX-packets:" { print $2; exit }' \
		<<< "$stop")
	tx=$(awk '/Accumulated forward/ { f = 1 } f && $1 == "TX-packets:" { print $2; exit }' \
		<<< "$stop")
	callgrind_control --dump=traffic "$pid" > /dev/null 2>&1 || fail "callgrind_control failed"
	tp_fwd_stop dut > /dev/null || true
	regions=$(grep -c 'guest memory region size' "${TP_LOG[be]}" || true)
	feat=$(sed -n 's/.*negotiated Virtio features: \(0x[0-9a-f]*\).*/\1/p' "${TP_LOG[be]}" |
		tail -n 1)
	belog=${TP_LOG[be]}
	tp_quit be || true
	bench_end
	[[ -s $out.1 && -s $out.2 ]] || fail "no callgrind dumps for $who"
	read -r -a i <<< "$("$BENCH_DIR/cg.py" stats "$out.1" rte_vhost_dequeue_burst)"
	{
		read -r -a d
		read -r -a e
	} < <("$BENCH_DIR/cg.py" stats "$out.2" rte_vhost_dequeue_burst rte_vhost_enqueue_burst)
	if ((functions)); then
		# own cost per packet, the empty polls' share (from the idle dump) taken out
		join -a 1 -e 0 -o 0,1.2,2.2 <("$BENCH_DIR/cg.py" self "$out.2" "$BENCH_WORK/vhost.map" |
			sort) <("$BENCH_DIR/cg.py" self "$out.1" "$BENCH_WORK/vhost.map" | sort) |
			awk -v p="${rx:-0}" -v c="${d[0]:-0}" -v ic="${i[0]:-0}" '
				BEGIN { e = c - int((p + 31) / 32); if (e < 0) e = 0 }
				p > 0 { v = ($2 - (ic ? $3 * e / ic : 0)) / p
					if (v >= 0.05) printf "%s %.1f\n", $1, v }' \
			> "$BENCH_WORK/funcs.$who.$size"
	fi
	if [[ -n $keep ]]; then
		cp "$out.1" "$keep/callgrind.$who.$size.idle"
		cp "$out.2" "$keep/callgrind.$who.$size"
		cp "$belog" "$keep/backend.$who.$size.log"
		callgrind_annotate --inclusive=yes "$out.2" > "$keep/annotate.$who.$size.txt" 2>&1 ||
			true
	fi
	# d/e: calls Ir [Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim]
	# empty polls of the traffic phase: the dequeue calls beyond the bursts that
	# brought packets (all full bursts of 32 under callgrind, see the header)
	RESULT="${d[1]:-0} ${e[1]:-0} ${rx:-0} ${tx:-0} $regions ${feat:-?}"
	RESULT+=" $(awk -v c="${d[0]:-0}" -v p="${rx:-0}" -v ic="${i[0]:-0}" -v ii="${i[1]:-0}" \
		'BEGIN { n = c - int((p + 31) / 32); if (n < 0) n = 0
			printf "%d %.1f", n, ic ? ii / ic : 0 }')"
	if ((cache)); then
		RESULT+=" $((${d[5]:-0} + ${d[6]:-0} + ${e[5]:-0} + ${e[6]:-0}))"
		RESULT+=" $((${d[8]:-0} + ${d[9]:-0} + ${e[8]:-0} + ${e[9]:-0}))"
		RESULT+=" $((${d[11]:-0} + ${d[13]:-0} + ${e[11]:-0} + ${e[13]:-0}))"
	fi
}

if ((functions)); then
	# net_vhost, a plugin, loads the system's librte_vhost
	libdir=$(pkg-config --variable=libdir libdpdk)
	lib=$(readlink -f "$libdir/librte_vhost.so")
	arc=$libdir/librte_vhost.a
	[[ -f $arc ]] || fail "--functions needs $arc (libdpdk-dev)"
	"$top/devtools/bench/vhost_syms.py" "$lib" "$arc" > "$BENCH_WORK/vhost.map" ||
		fail "vhost_syms.py failed"
fi

hdr="contender     size  packets  deq_Ir/pkt  enq_Ir/pkt  total_Ir/pkt  empty_polls  Ir/empty  regions  features"
((cache)) && hdr+="  D1miss/pkt  LLmiss/pkt  mispred/pkt"
lines=()
for size in $sizes; do
	for who in $contenders; do
		if [[ $who == tmmr && ! -f $PMD_SO ]]; then
			echo "SKIP tmmr: $PMD_SO not built" >&2
			continue
		fi
		log "backend-ir: $who ${size}B under callgrind for ${seconds}s"
		one_run "$who" "$size"
		lines+=("$(awk -v w="$who" -v s="$size" -v c="$cache" '{
			# the dequeue without its empty polls
			deq = $1 - $7 * $8; enq = $2; rx = $3; tx = $4
			if (rx == 0 || tx == 0) { printf "%-12s %5s  no packets\n", w, s; exit }
			printf "%-12s %5s %8d %11.1f %11.1f %13.1f %12d %9.1f %8s  %s", w, s, rx,
				deq / rx, enq / tx, deq / rx + enq / tx, $7, $8, $5, $6
			if (c) printf "  %10.2f  %10.2f  %11.2f", $9 / rx, $10 / rx, $11 / rx
			printf "\n" }' <<< "$RESULT")")
	done
done
echo "backend (dpdk-testpmd net_vhost) under callgrind, ${seconds}s per contender;" \
	"Ir/pkt inclusive of rte_vhost_dequeue_burst (per packet received from the" \
	"contender, its empty polls taken out at the idle cost per poll) and" \
	"rte_vhost_enqueue_burst (per packet delivered to it)"
echo "$hdr"
printf '%s\n' "${lines[@]}"
if ((functions)); then
	echo
	echo "own (self) Ir per packet by function, empty polls taken out; inlined code" \
		"(gpa->vva translation, rte_memcpy) counts in its caller"
	cols=()
	for size in $sizes; do
		for who in $contenders; do
			[[ -f $BENCH_WORK/funcs.$who.$size ]] && cols+=("$who.$size")
		done
	done
	{
		printf '%-40s' function
		printf ' %16s' "${cols[@]}"
		printf '\n'
		for c in "${cols[@]}"; do
			cat "$BENCH_WORK/funcs.$c"
		done | awk '{ if ($2 > m[$1]) m[$1] = $2 } END { for (f in m) print m[f], f }' |
			sort -rg | head -n 20 | while read -r _ f; do
				printf '%-40s' "$f"
				for c in "${cols[@]}"; do
					printf ' %16s' "$(awk -v f="$f" '$1 == f { print $2 }' \
						"$BENCH_WORK/funcs.$c")"
				done
				printf '\n'
			done
	}
fi
