/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the report: top-ports ordering (count desc, port asc),
 * address formatting, the JSON report (checked by a small validating parser
 * that also looks values up by path, so every number is compared with what the
 * README definitions give for a hand-built event stream), the text report, and
 * stream errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_test_util.h"
#include "dnsyn_compiler.h"
#include "dnsyn_event.h"
#include "dnsyn_paper.h"
#include "dnsyn_report.h"

#define S DNSYN_NS_PER_S
#define MS DNSYN_NS_PER_MS
#define T0_S 1582454830ULL /* epoch seconds; its 60 s bucket is 1582454820 */
#define T0 (T0_S * S)

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define CLIENT IP4(192, 168, 1, 10)
#define OTHER IP4(192, 168, 1, 77)
#define RESOLVER IP4(192, 168, 1, 1)
#define WEB IP4(93, 184, 216, 34)
#define WEB2 IP4(93, 184, 216, 35)
#define SSH IP4(10, 0, 0, 1)

/* ------------------------------------------------------------ tiny JSON parser */

static const char *
js_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Past the string starting at s ('"'), or NULL. */
static const char *
js_string(const char *s)
{
	if (*s != '"')
		return NULL;
	for (s++; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				if (!is_hex(s[1]) || !is_hex(s[2]) || !is_hex(s[3]) || !is_hex(s[4]))
					return NULL;
				s += 4;
			} else if (!strchr("\"\\/bfnrt", *s) || *s == '\0') {
				return NULL;
			}
		}
	}
	return s + 1;
}

static const char *
js_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return NULL;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return NULL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return NULL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return s;
}

static const char *js_value(const char *s, int depth);

/* Objects: keys must be unique (a duplicated key is a writer bug). */
static const char *
js_object(const char *s, int depth)
{
	const char *keys[256];
	size_t klen[256], nk = 0, i;

	s = js_ws(s + 1);
	if (*s == '}')
		return s + 1;
	for (;;) {
		const char *k = s, *e = js_string(s);

		if (e == NULL)
			return NULL;
		for (i = 0; i < nk; i++)
			if (klen[i] == (size_t)(e - k) && memcmp(keys[i], k, klen[i]) == 0)
				return NULL;
		if (nk < 256) {
			keys[nk] = k;
			klen[nk++] = (size_t)(e - k);
		}
		s = js_ws(e);
		if (*s != ':')
			return NULL;
		s = js_value(js_ws(s + 1), depth + 1);
		if (s == NULL)
			return NULL;
		s = js_ws(s);
		if (*s == '}')
			return s + 1;
		if (*s != ',')
			return NULL;
		s = js_ws(s + 1);
	}
}

static const char *
js_array(const char *s, int depth)
{
	s = js_ws(s + 1);
	if (*s == ']')
		return s + 1;
	for (;;) {
		s = js_value(s, depth + 1);
		if (s == NULL)
			return NULL;
		s = js_ws(s);
		if (*s == ']')
			return s + 1;
		if (*s != ',')
			return NULL;
		s = js_ws(s + 1);
	}
}

static const char *
js_value(const char *s, int depth)
{
	s = js_ws(s);
	if (depth > 32)
		return NULL;
	switch (*s) {
	case '{':
		return js_object(s, depth);
	case '[':
		return js_array(s, depth);
	case '"':
		return js_string(s);
	case 't':
		return strncmp(s, "true", 4) ? NULL : s + 4;
	case 'f':
		return strncmp(s, "false", 5) ? NULL : s + 5;
	case 'n':
		return strncmp(s, "null", 4) ? NULL : s + 4;
	default:
		return js_number(s);
	}
}

/* 1 when the whole text is exactly one JSON value. */
static int
js_valid(const char *doc)
{
	const char *e = js_value(doc, 0);

	return e != NULL && *js_ws(e) == '\0';
}

/* The value at @p path ("a/b/3/c": object keys, array indexes), or NULL. */
static const char *
js_get(const char *doc, const char *path)
{
	const char *v = js_ws(doc);

	while (*path) {
		const char *slash = strchr(path, '/');
		size_t seg = slash ? (size_t)(slash - path) : strlen(path);

		if (*v == '{') {
			const char *s = js_ws(v + 1);
			int found = 0;

			while (*s == '"') {
				const char *kb = s + 1, *e = js_string(s);
				size_t kl;

				if (e == NULL)
					return NULL;
				kl = (size_t)(e - 1 - kb); /* raw key: no escapes in queried keys */
				s = js_ws(e);
				if (*s != ':')
					return NULL;
				s = js_ws(s + 1);
				if (kl == seg && memcmp(kb, path, seg) == 0) {
					v = s;
					found = 1;
					break;
				}
				s = js_value(s, 0);
				if (s == NULL)
					return NULL;
				s = js_ws(s);
				if (*s == ',')
					s = js_ws(s + 1);
			}
			if (!found)
				return NULL;
		} else if (*v == '[') {
			char *end;
			unsigned long idx = strtoul(path, &end, 10), i;
			const char *s = js_ws(v + 1);

			if ((size_t)(end - path) != seg || *s == ']')
				return NULL;
			for (i = 0; i < idx; i++) {
				s = js_value(s, 0);
				if (s == NULL)
					return NULL;
				s = js_ws(s);
				if (*s != ',')
					return NULL;
				s = js_ws(s + 1);
			}
			v = s;
		} else {
			return NULL;
		}
		path += seg + (slash ? 1 : 0);
	}
	return v;
}

