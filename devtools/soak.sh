#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Fault soak: traffic through every part of the project while faults are
# injected at random, for DURATION seconds. The last line on standard output is
#
#   soak: seconds=N faults=N crashes=N leaked_mbufs=N rss_growth_kb=N lost_after_recovery=N
#
# seconds: how long the fault phase lasted (the last fault's recovery
# included); faults: how many; crashes: processes
# that died without being told to (or did not quit cleanly when told);
# leaked_mbufs: mbufs in use at the end of each measured process's life minus
# its baseline (the forwarder at every restart and at the end, the backend and
# the guest stand-in at the end, the relay at the end), summed; rss_growth_kb:
# the resident set growth of the long-lived processes (tmmr-vfemu, tmmr_relay)
# from the warm-up to the end; lost_after_recovery: faults after which traffic
# did not flow again on every hop within --bound seconds.
# Exit status 0 if and only if crashes, leaked_mbufs and lost_after_recovery
# are 0 and nothing else went wrong (the log says what).
#
# Topology (app/test-tmmr/e2e/lib.sh starts the processes):
#   backend testpmd (flowgen)   tmmr-vfemu     forwarder testpmd (io, paired)
#   vhost0 <--vhost-user--> VF0 <--net_virtio_tmmr--> port 0 \
#   vhost1 <--vhost-user--> VF1 <--net_virtio_tmmr--> port 1 /
#   vhost2 <--vhost-user--> VF2 <--net_virtio_tmmr--> tmmr_relay <--vhost-user-->
#                                          guest stand-in testpmd (net_virtio_user, io)
# The backend generates 64-byte frames on its three ports (flowgen; port 2's
# are addressed to VF2's MAC, which the VF filters on) and receives what comes
# back; the forwarder sends VF0's packets out of VF1 and back; the relay passes
# VF2's packets to the guest stand-in, which sends them back the same way. The
# relay is the vhost-user client (--client) and the stand-in the server, so
# either can go away and come back, as QEMU with reconnect=1 does.
#
# Faults, one every 1-4 s, drawn with the seed:
#   backend   the backend testpmd is SIGKILLed and a new one started
#   link      the model takes a VF's link down for 0-2 s and up again
#   needs-reset  the model reports a device fault on a VF: the forwarder must
#             print the reset event and is recovered as a user would ("port
#             stop/reset/start" on its command line: testpmd does not reset a
#             port by itself); the relay recovers by itself
#   vf-reset  a VF is reset: "port stop/reset/start" in the forwarder; the
#             relay resets a VF only when the device asks, so for VF2 the
#             model's needs-reset, and the relay must recover by itself
#   guest     the guest stand-in is SIGKILLed and a new one started
#   driver    the forwarder quits (its mbufs are counted first) and a new one
#             takes the VFs
# After each fault, every hop's counter must advance (by at least 1000
# packets) within --bound seconds: the backend's Tx and Rx on its three ports,
# the forwarder's Rx and Tx on both VFs, the relay's four pair counters, the
# guest stand-in's Rx and Tx.
#
# usage: soak.sh [--seed N] [--bound S] [--build DIR] [--keep] DURATION
#   --seed N   the random sequence of faults (default: random, logged at the
#              start; the same seed gives the same sequence of faults)
#   --bound S  seconds traffic has to resume after a fault (default 30)
#   --build DIR  the build directory (default: build); with a build made with
#              -Db_sanitize=address the PMD runs with ASan (see lib.sh)
#   --keep     keep the logs (they are kept anyway when the run fails)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seed=
bound=30
build=$top/build
duration=
while (($#)); do
	case $1 in
	--seed) seed=$2; shift ;;
	--bound) bound=$2; shift ;;
	--build) build=$(realpath -m "$2"); shift ;;
	--keep) export E2E_KEEP=1 ;;
	-h|--help)
		sed -n '4,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
		exit 0 ;;
	-*) echo "soak: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) duration=$1 ;;
	esac
	shift
done
[[ $duration =~ ^[0-9]+$ ]] || { echo "soak: DURATION: seconds (see --help)" >&2; exit 2; }
[[ $bound =~ ^[0-9]+$ ]] && ((bound > 0)) || { echo "soak: --bound: seconds" >&2; exit 2; }
if [[ -z $seed ]]; then
	seed=$(($(od -An -N4 -tu4 /dev/urandom) % 2147483648))
