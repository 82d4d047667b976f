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
 * only) never carries a stale buffer to anyone else. No record count is
 * needed beforehand: the source says when the file has ended. */
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
	int eof;
};

/** Map @p path (dnsyn_pcapfile_open's rules) and make the pool (@p mbufs on
 *  @p socket). 0, -ENOTSUP (not a plain pcap), or -errno with @p err. */
int dnsyn_filesrc_open(struct dnsyn_filesrc *s, const char *path, uint32_t snaplen,
		       unsigned int mbufs, int socket, char *err, size_t errlen);
void dnsyn_filesrc_close(struct dnsyn_filesrc *s);

/* A record longer than one mbuf can say (64 KiB): a chain, as the pcap PMD
 * hands it over. 0, or -1 when the pool has run short (try again later). */
int dnsyn_filesrc_chain(struct dnsyn_filesrc *s, struct rte_mbuf *m, uint8_t *data, uint32_t len);

/** Up to @p n packets, like rte_eth_rx_burst(); 0 at the end of the file
 *  (dnsyn_filesrc_eof() then says so) or when every mbuf is in flight. */
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
		size_t at = s->file.off;
		uint8_t *data;
		uint32_t len;
		uint64_t ts;

		if (unlikely(!dnsyn_pcapfile_next(&s->file, &data, &len, &ts))) {
			s->eof = 1;
			break;
		}
		m->buf_addr = data;
		m->buf_iova = 0; /* nothing DMAs these */
		m->data_off = 0;
		m->port = RTE_MBUF_PORT_INVALID; /* no port: a file */
		m->ol_flags = s->ts_flag;
		*RTE_MBUF_DYNFIELD(m, s->ts_off, uint64_t *) = ts;
		if (likely(len <= UINT16_MAX)) {
			m->buf_len = (uint16_t)len;
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
		} else if (dnsyn_filesrc_chain(s, m, data, len) < 0) {
			s->file.off = at; /* this record again, next burst */
			break;
		}
	}
	if (i < n)
		rte_pktmbuf_free_bulk(&pkts[i], n - i);
	return i;
}

/** Whether the whole file has been handed over. */
static inline int
dnsyn_filesrc_eof(const struct dnsyn_filesrc *s)
{
	return s->eof;
}

#endif
