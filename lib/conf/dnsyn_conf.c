/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dnsyn_compiler.h"
#include "dnsyn_conf.h"
#include "dnsyn_detect.h"
#include "dnsyn_ipfix_transport.h"
#include "dnsyn_privacy.h"

enum {
	OPT_PCAP = 256,
	OPT_WINDOW,
	OPT_REPORT_JSON,
	OPT_REPORT,
	OPT_JSONL,
	OPT_TABLE_CAPACITY,
	OPT_TABLE_BUCKETS,
	OPT_KEY,
	OPT_SYN_SET_MAX,
	OPT_QPC_MAX,
	OPT_IPFIX,
	OPT_IPFIX_PEN,
	OPT_IPFIX_ODID,
	OPT_IPFIX_MTU,
	OPT_IPFIX_REFRESH,
	OPT_PRIV_CLIENTS,
	OPT_PRIV_PREFIX,
	OPT_PRIV_KEY,
	OPT_PRIV_NAMES,
	OPT_DETECT,
	OPT_INTERVAL,
	OPT_QUIET,
	OPT_RING_SIZE,
	OPT_MBUFS,
	OPT_BURST,
	OPT_RX_QUEUES,
	OPT_PORTMASK,
	OPT_RX_LCORES,
	OPT_CORR_LCORES,
	OPT_SHARDS,
	OPT_IDLE_EXIT_MS,
	OPT_TCP_STREAMS,
	OPT_TCP_BUFS,
	OPT_FRAG_ENTRIES,
	OPT_MEM_MB,
	OPT_MEM_LAPS,
	OPT_PCAP_VIA,
	OPT_CONFIG,
	OPT_CHECK,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{"pcap", required_argument, NULL, OPT_PCAP},
	{"window", required_argument, NULL, OPT_WINDOW},
	{"report-json", required_argument, NULL, OPT_REPORT_JSON},
	{"report", required_argument, NULL, OPT_REPORT},
	{"jsonl", required_argument, NULL, OPT_JSONL},
	{"table-capacity", required_argument, NULL, OPT_TABLE_CAPACITY},
	{"table-buckets", required_argument, NULL, OPT_TABLE_BUCKETS},
	{"key", required_argument, NULL, OPT_KEY},
	{"syn-set-max", required_argument, NULL, OPT_SYN_SET_MAX},
	{"qpc-max", required_argument, NULL, OPT_QPC_MAX},
	{"ipfix", required_argument, NULL, OPT_IPFIX},
	{"ipfix-pen", required_argument, NULL, OPT_IPFIX_PEN},
	{"ipfix-odid", required_argument, NULL, OPT_IPFIX_ODID},
	{"ipfix-mtu", required_argument, NULL, OPT_IPFIX_MTU},
	{"ipfix-refresh", required_argument, NULL, OPT_IPFIX_REFRESH},
	{"privacy-clients", required_argument, NULL, OPT_PRIV_CLIENTS},
	{"privacy-prefix", required_argument, NULL, OPT_PRIV_PREFIX},
	{"privacy-key", required_argument, NULL, OPT_PRIV_KEY},
	{"privacy-names", required_argument, NULL, OPT_PRIV_NAMES},
	{"detect", required_argument, NULL, OPT_DETECT},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"ring-size", required_argument, NULL, OPT_RING_SIZE},
	{"mbufs", required_argument, NULL, OPT_MBUFS},
	{"burst", required_argument, NULL, OPT_BURST},
	{"rx-queues", required_argument, NULL, OPT_RX_QUEUES},
	{"portmask", required_argument, NULL, OPT_PORTMASK},
	{"rx-lcores", required_argument, NULL, OPT_RX_LCORES},
	{"corr-lcores", required_argument, NULL, OPT_CORR_LCORES},
	{"corr-lcore", required_argument, NULL, OPT_CORR_LCORES}, /* the 1-shard spelling */
	{"shards", required_argument, NULL, OPT_SHARDS},
	{"idle-exit-ms", required_argument, NULL, OPT_IDLE_EXIT_MS},
	{"tcp-streams", required_argument, NULL, OPT_TCP_STREAMS},
	{"tcp-bufs", required_argument, NULL, OPT_TCP_BUFS},
	{"frag-entries", required_argument, NULL, OPT_FRAG_ENTRIES},
	{"mem-mb", required_argument, NULL, OPT_MEM_MB},
	{"mem-laps", required_argument, NULL, OPT_MEM_LAPS},
	{"pcap-via", required_argument, NULL, OPT_PCAP_VIA},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"check", no_argument, NULL, OPT_CHECK},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

