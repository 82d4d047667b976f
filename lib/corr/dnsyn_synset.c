/* SPDX-License-Identifier: BSD-3-Clause */
/* The distinct-SYN set; see dnsyn_synset.h.
 *
 * A slot is {t, d1}: t is the digest's d0 with its low 16 bits replaced by the
 * half's epoch (a slot of another epoch, or 0, is free), bits 16 and up pick
 * the bucket. Slots are never removed one by one, so in each bucket the live
 * slots come first: a lookup stops at the first free slot, and goes on to the
 * next bucket only past four live ones. */
#include <errno.h>
#include <string.h>

#include "dnsyn_map.h"
#include "dnsyn_synset.h"

#define BUCKET_SLOTS 4
#define EPOCH_MASK 0xffffULL

struct slot {
	uint64_t t, d1;
};
_Static_assert(sizeof(struct slot) * BUCKET_SLOTS == 64, "a bucket is one cache line");

static uint64_t
buckets_for(uint32_t max)
{
	uint64_t n = 1;

	while (n * BUCKET_SLOTS < 2 * (uint64_t)max) /* at most half full */
		n <<= 1;
	return n;
}

size_t
dnsyn_synset_memsize(uint32_t max)
{
	return (size_t)buckets_for(max ? max : 1) * 128;
}

int
dnsyn_synset_init(struct dnsyn_synset *s, uint32_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max ? max : 1;
	s->mask = buckets_for(s->max) - 1;
	s->len = dnsyn_synset_memsize(s->max);
	s->epoch[0] = s->epoch[1] = 1;
	s->mem = dnsyn_big_zalloc(s->len);
	return s->mem ? 0 : -ENOMEM;
}

void
dnsyn_synset_free(struct dnsyn_synset *s)
{
	dnsyn_big_free(s->mem, s->len);
	s->mem = NULL;
}

static inline struct slot *
bucket(const struct dnsyn_synset *s, uint64_t i, unsigned int h)
{
	return (struct slot *)(void *)(s->mem + i * 128 + h * 64);
}

/* Whether half @p h holds the key; if not, *@p free is the slot an insert
 * takes (the half is never full: count <= max <= half its slots). */
static int
find(const struct dnsyn_synset *s, unsigned int h, uint64_t d0, uint64_t d1, struct slot **free)
{
	const uint64_t t = (d0 & ~EPOCH_MASK) | s->epoch[h];
	uint64_t i = (d0 >> 16) & s->mask;
	unsigned int j;

	for (;;) {
		struct slot *b = bucket(s, i, h);

		for (j = 0; j < BUCKET_SLOTS; j++) {
			if ((b[j].t & EPOCH_MASK) != s->epoch[h]) {
				*free = &b[j];
				return 0;
			}
			if (b[j].t == t && b[j].d1 == d1)
				return 1;
		}
		i = (i + 1) & s->mask;
	}
}

static void
half_clear(struct dnsyn_synset *s, unsigned int h)
{
	if (s->count[h] && ++s->epoch[h] == 0) { /* 65535 clears: wipe the old slots */
		uint64_t i;

		for (i = 0; i <= s->mask; i++)
			memset(bucket(s, i, h), 0, 64);
		s->epoch[h] = 1;
	}
	s->count[h] = 0;
}

void
dnsyn_synset_rotate(struct dnsyn_synset *s)
{
	s->cur ^= 1;
	half_clear(s, s->cur);
}

void
dnsyn_synset_clear(struct dnsyn_synset *s)
{
	half_clear(s, 0);
	half_clear(s, 1);
}

int
dnsyn_synset_add(struct dnsyn_synset *s, uint64_t d0, uint64_t d1, int *rotated)
{
	struct slot *f;

	*rotated = 0;
	if (find(s, s->cur ^ 1, d0, d1, &f) || find(s, s->cur, d0, d1, &f))
		return 0;
	if (s->count[s->cur] >= s->max) { /* full before its span ended */
		dnsyn_synset_rotate(s);
		*rotated = 1;
		find(s, s->cur, d0, d1, &f);
	}
	f->t = (d0 & ~EPOCH_MASK) | s->epoch[s->cur];
	f->d1 = d1;
	s->count[s->cur]++;
	return 1;
}
