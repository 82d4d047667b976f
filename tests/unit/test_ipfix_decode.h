/* SPDX-License-Identifier: BSD-3-Clause */
/* A small, strict IPFIX (RFC 7011) decoder for the tests, written from the RFC
 * and not from the encoder: it learns templates per observation domain,
 * decodes data sets with them (variable-length fields included), and rejects
 * what a lenient collector would let pass: a wrong length, a set running past
 * the message, trailing octets (padding) in a set, data before its template,
 * a sequence number that is not the count of data records so far. Header-only. */
#ifndef TEST_IPFIX_DECODE_H
#define TEST_IPFIX_DECODE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TD_MAX_FIELDS 32
#define TD_MAX_TMPL 64
#define TD_MAX_REC 4096
#define TD_MAX_DOM 4
#define TD_ARENA (4u << 20)

struct td_field {
	uint16_t id, len;
	uint32_t pen; /* 0: IANA */
};

struct td_tmpl {
	uint32_t odid;
	uint16_t id, n, scope;
	int options, used;
	struct td_field f[TD_MAX_FIELDS];
};

struct td_value {
	uint32_t pen;
	uint16_t id, len;
	const uint8_t *p;
};

struct td_rec {
	uint32_t odid;
	uint16_t tid;
	unsigned int n;
	struct td_value v[TD_MAX_FIELDS];
};

struct td_session {
	struct td_tmpl tmpl[TD_MAX_TMPL];
	unsigned int n_tmpl;
	struct {
		uint32_t odid, next_seq;
		int used;
	} dom[TD_MAX_DOM];
	struct td_rec rec[TD_MAX_REC];
	unsigned int n_rec;
	unsigned int n_msgs, n_template_recs, n_template_sets, n_option_sets;
	uint32_t last_export_time;
	int check_seq;
	uint8_t arena[TD_ARENA];
	size_t arena_len;
	char err[200];
};

static inline uint64_t
td_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void
td_init(struct td_session *s)
{
	memset(s, 0, offsetof(struct td_session, arena));
	s->arena_len = 0;
	s->check_seq = 1;
}

static inline struct td_tmpl *
td_find(struct td_session *s, uint32_t odid, uint16_t id)
{
	for (unsigned int i = 0; i < s->n_tmpl; i++)
		if (s->tmpl[i].used && s->tmpl[i].odid == odid && s->tmpl[i].id == id)
			return &s->tmpl[i];
	return NULL;
}

#define TD_FAIL(s, ...)                                                                       \
	do {                                                                                  \
		snprintf((s)->err, sizeof((s)->err), __VA_ARGS__);                            \
		return -1;                                                                    \
	} while (0)

/* One template or options template set's records. */
static inline int
td_templates(struct td_session *s, uint32_t odid, int options, const uint8_t *p, size_t len)
{
	size_t off = 0;

	s->n_template_sets += !options;
	s->n_option_sets += options;
	while (off < len) {
		struct td_tmpl t;
		struct td_tmpl *slot;

		memset(&t, 0, sizeof(t));
		if (len - off < (size_t)(options ? 6 : 4))
			TD_FAIL(s, "template set: %zu trailing octets", len - off);
		t.odid = odid;
		t.options = options;
		t.id = (uint16_t)td_be(p + off, 2);
		t.n = (uint16_t)td_be(p + off + 2, 2);
		t.scope = options ? (uint16_t)td_be(p + off + 4, 2) : 0;
		off += options ? 6 : 4;
		if (t.id < 256)
			TD_FAIL(s, "template id %u < 256", t.id);
		if (t.n == 0)
			TD_FAIL(s, "template %u: withdrawal", t.id);
		if (t.n > TD_MAX_FIELDS)
			TD_FAIL(s, "template %u: %u fields", t.id, t.n);
		if (options && (t.scope == 0 || t.scope > t.n))
			TD_FAIL(s, "options template %u: scope count %u", t.id, t.scope);
		for (unsigned int i = 0; i < t.n; i++) {
			uint16_t id;

			if (len - off < 4)
				TD_FAIL(s, "template %u: field %u cut", t.id, i);
			id = (uint16_t)td_be(p + off, 2);
			t.f[i].len = (uint16_t)td_be(p + off + 2, 2);
			off += 4;
			if (id & 0x8000) {
				if (len - off < 4)
					TD_FAIL(s, "template %u: PEN of field %u cut", t.id, i);
				t.f[i].pen = (uint32_t)td_be(p + off, 4);
				if (t.f[i].pen == 0)
					TD_FAIL(s, "template %u: enterprise bit with PEN 0", t.id);
				off += 4;
			}
			t.f[i].id = id & 0x7fff;
			if (t.f[i].len == 0)
				TD_FAIL(s, "template %u: field %u of length 0", t.id, i);
		}
		t.used = 1;
		slot = td_find(s, odid, t.id);
		if (slot == NULL) {
			if (s->n_tmpl == TD_MAX_TMPL)
				TD_FAIL(s, "too many templates");
			slot = &s->tmpl[s->n_tmpl++];
		}
		*slot = t;
		s->n_template_recs++;
	}
	return 0;
}

