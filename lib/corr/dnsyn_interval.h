/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation side, pure: the tables of one interval of packet time (default
 * 60 s, the paper's one-minute set), filled by dnsyn_paper as events come and
 * handed over whole when packet time crosses the interval's end. */
#ifndef DNSYN_INTERVAL_H
#define DNSYN_INTERVAL_H

#include <stdint.h>

#include "dnsyn_map.h"
#include "dnsyn_namelog.h"

/** Query types counted per client (Musashi et al.'s Dq(i), split by type). */
enum { DNSYN_IVQ_A, DNSYN_IVQ_AAAA, DNSYN_IVQ_MX, DNSYN_IVQ_PTR, DNSYN_IVQ_TXT,
       DNSYN_IVQ_OTHER, DNSYN_IVQ_MAX };

/** Clients with their own record in one interval, at most (about 90 bytes
 *  each); the rest are counted in clients_refused. */
#define DNSYN_IV_CLIENTS_MAX 65536

/** One client's DNS and SYN activity in one interval. */
struct dnsyn_iv_client {
	uint8_t addr[16];
	uint64_t queries[DNSYN_IVQ_MAX];
	uint64_t responses, nxdomain; /**< DNS answers it received */
	uint64_t unmatched_syn;       /**< its SYNs that followed no answer */
	uint64_t syn, matched_syn;    /**< its SYNs; those that followed an answer */
	uint64_t mail_syn, smtp_syn, pop_syn; /**< to mail ports; SMTP; POP3 */
	/** Destinations of its unmatched SYNs, linear counting (one bit per
	 *  hash of the address): distinct counts up to a few hundred, in 16
	 *  bytes, enough for the scan detector's thresholds. */
	uint64_t unm_dst_bits[2];
	/** Its distinct question names, the same way (a worm's MX lookups
	 *  for hundreds of domains, a random-subdomain attack). */
	uint64_t name_bits[2];
};

/** Distinct-count estimate of a 128-bit linear-counting bitmap. */
uint32_t dnsyn_iv_bits_estimate(const uint64_t bits[2]);

/** The ports that count as mail (SMTP 25, 465, 587; POP3 110, 995; IMAP 143, 993). */
static inline int
dnsyn_port_is_smtp(uint16_t p)
{
	return p == 25 || p == 465 || p == 587;
}

static inline int
dnsyn_port_is_pop(uint16_t p)
{
	return p == 110 || p == 995;
}

static inline int
dnsyn_port_is_mail(uint16_t p)
{
	return dnsyn_port_is_smtp(p) || dnsyn_port_is_pop(p) || p == 143 || p == 993;
}

/** Resolvers an interval counts, at most; more are counted in resolvers_refused. */
#define DNSYN_IV_RESOLVERS_MAX 4096

/** The DNSYN_IVQ_* of a query type. */
static inline unsigned int
dnsyn_ivq_of(uint16_t qtype)
{
	switch (qtype) {
	case 1: return DNSYN_IVQ_A;
	case 28: return DNSYN_IVQ_AAAA;
	case 15: return DNSYN_IVQ_MX;
	case 12: return DNSYN_IVQ_PTR;
	case 16: return DNSYN_IVQ_TXT;
	default: return DNSYN_IVQ_OTHER;
	}
}

/** Correlation aggregates an interval holds, at most (about 230 bytes each);
 *  matches of further keys are counted in corr_refused. */
#define DNSYN_IV_CORR_MAX 65536

/** Matched SYNs of one (client, server address, destination port). */
struct dnsyn_iv_corr {
	uint8_t client[16], server[16];
	uint16_t dport;
	uint8_t name_len;
	uint8_t name_trunc;
	uint32_t ttl_min;          /**< smallest answer TTL among the matches, s */
	uint64_t first_ns, last_ns; /**< first / last matched SYN */
	uint64_t syns;
	uint64_t delay_sum_ns, delay_min_ns, delay_max_ns;
	char name[DNSYN_NAME_MAX]; /**< the question name of the first match's answer */
};

/** One matched SYN, as the correlation saw it (name may be NULL). */
struct dnsyn_corr_match {
	const uint8_t *client, *server;
	uint16_t dport;
	uint64_t syn_ns, delay_ns;
	uint32_t ttl;
	const char *name;
	int name_len; /**< < 0: the name is not known */
	int name_trunc;
};

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
	/** Per-client records: client -> index + 1 into cl[0..n_cl). */
	struct dnsyn_map clients;
	struct dnsyn_iv_client *cl;
	uint32_t n_cl, cap_cl;
	uint64_t clients_refused; /**< events of clients past DNSYN_IV_CLIENTS_MAX */
	/** Correlation aggregates: key (client, server, dport) -> index + 1. */
	struct dnsyn_map corr;
	struct dnsyn_iv_corr *co;
	uint32_t n_co, cap_co;
	uint64_t corr_refused;    /**< matched SYNs past DNSYN_IV_CORR_MAX keys */
	/** Per resolver (16-byte address): answers it sent << 32 | queries it
	 *  received (each < 2^32 in an interval). */
	struct dnsyn_map resolvers;
	uint64_t corr_no_name;    /**< matched SYNs whose answer's name was gone */
};

