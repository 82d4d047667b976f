/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation lcore: drain every RX ring round-robin in bursts and feed the
 * paper's correlator. Ends once every RX lcore is done and its ring is empty. */
#include <rte_lcore.h>
#include <rte_ring.h>

#include "dnsyn_app.h"

#define CORR_BURST 64

static int
all_rx_done(const struct dnsyn_corr_ctx *cc)
{
	unsigned int i;

	for (i = 0; i < cc->n_rings; i++)
		if (!__atomic_load_n(&cc->rx[i]->done, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

int
dnsyn_corr_lcore_main(void *arg)
{
	struct dnsyn_corr_ctx *cc = arg;
	struct dnsyn_event ev[CORR_BURST];

	for (;;) {
		unsigned int r, got = 0;
		int done = all_rx_done(cc); /* read before draining: see below */

		for (r = 0; r < cc->n_rings; r++) {
			unsigned int n, i;

			n = rte_ring_dequeue_burst_elem(cc->rings[r], ev, sizeof(ev[0]), CORR_BURST,
							NULL);
			for (i = 0; i < n; i++)
				dnsyn_paper_event(cc->paper, &ev[i]);
			got += n;
		}
		cc->events += got;
		/* Every RX lcore had finished before this pass began, and the
		 * pass found nothing: no event can still be on its way. */
		if (got == 0 && done)
			break;
	}
	__atomic_store_n(&cc->done, 1, __ATOMIC_RELEASE);
	return 0;
}
