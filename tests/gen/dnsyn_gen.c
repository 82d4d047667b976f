/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dnsyn_gen: deterministic test traffic for dnsyn, with the report it must give.
 *
 *   dnsyn_gen --scenario NAME --seed N --out PREFIX [--count K | --packets N]
 *   dnsyn_gen --scenario all --out DIR/
 *   dnsyn_gen --list
 *
 * Writes PREFIX.pcap and PREFIX.json (linktypes: PREFIX-<lt>.pcap/.json). The
 * benchmark scenarios (mix, dnsflood, synflood, min64) and the adversarial ones
 * (randsub, parsework, tcphalfopen) take --packets and are written while they
 * are generated, so their size is bounded by the disk. The
 * JSON is the ground truth under the definitions of shared/traces/README.md.
 * It is NOT obtained by analysing the pcap: every packet goes out through a
 * ledger that records, when the packet is built, what it counts for (answer and
 * its A/AAAA RRs, query, SYN, SYN-ACK) and which SYN each answer selects. Each
 * lookup episode owns fresh server addresses that nothing else in the file
 * names, so whether a SYN matches is decided by the episode that emits it.
 *
 * Deterministic: one splitmix64 stream seeded by --seed, a fixed epoch, no
 * clock; the same scenario and seed give byte-identical files.
 * Build: gcc -std=gnu11 -O2 -Wall -Wextra tests/gen/dnsyn_gen.c -lpcap
 * See docs/generator.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <pcap/pcap.h>

#define GEN_NAME "dnsyn_gen"
#define EXIT_USAGE 2
#define DEFAULT_SEED 1

#define US_PER_S 1000000ULL
#define US_PER_MS 1000ULL
/* Fixed epoch (2023-11-14T22:13:20Z). It is 20 s past a minute, so the
 * 60 s query buckets start at 1699999980, 1700000040, 1700000100, ... */
#define BASE_US (1700000000ULL * US_PER_S)
#define WINDOW_US US_PER_S           /* match window: 0 <= t_syn - t_answer <= 1 s */
#define HIST_BINS 100
#define HIST_BIN_US (10 * US_PER_MS)
#define BUCKET_S 60
#define SLOT_US (4 * US_PER_S)       /* one special episode per slot */
#define SNAPLEN 65535

/* IP protocol numbers (RFC 791, 8200 and the IANA registry) */
#define P_HOPOPT 0
#define P_ICMP 1
#define P_IPIP 4
#define P_TCP 6
#define P_UDP 17
#define P_IPV6 41
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_ICMPV6 58
#define P_NONE 59
#define P_DSTOPTS 60
#define P_EXPERIMENT 253

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_ECE 0x40
#define TH_CWR 0x80

#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define ETH_IPV6 0x86dd
#define ETH_LLDP 0x88cc

/* ------------------------------------------------------------------------ */
/* Errors, memory, vectors                                                   */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Every failure, usage or internal, is one line on stderr and exit status 2. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs(GEN_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (p == NULL)
		die("out of memory");
	return p;
}

#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(vec, item) do { \
		if ((vec).n == (vec).cap) { \
			(vec).cap = (vec).cap ? 2 * (vec).cap : 64; \
			(vec).v = xrealloc((vec).v, (vec).cap * sizeof(*(vec).v)); \
		} \
		(vec).v[(vec).n++] = (item); \
	} while (0)

/* ------------------------------------------------------------------------ */
/* PRNG: splitmix64 (Steele, Lea, Flood 2014). Small, and stable across libcs
 * unlike rand(), which is what byte-identical output needs.                  */

struct rng {
	uint64_t s;
};

static uint64_t
rng_u64(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n): the modulo bias is irrelevant for test traffic. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_u64(r) % n);
}

/* Uniform in [lo, hi], both included. */
static uint64_t
rng_between(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_u64(r) % (hi - lo + 1);
}

static bool
rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

struct ipaddr {
	uint8_t fam;      /* 4 or 6 */
	uint8_t a[16];    /* network order; IPv4 uses a[0..3] */
};

static size_t
ip_alen(uint8_t fam)
{
	return fam == 4 ? 4 : 16;
}

static struct ipaddr
ip4(uint32_t v)
{
	struct ipaddr x = { .fam = 4 };

	x.a[0] = (uint8_t)(v >> 24);
	x.a[1] = (uint8_t)(v >> 16);
	x.a[2] = (uint8_t)(v >> 8);
	x.a[3] = (uint8_t)v;
	return x;
}

/* 2001:db8:<net>::<iid> (RFC 3849 documentation prefix). */
static struct ipaddr
ip6(uint16_t net, uint64_t iid)
{
	struct ipaddr x = { .fam = 6 };
	int i;

	x.a[0] = 0x20;
	x.a[1] = 0x01;
	x.a[2] = 0x0d;
	x.a[3] = 0xb8;
	x.a[4] = (uint8_t)(net >> 8);
	x.a[5] = (uint8_t)net;
	for (i = 0; i < 8; i++)
		x.a[8 + i] = (uint8_t)(iid >> (56 - 8 * i));
	return x;
}

static bool
ip_eq(const struct ipaddr *x, const struct ipaddr *y)
{
	return x->fam == y->fam && memcmp(x->a, y->a, ip_alen(x->fam)) == 0;
}

/* RFC 5952 text for IPv6, as inet_ntop prints it (the oracle's key format). */
static void
ip_text(const struct ipaddr *x, char *s, size_t n)
{
	if (inet_ntop(x->fam == 4 ? AF_INET : AF_INET6, x->a, s, (socklen_t)n) == NULL)
		die("internal: inet_ntop");
}

/* ------------------------------------------------------------------------ */
/* Byte buffer                                                               */

struct buf {
	uint8_t *d;
	size_t len;
	size_t cap;
};

/* Freed buffers are kept for reuse: every packet goes through a few short-
 * lived buffers, and the large scenarios must not pay a malloc for each. */
#define BUF_POOL 32
#define BUF_POOL_MAXCAP 65536
static struct buf buf_pool[BUF_POOL];
static int buf_npool;

static void
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;

	if (b->d == NULL && buf_npool > 0) {
		b->d = buf_pool[--buf_npool].d;
		b->cap = buf_pool[buf_npool].cap;
	}
	cap = b->cap ? b->cap : 256;
	if (b->len + n <= b->cap)
		return;
	while (cap < b->len + n)
		cap *= 2;
	b->d = xrealloc(b->d, cap);
	b->cap = cap;
}

