/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the correlation table (dnsyn_ctable): configuration checks,
 * the bucket width rule, what a lookup visits and removes, expiry by time,
 * a model check against a brute-force list, capacity pressure (early rolls),
 * answer-record reuse, time going backwards, counters and memory per address.
 * The table lives in a block allocated here with test_malloc() and guarded by
 * canaries on both sides: it never allocates and never writes outside it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_test_util.h"
#include "dnsyn_ctable.h"

#define MS 1000000ULL
#define S 1000000000ULL
#define T0 (1700000000ULL * S)
#define CANARY 0xa5
#define GUARD 64 /* canary bytes after the table (before it: the alignment slack) */

/* ---- the block the table lives in ---------------------------------------- */

struct blk {
	uint8_t *raw;
	uint8_t *mem;
	size_t size; /* dnsyn_ctable_memsize() */
	size_t raw_size;
};

static struct dnsyn_ctable *
mk(const struct dnsyn_ctable_cfg *cfg, struct blk *b)
{
	struct dnsyn_ctable *t;
	uintptr_t p;

	b->size = dnsyn_ctable_memsize(cfg);
	assert_true(b->size > 0);
	b->raw_size = b->size + 64 + GUARD;
	b->raw = test_malloc(b->raw_size);
	assert_non_null(b->raw);
	/* Dirty memory: init must not rely on zeroed pages. */
	memset(b->raw, CANARY, b->raw_size);
	p = ((uintptr_t)b->raw + 63) & ~(uintptr_t)63;
	b->mem = (uint8_t *)p;
	t = dnsyn_ctable_init(b->mem, cfg);
	assert_non_null(t);
	return t;
}

static void
check_guards(const struct blk *b)
{
	const uint8_t *end = b->mem + b->size;
	const uint8_t *q;

	for (q = b->raw; q < b->mem; q++)
		assert_int_equal(*q, CANARY);
	for (q = end; q < b->raw + b->raw_size; q++)
		assert_int_equal(*q, CANARY);
}

static void
rm(struct blk *b)
{
	check_guards(b);
	test_free(b->raw);
	b->raw = b->mem = NULL;
}

static struct dnsyn_ctable_cfg
cfg_of(uint32_t capacity, uint32_t answers, uint32_t n_buckets, uint64_t window_ns)
{
	struct dnsyn_ctable_cfg c;

	memset(&c, 0, sizeof(c));
	c.capacity = capacity;
	c.answers = answers;
	c.n_buckets = n_buckets;
	c.window_ns = window_ns;
	return c;
}

/* Client bytes carry the answer's id, so the visitor can tell answers apart
 * even when a ring record is reused. */
static void
client_of(uint8_t c[16], uint64_t id)
{
	memset(c, 0, 16);
	c[0] = 0xfd; /* not an address any test looks up */
	memcpy(c + 8, &id, 8);
}

static uint64_t
id_of(const uint8_t c[16])
{
	uint64_t id;

	assert_int_equal(c[0], 0xfd);
	memcpy(&id, c + 8, 8);
	return id;
}

static uint64_t
answer(struct dnsyn_ctable *t, uint64_t ts, uint64_t id)
{
	uint8_t c[16];

	client_of(c, id);
	return dnsyn_ctable_answer_add(t, ts, c);
}

static void
add_v4(struct dnsyn_ctable *t, uint64_t h, uint32_t a, uint64_t ts)
{
	uint8_t x[16];

	tp_v4m(x, a);
	dnsyn_ctable_addr_add(t, h, x, 4, ts);
}

/* ---- a recording visitor --------------------------------------------------- */

#define MAXSEEN 4096

struct rec {
	unsigned int n;
	uint64_t id[MAXSEEN];
	uint64_t ts[MAXSEEN];
	uint32_t seq[MAXSEEN];
	struct dnsyn_ctable_answer *ptr[MAXSEEN];
	uint64_t remove_id; /* return 1 for this answer id (UINT64_MAX: none) */
	int remove_all;
	uint8_t set_matched; /* OR'ed into a->matched */
};

static void
rec_reset(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->remove_id = UINT64_MAX;
}

static int
rec_visit(void *ud, struct dnsyn_ctable_answer *a)
{
	struct rec *r = ud;
	uint64_t id = id_of(a->client);

	assert_true(r->n < MAXSEEN);
	r->id[r->n] = id;
	r->ts[r->n] = a->ts_ns;
	r->seq[r->n] = a->seq;
	r->ptr[r->n] = a;
	r->n++;
	a->matched |= r->set_matched;
	return r->remove_all || id == r->remove_id;
}

static unsigned int
look_v4(struct dnsyn_ctable *t, uint32_t a, uint64_t now, struct rec *r)
{
	uint8_t x[16];
	unsigned int n;

	tp_v4m(x, a);
	rec_reset(r);
	n = dnsyn_ctable_lookup(t, x, 4, now, rec_visit, r);
	assert_int_equal(n, r->n);
	return n;
}

static int
rec_has(const struct rec *r, uint64_t id)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->id[i] == id)
			return 1;
	return 0;
}

/* ---- configuration --------------------------------------------------------- */

static void
test_ctable_cfg_invalid(void **state)
{
	static const uint32_t bad_nb[] = {1, 2, 3, 5, 6, 7, 12, 65, 96, 128, 256, UINT32_MAX};
	struct dnsyn_ctable_cfg c;
	uint8_t mem[4096] __attribute__((aligned(64)));
	unsigned int i;

	(void)state;
	c = cfg_of(0, 0, 8, S); /* capacity 0 */
	assert_int_equal(dnsyn_ctable_memsize(&c), 0);
	assert_null(dnsyn_ctable_init(mem, &c));
	c = cfg_of(1024, 0, 8, 0); /* window 0 */
	assert_int_equal(dnsyn_ctable_memsize(&c), 0);
	assert_null(dnsyn_ctable_init(mem, &c));
	for (i = 0; i < sizeof(bad_nb) / sizeof(bad_nb[0]); i++) {
		c = cfg_of(1024, 0, bad_nb[i], S);
		assert_int_equal(dnsyn_ctable_memsize(&c), 0);
		assert_null(dnsyn_ctable_init(mem, &c));
	}
}

static void
test_ctable_cfg_valid(void **state)
{
	static const uint32_t nb[] = {0, 4, 8, 16, 32, 64};
	static const uint32_t caps[] = {1, 7, 1000, 1024, 4096};
	struct dnsyn_ctable_cfg c;
	struct dnsyn_ctable *t;
	struct blk b;
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(nb) / sizeof(nb[0]); i++)
		for (j = 0; j < sizeof(caps) / sizeof(caps[0]); j++) {
			c = cfg_of(caps[j], 0, nb[i], S);
			t = mk(&c, &b);
			assert_int_equal(dnsyn_ctable_occupancy(t), 0);
			assert_int_equal(dnsyn_ctable_stats(t)->answers, 0);
			rm(&b);
		}
	/* answers given explicitly, window of 1 ns */
	c = cfg_of(64, 3, 4, 1);
	t = mk(&c, &b);
	rm(&b);
	/* n_buckets 0 means 8 */
	{
		struct dnsyn_ctable_cfg c0 = cfg_of(1024, 0, 0, S), c8 = cfg_of(1024, 0, 8, S);

		assert_int_equal(dnsyn_ctable_memsize(&c0), dnsyn_ctable_memsize(&c8));
	}
	/* more capacity never needs less memory */
	{
		struct dnsyn_ctable_cfg a = cfg_of(1000, 0, 8, S), z = cfg_of(100000, 0, 8, S);

		assert_true(dnsyn_ctable_memsize(&z) > dnsyn_ctable_memsize(&a));
	}
}

/* ---- bucket width: the smallest power of two >= window / (n_buckets - 2) --- */

static uint64_t
bucket_ns_of(uint32_t nb, uint64_t window)
{
	struct dnsyn_ctable_cfg c = cfg_of(64, 0, nb, window);
	struct dnsyn_ctable *t;
	struct blk b;
	uint64_t w;

	t = mk(&c, &b);
	w = dnsyn_ctable_bucket_ns(t);
	rm(&b);
	return w;
}

static void
test_ctable_bucket_width(void **state)
{
	(void)state;
	assert_int_equal(bucket_ns_of(8, S), 1ULL << 28);      /* 1e9/6 = 166.7e6 */
	assert_int_equal(bucket_ns_of(0, S), 1ULL << 28);      /* default 8 */
	assert_int_equal(bucket_ns_of(4, S), 1ULL << 29);      /* 5e8 */
	assert_int_equal(bucket_ns_of(16, S), 1ULL << 27);     /* 71.4e6 */
	assert_int_equal(bucket_ns_of(64, S), 1ULL << 24);     /* 16.13e6 */
	assert_int_equal(bucket_ns_of(8, 6ULL << 20), 1ULL << 20);  /* exact */
	assert_int_equal(bucket_ns_of(4, 2ULL << 30), 1ULL << 30);  /* exact */
	assert_int_equal(bucket_ns_of(8, 1ULL << 40), 1ULL << 38);
	assert_int_equal(bucket_ns_of(4, 1), 1);
	assert_int_equal(bucket_ns_of(4, 2), 1);
	assert_int_equal(bucket_ns_of(64, 62), 1);
	/* window/(n-2) a hair above a power of two: the next one (real division) */
	assert_int_equal(bucket_ns_of(8, (6ULL << 20) + 1), 1ULL << 21);
	assert_int_equal(bucket_ns_of(4, 3), 2);
	/* whatever the rounding, the rule's invariant: (n-2) buckets cover the window */
	{
		static const uint32_t nb[] = {4, 8, 16, 32, 64};
		uint64_t st = 12345, win, w;
		unsigned int i, k;

		for (k = 0; k < 50; k++)
			for (i = 0; i < 5; i++) {
				win = 1 + (((uint64_t)tp_xorshift(&st) << 20) ^ tp_xorshift(&st));
				w = bucket_ns_of(nb[i], win);
				assert_true(w && !(w & (w - 1)));
				assert_true(w * (nb[i] - 2) >= win);
				assert_true(w == 1 || (w / 2) * (nb[i] - 2) < win);
			}
	}
}

