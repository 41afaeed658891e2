# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# What the relay's end-to-end tests add to the e2e harness (../e2e/lib.sh: processes, waits,
# testpmd, the model, telemetry, the cleanup): counted checks that do not stop the test, so that
# one run reports every broken case (relay_check, relay_summary); the relay, its VFs and the
# test guest's image.

E2E_LIFETIME=${E2E_LIFETIME:-600}
# shellcheck source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

relay_pass=0
relay_fail=0

relay_check() # DESCRIPTION COMMAND...
{
	local what=$1
	shift
	if "$@"; then
		relay_pass=$((relay_pass + 1))
		echo "ok $((relay_pass + relay_fail)) - $what"
	else
		relay_fail=$((relay_fail + 1))
		echo "not ok $((relay_pass + relay_fail)) - $what"
	fi
}

# relay_summary: the counts; the test's exit status (last command of the script)
relay_summary()
{
	echo "$relay_pass passed, $relay_fail failed"
	[ "$relay_fail" -eq 0 ]
}

# mmr_available: the model and the PMD are built
mmr_available()
{
	[ -x "$VFEMU_BIN" ] && [ -f "$PMD_SO" ] &&
		nm -D "$PMD_SO" 2>/dev/null | grep -q . &&
		"$VFEMU_BIN" --help 2>&1 | grep -q -- --sysfs
}

# relay_init NAME BUILD [MODE]: the relay, model and PMD of BUILD, $WORK (kept when a check
# failed) and the cleanup, $tag for DPDK file prefixes; skips when MODE (mmr or standin; none:
# no VF) cannot run with them
relay_init()
{
	E2E_BUILD=$2
	e2e_init "relay-$1"
	RELAY_BIN=$E2E_BUILD/examples/tmmr_relay/tmmr_relay
	tag=relay-$1-$$
	[ -x "$RELAY_BIN" ] || skip "no $RELAY_BIN"
	case ${3:-none} in
	none|standin) ;;
	mmr) mmr_available || skip "tmmr-vfemu or net_virtio_tmmr not built" ;;
	*) echo "bad --mode $3" >&2; exit 2 ;;
	esac
}

# relay_check_counts FROM TO SENT RECEIVED MIN: what FROM sent reached TO, all of it, and
# it was at least MIN packets
relay_check_counts()
{
	relay_check "$1 -> $2: $3 sent, $4 received" test "$3" -ge "$5" -a "$3" = "$4"
}

# relay_stat KEY: KEY of VF 0 in the telemetry of the relay started with file prefix $tag-r
relay_stat()
{
	json_get "$(telemetry "$tag-r" /tmmr_relay/stats,0)" "$1"
}

# start_backend FWD_MODE VDEV_OPTS SOCKET...: testpmd "backend" forwarding with FWD_MODE
# (icmpecho: answers ARP and ping; io: port 0 <-> port 1) from the start, one net_vhost port
# (queues=QVDEV_OPTS) per SOCKET, on the PMD's CPU; true once its sockets listen. Q is
# $BACKEND_QUEUES (default 1): testpmd answers on the queue pair a packet came in on.
start_backend()
{
	local fwd=$1 opts=$2 s i=0 nq=${BACKEND_QUEUES:-1}
	local -a vdevs=()

	shift 2
	for s in "$@"; do
		vdevs+=(--vdev "net_vhost$i,iface=$s,queues=$nq$opts")
		i=$((i + 1))
	done
	TP_NOWAIT=1 tp_start backend "$E2E_CPU_PMD" "" --no-pci "${vdevs[@]}" -- \
		--forward-mode="$fwd" --total-num-mbufs=16384 -a --stats-period 0 \
		--rxq="$nq" --txq="$nq"
	for s in "$@"; do
		wait_until 30 test -S "$s" || return 1
	done
}

# start_tp SOCKET...: interactive testpmd "tp" on the PMD's CPU, one net_vhost port per
# SOCKET (the VFs' backends); the test attaches its guest stand-ins (net_virtio_user on the
# relay's sockets) later. True once the sockets listen.
start_tp()
{
	local s i=0
	local -a vdevs=()

	for s in "$@"; do
		vdevs+=(--vdev "net_vhost$i,iface=$s,queues=1")
		i=$((i + 1))
	done
	tp_start tp "$E2E_CPU_PMD" "" --no-pci "${vdevs[@]}" -- -i --total-num-mbufs=16384 \
		--txpkts=64 --no-lsc-interrupt --disable-link-check
	for s in "$@"; do
		wait_until 20 test -S "$s" || return 1
	done
}

# tp_do COMMAND: COMMAND in testpmd "tp"; true once it is back at its prompt
tp_do()
{
	tp_run tp 30 'testpmd> ' "$1" > /dev/null
}