static void
buf_put(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void
buf_zero(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	memset(b->d + b->len, 0, n);
	b->len += n;
}

static void
buf_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static void
buf_u16(struct buf *b, uint16_t v)
{
	uint8_t p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	buf_put(b, p, 2);
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	buf_u16(b, (uint16_t)(v >> 16));
	buf_u16(b, (uint16_t)v);
}

static void
buf_free(struct buf *b)
{
	if (b->d && buf_npool < BUF_POOL && b->cap <= BUF_POOL_MAXCAP)
		buf_pool[buf_npool++] = (struct buf){ b->d, 0, b->cap };
	else
		free(b->d);
	memset(b, 0, sizeof(*b));
}

static void
buf_pool_drain(void)
{
	while (buf_npool > 0)
		free(buf_pool[--buf_npool].d);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------------------ */
/* Packet builders: IPv4/IPv6 (+ options, extension headers, fragments),     */
/* UDP, TCP, ICMP. All checksums are correct so that tcpdump -vv stays quiet */
/* and no reader can take a bad checksum as the reason to skip a packet.     */

/* RFC 1071 one's complement sum. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Upper-layer checksum with the pseudo header (RFC 768, 793, 8200 §8.1;
 * ICMPv4 has none). A routing header here always has Segments Left 0, so the
 * IPv6 destination is the final one. */
static void
l4_checksum(const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto, uint8_t *l4,
	    size_t len)
{
	size_t off;
	uint32_t sum = 0;
	uint16_t c;

	switch (proto) {
	case P_TCP:
		off = 16;
		break;
	case P_UDP:
		off = 6;
		break;
	case P_ICMP:
	case P_ICMPV6:
		off = 2;
		break;
	default:
		return;
	}
	if (len < off + 2)
		return;
	put16(l4 + off, 0);
	if (proto != P_ICMP) {
		sum = csum_add(sum, src->a, ip_alen(src->fam));
		sum = csum_add(sum, dst->a, ip_alen(dst->fam));
		sum += proto;
		sum += (uint32_t)len;
	}
	c = csum_fold(csum_add(sum, l4, len));
	if (c == 0 && proto == P_UDP)
		c = 0xffff; /* RFC 768: 0 means "no checksum" */
	put16(l4 + off, c);
}

/* How a datagram is wrapped (bits of ip_wrap's @x). */
#define X4_RTRALERT 0x01 /* IPv4 Router Alert option (RFC 2113): IHL 6 */
#define X6_HBH 0x02      /* hop-by-hop options with Router Alert (RFC 2711) */
#define X6_DST 0x04      /* destination options, PadN only */
#define X6_RT 0x08       /* routing header type 0, no addresses, Segments Left 0 */
#define X6_AFRAG 0x10    /* atomic fragment: offset 0, M=0 (RFC 6946), not a fragment */
#define X6_ALL (X6_HBH | X6_DST | X6_RT | X6_AFRAG)

struct gen;
static uint16_t next_ip_id(struct gen *g);

static void
ip4_header(struct buf *b, uint16_t id, uint16_t frag, uint8_t proto, const struct ipaddr *src,
	   const struct ipaddr *dst, size_t payload, bool rtr_alert)
{
	size_t ihl = rtr_alert ? 24 : 20;
	size_t start = b->len;

	buf_u8(b, (uint8_t)(0x40 | ihl / 4));
	buf_u8(b, 0);
	buf_u16(b, (uint16_t)(ihl + payload));
	buf_u16(b, id);
	buf_u16(b, frag);
	buf_u8(b, 64);
	buf_u8(b, proto);
	buf_u16(b, 0);
	buf_put(b, src->a, 4);
	buf_put(b, dst->a, 4);
	if (rtr_alert) {
		buf_u8(b, 0x94);
		buf_u8(b, 4);
		buf_u16(b, 0);
	}
	put16(b->d + start + 10, csum_fold(csum_add(0, b->d + start, ihl)));
}

/* IPv6 header plus the extension headers named in @x, in RFC 8200 §4.1 order. */
static void
ip6_header(struct buf *b, uint8_t proto, const struct ipaddr *src, const struct ipaddr *dst,
	   size_t payload, unsigned int x, uint32_t frag_id)
{
	uint8_t chain[4];
	size_t ext = 0;
	int n = 0, i;

	if (x & X6_HBH)
		chain[n++] = P_HOPOPT;
	if (x & X6_DST)
		chain[n++] = P_DSTOPTS;
	if (x & X6_RT)
		chain[n++] = P_ROUTING;
	if (x & X6_AFRAG)
		chain[n++] = P_FRAGMENT;
	ext = (size_t)n * 8; /* every header used here is 8 bytes */

	buf_u32(b, 0x60000000);
	buf_u16(b, (uint16_t)(ext + payload));
	buf_u8(b, n ? chain[0] : proto);
	buf_u8(b, 64);
	buf_put(b, src->a, 16);
	buf_put(b, dst->a, 16);
	for (i = 0; i < n; i++) {
		uint8_t nh = i + 1 < n ? chain[i + 1] : proto;

		buf_u8(b, nh);
		switch (chain[i]) {
		case P_HOPOPT: /* Router Alert (5,2,0,0) + PadN of 0 data bytes */
			buf_u8(b, 0);
			buf_u8(b, 5);
			buf_u8(b, 2);
			buf_u16(b, 0);
			buf_u8(b, 1);
			buf_u8(b, 0);
			break;
		case P_DSTOPTS: /* PadN with 4 data bytes */
			buf_u8(b, 0);
			buf_u8(b, 1);
			buf_u8(b, 4);
			buf_u32(b, 0);
			break;
		case P_ROUTING: /* len 0, type 0, Segments Left 0, reserved */
			buf_u8(b, 0);
			buf_u8(b, 0);
			buf_u8(b, 0);
			buf_u32(b, 0);
			break;
		case P_FRAGMENT: /* offset 0, M=0 */
			buf_u8(b, 0);
			buf_u16(b, 0);
			buf_u32(b, frag_id);
			break;
		}
	}
}

/* An IP datagram around the upper-layer bytes @l4, checksum filled in. */
static struct buf
ip_wrap(struct gen *g, const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
	const uint8_t *l4, size_t l4len, unsigned int x)
{
	struct buf b = { 0 };
	size_t off;

	if (src->fam == 4)
		ip4_header(&b, next_ip_id(g), proto == P_TCP ? 0x4000 : 0, proto, src, dst, l4len,
			   x & X4_RTRALERT);
	else
		ip6_header(&b, proto, src, dst, l4len, x, next_ip_id(g));
	off = b.len;
	buf_put(&b, l4, l4len);
	l4_checksum(src, dst, proto, b.d + off, l4len);
	return b;
}

static struct buf
udp_l4(const struct ipaddr *src, const struct ipaddr *dst, uint16_t sport, uint16_t dport,
       const uint8_t *p, size_t n)
{
	struct buf b = { 0 };

	buf_u16(&b, sport);
	buf_u16(&b, dport);
	buf_u16(&b, (uint16_t)(8 + n));
	buf_u16(&b, 0);
	buf_put(&b, p, n);
	l4_checksum(src, dst, P_UDP, b.d, b.len);
	return b;
}

static struct buf
build_udp(struct gen *g, const struct ipaddr *src, const struct ipaddr *dst, uint16_t sport,
	  uint16_t dport, const uint8_t *p, size_t n, unsigned int x)
{
	struct buf l4 = udp_l4(src, dst, sport, dport, p, n);
	struct buf d = ip_wrap(g, src, dst, P_UDP, l4.d, l4.len, x);

	buf_free(&l4);
	return d;
}

/* Split an upper-layer payload (checksum already set) into two fragments at
 * @split (a multiple of 8): IPv4 MF/offset, or IPv6 fragment headers. */
static void
ip_fragments(struct gen *g, const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto,
	     const struct buf *l4, size_t split, struct buf out[2])
{
	uint16_t id = next_ip_id(g);
	int i;

	if (split % 8 || split >= l4->len)
		die("internal: bad fragment split");
	for (i = 0; i < 2; i++) {
		size_t from = i ? split : 0, n = i ? l4->len - split : split;
		uint16_t fo = (uint16_t)(from / 8);
		struct buf *b = &out[i];

		memset(b, 0, sizeof(*b));
		if (src->fam == 4) {
			uint16_t mf = i ? 0 : 0x2000;

			ip4_header(b, id, (uint16_t)(fo | mf), proto, src, dst, n, false);
		} else {
			ip6_header(b, P_FRAGMENT, src, dst, 8 + n, 0, 0);
			buf_u8(b, proto);
			buf_u8(b, 0);
			buf_u16(b, (uint16_t)(fo << 3 | (i ? 0 : 1)));
			buf_u32(b, 0x5eed0000u | id);
		}
		buf_put(b, l4->d + from, n);
	}
}

struct tcp_pkt {
	struct ipaddr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	unsigned int x;        /* ip_wrap flags */
	uint32_t conn;         /* connection id: a SYN and its retransmissions share it */
	bool raw_doff;         /* malformed: write @doff as is */
	uint8_t doff;
	const uint8_t *payload;
	size_t plen;
};

static struct buf
build_tcp(struct gen *g, const struct tcp_pkt *s)
{
	struct buf l4 = { 0 }, d;
	bool mss = s->flags & TH_SYN;
	uint8_t doff = s->raw_doff ? s->doff : (uint8_t)(mss ? 6 : 5);

	buf_u16(&l4, s->sport);
	buf_u16(&l4, s->dport);
	buf_u32(&l4, s->seq);
	buf_u32(&l4, s->ack);
	buf_u8(&l4, (uint8_t)(doff << 4));
	buf_u8(&l4, s->flags);
	buf_u16(&l4, 64240);
	buf_u16(&l4, 0);
	buf_u16(&l4, 0);
	if (mss) { /* MSS option: SYNs carry one in practice */
		buf_u8(&l4, 2);
		buf_u8(&l4, 4);
		buf_u16(&l4, s->src.fam == 4 ? 1460 : 1440);
	}
	buf_put(&l4, s->payload, s->plen);
	d = ip_wrap(g, &s->src, &s->dst, P_TCP, l4.d, l4.len, s->x);
	buf_free(&l4);
	return d;
}

/* ICMP destination/port unreachable quoting @quoted whole (RFC 1812 §4.3.2.3
 * allows more than 8 bytes; quoting all of it is the harder case for a probe). */
static struct buf
build_icmp_unreach(struct gen *g, const struct ipaddr *src, const struct ipaddr *dst,
		   const struct buf *quoted)
{
	struct buf l4 = { 0 }, d;

	buf_u8(&l4, src->fam == 4 ? 3 : 1);
	buf_u8(&l4, src->fam == 4 ? 3 : 4);
	buf_u16(&l4, 0);
	buf_u32(&l4, 0);
	buf_put(&l4, quoted->d, quoted->len);
	d = ip_wrap(g, src, dst, src->fam == 4 ? P_ICMP : P_ICMPV6, l4.d, l4.len, 0);
	buf_free(&l4);
	return d;
}

/* ------------------------------------------------------------------------ */
/* DNS message builder (RFC 1035 §4.1). Besides the bytes it keeps one       */
/* "unit" per question and RR with where it ends and what it is, so the      */
/* ledger knows what the counting rules make of the message without parsing */
/* it back.                                                                  */

#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_CNAME 5
#define DNS_T_SOA 6
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_OPT 41
#define DNS_C_IN 1
#define DNS_C_CH 3

#define DNS_QR 0x8000
#define DNS_OPCODE(o) ((o) << 11)
#define DNS_AA 0x0400
#define DNS_TC 0x0200
#define DNS_RD 0x0100
#define DNS_RA 0x0080
#define DNS_RESP (DNS_QR | DNS_RD | DNS_RA)

#define DNS_HDR 12
#define DNS_MAX_UNITS 32

enum dns_sec { SEC_QD, SEC_AN, SEC_NS, SEC_AR };

struct dns_unit {
	uint8_t sec;       /* section the builder wrote it for */
	bool nofit;        /* deliberately unparseable (bad label, over-long name, cut RDATA) */
	uint16_t type, cls, rdlen;
	uint32_t end;      /* offset just past the unit */
	uint8_t rdata[16];
};

struct dns {
	struct buf b;
	uint16_t n[4];          /* units written per section */
	bool fixed_counts;      /* header counts set by dns_counts() (lying counts) */
	uint16_t hdr[4];
	size_t rd_off;          /* RDATA start of the RR being written */
	uint16_t rr_type, rr_cls;
	struct dns_unit u[DNS_MAX_UNITS];
	int nu;
};

static void
dns_begin(struct dns *m, uint16_t id, uint16_t flags)
{
	memset(m, 0, sizeof(*m));
	buf_u16(&m->b, id);
	buf_u16(&m->b, flags);
	buf_zero(&m->b, 8);
}

static void
dns_free(struct dns *m)
{
	buf_free(&m->b);
}

static struct dns_unit *
dns_unit_add(struct dns *m, uint8_t sec, uint16_t type, uint16_t cls, const uint8_t *rd,
	     size_t rdlen)
{
	struct dns_unit *u;

	if (m->nu == DNS_MAX_UNITS)
		die("internal: too many DNS records");
	u = &m->u[m->nu++];
	memset(u, 0, sizeof(*u));
	u->sec = sec;
	u->type = type;
	u->cls = cls;
	u->rdlen = (uint16_t)rdlen;
	u->end = (uint32_t)m->b.len;
	if (rd)
		memcpy(u->rdata, rd, rdlen < 16 ? rdlen : 16);
	m->n[sec]++;
	return u;
}

/* Labels of a dotted name, without the root label. */
static void
dns_labels(struct dns *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		if (l == 0 || l > 63)
			die("internal: bad label in '%s'", name);
		buf_u8(&m->b, (uint8_t)l);
		buf_put(&m->b, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
}

/* Uncompressed name ("" is the root); returns its offset for later pointers. */
static uint16_t
dns_name(struct dns *m, const char *name)
{
	uint16_t off = (uint16_t)m->b.len;

	dns_labels(m, name);
	buf_u8(&m->b, 0);
	return off;
}

/* Compression pointer (RFC 1035 §4.1.4). Any target is written as asked,
 * itself, the header or past the end included: the malformed scenario needs it. */
static void
dns_ptr(struct dns *m, uint16_t target)
{
	buf_u16(&m->b, (uint16_t)(0xc000 | (target & 0x3fff)));
}

/* @prefix labels followed by a pointer to @target; returns the name's offset. */
static uint16_t
dns_name_ptr(struct dns *m, const char *prefix, uint16_t target)
{
	uint16_t off = (uint16_t)m->b.len;

	dns_labels(m, prefix);
	dns_ptr(m, target);
	return off;
}

/* QTYPE/QCLASS after the question name. */
static void
dns_question(struct dns *m, uint16_t type, uint16_t cls)
{
	buf_u16(&m->b, type);
	buf_u16(&m->b, cls);
	dns_unit_add(m, SEC_QD, type, cls, NULL, 0);
}

/* RR fixed part after the owner name; RDATA follows, then dns_rr_end(). */
static void
dns_rr_begin(struct dns *m, uint16_t type, uint16_t cls, uint32_t ttl)
{
	buf_u16(&m->b, type);
	buf_u16(&m->b, cls);
	buf_u32(&m->b, ttl);
	buf_u16(&m->b, 0);
	m->rd_off = m->b.len;
	m->rr_type = type;
	m->rr_cls = cls;
}

static struct dns_unit *
dns_rr_end(struct dns *m, uint8_t sec)
{
	size_t rdlen = m->b.len - m->rd_off;

	put16(m->b.d + m->rd_off - 2, (uint16_t)rdlen);
	return dns_unit_add(m, sec, m->rr_type, m->rr_cls, m->b.d + m->rd_off, rdlen);
}

/* A or AAAA RR (by the address family) after its owner name. */
static void
dns_rr_addr(struct dns *m, uint8_t sec, const struct ipaddr *a, uint32_t ttl)
{
	dns_rr_begin(m, a->fam == 4 ? DNS_T_A : DNS_T_AAAA, DNS_C_IN, ttl);
	buf_put(&m->b, a->a, ip_alen(a->fam));
	dns_rr_end(m, sec);
}

/* Header counts that differ from what is present (malformed scenario). */
static void
dns_counts(struct dns *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	m->fixed_counts = true;
	m->hdr[SEC_QD] = qd;
	m->hdr[SEC_AN] = an;
	m->hdr[SEC_NS] = ns;
	m->hdr[SEC_AR] = ar;
}

static void
dns_end(struct dns *m)
{
	const uint16_t *c = m->fixed_counts ? m->hdr : m->n;
	int i;

	for (i = 0; i < 4; i++)
		put16(m->b.d + 4 + 2 * i, c[i]);
}

#define EVAL_MAX_ADDR 16

/* What the counting definitions make of a message. */
struct dns_eval {
	bool msg;          /* >= 12 bytes: a DNS message at all */
	bool qr;
	uint8_t rcode;
	uint16_t n_a, n_aaaa;
	int naddr;
	struct ipaddr addr[EVAL_MAX_ADDR]; /* the counted A and AAAA RRs' addresses */
};

/* Apply the definitions to the first @len bytes of @m: sections are walked by
 * the header's counts, record by record, and the walk stops at the first
 * record that does not fit. Record boundaries come from the builder's units,
 * so this reads no name and follows no pointer; it only reads the header. */
static void
dns_eval(const struct dns *m, size_t len, struct dns_eval *e)
{
	const uint8_t *h = m->b.d;
	int ui = 0, sec;

	memset(e, 0, sizeof(*e));
	if (len < DNS_HDR)
		return;
	e->msg = true;
	e->qr = h[2] >> 7;
	e->rcode = h[3] & 0x0f;
	for (sec = SEC_QD; sec <= SEC_AR; sec++) {
		unsigned int cnt = get16(h + 4 + 2 * sec), i;

		for (i = 0; i < cnt; i++) {
			const struct dns_unit *u;

			/* Nothing written past the last unit: the next record cannot fit. */
			if (ui == m->nu)
				return;
			u = &m->u[ui++];
			if ((u->sec == SEC_QD) != (sec == SEC_QD))
				die("internal: header counts read a question as an RR");
			if (u->nofit || u->end > len)
				return;
			if (sec != SEC_AN || u->cls != DNS_C_IN)
				continue;
			if (u->type == DNS_T_A && u->rdlen == 4) {
				e->n_a++;
			} else if (u->type == DNS_T_AAAA && u->rdlen == 16) {
				e->n_aaaa++;
			} else {
				continue;
			}
			if (e->naddr == EVAL_MAX_ADDR)
				die("internal: too many addresses in one answer");
			e->addr[e->naddr].fam = u->type == DNS_T_A ? 4 : 6;
			memcpy(e->addr[e->naddr].a, u->rdata, u->rdlen);
			e->naddr++;
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Timeline and packets                                                      */

/* Set of used microsecond timestamps: packet times are strictly increasing,
 * so two packets never share one and file order is time order. */
struct timeline {
	uint64_t *slot;
	size_t cap, n;
};

static size_t
tl_hash(uint64_t t, size_t cap)
{
	return (size_t)((t * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static bool
tl_has(const struct timeline *tl, uint64_t t)
{
	size_t i;

	if (tl->cap == 0)
		return false;
	for (i = tl_hash(t, tl->cap); tl->slot[i]; i = (i + 1) & (tl->cap - 1))
		if (tl->slot[i] == t)
			return true;
	return false;
}

static void
tl_insert(struct timeline *tl, uint64_t t)
{
	size_t i;

	if (2 * (tl->n + 1) > tl->cap) {
		struct timeline big = { xcalloc(tl->cap ? 2 * tl->cap : 1024, sizeof(uint64_t)),
					tl->cap ? 2 * tl->cap : 1024, 0 };

		for (i = 0; i < tl->cap; i++)
			if (tl->slot[i])
				tl_insert(&big, tl->slot[i]);
		free(tl->slot);
		*tl = big;
	}
	for (i = tl_hash(t, tl->cap); tl->slot[i]; i = (i + 1) & (tl->cap - 1))
		;
	tl->slot[i] = t;
	tl->n++;
}

/* The first free microsecond at or after @t. */
static uint64_t
tl_take(struct timeline *tl, uint64_t t)
{
	while (tl_has(tl, t))
		t++;
	tl_insert(tl, t);
	return t;
}

struct event {
	uint64_t t;          /* µs since the epoch */
	uint8_t fam;         /* 4, 6; 0: not IP (data follows an Ethernet type) */
	uint16_t ethertype;  /* fam 0 only */
	uint32_t snap;       /* 0, or the caplen of the finished frame (caplen < len) */
	uint32_t len;
	size_t off;          /* in gen.arena: the IP datagram, or the non-IP payload */
};

/* ------------------------------------------------------------------------ */
/* Ledger: what each packet counts for, recorded as it is emitted.           */

enum { V_DST = 0, V_CLI = 1 }; /* dst_only, dst_and_client */

struct l_answer {
	uint64_t t;
	uint8_t fam;       /* transport family of the answer packet */
	uint8_t rcode;
	uint16_t n_a, n_aaaa;
};

struct l_query {
	uint64_t t;
	uint8_t fam;
	struct ipaddr client;
};

struct l_syn {
	uint64_t t;
	uint8_t fam;
	uint16_t dport;
	uint32_t conn;     /* equal for retransmissions: same 5-tuple and ISN */
};

/* Answer @ans selected SYN @syn (its earliest in-window SYN) in variant @var;
 * @fam 4: A RR vs IPv4 SYN (the paper), 6: AAAA vs IPv6 (aaaa_extension). */
struct l_match {
	uint8_t fam;
	uint8_t var;
	uint32_t ans, syn;
	uint64_t delay;
};

struct ledger {
	VEC(struct l_answer) ans;
	VEC(struct l_query) q;
	VEC(struct l_syn) syn;
	VEC(uint8_t) synack;
	VEC(struct l_match) match;
};

/* ------------------------------------------------------------------------ */
/* Generator context                                                         */

#define N_CLIENTS 16
#define SCANNER (N_CLIENTS - 1)    /* the Blaster-infected host */

struct client {
	struct ipaddr v4, v6;
};

struct linkvar;

struct gen {
	struct rng rng;
	struct timeline tl;
	VEC(struct event) ev;        /* not yet written, in emission order until sorted */
	struct buf arena, arena2;    /* their bytes; arena2 is the spare for compaction */
	/* Streaming (the --packets scenarios): events before @horizon are already
	 * in the file, and nothing may be emitted before it any more. */
	pcap_dumper_t *dump;
	const struct linkvar *lv;
	uint64_t horizon, first_t, last_t, nwritten, pcap_bytes;
	uint64_t npkt[3];            /* packets emitted: IPv4, IPv6, not IP */
	uint64_t ndns;               /* of them, UDP datagrams to or from port 53 */
	uint32_t pad_to;             /* min64: pad every IP datagram to this length */
	bool wide;                   /* fresh IPv4 servers from 32.0.0.0/6 (large files) */
	uint32_t n_wide;
	struct ledger led;
	uint64_t slot;               /* next special-episode slot */
	uint64_t nogo_lo[4], nogo_hi[4];
	int nnogo;
	uint32_t n_srv4, n_srv6, n_glue, n_peer, n_name, conn;
	uint16_t ip_id, sport;
	struct client cli[N_CLIENTS];
	struct ipaddr res4, res6;
	struct client *mcli;         /* the large scenarios' clients */
	uint32_t nmcli;
	struct ipaddr mres4[4], mres6[4];
	char *extra_json;            /* more top-level sidecar members (labelled) */
};

static uint16_t
next_ip_id(struct gen *g)
{
	return ++g->ip_id;
}

/* Ephemeral ports, one per flow, never 53. */
static uint16_t
next_sport(struct gen *g)
{
	if (g->sport < 32768 || g->sport >= 60999)
		g->sport = 32768;
	return g->sport++;
}

/* Fresh server addresses: each is named by one episode only. IPv4 from
 * 198.18.0.0/15 (RFC 2544), IPv6 from 2001:db8:5e::/48. */
static struct ipaddr wide_server(struct gen *g);

static struct ipaddr
new_server(struct gen *g, uint8_t fam)
{
	uint32_t v;

	if (fam == 4 && g->wide)
		return wide_server(g);
	if (fam == 6)
		return ip6(0x5e, 0x100 + g->n_srv6++);
	do /* skip x.y.z.0 and x.y.z.255: they look like network/broadcast */
		v = 0xc6120100u + g->n_srv4++;
	while ((v & 0xff) == 0 || (v & 0xff) == 0xff);
	return ip4(v);
}

/* Addresses that only appear as glue in ADDITIONAL (192.0.2.0/24). */
static struct ipaddr
new_glue(struct gen *g)
{
	return ip4(0xc0000201u + (g->n_glue++ % 250));
}

/* Non-DNS peers for noise: 203.0.113.0/24, 2001:db8:ffff::/48. */
static struct ipaddr
noise_peer(struct gen *g, uint8_t fam)
{
	uint32_t n = g->n_peer++ % 200;

	return fam == 4 ? ip4(0xcb007101u + n) : ip6(0xffff, 1 + n);
}

static void
new_name(struct gen *g, char *s, size_t n)
{
	static const char *const sites[] = { "shop", "news", "cdn", "mail", "video", "api" };
	static const char *const tlds[] = { "example", "example.com", "example.net" };

	/* One RNG draw per statement: C leaves the order in which arguments are
	 * evaluated unspecified, and the output must not depend on the compiler. */
	uint32_t site = rng_below(&g->rng, 6);
	uint32_t num = rng_below(&g->rng, 40);
	uint32_t tld = rng_below(&g->rng, 3);

	g->n_name++;
	snprintf(s, n, "h%u.%s%u.%s", g->n_name, sites[site], num, tlds[tld]);
}

static struct gen *
gen_new(uint64_t seed)
{
	struct gen *g = xcalloc(1, sizeof(*g));
	int i;

	g->rng.s = seed;
	g->slot = BASE_US + US_PER_S;
	g->sport = (uint16_t)(32768 + rng_below(&g->rng, 4096));
	g->ip_id = (uint16_t)rng_u64(&g->rng);
	for (i = 0; i < N_CLIENTS; i++) {
		g->cli[i].v4 = ip4(0x0a010001u + (uint32_t)i);  /* 10.1.0.1.. */
		g->cli[i].v6 = ip6(0xc1, 1 + (uint64_t)i);      /* 2001:db8:c1::1.. */
	}
	g->res4 = ip4(0x0a350035u);                             /* 10.53.0.53 */
	g->res6 = ip6(0x53, 0x53);                              /* 2001:db8:53::53 */
	return g;
}

static void
gen_free(struct gen *g)
{
	buf_free(&g->arena);
	buf_free(&g->arena2);
	free(g->mcli);
	free(g->extra_json);
	free(g->ev.v);
	free(g->tl.slot);
	free(g->led.ans.v);
	free(g->led.q.v);
	free(g->led.syn.v);
	free(g->led.synack.v);
	free(g->led.match.v);
	free(g);
}

/* Time ranges that special slots must avoid (absolute-time specials). */
static void
nogo_add(struct gen *g, uint64_t lo, uint64_t hi)
{
	if (g->nnogo == 4)
		die("internal: too many no-go ranges");
	g->nogo_lo[g->nnogo] = lo;
	g->nogo_hi[g->nnogo] = hi;
	g->nnogo++;
}

/* Special episodes are built first, each in a 4 s slot of its own, so the
 * exact delays they are made of cannot collide with anything; random traffic
 * comes later and is the one that yields a microsecond on a collision. */
static uint64_t
sp_slot(struct gen *g)
{
	for (;;) {
		uint64_t t = g->slot;
		bool clash = false;
		int i;

		g->slot += SLOT_US;
		for (i = 0; i < g->nnogo; i++)
			if (t < g->nogo_hi[i] && t + SLOT_US > g->nogo_lo[i])
				clash = true;
		if (!clash)
			return t + 1000 + rng_below(&g->rng, 200000);
	}
}

/* ------------------------------------------------------------------------ */
/* Emission: every packet enters the file here.                              */

static uint64_t
emit_ev(struct gen *g, uint64_t t, uint8_t fam, uint16_t ethertype, uint32_t snap,
	const uint8_t *data, size_t len)
{
	struct event e = { .fam = fam, .ethertype = ethertype, .snap = snap };

	if (t < g->horizon)
		die("internal: packet before the part already written");
	e.t = tl_take(&g->tl, t);
	e.len = (uint32_t)len;
	e.off = g->arena.len;
	buf_put(&g->arena, data, len);
	VEC_PUSH(g->ev, e);
	g->npkt[fam == 4 ? 0 : fam == 6 ? 1 : 2]++;
	return e.t;
}

/* Emit an IP datagram (consumed) at the first free µs >= @t; returns that time. */
static uint64_t
emit(struct gen *g, uint64_t t, uint8_t fam, struct buf *d)
{
	if (g->pad_to) { /* min64: trailing zeros are Ethernet padding, not IP */
		if (d->len > g->pad_to)
			die("internal: a %zu-byte datagram in a min64 file", d->len);
		buf_zero(d, g->pad_to - d->len);
	}
	t = emit_ev(g, t, fam, 0, 0, d->d, d->len);
	buf_free(d);
	return t;
}

static uint32_t
led_answer(struct gen *g, uint64_t t, uint8_t fam, const struct dns_eval *e)
{
	struct l_answer a = { t, fam, e->rcode, e->n_a, e->n_aaaa };

	VEC_PUSH(g->led.ans, a);
	return (uint32_t)(g->led.ans.n - 1);
}

static void
led_query(struct gen *g, uint64_t t, uint8_t fam, const struct ipaddr *client)
{
	struct l_query q = { t, fam, *client };

	VEC_PUSH(g->led.q, q);
}

static void
led_match(struct gen *g, uint8_t fam, uint8_t var, uint32_t ans, uint32_t syn, uint64_t delay)
{
	struct l_match m = { fam, var, ans, syn, delay };

	VEC_PUSH(g->led.match, m);
}

/* ------------------------------------------------------------------------ */
/* Episodes: a few lookups and the connections that follow them. An episode  */
/* owns the addresses its answers name, so the earliest in-window SYN of     */
/* each answer is found among the SYNs this episode plans, in time order.    */

#define EP_MAX_ANS 8
#define EP_MAX_ADDR 8
#define EP_MAX_SYN 24

struct ep_ans {
	uint32_t led;               /* ledger index */
	uint64_t t;
	struct ipaddr client;       /* the answer's IP destination */
	struct ipaddr addr[EP_MAX_ADDR];
	int naddr;
	bool done[2][2];            /* [A/AAAA][variant]: earliest SYN already taken */
};

struct ep_syn {
	uint64_t t;                 /* wanted time */
	bool exact;                 /* the time must not move (boundary delays) */
	struct tcp_pkt p;
};

struct ep {
	struct ep_ans ans[EP_MAX_ANS];
	int nans;
	struct ep_syn syn[EP_MAX_SYN];
	int nsyn;
};

static void
ep_add_answer(struct ep *ep, uint32_t led, uint64_t t, const struct ipaddr *client,
	      const struct dns_eval *e)
{
	struct ep_ans *a;

	if (ep->nans == EP_MAX_ANS || e->naddr > EP_MAX_ADDR)
		die("internal: episode too large");
	a = &ep->ans[ep->nans++];
	memset(a, 0, sizeof(*a));
	a->led = led;
	a->t = t;
	a->client = *client;
	a->naddr = e->naddr;
	memcpy(a->addr, e->addr, sizeof(a->addr[0]) * (size_t)e->naddr);
}

/* Record a DNS message sent at @t from @src to @dst (port 53 on one side). */
static void
dns_ledger(struct gen *g, struct ep *ep, uint64_t t, const struct ipaddr *src,
	   const struct ipaddr *dst, const struct dns_eval *e)
{
	if (!e->msg)
		return; /* < 12 bytes: not counted at all */
	if (e->qr) {
		uint32_t i = led_answer(g, t, src->fam, e);

		if (ep)
			ep_add_answer(ep, i, t, dst, e);
	} else {
		led_query(g, t, src->fam, src);
	}
}

/* A DNS message over UDP; @ep (may be NULL) collects the answer's addresses. */
static uint64_t
send_dns(struct gen *g, struct ep *ep, uint64_t t, const struct ipaddr *src,
	 const struct ipaddr *dst, uint16_t sport, uint16_t dport, const struct dns *m,
	 unsigned int x)
{
	struct buf d;
	struct dns_eval e;

	if (sport != 53 && dport != 53)
		die("internal: send_dns off port 53");
	d = build_udp(g, src, dst, sport, dport, m->b.d, m->b.len, x);
	t = emit(g, t, src->fam, &d);
	g->ndns++;
	dns_eval(m, m->b.len, &e);
	dns_ledger(g, ep, t, src, dst, &e);
	return t;
}

/* Any TCP segment. SYN (SYN set, ACK clear) and SYN-ACK go to the ledger;
 * *syn_idx gets the SYN's ledger index (UINT32_MAX otherwise). */
static uint64_t
send_tcp(struct gen *g, uint64_t t, const struct tcp_pkt *s, uint32_t *syn_idx)
{
	struct buf d = build_tcp(g, s);

	t = emit(g, t, s->src.fam, &d);
	if (syn_idx)
		*syn_idx = UINT32_MAX;
	if ((s->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		struct l_syn l = { t, s->src.fam, s->dport, s->conn };

		VEC_PUSH(g->led.syn, l);
		if (syn_idx)
			*syn_idx = (uint32_t)(g->led.syn.n - 1);
	} else if ((s->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		VEC_PUSH(g->led.synack, s->src.fam);
	}
	return t;
}

static void
ep_plan_syn(struct ep *ep, uint64_t t, bool exact, const struct tcp_pkt *p)
{
	struct ep_syn *s;

	if (ep->nsyn == EP_MAX_SYN)
		die("internal: too many SYNs in one episode");
	s = &ep->syn[ep->nsyn++];
	s->t = t;
	s->exact = exact;
	s->p = *p;
}

static bool
ep_names(const struct ep_ans *a, const struct ipaddr *x)
{
	int i;

	for (i = 0; i < a->naddr; i++)
		if (ip_eq(&a->addr[i], x))
			return true;
	return false;
}

/* Emit the planned SYN-flagged packets in time order and, as each goes out,
 * give it to every answer of the episode that still has no SYN and for which
 * it is in the window: that is the answer's earliest such SYN. */
static void
ep_commit(struct gen *g, struct ep *ep)
{
	int order[EP_MAX_SYN], i, j, k;

	for (i = 0; i < ep->nsyn; i++) {
		for (j = i; j > 0 && ep->syn[order[j - 1]].t > ep->syn[i].t; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (k = 0; k < ep->nsyn; k++) {
		const struct ep_syn *s = &ep->syn[order[k]];
		uint32_t si;
		uint64_t t = send_tcp(g, s->t, &s->p, &si);
		int f = s->p.dst.fam == 4 ? 0 : 1;

		if (s->exact && t != s->t)
			die("internal: exact SYN time taken");
		if (si == UINT32_MAX)
			continue; /* SYN-ACK or other: not a SYN */
		for (i = 0; i < ep->nans; i++) {
			struct ep_ans *a = &ep->ans[i];

			if (t <= a->t || t - a->t > WINDOW_US || !ep_names(a, &s->p.dst))
				continue;
			if (!a->done[f][V_DST]) {
				led_match(g, s->p.dst.fam, V_DST, a->led, si, t - a->t);
				a->done[f][V_DST] = true;
			}
			if (!a->done[f][V_CLI] && ip_eq(&s->p.src, &a->client)) {
				led_match(g, s->p.dst.fam, V_CLI, a->led, si, t - a->t);
				a->done[f][V_CLI] = true;
			}
		}
	}
	ep->nsyn = 0;
	ep->nans = 0;
}

/* A client connection attempt. */
struct conn_opt {
	int retx;            /* SYN retransmissions: +1 s, then +2 s more (RFC 6298 §5.5) */
	bool established;    /* SYN-ACK, ACK and some data after the last SYN */
	uint8_t flags;       /* of the SYN-flagged packet; 0 means plain SYN */
	unsigned int x;      /* IP wrapping of the client's packets */
	bool exact;          /* the first SYN's time must not move */
};

static uint64_t
rtt(struct gen *g)
{
	return rng_between(&g->rng, 2 * US_PER_MS, 80 * US_PER_MS);
}

static void
ep_connect(struct gen *g, struct ep *ep, uint64_t t, const struct ipaddr *src,
	   const struct ipaddr *dst, uint16_t dport, const struct conn_opt *o)
{
	struct tcp_pkt s = { .src = *src, .dst = *dst, .dport = dport, .x = o->x };
	uint64_t ts = t, back = US_PER_S;
	int i;

	s.sport = next_sport(g);
	s.seq = (uint32_t)rng_u64(&g->rng);
	s.flags = o->flags ? o->flags : TH_SYN;
	s.conn = g->conn++;
	for (i = 0; i <= o->retx; i++) {
		ep_plan_syn(ep, ts, o->exact && i == 0, &s);
		if (i < o->retx) {
			ts += back;
			back *= 2;
		}
	}
	if (o->established) {
		struct tcp_pkt r = { .src = *dst, .dst = *src, .sport = dport, .dport = s.sport };
		static const uint8_t data[64] = { 0x16, 0x03, 0x01 }; /* looks like a TLS hello */
		uint32_t cseq = s.seq + 1;

		r.seq = (uint32_t)rng_u64(&g->rng);
		r.ack = cseq;
		r.flags = TH_SYN | TH_ACK;
		r.conn = g->conn++;
		ts = send_tcp(g, ts + rtt(g), &r, NULL);
		s.flags = TH_ACK;
		s.ack = r.seq + 1;
		s.seq = cseq;
		ts = send_tcp(g, ts + rng_between(&g->rng, 50, 400), &s, NULL);
		s.flags = TH_ACK | TH_PSH;
		s.payload = data;
		s.plen = sizeof(data);
		ts = send_tcp(g, ts + rng_between(&g->rng, 50, 400), &s, NULL);
		r.flags = TH_ACK;
		r.seq++;
		r.ack = cseq + (uint32_t)sizeof(data);
		send_tcp(g, ts + rtt(g), &r, NULL);
	}
}

/* ------------------------------------------------------------------------ */
/* Lookups                                                                   */

struct ans_spec {
	uint16_t qtype;
	uint16_t flags;        /* extra header flags (TC, AA, opcode) */
	uint8_t rcode;
	int ncname;            /* CNAME chain before the addresses */
	int naddr;
	struct ipaddr addr[EP_MAX_ADDR];
	bool glue;             /* NS in AUTHORITY, its A in ADDITIONAL (not counted) */
	struct ipaddr glue_addr;
	bool soa;              /* SOA in AUTHORITY (negative answers) */
	bool opt;              /* EDNS0 OPT in ADDITIONAL (RFC 6891) */
};

static void
spec_init(struct ans_spec *s, uint16_t qtype)
{
	memset(s, 0, sizeof(*s));
	s->qtype = qtype;
}

static void
spec_addrs(struct gen *g, struct ans_spec *s, uint8_t fam, int n)
{
	int i;

	for (i = 0; i < n; i++)
		s->addr[s->naddr++] = new_server(g, fam);
}

static void
dns_query(struct dns *m, uint16_t id, const char *qname, uint16_t qtype)
{
	dns_begin(m, id, DNS_RD);
	dns_name(m, qname);
	dns_question(m, qtype, DNS_C_IN);
	dns_end(m);
}

/* A resolver's answer, compressed the usual way: RR owners point at the
 * question name or at the previous CNAME target. */
static void
dns_answer(struct gen *g, struct dns *m, uint16_t id, const char *qname,
	   const struct ans_spec *s)
{
	uint16_t owner = DNS_HDR, zone;
	int i;

	dns_begin(m, id, (uint16_t)(DNS_RESP | s->flags | s->rcode));
	dns_name(m, qname);
	dns_question(m, s->qtype, DNS_C_IN);
	for (i = 0; i < s->ncname; i++) {
		char target[64];

		snprintf(target, sizeof(target), "e%u.g%d", rng_below(&g->rng, 10000), i);
		dns_ptr(m, owner);
		dns_rr_begin(m, DNS_T_CNAME, DNS_C_IN, 300);
		owner = dns_name_ptr(m, target, DNS_HDR);
		dns_rr_end(m, SEC_AN);
	}
	for (i = 0; i < s->naddr; i++) {
		dns_ptr(m, owner);
		dns_rr_addr(m, SEC_AN, &s->addr[i], 60 + rng_below(&g->rng, 3600));
	}
	if (s->soa) {
		zone = dns_name(m, "example");
		dns_rr_begin(m, DNS_T_SOA, DNS_C_IN, 900);
		dns_name_ptr(m, "ns", zone);
		dns_name_ptr(m, "hostmaster", zone);
		buf_u32(&m->b, 2023111401);
		buf_u32(&m->b, 7200);
		buf_u32(&m->b, 900);
		buf_u32(&m->b, 1209600);
		buf_u32(&m->b, 300);
		dns_rr_end(m, SEC_NS);
	}
	if (s->glue) {
		uint16_t ns;

		zone = dns_name(m, "example");
		dns_rr_begin(m, DNS_T_NS, DNS_C_IN, 86400);
		ns = dns_name_ptr(m, "ns1", zone);
		dns_rr_end(m, SEC_NS);
		dns_ptr(m, ns);
		dns_rr_addr(m, SEC_AR, &s->glue_addr, 86400);
	}
	if (s->opt) {
		dns_name(m, "");
		dns_rr_begin(m, DNS_T_OPT, 1232, 0); /* CLASS = UDP size, TTL = ext. RCODE 0 */
		dns_rr_end(m, SEC_AR);
	}
	dns_end(m);
}

static const struct ipaddr *
cli_addr(const struct client *c, uint8_t fam)
{
	return fam == 4 ? &c->v4 : &c->v6;
}

static const struct ipaddr *
resolver(const struct gen *g, uint8_t fam)
{
	return fam == 4 ? &g->res4 : &g->res6;
}

/* Query from client @c over @fam at @t, the answer @s one RTT later (sent
 * @dup times, 3 ms apart). Returns the (first) answer's time. */
static uint64_t
lookup_x(struct gen *g, struct ep *ep, uint64_t t, const struct client *c, uint8_t fam,
	 const struct ans_spec *s, unsigned int x, int dup)
{
	const struct ipaddr *cli = cli_addr(c, fam), *res = resolver(g, fam);
	uint16_t id = (uint16_t)rng_u64(&g->rng), sport = next_sport(g);
	char qname[96];
	struct dns q, a;
	uint64_t ta;
	int i;

	new_name(g, qname, sizeof(qname));
	dns_query(&q, id, qname, s->qtype);
	t = send_dns(g, NULL, t, cli, res, sport, 53, &q, x);
	dns_answer(g, &a, id, qname, s);
	ta = t = send_dns(g, ep, t + rtt(g), res, cli, 53, sport, &a, x);
	for (i = 1; i < dup; i++)
		t = send_dns(g, ep, t + 3 * US_PER_MS, res, cli, 53, sport, &a, x);
	dns_free(&q);
	dns_free(&a);
	return ta;
}

static uint64_t
lookup(struct gen *g, struct ep *ep, uint64_t t, const struct client *c, uint8_t fam,
       const struct ans_spec *s)
{
	return lookup_x(g, ep, t, c, fam, s, 0, 1);
}

static uint16_t
pick_dport(struct gen *g)
{
	static const uint16_t ports[] = { 443, 443, 443, 443, 443, 443, 443, 443, 80, 80, 80, 80,
					  8080, 8443, 5228, 993, 22, 25, 853, 5222 };

	return ports[rng_below(&g->rng, sizeof(ports) / sizeof(ports[0]))];
}

static struct client *
pick_client(struct gen *g)
{
	return &g->cli[rng_below(&g->rng, SCANNER)];
}

static struct client *
other_client(struct gen *g, const struct client *c)
{
	struct client *d;

	do
		d = pick_client(g);
	while (d == c);
	return d;
}

/* ------------------------------------------------------------------------ */
/* Random episodes (the bulk of basic, v6 and the valid part of malformed)   */

/* First-connection delay: mostly fast, some slow, some past the window. */
static uint64_t
first_delay(struct gen *g)
{
	unsigned int r = rng_below(&g->rng, 100);

	if (r < 60)
		return rng_between(&g->rng, 1 * US_PER_MS, 300 * US_PER_MS);
	if (r < 90)
		return rng_between(&g->rng, 300 * US_PER_MS, 1000 * US_PER_MS);
	return rng_between(&g->rng, 1000 * US_PER_MS, 1200 * US_PER_MS);
}

static int
pick_retx(struct gen *g)
{
	unsigned int r = rng_below(&g->rng, 100);

	return r < 80 ? 0 : r < 92 ? 1 : 2;
}

/* Wrapping for random IPv6 packets: sometimes a chain of extension headers. */
static unsigned int
pick_x6(struct gen *g, unsigned int pct)
{
	static const unsigned int combos[] = { X6_HBH, X6_DST, X6_RT, X6_AFRAG, X6_HBH | X6_DST,
					       X6_DST | X6_RT, X6_ALL };

	if (!rng_pct(&g->rng, pct))
		return 0;
	return combos[rng_below(&g->rng, sizeof(combos) / sizeof(combos[0]))];
}

static void
ep_random(struct gen *g, uint64_t t0, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam);
	unsigned int kind = rng_below(&g->rng, 100);
	uint8_t rrfam = fam;
	struct conn_opt o = { 0 };
	uint64_t ta, delay;

	/* Note: at most one RNG-consuming expression per statement, see new_name(). */
	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	if (fam == 6)
		o.x = pick_x6(g, 15);
	if (kind < 8) {                         /* NXDOMAIN, SOA in AUTHORITY */
		s.rcode = 3;
		s.soa = true;
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 12) {                 /* SERVFAIL or REFUSED, empty */
		s.rcode = rng_pct(&g->rng, 50) ? 2 : 5;
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 20) {                 /* only the other family's RRs */
		rrfam = fam == 4 ? 6 : 4;
		s.qtype = rrfam == 4 ? DNS_T_A : DNS_T_AAAA;
		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 2));
		ta = lookup(g, &ep, t0, c, fam, &s);
		/* Only in v6: a dual-stack client connects over IPv4 to an A RR
		 * it got over IPv6 (dst_only match; its source is not the answer's
		 * destination). basic stays IPv4-only. */
		if (fam == 6 && rng_pct(&g->rng, 50)) {
			o.x = 0;
			o.established = true;
			delay = first_delay(g);
			ep_connect(g, &ep, ta + delay, &c->v4, &s.addr[0], pick_dport(g), &o);
		}
	} else if (kind < 28) {                 /* answered, never connected to */
		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 4));
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 36) {                 /* another host connects (shared cache) */
		struct client *d = other_client(g, c);

		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 3));
		const struct ipaddr *dst;

		ta = lookup(g, &ep, t0, c, fam, &s);
		o.established = rng_pct(&g->rng, 70);
		delay = rng_between(&g->rng, US_PER_MS, 900 * US_PER_MS);
		dst = &s.addr[rng_below(&g->rng, (uint32_t)s.naddr)];
		ep_connect(g, &ep, ta + delay, cli_addr(d, fam), dst, pick_dport(g), &o);
		if (rng_pct(&g->rng, 50)) {
			delay = rng_between(&g->rng, US_PER_MS, 1100 * US_PER_MS);
			ep_connect(g, &ep, ta + delay, cli, &s.addr[0], pick_dport(g), &o);
		}
	} else if (kind < 42) {                 /* connects, but too late */
		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 2));
		ta = lookup(g, &ep, t0, c, fam, &s);
		o.established = true;
		delay = rng_between(&g->rng, WINDOW_US + 1, 3 * US_PER_S);
		ep_connect(g, &ep, ta + delay, cli, &s.addr[0], pick_dport(g), &o);
	} else if (kind < 47) {                 /* first query lost, retried 1 s later */
		struct dns q;
		char qname[96];

		new_name(g, qname, sizeof(qname));
		dns_query(&q, (uint16_t)rng_u64(&g->rng), qname, s.qtype);
		send_dns(g, NULL, t0, cli, resolver(g, fam), next_sport(g), 53, &q, 0);
		dns_free(&q);
		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 4));
		ta = lookup(g, &ep, t0 + US_PER_S, c, fam, &s);
		o.established = true;
		delay = first_delay(g);
		ep_connect(g, &ep, ta + delay, cli, &s.addr[0], pick_dport(g), &o);
	} else if (kind < 52) {                 /* SYN before the answer, retransmitted after */
		spec_addrs(g, &s, rrfam, 1);
		ta = lookup(g, &ep, t0, c, fam, &s);
		o.retx = 1;
		o.established = true;
		delay = rng_between(&g->rng, 50 * US_PER_MS, 400 * US_PER_MS);
		ep_connect(g, &ep, ta - delay, cli, &s.addr[0], pick_dport(g), &o);
	} else {                                /* the common case */
		int nconn = rng_pct(&g->rng, 70) ? 1 : rng_pct(&g->rng, 80) ? 2 : 3, i;
		uint64_t d = first_delay(g);

		spec_addrs(g, &s, rrfam, 1 + (int)rng_below(&g->rng, 4));
		if (rng_pct(&g->rng, 30))
			s.ncname = 1 + (int)rng_below(&g->rng, 2);
		if (rng_pct(&g->rng, 15)) {
			s.glue = true;
			s.glue_addr = new_glue(g);
		}
		s.opt = rng_pct(&g->rng, 30);
		ta = lookup_x(g, &ep, t0, c, fam, &s, fam == 6 ? pick_x6(g, 20) : 0, 1);
		for (i = 0; i < nconn; i++) {
			const struct ipaddr *dst = &s.addr[rng_below(&g->rng, (uint32_t)s.naddr)];

			o.retx = pick_retx(g);
			o.established = rng_pct(&g->rng, 75);
			ep_connect(g, &ep, ta + d, cli, dst, pick_dport(g), &o);
			d += rng_between(&g->rng, 20 * US_PER_MS, 600 * US_PER_MS);
		}
	}
	ep_commit(g, &ep);
}

/* SYNs to addresses no answer named (Blaster: TCP/135 sweep; v6: 445). */
static void
scanner(struct gen *g, uint8_t fam, int n, uint64_t t0, uint64_t span)
{
	const struct ipaddr *src = cli_addr(&g->cli[SCANNER], fam);
	int i;

	for (i = 0; i < n; i++) {
		struct tcp_pkt s = { .src = *src, .flags = TH_SYN };
		uint64_t t = t0 + rng_between(&g->rng, 0, span - 1);

		/* 100.64.0.0/10 (RFC 6598) and 2001:db8:bad::/48: never answered */
		s.dst = fam == 4 ? ip4(0x64400000u | rng_below(&g->rng, 0x400000))
				 : ip6(0xbad, rng_u64(&g->rng));
		s.sport = next_sport(g);
		s.dport = fam == 4 ? 135 : 445;
		s.seq = (uint32_t)rng_u64(&g->rng);
		s.conn = g->conn++;
		t = send_tcp(g, t, &s, NULL);
		if (rng_pct(&g->rng, 30))
			send_tcp(g, t + 3 * US_PER_S, &s, NULL); /* Windows XP: retry after 3 s */
	}
}

/* Traffic that is neither DNS nor a SYN: NTP, syslog, TCP data, pings. */
static void
noise(struct gen *g, uint8_t fam, int n, uint64_t t0, uint64_t span)
{
	static const uint8_t pay[200] = { 0x17, 0x03, 0x03 };
	static const char syslog[] = "<30>Nov 14 22:13:20 host dnsyn-gen: noise";
	int i;

	for (i = 0; i < n; i++) {
		const struct ipaddr *c = cli_addr(pick_client(g), fam);
		struct ipaddr p = noise_peer(g, fam);
		uint64_t t = t0 + rng_between(&g->rng, 0, span - 1);
		struct buf d;

		switch (rng_below(&g->rng, 4)) {
		case 0: /* NTP */
			d = build_udp(g, c, &p, 123, 123, pay, 48, 0);
			emit(g, t, fam, &d);
			break;
		case 1: /* syslog */
			d = build_udp(g, c, &p, next_sport(g), 514, (const uint8_t *)syslog,
				      sizeof(syslog) - 1, 0);
			emit(g, t, fam, &d);
			break;
		case 2: { /* data on an established connection */
			struct tcp_pkt s = { .src = p, .dst = *c, .sport = 443 };

			s.flags = TH_ACK | TH_PSH;

			s.dport = next_sport(g);
			s.seq = (uint32_t)rng_u64(&g->rng);
			s.ack = (uint32_t)rng_u64(&g->rng);
			s.payload = pay;
			s.plen = 40 + rng_below(&g->rng, 160);
			send_tcp(g, t, &s, NULL);
			break;
		}
		default: { /* echo request */
			uint8_t icmp[16] = { fam == 4 ? 8 : 128 };
			struct buf l4 = { 0 };

			buf_put(&l4, icmp, sizeof(icmp));
			d = ip_wrap(g, c, &p, fam == 4 ? P_ICMP : P_ICMPV6, l4.d, l4.len, 0);
			buf_free(&l4);
			emit(g, t, fam, &d);
			break;
		}
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Special episodes: one property each, built in their own time slot.       */

static const struct conn_opt CONN_EST = { .established = true };

/* Two queries 1 µs apart on either side of a query-bucket edge: @edge_s is
 * an absolute epoch second that is a multiple of 60 (bucket = floor(t/60)*60). */
static void
sp_bucket_edge(struct gen *g, uint8_t fam, uint64_t edge_s)
{
	const struct client *c = &g->cli[2];
	uint64_t edge = edge_s * US_PER_S;
	struct dns q;
	char qname[96];

	nogo_add(g, edge - SLOT_US, edge + SLOT_US);
	new_name(g, qname, sizeof(qname));
	dns_query(&q, 0x0b0e, qname, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	if (send_dns(g, NULL, edge - 1, cli_addr(c, fam), resolver(g, fam), next_sport(g), 53,
		     &q, 0) != edge - 1 ||
	    send_dns(g, NULL, edge, cli_addr(c, fam), resolver(g, fam), next_sport(g), 53, &q,
		     0) != edge)
		die("internal: bucket edge times taken");
	dns_free(&q);
}

/* Answers followed by one client SYN at an exact delay (µs). */
static void
sp_exact_delays(struct gen *g, uint8_t fam, const uint64_t *delays, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct ep ep = { .nans = 0 };
		struct ans_spec s;
		struct client *c = pick_client(g);
		struct conn_opt o = { .established = true, .exact = true };
		uint64_t ta;

		spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
		spec_addrs(g, &s, fam, 2);
		ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
		ep_connect(g, &ep, ta + delays[i], cli_addr(c, fam), &s.addr[1], 443, &o);
		ep_commit(g, &ep);
	}
}

/* The same answer twice (a duplicate is counted twice); one SYN serves both. */
static void
sp_duplicate(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 2);
	ta = lookup_x(g, &ep, sp_slot(g), c, fam, &s, 0, 2);
	ep_connect(g, &ep, ta + 400200, cli_addr(c, fam), &s.addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);
}

/* Two clients get the same addresses 50 ms apart. Client 1's SYN is the
 * earliest for both answers (dst_only: 1 SYN, 2 answers); client 2's own later
 * SYN is its dst_and_client match. */
static void
sp_shared(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c1 = &g->cli[3], *c2 = &g->cli[4];
	uint64_t t = sp_slot(g), ta1, ta2;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 2);
	ta1 = lookup(g, &ep, t, c1, fam, &s);
	ta2 = lookup(g, &ep, ta1 + 50 * US_PER_MS, c2, fam, &s);
	ep_connect(g, &ep, ta2 + 250 * US_PER_MS, cli_addr(c1, fam), &s.addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta2 + 500 * US_PER_MS, cli_addr(c2, fam), &s.addr[0], 80, &CONN_EST);
	ep_commit(g, &ep);
}

/* A SYN 200 ms before the answer; its retransmission 800 ms after it is the
 * match (retransmissions are SYNs). */
static void
sp_syn_before(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	struct conn_opt o = { .retx = 1, .established = true };
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 1);
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta - 200 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 8080, &o);
	ep_commit(g, &ep);
}

/* Another host's SYN first (dst_only), then the client's (dst_and_client);
 * and an answer that only another host connects to. */
static void
sp_other_client(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g), *d = other_client(g, c);
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 1);
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta + 200 * US_PER_MS, cli_addr(d, fam), &s.addr[0], 993, &CONN_EST);
	ep_connect(g, &ep, ta + 600 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 1);
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta + 300 * US_PER_MS, cli_addr(d, fam), &s.addr[0], 5222, &CONN_EST);
	ep_commit(g, &ep);
}

