/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the interval tables: rolling on packet time, what each
 * interval counts, the hand-over protocol and the JSON line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_test_util.h"
#include "dnsyn_paper.h"
#include "dnsyn_report.h"

#define S 1000000000ULL
#define T0 (1700000000ULL * S) /* 1700000000 is 20 s into a minute */

/* What the callback saw, interval by interval. */
static struct seen {
	uint64_t start_s, answers, syn, matched, synack, queries, unmatched_135, clients;
	uint32_t port443, matched443;
} seen[8];
static unsigned int n_seen;
static struct dnsyn_interval spare;

static struct dnsyn_interval *
cb(void *ud, struct dnsyn_interval *done)
{
	uint64_t *c;
	uint8_t a[16];

	(void)ud;
	assert_true(n_seen < 8);
	seen[n_seen].start_s = done->start_s;
	seen[n_seen].answers = done->dns_answers;
	seen[n_seen].syn = done->syn;
	seen[n_seen].matched = done->matched_syns[0];
	seen[n_seen].synack = done->synack;
	seen[n_seen].queries = done->dns_queries;
	seen[n_seen].port443 = done->syn_dport[443];
	seen[n_seen].matched443 = done->matched_dport[443];
	tp_v4m(a, 0x0a000063); /* the scanner 10.0.0.99 */
	c = dnsyn_map_find(&done->unmatched_clients, a);
	seen[n_seen].unmatched_135 = c ? *c : 0;
	seen[n_seen].clients = done->unmatched_clients.count;
	n_seen++;
	/* Swap buffers, as the app does. */
	{
		struct dnsyn_interval t = spare;

		spare = *done;
		*done = t;
	}
	return done;
}

static void
ev_answer(struct dnsyn_paper *p, uint64_t ts, uint32_t client, uint32_t addr)
{
	struct dnsyn_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.type = DNSYN_EV_ANSWER;
	e.u.dns.n_a = 1;
	tp_v4m(e.src, 0x0a000035);
	tp_v4m(e.dst, client);
	dnsyn_paper_event(p, &e);
	e.type = DNSYN_EV_ADDR;
	tp_v4m(e.src, client);
	tp_v4m(e.dst, addr);
	dnsyn_paper_event(p, &e);
}

static void
ev_tcp(struct dnsyn_paper *p, uint8_t type, uint64_t ts, uint32_t src, uint32_t dst, uint16_t dport)
{
	struct dnsyn_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.type = type;
	e.sport = 40000;
	e.dport = dport;
	tp_v4m(e.src, src);
	tp_v4m(e.dst, dst);
	dnsyn_paper_event(p, &e);
}

static struct dnsyn_paper *
make(struct dnsyn_interval *first)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};

	assert_int_equal(dnsyn_interval_init(first, 60, 1000), 0);
	assert_int_equal(dnsyn_interval_init(&spare, 60, 1000), 0);
	cfg.interval_first = first;
	cfg.interval_cb = cb;
	n_seen = 0;
	return dnsyn_paper_create(&cfg);
}

