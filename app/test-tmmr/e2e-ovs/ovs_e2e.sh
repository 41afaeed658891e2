#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# OVS-DPDK end to end: Debian's ovs-vswitchd-dpdk drives two MMR VFs of the
# software model through the net_virtio_tmmr PMD, plus a vhost-user client
# port, on a netdev bridge; traffic crosses the bridge in both directions and
# what OVS reports (counters, link state, MTU) must match what really flowed.
#
#   ovs_e2e.sh --mode mmr|standin --build BUILD_DIR [--queues 1|2] [--system]
#
# mode mmr:     VFs are tmmr-vfemu VFs (-a <bdf>, SYSFS_PCI_DEVICES=<model tree>)
# mode standin: the same harness with net_virtio_user ports instead of VFs,
#               to prove the harness itself (--no-pci)
# --queues 2:   two queue pairs on every port (the PMD enables them through the
#               control queue; OVS polls both and sends on both)
# --system:     (mmr) the model and the PMD installed on this system (the Debian
#               packages, app/test-tmmr/e2e-pkg): tmmr-vfemu from /usr/bin, no -d in
#               dpdk-extra: OVS's EAL must find the PMD in its plugin directory
#
#  backend testpmd                 ovs-vswitchd-dpdk (br0, netdev)
#   port 0 net_vhost  <-- VF0 --> vf0 (type=dpdk) -.
#   port 1 net_vhost  <-- VF1 --> vf1 (type=dpdk)  |- flows: vf0->vhu->vf1->vf0
#   port 2 virtio_user server <--> vhu (dpdkvhostuserclient)
#
# Exit 0 pass, 1 fail, 77 skip (not root, no OVS, no hugepages).

set -u -o pipefail

# shellcheck source=ovs_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/ovs_lib.sh"

mode=mmr
build=$E2E_BUILD
queues=1
system=0
e2e_args "mode: queues: build: system" "$@"
nq=$queues
[[ $mode == mmr || $mode == standin ]] || { echo "bad --mode $mode" >&2; exit 2; }
[[ $nq == 1 || $nq == 2 ]] || { echo "bad --queues $nq" >&2; exit 2; }
E2E_BUILD=$(cd "$build" && pwd) || exit 2

NR_VFS=2
BURSTS=2			# testpmd bursts of 32 per port and round
SOAK_SECS=3			# frames circling the bridge in the soak round
SOCKET_MEM=512			# MB OVS preallocates ...
SOCKET_LIMIT=768		# ... and may grow to (per-port mempools, MTU 9000 on 2 ports)
HUGE_PAGES=$((SOCKET_LIMIT / 2 + 32))
JUMBO_MTU=${OVS_E2E_MTU:-9000}
JUMBO_SEGS=${OVS_E2E_SEGS:-2048,2048,2048,2048,800}	# 8992-byte frames in 2 KB mbufs

e2e_init ovs
if ((system)); then
	[[ $mode == mmr ]] || fail "--system needs --mode mmr"
	e2e_use_system
fi
# (a -d bare name is first tried relative to the working directory)
cd "$WORK" || exit 1
tag=$(basename "$WORK" | tr -cd 'a-zA-Z0-9')
ovs_prefix=ovs-sw-$tag
e2e_prefixes+=("$ovs_prefix")
log "mode $mode, work dir $WORK"

# --- preconditions ---

((EUID == 0)) || skip "needs root (hugepages, OVS)"
command -v "$TESTPMD" > /dev/null || skip "no $TESTPMD"

# devtools/setup.sh installs it; a test does not install what setup.sh forgot (CI, which
# counts a skip as a failure, must see the gap)
[[ -x $OVS_VSWITCHD_DPDK ]] || skip "no $OVS_VSWITCHD_DPDK: run devtools/setup.sh"

