#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Benchmarks of tmmr, every contender measured side by side in one run:
# rounds alternate the contenders (their order rotates from round to round),
# the table shows medians, a headline ratio is the median of the ratios of
# each round (the two contenders measured seconds apart), raw results go to CSV
# files under the results dir.
#
#   fwd     io forwarding through one port, 64 and 1518-byte frames: the
#           net_virtio_tmmr PMD on a tmmr-vfemu VF vs DPDK's net_virtio_user
#           with its defaults and with in_order=0, all against the same DPDK
#           vhost backend (see devtools/bench/lib.sh for the traffic design);
#           per contender and size min/median/max over the rounds of Mpps and
#           of both sides' busy cycles per packet, which side limited it, the
#           headline ratios; doorbells and interrupts per million packets
#   switch  tmmr_relay (copy and vdpa modes) vs OVS-DPDK moving packets
#           vhost-user <-> VF, 64 and 1518-byte frames: min/median/max of Mpps,
#           of the switch's busy cycles per packet (the same quantity for both:
#           relay: telemetry /tmmr_relay/lcores; OVS: dpif-netdev/pmd-stats-show
#           processing cycles), of its host CPU per packet (/proc/PID/task/*/stat,
#           all three) and of the traffic endpoint's busy cycles per packet;
#           which side (switch or endpoint) limited the rate; the headline ratios
#   scale   probe time and memory of testpmd with 0, 1, 8 and 32 VFs; the
#           model creating 1024 VFs (time to "ready", RSS); one testpmd
#           forwarding on 1, 8 and 32 VFs at once (aggregate Mpps, per-VF fairness,
#           time to all links up, memory and fds); the model with 1024 VFs of
#           8 queue pairs (ready time, memory and fds per VF) and testpmd on
#           32 VFs spread over them (devtools/bench/scale.sh)
#   ctl     vfio-user requests (register accesses) of one port start
#   profile callgrind of the PMD's forwarding loop (not in the default set)
#
# Benchmarks are not tests: only the format of fwd's output is checked by a
# test (bench-fwd-format, app/test-tmmr/e2e/bench_check.sh), never a speed.
# Every process is bounded by timeout(1), pinned to one CPU (backend CPU 0,
# measured side CPU 1) and ended by PID. The machine's 1-minute load average
# is recorded beside every measurement: figures taken under load are noisy.
# Before the first measurement the run waits (--load-wait, 120 s) for a load
# below --load-max (1.0); if it stays higher the figures are printed as void.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage()
{
	cat >&2 << EOF
usage: $0 [--quick] [--rounds N] [--duration S] [--build DIR] [--results DIR]
          [--sections LIST] [--sizes LIST] [--no-plots] [--plots-dir DIR]
          [--load-max L] [--load-wait S]
  --quick        1 round of 3 s (default: 5 rounds of 5 s, about 10 minutes)
  --rounds N     interleaved rounds (every contender once per round, the order
                 rotated from round to round); use at least 5 for a report
  --duration S   seconds of each measuring window (after 1 s of warm-up)
  --sections     comma-separated from fwd,switch,scale,ctl,profile
                 (default fwd,switch,scale,ctl)
  --sizes LIST   frame sizes of the fwd and switch sections (default 64,1518)
  --results DIR  where the CSV files go (default BUILD/bench-results/<time>)
  --plots-dir    where the PNG plots go (default doc/guides/perf)
  --load-max L   a quiet machine: 1-minute load average below L (default 1.0)
  --load-wait S  wait up to S seconds (default 120) for it before the first
                 measurement; if the load stays higher the run goes on and
                 says that its figures are void (--wait-load L: --load-max L)
EOF
	exit 2
}

rounds=5
duration=5
build=$top/build
results=
sections=fwd,switch,scale,ctl
plots=1
plots_dir=$top/doc/guides/perf
sizes=64,1518
load_max=1.0
load_wait=120
void=0
while (($#)); do
	case $1 in
	--quick) rounds=1; duration=3 ;;
	--rounds) rounds=$2; shift ;;
	--duration) duration=$2; shift ;;
	--build) build=$(cd "$2" && pwd); shift ;;
	--results) results=$2; shift ;;
	--sections) sections=$2; shift ;;
	--no-plots) plots=0 ;;
	--plots-dir) plots_dir=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	--load-max | --wait-load) load_max=$2; shift ;;
	--load-wait) load_wait=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ && $load_wait =~ ^[0-9]+$ &&
	$sizes =~ ^[0-9]+(,[0-9]+)*$ && $load_max =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage

