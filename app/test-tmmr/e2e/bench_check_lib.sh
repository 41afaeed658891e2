# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Shared by bench_check.sh and bench_switch_check.sh: run devtools/bench.sh
# briefly into a scratch directory and count failed format checks.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
res=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-bench-check.XXXXXX")
trap 'rm -rf "$res"' EXIT
out=$res/out.txt
fails=0
num='[0-9]+(\.[0-9]+)?'

bad()
{
	echo "FAIL: $*"
	fails=$((fails + 1))
}

pos()
{
	awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'
}

# bench_run BENCH-ARGS...: bench.sh into $out (results in $res/r), printed; exits
# on failure
bench_run()
{
	local rc=0

	"$top/devtools/bench.sh" "$@" --no-plots --load-wait 0 --results "$res/r" > "$out" \
		2> "$res/err" || rc=$?
	cat "$out"
	if ((rc != 0)); then
		tail -n 30 "$res/err"
		echo "FAIL: bench.sh exited $rc"
		exit 1
	fi
}

# mmm_ok WHO LO MED HI: a positive minimum, min <= median <= max
mmm_ok()
{
	pos "$2" || bad "$1: min $2 is not positive"
	awk -v a="$2" -v b="$3" -v c="$4" 'BEGIN { exit !(a <= b && b <= c) }' ||
		bad "$1: not min <= median <= max: $2 $3 $4"
}

# ratio_ok PREFIX RE BAD-LINE BAD-FIGURE IDX...: the line of $out with PREFIX (grep -F)
# matches RE and its captures IDX... are positive; else a failure, BAD-LINE: 'line' or
# BAD-FIGURE: line
ratio_ok()
{
	local prefix=$1 re=$2 bad_line=$3 bad_fig=$4 line k

	shift 4
	line=$(grep -F "$prefix" "$out" || true)
	if [[ ! $line =~ $re ]]; then
		bad "$bad_line: '$line'"
		return 0
	fi
	for k; do
		if ! pos "${BASH_REMATCH[k]}"; then
			bad "$bad_fig: $line"
			return 0
		fi
	done
}

# med3 WORDS...: their median, as bench.sh prints a ratio (%.3f)
med3()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'
}

# per_round_ok PREFIX NAME ROUNDS [ZERO-OK]: the headline line of $out with PREFIX (grep
# -F) is followed by "  per round: NAME R...; mpps R...; of the medians: NAME=X mpps=Y"
# with ROUNDS ratios in each list (positive; NAME's may be 0 with ZERO-OK), and the
# headline's NAME= and mpps= are the medians of those lists (within 0.001)
per_round_ok()
{
	local prefix=$1 name=$2 rounds=$3 zero_ok=${4:-} head line re rn rm v

	{ read -r head; IFS= read -r line; } < <(grep -F -A 1 "$prefix" "$out"; echo; echo)
	re="^  per round: $name ([0-9. ]+); mpps ([0-9. ]+); of the medians: $name=$num mpps=$num\$"
	if [[ ! $line =~ $re ]]; then
		bad "per-round line after '$prefix': '$line'"
		return 0
	fi
	read -r -a rn <<< "${BASH_REMATCH[1]}"
	read -r -a rm <<< "${BASH_REMATCH[2]}"
	if ((${#rn[@]} != rounds || ${#rm[@]} != rounds)); then
		bad "per-round line after '$prefix': not $rounds ratios each: '$line'"
		return 0
	fi
	for v in "${rm[@]}"; do
		pos "$v" || bad "per-round Mpps ratio $v is not positive: '$line'"
	done
	[[ -n $zero_ok ]] || for v in "${rn[@]}"; do
		pos "$v" || bad "per-round $name ratio $v is not positive: '$line'"
	done
	# the same median, up to the last digit: a half-way value (0.5075) may round
	# either way, as bench.sh computes it from the printed %g of the sum
	if [[ ! $head =~ " $name="($num)" mpps="($num) ]] ||
		! awk -v a="${BASH_REMATCH[1]}" -v b="$(med3 "${rn[@]}")" \
			-v c="${BASH_REMATCH[3]}" -v d="$(med3 "${rm[@]}")" \
			'BEGIN { exit !((a - b) ^ 2 < 2e-6 && (c - d) ^ 2 < 2e-6) }'; then
		bad "headline '$head' is not the medians of '$line'"
	fi
}

bench_done()
{
	if ((fails)); then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "PASS"
}