[[ -f $PMD_SO ]] || fail "no PMD at $PMD_SO (build first)"
if [[ $mode == mmr ]]; then
	[[ -x $VFEMU_BIN ]] || fail "no model at $VFEMU_BIN (build first)"
	# (the package's copy is stripped: nothing for nm)
	((system)) || [[ $(nm "$PMD_SO" 2> /dev/null) == *pciinitfn_net_virtio_tmmr* ]] ||
		fail "$PMD_SO registers no net_virtio_tmmr PCI driver"
fi

hugepages_reserve "$HUGE_PAGES"

# --- backend testpmd: the vhost-user backends of the two VFs ---

# The VFs' peer ports come first; the vhu peer (a virtio_user server, whose
# probe blocks until OVS connects) is attached once OVS runs.
tp_start tp 0 "" --no-pci \
	--vdev "net_vhost0,iface=$WORK/vh-0,queues=$nq" \
	--vdev "net_vhost1,iface=$WORK/vh-1,queues=$nq" \
	-- -i --rxq=$nq --txq=$nq --total-num-mbufs=8192 --port-topology=loop --no-lsc-interrupt \
	--disable-link-check
tp_run tp 5 'testpmd>' "set fwd rxonly" > /dev/null || fail "testpmd: set fwd"

# --- the model (mmr) ---

vf_bdfs=()
tree=

# on_failure: what the model and OVS say, into the log (called by cleanup)
on_failure()
{
	local v
	if [[ $mode == mmr && -n $VFEMU_CTL ]]; then
		for ((v = 0; v < NR_VFS; v++)); do
			log "model: status $v -> $(model_ctl status $v)"
		done
	fi
	if [[ -n ${OVS_RUNDIR:-} && -S $OVS_RUNDIR/ovs-vswitchd.ctl ]]; then
		grep -E '\|(ERR|WARN|EMER)\|' "$OVS_LOGDIR/ovs-vswitchd.log" |
			grep -v -E 'timeval|TELEMETRY|No free 1048576|ovs_datapath' | tail -n 20
	fi
}

if [[ $mode == mmr ]]; then
	model_opts=()
	((nq > 1)) && model_opts+=(--queue-pairs "$nq")
	# a device MTU that lets OVS's mtu_request through, where the model takes one
	[[ $("$VFEMU_BIN" --help 2>&1) == *--mtu* ]] && model_opts+=(--mtu "$JUMBO_MTU")
	vfemu_start --vfs "$NR_VFS" "${model_opts[@]}"
	vf_bdfs=("${VF_BDFS[@]}")
	tree=$VFEMU_SYSFS
	log "model VFs: ${vf_bdfs[*]}"
fi

# --- private OVS ---

ovs_db_start
# OVS_E2E_EAL_EXTRA: more EAL arguments for OVS, e.g. --log-level=...
eal=(--single-file-segments --file-prefix "$ovs_prefix" ${PMD_ARG:+-d "$PMD_ARG"}
	${OVS_E2E_EAL_EXTRA:-})
if [[ $mode == mmr ]]; then
	for b in "${vf_bdfs[@]}"; do
		eal+=(-a "$b")
	done
	# EAL picks the IOVA mode before probing and ignores devices without a kernel
	# driver, such as the model's; as root with hugepages it would pick PA, where
	# every page has its own IOVA, more than a vhost-user memory table can hold
	eal+=(--iova-mode=va)
else
	eal+=(--no-pci)
fi
vsctl --no-wait set Open_vSwitch . \
	other_config:dpdk-init=true \
	other_config:dpdk-lcore-mask=0x1 \
	other_config:pmd-cpu-mask=0x2 \
	other_config:pmd-maxsleep=100 \
	other_config:dpdk-socket-mem=$SOCKET_MEM \
	other_config:dpdk-socket-limit=$SOCKET_LIMIT \
	other_config:per-port-memory=true \
	"other_config:dpdk-extra=${eal[*]}" || fail "ovs-vsctl: other_config"
ovs_vswitchd_start "$tree"
log "OVS: $(vsctl get Open_vSwitch . dpdk_version)"

