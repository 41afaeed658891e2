#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# tmmr_relay --mode vdpa --fallback copy without a guest: a net_virtio_user frontend whose
# rings the VF cannot run (another ring size) is refused by the vDPA driver; the relay then
# drops it, probes the VF as an ethdev and serves the socket by copying (a worker lcore):
#   testpmd fe (net_virtio_user) <-> relay socket <-> [vDPA | copy] VF (tmmr-vfemu)
#     <-> the model's vhost-user backend testpmd be (net_vhost)
# Checks: the switch logged, telemetry path=copy and fallbacks=1, the frontend (started again:
# net_virtio_user does not reconnect by itself, QEMU with reconnect=1 does) served with exact
# counts both ways, the VF a vDPA device again once it left, and a frontend of the VF's ring
# size then run by the VF itself (memory mapped in the model, kicks relayed, exact counts);
# --fallback copy refused without a worker lcore or without --mode vdpa.
#
# usage: relay_vdpa_fallback_e2e.sh --build BUILD_DIR
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
e2e_args "build:" "$@"
relay_init vdpa-fallback "$build" mmr
qsize=256

status_field()
{
	model_ctl status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# fe_start NAME QUEUE_SIZE: the frontend testpmd on the relay's socket, rxonly
fe_start()
{
	tp_start "$1" "$E2E_CPU_PMD" "" --no-pci \
		--vdev "net_virtio_user0,path=$sock,queues=1,queue_size=$2" -- -i \
		--total-num-mbufs=16384 --txpkts=64 --no-lsc-interrupt --disable-link-check \
		--forward-mode=rxonly
}

tp_do_on()
{
	tp_run "$1" 30 'testpmd> ' "$2" > /dev/null
}

# exchange FE: FE sends 16 bursts of 64 packets to the backend, then the backend as many to FE
# (paced: a copy path drops what the VF's full Tx ring does not take, a flood would measure
# that); checks exact counts
exchange()
{
	local fe_rx fe_tx be_rx be_tx from to i

	for from in "$1" be; do
		to=$1
		[ "$from" = be ] || to=be
		tp_do_on "$to" "start"
		for ((i = 0; i < 16; i++)); do
			tp_do_on "$from" "start tx_first 2"
			sleep 0.2
			tp_fwd_stop "$from" > /dev/null
		done
		sleep 1
		tp_fwd_stop "$to" > /dev/null
	done
	read -r fe_rx _ _ _ fe_tx _ _ < <(tp_port_stats "$1" 0)
	read -r be_rx _ _ _ be_tx _ _ < <(tp_port_stats be 0)
	log "$1 rx $fe_rx tx $fe_tx; backend rx $be_rx tx $be_tx (cumulative)"
	relay_check_counts "$1" backend "$fe_tx" "$((be_rx - be_rx0))" 1000
	relay_check_counts backend "$1" "$((be_tx - be_tx0))" "$fe_rx" 1000
	be_rx0=$be_rx
	be_tx0=$be_tx
}

# path_and_fallbacks: "PATH FALLBACKS" of VF 0 in the relay's telemetry
path_and_fallbacks()
{
	echo "$(relay_stat path) $(relay_stat fallbacks)"
}

vfemu_start --vfs 1 --queue-size "$qsize"
vf=${VF_BDFS[0]}
sock=$WORK/$vf.sock
be_rx0=0
be_tx0=0

# the option's own errors, before any VF is touched
relay_env=(env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS"
	"ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0")
out=$(timeout 60 "${relay_env[@]}" "$RELAY_BIN" -l 0 --no-huge -m 256 \
	--file-prefix "$tag-x" -d "$PMD_ARG" -a "$vf,class=vdpa" -- --mode vdpa \
	--socket-dir "$WORK" --fallback copy 2>&1)
rc=$?
relay_check "--fallback copy without a worker lcore: refused (rc $rc)" \
	test "$rc" != 0 -a -n "$(grep 'needs a worker lcore' <<< "$out")"
out=$(timeout 60 "$RELAY_BIN" --no-huge -m 64 --no-pci --file-prefix "$tag-y" -l 0 -- \
	--socket-dir "$WORK" --fallback copy 2>&1)
rc=$?
relay_check "--fallback copy without --mode vdpa: refused (rc $rc)" \
	test "$rc" = 2 -a -n "$(grep 'without --mode vdpa' <<< "$out")"

tp_start be "$E2E_CPU_BACKEND" "" --no-pci \
	--vdev "net_vhost0,iface=$(vhost_sock 0),queues=1" -- -i --total-num-mbufs=16384 \
	--txpkts=64 --no-lsc-interrupt --disable-link-check --forward-mode=rxonly
be_sock=$(vhost_sock 0)
wait_until 20 test -S "$be_sock" || fail "backend socket missing"

e2e_prefixes+=("$tag-r")
base=0x40000000000
if [[ -n $E2E_ASAN_RT ]]; then
	base=0x40000000
fi
# lcore 0 the control tick, lcore 1 the copy path's forwarding, both on CPU 0
e2e_spawn relay "${relay_env[@]}" "$RELAY_BIN" --lcores 0@0,1@0 \
	--no-huge -m 256 --file-prefix "$tag-r" --base-virtaddr "$base" -d "$PMD_ARG" \
	-a "$vf,class=vdpa,modern=1,resume=1" -- --mode vdpa --socket-dir "$WORK" \
	--fallback copy --stats-interval 0
relay_pid=$pid_relay
relay_check "relay serves the VF as a vDPA device" \
	wait_for "$WORK/relay.log" 'vDPA, vhost-user server listening' 30
relay_check "telemetry: path vdpa, no fallback yet" \
	test "$(relay_stat path) $(relay_stat fallbacks) $(relay_stat vf_guest_refused)" = "vdpa 0 0"
# the copy path's worker lcore sleeps while no guest is served by copying
read -r -a st0 <<<"$(cut -d' ' -f14,15 "/proc/$(pgrep -P "$relay_pid" | head -n 1)/stat")"
sleep 2
read -r -a st1 <<<"$(cut -d' ' -f14,15 "/proc/$(pgrep -P "$relay_pid" | head -n 1)/stat")"
idle=$((st1[0] + st1[1] - st0[0] - st0[1]))
relay_check "idle relay with --fallback copy sleeps: $idle ticks in 2 s (< 10% of a core)" \
	test "$idle" -lt $(($(getconf CLK_TCK) / 5))

# --- a frontend of another ring size: refused by the VF, the relay switches to copying
fe_start bad $((qsize / 2))
relay_check "the VF refuses the frontend with its reason" \
	wait_for "$WORK/relay.log" "refused: vring 0: ring of $((qsize / 2)) entries" 20
relay_check "the relay logs the switch to the copy path" \
	wait_for "$WORK/relay.log" "VF $vf: served by the copy path" 20
relay_check "telemetry: path copy, 1 fallback" \
	test "$(relay_stat path) $(relay_stat fallbacks)" = "copy 1"
# the relay dropped the connection; net_virtio_user does not come back by itself
tp_quit bad
fe_start fe $((qsize / 2))
relay_check "the frontend connects to the copy path" \
	wait_eq 20 connected relay_stat guest
tp_wait_links fe 20 0
tp_wait_links be 20 0
exchange fe
relay_check "the copy path counted the packets (guest_tx_pkts $(relay_stat guest_tx_pkts))" \
	test "$(relay_stat guest_tx_pkts)" -ge 1000 -a "$(relay_stat guest_rx_pkts)" -ge 1000
relay_check "still on the copy path while the frontend is there" test "$(relay_stat path)" = copy

# --- it leaves: the VF is a vDPA device again, a frontend of its ring size runs on it
tp_quit fe
relay_check "the relay logs the switch back to vDPA" \
	wait_for "$WORK/relay.log" "VF $vf: the copy path's guest left: the VF is a vDPA" 20
relay_check "telemetry: path vdpa, fallbacks still 1" \
	wait_eq 10 "vdpa 1" path_and_fallbacks
fe_start good "$qsize"
relay_check "the good frontend runs on the VF" \
	wait_for "$WORK/relay.log" 'runs on the VF: features' 20
relay_check "its memory is mapped into the model ($(status_field 0 dma_maps))" \
	test "$(status_field 0 dma_maps)" -gt 0
tp_wait_links good 20 0
exchange good
relay_check "zero copy: the driver relayed kicks ($(relay_stat kicks_relayed))" \
	test "$(relay_stat kicks_relayed)" -ge 1
relay_check "no second fallback" test "$(relay_stat path) $(relay_stat fallbacks)" = "vdpa 1"
relay_check "the switches were logged once each" \
	test "$(grep -c 'switching to the copy path' "$WORK/relay.log")" = 1
tp_quit good
relay_check "the good frontend left the VF" wait_for "$WORK/relay.log" 'left the VF' 20

stop_pid "$relay_pid" INT
relay_check "relay stops cleanly" test "$stopped_rc" = 0
relay_summary