/* TCP flag corner cases: SYN|ACK towards an answered address is a SYN-ACK,
 * not a SYN; SYN|ECE|CWR (RFC 3168 ECN setup) is a SYN. */
static void
sp_flags(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	struct conn_opt synack = { .flags = TH_SYN | TH_ACK };
	struct conn_opt ecn = { .flags = TH_SYN | TH_ECE | TH_CWR, .established = true };
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 2);
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta + 100 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 443, &synack);
	ep_connect(g, &ep, ta + 300 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 1);
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta + 150 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 80, &ecn);
	ep_commit(g, &ep);
}

/* Several connections after one answer: only the earliest SYN is selected;
 * plus a CNAME chain, NS/glue (glue A not counted) and a SYN to the glue. */
static void
sp_second_conn(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam);
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 3);
	s.ncname = 2;
	s.glue = true;
	s.glue_addr = new_glue(g);
	s.opt = true;
	ta = lookup(g, &ep, sp_slot(g), c, fam, &s);
	ep_connect(g, &ep, ta + 100 * US_PER_MS, &c->v4, &s.glue_addr, 443, &CONN_EST);
	ep_connect(g, &ep, ta + 200 * US_PER_MS, cli, &s.addr[2], 443, &CONN_EST);
	ep_connect(g, &ep, ta + 250 * US_PER_MS, cli, &s.addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta + 700 * US_PER_MS, cli, &s.addr[1], 80, &CONN_EST);
	ep_commit(g, &ep);
}

/* Fragmented answer: the datagram's time is that of its completing fragment.
 * The SYN delay lands in bin 40 from either fragment, so a reader that used
 * the first fragment's time would still agree on the histogram. */
static void
sp_fragmented(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam), *res = resolver(g, fam);
	uint16_t sport = next_sport(g), id = (uint16_t)rng_u64(&g->rng);
	char qname[96];
	struct dns q, a;
	struct buf l4, fr[2];
	struct dns_eval e;
	uint64_t t = sp_slot(g);

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 4);
	s.ncname = 2;
	s.opt = true;
	new_name(g, qname, sizeof(qname));
	dns_query(&q, id, qname, s.qtype);
	t = send_dns(g, NULL, t, cli, res, sport, 53, &q, 0);
	dns_answer(g, &a, id, qname, &s);
	l4 = udp_l4(res, cli, 53, sport, a.b.d, a.b.len);
	ip_fragments(g, res, cli, P_UDP, &l4, 64, fr);
	t = emit(g, t + rtt(g), fam, &fr[0]);
	t = emit(g, t + 300, fam, &fr[1]);
	dns_eval(&a, a.b.len, &e);
	dns_ledger(g, &ep, t, res, cli, &e);
	ep_connect(g, &ep, t + 400200, cli, &s.addr[3], 443, &CONN_EST);
	ep_commit(g, &ep);
	buf_free(&l4);
	dns_free(&q);
	dns_free(&a);
}

/* Answer and SYN carrying IP options (IPv4 IHL 6) or IPv6 extension headers. */
static void
sp_ip_options(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	struct conn_opt o = { .established = true };
	unsigned int x;
	uint64_t ta;

	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s, fam, 2);
	x = fam == 4 ? X4_RTRALERT : X6_HBH | X6_DST | X6_RT;
	ta = lookup_x(g, &ep, sp_slot(g), c, fam, &s, x, 1);
	o.x = fam == 4 ? X4_RTRALERT : X6_DST;
	ep_connect(g, &ep, ta + 120 * US_PER_MS, cli_addr(c, fam), &s.addr[1], 443, &o);
	ep_commit(g, &ep);
	if (fam == 4)
		return;
	/* Atomic fragment headers (offset 0, M=0) on the answer and on a SYN
	 * behind every other header: neither is a fragment. */
	spec_init(&s, DNS_T_AAAA);
	spec_addrs(g, &s, fam, 1);
	ta = lookup_x(g, &ep, sp_slot(g), c, fam, &s, X6_AFRAG, 1);
	o.x = X6_ALL;
	ep_connect(g, &ep, ta + 80 * US_PER_MS, cli_addr(c, fam), &s.addr[0], 443, &o);
	ep_commit(g, &ep);
}

/* Things that look like a DNS answer and a SYN to its address, but are not
 * counted as an answer: mDNS (port 5353), an answer quoted in an ICMP error,
 * an answer inside an IP-in-IP tunnel. A real SYN to each address follows
 * within the window and must stay unmatched. */
static void
sp_traps(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam), *res = resolver(g, fam);
	/* 224.0.0.251 / ff02::fb */
	struct ipaddr x, mcast = fam == 4 ? ip4(0xe00000fbu)
					  : (struct ipaddr){ 6, { 0xff, 0x02, [15] = 0xfb } };
	uint64_t t = sp_slot(g);
	struct ans_spec s;
	struct dns a;
	struct buf d, inner;
	struct tcp_pkt syn = { .src = *cli, .flags = TH_SYN, .dport = 443 };

	/* mDNS response (RFC 6762): same format, port 5353 */
	x = new_server(g, fam);
	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	s.addr[s.naddr++] = x;
	dns_answer(g, &a, 0, "printer.local", &s);
	d = build_udp(g, cli_addr(other_client(g, c), fam), &mcast, 5353, 5353, a.b.d, a.b.len, 0);
	t = emit(g, t, fam, &d);
	ep_connect(g, &ep, t + 200 * US_PER_MS, cli, &x, 631, &CONN_EST);
	dns_free(&a);

	/* ICMP port unreachable (client -> resolver) quoting the answer, and
	 * one quoting a SYN to the same address */
	x = new_server(g, fam);
	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	s.addr[s.naddr++] = x;
	dns_answer(g, &a, 0x1c3b, "quoted.example", &s);
	inner = build_udp(g, res, cli, 53, 40000, a.b.d, a.b.len, 0);
	d = build_icmp_unreach(g, cli, res, &inner);
	t = emit(g, t + 500 * US_PER_MS, fam, &d);
	buf_free(&inner);
	syn.dst = x;
	syn.sport = next_sport(g);
	syn.seq = 0x1c3b1c3b;
	inner = build_tcp(g, &syn);
	d = build_icmp_unreach(g, &x, cli, &inner);
	emit(g, t + 10 * US_PER_MS, fam, &d);
	buf_free(&inner);
	ep_connect(g, &ep, t + 150 * US_PER_MS, cli, &x, 443, &CONN_EST);
	dns_free(&a);

	/* Tunnelled answer: outer IPv4 proto 4 (RFC 2003) / IPv6 proto 41 */
	x = new_server(g, fam);
	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	s.addr[s.naddr++] = x;
	dns_answer(g, &a, 0x7e11, "tunnel.example", &s);
	inner = build_udp(g, res, cli, 53, 40001, a.b.d, a.b.len, 0);
	{
		struct ipaddr ta = noise_peer(g, fam), tb = noise_peer(g, fam);

		d = ip_wrap(g, &ta, &tb, fam == 4 ? P_IPIP : P_IPV6, inner.d, inner.len, 0);
	}
	t = emit(g, t + 800 * US_PER_MS, fam, &d);
	buf_free(&inner);
	ep_connect(g, &ep, t + 100 * US_PER_MS, cli, &x, 443, &CONN_EST);
	dns_free(&a);
	ep_commit(g, &ep);
}

/* RCODEs and flags that still make an answer: TC=1, SERVFAIL, REFUSED;
 * and a resolver-to-authoritative exchange with port 53 on both sides. */
static void
sp_rcodes(struct gen *g, uint8_t fam)
{
	struct ans_spec s;
	struct client *c = pick_client(g);
	uint64_t t = sp_slot(g);
	static const uint8_t rcodes[] = { 0, 2, 5, 1, 4 };
	unsigned int i;

	for (i = 0; i < sizeof(rcodes); i++) {
		spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
		s.rcode = rcodes[i];
		if (i == 0)
			s.flags = DNS_TC;
		t = lookup(g, NULL, t + 100 * US_PER_MS, c, fam, &s);
	}
	if (fam == 4) {
		struct ipaddr auth = ip4(0xc6336435u); /* 198.51.100.53 */
		struct dns q, a;

		spec_init(&s, DNS_T_A);
		spec_addrs(g, &s, 4, 1);
		s.flags = DNS_AA;
		dns_query(&q, 0x5353, "www.auth.example", DNS_T_A);
		dns_answer(g, &a, 0x5353, "www.auth.example", &s);
		t = send_dns(g, NULL, t + 100 * US_PER_MS, &g->res4, &auth, 53, 53, &q, 0);
		send_dns(g, NULL, t + 20 * US_PER_MS, &auth, &g->res4, 53, 53, &a, 0);
		dns_free(&q);
		dns_free(&a);
	}
}

/* DNS over TCP (RFC 7766): the connection's own SYN (dport 53) and SYN-ACK,
 * two queries in one segment, the two answers split so that segment A ends
 * inside answer 1 and segment B completes it and carries answer 2. An answer
 * takes the time of the segment that completes it; the SYN delays are chosen
 * so that segment A's time would give the same 10 ms bins. */
static void
sp_tcp_dns(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam), *res = resolver(g, fam);
	struct tcp_pkt cs = { .src = *cli, .dst = *res, .dport = 53, .flags = TH_SYN };
	struct tcp_pkt rs = { .src = *res, .dst = *cli, .sport = 53 };
	struct ans_spec s1, s2;
	struct dns q1, q2, a1, a2;
	struct buf qs = { 0 }, as = { 0 };
	struct dns_eval e1, e2;
	char n1[96], n2[96];
	uint64_t t = sp_slot(g), tb;

	spec_init(&s1, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s1, fam, 3);
	spec_init(&s2, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &s2, fam, 1);
	s2.ncname = 1;
	new_name(g, n1, sizeof(n1));
	new_name(g, n2, sizeof(n2));
	dns_query(&q1, 0x7101, n1, s1.qtype);
	dns_query(&q2, 0x7102, n2, s2.qtype);
	dns_answer(g, &a1, 0x7101, n1, &s1);
	dns_answer(g, &a2, 0x7102, n2, &s2);
	buf_u16(&qs, (uint16_t)q1.b.len);
	buf_put(&qs, q1.b.d, q1.b.len);
	buf_u16(&qs, (uint16_t)q2.b.len);
	buf_put(&qs, q2.b.d, q2.b.len);
	buf_u16(&as, (uint16_t)a1.b.len);
	buf_put(&as, a1.b.d, a1.b.len);
	buf_u16(&as, (uint16_t)a2.b.len);
	buf_put(&as, a2.b.d, a2.b.len);

	cs.sport = next_sport(g);
	cs.dport = 53;
	cs.seq = (uint32_t)rng_u64(&g->rng);
	cs.conn = g->conn++;
	rs.dport = cs.sport;
	rs.seq = (uint32_t)rng_u64(&g->rng);
	rs.conn = g->conn++;
	t = send_tcp(g, t, &cs, NULL);
	rs.flags = TH_SYN | TH_ACK;
	rs.ack = ++cs.seq;
	t = send_tcp(g, t + rtt(g), &rs, NULL);
	rs.seq++;
	cs.flags = TH_ACK;
	cs.ack = rs.seq;
	t = send_tcp(g, t + 200, &cs, NULL);
	cs.flags = TH_ACK | TH_PSH;
	cs.payload = qs.d;
	cs.plen = qs.len;
	t = send_tcp(g, t + 100, &cs, NULL);
	led_query(g, t, fam, cli);
	led_query(g, t, fam, cli);
	cs.seq += (uint32_t)qs.len;
	rs.flags = TH_ACK;
	rs.ack = cs.seq;
	t = send_tcp(g, t + rtt(g), &rs, NULL);
	rs.flags = TH_ACK | TH_PSH;
	rs.payload = as.d;
	rs.plen = 22;
	t = send_tcp(g, t + 1000, &rs, NULL);
	rs.seq += 22;
	rs.payload = as.d + 22;
	rs.plen = as.len - 22;
	tb = send_tcp(g, t + 400, &rs, NULL);
	rs.seq += (uint32_t)(as.len - 22);
	dns_eval(&a1, a1.b.len, &e1);
	dns_eval(&a2, a2.b.len, &e2);
	dns_ledger(g, &ep, tb, res, cli, &e1);
	dns_ledger(g, &ep, tb, res, cli, &e2);
	cs.flags = TH_ACK | TH_FIN;
	cs.payload = NULL;
	cs.plen = 0;
	cs.ack = rs.seq;
	t = send_tcp(g, tb + 300, &cs, NULL);
	rs.flags = TH_ACK | TH_FIN;
	rs.payload = NULL;
	rs.plen = 0;
	rs.ack = cs.seq + 1;
	send_tcp(g, t + rtt(g), &rs, NULL);

	ep_connect(g, &ep, tb + 250500, cli, &s1.addr[1], 443, &CONN_EST);
	ep_connect(g, &ep, tb + 120300, cli, &s2.addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);
	buf_free(&qs);
	buf_free(&as);
	dns_free(&q1);
	dns_free(&q2);
	dns_free(&a1);
	dns_free(&a2);
}

/* Dual stack: an A answer over IPv6 followed by an IPv4 SYN from the client's
 * IPv4 address (dst_only: yes; dst_and_client: no, the SYN source is not the
 * answer's IPv6 destination), and the same for AAAA over IPv4. */
static void
sp_dual_stack(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	struct client *c = pick_client(g);
	uint64_t ta;

	spec_init(&s, DNS_T_A);
	spec_addrs(g, &s, 4, 2);
	ta = lookup(g, &ep, sp_slot(g), c, 6, &s);
	ep_connect(g, &ep, ta + 300 * US_PER_MS, &c->v4, &s.addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);

	spec_init(&s, DNS_T_AAAA);
	spec_addrs(g, &s, 6, 2);
	ta = lookup(g, &ep, sp_slot(g), c, 4, &s);
	ep_connect(g, &ep, ta + 250 * US_PER_MS, &c->v6, &s.addr[1], 443, &CONN_EST);
	ep_commit(g, &ep);
}

/* IPv6 packets with no upper layer: No Next Header, and an experimental
 * protocol behind a hop-by-hop header. */
static void
sp_v6_odd(struct gen *g)
{
	uint64_t t = sp_slot(g);
	const struct ipaddr *c = &g->cli[5].v6;
	struct ipaddr p = noise_peer(g, 6);
	static const uint8_t junk[16];
	struct buf d;

	d = ip_wrap(g, c, &p, P_NONE, NULL, 0, X6_DST);
	t = emit(g, t, 6, &d);
	d = ip_wrap(g, c, &p, P_EXPERIMENT, junk, sizeof(junk), X6_HBH);
	emit(g, t + 1000, 6, &d);
}

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                 */

static uint64_t
span_for(int count)
{
	uint64_t s = (uint64_t)count * 2 * US_PER_S;

	return s < 100 * US_PER_S ? 100 * US_PER_S : s;
}

static void
specials_v4(struct gen *g)
{
	static const uint64_t delays[] = {
		1000000, /* exactly 1 s: matches, last bin */
		1000001, /* 1 µs past the window: no match */
		10000,   /* bin 1 exactly */
		9999,    /* bin 0 */
		990000,  /* bin 99 from below */
		1,       /* 1 µs after the answer */
	};

	sp_bucket_edge(g, 4, 1700000040);
	sp_exact_delays(g, 4, delays, (int)(sizeof(delays) / sizeof(delays[0])));
	sp_duplicate(g, 4);
	sp_shared(g, 4);
	sp_syn_before(g, 4);
	sp_other_client(g, 4);
	sp_flags(g, 4);
	sp_second_conn(g, 4);
	sp_fragmented(g, 4);
	sp_ip_options(g, 4);
	sp_traps(g, 4);
	sp_rcodes(g, 4);
	sp_tcp_dns(g, 4);
}

static void
specials_v6(struct gen *g)
{
	static const uint64_t delays[] = { 1000000, 1000001, 10000 };

	sp_bucket_edge(g, 6, 1700000100);
	sp_exact_delays(g, 6, delays, (int)(sizeof(delays) / sizeof(delays[0])));
	sp_duplicate(g, 6);
	sp_shared(g, 6);
	sp_syn_before(g, 6);
	sp_other_client(g, 6);
	sp_flags(g, 6);
	sp_fragmented(g, 6);
	sp_ip_options(g, 6);
	sp_traps(g, 6);
	sp_rcodes(g, 6);
	sp_dual_stack(g);
	sp_v6_odd(g);
}

static void
bulk(struct gen *g, uint8_t fam, int count)
{
	uint64_t span = span_for(count);
	int i;

	for (i = 0; i < count; i++)
		ep_random(g, BASE_US + rng_between(&g->rng, 0, span - 1), fam);
	scanner(g, fam, count / 2 + 10, BASE_US, span);
	noise(g, fam, count * 2, BASE_US, span);
}

static void
scen_basic(struct gen *g, int count)
{
	specials_v4(g);
	bulk(g, 4, count);
}

static void
scen_v6(struct gen *g, int count)
{
	specials_v6(g);
	bulk(g, 6, count);
}

/* The same logical traffic for every link type: a small basic plus a small v6. */
static void
scen_linktypes(struct gen *g, int count)
{
	specials_v4(g);
	specials_v6(g);
	bulk(g, 4, count);
	bulk(g, 6, count);
}

/* --- malformed ------------------------------------------------------------ */

/* A DNS answer to @c from the resolver over UDP/IPv4, recorded in @ep. */
static uint64_t
mf_send(struct gen *g, struct ep *ep, uint64_t t, const struct client *c, struct dns *m)
{
	dns_end(m);
	return send_dns(g, ep, t, &g->res4, &c->v4, 53, next_sport(g), m, 0);
}

/* A plain answer frame truncated at every byte offset (caplen < len). What
 * survives is what was captured: < 42 bytes no UDP header, < 54 no DNS
 * header, then the answer counts with the records that fit in the capture. */
static void
mf_truncated(struct gen *g)
{
	const struct client *c = &g->cli[6];
	struct ans_spec s;
	struct dns m;
	struct buf d;
	uint64_t t = sp_slot(g);
	uint16_t sport = next_sport(g);
	size_t len, k;

	spec_init(&s, DNS_T_A);
	spec_addrs(g, &s, 4, 2);
	s.ncname = 1;
	dns_answer(g, &m, 0x7a7a, "trunc.example.com", &s);
	d = build_udp(g, &g->res4, &c->v4, 53, sport, m.b.d, m.b.len, 0);
	len = 14 + d.len; /* this scenario is written as plain Ethernet only */
	for (k = 1; k <= len; k++) {
		struct dns_eval e;
		uint32_t snap = k == len ? 0 : (uint32_t)k;

		t = emit_ev(g, t + US_PER_MS + rng_below(&g->rng, 500), 4, 0, snap, d.d, d.len);
		if (k >= 14 + 20 + 8) {
			dns_eval(&m, k - (14 + 20 + 8), &e);
			dns_ledger(g, NULL, t, &g->res4, &c->v4, &e);
		}
	}
	buf_free(&d);
	dns_free(&m);
}

/* Broken IPv4/TCP headers around a DNS answer or a SYN: all skipped. */
static void
mf_bad_headers(struct gen *g)
{
	const struct client *c = &g->cli[7];
	struct ans_spec s;
	struct dns m;
	struct buf d;
	uint64_t t = sp_slot(g);
	struct tcp_pkt syn = { .src = c->v4, .dport = 443, .flags = TH_SYN };
	static const uint8_t ihls[] = { 4, 0 };
	static const uint16_t totlens[] = { 19, 8 };
	static const uint8_t doffs[] = { 4, 0 };
	unsigned int i;

	spec_init(&s, DNS_T_A);
	spec_addrs(g, &s, 4, 1);
	dns_answer(g, &m, 0xbad1, "badihl.example", &s);
	syn.dst = s.addr[0];
	syn.seq = 0xbad0bad0;
	for (i = 0; i < 2; i++) {
		/* IHL < 5 (RFC 791: minimum 5) */
		d = build_udp(g, &g->res4, &c->v4, 53, 40100, m.b.d, m.b.len, 0);
		d.d[0] = (uint8_t)(0x40 | ihls[i]);
		t = emit(g, t + 10 * US_PER_MS, 4, &d);
		/* total length < header length */
		syn.sport = next_sport(g);
		syn.conn = g->conn++;
		d = build_tcp(g, &syn);
		put16(d.d + 2, totlens[i]);
		put16(d.d + 10, 0);
		put16(d.d + 10, csum_fold(csum_add(0, d.d, 20)));
		t = emit(g, t + 10 * US_PER_MS, 4, &d);
		/* TCP data offset < 5 (RFC 9293 §3.1): the header is invalid, so
		 * its flags are not read: not a SYN */
		syn.sport = next_sport(g);
		syn.raw_doff = true;
		syn.doff = doffs[i];
		d = build_tcp(g, &syn);
		t = emit(g, t + 10 * US_PER_MS, 4, &d);
		syn.raw_doff = false;
	}
	dns_free(&m);
}

/* UDP port 53 payloads shorter than a DNS header: not messages at all. */
static void
mf_short_dns(struct gen *g)
{
	const struct client *c = &g->cli[8];
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1 };
	static const size_t lens[] = { 0, 1, 2, 3, 7, 11 };
	uint64_t t = sp_slot(g);
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct buf d = build_udp(g, &g->res4, &c->v4, 53, next_sport(g), hdr, lens[i], 0);
		uint8_t q[11];

		t = emit(g, t + 5 * US_PER_MS, 4, &d);
		memcpy(q, hdr, sizeof(q));
		q[2] = 0x01; /* QR=0 */
		d = build_udp(g, &c->v4, &g->res4, next_sport(g), 53, q, lens[i], 0);
		t = emit(g, t + 5 * US_PER_MS, 4, &d);
	}
}

/* Answer header and question for the hand-built messages below. */
static void
mf_begin(struct dns *m, uint16_t id, uint16_t flags, const char *qname)
{
	dns_begin(m, id, (uint16_t)(DNS_RESP | flags));
	dns_name(m, qname);
	dns_question(m, DNS_T_A, DNS_C_IN);
}

static void
mf_a(struct dns *m, uint8_t sec, const struct ipaddr *a)
{
	dns_rr_addr(m, sec, a, 300);
}

/* An ANSWER-section A RR for a fresh address nobody connects to. */
static void
mf_fresh_a(struct gen *g, struct dns *m)
{
	struct ipaddr a = new_server(g, 4);

	mf_a(m, SEC_AN, &a);
}

/* Header counts that do not match the body. */
static void
mf_lying_counts(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[9];
	struct ipaddr x[3];
	struct dns m;
	uint64_t t = sp_slot(g), ta;
	int i;

	/* ANCOUNT 50, one A present: that one fits, so it counts (and matches) */
	x[0] = new_server(g, 4);
	mf_begin(&m, 0x5001, 0, "fifty.example");
	dns_ptr(&m, DNS_HDR);
	mf_a(&m, SEC_AN, &x[0]);
	dns_counts(&m, 1, 50, 0, 0);
	ta = mf_send(g, &ep, t, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, ta + 300 * US_PER_MS, &c->v4, &x[0], 443, &CONN_EST);

	/* ARCOUNT 7, nothing there: the two A RRs before it count */
	for (i = 0; i < 2; i++)
		x[i] = new_server(g, 4);
	mf_begin(&m, 0x5002, 0, "seven.example");
	for (i = 0; i < 2; i++) {
		dns_ptr(&m, DNS_HDR);
		mf_a(&m, SEC_AN, &x[i]);
	}
	dns_counts(&m, 1, 2, 0, 7);
	mf_send(g, &ep, ta + 500 * US_PER_MS, c, &m);
	dns_free(&m);

	/* ANCOUNT 1 with three A RRs present: the other two are trailing bytes,
	 * not RRs, and a SYN to the third address is not a match */
	for (i = 0; i < 3; i++)
		x[i] = new_server(g, 4);
	mf_begin(&m, 0x5003, 0, "one.example");
	for (i = 0; i < 3; i++) {
		dns_ptr(&m, DNS_HDR);
		mf_a(&m, SEC_AN, &x[i]);
	}
	dns_counts(&m, 1, 1, 0, 0);
	ta = mf_send(g, &ep, ta + US_PER_S, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, ta + 200 * US_PER_MS, &c->v4, &x[2], 443, &CONN_EST);
	ep_commit(g, &ep);
}

/* Compression pointers in places where they are only skipped: RR owner and
 * question names are skipped (a pointer is 2 bytes), never followed, so
 * loops, pointers into the header and past the end still let the RR count. */
static void
mf_pointers(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[10];
	struct ipaddr x[6];
	struct dns m;
	uint64_t t = sp_slot(g), ta;
	uint16_t o1;
	int i;

	for (i = 0; i < 6; i++)
		x[i] = new_server(g, 4);
	/* owner name points at itself */
	mf_begin(&m, 0x6001, 0, "self.example");
	dns_ptr(&m, (uint16_t)m.b.len);
	mf_a(&m, SEC_AN, &x[0]);
	ta = mf_send(g, &ep, t, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, ta + 100 * US_PER_MS, &c->v4, &x[0], 443, &CONN_EST);

	/* question name points at itself; the RR owner points at the question */
	dns_begin(&m, 0x6002, DNS_RESP);
	dns_ptr(&m, DNS_HDR);
	dns_question(&m, DNS_T_A, DNS_C_IN);
	dns_ptr(&m, DNS_HDR);
	mf_a(&m, SEC_AN, &x[1]);
	mf_send(g, &ep, ta + 400 * US_PER_MS, c, &m);
	dns_free(&m);

	/* two owner names pointing at each other (an RR is 2+10+4 = 16 bytes) */
	mf_begin(&m, 0x6003, 0, "mutual.example");
	o1 = (uint16_t)m.b.len;
	dns_ptr(&m, (uint16_t)(o1 + 16));
	mf_a(&m, SEC_AN, &x[2]);
	dns_ptr(&m, o1);
	mf_a(&m, SEC_AN, &x[3]);
	ta = mf_send(g, &ep, ta + 800 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, ta + 150 * US_PER_MS, &c->v4, &x[3], 443, &CONN_EST);

	/* pointer into the header, pointer past the end; a CNAME whose RDATA
	 * points at itself and an A RR owned by that looping name */
	mf_begin(&m, 0x6004, 0, "odd.example");
	dns_ptr(&m, 2);
	mf_a(&m, SEC_AN, &x[4]);
	dns_ptr(&m, 0x3fff);
	dns_rr_begin(&m, DNS_T_CNAME, DNS_C_IN, 300);
	o1 = (uint16_t)m.b.len;
	dns_ptr(&m, o1);
	dns_rr_end(&m, SEC_AN);
	dns_ptr(&m, o1);
	mf_a(&m, SEC_AN, &x[5]);
	mf_send(g, &ep, ta + 900 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_commit(g, &ep);
}

/* Label and name edge cases. The bad ones (label length byte 64+, a 300-byte
 * name) are always the last RR and never an A RR: whether a reader stops
 * there or somehow skips them, the counts are the same. */
static void
mf_names(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[11];
	struct ipaddr x[4];
	struct dns m;
	uint64_t t = sp_slot(g);
	char longname[300];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = new_server(g, 4);
	/* root (0-length) names: the question and the A RR's owner */
	dns_begin(&m, 0x7001, DNS_RESP);
	dns_name(&m, "");
	dns_question(&m, DNS_T_A, DNS_C_IN);
	dns_name(&m, "");
	mf_a(&m, SEC_AN, &x[0]);
	t = mf_send(g, &ep, t, c, &m);
	dns_free(&m);

	/* a 255-byte owner name (the RFC 1035 §2.3.4 maximum, root byte
	 * included): 4 labels of 62 bytes (252) + 1 label of 1 byte (2) + 0 */
	memset(longname, 'a', sizeof(longname));
	for (i = 0; i < 4; i++)
		longname[i * 63 + 62] = '.';
	longname[252] = 'b';
	longname[253] = '\0';
	mf_begin(&m, 0x7002, 0, "max.example");
	dns_name(&m, longname);
	if (m.b.len != m.u[0].end + 255)
		die("internal: max name is not 255 bytes");
	mf_a(&m, SEC_AN, &x[1]);
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);

	/* label length 64 (0x40: extended label type), then the message ends */
	mf_begin(&m, 0x7003, 0, "label64.example");
	dns_ptr(&m, DNS_HDR);
	mf_a(&m, SEC_AN, &x[2]);
	buf_u8(&m.b, 64);
	buf_put(&m.b, "abcdefgh", 8);
	dns_unit_add(&m, SEC_AN, DNS_T_CNAME, DNS_C_IN, NULL, 0)->nofit = true;
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);

	/* label byte 0x80 (reserved type) */
	mf_begin(&m, 0x7004, 0, "label128.example");
	dns_ptr(&m, DNS_HDR);
	mf_a(&m, SEC_AN, &x[3]);
	buf_u8(&m.b, 0x80);
	buf_put(&m.b, "xyz", 3);
	dns_unit_add(&m, SEC_AN, DNS_T_TXT, DNS_C_IN, NULL, 0)->nofit = true;
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);

	/* a 300-byte owner name (over 255) on a last CNAME RR; it follows a
	 * valid A RR */
	mf_begin(&m, 0x7005, 0, "toolong.example");
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	memset(longname, 'z', sizeof(longname));
	for (i = 0; i < 4; i++)
		longname[i * 60 + 59] = '.';
	longname[299] = '\0';
	dns_name(&m, longname);
	dns_rr_begin(&m, DNS_T_CNAME, DNS_C_IN, 300);
	dns_ptr(&m, DNS_HDR);
	dns_rr_end(&m, SEC_AN)->nofit = true;
	mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_commit(g, &ep);
}

