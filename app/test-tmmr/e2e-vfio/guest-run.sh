#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs inside the vfio suite's guest (chroot over the host's /usr, see guest-init.sh), on the
# two MMR functions bound to vfio-pci. Every assertion prints "CHECK PASS: what" or
# "CHECK FAIL: what"; the host (vfio_e2e.sh) requires its expected list of PASS lines and no
# FAIL. "@@MON CMD" asks the host to run CMD on the QEMU monitor.
#
# usage: guest-run.sh va|pa|mq|relay|vdpa|mp
#   va: IOVA as VA (the functions DMA through the vIOMMU): probe, io forwarding, LSC over
#       MSI-X, port stop/start, port reset (VFIO reset), MTU 9000 with scattered Rx, Rx
#       interrupts (rxintr), device_del of one function
#   pa: IOVA as PA (the functions DMA to guest-physical addresses): probe, io forwarding
#   mq: IOVA as VA, 2 queue pairs (MQ through the control queue; the functions sit on
#       2-queue taps joined by a bridge): exact bursts on both queues, io forwarding
#   relay: IOVA as VA, one level up: tmmr_relay drives function 0 through vfio-pci and
#       re-exports it on a vhost-user socket; the consumer is a testpmd with net_virtio_user
#       on that socket, which also drives function 1 (the far end of QEMU's hub): exact
#       counts both ways end to end and in the relay's counters, the relay woken by the
#       function's Rx interrupt, mac forwarding round the loop, clean exits
#   vdpa: IOVA as VA, tmmr_relay --mode vdpa: function 0 runs the rings of a net_virtio_user
#       frontend (a testpmd that also drives function 1) itself, the relay only maps the
#       frontend's memory through the vIOMMU, wires MSI-X to its call fds and relays its
#       kicks: exact counts both ways, the relay's kicks_relayed/completed_descriptors, its
#       CPU, a killed frontend replaced, clean exit
#   mp: IOVA as VA, DPDK secondary processes (each function receives back what it sends,
#       on the queue it sent from, see vfio_e2e.sh): dpdk-proc-info and dpdk-dumpcap on
#       testpmd's ports, then our tmmr-mp-queue, primary on queue pair 0 and a secondary on
#       queue pair 1 of function 0
set -u
mode=${1:-va}
export PATH=/usr/sbin:/usr/bin
PMD_DIR=/build/drivers/net/virtio_tmmr
TESTPMD=/usr/bin/dpdk-testpmd
W=/tmp/run
mkdir -p $W
BURST=32
NQ=1		# queue pairs per port: each port sends NQ streams of tx_first bursts
nfail=0

