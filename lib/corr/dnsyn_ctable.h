/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation lcore: the pending-answer table of one shard. Fixed capacity,
 * allocated once by the caller, no allocation afterwards.
 *
 * Answers live in a FIFO ring of answer records. Their addresses (A/AAAA RRs)
 * go into time buckets: each bucket is an open-addressed hash table holding the
 * addresses inserted during its time span (a power of two of ns), probed by
 * groups of 15 slots through one control byte per slot (empty, removed, or an
 * 8-bit fingerprint of the key: Swiss-table style) and a 16th byte that tells
 * which keys overflowed to the next group. The control bytes of one
 * group index in every bucket sit side by side, so a lookup reads the
 * fingerprints of all its buckets from one or two cache lines, and the entry
 * itself only on a fingerprint match. A lookup probes every bucket that can
 * still hold an answer inside the window; expiry drops a whole bucket at once
 * (its control bytes are cleared when it is reused). When the current bucket
 * fills up before its span ends, dnsyn starts the next bucket early, which
 * evicts the oldest one: counted, never silent. dnsyn_ctable_prefetch() (and
 * dnsyn_ctable_prefetch_lookup() for a lookup) lets a caller working through a
 * burst of events fetch those lines a few events ahead;
 * dnsyn_ctable_lookup_burst() looks up n keys at once, overlapping their
 * memory reads. Pure: no DPDK, no clock. */
#ifndef DNSYN_CTABLE_H
#define DNSYN_CTABLE_H

#include <stddef.h>
#include <stdint.h>

struct dnsyn_ctable_cfg {
	uint32_t capacity;  /**< addresses tracked at once, all buckets together (<= 2^30) */
	uint32_t answers;   /**< answer records (0: capacity / 2) */
	uint32_t n_buckets; /**< at most this many time buckets, power of two in [4, 64]
			     *   (0: 8); fewer when a power-of-two span needs fewer */
	uint64_t window_ns; /**< the match window */
};

/** One pending answer. 32 bytes. */
struct dnsyn_ctable_answer {
	uint64_t ts_ns;
	uint32_t seq;       /**< generation of this record (0: never used): detects reuse */
	uint8_t matched;    /**< caller's flags (the correlator: fam x variant bits) */
	uint8_t pad[3];
	uint8_t client[16];
};

struct dnsyn_ctable_stats {
	uint64_t answers;         /**< answer records added */
	uint64_t addrs;           /**< addresses added */
	uint64_t evicted_addrs;   /**< addresses dropped before their window ended */
	uint64_t expired_addrs;   /**< addresses dropped with their bucket after the window */
	uint64_t evicted_answers; /**< answer records reused before their window ended */
	uint64_t early_rolls;     /**< buckets started early because one was full */
	uint64_t lookups;
	uint64_t probes;          /**< slots read by lookups: entries whose key was compared
				   *   (their control byte held the key's fingerprint) */
	uint64_t groups;          /**< control groups (15 slots of one bucket) read by lookups */
};

struct dnsyn_ctable;

/** Bytes needed for @p cfg; 0 when cfg is invalid. */
size_t dnsyn_ctable_memsize(const struct dnsyn_ctable_cfg *cfg);

/** Lay out a table in @p mem (64-byte aligned, dnsyn_ctable_memsize() bytes). */
struct dnsyn_ctable *dnsyn_ctable_init(void *mem, const struct dnsyn_ctable_cfg *cfg);

/** Width of a time bucket in ns: the smallest power of two >= window/(n_buckets-2). */
uint64_t dnsyn_ctable_bucket_ns(const struct dnsyn_ctable *t);

/** Bytes per tracked address, everything included, at full capacity. */
double dnsyn_ctable_bytes_per_addr(const struct dnsyn_ctable *t);

/**
 * Start an answer at @p ts_ns for @p client. Returns an opaque handle for
 * dnsyn_ctable_addr_add(). Reusing the oldest record while it may
 * still match counts in evicted_answers.
 */
