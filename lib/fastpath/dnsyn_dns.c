/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS message walk, RFC 1035 §4.1. Counting needs only to *skip* names, which
 * never follows a pointer; decoding (dnsyn_dns_name_decode) follows pointers
 * with the loop and length limits of §4.1.4. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_dns.h"

static const char *const status_names[DNSYN_DNS_STATUS_MAX] = {
	[DNSYN_DNS_OK] = "ok",
	[DNSYN_DNS_SHORT] = "short",
	[DNSYN_DNS_BAD_QUESTION] = "bad_question",
	[DNSYN_DNS_BAD_ANSWER] = "bad_answer",
	[DNSYN_DNS_BAD_AUTH] = "bad_authority",
	[DNSYN_DNS_BAD_ADDL] = "bad_additional",
};

const char *
dnsyn_dns_status_name(int status)
{
	return DNSYN_ENUM_NAME(status_names, status);
}


/* Skip the name at *off without following pointers. 0 (it ended with the
 * root label), 1 (with a pointer) or -EINVAL. */
static int
name_skip(const uint8_t *msg, uint32_t len, uint32_t *off)
{
	uint32_t o = *off, wire = 0;

	for (;;) {
		uint8_t l;

		if (o >= len)
			return -EINVAL;
		l = msg[o];
		if (l == 0) {
			*off = o + 1;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) { /* pointer: the name ends here */
			if (o + 2 > len)
				return -EINVAL;
			*off = o + 2;
			return 1;
		}
		if (l & 0xc0) /* 0x40/0x80: extended/reserved label types */
			return -EINVAL;
		wire += l + 1u;
		if (wire + 1 > 255) /* RFC 1035 §3.1: 255 octets with the root label */
			return -EINVAL;
		o += l + 1u;
	}
}

int
dnsyn_dns_name_decode(const uint8_t *msg, uint32_t len, uint32_t off, char *out, size_t outlen)
{
	size_t w = 0;
	uint32_t wire = 0, jumps = 0, lowest = off;

	if (outlen == 0)
		return -EMSGSIZE;
	for (;;) {
		uint8_t l;
		uint32_t i;

		if (off >= len)
			return -EINVAL;
		l = msg[off];
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0) {
			uint32_t tgt;

			if (off + 2 > len)
				return -EINVAL;
			tgt = ((uint32_t)(l & 0x3f) << 8) | msg[off + 1];
			/* Only strictly backwards, past the header: no loops possible,
			 * and the jump cap bounds the work anyway. */
			if (tgt < DNSYN_DNS_HDR_LEN || tgt >= lowest || ++jumps > DNSYN_DNS_MAX_JUMPS)
				return -EINVAL;
			off = lowest = tgt;
			continue;
		}
		if (l & 0xc0)
			return -EINVAL;
		if (off + 1u + l > len)
			return -EINVAL;
		wire += l + 1u;
		if (wire + 1 > 255)
			return -EINVAL;
		if (w > 0) {
			if (w + 1 >= outlen)
				return -EMSGSIZE;
			out[w++] = '.';
		}
		for (i = 0; i < l; i++) {
			uint8_t c = msg[off + 1 + i];
			int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9') || c == '-' || c == '_';

			if (plain) {
				if (w + 1 >= outlen)
					return -EMSGSIZE;
				out[w++] = (char)c;
			} else {
				if (w + 4 >= outlen)
					return -EMSGSIZE;
				out[w++] = '\\';
				out[w++] = (char)('0' + c / 100);
				out[w++] = (char)('0' + (c / 10) % 10);
				out[w++] = (char)('0' + c % 10);
			}
		}
		off += 1u + l;
	}
	if (w == 0) {
		if (outlen < 2)
			return -EMSGSIZE;
		out[w++] = '.';
	}
	out[w] = '\0';
	return (int)w;
}

/* Resolve compression pointers at @p *off until a label (or the root) starts
 * there. Pointers must go strictly backwards and not into the header. */