log() { echo "GUEST-RUN: $*"; }
pass() { echo "CHECK PASS: $*"; }
failc() { echo "CHECK FAIL: $*"; nfail=$((nfail + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else failc "$what"; fi; }
check_eq() { if [ "$2" = "$3" ]; then pass "$1 ($2)"; else failc "$1: got '$2', want '$3'"; fi; }
mon() { echo "@@MON $*"; }

bdfs=()
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor)" = 0x1af4 ] && [ "$(cat $d/device)" = 0x10f9 ] && bdfs+=("${d##*/}")
done
check_eq "two MMR functions on the guest's PCI bus" "${#bdfs[@]}" 2
if [ ${#bdfs[@]} -ne 2 ]; then
	echo "GUEST-RUN-DONE: $nfail failed"
	exit 1
fi
for b in "${bdfs[@]}"; do
	drv=$(readlink /sys/bus/pci/devices/$b/driver)
	check_eq "$b bound to" "${drv##*/}" vfio-pci
	grp=$(basename "$(readlink /sys/bus/pci/devices/$b/iommu_group)")
	check "$b has its own IOMMU group $grp and /dev/vfio/$grp" test -c /dev/vfio/$grp
done
check "the vIOMMU is on (DMAR in the kernel log)" eval 'dmesg | grep -q "DMAR: IOMMU enabled"'
echo 128 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
check "hugepages" test "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" -ge 64

# --- an interactive testpmd driven through a fifo ---
TP_LOG=$W/tp.log
TP_PID=
# the devices testpmd drives (EAL arguments); default: both functions
TP_DEVS=()
tp_start()
{
	local devs=("${TP_DEVS[@]}")
	[ ${#devs[@]} -gt 0 ] || devs=(-a "${bdfs[0]},lsc_poll_ms=0" -a "${bdfs[1]},lsc_poll_ms=0")
	rm -f $W/tp.in
	mkfifo $W/tp.in
	timeout -k 5 600 stdbuf -o0 -e0 $TESTPMD -l 0,1 -n 1 --file-prefix tp \
		--iova-mode=$1 -d $PMD_DIR/librte_net_virtio_tmmr.so \
		--log-level='pmd.net.virtio_tmmr*:info' --log-level=lib.eal:info \
		"${devs[@]}" -- \
		-i --nb-cores=1 --total-num-mbufs=4096 "${@:2}" <$W/tp.in >$TP_LOG 2>&1 &
	TP_PID=$!
	exec 3<>$W/tp.in
	if ! wait_for 90 0 '^testpmd> '; then
		failc "testpmd reached its prompt"
		dump_log
		echo "GUEST-RUN-DONE: $nfail failed"
		exit 1
	fi
}
tp_cmd() { printf '%s\n' "$1" >&3; }
tp_offset() { stat -c %s $TP_LOG; }
tp_since() { tail -c +$(($1 + 1)) $TP_LOG; }
# wait_for SECONDS OFFSET PATTERN
wait_for()
{
	local deadline=$((SECONDS + $1))
	while ! tp_since "$2" | grep -q -- "$3"; do
		[ $SECONDS -lt $deadline ] || return 1
		kill -0 $TP_PID 2>/dev/null || return 1
		sleep 0.1
	done
}
# tp_run SECONDS PATTERN CMD: prints the output of CMD once PATTERN shows
tp_run()
{
	local off
	off=$(tp_offset)
	tp_cmd "$3"
	wait_for "$1" "$off" "$2" || return 1
	sleep 0.2
	tp_since "$off"
}
port_link() { tp_run 10 'Link status' "show port info $1" | sed -n 's/^Link status: *//p' | head -1; }
wait_link()
{
	local deadline=$((SECONDS + $2))
	while [ "$(port_link $1)" != "$3" ]; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
}
# port_stats PORT: "rx rx_missed rx_errors tx tx_errors rx_bytes tx_bytes"
port_stats()
{
	tp_run 10 'Tx-pps' "show port stats $1" | awk '
		$1 == "RX-packets:" { rx = $2; miss = $4; rxb = $6 }
		$1 == "RX-errors:" { rxe = $2 }
		$1 == "TX-packets:" { tx = $2; txe = $4; txb = $6 }
		END { print rx + 0, miss + 0, rxe + 0, tx + 0, txe + 0, rxb + 0, txb + 0 }'
}
# stop_after_rx RX0 RX1: once ports 0 and 1 received that many (or after 20 s), and half a
# second more for anything beyond, stops forwarding
stop_after_rx()
{
	local deadline=$((SECONDS + 20)) a b
	while :; do
		read -r -a a <<<"$(port_stats 0)"
		read -r -a b <<<"$(port_stats 1)"
		[ "${a[0]}" -ge $1 ] && [ "${b[0]}" -ge $2 ] && break
		[ $SECONDS -lt $deadline ] || break
		sleep 0.3
	done
	sleep 0.5
	tp_run 10 'Done' stop >/dev/null
}
# exact_bursts WHAT N [PORTS]: both ports send N bursts of 32 (start tx_first N) and only
# receive; each must receive exactly what the other sent
exact_bursts()
{
	local what=$1 n=$2 want=$(($2 * BURST * NQ)) a b
	tp_cmd "set fwd rxonly"
	tp_cmd "clear port stats all"
	tp_run 10 'packets/burst' "start tx_first $n" >/dev/null || failc "$what: start"
	stop_after_rx $want $want
	read -r -a a <<<"$(port_stats 0)"
	read -r -a b <<<"$(port_stats 1)"
	check_eq "$what: port 0 sent" "${a[3]}" $want
	check_eq "$what: port 1 sent" "${b[3]}" $want
	check_eq "$what: port 0 received exactly port 1's" "${a[0]}" $want
	check_eq "$what: port 1 received exactly port 0's" "${b[0]}" $want
	check_eq "$what: errors and misses" "${a[1]} ${a[2]} ${a[4]} ${b[1]} ${b[2]} ${b[4]}" \
		"0 0 0 0 0 0"
	RX_BYTES="${a[5]} ${b[5]}"
	# what each port received and sent: "rx0 tx0 rx1 tx1"
	TOTALS="${a[0]} ${a[3]} ${b[0]} ${b[3]}"
}
# xstat PORT NAME: one extended statistic
xstat()
{
	tp_run 10 'testpmd> ' "show port xstats $1" | sed -n "s/^$2: *//p" | head -1
}
# io_forwarding WHAT [MODE]: the two ports forward one burst each to one another for 3 s
# in MODE (default io)
io_forwarding()
{
	local what=$1 a b tot
	tp_cmd "set fwd ${2:-io}"
	tp_cmd "clear port stats all"
	tp_run 10 'packets/burst' "start tx_first" >/dev/null || failc "$what: start"
	sleep 3
	tp_run 10 'Done' stop >/dev/null
	sleep 0.5
	read -r -a a <<<"$(port_stats 0)"
	read -r -a b <<<"$(port_stats 1)"
	log "$what: port 0 rx ${a[0]} tx ${a[3]}, port 1 rx ${b[0]} tx ${b[3]}"
	check "$what: packets went round (port 0 rx ${a[0]} > 1000)" test "${a[0]}" -gt 1000
	# every packet received on one port left on the other, plus the first burst
	check_eq "$what: port 1 tx = port 0 rx + first bursts" "${b[3]}" $((a[0] + BURST * NQ))
	check_eq "$what: port 0 tx = port 1 rx + first bursts" "${a[3]}" $((b[0] + BURST * NQ))
	check_eq "$what: errors and misses" "${a[1]} ${a[2]} ${a[4]} ${b[1]} ${b[2]} ${b[4]}" \
		"0 0 0 0 0 0"
	# the packets still on their way when forwarding stopped arrive now: none was lost
	local in0=$((b[3] - a[0])) in1=$((a[3] - b[0]))
	tot=("${a[0]}" "${a[3]}" "${b[0]}" "${b[3]}")
	tp_cmd "set fwd rxonly"
	tp_cmd "clear port stats all"
	tp_run 10 'packets/burst' start >/dev/null
	sleep 2
	tp_run 10 'Done' stop >/dev/null
	read -r -a a <<<"$(port_stats 0)"
	read -r -a b <<<"$(port_stats 1)"
	check_eq "$what: port 0 then received the $in0 in flight, no loss" "${a[0]}" $in0
	check_eq "$what: port 1 then received the $in1 in flight, no loss" "${b[0]}" $in1
	TOTALS="$((tot[0] + a[0])) ${tot[1]} $((tot[2] + b[0])) ${tot[3]}"
}
tp_quit()
{
	tp_cmd quit
	local i=0
	while kill -0 $TP_PID 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "testpmd quit cleanly" grep -q '^Bye' $TP_LOG
	check "no crash in testpmd" eval "! grep -q -E 'PANIC|Segmentation fault|Aborted' $TP_LOG"
	exec 3>&-
}
dump_log()
{
	sed 's/^/TESTPMD: /' $TP_LOG
}

probe_checks()
{
	local b
	for b in "${bdfs[@]}"; do
		check "$b: BAR0 mapped by vfio-pci" \
			grep -q "$b: BAR0 mapped, 16384 bytes" $TP_LOG
		check "$b: legacy block found by the VSEC on the vfio-pci transport" \
			grep -q "$b: legacy block in BAR0 at 0x1000, 256 bytes (vfio-pci transport)" $TP_LOG
	done
	check "EAL in IOVA $1 mode" grep -q "Selected IOVA mode '$1'" $TP_LOG
	check_eq "two ports" "$(grep -c '^Port [01]: [0-9A-F:]*$' $TP_LOG)" 2
	check "port 0 link up" wait_link 0 20 up
	check "port 1 link up" wait_link 1 20 up
}

# --- the relay one level up (relay scenario) ---
RELAY=/build/examples/tmmr_relay/tmmr_relay
RELAY_LOG=$W/relay.log
RELAY_PID=
# file_wait SECONDS FILE PATTERN
file_wait()
{
	local deadline=$((SECONDS + $1))
	while ! grep -q -- "$3" "$2" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
# relay_stats: the relay's pair 0 counters from its telemetry socket,
# "guest_tx vf_tx vf_tx_drops vf_rx guest_rx guest_rx_drops offload_drops wakeups vf_rx_intr"
relay_stats()
{
	echo /tmmr_relay/stats,0 | timeout 60 python3 /usr/bin/dpdk-telemetry.py -f relay \
		2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("{"):
        d = next(iter(json.loads(line).values()))
keys = ("guest_tx_pkts", "vf_tx_pkts", "vf_tx_drops", "vf_rx_pkts", "guest_rx_pkts",
        "guest_rx_drops", "offload_drops", "wakeups", "vf_rx_intr")
print(" ".join(str(d[k]) for k in keys))'
}
# relay_counts WHAT BEFORE AFTER: the relay moved exactly what testpmd counted ($TOTALS:
# port 0 = function 1, port 1 = the relay's consumer), nothing dropped on the way
relay_counts()
{
	local what=$1 b a t
	read -r -a b <<<"$2"
	read -r -a a <<<"$3"
	read -r -a t <<<"$TOTALS"
	if [ ${#a[@]} -ne 9 ] || [ ${#b[@]} -ne 9 ]; then
		failc "$what: relay telemetry answered ('$2' / '$3')"
		return
	fi
	check_eq "$what: relay took from its consumer exactly what the consumer sent" \
		$((a[0] - b[0])) "${t[3]}"
	check_eq "$what: relay sent on function 0 exactly what function 1 received" \
		$((a[1] - b[1])) "${t[0]}"
	check_eq "$what: relay received on function 0 exactly what function 1 sent" \
		$((a[3] - b[3])) "${t[1]}"
	check_eq "$what: relay gave its consumer exactly what the consumer received" \
		$((a[4] - b[4])) "${t[2]}"
	check_eq "$what: relay drops (vf_tx, guest_rx, offload)" \
		"$((a[2] - b[2])) $((a[5] - b[5])) $((a[6] - b[6]))" "0 0 0"
}
# relay_sigint NAME SOCKET: SIGINT to the relay (timeout passes it on and returns the
# relay's status), which must exit 0 and clean up
relay_sigint()
{
	local i=0 rc
	kill -INT $RELAY_PID
	while kill -0 $RELAY_PID 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	wait $RELAY_PID
	rc=$?
	sed 's/^/RELAY: /' $RELAY_LOG
	check_eq "the $1 exits with status 0 on SIGINT" $rc 0
	check "the $1 quit cleanly (stopped)" grep -q 'tmmr_relay: stopped' $RELAY_LOG
	check "no error in the $1's log" \
		eval "! grep -q -E 'ERR|PANIC|Segmentation fault|Aborted' $RELAY_LOG"
	check "the $1's socket is gone" test ! -e $2
}
relay_scenario()
{
	local sock=$W/relay.sock mac peer1=02:00:00:00:00:01 s0 s1 rc i
	# the relay: function 0 through vfio-pci on lcore 0 (CPU 0), re-exported on a
	# vhost-user socket; hugepages, as vfio cannot map --no-huge memory for DMA
	timeout -k 5 500 stdbuf -o0 -e0 $RELAY -l 0 -n 1 --file-prefix relay --iova-mode=va \
		-d $PMD_DIR/librte_net_virtio_tmmr.so --log-level='pmd.net.virtio_tmmr*:info' \
		--log-level=lib.eal:info -a "${bdfs[0]},lsc_poll_ms=0" -- \
		--vf "${bdfs[0]},socket=$sock" --stats-interval 0 >$RELAY_LOG 2>&1 &
	RELAY_PID=$!
	if ! file_wait 90 $RELAY_LOG "server listening on $sock"; then
		failc "the relay listens on its vhost-user socket"
		sed 's/^/RELAY: /' $RELAY_LOG
		echo "GUEST-RUN-DONE: $nfail failed"
		exit 1
	fi
	pass "the relay listens on its vhost-user socket"
	check "relay: ${bdfs[0]}: BAR0 mapped by vfio-pci" \
		grep -q "${bdfs[0]}: BAR0 mapped, 16384 bytes" $RELAY_LOG
	check "relay: ${bdfs[0]}: legacy block found by the VSEC on the vfio-pci transport" \
		grep -q "${bdfs[0]}: legacy block in BAR0 at 0x1000, 256 bytes (vfio-pci transport)" \
		$RELAY_LOG
	check "relay: EAL in IOVA VA mode" grep -q "Selected IOVA mode 'VA'" $RELAY_LOG
	# the MAC the relay tells its guest to use: function 0's, on which it filters
	mac=$(sed -n "s/^VF 0 ${bdfs[0]} MAC \([0-9A-Fa-f:]*\) socket .*/\1/p" $RELAY_LOG)
	check_eq "relay: the MAC for its guest is function 0's" "$mac" 02:00:00:00:00:00

	# the consumer: net_virtio_user on the relay's socket with function 0's MAC, and
	# function 1 through vfio-pci; PCI ports come first: port 0 = function 1, port 1 =
	# the consumer. Its forwarding lcore is CPU 1, its main lcore (the prompt) shares
	# CPU 0 with the relay. Frames of port 0 go to function 0's MAC (the relay does not
	# make function 0 promiscuous), those of port 1 to function 1's (vfio_e2e.sh's MAC)
	TP_DEVS=(--single-file-segments -a "${bdfs[1]},lsc_poll_ms=0"
		--vdev "net_virtio_user0,path=$sock,queues=1,mac=$mac")
	tp_start va --eth-peer=0,$mac --eth-peer=1,$peer1
	check "function 1: BAR0 mapped by vfio-pci" \
		grep -q "${bdfs[1]}: BAR0 mapped, 16384 bytes" $TP_LOG
	check "function 1: legacy block found by the VSEC on the vfio-pci transport" \
		grep -q "${bdfs[1]}: legacy block in BAR0 at 0x1000, 256 bytes (vfio-pci transport)" \
		$TP_LOG
	check "testpmd: EAL in IOVA VA mode" grep -q "Selected IOVA mode 'VA'" $TP_LOG
	check_eq "port 0 is function 1" "$(tp_run 10 'Device name' 'show port info 0' |
		sed -n 's/^Device name: *//p' | head -1)" "${bdfs[1]}"
	check_eq "port 1 is the relay's consumer" "$(tp_run 10 'Device name' 'show port info 1' |
		sed -n 's/^Device name: *//p' | head -1)" net_virtio_user0
	check_eq "function 1's MAC" "$(sed -n 's/^Port 0: //p' $TP_LOG | head -1)" $peer1
	check "the consumer connected to the relay" \
		file_wait 30 $RELAY_LOG "guest connected on $sock"
	check "port 0 link up" wait_link 0 20 up
	check "port 1 link up" wait_link 1 20 up
	s0=$(relay_stats)
	check_eq "the relay sleeps on function 0's Rx interrupt (vf_rx_intr)" "${s0##* }" 1
	check "the relay found no fault with function 0's Rx interrupt" \
		eval "! grep -q -E 'Rx interrupt unusable|has no Rx interrupts' $RELAY_LOG"

	# both ways at once: consumer -> relay -> function 0 -> hub -> function 1, and back
	exact_bursts "relay bursts" 4
	s1=$(relay_stats)
	relay_counts "relay bursts" "$s0" "$s1"

	# function 1 alone sends one burst to the idle relay: no kick from the consumer can
	# wake it, so the wake-up it counts is function 0's Rx interrupt (VFIO MSI-X)
	sleep 1
	s0=$(relay_stats)
	exact_one "function 1 alone"
	s1=$(relay_stats)
	relay_counts "function 1 alone" "$s0" "$s1"
	read -r -a s0 <<<"$s0"
	read -r -a s1 <<<"$s1"
	check "function 0's Rx interrupt woke the sleeping relay (wakeups ${s0[7]} -> ${s1[7]})" \
		test "${s1[7]}" -gt "${s0[7]}"

	# round the loop: mac forwarding rewrites the addresses (io forwarding would send
	# function 1's frames back out with function 1's MAC as destination, which function
	# 0 filters out)
	s0=$(relay_stats)
	io_forwarding "relay mac forwarding" mac
	s1=$(relay_stats)
	relay_counts "relay mac forwarding" "$s0" "$s1"

	tp_quit
	dump_log
	check "the relay saw its consumer leave" \
		file_wait 20 $RELAY_LOG "guest disconnected from $sock"
	relay_sigint relay $sock
}
# --- the relay in vDPA mode (vdpa scenario) ---
# vdpa_stats: "guest kicks_relayed completed_descriptors" of VF 0 from the relay's telemetry
vdpa_stats()
{
	echo /tmmr_relay/stats,0 | timeout 60 python3 /usr/bin/dpdk-telemetry.py -f relay \
		2>/dev/null | python3 -c '
import json, sys
d = {}
for line in sys.stdin:
    if line.startswith("{"):
        d = next(iter(json.loads(line).values()))
print(d.get("guest", "?"), d.get("kicks_relayed", "?"), d.get("completed_descriptors", "?"))'
}
# relay_ticks: user + system clock ticks of every thread of the relay (the child of timeout)
relay_ticks()
{
	local pid t sum=0 st
	pid=$(cat /proc/$RELAY_PID/task/$RELAY_PID/children 2>/dev/null)
	pid=${pid%% *}
	for t in /proc/$pid/task/*/stat; do
		# the relay names its threads without spaces: field 14 and 15 are utime, stime
		read -r -a st <$t 2>/dev/null || continue
		sum=$((sum + st[13] + st[14]))
	done
	echo $sum
}
# vdpa_frontend: testpmd with function 1 (port 0, through vfio-pci) and net_virtio_user on
# the relay's socket (port 1), whose rings function 0 runs itself
vdpa_frontend()
{
	# QEMU's legacy virtio-net chooses 256-entry rings; net_virtio_user sends its features
	# only once FEATURES_OK is set, hence VERSION_1 (modern=1 on the relay's side)
	TP_DEVS=(--single-file-segments -a "${bdfs[1]},lsc_poll_ms=0"
		--vdev "net_virtio_user0,path=$VDPA_SOCK,queues=1,queue_size=256")
	tp_start va
}
# vdpa_bursts WHAT: exact bursts both ways, the relay's counters follow them
vdpa_bursts()
{
	local what=$1 s0 s1 done_descs kicks pkts
	read -r -a s0 <<<"$(vdpa_stats)"
	exact_bursts "$what" 4
	read -r -a s1 <<<"$(vdpa_stats)"
	check_eq "$what: the relay's guest" "${s1[0]}" connected
	kicks=$((s1[1] - s0[1]))
	done_descs=$((s1[2] - s0[2]))
	read -r -a t <<<"$TOTALS"
	pkts=$((t[0] + t[1]))
	log "$what: relay kicks_relayed +$kicks completed_descriptors +$done_descs for $pkts packets"
	check "$what: the relay relayed the frontend's kicks (+$kicks)" test "$kicks" -ge 1
	# one descriptor per 64-byte packet each way (mergeable buffers: one per frame)
	check_eq "$what: completed descriptors are the packets function 0 moved" \
		"$done_descs" "$pkts"
}
# relay_wait SECONDS OFFSET PATTERN: PATTERN in the relay's log after byte OFFSET
relay_wait()
{
	local deadline=$((SECONDS + $1))
	while ! tail -c +$(($2 + 1)) $RELAY_LOG | grep -q -- "$3"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
vdpa_scenario()
{
	local sock=$W/vdpa.sock rc i pid t0 t1 c0 c1 a b hz pkts ns s off idle kicks
	VDPA_SOCK=$sock
	# the vIOMMU's address width (MGAW, bits 21:16 of the capability register, plus 1)
	# must hold the relay's memory at 256 GiB (2^38)
	i=$(cat /sys/class/iommu/dmar*/intel-iommu/cap 2>/dev/null | head -1)
	i=$(((0x${i:-0} >> 16 & 0x3f) + 1))
	check "the relay's IOVAs from 256 GiB fit the vIOMMU's $i address bits" test $i -ge 39
	# function 0 as a vDPA device through vfio-pci. IOVA as VA: the frontend's memory is
	# mapped into function 0's IOMMU domain at IOVA = the frontend's addresses (from 4 GiB
	# up, testpmd's EAL default), the relay's own memory at IOVA = its own addresses: at
	# 256 GiB, clear of the frontend's and below the 39-bit width of QEMU's intel-iommu
	timeout -k 5 500 stdbuf -o0 -e0 $RELAY -l 0 -n 1 --file-prefix relay --iova-mode=va \
		--base-virtaddr 0x4000000000 -d $PMD_DIR/librte_net_virtio_tmmr.so \
		--log-level='pmd.net.virtio_tmmr*:info' --log-level=lib.eal:info \
		-a "${bdfs[0]},class=vdpa,modern=1" -- \
		--mode vdpa --vf "${bdfs[0]},socket=$sock" --stats-interval 0 >$RELAY_LOG 2>&1 &
	RELAY_PID=$!
	if ! file_wait 90 $RELAY_LOG "vDPA, vhost-user server listening on $sock"; then
		failc "the relay serves function 0 as a vDPA device"
		sed 's/^/RELAY: /' $RELAY_LOG
		echo "GUEST-RUN-DONE: $nfail failed"
		exit 1
	fi
	pass "the relay serves function 0 as a vDPA device"
	check "relay: ${bdfs[0]}: BAR0 mapped by vfio-pci" \
		grep -q "${bdfs[0]}: BAR0 mapped, 16384 bytes" $RELAY_LOG
	check "relay: EAL in IOVA VA mode" grep -q "Selected IOVA mode 'VA'" $RELAY_LOG
	check "no forwarding in the relay: no mbuf pool" eval "! grep -q relay_mbufs $RELAY_LOG"
	# QEMU's core starts a ring at 0 after a reset: a guest dropped at link down could not
	# come back, so the relay keeps the socket open whatever the link
	check "relay: the link is not reflected, the VF does not resume rings" \
		grep -q "the link is not reflected: the VF does not resume rings" $RELAY_LOG

	vdpa_frontend
	check "function 1: BAR0 mapped by vfio-pci" \
		grep -q "${bdfs[1]}: BAR0 mapped, 16384 bytes" $TP_LOG
	check "function 1: legacy block found by the VSEC on the vfio-pci transport" \
		grep -q "${bdfs[1]}: legacy block in BAR0 at 0x1000, 256 bytes (vfio-pci transport)" \
		$TP_LOG
	check_eq "port 1 is the frontend" "$(tp_run 10 'Device name' 'show port info 1' |
		sed -n 's/^Device name: *//p' | head -1)" net_virtio_user0
	check "function 0 runs the frontend's rings" \
		file_wait 30 $RELAY_LOG 'runs on the VF: features'
	check "the frontend's memory IOMMU-mapped and MSI-X wired without error" \
		eval "! grep -q -E 'IOMMU map of|cannot wire|refused' $RELAY_LOG"
	check "port 0 link up" wait_link 0 20 up
	check "port 1 link up" wait_link 1 20 up
	vdpa_bursts "vdpa bursts"

	# the relay idle with its frontend connected: the kick thread's used ring sampling
	hz=$(getconf CLK_TCK)
	c0=$(relay_ticks)
	sleep 5
	c1=$(relay_ticks)
	idle=$((c1 - c0))
	log "relay CPU idle with its frontend connected: $idle ticks of 1/$hz s in 5 s"
	# round the loop (function 1 -> hub -> function 0 -> frontend -> function 0 -> ...)
	# for 3 s: the relay's threads only relay kicks and sample the used rings
	c0=$(relay_ticks)
	read -r -a s <<<"$(vdpa_stats)"
	t0=$(date +%s%N)
	io_forwarding "vdpa io forwarding"
	t1=$(date +%s%N)
	c1=$(relay_ticks)
	read -r -a a <<<"$(vdpa_stats)"
	read -r -a b <<<"$TOTALS"
	pkts=$((b[0] + b[1]))
	kicks=$((a[1] - s[1]))
	ns=$(((c1 - c0) * 1000000000 / hz / (pkts > 0 ? pkts : 1)))
	log "relay CPU over $(((t1 - t0) / 1000000)) ms: $((c1 - c0)) ticks of 1/$hz s for" \
		"$pkts packets through function 0 ($ns ns/packet), $kicks kicks relayed"
	# the copy relay spends a core (hz ticks a second, with the forwarding window about
	# 15 s here); the vDPA relay samples the used rings every 5 to 40 ms and turns each
	# kick into one MMIO store (a TCG exit here): at most a tenth of a CPU plus 200 us a
	# kick, and no work per packet: kicks come in batches of the frontend's bursts
	check "relay CPU near zero: $((c1 - c0)) ticks over $(((t1 - t0) / 1000000)) ms, $ns ns/packet,$(
		) $idle in 5 s idle" \
		test $((c1 - c0)) -le $(((t1 - t0) * hz / 1000000000 / 10 + kicks * hz / 5000))
	check "the relay relayed kicks while forwarding, at most one per 8 packets ($kicks)" \
		test "$kicks" -ge 1 -a $((kicks * 8)) -le "$pkts"

	# the frontend killed: function 0 lets go of it, a new one runs on it. (A frontend
	# stops and restarts the vDPA device each time it sends a new memory table: testpmd's
	# EAL grows its memory while it sets up, so "runs on the VF" shows several times.)
	off=$(stat -c %s $RELAY_LOG)
	pid=$(cat /proc/$TP_PID/task/$TP_PID/children)
	kill -KILL ${pid%% *}
	wait $TP_PID 2>/dev/null
	exec 3>&-
	check "the killed frontend left function 0" relay_wait 30 $off 'left the VF'
	check "the relay saw the killed frontend's socket close" \
		relay_wait 30 $off "guest disconnected from $sock"
	check "the relay lives on" kill -0 $RELAY_PID
	off=$(stat -c %s $RELAY_LOG)
	vdpa_frontend
	check "the reconnected frontend runs on function 0" \
		relay_wait 30 $off 'runs on the VF: features'
	check "port 1 link up after the reconnection" wait_link 1 20 up
	vdpa_bursts "vdpa bursts after the reconnection"
	off=$(stat -c %s $RELAY_LOG)
	tp_quit
	dump_log
	check "the frontend that quit left function 0" relay_wait 20 $off 'left the VF'
	check "the relay saw that frontend leave" \
		relay_wait 20 $off "guest disconnected from $sock"
	relay_sigint "vDPA relay" $sock
}
# exact_one WHAT: port 0 alone sends one burst (forwarding on port 0 only, rxonly), then
# both ports only receive: port 1 receives exactly that burst
exact_one()
{
	local what=$1 a b
	tp_cmd "set fwd rxonly"
	tp_cmd "set portlist 0"
	tp_cmd "clear port stats all"
	tp_run 10 'packets/burst' "start tx_first 1" >/dev/null || failc "$what: start"
	sleep 1
	tp_run 10 'Done' stop >/dev/null
	# port 1's Rx is counted when a stream polls it
	tp_cmd "set portlist 0,1"
	tp_run 10 'packets/burst' start >/dev/null || failc "$what: start"
	stop_after_rx 0 $BURST
	read -r -a a <<<"$(port_stats 0)"
	read -r -a b <<<"$(port_stats 1)"
	check_eq "$what: port 0 sent one burst" "${a[3]}" $BURST
	check_eq "$what: port 1 received exactly that burst" "${b[0]}" $BURST
	check_eq "$what: port 0 received and port 1 sent nothing" "${a[0]} ${b[3]}" "0 0"
	TOTALS="${a[0]} ${a[3]} ${b[0]} ${b[3]}"
}

# --- DPDK secondary processes (mp scenario) ---
PMD_SO=$PMD_DIR/librte_net_virtio_tmmr.so
# procinfo_stats FILE PORT: "rx rx_errors rx_bytes tx tx_errors tx_bytes" of dpdk-proc-info
# --stats
procinfo_stats()
{
	awk -v want="$2" '
		/NIC statistics for port/ { p = $(NF - 1) + 0; next }
		p != want { next }
		$1 == "RX-packets:" { rx = $2; rxe = $4; rxb = $6 }
		$1 == "TX-packets:" { tx = $2; txe = $4; txb = $6 }
		END { print rx + 0, rxe + 0, rxb + 0, tx + 0, txe + 0, txb + 0 }' "$1"
}
# xstats_lines: the "name: value" lines of one port's xstats on stdin, sorted
xstats_lines() { grep -E '^[a-z0-9_]+: [0-9]+$' | sort; }
# procinfo NAME ARGS...: dpdk-proc-info as a secondary of testpmd, output in $W/NAME.log
procinfo()
{
	local name=$1
	shift
	timeout -k 5 120 dpdk-proc-info --file-prefix tp -d $PMD_SO \
		--log-level='pmd.net.virtio_tmmr*:info' -a "${bdfs[0]}" -a "${bdfs[1]}" -- "$@" \
		>$W/$name.log 2>&1
	check_eq "dpdk-proc-info $* found testpmd's two ports" \
		"$(grep -c -E 'NIC (extended )?statistics for port [01] ' $W/$name.log)" 2
	sed "s/^/PROCINFO $*: /" $W/$name.log | grep -v -E '^[^:]*: [a-z0-9_]+: [0-9]+$'
}
mp_procinfo()
{
	local p q s
	exact_bursts "mp bursts" 2
	procinfo pi-stats --stats
	procinfo pi-xstats --xstats
	for p in 0 1; do
		# rx miss rxe tx txe rxb txb
		read -r -a s <<<"$(port_stats $p)"
		check_eq "port $p: dpdk-proc-info --stats equals testpmd's counters" \
			"$(procinfo_stats $W/pi-stats.log $p)" \
			"${s[0]} ${s[2]} ${s[5]} ${s[3]} ${s[4]} ${s[6]}"
		tp_run 10 'testpmd> ' "show port xstats $p" | xstats_lines >$W/tp-x$p
		awk -v want=$p '/NIC extended statistics for port/ {
				p = $0; sub(/.*for port /, "", p); p = p + 0; next
			}
			p == want' $W/pi-xstats.log | xstats_lines >$W/pi-x$p
		check "port $p: testpmd shows $(wc -l <$W/tp-x$p) xstats" \
			test "$(wc -l <$W/tp-x$p)" -gt 40
		check "port $p: dpdk-proc-info --xstats equal testpmd's" diff $W/tp-x$p $W/pi-x$p
		for q in rx tx; do
			check_eq "port $p: the PMD's ${q}_q0_good_packets in dpdk-proc-info" \
				"$(sed -n "s/^${q}_q0_good_packets: //p" $W/pi-x$p)" $((2 * BURST))
		done
	done
}
# the mempool drivers testpmd links: a secondary registers the mempool handlers in the
# primary's order (the index is shared), and EAL's plugin directory loads them otherwise
primary_pool_libs()
{
	readelf -d $TESTPMD | sed -n 's/.*NEEDED.*\[\(librte_mempool_[^]]*\)\].*/\1/p' |
		tr '\n' ' '
}
mp_dumpcap()
{
	local pid rc pcap=$W/port0.pcapng want=$((2 * BURST))
	# dumpcap takes no EAL options: the PMD comes in with LD_PRELOAD
	LD_PRELOAD="$(primary_pool_libs)$PMD_SO" timeout -k 5 120 stdbuf -o0 -e0 \
		dpdk-dumpcap --file-prefix tp -i "${bdfs[0]}" -w $pcap >$W/dumpcap.log 2>&1 &
	pid=$!
	if ! file_wait 60 $W/dumpcap.log 'Capturing on'; then
		failc "dumpcap started capturing"
		sed 's/^/DUMPCAP: /' $W/dumpcap.log
		return
	fi
	sleep 1
	exact_bursts "captured bursts" 2
	sleep 0.5
	kill -INT $pid
	wait $pid
	rc=$?
	sed 's/^/DUMPCAP: /' $W/dumpcap.log
	check_eq "dumpcap exit status" $rc 0
	check_eq "dumpcap captured every packet of port 0, dropped none" \
		"$(sed -n "s/.*interface '${bdfs[0]}': \([0-9]*\/[0-9]*\).*/\1/p" $W/dumpcap.log)" \
		"$((2 * want))/0"
	python3 /suite/pcapng_dir.py $pcap >$W/pcap.dir 2>&1
	sed 's/^/PCAPNG: /' $W/pcap.dir
	check_eq "capture: port 0 received $want frames of 64 bytes" \
		"$(grep '^in ' $W/pcap.dir | tr '\n' ' ')" "in 64 $want "
	check_eq "capture: port 0 sent $want frames of 64 bytes" \
		"$(grep '^out ' $W/pcap.dir | tr '\n' ' ')" "out 64 $want "
	check_eq "capture: nothing else" "$(grep -c -v '^in \|^out ' $W/pcap.dir)" 0
	if [ -x /usr/bin/tcpdump ]; then
		check_eq "tcpdump reads the capture back: frames of 64 bytes" \
			"$(tcpdump -Z root -r $pcap -nn -e 2>/dev/null | grep -c ', length 64: ')" \
			$((2 * want))
	fi
}
# tmmr-mp-queue on function 0 (2 queue pairs, each looped back by the host's bridge onto
# the queue it came from): the primary on queue pair 0, a secondary on queue pair 1
mp_queue()
{
	local mpq=/build/app/test-tmmr/e2e-mp/tmmr-mp-queue n0=96 n1=160 n pid rc q
	local eal=(--file-prefix mpq --iova-mode=va -d $PMD_SO -a "${bdfs[0]}"
		--log-level='pmd.net.virtio_tmmr*:info')
	rm -f $W/mpq.done
	timeout -k 5 180 stdbuf -o0 $mpq -l 0 "${eal[@]}" -- --queue 0 --count $n0 --prime \
		--done $W/mpq.done >$W/mpq0.log 2>&1 &
	pid=$!
	if ! file_wait 90 $W/mpq0.log '^primary ready'; then
		failc "the tmmr-mp-queue primary got ready"
		sed 's/^/MPQ0: /' $W/mpq0.log
		return
	fi
	timeout -k 5 120 stdbuf -o0 $mpq --proc-type=secondary -l 1 "${eal[@]}" -- \
		--queue 1 --count $n1 --prime >$W/mpq1.log 2>&1
	rc=$?
	touch $W/mpq.done
	wait $pid
	check_eq "the tmmr-mp-queue primary exit status" $? 0
	check_eq "the tmmr-mp-queue secondary exit status" $rc 0
	sed 's/^/MPQ0: /' $W/mpq0.log
	sed 's/^/MPQ1: /' $W/mpq1.log
	check "the secondary attached with its doorbells by MMIO" grep -q \
		"${bdfs[0]}: port 0 attached in a secondary process: 4 of 4 doorbells direct, 0 Rx queue vectors, 4 by MMIO" \
		$W/mpq1.log
	check "the secondary found the BARs the bus mapped" \
		grep -q "${bdfs[0]}: BAR0 mapped, 16384 bytes" $W/mpq1.log
	check_eq "primary: queue 0 moved its frames" "$(grep '^queue 0: sent' $W/mpq0.log)" \
		"queue 0: sent $n0 received $n0 bytes $((n0 * 64))"
	check_eq "secondary: queue 1 moved its frames" "$(grep '^queue 1: sent' $W/mpq1.log)" \
		"queue 1: sent $n1 received $n1 bytes $((n1 * 64))"
	# the primary's counters: each queue sent its frames and the priming one
	for q in 0 1; do
		n=$((q ? n1 : n0))
		check_eq "the port counted queue $q's frames sent" \
			"$(sed -n "s/^xstat tx_q${q}_good_packets //p" $W/mpq0.log)" $((n + 1))
		check_eq "no errors on queue $q" \
			"$(sed -n "s/^xstat rx_q${q}_errors //p;s/^xstat tx_q${q}_errors //p" \
			$W/mpq0.log | tr '\n' ' ')" "0 0 "
	done
}

case $mode in
mp)
	# each function receives back what it sends: in exact_bursts port N receives its
	# own frames, as many as the other port sent
	tp_start va
	probe_checks VA
	mp_procinfo
	mp_dumpcap
	tp_quit
	dump_log
	mp_queue
	;;
mq)
	NQ=2
	# each port addresses its frames to the other one (testpmd's default peer of port N
	# is 02:00:00:00:00:0N, which vfio_e2e.sh gives to function N itself)
	tp_start va --rxq=2 --txq=2 --txonly-multi-flow \
		--eth-peer=0,02:00:00:00:00:01 --eth-peer=1,02:00:00:00:00:00
	probe_checks VA
	# the PMD names the device (its PCI address) in front of its messages
	for p in 0 1; do
		check "port $p: 2 queue pairs configured" grep -q "${bdfs[$p]}: 2 queue pairs" $TP_LOG
	done
	exact_bursts "2 queue pairs bursts" 2
	for p in 0 1; do
		for q in 0 1; do
			check_eq "port $p Tx queue $q sent its streams' bursts" \
				"$(xstat $p tx_q${q}_good_packets)" $((2 * BURST))
		done
	done
	r1=$(xstat 1 rx_q1_good_packets)
	r0=$(xstat 1 rx_q0_good_packets)
	check_eq "port 1 Rx queues 0 and 1 together" $((r0 + r1)) $((4 * BURST))
	check "port 1 Rx queue 1 received (the device spread the flows: $r0 + $r1)" test "$r1" -gt 0
	for p in 0 1; do
		check "port $p: ctrl commands without errors or timeouts" \
			test "$(xstat $p ctrl_errors)$(xstat $p ctrl_timeouts)" = 00
		check "port $p: ctrl commands sent (MQ among them)" test "$(xstat $p ctrl_commands)" -gt 0
	done
	io_forwarding "2 queue pairs io forwarding"
	tp_quit
	dump_log
	;;
