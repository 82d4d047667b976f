/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation lcore: the method of Rikitake et al. 2003 (§4) over the event
 * stream, with the exact definitions of docs/report.md. Events must arrive in
 * capture order (one RX queue, or merged by the caller). Pure: no DPDK. */
#ifndef DNSYN_PAPER_H
#define DNSYN_PAPER_H

#include <stdint.h>

#include "dnsyn_event.h"
#include "dnsyn_ctable.h"
#include "dnsyn_interval.h"
#include "dnsyn_map.h"
#include "dnsyn_stats.h"

#define DNSYN_HIST_BINS 100
/* A SYN retransmission comes within about a minute (Linux: the 6th and last
 * retry at 63 s): remembering SYNs for at least 120 s of packet time tells
 * retransmissions from new SYNs without keeping a whole run's SYNs. */
#define DNSYN_SYN_SET_SPAN_S 120
#define DNSYN_SYN_SET_MAX (1u << 20)
#define DNSYN_QPC_MAX (1u << 20)
#define DNSYN_HIST_BIN_NS (10 * DNSYN_NS_PER_MS)

enum { DNSYN_FAM_V4 = 0, DNSYN_FAM_V6, DNSYN_FAM_MAX };
/** Match key variants: the paper's (destination only) and destination + client. */
enum { DNSYN_VAR_DST = 0, DNSYN_VAR_DST_CLIENT, DNSYN_VAR_MAX };

struct dnsyn_paper_variant {
	uint64_t matched_syns;    /**< distinct SYN packets selected by >= 1 answer */
	uint64_t matched_answers; /**< answers that got a SYN */
	uint64_t hist_10ms[DNSYN_HIST_BINS]; /**< answer->SYN delay of matched answers */
	uint64_t delay_sum_ns;
	struct dnsyn_logh delay_log; /**< the same delays, 1 us .. 10 s log bins */
	uint64_t *matched_dport;  /**< [65536]: destination ports of matched SYNs */
};

/** One address family: A RRs vs IPv4 SYNs, or AAAA RRs vs IPv6 SYNs. */
struct dnsyn_paper_family {
	uint64_t answers_with; /**< answers with >= 1 such RR */
	uint64_t total_rrs;
	struct dnsyn_paper_variant var[DNSYN_VAR_MAX];
};

struct dnsyn_paper_stats {
	uint64_t dns_answers;
	uint64_t dns_queries;
	uint64_t rcodes[16];
	uint64_t answers_tcp, answers_reasm, answers_tc, answers_v6;
	uint64_t answers_with_cname, cname_rrs;
	uint64_t total_syn, syn_v4, syn_v6, synack;
	uint64_t syn_unique;
	uint64_t *syn_dport; /**< [65536] destination ports of all SYNs */
	struct dnsyn_paper_family fam[DNSYN_FAM_MAX];
	/* diagnostics */
	uint64_t ts_backwards;     /**< events older than the newest seen */
	uint64_t pending_expired;  /**< answer addresses that aged out unmatched (found past
				    *   the window by a SYN, or dropped with their time bucket) */
	uint64_t addr_events;
	uint64_t claims;           /**< sharded: claims sent to the resolver */
	uint64_t oom;              /**< allocation failures (entries not tracked) */
	uint64_t syn_set_rotations_early; /**< the distinct-SYN set filled up before its
					   *   span: its older half was dropped early */
	uint64_t qpc_refused;      /**< queries not counted per client: the map was full */
};

/**
 * Sharded correlation (several dnsyn_paper shards, addresses split by hash):
 * a shard cannot tell alone whether a SYN is an answer's earliest, since the
 * answer's other addresses may sit in other shards. So a SYN that is the first
 * in its shard to reach a pending answer sends a claim to the resolver
 * (dnsyn_resolve.h), which sees the claims of all shards in capture order and
 * grants each answer to its earliest claim. A SYN that claims nothing is
 * unmatched for sure, and the shard counts it so.
 */