static inline int
td_data(struct td_session *s, uint32_t odid, const struct td_tmpl *t, const uint8_t *p, size_t len,
	uint32_t *n_data)
{
	size_t off = 0;

	while (off < len) {
		struct td_rec *r;

		if (s->n_rec == TD_MAX_REC)
			TD_FAIL(s, "too many records");
		r = &s->rec[s->n_rec];
		r->odid = odid;
		r->tid = t->id;
		r->n = t->n;
		for (unsigned int i = 0; i < t->n; i++) {
			size_t flen = t->f[i].len;

			if (flen == 65535) {
				if (len - off < 1)
					TD_FAIL(s, "template %u: varlen prefix cut", t->id);
				flen = p[off++];
				if (flen == 255) {
					if (len - off < 2)
						TD_FAIL(s, "template %u: long varlen prefix cut", t->id);
					flen = td_be(p + off, 2);
					off += 2;
					if (flen < 255)
						TD_FAIL(s, "template %u: 3-octet prefix for %zu", t->id,
							flen);
				}
			}
			if (len - off < flen)
				TD_FAIL(s, "template %u: record cut at field %u (%zu left, %zu wanted)",
					t->id, i, len - off, flen);
			r->v[i].pen = t->f[i].pen;
			r->v[i].id = t->f[i].id;
			r->v[i].len = (uint16_t)flen;
			r->v[i].p = p + off;
			off += flen;
		}
		s->n_rec++;
		(*n_data)++;
	}
	return 0;
}

/**
 * Decode one message. @return the number of data records, or -1 with s->err.
 * The bytes are copied into the session so records stay valid.
 */
static inline int
td_decode(struct td_session *s, const uint8_t *msg_in, size_t len)
{
	uint32_t odid, seq, n_data = 0;
	const uint8_t *msg;
	size_t off;
	unsigned int d;

	if (len < 16)
		TD_FAIL(s, "message of %zu octets", len);
	if (s->arena_len + len > sizeof(s->arena))
		TD_FAIL(s, "arena full");
	memcpy(s->arena + s->arena_len, msg_in, len);
	msg = s->arena + s->arena_len;
	s->arena_len += len;
	if (td_be(msg, 2) != 10)
		TD_FAIL(s, "version %u", (unsigned int)td_be(msg, 2));
	if (td_be(msg + 2, 2) != len)
		TD_FAIL(s, "header length %u, message %zu", (unsigned int)td_be(msg + 2, 2), len);
	if ((uint32_t)td_be(msg + 4, 4) < s->last_export_time)
		TD_FAIL(s, "export time went backwards");
	s->last_export_time = (uint32_t)td_be(msg + 4, 4);
	seq = (uint32_t)td_be(msg + 8, 4);
	odid = (uint32_t)td_be(msg + 12, 4);
	for (d = 0; d < TD_MAX_DOM; d++)
		if (!s->dom[d].used || s->dom[d].odid == odid)
			break;
	if (d == TD_MAX_DOM)
		TD_FAIL(s, "too many domains");
	if (!s->dom[d].used) {
		s->dom[d].used = 1;
		s->dom[d].odid = odid;
		s->dom[d].next_seq = seq;
	}
	if (s->check_seq && seq != s->dom[d].next_seq)
		TD_FAIL(s, "domain %u: sequence %u, expected %u", odid, seq, s->dom[d].next_seq);
	for (off = 16; off < len;) {
		uint16_t sid, slen;

		if (len - off < 4)
			TD_FAIL(s, "%zu octets after the last set", len - off);
		sid = (uint16_t)td_be(msg + off, 2);
		slen = (uint16_t)td_be(msg + off + 2, 2);
		if (slen < 4 || slen > len - off)
			TD_FAIL(s, "set %u: length %u, %zu left", sid, slen, len - off);
		if (slen == 4)
			TD_FAIL(s, "set %u: empty", sid);
		if (sid == 2 || sid == 3) {
			if (td_templates(s, odid, sid == 3, msg + off + 4, slen - 4u) < 0)
				return -1;
		} else if (sid >= 256) {
			const struct td_tmpl *t = td_find(s, odid, sid);

			if (t == NULL)
				TD_FAIL(s, "data set %u in domain %u before its template", sid, odid);
			if (td_data(s, odid, t, msg + off + 4, slen - 4u, &n_data) < 0)
				return -1;
		} else {
			TD_FAIL(s, "set id %u", sid);
		}
		off += slen;
	}
	s->dom[d].next_seq = seq + n_data;
	s->n_msgs++;
	return (int)n_data;
}

/** Decode a stream of messages (a file, a TCP byte stream). -1 on error. */
static inline int
td_decode_stream(struct td_session *s, const uint8_t *p, size_t len)
{
	size_t off = 0;
	int total = 0;

	while (off < len) {
		size_t ml;
		int n;

		if (len - off < 4)
			TD_FAIL(s, "stream: %zu trailing octets", len - off);
		ml = td_be(p + off + 2, 2);
		if (ml < 16 || ml > len - off)
			TD_FAIL(s, "stream: message length %zu, %zu left", ml, len - off);
		n = td_decode(s, p + off, ml);
		if (n < 0)
			return -1;
		total += n;
		off += ml;
	}
	return total;
}

static inline const struct td_value *
td_get(const struct td_rec *r, uint32_t pen, uint16_t id)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->v[i].pen == pen && r->v[i].id == id)
			return &r->v[i];
	return NULL;
}

/* The value as an unsigned number; UINT64_MAX when absent. */
static inline uint64_t
td_u(const struct td_rec *r, uint32_t pen, uint16_t id)
{
	const struct td_value *v = td_get(r, pen, id);

	return v ? td_be(v->p, v->len) : UINT64_MAX;
}

static inline unsigned int
td_count(const struct td_session *s, uint32_t odid, uint16_t tid)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_rec; i++)
		n += s->rec[i].odid == odid && s->rec[i].tid == tid;
	return n;
}

static inline const struct td_rec *
td_nth(const struct td_session *s, uint32_t odid, uint16_t tid, unsigned int k)
{
	for (unsigned int i = 0; i < s->n_rec; i++)
		if (s->rec[i].odid == odid && s->rec[i].tid == tid && k-- == 0)
			return &s->rec[i];
	return NULL;
}

#endif
