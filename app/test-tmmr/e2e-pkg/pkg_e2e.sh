#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The Debian packages end to end. It installs into /, so it runs only in a throwaway
# root made by devtools/fresh-root.sh (which leaves /etc/tmmr-fresh-root there) and
# skips anywhere else:
#  1. a copy of the tree (the tracked files as they are in the working tree: HEAD plus
#     uncommitted changes, and the driver-SDK headers of .sdk/include) is built with
#     dpkg-buildpackage -b -us -uc, from what is installed (no network);
#  2. lintian --fail-on error,warning on the .changes;
#  3. a list of the files of / is taken, then dpkg -i of every package built;
#  4. e2e/fwd.sh --system: Debian's dpdk-testpmd forwards over two VFs of the installed
#     tmmr-vfemu, its EAL given no -d (the PMD comes from its plugin directory);
#  5. e2e-ovs/ovs_e2e.sh --system: Debian's OVS-DPDK adds the VFs as ports, no -d in
#     dpdk-extra;
#  6. dpkg --purge of every package: / must hold the same files as before 3 (except
#     where processes keep their state: /var/lib/dpkg, /var/log, /tmp, /var/tmp,
#     /proc, /sys, /dev, /run, the apt and tmmr caches, this checkout, and man-db's
#     index /var/cache/man, which its trigger rebuilds, with a CACHEDIR.TAG per
#     language, when any package brings or takes man pages).
#
# usage: pkg_e2e.sh --build BUILD_DIR       (exit 0 pass, 1 fail, 77 skip)
# Environment: PKG_E2E_KEEP=1 keeps the work directory.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
build=
while (($#)); do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	*) echo "usage: $0 --build BUILD_DIR" >&2; exit 2 ;;
	esac
done
[[ -n $build ]] || { echo "usage: $0 --build BUILD_DIR" >&2; exit 2; }

MARKER=/etc/tmmr-fresh-root
TESTPMD=/usr/bin/dpdk-testpmd
OVS_VSWITCHD_DPDK=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
BUILD_TIMEOUT=${PKG_E2E_BUILD_TIMEOUT:-1200}
installed=()		# the packages this run installed, purged by the cleanup if still there

# log, fail, skip, check (not the rest: no e2e_init, this script has its own cleanup)
# shellcheck source=../e2e/lib.sh
source "$top/app/test-tmmr/e2e/lib.sh"

# --- preconditions ---

((EUID == 0)) || skip "needs root: it installs and purges the packages"
[[ -f $MARKER ]] || skip "installs packages into /: runs only in a throwaway root; run it" \
	"under devtools/fresh-root.sh, e.g. devtools/fresh-root.sh -- bash -c" \
	"'devtools/setup.sh && meson setup build && meson test -C build --suite pkg'"
# devtools/setup.sh installs them; a test does not install what setup.sh forgot
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
	sphinx-build:python3-sphinx rst2man:python3-docutils git:git; do
	command -v "${tool%%:*}" > /dev/null ||
		skip "no ${tool%%:*} (Debian package ${tool#*:}): run devtools/setup.sh"
done
[[ -x $TESTPMD ]] || skip "no $TESTPMD (Debian package dpdk): run devtools/setup.sh"
[[ -x $OVS_VSWITCHD_DPDK ]] ||
	skip "no $OVS_VSWITCHD_DPDK (openvswitch-switch-dpdk): run devtools/setup.sh"
git -C "$top" rev-parse --git-dir > /dev/null 2>&1 || skip "$top is not a git checkout"

mapfile -t packages < <(cd "$top" && dh_listpackages 2> /dev/null)
((${#packages[@]} > 0)) || fail "debian/control names no packages"
for p in "${packages[@]}"; do
	if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2> /dev/null | grep -q '^[ih]'; then
		fail "$p is already installed here: this run could not tell what it leaves behind"
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-pkg-e2e.XXXXXX")
cleanup()
{
	local rc=$?

	set +e
	trap - EXIT INT TERM
	if ((${#installed[@]})); then
		log "purging ${installed[*]} after a failure"
		dpkg --purge "${installed[@]}" > "$WORK/purge-cleanup.log" 2>&1 ||
			cat "$WORK/purge-cleanup.log"
	fi
	if ((rc != 0 && rc != 77)) || [[ -n ${PKG_E2E_KEEP:-} ]]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "work directory $WORK"

# --- 1. the package, from a copy of the tree ---

src=$WORK/src/tmmr
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached |
	xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -C "$src" -xf -
if [[ -d $top/.sdk/include ]]; then
	mkdir -p "$src/.sdk"
	cp -r "$top/.sdk/include" "$src/.sdk/"
fi
log "a copy of the tree in $src ($(git -C "$top" rev-parse --short HEAD)" \
	"$(git -C "$top" status --porcelain --untracked-files=no | wc -l) changed files)"

deb_version=$(cd "$src" && dpkg-parsechangelog -S Version)
meson_version=$(meson introspect --projectinfo "$build" |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
check "debian/changelog's version $deb_version is the project's ($meson_version)" \
	test "$deb_version" = "$meson_version"

log "dpkg-buildpackage -b -us -uc"
if ! (cd "$src" && timeout -k 10 "$BUILD_TIMEOUT" nice -n 10 \
	dpkg-buildpackage -b -us -uc -j"${TMMR_TEST_JOBS:-2}") > "$WORK/build.log" 2>&1; then
	tail -n 40 "$WORK/build.log"
	fail "dpkg-buildpackage (log: $WORK/build.log)"
fi
changes=$(compgen -G "$WORK/src/tmmr_${deb_version}_*.changes" | head -n 1) ||
	fail "no .changes file"
mapfile -t debs < <(compgen -G "$WORK/src/*_${deb_version}_*.deb" | sort)
log "built: $(for d in "${debs[@]}"; do printf '%s ' "$(basename "$d")"; done)"
for p in "${packages[@]}"; do
	check "$p was built" compgen -G "$WORK/src/${p}_${deb_version}_*.deb" > /dev/null
done

# --- 2. lintian ---

log "lintian --fail-on error,warning $(basename "$changes")"
if ! timeout -k 10 600 lintian --fail-on error,warning --info "$changes" \
	> "$WORK/lintian.log" 2>&1; then
	cat "$WORK/lintian.log"
	fail "lintian"
fi
grep -v 'running with root privileges' "$WORK/lintian.log" || true
log "ok: lintian: no error, no warning"

# --- 3. install ---

# snapshot FILE: every path of / with its type, but where processes keep their state
snapshot()
{
	local cache=${TMMR_CACHE_DIR:-/var/cache/tmmr}

	find / \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /var/tmp -o -path /var/lib/dpkg -o -path /var/log \
		-o -path /var/cache/apt -o -path /var/cache/man -o -path "$cache" -o -path "$top" \
		-o -path "$build" \
		-o -path "$WORK" \) -prune -o -printf '%y %p\n' 2> /dev/null | LC_ALL=C sort > "$1"
}
snapshot "$WORK/before.list"
log "$(wc -l < "$WORK/before.list") paths before the install"

mapfile -t names < <(for d in "${debs[@]}"; do dpkg-deb -f "$d" Package; done)
installed=("${names[@]}")
log "dpkg -i ${names[*]}"
if ! dpkg -i "${debs[@]}" > "$WORK/install.log" 2>&1; then
	cat "$WORK/install.log"
	fail "dpkg -i"
fi

plugin_dir=$("$top/devtools/dpdk-plugin-dir.py" "$(pkg-config --variable=libdir libdpdk)") ||
	fail "no plugin directory of the installed DPDK"
check "librte-net-virtio-tmmr put the PMD in DPDK's plugin directory $plugin_dir" \
	grep -qx "$plugin_dir/librte_net_virtio_tmmr.so" < <(dpkg -L librte-net-virtio-tmmr)
for prog in tmmr-vfemu tmmr_relay; do
	check "$prog is in /usr/bin" test -x "/usr/bin/$prog"
	check "its man page is in /usr/share/man/man1" test -s "/usr/share/man/man1/$prog.1.gz"
	check "$prog --help exits 0" eval "/usr/bin/$prog --help > /dev/null 2>&1"
done
check "the guides are in /usr/share/doc/tmmr-doc/html" \
	test -s /usr/share/doc/tmmr-doc/html/nics/virtio_tmmr.html
check "their JavaScript links resolve (libjs-sphinxdoc)" \
	test -n "$(readlink -e /usr/share/doc/tmmr-doc/html/_static/doctools.js)"

# --- 4. and 5. Debian's testpmd and OVS-DPDK, no -d ---

log "e2e/fwd.sh --system: testpmd forwards over two VFs of the installed model"
if ! timeout -k 10 300 bash "$top/app/test-tmmr/e2e/fwd.sh" --mode mmr --scenario burst \
	--system --build "$build" > "$WORK/fwd.log" 2>&1; then
	cat "$WORK/fwd.log"
	fail "testpmd with the installed packages"
fi
grep -E 'ok: (the|forwarder|VF0 received|backend port 0 sent)' "$WORK/fwd.log" || true
log "ok: testpmd forwarded with the installed PMD, no -d"

log "e2e-ovs/ovs_e2e.sh --system: OVS-DPDK adds the VFs of the installed model"
if ! timeout -k 10 400 bash "$top/app/test-tmmr/e2e-ovs/ovs_e2e.sh" --mode mmr --system \
	--build "$build" > "$WORK/ovs.log" 2>&1; then
	cat "$WORK/ovs.log"
	fail "OVS-DPDK with the installed packages"
fi
grep -E "ok: (OVS's EAL was given no -d|ovs-vswitchd loaded|vf[01] is driven)" "$WORK/ovs.log" ||
	true
log "ok: OVS-DPDK drove the VFs with the installed PMD, no -d in dpdk-extra"

# --- 6. purge: nothing left behind ---

log "dpkg --purge ${names[*]}"
if ! dpkg --purge "${names[@]}" > "$WORK/purge.log" 2>&1; then
	cat "$WORK/purge.log"
	fail "dpkg --purge"
fi
installed=()
for p in "${names[@]}"; do
	check "$p is gone from dpkg's database" \
		eval "! dpkg-query -W -f='\${db:Status-Abbrev}' $p 2> /dev/null | grep -q '^[a-z]i'"
done
snapshot "$WORK/after.list"
if ! diff -u "$WORK/before.list" "$WORK/after.list" > "$WORK/left.diff"; then
	cat "$WORK/left.diff"
	fail "/ after the purge differs from / before the install"
fi
log "ok: $(wc -l < "$WORK/after.list") paths after the purge, the same as before"
log "PASS"
