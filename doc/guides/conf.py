# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Sphinx configuration of the tmmr guides. meson (-Denable_docs=true) passes the
# project's version with -D version=... -D release=...; the default theme is the one
# Debian's python3-sphinx brings.

project = 'tmmr'
copyright = '2026, The tmmr authors'
author = 'The tmmr authors'
version = release = 'unknown'
language = 'en'

exclude_patterns = ['_build']
# the guides' own text is what is installed, not a second copy of the sources
html_copy_source = False
html_show_sourcelink = False
html_title = 'tmmr documentation'
