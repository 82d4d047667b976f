/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane + fast path: a classic pcap file mapped into memory and walked
 * record by record, for the replay source that hands dnsyn the file's own
 * bytes (dnsyn_filesrc.h) and for counting records. Only the plain format
 * (magic a1b2c3d4 / a1b23c4d, either byte order, version 2.4); anything else
 * is left to libpcap and the pcap PMD. Records are what libpcap 1.10 makes of
 * them: one longer than the snapshot length is cut to it, one longer than
 * 262144 bytes (libpcap's bound for the link types dnsyn reads) ends the
 * file as an error. No DPDK here. */
#ifndef DNSYN_PCAPFILE_H
#define DNSYN_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct dnsyn_pcapfile {
	uint8_t *base;      /**< the mapping (private, writable: reassembly writes) */
	size_t size;
	size_t off;         /**< the next record */
	int swapped;        /**< written on a host of the other byte order */
	uint32_t frac_div;  /**< 1 (microseconds) or 1000 (nanoseconds) */
	uint32_t snaplen;
};

/**
 * Map @p path and check its header. @p snaplen: the snapshot length libpcap
 * applies to it (pcap_snapshot()). 0; -ENOTSUP when it is not a plain pcap
 * (pcapng, another version: use libpcap); -errno with a message in @p err.
 */
int dnsyn_pcapfile_open(struct dnsyn_pcapfile *f, const char *path, uint32_t snaplen, char *err,
			size_t errlen);
void dnsyn_pcapfile_close(struct dnsyn_pcapfile *f);

#define DNSYN_PCAPFILE_MAX_CAPLEN 262144u

/** Counts the records (as dnsyn_pcapfile_next() hands them over). */
struct dnsyn_pcapfile_scan {
	uint64_t packets;
	uint64_t bytes;
	uint32_t max_caplen;
	int truncated;      /**< the file ends inside a record, or in one libpcap refuses */
};
void dnsyn_pcapfile_scan(struct dnsyn_pcapfile *f, struct dnsyn_pcapfile_scan *out);

static inline uint32_t
dnsyn_pcapfile_u32(const struct dnsyn_pcapfile *f, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return f->swapped ? __builtin_bswap32(v) : v;
}

/**
 * The next record: its bytes (inside the mapping), length (cut to the
 * snapshot length, as libpcap does) and capture time in microseconds
 * (libpcap's default precision). 1, or 0 at the end of the file, of its last
 * whole record, or at a record libpcap refuses (then f->off < f->size).
 */
static inline int
dnsyn_pcapfile_next(struct dnsyn_pcapfile *f, uint8_t **data, uint32_t *caplen, uint64_t *ts_us)
{
	const uint8_t *h = f->base + f->off;
	uint32_t len;

	if (f->size - f->off < 16)
		return 0;
	len = dnsyn_pcapfile_u32(f, h + 8);
	if (f->size - f->off - 16 < len || len > DNSYN_PCAPFILE_MAX_CAPLEN)
		return 0;
	*ts_us = (uint64_t)dnsyn_pcapfile_u32(f, h) * 1000000u +
		 dnsyn_pcapfile_u32(f, h + 4) / f->frac_div;
	*caplen = len <= f->snaplen ? len : f->snaplen;
	*data = f->base + f->off + 16;
	f->off += 16 + (size_t)len;
	return 1;
}

/** Whether the walk stopped before the end of the file (a cut or refused
 *  record: libpcap reports an error there). */
static inline int
dnsyn_pcapfile_truncated(const struct dnsyn_pcapfile *f)
{
	return f->off != f->size;
}

#endif