struct dnsyn_cand {
	uint64_t syn_ts;
	uint64_t ans_ts;
	uint64_t answer;   /**< queue << 56 | the queue's answer count */
	uint32_t syn_seq;  /**< the SYN's seq in its queue: (ts, queue, seq) orders claims */
	uint8_t syn_queue;
	uint8_t fam;       /**< DNSYN_FAM_* */
	uint8_t vars;      /**< bit v: claims the answer for key variant v */
	uint8_t last;      /**< last claim of this SYN */
	uint16_t dport;
	uint8_t pad[14];
	uint8_t src[16];   /**< the SYN's source: the client */
	/* For the correlation records (cfg corr_records), else unset: */
	uint8_t dst[16];   /**< the SYN's destination: the server */
	uint32_t ttl;      /**< the answer's TTL */
	int16_t name_len;  /**< the answer's question name; < 0: not known */
	uint8_t name_trunc;
	uint8_t pad2[1];
	char name[DNSYN_NAME_MAX];
	uint8_t pad3[48];
};
_Static_assert(sizeof(struct dnsyn_cand) == 256, "claim is four cache lines");

typedef void (*dnsyn_cand_cb)(void *ud, const struct dnsyn_cand *c);

struct dnsyn_paper_cfg {
	uint64_t window_ns;        /**< match window (paper: 1 s) */
	uint32_t qpc_bucket_s;     /**< queries-per-client bucket (60 s) */
	uint32_t table_capacity;   /**< answer addresses tracked at once (0: 65536) */
	uint32_t table_buckets;    /**< time buckets of the table (0: 8) */
	/** Distinct SYNs (syn_unique) are told apart by a set of the SYNs of the
	 *  last DNSYN_SYN_SET_SPAN_S to 2x that of packet time, at most this
	 *  many keys (0: DNSYN_SYN_SET_MAX); full, it forgets its older half. */
	uint32_t syn_set_max;
	/** Keys (client, bucket) of the per-client query counts (0: DNSYN_QPC_MAX);
	 *  past it, queries are counted in qpc_refused only. */
	uint32_t qpc_max;
	/** Memory for the table (dnsyn_paper_table_memsize() bytes, 64-byte
	 *  aligned, e.g. on the right NUMA socket), or NULL to allocate it. */
	void *table_mem;
	/** Interval tables: NULL for none. @p interval_first is filled first;
	 *  each time packet time passes its end, @p interval_cb gets it. */
	struct dnsyn_interval *interval_first;
	dnsyn_interval_cb interval_cb;
	void *interval_ud;
	/** Table key: 0 = the destination address (the paper; both key
	 *  variants counted), 1 = (client, destination): only the
	 *  DNSYN_VAR_DST_CLIENT variant, but a SYN visits its own client's
	 *  answers only, however many clients resolved the same address. */
	uint8_t key_client;
	/** Correlation records: each interval also gets the matched SYNs per
	 *  (client, server, dport) with delays, TTL and the question name,
	 *  read from @p names[queue] (NULL entries: no name). */
	uint8_t corr_records;
	const struct dnsyn_namelog *const *names;
	/** Sharded mode: SYN claims go here (NULL: one shard, matched at once). */
	dnsyn_cand_cb cand_cb;
	void *cand_ud;
};

struct dnsyn_paper;

/** Bytes of table memory @p cfg needs (0 when invalid). */
size_t dnsyn_paper_table_memsize(const struct dnsyn_paper_cfg *cfg);

/** NULL on allocation failure or invalid config (window 0). */
struct dnsyn_paper *dnsyn_paper_create(const struct dnsyn_paper_cfg *cfg);
void dnsyn_paper_destroy(struct dnsyn_paper *p);

/** Feed one event. Events are taken in order; see the file comment. */
void dnsyn_paper_event(struct dnsyn_paper *p, const struct dnsyn_event *ev);

/**
 * Announce an event that dnsyn_paper_event() will get a few events later
 * (the correlator: 8 ahead within a ring burst): prefetches the table lines a
 * SYN's lookup or an address's insert reads, and keeps a SYN's digest for
 * its turn. Changes no result.
 */
void dnsyn_paper_prefetch(struct dnsyn_paper *p, const struct dnsyn_event *ev);

/** Add @p n SYN-ACKs counted without events (the RX lcores' count when no
 *  interval table needs their time). */
void dnsyn_paper_add_synacks(struct dnsyn_paper *p, uint64_t n);

/** Table 1's counts of DNS answers: what an ANSWER event adds to the
 *  statistics, so that an RX lcore can count answers itself when no
 *  interval table needs them as events. */
