#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs devtools/bench.sh's switch section briefly (1 round of 1 s, 64-byte
# frames, no waiting for a quiet machine) and checks the format of what it
# prints, never a speed: the round's load line, a line per measurement with
# Mpps, the switch's busy cycles per packet (relay, OVS) and its host CPU
# cycles per packet (all three contenders: relay, vdpa, OVS), the
# min/median/max table, the headline ratio lines, every figure a positive
# number (the vDPA relay's CPU may be 0). Skipped (77) when the section cannot
# run all contenders (OVS-DPDK not installed, no hugepages: needs root; the
# relay not built).
# usage: bench_switch_check.sh BUILD-DIR
set -euo pipefail

build=$1
# shellcheck source=bench_check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_check_lib.sh"
bench_run --build "$build" --sections switch --rounds 1 --duration 1 --sizes 64
if grep -Eq '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out"; then
	echo "SKIP: $(grep -E '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out")"
	exit 77
fi

grep -Eq "^switch round 1: load1 before $num, order (relay vdpa ovs|vdpa ovs relay|ovs relay vdpa) $" \
	"$out" || bad "no load line of round 1"
for who in relay vdpa ovs; do
	cy="($num)" pi="($num)"
	[[ $who == ovs ]] && pi="(na)"
	[[ $who == vdpa ]] && cy="(na)" pi="(na)"
	re="^  round 1 $who +64B: +($num) Mpps, busy cycles/pkt +$cy, pkts/busy-iteration"
	re+=" $pi, host CPU cycles/pkt ($num), load1 $num$"
	line=$(grep -E "^  round 1 $who " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "measurement line of $who: '$line'"
		continue
	fi
	# the CPU of the vDPA relay, which moves no packet, may round to 0; [-3]: the CPU
	# figure (the load figure's fraction and the CPU's own come after it)
	figs=("${BASH_REMATCH[1]}")
	[[ $who != vdpa ]] && figs+=("${BASH_REMATCH[3]}" "${BASH_REMATCH[-3]}")
	[[ $who == relay ]] && figs+=("${BASH_REMATCH[5]}")
	for v in "${figs[@]}"; do
		pos "$v" || bad "$who: figure $v is not positive"
	done
	cy="($num)/($num)/($num)"
	[[ $who == vdpa ]] && cy="(na)()()()()()"
	re="^$who +64 +($num)/($num)/($num) +$cy +($num)/($num)/($num) *$"
	line=$(grep -E "^$who +64 " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "table row of $who: '$line'"
		continue
	fi
	ks=(1 13)
	[[ $who != vdpa ]] && ks+=(7)
	for k in "${ks[@]}"; do
		if [[ $who == vdpa && $k == 13 ]]; then
			awk -v a="${BASH_REMATCH[13]}" -v b="${BASH_REMATCH[15]}" \
				-v c="${BASH_REMATCH[17]}" 'BEGIN { exit !(a <= b && b <= c) }' ||
				bad "vdpa: CPU not min <= median <= max"
			continue
		fi
		mmm_ok "$who" "${BASH_REMATCH[k]}" "${BASH_REMATCH[k + 2]}" "${BASH_REMATCH[k + 4]}"
	done
done
re="^ratio relay/ovs cycles=($num) mpps=($num) \\(64B\\)$"
line=$(grep -F "ratio relay/ovs " "$out" || true)
if [[ $line =~ $re ]]; then
	if ! pos "${BASH_REMATCH[1]}" || ! pos "${BASH_REMATCH[3]}"; then
		bad "ratio line with a figure not positive: $line"
	fi
else
	bad "headline ratio line: '$line'"
fi
re="^ratio vdpa/relay cpu=($num) mpps=($num) \\(64B\\)$"
line=$(grep -F "ratio vdpa/relay " "$out" || true)
if [[ $line =~ $re ]]; then
	pos "${BASH_REMATCH[3]}" || bad "vdpa/relay ratio line with Mpps not positive: $line"
else
	bad "vdpa/relay ratio line: '$line'"
fi
grep -Eq "^load average during the measurements \\(1 min\\): min $num, max $num$" "$out" ||
	bad "no load summary line"

rows=$(($(wc -l < "$res/r/switch.csv") - 1))
((rows == 3)) || bad "switch.csv has $rows rows"
[[ $(head -n 1 "$res/r/switch.csv") == \
	round,contender,size,mpps,load1,cycles_per_pkt,pkts_per_busy_iter,cpu_cycles_per_pkt ]] ||
	bad "switch.csv header: $(head -n 1 "$res/r/switch.csv")"

bench_done
