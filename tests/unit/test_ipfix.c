/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the IPFIX encoder: hand-built messages byte for byte, every
 * template and record kind through an independent decoder, variable-length
 * strings, the MTU bound, escaping, and records from an interval's tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_test_util.h"
#include "test_ipfix_decode.h"
#include "dnsyn_ipfix.h"
#include "dnsyn_ipfix_interval.h"

#define PEN DNSYN_IPFIX_PEN_DEFAULT
#define CERT DNSYN_IPFIX_PEN_CERT

static struct td_session *S;

static int
setup(void **state)
{
	(void)state;
	S = malloc(sizeof(*S));
	assert_non_null(S);
	td_init(S);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(S);
	return 0;
}

static void
expect_bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("octet %zu: 0x%02x, expected 0x%02x", i, got[i], want[i]);
	}
}

static int
decode_ok(const uint8_t *msg, size_t len)
{
	int n = td_decode(S, msg, len);

	if (n < 0)
		fail_msg("decoder: %s", S->err);
	return n;
}

/* The type records, then the templates of one domain, as the exporter sends
 * them, decoded; *seq follows the domain's data records. */
static void
send_templates(uint32_t odid, int domain0, uint32_t *seq)
{
	uint8_t buf[DNSYN_IPFIX_MTU_DEFAULT];
	struct dnsyn_ipfix_msg m;
	unsigned int n_steps = 1 + dnsyn_ipfix_n_ie_infos + DNSYN_IPFIX_N_TEMPLATES;

	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), odid, PEN);
	for (unsigned int step = 0; step < n_steps;) {
		int rc;

		if (step == 0) {
			rc = dnsyn_ipfix_add_template(&m, dnsyn_ipfix_template_find(264));
		} else if (step <= dnsyn_ipfix_n_ie_infos) {
			rc = dnsyn_ipfix_add_ie_info(&m, &dnsyn_ipfix_ie_infos[step - 1]);
		} else {
			const struct dnsyn_ipfix_template *t =
				&dnsyn_ipfix_templates[step - 1 - dnsyn_ipfix_n_ie_infos];

			if (t->domain0 != domain0 || t->id == DNSYN_IPFIX_TID_IETYPE) {
				step++;
				continue;
			}
			rc = dnsyn_ipfix_add_template(&m, t);
		}
		if (rc == 0) {
			step++;
			continue;
		}
		assert_int_equal(rc, -ENOSPC);
		assert_false(dnsyn_ipfix_msg_empty(&m));
		dnsyn_ipfix_msg_finish(&m, 1700000000, *seq);
		*seq += (uint32_t)decode_ok(buf, m.len);
		dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), odid, PEN);
	}
	dnsyn_ipfix_msg_finish(&m, 1700000000, *seq);
	*seq += (uint32_t)decode_ok(buf, m.len);
}

/* ---- byte for byte -------------------------------------------------- */

static void
test_port_record_bytes(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0a, 0x00, 0x39, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x07,                         /* header */
		0x01, 0x02, 0x00, 0x29,                         /* set 258, 41 octets */
		0x65, 0x53, 0xf1, 0x00, 0x65, 0x53, 0xf1, 0x3c, /* start, end */
		0x01, 0xbb, 0x06, 0x00, 0x02,                   /* 443, TCP, SYN */
		0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 3,
	};
	struct dnsyn_ipfix_port_rec r = { 1700000000, 1700000060, 443, 10, 7, 3 };
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;

	(void)state;
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 7, PEN);
	assert_true(dnsyn_ipfix_msg_empty(&m));
	assert_int_equal(dnsyn_ipfix_add_port(&m, &r), 0);
	assert_int_equal(dnsyn_ipfix_msg_finish(&m, 0x11223344, 5), sizeof(want));
	expect_bytes(buf, want, sizeof(want));
	assert_int_equal(m.n_data, 1);
}

static void
test_template_bytes(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0a, 0x00, 0x56, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		/* template set: 258 with 8 fields, two of them enterprise */
		0x00, 0x02, 0x00, 0x30, 0x01, 0x02, 0x00, 0x08,
		0x00, 0x96, 0x00, 0x04, 0x00, 0x97, 0x00, 0x04, 0x00, 0x0b, 0x00, 0x02,
		0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x02, 0x00, 0x02, 0x00, 0x08,
		0x80, 0x05, 0x00, 0x08, 0x00, 0x00, 0x7e, 0xd9,
		0x80, 0x06, 0x00, 0x08, 0x00, 0x00, 0x7e, 0xd9,
		/* options template set: 261, 3 fields, 1 scope */
		0x00, 0x03, 0x00, 0x16, 0x01, 0x05, 0x00, 0x03, 0x00, 0x01,
		0x00, 0x95, 0x00, 0x04, 0x00, 0x56, 0x00, 0x08, 0x00, 0xa4, 0x00, 0x08,
	};
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;

	(void)state;
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_template(&m, dnsyn_ipfix_template_find(258)), 0);
	assert_int_equal(dnsyn_ipfix_add_template(&m, dnsyn_ipfix_template_find(261)), 0);
	assert_int_equal(dnsyn_ipfix_msg_finish(&m, 1, 0), sizeof(want));
	expect_bytes(buf, want, sizeof(want));
	assert_int_equal(m.n_data, 0);
	assert_int_equal(m.n_templates, 2);
}

