/* SPDX-License-Identifier: BSD-3-Clause */
/* Correlation shards and the resolver.
 *
 * A shard merges its ring of every RX queue by packet time and feeds its
 * correlator. Each ring is in time order (one RX queue); the merge takes the
 * oldest head among the rings, but only once every ring without a head has
 * promised (its watermark) that nothing older can still come. So the report
 * does not depend on how traffic was spread over queues or on thread
 * scheduling. Equal times: lower queue first. Ends once every RX lcore is done
 * and every ring is empty.
 *
 * With several shards, a SYN's claims on answers go to the resolver (polled
 * by the main lcore), which merges the shards' claims the same way, by
 * (time, queue, seq), each shard publishing how far it has got. */
#include <errno.h>
#include <stdlib.h>

#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "dnsyn_app.h"

#define CORR_BURST 64
#define PREFETCH_AHEAD 8 /* events: dnsyn_ctable_prefetch()'s pipeline depth + 2 */

/* A ring's events being merged: read in place in the ring (a zero-copy
 * dequeue, released at the next refill). Copying them out cost as much as
 * the rest of this lcore's loop: DPDK copies a 64-byte element 4 bytes at a
 * time. */
struct ring_buf {
	const struct dnsyn_event *ev;
	unsigned int n, i;
	struct rte_ring *ring;
	uint32_t next;  /* the ring position the next refill starts at */
	unsigned int ahead; /* events already in the ring past it (at the refill) */
};

/* The ring slot at position @p pos. */
static inline const struct dnsyn_event *
ring_slot(const struct rte_ring *r, uint32_t pos)
{
	return (const struct dnsyn_event *)(const void *)&r[1] + (pos & r->mask);
}

/* The ring slot of the @p k-th event past the current buffer: each is a line
 * the RX lcore wrote, and reading them at their turn waited on every one
 * (~18 % of this lcore on the answer flood). Prefetched one per event
 * processed, and only those already enqueued: a line the RX lcore has yet to
 * write must stay in its cache. */
static inline void
ring_prefetch(const struct ring_buf *b, unsigned int k)
{
	if (k < b->ahead)
		rte_prefetch0(ring_slot(b->ring, b->next + k));
}

/* The @p k-th event from the current buffer's start: in the buffer, or
 * further on in the ring (already enqueued), or NULL. */
static inline const struct dnsyn_event *
ring_peek(const struct ring_buf *b, unsigned int k)
{
	if (k < b->n)
		return &b->ev[k];
	k -= b->n;
	return k < b->ahead ? ring_slot(b->ring, b->next + k) : NULL;
}

/* Written per event by each shard's lcore: a shard's buffers on lines of
 * their own. */
static struct {
	struct ring_buf r[DNSYN_MAX_RINGS];
} DNSYN_CACHE_ALIGNED bufs[DNSYN_MAX_SHARDS];

/* Refill ring @p r's buffer if empty. Returns the head, or NULL with *wm set
 * to the ring's watermark (read before the dequeue: an event enqueued after
 * the read has ts >= that value). */
static const struct dnsyn_event *
head(struct dnsyn_corr_ctx *cc, struct ring_buf *b, unsigned int r, uint64_t *wm)
{
	struct rte_ring_zc_data zc = {.ptr1 = NULL};
	uint32_t at;

	if (b->i < b->n)
		return &b->ev[b->i];
	b->ring = cc->rxq[r]->ring[cc->shard];
	if (b->n)
		rte_ring_dequeue_zc_elem_finish(b->ring, b->n); /* the RX lcore may reuse them */
	*wm = __atomic_load_n(&cc->rxq[r]->wm, __ATOMIC_ACQUIRE);
	/* Up to the ring's end only: the buffer is one run of slots. */
	at = b->ring->cons.head; /* the only consumer */
	b->n = rte_ring_dequeue_zc_burst_elem_start(
		b->ring, sizeof(struct dnsyn_event),
		DNSYN_MIN(CORR_BURST, b->ring->size - (at & b->ring->mask)), &zc, &b->ahead);
	b->ev = zc.ptr1;
	b->next = at + b->n;
	b->i = 0;
	return b->n ? &b->ev[0] : NULL;
}

static void claims_flush(struct dnsyn_corr_ctx *cc);

/* Only grows: a claim enqueued later is never older. */
static void
claims_wm(struct dnsyn_corr_ctx *cc, uint64_t t)
{
	if (t > cc->wm)
		__atomic_store_n(&cc->wm, t, __ATOMIC_RELEASE);
}

