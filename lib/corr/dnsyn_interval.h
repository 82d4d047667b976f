/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation side, pure: the tables of one interval of packet time (default
 * 60 s, the paper's one-minute set), filled by dnsyn_paper as events come and
 * handed over whole when packet time crosses the interval's end. */
#ifndef DNSYN_INTERVAL_H
#define DNSYN_INTERVAL_H

#include <stdint.h>

#include "dnsyn_map.h"

struct dnsyn_interval {
	uint64_t start_s;         /**< interval start, seconds (aligned to len_s) */
	uint32_t len_s;
	uint64_t events;          /**< events counted in this interval */
	uint64_t dns_answers, answers_with_a, a_rrs, answers_with_aaaa, aaaa_rrs;
	uint64_t dns_queries, nxdomain;
	uint64_t syn, synack;
	uint64_t matched_syns[2];    /**< [dst_only, dst_and_client], A and AAAA */
	uint64_t matched_answers[2];
	uint64_t *syn_dport;         /**< [65536] all SYNs by destination port */
	uint64_t *matched_dport;     /**< [65536] SYNs matched (dst_only) */
	/** Unmatched SYNs per client (16-byte source): the scanning signal. */
	struct dnsyn_map unmatched_clients;
};

/**
 * Allocate the per-port arrays and the client map (at most @p max_clients per
 * interval; more are counted in unmatched_clients.refused). 0 or -ENOMEM.
 */
int dnsyn_interval_init(struct dnsyn_interval *iv, uint32_t len_s, uint32_t max_clients);
void dnsyn_interval_fini(struct dnsyn_interval *iv);

/** Empty it and set its start. */
void dnsyn_interval_reset(struct dnsyn_interval *iv, uint64_t start_s);

#endif
