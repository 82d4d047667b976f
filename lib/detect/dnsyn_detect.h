/* SPDX-License-Identifier: BSD-3-Clause */
/* Detection, pure: per-client behaviour over closed intervals (Musashi et
 * al.'s Dq(i) and Rikitake et al.'s answer->SYN signal), bounded tracking of
 * the heaviest clients, six detectors. Called once per closed interval on the
 * main lcore: begin, one add per client / resolver, end. Allocates only in
 * dnsyn_detect_create(); see docs/detection.md for the rules and the bound. */
#ifndef DNSYN_DETECT_H
#define DNSYN_DETECT_H

#include <stddef.h>
#include <stdint.h>

/** Query types, in the order of DNSYN_IVQ_* (lib/corr/dnsyn_interval.h). */
enum { DNSYN_DQ_A, DNSYN_DQ_AAAA, DNSYN_DQ_MX, DNSYN_DQ_PTR, DNSYN_DQ_TXT, DNSYN_DQ_OTHER,
       DNSYN_DQ_MAX };

/** One client's activity in one interval. Several records for one key in
 *  one interval (e.g. shards, or prefix aggregation) are summed. */
struct dnsyn_client_obs {
	uint8_t addr[16];            /**< IPv4 as v4-mapped ::ffff:a.b.c.d */
	uint64_t q[DNSYN_DQ_MAX];    /**< queries sent, by type; Dq = their sum */
	uint64_t responses, nxdomain;
	uint64_t syn, syn_matched, syn_unmatched;
	uint64_t syn_mail;           /**< SYNs to 25, 465, 587, 110, 995, 143, 993 */
	uint64_t smtp_syn;           /**< SYNs to 25, 465, 587 (NS) */
	uint64_t pop_syn;            /**< SYNs to 110, 995 (NP) */
	uint32_t distinct_names_est; /**< distinct question names (estimate) */
	uint32_t unmatched_dst_est;  /**< distinct destinations of unmatched SYNs */
};

/** One resolver's load in one interval. */
struct dnsyn_resolver_obs {
	uint8_t addr[16];
	uint64_t answers;  /**< answers it sent */
	uint64_t queries;  /**< queries it received */
};

enum dnsyn_det_id {
	DNSYN_DET_UNRESOLVED_SCAN,
	DNSYN_DET_MX_STORM,
	DNSYN_DET_RATE_JUMP,
	DNSYN_DET_PLATEAU,
	DNSYN_DET_RESOLVER_DOS,
	DNSYN_DET_MAIL_MODEL,
	DNSYN_DET_MAX
};

/** "unresolved-scan", "mx-storm", "rate-jump", "plateau", "resolver-dos",
 *  "mail-model"; "?" for anything else. */
const char *dnsyn_det_name(enum dnsyn_det_id id);

#define DNSYN_ALERT_EV_MAX 4
#define DNSYN_ALERT_REASON_MAX 192

/** A named figure behind an alert (name is a static string). */
struct dnsyn_alert_ev {
	const char *name;
	double value;
};

struct dnsyn_alert {
	enum dnsyn_det_id det;
	uint8_t addr[16];     /**< client, prefix or resolver */
	uint8_t plen;         /**< prefix length in the 128-bit form: 128 one host,
	                           120 an IPv4 /24, 64 an IPv6 /64 */
	uint8_t resolver;     /**< 1: addr is a resolver (resolver-dos) */
	uint64_t iv_start_s;  /**< the interval that raised it */
	uint32_t iv_len_s;
	double score;         /**< the detector's main figure (z, ratio, k, ...) */
	uint32_t n_ev;
	struct dnsyn_alert_ev ev[DNSYN_ALERT_EV_MAX];
	char reason[DNSYN_ALERT_REASON_MAX];
};

typedef void (*dnsyn_alert_fn)(void *ud, const struct dnsyn_alert *a);

/** Parameters; dnsyn_detect_conf_default() gives the documented defaults.
 *  Counts are per interval unless said otherwise. */
