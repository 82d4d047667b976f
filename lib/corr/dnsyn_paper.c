/* SPDX-License-Identifier: BSD-3-Clause */
/* The paper's correlation. Every answer with addresses becomes a record in
 * the fixed-capacity, time-bucketed table (dnsyn_ctable.h), each address an
 * entry. A SYN looks up its destination; every pending answer it satisfies is
 * matched by it (it is that answer's earliest qualifying SYN, since the answer
 * is still pending). An address entry leaves once both key variants matched
 * for its family, when a SYN finds it past the window, or with its bucket.
 *
 * With the (client, address) key the table holds addr ^ H(client) instead of
 * addr: a SYN then finds its own client's answers only, and the visitor's
 * client comparison makes the match exact (the same client gives the same H,
 * so equal keys mean equal addresses). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_paper.h"
#include "dnsyn_synset.h"

/* Bits of dnsyn_ctable_answer.matched: one per (family, key variant). */
#define MATCHED_BIT(fam, var) (1u << ((fam) * DNSYN_VAR_MAX + (var)))

/* Per queue, the answer whose addresses are arriving: an answer's ADDR events
 * are consecutive on their queue, so one record serves them all. */
struct cur_answer {
	uint64_t h;      /* table handle */
	uint64_t answer; /* ev->u.addr.answer it was made for */
	uint8_t valid;
};

/* A SYN's identity (src, dst, ports, ISN) as a 128-bit digest: d[0] is
 * dnsyn_hash_bytes() of the 40 bytes (bijective rounds: no word can wipe out
 * the others; its bits 16 and up place it in the set), d[1] a differently
 * built multiply-fold hash (wyhash's mum, 3 multiplies). The set keeps 112 of
 * the 128 bits (d0's low 16 hold its epoch): two distinct SYNs collide with
 * odds ~2^-112 a pair (crafted ones could, at the cost of one SYN counted as a
 * retransmission). */
struct syn_key {
	uint64_t d[2];
};

/* What a SYN's digest is made of: (src, dst, ports, ISN), 40 bytes. */
struct syn_id {
	uint64_t w[5];
};

/* A digest dnsyn_paper_prefetch() computed, for the SYN's own turn. */
#define SYN_HINTS 16 /* > the correlator's prefetch distance (8) */
struct syn_hint {
	struct syn_id id;
	struct syn_key k;
};

struct dnsyn_paper {
	struct dnsyn_paper_cfg cfg;
	struct dnsyn_paper_stats st;
	struct dnsyn_ctable *ct;
	void *ct_owned;            /* table memory we allocated, if any */
	uint64_t expired_by_syn;   /* entries a SYN found past the window */
	uint64_t max_ts;
	struct dnsyn_synset syn_set; /* this span's SYNs and the last one's */
	uint64_t syn_span_end;       /* packet time the current span ends (0: none yet) */
	struct dnsyn_map qpc;
	struct cur_answer cur[256];
	struct dnsyn_ivclock ivc;
	uint64_t *answer_id;       /* sharded or corr_records: per answer record,
				    * its dnsyn_cand.answer (queue << 56 | number) */
	uint32_t *answer_ttl;      /* corr_records: per answer record, its TTL */
	uint64_t pending_merged;   /* pending addresses of shards merged in */
	struct syn_hint syn_hint[SYN_HINTS]; /* by event seq: the digests prefetches made */
};

