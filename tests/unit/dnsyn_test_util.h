/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by the unit tests: a deterministic PRNG and address
 * builders. Header-only. */
#ifndef DNSYN_TEST_UTIL_H
#define DNSYN_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

/* xorshift64, upper bits: deterministic so a failure reproduces. */
static inline uint32_t
tp_xorshift(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return (uint32_t)(*st >> 16);
}

/* IPv4 a.b.c.d (host order) as dnsyn's v4-mapped 16-byte form. */
static inline void
tp_v4m(uint8_t out[16], uint32_t a)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	out[12] = (uint8_t)(a >> 24);
	out[13] = (uint8_t)(a >> 16);
	out[14] = (uint8_t)(a >> 8);
	out[15] = (uint8_t)a;
}

/* 2001:db8::<lo> */
static inline void
tp_v6a(uint8_t out[16], uint16_t lo)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[14] = (uint8_t)(lo >> 8);
	out[15] = (uint8_t)lo;
}

#endif
