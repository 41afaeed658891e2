#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Who may touch what: the sockets of tmmr-vfemu (each VF's vfio-user socket, the control
# socket) and of tmmr_relay (vhost-user, server mode) are owner-only (0600) whatever the umask;
# --socket-mode widens them on purpose; a bad mode is refused with one clear line.
#   --case modes: the file modes, default and widened, with umask 000 (the worst case)
#   --case user:  an unprivileged user, created here and removed after, is refused (EACCES)
#                 by every socket; with --socket-mode 0666 the same user gets in (so the
#                 refusal comes from the socket's mode, not from the path). Needs root (else 77).
# The relay's VF is net_null (no PMD, no model needed for it).
#
# usage: relay_perms_e2e.sh --build BUILD_DIR --case modes|user
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=
case=modes
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--case) case=$2; shift 2 ;;
	*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=relay_lib.sh
. "$here/relay_lib.sh"
RELAY_BIN=$build/examples/tmmr_relay/tmmr_relay
VFEMU_BIN=$build/app/test-tmmr/vfemu/tmmr-vfemu
[ -x "$RELAY_BIN" ] && [ -x "$VFEMU_BIN" ] || relay_skip "tmmr_relay or tmmr-vfemu not built"
case $case in
modes) ;;
user) [ "$(id -u)" = 0 ] || relay_skip "creating a test user needs root" ;;
*) echo "bad --case $case" >&2; exit 2 ;;
esac

# the unprivileged user must be able to walk to the sockets: a 0755 directory of our own
work=$(mktemp -d /tmp/tmmr-perms.XXXXXX)
chmod 0755 "$work"
tag=relay-pe-$$
user=
cleanup()
{
	relay_cleanup
	[ -n "$user" ] && userdel "$user" 2>/dev/null
	if [ "$relay_fail" -eq 0 ]; then rm -rf "$work"; else echo "# logs kept in $work"; fi
}
trap cleanup EXIT

# start NAME [--socket-mode MODE]: the model (1 VF) and a relay (net_null VF) under umask 000;
# sets vf_sock, ctl_sock, relay_sock
start()
{
	local name=$1 dir=$work/$1

	shift
	mkdir -p "$dir"
	chmod 0755 "$dir"
	(umask 000; exec timeout -s INT 60 "$VFEMU_BIN" --sysfs "$dir/sysfs" --vfs 1 \
		--backend "vhost-user:$dir/be" "$@") >"$dir/vfemu.log" 2>&1 &
	relay_pids+=("$!")
	(umask 000; exec timeout -s INT 60 "$RELAY_BIN" -l 0 --no-huge -m 128 --no-pci \
		--file-prefix "$tag-$name" --vdev net_null0,no-rx=1 -- \
		--vf "net_null0,socket=$dir/relay.sock" --stats-interval 0 "$@") \
		>"$dir/relay.log" 2>&1 &
	relay_pids+=("$!")
	relay_check "$name: model ready" wait_for "$dir/vfemu.log" '^ready$' 20
	relay_check "$name: relay listens" wait_for "$dir/relay.log" 'server listening on' 30
	vf_sock=$(echo "$dir"/sysfs/*/vfio-user.sock)
	ctl_sock=$dir/sysfs/.vfemu-ctl.sock
	relay_sock=$dir/relay.sock
}

# stop: end the processes of start
stop()
{
	relay_cleanup
	relay_pids=()
}

mode_of() { stat -c %a "$1" 2>/dev/null; }

# connect_as USER PATH: prints "ok" or the errno name of connect()
connect_as()
{
	runuser -u "$1" -- /usr/bin/python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "$2" 2>&1
}

if [ "$case" = modes ]; then
	start default
	for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
		relay_check "umask 000, default: ${s#"$work"/} is 600 ($(mode_of "$s"))" \
			test "$(mode_of "$s")" = 600
	done
	stop
	start widened --socket-mode 0660
	for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
		relay_check "--socket-mode 0660: ${s#"$work"/} is 660 ($(mode_of "$s"))" \
			test "$(mode_of "$s")" = 660
	done
	stop
	for bad in 0400 1777 0680 rw ""; do
		timeout 10 "$VFEMU_BIN" --sysfs "$work/bad" --vfs 1 --backend "vhost-user:$work/x" \
			--socket-mode "$bad" >"$work/out" 2>&1
		rc=$?
		relay_check "model refuses --socket-mode '$bad'" \
			grep -q -- '--socket-mode: an octal mode' "$work/out"
		relay_check "model exit status 2 for '$bad' ($rc)" test "$rc" = 2
		relay_check "model wrote nothing for '$bad'" test ! -e "$work/bad"
		timeout 30 "$RELAY_BIN" -l 0 --no-huge -m 128 --no-pci --file-prefix "$tag-bad" \
			-- --socket-dir "$work" --socket-mode "$bad" >"$work/out" 2>&1
		rc=$?
		relay_check "relay refuses --socket-mode '$bad'" \
			grep -q -- "error: --socket-mode '$bad': expected an octal mode" "$work/out"
		relay_check "relay exit status 2 for '$bad' ($rc)" test "$rc" = 2
	done
	relay_summary
	exit
fi

# --case user
user=tmmr-perm-$$-$RANDOM
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	--user-group "$user" || { user=; echo "# useradd failed"; exit 1; }
relay_log "test user $user"
start default
for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
	got=$(connect_as "$user" "$s")
	relay_check "$user refused by ${s#"$work"/} ($got)" test "$got" = EACCES
done
stop
start widened --socket-mode 0666
for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
	got=$(connect_as "$user" "$s")
	relay_check "--socket-mode 0666: $user gets into ${s#"$work"/} ($got)" test "$got" = ok
done
stop
userdel "$user"
relay_check "test user removed" test -z "$(getent passwd "$user")"
user=
relay_summary
