#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Multi-process end to end: DPDK secondary processes on the ports of a
# net_virtio_tmmr primary, over the model's vfio-user transport.
#
#   backend testpmd (net_vhost, --no-huge)   tmmr-vfemu   primary (PMD, hugepages)
#                                                          + secondaries on its ports
#
# Scenarios (the primary is the forwarding testpmd of e2e/fwd.sh, VF0 <-> VF1,
# and the backend sends 2 bursts of 32 64-byte packets on each port):
#   procinfo  after the forwarding stopped, dpdk-proc-info --stats shows
#             exactly testpmd's own port counters, and --xstats exactly
#             testpmd's xstats, the PMD's per-queue counters among them.
#   dumpcap   dpdk-dumpcap on port 0 (pcapng) captures both directions of it:
#             exactly the 64 packets received and the 64 sent, 64 bytes each,
#             as tcpdump -r reads them back.
#   pdump     dpdk-pdump on port 1, Rx and Tx to two pcap files: 64 packets
#             of 64 bytes in each.
#   queue     the primary is our tmmr-mp-queue with 2 queue pairs on one VF,
#             moving packets on queue 0; a secondary tmmr-mp-queue sends and
#             receives on queue 1 (the backend loops each queue back onto
#             itself); exact counts per queue, on both sides.
#   queue-intr  the same with Rx queue interrupts: the secondary got the
#             eventfds of the Rx vectors from the primary and sleeps in epoll
#             until the device's interrupt for its queue wakes it.
# Secondaries need hugepages (a --no-huge primary shares no memory): the test
# reserves them (huge.sh) and gives them back. The model needs IOVA as VA and
# single-file segments with hugepages (a vhost-user memory table is small).
set -euo pipefail

scenario=procinfo
while (($#)); do
	case $1 in
	--scenario) scenario=$2; shift ;;
	--build) export E2E_BUILD=$2; shift ;;
	*) echo "usage: $0 [--scenario procinfo|dumpcap|pdump|queue|queue-intr] [--build DIR]" >&2
	   exit 2 ;;
	esac
	shift
done

here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=../e2e/lib.sh
source "$here/../e2e/lib.sh"
# shellcheck source=../e2e/huge.sh
source "$here/../e2e/huge.sh"
e2e_init "mp-$scenario"
e2e_on_exit()
{
	huge_release
}

HUGE_PAGES=192
huge_reserve "$HUGE_PAGES"
# the testpmd driving the VFs runs on hugepages, the backend as before
# TP_MEM_ARGS: memory options of the next testpmd, words in a string (lib.sh's
# own where it has the variable, else given to its tp_start here)
TP_MEM_ARGS=
if ! declare -f tp_start | grep -q 'TP_MEM_ARGS'; then
	eval "$(declare -f tp_start |
		sed 's/--no-huge -m "\$E2E_TP_MEM"/${TP_MEM_ARGS:---no-huge -m $E2E_TP_MEM}/')"
	declare -f tp_start | grep -q 'TP_MEM_ARGS' || fail "lib.sh's tp_start changed: update mp.sh"
fi
PRIMARY_MEM=(--huge-dir "$HUGE_DIR" -m 256 --single-file-segments --iova-mode=va)

BURSTS=2
BURST=32
FRAME=64
WANT=$((BURSTS * BURST))	# packets each backend port sends

# sec_env: what every secondary process on the model's VFs runs with
sec_env=(env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "LD_LIBRARY_PATH=$LD_LIBRARY_PATH")

start_fwd()
{
	tp_backend_start backend 1 0 "$WORK/vh-0" "$WORK/vh-1"
	vfemu_start --vfs 2 --queue-pairs 1
	sec_env=(env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "LD_LIBRARY_PATH=$LD_LIBRARY_PATH")
	TP_MEM_ARGS="${PRIMARY_MEM[*]}"
	tp_pmd_start fwd 1 "${VF_BDFS[0]}" "${VF_BDFS[1]}"
	TP_MEM_ARGS=
	PRIMARY_PREFIX=tmmr-e2e-fwd-$$
	tp_wait_links fwd 10 0 1
	tp_wait_links backend 10 0 1
}

fwd_rx_total()
{
	echo $(($(tp_stats_field fwd 0 rx) + $(tp_stats_field fwd 1 rx)))
}

fwd_start()
{
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
}