static void
test_pen_and_cert(void **state)
{
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;
	const struct td_tmpl *t;
	uint32_t seq = 0;

	(void)state;
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 9, 12345);
	assert_int_equal(dnsyn_ipfix_add_template(&m, dnsyn_ipfix_template_find(256)), 0);
	dnsyn_ipfix_msg_finish(&m, 1, seq);
	decode_ok(buf, m.len);
	t = td_find(S, 9, 256);
	assert_non_null(t);
	assert_int_equal(t->n, 13);
	assert_int_equal(t->f[8].pen, 12345);  /* delay min: the configured PEN */
	assert_int_equal(t->f[8].id, DNSYN_IE_DELAY_MIN);
	assert_int_equal(t->f[12].pen, CERT);  /* dnsQName: CERT's */
	assert_int_equal(t->f[12].id, 179);
	assert_int_equal(t->f[12].len, 65535); /* last, variable length */
	assert_int_equal(t->f[0].pen, 0);
}

/* An alert about an IPv4 /24 (rate-jump), written out by hand: the float64
 * fields are IEEE 754 binary64 in network order, false is 2 (RFC 7011 section
 * 6.1.5), the prefix length counts IPv4 bits. */
static void
test_alert_record_bytes(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0a, 0x00, 0x49, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x07,                         /* header */
		0x01, 0x09, 0x00, 0x39,                         /* set 265, 57 octets */
		0x65, 0x53, 0xf1, 0x00, 0x65, 0x53, 0xf1, 0x3c, /* start, end */
		0x0a, 0x01, 0x02, 0x00, 0x18,                   /* 10.1.2.0/24 */
		0x03,                                           /* rate-jump */
		0x40, 0x1a, 0, 0, 0, 0, 0, 0,                   /* score 6.5 */
		0x02,                                           /* not a resolver */
		0x40, 0x90, 0x0c, 0, 0, 0, 0, 0,                /* evidence 1027.0 */
		0x02, 'd', 'q',                                 /* its name */
		0x12, 'r', 'a', 't', 'e', '-', 'j', 'u', 'm', 'p', ':', ' ', 'D', 'q', ' ',
		'1', '0', '2', '7',                             /* reason, 18 octets */
	};
	struct dnsyn_ipfix_alert_rec r;
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.start_s = 1700000000;
	r.end_s = 1700000060;
	tp_v4m(r.addr, 0x0a010200);
	r.plen = 24;
	r.detector = DNSYN_IPFIX_DET_RATE_JUMP;
	r.score = 6.5;
	r.ev_name = "dq";
	r.ev_value = 1027;
	r.reason = "rate-jump: Dq 1027";
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 7, PEN);
	assert_int_equal(dnsyn_ipfix_add_alert(&m, &r), 0);
	assert_int_equal(dnsyn_ipfix_msg_finish(&m, 0x11223344, 5), sizeof(want));
	expect_bytes(buf, want, sizeof(want));
	assert_int_equal(m.n_data, 1);
}

/* A top-client record of an IPv6 /64 (prefix aggregation), by hand. */
static void
test_top_record_bytes(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0a, 0x00, 0x37, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7,
		0x01, 0x0c, 0x00, 0x27,                         /* set 268, 39 octets */
		0x65, 0x53, 0xf1, 0x00, 0x65, 0x53, 0xf1, 0x3c, /* start, end */
		0x00, 0x03,                                     /* rank 3 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
		0x40,                                           /* 2001:db8::/64 */
		0, 0, 0, 0, 0, 0, 0x04, 0x03,                   /* 1027 queries */
	};
	struct dnsyn_ipfix_top_rec r = { 1700000000, 1700000060, 3, { 0 }, 64, 1027 };
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;

	(void)state;
	tp_v6a(r.client, 0);
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 7, PEN);
	assert_int_equal(dnsyn_ipfix_add_top(&m, &r), 0);
	assert_int_equal(dnsyn_ipfix_msg_finish(&m, 1, 9), sizeof(want));
	expect_bytes(buf, want, sizeof(want));
}

/* The alert template: enterprise fields with the PEN, the two strings last. */
static void
test_alert_template_bytes(void **state)
{
	static const uint8_t want[] = {
		0x00, 0x0a, 0x00, 0x58, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x02, 0x00, 0x48, 0x01, 0x09, 0x00, 0x0a, /* template 265, 10 fields */
		0x00, 0x96, 0x00, 0x04, 0x00, 0x97, 0x00, 0x04, /* flowStart/EndSeconds */
		0x00, 0x08, 0x00, 0x04, 0x00, 0x09, 0x00, 0x01, /* address, prefix length */
		0x80, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x7e, 0xd9, /* 26 detector */
		0x80, 0x1b, 0x00, 0x08, 0x00, 0x00, 0x7e, 0xd9, /* 27 score */
		0x80, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x7e, 0xd9, /* 28 resolver */
		0x80, 0x1e, 0x00, 0x08, 0x00, 0x00, 0x7e, 0xd9, /* 30 evidence value */
		0x80, 0x1d, 0xff, 0xff, 0x00, 0x00, 0x7e, 0xd9, /* 29 evidence name */
		0x80, 0x1f, 0xff, 0xff, 0x00, 0x00, 0x7e, 0xd9, /* 31 reason */
	};
	uint8_t buf[1400];
	struct dnsyn_ipfix_msg m;

	(void)state;
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_template(&m, dnsyn_ipfix_template_find(265)), 0);
	assert_int_equal(dnsyn_ipfix_msg_finish(&m, 1, 0), sizeof(want));
	expect_bytes(buf, want, sizeof(want));
}

