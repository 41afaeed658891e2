#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs devtools/bench.sh's switch section briefly (1 round of 1 s, 64-byte
# frames, no waiting for a quiet machine) and checks the format of what it
# prints, never a speed: the round's load line, a line per measurement with
# Mpps and the switch's busy cycles per packet, the min/median/max table, the
# headline ratio line, every figure a positive number. Skipped (77) when the
# section cannot run both contenders (OVS-DPDK not installed, no hugepages:
# needs root; the relay not built).
# usage: bench_switch_check.sh BUILD-DIR
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=$1
res=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-bench-switch-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
out=$res/out.txt
fails=0

bad()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

rc=0
"$top/devtools/bench.sh" --build "$build" --sections switch --rounds 1 --duration 1 \
	--sizes 64 --no-plots --load-wait 0 --results "$res/r" > "$out" 2> "$res/err" || rc=$?
cat "$out"
if ((rc != 0)); then
	tail -n 30 "$res/err"
	echo "FAIL: bench.sh exited $rc"
	exit 1
fi
if grep -Eq '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out"; then
	echo "SKIP: $(grep -E '^SKIP (OVS-DPDK|tmmr_relay|switch)' "$out")"
	exit 77
fi

num='[0-9]+(\.[0-9]+)?'
pos()
{
	awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'
}

grep -Eq "^switch round 1: load1 before $num, order (relay ovs|ovs relay) $" "$out" ||
	bad "no load line of round 1"
for who in relay ovs; do
	re="^  round 1 $who +64B: +($num) Mpps, busy cycles/pkt +($num), load1 $num$"
	line=$(grep -E "^  round 1 $who " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "measurement line of $who: '$line'"
		continue
	fi
	for v in "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"; do
		pos "$v" || bad "$who: figure $v is not positive"
	done
	re="^$who +64 +($num)/($num)/($num) +($num)/($num)/($num) *$"
	line=$(grep -E "^$who +64 " "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "table row of $who: '$line'"
		continue
	fi
	for k in 1 7; do
		lo=${BASH_REMATCH[k]} me=${BASH_REMATCH[k + 2]} hi=${BASH_REMATCH[k + 4]}
		pos "$lo" || bad "$who: min $lo is not positive"
		awk -v a="$lo" -v b="$me" -v c="$hi" 'BEGIN { exit !(a <= b && b <= c) }' ||
			bad "$who: not min <= median <= max: $lo $me $hi"
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
grep -Eq "^load average during the measurements \\(1 min\\): min $num, max $num$" "$out" ||
	bad "no load summary line"

rows=$(($(wc -l < "$res/r/switch.csv") - 1))
((rows == 2)) || bad "switch.csv has $rows rows"
[[ $(head -n 1 "$res/r/switch.csv") == round,contender,size,mpps,load1,cycles_per_pkt ]] ||
	bad "switch.csv header: $(head -n 1 "$res/r/switch.csv")"

if ((fails)); then
	echo "$fails check(s) failed"
	exit 1
fi
echo "PASS"
