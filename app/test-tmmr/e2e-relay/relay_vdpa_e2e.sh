#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# tmmr_relay --mode vdpa without a guest: the VF runs the rings of a DPDK net_virtio_user
# "frontend" (it lays split rings out with 4096 alignment, as a legacy guest does, and its own
# virtual addresses are its "guest-physical" ones):
#   testpmd fe (net_virtio_user) <-> relay socket <-> VF (tmmr-vfemu, class=vdpa)
#     <-> the model's vhost-user backend testpmd be (net_vhost)
# Checks: exact packet counts both ways, the frontend's memory mapped into the model while it
# is connected and unmapped after it left, MSI-X vectors wired, the relay's CPU time per packet
# near zero, a frontend with another ring size and one with VERSION_1 but no mergeable
# buffers refused with a clear reason while the relay lives on, the relay's telemetry, a
# frontend killed.
#
# --pairs N: N queue pairs on the VF and the frontend (MQ: the driver tells the VF through its
# control queue how many pairs the frontend enabled), the VF named with --vf; with 1 pair
# the relay serves every vDPA device with --socket-dir instead.
#
# usage: relay_vdpa_e2e.sh --build BUILD_DIR [--pairs N]
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
pairs=1
e2e_args "build: pairs:" "$@"
relay_init "vdpa$pairs" "$build" mmr
qsize=256

