/* SPDX-License-Identifier: BSD-3-Clause */
/* Micro-benchmark of the correlation table (lib/corr/dnsyn_ctable.c), one
 * shard, one thread: A-record inserts/s with the table at its capacity in
 * steady state, SYN lookups/s (50 % pending addresses / 50 % random, all
 * random, all pending) with a visitor doing the correlator's work (time window
 * test, set a bit), and memory per tracked address. Inserts and lookups are
 * measured twice: one event at a time, and the way the correlator works
 * through a burst, calling dnsyn_ctable_prefetch() (inserts) or
 * dnsyn_ctable_prefetch_lookup() (lookups) for the event --prefetch events
 * ahead (8 by default) before handling the current one.
 *
 *   scripts/bench_ctable [--quick] [--sizes 1k,1M,10M] [--reps 5] [--min-time 0.5]
 *                        [--window-ms 1000] [--buckets 8] [--prefetch 8] [--no-thp]
 *
 * Each figure: a loop of at least --min-time seconds (CLOCK_MONOTONIC), run
 * --reps times, median printed (with min..max), cycles per operation from
 * __rdtsc() (TSC cycles: the nominal clock, not the turbo one). Keys come from
 * a seeded PRNG: two runs do the same work. The last line is for scripts:
 *   ctable insert_mps=<x> lookup_mps=<y> bytes_per_addr=<z> at=1M prefetch=<d>
 *          insert_pf_mps=<x'> lookup_pf_mps=<y'>
 * (inserts: A records per second; lookups: the 50/50 mix; _pf: with prefetch
 * distance d; all on one line.) */
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

struct opts {
	uint64_t sizes[MAX_SIZES];
	char labels[MAX_SIZES][16];
	unsigned int n_sizes;
	unsigned int reps;
	double min_time;
	uint64_t window_ns;
	uint32_t buckets;
	unsigned int prefetch; /* distance in events; 0: no prefetch run */
	int thp;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
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
	s->cyc[s->n] = (double)(c1 - c0) / (double)ops;
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

static void
measure_lookup(struct bench *b, const struct opts *o, unsigned int pf, struct sample *s)
{
	const struct dnsyn_ctable_stats *st = dnsyn_ctable_stats(b->t);
	struct vctx v = {.now = b->ts - b->dt, .window = o->window_ns, .hits = 0};
	uint64_t t0, t1, c0, c1, ops = 0, l0 = st->lookups, p0 = st->probes, g0 = st->groups;
	uint8_t addr[16];
	unsigned int i, j = 0;

	t0 = now_ns();
	c0 = tsc();
	do {
		if (pf)
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
	s->cyc[s->n] = (double)(c1 - c0) / (double)ops;
	s->probes[s->n] = (double)(st->probes - p0) / (double)(st->lookups - l0);
	s->groups[s->n] = (double)(st->groups - g0) / (double)(st->lookups - l0);
	s->visited[s->n] = (double)v.hits / (double)ops;
	s->n++;
}

/* ---- driver ---------------------------------------------------------------- */

struct result {
	double ins, lk_mix, ins_pf, lk_mix_pf, bpa;
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
	printf("%-6s %-30s %8.2f  %7.2f..%-7.2f %8.1f %7.1f", label, op, median(s->mops, s->n),
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
	/* [0]: one event at a time, [1]: prefetching o->prefetch events ahead */
	struct sample ins[2], mix[2], miss[2], hit[2];
	unsigned int pfs[2] = {0, o->prefetch}, n_pf = o->prefetch ? 2 : 1, v;
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
	t0 = now_ns();
	c0 = tsc();
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_pf; v++)
			measure_insert(&b, o, pfs[v], &ins[v]);
	tsc_ghz = (double)(tsc() - c0) / (double)(now_ns() - t0);

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

	make_keys(&b, 50);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_pf; v++)
			measure_lookup(&b, o, pfs[v], &mix[v]);
	make_keys(&b, 0);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_pf; v++)
			measure_lookup(&b, o, pfs[v], &miss[v]);
	make_keys(&b, 100);
	for (r = 0; r < o->reps; r++)
		for (v = 0; v < n_pf; v++)
			measure_lookup(&b, o, pfs[v], &hit[v]);

	printf("%-6s %-30s %8s  %-15s %8s %7s %9s %9s %9s\n", "size", "operation", "M ops/s",
	       "(min..max)", "cyc/op", "ns/op", "groups/op", "probes/op", "found/op");
	for (v = 0; v < n_pf; v++) {
		const char *sfx = "";

		if (v) {
			snprintf(op, sizeof(op), ", prefetch %u", pfs[v]);
			sfx = op;
		}
#define OPNAME(buf, what) (snprintf(buf, sizeof(buf), "%s%s", what, sfx), buf)
		{
			char name[96];

			print_op(o->labels[si], OPNAME(name, "insert (A record)"), &ins[v], 0);
			print_op(o->labels[si], OPNAME(name, "lookup 50% pending"), &mix[v], 1);
			print_op(o->labels[si], OPNAME(name, "lookup all random"), &miss[v], 1);
			print_op(o->labels[si], OPNAME(name, "lookup all pending"), &hit[v], 1);
		}
#undef OPNAME
	}
	printf("%-6s (inserts: %.2f M answers/s; TSC %.2f GHz)\n\n", o->labels[si],
	       median(ins[0].mops, ins[0].n) * median(ins[0].visited, ins[0].n), tsc_ghz);
	res->ins = median(ins[0].mops, ins[0].n);
	res->lk_mix = median(mix[0].mops, mix[0].n);
	res->ins_pf = o->prefetch ? median(ins[1].mops, ins[1].n) : res->ins;
	res->lk_mix_pf = o->prefetch ? median(mix[1].mops, mix[1].n) : res->lk_mix;
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
			"                    [--window-ms MS] [--buckets N] [--prefetch D] [--no-thp]\n"
			"  --prefetch D: also measure with dnsyn_ctable_prefetch[_lookup]() D events ahead\n"
			"                (default 8, at most %d; 0: only without)\n",
		MAX_PREFETCH);
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
		else if (!strcmp(argv[i], "--no-thp"))
			o.thp = 0;
		else
			usage();
	}
	if (o.reps < 1 || o.reps > MAX_REPS || o.min_time <= 0 || o.window_ns == 0 ||
	    o.prefetch > MAX_PREFETCH)
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
	printf("== dnsyn_ctable micro-benchmark: window %.0f ms, %u buckets, answers = capacity/2,"
	       " IPv4, 1-4 addresses per answer, %u reps x >= %.2f s, median; prefetch distance %u;"
	       " THP %s\n\n",
	       o.window_ns / 1e6, o.buckets, o.reps, o.min_time, o.prefetch, o.thp ? "on" : "off");
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
	       " insert_pf_mps=%.2f lookup_pf_mps=%.2f\n",
	       res[at].ins, res[at].lk_mix, res[at].bpa, o.sizes[at] == 1000000 ? "1M" : o.labels[at],
	       o.prefetch, res[at].ins_pf, res[at].lk_mix_pf);
	return 0;
}
