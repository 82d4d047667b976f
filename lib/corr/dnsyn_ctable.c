/* SPDX-License-Identifier: BSD-3-Clause */
/* Time-bucketed correlation table; see dnsyn_ctable.h for the model.
 *
 * Bucket width w is the smallest power of two >= window / (B - 2). An answer
 * inside the window at time now sits in one of the ceil(window / w) + 1 newest
 * buckets (at most B - 1), so the table keeps that many plus the one being
 * reused, and moving on never drops anything still matchable unless a bucket
 * filled up early. A record reused while an entry still points to it is caught
 * by the record's 16-bit generation, kept in the entry.
 *
 * Each bucket is an open-addressed table of G groups of 16 slots (load <= 2/3),
 * probed group by group from the key's home group (same index in every
 * bucket). A slot's control byte is 0 (empty: probing stops at a group with
 * one), 1 (removed: probing goes on) or the key's fingerprint (2..255). The
 * control bytes are laid out row by row: row g holds group g of bucket 0, then
 * of bucket 1, ..., padded to whole cache lines (128 bytes for 6 buckets), so
 * a lookup reads one row for all its buckets and compares 16 fingerprints at a
 * time (SSE2; a portable loop elsewhere). Reusing a bucket clears its 16 bytes
 * in every row. */
#include <errno.h>
#include <string.h>

#if defined(__SSE2__) && !defined(DNSYN_CTABLE_SCALAR)
#include <emmintrin.h>
#define CT_SSE2 1
#else
#define CT_SSE2 0
#endif

#include "dnsyn_compiler.h"
#include "dnsyn_ctable.h"

#define GROUP 16        /* slots per group: one 16-byte compare */
#define CTRL_EMPTY 0
#define CTRL_REMOVED 1  /* removed entry (visitor, stale record): not empty */
#define CTRL_FP_MIN 2   /* fingerprints: 2..255 */

/* One tracked address, 24 bytes. Which slots hold one: the control bytes. */
struct entry {
	uint8_t addr[16];
	uint32_t slot;  /* answer record */
	uint16_t seq;   /* low bits of the record's seq when this entry was made */
	uint8_t fam;
	uint8_t pad;
};
_Static_assert(sizeof(struct entry) == 24, "entry size");
_Static_assert(sizeof(struct dnsyn_ctable_answer) == 32, "answer size");

struct bucket {
	uint64_t start_ns; /* span start (aligned unless started early) */
	uint64_t max_ts;   /* newest answer time held: the bucket expires after it */
	uint32_t used;     /* occupied slots, removed entries included */
	uint32_t live;     /* entries not removed */
};

/* dnsyn_ctable_prefetch() pipeline: one slot per call, PF_RING calls kept. A
 * key's control rows are prefetched at its call (stage A), its fingerprint
 * matches' entries PF_B calls later (B: the rows are in cache by then), and the
 * answer records of the entries that hold the key PF_C calls later (C: the
 * entries are in cache). With the caller PF_C + 2 or more events ahead (8), a
 * lookup finds everything it reads in cache. */
#define PF_RING 8
#define PF_B 3
#define PF_C 6
#define PF_CAND 4 /* entries followed per key (fingerprint matches) */

struct pf_slot {
	uint8_t addr[16];
	uint8_t fam;
	uint8_t valid;
	uint8_t fp;
	uint8_t n_cand;
	uint8_t pos;    /* where an insert starts in the group */
	uint8_t pad[3];
	uint32_t home;
	uint32_t cand[PF_CAND]; /* entry indices (< n_buckets * slots, at most ~2.4e9) */
};

struct pf_ring {
	uint64_t n; /* calls so far */
	struct pf_slot s[PF_RING];
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
	uint32_t n_groups;    /* per bucket */
	uint32_t row;         /* bytes per control row (n_buckets * 16, whole lines) */
	uint32_t limit;       /* entries per bucket before it counts as full */
	uint32_t capacity;
	size_t memsize;
	struct dnsyn_ctable_answer *answers;
	uint8_t *ctrl;         /* n_groups rows */
	struct entry *entries; /* bucket-major: n_buckets * n_groups * 16 */
	struct pf_ring *pf;    /* = &pf_ring: written by dnsyn_ctable_prefetch() */
	uint64_t live_mask;    /* bit k: b[k].live != 0 */
	uint64_t until[64];    /* b[k].max_ts + window: with live_mask, what a lookup probes */
	struct bucket b[64];   /* unused ones stay zero (live 0) */
	struct pf_ring pf_ring;
} DNSYN_CACHE_ALIGNED;

