/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests' check that two correlators counted the same: every table of the
 * report, field by field (cmocka asserts). Include after cmocka.h. */
#ifndef DNSYN_TEST_PAPER_H
#define DNSYN_TEST_PAPER_H

#include <stdint.h>

#include "dnsyn_paper.h"

static inline void
assert_same_stats(const struct dnsyn_paper_stats *a, const struct dnsyn_paper_stats *b)
{
	unsigned int f, v;

	assert_int_equal(a->total_syn, b->total_syn);
	assert_int_equal(a->syn_unique, b->syn_unique);
	assert_int_equal(a->dns_answers, b->dns_answers);
	assert_memory_equal(a->syn_dport, b->syn_dport, 65536 * sizeof(uint64_t));
	for (f = 0; f < DNSYN_FAM_MAX; f++) {
		assert_int_equal(a->fam[f].answers_with, b->fam[f].answers_with);
		for (v = 0; v < DNSYN_VAR_MAX; v++) {
			const struct dnsyn_paper_variant *x = &a->fam[f].var[v], *y = &b->fam[f].var[v];

			assert_int_equal(x->matched_syns, y->matched_syns);
			assert_int_equal(x->matched_answers, y->matched_answers);
			assert_int_equal(x->delay_sum_ns, y->delay_sum_ns);
			assert_memory_equal(x->hist_10ms, y->hist_10ms, sizeof(x->hist_10ms));
			assert_memory_equal(&x->delay_log, &y->delay_log, sizeof(x->delay_log));
			assert_memory_equal(x->matched_dport, y->matched_dport,
					    65536 * sizeof(uint64_t));
		}
	}
}

#endif
