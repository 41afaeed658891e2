#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs devtools/bench.sh's fwd section briefly (2 rounds of 1 s, 64-byte
# frames, no waiting for a quiet machine) and checks the format of what it
# prints, never a speed: a line per round with its load, a line per
# measurement, the min/median/max table with the backend's cycles and the
# limiting side, the two headline ratio lines (medians of the ratios of each
# round, listed on the line after), and every figure a positive number.
# usage: bench_check.sh BUILD-DIR
set -euo pipefail

build=$1
rounds=2
# shellcheck source=bench_check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_check_lib.sh"
bench_run --build "$build" --sections fwd --rounds "$rounds" --duration 1 --sizes 64

# the load: quiet, or the figures said void
grep -Eq "^load1 $num < $num: quiet enough$|^VOID: load1 $num >= $num after waiting" "$out" ||
	bad "no line on the load before the rounds"

contenders=(tmmr vu_default vu_inorder0)
[[ -f $build/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so ]] ||
	bad "the PMD is not built"

for ((r = 1; r <= rounds; r++)); do
	grep -Eq "^round $r: load1 before $num, order ([a-z_0-9]+ ){3}$" "$out" ||
		bad "no load line of round $r"
	order=$(sed -n "s/^round $r: load1 before [0-9.]*, order //p" "$out")
	for who in "${contenders[@]}"; do
		[[ " $order" == *" $who "* ]] || bad "round $r does not run $who"
		re="^  round $r $who +64B: +($num) Mpps, cycles/pkt +($num) \(busy ([0-9]+)%\), backend"
		re+=" ($num) \(busy ([0-9]+)%\), limit=(backend|measured|both|neither|cpu),"
		re+=" cpu [0-9]+%/[0-9]+%, load1 $num$"
		line=$(grep -E "^  round $r $who " "$out" || true)
		if [[ ! $line =~ $re ]]; then
			bad "measurement line of round $r $who: '$line'"
			continue
		fi
		for v in "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[6]}"; do
			pos "$v" || bad "round $r $who: figure $v is not positive"
		done
	done
done
# the order rotates from round to round
[[ $(sed -n 's/^round 1: .*order //p' "$out") != $(sed -n 's/^round 2: .*order //p' "$out") ]] ||
	bad "the order of the contenders did not rotate"

mmm="($num)/($num)/($num)"
for who in "${contenders[@]}"; do
	re="^$who +64 +$mmm +$mmm +$mmm +limit=(backend|measured|both|neither|cpu)"
	re+=" \(busy [0-9]+%/[0-9]+%, cpu [0-9]+%/[0-9]+%\)$"
	line=$(grep -E "^$who +64 " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "table row of $who: '$line'"
		continue
	fi
	for k in 1 7 13; do
		mmm_ok "$who" "${BASH_REMATCH[k]}" "${BASH_REMATCH[k + 2]}" "${BASH_REMATCH[k + 4]}"
	done
done

for t in 'default' 'in_order=0'; do
	re="^ratio tmmr/virtio_user\\($t\\) cycles=($num) mpps=($num)$"
	ratio_ok "ratio tmmr/virtio_user($t) " "$re" "headline ratio line for $t" \
		"ratio line with a figure not positive" 1 3
	per_round_ok "ratio tmmr/virtio_user($t) " cycles "$rounds"
done
# the per-round ratios are tmmr's figure over vu_default's of the same round (CSV)
want=$(awk -F, 'NR > 1 && $3 == 64 && ($2 == "tmmr" || $2 == "vu_default") { v[$1, $2] = $5 }
	END { for (r = 1; r <= n; r++) printf "%s%.3f", (r > 1 ? " " : ""),
		v[r, "tmmr"] / v[r, "vu_default"] }' n="$rounds" "$res/r/fwd.csv")
grep -F -A 1 "ratio tmmr/virtio_user(default) " "$out" |
	grep -Fq "  per round: cycles $want; " ||
	bad "per-round cycles ratios are not tmmr's over vu_default's of each round: want '$want'"

# the CSV: a header and one row per round, contender and size
rows=$(($(wc -l < "$res/r/fwd.csv") - 1))
((rows == rounds * ${#contenders[@]})) || bad "fwd.csv has $rows rows"
head -n 1 "$res/r/fwd.csv" | grep -q ',backend_cycles_per_pkt,busy,backend_busy,limit,cpu,backend_cpu$' ||
	bad "fwd.csv header: $(head -n 1 "$res/r/fwd.csv")"

bench_done
