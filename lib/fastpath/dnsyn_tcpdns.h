/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: DNS-over-TCP reassembly (RFC 1035 §4.2.2, RFC 7766), one instance
 * per RX lcore. Per-direction streams cut at the 2-byte length prefix; a
 * sequence gap drops the partial message and resynchronises (no out-of-order
 * buffering). Bounded state: a fixed stream table and a fixed pool of message
 * buffers, both sized at init. Pure: no DPDK, no clock, no allocation after init. */
#ifndef DNSYN_TCPDNS_H
#define DNSYN_TCPDNS_H

#include <stddef.h>
#include <stdint.h>

struct dnsyn_tcpdns_cfg {
	uint32_t max_streams; /**< stream slots (rounded up to a power of two) */
	uint32_t max_bufs;    /**< 64 KiB message buffers shared by all streams */
	uint64_t idle_ns;     /**< a stream idle this long may be reclaimed */
};

/** One direction of a TCP connection. Addresses v4-mapped for IPv4. */
struct dnsyn_tcpdns_key {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

#define DNSYN_TCPDNS_STATS(X)                                                  \
	X(segments, "port-53 TCP segments fed")                                  \
	X(messages, "complete DNS messages delivered")                          \
	X(streams_new, "streams created")                                        \
	X(streams_full, "segments dropped: stream table full")                  \
	X(streams_expired, "idle streams reclaimed")                             \
	X(streams_closed, "streams closed by FIN/RST")                           \
	X(gaps, "sequence gaps (partial message dropped, stream resynchronised)")\
	X(gap_bytes_lost, "bytes of partial messages dropped at gaps")          \
	X(dup_segments, "segments wholly before the expected sequence")          \
	X(buf_exhausted, "messages dropped: no free message buffer")            \
	X(short_messages, "messages with length prefix < 12 (not DNS)")

struct dnsyn_tcpdns_stats {
#define DNSYN_TCPDNS_FIELD(name, help) uint64_t name;
	DNSYN_TCPDNS_STATS(DNSYN_TCPDNS_FIELD)
#undef DNSYN_TCPDNS_FIELD
};

/**
 * Called once per complete DNS message (length prefix removed). @p msg points
 * either into the segment's payload or into a stream buffer, valid only during
 * the call. Messages shorter than 12 bytes are counted (short_messages), not
 * delivered.
 */
typedef void (*dnsyn_tcpdns_msg_cb)(void *ud, const struct dnsyn_tcpdns_key *key,
				    const uint8_t *msg, uint32_t len);

struct dnsyn_tcpdns;

/** Bytes of memory dnsyn_tcpdns_init() needs for @p cfg (0 if cfg invalid). */
size_t dnsyn_tcpdns_memsize(const struct dnsyn_tcpdns_cfg *cfg);

/**
 * Lay out a reassembler in caller-provided memory of dnsyn_tcpdns_memsize()
 * bytes, 64-byte aligned. Returns NULL if cfg is invalid.
 */
struct dnsyn_tcpdns *dnsyn_tcpdns_init(void *mem, const struct dnsyn_tcpdns_cfg *cfg);

/**
 * Feed one TCP segment of a port-53 flow direction.
 *
 * @param seq       TCP sequence number of the segment
 * @param tcp_flags TCP flags byte (SYN consumes one sequence number; FIN/RST
 *                  close the direction after its payload)
 * @param payload   segment payload, @p len bytes (may be 0)
 * @param now_ns    packet time, used for idle expiry only
 * @return number of messages delivered through @p cb
 */
int dnsyn_tcpdns_segment(struct dnsyn_tcpdns *t, const struct dnsyn_tcpdns_key *key,
			 uint32_t seq, uint8_t tcp_flags, const uint8_t *payload, uint32_t len,
			 uint64_t now_ns, dnsyn_tcpdns_msg_cb cb, void *ud);

/**
 * Reclaim at most @p budget idle streams, looking at no more than
 * 256 x @p budget slots (and one lap) from where the previous call stopped, so
 * a call costs the same for any table size; an idle stream is found within
 * slots / (256 x budget) calls. Returns how many were reclaimed.
 */
unsigned int dnsyn_tcpdns_expire(struct dnsyn_tcpdns *t, uint64_t now_ns, unsigned int budget);

/** Streams currently held. */
uint32_t dnsyn_tcpdns_active(const struct dnsyn_tcpdns *t);

const struct dnsyn_tcpdns_stats *dnsyn_tcpdns_stats_get(const struct dnsyn_tcpdns *t);

#endif
