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
	if (client_cb != NULL && iv->unmatched_clients.slots != NULL &&
	    iv->unmatched_clients.key_size == 16) {
		size_t it = 0;
		const void *key;
		uint64_t val;

		while (dnsyn_map_next(&iv->unmatched_clients, &it, &key, &val)) {
			struct dnsyn_ipfix_client_rec r;

			if (val == 0)
				continue;
			memset(&r, 0, sizeof(r));
			r.start_s = iv->start_s;
			r.end_s = end_s;
			memcpy(r.client, key, 16);
			r.unmatched_syn = val;
			rc = client_cb(ud, &r);
			if (rc < 0)
				return rc;
			n++;
		}
	}
	return n;
}