fi
[[ $seed =~ ^[0-9]+$ ]] || { echo "soak: --seed: a number" >&2; exit 2; }

export E2E_BUILD=$build
# every process outlives the run (faults, recoveries and the final checks)
export E2E_LIFETIME=$((duration * 2 + 600))
# shellcheck source=../app/test-tmmr/e2e/lib.sh
source "$top/app/test-tmmr/e2e/lib.sh"

RELAY_BIN=$build/examples/tmmr_relay/tmmr_relay
MIN_PKTS=1000		# a hop "moves" when its counter advanced by this much

# the result line, kept current so that a failure still ends with it
res_seconds=0
res_faults=0
res_crashes=0
res_leaked=0
res_rss=0
res_lost=0
other_errors=0

e2e_on_exit()
{
	printf 'soak: seconds=%s faults=%s crashes=%s leaked_mbufs=%s rss_growth_kb=%s ' \
		"$res_seconds" "$res_faults" "$res_crashes" "$res_leaked" "$res_rss"
	printf 'lost_after_recovery=%s\n' "$res_lost"
}

# problem WHAT: something that must not happen but is none of the counted kinds
problem()
{
	log "PROBLEM: $*"
	other_errors=$((other_errors + 1))
}

e2e_init soak
[[ -x $RELAY_BIN ]] || fail "no $RELAY_BIN: build first"
command -v gdb > /dev/null || fail "no gdb (Debian package gdb): it counts the relay's mbufs"
log "seed $seed (rerun: devtools/soak.sh --seed $seed $duration)"
RANDOM=$seed

# --- the relay's telemetry ---

RELAY_PREFIX=tmmr-soak-relay-$$
# tel COMMAND [KEY]: the relay's telemetry answer: a dictionary's members as
# "key value" lines, or the value of KEY (json_get)
tel()
{
	local answer

	answer=$(telemetry "$RELAY_PREFIX" "$1") && json_get "$answer" "${@:2}"
}

# --- the processes ---

BE=			# the current backend testpmd's name
FWD=			# the current forwarder's
GST=			# the current guest stand-in's
generation=0
VF2_MAC=
GUEST_SOCK=

backend_start()
{
	local i
	local -a vdevs=()

	generation=$((generation + 1))
	BE=backend$generation
	for i in 0 1 2; do
		# a killed server leaves its socket behind, and net_vhost will not bind over it
		rm -f "$WORK/vh-$i"
		vdevs+=(--vdev "net_vhost$i,iface=$WORK/vh-$i,queues=1")
	done
	tp_start "$BE" "$E2E_CPU_BACKEND" "" --no-pci "${vdevs[@]}" -- -i \
		--total-num-mbufs="$E2E_MBUFS" --txpkts=64 --forward-mode=flowgen --nb-cores=1 \
		${VF2_MAC:+--eth-peer=2,$VF2_MAC}
}

fwd_start()
{
	generation=$((generation + 1))
	FWD=fwd$generation
	tp_pmd_start "$FWD" 1 "${VF_BDFS[0]}" "${VF_BDFS[1]}"
}

# guest_start: the stand-in listens; its probe returns once the relay connected
guest_start()
{
	generation=$((generation + 1))
	GST=guest$generation
	rm -f "$GUEST_SOCK"
	TP_NOWAIT=1 tp_start "$GST" "$E2E_CPU_PMD" "" --no-pci \
		--vdev "net_virtio_user0,path=$GUEST_SOCK,queues=1,server=1" -- \
		$(tp_app_args 1)
}

relay_start()
{
	local -a eal=()

	# built with ASan, its memory goes below the shadow, as lib.sh's testpmd's
	if [[ -n $E2E_ASAN_RT ]]; then
		eal=(--base-virtaddr 0x40000000)
	fi
	e2e_prefixes+=("$RELAY_PREFIX")
	e2e_spawn relay env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" "$RELAY_BIN" -l 0 --no-huge -m 256 \
		--file-prefix "$RELAY_PREFIX" "${eal[@]}" -d "$PMD_ARG" -a "${VF_BDFS[2]}" -- \
		--vf "${VF_BDFS[2]},socket=$GUEST_SOCK" --client --stats-interval 0
}

