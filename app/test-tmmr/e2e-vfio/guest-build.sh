#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Builds the vfio suite's guest: Debian's 6.1 kernel (the package linux-image-amd64 points at,
# downloaded and unpacked, never installed on the host, as e2e-relay/guest-build.sh does) and a
# busybox-static initramfs with the vfio-pci, 9p and virtio-pci modules (dependencies resolved
# from the package's modules.dep, loaded in order) and guest-init.sh as /init.
# Cached under ${TMMR_GUEST_DIR:-<repo>/.sdk/guest}/vfio/. Prints "KERNEL INITRD".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
guest=${TMMR_GUEST_DIR:-$repo/.sdk/guest}/vfio
init=$here/guest-init.sh
# what /init needs; their dependencies come from modules.dep
want="vfio-pci vfio_iommu_type1 9p 9pnet_virtio virtio_pci"

log() { echo "guest-build: $*" >&2; }

mkdir -p "$guest"
exec 9>"$guest/.lock"
flock -w 600 9

command -v cpio >/dev/null && [ -x /bin/busybox ] ||
	{ log "needs cpio and busybox-static"; exit 77; }

if [ ! -f "$guest/vmlinuz" ] || [ ! -f "$guest/modules/order" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2
		pkg=$(apt-cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	fi
	[ -n "$pkg" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
	dl=$(mktemp -d "$guest/dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	log "downloading $pkg"
	(cd "$dl" && apt-get download "$pkg" >&2)
	mkdir -p "$dl/x"
	dpkg-deb -x "$dl"/*.deb "$dl/x"
	kver=$(ls "$dl/x/lib/modules" | head -1)
	mdir=$dl/x/lib/modules/$kver
	rm -rf "$guest/modules"
	mkdir -p "$guest/modules"
	# the package has no modules.dep (depmod runs at install): each module's .modinfo
	# "depends=" names its dependencies; load them first (names compare with - as _)
	declare -A path=() seen=()
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		path[${n//-/_}]=$f
	done < <(find "$mdir/kernel" -name '*.ko' -o -name '*.ko.xz')
	order=()
	visit()
	{
		local name=${1//-/_} f deps dep
		[ -n "${seen[$name]:-}" ] && return 0
		seen[$name]=1
		f=${path[$name]:-}
		[ -n "$f" ] || { log "module $1 not in $pkg"; exit 1; }
		case $f in
		*.xz) xz -dc "$f" >"$guest/modules/$name.ko" ;;
		*) cp "$f" "$guest/modules/$name.ko" ;;
		esac
		deps=$(tr '\0' '\n' <"$guest/modules/$name.ko" | sed -n 's/^depends=//p' | head -1)
		for dep in ${deps//,/ }; do
			visit "$dep"
		done
		order+=("$name")
	}
	for m in $want; do
		visit "$m"
	done
	cp "$dl/x/boot/vmlinuz-$kver" "$guest/vmlinuz.tmp"
	echo "$kver" >"$guest/kernel-version"
	mv "$guest/vmlinuz.tmp" "$guest/vmlinuz"
	echo "${order[*]}" >"$guest/modules/order"
fi

# initramfs, keyed by the init script and the module set
sum=$(cat "$init" "$guest/modules/order" | sha256sum | cut -c1-16)
out=$guest/initrd-$sum.cpio.gz
if [ ! -f "$out" ]; then
	rm -f "$guest"/initrd-*.cpio.gz
	root=$(mktemp -d "$guest/root.XXXXXX")
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules,etc,newroot}
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp "$guest"/modules/*.ko "$root/lib/modules/"
	cp "$guest/modules/order" "$root/etc/modules-order"
	install -m 0755 "$init" "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
fi
echo "$guest/vmlinuz $out"
