/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the correlator (the paper's answer -> SYN method with the
 * definitions of /work/shared/traces/README.md) and the map behind its
 * aggregates. Events are built the way app/dnsyn_rx.c handle_dns() emits them:
 * an ANSWER (src/dst = IP source/destination of the response) followed, on the
 * same queue, by one ADDR per A/AAAA RR (dst = the address, v4-mapped for A,
 * DNSYN_EVF_ADDR_V6 for AAAA; src = the client). */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_test_util.h"
#include "dnsyn_test_paper.h"
#include "dnsyn_compiler.h"
#include "dnsyn_event.h"
#include "dnsyn_map.h"
#include "dnsyn_paper.h"

#define S DNSYN_NS_PER_S
#define MS DNSYN_NS_PER_MS
#define T0 (1582454830ULL * S) /* an epoch time, like a replayed capture */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#define CLIENT IP4(192, 168, 1, 10)
#define OTHER IP4(192, 168, 1, 77)
#define RESOLVER IP4(192, 168, 1, 1)
#define WEB IP4(93, 184, 216, 34)
#define WEB2 IP4(93, 184, 216, 35)

static struct dnsyn_paper *
paper_new(uint64_t window_ns)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = window_ns, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);

	assert_non_null(p);
	return p;
}

/* Answers per queue, as the RX lcore counts them: ADDR events name theirs. */
static uint32_t ans_no[256];

/* ANSWER from RESOLVER to @p client (v4 transport). */
static void
ev_answer(struct dnsyn_paper *p, uint64_t ts, const uint8_t client[16], uint8_t queue,
	  uint16_t n_a, uint16_t n_aaaa, uint8_t rcode, uint8_t flags)
{
	struct dnsyn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = DNSYN_EV_ANSWER;
	ev.flags = flags;
	ev.rcode = rcode;
	ev.queue = queue;
	ev.sport = 53;
	ev.dport = 40000;
	ev.u.dns.qtype = n_aaaa ? 28 : 1;
	ev.u.dns.n_a = n_a;
	ev.u.dns.n_aaaa = n_aaaa;
	ev.u.dns.ttl_min = 300;
	tp_v4m(ev.src, RESOLVER);
	memcpy(ev.dst, client, 16);
	ans_no[queue]++;
	dnsyn_paper_event(p, &ev);
}

static void
ev_addr_n(struct dnsyn_paper *p, uint64_t ts, const uint8_t client[16], const uint8_t addr[16],
	  int aaaa, uint8_t queue, uint32_t answer)
{
	struct dnsyn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = DNSYN_EV_ADDR;
	ev.flags = aaaa ? DNSYN_EVF_ADDR_V6 : 0;
	ev.queue = queue;
	ev.sport = 53;
	ev.dport = 40000;
	ev.u.addr.answer = answer;
	memcpy(ev.src, client, 16);
	memcpy(ev.dst, addr, 16);
	dnsyn_paper_event(p, &ev);
}

/* An address of the last answer on @p queue. */
static void
ev_addr(struct dnsyn_paper *p, uint64_t ts, const uint8_t client[16], const uint8_t addr[16],
	int aaaa, uint8_t queue)
{
	ev_addr_n(p, ts, client, addr, aaaa, queue, ans_no[queue]);
}

/* An answer to @p client (IPv4) with A RRs @p a[0..n). */
static void
answer4(struct dnsyn_paper *p, uint64_t ts, uint32_t client, const uint32_t *a, unsigned int n,
	uint8_t queue)
{
	uint8_t c[16], addr[16];
	unsigned int i;

	tp_v4m(c, client);
	ev_answer(p, ts, c, queue, (uint16_t)n, 0, 0, 0);
	for (i = 0; i < n; i++) {
		tp_v4m(addr, a[i]);
		ev_addr(p, ts, c, addr, 0, queue);
	}
}

static void
answer4_1(struct dnsyn_paper *p, uint64_t ts, uint32_t client, uint32_t a)
{
	answer4(p, ts, client, &a, 1, 0);
}

static void
ev_syn_raw(struct dnsyn_paper *p, uint8_t type, uint64_t ts, const uint8_t src[16],
	   const uint8_t dst[16], uint16_t sport, uint16_t dport, uint32_t seq, int v6)
{
	struct dnsyn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = type;
	ev.flags = v6 ? DNSYN_EVF_V6 : 0;
	ev.sport = sport;
	ev.dport = dport;
	ev.u.tcp.seq = seq;
	memcpy(ev.src, src, 16);
	memcpy(ev.dst, dst, 16);
	dnsyn_paper_event(p, &ev);
}

static void
syn4(struct dnsyn_paper *p, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sport,
     uint16_t dport, uint32_t seq)
{
	uint8_t s[16], d[16];

	tp_v4m(s, src);
	tp_v4m(d, dst);
	ev_syn_raw(p, DNSYN_EV_SYN, ts, s, d, sport, dport, seq, 0);
}

static void
query(struct dnsyn_paper *p, uint64_t ts, uint32_t client)
{
	struct dnsyn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = DNSYN_EV_QUERY;
	ev.sport = 40000;
	ev.dport = 53;
	tp_v4m(ev.src, client);
	tp_v4m(ev.dst, RESOLVER);
	dnsyn_paper_event(p, &ev);
}

static const struct dnsyn_paper_variant *
var4(struct dnsyn_paper *p, int v)
{
	return &dnsyn_paper_stats(p)->fam[DNSYN_FAM_V4].var[v];
}

static const struct dnsyn_paper_variant *
var6(struct dnsyn_paper *p, int v)
{
	return &dnsyn_paper_stats(p)->fam[DNSYN_FAM_V6].var[v];
}

static uint64_t
hist_total(const struct dnsyn_paper_variant *v)
{
	uint64_t t = 0;
	unsigned int i;

	for (i = 0; i < DNSYN_HIST_BINS; i++)
		t += v->hist_10ms[i];
	return t;
}

/* Matched SYNs/answers of both IPv4 variants. */
static void
assert_matched4(struct dnsyn_paper *p, uint64_t syns_d, uint64_t ans_d, uint64_t syns_dc,
		uint64_t ans_dc)
{
	assert_int_equal(var4(p, DNSYN_VAR_DST)->matched_syns, syns_d);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->matched_answers, ans_d);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_syns, syns_dc);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_answers, ans_dc);
	assert_int_equal(hist_total(var4(p, DNSYN_VAR_DST)), ans_d);
	assert_int_equal(hist_total(var4(p, DNSYN_VAR_DST_CLIENT)), ans_dc);
}

/* ---------------------------------------------------------------- paper */

static void
test_paper_create_rejects_bad_config(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = 0, .qpc_bucket_s = 60};

	(void)state;
	assert_null(dnsyn_paper_create(&cfg));
	cfg.window_ns = S;
	cfg.qpc_bucket_s = 0;
	assert_null(dnsyn_paper_create(&cfg));
	dnsyn_paper_destroy(NULL);
}

static void
test_paper_empty(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	assert_int_equal(st->dns_answers, 0);
	assert_int_equal(st->total_syn, 0);
	assert_int_equal(dnsyn_paper_pending(p), 0);
	assert_int_equal(dnsyn_paper_qpc(p)->count, 0);
	assert_non_null(st->syn_dport);
	assert_non_null(var4(p, 0)->matched_dport);
	assert_non_null(var6(p, 1)->matched_dport);
	dnsyn_paper_destroy(p);
}

