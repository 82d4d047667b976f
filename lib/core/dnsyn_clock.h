/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet time from a NIC's own clock: a device timestamp (ticks of a clock
 * whose rate the device does not state) mapped onto wall-clock nanoseconds
 * by a line fitted at start. Pure, so the arithmetic is unit-tested without
 * a NIC; the fast path pays one 64x64->128 multiply per packet, no division. */
#ifndef DNSYN_CLOCK_H
#define DNSYN_CLOCK_H

#include <stdint.h>

#define DNSYN_CLOCK_SHIFT 32

__extension__ typedef unsigned __int128 dnsyn_u128;

struct dnsyn_clock_map {
	uint64_t dev0;  /**< device ticks at the calibration's start */
	uint64_t ns0;   /**< wall-clock ns at the same moment */
	uint64_t mult;  /**< ns per tick << DNSYN_CLOCK_SHIFT */
};

/**
 * Fit the map from two readings of the device clock and of the wall clock,
 * taken together: (@p dev_a, @p ns_a) then (@p dev_b, @p ns_b). 0, or -1
 * when they cannot define a rate (the device clock did not advance, or went
 * back, or the rate is outside 1 kHz .. 100 GHz).
 */
static inline int
dnsyn_clock_fit(struct dnsyn_clock_map *m, uint64_t dev_a, uint64_t ns_a, uint64_t dev_b,
		uint64_t ns_b)
{
	uint64_t dt = dev_b - dev_a, dn = ns_b - ns_a;
	dnsyn_u128 mult;

	if (dev_b <= dev_a || ns_b <= ns_a)
		return -1;
	mult = ((dnsyn_u128)dn << DNSYN_CLOCK_SHIFT) / dt;
	/* 1 kHz: 1e6 ns a tick; 100 GHz: 0.01 ns a tick */
	if (mult > ((dnsyn_u128)1000000 << DNSYN_CLOCK_SHIFT) ||
	    mult < (((dnsyn_u128)1 << DNSYN_CLOCK_SHIFT) / 100))
		return -1;
	m->dev0 = dev_a;
	m->ns0 = ns_a;
	m->mult = (uint64_t)mult;
	return 0;
}

/** Wall-clock ns of device time @p dev (ticks before dev0 map before ns0). */
static inline uint64_t
dnsyn_clock_ns(const struct dnsyn_clock_map *m, uint64_t dev)
{
	if (dev >= m->dev0)
		return m->ns0 + (uint64_t)(((dnsyn_u128)(dev - m->dev0) * m->mult) >>
					   DNSYN_CLOCK_SHIFT);
	return m->ns0 - (uint64_t)(((dnsyn_u128)(m->dev0 - dev) * m->mult) >>
				   DNSYN_CLOCK_SHIFT);
}

#endif
