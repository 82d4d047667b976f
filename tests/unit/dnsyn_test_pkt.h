/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet and DNS message builders shared by the unit tests. Header-only, all
 * static inline; a frame is built front to back in a struct tp_buf, and the
 * length fields of IPv4/IPv6/UDP are patched by the *_end() helpers once what
 * follows them is in place.
 *
 * Includes <cmocka.h> itself (the builders assert on overflow). */
#ifndef DNSYN_TEST_PKT_H
#define DNSYN_TEST_PKT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TP_BUF_MAX 70000

struct tp_buf {
	size_t n;
	uint8_t b[TP_BUF_MAX];
};

static inline void
tp_reset(struct tp_buf *t)
{
	t->n = 0;
}

static inline size_t
tp_put(struct tp_buf *t, const void *p, size_t len)
{
	size_t at = t->n;

	assert_true(t->n + len <= TP_BUF_MAX);
	if (len)
		memcpy(t->b + t->n, p, len);
	t->n += len;
	return at;
}

static inline size_t
tp_zero(struct tp_buf *t, size_t len)
{
	size_t at = t->n;

	assert_true(t->n + len <= TP_BUF_MAX);
	memset(t->b + t->n, 0, len);
	t->n += len;
	return at;
}

static inline size_t
tp_u8(struct tp_buf *t, uint8_t v)
{
	return tp_put(t, &v, 1);
}

static inline size_t
tp_be16(struct tp_buf *t, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return tp_put(t, b, 2);
}

static inline size_t
tp_be32(struct tp_buf *t, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	return tp_put(t, b, 4);
}

static inline size_t
tp_le32(struct tp_buf *t, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	return tp_put(t, b, 4);
}

static inline void
tp_set16(struct tp_buf *t, size_t at, uint16_t v)
{
	t->b[at] = (uint8_t)(v >> 8);
	t->b[at + 1] = (uint8_t)v;
}

static inline uint16_t
tp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* ---- addresses ---- */

#define TP_V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/** IPv4 as dnsyn stores it: ::ffff:a.b.c.d */
static inline void
tp_v4mapped(uint8_t out[16], uint32_t v4)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	out[12] = (uint8_t)(v4 >> 24);
	out[13] = (uint8_t)(v4 >> 16);
	out[14] = (uint8_t)(v4 >> 8);
	out[15] = (uint8_t)v4;
}

/** 2001:db8::<hi>:<lo> */
static inline void
tp_v6(uint8_t out[16], uint16_t hi, uint16_t lo)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[12] = (uint8_t)(hi >> 8);
	out[13] = (uint8_t)hi;
	out[14] = (uint8_t)(lo >> 8);
	out[15] = (uint8_t)lo;
}

/* ---- link layers ---- */

#define TP_ETH_IPV4 0x0800
#define TP_ETH_IPV6 0x86dd
#define TP_ETH_ARP 0x0806
#define TP_ETH_8021Q 0x8100
#define TP_ETH_8021AD 0x88a8
#define TP_ETH_QINQ_OLD 0x9100
#define TP_ETH_PPPOE 0x8864

/** Ethernet II header (14 bytes) with @p type. */
static inline size_t
tp_eth(struct tp_buf *t, uint16_t type)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
	size_t at = tp_put(t, macs, 12);

	tp_be16(t, type);
	return at;
}

/**
 * Ethernet header whose type is tpids[0], then one 4-byte tag per entry of
 * @p tpids (TCI, then the next TPID or @p inner for the last tag).
 */
static inline size_t
tp_eth_vlan(struct tp_buf *t, const uint16_t *tpids, unsigned int n, uint16_t inner)
{
	size_t at = tp_eth(t, n ? tpids[0] : inner);
	unsigned int i;

	for (i = 0; i < n; i++) {
		tp_be16(t, (uint16_t)(100 + i)); /* PCP 0, VID 100+i */
		tp_be16(t, i + 1 < n ? tpids[i + 1] : inner);
	}
	return at;
}

/** Linux cooked v1 (LINKTYPE_LINUX_SLL, 16 bytes), protocol at offset 14. */
static inline size_t
tp_sll(struct tp_buf *t, uint16_t proto)
{
	size_t at = tp_be16(t, 0); /* packet type: to us */

	tp_be16(t, 1);     /* ARPHRD_ETHER */
	tp_be16(t, 6);     /* address length */
	tp_zero(t, 8);     /* address */
	tp_be16(t, proto);
	return at;
}