static void
test_paper_match_within_window(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	int v;

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	assert_int_equal(dnsyn_paper_pending(p), 1);
	syn4(p, T0 + 25 * MS + 1, CLIENT, WEB, 50000, 443, 111);
	assert_int_equal(st->total_syn, 1);
	assert_int_equal(st->syn_v4, 1);
	assert_int_equal(st->syn_dport[443], 1);
	assert_matched4(p, 1, 1, 1, 1);
	for (v = 0; v < DNSYN_VAR_MAX; v++) {
		assert_int_equal(var4(p, v)->hist_10ms[2], 1);
		assert_int_equal(var4(p, v)->delay_sum_ns, 25 * MS + 1);
		assert_int_equal(var4(p, v)->matched_dport[443], 1);
	}
	assert_int_equal(st->fam[DNSYN_FAM_V4].answers_with, 1);
	assert_int_equal(st->fam[DNSYN_FAM_V4].total_rrs, 1);
	/* both variants matched: nothing left pending */
	assert_int_equal(dnsyn_paper_pending(p), 0);
	assert_int_equal(st->pending_expired, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_match_at_zero_delay(void **state)
{
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->hist_10ms[0], 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->delay_sum_ns, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_match_at_exactly_one_second(void **state)
{
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + S, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->hist_10ms[DNSYN_HIST_BINS - 1], 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->hist_10ms[99], 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->delay_sum_ns, S);
	dnsyn_paper_destroy(p);
}

static void
test_paper_no_match_one_second_plus_1ns(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + S + 1, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 0, 0, 0, 0);
	assert_int_equal(st->total_syn, 1);
	/* Its time bucket is past the window: not even visited, and no longer
	 * pending; it counts as expired when the bucket is recycled. */
	assert_int_equal(dnsyn_paper_pending(p), 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_hist_bin_edges(void **state)
{
	static const struct {
		uint64_t dt;
		unsigned int bin;
	} cases[] = {
		{10 * MS - 1, 0}, {10 * MS, 1}, {19 * MS + 999999, 1}, {500 * MS, 50},
		{990 * MS - 1, 98}, {990 * MS, 99}, {999 * MS, 99},
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < DNSYN_ARRAY_SIZE(cases); i++) {
		struct dnsyn_paper *p = paper_new(S);

		answer4_1(p, T0, CLIENT, WEB);
		syn4(p, T0 + cases[i].dt, CLIENT, WEB, 50000, 443, 1);
		assert_int_equal(var4(p, DNSYN_VAR_DST)->hist_10ms[cases[i].bin], 1);
		assert_int_equal(hist_total(var4(p, DNSYN_VAR_DST)), 1);
		dnsyn_paper_destroy(p);
	}
}

static void
test_paper_wider_window_clamps_to_last_bin(void **state)
{
	struct dnsyn_paper *p = paper_new(3 * S);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + 2500 * MS, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->hist_10ms[99], 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->delay_sum_ns, 2500 * MS);
	dnsyn_paper_destroy(p);
	/* a narrower one: 100 ms */
	p = paper_new(100 * MS);
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + 100 * MS + 1, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 0, 0, 0, 0);
	answer4_1(p, T0 + S, CLIENT, WEB);
	syn4(p, T0 + S + 100 * MS, CLIENT, WEB, 50000, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_syn_before_answer_in_file(void **state)
{
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	syn4(p, T0, CLIENT, WEB, 50000, 443, 1);
	answer4_1(p, T0 + MS, CLIENT, WEB);
	assert_matched4(p, 0, 0, 0, 0);
	assert_int_equal(dnsyn_paper_pending(p), 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_syn_earlier_timestamp_than_answer(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	/* later in the file, earlier in time: t_syn - t_answer < 0 */
	answer4_1(p, T0 + 10 * S, CLIENT, WEB);
	syn4(p, T0 + 10 * S - 1, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 0, 0, 0, 0);
	assert_int_equal(st->ts_backwards, 1);
	/* the answer is still there for a proper SYN */
	syn4(p, T0 + 10 * S + 5 * MS, CLIENT, WEB, 50000, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, 0)->hist_10ms[0], 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_two_answers_one_syn(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_variant *d;

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	answer4_1(p, T0 + 300 * MS, CLIENT, WEB);
	syn4(p, T0 + 500 * MS, CLIENT, WEB, 50000, 443, 1);
	/* one SYN, selected by both answers */
	assert_matched4(p, 1, 2, 1, 2);
	d = var4(p, DNSYN_VAR_DST);
	assert_int_equal(d->hist_10ms[50], 1);
	assert_int_equal(d->hist_10ms[20], 1);
	assert_int_equal(d->delay_sum_ns, 700 * MS);
	assert_int_equal(d->matched_dport[443], 1);
	assert_int_equal(dnsyn_paper_pending(p), 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_one_answer_two_syns(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + 15 * MS, CLIENT, WEB, 50000, 443, 1);
	syn4(p, T0 + 16 * MS, CLIENT, WEB, 50001, 80, 2);
	assert_int_equal(st->total_syn, 2);
	/* only the earliest SYN is the answer's */
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, 0)->hist_10ms[1], 1);
	assert_int_equal(var4(p, 0)->matched_dport[443], 1);
	assert_int_equal(var4(p, 0)->matched_dport[80], 0);
	assert_int_equal(st->syn_dport[80], 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_answer_with_duplicate_a_records(void **state)
{
	static const uint32_t a[] = {WEB, WEB, WEB2};
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	answer4(p, T0, CLIENT, a, 3, 0);
	assert_int_equal(st->fam[DNSYN_FAM_V4].total_rrs, 3);
	assert_int_equal(st->fam[DNSYN_FAM_V4].answers_with, 1);
	assert_int_equal(dnsyn_paper_pending(p), 3);
	syn4(p, T0 + 40 * MS, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, 0)->hist_10ms[4], 1);
	/* the answer is done: a SYN to its other address is not matched again */
	syn4(p, T0 + 50 * MS, CLIENT, WEB2, 50001, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_dst_only_vs_dst_and_client(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_variant *d, *dc;

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	/* another host connects first: the paper's variant takes it */
	syn4(p, T0 + 100 * MS, OTHER, WEB, 50000, 8080, 1);
	assert_matched4(p, 1, 1, 0, 0);
	assert_int_equal(dnsyn_paper_pending(p), 1); /* waits for the client */
	/* the client's SYN: matched by dst+client only (dst-only already had one) */
	syn4(p, T0 + 200 * MS, CLIENT, WEB, 50001, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	d = var4(p, DNSYN_VAR_DST);
	dc = var4(p, DNSYN_VAR_DST_CLIENT);
	assert_int_equal(d->matched_dport[8080], 1);
	assert_int_equal(d->matched_dport[443], 0);
	assert_int_equal(dc->matched_dport[443], 1);
	assert_int_equal(dc->matched_dport[8080], 0);
	assert_int_equal(d->hist_10ms[10], 1);
	assert_int_equal(dc->hist_10ms[20], 1);
	assert_int_equal(dnsyn_paper_pending(p), 0);
	dnsyn_paper_destroy(p);

	/* the SYN source must equal the answer's IP destination, nothing else */
	p = paper_new(S);
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + MS, RESOLVER, WEB, 50000, 443, 1);
	syn4(p, T0 + 2 * MS, WEB, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 0, 0);
	/* a partially matched answer ages out like any other */
	syn4(p, T0 + 1500 * MS, CLIENT, WEB, 50001, 443, 3);
	assert_matched4(p, 1, 1, 0, 0);
	assert_int_equal(dnsyn_paper_pending(p), 0);
	dnsyn_paper_destroy(p);
}

static struct dnsyn_paper *
paper_new_client_key(void)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60, .key_client = 1};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);

	assert_non_null(p);
	return p;
}

/* --key client: the same dst+client figures, no dst-only ones, and a SYN
 * compares keys of its own client's answers only. */
static void
test_paper_client_key(void **state)
{
	struct dnsyn_paper *p = paper_new_client_key(), *q = paper_new(S);
	unsigned int i;

	(void)state;
	/* 200 clients resolve the same address (a popular name) */
	for (i = 0; i < 200; i++) {
		answer4_1(p, T0 + i * 1000, IP4(10, 0, i / 250, i % 250 + 1), WEB);
		answer4_1(q, T0 + i * 1000, IP4(10, 0, i / 250, i % 250 + 1), WEB);
	}
	answer4_1(p, T0 + MS, CLIENT, WEB);
	answer4_1(q, T0 + MS, CLIENT, WEB);
	/* a third party's SYN: dst-only would match, dst+client cannot */
	syn4(p, T0 + 10 * MS, OTHER, WEB, 50000, 443, 1);
	syn4(q, T0 + 10 * MS, OTHER, WEB, 50000, 443, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->matched_syns, 0);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 0);
	assert_int_equal(var4(q, DNSYN_VAR_DST)->matched_syns, 1);
	/* the client's SYN: matched, having compared at most a couple of keys
	 * (the address key compares all 201 entries of WEB) */
	assert_int_equal(dnsyn_paper_table_stats(p)->lookups, 1);
	syn4(p, T0 + 20 * MS, CLIENT, WEB, 50001, 443, 2);
	syn4(q, T0 + 20 * MS, CLIENT, WEB, 50001, 443, 2);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_answers, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->hist_10ms[1], 1);
	assert_int_equal(var4(q, DNSYN_VAR_DST_CLIENT)->matched_syns, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->matched_syns, 0);
	assert_true(dnsyn_paper_table_stats(p)->probes <= 4);
	assert_true(dnsyn_paper_table_stats(q)->probes >= 2 * 201);
	/* the matched entry left; the others still wait for their clients */
	assert_int_equal(dnsyn_paper_pending(p), 200);
	/* a second SYN of the client: its answer is taken */
	syn4(p, T0 + 30 * MS, CLIENT, WEB, 50002, 443, 3);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 1);
	/* IPv6 keys too: an AAAA answer and the client's IPv6 SYN */
	{
		uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
		uint8_t o6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
		uint8_t w6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 0x80};

		ev_answer(p, T0 + 40 * MS, c6, 0, 0, 1, 0, DNSYN_EVF_V6);
		ev_addr(p, T0 + 40 * MS, c6, w6, 1, 0);
		ev_syn_raw(p, DNSYN_EV_SYN, T0 + 41 * MS, o6, w6, 50000, 443, 4, 1);
		assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 0);
		ev_syn_raw(p, DNSYN_EV_SYN, T0 + 42 * MS, c6, w6, 50000, 443, 5, 1);
		assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 1);
		assert_int_equal(var6(p, DNSYN_VAR_DST)->matched_syns, 0);
	}
	dnsyn_paper_destroy(p);
	dnsyn_paper_destroy(q);
}