/** A query of @p c for the name of hash @p name_hash (0: none). */
static inline void
dnsyn_iv_client_name(struct dnsyn_iv_client *c, uint32_t name_hash)
{
	/* the hash's top bits: its low bits also pick map slots elsewhere */
	if (name_hash)
		c->name_bits[name_hash >> 31] |= 1ULL << ((name_hash >> 25) & 63);
}

/** Count a SYN of @p src to @p dst:@p dport in its client's record, matched
 *  (by the main key) or not. */
void dnsyn_interval_syn(struct dnsyn_interval *iv, const uint8_t src[16], const uint8_t dst[16],
			uint16_t dport, int matched);

/** An answer sent (@p answer 1) or a query received (0) by @p resolver. */
void dnsyn_interval_resolver(struct dnsyn_interval *iv, const uint8_t resolver[16], int answer);

/** Count a matched SYN in its (client, server, dport) aggregate. */
void dnsyn_interval_corr_add(struct dnsyn_interval *iv, const struct dnsyn_corr_match *m);

/** The record of @p addr in @p iv, made when new; NULL when the interval
 *  has DNSYN_IV_CLIENTS_MAX already (counted) or memory ran out. */
struct dnsyn_iv_client *dnsyn_interval_client(struct dnsyn_interval *iv, const uint8_t addr[16]);

/**
 * Allocate the per-port arrays and the client map (at most @p max_clients per
 * interval; more are counted in unmatched_clients.refused). 0 or -ENOMEM.
 */
int dnsyn_interval_init(struct dnsyn_interval *iv, uint32_t len_s, uint32_t max_clients);
void dnsyn_interval_fini(struct dnsyn_interval *iv);

/** Empty it and set its start. */
void dnsyn_interval_reset(struct dnsyn_interval *iv, uint64_t start_s);

/**
 * Add @p src's counts to @p dst (same interval, counted by another shard or
 * stage). Clients beyond dst's bound go to its unmatched_clients.refused.
 */
void dnsyn_interval_add(struct dnsyn_interval *dst, const struct dnsyn_interval *src);

/** How dnsyn_interval_add_xform shows clients and names in the sum (any
 *  member NULL: left as they are). */
struct dnsyn_iv_xform {
	void (*client)(const void *ud, const uint8_t in[16], uint8_t out[16]);
	/** Rewrite @p len bytes of @p name (buffer of @p cap) in place; the new length. */
	size_t (*name)(const void *ud, char *name, size_t len, size_t cap);
	const void *ud;
};

/**
 * dnsyn_interval_add, with every client address (unmatched-SYN map, client
 * records, correlation keys) and question name passed through @p xf first:
 * records whose transformed clients coincide are merged.
 */
void dnsyn_interval_add_xform(struct dnsyn_interval *dst, const struct dnsyn_interval *src,
			      const struct dnsyn_iv_xform *xf);

/**
 * Hands over a finished interval and returns an empty one to fill next (it may
 * be the same). Called on the lcore that fills it.
 */
typedef struct dnsyn_interval *(*dnsyn_interval_cb)(void *ud, struct dnsyn_interval *done);

/**
 * The interval one correlation stage is filling, driven by packet time: an
 * event at or past its end hands it over and starts the one the event falls in;
 * an older event (time going backwards) stays in the current one.
 */
struct dnsyn_ivclock {
	struct dnsyn_interval *iv; /**< NULL: no interval tables */
	uint64_t end_ns;           /**< 0: none started */
	uint64_t done_ns;          /**< every interval ending <= this was handed over */
	dnsyn_interval_cb cb;
	void *ud;
};

void dnsyn_ivclock_roll(struct dnsyn_ivclock *c, uint64_t ts_ns);

/** The interval an event at @p ts_ns counts in (NULL without interval tables). */
static inline struct dnsyn_interval *
dnsyn_ivclock_at(struct dnsyn_ivclock *c, uint64_t ts_ns)
{
	if (c->iv == NULL)
		return NULL;
	if (ts_ns >= c->end_ns)
		dnsyn_ivclock_roll(c, ts_ns);
	return c->iv;
}

/** No event older than @p now_ns will come: hand over the interval if it ended. */
void dnsyn_ivclock_advance(struct dnsyn_ivclock *c, uint64_t now_ns);

/** End of the run: hand over the interval in progress, if one was started. */
void dnsyn_ivclock_flush(struct dnsyn_ivclock *c);

#endif
