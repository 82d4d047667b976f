/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane, pure: what dnsyn's outputs say about the people behind the
 * addresses. Correlation and detection always run on the real addresses in
 * memory; these functions transform client addresses and question names only
 * on their way out (JSON lines, IPFIX, reports, alerts, telemetry). */
#ifndef DNSYN_PRIVACY_H
#define DNSYN_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "dnsyn_interval.h"

/** What an output shows of a client address. */
enum dnsyn_priv_addr {
	DNSYN_PRIV_ADDR_KEEP,     /**< as seen (default) */
	DNSYN_PRIV_ADDR_TRUNCATE, /**< the first v4_prefix / v6_prefix bits, the rest 0 */
	DNSYN_PRIV_ADDR_PSEUDO,   /**< keyed and prefix-preserving (like Crypto-PAn) */
};

/** What an output shows of a question name. */
enum dnsyn_priv_name {
	DNSYN_PRIV_NAME_KEEP,
	DNSYN_PRIV_NAME_HASH, /**< "h-" and 16 hex digits of a keyed hash of the lower-cased name */
	DNSYN_PRIV_NAME_DROP, /**< empty */
};

/** Bytes of a key file: 16 raw bytes or 32 hex digits (and a newline). */
#define DNSYN_PRIV_KEY_LEN 16
/** Length of a hashed name ("h-" + 16 hex digits). */
#define DNSYN_PRIV_NAME_HASH_LEN 18

struct dnsyn_privacy {
	uint8_t addr_mode;  /**< enum dnsyn_priv_addr */
	uint8_t name_mode;  /**< enum dnsyn_priv_name */
	uint8_t v4_prefix;  /**< TRUNCATE: bits kept of an IPv4 address, 0..32 */
	uint8_t v6_prefix;  /**< TRUNCATE: bits kept of an IPv6 address, 0..128 */
	int has_key;
	uint64_t k0, k1;    /**< the SipHash key; never printed */
};

/** Nothing transformed: every output shows what was seen. */
static inline int
dnsyn_privacy_active(const struct dnsyn_privacy *p)
{
	return p != NULL && (p->addr_mode != DNSYN_PRIV_ADDR_KEEP ||
			     p->name_mode != DNSYN_PRIV_NAME_KEEP);
}

/** SipHash-2-4 (Aumasson and Bernstein) of @p len bytes under key (k0, k1). */
uint64_t dnsyn_siphash24(uint64_t k0, uint64_t k1, const void *data, size_t len);

/**
 * Load the key from @p path: a regular file that only its owner can read or
 * write, holding 16 bytes or 32 hex digits. 0, or -errno with @p err filled
 * (the message never shows the key's bytes).
 */
int dnsyn_privacy_load_key(struct dnsyn_privacy *p, const char *path, char *err, size_t errlen);

/** Set the key directly (tests). */
void dnsyn_privacy_set_key(struct dnsyn_privacy *p, const uint8_t key[DNSYN_PRIV_KEY_LEN]);

/** The address an output shows for client @p in (16 bytes, v4-mapped stays v4-mapped). */
void dnsyn_privacy_addr(const struct dnsyn_privacy *p, const uint8_t in[16], uint8_t out[16]);

/**
 * Transform the question name in @p name (@p len bytes, buffer of @p cap) in
 * place. Returns its new length.
 */
size_t dnsyn_privacy_name(const struct dnsyn_privacy *p, char *name, size_t len, size_t cap);

/**
 * Make @p dst (initialised, same length) the output view of interval @p src:
 * client addresses and names transformed, records whose clients now coincide
 * (truncation) merged. Resolver and server addresses are left as they are.
 */
void dnsyn_privacy_interval(const struct dnsyn_privacy *p, struct dnsyn_interval *dst,
			    const struct dnsyn_interval *src);

#endif
