/* SPDX-License-Identifier: BSD-3-Clause */
/* The paper's correlation. Every answer with addresses becomes a record in
 * the fixed-capacity, time-bucketed table (dnsyn_ctable.h), each address an
 * entry. A SYN looks up its destination; every pending answer it satisfies is
 * matched by it (it is that answer's earliest qualifying SYN, since the answer
 * is still pending). An address entry leaves once both key variants matched
 * for its family, when a SYN finds it past the window, or with its bucket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_paper.h"

/* Bits of dnsyn_ctable_answer.matched: one per (family, key variant). */
#define MATCHED_BIT(fam, var) (1u << ((fam) * DNSYN_VAR_MAX + (var)))

/* Per-queue "answer being assembled": ADDR events follow their ANSWER on the
 * same ring, so the link is positional. */
struct cur_answer {
	uint64_t h;      /* table handle, once the first address came */
	uint64_t ts;
	uint8_t client[16];
	uint8_t valid;   /* an ANSWER came on this queue */
	uint8_t has_h;
};

struct dnsyn_paper {
	struct dnsyn_paper_cfg cfg;
	struct dnsyn_paper_stats st;
	struct dnsyn_ctable *ct;
	void *ct_owned;            /* table memory we allocated, if any */
	uint64_t expired_by_syn;   /* entries a SYN found past the window */
	uint64_t max_ts;
	struct dnsyn_map syn_set;
	struct dnsyn_map qpc;
	struct cur_answer cur[256];
	struct dnsyn_interval *iv; /* NULL: no interval tables */
	uint64_t iv_end_ns;        /* 0 until the first event starts one */
};

struct syn_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint32_t isn;
};

static void
table_cfg(const struct dnsyn_paper_cfg *cfg, struct dnsyn_ctable_cfg *tc)
{
	memset(tc, 0, sizeof(*tc));
	tc->capacity = cfg->table_capacity ? cfg->table_capacity : 65536;
	tc->n_buckets = cfg->table_buckets;
	tc->window_ns = cfg->window_ns;
}

size_t
dnsyn_paper_table_memsize(const struct dnsyn_paper_cfg *cfg)
{
	struct dnsyn_ctable_cfg tc;

	table_cfg(cfg, &tc);
	return dnsyn_ctable_memsize(&tc);
}

