/* SPDX-License-Identifier: BSD-3-Clause */
/* Main lcore: adds up the shards' parts of each interval and writes it. */
#ifndef DNSYN_IVOUT_H
#define DNSYN_IVOUT_H

#include <stdio.h>

#include "dnsyn_app.h"
#include "dnsyn_privacy.h"

/** Intervals held open for the shards, at most (about 1 MB each, for the
 *  per-port arrays, allocated when first needed). A shard whose part finds no
 *  room waits: it is ahead of another, which lets the oldest out. */
#define DNSYN_IVOUT_ACC 16
/** ... and for the resolver, which cannot wait; past it the oldest interval
 *  is written before all its parts came (counted in early). */
#define DNSYN_IVOUT_ACC_MAX 64

struct dnsyn_ivout {
	FILE *f;
	struct dnsyn_iv_handoff *h[DNSYN_MAX_SHARDS]; /**< one per shard */
	unsigned int n_stages;
	uint8_t key_client; /**< --key client: no dst-only figures */
	/** Also handed every written interval, or NULL: @p iv as counted (for
	 *  detection), @p shown as outputs show it (IPFIX export; the same
	 *  pointer without privacy options). */
	void (*sink)(void *ud, const struct dnsyn_interval *iv, const struct dnsyn_interval *shown);
	void *sink_ud;
	struct dnsyn_interval acc[DNSYN_IVOUT_ACC_MAX];
	int used[DNSYN_IVOUT_ACC_MAX];
	unsigned int n_acc;      /**< acc[0..n_acc) allocated */
	uint32_t len_s, max_clients;
	struct dnsyn_interval res_buf; /**< the resolver fills this one */
	const struct dnsyn_privacy *priv; /**< NULL, or what outputs show of clients */
	struct dnsyn_interval shown;   /**< with priv: the interval as written */
	uint64_t written;
	uint64_t last_start;
	uint64_t late;   /**< parts of an interval already written (written apart) */
	uint64_t early;  /**< intervals written before every stage was past them */
	uint64_t deferred; /**< times a shard's part had to wait for room */
	/** Events of clients the written intervals had no client record for
	 *  (past DNSYN_IV_CLIENTS_MAX clients): missing from the IPFIX client
	 *  records and from detection, so they are counted. */
	uint64_t clients_refused;
	unsigned int peak_open; /**< most intervals open at once */
	uint64_t errors; /**< write errors */
};

/** @p f: the JSON-lines file, or NULL for none (a sink only). @p priv: NULL,
 *  or the privacy options every written interval goes through first. */
int dnsyn_ivout_init(struct dnsyn_ivout *o, FILE *f, uint32_t len_s, uint32_t max_clients,
		     const struct dnsyn_privacy *priv);
void dnsyn_ivout_fini(struct dnsyn_ivout *o);

/** dnsyn_interval_cb of the resolver (ud: the ivout). */
struct dnsyn_interval *dnsyn_ivout_resolver_cb(void *ud, struct dnsyn_interval *done);

/**
 * Take the parts the shards handed over and write every interval that all
 * stages are past; @p resolver_done is the resolver's interval clock
 * (UINT64_MAX without one, or at the end).
 */
void dnsyn_ivout_poll(struct dnsyn_ivout *o, uint64_t resolver_done);

#endif
