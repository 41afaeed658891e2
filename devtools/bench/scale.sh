# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Scale measurements of devtools/bench.sh (section scale), sourced after
# devtools/bench/lib.sh; also used by app/test-tmmr/e2e/scale_check.sh.
#
#   measure_fwd_many N SECONDS   one testpmd drives N VFs (N <= 32: Debian's
#                                RTE_MAX_ETHPORTS) and forwards on all of them
#   measure_model_big N Q K      the model with N VFs of Q queue pairs: ready
#                                time, memory, fds; then testpmd on K of them
#
# The forwarding of N ports is the fwd section's closed loop (lib.sh) N times:
# backend testpmd (CPU 0) with N net_vhost ports, measured testpmd (CPU 1)
# with N net_virtio_tmmr ports, both io forwarding with --port-topology=loop
# on one lcore each, the backend injecting SCALE_POP bursts of 32 packets
# per port once. io forwarding touches no packet data, so the measured side's
# cost is the driver's Rx and Tx bursts and the lcore's round-robin over the
# ports; every port has its own population, so a port the driver served less
# often than the others forwards less: per-port rates show the fairness of
# the one lcore polling N ports.

SCALE_POP=${SCALE_POP:-4}
# the measured side's ports: tmmr (VFs of a model) or vu (net_virtio_user)
SCALE_WHO=${SCALE_WHO:-tmmr}
# mbufs of each testpmd: N rx rings of 256 plus the population, with room
SCALE_MBUFS=${SCALE_MBUFS:-32768}

# proc_fds PID: the number of open fds of a process
proc_fds()
{
	local n=0

	if [[ -d /proc/$1/fd ]]; then
		n=$(find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l) || n=0
	fi
	echo "$n"
}

# proc_cpu PID: the CPU time of a process so far, in clock ticks (utime + stime)
proc_cpu()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2> /dev/null || echo 0
}

# model_pid: the PID of tmmr-vfemu itself (pid_vfemu is timeout(1)'s)
model_pid()
{
	local p

	p=$(pgrep -P "$pid_vfemu" | head -n 1)
	echo "${p:-$pid_vfemu}"
}

# tp_links_up NAME: how many ports of testpmd NAME have their link up
# ("show port summary all": one line per port, its status fifth)
tp_links_up()
{
	local out

	out=$(tp_run "$1" 10 'testpmd> $' 'show port summary all') || { echo 0; return; }
	awk '$1 ~ /^[0-9]+$/ && $5 == "up" { n++ } END { print n + 0 }' <<< "$out"
}

# scale_fwd_args: testpmd's application arguments of the forwarding of N ports
scale_fwd_args()
{
	printf '%s\n' -i --total-num-mbufs="$SCALE_MBUFS" --txpkts=64 --forward-mode=io \
		--port-topology=loop --rxq=1 --txq=1 --nb-cores=1
}

