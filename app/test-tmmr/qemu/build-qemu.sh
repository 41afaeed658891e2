#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Builds qemu-system-x86_64 from Debian's QEMU source of the installed qemu-system-x86 version
# with tmmr's x-mmr patch (mmr-virtio-net.patch next to this script) and prints the binary's
# path. The result is cached outside the checkout in
#   ${TMMR_CACHE_DIR:-/var/cache/tmmr}/qemu-<key>/qemu-system-x86_64
# where <key> hashes the patch, the QEMU source version and the configure line: a second run
# only prints the path. Concurrent runs are serialised by flock on the cache directory; the
# source and build trees are deleted afterwards.
#
# Options: --source-only DIR  fetch, patch and unpack the source into DIR, do not build
#          (for working on the patch);
#          --print-path  print where the binary is cached (built or not) and exit.
# Needs: apt-get (deb-src of the machine's own Debian suites, in a private apt directory),
#        dpkg-source, patch, the build dependencies listed in doc/guides/prog_guide/developer.rst.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
patch_file=$here/mmr-virtio-net.patch
cache=${TMMR_CACHE_DIR:-/var/cache/tmmr}
configure_args=(--target-list=x86_64-softmmu --without-default-features --enable-tcg
	--enable-virtfs --enable-attr --enable-cap-ng --disable-docs)
source_only=
print_path=

say()
{
	echo "build-qemu: $*" >&2
}

die()
{
	echo "build-qemu: error: $*" >&2
	exit 1
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--source-only) source_only=$2; shift 2 ;;
	--print-path) print_path=1; shift ;;
	*) die "unknown option $1" ;;
	esac
done

# runs a command, keeping its output in a log shown only when it fails
quietly()
{
	local log
	log=$(mktemp "${TMPDIR:-/tmp}/tmmr-qemu.XXXXXX")
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}

# the machine's own Debian sources as deb-src lines
deb_src_lines()
{
	"$here/../../../devtools/apt-sources.sh" --src
}

# unpacks Debian's QEMU source (with Debian's patches) into $1/<dir> and prints <dir>'s path
fetch_source()
{
	local work=$1 src_pkg=$2 src_ver=$3
	local aptdir=$work/apt
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/parts" \
		"$work/src"
	deb_src_lines | sort -u >"$aptdir/sources.list"
	[[ -s $aptdir/sources.list ]] || die "no Debian sources in /etc/apt to derive deb-src from"
	local apt=(apt-get -q -o Dir::State::Lists="$aptdir/lists"
		-o Dir::Etc::SourceList="$aptdir/sources.list"
		-o Dir::Etc::SourceParts="$aptdir/parts"
		-o Dir::Cache="$aptdir/cache")
	# the unprivileged _apt user may not reach a private directory under /root or /work
	[[ $(id -u) -eq 0 ]] && apt+=(-o APT::Sandbox::User=root)
	quietly "${apt[@]}" update || die "cannot fetch the Debian source index (network?)"
	(cd "$work/src" && quietly "${apt[@]}" source --download-only "$src_pkg=$src_ver") ||
		die "cannot download Debian source $src_pkg=$src_ver"
	local dsc
	dsc=$(compgen -G "$work/src/${src_pkg}_*.dsc" | head -n 1) ||
		die "no .dsc in the downloaded $src_pkg source"
	quietly dpkg-source --no-check -x "$dsc" "$work/src/qemu" ||
		die "dpkg-source cannot unpack $dsc"
	rm -rf "$aptdir" "$work"/src/*.tar.* "$work"/src/*.dsc
	echo "$work/src/qemu"
}

read -r src_pkg src_ver < <(dpkg-query -W -f='${source:Package} ${source:Version}\n' \
	qemu-system-x86) || die "qemu-system-x86 is not installed"
[[ -f $patch_file ]] || die "missing $patch_file"

if [[ -n $source_only ]]; then
	mkdir -p "$source_only"
	dir=$(fetch_source "$source_only" "$src_pkg" "$src_ver")
	(cd "$dir" && patch -p1 --quiet <"$patch_file") || die "the patch does not apply"
	echo "$dir"
	exit 0
fi

key=$( { sha256sum <"$patch_file"; echo "$src_pkg $src_ver"; echo "${configure_args[*]}"; } |
	sha256sum | cut -c1-16)
out=$cache/qemu-$key
bin=$out/qemu-system-x86_64
if [[ -n $print_path ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache" || die "cannot create $cache (set TMMR_CACHE_DIR)"
exec 9>"$cache/qemu.lock"
flock 9
if [[ -x $bin ]]; then
	echo "$bin"
	exit 0
fi

work=$(mktemp -d "$cache/qemu-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
say "building QEMU $src_ver with $(basename "$patch_file") (key $key), a few minutes"
dir=$(fetch_source "$work" "$src_pkg" "$src_ver")
(cd "$dir" && quietly patch -p1 <"$patch_file") || die "the patch does not apply to $src_ver"
mkdir -p "$dir/build"
(cd "$dir/build" && quietly ../configure "${configure_args[@]}") || die "configure failed"
quietly ninja -C "$dir/build" -j"$(nproc)" qemu-system-x86_64 || die "the build failed"
mkdir -p "$out.tmp"
install -m 0755 "$dir/build/qemu-system-x86_64" "$out.tmp/qemu-system-x86_64"
echo "$src_pkg $src_ver" >"$out.tmp/VERSION"
rm -rf "$out"
mv "$out.tmp" "$out"
say "built in $((SECONDS - start)) s: $bin"
echo "$bin"
