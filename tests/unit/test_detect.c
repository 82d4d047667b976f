/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/detect: the bounded tracker under a flood of spoofed
 * clients, and each detector on a synthetic series built for it, inside a
 * simulated day of normal clients (diurnal Dq with a steep morning rise and
 * bursty noise, seeded), on which every detector must stay silent. */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dnsyn_detect.h"
#include "dnsyn_test_util.h"

#define IV_S 60
#define DAY 1440
#define T0 1700006400ULL /* a midnight (UTC), 60-aligned */

/* --- random draws (deterministic) ---------------------------------------- */

static double
unif(uint64_t *st)
{
	return (tp_xorshift(st) + 0.5) / 4294967296.0;
}

static double
gauss(uint64_t *st)
{
	return sqrt(-2 * log(unif(st))) * cos(2 * M_PI * unif(st));
}

static uint64_t
poisson(uint64_t *st, double l)
{
	if (l <= 0)
		return 0;
	if (l < 30) {
		double L = exp(-l), p = 1;
		uint64_t k = 0;

		do {
			k++;
			p *= unif(st);
		} while (p > L);
		return k - 1;
	}
	l += sqrt(l) * gauss(st);
	return l > 0 ? (uint64_t)llround(l) : 0;
}

/* Gamma(shape, 1/shape) for integer shape: mean 1, cv 1/sqrt(shape). Human
 * use is bursty: Poisson counts of a gamma-mixed rate are overdispersed. */
static double
burst(uint64_t *st, int shape)
{
	double s = 0;
	int i;

	for (i = 0; i < shape; i++)
		s -= log(unif(st));
	return s / shape;
}

/* Day shape, minute of day m: night 0.1, a steep rise at 08:00 (10 min
 * logistic width: +4 % per interval at its steepest), a fall at 19:00, and a
 * slow sine on top. The whole population follows it. */
static double
diurnal(uint32_t m)
{
	double up = 1 / (1 + exp(-((double)m - 480) / 10));
	double down = 1 / (1 + exp(-((double)m - 1140) / 20));

	return (0.1 + 0.9 * up * (1 - down)) * (1 + 0.2 * sin(2 * M_PI * m / DAY));
}

/* --- the simulated network -------------------------------------------------- */

enum kind { HUMAN, NAT, MAILSRV };

struct client {
	uint8_t addr[16];
	enum kind kind;
	double base;
};

#define N_HUMAN 150
#define N_NAT 20
#define N_MAIL 2
#define N_CL (N_HUMAN + N_NAT + N_MAIL)
#define N_RES 3

struct sim {
	struct dnsyn_detect *d;
	uint64_t st;
	struct client cl[N_CL];
	uint8_t res[N_RES][16];
	uint32_t t;                      /* interval index of the day */
	uint64_t day_dq;                 /* population Dq this interval */
	/* alerts */
	uint8_t target[16];
	int64_t first[DNSYN_DET_MAX];    /* first interval the target fired; -1 */
	uint32_t on_target[DNSYN_DET_MAX], on_others[DNSYN_DET_MAX];
	char reason[DNSYN_DET_MAX][DNSYN_ALERT_REASON_MAX];
	char other_reason[DNSYN_ALERT_REASON_MAX];
	int verbose;
};

static void
on_alert(void *ud, const struct dnsyn_alert *a)
{
	struct sim *s = ud;

	assert_true(a->det < DNSYN_DET_MAX);
	assert_true(a->n_ev > 0);
	assert_true(strncmp(a->reason, dnsyn_det_name(a->det), strlen(dnsyn_det_name(a->det))) == 0);
	assert_int_equal(a->iv_start_s, T0 + (uint64_t)s->t * IV_S);
	if (memcmp(a->addr, s->target, 16) == 0) {
		if (s->on_target[a->det]++ == 0) {
			s->first[a->det] = s->t;
			snprintf(s->reason[a->det], sizeof(s->reason[0]), "%s", a->reason);
		}
	} else {
		s->on_others[a->det]++;
		snprintf(s->other_reason, sizeof(s->other_reason), "%s", a->reason);
	}
	if (s->verbose)
		printf("  t=%u %s %u.%u.%u.%u %s\n", s->t, dnsyn_det_name(a->det), a->addr[12],
		       a->addr[13], a->addr[14], a->addr[15], a->reason);
}