/* RRs that fit but are not A RRs by definition, and A RRs outside ANSWER. */
static void
mf_not_a(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[12];
	struct ipaddr x, y;
	struct dns m;
	uint64_t t = sp_slot(g), ta;
	static const uint8_t five[5] = { 10, 9, 8, 7, 6 };

	/* TYPE A, RDLENGTH 5, then a real A RR */
	mf_begin(&m, 0x8001, 0, "rdlen5.example");
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_A, DNS_C_IN, 300);
	buf_put(&m.b, five, 5);
	dns_rr_end(&m, SEC_AN);
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	t = mf_send(g, &ep, t, c, &m);
	dns_free(&m);

	/* TYPE A RDLENGTH 16, TYPE AAAA RDLENGTH 4, then a real A RR */
	mf_begin(&m, 0x8002, 0, "swapped.example");
	x = new_server(g, 6);
	y = new_server(g, 4);
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_A, DNS_C_IN, 300);
	buf_put(&m.b, x.a, 16);
	dns_rr_end(&m, SEC_AN);
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_AAAA, DNS_C_IN, 300);
	buf_put(&m.b, y.a, 4);
	dns_rr_end(&m, SEC_AN);
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);

	/* CLASS CH (3) A RR, then CLASS IN; a SYN to the CH address must not
	 * match */
	x = new_server(g, 4);
	mf_begin(&m, 0x8003, 0, "chaos.example");
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_A, DNS_C_CH, 0);
	buf_put(&m.b, x.a, 4);
	dns_rr_end(&m, SEC_AN);
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	ta = t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, ta + 50 * US_PER_MS, &c->v4, &x, 443, &CONN_EST);

	/* A RRs in ADDITIONAL only (NS in AUTHORITY), and in AUTHORITY only;
	 * SYNs to both addresses must not match */
	x = new_server(g, 4);
	y = new_server(g, 4);
	mf_begin(&m, 0x8004, 0, "glueonly.example");
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_NS, DNS_C_IN, 300);
	dns_name_ptr(&m, "ns1", DNS_HDR);
	dns_rr_end(&m, SEC_NS);
	dns_name_ptr(&m, "ns1", DNS_HDR);
	mf_a(&m, SEC_AR, &x);
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);
	mf_begin(&m, 0x8005, 0, "authonly.example");
	dns_ptr(&m, DNS_HDR);
	mf_a(&m, SEC_NS, &y);
	t = mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_connect(g, &ep, t + 60 * US_PER_MS, &c->v4, &x, 443, &CONN_EST);
	ep_connect(g, &ep, t + 70 * US_PER_MS, &c->v4, &y, 443, &CONN_EST);

	/* the second A RR's RDATA runs past the end of the message */
	x = new_server(g, 4);
	mf_begin(&m, 0x8006, 0, "cut.example");
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	dns_ptr(&m, DNS_HDR);
	dns_rr_begin(&m, DNS_T_A, DNS_C_IN, 300);
	buf_put(&m.b, x.a, 2);
	put16(m.b.d + m.rd_off - 2, 4);
	dns_unit_add(&m, SEC_AN, DNS_T_A, DNS_C_IN, x.a, 4)->nofit = true;
	dns_counts(&m, 1, 2, 0, 0);
	mf_send(g, &ep, t + 100 * US_PER_MS, c, &m);
	dns_free(&m);
	ep_commit(g, &ep);
}

/* QR=1 messages of at least 12 bytes are answers whatever their body,
 * opcode, RCODE or TC bit; and port 53 on the destination side only. */
static void
mf_odd_answers(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[13];
	struct dns m;
	uint64_t t = sp_slot(g);
	static const uint8_t garbage[40] = { 0xde, 0xad, 0xbe, 0xef, 0x05, 0x05, 0x05 };

	/* QDCOUNT 1, ANCOUNT 3, body: a label of 5 with 2 bytes left */
	dns_begin(&m, 0x9001, DNS_RESP);
	buf_put(&m.b, "\x05" "ab", 3);
	dns_unit_add(&m, SEC_QD, DNS_T_A, DNS_C_IN, NULL, 0)->nofit = true;
	dns_counts(&m, 1, 3, 0, 0);
	t = mf_send(g, &ep, t, c, &m);
	dns_free(&m);

	/* header only, SERVFAIL; header only, REFUSED with 40 bytes of trailing
	 * garbage that no count asks to read */
	dns_begin(&m, 0x9002, DNS_RESP | 2);
	t = mf_send(g, &ep, t + 50 * US_PER_MS, c, &m);
	dns_free(&m);
	dns_begin(&m, 0x9003, DNS_RESP | 5);
	buf_put(&m.b, garbage, sizeof(garbage));
	t = mf_send(g, &ep, t + 50 * US_PER_MS, c, &m);
	dns_free(&m);

	/* NOTIFY response (opcode 4) with an A RR in its answer section; TC=1
	 * answer with an A RR */
	mf_begin(&m, 0x9004, DNS_OPCODE(4) | DNS_AA, "notify.example");
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	t = mf_send(g, &ep, t + 50 * US_PER_MS, c, &m);
	dns_free(&m);
	mf_begin(&m, 0x9005, DNS_TC, "tc.example");
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	t = mf_send(g, &ep, t + 50 * US_PER_MS, c, &m);
	dns_free(&m);

	/* an answer sent *to* port 53 (from port 5300): still an answer; its
	 * client is its IP destination, the resolver */
	mf_begin(&m, 0x9006, 0, "reverse.example");
	dns_ptr(&m, DNS_HDR);
	mf_fresh_a(g, &m);
	dns_end(&m);
	send_dns(g, &ep, t + 50 * US_PER_MS, &c->v4, &g->res4, 5300, 53, &m, 0);
	dns_free(&m);
	ep_commit(g, &ep);
}

/* Not IP: ARP request and reply, LLDP. Also a SYN|FIN (SYN set, ACK clear:
 * a SYN by the definition) to a never-answered address. */
static void
mf_non_ip(struct gen *g)
{
	uint64_t t = sp_slot(g);
	uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 10, 1, 0, 14, 10, 1, 0, 14,
			    0, 0, 0, 0, 0, 0, 10, 1, 0, 1 };
	static const uint8_t lldp[24] = { 0x02, 0x07, 0x04, 0x02, 0, 0, 0, 0, 1, 0x04, 0x03, 0x05,
					  'e', '0', 0x06, 0x02, 0, 120, 0, 0 };
	struct tcp_pkt s = { .src = g->cli[14].v4, .dport = 80, .flags = TH_SYN | TH_FIN };

	t = emit_ev(g, t, 0, ETH_ARP, 0, arp, sizeof(arp));
	arp[7] = 2;
	t = emit_ev(g, t + 300, 0, ETH_ARP, 0, arp, sizeof(arp));
	t = emit_ev(g, t + 5 * US_PER_MS, 0, ETH_LLDP, 0, lldp, sizeof(lldp));
	s.dst = ip4(0x64400001u);
	s.sport = next_sport(g);
	s.seq = 0x5f5f5f5f;
	s.conn = g->conn++;
	send_tcp(g, t + 5 * US_PER_MS, &s, NULL);
}

/* Fragments whose datagram never completes: first fragment only (of a DNS
 * answer), last fragment only. Dropped, nothing counted. */
static void
mf_orphan_fragments(struct gen *g)
{
	const struct client *c = &g->cli[6];
	struct ans_spec s;
	struct dns m;
	struct buf l4, fr[2];
	uint64_t t = sp_slot(g);

	spec_init(&s, DNS_T_A);
	spec_addrs(g, &s, 4, 4);
	s.ncname = 2;
	dns_answer(g, &m, 0xf001, "orphan.example", &s);
	l4 = udp_l4(&g->res4, &c->v4, 53, 40200, m.b.d, m.b.len);
	ip_fragments(g, &g->res4, &c->v4, P_UDP, &l4, 64, fr);
	t = emit(g, t, 4, &fr[0]);
	buf_free(&fr[1]);
	ip_fragments(g, &g->res4, &c->v4, P_UDP, &l4, 64, fr);
	buf_free(&fr[0]);
	emit(g, t + 20 * US_PER_MS, 4, &fr[1]);
	buf_free(&l4);
	dns_free(&m);
}

static void
scen_malformed(struct gen *g, int count)
{
	mf_truncated(g);
	mf_bad_headers(g);
	mf_short_dns(g);
	mf_lying_counts(g);
	mf_pointers(g);
	mf_names(g);
	mf_not_a(g);
	mf_odd_answers(g);
	mf_non_ip(g);
	mf_orphan_fragments(g);
	bulk(g, 4, count);
}

/* --- tcp ------------------------------------------------------------------ */

/* One direction of a DNS-over-TCP connection (RFC 1035 §4.2.2, RFC 7766 §8)
 * and what the README's rule makes of the segments sent on it: the direction
 * is reassembled in sequence order, a retransmitted byte is taken once (a
 * duplicate segment adds nothing, an overlapping one only its new bytes), and
 * a sequence gap drops the message in progress; the stream then restarts at
 * the segment after the gap, which is built to begin with a length prefix.
 * A message counts when its last byte arrives in order, at that segment's
 * time. The first data segment of a stream whose SYN is not in the file
 * (capture started mid-connection) starts the stream, also on a prefix.
 * The messages' boundaries come from the builder, so nothing here parses. */
#define TS_MAX_MSG 8

struct ts_msg {
	size_t start, end;         /* stream offsets: its length prefix, its end */
	struct dns_eval e;
	bool done, lost;
};

struct tstream {
	struct ipaddr src, dst;
	uint16_t sport, dport;
	uint32_t isn;              /* SYN's sequence number; data byte k is at isn + 1 + k */
	uint32_t conn;
	struct buf b;              /* the framed messages, length prefixes included */
	struct ts_msg m[TS_MAX_MSG];
	int nm;
	bool seen;                 /* SYN or a data segment went out */
	bool fin;
	size_t nxt;                /* offset up to which bytes arrived in order */
	size_t sent;               /* highest offset sent, for the peer's ACKs */
};

static void
ts_init(struct gen *g, struct tstream *s, const struct ipaddr *src, const struct ipaddr *dst,
	uint16_t sport, uint16_t dport)
{
	memset(s, 0, sizeof(*s));
	s->src = *src;
	s->dst = *dst;
	s->sport = sport;
	s->dport = dport;
	s->isn = (uint32_t)rng_u64(&g->rng);
	s->conn = g->conn++;
}

/* Append a framed message; returns its index. */
static int
ts_add(struct tstream *s, const uint8_t *msg, size_t len, const struct dns_eval *e)
{
	struct ts_msg *m;

	if (s->nm == TS_MAX_MSG || len > 65535)
		die("internal: TCP stream too large");
	m = &s->m[s->nm];
	memset(m, 0, sizeof(*m));
	m->start = s->b.len;
	buf_u16(&s->b, (uint16_t)len);
	buf_put(&s->b, msg, len);
	m->end = s->b.len;
	m->e = *e;
	return s->nm++;
}

static int
ts_add_dns(struct tstream *s, const struct dns *d)
{
	struct dns_eval e;

	dns_eval(d, d->b.len, &e);
	return ts_add(s, d->b.d, d->b.len, &e);
}

static uint32_t
ts_nextseq(const struct tstream *s)
{
	return s->isn + 1 + (uint32_t)s->sent + (s->fin ? 1 : 0);
}

static bool
ts_is_start(const struct tstream *s, size_t off)
{
	int i;

	for (i = 0; i < s->nm; i++)
		if (s->m[i].start == off)
			return true;
	return off == s->b.len;
}

/* A segment carrying stream bytes [from, to) (none for a pure ACK/FIN). */
static uint64_t
ts_send(struct gen *g, struct ep *ep, struct tstream *s, const struct tstream *peer,
	uint64_t t, size_t from, size_t to, uint8_t flags)
{
	struct tcp_pkt p = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport };
	int i;

	if (from > to || to > s->b.len)
		die("internal: TCP segment outside its stream");
	p.seq = s->isn + 1 + (uint32_t)from;
	p.ack = ts_nextseq(peer);
	p.flags = flags;
	p.conn = s->conn;
	p.payload = s->b.d + from;
	p.plen = to - from;
	t = send_tcp(g, t, &p, NULL);
	if (to > s->sent)
		s->sent = to;
	if (to == from)
		return t;
	if (!s->seen || from > s->nxt) {
		/* first segment seen, or the one after a gap: what came before
		 * in the stream is lost, and this segment starts a message */
		if (!ts_is_start(s, from))
			die("internal: TCP stream (re)starts inside a message");
		for (i = 0; i < s->nm; i++)
			if (!s->m[i].done && s->m[i].start < from)
				s->m[i].lost = true;
		s->seen = true;
		s->nxt = from;
	}
	if (to <= s->nxt)
		return t; /* wholly old: a retransmission */
	for (i = 0; i < s->nm; i++) {
		struct ts_msg *m = &s->m[i];

		if (m->done || m->lost || m->end <= s->nxt || m->end > to)
			continue;
		m->done = true;
		dns_ledger(g, ep, t, &s->src, &s->dst, &m->e);
	}
	s->nxt = to;
	return t;
}

/* SYN (@peer NULL: the client's) or SYN-ACK. Retransmissions reuse the ISN. */
static uint64_t
ts_syn(struct gen *g, struct tstream *s, const struct tstream *peer, uint64_t t)
{
	struct tcp_pkt p = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport };

	p.seq = s->isn;
	p.flags = peer ? TH_SYN | TH_ACK : TH_SYN;
	p.ack = peer ? peer->isn + 1 : 0;
	p.conn = s->conn;
	s->seen = true; /* data starts at isn + 1, offset 0 */
	return send_tcp(g, t, &p, NULL);
}

static uint64_t
ts_ack(struct gen *g, struct tstream *s, const struct tstream *peer, uint64_t t)
{
	struct tcp_pkt p = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport };

	p.seq = ts_nextseq(s);
	p.ack = ts_nextseq(peer);
	p.flags = TH_ACK;
	p.conn = s->conn;
	return send_tcp(g, t, &p, NULL);
}

/* FIN closes the direction: a message still in progress would be lost. */
static uint64_t
ts_fin(struct gen *g, struct tstream *s, const struct tstream *peer, uint64_t t)
{
	struct tcp_pkt p = { .src = s->src, .dst = s->dst, .sport = s->sport, .dport = s->dport };
	int i;

	p.seq = ts_nextseq(s);
	p.ack = ts_nextseq(peer);
	p.flags = TH_FIN | TH_ACK;
	p.conn = s->conn;
	s->fin = true;
	for (i = 0; i < s->nm; i++)
		if (!s->m[i].done)
			s->m[i].lost = true;
	s->seen = false;
	return send_tcp(g, t, &p, NULL);
}

/* SYN to port 53 (counted as a SYN, Table 3 port 53), SYN-ACK, ACK. */
static uint64_t
ts_handshake(struct gen *g, struct tstream *c, struct tstream *s, uint64_t t)
{
	t = ts_syn(g, c, NULL, t);
	t = ts_syn(g, s, c, t + rtt(g));
	return ts_ack(g, c, s, t + 200);
}

static uint64_t
ts_close(struct gen *g, struct tstream *c, struct tstream *s, uint64_t t)
{
	t = ts_fin(g, c, s, t);
	t = ts_fin(g, s, c, t + rtt(g));
	return ts_ack(g, c, s, t + 200);
}

/* A query on @c and its answer (@naddr fresh addresses, @fam's RR type) on
 * @s; returns the answer's message index in @s. */
static int
ts_pair(struct gen *g, struct tstream *c, struct tstream *s, uint8_t fam, int naddr,
	struct ans_spec *spec)
{
	struct dns q, a;
	char name[96];
	uint16_t id = (uint16_t)rng_u64(&g->rng);
	int i;

	spec_init(spec, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, spec, fam, naddr);
	new_name(g, name, sizeof(name));
	dns_query(&q, id, name, spec->qtype);
	dns_answer(g, &a, id, name, spec);
	ts_add_dns(c, &q);
	i = ts_add_dns(s, &a);
	dns_free(&q);
	dns_free(&a);
	return i;
}

static void
ts_free(struct tstream *s)
{
	buf_free(&s->b);
}

/* A 65535-byte answer (the largest a length prefix allows): question
 * "large.example" (15 + 4 bytes) and 4094 A RRs of 16 bytes, each owned by a
 * pointer to the question: 12 + 19 + 4094 * 16 = 65535. The ledger's view
 * lists two of the addresses, the only ones any SYN goes to: index 0 and
 * index 255 (dnsyn lists 256 addresses per message, see
 * DNSYN_DNS_MAX_ADDRS; the other RRs are counted all the same). */
#define BIG_NA 4094

static void
tc_big_answer(struct gen *g, struct buf *b, struct dns_eval *e)
{
	struct dns_eval z = { .msg = true, .qr = true, .n_a = BIG_NA, .naddr = 2 };
	int i;

	buf_u16(b, 0xb16a);
	buf_u16(b, DNS_RESP);
	buf_u16(b, 1);
	buf_u16(b, BIG_NA);
	buf_u32(b, 0);
	buf_u8(b, 5);
	buf_put(b, "large", 5);
	buf_u8(b, 7);
	buf_put(b, "example", 7);
	buf_u8(b, 0);
	buf_u16(b, DNS_T_A);
	buf_u16(b, DNS_C_IN);
	for (i = 0; i < BIG_NA; i++) {
		struct ipaddr a = new_server(g, 4);

		buf_u16(b, 0xc000 | DNS_HDR);
		buf_u16(b, DNS_T_A);
		buf_u16(b, DNS_C_IN);
		buf_u32(b, 300);
		buf_u16(b, 4);
		buf_put(b, a.a, 4);
		if (i == 0)
			z.addr[0] = a;
		if (i == 255)
			z.addr[1] = a;
	}
	if (b->len != 65535)
		die("internal: the big answer is %zu bytes", b->len);
	*e = z;
}

/* The 65535-byte answer sent as 65537 one-byte segments, 20 µs apart (the
 * length prefix is split too): one message buffer, 1.31 s from the first
 * byte to the last. The answer's time is the last byte's, so both SYNs match
 * only by that time: another host's SYN 150 ms later (dst_only) and the
 * client's 400 ms later (dst_and_client), to the 1st and 256th addresses. */
static void
tc_big(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[1], *d = &g->cli[2];
	struct tstream cs, ss;
	struct dns q;
	struct buf big = { 0 };
	struct dns_eval e;
	uint64_t t = sp_slot(g), ta;
	uint16_t sport = next_sport(g);
	size_t k;

	ts_init(g, &cs, &c->v4, &g->res4, sport, 53);
	ts_init(g, &ss, &g->res4, &c->v4, 53, sport);
	dns_query(&q, 0xb16a, "large.example", DNS_T_A);
	ts_add_dns(&cs, &q);
	dns_free(&q);
	tc_big_answer(g, &big, &e);
	ts_add(&ss, big.d, big.len, &e);
	buf_free(&big);
	t = ts_handshake(g, &cs, &ss, t);
	t = ts_send(g, &ep, &cs, &ss, t + 100, 0, cs.b.len, TH_ACK | TH_PSH);
	t = ts_ack(g, &ss, &cs, t + rtt(g));
	for (k = 0; k < ss.b.len; k++)
		t = ts_send(g, &ep, &ss, &cs, t + 20, k, k + 1, TH_ACK);
	ta = t;
	if (ep.nans != 1 || ep.ans[0].t != ta)
		die("internal: big TCP answer not complete at its last byte");
	t = ts_ack(g, &cs, &ss, t + 300);
	ts_close(g, &cs, &ss, t + 300 * US_PER_MS);
	ep_connect(g, &ep, ta + 150 * US_PER_MS, &d->v4, &e.addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta + 400 * US_PER_MS, &c->v4, &e.addr[1], 443, &CONN_EST);
	ep_commit(g, &ep);
	ts_free(&cs);
	ts_free(&ss);
}

/* A connection with SYN (retransmitted after 1 s: two SYNs to port 53, one
 * connection): data starts at ISN + 1. Three queries in one segment, three
 * answers in one segment (all counted at that segment's time). Then answer 4
 * plus the first byte of answer 5's length prefix in one segment, the second
 * prefix byte and half of answer 5 300 ms later, the rest 300 ms after that:
 * answer 5 counts at the third segment, and the client's SYN 500 ms later
 * (1.1 s after the first) matches by that time only. */
static void
tc_multi(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[3];
	struct tstream cs, ss;
	struct ans_spec sp[5];
	static const int naddr[5] = { 1, 1, 2, 1, 2 };
	uint64_t t = sp_slot(g), ta, t4, t5;
	uint16_t sport = next_sport(g);
	size_t mid;
	int i;

	ts_init(g, &cs, &c->v4, &g->res4, sport, 53);
	ts_init(g, &ss, &g->res4, &c->v4, 53, sport);
	for (i = 0; i < 5; i++)
		ts_pair(g, &cs, &ss, 4, naddr[i], &sp[i]);
	t = ts_syn(g, &cs, NULL, t);
	t = ts_syn(g, &cs, NULL, t + US_PER_S); /* RFC 6298 retransmission */
	t = ts_syn(g, &ss, &cs, t + rtt(g));
	t = ts_ack(g, &cs, &ss, t + 200);
	t = ts_send(g, &ep, &cs, &ss, t + 100, cs.m[0].start, cs.m[2].end, TH_ACK | TH_PSH);
	ta = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[0].start, ss.m[2].end,
			 TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &cs, &ss, t + 5 * US_PER_MS, cs.m[3].start, cs.m[4].end,
		    TH_ACK | TH_PSH);
	t4 = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[3].start, ss.m[4].start + 1, TH_ACK);
	mid = ss.m[4].start + 2 + (ss.m[4].end - ss.m[4].start - 2) / 2;
	t = ts_send(g, &ep, &ss, &cs, t + 300 * US_PER_MS, ss.m[4].start + 1, mid, TH_ACK);
	t5 = t = ts_send(g, &ep, &ss, &cs, t + 300 * US_PER_MS, mid, ss.m[4].end,
			 TH_ACK | TH_PSH);
	if (ep.nans != 5 || ep.ans[3].t != t4 || ep.ans[4].t != t5)
		die("internal: tc_multi answers");
	ts_close(g, &cs, &ss, t + 100 * US_PER_MS);
	ep_connect(g, &ep, ta + 100 * US_PER_MS, &c->v4, &sp[0].addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta + 250 * US_PER_MS, &c->v4, &sp[2].addr[1], 443, &CONN_EST);
	ep_connect(g, &ep, t4 + 50 * US_PER_MS, &c->v4, &sp[3].addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, t5 + 500 * US_PER_MS, &c->v4, &sp[4].addr[1], 80, &CONN_EST);
	ep_commit(g, &ep);
	ts_free(&cs);
	ts_free(&ss);
}

/* No SYN in the file: the capture starts mid-connection, each direction's
 * first segment starts its stream. Answer 1 is sent whole, then again 200 ms
 * later (a retransmission: not a second answer; the SYN 300 ms after the
 * first copy would otherwise serve two answers). Answer 2 comes as bytes
 * [0,30), [20,60) (10 old bytes, 40 new) and [60,end): one answer, at the
 * third segment. Answer 3 comes in a segment that also repeats the last 10
 * bytes of answer 2, and that segment is then retransmitted whole. */
static void
tc_retx(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[5], *d = &g->cli[6];
	struct tstream cs, ss;
	struct ans_spec sp[3];
	static const int naddr[3] = { 1, 2, 1 };
	uint64_t t = sp_slot(g), ta1, ta2, ta3;
	uint16_t sport = next_sport(g);
	size_t o;
	int i;

	ts_init(g, &cs, &c->v4, &g->res4, sport, 53);
	ts_init(g, &ss, &g->res4, &c->v4, 53, sport);
	for (i = 0; i < 3; i++)
		ts_pair(g, &cs, &ss, 4, naddr[i], &sp[i]);
	t = ts_send(g, &ep, &cs, &ss, t, cs.m[0].start, cs.m[0].end, TH_ACK | TH_PSH);
	ta1 = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[0].start, ss.m[0].end,
			  TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &ss, &cs, ta1 + 200 * US_PER_MS, ss.m[0].start, ss.m[0].end,
		    TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &cs, &ss, t + 50 * US_PER_MS, cs.m[1].start, cs.m[1].end,
		    TH_ACK | TH_PSH);
	o = ss.m[1].start;
	if (ss.m[1].end <= o + 60)
		die("internal: tc_retx answer 2 too short");
	t = ts_send(g, &ep, &ss, &cs, t + rtt(g), o, o + 30, TH_ACK);
	t = ts_send(g, &ep, &ss, &cs, t + 10 * US_PER_MS, o + 20, o + 60, TH_ACK);
	ta2 = t = ts_send(g, &ep, &ss, &cs, t + 10 * US_PER_MS, o + 60, ss.m[1].end,
			  TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &cs, &ss, t + 50 * US_PER_MS, cs.m[2].start, cs.m[2].end,
		    TH_ACK | TH_PSH);
	ta3 = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[1].end - 10, ss.m[2].end,
			  TH_ACK | TH_PSH);
	ts_send(g, &ep, &ss, &cs, t + 100 * US_PER_MS, ss.m[1].end - 10, ss.m[2].end,
		TH_ACK | TH_PSH);
	if (ep.nans != 3 || ep.ans[0].t != ta1 || ep.ans[1].t != ta2 || ep.ans[2].t != ta3)
		die("internal: tc_retx answers");
	/* no FIN: the connection is still open when the capture ends */
	ep_connect(g, &ep, ta1 + 300 * US_PER_MS, &c->v4, &sp[0].addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta2 + 80 * US_PER_MS, &c->v4, &sp[1].addr[1], 443, &CONN_EST);
	ep_connect(g, &ep, ta3 + 120 * US_PER_MS, &d->v4, &sp[2].addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);
	ts_free(&cs);
	ts_free(&ss);
}

/* A sequence gap (no SYN in the file either): answer 1 whole; answer 2's
 * prefix and first 20 bytes, the rest never seen; answer 3 whole, right
 * after the gap. Answer 2 is lost (not an answer: the SYN to its address is
 * no match), the stream resynchronises at answer 3's segment, which counts. */
static void
tc_gap(struct gen *g)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[7];
	struct tstream cs, ss;
	struct ans_spec sp[3];
	uint64_t t = sp_slot(g), ta1, ta3;
	uint16_t sport = next_sport(g);
	int i;

	ts_init(g, &cs, &c->v4, &g->res4, sport, 53);
	ts_init(g, &ss, &g->res4, &c->v4, 53, sport);
	for (i = 0; i < 3; i++)
		ts_pair(g, &cs, &ss, 4, 1, &sp[i]);
	t = ts_send(g, &ep, &cs, &ss, t, cs.m[0].start, cs.m[0].end, TH_ACK | TH_PSH);
	ta1 = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[0].start, ss.m[0].end,
			  TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &cs, &ss, t + 20 * US_PER_MS, cs.m[1].start, cs.m[1].end,
		    TH_ACK | TH_PSH);
	t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[1].start, ss.m[1].start + 22, TH_ACK);
	t = ts_send(g, &ep, &cs, &ss, t + 20 * US_PER_MS, cs.m[2].start, cs.m[2].end,
		    TH_ACK | TH_PSH);
	ta3 = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), ss.m[2].start, ss.m[2].end,
			  TH_ACK | TH_PSH);
	if (ep.nans != 2 || !ss.m[1].lost || ep.ans[1].t != ta3)
		die("internal: tc_gap answers");
	ts_close(g, &cs, &ss, t + 50 * US_PER_MS);
	ep_connect(g, &ep, ta3 + 50 * US_PER_MS, &c->v4, &sp[1].addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta3 + 150 * US_PER_MS, &c->v4, &sp[2].addr[0], 443, &CONN_EST);
	ep_connect(g, &ep, ta1 + 600 * US_PER_MS, &c->v4, &sp[0].addr[0], 80, &CONN_EST);
	ep_commit(g, &ep);
	ts_free(&cs);
	ts_free(&ss);
}

