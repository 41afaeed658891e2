/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * A do-nothing PCI driver registered with DPDK's macros, so that the test of
 * devtools/pmdinfogen.py does not depend on the real PMD's registration.
 */

#include <rte_common.h>
#include <bus_pci_driver.h>

static const struct rte_pci_id fixture_pci_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x10f9) },
	{
		.vendor_id = 0x1af4,
		.device_id = 0x10fa,
		.subsystem_vendor_id = 0x1af4,
		.subsystem_device_id = 0x0002,
	},
	{ .vendor_id = 0 },
	/* past the terminator: the bus never reads it, so neither may the generator */
	{ RTE_PCI_DEVICE(0x8086, 0x1572) },
};

static int
fixture_probe(struct rte_pci_driver *drv, struct rte_pci_device *dev)
{
	return -1;
}

static int
fixture_remove(struct rte_pci_device *dev)
{
	return 0;
}

static struct rte_pci_driver fixture_driver = {
	.id_table = fixture_pci_ids,
	.probe = fixture_probe,
	.remove = fixture_remove,
};

RTE_PMD_REGISTER_PCI(net_tmmr_fixture, fixture_driver);
RTE_PMD_REGISTER_PCI_TABLE(net_tmmr_fixture, fixture_pci_ids);
/* quotes and a backslash must survive the C and JSON escaping */
RTE_PMD_REGISTER_PARAM_STRING(net_tmmr_fixture, "mode=<\"fast\"|slow> path=C:\\tmp");
RTE_PMD_REGISTER_KMOD_DEP(net_tmmr_fixture, "* vfio-pci");

/* a second driver of no bus: a name and parameters only */
RTE_PMD_EXPORT_NAME(net_tmmr_fixture_vdev, __COUNTER__);
RTE_PMD_REGISTER_PARAM_STRING(net_tmmr_fixture_vdev, "iface=<name>");
