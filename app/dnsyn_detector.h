/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane (main lcore): per-client detection (lib/detect) on every
 * complete interval, before it is exported. Alerts go to stderr (rate
 * limited), the JSON-lines file ("record": "alert") and the JSON report;
 * each interval's top DNS clients to the JSON-lines file. */
#ifndef DNSYN_DETECTOR_H
#define DNSYN_DETECTOR_H

#include <stdio.h>

#include "dnsyn_detect.h"
#include "dnsyn_interval.h"
#include "dnsyn_privacy.h"

/** Alerts kept for the report (the latest; older ones counted). */
#define DNSYN_ALERTS_KEEP 1024
/** Alert lines on stderr per interval, at most (the rest counted). */
#define DNSYN_ALERTS_STDERR 10

/** What telemetry shows of the detection: a copy taken under a lock after
 *  each interval (the detector itself is the main lcore's alone). */
#define DNSYN_SNAP_N 10

struct dnsyn_detect_snap {
	char top[DNSYN_SNAP_N][64];      /**< top DNS clients, busiest first */
	uint64_t top_q[DNSYN_SNAP_N];    /**< their queries in the interval */
	unsigned int n_top;
	char alerts[DNSYN_SNAP_N][128];  /**< "detector client time", latest first */
	unsigned int n_alerts;
	uint64_t total_alerts;
};

/** Copy the latest snapshot (any thread). */
void dnsyn_detector_snapshot(struct dnsyn_detect_snap *out);

/** Alerts one interval can raise that are written out (the rest are
 *  counted in the library's alerts_dropped), and the top list's length. */
#define DNSYN_DETECTOR_IV_ALERTS 64
#define DNSYN_DETECTOR_TOP 10

/** The last interval's alerts and top list, as the JSON lines have them (real
 *  addresses: outputs apply the privacy policy). The IPFIX export reads it
 *  right after dnsyn_detector_interval(), on the same lcore. */
struct dnsyn_detector_last {
	int valid;                /**< 0: the interval was refused (time went back) */
	uint64_t start_s;
	uint32_t len_s;
	uint32_t n_alerts, n_top;
	struct dnsyn_alert alerts[DNSYN_DETECTOR_IV_ALERTS];
	struct dnsyn_top_client top[DNSYN_DETECTOR_TOP]; /**< queries desc, then address */
};

/** Intervals whose top lists the JSON report keeps (the latest; a day of
 *  one-minute intervals, ~480 KB). */
#define DNSYN_TOP_KEEP 1440

/** One interval's top list, as the report lists it. */
struct dnsyn_top_kept {
	uint64_t start_s;
	uint32_t n;
	struct dnsyn_top_client top[DNSYN_DETECTOR_TOP];
};

struct dnsyn_detector {
	struct dnsyn_detect *d;
	FILE *jsonl;              /**< NULL: no JSON lines */
	const struct dnsyn_privacy *priv; /**< how its outputs show clients */
	struct dnsyn_alert kept[DNSYN_ALERTS_KEEP];
	uint64_t n_alerts;        /**< all raised; kept[] holds the last ones */
	uint64_t stderr_skipped;
	uint64_t errors;
	struct dnsyn_detector_last last;
	struct dnsyn_top_kept *tops; /**< [DNSYN_TOP_KEEP] ring, for the report */
	uint64_t n_tops;             /**< intervals listed so far */
};

/** 0, or -ENOMEM. @p conf: the detectors' parameters (--detect). @p jsonl
 *  may be NULL. @p random_seed: live ports (a seed spoofed sources cannot aim
 *  at); replays use a fixed one, so that the same capture always gives the
 *  same alerts. Detection runs on the real
 *  addresses; its alerts and top lists show them as @p priv says. */
int dnsyn_detector_init(struct dnsyn_detector *x, const struct dnsyn_detect_conf *conf,
			FILE *jsonl, int random_seed, const struct dnsyn_privacy *priv);
void dnsyn_detector_fini(struct dnsyn_detector *x);

/** One complete interval: feed it, write its alerts and top clients, and
 *  keep them in x->last. */
void dnsyn_detector_interval(struct dnsyn_detector *x, const struct dnsyn_interval *iv);

/** The report's "alerts" member (dnsyn_report_input.json_extra; ud: x). */
void dnsyn_detector_json(FILE *f, void *ud);

#endif
