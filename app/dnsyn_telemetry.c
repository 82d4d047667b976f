/* SPDX-License-Identifier: BSD-3-Clause */
/* /dnsyn/stats: per-lcore packet and event rates, drops by cause, ring fill,
 * table occupancy and evictions, export status. Rates are over the time
 * since the previous query (any client), first query: since start. The
 * counters are the workers' own 64-bit words, read as they run (aligned
 * words: never torn, a few events old). */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "dnsyn_telemetry.h"
#include "dnsyn_detector.h"

static const struct dnsyn_live *L;
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t start_tsc, last_tsc;
static uint64_t last_rx[DNSYN_MAX_RX_LCORES], last_ev[DNSYN_MAX_SHARDS];

/* Per-second rate of @p now over @p prev since the last query. */
static uint64_t
rate(uint64_t now, uint64_t prev, uint64_t dt_tsc)
{
	return dt_tsc && now >= prev ? (uint64_t)((double)(now - prev) * rte_get_tsc_hz() / dt_tsc) : 0;
}

/* DPDK 22.11 nests one level only (a dict of arrays of numbers): the
 * per-lcore figures are parallel arrays, index i of each the same lcore. */
#define N_ARRAYS 24

struct arrays {
	struct rte_tel_data *a[N_ARRAYS];
	const char *name[N_ARRAYS];
	unsigned int n;
};

static struct rte_tel_data *
arr(struct arrays *x, const char *name)
{
	unsigned int i;

	for (i = 0; i < x->n; i++)
		if (strcmp(x->name[i], name) == 0)
			return x->a[i];
	if (x->n == N_ARRAYS)
		return NULL;
	x->a[x->n] = rte_tel_data_alloc();
	if (x->a[x->n] == NULL)
		return NULL;
	rte_tel_data_start_array(x->a[x->n], RTE_TEL_U64_VAL);
	x->name[x->n] = name;
	return x->a[x->n++];
}

static void
put(struct arrays *x, const char *name, uint64_t v)
{
	struct rte_tel_data *a = arr(x, name);

	if (a)
		rte_tel_data_add_array_u64(a, v);
}

/* The totals are summed from the very values put in the arrays: the
 * counters move while they are read. */
static void
add_rx(struct arrays *x, uint64_t dt, uint64_t *ring_full, uint64_t *malformed)
{
	unsigned int r, q, s;

	for (r = 0; r < L->n_rx; r++) {
		const struct dnsyn_rx_ctx *rc = &L->rx[r];
		const struct dnsyn_rx_counters *c = &rc->c;
		uint64_t pkts = c->rx_pkts, fill = 0, full = c->ev_ring_full;
		uint64_t bad = c->drop_trunc_l2 + c->drop_bad_l3 + c->drop_trunc_l3 +
			       c->drop_trunc_l4 + c->drop_too_big;

		put(x, "rx_lcore", rc->lcore);
		put(x, "rx_packets", pkts);
		put(x, "rx_packets_per_s", rate(pkts, last_rx[r], dt));
		put(x, "rx_bytes", c->rx_bytes);
		put(x, "rx_dns_messages", c->dns_messages);
		put(x, "rx_syn", c->class_syn);
		put(x, "rx_events", c->ev_sent);
		put(x, "rx_drops_malformed", bad);
		put(x, "rx_drops_ring_full", full);
		*ring_full += full;
		*malformed += bad;
		/* the fullest of its event rings, in events */
		for (q = 0; q < rc->nq; q++)
			for (s = 0; s < L->n_shards; s++)
				if (rc->q[q].ring[s])
					fill = RTE_MAX(fill, (uint64_t)rte_ring_count(rc->q[q].ring[s]));
		put(x, "rx_ring_fill_max", fill);
		last_rx[r] = pkts;
	}
}

