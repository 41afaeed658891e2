#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Forwarding rate of tmmr_relay with a DPDK guest stand-in. One testpmd on CPU 1 owns both
# ends: port 0 = net_vhost behind the VF, port 1 = net_virtio_user on the relay's socket (the
# "guest", hot-plugged once the relay listens). In io forwarding with tx_first, frames of
# 64 B circulate in both directions through the relay, which runs alone on CPU 0; the rate is
# read from the relay's telemetry counters (packets the relay delivered each way per second).
#
# usage: relay_bench.sh --build BUILD_DIR [--mode mmr|standin] [--seconds N]
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
mode=mmr
seconds=5
e2e_args "build: mode: seconds:" "$@"
relay_init bench "$build" "$mode"

run()
{
	local s1 s2 g1 g2 v1 v2

	start_tp "$WORK/vh-0" || fail "testpmd did not start"
	start_vf "$mode"
	start_relay --vf "$vf_name,socket=$WORK/guest0.sock" --stats-interval 0 ||
		fail "the relay did not start: $(tail -n 5 "$WORK/relay.log")"
	tp_do "port attach net_virtio_user1,path=$WORK/guest0.sock,queues=1"
	tp_do "port start 1"
	tp_do "set fwd io"
	tp_do "start tx_first 16"
	sleep 3
	s1=$(telemetry "$tag-r" /tmmr_relay/stats,0)
	sleep "$seconds"
	s2=$(telemetry "$tag-r" /tmmr_relay/stats,0)
	tp_do "stop"
	g1=$(json_get "$s1" vf_tx_pkts)
	g2=$(json_get "$s2" vf_tx_pkts)
	v1=$(json_get "$s1" guest_rx_pkts)
	v2=$(json_get "$s2" guest_rx_pkts)
	echo "$mode: guest->vf $(( (g2 - g1) / seconds )) pps, vf->guest $(( (v2 - v1) / seconds )) pps," \
		"total $(( (g2 - g1 + v2 - v1) / seconds )) pps; drops vf_tx $(json_get "$s2" vf_tx_drops)" \
		"guest_rx $(json_get "$s2" guest_rx_drops)"
}

run
