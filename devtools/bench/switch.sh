# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The "switch" section of devtools/bench.sh: tmmr_relay (copy mode), tmmr_relay
# --mode vdpa and OVS-DPDK doing the same job, moving packets between a
# vhost-user port (a VM) and a tmmr VF.
#
#   endpoint testpmd (CPU 0)                 switch (CPU 1)            model
#   port 1 net_virtio_user ("the VM") <-vhost-user-> vhost port          |
#          io forwarding port 0 <-> 1            | forwarding            |
#   port 0 net_vhost  <---- vhost-user (the VF's data plane) ---- VF (PMD) +
#
# One testpmd holds both ends and io-forwards between them, so the packets
# injected once ("start tx_first") circulate through the switch in both
# directions: the switch is the only forwarder on its core, the endpoint does
# two cheap hops on the other. Mpps = packets the endpoint received on both
# ports per second = what the switch delivered, both directions together.
# tmmr_relay is a vhost-user server (the endpoint's virtio_user connects);
# OVS uses a dpdkvhostuserclient port (the endpoint's virtio_user listens).
# OVS always runs DPDK on hugepages: the section adds the pages it needs to
# vm.nr_hugepages and takes them back afterwards.
# vdpa: the VF (probed class=vdpa) runs the endpoint's virtio_user rings itself,
# the model's backend copies like a NIC would; the relay only relays kicks.
# Host CPU per packet, the same for all three: utime + stime of every thread of
# the switch process over the window (/proc/PID/task/*/stat, clock ticks), in
# cycles at the CPU's MHz (/proc/cpuinfo), over the packets the endpoint received.
# Busy cycles per packet, the same quantity for the relay and OVS: TSC cycles of
# the forwarding thread's loop iterations that moved packets, over the packets it
# took in on both ports. The relay's from telemetry /tmmr_relay/lcores and
# /tmmr_relay/stats; OVS's from dpif-netdev/pmd-stats-show: its "processing
# cycles" are PMD_CYCLES_ITER_BUSY, the TSC cycles of every poll-loop iteration
# that received or sent packets (lib/dpif-netdev-perf.c, pmd_perf_end_iteration),
# its "packets received" PMD_STAT_RECV, counted on every rx queue the PMD polls
# (lib/dpif-netdev.c, dp_netdev_input__). Both are read as differences of two
# reads, never cleared (pmd-stats-clear is deferred to the PMD's next
# iteration), and summed with awk's %.0f (mawk's %d stops at 2^31 - 1, 0.8 s of
# cycles: it made OVS's figure 5 to 8 times too small before).
# Which side limited the rate (limit=, as in the fwd section, lib.sh's
# fwd_limit): the switch's busy fraction (busy cycles over the TSC cycles of its
# window) against the endpoint's (testpmd --record-core-cycles), and the
# forwarding threads' time on their CPUs. vdpa has no forwarding loop in the
# switch (busy 0): the endpoint's vhost port does the copies on its own core.

