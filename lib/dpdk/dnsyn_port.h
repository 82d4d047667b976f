/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: Ethernet port set-up (main lcore, before launch). */
#ifndef DNSYN_PORT_H
#define DNSYN_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dnsyn_clock.h"

/**
 * Configure and start @p port with @p nb_rxq RX queues and no TX queue. RSS
 * (symmetric key) when more than one queue, masked by what the device supports.
 * @p hw_ts (may be NULL): set to 1 when the device stamps received packets
 * with its own clock (the RX timestamp offload, then enabled), else 0.
 * @return 0 or -errno with a one-line message in @p err
 */
int dnsyn_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_desc, struct rte_mempool *mp,
		     int *hw_ts, char *err, size_t errlen);

/**
 * Map @p port's NIC clock onto wall-clock time (two readings 100 ms apart).
 * 0, or -errno with @p err filled (the device cannot read its clock).
 */
int dnsyn_port_clock_fit(uint16_t port, struct dnsyn_clock_map *m, char *err, size_t errlen);

#endif