eal_args=$(grep -m1 'EAL ARGS' "$OVS_LOGDIR/ovs-vswitchd.log")
log "${eal_args#*|dpdk|INFO|}"
check "OVS ran EAL --in-memory (hugepages, no mount)" grep -q -- '--in-memory' <<< "$eal_args"
if [[ $mode == mmr ]]; then
	check "OVS's EAL has an allowlist of the model's VFs only" \
		grep -q -- "-a ${vf_bdfs[0]}" <<< "$eal_args"
	vs_pid=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid")
	check "SYSFS_PCI_DEVICES reached ovs-vswitchd" \
		grep -qx "SYSFS_PCI_DEVICES=$tree" < <(tr '\0' '\n' < "/proc/$vs_pid/environ")
	if ((system)); then
		check "OVS's EAL was given no -d" eval '! grep -qE -- "(^| )-d( |$)" <<< "$eal_args"'
		check "ovs-vswitchd loaded the installed PMD $PMD_SO" \
			grep -qF "$PMD_SO" "/proc/$vs_pid/maps"
	fi
else
	check "OVS's EAL does not scan PCI" grep -q -- '--no-pci' <<< "$eal_args"
fi

# --- topology ---

vsctl add-br br0 -- set bridge br0 datapath_type=netdev || fail "add-br br0"
vsctl add-port br0 vhu -- set interface vhu type=dpdkvhostuserclient \
	"options:vhost-server-path=$WORK/vhu.sock" || fail "add-port vhu"
# OVS retries the connection until this virtio_user server appears
tp_run tp 60 'is attached' \
	"port attach net_virtio_user2,path=$WORK/vhu.sock,server=1,queues=$nq" > /dev/null ||
	fail "testpmd: attach virtio_user2"
tp_run tp 20 'testpmd>' "port start 2" > /dev/null || fail "testpmd: port start 2"

# add_vf I [MTU]: port vfI on VF I (or its stand-in)
add_vf()
{
	local i=$1 devargs lsc=false
	local -a extra=()

	if [[ $mode == mmr ]]; then
		devargs=${vf_bdfs[i]}
	else
		devargs="net_virtio_user$i,path=$WORK/vh-$i,queues=$nq"
	fi
	# vf0: OVS polls the link state; vf1: the PMD's link-state-change interrupt
	((i == 1)) && lsc=true
	[[ -n ${2:-} ]] && extra+=("mtu_request=$2")
	# OVS_E2E_VF_OPTS: extra interface settings, e.g. options:n_rxq_desc=256
	vsctl add-port br0 "vf$i" -- set interface "vf$i" type=dpdk \
		"options:dpdk-devargs=$devargs" "options:dpdk-lsc-interrupt=$lsc" "options:n_rxq=$nq" \
		"${extra[@]}" ${OVS_E2E_VF_OPTS:-} || fail "add-port vf$i"
}

# ports_ok IFC...: each has no error and an OpenFlow port number
ports_ok()
{
	local ifc err ofp
	for ifc in "$@"; do
		err=$(vsctl get interface $ifc error)
		[[ $err == '[]' ]] || fail "interface $ifc: $err"
		ofp=$(vsctl get interface $ifc ofport)
		((ofp > 0)) || fail "interface $ifc has ofport $ofp"
	done
	log "ok: $* in br0 with no error"
}

add_vf 0
add_vf 1
ports_ok vf0 vf1 vhu

link_is()
{
	[[ $(vsctl get interface "$1" link_state) == "$2" ]]
}
for ifc in vf0 vf1 vhu; do
	check "$ifc link_state up" wait_until 20 link_is $ifc up
done