# with the forwarder started: the backend sends WANT packets on each port, the
# forwarder passes them on, both stop
burst_and_stop()
{
	tp_cmd fwd "clear port stats all"
	tp_cmd backend "clear port stats all"
	tp_cmd backend "set fwd rxonly"
	tp_run backend 10 'packets/burst' "start tx_first $BURSTS" > /dev/null ||
		fail "backend did not start"
	wait_until 15 eval '(($(fwd_rx_total) >= 2 * WANT))' ||
		log "forwarder received $(fwd_rx_total) of $((2 * WANT))"
	sleep 0.5
	tp_fwd_stop backend > "$WORK/backend.stop"
	tp_fwd_stop fwd > "$WORK/fwd.stop"
}

run_burst()
{
	fwd_start
	burst_and_stop
}

# secondary NAME CMD...: a DPDK secondary on the primary's VFs, bounded
secondary()
{
	local name=$1
	shift
	timeout -k 5 60 taskset -c "$E2E_CPU_PMD" "${sec_env[@]}" "$@" > "$WORK/$name.log" 2>&1
}

# stats_of FILE PORT: "rx rx_errors rx_bytes rx_nombuf tx tx_errors tx_bytes" from
# dpdk-proc-info --stats output
procinfo_stats()
{
	awk -v want="$2" '
		/NIC statistics for port/ { p = $(NF - 1) + 0; next }
		p != want || /Stats reg/ { next }
		$1 == "RX-packets:" { rx = $2; rxe = $4; rxb = $6 }
		$1 == "RX-nombuf:" { nob = $2 }
		$1 == "TX-packets:" { tx = $2; txe = $4; txb = $6 }
		END { print rx + 0, rxe + 0, rxb + 0, nob + 0, tx + 0, txe + 0, txb + 0 }
	' "$1"
}

# xstats_of FILE PORT: "name: value" lines of one port, sorted
xstats_of()
{
	awk -v want="$2" '
		/NIC extended statistics for port/ {
			p = $0; sub(/.*for port /, "", p); p = p + 0; next
		}
		/^#/ { next }
		p == want && /^[a-z0-9_]+: [0-9]+$/ { print }
	' "$1" | sort
}

procinfo()
{
	local name=$1
	shift
	secondary "$name" dpdk-proc-info --file-prefix "$PRIMARY_PREFIX" -d "$PMD_ARG" \
		-a "${VF_BDFS[0]}" -a "${VF_BDFS[1]}" -- "$@" ||
		{ tail -n 20 "$WORK/$name.log" >&2; fail "dpdk-proc-info $*"; }
	! grep -E 'Invalid port|ERR|rror:' "$WORK/$name.log" | grep -v -- '-errors\|_errors' ||
		fail "dpdk-proc-info $* logged errors"
}

scenario_procinfo()
{
	local p rx rxe rxb nob tx txe txb q

	start_fwd
	run_burst
	procinfo procinfo-stats --stats
	procinfo procinfo-xstats --xstats
	tp_all_stats fwd 2 > "$WORK/tp-stats"
	tp_run fwd 10 'NIC extended statistics for port 1' 'show port xstats all' \
		> "$WORK/tp-xstats" || fail "testpmd did not show its xstats"
	# testpmd prints port 1's header last: its counters come after it
	sleep 0.5
	tp_since fwd 0 | awk '/show port xstats all/ { keep = 1; n = 0 } keep' \
		> "$WORK/tp-xstats"
	while read -r p rx _ rxe nob tx txe rxb txb; do
		check_eq "port $p: testpmd's counters after the stop" \
			"$rx $rxe $rxb $nob $tx $txe $txb" "$WANT 0 $((WANT * FRAME)) 0 $WANT 0 $((WANT * FRAME))"
		check_eq "port $p: dpdk-proc-info --stats shows testpmd's counters" \
			"$(procinfo_stats "$WORK/procinfo-stats.log" "$p")" \
			"$rx $rxe $rxb $nob $tx $txe $txb"
		xstats_of "$WORK/procinfo-xstats.log" "$p" > "$WORK/pi-x$p"
		xstats_of "$WORK/tp-xstats" "$p" > "$WORK/tp-x$p"
		check "port $p: testpmd shows $(wc -l < "$WORK/tp-x$p") xstats" \
			test "$(wc -l < "$WORK/tp-x$p")" -gt 40
		check "port $p: dpdk-proc-info --xstats equal testpmd's" \
			diff "$WORK/tp-x$p" "$WORK/pi-x$p"
		for q in rx tx; do
			check_eq "port $p: the PMD's ${q}_q0_good_packets in proc-info" \
				"$(grep "^${q}_q0_good_packets: " "$WORK/pi-x$p")" "${q}_q0_good_packets: $WANT"
			check_eq "port $p: the PMD's ${q}_q0_size_64_packets in proc-info" \
				"$(grep "^${q}_q0_size_64_packets: " "$WORK/pi-x$p")" \
				"${q}_q0_size_64_packets: $WANT"
		done
	done < "$WORK/tp-stats"
	check_eq "testpmd showed both ports" "$(wc -l < "$WORK/tp-stats")" 2
}

