/* SPDX-License-Identifier: BSD-3-Clause */
/* Detection, pure: configuration, the bounded tracker (Space-Saving top-K
 * with count-min admission, per-key history rings) and the interval cycle.
 * The rules themselves are in dnsyn_detect_rules.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_detect.h"
#include "dnsyn_detect_int.h"

static const char *const det_names[DNSYN_DET_MAX] = {
	[DNSYN_DET_UNRESOLVED_SCAN] = "unresolved-scan",
	[DNSYN_DET_MX_STORM] = "mx-storm",
	[DNSYN_DET_RATE_JUMP] = "rate-jump",
	[DNSYN_DET_PLATEAU] = "plateau",
	[DNSYN_DET_RESOLVER_DOS] = "resolver-dos",
	[DNSYN_DET_MAIL_MODEL] = "mail-model",
};

const char *
dnsyn_det_name(enum dnsyn_det_id id)
{
	return (unsigned int)id < DNSYN_DET_MAX ? det_names[id] : "?";
}

void
dnsyn_detect_conf_default(struct dnsyn_detect_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->k = 4096;
	c->history = 64;
	c->cms_width = 65536;
	c->cms_depth = 4;
	c->top_n = 10;
	c->resolvers = 64;
	c->half_life = 60;
	c->weight_unmatched = 1;
	c->hash_seed = 0x6a09e667f3bcc908ULL;
	c->aggregate = 0;
	c->v4_prefix = 24;
	c->v6_prefix = 64;
	c->holdoff = 10;
	c->alpha = 0.1;
	c->baseline_min = 8;
	c->clip_z = 3;
	c->scan_warmup = 5;
	c->scan_window = 3;
	c->scan_persist = 2;
	c->scan_syn_min = 20;
	c->scan_dst_min = 10;
	c->scan_frac_min = 0.5;
	c->scan_syn_high = 500;
	c->scan_dst_high = 200;
	c->mx_z = 6;
	c->mx_ratio = 4;
	c->mx_peer_k = 10;
	c->mx_min = 50;
	c->rj_z = 6;
	c->rj_ratio = 4;
	c->rj_min = 50;
	c->rj_z_high = 20;
	c->rj_ratio_high = 10;
	c->rj_population = 1;
	c->rj_pop_min = 10;
	c->rj_pop_floor = 20;
	c->pl_n = 20;
	c->pl_cv_max = 0.05;
	c->pl_fano_max = 1;
	c->pl_floor = 10;
	c->rp_n = 48;
	c->rp_acf_min = 0.6;
	c->rp_lag_max = 12;
	c->rd_z = 6;
	c->rd_ratio = 3;
	c->rd_min = 1000;
	c->mm_min = 16;
	c->mm_k = 5;
	c->mm_min_resid = 50;
	c->mm_r2_min = 0.8;
	c->mm_active_frac = 0.5;
}

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		if (err != NULL && errlen > 0) \
			snprintf(err, errlen, __VA_ARGS__); \
		return -EINVAL; \
	} \
} while (0)

int
dnsyn_detect_conf_check(const struct dnsyn_detect_conf *c, char *err, size_t errlen)
{
	CHECK(c->k >= 2 && c->k <= (1u << 24), "k %u not in [2, 2^24]", c->k);
	CHECK(c->history >= 4 && c->history <= 4096, "history %u not in [4, 4096]", c->history);
	CHECK(c->cms_width >= 64 && c->cms_width <= (1u << 28) &&
	      (c->cms_width & (c->cms_width - 1)) == 0,
	      "cms_width %u not a power of two in [64, 2^28]", c->cms_width);
	CHECK(c->cms_depth >= 1 && c->cms_depth <= 16, "cms_depth %u not in [1, 16]",
	      c->cms_depth);
	CHECK(c->top_n <= c->k && c->top_n <= 1024, "top_n %u above k or 1024", c->top_n);
	CHECK(c->resolvers <= 65536, "resolvers %u above 65536", c->resolvers);
	CHECK(c->half_life >= 0, "half_life negative");
	CHECK(c->weight_unmatched >= 0, "weight_unmatched negative");
	CHECK(c->v4_prefix <= 32 && c->v6_prefix <= 128, "prefix lengths out of range");
	CHECK(c->holdoff >= 1, "holdoff must be >= 1");
	CHECK(c->alpha > 0 && c->alpha < 1, "alpha not in (0, 1)");
	CHECK(c->baseline_min >= 2, "baseline_min must be >= 2");
	CHECK(c->clip_z >= 0, "clip_z negative");
	CHECK(c->scan_window >= 1 && c->scan_window <= c->history, "scan_window not in [1, history]");
	CHECK(c->scan_persist >= 1 && c->scan_persist <= c->scan_window,
	      "scan_persist not in [1, scan_window]");
	CHECK(c->pl_n >= 3 && c->pl_n <= c->history, "pl_n not in [3, history]");
	CHECK(c->rp_lag_max >= 2 && c->rp_n <= c->history && 4 * c->rp_lag_max <= c->rp_n,
	      "ripple needs 2 <= rp_lag_max, 4 * rp_lag_max <= rp_n <= history");
	CHECK(c->mm_min >= 3 && c->mm_min < c->history, "mm_min not in [3, history)");
	return 0;
}

#undef CHECK

/* One block, carved in this order; each part 64-byte aligned. */
struct det_layout {
	size_t ent, heap, slot, hist, cms, scr, win, top, res, total;
	uint32_t hcap;
};

