#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# /init of the test guest (busybox). Kernel command line:
#   tmmr.mode=ping|loop|serve|fetch|mq|vping  tmmr.ip=ADDR  tmmr.peer=ADDR  tmmr.size=MIB
#   tmmr.mtu=MTU (eth0's MTU)  tmmr.psize=BYTES (ping payload, default busybox's 56)
# ping: report the virtio device, ping the peer 3 times, power off.
# mq: ping the peer 3 times from each CPU (each CPU sends on its own Tx queue), then as ping.
# loop: ping the peer forever (the test kills the guest).
# serve: busybox httpd with /f (MIB MiB) and /ready; eth0's counters every second (the test
#   kills the guest).
# fetch: wait for the peer's httpd, then time one wget of /f; counters; power off.
# vping: the vDPA guest tests' pings (tmmr.idle, tmmr.count, tmmr.interval, tmmr.hold: below).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mode=ping ip=198.18.0.1 peer=198.18.0.2 size=4 mtu= psize=56
idle=0 count=3 interval=1 hold=0	# vping's
for w in $(cat /proc/cmdline); do
	case $w in
	tmmr.mode=*) mode=${w#*=} ;;
	tmmr.ip=*) ip=${w#*=} ;;
	tmmr.peer=*) peer=${w#*=} ;;
	tmmr.size=*) size=${w#*=} ;;
	tmmr.mtu=*) mtu=${w#*=} ;;
	tmmr.psize=*) psize=${w#*=} ;;
	tmmr.idle=*) idle=${w#*=} ;;
	tmmr.count=*) count=${w#*=} ;;
	tmmr.interval=*) interval=${w#*=} ;;
	tmmr.hold=*) hold=${w#*=} ;;
	esac
done
for m in $(cat /etc/modules-order); do
	insmod /lib/modules/$m.ko || echo "GUEST: insmod $m failed"
done
echo "GUEST: modules loaded"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor)" = 0x1af4 ] || continue
	drv=$(readlink $d/driver)
	echo "GUEST-PCI: ${d##*/} $(cat $d/vendor) $(cat $d/device) rev $(cat $d/revision) driver ${drv##*/}"
done
for d in /sys/bus/virtio/devices/*; do
	echo "GUEST-VIRTIO: ${d##*/} device $(cat $d/device) features $(cat $d/features)"
done
ip link set lo up
[ -n "$mtu" ] && { ip link set eth0 mtu "$mtu" || echo "GUEST: mtu $mtu refused"; }
echo "GUEST-MTU: $(cat /sys/class/net/eth0/mtu)"
echo "GUEST-QUEUES: $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
ip link set eth0 up
ip addr add $ip/24 dev eth0
i=0
while [ $i -lt 50 ] && [ "$(cat /sys/class/net/eth0/operstate)" != up ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "GUEST: eth0 $(cat /sys/class/net/eth0/operstate) mac $(cat /sys/class/net/eth0/address)"
if [ "$mode" = loop ]; then
	# pings forever; reports eth0 carrier changes (the relay reflects the VF link)
	link=up
	while true; do
		now=$(cat /sys/class/net/eth0/operstate)
		if [ "$now" != "$link" ]; then
			link=$now
			echo "GUEST-LINK: $link"
		fi
		ping -c 1 -W 1 $peer >/dev/null 2>&1 && echo "GUEST-LOOP: reply"
		sleep 0.3
	done
fi
if [ "$mode" = vping ]; then
	# relay_vdpa_guest_e2e.sh: tmmr.idle=S (seconds idle between the ARP warm-up and the
	# run), tmmr.count=N tmmr.interval=S (the run: on every CPU, pinned, N pings of
	# tmmr.psize bytes every S seconds), tmmr.hold=S (after the run, S seconds of one ping a
	# second, before power-off)
	echo "GUEST-VPING: mtu $(cat /sys/class/net/eth0/mtu) cpus $(nproc)" \
		"queues $(ls /sys/class/net/eth0/queues | tr '\n' ' ')"
	ping -c 3 -W 3 $peer >/dev/null 2>&1
	echo "GUEST-VPING: idle $idle s"
	sleep $idle
	echo "GUEST-VPING: start $(cat /sys/class/net/eth0/statistics/tx_packets)" \
		"$(cat /sys/class/net/eth0/statistics/rx_packets)"
	c=0
	while [ $c -lt $(nproc) ]; do
		taskset -c $c ping -q -c $count -i $interval -W 5 -s $psize $peer >/tmp/ping$c 2>&1 &
		c=$((c + 1))
	done
	wait
	s=/sys/class/net/eth0/statistics
	echo "GUEST-VPING: end $(cat $s/tx_packets) $(cat $s/rx_packets)" \
		"$(cat $s/tx_bytes) $(cat $s/rx_bytes)"
	c=0
	while [ $c -lt $(nproc) ]; do
		echo "GUEST-VPING: cpu $c $(grep transmitted /tmp/ping$c)"
		c=$((c + 1))
	done
	[ "$hold" -gt 0 ] && ping -q -c $hold -i 1 $peer >/dev/null 2>&1
	echo "GUEST: done"
	poweroff -f
fi
# counters of eth0: rx packets, rx bytes, tx packets, tx bytes
stats()
{
	s=/sys/class/net/eth0/statistics
	echo "$(cat $s/rx_packets) $(cat $s/rx_bytes) $(cat $s/tx_packets) $(cat $s/tx_bytes)"
}
# /proc/uptime in centiseconds
centis()
{
	u=$(cut -d' ' -f1 /proc/uptime)
	echo $((${u%.*} * 100 + 1${u#*.} - 100))
}
if [ "$mode" = serve ]; then
	mkdir -p /www
	dd if=/dev/zero of=/www/f bs=1048576 count=$size 2>/dev/null
	echo ok >/www/ready
	httpd -p 80 -h /www
	echo "GUEST-HTTPD: ready $(wc -c </www/f) bytes"
	while true; do
		echo "GUEST-STATS: $(stats)"
		sleep 1
	done
fi
if [ "$mode" = fetch ]; then
	# busybox-static's wget crashes when its -T timeout fires: reach the peer with ping first
	i=0
	until ping -c 1 -W 1 $peer >/dev/null 2>&1 && wget -q -O /tmp/ready http://$peer/ready
	do
		i=$((i + 1))
		[ $i -ge 120 ] && break
		sleep 0.5
	done
	echo "GUEST-WGET: peer answered after $i retries"
	t0=$(centis)
	wget -q -O /tmp/f http://$peer/f
	rc=$?
	t1=$(centis)
	echo "GUEST-WGET: rc $rc bytes $(wc -c </tmp/f) centis $((t1 - t0))"
	echo "GUEST-STATS: $(stats)"
	echo "GUEST: done"
	poweroff -f
fi
if [ "$mode" = mq ]; then
	c=0
	while [ $c -lt "$(nproc)" ]; do
		taskset "$(printf '%x' $((1 << c)))" ping -c 3 -W 3 -s "$psize" $peer
		echo "GUEST-PING-CPU$c: $?"
		c=$((c + 1))
	done
fi
ping -c 3 -W 3 -s "$psize" $peer
echo "GUEST-PING-RC: $?"
echo "GUEST-ARP: $(grep "^$peer " /proc/net/arp)"
echo "GUEST-STATS: $(cat /sys/class/net/eth0/statistics/rx_packets) rx $(cat /sys/class/net/eth0/statistics/tx_packets) tx"
echo "GUEST: done"
poweroff -f
