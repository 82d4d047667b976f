/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: IPFIX encode -> decode round trip, and the test decoder.
 *
 * Input: a 9-byte header, then records until the input ends.
 *   [0] bits 0-1 MTU class, bit 2 data records through an interval's tables
 *       (dnsyn_ipfix_from_interval), bit 3 send the RFC 5610 type records,
 *       bits 4-6 PEN choice; 0xc0 set: raw mode (below)
 *   [1-2] MTU bits  [3] observation domain  [4-7] PEN (choice 7)
 *   [8] stop the interval walk after that many records (0: never)
 *   record: a kind byte (corr, port, client, meter, export, counters, alert,
 *   top client), then its fields; numbers are one byte below 0xf8, else
 *   0xf8+n-1 and n bytes.
 * Every record is added to a message of the MTU for its domain (data in the
 * configured one, statistics in 0); a refused record must leave the message
 * untouched and fit the next, empty, one. Each message is decoded by the unit
 * tests' strict decoder (tests/unit/test_ipfix_decode.h, after the templates
 * and RFC 5610 type records, sent the same way) and every record must come
 * back field for field, in order, never over the MTU. Query names (any bytes)
 * and alert strings must come back as printable ASCII (so valid UTF-8) that
 * unescapes to a prefix of the original, cut only where the next character
 * would not fit; floats come back bit for bit.
 * Through an interval, the records handed over must be the tables' contents
 * (clients and correlation aggregates: the per-port walk visits all 65536
 * ports, about a millisecond an input here; unit.ipfix checks it).
 *
 * Raw mode feeds the rest of the input to the decoder as a message stream
 * (fuzz_ipfix_raw.c): it is only used on the encoder's output, but a decoder
 * that misreads malformed bytes would hide encoder bugs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_interval.h"
#include "dnsyn_ipfix.h"
#include "dnsyn_ipfix_interval.h"
#include "fuzz_ipfix.h"
/* Here the decoder is the oracle: its branches are no coverage to steer by,
 * only cost (fuzz_ipfix_raw.c has an instrumented copy). */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#include "test_ipfix_decode.h"
#pragma clang attribute pop

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
/* The checks' own comparisons are no coverage to steer by, only cost. */
#define NO_COV __attribute__((no_sanitize("coverage")))

#define MAX_RECS 1024
#define CANARY 0xa5
#define CANARY_SPAN 64u
/* more than any record (a corr one with a 1024-octet name) plus the span */
#define CANARY_AHEAD 2048u
#define PEN_CERT DNSYN_IPFIX_PEN_CERT

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum kind { K_CORR, K_PORT, K_CLIENT, K_METER, K_EXPORT, K_COUNTERS, K_ALERT, K_TOP, K_N,
	    K_IE };

struct expect {
	uint8_t kind;
	union {
		struct dnsyn_ipfix_corr_rec corr;
		struct dnsyn_ipfix_port_rec port;
		struct dnsyn_ipfix_client_rec client;
		struct dnsyn_ipfix_meter_stats meter;
		struct dnsyn_ipfix_export_stats exp;
		struct dnsyn_ipfix_counters cnt;
		struct dnsyn_ipfix_alert_rec alert;
		struct dnsyn_ipfix_top_rec top;
		const struct dnsyn_ipfix_ie_info *ie;
	} u;
};

/* One domain's message under construction and what it should decode to. */
struct builder {
	struct dnsyn_ipfix_msg m;
	uint8_t *buf;
	uint32_t canary_end; /* buf[len, canary_end) holds CANARY */
	uint32_t odid, seq;
	unsigned int n_exp;
	struct expect exp[MAX_RECS + 64];
};

static struct td_session S;
/* Each message ends where its array ends: ASan sees a write past the MTU. */
static uint8_t data_arr[DNSYN_IPFIX_MSG_MAX], stat_arr[DNSYN_IPFIX_MSG_MAX];
static struct builder B_data, B_stat;
static uint16_t mtu;
static uint32_t pen, export_time, truncated_seen, truncated_want;

/* ---- input ------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t
rd8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static uint64_t
rdnum(struct rd *r)
{
	uint8_t b = rd8(r);
	uint64_t v = 0;

	if (b < 0xf8)
		return b;
	for (unsigned int i = 0; i < (unsigned int)(b - 0xf7); i++)
		v = v << 8 | rd8(r);
	return v;
}

/* v4-mapped, any 16 bytes, 2001:db8::x, or one octet off v4-mapped. */
static void
rdaddr(struct rd *r, uint8_t a[16])
{
	uint8_t sel = rd8(r);

	memset(a, 0, 16);
	switch (sel & 3) {
	case 0:
	case 3:
		a[10] = a[11] = 0xff;
		for (unsigned int i = 12; i < 16; i++)
			a[i] = rd8(r);
		if ((sel & 3) == 3)
			a[(sel >> 2) % 12] ^= (uint8_t)(1 + (sel >> 6));
		break;
	case 1:
		for (unsigned int i = 0; i < 16; i++)
			a[i] = rd8(r);
		break;
	default:
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[14] = rd8(r), a[15] = rd8(r);
	}
}

