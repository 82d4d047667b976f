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
#include <sys/stat.h>
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
#include "dnsyn_export.h"
#include "dnsyn_cfgfile.h"
#include "dnsyn_telemetry.h"
#include "dnsyn_detector.h"
#include "dnsyn_conf.h"
#include "dnsyn_ivout.h"
#include "dnsyn_map.h"
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
/* Live ports with NIC time stamps: how much older than the poll that found a
 * queue empty its next packet may be (the descriptors' dwell time). */
#define HW_TS_SLACK_NS (10ULL * DNSYN_NS_PER_MS)

static struct dnsyn_replay_file files[DNSYN_MAX_PCAPS];
static struct dnsyn_memsrc memsrc; /* --mem-laps */
static struct dnsyn_filesrc filesrc[DNSYN_MAX_PCAPS]; /* plain pcaps, replayed in place */
static struct dnsyn_iv_handoff ivh[DNSYN_MAX_SHARDS];
static struct dnsyn_ivout ivout;
static struct dnsyn_resolver_ctx resolver;
static struct dnsyn_export xport;
static struct dnsyn_detector detector;
/* One mbuf pool per NUMA socket that has a port, made when first needed. */
static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

/* What outputs show of clients and names (--privacy-*); the key stays here. */
static struct dnsyn_privacy privacy;

/* The interval writer's sink: detection first (its alerts follow the
 * interval's line in the JSON lines), then the IPFIX export. */
static void
interval_sink(void *ud, const struct dnsyn_interval *iv, const struct dnsyn_interval *shown)
{
	(void)ud;
	dnsyn_detector_interval(&detector, iv);
	dnsyn_export_interval(&xport, shown, &detector); /* reads detector.last */
}
/* --ipfix: the question names of each RX queue's answers (by ring id), for
 * the correlation records; NULL otherwise. */
static struct dnsyn_namelog namelog[DNSYN_MAX_RINGS];
static const struct dnsyn_namelog *namelogs[DNSYN_MAX_RINGS];
#define NAMELOG_SLOTS 32768 /* answers per queue: 4 MiB */
/* What the statistics records and the telemetry read while the workers run. */
static struct dnsyn_live live;
static int eal_up; /* die() then releases EAL's devices and memory too */

static void
on_signal(int sig)
{
	(void)sig;
	dnsyn_force_quit = 1;
}

static volatile sig_atomic_t hup_pending;

/* A mapped replay file that another process cuts shorter faults the RX lcore
 * (SIGBUS) on its next page: say so and stop, rather than die unexplained. */
static void
on_sigbus(int sig)
{
	static const char msg[] = "dnsyn: error: SIGBUS: mapped memory went away (a replayed "
				  "file cut shorter while it was read? replay files still "
				  "being written with --pcap-via pmd)\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)w;
	(void)sig;
	_exit(1);
}

static void
on_hup(int sig)
{
	(void)sig;
	hup_pending = 1;
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
listed(int l, const int *list, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (list[i] == l)
			return 1;
	return 0;
}

/* Decide which lcores poll RX queues and which correlate (one per shard). */
static void
assign_lcores(struct dnsyn_conf *conf, unsigned int *n_rx, int *rx_lcores, int *corr_lcores)
{
	unsigned int i, n = conf->shards, nworkers = rte_lcore_count() - 1;
	int l, workers[RTE_MAX_LCORE];

	if (nworkers < 1 + n)
		die(EXIT_USAGE, "need at least %u worker lcores (RX + %u correlation) besides the "
				"main one: give EAL e.g. -l 0-%u (or --lcores '0@0,1@1,2@1' on 2 CPUs)",
		    1 + n, n, 1 + n);
	i = 0;
	RTE_LCORE_FOREACH_WORKER(l)
		workers[i++] = l;
	if (conf->n_corr_lcores) {
		for (i = 0; i < n; i++) {
			l = conf->corr_lcores[i];
			if (!rte_lcore_is_enabled((unsigned int)l) ||
			    (unsigned int)l == rte_get_main_lcore() || listed(l, corr_lcores, i))
				die(EXIT_USAGE, "--corr-lcores: lcore %d is not an enabled worker lcore "
						"(or is listed twice)", l);
			corr_lcores[i] = l;
		}
	} else {
		for (i = 0; i < n; i++) /* the last workers */
			corr_lcores[i] = workers[nworkers - n + i];
	}
	if (conf->n_rx_lcores > DNSYN_MAX_RX_LCORES)
		die(EXIT_USAGE, "--rx-lcores: at most %d RX lcores", DNSYN_MAX_RX_LCORES);
	if (conf->n_rx_lcores) {
		for (i = 0; i < conf->n_rx_lcores; i++) {
			l = conf->rx_lcores[i];
			if (!rte_lcore_is_enabled((unsigned int)l) ||
			    (unsigned int)l == rte_get_main_lcore() || listed(l, corr_lcores, n))
				die(EXIT_USAGE,
				    "--rx-lcores: lcore %d is not an enabled worker lcore distinct "
				    "from the main and correlation lcores",
				    l);
			rx_lcores[i] = l;
		}
		*n_rx = conf->n_rx_lcores;
	} else {
		*n_rx = 0;
		for (i = 0; i < nworkers && *n_rx < DNSYN_MAX_RX_LCORES; i++)
			if (!listed(workers[i], corr_lcores, n))
				rx_lcores[(*n_rx)++] = workers[i];
		if (*n_rx == 0)
			die(EXIT_USAGE, "no worker lcore left for RX after the correlation ones");
	}
}

/* Whether port @p p's PMD copies each packet into the mbuf it hands over
 * (the pcap and AF_PACKET PMDs): then the RX lcore finds header and data
 * in cache and does not prefetch them. */
static int
port_copies(uint16_t p)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(p, &info) != 0 || info.driver_name == NULL)
		return 0;
	return !strcmp(info.driver_name, "net_pcap") || !strcmp(info.driver_name, "net_af_packet");
}

/* The mbuf pool of NUMA socket @p s (created when first asked). */
static struct rte_mempool *
pool_on(unsigned int s, unsigned int mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (pools[s])
		return pools[s];
	snprintf(name, sizeof(name), "dnsyn_mbuf_%u", s);
	pools[s] = rte_pktmbuf_pool_create(name, mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)s);
	if (pools[s] == NULL)
		die(1, "cannot create the mbuf pool on NUMA socket %u (%u mbufs): %s; lower "
		       "--mbufs or give more memory (--mem-mb / -m, --socket-mem)",
		    s, mbufs, rte_strerror(rte_errno));
	return pools[s];
}

/* dnsyn's own arguments (program name first), kept for SIGHUP's re-read. */
static int opt_argc;
static char **opt_argv;

/* The configuration keeps pointers into the file's strings: every file read
 * (at start and each SIGHUP, a few) stays allocated and reachable. */
static void
keep_entries(struct dnsyn_conf_kv *kv)
{
	static struct dnsyn_conf_kv **kept;
	static unsigned int n_kept;
	struct dnsyn_conf_kv **k = realloc(kept, sizeof(*k) * (n_kept + 1));

	if (k == NULL)
		return; /* still in use: leaked, which is harmless */
	kept = k;
	kept[n_kept++] = kv;
}

