/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: the human report (the paper's Tables 1-4 and Fig. 5) and the
 * machine-readable JSON report (docs/report.md). Pure: stdio only. */
#ifndef DNSYN_REPORT_H
#define DNSYN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "dnsyn_paper.h"
#include "dnsyn_privacy.h"

/** A named counter for the report's "counters" object. */
struct dnsyn_report_counter {
	const char *group; /**< e.g. "rx", "drop", "dns", "tcpdns", "frag" */
	const char *name;
	uint64_t value;
};

struct dnsyn_report_input {
	const char *const *files; /**< replayed pcaps (NULL for live ports) */
	unsigned int n_files;
	const int *linktypes;     /**< per file */
	uint64_t window_ns;
	uint64_t first_ts_ns, last_ts_ns;
	const struct dnsyn_report_counter *counters;
	unsigned int n_counters;
	/** Writes more top-level JSON members (each `"key": value,\n`) before
	 *  "counters" (the program's alerts); NULL for none. */
	void (*json_extra)(FILE *f, void *ud);
	void *json_extra_ud;
	/** How client addresses are shown (NULL: as seen). */
	const struct dnsyn_privacy *privacy;
};

/** Print the paper's tables, the delay histogram and non-zero drop counters. */
void dnsyn_report_text(FILE *f, const struct dnsyn_paper *p, const struct dnsyn_report_input *in);

/** Write the JSON report. Returns 0 or -errno (from the stream). */
int dnsyn_report_json(FILE *f, const struct dnsyn_paper *p, const struct dnsyn_report_input *in);

/**
 * Write one interval as a JSON line (`"record": "interval"`, docs/report.md),
 * with the @p top_n busiest ports and unmatched-SYN clients. @p key_client:
 * the run used --key client (dst-only figures are null; matched/unmatched
 * follow dst+client).
 * Returns 0 or -EIO.
 */
int dnsyn_report_interval_jsonl(FILE *f, const struct dnsyn_interval *iv, unsigned int top_n,
				int key_client);

/** Format a 16-byte address (v4-mapped shown as dotted quad). */
void dnsyn_report_addr(const uint8_t a[16], char *buf, size_t len);

/** Format client address @p a as outputs show it under @p p (NULL: as seen). */
void dnsyn_report_client(const struct dnsyn_privacy *p, const uint8_t a[16], char *buf, size_t len);

/**
 * Top ports by count desc, port asc. Fills at most @p max (port,count) pairs.
 * @return number filled
 */
unsigned int dnsyn_report_top_ports(const uint64_t *counts, unsigned int max, uint32_t *ret_port,
				    uint64_t *ret_count);

#endif