/* ---- building ------------------------------------------------------------ */

/* Canary octets after the message, ahead of the next record; filled as the
 * message grows (a whole 64 KiB message each time would be too slow). */
static void
canary_fill(struct builder *b)
{
	uint32_t want = DNSYN_MIN((uint32_t)mtu, (uint32_t)b->m.len + CANARY_AHEAD);

	if (b->canary_end < want) {
		memset(b->buf + b->canary_end, CANARY, want - b->canary_end);
		b->canary_end = want;
	}
}

static void
builder_start(struct builder *b)
{
	dnsyn_ipfix_msg_init(&b->m, b->buf, mtu, b->odid, pen);
	b->canary_end = b->m.len;
	canary_fill(b);
}

/* Nothing was written past the message's length. */
static NO_COV void
check_canary(const struct builder *b)
{
	static uint8_t canary[CANARY_SPAN];
	unsigned int n = DNSYN_MIN(CANARY_SPAN, (unsigned int)(mtu - b->m.len));

	if (canary[0] != CANARY)
		memset(canary, CANARY, sizeof(canary));
	CHECK(b->canary_end >= b->m.len + n);
	CHECK(memcmp(b->buf + b->m.len, canary, n) == 0);
}

static void
flush(struct builder *b)
{
	uint16_t len;
	int n;

	if (dnsyn_ipfix_msg_empty(&b->m))
		return;
	len = dnsyn_ipfix_msg_finish(&b->m, export_time++, b->seq);
	CHECK(len == b->m.len && len <= mtu);
	n = td_decode(&S, b->buf, len);
	if (n < 0)
		fprintf(stderr, "decoder: %s\n", S.err);
	CHECK(n >= 0 && (uint32_t)n == b->m.n_data);
	b->seq += b->m.n_data;
	truncated_seen += b->m.truncated;
	builder_start(b);
}

static int
add_one(struct builder *b, const struct expect *e)
{
	switch (e->kind) {
	case K_CORR: return dnsyn_ipfix_add_corr(&b->m, &e->u.corr);
	case K_PORT: return dnsyn_ipfix_add_port(&b->m, &e->u.port);
	case K_CLIENT: return dnsyn_ipfix_add_client(&b->m, &e->u.client);
	case K_METER: return dnsyn_ipfix_add_meter(&b->m, &e->u.meter);
	case K_EXPORT: return dnsyn_ipfix_add_export(&b->m, &e->u.exp);
	case K_COUNTERS: return dnsyn_ipfix_add_counters(&b->m, &e->u.cnt);
	case K_ALERT: return dnsyn_ipfix_add_alert(&b->m, &e->u.alert);
	case K_TOP: return dnsyn_ipfix_add_top(&b->m, &e->u.top);
	default: return dnsyn_ipfix_add_ie_info(&b->m, e->u.ie);
	}
}

/* Add a record whole, in a new message when it does not fit; remember it
 * (templates, with e == NULL, are checked by the data that uses them). */
static void
add(struct builder *b, const struct expect *e, const struct dnsyn_ipfix_template *t)
{
	uint16_t len = b->m.len, set_off = b->m.set_off;
	uint32_t nd = b->m.n_data, nt = b->m.n_templates;
	int rc;

	canary_fill(b);
	rc = e ? add_one(b, e) : dnsyn_ipfix_add_template(&b->m, t);

	if (rc == -ENOSPC) {
		CHECK(b->m.len == len && b->m.set_off == set_off);
		CHECK(b->m.n_data == nd && b->m.n_templates == nt);
		check_canary(b);
		/* Every record fits an otherwise empty message. */
		CHECK(!dnsyn_ipfix_msg_empty(&b->m));
		flush(b);
		nd = b->m.n_data;
		canary_fill(b);
		rc = e ? add_one(b, e) : dnsyn_ipfix_add_template(&b->m, t);
	}
	CHECK(rc == 0);
	CHECK(b->m.len <= mtu);
	CHECK(b->m.n_data == nd + (e ? 1u : 0u));
	check_canary(b);
	if (e) {
		CHECK(b->n_exp < DNSYN_ARRAY_SIZE(b->exp));
		b->exp[b->n_exp++] = *e;
	}
}

/* The type records (when @p types) and the templates of one domain, as the
 * exporter sends them. */
