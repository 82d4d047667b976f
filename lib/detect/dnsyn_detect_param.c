/* SPDX-License-Identifier: BSD-3-Clause */
/* The detectors' parameters by name: what `--detect NAME=VALUE` and the
 * configuration file's [detect] section set, and which of them a running
 * detector can take on (SIGHUP) without losing what it learnt. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_detect.h"
#include "dnsyn_detect_int.h"

enum { P_U32, P_U64, P_DBL, P_BOOL, P_U8 };

struct param {
	const char *name;
	uint8_t type;
	uint8_t shape; /**< sizes the detector's memory or its keys: not reloadable */
	size_t off;
};

#define U32(n, f, s) {n, P_U32, s, offsetof(struct dnsyn_detect_conf, f)}
#define U64(n, f, s) {n, P_U64, s, offsetof(struct dnsyn_detect_conf, f)}
#define DBL(n, f, s) {n, P_DBL, s, offsetof(struct dnsyn_detect_conf, f)}
#define BOOL(n, f, s) {n, P_BOOL, s, offsetof(struct dnsyn_detect_conf, f)}
#define U8(n, f, s) {n, P_U8, s, offsetof(struct dnsyn_detect_conf, f)}

/* Names follow the fields (docs/detection.md describes each); hash_seed is
 * not here: replays fix it, live ports draw it. */
static const struct param params[] = {
	U32("k", k, 1), U32("history", history, 1), U32("cms-width", cms_width, 1),
	U32("cms-depth", cms_depth, 1), U32("top-n", top_n, 1), U32("resolvers", resolvers, 1),
	DBL("half-life", half_life, 0), DBL("weight-unmatched", weight_unmatched, 0),
	BOOL("aggregate", aggregate, 1), U8("v4-prefix", v4_prefix, 1),
	U8("v6-prefix", v6_prefix, 1), U32("holdoff", holdoff, 0),
	DBL("alpha", alpha, 0), U32("baseline-min", baseline_min, 0), DBL("clip-z", clip_z, 0),
	U32("scan-warmup", scan_warmup, 0), U32("scan-window", scan_window, 0),
	U32("scan-persist", scan_persist, 0), U32("scan-syn-min", scan_syn_min, 0),
	U32("scan-dst-min", scan_dst_min, 0), DBL("scan-frac-min", scan_frac_min, 0),
	U32("scan-syn-high", scan_syn_high, 0), U32("scan-dst-high", scan_dst_high, 0),
	DBL("mx-z", mx_z, 0), DBL("mx-ratio", mx_ratio, 0), DBL("mx-peer-k", mx_peer_k, 0),
	U32("mx-min", mx_min, 0),
	DBL("rj-z", rj_z, 0), DBL("rj-ratio", rj_ratio, 0), U32("rj-min", rj_min, 0),
	DBL("rj-z-high", rj_z_high, 0), DBL("rj-ratio-high", rj_ratio_high, 0),
	BOOL("rj-population", rj_population, 0), U32("rj-pop-min", rj_pop_min, 0),
	U32("rj-pop-floor", rj_pop_floor, 0),
	U32("pl-n", pl_n, 0), DBL("pl-cv-max", pl_cv_max, 0), DBL("pl-fano-max", pl_fano_max, 0),
	U32("pl-floor", pl_floor, 0), U32("rp-n", rp_n, 0), DBL("rp-acf-min", rp_acf_min, 0),
	U32("rp-lag-max", rp_lag_max, 1), /* sizes the windowed rules' scratch */
	DBL("rd-z", rd_z, 0), DBL("rd-ratio", rd_ratio, 0), U64("rd-min", rd_min, 0),
	U32("mm-min", mm_min, 0), DBL("mm-k", mm_k, 0), DBL("mm-min-resid", mm_min_resid, 0),
	DBL("mm-r2-min", mm_r2_min, 0), DBL("mm-active-frac", mm_active_frac, 0),
};