/*
 * dnsyn's options: defaults, then the --config file, then the command line
 * (which wins). The command line is read twice: first to find --config.
 * 0, or -EINVAL with @p err filled.
 */
static int
load_options(struct dnsyn_conf *conf, int argc, char **argv, char *err, size_t errlen)
{
	struct dnsyn_conf_kv *kv;
	struct dnsyn_conf cl;
	const char *path;
	int n, i, check;

	dnsyn_conf_defaults(conf);
	if (dnsyn_conf_parse(conf, argc, argv, err, errlen) < 0)
		return -EINVAL;
	if (conf->config == NULL || conf->help || conf->version)
		return 0;
	path = conf->config;
	check = conf->check;
	n = dnsyn_conf_file_check(path, err, errlen);
	if (n < 0)
		return -EINVAL;
	if (n > 0)
		fprintf(stderr, "dnsyn: warning: %s\n", err);
	n = dnsyn_cfgfile_read(path, &kv, err, errlen);
	if (n < 0)
		return -EINVAL;
	keep_entries(kv);
	dnsyn_conf_defaults(conf);
	for (i = 0; i < n; i++)
		if (dnsyn_conf_set(conf, &kv[i], err, errlen) < 0)
			return -EINVAL;
	/* The command line after the file: its options win. Repeatable ones
	 * (--pcap, --ipfix, lcore lists) given there replace the file's. */
	dnsyn_conf_defaults(&cl);
	if (dnsyn_conf_parse(&cl, argc, argv, err, errlen) < 0)
		return -EINVAL;
	if (cl.n_pcaps)
		conf->n_pcaps = 0;
	if (cl.n_ipfix)
		conf->n_ipfix = 0;
	if (cl.n_rx_lcores)
		conf->n_rx_lcores = 0;
	if (cl.n_corr_lcores)
		conf->n_corr_lcores = 0;
	if (dnsyn_conf_parse(conf, argc, argv, err, errlen) < 0)
		return -EINVAL;
	conf->config = path;
	conf->check |= check;
	return 0;
}