# real_pid WRAPPER: the process timeout(1) runs
real_pid()
{
	pgrep -P "$1" | head -n 1
}

# alive NAME: the process is running (tp names, "vfemu" or "relay")
alive()
{
	case $1 in
	vfemu) kill -0 "$pid_vfemu" 2> /dev/null ;;
	relay) kill -0 "$pid_relay" 2> /dev/null ;;
	*) kill -0 "${TP_PID[$1]}" 2> /dev/null ;;
	esac
}

# check_alive: every process that should run does; each one that died is a crash
declare -A dead_seen=()
check_alive()
{
	local p ok=0

	for p in vfemu relay "$BE" "$FWD" "$GST"; do
		if ! alive "$p" && [[ -z ${dead_seen[$p]:-} ]]; then
			dead_seen[$p]=1
			res_crashes=$((res_crashes + 1))
			log "CRASH: $p died; its log: $WORK/$p.log"
			tail -n 15 "$WORK/$p.log" >&2
			ok=1
		fi
	done
	return $ok
}

# rss_kb WRAPPER: VmRSS of the process in kB
rss_kb()
{
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$(real_pid "$1")/status"
}

# rss_parts WRAPPER: its anonymous, file and shared memory parts, for the log
# (the shared part holds DPDK's memory and what it maps of its peers')
rss_parts()
{
	awk '$1 ~ /^Rss(Anon|File|Shmem):$/ { printf "%s %s kB ", $1, $2 }' \
		"/proc/$(real_pid "$1")/status"
}

# --- counters ---

# tp_stats_try NAME NPORTS: "port rx tx" per port from one "show port stats all";
# non-zero when testpmd does not answer within 10 s
tp_stats_try()
{
	local name=$1 nports=$2 off deadline=$((SECONDS + 10))

	alive "$name" || return 1
	off=$(tp_offset "$name")
	tp_cmd "$name" "show port stats all" 2> /dev/null || return 1
	while (($(tp_since "$name" "$off" | grep -c 'Tx-pps') < nports)); do
		((SECONDS < deadline)) || return 1
		alive "$name" || return 1
		sleep 0.05
	done
	tp_since "$name" "$off" | awk '
		/NIC statistics for port/ { p = $(NF - 1) }
		$1 == "RX-packets:" { rx[p] = $2 }
		$1 == "TX-packets:" { tx[p] = $2; ports[p] = 1 }
		END { for (p in ports) print p, rx[p] + 0, tx[p] + 0 }
	' | sort -n
}

HOPS=(be0.tx be0.rx be1.tx be1.rx be2.tx be2.rx fwd0.rx fwd0.tx fwd1.rx fwd1.tx
	relay.vf_rx_pkts relay.guest_rx_pkts relay.guest_tx_pkts relay.vf_tx_pkts
	gst0.rx gst0.tx)
declare -A SNAP=()

# snapshot: every hop's counter into SNAP; non-zero when a process did not answer
snapshot()
{
	local out p rx tx k v

	SNAP=()
	out=$(tp_stats_try "$BE" 3) || return 1
	while read -r p rx tx; do
		SNAP[be$p.rx]=$rx
		SNAP[be$p.tx]=$tx
	done <<< "$out"
	out=$(tp_stats_try "$FWD" 2) || return 1
	while read -r p rx tx; do
		SNAP[fwd$p.rx]=$rx
		SNAP[fwd$p.tx]=$tx
	done <<< "$out"
	out=$(tp_stats_try "$GST" 1) || return 1
	while read -r p rx tx; do
		SNAP[gst$p.rx]=$rx
		SNAP[gst$p.tx]=$tx
	done <<< "$out"
	out=$(tel /tmmr_relay/stats,0) || return 1
	while read -r k v; do
		SNAP[relay.$k]=$v
	done <<< "$out"
	for k in "${HOPS[@]}"; do
		[[ ${SNAP[$k]:-} =~ ^[0-9]+$ ]] || return 1
	done
}

