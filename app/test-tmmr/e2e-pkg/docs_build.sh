#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# The guides build to HTML with Sphinx with warnings as errors (-W --keep-going): a
# broken reference, a missing literal include or image, a malformed table fails.
# First a control: a copy of the guides with one broken :doc: reference and one
# literalinclude of a missing file must fail and name both, so the check can fail.
#
# usage: docs_build.sh [--sphinx-build PATH]    (exit 0 pass, 1 fail, 77 skip)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
sphinx=/usr/bin/sphinx-build
if [[ ${1:-} == --sphinx-build ]]; then
	sphinx=$2
fi

log()
{
	printf '[%s] %s\n' "$(date +%T)" "$*"
}

if [[ ! -x $sphinx ]]; then
	log "SKIP: no $sphinx (Debian package python3-sphinx; devtools/setup.sh installs it)"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tmmr-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

build()
{
	nice -n 10 "$sphinx" -q -b html -W --keep-going -d "$work/doctrees-$2" "$1" "$work/$2" \
		> "$work/$2.log" 2>&1
}

log "control: guides with a broken reference and a missing literal include"
cp -r "$top/doc/guides" "$work/broken"
cat >> "$work/broken/nics/virtio_tmmr.rst" <<'RST'

See :doc:`no_such_guide`.

.. literalinclude:: no_such_file.txt
RST
if build "$work/broken" html-broken; then
	log "FAIL: sphinx-build passed guides with a broken reference and literal include"
	exit 1
fi
for what in no_such_guide no_such_file.txt; do
	if ! grep -q "$what" "$work/html-broken.log"; then
		cat "$work/html-broken.log"
		log "FAIL: sphinx-build did not report $what"
		exit 1
	fi
done
log "ok: the control fails on both ($(grep -c -i 'warning' "$work/html-broken.log") warnings)"

log "$("$sphinx" --version): doc/guides -> HTML, warnings as errors"
if ! build "$top/doc/guides" html; then
	cat "$work/html.log"
	log "FAIL: the guides do not build without warnings"
	exit 1
fi
for page in index nics/virtio_tmmr sample_app_ug/tmmr_relay howto/ovs_dpdk spec/mmr_binding \
	prog_guide/developer perf/index; do
	if [[ ! -s $work/html/$page.html ]]; then
		log "FAIL: no $page.html"
		exit 1
	fi
done
log "ok: the guides build with no warning ($(find "$work/html" -name '*.html' | wc -l) pages)"