/** Linux cooked v2 (LINKTYPE_LINUX_SLL2, 20 bytes), protocol at offset 0. */
static inline size_t
tp_sll2(struct tp_buf *t, uint16_t proto)
{
	size_t at = tp_be16(t, proto);

	tp_be16(t, 0);    /* reserved */
	tp_be32(t, 2);    /* interface index */
	tp_be16(t, 1);    /* ARPHRD_ETHER */
	tp_u8(t, 0);      /* packet type */
	tp_u8(t, 6);      /* address length */
	tp_zero(t, 8);    /* address */
	return at;
}

/** DLT_NULL / DLT_LOOP 4-byte family header, little- or big-endian. */
static inline size_t
tp_null(struct tp_buf *t, uint32_t af, int big_endian)
{
	return big_endian ? tp_be32(t, af) : tp_le32(t, af);
}

/* ---- IPv4 ---- */

#define TP_IP_MF 0x2000
#define TP_IP_DF 0x4000

static inline void
tp_ipv4_csum(struct tp_buf *t, size_t ip)
{
	uint32_t s = 0;
	size_t i, hl = (size_t)(t->b[ip] & 0x0f) * 4;

	t->b[ip + 10] = t->b[ip + 11] = 0;
	for (i = 0; i + 1 < hl; i += 2)
		s += tp_get16(t->b + ip + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	tp_set16(t, ip + 10, (uint16_t)~s);
}

/**
 * IPv4 header with @p opt_len bytes of options (a multiple of 4, <= 40; NOPs
 * then EOL). Total length is filled by tp_ipv4_end(). @p frag is the 16-bit
 * flags+offset field (offset in 8-byte units).
 */
static inline size_t
tp_ipv4_begin(struct tp_buf *t, uint8_t proto, uint32_t src, uint32_t dst, unsigned int opt_len,
	      uint16_t frag)
{
	size_t at = tp_u8(t, (uint8_t)(0x40 | (5 + opt_len / 4)));
	unsigned int i;

	tp_u8(t, 0);          /* DSCP/ECN */
	tp_be16(t, 0);        /* total length, patched */
	tp_be16(t, 0x1234);   /* id */
	tp_be16(t, frag);
	tp_u8(t, 64);         /* TTL */
	tp_u8(t, proto);
	tp_be16(t, 0);        /* checksum */
	tp_be32(t, src);
	tp_be32(t, dst);
	for (i = 0; i < opt_len; i++)
		tp_u8(t, i + 1 < opt_len ? 1 : 0); /* NOP..., EOL */
	return at;
}

static inline void
tp_ipv4_end(struct tp_buf *t, size_t ip)
{
	tp_set16(t, ip + 2, (uint16_t)(t->n - ip));
	tp_ipv4_csum(t, ip);
}

/* ---- IPv6 ---- */

static inline size_t
tp_ipv6_begin(struct tp_buf *t, uint8_t nh, const uint8_t src[16], const uint8_t dst[16])
{
	size_t at = tp_be32(t, 0x60000000);

	tp_be16(t, 0); /* payload length, patched */
	tp_u8(t, nh);
	tp_u8(t, 64);
	tp_put(t, src, 16);
	tp_put(t, dst, 16);
	return at;
}

static inline void
tp_ipv6_end(struct tp_buf *t, size_t ip6)
{
	tp_set16(t, ip6 + 4, (uint16_t)(t->n - ip6 - 40));
}

/** Generic extension header (hop-by-hop 0, routing 43, dstopts 60...):
 *  (hdr_ext_len + 1) * 8 bytes, padded with PadN-ish zeros. */
static inline size_t
tp_ipv6_ext(struct tp_buf *t, uint8_t nh, uint8_t hdr_ext_len)
{
	size_t at = tp_u8(t, nh);

	tp_u8(t, hdr_ext_len);
	tp_zero(t, (size_t)(hdr_ext_len + 1u) * 8u - 2u);
	return at;
}

/** Fragment header: offset in 8-byte units, @p more = M flag. */
static inline size_t
tp_ipv6_frag(struct tp_buf *t, uint8_t nh, uint16_t offset, int more, uint32_t id)
{
	size_t at = tp_u8(t, nh);

	tp_u8(t, 0);
	tp_be16(t, (uint16_t)((offset << 3) | (more ? 1 : 0)));
	tp_be32(t, id);
	return at;
}

/** Authentication header: @p plen is the Payload Len field, the header is
 *  (plen + 2) * 4 bytes (RFC 4302). */
static inline size_t
tp_ipv6_ah(struct tp_buf *t, uint8_t nh, uint8_t plen)
{
	size_t at = tp_u8(t, nh);

	tp_u8(t, plen);
	tp_zero(t, (size_t)(plen + 2u) * 4u - 2u);
	return at;
}

/* ---- L4 ---- */

#define TP_TCP_FIN 0x01
#define TP_TCP_SYN 0x02
#define TP_TCP_RST 0x04
#define TP_TCP_PSH 0x08
#define TP_TCP_ACK 0x10
#define TP_TCP_URG 0x20
#define TP_TCP_ECE 0x40
#define TP_TCP_CWR 0x80

static inline size_t
tp_udp_begin(struct tp_buf *t, uint16_t sport, uint16_t dport)
{
	size_t at = tp_be16(t, sport);

	tp_be16(t, dport);
	tp_be16(t, 0); /* length, patched */
	tp_be16(t, 0); /* checksum: none */
	return at;
}

static inline void
tp_udp_end(struct tp_buf *t, size_t udp)
{
	tp_set16(t, udp + 4, (uint16_t)(t->n - udp));
}

/** TCP header with @p opt_len bytes of options (multiple of 4, NOPs). */
static inline size_t
tp_tcp(struct tp_buf *t, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
       uint8_t flags, unsigned int opt_len)
{
	size_t at = tp_be16(t, sport);
	unsigned int i;

	tp_be16(t, dport);
	tp_be32(t, seq);
	tp_be32(t, ack);
	tp_u8(t, (uint8_t)(((20 + opt_len) / 4) << 4));
	tp_u8(t, flags);
	tp_be16(t, 65535); /* window */
	tp_be16(t, 0);     /* checksum */
	tp_be16(t, 0);     /* urgent */
	for (i = 0; i < opt_len; i++)
		tp_u8(t, 1);
	return at;
}

/* ---- DNS (offsets are relative to the message start: build the message in
 * its own tp_buf, then tp_put() it into the frame) ---- */

#define TP_DNS_QR 0x8000
#define TP_DNS_AA 0x0400
#define TP_DNS_TC 0x0200
#define TP_DNS_RD 0x0100
#define TP_DNS_RA 0x0080

static inline size_t
tp_dns_hdr(struct tp_buf *t, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
	   uint16_t ar)
{
	size_t at = tp_be16(t, id);

	tp_be16(t, flags);
	tp_be16(t, qd);
	tp_be16(t, an);
	tp_be16(t, ns);
	tp_be16(t, ar);
	return at;
}

/** Patch the four section counts of the header at @p hdr. */
static inline void
tp_dns_counts(struct tp_buf *t, size_t hdr, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	tp_set16(t, hdr + 4, qd);
	tp_set16(t, hdr + 6, an);
	tp_set16(t, hdr + 8, ns);
	tp_set16(t, hdr + 10, ar);
}

/** Labels of dotted @p name ("" or "." = root), without the terminating 0. */
static inline size_t
tp_dns_labels(struct tp_buf *t, const char *name)
{
	size_t at = t->n;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		if (l) {
			tp_u8(t, (uint8_t)l);
			tp_put(t, name, l);
		}
		name += l + (dot ? 1 : 0);
	}
	return at;
}

