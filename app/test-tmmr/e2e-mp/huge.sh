# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Hugepages for one test, sourced after lib.sh: huge_reserve N raises the
# system's count of 2 MB pages by N and mounts a private hugetlbfs of exactly
# N pages at $HUGE_DIR (pass it to DPDK with --huge-dir); huge_release (from
# e2e_on_exit, once every process is gone) unmounts it and lowers the count
# by the N it added. Tests doing the same at once add and take back their own
# share under one lock, so none undoes another's.
# DPDK secondary processes need hugepages: with --no-huge the primary shares
# no memory (a secondary fails with "Cannot get hugepage information").

HUGE_LOCK=${HUGE_LOCK:-/run/lock/tmmr-hugepages.lock}
HUGE_NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_DIR=
huge_added=0

# huge_adjust DELTA: add DELTA (may be negative) pages under the lock; prints the new count
huge_adjust()
{
	local lk cur

	exec {lk}>> "$HUGE_LOCK"
	flock -w 30 "$lk" || { exec {lk}>&-; return 1; }
	cur=$(cat "$HUGE_NR")
	echo $((cur + $1 < 0 ? 0 : cur + $1)) > "$HUGE_NR" 2> /dev/null
	cat "$HUGE_NR"
	exec {lk}>&-
}

# huge_reserve N: N pages and a private mount of them (skips when impossible)
huge_reserve()
{
	local n=$1 before after lk

	[[ $(id -u) == 0 ]] || skip "hugepages need root"
	[[ -w $HUGE_NR ]] || skip "no 2 MB hugepages ($HUGE_NR)"
	exec {lk}>> "$HUGE_LOCK"
	flock -w 30 "$lk" || fail "hugepage lock $HUGE_LOCK"
	before=$(cat "$HUGE_NR")
	echo $((before + n)) > "$HUGE_NR" || true
	after=$(cat "$HUGE_NR")
	if ((after < before + n)); then
		echo "$before" > "$HUGE_NR"
		exec {lk}>&-
		skip "the kernel gave $((after - before)) of $n hugepages"
	fi
	huge_added=$n
	exec {lk}>&-
	# not under $WORK: the cleanup removes $WORK before the mount goes
	HUGE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-huge.XXXXXX")
	mount -t hugetlbfs -o "pagesize=2M,size=$((2 * n))M" nodev "$HUGE_DIR" ||
		fail "cannot mount hugetlbfs at $HUGE_DIR"
	log "hugepages: $n of 2 MB at $HUGE_DIR (system count $before -> $after)"
}

huge_release()
{
	if [[ -n $HUGE_DIR ]] && mountpoint -q "$HUGE_DIR"; then
		umount "$HUGE_DIR" 2> /dev/null || umount -l "$HUGE_DIR"
	fi
	if [[ -n $HUGE_DIR ]]; then
		rmdir "$HUGE_DIR" 2> /dev/null || true
	fi
	if ((huge_added)); then
		huge_adjust "-$huge_added" > /dev/null || log "WARNING: $huge_added hugepages not given back"
		huge_added=0
	fi
}
