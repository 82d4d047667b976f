/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dnsyn_compiler.h"
#include "dnsyn_map.h"

static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t
dnsyn_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, b, 8);
		h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
		b += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, b, len);
		h = mix64(h ^ w);
	}
	return mix64(h);
}

#define SLOT_VAL(m, i) ((uint64_t *)(void *)((m)->slots + (i) * (m)->slot_size))
#define SLOT_TAG(m, i) ((uint64_t *)(void *)((m)->slots + (i) * (m)->slot_size + 8))
#define SLOT_KEY(m, i) ((m)->slots + (i) * (m)->slot_size + 16)

/* A slot's tag: the key's hash above 16 bits (which also place it), the map's
 * epoch below. A slot of another epoch (or 0, never used) is empty: clearing
 * the map is moving the epoch on. The SYN set of a long replay is cleared
 * every 120 s of packet time, and wiping its 64 MB each time (a day's trace:
 * 720 times) cost more than the replay. */
#define HOME(m, tag) (((tag) >> 16) & ((m)->cap - 1))
#define STORED(m, tag) (((tag) & ~DNSYN_MAP_EPOCH_MASK) | (m)->epoch)
#define LIVE(m, t) (((t) & DNSYN_MAP_EPOCH_MASK) == (m)->epoch)

/* Zeroed slots with their pages already in, huge where the kernel allows.
 * calloc's fresh pages are the shared zero page until first written: a probe
 * reads one, the insert then takes a copy-on-write fault whose TLB flush
 * interrupts every CPU running this process (the RX lcores), once per page:
 * a SYN flood spent a quarter of its time there. (malloc + memset does not
 * help: the compiler makes it calloc.) Huge pages: a big table is probed at
 * random, and with 4 KiB pages nearly every probe also missed the TLB. */
#define SLOTS_MMAP_MIN (128u << 10) /* glibc's own mmap threshold */

void *
dnsyn_big_zalloc(size_t len)
{
	volatile uint8_t *v;
	size_t o;
	void *s;

	if (len < SLOTS_MMAP_MIN)
		return calloc(1, len);
	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(s, len, MADV_HUGEPAGE); /* advice: fine to be refused */
#endif
	for (v = s, o = 0; o < len; o += 4096)
		v[o] = 0; /* a write fault per page (or per huge page) now */
	return s;
}

void
dnsyn_big_free(void *s, size_t len)
{
	if (len < SLOTS_MMAP_MIN)
		free(s);
	else if (s != NULL)
		munmap(s, len);
}

static uint8_t *
slots_alloc(size_t cap, size_t slot_size)
{
	return dnsyn_big_zalloc(cap * slot_size);
}

static void
slots_free(uint8_t *s, size_t cap, size_t slot_size)
{
	dnsyn_big_free(s, cap * slot_size);
}

int
dnsyn_map_init(struct dnsyn_map *m, size_t key_size, size_t initial, size_t max_count)
{
	size_t cap = 16;

	if (key_size == 0 || key_size > DNSYN_MAP_KEY_MAX)
		return -EINVAL;
	while (cap < initial * 2)
		cap <<= 1;
	memset(m, 0, sizeof(*m));
	m->key_size = key_size;
	m->slot_size = (16 + key_size + 7) & ~(size_t)7;
	m->cap = cap;
	m->max_count = max_count;
	m->epoch = 1;
	m->slots = slots_alloc(cap, m->slot_size);
	return m->slots ? 0 : -ENOMEM;
}

void
dnsyn_map_free(struct dnsyn_map *m)
{
	slots_free(m->slots, m->cap, m->slot_size);
	m->slots = NULL;
	m->cap = m->count = 0;
}

void
dnsyn_map_clear(struct dnsyn_map *m)
{
	if (m->count && ++m->epoch == 0) { /* 65535 clears: wipe the old tags */
		memset(m->slots, 0, m->cap * m->slot_size);
		m->epoch = 1;
	}
	m->count = 0;
	m->refused = 0;
}

static size_t
probe(const struct dnsyn_map *m, const void *key, uint64_t tag)
{
	size_t i = HOME(m, tag);

	tag = STORED(m, tag);
	for (;;) {
		uint64_t t = *SLOT_TAG(m, i);

		if (!LIVE(m, t) || (t == tag && memcmp(SLOT_KEY(m, i), key, m->key_size) == 0))
			return i;
		i = (i + 1) & (m->cap - 1);
	}
}

static int
grow(struct dnsyn_map *m)
{
	struct dnsyn_map n = *m;
	size_t i;

	n.cap = m->cap * 2;
	n.slots = slots_alloc(n.cap, n.slot_size);
	if (n.slots == NULL)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		uint64_t tag = *SLOT_TAG(m, i);
		size_t j;

		if (!LIVE(m, tag))
			continue;
		j = probe(&n, SLOT_KEY(m, i), tag);
		memcpy(n.slots + j * n.slot_size, m->slots + i * m->slot_size, m->slot_size);
	}
	slots_free(m->slots, m->cap, m->slot_size);
	m->slots = n.slots;
	m->cap = n.cap;
	return 0;
}

uint64_t
dnsyn_map_tag(const struct dnsyn_map *m, const void *key)
{
	return dnsyn_hash_bytes(key, m->key_size, 0);
}

uint64_t *
dnsyn_map_upsert(struct dnsyn_map *m, const void *key, int *ret_new)
{
	return dnsyn_map_upsert_tag(m, key, dnsyn_map_tag(m, key), ret_new);
}

uint64_t *
dnsyn_map_upsert_tag(struct dnsyn_map *m, const void *key, uint64_t tag, int *ret_new)
{
	size_t i = probe(m, key, tag);

	tag = STORED(m, tag);
	if (ret_new)
		*ret_new = 0;
	if (*SLOT_TAG(m, i) == tag)
		return SLOT_VAL(m, i);
	if (m->max_count && m->count >= m->max_count) {
		m->refused++;
		return NULL;
	}
	if ((m->count + 1) * 4 > m->cap * 3) { /* keep load <= 3/4 */
		if (grow(m) < 0)
			return NULL;
		i = probe(m, key, tag);
	}
	*SLOT_TAG(m, i) = tag;
	*SLOT_VAL(m, i) = 0;
	memcpy(SLOT_KEY(m, i), key, m->key_size);
	m->count++;
	if (ret_new)
		*ret_new = 1;
	return SLOT_VAL(m, i);
}

uint64_t *
dnsyn_map_find(const struct dnsyn_map *m, const void *key)
{
	return dnsyn_map_find_tag(m, key, dnsyn_map_tag(m, key));
}

uint64_t *
dnsyn_map_find_tag(const struct dnsyn_map *m, const void *key, uint64_t tag)
{
	size_t i = probe(m, key, tag);

	return *SLOT_TAG(m, i) == STORED(m, tag) ? SLOT_VAL(m, i) : NULL;
}

int
dnsyn_map_next(const struct dnsyn_map *m, size_t *it, const void **ret_key, uint64_t *ret_val)
{
	while (*it < m->cap) {
		size_t i = (*it)++;

		if (LIVE(m, *SLOT_TAG(m, i))) {
			*ret_key = SLOT_KEY(m, i);
			*ret_val = *SLOT_VAL(m, i);
			return 1;
		}
	}
	return 0;
}