static void
send_templates(struct builder *b, int domain0, int types)
{
	struct expect e = { .kind = K_IE };

	add(b, NULL, dnsyn_ipfix_template_find(DNSYN_IPFIX_TID_IETYPE));
	for (unsigned int i = 0; types && i < dnsyn_ipfix_n_ie_infos; i++) {
		e.u.ie = &dnsyn_ipfix_ie_infos[i];
		add(b, &e, NULL);
	}
	for (unsigned int i = 0; i < DNSYN_IPFIX_N_TEMPLATES; i++) {
		const struct dnsyn_ipfix_template *t = &dnsyn_ipfix_templates[i];

		if (t->domain0 == domain0 && t->id != DNSYN_IPFIX_TID_IETYPE)
			add(b, NULL, t);
	}
}

/* ---- checking ------------------------------------------------------------ */

static int
needs_escape(uint8_t c)
{
	return c < 0x20 || c >= 0x7f || c == '\\';
}

static NO_COV uint64_t
val(const struct td_rec *r, uint32_t p, uint16_t id)
{
	const struct td_value *v = td_get(r, p, id);

	CHECK(v != NULL);
	return td_be(v->p, v->len);
}

static NO_COV void
check_bytes(const struct td_rec *r, uint32_t p, uint16_t id, const void *want, size_t n)
{
	const struct td_value *v = td_get(r, p, id);

	CHECK(v != NULL && v->len == n && memcmp(v->p, want, n) == 0);
}

