#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Prepares a Debian 12 machine for building and testing tmmr:
#  1. installs the Debian packages below that are missing;
#  2. puts the DPDK driver-SDK headers (which Debian's libdpdk-dev lacks) of the
#     installed DPDK into .sdk/include, taken from Debian's source package of the
#     same version, with a DPDK_VERSION stamp that the top meson.build checks.
# Safe to re-run; prints nothing when there is nothing to do.
# Users whose DPDK ships the SDK headers can skip step 2: meson setup -Ddriver_sdk=DIR.
set -euo pipefail

# The Debian packages the project needs, in one place. Add to the group that uses it.
pkgs_build=(gcc meson ninja-build pkg-config python3-pyelftools xz-utils git linux-libc-dev)
pkgs_dpdk=(libdpdk-dev dpdk dpdk-dev)
pkgs_unit_tests=(libcmocka-dev)
# the fuzz suite: clang with libFuzzer and its sanitizer runtimes (build-fuzz/), and
# llvm-symbolizer, without which UBSan cannot match fuzz/ubsan.supp by function name
pkgs_fuzz=(clang libclang-rt-14-dev llvm)
pkgs_e2e_tests=(qemu-system-x86 iproute2 busybox-static cpio openvswitch-switch-dpdk procps binutils
	socat tcpdump)
# devtools/bench/backend-perf.sh samples the vhost backend with perf
pkgs_bench=(gnuplot-nox strace valgrind linux-perf)
# devtools/soak.sh reads the relay's mempool with gdb
pkgs_soak=(gdb)
# app/test-tmmr/qemu/build-qemu.sh: Debian's QEMU source with our patch (suite vfio)
pkgs_qemu_fixture=(dpkg-dev libglib2.0-dev libpixman-1-dev libcap-ng-dev libattr1-dev)
# the doc suite (man pages by rst2man, guides by Sphinx) and the pkg suite (the Debian
# packages built by dpkg-buildpackage, which wants build-essential, and linted)
pkgs_docs=(python3-docutils python3-sphinx)
pkgs_packaging=(build-essential debhelper lintian)
packages=("${pkgs_build[@]}" "${pkgs_dpdk[@]}" "${pkgs_unit_tests[@]}" "${pkgs_fuzz[@]}"
	"${pkgs_e2e_tests[@]}" "${pkgs_bench[@]}" "${pkgs_soak[@]}"
	"${pkgs_qemu_fixture[@]}" "${pkgs_docs[@]}" "${pkgs_packaging[@]}")

# where the driver-SDK headers live in the DPDK source tree
sdk_headers=(
	lib/ethdev/ethdev_driver.h
	lib/ethdev/ethdev_pci.h
	lib/ethdev/ethdev_vdev.h
	drivers/bus/pci/bus_pci_driver.h
	drivers/bus/vdev/bus_vdev_driver.h
	lib/eal/include/bus_driver.h
	lib/eal/include/dev_driver.h
	lib/vhost/vdpa_driver.h
)

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sdk=$top/.sdk

say()
{
	echo "setup: $*" >&2
}

die()
{
	echo "setup: error: $*" >&2
	exit 1
}

# runs a command, keeping its output in a log shown only when it fails
quietly()
{
	local log
	log=$(mktemp "${TMPDIR:-/tmp}/tmmr-setup.XXXXXX")
	if ! "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

install_packages()
{
	local missing=() p status sudo=()

	for p in "${packages[@]}"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[[ $status == ii* ]] || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0

	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null ||
			die "missing packages: ${missing[*]}; run this script as root, or install them"
		sudo=(sudo)
	fi
	say "installing ${missing[*]}"
	# no questions (sudo would drop an exported variable); wait for another apt/dpkg
	# run rather than failing on its lock
	local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
		apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	quietly "${apt[@]}" update || die "apt-get update failed (network or apt sources?)"
	quietly "${apt[@]}" install --no-install-recommends "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed"
}

sdk_complete()
{
	local want=$1 h

	[[ -f $sdk/include/DPDK_VERSION ]] || return 1
	[[ $(<"$sdk/include/DPDK_VERSION") == "$want" ]] || return 1
	for h in "${sdk_headers[@]}"; do
		[[ -f $sdk/include/${h##*/} ]] || return 1
	done
}

fetch_sdk_headers()
{
	local upstream src_pkg src_ver

	upstream=$(pkg-config --modversion libdpdk) ||
		die "pkg-config does not find libdpdk: install libdpdk-dev"
	sdk_complete "$upstream" && return 0

	read -r src_pkg src_ver < <(dpkg-query -W -f='${source:Package} ${source:Version}\n' \
		libdpdk-dev) || die "libdpdk-dev is not installed"
	local plain=${src_ver#*:}
	[[ ${plain%-*} == "$upstream" ]] ||
		die "libdpdk-dev $src_ver does not match pkg-config's DPDK $upstream;" \
			"reinstall libdpdk-dev, or pass -Ddriver_sdk=DIR to meson"
	say "fetching DPDK $upstream driver-SDK headers from Debian source $src_pkg $src_ver"

	# a private apt configuration: the system's apt state is neither read nor touched
	local aptdir=$sdk/apt
	rm -rf "$aptdir"
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts" \
		"$aptdir/src"
	# deb-src twins of this machine's own Debian entries: a local mirror stays the mirror
	"$top/devtools/apt-sources.sh" --src >"$aptdir/sources.list" ||
		die "cannot derive deb-src entries from this machine's apt sources"
	local apt=(apt-get -q -o Dir::State::Lists="$aptdir/lists"
		-o Dir::Etc::SourceList="$aptdir/sources.list"
		-o Dir::Etc::SourceParts="$aptdir/parts"
		-o Dir::Cache="$aptdir/cache")
	# the unprivileged _apt user may not reach a private directory under /root or /work
	[[ $(id -u) -eq 0 ]] && apt+=(-o APT::Sandbox::User=root)

	quietly "${apt[@]}" update ||
		die "cannot fetch the Debian source index (network?); or pass -Ddriver_sdk=DIR"
	(cd "$aptdir/src" && quietly "${apt[@]}" source --download-only "$src_pkg=$src_ver") ||
		die "cannot download Debian source $src_pkg=$src_ver (is that version still in" \
			"bookworm? upgrade libdpdk-dev to the archive's version); or pass -Ddriver_sdk=DIR"

	local tarball top_dir members=() h
	tarball=$(compgen -G "$aptdir/src/${src_pkg}_*.orig.tar.*" | head -n 1) ||
		die "no upstream tarball in the downloaded $src_pkg source"
	top_dir=$(tar -tf "$tarball" | awk -F/ 'NR == 1 { print $1 }')
	for h in "${sdk_headers[@]}"; do
		members+=("$top_dir/$h")
	done
	tar -xf "$tarball" -C "$aptdir/src" "${members[@]}" ||
		die "the $src_pkg source lacks some driver-SDK headers: ${sdk_headers[*]}"

	rm -rf "$sdk/include"
	mkdir -p "$sdk/include"
	for h in "${sdk_headers[@]}"; do
		cp "$aptdir/src/$top_dir/$h" "$sdk/include/"
	done
	echo "$upstream" >"$sdk/include/DPDK_VERSION"
	# the headers are all that is kept
	rm -rf "$aptdir"
}

install_packages
fetch_sdk_headers
