# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The "profile" section of devtools/bench.sh: where the tmmr PMD's forwarding
# loop spends its instructions. Hardware counters (perf stat -e instructions)
# are not available in this machine's VM, so the measured testpmd runs under
# valgrind's callgrind, collecting only inside the PMD's burst functions
# (tmmr_recv_pkts, tmmr_xmit_pkts and what they call), while the same backend
# as in the fwd section feeds it 64-byte packets. The report (inclusive and
# self instruction counts per function, per forwarded packet) goes to
# $results/profile.txt; the raw callgrind file stays beside it.

PROFILE_SECONDS=${PROFILE_SECONDS:-20}

profile_section()
{
	local out=$results/callgrind.out wrapper pkts bursts

	if ((!have_pmd)); then
		note "SKIP profile: the PMD or the model is not built"
		return
	fi
	if ! command -v valgrind > /dev/null; then
		note "SKIP profile: valgrind not installed"
		return
	fi
	bench_begin profile
	wrapper=$WORK/testpmd-callgrind
	printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%q %s %q "$@"\n' \
		"$out" "--collect-atstart=no --toggle-collect=tmmr_recv_pkts \
--toggle-collect=tmmr_xmit_pkts --dump-instr=no" "$TESTPMD" > "$wrapper"
	chmod +x "$wrapper"
	fwd_start_backend "$WORK/vh-0" 64
	vfemu_start --vfs 1
	E2E_TP_MEM=512 TESTPMD=$wrapper tp_start dut "$E2E_CPU_PMD" \
		"SYSFS_PCI_DEVICES=$VFEMU_SYSFS" -d "$PMD_ARG" -a "${VF_BDFS[0]}" -- $(fwd_app_args 64)
	tp_wait_links dut 60 0
	tp_wait_links be 20 0
	tp_run dut 30 'packets/burst' start > /dev/null || fail "profiled side did not start"
	tp_run be 10 'packets/burst' "start tx_first $BENCH_POP" > /dev/null
	sleep "$PROFILE_SECONDS"
	tp_fwd_stop be > "$WORK/be.stop"
	tp_run dut 60 'Done.' stop > "$WORK/dut.stop" || true
	pkts=$(awk '/Accumulated forward/ { f = 1 } f && $1 == "RX-packets:" { print $2; exit }' \
		"$WORK/dut.stop")
	bursts=$(grep -m1 'RX-bursts' "$WORK/dut.stop" | sed 's/^ *//')
	bench_end
	[[ -s $out ]] || { note "profile: no callgrind output"; return; }
	{
		echo "callgrind of the tmmr PMD's rx/tx burst functions, ${pkts:-?} packets forwarded"
		echo "(instruction counts Ir; divide by the packets for Ir/packet)"
		echo "${bursts:-}"
		callgrind_annotate --inclusive=yes "$out" 2> /dev/null | sed -n '/PROGRAM TOTALS/,$p' |
			head -n 40 || true
		echo
		echo "self cost:"
		callgrind_annotate "$out" 2> /dev/null | sed -n '/file:function/,$p' | head -n 30 || true
	} > "$results/profile.txt"
	note ""
	note "== profile: tmmr PMD burst functions under callgrind ($PROFILE_SECONDS s) =="
	note "packets forwarded: ${pkts:-?}; Ir per packet:" \
		"$(awk -v p="${pkts:-0}" '/PROGRAM TOTALS/ { gsub(",", "", $1);
			if (p > 0) printf "%.0f", $1 / p; exit }' "$results/profile.txt")"
	note "report: $results/profile.txt"
}
