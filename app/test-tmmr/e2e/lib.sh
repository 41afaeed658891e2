# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# End-to-end harness: the one shell library of the end-to-end tests (e2e/, e2e-ovs/,
# e2e-relay/) and of devtools/ (demo, bench, soak). Each suite's own file (ovs_lib.sh,
# relay_lib.sh) sources it and adds only what is particular to it.
#
# It runs, each bounded by timeout(1) and each with a log in the per-test
# directory $WORK:
#  - tmmr-vfemu, the software PF with its MMR VFs (vfemu_start);
#  - a backend dpdk-testpmd serving the VFs' vhost-user sockets with net_vhost
#    ports (tp_backend_start);
#  - a dpdk-testpmd driving the VFs with the net_virtio_tmmr PMD through the
#    model's sysfs tree (tp_pmd_start), or DPDK's own net_virtio_user ports
#    standing in for them (tp_virtio_user_start).
# testpmd runs interactively, its stdin a fifo held open by this shell
# (tp_cmd, tp_run, tp_port_stats). The model's control socket (model_ctl) and a
# DPDK process's telemetry (telemetry) are one call each. The EXIT trap
# (e2e_init) ends exactly the processes started here, by PID, and keeps $WORK
# when something failed.
#
# Environment: E2E_BUILD (build dir, default <top>/build), TESTPMD, E2E_LIFETIME
# (upper bound of every process's life, s), E2E_KEEP=1 keeps $WORK, E2E_CPUS
# ("backend-cpu pmd-cpu", default "0 1"), E2E_TP_MEM (MB per testpmd).
# TP_MEM_ARGS replaces a testpmd's memory options (--no-huge -m E2E_TP_MEM),
# TP_VHOST_ARGS adds devargs to the backend's net_vhost ports (fwd.sh --huge).
#
# A PMD built with AddressSanitizer (meson -Db_sanitize=address...) needs the
# sanitizer runtime first in the process, and Debian's testpmd is not built
# with it: when the PMD depends on libasan, every testpmd that loads it runs
# with LD_PRELOAD of gcc's libasan (gcc -print-file-name=libasan.so), errors
# abort it (halt_on_error, abort_on_error, and the same for UBSan), and the
# cleanup fails the test when any log holds a sanitizer report. Its memory goes
# below ASan's shadow (--base-virtaddr, see tp_start). Leak detection
# is off in testpmd (detect_leaks=0): testpmd and EAL, which are not ours, exit
# without freeing what they allocated, and the PMD's own memory comes from
# rte_malloc, which LeakSanitizer does not track; the sanitized unit tests
# check the PMD's leaks.

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
E2E_BUILD=${E2E_BUILD:-$E2E_TOP/build}
TESTPMD=${TESTPMD:-/usr/bin/dpdk-testpmd}
E2E_LIFETIME=${E2E_LIFETIME:-180}
E2E_TP_MEM=${E2E_TP_MEM:-512}
E2E_MBUFS=${E2E_MBUFS:-16384}
read -r E2E_CPU_BACKEND E2E_CPU_PMD <<< "${E2E_CPUS:-0 1}"

VFEMU_BIN=
PMD_SO=
PMD_ARG=
VFEMU_SYSFS=
VHOST_PREFIX=
VFEMU_CTL=		# the model's control socket
VF_BDFS=()
E2E_ASAN_RT=		# the ASan runtime to preload into a testpmd loading the PMD

e2e_pids=()		# timeout(1) wrappers we started, ended newest first
e2e_prefixes=()		# DPDK --file-prefix of each testpmd we started
declare -A TP_FD=() TP_LOG=() TP_PID=()
e2e_failed=0

log()
{
	printf '[%s] %s\n' "$(date +%T.%3N)" "$*" >&2
}

fail()
{
	log "FAIL: $*"
	e2e_failed=1
	exit 1
}

skip()
{
	log "SKIP: $*"
	exit 77
}

