#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# A real Linux guest through tmmr_relay:
#   guest (legacy virtio-net, QEMU TCG) <-> tmmr_relay <-> VF <-> testpmd icmpecho
# VF: --mode mmr: a tmmr-vfemu MMR VF driven by net_virtio_tmmr (the real chain:
#     guest <-> relay <-> PMD <-> tmmr-vfemu <-> vhost-user <-> testpmd icmpecho);
#     --mode standin: net_virtio_user on the backend's net_vhost socket (VF stand-in).
# Cases: legacy boot with ping, mrg_rxbuf=off, guest killed mid-traffic + VF reset + new guest,
# VF removal, idle CPU, clean SIGINT shutdown. The device events (VF link down/up, reset,
# removal) come from the model's control socket through the real PMD, so they run in mode mmr
# only: the stand-in has no device that could raise them.
#
# --case mq (mode mmr): a guest with mq=on, queues=2 and 2 vCPUs on a VF with 2 queue pairs,
#   the pairs on two relay lcores: 2 queues in the guest, pings from each vCPU go through
#   both pairs (per-pair telemetry); before it, a guest with 4 queue pairs is refused and a
#   1-vCPU guest that enables only pair 0 leaves pair 1 unpolled.
# --case jumbo (mode mmr): VF MTU 9000 (model --mtu, relay mtu=, the model tells the backend
#   with VHOST_USER_NET_SET_MTU), a guest with host_mtu=9000 and eth0 MTU 9000 pings with
#   8000-byte payloads both ways; a host_mtu=9000 guest on a VF of MTU 1500 is refused.
#
# usage: relay_guest_e2e.sh --build BUILD_DIR [--mode mmr|standin] [--case basic|mq|jumbo]
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
mode=mmr
case=basic
e2e_args "build: mode: case:" "$@"
case $case in
basic) relay_init guest "$build" "$mode" ;;
mq|jumbo)
	[ "$mode" = mmr ] || { echo "--case $case runs in mode mmr" >&2; exit 2; }
	relay_init "guest-$case" "$build" "$mode" ;;
*) echo "bad --case $case" >&2; exit 2 ;;
esac
relay_guest_image

# absent FILE REGEX: no line of FILE matches
absent()
{
	! grep -q -- "$2" "$1"
}

# guest_line FILE LINE: the guest printed exactly LINE (serial console: CR LF)
guest_line()
{
	tr -d '\r' <"$1" | grep -qxF -- "$2"
}

# guest_common NAME [SECONDS]: the checks every pinging guest passes (SECONDS to finish,
# default 150)
guest_common()
{
	local log=$WORK/$1.log

	relay_check "$1: guest finished" wait_for "$log" 'GUEST: done' "${2:-150}"
	relay_check "$1: 1af4:1000 bound to virtio-pci" \
		grep -Eq 'GUEST-PCI: .* 0x1af4 0x1000 rev 0x00 driver virtio-pci' "$log"
	relay_check "$1: legacy driver (VERSION_1, bit 32, not negotiated)" \
		test "$(feature_bit "$log" 32)" = 0
	relay_check "$1: 3 ping replies" \
		grep -q '3 packets transmitted, 3 packets received' "$log"
}

# relay_refused NAME REGEX RELAY_ARGS...: a relay on the VFs of start_vf stops at start
# (exit 1) and says REGEX
relay_refused()
{
	local name=$1 re=$2 rc

	shift 2
	e2e_prefixes+=("$tag-x")
	env "${vf_env[@]}" timeout 60 "$RELAY_BIN" -l 0 --no-huge -m 256 --file-prefix "$tag-x" \
		"${vf_eal[@]}" -- "$@" >"$WORK/refused.log" 2>&1
	rc=$?
	relay_check "$name: the relay stops (exit $rc)" test "$rc" = 1
	relay_check "$name: says why" grep -Eq -- "$re" "$WORK/refused.log"
}