static void
test_paper_one_syn_answers_of_different_clients(void **state)
{
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	answer4_1(p, T0 + MS, OTHER, WEB);
	syn4(p, T0 + 2 * MS, OTHER, WEB, 50000, 443, 1);
	/* dst-only: both answers, one SYN; dst+client: only OTHER's answer */
	assert_matched4(p, 1, 2, 1, 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_aaaa_vs_ipv6_syn(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	uint8_t c6[16], a6[16], o6[16];

	(void)state;
	tp_v6a(c6, 0x10);
	tp_v6a(a6, 0x443);
	tp_v6a(o6, 0x77);
	ev_answer(p, T0, c6, 0, 0, 1, 0, DNSYN_EVF_V6);
	ev_addr(p, T0, c6, a6, 1, 0);
	assert_int_equal(st->fam[DNSYN_FAM_V6].answers_with, 1);
	assert_int_equal(st->fam[DNSYN_FAM_V6].total_rrs, 1);
	assert_int_equal(st->fam[DNSYN_FAM_V4].answers_with, 0);
	assert_int_equal(st->answers_v6, 1);
	ev_syn_raw(p, DNSYN_EV_SYN, T0 + 30 * MS, o6, a6, 50000, 443, 1, 1);
	ev_syn_raw(p, DNSYN_EV_SYN, T0 + 40 * MS, c6, a6, 50001, 443, 2, 1);
	assert_int_equal(st->syn_v6, 2);
	assert_int_equal(st->syn_v4, 0);
	assert_int_equal(var6(p, DNSYN_VAR_DST)->matched_syns, 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST)->matched_answers, 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST)->hist_10ms[3], 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_syns, 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_answers, 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->hist_10ms[4], 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_dport[443], 1);
	/* the IPv4 tables saw nothing */
	assert_matched4(p, 0, 0, 0, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_ipv4_syn_does_not_match_v4mapped_aaaa(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	uint8_t c[16], mapped[16], d[16];

	(void)state;
	tp_v4m(c, CLIENT);
	tp_v4m(mapped, WEB); /* AAAA ::ffff:93.184.216.34 */
	ev_answer(p, T0, c, 0, 0, 1, 0, 0);
	ev_addr(p, T0, c, mapped, 1, 0);
	syn4(p, T0 + MS, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 0, 0, 0, 0);
	assert_int_equal(var6(p, 0)->matched_syns, 0);
	assert_int_equal(var6(p, 0)->matched_answers, 0);
	/* and the other way: an A RR is not matched by an IPv6 SYN */
	answer4_1(p, T0 + 2 * MS, CLIENT, WEB2);
	tp_v4m(d, WEB2);
	ev_syn_raw(p, DNSYN_EV_SYN, T0 + 3 * MS, c, d, 50000, 443, 2, 1);
	assert_matched4(p, 0, 0, 0, 0);
	assert_int_equal(var6(p, 0)->matched_syns, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_mixed_answer_a_and_aaaa(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	uint8_t c[16], a4[16], a6[16], c6[16];

	(void)state;
	tp_v4m(c, CLIENT);
	tp_v4m(a4, WEB);
	tp_v6a(a6, 1);
	tp_v6a(c6, 2);
	ev_answer(p, T0, c, 0, 1, 1, 0, 0);
	ev_addr(p, T0, c, a4, 0, 0);
	ev_addr(p, T0, c, a6, 1, 0);
	assert_int_equal(st->fam[DNSYN_FAM_V4].answers_with, 1);
	assert_int_equal(st->fam[DNSYN_FAM_V6].answers_with, 1);
	/* the same answer matches in each family independently */
	syn4(p, T0 + 10 * MS, CLIENT, WEB, 50000, 443, 1);
	ev_syn_raw(p, DNSYN_EV_SYN, T0 + 20 * MS, c6, a6, 50000, 443, 2, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var6(p, DNSYN_VAR_DST)->matched_answers, 1);
	/* dst+client v6: the SYN's source is not the answer's (v4) client */
	assert_int_equal(var6(p, DNSYN_VAR_DST_CLIENT)->matched_answers, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_syn_unique_and_retransmissions(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);

	(void)state;
	syn4(p, T0, CLIENT, WEB, 50000, 443, 7);
	syn4(p, T0 + S, CLIENT, WEB, 50000, 443, 7);       /* retransmission */
	syn4(p, T0 + 3 * S, CLIENT, WEB, 50000, 443, 7);   /* again */
	syn4(p, T0 + 4 * S, CLIENT, WEB, 50000, 443, 8);   /* new ISN */
	syn4(p, T0 + 5 * S, CLIENT, WEB, 50001, 443, 7);   /* new sport */
	syn4(p, T0 + 6 * S, CLIENT, WEB2, 50000, 443, 7);  /* new dst */
	syn4(p, T0 + 7 * S, OTHER, WEB, 50000, 443, 7);    /* new src */
	syn4(p, T0 + 8 * S, CLIENT, WEB, 50000, 444, 7);   /* new dport */
	assert_int_equal(st->total_syn, 8);
	assert_int_equal(st->syn_unique, 6);
	assert_int_equal(st->syn_dport[443], 7);
	assert_int_equal(st->syn_dport[444], 1);
	dnsyn_paper_destroy(p);
}

/* The distinct-SYN set remembers 120 to 240 s of SYNs, within its bound. */
static void
test_paper_syn_set_spans_and_bound(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60, .syn_set_max = 2048};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	const struct dnsyn_paper_stats *st;
	uint64_t t0 = 1000 * S; /* a span boundary (multiple of 120 s) */
	uint32_t i;

	(void)state;
	assert_non_null(p);
	st = dnsyn_paper_stats(p);
	/* a retransmission in the next span is still known ... */
	syn4(p, t0 + 100 * S, CLIENT, WEB, 50000, 443, 7);
	syn4(p, t0 + 200 * S, CLIENT, WEB, 50000, 443, 7);
	assert_int_equal(st->syn_unique, 1);
	/* ... one two spans later is not (no TCP retries that late) */
	syn4(p, t0 + 400 * S, CLIENT, WEB, 50000, 443, 7);
	assert_int_equal(st->syn_unique, 2);
	/* a forward clock jump of a day: spans restart there */
	syn4(p, t0 + 86400 * S, CLIENT, WEB, 50000, 443, 7);
	syn4(p, t0 + 86401 * S, CLIENT, WEB, 50000, 443, 7);
	assert_int_equal(st->syn_unique, 3);
	/* a flood of 10000 distinct SYNs within a second: halves of 1024 keys,
	 * the older dropped early each time one fills (counted) */
	for (i = 0; i < 10000; i++)
		syn4(p, t0 + 86402 * S + i, IP4(10, 1, i >> 8, i & 0xff), WEB, 1024, 80, i);
	assert_int_equal(st->syn_unique, 3 + 10000);
	assert_int_equal(st->syn_set_rotations_early, 9);
	assert_int_equal(st->oom, 0);
	/* the latest flood SYNs are still known as such */
	syn4(p, t0 + 86403 * S, IP4(10, 1, 9999 >> 8, 9999 & 0xff), WEB, 1024, 80, 9999);
	assert_int_equal(st->syn_unique, 3 + 10000);
	assert_int_equal(st->total_syn, 5 + 10000 + 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_retransmitted_syn_is_a_distinct_packet(void **state)
{
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	/* answer 1, SYN (matched), answer 2, retransmission (matched by answer 2):
	 * two SYN packets were selected although syn_unique is 1 */
	answer4_1(p, T0, CLIENT, WEB);
	syn4(p, T0 + 10 * MS, CLIENT, WEB, 50000, 443, 7);
	answer4_1(p, T0 + 500 * MS, CLIENT, WEB);
	syn4(p, T0 + 1010 * MS, CLIENT, WEB, 50000, 443, 7);
	assert_int_equal(dnsyn_paper_stats(p)->syn_unique, 1);
	assert_matched4(p, 2, 2, 2, 2);
	dnsyn_paper_destroy(p);
}

static void
test_paper_synack_count(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	uint8_t s[16], d[16];

	(void)state;
	answer4_1(p, T0, CLIENT, WEB);
	tp_v4m(s, WEB);
	tp_v4m(d, CLIENT);
	ev_syn_raw(p, DNSYN_EV_SYNACK, T0 + MS, s, d, 443, 50000, 9, 0);
	ev_syn_raw(p, DNSYN_EV_SYNACK, T0 + 2 * MS, s, d, 443, 50000, 9, 0);
	/* a SYN-ACK towards the answer address is not a SYN */
	ev_syn_raw(p, DNSYN_EV_SYNACK, T0 + 3 * MS, d, s, 50000, 443, 9, 0);
	assert_int_equal(st->synack, 3);
	assert_int_equal(st->total_syn, 0);
	assert_int_equal(st->syn_unique, 0);
	assert_matched4(p, 0, 0, 0, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_answer_counters_and_rcodes(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	struct dnsyn_event ev;
	uint8_t c[16];

	(void)state;
	tp_v4m(c, CLIENT);
	ev_answer(p, T0, c, 0, 0, 0, 3, 0);                               /* NXDOMAIN */
	ev_answer(p, T0, c, 0, 0, 0, 3, DNSYN_EVF_TCP);
	ev_answer(p, T0, c, 0, 0, 0, 2, DNSYN_EVF_TC | DNSYN_EVF_REASM);  /* SERVFAIL */
	ev_answer(p, T0, c, 0, 2, 0, 0, DNSYN_EVF_V6 | DNSYN_EVF_TCP);
	ev_answer(p, T0, c, 0, 0, 0, 0x1f, 0); /* only 4 bits are an rcode */
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = T0;
	ev.type = DNSYN_EV_ANSWER;
	ev.u.dns.n_cname = 2;
	ev.u.dns.n_a = 1;
	dnsyn_paper_event(p, &ev);
	assert_int_equal(st->dns_answers, 6);
	assert_int_equal(st->rcodes[0], 2);
	assert_int_equal(st->rcodes[2], 1);
	assert_int_equal(st->rcodes[3], 2);
	assert_int_equal(st->rcodes[15], 1);
	assert_int_equal(st->answers_tcp, 2);
	assert_int_equal(st->answers_tc, 1);
	assert_int_equal(st->answers_reasm, 1);
	assert_int_equal(st->answers_v6, 1);
	assert_int_equal(st->answers_with_cname, 1);
	assert_int_equal(st->cname_rrs, 2);
	assert_int_equal(st->fam[DNSYN_FAM_V4].answers_with, 2);
	assert_int_equal(st->fam[DNSYN_FAM_V4].total_rrs, 3);
	assert_int_equal(st->dns_queries, 0);
	/* unknown event types are ignored */
	ev.type = DNSYN_EV_NONE;
	dnsyn_paper_event(p, &ev);
	ev.type = DNSYN_EV_MAX;
	dnsyn_paper_event(p, &ev);
	assert_int_equal(st->dns_answers, 6);
	dnsyn_paper_destroy(p);
}

static void
test_paper_queries_per_client_buckets(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_map *m;
	const uint64_t base = 1582454820ULL; /* a multiple of 60 */
	struct {
		uint32_t client;
		uint64_t bucket;
		uint64_t count;
		int seen;
	} want[] = {
		{CLIENT, base, 3, 0},
		{CLIENT, base + 60, 2, 0},
		{CLIENT, base + 3600, 1, 0},
		{OTHER, base, 1, 0},
	};
	size_t it = 0, n = 0, i;
	const void *key;
	uint64_t val;

	(void)state;
	query(p, base * S, CLIENT);
	query(p, base * S + 59 * S + 999999999ULL, CLIENT);
	query(p, (base + 30) * S, CLIENT);
	query(p, (base + 60) * S, CLIENT);
	query(p, (base + 119) * S, CLIENT);
	query(p, (base + 3600) * S + 1, CLIENT);
	query(p, (base + 30) * S, OTHER);
	assert_int_equal(dnsyn_paper_stats(p)->dns_queries, 7);
	m = dnsyn_paper_qpc(p);
	assert_int_equal(m->count, 4);
	while (dnsyn_map_next(m, &it, &key, &val)) {
		uint8_t c[16];
		uint64_t b;

		memcpy(&b, (const uint8_t *)key + 16, 8);
		for (i = 0; i < DNSYN_ARRAY_SIZE(want); i++) {
			tp_v4m(c, want[i].client);
			if (memcmp(key, c, 16) == 0 && b == want[i].bucket) {
				assert_int_equal(val, want[i].count);
				assert_int_equal(want[i].seen, 0);
				want[i].seen = 1;
				break;
			}
		}
		if (i == DNSYN_ARRAY_SIZE(want))
			fail_msg("unexpected bucket %llu", (unsigned long long)b);
		n++;
	}
	assert_int_equal(n, 4);
	for (i = 0; i < DNSYN_ARRAY_SIZE(want); i++)
		assert_true(want[i].seen);
	/* answers are not queries */
	answer4_1(p, base * S, CLIENT, WEB);
	assert_int_equal(m->count, 4);
	dnsyn_paper_destroy(p);
}

static void
test_paper_qpc_other_bucket_size(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 3600};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	uint8_t key[24];
	uint64_t b = 7200, *v;

	(void)state;
	assert_non_null(p);
	query(p, 7200 * S, CLIENT);
	query(p, 10799 * S, CLIENT);
	query(p, 10800 * S, CLIENT);
	tp_v4m(key, CLIENT);
	memcpy(key + 16, &b, 8);
	v = dnsyn_map_find(dnsyn_paper_qpc(p), key);
	assert_non_null(v);
	assert_int_equal(*v, 2);
	b = 10800;
	memcpy(key + 16, &b, 8);
	v = dnsyn_map_find(dnsyn_paper_qpc(p), key);
	assert_non_null(v);
	assert_int_equal(*v, 1);
	dnsyn_paper_destroy(p);
}

/* An ADDR event stands on its own (the ANSWER may have gone to another shard):
 * its queue and answer number say which answer it belongs to. */
static void
test_paper_addr_names_its_answer(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	uint8_t c[16], o[16], a[16];

	(void)state;
	tp_v4m(c, CLIENT);
	tp_v4m(o, OTHER);
	tp_v4m(a, WEB);
	/* two answers on queue 3, one on queue 4 with the same number as the
	 * first: three records, no ANSWER event needed */
	ev_addr_n(p, T0, c, a, 0, 3, 7);
	ev_addr_n(p, T0 + 10 * MS, c, a, 0, 3, 8);
	ev_addr_n(p, T0 + 10 * MS, o, a, 0, 4, 7);
	assert_int_equal(st->addr_events, 3);
	assert_int_equal(dnsyn_paper_pending(p), 3);
	assert_int_equal(dnsyn_paper_table_stats(p)->answers, 3);
	/* one SYN is every answer's earliest */
	syn4(p, T0 + 20 * MS, CLIENT, WEB, 50000, 443, 1);
	assert_int_equal(var4(p, DNSYN_VAR_DST)->matched_answers, 3);
	assert_int_equal(var4(p, DNSYN_VAR_DST_CLIENT)->matched_answers, 2);
	assert_matched4(p, 1, 3, 1, 2);
	/* consecutive addresses of one answer share its record */
	ev_addr_n(p, T0 + 30 * MS, c, a, 0, 3, 9);
	ev_addr_n(p, T0 + 30 * MS, c, o, 0, 3, 9);
	assert_int_equal(dnsyn_paper_table_stats(p)->answers, 4);
	dnsyn_paper_destroy(p);
}

static void
test_paper_interleaved_queues_keep_their_answer(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	uint8_t c0[16], c1[16], x[16], y[16];

	(void)state;
	tp_v4m(c0, CLIENT);
	tp_v4m(c1, OTHER);
	tp_v4m(x, WEB);
	tp_v4m(y, WEB2);
	/* queue 0 answers CLIENT at t=0 (X), queue 7 answers OTHER at t=0.5 s (Y);
	 * their ADDR events interleave */
	ev_answer(p, T0, c0, 0, 1, 0, 0, 0);
	ev_answer(p, T0 + 500 * MS, c1, 7, 1, 0, 0, 0);
	ev_addr(p, T0, c0, x, 0, 0);
	ev_addr(p, T0 + 500 * MS, c1, y, 0, 7);
	assert_int_equal(dnsyn_paper_pending(p), 2);
	/* X belongs to queue 0's answer (t=0, CLIENT): at 1.2 s it has expired even
	 * though queue 7's answer (t=0.5 s) is younger */
	syn4(p, T0 + 1200 * MS, CLIENT, WEB, 50000, 443, 1);
	assert_matched4(p, 0, 0, 0, 0);
	/* Y belongs to OTHER's answer at 0.5 s: dst+client holds for OTHER */
	syn4(p, T0 + 1300 * MS, OTHER, WEB2, 50000, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, 0)->hist_10ms[80], 1);
	dnsyn_paper_destroy(p);

	/* the same with the SYN from the wrong client */
	p = paper_new(S);
	ev_answer(p, T0, c0, 0, 1, 0, 0, 0);
	ev_answer(p, T0, c1, 1, 1, 0, 0, 0);
	ev_addr(p, T0, c1, y, 0, 1);
	ev_addr(p, T0, c0, x, 0, 0);
	syn4(p, T0 + MS, OTHER, WEB, 50000, 443, 1); /* X is CLIENT's */
	assert_matched4(p, 1, 1, 0, 0);
	syn4(p, T0 + MS, CLIENT, WEB2, 50000, 443, 2); /* Y is OTHER's */
	assert_matched4(p, 2, 2, 0, 0);
	dnsyn_paper_destroy(p);
}

static void
test_paper_new_answer_replaces_current(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	uint8_t c0[16], c1[16], x[16];

	(void)state;
	tp_v4m(c0, CLIENT);
	tp_v4m(c1, OTHER);
	tp_v4m(x, WEB);
	/* answer A (no addresses), then answer B on the same queue: the ADDR is B's */
	ev_answer(p, T0, c0, 4, 0, 0, 0, 0);
	ev_answer(p, T0 + 700 * MS, c1, 4, 1, 0, 0, 0);
	ev_addr(p, T0 + 700 * MS, c1, x, 0, 4);
	syn4(p, T0 + 1500 * MS, OTHER, WEB, 50000, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	assert_int_equal(var4(p, 0)->hist_10ms[80], 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_expiry_keeps_memory_bounded(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	const unsigned int n = 200000;
	uint64_t max_pending = 0;
	unsigned int i;

	(void)state;
	/* 200k answers, one every 10 ms, each with its own address: ~100 are
	 * within the window at any time */
	for (i = 0; i < n; i++) {
		uint32_t a = IP4(10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
		uint64_t pend;

		answer4_1(p, T0 + (uint64_t)i * 10 * MS, CLIENT, a);
		pend = dnsyn_paper_pending(p);
		if (pend > max_pending)
			max_pending = pend;
	}
	assert_true(max_pending < 10000);
	assert_true(st->pending_expired > n - 10000);
	assert_int_equal(st->dns_answers, n);
	/* the most recent answers are still matchable */
	syn4(p, T0 + (uint64_t)(n - 1) * 10 * MS + 5 * MS, CLIENT,
	     IP4(10, ((n - 1) >> 16) & 0xff, ((n - 1) >> 8) & 0xff, (n - 1) & 0xff), 1, 443, 1);
	assert_matched4(p, 1, 1, 1, 1);
	/* and the oldest are gone */
	syn4(p, T0 + (uint64_t)(n - 1) * 10 * MS + 6 * MS, CLIENT, IP4(10, 0, 0, 0), 1, 443, 2);
	assert_matched4(p, 1, 1, 1, 1);
	dnsyn_paper_destroy(p);
}

static void
test_paper_expiry_without_syns_many_addrs(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	uint64_t max_pending = 0;
	unsigned int i, k;

	(void)state;
	/* bursts: 50 answers x 8 addresses at the same instant, every 2 s */
	for (i = 0; i < 400; i++) {
		for (k = 0; k < 50; k++) {
			uint32_t a[8];
			unsigned int j;

			for (j = 0; j < 8; j++)
				a[j] = IP4(10, i & 0xff, k, j);
			answer4(p, T0 + (uint64_t)i * 2 * S, CLIENT, a, 8, (uint8_t)(k % 4));
		}
		if (dnsyn_paper_pending(p) > max_pending)
			max_pending = dnsyn_paper_pending(p);
	}
	assert_true(max_pending < 20000);
	dnsyn_paper_destroy(p);
}

static void
test_paper_queue_ids_full_range(void **state)
{
	struct dnsyn_paper *p = paper_new(S);
	unsigned int q;

	(void)state;
	for (q = 0; q < 256; q++) {
		uint8_t c[16], a[16];

		tp_v4m(c, IP4(172, 16, 0, q));
		tp_v4m(a, IP4(10, 9, 0, q));
		ev_answer(p, T0, c, (uint8_t)q, 1, 0, 0, 0);
		ev_addr(p, T0, c, a, 0, (uint8_t)q);
	}
	for (q = 0; q < 256; q++)
		syn4(p, T0 + MS, IP4(172, 16, 0, q), IP4(10, 9, 0, q), 1, 443, q);
	assert_matched4(p, 256, 256, 256, 256);
	dnsyn_paper_destroy(p);
}

/* Cross-check against a brute-force implementation of the README rules on a
 * random event stream. */
struct ref_answer {
	uint64_t ts;
	uint32_t client;
	uint32_t addr[3];
	unsigned int n;
	int matched[2];
};

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint32_t
rng(void)
{
	return tp_xorshift(&rng_state);
}

static void
test_paper_random_stream_matches_reference(void **state)
{
	enum { N = 6000 };
	static struct ref_answer ans[N];
	static uint8_t syn_hit[N][2];
	static uint64_t hist[2][DNSYN_HIST_BINS];
	unsigned int n_ans = 0, n_syn = 0, i, v;
	uint64_t ts = T0, matched_syns[2] = {0, 0}, matched_ans[2] = {0, 0};
	struct dnsyn_paper *p = paper_new(S);

	(void)state;
	memset(hist, 0, sizeof(hist));
	memset(syn_hit, 0, sizeof(syn_hit));
	while (n_ans < N && n_syn < N) {
		ts += (rng() % 50) * MS + (rng() % 3 ? 0 : rng() % 1000);
		if (rng() % 2) {
			struct ref_answer *a = &ans[n_ans++];
			unsigned int k;

			a->ts = ts;
			a->client = IP4(192, 168, 0, rng() % 4);
			a->n = rng() % 4;
			for (k = 0; k < a->n; k++)
				a->addr[k] = IP4(10, 0, 0, rng() % 16);
			a->matched[0] = a->matched[1] = 0;
			answer4(p, ts, a->client, a->addr, a->n, (uint8_t)(rng() % 3));
		} else {
			uint32_t src = IP4(192, 168, 0, rng() % 4), dst = IP4(10, 0, 0, rng() % 16);
			unsigned int j, k;

			/* the reference: every pending answer whose window holds this SYN */
			for (j = 0; j < n_ans; j++) {
				struct ref_answer *a = &ans[j];
				int has = 0;

				for (k = 0; k < a->n; k++)
					has |= a->addr[k] == dst;
				if (!has || ts < a->ts || ts - a->ts > S)
					continue;
				for (v = 0; v < 2; v++) {
					if (a->matched[v] || (v == 1 && src != a->client))
						continue;
					a->matched[v] = 1;
					syn_hit[n_syn][v] = 1;
					matched_ans[v]++;
					hist[v][DNSYN_MIN((ts - a->ts) / DNSYN_HIST_BIN_NS,
							  DNSYN_HIST_BINS - 1)]++;
				}
			}
			for (v = 0; v < 2; v++)
				matched_syns[v] += syn_hit[n_syn][v];
			n_syn++;
			syn4(p, ts, src, dst, (uint16_t)(1024 + rng() % 8), 443, rng());
		}
	}
	for (v = 0; v < 2; v++) {
		assert_int_equal(var4(p, (int)v)->matched_syns, matched_syns[v]);
		assert_int_equal(var4(p, (int)v)->matched_answers, matched_ans[v]);
		for (i = 0; i < DNSYN_HIST_BINS; i++)
			assert_int_equal(var4(p, (int)v)->hist_10ms[i], hist[v][i]);
	}
	assert_true(matched_ans[0] > 100); /* the stream did exercise matching */
	assert_true(matched_ans[1] < matched_ans[0]);
	dnsyn_paper_destroy(p);
}

/* ---------------------------------------------------------------- map */

static void
test_map_init_rejects_bad_key_size(void **state)
{
	struct dnsyn_map m;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, 0, 16, 0), -EINVAL);
	assert_int_equal(dnsyn_map_init(&m, DNSYN_MAP_KEY_MAX + 1, 16, 0), -EINVAL);
	assert_int_equal(dnsyn_map_init(&m, DNSYN_MAP_KEY_MAX, 0, 0), 0);
	assert_int_equal(m.count, 0);
	assert_true(m.cap >= 16);
	assert_int_equal(m.cap & (m.cap - 1), 0);
	dnsyn_map_free(&m);
	dnsyn_map_free(&m); /* idempotent */
}

/* The caller-hashed path (the distinct-SYN set's): a presized map big
 * enough to take its own pages, keys found by their tag, cleared and found
 * no more, its memory returned. */
static void
test_map_tag_presized_clear(void **state)
{
	struct dnsyn_map m;
	const unsigned int n = 50000;
	uint64_t key[2];
	unsigned int i;
	size_t cap;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), n, n), 0);
	cap = m.cap;
	assert_true(cap * m.slot_size >= (128u << 10)); /* the mmap path */
	for (i = 0; i < n; i++) {
		int is_new = -1;

		key[0] = 0x9e3779b97f4a7c15ULL * (i + 1);
		key[1] = i;
		assert_non_null(dnsyn_map_upsert_tag(&m, key, key[0] | 1, &is_new));
		assert_int_equal(is_new, 1);
	}
	assert_int_equal(m.cap, cap); /* presized: never grew */
	key[0] = 0x9e3779b97f4a7c15ULL * 7;
	key[1] = 6;
	assert_non_null(dnsyn_map_find_tag(&m, key, key[0] | 1));
	key[1] = 7; /* same tag, other key */
	assert_null(dnsyn_map_find_tag(&m, key, 0x9e3779b97f4a7c15ULL * 7 | 1));
	assert_null(dnsyn_map_upsert_tag(&m, key, key[0] | 1, NULL)); /* full */
	assert_int_equal(m.refused, 1);
	dnsyn_map_clear(&m);
	assert_int_equal(m.count, 0);
	key[1] = 6;
	assert_null(dnsyn_map_find_tag(&m, key, key[0] | 1));
	dnsyn_map_clear(&m); /* empty: nothing to wipe */
	assert_null(dnsyn_map_find_tag(&m, key, key[0] | 1));
	dnsyn_map_free(&m);
	assert_null(m.slots);
}

/* Clearing moves the epoch on: a key of any earlier epoch, wrap-around
 * included (65535 clears, then a real wipe), never comes back. */
static void
test_map_clear_epochs(void **state)
{
	struct dnsyn_map m;
	uint32_t i, key;
	size_t it = 0;
	const void *k;
	uint64_t v;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), 4, 0), 0);
	for (i = 0; i < 70000; i++) {
		key = i % 5; /* the same few slots, epoch after epoch */
		assert_null(dnsyn_map_find(&m, &key));
		*dnsyn_map_upsert(&m, &key, NULL) = i;
		dnsyn_map_clear(&m);
		dnsyn_map_clear(&m); /* an empty map: nothing to move on */
	}
	key = 3;
	*dnsyn_map_upsert(&m, &key, NULL) = 7;
	assert_int_equal(m.count, 1);
	assert_true(dnsyn_map_next(&m, &it, &k, &v));
	assert_int_equal(v, 7);
	assert_false(dnsyn_map_next(&m, &it, &k, &v));
	for (key = 0; key < 5; key++)
		if (key != 3)
			assert_null(dnsyn_map_find(&m, &key));
	dnsyn_map_free(&m);
}

static void
test_map_grow_find_next(void **state)
{
	struct dnsyn_map m;
	const unsigned int n = 20000;
	uint8_t key[12];
	unsigned int i;
	size_t it = 0, seen = 0;
	const void *k;
	uint64_t v, sum = 0, want_sum = 0;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), 4, 0), 0);
	for (i = 0; i < n; i++) {
		uint64_t *slot;
		int is_new = -1;

		memset(key, 0, sizeof(key));
		memcpy(key + 3, &i, sizeof(i));
		slot = dnsyn_map_upsert(&m, key, &is_new);
		assert_non_null(slot);
		assert_int_equal(is_new, 1);
		assert_int_equal(*slot, 0);
		*slot = (uint64_t)i * 3 + 1;
		want_sum += (uint64_t)i * 3 + 1;
		assert_true(m.count * 4 <= m.cap * 3);
	}
	assert_int_equal(m.count, n);
	assert_int_equal(m.cap & (m.cap - 1), 0);
	for (i = 0; i < n; i++) {
		uint64_t *slot;
		int is_new = -1;

		memset(key, 0, sizeof(key));
		memcpy(key + 3, &i, sizeof(i));
		slot = dnsyn_map_find(&m, key);
		assert_non_null(slot);
		assert_int_equal(*slot, (uint64_t)i * 3 + 1);
		/* upsert of a present key: same slot, not new */
		assert_ptr_equal(dnsyn_map_upsert(&m, key, &is_new), slot);
		assert_int_equal(is_new, 0);
	}
	assert_int_equal(m.count, n);
	/* absent keys */
	memset(key, 0xff, sizeof(key));
	assert_null(dnsyn_map_find(&m, key));
	memset(key, 0, sizeof(key));
	i = n;
	memcpy(key + 3, &i, sizeof(i));
	assert_null(dnsyn_map_find(&m, key));
	/* iteration: every entry exactly once */
	while (dnsyn_map_next(&m, &it, &k, &v)) {
		unsigned int id;

		memcpy(&id, (const uint8_t *)k + 3, sizeof(id));
		assert_true(id < n);
		assert_int_equal(v, (uint64_t)id * 3 + 1);
		sum += v;
		seen++;
	}
	assert_int_equal(seen, n);
	assert_int_equal(sum, want_sum);
	/* the iterator stays at the end */
	assert_int_equal(dnsyn_map_next(&m, &it, &k, &v), 0);
	dnsyn_map_free(&m);
}

