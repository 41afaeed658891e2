#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# devtools/check-style.sh must pass clean files and fail on each kind of violation.
# usage: test_check_style.sh CHECK_STYLE
set -uo pipefail

check_style=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-style.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0
spdx_c='/* SPDX-License-Identifier: BSD-3-Clause'

# expect NAME PASS|FAIL [MESSAGE]: run the checker on $tmp/NAME
expect()
{
	local name=$1 want=$2 msg=${3:-} out rc
	out=$("$check_style" "$tmp/$name" 2>&1)
	rc=$?
	if [[ $want == PASS && $rc -eq 0 ]] ||
		[[ $want == FAIL && $rc -eq 1 && $out == *"$msg"* ]]; then
		echo "ok    $name: $want"
	else
		echo "FAIL  $name: wanted $want ${msg:+($msg)}, got rc $rc: $out"
		failed=1
	fi
}

long=$(printf 'x%.0s' {1..90})

printf '%s\n * comment\n */\nint\nf(void)\n{\n\treturn 0; /* %s */\n}\n' \
	"$spdx_c" "${long:0:70}" >"$tmp/clean.c"
printf '\t\tlog("%s %s",\n' "$long" "$long" >>"$tmp/clean.c"
expect clean.c PASS

printf '/* no licence */\nint x;\n' >"$tmp/nospdx.c"
expect nospdx.c FAIL "no SPDX-License-Identifier on line 1"

printf '%s\n */\nint f(void) { return 0; } /* %s */\n' "$spdx_c" "$long" >"$tmp/long.c"
expect long.c FAIL "longer than 100 columns"

# 12 tabs are 96 columns: with 5 characters more the line is 101 wide
printf '%s\n */\n\t\t\t\t\t\t\t\t\t\t\t\tx = 1;\n' "$spdx_c" >"$tmp/tabs.h"
expect tabs.h FAIL "tabs.h:3: longer than 100 columns"

printf '%s\n */\nint\nf(void)\n{\n        return 0;\n}\n' "$spdx_c" >"$tmp/spaces.c"
expect spaces.c FAIL "spaces.c:6: indent with tabs"

printf '%s\n */\nint\nf(void)\n{\n\t  return 0;\n}\n' "$spdx_c" >"$tmp/align.c"
expect align.c PASS

printf '#!/usr/bin/env python3\n# SPDX-License-Identifier: BSD-3-Clause\nx = 1 \n' >"$tmp/trail.py"
expect trail.py FAIL "trail.py:3: trailing whitespace"

printf '#!/bin/sh\necho no licence\n' >"$tmp/nospdx.sh"
expect nospdx.sh FAIL "no SPDX-License-Identifier on line 2"

mkdir "$tmp/sub"
printf "project('x')\n" >"$tmp/sub/meson.build"
name=sub/meson.build
expect "$name" FAIL "no SPDX-License-Identifier on line 1"

# a command substitution in a wait_until condition is expanded once: the wait sees a stale value
# (the fixtures spell the name through $wu, or this file would break the rule itself)
wu=wait_until
sh_head=$'#!/bin/bash\n# SPDX-License-Identifier: BSD-3-Clause'
{
	echo "$sh_head"
	printf '%s\n' "# in a comment: $wu 5 test \"\$(f)\" = 1" 'wait_eq 5 1 f' \
		"$wu 5 eval '[[ \$(f) == 1 ]]'" "$wu 5 test -S \"\$sock\""
} >"$tmp/wait.sh"
expect wait.sh PASS
{ echo "$sh_head"; printf '\t%s\n' "$wu 20 test \"\$(grep -c x log)\" = 2 || fail"; } \
	>"$tmp/stale.sh"
expect stale.sh FAIL "stale.sh:3: \$(...) in a wait_until condition is expanded once"
{ echo "$sh_head"; printf '%s\n' "$wu 9 [[ \$(f) == 1 ]]"; } >"$tmp/stale2"
expect stale2 FAIL "stale2:3: \$(...) in a wait_until condition"

{ echo '# SPDX-License-Identifier: BSD-3-Clause'; seq 2 1500 | sed 's/^/# /'; } >"$tmp/max.sh"
expect max.sh PASS
echo '# one more' >>"$tmp/max.sh"
expect max.sh FAIL "1501 lines, more than 1500"

# under drivers/ a file holds one job: 800 lines at most
mkdir "$tmp/drivers"
{ echo "$spdx_c"; echo ' */'; seq 3 800 | sed 's/^/int x&;/'; } >"$tmp/drivers/max.c"
expect drivers/max.c PASS
echo 'int y;' >>"$tmp/drivers/max.c"
expect drivers/max.c FAIL "801 lines, more than 800"

exit $failed