struct dnsyn_answer_counts {
	uint64_t answers, rcodes[16], tcp, reasm, tc, v6;
	uint64_t with_a, a_rrs, with_aaaa, aaaa_rrs, with_cname, cname_rrs;
};

/** Count ANSWER event @p ev into @p c. */
static inline void
dnsyn_answer_count(struct dnsyn_answer_counts *c, const struct dnsyn_event *ev)
{
	c->answers++;
	c->rcodes[ev->rcode & 0x0f]++;
	c->tcp += (ev->flags & DNSYN_EVF_TCP) != 0;
	c->reasm += (ev->flags & DNSYN_EVF_REASM) != 0;
	c->tc += (ev->flags & DNSYN_EVF_TC) != 0;
	c->v6 += (ev->flags & DNSYN_EVF_V6) != 0;
	c->with_a += ev->u.dns.n_a > 0;
	c->a_rrs += ev->u.dns.n_a;
	c->with_aaaa += ev->u.dns.n_aaaa > 0;
	c->aaaa_rrs += ev->u.dns.n_aaaa;
	c->with_cname += ev->u.dns.n_cname > 0;
	c->cname_rrs += ev->u.dns.n_cname;
}

/** Add answers counted without events (the RX lcores' count when no
 *  interval table needs them). */
void dnsyn_paper_add_answers(struct dnsyn_paper *p, const struct dnsyn_answer_counts *c);

const struct dnsyn_paper_stats *dnsyn_paper_stats(const struct dnsyn_paper *p);

const struct dnsyn_paper_cfg *dnsyn_paper_config(const struct dnsyn_paper *p);

/** Per-client query counts: key = 16-byte client address + 8-byte bucket start (s). */
const struct dnsyn_map *dnsyn_paper_qpc(const struct dnsyn_paper *p);

/** Hand over the interval in progress, if it counted anything (end of run). */
void dnsyn_paper_flush(struct dnsyn_paper *p);

/**
 * No event older than @p now_ns will come (the merge's watermark): hand over
 * the interval if it has ended, so an idle shard does not hold others back.
 */
void dnsyn_paper_advance(struct dnsyn_paper *p, uint64_t now_ns);

/** Every interval ending at or before this time was handed over. */
uint64_t dnsyn_paper_interval_done(const struct dnsyn_paper *p);

/**
 * Add the counts of another shard (or the resolver's, src_paper NULL and
 * @p src given) into @p dst: totals for the report. 0 or -ENOMEM.
 */
int dnsyn_paper_merge(struct dnsyn_paper *dst, const struct dnsyn_paper *src_paper,
		      const struct dnsyn_paper_stats *src);

/* Shared with the resolver: the bookkeeping of one granted answer, and of a
 * SYN once it is known to be matched (per variant) or not; the interval's
 * matched/unmatched split follows variant @p var_main. @p iv may be NULL. */
void dnsyn_paper_count_match(struct dnsyn_paper_stats *st, struct dnsyn_interval *iv,
			     unsigned int fam, unsigned int var, uint64_t dt);
void dnsyn_paper_count_verdict(struct dnsyn_paper_stats *st, struct dnsyn_interval *iv,
			       unsigned int fam, uint16_t dport, const uint8_t src[16],
			       const uint8_t dst[16], const int *hit, unsigned int var_main);

/** A SYN's correlation record (corr_records): the match @p c describes
 *  (its src, dst, dport, syn_ts, ans_ts, ttl and name) into @p iv. */
void dnsyn_paper_count_corr(struct dnsyn_interval *iv, const struct dnsyn_cand *c);

/** The variant the interval tables and the unmatched-SYN signal follow:
 *  DNSYN_VAR_DST, or DNSYN_VAR_DST_CLIENT with the (client, address) key. */
static inline unsigned int
dnsyn_paper_var_main(uint8_t key_client)
{
	return key_client ? DNSYN_VAR_DST_CLIENT : DNSYN_VAR_DST;
}

/** Pending (unmatched, unexpired) answer addresses currently tracked. */
uint64_t dnsyn_paper_pending(const struct dnsyn_paper *p);

/** The pending-answer table's own statistics (evictions, probes...). */
const struct dnsyn_ctable_stats *dnsyn_paper_table_stats(const struct dnsyn_paper *p);

/** Bytes per tracked address of the table, everything included. */
double dnsyn_paper_table_bytes_per_addr(const struct dnsyn_paper *p);

#endif
