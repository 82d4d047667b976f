/* SPDX-License-Identifier: BSD-3-Clause */
/* Export side, pure: the records of one closed interval (lib/corr's
 * dnsyn_interval) as IPFIX per-port and per-client records. */
#ifndef DNSYN_IPFIX_INTERVAL_H
#define DNSYN_IPFIX_INTERVAL_H

#include "dnsyn_interval.h"
#include "dnsyn_ipfix.h"

/** Return 0 to go on, negative to stop the walk (returned as is). */
typedef int (*dnsyn_ipfix_port_cb)(void *ud, const struct dnsyn_ipfix_port_rec *r);
typedef int (*dnsyn_ipfix_client_cb)(void *ud, const struct dnsyn_ipfix_client_rec *r);
typedef int (*dnsyn_ipfix_corr_cb)(void *ud, const struct dnsyn_ipfix_corr_rec *r);

/**
 * Call @p port_cb for every destination port with SYNs in @p iv (ascending),
 * then @p client_cb for every client record of the interval (queries by
 * type, responses, NXDOMAIN, unmatched SYNs; in order of first activity).
 * then @p corr_cb for every correlation aggregate (client, server, dport).
 * Any callback may be NULL.
 *
 * @return records produced, or the first negative callback return
 */
long dnsyn_ipfix_from_interval(const struct dnsyn_interval *iv, dnsyn_ipfix_port_cb port_cb,
			       dnsyn_ipfix_client_cb client_cb, dnsyn_ipfix_corr_cb corr_cb,
			       void *ud);

#endif