uint64_t dnsyn_ctable_answer_add(struct dnsyn_ctable *t, uint64_t ts_ns, const uint8_t client[16]);

/** Track address @p addr of family @p fam (caller's tag, < 255) for answer @p h. */
void dnsyn_ctable_addr_add(struct dnsyn_ctable *t, uint64_t h, const uint8_t addr[16],
			   uint8_t fam, uint64_t ts_ns);

/**
 * Called for each pending answer holding @p addr with @p fam (at most once per
 * address entry, in no particular order). Return 1 to remove this address
 * entry (the answer is done with it), 0 to keep it.
 */
typedef int (*dnsyn_ctable_visit)(void *ud, struct dnsyn_ctable_answer *a);

/**
 * Visit the pending answers of @p addr whose bucket can still be inside the
 * window at @p now_ns (the visitor checks the exact time rule).
 * @return number of answers visited
 */
unsigned int dnsyn_ctable_lookup(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam,
				 uint64_t now_ns, dnsyn_ctable_visit visit, void *ud);

/**
 * Prefetch what an insert of @p addr / @p fam will read: its home group's
 * control bytes in the current bucket, then the slot it will take. Reads
 * nothing itself and changes nothing; call it a few events ahead (the
 * correlator and scripts/bench_ctable use 8) so that the lines are in cache
 * when the event comes.
 */
void dnsyn_ctable_prefetch(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam);

/**
 * dnsyn_ctable_prefetch() for a lookup: the control bytes of the key's group
 * in every bucket holding entries, then the entries whose fingerprint matches,
 * then their answer records. Shares the pipeline with dnsyn_ctable_prefetch():
 * the two can be mixed in one burst.
 */
void dnsyn_ctable_prefetch_lookup(const struct dnsyn_ctable *t, const uint8_t addr[16],
				  uint8_t fam);

/** Visitor of dnsyn_ctable_lookup_burst(): @p i is the key's index in the burst. */
typedef int (*dnsyn_ctable_visit_at)(void *ud, unsigned int i, struct dnsyn_ctable_answer *a);

/**
 * dnsyn_ctable_lookup() of @p n keys (addrs[i], fams[i], at now_ns[i]), one
 * after the other: the same visits in the same order (key 0's, then key
 * 1's, ...), the same removals, results and counters as n calls in a row.
 * Faster at scale: the keys go through a pipeline (hash and control row,
 * row scan and entry, key compare and answer record, visit) a few keys
 * apart, each step done once, so that one key's memory reads overlap the
 * others' work. A visitor may remove entries (an earlier key's removal is
 * seen by a later equal key) but, as for dnsyn_ctable_lookup(), must not call
 * the table itself; a caller with inserts between lookups splits its bursts
 * there.
 * @return answers visited, all keys together
 */
unsigned int dnsyn_ctable_lookup_burst(struct dnsyn_ctable *t, const uint8_t *const addrs[],
				       const uint8_t fams[], const uint64_t now_ns[],
				       unsigned int n, dnsyn_ctable_visit_at visit, void *ud);

/**
 * Where @p addr / @p fam sits in every bucket: its home group (of @p n_groups
 * per bucket) and its control-byte fingerprint. For tests and tools that need
 * keys that collide; no part of the table's contract.
 */
void dnsyn_ctable_key_place(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam,
			    uint32_t *group, uint32_t *n_groups, uint8_t *fp);

/** Addresses currently held (live buckets, entries not removed). */
uint64_t dnsyn_ctable_occupancy(const struct dnsyn_ctable *t);

const struct dnsyn_ctable_stats *dnsyn_ctable_stats(const struct dnsyn_ctable *t);

/** Number of answer records (a caller may keep per-record data alongside). */
uint32_t dnsyn_ctable_answers(const struct dnsyn_ctable *t);

/** Index, in [0, dnsyn_ctable_answers()), of a record a visitor was given. */
uint32_t dnsyn_ctable_answer_index(const struct dnsyn_ctable *t,
				   const struct dnsyn_ctable_answer *a);

#endif
