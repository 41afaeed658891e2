# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The start of the callgrind scripts (backend-ir.sh, relay-ir.sh), sourced as
#   source cg-start.sh NAME "$@"
# Reads their common options (--build DIR, --seconds S, --sizes LIST, --keep DIR)
# and, through the script's function cg_option OPTION VALUE, its own (it returns
# 0: OPTION taken alone, 1: OPTION and VALUE taken, 2: unknown option; unknown
# options print the script's usage). Then: valgrind must be there, the e2e
# harness (lib.sh) runs in a fresh work directory ${TMPDIR:-/tmp}/tmmr-NAME.*,
# BENCH_WORK is that directory, KEEP (absolute) exists if given.
# Sets top, build, seconds (default 20), sizes (default "64 1518"), keep.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$top/build
seconds=20
sizes="64 1518"
keep=
cg_name=$1
shift
while (($#)); do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift ;;
	--seconds) seconds=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--keep) keep=$2; shift ;;
	*)
		cg_rc=0
		cg_option "$1" "${2:-}" || cg_rc=$?
		case $cg_rc in
		0) ;;
		1) shift ;;
		*) sed -n '/^# usage/,/^# Output/p' "$0" >&2; exit 2 ;;
		esac
		;;
	esac
	shift
done
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 1; }

export E2E_BUILD=$build
# valgrind is slow to start and to dump
export E2E_LIFETIME=$((seconds * 4 + 600))
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-$cg_name.XXXXXX")
export E2E_WORK
# shellcheck source=lib.sh
source "$top/devtools/bench/lib.sh"
e2e_init "$cg_name"
BENCH_WORK=$WORK
if [[ -n $keep ]]; then
	mkdir -p "$keep"
	keep=$(cd "$keep" && pwd)
fi
