/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dnsyn_ipfix_interval.h"

long
dnsyn_ipfix_from_interval(const struct dnsyn_interval *iv, dnsyn_ipfix_port_cb port_cb,
			  dnsyn_ipfix_client_cb client_cb, dnsyn_ipfix_corr_cb corr_cb, void *ud)
{
	uint64_t end_s = iv->start_s + iv->len_s;
	long n = 0;
	int rc;

	if (port_cb != NULL && iv->syn_dport != NULL) {
		for (uint32_t port = 0; port < 65536; port++) {
			struct dnsyn_ipfix_port_rec r;
			uint64_t all = iv->syn_dport[port];
			uint64_t m = iv->matched_dport ? iv->matched_dport[port] : 0;

			if (all == 0 && m == 0)
				continue;
			r.start_s = iv->start_s;
			r.end_s = end_s;
			r.dport = (uint16_t)port;
			r.syn = all;
			r.matched = m;
			/* matched <= all by construction; clamp rather than wrap. */
			r.unmatched = all > m ? all - m : 0;
			rc = port_cb(ud, &r);
			if (rc < 0)
				return rc;
			n++;
		}
	}
	for (uint32_t i = 0; client_cb != NULL && i < iv->n_cl; i++) {
		const struct dnsyn_iv_client *cl = &iv->cl[i];
		struct dnsyn_ipfix_client_rec r;

		r.start_s = iv->start_s;
		r.end_s = end_s;
		memcpy(r.client, cl->addr, 16);
		r.q_a = cl->queries[DNSYN_IVQ_A];
		r.q_aaaa = cl->queries[DNSYN_IVQ_AAAA];
		r.q_mx = cl->queries[DNSYN_IVQ_MX];
		r.q_ptr = cl->queries[DNSYN_IVQ_PTR];
		r.q_txt = cl->queries[DNSYN_IVQ_TXT];
		r.q_other = cl->queries[DNSYN_IVQ_OTHER];
		r.responses = cl->responses;
		r.nxdomain = cl->nxdomain;
		r.unmatched_syn = cl->unmatched_syn;
		r.names = dnsyn_iv_bits_estimate(cl->name_bits);
		rc = client_cb(ud, &r);
		if (rc < 0)
			return rc;
		n++;
	}
	for (uint32_t i = 0; corr_cb != NULL && i < iv->n_co; i++) {
		const struct dnsyn_iv_corr *c = &iv->co[i];
		struct dnsyn_ipfix_corr_rec r;

		r.first_ms = c->first_ns / 1000000;
		r.last_ms = c->last_ns / 1000000;
		memcpy(r.client, c->client, 16);
		memcpy(r.server, c->server, 16);
		r.dport = c->dport;
		r.proto = 6;
		r.syns = c->syns;
		/* The delays fit 32 bits of us: they are at most the window (1 h). */
		r.delay_min_us = (uint32_t)(c->delay_min_ns / 1000);
		r.delay_max_us = (uint32_t)(c->delay_max_ns / 1000);
		r.delay_sum_us = c->delay_sum_ns / 1000;
		r.answer_ttl = c->ttl_min;
		r.qname = c->name;
		r.qname_len = c->name_len;
		rc = corr_cb(ud, &r);
		if (rc < 0)
			return rc;
		n++;
	}
	return n;
}