export E2E_BUILD=$build
export E2E_TP_MEM=1024
export E2E_LIFETIME=$((duration * 4 + 120))
results=${results:-$build/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$results"
results=$(cd "$results" && pwd)
# the measurements' sockets (sysfs tree, vfio-user, vhost-user) need short paths
# (108 bytes): their work directory is not under the results dir; it is removed
# after a successful run and kept, with every log, when one fails
E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-bench.XXXXXX")
export E2E_WORK

# shellcheck source=bench/lib.sh
source "$top/devtools/bench/lib.sh"
e2e_init bench
BENCH_WORK=$WORK

has_section()
{
	[[ ,$sections, == *,$1,* ]]
}

note()
{
	printf '%s\n' "$*" | tee -a "$results/summary.txt"
}

have_pmd=1
[[ -f $PMD_SO && -x $VFEMU_BIN ]] || have_pmd=0

{
	echo "date $(date -Is)"
	echo "git $(git -C "$top" rev-parse --short HEAD 2> /dev/null || echo unknown)"
	echo "host $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "testpmd $TESTPMD, DPDK $(dpkg-query -W -f '${Version}' dpdk-dev 2> /dev/null ||
		echo unknown)"
	echo "rounds $rounds duration ${duration}s warm-up ${BENCH_WARM}s population $((BENCH_POP * 32))"
	echo "uptime at start: $(uptime)"
} > "$results/env.txt"
: > "$results/summary.txt"
note "tmmr benchmarks: $rounds round(s) of ${duration}s; results in $results"
note "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
((have_pmd)) || note "SKIP tmmr rows: $PMD_SO or $VFEMU_BIN not built"

# a quiet machine first: the 1-minute load average below load_max, waited for
# at most load_wait seconds; past that the run goes on, its figures void
quiet()
{
	awk -v l="$load_max" '{ exit !($1 < l) }' /proc/loadavg
}
load_deadline=$((SECONDS + load_wait))
until quiet || ((SECONDS >= load_deadline)); do
	(((load_deadline - SECONDS) % 30 < 5)) &&
		echo "waiting up to $((load_deadline - SECONDS)) s for load1 < $load_max:" \
			"$(cut -d' ' -f1-3 /proc/loadavg)" >&2
	sleep 5
done
if quiet; then
	note "load1 $(loadavg1) < $load_max: quiet enough"
else
	void=1
	note "VOID: load1 $(loadavg1) >= $load_max after waiting ${load_wait}s: the machine is" \
		"busy, the figures of this run are void (it runs anyway)"
fi

# rotate WORDS... by N: the contenders' order of round N
rotate()
{
	local n=$1
	shift
	local -a a=("$@")
	local i k=${#a[@]}

	for ((i = 0; i < k; i++)); do
		printf '%s ' "${a[(i + n) % k]}"
	done
}

# med FILE COLUMN FILTER-AWK: median of COLUMN over the rows FILTER selects
med()
{
	awk -F, "NR > 1 && ($3) { print \$$2 }" "$1" | grep -v '^na$' | median
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.3f\n", a / b }'
}

# round_ratios FILE COLUMN A B SIZE: "ROUND RATIO" per round in which both A and B
# have a figure in COLUMN at SIZE: A's over B's, the two measured in the same round
round_ratios()
{
	awk -F, -v c="$2" -v a="$3" -v b="$4" -v s="$5" '
		NR > 1 && $3 == s && ($2 == a || $2 == b) && $c != "na" { v[$1, $2] = $c; r[$1] }
		END { for (k in r) if ((k, a) in v && (k, b) in v && v[k, b] > 0)
			printf "%d %.3f\n", k, v[k, a] / v[k, b] }' "$1" | sort -n
}

# ratio_median RATIO...: their median as a ratio (%.3f; "nan" without any)
ratio_median()
{
	if (($# == 0)); then
		echo nan
		return
	fi
	printf '%s\n' "$@" | median | awk '{ printf "%.3f\n", $1 }'
}

# ratio_lines CSV LABEL NAME A B COLUMN SIZE SUFFIX: "ratio LABEL NAME=X mpps=YSUFFIX",
# the medians over the rounds of A's figure over B's in the same round, of COLUMN and
# of Mpps (column 4), then an indented line with those ratios (in round order) and
# the ratios of the medians. Interleaving pairs the contenders in time: each round's
# ratio compares two measurements taken seconds apart, whereas A's median and B's may
# come from different rounds, and this machine's state moves by a quarter from one
# round to the next (doc/guides/perf)
ratio_lines()
{
	local csv=$1 label=$2 name=$3 a=$4 b=$5 col=$6 size=$7 sfx=$8
	local fa="\$2 == \"$a\" && \$3 == $size" fb="\$2 == \"$b\" && \$3 == $size"
	local -a rc rm

	mapfile -t rc < <(round_ratios "$csv" "$col" "$a" "$b" "$size" | awk '{ print $2 }')
	mapfile -t rm < <(round_ratios "$csv" 4 "$a" "$b" "$size" | awk '{ print $2 }')
	note "ratio $label $name=$(ratio_median "${rc[@]}") mpps=$(ratio_median "${rm[@]}")$sfx"
	note "  per round: $name ${rc[*]:-none}; mpps ${rm[*]:-none}; of the medians:" \
		"$name=$(ratio "$(med "$csv" "$col" "$fa")" "$(med "$csv" "$col" "$fb")")" \
		"mpps=$(ratio "$(med "$csv" 4 "$fa")" "$(med "$csv" 4 "$fb")")"
}

# mmm FILE COLUMN FILTER-AWK: "min/median/max" of COLUMN over the rows FILTER selects
mmm()
{
	local v

	v=$(awk -F, "NR > 1 && ($3) { print \$$2 }" "$1" | grep -v '^na$' | sort -g) || true
	if [[ -z $v ]]; then
		echo "na"
		return
	fi
	printf '%s/%s/%s\n' "$(head -n 1 <<< "$v")" "$(median <<< "$v")" "$(tail -n 1 <<< "$v")"
}

# pct FRACTION: as a whole percentage ("na" stays)
pct()
{
	awk -v f="$1" 'BEGIN { if (f == "na" || f == "nan" || f == "") print "na"
		else printf "%.0f%%\n", f * 100 }'
}

# limit_cell CSV FILTER-AWK BUSY_A BUSY_B CPU_A CPU_B [NAME_A NAME_B]: from the
# medians of those columns over the rows FILTER selects, "limit=L (busy a%/b%,
# cpu a%/b%)": which side limited the rate (fwd_limit)
limit_cell()
{
	local b1 b2 c1 c2

	# (no figure: "na" for fwd_limit)
	b1=$(med "$1" "$3" "$2" | sed 's/^nan$/na/')
	b2=$(med "$1" "$4" "$2" | sed 's/^nan$/na/')
	c1=$(med "$1" "$5" "$2" | sed 's/^nan$/na/')
	c2=$(med "$1" "$6" "$2" | sed 's/^nan$/na/')
	printf 'limit=%s (busy %s/%s, cpu %s/%s)\n' "$(fwd_limit "$b1" "$b2" "$c1" "$c2" \
		"${7:-measured}" "${8:-backend}")" "$(pct "$b1")" "$(pct "$b2")" "$(pct "$c1")" \
		"$(pct "$c2")"
}

# --- fwd ---

section_fwd()
{
	local csv=$results/fwd.csv r size who m contenders=(vu_default vu_inorder0)
	local mp cy bcy bu bbu lim rd td ci load cpu bcpu

	((have_pmd)) && contenders=(tmmr "${contenders[@]}")
	BENCH_CSV=$csv
	echo "round,contender,size,mpps,cycles_per_pkt,rx_doorbells_per_mpkt," \
		"tx_doorbells_per_mpkt,config_irqs_per_mpkt,load1,backend_cycles_per_pkt," \
		"busy,backend_busy,limit,cpu,backend_cpu" | tr -d ' ' > "$csv"
	note ""
	note "== io forwarding, one core per side: $rounds interleaved round(s) of ${duration}s =="
	for ((r = 1; r <= rounds; r++)); do
		note "round $r: load1 before $(loadavg1), order $(rotate "$r" "${contenders[@]}")"
		for size in ${sizes//,/ }; do
			for who in $(rotate "$r" "${contenders[@]}"); do
				measure_fwd "$who" "$size" "$duration"
				m=$RESULT
				read -r mp cy bcy bu bbu lim rd td ci load cpu bcpu <<< "$m"
				bench_row "$r" "$who" "$size" "$mp" "$cy" "$rd" "$td" "$ci" "$load" "$bcy" \
					"$bu" "$bbu" "$lim" "$cpu" "$bcpu"
				note "$(printf '  round %d %-11s %4sB: %7s Mpps, cycles/pkt %7s (busy %s)' \
					"$r" "$who" "$size" "$mp" "$cy" "$(pct "$bu")")," \
					"backend $bcy (busy $(pct "$bbu")), limit=$lim," \
					"cpu $(pct "$cpu")/$(pct "$bcpu"), load1 $load"
			done
		done
	done
	note ""
	note "== io forwarding: min/median/max over $rounds round(s); cycles/pkt are busy cycles" \
		"per packet (measured side, then the vhost backend) =="
	printf '%-12s %5s %-23s %-23s %-23s %s\n' contender size "Mpps" "cycles/pkt" \
		"backend cycles/pkt" "limit (busy measured/backend, cpu measured/backend)" |
		tee -a "$results/summary.txt"
	for size in ${sizes//,/ }; do
		for who in "${contenders[@]}"; do
			local f="\$2 == \"$who\" && \$3 == $size"
			printf '%-12s %5s %-23s %-23s %-23s %s\n' "$who" "$size" "$(mmm "$csv" 4 "$f")" \
				"$(mmm "$csv" 5 "$f")" "$(mmm "$csv" 10 "$f")" \
				"$(limit_cell "$csv" "$f" 11 12 14 15)" | tee -a "$results/summary.txt"
		done
	done
	note "load average during the measurements (1 min): min $(cut -d, -f9 "$csv" |
		tail -n +2 | sort -g | head -n 1), max $(cut -d, -f9 "$csv" | tail -n +2 |
		sort -g | tail -n 1)"
	if ((have_pmd)); then
		for size in ${sizes//,/ }; do
			local sfx="" t
			[[ $size == 64 ]] || sfx=" (${size}B)"
			for t in "default vu_default" "in_order=0 vu_inorder0"; do
				ratio_lines "$csv" "tmmr/virtio_user(${t% *})" cycles tmmr "${t#* }" 5 \
					"$size" "$sfx"
			done
		done
		note "tmmr per million packets at ${sizes%%,*}B (median): rx doorbells" \
			"$(med "$csv" 6 "\$2 == \"tmmr\" && \$3 == ${sizes%%,*}"), tx doorbells" \
			"$(med "$csv" 7 "\$2 == \"tmmr\" && \$3 == ${sizes%%,*}"), config interrupts" \
			"$(med "$csv" 8 "\$2 == \"tmmr\" && \$3 == ${sizes%%,*}");" \
			"queue interrupts 0 (poll mode: none requested)"
	fi
	((void)) && note "VOID: the load average was above $load_max when the rounds began" \
		"(see above): these figures are not a measurement"
	return 0
}

# --- switch: tmmr_relay (copy, vdpa) vs OVS-DPDK ---

section_switch()
{
	# shellcheck source=bench/switch.sh
	source "$top/devtools/bench/switch.sh"
	switch_section
}

# --- scale ---

section_scale()
{
	local csv=$results/scale.csv n m base t rss pss heap ports parent
	local -a b

	if ((!have_pmd)); then
		note "SKIP scale: the PMD or the model is not built"
		return
	fi
	BENCH_CSV=$csv
	echo "what,vfs,seconds,rss_kb,pss_kb,heap_mb,ports,load1" > "$csv"
	for n in 0 1 8 32; do
		measure_probe "$n"
		m=$RESULT
		read -r t rss pss heap ports <<< "$m"
		bench_row testpmd "$n" "$t" "$rss" "$pss" "$heap" "$ports" "$(loadavg1)"
		log "scale testpmd $n VFs: $m"
	done
	for parent in /dev/shm "${TMPDIR:-/tmp}"; do
		measure_model 1024 "$parent"
		m=$RESULT
		read -r t rss <<< "$m"
		bench_row "model_tree_in_$(stat -f -c %T "$parent")" 1024 "$t" "$rss" na na na \
			"$(loadavg1)"
		log "scale model 1024 VFs (tree in $parent): $m"
	done
	note ""
	note "== scale: testpmd probing, configuring and starting N VFs (one process) =="
	read -r -a b < <(awk -F, '$1 == "testpmd" && $2 == 0 { print $3, $4, $5, $6 }' "$csv")
	printf '%-5s %9s %9s %9s %8s %11s %12s %11s\n' VFs up_s rss_MB pss_MB heap_MB \
		"s/VF" "PSS_kB/VF" "heap_MB/VF" | tee -a "$results/summary.txt"
	awk -F, -v t0="${b[0]}" -v p0="${b[2]}" -v h0="${b[3]}" '
		$1 == "testpmd" {
			n = $2
			printf "%-5s %9.3f %9.1f %9.1f %8s %11s %12s %11s\n", n, $3, $4 / 1024,
				$5 / 1024, $6 == "na" ? "na" : sprintf("%.1f", $6),
				n ? sprintf("%.4f", ($3 - t0) / n) : "-",
				n ? sprintf("%.0f", ($5 - p0) / n) : "-",
				n && $6 != "na" ? sprintf("%.2f", ($6 - h0) / n) : "-"
		}' "$csv" | tee -a "$results/summary.txt"
	awk -F, '$1 ~ /^model/ { printf "model: 1024 VFs ready in %s s, RSS %.1f MB (%s)\n",
		$3, $4 / 1024, substr($1, 15) }' "$csv" | tee -a "$results/summary.txt"
	# shellcheck source=bench/scale.sh
	source "$top/devtools/bench/scale.sh"
	scale_fwd_section
	scale_model_section
}

# --- ctl ---

section_ctl()
{
	local csv=$results/ctl.csv line phase kv

	if ((!have_pmd)); then
		note "SKIP ctl: the PMD or the model is not built"
		return
	fi
	if ! command -v strace > /dev/null; then
		note "SKIP ctl: strace not installed"
		return
	fi
	echo "phase,request,count" > "$csv"
	measure_ctl
	while read -r phase line; do
		for kv in $line; do
			echo "$phase,${kv%%=*},${kv#*=}" >> "$csv"
		done
	done <<< "$RESULT"
	note ""
	note "== control path: vfio-user requests of the PMD (strace of testpmd) =="
	awk -F, 'NR > 1 { v[$1] = v[$1] " " $2 "=" $3 }
		END { print "probe+configure+start:" v["init"]; print "port stop+start:     " v["restart"] }' \
		"$csv" | tee -a "$results/summary.txt"
	awk -F, 'NR > 1 && ($2 == "reg_reads" || $2 == "reg_writes") { s[$1] += $3 }
		END { printf "register accesses (BAR0 reads+writes): %d at probe+start, %d per port restart\n",
			s["init"], s["restart"] }' "$csv" | tee -a "$results/summary.txt"
}

# --- profile ---

section_profile()
{
	# shellcheck source=bench/profile.sh
	source "$top/devtools/bench/profile.sh"
	profile_section
}

for s in fwd switch scale ctl profile; do
	if has_section "$s"; then
		log "== section $s (load $(loadavg1)) =="
		"section_$s"
	fi
done

note ""
note "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((plots)); then
	if command -v gnuplot > /dev/null; then
		"$top/devtools/bench/plot.sh" "$results" "$plots_dir" ||
			note "plots failed (see above)"
	else
		note "no plots: gnuplot not installed (apt-get install gnuplot-nox)"
	fi
fi
note "raw results: $results/*.csv"
if ((plots)) && [[ $sections == *fwd* ]]; then
	# the report's table of the last run (doc/guides/perf/index.rst includes it)
	cat "$results/env.txt" "$results/summary.txt" > "$plots_dir/last_run.txt"
fi
