/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation side, pure: statistics of the answer->SYN delay (Fig. 5 of
 * Rikitake et al. 2003): a log-scaled histogram and the maximum-likelihood
 * exponential fit. Called once per matched answer and at report time. */
#ifndef DNSYN_STATS_H
#define DNSYN_STATS_H

#include <stdint.h>

/** Log histogram: 10 bins per decade from 1 us to 10 s (7 decades). */
#define DNSYN_LOGH_PER_DECADE 10
#define DNSYN_LOGH_DECADES 7
#define DNSYN_LOGH_BINS (DNSYN_LOGH_PER_DECADE * DNSYN_LOGH_DECADES)
#define DNSYN_LOGH_MIN_NS 1000ULL

struct dnsyn_logh {
	uint64_t below;                   /**< delays < 1 us */
	uint64_t bins[DNSYN_LOGH_BINS];   /**< bin i: [edge(i), edge(i+1)) ns */
	uint64_t above;                   /**< delays >= 10 s */
};

/** Count one delay. */
void dnsyn_logh_add(struct dnsyn_logh *h, uint64_t ns);

/** Lower edge of bin @p i in ns (ceil of 1 us * 10^(i/10)); i <= DNSYN_LOGH_BINS. */
uint64_t dnsyn_logh_edge_ns(unsigned int i);

struct dnsyn_expfit {
	uint64_t n;        /**< delays fitted */
	double rate_per_s; /**< lambda of f(t) = lambda e^(-lambda t) / (1 - e^(-lambda W)) */
	double mean_ms;    /**< sample mean */
	double ks_d;       /**< Kolmogorov-Smirnov distance, at the histogram's bin edges */
	int ok;            /**< 0 when there are too few delays (n < 2) or all are 0 */
};

/**
 * Maximum-likelihood fit of an exponential truncated at the match window W
 * (delays beyond W cannot be observed, so the plain 1/mean would be biased
 * low): solves mean = 1/lambda - W / (e^(lambda W) - 1) by bisection on lambda
 * (mean < W/2; a mean >= W/2 means no decay, rate 0). The goodness of fit is the
 * KS distance between the empirical CDF of the 10 ms histogram and the fitted
 * CDF at the bin edges.
 *
 * @param hist     counts per bin of width @p bin_ns (the last bin holds W)
 * @param nbins    number of bins; nbins * bin_ns == W
 * @param sum_ns   exact sum of the delays
 */
struct dnsyn_expfit dnsyn_expfit_truncated(const uint64_t *hist, unsigned int nbins,
					   uint64_t bin_ns, uint64_t sum_ns);

#endif