static void
sim_init(struct sim *s, const struct dnsyn_detect_conf *c, uint64_t seed)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->d = dnsyn_detect_create(c);
	assert_non_null(s->d);
	s->st = seed;
	for (i = 0; i < DNSYN_DET_MAX; i++)
		s->first[i] = -1;
	for (i = 0; i < N_CL; i++) {
		struct client *cl = &s->cl[i];

		tp_v4m(cl->addr, 0x0a000000u + i + 1); /* 10.0.0.i+1 */
		if (i < N_HUMAN) {
			cl->kind = HUMAN;
			cl->base = 2 * pow(150, unif(&s->st)); /* 2 .. 300 per minute */
		} else if (i < N_HUMAN + N_NAT) {
			cl->kind = NAT;
			cl->base = 500 + 2500 * unif(&s->st);
		} else {
			cl->kind = MAILSRV;
			cl->base = 1;
		}
	}
	for (i = 0; i < N_RES; i++)
		tp_v4m(s->res[i], 0xc0a80000u + 53 + i); /* 192.168.0.53.. */
}

/* One normal client's interval: query mix, mostly resolved SYNs, a little
 * mail for people; Musashi's Dq = 8.6 NS + NP (plus noise) for mail servers. */
static void
normal_obs(struct sim *s, const struct client *cl, double f, struct dnsyn_client_obs *o)
{
	uint64_t dq;

	memset(o, 0, sizeof(*o));
	memcpy(o->addr, cl->addr, 16);
	if (cl->kind == MAILSRV) {
		double g = burst(&s->st, 16);

		o->smtp_syn = poisson(&s->st, 60 * f * g);
		o->pop_syn = poisson(&s->st, 100 * f * g);
		dq = poisson(&s->st, 8.6 * o->smtp_syn + o->pop_syn);
		o->q[DNSYN_DQ_MX] = dq / 8;
		o->q[DNSYN_DQ_PTR] = dq / 4;
		o->q[DNSYN_DQ_A] = dq - o->q[DNSYN_DQ_MX] - o->q[DNSYN_DQ_PTR];
		o->syn = o->smtp_syn + o->pop_syn;
		o->syn_mail = o->syn;
		o->syn_matched = o->smtp_syn;
		o->syn_unmatched = o->syn - o->syn_matched; /* POP clients come in */
		o->unmatched_dst_est = 0;
	} else {
		dq = poisson(&s->st, cl->base * f * burst(&s->st, cl->kind == NAT ? 16 : 4));
		o->q[DNSYN_DQ_AAAA] = dq * 3 / 10;
		o->q[DNSYN_DQ_PTR] = dq / 20;
		o->q[DNSYN_DQ_TXT] = dq / 100;
		o->q[DNSYN_DQ_MX] = poisson(&s->st, 0.02);
		o->q[DNSYN_DQ_A] = dq - o->q[DNSYN_DQ_AAAA] - o->q[DNSYN_DQ_PTR] - o->q[DNSYN_DQ_TXT];
		o->syn_matched = poisson(&s->st, 0.5 * dq);
		o->syn_unmatched = poisson(&s->st, 0.02 * o->syn_matched + 0.3);
		o->unmatched_dst_est = (uint32_t)(o->syn_unmatched > 3 ? 3 : o->syn_unmatched);
		o->pop_syn = cl->kind == HUMAN ? poisson(&s->st, 0.3 * f) : 0;
		o->smtp_syn = cl->kind == HUMAN ? poisson(&s->st, 0.05 * f) : 0;
		o->syn_mail = o->pop_syn + o->smtp_syn;
		o->syn = o->syn_matched + o->syn_unmatched + o->syn_mail;
		o->syn_matched += o->syn_mail;
	}
	o->responses = dq;
	o->nxdomain = dq / 50;
	o->distinct_names_est = (uint32_t)(dq / 3);
}

typedef void (*inject_fn)(struct sim *s, double f);

/* Runs intervals [from, to) of the day: the normal population, then the
 * injected anomaly, then the resolvers' load. */
static void
sim_run(struct sim *s, uint32_t from, uint32_t to, inject_fn inj)
{
	struct dnsyn_client_obs o;
	uint32_t i;

	for (s->t = from; s->t < to; s->t++) {
		double f = diurnal(s->t % DAY);

		assert_int_equal(dnsyn_detect_begin(s->d, T0 + (uint64_t)s->t * IV_S, IV_S), 0);
		s->day_dq = 0;
		for (i = 0; i < N_CL; i++) {
			normal_obs(s, &s->cl[i], f, &o);
			s->day_dq += o.q[0] + o.q[1] + o.q[2] + o.q[3] + o.q[4] + o.q[5];
			dnsyn_detect_add_client(s->d, &o);
		}
		if (inj != NULL)
			inj(s, f);
		for (i = 0; i < N_RES; i++) {
			struct dnsyn_resolver_obs r = {0};
			uint64_t share = s->day_dq * (i + 1) / 6;

			memcpy(r.addr, s->res[i], 16);
			r.queries = poisson(&s->st, (double)share);
			r.answers = r.queries;
			dnsyn_detect_add_resolver(s->d, &r);
		}
		dnsyn_detect_end(s->d, NULL, 0, on_alert, s);
	}
}

