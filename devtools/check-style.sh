#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Checks the project's own sources for the rules of its coding style:
#  - an SPDX-License-Identifier on the first line (the second after a shebang);
#  - C: lines of at most 100 columns (a tab counts to the next multiple of 8),
#    except a line ending in a string literal (messages stay greppable, as
#    DPDK's checkpatch allows); indentation with tabs;
#  - no trailing whitespace, no file over 1500 lines (800 under drivers/,
#    where a file that grows past that holds more than one job);
#  - shell: no $(...) in the condition of a wait_until (`wait_until 5 test "$(f)" = 1`):
#    the shell expands it once, before the wait, which then compares a stale value
#    until its deadline (wait_eq runs the command anew each time).
# usage: check-style.sh [FILE...]   (default: every file git knows that is ours)
# Prints each violation as file:line: message; exits 1 if there is any.
set -euo pipefail

max_columns=100
max_lines=1500
max_lines_drivers=800

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

checked()
{
	case "$1" in
	*.c | *.h | *.py | *.sh | meson.build | */meson.build) return 0 ;;
	esac
	# scripts without an extension, such as .ci/run
	[[ -f $1 ]] && head -c 2 -- "$1" | grep -q '^#!'
}

files=()
if [[ $# -gt 0 ]]; then
	files=("$@")
else
	cd "$top"
	while IFS= read -r f; do
		[[ -f $f ]] && checked "$f" && files+=("$f")
	done < <(git ls-files --cached --others --exclude-standard 2>/dev/null ||
		find . -path './build*' -prune -o -path './.*' -prune -o -type f -print |
		sed 's|^\./||')
fi
[[ ${#files[@]} -gt 0 ]] || exit 0

awk -v max_columns="$max_columns" -v max_lines="$max_lines" \
	-v max_lines_drivers="$max_lines_drivers" '
function report(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg
	bad = 1
}
function columns(s,    i, c, n) {
	n = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		n = (c == "\t") ? n + 8 - n % 8 : n + 1
	}
	return n
}
function finish_file(    limit) {
	limit = (prev ~ /(^|\/)drivers\//) ? max_lines_drivers : max_lines
	if (prev != "" && prev_lines > limit) {
		printf "%s: %d lines, more than %d\n", prev, prev_lines, limit
		bad = 1
	}
}
FNR == 1 {
	finish_file()
	is_c = FILENAME ~ /\.[ch]$/
	is_sh = FILENAME ~ /\.sh$/ || $0 ~ /^#!.*(ba)?sh/
	spdx_line = ($0 ~ /^#!/) ? 2 : 1
}
FNR == spdx_line && $0 !~ /SPDX-License-Identifier: / {
	report("no SPDX-License-Identifier on line " spdx_line)
}
/[ \t\r]$/ {
	report("trailing whitespace")
}
is_c && columns($0) > max_columns && $0 !~ /"([^"\\]|\\.)*"[ \t]*(,|\);|\\)?$/ {
	report("longer than " max_columns " columns")
}
# spaces for indenting: a run of 8 in the indentation, or spaces that do not
# continue a block comment
is_c && (/^[\t ]* {8}/ || /^ +[^ *]/) {
	report("indent with tabs")
}
is_sh && $0 !~ /^[ \t]*#/ && /wait_until[ \t]+[^ \t]+[ \t]+(test|\[\[?)[ \t].*\$\(/ {
	report("$(...) in a wait_until condition is expanded once, before the wait: use wait_eq")
}
{
	prev = FILENAME
	prev_lines = FNR
}
END {
	finish_file()
	exit bad
}
' "${files[@]}"
