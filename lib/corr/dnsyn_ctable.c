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
 * Each bucket is an open-addressed table of G groups of 15 slots (load <= 2/3),
 * probed group by group from the key's home group (same index in every
 * bucket). A group has 16 control bytes: bytes 0..14 belong to its slots, 0
 * (empty), 1 (removed) or the key's fingerprint (2..255); byte 15 is an 8-bit
 * filter of the keys whose insert went past the group because it was full
 * (folly's F14 keeps a count there), so a lookup goes on to the next group only
 * when its key's bit is set: no test for empty slots, and far fewer groups
 * followed than with "the group is full" (scripts/bench_ctable: 0.08 against
 * 0.5 more groups per lookup than its buckets). The control bytes are
 * laid out row by row: row g holds group g of bucket 0, then of bucket 1, ...,
 * padded to whole cache lines (128 bytes for 6 buckets), so a lookup reads one
 * row for all its buckets. It compares the row 64 bytes (4 groups) at a time
 * into 64-bit words, 16 bits per group (15 fingerprint matches, then the
 * overflow bit), masked with the buckets that can still match (worked out
 * again only when that set changes), and picks the first match without a
 * branch: a lookup with no match or one (nearly all) has a single
 * data-dependent branch, on whether that entry holds its key. SSE2, a portable
 * loop elsewhere. Reusing a bucket clears its 16 bytes in every row.
 *
 * A lookup at 1M addresses waits for three lines from memory, one after the
 * other: the row, the entry, the answer record. dnsyn_ctable_lookup_burst()
 * takes n keys through four stages (hash and row prefetch, row scan and entry
 * prefetch, key compare and answer prefetch, visit) a step of BG keys apart,
 * each stage done once per key, so that the lines of the keys behind arrive
 * while the keys ahead are worked on. What a stage found is used only while
 * it still holds (same buckets to probe, no insert; a removal is seen in the
 * control byte): else the lookup starts afresh, so the result is always
 * dnsyn_ctable_lookup()'s at that point. */
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

#define GROUP 16        /* control bytes per group: one 16-byte compare */
#define SLOTS 15        /* slots per group: control bytes 0..14 */
#define SLOT_BITS 0x7fffu
#define OVF_BYTE 15     /* the group's overflow filter */
#define CTRL_EMPTY 0
#define CTRL_REMOVED 1  /* removed entry (visitor, stale record): not empty */
#define CTRL_FP_MIN 2   /* fingerprints: 2..255 */
#define CHUNK 64        /* row bytes compared into one 64-bit word: 4 groups */
#define LANE_SLOTS 0x7fff7fff7fff7fffULL
#define LANE_OVF 0x8000800080008000ULL

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

/* Groups a bucket remembers writing to: reusing a bucket that holds few
 * entries clears those groups only, not all of its rows. Sparse traffic
 * (a quiet link, a long trace) rolls a bucket every few entries, and a
 * full clear per roll would cost O(capacity) each time. A replay runs
 * through packet time far faster than the link did: buckets of a few hundred
 * answers must not pay a full clear either (a fixed 64 did: 43 % of the
 * correlation lcore on the realistic mix in memory). Up to an eighth of the
 * groups (past that the strided clear of every row is as cheap), between
 * TOUCH_MIN and TOUCH_MAX, in the table's memory. */
#define TOUCH_MIN 64
#define TOUCH_MAX 1024

struct bucket {
	uint64_t start_ns; /* span start (aligned unless started early) */
	uint64_t max_ts;   /* newest answer time held: the bucket expires after it */
	uint32_t used;     /* occupied slots, removed entries included */
	uint32_t live;     /* entries not removed */
	uint32_t n_touched; /* groups written (> touch_max: too many to list) */
};

/* The prefetch pipeline: one slot per call, PF_RING calls kept. A lookup's
 * key (dnsyn_ctable_prefetch_lookup()) has its control row prefetched at its
 * call (stage A), its fingerprint matches' entries PF_B calls later (B: the
 * row is in cache by then; also the next row when a group overflowed with the
 * key's bit), and the answer records of the entries that hold the key PF_C
 * calls later (C: the entries are in cache). With the caller PF_C + 2 or more
 * events ahead (8), a lookup finds what it reads in cache. Stages B and C take
 * no data-dependent branch for a key with no match or one. An insert's key
 * (dnsyn_ctable_prefetch()) gets only what an insert reads: its group in the
 * current bucket (A) and the slot it will take (B); with the lookup's row
 * scan and answer records as well, scripts/bench_ctable's prefetched inserts
 * were 17 % slower. (B and C a call or two earlier: no difference
 * measurable in scripts/bench_ctable.) */
#define PF_RING 8
#define PF_B 3
#define PF_C 6
#define PF_CAND 4 /* entries followed per key (fingerprint matches) */

struct pf_slot {
	uint8_t addr[16];
	uint8_t fam;
	uint8_t valid;
	uint8_t n_cand;
	uint8_t insert; /* an insert's key: stages A and B only, and B its slot only */
	uint32_t home;
	uint64_t kh;    /* key_hash() */
	/* entries to follow: cand[0] always (the table's dummy entry when the
	 * key has no fingerprint match), n_cand in all (0 or more) */
	const struct entry *cand[PF_CAND];
};

struct pf_ring {
	uint64_t n; /* calls so far */
	struct pf_slot s[PF_RING];
};

/* A key of dnsyn_ctable_lookup_burst() between its stages (pk_hash(),
 * pk_scan(), pk_compare(), pk_lookup()). What the scan found holds as long as
 * the buckets it covered (act) are still the ones to probe and nothing was
 * inserted; pk_lookup() checks that and otherwise looks up afresh. */
struct pk {
	uint8_t addr[16];
	uint64_t kh;       /* key_hash() */
	uint64_t act;      /* scan: the buckets it covered (t->act then) */
	uint64_t addrs;    /* scan: t->st.addrs then (no insert since: nothing
			    * changed but removals) */
	/* The fingerprint matches in the row, in scan order: cand[0] always
	 * (the table's dummy entry when the key has none), n_cand in all; with
	 * their control bytes (cand[0]'s: t->no_ctrl for none) and buckets. */
	const struct entry *cand[PF_CAND];
	uint8_t *ctrl[PF_CAND];
	uint8_t kc[PF_CAND];
	uint32_t home;
	uint8_t fam;
	uint8_t fp;        /* fingerprint() */
	uint8_t n_cand;
	uint8_t slow;      /* scan: more than one match, or an overflow */
	uint8_t many;      /* scan: an overflow, or more matches than cand holds */
	uint8_t hits;      /* compare: bit i: cand[i] holds the key */
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
	uint32_t n_chunks;    /* row / CHUNK */
	uint32_t limit;       /* entries per bucket before it counts as full */
	uint32_t capacity;
	uint32_t act_n;       /* buckets in act */
	size_t memsize;
	struct dnsyn_ctable_answer *answers;
	uint8_t *ctrl;         /* n_groups rows */
	struct entry *entries; /* bucket-major: n_buckets * n_groups * SLOTS */
	uint32_t *touched;     /* bucket-major: n_buckets * touch_max group numbers */
	uint32_t touch_max;
	struct pf_ring *pf;    /* = &pf_ring: written by dnsyn_ctable_prefetch() */
	struct entry dummy;    /* holds no key (fam 255): the prefetch's "no match" */
	uint8_t no_ctrl;       /* 0, never written: the control byte of the dummy */
	uint64_t live_mask;    /* bit k: b[k].live != 0 */
	/* The buckets a lookup probes (live, b[k].max_ts + window >= now) for
	 * any now in [act_lo, act_hi]: worked out again by a lookup outside that
	 * range, and after any change but an insert into a bucket in act (which
	 * only moves its end later). act_lo > act_hi: to be worked out. */
	uint64_t act, act_lo, act_hi;
	uint64_t act_w[16];    /* act as 16-bit lanes of the row's words (4 buckets each) */
	uint64_t live_w[16];   /* live_mask likewise: what the prefetch follows */
	uint64_t until[64];    /* b[k].max_ts + window */
	struct bucket b[64];   /* unused ones stay zero (live 0) */
	struct pf_ring pf_ring;
} DNSYN_CACHE_ALIGNED;

struct layout {
	uint64_t bucket_ns;
	uint32_t answers, groups, row, limit, n_buckets, touch_max;
	size_t ans_off, ctrl_off, ent_off, touch_off, size;
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
	/* Load at most 2/3, so that few groups overflow; and always an empty
	 * slot so that an insert finds one. */
	l->groups = (l->limit + l->limit / 2 + 1 + SLOTS - 1) / SLOTS;
	l->row = (l->n_buckets * GROUP + CHUNK - 1) & ~(uint32_t)(CHUNK - 1);
	l->ans_off = (sizeof(struct dnsyn_ctable) + 63) & ~(size_t)63;
	l->ctrl_off = l->ans_off + (((size_t)l->answers * sizeof(struct dnsyn_ctable_answer) + 63) &
				    ~(size_t)63);
	l->ent_off = l->ctrl_off + (size_t)l->groups * l->row;
	l->touch_off = l->ent_off + (size_t)l->n_buckets * l->groups * SLOTS * sizeof(struct entry);
	l->touch_max = DNSYN_MIN(DNSYN_MAX(l->groups / 8, TOUCH_MIN), TOUCH_MAX);
	l->size = l->touch_off + (size_t)l->n_buckets * l->touch_max * sizeof(uint32_t);
	return 0;
}

size_t
dnsyn_ctable_memsize(const struct dnsyn_ctable_cfg *cfg)
{
	struct layout l;

	return layout_get(cfg, &l) < 0 ? 0 : l.size;
}

static inline void
act_invalidate(struct dnsyn_ctable *t)
{
	t->act_lo = 1;
	t->act_hi = 0;
}

struct dnsyn_ctable *
dnsyn_ctable_init(void *mem, const struct dnsyn_ctable_cfg *cfg)
{
	struct dnsyn_ctable *t = mem;
	struct layout l;

	if (mem == NULL || ((uintptr_t)mem & 63) || layout_get(cfg, &l) < 0)
		return NULL;
	/* Every control byte empty, every bucket unused. The entries, answer
	 * records and touched lists are written before they are read (an entry
	 * only once its control byte says so): zeroing them too was 90 % of
	 * the 62 MB a default table clears at start, ~20 ms of a replay. */
	memset(mem, 0, l.ent_off);
	t->window_ns = cfg->window_ns;
	t->bucket_ns = l.bucket_ns;
	t->n_answers = l.answers;
	t->n_buckets = l.n_buckets;
	t->n_groups = l.groups;
	t->row = l.row;
	t->n_chunks = l.row / CHUNK;
	t->limit = l.limit;
	t->capacity = cfg->capacity;
	t->memsize = l.size;
	t->answers = (struct dnsyn_ctable_answer *)((uint8_t *)mem + l.ans_off);
	t->ctrl = (uint8_t *)mem + l.ctrl_off;
	t->entries = (struct entry *)((uint8_t *)mem + l.ent_off);
	t->touched = (uint32_t *)(void *)((uint8_t *)mem + l.touch_off);
	t->touch_max = l.touch_max;
	t->pf = &t->pf_ring;
	t->dummy.fam = 0xff;
	act_invalidate(t);
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

/* ---- bucket masks ----------------------------------------------------------- */

/* Bits 0..3 of @p b as the 16-bit lanes of a word (bit i: lane i all ones). */
static inline uint64_t
lanes4(uint64_t b)
{
	return ((b & 1) | (b & 2) << 15 | (b & 4) << 30 | (b & 8) << 45) * 0xffff;
}

static void
lanes_set(uint64_t *w, uint64_t mask, uint32_t n_chunks)
{
	uint32_t c;

	for (c = 0; c < n_chunks; c++)
		w[c] = lanes4(mask >> (4 * c));
}

static inline void
live_set(struct dnsyn_ctable *t, uint32_t k)
{
	t->live_mask |= 1ULL << k;
	t->live_w[k / 4] |= 0xffffULL << (16 * (k % 4));
}

static inline void
live_clear(struct dnsyn_ctable *t, uint32_t k)
{
	t->live_mask &= ~(1ULL << k);
	t->live_w[k / 4] &= ~(0xffffULL << (16 * (k % 4)));
	act_invalidate(t);
}

static __attribute__((noinline)) void
act_update(struct dnsyn_ctable *t, uint64_t now)
{
	uint64_t act = 0, lo = 0, hi = UINT64_MAX, m;

	for (m = t->live_mask; m; m &= m - 1) {
		const uint32_t k = (uint32_t)__builtin_ctzll(m);
		const uint64_t u = t->until[k];

		if (u >= now) {
			act |= 1ULL << k;
			hi = u < hi ? u : hi;
		} else if (u + 1 > lo) {
			lo = u + 1;
		}
	}
	t->act = act;
	t->act_n = (uint32_t)__builtin_popcountll(act);
	t->act_lo = lo;
	t->act_hi = hi;
	lanes_set(t->act_w, act, t->n_chunks);
}

/* ---- hashing and groups --------------------------------------------------- */

/* Bits 32..63 pick the home group, bits 0..15 the fingerprint, bits 16..31
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

static inline uint32_t
insert_pos(uint64_t h)
{
	return (uint32_t)((((h >> 16) & 0xffff) * SLOTS) >> 16);
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

static inline size_t
entry_idx(const struct dnsyn_ctable *t, uint32_t k, uint32_t g, uint32_t j)
{
	return ((size_t)k * t->n_groups + g) * SLOTS + j;
}

static inline struct entry *
entry_at(const struct dnsyn_ctable *t, uint32_t k, uint32_t g, uint32_t j)
{
	return &t->entries[entry_idx(t, k, g, j)];
}

/* entry_at() as an integer, for a pick() (k and j may be out of range). */
static inline uintptr_t
entry_addr(const struct dnsyn_ctable *t, uint32_t k, uint32_t g, uint32_t j)
{
	return (uintptr_t)t->entries + entry_idx(t, k, g, j) * sizeof(struct entry);
}

/* Bit of a key in byte 15 of the groups its insert went past (full): an
 * 8-bit Bloom filter of the keys that overflowed, so that a lookup goes on to
 * the next group only when one of them may be its key (about 1 in 5 of the
 * overflowed groups it meets at load 2/3, rather than all). */
static inline uint8_t
ovf_bit(uint64_t h)
{
	return (uint8_t)(1u << ((h >> 32) & 7));
}

/* What a row is compared with: control bytes 0..14 against the key's
 * fingerprint and byte 15 against its overflow bit, one compare per group. */
#if CT_SSE2
typedef struct {
	__m128i v; /* fingerprint in bytes 0..14, overflow bit in byte 15 */
	__m128i m; /* 0xff in bytes 0..14, overflow bit in byte 15 */
} probe_t;
#else
typedef struct {
	uint8_t fp, bit;
} probe_t;
#endif

static inline probe_t
probe_of(uint64_t h)
{
	const uint8_t fp = fingerprint(h), bit = ovf_bit(h);
	probe_t p;

#if CT_SSE2
	p.v = _mm_insert_epi16(_mm_set1_epi8((char)fp), fp | bit << 8, 7);
	p.m = _mm_insert_epi16(_mm_set1_epi8((char)0xff), 0xff | bit << 8, 7);
#else
	p.fp = fp;
	p.bit = bit;
#endif
	return p;
}

#if CT_SSE2
/* 0xff in each byte of @p x that matches @p p. */
static inline __m128i
probe_cmp(const void *x, probe_t p)
{
	return _mm_cmpeq_epi8(_mm_and_si128(_mm_load_si128((const __m128i *)x), p.m), p.v);
}
#endif

/* The group at @p c: bit i (i < 15) set when control byte i is the
 * fingerprint, bit 15 when the group's overflow filter holds the key's bit. */
static inline uint32_t
group_word(const uint8_t *c, probe_t p)
{
#if CT_SSE2
	return (uint32_t)_mm_movemask_epi8(probe_cmp(c, p));
#else
	uint32_t m = 0, i;

	for (i = 0; i < SLOTS; i++)
		m |= (uint32_t)(c[i] == p.fp) << i;
	return m | (uint32_t)((c[OVF_BYTE] & p.bit) != 0) << 15;
#endif
}

/* Four groups from @p c (a CHUNK of a row): group_word() of group i in bits
 * 16 i .. 16 i + 15. */
static inline uint64_t
chunk_word(const uint8_t *c, probe_t p)
{
	return (uint64_t)group_word(c, p) | (uint64_t)group_word(c + GROUP, p) << 16 |
	       (uint64_t)group_word(c + 2 * GROUP, p) << 32 |
	       (uint64_t)group_word(c + 3 * GROUP, p) << 48;
}

/* @p a when @p c (0 or 1), else @p b, without a branch. gcc makes a jump of
 * ?: (and of masks on a plain condition) in the row scan and the stages, one
 * that half the keys of a burst mispredict when half of them are present;
 * the empty asm hides where the mask comes from. Addresses as integers: the
 * one not picked may point anywhere. */
static inline uintptr_t
pick(uint32_t c, uintptr_t a, uintptr_t b)
{
	uintptr_t m = (uintptr_t)0 - c;

	__asm__("" : "+r"(m));
	return (a & m) | (b & ~m);
}

/* What a row holds for a key in the buckets of @p lanes (16-bit lanes of
 * words, 4 buckets a word): its fingerprint matches (n, and the first, as
 * bucket k and slot j), and whether a group's overflow filter holds it. No
 * branch on the data: most keys have no match or one, and a mispredicted
 * branch costs more than the whole scan. */
struct row_scan {
	uint32_t n;   /* fingerprint matches */
	uint32_t k, j; /* the first (valid when n != 0) */
	uint64_t ovf;  /* nonzero: some group overflowed with the key's bit */
};

static inline void
row_scan(const struct dnsyn_ctable *t, const uint8_t *row, probe_t p, const uint64_t *lanes,
	 struct row_scan *r, int nobranch)
{
	uint64_t first = 0, ovf = 0, w, m;
	uint32_t c = t->n_buckets / 4, fc = 0, n = 0, bit;

	/* A last chunk of fewer than 4 buckets (6 buckets: the default for a 1 s
	 * window): only its groups, not the padding's. The same branch every
	 * time for a table. */
	switch (t->n_buckets % 4) {
	case 1:
		w = group_word(row + c * CHUNK, p) & lanes[c];
		break;
	case 2:
		w = (group_word(row + c * CHUNK, p) |
		     (uint64_t)group_word(row + c * CHUNK + GROUP, p) << 16) & lanes[c];
		break;
	case 3:
		w = (group_word(row + c * CHUNK, p) |
		     (uint64_t)group_word(row + c * CHUNK + GROUP, p) << 16 |
		     (uint64_t)group_word(row + c * CHUNK + 2 * GROUP, p) << 32) & lanes[c];
		break;
	default: /* whole chunks only */
		w = 0;
		break;
	}
	m = w & LANE_SLOTS;
	ovf = w & LANE_OVF;
	n = (uint32_t)__builtin_popcountll(m);
	fc = c;
	first = m;
	while (c-- > 0) { /* downwards: the first match wins */
		w = chunk_word(row + c * CHUNK, p) & lanes[c];
		m = w & LANE_SLOTS;
		ovf |= w & LANE_OVF;
		n += (uint32_t)__builtin_popcountll(m);
		if (nobranch) {
			fc = (uint32_t)pick(m != 0, c, fc);
			first = pick(m != 0, m, first);
		} else { /* a branch, well predicted when most keys are absent */
			fc = m ? c : fc;
			first = m ? m : first;
		}
	}
	bit = (uint32_t)__builtin_ctzll(first | 1ULL << 63);
	r->n = n;
	r->k = 4 * fc + bit / 16;
	r->j = bit % 16;
	r->ovf = ovf;
}

/* Bit i (i < 15) set: slot i of the group at c is empty. */
static inline uint32_t
group_empty(const uint8_t *c)
{
#if CT_SSE2
	const __m128i x = _mm_load_si128((const __m128i *)(const void *)c);

	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128())) & SLOT_BITS;
#else
	uint32_t z = 0, i;

	for (i = 0; i < SLOTS; i++)
		z |= (uint32_t)(c[i] == CTRL_EMPTY) << i;
	return z;
#endif
}