# 2 MB pages: OVS (dpdk-socket-mem 512 MB, up to 768) or the relay (512 MB), with
# the endpoint (SW_EP_MEM MB) beside either
SWITCH_HUGE_PAGES=${SWITCH_HUGE_PAGES:-640}
OVS_VSWITCHD_DPDK=${OVS_VSWITCHD_DPDK:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
RELAY_BIN=$E2E_BUILD/examples/tmmr_relay/tmmr_relay
SW_SIZE=${SW_SIZE:-64}		# frame size the endpoint injects
SW_RELAY_WRAP=${SW_RELAY_WRAP:-}	# command the relay runs under (relay-ir.sh: valgrind)
SW_START_WAIT=${SW_START_WAIT:-30}	# seconds the relay may take to start
SW_RELAY_ARGS=${SW_RELAY_ARGS:-}	# more tmmr_relay options
# More devargs for the VF in the copy relay (e.g. ",mrg_rxbuf=1"). The relay and
# OVS give the VF the same features: neither asks it for scattered Rx or LRO
# (tmmr_relay's lro=0 default), so with mrg_rxbuf=auto it has no mergeable buffers.
SW_RELAY_VF_ARGS=${SW_RELAY_VF_ARGS-}
# the relay's memory: hugepages as OVS when the section reserved them (both on
# equal terms: TLB reach), else 4 kB pages; SW_RELAY_HUGE=0 forces 4 kB pages
SW_RELAY_HUGE=${SW_RELAY_HUGE:-auto}
# the endpoint's memory: hugepages as well when the section reserved them, or its
# vhost copies pay for TLB misses on 4 kB pages and it limits the faster switch
# sooner; SW_EP_HUGE=0 keeps it on 4 kB pages (E2E_TP_MEM MB)
SW_EP_HUGE=${SW_EP_HUGE:-auto}
SW_EP_MEM=${SW_EP_MEM:-256}
# a command run in the background over each measuring window, waited for after it
# (switch-perf.sh: perf sampling both CPUs); empty: none
SW_DURING=${SW_DURING:-}
SW_VDPA_QSIZE=${SW_VDPA_QSIZE:-256}	# the VF's ring size = the endpoint's queue_size (vdpa)
sw_huge_added=0

# sw_endpoint_start: net_vhost0 for the VF's data plane (the model, started
# with --server, is the vhost-user server; net_vhost connects as client), on
# hugepages (SW_EP_HUGE)
sw_endpoint_start()
{
	local mem=

	if [[ $SW_EP_HUGE != 0 ]] && ((sw_huge_added > 0)); then
		mem="--in-memory --single-file-segments --iova-mode=va -m $SW_EP_MEM"
	fi
	TP_MEM_ARGS=$mem tp_start ep "$E2E_CPU_BACKEND" "" --no-pci \
		--vdev "net_vhost0,iface=$VHOST_PREFIX""0,queues=1,client=1" -- \
		-i --total-num-mbufs="$E2E_MBUFS" --txpkts="$SW_SIZE" --forward-mode=io \
		--port-topology=paired --rxq=1 --txq=1 --nb-cores=1 --no-lsc-interrupt \
		--record-core-cycles
}

# sw_cpu_ticks: user + system clock ticks of every thread of the switch process
# ($SW_PID: the process under e2e_spawn's timeout) so far
sw_cpu_ticks()
{
	local pid t sum=0
	local -a st

	pid=$(pgrep -P "$SW_PID" | head -n 1)
	[[ -n $pid ]] || fail "the switch process under $SW_PID is gone"
	for t in /proc/"$pid"/task/*/stat; do
		read -r st < "$t" 2> /dev/null || continue
		# fields after the comm, which may hold spaces: state is field 3
		read -r -a st <<< "${st##*) }"
		sum=$((sum + st[11] + st[12]))
	done
	echo "$sum"
}

# sw_cpu_per_pkt: host CPU cycles per packet of the last window (SW_TICKS over
# SW_PKTS at the CPU's MHz)
sw_cpu_per_pkt()
{
	local mhz

	mhz=$(awk -F: '/^cpu MHz/ { print $2 + 0; exit }' /proc/cpuinfo)
	awk -v t="$SW_TICKS" -v h="$(getconf CLK_TCK)" -v p="$SW_PKTS" -v m="${mhz:-0}" \
		'BEGIN { if (p > 0 && m > 0) printf "%.1f", t / h * m * 1e6 / p; else printf "na" }'
}

# sw_relay_pkts: packets tmmr_relay took in so far (guest Tx + VF Rx of pair 0)
sw_relay_pkts()
{
	local j

	j=$(telemetry "tmmr-bench-relay-$$" /tmmr_relay/stats,0) || fail "telemetry of the relay"
	echo $(($(json_get "$j" guest_tx_pkts) + $(json_get "$j" vf_rx_pkts)))
}

# sw_cycles_relay: "busy_cycles packets busy_iterations" of the relay's lcore so far
sw_cycles_relay()
{
	local j

	j=$(telemetry "tmmr-bench-relay-$$" /tmmr_relay/lcores) || fail "telemetry of the relay"
	echo "$(json_get "$j" "l${E2E_CPU_PMD}_busy_cycles") $(sw_relay_pkts)" \
		"$(json_get "$j" "l${E2E_CPU_PMD}_busy_iterations")"
}

sw_appctl()
{
	ovs-appctl --timeout=30 --target="$OVS_RUNDIR/ovs-vswitchd.ctl" "$@"
}

# ovs_pmd_sums: "busy_cycles packets busy_iterations" summed over the threads
# of OVS's dpif-netdev/pmd-stats-show and pmd-perf-show output on stdin
ovs_pmd_sums()
{
	awk '$1 == "processing" && $2 == "cycles:" { c += $3 }
		$1 == "packets" && $2 == "received:" { p += $3 }
		$1 == "-" && $2 == "busy" && $3 == "iterations:" { i += $4 }
		END { printf "%.0f %.0f %.0f\n", c, p, i }'
}

# sw_cycles_ovs: "busy_cycles packets busy_iterations" of OVS's PMD threads so far
sw_cycles_ovs()
{
	{
		sw_appctl dpif-netdev/pmd-stats-show
		sw_appctl dpif-netdev/pmd-perf-show -nh
	} | ovs_pmd_sums
}

# sw_cycles_vdpa: no forwarding lcore in the relay (the VF moves the packets)
sw_cycles_vdpa()
{
	echo "0 0 0"
}

# sw_fwd_tid WHO: the thread id of the switch's forwarding thread (none for vdpa)
sw_fwd_tid()
{
	local pid t

	pid=$(pgrep -P "$SW_PID" | head -n 1) || return 0
	case $1 in
	relay)
		# its one lcore is the main one
		echo "$pid"
		;;
	ovs)
		for t in /proc/"$pid"/task/*; do
			if [[ $(cat "$t/comm" 2> /dev/null) == pmd* ]]; then
				echo "${t##*/}"
				return 0
			fi
		done
		;;
	esac
}