struct dnsyn_detect_conf {
	/* tracking */
	uint32_t k;                /**< tracked keys (Space-Saving), 4096 */
	uint32_t history;          /**< H: intervals kept per tracked key, 64 */
	uint32_t cms_width;        /**< count-min width, power of two, 65536 */
	uint32_t cms_depth;        /**< count-min rows, 4 */
	uint32_t top_n;            /**< per-interval top list length, 10 */
	uint32_t resolvers;        /**< resolvers tracked, 64 */
	double half_life;          /**< intervals: decay of counts and sketch, 60 */
	double weight_unmatched;   /**< tracking weight = Dq + this * syn_unmatched, 1 */
	uint64_t hash_seed;        /**< pass a random one in production */
	int aggregate;             /**< 1: key = /v4_prefix or /v6_prefix */
	uint8_t v4_prefix, v6_prefix; /**< 24, 64 */
	uint32_t holdoff;          /**< intervals between alerts of one detector on one
	                                key, 10 (1: every interval) */
	/* baselines */
	double alpha;              /**< EWMA weight, 0.1 */
	uint32_t baseline_min;     /**< intervals of history before baseline rules, 8 */
	double clip_z;             /**< an anomalous interval enters its baseline as
	                                mean + clip_z * sd, 3 */
	/* unresolved-scan */
	uint32_t scan_warmup;      /**< intervals after the first ignored, 5 */
	uint32_t scan_window;      /**< 3 */
	uint32_t scan_persist;     /**< qualifying intervals in the window, 2 */
	uint32_t scan_syn_min;     /**< unmatched SYNs, 20 */
	uint32_t scan_dst_min;     /**< distinct unmatched destinations, 10 */
	double scan_frac_min;      /**< unmatched / all SYNs, 0.5 */
	uint32_t scan_syn_high;    /**< at once, no persistence: 500 */
	uint32_t scan_dst_high;    /**< with 200 destinations */
	/* mx-storm */
	double mx_z;               /**< over own baseline, 6 */
	double mx_ratio;           /**< over own baseline, 4 */
	double mx_peer_k;          /**< over peers' median + k * MAD, 10 */
	uint32_t mx_min;           /**< 50 */
	/* rate-jump */
	double rj_z;               /**< 6 */
	double rj_ratio;           /**< 4 */
	uint32_t rj_min;           /**< 50 */
	double rj_z_high;          /**< at once, without a 2nd interval: z 20 */
	double rj_ratio_high;      /**< and 10 times the baseline */
	int rj_population;         /**< 1: scale the baseline by the population's change */
	uint32_t rj_pop_min;       /**< keys needed for that, 10 */
	uint32_t rj_pop_floor;     /**< baseline a key needs to count there, 20 */
	/* plateau / ripple */
	uint32_t pl_n;             /**< 20 */
	double pl_cv_max;          /**< 0.05 */
	double pl_fano_max;        /**< variance / mean, 1 */
	uint32_t pl_floor;         /**< every interval of the window at least, 10 */
	uint32_t rp_n;             /**< ripple window, 48 */
	double rp_acf_min;         /**< 0.6 */
	uint32_t rp_lag_max;       /**< 12 (2 * lag must fit in rp_n / 2) */
	/* resolver-dos */
	double rd_z;               /**< 6 */
	double rd_ratio;           /**< 3 */
	uint64_t rd_min;           /**< 1000 */
	/* mail-model */
	uint32_t mm_min;           /**< intervals with mail activity in the fit, 16 */
	double mm_k;               /**< residual standard deviations, 5 */
	double mm_min_resid;       /**< 50 */
	double mm_r2_min;          /**< the model must explain this much of Dq, 0.8 */
	double mm_active_frac;     /**< of the history with mail activity, 0.5 */
};

/** Counters; tracked is a level, the rest only grow. */
struct dnsyn_detect_stats {
	uint64_t intervals, gap_intervals, bad_intervals;
	uint64_t client_obs, resolver_obs, zero_obs;
	uint64_t tracked;          /**< keys tracked now (<= k) */
	uint64_t admitted;         /**< keys that got a slot */
	uint64_t evicted;          /**< keys that lost it (folded into the sketch) */
	uint64_t refused;          /**< observations of untracked keys left in the sketch */
	uint64_t resolvers_tracked, resolvers_evicted, resolvers_refused;
	uint64_t alerts[DNSYN_DET_MAX];
	uint64_t suppressed[DNSYN_DET_MAX]; /**< within holdoff */
	uint64_t alerts_dropped;   /**< beyond the caller's array */
	uint64_t mm_fits, mm_fit_skipped;
};

/** One entry of the per-interval top list (Musashi's IP-A, IP-B, ...). */
struct dnsyn_top_client {
	uint8_t addr[16];
	uint8_t plen;
	uint64_t dq;        /**< queries in the interval */
	double count, err;  /**< decayed Space-Saving count and its overestimate bound */
};