struct layout {
	uint64_t bucket_ns;
	uint32_t answers, groups, row, limit, n_buckets;
	size_t ans_off, ctrl_off, ent_off, size;
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
	/* Load at most 2/3: a full 16-slot group sends a probe on to the next
	 * one (in scripts/bench_ctable, for 9 % of the buckets probed at 2/3,
	 * 25 % at 3/4); and always an empty slot so that probing ends. */
	l->groups = (l->limit + l->limit / 2 + 1 + GROUP - 1) / GROUP;
	l->row = (l->n_buckets * GROUP + 63) & ~63u;
	l->ans_off = (sizeof(struct dnsyn_ctable) + 63) & ~(size_t)63;
	l->ctrl_off = l->ans_off + (((size_t)l->answers * sizeof(struct dnsyn_ctable_answer) + 63) &
				    ~(size_t)63);
	l->ent_off = l->ctrl_off + (size_t)l->groups * l->row;
	l->size = l->ent_off + (size_t)l->n_buckets * l->groups * GROUP * sizeof(struct entry);
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

	if (mem == NULL || ((uintptr_t)mem & 63) || layout_get(cfg, &l) < 0)
		return NULL;
	memset(mem, 0, l.size); /* every control byte empty, every bucket unused */
	t->window_ns = cfg->window_ns;
	t->bucket_ns = l.bucket_ns;
	t->n_answers = l.answers;
	t->n_buckets = l.n_buckets;
	t->n_groups = l.groups;
	t->row = l.row;
	t->limit = l.limit;
	t->capacity = cfg->capacity;
	t->memsize = l.size;
	t->answers = (struct dnsyn_ctable_answer *)((uint8_t *)mem + l.ans_off);
	t->ctrl = (uint8_t *)mem + l.ctrl_off;
	t->entries = (struct entry *)((uint8_t *)mem + l.ent_off);
	t->pf = &t->pf_ring;
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

/* ---- hashing and groups --------------------------------------------------- */

/* Bits 32..63 pick the home group, bits 0..15 the fingerprint, bits 16..19
 * the slot an insert tries first in a group. */
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
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

static inline uint32_t
home_group(const struct dnsyn_ctable *t, uint64_t h)
{
	return (uint32_t)(((h >> 32) * (uint64_t)t->n_groups) >> 32); /* no division */
}

static inline uint8_t
fingerprint(uint64_t h)
{
	return (uint8_t)(CTRL_FP_MIN + ((((uint32_t)h & 0xffff) * (256 - CTRL_FP_MIN)) >> 16));
}

void
dnsyn_ctable_key_place(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam,
		       uint32_t *group, uint32_t *n_groups, uint8_t *fp)
{
	uint64_t kh = key_hash(addr, fam);

	*group = home_group(t, kh);
	*n_groups = t->n_groups;
	*fp = fingerprint(kh);
}

/* Control bytes of group g of bucket k (16-byte aligned). */
static inline uint8_t *
ctrl_at(const struct dnsyn_ctable *t, uint32_t g, uint32_t k)
{
	return t->ctrl + (size_t)g * t->row + (size_t)k * GROUP;
}

static inline struct entry *
entry_at(const struct dnsyn_ctable *t, uint32_t k, uint32_t g, uint32_t j)
{
	return &t->entries[((size_t)k * t->n_groups + g) * GROUP + j];
}

/* Bit i set: control byte i of the group at c equals the fingerprint
 * (return value) / is empty (*empty). */
static inline uint32_t
group_scan(const uint8_t *c, uint8_t fp, uint32_t *empty)
{
#if CT_SSE2
	__m128i x = _mm_load_si128((const __m128i *)(const void *)c);

	*empty = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)fp)));