static uint32_t
sec32(uint64_t s)
{
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* An escaped string: printable ASCII (so valid UTF-8) whose \\DDD escapes undo
 * to a prefix of @p raw, each escape one the encoder had to make. Returns the
 * raw octets it holds; *next the length it would have with one more. */
static NO_COV size_t
check_text(const struct td_value *v, const uint8_t *raw, size_t raw_len, size_t *next)
{
	size_t j = 0, i = 0;

	CHECK(v != NULL);
	while (i < v->len) {
		uint8_t ch = v->p[i];

		CHECK(ch >= 0x20 && ch < 0x7f);
		if (ch == '\\') {
			unsigned int x = 0;

			CHECK(v->len - i >= 4);
			for (unsigned int k = 1; k <= 3; k++) {
				CHECK(v->p[i + k] >= '0' && v->p[i + k] <= '9');
				x = x * 10 + (v->p[i + k] - '0');
			}
			CHECK(x <= 255 && needs_escape((uint8_t)x));
			CHECK(j < raw_len && raw[j] == x);
			i += 4;
		} else {
			CHECK(j < raw_len && raw[j] == ch);
			i++;
		}
		j++;
	}
	*next = j < raw_len ? v->len + (needs_escape(raw[j]) ? 4 : 1) : 0;
	return j;
}

/* dnsQName: cut only where the next character would pass QNAME_MAX or the
 * record would not fit an empty message. */
static NO_COV void
check_qname(const struct td_value *v, const struct dnsyn_ipfix_corr_rec *c, size_t fixed)
{
	size_t name_len = c->qname ? c->qname_len : 0, next;

	if (check_text(v, (const uint8_t *)c->qname, name_len, &next) < name_len) {
		CHECK(next > DNSYN_IPFIX_QNAME_MAX ||
		      DNSYN_IPFIX_HDR_LEN + DNSYN_IPFIX_SET_HDR_LEN + fixed + (next < 255 ? 1 : 3) +
				      next > mtu);
		truncated_want++;
	}
	CHECK(v->len <= DNSYN_IPFIX_QNAME_MAX);
}

/* An alert's string: cut only where the next character would pass @p max. */
static NO_COV void
check_alert_text(const struct td_value *v, const char *s, size_t max)
{
	size_t len = s ? strlen(s) : 0, next;

	if (check_text(v, (const uint8_t *)s, len, &next) < len)
		CHECK(next > max);
	CHECK(v->len <= max);
}

static NO_COV uint64_t
f64_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static NO_COV void
check_rec(const struct td_rec *r, const struct expect *e, uint32_t odid)
{
	const struct dnsyn_ipfix_template *t;
	uint16_t tid;

	switch (e->kind) {
	case K_CORR: {
		const struct dnsyn_ipfix_corr_rec *c = &e->u.corr;
		int v4 = dnsyn_ipfix_is_v4mapped(c->client) && dnsyn_ipfix_is_v4mapped(c->server);

		tid = v4 ? DNSYN_IPFIX_TID_CORR4 : DNSYN_IPFIX_TID_CORR6;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 152) == c->first_ms && val(r, 0, 153) == c->last_ms);
		if (v4) {
			check_bytes(r, 0, 8, c->client + 12, 4);
			check_bytes(r, 0, 12, c->server + 12, 4);
		} else {
			check_bytes(r, 0, 27, c->client, 16);
			check_bytes(r, 0, 28, c->server, 16);
		}
		CHECK(val(r, 0, 11) == c->dport && val(r, 0, 4) == c->proto);
		CHECK(val(r, 0, 6) == 0x02 && val(r, 0, 2) == c->syns);
		CHECK(val(r, pen, DNSYN_IE_DELAY_MIN) == c->delay_min_us);
		CHECK(val(r, pen, DNSYN_IE_DELAY_MAX) == c->delay_max_us);
		CHECK(val(r, pen, DNSYN_IE_DELAY_SUM) == c->delay_sum_us);
		CHECK(val(r, pen, DNSYN_IE_ANSWER_TTL) == c->answer_ttl);
		CHECK(td_get(r, PEN_CERT, DNSYN_IE_CERT_DNS_QNAME) != NULL);
		check_qname(td_get(r, PEN_CERT, DNSYN_IE_CERT_DNS_QNAME), c,
			    dnsyn_ipfix_template_fixed_len(dnsyn_ipfix_template_find(tid)));
		break;
	}
	case K_PORT: {
		const struct dnsyn_ipfix_port_rec *p = &e->u.port;

		tid = DNSYN_IPFIX_TID_PORT;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 150) == sec32(p->start_s) && val(r, 0, 151) == sec32(p->end_s));
		CHECK(val(r, 0, 11) == p->dport && val(r, 0, 4) == 6 && val(r, 0, 6) == 0x02);
		CHECK(val(r, 0, 2) == p->syn);
		CHECK(val(r, pen, DNSYN_IE_SYN_MATCHED) == p->matched);
		CHECK(val(r, pen, DNSYN_IE_SYN_UNMATCHED) == p->unmatched);
		break;
	}
	case K_CLIENT: {
		const struct dnsyn_ipfix_client_rec *c = &e->u.client;
		const uint64_t want[10] = { c->q_a, c->q_aaaa, c->q_mx, c->q_ptr, c->q_txt,
					    c->q_other, c->responses, c->nxdomain, c->unmatched_syn,
					    c->names };
		static const uint16_t ids[10] = { DNSYN_IE_Q_A, DNSYN_IE_Q_AAAA, DNSYN_IE_Q_MX,
						  DNSYN_IE_Q_PTR, DNSYN_IE_Q_TXT, DNSYN_IE_Q_OTHER,
						  DNSYN_IE_RESPONSES, DNSYN_IE_NXDOMAIN,
						  DNSYN_IE_SYN_UNMATCHED, DNSYN_IE_Q_NAMES };
		int v4 = dnsyn_ipfix_is_v4mapped(c->client);

		tid = v4 ? DNSYN_IPFIX_TID_CLIENT4 : DNSYN_IPFIX_TID_CLIENT6;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 150) == sec32(c->start_s) && val(r, 0, 151) == sec32(c->end_s));
		if (v4)
			check_bytes(r, 0, 8, c->client + 12, 4);
		else
			check_bytes(r, 0, 27, c->client, 16);
		for (unsigned int k = 0; k < 10; k++)
			CHECK(val(r, pen, ids[k]) == want[k]);
		break;
	}
	case K_METER:
		tid = DNSYN_IPFIX_TID_METER;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 149) == e->u.meter.odid && val(r, 0, 86) == e->u.meter.packets);
		CHECK(val(r, 0, 164) == e->u.meter.ignored);
		break;
	case K_EXPORT: {
		const struct dnsyn_ipfix_export_stats *x = &e->u.exp;

		tid = DNSYN_IPFIX_TID_EXPORT;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 144) == x->exporter_id && val(r, 0, 41) == x->messages);
		CHECK(val(r, 0, 42) == x->records && val(r, 0, 40) == x->octets);
		CHECK(val(r, 0, 166) == x->not_sent);
		CHECK(val(r, 0, 152) == x->first_drop_ms && val(r, 0, 153) == x->last_drop_ms);
		break;
	}
	case K_COUNTERS: {
		const struct dnsyn_ipfix_counters *c = &e->u.cnt;

		tid = DNSYN_IPFIX_TID_COUNTERS;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 149) == c->odid);
		CHECK(val(r, pen, DNSYN_IE_PARSE_ERRORS) == c->parse_errors);
		CHECK(val(r, pen, DNSYN_IE_EVICTED_ANSWERS) == c->evicted_answers);
		CHECK(val(r, pen, DNSYN_IE_EVICTED_ADDRS) == c->evicted_addrs);
		CHECK(val(r, pen, DNSYN_IE_TABLE_OCCUPANCY) == c->table_occupancy);
		CHECK(val(r, pen, DNSYN_IE_TABLE_CAPACITY) == c->table_capacity);
		CHECK(val(r, pen, DNSYN_IE_RING_DROPS) == c->ring_drops);
		CHECK(val(r, pen, DNSYN_IE_SYN_SET_EARLY) == c->syn_set_early);
		CHECK(val(r, pen, DNSYN_IE_QPC_REFUSED) == c->qpc_refused);
		CHECK(val(r, pen, DNSYN_IE_IV_CLIENTS_REFUSED) == c->iv_clients_refused);
		CHECK(val(r, pen, DNSYN_IE_TCP_STREAMS_FULL) == c->tcp_streams_full);
		CHECK(val(r, pen, DNSYN_IE_TCP_BUF_EXHAUSTED) == c->tcp_buf_exhausted);
		break;
	}
	case K_ALERT: {
		const struct dnsyn_ipfix_alert_rec *a = &e->u.alert;
		int v4 = dnsyn_ipfix_is_v4mapped(a->addr);

		tid = v4 ? DNSYN_IPFIX_TID_ALERT4 : DNSYN_IPFIX_TID_ALERT6;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 150) == sec32(a->start_s) && val(r, 0, 151) == sec32(a->end_s));
		if (v4)
			check_bytes(r, 0, 8, a->addr + 12, 4);
		else
			check_bytes(r, 0, 27, a->addr, 16);
		CHECK(val(r, 0, v4 ? 9 : 29) == a->plen);
		CHECK(val(r, pen, DNSYN_IE_ALERT_DETECTOR) == a->detector);
		CHECK(val(r, pen, DNSYN_IE_ALERT_SCORE) == f64_bits(a->score));
		/* boolean: true 1, false 2 (RFC 7011 section 6.1.5) */
		CHECK(val(r, pen, DNSYN_IE_ALERT_RESOLVER) == (a->resolver ? 1u : 2u));
		CHECK(val(r, pen, DNSYN_IE_ALERT_EV_VALUE) == f64_bits(a->ev_value));
		check_alert_text(td_get(r, pen, DNSYN_IE_ALERT_EV_NAME), a->ev_name,
				 DNSYN_IPFIX_EV_NAME_MAX);
		check_alert_text(td_get(r, pen, DNSYN_IE_ALERT_REASON), a->reason,
				 DNSYN_IPFIX_REASON_MAX);
		break;
	}
	case K_TOP: {
		const struct dnsyn_ipfix_top_rec *tp = &e->u.top;
		int v4 = dnsyn_ipfix_is_v4mapped(tp->client);

		tid = v4 ? DNSYN_IPFIX_TID_TOP4 : DNSYN_IPFIX_TID_TOP6;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 150) == sec32(tp->start_s) && val(r, 0, 151) == sec32(tp->end_s));
		CHECK(val(r, pen, DNSYN_IE_TOP_RANK) == tp->rank);
		if (v4)
			check_bytes(r, 0, 8, tp->client + 12, 4);
		else
			check_bytes(r, 0, 27, tp->client, 16);
		CHECK(val(r, 0, v4 ? 9 : 29) == tp->plen);
		CHECK(val(r, pen, DNSYN_IE_Q_ALL) == tp->queries);
		break;
	}
	default: {
		const struct dnsyn_ipfix_ie_info *ie = e->u.ie;

		tid = DNSYN_IPFIX_TID_IETYPE;
		CHECK(r->tid == tid);
		CHECK(val(r, 0, 346) == (ie->ent == DNSYN_IPFIX_CERT ? PEN_CERT : pen));
		CHECK(val(r, 0, 303) == ie->id && val(r, 0, 339) == ie->type);
		CHECK(val(r, 0, 344) == ie->semantics && val(r, 0, 345) == ie->units);
		CHECK(val(r, 0, 342) == 0 && val(r, 0, 343) == 0);
		check_bytes(r, 0, 341, ie->name, strlen(ie->name));
		check_bytes(r, 0, 340, ie->description,
			    ie->description ? strlen(ie->description) : 0);
	}
	}
	t = dnsyn_ipfix_template_find(tid);
	CHECK(r->odid == odid && r->n == t->n_fields);
}