# What OVS learnt from the PMD
for ifc in vf0 vf1; do
	log "$ifc status: $(vsctl get interface $ifc status)"
	drv=$(vsctl get interface $ifc status:driver_name | tr -d '"')
	if [[ $mode == mmr ]]; then
		check "$ifc is driven by net_virtio_tmmr" test "$drv" = net_virtio_tmmr
	else
		check "$ifc is driven by net_virtio_user" test "$drv" = net_virtio_user
	fi
	check "$ifc mtu 1500" test "$(vsctl get interface $ifc mtu)" = 1500
	mac=$(vsctl get interface $ifc mac_in_use | tr -d '"')
	check "$ifc has a unicast MAC ($mac)" \
		grep -qE '^[0-9a-f][02468ace](:[0-9a-f]{2}){5}$' <<< "$mac"
done
dpif=$(appctl dpif/show) || fail "dpif/show"
log "dpif/show:"$'\n'"$dpif"
for ifc in vf0 vf1; do
	check "dpif/show: $ifc is a dpdk port with $nq rx and $nq tx queues" \
		grep -qE "$ifc [0-9]+/[0-9]+: \\(dpdk: configured_rx_queues=$nq, .*configured_tx_queues=$nq," \
		<<< "$dpif"
done
check "dpif/show: vf1 mtu=1500" grep -qE 'vf1 .*[ (]mtu=1500' <<< "$dpif"
check "dpif/show: vf0 polled link state" grep -qE 'vf0 .*lsc_interrupt_mode=false' <<< "$dpif"
check "dpif/show: vf1 in LSC interrupt mode" grep -qE 'vf1 .*lsc_interrupt_mode=true' <<< "$dpif"
mp=$(appctl netdev-dpdk/get-mempool-info vf0) || fail "get-mempool-info vf0"
check "vf0 has a mempool" grep -q 'populated_size=' <<< "$mp"
rxq=$(appctl dpif-netdev/pmd-rxq-show) || fail "pmd-rxq-show"
for ((q = 0; q < nq; q++)); do
	for ifc in vf0 vf1; do
		check "a PMD thread polls $ifc queue $q" \
			grep -qE "port: $ifc +queue-id: +$q \\(enabled\\)" <<< "$rxq"
	done
done
if [[ $mode == mmr ]]; then
	for v in 0 1; do
		st=$(model_ctl status $v)
		check "the model's VF$v runs $nq queue pairs" grep -q " pairs=$nq " <<< "$st"
	done
fi

# --- traffic ---

# The flows match every header field testpmd's txonly frames carry (to port P:
# dl_dst 02:00:00:00:00:0P, UDP 198.18.0.1:9 -> 198.18.0.2:9, TTL 64) and
# nothing else is forwarded, so a frame whose headers a driver garbled is lost
# and the counters disagree.
txonly_match="udp,nw_src=198.18.0.1,nw_dst=198.18.0.2,nw_ttl=64,tp_src=9,tp_dst=9"

# flow IN_PORT FROM_TESTPMD_PORT OUT_PORT
flow()
{
	ofctl add-flow br0 "in_port=$1,dl_dst=02:00:00:00:00:0$2,$txonly_match,actions=output:$3" ||
		fail "add-flow $1 -> $3"
}

# ring_flows: every frame crosses the bridge once, vf0 -> vhu -> vf1 -> vf0
ring_flows()
{
	ofctl del-flows br0 || fail "del-flows"
	flow vf0 0 vhu
	flow vhu 2 vf1
	flow vf1 1 vf0
}
ring_flows

declare -A ovs0 ovs1 tps

# snap_ovs ARRAY: OVS counters of vf0 vf1 vhu into ARRAY[ifc]
snap_ovs()
{
	local -n into=$1
	local ifc
	for ifc in vf0 vf1 vhu; do
		into[$ifc]=$(ovs_stats $ifc)
	done
}

# tp_counts PORT: "rx_packets tx_packets rx_bytes tx_bytes" of a testpmd port
tp_counts()
{
	local rx miss rxe nob tx txe rxb txb

	read -r rx miss rxe nob tx txe rxb txb < <(tp_port_stats tp "$1")
	echo "$rx $tx $rxb $txb"
}

