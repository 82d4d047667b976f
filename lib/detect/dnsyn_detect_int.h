/* SPDX-License-Identifier: BSD-3-Clause */
/* Detection internals shared by the tracker (dnsyn_detect.c) and the rules
 * (dnsyn_detect_rules.c). Not part of the API. */
#ifndef DNSYN_DETECT_INT_H
#define DNSYN_DETECT_INT_H

#include <stdint.h>

#include "dnsyn_detect.h"

/** One interval of a tracked key, as the windowed rules need it. 32 bytes:
 *  counts saturate at UINT32_MAX, which no per-interval count reaches. */
struct det_rec {
	uint32_t dq, mx, smtp, pop, syn, syn_unm, unm_dst;
	uint32_t flags;
};
#define DET_REC_SCAN 1u                       /* qualified for unresolved-scan */
#define DET_REC_JUMP 2u                       /* qualified for rate-jump */
#define DET_REC_ALERT(det) (1u << (8 + (det))) /* that detector fired */

/** Exponentially weighted mean and variance (West 1979 update). */
struct det_ewma {
	double m, v;
};

struct det_entry {
	uint8_t key[16];
	uint8_t plen;
	uint32_t heap_pos;
	uint64_t hash;
	double count, err;    /* Space-Saving: decayed count, overestimate bound */
	uint64_t since_iv;    /* interval index at admission */
	uint32_t n_hist;      /* records in the ring, <= history */
	uint32_t head;        /* ring slot the next record goes to */
	uint32_t n_base;      /* baseline updates so far */
	struct det_ewma dq, mx, smtp;
	uint64_t last_alert[DNSYN_DET_MAX]; /* interval index + 1; 0: never */
	struct dnsyn_client_obs cur;        /* this interval, summed */
};

struct det_resolver {
	uint8_t addr[16];
	uint32_t n_base;
	uint64_t last_iv;     /* last interval it was observed in */
	struct det_ewma ans, qry;
	uint64_t cur_ans, cur_qry;
	uint64_t last_alert;
};

struct dnsyn_detect {
	struct dnsyn_detect_conf c;
	struct dnsyn_detect_stats st;
	size_t mem;
	/* tracking */
	struct det_entry *ent;   /* [k] */
	uint32_t n_ent;
	uint32_t *heap;          /* [k] entry indices, min-heap by count */
	uint32_t *slot;          /* [hcap] entry index + 1; 0 empty */
	uint32_t hmask;
	struct det_rec *hist;    /* [k * history] */
	float *cms;              /* [depth * width] */
	double decay;            /* per interval, from half_life */
	/* scratch */
	double *scr;             /* [3 * k]: population figures */
	double *win;             /* [history + 2 * rp_lag_max + 2]: windowed rules */
	struct dnsyn_top_client *top;
	uint32_t n_top;
	struct det_resolver *res; /* [resolvers] */
	uint32_t n_res;
	/* interval */
	int open, started;
	uint64_t start_s, last_start_s;
	uint32_t len_s;
	uint64_t iv;             /* intervals closed so far, gaps included */
	/* population figures of the interval being closed */
	double g, mx_med, mx_mad, smtp_med, smtp_mad;
	/* output of dnsyn_detect_end */
	struct dnsyn_alert *out;
	uint32_t cap, n_raised;
	dnsyn_alert_fn cb;
	void *ud;
};

static inline struct det_rec *
det_ring(const struct dnsyn_detect *d, const struct det_entry *e)
{
	return d->hist + (size_t)(e - d->ent) * d->c.history;
}

/** The i-th newest record (0: newest); i < e->n_hist. */
static inline const struct det_rec *
det_rec_back(const struct dnsyn_detect *d, const struct det_entry *e, uint32_t i)
{
	uint32_t h = d->c.history;

	return det_ring(d, e) + (e->head + h - 1 - i) % h;
}

void det_population(struct dnsyn_detect *d);
void det_rules_client(struct dnsyn_detect *d, struct det_entry *e, int quiet);
void det_rules_resolver(struct dnsyn_detect *d, struct det_resolver *r, int quiet);

#endif
