/* SPDX-License-Identifier: BSD-3-Clause */
/* Sharded correlation (lib/corr/dnsyn_resolve.c): the same event stream fed
 * to one dnsyn_paper, and split by dnsyn_event_shard() over M shards whose
 * claims go to a resolver, must give the same statistics: the paper's rule
 * (each answer's earliest SYN; a SYN counts once) holds across shards. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dnsyn_test_util.h"
#include "dnsyn_test_paper.h"
#include "dnsyn_compiler.h"
#include "dnsyn_event.h"
#include "dnsyn_paper.h"
#include "dnsyn_resolve.h"

#define S DNSYN_NS_PER_S
#define MS DNSYN_NS_PER_MS
#define T0 (1700000000ULL * S)
#define MAXEV 200000

static struct dnsyn_event evs[MAXEV];
static unsigned int n_evs;
static uint64_t rng = 88172645463325252ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static struct dnsyn_event *
ev_push(uint8_t type, uint64_t ts, uint8_t queue)
{
	static uint32_t seq[4];
	struct dnsyn_event *e = &evs[n_evs++];

	memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts_ns = ts;
	e->queue = queue;
	e->seq = seq[queue]++;
	return e;
}

/* Few servers and clients, so answers share addresses and SYNs compete:
 * answers with 1..6 addresses, SYNs after 0..1.5 s, some to no answer, some
 * at the same time stamp on another queue. */
static void
make_stream(void)
{
	static uint32_t answers[4];
	uint64_t ts = T0;
	unsigned int i, k;

	n_evs = 0;
	for (i = 0; i < 20000 && n_evs + 16 < MAXEV; i++) {
		uint8_t q = (uint8_t)rnd(4);
		uint32_t client = 0x0a000000u | rnd(40);
		struct dnsyn_event *e;

		ts += rnd(3) ? rnd(40) * MS : 0; /* equal times happen */
		if (rnd(3) == 0) {
			unsigned int n = 1 + rnd(6);

			e = ev_push(DNSYN_EV_ANSWER, ts, q);
			e->u.dns.n_a = (uint16_t)n;
			tp_v4m(e->dst, client);
			answers[q]++;
			for (k = 0; k < n; k++) {
				e = ev_push(DNSYN_EV_ADDR, ts, q);
				e->u.addr.answer = answers[q];
				tp_v4m(e->src, client);
				tp_v4m(e->dst, 0xc0000200u | rnd(30));
			}
		} else {
			e = ev_push(DNSYN_EV_SYN, ts, q);
			tp_v4m(e->src, rnd(2) ? client : 0x0a000000u | rnd(40));
			tp_v4m(e->dst, 0xc0000200u | rnd(34));
			e->sport = (uint16_t)(1024 + rnd(60000));
			e->dport = (uint16_t)(rnd(4) ? 443 : 80 + rnd(3));
			e->u.tcp.seq = rnd(1u << 30);
		}
	}
}

static void
claim_to_resolver(void *ud, const struct dnsyn_cand *c)
{
	dnsyn_resolve_claim(ud, c);
}

static void
run_sharded(unsigned int m, const struct dnsyn_paper_stats *want)
{
	struct dnsyn_resolve_cfg rcfg = {.window_ns = S};
	struct dnsyn_resolve *r = dnsyn_resolve_create(&rcfg);
	struct dnsyn_paper *sh[8];
	unsigned int i;

	assert_non_null(r);
	for (i = 0; i < m; i++) {
		struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60,
					      .table_capacity = 1 << 16,
					      .cand_cb = claim_to_resolver, .cand_ud = r};

		sh[i] = dnsyn_paper_create(&cfg);
		assert_non_null(sh[i]);
	}
	/* Shards processing in capture order hand the resolver their claims in
	 * capture order too: what the app's merge of claim rings restores. */
	for (i = 0; i < n_evs; i++)
		dnsyn_paper_event(sh[dnsyn_event_shard(&evs[i], m)], &evs[i]);
	for (i = 1; i < m; i++)
		assert_int_equal(dnsyn_paper_merge(sh[0], sh[i], NULL), 0);
	assert_int_equal(dnsyn_paper_merge(sh[0], NULL, dnsyn_resolve_stats(r)), 0);
	assert_same_stats(want, dnsyn_paper_stats(sh[0]));
	if (m > 1) /* the split made claims compete, or the test proves little */
		assert_true(dnsyn_resolve_counters(r)->lost > 0);
	for (i = 0; i < m; i++)
		dnsyn_paper_destroy(sh[i]);
	dnsyn_resolve_destroy(r);
}

static void
test_resolve_shards_equal_one(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60, .table_capacity = 1 << 16};
	struct dnsyn_paper *one;
	unsigned int i;

	(void)state;
	make_stream();
	one = dnsyn_paper_create(&cfg);
	assert_non_null(one);
	for (i = 0; i < n_evs; i++)
		dnsyn_paper_event(one, &evs[i]);
	assert_true(dnsyn_paper_stats(one)->fam[0].var[0].matched_answers > 1000);
	run_sharded(1, dnsyn_paper_stats(one));
	run_sharded(2, dnsyn_paper_stats(one));
	run_sharded(3, dnsyn_paper_stats(one));
	run_sharded(4, dnsyn_paper_stats(one));
	dnsyn_paper_destroy(one);
}

/* An answer with addresses in two shards: only the earliest SYN, whichever
 * shard saw it, gets the answer; the later one is unmatched. */
static void
test_resolve_one_answer_two_shards(void **state)
{
	struct dnsyn_resolve_cfg rcfg = {.window_ns = S};
	struct dnsyn_resolve *r = dnsyn_resolve_create(&rcfg);
	struct dnsyn_cand c;
	const struct dnsyn_paper_variant *v;

	(void)state;
	assert_non_null(r);
	memset(&c, 0, sizeof(c));
	c.ans_ts = T0;
	c.answer = 7;
	c.vars = 1u << DNSYN_VAR_DST;
	c.last = 1;
	c.dport = 443;
	c.syn_ts = T0 + 10 * MS; /* shard 0's SYN */
	dnsyn_resolve_claim(r, &c);
	c.syn_ts = T0 + 20 * MS; /* shard 1's, to another address of the answer */
	c.dport = 80;
	dnsyn_resolve_claim(r, &c);
	v = &dnsyn_resolve_stats(r)->fam[DNSYN_FAM_V4].var[DNSYN_VAR_DST];
	assert_int_equal(v->matched_answers, 1);
	assert_int_equal(v->matched_syns, 1);
	assert_int_equal(v->matched_dport[443], 1);
	assert_int_equal(v->matched_dport[80], 0);
	assert_int_equal(v->hist_10ms[1], 1);
	assert_int_equal(dnsyn_resolve_counters(r)->lost, 1);
	/* the same answer number from another queue is another answer */
	c.answer = 7 | 1ull << 56;
	c.syn_ts = T0 + 30 * MS;
	dnsyn_resolve_claim(r, &c);
	assert_int_equal(v->matched_answers, 2);
	dnsyn_resolve_destroy(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_shards_equal_one),
		cmocka_unit_test(test_resolve_one_answer_two_shards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