# jain: "n sum min median max jain" of the numbers on stdin (one a line)
jain()
{
	sort -g | awk '{ v[NR] = $1; s += $1; q += $1 * $1 } END {
		if (NR == 0) { print "0 0 na na na na"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.4f %.6f %.6f %.6f %.4f\n", NR, s, v[1], m, v[NR], q ? s * s / (NR * q) : 0 }'
}

# measure_fwd_many N SECONDS: N VFs forwarding at once. Per-port rows "port
# window_rx mpps be_tx be_rx dut_rx dut_tx errors" go to SCALE_PORTS (window_rx:
# received in the window; the others: totals after both sides stopped; errors:
# the measured port's missed, rx errors, rx_nombuf and tx errors); RESULT is
# "links_up_s mpps_sum mpps_min mpps_med mpps_max jain load1_before load1_after
# dut_rss_kB dut_pss_kB dut_fds be_rss_kB be_pss_kB be_fds model_rss_kB
# model_pss_kB model_fds dut_cpu_pct be_cpu_pct model_cpu_pct" (CPU over the
# window in % of one CPU; RSS counts every mapping of memory shared with a
# peer in full: the backend maps the measured side's whole DPDK memory once
# per vhost port; PSS shares it out)
measure_fwd_many()
{
	local n=$1 secs=$2 i t0 tu tw0 tw1 load0 load1 up dut be m fair c0 c1 cpu
	local -a allow=() socks=() s0 s1
	local -A rx0=()

	bench_begin "fwd-many-$SCALE_WHO-$n"
	load0=$(loadavg1)
	if [[ $SCALE_WHO == tmmr ]]; then
		vfemu_start --vfs "$n"
		for ((i = 0; i < n; i++)); do
			allow+=(-a "${VF_BDFS[i]}")
			socks+=("$(vhost_sock "$i")")
		done
	else
		# DPDK's net_virtio_user ports in place of the VFs, for comparison
		for ((i = 0; i < n; i++)); do
			socks+=("$WORK/vh-$i")
			allow+=(--vdev "net_virtio_user$i,path=$WORK/vh-$i,queues=1")
		done
	fi
	local -a vdevs=()
	for ((i = 0; i < n; i++)); do
		rm -f "${socks[i]}"
		vdevs+=(--vdev "net_vhost$i,iface=${socks[i]},queues=1")
	done
	tp_start be "$E2E_CPU_BACKEND" "" --no-pci "${vdevs[@]}" -- $(scale_fwd_args)
	# from the start of the measured testpmd to every link up
	t0=$(now_ns)
	if [[ $SCALE_WHO == tmmr ]]; then
		TP_NOWAIT=1 TP_PMD=1 tp_start dut "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
			-d "$PMD_ARG" "${allow[@]}" -- $(scale_fwd_args)
	else
		TP_NOWAIT=1 tp_start dut "$E2E_CPU_PMD" "" --no-pci "${allow[@]}" -- \
			$(scale_fwd_args)
	fi
	tp_wait_prompt dut
	up=0
	until ((up == n)); do
		up=$(tp_links_up dut)
		((up == n)) && break
		(($(now_ns) - t0 < 120000000000)) || fail "$up of $n links up after 120 s"
		sleep 0.05
	done
	tu=$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
	log "$n links up in $tu s"
	tp_run dut 10 'packets/burst' start > /dev/null || fail "measured side did not start"
	tp_run be 10 'packets/burst' "start tx_first $SCALE_POP" > /dev/null ||
		fail "backend did not start"
	sleep "$BENCH_WARM"
	dut=$(tp_pid_of dut)
	be=$(tp_pid_of be)
	# (no model with virtio_user: PID 0 reads as nothing, its figures 0)
	m=0
	[[ $SCALE_WHO == tmmr ]] && m=$(model_pid)
	c0="$(proc_cpu "$dut") $(proc_cpu "$be") $(proc_cpu "$m")"
	tw0=$(now_ns)
	while read -r -a s0; do
		rx0[${s0[0]}]=${s0[1]}
	done < <(tp_all_stats dut "$n")
	sleep "$secs"
	tw1=$(now_ns)
	c1="$(proc_cpu "$dut") $(proc_cpu "$be") $(proc_cpu "$m")"
	: > "$WORK/dut.rx"
	while read -r -a s1; do
		echo "${s1[0]} $((s1[1] - ${rx0[${s1[0]}]:-0}))" >> "$WORK/dut.rx"
	done < <(tp_all_stats dut "$n")
	load1=$(loadavg1)
	local mem
	mem="$(mem_kb "$dut") $(proc_fds "$dut") $(mem_kb "$be") $(proc_fds "$be")"
	mem+=" $(mem_kb "$m") $(proc_fds "$m")"
	tp_fwd_stop be > /dev/null
	tp_fwd_stop dut > /dev/null
	# the totals after both stopped: what the backend sent to each port and got back
	tp_all_stats be "$n" > "$WORK/be.stats"
	tp_all_stats dut "$n" > "$WORK/dut.stats"
	local dir=$WORK
	bench_end
	: > "$SCALE_PORTS"
	awk -v ns=$((tw1 - tw0)) '
		FILENAME ~ /dut.rx$/ { w[$1] = $2; next }
		FILENAME ~ /be.stats$/ { btx[$1] = $6; brx[$1] = $2; next }
		{ printf "%d %d %.6f %d %d %d %d %d\n", $1, w[$1], w[$1] * 1e3 / ns, btx[$1], brx[$1],
			$2, $6, $3 + $4 + $5 + $7 }' \
		"$dir/dut.rx" "$dir/be.stats" "$dir/dut.stats" > "$SCALE_PORTS"
	fair=$(awk '{ print $3 }' "$SCALE_PORTS" | jain)
	# each process's CPU over the window, in % of one CPU
	cpu=$(awk -v a="$c0" -v b="$c1" -v ns=$((tw1 - tw0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 3; i++) printf "%.0f%s", (y[i] - x[i]) / hz * 1e11 / ns, i < 3 ? " " : ""
	}')
	RESULT="$tu ${fair#* } $load0 $load1 $mem $cpu"
}

# measure_model_big N Q K: tmmr-vfemu with N VFs of Q queue pairs each: seconds
# to "ready" (its sysfs tree and control socket made), VmRSS, fds; then a
# backend serves K VFs spread over the range and one testpmd drives them, the
# first two with Q queue pairs, the others with one (two testpmds: testpmd's
# --rxq is one for all ports). RESULT: "ready_s rss_kB pss_kB fds up_ports
# sample_bdfs rss_after_kB pss_after_kB fds_after" (sample_bdfs comma-separated;
# "after": with the K VFs attached, their clients' memory mapped); SCALE_MQ_RXQ:
# the Rx queues testpmd reports on the first of them; SCALE_NOFILE and
# SCALE_NOFILE_MAX: the model's soft and hard limits of open files
measure_model_big()
{
	local n=$1 q=$2 k=$3 t0 t1 rss fds i step v m up=0 rss2 fds2 name
	local -a idx=() socks=() vdevs=() bdfs=()

	bench_begin "model-$n-$q"
	t0=$(now_ns)
	VFEMU_READY_S=120 vfemu_start --vfs "$n" --queue-pairs "$q"
	t1=$VFEMU_READY_NS
	m=$(model_pid)
	[[ -S $VFEMU_CTL ]] || fail "no control socket $VFEMU_CTL"
	rss=$(mem_kb "$m")
	fds=$(proc_fds "$m")
	read -r SCALE_NOFILE SCALE_NOFILE_MAX < <(awk '/^Max open files/ { print $4, $5 }' \
		"/proc/$m/limits")
	((${#VF_BDFS[@]} == n)) || fail "the model made ${#VF_BDFS[@]} VFs, not $n"
	# K indexes spread over 0..N-1, first and last included
	step=$(((n - 1) / (k > 1 ? k - 1 : 1)))
	for ((i = 0; i < k; i++)); do
		v=$((i * step))
		((i == k - 1)) && v=$((n - 1))
		idx+=("$v")
	done
	# the first two with Q queue pairs, the rest with one
	for ((i = 0; i < k; i++)); do
		rm -f "$(vhost_sock "${idx[i]}")"
		if ((i < 2)); then
			vdevs+=(--vdev "net_vhost$i,iface=$(vhost_sock "${idx[i]}"),queues=$q")
		else
			vdevs+=(--vdev "net_vhost$i,iface=$(vhost_sock "${idx[i]}"),queues=1")
		fi
		bdfs+=("${VF_BDFS[idx[i]]}")
	done
	tp_start be "$E2E_CPU_BACKEND" "" --no-pci "${vdevs[@]}" -- -i \
		--total-num-mbufs="$SCALE_MBUFS" --nb-cores=1
	for name in mq sq; do
		local -a allow=()
		if [[ $name == mq ]]; then
			for ((i = 0; i < 2 && i < k; i++)); do
				allow+=(-a "${bdfs[i]}")
			done
			TP_PMD=1 tp_start "$name" "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
				-d "$PMD_ARG" "${allow[@]}" -- -i --total-num-mbufs="$SCALE_MBUFS" \
				--rxq="$q" --txq="$q" --nb-cores=1
		else
			((k > 2)) || continue
			for ((i = 2; i < k; i++)); do
				allow+=(-a "${bdfs[i]}")
			done
			TP_PMD=1 tp_start "$name" "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
				-d "$PMD_ARG" "${allow[@]}" -- -i --total-num-mbufs="$SCALE_MBUFS" \
				--nb-cores=1
		fi
		local want=${#allow[@]} got=0 deadline=$((SECONDS + 60))
		want=$((want / 2))
		until ((got == want)) || ((SECONDS > deadline)); do
			got=$(tp_links_up "$name")
			((got == want)) || sleep 0.1
		done
		log "testpmd $name: $got of $want links up"
		if [[ $name == mq ]]; then
			# (the TX line follows the RX one: waiting for the prompt could
			# match the one before the command's output)
			SCALE_MQ_RXQ=$(tp_run mq 10 'Current number of TX queues' 'show port info 0' |
				sed -n 's/.*Current number of RX queues: *\([0-9]*\).*/\1/p')
		fi
		up=$((up + got))
	done
	rss2=$(mem_kb "$m")
	fds2=$(proc_fds "$m")
	bench_end
	local IFS=,
	RESULT="$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }') $rss $fds $up ${bdfs[*]}"
	RESULT+=" $rss2 $fds2"
}

# --- the sections' tables (bench.sh section scale; results, note, BENCH_CSV) ---

# scale_fwd_section: measure_fwd_many with 1, 8 and 32 VFs (SCALE_FWD_VFS),
# once each, and the same with net_virtio_user ports (no rounds: a figure of
# one driver, the other for scale); scale_fwd.csv has a row per port,
# scale_fwd_summary.csv one per driver and port count
scale_fwd_section()
{
	local csv=$results/scale_fwd.csv sum=$results/scale_fwd_summary.csv n who last=0
	local -a f

	echo "who,vfs,port,window_rx,mpps,backend_tx,backend_rx,rx,tx,errors" > "$csv"
	echo "who,vfs,links_up_s,mpps_sum,mpps_min,mpps_median,mpps_max,jain,load1_before," \
		"load1_after,testpmd_rss_kb,testpmd_pss_kb,testpmd_fds,backend_rss_kb," \
		"backend_pss_kb,backend_fds,model_rss_kb,model_pss_kb,model_fds,testpmd_cpu_pct," \
		"backend_cpu_pct,model_cpu_pct" | tr -d ' ' > "$sum"
	BENCH_CSV=$sum
	SCALE_PORTS=$results/scale_fwd.ports
	for n in ${SCALE_FWD_VFS:-1 8 32}; do
		for who in tmmr vu; do
			SCALE_WHO=$who measure_fwd_many "$n" "$duration"
			# shellcheck disable=SC2086 # RESULT: the figures, one word each
			bench_row "$who" "$n" $RESULT
			awk -v w="$who" -v n="$n" '{ $1 = $1; print w " " n " " $0 }' "$SCALE_PORTS" |
				tr ' ' , >> "$csv"
		done
		last=$n
	done
	note ""
	note "== scale: one testpmd forwarding on N ports at once (io, each port looped" \
		"through its own vhost port, ${SCALE_POP}x32 packets per port, one lcore each side," \
		"${duration}s): tmmr VFs, and net_virtio_user ports (vu) for comparison =="
	printf '%-4s %-4s %8s %8s %-30s %7s %-14s %s\n' who VFs links_s Mpps \
		"per VF min/median/max Mpps" Jain "CPU% tp/be/mod" "load1 before/after" |
		tee -a "$results/summary.txt"
	awk -F, -v v="$void" 'NR > 1 { printf "%-4s %-4s %8s %8s %-30s %7s %-14s %s/%s%s\n", $1,
		$2, $3, $4, $5 "/" $6 "/" $7, $8, $20 "/" $21 "/" $22, $9, $10, v ? " VOID" : "" }' \
		"$sum" | tee -a "$results/summary.txt"
	read -r -a f < <(awk -F, -v n="$last" '$1 == "tmmr" && $2 == n { $1 = $1; print }' "$sum")
	note "$(awk -v n="$last" -v dr="${f[10]}" -v dp="${f[11]}" -v df="${f[12]}" \
		-v br="${f[13]}" -v bp="${f[14]}" -v bf="${f[15]}" -v mr="${f[16]}" -v mp="${f[17]}" \
		-v mf="${f[18]}" 'BEGIN {
		printf "tmmr with %d VFs: testpmd RSS %.1f MB, PSS %.1f MB, %d fds; backend RSS " \
			"%.1f MB, PSS %.1f MB, %d fds; model RSS %.1f MB, PSS %.1f MB, %d fds",
			n, dr / 1024, dp / 1024, df, br / 1024, bp / 1024, bf, mr / 1024, mp / 1024, mf }')"
	note "(RSS counts memory shared with a peer once per mapping: the backend maps" \
		"testpmd's DPDK memory once per vhost port; PSS shares it out)"
	((void)) && note "VOID: the load average was above $load_max: the rates are not a" \
		"measurement (memory, fds and links are)"
	return 0
}

# scale_model_section: the model with 1 and with 1024 VFs of 8 queue pairs, a
# sample of VFs attached; per-VF cost from the difference
scale_model_section()
{
	local csv=$results/scale_model.csv n q=8 k t r p f up s r2 p2 f2
	local -a one big

	echo "vfs,queue_pairs,ready_s,rss_kb,pss_kb,fds,attached,links_up,rss_after_kb," \
		"pss_after_kb,fds_after,load1" | tr -d ' ' > "$csv"
	BENCH_CSV=$csv
	for n in 1 ${SCALE_MODEL_VFS:-1024}; do
		k=$((n < 32 ? n : 32))
		measure_model_big "$n" "$q" "$k"
		read -r t r p f up s r2 p2 f2 <<< "$RESULT"
		bench_row "$n" "$q" "$t" "$r" "$p" "$f" "$k" "$up" "$r2" "$p2" "$f2" "$(loadavg1)"
		log "scale model $n VFs x $q queue pairs: $RESULT"
	done
	read -r -a one < <(awk -F, 'NR == 2 { print $3, $4, $6 }' "$csv")
	read -r -a big < <(awk -F, 'NR == 3 { print $1, $3, $4, $6, $7, $8 }' "$csv")
	note ""
	note "== scale: the model with ${big[0]} VFs of $q queue pairs each =="
	note "$(printf 'ready (sysfs tree and control socket) in %s s; RSS %.1f MB; %d fds' \
		"${big[1]}" "$(awk -v k="${big[2]}" 'BEGIN { print k / 1024 }')" "${big[3]}")"
	note "$(awk -v n="${big[0]}" -v t1="${one[0]}" -v r1="${one[1]}" -v f1="${one[2]}" \
		-v t="${big[1]}" -v r="${big[2]}" -v f="${big[3]}" 'BEGIN {
		printf "per VF (against the model with 1 VF): %.2f fds, %.1f kB RSS, %.2f ms to ready",
			(f - f1) / (n - 1), (r - r1) / (n - 1), (t - t1) * 1e3 / (n - 1) }')"
	note "testpmd on ${big[4]} VFs spread over the range (2 with $q queue pairs):" \
		"${big[5]} links up"
	note "(ready time under load is an upper bound; memory and fds do not depend on it)"
}