# field "a b c d ..." N: the Nth word (1-based)
field()
{
	local -a w=($1)
	echo "${w[$2 - 1]}"
}

# delta IFC N: change of the Nth OVS counter of IFC over the round
delta()
{
	echo $(($(field "${ovs1[$1]}" "$2") - $(field "${ovs0[$1]}" "$2")))
}

# tp_settled PORTS-RX...: testpmd's rx counters reached what the peers sent
tp_settled()
{
	local p
	for p in 0 1 2; do
		tps[$p]=$(tp_counts $p)
	done
	[[ $(field "${tps[2]}" 1) == $(field "${tps[0]}" 2) &&
		$(field "${tps[1]}" 1) == $(field "${tps[2]}" 2) &&
		$(field "${tps[0]}" 1) == $(field "${tps[1]}" 2) ]]
}

# traffic_round NAME [SOAK_SECONDS]: every testpmd port sends BURSTS x 32 frames
# per queue; each crosses the bridge once (vf0 -> vhu -> vf1 -> vf0) and lands on
# another testpmd port. With SOAK_SECONDS, testpmd forwards what it receives
# back out of the same port meanwhile (with the destination MAC of that port): a fixed population of frames circles the
# bridge for that long (no overload, so still nothing may be lost), then testpmd
# only receives until everything in flight has arrived.
traffic_round()
{
	local name=$1 soak=${2:-} want=$((BURSTS * 32 * nq)) p
	tp_run tp 5 'testpmd>' "clear port stats all" > /dev/null || fail "testpmd: clear stats"
	snap_ovs ovs0
	if [[ -n $soak ]]; then
		# mac: sets dl_dst to what the flows of the port it leaves by expect
		tp_run tp 5 'testpmd>' "set fwd mac" > /dev/null || fail "testpmd: set fwd mac"
		# one burst per queue and port: even if every frame in flight bunches up in
		# front of one ring (OVS sends to a port through one queue), it fits
		want=$((32 * nq))
		tp_run tp 10 'testpmd>' "start tx_first 1" > /dev/null || fail "testpmd: start"
		sleep "$soak"
		tp_run tp 10 'Done.' "stop" > /dev/null || fail "testpmd: stop"
		tp_run tp 5 'testpmd>' "set fwd rxonly" > /dev/null || fail "testpmd: set fwd rxonly"
		tp_run tp 10 'testpmd>' "start" > /dev/null || fail "testpmd: start"
	else
		tp_run tp 10 'testpmd>' "start tx_first $BURSTS" > /dev/null || fail "testpmd: start"
	fi
	wait_until 15 tp_settled
	tp_run tp 10 'Done.' "stop" > /dev/null || fail "testpmd: stop"
	tp_settled
	snap_ovs ovs1
	for p in 0 1 2; do
		log "$name: testpmd port $p rx/tx/rxB/txB: ${tps[$p]}"
	done
	for ifc in vf0 vf1 vhu; do
		log "$name: OVS $ifc rx/tx/rxB/txB/rxdrop/txdrop before: ${ovs0[$ifc]}" \
			"after: ${ovs1[$ifc]}"
	done
	t0=${tps[0]} t1=${tps[1]} t2=${tps[2]}
	for p in 0 1 2; do
		if [[ -n $soak ]]; then
			# the frames kept circling: thousands of passes through every ring
			check "$name: testpmd port $p sent > $((want * 100)) frames" \
				test "$(field "${tps[$p]}" 2)" -gt $((want * 100))
		else
			check "$name: testpmd port $p sent all $want frames" \
				test "$(field "${tps[$p]}" 2)" = $want
		fi
	done
	# VF0 receives what port 0 sent, hands it to vhu; VF1 sends what vhu got
	check "$name: vf0 rx_packets == sent into VF0" \
		test "$(delta vf0 1)" = "$(field "$t0" 2)"
	check "$name: vf0 rx_bytes == bytes sent into VF0" \
		test "$(delta vf0 3)" = "$(field "$t0" 4)"
	check "$name: vhu tx_packets == vf0 rx_packets" test "$(delta vhu 2)" = "$(delta vf0 1)"
	check "$name: testpmd port 2 got all of it" \
		test "$(field "$t2" 1)" = "$(field "$t0" 2)"
	check "$name: vhu rx_packets == testpmd port 2 sent" \
		test "$(delta vhu 1)" = "$(field "$t2" 2)"
	check "$name: vf1 tx_packets == vhu rx_packets" test "$(delta vf1 2)" = "$(delta vhu 1)"
	check "$name: vf1 tx_bytes == bytes port 1's peer got" \
		test "$(delta vf1 4)" = "$(field "$t1" 3)"
	check "$name: testpmd port 1 got all VF1 sent" \
		test "$(field "$t1" 1)" = "$(field "$t2" 2)"
	check "$name: vf1 rx_packets == sent into VF1" \
		test "$(delta vf1 1)" = "$(field "$t1" 2)"
	check "$name: vf0 tx_packets == vf1 rx_packets" test "$(delta vf0 2)" = "$(delta vf1 1)"
	check "$name: testpmd port 0 got all VF0 sent" \
		test "$(field "$t0" 1)" = "$(field "$t1" 2)"
	check "$name: vf0 tx_bytes == bytes port 0 got" \
		test "$(delta vf0 4)" = "$(field "$t0" 3)"
	for ifc in vf0 vf1 vhu; do
		check "$name: $ifc dropped nothing" \
			test "$(delta $ifc 5) $(delta $ifc 6)" = "0 0"
	done
	for ifc in vf0 vf1; do
		check "$name: $ifc never ran out of mbufs" \
			test "$(ovs_db_stat $ifc rx_mbuf_allocation_errors)" = 0
	done
}

