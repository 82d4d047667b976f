/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: replaying a plain pcap file without copying it. The file is
 * mapped (dnsyn_pcapfile.h); each record becomes a header-only mbuf whose
 * buffer is the record's own bytes in the mapping, stamped with its capture
 * time like the pcap PMD stamps its copies. The pcap PMD reads each record
 * with fread into libpcap's buffer and copies it again into an mbuf: that
 * was ~80 % of the RX lcore on a replay (docs/performance.md).
 *
 * The mbufs come from a pool of their own, with no data room: buf_addr is
 * set on every allocation, so a freed one (a direct mbuf, back in this pool
 * only) never carries a stale buffer to anyone else. */
#ifndef DNSYN_FILESRC_H
#define DNSYN_FILESRC_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dnsyn_pcapfile.h"

struct dnsyn_filesrc {
	struct dnsyn_pcapfile file;
	struct rte_mempool *pool;
	int ts_off;         /**< Rx timestamp dynfield (microseconds, as net_pcap) */
	uint64_t ts_flag;
	uint16_t port;      /**< written into m->port */
};

/** Map @p path (dnsyn_pcapfile_open's rules) and make the pool (@p mbufs on
 *  @p socket). 0, -ENOTSUP (not a plain pcap), or -errno with @p err. */
int dnsyn_filesrc_open(struct dnsyn_filesrc *s, const char *path, uint32_t snaplen,
		       unsigned int mbufs, int socket, char *err, size_t errlen);
void dnsyn_filesrc_close(struct dnsyn_filesrc *s);

/** Up to @p n packets, like rte_eth_rx_burst(); 0 at the end of the file
 *  (or when every mbuf is in flight). */
static inline uint16_t
dnsyn_filesrc_burst(struct dnsyn_filesrc *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	if (unlikely(rte_pktmbuf_alloc_bulk(s->pool, pkts, n) != 0)) {
		/* the pool's last few: one at a time */
		for (i = 0; i < n; i++)
			if ((pkts[i] = rte_pktmbuf_alloc(s->pool)) == NULL)
				break;
		n = i;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *data;
		uint32_t len;
		uint64_t ts;

		if (unlikely(!dnsyn_pcapfile_next(&s->file, &data, &len, &ts))) {
			rte_pktmbuf_free_bulk(&pkts[i], n - i);
			return i;
		}
		m->buf_addr = data;
		m->buf_iova = 0; /* nothing DMAs these */
		m->buf_len = (uint16_t)len;
		m->data_off = 0;
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		m->port = s->port;
		m->ol_flags = s->ts_flag;
		*RTE_MBUF_DYNFIELD(m, s->ts_off, uint64_t *) = ts;
	}
	return n;
}

#endif