/* A connection closed by FIN in both directions, then the same 4-tuple
 * reused by a new connection with new ISNs (a second, distinct SYN to port
 * 53): each carries one query and one answer, both counted. */
static void
tc_reuse(struct gen *g, uint8_t fam)
{
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->cli[8];
	const struct ipaddr *cli = cli_addr(c, fam), *res = resolver(g, fam);
	struct tstream cs, ss;
	struct ans_spec sp[2];
	uint64_t t = sp_slot(g), ta[2];
	uint16_t sport = next_sport(g);
	int k;

	for (k = 0; k < 2; k++) {
		ts_init(g, &cs, cli, res, sport, 53);
		ts_init(g, &ss, res, cli, 53, sport);
		ts_pair(g, &cs, &ss, fam, 1, &sp[k]);
		t = ts_handshake(g, &cs, &ss, t);
		t = ts_send(g, &ep, &cs, &ss, t + 100, 0, cs.b.len, TH_ACK | TH_PSH);
		ta[k] = t = ts_send(g, &ep, &ss, &cs, t + rtt(g), 0, ss.b.len, TH_ACK | TH_PSH);
		t = ts_close(g, &cs, &ss, t + 5 * US_PER_MS);
		t += 200 * US_PER_MS;
		ts_free(&cs);
		ts_free(&ss);
	}
	if (ep.nans != 2)
		die("internal: tc_reuse answers");
	for (k = 0; k < 2; k++)
		ep_connect(g, &ep, ta[k] + 300 * US_PER_MS, cli, &sp[k].addr[0], 443, &CONN_EST);
	ep_commit(g, &ep);
}

static void
scen_tcp(struct gen *g, int count)
{
	tc_big(g);
	tc_multi(g);
	tc_retx(g);
	tc_gap(g);
	tc_reuse(g, 4);
	tc_reuse(g, 6);
	bulk(g, 4, count);
}

/* --- frag ----------------------------------------------------------------- */

/* dnsyn reassembles with DPDK 22.11's rte_ip_frag, and this scenario's ledger
 * follows its rules (stricter than the README's "fragments are reassembled",
 * which a tshark-like reader would apply to every case below):
 *  R1 a datagram is complete when the fragments taken add up to the last
 *     fragment's offset + length and the first fragment is there; arrival
 *     order is free; the datagram takes the completing fragment's time;
 *  R2 an entry holds the first fragment, the last one, and at most
 *     RTE_LIBRTE_IP_FRAG_MAX_FRAG - 2 = 6 others: a 7th middle fragment frees
 *     the entry (a datagram of 9+ fragments is never reassembled);
 *  R3 a second first or last fragment (an exact duplicate) frees the entry;
 *  R4 a duplicate middle fragment, or overlapping fragments, make the sum
 *     exceed the total: the entry is freed when the last piece arrives;
 *  R5 after a free, later fragments of the datagram open a new entry, which
 *     never completes and expires (frag.dropped);
 *  R6 a datagram missing a fragment expires;
 *  R7 the key is (source, destination, ID): same-ID datagrams from different
 *     sources are reassembled apart;
 *  R8 IPv6: only a fragment header right after the fixed header is handed
 *     to rte_ip_frag; a fragment behind another extension header is counted
 *     in frag.v6_ext_before_frag and dropped.
 * dpdk_reasm() applies R1-R5 to each case's arrival order and must agree with
 * the outcome the case states. */
#define FR_MAX 12
#define RTE_FRAG_MAX 8 /* RTE_LIBRTE_IP_FRAG_MAX_FRAG, DPDK 22.11 config/rte_config.h */

struct frag {
	uint16_t off, len;   /* bytes of the UDP datagram (header included) */
	bool more;           /* IPv4 MF / IPv6 M */
};

/* @n fragments of @total bytes, cut at multiples of 8 (RFC 791, RFC 8200). */
static void
frag_even(size_t total, int n, struct frag *f)
{
	size_t units = (total + 7) / 8;
	int i;

	if (n < 2 || n > FR_MAX || units < (size_t)n)
		die("internal: cannot cut %zu bytes into %d fragments", total, n);
	for (i = 0; i < n; i++) {
		size_t a = 8 * (units * (size_t)i / (size_t)n);
		size_t b = i + 1 == n ? total : 8 * (units * (size_t)(i + 1) / (size_t)n);

		f[i] = (struct frag){ (uint16_t)a, (uint16_t)(b - a), i + 1 < n };
	}
}

/* R1's chain test (ipv4/ipv6_frag_reassemble): from the last fragment back
 * to the end of the first, every offset must be the end of a held fragment. */
static bool
frag_chain(const struct frag *f, const int *held, int nh)
{
	uint32_t ofs = 0, first_len = 0;
	int i;

	for (i = 0; i < nh; i++) {
		if (f[held[i]].off == 0)
			first_len = f[held[i]].len;
		else if (!f[held[i]].more)
			ofs = f[held[i]].off;
	}
	while (ofs != first_len) {
		for (i = 0; i < nh; i++)
			if (f[held[i]].off != 0 && f[held[i]].more &&
			    (uint32_t)f[held[i]].off + f[held[i]].len == ofs)
				break;
		if (i == nh)
			return false;
		ofs = f[held[i]].off;
	}
	return true;
}

/* ip_frag_process() for one datagram whose fragments arrive in the order
 * @ord (@k arrivals): the arrival that completes it, or -1. */
static int
dpdk_reasm(const struct frag *f, const int *ord, int k)
{
	int held[FR_MAX + 4], nh = 0, nmid = 0, i;
	bool first = false, last = false;
	uint32_t size = 0, total = UINT32_MAX;

	for (i = 0; i < k; i++) {
		const struct frag *x = &f[ord[i]];
		bool bad;

		size += x->len;
		if (x->off == 0) {                /* first fragment */
			bad = first;
			first = true;
		} else if (!x->more) {            /* last fragment */
			total = (uint32_t)x->off + x->len;
			bad = last;
			last = true;
		} else {                          /* one of at most 6 others */
			bad = nmid == RTE_FRAG_MAX - 2;
			nmid++;
		}
		if (!bad) {
			held[nh++] = ord[i];
			if (size < total)
				continue;
			if (size == total && first && frag_chain(f, held, nh))
				return i;
		}
		/* freed; the next fragment opens a new entry (R5) */
		nh = nmid = 0;
		first = last = false;
		size = 0;
		total = UINT32_MAX;
	}
	return -1;
}

/* One IPv4 fragment, or an IPv6 one (fragment header after the fixed header,
 * or after the extension headers @x6 names). */
static struct buf
frag_pkt(const struct ipaddr *src, const struct ipaddr *dst, uint8_t proto, const struct buf *l4,
	 uint32_t id, const struct frag *f, unsigned int x6)
{
	struct buf b = { 0 };

	if (src->fam == 4) {
		ip4_header(&b, (uint16_t)id, (uint16_t)(f->off / 8 | (f->more ? 0x2000 : 0)), proto,
			   src, dst, f->len, false);
	} else {
		ip6_header(&b, P_FRAGMENT, src, dst, 8 + (size_t)f->len, x6, 0);
		buf_u8(&b, proto);
		buf_u8(&b, 0);
		buf_u16(&b, (uint16_t)(f->off | (f->more ? 1 : 0)));
		buf_u32(&b, id);
	}
	buf_put(&b, l4->d + f->off, f->len);
	return b;
}

/* A lookup whose answer travels in fragments. */
struct fr_dgram {
	struct ipaddr src, dst;      /* resolver, client */
	struct ans_spec s;
	struct dns a;
	struct buf l4;               /* the answer's UDP datagram */
	struct frag f[FR_MAX];
	int nf;
	uint32_t id;
};

/* The client's query over UDP at @t (a query like any other), and the answer
 * from @res (@naddr addresses after a CNAME, EDNS OPT) cut into @nfrag even
 * fragments, or into the overlapping layout [0,24) [16,48) [48,end) for 0. */
static uint64_t
fr_prepare(struct gen *g, struct fr_dgram *d, uint64_t t, const struct ipaddr *cli,
	   const struct ipaddr *res, int naddr, int nfrag)
{
	uint16_t sport = next_sport(g), qid = (uint16_t)rng_u64(&g->rng);
	char qname[96];
	struct dns q;

	memset(d, 0, sizeof(*d));
	d->src = *res;
	d->dst = *cli;
	spec_init(&d->s, cli->fam == 4 ? DNS_T_A : DNS_T_AAAA);
	spec_addrs(g, &d->s, cli->fam, naddr);
	d->s.ncname = 1;
	d->s.opt = true;
	new_name(g, qname, sizeof(qname));
	dns_query(&q, qid, qname, d->s.qtype);
	t = send_dns(g, NULL, t, cli, res, sport, 53, &q, 0);
	dns_free(&q);
	dns_answer(g, &d->a, qid, qname, &d->s);
	d->l4 = udp_l4(res, cli, 53, sport, d->a.b.d, d->a.b.len);
	d->id = cli->fam == 4 ? next_ip_id(g) : 0xf7a90000u | next_ip_id(g);
	if (nfrag) {
		frag_even(d->l4.len, nfrag, d->f);
		d->nf = nfrag;
	} else {
		if (d->l4.len <= 56)
			die("internal: answer too short for the overlap layout");
		d->f[0] = (struct frag){ 0, 24, true };
		d->f[1] = (struct frag){ 16, 32, true };
		d->f[2] = (struct frag){ 48, (uint16_t)(d->l4.len - 48), false };
		d->nf = 3;
	}
	return t;
}

static uint64_t
fr_emit(struct gen *g, const struct fr_dgram *d, int i, uint64_t t, unsigned int x6)
{
	struct buf b = frag_pkt(&d->src, &d->dst, P_UDP, &d->l4, d->id, &d->f[i], x6);

	return emit(g, t, d->src.fam, &b);
}

/* The reassembled answer, at the time @t of its completing fragment (R1). */
static void
fr_answer(struct gen *g, struct ep *ep, const struct fr_dgram *d, uint64_t t)
{
	struct dns_eval e;

	dns_eval(&d->a, d->a.b.len, &e);
	dns_ledger(g, ep, t, &d->src, &d->dst, &e);
}

static void
fr_free(struct fr_dgram *d)
{
	dns_free(&d->a);
	buf_free(&d->l4);
}

/* One fragmented answer per case, in a slot of its own: the fragments go out
 * in @ord (an index twice is an exact duplicate), @step_ms apart; @reasm is
 * the outcome the case is built for. The client then connects to the
 * answer's addresses @syn_ms after the FIRST fragment (0: no such SYN): to
 * addr[0] then addr[1]. For reassembled answers these times are chosen so
 * that the match and its bin depend on the answer's time being the
 * completing fragment's; for the others, the SYNs fall within 1 s of every
 * fragment and must match nothing. */
struct fr_case {
	uint8_t fam;
	int nfrag;                /* even cut; 0: the overlapping layout */
	int k;                    /* arrivals */
	int ord[FR_MAX + 2];
	uint64_t step_ms;
	unsigned int x6;          /* IPv6 headers before the fragment header */
	bool reasm;
	uint64_t syn_ms[2];
};

static const struct fr_case fr_cases[] = {
	/* R1: 2 fragments in order, 500 ms apart. The SYN at +200 ms precedes
	 * the answer (+500 ms): no match; the one at +1200 ms matches, 700 ms */
	{ 4, 2, 2, { 0, 1 }, 500, 0, true, { 200, 1200 } },
	/* R1: 3 fragments, last first (2,1,0): complete at the first fragment,
	 * +200 ms; SYN at +1100 ms: 900 ms */
	{ 4, 3, 3, { 2, 1, 0 }, 100, 0, true, { 1100, 0 } },
	/* R1: 5 fragments, a middle one first: complete at the 5th arrival
	 * (+320 ms); SYNs at +350 ms (30 ms: the match) and +800 ms */
	{ 4, 5, 5, { 2, 0, 4, 1, 3 }, 80, 0, true, { 350, 800 } },
	/* R1, R2: 8 fragments (the most rte_ip_frag holds), shuffled: complete
	 * at +350 ms; SYN at +1300 ms: 950 ms */
	{ 4, 8, 8, { 7, 3, 0, 5, 1, 6, 2, 4 }, 50, 0, true, { 1300, 0 } },
	/* R2, R5: 9 fragments in order: the 7th middle one frees the entry,
	 * the last opens a new one that expires. Not an answer */
	{ 4, 9, 9, { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, 20, 0, false, { 400, 0 } },
	/* R3, R5: the first fragment twice */
	{ 4, 3, 4, { 0, 0, 1, 2 }, 50, 0, false, { 300, 0 } },
	/* R4: a middle fragment twice: 4 arrivals sum to more than the total */
	{ 4, 3, 4, { 0, 1, 1, 2 }, 50, 0, false, { 300, 0 } },
	/* R3, R5: the last fragment twice, before the others */
	{ 4, 3, 4, { 2, 2, 0, 1 }, 50, 0, false, { 300, 0 } },
	/* R4: [0,24) [16,48) [48,end): 8 bytes overlap (same data) */
	{ 4, 0, 3, { 0, 1, 2 }, 50, 0, false, { 300, 0 } },
	/* R6: the last of 3 fragments never arrives */
	{ 4, 3, 2, { 0, 1 }, 50, 0, false, { 300, 0 } },
	/* R1 over IPv6 (AAAA, IPv6 SYNs): 2 in order, 600 ms apart; SYN at
	 * +300 ms: before the answer; at +1500 ms: 900 ms */
	{ 6, 2, 2, { 0, 1 }, 600, 0, true, { 300, 1500 } },
	/* R1: 4 fragments, last first: complete at +300 ms; SYN +1250 ms */
	{ 6, 4, 4, { 3, 0, 1, 2 }, 100, 0, true, { 1250, 0 } },
	/* R1: 6 fragments, a middle one first: complete at +300 ms */
	{ 6, 6, 6, { 3, 1, 0, 5, 2, 4 }, 60, 0, true, { 500, 0 } },
	/* R1, R2: 8 fragments in order: complete at +280 ms; SYN +1100 ms */
	{ 6, 8, 8, { 0, 1, 2, 3, 4, 5, 6, 7 }, 40, 0, true, { 1100, 0 } },
	/* R2, R5: 9 fragments, last first: the 7th middle one (fragment 1)
	 * frees the entry; fragment 0 opens a new one that expires */
	{ 6, 9, 9, { 8, 7, 6, 5, 4, 3, 2, 1, 0 }, 20, 0, false, { 400, 0 } },
	/* R4: a middle fragment of 4 twice */
	{ 6, 4, 5, { 0, 1, 2, 1, 3 }, 50, 0, false, { 300, 0 } },
	/* R3, R5: the first fragment twice, after a middle one */
	{ 6, 3, 4, { 0, 1, 0, 2 }, 50, 0, false, { 300, 0 } },
	/* R4: the overlapping layout, last first */
	{ 6, 0, 3, { 2, 1, 0 }, 50, 0, false, { 300, 0 } },
	/* R6: the last fragment never arrives */
	{ 6, 3, 2, { 1, 0 }, 50, 0, false, { 300, 0 } },
	/* R8: both fragments behind a destination options header: never handed
	 * to rte_ip_frag (frag.v6_ext_before_frag counts 2) */
	{ 6, 2, 2, { 0, 1 }, 50, X6_DST, false, { 250, 0 } },
};

#define N_FR_CASES (sizeof(fr_cases) / sizeof(fr_cases[0]))

static void
fr_run(struct gen *g, const struct fr_case *fc)
{
	struct ep ep = { .nans = 0 };
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fc->fam);
	struct fr_dgram d;
	uint64_t t = sp_slot(g), t0 = 0, tc = 0;
	int done, i;

	t = fr_prepare(g, &d, t, cli, resolver(g, fc->fam), 2, fc->nfrag);
	for (i = 0; i < fc->k; i++)
		if (fc->ord[i] < 0 || fc->ord[i] >= d.nf)
			die("internal: bad fragment order");
	done = fc->x6 ? -1 : dpdk_reasm(d.f, fc->ord, fc->k);
	if ((done >= 0) != fc->reasm)
		die("internal: fragment case does not have the outcome it states");
	t += rtt(g);
	for (i = 0; i < fc->k; i++) {
		t = fr_emit(g, &d, fc->ord[i], i ? t + fc->step_ms * US_PER_MS : t, fc->x6);
		if (i == 0)
			t0 = t;
		if (i == done)
			tc = t;
	}
	if (done >= 0)
		fr_answer(g, &ep, &d, tc);
	for (i = 0; i < 2; i++)
		if (fc->syn_ms[i])
			ep_connect(g, &ep, t0 + fc->syn_ms[i] * US_PER_MS, cli, &d.s.addr[i], 443,
				   &CONN_EST);
	ep_commit(g, &ep);
	fr_free(&d);
}

/* R7: three answers of 3 fragments from three resolvers to one client, all
 * with the same IP ID (IPv6: fragment ID), their fragments interleaved
 * 30 ms apart. Each is reassembled at its own third arrival; a SYN to each
 * answer's address follows it. */
static void
fr_interleaved(struct gen *g, uint8_t fam)
{
	static const int seq[9][2] = { /* (datagram, fragment) in arrival order */
		{ 0, 2 }, { 1, 0 }, { 2, 1 }, { 0, 0 }, { 1, 2 }, { 2, 0 }, { 0, 1 }, { 1, 1 }, { 2, 2 },
	};
	struct ep ep = { .nans = 0 };
	struct client *c = pick_client(g);
	const struct ipaddr *cli = cli_addr(c, fam);
	struct fr_dgram d[3];
	int ord[3][3], n[3] = { 0, 0, 0 }, done[3], i;
	uint64_t t = sp_slot(g), tc[3] = { 0, 0, 0 };

	for (i = 0; i < 3; i++) {
		/* 10.53.0.54-56, 2001:db8:53::54-56: used nowhere else */
		struct ipaddr res = fam == 4 ? ip4(0x0a350036u + (uint32_t)i)
					     : ip6(0x53, 0x54 + (uint64_t)i);

		t = fr_prepare(g, &d[i], t + 10 * US_PER_MS, cli, &res, 1, 3);
		d[i].id = fam == 4 ? 0x1d1d : 0x1d1d1d1d;
	}
	for (i = 0; i < 9; i++)
		ord[seq[i][0]][n[seq[i][0]]++] = seq[i][1];
	for (i = 0; i < 3; i++)
		if ((done[i] = dpdk_reasm(d[i].f, ord[i], 3)) != 2)
			die("internal: interleaved datagram %d not complete at its 3rd fragment", i);
	t += rtt(g);
	for (i = 0; i < 9; i++) {
		int j = seq[i][0];

		t = fr_emit(g, &d[j], seq[i][1], i ? t + 30 * US_PER_MS : t, 0);
		if (--n[j] == 0)
			tc[j] = t;
	}
	for (i = 0; i < 3; i++) {
		fr_answer(g, &ep, &d[i], tc[i]);
		ep_connect(g, &ep, tc[i] + (uint64_t)(200 + 150 * i) * US_PER_MS, cli,
			   &d[i].s.addr[0], 443, &CONN_EST);
	}
	ep_commit(g, &ep);
	for (i = 0; i < 3; i++)
		fr_free(&d[i]);
}

static void
scen_frag(struct gen *g, int count)
{
	size_t i;

	for (i = 0; i < N_FR_CASES; i++)
		fr_run(g, &fr_cases[i]);
	fr_interleaved(g, 4);
	fr_interleaved(g, 6);
	bulk(g, 4, count);
	bulk(g, 6, count);
}

/* ------------------------------------------------------------------------ */
/* Link layers and pcap output                                               */

#define F_V4 0x1
#define F_V6 0x2
#define F_NONIP 0x4
#define F_ALL (F_V4 | F_V6 | F_NONIP)

enum l2 { L2_ETH, L2_VLAN, L2_QINQ, L2_Q9100, L2_SLL, L2_SLL2, L2_RAW, L2_NULL, L2_LOOP };

struct linkvar {
	const char *name;    /* file suffix */
	int dlt;
	enum l2 kind;
	unsigned int fams;   /* which packets the file can carry */
};

static const struct linkvar link_eth = { "en10mb", DLT_EN10MB, L2_ETH, F_ALL };

static const struct linkvar linkvars[] = {
	{ "en10mb", DLT_EN10MB, L2_ETH, F_ALL },
	{ "vlan", DLT_EN10MB, L2_VLAN, F_ALL },
	{ "qinq", DLT_EN10MB, L2_QINQ, F_ALL },
	{ "qinq9100", DLT_EN10MB, L2_Q9100, F_ALL },
	{ "sll", DLT_LINUX_SLL, L2_SLL, F_ALL },
	{ "sll2", DLT_LINUX_SLL2, L2_SLL2, F_ALL },
	{ "raw", DLT_RAW, L2_RAW, F_V4 | F_V6 },       /* LINKTYPE_RAW 101 */
	{ "null", DLT_NULL, L2_NULL, F_V4 | F_V6 },
	{ "loop", DLT_LOOP, L2_LOOP, F_V4 | F_V6 },    /* LINKTYPE_LOOP 108 */
	{ "ipv4", DLT_IPV4, L2_RAW, F_V4 },
	{ "ipv6", DLT_IPV6, L2_RAW, F_V6 },
};

static bool
fam_in(unsigned int fams, uint8_t fam)
{
	return fams & (fam == 4 ? F_V4 : fam == 6 ? F_V6 : F_NONIP);
}

/* Locally administered MAC from the low 32 bits of an IP address. */
static void
mac_from(uint8_t *mac, const struct event *e, const uint8_t *data, bool dst)
{
	size_t off = e->fam == 4 ? (dst ? 16 : 12) : (dst ? 36 : 20);

	mac[0] = 0x02;
	mac[1] = 0x00;
	if (e->fam == 0 || e->len < off + 4) {
		memset(mac + 2, dst ? 0xff : 0xfe, 4);
		if (dst)
			mac[0] = mac[1] = 0xff;
		return;
	}
	memcpy(mac + 2, data + off, 4);
}

static struct buf
frame(const struct linkvar *lv, const struct event *e, const uint8_t *data)
{
	struct buf f = { 0 };
	uint8_t smac[6], dmac[6];
	uint16_t et = e->fam == 4 ? ETH_IPV4 : e->fam == 6 ? ETH_IPV6 : e->ethertype;
	/* NULL/LOOP carry the BSD AF_ value; 30 is AF_INET6 on Darwin/FreeBSD */
	uint32_t af = e->fam == 4 ? 2 : 30;

	mac_from(smac, e, data, false);
	mac_from(dmac, e, data, true);
	switch (lv->kind) {
	case L2_ETH:
	case L2_VLAN:
	case L2_QINQ:
	case L2_Q9100:
		buf_put(&f, dmac, 6);
		buf_put(&f, smac, 6);
		if (lv->kind == L2_QINQ || lv->kind == L2_Q9100) { /* 802.1ad outer tag */
			buf_u16(&f, lv->kind == L2_QINQ ? 0x88a8 : 0x9100);
			buf_u16(&f, 200);
		}
		if (lv->kind != L2_ETH) { /* 802.1Q (inner) tag, PCP 0 VID 100 */
			buf_u16(&f, 0x8100);
			buf_u16(&f, 100);
		}
		buf_u16(&f, et);
		break;
	case L2_SLL: /* packet type, ARPHRD_ETHER, address length, address, protocol */
		buf_u16(&f, 0);
		buf_u16(&f, 1);
		buf_u16(&f, 6);
		buf_put(&f, smac, 6);
		buf_u16(&f, 0);
		buf_u16(&f, et);
		break;
	case L2_SLL2: /* protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr */
		buf_u16(&f, et);
		buf_u16(&f, 0);
		buf_u32(&f, 1);
		buf_u16(&f, 1);
		buf_u8(&f, 0);
		buf_u8(&f, 6);
		buf_put(&f, smac, 6);
		buf_u16(&f, 0);
		break;
	case L2_NULL: /* host byte order of the capturing host: little-endian here */
		buf_u8(&f, (uint8_t)af);
		buf_zero(&f, 3);
		break;
	case L2_LOOP: /* network byte order */
		buf_u32(&f, af);
		break;
	case L2_RAW:
		break;
	}
	buf_put(&f, data, e->len);
	return f;
}

/* The pcap is written through a 1 MiB stdio buffer: large files are written
 * at disk speed rather than in BUFSIZ pieces. */
static pcap_dumper_t *
dump_open(const struct linkvar *lv, const char *path, pcap_t **pp)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(lv->dlt, SNAPLEN,
							 PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d;
	FILE *f;

	if (p == NULL)
		die("pcap_open_dead failed");
	f = fopen(path, "wb");
	if (f == NULL)
		die("cannot write %s: %s", path, strerror(errno));
	if (setvbuf(f, NULL, _IOFBF, 1 << 20) != 0)
		die("setvbuf failed");
	d = pcap_dump_fopen(p, f);
	if (d == NULL)
		die("%s: %s", path, pcap_geterr(p));
	*pp = p;
	return d;
}

static void
dump_close(pcap_dumper_t *d, pcap_t *p, const char *path)
{
	if (pcap_dump_flush(d) != 0)
		die("cannot write %s", path);
	pcap_dump_close(d);
	pcap_close(p);
}

/* One record; returns its size in the file. */
static uint64_t
write_event(const struct gen *g, const struct linkvar *lv, pcap_dumper_t *d,
	    const struct event *e)
{
	struct pcap_pkthdr h;
	struct buf f;

	if (e->snap && lv->kind != L2_ETH)
		die("internal: truncated frames are Ethernet-only");
	f = frame(lv, e, g->arena.d + e->off);
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(e->t / US_PER_S);
	h.ts.tv_usec = (suseconds_t)(e->t % US_PER_S);
	h.len = (bpf_u_int32)f.len;
	h.caplen = e->snap ? e->snap : (bpf_u_int32)f.len;
	pcap_dump((u_char *)d, &h, f.d);
	buf_free(&f);
	return 16 + h.caplen;
}

static int
event_cmp(const void *a, const void *b);

/* Write every pending event of @g's families into a new file (per link type). */
static void
write_pcap(const struct gen *g, const struct linkvar *lv, const char *path)
{
	pcap_t *p;
	pcap_dumper_t *d = dump_open(lv, path, &p);
	size_t i;

	for (i = 0; i < g->ev.n; i++)
		if (fam_in(lv->fams, g->ev.v[i].fam))
			write_event(g, lv, d, &g->ev.v[i]);
	dump_close(d, p, path);
}

/* Streaming: write the pending events before @upto to g->dump, in time order,
 * and keep the rest (their bytes compacted into the spare arena). The
 * timeline is rebuilt from the kept events: nothing can be emitted before
 * @upto any more, so the written times need not be remembered. */
