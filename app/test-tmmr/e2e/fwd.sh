#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Forwarding end to end: two VFs of tmmr-vfemu driven by net_virtio_tmmr in a
# testpmd (io forwarding VF0 <-> VF1), their data planes served by net_vhost
# ports of a second testpmd, the backend, which is also the traffic source.
#
#   backend testpmd            tmmr-vfemu            forwarding testpmd
#   vhost0 <--vhost-user--> VF0 (0000:01:00.1) <--PMD--> port 0 \ io
#   vhost1 <--vhost-user--> VF1 (0000:01:00.2) <--PMD--> port 1 /
#
# Scenarios:
#   burst  the backend sends exactly 2 bursts of 32 packets of 64 bytes on
#          each port ("start tx_first 2") and then only receives (rxonly);
#          every counter on both sides must account for exactly those packets
#          in both directions, with no errors.
#   loop   the backend forwards too (io) after sending 4 bursts per port, so a
#          fixed population of packets circulates through both VFs in both
#          directions; for --duration seconds both directions must move
#          packets, errors stay 0, and what the backend sent is what the
#          forwarder received.
#   kill   like loop, but the backend testpmd is SIGKILLed under traffic: the
#          model survives, links go down, a new backend brings them up and
#          packets circulate again with no errors.
#   reconnect  a burst, then the backend quits: both VF links must go down;
#          a new backend comes: links up again and a second burst must be
#          accounted for exactly (the model reconnects, the data plane is
#          handed over again).
#   jumbo  the model offers MTU 9000, both testpmds run their ports at MTU
#          9000 and the backend sends 8000-byte frames made of four 2000-byte
#          segments; exact packet and byte counts on every hop, no errors.
#   lsc    traffic idle, the model forces VF0's link down and up again: the
#          forwarder prints a link state change event each time and reports
#          the link down, then up; then a burst is accounted for exactly.
#   unplug the model surprise-removes VF1 under traffic: the forwarder prints
#          the device removal event for port 1, survives and still answers;
#          the model lives on and still serves VF0 (a burst on port 0 comes
#          back to it), with no errors on port 0.
# --mode standin replaces the model and the PMD by DPDK's net_virtio_user
# ports on the same sockets: it checks the harness and the backend alone.
# --server: the model (or virtio_user) listens, the backend connects (client=1).
# --huge va|pa: the forwarding testpmd runs on 2 MiB hugepages (reserved for
# the test, a private hugetlbfs, --single-file-segments) in that IOVA mode,
# as DPDK users run it; needs root (PA mode: physical addresses from
# /proc/self/pagemap). In PA mode the DMA maps are one per page, in no
# useful order: the backend's net_vhost ports get iommu-support=1 and the
# model hands them one region per file, translated through IOTLB entries.
# --installed: the model and the PMD as `meson install` lays them out in a DESTDIR.
# --system: the model and the PMD installed on this system (the Debian packages,
# app/test-tmmr/e2e-pkg): tmmr-vfemu from /usr/bin, and no -d: the forwarder's EAL
# must find the PMD in its plugin directory by itself.
set -euo pipefail

mode=mmr
scenario=burst
server=0
duration=3
queues=1
installed=0
huge=
system=0
while (($#)); do
	case $1 in
	--mode) mode=$2; shift ;;
	--scenario) scenario=$2; shift ;;
	--server) server=1 ;;
	--duration) duration=$2; shift ;;
	--queues) queues=$2; shift ;;
	--build) export E2E_BUILD=$2; shift ;;
	--installed) installed=1 ;;
	--huge) huge=$2; shift ;;
	--system) system=1 ;;
	*) echo "usage: $0 [--mode mmr|standin] [--scenario burst|loop|reconnect|kill|restart|jumbo|lsc|unplug] [--server]" \
		"[--duration S] [--queues Q] [--build DIR] [--installed|--system] [--huge va|pa]" >&2
		exit 2 ;;
	esac
	shift
done

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "fwd-$mode-$scenario${huge:+-huge-$huge}"