struct dnsyn_detect;

void dnsyn_detect_conf_default(struct dnsyn_detect_conf *c);

/** 0, or -EINVAL with a message in err (may be NULL). */
int dnsyn_detect_conf_check(const struct dnsyn_detect_conf *c, char *err, size_t errlen);

/** Parameters settable by name (`--detect NAME=VALUE`, [detect] in the
 *  configuration file): how many, and the name of the i-th. */
unsigned int dnsyn_detect_param_count(void);
const char *dnsyn_detect_param_name(unsigned int i);

/**
 * Set parameter @p name (@p name_len bytes, e.g. "scan-syn-min") of @p c from
 * its text @p value. 0, or -EINVAL with @p err filled (unknown name, bad
 * value). Cross-parameter rules are dnsyn_detect_conf_check()'s.
 */
int dnsyn_detect_param_set(struct dnsyn_detect_conf *c, const char *name, size_t name_len,
			   const char *value, char *err, size_t errlen);

/**
 * Take on @p c's thresholds in a running detector (what it learnt stays).
 * Parameters that size its memory or its keys (k, history, sketch, top-n,
 * resolvers, aggregation, rp-lag-max) are not changed: they are counted in
 * @p n_held and named in @p held. Returns the number of parameters changed,
 * or -EINVAL (nothing changed) when @p c, or the mix, fails the checks.
 */
int dnsyn_detect_reconfigure(struct dnsyn_detect *d, const struct dnsyn_detect_conf *c,
			     unsigned int *n_held, char *held, size_t heldlen);

/** The configuration @p d runs with. */
const struct dnsyn_detect_conf *dnsyn_detect_get_conf(const struct dnsyn_detect *d);

/** Bytes dnsyn_detect_create() allocates for @p c (0 if invalid): the bound. */
size_t dnsyn_detect_memsize(const struct dnsyn_detect_conf *c);

/** NULL on an invalid configuration or no memory. */
struct dnsyn_detect *dnsyn_detect_create(const struct dnsyn_detect_conf *c);
void dnsyn_detect_free(struct dnsyn_detect *d);

/** Bytes held by @p d; never changes after create. */
size_t dnsyn_detect_mem(const struct dnsyn_detect *d);

/**
 * Open the interval [start_s, start_s + len_s). Intervals must advance:
 * -EINVAL if start_s is not past the previous one, -EBUSY if one is open.
 * Skipped intervals count as silent ones (zero observations, no alerts).
 */
int dnsyn_detect_begin(struct dnsyn_detect *d, uint64_t start_s, uint32_t len_s);

/** Add one client's observation to the open interval (ignored if none). */
void dnsyn_detect_add_client(struct dnsyn_detect *d, const struct dnsyn_client_obs *o);

/** Add one resolver's observation to the open interval. */
void dnsyn_detect_add_resolver(struct dnsyn_detect *d, const struct dnsyn_resolver_obs *o);

/**
 * Close the interval: run the detectors. Each alert goes to @p cb (if not
 * NULL) and into out[0..cap) (if not NULL; further ones are counted in
 * alerts_dropped). Returns the number of alerts raised.
 */
uint32_t dnsyn_detect_end(struct dnsyn_detect *d, struct dnsyn_alert *out, uint32_t cap,
			  dnsyn_alert_fn cb, void *ud);

/** The last closed interval's top clients by Dq, at most @p n (<= top_n),
 *  largest first. Returns how many. */
uint32_t dnsyn_detect_top(const struct dnsyn_detect *d, struct dnsyn_top_client *out, uint32_t n);

/**
 * Decayed weight of any key (masked as configured): the Space-Saving count
 * when tracked (returns 1), else the count-min estimate (returns 0).
 * Both never underestimate.
 */
int dnsyn_detect_estimate(const struct dnsyn_detect *d, const uint8_t addr[16], double *count);

const struct dnsyn_detect_stats *dnsyn_detect_stats(const struct dnsyn_detect *d);

/**
 * The key of @p in: /v4 of a v4-mapped address, /v6 otherwise, the rest
 * zeroed. Returns the prefix length in the 128-bit form (96 + v4 for IPv4).
 */
uint8_t dnsyn_detect_mask(uint8_t out[16], const uint8_t in[16], uint8_t v4, uint8_t v6);

#endif
