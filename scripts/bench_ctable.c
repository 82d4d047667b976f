/* SPDX-License-Identifier: BSD-3-Clause */
/* Micro-benchmark of the correlation table (lib/corr/dnsyn_ctable.c), one
 * shard, one thread: A-record inserts/s with the table at its capacity in
 * steady state, SYN lookups/s (50 % pending addresses / 50 % random, all
 * random, all pending) with a visitor doing the correlator's work (time window
 * test, set a bit), and memory per tracked address. Inserts and lookups are
 * measured one event at a time, and the way the correlator works through a
 * burst, calling dnsyn_ctable_prefetch() (inserts) or
 * dnsyn_ctable_prefetch_lookup() (lookups) for the event --prefetch events
 * ahead (8 by default) before handling the current one. Lookups also through
 * dnsyn_ctable_lookup_burst() on --burst keys at a time (32 by default; 0: not
 * measured). The variants alternate rep by rep.
 *
 *   scripts/bench_ctable [--quick] [--sizes 1k,1M,10M] [--reps 5] [--min-time 0.5]
 *                        [--window-ms 1000] [--buckets 8] [--prefetch 8] [--burst 32]
 *                        [--no-thp] [--cpu-time]
 *
 * Each figure: a loop of at least --min-time seconds (CLOCK_MONOTONIC; with
 * --cpu-time the thread's CPU time, CLOCK_THREAD_CPUTIME_ID, which leaves out
 * the time other jobs held the vCPU on a shared machine, not their use of
 * the caches and memory), run --reps times, median printed (with min..max),
 * cycles per operation from __rdtsc() (TSC cycles: the nominal clock, not the
 * turbo one; with --cpu-time, CPU time in TSC cycles). Keys come from a seeded
 * PRNG: two runs do the same work. The last line is for scripts:
 *   ctable insert_mps=<x> lookup_mps=<y> bytes_per_addr=<z> at=1M prefetch=<d>
 *          insert_pf_mps=<x'> lookup_pf_mps=<y'> burst=<n> lookup_burst_mps=<y''>
 *          clock=<wall|cpu>
 * (inserts: A records per second; lookups: the 50/50 mix; _pf: with prefetch
 * distance d; _burst: dnsyn_ctable_lookup_burst() n keys at a time; all on
 * one line.) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#include "dnsyn_ctable.h"

#define MAX_SIZES 8
#define MAX_REPS 31
#define NKEYS (1u << 20) /* lookup keys per mix, read in a loop */
#define AHEAD 256        /* A records generated ahead of the inserts (ring) */
#define MAX_PREFETCH 128
#define MAX_BURST 4096

struct opts {
	uint64_t sizes[MAX_SIZES];
	char labels[MAX_SIZES][16];
	unsigned int n_sizes;
	unsigned int reps;
	double min_time;
	uint64_t window_ns;
	uint32_t buckets;
	unsigned int prefetch; /* distance in events; 0: no prefetch run */
	unsigned int burst;    /* keys per dnsyn_ctable_lookup_burst(); 0: not run */
	int thp;
	int cpu_time; /* time loops by the thread's CPU time */
};

/* What the loops are timed by (--cpu-time: CLOCK_THREAD_CPUTIME_ID), and TSC
 * cycles per ns of wall time, for cycles per operation from CPU time. */
static clockid_t bench_clock = CLOCK_MONOTONIC;
static double tsc_per_ns;

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t
now_ns(void)
{
	return clock_ns(bench_clock);
}