/* ---- add and find ------------------------------------------------------------ */

static void
test_ctable_add_find_several_addrs(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	struct dnsyn_ctable_answer *first = NULL;
	uint64_t h, h2;
	uint32_t seq = 0;
	uint8_t x[16];
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	h = answer(t, T0, 77);
	for (i = 0; i < 4; i++)
		add_v4(t, h, 0xc6336401 + i, T0);
	tp_v6a(x, 0x99);
	dnsyn_ctable_addr_add(t, h, x, 6, T0);
	assert_int_equal(dnsyn_ctable_occupancy(t), 5);

	for (i = 0; i < 4; i++) {
		assert_int_equal(look_v4(t, 0xc6336401 + i, T0 + 10 * MS, &r), 1);
		assert_int_equal(r.id[0], 77);
		assert_int_equal(r.ts[0], T0);
		if (!first) {
			first = r.ptr[0];
			seq = r.seq[0];
		}
		assert_ptr_equal(r.ptr[0], first); /* one answer record for all its addresses */
		assert_int_equal(r.seq[0], seq);
	}
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 6, T0 + 10 * MS, rec_visit, &r), 1);
	assert_ptr_equal(r.ptr[0], first);
	/* not added */
	assert_int_equal(look_v4(t, 0xc6336405, T0 + 10 * MS, &r), 0);
	assert_int_equal(look_v4(t, 0xc6336400, T0 + 10 * MS, &r), 0);

	/* The visitor's flags stick to the record: seen through another address. */
	tp_v4m(x, 0xc6336401);
	rec_reset(&r);
	r.set_matched = 0x05;
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 20 * MS, rec_visit, &r), 1);
	look_v4(t, 0xc6336403, T0 + 30 * MS, &r);
	assert_int_equal(r.ptr[0]->matched, 0x05);

	/* A second answer holding one of the same addresses: both visited, each
	 * its own record, both in their first generation. */
	h2 = answer(t, T0 + 40 * MS, 78);
	assert_true(h2 != h);
	add_v4(t, h2, 0xc6336402, T0 + 40 * MS);
	assert_int_equal(look_v4(t, 0xc6336402, T0 + 50 * MS, &r), 2);
	assert_true(rec_has(&r, 77) && rec_has(&r, 78));
	assert_true(r.ptr[0] != r.ptr[1]);
	assert_int_equal(r.seq[0], 1);
	assert_int_equal(r.seq[1], 1);
	assert_int_equal(r.ts[r.id[0] == 78 ? 0 : 1], T0 + 40 * MS);
	assert_int_equal(dnsyn_ctable_occupancy(t), 6);
	rm(&b);
}

static void
test_ctable_fam_distinguishes(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h1, h2;
	uint8_t x[16];

	(void)state;
	t = mk(&c, &b);
	tp_v4m(x, 0x0a000001);
	h1 = answer(t, T0, 1);
	dnsyn_ctable_addr_add(t, h1, x, 4, T0);
	h2 = answer(t, T0 + MS, 2);
	dnsyn_ctable_addr_add(t, h2, x, 6, T0 + MS);
	h2 = answer(t, T0 + 2 * MS, 3);
	dnsyn_ctable_addr_add(t, h2, x, 254, T0 + 2 * MS);

	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 5 * MS, rec_visit, &r), 1);
	assert_int_equal(r.id[0], 1);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 6, T0 + 5 * MS, rec_visit, &r), 1);
	assert_int_equal(r.id[0], 2);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 254, T0 + 5 * MS, rec_visit, &r), 1);
	assert_int_equal(r.id[0], 3);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 0, T0 + 5 * MS, rec_visit, &r), 0);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 7, T0 + 5 * MS, rec_visit, &r), 0);
	/* removing the fam-6 entry leaves the others */
	rec_reset(&r);
	r.remove_all = 1;
	assert_int_equal(dnsyn_ctable_lookup(t, x, 6, T0 + 5 * MS, rec_visit, &r), 1);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 6, T0 + 5 * MS, rec_visit, &r), 0);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 5 * MS, &r), 1);
	assert_int_equal(r.id[0], 1);
	/* a one-byte difference in the address is another address */
	assert_int_equal(look_v4(t, 0x0a000101, T0 + 5 * MS, &r), 0);
	assert_int_equal(dnsyn_ctable_occupancy(t), 2);
	rm(&b);
}

static void
test_ctable_visitor_removes_entry(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h1, h2;
	uint8_t x[16];

	(void)state;
	t = mk(&c, &b);
	h1 = answer(t, T0, 1);
	add_v4(t, h1, 0x0a000001, T0);
	add_v4(t, h1, 0x0a000002, T0);
	add_v4(t, h1, 0x0a000003, T0);
	h2 = answer(t, T0 + MS, 2);
	add_v4(t, h2, 0x0a000002, T0 + MS);
	assert_int_equal(dnsyn_ctable_occupancy(t), 4);

	/* remove answer 1's entry for .2 only */
	tp_v4m(x, 0x0a000002);
	rec_reset(&r);
	r.remove_id = 1;
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 2 * MS, rec_visit, &r), 2);
	assert_int_equal(dnsyn_ctable_occupancy(t), 3);
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 3 * MS, &r), 1);
	assert_int_equal(r.id[0], 2);
	/* the other addresses of answer 1 are still there */
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 3 * MS, &r), 1);
	assert_int_equal(r.id[0], 1);
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 3 * MS, &r), 1);
	assert_int_equal(r.id[0], 1);

	/* remove all: gone for good, occupancy follows */
	tp_v4m(x, 0x0a000001);
	rec_reset(&r);
	r.remove_all = 1;
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 4 * MS, rec_visit, &r), 1);
	assert_int_equal(dnsyn_ctable_occupancy(t), 2);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 5 * MS, &r), 0);
	assert_int_equal(dnsyn_ctable_occupancy(t), 2);

	/* the same address added again after removal is found again */
	h1 = answer(t, T0 + 6 * MS, 3);
	add_v4(t, h1, 0x0a000001, T0 + 6 * MS);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 7 * MS, &r), 1);
	assert_int_equal(r.id[0], 3);
	assert_int_equal(dnsyn_ctable_occupancy(t), 3);
	/* removal is not counted as an eviction */
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_addrs, 0);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_answers, 0);
	rm(&b);
}

/* ---- time: the window edge and expiry --------------------------------------- */

static void
test_ctable_window_edge_and_expiry(void **state)
{
	static const uint32_t nb[] = {4, 8, 64};
	struct dnsyn_ctable_cfg c;
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h, w, ts;
	unsigned int i, k;

	(void)state;
	for (i = 0; i < 3; i++)
		for (k = 0; k < 4; k++) {
			/* answer times: aligned on a bucket, just before a bucket end,
			 * arbitrary */
			c = cfg_of(1024, 0, nb[i], S);
			t = mk(&c, &b);
			w = dnsyn_ctable_bucket_ns(t);
			ts = k == 0 ? (T0 / w) * w : k == 1 ? (T0 / w + 1) * w - 1 : T0 + k * 12345;
			h = answer(t, ts, 9);
			add_v4(t, h, 0x0a000009, ts);
			assert_int_equal(look_v4(t, 0x0a000009, ts, &r), 1);
			assert_int_equal(look_v4(t, 0x0a000009, ts + S / 2, &r), 1);
			assert_int_equal(look_v4(t, 0x0a000009, ts + S - 1, &r), 1);
			assert_int_equal(look_v4(t, 0x0a000009, ts + S, &r), 1); /* t + window */
			assert_int_equal(r.id[0], 9);
			assert_int_equal(r.ts[0], ts);
			/* once the bucket is older than the window: never visited */
			assert_int_equal(look_v4(t, 0x0a000009, ts + S + 2 * w, &r), 0);
			assert_int_equal(look_v4(t, 0x0a000009, ts + 3 * S, &r), 0);
			assert_int_equal(look_v4(t, 0x0a000009, ts + 1000 * S, &r), 0);
			rm(&b);
		}

	/* expiry while answers keep coming: an old address is not visited, a new
	 * one is, and occupancy forgets the old buckets */
	c = cfg_of(1024, 0, 8, S);
	t = mk(&c, &b);
	h = answer(t, T0, 1);
	add_v4(t, h, 0x0a000001, T0);
	for (k = 1; k <= 400; k++) {
		h = answer(t, T0 + k * 10 * MS, 1000 + k);
		add_v4(t, h, 0x0b000000 + k, T0 + k * 10 * MS);
	}
	/* now = T0 + 4 s */
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 4 * S, &r), 0);
	assert_int_equal(look_v4(t, 0x0b000000 + 400, T0 + 4 * S, &r), 1);
	assert_int_equal(look_v4(t, 0x0b000000 + 301, T0 + 4 * S, &r), 1); /* t = 3.01 s */
	assert_int_equal(r.id[0], 1301);
	assert_true(dnsyn_ctable_occupancy(t) >= 101);
	assert_true(dnsyn_ctable_occupancy(t) <= 101 + (2 * dnsyn_ctable_bucket_ns(t)) / (10 * MS) + 1);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_addrs, 0);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_answers, 0);
	assert_int_equal(dnsyn_ctable_stats(t)->early_rolls, 0);
	rm(&b);
}