relay_case_mq()
{
	local stats log=$WORK/mq2.log

	BACKEND_QUEUES=2 start_backend icmpecho "" "$WORK/vh-0" ||
		fail "the backend did not start"
	VF_MODEL_ARGS=(--queue-pairs 2)
	start_vf mmr
	relay_refused "4 queue pairs of a 2-pair VF" \
		"VF $vf_name: 4 queue pairs asked, the VF has 2 Rx and 2 Tx queues" \
		--vf "$vf_name,socket=$WORK/guest0.sock,queues=4"
	RELAY_LCORES=0@0,1@0 start_relay \
		--vf "$vf_name,socket=$WORK/guest0.sock,queues=2,lcore=0:1" --stats-interval 5
	relay_check "relay configures 2 queue pairs on the VF" \
		grep -q "VF $vf_name: 2 queue pair(s)" "$WORK/relay.log"
	qemu_args=$(sed -n 's/^  qemu: //p' "$WORK/relay.log" | head -1)
	relay_check "relay prints queues=2 and mq=on for QEMU" \
		grep -q 'queues=2 .*vectors=0,mq=on' <<<"$qemu_args"

	# more queue pairs than the relay serves: refused with the reason. Its 2 vCPUs enable
	# 2 pairs after the refusal (VQ_PAIRS_SET after DRIVER_OK): those ring states must not
	# count for the next guest, which enables pair 0 alone
	qemu_guest mq4 512 120 "tmmr.mode=ping tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2" \
		"${qemu_args/queues=2/queues=4} -smp 2"
	relay_check "mq4: a guest with 4 queue pairs is refused" wait_for "$WORK/relay.log" \
		"VF $vf_name: guest on .* has 4 queue pairs, the relay serves 2: refused" 120
	relay_check "mq4: the refused guest enabled 2 pairs (VQ_PAIRS_SET 2)" \
		wait_until 30 guest_line "$WORK/mq4.log" 'GUEST-QUEUES: rx-0 rx-1 tx-0 tx-1 '
	kill -KILL "$(pgrep -P "$qemu_pid" qemu-system-x86 || echo "$qemu_pid")" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	relay_check "mq4: never counted as connected" \
		test "$(json_get "$(telemetry "$tag-r" '/tmmr_relay/stats,0')" guest_connects)" = 0

	# one vCPU: Linux enables one queue pair (VQ_PAIRS_SET 1), pair 1 stays off
	qemu_guest mq1 512 150 "tmmr.mode=ping tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2" \
		"$qemu_args"
	guest_common mq1
	wait "$qemu_pid" 2>/dev/null
	relay_check "mq1: MQ (bit 22) negotiated" test "$(feature_bit "$WORK/mq1.log" 22)" = 1
	relay_check "mq1: the guest runs 1 queue pair" \
		guest_line "$WORK/mq1.log" 'GUEST-QUEUES: rx-0 tx-0 '
	stats=$(telemetry "$tag-r" '/tmmr_relay/stats,0')
	log "stats after mq1: $stats"
	relay_check "mq1: pair 0 forwarded" test "$(json_get "$stats" q0_guest_tx_pkts)" -gt 0
	relay_check "mq1: no traffic on pair 1" \
		test "$(json_get "$stats" q1_guest_tx_pkts)/$(json_get "$stats" q1_vf_rx_pkts)" = 0/0
	relay_check "mq1: relay never forwarded on pair 1" \
		absent "$WORK/relay.log" 'queue pair 1 enabled by the guest'

	# two vCPUs: two queue pairs, each vCPU transmits on its own (XPS), the backend
	# answers on the pair the request came in on
	qemu_guest mq2 512 180 "tmmr.mode=mq tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2" \
		"$qemu_args -smp 2"
	guest_common mq2
	relay_check "mq2: MQ (bit 22) negotiated" test "$(feature_bit "$log" 22)" = 1
	relay_check "mq2: the guest sees 2 queue pairs" \
		guest_line "$log" 'GUEST-QUEUES: rx-0 rx-1 tx-0 tx-1 '
	relay_check "mq2: pings from vCPU 0 answered" grep -q 'GUEST-PING-CPU0: 0' "$log"
	relay_check "mq2: pings from vCPU 1 answered" grep -q 'GUEST-PING-CPU1: 0' "$log"
	relay_check "mq2: relay forwards pair 1 once the guest enables it" \
		grep -q "VF $vf_name: queue pair 1 enabled by the guest, forwarding on lcore 1" \
		"$WORK/relay.log"
	wait "$qemu_pid" 2>/dev/null
	stats=$(telemetry "$tag-r" '/tmmr_relay/stats,0')
	log "stats after mq2: $stats"
	relay_check "pair 0 on lcore 0, pair 1 on lcore 1" \
		test "$(json_get "$stats" q0_lcore)/$(json_get "$stats" q1_lcore)" = 0/1
	relay_check "telemetry: 2 queue pairs" test "$(json_get "$stats" queues)" = 2
	relay_check "guest->VF traffic on pair 1" \
		test "$(json_get "$stats" q1_vf_tx_pkts)" -ge 3
	relay_check "VF->guest traffic on pair 1" \
		test "$(json_get "$stats" q1_guest_rx_pkts)" -ge 3
	relay_check "guest->VF traffic on pair 0" \
		test "$(json_get "$stats" q0_vf_tx_pkts)" -ge 3
	relay_check "VF->guest traffic on pair 0" \
		test "$(json_get "$stats" q0_guest_rx_pkts)" -ge 3
	relay_check "no drops" \
		test "$(json_get "$stats" vf_tx_drops)/$(json_get "$stats" guest_rx_drops)" = 0/0
}

