#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Builds the test guest: Debian's 6.1 kernel (downloaded and unpacked, never installed on the
# host) and a busybox-static initramfs with the virtio-net modules and /init from the caller.
# Cached under <repo>/.sdk/guest/ (git-ignored). Prints "KERNEL INITRD" on success.
#
# usage: guest-build.sh INIT_SCRIPT    (the initramfs is rebuilt when INIT_SCRIPT changes)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
guest=${TMMR_GUEST_DIR:-$repo/.sdk/guest}
init=${1:?usage: guest-build.sh INIT_SCRIPT}
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"

log() { echo "guest-build: $*" >&2; }

mkdir -p "$guest"
exec 9>"$guest/.lock"
flock -w 600 9

need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx ip || need_pkgs+=(busybox-static)
command -v cpio >/dev/null || need_pkgs+=(cpio)
# devtools/setup.sh installs them; a test that installed what setup.sh forgot would hide
# the gap from CI (which counts this skip as a failure)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "missing ${need_pkgs[*]}: run devtools/setup.sh"
	exit 77
fi
# kernel: the package linux-image-amd64 points at, unpacked privately
if [ ! -f "$guest/vmlinuz" ] || [ ! -d "$guest/modules" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	if [ -z "$pkg" ]; then
		[ "$(id -u)" = 0 ] && apt-get update -qq >&2
		pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	fi
	[ -n "$pkg" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
	dl=$(mktemp -d "$guest/dl.XXXXXX")
	log "downloading $pkg"
	(cd "$dl" && apt-get download "$pkg" >&2)
	mkdir -p "$dl/x"
	dpkg-deb -x "$dl"/*.deb "$dl/x"
	kver=$(ls "$dl/x/lib/modules" | head -1)
	rm -rf "$guest/modules"
	mkdir -p "$guest/modules"
	for m in $mods; do
		f=$(find "$dl/x/lib/modules/$kver" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
		[ -n "$f" ] || { log "module $m not in $pkg"; exit 1; }
		case "$f" in
		*.xz) xz -dc "$f" >"$guest/modules/$m.ko" ;;
		*) cp "$f" "$guest/modules/$m.ko" ;;
		esac
	done
	cp "$dl/x/boot/vmlinuz-$kver" "$guest/vmlinuz.tmp"
	echo "$kver" >"$guest/kernel-version"
	mv "$guest/vmlinuz.tmp" "$guest/vmlinuz"
	rm -rf "$dl"
fi

# initramfs, keyed by the init script's content
sum=$(sha256sum "$init" | cut -c1-16)
out="$guest/initrd-$sum.cpio.gz"
if [ ! -f "$out" ]; then
	root=$(mktemp -d "$guest/root.XXXXXX")
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules,etc}
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp "$guest"/modules/*.ko "$root/lib/modules/"
	echo "$mods" >"$root/etc/modules-order"
	install -m 0755 "$init" "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
fi
echo "$guest/vmlinuz $out"
