#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Runs a command of this checkout in a brand-new Debian root, so that a step that only
# works because this machine already has something installed fails here, as it would
# for a new user. By default the command is README's test command.
#
# usage: fresh-root.sh [--keep] [--] [COMMAND [ARG...]]
#   COMMAND   run inside the root, from the copy of the checkout (default:
#             devtools/run-tests.sh)
#   --keep    leave the root in place afterwards (its path is printed)
#
# The root is `debootstrap --variant=minbase` of this machine's Debian release, from the
# mirror this machine's apt sources name, with those Debian entries as its apt sources.
# It is built once a day and kept as a tarball in $TMMR_CACHE_DIR/fresh-root
# (default /var/cache/tmmr). The checkout's tracked and untracked, not ignored files
# are copied in with its git history (uncommitted changes stay uncommitted), without
# build directories or .sdk/. Inside a private mount namespace the root gets /proc,
# /sys and /dev (with /dev/shm) of this machine, the host's DNS settings and
# $TMMR_CACHE_DIR at the same path, whose apt-archives/ is the root's package cache:
# downloads are cached, installs are not. /etc/tmmr-fresh-root marks the root as
# throwaway: tests that install packages into / run only there. Every process still
# running in the root when the command ends is killed, and the root is deleted.
# Needs root. The exit status is the command's.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${TMMR_CACHE_DIR:-/var/cache/tmmr}
keep=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--keep) keep=1; shift ;;
	--) shift; break ;;
	-*) echo "usage: fresh-root.sh [--keep] [--] [COMMAND [ARG...]]" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || set -- devtools/run-tests.sh

say()
{
	echo "fresh-root: $*" >&2
}

die()
{
	say "error: $*"
	exit 1
}

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot, mounts)"

# the host tools this script needs (not the project's: those are setup.sh's job)
host_tools()
{
	local missing=() p
	for p in debootstrap zstd; do
		command -v "$p" >/dev/null || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	say "installing ${missing[*]} on this machine"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 update \
		>/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 \
		install --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		die "cannot install ${missing[*]}"
}

# prints the path of today's root tarball, building it when missing
root_tarball()
{
	local sources codename mirror key tarball tmp
	sources=$("$top/devtools/apt-sources.sh") || die "no Debian apt sources on this machine"
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	mirror=$(awk -v s="$codename" '$3 == s { print $2; exit }' <<<"$sources")
	[[ -n $mirror ]] || die "no apt entry for suite $codename to bootstrap from"
	# a new root every day (package versions move), and when the sources change
	key=$(printf '%s\n%s\n' "$sources" "$(date -u +%Y%m%d)" | sha256sum | cut -c1-16)
	tarball=$cache/fresh-root/$codename-minbase-$(date -u +%Y%m%d)-$key.tar.zst
	if [[ ! -f $tarball ]]; then
		mkdir -p "$cache/fresh-root"
		# older roots are of no more use
		find "$cache/fresh-root" -name "$codename-minbase-*.tar.zst" -delete
		tmp=$(mktemp -d "$cache/fresh-root/build.XXXXXX")
		say "debootstrap --variant=minbase $codename from $mirror"
		if ! debootstrap --variant=minbase "$codename" "$tmp" "$mirror" \
			>"$tmp.log" 2>&1; then
			tail -n 20 "$tmp.log" >&2
			rm -rf "$tmp" "$tmp.log"
			die "debootstrap failed"
		fi
		rm -f "$tmp.log"
		printf '%s\n' "$sources" >"$tmp/etc/apt/sources.list"
		# a root is not a booted machine: packages must not start their services
		printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
		chmod 0755 "$tmp/usr/sbin/policy-rc.d"
		# a root that lives for one run needs no crash safety: dpkg skips its fsyncs
		echo force-unsafe-io >"$tmp/etc/dpkg/dpkg.cfg.d/tmmr-unsafe-io"
		chmod 0755 "$tmp"
		tar -C "$tmp" --zstd -cf "$tarball.tmp" . || die "cannot write $tarball"
		mv "$tarball.tmp" "$tarball"
		rm -rf "$tmp"
	fi
	echo "$tarball"
}

# copy_checkout DEST: the working tree's files git tracks or would track, and its history
copy_checkout()
{
	local dest=$1 head
	mkdir -p "$dest"
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -C "$dest" -xf -
	head=$(git -C "$top" rev-parse HEAD)
	git clone -q --bare --no-local "$top" "$dest/.git"
	git --git-dir="$dest/.git" config core.bare false
	git --git-dir="$dest/.git" --work-tree="$dest" update-ref --no-deref HEAD "$head"
	git --git-dir="$dest/.git" --work-tree="$dest" reset -q --mixed
}

# kills every process whose root directory is under $1 (what the command left running)
kill_inside()
{
	local root=$1 pid link round
	for round in TERM KILL; do
		for link in /proc/[0-9]*/root; do
			pid=${link#/proc/}
			pid=${pid%/root}
			[[ $(readlink "$link" 2>/dev/null) == "$root"* ]] || continue
			kill -s "$round" "$pid" 2>/dev/null || true
		done
		if [[ $round == TERM ]]; then
			sleep 2
		fi
	done
}

host_tools
tarball=$(root_tarball)
mkdir -p "$cache/apt-archives/partial"
root=$(mktemp -d /var/tmp/tmmr-fresh-root.XXXXXX)
chmod 0755 "$root"
cleanup()
{
	kill_inside "$root"
	if [[ $keep -eq 1 ]]; then
		say "root kept in $root"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT

tar -C "$root" --zstd -xf "$tarball"
# tests that install into / (suite pkg) run only where this marker says the root is throwaway
echo "made by devtools/fresh-root.sh; deleted after the command" > "$root/etc/tmmr-fresh-root"
copy_checkout "$root/src/tmmr"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp /etc/hosts "$root/etc/hosts"
say "running '$*' in a new $(. "$root/etc/os-release" && echo "$PRETTY_NAME") root ($root)"

# The mounts live in a mount namespace of their own: they vanish with it, whatever happens.
env_vars=(HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	TMMR_CACHE_DIR="$cache")
for v in CI TMMR_TEST_JOBS TMMR_BUILD_DIR TMMR_TESTS_STRICT; do
	[[ -n ${!v:-} ]] && env_vars+=("$v=${!v}")
done
set +e
unshare --mount --propagation private -- /bin/bash -euc '
root=$1 cache=$2
shift 2
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mkdir -p "$root$cache" "$root/var/cache/apt/archives"
mount --bind "$cache" "$root$cache"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mkdir -m 1777 "$root/run/lock"
exec chroot "$root" /usr/bin/env -i "$@"
' fresh-root "$root" "$cache" "${env_vars[@]}" /bin/bash -c 'cd /src/tmmr && exec "$@"' \
	command "$@" </dev/null
status=$?
set -e
exit $status
