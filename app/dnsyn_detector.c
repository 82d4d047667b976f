/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_random.h>

#include "dnsyn_detector.h"
#include "dnsyn_report.h"

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dnsyn_detect_snap snap;

void
dnsyn_detector_snapshot(struct dnsyn_detect_snap *out)
{
	pthread_mutex_lock(&snap_lock);
	*out = snap;
	pthread_mutex_unlock(&snap_lock);
}

/* After an interval: its top clients and the latest alerts, for telemetry. */
static void
snap_update(const struct dnsyn_detector *x, const struct dnsyn_top_client *top, uint32_t n_top)
{
	struct dnsyn_detect_snap s;
	uint64_t i;
	char addr[64], ts[32];

	memset(&s, 0, sizeof(s));
	for (i = 0; i < n_top && i < DNSYN_SNAP_N; i++) {
		dnsyn_report_client(x->priv, top[i].addr, s.top[i], sizeof(s.top[i]));
		s.top_q[i] = top[i].dq;
	}
	s.n_top = (unsigned int)i;
	for (i = 0; i < x->n_alerts && i < DNSYN_SNAP_N && i < DNSYN_ALERTS_KEEP; i++) {
		const struct dnsyn_alert *a = &x->kept[(x->n_alerts - 1 - i) % DNSYN_ALERTS_KEEP];
		time_t t = (time_t)a->iv_start_s;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		dnsyn_report_client(x->priv, a->addr, addr, sizeof(addr));
		snprintf(s.alerts[i], sizeof(s.alerts[i]), "%s %s %s", dnsyn_det_name(a->det), addr, ts);
	}
	s.n_alerts = (unsigned int)i;
	s.total_alerts = x->n_alerts;
	pthread_mutex_lock(&snap_lock);
	snap = s;
	pthread_mutex_unlock(&snap_lock);
}

int
dnsyn_detector_init(struct dnsyn_detector *x, const struct dnsyn_detect_conf *conf, FILE *jsonl,
		    int random_seed, const struct dnsyn_privacy *priv)
{
	struct dnsyn_detect_conf c = *conf;

	memset(x, 0, sizeof(*x));
	x->jsonl = jsonl;
	x->priv = priv;
	x->tops = calloc(DNSYN_TOP_KEEP, sizeof(*x->tops));
	if (x->tops == NULL)
		return -ENOMEM;
	/* live: a random seed, so spoofed sources cannot aim at chosen sketch
	 * cells; replay: the library's fixed one, reproducible */
	if (random_seed)
		c.hash_seed = rte_rand();
	x->d = dnsyn_detect_create(&c);
	return x->d ? 0 : -ENOMEM;
}

void
dnsyn_detector_fini(struct dnsyn_detector *x)
{
	dnsyn_detect_free(x->d);
	x->d = NULL;
	free(x->tops);
	x->tops = NULL;
}

