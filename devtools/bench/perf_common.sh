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
# empty when it cannot be made), mhz; perf_rows.

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

# perf_rows DATA MPPS CPU=GROUP...: the samples of perf.data DATA as perf_table.py's
# rows, "GROUP DSO SYMBOL CYCLES", for the CPUs named (the others left out): a row's
# share of its CPU's samples times that CPU's cycles per packet over the window
# (MHz / Mpps, the packets being the measurement's)
perf_rows()
{
	local data=$1 mpps=$2

	shift 2
	perf report -i "$data" --no-children --sort cpu,dso,sym -q -g none 2> /dev/null |
		awk -v m="$mhz" -v p="$mpps" -v groups="$*" '
			BEGIN {
				n = split(groups, g, " ")
				for (i = 1; i <= n; i++) {
					split(g[i], kv, "=")
					name[kv[1] + 0] = kv[2]
				}
			}
			$1 ~ /%$/ {
				sub(/%/, "", $1)
				if (!(($2 + 0) in name))
					next
				k++; side[k] = name[$2 + 0]; dso[k] = $3; sym[k] = $NF; pc[k] = $1
				tot[side[k]] += $1
			}
			END {
				for (i = 1; i <= k; i++)
					if (tot[side[i]] > 0 && p > 0)
						printf "%s %s %s %.2f\n", side[i], dso[i], sym[i],
							pc[i] / tot[side[i]] * m / p
			}'
}