static const struct param *
find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (strlen(params[i].name) == len && strncmp(params[i].name, name, len) == 0)
			return &params[i];
	return NULL;
}

unsigned int
dnsyn_detect_param_count(void)
{
	return sizeof(params) / sizeof(params[0]);
}

const char *
dnsyn_detect_param_name(unsigned int i)
{
	return i < dnsyn_detect_param_count() ? params[i].name : NULL;
}

int
dnsyn_detect_param_set(struct dnsyn_detect_conf *c, const char *name, size_t name_len,
		       const char *value, char *err, size_t errlen)
{
	const struct param *p = find(name, name_len);
	char *base = (char *)c + (p ? p->off : 0), *end;
	unsigned long long u;
	double d;

	if (p == NULL) {
		snprintf(err, errlen, "no detector parameter '%.*s' (docs/detection.md lists them)",
			 (int)(name_len < 64 ? name_len : 64), name);
		return -EINVAL;
	}
	if (p->type == P_DBL) {
		errno = 0;
		d = strtod(value, &end);
		if (errno || end == value || *end || !isfinite(d))
			goto bad;
		memcpy(base, &d, sizeof(d));
		return 0;
	}
	if (p->type == P_BOOL) {
		int b;

		if (strcmp(value, "yes") == 0 || strcmp(value, "1") == 0 || strcmp(value, "true") == 0)
			b = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "0") == 0 ||
			 strcmp(value, "false") == 0)
			b = 0;
		else
			goto bad;
		memcpy(base, &b, sizeof(b));
		return 0;
	}
	/* strtoull takes blanks and a sign: insist on digits only. */
	if (!isdigit((unsigned char)value[0]))
		goto bad;
	errno = 0;
	u = strtoull(value, &end, 10);
	if (errno || *end)
		goto bad;
	if (p->type == P_U8) {
		uint8_t v = (uint8_t)u;

		if (u > UINT8_MAX)
			goto bad;
		memcpy(base, &v, 1);
	} else if (p->type == P_U32) {
		uint32_t v = (uint32_t)u;

		if (u > UINT32_MAX)
			goto bad;
		memcpy(base, &v, 4);
	} else {
		uint64_t v = u;

		memcpy(base, &v, 8);
	}
	return 0;
bad:
	snprintf(err, errlen, "detector parameter %s: bad value '%.40s' (%s)", p->name, value,
		 p->type == P_DBL ? "a number" : p->type == P_BOOL ? "yes or no" : "an integer >= 0");
	return -EINVAL;
}

int
dnsyn_detect_reconfigure(struct dnsyn_detect *d, const struct dnsyn_detect_conf *c,
			 unsigned int *n_held, char *held, size_t heldlen)
{
	size_t used = 0;
	int n_set = 0;
	struct dnsyn_detect_conf next = d->c;

	*n_held = 0;

	if (held && heldlen)
		held[0] = '\0';
	if (dnsyn_detect_conf_check(c, NULL, 0) != 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const struct param *p = &params[i];
		size_t sz = p->type == P_DBL || p->type == P_U64 ? 8 : p->type == P_U8 ? 1 : 4;

		if (memcmp((const char *)c + p->off, (const char *)&d->c + p->off, sz) == 0)
			continue;
		if (p->shape) {
			(*n_held)++;
			if (held && used + strlen(p->name) + 3 < heldlen)
				used += (size_t)snprintf(held + used, heldlen - used, "%s%s",
							 used ? ", " : "", p->name);
			continue;
		}
		memcpy((char *)&next + p->off, (const char *)c + p->off, sz);
		n_set++;
	}
	/* The mixed result must hold too (e.g. scan-window within the old history). */
	if (dnsyn_detect_conf_check(&next, NULL, 0) != 0)
		return -EINVAL;
	d->c = next;
	d->decay = next.half_life > 0 ? exp2(-1.0 / next.half_life) : 1.0;
	return n_set;
}

const struct dnsyn_detect_conf *
dnsyn_detect_get_conf(const struct dnsyn_detect *d)
{
	return &d->c;
}