static void
test_ctable_occupancy_drops_with_time(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h;
	unsigned int k;

	(void)state;
	t = mk(&c, &b);
	for (k = 0; k < 50; k++) {
		h = answer(t, T0 + k * MS, k);
		add_v4(t, h, 0x0a000000 + k, T0 + k * MS);
		add_v4(t, h, 0x0b000000 + k, T0 + k * MS);
	}
	assert_int_equal(dnsyn_ctable_occupancy(t), 100);
	/* a new answer long after: the old buckets are dead, only the new one is held */
	h = answer(t, T0 + 100 * S, 500);
	add_v4(t, h, 0x0c000000, T0 + 100 * S);
	assert_int_equal(dnsyn_ctable_occupancy(t), 1);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 100 * S, &r), 0);
	assert_int_equal(look_v4(t, 0x0c000000, T0 + 100 * S, &r), 1);
	/* expired by time is not evicted */
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_addrs, 0);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_answers, 0);
	rm(&b);
}

static void
test_ctable_small_timestamps(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(256, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h;

	(void)state;
	/* traces can start at time 0: now - window must not wrap */
	t = mk(&c, &b);
	h = answer(t, 0, 1);
	add_v4(t, h, 0x0a000001, 0);
	h = answer(t, 5, 2);
	add_v4(t, h, 0x0a000001, 5);
	look_v4(t, 0x0a000001, 0, &r); /* may also show the answer at 5: in the future */
	assert_true(rec_has(&r, 1));
	assert_int_equal(look_v4(t, 0x0a000001, 5, &r), 2);
	assert_int_equal(look_v4(t, 0x0a000001, S, &r), 2);
	assert_int_equal(look_v4(t, 0x0a000001, 4 * S, &r), 0);
	rm(&b);
}

static void
test_ctable_time_backwards(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h, w;
	unsigned int k;

	(void)state;
	t = mk(&c, &b);
	w = dnsyn_ctable_bucket_ns(t);
	h = answer(t, T0 + 10 * S, 1);
	add_v4(t, h, 0x0a000001, T0 + 10 * S);
	/* an older answer (another queue's event, a little late) */
	h = answer(t, T0 + 10 * S - S / 2, 2);
	add_v4(t, h, 0x0a000002, T0 + 10 * S - S / 2);
	/* older by more than a bucket */
	h = answer(t, T0 + 10 * S - w - w / 2, 3);
	add_v4(t, h, 0x0a000003, T0 + 10 * S - w - w / 2);
	/* and an address with an older ts added to a newer answer */
	h = answer(t, T0 + 10 * S + 1, 4);
	add_v4(t, h, 0x0a000004, T0 + 10 * S - 10 * MS);

	assert_int_equal(look_v4(t, 0x0a000002, T0 + 10 * S + 100 * MS, &r), 1);
	assert_int_equal(r.id[0], 2);
	assert_int_equal(r.ts[0], T0 + 10 * S - S / 2);
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 10 * S - S / 2 + MS, &r), 1); /* a late SYN */
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 10 * S, &r), 1);
	assert_int_equal(r.id[0], 3);
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 10 * S - w, &r), 1);
	assert_int_equal(look_v4(t, 0x0a000004, T0 + 10 * S + 2 * MS, &r), 1);
	assert_int_equal(r.id[0], 4);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 10 * S + 2 * MS, &r), 1);
	assert_int_equal(dnsyn_ctable_occupancy(t), 4);
	/* time moves on: they all go (their answers are older than the window) */
	for (k = 1; k <= 40; k++) {
		h = answer(t, T0 + 10 * S + k * 100 * MS, 100 + k);
		add_v4(t, h, 0x0b000000 + k, T0 + 10 * S + k * 100 * MS);
	}
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 14 * S, &r), 0);
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 14 * S, &r), 0);
	assert_int_equal(look_v4(t, 0x0a000004, T0 + 14 * S, &r), 0);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_addrs, 0);
	rm(&b);
}

/* ---- model check -------------------------------------------------------------- */

#define POOL 64
#define MODEL_MAX 4096 /* entries kept by the model (enough for 10 s at <= 4 per 10 ms) */

struct mentry {
	uint64_t id, ts;
	uint8_t pidx, removed;
};

struct model {
	struct mentry e[MODEL_MAX];
	uint64_t head; /* entries added so far; e[i % MODEL_MAX] */
	uint64_t window, slack;
	/* current lookup */
	uint64_t now;
	uint8_t pidx;
	uint64_t step;
	unsigned int n_seen;
	uint64_t seen[MAXSEEN];
	uint64_t (*ans_ts)(uint64_t id);
};

static uint8_t pool_addr[POOL][16];
static uint8_t pool_fam[POOL];
static uint64_t ans_ts_tab[20000];

static uint64_t
ans_ts_get(uint64_t id)
{
	return ans_ts_tab[id];
}

static void
pool_init(void)
{
	unsigned int j;

	for (j = 0; j < POOL; j++) {
		if (j < 40) {
			tp_v4m(pool_addr[j], 0xc6336400 + j);
			pool_fam[j] = 4;
		} else if (j < 52) { /* same bytes as 0..11, other family */
			tp_v4m(pool_addr[j], 0xc6336400 + (j - 40));
			pool_fam[j] = 6;
		} else {
			tp_v6a(pool_addr[j], (uint16_t)j);
			pool_fam[j] = 6;
		}
	}
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return x;
}

static struct mentry *
model_find(struct model *m, uint64_t id, uint8_t pidx)
{
	uint64_t i, lo = m->head > MODEL_MAX ? m->head - MODEL_MAX : 0;

	for (i = m->head; i-- > lo;) {
		struct mentry *e = &m->e[i % MODEL_MAX];

		if (e->id == id && e->pidx == pidx)
			return e;
	}
	return NULL;
}

