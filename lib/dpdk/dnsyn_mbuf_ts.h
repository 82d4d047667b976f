/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: packet time of an mbuf. The pcap PMD (DPDK 22.11) stores the
 * capture time in the Rx timestamp dynfield in *microseconds*; NICs with the
 * RX timestamp offload store ticks of their own clock; other live ports get
 * TSC time. The source is chosen per queue at start, not per packet. */
#ifndef DNSYN_MBUF_TS_H
#define DNSYN_MBUF_TS_H

#include <stdint.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dnsyn_clock.h"

struct dnsyn_ts {
	int dyn_off;         /**< timestamp dynfield offset, -1 if none */
	uint64_t dyn_flag;   /**< RTE_MBUF_DYNFLAG_RX_TIMESTAMP mask */
	uint64_t dyn_mult;   /**< dynfield unit -> ns (1000 for the 22.11 pcap PMD) */
	uint64_t tsc_hz;
	uint64_t tsc_base;   /**< TSC at start */
	uint64_t ns_base;    /**< ns at start (CLOCK_REALTIME) */
};

/** Look up the dynfield (after ports started). @p dyn_mult: ns per unit. */
void dnsyn_ts_init(struct dnsyn_ts *t, uint64_t dyn_mult);

static inline uint64_t
dnsyn_ts_tsc_ns(const struct dnsyn_ts *t, uint64_t tsc)
{
	uint64_t d = tsc - t->tsc_base;

	return t->ns_base + (d / t->tsc_hz) * 1000000000ULL + (d % t->tsc_hz) * 1000000000ULL / t->tsc_hz;
}

/** Where a queue's packet time comes from. */
enum dnsyn_ts_src {
	DNSYN_TS_TSC,    /**< arrival: TSC time per burst (live ports without HW stamps) */
	DNSYN_TS_DYN,    /**< the dynfield in dyn_mult units (the pcap PMD's capture time) */
	DNSYN_TS_DEVICE, /**< the dynfield in NIC clock ticks, mapped by a dnsyn_clock_map */
};

/** Packet time in ns: from the dynfield when the queue's source says so and
 *  the PMD set it on this mbuf, else @p now_ns (TSC, per burst). */
static inline uint64_t
dnsyn_mbuf_ts_ns(const struct dnsyn_ts *t, uint8_t src, const struct dnsyn_clock_map *clk,
		 const struct rte_mbuf *m, uint64_t now_ns)
{
	uint64_t v;

	if (src == DNSYN_TS_TSC || t->dyn_off < 0 || !(m->ol_flags & t->dyn_flag))
		return now_ns;
	v = *RTE_MBUF_DYNFIELD(m, t->dyn_off, const uint64_t *);
	return src == DNSYN_TS_DEVICE ? dnsyn_clock_ns(clk, v) : v * t->dyn_mult;
}

#endif
