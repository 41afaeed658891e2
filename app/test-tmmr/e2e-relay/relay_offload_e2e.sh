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

here=$(cd "$(dirname "$0")" && pwd)
build=
mode=mmr
client=
while [ $# -gt 0 ]; do
	case $1 in
	--client) client=1; shift ;;
	--build) build=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=relay_lib.sh
. "$here/relay_lib.sh"
RELAY_BIN=$build/examples/tmmr_relay/tmmr_relay
probe=$build/app/test-tmmr/e2e-relay/relay_offload_probe
VFEMU_BIN=$build/app/test-tmmr/vfemu/tmmr-vfemu
PMD_SO=$build/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so
[ -x "$RELAY_BIN" ] && [ -x "$probe" ] || relay_skip "relay or probe not built"
case $mode in
standin) ;;
mmr) mmr_available || relay_skip "tmmr-vfemu or net_virtio_tmmr not built" ;;
*) echo "bad --mode $mode" >&2; exit 2 ;;
esac

mkdir -p /tmp/relay
work=$(mktemp -d /tmp/relay/offload-e2e.XXXXXX)
tag=relay-oe-$$
trap 'relay_cleanup; if [ "$relay_fail" -eq 0 ]; then rm -rf "$work"; else echo "# logs kept in $work"; fi' EXIT

timeout -s INT 120 "$probe" -l 1 --no-huge -m 512 --no-pci --file-prefix "$tag-p" \
	--vdev "net_vhost0,iface=$work/be0,queues=1,tso=1" -- "$work/guest0.sock" ${client:+server} \
	>"$work/probe.log" 2>&1 &
probe_pid=$!
relay_pids+=("$probe_pid")
relay_check "probe backend ready" wait_for "$work/probe.log" 'probe: backend ready' 30
start_vf "$work" "$mode" || { cat "$work/vfemu.log" 2>/dev/null; echo "# no VF"; exit 1; }
start_relay "$work" "$tag-r" -- --vf "$vf_name,socket=$work/guest0.sock" --stats-interval 0 \
	${client:+--client}
if [ -n "$client" ]; then
	relay_check "relay starts as a client" grep -q 'client connecting to' "$work/relay.log"
	relay_check "client mode QEMU arguments" grep -q 'guest0.sock,server=on,wait=off' \
		"$work/relay.log"
else
	relay_check "relay starts" grep -q 'server listening on' "$work/relay.log"
fi
relay_check "probe finished" wait_for "$work/probe.log" 'probe: [0-9]+ failure' 90
wait "$probe_pid"
rc=$?
grep -E '^(PASS|FAIL|port)' "$work/probe.log" | sed 's/^/# /'
while read -r line; do
	relay_check "${line#* }" test "${line%% *}" = PASS
done < <(grep -E '^(PASS|FAIL) ' "$work/probe.log")
relay_check "probe saw 7 cases and exited 0 (rc $rc)" \
	test "$(grep -cE '^(PASS|FAIL) ' "$work/probe.log")" = 7 -a "$rc" = 0
relay_check "guest negotiated csum and tso" grep -q 'guest connected .*csum, tso' "$work/relay.log"
stop_pid "$relay_pid" 10
relay_check "relay stops cleanly" test $? = 0
relay_summary