/* The first empty slot from @p p on, round the group (@p z != 0). */
static inline uint32_t
first_empty(uint32_t z, uint32_t p)
{
	return z >> p ? p + (uint32_t)__builtin_ctz(z >> p) : (uint32_t)__builtin_ctz(z);
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
	if (b->n_touched <= t->touch_max) { /* few groups written: those */
		const uint32_t *touched = t->touched + (size_t)t->cur * t->touch_max;
		uint32_t i;

		for (i = 0; i < b->n_touched; i++)
			memset(ctrl_at(t, touched[i], t->cur), CTRL_EMPTY, GROUP);
	} else { /* its control bytes (overflow flags too): 16 in each row */
		uint8_t *c = ctrl_at(t, 0, t->cur);
		uint32_t g;

		for (g = 0; g < t->n_groups; g++, c += t->row)
			memset(c, CTRL_EMPTY, GROUP);
	}
	b->used = b->live = 0;
	b->n_touched = 0;
	b->max_ts = 0;
	live_clear(t, t->cur);
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

static inline void
prefetch_row(const struct dnsyn_ctable *t, uint32_t g)
{
	const uint8_t *row = ctrl_at(t, g, 0);
	uint32_t c;

	for (c = 0; c < t->n_chunks; c++)
		__builtin_prefetch(row + c * CHUNK, 0, 3);
}

/* Stage B: for an insert, the slot it will take. For a lookup, note and
 * prefetch the entries whose control byte holds the key's fingerprint in its
 * home group of every live bucket; the next row when one of those groups
 * overflowed.
 * Reads only control bytes. Most keys have no match or one: that case takes
 * no data-dependent branch (a mispredicted one costs more than the rest). */
static void
pf_stage_b(const struct dnsyn_ctable *t, struct pf_slot *s)
{
	const uint8_t *row = ctrl_at(t, s->home, 0), *next;
	const probe_t p = probe_of(s->kh);
	const struct entry *e;
	struct row_scan r;
	uint32_t c, n, z;

	if (s->insert) {
		z = group_empty(row + (size_t)t->cur * GROUP);
		if (likely(z))
			prefetch_entry(entry_at(t, t->cur, s->home, first_empty(z, insert_pos(s->kh))));
		return;
	}
	row_scan(t, row, p, t->live_w, &r, 0);
	e = r.n ? entry_at(t, r.k, s->home, r.j) : &t->dummy;
	prefetch_entry(e);
	s->cand[0] = e;
	n = r.n;
	if (unlikely(n > 1)) { /* the others, in any order */
		uint32_t i = 1;

		for (c = 0; c < t->n_chunks && i < PF_CAND; c++) {
			uint64_t m = chunk_word(row + c * CHUNK, p) & t->live_w[c] & LANE_SLOTS;

			for (; m && i < PF_CAND; m &= m - 1) {
				const uint32_t bit = (uint32_t)__builtin_ctzll(m);

				e = entry_at(t, 4 * c + bit / 16, s->home, bit % 16);
				if (e != s->cand[0]) {
					prefetch_entry(e);
					s->cand[i++] = e;
				}
			}
		}
		n = i;
	}
	s->n_cand = (uint8_t)n;
	/* the next row (where an overflowed group goes on) or this one again */
	next = r.ovf ? ctrl_at(t, next_group(t, s->home), 0) : row;
	for (c = 0; c < t->n_chunks; c++)
		__builtin_prefetch(next + c * CHUNK, 0, 3);
}

/* The answer record of @p e when it holds the key of @p s, else @p e itself
 * (a line in cache): no branch. */
static inline const void *
pf_answer(const struct dnsyn_ctable *t, const struct pf_slot *s, const struct entry *e)
{
	uint64_t e0, e1, k0, k1;
	int hit;

	memcpy(&e0, e->addr, 8);
	memcpy(&e1, e->addr + 8, 8);
	memcpy(&k0, s->addr, 8);
	memcpy(&k1, s->addr + 8, 8);
	hit = (((e0 ^ k0) | (e1 ^ k1) | (uint64_t)(e->fam ^ s->fam)) == 0) & (e->slot < t->n_answers);
	return hit ? (const void *)&t->answers[e->slot] : (const void *)e;
}

/* Stage C: the answer records of the noted entries that hold the key. */
static void
pf_stage_c(const struct dnsyn_ctable *t, const struct pf_slot *s)
{
	uint32_t i;

	__builtin_prefetch(pf_answer(t, s, s->cand[0]), 1, 3);
	for (i = 1; i < s->n_cand; i++)
		__builtin_prefetch(pf_answer(t, s, s->cand[i]), 1, 3);
}

/* The table is const for the caller (nothing it can observe changes); the
 * pipeline's ring lives in the table's block and is written through t->pf. */
static inline void
prefetch_key(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, int insert)
{
	struct pf_ring *r = t->pf;
	struct pf_slot *s = &r->s[r->n % PF_RING];
	uint64_t kh = key_hash(addr, fam);

	/* Stage A: this key's control bytes, and its slot for the later stages. */
	s->kh = kh;
	s->home = home_group(t, kh);
	s->fam = fam;
	memcpy(s->addr, addr, 16);
	s->n_cand = 0;
	s->cand[0] = &t->dummy;
	s->insert = (uint8_t)insert;
	s->valid = 1;
	if (insert)
		__builtin_prefetch(ctrl_at(t, s->home, t->cur), 0, 3);
	else
		prefetch_row(t, s->home);
	/* Stages B and C of earlier calls' keys. */
	if (r->n >= PF_B && r->s[(r->n - PF_B) % PF_RING].valid)
		pf_stage_b(t, &r->s[(r->n - PF_B) % PF_RING]);
	if (r->n >= PF_C) {
		const struct pf_slot *o = &r->s[(r->n - PF_C) % PF_RING];

		if (o->valid && !o->insert)
			pf_stage_c(t, o);
	}
	r->n++;
}

void
dnsyn_ctable_prefetch(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam)
{
	prefetch_key(t, addr, fam, 1);
}

void
dnsyn_ctable_prefetch_lookup(const struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam)
{
	prefetch_key(t, addr, fam, 0);
}

/* Stage A: the key's hash and control row. */
static inline void
pk_hash(const struct dnsyn_ctable *t, struct pk *s, const uint8_t addr[16], uint8_t fam)
{
	uint64_t kh = key_hash(addr, fam);

	s->kh = kh;
	s->home = home_group(t, kh);
	s->fp = fingerprint(kh);
	s->fam = fam;
	memcpy(s->addr, addr, 16);
	prefetch_row(t, s->home);
}

/* All the fingerprint matches in the row (@p lanes), in scan order, noted
 * (up to PF_CAND) and prefetched; and the next row, where an overflowed group
 * goes on. Only for the few keys with more than one match or an overflow. */
static __attribute__((noinline)) void
pk_scan_more(const struct dnsyn_ctable *t, struct pk *s, const uint64_t *lanes, uint64_t ovf)
{
	const uint8_t *row = ctrl_at(t, s->home, 0), *next;
	const probe_t p = probe_of(s->kh);
	uint32_t c, i = 0;

	for (c = 0; c < t->n_chunks; c++) {
		uint64_t m = chunk_word(row + c * CHUNK, p) & lanes[c] & LANE_SLOTS;

		for (; m; m &= m - 1, i++) {
			const uint32_t bit = (uint32_t)__builtin_ctzll(m), k = 4 * c + bit / 16;

			if (i >= PF_CAND)
				continue;
			s->cand[i] = entry_at(t, k, s->home, bit % 16);
			s->ctrl[i] = ctrl_at(t, s->home, k) + bit % 16;
			s->kc[i] = (uint8_t)k;
			if (i) /* the first one is prefetched already */
				prefetch_entry(s->cand[i]);
		}
	}
	s->n_cand = (uint8_t)DNSYN_MIN(i, (uint32_t)PF_CAND);
	s->many = (ovf != 0) | (i > PF_CAND);
	if (ovf) {
		next = ctrl_at(t, next_group(t, s->home), 0);
		for (c = 0; c < t->n_chunks; c++)
			__builtin_prefetch(next + c * CHUNK, 0, 3);
	}
}

/* Stage B: the row's fingerprint matches in the buckets a lookup probes now
 * (act); the first one's entry prefetched (the dummy's when none), and what
 * a lookup of the key will need from the scan. Reads only control bytes. Most
 * keys have no match or one: that case takes no data-dependent branch (a
 * mispredicted one costs more than the rest). */
static inline void
pk_scan(const struct dnsyn_ctable *t, struct pk *s)
{
	const uint8_t *row = ctrl_at(t, s->home, 0);
	const probe_t p = probe_of(s->kh);
	const struct entry *e;
	struct row_scan r;

	row_scan(t, row, p, t->act_w, &r, 1);
	e = (const struct entry *)pick(r.n != 0, entry_addr(t, r.k, s->home, r.j),
				       (uintptr_t)&t->dummy);
	prefetch_entry(e);
	s->cand[0] = e;
	s->n_cand = (uint8_t)(r.n != 0);
	s->ctrl[0] = (uint8_t *)pick(r.n != 0,
				     (uintptr_t)ctrl_at(t, s->home, 0) + r.k * GROUP + r.j,
				     (uintptr_t)&t->no_ctrl);
	s->kc[0] = (uint8_t)r.k;
	s->slow = (r.n > 1) | (r.ovf != 0);
	s->act = t->act;
	s->addrs = t->st.addrs;
	if (unlikely(s->slow))
		pk_scan_more(t, s, t->act_w, r.ovf);
}

/* Whether @p e holds the key of @p s: no branch. */
static inline int
pk_holds(const struct pk *s, const struct entry *e)
{
	uint64_t e0, e1, k0, k1;

	memcpy(&e0, e->addr, 8);
	memcpy(&e1, e->addr + 8, 8);
	memcpy(&k0, s->addr, 8);
	memcpy(&k1, s->addr + 8, 8);
	return ((e0 ^ k0) | (e1 ^ k1) | (uint64_t)(e->fam ^ s->fam)) == 0;
}

/* The answer record of @p e when it holds the key of @p s, else @p e itself
 * (a line in cache): no branch. */
static inline const void *
pk_answer(const struct dnsyn_ctable *t, const struct pk *s, const struct entry *e)
{
	return (const void *)pick(pk_holds(s, e) & (e->slot < t->n_answers),
				  (uintptr_t)t->answers + (uintptr_t)e->slot * sizeof(*t->answers),
				  (uintptr_t)e);
}

/* Stage C: whether the noted entries hold the key, and their answer records
 * for those that do. */
static inline void
pk_compare(const struct dnsyn_ctable *t, struct pk *s)
{
	uint32_t i;

	s->hits = (uint8_t)pk_holds(s, s->cand[0]);
	__builtin_prefetch(pk_answer(t, s, s->cand[0]), 1, 3);
	for (i = 1; i < s->n_cand; i++) {
		s->hits |= (uint8_t)(pk_holds(s, s->cand[i]) << i);
		__builtin_prefetch(pk_answer(t, s, s->cand[i]), 1, 3);
	}
}

/* Note that bucket @p k wrote to group @p g (for roll()). */
static inline void
touch(struct dnsyn_ctable *t, uint32_t k, uint32_t g)
{
	struct bucket *b = &t->b[k];

	if (b->n_touched < t->touch_max)
		t->touched[(size_t)k * t->touch_max + b->n_touched] = g;
	if (b->n_touched <= t->touch_max)
		b->n_touched++;
}

void
dnsyn_ctable_addr_add(struct dnsyn_ctable *t, uint64_t h, const uint8_t addr[16], uint8_t fam,
		      uint64_t ts_ns)
{
	struct bucket *b = &t->b[t->cur];
	uint64_t kh = key_hash(addr, fam);
	uint32_t g = home_group(t, kh), p = insert_pos(kh), m, j;
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
	/* used < limit < slots: some group has an empty slot. Each full group
	 * passed gets its overflow flag, which sends lookups on past it. */
	for (;;) {
		c = ctrl_at(t, g, t->cur);
		m = group_empty(c);
		if (likely(m))
			break;
		c[OVF_BYTE] |= ovf_bit(kh);
		g = next_group(t, g);
	}
	j = first_empty(m, p);
	c[j] = fingerprint(kh);
	/* Placements only: a group whose overflow bits were set is full, so
	 * it received placements of this bucket and is listed already. */
	touch(t, t->cur, g);
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
	/* A bucket in act stays in it (its end only moves later); any other
	 * becoming live or matchable changes the set. */
	if (unlikely(!((t->act >> t->cur) & 1)))
		act_invalidate(t);
	if (unlikely(!((t->live_mask >> t->cur) & 1)))
		live_set(t, t->cur);
	t->until[t->cur] = b->max_ts + t->window_ns;
	if (ts_ns > t->now_max)
		t->now_max = ts_ns;
	t->st.addrs++;
}

/* A lookup that found fingerprint matches or overflowed groups: its state.
 * The entries of the key found by the scan are visited afterwards, so that
 * the scan makes no call. */
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
	probe_t p;
	uint8_t fam;
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
				live_clear(t, h->k);
		}
	}
	l->n_hits = 0;
}