static uint64_t
js_u64_at(const char *doc, const char *path, int line)
{
	const char *v = js_get(doc, path);
	char *end;
	unsigned long long x;

	if (v == NULL)
		fail_msg("line %d: no JSON value at '%s'", line, path);
	if (!(*v >= '0' && *v <= '9'))
		fail_msg("line %d: '%s' is not an unsigned integer: %.20s", line, path, v);
	x = strtoull(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E')
		fail_msg("line %d: '%s' is not an integer", line, path);
	return x;
}

#define JU(doc, path) js_u64_at((doc), (path), __LINE__)

static size_t
js_len(const char *doc, const char *path)
{
	const char *v = js_get(doc, path), *s;
	size_t n = 0;

	assert_non_null(v);
	assert_true(*v == '[' || *v == '{');
	s = js_ws(v + 1);
	if (*s == ']' || *s == '}')
		return 0;
	for (;;) {
		if (*v == '{') {
			s = js_string(s);
			assert_non_null(s);
			s = js_ws(js_ws(s) + 1);
		}
		s = js_value(s, 0);
		assert_non_null(s);
		n++;
		s = js_ws(s);
		if (*s != ',')
			return n;
		s = js_ws(s + 1);
	}
}

/* Decode the JSON string at path into out (\uXXXX must be < 0x100). */
static void
js_str(const char *doc, const char *path, char *out, size_t outlen)
{
	const char *v = js_get(doc, path);
	size_t w = 0;

	assert_non_null(v);
	assert_int_equal(*v, '"');
	for (v++; *v != '"'; v++) {
		char c = *v;

		if (c == '\\') {
			v++;
			switch (*v) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				char hex[5] = {v[1], v[2], v[3], v[4], 0};

				c = (char)strtoul(hex, NULL, 16);
				v += 4;
				break;
			}
			default: c = *v; break;
			}
		}
		assert_true(w + 1 < outlen);
		out[w++] = c;
	}
	out[w] = '\0';
}

static void
test_report_json_parser_self_check(void **state)
{
	(void)state;
	assert_true(js_valid("{\"a\": [1, 2, {\"b\": -0.5e3}], \"c\": \"x\\\"y\\u0001\", \"d\": null}"));
	assert_false(js_valid("{\"a\": 1,}"));
	assert_false(js_valid("{\"a\": 1, \"a\": 2}"));
	assert_false(js_valid("[1 2]"));
	assert_false(js_valid("[01]"));
	assert_false(js_valid("\"\x01\""));
	assert_false(js_valid("{\"a\": 1} x"));
	assert_false(js_valid("{\"a\" 1}"));
	assert_int_equal(JU("{\"a\": {\"b\": [5, [6, 7]]}}", "a/b/1/1"), 7);
	assert_int_equal(JU("{\"x.y\": {\"1\": 9}}", "x.y/1"), 9);
	assert_null(js_get("{\"a\": 1}", "b"));
	assert_null(js_get("[1]", "1"));
	assert_int_equal(js_len("{\"a\": [1, [2], {}], \"b\": {}}", "a"), 3);
	assert_int_equal(js_len("{\"a\": [1, [2], {}], \"b\": {}}", "b"), 0);
}

/* ------------------------------------------------------------ event helpers */

static void
feed(struct dnsyn_paper *p, uint8_t type, uint64_t ts, const uint8_t src[16],
     const uint8_t dst[16], uint8_t flags, uint16_t dport, uint32_t seq)
{
	struct dnsyn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = type;
	ev.flags = flags;
	ev.sport = 40000;
	ev.dport = dport;
	ev.u.tcp.seq = seq;
	memcpy(ev.src, src, 16);
	memcpy(ev.dst, dst, 16);
	dnsyn_paper_event(p, &ev);
}

static void
answer(struct dnsyn_paper *p, uint64_t ts, const uint8_t client[16], uint8_t rcode,
       uint8_t flags, const uint8_t (*addrs)[16], unsigned int n, int aaaa)
{
	static uint32_t n_answers; /* ADDR events name their answer by number */
	struct dnsyn_event ev;
	unsigned int i;

	n_answers++;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.type = DNSYN_EV_ANSWER;
	ev.flags = flags;
	ev.rcode = rcode;
	ev.sport = 53;
	ev.u.dns.n_a = aaaa ? 0 : (uint16_t)n;
	ev.u.dns.n_aaaa = aaaa ? (uint16_t)n : 0;
	tp_v4m(ev.src, RESOLVER);
	memcpy(ev.dst, client, 16);
	dnsyn_paper_event(p, &ev);
	for (i = 0; i < n; i++)
		feed(p, DNSYN_EV_ADDR, ts, client, addrs[i], aaaa ? DNSYN_EVF_ADDR_V6 : 0, 40000,
		     n_answers); /* u.tcp.seq is u.addr.answer */
}