static double
td_f64(const struct td_rec *r, uint16_t id)
{
	uint64_t u = td_u(r, PEN, id);
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Alerts and top clients of both families through the decoder; strings longer
 * than their caps are cut, never inside an escape, and the record still fits
 * the smallest MTU. */
static void
test_roundtrip_detection(void **state)
{
	uint8_t buf[DNSYN_IPFIX_MTU_MIN];
	struct dnsyn_ipfix_msg m;
	struct dnsyn_ipfix_alert_rec a4, a6;
	struct dnsyn_ipfix_top_rec t4 = { 1700000040, 1700000100, 1, { 0 }, 32, 250 }, t6;
	static char reason[600];
	const struct td_rec *r;
	const struct td_value *v;
	uint32_t seq = 0;

	(void)state;
	send_templates(1, 0, &seq);
	memset(&a4, 0, sizeof(a4));
	a4.start_s = 1700000040;
	a4.end_s = 1700000100;
	tp_v4m(a4.addr, 0x0a000010);
	a4.plen = 32;
	a4.detector = DNSYN_IPFIX_DET_UNRESOLVED_SCAN;
	a4.score = 101;
	a4.ev_name = "syn_unmatched";
	a4.ev_value = 101;
	a4.reason = "unresolved-scan: 101 unmatched SYNs (100% of 101)";
	a6 = a4;
	tp_v6a(a6.addr, 0x53);
	a6.plen = 128;
	a6.detector = DNSYN_IPFIX_DET_RESOLVER_DOS;
	a6.resolver = 1;
	a6.score = -2.25;
	a6.ev_name = "an evidence name longer than thirty-two octets";
	a6.ev_value = 0.1;
	memset(reason, 'r', sizeof(reason));
	reason[250] = '\x01'; /* escaped to 4 octets just before the cap */
	reason[sizeof(reason) - 1] = '\0';
	a6.reason = reason;
	tp_v4m(t4.client, 0x0a000011);
	t6 = t4;
	t6.rank = 10;
	t6.plen = 128;
	t6.queries = 0;
	tp_v6a(t6.client, 0x11);

	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_alert(&m, &a4), 0);
	assert_int_equal(dnsyn_ipfix_add_top(&m, &t4), 0);
	assert_int_equal(dnsyn_ipfix_add_top(&m, &t6), 0);
	dnsyn_ipfix_msg_finish(&m, 1700000001, seq);
	seq += (uint32_t)decode_ok(buf, m.len);
	/* The longest alert alone in a message of the smallest MTU. */
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_alert(&m, &a6), 0);
	assert_true(m.len <= DNSYN_IPFIX_MTU_MIN);
	dnsyn_ipfix_msg_finish(&m, 1700000001, seq);
	assert_int_equal(decode_ok(buf, m.len), 1);

	r = td_nth(S, 1, DNSYN_IPFIX_TID_ALERT4, 0);
	assert_non_null(r);
	assert_int_equal(td_u(r, 0, 150), 1700000040);
	assert_int_equal(td_u(r, 0, 151), 1700000100);
	assert_int_equal(td_u(r, 0, 8), 0x0a000010);
	assert_int_equal(td_u(r, 0, 9), 32);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_ALERT_DETECTOR), 1);
	assert_true(td_f64(r, DNSYN_IE_ALERT_SCORE) == 101.0);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_ALERT_RESOLVER), 2);
	assert_true(td_f64(r, DNSYN_IE_ALERT_EV_VALUE) == 101.0);
	v = td_get(r, PEN, DNSYN_IE_ALERT_EV_NAME);
	assert_int_equal(v->len, 13);
	assert_memory_equal(v->p, "syn_unmatched", 13);
	v = td_get(r, PEN, DNSYN_IE_ALERT_REASON);
	assert_int_equal(v->len, strlen(a4.reason));
	assert_memory_equal(v->p, a4.reason, v->len);
	assert_ptr_equal(&r->v[r->n - 1], v); /* the reason is the last field */

	r = td_nth(S, 1, DNSYN_IPFIX_TID_ALERT6, 0);
	assert_non_null(r);
	assert_memory_equal(td_get(r, 0, 27)->p, a6.addr, 16);
	assert_int_equal(td_u(r, 0, 29), 128);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_ALERT_DETECTOR), 5);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_ALERT_RESOLVER), 1);
	assert_true(td_f64(r, DNSYN_IE_ALERT_SCORE) == -2.25);
	assert_true(td_f64(r, DNSYN_IE_ALERT_EV_VALUE) == 0.1);
	v = td_get(r, PEN, DNSYN_IE_ALERT_EV_NAME);
	assert_int_equal(v->len, DNSYN_IPFIX_EV_NAME_MAX);
	assert_memory_equal(v->p, a6.ev_name, DNSYN_IPFIX_EV_NAME_MAX);
	v = td_get(r, PEN, DNSYN_IE_ALERT_REASON);
	/* 250 'r', then \001 would end at 254: it fits; the next 'r' does not */
	assert_int_equal(v->len, DNSYN_IPFIX_REASON_MAX);
	assert_memory_equal(v->p + 250, "\\001", 4);

	r = td_nth(S, 1, DNSYN_IPFIX_TID_TOP4, 0);
	assert_non_null(r);
	assert_int_equal(td_u(r, 0, 150), 1700000040);
	assert_int_equal(td_u(r, 0, 151), 1700000100);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TOP_RANK), 1);
	assert_int_equal(td_u(r, 0, 8), 0x0a000011);
	assert_int_equal(td_u(r, 0, 9), 32);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_Q_ALL), 250);
	r = td_nth(S, 1, DNSYN_IPFIX_TID_TOP6, 0);
	assert_non_null(r);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TOP_RANK), 10);
	assert_memory_equal(td_get(r, 0, 27)->p, t6.client, 16);
	assert_int_equal(td_u(r, 0, 29), 128);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_Q_ALL), 0);
	/* Empty strings: a zero length octet each. */
	a4.ev_name = NULL;
	a4.reason = NULL;
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_alert(&m, &a4), 0);
	assert_int_equal(m.len, 16 + 4 + 31 + 2);
	dnsyn_ipfix_msg_finish(&m, 1700000001, seq + 1);
	assert_int_equal(decode_ok(buf, m.len), 1);
	assert_int_equal(td_get(&S->rec[S->n_rec - 1], PEN, DNSYN_IE_ALERT_REASON)->len, 0);
}

