/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_interval.h"

#define CORR_KEY 34 /* client, server, dport */

int
dnsyn_interval_init(struct dnsyn_interval *iv, uint32_t len_s, uint32_t max_clients)
{
	memset(iv, 0, sizeof(*iv));
	iv->len_s = len_s;
	iv->syn_dport = calloc(65536, sizeof(uint64_t));
	iv->matched_dport = calloc(65536, sizeof(uint64_t));
	if (len_s == 0 || iv->syn_dport == NULL || iv->matched_dport == NULL ||
	    dnsyn_map_init(&iv->unmatched_clients, 16, 1024, max_clients) < 0 ||
	    dnsyn_map_init(&iv->clients, 16, 1024, DNSYN_IV_CLIENTS_MAX) < 0 ||
	    dnsyn_map_init(&iv->corr, CORR_KEY, 256, DNSYN_IV_CORR_MAX) < 0 ||
	    dnsyn_map_init(&iv->resolvers, 16, 16, DNSYN_IV_RESOLVERS_MAX) < 0) {
		dnsyn_interval_fini(iv);
		return -ENOMEM;
	}
	return 0;
}

void
dnsyn_interval_fini(struct dnsyn_interval *iv)
{
	free(iv->syn_dport);
	free(iv->matched_dport);
	dnsyn_map_free(&iv->unmatched_clients);
	dnsyn_map_free(&iv->clients);
	dnsyn_map_free(&iv->corr);
	dnsyn_map_free(&iv->resolvers);
	free(iv->cl);
	free(iv->co);
	iv->cl = NULL;
	iv->co = NULL;
	iv->syn_dport = iv->matched_dport = NULL;
}

void
dnsyn_interval_reset(struct dnsyn_interval *iv, uint64_t start_s)
{
	uint64_t *a = iv->syn_dport, *m = iv->matched_dport;
	struct dnsyn_map map = iv->unmatched_clients, cmap = iv->clients, comap = iv->corr;
	struct dnsyn_map rmap = iv->resolvers;
	struct dnsyn_iv_client *cl = iv->cl;
	struct dnsyn_iv_corr *co = iv->co;
	uint32_t len = iv->len_s, cap_cl = iv->cap_cl, cap_co = iv->cap_co;

	/* 2 x 512 KiB once per interval: cheaper than tracking touched ports. */
	memset(a, 0, 65536 * sizeof(uint64_t));
	memset(m, 0, 65536 * sizeof(uint64_t));
	dnsyn_map_clear(&map);
	dnsyn_map_clear(&cmap);
	dnsyn_map_clear(&comap);
	dnsyn_map_clear(&rmap);
	memset(iv, 0, sizeof(*iv));
	iv->resolvers = rmap;
	iv->corr = comap;
	iv->co = co;
	iv->cap_co = cap_co;
	iv->clients = cmap;
	iv->cl = cl;
	iv->cap_cl = cap_cl;
	iv->syn_dport = a;
	iv->matched_dport = m;
	iv->unmatched_clients = map;
	iv->len_s = len;
	iv->start_s = start_s;
}

struct dnsyn_iv_client *
dnsyn_interval_client(struct dnsyn_interval *iv, const uint8_t addr[16])
{
	int is_new = 0;
	uint64_t *idx;

	idx = dnsyn_map_find(&iv->clients, addr);
	if (idx)
		return &iv->cl[*idx - 1];
	if (iv->n_cl == iv->cap_cl) { /* grows by doubling: amortised, correlation side */
		uint32_t cap = iv->cap_cl ? 2 * iv->cap_cl : 256;
		struct dnsyn_iv_client *n;

		cap = DNSYN_MIN(cap, (uint32_t)DNSYN_IV_CLIENTS_MAX);
		n = cap > iv->cap_cl ? realloc(iv->cl, cap * sizeof(*n)) : NULL;
		if (n == NULL) {
			iv->clients_refused++;
			return NULL;
		}
		iv->cl = n;
		iv->cap_cl = cap;
	}
	idx = dnsyn_map_upsert(&iv->clients, addr, &is_new);
	if (idx == NULL) {
		iv->clients_refused++;
		return NULL;
	}
	*idx = ++iv->n_cl;
	memset(&iv->cl[*idx - 1], 0, sizeof(iv->cl[0]));
	memcpy(iv->cl[*idx - 1].addr, addr, 16);
	return &iv->cl[*idx - 1];
}