static void
syn4(struct dnsyn_paper *p, uint64_t ts, uint32_t src, uint32_t dst, uint16_t dport,
     uint32_t seq)
{
	uint8_t s[16], d[16];

	tp_v4m(s, src);
	tp_v4m(d, dst);
	feed(p, DNSYN_EV_SYN, ts, s, d, 0, dport, seq);
}

/*
 * The reference stream (window 1 s):
 *   queries: CLIENT x2 and C6 x1 at T0, CLIENT at T0+60 s (next bucket)
 *   answers at T0: A1 (CLIENT: WEB twice), A2 (CLIENT: WEB2), NXDOMAIN (CLIENT),
 *                  AAAA (C6 over IPv6: A6)
 *   SYNs: CLIENT->WEB:443 +25 ms (A1, both variants)
 *         OTHER->WEB2:80  +30 ms (A2, dst only)
 *         CLIENT->WEB2:80 +40 ms (A2, dst+client)
 *         CLIENT->SSH:22  +50 ms, +1 s, +3 s (one SYN retransmitted: unique 1)
 *         C6->A6:443      +60 ms (AAAA, both variants)
 *   SYN-ACK WEB->CLIENT +26 ms
 */
static struct dnsyn_paper *
reference_paper(void)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	uint8_t c[16], c6[16], r6[16], web[2][16], web2[1][16], a6[1][16], s[16], d[16];

	assert_non_null(p);
	tp_v4m(c, CLIENT);
	tp_v6a(c6, 0x10);
	tp_v6a(r6, 0x53);
	tp_v4m(web[0], WEB);
	tp_v4m(web[1], WEB);
	tp_v4m(web2[0], WEB2);
	tp_v6a(a6[0], 0x443);
	tp_v4m(d, RESOLVER);
	feed(p, DNSYN_EV_QUERY, T0, c, d, 0, 53, 0);
	feed(p, DNSYN_EV_QUERY, T0, c, d, 0, 53, 0);
	feed(p, DNSYN_EV_QUERY, T0, c6, r6, DNSYN_EVF_V6, 53, 0);
	answer(p, T0, c, 0, 0, web, 2, 0);
	answer(p, T0, c, 0, 0, web2, 1, 0);
	answer(p, T0, c, 3, 0, NULL, 0, 0);
	answer(p, T0, c6, 0, DNSYN_EVF_V6, a6, 1, 1);
	syn4(p, T0 + 25 * MS, CLIENT, WEB, 443, 1);
	tp_v4m(s, WEB);
	feed(p, DNSYN_EV_SYNACK, T0 + 26 * MS, s, c, 0, 40000, 77);
	syn4(p, T0 + 30 * MS, OTHER, WEB2, 80, 2);
	syn4(p, T0 + 40 * MS, CLIENT, WEB2, 80, 3);
	syn4(p, T0 + 50 * MS, CLIENT, SSH, 22, 4);
	feed(p, DNSYN_EV_SYN, T0 + 60 * MS, c6, a6[0], DNSYN_EVF_V6, 443, 5);
	syn4(p, T0 + S, CLIENT, SSH, 22, 4);
	syn4(p, T0 + 3 * S, CLIENT, SSH, 22, 4);
	feed(p, DNSYN_EV_QUERY, T0 + 60 * S, c, d, 0, 53, 0);
	return p;
}