static void
sim_fini(struct sim *s)
{
	dnsyn_detect_free(s->d);
}

static void
print_fired(const struct sim *s, enum dnsyn_det_id det)
{
	printf("  %s: first at t=%lld (%u on target, %u on others)\n    %s\n",
	       dnsyn_det_name(det), (long long)s->first[det], s->on_target[det],
	       s->on_others[det], s->reason[det]);
}

/* Fired on the target within [lo, hi] and on no one else. */
static void
expect_fired(const struct sim *s, enum dnsyn_det_id det, int64_t lo, int64_t hi)
{
	print_fired(s, det);
	if (s->on_others[det] != 0)
		printf("    other: %s\n", s->other_reason);
	assert_true(s->first[det] >= lo);
	assert_true(s->first[det] <= hi);
	assert_int_equal(s->on_others[det], 0);
}

/* --- the normal day: silence --------------------------------------------------- */

static void
test_detect_normal_day_silent(void **state)
{
	struct dnsyn_detect_conf c;
	const struct dnsyn_detect_stats *st;
	struct sim s;
	uint64_t seed, nseed, fp = 0;
	unsigned int det;

	(void)state;
	dnsyn_detect_conf_default(&c);
	c.k = 1024;
	/* DETECT_SEEDS=n: more simulated days (for tuning; 3 by default). */
	nseed = getenv("DETECT_SEEDS") != NULL ? strtoull(getenv("DETECT_SEEDS"), NULL, 10) : 3;
	for (seed = 1; seed <= nseed; seed++) {
		sim_init(&s, &c, 0x9e3779b97f4a7c15ULL * seed);
		memset(s.target, 0xee, 16);
		s.verbose = getenv("DETECT_VERBOSE") != NULL;
		sim_run(&s, 0, DAY, NULL);
		st = dnsyn_detect_stats(s.d);
		for (det = 0; det < DNSYN_DET_MAX; det++) {
			if (s.on_others[det] != 0)
				printf("seed %llu %s: %u alerts, e.g. %s\n", (unsigned long long)seed,
				       dnsyn_det_name(det), s.on_others[det], s.other_reason);
			fp += s.on_others[det];
			assert_int_equal(st->alerts[det], s.on_others[det]);
		}
		assert_int_equal(st->intervals, DAY);
		assert_int_equal(st->tracked, N_CL);
		assert_true(st->mm_fits > 0); /* the mail servers were modelled */
		sim_fini(&s);
	}
	assert_int_equal(fp, 0);
}

/* --- the detectors, each on its own anomaly ------------------------------------ */

#define TA 490 /* in the steep part of the morning rise: the hard case */

static double human_base = 40;

static void
inj_human(struct sim *s, double f, struct dnsyn_client_obs *o)
{
	struct client cl = {.kind = HUMAN, .base = human_base};

	memcpy(cl.addr, s->target, 16);
	normal_obs(s, &cl, f, o);
}

static void
inj_rate_jump(struct sim *s, double f)
{
	struct dnsyn_client_obs o;

	inj_human(s, f, &o);
	if (s->t >= TA)
		o.q[DNSYN_DQ_A] += 1000;
	dnsyn_detect_add_client(s->d, &o);
}

static void
setup_target(struct sim *s, uint32_t host)
{
	tp_v4m(s->target, 0x0a010000u + host); /* 10.1.0.host */
}

static void
test_detect_rate_jump(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 11);
	setup_target(&s, 1);
	sim_run(&s, 0, TA + 20, inj_rate_jump);
	expect_fired(&s, DNSYN_DET_RATE_JUMP, TA, TA + 1);
	sim_fini(&s);
}

static void
inj_mx_storm(struct sim *s, double f)
{
	struct dnsyn_client_obs o;

	inj_human(s, f, &o);
	if (s->t >= TA) { /* a mass-mailing worm: MX look-ups and SMTP SYNs */
		o.q[DNSYN_DQ_MX] += 150;
		o.smtp_syn += 150;
		o.syn_mail += 150;
		o.syn += 150;
		o.syn_matched += 150;
	}
	dnsyn_detect_add_client(s->d, &o);
}

static void
test_detect_mx_storm(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 12);
	setup_target(&s, 2);
	sim_run(&s, 0, TA + 20, inj_mx_storm);
	expect_fired(&s, DNSYN_DET_MX_STORM, TA, TA + 1);
	sim_fini(&s);
}