static size_t
al64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

static void
det_layout(const struct dnsyn_detect_conf *c, struct det_layout *l)
{
	size_t o = al64(sizeof(struct dnsyn_detect));

	/* The key table at most half full: short probes, and deletion by
	 * backward shift stays cheap. */
	l->hcap = 1;
	while (l->hcap < 2 * c->k)
		l->hcap <<= 1;
	l->ent = o;
	o += al64((size_t)c->k * sizeof(struct det_entry));
	l->heap = o;
	o += al64((size_t)c->k * sizeof(uint32_t));
	l->slot = o;
	o += al64((size_t)l->hcap * sizeof(uint32_t));
	l->hist = o;
	o += al64((size_t)c->k * c->history * sizeof(struct det_rec));
	l->cms = o;
	o += al64((size_t)c->cms_width * c->cms_depth * sizeof(float));
	l->scr = o;
	o += al64((size_t)3 * c->k * sizeof(double));
	l->win = o;
	o += al64((size_t)(c->history + 2 * c->rp_lag_max + 2) * sizeof(double));
	l->top = o;
	o += al64((size_t)c->top_n * sizeof(struct dnsyn_top_client));
	l->res = o;
	o += al64((size_t)c->resolvers * sizeof(struct det_resolver));
	l->total = o;
}

size_t
dnsyn_detect_memsize(const struct dnsyn_detect_conf *c)
{
	struct det_layout l;

	if (dnsyn_detect_conf_check(c, NULL, 0) != 0)
		return 0;
	det_layout(c, &l);
	return l.total;
}

struct dnsyn_detect *
dnsyn_detect_create(const struct dnsyn_detect_conf *c)
{
	struct det_layout l;
	struct dnsyn_detect *d;
	char *b;

	if (dnsyn_detect_conf_check(c, NULL, 0) != 0)
		return NULL;
	det_layout(c, &l);
	/* The only allocation: everything the detector ever holds. */
	b = aligned_alloc(64, l.total);
	if (b == NULL)
		return NULL;
	memset(b, 0, l.total);
	d = (struct dnsyn_detect *)b;
	d->c = *c;
	d->mem = l.total;
	d->ent = (struct det_entry *)(b + l.ent);
	d->heap = (uint32_t *)(b + l.heap);
	d->slot = (uint32_t *)(b + l.slot);
	d->hmask = l.hcap - 1;
	d->hist = (struct det_rec *)(b + l.hist);
	d->cms = (float *)(b + l.cms);
	d->scr = (double *)(b + l.scr);
	d->win = (double *)(b + l.win);
	d->top = (struct dnsyn_top_client *)(b + l.top);
	d->res = (struct det_resolver *)(b + l.res);
	d->decay = c->half_life > 0 ? exp2(-1.0 / c->half_life) : 1.0;
	d->g = 1;
	return d;
}

