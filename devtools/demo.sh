#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The tmmr demo: two virtio Transitional MMR VFs of the software model
# (tmmr-vfemu) driven by the net_virtio_tmmr PMD inside dpdk-testpmd, which
# forwards between them (io mode) for a bounded time. Its last line is
#
#   RESULT mpps=<float> rx=<n> tx=<n> errors=<n>
#
# mpps: packets the forwarder received per second, both VFs together, over
# the measurement window (after a 1 s warm-up); rx/tx: the forwarder's
# RX-packets/TX-packets of both ports at the end; errors: RX-missed +
# RX-errors + RX-nombuf + TX-errors of both ports. Exit status 0 when both
# directions carried traffic and errors is 0.
#
# Traffic source: the backend testpmd that serves both VFs' vhost-user sockets
# with net_vhost ports. It is started in io mode with "start tx_first N": it
# first sends N bursts of 32 packets of 64 bytes (--txpkts 64) on each of its
# ports, then forwards vhost1 -> vhost0 and vhost0 -> vhost1. The packets thus
# circulate for as long as the run lasts, in both directions:
#   vhost0 -> VF0 -> [forwarder io] -> VF1 -> vhost1 -> [backend io] -> vhost0
#   vhost1 -> VF1 -> [forwarder io] -> VF0 -> vhost0 -> [backend io] -> vhost1
# A closed loop with a fixed population needs no generator core and never
# overruns a ring, so every counter is meaningful (no drops by design) and
# the rate measures the slower of the two processes, each on its own CPU.
#
# Options: --duration S (measurement window, default 10), --bursts N (packets
# in flight per direction = 32 N, default 4), --build DIR (default build),
# --standin (DPDK's net_virtio_user ports instead of the model and the PMD:
# the reference figure for the same backend), --server (the model listens,
# the backend connects), --no-setup, --keep (keep the logs).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=10
bursts=4
build=$top/build
standin=0
server=0
setup=1
while (($#)); do
	case $1 in
	--duration) duration=$2; shift ;;
	--bursts) bursts=$2; shift ;;
	--build) build=$(realpath -m "$2"); shift ;;
	--standin) standin=1 ;;
	--server) server=1 ;;
	--no-setup) setup=0 ;;
	--keep) export E2E_KEEP=1 ;;
	-h|--help)
		sed -n '4,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
		exit 0 ;;
	*) echo "demo: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $duration =~ ^[0-9]+$ ]] && ((duration > 0)) || { echo "demo: --duration: seconds" >&2; exit 2; }
[[ $bursts =~ ^[0-9]+$ ]] && ((bursts > 0)) || { echo "demo: --bursts: a count" >&2; exit 2; }

# what the RESULT line reports; kept current so a failure still ends with one
res_mpps=0.000
res_rx=0
res_tx=0
res_errors=0

e2e_on_exit()
{
	printf 'RESULT mpps=%s rx=%s tx=%s errors=%s\n' "$res_mpps" "$res_rx" "$res_tx" "$res_errors"
}

early_fail()
{
	echo "demo: $*" >&2
	e2e_on_exit
	exit 1
}

# --- set up and build ---
if ((setup)) && [[ -x $top/devtools/setup.sh ]]; then
	"$top/devtools/setup.sh" >&2 || early_fail "devtools/setup.sh failed"
fi
if [[ ! -f $build/build.ninja ]]; then
	echo "demo: configuring $build" >&2
	meson setup "$build" "$top" >&2 || early_fail "meson setup $build failed"
fi
# only what the demo runs, so unrelated work in progress cannot stop it
ninja -C "$build" -j2 app/test-tmmr/vfemu/tmmr-vfemu \
	drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so >&2 || early_fail "build failed"

export E2E_BUILD=$build
export E2E_LIFETIME=$((duration + 120))
# shellcheck source=../app/test-tmmr/e2e/lib.sh
source "$top/app/test-tmmr/e2e/lib.sh"
e2e_init demo

# --- the three processes ---
socks=("$WORK/vh-0" "$WORK/vh-1")
if ((standin)); then
	log "stand-in: net_virtio_user ports instead of tmmr-vfemu + net_virtio_tmmr"
	if ((server)); then
		TP_NOWAIT=1 tp_virtio_user_start fwd 1 1 "${socks[@]}"
		wait_until 10 test -S "${socks[0]}" || fail "virtio_user did not listen"
		tp_backend_start backend 1 1 "${socks[@]}"
		tp_wait_prompt fwd
	else
		tp_backend_start backend 1 0 "${socks[@]}"
		tp_virtio_user_start fwd 1 0 "${socks[@]}"
	fi
else
	if ((server)); then
		vfemu_start --vfs 2 --server
		tp_backend_start backend 1 1 "$(vhost_sock 0)" "$(vhost_sock 1)"
	else
		tp_backend_start backend 1 0 "${socks[@]}"
		vfemu_start --vfs 2
	fi
	tp_pmd_start fwd 1 "${VF_BDFS[0]}" "${VF_BDFS[1]}"
fi
check_eq "forwarder has two ports" "$(tp_nb_ports fwd)" 2
tp_wait_links fwd 30 0 1
tp_wait_links backend 30 0 1

# snap: one "show port stats all" of the forwarder into SNAP_T (when it was
# asked), SNAP_RX0 SNAP_RX1 (per VF), SNAP_RX SNAP_TX SNAP_ERR (both VFs)
snap()
{
	local line

	SNAP_T=$(date +%s.%N)
	line=$(tp_all_stats fwd 2 | awk '
		{ rxp[$1] = $2; rx += $2; tx += $6; err += $3 + $4 + $5 + $7; n++ }
		END { if (n == 2) print rxp[0], rxp[1], rx, tx, err }')
	[[ -n $line ]] || fail "no port stats from the forwarder"
	read -r SNAP_RX0 SNAP_RX1 SNAP_RX SNAP_TX SNAP_ERR <<< "$line"
}

# --- traffic ---
tp_run fwd 5 'packets/burst' start > /dev/null || fail "forwarder did not start"
tp_run backend 10 'packets/burst' "start tx_first $bursts" > /dev/null ||
	fail "backend did not start sending"
sleep 1
snap
t0=$SNAP_T rx0=$SNAP_RX p0a=$SNAP_RX0 p1a=$SNAP_RX1
log "measuring for ${duration}s"
sleep "$duration"
snap
t1=$SNAP_T rx1=$SNAP_RX p0b=$SNAP_RX0 p1b=$SNAP_RX1
res_mpps=$(awk -v d=$((rx1 - rx0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", d / (b - a) / 1e6 }')
log "window: $((rx1 - rx0)) packets in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
	"s (VF0 $((p0b - p0a)), VF1 $((p1b - p1a))): $res_mpps Mpps"

# the source stops first; the forwarder passes on what is still in flight
tp_fwd_stop backend > "$WORK/backend.stop"
sleep 0.5
tp_fwd_stop fwd > "$WORK/fwd.stop"
snap
res_rx=$SNAP_RX res_tx=$SNAP_TX res_errors=$SNAP_ERR
log "forwarder totals: rx $res_rx tx $res_tx errors $res_errors"
((res_rx == res_tx)) || log "note: the forwarder dropped $((res_rx - res_tx)) packets on Tx"

check "VF0 -> VF1 carried traffic" test $((p0b - p0a)) -gt 0
check "VF1 -> VF0 carried traffic" test $((p1b - p1a)) -gt 0
check_eq "no errors" "$res_errors" 0
log "PASS"
