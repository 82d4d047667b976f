/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: dnsyn's own options (everything after `--`, or the whole
 * command line in replay mode). Pure: parsing and validation only, so it is
 * unit-tested without EAL. */
#ifndef DNSYN_CONF_H
#define DNSYN_CONF_H

#include <stddef.h>
#include <stdint.h>

#define DNSYN_MAX_PCAPS 16
#define DNSYN_MAX_LCORES 128
/** Correlation shards (one lcore each). */
#define DNSYN_MAX_SHARDS 16
/** IPFIX targets (--ipfix, repeatable). */
#define DNSYN_MAX_IPFIX 8
/** Detector parameters set (--detect, [detect] keys). */
#define DNSYN_MAX_DETECT 128

struct dnsyn_detect_conf;

/** One detector parameter setting: NAME (not NUL-ended) = VALUE. */
struct dnsyn_conf_detect {
	const char *name;
	size_t name_len;
	const char *value;
};

struct dnsyn_conf {
	const char *pcaps[DNSYN_MAX_PCAPS]; /**< --pcap, replay mode */
	unsigned int n_pcaps;
	uint64_t window_ns;          /**< --window (seconds, fractional) */
	const char *report_json;     /**< --report-json */
	const char *report_text;     /**< --report (default: stdout) */
	const char *jsonl;           /**< --jsonl: interval records, one JSON object a line */
	uint32_t interval_s;         /**< --interval (packet time) */
	uint32_t table_capacity;     /**< --table-capacity: answer addresses tracked at once */
	uint32_t table_buckets;      /**< --table-buckets: time buckets of the table */
	uint8_t key_client;          /**< --key client: (client, address) table key */
	uint32_t syn_set_max;        /**< --syn-set-max: distinct-SYN set bound */
	uint32_t qpc_max;            /**< --qpc-max: (client, minute) keys of the query counts */
	const char *ipfix[DNSYN_MAX_IPFIX]; /**< --ipfix udp:|tcp:HOST[:PORT], file:PATH */
	unsigned int n_ipfix;
	uint32_t ipfix_pen;          /**< --ipfix-pen: enterprise number of dnsyn's IEs */
	uint32_t ipfix_odid;         /**< --ipfix-odid: observation domain of the data */
	uint32_t ipfix_mtu;          /**< --ipfix-mtu: message size bound */
	uint32_t ipfix_refresh_s;    /**< --ipfix-refresh: UDP template refresh period */
	uint8_t priv_clients;        /**< --privacy-clients: enum dnsyn_priv_addr */
	uint8_t priv_names;          /**< --privacy-names: enum dnsyn_priv_name */
	uint8_t priv_v4_prefix, priv_v6_prefix; /**< --privacy-prefix V4/V6 */
	const char *priv_key;        /**< --privacy-key FILE */
	struct dnsyn_conf_detect detect[DNSYN_MAX_DETECT]; /**< --detect NAME=VALUE, in order */
	unsigned int n_detect;
	int quiet;                   /**< --quiet: no text report */
	uint32_t ring_size;          /**< --ring-size: events per RX->corr ring */
	uint32_t mbufs;              /**< --mbufs per pool */
	uint32_t burst;              /**< --burst */
	uint32_t rx_queues;          /**< --rx-queues per port (live mode) */
	uint64_t port_mask;          /**< --portmask (live mode), 0 = all */
	int rx_lcores[DNSYN_MAX_LCORES]; /**< --rx-lcores */
	unsigned int n_rx_lcores;
	int corr_lcores[DNSYN_MAX_SHARDS]; /**< --corr-lcores (one per shard) */
	unsigned int n_corr_lcores;
	uint32_t shards;             /**< --shards: correlation shards (lcores) */
	uint32_t idle_exit_ms;       /**< --idle-exit-ms: replay safety net */
	uint32_t tcp_streams;        /**< --tcp-streams per RX lcore */
	uint32_t tcp_bufs;           /**< --tcp-bufs (64 KiB each) per RX lcore */
	uint32_t frag_entries;       /**< --frag-entries per RX lcore */
	uint32_t mem_mb;             /**< --mem-mb for replay EAL (-m) */
	uint32_t mem_laps;           /**< --mem-laps: in-memory replay, 0 = off */
	int pcap_via_pmd;            /**< --pcap-via pmd: never map the files */
	const char *config;          /**< --config FILE: read before the command line */
	int check;                   /**< --check: validate, touch nothing, exit 0 */
	int progress;                /**< --progress 1, --no-progress 0, -1: if stderr is a tty */
	int shards_given;            /**< --shards was set (checked against --corr-lcores) */
	int help;
	int version;
};

/** One `key = value` of a configuration file. */
struct dnsyn_conf_kv {
	const char *file;    /**< for messages */
	unsigned int line;
	const char *section; /**< without brackets */
	const char *key;
	const char *value;   /**< must outlive the conf (paths are kept as pointers) */
};

/** Fill defaults. */
void dnsyn_conf_defaults(struct dnsyn_conf *c);

/**
 * Parse dnsyn options. @p argv[0] is the program name.
 * @param err   receives a one-line message on failure
 * @return 0, or -EINVAL with @p err filled
 */
int dnsyn_conf_parse(struct dnsyn_conf *c, int argc, char **argv, char *err, size_t errlen);

/**
 * Apply one configuration-file entry: its key is the long option's name
 * (`window = 1` in [correlation] is --window 1) and must belong to its
 * section (config/dnsyn.ini lists them). Errors name the file and line.
 * @return 0, or -EINVAL with @p err filled
 */
int dnsyn_conf_set(struct dnsyn_conf *c, const struct dnsyn_conf_kv *kv, char *err,
		   size_t errlen);

/** Checks across options, once everything was parsed (dnsyn_conf_parse()
 *  runs it too). 0 or -EINVAL with @p err filled. */
int dnsyn_conf_finish(struct dnsyn_conf *c, char *err, size_t errlen);

/**
 * May a configuration file at @p path be trusted? 0 yes; 1 with a warning in
 * @p err (group-writable); -EPERM no (writable by anyone), reason in @p err.
 */
int dnsyn_conf_file_check(const char *path, char *err, size_t errlen);

/**
 * The detectors' configuration: their defaults with @p c's --detect settings
 * applied in order (a later one wins). 0, or -EINVAL with @p err filled.
 */
int dnsyn_conf_detect(const struct dnsyn_conf *c, struct dnsyn_detect_conf *out, char *err,
		      size_t errlen);

/** Parse an lcore list such as "1,3-5". Returns count or -EINVAL. */
int dnsyn_conf_parse_list(const char *s, int *out, unsigned int max);

/** Print usage. */
void dnsyn_conf_usage(const char *prog, void *stream);

#endif
