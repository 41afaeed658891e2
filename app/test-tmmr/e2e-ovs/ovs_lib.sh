# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Helpers of the OVS-DPDK end-to-end test, sourced by ovs_e2e.sh.
#
# Everything runs privately: an ovsdb-server and an ovs-vswitchd-dpdk of our
# own under $WORK (OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR), hugepages reserved for
# the run only, every background process bounded by timeout(1) and ended by
# the PID we got when starting it. A system OVS is never touched.

OVS_VSWITCHD_DPDK=${OVS_VSWITCHD_DPDK:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
TESTPMD=${TESTPMD:-/usr/bin/dpdk-testpmd}

# Upper bound of any daemon's life: the whole test must end before it.
PROC_LIFETIME=${PROC_LIFETIME:-200}

started_pids=()		# timeout(1) wrappers we started, ended in reverse order
huge_added=0		# hugepages this run added to vm.nr_hugepages
tp_fd=			# write end of testpmd's command fifo
tp_log=
dpdk_prefixes=()	# --file-prefix of each DPDK process we started

log()
{
	printf '[%s] %s\n' "$(date +%T.%3N)" "$*"
}

fail()
{
	log "FAIL: $*"
	exit 1
}

skip()
{
	log "SKIP: $*"
	exit 77
}

# check WHAT COND...: log WHAT and fail unless the command COND succeeds
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

# wait_until SECONDS CMD...: poll CMD every 0.2 s; 0 as soon as it succeeds
wait_until()
{
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# spawn NAME SECONDS CMD...: run CMD in the background, bounded by timeout(1),
# output in $WORK/NAME.out; the PID is kept for cleanup and put in pid_NAME.
spawn()
{
	local name=$1 secs=$2
	shift 2
	(
		# do not hold testpmd's fifo open in other processes
		[[ -n $tp_fd ]] && exec {tp_fd}>&-
		exec timeout -k 5 "$secs" "$@"
	) > "$WORK/$name.out" 2>&1 < /dev/null &
	started_pids+=($!)
	printf -v "pid_$name" '%s' $!
}

# stop_pid PID: TERM it (timeout(1) passes it on to its child) and reap it;
# timeout's -k turns a TERM that is ignored into a KILL 5 s later.
stop_pid()
{
	local pid=$1 i
	kill -0 "$pid" 2> /dev/null || { wait "$pid" 2> /dev/null; return 0; }
	kill -TERM "$pid" 2> /dev/null
	for ((i = 0; i < 80; i++)); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	return 0
}

# --- hugepages: OVS always runs DPDK with --in-memory, so no --no-huge ---

hugepages_total()
{
	cat /proc/sys/vm/nr_hugepages
}

hugepages_free()
{
	awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo
}

# hugepages_reserve PAGES: add PAGES to the pool (others may use it too, so we
# add and later subtract rather than set and reset an absolute value)
hugepages_reserve()
{
	local want=$1 before after
	[[ -w /proc/sys/vm/nr_hugepages ]] || skip "cannot write /proc/sys/vm/nr_hugepages"
	before=$(hugepages_total)
	echo $((before + want)) > /proc/sys/vm/nr_hugepages 2> /dev/null
	after=$(hugepages_total)
	huge_added=$((after - before))
	((huge_added >= 0)) || huge_added=0
	log "hugepages: $before -> $after (asked for +$want), free $(hugepages_free)"
	((huge_added >= want)) || skip "only $huge_added of $want hugepages could be reserved"
}

hugepages_restore()
{
	local cur new
	((huge_added > 0)) || return 0
	cur=$(hugepages_total)
	new=$((cur - huge_added))
	((new >= 0)) || new=0
	echo "$new" > /proc/sys/vm/nr_hugepages
	log "hugepages: restored $cur -> $(hugepages_total)"
	huge_added=0
}

# --- private OVS ---

vsctl()
{
	ovs-vsctl --timeout=30 "$@"
}

appctl()
{
	ovs-appctl --timeout=30 -t "$OVS_RUNDIR/ovs-vswitchd.ctl" "$@"
}

ofctl()
{
	ovs-ofctl --timeout=30 "$@"
}

# ovs_db_start: fresh database and ovsdb-server under $WORK/ovs
ovs_db_start()
{
	export OVS_RUNDIR=$WORK/ovs OVS_DBDIR=$WORK/ovs OVS_LOGDIR=$WORK/ovs
	export OVS_SYSCONFDIR=$WORK/ovs
	mkdir -p "$OVS_RUNDIR"
	ovsdb-tool create "$OVS_DBDIR/conf.db" "$OVS_SCHEMA" || fail "ovsdb-tool create"
	spawn ovsdb "$PROC_LIFETIME" ovsdb-server "$OVS_DBDIR/conf.db" \
		--remote="punix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
		--unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log"
	wait_until 10 test -S "$OVS_RUNDIR/db.sock" || fail "ovsdb-server did not come up"
	vsctl --no-wait init || fail "ovs-vsctl init"
}

# ovs_vswitchd_start SYSFS_TREE [LIBDIR]: start ovs-vswitchd-dpdk; the
# environment variables SYSFS_PCI_DEVICES and LD_LIBRARY_PATH are given to it
# (and only to it) when SYSFS_TREE and LIBDIR are not empty
ovs_vswitchd_start()
{
	local tree=$1 libdir=${2:-}
	local -a envs=(env)

	[[ -n $tree ]] && envs+=("SYSFS_PCI_DEVICES=$tree")
	[[ -n $libdir ]] && envs+=("LD_LIBRARY_PATH=$libdir")
	spawn vswitchd "$PROC_LIFETIME" "${envs[@]}" "$OVS_VSWITCHD_DPDK" \
		"unix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log"
	wait_until 60 ovs_dpdk_initialized || {
		tail -n 30 "$OVS_LOGDIR/ovs-vswitchd.log" "$WORK/vswitchd.out" 2> /dev/null
		fail "ovs-vswitchd-dpdk did not initialize DPDK"
	}
}

ovs_dpdk_initialized()
{
	kill -0 "$pid_vswitchd" 2> /dev/null || return 1
	[[ $(vsctl get Open_vSwitch . dpdk_initialized 2> /dev/null) == true ]]
}

# ovs_stats PORT: "rx_packets tx_packets rx_bytes tx_bytes rx_dropped tx_dropped"
# as the datapath reads them from the netdev now (the database lags by up to
# stats-update-interval)
ovs_stats()
{
	appctl dpctl/show -s | awk -v port="$1" '
		$1 == "port" && $3 == port { found = 1; next }
		found && $1 == "port" { found = 0 }
		found && $1 == "RX" && $2 ~ /^packets:/ {
			split($2, a, ":"); rxp = a[2]; split($4, a, ":"); rxd = a[2] }
		found && $1 == "TX" && $2 ~ /^packets:/ {
			split($2, a, ":"); txp = a[2]; split($4, a, ":"); txd = a[2] }
		found && $1 == "RX" && $2 ~ /^bytes:/ {
			# "RX bytes:N [(x KiB)]  TX bytes:N [(y KiB)]"
			match($0, /RX bytes:[0-9]+/); rxb = substr($0, RSTART + 9, RLENGTH - 9)
			match($0, /TX bytes:[0-9]+/); txb = substr($0, RSTART + 9, RLENGTH - 9) }
		END { print rxp + 0, txp + 0, rxb + 0, txb + 0, rxd + 0, txd + 0 }'
}

# ovs_db_stat IFACE KEY: one key of the database's statistics column
ovs_db_stat()
{
	vsctl get interface "$1" "statistics:$2" 2> /dev/null | tr -d '"'
}

# --- backend testpmd, driven through a fifo on its stdin ---

# tp_start NAME EAL-AND-APP-ARGS...: interactive testpmd with unbuffered output
tp_start()
{
	local name=$1
	shift
	tp_log=$WORK/$name.out
	mkfifo "$WORK/$name.in"
	(
		exec timeout -k 5 "$PROC_LIFETIME" stdbuf -o0 -e0 "$TESTPMD" "$@"
	) < "$WORK/$name.in" > "$tp_log" 2>&1 &
	started_pids+=($!)
	printf -v "pid_$name" '%s' $!
	exec {tp_fd}> "$WORK/$name.in"
	wait_until 60 grep -q '^testpmd> ' "$tp_log" || {
		tail -n 30 "$tp_log"
		fail "testpmd did not reach its prompt"
	}
}

tp_cmd()
{
	printf '%s\n' "$*" >&"$tp_fd"
}

# tp_run SECONDS PATTERN CMD: run CMD, wait until PATTERN shows in what it prints
tp_run()
{
	local secs=$1 pattern=$2 off
	shift 2
	off=$(stat -c %s "$tp_log")
	tp_cmd "$*"
	tp_since_until "$secs" "$off" "$pattern"
}

tp_since()
{
	tail -c +$(($1 + 1)) "$tp_log"
}

# tp_since_until SECONDS OFFSET PATTERN: wait until PATTERN appears after OFFSET
tp_since_until()
{
	local deadline=$((SECONDS + $1))
	while ! grep -q -- "$3" < <(tp_since "$2"); do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# tp_port_stats PORT: "rx_packets tx_packets rx_bytes tx_bytes" of a testpmd port
tp_port_stats()
{
	local off
	off=$(stat -c %s "$tp_log")
	tp_cmd "show port stats $1"
	tp_since_until 10 "$off" 'Tx-pps' || fail "testpmd did not show the stats of port $1"
	tp_since "$off" | awk '
		$1 == "RX-packets:" { rx = $2; rxb = $6 }
		$1 == "TX-packets:" { tx = $2; txb = $6 }
		END { print rx + 0, tx + 0, rxb + 0, txb + 0 }'
}

tp_stop()
{
	[[ -n $tp_fd ]] || return 0
	tp_cmd "quit" 2> /dev/null
	exec {tp_fd}>&-
	tp_fd=
}

# --- cleanup, installed as the EXIT trap by the test ---

cleanup()
{
	local rc=$? i p
	set +e
	trap - EXIT INT TERM
	# First, as meson follows its SIGTERM with a SIGKILL 0.5 s later: pages still
	# mapped become surplus pages, which the kernel frees when their user exits.
	hugepages_restore
	# the test's own diagnostics while everything still runs
	if ((rc != 0 && rc != 77)) && declare -F on_failure > /dev/null; then
		on_failure
	fi
	tp_stop
	# our daemons, newest first; OVS exits cleanly on TERM
	for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
		stop_pid "${started_pids[i]}"
	done
	for p in "${dpdk_prefixes[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	if ((rc != 0 && rc != 77)); then
		log "logs kept in $WORK"
	elif [[ -z ${KEEP_WORK:-} ]]; then
		rm -rf "$WORK"
	fi
	log "exit $rc"
	exit "$rc"
}