static uint64_t scan_syn = 80, scan_dst = 70;
static uint32_t scan_from = TA, scan_to = TA + 100;

static void
inj_scan(struct sim *s, double f)
{
	struct dnsyn_client_obs o;

	inj_human(s, f, &o);
	if (s->t >= scan_from && s->t < scan_to) {
		o.syn += scan_syn;
		o.syn_unmatched += scan_syn;
		o.unmatched_dst_est += (uint32_t)scan_dst;
	}
	dnsyn_detect_add_client(s->d, &o);
}

static void
test_detect_unresolved_scan(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	/* Persistent scan: fires at its second interval (the grace). */
	scan_syn = 80, scan_dst = 70, scan_from = TA, scan_to = TA + 100;
	sim_init(&s, &c, 13);
	setup_target(&s, 3);
	sim_run(&s, 0, TA + 20, inj_scan);
	expect_fired(&s, DNSYN_DET_UNRESOLVED_SCAN, TA + 1, TA + 1);
	sim_fini(&s);

	/* One interval of it, below the high threshold: the grace holds. */
	scan_to = TA + 1;
	sim_init(&s, &c, 13);
	setup_target(&s, 3);
	sim_run(&s, 0, TA + 20, inj_scan);
	assert_int_equal(s.on_target[DNSYN_DET_UNRESOLVED_SCAN], 0);
	sim_fini(&s);

	/* Above the high threshold: at once. */
	scan_syn = 2000, scan_dst = 1500;
	sim_init(&s, &c, 13);
	setup_target(&s, 3);
	sim_run(&s, 0, TA + 20, inj_scan);
	expect_fired(&s, DNSYN_DET_UNRESOLVED_SCAN, TA, TA);
	sim_fini(&s);

	/* From the probe's start: the warm-up intervals are ignored, even above
	 * the high threshold, and do not count towards persistence. */
	scan_from = 0, scan_to = 100;
	sim_init(&s, &c, 13);
	setup_target(&s, 3);
	sim_run(&s, 0, 20, inj_scan);
	expect_fired(&s, DNSYN_DET_UNRESOLVED_SCAN, c.scan_warmup, c.scan_warmup);
	sim_fini(&s);
	scan_syn = 80, scan_dst = 70, scan_from = 0;
	sim_init(&s, &c, 13);
	setup_target(&s, 3);
	sim_run(&s, 0, 20, inj_scan);
	expect_fired(&s, DNSYN_DET_UNRESOLVED_SCAN, c.scan_warmup + 1, c.scan_warmup + 1);
	sim_fini(&s);
	scan_from = TA, scan_to = TA + 100;
}

/* A scanner that resolves nothing (Dq = 0) is still tracked and caught. */
static void
inj_blaster(struct sim *s, double f)
{
	struct dnsyn_client_obs o = {0};

	(void)f;
	memcpy(o.addr, s->target, 16);
	if (s->t >= TA) {
		o.syn = o.syn_unmatched = 300;
		o.unmatched_dst_est = 290;
		dnsyn_detect_add_client(s->d, &o);
	}
}

static void
test_detect_scan_without_dns(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 14);
	setup_target(&s, 4);
	sim_run(&s, 0, TA + 5, inj_blaster);
	expect_fired(&s, DNSYN_DET_UNRESOLVED_SCAN, TA + 1, TA + 1);
	sim_fini(&s);
}

static void
inj_plateau(struct sim *s, double f)
{
	struct dnsyn_client_obs o;

	inj_human(s, f, &o);
	if (s->t >= TA) { /* a clocked machine: 200 +- 2 every minute, day or night */
		memset(o.q, 0, sizeof(o.q));
		o.q[DNSYN_DQ_A] = 198 + tp_xorshift(&s->st) % 5;
	}
	dnsyn_detect_add_client(s->d, &o);
}

static void
test_detect_plateau(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 15);
	setup_target(&s, 5);
	sim_run(&s, 0, TA + 60, inj_plateau);
	/* Defined over pl_n intervals: fires once the window is all plateau. */
	expect_fired(&s, DNSYN_DET_PLATEAU, TA + c.pl_n - 1, TA + c.pl_n);
	assert_non_null(strstr(s.reason[DNSYN_DET_PLATEAU], "flat Dq"));
	sim_fini(&s);
}

static void
inj_ripple(struct sim *s, double f)
{
	struct dnsyn_client_obs o;

	inj_human(s, f, &o);
	if (s->t >= TA) { /* a remote-controlled host: on/off every 3 minutes */
		memset(o.q, 0, sizeof(o.q));
		o.q[DNSYN_DQ_A] = ((s->t - TA) / 3) % 2 ? 260 : 60;
		o.q[DNSYN_DQ_A] += poisson(&s->st, 10);
	}
	dnsyn_detect_add_client(s->d, &o);
}