static void
test_interval_roll_and_counts(void **state)
{
	struct dnsyn_interval first;
	struct dnsyn_paper *p = make(&first);
	struct dnsyn_event q;
	int i;

	(void)state;
	/* Interval [1699999980, 1700000040): an answer, its SYN, a scanner. */
	ev_answer(p, T0, 0x0a000001, 0x5db8d822);
	ev_tcp(p, DNSYN_EV_SYN, T0 + S / 10, 0x0a000001, 0x5db8d822, 443);
	ev_tcp(p, DNSYN_EV_SYNACK, T0 + S / 5, 0x5db8d822, 0x0a000001, 40000);
	for (i = 0; i < 5; i++)
		ev_tcp(p, DNSYN_EV_SYN, T0 + S + (uint64_t)i, 0x0a000063, 0x64400000 + (uint32_t)i, 135);
	/* Next interval: a query, and a late SYN to the old answer (no match). */
	memset(&q, 0, sizeof(q));
	q.type = DNSYN_EV_QUERY;
	q.ts_ns = T0 + 45 * S;
	dnsyn_paper_event(p, &q);
	ev_tcp(p, DNSYN_EV_SYN, T0 + 45 * S, 0x0a000001, 0x5db8d822, 443);
	/* Time going backwards stays in the current interval. */
	ev_tcp(p, DNSYN_EV_SYN, T0 + 30 * S, 0x0a000063, 0x64400009, 135);
	assert_int_equal(n_seen, 1);
	/* An empty minute is skipped, not emitted. */
	ev_tcp(p, DNSYN_EV_SYN, T0 + 200 * S, 0x0a000063, 0x6440000a, 135);
	assert_int_equal(n_seen, 2);
	dnsyn_paper_flush(p);
	assert_int_equal(n_seen, 3);

	assert_int_equal(seen[0].start_s, 1699999980);
	assert_int_equal(seen[0].answers, 1);
	assert_int_equal(seen[0].syn, 6);
	assert_int_equal(seen[0].matched, 1);
	assert_int_equal(seen[0].synack, 1);
	assert_int_equal(seen[0].port443, 1);
	assert_int_equal(seen[0].matched443, 1);
	assert_int_equal(seen[0].unmatched_135, 5);
	assert_int_equal(seen[0].clients, 1);

	assert_int_equal(seen[1].start_s, 1700000040);
	assert_int_equal(seen[1].queries, 1);
	assert_int_equal(seen[1].syn, 2);
	assert_int_equal(seen[1].matched, 0);
	assert_int_equal(seen[1].port443, 1);
	assert_int_equal(seen[1].matched443, 0);
	assert_int_equal(seen[1].unmatched_135, 1);
	assert_int_equal(seen[1].clients, 2);

	assert_int_equal(seen[2].start_s, 1700000160);
	assert_int_equal(seen[2].syn, 1);

	/* Totals agree with the run's tables. */
	assert_int_equal(dnsyn_paper_stats(p)->total_syn,
			 seen[0].syn + seen[1].syn + seen[2].syn);
	dnsyn_paper_destroy(p);
	dnsyn_interval_fini(&first);
	dnsyn_interval_fini(&spare);
}

static void
test_interval_client_bound(void **state)
{
	struct dnsyn_interval iv;
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p;
	uint32_t i;

	(void)state;
	assert_int_equal(dnsyn_interval_init(&iv, 60, 100), 0);
	assert_int_equal(dnsyn_interval_init(&spare, 60, 100), 0);
	cfg.interval_first = &iv;
	cfg.interval_cb = cb;
	n_seen = 0;
	p = dnsyn_paper_create(&cfg);
	/* A spoofed flood: 1000 sources, the map keeps 100 and counts the rest. */
	for (i = 0; i < 1000; i++)
		ev_tcp(p, DNSYN_EV_SYN, T0 + i, 0x0b000000 + i, 0x64400000, 80);
	assert_int_equal(iv.unmatched_clients.count, 100);
	assert_int_equal(iv.unmatched_clients.refused, 900);
	assert_int_equal(iv.syn, 1000);
	dnsyn_paper_destroy(p);
	dnsyn_interval_fini(&iv);
	dnsyn_interval_fini(&spare);
}

