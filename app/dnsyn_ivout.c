/* SPDX-License-Identifier: BSD-3-Clause */
/* Main lcore: the interval writer. Each correlation shard (and the resolver)
 * hands over its part of an interval; the writer adds the parts of one
 * interval up and writes it once every stage has moved past its end, so the
 * JSON lines are the same for any number of shards. */
#include <errno.h>
#include <string.h>

#include "dnsyn_ivout.h"
#include "dnsyn_report.h"

int
dnsyn_ivout_init(struct dnsyn_ivout *o, FILE *f, uint32_t len_s, uint32_t max_clients,
		 const struct dnsyn_privacy *priv)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->f = f;
	o->len_s = len_s;
	o->max_clients = max_clients;
	rc = dnsyn_interval_init(&o->res_buf, len_s, max_clients);
	if (rc == 0 && dnsyn_privacy_active(priv)) {
		o->priv = priv;
		rc = dnsyn_interval_init(&o->shown, len_s, max_clients);
	}
	return rc;
}

void
dnsyn_ivout_fini(struct dnsyn_ivout *o)
{
	unsigned int i;

	for (i = 0; i < o->n_acc; i++)
		dnsyn_interval_fini(&o->acc[i]);
	dnsyn_interval_fini(&o->res_buf);
	if (o->priv)
		dnsyn_interval_fini(&o->shown);
}

static void
write_acc(struct dnsyn_ivout *o, unsigned int i)
{
	const struct dnsyn_interval *shown = &o->acc[i];

	/* Only outputs see the transformed clients; detection gets the real ones. */
	if (o->priv) {
		dnsyn_privacy_interval(o->priv, &o->shown, &o->acc[i]);
		shown = &o->shown;
	}
	if (o->f && (dnsyn_report_interval_jsonl(o->f, shown, 10, o->key_client) < 0 ||
		     fflush(o->f) != 0))
		o->errors++;
	if (o->sink)
		o->sink(o->sink_ud, &o->acc[i], shown);
	o->written++;
	o->clients_refused += o->acc[i].clients_refused;
	o->last_start = o->acc[i].start_s;
	o->used[i] = 0;
}

/* The oldest interval held, or -1. */
static int
oldest(const struct dnsyn_ivout *o)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < o->n_acc; i++)
		if (o->used[i] && (best < 0 || o->acc[i].start_s < o->acc[best].start_s))
			best = (int)i;
	return best;
}

/* The accumulator of @p start_s, or a free one (allocated up to @p cap), or -1. */
static int
slot_for(struct dnsyn_ivout *o, uint64_t start_s, unsigned int cap)
{
	unsigned int i;
	int free_i = -1;

	for (i = 0; i < o->n_acc; i++) {
		if (o->used[i] && o->acc[i].start_s == start_s)
			return (int)i;
		if (!o->used[i] && free_i < 0)
			free_i = (int)i;
	}
	if (free_i < 0 && o->n_acc < cap &&
	    dnsyn_interval_init(&o->acc[o->n_acc], o->len_s, o->max_clients) == 0)
		free_i = (int)o->n_acc++;
	return free_i;
}

static void
add_part_at(struct dnsyn_ivout *o, int i, const struct dnsyn_interval *part)
{
	unsigned int k, open = 0;

	if (o->written && part->start_s <= o->last_start)
		o->late++; /* time went backwards after that interval was written */
	if (!o->used[i]) {
		dnsyn_interval_reset(&o->acc[i], part->start_s);
		o->used[i] = 1;
		for (k = 0; k < o->n_acc; k++)
			open += o->used[k] != 0;
		o->peak_open = DNSYN_MAX(o->peak_open, open);
	}
	dnsyn_interval_add(&o->acc[i], part);
}

struct dnsyn_interval *
dnsyn_ivout_resolver_cb(void *ud, struct dnsyn_interval *done)
{
	struct dnsyn_ivout *o = ud;
	/* The resolver runs on main and cannot wait: its part is added at once,
	 * beyond the shards' share if need be (it trails every shard, so its
	 * intervals are nearly always open already). */
	int i = slot_for(o, done->start_s, DNSYN_IVOUT_ACC_MAX);

	if (i < 0) {
		i = oldest(o);
		o->early++;
		write_acc(o, (unsigned int)i);
	}
	add_part_at(o, i, done);
	return done;
}

void
dnsyn_ivout_poll(struct dnsyn_ivout *o, uint64_t resolver_done)
{
	uint64_t clock = resolver_done;
	unsigned int s;
	int i;

	/* Clocks before parts: a stage hands a part over before its clock
	 * passes the part's end. */
	for (s = 0; s < o->n_stages; s++)
		clock = DNSYN_MIN(clock, __atomic_load_n(&o->h[s]->clock, __ATOMIC_ACQUIRE));
	for (s = 0; s < o->n_stages; s++) {
		struct dnsyn_iv_handoff *h = o->h[s];

		for (;;) {
			unsigned int b = h->seq[0] == h->taken ? 0 : 1;
			int k;

			if (!__atomic_load_n(&h->full[b], __ATOMIC_ACQUIRE) || h->seq[b] != h->taken)
				break;
			/* No room: leave it, the shard waits (it is ahead of
			 * another, whose parts let the oldest intervals out). */
			k = slot_for(o, h->buf[b].start_s, DNSYN_IVOUT_ACC);
			/* Older than all held: from the shard that lags, which
			 * the others are waiting for; let it in. */
			if (k < 0) {
				int old = oldest(o);

				if (old >= 0 && h->buf[b].start_s < o->acc[old].start_s)
					k = slot_for(o, h->buf[b].start_s, DNSYN_IVOUT_ACC_MAX);
			}
			if (k < 0) {
				/* Its clock says handed over, but it is not in. */
				clock = DNSYN_MIN(clock, h->buf[b].start_s * DNSYN_NS_PER_S);
				o->deferred++;
				break;
			}
			add_part_at(o, k, &h->buf[b]);
			h->taken++;
			__atomic_store_n(&h->full[b], 0, __ATOMIC_RELEASE);
		}
	}
	while ((i = oldest(o)) >= 0 &&
	       (o->acc[i].start_s + o->acc[i].len_s) * DNSYN_NS_PER_S <= clock)
		write_acc(o, (unsigned int)i);
}