static void
test_detect_ripple(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 16);
	setup_target(&s, 6);
	sim_run(&s, 0, TA + 80, inj_ripple);
	/* Defined over rp_n intervals: fires once enough of them ripple. */
	expect_fired(&s, DNSYN_DET_PLATEAU, TA, TA + c.rp_n);
	assert_non_null(strstr(s.reason[DNSYN_DET_PLATEAU], "ripple"));
	sim_fini(&s);
}

static void
inj_resolver_dos(struct sim *s, double f)
{
	struct dnsyn_resolver_obs r = {0};

	(void)f;
	memcpy(r.addr, s->target, 16);
	r.queries = poisson(&s->st, 2000);
	r.answers = r.queries;
	if (s->t >= TA)
		r.answers += 40000; /* reflected answers */
	dnsyn_detect_add_resolver(s->d, &r);
}

static void
test_detect_resolver_dos(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 17);
	setup_target(&s, 7);
	sim_run(&s, 0, TA + 20, inj_resolver_dos);
	expect_fired(&s, DNSYN_DET_RESOLVER_DOS, TA, TA + 1);
	sim_fini(&s);
}

static void
inj_mail(struct sim *s, double f)
{
	struct client cl = {.kind = MAILSRV, .base = 1};
	struct dnsyn_client_obs o;

	memcpy(cl.addr, s->target, 16);
	normal_obs(s, &cl, f, &o);
	if (s->t >= TA) /* the cache "crashes": Dq 60 % above the model */
		o.q[DNSYN_DQ_A] += (o.q[0] + o.q[1] + o.q[2] + o.q[3] + o.q[4] + o.q[5]) * 6 / 10;
	dnsyn_detect_add_client(s->d, &o);
}

static void
test_detect_mail_model(void **state)
{
	struct dnsyn_detect_conf c;
	struct sim s;

	(void)state;
	dnsyn_detect_conf_default(&c);
	sim_init(&s, &c, 18);
	setup_target(&s, 8);
	sim_run(&s, 0, TA + 20, inj_mail);
	expect_fired(&s, DNSYN_DET_MAIL_MODEL, TA, TA + 1);
	/* Not a rate jump: the model sees what the baseline does not. */
	assert_int_equal(s.on_target[DNSYN_DET_RATE_JUMP], 0);
	sim_fini(&s);
}

/* --- tracking: a flood of spoofed clients ---------------------------------------- */

#define HEAVY 20

static void
heavy_addr(uint8_t a[16], uint32_t i)
{
	tp_v4m(a, 0xac100000u + i); /* 172.16.0.i */
}

