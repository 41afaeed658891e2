#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# tmmr_relay as a service, without guests: bad input refused with one clear line, --help,
# unknown VF, a stale socket file from a killed relay, a VF without Rx interrupts (net_null:
# polling fallback, logged), SIGTERM.
#
# usage: relay_cli_e2e.sh --build BUILD_DIR
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
e2e_args "build:" "$@"
relay_init cli "$build"
e2e_prefixes+=("$tag-r")

eal=(-l 0 --no-huge -m 128 --no-pci --log-level 'user1,info' --file-prefix "$tag-r")

# expect_exit NAME RC REGEX ARGS...: the relay exits with RC and prints a line matching REGEX
expect_exit()
{
	local name=$1 want=$2 re=$3 rc

	shift 3
	timeout 30 "$RELAY_BIN" "${eal[@]}" "$@" >"$WORK/out" 2>&1
	rc=$?
	relay_check "$name: exit $want (got $rc)" test "$rc" = "$want"
	relay_check "$name: says '$re'" grep -Eq -- "$re" "$WORK/out"
}

expect_exit "help" 0 '--vf DEV\[,socket=PATH\]' -- --help
expect_exit "bad burst" 2 "error: --burst '0': expected 1..64" -- --socket-dir "$WORK" --burst 0
expect_exit "no socket" 2 'error: --vf x has no socket=PATH' -- --vf x
expect_exit "unknown option" 2 "error: unknown or incomplete option '--frobnicate'" \
	-- --socket-dir "$WORK" --frobnicate
expect_exit "unknown VF" 1 "error: VF 'net_nope' is not a probed port; ports: 0=net_null0" \
	--vdev net_null0,no-rx=1 -- --vf net_nope,socket="$WORK/a.sock"
expect_exit "lcore not in the EAL list" 1 'lcore 1 is not in the EAL lcore list' \
	--vdev net_null0,no-rx=1 -- --vf net_null0,socket="$WORK/a.sock",lcore=1
expect_exit "no ports" 1 'no ethdev port was probed' -- --socket-dir "$WORK"
expect_exit "queue pair on an lcore not in the EAL list" 1 \
	'lcore 1 is not in the EAL lcore list' --vdev net_null0,no-rx=1 -- \
	--vf net_null0,socket="$WORK/a.sock",queues=2,lcore=0:1
expect_exit "bad queues" 2 "error: --vf 'x,queues=9': queues must be 1..8" \
	-- --vf x,queues=9
# net_null has neither scattered Rx nor multi-segment Tx: 9000-byte frames cannot fit
expect_exit "jumbo MTU without scattered Rx" 1 \
	'MTU 9000 needs 9026-byte frames in 2048-byte mbufs, and the VF has no scattered Rx' \
	--vdev net_null0,no-rx=1 -- --vf net_null0,socket="$WORK/a.sock",mtu=9000

# a socket file nobody listens on, as a killed relay leaves it
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$WORK/net_null0.sock"
relay_check "stale socket file present" test -S "$WORK/net_null0.sock"

# no --vf: every probed port, its socket named after the device in --socket-dir
e2e_spawn relay "$RELAY_BIN" "${eal[@]}" --vdev net_null0,no-rx=1 -- \
	--socket-dir "$WORK" --stats-interval 0
relay_pid=$pid_relay
relay_check "relay listens" wait_for "$WORK/relay.log" 'server listening on' 20
relay_check "stale socket removed" grep -q "removing stale socket $WORK/net_null0.sock" \
	"$WORK/relay.log"
relay_check "missing Rx interrupts logged" grep -q 'VF net_null0 has no Rx interrupts' \
	"$WORK/relay.log"
stats=$(telemetry "$tag-r" /tmmr_relay/stats,0)
relay_check "telemetry: vf_rx_intr 0" test "$(json_get "$stats" vf_rx_intr)" = 0
relay_check "telemetry: pair names" grep -q '"net_null0"' <<<"$(telemetry "$tag-r" /tmmr_relay/pairs)"
relay_check "telemetry: the relay's commands are stats and pairs" \
	test "$(telemetry "$tag-r" / | grep -o '"/tmmr_relay/[a-z_]*"' | sort | tr '\n' ' ')" = \
	'"/tmmr_relay/pairs" "/tmmr_relay/stats" '
relay_check "telemetry: stats of a pair that does not exist are refused" \
	test "$(telemetry "$tag-r" /tmmr_relay/stats,1)" = '{"/tmmr_relay/stats": null}'
cpu0=$(cpu_ticks "$relay_pid")
sleep 2
cpu1=$(cpu_ticks "$relay_pid")
log "polling fallback used $((cpu1 - cpu0)) ticks in 2 s"
relay_check "polling fallback sleeps (<10% of a core)" test $((cpu1 - cpu0)) -lt 20
stop_pid "$relay_pid" TERM
rc=$stopped_rc
relay_check "SIGTERM: clean exit (rc $rc)" test "$rc" = 0
relay_check "SIGTERM: socket removed" test ! -e "$WORK/net_null0.sock"
relay_summary
