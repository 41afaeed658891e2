# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Shared helpers of the relay end-to-end tests (sourced). Every process is started under
# `timeout`, recorded in relay_pids and stopped by relay_cleanup; nothing else is touched.

relay_pids=()
vf_env=()
vf_eal=()
relay_fifos=()
relay_pass=0
relay_fail=0

relay_log() { echo "# $*"; }

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

relay_summary()
{
	echo "$relay_pass passed, $relay_fail failed"
	[ "$relay_fail" -eq 0 ]
}

relay_skip() { echo "# SKIP: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 77; }

# wait_for FILE REGEX SECONDS: true once FILE has a line matching REGEX
wait_for()
{
	local deadline=$((SECONDS + $3))

	while [ $SECONDS -lt $deadline ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# wait_sock PATH SECONDS: true once PATH is a listening socket file
wait_sock()
{
	local deadline=$((SECONDS + $2))

	while [ $SECONDS -lt $deadline ]; do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone PATH SECONDS: true once PATH no longer exists
wait_gone()
{
	local deadline=$((SECONDS + $2))

	while [ $SECONDS -lt $deadline ]; do
		[ -e "$1" ] || return 0
		sleep 0.1
	done
	return 1
}

relay_alive() { kill -0 "$1" 2>/dev/null; }

# stop_pid PID SECONDS: SIGINT, then SIGKILL after SECONDS; returns the exit status
stop_pid()
{
	local pid=$1 i rc child

	relay_alive "$pid" || { wait "$pid" 2>/dev/null; return $?; }
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < $2 * 10; i++)); do
		relay_alive "$pid" || break
		sleep 0.1
	done
	if relay_alive "$pid"; then
		# the process under `timeout` first, then `timeout` itself
		for child in $(pgrep -P "$pid"); do
			kill -KILL "$child" 2>/dev/null
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 137
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

relay_cleanup()
{
	local pid fd

	for fd in "${relay_fifos[@]}"; do
		eval "exec $fd>&-" 2>/dev/null
	done
	for pid in "${relay_pids[@]}"; do
		relay_alive "$pid" && stop_pid "$pid" 5
	done
	# EAL leaves its runtime directory behind: remove ours (prefixes start with $tag)
	if [ -n "${tag:-}" ]; then
		rm -rf -- "${RTE_RUNTIME_BASE:-/var/run/dpdk}/$tag"-* 2>/dev/null
	fi
	return 0
}

# start_backend WORKDIR SOCKET PREFIX: DPDK testpmd answering ARP and ping (icmpecho) on a
# net_vhost port, on CPU 1. Sets backend_pid. stdin is a FIFO kept open by fd 7.
start_backend()
{
	local work=$1 sock=$2 prefix=$3

	mkfifo "$work/backend.in"
	timeout -s INT 600 stdbuf -oL dpdk-testpmd --lcores '(0,1)@1' --no-huge -m 256 --no-pci \
		--file-prefix "$prefix" --vdev "net_vhost0,iface=$sock,queues=1" -- \
		--forward-mode=icmpecho --total-num-mbufs=4096 -a --stats-period 0 \
		<"$work/backend.in" >"$work/backend.log" 2>&1 &
	backend_pid=$!
	relay_pids+=("$backend_pid")
	exec 7>"$work/backend.in"
	relay_fifos+=(7)
	wait_sock "$sock" 30
}

# start_relay WORKDIR PREFIX -- RELAY_ARGS...: tmmr_relay on CPU 0 with the VF of start_vf;
# sets relay_pid
start_relay()
{
	local work=$1 prefix=$2

	shift 2
	env "${vf_env[@]}" timeout -s INT 600 "$RELAY_BIN" -l 0 --no-huge -m 256 \
		--file-prefix "$prefix" "${vf_eal[@]}" "$@" >"$work/relay.log" 2>&1 &
	relay_pid=$!
	relay_pids+=("$relay_pid")
	wait_for "$work/relay.log" 'vhost-user (server listening|client connecting)' 30
}

# telemetry PREFIX COMMAND: one JSON answer of the process's telemetry socket
telemetry()
{
	echo "$2" | timeout 10 /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$1" 2>/dev/null |
		grep '^{' | tail -1
}

# json_get JSON KEY: value of KEY anywhere in the first level of the command's answer
json_get()
{
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
d = next(iter(d.values()))
print(d[sys.argv[2]])' "$1" "$2"
}

# start_vf WORKDIR MODE [N]: N (default 1) VFs the relay drives, backend sockets $WORK/be<i>.
#   standin: net_virtio_user<i> on the backend's net_vhost socket $WORK/be<i>
#   mmr:     tmmr-vfemu VFs (the model connects to $WORK/be<i>), driven by net_virtio_tmmr
# Sets vf_names (device names), vf_name (the first), vf_eal (EAL arguments of the relay),
# vf_env (environment of the relay).
start_vf()
{
	local work=$1 vmode=$2 n=${3:-1} d i

	vf_env=()
	vf_eal=()
	vf_names=()
	case $vmode in
	standin)
		for ((i = 0; i < n; i++)); do
			vf_eal+=(--vdev "net_virtio_user$i,path=$work/be$i,queues=1")
			vf_names+=("net_virtio_user$i")
		done
		vf_eal+=(--no-pci)
		;;
	mmr)
		timeout -s INT 600 "$VFEMU_BIN" --sysfs "$work/sysfs" --vfs "$n" \
			--backend "vhost-user:$work/be" --ctl "$work/vfemu.ctl" \
			>"$work/vfemu.log" 2>&1 &
		relay_pids+=("$!")
		wait_for "$work/vfemu.log" '^ready$' 20 || return 1
		# a bare name through the library path: EAL refuses a -d path
		# with a world-writable directory in it (a clone under /tmp)
		vf_eal=(-d "$(basename "$PMD_SO")")
		for d in "$work"/sysfs/*/; do
			[ "$(cat "$d/device" 2>/dev/null)" = 0x10f9 ] || continue
			vf_names+=("$(basename "$d")")
			vf_eal+=(-a "$(basename "$d")")
		done
		[ ${#vf_names[@]} -eq "$n" ] || return 1
		vf_env=("SYSFS_PCI_DEVICES=$work/sysfs"
			"LD_LIBRARY_PATH=$(dirname "$PMD_SO")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
		;;
	*)
		return 1 ;;
	esac
	vf_name=${vf_names[0]}
}

# mmr_available: the model and the PMD are built
mmr_available()
{
	[ -x "$VFEMU_BIN" ] && [ -f "$PMD_SO" ] &&
		nm -D "$PMD_SO" 2>/dev/null | grep -q . &&
		"$VFEMU_BIN" --help 2>&1 | grep -q -- --sysfs
}

# relay_use_build BUILD MODE: the relay, model and PMD of BUILD; skips when MODE (mmr or
# standin) cannot run with them
relay_use_build()
{
	RELAY_BIN=$1/examples/tmmr_relay/tmmr_relay
	VFEMU_BIN=$1/app/test-tmmr/vfemu/tmmr-vfemu
	PMD_SO=$1/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so
	[ -x "$RELAY_BIN" ] || relay_skip "no $RELAY_BIN"
	case $2 in
	standin) ;;
	mmr) mmr_available || relay_skip "tmmr-vfemu or net_virtio_tmmr not built" ;;
	*) echo "bad --mode $2" >&2; exit 2 ;;
	esac
}

# relay_workdir NAME: a new $work under /tmp/relay; at exit everything started is stopped
# and $work removed, or kept when a check failed
relay_workdir()
{
	mkdir -p /tmp/relay
	work=$(mktemp -d "/tmp/relay/$1.XXXXXX")
	trap 'relay_cleanup; if [ "$relay_fail" -eq 0 ]; then rm -rf "$work"; else echo "# logs kept in $work"; fi' EXIT
}

# relay_guest_image: $kernel and $initrd of the test guest (guest-build.sh), or skip
relay_guest_image()
{
	local dir
	dir=$(dirname "${BASH_SOURCE[0]}")
	read -r kernel initrd < <("$dir/guest-build.sh" "$dir/guest-init.sh" \
		2>"$work/guest-build.log")
	[ -n "${initrd:-}" ] && [ -f "$initrd" ] || {
		cat "$work/guest-build.log"
		relay_skip "no guest image"
	}
	command -v qemu-system-x86_64 >/dev/null || relay_skip "no qemu-system-x86_64"
}

# model_ctl WORKDIR COMMAND...: one command on tmmr-vfemu's control socket; true on "ok"
model_ctl()
{
	local reply

	reply=$(timeout 10 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().strip())' "$1/vfemu.ctl" "${*:2}")
	relay_log "model: ${*:2} -> $reply"
	[ "$reply" = ok ]
}

# after_last FILE MARK REGEX: a line matching REGEX follows the last line matching MARK
after_last()
{
	awk -v mark="$2" -v re="$3" '$0 ~ mark { seen = 1; found = 0; next }
		seen && $0 ~ re { found = 1 } END { exit !(seen && found) }' "$1"
}