/* ---- round trips ------------------------------------------------------ */

static void
test_roundtrip_every_kind(void **state)
{
	uint8_t buf[DNSYN_IPFIX_MTU_DEFAULT];
	struct dnsyn_ipfix_msg m;
	struct dnsyn_ipfix_corr_rec c4, c6;
	struct dnsyn_ipfix_port_rec p = { 1700000040, 1700000100, 135, 99, 0, 99 };
	struct dnsyn_ipfix_client_rec cl4, cl6;
	struct dnsyn_ipfix_meter_stats ms = { 1, 123456789, 42 };
	struct dnsyn_ipfix_export_stats es = { 1, 10, 200, 30000, 5, 1700000001000, 1700000002000 };
	struct dnsyn_ipfix_counters cn = { 1, 3, 4, 5, 600, 1048576, 7, 8, 9, 10, 11, 12 };
	uint32_t seq1 = 0, seq0 = 0;
	const struct td_rec *r;
	const struct td_value *v;
	int n;

	(void)state;
	send_templates(1, 0, &seq1);
	send_templates(0, 1, &seq0);
	/* The type records: one per enterprise element, in both domains. */
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_IETYPE), dnsyn_ipfix_n_ie_infos);
	assert_int_equal(td_count(S, 0, DNSYN_IPFIX_TID_IETYPE), dnsyn_ipfix_n_ie_infos);
	assert_non_null(td_find(S, 0, DNSYN_IPFIX_TID_METER));
	assert_null(td_find(S, 1, DNSYN_IPFIX_TID_METER));
	assert_non_null(td_find(S, 1, DNSYN_IPFIX_TID_CORR6));
	assert_null(td_find(S, 0, DNSYN_IPFIX_TID_CORR4));
	/* Options templates: the scope fields are the ones RFC 7011 section 4 names. */
	assert_int_equal(td_find(S, 0, DNSYN_IPFIX_TID_METER)->scope, 1);
	assert_int_equal(td_find(S, 0, DNSYN_IPFIX_TID_METER)->f[0].id, 149);
	assert_int_equal(td_find(S, 0, DNSYN_IPFIX_TID_EXPORT)->f[0].id, 144);
	assert_int_equal(td_find(S, 0, DNSYN_IPFIX_TID_IETYPE)->scope, 2);
	r = td_nth(S, 1, DNSYN_IPFIX_TID_IETYPE, 0);
	assert_int_equal(td_u(r, 0, 346), PEN);
	assert_int_equal(td_u(r, 0, 303), DNSYN_IE_DELAY_MIN);
	assert_int_equal(td_u(r, 0, 339), DNSYN_IPFIX_T_U32);
	assert_int_equal(td_u(r, 0, 345), DNSYN_IPFIX_U_US);
	v = td_get(r, 0, 341);
	assert_int_equal(v->len, strlen("answerSynDelayMinMicroseconds"));
	assert_memory_equal(v->p, "answerSynDelayMinMicroseconds", v->len);
	r = td_nth(S, 1, DNSYN_IPFIX_TID_IETYPE, dnsyn_ipfix_n_ie_infos - 1);
	assert_int_equal(td_u(r, 0, 346), CERT);
	assert_int_equal(td_u(r, 0, 339), DNSYN_IPFIX_T_STRING);

	memset(&c4, 0, sizeof(c4));
	c4.first_ms = 1700000000123;
	c4.last_ms = 1700000000999;
	tp_v4m(c4.client, 0x0a000001);
	tp_v4m(c4.server, 0xc0000201);
	c4.dport = 443;
	c4.proto = 6;
	c4.syns = 3;
	c4.delay_min_us = 1000;
	c4.delay_max_us = 900000;
	c4.delay_sum_us = 1500000;
	c4.answer_ttl = 300;
	c4.qname = "www.example.com";
	c4.qname_len = 15;
	c6 = c4;
	tp_v6a(c6.client, 1);
	tp_v6a(c6.server, 0x53);
	c6.qname = NULL;
	memset(&cl4, 0, sizeof(cl4));
	cl4.start_s = 1700000040;
	cl4.end_s = 1700000100;
	tp_v4m(cl4.client, 0x0a000063);
	cl4.q_a = 1, cl4.q_aaaa = 2, cl4.q_mx = 3, cl4.q_ptr = 4, cl4.q_txt = 5, cl4.q_other = 6;
	cl4.responses = 7, cl4.nxdomain = 8, cl4.unmatched_syn = 9, cl4.names = 10;
	cl6 = cl4;
	tp_v6a(cl6.client, 0x99);

	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_corr(&m, &c4), 0);
	assert_int_equal(dnsyn_ipfix_add_corr(&m, &c6), 0);
	assert_int_equal(dnsyn_ipfix_add_corr(&m, &c4), 0); /* same set again: a new set */
	assert_int_equal(dnsyn_ipfix_add_port(&m, &p), 0);
	assert_int_equal(dnsyn_ipfix_add_client(&m, &cl4), 0);
	assert_int_equal(dnsyn_ipfix_add_client(&m, &cl6), 0);
	assert_int_equal(m.n_data, 6);
	dnsyn_ipfix_msg_finish(&m, 1700000001, seq1);
	n = decode_ok(buf, m.len);
	assert_int_equal(n, 6);
	seq1 += 6;

	r = td_nth(S, 1, DNSYN_IPFIX_TID_CORR4, 0);
	assert_non_null(r);
	assert_int_equal(td_u(r, 0, 152), 1700000000123);
	assert_int_equal(td_u(r, 0, 153), 1700000000999);
	assert_int_equal(td_u(r, 0, 8), 0x0a000001);
	assert_int_equal(td_u(r, 0, 12), 0xc0000201);
	assert_int_equal(td_u(r, 0, 11), 443);
	assert_int_equal(td_u(r, 0, 4), 6);
	assert_int_equal(td_u(r, 0, 6), 2);
	assert_int_equal(td_u(r, 0, 2), 3);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_DELAY_MIN), 1000);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_DELAY_MAX), 900000);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_DELAY_SUM), 1500000);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_ANSWER_TTL), 300);
	v = td_get(r, CERT, 179);
	assert_int_equal(v->len, 15);
	assert_memory_equal(v->p, "www.example.com", 15);
	assert_non_null(td_nth(S, 1, DNSYN_IPFIX_TID_CORR4, 1));

	r = td_nth(S, 1, DNSYN_IPFIX_TID_CORR6, 0);
	assert_non_null(r);
	assert_memory_equal(td_get(r, 0, 27)->p, c6.client, 16);
	assert_memory_equal(td_get(r, 0, 28)->p, c6.server, 16);
	assert_int_equal(td_get(r, CERT, 179)->len, 0);

	r = td_nth(S, 1, DNSYN_IPFIX_TID_PORT, 0);
	assert_int_equal(td_u(r, 0, 150), 1700000040);
	assert_int_equal(td_u(r, 0, 151), 1700000100);
	assert_int_equal(td_u(r, 0, 11), 135);
	assert_int_equal(td_u(r, 0, 2), 99);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_SYN_MATCHED), 0);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_SYN_UNMATCHED), 99);

	r = td_nth(S, 1, DNSYN_IPFIX_TID_CLIENT4, 0);
	assert_int_equal(td_u(r, 0, 8), 0x0a000063);
	for (unsigned int k = 0; k < 6; k++)
		assert_int_equal(td_u(r, PEN, (uint16_t)(DNSYN_IE_Q_A + k)), k + 1);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_RESPONSES), 7);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_NXDOMAIN), 8);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_SYN_UNMATCHED), 9);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_Q_NAMES), 10);
	r = td_nth(S, 1, DNSYN_IPFIX_TID_CLIENT6, 0);
	assert_memory_equal(td_get(r, 0, 27)->p, cl6.client, 16);

	/* Statistics in domain 0. */
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 0, PEN);
	assert_int_equal(dnsyn_ipfix_add_meter(&m, &ms), 0);
	assert_int_equal(dnsyn_ipfix_add_export(&m, &es), 0);
	assert_int_equal(dnsyn_ipfix_add_counters(&m, &cn), 0);
	dnsyn_ipfix_msg_finish(&m, 1700000002, seq0);
	assert_int_equal(decode_ok(buf, m.len), 3);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_METER, 0);
	assert_int_equal(td_u(r, 0, 149), 1);
	assert_int_equal(td_u(r, 0, 86), 123456789);
	assert_int_equal(td_u(r, 0, 164), 42);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_EXPORT, 0);
	assert_int_equal(td_u(r, 0, 144), 1);
	assert_int_equal(td_u(r, 0, 41), 10);
	assert_int_equal(td_u(r, 0, 42), 200);
	assert_int_equal(td_u(r, 0, 40), 30000);
	assert_int_equal(td_u(r, 0, 166), 5);
	assert_int_equal(td_u(r, 0, 152), 1700000001000);
	assert_int_equal(td_u(r, 0, 153), 1700000002000);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_COUNTERS, 0);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_PARSE_ERRORS), 3);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_EVICTED_ANSWERS), 4);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_EVICTED_ADDRS), 5);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TABLE_OCCUPANCY), 600);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TABLE_CAPACITY), 1048576);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_RING_DROPS), 7);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_SYN_SET_EARLY), 8);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_QPC_REFUSED), 9);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_IV_CLIENTS_REFUSED), 10);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TCP_STREAMS_FULL), 11);
	assert_int_equal(td_u(r, PEN, DNSYN_IE_TCP_BUF_EXHAUSTED), 12);
}