# start_relay RELAY_ARGS...: tmmr_relay on CPU 0 with the VFs of start_vf, file prefix
# $tag-r; sets relay_pid, true once its vhost-user side is up. $RELAY_LCORES: EAL --lcores
# instead of -l 0 (several forwarding lcores, e.g. 0@0,1@0)
start_relay()
{
	local -a cpus=(-l 0)

	[ -n "${RELAY_LCORES:-}" ] && cpus=(--lcores "$RELAY_LCORES")
	e2e_prefixes+=("$tag-r")
	e2e_spawn relay env "${vf_env[@]}" "$RELAY_BIN" "${cpus[@]}" --no-huge -m 256 \
		--file-prefix "$tag-r" "${vf_eal[@]}" -- "$@"
	relay_pid=$pid_relay
	wait_for "$WORK/relay.log" 'vhost-user (server listening|client connecting)' 30
}

# start_vf MODE [N]: N (default 1) VFs the relay drives, their backend sockets $(vhost_sock i)
#   standin: net_virtio_user<i> on the backend's net_vhost socket
#   mmr:     tmmr-vfemu VFs (the model connects to the sockets), driven by net_virtio_tmmr
# Sets vf_names (device names), vf_name (the first), vf_eal (EAL arguments of the relay),
# vf_env (environment of the relay). Mode mmr: the array VF_MODEL_ARGS, if set, goes to the
# model (e.g. --queue-pairs 2, --mtu 9000).
start_vf()
{
	local i n=${2:-1}

	vf_env=()
	vf_eal=()
	vf_names=()
	case $1 in
	standin)
		VHOST_PREFIX=$WORK/vh-
		for ((i = 0; i < n; i++)); do
			vf_eal+=(--vdev "net_virtio_user$i,path=$(vhost_sock "$i"),queues=1")
			vf_names+=("net_virtio_user$i")
		done
		vf_eal+=(--no-pci)
		;;
	mmr)
		vfemu_start --vfs "$n" ${VF_MODEL_ARGS[@]+"${VF_MODEL_ARGS[@]}"}
		vf_names=("${VF_BDFS[@]}")
		vf_eal=(-d "$PMD_ARG")
		for i in "${VF_BDFS[@]}"; do
			vf_eal+=(-a "$i")
		done
		vf_env=("SYSFS_PCI_DEVICES=$VFEMU_SYSFS")
		;;
	*)
		return 1 ;;
	esac
	vf_name=${vf_names[0]}
}

# relay_guest_image: $kernel and $initrd of the test guest (guest-build.sh), or skip
relay_guest_image()
{
	local dir
	dir=$(dirname "${BASH_SOURCE[0]}")
	read -r kernel initrd < <("$dir/guest-build.sh" "$dir/guest-init.sh" \
		2>"$WORK/guest-build.log")
	[ -n "${initrd:-}" ] && [ -f "$initrd" ] || {
		cat "$WORK/guest-build.log"
		skip "no guest image"
	}
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
}

# qemu_guest NAME MEM_MB SECONDS CMDLINE QEMU_ARGS: the test guest ($kernel, $initrd) under
# QEMU TCG in the background for at most SECONDS, kernel command line CMDLINE added, its
# network device from QEMU_ARGS (the relay's "qemu:" line); serial console in $WORK/NAME.log.
# Sets qemu_pid.
qemu_guest()
{
	local name=$1 mem=$2

	# no_timer_check: on a loaded host the TCG vCPU may not run during the kernel's IO-APIC
	# timer check, which then panics ("IO-APIC + timer doesn't work")
	# shellcheck disable=SC2086
	timeout -s KILL "$3" qemu-system-x86_64 -accel tcg -m "$mem" -smp 1 -nodefaults \
		-display none -no-reboot -serial "file:$WORK/$name.log" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet no_timer_check $4" \
		-object "memory-backend-memfd,id=m,size=${mem}M,share=on" -numa node,memdev=m \
		$5 >"$WORK/$name.qemu.log" 2>&1 &
	qemu_pid=$!
	e2e_pids+=("$qemu_pid")
}

# feature_bit LOG BIT: the guest's negotiated feature bit (0/1), as it printed it from sysfs
feature_bit()
{
	local f

	f=$(sed -n 's/.*GUEST-VIRTIO: .* device 0x0001 features \([01]*\).*/\1/p' "$1" | head -1)
	echo "${f:$2:1}"
}

# after_last FILE MARK REGEX: a line matching REGEX follows the last line matching MARK
after_last()
{
	awk -v mark="$2" -v re="$3" '$0 ~ mark { seen = 1; found = 0; next }
		seen && $0 ~ re { found = 1 } END { exit !(seen && found) }' "$1"
}

# cpu_ticks WRAPPER: user and system CPU ticks so far of the process timeout(1) runs
cpu_ticks()
{
	local -a st

	read -r -a st </proc/"$(pgrep -P "$1" | head -n 1)"/stat
	echo $((st[13] + st[14]))
}
