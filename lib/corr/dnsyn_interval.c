/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_interval.h"

int
dnsyn_interval_init(struct dnsyn_interval *iv, uint32_t len_s, uint32_t max_clients)
{
	memset(iv, 0, sizeof(*iv));
	iv->len_s = len_s;
	iv->syn_dport = calloc(65536, sizeof(uint64_t));
	iv->matched_dport = calloc(65536, sizeof(uint64_t));
	if (len_s == 0 || iv->syn_dport == NULL || iv->matched_dport == NULL ||
	    dnsyn_map_init(&iv->unmatched_clients, 16, 1024, max_clients) < 0 ||
	    dnsyn_map_init(&iv->clients, 16, 1024, DNSYN_IV_CLIENTS_MAX) < 0) {
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
	free(iv->cl);
	iv->cl = NULL;
	iv->syn_dport = iv->matched_dport = NULL;
}

void
dnsyn_interval_reset(struct dnsyn_interval *iv, uint64_t start_s)
{
	uint64_t *a = iv->syn_dport, *m = iv->matched_dport;
	struct dnsyn_map map = iv->unmatched_clients, cmap = iv->clients;
	struct dnsyn_iv_client *cl = iv->cl;
	uint32_t len = iv->len_s, cap_cl = iv->cap_cl;

	/* 2 x 512 KiB once per interval: cheaper than tracking touched ports. */
	memset(a, 0, 65536 * sizeof(uint64_t));
	memset(m, 0, 65536 * sizeof(uint64_t));
	dnsyn_map_clear(&map);
	dnsyn_map_clear(&cmap);
	memset(iv, 0, sizeof(*iv));
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

void
dnsyn_interval_add(struct dnsyn_interval *dst, const struct dnsyn_interval *src)
{
	size_t it = 0;
	const void *k;
	uint64_t v;
	unsigned int i;

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
		uint64_t *c = dnsyn_map_upsert(&dst->unmatched_clients, k, NULL);

		if (c)
			*c += v;
		else
			dst->unmatched_clients.refused += v;
	}
	dst->unmatched_clients.refused += src->unmatched_clients.refused;
	dst->clients_refused += src->clients_refused;
	for (i = 0; i < src->n_cl; i++) {
		const struct dnsyn_iv_client *sc = &src->cl[i];
		struct dnsyn_iv_client *dc = dnsyn_interval_client(dst, sc->addr);
		unsigned int q;

		if (dc == NULL)
			continue; /* counted in dst->clients_refused */
		for (q = 0; q < DNSYN_IVQ_MAX; q++)
			dc->queries[q] += sc->queries[q];
		dc->responses += sc->responses;
		dc->nxdomain += sc->nxdomain;
		dc->unmatched_syn += sc->unmatched_syn;
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
