#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Where the vhost BACKEND of devtools/bench.sh's fwd loop spends its time, per
# contender, side by side: one fwd measurement each (bench/lib.sh measure_fwd),
# with perf sampling the backend's CPU over the measuring window. This VM has no
# hardware counters, so the event is cpu-clock (timer sampling): it sees time
# wherever it goes, cache and coherence stalls included, which callgrind
# (backend-ir.sh: instructions) does not model. A sample lands on the
# instruction that was waiting; a stalled store shows on the next store.
# Each code address gets cycles per packet: its share of the CPU's samples times
# the CPU's cycles per packet over the window (MHz / Mpps). librte_vhost's static
# functions are named from libdpdk-dev's static archive (vhost_syms.py), other
# addresses are left as perf gives them.
#
# usage: backend-perf.sh [--build DIR] [--size N] [--seconds S] [--top N]
#                        [--keep DIR] [CONTENDER...]
#   CONTENDER  as in bench.sh's fwd section (default: tmmr vu_default)
#   --size     frame size (default 64); --seconds: window (default 5)
#   --top      addresses shown, those where the contenders differ most (default 12)
#   --keep     keep the perf data files and reports there
#   FWD_TMMR_DEVARGS=",mrg_rxbuf=1" in the environment: the tmmr VF's devargs
#   (mergeable buffers, so the Tx header store of num_buffers comes back)
# Output: the fwd figures of each measurement, then a table: address (DSO and
# function+offset), cycles per packet per contender, the largest difference.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PERF_NAME=beperf
PERF_CONTENDER='^[a-z][a-z_0-9]*$'
PERF_DEFAULT="tmmr vu_default"
PERF_ARGS=("$@")
# shellcheck source=perf_common.sh
source "$top/devtools/bench/perf_common.sh"

for who in "${contenders[@]}"; do
	# sampled within the window, which measure_fwd brackets with its snapshots
	FWD_DURING="perf record -q -C $E2E_CPU_BACKEND -e cpu-clock -F 4000 -o $out/$who.data --"
	FWD_DURING+=" sleep $((seconds > 1 ? seconds - 1 : 1))"
	measure_fwd "$who" "$size" "$seconds"
	FWD_DURING=
	read -r mpps cyc becyc _ <<< "$RESULT"
	echo "$who ${size}B: $mpps Mpps, measured side $cyc busy cycles/pkt, backend $becyc"
	perf_rows "$out/$who.data" "$mpps" "$E2E_CPU_BACKEND=-" > "$out/$who.txt"
done

# the table: one row per DSO and address (or symbol), one column per contender
python3 "$top/devtools/bench/perf_table.py" --order diff \
	--title "backend CPU cycles per packet by address (perf cpu-clock), largest differences first" \
	"$out" "$syms" "$ntop" "${contenders[@]}"
