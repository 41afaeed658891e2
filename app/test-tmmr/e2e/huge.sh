# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# 2 MiB hugepages for one e2e test, sourced after lib.sh (needs its log, skip
# and fail). huge_reserve N adds N pages to the kernel's pool and mounts a
# private hugetlbfs of exactly N pages at $HUGE_DIR (DPDK: --huge-dir); the
# EXIT path (huge_release, run from e2e_on_exit once every process is gone,
# also after a failure) unmounts it and takes the N pages back.
#
# Other tests may do the same at the same time: each adds and subtracts its
# own count relative to the current value, under one lock file shared by
# every tmmr test (HUGE_LOCK), so none undoes another's share, and a test
# only goes on when the kernel really granted its pages (it skips, saying
# so, when memory is too fragmented or it is not root).

HUGE_LOCK=${HUGE_LOCK:-/run/lock/tmmr-hugepages.lock}
HUGE_NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_DIR=
huge_added=0

# huge_locked CMD...: CMD with the pool lock held
huge_locked()
{
	local lk rc

	exec {lk}>> "$HUGE_LOCK" || return 1
	if ! flock -w 30 "$lk"; then
		exec {lk}>&-
		return 1
	fi
	"$@"
	rc=$?
	exec {lk}>&-
	return "$rc"
}

# huge_grow N: add N pages; keeps what was granted in huge_added, or nothing
huge_grow()
{
	local n=$1 before after

	before=$(< "$HUGE_NR")
	echo $((before + n)) > "$HUGE_NR" 2> /dev/null || true
	after=$(< "$HUGE_NR")
	if ((after - before < n)); then
		# partly granted: give back what came, the test cannot run
		((after > before)) && huge_shrink $((after - before))
		log "hugepages: the kernel granted $((after - before)) of $n (pool $before)"
		return 1
	fi
	huge_added=$n
	log "hugepages: pool $before -> $after"
}

# huge_shrink N: take N pages back (never below 0)
huge_shrink()
{
	local cur

	cur=$(< "$HUGE_NR")
	echo $((cur - $1 < 0 ? 0 : cur - $1)) > "$HUGE_NR"
}

# huge_reserve N: N pages and a private hugetlbfs of them at $HUGE_DIR
huge_reserve()
{
	local n=$1

	[[ $(id -u) == 0 ]] || skip "reserving hugepages needs root"
	[[ -w $HUGE_NR ]] || skip "no writable $HUGE_NR (2 MiB hugepages)"
	# a fresh /run (a container's) may have no lock directory yet
	mkdir -p "${HUGE_LOCK%/*}" && : >> "$HUGE_LOCK" ||
		fail "cannot create the hugepage pool's lock file $HUGE_LOCK"
	huge_locked huge_grow "$n" || skip "the kernel did not grant $n hugepages of 2 MiB"
	# next to $WORK, not in it: lib.sh removes $WORK before e2e_on_exit runs
	HUGE_DIR=$(mktemp -d "$WORK.huge.XXXXXX")
	mount -t hugetlbfs -o "pagesize=2M,size=$((2 * n))M,mode=0700" nodev "$HUGE_DIR" ||
		fail "cannot mount hugetlbfs at $HUGE_DIR"
	log "hugepages: $n pages of 2 MiB at $HUGE_DIR"
}

# huge_release: unmount and give the pages back (idempotent)
huge_release()
{
	if [[ -n $HUGE_DIR ]]; then
		if mountpoint -q "$HUGE_DIR"; then
			umount "$HUGE_DIR" 2> /dev/null || umount -l "$HUGE_DIR"
		fi
		rmdir "$HUGE_DIR" 2> /dev/null || true
		HUGE_DIR=
	fi
	if ((huge_added > 0)); then
		if huge_locked huge_shrink "$huge_added"; then
			log "hugepages: $huge_added given back (pool $(< "$HUGE_NR"))"
		else
			log "WARNING: $huge_added hugepages not given back"
		fi
		huge_added=0
	fi
}