# sw_traffic SECONDS WHO: inject, warm up, measure; RESULT "mpps load cycles/pkt
# pkts/busy-iteration cpu-cycles/pkt ep-cycles/pkt busy ep-busy limit cpu ep-cpu":
# mpps: what the endpoint received on both ports; cycles/pkt: the switch's busy
# cycles per packet it took in (vdpa: na); pkts/busy-iteration: how full its
# polls were; cpu-cycles/pkt: the switch process's CPU time per packet the
# endpoint received (sw_cpu_ticks, all contenders); ep-cycles/pkt: the
# endpoint's busy cycles per packet it received; busy, ep-busy: the switch's and
# the endpoint's busy fractions; limit: which side limited the rate (fwd_limit);
# cpu, ep-cpu: the share of their runnable time their forwarding threads ran
# (fwd_share; na for vdpa, which has no forwarding thread)
sw_traffic()
{
	local secs=$1 who=$2 load mpps c0 p0 i0 c1 p1 i1 n0 n1 k0 k1 t0 t1 e0 e1 tid etid
	local s0 s1 q0 q1 cyc pi epcyc busy epbusy cpu epcpu

	load=$(loadavg1)
	tp_run ep 5 'packets/burst' "start tx_first $BENCH_POP" > /dev/null ||
		fail "endpoint did not start"
	sleep "$BENCH_WARM"
	tid=$(sw_fwd_tid "$who")
	etid=$(fwd_worker_tid ep)
	# the switch's counters bracket the endpoint's window (the counters' time: the
	# middle of their read); the CPU times are read inside the counters' reads, right
	# at the window: a telemetry client (python) the scheduler puts on the switch's CPU
	# took up to 13 % of the relay's time in its reads, none in the window
	n0=$(now_ns)
	read -r c0 p0 i0 <<< "$("sw_cycles_$who")"
	n0=$(((n0 + $(now_ns)) / 2))
	s0=$(fwd_oncpu "$tid")
	q0=$(fwd_oncpu "$etid")
	k0=$(sw_cpu_ticks)
	fwd_snapshot ep
	t0=$FWD_T e0=${FWD[ep]}
	during_start "$SW_DURING"
	sleep "$secs"
	fwd_snapshot ep
	t1=$FWD_T e1=${FWD[ep]}
	during_wait
	k1=$(sw_cpu_ticks)
	s1=$(fwd_oncpu "$tid")
	q1=$(fwd_oncpu "$etid")
	n1=$(now_ns)
	read -r c1 p1 i1 <<< "$("sw_cycles_$who")"
	n1=$(((n1 + $(now_ns)) / 2))
	tp_fwd_stop ep > "$WORK/ep.stop"
	SW_PKTS=$(awk -v a="${e0%% *}" -v b="${e1%% *}" 'BEGIN { printf "%.0f", b - a }')
	SW_TICKS=$((k1 - k0))
	mpps=$(awk -v d="$SW_PKTS" -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", d * 1000 / t }')
	read -r epcyc epbusy < <(fwd_side "$e0" "$e1" $((t1 - t0)))
	# the switch's busy fraction over its own window, at the TSC rate testpmd
	# reported (the same TSC)
	read -r cyc pi busy < <(awk -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v i=$((i1 - i0)) \
		-v ns=$((n1 - n0)) -v m="${e1##* }" -v w="$who" 'BEGIN {
			printf "%s %s ", (p > 0 ? sprintf("%.1f", c / p) : "na"),
				(i > 0 ? sprintf("%.1f", p / i) : "na")
			if (w == "vdpa") print 0
			else if (m == "na" || ns <= 0) print "na"
			else printf "%.3f\n", c / (ns / 1e3 * m) }')
	cpu=$(fwd_share "$s0" "$s1")
	epcpu=$(fwd_share "$q0" "$q1")
	RESULT="$mpps $load $cyc $pi $(sw_cpu_per_pkt) $epcyc $busy $epbusy"
	RESULT+=" $(fwd_limit "$busy" "$epbusy" "$cpu" "$epcpu" switch endpoint) $cpu $epcpu"
}

# sw_relay_up: the model, the endpoint and tmmr_relay (under $SW_RELAY_WRAP),
# the endpoint's virtio_user attached, links up
sw_relay_up()
{
	local mem="--no-huge -m 1024"

	if [[ $SW_RELAY_HUGE != 0 ]] && ((sw_huge_added > 0)); then
		mem="--in-memory --single-file-segments --iova-mode=va -m 512"
	fi
	vfemu_start --vfs 1 --server
	sw_endpoint_start
	# shellcheck disable=SC2086 # the wrapper is a command line
	e2e_spawn relay env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" $SW_RELAY_WRAP "$RELAY_BIN" \
		-l "$E2E_CPU_PMD" $mem --file-prefix "tmmr-bench-relay-$$" \
		-d "$PMD_ARG" -a "${VF_BDFS[0]}$SW_RELAY_VF_ARGS" -- \
		--vf "${VF_BDFS[0]},socket=$WORK/guest.sock" \
		--stats-interval 0 $SW_RELAY_ARGS
	SW_PID=$pid_relay
	wait_until "$SW_START_WAIT" grep -Eq 'vhost-user (server listening|client connecting)' \
		"$WORK/relay.log" || { tail -n 20 "$WORK/relay.log" >&2; fail "tmmr_relay did not start"; }
	tp_run ep "$SW_START_WAIT" 'is attached' \
		"port attach net_virtio_user1,path=$WORK/guest.sock,queues=1" \
		> /dev/null || fail "endpoint: attach virtio_user1"
	tp_run ep "$SW_START_WAIT" 'testpmd> $' "port start 1" > /dev/null
	tp_wait_links ep "$SW_START_WAIT" 0 1
}

measure_relay()
{
	local secs=$1

	bench_begin switch-relay
	sw_relay_up
	sw_traffic "$secs" relay
	bench_end
}

# measure_vdpa SECONDS: tmmr_relay --mode vdpa, the VF probed as a vDPA device;
# its DMA memory (IOVA = VA) at 4 TiB, away from the endpoint's addresses (the
# "guest-physical" ones the VF reaches); the endpoint's rings as large as the VF's
measure_vdpa()
{
	local secs=$1

	bench_begin switch-vdpa
	vfemu_start --vfs 1 --server --queue-size "$SW_VDPA_QSIZE"
	sw_endpoint_start
	e2e_spawn relay env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "$RELAY_BIN" -l "$E2E_CPU_PMD" \
		--no-huge -m 256 --file-prefix "tmmr-bench-relay-$$" --base-virtaddr 0x40000000000 \
		-d "$PMD_ARG" -a "${VF_BDFS[0]},class=vdpa,modern=1" -- --mode vdpa \
		--vf "${VF_BDFS[0]},socket=$WORK/guest.sock" --stats-interval 0
	SW_PID=$pid_relay
	wait_until "$SW_START_WAIT" grep -q 'vDPA, vhost-user server listening' "$WORK/relay.log" ||
		{ tail -n 20 "$WORK/relay.log" >&2; fail "tmmr_relay --mode vdpa did not start"; }
	tp_run ep "$SW_START_WAIT" 'is attached' \
		"port attach net_virtio_user1,path=$WORK/guest.sock,queues=1,queue_size=$SW_VDPA_QSIZE" \
		> /dev/null || fail "endpoint: attach virtio_user1"
	tp_run ep "$SW_START_WAIT" 'testpmd> $' "port start 1" > /dev/null
	wait_until "$SW_START_WAIT" grep -q 'runs on the VF' "$WORK/relay.log" ||
		{ tail -n 20 "$WORK/relay.log" >&2; fail "the endpoint does not run on the VF"; }
	tp_wait_links ep "$SW_START_WAIT" 0 1
	sw_traffic "$secs" vdpa
	bench_end
}

# --- a private OVS ---

sw_hugepages_reserve()
{
	local before after

	before=$(cat /proc/sys/vm/nr_hugepages)
	echo $((before + SWITCH_HUGE_PAGES)) > /proc/sys/vm/nr_hugepages 2> /dev/null || return 1
	after=$(cat /proc/sys/vm/nr_hugepages)
	sw_huge_added=$((after - before))
	((sw_huge_added >= SWITCH_HUGE_PAGES))
}

sw_hugepages_restore()
{
	local cur

	((sw_huge_added > 0)) || return 0
	cur=$(cat /proc/sys/vm/nr_hugepages)
	echo $((cur - sw_huge_added > 0 ? cur - sw_huge_added : 0)) > /proc/sys/vm/nr_hugepages
	log "hugepages: $cur -> $(cat /proc/sys/vm/nr_hugepages)"
	sw_huge_added=0
}

sw_vsctl()
{
	ovs-vsctl --timeout=30 --db="unix:$OVS_RUNDIR/db.sock" "$@"
}

measure_ovs()
{
	local secs=$1 eal ready

	bench_begin switch-ovs
	export OVS_RUNDIR=$WORK/ovs OVS_DBDIR=$WORK/ovs OVS_LOGDIR=$WORK/ovs
	export OVS_SYSCONFDIR=$WORK/ovs
	mkdir -p "$OVS_RUNDIR"
	vfemu_start --vfs 1 --server
	sw_endpoint_start
	ovsdb-tool create "$OVS_DBDIR/conf.db" "$OVS_SCHEMA" > /dev/null || fail "ovsdb-tool create"
	e2e_spawn ovsdb ovsdb-server "$OVS_DBDIR/conf.db" --remote="punix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovsdb-server.pid" --unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log"
	wait_until 10 test -S "$OVS_RUNDIR/db.sock" || fail "ovsdb-server did not come up"
	sw_vsctl --no-wait init
	# --iova-mode=va: with IOVA as PA on hugepages the memory needs more DMA
	# maps than a vhost-user memory table holds (the PMD logs this hint);
	# OVS adds --in-memory itself
	eal="--single-file-segments --iova-mode=va --file-prefix tmmr-bench-ovs-$$ -d $PMD_ARG"
	eal+=" -a ${VF_BDFS[0]}"
	sw_vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		"other_config:dpdk-lcore-mask=$((1 << E2E_CPU_BACKEND))" \
		"other_config:pmd-cpu-mask=$((1 << E2E_CPU_PMD))" \
		other_config:dpdk-socket-mem=512 other_config:dpdk-socket-limit=768 \
		other_config:per-port-memory=true "other_config:dpdk-extra=$eal"
	e2e_spawn vswitchd env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "$OVS_VSWITCHD_DPDK" \
		"unix:$OVS_RUNDIR/db.sock" --pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" --log-file="$OVS_LOGDIR/ovs-vswitchd.log"
	SW_PID=$pid_vswitchd
	ready()
	{
		[[ $(sw_vsctl get Open_vSwitch . dpdk_initialized 2> /dev/null) == true ]]
	}
	wait_until 60 ready || { tail -n 20 "$OVS_LOGDIR/ovs-vswitchd.log" >&2; fail "OVS DPDK init"; }
	sw_vsctl add-br br0 -- set bridge br0 datapath_type=netdev
	sw_vsctl add-port br0 vhu -- set interface vhu type=dpdkvhostuserclient \
		"options:vhost-server-path=$WORK/guest.sock"
	tp_run ep 60 'is attached' \
		"port attach net_virtio_user1,path=$WORK/guest.sock,server=1,queues=1" > /dev/null ||
		fail "endpoint: attach virtio_user1 (server)"
	tp_run ep 20 'testpmd> $' "port start 1" > /dev/null
	# the VF's descriptor limits are exactly the ring size: ask for that
	sw_vsctl add-port br0 vf0 -- set interface vf0 type=dpdk \
		"options:dpdk-devargs=${VF_BDFS[0]}"
	ready=$(sw_vsctl get interface vf0 error)
	[[ $ready == '[]' ]] || fail "OVS vf0: $ready"
	# plain port-to-port flows: the same job as the relay, no MAC learning
	ovs-ofctl --timeout=30 del-flows br0
	ovs-ofctl --timeout=30 add-flow br0 in_port=vf0,actions=output:vhu
	ovs-ofctl --timeout=30 add-flow br0 in_port=vhu,actions=output:vf0
	tp_wait_links ep 20 0 1
	sw_traffic "$secs" ovs
	bench_end
	unset OVS_RUNDIR OVS_DBDIR OVS_LOGDIR OVS_SYSCONFDIR
}

# sw_ratios CSV A B NAME COLUMN: per size "ratio A/B NAME=X mpps=Y (SIZEB)", the
# medians of the per-round ratios of COLUMN and of Mpps (bench.sh's ratio_lines)
sw_ratios()
{
	local size

	for size in ${sizes//,/ }; do
		ratio_lines "$1" "$2/$3" "$4" "$2" "$3" "$5" "$size" " (${size}B)"
	done
}

switch_section()
{
	local csv=$results/switch.csv r who size contenders=() reason=
	local mp load cy pi cpu ecy bu ebu lim fc efc

	if ((!have_pmd)); then
		note "SKIP switch: the PMD or the model is not built"
		return
	fi
	if [[ -x $RELAY_BIN ]]; then
		contenders+=(relay vdpa)
	else
		note "SKIP tmmr_relay: $RELAY_BIN not built"
	fi
	if [[ ! -x $OVS_VSWITCHD_DPDK ]] || ! command -v ovsdb-server > /dev/null; then
		reason="OVS-DPDK not installed (openvswitch-switch-dpdk)"
	elif ! sw_hugepages_reserve; then
		reason="could not reserve $SWITCH_HUGE_PAGES hugepages"
		sw_hugepages_restore
	fi
	if [[ -n $reason ]]; then
		note "SKIP OVS-DPDK: $reason"
	else
		contenders+=(ovs)
		log "hugepages: +$sw_huge_added for OVS"
	fi
	((${#contenders[@]})) || return 0
	BENCH_CSV=$csv
	echo "round,contender,size,mpps,load1,cycles_per_pkt,pkts_per_busy_iter,cpu_cycles_per_pkt," \
		"endpoint_cycles_per_pkt,busy,endpoint_busy,limit,cpu,endpoint_cpu" | tr -d ' ' > "$csv"
	note ""
	note "== vhost-user <-> VF forwarding, switch on one core: $rounds interleaved" \
		"round(s) of ${duration}s =="
	for ((r = 1; r <= rounds; r++)); do
		note "switch round $r: load1 before $(loadavg1), order $(rotate "$r" "${contenders[@]}")"
		for size in ${sizes//,/ }; do
			for who in $(rotate "$r" "${contenders[@]}"); do
				SW_SIZE=$size "measure_$who" "$duration"
				read -r mp load cy pi cpu ecy bu ebu lim fc efc <<< "$RESULT"
				bench_row "$r" "$who" "$size" "$mp" "$load" "$cy" "$pi" "$cpu" "$ecy" \
					"$bu" "$ebu" "$lim" "$fc" "$efc"
				note "$(printf '  round %d %-6s %4sB: %7s Mpps, busy cycles/pkt %7s' \
					"$r" "$who" "$size" "$mp" "$cy")," \
					"pkts/busy-iteration $pi, host CPU cycles/pkt $cpu, endpoint $ecy" \
					"(busy $(pct "$bu")/$(pct "$ebu")), limit=$lim," \
					"cpu $(pct "$fc")/$(pct "$efc"), load1 $load"
			done
		done
	done
	sw_hugepages_restore
	note ""
	note "== vhost-user <-> VF, both directions: min/median/max over $rounds round(s);" \
		"cycles/pkt: the switch's busy cycles (TSC) per packet it took in, relay and" \
		"OVS alike; cpu/pkt: the switch process's CPU time per packet moved, in cycles;" \
		"endpoint: its busy cycles per packet it received; limit: which side limited" \
		"the rate, from the busy fractions (switch/endpoint) and the forwarding threads'" \
		"time on their CPUs =="
	printf '%-8s %5s %-23s %-23s %-23s %-23s %s\n' contender size Mpps cycles/pkt cpu/pkt \
		"endpoint cycles/pkt" "limit (busy switch/endpoint, cpu switch/endpoint)" |
		tee -a "$results/summary.txt"
	for size in ${sizes//,/ }; do
		for who in "${contenders[@]}"; do
			local f="\$2 == \"$who\" && \$3 == $size"
			printf '%-8s %5s %-23s %-23s %-23s %-23s %s\n' "$who" "$size" \
				"$(mmm "$csv" 4 "$f")" "$(mmm "$csv" 6 "$f")" "$(mmm "$csv" 8 "$f")" \
				"$(mmm "$csv" 9 "$f")" "$(limit_cell "$csv" "$f" 10 11 13 14 switch endpoint)" |
				tee -a "$results/summary.txt"
		done
	done
	note "load average during the measurements (1 min): min $(cut -d, -f5 "$csv" |
		tail -n +2 | sort -g | head -n 1), max $(cut -d, -f5 "$csv" | tail -n +2 |
		sort -g | tail -n 1)"
	if [[ " ${contenders[*]} " == *" relay "* && " ${contenders[*]} " == *" ovs "* ]]; then
		sw_ratios "$csv" relay ovs cycles 6
	fi
	if [[ " ${contenders[*]} " == *" vdpa "* ]]; then
		sw_ratios "$csv" vdpa relay cpu 8
	fi
	((void)) && note "VOID: the load average was above $load_max when the rounds began" \
		"(see above): these figures are not a measurement"
	return 0
}

# the hugepages go back even when a measurement fails
e2e_on_exit()
{
	sw_hugepages_restore
}
