/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_interval.h"

int
dnsyn_interval_init(struct dnsyn_interval *iv, uint32_t len_s, uint32_t max_clients)
{
	memset(iv, 0, sizeof(*iv));
	iv->len_s = len_s;
	iv->syn_dport = calloc(65536, sizeof(uint64_t));
	iv->matched_dport = calloc(65536, sizeof(uint64_t));
	if (len_s == 0 || iv->syn_dport == NULL || iv->matched_dport == NULL ||
	    dnsyn_map_init(&iv->unmatched_clients, 16, 1024, max_clients) < 0) {
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
	iv->syn_dport = iv->matched_dport = NULL;
}

void
dnsyn_interval_reset(struct dnsyn_interval *iv, uint64_t start_s)
{
	uint64_t *a = iv->syn_dport, *m = iv->matched_dport;
	struct dnsyn_map map = iv->unmatched_clients;
	uint32_t len = iv->len_s;

	/* 2 x 512 KiB once per interval: cheaper than tracking touched ports. */
	memset(a, 0, 65536 * sizeof(uint64_t));
	memset(m, 0, 65536 * sizeof(uint64_t));
	dnsyn_map_clear(&map);
	memset(iv, 0, sizeof(*iv));
	iv->syn_dport = a;
	iv->matched_dport = m;
	iv->unmatched_clients = map;
	iv->len_s = len;
	iv->start_s = start_s;
}
