/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: Ethernet port set-up (main lcore, before launch). */
#ifndef DNSYN_PORT_H
#define DNSYN_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

/**
 * Configure and start @p port with @p nb_rxq RX queues and no TX queue. RSS
 * (symmetric key) when more than one queue, masked by what the device supports.
 * @return 0 or -errno with a one-line message in @p err
 */
int dnsyn_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_desc, struct rte_mempool *mp,
		     char *err, size_t errlen);

#endif
