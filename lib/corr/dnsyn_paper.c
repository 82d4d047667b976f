/* SPDX-License-Identifier: BSD-3-Clause */
/* The paper's correlation, written to be obviously correct: every pending
 * (answer, address) pair is a node in a chained hash keyed by address. A SYN
 * walks the chain of its destination; every pending answer it satisfies is
 * matched by it (it is the earliest such SYN for that answer, since the answer
 * is still pending). Pairs leave when both key variants matched, or when they
 * age out of the window (lazily on lookup, and by a periodic sweep). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_paper.h"

struct answer {
	uint64_t ts;
	uint8_t client[16];
	uint8_t matched[DNSYN_FAM_MAX][DNSYN_VAR_MAX];
	uint32_t refs; /* nodes pointing here, +1 while it is a queue's current answer */
};

struct node {
	struct node *next;
	struct answer *a;
	uint8_t addr[16];
	uint8_t fam;
};

/* Per-queue "answer being assembled": ADDR events follow their ANSWER on the
 * same ring, so the link is positional. */
struct cur_answer {
	struct answer *a;
	uint64_t ts;
	uint8_t client[16];
	uint8_t valid;
};

struct dnsyn_paper {
	struct dnsyn_paper_cfg cfg;
	struct dnsyn_paper_stats st;
	struct node **buckets;
	size_t nb;
	size_t n_nodes;
	size_t nodes_at_sweep;
	uint64_t events_since_sweep;
	uint64_t max_ts;
	struct dnsyn_map syn_set;
	struct dnsyn_map qpc;
	struct cur_answer cur[256];
	struct dnsyn_interval *iv; /* NULL: no interval tables */
	uint64_t iv_end_ns;        /* 0 until the first event starts one */
};

#define SWEEP_EVERY (1u << 16)

struct syn_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport, dport;
	uint32_t isn;
};

static void cur_release(struct cur_answer *c);

