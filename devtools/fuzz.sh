#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs the libFuzzer targets of app/test-tmmr/fuzz for longer than the test
# suite's short runs:
#
#   devtools/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 300); TARGETs (default all): caps vfu_client ring
# vfu_server vhost ctrlq relay_offload. One target at a time in one process
# (no -jobs/-workers), so it costs one core. Build directory: $TMMR_BUILD_DIR-fuzz
# (default build-fuzz), set up with clang, ASan and UBSan if it is missing.
# The seeds in app/test-tmmr/fuzz/corpus/TARGET/ are only read: what the
# fuzzer learns goes to $TMMR_FUZZ_DIR/TARGET/corpus/ (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/tmmr-fuzz), the log and any crashing input to
# $TMMR_FUZZ_DIR/TARGET/. One line per target:
#
#   fuzz: target=NAME seconds=N execs=N corpus=N result=ok|CRASH[ input=PATH]
#
# Exit status 0 if and only if no target crashed. A crashing input goes into
# the target's seed corpus in the repository once the bug is fixed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

all_targets=(caps vfu_client ring vfu_server vhost ctrlq relay_offload)
seconds=300
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
	seconds=$1
	shift
fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
	if [[ ! " ${all_targets[*]} " == *" $t "* ]]; then
		echo "fuzz.sh: unknown target $t (known: ${all_targets[*]})" >&2
		exit 2
	fi
done

build=${TMMR_BUILD_DIR:-build}-fuzz
out=${TMMR_FUZZ_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tmmr-fuzz}
if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup "$build" -Dfuzz=enabled -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C "$build" --quiet fuzz

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:print_summary=1}
# findings in DPDK's headers, not in our code, are suppressed there
supp=$top/app/test-tmmr/fuzz/ubsan.supp
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$supp}
status=0
for t in "${targets[@]}"; do
	dir=$out/$t
	mkdir -p "$dir/corpus" "$dir/artifacts"
	log=$dir/fuzz.log
	rc=0
	# bounded twice: libFuzzer's own clock, and a hard stop if it hangs
	timeout --kill-after=30 $((seconds + 120)) \
		"$build/app/test-tmmr/fuzz/fuzz_$t" -max_total_time="$seconds" \
		-timeout=30 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
		"$dir/corpus" "app/test-tmmr/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corpus=$(find "$dir/corpus" -type f | wc -l)
	line="fuzz: target=$t seconds=$seconds execs=${execs:-0} corpus=$corpus"
	if [[ $rc -eq 0 ]]; then
		echo "$line result=ok"
	else
		input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		echo "$line result=CRASH input=${input:-none} (see $log)"
		status=1
	fi
done
exit $status
