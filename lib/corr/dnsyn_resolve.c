/* SPDX-License-Identifier: BSD-3-Clause */
/* Grants remembered per answer, in three maps by window of answer time: a
 * claim is at most one window after its answer, so the map of the window two
 * before the newest can be cleared and reused. */
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_map.h"
#include "dnsyn_resolve.h"

#define GENS 3

struct dnsyn_resolve {
	struct dnsyn_resolve_cfg cfg;
	struct dnsyn_paper_stats st;
	struct dnsyn_resolve_counters c;
	struct dnsyn_ivclock ivc;
	struct dnsyn_map granted[GENS]; /* answer id -> granted (fam, var) bits */
	uint64_t gen_epoch[GENS];       /* window number held, UINT64_MAX: none */
	/* the SYN whose claims are coming */
	int hit[DNSYN_VAR_MAX];
	uint64_t newest_syn; /* newest claim time resolved */
	/* corr_records: the claim the SYN's record is about (as dnsyn_paper's
	 * choice: smallest delay, then first answer) */
	struct dnsyn_cand best;
	int has_best;
};

struct dnsyn_resolve *
dnsyn_resolve_create(const struct dnsyn_resolve_cfg *cfg)
{
	struct dnsyn_resolve *r;
	unsigned int f, v, g;

	if (cfg->window_ns == 0)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.max_answers == 0)
		r->cfg.max_answers = 1u << 20;
	if (cfg->interval_cb) {
		r->ivc.iv = cfg->interval_first;
		r->ivc.cb = cfg->interval_cb;
		r->ivc.ud = cfg->interval_ud;
	}
	for (g = 0; g < GENS; g++) {
		r->gen_epoch[g] = UINT64_MAX;
		if (dnsyn_map_init(&r->granted[g], 8, 1024, r->cfg.max_answers) < 0)
			goto fail;
	}
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++) {
			r->st.fam[f].var[v].matched_dport = calloc(65536, sizeof(uint64_t));
			if (r->st.fam[f].var[v].matched_dport == NULL)
				goto fail;
		}
	return r;
fail:
	dnsyn_resolve_destroy(r);
	return NULL;
}

void
dnsyn_resolve_destroy(struct dnsyn_resolve *r)
{
	unsigned int f, v, g;

	if (r == NULL)
		return;
	for (g = 0; g < GENS; g++)
		dnsyn_map_free(&r->granted[g]);
	for (f = 0; f < DNSYN_FAM_MAX; f++)
		for (v = 0; v < DNSYN_VAR_MAX; v++)
			free(r->st.fam[f].var[v].matched_dport);
	free(r);
}

/* The grant bits of the answer, in the map of its window. */
static uint64_t *
grants(struct dnsyn_resolve *r, const struct dnsyn_cand *c)
{
	uint64_t epoch = c->ans_ts / r->cfg.window_ns;
	unsigned int g = (unsigned int)(epoch % GENS);
	uint64_t *bits;

	if (r->gen_epoch[g] != epoch) {
		/* A newer window takes the map over; an answer from a window
		 * already dropped (time went backwards) shares it harmlessly. */
		if (r->gen_epoch[g] == UINT64_MAX || epoch > r->gen_epoch[g]) {
			dnsyn_map_clear(&r->granted[g]);
			r->gen_epoch[g] = epoch;
		}
	}
	bits = dnsyn_map_upsert(&r->granted[g], &c->answer, NULL);
	if (bits == NULL)
		r->c.overflow++;
	return bits;
}

void
dnsyn_resolve_claim(struct dnsyn_resolve *r, const struct dnsyn_cand *c)
{
	struct dnsyn_interval *iv = dnsyn_ivclock_at(&r->ivc, c->syn_ts);
	uint64_t scratch = 0, *bits = grants(r, c);
	unsigned int v, won = 0;

	if (bits == NULL)
		bits = &scratch; /* not remembered: grant it (counted in overflow) */
	r->c.claims++;
	/* Capture order is the contract; packet time going backwards breaks
	 * it across shards (docs/architecture.md): say so. */
	if (c->syn_ts < r->newest_syn)
		r->c.out_of_order++;
	else
		r->newest_syn = c->syn_ts;
	for (v = 0; v < DNSYN_VAR_MAX; v++) {
		uint64_t bit = 1ull << (c->fam * DNSYN_VAR_MAX + v);

		if (!(c->vars & (1u << v)) || (*bits & bit))
			continue;
		*bits |= bit;
		dnsyn_paper_count_match(&r->st, iv, c->fam, v, c->syn_ts - c->ans_ts);
		r->hit[v] = 1;
		r->c.granted++;
		won = 1;
		if (r->cfg.corr_records && v == dnsyn_paper_var_main(r->cfg.key_client)) {
			uint64_t dt = c->syn_ts - c->ans_ts, bdt = r->best.syn_ts - r->best.ans_ts;

			if (!r->has_best || dt < bdt || (dt == bdt && c->answer < r->best.answer)) {
				r->best = *c;
				r->has_best = 1;
			}
		}
	}
	r->c.lost += !won;
	if (c->last && r->has_best && iv)
		dnsyn_paper_count_corr(iv, &r->best);
	if (c->last) {
		r->has_best = 0;
		dnsyn_paper_count_verdict(&r->st, iv, c->fam, c->dport, c->src, c->dst, r->hit,
					  dnsyn_paper_var_main(r->cfg.key_client));
		memset(r->hit, 0, sizeof(r->hit));
	}
}

void
dnsyn_resolve_advance(struct dnsyn_resolve *r, uint64_t now_ns)
{
	dnsyn_ivclock_advance(&r->ivc, now_ns);
}

uint64_t
dnsyn_resolve_interval_done(const struct dnsyn_resolve *r)
{
	return r->ivc.done_ns;
}

void
dnsyn_resolve_flush(struct dnsyn_resolve *r)
{
	dnsyn_ivclock_flush(&r->ivc);
}

const struct dnsyn_paper_stats *
dnsyn_resolve_stats(const struct dnsyn_resolve *r)
{
	return &r->st;
}

const struct dnsyn_resolve_counters *
dnsyn_resolve_counters(const struct dnsyn_resolve *r)
{
	return &r->c;
}