/** Uncompressed name, terminated by the root label. */
static inline size_t
tp_dns_name(struct tp_buf *t, const char *name)
{
	size_t at = tp_dns_labels(t, name);

	tp_u8(t, 0);
	return at;
}

/** A 2-byte compression pointer to @p off. */
static inline size_t
tp_dns_ptr(struct tp_buf *t, uint16_t off)
{
	return tp_be16(t, (uint16_t)(0xc000 | off));
}

/** Labels of @p prefix followed by a pointer to @p off ("www" + ptr). */
static inline size_t
tp_dns_name_ptr(struct tp_buf *t, const char *prefix, uint16_t off)
{
	size_t at = tp_dns_labels(t, prefix);

	tp_dns_ptr(t, off);
	return at;
}

static inline size_t
tp_dns_question(struct tp_buf *t, const char *name, uint16_t qtype, uint16_t qclass)
{
	size_t at = tp_dns_name(t, name);

	tp_be16(t, qtype);
	tp_be16(t, qclass);
	return at;
}

/** RR fixed part after an owner name already written; returns the RDATA offset. */
static inline size_t
tp_dns_rr_tail(struct tp_buf *t, uint16_t type, uint16_t cls, uint32_t ttl, const void *rdata,
	       uint16_t rdlen)
{
	tp_be16(t, type);
	tp_be16(t, cls);
	tp_be32(t, ttl);
	tp_be16(t, rdlen);
	return tp_put(t, rdata, rdlen);
}