/* Every field of every template is one the type records or IANA describe, and
 * the table of type records names each enterprise field once. */
static void
test_tables_consistent(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < DNSYN_IPFIX_N_TEMPLATES; i++) {
		const struct dnsyn_ipfix_template *t = &dnsyn_ipfix_templates[i];
		int varlen_seen = 0;

		assert_int_equal(t->id, 256 + i);
		assert_ptr_equal(dnsyn_ipfix_template_find(t->id), t);
		for (unsigned int k = 0; k < t->n_fields; k++) {
			const struct dnsyn_ipfix_field *f = &t->fields[k];
			int found = f->ent == DNSYN_IPFIX_IANA;

			/* Strings last: the fixed part of a record has fixed offsets. */
			if (varlen_seen && f->len != DNSYN_IPFIX_VARLEN)
				fail_msg("template %u: a fixed field after a variable-length one",
					 t->id);
			varlen_seen |= f->len == DNSYN_IPFIX_VARLEN;
			for (unsigned int j = 0; j < dnsyn_ipfix_n_ie_infos && !found; j++) {
				const struct dnsyn_ipfix_ie_info *ie = &dnsyn_ipfix_ie_infos[j];

				found = ie->ent == f->ent && ie->id == f->id &&
					strcmp(ie->name, f->name) == 0;
			}
			if (!found)
				fail_msg("template %u field %s: no type record", t->id, f->name);
		}
	}
	for (unsigned int i = 0; i < dnsyn_ipfix_n_ie_infos; i++)
		for (unsigned int j = i + 1; j < dnsyn_ipfix_n_ie_infos; j++)
			assert_false(dnsyn_ipfix_ie_infos[i].ent == dnsyn_ipfix_ie_infos[j].ent &&
				     dnsyn_ipfix_ie_infos[i].id == dnsyn_ipfix_ie_infos[j].id);
}

