/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_ipfix's raw mode: the unit tests' IPFIX decoder on arbitrary bytes,
 * compiled here with coverage so that libFuzzer explores it. */
#include <stdint.h>
#include <string.h>

#include "fuzz_ipfix.h"
#include "test_ipfix_decode.h"

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static struct td_session R;

void
fuzz_ipfix_raw(const uint8_t *data, size_t size, int check_seq)
{
	FUZZ_TD_RESET(&R);
	R.check_seq = check_seq;
	if (td_decode_stream(&R, data, size) < 0)
		CHECK(R.err[0] != '\0');
	/* Whatever it accepted points into its own copy of the input. */
	CHECK(R.n_rec <= TD_MAX_REC && R.n_tmpl <= TD_MAX_TMPL);
	for (unsigned int i = 0; i < R.n_rec; i++) {
		CHECK(R.rec[i].n <= TD_MAX_FIELDS);
		for (unsigned int k = 0; k < R.rec[i].n; k++) {
			const struct td_value *v = &R.rec[i].v[k];

			CHECK(v->p >= R.arena && v->p + v->len <= R.arena + R.arena_len);
		}
	}
}
