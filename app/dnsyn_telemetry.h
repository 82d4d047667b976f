/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: dnsyn's rte_telemetry commands (/dnsyn/stats), for
 * dpdk-telemetry.py and any client of the telemetry socket. The callbacks run
 * on telemetry's threads and only read the workers' counters. */
#ifndef DNSYN_TELEMETRY_H
#define DNSYN_TELEMETRY_H

#include "dnsyn_app.h"
#include "dnsyn_export.h"

/** What the commands read; filled before dnsyn_telemetry_register(). */
struct dnsyn_live {
	struct dnsyn_rx_ctx *rx;
	unsigned int n_rx;
	struct dnsyn_corr_ctx *cc;
	unsigned int n_shards;
	const uint16_t *ports;
	unsigned int n_ports;
	const struct dnsyn_export *xport;  /**< NULL without --ipfix */
	const uint64_t *intervals_written; /**< the interval writer's count */
};

/** Register /dnsyn/stats. 0 or a negative errno (telemetry disabled is fine). */
int dnsyn_telemetry_register(const struct dnsyn_live *live);

#endif
