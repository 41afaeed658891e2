#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Two VF/guest pairs on one relay lcore, sockets from --socket-dir. One testpmd (CPU 1) owns the
# VF backends (net_vhost0/1, ports 0/1) and two DPDK guest stand-ins (net_virtio_user on the
# relay's sockets, ports 2/3); io forwarding pairs 0<->1 and 2<->3, so frames cycle through both
# pairs. Then guest 1 leaves: pair 1 stops, pair 0 keeps forwarding. VF 1 has lro=1: its Rx
# is scattered with LRO, VF 0's neither (the default).
#
# usage: relay_multi_e2e.sh --build BUILD_DIR [--mode mmr|standin]
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
mode=mmr
e2e_args "build: mode:" "$@"
relay_init multi "$build" "$mode"

start_tp "$WORK/vh-0" "$WORK/vh-1" || fail "testpmd did not start"
start_vf "$mode" 2
mkdir -p "$WORK/sockets"
# mmr: VF 1's link is down when the relay starts: its socket opens only once the link is up
[ "$mode" = mmr ] && model_ok link 1 down
start_relay --vf "${vf_names[0]}" --vf "${vf_names[1]},lro=1" \
	--socket-dir "$WORK/sockets" --stats-interval 1
if [ "$mode" = mmr ]; then
	relay_check "VF 1 link down at start: no socket yet" wait_for "$WORK/relay.log" \
		"VF ${vf_names[1]}: link down, socket .* opens when it comes up" 10
	relay_check "VF 1 link down at start: socket file absent" \
		test ! -e "$WORK/sockets/${vf_names[1]}.sock"
	model_ok link 1 up
	relay_check "VF 1 link up: socket opens" \
		wait_until 10 test -S "$WORK/sockets/${vf_names[1]}.sock"
fi
both_sockets()
{
	wait_until 10 test -S "$WORK/sockets/${vf_names[0]}.sock" &&
		wait_until 10 test -S "$WORK/sockets/${vf_names[1]}.sock"
}
relay_check "relay opens both sockets in --socket-dir" both_sockets
relay_check "one lcore serves both pairs" \
	wait_for "$WORK/relay.log" 'lcore 0 forwards 2 pair\(s\)' 10
tp_do "port attach net_virtio_user2,path=$WORK/sockets/${vf_names[0]}.sock,queues=1"
tp_do "port attach net_virtio_user3,path=$WORK/sockets/${vf_names[1]}.sock,queues=1"
tp_do "port start all"
tp_do "set fwd io"
tp_do "start tx_first 4"
sleep 3
tp_do "stop"
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
log "$stats"
for p in 0 1; do
	relay_check "pair $p: guest connected" test "$(json_get "$stats" $p guest_connected)" = 1
	relay_check "pair $p: guest->vf traffic" test "$(json_get "$stats" $p vf_tx_pkts)" -gt 1000
	relay_check "pair $p: vf->guest traffic" test "$(json_get "$stats" $p guest_rx_pkts)" -gt 1000
	relay_check "pair $p: on lcore 0" test "$(json_get "$stats" $p lcore)" = 0
	relay_check "pair $p: modern guest (VERSION_1 negotiated)" \
		test $(( $(json_get "$stats" $p guest_features) >> 32 & 1 )) = 1
done
# RTE_ETH_RX_OFFLOAD_TCP_LRO 0x10, RTE_ETH_RX_OFFLOAD_SCATTER 0x2000
relay_check "pair 0 (default): VF Rx without LRO, not scattered" \
	test $(( $(json_get "$stats" 0 vf_rx_offloads) & 0x2010 )) = 0
relay_check "pair 1 (lro=1): VF Rx with LRO, scattered" \
	test $(( $(json_get "$stats" 1 vf_rx_offloads) & 0x2010 )) = $((0x2010))
# busy cycles: the iterations that forwarded, some but not all of the lcore's time
lcores=$(telemetry "$tag-r" /tmmr_relay/lcores)
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
pkts=0
for p in 0 1; do
	pkts=$((pkts + $(json_get "$stats" $p guest_tx_pkts) + $(json_get "$stats" $p vf_rx_pkts)))
done
busy=$(json_get "$lcores" l0_busy_cycles)
log "lcore 0: $busy busy of $(json_get "$lcores" l0_cycles) cycles, $pkts packets"
relay_check "telemetry: lcore 0 busy cycles counted" test "$busy" -gt 0
relay_check "telemetry: lcore 0 busy iterations counted" \
	test "$(json_get "$lcores" l0_busy_iterations)" -gt 0
relay_check "telemetry: busy cycles below the total" \
	test "$busy" -lt "$(json_get "$lcores" l0_cycles)"
relay_check "periodic log line per pair" grep -q "pair 1 ${vf_names[1]} vf=up guest=connected" \
	"$WORK/relay.log"

# guest 1 leaves; pair 0 goes on (its own loop: port 2 io-forwards to itself)
tp_do "port stop 3"
tp_do "port close 3"
relay_check "relay sees guest 1 leave" wait_for "$WORK/relay.log" 'guest disconnected' 10
tp_do "set portlist 0,2"
tp_do "start tx_first 4"
before=$(json_get "$(telemetry "$tag-r" /tmmr_relay/stats)" 0 vf_tx_pkts)
sleep 2
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
tp_do "stop"
relay_check "pair 1: no guest" test "$(json_get "$stats" 1 guest_connected)" = 0
relay_check "pair 0: still forwarding" test "$(json_get "$stats" 0 vf_tx_pkts)" -gt "$before"
stop_pid "$relay_pid" INT
relay_check "relay stops cleanly" test "$stopped_rc" = 0
relay_summary
