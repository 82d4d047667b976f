/* SPDX-License-Identifier: BSD-3-Clause */
/* Detection, pure: the six rules, run once per closed interval on every
 * tracked key and resolver. Rules and defaults: docs/detection.md. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_detect.h"
#include "dnsyn_detect_int.h"

static uint32_t
sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts it); 0 for none. */
static double
median(double *v, uint32_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Median and median absolute deviation of v[0..n) (overwrites it). */
static void
med_mad(double *v, uint32_t n, double *med, double *mad)
{
	uint32_t i;

	*med = median(v, n);
	for (i = 0; i < n; i++)
		v[i] = fabs(v[i] - *med);
	*mad = median(v, n);
}

/* Population figures of the interval, over the keys with a baseline: the
 * peers' median and MAD of MX queries and SMTP SYNs (mx-storm), and the
 * population's change g, the median of each key's Dq over its own baseline
 * (rate-jump, mx-storm, resolver-dos). A median, so that a few anomalous
 * keys cannot move it; the diurnal rise moves every key and so moves g. */
void
det_population(struct dnsyn_detect *d)
{
	double *mx = d->scr, *sm = d->scr + d->c.k, *ra = d->scr + 2 * (size_t)d->c.k;
	uint32_t i, n = 0, nr = 0;

	for (i = 0; i < d->n_ent; i++) {
		const struct det_entry *e = &d->ent[i];
		uint64_t dq = 0;
		unsigned int t;

		if (e->n_base < d->c.baseline_min)
			continue;
		for (t = 0; t < DNSYN_DQ_MAX; t++)
			dq += e->cur.q[t];
		mx[n] = (double)e->cur.q[DNSYN_DQ_MX];
		sm[n] = (double)e->cur.smtp_syn;
		n++;
		if (e->dq.m >= d->c.rj_pop_floor && e->dq.m > 0)
			ra[nr++] = (double)dq / e->dq.m;
	}
	med_mad(mx, n, &d->mx_med, &d->mx_mad);
	med_mad(sm, n, &d->smtp_med, &d->smtp_mad);
	d->g = 1;
	if (d->c.rj_population && nr >= d->c.rj_pop_min)
		d->g = median(ra, nr);
}

/* --- alerts --------------------------------------------------------------- */

static void
alert_init(struct dnsyn_alert *a, const struct dnsyn_detect *d, enum dnsyn_det_id det,
	   const uint8_t addr[16], uint8_t plen, double score)
{
	memset(a, 0, sizeof(*a));
	a->det = det;
	memcpy(a->addr, addr, 16);
	a->plen = plen;
	a->iv_start_s = d->start_s;
	a->iv_len_s = d->len_s;
	a->score = score;
}

static void
alert_ev(struct dnsyn_alert *a, const char *name, double v)
{
	if (a->n_ev < DNSYN_ALERT_EV_MAX) {
		a->ev[a->n_ev].name = name;
		a->ev[a->n_ev].value = v;
		a->n_ev++;
	}
}

static void __attribute__((format(printf, 2, 3)))
alert_reason(struct dnsyn_alert *a, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(a->reason, sizeof(a->reason), "%s: ", dnsyn_det_name(a->det));

	va_start(ap, fmt);
	vsnprintf(a->reason + n, sizeof(a->reason) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Hand the alert out unless the same detector fired on the same key within
 * the holdoff (a sustained anomaly is one alert, then one per holdoff). */
static int
emit(struct dnsyn_detect *d, const struct dnsyn_alert *a, uint64_t *last)
{
	if (*last != 0 && d->iv + 1 - *last < d->c.holdoff) {
		d->st.suppressed[a->det]++;
		return 0;
	}
	*last = d->iv + 1;
	d->st.alerts[a->det]++;
	d->n_raised++;
	if (d->cb != NULL)
		d->cb(d->ud, a);
	if (d->out != NULL) {
		if (d->n_raised <= d->cap)
			d->out[d->n_raised - 1] = *a;
		else
			d->st.alerts_dropped++;
	}
	return 1;
}

/* --- baselines -------------------------------------------------------------- */

/* The spread a baseline allows: its EWMA deviation, at least Poisson's
 * sqrt(mean) (a count's own noise) and 1. */
static double
base_sd(const struct det_ewma *w, double pred)
{
	double sd = sqrt(w->v), p = sqrt(pred + 1);

	return sd > p ? sd : p;
}

/* EWMA update. An interval the detector found anomalous (z >= its
 * threshold) enters as pred + clip_z * sd, not as itself: one attack
 * interval must not double the baseline's spread and hide the next, yet a
 * lasting legitimate change is still followed, slowly. Normal intervals,
 * bursts included, enter as they are. The variance is of the residual
 * against the population-scaled prediction. */
static void
ewma_update(struct det_ewma *w, double x, double pred, double cap, double alpha, int first)
{
	double r;

	if (first) {
		w->m = x;
		w->v = 0;
		return;
	}
	if (x > cap)
		x = cap;
	r = x - pred;
	w->m += alpha * (x - w->m);
	w->v = (1 - alpha) * (w->v + alpha * r * r);
}

/* Update a baseline with this interval's value, clipped when it was
 * anomalous at threshold z_thr (only once the baseline is established). */
static void
upd_base(const struct dnsyn_detect *d, struct det_ewma *w, double x, double z_thr, int est,
	 int first)
{
	double pred = w->m * d->g, sd = base_sd(w, pred), cap = INFINITY;

	if (est && (x - pred) / sd >= z_thr)
		cap = pred + d->c.clip_z * sd;
	ewma_update(w, x, pred, cap, d->c.alpha, first);
}

/* --- mail-model ---------------------------------------------------------------- */

/* Musashi et al.: a mail server's DNS traffic is Dq = mS*NS + mP*NP. Fit mS,
 * mP by least squares over the key's past intervals with mail activity
 * (excluding those already flagged), then test this interval's residual. */
static void
rule_mail(struct dnsyn_detect *d, struct det_entry *e, const struct det_rec *cur, int *fired)
{
	double sss = 0, ssp = 0, spp = 0, sys = 0, syp = 0, sy = 0, syy = 0;
	double det, ms, mp, rss = 0, tss, r2, sd, pred, res, k;
	uint32_t i, n = 0, ns = 0, np = 0;
	struct dnsyn_alert a;

	for (i = 0; i < e->n_hist; i++) {
		const struct det_rec *r = det_rec_back(d, e, i);
		double s = r->smtp, p = r->pop, y = r->dq;

		if (r->smtp + r->pop == 0 || (r->flags & DET_REC_ALERT(DNSYN_DET_MAIL_MODEL)))
			continue;
		sss += s * s;
		ssp += s * p;
		spp += p * p;
		sys += y * s;
		syp += y * p;
		sy += y;
		syy += y * y;
		n++;
		ns += r->smtp > 0;
		np += r->pop > 0;
	}
	/* A mail server: mail in most of its intervals, both kinds seen. */
	if (n < d->c.mm_min || n < d->c.mm_active_frac * e->n_hist || ns == 0 || np == 0)
		return;
	det = sss * spp - ssp * ssp;
	if (!(det > 1e-9 * sss * spp)) { /* NS and NP collinear: no fit */
		d->st.mm_fit_skipped++;
		return;
	}
	d->st.mm_fits++;
	ms = (sys * spp - syp * ssp) / det;
	mp = (syp * sss - sys * ssp) / det;
	for (i = 0; i < e->n_hist; i++) {
		const struct det_rec *r = det_rec_back(d, e, i);
		double rr;

		if (r->smtp + r->pop == 0 || (r->flags & DET_REC_ALERT(DNSYN_DET_MAIL_MODEL)))
			continue;
		rr = r->dq - ms * r->smtp - mp * r->pop;
		rss += rr * rr;
	}
	tss = syy - sy * sy / n;
	/* Only where the model explains Dq: a desktop with a mail client has
	 * SMTP and POP SYNs too, but its Dq is browsing. */
	r2 = tss > 0 ? 1 - rss / tss : 0;
	pred = ms * cur->smtp + mp * cur->pop;
	sd = sqrt(rss / (n - 2));
	if (sd < sqrt(fabs(pred) + 1))
		sd = sqrt(fabs(pred) + 1);
	res = cur->dq - pred;
	k = res / sd;
	if (cur->smtp + cur->pop == 0 || r2 < d->c.mm_r2_min || fabs(res) < d->c.mm_min_resid ||
	    fabs(k) < d->c.mm_k)
		return;
	alert_init(&a, d, DNSYN_DET_MAIL_MODEL, e->key, e->plen, k);
	alert_ev(&a, "residual", res);
	alert_ev(&a, "mS", ms);
	alert_ev(&a, "mP", mp);
	alert_ev(&a, "r2", r2);
	alert_reason(&a, "Dq %u vs %.2f*NS(%u) + %.2f*NP(%u) = %.0f, residual %+.0f = %.1f sd "
		     "(sd %.1f, R2 %.2f, %u intervals)", cur->dq, ms, cur->smtp, mp, cur->pop,
		     pred, res, k, sd, r2, n);
	*fired = 1;
	emit(d, &a, &e->last_alert[DNSYN_DET_MAIL_MODEL]);
}

/* --- rate-jump / mx-storm ------------------------------------------------------- */

/* Dq beyond its baseline scaled by the population's change g: the diurnal
 * rise lifts every key's Dq and g alike, a single key's jump does not.
 * People's use is bursty (a page view is tens of names), so a moderate jump
 * must hold for two intervals; a huge one fires at once. */
static void
rule_rate(struct dnsyn_detect *d, struct det_entry *e, double x, struct det_rec *cur,
	  int *fired)
{
	double pred = e->dq.m * d->g, sd = base_sd(&e->dq, pred), z = (x - pred) / sd;
	int high, prev;
	struct dnsyn_alert a;

	if (x < d->c.rj_min || z < d->c.rj_z || x < d->c.rj_ratio * pred)
		return;
	cur->flags |= DET_REC_JUMP;
	prev = e->n_hist > 0 && (det_rec_back(d, e, 0)->flags & DET_REC_JUMP);
	high = z >= d->c.rj_z_high && x >= d->c.rj_ratio_high * pred;
	if (!prev && !high)
		return;
	alert_init(&a, d, DNSYN_DET_RATE_JUMP, e->key, e->plen, z);
	alert_ev(&a, "dq", x);
	alert_ev(&a, "z", z);
	alert_ev(&a, "mean", e->dq.m);
	alert_ev(&a, "sd", sd);
	alert_reason(&a, "Dq %.0f at z=%.1f over EWMA mean %.0f sd %.0f (alpha %.2g, "
		     "population x%.2f, %s)", x, z, e->dq.m, sd, d->c.alpha, d->g,
		     prev ? "2nd interval" : "above high threshold");
	*fired = 1;
	emit(d, &a, &e->last_alert[DNSYN_DET_RATE_JUMP]);
}

/* A mass-mailing worm: MX queries or SMTP SYNs far above the key's own
 * baseline and above its peers' (median + k * MAD, MAD at least 1). */
static void
rule_mx(struct dnsyn_detect *d, struct det_entry *e, double mx, double smtp, int *fired)
{
	const char *what[2] = {"MX", "SMTP SYNs"};
	const struct det_ewma *w[2] = {&e->mx, &e->smtp};
	double v[2] = {mx, smtp};
	double med[2] = {d->mx_med, d->smtp_med}, mad[2] = {d->mx_mad, d->smtp_mad};
	double best_z = 0, bz = 0, bpred = 0, bsd = 0, bthr = 0;
	int i, b = -1;
	struct dnsyn_alert a;

	for (i = 0; i < 2; i++) {
		double pred = w[i]->m * d->g, sd = base_sd(w[i], pred), z = (v[i] - pred) / sd;
		double thr = med[i] + d->c.mx_peer_k * (mad[i] > 1 ? mad[i] : 1);

		if (v[i] < d->c.mx_min || z < d->c.mx_z || v[i] < d->c.mx_ratio * pred ||
		    v[i] <= thr || z <= best_z)
			continue;
		b = i;
		best_z = bz = z;
		bpred = pred;
		bsd = sd;
		bthr = thr;
	}
	if (b < 0)
		return;
	alert_init(&a, d, DNSYN_DET_MX_STORM, e->key, e->plen, bz);
	alert_ev(&a, b == 0 ? "mx" : "smtp_syn", v[b]);
	alert_ev(&a, "z", bz);
	alert_ev(&a, "mean", w[b]->m);
	alert_ev(&a, "peer_threshold", bthr);
	alert_reason(&a, "%s %.0f at z=%.1f over own EWMA %.1f sd %.1f (expected %.1f), peers "
		     "median %.1f MAD %.1f (threshold %.1f)", what[b], v[b], bz, w[b]->m, bsd,
		     bpred, med[b], mad[b], bthr);
	*fired = 1;
	emit(d, &a, &e->last_alert[DNSYN_DET_MX_STORM]);
}

/* --- unresolved-scan ---------------------------------------------------------- */

/* Many SYNs to many destinations that no answer named (Rikitake et al.:
 * Blaster's port-135 SYNs followed no DNS answer). Not in the first
 * scan_warmup intervals (connections to names resolved before the probe
 * started look unresolved); then either persistence over the window or one
 * interval past the high thresholds. */
static void
rule_scan(struct dnsyn_detect *d, struct det_entry *e, struct det_rec *cur, int *fired)
{
	uint32_t i, n = 0, w = d->c.scan_window;
	int high;
	struct dnsyn_alert a;

	if (!(cur->flags & DET_REC_SCAN))
		return;
	for (i = 0; i < w && i < e->n_hist; i++)
		n += (det_rec_back(d, e, i)->flags & DET_REC_SCAN) != 0;
	high = cur->syn_unm >= d->c.scan_syn_high && cur->unm_dst >= d->c.scan_dst_high;
	if (n < d->c.scan_persist && !high)
		return;
	alert_init(&a, d, DNSYN_DET_UNRESOLVED_SCAN, e->key, e->plen, cur->syn_unm);
	alert_ev(&a, "syn_unmatched", cur->syn_unm);
	alert_ev(&a, "unmatched_dst", cur->unm_dst);
	alert_ev(&a, "unmatched_frac", cur->syn ? (double)cur->syn_unm / cur->syn : 1);
	alert_ev(&a, "persist", n);
	alert_reason(&a, "%u unmatched SYNs (%.0f%% of %u) to ~%u destinations, %u of last %u "
		     "intervals%s", cur->syn_unm, cur->syn ? 100.0 * cur->syn_unm / cur->syn : 100.0,
		     cur->syn, cur->unm_dst, n, w, high ? " (above high threshold)" : "");
	*fired = 1;
	emit(d, &a, &e->last_alert[DNSYN_DET_UNRESOLVED_SCAN]);
}

/* --- plateau / ripple ------------------------------------------------------------ */

/* Machine-like Dq (Musashi et al.: hijacked or infected hosts show flat or
 * rippled Dq curves, people's use is bursty). Plateau: every one of the last
 * pl_n intervals at least pl_floor, coefficient of variation <= pl_cv_max and
 * variance/mean <= pl_fano_max (not more dispersed than Poisson: a large
 * NAT or forwarder sums many bursty users and stays above it). Ripple: over
 * rp_n intervals of log(1 + Dq), mean Dq at least pl_floor, linear trend
 * removed, an autocorrelation peak >= rp_acf_min
 * at a lag L in [2, rp_lag_max] after a dip to <= -rp_acf_min / 2 (an
 * oscillation, not a smooth trend's slow decay), confirmed at 2L (>= 0.6 of
 * rp_acf_min). */
static void
rule_shape(struct dnsyn_detect *d, struct det_entry *e, int *fired)
{
	double *y = d->win, *r = d->win + d->c.history;
	double mean = 0, var = 0, cv, fano, tm, sxy = 0, sxx = 0, b, c0 = 0, dip, lm;
	uint32_t i, n = d->c.pl_n, L, found = 0, t;
	struct dnsyn_alert a;

	if (e->n_hist >= n) {
		uint32_t lo = UINT32_MAX;

		for (i = 0; i < n; i++) {
			uint32_t v = det_rec_back(d, e, i)->dq;

			mean += v;
			lo = v < lo ? v : lo;
		}
		mean /= n;
		for (i = 0; i < n; i++) {
			double dv = det_rec_back(d, e, i)->dq - mean;

			var += dv * dv;
		}
		var /= n - 1;
		cv = sqrt(var) / mean;
		fano = var / mean;
		if (lo >= d->c.pl_floor && cv <= d->c.pl_cv_max && fano <= d->c.pl_fano_max) {
			alert_init(&a, d, DNSYN_DET_PLATEAU, e->key, e->plen, cv);
			alert_ev(&a, "mean", mean);
			alert_ev(&a, "cv", cv);
			alert_ev(&a, "fano", fano);
			alert_ev(&a, "intervals", n);
			alert_reason(&a, "flat Dq mean %.1f sd %.2f (cv %.3f, var/mean %.2f) over %u "
				     "intervals, each >= %u", mean, sqrt(var), cv, fano, n,
				     d->c.pl_floor);
			*fired = 1;
			emit(d, &a, &e->last_alert[DNSYN_DET_PLATEAU]);
			return;
		}
	}
	n = d->c.rp_n;
	if (e->n_hist < n)
		return;
	mean = 0;
	for (i = 0; i < n; i++) {
		double v = det_rec_back(d, e, n - 1 - i)->dq; /* oldest first */

		mean += v;
		/* On log(1 + Dq): a person's rare big bursts would otherwise
		 * dominate the sums, and two of them L apart look periodic. */
		y[i] = log1p(v);
	}
	mean /= n;
	if (mean < d->c.pl_floor)
		return;
	lm = 0;
	for (i = 0; i < n; i++)
		lm += y[i];
	lm /= n;
	tm = (n - 1) / 2.0;
	for (i = 0; i < n; i++) {
		sxy += (i - tm) * (y[i] - lm);
		sxx += (i - tm) * (i - tm);
	}
	b = sxy / sxx;
	for (i = 0; i < n; i++) {
		y[i] -= lm + b * (i - tm);
		c0 += y[i] * y[i];
	}
	if (!(c0 > 0))
		return;
	for (L = 1; L <= 2 * d->c.rp_lag_max + 1; L++) {
		double s = 0;

		for (t = 0; t + L < n; t++)
			s += y[t] * y[t + L];
		r[L] = s / c0;
	}
	dip = r[1];
	for (L = 2; L <= d->c.rp_lag_max; L++) {
		if (dip <= -d->c.rp_acf_min / 2 && r[L] >= d->c.rp_acf_min && r[L] >= r[L - 1] && r[L] >= r[L + 1] &&
		    r[2 * L] >= 0.6 * d->c.rp_acf_min) {
			found = L;
			break;
		}
		dip = r[L] < dip ? r[L] : dip;
	}
	if (!found)
		return;
	alert_init(&a, d, DNSYN_DET_PLATEAU, e->key, e->plen, r[found]);
	alert_ev(&a, "acf", r[found]);
	alert_ev(&a, "lag", found);
	alert_ev(&a, "acf_2lag", r[2 * found]);
	alert_ev(&a, "mean", mean);
	alert_reason(&a, "ripple: Dq autocorrelation %.2f at lag %u (%.2f at lag %u) over %u "
		     "intervals, mean %.1f", r[found], found, r[2 * found], 2 * found, n, mean);
	*fired = 1;
	emit(d, &a, &e->last_alert[DNSYN_DET_PLATEAU]);
}

/* --- per key ------------------------------------------------------------------ */

void
det_rules_client(struct dnsyn_detect *d, struct det_entry *e, int quiet)
{
	const struct dnsyn_detect_conf *c = &d->c;
	struct det_rec rec, *slot;
	double x = 0;
	int est = e->n_base >= c->baseline_min, f[DNSYN_DET_MAX] = {0};
	unsigned int t;

	for (t = 0; t < DNSYN_DQ_MAX; t++)
		x += (double)e->cur.q[t];
	rec.dq = sat32((uint64_t)x);
	rec.mx = sat32(e->cur.q[DNSYN_DQ_MX]);
	rec.smtp = sat32(e->cur.smtp_syn);
	rec.pop = sat32(e->cur.pop_syn);
	rec.syn = sat32(e->cur.syn);
	rec.syn_unm = sat32(e->cur.syn_unmatched);
	rec.unm_dst = e->cur.unmatched_dst_est;
	rec.flags = 0;
	/* Warm-up intervals never count towards persistence. */
	if (d->iv >= c->scan_warmup && rec.syn_unm >= c->scan_syn_min &&
	    rec.unm_dst >= c->scan_dst_min && rec.syn_unm >= c->scan_frac_min * rec.syn)
		rec.flags |= DET_REC_SCAN;

	if (!quiet) {
		/* Fit on the past, before this interval joins the ring. */
		rule_mail(d, e, &rec, &f[DNSYN_DET_MAIL_MODEL]);
		if (est) {
			rule_rate(d, e, x, &rec, &f[DNSYN_DET_RATE_JUMP]);
			rule_mx(d, e, rec.mx, rec.smtp, &f[DNSYN_DET_MX_STORM]);
		}
	}
	slot = det_ring(d, e) + e->head;
	*slot = rec;
	e->head = (e->head + 1) % c->history;
	if (e->n_hist < c->history)
		e->n_hist++;
	if (!quiet) {
		rule_scan(d, e, slot, &f[DNSYN_DET_UNRESOLVED_SCAN]);
		rule_shape(d, e, &f[DNSYN_DET_PLATEAU]);
		for (t = 0; t < DNSYN_DET_MAX; t++)
			if (f[t])
				slot->flags |= DET_REC_ALERT(t);
	}

	upd_base(d, &e->dq, x, c->rj_z, est, e->n_base == 0);
	upd_base(d, &e->mx, rec.mx, c->mx_z, est, e->n_base == 0);
	upd_base(d, &e->smtp, rec.smtp, c->mx_z, est, e->n_base == 0);
	e->n_base++;
	memset(&e->cur, 0, sizeof(e->cur));
	memcpy(e->cur.addr, e->key, 16);
}

/* --- resolver-dos ---------------------------------------------------------------- */

/* Answers from or queries to one resolver far above its own baseline, scaled
 * by the population's change (Rikitake et al.: a mass flow of answers to a
 * cache suggests a DoS by one of its clients). */
void
det_rules_resolver(struct dnsyn_detect *d, struct det_resolver *r, int quiet)
{
	const struct dnsyn_detect_conf *c = &d->c;
	double v[2] = {(double)r->cur_ans, (double)r->cur_qry};
	struct det_ewma *w[2] = {&r->ans, &r->qry};
	const char *what[2] = {"answers", "queries"};
	int est = r->n_base >= c->baseline_min, i, fired = 0;
	struct dnsyn_alert a;

	for (i = 0; i < 2; i++) {
		double pred = w[i]->m * d->g, sd = base_sd(w[i], pred), z = (v[i] - pred) / sd;

		if (!quiet && !fired && est && v[i] >= c->rd_min && z >= c->rd_z &&
		    v[i] >= c->rd_ratio * pred) {
			alert_init(&a, d, DNSYN_DET_RESOLVER_DOS, r->addr, 128, z);
			a.resolver = 1;
			alert_ev(&a, what[i], v[i]);
			alert_ev(&a, "z", z);
			alert_ev(&a, "mean", w[i]->m);
			alert_ev(&a, "ratio", v[i] / (pred > 1 ? pred : 1));
			alert_reason(&a, "%s %.0f at z=%.1f over EWMA mean %.0f sd %.0f (x%.1f, "
				     "population x%.2f)", what[i], v[i], z, w[i]->m, sd,
				     v[i] / (pred > 1 ? pred : 1), d->g);
			fired = 1;
			emit(d, &a, &r->last_alert);
		}
		upd_base(d, w[i], v[i], c->rd_z, est, r->n_base == 0);
	}
	r->n_base++;
	r->cur_ans = r->cur_qry = 0;
}