static int
model_visit(void *ud, struct dnsyn_ctable_answer *a)
{
	struct model *m = ud;
	uint64_t id = id_of(a->client);
	struct mentry *e;
	int in;

	/* the record is the answer's: time as given */
	assert_int_equal(a->ts_ns, m->ans_ts(id));
	/* never an entry from a bucket long past the window */
	assert_true(a->ts_ns > m->now || m->now - a->ts_ns <= m->window + m->slack);
	in = a->ts_ns <= m->now && m->now - a->ts_ns <= m->window;
	if (!in)
		return 0;
	assert_true(m->n_seen < MAXSEEN);
	m->seen[m->n_seen++] = id;
	/* remove about one entry in eight, decided by (id, addr, step): not by
	 * the order of the visits */
	if (mix64(id * 131 + m->pidx * 7 + m->step * 1000003) % 8 == 0) {
		e = model_find(m, id, m->pidx);
		assert_non_null(e);
		assert_false(e->removed);
		e->removed = 1;
		return 1;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* With @p prefetch, dnsyn_ctable_prefetch() is called before each insert and
 * lookup for its key, for a random key and for a key used a few steps later:
 * it must change nothing the table does. With @p prefetch 2, the lookups'
 * calls are dnsyn_ctable_prefetch_lookup() (same pipeline, mixed with the
 * inserts' calls). */
static void
model_check_run(int prefetch)
{
	struct dnsyn_ctable_cfg c = cfg_of(2048, 0, 8, S);
	struct dnsyn_ctable *t;
	struct model *m;
	struct blk b;
	uint64_t st = 0x5eed1234abcdULL, expect[MAXSEEN];
	uint64_t step, ts, h, i, lo, w, n_addrs = 0, n_lookups = 0, n_hits = 0;
	unsigned int k, n, j, l, n_exp;
	uint8_t used[POOL];

	pool_init();
	m = test_calloc(1, sizeof(*m));
	m->window = S;
	m->ans_ts = ans_ts_get;
	t = mk(&c, &b);
	w = dnsyn_ctable_bucket_ns(t);
	m->slack = 2 * w;
	for (step = 0; step < 10000; step++) { /* 100 s, one answer every 10 ms */
		ts = T0 + step * 10 * MS + tp_xorshift(&st) % (5 * MS);
		ans_ts_tab[step] = ts;
		h = answer(t, ts, step);
		n = 1 + tp_xorshift(&st) % 4;
		memset(used, 0, sizeof(used));
		for (k = 0; k < n; k++) {
			do
				j = tp_xorshift(&st) % POOL;
			while (used[j]);
			used[j] = 1;
			if (prefetch) {
				unsigned int o = (unsigned int)(tp_xorshift(&st) % POOL);

				dnsyn_ctable_prefetch(t, pool_addr[j], pool_fam[j]);
				dnsyn_ctable_prefetch(t, pool_addr[o], pool_fam[o]);
			}
			dnsyn_ctable_addr_add(t, h, pool_addr[j], pool_fam[j], ts);
			m->e[m->head % MODEL_MAX] = (struct mentry){.id = step, .ts = ts, .pidx = (uint8_t)j};
			m->head++;
			n_addrs++;
		}
		/* occupancy: at least what can still match, at most that plus the
		 * slack of the bucket granularity */
		{
			uint64_t in = 0, near = 0;

			lo = m->head > MODEL_MAX ? m->head - MODEL_MAX : 0;
			for (i = lo; i < m->head; i++) {
				struct mentry *e = &m->e[i % MODEL_MAX];

				if (e->removed || e->ts > ts)
					continue;
				in += ts - e->ts <= S;
				near += ts - e->ts <= S + m->slack;
			}
			assert_true(dnsyn_ctable_occupancy(t) >= in);
			assert_true(dnsyn_ctable_occupancy(t) <= near);
		}
		/* a few lookups before the next answer */
		for (l = 0; l < 3; l++) {
			m->now = ts + tp_xorshift(&st) % (5 * MS);
			m->pidx = (uint8_t)(tp_xorshift(&st) % POOL);
			m->step = step * 4 + l;
			m->n_seen = 0;
			n_exp = 0;
			lo = m->head > MODEL_MAX ? m->head - MODEL_MAX : 0;
			for (i = lo; i < m->head; i++) {
				struct mentry *e = &m->e[i % MODEL_MAX];

				if (e->pidx == m->pidx && !e->removed && e->ts <= m->now &&
				    m->now - e->ts <= S)
					expect[n_exp++] = e->id;
			}
			if (prefetch == 1) {
				dnsyn_ctable_prefetch(t, pool_addr[m->pidx], pool_fam[m->pidx]);
				dnsyn_ctable_prefetch(t, pool_addr[(m->pidx + 7) % POOL],
						      pool_fam[(m->pidx + 7) % POOL]);
			} else if (prefetch == 2) {
				dnsyn_ctable_prefetch_lookup(t, pool_addr[m->pidx], pool_fam[m->pidx]);
				dnsyn_ctable_prefetch_lookup(t, pool_addr[(m->pidx + 7) % POOL],
							     pool_fam[(m->pidx + 7) % POOL]);
			}
			dnsyn_ctable_lookup(t, pool_addr[m->pidx], pool_fam[m->pidx], m->now,
					    model_visit, m);
			n_lookups++;
			qsort(expect, n_exp, sizeof(expect[0]), cmp_u64);
			qsort(m->seen, m->n_seen, sizeof(m->seen[0]), cmp_u64);
			if (m->n_seen != n_exp || memcmp(expect, m->seen, n_exp * sizeof(expect[0])))
				fail_msg("step %" PRIu64 " lookup %u (pool %u, now %" PRIu64
					 "): visited %u answers in the window, expected %u",
					 step, l, m->pidx, m->now, m->n_seen, n_exp);
			n_hits += n_exp;
		}
	}
	{
		const struct dnsyn_ctable_stats *s = dnsyn_ctable_stats(t);

		assert_int_equal(s->answers, 10000);
		assert_int_equal(s->addrs, n_addrs);
		assert_int_equal(s->lookups, n_lookups);
		assert_int_equal(s->evicted_addrs, 0);
		assert_int_equal(s->evicted_answers, 0);
		assert_int_equal(s->early_rolls, 0);
		assert_true(s->probes >= n_hits);
	}
	assert_true(n_hits > 10000); /* the check had something to check */
	rm(&b);
	test_free(m);
}

static void
test_ctable_model_check(void **state)
{
	(void)state;
	model_check_run(0);
}

static void
test_ctable_model_check_prefetch(void **state)
{
	(void)state;
	model_check_run(1);
}

static void
test_ctable_model_check_prefetch_lookup(void **state)
{
	(void)state;
	model_check_run(2);
}


/* ---- control bytes, groups, prefetch ------------------------------------------ */

/* Addresses from a counter, for searching keys with a given placement. */
static void
addr_of(uint8_t x[16], uint32_t i)
{
	tp_v4m(x, 0x64000000u + i);
}

struct placed {
	uint32_t i; /* addr_of(i) */
	uint32_t group;
	uint8_t fp;
};

/* Up to @p max addresses (of family 4) whose home group is @p group (and
 * fingerprint @p fp unless fp == 0), searching i = from, from + 1, ... */
static unsigned int
find_placed(const struct dnsyn_ctable *t, uint32_t group, uint8_t fp, uint32_t from,
	    struct placed *out, unsigned int max)
{
	uint32_t i, g, ng;
	uint8_t x[16], f;
	unsigned int n = 0;

	for (i = from; n < max && i < from + (1u << 26); i++) {
		addr_of(x, i);
		dnsyn_ctable_key_place(t, x, 4, &g, &ng, &f);
		assert_true(g < ng);
		assert_true(f >= 2); /* 0: empty, 1: removed */
		if (g == group && (fp == 0 || f == fp))
			out[n++] = (struct placed){.i = i, .group = g, .fp = f};
	}
	return n;
}

static unsigned int
look_i(struct dnsyn_ctable *t, uint32_t i, uint64_t now, struct rec *r)
{
	uint8_t x[16];
	unsigned int n;

	addr_of(x, i);
	rec_reset(r);
	n = dnsyn_ctable_lookup(t, x, 4, now, rec_visit, r);
	assert_int_equal(n, r->n);
	return n;
}

static void
add_i(struct dnsyn_ctable *t, uint64_t h, uint32_t i, uint64_t ts)
{
	uint8_t x[16];

	addr_of(x, i);
	dnsyn_ctable_addr_add(t, h, x, 4, ts);
}

/* Keys with the same home group and the same fingerprint: the control byte
 * matches all of them, the key itself decides. In one bucket and across
 * buckets, with removals. */
static void
test_ctable_fingerprint_collisions(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct placed p[12], other[4];
	struct rec r;
	struct blk b;
	uint64_t h, w;
	uint8_t x[16];
	unsigned int i, n;

	(void)state;
	t = mk(&c, &b);
	w = dnsyn_ctable_bucket_ns(t);
	addr_of(x, 0);
	{
		uint32_t g, ng;
		uint8_t f;

		dnsyn_ctable_key_place(t, x, 4, &g, &ng, &f);
		n = find_placed(t, g, f, 0, p, 12);
		assert_int_equal(n, 12);
		assert_int_equal(p[0].i, 0);
		/* same group, other fingerprints */
		assert_int_equal(find_placed(t, g, 0, 1, other, 4), 4);
	}
	/* six in one bucket, six in the next one (time), one answer each */
	for (i = 0; i < 12; i++) {
		uint64_t ts = T0 + (i < 6 ? 0 : w) + i * MS;

		h = answer(t, ts, 100 + i);
		add_i(t, h, p[i].i, ts);
	}
	for (i = 0; i < 12; i++) {
		assert_int_equal(look_i(t, p[i].i, T0 + w + 20 * MS, &r), 1);
		assert_int_equal(r.id[0], 100 + i);
	}
	/* the same fingerprint under another family: not found */
	addr_of(x, p[3].i);
	rec_reset(&r);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 6, T0 + w + 20 * MS, rec_visit, &r), 0);
	/* same group, other fingerprint, or same fingerprint: not added, not found */
	for (i = 0; i < 4; i++)
		if (other[i].fp != p[0].fp || other[i].i > p[11].i)
			assert_int_equal(look_i(t, other[i].i, T0 + w + 20 * MS, &r), 0);
	{
		struct placed q[13];

		assert_int_equal(find_placed(t, p[0].group, p[0].fp, 0, q, 13), 13);
		assert_int_equal(look_i(t, q[12].i, T0 + w + 20 * MS, &r), 0);
	}
	/* remove every other one: the others stay, each visited once */
	for (i = 0; i < 12; i += 2) {
		addr_of(x, p[i].i);
		rec_reset(&r);
		r.remove_all = 1;
		assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + w + 30 * MS, rec_visit, &r), 1);
	}
	for (i = 0; i < 12; i++)
		assert_int_equal(look_i(t, p[i].i, T0 + w + 40 * MS, &r), i % 2);
	assert_int_equal(dnsyn_ctable_occupancy(t), 6);
	/* one address in many answers, among its colliding neighbours: more entries
	 * than a lookup gathers before visiting (16) */
	for (i = 0; i < 40; i++) {
		h = answer(t, T0 + w + 50 * MS, 1000 + i);
		add_i(t, h, p[1].i, T0 + w + 50 * MS);
	}
	assert_int_equal(look_i(t, p[1].i, T0 + w + 60 * MS, &r), 41);
	for (i = 0; i < 40; i++)
		assert_true(rec_has(&r, 1000 + i));
	assert_true(rec_has(&r, 101));
	rec_reset(&r);
	r.remove_all = 1;
	addr_of(x, p[1].i);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + w + 60 * MS, rec_visit, &r), 41);
	assert_int_equal(look_i(t, p[1].i, T0 + w + 70 * MS, &r), 0);
	assert_int_equal(look_i(t, p[3].i, T0 + w + 70 * MS, &r), 1);
	assert_true(dnsyn_ctable_stats(t)->probes >= dnsyn_ctable_stats(t)->lookups);
	assert_true(dnsyn_ctable_stats(t)->groups >= dnsyn_ctable_stats(t)->lookups);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_addrs, 0);
	rm(&b);
}

/* Keys whose home group is the last one, more than a group holds, in one
 * bucket: they wrap round to group 0 and on; keys homed in group 0 come after
 * them. All found, absent ones not, removal keeps the chain. */
static void
test_ctable_full_groups_wrap(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct placed last[44], first[10];
	struct rec r;
	struct blk b;
	uint64_t h;
	uint32_t g, ng;
	uint8_t x[16], f;
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	addr_of(x, 0);
	dnsyn_ctable_key_place(t, x, 4, &g, &ng, &f);
	assert_true(ng >= 4);
	assert_int_equal(find_placed(t, ng - 1, 0, 0, last, 44), 44);
	assert_int_equal(find_placed(t, 0, 0, 0, first, 10), 10);
	/* 40 homed in the last group: 15 there, 15 in group 0, 10 in group 1 */
	for (i = 0; i < 40; i++) {
		h = answer(t, T0 + i * 1000, i);
		add_i(t, h, last[i].i, T0 + i * 1000);
	}
	for (i = 0; i < 10; i++) {
		h = answer(t, T0 + MS, 500 + i);
		add_i(t, h, first[i].i, T0 + MS);
	}
	assert_int_equal(dnsyn_ctable_stats(t)->early_rolls, 0);
	assert_int_equal(dnsyn_ctable_occupancy(t), 50);
	for (i = 0; i < 40; i++) {
		assert_int_equal(look_i(t, last[i].i, T0 + 2 * MS, &r), 1);
		assert_int_equal(r.id[0], i);
	}
	for (i = 0; i < 10; i++) {
		assert_int_equal(look_i(t, first[i].i, T0 + 2 * MS, &r), 1);
		assert_int_equal(r.id[0], 500 + i);
	}
	for (i = 40; i < 44; i++) /* same home, not added: the probe ends */
		assert_int_equal(look_i(t, last[i].i, T0 + 2 * MS, &r), 0);
	/* remove those in the full groups: the ones beyond are still found */
	for (i = 0; i < 32; i++) {
		addr_of(x, last[i].i);
		rec_reset(&r);
		r.remove_all = 1;
		assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 3 * MS, rec_visit, &r), 1);
	}
	for (i = 0; i < 40; i++)
		assert_int_equal(look_i(t, last[i].i, T0 + 4 * MS, &r), i >= 32);
	for (i = 0; i < 10; i++)
		assert_int_equal(look_i(t, first[i].i, T0 + 4 * MS, &r), 1);
	assert_int_equal(dnsyn_ctable_occupancy(t), 18);
	/* prefetching these keys changes nothing */
	for (i = 0; i < 44; i++) {
		addr_of(x, last[i].i);
		if (i % 2)
			dnsyn_ctable_prefetch(t, x, 4);
		else
			dnsyn_ctable_prefetch_lookup(t, x, 4);
	}
	for (i = 0; i < 40; i++)
		assert_int_equal(look_i(t, last[i].i, T0 + 5 * MS, &r), i >= 32);
	rm(&b);
}