struct dnsyn_paper *
dnsyn_paper_create(const struct dnsyn_paper_cfg *cfg)
{
	struct dnsyn_paper *p;
	unsigned int f, v;

	if (cfg->window_ns == 0 || cfg->qpc_bucket_s == 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->cfg = *cfg;
	p->iv = cfg->interval_cb ? cfg->interval_first : NULL;
	{
		struct dnsyn_ctable_cfg tc;
		size_t sz = dnsyn_paper_table_memsize(cfg);
		void *mem = cfg->table_mem;

		table_cfg(cfg, &tc);
		if (sz && mem == NULL)
			mem = p->ct_owned = aligned_alloc(64, (sz + 63) & ~(size_t)63);
		p->ct = sz && mem ? dnsyn_ctable_init(mem, &tc) : NULL;
	}
	p->st.syn_dport = calloc(65536, sizeof(uint64_t));
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			p->st.fam[f].var[v].matched_dport = calloc(65536, sizeof(uint64_t));
	if (p->ct == NULL || p->st.syn_dport == NULL ||
	    dnsyn_map_init(&p->syn_set, sizeof(struct syn_key), 1024, 0) < 0 ||
	    dnsyn_map_init(&p->qpc, 24, 256, 0) < 0) {
		dnsyn_paper_destroy(p);
		return NULL;
	}
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			if (p->st.fam[f].var[v].matched_dport == NULL) {
				dnsyn_paper_destroy(p);
				return NULL;
			}
	return p;
}

void
dnsyn_paper_destroy(struct dnsyn_paper *p)
{
	unsigned int f, v;

	if (p == NULL)
		return;
	free(p->ct_owned);
	free(p->st.syn_dport);
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			free(p->st.fam[f].var[v].matched_dport);
	dnsyn_map_free(&p->syn_set);
	dnsyn_map_free(&p->qpc);
	free(p);
}

static void
on_answer(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct dnsyn_paper_stats *st = &p->st;
	struct cur_answer *c = &p->cur[ev->queue];

	st->dns_answers++;
	st->rcodes[ev->rcode & 0x0f]++;
	st->answers_tcp += (ev->flags & DNSYN_EVF_TCP) != 0;
	st->answers_reasm += (ev->flags & DNSYN_EVF_REASM) != 0;
	st->answers_tc += (ev->flags & DNSYN_EVF_TC) != 0;
	st->answers_v6 += (ev->flags & DNSYN_EVF_V6) != 0;
	st->fam[DNSYN_FAM_V4].answers_with += ev->u.dns.n_a > 0;
	st->fam[DNSYN_FAM_V4].total_rrs += ev->u.dns.n_a;
	st->fam[DNSYN_FAM_V6].answers_with += ev->u.dns.n_aaaa > 0;
	st->fam[DNSYN_FAM_V6].total_rrs += ev->u.dns.n_aaaa;
	st->answers_with_cname += ev->u.dns.n_cname > 0;
	st->cname_rrs += ev->u.dns.n_cname;
	if (p->iv) {
		struct dnsyn_interval *iv = p->iv;

		iv->dns_answers++;
		iv->answers_with_a += ev->u.dns.n_a > 0;
		iv->a_rrs += ev->u.dns.n_a;
		iv->answers_with_aaaa += ev->u.dns.n_aaaa > 0;
		iv->aaaa_rrs += ev->u.dns.n_aaaa;
		iv->nxdomain += ev->rcode == 3;
	}

	c->has_h = 0;
	c->ts = ev->ts_ns;
	memcpy(c->client, ev->dst, 16);
	c->valid = 1;
}

static void
on_addr(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct cur_answer *c = &p->cur[ev->queue];

	p->st.addr_events++;
	if (unlikely(!c->valid)) {
		p->st.orphan_addr++;
		return;
	}
	if (!c->has_h) { /* an answer takes a record only once it has an address */
		c->h = dnsyn_ctable_answer_add(p->ct, c->ts, c->client);
		c->has_h = 1;
	}
	dnsyn_ctable_addr_add(p->ct, c->h, ev->dst,
			      (ev->flags & DNSYN_EVF_ADDR_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4, c->ts);
	p->st.pending_expired = p->expired_by_syn + dnsyn_ctable_stats(p->ct)->expired_addrs;
}

static void
match_variant(struct dnsyn_paper *p, unsigned int fam, unsigned int var,
	      struct dnsyn_ctable_answer *a, uint64_t dt, int *hit)
{
	struct dnsyn_paper_variant *v = &p->st.fam[fam].var[var];

	if (a->matched & MATCHED_BIT(fam, var))
		return;
	a->matched |= (uint8_t)MATCHED_BIT(fam, var);
	v->matched_answers++;
	if (p->iv)
		p->iv->matched_answers[var]++;
	v->hist_10ms[DNSYN_MIN(dt / DNSYN_HIST_BIN_NS, DNSYN_HIST_BINS - 1)]++;
	v->delay_sum_ns += dt;
	dnsyn_logh_add(&v->delay_log, dt);
	*hit = 1;
}

struct syn_visit {
	struct dnsyn_paper *p;
	const struct dnsyn_event *ev;
	unsigned int fam;
	int *hit;
};

/* One pending answer holding the SYN's destination: apply the paper's rule.
 * Returns 1 when the answer is done with this address. */
static int
syn_visit(void *ud, struct dnsyn_ctable_answer *a)
{
	struct syn_visit *sv = ud;
	const struct dnsyn_event *ev = sv->ev;
	unsigned int fam = sv->fam;
	uint64_t dt;

	if (ev->ts_ns < a->ts_ns)
		return 0; /* a SYN from before the answer (time went backwards) */
	dt = ev->ts_ns - a->ts_ns;
	if (dt > sv->p->cfg.window_ns) {
		sv->p->expired_by_syn++;
		sv->p->st.pending_expired++;
		return 1;
	}
	match_variant(sv->p, fam, DNSYN_VAR_DST, a, dt, &sv->hit[DNSYN_VAR_DST]);
	if (memcmp(a->client, ev->src, 16) == 0)
		match_variant(sv->p, fam, DNSYN_VAR_DST_CLIENT, a, dt,
			      &sv->hit[DNSYN_VAR_DST_CLIENT]);
	return (a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST)) &&
	       (a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST_CLIENT));
}

/* The interval's share of a SYN; matched means by the paper's key (dst only). */
static void
interval_syn(struct dnsyn_interval *iv, const struct dnsyn_event *ev, const int *hit)
{
	unsigned int v;

	iv->syn++;
	iv->syn_dport[ev->dport]++;
	for (v = 0; v < DNSYN_VAR_MAX; v++)
		iv->matched_syns[v] += hit[v] != 0;
	if (hit[DNSYN_VAR_DST]) {
		iv->matched_dport[ev->dport]++;
	} else {
		uint64_t *c = dnsyn_map_upsert(&iv->unmatched_clients, ev->src, NULL);

		if (c) /* else counted in unmatched_clients.refused */
			(*c)++;
	}
}

