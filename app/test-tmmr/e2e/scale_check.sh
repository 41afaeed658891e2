#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# A reduced run of devtools/bench.sh's scale measurements
# (devtools/bench/scale.sh), asserting behaviour, never a speed:
#  - tmmr-vfemu with 1024 VFs of 8 queue pairs gets ready with all 1024 VFs
#    in its tree and its control socket, its soft limit of open files leaves
#    room for a client on every VF (or is the hard limit), and one testpmd
#    drives two of them (the first and the last) with 8 queue pairs each, both
#    links up;
#  - one testpmd forwards on 32 VFs at once (io, every port looped through its
#    own vhost port of a backend testpmd with 32 ports): every port received
#    packets in the window, no port counted an error, every port forwarded all
#    it received, and after both sides stopped the packets the backend sent on
#    each port minus those it got back are exactly that port's population (no
#    packet lost, duplicated or delivered to another port).
# usage: scale_check.sh BUILD-DIR
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
export E2E_BUILD=$1
export E2E_TP_MEM=1024
export E2E_LIFETIME=240
# shellcheck source=../../../devtools/bench/lib.sh
source "$top/devtools/bench/lib.sh"
# shellcheck source=../../../devtools/bench/scale.sh
source "$top/devtools/bench/scale.sh"
e2e_init scale
BENCH_WORK=$WORK
BENCH_CSV=/dev/null
SCALE_PORTS=$WORK/ports.txt
[[ -f $PMD_SO && -x $VFEMU_BIN ]] || skip "the PMD or the model is not built"

# the model starts with a small soft limit of open files (as a login shell's
# 1024), which it must raise itself; 1024 VFs of 8 queue pairs need 19,712 at
# ready (tmmr-vfemu exits below that)
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] || ((hard >= 19712)) ||
	skip "the hard limit of open files ($hard) is below the 19712 the model needs"
nofile=$(ulimit -Sn)
ulimit -Sn 1024
measure_model_big 1024 8 2
ulimit -Sn "$nofile"
read -r t rss pss fds up bdfs rss2 pss2 fds2 <<< "$RESULT"
log "model 1024x8: ready ${t}s rss ${rss}kB fds $fds, attached $bdfs: $up links up," \
	"then rss ${rss2}kB fds $fds2"
check_eq "VFs in the model's tree" "${#VF_BDFS[@]}" 1024
check_eq "links up of the 2 attached VFs" "$up" 2
check_eq "Rx queues of an attached VF" "${SCALE_MQ_RXQ:-none}" 8
check "the first and the last VF attached" \
	[ "$bdfs" = "${VF_BDFS[0]},${VF_BDFS[1023]}" ]
# each VF holds at least an eventfd per queue (2 x 8) and its sockets
check "the model holds its VFs' fds ($fds)" [ "$fds" -gt $((1024 * 16)) ]
# a client on every VF brings at least 4 fds (as the 2 attached VFs show): the
# model's soft limit leaves room for them, or is as high as the hard limit
room=$((fds + 1024 * 4))
[[ $SCALE_NOFILE_MAX == unlimited ]] || ((room < SCALE_NOFILE_MAX)) || room=$SCALE_NOFILE_MAX
[[ $SCALE_NOFILE == unlimited ]] && SCALE_NOFILE=$room
what="the model's fd limit ($SCALE_NOFILE, hard $SCALE_NOFILE_MAX)"
check "$what has room for a client on each VF ($room)" [ "$SCALE_NOFILE" -ge "$room" ]
check "an attached VF takes at least 4 fds of the model ($fds -> $fds2)" \
	[ $((fds2 - fds)) -ge 8 ]

BENCH_WARM=0.5
measure_fwd_many 32 1
read -r tu sum mn md mx j _ <<< "$RESULT"
log "32 VFs: links up in ${tu}s, $sum Mpps, per port $mn/$md/$mx, Jain $j"
check_eq "ports forwarding" "$(wc -l < "$SCALE_PORTS")" 32
pop=$((SCALE_POP * 32))
bad=$(awk -v pop="$pop" '
	$2 <= 0 { print "port " $1 ": nothing received in the window" }
	$8 != 0 { print "port " $1 ": " $8 " errors" }
	$6 != $7 { print "port " $1 ": received " $6 ", sent " $7 }
	$4 - $5 != pop { print "port " $1 ": backend sent " $4 ", got " $5 " back, not " pop " fewer" }
	' "$SCALE_PORTS")
[[ -z $bad ]] || { cat "$SCALE_PORTS" >&2; fail "$bad"; }
log "every port: packets in the window, no error, rx = tx, backend tx - rx = $pop"
log "PASS"