static void
test_detect_flood_keeps_heavy(void **state)
{
	struct dnsyn_detect_conf c;
	struct dnsyn_detect *d;
	const struct dnsyn_detect_stats *st;
	struct dnsyn_top_client top[32];
	struct dnsyn_alert al[16];
	struct dnsyn_client_obs o;
	struct mallinfo2 m0, m1;
	uint64_t rng = 99, spoofed = 0;
	uint32_t t, i, n, hit, jump_alerts = 0, light_min = UINT32_MAX;
	size_t mem;
	double est;

	(void)state;
	dnsyn_detect_conf_default(&c);
	c.top_n = 32;
	mem = dnsyn_detect_memsize(&c);
	d = dnsyn_detect_create(&c);
	assert_non_null(d);
	assert_int_equal(dnsyn_detect_mem(d), mem);
	m0 = mallinfo2();
	/* 10 quiet intervals, 10 of 100,000 fresh one-query spoofed sources
	 * each (1M in all, v4 and v6), then heavy client 0 jumps. */
	for (t = 0; t < 25; t++) {
		assert_int_equal(dnsyn_detect_begin(d, T0 + (uint64_t)t * IV_S, IV_S), 0);
		for (i = 0; i < HEAVY; i++) {
			memset(&o, 0, sizeof(o));
			heavy_addr(o.addr, i);
			/* bursty, as people and their NATs are (a steady
			 * machine would be a plateau) */
			o.q[DNSYN_DQ_A] = poisson(&rng, (300 + 50 * i) * burst(&rng, 4));
			if (t >= 22 && i == 0)
				o.q[DNSYN_DQ_A] += 2400;
			dnsyn_detect_add_client(d, &o);
			/* 10 light regular clients per heavy one (Dq 3): the
			 * bottom of the table the admission rule protects. */
			for (n = 0; n < 10; n++) {
				memset(&o, 0, sizeof(o));
				tp_v4m(o.addr, 0xac110000u + i * 10 + n);
				o.q[DNSYN_DQ_A] = 3;
				dnsyn_detect_add_client(d, &o);
			}
			if (t >= 10 && t < 20) { /* interleaved with the flood */
				for (n = 0; n < 100000 / HEAVY; n++) {
					memset(&o, 0, sizeof(o));
					if (n % 4) {
						tp_v4m(o.addr, tp_xorshift(&rng));
					} else { /* 2001:db8::/32, all distinct */
						tp_v6a(o.addr, (uint16_t)tp_xorshift(&rng));
						memcpy(o.addr + 8, &spoofed, 6);
					}
					o.q[n % 3 ? DNSYN_DQ_A : DNSYN_DQ_AAAA] = 1;
					dnsyn_detect_add_client(d, &o);
					spoofed++;
				}
			}
		}
		n = dnsyn_detect_end(d, al, 16, NULL, NULL);
		if (getenv("DETECT_VERBOSE"))
			printf("  t=%u alerts %u %s\n", t, n, n ? al[0].reason : "");
		for (i = 0; i < HEAVY; i++) {
			uint8_t a[16];

			heavy_addr(a, i);
			assert_int_equal(dnsyn_detect_estimate(d, a, &est), 1);
		}
		for (i = 0, hit = 0; i < 10 * HEAVY; i++) {
			uint8_t a[16];

			tp_v4m(a, 0xac110000u + i);
			hit += dnsyn_detect_estimate(d, a, &est);
		}
		light_min = hit < light_min ? hit : light_min;
		/* Its baseline survived the flood: a lasting jump of heavy
		 * client 0 (from ~300 to ~2700) fires within 2 intervals,
		 * and nothing else fires. */
		if (t == 22 || t == 23) {
			jump_alerts += n;
			if (n == 1) {
				assert_int_equal(al[0].det, DNSYN_DET_RATE_JUMP);
				assert_int_equal(al[0].addr[15], 0);
				printf("  t=%u after the flood: %s\n", t, al[0].reason);
			}
		} else if (t >= 10) {
			assert_int_equal(n, 0);
		}
		/* The interval's top list: the 20 heavy ones lead it. */
		n = dnsyn_detect_top(d, top, 32);
		assert_true(n >= HEAVY);
		for (i = 0, hit = 0; i < HEAVY; i++)
			hit += top[i].addr[12] == 172 && top[i].addr[13] == 16;
		assert_int_equal(hit, HEAVY);
		for (i = 1; i < n; i++)
			assert_true(top[i - 1].dq >= top[i].dq);
	}
	assert_int_equal(jump_alerts, 1);
	m1 = mallinfo2();
	st = dnsyn_detect_stats(d);
	printf("  spoofed %llu: admitted %llu evicted %llu refused %llu tracked %llu; "
	       "memory %zu bytes (%.1f MiB), heap in use %zu -> %zu\n",
	       (unsigned long long)spoofed, (unsigned long long)st->admitted,
	       (unsigned long long)st->evicted, (unsigned long long)st->refused,
	       (unsigned long long)st->tracked, mem, mem / 1048576.0, m0.uordblks, m1.uordblks);
	assert_int_equal(spoofed, 1000000);
	assert_int_equal(st->tracked, c.k);
	assert_int_equal(st->client_obs, spoofed + 25 * 11 * HEAVY);
	assert_int_equal(st->admitted, st->tracked + st->evicted);
	assert_int_equal(st->admitted + st->refused, spoofed + 11 * HEAVY);
	printf("  light clients tracked throughout: %u of %u\n", light_min, 10 * HEAVY);
	assert_int_equal(light_min, 10 * HEAVY);
	assert_true(st->refused > spoofed / 2); /* admission kept most out */
	assert_int_equal(dnsyn_detect_mem(d), mem);
	assert_int_equal(m1.uordblks, m0.uordblks); /* nothing allocated after create */
	dnsyn_detect_free(d);
}

/* --- API odds and ends -------------------------------------------------------------- */