static int
name_follow(const uint8_t *msg, uint32_t len, uint32_t *off, uint32_t *jumps)
{
	while (*off < len && (msg[*off] & 0xc0) == 0xc0) {
		uint32_t tgt;

		if (*off + 2 > len)
			return -EINVAL;
		tgt = ((uint32_t)(msg[*off] & 0x3f) << 8) | msg[*off + 1];
		if (tgt < DNSYN_DNS_HDR_LEN || tgt >= *off || ++*jumps > DNSYN_DNS_MAX_JUMPS)
			return -EINVAL;
		*off = tgt;
	}
	return *off < len ? 0 : -EINVAL;
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* 1 when the rest of a name, from @p off, is well formed (the limits of
 * dnsyn_dns_name_decode(), continuing from @p jumps and @p wire). */
static int
name_valid(const uint8_t *msg, uint32_t len, uint32_t off, uint32_t jumps, uint32_t wire)
{
	for (;;) {
		uint8_t l;

		if (name_follow(msg, len, &off, &jumps) < 0)
			return 0;
		l = msg[off];
		if (l == 0)
			return 1;
		if ((l & 0xc0) || off + 1u + l > len || (wire += l + 1u) + 1 > 255)
			return 0;
		off += 1u + l;
	}
}

int
dnsyn_dns_name_equal(const uint8_t *msg, uint32_t len, uint32_t a, uint32_t b)
{
	uint32_t ja = 0, jb = 0, wire = 0;

	for (;;) {
		uint8_t la, lb;
		uint32_t i;

		if (name_follow(msg, len, &a, &ja) < 0 || name_follow(msg, len, &b, &jb) < 0)
			return 0;
		if (a == b) /* same bytes from here on (the common, compressed case) */
			return name_valid(msg, len, a, DNSYN_MAX(ja, jb), wire);
		la = msg[a];
		lb = msg[b];
		if (la != lb || (la & 0xc0))
			return 0;
		if (la == 0)
			return 1;
		if (a + 1u + la > len || b + 1u + lb > len || (wire += la + 1u) + 1 > 255)
			return 0;
		for (i = 1; i <= la; i++)
			if (lower(msg[a + i]) != lower(msg[b + i]))
				return 0;
		a += 1u + la;
		b += 1u + lb;
	}
}

uint32_t
dnsyn_dns_name_hash(const uint8_t *msg, uint32_t len, uint32_t off)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a: names are short, no setup */
	uint32_t jumps = 0, wire = 0, i;

	for (;;) {
		uint8_t l;

		if (name_follow(msg, len, &off, &jumps) < 0)
			return 0;
		l = msg[off];
		if (l & 0xc0)
			return 0;
		h = (h ^ l) * 0x100000001b3ULL;
		if (l == 0)
			return (uint32_t)(h ^ (h >> 32)) | 1; /* never 0: 0 is "no name" */
		if (off + 1u + l > len || (wire += l + 1u) + 1 > 255)
			return 0;
		for (i = 1; i <= l; i++)
			h = (h ^ lower(msg[off + i])) * 0x100000001b3ULL;
		off += 1u + l;
	}
}

/*
 * The CNAME chain and the addresses' owners compare many names with one name,
 * the chain's current end ("cur"). dnsyn_dns_name_equal(x, cur) is 1 iff both
 * names are valid (jumps, bounds, length) and have the same labels; done once
 * per owner it walked up to 16 jumps and 127 labels each time, and a message
 * can make every comparison that long (owners that are pointer ladders, CNAME
 * owners at the suffixes of one 255-byte name: 8-64 times the cycles per
 * byte of an ordinary answer, tests/gen parsework). So for each position of
 * the message that starts a label, the name there is matched against cur once:
 * it equals cur's suffix from label k (k = cur's label count for the root)
 * iff its first label is cur's label k and the name after it equals the
 * suffix from k + 1. The memo holds k (or none) and the jumps from there to
 * the end, so a comparison costs the owner's own jumps plus the positions no
 * earlier comparison with the same cur visited.
 */
#define CHAIN_NONE 0xffu     /* equals no suffix of cur, or is not a valid name */
#define CHAIN_ON_STACK 0xfeu /* being matched: reaching it again is a loop */
#define CHAIN_WIN 128u       /* labels a valid name cannot reach (127 at most) */

struct chain_cur {
	uint32_t lab[DNSYN_DNS_MAX_LABELS]; /* offset of each label, in order */
	unsigned int n;                     /* labels */
	int valid;
	uint32_t start;  /* where its first label (or root) is, pointers followed */
	uint32_t jumps;  /* jumps from there to its end */
};

