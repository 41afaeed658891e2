#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# /init of the vfio suite's guest (busybox). Hands every MMR function (1af4:10f9) to vfio-pci
# before any driver loads, loads vfio-pci, 9p and virtio-pci, mounts the host's /usr, the build
# directory and the suite's directory (9p tags usr, build, suite; read-only) into a tmpfs root
# with hugetlbfs, and runs "/suite/guest-run.sh SCENARIO" there (tmmr.run=SCENARIO on the
# kernel command line). Powers off when it returns.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
run=none
awk=
for w in $(cat /proc/cmdline); do
	case $w in
	tmmr.run=*) run=${w#*=} ;;
	tmmr.awk=*) awk=${w#*=} ;;
	esac
done
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat $d/vendor)" = 0x1af4 ] && [ "$(cat $d/device)" = 0x10f9 ]; then
		echo vfio-pci >$d/driver_override
	fi
done
for m in $(cat /etc/modules-order); do
	insmod /lib/modules/$m.ko || echo "GUEST: insmod $m failed"
done
echo "GUEST: modules loaded"
r=/newroot
mount -t tmpfs -o mode=0755 tmpfs $r
mkdir -p $r/usr $r/build $r/suite $r/proc $r/sys $r/dev $r/tmp $r/run $r/var $r/etc \
	$r/dev/hugepages
for t in usr build suite; do
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose $t $r/$t ||
		echo "GUEST: cannot mount 9p $t"
done
ln -s usr/bin $r/bin
ln -s usr/sbin $r/sbin
ln -s usr/lib $r/lib
ln -s usr/lib64 $r/lib64
ln -s ../run $r/var/run
chmod 1777 $r/tmp
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/hugepages
mount -t hugetlbfs -o pagesize=2M nodev $r/dev/hugepages
echo "root:x:0:0:root:/:/bin/sh" >$r/etc/passwd
# the host's awk is an alternatives link into its /etc, which is not shared
mkdir -p $r/etc/alternatives
[ -n "$awk" ] && ln -s "$awk" $r/etc/alternatives/awk
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor)" = 0x1af4 ] || continue
	drv=$(readlink $d/driver)
	echo "GUEST-PCI: ${d##*/} $(cat $d/device) rev $(cat $d/revision)" \
		"driver ${drv##*/} group $(basename "$(readlink $d/iommu_group)")"
done
echo "GUEST: running $run"
timeout -s KILL 540 chroot $r /bin/bash /suite/guest-run.sh "$run"
echo "GUEST-EXIT: $?"
poweroff -f
