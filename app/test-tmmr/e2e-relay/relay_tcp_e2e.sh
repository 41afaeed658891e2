#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# TCP between two real guests through the relay, with QEMU's default virtio-net options:
#   guest A (httpd) <-> relay <-> VF 0 <-> tmmr-vfemu <-> testpmd io <-> VF 1 <-> relay <-> guest B
# Both guests legacy virtio-net under QEMU TCG; guest B fetches a file of --size MiB (default 4:
# two TCG guests on 2 shared cores) from guest A with busybox wget and times it.
#   default: the backend's net_vhost ports without tso=1, so the VFs cannot carry TSO: the guests
#            must not negotiate any TSO (VIRTIO_NET_F_GSO included) and send MTU-sized frames;
#            zero offload drops, the transfer within --max-s seconds.
#   --tso:   the backend with tso=1 and the relay's VFs with lro=1: TSO end to end (guest A
#            sends frames larger than the MTU, they cross the VFs as TSO), zero offload drops.
# VF --mode mmr (tmmr-vfemu + net_virtio_tmmr) or standin (net_virtio_user).
#
# usage: relay_tcp_e2e.sh --build BUILD_DIR [--mode mmr|standin] [--tso] [--size MIB]
#        [--max-s SECONDS] [--device-opts ,OPT=VAL...]
# --device-opts: appended to the guests' -device virtio-net-pci (e.g. ,gso=off for a baseline)
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
mode=mmr
tso=
size=4
max_s=10
device_opts=
e2e_args "build: mode: tso size: max-s: device-opts:" "$@"
relay_init tcp "$build" "$mode"
relay_guest_image

# the backend: both VFs' net_vhost ports, io forwarding 0 <-> 1, on CPU 1
# (and the VFs with lro=1: the large frames reach guest B as they are)
be_opt=
vf_opt=
[ -n "$tso" ] && be_opt=,tso=1 vf_opt=,lro=1
start_backend io "$be_opt" "$WORK/vh-0" "$WORK/vh-1" || fail "the backend did not start"
start_vf "$mode" 2
start_relay --vf "${vf_names[0]},socket=$WORK/guest0.sock$vf_opt" \
	--vf "${vf_names[1]},socket=$WORK/guest1.sock$vf_opt" --stats-interval 0
# start_relay returns at the first socket: wait for the second (and its QEMU arguments)
relay_check "relay listens on both sockets" wait_for "$WORK/relay.log" 'listening on .*guest1.sock' 30
log "mode $mode, VFs ${vf_names[*]}, backend tso=${tso:-0}, ${size} MiB"

# boot_guest N MODE IP PEER: guest N on the relay's socket N, QEMU's default device options
boot_guest()
{
	local n=$1 qargs

	qargs=$(sed -n 's/^  qemu: //p' "$WORK/relay.log" | sed -n "$((n + 1))p")
	qemu_guest "guest$n" 256 300 "tmmr.mode=$2 tmmr.ip=$3 tmmr.peer=$4 tmmr.size=$size" \
		"$qargs$device_opts"
}

# last_stats LOG: "rx_packets rx_bytes tx_packets tx_bytes" of the last counter line
last_stats() { sed -n 's/^GUEST-STATS: //p' "$1" | tail -1 | tr -d '\r'; }

boot_guest 0 serve 198.18.0.1 198.18.0.2
boot_guest 1 fetch 198.18.0.2 198.18.0.1
relay_check "guest A serves" wait_for "$WORK/guest0.log" 'GUEST-HTTPD: ready' 120
relay_check "guest B finished" wait_for "$WORK/guest1.log" 'GUEST: done' 240
sleep 1.5	# one more counter line of guest A
wget_line=$(grep 'GUEST-WGET: rc' "$WORK/guest1.log" | tr -d '\r')
log "guest B: $wget_line"
read -r _ _ rc _ bytes _ centis <<<"$wget_line"
relay_check "wget exit status 0" test "${rc:-x}" = 0
relay_check "$size MiB arrived ($bytes bytes)" test "${bytes:-0}" = $((size * 1048576))
log "transfer: $centis cs, $(awk -v b="${bytes:-0}" -v c="${centis:-1}" \
	'BEGIN { printf "%.2f MiB/s", b / 1048576 / (c / 100) }')"
relay_check "transfer within $max_s s (${centis:-?} cs)" test "${centis:-999999}" -le $((max_s * 100))

read -r _ _ a_txp a_txb <<<"$(last_stats "$WORK/guest0.log")"
log "guest A tx: $a_txp frames, $a_txb bytes"
a_avg=$((a_txb / (a_txp > 0 ? a_txp : 1)))
for n in 0 1; do
	log=$WORK/guest$n.log
	relay_check "guest $n: legacy driver" test "$(feature_bit "$log" 32)" = 0
	relay_check "guest $n: CSUM (bit 0) negotiated" test "$(feature_bit "$log" 0)" = 1
	relay_check "guest $n: no VIRTIO_NET_F_GSO (bit 6), never offered" \
		test "$(feature_bit "$log" 6)" = 0
	if [ -n "$tso" ]; then
		relay_check "guest $n: HOST_TSO4 (bit 11) negotiated" \
			test "$(feature_bit "$log" 11)" = 1
	else
		relay_check "guest $n: no HOST_TSO4/6 (bits 11, 12)" \
			test "$(feature_bit "$log" 11)$(feature_bit "$log" 12)" = 00
	fi
done
if [ -n "$tso" ]; then
	relay_check "guest A sent TSO frames (average $a_avg bytes > 1514)" test "$a_avg" -gt 1514
else
	relay_check "guest A sent MTU-sized frames (average $a_avg bytes <= 1514)" \
		test "$a_avg" -le 1514
fi
stats=$(telemetry "$tag-r" /tmmr_relay/stats)
log "$stats"
drops=$(/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])["/tmmr_relay/stats"]
print(sum(p["offload_drops"] for p in d.values() if isinstance(p, dict)))' "$stats")
relay_check "no offload drops in the relay ($drops)" test "$drops" = 0
if [ -n "$tso" ]; then
	vf1_rx=$(json_get "$stats" 1 vf_rx_pkts)
	relay_check "the frames leave VF 1 still large ($vf1_rx frames for $size MiB)" \
		test $((vf1_rx * 1514)) -lt $((size * 1048576))
fi
stop_pid "$relay_pid" INT
relay_check "relay stops cleanly" test "$stopped_rc" = 0
relay_summary