# backend MAC of port N, as the frames it sends carry it
backend_mac()
{
	tp_run backend 10 'MAC address' "show port info $1" |
		sed -n 's/.*MAC address: \([0-9A-Fa-f:]*\).*/\1/p' | tr 'A-F' 'a-f' | head -n 1
}

# count_frames FILE [SRC-MAC]: frames of FRAME bytes in a capture (from SRC-MAC),
# and all frames, as tcpdump reads them: "sized all"
count_frames()
{
	local all sized

	all=$(tcpdump -r "$1" -nn -e 2> /dev/null | wc -l)
	sized=$(tcpdump -r "$1" -nn -e 2> /dev/null |
		grep -c -- "^[^ ]* ${2:-}.*, length $FRAME: " || true)
	echo "$sized $all"
}

# the mempool drivers Debian's testpmd links: a secondary must register the
# mempool handlers in the primary's order (their index is shared), and EAL
# loads them from the plugin directory in another order than linking does
primary_pool_libs()
{
	readelf -d "$TESTPMD" | sed -n 's/.*NEEDED.*\[\(librte_mempool_[^]]*\)\].*/\1/p' |
		tr '\n' ' '
}

# capture_run NAME READY-PATTERN CMD...: CMD captures while a burst is forwarded;
# SIGINT ends it
capture_run()
{
	local name=$1 ready=$2 pid
	shift 2

	fwd_start
	# unbuffered: the tools say they capture on a stdout that is a file here
	timeout -k 5 60 taskset -c "$E2E_CPU_PMD" "${sec_env[@]}" stdbuf -o0 -e0 "$@" \
		> "$WORK/$name.log" 2>&1 &
	pid=$!
	e2e_pids+=("$pid")
	wait_until 20 grep -q -- "$ready" "$WORK/$name.log" || {
		cat "$WORK/$name.log" >&2
		fail "$name did not start capturing"
	}
	sleep 1
	burst_and_stop
	sleep 0.5
	kill -INT "$pid"
	wait "$pid" || { cat "$WORK/$name.log" >&2; fail "$name failed"; }
}

# capture_start: the forwarder and the backend's MACs in M0 M1
capture_start()
{
	command -v tcpdump > /dev/null || skip "no tcpdump (Debian package tcpdump)"
	start_fwd
	M0=$(backend_mac 0)
	M1=$(backend_mac 1)
}

scenario_dumpcap()
{
	capture_start
	# dumpcap takes no EAL options: the PMD comes in with LD_PRELOAD
	sec_env+=("LD_PRELOAD=$(primary_pool_libs)$PMD_ARG")
	capture_run dumpcap "Capturing on" dpdk-dumpcap --file-prefix "$PRIMARY_PREFIX" \
		-i "${VF_BDFS[0]}" -w "$WORK/vf0.pcapng"
	check_eq "dumpcap received every packet of port 0, dropped none" \
		"$(sed -n "s/.*interface '${VF_BDFS[0]}': \([0-9]*\/[0-9]*\).*/\1/p" \
			"$WORK/dumpcap.log")" "$((2 * WANT))/0"
	check_eq "port 0 received $WANT frames of $FRAME bytes from backend port 0" \
		"$(count_frames "$WORK/vf0.pcapng" "$M0")" "$WANT $((2 * WANT))"
	check_eq "port 0 sent $WANT frames of $FRAME bytes from backend port 1" \
		"$(count_frames "$WORK/vf0.pcapng" "$M1")" "$WANT $((2 * WANT))"
}

scenario_pdump()
{
	capture_start
	sec_env+=("LD_PRELOAD=$(primary_pool_libs)")
	# pdump's pcap ports join the primary too: start forwarding before them
	capture_run pdump "capture for" dpdk-pdump --file-prefix "$PRIMARY_PREFIX" \
		-d "$PMD_ARG" -a "${VF_BDFS[0]}" -a "${VF_BDFS[1]}" -- \
		--pdump "port=1,queue=*,rx-dev=$WORK/vf1-rx.pcap,tx-dev=$WORK/vf1-tx.pcap"
	check_eq "pdump: port 1 received $WANT frames of $FRAME bytes from backend port 1" \
		"$(count_frames "$WORK/vf1-rx.pcap" "$M1")" "$WANT $WANT"
	check_eq "pdump: port 1 sent $WANT frames of $FRAME bytes from backend port 0" \
		"$(count_frames "$WORK/vf1-tx.pcap" "$M0")" "$WANT $WANT"
}