/* ---- variable-length strings ----------------------------------------- */

static void
test_varlen_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 254, 255, 256, 300, 1000 };
	static char name[1100];
	uint8_t buf[DNSYN_IPFIX_MTU_DEFAULT];
	struct dnsyn_ipfix_msg m;
	struct dnsyn_ipfix_corr_rec c;
	uint32_t seq = 0;

	(void)state;
	send_templates(1, 0, &seq);
	for (size_t i = 0; i < sizeof(name); i++)
		name[i] = (char)('a' + i % 26);
	memset(&c, 0, sizeof(c));
	tp_v4m(c.client, 0x0a000001);
	tp_v4m(c.server, 0x0a000002);
	for (size_t k = 0; k < DNSYN_ARRAY_SIZE(lens); k++) {
		size_t fixed = dnsyn_ipfix_template_fixed_len(dnsyn_ipfix_template_find(256));
		const uint8_t *pfx = buf + 16 + 4 + fixed;
		const struct td_rec *r;
		const struct td_value *v;

		c.qname = name;
		c.qname_len = lens[k];
		dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
		assert_int_equal(dnsyn_ipfix_add_corr(&m, &c), 0);
		dnsyn_ipfix_msg_finish(&m, 1700000000, seq);
		seq += (uint32_t)decode_ok(buf, m.len);
		/* RFC 7011 section 7: one octet below 255, else 255 and two octets. */
		if (lens[k] < 255) {
			assert_int_equal(pfx[0], lens[k]);
			assert_int_equal(m.len, 16 + 4 + fixed + 1 + lens[k]);
		} else {
			assert_int_equal(pfx[0], 255);
			assert_int_equal(pfx[1] << 8 | pfx[2], lens[k]);
			assert_int_equal(m.len, 16 + 4 + fixed + 3 + lens[k]);
		}
		r = &S->rec[S->n_rec - 1];
		v = td_get(r, CERT, 179);
		assert_int_equal(v->len, lens[k]);
		assert_memory_equal(v->p, name, lens[k]);
		assert_int_equal(m.truncated, 0);
	}
}

static void
test_escape(void **state)
{
	static const char in[] = "a\\b.\x01\xc3\xa9z";
	uint8_t out[64];
	size_t n;

	(void)state;
	n = dnsyn_ipfix_escape(in, sizeof(in) - 1, out, sizeof(out));
	assert_int_equal(n, 20);
	assert_memory_equal(out, "a\\092b.\\001\\195\\169z", n);
	/* Never half an escape: 6 octets hold "a\092b", 4 only "a". */
	assert_int_equal(dnsyn_ipfix_escape(in, sizeof(in) - 1, out, 6), 6);
	assert_int_equal(dnsyn_ipfix_escape(in, sizeof(in) - 1, out, 4), 1);
	assert_int_equal(dnsyn_ipfix_escape(in, sizeof(in) - 1, NULL, 1000), 20);
	for (size_t i = 0; i < n; i++)
		assert_true(out[i] >= 0x20 && out[i] < 0x7f);
}