static inline int
label_eq(const uint8_t *msg, uint32_t a, uint32_t b)
{
	unsigned int l = msg[a], i;

	if (l != msg[b])
		return 0;
	for (i = 1; i <= l; i++)
		if (lower(msg[a + i]) != lower(msg[b + i]))
			return 0;
	return 1;
}

/* Make @p off the name the memo matches against (a new stamp forgets the old). */
static void
chain_set_cur(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m, uint32_t off,
	      struct chain_cur *c)
{
	uint32_t jumps = 0, wire = 0, j_start = 0;

	if (m->chain_init != DNSYN_DNS_CHAIN_INIT || ++m->chain_stamp == 0) {
		memset(m->chain_memo, 0, sizeof(m->chain_memo));
		m->chain_init = DNSYN_DNS_CHAIN_INIT;
		m->chain_stamp = 1;
	}
	c->n = 0;
	c->valid = 0;
	c->start = UINT32_MAX;
	for (;;) {
		uint8_t l;

		if (name_follow(msg, len, &off, &jumps) < 0)
			return;
		if (c->start == UINT32_MAX) {
			c->start = off;
			j_start = jumps;
		}
		l = msg[off];
		if (l == 0) {
			c->valid = 1;
			c->jumps = jumps - j_start;
			return;
		}
		if ((l & 0xc0) || off + 1u + l > len || (wire += l + 1u) + 1 > 255)
			return;
		c->lab[c->n++] = off; /* wire <= 254: at most 127 labels */
		off += 1u + l;
	}
}

static inline void
memo_put(struct dnsyn_dns_msg *m, uint32_t pos, unsigned int code, unsigned int ptrs)
{
	m->chain_memo[pos] = (uint32_t)m->chain_stamp << 16 | code << 8 | ptrs;
}

/*
 * Which suffix of cur the name at label start @p x equals (CHAIN_NONE: none),
 * and in *ptrs the jumps from @p x to its end (DNSYN_DNS_MAX_JUMPS + 1: too
 * many). Walks until a position already matched, the root, a fault or a loop,
 * keeping the last CHAIN_WIN labels (anything further back has too many labels
 * or jumps ahead of it to be valid), then fills the memo backwards.
 */
static unsigned int
chain_match(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m, const struct chain_cur *c,
	    uint32_t x, unsigned int *ptrs)
{
	uint32_t st[CHAIN_WIN], x0 = x, e;
	uint8_t sc[CHAIN_WIN];
	unsigned int bot = 0, n = 0, psum = 0, code, p, i;
	const uint32_t stamp = (uint32_t)m->chain_stamp << 16;

	for (;;) {
		uint32_t y, k = 0;
		uint8_t l;

		e = m->chain_memo[x];
		if ((e & 0xffff0000u) == stamp) {
			code = (e >> 8) & 0xff;
			p = e & 0xff;
			if (code == CHAIN_ON_STACK) /* a pointer loop: no end */
				code = CHAIN_NONE, p = DNSYN_DNS_MAX_JUMPS + 1;
			break;
		}
		l = msg[x];
		if (l == 0) {
			code = c->n;
			p = 0;
			memo_put(m, x, code, 0);
			break;
		}
		code = CHAIN_NONE;
		p = DNSYN_DNS_MAX_JUMPS + 1;
		if ((l & 0xc0) || x + 1u + l > len) {
			memo_put(m, x, code, p);
			break;
		}
		if (n == CHAIN_WIN) { /* the oldest has 128 labels ahead */
			memo_put(m, st[bot], CHAIN_NONE, p);
			psum -= sc[bot];
			bot = (bot + 1) % CHAIN_WIN;
			n--;
		}
		i = (bot + n++) % CHAIN_WIN;
		st[i] = x;
		sc[i] = 0;
		memo_put(m, x, CHAIN_ON_STACK, 0);
		y = x + 1u + l;
		while (y < len && (msg[y] & 0xc0) == 0xc0) {
			uint32_t tgt;

			if (y + 2 > len)
				break;
			tgt = ((uint32_t)(msg[y] & 0x3f) << 8) | msg[y + 1];
			if (tgt < DNSYN_DNS_HDR_LEN || tgt >= y || ++k > DNSYN_DNS_MAX_JUMPS)
				break;
			y = tgt;
		}
		if (y >= len || (msg[y] & 0xc0) == 0xc0)
			break; /* a bad pointer: nothing on the stack is a valid name */
		sc[i] = (uint8_t)k;
		psum += k;
		while (psum > DNSYN_DNS_MAX_JUMPS) { /* the oldest has too many jumps ahead */
			memo_put(m, st[bot], CHAIN_NONE, p);
			psum -= sc[bot];
			bot = (bot + 1) % CHAIN_WIN;
			n--;
		}
		x = y;
	}
	while (n) {
		i = (bot + --n) % CHAIN_WIN;
		p = DNSYN_MIN(p + sc[i], DNSYN_DNS_MAX_JUMPS + 1u);
		code = code != CHAIN_NONE && code >= 1 && p <= DNSYN_DNS_MAX_JUMPS &&
				       label_eq(msg, st[i], c->lab[code - 1])
			       ? code - 1
			       : CHAIN_NONE;
		memo_put(m, st[i], code, p);
	}
	e = m->chain_memo[x0];
	*ptrs = e & 0xff;
	return (e >> 8) & 0xff;
}