traffic_round "round 1 (mtu 1500)"
traffic_round "soak (${SOAK_SECS} s of circling frames)" "$SOAK_SECS"

# The database's statistics column is what `ovs-vsctl get interface` shows:
# it must catch up with the datapath's view (stats-update-interval is 5 s).
db_caught_up()
{
	local ifc
	for ifc in vf0 vf1; do
		[[ $(ovs_db_stat $ifc rx_packets) == $(field "${ovs1[$ifc]}" 1) &&
			$(ovs_db_stat $ifc tx_packets) == $(field "${ovs1[$ifc]}" 2) &&
			$(ovs_db_stat $ifc rx_bytes) == $(field "${ovs1[$ifc]}" 3) &&
			$(ovs_db_stat $ifc tx_bytes) == $(field "${ovs1[$ifc]}" 4) ]] || return 1
	done
}
check "ovs-vsctl get interface vfN statistics matches the datapath counters" \
	wait_until 15 db_caught_up
log "vf0 statistics: $(vsctl get interface vf0 statistics)"

# --- MTU ---

declare -A before_mtu
for ifc in vf0 vf1; do
	before_mtu[$ifc]=$(ovs_stats $ifc)
done
for ifc in vf0 vf1; do
	vsctl set interface $ifc mtu_request=$JUMBO_MTU || fail "set $ifc mtu_request"
	mtu_is()
	{
		[[ $(vsctl get interface "$1" mtu) == "$2" ]]
	}
	check "$ifc mtu_request=$JUMBO_MTU accepted (mtu column)" wait_until 20 mtu_is $ifc $JUMBO_MTU
	err=$(vsctl get interface $ifc error)
	check "$ifc has no error after the MTU change ($err)" test "$err" = '[]'
