#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Real Linux guests through tmmr_relay's vDPA mode (no copy: the VF runs the guest's rings):
#   guest (legacy virtio-net, QEMU TCG) <-vhost-user-> tmmr_relay --mode vdpa
#     (net_virtio_tmmr class=vdpa: guest memory DMA-mapped into the VF at IOVA = GPA, kicks
#     relayed to the doorbell, the VF's MSI-X wired to the guest's call fds)
#   the VF (tmmr-vfemu) <-vhost-user-> testpmd backend, which reads and writes the guest's
#   memory directly.
# Cases (--case):
#   ping:       the guest pings the backend's icmpecho; the relay's CPU time over an idle period
#               and over a ping run, per packet, bounded by its idle rate plus the kicks it
#               relays; the guest memory mapped into the model while the guest runs, unmapped
#               when QEMU exits; a SIGKILLed guest and a new one that pings again.
#   link:       VF link down/up (the model's control socket) seen by a pinging guest: the relay
#               closes the VF's socket while the link is down, the guest reconnects when it
#               comes up and runs on the VF again from where its rings stopped (resume=1:
#               the model resumes a ring at its used index), the relay counts the changes.
#   mq:         2 queue pairs (model --queue-pairs 2, QEMU mq=on and queues=2, -smp 2): the guest
#               has 2 pairs, enables both through the control queue and pings from each CPU;
#               the backend's icmpecho answers on both of its queues.
#   jumbo:      MTU 9000 everywhere (model --mtu, QEMU host_mtu, the guest's eth0): 8000-byte
#               pings, unfragmented.
#   two-guests: two guests on two VFs, the backend forwarding between the VFs (io), ping each
#               other.
#   fallback:   --fallback copy (VF devargs modern=1): a modern guest (disable-legacy=on, its
#               rings in Linux's cache-line aligned modern layout) refused by the VF is served
#               by the copy path after one link flap and pings; once QEMU is gone the VF is a
#               vDPA device again.
# --relay copy runs a case through the copy relay instead (for comparison: the same figures).
#
# usage: relay_vdpa_guest_e2e.sh --build BUILD_DIR --case ping|link|mq|jumbo|two-guests
#        [--relay vdpa|copy] [--device-opts ,OPT=VAL...]
#        (--case fallback too)
# --device-opts: appended to every guest's -device virtio-net-pci (e.g. ,vectors=4: MSI-X)
set -u

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
case=
relay=vdpa
device_opts=
vdpa_devargs=
relay_opts=()
net_mode=disable-modern=on
e2e_args "build: case: relay: device-opts:" "$@"
case $case in
ping|link|mq|jumbo|two-guests|fallback) ;;
*) echo "bad --case '$case'" >&2; exit 2 ;;
esac
case $relay in
vdpa|copy) ;;
*) echo "bad --relay '$relay'" >&2; exit 2 ;;
esac
relay_init "vdpa-$case" "$build" mmr
relay_guest_image
# a registered case must not skip: a relay without the mode fails here, saying so
if [ "$relay" = vdpa ]; then
	"$RELAY_BIN" --help 2>&1 | grep -q -- '--mode' ||
		fail "$RELAY_BIN has no --mode (vDPA mode not built)"
fi

