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

bench_done()
{
	if ((fails)); then
		echo "$fails check(s) failed"
		exit 1
	fi
	echo "PASS"
}
