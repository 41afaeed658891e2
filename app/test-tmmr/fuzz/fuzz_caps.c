/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Fuzz target: the capability walker on config space bytes from a hostile
 * device. Input: the config space image (any length; the walker must refuse
 * one shorter than 256 bytes), then optionally 48 bytes of BAR sizes after the
 * first 4096. The image is copied to a buffer of exactly its length, so any
 * read past it is an ASan report. Beyond "no crash": a layout that passed
 * tmmr_caps_check_bars must really lie inside the BARs.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmmr_caps.h"
#include "tmmr_mmr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
in_bar(const uint64_t bar_len[6], uint8_t bar, uint64_t off, uint64_t len, const char *what)
{
	if (bar >= 6 || off > bar_len[bar] || len > bar_len[bar] - off) {
		fprintf(stderr, "%s: bar %u +0x%llx len 0x%llx outside a BAR of 0x%llx\n", what,
			bar, (unsigned long long)off, (unsigned long long)len,
			bar < 6 ? (unsigned long long)bar_len[bar] : 0ULL);
		abort();
	}
}

static void
check_layout(const struct tmmr_mmr_layout *lay, const uint64_t bar_len[6])
{
	char err[256];

	err[0] = 'x';
	if (tmmr_caps_check_bars(lay, bar_len, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			abort();	/* a refusal must say why */
		return;
	}
	if (lay->vsec_off != 0)
		in_bar(bar_len, lay->legacy_bar, lay->legacy_off, lay->legacy_len, "legacy");
	if (lay->has_notify)
		in_bar(bar_len, lay->notify_bar, lay->notify_off, lay->notify_len, "notify");
	if (lay->has_msix) {
		in_bar(bar_len, lay->msix_table_bar, lay->msix_table_off,
		       (uint64_t)lay->msix_table_size * 16, "MSI-X table");
		in_bar(bar_len, lay->msix_pba_bar, lay->msix_pba_off,
		       ((uint64_t)lay->msix_table_size + 63) / 64 * 8, "MSI-X PBA");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size > TMMR_PCI_CFG_SIZE ? TMMR_PCI_CFG_SIZE : size;
	uint64_t bar_len[6] = { 0 };
	struct tmmr_mmr_layout lay;
	char err[128];
	uint8_t *cfg;
	int need_mmr, rc;

	cfg = malloc(len ? len : 1);
	if (cfg == NULL)
		return 0;
	memcpy(cfg, data, len);
	if (size > TMMR_PCI_CFG_SIZE) {
		memcpy(bar_len, data + TMMR_PCI_CFG_SIZE,
		       size - TMMR_PCI_CFG_SIZE < sizeof(bar_len) ?
		       size - TMMR_PCI_CFG_SIZE : sizeof(bar_len));
	} else {
		/* the model's VF: BAR0 only */
		bar_len[0] = TMMR_BAR0_SIZE;
	}
	for (need_mmr = 0; need_mmr <= 1; need_mmr++) {
		memset(&lay, 0xa5, sizeof(lay));
		err[0] = 'x';
		rc = tmmr_caps_parse(cfg, len, need_mmr, &lay, err, sizeof(err));
		if (rc != 0) {
			if (rc != -1 || memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
				abort();
			continue;
		}
		if (len < 256)
			abort();	/* accepted an image too short for the header */
		if (need_mmr && lay.vsec_off == 0)
			abort();
		check_layout(&lay, bar_len);
	}
	free(cfg);
	return 0;
}
