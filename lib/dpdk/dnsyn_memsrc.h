/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane + fast path: traffic already in memory, for measuring what
 * dnsyn itself costs per packet (issue 6, scripts/bench). A capture is read
 * once into an image, each packet starting on a cache line as a NIC's DMA
 * puts it; a small set of header-only mbufs goes round a net_ring port
 * (rte_eth_from_ring()), like the mbufs of a NIC's RX ring. The RX lcore
 * receives them like any port's, and instead of freeing a burst hands it
 * back: each mbuf is pointed at the next packet of the image and put back on
 * the ring. That is the work a NIC's PMD does for a packet (fill in the
 * mbuf); no file read, no copy: what is left is dnsyn's own work.
 *
 * Why a few mbufs and not one per packet: a NIC's mbufs stay in cache while
 * the packets stream through. One mbuf per packet of a 1 M-packet file made
 * every mbuf header a cache miss, which no NIC costs.
 *
 * A NIC delivers fresh bytes each time; here every lap hands over the
 * same bytes, so the packets the pipeline keeps and rewrites (IP fragments,
 * whose headers reassembly edits in place) are copied into the mbuf's own
 * room instead: the image stays as read.
 *
 * Each lap replays the file's packet times shifted by (span + gap), so the
 * laps are the file replayed back to back in packet time; with a gap longer
 * than the match window no answer of one lap matches a SYN of the next. */
#ifndef DNSYN_MEMSRC_H
#define DNSYN_MEMSRC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "dnsyn_replay.h"

/** Mbufs going round: a NIC RX ring's worth. Their headers stay in cache. */
#define DNSYN_MEMSRC_MBUFS 2048u

/** Where a packet lies in the image, and its capture time. */
struct dnsyn_memsrc_rec {
	uint64_t us;   /**< capture time, microseconds */
	uint32_t line; /**< its first byte: image + line * 64 */
	uint16_t len;  /**< captured bytes */
	uint16_t kept; /**< an IP fragment: the pipeline keeps and rewrites it */
};

struct dnsyn_memsrc {
	uint16_t port;                 /**< the net_ring port */
	int ts_off;                    /**< Rx timestamp dynfield */
	uint64_t ts_flag;              /**< and its ol_flags bit */
	struct rte_ring *ring;         /**< its RX (and TX) ring: the mbufs go round it */
	struct rte_mempool *pool;      /**< the mbufs going round, and spares */
	const struct dnsyn_memsrc_rec *rec; /**< one per packet, in file order */
	uint8_t *image;                /**< the packets' bytes */
	/** Each mbuf's own room for a fragment's bytes (NULL: the file has
	 *  no fragment); an mbuf's is at the address in its private area. */
	uint8_t *own;
	size_t own_len;
	rte_iova_t image_iova;
	uint64_t packets;              /**< in the file */
	uint64_t lap_us;               /**< packet time a lap adds */
	/* Where the replay is: written by the RX lcore alone. */
	uint64_t left;                 /**< packets still to hand over, all laps */
	uint64_t next;                 /**< the next packet's index in rec */
	uint64_t lap_add_us;           /**< packet time the current lap adds */
	uint64_t owed;                 /**< mbufs the pipeline kept, not yet replaced */
	struct rte_mbuf_ext_shared_info shinfo; /**< every mbuf's: its callback does nothing */
};

/** DPDK memory (MiB) the source of @p packets records totalling @p bytes
 *  takes, with @p held spare mbufs: the mbufs, the ring, each packet's
 *  bytes rounded to a cache line, its record, and some slack. */
static inline unsigned int
dnsyn_memsrc_mem_mb(uint64_t packets, uint64_t bytes, uint64_t held)
{
	return (unsigned int)(((DNSYN_MEMSRC_MBUFS + held) * (256 + 16) + packets * (64 + 16) +
			       bytes) >> 20) + 64;
}

/**
 * Load @p f (scanned by dnsyn_replay_scan()) into an image on @p socket and
 * make the port, which hands over @p laps times the file's packets. Each
 * mbuf carries the capture time in the Rx timestamp dynfield (microseconds,
 * as the pcap PMD stores it). @p gap_us: packet time between a lap's last
 * packet and the next lap's first. @p held: how many mbufs the pipeline may
 * keep at once (fragments awaiting reassembly); as many spares are made, so
 * that the mbufs going round never run out. 0, or -errno with a one-line
 * message in @p err.
 */
int dnsyn_memsrc_create(struct dnsyn_memsrc *s, const struct dnsyn_replay_file *f, uint64_t laps,
			uint64_t gap_us, uint64_t held, int socket, char *err, size_t errlen);

/* Point @p m at the next packet (a NIC's PMD filling in an mbuf). */
static inline void
dnsyn_memsrc_load(struct dnsyn_memsrc *s, struct rte_mbuf *m)
{
	const struct dnsyn_memsrc_rec *r = &s->rec[s->next];
	size_t off = (size_t)r->line << 6;
	uint8_t *buf = s->image + off;
	rte_iova_t iova = s->image_iova + off;

	if (unlikely(r->kept)) { /* the pipeline may rewrite it: its own copy */
		buf = memcpy(*(uint8_t **)rte_mbuf_to_priv(m), buf, r->len);
		iova = 0; /* nothing DMAs it */
	}
	m->buf_addr = buf;
	m->buf_iova = iova;
	m->data_off = 0;
	m->buf_len = r->len;
	m->data_len = r->len;
	m->pkt_len = r->len;
	*RTE_MBUF_DYNFIELD(m, s->ts_off, uint64_t *) = r->us + s->lap_add_us;
	s->left--;
	if (unlikely(++s->next == s->packets)) {
		s->next = 0;
		s->lap_add_us += s->lap_us;
	}
}

/* Replace mbufs the pipeline kept, from the spares (rare: fragments). */
void dnsyn_memsrc_repay(struct dnsyn_memsrc *s);

/** Hand a processed burst of @p n packets back, @p m[0..nf) the mbufs the
 *  pipeline did not keep: each goes round again with the next packet, and
 *  the kept ones are replaced. Replaces rte_pktmbuf_free_bulk() for a memsrc
 *  queue; called by its RX lcore only. */
static inline void
dnsyn_memsrc_recycle(struct dnsyn_memsrc *s, struct rte_mbuf **m, unsigned int nf,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < nf && s->left; i++)
		dnsyn_memsrc_load(s, m[i]);
	if (i < nf) /* the last lap is handed over: these are done */
		rte_pktmbuf_free_bulk(&m[i], nf - i);
	/* The ring can hold every mbuf there is: always room. */
	if (i)
		rte_ring_enqueue_burst(s->ring, (void **)m, i, NULL);
	s->owed += n - nf;
	if (unlikely(s->owed))
		dnsyn_memsrc_repay(s);
}

void dnsyn_memsrc_free(struct dnsyn_memsrc *s);

#endif