void
dnsyn_detect_free(struct dnsyn_detect *d)
{
	free(d);
}

size_t
dnsyn_detect_mem(const struct dnsyn_detect *d)
{
	return d->mem;
}

const struct dnsyn_detect_stats *
dnsyn_detect_stats(const struct dnsyn_detect *d)
{
	return &d->st;
}

uint8_t
dnsyn_detect_mask(uint8_t out[16], const uint8_t in[16], uint8_t v4, uint8_t v6)
{
	static const uint8_t v4m[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned int plen, i;

	plen = memcmp(in, v4m, 12) == 0 ? 96u + (v4 > 32 ? 32u : v4) : (v6 > 128 ? 128u : v6);
	for (i = 0; i < 16; i++) {
		unsigned int bits = plen > 8 * i ? plen - 8 * i : 0;

		out[i] = bits >= 8 ? in[i] : (uint8_t)(in[i] & (0xff00u >> bits));
	}
	return (uint8_t)plen;
}

/* --- hashing ------------------------------------------------------------ */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Seeded, so that an attacker who cannot guess the seed cannot aim spoofed
 * keys at one sketch cell or one probe chain. */
static uint64_t
det_hash(const struct dnsyn_detect *d, const uint8_t k[16])
{
	uint64_t a, b;

	memcpy(&a, k, 8);
	memcpy(&b, k + 8, 8);
	return mix64(mix64(a ^ d->c.hash_seed) ^ b);
}

/* Row r's cell: double hashing (Kirsch & Mitzenmacher) from one 64-bit hash. */
static size_t
cms_cell(const struct dnsyn_detect *d, uint64_t h, uint32_t r)
{
	uint32_t h1 = (uint32_t)h, h2 = (uint32_t)(h >> 32) | 1u;

	return (size_t)r * d->c.cms_width + ((h1 + r * h2) & (d->c.cms_width - 1));
}

static double
cms_get(const struct dnsyn_detect *d, uint64_t h)
{
	double m = INFINITY;
	uint32_t r;

	for (r = 0; r < d->c.cms_depth; r++) {
		double v = d->cms[cms_cell(d, h, r)];

		if (v < m)
			m = v;
	}
	return m;
}

/* Conservative update: raise each row only as far as the new estimate. Never
 * underestimates, and spreads far less noise than adding w to every row. */
static double
cms_add(struct dnsyn_detect *d, uint64_t h, double w)
{
	double est = cms_get(d, h) + w;
	uint32_t r;

	for (r = 0; r < d->c.cms_depth; r++) {
		float *cell = &d->cms[cms_cell(d, h, r)];

		if (*cell < est)
			*cell = (float)est;
	}
	return est;
}

/* An evicted key's count goes back into the sketch so that its estimate
 * stays an upper bound. */
static void
cms_raise(struct dnsyn_detect *d, uint64_t h, double v)
{
	uint32_t r;

	for (r = 0; r < d->c.cms_depth; r++) {
		float *cell = &d->cms[cms_cell(d, h, r)];

		if (*cell < v)
			*cell = (float)v;
	}
}

/* --- key table (open addressing, linear probing) --------------------------- */

/* The slot holding @p k, or the empty slot where it would go. */
static uint32_t
ht_pos(const struct dnsyn_detect *d, uint64_t h, const uint8_t k[16])
{
	uint32_t i = (uint32_t)h & d->hmask;

	while (d->slot[i] != 0 && memcmp(d->ent[d->slot[i] - 1].key, k, 16) != 0)
		i = (i + 1) & d->hmask;
	return i;
}

/* Backward-shift deletion: no tombstones, so probes never lengthen. */
static void
ht_del(struct dnsyn_detect *d, uint32_t i)
{
	uint32_t j = i;

	d->slot[i] = 0;
	for (;;) {
		uint32_t home;

		j = (j + 1) & d->hmask;
		if (d->slot[j] == 0)
			return;
		home = (uint32_t)d->ent[d->slot[j] - 1].hash & d->hmask;
		if (((j - home) & d->hmask) >= ((j - i) & d->hmask)) {
			d->slot[i] = d->slot[j];
			d->slot[j] = 0;
			i = j;
		}
	}
}

/* --- min-heap of entries by count -------------------------------------------- */

static void
heap_set(struct dnsyn_detect *d, uint32_t pos, uint32_t idx)
{
	d->heap[pos] = idx;
	d->ent[idx].heap_pos = pos;
}

static void
heap_down(struct dnsyn_detect *d, uint32_t pos)
{
	uint32_t idx = d->heap[pos];
	double c = d->ent[idx].count;

	for (;;) {
		uint32_t l = 2 * pos + 1, m = pos;
		double mc = c;

		if (l < d->n_ent && d->ent[d->heap[l]].count < mc) {
			m = l;
			mc = d->ent[d->heap[l]].count;
		}
		if (l + 1 < d->n_ent && d->ent[d->heap[l + 1]].count < mc)
			m = l + 1;
		if (m == pos)
			break;
		heap_set(d, pos, d->heap[m]);
		pos = m;
	}
	heap_set(d, pos, idx);
}

static void
heap_up(struct dnsyn_detect *d, uint32_t pos)
{
	uint32_t idx = d->heap[pos];
	double c = d->ent[idx].count;

	while (pos > 0) {
		uint32_t p = (pos - 1) / 2;

		if (d->ent[d->heap[p]].count <= c)
			break;
		heap_set(d, pos, d->heap[p]);
		pos = p;
	}
	heap_set(d, pos, idx);
}

/* --- observations ------------------------------------------------------------ */

static void
obs_add(struct dnsyn_client_obs *a, const struct dnsyn_client_obs *o)
{
	unsigned int i;

	for (i = 0; i < DNSYN_DQ_MAX; i++)
		a->q[i] += o->q[i];
	a->responses += o->responses;
	a->nxdomain += o->nxdomain;
	a->syn += o->syn;
	a->syn_matched += o->syn_matched;
	a->syn_unmatched += o->syn_unmatched;
	a->syn_mail += o->syn_mail;
	a->smtp_syn += o->smtp_syn;
	a->pop_syn += o->pop_syn;
	/* Summed estimates of distinct counts are upper bounds (two hosts of a
	 * prefix may name the same destination); good enough for thresholds. */
	a->distinct_names_est += o->distinct_names_est;
	a->unmatched_dst_est += o->unmatched_dst_est;
}

static void
entry_init(struct dnsyn_detect *d, struct det_entry *e, const uint8_t key[16], uint8_t plen,
	   uint64_t h)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, 16);
	memcpy(e->cur.addr, key, 16);
	e->plen = plen;
	e->hash = h;
	e->since_iv = d->iv;
}

