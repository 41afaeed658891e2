#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Prints this machine's apt entries for its own Debian release, one per line in the
# one-line format, so that tools that need a private apt configuration (setup.sh's
# deb-src lists, fresh-root.sh's new root) use the mirrors this machine is set up with
# and never a host the project names.
#
# usage: apt-sources.sh [--src] [--root DIR]
#   --src       print each entry as deb-src (for apt-get source)
#   --root DIR  read DIR/etc/apt instead of /etc/apt
# Only enabled "deb" entries whose suite is the release's codename or codename-*
# (updates, security, backports) are printed, as "TYPE URI SUITE COMPONENT...".
# Exit status 1, with a message, when there is none.
set -euo pipefail

type=deb
root=
while [[ $# -gt 0 ]]; do
	case $1 in
	--src) type=deb-src ;;
	--root) root=${2:?--root needs a directory}; shift ;;
	*) echo "usage: apt-sources.sh [--src] [--root DIR]" >&2; exit 2 ;;
	esac
	shift
done

codename=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")
[[ -n $codename ]] || { echo "apt-sources: no VERSION_CODENAME in $root/etc/os-release" >&2; exit 1; }

files=()
[[ -f $root/etc/apt/sources.list ]] && files+=("$root/etc/apt/sources.list")
for f in "$root"/etc/apt/sources.list.d/*.list "$root"/etc/apt/sources.list.d/*.sources; do
	[[ -f $f ]] && files+=("$f")
done
[[ ${#files[@]} -gt 0 ]] || { echo "apt-sources: no apt sources under $root/etc/apt" >&2; exit 1; }

# deb822 (.sources) paragraphs and one-line (.list) entries, options ([...]) dropped
out=$(awk -v want="$type" -v codename="$codename" '
function keep(t, uri, suite, comps) {
	if (t != "deb")
		return
	if (suite != codename && index(suite, codename "-") != 1)
		return
	key = uri " " suite
	if (key in seen)
		return
	seen[key] = 1
	print want, uri, suite, comps
}
function flush(   i, j, k, nt, nu, ns, ts, us, ss) {
	if (types != "" && enabled != "no") {
		nt = split(types, ts, " ")
		nu = split(uris, us, " ")
		ns = split(suites, ss, " ")
		for (i = 1; i <= nt; i++)
			for (j = 1; j <= nu; j++)
				for (k = 1; k <= ns; k++)
					keep(ts[i], us[j], ss[k], comps)
	}
	types = uris = suites = comps = enabled = ""
}
FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
/^[ \t]*#/ { next }
deb822 && /^[ \t]*$/ { flush(); next }
deb822 && /^[ \t]/ { next }
deb822 {
	field = tolower($1)
	sub(/:.*/, "", field)
	value = $0
	sub(/^[^:]*:[ \t]*/, "", value)
	if (field == "types") types = value
	else if (field == "uris") uris = value
	else if (field == "suites") suites = value
	else if (field == "components") comps = value
	else if (field == "enabled") enabled = tolower(value)
	next
}
!deb822 && NF >= 3 {
	line = $0
	sub(/[ \t]*#.*/, "", line)
	gsub(/\[[^]]*\]/, "", line)
	n = split(line, w, " ")
	if (n < 3)
		next
	c = w[4]
	for (i = 5; i <= n; i++)
		c = c " " w[i]
	keep(w[1], w[2], w[3], c)
}
END { flush() }
' "${files[@]}")

[[ -n $out ]] || {
	echo "apt-sources: no enabled deb entry for Debian $codename in ${files[*]}" >&2
	exit 1
}
echo "$out"