static void
test_map_next_empty_and_null_ret_new(void **state)
{
	struct dnsyn_map m;
	size_t it = 0;
	const void *k;
	uint64_t v;
	uint32_t key = 5;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), 16, 0), 0);
	assert_int_equal(dnsyn_map_next(&m, &it, &k, &v), 0);
	assert_non_null(dnsyn_map_upsert(&m, &key, NULL));
	assert_int_equal(m.count, 1);
	it = 0;
	assert_int_equal(dnsyn_map_next(&m, &it, &k, &v), 1);
	assert_memory_equal(k, &key, sizeof(key));
	assert_int_equal(dnsyn_map_next(&m, &it, &k, &v), 0);
	dnsyn_map_free(&m);
}

static void
test_map_max_count_refusal(void **state)
{
	struct dnsyn_map m;
	uint32_t key;
	int is_new;

	(void)state;
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), 8, 100), 0);
	for (key = 0; key < 100; key++)
		assert_non_null(dnsyn_map_upsert(&m, &key, NULL));
	assert_int_equal(m.count, 100);
	assert_int_equal(m.refused, 0);
	key = 100;
	is_new = -1;
	assert_null(dnsyn_map_upsert(&m, &key, &is_new));
	assert_int_equal(is_new, 0);
	assert_int_equal(m.refused, 1);
	key = 5000;
	assert_null(dnsyn_map_upsert(&m, &key, NULL));
	assert_int_equal(m.refused, 2);
	assert_int_equal(m.count, 100);
	assert_null(dnsyn_map_find(&m, &key));
	/* present keys still work, and do not count as refused */
	key = 42;
	assert_non_null(dnsyn_map_upsert(&m, &key, &is_new));
	assert_int_equal(is_new, 0);
	assert_non_null(dnsyn_map_find(&m, &key));
	assert_int_equal(m.refused, 2);
	dnsyn_map_free(&m);
}