static inline uint64_t
tsc(void)
{
#if HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

/* xorshift64*: deterministic keys. */
static inline uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* ::ffff:a as two 8-byte stores: the table reads an address as two 8-byte
 * words, which a store of each byte just before could not forward (the loads
 * would wait for the stores to reach the cache: ~15 cycles per call, a cost
 * of this loop, not of the table; the correlator's addresses were written
 * long before it reads them). */
static inline void
v4m(uint8_t out[16], uint32_t a)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t lo = 0, hi = 0xffff0000ULL | (uint64_t)__builtin_bswap32(a) << 32;

	memcpy(out, &lo, 8);
	memcpy(out + 8, &hi, 8);
#else
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	out[12] = (uint8_t)(a >> 24);
	out[13] = (uint8_t)(a >> 16);
	out[14] = (uint8_t)(a >> 8);
	out[15] = (uint8_t)a;
#endif
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct sample {
	double mops[MAX_REPS];
	double cyc[MAX_REPS];
	double probes[MAX_REPS];
	double groups[MAX_REPS];
	double visited[MAX_REPS];
	unsigned int n;
};

static double
median(double *v, unsigned int n)
{
	double tmp[MAX_REPS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_dbl);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static double
vmin(const double *v, unsigned int n)
{
	double m = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double
vmax(const double *v, unsigned int n)
{
	double m = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---- the workload ---------------------------------------------------------- */

/* An A record to insert: the first of its answer starts one. */
struct arec {
	uint64_t ts;
	uint32_t addr;
	uint32_t client;
	uint32_t first;
};

struct bench {
	struct dnsyn_ctable *t;
	uint64_t capacity;
	uint64_t ts;       /* packet time of the next answer */
	uint64_t dt;       /* between answers: capacity addresses per window */
	uint64_t rng;
	uint64_t n_answers;
	uint32_t *hist;    /* the last `capacity` addresses inserted */
	uint64_t hpos;
	uint32_t *keys;    /* lookup keys of the mix being measured */
	struct arec ahead[AHEAD]; /* the A records to come: [used, made) */
	uint64_t made, used;
	uint64_t h;        /* handle of the answer being inserted */
};

/* What the correlator's visitor does: the exact time rule, then mark. */
struct vctx {
	uint64_t now, window;
	uint64_t hits;
};

static int
visit(void *ud, struct dnsyn_ctable_answer *a)
{
	struct vctx *v = ud;

	if (a->ts_ns <= v->now && v->now - a->ts_ns <= v->window) {
		a->matched |= 1;
		v->hits++;
	}
	return 0;
}

static int
visit_at(void *ud, unsigned int i, struct dnsyn_ctable_answer *a)
{
	(void)i;
	return visit(ud, a);
}

/* One answer with 1-4 random IPv4 addresses, queued in b->ahead. */
static inline void
make_answer(struct bench *b)
{
	uint64_t r = rnd(&b->rng);
	unsigned int k, n = 1 + (unsigned int)(r & 3);

	for (k = 0; k < n; k++) {
		struct arec *a = &b->ahead[b->made++ % AHEAD];

		a->ts = b->ts;
		a->client = 0x0a000000u | (uint32_t)(r >> 40);
		a->addr = (uint32_t)(rnd(&b->rng) >> 32);
		a->first = k == 0;
	}
	b->ts += b->dt;
	b->n_answers++;
}

/* Insert the next A record (and start its answer), with the record @p pf
 * places further on prefetched when pf > 0. */
static inline void
insert_one(struct bench *b, unsigned int pf)
{
	const struct arec *a;
	uint8_t addr[16];

	while (b->made - b->used <= pf)
		make_answer(b);
	if (pf) {
		v4m(addr, b->ahead[(b->used + pf) % AHEAD].addr);
		dnsyn_ctable_prefetch(b->t, addr, 4);
	}
	a = &b->ahead[b->used++ % AHEAD];
	if (a->first) {
		v4m(addr, a->client);
		b->h = dnsyn_ctable_answer_add(b->t, a->ts, addr);
	}
	v4m(addr, a->addr);
	dnsyn_ctable_addr_add(b->t, b->h, addr, 4, a->ts);
	b->hist[b->hpos++ % b->capacity] = a->addr;
}

static void
measure_insert(struct bench *b, const struct opts *o, unsigned int pf, struct sample *s)
{
	uint64_t t0, t1, c0, c1, ops = 0, answers0 = b->n_answers;
	unsigned int i;

	t0 = now_ns();
	c0 = tsc();
	do {
		for (i = 0; i < 4096; i++)
			insert_one(b, pf);
		ops += 4096;
		t1 = now_ns();
	} while ((double)(t1 - t0) < o->min_time * 1e9);
	c1 = tsc();
	s->mops[s->n] = (double)ops / (double)(t1 - t0) * 1e3;
	s->cyc[s->n] = (bench_clock == CLOCK_MONOTONIC ? (double)(c1 - c0)
						       : (double)(t1 - t0) * tsc_per_ns) / (double)ops;
	s->probes[s->n] = 0;
	s->groups[s->n] = 0;
	s->visited[s->n] = (double)(b->n_answers - answers0) / (double)ops; /* answers per A record */
	s->n++;
}

/* Keys: hit_pct % taken from the newest half of the inserted addresses (still
 * pending, inside the window), the rest random. */
static void
make_keys(struct bench *b, unsigned int hit_pct)
{
	uint64_t st = 0x1234567ULL + hit_pct, live = b->capacity / 2, avail;
	unsigned int i;

	avail = b->hpos < live ? b->hpos : live;
	for (i = 0; i < NKEYS; i++) {
		uint64_t r = rnd(&st);

		if (avail && r % 100 < hit_pct)
			b->keys[i] = b->hist[(b->hpos - 1 - (r >> 8) % avail) % b->capacity];
		else
			b->keys[i] = (uint32_t)(rnd(&st) >> 32);
	}
}

/* How lookups are made (the variants). */
enum lk_mode {
	LK_ONE,    /* dnsyn_ctable_lookup() */
	LK_PF,     /* + dnsyn_ctable_prefetch_lookup() pf keys ahead */
	LK_BURST,  /* dnsyn_ctable_lookup_burst() */
	LK_MODES
};

/* Burst keys: addresses, families, times, and pointers to the addresses. */
static uint8_t burst_addr[MAX_BURST][16];
static const uint8_t *burst_ptr[MAX_BURST];
static uint8_t burst_fam[MAX_BURST];
static uint64_t burst_now[MAX_BURST];

static void
measure_lookup(struct bench *b, const struct opts *o, enum lk_mode mode, struct sample *s)
{
	const struct dnsyn_ctable_stats *st = dnsyn_ctable_stats(b->t);
	struct vctx v = {.now = b->ts - b->dt, .window = o->window_ns, .hits = 0};
	uint64_t t0, t1, c0, c1, ops = 0, l0 = st->lookups, p0 = st->probes, g0 = st->groups;
	const unsigned int pf = o->prefetch, nb = o->burst ? o->burst : 1;
	uint8_t addr[16];
	unsigned int i, k, q, j = 0;

	for (i = 0; i < nb; i++) {
		burst_ptr[i] = burst_addr[i];
		burst_fam[i] = 4;
		burst_now[i] = v.now;
	}
	t0 = now_ns();
	c0 = tsc();
	do {
		if (mode == LK_BURST)
			for (i = 0; i < 4096; i += k) {
				k = 4096 - i < nb ? 4096 - i : nb;
				for (q = 0; q < k; q++) {
					v4m(burst_addr[q], b->keys[j]);
					j = (j + 1) & (NKEYS - 1);
				}
				dnsyn_ctable_lookup_burst(b->t, burst_ptr, burst_fam, burst_now, k,
							  visit_at, &v);
			}
		else if (mode == LK_PF)
			for (i = 0; i < 4096; i++) {
				v4m(addr, b->keys[(j + pf) & (NKEYS - 1)]);
				dnsyn_ctable_prefetch_lookup(b->t, addr, 4);
				v4m(addr, b->keys[j]);
				j = (j + 1) & (NKEYS - 1);
				dnsyn_ctable_lookup(b->t, addr, 4, v.now, visit, &v);
			}
		else
			for (i = 0; i < 4096; i++) {
				v4m(addr, b->keys[j]);
				j = (j + 1) & (NKEYS - 1);
				dnsyn_ctable_lookup(b->t, addr, 4, v.now, visit, &v);
			}
		ops += 4096;
		t1 = now_ns();
	} while ((double)(t1 - t0) < o->min_time * 1e9);
	c1 = tsc();
	s->mops[s->n] = (double)ops / (double)(t1 - t0) * 1e3;
	s->cyc[s->n] = (bench_clock == CLOCK_MONOTONIC ? (double)(c1 - c0)
						       : (double)(t1 - t0) * tsc_per_ns) / (double)ops;
	s->probes[s->n] = (double)(st->probes - p0) / (double)(st->lookups - l0);
	s->groups[s->n] = (double)(st->groups - g0) / (double)(st->lookups - l0);
	s->visited[s->n] = (double)v.hits / (double)ops;
	s->n++;
}

/* ---- driver ---------------------------------------------------------------- */

struct result {
	double ins, lk_mix, ins_pf, lk_mix_pf, lk_mix_burst, bpa;
};

static void *
big_alloc(size_t size, int thp)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (thp)
		madvise(p, size, MADV_HUGEPAGE);
#else
	(void)thp;
#endif
	return p;
}

static void
print_op(const char *label, const char *op, struct sample *s, int probes)
{
	printf("%-6s %-33s %8.2f  %7.2f..%-7.2f %8.1f %7.1f", label, op, median(s->mops, s->n),
	       vmin(s->mops, s->n), vmax(s->mops, s->n), median(s->cyc, s->n),
	       1e3 / median(s->mops, s->n));
	if (probes)
		printf(" %9.2f %9.2f %9.3f", median(s->groups, s->n), median(s->probes, s->n),
		       median(s->visited, s->n));
	printf("\n");
}

static int
run_size(const struct opts *o, unsigned int si, struct result *res)
{
	struct dnsyn_ctable_cfg cfg = {
		.capacity = (uint32_t)o->sizes[si], .answers = 0, .n_buckets = o->buckets,
		.window_ns = o->window_ns};
	const struct dnsyn_ctable_stats *st;
	/* inserts [0]: one event at a time, [1]: prefetching o->prefetch events
	 * ahead; lookups: by enum lk_mode */
	struct sample ins[2], mix[LK_MODES], miss[LK_MODES], hit[LK_MODES];
	unsigned int pfs[2] = {0, o->prefetch}, n_pf = o->prefetch ? 2 : 1, v, n_modes = 0;
	enum lk_mode modes[LK_MODES];
	char op[64];
	struct bench b;
	size_t msize, asize;
	uint64_t t0, c0, prefill;
	void *mem;
	unsigned int r;
	double tsc_ghz;

	memset(&b, 0, sizeof(b));
	memset(ins, 0, sizeof(ins));
	memset(mix, 0, sizeof(mix));
	memset(miss, 0, sizeof(miss));
	memset(hit, 0, sizeof(hit));
	msize = dnsyn_ctable_memsize(&cfg);
	if (msize == 0) {
		fprintf(stderr, "bench_ctable: invalid configuration for size %s\n", o->labels[si]);
		return -1;
	}
	asize = (msize + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	mem = big_alloc(asize, o->thp);
	b.hist = malloc(o->sizes[si] * sizeof(*b.hist));
	b.keys = malloc(NKEYS * sizeof(*b.keys));
	if (!mem || !b.hist || !b.keys) {
		fprintf(stderr, "bench_ctable: out of memory for size %s\n", o->labels[si]);
		return -1;
	}
	b.t = dnsyn_ctable_init(mem, &cfg); /* also touches every page */
	if (!b.t) {
		fprintf(stderr, "bench_ctable: init failed\n");
		return -1;
	}
	b.capacity = o->sizes[si];
	b.rng = 0x9e3779b97f4a7c15ULL ^ b.capacity;
	b.ts = 1700000000ULL * 1000000000ULL;
	/* capacity addresses per window, 2.5 addresses per answer on average */
	b.dt = (uint64_t)((double)o->window_ns * 2.5 / (double)b.capacity);
	if (b.dt == 0)
		b.dt = 1;

	/* Steady state: two windows' worth of addresses first. */
	for (prefill = 0; prefill < 2 * b.capacity; prefill++)
		insert_one(&b, 0);

	/* the variants alternate, so that a noisy neighbour hits both alike */
	t0 = clock_ns(CLOCK_MONOTONIC);
	c0 = tsc();
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_pf; v++)
			measure_insert(&b, o, pfs[v], &ins[v]);
	tsc_ghz = (double)(tsc() - c0) / (double)(clock_ns(CLOCK_MONOTONIC) - t0);

	st = dnsyn_ctable_stats(b.t);
	printf("%-6s capacity %" PRIu64 ": memsize %.1f MiB, bytes_per_addr %.2f, memsize/capacity %.2f,"
	       " bucket %.1f ms\n",
	       o->labels[si], b.capacity, (double)msize / (1 << 20), dnsyn_ctable_bytes_per_addr(b.t),
	       (double)msize / (double)b.capacity, dnsyn_ctable_bucket_ns(b.t) / 1e6);
	printf("%-6s steady state: occupancy %" PRIu64 " (%.0f %% of capacity), %" PRIu64
	       " addresses in, early_rolls %" PRIu64 ", evicted_addrs %" PRIu64 " (%.1f %%),"
	       " expired_addrs %" PRIu64 ", evicted_answers %" PRIu64 "\n",
	       o->labels[si], dnsyn_ctable_occupancy(b.t),
	       100.0 * (double)dnsyn_ctable_occupancy(b.t) / (double)b.capacity, st->addrs,
	       st->early_rolls, st->evicted_addrs, 100.0 * (double)st->evicted_addrs / (double)st->addrs,
	       st->expired_addrs, st->evicted_answers);

	modes[n_modes++] = LK_ONE;
	if (o->prefetch)
		modes[n_modes++] = LK_PF;
	if (o->burst)
		modes[n_modes++] = LK_BURST;
	make_keys(&b, 50);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_modes; v++)
			measure_lookup(&b, o, modes[v], &mix[modes[v]]);
	make_keys(&b, 0);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_modes; v++)
			measure_lookup(&b, o, modes[v], &miss[modes[v]]);
	make_keys(&b, 100);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_modes; v++)
			measure_lookup(&b, o, modes[v], &hit[modes[v]]);

	printf("%-6s %-33s %8s  %-15s %8s %7s %9s %9s %9s\n", "size", "operation", "M ops/s",
	       "(min..max)", "cyc/op", "ns/op", "groups/op", "probes/op", "found/op");
	for (v = 0; v < n_modes; v++) {
		const enum lk_mode m = modes[v];
		char name[96];

		if (m == LK_ONE)
			op[0] = 0;
		else if (m == LK_PF)
			snprintf(op, sizeof(op), ", prefetch %u", o->prefetch);
		else
			snprintf(op, sizeof(op), ", burst %u", o->burst);
#define OPNAME(what) (snprintf(name, sizeof(name), "%s%s", what, op), name)
		if (m == LK_ONE || m == LK_PF)
			print_op(o->labels[si], OPNAME("insert (A record)"), &ins[m == LK_PF], 0);
		print_op(o->labels[si], OPNAME("lookup 50% pending"), &mix[m], 1);
		print_op(o->labels[si], OPNAME("lookup all random"), &miss[m], 1);
		print_op(o->labels[si], OPNAME("lookup all pending"), &hit[m], 1);
#undef OPNAME
	}
	printf("%-6s (inserts: %.2f M answers/s; TSC %.2f GHz)\n\n", o->labels[si],
	       median(ins[0].mops, ins[0].n) * median(ins[0].visited, ins[0].n), tsc_ghz);
	res->ins = median(ins[0].mops, ins[0].n);
	res->lk_mix = median(mix[0].mops, mix[0].n);
	res->ins_pf = o->prefetch ? median(ins[1].mops, ins[1].n) : res->ins;
	res->lk_mix_pf = o->prefetch ? median(mix[LK_PF].mops, mix[LK_PF].n) : res->lk_mix;
	res->lk_mix_burst = o->burst ? median(mix[LK_BURST].mops, mix[LK_BURST].n) : 0;
	res->bpa = dnsyn_ctable_bytes_per_addr(b.t);
	munmap(mem, asize);
	free(b.hist);
	free(b.keys);
	return 0;
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1e6, end++;
	if (*end || v < 1 || v > 1e9)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_ctable [--quick] [--sizes 1k,1M,10M] [--reps N] [--min-time S]\n"
			"                    [--window-ms MS] [--buckets N] [--prefetch D] [--burst N]\n"
			"                    [--no-thp] [--cpu-time]\n"
			"  --prefetch D: also measure with dnsyn_ctable_prefetch[_lookup]() D events ahead\n"
			"                (default 8, at most %d; 0: only without)\n"
			"  --burst N:    also measure dnsyn_ctable_lookup_burst() on N keys at a time\n"
			"                (default 32, at most %d; 0: not)\n"
			"  --cpu-time:   time by the thread's CPU time, not the wall clock\n",
		MAX_PREFETCH, MAX_BURST);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct result res[MAX_SIZES];
	const char *sizes = "1k,1M,10M";
	int i, at = -1;
	unsigned int k;

	memset(&o, 0, sizeof(o));
	o.reps = 5;
	o.min_time = 0.5;
	o.window_ns = 1000000000ULL;
	o.buckets = 8;
	o.prefetch = 8;
	o.burst = 32;
	o.thp = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			sizes = "1k,1M";
		else if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
			sizes = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			o.reps = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
			o.min_time = atof(argv[++i]);
		else if (!strcmp(argv[i], "--window-ms") && i + 1 < argc)
			o.window_ns = (uint64_t)(atof(argv[++i]) * 1e6);
		else if (!strcmp(argv[i], "--buckets") && i + 1 < argc)
			o.buckets = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--prefetch") && i + 1 < argc)
			o.prefetch = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--burst") && i + 1 < argc)
			o.burst = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-thp"))
			o.thp = 0;
		else if (!strcmp(argv[i], "--cpu-time"))
			o.cpu_time = 1;
		else
			usage();
	}
	if (o.reps < 1 || o.reps > MAX_REPS || o.min_time <= 0 || o.window_ns == 0 ||
	    o.prefetch > MAX_PREFETCH || o.burst > MAX_BURST)
		usage();
	{
		char buf[256], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", sizes);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (o.n_sizes == MAX_SIZES || parse_size(tok, &o.sizes[o.n_sizes]))
				usage();
			snprintf(o.labels[o.n_sizes], sizeof(o.labels[0]), "%s", tok);
			o.n_sizes++;
		}
		if (!o.n_sizes)
			usage();
	}
	if (o.cpu_time) { /* TSC cycles per ns: 50 ms of wall clock */
		const uint64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = tsc();

		while (clock_ns(CLOCK_MONOTONIC) - w0 < 50000000)
			;
		tsc_per_ns = (double)(tsc() - c0) / (double)(clock_ns(CLOCK_MONOTONIC) - w0);
		bench_clock = CLOCK_THREAD_CPUTIME_ID;
	}
	printf("== dnsyn_ctable micro-benchmark: window %.0f ms, %u buckets, answers = capacity/2,"
	       " IPv4, 1-4 addresses per answer, %u reps x >= %.2f s, median; prefetch distance %u;"
	       " burst %u; THP %s; timed by %s\n\n",
	       o.window_ns / 1e6, o.buckets, o.reps, o.min_time, o.prefetch, o.burst,
	       o.thp ? "on" : "off", o.cpu_time ? "the thread's CPU time" : "the wall clock");
	for (k = 0; k < o.n_sizes; k++) {
		if (run_size(&o, k, &res[k]))
			return 1;
		if (o.sizes[k] == 1000000)
			at = (int)k;
	}
	if (at < 0)
		at = (int)o.n_sizes - 1;
	fflush(stdout);
	printf("ctable insert_mps=%.2f lookup_mps=%.2f bytes_per_addr=%.2f at=%s prefetch=%u"
	       " insert_pf_mps=%.2f lookup_pf_mps=%.2f burst=%u lookup_burst_mps=%.2f clock=%s\n",
	       res[at].ins, res[at].lk_mix, res[at].bpa, o.sizes[at] == 1000000 ? "1M" : o.labels[at],
	       o.prefetch, res[at].ins_pf, res[at].lk_mix_pf, o.burst, res[at].lk_mix_burst,
	       o.cpu_time ? "cpu" : "wall");
	return 0;
}