# hugepages for the forwarding testpmd: reserved here, given back at exit
HUGE_PAGES=${E2E_HUGE_PAGES:-64}
if [[ -n $huge ]]; then
	[[ $huge == va || $huge == pa ]] || fail "--huge takes va or pa, not $huge"
	[[ $mode == mmr ]] || fail "--huge needs --mode mmr"
	# ASan's shadow keeps the PMD's memory below 2 GiB (lib.sh), where no
	# hugepage memory segment list fits (each reserves tens of GiB of address
	# space); above 16 TiB, IOVA VA addresses are out of a legacy ring's reach
	if [[ $huge == va && -n $E2E_ASAN_RT ]]; then
		skip "hugepages in IOVA VA mode cannot lie below 16 TiB with AddressSanitizer"
	fi
	# shellcheck source=huge.sh
	source "$(dirname "${BASH_SOURCE[0]}")/huge.sh"
	e2e_on_exit()
	{
		huge_release
	}
	huge_reserve "$HUGE_PAGES"
	if [[ $huge == pa ]]; then
		TP_VHOST_ARGS=iommu-support=1
	fi
fi

if ((system)); then
	[[ $mode == mmr ]] || fail "--system needs --mode mmr"
	((!installed)) || fail "--system or --installed, not both"
	e2e_use_system
fi

