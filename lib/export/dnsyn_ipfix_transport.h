/* SPDX-License-Identifier: BSD-3-Clause */
/* Export side, pure POSIX: IPFIX exporting to collectors over UDP and TCP and
 * to RFC 5655 files, several at once behind one exporter. Meant for a
 * control-plane thread: nothing here blocks for long (non-blocking sockets, a
 * bounded TCP queue), a dead or slow collector costs counted drops, never a
 * wait. Not thread-safe: one thread owns an exporter. */
#ifndef DNSYN_IPFIX_TRANSPORT_H
#define DNSYN_IPFIX_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dnsyn_ipfix.h"

enum dnsyn_ipfix_proto {
	DNSYN_IPFIX_UDP,
	DNSYN_IPFIX_TCP,
	DNSYN_IPFIX_FILE,
};

#define DNSYN_IPFIX_HOST_MAX 256
#define DNSYN_IPFIX_PATH_MAX 4096

/** A parsed target string. */
struct dnsyn_ipfix_target {
	enum dnsyn_ipfix_proto proto;
	char host[DNSYN_IPFIX_HOST_MAX]; /**< udp/tcp: name or literal, no brackets */
	uint16_t port;                   /**< udp/tcp */
	char path[DNSYN_IPFIX_PATH_MAX]; /**< file */
};

/**
 * Parse "udp:HOST[:PORT]", "tcp:HOST[:PORT]" (default port 4739; IPv6
 * literals in brackets, "udp:[::1]:4739") or "file:PATH".
 * @return 0, or -EINVAL with a one-line reason in @p err
 */
int dnsyn_ipfix_target_parse(const char *s, struct dnsyn_ipfix_target *t, char *err,
			     size_t errlen);

struct dnsyn_ipfix_conf {
	uint32_t pen;            /**< enterprise number of dnsyn's IEs (32473) */
	uint32_t odid;           /**< observation domain of the data records (1) */
	uint32_t exporter_id;    /**< exportingProcessId in the reliability record (1) */
	uint16_t mtu;            /**< message size bound (1400) */
	uint32_t refresh_s;      /**< UDP: templates resent every so many s (60) */
	uint32_t refresh_msgs;   /**< UDP: ... and every so many messages (1000, 0 = off) */
	uint32_t backoff_min_ms; /**< TCP reconnect back-off, doubling (250) ... */
	uint32_t backoff_max_ms; /**< ... up to this (30000) */
	uint32_t tcp_queue;      /**< octets queued per TCP collector (262144) */
	/** Wall clock in Unix ms (export time, timers); NULL = CLOCK_REALTIME.
	 * Tests set it to drive refreshes and back-off. */
	uint64_t (*clock_ms)(void *ud);
	void *clock_ud;
};

void dnsyn_ipfix_conf_default(struct dnsyn_ipfix_conf *c);

/** What one target did, since the exporter was created. */
struct dnsyn_ipfix_target_stats {
	uint64_t messages, records, octets; /**< handed to the kernel / written */
	uint64_t not_sent;                  /**< data records that were not */
	uint64_t messages_not_sent;
	uint64_t template_sends;            /**< template bursts (each: both domains) */
	uint64_t connects, disconnects;     /**< TCP */
	uint64_t first_drop_ms, last_drop_ms;
	uint64_t truncated;                 /**< query names cut to fit the MTU */
	int up;                             /**< UDP/file: 1; TCP: connected */
};

struct dnsyn_ipfix_exporter;

/**
 * Open every target (@p n strings as for dnsyn_ipfix_target_parse). Names
 * are resolved here, once. A TCP collector that is down is not an error: the
 * exporter keeps trying. UDP and file targets get their templates now.
 * @return 0, or a negative errno with a one-line reason in @p err
 */
int dnsyn_ipfix_exporter_create(struct dnsyn_ipfix_exporter **ret,
				const struct dnsyn_ipfix_conf *conf, const char *const *targets,
				unsigned int n, char *err, size_t errlen);
/** Flush and close everything. NULL is fine. */
void dnsyn_ipfix_exporter_destroy(struct dnsyn_ipfix_exporter *ex);

/* Queue one record in the data domain's current message; a full message goes
 * out first. 0, or -EMSGSIZE (cannot happen with a valid MTU). */
int dnsyn_ipfix_export_corr(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_corr_rec *r);
int dnsyn_ipfix_export_port(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_port_rec *r);
int dnsyn_ipfix_export_client(struct dnsyn_ipfix_exporter *ex,
			      const struct dnsyn_ipfix_client_rec *r);
int dnsyn_ipfix_export_alert(struct dnsyn_ipfix_exporter *ex,
			     const struct dnsyn_ipfix_alert_rec *r);
int dnsyn_ipfix_export_top(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_top_rec *r);

/**
 * Send the statistics in observation domain 0: @p meter and @p counters (NULL
 * to leave out; their odid is set to the data domain), and each target's own
 * exporting-process reliability (what it could not send so far). Flushes the
 * data records first.
 */
void dnsyn_ipfix_export_stats(struct dnsyn_ipfix_exporter *ex,
			      const struct dnsyn_ipfix_meter_stats *meter,
			      const struct dnsyn_ipfix_counters *counters);

/** Send the current data message, if any. */
void dnsyn_ipfix_exporter_flush(struct dnsyn_ipfix_exporter *ex);

/**
 * Housekeeping, call often (every 100 ms or so): TCP connect completion,
 * closed connections, reconnects after back-off, draining TCP queues, UDP
 * template refresh on time.
 */
void dnsyn_ipfix_exporter_poll(struct dnsyn_ipfix_exporter *ex);

unsigned int dnsyn_ipfix_exporter_n_targets(const struct dnsyn_ipfix_exporter *ex);
void dnsyn_ipfix_exporter_target_stats(const struct dnsyn_ipfix_exporter *ex, unsigned int i,
				       struct dnsyn_ipfix_target_stats *out);
/** The UDP source port of target @p i (fixed for the exporter's life), or 0. */
uint16_t dnsyn_ipfix_exporter_local_port(const struct dnsyn_ipfix_exporter *ex, unsigned int i);

#endif