static void
test_detect_names_conf_mem(void **state)
{
	struct dnsyn_detect_conf c;
	char err[128];
	size_t m;

	(void)state;
	assert_string_equal(dnsyn_det_name(DNSYN_DET_UNRESOLVED_SCAN), "unresolved-scan");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_MX_STORM), "mx-storm");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_RATE_JUMP), "rate-jump");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_PLATEAU), "plateau");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_RESOLVER_DOS), "resolver-dos");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_MAIL_MODEL), "mail-model");
	assert_string_equal(dnsyn_det_name(DNSYN_DET_MAX), "?");

	dnsyn_detect_conf_default(&c);
	assert_int_equal(dnsyn_detect_conf_check(&c, err, sizeof(err)), 0);
	m = dnsyn_detect_memsize(&c);
	printf("  default (K %u, H %u, sketch %ux%u): %zu bytes (%.2f MiB)\n", c.k, c.history,
	       c.cms_depth, c.cms_width, m, m / 1048576.0);
	/* The bound is linear in K*H and in the sketch, as documented. */
	c.history = 128;
	assert_true(dnsyn_detect_memsize(&c) - m >= (size_t)4096 * 64 * 32);
	c.history = 64;
	c.cms_width = 1000;
	assert_int_equal(dnsyn_detect_conf_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cms_width"));
	assert_int_equal(dnsyn_detect_memsize(&c), 0);
	assert_null(dnsyn_detect_create(&c));
	dnsyn_detect_conf_default(&c);
	c.rp_lag_max = 20;
	assert_int_equal(dnsyn_detect_conf_check(&c, err, sizeof(err)), -EINVAL);
	dnsyn_detect_conf_default(&c);
	c.alpha = 1;
	assert_int_equal(dnsyn_detect_conf_check(&c, NULL, 0), -EINVAL);
}

static void
test_detect_mask_and_aggregate(void **state)
{
	struct dnsyn_detect_conf c;
	struct dnsyn_detect *d;
	struct dnsyn_client_obs o = {0};
	struct dnsyn_top_client top[4];
	uint8_t a[16], k[16], want[16];
	double est;

	(void)state;
	tp_v4m(a, 0xc0000281u); /* 192.0.2.129 */
	assert_int_equal(dnsyn_detect_mask(k, a, 24, 64), 120);
	tp_v4m(want, 0xc0000200u);
	assert_memory_equal(k, want, 16);
	assert_int_equal(dnsyn_detect_mask(k, a, 25, 64), 121);
	tp_v4m(want, 0xc0000280u);
	assert_memory_equal(k, want, 16);
	tp_v6a(a, 0x1234);
	a[7] = 0x77;
	a[8] = 0x88;
	assert_int_equal(dnsyn_detect_mask(k, a, 24, 64), 64);
	tp_v6a(want, 0);
	want[7] = 0x77;
	assert_memory_equal(k, want, 16);

	dnsyn_detect_conf_default(&c);
	c.aggregate = 1;
	d = dnsyn_detect_create(&c);
	assert_non_null(d);
	assert_int_equal(dnsyn_detect_end(d, NULL, 0, NULL, NULL), 0); /* none open */
	assert_int_equal(dnsyn_detect_begin(d, 600, 60), 0);
	assert_int_equal(dnsyn_detect_begin(d, 660, 60), -EBUSY);
	tp_v4m(o.addr, 0xc0000201u);
	o.q[DNSYN_DQ_A] = 30;
	dnsyn_detect_add_client(d, &o);
	tp_v4m(o.addr, 0xc00002feu);
	o.q[DNSYN_DQ_A] = 12;
	dnsyn_detect_add_client(d, &o);
	assert_int_equal(dnsyn_detect_end(d, NULL, 0, NULL, NULL), 0);
	assert_int_equal(dnsyn_detect_top(d, top, 4), 1);
	assert_int_equal(top[0].plen, 120);
	assert_int_equal(top[0].dq, 42);
	assert_int_equal(top[0].addr[15], 0);
	assert_int_equal(dnsyn_detect_estimate(d, o.addr, &est), 1);
	assert_true(est >= 42 * 0.98); /* decayed once (half-life 60) */
	tp_v4m(a, 0xc0000301u); /* never seen: the sketch says 0 */
	assert_int_equal(dnsyn_detect_estimate(d, a, &est), 0);
	assert_true(est == 0);
	/* Time must advance; a gap counts as silent intervals. */
	assert_int_equal(dnsyn_detect_begin(d, 600, 60), -EINVAL);
	assert_int_equal(dnsyn_detect_begin(d, 900, 60), 0);
	assert_int_equal(dnsyn_detect_end(d, NULL, 0, NULL, NULL), 0);
	assert_int_equal(dnsyn_detect_stats(d)->gap_intervals, 4);
	assert_int_equal(dnsyn_detect_stats(d)->bad_intervals, 1);
	assert_int_equal(dnsyn_detect_top(d, top, 4), 0);
	dnsyn_detect_free(d);
}

/* Parameters by name, and a running detector taking new thresholds while
 * keeping what sizes it. */