/* dnsyn_dns_name_equal(@p x, cur), through the memo. */
static int
names_cur(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m, const struct chain_cur *c,
	  uint32_t x)
{
	uint32_t j = 0;
	unsigned int p;

	if (!c->valid || name_follow(msg, len, &x, &j) < 0)
		return 0;
	if (x == c->start) /* the usual owner: a pointer to cur itself */
		return j + c->jumps <= DNSYN_DNS_MAX_JUMPS;
	/* Most other names differ at once (the checks chain_match makes there). */
	if (c->n == 0 ? msg[x] != 0 : !(x + 1u + msg[x] <= len && label_eq(msg, x, c->lab[0])))
		return 0;
	return chain_match(msg, len, m, c, x, &p) == 0 && j + p <= DNSYN_DNS_MAX_JUMPS;
}

/* Follow the CNAME chain from the question name and check each address's owner. */
static void
follow_chain(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m)
{
	struct chain_cur c;
	uint32_t cur = m->qname_off;
	unsigned int hop, i;

	chain_set_cur(msg, len, m, cur, &c);
	for (hop = 0; hop < DNSYN_DNS_MAX_CNAMES; hop++) {
		for (i = 0; i < m->n_cname_list; i++)
			if (names_cur(msg, len, m, &c, m->cname_owner[i]))
				break;
		if (i == m->n_cname_list)
			break;
		cur = m->cname_target[i];
		chain_set_cur(msg, len, m, cur, &c);
	}
	m->chain_len = (uint8_t)hop;
	if (hop == DNSYN_DNS_MAX_CNAMES) /* a loop only if the chain would go on */
		for (i = 0; i < m->n_cname_list && !m->chain_loop; i++)
			m->chain_loop = (uint8_t)names_cur(msg, len, m, &c, m->cname_owner[i]);
	for (i = 0; i < m->n_addr; i++)
		m->n_addr_off_chain += !names_cur(msg, len, m, &c, m->addr_owner[i]);
}

/* Walk one section of @count RRs. Returns 0 or -EINVAL at the first RR that does
 * not fit (the RRs before it stay counted). */
static int
walk_rrs(const uint8_t *msg, uint32_t len, uint32_t *off, uint16_t count, int section,
	 struct dnsyn_dns_msg *m)
{
	uint32_t o = *off;
	unsigned int i, n = DNSYN_MIN(count, DNSYN_DNS_MAX_RRS);

	for (i = 0; i < n; i++) {
		uint16_t type, cls, rdlen;
		uint32_t ttl, owner = o;

		if (name_skip(msg, len, &o) < 0 || o + 10 > len)
			return -EINVAL;
		type = DNSYN_RD16(msg + o);
		cls = DNSYN_RD16(msg + o + 2);
		ttl = DNSYN_RD32(msg + o + 4);
		rdlen = DNSYN_RD16(msg + o + 8);
		o += 10;
		if (o + rdlen > len)
			return -EINVAL;
		m->n_rr++;
		if (section == 1) {
			int v6 = -1;

			if (type == DNSYN_DNS_T_A && cls == DNSYN_DNS_C_IN && rdlen == 4) {
				m->n_a++;
				v6 = 0;
			} else if (type == DNSYN_DNS_T_AAAA && cls == DNSYN_DNS_C_IN && rdlen == 16) {
				m->n_aaaa++;
				v6 = 1;
			} else if (type == DNSYN_DNS_T_CNAME) {
				m->n_cname++;
				if (m->n_cname_list <= DNSYN_DNS_MAX_CNAMES) {
					m->cname_owner[m->n_cname_list] = (uint16_t)owner;
					m->cname_target[m->n_cname_list++] = (uint16_t)o;
				}
			}
			if (v6 >= 0) {
				if (ttl < m->ttl_min)
					m->ttl_min = ttl;
				if (m->n_addr < DNSYN_DNS_MAX_ADDRS) {
					m->addr_owner[m->n_addr] = (uint16_t)owner;
					m->addr[m->n_addr++] = o | ((uint32_t)v6 << 16);
				}
			}
		} else if (section == 3 && type == DNSYN_DNS_T_OPT && !m->has_opt) {
			/* RFC 6891 §6.1.3: TTL carries EXTENDED-RCODE in its top byte. */
			m->has_opt = 1;
			m->ext_rcode = (uint16_t)(((ttl >> 24) << 4) | m->rcode);
		}
		o += rdlen;
	}
	*off = o;
	return 0;
}