# traffic_flows BOUND: every hop's counter advances by MIN_PKTS within BOUND s
traffic_flows()
{
	local t0=$SECONDS deadline=$((SECONDS + $1)) k stuck
	local -A base=()

	until snapshot; do
		((SECONDS < deadline)) || { log "no counters within $1 s"; return 1; }
		sleep 1
	done
	for k in "${HOPS[@]}"; do
		base[$k]=${SNAP[$k]}
	done
	while ((SECONDS < deadline)); do
		sleep 1
		snapshot || continue
		stuck=
		for k in "${HOPS[@]}"; do
			if ((SNAP[$k] < base[$k] + MIN_PKTS)); then
				stuck+=" $k"
			fi
		done
		if [[ -z $stuck ]]; then
			log "traffic on every hop after $((SECONDS - t0)) s"
			return 0
		fi
		[[ -z ${SOAK_DEBUG:-} ]] || log "waiting for:$stuck"
	done
	log "hops without traffic after $1 s:${stuck:- (no counters)}"
	grep -h -E 'device removal event|removed' "$WORK/$FWD.log" "$WORK/relay.log" >&2 || true
	for k in "${HOPS[@]}"; do
		log "  $k ${base[$k]} -> ${SNAP[$k]:-?}"
	done
	return 1
}

# --- mbufs ---

# tp_mbufs_in_use NAME: forwarding stopped and every port stopped (the PMDs give
# their ring mbufs back), the mbufs of testpmd's pool in use
tp_mbufs_in_use()
{
	local name=$1 out

	tp_run "$name" 15 'Done\.\|not started' stop > /dev/null || true
	tp_run "$name" 30 '^Done' "port stop all" > /dev/null || return 1
	out=$(tp_run "$name" 10 'common_pool_count' dump_mempool) || return 1
	# testpmd's pools are mb_pool_<socket>; in use: neither in the pool nor in a cache
	awk '/^mempool </ { p = /<mb_pool_/ }
		p && /^  size=/ { sub(/.*=/, ""); s += $1 }
		p && /total_cache_count=/ { sub(/.*=/, ""); s -= $1 }
		p && /common_pool_count=/ { sub(/.*=/, ""); s -= $1 }
		END { print s + 0 }' <<< "$out"
}

# tp_mbufs_baseline NAME ROLE: the mbufs in use of a testpmd that has not
# forwarded yet, as the baseline of ROLE; leaves its ports started
declare -A MBUF_BASE=()
tp_mbufs_baseline()
{
	MBUF_BASE[$2]=$(tp_mbufs_in_use "$1") || fail "testpmd $1: no mempool count"
	tp_run "$1" 60 '^Done' "port start all" > /dev/null || fail "testpmd $1: ports do not start"
	log "testpmd $1: ${MBUF_BASE[$2]} mbufs in use with its ports stopped"
}

# tp_mbufs_leaked NAME ROLE: adds NAME's mbufs in use beyond ROLE's baseline to
# the result. A restarted backend or guest stand-in has the same program and
# arguments as the first one, whose baseline stands for it.
tp_mbufs_leaked()
{
	local now base=${MBUF_BASE[$2]}

	if ! now=$(tp_mbufs_in_use "$1"); then
		problem "testpmd $1 did not report its mempool"
		return
	fi
	log "testpmd $1: $now mbufs in use with its ports stopped (baseline $base)"
	if ((now != base)); then
		log "LEAK: testpmd $1 has $((now - base)) mbufs more in use than at its start"
		res_leaked=$((res_leaked + now - base))
	fi
}