static void
add_shards(struct arrays *x, uint64_t dt, uint64_t *occ_total, uint64_t *ev_total)
{
	unsigned int s;

	for (s = 0; s < L->n_shards; s++) {
		const struct dnsyn_corr_ctx *c = &L->cc[s];
		const struct dnsyn_ctable_stats *t = dnsyn_paper_table_stats(c->paper);
		uint64_t ev = c->events, occ = dnsyn_paper_pending(c->paper);

		put(x, "shard_lcore", c->lcore);
		put(x, "shard_events", ev);
		put(x, "shard_events_per_s", rate(ev, last_ev[s], dt));
		put(x, "shard_table_occupancy", occ);
		put(x, "shard_table_capacity", dnsyn_paper_config(c->paper)->table_capacity);
		put(x, "shard_evicted_addrs", t->evicted_addrs);
		put(x, "shard_evicted_answers", t->evicted_answers);
		*occ_total += occ;
		*ev_total += ev;
		last_ev[s] = ev;
	}
}

static int
cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct arrays x = {.n = 0};
	uint64_t now = rte_get_tsc_cycles(), dt, missed = 0, nombuf = 0, occ = 0, ev = 0;
	uint64_t ring_full = 0, malformed = 0;
	unsigned int p, r;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&rate_lock); /* one client's rates at a time */
	dt = now - last_tsc;
	add_rx(&x, dt, &ring_full, &malformed);
	add_shards(&x, dt, &occ, &ev);
	last_tsc = now;
	pthread_mutex_unlock(&rate_lock);
	for (p = 0; p < L->n_ports; p++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(L->ports[p], &es) == 0) {
			missed += es.imissed;
			nombuf += es.rx_nombuf;
		}
	}
	rte_tel_data_add_dict_u64(d, "uptime_s", (now - start_tsc) / rte_get_tsc_hz());
	for (r = 0; r < x.n; r++)
		if (rte_tel_data_add_dict_container(d, x.name[r], x.a[r], 0) < 0)
			rte_tel_data_free(x.a[r]);
	rte_tel_data_add_dict_u64(d, "drops_nic_missed", missed);
	rte_tel_data_add_dict_u64(d, "drops_no_mbuf", nombuf);
	rte_tel_data_add_dict_u64(d, "drops_ring_full", ring_full);
	rte_tel_data_add_dict_u64(d, "drops_malformed", malformed);
	rte_tel_data_add_dict_u64(d, "table_occupancy", occ);
	rte_tel_data_add_dict_u64(d, "events", ev);
	rte_tel_data_add_dict_u64(d, "intervals_written",
				  L->intervals_written ? *L->intervals_written : 0);
	rte_tel_data_add_dict_u64(d, "ipfix_targets", L->xport ? L->xport->n_targets : 0);
	rte_tel_data_add_dict_u64(d, "ipfix_records", L->xport ? L->xport->records : 0);
	{
		/* detection (with interval tables): the last interval's top
		 * DNS clients and the latest alerts */
		struct dnsyn_detect_snap sn;
		struct rte_tel_data *tc = rte_tel_data_alloc(), *tq = rte_tel_data_alloc();
		struct rte_tel_data *al = rte_tel_data_alloc();

		dnsyn_detector_snapshot(&sn);
		if (tc && tq && al) {
			rte_tel_data_start_array(tc, RTE_TEL_STRING_VAL);
			rte_tel_data_start_array(tq, RTE_TEL_U64_VAL);
			rte_tel_data_start_array(al, RTE_TEL_STRING_VAL);
			for (r = 0; r < sn.n_top; r++) {
				rte_tel_data_add_array_string(tc, sn.top[r]);
				rte_tel_data_add_array_u64(tq, sn.top_q[r]);
			}
			for (r = 0; r < sn.n_alerts; r++)
				rte_tel_data_add_array_string(al, sn.alerts[r]);
			rte_tel_data_add_dict_container(d, "top_clients", tc, 0);
			rte_tel_data_add_dict_container(d, "top_clients_queries", tq, 0);
			rte_tel_data_add_dict_container(d, "alerts_recent", al, 0);
		} else {
			rte_tel_data_free(tc);
			rte_tel_data_free(tq);
			rte_tel_data_free(al);
		}
		rte_tel_data_add_dict_u64(d, "alerts_total", sn.total_alerts);
	}
	return 0;
}

int
dnsyn_telemetry_register(const struct dnsyn_live *live)
{
	L = live;
	start_tsc = last_tsc = rte_get_tsc_cycles();
	return rte_telemetry_register_cmd("/dnsyn/stats", cmd_stats,
					  "dnsyn: per-lcore packet and event rates, drops by cause, "
					  "ring fill, table occupancy, evictions, export. No parameters");
}