/* Decoded records of each domain, in order, are the records added. */
static NO_COV void
check_all(void)
{
	unsigned int id = 0, is = 0;

	for (unsigned int i = 0; i < S.n_rec; i++) {
		const struct td_rec *r = &S.rec[i];

		if (r->odid == B_data.odid) {
			CHECK(id < B_data.n_exp);
			check_rec(r, &B_data.exp[id++], B_data.odid);
		} else {
			CHECK(r->odid == B_stat.odid && is < B_stat.n_exp);
			check_rec(r, &B_stat.exp[is++], B_stat.odid);
		}
	}
	CHECK(id == B_data.n_exp && is == B_stat.n_exp);
	CHECK(truncated_seen == truncated_want);
}

static void
session_reset(void)
{
	FUZZ_TD_RESET(&S);
}

/* ---- the interval path ------------------------------------------------- */

static struct dnsyn_iv_client iv_cl[MAX_RECS];
static struct dnsyn_iv_corr iv_co[MAX_RECS];

struct walk {
	const struct dnsyn_interval *iv;
	unsigned int n_cl, n_co, stop_at, seen;
};

static int
walk_stop(struct walk *w)
{
	return w->stop_at && ++w->seen >= w->stop_at;
}

static int
on_client(void *ud, const struct dnsyn_ipfix_client_rec *r)
{
	struct walk *w = ud;
	struct expect e = { .kind = K_CLIENT };
	const struct dnsyn_iv_client *c;

	if (walk_stop(w))
		return -7;
	CHECK(w->n_cl < w->iv->n_cl);
	c = &w->iv->cl[w->n_cl++];
	CHECK(r->start_s == w->iv->start_s && r->end_s == w->iv->start_s + w->iv->len_s);
	CHECK(memcmp(r->client, c->addr, 16) == 0);
	CHECK(r->q_a == c->queries[DNSYN_IVQ_A] && r->q_aaaa == c->queries[DNSYN_IVQ_AAAA]);
	CHECK(r->q_mx == c->queries[DNSYN_IVQ_MX] && r->q_ptr == c->queries[DNSYN_IVQ_PTR]);
	CHECK(r->q_txt == c->queries[DNSYN_IVQ_TXT] && r->q_other == c->queries[DNSYN_IVQ_OTHER]);
	CHECK(r->responses == c->responses && r->nxdomain == c->nxdomain);
	CHECK(r->unmatched_syn == c->unmatched_syn);
	CHECK(r->names == dnsyn_iv_bits_estimate(c->name_bits));
	e.u.client = *r;
	add(&B_data, &e, NULL);
	return 0;
}

