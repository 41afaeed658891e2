#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Benchmarks of tmmr, every contender measured side by side in one run:
# rounds alternate the contenders (their order rotates from round to round),
# the table shows medians, raw results go to CSV files under the results dir.
#
#   fwd     io forwarding through one port, 64 and 1518-byte frames: the
#           net_virtio_tmmr PMD on a tmmr-vfemu VF vs DPDK's net_virtio_user
#           with its defaults and with in_order=0, all against the same DPDK
#           vhost backend (see devtools/bench/lib.sh for the traffic design);
#           doorbells and interrupts per million packets of the tmmr PMD
#   switch  tmmr_relay vs OVS-DPDK forwarding vhost-user <-> VF
#   scale   probe time and memory of testpmd with 0, 1, 8 and 32 VFs; the
#           model creating 1024 VFs (time to "ready", RSS)
#   ctl     vfio-user requests (register accesses) of one port start
#   profile callgrind of the PMD's forwarding loop (not in the default set)
#
# Benchmarks are not tests: nothing here is registered with meson test.
# Every process is bounded by timeout(1), pinned to one CPU (backend CPU 0,
# measured side CPU 1) and ended by PID. The machine's 1-minute load average
# is recorded beside every measurement: figures taken under load are noisy.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage()
{
	cat >&2 << EOF
usage: $0 [--quick] [--rounds N] [--duration S] [--build DIR] [--results DIR]
          [--sections LIST] [--no-plots] [--plots-dir DIR] [--wait-load L]
  --quick        1 round of 3 s (default: 3 rounds of 5 s, about 7 minutes)
  --sections     comma-separated from fwd,switch,scale,ctl,profile
                 (default fwd,switch,scale,ctl)
  --results DIR  where the CSV files go (default BUILD/bench-results/<time>)
  --plots-dir    where the PNG plots go (default doc/guides/perf)
  --wait-load L  first wait (up to 15 minutes) for a 1-minute load average below L
EOF
	exit 2
}

rounds=3
duration=5
build=$top/build
results=
sections=fwd,switch,scale,ctl
plots=1
plots_dir=$top/doc/guides/perf
wait_load=
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
	--wait-load) wait_load=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ ]] || usage
if [[ -n $wait_load ]]; then
	for ((i = 0; i < 90; i++)); do
		awk -v l="$wait_load" '{ exit !($1 < l) }' /proc/loadavg && break
		((i % 6)) || echo "waiting for load < $wait_load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		sleep 10
	done
fi

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

# --- fwd ---

section_fwd()
{
	local csv=$results/fwd.csv r size who m contenders=(vu_default vu_inorder0)
	local mp cy rd td ci load

	((have_pmd)) && contenders=(tmmr "${contenders[@]}")
	BENCH_CSV=$csv
	echo "round,contender,size,mpps,cycles_per_pkt,rx_doorbells_per_mpkt," \
		"tx_doorbells_per_mpkt,config_irqs_per_mpkt,load1" | tr -d ' ' > "$csv"
	for ((r = 1; r <= rounds; r++)); do
		for size in 64 1518; do
			for who in $(rotate "$r" "${contenders[@]}"); do
				measure_fwd "$who" "$size" "$duration"
				m=$RESULT
				read -r mp cy rd td ci load <<< "$m"
				bench_row "$r" "$who" "$size" "$mp" "$cy" "$rd" "$td" "$ci" "$load"
				log "fwd round $r $who ${size}B: $mp Mpps, $cy cycles/pkt (load $load)"
			done
		done
	done
	note ""
	note "== io forwarding, one core per side, median of $rounds round(s) =="
	printf '%-12s %6s %10s %12s %8s %8s\n' contender size Mpps cycles/pkt min max |
		tee -a "$results/summary.txt"
	for size in 64 1518; do
		for who in "${contenders[@]}"; do
			printf '%-12s %6s %10s %12s %8s %8s\n' "$who" "$size" \
				"$(med "$csv" 4 "\$2 == \"$who\" && \$3 == $size")" \
				"$(med "$csv" 5 "\$2 == \"$who\" && \$3 == $size")" \
				"$(awk -F, -v w="$who" -v s="$size" 'NR > 1 && $2 == w && $3 == s' "$csv" |
					cut -d, -f4 | sort -g | head -n 1)" \
				"$(awk -F, -v w="$who" -v s="$size" 'NR > 1 && $2 == w && $3 == s' "$csv" |
					cut -d, -f4 | sort -g | tail -n 1)" |
				tee -a "$results/summary.txt"
		done
	done
	note "load average during the measurements (1 min): min $(cut -d, -f9 "$csv" |
		tail -n +2 | sort -g | head -n 1), max $(cut -d, -f9 "$csv" | tail -n +2 |
		sort -g | tail -n 1)"
	if ((have_pmd)); then
		for size in 64 1518; do
			local t i d sfx=
			t=$(med "$csv" 4 "\$2 == \"tmmr\" && \$3 == $size")
			i=$(med "$csv" 4 "\$2 == \"vu_inorder0\" && \$3 == $size")
			d=$(med "$csv" 4 "\$2 == \"vu_default\" && \$3 == $size")
			[[ $size == 64 ]] || sfx=" (${size}B)"
			note "ratio tmmr/virtio_user(in_order=0)=$(ratio "$t" "$i")$sfx"
			note "ratio tmmr/virtio_user(default)=$(ratio "$t" "$d")$sfx"
		done
		note "tmmr per million packets at 64B (median): rx doorbells" \
			"$(med "$csv" 6 "\$2 == \"tmmr\" && \$3 == 64"), tx doorbells" \
			"$(med "$csv" 7 "\$2 == \"tmmr\" && \$3 == 64"), config interrupts" \
			"$(med "$csv" 8 "\$2 == \"tmmr\" && \$3 == 64");" \
			"queue interrupts 0 (poll mode: none requested)"
	fi
}

# --- switch: tmmr_relay vs OVS-DPDK ---

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