static size_t
bucket_of(const struct dnsyn_paper *p, const uint8_t addr[16])
{
	return dnsyn_hash_bytes(addr, 16, 0x5eed) & (p->nb - 1);
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
	p->nb = 1024;
	p->buckets = calloc(p->nb, sizeof(*p->buckets));
	p->st.syn_dport = calloc(65536, sizeof(uint64_t));
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			p->st.fam[f].var[v].matched_dport = calloc(65536, sizeof(uint64_t));
	if (p->buckets == NULL || p->st.syn_dport == NULL ||
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

static void
node_unlink(struct dnsyn_paper *p, struct node **link)
{
	struct node *n = *link;

	*link = n->next;
	if (--n->a->refs == 0)
		free(n->a);
	free(n);
	p->n_nodes--;
}

void
dnsyn_paper_destroy(struct dnsyn_paper *p)
{
	size_t i;
	unsigned int f, v;

	if (p == NULL)
		return;
	for (i = 0; p->buckets && i < p->nb; i++)
		while (p->buckets[i])
			node_unlink(p, &p->buckets[i]);
	for (i = 0; i < DNSYN_ARRAY_SIZE(p->cur); i++)
		cur_release(&p->cur[i]);
	free(p->buckets);
	free(p->st.syn_dport);
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			free(p->st.fam[f].var[v].matched_dport);
	dnsyn_map_free(&p->syn_set);
	dnsyn_map_free(&p->qpc);
	free(p);
}

static int
node_expired(const struct dnsyn_paper *p, const struct node *n, uint64_t now)
{
	return n->a->ts + p->cfg.window_ns < now;
}

static void
sweep(struct dnsyn_paper *p)
{
	size_t i;

	for (i = 0; i < p->nb; i++) {
		struct node **link = &p->buckets[i];

		while (*link) {
			if (node_expired(p, *link, p->max_ts)) {
				p->st.pending_expired++;
				node_unlink(p, link);
			} else {
				link = &(*link)->next;
			}
		}
	}
	p->nodes_at_sweep = p->n_nodes;
	p->events_since_sweep = 0;
}

static void
grow(struct dnsyn_paper *p)
{
	size_t nb = p->nb * 2, i;
	struct node **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return; /* keep the old table: longer chains, still correct */
	for (i = 0; i < p->nb; i++) {
		struct node *n = p->buckets[i];

		while (n) {
			struct node *next = n->next;
			size_t j = dnsyn_hash_bytes(n->addr, 16, 0x5eed) & (nb - 1);

			n->next = b[j];
			b[j] = n;
			n = next;
		}
	}
	free(p->buckets);
	p->buckets = b;
	p->nb = nb;
}

static void
cur_release(struct cur_answer *c)
{
	if (c->a && --c->a->refs == 0)
		free(c->a);
	c->a = NULL;
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

	cur_release(c);
	c->ts = ev->ts_ns;
	memcpy(c->client, ev->dst, 16);
	c->valid = 1;
}

static void
on_addr(struct dnsyn_paper *p, const struct dnsyn_event *ev)
{
	struct cur_answer *c = &p->cur[ev->queue];
	struct node *n;
	size_t b;

	p->st.addr_events++;
	if (unlikely(!c->valid)) {
		p->st.orphan_addr++;
		return;
	}
	if (c->a == NULL) {
		c->a = calloc(1, sizeof(*c->a));
		if (c->a == NULL) {
			p->st.oom++;
			return;
		}
		c->a->ts = c->ts;
		c->a->refs = 1;
		memcpy(c->a->client, c->client, 16);
	}
	n = malloc(sizeof(*n));
	if (n == NULL) {
		p->st.oom++;
		return;
	}
	memcpy(n->addr, ev->dst, 16);
	n->fam = (ev->flags & DNSYN_EVF_ADDR_V6) ? DNSYN_FAM_V6 : DNSYN_FAM_V4;
	n->a = c->a;
	c->a->refs++;
	b = bucket_of(p, n->addr);
	n->next = p->buckets[b];
	p->buckets[b] = n;
	if (++p->n_nodes > p->nb)
		grow(p);
}

static void
match_variant(struct dnsyn_paper *p, unsigned int fam, unsigned int var, struct answer *a,
	      uint64_t dt, int *hit)
{
	struct dnsyn_paper_variant *v = &p->st.fam[fam].var[var];

	if (a->matched[fam][var])
		return;
	a->matched[fam][var] = 1;
	v->matched_answers++;
	if (p->iv)
		p->iv->matched_answers[var]++;
	v->hist_10ms[DNSYN_MIN(dt / DNSYN_HIST_BIN_NS, DNSYN_HIST_BINS - 1)]++;
	v->delay_sum_ns += dt;
	dnsyn_logh_add(&v->delay_log, dt);
	*hit = 1;
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
	struct node **link;
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

	link = &p->buckets[bucket_of(p, ev->dst)];
	while (*link) {
		struct node *n = *link;
		struct answer *a = n->a;
		uint64_t dt;

		if (n->fam != fam || memcmp(n->addr, ev->dst, 16) != 0 || ev->ts_ns < a->ts) {
			link = &n->next;
			continue;
		}
		dt = ev->ts_ns - a->ts;
		if (dt > p->cfg.window_ns) {
			st->pending_expired++;
			node_unlink(p, link);
			continue;
		}
		match_variant(p, fam, DNSYN_VAR_DST, a, dt, &hit[DNSYN_VAR_DST]);
		if (memcmp(a->client, ev->src, 16) == 0)
			match_variant(p, fam, DNSYN_VAR_DST_CLIENT, a, dt, &hit[DNSYN_VAR_DST_CLIENT]);
		if (a->matched[fam][DNSYN_VAR_DST] && a->matched[fam][DNSYN_VAR_DST_CLIENT])
			node_unlink(p, link);
		else
			link = &n->next;
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
	if (++p->events_since_sweep >= SWEEP_EVERY ||
	    p->n_nodes > 2 * p->nodes_at_sweep + 4096)
		sweep(p);
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
	return p->n_nodes;
}