# --installed: the model and the PMD as `meson install` lays them out (into $WORK/dest),
# the PMD from the directory where the EAL we run loads its drivers
if ((installed)); then
	[[ $mode == mmr ]] || fail "--installed needs --mode mmr"
	dest=$WORK/dest
	DESTDIR=$dest meson install -C "$E2E_BUILD" --no-rebuild --quiet > "$WORK/install.log" 2>&1 ||
		{ cat "$WORK/install.log" >&2; fail "meson install"; }
	plugin_dir=$("$E2E_TOP/devtools/dpdk-plugin-dir.py" \
		"$(pkg-config --variable=libdir libdpdk)") || fail "no DPDK plugin directory"
	check "the PMD is installed in EAL's plugin directory $plugin_dir" \
		test -f "$dest$plugin_dir/$PMD_ARG"
	prefix=$(meson introspect --buildoptions "$E2E_BUILD" |
		/usr/bin/python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
	for bin in tmmr-vfemu tmmr_relay; do
		check "$bin is installed in $prefix/bin" test -x "$dest$prefix/bin/$bin"
	done
	VFEMU_BIN=$dest$prefix/bin/tmmr-vfemu
	PMD_SO=$dest$plugin_dir/$PMD_ARG
	export LD_LIBRARY_PATH=$dest$plugin_dir
fi

# both testpmds take the scenario's extra application arguments
eval "$(declare -f tp_app_args | sed '1s/^tp_app_args/lib_tp_app_args/')"
tp_app_args()
{
	lib_tp_app_args "$@"
	if ((${#tp_extra_args[@]})); then
		printf '%s\n' "${tp_extra_args[@]}"
	fi
	if ((${pmd_side:-0} && ${#tp_pmd_extra_args[@]})); then
		printf '%s\n' "${tp_pmd_extra_args[@]}"
	fi
}
# ... and the PMD's testpmd its own ones too
eval "$(declare -f tp_pmd_start | sed '1s/^tp_pmd_start/lib_tp_pmd_start/')"
tp_pmd_start()
{
	local pmd_side=1
	local TP_MEM_ARGS=${huge:+--huge-dir $HUGE_DIR --single-file-segments --iova-mode=$huge}

	lib_tp_pmd_start "$@"
}

BURSTS=2
BURST=32
FRAME=64	# bytes per frame the backend sends
vfemu_args=()
tp_extra_args=()
tp_pmd_extra_args=()
if [[ $scenario == jumbo ]]; then
	FRAME=8000
	vfemu_args=(--mtu 9000)
	# at start: net_vhost has no MTU operation, so its ports only take the
	# frame limit at configure time; 9000 + Ethernet header and CRC
	tp_extra_args=(--max-pkt-len=9018)
	# the frames span several 2 KB mbufs: the PMD's ports must allow Rx
	# scatter (net_vhost has no such offload and takes them anyway)
	tp_pmd_extra_args=(--enable-scatter)
fi

start_all()
{
	local socks=("$WORK/vh-0" "$WORK/vh-1")

	if [[ $mode == standin ]]; then
		if ((server)); then
			# virtio_user's probe waits for the backend to connect
			TP_NOWAIT=1 tp_virtio_user_start fwd "$queues" 1 "${socks[@]}"
			wait_until 10 test -S "${socks[0]}" || fail "virtio_user did not listen"
			tp_backend_start backend "$queues" 1 "${socks[@]}"
			tp_wait_prompt fwd
		else
			tp_backend_start backend "$queues" 0 "${socks[@]}"
			tp_virtio_user_start fwd "$queues" 0 "${socks[@]}"
		fi
		return
	fi
	if ((server)); then
		vfemu_start --vfs 2 --queue-pairs "$queues" --server "${vfemu_args[@]}"
		tp_backend_start backend "$queues" 1 "$(vhost_sock 0)" "$(vhost_sock 1)"
	else
		tp_backend_start backend "$queues" 0 "$WORK/vh-0" "$WORK/vh-1"
		vfemu_start --vfs 2 --queue-pairs "$queues" "${vfemu_args[@]}"
	fi
	tp_pmd_start fwd "$queues" "${VF_BDFS[0]}" "${VF_BDFS[1]}"
}

declare -a B0 B1 F0 F1
# read_all_stats BACKEND: the port stats of both testpmds into B0 B1 F0 F1
read_all_stats()
{
	read -r -a B0 < <(tp_port_stats "$1" 0)
	read -r -a B1 < <(tp_port_stats "$1" 1)
	read -r -a F0 < <(tp_port_stats fwd 0)
	read -r -a F1 < <(tp_port_stats fwd 1)
	log "backend p0: rx ${B0[0]} tx ${B0[4]} | p1: rx ${B1[0]} tx ${B1[4]}"
	log "fwd     p0: rx ${F0[0]} tx ${F0[4]} | p1: rx ${F1[0]} tx ${F1[4]}"
}

# field indexes of tp_port_stats
RX=0 MISS=1 RXERR=2 NOMBUF=3 TX=4 TXERR=5 RXB=6 TXB=7

errors_of()
{
	local -n s=$1
	echo $((s[MISS] + s[RXERR] + s[NOMBUF] + s[TXERR]))
}

fwd_rx_total()
{
	echo $(($(tp_stats_field fwd 0 rx) + $(tp_stats_field fwd 1 rx)))
}

# run_burst BACKEND: BURSTS bursts each way, then every counter must match
run_burst()
{
	local be=$1 want=$((BURSTS * BURST * queues)) p q

	tp_cmd fwd "clear port stats all"
	tp_cmd "$be" "clear port stats all"
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
	tp_cmd "$be" "set fwd rxonly"
	tp_run "$be" 10 'packets/burst' "start tx_first $BURSTS" > /dev/null ||
		fail "backend did not start"
	wait_until 15 eval '(($(fwd_rx_total) >= 2 * want))' ||
		log "forwarder received $(fwd_rx_total) of $((2 * want))"
	sleep 0.5	# let the forwarded packets reach the backend
	tp_fwd_stop "$be" > "$WORK/$be.stop"
	tp_fwd_stop fwd > "$WORK/fwd.stop"
	read_all_stats "$be"
	for p in 0 1; do
		q=$((1 - p))
		local -n b=B$p f=F$p bq=B$q fq=F$q
		check_eq "backend port $p sent every packet" "${b[TX]}" "$want"
		check_eq "VF$p received what backend port $p sent" "${f[RX]}" "$want"
		check_eq "VF$p received the bytes sent" "${f[RXB]}" "${b[TXB]}"
		check_eq "VF$q transmitted what VF$p received" "${fq[TX]}" "${f[RX]}"
		check_eq "backend port $q received what VF$q transmitted" "${bq[RX]}" "${fq[TX]}"
		check_eq "backend port $q received the bytes" "${bq[RXB]}" "${fq[TXB]}"
		check_eq "no errors on VF$p" "$(errors_of F$p)" 0
		check_eq "no errors on backend port $p" "$(errors_of B$p)" 0
		check_eq "backend port $p sent $FRAME-byte frames" "${b[TXB]}" $((want * FRAME))
		check_eq "VF$q sent $FRAME-byte frames" "${fq[TXB]}" $((want * FRAME))
		unset -n b f bq fq
	done
	check_eq "$FRAME-byte packets" "${F0[RXB]}" $((want * FRAME))
}

# run_loop BACKEND [relaxed]: a fixed population of packets circulates both
# ways for $duration s; relaxed: after a backend was killed, packets left in
# the VFs' Tx rings reach the new backend, so only progress and errors count
run_loop()
{
	local be=$1 relaxed=${2:-} r0 r1 d0 d1 p

	tp_cmd "$be" "clear port stats all"
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
	tp_run "$be" 10 'packets/burst' "start tx_first 4" > /dev/null ||
		fail "backend did not start"
	sleep 1
	r0=$(tp_stats_field fwd 0 rx)
	r1=$(tp_stats_field fwd 1 rx)
	sleep "$duration"
	d0=$(($(tp_stats_field fwd 0 rx) - r0))
	d1=$(($(tp_stats_field fwd 1 rx) - r1))
	log "in ${duration}s: VF0 received $d0, VF1 received $d1"
	check "VF0 -> VF1 direction moves packets" test "$d0" -gt 1000
	check "VF1 -> VF0 direction moves packets" test "$d1" -gt 1000
	# the source stops first, the forwarder drains what is still in flight
	tp_fwd_stop "$be" > "$WORK/$be.stop"
	sleep 0.5
	tp_fwd_stop fwd > "$WORK/fwd.stop"
	read_all_stats "$be"
	for p in 0 1; do
		local -n b=B$p f=F$p
		if [[ -z $relaxed ]]; then
			check_eq "VF$p received what backend port $p sent" "${f[RX]}" "${b[TX]}"
		fi
		check_eq "no errors on VF$p" "$(errors_of F$p)" 0
		check_eq "no errors on backend port $p" "$(errors_of B$p)" 0
		unset -n b f
	done
	check_eq "VF1 transmitted all VF0 received" "${F1[TX]}" "${F0[RX]}"
	check_eq "VF0 transmitted all VF1 received" "${F0[TX]}" "${F1[RX]}"
}

# port_mtu NAME PORT: the MTU testpmd NAME reports for PORT
port_mtu()
{
	tp_run "$1" 10 'MTU:' "show port info $2" | sed -n 's/^MTU: *\([0-9]*\).*/\1/p'
}

# port_link NAME PORT: up or down, as testpmd NAME reports PORT's link
port_link()
{
	tp_run "$1" 10 'Link status' "show port info $2" | sed -n 's/^Link status: *\([a-z]*\).*/\1/p'
}

# links_down NAME: 0 when no port of NAME has its link up
links_down()
{
	! tp_link_up "$1" 0 && ! tp_link_up "$1" 1
}

start_all
check_eq "forwarder sees two ports" "$(tp_nb_ports fwd)" 2
if ((installed || system)); then
	fwd_pid=$(pgrep -P "${TP_PID[fwd]}" -x dpdk-testpmd) || fail "no forwarder testpmd"
	check "the forwarder runs the installed PMD" grep -qF "$PMD_SO" "/proc/$fwd_pid/maps"
fi
if ((system)); then
	check "the forwarder was given no -d" eval \
		'! tr "\0" "\n" < "/proc/$fwd_pid/cmdline" | grep -qx -- -d'
fi
if [[ -n $huge ]]; then
	want_mode=${huge^^}
	check "the forwarder runs in IOVA mode $want_mode" \
		grep -q "Selected IOVA mode '$want_mode'" "$WORK/fwd.log"
	check "the forwarder's memory is in the hugepages of $HUGE_DIR" \
		eval '[[ -n $(find "$HUGE_DIR" -type f -size +0 -print -quit) ]]'
fi
tp_wait_links fwd 20 0 1
# the backend's vhost ports come up when the VFs' rings are handed over
tp_wait_links backend 20 0 1
if [[ -n $huge ]]; then
	# how the model laid the DMA maps out for the backend (direct or translated)
	grep 'memory table:' "$WORK/vfemu.log" >&2 || fail "the model sent no memory table"
	if grep -q 'do not fit' "$WORK/vfemu.log"; then
		fail "the model could not fit the DMA maps: $(grep -m1 'do not fit' "$WORK/vfemu.log")"
	fi
	log "hugepages in use: $(df --output=used -B2M "$HUGE_DIR" | tail -n 1) of $HUGE_PAGES"
fi

case $scenario in
burst)
	run_burst backend
	;;
reconnect)
	[[ $mode == mmr ]] || fail "reconnect needs --mode mmr"
	run_burst backend
	log "the backend goes away"
	tp_quit backend
	wait_until 20 links_down fwd || fail "VF links stayed up without a backend"
	log "ok: both VF links went down"
	if ((server)); then
		tp_backend_start backend2 "$queues" 1 "$(vhost_sock 0)" "$(vhost_sock 1)"
	else
		tp_backend_start backend2 "$queues" 0 "$WORK/vh-0" "$WORK/vh-1"
	fi
	tp_wait_links fwd 30 0 1
	tp_wait_links backend2 30 0 1
	run_burst backend2
	;;
restart)
	[[ $mode == mmr ]] || fail "restart needs --mode mmr"
	run_burst backend
	# the next driver's memory sits at the same IOVAs as the old one's: the
	# backend must not go on using the dead process's memory
	log "the driver process goes away; a new one takes the same VFs"
	tp_quit fwd
	tp_pmd_start fwd "$queues" "${VF_BDFS[0]}" "${VF_BDFS[1]}"
	check_eq "the new forwarder sees two ports" "$(tp_nb_ports fwd)" 2
	tp_wait_links fwd 30 0 1
	tp_wait_links backend 30 0 1
	run_burst backend
	;;
loop)
	run_loop backend
	;;
kill)
	[[ $mode == mmr ]] || fail "kill needs --mode mmr"
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
	tp_run backend 10 'packets/burst' "start tx_first 4" > /dev/null ||
		fail "backend did not start"
	sleep 1
	check "traffic flows before the kill" test "$(fwd_rx_total)" -gt 1000
	# the testpmd itself, mid-traffic
	tp_kill backend || fail "no backend testpmd to kill"
	wait_until 20 links_down fwd || fail "VF links stayed up without a backend"
	log "ok: both VF links went down"
	tp_fwd_stop fwd > /dev/null
	kill -0 "$pid_vfemu" || fail "tmmr-vfemu died"
	if ((server)); then
		tp_backend_start backend2 "$queues" 1 "$(vhost_sock 0)" "$(vhost_sock 1)"
	else
		tp_backend_start backend2 "$queues" 0 "$WORK/vh-0" "$WORK/vh-1"
	fi
	tp_wait_links fwd 30 0 1
	tp_wait_links backend2 30 0 1
	tp_cmd fwd "clear port stats all"
	run_loop backend2 relaxed
	;;
jumbo)
	[[ $mode == mmr ]] || fail "jumbo needs --mode mmr"
	for p in 0 1; do
		check_eq "forwarder port $p MTU" "$(port_mtu fwd $p)" 9000
		check_eq "backend port $p MTU" "$(port_mtu backend $p)" 9000
	done
	tp_cmd backend "set txpkts 2000,2000,2000,2000"
	run_burst backend
	;;
lsc)
	[[ $mode == mmr ]] || fail "lsc needs --mode mmr"
	for state in down up; do
		off=$(tp_offset fwd)
		check_eq "model: link 0 $state" "$(model_ctl "link 0 $state")" ok
		tp_since_until fwd 10 "$off" '^Port 0: link state change event' ||
			fail "forwarder printed no link state change event for port 0 ($state)"
		log "ok: forwarder printed the link state change event for port 0"
		if tp_since fwd "$off" | grep -q '^Port 1: link state change event'; then
			fail "port 1 got a link state change event"
		fi
		check_eq "forwarder reports port 0 link" "$(port_link fwd 0)" "$state"
		check_eq "port 1 link stays" "$(port_link fwd 1)" up
	done
	run_burst backend
	;;