relay)
	relay_scenario
	;;
vdpa)
	vdpa_scenario
	;;
pa)
	tp_start pa
	probe_checks PA
	exact_bursts "IOVA PA bursts" 4
	io_forwarding "IOVA PA io forwarding"
	tp_quit
	dump_log
	;;
va)
	# Rx interrupts: our program sleeps in rte_epoll_wait, port 1 sends a moment later
	timeout -k 5 120 /build/app/test-tmmr/e2e-vfio/tmmr_vfio_rxintr -l 0,1 -n 1 \
		--file-prefix rx --iova-mode=va -d $PMD_DIR/librte_net_virtio_tmmr.so \
		-a "${bdfs[0]}" -a "${bdfs[1]}" >$W/rxintr.log 2>&1
	sed 's/^/RXINTR-LOG: /' $W/rxintr.log
	check_eq "Rx interrupt rounds woken by the MSI-X vector" \
		"$(grep -c '^RXINTR round [0-9]: 1 events after' $W/rxintr.log)" 5
	check "Rx interrupts woke rte_epoll_wait (idle wait timed out, bursts woke it)" \
		grep -q '^RXINTR PASS' $W/rxintr.log

	tp_start va
	probe_checks VA
	exact_bursts "IOVA VA bursts" 4
	io_forwarding "IOVA VA io forwarding"

	# LSC: the link flips on the QEMU monitor, the event arrives over VFIO MSI-X
	check "MSI-X vectors wired through VFIO" grep -q vfio-msix /proc/interrupts
	for state in down up; do
		off=$(tp_offset)
		[ $state = down ] && mon set_link nic0 off || mon set_link nic0 on
		check "LSC event for port 0 ($state)" wait_for 15 $off '^Port 0: link state change event'
		check_eq "port 0 link $state" "$(port_link 0)" $state
		check "no LSC event for port 1" eval "! tp_since $off | grep -q '^Port 1: link state change event'"
	done
	check "configuration interrupts counted by the PMD" \
		test "$(xstat 0 config_interrupts)" -ge 2
	exact_bursts "after the link flap" 1

	# port stop/start
	tp_run 20 'Done\|testpmd> ' "port stop all" >/dev/null
	tp_run 30 'Done\|testpmd> ' "port start all" >/dev/null
	check "links up after port start" wait_link 0 20 up
	check "port 1 up after port start" wait_link 1 20 up
	exact_bursts "after port stop/start" 2

	# rte_eth_dev_reset: the VFIO reset ioctl
	off=$(tp_offset)
	tp_run 20 'testpmd> ' "port stop 0" >/dev/null
	tp_run 30 'testpmd> ' "port reset 0" >/dev/null
	check "port reset done" eval "! tp_since $off | grep -q 'Failed to reset'"
	check "the reset went through VFIO_DEVICE_RESET" eval \
		"tp_since $off | grep -q '${bdfs[0]}: VFIO_DEVICE_RESET done'"
	tp_run 30 'testpmd> ' "port start 0" >/dev/null
	check "port 0 link up after the reset" wait_link 0 20 up
	exact_bursts "after the reset" 2

	# MTU 9000 with scattered Rx: 9000-byte frames in 2000-byte segments
	# scatter first: the PMD refuses an MTU its Rx mbufs cannot hold without it (as
	# net/virtio does), and testpmd hands the offload to the port only when it
	# configures it, at the next start
	tp_run 20 'testpmd> ' "port stop all" >/dev/null
	for p in 0 1; do
		tp_cmd "port config $p rx_offload scatter on"
	done
	tp_run 30 'testpmd> ' "port start all" >/dev/null
	tp_run 20 'testpmd> ' "port stop all" >/dev/null
	for p in 0 1; do
		tp_cmd "port config mtu $p 9000"
	done
	tp_run 30 'testpmd> ' "port start all" >/dev/null
	check "links up at MTU 9000" wait_link 1 20 up
	check_eq "port 0 MTU" "$(tp_run 10 'MTU' 'show port info 0' | sed -n 's/^MTU: *//p')" 9000
	tp_cmd "set txpkts 2000,2000,2000,2000,1000"
	exact_bursts "9000-byte frames" 1
	check_eq "jumbo bytes received" "$RX_BYTES" "$((BURST * 9000)) $((BURST * 9000))"
	tp_cmd "set txpkts 64"

	# device_del of function 1 from the QEMU monitor: removal event, port 0 goes on
	off=$(tp_offset)
	mon device_del nic1
	check "device removal event for port 1" wait_for 60 $off '^Port 1: device removal event'
	sleep 2
	check "testpmd survives the removal" kill -0 $TP_PID
	check_eq "port 0 link after the removal" "$(port_link 0)" up
	tp_cmd "set fwd txonly"
	tp_cmd "clear port stats 0"
	tp_run 10 'packets/burst' start >/dev/null
	sleep 1
	tp_run 10 'Done' stop >/dev/null
	read -r -a a <<<"$(port_stats 0)"
	check "port 0 still transmits after the removal (${a[3]})" test "${a[3]}" -gt 1000
	check_eq "port 0 tx errors" "${a[4]}" 0
	tp_quit
	dump_log
	;;
esac
echo "GUEST-RUN-DONE: $nfail failed"
