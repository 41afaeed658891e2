#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Suite vfio: net_virtio_tmmr on a real PCI bus through vfio-pci, against an independent
# device: QEMU's virtio-net legacy core in the MMR layout (qemu/mmr-virtio-net.patch, built
# by qemu/build-qemu.sh), two functions on PCIe root ports behind an intel-iommu, joined by a
# QEMU hub, in a TCG guest running Debian's testpmd over a 9p view of the host's /usr.
# guest-run.sh does the work in the guest; this script boots the guest, runs the QEMU monitor
# commands the guest asks for (set_link, device_del) and checks the guest's verdicts.
#
# usage: vfio_e2e.sh --build DIR --run va|pa|mq|relay|vdpa|mp
#   va: x-mmr-dma=on (the functions DMA through the vIOMMU), EAL IOVA as VA, all scenarios
#   pa: x-mmr-dma=off (guest-physical DMA), EAL IOVA as PA, probe and forwarding
#   mq: x-mmr-dma=on, 2 queue pairs per function: the QEMU hub has one queue, so each
#       function gets a 2-queue tap, both taps in a bridge of a network namespace of their
#       own (unshare -n: nothing reaches the host's network), IPv6 off (no stray packets);
#       the bridge does not learn (it floods, as the QEMU hub of va/pa), see below
#   relay: x-mmr-dma=on, the QEMU hub: tmmr_relay in the guest drives function 0 and
#       re-exports it over vhost-user to a testpmd with net_virtio_user, which also drives
#       function 1
#   vdpa: x-mmr-dma=on, the QEMU hub: tmmr_relay --mode vdpa in the guest gives function 0
#       the rings of a testpmd's net_virtio_user (which also drives function 1): function
#       0 DMAs into that testpmd's memory through the vIOMMU, no packet passes the relay
#   mp: x-mmr-dma=on, 2 queue pairs per function on 2-queue taps as mq, but each tap alone
#       in a bridge of its own with hairpin on: every function receives back what it sends,
#       on the queue it sent it from (see guest-run.sh). DPDK secondary processes on the
#       ports of a testpmd (dpdk-proc-info, dpdk-dumpcap) and our tmmr-mp-queue
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=
run=va
while [[ $# -gt 0 ]]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--run) run=$2; shift 2 ;;
	*) echo "usage: $0 --build DIR --run va|pa|mq|relay|vdpa|mp" >&2; exit 2 ;;
	esac
done

log() { printf '[%s] vfio-%s: %s\n' "$(date +%T)" "$run" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
skip() { log "SKIP: $*"; exit 77; }

[[ -n $build ]] || fail "--build is required"
pmd=$build/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so
[[ -f $pmd ]] || fail "no $pmd"
[[ -x /usr/bin/dpdk-testpmd ]] || skip "no /usr/bin/dpdk-testpmd (Debian package dpdk)"
[[ -d /usr/share/seabios ]] || skip "no /usr/share/seabios (Debian package seabios)"
if [[ $(id -u) -ne 0 ]]; then
	# building QEMU and the guest needs apt-get; a warm cache does not
	[[ -w ${TMMR_CACHE_DIR:-/var/cache/tmmr} ]] || skip "not root and no writable cache"
fi

t0=$SECONDS
qemu=$(bash "$here/../qemu/build-qemu.sh" | tail -n 1) || fail "cannot build QEMU"
[[ -x $qemu ]] || fail "build-qemu.sh printed no binary"
log "QEMU $qemu ($((SECONDS - t0)) s)"
read -r kernel initrd < <(bash "$here/guest-build.sh") || fail "cannot build the guest"
[[ -f $kernel && -f $initrd ]] || fail "guest-build.sh printed no kernel and initrd"

work=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-vfio-$run.XXXXXX")
qpid=
watch=
catpid=
cleanup()
{
	[[ -n $qpid ]] && kill "$qpid" 2>/dev/null
	[[ -n $watch ]] && kill "$watch" 2>/dev/null
	[[ -n $catpid ]] && kill "$catpid" 2>/dev/null
	wait 2>/dev/null
	if [[ ${keep:-0} == 1 ]]; then
		log "logs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

case $run in
va) dma=on ;;
relay | vdpa)
	dma=on
	[[ -x $build/examples/tmmr_relay/tmmr_relay ]] ||
		skip "no $build/examples/tmmr_relay/tmmr_relay (built with -Drelay=false?)"
	;;
pa) dma=off ;;
mq | mp)
	dma=on
	[[ $run == mq ]] || [[ -x $build/app/test-tmmr/e2e-mp/tmmr-mp-queue ]] ||
		skip "no $build/app/test-tmmr/e2e-mp/tmmr-mp-queue"
	command -v ip >/dev/null || skip "no ip (Debian package iproute2)"
	[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
	unshare -n true 2>/dev/null || skip "cannot create a network namespace"
	;;
*) fail "unknown run $run" ;;
esac
console=$work/console.log
mkfifo "$work/mon.in" "$work/mon.out"
exec {monfd}<>"$work/mon.in"
cat <>"$work/mon.out" >"$work/monitor.log" &
catpid=$!
: >"$console"
nic()
{
	printf "%s\n" -device "pcie-root-port,id=rp$1,bus=pcie.0,chassis=$(($1 + 1)),slot=$(($1 + 1)),addr=$(($1 + 4))"
	if [[ $run == mq || $run == mp ]]; then
		printf "%s\n" -netdev "tap,id=h$1,ifname=tmmrq$1,script=no,downscript=no,vhost=off,queues=2"
		# the MSI-X table of the binding: 2 x queue pairs + 2
		printf "%s\n" -device "virtio-net-pci,id=nic$1,bus=rp$1,netdev=h$1,x-mmr=on,x-mmr-dma=$dma,mq=on,vectors=6,romfile=,mac=02:00:00:00:00:0$1"
	else
		printf "%s\n" -netdev "hubport,id=h$1,hubid=0"
		printf "%s\n" -device "virtio-net-pci,id=nic$1,bus=rp$1,netdev=h$1,x-mmr=on,x-mmr-dma=$dma,vectors=4,romfile=,mac=02:00:00:00:00:0$1"
	fi
}
# mq: QEMU in a network namespace of its own, its taps in a bridge there
netns=()
if [[ $run == mp ]]; then
	# each tap alone in a bridge that floods back out of the port a frame came in on
	netns=(unshare -n -- bash -c '
		set -e
		echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
		for i in 0 1; do
			ip link add tmmrbr$i type bridge
			ip tuntap add tmmrq$i mode tap multi_queue
			ip link set tmmrq$i master tmmrbr$i
			ip link set tmmrq$i type bridge_slave learning off hairpin on
			ip link set tmmrq$i up
			ip link set tmmrbr$i up
		done
		exec "$@"' netns)
elif [[ $run == mq ]]; then
	netns=(unshare -n -- bash -c '
		set -e
		echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
		echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
		ip link add tmmrbr type bridge
		# learning off on both ports: the bridge floods every frame to the other tap,
		# as the QEMU hub of va/pa does, whatever the frames are addressed to. A
		# learning bridge dropped every frame of testpmd with its default peers, which
		# address the frames of port N to 02:00:00:00:00:0N, the MAC of function N
		# itself here (learned on the ingress tap). guest-run.sh also gives each port
		# the other function as peer; either change alone makes the run pass
		for t in tmmrq0 tmmrq1; do
			ip tuntap add $t mode tap multi_queue
			ip link set $t master tmmrbr
			ip link set $t type bridge_slave learning off
			ip link set $t up
		done
		ip link set tmmrbr up
		exec "$@"' netns)
fi
virtfs()
{
	printf "%s\n" -virtfs "local,path=$1,mount_tag=$2,security_model=none,readonly=on,multidevs=remap"
}
mapfile -t devs < <(nic 0; nic 1; virtfs /usr usr; virtfs "$build" build; virtfs "$here" suite)
t1=$SECONDS
timeout -k 5 600 "${netns[@]}" "$qemu" -L /usr/share/seabios -L /usr/share/qemu \
	-machine q35 -accel tcg -cpu max -smp 2 -m 1024 -nodefaults -nographic -no-reboot \
	-device intel-iommu,intremap=on \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 intel_iommu=on panic=-1 loglevel=4 no_timer_check tmmr.run=$run tmmr.awk=$(readlink -f /usr/bin/awk)" \
	-serial "file:$console" -chardev "pipe,id=mon,path=$work/mon" -mon chardev=mon \
	"${devs[@]}" </dev/null >"$work/qemu.log" 2>&1 &
qpid=$!
# the guest's requests for the monitor
(
	tail -n +1 -f --pid=$qpid "$console" | while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"@@MON "*)
			printf '%s\n' "${line#@@MON }" >&"$monfd"
			log "monitor <- ${line#@@MON }"
			;;
		"CHECK "* | GUEST-RUN-DONE* | GUEST-PCI* | GUEST-EXIT*)
			log "guest: $line"
			;;
		esac
	done
) &
watch=$!
wait "$qpid"
rc=$?
qpid=
log "guest ran $((SECONDS - t1)) s (QEMU exit $rc)"
sleep 0.5
tr -d '\r' <"$console" >"$work/console.txt"
if [[ $rc -ne 0 ]] || ! grep -q '^GUEST-RUN-DONE' "$work/console.txt"; then
	keep=1
	tail -n 60 "$work/console.txt" >&2
	cat "$work/qemu.log" >&2
	fail "the guest did not finish its run"