/* Per-client records: made on first use, added up across parts, bounded. */
static void
test_interval_client_records(void **state)
{
	struct dnsyn_interval a, b;
	struct dnsyn_iv_client *c;
	uint8_t x[16], y[16];
	uint32_t i;

	(void)state;
	assert_int_equal(dnsyn_interval_init(&a, 60, 16), 0);
	assert_int_equal(dnsyn_interval_init(&b, 60, 16), 0);
	dnsyn_interval_reset(&a, 600);
	dnsyn_interval_reset(&b, 600);
	tp_v4m(x, 0x0a000001);
	tp_v6a(y, 5);
	c = dnsyn_interval_client(&a, x);
	assert_non_null(c);
	c->queries[dnsyn_ivq_of(15)] += 2;
	assert_ptr_equal(dnsyn_interval_client(&a, x), c);
	assert_int_equal(a.n_cl, 1);
	dnsyn_interval_client(&b, x)->nxdomain = 3;
	dnsyn_interval_client(&b, y)->unmatched_syn = 7;
	dnsyn_interval_add(&a, &b);
	assert_int_equal(a.n_cl, 2);
	c = dnsyn_interval_client(&a, x);
	assert_int_equal(c->queries[DNSYN_IVQ_MX], 2);
	assert_int_equal(c->nxdomain, 3);
	assert_int_equal(dnsyn_interval_client(&a, y)->unmatched_syn, 7);
	assert_int_equal(dnsyn_ivq_of(1), DNSYN_IVQ_A);
	assert_int_equal(dnsyn_ivq_of(28), DNSYN_IVQ_AAAA);
	assert_int_equal(dnsyn_ivq_of(12), DNSYN_IVQ_PTR);
	assert_int_equal(dnsyn_ivq_of(16), DNSYN_IVQ_TXT);
	assert_int_equal(dnsyn_ivq_of(255), DNSYN_IVQ_OTHER);
	/* the bound: DNSYN_IV_CLIENTS_MAX records, the rest refused and counted */
	for (i = 0; i < DNSYN_IV_CLIENTS_MAX + 10; i++) {
		uint8_t k[16];

		tp_v4m(k, 0x0b000000 + i);
		dnsyn_interval_client(&b, k);
	}
	assert_int_equal(b.n_cl, DNSYN_IV_CLIENTS_MAX);
	assert_int_equal(b.clients_refused, 12); /* x and y were there already */
	/* a reset empties the records and keeps the memory */
	dnsyn_interval_reset(&b, 660);
	assert_int_equal(b.n_cl, 0);
	assert_int_equal(b.clients_refused, 0);
	assert_null(dnsyn_map_find(&b.clients, x));
	assert_non_null(dnsyn_interval_client(&b, x));
	dnsyn_interval_fini(&a);
	dnsyn_interval_fini(&b);
}

/* The name log: a name comes back for its answer only, never cut in an
 * escape, and an overwritten slot says so. */
static void
test_namelog(void **state)
{
	struct dnsyn_name_slot slots[4];
	struct dnsyn_namelog l = {.s = slots, .mask = 3};
	char out[DNSYN_NAME_MAX], longname[300];
	int trunc = 7, n;

	(void)state;
	memset(slots, 0, sizeof(slots));
	assert_int_equal(dnsyn_namelog_get(&l, 0, out, &trunc), -1); /* never written */
	dnsyn_namelog_put(&l, 5, "www.example.com", 15, 0);
	n = dnsyn_namelog_get(&l, 5, out, &trunc);
	assert_int_equal(n, 15);
	assert_memory_equal(out, "www.example.com", 15);
	assert_int_equal(trunc, 0);
	assert_int_equal(dnsyn_namelog_get(&l, 1, out, &trunc), -1); /* same slot, other answer */
	dnsyn_namelog_put(&l, 9, "a.b", 3, 0); /* 9 & 3 == 5 & 3: overwrites */
	assert_int_equal(dnsyn_namelog_get(&l, 5, out, &trunc), -1);
	assert_int_equal(dnsyn_namelog_get(&l, 9, out, &trunc), 3);
	/* cut to DNSYN_NAME_MAX, backing off an escape that would be split */
	memset(longname, 'x', sizeof(longname));
	memcpy(longname + DNSYN_NAME_MAX - 2, "\\255", 4);
	dnsyn_namelog_put(&l, 2, longname, sizeof(longname), 0);
	n = dnsyn_namelog_get(&l, 2, out, &trunc);
	assert_int_equal(n, DNSYN_NAME_MAX - 2);
	assert_int_equal(trunc, 1);
	memset(longname, 'y', sizeof(longname));
	dnsyn_namelog_put(&l, 3, longname, 200, 0);
	assert_int_equal(dnsyn_namelog_get(&l, 3, out, &trunc), DNSYN_NAME_MAX);
	assert_int_equal(trunc, 1);
}

/* Correlation aggregates: one per (client, server, dport), merged across
 * parts with the name of the part that saw the key first. */