static int
on_corr(void *ud, const struct dnsyn_ipfix_corr_rec *r)
{
	struct walk *w = ud;
	struct expect e = { .kind = K_CORR };
	const struct dnsyn_iv_corr *c;

	if (walk_stop(w))
		return -7;
	CHECK(w->n_co < w->iv->n_co);
	c = &w->iv->co[w->n_co++];
	/* ns in the tables, ms and us on the wire */
	CHECK(r->first_ms == c->first_ns / DNSYN_NS_PER_MS && r->last_ms == c->last_ns / DNSYN_NS_PER_MS);
	CHECK(memcmp(r->client, c->client, 16) == 0 && memcmp(r->server, c->server, 16) == 0);
	CHECK(r->dport == c->dport && r->proto == 6 && r->syns == c->syns);
	CHECK(r->delay_min_us == c->delay_min_ns / DNSYN_NS_PER_US);
	CHECK(r->delay_max_us == c->delay_max_ns / DNSYN_NS_PER_US);
	CHECK(r->delay_sum_us == c->delay_sum_ns / DNSYN_NS_PER_US);
	CHECK(r->answer_ttl == c->ttl_min);
	CHECK(r->qname_len == c->name_len && (r->qname_len == 0 || r->qname == c->name));
	e.u.corr = *r;
	add(&B_data, &e, NULL);
	return 0;
}

/* ---- the records from the input ------------------------------------------ */

static void
read_corr(struct rd *in, struct dnsyn_ipfix_corr_rec *c)
{
	size_t qlen;
	uint64_t q;

	memset(c, 0, sizeof(*c));
	c->first_ms = rdnum(in);
	c->last_ms = rdnum(in);
	rdaddr(in, c->client);
	rdaddr(in, c->server);
	c->dport = (uint16_t)rdnum(in);
	c->proto = rd8(in);
	c->syns = rdnum(in);
	c->delay_min_us = (uint32_t)rdnum(in);
	c->delay_max_us = (uint32_t)rdnum(in);
	c->delay_sum_us = rdnum(in);
	c->answer_ttl = (uint32_t)rdnum(in);
	/* The name: up to 2047 raw bytes (every one may need \DDD), or none. */
	q = rdnum(in);
	qlen = DNSYN_MIN((size_t)(q & 0x7ff), in->n);
	if (!(q & 0x800)) {
		c->qname = (const char *)in->p;
		c->qname_len = qlen;
	}
	in->p += qlen;
	in->n -= qlen;
}

static void
read_client(struct rd *in, struct dnsyn_ipfix_client_rec *c)
{
	memset(c, 0, sizeof(*c));
	c->start_s = rdnum(in);
	c->end_s = rdnum(in);
	rdaddr(in, c->client);
	c->q_a = rdnum(in), c->q_aaaa = rdnum(in), c->q_mx = rdnum(in);
	c->q_ptr = rdnum(in), c->q_txt = rdnum(in), c->q_other = rdnum(in);
	c->responses = rdnum(in), c->nxdomain = rdnum(in), c->unmatched_syn = rdnum(in);
	c->names = (uint32_t)rdnum(in);
}

/* A NUL-terminated copy of up to 511 input octets (the encoder takes C
 * strings), or NULL. */
static char strpool[1u << 20];
static size_t strpool_used;