fi
# the checks that must have passed (a scenario that silently did nothing fails here)
required=(
	"two MMR functions on the guest's PCI bus"
	"bound to (vfio-pci)"
	": BAR0 mapped by vfio-pci"
	"legacy block found by the VSEC on the vfio-pci transport"
	"bursts: port 1 received exactly port 0's"
	"testpmd quit cleanly"
)
[[ $run == relay || $run == vdpa || $run == mp ]] ||
	required+=("io forwarding: port 1 tx = port 0 rx")
if [[ $run == va ]]; then
	required+=(
		"EAL in IOVA VA mode"
		"Rx interrupts woke rte_epoll_wait"
		"LSC event for port 0 (down)"
		"LSC event for port 0 (up)"
		"after port stop/start: port 0 received exactly"
		"the reset went through VFIO_DEVICE_RESET"
		"after the reset: port 0 received exactly"
		"jumbo bytes received"
		"device removal event for port 1"
		"port 0 still transmits after the removal"
	)
elif [[ $run == mq ]]; then
	required+=(
		"EAL in IOVA VA mode"
		"port 0: 2 queue pairs configured"
		"port 1 Tx queue 1 sent"
		"port 1 Rx queues 0 and 1 together"
		"port 1 Rx queue 1 received"
		"port 0: ctrl commands without errors"
		"port 1: ctrl commands without errors"
	)