#else
	uint32_t m = 0, z = 0, i;

	for (i = 0; i < GROUP; i++) {
		m |= (uint32_t)(c[i] == fp) << i;
		z |= (uint32_t)(c[i] == CTRL_EMPTY) << i;
	}
	*empty = z;
	return m;
#endif
}

static inline uint32_t
group_empty(const uint8_t *c)
{
	uint32_t z;

	(void)group_scan(c, CTRL_EMPTY, &z);
	return z;
}

static inline uint32_t
next_group(const struct dnsyn_ctable *t, uint32_t g)
{
	return g + 1 == t->n_groups ? 0 : g + 1;
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
	if (b->used) { /* clear its control bytes: 16 in each row */
		uint8_t *c = ctrl_at(t, 0, t->cur);
		uint32_t g;

		for (g = 0; g < t->n_groups; g++, c += t->row)
			memset(c, CTRL_EMPTY, GROUP);
	}
	b->used = b->live = 0;
	b->max_ts = 0;
	t->live_mask &= ~(1ULL << t->cur);
	b->start_ns = early ? ts : ts - ts % t->bucket_ns;
	t->st.early_rolls += early != 0;
	return b;
}

static inline void
prefetch_entry(const struct entry *e)
{
	__builtin_prefetch(e, 0, 3);
	__builtin_prefetch((const uint8_t *)e + sizeof(*e) - 1, 0, 3); /* when it spans two lines */
}

/* Stage B: note and prefetch the entries whose control byte holds the key's
 * fingerprint, in its home group and (for a full group) the next one, in
 * every bucket with entries. Reads only control bytes. */
static void
pf_stage_b(const struct dnsyn_ctable *t, struct pf_slot *s)
{
	const uint32_t home = s->home, per_bucket = t->n_groups * GROUP, nb = t->n_buckets;
	const uint8_t *c = t->ctrl + (size_t)home * t->row;
	const uint64_t live = t->live_mask;
	uint32_t k, n = 0, base = home * GROUP, m, z;

	for (k = 0; k < nb; k++, c += GROUP, base += per_bucket) {
		if (k == t->cur) { /* where an insert of the key would go */
			uint32_t p = s->pos;

			(void)group_scan(c, s->fp, &z);
			if (z)
				prefetch_entry(&t->entries[base + (z >> p ? p + (uint32_t)__builtin_ctz(z >> p)
									 : (uint32_t)__builtin_ctz(z))]);
		}
		if (!((live >> k) & 1))
			continue;
		for (m = group_scan(c, s->fp, &z); m; m &= m - 1) {
			uint32_t idx = base + (uint32_t)__builtin_ctz(m);

			prefetch_entry(&t->entries[idx]);
			if (n < PF_CAND)
				s->cand[n++] = idx;
		}
		if (unlikely(!z)) { /* full: the next group too (its row came with stage A) */
			uint32_t g = home + 1 == t->n_groups ? 0 : home + 1;
			uint32_t b2 = k * per_bucket + g * GROUP;

			for (m = group_scan(ctrl_at(t, g, k), s->fp, &z); m; m &= m - 1) {
				uint32_t idx = b2 + (uint32_t)__builtin_ctz(m);

				prefetch_entry(&t->entries[idx]);
				if (n < PF_CAND)
					s->cand[n++] = idx;
			}
		}
	}
	s->n_cand = (uint8_t)n;
}

/* Stage C: the answer records of the noted entries that hold the key. */
static void
pf_stage_c(const struct dnsyn_ctable *t, const struct pf_slot *s)
{
	uint32_t i;

	for (i = 0; i < s->n_cand; i++) {
		const struct entry *e = &t->entries[s->cand[i]];

		if (e->fam == s->fam && memcmp(e->addr, s->addr, 16) == 0 && e->slot < t->n_answers)
			__builtin_prefetch(&t->answers[e->slot], 1, 3);
	}
}

/* The table is const for the caller (nothing it can observe changes); the
 * pipeline's ring lives in the table's block and is written through t->pf. */