void
dnsyn_detect_add_client(struct dnsyn_detect *d, const struct dnsyn_client_obs *o)
{
	uint8_t key[16];
	uint8_t plen = 128;
	struct det_entry *e;
	uint32_t pos, idx, i;
	double w = 0, est;
	uint64_t h;

	if (!d->open)
		return;
	d->st.client_obs++;
	if (d->c.aggregate)
		plen = dnsyn_detect_mask(key, o->addr, d->c.v4_prefix, d->c.v6_prefix);
	else
		memcpy(key, o->addr, 16);
	for (i = 0; i < DNSYN_DQ_MAX; i++)
		w += (double)o->q[i];
	/* A scanner that resolves nothing has Dq ~ 0 (Rikitake et al.: Blaster's
	 * SYNs followed no answer), so unmatched SYNs weigh in too. */
	w += d->c.weight_unmatched * (double)o->syn_unmatched;
	h = det_hash(d, key);
	pos = ht_pos(d, h, key);
	if (d->slot[pos] != 0) {
		e = &d->ent[d->slot[pos] - 1];
		obs_add(&e->cur, o);
		if (w > 0) {
			e->count += w;
			heap_down(d, e->heap_pos);
		}
		return;
	}
	if (w <= 0) {
		d->st.zero_obs++;
		return;
	}
	est = cms_add(d, h, w);
	if (d->n_ent < d->c.k) {
		idx = d->n_ent++;
		e = &d->ent[idx];
		entry_init(d, e, key, plen, h);
		e->heap_pos = idx;
		d->heap[idx] = idx;
	} else {
		/* Admission: a newcomer replaces the minimum only if its sketch
		 * estimate (an upper bound on its decayed weight) beats that
		 * minimum. A flood of one-query spoofed keys stays at the noise
		 * level of the sketch and churns only the bottom of the table. */
		e = &d->ent[d->heap[0]];
		if (est <= e->count) {
			d->st.refused++;
			return;
		}
		cms_raise(d, e->hash, e->count);
		ht_del(d, ht_pos(d, e->hash, e->key));
		d->st.evicted++;
		idx = d->heap[0];
		entry_init(d, e, key, plen, h);
		e->heap_pos = 0;
		pos = ht_pos(d, h, key); /* the deletion may have shifted slots */
	}
	/* The estimate bounds the true weight from above: Space-Saving's
	 * overestimation invariant holds, with err the possible excess. */
	e->count = est;
	e->err = est - w;
	obs_add(&e->cur, o);
	d->slot[pos] = idx + 1;
	heap_up(d, e->heap_pos);
	heap_down(d, e->heap_pos);
	d->st.admitted++;
	d->st.tracked = d->n_ent;
}