/* A name that cannot fit a small MTU is cut (at an escape boundary) so that
 * the record still fits an otherwise empty message. */
static void
test_qname_truncated_to_mtu(void **state)
{
	static char name[2000];
	uint8_t buf[DNSYN_IPFIX_MTU_MIN];
	struct dnsyn_ipfix_msg m;
	struct dnsyn_ipfix_corr_rec c;
	const struct td_value *v;
	uint32_t seq = 0;

	(void)state;
	send_templates(1, 0, &seq);
	memset(name, 'x', sizeof(name));
	name[500] = '\x80'; /* an escape near the cut */
	memset(&c, 0, sizeof(c));
	tp_v6a(c.client, 1);
	tp_v6a(c.server, 2);
	c.qname = name;
	c.qname_len = sizeof(name);
	dnsyn_ipfix_msg_init(&m, buf, sizeof(buf), 1, PEN);
	assert_int_equal(dnsyn_ipfix_add_corr(&m, &c), 0);
	assert_int_equal(m.truncated, 1);
	assert_true(m.len <= DNSYN_IPFIX_MTU_MIN);
	dnsyn_ipfix_msg_finish(&m, 1700000000, seq);
	assert_int_equal(decode_ok(buf, m.len), 1);
	v = td_get(&S->rec[S->n_rec - 1], CERT, 179);
	assert_true(v->len > 300);
	for (unsigned int i = 0; i < v->len; i++)
		assert_true(v->p[i] == 'x' || v->p[i] == '\\' || (v->p[i] >= '0' && v->p[i] <= '9'));
	/* At the default MTU the cap is DNSYN_IPFIX_QNAME_MAX. */
	{
		uint8_t big[DNSYN_IPFIX_MTU_DEFAULT];

		dnsyn_ipfix_msg_init(&m, big, sizeof(big), 1, PEN);
		assert_int_equal(dnsyn_ipfix_add_corr(&m, &c), 0);
		dnsyn_ipfix_msg_finish(&m, 1700000000, seq + 1);
		assert_int_equal(decode_ok(big, m.len), 1);
		v = td_get(&S->rec[S->n_rec - 1], CERT, 179);
		assert_true(v->len <= DNSYN_IPFIX_QNAME_MAX && v->len > DNSYN_IPFIX_QNAME_MAX - 4);
	}
}

/* ---- the MTU bound ---------------------------------------------------- */

static void
test_mtu_bound(void **state)
{
	static const uint16_t mtus[] = { DNSYN_IPFIX_MTU_MIN, 576, 1400, 9000 };
	static uint8_t buf[9000];

	(void)state;
	assert_int_equal(dnsyn_ipfix_mtu_ok(DNSYN_IPFIX_MTU_MIN - 1), -EINVAL);
	assert_int_equal(dnsyn_ipfix_mtu_ok(DNSYN_IPFIX_MTU_MIN), 0);
	assert_int_equal(dnsyn_ipfix_mtu_ok(65535), 0);
	assert_int_equal(dnsyn_ipfix_mtu_ok(65536), -EINVAL);
	for (size_t k = 0; k < DNSYN_ARRAY_SIZE(mtus); k++) {
		uint64_t st = 0x1234 + k;
		unsigned int want = 0, got = 0, msgs = 0;
		uint32_t seq = 0;
		struct dnsyn_ipfix_msg m;

		td_init(S);
		send_templates(1, 0, &seq);
		dnsyn_ipfix_msg_init(&m, buf, mtus[k], 1, PEN);
		for (unsigned int i = 0; i < 500; i++) {
			struct dnsyn_ipfix_corr_rec c;
			struct dnsyn_ipfix_port_rec p = { 1, 2, (uint16_t)i, i, 0, i };
			struct dnsyn_ipfix_client_rec cl;
			struct dnsyn_ipfix_alert_rec al;
			struct dnsyn_ipfix_top_rec tr = { 1, 2, (uint16_t)(i % 10 + 1), { 0 }, 128, i };
			static char name[400];
			int rc;

			memset(&c, 0, sizeof(c));
			memset(&cl, 0, sizeof(cl));
			memset(name, 'n', sizeof(name) - 1); /* the alert's reason ends with it */
			if (tp_xorshift(&st) & 1)
				tp_v4m(c.client, i);
			else
				tp_v6a(c.client, (uint16_t)i);
			tp_v4m(c.server, i);
			c.qname = name;
			c.qname_len = tp_xorshift(&st) % sizeof(name);
			memcpy(cl.client, c.client, 16);
			memset(&al, 0, sizeof(al));
			memcpy(al.addr, c.client, 16);
			al.reason = name + tp_xorshift(&st) % sizeof(name) / 2;
			tr.client[15] = (uint8_t)i;
			tr.client[10] = tr.client[11] = (uint8_t)(i & 1 ? 0xff : 0);
			for (int kind = 0; kind < 5; kind++) {
				for (int attempt = 0; attempt < 2; attempt++) {
					uint16_t before = m.len;

					rc = kind == 0   ? dnsyn_ipfix_add_corr(&m, &c)
					     : kind == 1 ? dnsyn_ipfix_add_port(&m, &p)
					     : kind == 2 ? dnsyn_ipfix_add_client(&m, &cl)
					     : kind == 3 ? dnsyn_ipfix_add_alert(&m, &al)
							 : dnsyn_ipfix_add_top(&m, &tr);
					if (rc == 0)
						break;
					/* Refused: the message is exactly as it was. */
					assert_int_equal(rc, -ENOSPC);
					assert_int_equal(m.len, before);
					assert_false(dnsyn_ipfix_msg_empty(&m));
					dnsyn_ipfix_msg_finish(&m, 1700000000, seq);
					assert_true(m.len <= mtus[k]);
					got += (unsigned int)decode_ok(buf, m.len);
					seq += m.n_data;
					msgs++;
					dnsyn_ipfix_msg_init(&m, buf, mtus[k], 1, PEN);
				}
				assert_int_equal(rc, 0);
				want++;
			}
		}
		dnsyn_ipfix_msg_finish(&m, 1700000000, seq);
		got += (unsigned int)decode_ok(buf, m.len);
		assert_int_equal(got, want);
		assert_true(msgs > 1);
	}
}