void
dnsyn_ctable_prefetch(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam)
{
	struct pf_ring *r = t->pf;
	struct pf_slot *s = &r->s[r->n % PF_RING];
	uint64_t kh = key_hash(addr, fam);
	const uint8_t *row;

	/* Stage A: the control rows of this key's home group and the next one
	 * (where a full group overflows), which are contiguous, and its
	 * slot for the next call's stages. */
	s->home = home_group(t, kh);
	s->fp = fingerprint(kh);
	s->pos = (uint8_t)((kh >> 16) & (GROUP - 1));
	s->fam = fam;
	memcpy(s->addr, addr, 16);
	s->n_cand = 0;
	s->valid = 1;
	row = ctrl_at(t, s->home, 0);
	__builtin_prefetch(row, 0, 3);
	if (t->row > 64)
		__builtin_prefetch(row + 64, 0, 3);
	row = ctrl_at(t, next_group(t, s->home), 0);
	__builtin_prefetch(row, 0, 3);
	if (t->row > 64)
		__builtin_prefetch(row + 64, 0, 3);
	/* Stages B and C of earlier calls' keys. */
	if (r->n >= PF_B && r->s[(r->n - PF_B) % PF_RING].valid)
		pf_stage_b(t, &r->s[(r->n - PF_B) % PF_RING]);
	if (r->n >= PF_C && r->s[(r->n - PF_C) % PF_RING].valid)
		pf_stage_c(t, &r->s[(r->n - PF_C) % PF_RING]);
	r->n++;
}

void
dnsyn_ctable_addr_add(struct dnsyn_ctable *t, uint64_t h, const uint8_t addr[16], uint8_t fam,
		      uint64_t ts_ns)
{
	struct bucket *b = &t->b[t->cur];
	uint64_t kh = key_hash(addr, fam);
	uint32_t g = home_group(t, kh), p = (uint32_t)(kh >> 16) & (GROUP - 1), m, j;
	uint8_t *c;
	struct entry *e;

	if (unlikely(t->st.addrs == 0)) /* the very first address */
		b->start_ns = ts_ns - ts_ns % t->bucket_ns;
	else if (ts_ns >= b->start_ns + t->bucket_ns)
		b = roll(t, ts_ns, 0);
	else if (unlikely(b->used >= t->limit))
		b = roll(t, ts_ns, 1);
	/* The entry it takes when slot p of its home group is free (most of
	 * the time): fetched alongside the control bytes rather than after. */
	__builtin_prefetch(entry_at(t, t->cur, g, p), 1, 3);
	/* used < limit < slots: some group has an empty slot */
	for (;;) {
		c = ctrl_at(t, g, t->cur);
		m = group_empty(c);
		if (likely(m))
			break;
		g = next_group(t, g);
	}
	/* the first empty slot from p on, round the group */
	j = m >> p ? p + (uint32_t)__builtin_ctz(m >> p) : (uint32_t)__builtin_ctz(m);
	c[j] = fingerprint(kh);
	e = entry_at(t, t->cur, g, j);
	memcpy(e->addr, addr, 16);
	e->slot = (uint32_t)h;
	e->seq = (uint16_t)(h >> 32);
	e->fam = fam;
	e->pad = 0;
	b->used++;
	b->live++;
	if (ts_ns > b->max_ts)
		b->max_ts = ts_ns;
	t->live_mask |= 1ULL << t->cur;
	t->until[t->cur] = b->max_ts + t->window_ns;
	if (ts_ns > t->now_max)
		t->now_max = ts_ns;
	t->st.addrs++;
}

/* A lookup's state outside its hot loop: the entries of the key found by the
 * scan are visited afterwards, so that the scan makes no call. */
#define HITS 16

struct hit {
	uint8_t *ctrl; /* its control byte */
	const struct entry *e;
	uint32_t k;    /* its bucket */
};

struct lk {
	struct dnsyn_ctable *t;
	dnsyn_ctable_visit visit;
	void *ud;
	uint64_t a0, a1; /* the address */
	uint64_t probes, groups;
	uint32_t n_hits;
	unsigned int n; /* answers visited */
	uint8_t fam, fp;
	struct hit hits[HITS];
};

