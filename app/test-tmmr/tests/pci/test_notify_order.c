/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

/*
 * The MMIO doorbell's byte order: the device reads the queue index as a
 * little-endian 16-bit register. The host here is little-endian, where the
 * conversion costs nothing and a missing one goes unnoticed, so this test
 * compiles the datapath's doorbell as a big-endian CPU would run it (its
 * byte swap and a big-endian store) and looks at the bytes the device gets.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_io.h>

/* a big-endian CPU: cpu_to_le swaps, a 16-bit store puts the high byte first */
#undef rte_cpu_to_le_16
#define rte_cpu_to_le_16(x) rte_bswap16(x)
#define rte_write16(v, addr) be_store16((v), (addr))

static void
be_store16(uint16_t v, volatile void *addr)
{
	volatile uint8_t *p = addr;

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#include "tmmr_pci.h"

static void
test_doorbell_le(void **state)
{
	static const uint16_t queues[] = { 0, 1, 2, 0x0102, 0xfffe };
	volatile uint8_t reg[2];
	struct tmmr_doorbell n;
	unsigned int i;

	(void)state;
	n.mmio = (volatile uint16_t *)reg;
	n.efd = -1;
	n.slow_kick = NULL;
	n.pci = NULL;
	for (i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		n.queue = queues[i];
		reg[0] = 0xaa;
		reg[1] = 0xaa;
		tmmr_doorbell_ring(&n);
		/* little-endian on the bus: low byte at the lower address */
		assert_int_equal(reg[0], queues[i] & 0xff);
		assert_int_equal(reg[1], queues[i] >> 8);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doorbell_le),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
