#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Where both CPUs of devtools/bench.sh's switch section spend their time, per
# contender, side by side: one switch measurement each (bench/switch.sh), with
# perf sampling every CPU over the measuring window (cpu-clock, as
# backend-perf.sh: this VM has no hardware counters; timer sampling sees cache
# and coherence stalls). Each function on each side gets cycles per packet: its
# share of that CPU's samples times the CPU's cycles per packet over the window
# (MHz / Mpps, Mpps being what the endpoint received on both ports). The
# endpoint is the traffic generator on CPU 0 (the "VM"'s virtio_user and the VF's
# vhost backend), the switch the relay's or OVS's forwarding thread on CPU 1;
# idle time shows as the kernel's idle functions.
#
# usage: switch-perf.sh [--build DIR] [--size N] [--seconds S] [--top N]
#                       [--keep DIR] [CONTENDER...]
#   CONTENDER  relay, ovs or vdpa (default: relay ovs)
#   --size     frame size (default 64); --seconds: window (default 5)
#   --top      functions shown per side, the largest first (default 12)
#   --keep     keep the perf data files and reports there
# Output: the switch figures of each measurement (as bench.sh's), then a table:
# side, DSO and function, cycles per packet per contender, the difference.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PERF_NAME=swperf
PERF_CONTENDER='^(relay|ovs|vdpa)$'
PERF_DEFAULT="relay ovs"
PERF_ARGS=("$@")
# shellcheck source=perf_common.sh
source "$top/devtools/bench/perf_common.sh"
BENCH_CSV=/dev/null
# shellcheck source=switch.sh
source "$top/devtools/bench/switch.sh"
[[ -f $PMD_SO && -x $VFEMU_BIN && -x $RELAY_BIN ]] ||
	fail "the PMD, the model and tmmr_relay must be built in $build"
if [[ " ${contenders[*]} " == *" ovs "* ]] &&
	{ [[ ! -x $OVS_VSWITCHD_DPDK ]] || ! command -v ovsdb-server > /dev/null; }; then
	fail "OVS-DPDK is not installed (openvswitch-switch-dpdk)"
fi
# hugepages as bench.sh's switch section has them (OVS needs them; the relay and
# the endpoint use them when there)
if ! sw_hugepages_reserve; then
	sw_hugepages_restore
	fail "could not reserve $SWITCH_HUGE_PAGES hugepages"
fi

for who in "${contenders[@]}"; do
	# sampled within the window, which sw_traffic brackets with its snapshots
	SW_DURING="perf record -q -a -e cpu-clock -F 4000 -o $out/$who.data --"
	SW_DURING+=" sleep $((seconds > 1 ? seconds - 1 : 1))"
	SW_SIZE=$size "measure_$who" "$seconds"
	SW_DURING=
	read -r mpps _ cyc _ _ epcyc _ _ lim _ <<< "$RESULT"
	echo "$who ${size}B: $mpps Mpps, switch $cyc busy cycles/pkt, endpoint $epcyc, limit=$lim"
	perf_rows "$out/$who.data" "$mpps" "$E2E_CPU_BACKEND=endpoint" "$E2E_CPU_PMD=switch" \
		> "$out/$who.txt"
done
sw_hugepages_restore

python3 "$top/devtools/bench/perf_table.py" --by function --order size \
	--title "CPU cycles per packet by function (perf cpu-clock), per side, the largest first" \
	"$out" "$syms" "$ntop" "${contenders[@]}"