static void
test_map_colliding_keys_distinct(void **state)
{
	struct dnsyn_map m;
	uint8_t key[DNSYN_MAP_KEY_MAX];
	unsigned int i;

	(void)state;
	/* keys differing only in their last byte, at the largest key size */
	assert_int_equal(dnsyn_map_init(&m, sizeof(key), 1, 0), 0);
	memset(key, 0x33, sizeof(key));
	for (i = 0; i < 256; i++) {
		key[DNSYN_MAP_KEY_MAX - 1] = (uint8_t)i;
		*dnsyn_map_upsert(&m, key, NULL) = i + 1000;
	}
	assert_int_equal(m.count, 256);
	for (i = 0; i < 256; i++) {
		key[DNSYN_MAP_KEY_MAX - 1] = (uint8_t)i;
		assert_int_equal(*dnsyn_map_find(&m, key), i + 1000);
	}
	dnsyn_map_free(&m);
}

static void
test_map_hash_bytes(void **state)
{
	uint8_t buf[64];
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	/* deterministic, seeded, length and content sensitive */
	assert_true(dnsyn_hash_bytes(buf, 16, 0) == dnsyn_hash_bytes(buf, 16, 0));
	assert_true(dnsyn_hash_bytes(buf, 16, 0) != dnsyn_hash_bytes(buf, 16, 1));
	for (i = 0; i < 24; i++)
		for (j = i + 1; j < 24; j++)
			assert_true(dnsyn_hash_bytes(buf, i, 0) != dnsyn_hash_bytes(buf, j, 0));
	for (i = 0; i < 40; i++) {
		uint64_t h = dnsyn_hash_bytes(buf, 40, 9);

		buf[i] ^= 1;
		assert_true(h != dnsyn_hash_bytes(buf, 40, 9));
		buf[i] ^= 1;
	}
	/* trailing bytes beyond len are not read */
	{
		uint8_t *b = malloc(5);

		assert_non_null(b);
		memcpy(b, "abcde", 5);
		(void)dnsyn_hash_bytes(b, 5, 0);
		free(b);
	}
}