static void
rfc3339(uint64_t s, char *buf, size_t len)
{
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A JSON string of plain text (the reason strings are ASCII we wrote). */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
alert_json(FILE *f, const struct dnsyn_privacy *priv, const struct dnsyn_alert *a)
{
	char addr[64], ts[32];
	uint32_t i;

	dnsyn_report_client(priv, a->addr, addr, sizeof(addr));
	rfc3339(a->iv_start_s, ts, sizeof(ts));
	fprintf(f, "{\"record\": \"alert\", \"detector\": \"%s\", \"client\": \"%s\", "
		   "\"prefix_len\": %u, \"resolver\": %s, \"time\": \"%s\", \"interval_s\": %u, "
		   "\"score\": %.6g, \"reason\": ",
		dnsyn_det_name(a->det), addr, a->plen, a->resolver ? "true" : "false", ts,
		a->iv_len_s, a->score);
	json_str(f, a->reason);
	fprintf(f, ", \"evidence\": {");
	for (i = 0; i < a->n_ev && i < DNSYN_ALERT_EV_MAX; i++)
		fprintf(f, "%s\"%s\": %.6g", i ? ", " : "", a->ev[i].name, a->ev[i].value);
	fprintf(f, "}}");
}

static int
cl_cmp(const void *a, const void *b)
{
	const struct dnsyn_iv_client *const *x = a, *const *y = b;

	return memcmp((*x)->addr, (*y)->addr, 16);
}

/* Top list order: queries desc, then address: the same for any run. */
static int
top_cmp(const void *a, const void *b)
{
	const struct dnsyn_top_client *x = a, *y = b;

	if (x->dq != y->dq)
		return x->dq < y->dq ? 1 : -1;
	return memcmp(x->addr, y->addr, 16);
}

static void
obs_of(struct dnsyn_client_obs *o, const struct dnsyn_iv_client *c)
{
	unsigned int q;

	memset(o, 0, sizeof(*o));
	memcpy(o->addr, c->addr, 16);
	for (q = 0; q < DNSYN_DQ_MAX && q < DNSYN_IVQ_MAX; q++)
		o->q[q] = c->queries[q];
	o->responses = c->responses;
	o->nxdomain = c->nxdomain;
	o->syn = c->syn;
	o->syn_matched = c->matched_syn;
	o->syn_unmatched = c->unmatched_syn;
	o->syn_mail = c->mail_syn;
	o->smtp_syn = c->smtp_syn;
	o->pop_syn = c->pop_syn;
	o->unmatched_dst_est = dnsyn_iv_bits_estimate(c->unm_dst_bits);
	o->distinct_names_est = dnsyn_iv_bits_estimate(c->name_bits);
}

void
dnsyn_detector_interval(struct dnsyn_detector *x, const struct dnsyn_interval *iv)
{
	struct dnsyn_alert *out = x->last.alerts;
	struct dnsyn_top_client *top = x->last.top;
	struct dnsyn_client_obs o;
	size_t it = 0;
	const void *k;
	uint64_t v;
	uint32_t i, n, shown = 0;
	char ts[32], addr[64];

	x->last.valid = 0;
	x->last.n_alerts = x->last.n_top = 0;
	if (x->d == NULL || dnsyn_detect_begin(x->d, iv->start_s, iv->len_s) < 0) {
		x->errors++; /* an interval older than the last (time going back) */
		return;
	}
	/* In address order: the detector's ties and evictions then do not
	 * depend on how the shards' parts were added up (1 or N shards give
	 * the same alerts and top lists). */
	{
		const struct dnsyn_iv_client **ord = malloc(sizeof(*ord) * (iv->n_cl ? iv->n_cl : 1));

		if (ord == NULL) {
			x->errors++;
			return;
		}
		for (i = 0; i < iv->n_cl; i++)
			ord[i] = &iv->cl[i];
		qsort(ord, iv->n_cl, sizeof(*ord), cl_cmp);
		for (i = 0; i < iv->n_cl; i++) {
			obs_of(&o, ord[i]);
			dnsyn_detect_add_client(x->d, &o);
		}
		free(ord);
	}
	while (dnsyn_map_next(&iv->resolvers, &it, &k, &v)) {
		struct dnsyn_resolver_obs r;

		memcpy(r.addr, k, 16);
		r.answers = v >> 32;
		r.queries = v & 0xffffffffu;
		dnsyn_detect_add_resolver(x->d, &r);
	}
	n = dnsyn_detect_end(x->d, out, DNSYN_DETECTOR_IV_ALERTS, NULL, NULL);
	if (n > DNSYN_DETECTOR_IV_ALERTS)
		n = DNSYN_DETECTOR_IV_ALERTS;
	x->last.n_alerts = n;
	for (i = 0; i < n; i++) {
		x->kept[x->n_alerts % DNSYN_ALERTS_KEEP] = out[i];
		x->n_alerts++;
		if (x->jsonl) {
			alert_json(x->jsonl, x->priv, &out[i]);
			fputc('\n', x->jsonl);
		}
		if (shown < DNSYN_ALERTS_STDERR) {
			dnsyn_report_client(x->priv, out[i].addr, addr, sizeof(addr));
			fprintf(stderr, "dnsyn: alert %s %s: %s\n", dnsyn_det_name(out[i].det), addr,
				out[i].reason);
			shown++;
		} else {
			x->stderr_skipped++;
		}
	}
	n = dnsyn_detect_top(x->d, top, DNSYN_DETECTOR_TOP);
	qsort(top, n, sizeof(top[0]), top_cmp);
	x->last.n_top = n;
	x->last.start_s = iv->start_s;
	x->last.len_s = iv->len_s;
	x->last.valid = 1;
	{
		struct dnsyn_top_kept *kept = &x->tops[x->n_tops++ % DNSYN_TOP_KEEP];

		kept->start_s = iv->start_s;
		kept->n = n;
		memcpy(kept->top, top, sizeof(top[0]) * n);
	}
	snap_update(x, top, n);
	if (x->jsonl) {
		rfc3339(iv->start_s, ts, sizeof(ts));
		fprintf(x->jsonl, "{\"record\": \"top_clients\", \"time\": \"%s\", \"start_s\": %" PRIu64
				  ", \"clients\": [",
			ts, iv->start_s);
		for (i = 0; i < n; i++) {
			dnsyn_report_client(x->priv, top[i].addr, addr, sizeof(addr));
			fprintf(x->jsonl, "%s[\"%s\", %" PRIu64 "]", i ? ", " : "", addr, top[i].dq);
		}
		fprintf(x->jsonl, "]}\n");
		if (fflush(x->jsonl) != 0)
			x->errors++;
	}
}

void
dnsyn_detector_json(FILE *f, void *ud)
{
	const struct dnsyn_detector *x = ud;
	uint64_t first = x->n_alerts > DNSYN_ALERTS_KEEP ? x->n_alerts - DNSYN_ALERTS_KEEP : 0, i;

	fprintf(f, "  \"alerts\": {\"total\": %" PRIu64 ", \"listed_from\": %" PRIu64 ", \"list\": [",
		x->n_alerts, first);
	for (i = first; i < x->n_alerts; i++) {
		fprintf(f, "%s\n    ", i > first ? "," : "");
		alert_json(f, x->priv, &x->kept[i % DNSYN_ALERTS_KEEP]);
	}
	fprintf(f, "]},\n");
	/* Musashi's IP-A, IP-B, ...: each interval's busiest DNS clients. */
	first = x->n_tops > DNSYN_TOP_KEEP ? x->n_tops - DNSYN_TOP_KEEP : 0;
	fprintf(f, "  \"top_clients\": {\"intervals\": %" PRIu64 ", \"listed_from\": %" PRIu64
		   ", \"list\": [",
		x->n_tops, first);
	for (i = first; i < x->n_tops; i++) {
		const struct dnsyn_top_kept *k = &x->tops[i % DNSYN_TOP_KEEP];
		char ts[32], addr[64];

		rfc3339(k->start_s, ts, sizeof(ts));
		fprintf(f, "%s\n    {\"time\": \"%s\", \"start_s\": %" PRIu64 ", \"clients\": [",
			i > first ? "," : "", ts, k->start_s);
		for (uint32_t j = 0; j < k->n; j++) {
			dnsyn_report_client(x->priv, k->top[j].addr, addr, sizeof(addr));
			fprintf(f, "%s[\"%s\", %" PRIu64 "]", j ? ", " : "", addr, k->top[j].dq);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]},\n");
}
