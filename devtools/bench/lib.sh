# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Measurement helpers of devtools/bench.sh, on top of the end-to-end harness
# app/test-tmmr/e2e/lib.sh (process start/stop, testpmd over a fifo, the model).
#
# Every measurement runs in its own directory under $BENCH_WORK (bench_begin)
# and ends every process it started (bench_end), so the contenders never
# share a process, a socket or a file prefix. Results are CSV rows appended to
# $BENCH_CSV by bench_row.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../app/test-tmmr/e2e/lib.sh
source "$BENCH_DIR/../../app/test-tmmr/e2e/lib.sh"

BENCH_SEQ=0
BENCH_CSV=
BENCH_PIDS_MARK=0

# bench_begin NAME: a fresh directory for one measurement (WORK points at it, so
# lib.sh's logs, fifos, sysfs tree and sockets go there)
bench_begin()
{
	BENCH_SEQ=$((BENCH_SEQ + 1))
	WORK=$BENCH_WORK/$(printf '%03d' "$BENCH_SEQ")-$1
	rm -rf "$WORK"
	mkdir -p "$WORK"
	BENCH_PIDS_MARK=${#e2e_pids[@]}
}

# bench_end: quit the testpmds and stop every process started since bench_begin
bench_end()
{
	local name i

	# (|| true: under set -e, the status of a daemon ended by TERM must not
	# end the run)
	for name in "${!TP_FD[@]}"; do
		tp_quit "$name" || true
	done
	for ((i = ${#e2e_pids[@]} - 1; i >= BENCH_PIDS_MARK; i--)); do
		stop_pid "${e2e_pids[i]}" || true
	done
	WORK=$BENCH_WORK
}

loadavg1()
{
	cut -d' ' -f1 /proc/loadavg
}

# bench_row FIELDS...: one CSV row (the header is written by bench.sh)
bench_row()
{
	local IFS=,
	printf '%s\n' "$*" >> "$BENCH_CSV"
}

# median of the numbers on stdin (one a line); "nan" if there are none
median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# tp_pid_of NAME: the PID of testpmd itself (lib.sh keeps timeout(1)'s, whose
# child execs env, stdbuf and finally testpmd)
tp_pid_of()
{
	pgrep -P "${TP_PID[$1]}" | head -n 1
}

# mem_kb PID: "rss_kB pss_kB" of a process
mem_kb()
{
	awk '$1 == "Rss:" { r = $2 } $1 == "Pss:" { p = $2 } END { print r + 0, p + 0 }' \
		"/proc/$1/smaps_rollup" 2> /dev/null || echo "0 0"
}

# tp_xstats NAME PORT XSTAT...: the values of those xstats of a port, space
# separated, from one "show port xstats" (0 for a name the port lacks)
tp_xstats()
{
	local name=$1 port=$2 out
	shift 2

	# the table has no closing line: it is complete when the next prompt shows
	out=$(tp_run "$name" 10 'testpmd> $' "show port xstats $port") || true
	awk -v keys="$*" '
		BEGIN { n = split(keys, k, " ") }
		{ for (i = 1; i <= n; i++) if ($1 == k[i] ":") v[i] = $2 }
		END { for (i = 1; i <= n; i++) printf "%s%s", v[i] + 0, i < n ? " " : "\n" }' \
		<<< "$out"
}

# --- forwarding throughput ---

# The traffic of a throughput measurement
#
#   backend testpmd (CPU 0)                 measured testpmd (CPU 1)
#   net_vhost0 (DPDK vhost library) <====> port 0: net_virtio_tmmr on a model VF
#     io forwarding, port to itself   vhost  | or net_virtio_user (default / in_order=0)
#                                     user   io forwarding, port to itself
#
# Both testpmds run io forwarding with --port-topology=loop, so every packet a
# port receives goes back out of the same port: a closed loop. The backend
# injects the packet population once ("start tx_first N": N bursts of 32
# packets of the measured size) and afterwards only forwards. The population
# (BENCH_POP bursts, default 8 = 256 packets) is as large as one ring, so
# whichever side is slower always finds a full burst waiting and runs without
# idle polls, and the faster side never waits on an empty ring for long.
# The loop's rate is the slower side's rate. The vhost side does the copies
# (enqueue into and dequeue out of the guest's buffers); the virtio side only
# moves descriptors, so at 64 bytes the two are of the same order.
#
# Both testpmds record --record-core-cycles: the "busy" cycles, spent in polls
# that returned packets. After BENCH_WARM seconds of warm-up, "show fwd stats
# all" is sent to both sides at the start and at the end of the window (the
# two commands back to back, so both sides' windows are the same); from the
# differences come, for each side, busy cycles per packet (its own cost per
# forwarded packet, whoever limits the loop) and its busy fraction (busy
# cycles over the window's cycles, tsc_hz x seconds). The side whose busy
# fraction is near 1 while the other's is not is the one that limited the rate.
# Each side's forwarding thread's time on its CPU over the window, as a share
# of the time it was runnable (on its CPU or waiting in the run queue, from
# /proc/PID/task/TID/schedstat; a thread that sleeps by choice, as the relay's
# when idle, is not counted as waiting), says whether it had its core to
# itself: below BENCH_SAT it shared it with another process (the machine was
# busy) and the limit is "cpu", whatever the busy fractions say.
# Mpps is the measured side's received packets over the window.

BENCH_POP=${BENCH_POP:-8}
# a command run in the background over each fwd measuring window, waited for after
# it (backend-perf.sh: perf sampling the backend's CPU); empty: none
FWD_DURING=${FWD_DURING:-}

# during_start CMD: CMD (a command line; nothing if empty) in the background over a
# measuring window (FWD_DURING here, switch.sh's SW_DURING), for during_wait
during_start()
{
	DURING_CMD=$1
	DURING_PID=
	if [[ -n $1 ]]; then
		$1 &
		DURING_PID=$!
	fi
}

# during_wait: the end of during_start's command; a failure of it fails the run
during_wait()
{
	[[ -z $DURING_PID ]] || wait "$DURING_PID" || fail "failed over the window: $DURING_CMD"
}
# devargs appended to the tmmr contender's VF (",mrg_rxbuf=1": the 12-byte header
# and its num_buffers store, backend-perf.sh's way to show that cost again)
FWD_TMMR_DEVARGS=${FWD_TMMR_DEVARGS:-}
BENCH_WARM=${BENCH_WARM:-1}
# a side is saturated at this busy fraction; the other must be this much below
BENCH_SAT=${BENCH_SAT:-0.90}
BENCH_SAT_GAP=${BENCH_SAT_GAP:-0.10}

# fwd_app_args SIZE
fwd_app_args()
{
	printf '%s\n' -i --total-num-mbufs="$E2E_MBUFS" --txpkts="$1" --forward-mode=io \
		--port-topology=loop --rxq=1 --txq=1 --nb-cores=1 --record-core-cycles \
		--record-burst-stats
}

# fwd_start_backend SOCK SIZE: the net_vhost side, listening on SOCK
fwd_start_backend()
{
	tp_start be "$E2E_CPU_BACKEND" "" --no-pci --vdev "net_vhost0,iface=$1,queues=1" -- \
		$(fwd_app_args "$2")
}

# fwd_start_measured CONTENDER SIZE: the measured side (backend already up)
fwd_start_measured()
{
	local sock=$WORK/vh-0

	case $1 in
	tmmr)
		[[ -f $PMD_SO ]] || fail "no $PMD_SO: build first"
		vfemu_start --vfs 1
		tp_start dut "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" -d "$PMD_ARG" \
			-a "${VF_BDFS[0]}$FWD_TMMR_DEVARGS" -- $(fwd_app_args "$2")
		;;
	vu_default)
		tp_start dut "$E2E_CPU_PMD" "" --no-pci \
			--vdev "net_virtio_user0,path=$sock,queues=1" -- $(fwd_app_args "$2")
		;;
	vu_inorder0)
		tp_start dut "$E2E_CPU_PMD" "" --no-pci \
			--vdev "net_virtio_user0,path=$sock,queues=1,in_order=0" -- \
			$(fwd_app_args "$2")
		;;
	*)
		fail "unknown contender $1"
		;;
	esac
}