# relay_vf2_reset: the model reports a device fault on VF2 (needs-reset); the
# PMD raises its reset event and the relay must reset the VF by itself and
# forward again: vf_resets advances and vf_state is back to up within 20 s
relay_vf2_reset()
{
	local resets deadline=$((SECONDS + 20))

	resets=$(tel /tmmr_relay/stats,0 vf_resets) || return 1
	model_ok "needs-reset 2" || return 1
	until (($(tel /tmmr_relay/stats,0 vf_resets) > resets)) &&
		[[ $(tel /tmmr_relay/stats,0 vf_state) == up ]]; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# relay_quiesced_in_use: the relay's pool after a reset of its idle VF (Rx ring
# refilled, Tx ring empty, nothing in flight): mbufs in use
relay_quiesced_in_use()
{
	relay_vf2_reset || return 1
	sleep 1
	# DPDK 22.11's telemetry has no mempool counts: ask the process itself
	timeout 60 gdb -p "$(real_pid "$pid_relay")" -batch -nx -ex \
		'call (unsigned int)rte_mempool_in_use_count((void *)rte_mempool_lookup("relay_mbufs"))' \
		2> /dev/null | sed -n 's/^\$1 = \([0-9]*\)$/\1/p' | grep .
}

# --- faults ---

# fwd_port_reset PORT: what a user types to reset a port of the forwarder
fwd_port_reset()
{
	local p=$1

	tp_run "$FWD" 15 'Done.' stop > /dev/null || return 1
	tp_run "$FWD" 30 '^Done' "port stop $p" > /dev/null || return 1
	tp_run "$FWD" 30 '^Done' "port reset $p" > /dev/null || return 1
	tp_run "$FWD" 60 '^Done' "port start $p" > /dev/null || return 1
	tp_run "$FWD" 15 'packets/burst' start > /dev/null
}

fault_backend()
{
	tp_kill "$BE" || { problem "no backend testpmd to kill"; return; }
	backend_start
	tp_run "$BE" 15 'packets/burst' start > /dev/null || problem "backend $BE did not start"
}

fault_link()
{
	local vf=$1 hold=$2

	model_ok "link $vf down" || problem "link $vf down refused"
	sleep "$hold"
	model_ok "link $vf up" || problem "link $vf up refused"
}

fault_needs_reset()
{
	local vf=$1 off

	if ((vf == 2)); then
		relay_vf2_reset || problem "the relay did not reset VF2 after its fault"
		return
	fi
	off=$(tp_offset "$FWD")
	model_ok "needs-reset $vf" || { problem "needs-reset $vf refused"; return; }
	if ! tp_since_until "$FWD" 20 "$off" "^Port $vf: reset event"; then
		problem "forwarder $FWD printed no reset event for port $vf"
	fi
	fwd_port_reset "$vf" || problem "forwarder $FWD: port $vf reset failed"
}

fault_vf_reset()
{
	local vf=$1

	if ((vf == 2)); then
		relay_vf2_reset || problem "the relay did not recover from a reset of VF2"
		return
	fi
	fwd_port_reset "$vf" || problem "forwarder $FWD: port $vf reset failed"
}

fault_guest()
{
	tp_kill "$GST" || { problem "no guest stand-in to kill"; return; }
	guest_start
	tp_wait_prompt "$GST"
	tp_run "$GST" 15 'packets/burst' start > /dev/null || problem "guest $GST did not start"
}

fault_driver()
{
	local old=$FWD

	tp_mbufs_leaked "$old" fwd
	tp_quit "$old"
	if ! grep -q '^Bye' "$WORK/$old.log" ||
		grep -q -E 'PANIC|Segmentation fault|Aborted|ERROR: AddressSanitizer' "$WORK/$old.log"
	then
		res_crashes=$((res_crashes + 1))
		log "CRASH: forwarder $old did not quit cleanly; its log: $WORK/$old.log"
		tail -n 15 "$WORK/$old.log" >&2
	fi
	fwd_start
	tp_wait_links "$FWD" 30 0 1
	tp_mbufs_baseline "$FWD" fwd
	tp_run "$FWD" 15 'packets/burst' start > /dev/null || problem "forwarder $FWD did not start"
}

FAULTS=(backend link needs-reset vf-reset guest driver)
declare -A fault_count=()

# --- set up ---

GUEST_SOCK=$WORK/guest.sock
backend_start
vfemu_start --vfs 3
((${#VF_BDFS[@]} == 3)) || fail "the model made ${#VF_BDFS[@]} VFs, not 3"
VF2_MAC=$(model_ctl status 2 | sed -n 's/.* mac=\([0-9a-f:]*\) .*/\1/p')
[[ -n $VF2_MAC ]] || fail "no MAC for VF2"
tp_cmd "$BE" "set eth-peer 2 $VF2_MAC"
fwd_start
guest_start
relay_start
# its socket opens once VF2's link is up (the model connected to the backend)
wait_until 30 grep -q -E 'client connecting to|opens when it comes up' "$WORK/relay.log" ||
	fail "the relay did not start: $(tail -n 5 "$WORK/relay.log")"
tp_wait_prompt "$GST"
tp_wait_links "$FWD" 30 0 1
tp_wait_links "$BE" 30 0 1 2
tp_wait_links "$GST" 30 0
wait_until 30 eval '[[ $(tel /tmmr_relay/stats,0 guest_connected) == 1 ]]' ||
	fail "the guest stand-in is not connected to the relay"

# baselines before any traffic
tp_mbufs_baseline "$BE" be
tp_mbufs_baseline "$FWD" fwd
tp_mbufs_baseline "$GST" gst
relay_base=$(relay_quiesced_in_use) || fail "the relay's mbufs could not be counted"
log "relay: $relay_base mbufs in use after a reset of its idle VF"

for name in "$FWD" "$GST" "$BE"; do
	tp_run "$name" 15 'packets/burst' start > /dev/null || fail "testpmd $name did not start"
done
traffic_flows "$bound" || fail "no traffic before the first fault"
# the pools and rings have been touched: the resident sets' starting point
sleep 2
rss0_vfemu=$(rss_kb "$pid_vfemu")
rss0_relay=$(rss_kb "$pid_relay")
log "resident sets: tmmr-vfemu $rss0_vfemu kB, tmmr_relay $rss0_relay kB"
log "  tmmr-vfemu $(rss_parts "$pid_vfemu")"
log "  tmmr_relay $(rss_parts "$pid_relay")"

# --- faults ---

t0=$SECONDS
while ((SECONDS - t0 < duration)); do
	# four draws per fault, whatever happens, so a seed gives one sequence
	kind=${FAULTS[RANDOM % ${#FAULTS[@]}]}
	vf=$((RANDOM % 3))
	gap=$((1 + RANDOM % 4))
	hold=$((RANDOM % 3))
	sleep "$gap"
	res_faults=$((res_faults + 1))
	fault_count[$kind]=$((${fault_count[$kind]:-0} + 1))
	what=$kind
	case $kind in
	link|needs-reset|vf-reset) what+=" on VF$vf" ;;
	esac
	log "fault $res_faults: $what"
	case $kind in
	backend) fault_backend ;;
	link) fault_link "$vf" "$hold" ;;
	needs-reset) fault_needs_reset "$vf" ;;
	vf-reset) fault_vf_reset "$vf" ;;
	guest) fault_guest ;;
	driver) fault_driver ;;
	esac
	res_seconds=$((SECONDS - t0))
	check_alive || break
	if ! traffic_flows "$bound"; then
		res_lost=$((res_lost + 1))
		log "LOST: traffic did not resume after fault $res_faults ($what), seed $seed"
	fi
	res_seconds=$((SECONDS - t0))