static char *
json_of(const struct dnsyn_paper *p, const struct dnsyn_report_input *in)
{
	/* static: GCC's -Wdangling-pointer takes the memstream buffer for a local */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(dnsyn_report_json(f, p, in), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	if (!js_valid(buf))
		fail_msg("report is not valid JSON:\n%s", buf);
	return buf;
}

static char *
text_of(const struct dnsyn_paper *p, const struct dnsyn_report_input *in)
{
	/* static: GCC's -Wdangling-pointer takes the memstream buffer for a local */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);

	assert_non_null(f);
	dnsyn_report_text(f, p, in);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* ------------------------------------------------------------ top ports */

static uint64_t counts[65536];

static void
test_report_top_ports_order(void **state)
{
	uint32_t port[10];
	uint64_t cnt[10];
	unsigned int n;

	(void)state;
	memset(counts, 0, sizeof(counts));
	counts[443] = 10;
	counts[80] = 10;
	counts[8080] = 10;
	counts[22] = 3;
	counts[1] = 1;
	counts[65535] = 5;
	counts[0] = 4;
	n = dnsyn_report_top_ports(counts, 10, port, cnt);
	assert_int_equal(n, 7);
	assert_int_equal(port[0], 80);
	assert_int_equal(port[1], 443);
	assert_int_equal(port[2], 8080);
	assert_int_equal(port[3], 65535);
	assert_int_equal(port[4], 0);
	assert_int_equal(port[5], 22);
	assert_int_equal(port[6], 1);
	assert_int_equal(cnt[0], 10);
	assert_int_equal(cnt[3], 5);
	assert_int_equal(cnt[4], 4);
	assert_int_equal(cnt[6], 1);
	/* max 1: the highest count, lowest port among ties */
	n = dnsyn_report_top_ports(counts, 1, port, cnt);
	assert_int_equal(n, 1);
	assert_int_equal(port[0], 80);
	assert_int_equal(cnt[0], 10);
	/* max 3: exactly the three tied ports */
	n = dnsyn_report_top_ports(counts, 3, port, cnt);
	assert_int_equal(n, 3);
	assert_int_equal(port[2], 8080);
}

static void
test_report_top_ports_ties_cut_at_max(void **state)
{
	uint32_t port[10];
	uint64_t cnt[10];
	unsigned int n, i;

	(void)state;
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < 12; i++)
		counts[60000 - i * 1000] = 7; /* 49000, 50000, ..., 60000 */
	counts[65000] = 8;
	n = dnsyn_report_top_ports(counts, 10, port, cnt);
	assert_int_equal(n, 10);
	assert_int_equal(port[0], 65000);
	for (i = 1; i < 10; i++) {
		assert_int_equal(port[i], 49000 + (i - 1) * 1000);
		assert_int_equal(cnt[i], 7);
	}
}

static void
test_report_top_ports_empty(void **state)
{
	uint32_t port[10];
	uint64_t cnt[10];

	(void)state;
	memset(counts, 0, sizeof(counts));
	assert_int_equal(dnsyn_report_top_ports(counts, 10, port, cnt), 0);
}

static uint64_t rng_state = 0x6a09e667f3bcc909ULL;

static uint32_t
rng(void)
{
	return tp_xorshift(&rng_state);
}

static int
ref_cmp(const void *a, const void *b)
{
	uint32_t pa = *(const uint32_t *)a, pb = *(const uint32_t *)b;

	if (counts[pa] != counts[pb])
		return counts[pa] > counts[pb] ? -1 : 1;
	return pa < pb ? -1 : pa > pb;
}

static void
test_report_top_ports_matches_sort(void **state)
{
	static const unsigned int maxes[] = {1, 2, 10, 100, 5000};
	static uint32_t ref[65536], port[5000];
	static uint64_t cnt[5000];
	unsigned int round, i, nz, m;

	(void)state;
	for (round = 0; round < 6; round++) {
		memset(counts, 0, sizeof(counts));
		nz = 0;
		for (i = 0; i < 65536; i++) {
			if (rng() % (round + 2) == 0)
				counts[i] = rng() % (round < 3 ? 5 : 100000);
		}
		for (i = 0; i < 65536; i++)
			if (counts[i])
				ref[nz++] = i;
		qsort(ref, nz, sizeof(ref[0]), ref_cmp);
		for (m = 0; m < DNSYN_ARRAY_SIZE(maxes); m++) {
			unsigned int n = dnsyn_report_top_ports(counts, maxes[m], port, cnt);

			assert_int_equal(n, DNSYN_MIN(nz, maxes[m]));
			for (i = 0; i < n; i++) {
				assert_int_equal(port[i], ref[i]);
				assert_int_equal(cnt[i], counts[ref[i]]);
			}
		}
	}
}

/*
 * Was a bug (dnsyn_report.c dnsyn_report_top_ports): with max == 0 and any non-zero
 * count, `n == max && c <= ret_count[n - 1]` reads ret_count[-1], and when that
 * garbage is smaller than c, `i = max - 1` (UINT_MAX) makes the insertion loop
 * read and write ret_count[UINT_MAX - 1 ...]: out-of-bounds access. Expected:
 * return 0 and touch nothing. Not reachable from the JSON/text writers (they
 * pass 10 or 65536), but it is a public function.
 */
static void
test_report_top_ports_max_zero(void **state)
{
	uint32_t port[2] = {0xdead, 0xdead};
	uint64_t cnt[2] = {0xbeef, 0xbeef};

	(void)state;
	memset(counts, 0, sizeof(counts));
	counts[443] = 1;
	assert_int_equal(dnsyn_report_top_ports(counts, 0, port + 1, cnt + 1), 0);
	assert_int_equal(port[0], 0xdead);
	assert_int_equal(cnt[0], 0xbeef);
}

/* ------------------------------------------------------------ addresses */

static void
test_report_addr_format(void **state)
{
	uint8_t a[16];
	char buf[64];

	(void)state;
	tp_v4m(a, WEB);
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_equal(buf, "93.184.216.34");
	tp_v4m(a, 0);
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0");
	tp_v6a(a, 1);
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::1");
	memset(a, 0, 16);
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_equal(buf, "::");
	memset(a, 0xff, 16);
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* ::ffff:0:1.2.3.4 style (SIIT) is not v4-mapped */
	tp_v4m(a, IP4(1, 2, 3, 4));
	a[9] = 1;
	dnsyn_report_addr(a, buf, sizeof(buf));
	assert_string_not_equal(buf, "1.2.3.4");
}