# fwd_counters TEXT: "rx_packets busy_cycles mhz" from the output of "show fwd
# stats all" ("na" for the cycles when testpmd printed none: no packet yet); the
# counts stay the strings testpmd printed (mawk prints numbers of 2^31 and more
# as 2.1e+09 and its %d stops at 2^31 - 1)
fwd_counters()
{
	awk '
		/Accumulated forward/ { acc = 1 }
		acc && $1 == "RX-packets:" { rx = $2 }
		/CPU cycles\/packet=/ {
			if (match($0, /total cycles=[0-9]+/)) cyc = substr($0, RSTART + 13, RLENGTH - 13)
			if (match($0, /at [0-9]+ MHz/)) mhz = substr($0, RSTART + 3, RLENGTH - 7)
		}
		END { print rx == "" ? 0 : rx, cyc == "" ? "na" : cyc, mhz == "" ? "na" : mhz }' \
		<<< "$1"
}

# fwd_done TEXT: true when TEXT has the accumulated statistics and a prompt after them
fwd_done()
{
	awk '/Accumulated forward/ { a = 1 } a && /testpmd> $/ { f = 1 } END { exit !f }' <<< "$1"
}

# fwd_snapshot NAME...: "show fwd stats all" to those testpmds, back to back;
# FWD_T the time (ns) between the first two sends, FWD[NAME] their counters
# (fwd_counters)
declare -A FWD=()
fwd_snapshot()
{
	local n deadline=$((SECONDS + 20))
	local -A off=()

	for n; do
		off[$n]=$(tp_offset "$n")
	done
	tp_cmd "$1" "show fwd stats all"
	FWD_T=$(now_ns)
	for n in "${@:2}"; do
		tp_cmd "$n" "show fwd stats all"
	done
	# each table is complete when the next prompt shows after it
	for n; do
		until fwd_done "$(tp_since "$n" "${off[$n]}")"; do
			((SECONDS < deadline)) || fail "no forwarding statistics from testpmd $n"
			sleep 0.05
		done
		FWD[$n]=$(fwd_counters "$(tp_since "$n" "${off[$n]}")")
	done
}