uint32_t
dnsyn_iv_bits_estimate(const uint64_t bits[2])
{
	unsigned int set = (unsigned int)(__builtin_popcountll(bits[0]) +
					  __builtin_popcountll(bits[1]));

	if (set >= 128)
		return 128 * 6; /* saturated: "many" (~ -128 ln(1/256)) */
	return (uint32_t)(-128.0 * log((128.0 - set) / 128.0) + 0.5);
}

void
dnsyn_interval_syn(struct dnsyn_interval *iv, const uint8_t src[16], const uint8_t dst[16],
		   uint16_t dport, int matched)
{
	struct dnsyn_iv_client *c = dnsyn_interval_client(iv, src);
	uint64_t h;

	if (c == NULL)
		return; /* counted in clients_refused */
	c->syn++;
	c->matched_syn += matched != 0;
	c->mail_syn += dnsyn_port_is_mail(dport);
	c->smtp_syn += dnsyn_port_is_smtp(dport);
	c->pop_syn += dnsyn_port_is_pop(dport);
	if (!matched) {
		c->unmatched_syn++;
		h = dnsyn_hash_bytes(dst, 16, 0x5ca7);
		c->unm_dst_bits[(h >> 6) & 1] |= 1ULL << (h & 63);
	}
}

void
dnsyn_interval_resolver(struct dnsyn_interval *iv, const uint8_t resolver[16], int answer)
{
	uint64_t *v = dnsyn_map_upsert(&iv->resolvers, resolver, NULL);

	if (v) /* else counted in resolvers.refused */
		*v += answer ? 1ULL << 32 : 1;
}

/* The aggregate of @p key, made when new (NULL: full, counted by the caller). */
static struct dnsyn_iv_corr *
corr_get(struct dnsyn_interval *iv, const uint8_t key[CORR_KEY], int *is_new)
{
	uint64_t *idx = dnsyn_map_find(&iv->corr, key);

	*is_new = 0;
	if (idx)
		return &iv->co[*idx - 1];
	if (iv->n_co == iv->cap_co) {
		uint32_t cap = DNSYN_MIN(iv->cap_co ? 2 * iv->cap_co : 64u, (uint32_t)DNSYN_IV_CORR_MAX);
		struct dnsyn_iv_corr *n = cap > iv->cap_co ? realloc(iv->co, cap * sizeof(*n)) : NULL;

		if (n == NULL)
			return NULL;
		iv->co = n;
		iv->cap_co = cap;
	}
	idx = dnsyn_map_upsert(&iv->corr, key, NULL);
	if (idx == NULL)
		return NULL;
	*idx = ++iv->n_co;
	*is_new = 1;
	return &iv->co[*idx - 1];
}

static void
corr_key(uint8_t key[CORR_KEY], const uint8_t *client, const uint8_t *server, uint16_t dport)
{
	memcpy(key, client, 16);
	memcpy(key + 16, server, 16);
	memcpy(key + 32, &dport, 2);
}

