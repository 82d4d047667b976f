/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: options, EAL, ports, lcore roles, launch, shutdown, report.
 * Never polls a NIC itself. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "dnsyn_app.h"
#include "dnsyn_conf.h"
#include "dnsyn_paper.h"
#include "dnsyn_port.h"
#include "dnsyn_replay.h"
#include "dnsyn_report.h"

#define EXIT_USAGE 2
#define RX_DESC 1024
/* Distinct clients with unmatched SYNs tracked per interval (a spoofed flood
 * makes more; their SYNs are counted in overflow_syns). */
#define INTERVAL_MAX_CLIENTS (1u << 20)
/* Live ports: the merge stops waiting for a queue that lags this much (its
 * later events are then merged late, and counted as out of order). */
#define LIVE_HORIZON_NS (100ULL * DNSYN_NS_PER_MS)

static struct dnsyn_replay_file files[DNSYN_MAX_PCAPS];
static struct dnsyn_iv_handoff ivh;
static int eal_up; /* die() then releases EAL's devices and memory too */

/* Main lcore: write the intervals the correlator handed over, in order. */
static int
write_intervals(FILE *f)
{
	int ret = 0;

	for (;;) {
		unsigned int i = ivh.seq[0] == ivh.written ? 0 : 1;

		if (!__atomic_load_n(&ivh.full[i], __ATOMIC_ACQUIRE) || ivh.seq[i] != ivh.written)
			return ret;
		if (dnsyn_report_interval_jsonl(f, &ivh.buf[i], 10) < 0 || fflush(f) != 0)
			ret = -EIO;
		ivh.written++;
		__atomic_store_n(&ivh.full[i], 0, __ATOMIC_RELEASE);
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	dnsyn_force_quit = 1;
}

static void __attribute__((format(printf, 2, 3), noreturn))
die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dnsyn: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (eal_up)
		rte_eal_cleanup();
	exit(code);
}

/* EAL leaves its runtime directory behind; a replay owns a unique prefix, so
 * remove it once EAL is done with it. */
static void
remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
find_worker(unsigned int skip_lcore, const int *taken, unsigned int ntaken)
{
	unsigned int l, i;

	RTE_LCORE_FOREACH_WORKER(l) {
		int used = l == skip_lcore;

		for (i = 0; i < ntaken; i++)
			used |= taken[i] == (int)l;
		if (!used)
			return (int)l;
	}
	return -1;
}

/* Decide which lcore polls what and which one correlates. */
static void
assign_lcores(struct dnsyn_conf *conf, unsigned int *n_rx, int *rx_lcores, int *corr_lcore)
{
	unsigned int i, nworkers = rte_lcore_count() - 1;

	if (nworkers < 2)
		die(EXIT_USAGE, "need at least 2 worker lcores (RX + correlation) besides the main "
				"one: give EAL e.g. -l 0-2 (or --lcores '0@0,1@1,2@1' on 2 CPUs)");
	*corr_lcore = conf->corr_lcore;
	if (*corr_lcore < 0) {
		RTE_LCORE_FOREACH_WORKER(i)
			*corr_lcore = (int)i; /* the last worker */
	}
	if (!rte_lcore_is_enabled((unsigned int)*corr_lcore) ||
	    (unsigned int)*corr_lcore == rte_get_main_lcore())
		die(EXIT_USAGE, "--corr-lcore %d is not an enabled worker lcore", *corr_lcore);
	if (conf->n_rx_lcores > DNSYN_MAX_RX_LCORES)
		die(EXIT_USAGE, "--rx-lcores: at most %d RX lcores", DNSYN_MAX_RX_LCORES);
	if (conf->n_rx_lcores) {
		for (i = 0; i < conf->n_rx_lcores; i++) {
			int l = conf->rx_lcores[i];

			if (!rte_lcore_is_enabled((unsigned int)l) ||
			    (unsigned int)l == rte_get_main_lcore() || l == *corr_lcore)
				die(EXIT_USAGE,
				    "--rx-lcores: lcore %d is not an enabled worker lcore distinct "
				    "from the main and correlation lcores",
				    l);
			rx_lcores[i] = l;
		}
		*n_rx = conf->n_rx_lcores;
	} else {
		*n_rx = 0;
		for (i = 0; i + 1 < nworkers && i < DNSYN_MAX_RX_LCORES; i++) {
			int l = find_worker((unsigned int)*corr_lcore, rx_lcores, *n_rx);

			if (l < 0)
				break;
			rx_lcores[(*n_rx)++] = l;
		}
	}
}