/** The fixed part and RDATA of an A RR of class IN, after its owner. */
static inline size_t
tp_dns_a_tail(struct tp_buf *t, uint32_t ttl, uint32_t v4)
{
	uint8_t rd[4] = {(uint8_t)(v4 >> 24), (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8), (uint8_t)v4};

	return tp_dns_rr_tail(t, 1, 1, ttl, rd, 4);
}

/** RR whose owner is a pointer to @p owner; returns the RDATA offset. */
static inline size_t
tp_dns_rr(struct tp_buf *t, uint16_t owner, uint16_t type, uint16_t cls, uint32_t ttl,
	  const void *rdata, uint16_t rdlen)
{
	tp_dns_ptr(t, owner);
	return tp_dns_rr_tail(t, type, cls, ttl, rdata, rdlen);
}

static inline size_t
tp_dns_rr_a(struct tp_buf *t, uint16_t owner, uint32_t ttl, uint32_t v4)
{
	uint8_t rd[4] = {(uint8_t)(v4 >> 24), (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8), (uint8_t)v4};

	return tp_dns_rr(t, owner, 1, 1, ttl, rd, 4);
}

static inline size_t
tp_dns_rr_aaaa(struct tp_buf *t, uint16_t owner, uint32_t ttl, const uint8_t v6[16])
{
	return tp_dns_rr(t, owner, 28, 1, ttl, v6, 16);
}

/** CNAME RR: owner pointer, RDATA = the uncompressed @p target. Returns RDATA offset. */
static inline size_t
tp_dns_rr_cname(struct tp_buf *t, uint16_t owner, uint32_t ttl, const char *target)
{
	struct tp_buf *tmp = malloc(sizeof(*tmp));
	size_t at;

	assert_non_null(tmp);
	tmp->n = 0;
	tp_dns_name(tmp, target);
	at = tp_dns_rr(t, owner, 5, 1, ttl, tmp->b, (uint16_t)tmp->n);
	free(tmp);
	return at;
}

/** OPT pseudo-RR (root owner), @p ext_rcode in the TTL's top byte. */
static inline size_t
tp_dns_rr_opt(struct tp_buf *t, uint16_t udp_size, uint8_t ext_rcode)
{
	size_t at = tp_u8(t, 0);

	tp_dns_rr_tail(t, 41, udp_size, (uint32_t)ext_rcode << 24, NULL, 0);
	return at;
}

/* ---- buffers ---- */

/*
 * Exact-size copies for the "truncation at every offset" tests. The bytes end
 * exactly where a PROT_NONE page begins, so reading even one byte past the
 * prefix faults, with or without ASan, at any -O level. (test_malloc() would
 * not do: cmocka surrounds its blocks with guard bytes it only checks for
 * writes at free time, which hides small overreads from ASan too.)
 */
struct tp_exact {
	uint8_t *map;
	size_t map_len;
	uint8_t *p; /**< the copy; p + len is the first byte of the guard page */
};

static inline uint8_t *
tp_exact_dup(struct tp_exact *e, const uint8_t *src, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (len + pg - 1) / pg * pg;

	if (data == 0)
		data = pg;
	e->map_len = data + pg;
	e->map = mmap(NULL, e->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(e->map != MAP_FAILED);
	assert_int_equal(mprotect(e->map + data, pg, PROT_NONE), 0);
	e->p = e->map + data - len;
	if (len)
		memcpy(e->p, src, len);
	return e->p;
}

static inline void
tp_exact_free(struct tp_exact *e)
{
	munmap(e->map, e->map_len);
	e->map = NULL;
	e->p = NULL;
}

/** Exact-size plain heap copy (malloc, so ASan's redzone is right after it). */
static inline uint8_t *
tp_heap_dup(const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	if (len)
		memcpy(b, src, len);
	return b;
}

#endif