void
dnsyn_interval_corr_add(struct dnsyn_interval *iv, const struct dnsyn_corr_match *m)
{
	uint8_t key[CORR_KEY];
	struct dnsyn_iv_corr *c;
	int is_new;

	corr_key(key, m->client, m->server, m->dport);
	c = corr_get(iv, key, &is_new);
	if (c == NULL) {
		iv->corr_refused++;
		return;
	}
	if (is_new) {
		memset(c, 0, sizeof(*c));
		memcpy(c->client, m->client, 16);
		memcpy(c->server, m->server, 16);
		c->dport = m->dport;
		c->ttl_min = m->ttl;
		c->first_ns = c->last_ns = m->syn_ns;
		c->delay_min_ns = c->delay_max_ns = m->delay_ns;
		if (m->name_len >= 0) {
			c->name_len = (uint8_t)DNSYN_MIN(m->name_len, DNSYN_NAME_MAX);
			c->name_trunc = (uint8_t)(m->name_trunc != 0);
			memcpy(c->name, m->name, c->name_len);
		}
	}
	iv->corr_no_name += m->name_len < 0;
	c->syns++;
	c->delay_sum_ns += m->delay_ns;
	c->delay_min_ns = DNSYN_MIN(c->delay_min_ns, m->delay_ns);
	c->delay_max_ns = DNSYN_MAX(c->delay_max_ns, m->delay_ns);
	c->ttl_min = DNSYN_MIN(c->ttl_min, m->ttl);
	c->first_ns = DNSYN_MIN(c->first_ns, m->syn_ns);
	c->last_ns = DNSYN_MAX(c->last_ns, m->syn_ns);
}

/* The address an output shows for client @p in: @p in itself without a transform. */
static const uint8_t *
xf_client(const struct dnsyn_iv_xform *xf, const uint8_t *in, uint8_t out[16])
{
	if (xf == NULL || xf->client == NULL)
		return in;
	xf->client(xf->ud, in, out);
	return out;
}

static void
xf_name(const struct dnsyn_iv_xform *xf, struct dnsyn_iv_corr *c)
{
	if (xf && xf->name)
		c->name_len = (uint8_t)xf->name(xf->ud, c->name, c->name_len, sizeof(c->name));
}

void
dnsyn_interval_add(struct dnsyn_interval *dst, const struct dnsyn_interval *src)
{
	dnsyn_interval_add_xform(dst, src, NULL);
}