/* Overflow chains across several groups of one bucket, with keys homed in
 * the groups they run through: every inserted key found (the groups' overflow
 * filters send its lookup on), absent keys homed in those groups not, before
 * and after removals; lookups prefetched with dnsyn_ctable_prefetch_lookup(). */
static void
test_ctable_overflow_chain(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct placed p0[60], p1[15], p2[10];
	struct rec r;
	struct blk b;
	uint64_t h;
	uint8_t x[16];
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	/* 50 homed in group 3 (over 3 groups and more), 10 in group 4, 5 in group 5 */
	assert_int_equal(find_placed(t, 3, 0, 0, p0, 60), 60);
	assert_int_equal(find_placed(t, 4, 0, 0, p1, 15), 15);
	assert_int_equal(find_placed(t, 5, 0, 0, p2, 10), 10);
	for (i = 0; i < 50; i++) {
		h = answer(t, T0 + i * 1000, i);
		add_i(t, h, p0[i].i, T0 + i * 1000);
	}
	for (i = 0; i < 10; i++) {
		h = answer(t, T0 + MS, 100 + i);
		add_i(t, h, p1[i].i, T0 + MS);
	}
	for (i = 0; i < 5; i++) {
		h = answer(t, T0 + MS, 200 + i);
		add_i(t, h, p2[i].i, T0 + MS);
	}
	assert_int_equal(dnsyn_ctable_occupancy(t), 65);
	for (i = 0; i < 60; i++) {
		addr_of(x, p0[(i + 3) % 60].i);
		dnsyn_ctable_prefetch_lookup(t, x, 4);
		assert_int_equal(look_i(t, p0[i].i, T0 + 2 * MS, &r), i < 50);
		if (i < 50)
			assert_int_equal(r.id[0], i);
	}
	for (i = 0; i < 15; i++)
		assert_int_equal(look_i(t, p1[i].i, T0 + 2 * MS, &r), i < 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(look_i(t, p2[i].i, T0 + 2 * MS, &r), i < 5);
	/* remove the first 45 of group 3: the chain still leads to the others */
	for (i = 0; i < 45; i++) {
		addr_of(x, p0[i].i);
		rec_reset(&r);
		r.remove_all = 1;
		assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 3 * MS, rec_visit, &r), 1);
	}
	for (i = 0; i < 60; i++)
		assert_int_equal(look_i(t, p0[i].i, T0 + 4 * MS, &r), i >= 45 && i < 50);
	for (i = 0; i < 15; i++)
		assert_int_equal(look_i(t, p1[i].i, T0 + 4 * MS, &r), i < 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(look_i(t, p2[i].i, T0 + 4 * MS, &r), i < 5);
	assert_int_equal(dnsyn_ctable_occupancy(t), 20);
	assert_true(dnsyn_ctable_stats(t)->groups > dnsyn_ctable_stats(t)->lookups);
	rm(&b);
}

/* Prefetch on a fresh table, on a table whose buckets all expired, for keys
 * of any family: reads only the table's block, changes no counter. */
static void
test_ctable_prefetch_empty(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(256, 0, 8, S);
	struct dnsyn_ctable_stats before;
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h;
	uint8_t x[16];
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	for (i = 0; i < 100; i++) {
		addr_of(x, i);
		dnsyn_ctable_prefetch(t, x, (uint8_t)(i % 255));
	}
	memset(x, 0xff, 16);
	dnsyn_ctable_prefetch(t, x, 254);
	assert_int_equal(dnsyn_ctable_occupancy(t), 0);
	assert_int_equal(look_i(t, 5, T0, &r), 0);
	/* the first insert after prefetches */
	h = answer(t, T0, 1);
	add_i(t, h, 5, T0);
	assert_int_equal(look_i(t, 5, T0 + MS, &r), 1);
	/* all expired */
	h = answer(t, T0 + 100 * S, 2);
	add_i(t, h, 6, T0 + 100 * S);
	rec_reset(&r);
	addr_of(x, 6);
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 100 * S, rec_visit, &r), 1);
	r.remove_all = 1;
	assert_int_equal(dnsyn_ctable_lookup(t, x, 4, T0 + 100 * S, rec_visit, &r), 1);
	before = *dnsyn_ctable_stats(t);
	for (i = 0; i < 100; i++) {
		addr_of(x, i);
		dnsyn_ctable_prefetch(t, x, 4);
	}
	assert_memory_equal(&before, dnsyn_ctable_stats(t), sizeof(before));
	assert_int_equal(look_i(t, 5, T0 + 100 * S, &r), 0);
	assert_int_equal(look_i(t, 6, T0 + 100 * S, &r), 0);
	/* re-init after prefetches: a fresh table */
	t = dnsyn_ctable_init(b.mem, &c);
	assert_non_null(t);
	addr_of(x, 1);
	dnsyn_ctable_prefetch(t, x, 4);
	assert_int_equal(look_i(t, 5, T0, &r), 0);
	rm(&b);
}

/* A bucket reused after its window has its control bytes cleared: old keys
 * (same group, same fingerprint as new ones) are gone, and each reuse can be
 * filled up to its limit again without an early roll. Answer records are
 * never reused here, so a stale entry would show (not hidden by the
 * generation check). */
static void
test_ctable_roll_clears(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 16384, 8, S);
	struct dnsyn_ctable *t;
	const struct dnsyn_ctable_stats *st;
	struct placed p[24];
	struct rec r;
	struct blk b;
	uint64_t h, w, ts = 0;
	uint32_t g, ng;
	uint8_t x[16], f;
	unsigned int span, i, per, nb_cycle = 8;

	(void)state;
	t = mk(&c, &b);
	st = dnsyn_ctable_stats(t);
	w = dnsyn_ctable_bucket_ns(t);
	addr_of(x, 0);
	dnsyn_ctable_key_place(t, x, 4, &g, &ng, &f);
	/* 24 colliding keys (home group and fingerprint) */
	assert_int_equal(find_placed(t, g, f, 0, p, 24), 24);
	/* the capacity over the buckets that can be matchable (5 for 1 s), a
	 * little less: each span fills its bucket nearly to the limit */
	per = c.capacity / 5 - 4;
	for (span = 0; span < 8 * nb_cycle; span++) {
		uint64_t t0 = (T0 / w + span) * w;

		for (i = 0; i < per; i++) {
			ts = t0 + i * (w / per);
			h = answer(t, ts, span * 10000ULL + i);
			if (i < 2) /* two of the colliding keys in each span, taking turns */
				add_i(t, h, p[(2 * span + i) % 24].i, ts);
			else
				add_i(t, h, 0x100000u + span * 10000u + i, ts);
		}
		/* the colliding key of this span is found once: its entry of 12
		 * spans ago sat in this same bucket (6 buckets), under the same
		 * control byte; keys of 6 and 7 spans ago are gone, of 3 ago found */
		assert_int_equal(look_i(t, p[(2 * span) % 24].i, ts, &r), 1);
		assert_int_equal(r.id[0], span * 10000ULL);
		if (span >= 7) {
			assert_int_equal(look_i(t, 0x100000u + (span - 6) * 10000u + 5, ts, &r), 0);
			assert_int_equal(look_i(t, 0x100000u + (span - 7) * 10000u + 5, ts, &r), 0);
			assert_int_equal(look_i(t, 0x100000u + (span - 3) * 10000u + 5, ts, &r), 1);
		}
	}
	assert_int_equal(st->early_rolls, 0);
	assert_int_equal(st->evicted_addrs, 0);
	assert_int_equal(st->evicted_answers, 0);
	assert_true(st->expired_addrs > 0);
	assert_int_equal(st->addrs, 8ULL * nb_cycle * per);
	assert_true(dnsyn_ctable_occupancy(t) <= 2ULL * c.capacity);
	rm(&b);
}

/* Sparse traffic: one address per bucket span, so each roll clears only the
 * groups the bucket wrote (not all rows); an overflow chain's groups and
 * filter bits must be cleared too, or old keys and long probes come back. */