void
dnsyn_conf_defaults(struct dnsyn_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->window_ns = DNSYN_NS_PER_S;
	c->interval_s = 60;
	c->table_capacity = 1u << 20;
	c->table_buckets = 8;
	c->syn_set_max = 1u << 20;
	c->qpc_max = 1u << 20;
	c->ipfix_pen = DNSYN_IPFIX_PEN_DEFAULT;
	c->ipfix_odid = 1;
	c->ipfix_mtu = DNSYN_IPFIX_MTU_DEFAULT;
	c->ipfix_refresh_s = 60;
	c->priv_v4_prefix = 24;
	c->priv_v6_prefix = 48;
	c->progress = -1;
	c->ring_size = 16384;
	c->mbufs = 8191;
	c->burst = 64;
	c->rx_queues = 1;
	c->shards = 1;
	c->idle_exit_ms = 2000;
	c->tcp_streams = 4096;
	c->tcp_bufs = 64;
	c->frag_entries = 4096;
	c->mem_mb = 512;
}

void
dnsyn_conf_usage(const char *prog, void *stream)
{
	FILE *f = stream;

	fprintf(f,
		"dnsyn: DNS answer -> TCP SYN correlation probe (Rikitake et al. 2003)\n"
		"\n"
		"Replay a capture (sets up DPDK itself, no EAL knowledge needed):\n"
		"  %s --pcap FILE [--pcap FILE2 ...] [options]\n"
		"Run on DPDK ports (EAL options first, then dnsyn options after --):\n"
		"  %s -l 0-3 -a 0000:3b:00.0 -- [options]\n"
		"\n"
		"Options:\n"
		"  --pcap FILE          replay FILE (pcap or pcapng, any supported link type);\n"
		"                       repeat for more files, one RX queue each\n"
		"  --window SEC         answer->SYN match window in seconds (default 1)\n"
		"  --report FILE        write the text report to FILE (default: stdout)\n"
		"  --report-json FILE   also write the JSON report (docs/report.md)\n"
		"  --jsonl FILE         write each interval's tables as a JSON line\n"
		"  --interval SEC       interval length in packet time (default 60)\n"
		"  --table-capacity N   answer addresses tracked at once (default 1048576,\n"
		"                       about 60 bytes each; beyond it the oldest are evicted\n"
		"                       and counted)\n"
		"  --table-buckets N    time buckets of that table, a power of two in\n"
		"                       [4, 64] (default 8); expiry drops a whole bucket\n"
		"  --key address|client match key: the destination address (the paper;\n"
		"                       both the dst-only and dst+client figures), or\n"
		"                       (client, destination): dst+client only, but a\n"
		"                       SYN visits only its own client's answers\n"
		"  --syn-set-max N      SYNs remembered to tell retransmissions apart\n"
		"                       (120-240 s of them, default 1048576, 64 bytes\n"
		"                       each, taken at start; when full the older half goes)\n"
		"  --qpc-max N          (client, minute) keys of the queries-per-client\n"
		"                       counts (default 1048576, ~80-120 bytes each; when\n"
		"                       full, queries of new keys only count in\n"
		"                       corr.qpc_refused)\n"
		"  --ipfix TARGET       export each interval's records over IPFIX (RFC 7011):\n"
		"                       udp:HOST[:PORT], tcp:HOST[:PORT] (port 4739) or\n"
		"                       file:PATH (RFC 5655); repeat for several collectors\n"
		"  --ipfix-pen N        enterprise number of dnsyn's elements (default 32473,\n"
		"                       RFC 5612's documentation number: set your own)\n"
		"  --ipfix-odid N       observation domain of the data records (default 1)\n"
		"  --ipfix-mtu N        IPFIX message size bound in bytes (default 1400)\n"
		"  --ipfix-refresh SEC  UDP: templates resent every SEC s (default 60) and\n"
		"                       every 1000 messages\n"
		"  --privacy-clients M  what outputs (JSON lines, IPFIX, reports, alerts,\n"
		"                       telemetry) show of client addresses: keep (default),\n"
		"                       truncate (to --privacy-prefix) or pseudonymise\n"
		"                       (keyed, prefix-preserving; needs --privacy-key);\n"
		"                       correlation always uses the real addresses\n"
		"  --privacy-prefix V4/V6  bits truncate keeps (default 24/48)\n"
		"  --privacy-key FILE   16 bytes or 32 hex digits, mode 0600 (never logged)\n"
		"  --privacy-names M    question names in exports: keep (default), hash\n"
		"                       (keyed; needs --privacy-key) or drop\n"
		"  --detect NAME=VALUE  a detector parameter (docs/detection.md lists them,\n"
		"                       e.g. scan-syn-min=20); repeatable, the last wins\n"
		"  --quiet              no text report\n"
		"  --progress           a status line on stderr every 2 s (live: rates and\n"
		"                       drops; replay: percent done) even when stderr is\n"
		"                       not a terminal (default: only on a terminal)\n"
		"  --no-progress        no status line\n"
		"  --config FILE        read options from an INI file first (config/dnsyn.ini)\n"
		"  --check              validate the configuration and exit, touching nothing\n"
		"  --portmask HEX       ports to use (live mode; default all)\n"
		"  --rx-queues N        RX queues per port, RSS spreads flows (default 1)\n"
		"  --rx-lcores LIST     lcores that poll RX queues, e.g. 1-2 (default: all\n"
		"                       worker lcores but the correlation one)\n"
		"  --shards N           correlation shards, one lcore each; addresses are\n"
		"                       split among them by hash (default 1, max 16)\n"
		"  --corr-lcores LIST   the correlation lcores (default: the last workers);\n"
		"                       --corr-lcore ID is the one-shard spelling\n"
		"  --burst N            RX burst size (default 64)\n"
		"  --ring-size N        events per RX->correlation ring (default 16384)\n"
		"  --mbufs N            mbufs per pool (default 8191)\n"
		"  --tcp-streams N      DNS-over-TCP streams per RX lcore (default 4096)\n"
		"  --tcp-bufs N         64 KiB TCP message buffers per RX lcore (default 64)\n"
		"  --frag-entries N     IP reassembly entries per RX lcore (default 4096)\n"
		"  --idle-exit-ms MS    replay: stop when no packet came for MS although the\n"
		"                       file count was not reached (default 2000)\n"
		"  --mem-mb MB          replay: DPDK memory (default 512)\n"
		"  --pcap-via M         replay: map (default: a plain pcap is mapped and\n"
		"                       its records handed over in place, no copy; any\n"
		"                       other file goes through the pcap PMD) or pmd\n"
		"                       (always DPDK's pcap PMD, net_pcap)\n"
		"  --mem-laps N         benchmark: load the one --pcap file into memory and\n"
		"                       replay it N times back to back (packet time moves on\n"
		"                       a lap), its mbufs going round a net_ring port: no\n"
		"                       file read, no copy (docs/performance.md)\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 ok, 2 bad usage or unreadable input, 1 runtime failure.\n",
		prog, prog);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, int base)
{
	char *end;
	unsigned long long v;

	/* strtoull would skip blanks and accept a sign: insist on a digit. */
	if (s == NULL || !isxdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
dnsyn_conf_parse_list(const char *s, int *out, unsigned int max)
{
	unsigned int n = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	while (*p) {
		char *end;
		long a, b;

		errno = 0;
		a = strtol(p, &end, 10);
		if (errno || end == p || a < 0 || a >= DNSYN_MAX_LCORES)
			return -EINVAL;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (errno || end == p || b < a || b >= DNSYN_MAX_LCORES)
				return -EINVAL;
		}
		for (; a <= b; a++) {
			unsigned int i;

			if (n >= max)
				return -EINVAL;
			for (i = 0; i < n; i++)
				if (out[i] == (int)a)
					return -EINVAL; /* listed twice */
			out[n++] = (int)a;
		}
		if (*end == ',' && end[1] != '\0')
			end++;
		else if (*end != '\0')
			return -EINVAL;
		p = end;
	}
	return (int)n;
}

/* Check one detector setting on its own (its name and value) and keep it. */
static int
detect_add(struct dnsyn_conf *c, const struct dnsyn_conf_detect *d, char *err, size_t errlen)
{
	struct dnsyn_detect_conf scratch;
	char msg[256];

	if (c->n_detect >= DNSYN_MAX_DETECT) {
		snprintf(err, errlen, "--detect: at most %d settings", DNSYN_MAX_DETECT);
		return -EINVAL;
	}
	dnsyn_detect_conf_default(&scratch);
	if (dnsyn_detect_param_set(&scratch, d->name, d->name_len, d->value, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "--detect: %s", msg);
		return -EINVAL;
	}
	c->detect[c->n_detect++] = *d;
	return 0;
}

int
dnsyn_conf_detect(const struct dnsyn_conf *c, struct dnsyn_detect_conf *out, char *err,
		  size_t errlen)
{
	char msg[256];

	dnsyn_detect_conf_default(out);
	for (unsigned int i = 0; i < c->n_detect; i++)
		if (dnsyn_detect_param_set(out, c->detect[i].name, c->detect[i].name_len,
					   c->detect[i].value, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "--detect: %s", msg);
			return -EINVAL;
		}
	if (dnsyn_detect_conf_check(out, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "--detect: %s", msg);
		return -EINVAL;
	}
	return 0;
}

#define NUM_OPT(field, min, max)                                                      \
	do {                                                                          \
		uint64_t v_;                                                          \
		if (parse_u64(optarg, (min), (max), &v_, 10) < 0) {                    \
			snprintf(err, errlen, "--%s: expected an integer in [%llu, %llu], got '%s'", \
				 long_opts[idx].name, (unsigned long long)(min),      \
				 (unsigned long long)(max), optarg);                   \
			return -EINVAL;                                               \
		}                                                                     \
		c->field = (typeof(c->field))v_;                                      \
	} while (0)

int
dnsyn_conf_parse(struct dnsyn_conf *c, int argc, char **argv, char *err, size_t errlen)
{
	int opt, idx = 0, n;
	uint64_t v;
	double d;
	char *end;

	optind = 0; /* glibc: 0 resets getopt fully, also after a failed "-xy" */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", long_opts, &idx)) != -1) {
		/* getopt_long leaves idx alone for short options: find ours. */
		for (idx = 0; long_opts[idx].name && long_opts[idx].val != opt; idx++)
			;
		switch (opt) {
		case OPT_PCAP:
			if (c->n_pcaps >= DNSYN_MAX_PCAPS) {
				snprintf(err, errlen, "--pcap: at most %d files", DNSYN_MAX_PCAPS);
				return -EINVAL;
			}
			c->pcaps[c->n_pcaps++] = optarg;
			break;
		case OPT_WINDOW:
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || *end || !(d > 0) || d > 3600 || isnan(d)) {
				snprintf(err, errlen,
					 "--window: expected seconds in (0, 3600], got '%s'", optarg);
				return -EINVAL;
			}
			c->window_ns = (uint64_t)llround(d * 1e9);
			if (c->window_ns == 0) {
				snprintf(err, errlen, "--window: %s s is below 1 ns", optarg);
				return -EINVAL;
			}
			break;
		case OPT_REPORT_JSON:
			c->report_json = optarg;
			break;
		case OPT_REPORT:
			c->report_text = optarg;
			break;
		case OPT_JSONL:
			c->jsonl = optarg;
			break;
		case OPT_INTERVAL:
			NUM_OPT(interval_s, 1, 86400);
			break;
		case OPT_TABLE_CAPACITY:
			NUM_OPT(table_capacity, 64, 1u << 30);
			break;
		case OPT_TABLE_BUCKETS:
			NUM_OPT(table_buckets, 4, 64);
			if (c->table_buckets & (c->table_buckets - 1)) {
				snprintf(err, errlen,
					 "--table-buckets: must be a power of two in [4, 64], got %u",
					 c->table_buckets);
				return -EINVAL;
			}
			break;
		case OPT_KEY:
			if (strcmp(optarg, "address") == 0) {
				c->key_client = 0;
			} else if (strcmp(optarg, "client") == 0) {
				c->key_client = 1;
			} else {
				snprintf(err, errlen, "--key: expected 'address' or 'client', got '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_SYN_SET_MAX:
			NUM_OPT(syn_set_max, 1024, 1u << 30);
			break;
		case OPT_QPC_MAX:
			NUM_OPT(qpc_max, 1024, 1u << 30);
			break;
		case OPT_IPFIX: {
			struct dnsyn_ipfix_target t;
			char terr[160];

			if (c->n_ipfix >= DNSYN_MAX_IPFIX) {
				snprintf(err, errlen, "--ipfix: at most %d targets", DNSYN_MAX_IPFIX);
				return -EINVAL;
			}
			if (dnsyn_ipfix_target_parse(optarg, &t, terr, sizeof(terr)) < 0) {
				snprintf(err, errlen, "--ipfix: %s", terr);
				return -EINVAL;
			}
			c->ipfix[c->n_ipfix++] = optarg;
			break;
		}
		case OPT_IPFIX_PEN:
			NUM_OPT(ipfix_pen, 1, UINT32_MAX);
			break;
		case OPT_IPFIX_ODID:
			/* 0 is the statistics' domain (docs/ipfix.md) */
			NUM_OPT(ipfix_odid, 1, UINT32_MAX);
			break;
		case OPT_IPFIX_MTU:
			NUM_OPT(ipfix_mtu, DNSYN_IPFIX_MTU_MIN, DNSYN_IPFIX_MSG_MAX);
			break;
		case OPT_IPFIX_REFRESH:
			NUM_OPT(ipfix_refresh_s, 1, 86400);
			break;
		case OPT_PRIV_CLIENTS:
			if (strcmp(optarg, "keep") == 0) {
				c->priv_clients = DNSYN_PRIV_ADDR_KEEP;
			} else if (strcmp(optarg, "truncate") == 0) {
				c->priv_clients = DNSYN_PRIV_ADDR_TRUNCATE;
			} else if (strcmp(optarg, "pseudonymise") == 0 ||
				   strcmp(optarg, "pseudonymize") == 0) {
				c->priv_clients = DNSYN_PRIV_ADDR_PSEUDO;
			} else {
				snprintf(err, errlen,
					 "--privacy-clients: expected keep, truncate or pseudonymise, "
					 "got '%s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_PRIV_PREFIX: {
			unsigned int v4, v6;
			int used = 0;

			if (sscanf(optarg, "%2u/%3u%n", &v4, &v6, &used) != 2 ||
			    optarg[used] != '\0' || !isdigit((unsigned char)optarg[0]) || v4 > 32 ||
			    v6 > 128) {
				snprintf(err, errlen,
					 "--privacy-prefix: expected V4/V6 bits like 24/48 (<= 32 and "
					 "<= 128), got '%s'",
					 optarg);
				return -EINVAL;
			}
			c->priv_v4_prefix = (uint8_t)v4;
			c->priv_v6_prefix = (uint8_t)v6;
			break;
		}
		case OPT_PRIV_KEY:
			c->priv_key = optarg;
			break;
		case OPT_PRIV_NAMES:
			if (strcmp(optarg, "keep") == 0) {
				c->priv_names = DNSYN_PRIV_NAME_KEEP;
			} else if (strcmp(optarg, "hash") == 0) {
				c->priv_names = DNSYN_PRIV_NAME_HASH;
			} else if (strcmp(optarg, "drop") == 0) {
				c->priv_names = DNSYN_PRIV_NAME_DROP;
			} else {
				snprintf(err, errlen,
					 "--privacy-names: expected keep, hash or drop, got '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_DETECT: {
			const char *eq = strchr(optarg, '=');
			struct dnsyn_conf_detect set = {optarg, eq ? (size_t)(eq - optarg) : 0,
							eq ? eq + 1 : NULL};

			if (eq == NULL) {
				snprintf(err, errlen, "--detect: expected NAME=VALUE, got '%s'", optarg);
				return -EINVAL;
			}
			if (detect_add(c, &set, err, errlen) < 0)
				return -EINVAL;
			break;
		}
		case OPT_QUIET:
			c->quiet = 1;
			break;
		case OPT_RING_SIZE:
			NUM_OPT(ring_size, 64, 1u << 24);
			if (c->ring_size & (c->ring_size - 1)) {
				snprintf(err, errlen, "--ring-size: must be a power of two, got %u",
					 c->ring_size);
				return -EINVAL;
			}
			break;
		case OPT_MBUFS:
			NUM_OPT(mbufs, 1023, 1u << 24);
			break;
		case OPT_BURST:
			NUM_OPT(burst, 1, 512);
			break;
		case OPT_RX_QUEUES:
			NUM_OPT(rx_queues, 1, 128);
			break;
		case OPT_PORTMASK:
			if (parse_u64(optarg, 1, UINT64_MAX, &v, 16) < 0) {
				snprintf(err, errlen, "--portmask: expected a non-zero hex mask, got '%s'",
					 optarg);
				return -EINVAL;
			}
			c->port_mask = v;
			break;
		case OPT_RX_LCORES:
			n = dnsyn_conf_parse_list(optarg, c->rx_lcores, DNSYN_MAX_LCORES);
			if (n <= 0) {
				snprintf(err, errlen,
					 "--rx-lcores: expected a list like 1,2 or 1-4 (ids < %d), got '%s'",
					 DNSYN_MAX_LCORES, optarg);
				return -EINVAL;
			}
			c->n_rx_lcores = (unsigned int)n;
			break;
		case OPT_CORR_LCORES:
			n = dnsyn_conf_parse_list(optarg, c->corr_lcores, DNSYN_MAX_SHARDS);
			if (n <= 0) {
				snprintf(err, errlen,
					 "--%s: expected a list like 3 or 3-4 (at most %d lcores, ids "
					 "< %d), got '%s'",
					 long_opts[idx].name, DNSYN_MAX_SHARDS, DNSYN_MAX_LCORES, optarg);
				return -EINVAL;
			}
			c->n_corr_lcores = (unsigned int)n;
			break;
		case OPT_SHARDS:
			NUM_OPT(shards, 1, DNSYN_MAX_SHARDS);
			c->shards_given = 1;
			break;
		case OPT_IDLE_EXIT_MS:
			NUM_OPT(idle_exit_ms, 10, 3600000);
			break;
		case OPT_TCP_STREAMS:
			NUM_OPT(tcp_streams, 16, 1u << 22);
			break;
		case OPT_TCP_BUFS:
			NUM_OPT(tcp_bufs, 1, 65536);
			break;
		case OPT_FRAG_ENTRIES:
			NUM_OPT(frag_entries, 16, 1u << 22);
			break;
		case OPT_MEM_MB:
			NUM_OPT(mem_mb, 64, 1u << 20);
			break;
		case OPT_MEM_LAPS:
			NUM_OPT(mem_laps, 1, 1000000);
			break;
		case OPT_PCAP_VIA:
			if (strcmp(optarg, "map") != 0 && strcmp(optarg, "pmd") != 0) {
				snprintf(err, errlen, "--pcap-via: map or pmd, not '%s'", optarg);
				return -EINVAL;
			}
			c->pcap_via_pmd = optarg[0] == 'p';
			break;
		case OPT_CONFIG:
			c->config = optarg;
			break;
		case OPT_CHECK:
			c->check = 1;
			break;
		case OPT_PROGRESS:
			c->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			c->progress = 0;
			break;
		case OPT_HELP:
			c->help = 1;
			break;
		case OPT_VERSION:
			c->version = 1;
			break;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value (see --help)",
				 argv[optind - 1]);
			return -EINVAL;
		default:
			/* A short option inside a bundle ("-xy") is only known by
			 * optopt; long options report their own argv word. */
			if (optopt > 0 && optopt < 128 && isprint(optopt))
				snprintf(err, errlen,
					 "unknown option '-%c' (EAL options go before '--'; see --help)",
					 optopt);
			else
				snprintf(err, errlen,
					 "unknown option '%s' (EAL options go before '--'; see --help)",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	return dnsyn_conf_finish(c, err, errlen);
}

int
dnsyn_conf_finish(struct dnsyn_conf *c, char *err, size_t errlen)
{
	if (c->n_corr_lcores && c->shards_given && c->shards != c->n_corr_lcores) {
		snprintf(err, errlen, "--shards %u but --corr-lcores lists %u lcores: one lcore a shard",
			 c->shards, c->n_corr_lcores);
		return -EINVAL;
	}
	if (c->n_corr_lcores)
		c->shards = c->n_corr_lcores;
	if (c->n_detect) {
		struct dnsyn_detect_conf d;

		if (dnsyn_conf_detect(c, &d, err, errlen) < 0)
			return -EINVAL;
	}
	if (c->priv_key == NULL && (c->priv_clients == DNSYN_PRIV_ADDR_PSEUDO ||
				    c->priv_names == DNSYN_PRIV_NAME_HASH)) {
		/* An unkeyed hash of an address or a name is reversed by trying them all. */
		snprintf(err, errlen, "--privacy-%s %s needs --privacy-key FILE",
			 c->priv_clients == DNSYN_PRIV_ADDR_PSEUDO ? "clients" : "names",
			 c->priv_clients == DNSYN_PRIV_ADDR_PSEUDO ? "pseudonymise" : "hash");
		return -EINVAL;
	}
	return 0;
}

/* The configuration file's sections and the options each may set (the
 * option's own name is the key: `window = 1` in [correlation] is --window 1). */
static const struct {
	const char *section;
	const char *keys[12];
} file_keys[] = {
	{"input", {"pcap"}},
	{"ports", {"portmask", "rx-queues", "rx-lcores", "burst", "mbufs", "ring-size"}},
	{"correlation", {"window", "key", "table-capacity", "table-buckets", "shards",
			 "corr-lcores", "syn-set-max", "qpc-max"}},
	{"dns", {"tcp-streams", "tcp-bufs", "frag-entries"}},
	{"intervals", {"interval", "jsonl"}},
	{"export", {"ipfix", "ipfix-pen", "ipfix-odid", "ipfix-mtu", "ipfix-refresh"}},
	{"privacy", {"privacy-clients", "privacy-prefix", "privacy-key", "privacy-names"}},
	{"report", {"report", "report-json", "quiet", "progress"}},
	{"replay", {"idle-exit-ms", "mem-mb", "mem-laps", "pcap-via"}},
};

int
dnsyn_conf_set(struct dnsyn_conf *c, const struct dnsyn_conf_kv *kv, char *err, size_t errlen)
{
	char opt[64], msg[384];
	char *argv[4];
	int argc = 0, known = 0, ret;
	unsigned int i, k;

	if (strcmp(kv->section, "detect") == 0) {
		/* Its keys are the detectors' parameters, not options. */
		struct dnsyn_conf_detect d = {kv->key, strlen(kv->key), kv->value};

		ret = detect_add(c, &d, msg, sizeof(msg));
		if (ret < 0)
			snprintf(err, errlen, "%s:%u: [detect] %s", kv->file, kv->line,
				 msg + (strncmp(msg, "--detect: ", 10) == 0 ? 10 : 0));
		return ret;
	}
	for (i = 0; i < DNSYN_ARRAY_SIZE(file_keys) && !known; i++) {
		if (strcmp(file_keys[i].section, kv->section) != 0)
			continue;
		for (k = 0; k < DNSYN_ARRAY_SIZE(file_keys[i].keys) && file_keys[i].keys[k]; k++)
			known |= strcmp(file_keys[i].keys[k], kv->key) == 0;
		if (!known) {
			snprintf(err, errlen, "%s:%u: [%s] has no key '%s' (see config/dnsyn.ini)",
				 kv->file, kv->line, kv->section, kv->key);
			return -EINVAL;
		}
	}
	if (!known) {
		snprintf(err, errlen, "%s:%u: unknown section [%s] (see config/dnsyn.ini)", kv->file,
			 kv->line, kv->section);
		return -EINVAL;
	}
	snprintf(opt, sizeof(opt), "--%s", kv->key);
	argv[argc++] = (char *)"dnsyn";
	argv[argc++] = opt;
	if (strcmp(kv->key, "quiet") == 0 || strcmp(kv->key, "progress") == 0) {
		/* the flags: booleans in the file */
		int *flag = kv->key[0] == 'q' ? &c->quiet : &c->progress;

		if (strcmp(kv->value, "yes") == 0 || strcmp(kv->value, "true") == 0 ||
		    strcmp(kv->value, "1") == 0) {
			*flag = 1;
		} else if (strcmp(kv->value, "no") == 0 || strcmp(kv->value, "false") == 0 ||
			   strcmp(kv->value, "0") == 0) {
			*flag = 0;
		} else {
			snprintf(err, errlen, "%s:%u: %s: expected yes or no, got '%s'", kv->file,
				 kv->line, kv->key, kv->value);
			return -EINVAL;
		}
		return 0;
	}
	argv[argc++] = (char *)(uintptr_t)kv->value; /* kept: the conf points into it */
	argv[argc] = NULL;
	ret = dnsyn_conf_parse(c, argc, argv, msg, sizeof(msg));
	if (ret < 0)
		snprintf(err, errlen, "%s:%u: %s", kv->file, kv->line, msg);
	return ret;
}

int
dnsyn_conf_file_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0; /* the reader says why it cannot open it */
	/* Anyone who can write it chooses where dnsyn sends what it saw. */
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s: writable by anyone (mode %04o); chmod o-w it", path,
			 (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (st.st_mode & S_IWGRP) {
		snprintf(err, errlen, "%s: writable by its group (mode %04o)", path,
			 (unsigned int)(st.st_mode & 07777));
		return 1;
	}
	return 0;
}
