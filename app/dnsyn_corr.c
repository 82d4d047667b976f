/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation lcore: merge the RX queues' event rings by packet time and feed
 * the paper's correlator. Each ring is in time order (one RX queue); the merge
 * takes the oldest head among the rings, but only once every ring without a
 * head has promised (its watermark) that nothing older can still come. So the
 * report does not depend on how traffic was spread over queues or on thread
 * scheduling. Equal times: lower ring first. Ends once every RX lcore is done
 * and every ring is empty. */
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "dnsyn_app.h"

#define CORR_BURST 64

struct ring_buf {
	struct dnsyn_event ev[CORR_BURST];
	unsigned int n, i;
};

static struct ring_buf bufs[DNSYN_MAX_RINGS];

/* Refill ring @p r's buffer if empty. Returns the head, or NULL with *wm set
 * to the ring's watermark (read before the dequeue: an event enqueued after
 * the read has ts >= that value). */
static const struct dnsyn_event *
head(struct dnsyn_corr_ctx *cc, unsigned int r, uint64_t *wm)
{
	struct ring_buf *b = &bufs[r];

	if (b->i < b->n)
		return &b->ev[b->i];
	*wm = __atomic_load_n(&cc->rxq[r]->wm, __ATOMIC_ACQUIRE);
	b->n = rte_ring_dequeue_burst_elem(cc->rxq[r]->ring, b->ev, sizeof(b->ev[0]), CORR_BURST,
					   NULL);
	b->i = 0;
	return b->n ? &b->ev[0] : NULL;
}

struct dnsyn_interval *
dnsyn_iv_handoff_cb(void *ud, struct dnsyn_interval *done)
{
	struct dnsyn_iv_handoff *h = ud;
	unsigned int i = done == &h->buf[0] ? 0 : 1, o = i ^ 1;

	h->seq[i] = h->produced++;
	__atomic_store_n(&h->full[i], 1, __ATOMIC_RELEASE);
	/* Intervals are minutes of packet time; main writes one in well under a
	 * millisecond, so this waits only when a replay races through time. */
	while (__atomic_load_n(&h->full[o], __ATOMIC_ACQUIRE)) {
		h->waits++;
		rte_pause();
	}
	return &h->buf[o];
}

/* (ts, ring) pairs in merge order: time first, then the lower ring. */
static inline int
before(uint64_t t, unsigned int r, uint64_t u, unsigned int q)
{
	return t < u || (t == u && r < q);
}

int
dnsyn_corr_lcore_main(void *arg)
{
	struct dnsyn_corr_ctx *cc = arg;
	uint64_t wm[DNSYN_MAX_RINGS];
	unsigned int r;

	for (;;) {
		const struct dnsyn_event *best = NULL;
		unsigned int best_r = 0, finished = 0, min_r = UINT32_MAX;
		uint64_t min_t = UINT64_MAX;
		struct ring_buf *b;

		for (r = 0; r < cc->n_rings; r++) {
			const struct dnsyn_event *e;

			wm[r] = 0;
			e = head(cc, r, &wm[r]);
			if (e == NULL)
				finished += wm[r] == UINT64_MAX; /* done and drained */
			else if (best == NULL || e->ts_ns < best->ts_ns)
				best = e, best_r = r;
		}
		if (best == NULL) {
			if (finished == cc->n_rings)
				break;
			rte_pause();
			continue;
		}
		/* The earliest (time, ring) any other ring can still deliver: its
		 * head, or for an empty ring its watermark. */
		for (r = 0; r < cc->n_rings; r++) {
			uint64_t u;

			if (r == best_r)
				continue;
			if (bufs[r].i < bufs[r].n)
				u = bufs[r].ev[bufs[r].i].ts_ns;
			else if (wm[r] != UINT64_MAX)
				u = wm[r];
			else
				continue;
			if (before(u, r, min_t, min_r))
				min_t = u, min_r = r;
		}
		b = &bufs[best_r];
		if (!before(best->ts_ns, best_r, min_t, min_r)) {
			/* Only an empty ring can hold the merge back. Wait for it,
			 * unless (live) it lags by more than the horizon. */
			if (best->ts_ns - min_t <= cc->horizon_ns) {
				rte_pause();
				continue;
			}
			cc->horizon_skips++;
			dnsyn_paper_event(cc->paper, &b->ev[b->i++]);
			cc->events++;
			continue;
		}
		do {
			dnsyn_paper_event(cc->paper, &b->ev[b->i++]);
			cc->events++;
		} while (b->i < b->n && before(b->ev[b->i].ts_ns, best_r, min_t, min_r));
	}
	dnsyn_paper_flush(cc->paper); /* the last, partial interval */
	__atomic_store_n(&cc->done, 1, __ATOMIC_RELEASE);
	return 0;
}