# status_field VF FIELD: one field of the model's status line
status_field()
{
	model_ctl status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# relay_cpu_ticks: user + system ticks of every thread of the relay so far
relay_cpu_ticks()
{
	local pid t sum=0
	local -a st

	pid=$(pgrep -P "$relay_pid" | head -n 1)
	for t in /proc/"$pid"/task/*/stat; do
		read -r -a st < "$t" 2> /dev/null || continue
		# the comm field may hold no space here: the relay names its threads without
		sum=$((sum + st[13] + st[14]))
	done
	echo "$sum"
}

# fe_start NAME QUEUE_SIZE [DEVARGS]: the frontend testpmd on the relay's socket, rxonly
fe_start()
{
	tp_start "$1" "$E2E_CPU_PMD" "" --no-pci \
		--vdev "net_virtio_user0,path=$sock,queues=$pairs,queue_size=$2${3:-}" -- -i \
		--total-num-mbufs=16384 --txpkts=64 --no-lsc-interrupt --disable-link-check \
		--forward-mode=rxonly --rxq="$pairs" --txq="$pairs"
}

# burst FROM TO SECONDS: FROM sends txonly for SECONDS while TO receives (rxonly)
burst()
{
	tp_do_on "$2" "start"
	tp_do_on "$1" "set fwd txonly"
	tp_do_on "$1" "start"
	sleep "$3"
	tp_fwd_stop "$1" > /dev/null
	sleep 1
	tp_fwd_stop "$2" > /dev/null
	tp_do_on "$1" "set fwd rxonly"
}

tp_do_on()
{
	tp_run "$1" 30 'testpmd> ' "$2" > /dev/null
}

vfemu_start --vfs 1 --queue-size "$qsize" --queue-pairs "$pairs"
vf=${VF_BDFS[0]}
tp_start be "$E2E_CPU_BACKEND" "" --no-pci \
	--vdev "net_vhost0,iface=$(vhost_sock 0),queues=$pairs" -- -i --total-num-mbufs=16384 \
	--txpkts=64 --no-lsc-interrupt --disable-link-check --forward-mode=rxonly \
	--rxq="$pairs" --txq="$pairs"
be_sock=$(vhost_sock 0)
wait_until 20 test -S "$be_sock" || fail "backend socket missing"

# one pair: every vDPA device served, sockets in --socket-dir; more: the VF named with --vf
if ((pairs == 1)); then
	sock=$WORK/$vf.sock
	vf_opt=(--socket-dir "$WORK")
else
	sock=$WORK/guest0.sock
	vf_opt=(--vf "$vf,socket=$sock")
fi
e2e_prefixes+=("$tag-r")
# the relay's own DMA memory (IOVA = VA) away from the frontend's addresses (its "GPAs", from
# 4 GiB up): at 4 TiB, or at 1 GiB below the shadow of a relay built with ASan (2 GiB-16 TiB)
base=0x40000000000
if [[ -n $E2E_ASAN_RT ]]; then
	base=0x40000000
fi
# the VF's link is down when the relay starts: its socket opens only once the link is up. A
# down shorter than --link-hold-ms is a blip the guest is not told of: 3 s here, so that a
# loaded machine does not stretch the test's blip of 0.5 s past it
model_ok link 0 down || fail "the model did not take the VF link down"
e2e_spawn relay env "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
	"ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0" "$RELAY_BIN" -l 0 \
	--no-huge -m 256 --file-prefix "$tag-r" --base-virtaddr "$base" -d "$PMD_ARG" \
	-a "$vf,class=vdpa,modern=1,resume=1" -- --mode vdpa "${vf_opt[@]}" --stats-interval 0 \
	--link-hold-ms 3000
relay_pid=$pid_relay
relay_check "VF link down at start: no socket yet" \
	wait_for "$WORK/relay.log" "VF $vf: link down, socket .* opens when it comes up" 30
relay_check "VF link down at start: socket file absent" test ! -e "$sock"
model_ok link 0 up
relay_check "VF link up: the relay logs it" wait_for "$WORK/relay.log" "VF $vf: link up" 10
relay_check "relay serves the VF as a vDPA device" \
	wait_for "$WORK/relay.log" 'vDPA, vhost-user server listening' 30
relay_check "no forwarding in the relay: no mbuf pool" \
	bash -c "! grep -q 'relay_mbufs' '$WORK/relay.log'"

# --- a frontend whose rings the VF cannot run: refused, the relay lives on
fe_start bad $((qsize / 2))
relay_check "a ring of another size is refused with its reason" \
	wait_for "$WORK/relay.log" "refused: vring 0: ring of $((qsize / 2)) entries, the VF's queue has $qsize" 20
relay_check "the refusal is said once" \
	test "$(grep -c 'refused:' "$WORK/relay.log")" = 1
relay_check "nothing mapped for a refused guest" test "$(status_field 0 dma_maps)" = 0
tel=$(telemetry "$tag-r" /tmmr_relay/stats,0)
refused=$(json_get "$tel" vf_guest_refused)
relay_check "the driver reports the refusal (vf_guest_refused $refused), no --fallback: stays" \
	test "$refused $(json_get "$tel" path) $(json_get "$tel" fallbacks)" = "1 vdpa 0"
tp_quit bad
relay_check "vf_guest_refused 0 once the refused frontend left" \
	wait_eq 10 0 relay_stat vf_guest_refused
# VERSION_1 is served only with MRG_RXBUF: the 12-byte header of a legacy guest's
fe_start bad2 "$qsize" ,mrg_rxbuf=0
relay_check "VERSION_1 without mergeable buffers is refused with its reason" \
	wait_for "$WORK/relay.log" "refused: the guest acked VERSION_1 without MRG_RXBUF" 20
tp_quit bad2
relay_check "the relay is alive after the refusals" kill -0 "$relay_pid"

# --- the real run
fe_start fe "$qsize"
relay_check "the frontend runs on the VF" \
	wait_for "$WORK/relay.log" 'runs on the VF: features' 20
st=$(model_ctl status 0)
log "model while connected: $st"
maps=$(status_field 0 dma_maps)
relay_check "guest memory DMA-mapped into the model (dma_maps=$maps)" test "${maps:-0}" -gt 0
relay_check "MSI-X vectors wired to the call fds ($(status_field 0 msix))" \
	test "$(status_field 0 msix)" -ge $((2 * pairs))
if ((pairs > 1)); then
	relay_check "the VF was told $pairs queue pairs ($(status_field 0 pairs))" \
		wait_eq 10 "$pairs" status_field 0 pairs
fi
relay_check "the VF is at DRIVER_OK" test "$(( $(status_field 0 status) & 4 ))" = 4
tp_wait_links fe 20 0
tp_wait_links be 20 0

# a VF link blip (the model's backend reconnecting looks like one): the frontend stays
model_ok link 0 down
sleep 0.5
model_ok link 0 up
relay_check "a 0.5 s VF link down is a blip: counted, not reflected (link_blips 1)" \
	wait_eq 5 1 relay_stat link_blips
relay_check "the relay logged the blip" grep -q "up again within --link-hold-ms 3000" \
	"$WORK/relay.log"
relay_check "the frontend stayed on the VF through the blip" \
	test "$(grep -c 'left the VF' "$WORK/relay.log")" = 0

ticks0=$(relay_cpu_ticks)
t0=$SECONDS
burst fe be 3
burst be fe 3
elapsed=$((SECONDS - t0))
ticks1=$(relay_cpu_ticks)

read -r fe_rx _ fe_rxe _ fe_tx fe_txe _ < <(tp_port_stats fe 0)
read -r be_rx _ be_rxe _ be_tx be_txe _ < <(tp_port_stats be 0)
log "frontend rx $fe_rx tx $fe_tx; backend rx $be_rx tx $be_tx"
relay_check_counts frontend backend "$fe_tx" "$be_rx" 10001
relay_check_counts backend frontend "$be_tx" "$fe_rx" 10001
pkts=$((fe_tx + be_tx))
cpu=$((ticks1 - ticks0))
hz=$(getconf CLK_TCK)
tel=$(telemetry "$tag-r" /tmmr_relay/stats)
log "telemetry: $tel"
relay_check "telemetry shows the connected guest" \
	test "$(json_get "$tel" 0 guest)" = connected
kicks=$(json_get "$tel" 0 kicks_relayed)
done_descs=$(json_get "$tel" 0 completed_descriptors)
log "relay CPU over ${elapsed}s, $pkts packets and ${kicks:-0} kicks: $cpu ticks of 1/$hz s" \
	"($(awk -v t="$cpu" -v h="$hz" -v p="$pkts" 'BEGIN { printf "%.1f", t / h * 1e9 / p }') ns/packet)"
# the copy relay spends a core over the run (about elapsed * hz ticks); the vDPA relay only
# samples the used rings every 5 to 40 ms (at most 2 % here) and relays kicks (at most 50 us each)
relay_check "relay CPU near zero: $cpu ticks in ${elapsed}s for $pkts packets, ${kicks:-0} kicks" \
	test "$cpu" -le $((elapsed * hz / 50 + ${kicks:-0} * hz / 20000))
relay_check "telemetry of VF 0 alone names it" \
	test "$(relay_stat vf)" = "$vf"
relay_check "telemetry lists the VF" \
	test "$(json_get "$(telemetry "$tag-r" /tmmr_relay/pairs)")" = "['$vf']"
relay_check "telemetry counts relayed kicks ($kicks)" test "${kicks:-0}" -ge 1
# one descriptor per 64-byte packet each way; the 16-bit used index is sampled every 5 to 40
# ms, so a burst after idle or a starved sampler (two busy-polling testpmds share the 2 CPUs)
# misses whole wraps only
relay_check "completed descriptors ($done_descs) are the $pkts packets, modulo 65536" \
	test "${done_descs:-0}" -gt 0 -a "${done_descs:-0}" -le "$pkts" -a \
	"$(((pkts - ${done_descs:-0}) % 65536))" = 0

tp_quit fe
relay_check "the guest left the VF" wait_for "$WORK/relay.log" 'left the VF' 20
relay_check "guest memory unmapped from the model" \
	wait_eq 10 0 status_field 0 dma_maps
relay_check "MSI-X unwired" test "$(status_field 0 msix)" = 0
relay_check "the VF is reset" test "$(status_field 0 status)" = 0x00

# --- a frontend that dies without a word: the VF lets go of its memory all the same
fe_start fe2 "$qsize"
relay_check "a new frontend runs on the VF" \
	wait_eq 20 2 grep -c 'runs on the VF: features' "$WORK/relay.log"
relay_check "its memory is mapped" test "$(status_field 0 dma_maps)" -gt 0
# the model renews its backend session for the new memory at the old addresses: that is
# no link change, else the relay would drop each new frontend once
sleep 1
relay_check "the new frontend did not flap the VF link (the relay saw 1 change, at start)" \
	test "$(relay_stat link_changes)" = 1
tp_kill fe2
t0=$SECONDS
relay_check "the killed frontend left the VF" \
	wait_eq 20 2 grep -c 'left the VF' "$WORK/relay.log"
log "the relay let go of the killed frontend after $((SECONDS - t0)) s"
relay_check "its memory unmapped from the model" \
	wait_eq 10 0 status_field 0 dma_maps

stop_pid "$relay_pid" INT
relay_check "relay stops cleanly" test "$stopped_rc" = 0
relay_summary
