/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane + fast path: traffic already in memory, for measuring what
 * dnsyn itself costs per packet (issue 6, scripts/bench). A capture is read
 * once into mbufs, which go round a net_ring port (rte_eth_from_ring()):
 * the RX lcore receives them like any port's, and instead of freeing a
 * burst it puts it back on the ring for the next lap, its capture time moved
 * on by a lap. No file read, no copy: what is left is dnsyn's own work.
 *
 * Each lap replays the file's packet times shifted by (span + gap), so the
 * laps are the file replayed back to back in packet time; with a gap longer
 * than the match window no answer of one lap matches a SYN of the next. */
#ifndef DNSYN_MEMSRC_H
#define DNSYN_MEMSRC_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "dnsyn_replay.h"

struct dnsyn_memsrc {
	uint16_t port;            /**< the net_ring port */
	struct rte_ring *ring;    /**< its RX (and TX) ring: the laps go round it */
	struct rte_mempool *pool; /**< one mbuf a packet */
	uint64_t lap_us;          /**< packet time a lap adds (timestamps are in us) */
	int ts_off;               /**< Rx timestamp dynfield */
	int left_off;             /**< laps an mbuf still has to go (uint32 dynfield) */
	uint8_t *image;           /**< the packets' bytes, each mbuf attached to its own */
};

/** DPDK memory (MiB) the source of @p packets records totalling @p bytes
 *  takes: an mbuf header, a ring slot and the bytes with the external
 *  buffer's shared info each, and some slack. */
static inline unsigned int
dnsyn_memsrc_mem_mb(uint64_t packets, uint64_t bytes)
{
	return (unsigned int)((packets * (256 + 8 + 48) + bytes) >> 20) + 64;
}

/**
 * Load @p f (scanned by dnsyn_replay_scan()) into mbufs on @p socket and make
 * the port. Each mbuf carries the capture time in the Rx timestamp dynfield
 * (microseconds, as the pcap PMD stores it). @p gap_us: packet time between
 * a lap's last packet and the next lap's first. 0, or -errno with a one-line
 * message in @p err.
 */
int dnsyn_memsrc_create(struct dnsyn_memsrc *s, const struct dnsyn_replay_file *f, uint64_t laps,
			uint64_t gap_us, int socket, char *err, size_t errlen);

/** Laps @p m has still to go after this one (read it before the pipeline
 *  may keep the mbuf: a kept one does not come round again). */
static inline uint32_t
dnsyn_memsrc_left(const struct dnsyn_memsrc *s, const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, s->left_off, const uint32_t *);
}

/** Put a processed burst back for its next lap; mbufs on their last lap are
 *  freed. Replaces rte_pktmbuf_free_bulk() for a memsrc queue. */
static inline void
dnsyn_memsrc_recycle(const struct dnsyn_memsrc *s, struct rte_mbuf **m, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		uint32_t *left = RTE_MBUF_DYNFIELD(m[i], s->left_off, uint32_t *);

		if (unlikely(*left == 0)) { /* its last lap: once per packet */
			rte_pktmbuf_free(m[i]);
			continue;
		}
		(*left)--;
		*RTE_MBUF_DYNFIELD(m[i], s->ts_off, uint64_t *) += s->lap_us;
		m[k++] = m[i];
	}
	/* The ring can hold every mbuf there is: always room. */
	if (k)
		rte_ring_enqueue_burst(s->ring, (void **)m, k, NULL);
}

void dnsyn_memsrc_free(struct dnsyn_memsrc *s);

#endif