done
# OVS fills in the mtu column even when the device refused the MTU (and then
# drops the port from the datapath): the datapath's view is the one that counts
grep -E 'MTU .* setup error|device max MTU' "$OVS_LOGDIR/ovs-vswitchd.log" | tail -n 4
check "dpif/show: vf0 mtu=$JUMBO_MTU" grep -qE "vf0 .*[ (]mtu=$JUMBO_MTU" <<< "$(appctl dpif/show)"
check "vf0 link_state up after the MTU change" wait_until 20 link_is vf0 up
check "vf1 link_state up after the MTU change" wait_until 20 link_is vf1 up
# ethdev counters are cumulative until a stats reset: a reconfiguration must not
# send OVS's statistics backwards
for ifc in vf0 vf1; do
	now=$(ovs_stats $ifc)
	check "$ifc counters kept across the MTU change (${before_mtu[$ifc]} -> $now)" \
		test "$(field "$now" 1) $(field "$now" 2)" = \
		"$(field "${before_mtu[$ifc]}" 1) $(field "${before_mtu[$ifc]}" 2)"
done

# the reconfigured ports (new mempool, queues set up again) still carry traffic
traffic_round "round 2 (vf mtu $JUMBO_MTU, 64 B)"

# --- jumbo frames from VF to VF, both ways ---

# vf_pair_settled: each of testpmd ports 0 and 1 got what the other sent
vf_pair_settled()
{
	local p
	for p in 0 1; do
		tps[$p]=$(tp_counts $p)
	done
	[[ $(field "${tps[1]}" 1) == $(field "${tps[0]}" 2) &&
		$(field "${tps[0]}" 1) == $(field "${tps[1]}" 2) ]]
}

