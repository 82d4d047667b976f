/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the NIC-clock map (lib/core/dnsyn_clock.h): the line fitted
 * from two readings and its per-packet use, without a NIC. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dnsyn_clock.h"

#define NS 1000000000ULL

/* |a - b| */
static uint64_t
dist(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static void
test_clock_rates(void **state)
{
	/* ticks per second of clocks NICs use, and an odd one */
	static const uint64_t hz[] = {1000000000ULL, 156250000ULL, 33333333ULL, 25000ULL,
				      2500000000ULL};
	struct dnsyn_clock_map m = {0, 0, 0};
	uint64_t ns0 = 1700000000ULL * NS + 123456789;

	(void)state;
	for (unsigned int i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		uint64_t dev0 = 987654321ULL * (i + 1);
		/* the calibration's 100 ms */
		uint64_t dev1 = dev0 + hz[i] / 10;

		/* what the fit can know: one tick in the 100 ms (the readings are
		 * whole ticks), plus the fixed point's rounding */
		uint64_t per_s = NS / (hz[i] / 10) + 2;

		assert_int_equal(dnsyn_clock_fit(&m, dev0, ns0, dev1, ns0 + NS / 10), 0);
		assert_true(dist(dnsyn_clock_ns(&m, dev0), ns0) == 0);
		/* one second and one day later */
		assert_true(dist(dnsyn_clock_ns(&m, dev0 + hz[i]), ns0 + NS) <= per_s);
		assert_true(dist(dnsyn_clock_ns(&m, dev0 + 86400 * hz[i]), ns0 + 86400 * NS) <=
			    86400 * per_s);
		/* before the calibration: earlier */
		if (dev0 > hz[i])
			assert_true(dist(dnsyn_clock_ns(&m, dev0 - hz[i]), ns0 - NS) <= per_s);
		/* an exact rate (whole ns a tick) is exact a day later */
		if (NS % hz[i] == 0)
			assert_true(dist(dnsyn_clock_ns(&m, dev0 + 86400 * hz[i]), ns0 + 86400 * NS)
				    <= 1);
		/* monotone */
		assert_true(dnsyn_clock_ns(&m, dev0 + 12345) <= dnsyn_clock_ns(&m, dev0 + 12346));
	}
}

static void
test_clock_refusals(void **state)
{
	struct dnsyn_clock_map m = {1, 2, 3};

	(void)state;
	assert_int_equal(dnsyn_clock_fit(&m, 100, NS, 100, 2 * NS), -1);   /* clock stood */
	assert_int_equal(dnsyn_clock_fit(&m, 100, NS, 50, 2 * NS), -1);    /* went back */
	assert_int_equal(dnsyn_clock_fit(&m, 100, NS, 200, NS), -1);       /* wall clock stood */
	assert_int_equal(dnsyn_clock_fit(&m, 100, NS, 101, 2 * NS), -1);   /* 1 Hz */
	assert_int_equal(dnsyn_clock_fit(&m, 0, NS, 1000 * NS, 2 * NS), -1); /* 1 THz */
	/* a refused fit leaves the map as it was */
	assert_true(m.dev0 == 1 && m.ns0 == 2 && m.mult == 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_rates),
		cmocka_unit_test(test_clock_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
