/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane (main lcore): IPFIX export of the intervals the interval
 * writer completes, and of the statistics. Never on an RX or correlation
 * lcore: the exporter's sockets and files are touched here only. */
#ifndef DNSYN_EXPORT_H
#define DNSYN_EXPORT_H

#include <stdint.h>

#include "dnsyn_conf.h"
#include "dnsyn_detector.h"
#include "dnsyn_interval.h"
#include "dnsyn_ipfix_transport.h"

/** Figures for the statistics records, filled by the caller when asked. */
struct dnsyn_export_figures {
	uint64_t packets;          /**< packets seen */
	uint64_t ignored;          /**< NIC missed + no mbuf + ring drops */
	uint64_t parse_errors;
	uint64_t evicted_answers, evicted_addrs;
	uint64_t table_occupancy, table_capacity;
	uint64_t ring_drops;
	/* Bounds reached: what was dropped or refused (report counters in brackets). */
	uint64_t syn_set_early;      /* corr.syn_set_rotations_early */
	uint64_t qpc_refused;        /* corr.qpc_refused */
	uint64_t iv_clients_refused; /* corr.interval_clients_refused */
	uint64_t tcp_streams_full;   /* tcpdns.streams_full */
	uint64_t tcp_buf_exhausted;  /* tcpdns.buf_exhausted */
};

typedef void (*dnsyn_export_figures_cb)(void *ud, struct dnsyn_export_figures *f);

struct dnsyn_export {
	struct dnsyn_ipfix_exporter *ex;
	dnsyn_export_figures_cb figures;
	void *figures_ud;
	uint64_t intervals, records, errors;
	unsigned int n_targets; /* read by telemetry, which must not touch ex */
	/** Summed over the targets at close, and over the exporters a SIGHUP
	 *  replaced (for the report's export.*). */
	struct dnsyn_ipfix_target_stats sent;
};

/**
 * Open the --ipfix targets of @p conf (none: ex stays NULL and every call
 * below does nothing). 0, or negative with a one-line reason in @p err.
 */
int dnsyn_export_open(struct dnsyn_export *x, const struct dnsyn_conf *conf, char *err,
		      size_t errlen);

/** One complete interval: its port, client and correlation records, then,
 *  when @p det (may be NULL) holds that interval's detection, its alerts and
 *  top DNS clients (addresses through det->priv, as the JSON lines show
 *  them), then the statistics. */
void dnsyn_export_interval(struct dnsyn_export *x, const struct dnsyn_interval *iv,
			   const struct dnsyn_detector *det);

/** Housekeeping: TCP reconnects, template refresh. Call every few ms. */
void dnsyn_export_poll(struct dnsyn_export *x);

/** Last statistics, flush, close; adds what the targets sent to x->sent. */
void dnsyn_export_close(struct dnsyn_export *x);

#endif