elif [[ $run == relay ]]; then
	required+=(
		"relay: EAL in IOVA VA mode"
		"the consumer connected to the relay"
		"the relay sleeps on function 0's Rx interrupt"
		"relay bursts: relay took from its consumer exactly what the consumer sent"
		"relay bursts: relay received on function 0 exactly what function 1 sent"
		"function 1 alone: port 1 received exactly that burst"
		"function 0's Rx interrupt woke the sleeping relay"
		"relay mac forwarding: port 1 tx = port 0 rx"
		"relay mac forwarding: relay drops"
		"the relay exits with status 0 on SIGINT"
		"the relay quit cleanly"
	)
elif [[ $run == vdpa ]]; then
	required+=(
		"the relay serves function 0 as a vDPA device"
		"relay: EAL in IOVA VA mode"
		"function 0 runs the frontend's rings"
		"vdpa bursts: port 0 received exactly port 1's"
		"vdpa bursts: the relay relayed the frontend's kicks"
		"vdpa bursts: completed descriptors are the packets function 0 moved"
		"vdpa io forwarding: port 1 tx = port 0 rx"
		"vdpa io forwarding: port 0 then received the"
		"relay CPU near zero"
		"the killed frontend left function 0"
		"the reconnected frontend runs on function 0"
		"vdpa bursts after the reconnection: port 1 received exactly port 0's"
		"vdpa bursts after the reconnection: completed descriptors are"
		"the frontend that quit left function 0"
		"the vDPA relay exits with status 0 on SIGINT"
		"the vDPA relay quit cleanly"
		"no error in the vDPA relay's log"
	)
elif [[ $run == mp ]]; then
	required+=(
		"EAL in IOVA VA mode"
		"dpdk-proc-info --stats equals testpmd's counters"
		"dpdk-proc-info --xstats equal testpmd's"
		"the PMD's rx_q0_good_packets in dpdk-proc-info"
		"dumpcap captured every packet of port 0, dropped none"
		"capture: port 0 received"
		"capture: port 0 sent"
		"the secondary attached with its doorbells by MMIO"
		"secondary: queue 1 moved its frames"
		"primary: queue 0 moved its frames"
	)
else
	required+=("EAL in IOVA PA mode")
fi
bad=0
for r in "${required[@]}"; do
	grep -q -F "CHECK PASS: " "$work/console.txt" &&
		grep '^CHECK PASS: ' "$work/console.txt" | grep -q -F -- "$r" || {
		log "missing: CHECK PASS ... $r"
		bad=1
	}
done
if grep -q '^CHECK FAIL' "$work/console.txt"; then
	grep '^CHECK FAIL' "$work/console.txt" >&2
	bad=1
fi
if ((bad)); then
	keep=1
	grep -E '^(TESTPMD|GUEST)' "$work/console.txt" | tail -n 120 >&2
	fail "$(grep -c '^CHECK FAIL' "$work/console.txt") failed checks"
fi
log "PASS: $(grep -c '^CHECK PASS' "$work/console.txt") checks in $((SECONDS - t0)) s"