void
dnsyn_detect_add_resolver(struct dnsyn_detect *d, const struct dnsyn_resolver_obs *o)
{
	struct det_resolver *r = NULL, *old = NULL;
	uint32_t i;

	if (!d->open || d->c.resolvers == 0)
		return;
	d->st.resolver_obs++;
	for (i = 0; i < d->n_res; i++) {
		if (memcmp(d->res[i].addr, o->addr, 16) == 0) {
			r = &d->res[i];
			break;
		}
		/* The least recently seen one, if not seen in this interval. */
		if (d->res[i].last_iv < d->iv && (old == NULL || d->res[i].last_iv < old->last_iv))
			old = &d->res[i];
	}
	if (r == NULL) {
		if (d->n_res < d->c.resolvers) {
			r = &d->res[d->n_res++];
		} else if (old != NULL) {
			r = old;
			d->st.resolvers_evicted++;
		} else {
			d->st.resolvers_refused++;
			return;
		}
		memset(r, 0, sizeof(*r));
		memcpy(r->addr, o->addr, 16);
		d->st.resolvers_tracked = d->n_res;
	}
	r->last_iv = d->iv;
	r->cur_ans += o->answers;
	r->cur_qry += o->queries;
}

/* --- interval cycle ------------------------------------------------------------ */

static uint64_t
entry_dq(const struct det_entry *e)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < DNSYN_DQ_MAX; i++)
		s += e->cur.q[i];
	return s;
}

/* The interval's top clients by Dq, among the tracked keys: any key whose
 * weight in this interval beat the table's minimum was admitted. */
