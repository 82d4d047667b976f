/* SPDX-License-Identifier: BSD-3-Clause */
/* Time-bucketed correlation table; see dnsyn_ctable.h for the model.
 *
 * Bucket width w is the smallest power of two >= window / (B - 2). An answer
 * inside the window at time now sits in one of the ceil(window / w) + 1 newest
 * buckets (at most B - 1), so the table keeps that many plus the one being
 * reused, and moving on never drops anything still matchable unless a bucket
 * filled up early. A record reused while an entry still points to it is caught
 * by the record's 16-bit generation, kept in the entry. */
#include <errno.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_ctable.h"

#define FAM_DELETED 0xff

/* One tracked address, 24 bytes. */
struct entry {
	uint8_t addr[16];
	uint32_t slot;  /* answer record */
	uint16_t seq;   /* low bits of the record's seq when this entry was made */
	uint8_t fam;
	uint8_t epoch;  /* == its bucket's epoch, else the slot is empty */
};
_Static_assert(sizeof(struct entry) == 24, "entry size");
_Static_assert(sizeof(struct dnsyn_ctable_answer) == 32, "answer size");

struct bucket {
	uint64_t start_ns; /* span start (aligned unless started early) */
	uint64_t max_ts;   /* newest answer time held: the bucket expires after it */
	uint32_t epoch;    /* 1..255 */
	uint32_t used;     /* occupied slots, removed entries included */
	uint32_t live;     /* entries not removed */
	uint32_t pad;
};

struct dnsyn_ctable {
	struct dnsyn_ctable_stats st;
	uint64_t window_ns;
	uint64_t bucket_ns;
	uint64_t now_max;     /* newest time seen */
	uint32_t n_answers;
	uint32_t ans_next;
	uint32_t n_buckets;
	uint32_t cur;
	uint32_t slots;       /* per bucket */
	uint32_t limit;       /* entries per bucket before it counts as full */
	uint32_t capacity;
	size_t memsize;
	struct dnsyn_ctable_answer *answers;
	struct entry *entries; /* n_buckets * slots */
	struct bucket b[64];
} DNSYN_CACHE_ALIGNED;

struct layout {
	uint64_t bucket_ns;
	uint32_t answers, slots, limit, n_buckets;
	size_t ans_off, ent_off, size;
};

static int
layout_get(const struct dnsyn_ctable_cfg *cfg, struct layout *l)
{
	uint32_t nb = cfg->n_buckets ? cfg->n_buckets : 8;
	uint64_t live, w = 1;

	if (cfg->capacity == 0 || cfg->capacity > (1u << 30) || cfg->window_ns == 0 || nb < 4 ||
	    nb > 64 || (nb & (nb - 1)))
		return -EINVAL;
	while (w < (cfg->window_ns + nb - 3) / (nb - 2))
		w <<= 1;
	live = (cfg->window_ns + w - 1) / w + 1; /* buckets that can be matchable */
	l->bucket_ns = w;
	/* Only the buckets that can be live at once, plus the one being reused:
	 * a power-of-two span often needs fewer than asked for. */
	l->n_buckets = (uint32_t)DNSYN_MIN(live + 1, (uint64_t)nb);
	l->answers = cfg->answers ? cfg->answers : DNSYN_MAX(cfg->capacity / 2, 1u);
	l->limit = (uint32_t)((cfg->capacity + live - 1) / live);
	/* Load at most 3/4, and always one empty slot so probing ends. */
	l->slots = l->limit + l->limit / 3 + 1;
	l->ans_off = (sizeof(struct dnsyn_ctable) + 63) & ~(size_t)63;
	l->ent_off = l->ans_off + (((size_t)l->answers * sizeof(struct dnsyn_ctable_answer) + 63) &
				   ~(size_t)63);
	l->size = l->ent_off + (size_t)l->n_buckets * l->slots * sizeof(struct entry);
	return 0;
}

size_t
dnsyn_ctable_memsize(const struct dnsyn_ctable_cfg *cfg)
{
	struct layout l;

	return layout_get(cfg, &l) < 0 ? 0 : l.size;
}

struct dnsyn_ctable *
dnsyn_ctable_init(void *mem, const struct dnsyn_ctable_cfg *cfg)
{
	struct dnsyn_ctable *t = mem;
	struct layout l;
	uint32_t i;

	if (mem == NULL || ((uintptr_t)mem & 63) || layout_get(cfg, &l) < 0)
		return NULL;
	memset(mem, 0, l.size);
	t->window_ns = cfg->window_ns;
	t->bucket_ns = l.bucket_ns;
	t->n_answers = l.answers;
	t->n_buckets = l.n_buckets;
	t->slots = l.slots;
	t->limit = l.limit;
	t->capacity = cfg->capacity;
	t->memsize = l.size;
	t->answers = (struct dnsyn_ctable_answer *)((uint8_t *)mem + l.ans_off);
	t->entries = (struct entry *)((uint8_t *)mem + l.ent_off);
	for (i = 0; i < t->n_buckets; i++)
		t->b[i].epoch = 1; /* zeroed slots (epoch 0) read as empty */
	return t;
}

uint64_t
dnsyn_ctable_bucket_ns(const struct dnsyn_ctable *t)
{
	return t->bucket_ns;
}

double
dnsyn_ctable_bytes_per_addr(const struct dnsyn_ctable *t)
{
	return (double)t->memsize / (double)t->capacity;
}