unplug)
	[[ $mode == mmr ]] || fail "unplug needs --mode mmr"
	tp_cmd fwd "clear port stats all"
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
	tp_run backend 10 'packets/burst' "start tx_first 4" > /dev/null ||
		fail "backend did not start"
	sleep 1
	check "traffic flows before the unplug" test "$(fwd_rx_total)" -gt 1000
	off=$(tp_offset fwd)
	check_eq "model: unplug 1" "$(model_ctl "unplug 1")" ok
	tp_since_until fwd 10 "$off" '^Port 1: device removal event' ||
		fail "forwarder printed no device removal event for port 1"
	log "ok: forwarder printed the device removal event for port 1"
	# testpmd closes and detaches the port 0.1 s after the event
	sleep 1
	check "the forwarder still runs" kill -0 "${TP_PID[fwd]}"
	check "the model still runs" kill -0 "$pid_vfemu"
	check "the model still answers for VF0" eval 'model_ctl "status 0" | grep -q "^vf=0 "'
	check_eq "port 0 link still" "$(port_link fwd 0)" up
	tp_fwd_stop backend > /dev/null
	sleep 0.5
	tp_fwd_stop fwd > "$WORK/fwd.stop"
	read -r -a F0 < <(tp_port_stats fwd 0)
	log "fwd p0: rx ${F0[RX]} tx ${F0[TX]}"
	check "port 0 received traffic" test "${F0[RX]}" -gt 1000
	check "port 0 transmitted traffic" test "${F0[TX]}" -gt 1000
	check_eq "no errors on VF0" "$(errors_of F0)" 0
	# VF0 still carries packets: a burst from backend port 0 comes back to it
	# (port 0 alone now forwards to itself)
	tp_cmd fwd "clear port stats all"
	tp_cmd backend "clear port stats all"
	tp_cmd backend "set fwd rxonly"
	tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start again"
	tp_run backend 10 'packets/burst' "start tx_first 1" > /dev/null ||
		fail "backend did not start again"
	wait_until 10 eval '(($(tp_stats_field backend 0 rx) >= BURST))' || true
	tp_fwd_stop backend > /dev/null
	tp_fwd_stop fwd > /dev/null
	read -r -a B0 < <(tp_port_stats backend 0)
	read -r -a F0 < <(tp_port_stats fwd 0)
	check_eq "VF0 received the backend's burst after the unplug" "${F0[RX]}" "$BURST"
	check_eq "VF0 sent it back" "${F0[TX]}" "$BURST"
	check_eq "backend port 0 got it back" "${B0[RX]}" "$BURST"
	check_eq "no errors on VF0 after the unplug" "$(errors_of F0)" 0
	# closing the remaining port must not trip over the removed one's leftovers
	tp_quit fwd
	if grep -q -E 'PANIC|Segmentation fault|Aborted' "$WORK/fwd.log"; then
		fail "the forwarder crashed at quit: $(grep -m1 -E 'PANIC|Segmentation|Abort' "$WORK/fwd.log")"
	fi
	check "the forwarder quit cleanly" grep -q '^Bye' "$WORK/fwd.log"
	;;
*)
	fail "unknown scenario $scenario"
	;;
esac
log "PASS"