static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The 16-byte table key of address @p addr for @p client (key_client mode). */
static inline void
client_key(const uint8_t addr[16], const uint8_t client[16], uint8_t key[16])
{
	uint64_t c0, c1, a0, a1, h0, h1;

	memcpy(&c0, client, 8);
	memcpy(&c1, client + 8, 8);
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	/* Mix both halves into both: keys of one address spread over the
	 * table by client (splitmix64 finaliser). */
	h0 = (c0 ^ (c1 * 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;
	h0 ^= h0 >> 31;
	h1 = (c1 ^ (h0 * 0x94d049bb133111ebULL)) * 0xbf58476d1ce4e5b9ULL;
	h1 ^= h1 >> 29;
	a0 ^= h0;
	a1 ^= h1;
	memcpy(key, &a0, 8);
	memcpy(key + 8, &a1, 8);
}

static void
table_cfg(const struct dnsyn_paper_cfg *cfg, struct dnsyn_ctable_cfg *tc)
{
	memset(tc, 0, sizeof(*tc));
	tc->capacity = cfg->table_capacity ? cfg->table_capacity : 65536;
	tc->n_buckets = cfg->table_buckets;
	tc->window_ns = cfg->window_ns;
}

/* Keys per half of the distinct-SYN set. */
static size_t
syn_half(const struct dnsyn_paper_cfg *cfg)
{
	return DNSYN_MAX((cfg->syn_set_max ? cfg->syn_set_max : DNSYN_SYN_SET_MAX) / 2, 1u);
}

static inline void
syn_id_of(const struct dnsyn_event *ev, struct syn_id *id)
{
	struct {
		uint8_t src[16];
		uint8_t dst[16];
		uint16_t sport, dport;
		uint32_t isn;
	} f;

	memcpy(f.src, ev->src, 16);
	memcpy(f.dst, ev->dst, 16);
	f.sport = ev->sport;
	f.dport = ev->dport;
	f.isn = ev->u.tcp.seq;
	_Static_assert(sizeof(f) == sizeof(*id), "no padding left undefined");
	memcpy(id, &f, sizeof(*id));
}

static inline void
syn_key_from(const struct syn_id *id, struct syn_key *k)
{
	const uint64_t *w = id->w;

	k->d[0] = dnsyn_hash_bytes(w, sizeof(id->w), 0);
	k->d[1] = mum(mum(w[0] ^ 0xa0761d6478bd642fULL, w[1] ^ 0xe7037ed1a0b428dbULL) ^ w[2],
		      mum(w[3] ^ 0x8ebc6af09c88c6e3ULL, w[4] ^ 0x589965cc75374cc3ULL));
}

/* A SYN's digest, from the hint its prefetch left when it is that SYN's
 * (the hash is a tenth of the correlation lcore's time on a SYN flood, and
 * the prefetch has just computed it), else computed. */
static inline void
syn_key_of(const struct dnsyn_paper *p, const struct dnsyn_event *ev, struct syn_key *k)
{
	const struct syn_hint *h = &p->syn_hint[ev->seq % SYN_HINTS];
	struct syn_id id;

	syn_id_of(ev, &id);
	if (((id.w[0] ^ h->id.w[0]) | (id.w[1] ^ h->id.w[1]) | (id.w[2] ^ h->id.w[2]) |
	     (id.w[3] ^ h->id.w[3]) | (id.w[4] ^ h->id.w[4])) == 0)
		*k = h->k;
	else
		syn_key_from(&id, k);
}

/* Whether SYN @p k was seen in the last span or this one; remembers it.
 * The older half is dropped when the span ends, or early when the current
 * half is full (counted). */
static int
syn_is_new(struct dnsyn_paper *p, const struct syn_key *k, uint64_t ts_ns)
{
	int is_new, early;

	if (ts_ns >= p->syn_span_end) {
		const uint64_t span = (uint64_t)DNSYN_SYN_SET_SPAN_S * DNSYN_NS_PER_S;

		if (p->syn_span_end) {
			if (ts_ns >= p->syn_span_end + span) /* the last span is older too */
				dnsyn_synset_clear(&p->syn_set);
			else
				dnsyn_synset_rotate(&p->syn_set);
		}
		/* After a jump forward, spans restart from the new time. */
		p->syn_span_end = ts_ns - ts_ns % span + span;
	}
	is_new = dnsyn_synset_add(&p->syn_set, k->d[0], k->d[1], &early);
	p->st.syn_set_rotations_early += (uint64_t)early;
	return is_new;
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
	if (cfg->interval_cb) {
		p->ivc.iv = cfg->interval_first;
		p->ivc.cb = cfg->interval_cb;
		p->ivc.ud = cfg->interval_ud;
	}
	{
		struct dnsyn_ctable_cfg tc;
		size_t sz = dnsyn_paper_table_memsize(cfg);
		void *mem = cfg->table_mem;

		table_cfg(cfg, &tc);
		if (sz && mem == NULL)
			mem = p->ct_owned = aligned_alloc(64, (sz + 63) & ~(size_t)63);
		p->ct = sz && mem ? dnsyn_ctable_init(mem, &tc) : NULL;
		if (p->ct && (cfg->cand_cb || cfg->corr_records))
			p->answer_id = calloc(dnsyn_ctable_answers(p->ct), sizeof(uint64_t));
		if (p->ct && cfg->corr_records)
			p->answer_ttl = calloc(dnsyn_ctable_answers(p->ct), sizeof(uint32_t));
	}
	p->st.syn_dport = calloc(65536, sizeof(uint64_t));
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			p->st.fam[f].var[v].matched_dport = calloc(65536, sizeof(uint64_t));
	if (p->ct == NULL || p->st.syn_dport == NULL ||
	    ((cfg->cand_cb || cfg->corr_records) && p->answer_id == NULL) ||
	    (cfg->corr_records && p->answer_ttl == NULL) ||
	    /* whole at start: a flood must not pay for doubling (and rehashing)
	     * a table of millions on its way to the bound */
	    dnsyn_synset_init(&p->syn_set, syn_half(cfg)) < 0 ||
	    dnsyn_map_init(&p->qpc, 24, 256, cfg->qpc_max ? cfg->qpc_max : DNSYN_QPC_MAX) < 0) {
		dnsyn_paper_destroy(p);
		return NULL;
	}
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			if (p->st.fam[f].var[v].matched_dport == NULL) {
				dnsyn_paper_destroy(p);
				return NULL;
			}
	/* every hint true from the start: an all-zero SYN must not take the
	 * zeroed hint's digest */
	for (f = 0; f < SYN_HINTS; f++)
		syn_key_from(&p->syn_hint[f].id, &p->syn_hint[f].k);
	return p;
}

void
dnsyn_paper_destroy(struct dnsyn_paper *p)
{
	unsigned int f, v;

	if (p == NULL)
		return;
	free(p->ct_owned);
	free(p->answer_id);
	free(p->answer_ttl);
	free(p->st.syn_dport);
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			free(p->st.fam[f].var[v].matched_dport);
	dnsyn_synset_free(&p->syn_set);
	dnsyn_map_free(&p->qpc);
	free(p);
}

static void
on_answer(struct dnsyn_paper *p, struct dnsyn_interval *iv, const struct dnsyn_event *ev)
{
	struct dnsyn_answer_counts one = {0};

	dnsyn_answer_count(&one, ev);
	dnsyn_paper_add_answers(p, &one);
	if (iv) {
		iv->dns_answers++;
		iv->answers_with_a += ev->u.dns.n_a > 0;
		iv->a_rrs += ev->u.dns.n_a;
		iv->answers_with_aaaa += ev->u.dns.n_aaaa > 0;
		iv->aaaa_rrs += ev->u.dns.n_aaaa;
		iv->nxdomain += ev->rcode == 3;
		dnsyn_interval_resolver(iv, ev->src, 1);
		{
			struct dnsyn_iv_client *c = dnsyn_interval_client(iv, ev->dst);

			if (c) {
				c->responses++;
				c->nxdomain += ev->rcode == 3;
			}
		}
	}
}

/* The table key of address @p a (16 bytes) for the answer's @p client. */
static inline const uint8_t *
addr_key(const struct dnsyn_paper *p, const uint8_t *a, const uint8_t *client, uint8_t key[16])
{
	if (!p->cfg.key_client)
		return a;
	client_key(a, client, key);
	return key;
}

/* Address @p i of an ADDR event as 16 bytes (v4-mapped for an A RR), and its
 * family. */
static inline const uint8_t *
addr_of(const struct dnsyn_event *ev, unsigned int i, uint8_t buf[16], uint8_t *fam)
{
	if (!(ev->flags & DNSYN_EVF_ADDR_V4N)) {
		*fam = (ev->flags & DNSYN_EVF_ADDR_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4;
		return ev->dst;
	}
	memset(buf, 0, 10);
	buf[10] = buf[11] = 0xff;
	memcpy(buf + 12, ev->dst + 4 * i, 4);
	*fam = DNSYN_FAM_V4;
	return buf;
}

/* Addresses an ADDR event carries. */
static inline unsigned int
addr_count(const struct dnsyn_event *ev)
{
	return (ev->flags & DNSYN_EVF_ADDR_V4N) ? DNSYN_MIN(ev->u.addr.n_v4, DNSYN_EV_V4N_MAX) : 1;
}

static void
on_addr(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct cur_answer *c = &p->cur[ev->queue];
	unsigned int i, n = addr_count(ev);

	p->st.addr_events += n;
	if (!c->valid || c->answer != ev->u.addr.answer) {
		c->h = dnsyn_ctable_answer_add(p->ct, ev->ts_ns, ev->src);
		c->answer = ev->u.addr.answer;
		c->valid = 1;
		if (p->answer_id)
			p->answer_id[(uint32_t)c->h] = (uint64_t)ev->queue << 56 | ev->u.addr.answer;
		if (p->answer_ttl)
			p->answer_ttl[(uint32_t)c->h] = ev->u.addr.ttl;
	}
	for (i = 0; i < n; i++) {
		uint8_t buf[16], key[16], fam;
		const uint8_t *a = addr_of(ev, i, buf, &fam);

		dnsyn_ctable_addr_add(p->ct, c->h, addr_key(p, a, ev->src, key), fam, ev->ts_ns);
	}
	p->st.pending_expired = p->expired_by_syn + dnsyn_ctable_stats(p->ct)->expired_addrs;
}

void
dnsyn_paper_count_match(struct dnsyn_paper_stats *st, struct dnsyn_interval *iv,
			unsigned int fam, unsigned int var, uint64_t dt)
{
	struct dnsyn_paper_variant *v = &st->fam[fam].var[var];

	v->matched_answers++;
	if (iv)
		iv->matched_answers[var]++;
	v->hist_10ms[DNSYN_MIN(dt / DNSYN_HIST_BIN_NS, DNSYN_HIST_BINS - 1)]++;
	v->delay_sum_ns += dt;
	dnsyn_logh_add(&v->delay_log, dt);
}

void
dnsyn_paper_count_corr(struct dnsyn_interval *iv, const struct dnsyn_cand *c)
{
	const struct dnsyn_corr_match m = {
		.client = c->src, .server = c->dst, .dport = c->dport, .syn_ns = c->syn_ts,
		.delay_ns = c->syn_ts - c->ans_ts, .ttl = c->ttl,
		.name = c->name, .name_len = c->name_len, .name_trunc = c->name_trunc,
	};

	dnsyn_interval_corr_add(iv, &m);
}

void
dnsyn_paper_count_verdict(struct dnsyn_paper_stats *st, struct dnsyn_interval *iv,
			  unsigned int fam, uint16_t dport, const uint8_t src[16],
			  const uint8_t dst[16], const int *hit, unsigned int var_main)
{
	unsigned int v;

	for (v = 0; v < DNSYN_VAR_MAX; v++) {
		if (!hit[v])
			continue;
		st->fam[fam].var[v].matched_syns++;
		st->fam[fam].var[v].matched_dport[dport]++;
	}
	if (iv == NULL)
		return;
	/* The interval's matched means by the main key (the paper's: dst only). */
	for (v = 0; v < DNSYN_VAR_MAX; v++)
		iv->matched_syns[v] += hit[v] != 0;
	dnsyn_interval_syn(iv, src, dst, dport, hit[var_main]);
	if (hit[var_main]) {
		iv->matched_dport[dport]++;
	} else {
		uint64_t *c = dnsyn_map_upsert(&iv->unmatched_clients, src, NULL);

		if (c) /* else counted in unmatched_clients.refused */
			(*c)++;
	}
}

struct syn_visit {
	struct dnsyn_paper *p;
	struct dnsyn_interval *iv;
	const struct dnsyn_event *ev;
	unsigned int fam;
	int *hit;
	struct dnsyn_cand cand; /* sharded: the claim held back to flag the last one */
	int n_cand;
	/* corr_records, one shard: the answer the SYN's record is about */
	int best;
	uint64_t best_dt, best_id;
	uint32_t best_ttl;
};

/* The question name of answer @p id (queue << 56 | number) into @p c. */
static void
cand_name(const struct dnsyn_paper *p, uint64_t id, struct dnsyn_cand *c)
{
	const struct dnsyn_namelog *l = p->cfg.names ? p->cfg.names[id >> 56] : NULL;
	int trunc = 0;

	c->name_len = (int16_t)(l ? dnsyn_namelog_get(l, (uint32_t)id, c->name, &trunc) : -1);
	c->name_trunc = (uint8_t)trunc;
}

/* Sharded: send the claim held back, and hold @p a's (NULL: none). */
static void
claim(struct syn_visit *sv, const struct dnsyn_ctable_answer *a, uint8_t vars)
{
	struct dnsyn_cand *c = &sv->cand;

	if (sv->n_cand) {
		c->last = a == NULL;
		sv->p->cfg.cand_cb(sv->p->cfg.cand_ud, c);
		sv->p->st.claims++;
	}
	if (a == NULL)
		return;
	c->ans_ts = a->ts_ns;
	c->answer = sv->p->answer_id[dnsyn_ctable_answer_index(sv->p->ct, a)];
	c->vars = vars;
	if (sv->p->cfg.corr_records) {
		c->ttl = sv->p->answer_ttl[dnsyn_ctable_answer_index(sv->p->ct, a)];
		cand_name(sv->p, c->answer, c);
	}
	sv->n_cand++;
}

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
	if (sv->p->cfg.key_client && memcmp(a->client, ev->src, 16) != 0)
		return 0; /* another client's key that happens to be equal */
	dt = ev->ts_ns - a->ts_ns;
	if (dt > sv->p->cfg.window_ns) {
		sv->p->expired_by_syn++;
		sv->p->st.pending_expired++;
		return 1;
	}
	{
		uint8_t vars = 0;
		unsigned int v;

		/* The first SYN to reach the answer (in this shard) takes it. */
		if (!sv->p->cfg.key_client && !(a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST)))
			vars |= 1u << DNSYN_VAR_DST;
		if (!(a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST_CLIENT)) &&
		    memcmp(a->client, ev->src, 16) == 0)
			vars |= 1u << DNSYN_VAR_DST_CLIENT;
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			if (vars & (1u << v))
				a->matched |= (uint8_t)MATCHED_BIT(fam, v);
		if (vars && sv->p->cfg.cand_cb) {
			claim(sv, a, vars);
		} else {
			unsigned int vm = dnsyn_paper_var_main(sv->p->cfg.key_client);

			for (v = 0; v < DNSYN_VAR_MAX; v++)
				if (vars & (1u << v)) {
					dnsyn_paper_count_match(&sv->p->st, sv->iv, fam, v, dt);
					sv->hit[v] = 1;
				}
			if (sv->p->cfg.corr_records && (vars & (1u << vm))) {
				uint32_t i = dnsyn_ctable_answer_index(sv->p->ct, a);

				/* The SYN's record is about its latest answer (the
				 * smallest delay; ties: the first answer): the same
				 * choice as the resolver's, for any visiting order. */
				if (!sv->best || dt < sv->best_dt ||
				    (dt == sv->best_dt && sv->p->answer_id[i] < sv->best_id)) {
					sv->best = 1;
					sv->best_dt = dt;
					sv->best_id = sv->p->answer_id[i];
					sv->best_ttl = sv->p->answer_ttl[i];
				}
			}
		}
	}
	return (sv->p->cfg.key_client || (a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST))) &&
	       (a->matched & MATCHED_BIT(fam, DNSYN_VAR_DST_CLIENT));
}