const struct dnsyn_ctable_stats *
dnsyn_ctable_stats(const struct dnsyn_ctable *t)
{
	return &t->st;
}

static inline int
bucket_matchable(const struct dnsyn_ctable *t, const struct bucket *b, uint64_t now)
{
	return b->live && b->max_ts + t->window_ns >= now;
}

uint64_t
dnsyn_ctable_occupancy(const struct dnsyn_ctable *t)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < t->n_buckets; i++)
		if (bucket_matchable(t, &t->b[i], t->now_max))
			n += t->b[i].live;
	return n;
}

uint64_t
dnsyn_ctable_answer_add(struct dnsyn_ctable *t, uint64_t ts_ns, const uint8_t client[16])
{
	uint32_t slot = t->ans_next;
	struct dnsyn_ctable_answer *a = &t->answers[slot];
	/* The record's own generation, not a global count: entries keep its low
	 * 16 bits, and a record would have to be reused 65536 times while one of
	 * its entries is alive to fool them. 0 marks a never-used record. */
	uint32_t seq = a->seq + 1 ? a->seq + 1 : 1;

	t->ans_next = slot + 1 == t->n_answers ? 0 : slot + 1;
	/* Reusing a record that could still match (it may also be finished:
	 * this counts an upper bound of what is lost). */
	if (a->seq && a->ts_ns + t->window_ns >= ts_ns)
		t->st.evicted_answers++;
	a->ts_ns = ts_ns;
	a->seq = seq;
	a->matched = 0;
	memcpy(a->client, client, 16);
	t->st.answers++;
	if (ts_ns > t->now_max)
		t->now_max = ts_ns;
	return ((uint64_t)seq << 32) | slot;
}

static inline uint64_t
key_hash(const uint8_t a[16], uint8_t fam)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL ^ fam;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

static inline uint32_t
home_slot(const struct dnsyn_ctable *t, uint64_t h)
{
	return (uint32_t)(((h >> 32) * (uint64_t)t->slots) >> 32); /* no division */
}

/* Move on to the next bucket, dropping what the oldest held. */
static struct bucket *
roll(struct dnsyn_ctable *t, uint64_t ts, int early)
{
	struct bucket *b;

	t->cur = t->cur + 1 == t->n_buckets ? 0 : t->cur + 1;
	b = &t->b[t->cur];
	if (bucket_matchable(t, b, ts))
		t->st.evicted_addrs += b->live;
	else
		t->st.expired_addrs += b->live;
	if (++b->epoch == 256) { /* every 255 reuses: clear for real */
		memset(&t->entries[(size_t)t->cur * t->slots], 0,
		       (size_t)t->slots * sizeof(struct entry));
		b->epoch = 1;
	}
	b->used = b->live = 0;
	b->max_ts = 0;
	b->start_ns = early ? ts : ts - ts % t->bucket_ns;
	t->st.early_rolls += early != 0;
	return b;
}

void
dnsyn_ctable_addr_add(struct dnsyn_ctable *t, uint64_t h, const uint8_t addr[16], uint8_t fam,
		      uint64_t ts_ns)
{
	struct bucket *b = &t->b[t->cur];
	struct entry *slots, *e;
	uint32_t i;

	if (unlikely(t->st.addrs == 0)) /* the very first address */
		b->start_ns = ts_ns - ts_ns % t->bucket_ns;
	else if (ts_ns >= b->start_ns + t->bucket_ns)
		b = roll(t, ts_ns, 0);
	else if (unlikely(b->used >= t->limit))
		b = roll(t, ts_ns, 1);
	slots = &t->entries[(size_t)t->cur * t->slots];
	i = home_slot(t, key_hash(addr, fam));
	for (;;) {
		e = &slots[i];
		if (e->epoch != b->epoch)
			break;
		i = i + 1 == t->slots ? 0 : i + 1;
	}
	memcpy(e->addr, addr, 16);
	e->slot = (uint32_t)h;
	e->seq = (uint16_t)(h >> 32);
	e->epoch = (uint8_t)b->epoch;
	e->fam = fam;
	b->used++;
	b->live++;
	if (ts_ns > b->max_ts)
		b->max_ts = ts_ns;
	if (ts_ns > t->now_max)
		t->now_max = ts_ns;
	t->st.addrs++;
}

unsigned int
dnsyn_ctable_lookup(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, uint64_t now_ns,
		    dnsyn_ctable_visit visit, void *ud)
{
	uint64_t h = key_hash(addr, fam);
	uint32_t home = home_slot(t, h), k, n = 0;

	t->st.lookups++;
	if (now_ns > t->now_max)
		t->now_max = now_ns;
	for (k = 0; k < t->n_buckets; k++) {
		struct bucket *b = &t->b[k];
		struct entry *slots = &t->entries[(size_t)k * t->slots];
		uint32_t i = home;

		if (!bucket_matchable(t, b, now_ns))
			continue;
		for (;;) {
			struct entry *e = &slots[i];

			t->st.probes++;
			if (e->epoch != b->epoch)
				break;
			if (e->fam == fam && memcmp(e->addr, addr, 16) == 0) {
				struct dnsyn_ctable_answer *a = &t->answers[e->slot];

				if ((uint16_t)a->seq != e->seq) {
					e->fam = FAM_DELETED; /* its answer record was reused */
					b->live--;
				} else {
					n++;
					if (visit(ud, a)) {
						e->fam = FAM_DELETED;
						b->live--;
					}
				}
			}
			i = i + 1 == t->slots ? 0 : i + 1;
		}
	}
	return n;
}
