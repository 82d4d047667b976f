/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsyn_compiler.h"
#include "dnsyn_event.h"
#include "dnsyn_privacy.h"

/* Domain separation: the address bits and the names never hash the same input. */
#define DOM_ADDR 0x01
#define DOM_NAME 0x02

static inline uint64_t
rotl(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                              \
	do {                                                                                  \
		v0 += v1;                                                                     \
		v1 = rotl(v1, 13);                                                            \
		v1 ^= v0;                                                                     \
		v0 = rotl(v0, 32);                                                            \
		v2 += v3;                                                                     \
		v3 = rotl(v3, 16);                                                            \
		v3 ^= v2;                                                                     \
		v0 += v3;                                                                     \
		v3 = rotl(v3, 21);                                                            \
		v3 ^= v0;                                                                     \
		v2 += v1;                                                                     \
		v1 = rotl(v1, 17);                                                            \
		v1 ^= v2;                                                                     \
		v2 = rotl(v2, 32);                                                            \
	} while (0)

static inline uint64_t
rd64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t
dnsyn_siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = rd64le(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void
dnsyn_privacy_set_key(struct dnsyn_privacy *p, const uint8_t key[DNSYN_PRIV_KEY_LEN])
{
	p->k0 = rd64le(key);
	p->k1 = rd64le(key + 8);
	p->has_key = 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
dnsyn_privacy_load_key(struct dnsyn_privacy *p, const char *path, char *err, size_t errlen)
{
	uint8_t buf[80], key[DNSYN_PRIV_KEY_LEN];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd, i;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "key file %s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* A key others can read is no longer a secret: refuse, like ssh does. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "key file %s: mode %04o lets group or others in; chmod 600 it",
			 path, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -EIO;
	}
	len = (size_t)n;
	if (len == DNSYN_PRIV_KEY_LEN) {
		memcpy(key, buf, DNSYN_PRIV_KEY_LEN);
	} else {
		/* 32 hex digits, as `openssl rand -hex 16` writes them. */
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len != 2 * DNSYN_PRIV_KEY_LEN)
			goto bad;
		for (i = 0; i < DNSYN_PRIV_KEY_LEN; i++) {
			int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			key[i] = (uint8_t)(hi << 4 | lo);
		}
	}
	dnsyn_privacy_set_key(p, key);
	memset(key, 0, sizeof(key));
	memset(buf, 0, sizeof(buf));
	return 0;
bad:
	memset(buf, 0, sizeof(buf));
	snprintf(err, errlen,
		 "key file %s: expected 16 bytes or 32 hex digits (head -c 16 /dev/urandom > FILE)",
		 path);
	return -EINVAL;
}

/* Bit @p i (0 = most significant) of a big-endian bit string. */
static inline unsigned int
bit_at(const uint8_t *a, unsigned int i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

/*
 * Prefix-preserving pseudonym of the @p nbits-bit address @p a (Xu, Fan,
 * Ammar and Moon's construction, as in Crypto-PAn, with SipHash as the
 * pseudo-random function instead of AES): output bit i is input bit i xor a
 * keyed function of input bits 0..i-1. Two addresses sharing exactly a k-bit
 * prefix thus map to two sharing exactly a k-bit prefix, and the map is a
 * bijection, so distinct clients stay distinct.
 */
static void
pseudo_bits(const struct dnsyn_privacy *p, const uint8_t *a, unsigned int nbits, uint8_t *out)
{
	uint8_t msg[3 + 16];
	unsigned int i, nbytes = nbits / 8;

	msg[0] = DOM_ADDR;
	msg[1] = (uint8_t)nbytes; /* IPv4 and IPv6 prefixes never share an input */
	memset(msg + 3, 0, nbytes);
	memcpy(out, a, nbytes);
	for (i = 0; i < nbits; i++) {
		msg[2] = (uint8_t)i;
		/* msg + 3 holds input bits 0..i-1, the rest zero */
		if (dnsyn_siphash24(p->k0, p->k1, msg, 3 + nbytes) & 1)
			out[i >> 3] ^= (uint8_t)(0x80 >> (i & 7));
		if (bit_at(a, i))
			msg[3 + (i >> 3)] |= (uint8_t)(0x80 >> (i & 7));
	}
}

static void
truncate_bits(uint8_t *a, unsigned int nbytes, unsigned int keep)
{
	for (unsigned int i = 0; i < nbytes; i++) {
		if (keep >= 8 * (i + 1))
			continue;
		if (keep <= 8 * i)
			a[i] = 0;
		else
			a[i] &= (uint8_t)(0xff00 >> (keep - 8 * i));
	}
}

void
dnsyn_privacy_addr(const struct dnsyn_privacy *p, const uint8_t in[16], uint8_t out[16])
{
	int v4 = dnsyn_addr_is_v4mapped(in);
	unsigned int off = v4 ? 12 : 0, nbytes = v4 ? 4 : 16;

	memcpy(out, in, 16);
	if (p == NULL)
		return;
	switch (p->addr_mode) {
	case DNSYN_PRIV_ADDR_TRUNCATE:
		truncate_bits(out + off, nbytes, v4 ? p->v4_prefix : p->v6_prefix);
		break;
	case DNSYN_PRIV_ADDR_PSEUDO:
		pseudo_bits(p, in + off, 8 * nbytes, out + off);
		break;
	default:
		break;
	}
}

size_t
dnsyn_privacy_name(const struct dnsyn_privacy *p, char *name, size_t len, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t msg[1 + 256];
	uint64_t h;
	size_t i;

	if (p == NULL || p->name_mode == DNSYN_PRIV_NAME_KEEP)
		return len;
	if (p->name_mode == DNSYN_PRIV_NAME_DROP || cap < DNSYN_PRIV_NAME_HASH_LEN)
		return 0;
	/* Lower-cased: resolvers that randomise the case (0x20 encoding) must
	 * not turn one name into many hashes. */
	len = DNSYN_MIN(len, sizeof(msg) - 1);
	msg[0] = DOM_NAME;
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)name[i];

		msg[1 + i] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
	}
	h = dnsyn_siphash24(p->k0, p->k1, msg, 1 + len);
	name[0] = 'h';
	name[1] = '-';
	for (i = 0; i < 16; i++)
		name[2 + i] = hex[(h >> (60 - 4 * i)) & 15];
	return DNSYN_PRIV_NAME_HASH_LEN;
}

static void
xf_client(const void *ud, const uint8_t in[16], uint8_t out[16])
{
	dnsyn_privacy_addr(ud, in, out);
}

static size_t
xf_name(const void *ud, char *name, size_t len, size_t cap)
{
	return dnsyn_privacy_name(ud, name, len, cap);
}

void
dnsyn_privacy_interval(const struct dnsyn_privacy *p, struct dnsyn_interval *dst,
		       const struct dnsyn_interval *src)
{
	const struct dnsyn_iv_xform xf = {
		.client = p->addr_mode != DNSYN_PRIV_ADDR_KEEP ? xf_client : NULL,
		.name = p->name_mode != DNSYN_PRIV_NAME_KEEP ? xf_name : NULL,
		.ud = p,
	};

	dnsyn_interval_reset(dst, src->start_s);
	dnsyn_interval_add_xform(dst, src, &xf);
}