static void
on_syn(struct dnsyn_paper *p, struct dnsyn_interval *iv, const struct dnsyn_event *ev)
{
	struct dnsyn_paper_stats *st = &p->st;
	unsigned int fam = (ev->flags & DNSYN_EVF_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4;
	struct syn_key k;
	int hit[DNSYN_VAR_MAX] = {0, 0};

	st->total_syn++;
	st->syn_v4 += fam == DNSYN_FAM_V4;
	st->syn_v6 += fam == DNSYN_FAM_V6;
	st->syn_dport[ev->dport]++;
	syn_key_of(p, ev, &k);
	st->syn_unique += syn_is_new(p, &k, ev->ts_ns);

	if (iv) {
		iv->syn++;
		iv->syn_dport[ev->dport]++;
	}
	{
		struct syn_visit sv; /* no initialiser: the claim is 256 bytes */
		uint8_t ckey[16];
		const uint8_t *tk = ev->dst;

		sv.p = p;
		sv.iv = iv;
		sv.ev = ev;
		sv.fam = fam;
		sv.hit = hit;
		sv.n_cand = 0;
		sv.best = 0;
		if (p->cfg.cand_cb) {
			memcpy(sv.cand.dst, ev->dst, 16);
			sv.cand.syn_ts = ev->ts_ns;
			sv.cand.syn_seq = ev->seq;
			sv.cand.syn_queue = ev->queue;
			sv.cand.fam = (uint8_t)fam;
			sv.cand.dport = ev->dport;
			memcpy(sv.cand.src, ev->src, 16);
		}
		if (p->cfg.key_client) {
			client_key(ev->dst, ev->src, ckey);
			tk = ckey;
		}
		dnsyn_ctable_lookup(p->ct, tk, (uint8_t)fam, ev->ts_ns, syn_visit, &sv);
		if (sv.n_cand) { /* the resolver decides */
			claim(&sv, NULL, 0);
			return;
		}
		if (sv.best && iv) { /* the claim is unused here: it carries the match */
			struct dnsyn_cand *c = &sv.cand;

			memcpy(c->src, ev->src, 16);
			memcpy(c->dst, ev->dst, 16);
			c->dport = ev->dport;
			c->syn_ts = ev->ts_ns;
			c->ans_ts = ev->ts_ns - sv.best_dt;
			c->ttl = sv.best_ttl;
			cand_name(p, sv.best_id, c);
			dnsyn_paper_count_corr(iv, c);
		}
	}
	dnsyn_paper_count_verdict(st, iv, fam, ev->dport, ev->src, ev->dst, hit,
				  dnsyn_paper_var_main(p->cfg.key_client));
}

static void
on_query(struct dnsyn_paper *p, struct dnsyn_interval *iv, const struct dnsyn_event *ev)
{
	uint8_t key[24];
	uint64_t bucket = ev->ts_ns / DNSYN_NS_PER_S;
	uint64_t *cnt;

	p->st.dns_queries++;
	if (iv) {
		struct dnsyn_iv_client *c = dnsyn_interval_client(iv, ev->src);

		iv->dns_queries++;
		dnsyn_interval_resolver(iv, ev->dst, 0);
		if (c) {
			c->queries[dnsyn_ivq_of(ev->u.dns.qtype)]++;
			dnsyn_iv_client_name(c, ev->u.query.name_hash);
		}
	}
	bucket -= bucket % p->cfg.qpc_bucket_s;
	memcpy(key, ev->src, 16);
	memcpy(key + 16, &bucket, 8);
	cnt = dnsyn_map_upsert(&p->qpc, key, NULL);
	if (cnt)
		(*cnt)++;
	else
		p->st.qpc_refused++; /* full (or out of memory) */
}

void
dnsyn_paper_flush(struct dnsyn_paper *p)
{
	dnsyn_ivclock_flush(&p->ivc);
}

void
dnsyn_paper_advance(struct dnsyn_paper *p, uint64_t now_ns)
{
	dnsyn_ivclock_advance(&p->ivc, now_ns);
}

uint64_t
dnsyn_paper_interval_done(const struct dnsyn_paper *p)
{
	return p->ivc.done_ns;
}

void
dnsyn_paper_event(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct dnsyn_interval *iv;

	if (ev->ts_ns < p->max_ts)
		p->st.ts_backwards++;
	else
		p->max_ts = ev->ts_ns;
	iv = dnsyn_ivclock_at(&p->ivc, ev->ts_ns);
	if (iv)
		iv->events++;

	switch (ev->type) {
	case DNSYN_EV_QUERY:
		on_query(p, iv, ev);
		break;
	case DNSYN_EV_ANSWER:
		on_answer(p, iv, ev);
		break;
	case DNSYN_EV_ADDR:
		on_addr(p, ev);
		break;
	case DNSYN_EV_SYN:
		on_syn(p, iv, ev);
		break;
	case DNSYN_EV_SYNACK:
		p->st.synack++;
		if (iv)
			iv->synack++;
		break;
	default:
		break;
	}
}

void
dnsyn_paper_prefetch(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	uint8_t buf[16], key[16], fam;
	unsigned int i;

	if (ev->type == DNSYN_EV_ADDR) {
		for (i = 0; i < addr_count(ev); i++) {
			const uint8_t *a = addr_of(ev, i, buf, &fam);

			dnsyn_ctable_prefetch(p->ct, addr_key(p, a, ev->src, key), fam);
		}
	} else if (ev->type == DNSYN_EV_SYN) {
		/* a lookup does not need the slot an insert would take */
		struct syn_hint *h = &p->syn_hint[ev->seq % SYN_HINTS];

		fam = (ev->flags & DNSYN_EVF_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4;
		dnsyn_ctable_prefetch_lookup(p->ct, addr_key(p, ev->dst, ev->src, key), fam);
		/* the distinct-SYN set: a flood's fresh keys miss both halves */
		syn_id_of(ev, &h->id);
		syn_key_from(&h->id, &h->k);
		dnsyn_synset_prefetch(&p->syn_set, h->k.d[0]);
	}
}

void
dnsyn_paper_add_synacks(struct dnsyn_paper *p, uint64_t n)
{
	p->st.synack += n;
}

void
dnsyn_paper_add_answers(struct dnsyn_paper *p, const struct dnsyn_answer_counts *c)
{
	struct dnsyn_paper_stats *st = &p->st;
	unsigned int i;

	st->dns_answers += c->answers;
	for (i = 0; i < 16; i++)
		st->rcodes[i] += c->rcodes[i];
	st->answers_tcp += c->tcp;
	st->answers_reasm += c->reasm;
	st->answers_tc += c->tc;
	st->answers_v6 += c->v6;
	st->fam[DNSYN_FAM_V4].answers_with += c->with_a;
	st->fam[DNSYN_FAM_V4].total_rrs += c->a_rrs;
	st->fam[DNSYN_FAM_V6].answers_with += c->with_aaaa;
	st->fam[DNSYN_FAM_V6].total_rrs += c->aaaa_rrs;
	st->answers_with_cname += c->with_cname;
	st->cname_rrs += c->cname_rrs;
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
	return dnsyn_ctable_occupancy(p->ct) + p->pending_merged;
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

static void
logh_add(struct dnsyn_logh *d, const struct dnsyn_logh *s)
{
	unsigned int i;

	d->below += s->below;
	d->above += s->above;
	for (i = 0; i < DNSYN_LOGH_BINS; i++)
		d->bins[i] += s->bins[i];
}

/* Every counter of the stats, summed; the dport arrays too. */
static void
stats_add(struct dnsyn_paper_stats *d, const struct dnsyn_paper_stats *s)
{
	unsigned int f, v, i;

#define ADD(x) d->x += s->x
	ADD(dns_answers);
	ADD(dns_queries);
	for (i = 0; i < 16; i++)
		ADD(rcodes[i]);
	ADD(answers_tcp);
	ADD(answers_reasm);
	ADD(answers_tc);
	ADD(answers_v6);
	ADD(answers_with_cname);
	ADD(cname_rrs);
	ADD(total_syn);
	ADD(syn_v4);
	ADD(syn_v6);
	ADD(synack);
	ADD(syn_unique);
	ADD(ts_backwards);
	ADD(pending_expired);
	ADD(addr_events);
	ADD(claims);
	ADD(oom);
	ADD(syn_set_rotations_early);
	ADD(qpc_refused);
	for (f = 0; f < DNSYN_FAM_MAX; f++) {
		ADD(fam[f].answers_with);
		ADD(fam[f].total_rrs);
		for (v = 0; v < DNSYN_VAR_MAX; v++) {
			struct dnsyn_paper_variant *dv = &d->fam[f].var[v];
			const struct dnsyn_paper_variant *sv = &s->fam[f].var[v];

			ADD(fam[f].var[v].matched_syns);
			ADD(fam[f].var[v].matched_answers);
			ADD(fam[f].var[v].delay_sum_ns);
			for (i = 0; i < DNSYN_HIST_BINS; i++)
				ADD(fam[f].var[v].hist_10ms[i]);
			logh_add(&dv->delay_log, &sv->delay_log);
			if (sv->matched_dport)
				for (i = 0; i < 65536; i++)
					dv->matched_dport[i] += sv->matched_dport[i];
		}
	}
#undef ADD
	if (s->syn_dport)
		for (i = 0; i < 65536; i++)
			d->syn_dport[i] += s->syn_dport[i];
}

int
dnsyn_paper_merge(struct dnsyn_paper *dst, const struct dnsyn_paper *src_paper,
		  const struct dnsyn_paper_stats *src)
{
	size_t it = 0;
	const void *k;
	uint64_t v;

	if (src_paper == NULL) {
		stats_add(&dst->st, src);
		return 0;
	}
	stats_add(&dst->st, &src_paper->st);
	dst->pending_merged += dnsyn_paper_pending(src_paper);
	/* Shards split queries by client: the maps hold disjoint keys. */
	while (dnsyn_map_next(&src_paper->qpc, &it, &k, &v)) {
		uint64_t *c = dnsyn_map_upsert(&dst->qpc, k, NULL);

		if (c)
			*c += v;
		else
			dst->st.qpc_refused += v; /* the totals' map is bounded too */
	}
	return 0;
}
