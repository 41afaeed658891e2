#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Checksum and TSO requests cross tmmr_relay intact, both directions:
#   probe port G (net_virtio_user, "guest") <-> tmmr_relay <-> VF <-> probe port B (net_vhost)
# VF --mode mmr: tmmr-vfemu VF + net_virtio_tmmr (the model connects to the probe's net_vhost);
#    --mode standin: net_virtio_user on the probe's net_vhost socket.
#
# --client: the relay is the vhost-user client, the probe's guest port the server.
#
# usage: relay_offload_e2e.sh --build BUILD_DIR [--mode mmr|standin] [--client]
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
mode=mmr
client=
e2e_args "build: mode: client" "$@"
relay_init offload "$build" "$mode"
probe=$E2E_BUILD/app/test-tmmr/e2e-relay/relay_offload_probe
[ -x "$probe" ] || skip "no $probe"

e2e_prefixes+=("$tag-p")
e2e_spawn probe "$probe" -l 1 --no-huge -m 512 --no-pci --file-prefix "$tag-p" \
	--vdev "net_vhost0,iface=$WORK/vh-0,queues=1,tso=1" -- "$WORK/guest0.sock" ${client:+server}
relay_check "probe backend ready" wait_for "$WORK/probe.log" 'probe: backend ready' 30
start_vf "$mode"
# lro=1: the VF -> guest TSO case needs the VF's LRO
start_relay --vf "$vf_name,socket=$WORK/guest0.sock,lro=1" --stats-interval 0 ${client:+--client}
if [ -n "$client" ]; then
	relay_check "relay starts as a client" grep -q 'client connecting to' "$WORK/relay.log"
	relay_check "client mode QEMU arguments" grep -q 'guest0.sock,server=on,wait=off' \
		"$WORK/relay.log"
else
	relay_check "relay starts" grep -q 'server listening on' "$WORK/relay.log"
fi
relay_check "probe finished" wait_for "$WORK/probe.log" 'probe: [0-9]+ failure' 90
wait "$pid_probe"
rc=$?
grep -E '^(PASS|FAIL|port)' "$WORK/probe.log" | sed 's/^/# /'
while read -r line; do
	relay_check "${line#* }" test "${line%% *}" = PASS
done < <(grep -E '^(PASS|FAIL) ' "$WORK/probe.log")
relay_check "probe saw 7 cases and exited 0 (rc $rc)" \
	test "$(grep -cE '^(PASS|FAIL) ' "$WORK/probe.log")" = 7 -a "$rc" = 0
relay_check "guest negotiated csum and tso" grep -q 'guest connected .*csum, tso' "$WORK/relay.log"
stop_pid "$relay_pid" INT
relay_check "relay stops cleanly" test "$stopped_rc" = 0
relay_summary
