/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The tmmr authors
 */

#include <rte_log.h>

#include "tmmr_logs.h"

/* Registered with the datapath so its unit tests log without the ethdev. */
RTE_LOG_REGISTER_DEFAULT(tmmr_logtype_driver, NOTICE);
RTE_LOG_REGISTER_SUFFIX(tmmr_logtype_rx, rx, NOTICE);
