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

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
build=
case=modes
e2e_args "build: case:" "$@"
relay_init perms "$build"
[ -x "$VFEMU_BIN" ] || skip "no $VFEMU_BIN"
case $case in
modes) ;;
user) [ "$(id -u)" = 0 ] || skip "creating a test user needs root" ;;
*) echo "bad --case $case" >&2; exit 2 ;;
esac

# the unprivileged user must be able to walk to the sockets
chmod 0755 "$WORK"
user=
# the test user goes, also when the test fails (the EXIT trap's last step)
e2e_on_exit()
{
	[ -n "$user" ] && userdel "$user" 2>/dev/null
}

# start NAME [--socket-mode MODE]: the model (1 VF) and a relay (net_null VF) under umask 000;
# sets vf_sock, ctl_sock, relay_sock
start()
{
	local name=$1 dir=$WORK/$1 mask

	shift
	mkdir -p "$dir"
	chmod 0755 "$dir"
	mask=$(umask)
	umask 000
	e2e_spawn "vfemu_$name" "$VFEMU_BIN" --sysfs "$dir/sysfs" --vfs 1 \
		--backend "vhost-user:$dir/be" "$@"
	e2e_prefixes+=("$tag-$name")
	e2e_spawn "relay_$name" "$RELAY_BIN" -l 0 --no-huge -m 128 --no-pci \
		--file-prefix "$tag-$name" --vdev net_null0,no-rx=1 -- \
		--vf "net_null0,socket=$dir/relay.sock" --stats-interval 0 "$@"
	umask "$mask"
	relay_check "$name: model ready" wait_for "$WORK/vfemu_$name.log" '^ready$' 20
	relay_check "$name: relay listens" wait_for "$WORK/relay_$name.log" 'server listening on' 30
	vf_sock=$(echo "$dir"/sysfs/*/vfio-user.sock)
	ctl_sock=$dir/sysfs/.vfemu-ctl.sock
	relay_sock=$dir/relay.sock
}

# stop: end the processes of start
stop()
{
	e2e_stop_all INT
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
		relay_check "umask 000, default: ${s#"$WORK"/} is 600 ($(mode_of "$s"))" \
			test "$(mode_of "$s")" = 600
	done
	stop
	start widened --socket-mode 0660
	for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
		relay_check "--socket-mode 0660: ${s#"$WORK"/} is 660 ($(mode_of "$s"))" \
			test "$(mode_of "$s")" = 660
	done
	stop
	for bad in 0400 1777 0680 rw ""; do
		timeout 10 "$VFEMU_BIN" --sysfs "$WORK/bad" --vfs 1 --backend "vhost-user:$WORK/x" \
			--socket-mode "$bad" >"$WORK/out" 2>&1
		rc=$?
		relay_check "model refuses --socket-mode '$bad'" \
			grep -q -- '--socket-mode: an octal mode' "$WORK/out"
		relay_check "model exit status 2 for '$bad' ($rc)" test "$rc" = 2
		relay_check "model wrote nothing for '$bad'" test ! -e "$WORK/bad"
		timeout 30 "$RELAY_BIN" -l 0 --no-huge -m 128 --no-pci --file-prefix "$tag-bad" \
			-- --socket-dir "$WORK" --socket-mode "$bad" >"$WORK/out" 2>&1
		rc=$?
		relay_check "relay refuses --socket-mode '$bad'" \
			grep -q -- "error: --socket-mode '$bad': expected an octal mode" "$WORK/out"
		relay_check "relay exit status 2 for '$bad' ($rc)" test "$rc" = 2
	done
	relay_summary
	exit
fi

# --case user
user=tmmr-perm-$$-$RANDOM
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	--user-group "$user" || { user=; echo "# useradd failed"; exit 1; }
log "test user $user"
start default
for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
	got=$(connect_as "$user" "$s")
	relay_check "$user refused by ${s#"$WORK"/} ($got)" test "$got" = EACCES
done
stop
start widened --socket-mode 0666
for s in "$vf_sock" "$ctl_sock" "$relay_sock"; do
	got=$(connect_as "$user" "$s")
	relay_check "--socket-mode 0666: $user gets into ${s#"$WORK"/} ($got)" test "$got" = ok
done
stop
userdel "$user"
relay_check "test user removed" test -z "$(getent passwd "$user")"
user=
relay_summary