/* Whether every address's owner is a pointer straight to the question name
 * (which the answers of nearly every lookup are). */
static int
owners_are_qname(const uint8_t *msg, const struct dnsyn_dns_msg *m)
{
	const uint8_t hi = (uint8_t)(0xc0 | m->qname_off >> 8), lo = (uint8_t)m->qname_off;
	unsigned int i;

	/* a first byte >= 0xc0 was a pointer to name_skip(): its 2 bytes fit */
	for (i = 0; i < m->n_addr; i++)
		if (msg[m->addr_owner[i]] != hi || msg[m->addr_owner[i] + 1] != lo)
			return 0;
	return 1;
}

int
dnsyn_dns_parse(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m)
{
	uint32_t off = DNSYN_DNS_HDR_LEN;
	unsigned int i;
	int qname_plain = 0; /* the question name ends with the root, no pointer */

	memset(m, 0, offsetof(struct dnsyn_dns_msg, addr));
	m->n_cname_list = 0;
	m->ttl_min = UINT32_MAX;
	if (len < DNSYN_DNS_HDR_LEN) {
		m->status = DNSYN_DNS_SHORT;
		return -EINVAL;
	}
	if (len > 0xffff)
		len = 0xffff;
	m->id = DNSYN_RD16(msg);
	m->qr = msg[2] >> 7;
	m->opcode = (msg[2] >> 3) & 0x0f;
	m->tc = (msg[2] >> 1) & 1;
	m->rcode = msg[3] & 0x0f;
	m->ext_rcode = m->rcode;
	m->qdcount = DNSYN_RD16(msg + 4);
	m->ancount = DNSYN_RD16(msg + 6);
	m->nscount = DNSYN_RD16(msg + 8);
	m->arcount = DNSYN_RD16(msg + 10);

	for (i = 0; i < DNSYN_MIN(m->qdcount, DNSYN_DNS_MAX_RRS); i++) {
		uint32_t name = off;
		int end = name_skip(msg, len, &off);

		if (end < 0 || off + 4 > len) {
			m->status = DNSYN_DNS_BAD_QUESTION;
			return 0;
		}
		if (i == 0) {
			qname_plain = end == 0;
			m->qname_off = (uint16_t)name;
			m->qtype = DNSYN_RD16(msg + off);
			m->qclass = DNSYN_RD16(msg + off + 2);
		}
		off += 4;
	}
	if (walk_rrs(msg, len, &off, m->ancount, 1, m) < 0)
		m->status = DNSYN_DNS_BAD_ANSWER;
	/* No CNAME and every owner a pointer to a plain question name: all on
	 * the chain, as follow_chain() would find after its walk (a third of
	 * the DNS parse of an answer flood). */
	if (m->n_addr && m->qname_off &&
	    !(qname_plain && m->n_cname_list == 0 && owners_are_qname(msg, m)))
		follow_chain(msg, len, m);
	if (m->status)
		return 0;
	if (walk_rrs(msg, len, &off, m->nscount, 2, m) < 0) {
		m->status = DNSYN_DNS_BAD_AUTH;
		return 0;
	}
	if (walk_rrs(msg, len, &off, m->arcount, 3, m) < 0) {
		m->status = DNSYN_DNS_BAD_ADDL;
		return 0;
	}
	m->status = DNSYN_DNS_OK;
	return 0;
}