static void
lk_visit(struct lk *l)
{
	struct dnsyn_ctable *t = l->t;
	uint32_t i;

	for (i = 0; i < l->n_hits; i++) {
		const struct hit *h = &l->hits[i];
		struct dnsyn_ctable_answer *a = &t->answers[h->e->slot];
		int drop;

		if ((uint16_t)a->seq != h->e->seq) {
			drop = 1; /* its answer record was reused */
		} else {
			l->n++;
			drop = l->visit(l->ud, a) != 0;
		}
		if (drop) {
			*h->ctrl = CTRL_REMOVED;
			if (--t->b[h->k].live == 0)
				t->live_mask &= ~(1ULL << h->k);
		}
	}
	l->n_hits = 0;
}

/* The fingerprint matches @p m of the group at @p c (entries @p eg) of bucket k. */
static __attribute__((noinline)) void
lk_matches(struct lk *l, uint32_t k, uint8_t *c, const struct entry *eg, uint32_t m)
{
	for (; m; m &= m - 1) {
		const uint32_t j = (uint32_t)__builtin_ctz(m);
		const struct entry *e = eg + j;
		uint64_t e0, e1;

		l->probes++;
		memcpy(&e0, e->addr, 8);
		memcpy(&e1, e->addr + 8, 8);
		if (e->fam != l->fam || ((e0 ^ l->a0) | (e1 ^ l->a1)))
			continue;
		if (unlikely(l->n_hits == HITS)) /* many answers for one address */
			lk_visit(l);
		l->hits[l->n_hits].ctrl = c + j;
		l->hits[l->n_hits].e = e;
		l->hits[l->n_hits].k = k;
		l->n_hits++;
	}
}

/* Bucket k's home group g was full: the groups after it, up to one with an
 * empty slot. */
static __attribute__((noinline)) void
lk_overflow(struct lk *l, uint32_t k, uint32_t g)
{
	const struct dnsyn_ctable *t = l->t;
	uint32_t m, z;

	do {
		g = next_group(t, g);
		l->groups++;
		m = group_scan(ctrl_at(t, g, k), l->fp, &z);
		if (m)
			lk_matches(l, k, ctrl_at(t, g, k), entry_at(t, k, g, 0), m);
	} while (!z);
}

unsigned int
dnsyn_ctable_lookup(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, uint64_t now_ns,
		    dnsyn_ctable_visit visit, void *ud)
{
	const uint64_t kh = key_hash(addr, fam), live = t->live_mask;
	const uint32_t home = home_group(t, kh), nb = t->n_buckets;
	const size_t per_bucket = (size_t)t->n_groups * GROUP;
	uint8_t *c = t->ctrl + (size_t)home * t->row;
	const struct entry *eg = t->entries + (size_t)home * GROUP;
	uint32_t k, m, z;
	struct lk l;

	l.t = t;
	l.visit = visit;
	l.ud = ud;
	memcpy(&l.a0, addr, 8);
	memcpy(&l.a1, addr + 8, 8);
	l.probes = l.groups = 0;
	l.n_hits = 0;
	l.n = 0;
	l.fam = fam;
	l.fp = fingerprint(kh);
	if (now_ns > t->now_max)
		t->now_max = now_ns;
	/* Each bucket that can hold an answer in the window (bucket_matchable():
	 * live and newest time + window >= now): its home group, from the same
	 * row of control bytes. */
	for (k = 0; k < nb; k++, c += GROUP, eg += per_bucket) {
		if (!((live >> k) & 1) || t->until[k] < now_ns)
			continue;
		l.groups++;
		m = group_scan(c, l.fp, &z);
		if (m)
			lk_matches(&l, k, c, eg, m);
		if (unlikely(!z))
			lk_overflow(&l, k, home);
	}
	if (l.n_hits)
		lk_visit(&l);
	t->st.lookups++;
	t->st.probes += l.probes;
	t->st.groups += l.groups;
	return l.n;
}

uint32_t
dnsyn_ctable_answers(const struct dnsyn_ctable *t)
{
	return t->n_answers;
}

uint32_t
dnsyn_ctable_answer_index(const struct dnsyn_ctable *t, const struct dnsyn_ctable_answer *a)
{
	return (uint32_t)(a - t->answers);
}
