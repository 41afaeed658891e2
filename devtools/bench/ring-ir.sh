#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Instructions per packet of the PMD's rx_burst and tx_burst, counted by
# callgrind over the forwarding loop against the scripted device
# (app/test-tmmr/tests/ring/ring_loop.c): full bursts of 32 64-byte packets,
# so the figure does not depend on a backend or on the machine's load.
# Usage: devtools/bench/ring-ir.sh [BUILD] [BURSTS] [fast-free] [nomrg] [scalar] [txlist]
# (nomrg: Rx without mergeable buffers, the one-chain-per-packet path;
# scalar: Rx without the SSE groups; txlist: Tx on the free list, not the
# static ring)

set -e
build=${1:-build}
bursts=${2:-20000}
mode=("${@:3}")
exe=$build/app/test-tmmr/tests/ring/ring_loop
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

[[ -x $exe ]] || { echo "no $exe: build first" >&2; exit 1; }
timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out/cg" --collect-atstart=no \
	--toggle-collect=tmmr_recv_pkts --toggle-collect=tmmr_xmit_pkts \
	"$exe" "$bursts" "${mode[@]}" > "$out/log" 2> "$out/err" || { cat "$out/err" >&2; exit 1; }
pkts=$(awk '/packets forwarded/ { print $3 }' "$out/log")
callgrind_annotate --inclusive=yes "$out/cg" 2> /dev/null | awk -v p="$pkts" '
	{ gsub(",", "", $1) }
	/PROGRAM TOTALS/ { tot = $1 }
	/:tmmr_recv_pkts( |$)/ && !rx { rx = $1 }
	/:tmmr_xmit_pkts( |$)/ && !tx { tx = $1 }
	END { printf "packets %d Ir/pkt: rx %.1f tx %.1f total %.1f\n", p, rx / p, tx / p, tot / p }'
