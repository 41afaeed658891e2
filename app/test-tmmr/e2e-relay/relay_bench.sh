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

here=$(cd "$(dirname "$0")" && pwd)
build=
mode=mmr
secs=5
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=relay_lib.sh
. "$here/relay_lib.sh"
RELAY_BIN=$build/examples/tmmr_relay/tmmr_relay
VFEMU_BIN=$build/app/test-tmmr/vfemu/tmmr-vfemu
PMD_SO=$build/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so
mkdir -p /tmp/relay
work=$(mktemp -d /tmp/relay/bench.XXXXXX)
tag=relay-bench-$$
trap 'relay_cleanup; rm -rf "$work"' EXIT

tp()
{
	echo "$*" >&7
	sleep 0.5
}

run()
{
	local s1 s2 g1 g2 v1 v2

	mkfifo "$work/tp.in"
	timeout -s INT 300 stdbuf -oL dpdk-testpmd --lcores '(0,1)@1' --no-huge -m 512 --no-pci \
		--file-prefix "$tag-tp" --vdev "net_vhost0,iface=$work/be0,queues=1" -- -i \
		--total-num-mbufs=16384 --txpkts=64 --no-lsc-interrupt --disable-link-check \
		<"$work/tp.in" >"$work/tp.log" 2>&1 &
	relay_pids+=("$!")
	exec 7>"$work/tp.in"
	relay_fifos+=(7)
	wait_sock "$work/be0" 20 || { echo "testpmd did not start"; return 1; }
	start_vf "$work" "$mode" || { echo "no VF"; return 1; }
	start_relay "$work" "$tag-r" -- --vf "$vf_name,socket=$work/guest0.sock" \
		--stats-interval 0 || { cat "$work/relay.log"; return 1; }
	tp "port attach net_virtio_user1,path=$work/guest0.sock,queues=1"
	tp "port start 1"
	tp "set fwd io"
	tp "start tx_first 16"
	sleep 3
	s1=$(telemetry "$tag-r" /tmmr_relay/stats,0)
	sleep "$secs"
	s2=$(telemetry "$tag-r" /tmmr_relay/stats,0)
	tp "stop"
	g1=$(json_get "$s1" vf_tx_pkts)
	g2=$(json_get "$s2" vf_tx_pkts)
	v1=$(json_get "$s1" guest_rx_pkts)
	v2=$(json_get "$s2" guest_rx_pkts)
	echo "$mode: guest->vf $(( (g2 - g1) / secs )) pps, vf->guest $(( (v2 - v1) / secs )) pps," \
		"total $(( (g2 - g1 + v2 - v1) / secs )) pps; drops vf_tx $(json_get "$s2" vf_tx_drops)" \
		"guest_rx $(json_get "$s2" guest_rx_drops)"
}

run