MPQ_BIN=$E2E_BUILD/app/test-tmmr/e2e-mp/tmmr-mp-queue

# xstat_of NAME: a counter the primary tmmr-mp-queue printed
xstat_of()
{
	sed -n "s/^xstat $1 //p" "$WORK/mpq_primary.log"
}

# scenario_queue [--intr]: with Rx queue interrupts, each process sleeps until
# the device's interrupt wakes it
scenario_queue()
{
	local n0=96 n1=160 eal q n vecs=0
	local -a app=("$@")

	((${#app[@]} == 0)) || vecs=2

	[[ -x $MPQ_BIN ]] || fail "no $MPQ_BIN: build first"
	tp_backend_start backend 2 0 "$WORK/vh-0"
	vfemu_start --vfs 1 --queue-pairs 2
	sec_env=(env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "LD_LIBRARY_PATH=$LD_LIBRARY_PATH")
	# one port: testpmd pairs it with itself, each queue pair onto itself
	tp_run backend 5 'packets/burst' start > /dev/null || fail "backend did not start"
	eal=(--file-prefix "tmmr-e2e-mpq-$$" -d "$PMD_ARG" -a "${VF_BDFS[0]}")
	e2e_prefixes+=("tmmr-e2e-mpq-$$")
	e2e_spawn mpq_primary "${sec_env[@]}" "$MPQ_BIN" "${PRIMARY_MEM[@]}" "${eal[@]}" \
		--lcores "1@$E2E_CPU_PMD" -- --queue 0 --count "$n0" --done "$WORK/done" "${app[@]}"
	wait_until 30 grep -q '^primary ready' "$WORK/mpq_primary.log" || {
		cat "$WORK/mpq_primary.log" >&2
		fail "the primary did not get ready"
	}
	check "the secondary moved its $n1 frames on queue 1" \
		timeout -k 5 60 "${sec_env[@]}" "$MPQ_BIN" --proc-type=secondary "${eal[@]}" \
		--lcores "2@$E2E_CPU_PMD" --log-level=pmd.net.virtio_tmmr:info -- \
		--queue 1 --count "$n1" "${app[@]}" > "$WORK/mpq_secondary.log" 2>&1 ||
		cat "$WORK/mpq_secondary.log" >&2
	# the model serves the primary alone: the doorbells came over rte_mp
	check "the secondary got all 4 doorbell ioeventfds and $vecs Rx vectors from the primary" \
		grep -q "attached in a secondary process: 4 of 4 doorbells direct, $vecs Rx" \
		"$WORK/mpq_secondary.log"
	touch "$WORK/done"
	wait "$pid_mpq_primary" || { cat "$WORK/mpq_primary.log" >&2; fail "the primary failed"; }
	check_eq "primary: queue 0 moved its frames" \
		"$(grep '^queue 0: sent' "$WORK/mpq_primary.log")" \
		"queue 0: sent $n0 received $n0 bytes $((n0 * FRAME))"
	check_eq "secondary: queue 1 moved its frames" \
		"$(grep '^queue 1: sent' "$WORK/mpq_secondary.log")" \
		"queue 1: sent $n1 received $n1 bytes $((n1 * FRAME))"
	if ((vecs)); then
		check "the primary slept until queue 0's interrupt" \
			grep -q '^queue 0: wakeups [1-9][0-9]* first-wait 1$' "$WORK/mpq_primary.log"
		check "the secondary slept until queue 1's interrupt" \
			grep -q '^queue 1: wakeups [1-9][0-9]* first-wait 1$' "$WORK/mpq_secondary.log"
	fi
	for q in 0 1; do
		n=$((q ? n1 : n0))
		check_eq "the port counted $n frames received on queue $q" \
			"$(xstat_of "rx_q${q}_good_packets")" "$n"
		check_eq "the port counted $n frames sent on queue $q" \
			"$(xstat_of "tx_q${q}_good_packets")" "$n"
		check_eq "no errors on queue $q" \
			"$(xstat_of "rx_q${q}_errors") $(xstat_of "tx_q${q}_errors")" "0 0"
	done
	check_eq "the backend looped every frame" \
		"$(tp_stats_field backend 0 rx) $(tp_stats_field backend 0 tx)" \
		"$((n0 + n1)) $((n0 + n1))"
}

case $scenario in
procinfo) scenario_procinfo ;;
dumpcap) scenario_dumpcap ;;
pdump) scenario_pdump ;;
queue) scenario_queue ;;
queue-intr) scenario_queue --intr ;;
*) fail "unknown scenario $scenario" ;;
esac
log "PASS: $scenario"
