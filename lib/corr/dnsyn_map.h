/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation side: a growable open-addressed map from a fixed-size key to a
 * 64-bit counter. Used for report aggregates whose key space is small compared
 * to the traffic (distinct SYNs, per-client query buckets). Not for the fast
 * path of RX lcores: it allocates when it grows. */
#ifndef DNSYN_MAP_H
#define DNSYN_MAP_H

#include <stddef.h>
#include <stdint.h>

#define DNSYN_MAP_KEY_MAX 48

struct dnsyn_map {
	uint8_t *slots;     /* each slot: 8-byte value, 8-byte hash|1, key */
	size_t slot_size;
	size_t key_size;
	size_t cap;         /* power of two */
	size_t count;
	size_t max_count;   /* 0 = unbounded; else inserts beyond fail */
	uint64_t refused;   /* inserts refused at max_count */
	uint16_t epoch;     /* a slot is in the map when its tag's low 16 bits are this */
};

#define DNSYN_MAP_EPOCH_MASK 0xffffULL

/** 0 or -ENOMEM / -EINVAL. @p max_count 0 means grow without bound. */
int dnsyn_map_init(struct dnsyn_map *m, size_t key_size, size_t initial, size_t max_count);
void dnsyn_map_free(struct dnsyn_map *m);

/** Remove every key, keep the memory (and max_count); refused is reset too.
 *  O(1): the epoch moves on (a real wipe once every 65535 clears). */
void dnsyn_map_clear(struct dnsyn_map *m);

/**
 * Find @p key, inserting it with value 0 when absent.
 * @param ret_new set to 1 when the key was inserted (may be NULL)
 * @return the value slot, or NULL when the map is full (max_count) or out of memory
 */
uint64_t *dnsyn_map_upsert(struct dnsyn_map *m, const void *key, int *ret_new);

/** The value slot of @p key, or NULL. */
uint64_t *dnsyn_map_find(const struct dnsyn_map *m, const void *key);

/**
 * The key's tag: its hash, as the _tag variants take it. A caller that looks
 * one key up in several maps of the same key size hashes once.
 */
uint64_t dnsyn_map_tag(const struct dnsyn_map *m, const void *key);
uint64_t *dnsyn_map_upsert_tag(struct dnsyn_map *m, const void *key, uint64_t tag, int *ret_new);
uint64_t *dnsyn_map_find_tag(const struct dnsyn_map *m, const void *key, uint64_t tag);

/** Iterate: @p it starts at 0; returns 0 at the end. */
int dnsyn_map_next(const struct dnsyn_map *m, size_t *it, const void **ret_key,
		   uint64_t *ret_val);

/**
 * @p len zeroed bytes for a big table probed at random: their pages already
 * in (no copy-on-write fault of the zero page on a table's first writes,
 * whose TLB flush interrupts the RX lcores), huge where the kernel allows.
 * Free with dnsyn_big_free() and the same @p len.
 */
void *dnsyn_big_zalloc(size_t len);
void dnsyn_big_free(void *p, size_t len);

/** 64-bit hash of a byte string (also used for shard routing). */
uint64_t dnsyn_hash_bytes(const void *p, size_t len, uint64_t seed);

#endif