static void
test_ctable_sparse_roll_clears(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 16384, 8, S);
	struct dnsyn_ctable *t;
	const struct dnsyn_ctable_stats *st;
	struct placed p[24];
	struct rec r;
	struct blk b;
	uint64_t h, w, ts = 0, groups;
	uint32_t g, ng;
	uint8_t x[16], f;
	unsigned int span, k;

	(void)state;
	t = mk(&c, &b);
	st = dnsyn_ctable_stats(t);
	w = dnsyn_ctable_bucket_ns(t);
	addr_of(x, 0);
	dnsyn_ctable_key_place(t, x, 4, &g, &ng, &f);
	assert_int_equal(find_placed(t, g, f, 0, p, 24), 24);
	for (span = 0; span < 40; span++) {
		ts = (T0 / w + span) * w + w / 2;
		if (span % 10 == 0) {
			/* 20 keys of one home group: an overflow chain, filter bits */
			for (k = 0; k < 20; k++) {
				h = answer(t, ts, span * 100ULL + k);
				add_i(t, h, p[k].i, ts);
			}
			for (k = 0; k < 20; k++) { /* each found once: nothing stale */
				assert_int_equal(look_i(t, p[k].i, ts, &r), 1);
				assert_int_equal(r.id[0], span * 100ULL + k);
			}
		} else {
			h = answer(t, ts, span * 100ULL);
			add_i(t, h, 0x200000u + span, ts);
		}
		if (span % 10 == 8) {
			/* the chain's bucket was reused (6 buckets): its keys are gone,
			 * and a lookup of that home group reads no more groups than a
			 * lookup of another group (one per live bucket): no stale
			 * overflow bit sends it down the old chain */
			uint64_t base;

			assert_int_equal(look_i(t, p[3].i, ts, &r), 0);
			groups = st->groups;
			assert_int_equal(look_i(t, 0x300000u + span, ts, &r), 0);
			base = st->groups - groups;
			groups = st->groups;
			assert_int_equal(look_i(t, p[21].i, ts, &r), 0);
			assert_int_equal(st->groups - groups, base);
		}
	}
	assert_int_equal(st->early_rolls, 0);
	assert_int_equal(st->evicted_addrs, 0);
	rm(&b);
}

/* ---- capacity pressure ----------------------------------------------------- */

/* The table may hold more than its capacity when buckets fill up early (each
 * bucket is sized for capacity / matchable buckets); never more than twice. */
#define OCC_MAX(c) (2 * (uint64_t)(c).capacity + 64)

/* Up to capacity addresses inside any window: nothing is evicted. */
static void
test_ctable_capacity_holds_a_window(void **state)
{
	static const uint32_t caps[] = {1024, 1000, 4096};
	static const uint32_t nb[] = {8, 4, 16, 64};
	struct dnsyn_ctable_cfg c;
	struct dnsyn_ctable *t;
	const struct dnsyn_ctable_stats *s;
	struct rec r;
	struct blk b;
	uint64_t h, ts = 0, dt;
	unsigned int i, k, j, n, total;

	(void)state;
	for (k = 0; k < 3; k++)
		for (j = 0; j < 4; j++) {
			c = cfg_of(caps[k], 4 * caps[k], nb[j], S);
			/* all at once */
			t = mk(&c, &b);
			for (i = 0; i < c.capacity; i++) {
				h = answer(t, T0, i);
				add_v4(t, h, 0x0a000000 + i, T0);
			}
			s = dnsyn_ctable_stats(t);
			if (s->evicted_addrs)
				fail_msg("capacity %u, %u buckets: %u addresses at one time, %" PRIu64
					 " evicted", c.capacity, nb[j], c.capacity, s->evicted_addrs);
			assert_int_equal(dnsyn_ctable_occupancy(t), c.capacity);
			for (i = 0; i < c.capacity; i += 97)
				assert_int_equal(look_v4(t, 0x0a000000 + i, T0 + S, &r), 1);
			rm(&b);
			/* a steady stream of 0.95 * capacity addresses per window, 5 s */
			t = mk(&c, &b);
			n = c.capacity - c.capacity / 20;
			dt = S / n;
			total = 5 * n;
			for (i = 0; i < total; i++) {
				ts = T0 + i * dt;
				h = answer(t, ts, i);
				add_v4(t, h, 0x0b000000 + i, ts);
			}
			s = dnsyn_ctable_stats(t);
			if (s->evicted_addrs)
				fail_msg("capacity %u, %u buckets: %u addresses per window, %" PRIu64
					 " of %u evicted (%" PRIu64 " early rolls)",
					 c.capacity, nb[j], n, s->evicted_addrs, total, s->early_rolls);
			/* everything inside the window at the end is found */
			for (i = total - n; i < total; i++)
				assert_int_equal(look_v4(t, 0x0b000000 + i, ts, &r), 1);
			rm(&b);
		}
}

static void
test_ctable_capacity_pressure(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 8192, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h, ts, occ;
	unsigned int i, mode, first_found, n_found;
	const struct dnsyn_ctable_stats *s;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		/* 4096 addresses: all at one time, or spread over 0.4 s (< window) */
		t = mk(&c, &b);
		for (i = 0; i < 4096; i++) {
			ts = T0 + (mode ? i * 100000ULL : 0);
			h = answer(t, ts, i);
			add_v4(t, h, 0x0a000000 + i, ts);
			assert_true(dnsyn_ctable_occupancy(t) <= OCC_MAX(c));
		}
		s = dnsyn_ctable_stats(t);
		occ = dnsyn_ctable_occupancy(t);
		assert_int_equal(s->addrs, 4096);
		assert_int_equal(s->answers, 4096);
		assert_true(s->early_rolls > 0);
		assert_true(s->evicted_addrs > 0);
		assert_int_equal(s->evicted_answers, 0);
		/* nothing lost silently: every address is held or counted */
		assert_int_equal(occ + s->evicted_addrs, 4096);
		assert_int_equal(s->expired_addrs, 0);
		assert_true(occ <= OCC_MAX(c));
		assert_true(occ >= c.capacity / 2);
		/* what is held is the newest: a suffix of the insertion order */
		ts = T0 + (mode ? 4095 * 100000ULL : 0) + MS;
		first_found = 4096;
		n_found = 0;
		for (i = 0; i < 4096; i++) {
			if (look_v4(t, 0x0a000000 + i, ts, &r)) {
				assert_int_equal(r.n, 1);
				assert_int_equal(r.id[0], i);
				if (first_found == 4096)
					first_found = i;
				n_found++;
			} else {
				assert_int_equal(first_found, 4096); /* no hole after the first found */
			}
		}
		assert_int_equal(n_found, occ);
		assert_int_equal(first_found, 4096 - occ);
		/* the table keeps working: new entries go in and are found */
		h = answer(t, ts, 99999);
		add_v4(t, h, 0x0c000001, ts);
		assert_int_equal(look_v4(t, 0x0c000001, ts, &r), 1);
		assert_true(dnsyn_ctable_occupancy(t) <= OCC_MAX(c));
		rm(&b); /* the guards: nothing written outside the block */
	}

	/* Steady overload over a long time: occupancy stays bounded, counters add
	 * up (held + evicted + expired == added, expired never counted). */
	t = mk(&c, &b);
	{
		for (i = 0; i < 100000; i++) {
			ts = T0 + i * 50000ULL; /* 20 k addresses/s, capacity 1024 */
			h = answer(t, ts, i);
			add_v4(t, h, 0x0d000000 + i, ts);
			assert_true(dnsyn_ctable_occupancy(t) <= OCC_MAX(c));
		}
		s = dnsyn_ctable_stats(t);
		assert_true(s->early_rolls > 0);
		assert_true(s->evicted_addrs > 0);
		/* every address is pushed out by early rolls ~50 ms after it came,
		 * well inside its window: all of them are counted */
		assert_int_equal(dnsyn_ctable_occupancy(t) + s->evicted_addrs, 100000);
		assert_int_equal(s->expired_addrs, 0);
		assert_int_equal(look_v4(t, 0x0d000000 + 99999, ts, &r), 1);
	}
	rm(&b);
}

/* ---- answer ring --------------------------------------------------------------- */

/* A ring of 65536 records: every reuse of a slot lands on the same low 16
 * bits of any global count, so the entry's tag must be the record's own
 * generation. The first answer's entry must read stale after its record is
 * reused. */
static void
test_ctable_answer_reuse_pow2_ring(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1u << 17, 65536, 8, 100 * S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h;
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	h = answer(t, T0, 0);
	add_v4(t, h, 0x0a000001, T0);
	for (i = 1; i <= 65536; i++)
		answer(t, T0 + (uint64_t)i * 1000, i);
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_answers, 1);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 70 * MS, &r), 0);
	rm(&b);
}

static void
test_ctable_answer_reuse(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 4, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h[12];
	unsigned int i;
	const struct dnsyn_ctable_stats *s;

	(void)state;
	t = mk(&c, &b);
	s = dnsyn_ctable_stats(t);
	h[0] = answer(t, T0, 0);
	add_v4(t, h[0], 0x0a000001, T0);
	for (i = 1; i < 4; i++) {
		h[i] = answer(t, T0 + i * MS, i);
		assert_true(h[i] > h[i - 1]);
		add_v4(t, h[i], 0x0a000002, T0 + i * MS);
	}
	assert_int_equal(s->evicted_answers, 0);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 4 * MS, &r), 1);
	/* the fifth answer reuses the first one's record while it can still match */
	h[4] = answer(t, T0 + 4 * MS, 4);
	assert_int_equal(s->evicted_answers, 1);
	add_v4(t, h[4], 0x0a000003, T0 + 4 * MS);
	/* the first answer's entry now has a stale handle: not visited */
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 5 * MS, &r), 0);
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 5 * MS, &r), 3);
	assert_false(rec_has(&r, 0) || rec_has(&r, 4));
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 5 * MS, &r), 1);
	assert_int_equal(r.id[0], 4);
	/* two more reuses inside the window */
	h[5] = answer(t, T0 + 6 * MS, 5);
	h[6] = answer(t, T0 + 7 * MS, 6);
	assert_int_equal(s->evicted_answers, 3);
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 8 * MS, &r), 1);
	assert_int_equal(r.id[0], 3);
	/* records reused after their window: not an eviction */
	for (i = 7; i < 11; i++)
		h[i] = answer(t, T0 + 10 * S + i * MS, i);
	assert_int_equal(s->evicted_answers, 3);
	assert_int_equal(s->answers, 11);
	/* nothing from before is visited through a reused record */
	assert_int_equal(look_v4(t, 0x0a000002, T0 + 10 * S + 20 * MS, &r), 0);
	assert_int_equal(look_v4(t, 0x0a000003, T0 + 10 * S + 20 * MS, &r), 0);
	rm(&b);
}

