#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs devtools/demo.sh briefly and checks its contract: exit status 0 and a
# last line "RESULT mpps=<float> rx=<n> tx=<n> errors=0" with traffic in it.
# usage: demo_check.sh BUILD-DIR [SECONDS]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=$1
secs=${2:-2}
out=$(mktemp "${TMPDIR:-/tmp}/tmmr-demo-check.XXXXXX")
trap 'rm -f "$out"' EXIT

rc=0
"$top/devtools/demo.sh" --no-setup --build "$build" --duration "$secs" > "$out" || rc=$?
last=$(tail -n 1 "$out")
echo "demo exit $rc, last line: $last"
((rc == 0)) || { echo "FAIL: demo.sh exited $rc"; exit 1; }
re='^RESULT mpps=([0-9]+\.[0-9]+) rx=([0-9]+) tx=([0-9]+) errors=([0-9]+)$'
[[ $last =~ $re ]] || { echo "FAIL: last line is not a RESULT line"; exit 1; }
(($(grep -c '^RESULT ' "$out") == 1)) || { echo "FAIL: more than one RESULT line"; exit 1; }
mpps=${BASH_REMATCH[1]} rx=${BASH_REMATCH[2]} tx=${BASH_REMATCH[3]} errors=${BASH_REMATCH[4]}
awk -v m="$mpps" 'BEGIN { exit !(m > 0) }' || { echo "FAIL: mpps $mpps"; exit 1; }
((rx > 0 && tx > 0)) || { echo "FAIL: rx $rx tx $tx"; exit 1; }
((errors == 0)) || { echo "FAIL: errors $errors"; exit 1; }
echo "PASS"
