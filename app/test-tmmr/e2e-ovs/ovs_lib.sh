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

# Upper bound of any daemon's life: the whole test must end before it.
E2E_LIFETIME=${E2E_LIFETIME:-200}
# shellcheck source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

huge_added=0		# hugepages this run added to vm.nr_hugepages

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
	e2e_spawn ovsdb ovsdb-server "$OVS_DBDIR/conf.db" \
		--remote="punix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
		--unixctl="$OVS_RUNDIR/ovsdb-server.ctl" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log"
	wait_until 10 test -S "$OVS_RUNDIR/db.sock" || fail "ovsdb-server did not come up"
	vsctl --no-wait init || fail "ovs-vsctl init"
}

# ovs_vswitchd_start SYSFS_TREE: start ovs-vswitchd-dpdk; SYSFS_PCI_DEVICES is
# given to it (and only to it) when SYSFS_TREE is not empty
ovs_vswitchd_start()
{
	local tree=$1
	local -a envs=(env)

	[[ -n $tree ]] && envs+=("SYSFS_PCI_DEVICES=$tree")
	e2e_spawn vswitchd "${envs[@]}" "$OVS_VSWITCHD_DPDK" \
		"unix:$OVS_RUNDIR/db.sock" \
		--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--unixctl="$OVS_RUNDIR/ovs-vswitchd.ctl" \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log"
	wait_until 60 ovs_dpdk_initialized || {
		tail -n 30 "$OVS_LOGDIR/ovs-vswitchd.log" "$WORK/vswitchd.log" 2> /dev/null
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

# --- the EXIT trap's first step (e2e_cleanup) ---

e2e_before_cleanup()
{
	# First, as meson follows its SIGTERM with a SIGKILL 0.5 s later: pages still
	# mapped become surplus pages, which the kernel frees when their user exits.
	hugepages_restore
	# the test's own diagnostics while everything still runs
	if (($1 != 0 && $1 != 77)) && declare -F on_failure > /dev/null; then
		on_failure
	fi
}