/* ------------------------------------------------------------ JSON */

static const char *const files2[] = {"a.pcap", "we\"ird\\na\tme\x01\x1f\x7f.pcap"};
static const int links2[] = {1, 113};
static const struct dnsyn_report_counter counters3[] = {
	{"rx", "pkts", 100},
	{"drop", "trunc_l2", 0},
	{"dns", "short_msgs", 7},
};

static void
test_report_json_reference_numbers(void **state)
{
	struct dnsyn_paper *p = reference_paper();
	struct dnsyn_report_input in = {
		.files = files2,
		.n_files = 2,
		.linktypes = links2,
		.window_ns = S,
		.first_ts_ns = T0,
		.last_ts_ns = T0 + 60 * S,
		.counters = counters3,
		.n_counters = 3,
	};
	char *j, name[64];
	unsigned int i;

	(void)state;
	j = json_of(p, &in);
	assert_int_equal(strncmp(js_get(j, "generator"), "\"dnsyn\"", 7), 0);
	/* input */
	assert_int_equal(js_len(j, "input/files"), 2);
	js_str(j, "input/files/0", name, sizeof(name));
	assert_string_equal(name, "a.pcap");
	js_str(j, "input/files/1", name, sizeof(name));
	assert_string_equal(name, files2[1]);
	assert_int_equal(JU(j, "input/linktypes/0"), 1);
	assert_int_equal(JU(j, "input/linktypes/1"), 113);
	assert_int_equal(JU(j, "input/window_ns"), S);
	assert_int_equal(JU(j, "input/first_ts_ns"), T0);
	assert_int_equal(JU(j, "input/last_ts_ns"), T0 + 60 * S);
	/* table 1 */
	assert_int_equal(JU(j, "paper/table1/dns_answers"), 4);
	assert_int_equal(JU(j, "paper/table1/answers_with_A"), 2);
	assert_int_equal(JU(j, "paper/table1/total_A_RRs"), 3);
	/* table 2 */
	assert_int_equal(JU(j, "paper/table2/total_syn"), 7);
	assert_int_equal(JU(j, "paper/table2/syn_unique"), 5);
	assert_int_equal(JU(j, "paper/table2/synack"), 1);
	assert_int_equal(JU(j, "paper/table2/matched_dst_only"), 2);
	assert_int_equal(JU(j, "paper/table2/matched_answers_dst_only"), 2);
	assert_int_equal(JU(j, "paper/table2/matched_dst_and_client"), 2);
	assert_int_equal(JU(j, "paper/table2/matched_answers_dst_and_client"), 2);
	/* table 3: all SYNs, v4 + v6 */
	assert_int_equal(js_len(j, "paper/table3_top10_syn_dports"), 3);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/0/0"), 22);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/0/1"), 3);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/1/0"), 80);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/1/1"), 2);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/2/0"), 443);
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/2/1"), 2);
	assert_int_equal(js_len(j, "paper/table3_top10_syn_dports/2"), 2);
	/* table 4: distinct matched SYNs per variant (IPv4) */
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_only"), 2);
	assert_int_equal(JU(j, "paper/table4_matched_syn_dports/dst_only/0/0"), 80);
	assert_int_equal(JU(j, "paper/table4_matched_syn_dports/dst_only/0/1"), 1);
	assert_int_equal(JU(j, "paper/table4_matched_syn_dports/dst_only/1/0"), 443);
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_and_client"), 2);
	assert_int_equal(JU(j, "paper/table4_matched_syn_dports/dst_and_client/1/0"), 443);
	assert_int_equal(JU(j, "paper/table4_matched_syn_dports/dst_and_client/1/1"), 1);
	/* histograms */
	assert_int_equal(JU(j, "paper/delay_hist_10ms/bin_width_ms"), 10);
	assert_int_equal(js_len(j, "paper/delay_hist_10ms/dst_only"), DNSYN_HIST_BINS);
	assert_int_equal(js_len(j, "paper/delay_hist_10ms/dst_and_client"), DNSYN_HIST_BINS);
	for (i = 0; i < DNSYN_HIST_BINS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "paper/delay_hist_10ms/dst_only/%u", i);
		assert_int_equal(JU(j, path), i == 2 || i == 3);
		snprintf(path, sizeof(path), "paper/delay_hist_10ms/dst_and_client/%u", i);
		assert_int_equal(JU(j, path), i == 2 || i == 4);
	}
	/* AAAA extension */
	assert_int_equal(JU(j, "paper/aaaa_extension/answers_with_AAAA"), 1);
	assert_int_equal(JU(j, "paper/aaaa_extension/total_AAAA_RRs"), 1);
	assert_int_equal(JU(j, "paper/aaaa_extension/matched_syns_dst_only"), 1);
	assert_int_equal(JU(j, "paper/aaaa_extension/matched_answers_dst_only"), 1);
	assert_int_equal(JU(j, "paper/aaaa_extension/matched_syns_dst_and_client"), 1);
	assert_int_equal(JU(j, "paper/aaaa_extension/matched_answers_dst_and_client"), 1);
	/* queries and rcodes */
	assert_int_equal(JU(j, "paper/dns_queries"), 4);
	assert_int_equal(js_len(j, "paper/dns_rcodes"), 2);
	assert_int_equal(JU(j, "paper/dns_rcodes/0"), 3);
	assert_int_equal(JU(j, "paper/dns_rcodes/3"), 1);
	/* queries per client */
	assert_int_equal(JU(j, "paper/queries_per_client/bucket_s"), 60);
	assert_int_equal(JU(j, "paper/queries_per_client/clients"), 2);
	assert_int_equal(js_len(j, "paper/queries_per_client/counts"), 2);
	assert_int_equal(js_len(j, "paper/queries_per_client/counts/192.168.1.10"), 2);
	assert_int_equal(JU(j, "paper/queries_per_client/counts/192.168.1.10/1582454820"), 2);
	assert_int_equal(JU(j, "paper/queries_per_client/counts/192.168.1.10/1582454880"), 1);
	assert_int_equal(js_len(j, "paper/queries_per_client/counts/2001:db8::10"), 1);
	assert_int_equal(JU(j, "paper/queries_per_client/counts/2001:db8::10/1582454820"), 1);
	/* detail */
	assert_int_equal(JU(j, "detail/syn_ipv4"), 6);
	assert_int_equal(JU(j, "detail/syn_ipv6"), 1);
	assert_int_equal(JU(j, "detail/answers_tcp"), 0);
	assert_int_equal(JU(j, "detail/answers_from_reassembled_ip_fragments"), 0);
	assert_int_equal(JU(j, "detail/answers_tc"), 0);
	assert_int_equal(JU(j, "detail/answers_ipv6"), 1);
	assert_int_equal(JU(j, "detail/answers_with_CNAME"), 0);
	assert_int_equal(JU(j, "detail/total_CNAME_RRs"), 0);
	assert_int_equal(JU(j, "detail/delay_sum_ns_dst_only"), 55 * MS);
	assert_int_equal(JU(j, "detail/delay_sum_ns_dst_and_client"), 65 * MS);
	assert_int_equal(JU(j, "detail/pending_answer_addrs"), 0);
	assert_int_equal(JU(j, "detail/pending_expired"), 0);
	assert_int_equal(JU(j, "detail/timestamps_going_backwards"), 0);
	/* counters: all of them, zero included, as group.name */
	assert_int_equal(js_len(j, "counters"), 3);
	assert_int_equal(JU(j, "counters/rx.pkts"), 100);
	assert_int_equal(JU(j, "counters/drop.trunc_l2"), 0);
	assert_int_equal(JU(j, "counters/dns.short_msgs"), 7);
	free(j);
	dnsyn_paper_destroy(p);
}

