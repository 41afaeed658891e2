#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The project's test command: sets the machine up (devtools/setup.sh), builds
#   build/       the default configuration, warnings are errors
#   build-asan/  the same with AddressSanitizer and UBSan
#   build-fuzz/  clang with both sanitizers, only the libFuzzer targets
# and runs every test in build/, in build-asan/ the test programs built with
# the sanitizers but the end-to-end and benchmark suites, plus the end-to-end
# scenarios with the sanitized PMD (suite e2e-asan), and in build-fuzz/ a short
# run of each fuzz target (suite fuzz). Its last line counts every test of the
# three runs:
#   N passed, N failed[, N skipped]
# Exit status 0 if and only if nothing failed.
# Environment: TMMR_TEST_JOBS (default: the number of CPUs) tests run at once;
# TMMR_BUILD_DIR (default: build) names the build directories DIR, DIR-asan and
# DIR-fuzz; TMMR_TESTS_STRICT=1 counts a skipped test as failed (CI: on a machine
# that setup.sh prepared, as root, no test has a reason to skip).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

jobs=${TMMR_TEST_JOBS:-$(nproc)}
build=${TMMR_BUILD_DIR:-build}
build_asan=$build-asan
build_fuzz=$build-fuzz
# The sanitizer run runs the test programs built with the sanitizers. It leaves
# out the end-to-end and benchmark suites (too slow, too timing-bound, and they
# load the PMD into programs built without them: testpmd, OVS, QEMU) and the tests
# whose program is a script or a system tool, which the sanitizers cannot see into,
# but for the suite e2e-asan: the end-to-end scenarios with the sanitized PMD.
asan_skip_suites='^(e2e|bench|perf)$'
# sanitizer findings end the test with a stack trace
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1}

failed_steps=()
testlogs=()

# prints the failed tests and, as the last line, the counts of both runs
summary()
{
	/usr/bin/python3 - "${#failed_steps[@]}" "${failed_steps[@]}" "${testlogs[@]}" <<'EOF'
import json
import os
import sys

passed = failed = skipped = 0
strict = os.environ.get("TMMR_TESTS_STRICT") == "1"
steps = int(sys.argv[1])
for step in sys.argv[2:2 + steps]:
    print(f"FAILED: {step}: see its output above")
    failed += 1
for log in sys.argv[2 + steps:]:
    if not os.path.exists(log):
        continue
    text_log = os.path.join(os.path.dirname(log), "testlog.txt")
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test.get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP" and not strict:
                skipped += 1
            else:
                failed += 1
                why = " skipped, which TMMR_TESTS_STRICT forbids" if result == "SKIP" else ""
                print(f"FAILED: {test.get('name')} ({result}{why}) in "
                      f"{os.path.dirname(os.path.dirname(log))}/: see {text_log}")
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
EOF
}

step_failed()
{
	echo "FAILED: $*" >&2
	failed_steps+=("$1")
}

# configure DIR [meson options...]: set up DIR or bring its options up to date
configure()
{
	local dir=$1 log
	shift
	log=$(mktemp "${TMPDIR:-/tmp}/tmmr-meson.XXXXXX")
	if [[ -f $dir/build.ninja ]]; then
		meson configure "$dir" -Dwerror=true -Dtests=true "$@" >"$log" 2>&1
	else
		rm -rf "$dir"
		meson setup "$dir" -Dwerror=true -Dtests=true "$@" >"$log" 2>&1
	fi || {
		cat "$log" >&2
		rm -f "$log"
		return 1
	}
	rm -f "$log"
}

# sanitized_tests DIR: the names of DIR's tests to run under the sanitizers
sanitized_tests()
{
	meson introspect --tests "$1" | /usr/bin/python3 -c '
import json, os, re, sys
build = os.path.realpath(sys.argv[1])
skip = re.compile(sys.argv[2])
for t in json.load(sys.stdin):
    suites = [s.split(":")[-1] for s in t["suite"]]
    if any(skip.search(s) for s in suites):
        continue
    if "e2e-asan" in suites or os.path.realpath(t["cmd"][0]).startswith(build + os.sep):
        print(t["name"])' "$1" "$asan_skip_suites"
}

# build_and_test DIR all|sanitized|fuzz MESON_TEST_OPTIONS...: build DIR, run all
# its tests, those of sanitized_tests, or build and run only the fuzz targets
build_and_test()
{
	local dir=$1 which=$2
	shift 2
	local testlog=$dir/meson-logs/testlog.json names=() targets=()

	# a stale log of an earlier run must not be counted
	rm -f "$testlog"
	testlogs+=("$testlog")
	[[ $which == fuzz ]] && targets=(fuzz)
	if ! ninja -C "$dir" -j "$jobs" --quiet -k 0 "${targets[@]}"; then
		# the tests whose programs were built still run, so their results count
		step_failed "the build in $dir/"
	fi
	# after the build: it regenerates the list of tests when a meson.build changed
	if [[ $which == sanitized ]]; then
		mapfile -t names < <(sanitized_tests "$dir")
		if [[ ${#names[@]} -eq 0 ]]; then
			step_failed "no test program in $dir/"
			return
		fi
		echo "== tests in $dir/: the ${#names[@]} built with the sanitizers, but" \
			"the suites matching $asan_skip_suites"
	elif [[ $which == fuzz ]]; then
		echo "== tests in $dir/: a short run of each fuzz target"
		set -- "$@" --suite fuzz
	else
		echo "== tests in $dir/"
	fi
	# a failing test's output goes to the log: in a fresh root it is gone afterwards
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes "$jobs" "$@" \
		"${names[@]}" || true
	[[ -f $testlog ]] || step_failed "meson test in $dir/ wrote no results"
}

asan_options=(-Db_sanitize=address,undefined -Db_lundef=false)

if ! devtools/setup.sh; then
	step_failed "devtools/setup.sh"
	summary
	exit 1
fi

if configure "$build"; then
	build_and_test "$build" all
else
	step_failed "meson setup $build"
fi

if configure "$build_asan" "${asan_options[@]}"; then
	build_and_test "$build_asan" sanitized --timeout-multiplier 3
else
	step_failed "meson setup $build_asan"
fi

# libFuzzer needs clang (setup.sh installs it); the fuzz option fails the setup
# if clang cannot link -fsanitize=fuzzer
if ! command -v clang >/dev/null; then
	step_failed "clang not found: the fuzz targets cannot be built"
elif CC=clang configure "$build_fuzz" -Dfuzz=enabled "${asan_options[@]}"; then
	build_and_test "$build_fuzz" fuzz
else
	step_failed "meson setup $build_fuzz"
fi

report=$(summary)
echo "$report"
[[ ${report##*$'\n'} == *", 0 failed"* ]]
