#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs devtools/bench.sh's switch section briefly (1 round of 1 s, 64-byte
# frames, no waiting for a quiet machine) and checks the format of what it
# prints, never a speed: the round's load line, a line per measurement with
# Mpps, the switch's busy cycles per packet and packets per busy iteration
# (relay, OVS), its host CPU cycles per packet (all three contenders: relay,
# vdpa, OVS), the endpoint's busy cycles per packet, the busy fractions, the
# limiting side and the CPU shares, the min/median/max table with the limit,
# the headline ratio lines (medians of the ratios of each round, listed on the
# line after), every figure a positive number (the vDPA relay's CPU may be 0).
# First, without running anything, that OVS's counters are summed exactly past
# 2^31 (mawk's %d stopped there: OVS's busy cycles/pkt came out 5 to 8 times too
# small). Skipped (77) when the section cannot run all contenders (OVS-DPDK not
# installed, no hugepages: needs root; the relay not built).
# usage: bench_switch_check.sh BUILD-DIR
set -euo pipefail

build=$1
# shellcheck source=bench_check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_check_lib.sh"

# OVS's pmd-stats-show and pmd-perf-show -nh as OVS 3.1 prints them, two PMD
# threads (lib/dpif-netdev.c pmd_info_show_stats, dpif-netdev-perf.c
# pmd_perf_format_overall_stats), summed by switch.sh's ovs_pmd_sums
sums=$(E2E_BUILD=$build bash -c 'source "$1/devtools/bench/switch.sh"; ovs_pmd_sums' _ "$top" \
	<< 'EOF'
pmd thread numa_id 0 core_id 1:
  packets received: 30184544
  avg. packets per output batch: 32.00
  idle cycles: 3712216295 (23.70%)
  processing cycles: 11948075872 (76.30%)
  avg cycles per packet: 518.82 (15660292167/30184544)
  avg processing cycles per packet: 395.83 (11948075872/30184544)
pmd thread numa_id 0 core_id 2:
  packets received: 4000000000
  processing cycles: 3000000000 (50.00%)
main thread:
  packets received: 0
pmd thread numa_id 0 core_id 1:
  Iterations:             13375696  (0.44 us/it)
  - idle iterations:      12900404  ( 23.8 % of used cycles)
  - busy iterations:        475292  ( 76.2 % of used cycles)
  Rx packets:             30403232  (5194 Kpps, 395 cycles/pkt)
pmd thread numa_id 0 core_id 2:
  - busy iterations:       3000000  ( 50.0 % of used cycles)
EOF
)
[[ $sums == "14948075872 4030184544 3475292" ]] ||
	bad "OVS's counters summed as '$sums', not '14948075872 4030184544 3475292'"

bench_run --build "$build" --sections switch --rounds 1 --duration 1 --sizes 64
if grep -Eq '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out"; then
	echo "SKIP: $(grep -E '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out")"
	exit 77
fi

grep -Eq "^switch round 1: load1 before $num, order (relay vdpa ovs|vdpa ovs relay|ovs relay vdpa) $" \
	"$out" || bad "no load line of round 1"
lim='(switch|endpoint|both|neither|cpu|unknown)'
pcts='([0-9]+%|na)/([0-9]+%|na)'
for who in relay vdpa ovs; do
	cy="($num)"
	[[ $who == vdpa ]] && cy="(na)()"
	re="^  round 1 $who +64B: +($num) Mpps, busy cycles/pkt +$cy, pkts/busy-iteration"
	re+=" $cy, host CPU cycles/pkt ($num), endpoint ($num) \\(busy $pcts\\), limit=$lim,"
	re+=" cpu $pcts, load1 $num$"
	line=$(grep -E "^  round 1 $who " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "measurement line of $who: '$line'"
		continue
	fi
	# Mpps, the endpoint's cycles; the CPU of the vDPA relay, which moves no
	# packet, may round to 0
	figs=("${BASH_REMATCH[1]}" "${BASH_REMATCH[9]}")
	[[ $who != vdpa ]] && figs+=("${BASH_REMATCH[3]}" "${BASH_REMATCH[5]}" "${BASH_REMATCH[7]}")
	for v in "${figs[@]}"; do
		pos "$v" || bad "$who: figure $v is not positive"
	done
	# vdpa: no forwarding loop in the switch, busy 0
	[[ $who != vdpa || ${BASH_REMATCH[11]} == 0% ]] || bad "vdpa: switch busy not 0: '$line'"
	mmm="($num)/($num)/($num)"
	cy=$mmm
	[[ $who == vdpa ]] && cy="(na)()()()()()"
	re="^$who +64 +$mmm +$cy +$mmm +$mmm +limit=$lim \\(busy $pcts, cpu $pcts\\)$"
	line=$(grep -E "^$who +64 " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "table row of $who: '$line'"
		continue
	fi
	ks=(1 19)
	[[ $who != vdpa ]] && ks+=(7 13)
	for k in "${ks[@]}"; do
		mmm_ok "$who" "${BASH_REMATCH[k]}" "${BASH_REMATCH[k + 2]}" "${BASH_REMATCH[k + 4]}"
	done
	[[ $who != vdpa ]] && continue
	awk -v a="${BASH_REMATCH[13]}" -v b="${BASH_REMATCH[15]}" -v c="${BASH_REMATCH[17]}" \
		'BEGIN { exit !(a <= b && b <= c) }' || bad "vdpa: CPU not min <= median <= max"
done
ratio_ok "ratio relay/ovs " "^ratio relay/ovs cycles=($num) mpps=($num) \\(64B\\)$" \
	"headline ratio line" "ratio line with a figure not positive" 1 3
# the vDPA relay's CPU may be 0
ratio_ok "ratio vdpa/relay " "^ratio vdpa/relay cpu=($num) mpps=($num) \\(64B\\)$" \
	"vdpa/relay ratio line" "vdpa/relay ratio line with Mpps not positive" 3
per_round_ok "ratio relay/ovs " cycles 1
per_round_ok "ratio vdpa/relay " cpu 1 zero-ok
grep -Eq "^load average during the measurements \\(1 min\\): min $num, max $num$" "$out" ||
	bad "no load summary line"

rows=$(($(wc -l < "$res/r/switch.csv") - 1))
((rows == 3)) || bad "switch.csv has $rows rows"
hdr=round,contender,size,mpps,load1,cycles_per_pkt,pkts_per_busy_iter,cpu_cycles_per_pkt
hdr+=,endpoint_cycles_per_pkt,busy,endpoint_busy,limit,cpu,endpoint_cpu
[[ $(head -n 1 "$res/r/switch.csv") == "$hdr" ]] ||
	bad "switch.csv header: $(head -n 1 "$res/r/switch.csv")"

bench_done
