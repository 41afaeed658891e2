/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * A second fixture driver in an object of its own. Its static table and its
 * this_pmd_name0 have the same names as the first object's, so the generator
 * must resolve them within each object.
 */

#include <rte_common.h>
#include <bus_pci_driver.h>

static const struct rte_pci_id fixture_pci_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x10fb) },
	{ .vendor_id = 0 },
};

static int
fixture2_probe(struct rte_pci_driver *drv, struct rte_pci_device *dev)
{
	return -1;
}

static int
fixture2_remove(struct rte_pci_device *dev)
{
	return 0;
}

static struct rte_pci_driver fixture2_driver = {
	.id_table = fixture_pci_ids,
	.probe = fixture2_probe,
	.remove = fixture2_remove,
};

RTE_PMD_REGISTER_PCI(net_tmmr_fixture2, fixture2_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_tmmr_fixture2, fixture_pci_ids);
