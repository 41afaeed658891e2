/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * Registration exports that a correct generator must refuse rather than turn
 * into wrong PMD info. Built once per case, selected with -DHOSTILE_<case>.
 */

#include <stdint.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_pci.h>

#if defined(HOSTILE_NO_TERMINATOR)
/* the bus would read past the end of this table */
static const struct rte_pci_id hostile_ids[] __rte_used = {
	{ .vendor_id = 0x1af4, .device_id = 0x10f9 },
};
RTE_PMD_EXPORT_NAME(net_tmmr_hostile, 0);
RTE_PMD_REGISTER_PCI_TABLE(net_tmmr_hostile, hostile_ids);

#elif defined(HOSTILE_RELOCATED)
/* not a table of numbers: its bytes in the object are not its values */
static const char hostile_name[] = "x";
static const void *const hostile_ids[] __rte_used = { hostile_name, hostile_name, NULL };
RTE_PMD_EXPORT_NAME(net_tmmr_hostile, 0);
RTE_PMD_REGISTER_PCI_TABLE(net_tmmr_hostile, hostile_ids);

#elif defined(HOSTILE_MISSING_TABLE)
/* names a table that is not defined anywhere */
RTE_PMD_EXPORT_NAME(net_tmmr_hostile, 0);
RTE_PMD_REGISTER_PCI_TABLE(net_tmmr_hostile, no_such_table);

#elif defined(HOSTILE_TWICE)
/* two registrations of one name */
RTE_PMD_EXPORT_NAME(net_tmmr_hostile, 0);
RTE_PMD_EXPORT_NAME(net_tmmr_hostile, 1);

#else
#error "select a case with -DHOSTILE_<case>"
#endif