static void
gen_flush(struct gen *g, uint64_t upto)
{
	size_t i, k = 0;
	struct buf tmp;

	qsort(g->ev.v, g->ev.n, sizeof(g->ev.v[0]), event_cmp);
	for (i = 0; i < g->ev.n && g->ev.v[i].t < upto; i++) {
		const struct event *e = &g->ev.v[i];

		if (g->nwritten && e->t <= g->last_t)
			die("internal: two packets share a timestamp");
		g->pcap_bytes += write_event(g, g->lv, g->dump, e);
		if (g->nwritten == 0)
			g->first_t = e->t;
		g->last_t = e->t;
		g->nwritten++;
	}
	g->arena2.len = 0;
	if (g->tl.cap)
		memset(g->tl.slot, 0, g->tl.cap * sizeof(uint64_t));
	g->tl.n = 0;
	for (; i < g->ev.n; i++) {
		struct event e = g->ev.v[i];

		buf_put(&g->arena2, g->arena.d + e.off, e.len);
		e.off = g->arena2.len - e.len;
		g->ev.v[k++] = e;
		tl_insert(&g->tl, e.t);
	}
	g->ev.n = k;
	tmp = g->arena;
	g->arena = g->arena2;
	g->arena2 = tmp;
	if (upto > g->horizon)
		g->horizon = upto;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* ------------------------------------------------------------------------ */
/* Benchmark traffic sized by --packets: mix, dnsflood, synflood, min64.     */
/* They are written while they are built: time advances slice by slice, and  */
/* every slice starts after all of the previous ones, so whatever lies       */
/* before the current slice is final and goes to the file (gen_flush).       */

#define LN2_Q32 2977044472ULL        /* ln 2 × 2^32 */
#define FLUSH_EVENTS (1u << 14)      /* pending events that trigger a flush */
#define MIX_CLIENTS 4096
#define MIX_SCANNERS 8               /* the first clients are Blaster-infected */
#define MIX_SLICE_US (250 * US_PER_MS)
#define MIX_EP_PER_SLICE 50          /* 200 lookups/s */
#define MIX_SCAN_PCT 45              /* of all SYNs (the paper's Table 3) */
#define MIX_SHARE_PCT 9              /* DNS + SYN + SYN-ACK of all packets */
#define FLOOD_CLIENTS 65536

/* Exp(1) × @mean µs without floating point, whose libm results may differ
 * between platforms: X = G·ln2 + Y, G ~ Geometric(1/2) from the run of one
 * bits, Y = -ln(1 - V) with V uniform in [0, 1/2), as the series Σ V^k/k in
 * Q32. Two draws, in two statements. */
static uint64_t
rng_exp(struct rng *r, uint64_t mean)
{
	uint64_t bits = rng_u64(r);
	uint64_t v = rng_u64(r) >> 33;
	uint64_t p = v, y = 0;
	unsigned int gk = 0, k;

	if (mean > US_PER_S)
		die("internal: rng_exp mean too large");
	while (gk < 40 && (bits & 1)) {
		gk++;
		bits >>= 1;
	}
	for (k = 1; p; k++) {
		y += p / k;
		p = (p * v) >> 32;
	}
	return (mean * (gk * LN2_Q32 + y)) >> 32;
}

/* Fresh IPv4 servers for the large files: new_server()'s /15 holds 131070
 * addresses, too few for 10 M packets. This takes 32.0.0.0/6 in a scrambled
 * order (a product with an odd constant and an xorshift are bijections
 * modulo 2^26), so that an answer's addresses are not neighbours. */
static struct ipaddr
wide_server(struct gen *g)
{
	for (;;) {
		uint32_t x, v;

		if (g->n_wide >= (1u << 26))
			die("out of fresh server addresses: ask for fewer --packets");
		x = (g->n_wide++ * 0x2545f491u) & 0x3ffffffu;
		x ^= x >> 13;
		v = 0x20000000u | x;
		if ((v & 0xff) != 0 && (v & 0xff) != 0xff)
			return ip4(v);
	}
}

/* Clients 10.128.0.1.. (254 per /24), 2001:db8:c1::1:0..; resolvers
 * 10.53.<i>.53 and 2001:db8:53::<i>:53. */
static void
big_setup(struct gen *g, uint32_t nclients)
{
	uint32_t i;

	g->wide = true;
	g->nmcli = nclients;
	g->mcli = xcalloc(nclients, sizeof(*g->mcli));
	for (i = 0; i < nclients; i++) {
		g->mcli[i].v4 = ip4(0x0a800000u + (i / 254) * 256 + 1 + i % 254);
		g->mcli[i].v6 = ip6(0xc1, 0x10000 + (uint64_t)i);
	}
	for (i = 0; i < 4; i++) {
		g->mres4[i] = ip4(0x0a350035u | i << 8);
		g->mres6[i] = ip6(0x53, 0x53 | (uint64_t)i << 16);
	}
}

static uint64_t
npackets(const struct gen *g)
{
	return g->npkt[0] + g->npkt[1] + g->npkt[2];
}

/* Packets that count in the report: DNS, SYN and SYN-ACK. */
static uint64_t
ncounted(const struct gen *g)
{
	return g->ndns + g->led.syn.n + g->led.synack.n;
}

static void
maybe_flush(struct gen *g, uint64_t upto)
{
	if (g->ev.n >= FLUSH_EVENTS)
		gen_flush(g, upto);
}

/* Server data and client ACKs on an open connection, @n packets (c and s are
 * the two sides' next segments, seq and ack set); when @fin, FIN|ACK both
 * ways and the last ACK follow. No SYN flag: only packet counts change. */
static uint64_t
conversation(struct gen *g, uint64_t t, struct tcp_pkt *c, struct tcp_pkt *s, int n, bool fin)
{
	static const uint8_t pay[1448] = { 0x17, 0x03, 0x03 }; /* TLS application data */
	int i;

	c->payload = s->payload = NULL;
	c->plen = s->plen = 0;
	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			size_t len = 1448;

			/* Mostly short records: full segments would make 10 M packets
			 * several GB without changing what a probe has to do. */
			if (!rng_pct(&g->rng, 3))
				len = 16 + rng_below(&g->rng, 241);
			s->flags = TH_ACK | TH_PSH;
			s->payload = pay;
			s->plen = g->pad_to ? 1 + len % 6 : len; /* min64: 1-6 bytes fit */
			t = send_tcp(g, t + rng_between(&g->rng, 200, 5000), s, NULL);
			s->seq += (uint32_t)s->plen;
			c->ack = s->seq;
		} else {
			c->flags = TH_ACK;
			t = send_tcp(g, t + rng_between(&g->rng, 100, 2000), c, NULL);
		}
	}
	s->payload = NULL;
	s->plen = 0;
	if (fin) {
		c->flags = TH_FIN | TH_ACK;
		t = send_tcp(g, t + rng_between(&g->rng, 100, 5000), c, NULL);
		c->seq++;
		s->flags = TH_FIN | TH_ACK;
		s->ack = c->seq;
		t = send_tcp(g, t + rtt(g), s, NULL);
		s->seq++;
		c->flags = TH_ACK;
		c->ack = s->seq;
		t = send_tcp(g, t + rng_between(&g->rng, 50, 400), c, NULL);
	}
	return t;
}

/* A client connection: the SYN and @retx retransmissions (+1 s, +2 s) are
 * planned in @ep, which decides what they match; when @est, SYN-ACK, ACK and
 * a conversation closed by FIN follow the last SYN. */
static void
big_conn(struct gen *g, struct ep *ep, uint64_t t, const struct ipaddr *src,
	 const struct ipaddr *dst, uint16_t dport, int retx, bool est)
{
	struct tcp_pkt c = { .src = *src, .dst = *dst, .dport = dport, .flags = TH_SYN };
	struct tcp_pkt s = { .src = *dst, .dst = *src, .sport = dport, .flags = TH_SYN | TH_ACK };
	uint64_t ts = t, back = US_PER_S;
	int i, n;

	c.sport = next_sport(g);
	c.seq = (uint32_t)rng_u64(&g->rng);
	c.conn = g->conn++;
	for (i = 0; i <= retx; i++) {
		ep_plan_syn(ep, ts, false, &c);
		if (i < retx) {
			ts += back;
			back *= 2;
		}
	}
	if (!est)
		return;
	s.dport = c.sport;
	s.seq = (uint32_t)rng_u64(&g->rng);
	s.ack = c.seq + 1;
	s.conn = g->conn++;
	ts = send_tcp(g, ts + rtt(g), &s, NULL);
	s.seq++;
	c.seq++;
	c.ack = s.seq;
	c.flags = TH_ACK;
	ts = send_tcp(g, ts + rng_between(&g->rng, 50, 400), &c, NULL);
	n = 2 + 2 * (int)rng_below(&g->rng, 12);
	conversation(g, ts, &c, &s, n, true);
}

/* 1-4 addresses: 45, 30, 15, 10 %. */
static int
pick_naddr(struct gen *g)
{
	unsigned int r = rng_below(&g->rng, 100);

	return r < 45 ? 1 : r < 75 ? 2 : r < 90 ? 3 : 4;
}

/* One lookup episode of mix. Every client has one of the two resolvers. */
static void
mix_episode(struct gen *g, uint64_t t0)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	uint32_t ci = rng_below(&g->rng, g->nmcli);
	const struct client *c = &g->mcli[ci];
	unsigned int kind = rng_below(&g->rng, 100);
	uint8_t fam = kind >= 90 ? 6 : 4;     /* 10 %: AAAA over IPv6, IPv6 SYNs */
	const struct ipaddr *cli = cli_addr(c, fam);
	uint64_t ta, d;
	int retx = 0, i;
	unsigned int r;
	bool est = true;

	g->res4 = g->mres4[ci & 1];
	g->res6 = g->mres6[ci & 1];
	spec_init(&s, fam == 4 ? DNS_T_A : DNS_T_AAAA);
	s.opt = rng_pct(&g->rng, 60);
	if (kind < 7) {                         /* NXDOMAIN, SOA in AUTHORITY */
		s.rcode = 3;
		s.soa = true;
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 9) {                  /* SERVFAIL, empty */
		s.rcode = 2;
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 15) {                 /* answered, never connected to */
		spec_addrs(g, &s, fam, pick_naddr(g));
		lookup(g, &ep, t0, c, fam, &s);
	} else if (kind < 20) {                 /* a neighbour behind the same resolver connects */
		uint32_t di = (ci + 2 + 2 * rng_below(&g->rng, g->nmcli / 2 - 1)) % g->nmcli;

		spec_addrs(g, &s, fam, pick_naddr(g));
		ta = lookup(g, &ep, t0, c, fam, &s);
		d = rng_exp(&g->rng, 50 * US_PER_MS);
		big_conn(g, &ep, ta + d, cli_addr(&g->mcli[di], fam), &s.addr[0], pick_dport(g), 0,
			 true);
		if (rng_pct(&g->rng, 50)) {
			d = rng_between(&g->rng, US_PER_MS, 1500 * US_PER_MS);
			big_conn(g, &ep, ta + d, cli, &s.addr[0], pick_dport(g), 0, true);
		}
	} else {                                /* the common case */
		spec_addrs(g, &s, fam, pick_naddr(g));
		if (rng_pct(&g->rng, 35))
			s.ncname = 1 + (int)rng_below(&g->rng, 3);
		ta = lookup(g, &ep, t0, c, fam, &s);
		if (fam == 4 && rng_pct(&g->rng, 25)) { /* the AAAA query beside it, over IPv4 */
			struct ans_spec s6;

			spec_init(&s6, DNS_T_AAAA);
			s6.opt = s.opt;
			if (rng_pct(&g->rng, 60))
				spec_addrs(g, &s6, 6, 1 + (int)rng_below(&g->rng, 2));
			lookup(g, &ep, t0 + rng_between(&g->rng, 20, 3000), c, 4, &s6);
		}
		r = rng_below(&g->rng, 100);
		if (r < 4) {                    /* one SYN lost, then answered */
			retx = 1;
		} else if (r < 6) {             /* unreachable: two retransmissions */
			retx = 2;
			est = false;
		}
		d = rng_exp(&g->rng, 50 * US_PER_MS);
		i = (int)rng_below(&g->rng, (uint32_t)s.naddr);
		big_conn(g, &ep, ta + d, cli, &s.addr[i], pick_dport(g), retx, est);
		if (rng_pct(&g->rng, 25)) {     /* a parallel connection */
			d += rng_exp(&g->rng, 50 * US_PER_MS);
			i = (int)rng_below(&g->rng, (uint32_t)s.naddr);
			big_conn(g, &ep, ta + d, cli, &s.addr[i], pick_dport(g), 0, true);
		}
		if (rng_pct(&g->rng, 30)) {     /* cached: used again seconds later */
			d = rng_between(&g->rng, 2 * US_PER_S, 15 * US_PER_S);
			i = (int)rng_below(&g->rng, (uint32_t)s.naddr);
			big_conn(g, &ep, ta + d, cli, &s.addr[i], pick_dport(g), 0, true);
		}
	}
	ep_commit(g, &ep);
}

/* A connection without a lookup, to 198.51.100.0/24 (no answer names it). */
static void
mix_direct(struct gen *g, uint64_t t0)
{
	static const uint16_t ports[] = { 443, 443, 443, 22, 993, 5222, 3389, 8080 };
	struct ep ep = { .nans = 0 };
	const struct client *c = &g->mcli[rng_below(&g->rng, g->nmcli)];
	struct ipaddr dst = ip4(0xc6336400u + 1 + rng_below(&g->rng, 253));
	uint16_t dport = ports[rng_below(&g->rng, sizeof(ports) / sizeof(ports[0]))];

	big_conn(g, &ep, t0, &c->v4, &dst, dport, 0, rng_pct(&g->rng, 90));
	ep_commit(g, &ep);
}

/* A Blaster probe: SYN to TCP/135 in 100.64.0.0/10, retried after 3 s by 30 %. */
static void
mix_probe(struct gen *g, uint64_t t0)
{
	struct tcp_pkt s = { .flags = TH_SYN, .dport = 135 };

	s.src = g->mcli[rng_below(&g->rng, MIX_SCANNERS)].v4;
	s.dst = ip4(0x64400000u | rng_below(&g->rng, 0x400000));
	s.sport = next_sport(g);
	s.seq = (uint32_t)rng_u64(&g->rng);
	s.conn = g->conn++;
	t0 = send_tcp(g, t0, &s, NULL);
	if (rng_pct(&g->rng, 30))
		send_tcp(g, t0 + 3 * US_PER_S, &s, NULL);
}

/* Filler at @t0, at most @max packets; returns how many: data and ACKs on a
 * connection opened before the capture began (so no SYN), or a UDP datagram
 * (QUIC-like 443, NTP, SSDP) to 203.0.113.0/24. */
static uint64_t
mix_filler(struct gen *g, uint64_t t0, uint64_t max)
{
	static const uint8_t pay[300] = { 0x40 };
	const struct client *c = &g->mcli[rng_below(&g->rng, g->nmcli)];
	struct ipaddr peer = noise_peer(g, 4);
	unsigned int r = rng_below(&g->rng, 100);
	struct buf d;

	if (r < 70 && max >= 2) {
		struct tcp_pkt cp = { .src = c->v4, .dst = peer, .dport = 443, .flags = TH_ACK };
		struct tcp_pkt sp = { .src = peer, .dst = c->v4, .sport = 443, .flags = TH_ACK };
		uint64_t n = 2 + rng_below(&g->rng, 200);

		if (n > max)
			n = max;
		cp.sport = next_sport(g);
		sp.dport = cp.sport;
		cp.seq = (uint32_t)rng_u64(&g->rng);
		sp.seq = (uint32_t)rng_u64(&g->rng);
		cp.ack = sp.seq;
		sp.ack = cp.seq;
		conversation(g, t0, &cp, &sp, (int)n, false);
		return n;
	}
	if (r < 85) {
		size_t len = g->pad_to ? 18 : 30 + rng_below(&g->rng, 270);

		d = build_udp(g, &c->v4, &peer, next_sport(g), 443, pay, len, 0);
	} else if (r < 95) {
		d = build_udp(g, &c->v4, &peer, 123, 123, pay, g->pad_to ? 18 : 48, 0);
	} else {
		d = build_udp(g, &c->v4, &peer, next_sport(g), 1900, pay, g->pad_to ? 18 : 120, 0);
	}
	emit(g, t0, 4, &d);
	return 1;
}

/* One min64 lookup: a query for the root name (17 bytes of DNS: the largest
 * message that fits, so no answer can carry an RR), a NOERROR/NODATA or
 * NXDOMAIN answer without records, and a connection to a server it never
 * named (cached), with at most 6 bytes of data per segment. */
static void
min64_episode(struct gen *g, uint64_t t0)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	uint32_t ci = rng_below(&g->rng, g->nmcli);
	const struct client *c = &g->mcli[ci];
	struct ipaddr dst;
	struct dns q, a;
	uint16_t id = (uint16_t)rng_u64(&g->rng), sport = next_sport(g);
	uint64_t ta;

	g->res4 = g->mres4[ci & 1];
	spec_init(&s, DNS_T_A);
	if (rng_pct(&g->rng, 20))
		s.rcode = 3;
	dns_query(&q, id, "", DNS_T_A);
	t0 = send_dns(g, NULL, t0, &c->v4, &g->res4, sport, 53, &q, 0);
	dns_answer(g, &a, id, "", &s);
	ta = send_dns(g, &ep, t0 + rtt(g), &g->res4, &c->v4, 53, sport, &a, 0);
	dns_free(&q);
	dns_free(&a);
	if (rng_pct(&g->rng, 85)) {
		uint64_t d = rng_exp(&g->rng, 50 * US_PER_MS);

		dst = ip4(0xc6336400u + 1 + rng_below(&g->rng, 253));
		big_conn(g, &ep, ta + d, &c->v4, &dst, pick_dport(g), 0, true);
	}
	ep_commit(g, &ep);
}

struct big_drv {
	void (*episode)(struct gen *g, uint64_t t0);
	void (*direct)(struct gen *g, uint64_t t0);
};

/* Slices of MIX_SLICE_US: lookup episodes and direct connections, then
 * Blaster probes until they are MIX_SCAN_PCT % of all SYNs so far, then
 * filler until DNS + SYN + SYN-ACK are MIX_SHARE_PCT % of the slice's
 * packets. The last slices shrink so that the file ends near @target. */
static void
big_run(struct gen *g, uint64_t target, const struct big_drv *drv)
{
	uint64_t t = BASE_US + US_PER_S, nscan = 0, neps = 0;

	while (npackets(g) < target) {
		uint64_t p0 = npackets(g), c0 = ncounted(g), per_ep, left, want, other, i, n;

		per_ep = neps ? p0 / neps : 70;
		left = (target - p0) / (per_ep ? per_ep : 1);
		n = left < 1 ? 1 : left > MIX_EP_PER_SLICE ? MIX_EP_PER_SLICE : left;
		for (i = 0; i < n; i++)
			drv->episode(g, t + rng_between(&g->rng, 0, MIX_SLICE_US - 1));
		for (i = 0; i < n / 5; i++)
			drv->direct(g, t + rng_between(&g->rng, 0, MIX_SLICE_US - 1));
		neps += n;
		while (nscan * (100 - MIX_SCAN_PCT) < (g->led.syn.n - nscan) * MIX_SCAN_PCT) {
			uint64_t s0 = g->led.syn.n;

			mix_probe(g, t + rng_between(&g->rng, 0, MIX_SLICE_US - 1));
			nscan += g->led.syn.n - s0;
		}
		want = (ncounted(g) - c0) * (100 - MIX_SHARE_PCT) / MIX_SHARE_PCT;
		other = npackets(g) - p0 - (ncounted(g) - c0);
		while (other < want) {
			uint64_t tf = t + rng_between(&g->rng, 0, MIX_SLICE_US - 1);

			other += mix_filler(g, tf, want - other);
		}
		t += MIX_SLICE_US;
		maybe_flush(g, t);
	}
}

static void
scen_mix(struct gen *g, uint64_t target)
{
	static const struct big_drv drv = { mix_episode, mix_direct };

	big_setup(g, MIX_CLIENTS);
	big_run(g, target, &drv);
}

static void
scen_min64(struct gen *g, uint64_t target)
{
	static const struct big_drv drv = { min64_episode, mix_direct };

	g->pad_to = 60 - 14; /* Ethernet header + 46 = the 60-byte minimum without FCS */
	big_setup(g, MIX_CLIENTS);
	big_run(g, target, &drv);
}

/* Answers only, from four resolvers to 65536 clients, 1-4 fresh A RRs each
 * (50 % with EDNS0), 1-8 µs apart. */
static void
scen_dnsflood(struct gen *g, uint64_t target)
{
	uint64_t t = BASE_US + US_PER_S;

	big_setup(g, FLOOD_CLIENTS);
	while (npackets(g) < target) {
		const struct client *c = &g->mcli[rng_below(&g->rng, g->nmcli)];
		const struct ipaddr *res = &g->mres4[rng_below(&g->rng, 4)];
		uint16_t id = (uint16_t)rng_u64(&g->rng);
		struct ans_spec s;
		char qname[96];
		struct dns a;

		spec_init(&s, DNS_T_A);
		spec_addrs(g, &s, 4, 1 + (int)rng_below(&g->rng, 4));
		s.opt = rng_pct(&g->rng, 50);
		new_name(g, qname, sizeof(qname));
		dns_answer(g, &a, id, qname, &s);
		t = send_dns(g, NULL, t, res, &c->v4, 53, next_sport(g), &a, 0);
		dns_free(&a);
		t += 1 + rng_below(&g->rng, 8);
		maybe_flush(g, t);
	}
}

/* SYNs only, each a new flow: spoofed sources in 128.0.0.0/2, a destination
 * that no other SYN uses (wide_server's bijection), port 80 for 60 %, any
 * other port for the rest; 1-4 µs apart. */
static void
scen_synflood(struct gen *g, uint64_t target)
{
	uint64_t t = BASE_US + US_PER_S;

	g->wide = true;
	while (npackets(g) < target) {
		struct tcp_pkt s = { .flags = TH_SYN, .dport = 80 };

		s.src = ip4(0x80000000u | rng_below(&g->rng, 0x40000000u));
		s.dst = wide_server(g);
		if (rng_pct(&g->rng, 40))
			s.dport = (uint16_t)(1 + rng_below(&g->rng, 65535));
		s.sport = (uint16_t)(1024 + rng_below(&g->rng, 64512));
		s.seq = (uint32_t)rng_u64(&g->rng);
		s.conn = g->conn++;
		t = send_tcp(g, t, &s, NULL);
		t += 1 + rng_below(&g->rng, 4);
		maybe_flush(g, t);
	}
}

/* ------------------------------------------------------------------------ */
/* Adversarial traffic sized by --packets: randsub, parsework, tcphalfopen.  */
/* Like the floods above, each packet is built, emitted and forgotten; the   */
/* ledger keeps one small entry per query, answer or SYN for the sidecar.    */

#define RS_VICTIMS 4
#define PW_LABELS 127                /* 1-char labels: 254 bytes + root = 255 */
#define PW_MAX_JUMPS 16              /* dnsyn's (and common) pointer-jump limit */
#define PW_CNAMES 16                 /* the longest chain dnsyn follows */
#define PW_FRAG 1368                 /* fragment payload: 3 for a 4096-byte answer */

/* maybe_flush() for scenarios that keep many events ahead of the current
 * time (answers up to 80 ms later): flush once FLUSH_EVENTS new events came
 * since the last flush, not whenever that many are pending, or every packet
 * would sort the whole backlog again. */
static void
adv_flush(struct gen *g, uint64_t upto, size_t *mark)
{
	if (g->ev.n >= *mark + FLUSH_EVENTS) {
		gen_flush(g, upto);
		*mark = g->ev.n;
	}
}

/* A compression pointer into a hand-built message. */
static void
dns_ptr_raw(struct buf *b, size_t target)
{
	buf_u16(b, (uint16_t)(0xc000 | (target & 0x3fff)));
}

/* A client in 100.64.0.0/10 (carrier-grade NAT space: an ISP's subscribers),
 * never x.y.z.0 or x.y.z.255. */
static struct ipaddr
cgn_client(struct gen *g)
{
	uint32_t v = 0x64400000u | rng_below(&g->rng, 0x400000);

	if ((v & 0xff) == 0 || (v & 0xff) == 0xff)
		v ^= 0x7f;
	return ip4(v);
}

/* A random-subdomain ("water torture") attack on a few victim zones: every
 * query asks for a fresh random label, from random clients of a 4 M address
 * block (so nearly every query is a new client, and with the minute bucket a
 * new per-client key), to one of four resolvers; 80 % get NXDOMAIN with the
 * zone's SOA, 10 % SERVFAIL (the victim's servers are overwhelmed), 10 % no
 * answer. Queries 1-4 µs apart, answers 2-80 ms later. */
static void
scen_randsub(struct gen *g, uint64_t target)
{
	static const char *const victims[RS_VICTIMS] = { "victim0.example", "www.bank1.example",
							 "shop2.example.com", "cdn3.example.net" };
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t t = BASE_US + US_PER_S;
	size_t mark = 0;

	big_setup(g, 1); /* the resolvers; clients are drawn per query */
	while (npackets(g) < target) {
		struct ipaddr cli = cgn_client(g);
		const struct ipaddr *res = &g->mres4[rng_below(&g->rng, 4)];
		uint16_t id = (uint16_t)rng_u64(&g->rng);
		uint16_t sport = (uint16_t)(1024 + rng_below(&g->rng, 64512));
		uint16_t qtype = rng_pct(&g->rng, 80) ? DNS_T_A : DNS_T_AAAA;
		uint32_t len = 8 + rng_below(&g->rng, 13), victim = rng_below(&g->rng, RS_VICTIMS);
		unsigned int fate = rng_below(&g->rng, 100);
		char qname[96];
		struct dns q;
		uint64_t tq;
		uint32_t i;

		for (i = 0; i < len; i++)
			qname[i] = alnum[rng_below(&g->rng, sizeof(alnum) - 1)];
		qname[len] = '.';
		snprintf(qname + len + 1, sizeof(qname) - len - 1, "%s", victims[victim]);
		dns_query(&q, id, qname, qtype);
		tq = send_dns(g, NULL, t, &cli, res, sport, 53, &q, 0);
		dns_free(&q);
		if (fate < 90 && npackets(g) < target) {
			struct ans_spec s;
			struct dns a;

			spec_init(&s, qtype);
			s.rcode = fate < 80 ? 3 : 2;
			s.soa = fate < 80;
			s.opt = rng_pct(&g->rng, 50);
			dns_answer(g, &a, id, qname, &s);
			send_dns(g, NULL, tq + rtt(g), res, &cli, 53, sport, &a, 0);
			dns_free(&a);
		}
		t += 1 + rng_below(&g->rng, 4);
		adv_flush(g, t, &mark);
	}
}

/* A name of PW_LABELS one-character labels: 255 bytes on the wire, the most a
 * name may have, and the most labels a decoder walks for one name. Random
 * characters, or all 'a' (@uniform: then each suffix of the name agrees with
 * the name itself label by label until it runs out). */
static void
pw_long_name(struct gen *g, struct buf *b, bool uniform)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	int i;

	for (i = 0; i < PW_LABELS; i++) {
		buf_u8(b, 1);
		buf_u8(b, uniform ? 'a' : (uint8_t)chars[rng_below(&g->rng, sizeof(chars) - 1)]);
	}
	buf_u8(b, 0);
}

/* What a parsework answer is built around (see pw_message). */
enum { PW_LADDER, PW_LADDER_CHAIN, PW_SUFFIX_CHAIN, PW_SUFFIX_OWNERS };

/* A or AAAA (25 %) RR with owner @owner if it fits before @room; false if not. */
static bool
pw_addr_rr(struct gen *g, struct buf *b, size_t room, size_t owner, uint16_t *na,
	   uint16_t *naaaa)
{
	bool v6 = rng_pct(&g->rng, 25) && b->len + 28 <= room;

	if (b->len + 16 > room)
		return false;
	dns_ptr_raw(b, owner);
	buf_u16(b, v6 ? DNS_T_AAAA : DNS_T_A);
	buf_u16(b, DNS_C_IN);
	buf_u32(b, 60 + rng_below(&g->rng, 3600));
	buf_u16(b, v6 ? 16 : 4);
	if (v6) {
		struct ipaddr a = ip6(0x5e, rng_u64(&g->rng));

		buf_put(b, a.a, 16);
		(*naaaa)++;
	} else {
		buf_u32(b, 0x20000000u | rng_below(&g->rng, 0x4000000));
		(*na)++;
	}
	return true;
}

/* One answer built to make a DNS parser work as hard as the rules allow,
 * written by hand (the message builder keeps 32 records at most). The
 * question is a 255-byte name; A (75 %) and AAAA RRs fill the message. By
 * @kind:
 *   PW_LADDER         each owner a compression pointer to the previous RR's
 *                     owner, so owners form a ladder: the k-th is k jumps from
 *                     the name it stands for, up to the jump limit left after
 *                     the name's own pointers, and every later owner points at
 *                     the deepest rung;
 *   PW_LADDER_CHAIN   the same after a CNAME chain of PW_CNAMES hops, each
 *                     target a new first label before a pointer into the
 *                     question (254-255 bytes each);
 *   PW_SUFFIX_CHAIN   the question all 'a'; PW_CNAMES + 1 CNAMEs, the i-th
 *                     from the question's suffix i to its suffix i + 1 (a
 *                     chain of 16 hops that would go on: a loop for dnsyn),
 *                     each checked against names that agree for up to 127
 *                     labels; the addresses are owned by the end, via a ladder;
 *   PW_SUFFIX_OWNERS  the question all 'a'; each owner a pointer to another
 *                     suffix of it: valid names, not the question, that agree
 *                     with it label by label until they run out.
 * Every name is valid, so every address RR counts. @size is 512 (plain UDP)
 * or 4096 (EDNS0 OPT in ADDITIONAL). Returns the A and AAAA counts. */
static void
pw_message(struct gen *g, struct buf *b, uint16_t id, size_t size, unsigned int kind,
	   uint16_t *na, uint16_t *naaaa)
{
	bool opt = size > 512, uniform = kind >= PW_SUFFIX_CHAIN;
	size_t room = size - (opt ? 11 : 0), owner;
	uint16_t an = 0, q0;
	int jumps = PW_MAX_JUMPS, depth = 0, i;

	*na = *naaaa = 0;
	buf_u16(b, id);
	buf_u16(b, DNS_RESP);
	buf_zero(b, 8);
	pw_long_name(g, b, uniform);
	buf_u16(b, DNS_T_A);
	buf_u16(b, DNS_C_IN);
	owner = DNS_HDR;
	q0 = b->d[DNS_HDR + 1];
	if (kind == PW_LADDER_CHAIN) {
		char c = 'a';

		for (i = 0; i < PW_CNAMES; i++, c++) {
			if (c == (char)q0) /* a target must differ from the question */
				c++;
			dns_ptr_raw(b, owner);
			buf_u16(b, DNS_T_CNAME);
			buf_u16(b, DNS_C_IN);
			buf_u32(b, 300);
			buf_u16(b, 4);
			owner = b->len;
			buf_u8(b, 1);
			buf_u8(b, (uint8_t)c);
			dns_ptr_raw(b, DNS_HDR + 2); /* the question without its first label */
			an++;
		}
		jumps--; /* the targets' own pointer */
	} else if (kind == PW_SUFFIX_CHAIN) {
		for (i = 0; i <= PW_CNAMES; i++) {
			dns_ptr_raw(b, DNS_HDR + 2 * (size_t)i);
			buf_u16(b, DNS_T_CNAME);
			buf_u16(b, DNS_C_IN);
			buf_u32(b, 300);
			buf_u16(b, 2);
			dns_ptr_raw(b, DNS_HDR + 2 * (size_t)(i + 1));
			an++;
		}
		owner = DNS_HDR + 2 * PW_CNAMES;
	}
	for (i = 0;; i++) {
		size_t here = b->len;

		if (kind == PW_SUFFIX_OWNERS) {
			if (!pw_addr_rr(g, b, room, DNS_HDR + 2 * (1 + (size_t)i % (PW_LABELS - 1)), na,
					naaaa))
				break;
		} else {
			if (!pw_addr_rr(g, b, room, owner, na, naaaa))
				break;
			if (depth < jumps - 1) { /* the next owner is one jump deeper */
				owner = here;
				depth++;
			}
		}
		an++;
	}
	if (opt) {
		buf_u8(b, 0);
		buf_u16(b, DNS_T_OPT);
		buf_u16(b, 4096); /* CLASS = UDP payload size */
		buf_u32(b, 0);
		buf_u16(b, 0);
	}
	put16(b->d + 4, 1);
	put16(b->d + 6, an);
	put16(b->d + 10, opt ? 1 : 0);
}

/* Answers only (like dnsflood), each a pw_message(): 512 bytes in one
 * datagram (half of them) or 4096 bytes in three IPv4 fragments, from four
 * resolvers to 65536 clients, 1-8 µs apart. The ledger counts an answer when
 * its last fragment arrives, as dnsyn does. */