static void
test_report_json_empty(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = 2 * S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	struct dnsyn_report_input in = {.window_ns = 2 * S};
	char *j;
	unsigned int i;

	(void)state;
	assert_non_null(p);
	j = json_of(p, &in);
	assert_int_equal(js_len(j, "input/files"), 0);
	assert_int_equal(js_len(j, "input/linktypes"), 0);
	assert_int_equal(JU(j, "input/window_ns"), 2 * S);
	assert_int_equal(JU(j, "paper/table1/dns_answers"), 0);
	assert_int_equal(JU(j, "paper/table2/total_syn"), 0);
	assert_int_equal(js_len(j, "paper/table3_top10_syn_dports"), 0);
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_only"), 0);
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_and_client"), 0);
	assert_int_equal(js_len(j, "paper/delay_hist_10ms/dst_only"), DNSYN_HIST_BINS);
	for (i = 0; i < DNSYN_HIST_BINS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "paper/delay_hist_10ms/dst_and_client/%u", i);
		assert_int_equal(JU(j, path), 0);
	}
	assert_int_equal(js_len(j, "paper/dns_rcodes"), 0);
	assert_int_equal(JU(j, "paper/queries_per_client/clients"), 0);
	assert_int_equal(js_len(j, "paper/queries_per_client/counts"), 0);
	assert_int_equal(js_len(j, "counters"), 0);
	free(j);
	dnsyn_paper_destroy(p);
}