/* Many answers inside the window with a small ring: every visited answer is
 * one of the newest (its record was not reused), and the count of reuses is
 * exact. */
static void
test_ctable_answer_reuse_many(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(4096, 16, 8, S);
	struct dnsyn_ctable *t;
	struct rec r;
	struct blk b;
	uint64_t h;
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	for (i = 0; i < 200; i++) {
		h = answer(t, T0 + i * MS, i);
		add_v4(t, h, 0x0a000001, T0 + i * MS);
		add_v4(t, h, 0x0a000100 + i, T0 + i * MS);
	}
	assert_int_equal(dnsyn_ctable_stats(t)->evicted_answers, 200 - 16);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 250 * MS, &r), 16);
	for (i = 0; i < r.n; i++)
		assert_true(r.id[i] >= 200 - 16);
	for (i = 0; i < 200; i++)
		assert_int_equal(look_v4(t, 0x0a000100 + i, T0 + 250 * MS, &r), i >= 200 - 16);
	rm(&b);
}

/* ---- burst lookups against one at a time ------------------------------------- */

/* Two tables fed the same inserts: the reference looked up one key at a time
 * (dnsyn_ctable_lookup()), the other through dnsyn_ctable_lookup_burst().
 * Every visit is logged (which key, which answer, what the record held) and
 * the logs, results and counters must be equal, burst by burst. Few addresses
 * in a small table: bursts repeat keys, an address sits in several buckets
 * and several answers, groups collide and overflow, answer records are
 * reused, and lookup times straddle bucket expiry (some exactly on the edge).
 * The second table also gets prefetch calls, which must change nothing. */

#define TW_POOL 40
#define TW_LOG 16384
#define TW_BURST 80

struct twlog {
	unsigned int n;
	uint64_t salt;
	unsigned int cur;               /* reference: pool index of the key being looked up */
	const unsigned int *burst_pidx; /* burst: pool index of key i */
	struct {
		uint64_t id, ts;
		uint32_t seq, pidx;
		uint8_t matched;
	} v[TW_LOG];
};

static uint8_t tw_addr[TW_POOL][16];
static uint8_t tw_fam[TW_POOL];

static void
tw_pool_init(void)
{
	unsigned int j;

	for (j = 0; j < TW_POOL; j++) {
		if (j < 30) {
			tp_v4m(tw_addr[j], 0xc0000200 + j);
			tw_fam[j] = 4;
		} else {
			tp_v6a(tw_addr[j], (uint16_t)(0x100 + j));
			tw_fam[j] = 6;
		}
	}
	memcpy(tw_addr[29], tw_addr[3], 16); /* the same bytes, another family */
	tw_fam[29] = 6;
}

static int
tw_note(struct twlog *l, unsigned int pidx, struct dnsyn_ctable_answer *a)
{
	uint64_t id = id_of(a->client);

	assert_true(l->n < TW_LOG);
	l->v[l->n].id = id;
	l->v[l->n].ts = a->ts_ns;
	l->v[l->n].seq = a->seq;
	l->v[l->n].pidx = pidx;
	l->v[l->n].matched = a->matched;
	l->n++;
	a->matched |= (uint8_t)(1u << (pidx % 8));
	/* remove about one entry in three, decided by (answer, key) only */
	return mix64(id * 0x9e3779b97f4a7c15ULL + pidx * 977 + l->salt) % 3 == 0;
}

static int
tw_visit(void *ud, struct dnsyn_ctable_answer *a)
{
	struct twlog *l = ud;

	return tw_note(l, l->cur, a);
}

static int
tw_visit_at(void *ud, unsigned int i, struct dnsyn_ctable_answer *a)
{
	struct twlog *l = ud;

	return tw_note(l, l->burst_pidx[i], a);
}

static void
tw_same(const struct twlog *x, const struct twlog *y, const char *what, uint64_t step)
{
	unsigned int i;

	if (x->n != y->n)
		fail_msg("%s, step %" PRIu64 ": %u visits one at a time, %u here", what, step, x->n,
			 y->n);
	for (i = 0; i < x->n; i++)
		if (x->v[i].id != y->v[i].id || x->v[i].ts != y->v[i].ts ||
		    x->v[i].seq != y->v[i].seq || x->v[i].pidx != y->v[i].pidx ||
		    x->v[i].matched != y->v[i].matched)
			fail_msg("%s, step %" PRIu64 ": visit %u differs (answer %" PRIu64 " key %u,"
				 " here answer %" PRIu64 " key %u)",
				 what, step, i, x->v[i].id, x->v[i].pidx, y->v[i].id, y->v[i].pidx);
}

static void
tw_same_tables(struct dnsyn_ctable *a, struct dnsyn_ctable *b, uint64_t step)
{
	assert_memory_equal(dnsyn_ctable_stats(a), dnsyn_ctable_stats(b),
			    sizeof(struct dnsyn_ctable_stats));
	if (dnsyn_ctable_occupancy(a) != dnsyn_ctable_occupancy(b))
		fail_msg("step %" PRIu64 ": occupancy %" PRIu64 " against %" PRIu64, step,
			 dnsyn_ctable_occupancy(a), dnsyn_ctable_occupancy(b));
}

/* A lookup time near @p ts: mostly just after it, some long after (past the
 * window of older buckets), some exactly on a recent answer's window end (a
 * bucket's last instant), some before (time going backwards). */
static uint64_t
tw_now(uint64_t *st, uint64_t ts, const uint64_t *recent, uint64_t window)
{
	switch (tp_xorshift(st) % 8) {
	case 0:
	case 1:
		return recent[tp_xorshift(st) % 16] + window + tp_xorshift(st) % 3 - 1;
	case 2:
		return ts + window / 2 + tp_xorshift(st) % window;
	case 3:
		return ts - tp_xorshift(st) % (window / 4);
	default:
		return ts + tp_xorshift(st) % (window / 16);
	}
}

static void
twin_run(uint64_t seed, uint32_t capacity, uint32_t answers)
{
	struct dnsyn_ctable_cfg c = cfg_of(capacity, answers, 8, S);
	struct dnsyn_ctable *ta, *tb;
	struct twlog *la, *lb;
	struct blk ba, bb;
	uint64_t st = seed, ts = T0, recent[16], step, id = 0, h, n_visits = 0, n_lookups = 0;
	unsigned int i, k;

	tw_pool_init();
	la = test_calloc(1, sizeof(*la));
	lb = test_calloc(1, sizeof(*lb));
	la->salt = lb->salt = seed;
	ta = mk(&c, &ba);
	tb = mk(&c, &bb);
	for (i = 0; i < 16; i++)
		recent[i] = T0;
	for (step = 0; step < 6000; step++) {
		uint32_t op = tp_xorshift(&st) % 16;

		la->n = lb->n = 0;
		/* time: small steps, sometimes a jump past the window or back */
		if (tp_xorshift(&st) % 200 == 0)
			ts += S + tp_xorshift(&st) % S;
		else if (tp_xorshift(&st) % 100 == 0)
			ts -= tp_xorshift(&st) % (50 * MS);
		else
			ts += tp_xorshift(&st) % (4 * MS);
		if (op < 6) { /* an answer with 1-4 addresses, to both */
			uint64_t hb;

			h = answer(ta, ts, id);
			hb = answer(tb, ts, id);
			assert_int_equal(h, hb);
			id++;
			recent[id % 16] = ts;
			for (k = 1 + tp_xorshift(&st) % 4; k > 0; k--) {
				unsigned int j = tp_xorshift(&st) % TW_POOL;

				if (tp_xorshift(&st) % 2)
					dnsyn_ctable_prefetch(tb, tw_addr[j], tw_fam[j]);
				dnsyn_ctable_addr_add(ta, h, tw_addr[j], tw_fam[j], ts);
				dnsyn_ctable_addr_add(tb, h, tw_addr[j], tw_fam[j], ts);
			}
		} else { /* a burst */
			const uint8_t *addrs[TW_BURST];
			uint8_t fams[TW_BURST];
			uint64_t nows[TW_BURST], shared = tw_now(&st, ts, recent, S);
			unsigned int pidx[TW_BURST], n = 1 + tp_xorshift(&st) % TW_BURST, ra = 0, rb;

			for (i = 0; i < n; i++) {
				/* keys repeat: often the one just before */
				pidx[i] = i && tp_xorshift(&st) % 4 == 0 ? pidx[i - 1 - tp_xorshift(&st) % i]
									 : tp_xorshift(&st) % TW_POOL;
				addrs[i] = tw_addr[pidx[i]];
				fams[i] = tw_fam[pidx[i]];
				/* mostly one time for the burst, as a caller's */
				nows[i] = tp_xorshift(&st) % 4 ? shared : tw_now(&st, ts, recent, S);
				if (tp_xorshift(&st) % 8 == 0)
					dnsyn_ctable_prefetch_lookup(tb, addrs[i], fams[i]);
			}
			for (i = 0; i < n; i++) {
				la->cur = pidx[i];
				ra += dnsyn_ctable_lookup(ta, addrs[i], fams[i], nows[i], tw_visit, la);
			}
			lb->burst_pidx = pidx;
			rb = dnsyn_ctable_lookup_burst(tb, addrs, fams, nows, n, tw_visit_at, lb);
			assert_int_equal(ra, la->n);
			assert_int_equal(rb, ra);
			n_lookups += n;
		}
		tw_same(la, lb, "burst", step);
		tw_same_tables(ta, tb, step);
		n_visits += la->n;
	}
	/* what is left: every key, one at a time, in both */
	for (i = 0; i < TW_POOL; i++) {
		la->n = lb->n = 0;
		la->cur = lb->cur = i;
		dnsyn_ctable_lookup(ta, tw_addr[i], tw_fam[i], ts, tw_visit, la);
		dnsyn_ctable_lookup(tb, tw_addr[i], tw_fam[i], ts, tw_visit, lb);
		tw_same(la, lb, "after", step);
	}
	tw_same_tables(ta, tb, step);
	/* the runs went through the cases they are meant to */
	assert_true(n_lookups > 10000);
	assert_true(n_visits > 1000);
	assert_true(dnsyn_ctable_stats(ta)->probes > dnsyn_ctable_stats(ta)->lookups / 4);
	rm(&ba);
	rm(&bb);
	test_free(la);
	test_free(lb);
}