# vf_field VF FIELD: FIELD of the model's status line of VF
vf_field()
{
	model_ctl status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# relay_cpu: "TICKS NS" CPU time of the relay process so far: TICKS (user + system, clock
# ticks) from /proc/PID/stat, which keeps the time of threads that ended; NS the sum of its
# live threads' run time from /proc/PID/task/*/schedstat (nanoseconds)
relay_cpu()
{
	local p s t ns=0 r
	local -a f

	p=$(pgrep -P "$relay_pid" | head -n 1)
	s=$(<"/proc/$p/stat")
	read -r -a f <<<"${s##*) }"
	for t in /proc/"$p"/task/*; do
		read -r r _ 2>/dev/null <"$t/schedstat" && ns=$((ns + r))
	done
	echo "$((f[11] + f[12])) $ns"
}

# relay_kicks: the guest kicks the vDPA relay turned into doorbells on VF 0 so far (0 in copy
# mode, which has no such counter)
relay_kicks()
{
	local v

	v=$(json_get "$(telemetry "$tag-r" '/tmmr_relay/stats,0')" kicks_relayed 2>/dev/null)
	echo "${v:-0}"
}

# relay_threads: "name:ticks" of each live thread of the relay (a diagnosis aid)
relay_threads()
{
	local p t s
	local -a f

	p=$(pgrep -P "$relay_pid" | head -n 1)
	for t in /proc/"$p"/task/*; do
		s=$(cat "$t/stat" 2>/dev/null) || continue	# a thread that just ended
		read -r -a f <<<"${s##*) }"
		s=${s#*(}
		printf '%s:%s ' "${s%%)*}" "$((f[11] + f[12]))"
	done
}

# net_args N QUEUES DEVICE_OPTS: QEMU's network device on the relay's socket N
net_args()
{
	local n=$1 q=$2 mac

	mac=$(vf_field "$n" mac)
	printf '%s' "-chardev socket,id=vr$n,path=$WORK/guest$n.sock,reconnect=1" \
		" -netdev vhost-user,id=vn$n,chardev=vr$n,queues=$q" \
		" -device virtio-net-pci,netdev=vn$n,mac=$mac,$net_mode,vectors=0$3$device_opts"
}

# boot NAME VF CMDLINE QUEUES DEVICE_OPTS [QEMU_ARGS]: a guest on the relay's socket of VF
boot()
{
	qemu_guest "$1" 384 240 "tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2 $3" \
		"$(net_args "$2" "$4" "$5") ${6:-}"
}

# kill_guest: SIGKILL to the last guest's QEMU (not its timeout wrapper), as a crash would
kill_guest()
{
	kill -KILL "$(pgrep -P "$qemu_pid" qemu-system-x86 || echo "$qemu_pid")" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
}

# start_chain VF_COUNT FWD BACKEND_QUEUES MODEL_OPTS...: the model's VFs, the backend testpmd
# (FWD icmpecho or io, interactive, forwarding from the start, BACKEND_QUEUES queues per port)
# and the relay with one socket per VF, $WORK/guest<n>.sock
start_chain()
{
	local n=$1 fwd=$2 q=$3 i
	local -a vdevs=() vfs=()

	shift 3
	for ((i = 0; i < n; i++)); do
		vdevs+=(--vdev "net_vhost$i,iface=$WORK/vh-$i,queues=$q")
	done
	tp_start backend "$E2E_CPU_PMD" "" --no-pci "${vdevs[@]}" -- -i -a \
		--forward-mode="$fwd" --rxq="$q" --txq="$q" --total-num-mbufs=16384 \
		--max-pkt-len=9018 --mbuf-size=2176 --no-lsc-interrupt
	for ((i = 0; i < n; i++)); do
		wait_until 30 test -S "$WORK/vh-$i" || fail "the backend did not listen"
	done
	vfemu_start --vfs "$n" "$@"
	vf_names=("${VF_BDFS[@]}")
	vf_env=("SYSFS_PCI_DEVICES=$VFEMU_SYSFS")
	vf_eal=(-d "$PMD_ARG")
	# vDPA: the relay's own DMA memory (the VF's control queue) is mapped at its IOVAs, away
	# from the guests' physical addresses
	[ "$relay" = vdpa ] && vf_eal+=(--base-virtaddr 0x40000000000)
	for ((i = 0; i < n; i++)); do
		if [ "$relay" = vdpa ]; then
			vf_eal+=(-a "${VF_BDFS[i]},class=vdpa$vdpa_devargs")
		else
			vf_eal+=(-a "${VF_BDFS[i]}")
		fi
		vfs+=(--vf "${VF_BDFS[i]},socket=$WORK/guest$i.sock")
	done
	if [ "$relay" = vdpa ]; then
		start_relay --mode vdpa "${vfs[@]}" --stats-interval 0 "${relay_opts[@]}"
	else
		start_relay "${vfs[@]}" --stats-interval 0
	fi
	for ((i = 0; i < n; i++)); do
		wait_until 30 test -S "$WORK/guest$i.sock" ||
			fail "the relay did not listen on guest$i.sock"
	done
	log "relay mode $relay, VFs ${VF_BDFS[*]}"
}

# on_vf N: in vDPA mode, the driver has put guests on the VFs N times so far (copy mode: true)
on_vf()
{
	[ "$relay" = copy ] || [ "$(grep -c 'runs on the VF' "$WORK/relay.log")" = "$1" ]
}

# guest_ok NAME SECONDS: the guest printed its end within SECONDS
guest_ok()
{
	relay_check "$1: guest finished" wait_for "$WORK/$1.log" 'GUEST: done' "$2"
	relay_check "$1: legacy driver (VERSION_1, bit 32, not negotiated)" \
		test "$(feature_bit "$WORK/$1.log" 32)" = 0
}

# pings_ok NAME: every ping of the run on every CPU answered
pings_ok()
{
	local l sent got bad=0 n=0

	while read -r l; do
		sent=$(sed -n 's/.* \([0-9]*\) packets transmitted.*/\1/p' <<<"$l")
		got=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' <<<"$l")
		log "$1: $l"
		n=$((n + 1))
		[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$sent" = "$got" ] || bad=1
	done < <(grep 'GUEST-VPING: cpu' "$WORK/$1.log" | tr -d '\r')
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

# vping_counter NAME MARK FIELD: the FIELD-th number after "GUEST-VPING: MARK"
vping_counter()
{
	grep "GUEST-VPING: $2 " "$WORK/$1.log" | tr -d '\r' | head -1 |
		awk -v f="$3" '{ print $(f + 2) }'
}

case_ping()
{
	local base maps t0 t1 c0 c1 c2 c3 k0 k1 kicks idle_ms run_ms pkts tx0 rx0 tx1 rx1
	local idle_ns run_ns extra_ns mhz idle_run_ns ticks_bound what bound_ns per_ns

	start_chain 1 icmpecho 1
	base=$(vf_field 0 dma_maps)
	log "model: VF 0 dma_maps=$base before any guest"

	# idle, no guest: the relay sleeps
	read -r c0 _ <<<"$(relay_cpu)"
	sleep 2
	read -r c1 _ <<<"$(relay_cpu)"
	log "relay without a guest: $((c1 - c0)) ticks in 2 s"
	relay_check "relay without a guest sleeps (<10% of a core)" test $((c1 - c0)) -lt 20

	# the measured guest: idle 6 s, then 400 pings every 25 ms, then a ping a second until it
	# is killed
	boot measured 0 \
		"tmmr.mode=vping tmmr.idle=6 tmmr.count=400 tmmr.interval=0.025 tmmr.hold=600" 1 ""
	relay_check "measured: guest idles" wait_for "$WORK/measured.log" 'GUEST-VPING: idle' 150
	maps=$(vf_field 0 dma_maps)
	log "model: VF 0 dma_maps=$maps with the guest, status $(vf_field 0 status)"
	[ "$relay" = vdpa ] &&
		relay_check "guest memory mapped into the model (dma_maps $maps > $base)" \
			test "${maps:-0}" -gt "${base:-0}"
	t0=$(date +%s%N)
	read -r c0 idle_ns <<<"$(relay_cpu)"
	wait_for "$WORK/measured.log" 'GUEST-VPING: start' 30
	t1=$(date +%s%N)
	read -r c1 c2 <<<"$(relay_cpu)"
	k0=$(relay_kicks)
	idle_ns=$((c2 - idle_ns))
	idle_ms=$(((t1 - t0) / 1000000))
	log "relay with an idle guest: $((c1 - c0)) ticks, $((idle_ns / 1000)) us in $idle_ms ms;" \
		"threads $(relay_threads)"
	relay_check "measured: the run ends" wait_for "$WORK/measured.log" 'GUEST-VPING: end' 120
	t0=$(date +%s%N)
	read -r c3 run_ns <<<"$(relay_cpu)"
	k1=$(relay_kicks)
	run_ns=$((run_ns - c2))
	run_ms=$(((t0 - t1) / 1000000))
	relay_check "measured: legacy driver (VERSION_1, bit 32, not negotiated)" \
		test "$(feature_bit "$WORK/measured.log" 32)" = 0
	relay_check "measured: its rings run on the VF" on_vf 1
	wait_for "$WORK/measured.log" 'GUEST-VPING: cpu 0' 10
	relay_check "measured: 400 pings answered" pings_ok measured
	tx0=$(vping_counter measured start 1)
	rx0=$(vping_counter measured start 2)
	tx1=$(vping_counter measured end 1)
	rx1=$(vping_counter measured end 2)
	pkts=$(((tx1 - tx0) + (rx1 - rx0)))
	mhz=$(awk '/^cpu MHz/ { print int($4); exit }' /proc/cpuinfo)
	kicks=$((k1 - k0))
	log "relay over the ping run: $((c3 - c1)) ticks, $((run_ns / 1000)) us in $run_ms ms," \
		"$pkts guest packets (tx+rx), $kicks kicks relayed; threads $(relay_threads)"
	# The bound: the idle rate over the run's length, up by half (the idle relay's own
	# periodic work costs more or less on a loaded machine); plus the driver's used-ring
	# sampler (its statistics), which wakes every 5 ms while the rings move and every 40 ms
	# while they are still: 200 wake-ups a second at most, whatever the packet rate, 20 us
	# each allowed (4 us per ms of the run); plus 50 us of one core per kick relayed (an
	# eventfd wake, its read and one doorbell store: an eventfd write on the model); plus
	# 10 ms (a clock tick) of rounding. The frames themselves cost the relay nothing: the VF
	# reads and writes the guest's rings and interrupts the guest through its call fd. The
	# guest kicks at most once per frame it sends (Tx) and once per frame it receives (the
	# Rx refill): kicks <= its tx + rx frames. Copy mode, which has no kick count (its frames
	# stand in), costs about 200 us per frame here: 800 frames are far above the bound.
	[ "$relay" = copy ] && kicks=$pkts
	idle_run_ns=$((idle_ns * run_ms / (idle_ms > 0 ? idle_ms : 1)))
	extra_ns=$((run_ns - idle_run_ns))
	bound_ns=$((idle_run_ns * 3 / 2 + run_ms * 4000 + kicks * 50000 + 10000000))
	per_ns=$((extra_ns / (pkts > 0 ? pkts : 1)))
	log "FIGURE relay=$relay idle: $((idle_ns / (idle_ms > 0 ? idle_ms : 1))) ns/ms of CPU;" \
		"ping run: $((run_ns / (run_ms > 0 ? run_ms : 1))) ns/ms; above idle:" \
		"$((extra_ns / 1000)) us for $pkts packets = $per_ns ns" \
		"($((per_ns * mhz / 1000)) cycles at $mhz MHz) per packet, $kicks kicks"
	relay_check "$pkts packets crossed the guest's eth0 (>= 800)" test "$pkts" -ge 800
	if [ "$relay" = vdpa ]; then
		relay_check "the guest's kicks ($kicks) <= its frames ($pkts)" \
			test "$kicks" -ge 0 -a "$kicks" -le "$pkts"
		what="relay CPU over the run ($((run_ns / 1000)) us) <= 1.5 x idle rate"
		what+=" ($((idle_run_ns / 1000)) us) + 4 us/ms sampler + 50 us x $kicks kicks + 10 ms"
		relay_check "$what = $((bound_ns / 1000)) us" test "$run_ns" -le "$bound_ns"
		ticks_bound=$(((c1 - c0) * 3 * run_ms / (2 * (idle_ms > 0 ? idle_ms : 1)) +
			run_ms / 2500 + kicks / 200 + 3))
		what="relay ticks over the run ($((c3 - c1))) <= the same from ticks + 3"
		relay_check "$what ($ticks_bound)" test "$((c3 - c1))" -le "$ticks_bound"
	fi
	# killed while it pings once a second; a new guest
	relay_check "measured guest still runs" kill -0 "$qemu_pid"
	kill_guest
	t0=$SECONDS
	# the relay resets the VF when vhost sees the socket close; on the loaded machine that
	# has taken more than 10 s
	relay_check "killed guest's memory unmapped (dma_maps back to $base)" \
		wait_eq 30 "$base" vf_field 0 dma_maps
	log "the killed guest's memory was unmapped after $((SECONDS - t0)) s"
	relay_check "relay survives the killed guest" kill -0 "$relay_pid"
	boot restarted 0 "tmmr.mode=vping tmmr.count=3" 1 ""
	guest_ok restarted 150
	relay_check "restarted guest's pings answered" pings_ok restarted
	relay_check "restarted: its rings run on the VF" on_vf 2
	wait "$qemu_pid" 2>/dev/null
	relay_check "guest memory unmapped after QEMU exits (dma_maps back to $base)" \
		wait_eq 30 "$base" vf_field 0 dma_maps
}

# stream_busy STOP_OUTPUT QUEUE: testpmd's stream of port 0 QUEUE received and sent frames
stream_busy()
{
	grep -A1 "RX Port= 0/Queue= $2 " <<<"$1" | grep -Eq 'RX-packets: +[1-9].*TX-packets: +[1-9]'
}

# vf_runs: how many times the driver has put a guest on a VF so far (vDPA mode)
vf_runs()
{
	grep -c 'runs on the VF' "$WORK/relay.log"
}

# relay_stat KEY: KEY of VF 0 in the relay's telemetry
relay_stat()
{
	json_get "$(telemetry "$tag-r" '/tmmr_relay/stats,0')" "$1"
}

case_link()
{
	local runs0 ch0 vch0 ch vch

	# the guest comes back with its rings where they stopped: the model resumes there
	vdpa_devargs=,resume=1
	start_chain 1 icmpecho 1
	boot looping 0 "tmmr.mode=loop" 1 ""
	relay_check "looping guest gets replies" wait_for "$WORK/looping.log" 'GUEST-LOOP: reply' 150
	relay_check "its rings run on the VF" test "$relay" = copy -o "$(vf_runs)" -ge 1
	# counted from here: the model may flap the link by itself when its backend is slow to
	# answer on the loaded machine (the relay reflects that too)
	runs0=$(vf_runs)
	ch0=$(relay_stat link_changes)
	[ "$relay" = vdpa ] && vch0=$(relay_stat vf_link_changes)
	model_ok link 0 down
	relay_check "guest sees its link go down" wait_for "$WORK/looping.log" 'GUEST-LINK: down' 20
	relay_check "relay logs the VF link down" \
		wait_for "$WORK/relay.log" "VF ${vf_names[0]}: link down" 5
	relay_check "relay closed the VF's socket while the link is down" \
		wait_until 5 test ! -e "$WORK/guest0.sock"
	model_ok link 0 up
	relay_check "guest sees its link come up" wait_for "$WORK/looping.log" 'GUEST-LINK: up' 30
	wait_for "$WORK/looping.log" 'NEVER' 5
	relay_check "guest gets replies again after link up" \
		after_last "$WORK/looping.log" 'GUEST-LINK: up' 'GUEST-LOOP: reply'
	relay_check "its rings run on the VF again" \
		test "$relay" = copy -o "$(vf_runs)" -gt "$runs0"
	log "relay: $(telemetry "$tag-r" '/tmmr_relay/stats,0')"
	# down and up: an even number of changes, at least 2, the link up at the end
	ch=$(( $(relay_stat link_changes) - ch0 ))
	relay_check "relay counted the link down and up ($ch changes)" \
		test "$ch" -ge 2 -a $((ch % 2)) = 0
	if [ "$relay" = vdpa ]; then
		# every read the relay makes is one of the driver's: it sees at least as many
		vch=$(( $(relay_stat vf_link_changes) - vch0 ))
		relay_check "driver's vf_link_changes counted them ($vch), vf_link_up 1" \
			test "$vch" -ge "$ch" -a "$(relay_stat vf_link_up)" = 1
	fi
	kill_guest
}

case_mq()
{
	local qs out

	start_chain 1 icmpecho 2 --queue-pairs 2
	boot mq 0 "tmmr.mode=vping tmmr.count=20 tmmr.interval=0.1" 2 ",mq=on" "-smp 2"
	guest_ok mq 150
	qs=$(sed -n 's/.*GUEST-VPING: mtu .* queues \(.*\)/\1/p' "$WORK/mq.log" | tr -d '\r')
	log "guest queues: $qs"
	relay_check "MQ (bit 22) negotiated" test "$(feature_bit "$WORK/mq.log" 22)" = 1
	relay_check "guest has 2 queue pairs (rx-0 rx-1 tx-0 tx-1)" \
		test "$(xargs <<<"$qs")" = "rx-0 rx-1 tx-0 tx-1"
	relay_check "2 CPUs each pinged, every ping answered" pings_ok mq
	relay_check "2 CPUs in the guest" test "$(grep -c 'GUEST-VPING: cpu' "$WORK/mq.log")" = 2
	relay_check "its rings run on the VF" on_vf 1
	out=$(tp_run backend 10 'Done.' stop)
	log "backend: $(grep -E 'Forward Stats for RX Port|RX-packets' <<<"$out" |
		tr -s ' ' | tr '\n' ' ')"
	relay_check "backend answered on queue 0" stream_busy "$out" 0
	relay_check "backend answered on queue 1" stream_busy "$out" 1
}

case_jumbo()
{
	local tx0 tx1 b1

	start_chain 1 icmpecho 1 --mtu 9000
	relay_check "model VF MTU 9000" test "$(vf_field 0 mtu)" = 9000
	boot jumbo 0 "tmmr.mode=vping tmmr.mtu=9000 tmmr.count=10 tmmr.interval=0.2 tmmr.psize=8000" \
		1 ",host_mtu=9000"
	guest_ok jumbo 150
	relay_check "MTU (bit 3) negotiated" test "$(feature_bit "$WORK/jumbo.log" 3)" = 1
	relay_check "guest eth0 MTU 9000" grep -q 'GUEST-VPING: mtu 9000' "$WORK/jumbo.log"
	relay_check "10 pings of 8000 bytes answered" pings_ok jumbo
	relay_check "its rings run on the VF" on_vf 1
	tx0=$(vping_counter jumbo start 1)
	tx1=$(vping_counter jumbo end 1)
	b1=$(vping_counter jumbo end 3)
	# unfragmented: 10 frames of 8042 bytes, not 60 of 1514
	relay_check "guest sent the pings unfragmented ($((tx1 - tx0)) frames)" \
		test $((tx1 - tx0)) -le 12
	relay_check "guest's eth0 sent $b1 bytes (10 x 8042 and the warm-up)" test "${b1:-0}" -gt 80420
}

case_two_guests()
{
	local base0 base1 qa

	start_chain 2 io 1
	base0=$(vf_field 0 dma_maps)
	base1=$(vf_field 1 dma_maps)
	qemu_guest a 256 240 "tmmr.mode=loop tmmr.ip=198.18.0.1 tmmr.peer=198.18.0.2" \
		"$(net_args 0 1 "")"
	qa=$qemu_pid
	qemu_guest b 256 240 "tmmr.mode=loop tmmr.ip=198.18.0.2 tmmr.peer=198.18.0.1" \
		"$(net_args 1 1 "")"
	relay_check "guest A gets replies from guest B" wait_for "$WORK/a.log" 'GUEST-LOOP: reply' 200
	relay_check "guest B gets replies from guest A" wait_for "$WORK/b.log" 'GUEST-LOOP: reply' 60
	relay_check "both guests' rings run on their VFs" on_vf 2
	relay_check "both guests legacy" test "$(feature_bit "$WORK/a.log" 32)$(feature_bit \
		"$WORK/b.log" 32)" = 00
	[ "$relay" = vdpa ] && relay_check "both VFs have guest memory mapped" \
		test "$(vf_field 0 dma_maps)" -gt "$base0" -a "$(vf_field 1 dma_maps)" -gt "$base1"
	kill_guest
	qemu_pid=$qa
	kill_guest
}

case_fallback()
{
	local tel

	[ "$relay" = vdpa ] || fail "--case fallback is a vDPA mode case"
	vdpa_devargs=,modern=1,resume=1
	relay_opts=(--fallback copy)
	net_mode=disable-legacy=on
	RELAY_LCORES=0@0,1@0
	start_chain 1 icmpecho 1
	boot modern 0 "tmmr.mode=vping tmmr.idle=8 tmmr.count=20 tmmr.interval=0.2 tmmr.hold=600" 1 ""
	relay_check "modern: the VF refuses the guest" \
		wait_for "$WORK/relay.log" 'vhost device [0-9]* refused' 150
	relay_check "modern: the relay switches the VF to the copy path" \
		wait_for "$WORK/relay.log" 'served by the copy path' 30
	relay_check "modern: QEMU comes back to the copy path" \
		wait_for "$WORK/relay.log" 'guest connected on .*modern' 30
	relay_check "modern: guest's pings done" wait_for "$WORK/modern.log" 'GUEST-VPING: cpu 0' 200
	relay_check "modern: VERSION_1 (bit 32) negotiated" \
		test "$(feature_bit "$WORK/modern.log" 32)" = 1
	relay_check "modern: 20 pings answered through the copy path" pings_ok modern
	tel=$(telemetry "$tag-r" /tmmr_relay/stats,0)
	log "telemetry: $tel"
	relay_check "telemetry: path copy, 1 fallback" \
		test "$(json_get "$tel" path) $(json_get "$tel" fallbacks)" = "copy 1"
	relay_check "telemetry: the copy path forwarded ($(json_get "$tel" guest_tx_pkts))" \
		test "$(json_get "$tel" guest_tx_pkts)" -ge 20
	kill_guest
	relay_check "QEMU gone: the VF is a vDPA device again" \
		wait_for "$WORK/relay.log" 'the VF is a vDPA device again' 30
}

"case_${case//-/_}"
relay_check "relay alive at the end" kill -0 "$relay_pid"
stop_pid "$relay_pid" INT
relay_check "SIGINT stops the relay cleanly (exit $stopped_rc)" test "$stopped_rc" = 0
relay_summary