static void
test_interval_corr(void **state)
{
	struct dnsyn_interval a, b;
	uint8_t c1[16], c2[16], srv[16];
	struct dnsyn_corr_match m;

	(void)state;
	assert_int_equal(dnsyn_interval_init(&a, 60, 16), 0);
	assert_int_equal(dnsyn_interval_init(&b, 60, 16), 0);
	dnsyn_interval_reset(&a, 600);
	dnsyn_interval_reset(&b, 600);
	tp_v4m(c1, 0x0a000001);
	tp_v4m(c2, 0x0a000002);
	tp_v4m(srv, 0xc6120001);
	memset(&m, 0, sizeof(m));
	m.client = c1;
	m.server = srv;
	m.dport = 443;
	m.syn_ns = 600500000000ull;
	m.delay_ns = 30000000;
	m.ttl = 300;
	m.name = "late.example";
	m.name_len = 12;
	dnsyn_interval_corr_add(&b, &m);
	m.syn_ns = 600100000000ull;
	m.delay_ns = 10000000;
	m.ttl = 60;
	m.name = "early.example";
	m.name_len = 13;
	dnsyn_interval_corr_add(&a, &m);
	m.syn_ns = 600200000000ull;
	m.delay_ns = 50000000;
	m.name_len = -1; /* name gone */
	dnsyn_interval_corr_add(&a, &m);
	m.client = c2;
	m.dport = 80;
	dnsyn_interval_corr_add(&a, &m);
	assert_int_equal(a.n_co, 2);
	assert_int_equal(a.corr_no_name, 2);
	dnsyn_interval_add(&a, &b);
	assert_int_equal(a.n_co, 2);
	assert_memory_equal(a.co[0].client, c1, 16);
	assert_int_equal(a.co[0].syns, 3);
	assert_int_equal(a.co[0].first_ns, 600100000000ull);
	assert_int_equal(a.co[0].last_ns, 600500000000ull);
	assert_int_equal(a.co[0].delay_min_ns, 10000000);
	assert_int_equal(a.co[0].delay_max_ns, 50000000);
	assert_int_equal(a.co[0].delay_sum_ns, 90000000);
	assert_int_equal(a.co[0].ttl_min, 60);
	assert_int_equal(a.co[0].name_len, 13);
	assert_memory_equal(a.co[0].name, "early.example", 13);
	assert_int_equal(a.co[1].syns, 1);
	assert_int_equal(a.co[1].name_len, 0);
	dnsyn_interval_reset(&a, 660);
	assert_int_equal(a.n_co, 0);
	dnsyn_interval_fini(&a);
	dnsyn_interval_fini(&b);
}

static void
test_interval_jsonl(void **state)
{
	struct dnsyn_interval iv;
	uint8_t a[16];
	uint64_t *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(dnsyn_interval_init(&iv, 60, 10), 0);
	dnsyn_interval_reset(&iv, 1700000040);
	iv.syn = 7;
	iv.syn_dport[135] = 5;
	iv.syn_dport[443] = 2;
	iv.matched_dport[443] = 1;
	tp_v4m(a, 0x0a000063);
	c = dnsyn_map_upsert(&iv.unmatched_clients, a, NULL);
	*c = 6;
	assert_int_equal(dnsyn_report_interval_jsonl(f, &iv, 10, 0), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"record\": \"interval\""));
	assert_non_null(strstr(buf, "\"time\": \"2023-11-14T22:14:00Z\""));
	assert_non_null(strstr(buf, "{\"port\": 135, \"syn\": 5, \"matched\": 0, \"unmatched\": 5}, "
				    "{\"port\": 443, \"syn\": 2, \"matched\": 1, \"unmatched\": 1}"));
	assert_non_null(strstr(buf, "\"top\": [[\"10.0.0.99\", 6]]"));
	assert_int_equal(buf[len - 1], '\n');
	assert_null(memchr(buf, '\n', len - 1)); /* one line */
	free(buf);
	dnsyn_interval_fini(&iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_roll_and_counts),
		cmocka_unit_test(test_interval_client_bound),
		cmocka_unit_test(test_interval_client_records),
		cmocka_unit_test(test_namelog),
		cmocka_unit_test(test_interval_corr),
		cmocka_unit_test(test_interval_jsonl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
