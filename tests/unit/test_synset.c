/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the distinct-SYN set: membership across the two halves,
 * rotation and clearing, a full half's early rotation, keys sharing a bucket
 * (overflow to the next ones, also across the table's end), the epoch
 * wrap-around, and a model check against a plain list on random keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dnsyn_synset.h"

static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A key whose bucket is @p b (bits 16 and up of d0), told apart by @p i. */
static void
key_in(const struct dnsyn_synset *s, uint64_t b, uint64_t i, uint64_t *d0, uint64_t *d1)
{
	*d0 = ((mix(i) << 16) & ~(s->mask << 16)) | (b & s->mask) << 16 | (i & 0xffff);
	*d1 = mix(i ^ 0x5555);
}

static int
add(struct dnsyn_synset *s, uint64_t d0, uint64_t d1)
{
	int rot;

	return dnsyn_synset_add(s, d0, d1, &rot);
}

static void
test_synset_halves(void **state)
{
	struct dnsyn_synset s;
	int rot;

	(void)state;
	assert_int_equal(dnsyn_synset_init(&s, 1000), 0);
	assert_true(dnsyn_synset_memsize(1000) >= 2 * 2 * 1000 * 16); /* two halves, half full */
	assert_int_equal(add(&s, 1, 2), 1);
	assert_int_equal(add(&s, 1, 2), 0);
	assert_int_equal(add(&s, 1, 3), 1);  /* d1 tells them apart */
	assert_int_equal(add(&s, 1ULL << 40 | 1, 2), 1); /* and d0's high bits */
	/* an all-zero key is a key like any other */
	assert_int_equal(add(&s, 0, 0), 1);
	assert_int_equal(add(&s, 0, 0), 0);
	/* the last span's keys are still known after one rotation ... */
	dnsyn_synset_rotate(&s);
	assert_int_equal(add(&s, 1, 2), 0);
	assert_int_equal(add(&s, 7, 7), 1);
	/* ... and forgotten after two */
	dnsyn_synset_rotate(&s);
	assert_int_equal(add(&s, 1, 2), 1);
	assert_int_equal(add(&s, 7, 7), 0); /* added in the span before */
	dnsyn_synset_clear(&s);
	assert_int_equal(dnsyn_synset_add(&s, 7, 7, &rot), 1);
	assert_int_equal(rot, 0);
	dnsyn_synset_free(&s);
}

/* More keys than a half takes: the older half goes, reported, and the set
 * keeps working. */
static void
test_synset_full(void **state)
{
	struct dnsyn_synset s;
	uint64_t i, rots = 0;
	int rot;

	(void)state;
	assert_int_equal(dnsyn_synset_init(&s, 64), 0);
	for (i = 0; i < 64; i++) {
		assert_int_equal(dnsyn_synset_add(&s, mix(i), i, &rot), 1);
		rots += (uint64_t)rot;
	}
	assert_int_equal(rots, 0);
	assert_int_equal(dnsyn_synset_add(&s, mix(64), 64, &rot), 1);
	assert_int_equal(rot, 1);
	/* the first 64 are now the older half, still known */
	for (i = 0; i <= 64; i++)
		assert_int_equal(add(&s, mix(i), i), 0);
	for (i = 65; i < 128; i++) {
		assert_int_equal(dnsyn_synset_add(&s, mix(i), i, &rot), 1);
		assert_int_equal(rot, 0);
	}
	/* the 129th rotates again: the first 64 are gone, 64..127 known */
	assert_int_equal(dnsyn_synset_add(&s, mix(128), 128, &rot), 1);
	assert_int_equal(rot, 1);
	assert_int_equal(add(&s, mix(100), 100), 0);
	assert_int_equal(add(&s, mix(3), 3), 1);
	dnsyn_synset_free(&s);
}

/* Keys of one bucket: past four they go on to the next buckets, also round
 * the end of the table, and are all found; keys of those next buckets too. */
static void
test_synset_overflow(void **state)
{
	struct dnsyn_synset s;
	uint64_t d0, d1, i, last;

	(void)state;
	assert_int_equal(dnsyn_synset_init(&s, 256), 0);
	last = s.mask;
	for (i = 0; i < 11; i++) {
		key_in(&s, last, i, &d0, &d1);
		assert_int_equal(add(&s, d0, d1), 1);
	}
	for (i = 0; i < 3; i++) { /* the first buckets, where the overflow went */
		key_in(&s, i, 100 + i, &d0, &d1);
		assert_int_equal(add(&s, d0, d1), 1);
	}
	for (i = 0; i < 11; i++) {
		key_in(&s, last, i, &d0, &d1);
		assert_int_equal(add(&s, d0, d1), 0);
	}
	for (i = 0; i < 3; i++) {
		key_in(&s, i, 100 + i, &d0, &d1);
		assert_int_equal(add(&s, d0, d1), 0);
	}
	key_in(&s, last, 11, &d0, &d1); /* absent, its search runs past them all */
	assert_int_equal(add(&s, d0, d1), 1);
	dnsyn_synset_free(&s);
}

/* 140,000 rotations wrap each half's 16-bit epoch: a key from long ago
 * must not come back to life. */
static void
test_synset_epoch_wrap(void **state)
{
	struct dnsyn_synset s;
	unsigned int i;

	(void)state;
	assert_int_equal(dnsyn_synset_init(&s, 16), 0);
	for (i = 0; i < 140000; i++) {
		dnsyn_synset_rotate(&s);
		/* one key a span, two keys in turn (d0's low 16 bits are not
		 * part of a key) */
		assert_int_equal(add(&s, (1000 + (i & 1)) << 16, 9), 1);
		if (i % 997 == 0) { /* 42 again, in one epoch or another */
			assert_int_equal(add(&s, 42 << 16, 42), 1);
			assert_int_equal(add(&s, 42 << 16 | 0xbeef, 42), 0);
			dnsyn_synset_rotate(&s);
			dnsyn_synset_rotate(&s);
		}
	}
	assert_true(s.epoch[0] < 65535 / 2 && s.epoch[1] < 65535 / 2); /* both wrapped */
	dnsyn_synset_rotate(&s);
	dnsyn_synset_rotate(&s);
	assert_int_equal(add(&s, 42 << 16, 42), 1);
	dnsyn_synset_free(&s);
}

/* Random keys, spans and repeats against a list of what each half holds. */
#define MODEL_MAX 200
static void
test_synset_model(void **state)
{
	struct dnsyn_synset s;
	uint64_t half[2][MODEL_MAX][2], st = 7;
	unsigned int n[2] = {0, 0}, cur = 0, step, j, h;

	(void)state;
	assert_int_equal(dnsyn_synset_init(&s, MODEL_MAX), 0);
	for (step = 0; step < 200000; step++) {
		uint64_t r = mix(st++), d0, d1;
		int seen = 0, got, rot;

		if (r % 1000 == 0) {
			dnsyn_synset_rotate(&s);
			cur ^= 1;
			n[cur] = 0;
			continue;
		}
		/* keys from a small pool, so that repeats are common; half of
		 * them crowd into bucket 0 and the ones after it */
		d1 = r % 700;
		d0 = mix(d1) & (d1 % 2 ? ~(uint64_t)0xfff0000 : ~(uint64_t)0);
		for (h = 0; h < 2 && !seen; h++)
			for (j = 0; j < n[h] && !seen; j++)
				seen = half[h][j][0] == (d0 & ~0xffffULL) && half[h][j][1] == d1;
		got = dnsyn_synset_add(&s, d0, d1, &rot);
		assert_int_equal(got, !seen);
		if (rot) {
			cur ^= 1;
			n[cur] = 0;
		}
		if (got) {
			assert_true(n[cur] < MODEL_MAX);
			half[cur][n[cur]][0] = d0 & ~0xffffULL;
			half[cur][n[cur]++][1] = d1;
		}
	}
	dnsyn_synset_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synset_halves),
		cmocka_unit_test(test_synset_full),
		cmocka_unit_test(test_synset_overflow),
		cmocka_unit_test(test_synset_epoch_wrap),
		cmocka_unit_test(test_synset_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
