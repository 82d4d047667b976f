/* SPDX-License-Identifier: BSD-3-Clause */
/* The distinct-SYN set: which SYNs (by a 128-bit digest of their identity)
 * were seen in this span or the last one, so that a retransmission is not
 * counted as a new SYN. Two halves, the current span's and the last one's;
 * moving on to the next span forgets the older half at once.
 *
 * Built for a SYN flood, where every SYN is a new key and each one costs the
 * correlation lcore a lookup in both halves and an insert: a digest takes 16
 * bytes (no separate key, tag or value), four share a 64-byte bucket, and a
 * key's bucket in one half sits next to its bucket in the other (one 128-byte
 * pair), so a SYN reads two adjacent lines, found with one prefetch each.
 * Buckets are at most half full; a full bucket sends its keys on to the next
 * one. Clearing a half is moving its epoch on (kept in a slot's low 16 bits),
 * not a wipe. Fixed size, allocated once. Pure: no DPDK. */
#ifndef DNSYN_SYNSET_H
#define DNSYN_SYNSET_H

#include <stddef.h>
#include <stdint.h>

struct dnsyn_synset {
	uint8_t *mem;       /* n_buckets pairs of 2 x 64 bytes */
	size_t len;
	uint64_t mask;      /* n_buckets - 1 */
	uint32_t max;       /* keys a half takes before it counts as full */
	uint32_t count[2];  /* keys in each half */
	uint16_t epoch[2];  /* a slot of half h is live when its low 16 bits are epoch[h] */
	unsigned int cur;   /* the current span's half */
};

/** A set of two halves of @p max keys each (>= 1). 0, or -ENOMEM. */
int dnsyn_synset_init(struct dnsyn_synset *s, uint32_t max);

void dnsyn_synset_free(struct dnsyn_synset *s);

/** Bytes dnsyn_synset_init() allocates for @p max. */
size_t dnsyn_synset_memsize(uint32_t max);

/** Bring in the key's buckets of both halves (a SYN met a few events on). */
static inline void
dnsyn_synset_prefetch(const struct dnsyn_synset *s, uint64_t d0)
{
	const uint8_t *b = s->mem + ((d0 >> 16) & s->mask) * 128;

	__builtin_prefetch(b);
	__builtin_prefetch(b + 64);
}

/**
 * Whether key (@p d0, @p d1) is in either half; if in neither, it is added to
 * the current half. Returns 1 when it was new, 0 when seen. When the current
 * half is full, the older half is forgotten first and the halves swap (the
 * caller counts that as an early rotation: *rotated set to 1).
 */
int dnsyn_synset_add(struct dnsyn_synset *s, uint64_t d0, uint64_t d1, int *rotated);

/** The span ended: the current half becomes the older one, the older one is emptied. */
void dnsyn_synset_rotate(struct dnsyn_synset *s);

/** Forget every key. */
void dnsyn_synset_clear(struct dnsyn_synset *s);

#endif