# fwd_side A B NS: "cycles_per_pkt busy_fraction" of a side between its counters
# A and B (fwd_counters) over NS nanoseconds
fwd_side()
{
	awk -v a="$1" -v b="$2" -v ns="$3" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		p = y[1] - x[1]
		if (x[2] == "na" || y[2] == "na" || y[3] == "na" || p <= 0 || ns <= 0) {
			print "na na"; exit
		}
		c = y[2] - x[2]
		printf "%.1f %.3f\n", c / p, c / (ns / 1e3 * y[3]) }'
}

# fwd_worker_tid NAME: the thread id of testpmd NAME's forwarding lcore
fwd_worker_tid()
{
	local pid t

	pid=$(tp_pid_of "$1") || return 0
	for t in /proc/"$pid"/task/*; do
		if [[ $(cat "$t/comm" 2> /dev/null) == rte-worker-* ]]; then
			echo "${t##*/}"
			return 0
		fi
	done
}

# fwd_oncpu TID: "run_ns wait_ns": nanoseconds thread TID has run so far and
# waited in the run queue ("na" if unknown)
fwd_oncpu()
{
	local v=

	[[ -n $1 ]] && v=$(cut -d' ' -f1,2 "/proc/$1/schedstat" 2> /dev/null)
	echo "${v:-na}"
}

# fwd_share A B: the share of its runnable time a thread ran between its
# fwd_oncpu A and B ("na": unknown, or it never was runnable)
fwd_share()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "na" || b == "na") { print "na"; exit }
		split(a, x, " "); split(b, y, " ")
		r = y[1] - x[1]; w = y[2] - x[2]
		if (r + w <= 0) print "na"; else printf "%.3f\n", r / (r + w) }'
}

# fwd_limit BUSY_MEASURED BUSY_BACKEND [CPU_MEASURED CPU_BACKEND [NAME_MEASURED
# NAME_BACKEND]]: which side limited the rate: the side whose busy fraction is
# at least BENCH_SAT while the other's is BENCH_SAT_GAP below it, "both",
# "neither", or "cpu" (a side did not have its CPU to itself); the sides are
# called "measured" and "backend" unless named
fwd_limit()
{
	awk -v m="$1" -v b="$2" -v cm="${3:-na}" -v cb="${4:-na}" -v s="$BENCH_SAT" \
		-v g="$BENCH_SAT_GAP" -v nm="${5:-measured}" -v nb="${6:-backend}" 'BEGIN {
		if ((cm != "na" && cm < s) || (cb != "na" && cb < s)) print "cpu"
		else if (m == "na" || b == "na") print "unknown"
		else if (b >= s && m >= s) print "both"
		else if (b >= s && b - m >= g) print nb
		else if (m >= s && m - b >= g) print nm
		else print "neither" }'
}

# Every measure_* function leaves its figures in RESULT (it must run in this
# shell, not in a command substitution, so that its processes are tracked).