struct dnsyn_interval *
dnsyn_iv_handoff_cb(void *ud, struct dnsyn_interval *done)
{
	struct dnsyn_iv_handoff *h = ud;
	unsigned int i = done == &h->buf[0] ? 0 : 1, o = i ^ 1;
	uint64_t end = (done->start_s + done->len_s) * DNSYN_NS_PER_S;

	h->seq[i] = h->produced++;
	__atomic_store_n(&h->full[i], 1, __ATOMIC_RELEASE);
	/* Everything up to its end is handed over: main may need to know so
	 * before it can make room for it (see dnsyn_ivout.c). */
	__atomic_store_n(&h->clock, DNSYN_MAX(h->clock, end), __ATOMIC_RELEASE);
	/* ... and so must the resolver, whose part of this interval main adds
	 * up too: the event that ended it is at or past its end. */
	if (h->cc->claims) {
		claims_flush(h->cc);
		claims_wm(h->cc, end);
	}
	/* Intervals are minutes of packet time; main takes one in well under a
	 * millisecond, so this waits only when a replay races through time. */
	while (__atomic_load_n(&h->full[o], __ATOMIC_ACQUIRE)) {
		h->waits++;
		rte_pause();
	}
	return &h->buf[o];
}

static void
claims_flush(struct dnsyn_corr_ctx *cc)
{
	unsigned int n = 0;

	/* The resolver never waits for a shard to drain (it queues what it
	 * cannot resolve yet), so this wait always ends. */
	while (n < cc->n_claims) {
		n += rte_ring_enqueue_burst_elem(cc->claims, &cc->claim_buf[n], sizeof(struct dnsyn_cand),
						 cc->n_claims - n, NULL);
		if (n < cc->n_claims) {
			cc->claim_waits++;
			rte_pause();
		}
	}
	cc->n_claims = 0;
}

void
dnsyn_corr_claim_cb(void *ud, const struct dnsyn_cand *c)
{
	struct dnsyn_corr_ctx *cc = ud;

	cc->claim_buf[cc->n_claims++] = *c;
	if (cc->n_claims == DNSYN_CLAIM_BURST)
		claims_flush(cc);
}

/* (ts, queue) pairs in merge order: time first, then the lower queue. */
static inline int
before(uint64_t t, unsigned int r, uint64_t u, unsigned int q)
{
	return t < u || (t == u && r < q);
}

/* Nothing older than @p low can still reach this shard: tell the resolver and
 * the interval writer (claims and intervals handed over before it). */
static void
publish(struct dnsyn_corr_ctx *cc, uint64_t low, uint64_t *published)
{
	if (low == *published)
		return;
	*published = low;
	if (cc->claims) {
		claims_flush(cc);
		claims_wm(cc, low);
	}
	if (cc->ivh) {
		dnsyn_paper_advance(cc->paper, low);
		__atomic_store_n(&cc->ivh->clock, dnsyn_paper_interval_done(cc->paper),
				 __ATOMIC_RELEASE);
	}
}