static const char *
rdstr(struct rd *in)
{
	uint64_t q = rdnum(in);
	size_t n = DNSYN_MIN((size_t)(q & 0x1ff), in->n);
	char *s;

	if (q & 0x200 || strpool_used + n + 1 > sizeof(strpool))
		return NULL;
	s = strpool + strpool_used;
	memcpy(s, in->p, n);
	s[n] = '\0';
	strpool_used += n + 1;
	in->p += n;
	in->n -= n;
	return s;
}

static double
rdf64(struct rd *in)
{
	uint64_t u = 0;
	double d;

	/* any bit pattern: NaNs and infinities included */
	for (unsigned int i = 0; i < 8; i++)
		u = u << 8 | rd8(in);
	memcpy(&d, &u, sizeof(d));
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t pens[7] = { DNSYN_IPFIX_PEN_DEFAULT, 1, UINT32_MAX, PEN_CERT,
					  0x80000000u, 32473, 12345 };
	struct rd in;
	struct dnsyn_interval iv;
	struct walk w;
	unsigned int n_rec = 0;
	int via_iv;
	uint8_t h[9];

	if (size < 1)
		return 0;
	if ((data[0] & 0xc0) == 0xc0) {
		fuzz_ipfix_raw(data + 1, size - 1, data[0] & 1);
		return 0;
	}
	in.p = data;
	in.n = size;
	for (unsigned int i = 0; i < sizeof(h); i++)
		h[i] = rd8(&in);
	switch (h[0] & 3) {
	case 0: mtu = (uint16_t)(DNSYN_IPFIX_MTU_MIN + h[1]); break;
	case 1: mtu = DNSYN_IPFIX_MTU_DEFAULT; break;
	case 2: mtu = (uint16_t)(DNSYN_IPFIX_MTU_MIN + ((h[1] << 8 | h[2]) % 2048)); break;
	default:
		mtu = (uint16_t)(DNSYN_IPFIX_MTU_MIN +
				 ((h[1] << 8 | h[2]) % (DNSYN_IPFIX_MSG_MAX - DNSYN_IPFIX_MTU_MIN + 1)));
	}
	CHECK(dnsyn_ipfix_mtu_ok(mtu) == 0);
	via_iv = (h[0] >> 2) & 1;
	pen = ((h[0] >> 4) & 7) == 7 ? ((uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 |
					(uint32_t)h[6] << 8 | h[7]) | 1u
				      : pens[(h[0] >> 4) & 7];

	session_reset();
	export_time = 1700000000;
	truncated_seen = truncated_want = 0;
	strpool_used = 0;
	B_data.buf = data_arr + sizeof(data_arr) - mtu;
	B_data.odid = h[3] == 255 ? UINT32_MAX : 1u + h[3];
	B_stat.buf = stat_arr + sizeof(stat_arr) - mtu;
	B_stat.odid = 0;
	/* Sequence numbers wrap within a few records. */
	B_data.seq = B_stat.seq = UINT32_MAX - 3;
	B_data.n_exp = B_stat.n_exp = 0;
	builder_start(&B_data);
	builder_start(&B_stat);
	send_templates(&B_data, 0, (h[0] >> 3) & 1);
	send_templates(&B_stat, 1, (h[0] >> 3) & 1);

	memset(&iv, 0, sizeof(iv));
	iv.start_s = rdnum(&in);
	iv.len_s = (uint32_t)rdnum(&in);
	iv.cl = iv_cl;
	iv.co = iv_co;
	while (in.n > 0 && n_rec < MAX_RECS) {
		struct expect e;
		uint8_t kind = rd8(&in) % K_N;

		memset(&e, 0, sizeof(e));
		e.kind = kind;
		n_rec++;
		switch (kind) {
		case K_CORR:
			read_corr(&in, &e.u.corr);
			if (via_iv) {
				struct dnsyn_iv_corr *c = &iv_co[iv.n_co++];
				const struct dnsyn_ipfix_corr_rec *r = &e.u.corr;

				/* The tables' bounds: delays within the window (1 h),
				 * names of at most DNSYN_NAME_MAX bytes. */
				memset(c, 0, sizeof(*c));
				memcpy(c->client, r->client, 16);
				memcpy(c->server, r->server, 16);
				c->dport = r->dport;
				c->first_ns = r->first_ms * 1000003u;
				c->last_ns = r->last_ms * 999983u;
				c->syns = r->syns;
				c->delay_min_ns = (uint64_t)r->delay_min_us * 977 % (3600 * DNSYN_NS_PER_S + 1);
				c->delay_max_ns = (uint64_t)r->delay_max_us * 983 % (3600 * DNSYN_NS_PER_S + 1);
				c->delay_sum_ns = r->delay_sum_us * 1009;
				c->ttl_min = r->answer_ttl;
				c->name_len = (uint8_t)DNSYN_MIN(r->qname ? r->qname_len : 0,
								 (size_t)DNSYN_NAME_MAX);
				if (c->name_len)
					memcpy(c->name, r->qname, c->name_len);
				continue;
			}
			add(&B_data, &e, NULL);
			break;
		case K_PORT:
			e.u.port.start_s = rdnum(&in);
			e.u.port.end_s = rdnum(&in);
			e.u.port.dport = (uint16_t)rdnum(&in);
			e.u.port.syn = rdnum(&in);
			e.u.port.matched = rdnum(&in);
			e.u.port.unmatched = rdnum(&in);
			add(&B_data, &e, NULL);
			break;
		case K_CLIENT:
			read_client(&in, &e.u.client);
			if (via_iv) {
				struct dnsyn_iv_client *c = &iv_cl[iv.n_cl++];
				const struct dnsyn_ipfix_client_rec *r = &e.u.client;

				memset(c, 0, sizeof(*c));
				memcpy(c->addr, r->client, 16);
				c->queries[DNSYN_IVQ_A] = r->q_a;
				c->queries[DNSYN_IVQ_AAAA] = r->q_aaaa;
				c->queries[DNSYN_IVQ_MX] = r->q_mx;
				c->queries[DNSYN_IVQ_PTR] = r->q_ptr;
				c->queries[DNSYN_IVQ_TXT] = r->q_txt;
				c->queries[DNSYN_IVQ_OTHER] = r->q_other;
				c->responses = r->responses;
				c->nxdomain = r->nxdomain;
				c->unmatched_syn = r->unmatched_syn;
				continue;
			}
			add(&B_data, &e, NULL);
			break;
		case K_METER:
			e.u.meter.odid = (uint32_t)rdnum(&in);
			e.u.meter.packets = rdnum(&in);
			e.u.meter.ignored = rdnum(&in);
			add(&B_stat, &e, NULL);
			break;
		case K_EXPORT:
			e.u.exp.exporter_id = (uint32_t)rdnum(&in);
			e.u.exp.messages = rdnum(&in);
			e.u.exp.records = rdnum(&in);
			e.u.exp.octets = rdnum(&in);
			e.u.exp.not_sent = rdnum(&in);
			e.u.exp.first_drop_ms = rdnum(&in);
			e.u.exp.last_drop_ms = rdnum(&in);
			add(&B_stat, &e, NULL);
			break;
		case K_COUNTERS:
			e.u.cnt.odid = (uint32_t)rdnum(&in);
			e.u.cnt.parse_errors = rdnum(&in);
			e.u.cnt.evicted_answers = rdnum(&in);
			e.u.cnt.evicted_addrs = rdnum(&in);
			e.u.cnt.table_occupancy = rdnum(&in);
			e.u.cnt.table_capacity = rdnum(&in);
			e.u.cnt.ring_drops = rdnum(&in);
			e.u.cnt.syn_set_early = rdnum(&in);
			e.u.cnt.qpc_refused = rdnum(&in);
			e.u.cnt.iv_clients_refused = rdnum(&in);
			e.u.cnt.tcp_streams_full = rdnum(&in);
			e.u.cnt.tcp_buf_exhausted = rdnum(&in);
			add(&B_stat, &e, NULL);
			break;
		case K_ALERT:
			e.u.alert.start_s = rdnum(&in);
			e.u.alert.end_s = rdnum(&in);
			rdaddr(&in, e.u.alert.addr);
			e.u.alert.plen = rd8(&in);
			e.u.alert.detector = rd8(&in);
			e.u.alert.resolver = rd8(&in);
			e.u.alert.score = rdf64(&in);
			e.u.alert.ev_value = rdf64(&in);
			e.u.alert.ev_name = rdstr(&in);
			e.u.alert.reason = rdstr(&in);
			add(&B_data, &e, NULL);
			break;
		default:
			e.u.top.start_s = rdnum(&in);
			e.u.top.end_s = rdnum(&in);
			e.u.top.rank = (uint16_t)rdnum(&in);
			rdaddr(&in, e.u.top.client);
			e.u.top.plen = rd8(&in);
			e.u.top.queries = rdnum(&in);
			add(&B_data, &e, NULL);
		}
	}

	if (via_iv) {
		long n;

		memset(&w, 0, sizeof(w));
		w.iv = &iv;
		w.stop_at = h[8];
		n = dnsyn_ipfix_from_interval(&iv, NULL, on_client, on_corr, &w);
		if (n == -7) {
			CHECK(w.stop_at > 0 && w.seen == w.stop_at);
		} else {
			CHECK(n == (long)(w.n_cl + w.n_co));
			CHECK(w.n_cl == iv.n_cl && w.n_co == iv.n_co);
		}
	}
	flush(&B_data);
	flush(&B_stat);
	check_all();
	return 0;
}
