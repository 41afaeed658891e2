#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# PNG plots of a devtools/bench.sh results directory, with gnuplot:
#   fwd.png     median Mpps per contender, 64 and 1518 bytes, min..max bars
#   switch.png  median Mpps of tmmr_relay and OVS-DPDK (if measured)
#   scale.png   testpmd PSS and DPDK heap in use against the number of VFs
#   scale_fwd.png    Mpps per VF of one testpmd forwarding on 32 VFs at once
#   scale_model.png  the model's fds and RSS with 1 and 1024 VFs of 8 queue pairs
# usage: plot.sh RESULTS_DIR OUT_DIR
set -euo pipefail

res=$1
out=$2
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-bench-plot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# stats FILE KEYCOL VALCOL FILTER: "key median min max" per key, in first-seen order
stats()
{
	awk -F, -v k="$2" -v c="$3" "NR > 1 && \$c != \"na\" && ($4) { print \$k, \$c }" "$1" |
		awk '{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } v[$1] = v[$1] " " $2 }
			END { for (i = 1; i <= n; i++) print order[i], v[order[i]] }' |
		while read -r key vals; do
			printf '%s %s\n' "$key" "$(tr ' ' '\n' <<< "$vals" | sort -g |
				awk '{ a[NR] = $1 } END {
					if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2
					print m, a[1], a[NR] }')"
		done
}

common='set terminal pngcairo size 800,480 font "DejaVu Sans,10"
set grid ytics
set key top right
set style fill solid 0.7 border -1
set errorbars 2
set termoption noenhanced'

if [[ -f $res/fwd.csv ]]; then
	stats "$res/fwd.csv" 2 4 '$3 == 64' > "$tmp/fwd64"
	stats "$res/fwd.csv" 2 4 '$3 == 1518' > "$tmp/fwd1518"
	join "$tmp/fwd64" "$tmp/fwd1518" > "$tmp/fwd" || true
	if [[ -s $tmp/fwd ]]; then
		gnuplot << EOF
$common
set output "$out/fwd.png"
set title "io forwarding, one core per side (median, bars: min..max)\n$(head -c 60 "$res/env.txt" | head -n 1)"
set ylabel "Mpps"
set yrange [0:*]
set style data histogram
set style histogram errorbars gap 1 lw 1
plot "$tmp/fwd" using 2:3:4:xtic(1) title "64 B", '' using 5:6:7 title "1518 B"
EOF
	fi
fi

if [[ -f $res/switch.csv ]]; then
	stats "$res/switch.csv" 2 4 '$3 == 64' > "$tmp/sw"
	if [[ -s $tmp/sw ]]; then
		gnuplot << EOF
$common
set output "$out/switch.png"
set title "vhost-user <-> VF forwarding, 64 B, switch on one core (median, min..max)"
set ylabel "Mpps"
set yrange [0:*]
set style data histogram
set style histogram errorbars gap 1 lw 1
plot "$tmp/sw" using 2:3:4:xtic(1) title "64 B"
EOF
	fi
fi

if [[ -f $res/scale.csv ]]; then
	# PSS and heap as growth over the process without VFs
	awk -F, '$1 == "testpmd" && $2 == 0 { p0 = $5; h0 = $6 }
		$1 == "testpmd" { print $2, ($5 - p0) / 1024, ($6 == "na" ? 0 : $6 - h0), $3 }' \
		"$res/scale.csv" > "$tmp/scale"
	if [[ -s $tmp/scale ]]; then
		gnuplot << EOF
$common
set output "$out/scale.png"
set title "testpmd with N tmmr VFs (probe + configure + start, --no-huge -m 1024)"
set xlabel "VFs in one process"
set ylabel "MB more than without VFs"
set y2label "seconds to prompt"
set ytics nomirror
set y2tics
set key top left
set xrange [-1:33]
plot "$tmp/scale" using 1:3 with linespoints lw 2 title "DPDK heap in use", \
	'' using 1:2 with linespoints lw 2 title "PSS", \
	'' using 1:4 axes x1y2 with linespoints lw 2 dt 2 title "time to prompt (s)"
EOF
	fi
fi
if [[ -f $res/scale_fwd.csv ]]; then
	# Mpps of every port of the one testpmd forwarding on the most VFs at once
	n=$(awk -F, 'NR > 1 && $2 > n { n = $2 } END { print n + 0 }' "$res/scale_fwd.csv")
	awk -F, -v n="$n" 'NR > 1 && $1 == "tmmr" && $2 == n { print $3, $5 }' \
		"$res/scale_fwd.csv" > "$tmp/sfwd"
	read -r sum jain load < <(awk -F, -v n="$n" '$1 == "tmmr" && $2 == n { print $4, $8, $9 }' \
		"$res/scale_fwd_summary.csv")
	title="one testpmd forwarding on $n tmmr VFs at once: Mpps per VF"
	title+="\\naggregate $sum Mpps, Jain's index $jain, load1 $load"
	if [[ -s $tmp/sfwd ]]; then
		gnuplot << EOF
$common
set output "$out/scale_fwd.png"
set title "$title"
set xlabel "port (VF)"
set ylabel "Mpps"
set yrange [0:*]
set boxwidth 0.8
plot "$tmp/sfwd" using 1:2 with boxes title "received per port"
EOF
	fi
fi

if [[ -f $res/scale_model.csv ]]; then
	# the model's fds and RSS with 1 and with 1024 VFs of 8 queue pairs
	awk -F, 'NR > 1 { print $1, $6, $4 / 1024, $3 }' "$res/scale_model.csv" > "$tmp/smodel"
	if [[ -s $tmp/smodel ]]; then
		gnuplot << EOF
$common
set output "$out/scale_model.png"
set title "tmmr-vfemu with N VFs of 8 queue pairs: open fds and RSS at ready"
set xlabel "VFs"
set xrange [0:*]
set ylabel "open fds"
set y2label "RSS (MB)"
set ytics nomirror
set y2tics
set key top left
plot "$tmp/smodel" using 1:2 with linespoints lw 2 title "fds", \
	'' using 1:3 axes x1y2 with linespoints lw 2 dt 2 title "RSS (MB)"
EOF
	fi
fi

ls "$out"/*.png 2> /dev/null || true