static void
test_ctable_burst_same_as_one(void **state)
{
	(void)state;
	twin_run(0x1badb002ULL, 256, 0);  /* groups collide and overflow */
	twin_run(0x5eedf00dULL, 256, 24); /* answer records reused */
	twin_run(0xc0ffee11ULL, 4096, 0); /* roomy */
	twin_run(0xfeedbeefULL, 512, 64);
}

/* One burst holding a key three times, its visitor removing the entry on
 * the first visit: the later ones find nothing; a key in two buckets is
 * visited in both. */
static void
test_ctable_burst_duplicates(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	struct twlog *l;
	struct blk b;
	const uint8_t *addrs[6];
	uint8_t fams[6];
	uint64_t nows[6], w, h;
	unsigned int pidx[6] = {1, 2, 1, 1, 2, 3}, i;

	(void)state;
	tw_pool_init();
	l = test_calloc(1, sizeof(*l));
	t = mk(&c, &b);
	w = dnsyn_ctable_bucket_ns(t);
	h = answer(t, T0, 7);
	dnsyn_ctable_addr_add(t, h, tw_addr[1], tw_fam[1], T0);
	dnsyn_ctable_addr_add(t, h, tw_addr[2], tw_fam[2], T0);
	h = answer(t, T0 + w, 8); /* the next bucket */
	dnsyn_ctable_addr_add(t, h, tw_addr[2], tw_fam[2], T0 + w);
	for (i = 0; i < 6; i++) {
		addrs[i] = tw_addr[pidx[i]];
		fams[i] = tw_fam[pidx[i]];
		nows[i] = T0 + w + MS;
	}
	/* salt 0: pick one that removes (1, 7) and not (2, 7), (2, 8) */
	for (l->salt = 0; !(mix64(7 * 0x9e3779b97f4a7c15ULL + 1 * 977 + l->salt) % 3 == 0 &&
			    mix64(7 * 0x9e3779b97f4a7c15ULL + 2 * 977 + l->salt) % 3 != 0 &&
			    mix64(8 * 0x9e3779b97f4a7c15ULL + 2 * 977 + l->salt) % 3 != 0);
	     l->salt++)
		;
	l->burst_pidx = pidx;
	/* key 1: once (removed), then nothing; key 2: both answers, twice */
	assert_int_equal(dnsyn_ctable_lookup_burst(t, addrs, fams, nows, 6, tw_visit_at, l), 5);
	assert_int_equal(l->n, 5);
	assert_int_equal(l->v[0].pidx, 1);
	assert_int_equal(l->v[0].id, 7);
	assert_int_equal(l->v[1].pidx, 2);
	assert_int_equal(l->v[2].pidx, 2);
	assert_true((l->v[1].id == 7 && l->v[2].id == 8) || (l->v[1].id == 8 && l->v[2].id == 7));
	assert_int_equal(l->v[3].pidx, 2);
	assert_int_equal(l->v[4].pidx, 2);
	assert_int_equal(dnsyn_ctable_stats(t)->lookups, 6);
	assert_int_equal(dnsyn_ctable_occupancy(t), 2);
	/* an empty burst does nothing */
	assert_int_equal(dnsyn_ctable_lookup_burst(t, addrs, fams, nows, 0, tw_visit_at, l), 0);
	assert_int_equal(dnsyn_ctable_stats(t)->lookups, 6);
	rm(&b);
	test_free(l);
}

/* ---- counters, re-init, memory per address ----------------------------------- */

static void
test_ctable_stats_consistent(void **state)
{
	struct dnsyn_ctable_cfg c = cfg_of(1024, 0, 8, S);
	struct dnsyn_ctable *t;
	const struct dnsyn_ctable_stats *s;
	struct rec r;
	struct blk b;
	uint64_t h, probes;
	unsigned int i;

	(void)state;
	t = mk(&c, &b);
	s = dnsyn_ctable_stats(t);
	assert_int_equal(s->answers, 0);
	assert_int_equal(s->addrs, 0);
	assert_int_equal(s->lookups, 0);
	assert_int_equal(s->probes, 0);
	assert_int_equal(s->evicted_addrs + s->evicted_answers + s->early_rolls, 0);
	for (i = 0; i < 10; i++) {
		h = answer(t, T0 + i * MS, i);
		add_v4(t, h, 0x0a000000 + i, T0 + i * MS);
		add_v4(t, h, 0x0b000000 + i, T0 + i * MS);
	}
	answer(t, T0 + 11 * MS, 11); /* no address */
	assert_int_equal(s->answers, 11);
	assert_int_equal(s->addrs, 20);
	assert_int_equal(dnsyn_ctable_occupancy(t), 20);
	for (i = 0; i < 10; i++)
		assert_int_equal(look_v4(t, 0x0a000000 + i, T0 + 20 * MS, &r), 1);
	assert_int_equal(s->lookups, 10);
	assert_true(s->probes >= 10);
	probes = s->probes;
	assert_int_equal(look_v4(t, 0x0e000000, T0 + 20 * MS, &r), 0); /* miss */
	assert_int_equal(s->lookups, 11);
	assert_true(s->probes >= probes);
	assert_int_equal(s->evicted_addrs + s->evicted_answers + s->early_rolls, 0);

	/* init again on the same block: a fresh table */
	t = dnsyn_ctable_init(b.mem, &c);
	assert_non_null(t);
	s = dnsyn_ctable_stats(t);
	assert_int_equal(dnsyn_ctable_occupancy(t), 0);
	assert_int_equal(s->answers + s->addrs + s->lookups + s->probes, 0);
	assert_int_equal(look_v4(t, 0x0a000001, T0 + 20 * MS, &r), 0);
	rm(&b);
}

static void
test_ctable_bytes_per_addr(void **state)
{
	static const uint32_t caps[] = {1u << 20, 1000000, 65536};
	struct dnsyn_ctable_cfg c;
	struct dnsyn_ctable *t;
	struct blk b;
	unsigned int i;
	double bpa, ratio;

	(void)state;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		c = cfg_of(caps[i], 0, 0, S);
		t = mk(&c, &b);
		bpa = dnsyn_ctable_bytes_per_addr(t);
		ratio = (double)b.size / caps[i];
		print_message("capacity %u: %.2f bytes/addr, memsize %zu (%.2f per address)\n",
			      caps[i], bpa, b.size, ratio);
		assert_true(bpa > 0);
		assert_true(bpa <= 64.0);
		/* everything included: the block over the capacity (or over the
		 * capacity rounded up to what the buckets really hold) */
		assert_true(bpa >= ratio / 2 && bpa <= ratio * 1.01);
		if (!(caps[i] & (caps[i] - 1)))
			assert_true(ratio <= 64.0);
		rm(&b);
	}
	/* more answer records: more bytes */
	{
		struct dnsyn_ctable_cfg a = cfg_of(65536, 0, 8, S), z = cfg_of(65536, 65536, 8, S);

		assert_true(dnsyn_ctable_memsize(&z) > dnsyn_ctable_memsize(&a));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctable_cfg_invalid),
		cmocka_unit_test(test_ctable_cfg_valid),
		cmocka_unit_test(test_ctable_bucket_width),
		cmocka_unit_test(test_ctable_add_find_several_addrs),
		cmocka_unit_test(test_ctable_fam_distinguishes),
		cmocka_unit_test(test_ctable_visitor_removes_entry),
		cmocka_unit_test(test_ctable_window_edge_and_expiry),
		cmocka_unit_test(test_ctable_occupancy_drops_with_time),
		cmocka_unit_test(test_ctable_small_timestamps),
		cmocka_unit_test(test_ctable_time_backwards),
		cmocka_unit_test(test_ctable_model_check),
		cmocka_unit_test(test_ctable_model_check_prefetch),
		cmocka_unit_test(test_ctable_model_check_prefetch_lookup),
		cmocka_unit_test(test_ctable_fingerprint_collisions),
		cmocka_unit_test(test_ctable_full_groups_wrap),
		cmocka_unit_test(test_ctable_overflow_chain),
		cmocka_unit_test(test_ctable_prefetch_empty),
		cmocka_unit_test(test_ctable_roll_clears),
		cmocka_unit_test(test_ctable_sparse_roll_clears),
		cmocka_unit_test(test_ctable_capacity_holds_a_window),
		cmocka_unit_test(test_ctable_capacity_pressure),
		cmocka_unit_test(test_ctable_answer_reuse),
		cmocka_unit_test(test_ctable_answer_reuse_pow2_ring),
		cmocka_unit_test(test_ctable_answer_reuse_many),
		cmocka_unit_test(test_ctable_burst_same_as_one),
		cmocka_unit_test(test_ctable_burst_duplicates),
		cmocka_unit_test(test_ctable_stats_consistent),
		cmocka_unit_test(test_ctable_bytes_per_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