static int
parse_replay_mode(struct dnsyn_conf *conf, int argc, char **argv)
{
	char err[512];
	unsigned int i;

	if (dnsyn_conf_parse(conf, argc, argv, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "%s", err);
	if (conf->help) {
		dnsyn_conf_usage(argv[0], stdout);
		exit(0);
	}
	if (conf->version) {
		printf("dnsyn %s (DPDK %s)\n", DNSYN_VERSION, rte_version());
		exit(0);
	}
	if (conf->n_pcaps == 0)
		die(EXIT_USAGE, "nothing to do: give --pcap FILE to replay a capture, or EAL "
				"options then '--' to run on DPDK ports (see --help)");
	for (i = 0; i < conf->n_pcaps; i++) {
		if (dnsyn_replay_scan(conf->pcaps[i], &files[i], err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		if (!dnsyn_pkt_linktype_supported(files[i].linktype))
			die(EXIT_USAGE, "%s: link type %d is not supported (Ethernet, Linux SLL/SLL2, "
					"raw IP, BSD loopback are)",
			    conf->pcaps[i], files[i].linktype);
		if (files[i].truncated)
			fprintf(stderr, "dnsyn: warning: %s ends inside a record; replaying the %" PRIu64
					" whole records before it\n",
				conf->pcaps[i], files[i].packets);
	}
	return 0;
}

/* Files written at the end are opened now: a bad path fails before any work. */
static FILE *
open_outputs(const struct dnsyn_conf *conf)
{
	FILE *f = NULL;

	if (conf->jsonl) {
		f = fopen(conf->jsonl, "w");
		if (f == NULL)
			die(EXIT_USAGE, "--jsonl %s: %s", conf->jsonl, strerror(errno));
	}
	return f;
}

struct counters_out {
	struct dnsyn_report_counter c[128];
	unsigned int n;
};

static void
counter_add(struct counters_out *o, const char *g, const char *n, uint64_t v)
{
	if (o->n < DNSYN_ARRAY_SIZE(o->c))
		o->c[o->n++] = (struct dnsyn_report_counter){g, n, v};
}

int
main(int argc, char **argv)
{
	struct dnsyn_conf conf;
	struct dnsyn_replay_eal eal;
	struct dnsyn_rx_ctx *rx;
	struct dnsyn_corr_ctx *cc;
	struct rte_mempool *mp;
	struct counters_out co = {.n = 0};
	struct dnsyn_rx_counters tot;
	struct dnsyn_tcpdns_stats tcp_tot;
	struct dnsyn_paper_cfg pcfg;
	char err[512], rundir[1024] = "";
	int rx_lcores[DNSYN_MAX_RX_LCORES], corr_lcore, replay, ret, i, dashdash = -1;
	unsigned int n_rx, r, q, nq_total = 0, socket = 0;
	uint16_t port, ports[RTE_MAX_ETHPORTS], nports = 0;
	uint64_t first_ts = UINT64_MAX, last_ts = 0, expected_total = 0;
	int linktypes[DNSYN_MAX_PCAPS];
	const char *file_names[DNSYN_MAX_PCAPS];
	int exit_code = 0, jsonl_err = 0;
	FILE *jsonl = NULL;
	void *table_mem;

	dnsyn_conf_defaults(&conf);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	replay = dashdash < 0;
	if (replay) {
		parse_replay_mode(&conf, argc, argv);
		jsonl = open_outputs(&conf);
		/* One RX lcore per file: an RX lcore may wait for ring space in
		 * replay, and must then not hold up another queue's merge. */
		if (dnsyn_replay_eal_args(&eal, argv[0], files, conf.n_pcaps, conf.n_pcaps + 1,
					  conf.mem_mb, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		ret = rte_eal_init(eal.argc, eal.argv);
		if (ret < 0)
			die(1, "cannot initialise DPDK (EAL): %s", rte_strerror(rte_errno));
		eal_up = 1;
	} else {
		ret = rte_eal_init(argc, argv);
		if (ret < 0)
			die(EXIT_USAGE, "cannot initialise DPDK (EAL): %s; check the EAL options "
					"before '--'",
			    rte_strerror(rte_errno));
		eal_up = 1;
		argv[ret] = argv[0];
		if (dnsyn_conf_parse(&conf, argc - ret, argv + ret, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		if (conf.help) {
			dnsyn_conf_usage(argv[0], stdout);
			rte_eal_cleanup();
			return 0;
		}
		if (conf.n_pcaps)
			die(EXIT_USAGE, "--pcap replays by itself: drop the EAL options and '--', or "
					"give EAL --vdev net_pcap0,rx_pcap=FILE instead");
		jsonl = open_outputs(&conf);
	}
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	assign_lcores(&conf, &n_rx, rx_lcores, &corr_lcore);

	/* Ports and queues. */
	if (replay) {
		if (rte_eth_dev_get_port_by_name("net_pcap0", &port) != 0)
			die(1, "the pcap port did not come up (is librte_net_pcap installed?)");
		ports[nports++] = port;
	} else {
		RTE_ETH_FOREACH_DEV(port) {
			if (conf.port_mask && !(conf.port_mask & (1ULL << port)))
				continue;
			ports[nports++] = port;
		}
		if (nports == 0)
			die(EXIT_USAGE, "no DPDK port to poll: bind a NIC to vfio-pci and allow it "
					"with -a, or give --vdev (e.g. net_af_packet0,iface=eth1)");
	}
	socket = (unsigned int)rte_eth_dev_socket_id(ports[0]);
	if ((int)socket < 0)
		socket = rte_socket_id();
	mp = rte_pktmbuf_pool_create("dnsyn_mbuf", conf.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)socket);
	if (mp == NULL)
		die(1, "cannot create the mbuf pool (%u mbufs): %s; lower --mbufs or give more "
		       "memory (--mem-mb / -m)",
		    conf.mbufs, rte_strerror(rte_errno));

	rx = rte_zmalloc_socket("dnsyn_rx", sizeof(*rx) * n_rx, 64, (int)socket);
	cc = rte_zmalloc_socket("dnsyn_corr", sizeof(*cc), 64, (int)socket);
	if (rx == NULL || cc == NULL)
		die(1, "out of DPDK memory for lcore contexts");
	for (r = 0; r < nports; r++) {
		uint16_t nrxq = replay ? (uint16_t)conf.n_pcaps : (uint16_t)conf.rx_queues;

		if (dnsyn_port_setup(ports[r], nrxq, RX_DESC, mp, err, sizeof(err)) < 0)
			die(1, "%s", err);
		for (q = 0; q < nrxq; q++, nq_total++) {
			struct dnsyn_rx_ctx *x = &rx[nq_total % n_rx];
			struct dnsyn_rxq *rq;

			if (x->nq >= DNSYN_MAX_RXQ_PER_LCORE)
				die(EXIT_USAGE, "too many queues per RX lcore (max %d): add RX lcores",
				    DNSYN_MAX_RXQ_PER_LCORE);
			rq = &x->q[x->nq++];
			rq->port = ports[r];
			rq->queue = (uint16_t)q;
			rq->linktype = replay ? files[q].linktype : DNSYN_LINK_ETHERNET;
			rq->expected = replay ? files[q].packets : 0;
			if (replay && rq->expected == 0) /* an empty file is finished at once */
				rq->expected = UINT64_MAX, rq->received = UINT64_MAX;
			expected_total += replay ? files[q].packets : 0;
		}
	}

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.window_ns = conf.window_ns;
	pcfg.qpc_bucket_s = 60;
	pcfg.table_capacity = conf.table_capacity;
	/* The table is the correlator's working set: on the port's socket. */
	table_mem = rte_zmalloc_socket("dnsyn_ctable", dnsyn_paper_table_memsize(&pcfg), 64,
				       (int)socket);
	if (table_mem == NULL)
		die(1, "cannot allocate the correlation table (%zu MB for %u addresses): lower "
		       "--table-capacity or give more memory (--mem-mb / -m)",
		    dnsyn_paper_table_memsize(&pcfg) >> 20, conf.table_capacity);
	pcfg.table_mem = table_mem;
	if (conf.jsonl) {
		if (dnsyn_interval_init(&ivh.buf[0], conf.interval_s, INTERVAL_MAX_CLIENTS) < 0 ||
		    dnsyn_interval_init(&ivh.buf[1], conf.interval_s, INTERVAL_MAX_CLIENTS) < 0)
			die(1, "out of memory for interval tables");
		pcfg.interval_first = &ivh.buf[0];
		pcfg.interval_cb = dnsyn_iv_handoff_cb;
		pcfg.interval_ud = &ivh;
	}
	cc->paper = dnsyn_paper_create(&pcfg);
	if (cc->paper == NULL)
		die(1, "out of memory for the correlator");
	cc->lcore = (unsigned int)corr_lcore;
	cc->horizon_ns = replay ? UINT64_MAX : LIVE_HORIZON_NS;
	for (r = 0; r < n_rx; r++) {
		rx[r].lcore = (unsigned int)rx_lcores[r];
		rx[r].idle_exit_ns = replay ? (uint64_t)conf.idle_exit_ms * DNSYN_NS_PER_MS : 0;
		rx[r].lossless = replay;
		dnsyn_ts_init(&rx[r].ts, 1000);
		if (!replay)
			rx[r].ts.dyn_off = -1; /* TSC time on live ports until HW stamps are wired */
		ret = dnsyn_rx_ctx_init(&rx[r], &conf, (int)socket);
		if (ret < 0)
			die(1, "RX lcore %u: cannot allocate its state (%s); lower --tcp-bufs, "
			       "--frag-entries or give more memory",
			    rx[r].lcore, strerror(-ret));
		for (q = 0; q < rx[r].nq; q++) {
			struct dnsyn_rxq *rq = &rx[r].q[q];
			char name[RTE_RING_NAMESIZE];

			if (cc->n_rings >= DNSYN_MAX_RINGS)
				die(EXIT_USAGE, "at most %d RX queues in all", DNSYN_MAX_RINGS);
			snprintf(name, sizeof(name), "dnsyn_ev%u", cc->n_rings);
			rq->ring = rte_ring_create_elem(name, sizeof(struct dnsyn_event),
							conf.ring_size, (int)socket,
							RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rq->ring == NULL)
				die(1, "cannot create event ring %s: %s", name,
				    rte_strerror(rte_errno));
			rq->ring_id = (uint8_t)cc->n_rings;
			cc->rxq[cc->n_rings++] = rq;
		}
	}

	/* Launch: correlation first so it is ready when events come. */
	if (rte_eal_remote_launch(dnsyn_corr_lcore_main, cc, cc->lcore) != 0)
		die(1, "cannot launch the correlation lcore %u", cc->lcore);
	for (r = 0; r < n_rx; r++)
		if (rte_eal_remote_launch(dnsyn_rx_lcore_main, &rx[r], rx[r].lcore) != 0)
			die(1, "cannot launch RX lcore %u", rx[r].lcore);
	/* rte_eal_wait_lcore() spins, and on a small machine the main lcore
	 * shares its CPU with a worker: sleep until the workers are done. */
	while (!__atomic_load_n(&cc->done, __ATOMIC_ACQUIRE)) {
		if (jsonl && write_intervals(jsonl) < 0 && !jsonl_err++)
			fprintf(stderr, "dnsyn: error: writing %s: %s\n", conf.jsonl, strerror(errno));
		usleep(jsonl ? 100 : 1000); /* the correlator may be waiting for a buffer */
	}
	if (jsonl) {
		if (write_intervals(jsonl) < 0 || fclose(jsonl) != 0)
			jsonl_err++;
		if (jsonl_err) {
			fprintf(stderr, "dnsyn: error: writing %s failed\n", conf.jsonl);
			exit_code = 1;
		}
		dnsyn_interval_fini(&ivh.buf[0]);
		dnsyn_interval_fini(&ivh.buf[1]);
	}
	for (r = 0; r < n_rx; r++)
		rte_eal_wait_lcore(rx[r].lcore);
	rte_eal_wait_lcore(cc->lcore);

	/* Totals and accounting. */
	memset(&tot, 0, sizeof(tot));
	memset(&tcp_tot, 0, sizeof(tcp_tot));
	for (r = 0; r < n_rx; r++) {
		const struct dnsyn_tcpdns_stats *ts = dnsyn_tcpdns_stats_get(rx[r].tcp);

#define DNSYN_CNT_SUM(g, n, h) tot.g##_##n += rx[r].c.g##_##n;
		DNSYN_RX_COUNTERS(DNSYN_CNT_SUM)
#undef DNSYN_CNT_SUM
#define DNSYN_TCP_SUM(n, h) tcp_tot.n += ts->n;
		DNSYN_TCPDNS_STATS(DNSYN_TCP_SUM)
#undef DNSYN_TCP_SUM
		if (rx[r].first_ts && rx[r].first_ts < first_ts)
			first_ts = rx[r].first_ts;
		if (rx[r].last_ts > last_ts)
			last_ts = rx[r].last_ts;
		if (rx[r].replay_short) {
			fprintf(stderr, "dnsyn: error: RX lcore %u stopped after %.1f s without packets "
					"before the end of its file(s)\n",
				rx[r].lcore, conf.idle_exit_ms / 1e3);
			exit_code = 1;
		}
	}
#define DNSYN_CNT_OUT(g, n, h) counter_add(&co, #g, #n, tot.g##_##n);
	DNSYN_RX_COUNTERS(DNSYN_CNT_OUT)
#undef DNSYN_CNT_OUT
#define DNSYN_TCP_OUT(n, h) counter_add(&co, "tcpdns", #n, tcp_tot.n);
	DNSYN_TCPDNS_STATS(DNSYN_TCP_OUT)
#undef DNSYN_TCP_OUT
	counter_add(&co, "corr", "events", cc->events);
	counter_add(&co, "corr", "horizon_skips", cc->horizon_skips);
	counter_add(&co, "corr", "intervals", ivh.produced);
	{
		const struct dnsyn_ctable_stats *ts = dnsyn_paper_table_stats(cc->paper);

		counter_add(&co, "table", "answers", ts->answers);
		counter_add(&co, "table", "addrs", ts->addrs);
		counter_add(&co, "table", "evicted_addrs", ts->evicted_addrs);
		counter_add(&co, "table", "evicted_answers", ts->evicted_answers);
		counter_add(&co, "table", "early_rolls", ts->early_rolls);
		counter_add(&co, "table", "expired_addrs", ts->expired_addrs);
		counter_add(&co, "table", "lookups", ts->lookups);
		counter_add(&co, "table", "probes", ts->probes);
		if (ts->evicted_addrs)
			fprintf(stderr, "dnsyn: warning: %" PRIu64 " answer addresses evicted before "
					"their window ended (raise --table-capacity)\n",
				ts->evicted_addrs);
	}
	counter_add(&co, "corr", "interval_waits", ivh.waits);
	for (r = 0; r < nports; r++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(ports[r], &es) == 0) {
			counter_add(&co, "port", "imissed", es.imissed);
			counter_add(&co, "port", "ierrors", es.ierrors);
			counter_add(&co, "port", "rx_nombuf", es.rx_nombuf);
		}
	}
	{
		uint64_t classified = tot.class_other + tot.class_non_ip + tot.class_dns_udp +
				      tot.class_dns_tcp + tot.class_syn + tot.class_synack +
				      tot.class_ip_fragment;
		uint64_t drops = tot.drop_trunc_l2 + tot.drop_bad_l3 + tot.drop_trunc_l3 +
				 tot.drop_trunc_l4 + tot.drop_too_big;

		if (classified + drops != tot.rx_pkts) {
			fprintf(stderr, "dnsyn: error: accounting: %" PRIu64 " received != %" PRIu64
					" classified + %" PRIu64 " dropped\n",
				tot.rx_pkts, classified, drops);
			exit_code = 1;
		}
		if (replay && !dnsyn_force_quit && tot.rx_pkts != expected_total) {
			fprintf(stderr, "dnsyn: error: %" PRIu64 " packets received, the files hold %" PRIu64
					"\n",
				tot.rx_pkts, expected_total);
			exit_code = 1;
		}
		if (tot.ev_ring_full)
			fprintf(stderr, "dnsyn: warning: %" PRIu64 " events dropped on full rings "
					"(raise --ring-size)\n",
				tot.ev_ring_full);
	}

	/* Reports. */
	{
		struct dnsyn_report_input in = {
			.files = file_names,
			.n_files = replay ? conf.n_pcaps : 0,
			.linktypes = linktypes,
			.window_ns = conf.window_ns,
			.first_ts_ns = first_ts == UINT64_MAX ? 0 : first_ts,
			.last_ts_ns = last_ts,
			.counters = co.c,
			.n_counters = co.n,
		};
		FILE *f;

		for (r = 0; r < conf.n_pcaps; r++) {
			file_names[r] = conf.pcaps[r];
			linktypes[r] = files[r].linktype;
		}
		if (!conf.quiet) {
			f = conf.report_text ? fopen(conf.report_text, "w") : stdout;
			if (f == NULL) {
				fprintf(stderr, "dnsyn: error: cannot write %s: %s\n", conf.report_text,
					strerror(errno));
				exit_code = 1;
			} else {
				dnsyn_report_text(f, cc->paper, &in);
				if (f != stdout)
					fclose(f);
			}
		}
		if (conf.report_json) {
			f = fopen(conf.report_json, "w");
			if (f == NULL || dnsyn_report_json(f, cc->paper, &in) < 0) {
				fprintf(stderr, "dnsyn: error: cannot write %s: %s\n", conf.report_json,
					strerror(errno));
				exit_code = 1;
			}
			if (f)
				fclose(f);
		}
	}

	for (r = 0; r < nports; r++) {
		rte_eth_dev_stop(ports[r]);
		rte_eth_dev_close(ports[r]);
	}
	for (r = 0; r < n_rx; r++) {
		dnsyn_rx_ctx_fini(&rx[r]);
		for (q = 0; q < rx[r].nq; q++)
			rte_ring_free(rx[r].q[q].ring);
	}
	dnsyn_paper_destroy(cc->paper);
	rte_free(table_mem);
	rte_free(rx);
	rte_free(cc);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	if (replay)
		remove_runtime_dir(rundir);
	return exit_code;
}