relay_case_jumbo()
{
	local stats log=$WORK/jumbo.log

	start_backend icmpecho "" "$WORK/vh-0" "$WORK/vh-1" || fail "the backend did not start"
	VF_MODEL_ARGS=(--mtu 9000)
	start_vf mmr 2
	relay_refused "MTU above the VF's maximum" \
		"VF ${vf_names[0]}: MTU 9001 outside the VF's range 68..9000" \
		--vf "${vf_names[0]},socket=$WORK/guest0.sock,mtu=9001"
	start_relay --vf "${vf_names[0]},socket=$WORK/guest0.sock,mtu=9000" \
		--vf "${vf_names[1]},socket=$WORK/guest1.sock" --stats-interval 5
	relay_check "the model tells the backend MTU 9000 (VHOST_USER_NET_SET_MTU)" \
		wait_for "$WORK/vfemu.log" 'backend told MTU 9000' 10
	relay_check "relay sets VF MTU 9000 with scattered Rx" \
		grep -q "VF ${vf_names[0]}: 1 queue pair(s), MTU 9000, scattered Rx" \
		"$WORK/relay.log"
	qemu_args=$(sed -n 's/^  qemu: //p' "$WORK/relay.log" | head -1)
	relay_check "relay prints host_mtu=9000 for QEMU" \
		grep -q 'vectors=0,host_mtu=9000' <<<"$qemu_args"

	qemu_guest jumbo 512 150 "tmmr.mode=ping tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2 \
tmmr.mtu=9000 tmmr.psize=8000" "$qemu_args"
	guest_common jumbo
	relay_check "jumbo: VIRTIO_NET_F_MTU (bit 3) negotiated" \
		test "$(feature_bit "$log" 3)" = 1
	relay_check "jumbo: eth0 MTU 9000" grep -q 'GUEST-MTU: 9000' "$log"
	relay_check "jumbo: 8000-byte echo replies (8008 bytes of ICMP)" \
		grep -q '^8008 bytes from 198.18.0.2' "$log"
	relay_check "relay accepts guest MTU 9000 on VF MTU 9000" \
		grep -q "VF ${vf_names[0]}: guest MTU 9000, VF MTU 9000" "$WORK/relay.log"
	wait "$qemu_pid" 2>/dev/null
	stats=$(telemetry "$tag-r" '/tmmr_relay/stats,0')
	log "stats: $stats"
	relay_check "telemetry: MTU 9000" test "$(json_get "$stats" mtu)" = 9000
	relay_check "telemetry: jumbo frames both ways, no drops" \
		test "$(json_get "$stats" vf_tx_drops)/$(json_get "$stats" guest_rx_drops)" = 0/0

	# a guest of MTU 9000 on the VF left at 1500: refused, with the reason
	qemu_args=$(sed -n 's/^  qemu: //p' "$WORK/relay.log" | sed -n 2p)
	qemu_guest toobig 512 120 "tmmr.mode=ping tmmr.ip=198.18.0.3 tmmr.peer=198.18.0.2" \
		"$qemu_args,host_mtu=9000"
	relay_check "relay refuses a guest MTU above the VF's" \
		wait_for "$WORK/relay.log" \
		"VF ${vf_names[1]}: guest on .* has MTU 9000, above the VF's 1500: refused" 120
	kill -KILL "$(pgrep -P "$qemu_pid" qemu-system-x86 || echo "$qemu_pid")" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	stats=$(telemetry "$tag-r" '/tmmr_relay/stats,1')
	relay_check "the refused guest never counted as connected" \
		test "$(json_get "$stats" guest_connects)" = 0
}