# check WHAT CMD...: log WHAT, fail unless CMD succeeds
check()
{
	local what=$1
	shift
	if "$@"; then
		log "ok: $what"
	else
		fail "$what"
	fi
}

# check_eq WHAT GOT WANT
check_eq()
{
	if [[ "$2" == "$3" ]]; then
		log "ok: $1 ($2)"
	else
		fail "$1: got $2, want $3"
	fi
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_until()
{
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# wait_eq SECONDS WANT COMMAND...: true once COMMAND prints WANT, COMMAND run anew each time
# (in `wait_until N test "$(cmd)" = x` the shell expands $(cmd) once, before the wait: that
# compares one stale value until the deadline, and check-style.sh rejects it)
wait_eq()
{
	local deadline=$((SECONDS + $1)) want=$2
	shift 2
	until [[ $("$@") == "$want" ]]; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# wait_for FILE REGEX SECONDS: true once FILE has a line matching REGEX (grep -E)
wait_for()
{
	wait_until "$3" grep -Eqs -- "$2" "$1"
}

# e2e_args SPEC ARGS...: the script's options into variables named after them
# (dashes become underscores). SPEC lists them: "build: mode: tso" takes
# --build VALUE, --mode VALUE and the flag --tso (set to 1); anything else is a
# usage error (exit 2).
e2e_args()
{
	local spec=" $1 " opt
	shift
	while (($#)); do
		opt=${1#--}
		if [[ $1 == --* && $spec == *" $opt: "* && $# -ge 2 ]]; then
			printf -v "${opt//-/_}" '%s' "$2"
			shift 2
		elif [[ $1 == --* && $spec == *" $opt "* ]]; then
			printf -v "${opt//-/_}" 1
			shift
		else
			echo "$(basename "$0"): unknown or incomplete argument $1 (options: $spec)" >&2
			exit 2
		fi
	done
}

# e2e_use_system: after e2e_init, the model and the PMD installed on this system (the
# Debian packages, app/test-tmmr/e2e-pkg) instead of the build's: tmmr-vfemu from
# /usr/bin, the PMD in the installed DPDK's plugin directory, where EAL finds it by
# itself (PMD_ARG empty: no -d)
e2e_use_system()
{
	local plugin_dir

	plugin_dir=$("$E2E_TOP/devtools/dpdk-plugin-dir.py" \
		"$(pkg-config --variable=libdir libdpdk)") || fail "no DPDK plugin directory"
	VFEMU_BIN=/usr/bin/tmmr-vfemu
	PMD_SO=$plugin_dir/librte_net_virtio_tmmr.so
	PMD_ARG=
	unset LD_LIBRARY_PATH
	check "the PMD is installed in EAL's plugin directory $plugin_dir" test -f "$PMD_SO"
	check "tmmr-vfemu is installed" test -x "$VFEMU_BIN"
}

# e2e_init NAME: the per-test directory and the cleanup trap
e2e_init()
{
	local name=$1

	if [[ -n ${E2E_WORK:-} ]]; then
		WORK=$E2E_WORK
		mkdir -p "$WORK"
	else
		WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-e2e-$name.XXXXXX")
	fi
	VFEMU_BIN=$E2E_BUILD/app/test-tmmr/vfemu/tmmr-vfemu
	PMD_SO=$E2E_BUILD/drivers/net/virtio_tmmr/librte_net_virtio_tmmr.so
	# EAL refuses a -d path with a world-writable directory in it (a clone
	# under /tmp), but loads a bare name through the library search path
	PMD_ARG=$(basename "$PMD_SO")
	export LD_LIBRARY_PATH=$(dirname "$PMD_SO")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	if [[ -f $PMD_SO ]] && readelf -d "$PMD_SO" | grep -q 'NEEDED.*libasan'; then
		E2E_ASAN_RT=$(gcc -print-file-name=libasan.so)
		[[ -f $E2E_ASAN_RT ]] || fail "the PMD needs libasan, and gcc has none"
	fi
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
	# a write to the fifo of a testpmd that died must fail, not kill this shell
	trap '' PIPE
	log "work directory $WORK"
	if [[ -n $E2E_ASAN_RT ]]; then
		log "the PMD is built with ASan: testpmd runs with LD_PRELOAD=$E2E_ASAN_RT"
	fi
}

# e2e_spawn NAME CMD...: CMD in the background, bounded by timeout(1), output in
# $WORK/NAME.log; its PID goes to e2e_pids and pid_NAME
e2e_spawn()
{
	local name=$1
	shift
	(
		# testpmd's fifos must not stay open in other processes
		for fd in "${TP_FD[@]}"; do
			exec {fd}>&-
		done
		exec timeout -k 5 "$E2E_LIFETIME" "$@"
	) > "$WORK/$name.log" 2>&1 < /dev/null &
	e2e_pids+=($!)
	printf -v "pid_$name" '%s' $!
}

# stop_pid PID [SIGNAL]: SIGNAL (default TERM; timeout(1) passes it on), reap,
# KILL what lingers after 10 s (the process under timeout(1) first, then the
# wrapper). The exit status goes to stopped_rc (137 when killed): stop_pid
# itself returns 0, not a failure under set -e.
stop_pid()
{
	local pid=$1 i child

	stopped_rc=0
	if ! kill -0 "$pid" 2> /dev/null; then
		wait "$pid" 2> /dev/null || stopped_rc=$?
		return 0
	fi
	kill -"${2:-TERM}" "$pid" 2> /dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2> /dev/null; then
		for child in $(pgrep -P "$pid"); do
			kill -KILL "$child" 2> /dev/null
		done
		kill -KILL "$pid" 2> /dev/null
	fi
	wait "$pid" 2> /dev/null || stopped_rc=$?
}

# --- the model ---

# vfemu_start [tmmr-vfemu options...]: the model with its tree in $WORK/sysfs
# and backend sockets $WORK/vh-<n>; waits for "ready", fills VF_BDFS
vfemu_start()
{

	[[ -x $VFEMU_BIN ]] || fail "no $VFEMU_BIN: build first"
	VFEMU_SYSFS=$WORK/sysfs
	VHOST_PREFIX=$WORK/vh-
	mkdir -p "$VFEMU_SYSFS"
	e2e_spawn vfemu "$VFEMU_BIN" --sysfs "$VFEMU_SYSFS" --backend "vhost-user:$VHOST_PREFIX" "$@"
	wait_until "${VFEMU_READY_S:-10}" vfemu_ready || {
		tail -n 20 "$WORK/vfemu.log" >&2
		fail "tmmr-vfemu did not get ready"
	}
	VFEMU_READY_NS=$(now_ns)
	VFEMU_CTL=$VFEMU_SYSFS/.vfemu-ctl.sock
	vfemu_list_vfs
	((${#VF_BDFS[@]} > 0)) || fail "tmmr-vfemu made no VFs"
	if ((${#VF_BDFS[@]} > 32)); then
		log "tmmr-vfemu ready: ${#VF_BDFS[@]} VFs ${VF_BDFS[0]} .. ${VF_BDFS[-1]}"
	else
		log "tmmr-vfemu ready: VFs ${VF_BDFS[*]}"
	fi
}

# vfemu_list_vfs: VF_BDFS from the PF's virtfn<n> links of the model's tree
# (one find for all VFs: 1024 of them take one pass)
vfemu_list_vfs()
{
	local n bdf

	VF_BDFS=()
	while read -r n bdf; do
		VF_BDFS[n]=$bdf
	done < <(find "$VFEMU_SYSFS" -mindepth 2 -maxdepth 2 -name 'virtfn[0-9]*' -printf '%f %l\n' |
		awk '{ sub(/^virtfn/, "", $1); n = split($2, p, "/"); print $1, p[n] }')
	# a gap (a link missing) would shift the indexes: keep the VFs before it only
	for ((n = 0; n < ${#VF_BDFS[@]}; n++)); do
		[[ -n ${VF_BDFS[n]:-} ]] || break
	done
	VF_BDFS=("${VF_BDFS[@]:0:n}")
}

# now_ns: the time in nanoseconds
now_ns()
{
	date +%s%N
}

# vfemu_ready: 0 once the model printed "ready"; ends the wait if it died
vfemu_ready()
{
	grep -qs '^ready$' "$WORK/vfemu.log" && return 0
	kill -0 "$pid_vfemu" 2> /dev/null || fail "tmmr-vfemu exited"
	return 1
}

# vhost_sock N: the backend socket of VF N
vhost_sock()
{
	printf '%s%u' "$VHOST_PREFIX" "$1"
}

# model_ctl COMMAND...: one command on the model's control socket; prints the
# one-line reply ("ok", "error ...", a status line), false without one
model_ctl()
{
	timeout 10 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().strip())' "$VFEMU_CTL" "$*" 2> /dev/null
}

# model_ok COMMAND...: the command, logged with its reply; true on "ok"
model_ok()
{
	local reply

	reply=$(model_ctl "$@") || reply="no answer"
	log "model: $* -> $reply"
	[[ $reply == ok ]]
}

# --- DPDK telemetry ---

# telemetry PREFIX COMMAND: the JSON answer to COMMAND of the DPDK process
# started with --file-prefix PREFIX, on one line
telemetry()
{
	timeout 10 /usr/bin/python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
info = json.loads(s.recv(16384).decode())
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(info.get("max_output_len", 16384)).decode())))' \
		"${RTE_RUNTIME_BASE:-/var/run/dpdk}/$1/dpdk_telemetry.v2" "$2" 2> /dev/null
}

# json_get JSON [KEY...]: in a telemetry answer, the value under KEY (in KEY, in
# the next KEY...); a dictionary as "key value" lines, one a line
json_get()
{
	/usr/bin/python3 -c '
import json, sys
v = next(iter(json.loads(sys.argv[1]).values()))
for k in sys.argv[2:]:
    v = v[k]
if isinstance(v, dict):
    for k, x in v.items():
        print(k, x)
else:
    print(v)' "$@"
}

# --- testpmd ---

# tp_start NAME CPU ENV EAL-ARGS... -- APP-ARGS...: interactive testpmd on CPU
# (main and forwarding lcore both on it), private memory and file prefix;
# ENV is "" or VAR=value passed to it alone. Waits for the prompt unless
# TP_NOWAIT is set (then call tp_wait_prompt). TP_PMD=1: it loads the PMD
# (the sanitizer runtime goes with it, see the top).
tp_start()
{
	local name=$1 cpu=$2 envv=$3 prefix fd
	local -a envs=(env) eal=() mem=(--no-huge -m "$E2E_TP_MEM")
	shift 3

	[[ -x $TESTPMD ]] || skip "no $TESTPMD (Debian package dpdk-dev)"
	if [[ -n ${TP_MEM_ARGS:-} ]]; then
		read -r -a mem <<< "$TP_MEM_ARGS"
	fi
	if [[ -n $envv ]]; then
		envs+=("$envv")
	fi
	if [[ -n ${TP_PMD:-} && -n $E2E_ASAN_RT ]]; then
		envs+=("LD_PRELOAD=$E2E_ASAN_RT"
			"ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=0:print_summary=1"
			"UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1")
		# ASan's shadow takes the addresses from 2 GiB to 16 TiB, where EAL puts its
		# memory (4 GiB up), and a legacy device only reaches the first 16 TiB: the
		# memory goes below the shadow, at 1 GiB
		eal=(--base-virtaddr 0x40000000)
	fi
	prefix=tmmr-e2e-$name-$$
	e2e_prefixes+=("$prefix")
	TP_LOG[$name]=$WORK/$name.log
	# a name may be reused once its testpmd has quit (a restarted driver)
	rm -f "$WORK/$name.in"
	mkfifo "$WORK/$name.in"
	(
		for fd in "${TP_FD[@]}"; do
			exec {fd}>&-
		done
		exec timeout -k 5 "$E2E_LIFETIME" "${envs[@]}" stdbuf -o0 -e0 "$TESTPMD" \
			"${mem[@]}" --file-prefix "$prefix" \
			--lcores "0@$cpu,1@$cpu" "${eal[@]}" "$@"
	) < "$WORK/$name.in" > "${TP_LOG[$name]}" 2>&1 &
	TP_PID[$name]=$!
	e2e_pids+=($!)
	exec {fd}> "$WORK/$name.in"
	TP_FD[$name]=$fd
	log "testpmd $name started (cpu $cpu)"
	# a probe may block until a peer connects (virtio_user server=1)
	if [[ -z ${TP_NOWAIT:-} ]]; then
		tp_wait_prompt "$name"
	fi
}

# tp_wait_prompt NAME: wait until testpmd NAME has initialised
tp_wait_prompt()
{
	local deadline=$((SECONDS + 60))

	until grep -q '^testpmd> ' "${TP_LOG[$1]}"; do
		if ! kill -0 "${TP_PID[$1]}" 2> /dev/null || ((SECONDS >= deadline)); then
			tail -n 30 "${TP_LOG[$1]}" >&2
			fail "testpmd $1 did not reach its prompt"
		fi
		sleep 0.1
	done
	log "testpmd $1 up"
}

# common application arguments: io forwarding of 64-byte packets
tp_app_args()
{
	local q=$1
	printf '%s\n' -i --total-num-mbufs="$E2E_MBUFS" --txpkts=64 --forward-mode=io \
		--rxq="$q" --txq="$q" --nb-cores=1
}

# tp_backend_start NAME Q CLIENT SOCK...: net_vhost ports, one per socket
# (CLIENT=1 when the model listens, tmmr-vfemu --server)
tp_backend_start()
{
	local name=$1 q=$2 client=$3 i=0 s opt=
	local -a vdevs=()
	shift 3

	if [[ $client == 1 ]]; then
		opt=,client=1
	fi
	for s in "$@"; do
		# a killed server leaves its socket behind, and net_vhost will not bind over it
		if [[ $client != 1 && -S $s ]]; then
			rm -f "$s"
		fi
		vdevs+=(--vdev "net_vhost$i,iface=$s,queues=$q$opt${TP_VHOST_ARGS:+,$TP_VHOST_ARGS}")
		i=$((i + 1))
	done
	tp_start "$name" "$E2E_CPU_BACKEND" "" --no-pci "${vdevs[@]}" -- \
		$(tp_app_args "$q")
}

# tp_pmd_start NAME Q BDF...: net_virtio_tmmr on the model's VFs
tp_pmd_start()
{
	local name=$1 q=$2 b
	local -a allow=()
	shift 2

	[[ -f $PMD_SO ]] || fail "no $PMD_SO: build first"
	for b in "$@"; do
		allow+=(-a "$b")
	done
	# no PMD_ARG: the PMD is installed where EAL loads every driver (fwd.sh --system)
	TP_PMD=1 tp_start "$name" "$E2E_CPU_PMD" "SYSFS_PCI_DEVICES=$VFEMU_SYSFS" \
		${PMD_ARG:+-d "$PMD_ARG"} "${allow[@]}" -- $(tp_app_args "$q")
}

# tp_virtio_user_start NAME Q SERVER SOCK...: DPDK's net_virtio_user ports in
# place of the VFs (SERVER=1: they listen, the backend is the client)
tp_virtio_user_start()
{
	local name=$1 q=$2 server=$3 i=0 s opt=
	local -a vdevs=()
	shift 3

	if [[ $server == 1 ]]; then
		opt=,server=1
	fi
	for s in "$@"; do
		vdevs+=(--vdev "net_virtio_user$i,path=$s,queues=$q$opt")
		i=$((i + 1))
	done
	tp_start "$name" "$E2E_CPU_PMD" "" --no-pci "${vdevs[@]}" -- $(tp_app_args "$q")
}

tp_cmd()
{
	printf '%s\n' "$2" >&"${TP_FD[$1]}"
}

tp_offset()
{
	stat -c %s "${TP_LOG[$1]}"
}

# tp_since NAME OFFSET: what NAME printed after OFFSET
tp_since()
{
	tail -c +$(($2 + 1)) "${TP_LOG[$1]}"
}

# tp_since_until NAME SECONDS OFFSET PATTERN
tp_since_until()
{
	local deadline=$((SECONDS + $2))

	while ! tp_since "$1" "$3" | grep -q -- "$4"; do
		((SECONDS < deadline)) || return 1
		kill -0 "${TP_PID[$1]}" 2> /dev/null || return 1
		sleep 0.05
	done
}

# tp_run NAME SECONDS PATTERN CMD: run CMD, wait for PATTERN in its output;
# prints that output
tp_run()
{
	local off

	off=$(tp_offset "$1")
	tp_cmd "$1" "$4"
	tp_since_until "$1" "$2" "$off" "$3" || return 1
	tp_since "$1" "$off"
}

# tp_nb_ports NAME
tp_nb_ports()
{
	local out

	out=$(tp_run "$1" 10 'Number of available ports' 'show port summary all') || return 1
	sed -n 's/.*Number of available ports: \([0-9]*\).*/\1/p' <<< "$out"
}

# tp_link_up NAME PORT: 0 if the port's link is up
tp_link_up()
{
	tp_run "$1" 10 'Link status' "show port info $2" | grep -q 'Link status: up'
}

# tp_wait_links NAME SECONDS PORTS...
tp_wait_links()
{
	local name=$1 secs=$2 p
	shift 2

	for p in "$@"; do
		wait_until "$secs" tp_link_up "$name" "$p" ||
			fail "testpmd $name: port $p link not up"
	done
	log "testpmd $name: links up on ports $*"
}

# tp_port_stats NAME PORT: "rx rx_missed rx_errors rx_nombuf tx tx_errors rx_bytes tx_bytes"
tp_port_stats()
{
	local out

	out=$(tp_run "$1" 10 'Tx-pps' "show port stats $2") ||
		fail "testpmd $1 did not show the stats of port $2"
	awk '
		$1 == "RX-packets:" { rx = $2; miss = $4; rxb = $6 }
		$1 == "RX-errors:" { rxe = $2 }
		$1 == "RX-nombuf:" { nob = $2 }
		$1 == "TX-packets:" { tx = $2; txe = $4; txb = $6 }
		END { print rx + 0, miss + 0, rxe + 0, nob + 0, tx + 0, txe + 0, rxb + 0, txb + 0 }
	' <<< "$out"
}

# tp_all_stats NAME NPORTS: one line per port from a single "show port stats all":
# "port rx rx_missed rx_errors rx_nombuf tx tx_errors rx_bytes tx_bytes"
tp_all_stats()
{
	local name=$1 nports=$2 off deadline=$((SECONDS + 10))

	off=$(tp_offset "$name")
	tp_cmd "$name" "show port stats all"
	while (($(tp_since "$name" "$off" | grep -c 'Tx-pps') < nports)); do
		((SECONDS < deadline)) || fail "testpmd $name did not show its port stats"
		sleep 0.02
	done
	tp_since "$name" "$off" | awk '
		/NIC statistics for port/ { p = $(NF - 1); ports[p] = 1 }
		$1 == "RX-packets:" { rx[p] = $2; miss[p] = $4; rxb[p] = $6 }
		$1 == "RX-errors:" { rxe[p] = $2 }
		$1 == "RX-nombuf:" { nob[p] = $2 }
		$1 == "TX-packets:" { tx[p] = $2; txe[p] = $4; txb[p] = $6 }
		END {
			for (p in ports)
				print p, rx[p] + 0, miss[p] + 0, rxe[p] + 0, nob[p] + 0, tx[p] + 0,
					txe[p] + 0, rxb[p] + 0, txb[p] + 0
		}
	' | sort -n
}

# tp_stats_field NAME PORT FIELD: one of rx miss rxerr nombuf tx txerr rxb txb
tp_stats_field()
{
	local rx miss rxe nob tx txe rxb txb

	read -r rx miss rxe nob tx txe rxb txb < <(tp_port_stats "$1" "$2")
	case $3 in
	rx) echo "$rx" ;;
	miss) echo "$miss" ;;
	rxerr) echo "$rxe" ;;
	nombuf) echo "$nob" ;;
	tx) echo "$tx" ;;
	txerr) echo "$txe" ;;
	rxb) echo "$rxb" ;;
	txb) echo "$txb" ;;
	esac
}

# tp_errors NAME PORT: every error counter of a port, summed
tp_errors()
{
	local rx miss rxe nob tx txe rxb txb

	read -r rx miss rxe nob tx txe rxb txb < <(tp_port_stats "$1" "$2")
	echo $((miss + rxe + nob + txe))
}

# tp_fwd_stop NAME: "stop"; prints the forwarding summary
tp_fwd_stop()
{
	tp_run "$1" 10 'Done.' stop || fail "testpmd $1 did not stop forwarding"
}

# tp_quit NAME: quit and wait for the process to end
tp_quit()
{
	local name=$1 fd=${TP_FD[$1]:-} i

	[[ -n $fd ]] || return 0
	printf 'quit\n' >&"$fd" 2> /dev/null
	exec {fd}>&-
	unset "TP_FD[$name]"
	for ((i = 0; i < 100; i++)); do
		kill -0 "${TP_PID[$name]}" 2> /dev/null || break
		sleep 0.1
	done
	stop_pid "${TP_PID[$name]}"
}

# tp_kill NAME: SIGKILL testpmd NAME itself (not its timeout wrapper), as a
# crash would; its fifo is closed and the wrapper reaped
tp_kill()
{
	local name=$1 victim fd=${TP_FD[$1]:-}

	victim=$(pgrep -P "${TP_PID[$name]}" -x dpdk-testpmd) || return 1
	log "SIGKILL to testpmd $name (pid $victim)"
	kill -KILL "$victim"
	if [[ -n $fd ]]; then
		exec {fd}>&-
		unset "TP_FD[$name]"
	fi
	wait "${TP_PID[$name]}" 2> /dev/null || true
}

# --- cleanup ---

# e2e_stop_all [SIGNAL]: every process started here, newest first (stop_pid), and
# forgets them
e2e_stop_all()
{
	local i name

	for name in "${!TP_FD[@]}"; do
		tp_quit "$name"
	done
	for ((i = ${#e2e_pids[@]} - 1; i >= 0; i--)); do
		stop_pid "${e2e_pids[i]}" "$@"
	done
	e2e_pids=()
}

e2e_cleanup()
{
	local rc=$? p

	set +e
	trap - EXIT INT TERM
	trap '' PIPE
	# the test's own first steps while everything still runs (diagnostics, or
	# what must be undone before meson's SIGKILL follows its SIGTERM)
	if declare -F e2e_before_cleanup > /dev/null; then
		e2e_before_cleanup "$rc"
	fi
	e2e_stop_all
	for p in "${e2e_prefixes[@]}"; do
		rm -rf "${RTE_RUNTIME_BASE:-/var/run/dpdk}/$p"
	done
	# a sanitizer report fails the test, whatever the scenario saw
	if grep -l -E '^(==[0-9]+==)?ERROR: AddressSanitizer|runtime error: ' "$WORK"/*.log \
		> "$WORK/.sanitizer" 2> /dev/null; then
		log "FAIL: sanitizer reports in: $(tr '\n' ' ' < "$WORK/.sanitizer")"
		grep -h -A 30 -E 'ERROR: AddressSanitizer|runtime error: ' $(cat "$WORK/.sanitizer") \
			>&2 || true
		((rc != 0 && rc != 77)) || rc=1
	fi
	if ((rc != 0 && rc != 77)) || [[ -n ${E2E_KEEP:-} ]]; then
		log "logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
	if declare -F e2e_on_exit > /dev/null; then
		e2e_on_exit "$rc"
	fi
	exit "$rc"
}