static void
test_report_json_table4_lists_every_port(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	struct dnsyn_report_input in = {.window_ns = S};
	char *j, path[96];
	unsigned int i;

	(void)state;
	assert_non_null(p);
	/* 15 answers, each followed by a SYN to its own port: table 3 keeps the top
	 * 10, table 4 lists all 15 */
	for (i = 0; i < 15; i++) {
		uint8_t c[16], a[1][16];

		tp_v4m(c, CLIENT);
		tp_v4m(a[0], IP4(10, 1, 0, i));
		answer(p, T0 + i * S, c, 0, 0, a, 1, 0);
		syn4(p, T0 + i * S + MS, CLIENT, IP4(10, 1, 0, i), (uint16_t)(1000 + i), i);
	}
	j = json_of(p, &in);
	assert_int_equal(js_len(j, "paper/table3_top10_syn_dports"), 10);
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_only"), 15);
	assert_int_equal(js_len(j, "paper/table4_matched_syn_dports/dst_and_client"), 15);
	for (i = 0; i < 15; i++) {
		snprintf(path, sizeof(path), "paper/table4_matched_syn_dports/dst_only/%u/0", i);
		assert_int_equal(JU(j, path), 1000 + i);
	}
	assert_int_equal(JU(j, "paper/table3_top10_syn_dports/9/0"), 1009);
	free(j);
	dnsyn_paper_destroy(p);
}

static void
test_report_json_many_qpc_clients(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	struct dnsyn_report_input in = {.window_ns = S};
	uint8_t d[16];
	char *j, path[128];
	unsigned int i, k;

	(void)state;
	assert_non_null(p);
	tp_v4m(d, RESOLVER);
	/* 300 clients x 3 buckets, interleaved so the map order is scrambled */
	for (k = 0; k < 3; k++)
		for (i = 0; i < 300; i++) {
			uint8_t c[16];
			unsigned int r;

			tp_v4m(c, IP4(10, 2, i >> 8, i & 0xff));
			for (r = 0; r <= (i + k) % 4; r++)
				feed(p, DNSYN_EV_QUERY, (T0_S + k * 60) * S, c, d, 0, 53, 0);
		}
	j = json_of(p, &in);
	assert_int_equal(JU(j, "paper/queries_per_client/clients"), 300);
	assert_int_equal(js_len(j, "paper/queries_per_client/counts"), 300);
	for (i = 0; i < 300; i += 37) {
		for (k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "paper/queries_per_client/counts/10.2.%u.%u/%llu",
				 i >> 8, i & 0xff, (unsigned long long)(1582454820ULL + k * 60));
			assert_int_equal(JU(j, path), (i + k) % 4 + 1);
		}
	}
	free(j);
	dnsyn_paper_destroy(p);
}

/*
 * Was a minor bug (dnsyn_report.c json_string): every byte >= 0x7f is written as
 * \u00XX, so a UTF-8 file name such as "caf\xc3\xa9.pcap" comes out as
 * "caf\u00c3\u00a9.pcap", which any JSON reader decodes as "caf" U+00C3 U+00A9
 * (mojibake).
 * Expected: valid UTF-8 passed through (JSON text is UTF-8) or escaped by code
 * point ("caf\u00e9.pcap").
 */