static void
scen_parsework(struct gen *g, uint64_t target)
{
	uint64_t t = BASE_US + US_PER_S;
	size_t mark = 0;

	big_setup(g, FLOOD_CLIENTS);
	while (npackets(g) < target) {
		const struct client *c = &g->mcli[rng_below(&g->rng, g->nmcli)];
		const struct ipaddr *res = &g->mres4[rng_below(&g->rng, 4)];
		uint16_t id = (uint16_t)rng_u64(&g->rng), sport = next_sport(g);
		bool big = rng_pct(&g->rng, 50) && target - npackets(g) >= 3;
		struct dns_eval e = { .msg = true, .qr = true };
		struct buf m = { 0 }, l4;
		unsigned int kind;

		/* 512 bytes: a ladder or suffix owners; 4096 bytes: any of the four */
		kind = big ? rng_below(&g->rng, 4) : PW_SUFFIX_OWNERS * rng_below(&g->rng, 2);
		pw_message(g, &m, id, big ? 4096 : 512, kind, &e.n_a, &e.n_aaaa);
		l4 = udp_l4(res, &c->v4, 53, sport, m.d, m.len);
		if (big) {
			struct frag f[3];
			uint32_t fid = next_ip_id(g);
			int i;

			frag_even(l4.len, 3, f);
			for (i = 0; i < 3; i++) {
				struct buf p = frag_pkt(res, &c->v4, P_UDP, &l4, fid, &f[i], 0);

				if (p.len - 20 > PW_FRAG)
					die("internal: parsework fragment too large");
				t = emit(g, t, 4, &p) + 1;
			}
			t--;
		} else {
			struct buf d = ip_wrap(g, res, &c->v4, P_UDP, l4.d, l4.len, 0);

			t = emit(g, t, 4, &d);
		}
		g->ndns++; /* one datagram, however many fragments */
		dns_ledger(g, NULL, t, res, &c->v4, &e);
		buf_free(&l4);
		buf_free(&m);
		t += 1 + rng_below(&g->rng, 8);
		adv_flush(g, t, &mark);
	}
}

/* DNS over TCP that never completes: every stream a new 5-tuple from a
 * spoofed source in 128.0.0.0/2 to one of four resolvers, port 53:
 *   40 %  a SYN alone (a SYN flood on port 53);
 *   30 %  SYN, the resolver's SYN-ACK, then a segment with a 2-byte length
 *         prefix and only part of the message it announces;
 *   15 %  SYN, SYN-ACK, then a single byte: half a length prefix;
 *   15 %  no handshake in the capture: a prefix and part of a message.
 * Nothing is ever finished or closed, so a reassembler holds each stream (a
 * buffer for each partial message) until it gives up. Streams 1-4 µs apart. */
static void
scen_tcphalfopen(struct gen *g, uint64_t target)
{
	static uint8_t body[2 + 1400];
	uint64_t t = BASE_US + US_PER_S;
	size_t mark = 0;

	/* What the partial messages start with: a query header (QDCOUNT 1). */
	body[4] = 0x01;
	body[7] = 0x01;
	big_setup(g, 1);
	while (npackets(g) < target) {
		struct tcp_pkt c = { .dport = 53 }, s = { .sport = 53 };
		unsigned int kind = rng_below(&g->rng, 100);
		uint64_t ts = t;

		c.src = ip4(0x80000000u | rng_below(&g->rng, 0x40000000u));
		c.dst = g->mres4[rng_below(&g->rng, 4)];
		c.sport = (uint16_t)(1024 + rng_below(&g->rng, 64512));
		c.seq = (uint32_t)rng_u64(&g->rng);
		c.conn = g->conn++;
		if (kind < 85) {
			c.flags = TH_SYN;
			ts = send_tcp(g, ts, &c, NULL);
			c.seq++;
		}
		if (kind >= 40 && kind < 85 && target - npackets(g) >= 2) {
			s.src = c.dst;
			s.dst = c.src;
			s.dport = c.sport;
			s.seq = (uint32_t)rng_u64(&g->rng);
			s.ack = c.seq;
			s.flags = TH_SYN | TH_ACK;
			s.conn = g->conn++;
			ts = send_tcp(g, ts + rng_between(&g->rng, 100, 2000), &s, NULL);
			c.ack = s.seq + 1;
			c.flags = TH_ACK | TH_PSH;
			c.payload = body;
			if (kind < 70) {
				uint32_t len = 64 + rng_below(&g->rng, 1337);

				put16(body, (uint16_t)len);
				c.plen = 2 + 1 + rng_below(&g->rng, len - 1);
			} else {
				body[0] = 0x01; /* the high byte of a 256..511-byte length */
				c.plen = 1;
			}
			send_tcp(g, ts + rng_between(&g->rng, 50, 400), &c, NULL);
		} else if (kind >= 85) {
			uint32_t len = 64 + rng_below(&g->rng, 1337);

			put16(body, (uint16_t)len);
			c.flags = TH_ACK | TH_PSH;
			c.ack = (uint32_t)rng_u64(&g->rng);
			c.payload = body;
			c.plen = 2 + 1 + rng_below(&g->rng, len - 1);
			send_tcp(g, ts, &c, NULL);
		}
		t += 1 + rng_below(&g->rng, 4);
		adv_flush(g, t, &mark);
	}
}

/* ------------------------------------------------------------------------ */
/* The expected report, computed from the ledger                              */

struct portcount {
	uint16_t port;
	uint64_t n;
};

struct qpc {
	char client[INET6_ADDRSTRLEN];
	uint64_t bucket;
};

struct paper {
	uint64_t packets;
	uint64_t answers, answers_a, a_rrs, answers_aaaa, aaaa_rrs, queries;
	uint64_t rcode[16];
	uint64_t syn, syn_unique, synack;
	uint64_t m_syn[2][2], m_ans[2][2];    /* [A/AAAA][variant] */
	uint64_t hist[2][HIST_BINS];           /* A matches only */
	struct portcount *top;                 /* all SYN dports, sorted */
	size_t ntop;
	struct portcount *mports[2];           /* matched (A) SYN dports, sorted */
	size_t nmports[2];
	struct qpc *q;                         /* included queries, sorted */
	size_t nq;
};

static int
pc_cmp(const void *a, const void *b)
{
	const struct portcount *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

static int
qpc_cmp(const void *a, const void *b)
{
	const struct qpc *x = a, *y = b;
	int c = strcmp(x->client, y->client);

	if (c)
		return c;
	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* Port histogram -> (port, count) sorted by count desc, port asc. */
static struct portcount *
port_table(const uint32_t *cnt, size_t *n)
{
	struct portcount *pc;
	size_t k = 0, p;

	for (p = 0; p < 65536; p++)
		k += cnt[p] != 0;
	pc = xcalloc(k, sizeof(*pc));
	k = 0;
	for (p = 0; p < 65536; p++)
		if (cnt[p])
			pc[k++] = (struct portcount){ (uint16_t)p, cnt[p] };
	qsort(pc, k, sizeof(*pc), pc_cmp);
	*n = k;
	return pc;
}

/* Everything in the report, for the packets whose family is in @fams. A match
 * counts when both its answer and its SYN are in the file; the families in a
 * file never split an answer's candidate SYNs (all IPv4 for A, all IPv6 for
 * AAAA), so the earliest SYN decided at emission stays the earliest. */
static void
paper_compute(const struct gen *g, unsigned int fams, struct paper *P)
{
	const struct ledger *L = &g->led;
	uint32_t *ports = xcalloc(65536, sizeof(uint32_t));
	uint32_t *mports[2] = { xcalloc(65536, sizeof(uint32_t)),
				xcalloc(65536, sizeof(uint32_t)) };
	uint8_t *conn_seen = xcalloc(g->conn + 1, 1);
	uint8_t *syn_mark = xcalloc(L->syn.n + 1, 1), *ans_mark = xcalloc(L->ans.n + 1, 1);
	size_t i;
	int v;

	memset(P, 0, sizeof(*P));
	P->packets = (fam_in(fams, 4) ? g->npkt[0] : 0) + (fam_in(fams, 6) ? g->npkt[1] : 0) +
		     (fam_in(fams, 0) ? g->npkt[2] : 0);
	for (i = 0; i < L->ans.n; i++) {
		const struct l_answer *a = &L->ans.v[i];

		if (!fam_in(fams, a->fam))
			continue;
		P->answers++;
		P->rcode[a->rcode]++;
		P->answers_a += a->n_a > 0;
		P->a_rrs += a->n_a;
		P->answers_aaaa += a->n_aaaa > 0;
		P->aaaa_rrs += a->n_aaaa;
	}
	P->q = xcalloc(L->q.n, sizeof(*P->q));
	for (i = 0; i < L->q.n; i++) {
		const struct l_query *q = &L->q.v[i];

		if (!fam_in(fams, q->fam))
			continue;
		ip_text(&q->client, P->q[P->nq].client, sizeof(P->q[P->nq].client));
		P->q[P->nq].bucket = q->t / US_PER_S / BUCKET_S * BUCKET_S;
		P->nq++;
	}
	P->queries = P->nq;
	qsort(P->q, P->nq, sizeof(*P->q), qpc_cmp);
	for (i = 0; i < L->syn.n; i++) {
		const struct l_syn *s = &L->syn.v[i];

		if (!fam_in(fams, s->fam))
			continue;
		P->syn++;
		ports[s->dport]++;
		if (!conn_seen[s->conn]) {
			conn_seen[s->conn] = 1;
			P->syn_unique++;
		}
	}
	for (i = 0; i < L->synack.n; i++)
		P->synack += fam_in(fams, L->synack.v[i]);
	for (i = 0; i < L->match.n; i++) {
		const struct l_match *m = &L->match.v[i];
		int f = m->fam == 4 ? 0 : 1;
		uint8_t bit = (uint8_t)(1u << (f * 2 + m->var));

		if (!fam_in(fams, L->ans.v[m->ans].fam) || !fam_in(fams, L->syn.v[m->syn].fam))
			continue;
		if (ans_mark[m->ans] & bit)
			die("internal: answer matched twice");
		ans_mark[m->ans] |= bit;
		P->m_ans[f][m->var]++;
		if (!(syn_mark[m->syn] & bit)) {
			syn_mark[m->syn] |= bit;
			P->m_syn[f][m->var]++;
			if (f == 0)
				mports[m->var][L->syn.v[m->syn].dport]++;
		}
		if (f == 0) {
			uint64_t bin = m->delay / HIST_BIN_US;

			P->hist[m->var][bin < HIST_BINS ? bin : HIST_BINS - 1]++;
		}
	}
	P->top = port_table(ports, &P->ntop);
	for (v = 0; v < 2; v++)
		P->mports[v] = port_table(mports[v], &P->nmports[v]);
	free(ports);
	free(mports[0]);
	free(mports[1]);
	free(conn_seen);
	free(syn_mark);
	free(ans_mark);
}

static void
paper_free(struct paper *P)
{
	free(P->top);
	free(P->mports[0]);
	free(P->mports[1]);
	free(P->q);
}

/* ------------------------------------------------------------------------ */
/* JSON writer                                                               */

static void
json_ports(FILE *f, const struct portcount *pc, size_t n, size_t max)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n && i < max; i++)
		fprintf(f, "%s[%u, %llu]", i ? ", " : "", pc[i].port, (unsigned long long)pc[i].n);
	fputc(']', f);
}

static void
json_hist(FILE *f, const uint64_t *h)
{
	int i;

	fputc('[', f);
	for (i = 0; i < HIST_BINS; i++)
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)h[i]);
	fputc(']', f);
}

#define U(x) ((unsigned long long)(x))

static void
json_paper(FILE *f, const struct paper *P)
{
	size_t i, nclients = 0;
	bool first;

	fprintf(f, "  \"paper\": {\n");
	fprintf(f, "    \"table1\": {\"dns_answers\": %llu, \"answers_with_A\": %llu, "
		   "\"total_A_RRs\": %llu},\n", U(P->answers), U(P->answers_a), U(P->a_rrs));
	fprintf(f, "    \"dns_rcodes\": {");
	first = true;
	for (i = 0; i < 16; i++) {
		if (!P->rcode[i])
			continue;
		fprintf(f, "%s\"%zu\": %llu", first ? "" : ", ", i, U(P->rcode[i]));
		first = false;
	}
	fprintf(f, "},\n");
	fprintf(f, "    \"dns_queries\": %llu,\n", U(P->queries));
	fprintf(f, "    \"table2\": {\"total_syn\": %llu, \"syn_unique\": %llu, \"synack\": %llu, "
		   "\"matched_dst_only\": %llu, \"matched_answers_dst_only\": %llu, "
		   "\"matched_dst_and_client\": %llu, \"matched_answers_dst_and_client\": %llu},\n",
		U(P->syn), U(P->syn_unique), U(P->synack), U(P->m_syn[0][V_DST]),
		U(P->m_ans[0][V_DST]), U(P->m_syn[0][V_CLI]), U(P->m_ans[0][V_CLI]));
	fprintf(f, "    \"table3_top10_syn_dports\": ");
	json_ports(f, P->top, P->ntop, 10);
	fprintf(f, ",\n    \"table4_matched_syn_dports\": {\"dst_only\": ");
	json_ports(f, P->mports[V_DST], P->nmports[V_DST], SIZE_MAX);
	fprintf(f, ", \"dst_and_client\": ");
	json_ports(f, P->mports[V_CLI], P->nmports[V_CLI], SIZE_MAX);
	fprintf(f, "},\n    \"delay_hist_10ms\": {\"bin_width_ms\": 10, \"dst_only\": ");
	json_hist(f, P->hist[V_DST]);
	fprintf(f, ", \"dst_and_client\": ");
	json_hist(f, P->hist[V_CLI]);
	fprintf(f, "},\n");
	fprintf(f, "    \"aaaa_extension\": {\"answers_with_AAAA\": %llu, "
		   "\"total_AAAA_RRs\": %llu, "
		   "\"matched_syns_dst_only\": %llu, \"matched_answers_dst_only\": %llu, "
		   "\"matched_syns_dst_and_client\": %llu, "
		   "\"matched_answers_dst_and_client\": %llu},\n",
		U(P->answers_aaaa), U(P->aaaa_rrs), U(P->m_syn[1][V_DST]), U(P->m_ans[1][V_DST]),
		U(P->m_syn[1][V_CLI]), U(P->m_ans[1][V_CLI]));
	for (i = 0; i < P->nq; i++)
		nclients += i == 0 || strcmp(P->q[i].client, P->q[i - 1].client) != 0;
	fprintf(f, "    \"queries_per_client\": {\"bucket_s\": %d, \"clients\": %zu, \"counts\": {",
		BUCKET_S, nclients);
	for (i = 0; i < P->nq;) {
		size_t j = i;

		fprintf(f, "%s\n      \"%s\": {", i ? "," : "", P->q[i].client);
		while (j < P->nq && strcmp(P->q[j].client, P->q[i].client) == 0) {
			size_t k = j;

			while (k < P->nq && strcmp(P->q[k].client, P->q[i].client) == 0 &&
			       P->q[k].bucket == P->q[j].bucket)
				k++;
			fprintf(f, "%s\"%llu\": %zu", j > i ? ", " : "", U(P->q[j].bucket), k - j);
			j = k;
		}
		fputc('}', f);
		i = j;
	}
	fprintf(f, "%s}}\n  }\n", P->nq ? "\n    " : "");
}

/* The packet mix of a --packets scenario, which the paper's report does not
 * show: DNS datagrams, SYNs, SYN-ACKs, the rest, the file size and the time
 * from the first packet to the last. */
static void
json_composition(FILE *f, const struct gen *g)
{
	uint64_t n = npackets(g), syn = g->led.syn.n, synack = g->led.synack.n;

	fprintf(f, "  \"composition\": {\"dns\": %llu, \"syn\": %llu, \"synack\": %llu, "
		   "\"other\": %llu, \"pcap_bytes\": %llu, \"duration_us\": %llu},\n",
		U(g->ndns), U(syn), U(synack), U(n - g->ndns - syn - synack),
		U(g->pcap_bytes + 24), U(g->nwritten ? g->last_t - g->first_t : 0));
}

static void
write_json(const struct gen *g, const char *scenario, uint64_t seed, unsigned int fams,
	   bool composition, const char *path)
{
	struct paper P;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("cannot write %s: %s", path, strerror(errno));
	paper_compute(g, fams, &P);
	fprintf(f, "{\n  \"scenario\": \"%s\",\n  \"seed\": %llu,\n  \"packets\": %llu,\n",
		scenario, U(seed), U(P.packets));
	if (composition)
		json_composition(f, g);
	if (g->extra_json)
		fputs(g->extra_json, f);
	json_paper(f, &P);
	fprintf(f, "}\n");
	paper_free(&P);
	if (ferror(f) | fclose(f))
		die("cannot write %s", path);
}

/* ------------------------------------------------------------------------ */
/* labelled: a day of a client network with injected anomalies, each one    */
/* labelled in the sidecar (who, what, from which interval, which detector   */
/* must see it), for scripts/eval_detect (docs/detection.md, Evaluation).    */
/* Rates are Q16 integers (no floating point: see rng_exp).                  */

#define LB_IV_US (10 * US_PER_S)   /* an interval of packet time: dnsyn --interval 10 */
#define LB_DAY 288                 /* intervals; each stands for 5 minutes of the day */
#define LB_NIGHT 48                /* the quietest interval (04:00); the peak is 12 h later */
#define LB_Q 65536u                /* 1.0 in Q16 */
#define LB_T_PTR 12
#define LB_T_MX 15
#define LB_T_HTTPS 65
#define LB_NMAIL 2                 /* normal mail servers */

enum lb_kind { LB_PERSON, LB_NAT, LB_MAIL, LB_RESOLVER };

enum lb_act {
	A_FLAT, A_BLASTER, A_JUMP, A_MAILER, A_JUMPBIG, A_MAILGONE, A_DDOS, A_RIPPLE,
	A_MAILCRASH, A_SCANFAST
};

/* An injected actor. Its host behaves like the others of its kind before
 * @first and after @first + @len - 1. */
struct lb_actor {
	const char *id, *kind;
	enum lb_act act;
	const char *expect;        /* detectors that must fire (JSON array body) */
	const char *accept;        /* detectors whose alerts are also right */
	const char *warmup;        /* the parameter whose window the alert waits for */
	int first, len;            /* intervals */
	uint8_t host;              /* enum lb_kind */
	uint32_t base10;           /* a person host's peak rate, tenths of a query an interval */
	const char *what;
};

/* Start times spread over the day: the night (trojan), the morning rise,
 * the peak, the evening; the ripple needs rp_n (48) intervals before the
 * day ends. Accepted: on an infected or hijacked PC any Dq-shape alert
 * (Musashi et al. give rises, flat and rippled curves as signs of the same
 * compromise); on the mail server whose lookups left the tap, unresolved-
 * scan (its SYNs now follow no answer on the link: Rikitake et al.'s sign,
 * on the right host at the right time). Scanners and the resolver: none. */
static const struct lb_actor lb_actors[] = {
	{ "trojan-flat", "trojan", A_FLAT, "\"plateau\"", "\"rate-jump\"", "pl-n", 40, 120,
	  LB_PERSON, 15, "an idle PC beaconing over DNS: a TXT query every 250 ms (40 an "
	  "interval), a flat Dq (Musashi et al.)" },
	{ "blaster", "scanner", A_BLASTER, "\"unresolved-scan\"", "", NULL, 100, 60, LB_PERSON, 100,
	  "W32/Blaster-like: 20 SYNs to TCP/135 at consecutive addresses every 1.8 s, "
	  "retransmitted after 3 and 9 s, no lookup (Rikitake et al.)" },
	{ "hijack", "hijacked", A_JUMP, "\"rate-jump\"", "\"plateau\"", NULL, 110, 40, LB_PERSON, 200,
	  "a hijacked PC: +100 lookups an interval (about x10) on top of its user's" },
	{ "mass-mailer", "mass-mailer", A_MAILER, "\"mx-storm\"",
	  "\"rate-jump\", \"plateau\"", NULL, 130, 40,
	  LB_PERSON, 50, "a mass-mailing worm: 80 mails an interval, each an MX lookup, an A "
	  "lookup of the exchange and an SMTP SYN" },
	{ "hijack-big", "hijacked", A_JUMPBIG, "\"rate-jump\"", "\"plateau\"", NULL, 150, 20, LB_PERSON, 100,
	  "a hijacked PC: +600 lookups an interval, rising straight (Musashi et al.)" },
	{ "mail-gone", "mail-server", A_MAILGONE, "\"mail-model\"", "\"unresolved-scan\"", NULL, 150,
	  138, LB_MAIL, 0,
	  "a mail server whose lookups leave the tapped resolver (a forwarder change): Dq "
	  "nearly zero, SMTP and POP3 go on (Musashi et al.)" },
	{ "resolver-dos", "resolver-dos", A_DDOS, "\"resolver-dos\"", "", NULL, 170, 8,
	  LB_RESOLVER, 0, "a random-subdomain query flood on resolver 10.53.1.53 from spoofed "
	  "172.16.0.0/12 sources, 6x its normal load" },
	{ "ripple", "trojan", A_RIPPLE, "\"plateau\"", "\"rate-jump\"", "rp-n", 190, 98, LB_PERSON,
	  80, "a remotely controlled host: +80 and +10 lookups an interval, alternating every "
	  "3 intervals (a rippled Dq, Musashi et al.)" },
	{ "mail-crash", "mail-server", A_MAILCRASH, "\"mail-model\"", "\"rate-jump\"", NULL, 200,
	  40, LB_MAIL, 0, "a mail server whose DNS cache fails: 12 more lookups per SMTP access "
	  "than Dq = 8.6 NS + NP (Musashi et al.)" },
	{ "scan-fast", "scanner", A_SCANFAST, "\"unresolved-scan\"", "", NULL, 230, 30, LB_PERSON,
	  50, "a fast scanner: 100 SYNs/s to random addresses, TCP/135, no lookup" },
};

#define LB_NACT (sizeof(lb_actors) / sizeof(lb_actors[0]))

struct lb_client {
	struct ipaddr a;
	uint8_t kind;              /* LB_PERSON, LB_NAT, LB_MAIL */
	uint8_t res;               /* its resolver: 0 or 1 */
	bool mailuser;             /* a person who reads mail over POP3 and sends over 587 */
	int act;                   /* index in lb_actors, -1: normal */
	int phase;                 /* intervals: a person's day runs early or late */
	uint64_t base;             /* Q16 lookups an interval at the day's peak */
	uint64_t ns, np;           /* mail server: Q16 SMTP and POP3 accesses at the peak */
};

struct lb {
	struct lb_client *cl;
	uint32_t ncl;
	struct ipaddr res[2];
	unsigned int cur_res;      /* the resolver g->res4 is now */
	uint64_t q_cur[2], q_prev[2]; /* queries to each resolver, this and the last interval */
	uint64_t end;              /* the day's end: nothing is sent after it */
	uint64_t stop;             /* no new lookup or mail after it (what follows one fits) */
	uint64_t flood;            /* the flood's queries an interval, fixed at its start */
	uint64_t beacon_t, batch_t; /* the trojan's next beacon, Blaster's next batch */
	uint32_t scan_next;        /* Blaster's next target */
};

/* The day's shape at interval @i, Q16: 0.1 at 04:00, 1.0 at 16:00, and in
 * between 0.1 + 0.9 (4u(1 - u))^2 with u the day's phase, the parabola
 * approximation of 0.55 - 0.45 cos(2 pi u) (within 0.06; mean 0.58). */
static uint64_t
lb_day(int i)
{
	uint64_t u = (uint64_t)(((i - LB_NIGHT) % LB_DAY + LB_DAY) % LB_DAY) * LB_Q / LB_DAY;
	uint64_t p = 4 * u * (LB_Q - u) >> 16;

	return 6554 + (58982 * (p * p >> 16) >> 16);
}

/* Exp with any mean (rng_exp takes at most 1 s): scaled down, then up. */
static uint64_t
lb_exp(struct gen *g, uint64_t mean)
{
	unsigned int k = 0;

	while ((mean >> k) > US_PER_S)
		k++;
	return rng_exp(&g->rng, mean >> k) << k;
}

/* Gamma(k, 1/k), Q16: mean 1, cv 1/sqrt(k). A person's rate this interval:
 * Poisson counts of a gamma-mixed rate are as bursty as people are. */
static uint64_t
lb_gamma(struct gen *g, unsigned int k)
{
	uint64_t s = 0;
	unsigned int j;

	for (j = 0; j < k; j++)
		s += rng_exp(&g->rng, LB_Q);
	return s / k;
}

/* The gap to the next event of a Poisson process of @lam (Q16) events an
 * interval: past the interval when the rate is zero. */
static uint64_t
lb_gap(struct gen *g, uint64_t lam)
{
	if (lam == 0)
		return LB_IV_US + 1;
	return 1 + lb_exp(g, LB_IV_US * LB_Q / lam);
}

/* Poisson(@lam), @lam in Q16: events of a unit-rate process. */
static uint32_t
lb_poisson(struct gen *g, uint64_t lam)
{
	uint64_t t = 0;
	uint32_t n = 0;

	if (lam == 0)
		return 0;
	for (;;) {
		t += lb_exp(g, (uint64_t)LB_Q * LB_Q / lam);
		if (t >= LB_Q)
			return n;
		n++;
	}
}

/* Log-uniform in [lo, lo * 2^oct), both Q16; 2^frac by linear interpolation. */
static uint64_t
lb_logu(struct gen *g, uint64_t lo, uint64_t oct)
{
	uint64_t x = rng_below(&g->rng, (uint32_t)oct);

	return (lo << (x >> 16)) * (LB_Q + (x & 0xffff)) >> 16;
}

/* The end of interval @t0 for starting things: the last stops early, so
 * that nothing falls past the day (dnsyn would see a 289th interval). */
static uint64_t
lb_t1(const struct lb *lb, uint64_t t0)
{
	return t0 + LB_IV_US < lb->stop ? t0 + LB_IV_US : lb->stop;
}

static void
lb_set_res(struct gen *g, struct lb *lb, unsigned int r)
{
	lb->cur_res = r;
	g->res4 = lb->res[r];
}

/* An answer holding one MX (the exchange mx.<qname>) or TXT record. */
static void
lb_answer_rr(struct dns *m, uint16_t id, const char *qname, uint16_t qtype)
{
	uint16_t q;

	dns_begin(m, id, DNS_RESP);
	q = dns_name(m, qname);
	dns_question(m, qtype, DNS_C_IN);
	dns_ptr(m, q);
	dns_rr_begin(m, qtype, DNS_C_IN, 300);
	if (qtype == LB_T_MX) {
		buf_u16(&m->b, 10);
		dns_name_ptr(m, "mx", q);
	} else {
		buf_u8(&m->b, 8);
		buf_put(&m->b, "cmd=idle", 8);
	}
	dns_rr_end(m, SEC_AN);
	dns_end(m);
}

/* A query from @cli to the current resolver and its answer one RTT later:
 * @s, or with @rr one MX/TXT record; the answer's addresses go to @ep.
 * Returns the answer's time. */
static uint64_t
lb_exchange(struct gen *g, struct lb *lb, struct ep *ep, uint64_t t, const struct ipaddr *cli,
	    const char *qname, const struct ans_spec *s, bool rr)
{
	uint16_t id = (uint16_t)rng_u64(&g->rng), sport = next_sport(g);
	struct dns q, a;

	dns_query(&q, id, qname, s->qtype);
	t = send_dns(g, NULL, t, cli, &g->res4, sport, 53, &q, 0);
	lb->q_cur[lb->cur_res]++;
	if (rr)
		lb_answer_rr(&a, id, qname, s->qtype);
	else
		dns_answer(g, &a, id, qname, s);
	t = send_dns(g, ep, t + rtt(g), &g->res4, cli, 53, sport, &a, 0);
	dns_free(&q);
	dns_free(&a);
	return t;
}

/* A connection: the SYN (and @retx retransmissions) planned in @ep, which
 * decides what it matches; when @est, the SYN-ACK and the ACK. No data:
 * only the handshake counts in dnsyn, and it keeps the file small. */
static void
lb_conn(struct gen *g, struct lb *lb, struct ep *ep, uint64_t t, const struct ipaddr *src,
	const struct ipaddr *dst, uint16_t dport, int retx, bool est)
{
	struct tcp_pkt c = { .src = *src, .dst = *dst, .dport = dport, .flags = TH_SYN };
	struct tcp_pkt s = { .src = *dst, .dst = *src, .sport = dport, .flags = TH_SYN | TH_ACK };
	int i;

	c.sport = next_sport(g);
	c.seq = (uint32_t)rng_u64(&g->rng);
	c.conn = g->conn++;
	for (i = 0; i <= retx && t + 100 * US_PER_MS < lb->end; i++) {
		ep_plan_syn(ep, t, false, &c);
		if (i < retx)
			t += US_PER_S << i;
	}
	if (!est || t + 100 * US_PER_MS >= lb->end)
		return;
	s.dport = c.sport;
	s.seq = (uint32_t)rng_u64(&g->rng);
	s.ack = c.seq + 1;
	s.conn = g->conn++;
	t = send_tcp(g, t + rtt(g), &s, NULL);
	c.flags = TH_ACK;
	c.seq++;
	c.ack = s.seq + 1;
	send_tcp(g, t + rng_between(&g->rng, 50, 400), &c, NULL);
}

/* Where people connect: the web mostly. No 25: ISPs block it for users. */
static uint16_t
lb_dport(struct gen *g)
{
	static const uint16_t other[] = { 8080, 993, 22, 5222, 5228, 8443 };
	unsigned int r = rng_below(&g->rng, 100);

	if (r < 70)
		return 443;
	if (r < 90)
		return 80;
	return other[rng_below(&g->rng, sizeof(other) / sizeof(other[0]))];
}

/* One lookup of a person (or of a NAT's users) and what follows it: A 60 %
 * (7 % NXDOMAIN, 2 % SERVFAIL; 60 % of the answers connected to, Rikitake
 * et al.'s 57.5 %, and 15 % of those again from the cache 2-30 s later,
 * before @until), AAAA 30 %, PTR 5 %, TXT 2 %, HTTPS 3 %; and now and then
 * a connection to a hard-coded address, which no answer precedes. */