static void
on_syn(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct dnsyn_paper_stats *st = &p->st;
	unsigned int fam = (ev->flags & DNSYN_EVF_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4;
	struct syn_key k;
	int hit[DNSYN_VAR_MAX] = {0, 0}, is_new = 0;
	unsigned int v;

	st->total_syn++;
	st->syn_v4 += fam == DNSYN_FAM_V4;
	st->syn_v6 += fam == DNSYN_FAM_V6;
	st->syn_dport[ev->dport]++;
	memset(&k, 0, sizeof(k));
	memcpy(k.src, ev->src, 16);
	memcpy(k.dst, ev->dst, 16);
	k.sport = ev->sport;
	k.dport = ev->dport;
	k.isn = ev->u.tcp.seq;
	if (dnsyn_map_upsert(&p->syn_set, &k, &is_new) == NULL)
		st->oom++;
	st->syn_unique += is_new;

	{
		struct syn_visit sv = {.p = p, .ev = ev, .fam = fam, .hit = hit};

		dnsyn_ctable_lookup(p->ct, ev->dst, (uint8_t)fam, ev->ts_ns, syn_visit, &sv);
	}
	for (v = 0; v < DNSYN_VAR_MAX; v++) {
		if (!hit[v])
			continue;
		st->fam[fam].var[v].matched_syns++;
		st->fam[fam].var[v].matched_dport[ev->dport]++;
	}
	if (p->iv)
		interval_syn(p->iv, ev, hit);
}

static void
on_query(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	uint8_t key[24];
	uint64_t bucket = ev->ts_ns / DNSYN_NS_PER_S;
	uint64_t *cnt;

	p->st.dns_queries++;
	if (p->iv)
		p->iv->dns_queries++;
	bucket -= bucket % p->cfg.qpc_bucket_s;
	memcpy(key, ev->src, 16);
	memcpy(key + 16, &bucket, 8);
	cnt = dnsyn_map_upsert(&p->qpc, key, NULL);
	if (cnt)
		(*cnt)++;
	else
		p->st.oom++;
}

/* Packet time reached the end of the interval (or the first event came):
 * hand the full one over and start the one @p ts_ns falls in. Older events
 * (time going backwards) stay in the current interval. */
static void
interval_roll(struct dnsyn_paper *p, uint64_t ts_ns)
{
	uint64_t len = p->iv->len_s, start = ts_ns / DNSYN_NS_PER_S;

	if (p->iv_end_ns)
		p->iv = p->cfg.interval_cb(p->cfg.interval_ud, p->iv);
	start -= start % len;
	dnsyn_interval_reset(p->iv, start);
	p->iv_end_ns = (start + len) * DNSYN_NS_PER_S;
}

void
dnsyn_paper_flush(struct dnsyn_paper *p)
{
	if (p->iv && p->iv_end_ns && p->iv->events)
		p->iv = p->cfg.interval_cb(p->cfg.interval_ud, p->iv);
	p->iv_end_ns = 0;
}

void
dnsyn_paper_event(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	if (ev->ts_ns < p->max_ts)
		p->st.ts_backwards++;
	else
		p->max_ts = ev->ts_ns;
	if (p->iv) {
		if (unlikely(ev->ts_ns >= p->iv_end_ns))
			interval_roll(p, ev->ts_ns);
		p->iv->events++;
	}

	switch (ev->type) {
	case DNSYN_EV_QUERY:
		on_query(p, ev);
		break;
	case DNSYN_EV_ANSWER:
		on_answer(p, ev);
		break;
	case DNSYN_EV_ADDR:
		on_addr(p, ev);
		break;
	case DNSYN_EV_SYN:
		on_syn(p, ev);
		break;
	case DNSYN_EV_SYNACK:
		p->st.synack++;
		if (p->iv)
			p->iv->synack++;
		break;
	default:
		break;
	}
}

const struct dnsyn_paper_stats *
dnsyn_paper_stats(const struct dnsyn_paper *p)
{
	return &p->st;
}

const struct dnsyn_paper_cfg *
dnsyn_paper_config(const struct dnsyn_paper *p)
{
	return &p->cfg;
}

const struct dnsyn_map *
dnsyn_paper_qpc(const struct dnsyn_paper *p)
{
	return &p->qpc;
}

uint64_t
dnsyn_paper_pending(const struct dnsyn_paper *p)
{
	return dnsyn_ctable_occupancy(p->ct);
}

const struct dnsyn_ctable_stats *
dnsyn_paper_table_stats(const struct dnsyn_paper *p)
{
	return dnsyn_ctable_stats(p->ct);
}

double
dnsyn_paper_table_bytes_per_addr(const struct dnsyn_paper *p)
{
	return dnsyn_ctable_bytes_per_addr(p->ct);
}