static void
test_report_json_utf8_file_name(void **state)
{
	static const char *const f1[] = {"caf\xc3\xa9.pcap"};
	static const int l1[] = {1};
	struct dnsyn_paper_cfg cfg = {.window_ns = S, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	struct dnsyn_report_input in = {.files = f1, .n_files = 1, .linktypes = l1, .window_ns = S};
	char *j;
	int ok;

	(void)state;
	assert_non_null(p);
	j = json_of(p, &in);
	ok = strstr(j, "\"caf\xc3\xa9.pcap\"") != NULL || strstr(j, "\"caf\\u00e9.pcap\"") != NULL;
	free(j);
	dnsyn_paper_destroy(p);
	assert_true(ok);
}

static void
test_report_json_write_error(void **state)
{
	struct dnsyn_paper *p = reference_paper();
	struct dnsyn_report_input in = {.window_ns = S};
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (f == NULL) {
		dnsyn_paper_destroy(p);
		skip();
	}
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(dnsyn_report_json(f, p, &in), -EIO);
	fclose(f);
	dnsyn_paper_destroy(p);
}

/* ------------------------------------------------------------ text */

/* The number at the end of the line that starts with @p prefix. */
static uint64_t
text_number(const char *t, const char *prefix)
{
	const char *l = strstr(t, prefix), *e;
	unsigned long long v;

	if (l == NULL)
		fail_msg("no line '%s' in:\n%s", prefix, t);
	e = strchr(l, '\n');
	assert_non_null(e);
	while (e > l && e[-1] == ' ')
		e--;
	while (e > l && e[-1] >= '0' && e[-1] <= '9')
		e--;
	assert_int_equal(sscanf(e, "%llu", &v), 1);
	return v;
}

/* Histogram rows "  LO-  HI ms  COUNT ###" after the Fig. 5 title: checks they
 * are contiguous from 0 ms; returns how many, their sum, the last row's count
 * and its upper edge. */
static unsigned int
hist_rows(const char *fig, uint64_t *sum, uint64_t *last, unsigned int *hi)
{
	const char *l = strchr(fig, '\n');
	unsigned int n = 0, expect_lo = 0;

	*sum = *last = 0;
	*hi = 0;
	while (l && l[1]) {
		unsigned int lo, up;
		unsigned long long c;

		l++;
		if (sscanf(l, " %u-%u ms %llu", &lo, &up, &c) != 3)
			break;
		assert_int_equal(lo, expect_lo);
		assert_true(up > lo);
		expect_lo = up;
		*sum += c;
		*last = c;
		*hi = up;
		n++;
		l = strchr(l, '\n');
	}
	return n;
}

static void
test_report_text_reference(void **state)
{
	struct dnsyn_paper *p = reference_paper();
	struct dnsyn_report_input in = {
		.window_ns = S,
		.first_ts_ns = T0,
		.last_ts_ns = T0 + 2500 * MS,
		.counters = counters3,
		.n_counters = 3,
	};
	char *t;

	(void)state;
	t = text_of(p, &in);
	assert_non_null(strstr(t, "answer->SYN window 1.000 s, 2.500 s of traffic"));
	assert_non_null(strstr(t, "Table 1. DNS answers"));
	assert_int_equal(text_number(t, "  DNS answers "), 4);
	assert_int_equal(text_number(t, "  A RRs "), 3);
	assert_int_equal(text_number(t, "  SYNs    "), 7);
	assert_int_equal(text_number(t, "  distinct SYNs "), 5);
	assert_int_equal(text_number(t, "  SYN-ACKs "), 1);
	assert_int_equal(text_number(t, "  answers followed by a SYN "), 2);
	/* 7 SYNs - 2 matched (v4 dst) - 1 matched (v6 dst) */
	assert_int_equal(text_number(t, "  SYNs following no answer "), 4);
	assert_non_null(strstr(t, "Table 3. Top destination ports of all SYNs"));
	assert_non_null(strstr(t, "Table 4."));
	/* Fig. 5: the dst-only histogram; rows (however many bins each sums) start
	 * at 0 ms, are contiguous, end at the last non-empty one and add up to the
	 * matched answers */
	{
		const char *fig = strstr(t, "Fig. 5.");
		uint64_t sum = 0, last = 0;
		unsigned int rows = 0, prev_hi = 0;

		assert_non_null(fig);
		assert_non_null(strstr(fig, " 2 answers"));
		assert_non_null(strstr(fig, "mean 27.5 ms"));
		rows = hist_rows(fig, &sum, &last, &prev_hi);
		assert_true(rows >= 1);
		assert_int_equal(sum, 2);
		assert_true(last > 0);
		assert_true(prev_hi >= 40); /* the 30-40 ms bin is inside the last row */
	}
	assert_non_null(strstr(t, "AAAA extension: 1 answers with 1 AAAA RRs; IPv6 SYNs 1, matched 1 (dst) / 1 (dst+client)"));
	/* counters: non-zero only */
	assert_non_null(strstr(t, "Counters (non-zero)"));
	assert_non_null(strstr(t, "pkts"));
	assert_non_null(strstr(t, "short_msgs"));
	assert_null(strstr(t, "trunc_l2"));
	free(t);
	dnsyn_paper_destroy(p);
}

static void
test_report_text_empty(void **state)
{
	struct dnsyn_paper_cfg cfg = {.window_ns = S / 2, .qpc_bucket_s = 60};
	struct dnsyn_paper *p = dnsyn_paper_create(&cfg);
	struct dnsyn_report_input in = {.window_ns = S / 2};
	char *t, *first;

	(void)state;
	assert_non_null(p);
	t = text_of(p, &in);
	assert_non_null(strstr(t, "answer->SYN window 0.500 s\n"));
	assert_null(strstr(t, "of traffic"));
	first = strstr(t, "(none)");
	assert_non_null(first);
	assert_non_null(strstr(first + 1, "(none)")); /* tables 3 and 4 */
	{
		const char *fig = strstr(t, "Fig. 5.");
		uint64_t sum = 0, last = 0;
		unsigned int hi = 0;

		assert_non_null(fig);
		assert_non_null(strstr(fig, " 0 answers"));
		assert_int_equal(hist_rows(fig, &sum, &last, &hi), 0);
	}
	assert_null(strstr(t, "mean"));
	assert_int_equal(text_number(t, "  DNS answers "), 0);
	free(t);
	dnsyn_paper_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_json_parser_self_check),
		cmocka_unit_test(test_report_top_ports_order),
		cmocka_unit_test(test_report_top_ports_ties_cut_at_max),
		cmocka_unit_test(test_report_top_ports_empty),
		cmocka_unit_test(test_report_top_ports_matches_sort),
		cmocka_unit_test(test_report_top_ports_max_zero),
		cmocka_unit_test(test_report_addr_format),
		cmocka_unit_test(test_report_json_reference_numbers),
		cmocka_unit_test(test_report_json_empty),
		cmocka_unit_test(test_report_json_table4_lists_every_port),
		cmocka_unit_test(test_report_json_many_qpc_clients),
		cmocka_unit_test(test_report_json_utf8_file_name),
		cmocka_unit_test(test_report_json_write_error),
		cmocka_unit_test(test_report_text_reference),
		cmocka_unit_test(test_report_text_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