# measure_fwd CONTENDER SIZE SECONDS: one measurement; RESULT is
# "mpps cycles_per_pkt be_cycles_per_pkt busy busy_be limit rx_doorbells
# tx_doorbells config_irqs load cpu cpu_be" (busy: fraction of the window's
# cycles spent in polls that returned packets; cpu: fraction of the window the
# forwarding thread was on its CPU; doorbells and interrupts per million
# packets, "na" where the PMD has no such counter)
measure_fwd()
{
	local who=$1 size=$2 secs=$3 load t0 t1 x0 x1 mpps xkeys d0 d1 b0 b1 p0 p1
	local cyc busy becyc bebusy limit tid_d tid_b c0d c0b c1d c1b cpu becpu
	local -a a0 a1

	load=$(loadavg1)
	bench_begin "fwd-$who-$size"
	fwd_start_backend "$WORK/vh-0" "$size"
	fwd_start_measured "$who" "$size"
	tp_wait_links dut 20 0
	tp_wait_links be 20 0
	tp_run dut 5 'packets/burst' start > /dev/null || fail "measured side did not start"
	tp_run be 5 'packets/burst' "start tx_first $BENCH_POP" > /dev/null ||
		fail "backend did not start"
	sleep "$BENCH_WARM"
	xkeys="rx_q0_doorbells tx_q0_doorbells config_interrupts"
	[[ $who == tmmr ]] && x0=$(tp_xstats dut 0 $xkeys)
	tid_d=$(fwd_worker_tid dut)
	tid_b=$(fwd_worker_tid be)
	c0d=$(fwd_oncpu "$tid_d")
	c0b=$(fwd_oncpu "$tid_b")
	fwd_snapshot dut be
	t0=$FWD_T d0=${FWD[dut]} b0=${FWD[be]}
	during_start "$FWD_DURING"
	sleep "$secs"
	fwd_snapshot dut be
	t1=$FWD_T d1=${FWD[dut]} b1=${FWD[be]}
	during_wait
	c1d=$(fwd_oncpu "$tid_d")
	c1b=$(fwd_oncpu "$tid_b")
	# the CPU times bracket the window
	cpu=$(fwd_share "$c0d" "$c1d")
	becpu=$(fwd_share "$c0b" "$c1b")
	[[ $who == tmmr ]] && x1=$(tp_xstats dut 0 $xkeys)
	tp_fwd_stop be > "$WORK/be.stop"
	tp_fwd_stop dut > "$WORK/dut.stop"
	p0=${d0%% *}
	p1=${d1%% *}
	mpps=$(awk -v d=$((p1 - p0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", d * 1000 / t }')
	read -r cyc busy < <(fwd_side "$d0" "$d1" $((t1 - t0)))
	read -r becyc bebusy < <(fwd_side "$b0" "$b1" $((t1 - t0)))
	limit=$(fwd_limit "$busy" "$bebusy" "$cpu" "$becpu")
	local per="na na na"
	if [[ $who == tmmr ]]; then
		read -r -a a0 <<< "$x0"
		read -r -a a1 <<< "$x1"
		per=$(awk -v p=$((p1 - p0)) -v r=$((a1[0] - a0[0])) -v t=$((a1[1] - a0[1])) \
			-v c=$((a1[2] - a0[2])) 'BEGIN {
				if (p == 0) { print "na na na"; exit }
				printf "%.1f %.1f %.1f\n", r * 1e6 / p, t * 1e6 / p, c * 1e6 / p }')
	fi
	bench_end
	RESULT="$mpps $cyc $becyc $busy $bebusy $limit $per $load $cpu $becpu"
}

# --- scale ---

# tp_start_timed NAME CPU ENV EAL-ARGS... -- APP-ARGS...: tp_start, timing the
# way to the prompt with a 10 ms poll; the seconds go to TP_UP_S
tp_start_timed()
{
	local name=$1 t0 deadline=$((SECONDS + 120))

	t0=$(now_ns)
	TP_NOWAIT=1 tp_start "$@"
	until grep -q "^testpmd> " "${TP_LOG[$name]}"; do
		if ((SECONDS > deadline)) || ! kill -0 "${TP_PID[$name]}" 2> /dev/null; then
			tail -n 30 "${TP_LOG[$name]}" >&2
			fail "testpmd $name did not reach its prompt"
		fi
		sleep 0.01
	done
	TP_UP_S=$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
}

# measure_probe NVF: testpmd driving NVF model VFs (0: no port, --no-pci), ports
# probed, configured and started as testpmd does by default, no traffic.
# RESULT: "seconds_to_prompt rss_kB pss_kB heap_MB ports" (with --no-huge all
# of EAL's memory is resident from the start: the DPDK heap in use, from
# testpmd's dump_socket_mem, shows what the ports took from it).
measure_probe()
{
	local n=$1 i pid rss pss ports heap
	local -a allow=()

	bench_begin "probe-$n"
	if ((n > 0)); then
		vfemu_start --vfs "$n"
		for ((i = 0; i < n; i++)); do
			allow+=(-a "${VF_BDFS[i]}")
		done
		tp_start_timed dut "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" -d "$PMD_ARG" \
			"${allow[@]}" -- -i --total-num-mbufs="$E2E_MBUFS" --nb-cores=1
	else
		tp_start_timed dut "$E2E_CPU_PMD" "" --no-pci -d "$PMD_ARG" -- \
			-i --total-num-mbufs="$E2E_MBUFS" --nb-cores=1
	fi
	pid=$(tp_pid_of dut)
	read -r rss pss < <(mem_kb "$pid")
	ports=$(tp_nb_ports dut)
	# "Total : size(M) total: T alloc: A(P%) free: F count alloc: N free: M"
	heap=$(tp_run dut 10 '^Total' dump_socket_mem |
		awk '/^Total/ { for (i = 1; i < NF; i++) if ($i == "alloc:") { sub(/\(.*/, "", $(i + 1));
			print $(i + 1); exit } }')
	bench_end
	RESULT="$TP_UP_S $rss $pss ${heap:-na} ${ports:-0}"
}

# measure_model NVF TREE_PARENT: tmmr-vfemu alone creating NVF VFs with its tree
# under TREE_PARENT; RESULT: "seconds_to_ready rss_kB"
measure_model()
{
	local n=$1 parent=$2 t0 t1 pid rss pss dir

	bench_begin "model-$n"
	dir=$(mktemp -d "$parent/tmmr-bench-model.XXXXXX")
	t0=$(now_ns)
	e2e_spawn vfemu "$VFEMU_BIN" --sysfs "$dir/sysfs" --backend "vhost-user:$dir/vh-" \
		--vfs "$n"
	until grep -q '^ready$' "$WORK/vfemu.log"; do
		kill -0 "$pid_vfemu" 2> /dev/null || fail "tmmr-vfemu --vfs $n exited"
		sleep 0.01
	done
	t1=$(now_ns)
	pid=$(pgrep -P "$pid_vfemu" | head -n 1)
	read -r rss pss < <(mem_kb "${pid:-$pid_vfemu}")
	bench_end
	rm -rf "$dir"
	RESULT=$(awk -v d=$((t1 - t0)) -v r="$rss" 'BEGIN { printf "%.3f %s\n", d / 1e9, r }')
}

# --- control path ---

# measure_ctl: the vfio-user requests the PMD sends, counted from an strace of
# testpmd (devtools/bench/vfu_count.py): from exec to the prompt (probe,
# configure, start of one port), and for one "port stop 0" + "port start 0".
# RESULT: two lines "init key=value..." and "restart key=value...".
measure_ctl()
{
	local trace mark wrapper

	bench_begin ctl
	trace=$WORK/strace.log
	wrapper=$WORK/testpmd-strace
	printf '#!/bin/sh\nexec strace -f -qq -xx -s 32 -e trace=sendmsg -o %q %q "$@"\n' \
		"$trace" "$TESTPMD" > "$wrapper"
	chmod +x "$wrapper"
	fwd_start_backend "$WORK/vh-0" 64
	vfemu_start --vfs 1
	TESTPMD=$wrapper tp_start dut "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
		-d "$PMD_ARG" -a "${VF_BDFS[0]}" -- $(fwd_app_args 64)
	tp_wait_links dut 20 0
	mark=$(stat -c %s "$trace")
	RESULT="init $("$BENCH_DIR/vfu_count.py" "$trace" 0)"
	tp_run dut 20 'testpmd> $' "port stop 0" > /dev/null
	sleep 0.5
	tp_run dut 20 'testpmd> $' "port start 0" > /dev/null
	tp_wait_links dut 20 0
	sleep 0.5
	RESULT+=$'\n'"restart $("$BENCH_DIR/vfu_count.py" "$trace" "$mark")"
	bench_end
}