if [ "$case" != basic ]; then
	"relay_case_$case"
	stop_pid "$relay_pid" INT
	relay_check "SIGINT stops the relay cleanly (exit $stopped_rc)" test "$stopped_rc" = 0
	relay_summary
	exit
fi

start_backend icmpecho "" "$WORK/vh-0" || fail "the backend did not start"
start_vf "$mode"
start_relay --vf "$vf_name,socket=$WORK/guest0.sock" --stats-interval 5
log "mode $mode, VF $vf_name"
relay_check "relay starts and listens" grep -q 'server listening on' "$WORK/relay.log"
qemu_args=$(sed -n 's/^  qemu: //p' "$WORK/relay.log" | head -1)
vf_mac=$(sed -n 's/^VF 0 .* MAC \([0-9A-F:]*\) .*/\1/p' "$WORK/relay.log" | head -1)
relay_check "relay prints the QEMU arguments with the VF MAC" \
	grep -q "mac=$vf_mac,disable-modern=on,vectors=0" <<<"$qemu_args"
be_mac=$(sed -n 's/^Port 0: \([0-9A-F:]*\)$/\1/p' "$WORK/backend.log" | head -1)

# boot_guest NAME MODE EXTRA_DEVICE_OPTIONS: the guest on the relay's socket, sets qemu_pid
boot_guest()
{
	qemu_guest "$1" 512 120 "tmmr.mode=$2 tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2" \
		"$qemu_args$3"
}

# check_guest NAME EXPECT_MRG(0/1)
check_guest()
{
	local log=$WORK/$1.log

	guest_common "$1" 90
	relay_check "$1: MRG_RXBUF (bit 15) is $2" test "$(feature_bit "$log" 15)" = "$2"
	relay_check "$1: eth0 has the VF MAC" grep -qi "GUEST: eth0 up mac $vf_mac" "$log"
	relay_check "$1: ARP answered by the backend ($be_mac)" \
		grep -qi "GUEST-ARP: 198.18.0.2 .*$be_mac" "$log"
	wait "$qemu_pid" 2>/dev/null
}

boot_guest legacy ping ""
check_guest legacy 1
relay_check "relay saw a legacy guest" grep -q 'guest connected .*legacy' "$WORK/relay.log"

boot_guest mrgoff ping ",mrg_rxbuf=off"
check_guest mrgoff 0

# idle: no guest, no traffic: the forwarding lcore sleeps
cpu0=$(cpu_ticks "$relay_pid")
sleep 2
cpu1=$(cpu_ticks "$relay_pid")
log "idle relay used $((cpu1 - cpu0)) ticks in 2 s"
relay_check "idle relay sleeps (<10% of a core)" test $((cpu1 - cpu0)) -lt 20

