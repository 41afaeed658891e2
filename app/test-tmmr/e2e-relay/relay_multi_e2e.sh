#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Two VF/guest pairs on one relay lcore, sockets from --socket-dir. One testpmd (CPU 1) owns the
# VF backends (net_vhost0/1, ports 0/1) and two DPDK guest stand-ins (net_virtio_user on the
# relay's sockets, ports 2/3); io forwarding pairs 0<->1 and 2<->3, so frames cycle through both
# pairs. Then guest 1 leaves: pair 1 stops, pair 0 keeps forwarding.
#
# usage: relay_multi_e2e.sh --build BUILD_DIR [--mode mmr|standin]
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=
mode=mmr
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=relay_lib.sh
. "$here/relay_lib.sh"
relay_use_build "$build" "$mode"

relay_workdir multi-e2e
tag=relay-me-$$

tp()
{
	echo "$*" >&7
	sleep "${TP_WAIT:-0.5}"
}

# pair_stat JSON PAIR KEY
pair_stat()
{
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])["/tmmr_relay/stats"]
print(d[sys.argv[2]][sys.argv[3]])' "$1" "$2" "$3"
}

mkfifo "$work/tp.in"
timeout -s INT 300 stdbuf -oL dpdk-testpmd --lcores '(0,1)@1' --no-huge -m 512 --no-pci \
	--file-prefix "$tag-tp" --vdev "net_vhost0,iface=$work/be0,queues=1" \
	--vdev "net_vhost1,iface=$work/be1,queues=1" -- -i --total-num-mbufs=16384 \
	--no-lsc-interrupt --disable-link-check <"$work/tp.in" >"$work/tp.log" 2>&1 &
relay_pids+=("$!")
exec 7>"$work/tp.in"
relay_fifos+=(7)
wait_sock "$work/be1" 20 || { cat "$work/tp.log"; exit 1; }
start_vf "$work" "$mode" 2 || { cat "$work/vfemu.log" 2>/dev/null; echo "# no VFs"; exit 1; }
mkdir -p "$work/sockets"
# mmr: VF 1's link is down when the relay starts: its socket opens only once the link is up
[ "$mode" = mmr ] && model_ctl "$work" link 1 down
start_relay "$work" "$tag-r" -- --vf "${vf_names[0]}" --vf "${vf_names[1]}" \
	--socket-dir "$work/sockets" --stats-interval 1
if [ "$mode" = mmr ]; then
	relay_check "VF 1 link down at start: no socket yet" wait_for "$work/relay.log" \
		"VF ${vf_names[1]}: link down, socket .* opens when it comes up" 10
	relay_check "VF 1 link down at start: socket file absent" \
		test ! -e "$work/sockets/${vf_names[1]}.sock"
	model_ctl "$work" link 1 up
	relay_check "VF 1 link up: socket opens" wait_sock "$work/sockets/${vf_names[1]}.sock" 10
fi
both_sockets()
{
	wait_sock "$work/sockets/${vf_names[0]}.sock" 10 &&
		wait_sock "$work/sockets/${vf_names[1]}.sock" 10
}
relay_check "relay opens both sockets in --socket-dir" both_sockets
relay_check "one lcore serves both pairs" \
	wait_for "$work/relay.log" 'lcore 0 forwards 2 pair\(s\)' 10
TP_WAIT=1 tp "port attach net_virtio_user2,path=$work/sockets/${vf_names[0]}.sock,queues=1"
TP_WAIT=1 tp "port attach net_virtio_user3,path=$work/sockets/${vf_names[1]}.sock,queues=1"
TP_WAIT=1 tp "port start all"
tp "set fwd io"
tp "start tx_first 4"
sleep 3
tp "stop"
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
relay_log "$stats"
for p in 0 1; do
	relay_check "pair $p: guest connected" test "$(pair_stat "$stats" $p guest_connected)" = 1
	relay_check "pair $p: guest->vf traffic" test "$(pair_stat "$stats" $p vf_tx_pkts)" -gt 1000
	relay_check "pair $p: vf->guest traffic" test "$(pair_stat "$stats" $p guest_rx_pkts)" -gt 1000
	relay_check "pair $p: on lcore 0" test "$(pair_stat "$stats" $p lcore)" = 0
	relay_check "pair $p: modern guest (VERSION_1 negotiated)" \
		test $(( $(pair_stat "$stats" $p guest_features) >> 32 & 1 )) = 1
done
relay_check "periodic log line per pair" grep -q "pair 1 ${vf_names[1]} vf=up guest=connected" \
	"$work/relay.log"

# guest 1 leaves; pair 0 goes on (its own loop: port 2 io-forwards to itself)
TP_WAIT=1 tp "port stop 3"
TP_WAIT=1 tp "port close 3"
relay_check "relay sees guest 1 leave" wait_for "$work/relay.log" 'guest disconnected' 10
tp "set portlist 0,2"
tp "start tx_first 4"
before=$(pair_stat "$(telemetry "$tag-r" /tmmr_relay/stats)" 0 vf_tx_pkts)
sleep 2
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
tp "stop"
relay_check "pair 1: no guest" test "$(pair_stat "$stats" 1 guest_connected)" = 0
relay_check "pair 0: still forwarding" test "$(pair_stat "$stats" 0 vf_tx_pkts)" -gt "$before"
stop_pid "$relay_pid" 10
relay_check "relay stops cleanly" test $? = 0
relay_summary