/* ---- from an interval's tables ---------------------------------------- */

struct collect {
	struct dnsyn_ipfix_port_rec ports[8];
	struct dnsyn_ipfix_client_rec clients[8];
	unsigned int np, nc;
	int stop_after;
};

static int
on_port(void *ud, const struct dnsyn_ipfix_port_rec *r)
{
	struct collect *c = ud;

	if (c->stop_after && (int)(c->np + c->nc) >= c->stop_after)
		return -42;
	assert_true(c->np < 8);
	c->ports[c->np++] = *r;
	return 0;
}

static int
on_client(void *ud, const struct dnsyn_ipfix_client_rec *r)
{
	struct collect *c = ud;

	assert_true(c->nc < 8);
	c->clients[c->nc++] = *r;
	return 0;
}

static void
test_from_interval(void **state)
{
	struct dnsyn_interval iv;
	struct collect c;
	uint8_t a[16], b[16];
	long n;

	(void)state;
	assert_int_equal(dnsyn_interval_init(&iv, 60, 100), 0);
	dnsyn_interval_reset(&iv, 1700000040);
	iv.syn_dport[0] = 1;
	iv.syn_dport[135] = 50;
	iv.syn_dport[443] = 10;
	iv.matched_dport[443] = 8;
	iv.syn_dport[65535] = 2;
	iv.matched_dport[65535] = 2;
	tp_v4m(a, 0x0a000063);
	tp_v6a(b, 7);
	dnsyn_interval_client(&iv, a)->unmatched_syn = 50;
	dnsyn_interval_client(&iv, b)->unmatched_syn = 3;
	dnsyn_interval_client(&iv, b)->queries[DNSYN_IVQ_MX] = 4;
	dnsyn_interval_client(&iv, b)->queries[DNSYN_IVQ_OTHER] = 1;
	dnsyn_interval_client(&iv, b)->responses = 5;
	dnsyn_interval_client(&iv, b)->nxdomain = 2;

	memset(&c, 0, sizeof(c));
	n = dnsyn_ipfix_from_interval(&iv, on_port, on_client, NULL, &c);
	assert_int_equal(n, 6);
	assert_int_equal(c.np, 4);
	assert_int_equal(c.ports[0].dport, 0);
	assert_int_equal(c.ports[1].dport, 135);
	assert_int_equal(c.ports[1].syn, 50);
	assert_int_equal(c.ports[1].matched, 0);
	assert_int_equal(c.ports[1].unmatched, 50);
	assert_int_equal(c.ports[2].dport, 443);
	assert_int_equal(c.ports[2].matched, 8);
	assert_int_equal(c.ports[2].unmatched, 2);
	assert_int_equal(c.ports[3].dport, 65535);
	assert_int_equal(c.ports[3].unmatched, 0);
	assert_int_equal(c.ports[2].start_s, 1700000040);
	assert_int_equal(c.ports[2].end_s, 1700000100);
	assert_int_equal(c.nc, 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct dnsyn_ipfix_client_rec *r = &c.clients[i];

		int is_a = memcmp(r->client, a, 16) == 0;

		assert_int_equal(r->unmatched_syn, is_a ? 50 : 3);
		assert_int_equal(r->q_mx, is_a ? 0 : 4);
		assert_int_equal(r->q_other, is_a ? 0 : 1);
		assert_int_equal(r->responses, is_a ? 0 : 5);
		assert_int_equal(r->nxdomain, is_a ? 0 : 2);
		assert_int_equal(r->q_a + r->q_aaaa + r->q_ptr + r->q_txt, 0);
	}
	/* A callback can stop the walk. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(dnsyn_ipfix_from_interval(&iv, on_port, on_client, NULL, &c), -42);
	/* An empty interval: nothing. */
	dnsyn_interval_reset(&iv, 1700000100);
	memset(&c, 0, sizeof(c));
	assert_int_equal(dnsyn_ipfix_from_interval(&iv, on_port, on_client, NULL, &c), 0);
	dnsyn_interval_fini(&iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_port_record_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pen_and_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_record_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_record_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert_template_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_detection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_every_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_varlen_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qname_truncated_to_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtu_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_interval, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