static void
top_update(struct dnsyn_detect *d)
{
	uint32_t i, j;

	d->n_top = 0;
	if (d->c.top_n == 0)
		return;
	for (i = 0; i < d->n_ent; i++) {
		const struct det_entry *e = &d->ent[i];
		uint64_t dq = entry_dq(e);

		if (dq == 0 || (d->n_top == d->c.top_n && dq <= d->top[d->n_top - 1].dq))
			continue;
		j = d->n_top < d->c.top_n ? d->n_top++ : d->n_top - 1;
		while (j > 0 && d->top[j - 1].dq < dq) {
			d->top[j] = d->top[j - 1];
			j--;
		}
		memcpy(d->top[j].addr, e->key, 16);
		d->top[j].plen = e->plen;
		d->top[j].dq = dq;
		d->top[j].count = e->count;
		d->top[j].err = e->err;
	}
}

static void
det_decay(struct dnsyn_detect *d)
{
	size_t i, n = (size_t)d->c.cms_width * d->c.cms_depth;
	float f = (float)d->decay;

	if (d->decay >= 1)
		return;
	/* A uniform factor keeps the heap order and the sketch's bound: both
	 * sides of "estimate >= true weight" scale alike. */
	for (i = 0; i < d->n_ent; i++) {
		d->ent[i].count *= d->decay;
		d->ent[i].err *= d->decay;
	}
	for (i = 0; i < n; i++)
		d->cms[i] *= f;
}

static void
close_iv(struct dnsyn_detect *d, int quiet)
{
	uint32_t i;

	if (!quiet)
		top_update(d);
	det_population(d);
	for (i = 0; i < d->n_ent; i++)
		det_rules_client(d, &d->ent[i], quiet);
	for (i = 0; i < d->n_res; i++)
		det_rules_resolver(d, &d->res[i], quiet);
	det_decay(d);
	d->iv++;
}

int
dnsyn_detect_begin(struct dnsyn_detect *d, uint64_t start_s, uint32_t len_s)
{
	if (d->open)
		return -EBUSY;
	if (len_s == 0)
		return -EINVAL;
	if (d->started) {
		uint64_t missing, i;

		if (start_s <= d->last_start_s) {
			d->st.bad_intervals++;
			return -EINVAL;
		}
		missing = (start_s - d->last_start_s) / len_s;
		missing = missing > 0 ? missing - 1 : 0;
		/* An interval nobody handed over had no traffic: feed zeros so
		 * the windows stay aligned in time. Past H of them every ring
		 * is zeros anyway; just advance the clock. */
		for (i = 0; i < missing && i < d->c.history; i++)
			close_iv(d, 1);
		if (missing > d->c.history)
			d->iv += missing - d->c.history;
		d->st.gap_intervals += missing;
	}
	d->started = 1;
	d->open = 1;
	d->start_s = d->last_start_s = start_s;
	d->len_s = len_s;
	return 0;
}

uint32_t
dnsyn_detect_end(struct dnsyn_detect *d, struct dnsyn_alert *out, uint32_t cap,
		 dnsyn_alert_fn cb, void *ud)
{
	if (!d->open)
		return 0;
	d->out = out;
	d->cap = out != NULL ? cap : 0;
	d->cb = cb;
	d->ud = ud;
	d->n_raised = 0;
	close_iv(d, 0);
	d->st.intervals++;
	d->open = 0;
	d->out = NULL;
	d->cb = NULL;
	return d->n_raised;
}

uint32_t
dnsyn_detect_top(const struct dnsyn_detect *d, struct dnsyn_top_client *out, uint32_t n)
{
	uint32_t i;

	if (n > d->n_top)
		n = d->n_top;
	for (i = 0; i < n; i++)
		out[i] = d->top[i];
	return n;
}

int
dnsyn_detect_estimate(const struct dnsyn_detect *d, const uint8_t addr[16], double *count)
{
	uint8_t key[16];
	uint64_t h;
	uint32_t pos;

	if (d->c.aggregate)
		dnsyn_detect_mask(key, addr, d->c.v4_prefix, d->c.v6_prefix);
	else
		memcpy(key, addr, 16);
	h = det_hash(d, key);
	pos = ht_pos(d, h, key);
	if (d->slot[pos] != 0) {
		*count = d->ent[d->slot[pos] - 1].count;
		return 1;
	}
	*count = cms_get(d, h);
	return 0;
}
