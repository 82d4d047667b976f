/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dnsyn_ipfix_interval.h"

long
dnsyn_ipfix_from_interval(const struct dnsyn_interval *iv, dnsyn_ipfix_port_cb port_cb,
			  dnsyn_ipfix_client_cb client_cb, void *ud)
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
		rc = client_cb(ud, &r);
		if (rc < 0)
			return rc;
		n++;
	}
	return n;
}