jumbo_round()
{
	# one burst of 32 per queue: 9 KB frames fill rings 4 times faster
	local name="jumbo ($JUMBO_SEGS)" want=$((32 * nq)) len=0 s p q
	for s in ${JUMBO_SEGS//,/ }; do
		len=$((len + s))
	done
	ofctl del-flows br0 || fail "del-flows"
	flow vf0 0 vf1
	flow vf1 1 vf0
	tp_run tp 5 'testpmd>' "set portlist 0,1" > /dev/null || fail "testpmd: set portlist"
	tp_run tp 5 'testpmd>' "set txpkts $JUMBO_SEGS" > /dev/null || fail "testpmd: set txpkts"
	tp_run tp 5 'testpmd>' "clear port stats all" > /dev/null || fail "testpmd: clear stats"
	snap_ovs ovs0
	tp_run tp 10 'testpmd>' "start tx_first 1" > /dev/null || fail "testpmd: start"
	wait_until 15 vf_pair_settled
	tp_run tp 10 'Done.' "stop" > /dev/null || fail "testpmd: stop"
	vf_pair_settled
	snap_ovs ovs1
	for p in 0 1; do
		log "$name: testpmd port $p rx/tx/rxB/txB: ${tps[$p]}"
	done
	for ifc in vf0 vf1; do
		log "$name: OVS $ifc before: ${ovs0[$ifc]} after: ${ovs1[$ifc]}"
	done
	for p in 0 1; do
		q=$((1 - p))
		check "$name: testpmd port $p sent all $want frames of $len B" \
			test "$(field "${tps[$p]}" 2) $(field "${tps[$p]}" 4)" = "$want $((want * len))"
		check "$name: vf$p rx_packets/rx_bytes == what entered VF$p" \
			test "$(delta vf$p 1) $(delta vf$p 3)" = "$want $((want * len))"
		check "$name: vf$q tx_packets/tx_bytes == vf$p rx" \
			test "$(delta vf$q 2) $(delta vf$q 4)" = "$(delta vf$p 1) $(delta vf$p 3)"
		check "$name: testpmd port $q got it all, intact length" \
			test "$(field "${tps[$q]}" 1) $(field "${tps[$q]}" 3)" = "$want $((want * len))"
		check "$name: vf$p dropped nothing" test "$(delta vf$p 5) $(delta vf$p 6)" = "0 0"
	done
	# back to the 64-byte ring of the other rounds
	tp_run tp 5 'testpmd>' "set txpkts 64" > /dev/null || fail "testpmd: set txpkts"
	tp_run tp 5 'testpmd>' "set portlist 0,1,2" > /dev/null || fail "testpmd: set portlist"
	ring_flows
}
jumbo_round

# --- link down / up from the model ---

if [[ $mode == mmr ]]; then
	# vf0's state is polled (OVS's watchdog, every 5 s), vf1's comes by interrupt
	for v in 0 1; do
		o=$((1 - v))
		t=$SECONDS
		resets=$(vsctl get interface vf$v link_resets)
		model_ok link $v down || fail "model control: link $v down"
		check "vf$v link_state down after the model took VF$v's link down" \
			wait_until 20 link_is vf$v down
		log "vf$v: link down seen after $((SECONDS - t)) s"
		check "vf$o link_state stays up" link_is vf$o up
		model_ok link $v up || fail "model control: link $v up"
		check "vf$v link_state up again" wait_until 20 link_is vf$v up
		now=$(vsctl get interface vf$v link_resets)
		check "vf$v link_resets counted down and up ($resets -> $now)" \
			test "$now" -ge $((resets + 2))
	done
	# a gratuitous-announce request: the PMD acknowledges it through the control
	# queue (from its interrupt thread, while OVS's PMD thread runs the rings)
	announce_acked()
	{
		[[ $(model_ctl status $1) == *" net_status=0x0001 "* ]]
	}
	for v in 0 1; do
		model_ok announce $v || fail "model control: announce $v"
		check "VF$v's announce acknowledged by the PMD" wait_until 10 announce_acked $v
		check "vf$v link_state still up after the announce" link_is vf$v up
	done
	# a device fault: the model sets DEVICE_NEEDS_RESET and raises the config
	# interrupt; the PMD reports RTE_ETH_EVENT_INTR_RESET, and OVS answers with
	# rte_eth_dev_reset() and sets the port up and starts it again
	vf_recovered()
	{
		local st s
		st=$(model_ctl status $1)
		s=${st#* status=}
		s=${s%% *}
		[[ $st == *" started=1 "* ]] && (((s & 0x40) == 0 && (s & 0x04) != 0))
	}
	# faults_logged_over N: the PMD logged more than N reset requests
	faults_logged_over()
	{
		(($(grep -c 'device needs reset' "$OVS_LOGDIR/ovs-vswitchd.log") > $1))
	}
	for v in 0 1; do
		before=$(ovs_stats vf$v)
		faults=$(grep -c 'device needs reset' "$OVS_LOGDIR/ovs-vswitchd.log")
		model_ok needs-reset $v || fail "model control: needs-reset $v"
		check "vf$v: the PMD reported the device's reset request" \
			wait_until 10 faults_logged_over "$faults"
		check "vf$v: OVS reset the device and started it again" wait_until 20 vf_recovered $v
		check "vf$v link_state up after the device reset" wait_until 20 link_is vf$v up
		now=$(ovs_stats vf$v)
		check "vf$v counters kept across the device reset ($before -> $now)" \
			test "$(field "$now" 1) $(field "$now" 2)" = \
			"$(field "$before" 1) $(field "$before" 2)"
	done
	traffic_round "round 3 (after link down/up and device resets)"
else
	log "link down/up: needs the model (mode mmr)"
fi

# --- unplug from OVS and plug again: close, detach, probe a second time ---

vsctl del-port br0 vf0 || fail "del-port vf0"
if [[ $mode == mmr ]]; then
	# the PMD closed the device: reset, MSI-X and DMA maps given back to the device
	vf_released()
	{
		local st
		st=$(model_ctl status 0)
		[[ $st == *" status=0x00 "* && $st == *" dma_maps=0 "* && $st == *" msix=0 "* ]]
	}
	check "the model's VF0 is reset and has no DMA maps or MSI-X left after del-port" \
		wait_until 10 vf_released
fi
add_vf 0 "$JUMBO_MTU"
ports_ok vf0
check "vf0 link_state up after it was plugged again" wait_until 20 link_is vf0 up
ring_flows
traffic_round "round 4 (vf0 plugged again)"

log "PASS ($mode)"
exit 0