void
dnsyn_interval_add_xform(struct dnsyn_interval *dst, const struct dnsyn_interval *src,
			 const struct dnsyn_iv_xform *xf)
{
	size_t it = 0;
	const void *k;
	uint64_t v;
	unsigned int i;
	uint8_t cl[16];

	dst->events += src->events;
	dst->dns_answers += src->dns_answers;
	dst->answers_with_a += src->answers_with_a;
	dst->a_rrs += src->a_rrs;
	dst->answers_with_aaaa += src->answers_with_aaaa;
	dst->aaaa_rrs += src->aaaa_rrs;
	dst->dns_queries += src->dns_queries;
	dst->nxdomain += src->nxdomain;
	dst->syn += src->syn;
	dst->synack += src->synack;
	for (i = 0; i < 2; i++) {
		dst->matched_syns[i] += src->matched_syns[i];
		dst->matched_answers[i] += src->matched_answers[i];
	}
	for (i = 0; i < 65536; i++) {
		dst->syn_dport[i] += src->syn_dport[i];
		dst->matched_dport[i] += src->matched_dport[i];
	}
	while (dnsyn_map_next(&src->unmatched_clients, &it, &k, &v)) {
		uint64_t *c = dnsyn_map_upsert(&dst->unmatched_clients, xf_client(xf, k, cl), NULL);

		if (c)
			*c += v;
		else
			dst->unmatched_clients.refused += v;
	}
	dst->unmatched_clients.refused += src->unmatched_clients.refused;
	dst->clients_refused += src->clients_refused;
	dst->corr_refused += src->corr_refused;
	it = 0;
	while (dnsyn_map_next(&src->resolvers, &it, &k, &v)) {
		uint64_t *r = dnsyn_map_upsert(&dst->resolvers, k, NULL);

		if (r)
			*r += v;
		else
			dst->resolvers.refused++;
	}
	dst->corr_no_name += src->corr_no_name;
	for (i = 0; i < src->n_co; i++) {
		const struct dnsyn_iv_corr *sc = &src->co[i];
		uint8_t key[CORR_KEY];
		struct dnsyn_iv_corr *dc;
		int is_new;

		const uint8_t *client = xf_client(xf, sc->client, cl);

		corr_key(key, client, sc->server, sc->dport);
		dc = corr_get(dst, key, &is_new);
		if (dc == NULL) {
			dst->corr_refused += sc->syns;
			continue;
		}
		if (is_new) {
			*dc = *sc;
			memcpy(dc->client, client, 16);
			xf_name(xf, dc);
			continue;
		}
		/* The name of whichever part saw the key first. */
		if (sc->first_ns < dc->first_ns) {
			dc->name_len = sc->name_len;
			dc->name_trunc = sc->name_trunc;
			memcpy(dc->name, sc->name, sc->name_len);
			xf_name(xf, dc);
		}
		dc->syns += sc->syns;
		dc->delay_sum_ns += sc->delay_sum_ns;
		dc->delay_min_ns = DNSYN_MIN(dc->delay_min_ns, sc->delay_min_ns);
		dc->delay_max_ns = DNSYN_MAX(dc->delay_max_ns, sc->delay_max_ns);
		dc->ttl_min = DNSYN_MIN(dc->ttl_min, sc->ttl_min);
		dc->first_ns = DNSYN_MIN(dc->first_ns, sc->first_ns);
		dc->last_ns = DNSYN_MAX(dc->last_ns, sc->last_ns);
	}
	for (i = 0; i < src->n_cl; i++) {
		const struct dnsyn_iv_client *sc = &src->cl[i];
		struct dnsyn_iv_client *dc = dnsyn_interval_client(dst, xf_client(xf, sc->addr, cl));
		unsigned int q;

		if (dc == NULL)
			continue; /* counted in dst->clients_refused */
		for (q = 0; q < DNSYN_IVQ_MAX; q++)
			dc->queries[q] += sc->queries[q];
		dc->responses += sc->responses;
		dc->nxdomain += sc->nxdomain;
		dc->unmatched_syn += sc->unmatched_syn;
		dc->syn += sc->syn;
		dc->matched_syn += sc->matched_syn;
		dc->mail_syn += sc->mail_syn;
		dc->smtp_syn += sc->smtp_syn;
		dc->pop_syn += sc->pop_syn;
		dc->unm_dst_bits[0] |= sc->unm_dst_bits[0];
		dc->unm_dst_bits[1] |= sc->unm_dst_bits[1];
		dc->name_bits[0] |= sc->name_bits[0];
		dc->name_bits[1] |= sc->name_bits[1];
	}
}

static void
ivclock_handover(struct dnsyn_ivclock *c)
{
	c->iv = c->cb(c->ud, c->iv);
	c->done_ns = c->end_ns;
	c->end_ns = 0;
}

void
dnsyn_ivclock_roll(struct dnsyn_ivclock *c, uint64_t ts_ns)
{
	uint64_t len = c->iv->len_s, start = ts_ns / DNSYN_NS_PER_S;

	if (c->end_ns)
		ivclock_handover(c);
	start -= start % len;
	dnsyn_interval_reset(c->iv, start);
	c->end_ns = (start + len) * DNSYN_NS_PER_S;
	c->done_ns = DNSYN_MAX(c->done_ns, start * DNSYN_NS_PER_S);
}

void
dnsyn_ivclock_advance(struct dnsyn_ivclock *c, uint64_t now_ns)
{
	if (c->iv == NULL)
		return;
	if (c->end_ns && now_ns >= c->end_ns)
		ivclock_handover(c);
	if (c->end_ns == 0 && now_ns > c->done_ns)
		c->done_ns = now_ns;
}

void
dnsyn_ivclock_flush(struct dnsyn_ivclock *c)
{
	if (c->iv && c->end_ns)
		ivclock_handover(c);
	c->done_ns = UINT64_MAX;
}
