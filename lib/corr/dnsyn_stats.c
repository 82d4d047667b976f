/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>

#include "dnsyn_compiler.h"
#include "dnsyn_stats.h"

/* Integer lower edges (ns): a delay is in bin i when edge[i] <= ns < edge[i+1],
 * with no floating-point rounding at the decades. Filled on first use; two
 * lcores racing here write the same values. */
static uint64_t
edge(unsigned int i)
{
	static uint64_t edges[DNSYN_LOGH_BINS + 1];
	uint64_t p = DNSYN_LOGH_MIN_NS;
	unsigned int d;

	if (edges[i] == 0) {
		for (d = 0; d < i / DNSYN_LOGH_PER_DECADE; d++)
			p *= 10;
		edges[i] = i % DNSYN_LOGH_PER_DECADE
				   ? (uint64_t)ceil((double)p *
						    pow(10.0, (double)(i % DNSYN_LOGH_PER_DECADE) /
								      DNSYN_LOGH_PER_DECADE))
				   : p;
	}
	return edges[i];
}

void
dnsyn_logh_add(struct dnsyn_logh *h, uint64_t ns)
{
	int b;

	if (ns < DNSYN_LOGH_MIN_NS) {
		h->below++;
		return;
	}
	if (ns >= edge(DNSYN_LOGH_BINS)) {
		h->above++;
		return;
	}
	/* A floating-point guess, then exact correction against the edges. */
	b = (int)(log10((double)ns / (double)DNSYN_LOGH_MIN_NS) * DNSYN_LOGH_PER_DECADE);
	b = DNSYN_MIN(DNSYN_MAX(b, 0), DNSYN_LOGH_BINS - 1);
	while (b > 0 && ns < edge((unsigned int)b))
		b--;
	while (b + 1 < DNSYN_LOGH_BINS && ns >= edge((unsigned int)b + 1))
		b++;
	h->bins[b]++;
}

uint64_t
dnsyn_logh_edge_ns(unsigned int i)
{
	return edge(DNSYN_MIN(i, DNSYN_LOGH_BINS));
}

/* Mean of an exponential of rate l truncated at w. */
static double
trunc_mean(double l, double w)
{
	double x = l * w;

	if (x < 1e-6)
		return w / 2.0 - l * w * w / 12.0; /* series: avoids 0/0 near l = 0 */
	return 1.0 / l - w / expm1(x);
}

static double
trunc_cdf(double l, double w, double t)
{
	if (l <= 0.0)
		return t / w;
	return -expm1(-l * t) / -expm1(-l * w);
}

struct dnsyn_expfit
dnsyn_expfit_truncated(const uint64_t *hist, unsigned int nbins, uint64_t bin_ns, uint64_t sum_ns)
{
	struct dnsyn_expfit f = {0};
	double w = (double)nbins * (double)bin_ns / 1e9, mean, lo = 0.0, hi = 1e9, cum = 0.0;
	unsigned int i, it;

	for (i = 0; i < nbins; i++)
		f.n += hist[i];
	if (f.n < 2 || sum_ns == 0)
		return f;
	mean = (double)sum_ns / (double)f.n / 1e9;
	f.mean_ms = mean * 1e3;
	if (mean < w / 2.0) {
		/* trunc_mean falls monotonically from w/2 (l = 0) to 0 (l -> inf). */
		for (it = 0; it < 200; it++) {
			double mid = 0.5 * (lo + hi);

			if (trunc_mean(mid, w) > mean)
				lo = mid;
			else
				hi = mid;
		}
		f.rate_per_s = 0.5 * (lo + hi);
	}
	for (i = 0; i < nbins; i++) {
		double edge = (double)(i + 1) * (double)bin_ns / 1e9;
		double d;

		cum += (double)hist[i] / (double)f.n;
		d = fabs(cum - trunc_cdf(f.rate_per_s, w, edge));
		if (d > f.ks_d)
			f.ks_d = d;
	}
	f.ok = 1;
	return f;
}