# a guest killed while pinging; a VF reset in between; a new guest gets through
boot_guest looping loop ""
relay_check "looping guest gets replies" wait_for "$WORK/looping.log" 'GUEST-LOOP: reply' 60
if [ "$mode" = mmr ]; then
	# VF link down/up in the model: the relay closes/reopens the guest's vhost-user
	# connection, QEMU turns the guest's virtio-net carrier off/on (VIRTIO_NET_S_LINK_UP)
	model_ok link 0 down
	relay_check "relay sees the VF link go down" wait_for "$WORK/relay.log" 'link down' 10
	relay_check "guest sees its link go down" wait_for "$WORK/looping.log" 'GUEST-LINK: down' 20
	model_ok link 0 up
	relay_check "relay sees the VF link come up" wait_for "$WORK/relay.log" 'link up' 10
	relay_check "guest sees its link come up" wait_for "$WORK/looping.log" 'GUEST-LINK: up' 30
	wait_for "$WORK/looping.log" 'NEVER' 5
	relay_check "guest gets replies again after link up" \
		after_last "$WORK/looping.log" 'GUEST-LINK: up' 'GUEST-LOOP: reply'
fi
kill -KILL "$(pgrep -P "$qemu_pid" qemu-system-x86 || echo "$qemu_pid")" 2>/dev/null
wait "$qemu_pid" 2>/dev/null
relay_check "relay notices the killed guest" wait_for "$WORK/relay.log" 'guest disconnected' 10
relay_check "relay survives the killed guest" kill -0 "$relay_pid"
want_resets=0
if [ "$mode" = mmr ]; then
	# the model reports a device fault (DEVICE_NEEDS_RESET and a config interrupt), the PMD
	# raises RTE_ETH_EVENT_INTR_RESET, the relay resets the VF and forwards again
	relay_check "model takes needs-reset" model_ok needs-reset 0
	relay_check "relay gets the PMD's reset event" \
		wait_for "$WORK/relay.log" 'reset requested by the device' 10
	relay_check "VF reset handled" wait_for "$WORK/relay.log" 'reset done, forwarding again' 10
	want_resets=1
fi
boot_guest restarted ping ""
check_guest restarted 1

stats=$(telemetry "$tag-r" '/tmmr_relay/stats,0')
log "stats: $stats"
# the link flap of mode mmr reconnects the looping guest once more
want_connects=4
[ "$mode" = mmr ] && want_connects=5
relay_check "telemetry counts $want_connects guest connections" \
	test "$(json_get "$stats" guest_connects)" = "$want_connects"
relay_check "telemetry counts $want_resets VF reset(s)" \
	test "$(json_get "$stats" vf_resets)" = "$want_resets"
relay_check "telemetry counts guest->vf packets" test "$(json_get "$stats" vf_tx_pkts)" -gt 6
relay_check "telemetry counts vf->guest packets" test "$(json_get "$stats" guest_rx_pkts)" -gt 6

# the model's VF surprise-removed: the PMD raises RTE_ETH_EVENT_INTR_RMV, the pair stops,
# the process goes on
if [ "$mode" = mmr ]; then
	relay_check "model takes unplug" model_ok unplug 0
	relay_check "VF removal handled" \
		wait_for "$WORK/relay.log" 'removed: its guest is disconnected' 10
	relay_check "socket closed after removal" wait_until 10 test ! -e "$WORK/guest0.sock"
	stats=$(telemetry "$tag-r" '/tmmr_relay/stats,0')
	relay_check "relay alive after removal, pair marked removed" \
		test "$(json_get "$stats" vf_state)" = removed
fi

stop_pid "$relay_pid" INT
rc=$stopped_rc
relay_check "SIGINT stops the relay cleanly (exit $rc)" test "$rc" = 0
relay_check "relay logged its stop" grep -q 'tmmr_relay: stopped' "$WORK/relay.log"
relay_summary
