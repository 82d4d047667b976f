/* SPDX-License-Identifier: BSD-3-Clause */
/* Sharded correlation, second stage: grants each answer to the earliest SYN
 * of all shards that claimed it (see struct dnsyn_cand in dnsyn_paper.h).
 * Claims must come in capture order, (syn_ts, syn_queue, syn_seq), which the
 * caller gets by merging the shards' claim streams. Pure: no DPDK.
 *
 * Why this is exact: an answer's earliest SYN overall is also the earliest in
 * the shard of its destination, so that shard claims it. Claims that come
 * later for an answer already granted lose. */
#ifndef DNSYN_RESOLVE_H
#define DNSYN_RESOLVE_H

#include <stdint.h>

#include "dnsyn_interval.h"
#include "dnsyn_paper.h"

struct dnsyn_resolve_cfg {
	uint64_t window_ns;
	/** Answers remembered as granted per window of answer time (0: 2^20).
	 *  Past it a grant is not remembered (counted in overflow). */
	uint32_t max_answers;
	uint8_t key_client; /**< as dnsyn_paper_cfg.key_client of the shards */
	uint8_t corr_records; /**< as dnsyn_paper_cfg.corr_records of the shards */
	struct dnsyn_interval *interval_first; /**< NULL: no interval tables */
	dnsyn_interval_cb interval_cb;
	void *interval_ud;
};

struct dnsyn_resolve_counters {
	uint64_t claims;     /**< claims seen */
	uint64_t granted;    /**< (answer, variant) pairs granted */
	uint64_t lost;       /**< claims on answers another shard's SYN took first */
	uint64_t overflow;   /**< grants not remembered: a later claim may win too */
	uint64_t out_of_order; /**< claims older than one already resolved (packet
				*   time went backwards): their grants may differ
				*   from one shard's */
};

struct dnsyn_resolve;

struct dnsyn_resolve *dnsyn_resolve_create(const struct dnsyn_resolve_cfg *cfg);
void dnsyn_resolve_destroy(struct dnsyn_resolve *r);

/** One claim; a SYN's claims are consecutive, the last has c->last set. */
void dnsyn_resolve_claim(struct dnsyn_resolve *r, const struct dnsyn_cand *c);

/** No claim older than @p now_ns will come (hands over an ended interval). */
void dnsyn_resolve_advance(struct dnsyn_resolve *r, uint64_t now_ns);

/** Every interval ending at or before this time was handed over. */
uint64_t dnsyn_resolve_interval_done(const struct dnsyn_resolve *r);

/** End of run: hand over the interval in progress. */
void dnsyn_resolve_flush(struct dnsyn_resolve *r);

/** The matched side of the paper's statistics (the rest is the shards'). */
const struct dnsyn_paper_stats *dnsyn_resolve_stats(const struct dnsyn_resolve *r);

const struct dnsyn_resolve_counters *dnsyn_resolve_counters(const struct dnsyn_resolve *r);

#endif