done
summary=
for kind in "${FAULTS[@]}"; do
	summary+=" $kind=${fault_count[$kind]:-0}"
done
log "faults:$summary"

# --- the end: every process alive, mbufs back, resident sets ---

check_alive || true
if ((res_crashes == 0)); then
	rss1_vfemu=$(rss_kb "$pid_vfemu")
	rss1_relay=$(rss_kb "$pid_relay")
	log "resident sets: tmmr-vfemu $rss1_vfemu kB (+$((rss1_vfemu - rss0_vfemu))), "`
		`"tmmr_relay $rss1_relay kB (+$((rss1_relay - rss0_relay)))"
	log "  tmmr-vfemu $(rss_parts "$pid_vfemu")"
	log "  tmmr_relay $(rss_parts "$pid_relay")"
	res_rss=$((rss1_vfemu - rss0_vfemu + rss1_relay - rss0_relay))
	# the source stops first, the rest drain
	tp_run "$BE" 15 'Done.' stop > /dev/null || problem "backend $BE did not stop"
	sleep 1
	tp_mbufs_leaked "$GST" gst
	tp_mbufs_leaked "$FWD" fwd
	tp_mbufs_leaked "$BE" be
	if relay_end=$(relay_quiesced_in_use); then
		log "relay: $relay_end mbufs in use after a reset of its idle VF (baseline $relay_base)"
		if ((relay_end != relay_base)); then
			log "LEAK: the relay has $((relay_end - relay_base)) mbufs more in use"
			res_leaked=$((res_leaked + relay_end - relay_base))
		fi
	else
		problem "the relay's mbufs could not be counted at the end"
	fi
	check_alive || true
fi
if grep -l -E 'ERROR: AddressSanitizer|runtime error:' "$WORK"/*.log >&2; then
	problem "a sanitizer reported an error (the logs above)"
fi
if ((res_crashes || res_leaked || res_lost || other_errors)); then
	log "FAIL (seed $seed)"
	e2e_failed=1
	exit 1
fi
log "PASS"