static void
lb_browse(struct gen *g, struct lb *lb, const struct ipaddr *cli, uint64_t t, uint64_t until)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	char qname[96];
	unsigned int r = rng_below(&g->rng, 100);
	uint64_t ta, d;
	int i, retx;

	new_name(g, qname, sizeof(qname));
	if (r < 60) {
		spec_init(&s, DNS_T_A);
		s.opt = rng_pct(&g->rng, 50);
		r = rng_below(&g->rng, 100);
		if (r < 7) {
			s.rcode = 3;
			s.soa = true;
			lb_exchange(g, lb, &ep, t, cli, qname, &s, false);
		} else if (r < 9) {
			s.rcode = 2;
			lb_exchange(g, lb, &ep, t, cli, qname, &s, false);
		} else {
			spec_addrs(g, &s, 4, pick_naddr(g));
			if (rng_pct(&g->rng, 35))
				s.ncname = 1 + (int)rng_below(&g->rng, 3);
			ta = lb_exchange(g, lb, &ep, t, cli, qname, &s, false);
			if (rng_pct(&g->rng, 60)) {
				d = rng_exp(&g->rng, 50 * US_PER_MS);
				i = (int)rng_below(&g->rng, (uint32_t)s.naddr);
				retx = rng_pct(&g->rng, 3) ? 1 : 0;
				lb_conn(g, lb, &ep, ta + d, cli, &s.addr[i], lb_dport(g), retx, true);
				if (rng_pct(&g->rng, 15)) {
					d = rng_between(&g->rng, 2 * US_PER_S, 30 * US_PER_S);
					i = (int)rng_below(&g->rng, (uint32_t)s.naddr);
					if (ta + d < until)
						lb_conn(g, lb, &ep, ta + d, cli, &s.addr[i], lb_dport(g), 0,
							true);
				}
			}
		}
	} else if (r < 90) {
		spec_init(&s, DNS_T_AAAA);
		if (rng_pct(&g->rng, 60))
			spec_addrs(g, &s, 6, 1 + (int)rng_below(&g->rng, 2));
		else
			s.soa = true; /* NODATA */
		lb_exchange(g, lb, &ep, t, cli, qname, &s, false);
	} else {
		spec_init(&s, r < 95 ? LB_T_PTR : r < 97 ? DNS_T_TXT : LB_T_HTTPS);
		s.rcode = r < 95 ? 3 : 0;
		s.soa = true;
		lb_exchange(g, lb, &ep, t, cli, qname, &s, false);
	}
	ep_commit(g, &ep);
	if (rng_pct(&g->rng, 3)) {
		struct ipaddr dst = ip4(0xc6336400u + 1 + rng_below(&g->rng, 253));

		d = rng_between(&g->rng, 0, US_PER_S);
		lb_conn(g, lb, &ep, t + d, cli, &dst, lb_dport(g), 0, true);
		ep_commit(g, &ep);
	}
}

/* A lookup of @name's address, then a connection to it on @dport (a mail
 * client or server reaching its peer). */
static void
lb_lookup_conn(struct gen *g, struct lb *lb, uint64_t t, const struct ipaddr *cli,
	       const char *name, uint16_t dport)
{
	struct ep ep = { .nans = 0 };
	struct ans_spec s;
	uint64_t ta, d;

	spec_init(&s, DNS_T_A);
	spec_addrs(g, &s, 4, 1);
	ta = lb_exchange(g, lb, &ep, t, cli, name, &s, false);
	d = rng_between(&g->rng, 5 * US_PER_MS, 40 * US_PER_MS);
	lb_conn(g, lb, &ep, ta + d, cli, &s.addr[0], dport, 0, true);
	ep_commit(g, &ep);
}

/* A connection whose lookup this tap did not see: no answer precedes it. */
static void
lb_blind_conn(struct gen *g, struct lb *lb, uint64_t t, const struct ipaddr *cli, uint16_t dport)
{
	struct ep ep = { .nans = 0 };
	struct ipaddr dst = wide_server(g);

	lb_conn(g, lb, &ep, t, cli, &dst, dport, 0, true);
	ep_commit(g, &ep);
}

/* One mail sent to another domain (a server's SMTP access, or a worm's):
 * the MX lookup, the exchange's address, the SYN to port 25; a server adds
 * @extra lookups (PTR of the peer, SPF TXT, DNS blocklist A queries). */
static void
lb_smtp(struct gen *g, struct lb *lb, uint64_t t, const struct ipaddr *cli, uint32_t extra)
{
	struct ans_spec s;
	char dom[64], mx[80];
	uint32_t k;

	snprintf(dom, sizeof(dom), "d%u.example", rng_below(&g->rng, 5000));
	spec_init(&s, LB_T_MX);
	t = lb_exchange(g, lb, NULL, t, cli, dom, &s, true);
	snprintf(mx, sizeof(mx), "mx.%s", dom);
	lb_lookup_conn(g, lb, t + rng_between(&g->rng, 100, 3000), cli, mx, 25);
	for (k = 0; k < extra; k++) {
		unsigned int r = rng_below(&g->rng, 100);
		char name[96];

		new_name(g, name, sizeof(name));
		spec_init(&s, r < 30 ? LB_T_PTR : r < 50 ? DNS_T_TXT : DNS_T_A);
		s.rcode = r < 50 ? 0 : 3; /* PTR and SPF found; not on the blocklists */
		s.soa = true;
		lb_exchange(g, lb, NULL, t + rng_between(&g->rng, 1000, 800 * US_PER_MS), cli, name,
			    &s, false);
	}
}

/* A mail server's interval: NS SMTP accesses (each 2 lookups + 6.6 more on
 * average: Musashi et al.'s mS = 8.6) and NP POP3 accesses (1 lookup each:
 * mP = 1), both following the day with their own bursts (gamma(8): the sum
 * of many senders, smoother than one person). NS and NP are the
 * server's outgoing SYNs, which is what dnsyn can attribute to it (a relay
 * that also collects mail over POP3; docs/detection.md, model gaps). */
static void
lb_mail_iv(struct gen *g, struct lb *lb, const struct lb_client *c, int act, uint64_t t0,
	   uint64_t f)
{
	uint64_t t1 = lb_t1(lb, t0), ls, lp, t;
	bool gone = act == A_MAILGONE, crash = act == A_MAILCRASH;

	ls = (c->ns * f >> 16) * lb_gamma(g, 8) >> 16;
	lp = (c->np * f >> 16) * lb_gamma(g, 8) >> 16;
	for (t = t0 + lb_gap(g, ls); t < t1; t += lb_gap(g, ls)) {
		uint32_t extra = lb_poisson(g, 66 * LB_Q / 10);

		if (gone && !rng_pct(&g->rng, 5))
			lb_blind_conn(g, lb, t, &c->a, 25);
		else
			lb_smtp(g, lb, t, &c->a, extra + (crash ? 12 : 0));
	}
	for (t = t0 + lb_gap(g, lp); t < t1; t += lb_gap(g, lp)) {
		char name[64];

		snprintf(name, sizeof(name), "pop%u.remote.example", rng_below(&g->rng, 40));
		if (gone && !rng_pct(&g->rng, 5))
			lb_blind_conn(g, lb, t, &c->a, 110);
		else
			lb_lookup_conn(g, lb, t, &c->a, name, 110);
	}
}

/* A SYN to TCP/135 and its retransmissions (no SYN-ACK: nobody there). */
static void
lb_probe(struct gen *g, struct lb *lb, uint64_t t, const struct ipaddr *src, uint32_t dst,
	 bool retx)
{
	struct tcp_pkt s = { .src = *src, .flags = TH_SYN, .dport = 135 };

	s.dst = ip4(0x64400000u | (dst & 0x3fffff));
	s.sport = next_sport(g);
	s.seq = (uint32_t)rng_u64(&g->rng);
	s.conn = g->conn++;
	t = send_tcp(g, t, &s, NULL);
	if (retx && t + 9 * US_PER_S < lb->end) {
		send_tcp(g, t + 3 * US_PER_S, &s, NULL);
		send_tcp(g, t + 9 * US_PER_S, &s, NULL);
	}
}

/* What actor @A adds to its host's interval @i. */
static void
lb_act_iv(struct gen *g, struct lb *lb, const struct lb_client *c, const struct lb_actor *A,
	  int i, uint64_t t0)
{
	uint64_t t1 = lb_t1(lb, t0), lam = 0, t;
	struct ans_spec s;
	int k;

	switch (A->act) {
	case A_BLASTER:
		if (lb->batch_t < t0)
			lb->batch_t = t0 + rng_below(&g->rng, 1800000);
		for (; lb->batch_t < t1; lb->batch_t += 1800 * US_PER_MS)
			for (k = 0; k < 20; k++)
				lb_probe(g, lb, lb->batch_t + (uint64_t)k * 2000, &c->a, lb->scan_next++,
					 true);
		return;
	case A_SCANFAST:
		for (t = t0 + lb_gap(g, 1000 * LB_Q); t < t1; t += lb_gap(g, 1000 * LB_Q))
			lb_probe(g, lb, t, &c->a, rng_below(&g->rng, 0x400000), false);
		return;
	case A_MAILER:
		for (t = t0 + lb_gap(g, 80 * LB_Q); t < t1; t += lb_gap(g, 80 * LB_Q))
			lb_smtp(g, lb, t, &c->a, 0);
		return;
	case A_FLAT:
		if (lb->beacon_t < t0)
			lb->beacon_t = t0 + rng_below(&g->rng, 250000);
		spec_init(&s, DNS_T_TXT);
		for (; lb->beacon_t < t1; lb->beacon_t += 250 * US_PER_MS)
			lb_exchange(g, lb, NULL, lb->beacon_t + rng_below(&g->rng, 2000), &c->a,
				    "upd.cdn-stat.example", &s, true);
		return;
	case A_RIPPLE:
		lam = ((i - A->first) / 3) % 2 ? 10 * LB_Q : 80 * LB_Q;
		break;
	case A_JUMP:
		lam = 100 * LB_Q;
		break;
	case A_JUMPBIG:
		lam = 600 * LB_Q;
		break;
	default:
		return;
	}
	/* A bot's cached addresses are not used again after it stops. */
	for (t = t0 + lb_gap(g, lam); t < t1; t += lb_gap(g, lam))
		lb_browse(g, lb, &c->a, t, BASE_US + (uint64_t)(A->first + A->len) * LB_IV_US);
}

/* The flood on a resolver: random labels under one zone, from spoofed
 * sources; 75 % NXDOMAIN, 15 % SERVFAIL, 10 % unanswered. */
static void
lb_flood_iv(struct gen *g, struct lb *lb, uint64_t t0)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t t1 = lb_t1(lb, t0), lam = lb->flood * LB_Q, t;

	lb_set_res(g, lb, 1);
	for (t = t0 + lb_gap(g, lam); t < t1; t += lb_gap(g, lam)) {
		struct ipaddr src = ip4(0xac100000u | rng_below(&g->rng, 0x100000));
		uint16_t id = (uint16_t)rng_u64(&g->rng);
		uint16_t sport = (uint16_t)(1024 + rng_below(&g->rng, 64512));
		unsigned int fate = rng_below(&g->rng, 100);
		char qname[64];
		struct dns q;
		uint64_t tq;
		int j;

		for (j = 0; j < 12; j++)
			qname[j] = alnum[rng_below(&g->rng, sizeof(alnum) - 1)];
		snprintf(qname + 12, sizeof(qname) - 12, ".victim.example");
		dns_query(&q, id, qname, DNS_T_A);
		tq = send_dns(g, NULL, t, &src, &g->res4, sport, 53, &q, 0);
		dns_free(&q);
		lb->q_cur[1]++;
		if (fate < 90) {
			struct ans_spec s;
			struct dns a;

			spec_init(&s, DNS_T_A);
			s.rcode = fate < 75 ? 3 : 2;
			s.soa = fate < 75;
			dns_answer(g, &a, id, qname, &s);
			send_dns(g, NULL, tq + rng_between(&g->rng, 1000, 30 * US_PER_MS), &g->res4, &src,
				 53, sport, &a, 0);
			dns_free(&a);
		}
	}
}

/* One interval of client @c: its own traffic, then its actor's, if on. */
static void
lb_client_iv(struct gen *g, struct lb *lb, const struct lb_client *c, int i, uint64_t t0)
{
	const struct lb_actor *A = c->act >= 0 ? &lb_actors[c->act] : NULL;
	bool on = A != NULL && i >= A->first && i < A->first + A->len;
	uint64_t t1 = lb_t1(lb, t0), f = lb_day(i + c->phase), lam, t;

	lb_set_res(g, lb, c->res);
	if (c->kind == LB_MAIL) {
		lb_mail_iv(g, lb, c, on ? (int)A->act : -1, t0, f);
		return;
	}
	lam = (c->base * f >> 16) * lb_gamma(g, c->kind == LB_NAT ? 16 : 4) >> 16;
	if (c->kind == LB_PERSON && rng_pct(&g->rng, 15))
		lam /= 20; /* away from the keyboard: background lookups only */
	for (t = t0 + lb_gap(g, lam); t < t1; t += lb_gap(g, lam))
		lb_browse(g, lb, &c->a, t, lb->end);
	if (c->mailuser) {
		lam = 4 * f / 10;
		for (t = t0 + lb_gap(g, lam); t < t1; t += lb_gap(g, lam))
			lb_lookup_conn(g, lb, t, &c->a, "pop.isp.example", 995);
		lam = f / 10;
		for (t = t0 + lb_gap(g, lam); t < t1; t += lb_gap(g, lam))
			lb_lookup_conn(g, lb, t, &c->a, "smtp.isp.example", 587);
	}
	if (on)
		lb_act_iv(g, lb, c, A, i, t0);
}

static void __attribute__((format(printf, 2, 3)))
lb_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		die("internal: label line too long");
	buf_put(b, tmp, (size_t)n);
}

/* The sidecar's "labels": the day's clock, the resolvers, every normal
 * client, and per actor its address, kind, expected and accepted
 * detectors, the interval it starts and the last one. */
static void
lb_labels(struct gen *g, const struct lb *lb, uint32_t counts[3])
{
	struct buf b = { 0 };
	char a[INET6_ADDRSTRLEN];
	uint32_t i, n = 0;
	size_t k;

	lb_printf(&b, "  \"labels\": {\n    \"start_s\": %llu, \"interval_s\": %llu, "
		  "\"intervals\": %d, \"day_minutes_per_interval\": %d,\n",
		  U(BASE_US / US_PER_S), U(LB_IV_US / US_PER_S), LB_DAY, 24 * 60 / LB_DAY);
	ip_text(&lb->res[0], a, sizeof(a));
	lb_printf(&b, "    \"resolvers\": [\"%s\", ", a);
	ip_text(&lb->res[1], a, sizeof(a));
	lb_printf(&b, "\"%s\"],\n    \"flood_sources\": \"172.16.0.0/12\",\n", a);
	lb_printf(&b, "    \"normal\": {\"people\": %u, \"nats\": %u, \"mail_servers\": %u},\n",
		  counts[0], counts[1], counts[2]);
	lb_printf(&b, "    \"normal_clients\": [");
	for (i = 0; i < lb->ncl; i++) {
		if (lb->cl[i].act >= 0)
			continue;
		ip_text(&lb->cl[i].a, a, sizeof(a));
		lb_printf(&b, "%s\"%s\"", n++ ? ", " : "", a);
	}
	for (k = 0; k < 2; k++) { /* the normal NATs and mail servers, apart */
		uint8_t kind = k ? LB_MAIL : LB_NAT;

		lb_printf(&b, "],\n    \"%s\": [", k ? "mail_servers" : "nats");
		for (i = 0, n = 0; i < lb->ncl; i++) {
			if (lb->cl[i].act >= 0 || lb->cl[i].kind != kind)
				continue;
			ip_text(&lb->cl[i].a, a, sizeof(a));
			lb_printf(&b, "%s\"%s\"", n++ ? ", " : "", a);
		}
	}
	lb_printf(&b, "],\n    \"actors\": [");
	for (k = 0; k < LB_NACT; k++) {
		const struct lb_actor *A = &lb_actors[k];

		if (A->host == LB_RESOLVER) {
			ip_text(&lb->res[1], a, sizeof(a));
		} else {
			for (i = 0; i < lb->ncl && lb->cl[i].act != (int)k; i++)
				;
			ip_text(&lb->cl[i].a, a, sizeof(a));
		}
		lb_printf(&b, "%s\n      {\"id\": \"%s\", \"kind\": \"%s\", \"address\": \"%s\", "
			  "\"resolver\": %s, \"expect\": [%s], \"accept\": [%s], \"warmup\": %s%s%s, "
			  "\"first_interval\": %d, \"last_interval\": %d,\n       \"what\": \"%s\"}",
			  k ? "," : "", A->id, A->kind, a, A->host == LB_RESOLVER ? "true" : "false",
			  A->expect, A->accept, A->warmup ? "\"" : "", A->warmup ? A->warmup : "null",
			  A->warmup ? "\"" : "", A->first, A->first + A->len - 1, A->what);
	}
	lb_printf(&b, "\n    ]\n  },\n");
	buf_u8(&b, 0);
	g->extra_json = (char *)b.d;
}

/* A day (LB_DAY intervals of LB_IV_US) of people, NATs and mail servers
 * behind two resolvers, with the actors of lb_actors injected. @target
 * sizes the population: about @target packets in all, at least the ~640k
 * of the actors, the mail servers, a NAT and 20 people (each more person
 * about 6.5k packets, each more NAT about 100k). */
static void
scen_labelled(struct gen *g, uint64_t target)
{
	struct lb lb = { 0 };
	uint64_t budget = target > 640000 ? target - 640000 : 0;
	uint32_t npeople = 20 + (uint32_t)(budget / 6500), nnat = 1 + (uint32_t)(budget / 1500000);
	uint32_t counts[3] = { npeople, nnat, LB_NMAIL };
	uint32_t nhost = 0, nmact = 0, i;
	size_t k;
	int iv;

	g->wide = true;
	lb.res[0] = ip4(0x0a350035u);            /* 10.53.0.53 */
	lb.res[1] = ip4(0x0a350135u);            /* 10.53.1.53 */
	lb.end = BASE_US + (uint64_t)LB_DAY * LB_IV_US;
	lb.stop = lb.end - 2 * US_PER_S;
	for (k = 0; k < LB_NACT; k++)
		nhost += lb_actors[k].host == LB_PERSON;
	for (k = 0; k < LB_NACT; k++)
		nmact += lb_actors[k].host == LB_MAIL;
	lb.ncl = npeople + nhost + nnat + LB_NMAIL + nmact;
	lb.cl = xcalloc(lb.ncl, sizeof(*lb.cl));
	/* People 10.20.x.y (actor hosts among them at random places), NATs
	 * 10.30.0.x, mail servers 10.25.0.x; resolver by parity. */
	for (i = 0; i < npeople + nhost; i++) {
		struct lb_client *c = &lb.cl[i];

		c->a = ip4(0x0a140000u + (i / 250) * 256 + 1 + i % 250);
		c->kind = LB_PERSON;
		c->res = i & 1;
		c->act = -1;
		c->phase = (int)rng_below(&g->rng, 25) - 12;
		c->base = lb_logu(g, LB_Q / 2, 435411); /* 0.5 .. 50 at the peak (2^6.64 = 100) */
		c->mailuser = rng_pct(&g->rng, 40);
	}
	for (k = 0; k < LB_NACT; k++) {
		uint32_t j;

		if (lb_actors[k].host != LB_PERSON)
			continue;
		do /* a person not yet taken */
			j = rng_below(&g->rng, npeople + nhost);
		while (lb.cl[j].act >= 0);
		lb.cl[j].act = (int)k;
		lb.cl[j].base = (uint64_t)lb_actors[k].base10 * LB_Q / 10;
	}
	for (i = 0; i < nnat; i++) {
		struct lb_client *c = &lb.cl[npeople + nhost + i];

		c->a = ip4(0x0a1e0000u + (i / 250) * 256 + 1 + i % 250);
		c->kind = LB_NAT;
		c->res = i & 1;
		c->act = -1;
		c->base = (100 + rng_below(&g->rng, 201)) * (uint64_t)LB_Q;
	}
	for (i = 0; i < LB_NMAIL + nmact; i++) {
		struct lb_client *c = &lb.cl[npeople + nhost + nnat + i];

		c->a = ip4(0x0a190001u + i);
		c->kind = LB_MAIL;
		c->res = i & 1;
		c->act = -1;
		c->ns = (10 + rng_below(&g->rng, 11)) * (uint64_t)LB_Q;
		c->np = (12 + rng_below(&g->rng, 13)) * (uint64_t)LB_Q;
	}
	for (k = 0, i = npeople + nhost + nnat + LB_NMAIL; k < LB_NACT; k++)
		if (lb_actors[k].host == LB_MAIL)
			lb.cl[i++].act = (int)k;
	for (iv = 0; iv < LB_DAY; iv++) {
		uint64_t t0 = BASE_US + (uint64_t)iv * LB_IV_US;

		for (i = 0; i < lb.ncl; i++)
			lb_client_iv(g, &lb, &lb.cl[i], iv, t0);
		for (k = 0; k < LB_NACT; k++) {
			const struct lb_actor *A = &lb_actors[k];

			if (A->act != A_DDOS || iv < A->first || iv >= A->first + A->len)
				continue;
			if (iv == A->first) /* 6x what the resolver had in the last interval */
				lb.flood = lb.q_prev[1] * 6 > 3000 ? lb.q_prev[1] * 6 : 3000;
			lb_flood_iv(g, &lb, t0);
		}
		lb.q_prev[0] = lb.q_cur[0];
		lb.q_prev[1] = lb.q_cur[1];
		lb.q_cur[0] = lb.q_cur[1] = 0;
		maybe_flush(g, t0 + LB_IV_US);
	}
	lb_labels(g, &lb, counts);
	free(lb.cl);
}

/* ------------------------------------------------------------------------ */
/* Command line                                                              */

struct scenario {
	const char *name;
	const char *help;
	int defcount;          /* random episodes per family */
	void (*build)(struct gen *g, int count);
	bool per_link;         /* one file per link type */
	uint64_t defpackets;   /* sized by --packets instead of --count */
	void (*build_p)(struct gen *g, uint64_t packets);
};

static const struct scenario scenarios[] = {
	{ "basic", "Ethernet, IPv4: lookups, CNAMEs, NXDOMAIN, AAAA-only, SYNs at 0..1.2 s, "
		   "boundaries, retransmissions, DNS over TCP, fragments, scans, noise",
	  60, scen_basic, false, 0, NULL },
	{ "v6", "the same over IPv6 (AAAA vs IPv6 SYNs) with extension headers, atomic "
		"fragments, fragmented answers, dual-stack cases", 40, scen_v6, false, 0, NULL },
	{ "linktypes", "a small basic+v6 in every link type, PREFIX-<lt>.pcap each", 6,
	  scen_linktypes, true, 0, NULL },
	{ "malformed", "valid traffic interleaved with truncated, invalid and tricky DNS/IP/TCP",
	  30, scen_malformed, false, 0, NULL },
	{ "tcp", "DNS over TCP: a 65535-byte answer in 1-byte segments, several messages per "
		 "segment, split prefixes, retransmissions, overlaps, a gap, mid-connection "
		 "starts, FIN and port reuse", 10, scen_tcp, false, 0, NULL },
	{ "frag", "IPv4/IPv6 fragmented answers under rte_ip_frag's rules: 2-8 fragments in any "
		  "order, 9, duplicates, overlaps, a missing fragment, an ext. header before the "
		  "fragment header, interleaved same-ID datagrams", 10, scen_frag, false, 0, NULL },
	{ "mix", "benchmark: a tap mix of 4096 clients, 2 resolvers, lookups, connections, "
		 "Blaster scans (45 % of SYNs), TCP and UDP filler (DNS+SYN+SYN-ACK ~9 %)",
	  0, NULL, false, 20000, scen_mix },
	{ "dnsflood", "benchmark: DNS answers only, 1-4 fresh A RRs each, 4 resolvers to 65536 "
		      "clients", 0, NULL, false, 5000, scen_dnsflood },
	{ "synflood", "benchmark: SYNs only, spoofed sources, every destination new",
	  0, NULL, false, 5000, scen_synflood },
	{ "min64", "benchmark: the mix's packet types in 60-byte frames (IPv4, no RR fits)",
	  0, NULL, false, 20000, scen_min64 },
	{ "randsub", "adversarial: random-subdomain attack, unique random labels under 4 victim "
		     "zones from clients of a /10, NXDOMAIN/SERVFAIL/no answer", 0, NULL, false, 5000,
	  scen_randsub },
	{ "parsework", "adversarial: answers of 512/4096 bytes (3 fragments) built for parser work: "
		       "255-byte names, 16-hop CNAME chains, pointer ladders, all A/AAAA that fit",
	  0, NULL, false, 5000, scen_parsework },
	{ "tcphalfopen", "adversarial: DNS-over-TCP streams that never complete: SYNs, partial "
			 "length-prefixed messages, every stream a new spoofed 5-tuple",
	  0, NULL, false, 5000, scen_tcphalfopen },
	{ "labelled", "evaluation: a day (288 intervals of 10 s) of people, NATs and mail servers "
		      "behind 2 resolvers, with labelled scanners, a mass-mailing worm, trojans, "
		      "hijacked hosts, mail servers off their model and a resolver flood",
	  0, NULL, false, 300000, scen_labelled },
};

#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static char *
path_join(const char *prefix, const char *sep, const char *mid, const char *ext)
{
	size_t n = strlen(prefix) + strlen(sep) + strlen(mid) + strlen(ext) + 1;
	char *p = xrealloc(NULL, n);

	snprintf(p, n, "%s%s%s%s", prefix, sep, mid, ext);
	return p;
}

static void
run_scenario(const struct scenario *sc, uint64_t seed, int count, uint64_t packets,
	     const char *prefix)
{
	struct gen *g = gen_new(seed);
	size_t i;

	if (!sc->per_link) {
		/* Streamed: the --packets scenarios flush as they go, the others
		 * write everything at the end. */
		char *pc = path_join(prefix, "", "", ".pcap");
		char *js = path_join(prefix, "", "", ".json");
		pcap_t *p;

		g->lv = &link_eth;
		g->dump = dump_open(&link_eth, pc, &p);
		if (sc->build_p)
			sc->build_p(g, packets ? packets : sc->defpackets);
		else
			sc->build(g, count > 0 ? count : sc->defcount);
		gen_flush(g, UINT64_MAX);
		dump_close(g->dump, p, pc);
		write_json(g, sc->name, seed, F_ALL, sc->build_p != NULL, js);
		printf("%s\n", pc);
		free(pc);
		free(js);
	} else {
		sc->build(g, count > 0 ? count : sc->defcount);
		qsort(g->ev.v, g->ev.n, sizeof(g->ev.v[0]), event_cmp);
		for (i = 1; i < g->ev.n; i++)
			if (g->ev.v[i].t == g->ev.v[i - 1].t)
				die("internal: two packets share a timestamp");
		for (i = 0; i < sizeof(linkvars) / sizeof(linkvars[0]); i++) {
			const struct linkvar *lv = &linkvars[i];
			char *pc = path_join(prefix, "-", lv->name, ".pcap");
			char *js = path_join(prefix, "-", lv->name, ".json");

			write_pcap(g, lv, pc);
			write_json(g, sc->name, seed, lv->fams, false, js);
			printf("%s\n", pc);
			free(pc);
			free(js);
		}
	}
	gen_free(g);
	buf_pool_drain();
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: " GEN_NAME " --scenario NAME [--seed N] --out PREFIX [--count K | "
		   "--packets N]\n"
		   "       " GEN_NAME " --scenario all --out DIR/ [--seed N] [--count K] "
		   "[--packets N]\n"
		   "       " GEN_NAME " --list\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "out", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'c' },
		{ "packets", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *out = NULL;
	uint64_t seed = DEFAULT_SEED, packets = 0;
	int count = 0, c;
	size_t i;
	char *end;

	opterr = 0; /* report bad options ourselves, on one line */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			name = optarg;
			break;
		case 'S':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *optarg == '\0' || *end != '\0' || *optarg == '-')
				die("bad --seed '%s'", optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'c': {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *optarg == '\0' || *end != '\0' || v < 1 || v > 100000)
				die("bad --count '%s' (1..100000)", optarg);
			count = (int)v;
			break;
		}
		case 'p':
			errno = 0;
			packets = strtoull(optarg, &end, 10);
			if (errno || *optarg == '\0' || *end != '\0' || *optarg == '-' || packets < 1 ||
			    packets > 200000000)
				die("bad --packets '%s' (1..200000000)", optarg);
			break;
		case 'l':
			for (i = 0; i < N_SCENARIOS; i++)
				printf("%-11s %s\n", scenarios[i].name, scenarios[i].help);
			printf("%-11s every scenario into DIR/<name>.pcap\n", "all");
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			die("option '%s' needs a value (see --help)", argv[optind - 1]);
		default:
			die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind != argc)
		die("unexpected argument '%s'", argv[optind]);
	if (name == NULL || out == NULL || *out == '\0')
		die("--scenario and --out are required (see --help)");
	if (strcmp(name, "all") == 0) {
		size_t n = strlen(out);
		const char *sep = out[n - 1] == '/' ? "" : "/";

		if (mkdir(out, 0777) != 0 && errno != EEXIST)
			die("cannot create %s: %s", out, strerror(errno));
		for (i = 0; i < N_SCENARIOS; i++) {
			char *prefix = path_join(out, sep, scenarios[i].name, "");

			run_scenario(&scenarios[i], seed, count, packets, prefix);
			free(prefix);
		}
		return 0;
	}
	for (i = 0; i < N_SCENARIOS; i++) {
		if (strcmp(name, scenarios[i].name) == 0) {
			/* Each scenario is sized by one of the two; `all` applies each
			 * where it belongs. */
			if (scenarios[i].build_p && count)
				die("--count does not apply to %s: use --packets", name);
			if (!scenarios[i].build_p && packets)
				die("--packets applies to the benchmark and adversarial scenarios "
				    "only (see --list)");
			run_scenario(&scenarios[i], seed, count, packets, out);
			return 0;
		}
	}
	die("unknown scenario '%s' (see --list)", name);
}
