# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Shared by backend-perf.sh and switch-perf.sh, sourced at their top level: the
# options (--build, --size, --seconds, --top, --keep, contenders; their usage is
# the caller's header from "# usage" to "# Output"), bench/lib.sh set up for one
# perf measurement per contender, the output directory and the names of
# librte_vhost's static functions.
# In: top, PERF_NAME (the work directory's name), PERF_CONTENDER (an extended
# regex of the contenders' names), PERF_DEFAULT (the contenders without any), the
# arguments in PERF_ARGS. Out: build, size, seconds, ntop, keep, contenders,
# BENCH_WORK, out (where the data and reports go), syms (vhost_syms.py's table,
# empty when it cannot be made), mhz.

perf_usage()
{
	sed -n '/^# usage/,/^# Output/p' "$0" >&2
	exit 2
}

build=$top/build
size=64
seconds=5
ntop=12
keep=
contenders=()
set -- "${PERF_ARGS[@]}"
while (($#)); do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift ;;
	--size) size=$2; shift ;;
	--seconds) seconds=$2; shift ;;
	--top) ntop=$2; shift ;;
	--keep) keep=$2; shift ;;
	*) [[ $1 =~ $PERF_CONTENDER ]] || perf_usage; contenders+=("$1") ;;
	esac
	shift
done
# shellcheck disable=SC2206 # a list of words
((${#contenders[@]})) || contenders=($PERF_DEFAULT)
[[ $size =~ ^[0-9]+$ && $seconds =~ ^[1-9][0-9]*$ && $ntop =~ ^[1-9][0-9]*$ ]] || perf_usage
command -v perf > /dev/null || { echo "perf is not installed (devtools/setup.sh)" >&2; exit 1; }

export E2E_BUILD=$build
export E2E_TP_MEM=1024
export E2E_LIFETIME=$((seconds * 4 + 120))
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-$PERF_NAME.XXXXXX")
export E2E_WORK
# shellcheck source=lib.sh
source "$top/devtools/bench/lib.sh"
e2e_init "$PERF_NAME"
BENCH_WORK=$WORK
out=${keep:-$BENCH_WORK/perf}
mkdir -p "$out"
out=$(cd "$out" && pwd)

vhost_so=$(ldconfig -p | awk '/librte_vhost\.so\.[0-9]+ / { print $NF; exit }')
vhost_a=/usr/lib/x86_64-linux-gnu/librte_vhost.a
syms=$out/vhost-syms.txt
: > "$syms"
if [[ -n $vhost_so && -f $vhost_a ]]; then
	python3 "$top/devtools/bench/vhost_syms.py" "$(readlink -f "$vhost_so")" "$vhost_a" \
		> "$syms" 2> /dev/null || : > "$syms"
fi
mhz=$(awk -F: '/^cpu MHz/ { print $2 + 0; exit }' /proc/cpuinfo)