int
dnsyn_corr_lcore_main(void *arg)
{
	struct dnsyn_corr_ctx *cc = arg;
	struct ring_buf *bs = bufs[cc->shard].r;
	uint64_t wm[DNSYN_MAX_RINGS], published = 0;
	unsigned int r;

	for (;;) {
		const struct dnsyn_event *best = NULL;
		unsigned int best_r = 0, finished = 0, min_r = UINT32_MAX;
		uint64_t min_t = UINT64_MAX, low;
		struct ring_buf *b;

		for (r = 0; r < cc->n_rings; r++) {
			const struct dnsyn_event *e;

			wm[r] = 0;
			e = head(cc, &bs[r], r, &wm[r]);
			if (e == NULL)
				finished += wm[r] == UINT64_MAX; /* done and drained */
			else if (best == NULL || e->ts_ns < best->ts_ns)
				best = e, best_r = r;
		}
		if (best == NULL) {
			if (finished == cc->n_rings)
				break;
			low = UINT64_MAX;
			for (r = 0; r < cc->n_rings; r++)
				low = DNSYN_MIN(low, wm[r]);
			publish(cc, low, &published);
			rte_pause();
			continue;
		}
		/* The earliest (time, queue) any other ring can still deliver: its
		 * head, or for an empty ring its watermark. */
		for (r = 0; r < cc->n_rings; r++) {
			uint64_t u;

			if (r == best_r)
				continue;
			if (bs[r].i < bs[r].n)
				u = bs[r].ev[bs[r].i].ts_ns;
			else if (wm[r] != UINT64_MAX)
				u = wm[r];
			else
				continue;
			if (before(u, r, min_t, min_r))
				min_t = u, min_r = r;
		}
		publish(cc, DNSYN_MIN(best->ts_ns, min_t), &published);
		b = &bs[best_r];
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
			/* The table lines of the event PREFETCH_AHEAD on, so that
			 * they are in cache when its turn comes; past the buffer's
			 * end, that event is still in the ring (its slot fetched
			 * by ring_prefetch() long before), where the next refill
			 * finds it: else the first events of every refill came
			 * unprefetched. */
			const struct dnsyn_event *ahead = ring_peek(b, b->i + PREFETCH_AHEAD);

			if (ahead)
				dnsyn_paper_prefetch(cc->paper, ahead);
			ring_prefetch(b, b->i);
			dnsyn_paper_event(cc->paper, &b->ev[b->i++]);
			cc->events++;
		} while (b->i < b->n && before(b->ev[b->i].ts_ns, best_r, min_t, min_r));
	}
	dnsyn_paper_flush(cc->paper); /* the last, partial interval */
	if (cc->claims)
		claims_flush(cc);
	if (cc->ivh)
		__atomic_store_n(&cc->ivh->clock, UINT64_MAX, __ATOMIC_RELEASE);
	__atomic_store_n(&cc->wm, UINT64_MAX, __ATOMIC_RELEASE);
	__atomic_store_n(&cc->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* ------------------------------------------------------------------ resolver */

static int
claimq_push(struct dnsyn_claimq *q, const struct dnsyn_cand *c, unsigned int n)
{
	unsigned int i;

	if (q->n + n > q->cap) {
		size_t cap = q->cap ? q->cap : 1024, k;
		struct dnsyn_cand *nc;

		while (cap < q->n + n)
			cap *= 2;
		nc = malloc(cap * sizeof(*nc));
		if (nc == NULL)
			return -ENOMEM;
		for (k = 0; k < q->n; k++)
			nc[k] = q->c[(q->head + k) % q->cap];
		free(q->c);
		q->c = nc;
		q->cap = cap;
		q->head = 0;
	}
	for (i = 0; i < n; i++)
		q->c[(q->head + q->n++) % q->cap] = c[i];
	return 0;
}

/* Claims in capture order: (time, queue, seq); seq wraps, so compare it as a
 * difference (a queue never holds 2^31 events of one time stamp). */
static inline int
claim_before(const struct dnsyn_cand *a, const struct dnsyn_cand *b)
{
	if (a->syn_ts != b->syn_ts)
		return a->syn_ts < b->syn_ts;
	if (a->syn_queue != b->syn_queue)
		return a->syn_queue < b->syn_queue;
	return (int32_t)(a->syn_seq - b->syn_seq) < 0;
}

int
dnsyn_resolver_poll(struct dnsyn_resolver_ctx *rc)
{
	struct dnsyn_cand tmp[CORR_BURST];
	unsigned int s, n;
	uint64_t low;
	int done = 0;

	for (s = 0; s < rc->n_shards; s++) {
		/* Watermark first: a claim enqueued after this read is newer. */
		rc->wm[s] = __atomic_load_n(&rc->shard[s]->wm, __ATOMIC_ACQUIRE);
		while ((n = rte_ring_dequeue_burst_elem(rc->shard[s]->claims, tmp, sizeof(tmp[0]),
							CORR_BURST, NULL)) > 0)
			if (claimq_push(&rc->q[s], tmp, n) < 0) {
				rc->oom = 1;
				return -ENOMEM;
			}
		rc->peak_queued = DNSYN_MAX(rc->peak_queued, (uint64_t)rc->q[s].n);
	}
	for (;;) {
		const struct dnsyn_cand *best = NULL;
		unsigned int best_s = 0, blocked = 0;

		for (s = 0; s < rc->n_shards; s++) {
			const struct dnsyn_cand *c;

			if (rc->q[s].n == 0)
				continue;
			c = &rc->q[s].c[rc->q[s].head];
			if (best == NULL || claim_before(c, best))
				best = c, best_s = s;
		}
		if (best == NULL)
			break;
		/* A shard with nothing queued may still send an older claim,
		 * unless its watermark is past this one's time. */
		for (s = 0; s < rc->n_shards; s++)
			if (rc->q[s].n == 0 && rc->wm[s] <= best->syn_ts) {
				if (best->syn_ts - rc->wm[s] > rc->horizon_ns)
					continue; /* live: a lagging shard does not stall all */
				blocked = 1;
			}
		if (blocked)
			break;
		for (s = 0; s < rc->n_shards; s++)
			rc->horizon_skips += rc->q[s].n == 0 && rc->wm[s] <= best->syn_ts;
		dnsyn_resolve_claim(rc->res, best);
		rc->q[best_s].head = (rc->q[best_s].head + 1) % rc->q[best_s].cap;
		rc->q[best_s].n--;
		done++;
	}
	/* Intervals: nothing older than the oldest shard's progress can come. */
	low = UINT64_MAX;
	for (s = 0; s < rc->n_shards; s++)
		low = DNSYN_MIN(low, rc->q[s].n ? rc->q[s].c[rc->q[s].head].syn_ts : rc->wm[s]);
	if (low != UINT64_MAX)
		dnsyn_resolve_advance(rc->res, low);
	return done;
}

int
dnsyn_resolver_idle(const struct dnsyn_resolver_ctx *rc)
{
	unsigned int s;

	for (s = 0; s < rc->n_shards; s++)
		if (rc->q[s].n || rc->wm[s] != UINT64_MAX ||
		    rte_ring_count(rc->shard[s]->claims))
			return 0;
	return 1;
}