/* The fingerprint matches @p m (bits 0..14) of group g of bucket k. */
static void
lk_matches(struct lk *l, uint32_t k, uint32_t g, uint32_t m)
{
	const struct dnsyn_ctable *t = l->t;
	uint8_t *c = ctrl_at(t, g, k);
	const struct entry *eg = entry_at(t, k, g, 0);

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

/* Bucket k's group g overflowed: the groups after it, up to one that did not. */
static void
lk_overflow(struct lk *l, uint32_t k, uint32_t g)
{
	const struct dnsyn_ctable *t = l->t;
	uint32_t w;

	do {
		g = next_group(t, g);
		l->groups++;
		w = group_word(ctrl_at(t, g, k), l->p);
		if (w & SLOT_BITS)
			lk_matches(l, k, g, w & SLOT_BITS);
	} while (w >> 15);
}

/* A lookup's one entry @p e holding its key (control byte @p c, bucket @p k),
 * as lk_visit() would visit it. */
static inline unsigned int
lookup_one(struct dnsyn_ctable *t, const struct entry *e, uint8_t *c, uint32_t k,
	   dnsyn_ctable_visit visit, void *ud)
{
	struct dnsyn_ctable_answer *a = &t->answers[e->slot];
	unsigned int n = 0;
	int drop;

	if ((uint16_t)a->seq != e->seq) {
		drop = 1; /* its answer record was reused */
	} else {
		n = 1;
		drop = visit(ud, a) != 0;
	}
	if (drop) {
		*c = CTRL_REMOVED;
		if (--t->b[k].live == 0)
			live_clear(t, k);
	}
	return n;
}

/* The rest of a lookup whose row had more than one fingerprint match, or a
 * group whose overflow filter holds the key, in the buckets in act. */
static __attribute__((noinline)) unsigned int
lookup_found(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, uint64_t kh,
	     dnsyn_ctable_visit visit, void *ud)
{
	const uint32_t home = home_group(t, kh);
	const uint8_t *row = ctrl_at(t, home, 0);
	const probe_t p = probe_of(kh);
	struct lk l;
	uint32_t c;

	l.t = t;
	l.visit = visit;
	l.ud = ud;
	memcpy(&l.a0, addr, 8);
	memcpy(&l.a1, addr + 8, 8);
	l.probes = l.groups = 0;
	l.n_hits = 0;
	l.n = 0;
	l.fam = fam;
	l.p = p;
	for (c = 0; c < t->n_chunks; c++) {
		/* act_w does not change during the lookup (a visit may only mark
		 * it to be worked out again) */
		const uint64_t w = chunk_word(row + c * CHUNK, p) & t->act_w[c];
		uint64_t m;

		for (m = w & LANE_SLOTS; m; ) { /* group by group */
			const uint32_t sh = (uint32_t)__builtin_ctzll(m) & ~15u;

			lk_matches(&l, 4 * c + sh / 16, home, (uint32_t)(m >> sh) & SLOT_BITS);
			m &= ~(0xffffULL << sh);
		}
		for (m = w & LANE_OVF; m; m &= m - 1)
			lk_overflow(&l, 4 * c + (uint32_t)__builtin_ctzll(m) / 16, home);
	}
	if (l.n_hits)
		lk_visit(&l);
	t->st.probes += l.probes;
	t->st.groups += l.groups;
	return l.n;
}

/* dnsyn_ctable_lookup() of a key whose hash is @p kh. */
static inline unsigned int
lookup_kh(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, uint64_t kh,
	  uint64_t now_ns, dnsyn_ctable_visit visit, void *ud)
{
	const uint8_t *row = ctrl_at(t, home_group(t, kh), 0);
	const struct entry *e;
	struct row_scan r;
	uint64_t a0, a1, e0, e1;
	int hit;

	if (now_ns > t->now_max)
		t->now_max = now_ns;
	if (unlikely(now_ns < t->act_lo || now_ns > t->act_hi))
		act_update(t, now_ns);
	/* The home group of each bucket that can hold an answer in the window
	 * (bucket_matchable(): live and newest time + window >= now), the whole
	 * row at once: fingerprint matches and overflowed groups. */
	row_scan(t, row, probe_of(kh), t->act_w, &r, 0);
	t->st.lookups++;
	t->st.groups += t->act_n;
	if (unlikely(r.n > 1 || r.ovf))
		return lookup_found(t, addr, fam, kh, visit, ud);
	/* None or one match: its entry (the dummy for none), and a single
	 * branch on whether it holds the key. */
	t->st.probes += r.n;
	e = r.n ? entry_at(t, r.k, home_group(t, kh), r.j) : &t->dummy;
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	memcpy(&e0, e->addr, 8);
	memcpy(&e1, e->addr + 8, 8);
	hit = (((e0 ^ a0) | (e1 ^ a1) | (uint64_t)(e->fam ^ fam)) == 0) & (r.n != 0);
	if (!hit)
		return 0;
	return lookup_one(t, e, ctrl_at(t, home_group(t, kh), r.k) + r.j, r.k, visit, ud);
}

unsigned int
dnsyn_ctable_lookup(struct dnsyn_ctable *t, const uint8_t addr[16], uint8_t fam, uint64_t now_ns,
		    dnsyn_ctable_visit visit, void *ud)
{
	return lookup_kh(t, addr, fam, key_hash(addr, fam), now_ns, visit, ud);
}

/* A prepared key whose scan no longer holds: the lookup from the start. */
static __attribute__((noinline)) unsigned int
pk_lookup_afresh(struct dnsyn_ctable *t, const struct pk *s, uint64_t now_ns,
		 dnsyn_ctable_visit visit, void *ud)
{
	return lookup_kh(t, s->addr, s->fam, s->kh, now_ns, visit, ud);
}

static int pk_holds_still(const struct dnsyn_ctable *t, const struct pk *s, uint64_t now);

/* A prepared key with more than one match or an overflow, as lookup_kh()
 * would take it (lookup_found()): straight from the noted matches when there
 * are few, no overflow and the scan holds, else the row again (in cache by
 * now). The same visits and counters even when removals since have left one
 * match or none. */
static __attribute__((noinline)) unsigned int
pk_lookup_slow(struct dnsyn_ctable *t, const struct pk *s, uint64_t now_ns,
	       dnsyn_ctable_visit visit, void *ud)
{
	unsigned int i, n = 0;

	if (now_ns > t->now_max)
		t->now_max = now_ns;
	if (unlikely(s->many || !pk_holds_still(t, s, now_ns))) {
		if (unlikely(now_ns < t->act_lo || now_ns > t->act_hi))
			act_update(t, now_ns);
		t->st.lookups++;
		t->st.groups += t->act_n;
		return lookup_found(t, s->addr, s->fam, s->kh, visit, ud);
	}
	/* A few matches, no overflow, and the scan holds: each still a match
	 * (not removed since) is a probe; those holding the key are visited,
	 * in scan order, as lookup_found() would. */
	t->st.lookups++;
	t->st.groups += t->act_n;
	for (i = 0; i < s->n_cand; i++) {
		const uint32_t live = *s->ctrl[i] == s->fp;

		t->st.probes += live;
		if (live && (s->hits >> i & 1))
			n += lookup_one(t, s->cand[i], s->ctrl[i], s->kc[i], visit, ud);
	}
	return n;
}

/* Whether what the scan of @p s found holds for a lookup at @p now: the same
 * buckets to probe (act unchanged and right for now), the same control bytes
 * but for removals (no insert since: a burst's visitor must not insert, and
 * this makes sure). Removals only turn a match into CTRL_REMOVED, which the
 * lookup sees in the control bytes the scan noted. */
static inline int
pk_holds_still(const struct dnsyn_ctable *t, const struct pk *s, uint64_t now)
{
	return (s->act == t->act) & (now >= t->act_lo) & (now <= t->act_hi) &
	       (s->addrs == t->st.addrs);
}

/* Stage D: the lookup of the key of @p s (scanned and compared) at @p now,
 * as dnsyn_ctable_lookup() would do it now. */
static inline unsigned int
pk_lookup(struct dnsyn_ctable *t, const struct pk *s, uint64_t now, dnsyn_ctable_visit visit,
	  void *ud)
{
	uint32_t live;

	if (unlikely(s->slow))
		return pk_lookup_slow(t, s, now, visit, ud);
	if (unlikely(!pk_holds_still(t, s, now)))
		return pk_lookup_afresh(t, s, now, visit, ud);
	if (now > t->now_max)
		t->now_max = now;
	t->st.lookups++;
	t->st.groups += t->act_n;
	/* the match may have been removed since (an earlier lookup of the
	 * same key): then there is none, as a scan now would find */
	live = *s->ctrl[0] == s->fp;
	t->st.probes += live;
	if (!(live & s->hits))
		return 0;
	return lookup_one(t, s->cand[0], s->ctrl[0], s->kc[0], visit, ud);
}

/* A burst visitor called through dnsyn_ctable_visit. */
struct burst_ud {
	dnsyn_ctable_visit_at visit;
	void *ud;
	unsigned int i;
};

static int
burst_visit(void *ud, struct dnsyn_ctable_answer *a)
{
	const struct burst_ud *b = ud;

	return b->visit(b->ud, b->i, a);
}

/* Keys per step of the burst pipeline: a step is 4 stages of BG keys each,
 * every stage on the keys the step before prepared, so each key's lines have
 * a step's time (BG keys' work: a few hundred ns) to arrive. */
#define BG 16

unsigned int
dnsyn_ctable_lookup_burst(struct dnsyn_ctable *t, const uint8_t *const addrs[],
			  const uint8_t fams[], const uint64_t now_ns[], unsigned int n,
			  dnsyn_ctable_visit_at visit, void *ud)
{
	struct pk ring[4 * BG];
	struct burst_ud bu = {.visit = visit, .ud = ud, .i = 0};
	unsigned int step, i, n_steps = (n + BG - 1) / BG, found = 0;

	/* The buckets to probe as a lookup of the first key works them out:
	 * the scans use them (a key they do not suit is looked up afresh). */
	if (n && unlikely(now_ns[0] < t->act_lo || now_ns[0] > t->act_hi))
		act_update(t, now_ns[0]);
	for (step = 0; step < n_steps + 3; step++) {
		/* A: this step's keys */
		for (i = step * BG; i < n && i < (step + 1) * BG; i++)
			pk_hash(t, &ring[i % (4 * BG)], addrs[i], fams[i]);
		/* B: the step before's */
		if (step >= 1)
			for (i = (step - 1) * BG; i < n && i < step * BG; i++)
				pk_scan(t, &ring[i % (4 * BG)]);
		/* C: two steps before */
		if (step >= 2)
			for (i = (step - 2) * BG; i < n && i < (step - 1) * BG; i++)
				pk_compare(t, &ring[i % (4 * BG)]);
		/* D: the lookups of three steps before, in order */
		if (step >= 3)
			for (i = (step - 3) * BG; i < n && i < (step - 2) * BG; i++) {
				bu.i = i;
				found += pk_lookup(t, &ring[i % (4 * BG)], now_ns[i], burst_visit, &bu);
			}
	}
	return found;
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
