/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the delay statistics: log histogram edges and the truncated
 * exponential maximum-likelihood fit on samples of known distributions. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dnsyn_stats.h"

#define NS 1000000000.0
#define BINS 100
#define BIN_NS 10000000ULL /* 10 ms: a 1 s window */

static uint64_t hist[BINS];
static uint64_t sum_ns;

static void
add_delay(double s)
{
	uint64_t ns = (uint64_t)llround(s * NS);
	uint64_t b = ns / BIN_NS;

	hist[b < BINS ? b : BINS - 1]++;
	sum_ns += ns;
}

/* n quantiles of an exponential of rate l truncated at 1 s (inverse CDF on a
 * regular grid: deterministic, and as close to the law as n allows). */
static void
fill_trunc_exp(double l, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < BINS; i++)
		hist[i] = 0;
	sum_ns = 0;
	for (i = 0; i < n; i++) {
		double u = (i + 0.5) / n;

		add_delay(-log1p(-u * -expm1(-l)) / l);
	}
}

static void
test_stats_logh_edges(void **state)
{
	struct dnsyn_logh h = {0};

	(void)state;
	dnsyn_logh_add(&h, 999);
	assert_int_equal(h.below, 1);
	dnsyn_logh_add(&h, 1000);
	assert_int_equal(h.bins[0], 1);
	dnsyn_logh_add(&h, 1258); /* 10^0.1 us = 1258.9 ns: still bin 0 */
	assert_int_equal(h.bins[0], 2);
	dnsyn_logh_add(&h, 1259);
	assert_int_equal(h.bins[1], 1);
	dnsyn_logh_add(&h, 1000000); /* 1 ms: 3 decades */
	assert_int_equal(h.bins[30], 1);
	dnsyn_logh_add(&h, 1000000000); /* 1 s */
	assert_int_equal(h.bins[60], 1);
	dnsyn_logh_add(&h, 9999999999ULL);
	assert_int_equal(h.bins[69], 1);
	dnsyn_logh_add(&h, 10000000000ULL);
	assert_int_equal(h.above, 1);
	assert_int_equal(dnsyn_logh_edge_ns(10), 10000);
	assert_int_equal(dnsyn_logh_edge_ns(1), 1259);
}

static void
test_stats_expfit_recovers_rate(void **state)
{
	static const double rates[] = {3.0, 20.0, 80.0};
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct dnsyn_expfit f;

		fill_trunc_exp(rates[i], 200000);
		f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
		assert_true(f.ok);
		assert_int_equal(f.n, 200000);
		assert_true(fabs(f.rate_per_s - rates[i]) / rates[i] < 0.01);
		assert_true(f.ks_d < 0.01);
	}
}

/* Ignoring the truncation would give 1/mean: at rate 3/s and a 1 s window that
 * is 30% off; the fit must not make that mistake. */
static void
test_stats_expfit_accounts_for_truncation(void **state)
{
	struct dnsyn_expfit f;

	(void)state;
	fill_trunc_exp(3.0, 100000);
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
	assert_true(fabs(f.rate_per_s - 3.0) < 0.05);
	assert_true(fabs(1e3 / f.mean_ms - 3.0) > 0.5);
}

static void
test_stats_expfit_uniform_is_rate_zero(void **state)
{
	struct dnsyn_expfit f;
	unsigned int i;

	(void)state;
	for (i = 0; i < BINS; i++)
		hist[i] = 0;
	sum_ns = 0;
	for (i = 0; i < 10000; i++)
		add_delay((i + 0.5) / 10000.0 * 0.999);
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
	assert_true(f.ok);
	assert_true(f.rate_per_s < 0.05);
	assert_true(f.ks_d < 0.01);
}

/* Two clusters are no exponential: the KS distance says so. */
static void
test_stats_expfit_bad_fit_shows(void **state)
{
	struct dnsyn_expfit f;
	unsigned int i;

	(void)state;
	for (i = 0; i < BINS; i++)
		hist[i] = 0;
	sum_ns = 0;
	for (i = 0; i < 1000; i++) {
		add_delay(0.005);
		add_delay(0.905);
	}
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
	assert_true(f.ok);
	assert_true(f.ks_d > 0.3);
}

static void
test_stats_expfit_too_few(void **state)
{
	struct dnsyn_expfit f;
	unsigned int i;

	(void)state;
	for (i = 0; i < BINS; i++)
		hist[i] = 0;
	sum_ns = 0;
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
	assert_false(f.ok);
	add_delay(0.1);
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, sum_ns);
	assert_false(f.ok);
	assert_int_equal(f.n, 1);
	hist[0] = 5; /* five delays of 0 ns */
	f = dnsyn_expfit_truncated(hist, BINS, BIN_NS, 0);
	assert_false(f.ok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_logh_edges),
		cmocka_unit_test(test_stats_expfit_recovers_rate),
		cmocka_unit_test(test_stats_expfit_accounts_for_truncation),
		cmocka_unit_test(test_stats_expfit_uniform_is_rate_zero),
		cmocka_unit_test(test_stats_expfit_bad_fit_shows),
		cmocka_unit_test(test_stats_expfit_too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