static void
parse_options(struct dnsyn_conf *conf, int argc, char **argv)
{
	char err[512];

	opt_argc = argc;
	opt_argv = malloc(sizeof(char *) * ((size_t)argc + 1));
	if (opt_argv == NULL)
		die(1, "out of memory");
	memcpy(opt_argv, argv, sizeof(char *) * (size_t)argc);
	opt_argv[argc] = NULL;
	if (load_options(conf, argc, argv, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "%s", err);
	/* The key is read (and its mode checked) with the options, so that
	 * --check catches a bad one too. */
	privacy.addr_mode = conf->priv_clients;
	privacy.name_mode = conf->priv_names;
	privacy.v4_prefix = conf->priv_v4_prefix;
	privacy.v6_prefix = conf->priv_v6_prefix;
	if (conf->priv_key && dnsyn_privacy_load_key(&privacy, conf->priv_key, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "--privacy-key: %s", err);
}

static int
str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static int
ipfix_differs(const struct dnsyn_conf *a, const struct dnsyn_conf *b)
{
	unsigned int i;

	if (a->n_ipfix != b->n_ipfix || a->ipfix_pen != b->ipfix_pen ||
	    a->ipfix_odid != b->ipfix_odid || a->ipfix_mtu != b->ipfix_mtu ||
	    a->ipfix_refresh_s != b->ipfix_refresh_s)
		return 1;
	for (i = 0; i < a->n_ipfix; i++)
		if (strcmp(a->ipfix[i], b->ipfix[i]) != 0)
			return 1;
	return 0;
}

/*
 * SIGHUP, on the main lcore: re-read the configuration (file and command
 * line) and apply what can change without stopping the workers: the IPFIX
 * targets and their settings (the exporter is the main lcore's alone). What
 * else changed is named, for a restart. A bad file changes nothing.
 */
static void
reload(struct dnsyn_conf *cur)
{
	struct dnsyn_conf nc;
	char err[512];
	unsigned int n_other = 0;
	int detect_changed = 0;

	if (cur->config == NULL) {
		fprintf(stderr, "dnsyn: SIGHUP: no --config file, nothing to reload\n");
		return;
	}
	if (load_options(&nc, opt_argc, opt_argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsyn: SIGHUP: %s; the running configuration stays\n", err);
		return;
	}
	if (ipfix_differs(cur, &nc)) {
		struct dnsyn_export nx;

		if (xport.ex == NULL) {
			fprintf(stderr, "dnsyn: SIGHUP: ipfix not reloaded: dnsyn started without "
					"--ipfix (no names logged for the records); restart it\n");
		} else if (nc.n_ipfix == 0) {
			fprintf(stderr, "dnsyn: SIGHUP: ipfix not reloaded: it cannot be turned off "
					"while running; restart dnsyn\n");
		} else if (dnsyn_export_open(&nx, &nc, err, sizeof(err)) < 0) {
			fprintf(stderr, "dnsyn: SIGHUP: ipfix: %s; the running export stays\n", err);
		} else {
			dnsyn_export_close(&xport); /* its last statistics, then closed */
			nx.figures = xport.figures;
			nx.intervals = xport.intervals;
			nx.records = xport.records;
			nx.errors = xport.errors;
			nx.sent = xport.sent;
			xport = nx; /* ivout's sink and telemetry point at xport */
			cur->n_ipfix = nc.n_ipfix;
			memcpy(cur->ipfix, nc.ipfix, sizeof(cur->ipfix));
			cur->ipfix_pen = nc.ipfix_pen;
			cur->ipfix_odid = nc.ipfix_odid;
			cur->ipfix_mtu = nc.ipfix_mtu;
			cur->ipfix_refresh_s = nc.ipfix_refresh_s;
			fprintf(stderr, "dnsyn: SIGHUP: IPFIX export reloaded: %u target(s)\n",
				nc.n_ipfix);
		}
	}
#define NOT_RELOADED(cond, name)                                                           \
	do {                                                                               \
		if (cond) {                                                                \
			fprintf(stderr, "dnsyn: SIGHUP: %s changed but is not reloaded "  \
					"(restart dnsyn to apply it)\n", name);           \
			n_other++;                                                         \
		}                                                                          \
	} while (0)
	if (detector.d) {
		struct dnsyn_detect_conf dc;
		unsigned int n_held;
		char held[256];
		int n_set = dnsyn_conf_detect(&nc, &dc, err, sizeof(err));

		if (n_set == 0)
			n_set = dnsyn_detect_reconfigure(detector.d, &dc, &n_held, held, sizeof(held));
		if (n_set < 0) {
			fprintf(stderr, "dnsyn: SIGHUP: detector parameters rejected together, none "
					"changed\n");
			n_other++;
		} else {
			if (n_set > 0)
				fprintf(stderr, "dnsyn: SIGHUP: detector parameters reloaded: %d "
						"changed\n", n_set);
			if (n_held)
				NOT_RELOADED(1, held);
			detect_changed = n_set > 0;
		}
	}
	NOT_RELOADED(nc.window_ns != cur->window_ns, "window");
	NOT_RELOADED(nc.priv_clients != cur->priv_clients || nc.priv_names != cur->priv_names ||
			     nc.priv_v4_prefix != cur->priv_v4_prefix ||
			     nc.priv_v6_prefix != cur->priv_v6_prefix ||
			     str_differ(nc.priv_key, cur->priv_key),
		     "a [privacy] setting");
	NOT_RELOADED(nc.key_client != cur->key_client, "key");
	NOT_RELOADED(nc.table_capacity != cur->table_capacity, "table-capacity");
	NOT_RELOADED(nc.table_buckets != cur->table_buckets, "table-buckets");
	NOT_RELOADED(nc.shards != cur->shards, "shards");
	NOT_RELOADED(nc.syn_set_max != cur->syn_set_max, "syn-set-max");
	NOT_RELOADED(nc.qpc_max != cur->qpc_max, "qpc-max");
	NOT_RELOADED(nc.interval_s != cur->interval_s, "interval");
	NOT_RELOADED(str_differ(nc.jsonl, cur->jsonl), "jsonl");
	NOT_RELOADED(str_differ(nc.report_json, cur->report_json), "report-json");
	NOT_RELOADED(str_differ(nc.report_text, cur->report_text), "report");
	NOT_RELOADED(nc.rx_queues != cur->rx_queues || nc.port_mask != cur->port_mask ||
			     nc.burst != cur->burst || nc.ring_size != cur->ring_size ||
			     nc.mbufs != cur->mbufs,
		     "a [ports] setting");
	NOT_RELOADED(nc.tcp_streams != cur->tcp_streams || nc.tcp_bufs != cur->tcp_bufs ||
			     nc.frag_entries != cur->frag_entries,
		     "a [dns] setting");
#undef NOT_RELOADED
	if (n_other == 0 && !ipfix_differs(cur, &nc) && !detect_changed)
		fprintf(stderr, "dnsyn: SIGHUP: %s re-read, nothing changed that can be applied\n",
			cur->config);
}

/* Live mode, at shutdown: the port's non-zero extended statistics (what the
 * NIC says it dropped or saw, beyond rte_eth_stats), one line each. */
static void
print_xstats(uint16_t port)
{
	int n = rte_eth_xstats_get(port, NULL, 0), i, m;
	struct rte_eth_xstat *xs;
	struct rte_eth_xstat_name *names;

	if (n <= 0)
		return;
	xs = calloc((size_t)n, sizeof(*xs));
	names = calloc((size_t)n, sizeof(*names));
	if (xs && names && rte_eth_xstats_get_names(port, names, (unsigned int)n) == n &&
	    (m = rte_eth_xstats_get(port, xs, (unsigned int)n)) > 0) {
		for (i = 0; i < m && i < n; i++)
			if (xs[i].value && xs[i].id < (uint64_t)n)
				fprintf(stderr, "dnsyn: port %u xstat %s %" PRIu64 "\n", port,
					names[xs[i].id].name, xs[i].value);
	}
	free(xs);
	free(names);
}

/* --check: the configuration is valid; nothing was opened or touched. */
static void
check_done(const struct dnsyn_conf *conf)
{
	printf("dnsyn: configuration OK%s%s\n", conf->config ? ": " : "",
	       conf->config ? conf->config : "");
	exit(0);
}

static int
parse_replay_mode(struct dnsyn_conf *conf, int argc, char **argv)
{
	char err[512];
	unsigned int i;

	parse_options(conf, argc, argv);
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
		/* counted only where the count is needed: a mapped replay
		 * finds the end itself (--pcap-via pmd and --mem-laps, --check
		 * and pcapng files are counted) */
		if (dnsyn_replay_scan(conf->pcaps[i], &files[i],
				      conf->pcap_via_pmd || conf->mem_laps || conf->check, err,
				      sizeof(err)) < 0)
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
	if (conf->mem_laps) {
		if (conf->n_pcaps != 1)
			die(EXIT_USAGE, "--mem-laps replays exactly one --pcap file (%u given)",
			    conf->n_pcaps);
		if (files[0].packets == 0)
			die(EXIT_USAGE, "--mem-laps: %s holds no packet", conf->pcaps[0]);
		conf->mem_mb += dnsyn_memsrc_mem_mb(files[0].packets, files[0].bytes,
						      dnsyn_rx_held_max(conf));
	}
	if (conf->check) /* the captures were read, nothing else touched */
		check_done(conf);
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

static int
shards_done(const struct dnsyn_corr_ctx *cc, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!__atomic_load_n(&cc[i].done, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

/* Set once the shards' totals were added into shard 0 (for the report):
 * from then on shard 0's correlation counters are the run's. */
static int shards_merged;

/* The statistics records' figures. The workers' counters are read as they
 * run: each is a naturally aligned 64-bit word, so a read is never torn; the
 * figures are a snapshot a few events old. */
static void
export_figures(void *ud, struct dnsyn_export_figures *f)
{
	unsigned int r, sh;

	(void)ud;
	for (r = 0; r < live.n_rx; r++) {
		const struct dnsyn_rx_counters *c = &live.rx[r].c;

		f->packets += c->rx_pkts;
		f->ring_drops += c->ev_ring_full;
		f->parse_errors += c->drop_trunc_l2 + c->drop_bad_l3 + c->drop_trunc_l3 +
				   c->drop_trunc_l4 + c->drop_too_big + c->dns_short_msgs +
				   c->dns_bad_question + c->dns_bad_answer + c->dns_bad_authority +
				   c->dns_bad_additional;
		if (live.rx[r].tcp) {
			const struct dnsyn_tcpdns_stats *ts = dnsyn_tcpdns_stats_get(live.rx[r].tcp);

			f->tcp_streams_full += ts->streams_full;
			f->tcp_buf_exhausted += ts->buf_exhausted;
		}
	}
	f->ignored = f->ring_drops;
	for (r = 0; r < live.n_ports; r++) {
		struct rte_eth_stats es;

		if (rte_eth_stats_get(live.ports[r], &es) == 0)
			f->ignored += es.imissed + es.rx_nombuf;
	}
	for (sh = 0; sh < live.n_shards; sh++) {
		const struct dnsyn_ctable_stats *t = dnsyn_paper_table_stats(live.cc[sh].paper);

		f->evicted_answers += t->evicted_answers;
		f->evicted_addrs += t->evicted_addrs;
		f->table_occupancy += dnsyn_paper_pending(live.cc[sh].paper);
		f->table_capacity += dnsyn_paper_config(live.cc[sh].paper)->table_capacity;
	}
	for (sh = 0; sh < (shards_merged ? 1u : live.n_shards); sh++) {
		const struct dnsyn_paper_stats *ps = dnsyn_paper_stats(live.cc[sh].paper);

		f->syn_set_early += ps->syn_set_rotations_early;
		f->qpc_refused += ps->qpc_refused;
	}
	f->iv_clients_refused = ivout.clients_refused; /* the main lcore's own count */
}

/* The status line (--progress; by default only when stderr is a terminal):
 * every 2 s, rates since the last line, drops by cause; in replay, how much
 * of the files is done. On a terminal it rewrites itself. */
struct status {
	int on, tty;
	uint64_t every_tsc, next_tsc, last_tsc, last_pkts, last_ev;
	uint64_t expected; /* replay: records in the files; 0 live */
	struct dnsyn_conf *conf; /* the running configuration (SIGHUP) */
	int live_ports;          /* watch links and queues */
};

/* Live ports: link changes and queues that stop delivering, logged when
 * they happen and counted (port.link_down, port.queue_stalls); the probe
 * goes on. Checked every second by the main lcore. */
#define STALL_S 10

static struct {
	int link_up[RTE_MAX_ETHPORTS];
	uint64_t link_down, queue_stalls;
	uint64_t q_last[DNSYN_MAX_RX_LCORES][DNSYN_MAX_RXQ_PER_LCORE];
	uint8_t q_stalled[DNSYN_MAX_RX_LCORES][DNSYN_MAX_RXQ_PER_LCORE];
	uint64_t q_total_last;
	uint64_t next_tsc, next_q_tsc;
} watch;

static void
watch_ports(uint64_t now)
{
	unsigned int p, r, q;
	uint64_t total = 0;

	if (now < watch.next_tsc)
		return;
	watch.next_tsc = now + rte_get_tsc_hz();
	for (p = 0; p < live.n_ports; p++) {
		struct rte_eth_link l;
		uint16_t port = live.ports[p];

		if (rte_eth_link_get_nowait(port, &l) != 0)
			continue;
		if (l.link_status != watch.link_up[port]) {
			if (!l.link_status)
				watch.link_down++;
			fprintf(stderr, "dnsyn: port %u link %s%s\n", port, l.link_status ? "up" : "down",
				l.link_status ? "" : " (counted in port.link_down; dnsyn goes on)");
			watch.link_up[port] = l.link_status;
		}
	}
	if (now < watch.next_q_tsc)
		return;
	watch.next_q_tsc = now + STALL_S * rte_get_tsc_hz();
	for (r = 0; r < live.n_rx; r++)
		for (q = 0; q < live.rx[r].nq; q++)
			total += live.rx[r].q[q].received;
	/* A queue is stalled when it got nothing for STALL_S s while the
	 * others got traffic: RSS or the NIC, not a quiet link. */
	for (r = 0; r < live.n_rx; r++)
		for (q = 0; q < live.rx[r].nq; q++) {
			const struct dnsyn_rxq *rq = &live.rx[r].q[q];
			uint64_t got = rq->received - watch.q_last[r][q];
			int stalled = got == 0 && total > watch.q_total_last;

			if (stalled && !watch.q_stalled[r][q]) {
				watch.queue_stalls++;
				fprintf(stderr, "dnsyn: port %u queue %u delivered nothing for %d s while "
						"the others did (counted in port.queue_stalls)\n",
					rq->port, rq->queue, STALL_S);
			}
			watch.q_stalled[r][q] = (uint8_t)stalled;
			watch.q_last[r][q] = rq->received;
		}
	watch.q_total_last = total;
}

static void
status_line(struct status *st, uint64_t now, int final)
{
	struct dnsyn_export_figures f;
	uint64_t ev = 0, dt = now - st->last_tsc, missed;
	double sec = (double)dt / (double)rte_get_tsc_hz();
	unsigned int sh;
	char done[32] = "";

	if (!st->on || (!final && now < st->next_tsc))
		return;
	st->next_tsc = now + st->every_tsc;
	memset(&f, 0, sizeof(f));
	export_figures(NULL, &f);
	for (sh = 0; sh < live.n_shards; sh++)
		ev += live.cc[sh].events;
	missed = f.ignored - f.ring_drops;
	if (st->expected)
		snprintf(done, sizeof(done), "%5.1f%% ",
			 100.0 * (double)f.packets / (double)st->expected);
	fprintf(stderr, "%sdnsyn: %s%.3g Mpkt %.3g Mpps, %.3g Mev/s, drops: ring %" PRIu64
			", nic %" PRIu64 ", malformed %" PRIu64 "; table %" PRIu64 "/%" PRIu64
			", intervals %" PRIu64 "%s",
		st->tty ? "\r" : "", done, (double)f.packets / 1e6,
		sec > 0 ? (double)(f.packets - st->last_pkts) / sec / 1e6 : 0.0,
		sec > 0 ? (double)(ev - st->last_ev) / sec / 1e6 : 0.0, f.ring_drops, missed,
		f.parse_errors, f.table_occupancy, f.table_capacity, ivout.written,
		st->tty ? (final ? "\033[K\n" : "\033[K") : "\n");
	st->last_tsc = now;
	st->last_pkts = f.packets;
	st->last_ev = ev;
}

/* Main lcore while the workers run: resolve the shards' claims (several
 * shards) and write the intervals. rte_eal_wait_lcore() spins, and on a small
 * machine the main lcore shares its CPU with a worker: sleep when idle. */
static void
main_loop(struct dnsyn_corr_ctx *cc, unsigned int n_shards, int want_iv, struct status *st)
{
	for (;;) {
		int done = shards_done(cc, n_shards), busy = 0;

		if (resolver.res) {
			int n = dnsyn_resolver_poll(&resolver);

			if (n < 0)
				return;
			busy = n > 0;
			done = done && dnsyn_resolver_idle(&resolver);
			if (done)
				dnsyn_resolve_flush(resolver.res);
		}
		if (want_iv)
			dnsyn_ivout_poll(&ivout, resolver.res && !done
							 ? dnsyn_resolve_interval_done(resolver.res)
							 : UINT64_MAX);
		if (hup_pending) {
			hup_pending = 0;
			reload(st->conf);
		}
		dnsyn_export_poll(&xport);
		status_line(st, rte_get_tsc_cycles(), done);
		if (st->live_ports)
			watch_ports(rte_get_tsc_cycles());
		if (done)
			return;
		if (!busy)
			usleep(resolver.res || want_iv ? 50 : 1000);
	}
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
	int rx_lcores[DNSYN_MAX_RX_LCORES], corr_lcores[DNSYN_MAX_SHARDS], replay, use_files = 0, ret, i;
	int dashdash = -1;
	unsigned int n_rx, r, q, sh, n_shards, n_rings = 0, nq_total = 0, socket = 0;
	uint16_t port, ports[RTE_MAX_ETHPORTS], nports = 0;
	uint64_t first_ts = UINT64_MAX, last_ts = 0, expected_total = 0;
	int linktypes[DNSYN_MAX_PCAPS];
	const char *file_names[DNSYN_MAX_PCAPS];
	int exit_code = 0;
	FILE *jsonl = NULL;
	int want_iv; /* interval tables: for --jsonl and --ipfix */
	uint64_t done_tsc = 0; /* when the main lcore saw every worker done */
	void *table_mem[DNSYN_MAX_SHARDS];
	size_t table_len;
	int table_thp;

	/* What dnsyn writes names the clients it saw: no file (reports, JSON
	 * lines, IPFIX files) nor the telemetry socket for others to read. */
	umask(umask(0) | 027);
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
		/* Plain pcaps are replayed from their mapping, anything else
		 * through the pcap PMD (all files one way: one port or none). */
		use_files = !conf.mem_laps && !conf.pcap_via_pmd;
		for (i = 0; i < (int)conf.n_pcaps; i++)
			use_files &= files[i].plain;
		if (dnsyn_replay_eal_args(&eal, argv[0], files,
					  conf.mem_laps || use_files ? 0 : conf.n_pcaps,
					  conf.n_pcaps + conf.shards,
					  conf.mem_mb, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		ret = rte_eal_init(eal.argc, eal.argv);
		if (ret < 0)
			die(1, "cannot initialise DPDK (EAL): %s", rte_strerror(rte_errno));
		eal_up = 1;
	} else {
		/* dnsyn's options first: --check must not touch a port, and a
		 * bad option is reported before EAL probes any device. */
		{
			char *saved = argv[dashdash];

			argv[dashdash] = argv[0];
			parse_options(&conf, argc - dashdash, argv + dashdash);
			argv[dashdash] = saved;
		}
		if (conf.help) {
			dnsyn_conf_usage(argv[0], stdout);
			return 0;
		}
		if (conf.check)
			check_done(&conf);
		ret = rte_eal_init(argc, argv);
		if (ret < 0)
			die(EXIT_USAGE, "cannot initialise DPDK (EAL): %s; check the EAL options "
					"before '--' (no hugepages? scripts/hugepages reserves them, "
					"or run with --no-huge -m MB; docs/deploy.md)",
			    rte_strerror(rte_errno));
		eal_up = 1;
		if (conf.n_pcaps)
			die(EXIT_USAGE, "--pcap replays by itself: drop the EAL options and '--', or "
					"give EAL --vdev net_pcap0,rx_pcap=FILE instead");
		jsonl = open_outputs(&conf);
	}
	/* Collectors now: a bad target fails before any work. */
	if (dnsyn_export_open(&xport, &conf, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "--ipfix: %s", err);
	want_iv = jsonl != NULL || xport.ex != NULL;
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup);
	if (use_files)
		signal(SIGBUS, on_sigbus);

	n_shards = conf.shards;
	assign_lcores(&conf, &n_rx, rx_lcores, corr_lcores);

	/* Ports and queues. */
	if (replay && conf.mem_laps) {
		/* gap: no answer of one lap matches a SYN of the next, and no
		 * fragment of one lap meets its twin of the next */
		uint64_t gap_ns = DNSYN_MAX(conf.window_ns, DNSYN_FRAG_TTL_NS) + DNSYN_NS_PER_S;

		if (dnsyn_memsrc_create(&memsrc, &files[0], conf.mem_laps, gap_ns / 1000,
					dnsyn_rx_held_max(&conf),
					rte_socket_id(), err,
					sizeof(err)) < 0)
			die(1, "%s", err);
		ports[nports++] = memsrc.port;
	} else if (use_files) {
		/* no port: the RX lcores read the mapped files (below) */
	} else if (replay) {
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
	socket = nports ? (unsigned int)rte_eth_dev_socket_id(ports[0]) : rte_socket_id();
	if ((int)socket < 0)
		socket = rte_socket_id();
	/* Everything is allocated on the first port's NUMA socket; lcores and
	 * ports elsewhere cost a remote access per packet: say so. */
	for (r = 1; r < nports; r++) {
		int ps = rte_eth_dev_socket_id(ports[r]);

		if (ps >= 0 && (unsigned int)ps != socket)
			fprintf(stderr, "dnsyn: warning: port %u is on NUMA socket %d, port %u on %u: "
					"its packets cross sockets (run one dnsyn per socket)\n",
				ports[r], ps, ports[0], socket);
	}
	for (r = 0; r < n_rx; r++)
		if (rte_lcore_to_socket_id((unsigned int)rx_lcores[r]) != socket)
			fprintf(stderr, "dnsyn: warning: RX lcore %d is on NUMA socket %u, the ports "
					"on %u: take lcores of socket %u (lscpu -p=CPU,NODE)\n",
				rx_lcores[r], rte_lcore_to_socket_id((unsigned int)rx_lcores[r]),
				socket, socket);
	for (sh = 0; sh < n_shards; sh++)
		if (rte_lcore_to_socket_id((unsigned int)corr_lcores[sh]) != socket)
			fprintf(stderr, "dnsyn: warning: correlation lcore %d is on NUMA socket %u, "
					"its table on %u: take lcores of socket %u\n",
				corr_lcores[sh],
				rte_lcore_to_socket_id((unsigned int)corr_lcores[sh]), socket, socket);

	rx = rte_zmalloc_socket("dnsyn_rx", sizeof(*rx) * n_rx, 64, (int)socket);
	cc = rte_zmalloc_socket("dnsyn_corr", sizeof(*cc) * n_shards, 64, (int)socket);
	if (rx == NULL || cc == NULL)
		die(1, "out of DPDK memory for lcore contexts");

	/* use_files: one pass, no port, a mapped file per queue */
	for (r = 0; r < nports || (use_files && r == 0); r++) {
		uint16_t nrxq = replay ? (uint16_t)conf.n_pcaps : (uint16_t)conf.rx_queues;
		int ps = use_files ? (int)socket : rte_eth_dev_socket_id(ports[r]), hw_ts = 0;
		struct dnsyn_clock_map clk = {0, 0, 0};
		uint8_t ts_src = replay ? DNSYN_TS_DYN : DNSYN_TS_TSC;

		/* Each port's mbufs on its own socket: the NIC writes them, the
		 * RX lcore (preferably of that socket, warned above) reads them. */
		mp = use_files ? NULL : pool_on(ps >= 0 ? (unsigned int)ps : socket, conf.mbufs);
		if (!use_files && dnsyn_port_setup(ports[r], nrxq, RX_DESC, mp,
						   replay ? NULL : &hw_ts, err, sizeof(err)) < 0)
			die(1, "%s", err);
		if (hw_ts) {
			if (dnsyn_port_clock_fit(ports[r], &clk, err, sizeof(err)) == 0) {
				ts_src = DNSYN_TS_DEVICE;
				fprintf(stderr, "dnsyn: port %u: packet time from the NIC's clock "
						"(%.3f MHz)\n",
					ports[r], 1e3 * 4294967296.0 / (double)clk.mult);
			} else {
				fprintf(stderr, "dnsyn: port %u: %s; packet time from the TSC\n",
					ports[r], err);
			}
		}
		for (q = 0; q < nrxq; q++, nq_total++) {
			struct dnsyn_rx_ctx *x = &rx[nq_total % n_rx];
			struct dnsyn_rxq *rq;

			if (x->nq >= DNSYN_MAX_RXQ_PER_LCORE)
				die(EXIT_USAGE, "too many queues per RX lcore (max %d): add RX lcores",
				    DNSYN_MAX_RXQ_PER_LCORE);
			rq = &x->q[x->nq++];
			rq->port = use_files ? UINT16_MAX : ports[r];
			rq->queue = (uint16_t)q;
			rq->prefetch = use_files || !port_copies(ports[r]);
			if (use_files) {
				if (dnsyn_filesrc_open(&filesrc[q], files[q].path, files[q].snaplen,
						       conf.mbufs, (int)socket, err, sizeof(err)) < 0)
					die(1, "%s", err);
				rq->file = &filesrc[q];
			}
			rq->ts_src = ts_src;
			rq->clk = clk;
			rq->wm_slack = ts_src == DNSYN_TS_DEVICE ? HW_TS_SLACK_NS : 0;
			rq->linktype = replay ? files[q].linktype : DNSYN_LINK_ETHERNET;
			rq->expected = replay ? files[q].packets : 0;
			if (use_files) /* until the source finds the end */
				rq->expected = UINT64_MAX - 1;
			if (conf.mem_laps) {
				rq->mem = &memsrc;
				rq->expected *= conf.mem_laps;
			}
			if (replay && rq->expected == 0) /* an empty file is finished at once */
				rq->expected = UINT64_MAX, rq->received = UINT64_MAX;
			expected_total += rq->expected < UINT64_MAX - 1 ? rq->expected : 0;
		}
	}

	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.window_ns = conf.window_ns;
	pcfg.qpc_bucket_s = 60;
	/* --table-capacity is the total: each shard holds its share. */
	pcfg.table_capacity = DNSYN_MAX(conf.table_capacity / n_shards, 64u);
	pcfg.table_buckets = conf.table_buckets;
	/* Like the table, the bounded maps are shared out among the shards. */
	pcfg.syn_set_max = DNSYN_MAX(conf.syn_set_max / n_shards, 1024u);
	pcfg.qpc_max = DNSYN_MAX(conf.qpc_max / n_shards, 1024u);
	pcfg.key_client = conf.key_client;
	pcfg.corr_records = xport.ex != NULL;
	pcfg.names = namelogs; /* filled below with the queues, before launch */
	if (want_iv) {
		if (dnsyn_ivout_init(&ivout, jsonl, conf.interval_s, INTERVAL_MAX_CLIENTS,
				     &privacy) < 0)
			die(1, "out of memory for interval tables");
		struct dnsyn_detect_conf dc;

		if (dnsyn_conf_detect(&conf, &dc, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err); /* checked with the options already */
		if (dnsyn_detector_init(&detector, &dc, jsonl, !replay, &privacy) < 0)
			die(1, "out of memory for the detectors");
		ivout.sink = interval_sink;
		xport.figures = export_figures;
		ivout.n_stages = n_shards;
		ivout.key_client = conf.key_client;
	}
	if (n_shards > 1) {
		struct dnsyn_resolve_cfg rcfg = {.window_ns = conf.window_ns,
						 .key_client = conf.key_client,
						 .corr_records = xport.ex != NULL};

		if (want_iv) {
			rcfg.interval_first = &ivout.res_buf;
			rcfg.interval_cb = dnsyn_ivout_resolver_cb;
			rcfg.interval_ud = &ivout;
		}
		resolver.res = dnsyn_resolve_create(&rcfg);
		if (resolver.res == NULL)
			die(1, "out of memory for the resolver");
		resolver.n_shards = n_shards;
		resolver.horizon_ns = replay ? UINT64_MAX : LIVE_HORIZON_NS;
	}
	table_len = dnsyn_paper_table_memsize(&pcfg);
	table_thp = !rte_eal_has_hugepages();
	for (sh = 0; sh < n_shards; sh++) {
		struct dnsyn_corr_ctx *c = &cc[sh];

		/* The table is the shard's working set: on the port's socket, in
		 * hugepages. Without them (--no-huge: 4 KiB pages, and a TLB
		 * miss on nearly every insert and lookup) from the kernel's
		 * transparent huge pages instead, faulted in now: answer flood
		 * +10 % (docs/performance.md). Not zeroed for rte_malloc:
		 * dnsyn_ctable_init() clears what must be. */
		if (table_thp)
			table_mem[sh] = dnsyn_big_zalloc(table_len);
		else
			table_mem[sh] = rte_malloc_socket("dnsyn_ctable", table_len, 64, (int)socket);
		if (table_mem[sh] == NULL)
			die(1, "cannot allocate the correlation table (%zu MB for %u addresses): lower "
			       "--table-capacity%s", table_len >> 20, pcfg.table_capacity,
			    table_thp ? "" : " or give more memory (--mem-mb / -m)");
		pcfg.table_mem = table_mem[sh];
		pcfg.interval_cb = NULL;
		if (want_iv) {
			if (dnsyn_interval_init(&ivh[sh].buf[0], conf.interval_s,
						INTERVAL_MAX_CLIENTS) < 0 ||
			    dnsyn_interval_init(&ivh[sh].buf[1], conf.interval_s,
						INTERVAL_MAX_CLIENTS) < 0)
				die(1, "out of memory for interval tables");
			pcfg.interval_first = &ivh[sh].buf[0];
			pcfg.interval_cb = dnsyn_iv_handoff_cb;
			pcfg.interval_ud = &ivh[sh];
			c->ivh = &ivh[sh];
			ivh[sh].cc = c;
			ivout.h[sh] = &ivh[sh];
		}
		if (n_shards > 1) {
			char name[RTE_RING_NAMESIZE];

			snprintf(name, sizeof(name), "dnsyn_claims%u", sh);
			c->claims = rte_ring_create_elem(name, sizeof(struct dnsyn_cand), conf.ring_size,
							 (int)socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (c->claims == NULL)
				die(1, "cannot create claim ring %s: %s", name, rte_strerror(rte_errno));
			pcfg.cand_cb = dnsyn_corr_claim_cb;
			pcfg.cand_ud = c;
			resolver.shard[sh] = c;
		}
		c->paper = dnsyn_paper_create(&pcfg);
		if (c->paper == NULL)
			die(1, "out of memory for the correlator");
		c->lcore = (unsigned int)corr_lcores[sh];
		c->shard = sh;
		c->horizon_ns = replay ? UINT64_MAX : LIVE_HORIZON_NS;
	}
	for (r = 0; r < n_rx; r++) {
		rx[r].lcore = (unsigned int)rx_lcores[r];
		rx[r].n_shards = n_shards;
		rx[r].idle_exit_ns = replay ? (uint64_t)conf.idle_exit_ms * DNSYN_NS_PER_MS : 0;
		rx[r].lossless = replay;
		rx[r].query_names = want_iv != 0; /* only interval tables count names */
		rx[r].count_events = want_iv == 0; /* ... or SYN-ACKs, answers by time */
		dnsyn_ts_init(&rx[r].ts, 1000); /* each queue says whether it reads the stamps */
		ret = dnsyn_rx_ctx_init(&rx[r], &conf, (int)socket);
		if (ret < 0)
			die(1, "RX lcore %u: cannot allocate its state (%s); lower --tcp-bufs, "
			       "--frag-entries or give more memory",
			    rx[r].lcore, strerror(-ret));
		for (q = 0; q < rx[r].nq; q++) {
			struct dnsyn_rxq *rq = &rx[r].q[q];

			if (n_rings >= DNSYN_MAX_RINGS)
				die(EXIT_USAGE, "at most %d RX queues in all", DNSYN_MAX_RINGS);
			for (sh = 0; sh < n_shards; sh++) {
				char name[RTE_RING_NAMESIZE];

				snprintf(name, sizeof(name), "dnsyn_ev%u_%u", n_rings, sh);
				rq->ring[sh] = rte_ring_create_elem(name, sizeof(struct dnsyn_event),
								    conf.ring_size, (int)socket,
								    RING_F_SP_ENQ | RING_F_SC_DEQ);
				if (rq->ring[sh] == NULL)
					die(1, "cannot create event ring %s: %s", name,
					    rte_strerror(rte_errno));
				cc[sh].rxq[cc[sh].n_rings++] = rq;
			}
			if (xport.ex) {
				namelog[n_rings].s = rte_zmalloc_socket(
					"dnsyn_names", dnsyn_namelog_memsize(NAMELOG_SLOTS), 64,
					(int)socket);
				if (namelog[n_rings].s == NULL)
					die(1, "cannot allocate the name log of a queue (%zu MB)",
					    dnsyn_namelog_memsize(NAMELOG_SLOTS) >> 20);
				namelog[n_rings].mask = NAMELOG_SLOTS - 1;
				rq->names = &namelog[n_rings];
				namelogs[n_rings] = &namelog[n_rings];
			}
			rq->ring_id = (uint8_t)n_rings++;
		}
	}

	live.rx = rx;
	live.n_rx = n_rx;
	live.cc = cc;
	live.n_shards = n_shards;
	live.ports = ports;
	live.n_ports = nports;
	live.xport = xport.ex ? &xport : NULL;
	live.intervals_written = &ivout.written;
	/* Telemetry off (--no-telemetry) or unavailable is not an error. */
	(void)dnsyn_telemetry_register(&live);

	/* Launch: correlation first so it is ready when events come. */
	for (sh = 0; sh < n_shards; sh++)
		if (rte_eal_remote_launch(dnsyn_corr_lcore_main, &cc[sh], cc[sh].lcore) != 0)
			die(1, "cannot launch the correlation lcore %u", cc[sh].lcore);
	for (r = 0; r < n_rx; r++)
		if (rte_eal_remote_launch(dnsyn_rx_lcore_main, &rx[r], rx[r].lcore) != 0)
			die(1, "cannot launch RX lcore %u", rx[r].lcore);
	{
		struct status st;

		memset(&st, 0, sizeof(st));
		st.tty = isatty(STDERR_FILENO);
		st.on = conf.progress < 0 ? st.tty : conf.progress;
		st.every_tsc = 2 * rte_get_tsc_hz();
		st.last_tsc = rte_get_tsc_cycles();
		st.next_tsc = st.last_tsc + st.every_tsc;
		st.expected = replay ? expected_total : 0;
		st.conf = &conf;
		st.live_ports = !replay;
		for (r = 0; r < nports; r++) {
			struct rte_eth_link l;

			watch.link_up[ports[r]] =
				rte_eth_link_get_nowait(ports[r], &l) == 0 && l.link_status;
		}
		main_loop(&cc[0], n_shards, want_iv, &st);
		done_tsc = rte_get_tsc_cycles();
	}
	if (jsonl) {
		if (ivout.errors || fclose(jsonl) != 0) {
			fprintf(stderr, "dnsyn: error: writing %s failed\n", conf.jsonl);
			exit_code = 1;
		}
		if (ivout.late || ivout.early)
			fprintf(stderr, "dnsyn: warning: %" PRIu64 " intervals written before all their "
					"parts came (packet time going backwards, or shards more than "
					"%d intervals apart)\n",
				ivout.late + ivout.early, DNSYN_IVOUT_ACC_MAX);
	}
	if (resolver.oom)
		die(1, "out of memory queueing claims for the resolver");
	for (r = 0; r < n_rx; r++)
		rte_eal_wait_lcore(rx[r].lcore);
	for (sh = 0; sh < n_shards; sh++)
		rte_eal_wait_lcore(cc[sh].lcore);
	/* One set of totals for the report: the shards' and the resolver's. */
	for (sh = 1; sh < n_shards; sh++)
		if (dnsyn_paper_merge(cc[0].paper, cc[sh].paper, NULL) < 0)
			die(1, "out of memory adding up the shards");
	if (resolver.res)
		dnsyn_paper_merge(cc[0].paper, NULL, dnsyn_resolve_stats(resolver.res));
	shards_merged = 1;

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
	/* the SYN-ACKs and answers the RX lcores only counted (no interval tables) */
	dnsyn_paper_add_synacks(cc[0].paper, tot.ev_synacks_counted);
	for (r = 0; r < n_rx; r++)
		dnsyn_paper_add_answers(cc[0].paper, &rx[r].ans);
#define DNSYN_CNT_OUT(g, n, h) counter_add(&co, #g, #n, tot.g##_##n);
	DNSYN_RX_COUNTERS(DNSYN_CNT_OUT)
#undef DNSYN_CNT_OUT
#define DNSYN_TCP_OUT(n, h) counter_add(&co, "tcpdns", #n, tcp_tot.n);
	DNSYN_TCPDNS_STATS(DNSYN_TCP_OUT)
#undef DNSYN_TCP_OUT
	{
		struct dnsyn_ctable_stats ts;
		uint64_t ev = 0, skips = resolver.horizon_skips, iv_waits = 0, claim_waits = 0;

		memset(&ts, 0, sizeof(ts));
		for (sh = 0; sh < n_shards; sh++) {
			const struct dnsyn_ctable_stats *t = dnsyn_paper_table_stats(cc[sh].paper);

			ev += cc[sh].events;
			skips += cc[sh].horizon_skips;
			iv_waits += ivh[sh].waits;
			claim_waits += cc[sh].claim_waits;
			ts.answers += t->answers;
			ts.addrs += t->addrs;
			ts.evicted_addrs += t->evicted_addrs;
			ts.evicted_answers += t->evicted_answers;
			ts.early_rolls += t->early_rolls;
			ts.expired_addrs += t->expired_addrs;
			ts.lookups += t->lookups;
			ts.probes += t->probes;
		}
		{
			/* The pipeline's own time: first packet received to the
			 * last event consumed (scripts/bench divides by it). */
			uint64_t first = UINT64_MAX;

			for (r = 0; r < n_rx; r++)
				if (rx[r].first_tsc && rx[r].first_tsc < first)
					first = rx[r].first_tsc;
			counter_add(&co, "run", "us",
				    first != UINT64_MAX && done_tsc > first
					    ? (done_tsc - first) * 1000000 / rte_get_tsc_hz()
					    : 0);
		}
		if (want_iv) {
			const struct dnsyn_detect_stats *ds = dnsyn_detect_stats(detector.d);

			counter_add(&co, "detect", "alerts", detector.n_alerts);
			counter_add(&co, "detect", "tracked", ds->tracked);
			counter_add(&co, "detect", "evicted", ds->evicted);
			counter_add(&co, "detect", "refused", ds->refused);
			counter_add(&co, "detect", "suppressed",
				    ds->suppressed[0] + ds->suppressed[1] + ds->suppressed[2] +
					    ds->suppressed[3] + ds->suppressed[4] + ds->suppressed[5]);
			counter_add(&co, "detect", "stderr_skipped", detector.stderr_skipped);
			counter_add(&co, "detect", "errors", detector.errors);
		}
		counter_add(&co, "corr", "shards", n_shards);
		counter_add(&co, "corr", "events", ev);
		counter_add(&co, "corr", "horizon_skips", skips);
		counter_add(&co, "corr", "intervals", ivout.written);
		counter_add(&co, "corr", "interval_waits", iv_waits);
		counter_add(&co, "corr", "interval_late_parts", ivout.late);
		counter_add(&co, "corr", "interval_early_writes", ivout.early);
		counter_add(&co, "corr", "interval_deferred", ivout.deferred);
		counter_add(&co, "corr", "intervals_open_peak", ivout.peak_open);
		{
			const struct dnsyn_paper_stats *ps = dnsyn_paper_stats(cc[0].paper);

			counter_add(&co, "corr", "syn_set_rotations_early",
				    ps->syn_set_rotations_early);
			counter_add(&co, "corr", "qpc_refused", ps->qpc_refused);
			counter_add(&co, "corr", "interval_clients_refused", ivout.clients_refused);
			counter_add(&co, "corr", "oom", ps->oom);
		}
		counter_add(&co, "table", "answers", ts.answers);
		counter_add(&co, "table", "addrs", ts.addrs);
		counter_add(&co, "table", "evicted_addrs", ts.evicted_addrs);
		counter_add(&co, "table", "evicted_answers", ts.evicted_answers);
		counter_add(&co, "table", "early_rolls", ts.early_rolls);
		counter_add(&co, "table", "expired_addrs", ts.expired_addrs);
		counter_add(&co, "table", "lookups", ts.lookups);
		counter_add(&co, "table", "probes", ts.probes);
		if (resolver.res) {
			const struct dnsyn_resolve_counters *rc = dnsyn_resolve_counters(resolver.res);

			counter_add(&co, "resolver", "claims", rc->claims);
			counter_add(&co, "resolver", "granted", rc->granted);
			counter_add(&co, "resolver", "lost", rc->lost);
			counter_add(&co, "resolver", "overflow", rc->overflow);
			counter_add(&co, "resolver", "out_of_order", rc->out_of_order);
			counter_add(&co, "resolver", "peak_queued", resolver.peak_queued);
			counter_add(&co, "resolver", "claim_waits", claim_waits);
		}
		if (ts.evicted_addrs)
			fprintf(stderr, "dnsyn: warning: %" PRIu64 " answer addresses evicted before "
					"their window ended (raise --table-capacity)\n",
				ts.evicted_addrs);
	}
	if (conf.n_ipfix) {
		/* The last statistics records, once every worker is done. */
		dnsyn_export_close(&xport);
		counter_add(&co, "export", "intervals", xport.intervals);
		counter_add(&co, "export", "messages", xport.sent.messages);
		counter_add(&co, "export", "records", xport.sent.records);
		counter_add(&co, "export", "octets", xport.sent.octets);
		counter_add(&co, "export", "not_sent", xport.sent.not_sent);
		counter_add(&co, "export", "messages_not_sent", xport.sent.messages_not_sent);
		counter_add(&co, "export", "template_sends", xport.sent.template_sends);
		counter_add(&co, "export", "connects", xport.sent.connects);
		counter_add(&co, "export", "disconnects", xport.sent.disconnects);
		counter_add(&co, "export", "names_truncated", xport.sent.truncated);
		if (xport.sent.not_sent)
			fprintf(stderr, "dnsyn: warning: %" PRIu64 " IPFIX records could not be sent "
					"(collector down or slow)\n",
				xport.sent.not_sent);
	}
	{
		/* all ports together: one counter each in the report */
		uint64_t imissed = 0, ierrors = 0, nombuf = 0;

		for (r = 0; r < nports; r++) {
			struct rte_eth_stats es;

			if (rte_eth_stats_get(ports[r], &es) == 0) {
				imissed += es.imissed;
				ierrors += es.ierrors;
				nombuf += es.rx_nombuf;
			}
		}
		/* a mapped file's broken last record counts as the PMD counts it */
		for (r = 0; use_files && r < conf.n_pcaps; r++)
			if (dnsyn_pcapfile_truncated(&filesrc[r].file)) {
				ierrors++;
				fprintf(stderr, "dnsyn: warning: %s ends inside a record (or in one "
						"libpcap refuses); replayed the whole records before it\n",
					files[r].path);
			}
		counter_add(&co, "port", "imissed", imissed);
		counter_add(&co, "port", "ierrors", ierrors);
		counter_add(&co, "port", "rx_nombuf", nombuf);
		counter_add(&co, "port", "link_down", watch.link_down);
		counter_add(&co, "port", "queue_stalls", watch.queue_stalls);
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
		if (conf.mem_laps || use_files) {
			/* less what the pipeline kept (--mem-laps: fragments); the
			 * mapped files: what they held (found at their end) */
			expected_total = 0;
			for (r = 0; r < n_rx; r++)
				for (q = 0; q < rx[r].nq; q++)
					if (rx[r].q[q].expected < UINT64_MAX - 1)
						expected_total += rx[r].q[q].expected;
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
			.json_extra = want_iv ? dnsyn_detector_json : NULL,
			.json_extra_ud = &detector,
			.privacy = &privacy,
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
				dnsyn_report_text(f, cc[0].paper, &in);
				if (f != stdout)
					fclose(f);
			}
		}
		if (conf.report_json) {
			f = fopen(conf.report_json, "w");
			if (f == NULL || dnsyn_report_json(f, cc[0].paper, &in) < 0) {
				fprintf(stderr, "dnsyn: error: cannot write %s: %s\n", conf.report_json,
					strerror(errno));
				exit_code = 1;
			}
			if (f)
				fclose(f);
		}
	}

	if (!replay)
		for (r = 0; r < nports; r++)
			print_xstats(ports[r]);
	for (r = 0; r < nports; r++) {
		rte_eth_dev_stop(ports[r]);
		rte_eth_dev_close(ports[r]);
	}
	if (conf.mem_laps)
		dnsyn_memsrc_free(&memsrc);
	for (r = 0; use_files && r < conf.n_pcaps; r++)
		dnsyn_filesrc_close(&filesrc[r]);
	for (r = 0; r < n_rx; r++) {
		dnsyn_rx_ctx_fini(&rx[r]);
		for (q = 0; q < rx[r].nq; q++)
			for (sh = 0; sh < n_shards; sh++)
				rte_ring_free(rx[r].q[q].ring[sh]);
	}
	for (r = 0; r < n_rings; r++)
		rte_free(namelog[r].s);
	for (sh = 0; sh < n_shards; sh++) {
		dnsyn_paper_destroy(cc[sh].paper);
		rte_ring_free(cc[sh].claims);
		if (table_thp)
			dnsyn_big_free(table_mem[sh], table_len);
		else
			rte_free(table_mem[sh]);
		if (want_iv) {
			dnsyn_interval_fini(&ivh[sh].buf[0]);
			dnsyn_interval_fini(&ivh[sh].buf[1]);
		}
	}
	if (want_iv) {
		dnsyn_ivout_fini(&ivout);
		dnsyn_detector_fini(&detector);
	}
	dnsyn_resolve_destroy(resolver.res);
	rte_free(rx);
	rte_free(cc);
	for (r = 0; r < RTE_MAX_NUMA_NODES; r++)
		rte_mempool_free(pools[r]);
	rte_eal_cleanup();
	if (replay)
		remove_runtime_dir(rundir);
	return exit_code;
}