/* Answers whose A RRs come packed, up to four to an ADDR event
 * (DNSYN_EVF_ADDR_V4N, the RX lcore's form with one shard), give the tables
 * one event per address gives: random answers (A and AAAA RRs mixed, so that
 * packs break at AAAA), SYNs to their addresses and to others, repeats, both
 * key modes, the packed side with its prefetches. */
static void
test_paper_packed_addrs(void **state)
{
	unsigned int mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60, .key_client = (uint8_t)mode};
		struct dnsyn_paper *one = dnsyn_paper_create(&cfg), *packed = dnsyn_paper_create(&cfg);
		const struct dnsyn_paper_stats *a, *b;
		uint64_t ts = T0, st = 99 + mode;
		uint8_t seen[64][16]; /* the latest addresses answered */
		uint32_t answer = 0, n_seen = 0, i;

		assert_non_null(one);
		assert_non_null(packed);
		for (i = 0; i < 20000; i++) {
			uint64_t r = tp_xorshift(&st);
			uint8_t c[16], x[16];

			ts += r % (20 * MS);
			tp_v4m(c, 0x0a000000u | (uint32_t)(r >> 40) % 64);
			if (r % 3 == 0) { /* an answer of 1..9 RRs, some AAAA */
				unsigned int n = 1 + (r >> 8) % 9, k;
				struct dnsyn_event pk;

				answer++;
				memset(&pk, 0, sizeof(pk));
				for (k = 0; k <= n; k++) {
					uint64_t q = tp_xorshift(&st);
					int v6 = k < n && q % 4 == 0;

					if (k == n || v6 || pk.u.addr.n_v4 == DNSYN_EV_V4N_MAX) {
						if (pk.u.addr.n_v4) { /* the pack so far */
							dnsyn_paper_prefetch(packed, &pk);
							dnsyn_paper_event(packed, &pk);
						}
						memset(&pk, 0, sizeof(pk));
					}
					if (k == n)
						break;
					memset(x, 0, 16);
					if (v6) {
						x[0] = 0x20;
						x[15] = (uint8_t)q;
					} else {
						x[10] = x[11] = 0xff;
						x[12] = 10;
						x[15] = (uint8_t)(q >> 8);
						x[14] = (uint8_t)(q >> 16) % 4;
					}
					memcpy(seen[n_seen++ % 64], x, 16);
					ev_addr_n(one, ts, c, x, v6, 0, answer);
					if (v6) {
						ev_addr_n(packed, ts, c, x, 1, 0, answer);
						continue;
					}
					pk.ts_ns = ts;
					pk.type = DNSYN_EV_ADDR;
					pk.flags = DNSYN_EVF_ADDR_V4N;
					pk.sport = 53;
					pk.dport = 40000;
					pk.u.addr.answer = answer;
					memcpy(pk.src, c, 16);
					memcpy(pk.dst + 4 * pk.u.addr.n_v4++, x + 12, 4);
				}
			} else { /* a SYN, to an answered address or not */
				struct dnsyn_event ev;

				memset(&ev, 0, sizeof(ev));
				ev.ts_ns = ts;
				ev.type = DNSYN_EV_SYN;
				ev.sport = (uint16_t)(1024 + r % 4);
				ev.dport = 80;
				ev.u.tcp.seq = (uint32_t)(r >> 20) % 8;
				memcpy(ev.src, c, 16);
				memset(ev.dst, 0, 16);
				if (n_seen && (r >> 4) % 4) {
					memcpy(ev.dst, seen[(r >> 12) % DNSYN_MIN(n_seen, 64u)], 16);
				} else {
					ev.dst[10] = ev.dst[11] = 0xff;
					ev.dst[12] = 11;
				}
				ev.flags = ev.dst[10] ? 0 : DNSYN_EVF_V6;
				dnsyn_paper_event(one, &ev);
				dnsyn_paper_prefetch(packed, &ev);
				dnsyn_paper_event(packed, &ev);
			}
		}
		a = dnsyn_paper_stats(one);
		b = dnsyn_paper_stats(packed);
		assert_true(a->addr_events > 10000);
		assert_int_equal(a->addr_events, b->addr_events);
		assert_int_equal(a->pending_expired, b->pending_expired);
		assert_same_stats(a, b);
		print_message("packed addrs (key mode %u): %" PRIu64 " addresses, %" PRIu64
			      " SYNs, matched v4 %" PRIu64 " v6 %" PRIu64 "\n", mode, a->addr_events,
			      a->total_syn, a->fam[DNSYN_FAM_V4].var[mode].matched_syns,
			      a->fam[DNSYN_FAM_V6].var[mode].matched_syns);
		assert_true(a->fam[DNSYN_FAM_V4].var[mode].matched_syns > 1000);
		assert_true(a->fam[DNSYN_FAM_V6].var[mode].matched_syns > 100);
		dnsyn_paper_destroy(one);
		dnsyn_paper_destroy(packed);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paper_create_rejects_bad_config),
		cmocka_unit_test(test_paper_empty),
		cmocka_unit_test(test_paper_match_within_window),
		cmocka_unit_test(test_paper_match_at_zero_delay),
		cmocka_unit_test(test_paper_match_at_exactly_one_second),
		cmocka_unit_test(test_paper_no_match_one_second_plus_1ns),
		cmocka_unit_test(test_paper_hist_bin_edges),
		cmocka_unit_test(test_paper_wider_window_clamps_to_last_bin),
		cmocka_unit_test(test_paper_syn_before_answer_in_file),
		cmocka_unit_test(test_paper_syn_earlier_timestamp_than_answer),
		cmocka_unit_test(test_paper_two_answers_one_syn),
		cmocka_unit_test(test_paper_one_answer_two_syns),
		cmocka_unit_test(test_paper_answer_with_duplicate_a_records),
		cmocka_unit_test(test_paper_dst_only_vs_dst_and_client),
		cmocka_unit_test(test_paper_one_syn_answers_of_different_clients),
		cmocka_unit_test(test_paper_client_key),
		cmocka_unit_test(test_paper_aaaa_vs_ipv6_syn),
		cmocka_unit_test(test_paper_ipv4_syn_does_not_match_v4mapped_aaaa),
		cmocka_unit_test(test_paper_mixed_answer_a_and_aaaa),
		cmocka_unit_test(test_paper_syn_unique_and_retransmissions),
		cmocka_unit_test(test_paper_syn_set_spans_and_bound),
		cmocka_unit_test(test_paper_retransmitted_syn_is_a_distinct_packet),
		cmocka_unit_test(test_paper_synack_count),
		cmocka_unit_test(test_paper_answer_counters_and_rcodes),
		cmocka_unit_test(test_paper_queries_per_client_buckets),
		cmocka_unit_test(test_paper_qpc_other_bucket_size),
		cmocka_unit_test(test_paper_addr_names_its_answer),
		cmocka_unit_test(test_paper_interleaved_queues_keep_their_answer),
		cmocka_unit_test(test_paper_new_answer_replaces_current),
		cmocka_unit_test(test_paper_expiry_keeps_memory_bounded),
		cmocka_unit_test(test_paper_expiry_without_syns_many_addrs),
		cmocka_unit_test(test_paper_queue_ids_full_range),
		cmocka_unit_test(test_paper_random_stream_matches_reference),
		cmocka_unit_test(test_map_init_rejects_bad_key_size),
		cmocka_unit_test(test_map_grow_find_next),
		cmocka_unit_test(test_map_tag_presized_clear),
		cmocka_unit_test(test_map_clear_epochs),
		cmocka_unit_test(test_map_next_empty_and_null_ret_new),
		cmocka_unit_test(test_map_max_count_refusal),
		cmocka_unit_test(test_map_colliding_keys_distinct),
		cmocka_unit_test(test_map_hash_bytes),
		cmocka_unit_test(test_paper_packed_addrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