static void
test_detect_params(void **state)
{
	struct dnsyn_detect_conf c, n;
	struct dnsyn_detect *d;
	unsigned int held, i;
	char err[160], names[256];

	(void)state;
	dnsyn_detect_conf_default(&c);
	assert_int_equal(dnsyn_detect_param_set(&c, "scan-syn-min", 12, "40", err, sizeof(err)), 0);
	assert_int_equal(c.scan_syn_min, 40);
	assert_int_equal(dnsyn_detect_param_set(&c, "mx-z=", 4, "7.5", err, sizeof(err)), 0);
	assert_true(c.mx_z == 7.5);
	assert_int_equal(dnsyn_detect_param_set(&c, "aggregate", 9, "yes", err, sizeof(err)), 0);
	assert_int_equal(c.aggregate, 1);
	assert_int_equal(dnsyn_detect_param_set(&c, "v4-prefix", 9, "16", err, sizeof(err)), 0);
	assert_int_equal(c.v4_prefix, 16);
	assert_int_equal(dnsyn_detect_param_set(&c, "rd-min", 6, "123456789012", err, sizeof(err)),
			 0);
	assert_true(c.rd_min == 123456789012ULL);
	/* every name round-trips through the table, none twice */
	for (i = 0; i < dnsyn_detect_param_count(); i++) {
		const char *nm = dnsyn_detect_param_name(i);

		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(nm, dnsyn_detect_param_name(j));
		n = c;
		assert_int_equal(dnsyn_detect_param_set(&n, nm, strlen(nm), "1", err, sizeof(err)), 0);
	}
	assert_null(dnsyn_detect_param_name(i));
	/* refusals */
	assert_int_equal(dnsyn_detect_param_set(&c, "scan-syn", 8, "4", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no detector parameter 'scan-syn'"));
	assert_int_equal(dnsyn_detect_param_set(&c, "scan-syn-min", 12, "-4", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "scan-syn-min", 12, "", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "scan-syn-min", 12, "4294967296", err,
						sizeof(err)),
			 -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "v4-prefix", 9, "256", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "mx-z", 4, "nan", err, sizeof(err)), -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "mx-z", 4, "6x", err, sizeof(err)), -EINVAL);
	assert_int_equal(dnsyn_detect_param_set(&c, "aggregate", 9, "maybe", err, sizeof(err)),
			 -EINVAL);

	/* reconfigure: thresholds move, the shape stays and is named */
	dnsyn_detect_conf_default(&c);
	d = dnsyn_detect_create(&c);
	assert_non_null(d);
	n = c;
	n.scan_syn_min = 99;
	n.half_life = 30;
	n.k = 8192;
	n.history = 128;
	assert_int_equal(dnsyn_detect_reconfigure(d, &n, &held, names, sizeof(names)), 2);
	assert_int_equal(held, 2);
	assert_string_equal(names, "k, history");
	assert_int_equal(dnsyn_detect_get_conf(d)->scan_syn_min, 99);
	assert_true(dnsyn_detect_get_conf(d)->half_life == 30);
	assert_int_equal(dnsyn_detect_get_conf(d)->k, c.k);
	assert_int_equal(dnsyn_detect_get_conf(d)->history, c.history);
	/* nothing new: nothing changed */
	assert_int_equal(dnsyn_detect_reconfigure(d, dnsyn_detect_get_conf(d), &held, names,
						  sizeof(names)),
			 0);
	assert_int_equal(held, 0);
	/* invalid alone, or only with the shape kept (pl-n beyond the running
	 * history): refused whole */
	n = *dnsyn_detect_get_conf(d);
	n.scan_persist = n.scan_window + 1;
	assert_int_equal(dnsyn_detect_reconfigure(d, &n, &held, names, sizeof(names)), -EINVAL);
	n = *dnsyn_detect_get_conf(d);
	n.history = 256;
	n.pl_n = 200;
	n.scan_syn_min = 5;
	assert_int_equal(dnsyn_detect_reconfigure(d, &n, &held, names, sizeof(names)), -EINVAL);
	assert_int_equal(dnsyn_detect_get_conf(d)->scan_syn_min, 99);
	dnsyn_detect_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_names_conf_mem),
		cmocka_unit_test(test_detect_params),
		cmocka_unit_test(test_detect_mask_and_aggregate),
		cmocka_unit_test(test_detect_normal_day_silent),
		cmocka_unit_test(test_detect_rate_jump),
		cmocka_unit_test(test_detect_mx_storm),
		cmocka_unit_test(test_detect_unresolved_scan),
		cmocka_unit_test(test_detect_scan_without_dns),
		cmocka_unit_test(test_detect_plateau),
		cmocka_unit_test(test_detect_ripple),
		cmocka_unit_test(test_detect_resolver_dos),
		cmocka_unit_test(test_detect_mail_model),
		cmocka_unit_test(test_detect_flood_keeps_heavy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
