/* SPDX-License-Identifier: BSD-3-Clause */
/* The event record: what an RX lcore tells a correlation lcore about one packet
 * (or one reassembled DNS message). Fixed size, one cache line, moved by value
 * through rte_ring (no mbuf ever crosses a ring). */
#ifndef DNSYN_EVENT_H
#define DNSYN_EVENT_H

#include <stdint.h>
#include <string.h>

#include "dnsyn_compiler.h"

enum dnsyn_ev_type {
	DNSYN_EV_NONE = 0,
	DNSYN_EV_QUERY,  /**< DNS message with QR=0 */
	DNSYN_EV_ANSWER, /**< DNS message with QR=1; followed by n_addr ADDR events */
	DNSYN_EV_ADDR,   /**< A or AAAA RRs of the ANSWER just before it: one, or
			  *   with DNSYN_EVF_ADDR_V4N up to 4 A RRs */
	DNSYN_EV_SYN,    /**< TCP SYN set, ACK clear */
	DNSYN_EV_SYNACK, /**< TCP SYN and ACK set */
	DNSYN_EV_MAX
};

/* ev->flags */
#define DNSYN_EVF_TCP 0x01   /**< DNS message came over TCP */
#define DNSYN_EVF_TC 0x02    /**< DNS TC bit */
#define DNSYN_EVF_REASM 0x04 /**< carried by a reassembled IP datagram */
#define DNSYN_EVF_V6 0x08    /**< src/dst are IPv6 (else v4-mapped IPv4) */
#define DNSYN_EVF_ADDR_V6 0x10 /**< ADDR: the RR is AAAA (else A) */
#define DNSYN_EVF_TRUNC_ADDRS 0x20 /**< ANSWER: more addresses than events sent */
/** ADDR: u.addr.n_v4 IPv4 addresses (1..DNSYN_EV_V4N_MAX), 4 bytes each, in
 *  dst (the answer's order). Only with one correlation shard (the shard of
 *  an ADDR is its address's); else every address has its own event. Half
 *  the events of an answer flood, for both lcores. */
#define DNSYN_EVF_ADDR_V4N 0x40
#define DNSYN_EV_V4N_MAX 4

/**
 * Addresses are 16 bytes; IPv4 is stored v4-mapped (::ffff:a.b.c.d) so every
 * table keys on one form.
 *
 * For DNS events src/dst are the IP source/destination of the DNS packet
 * (a response's client is its dst). For ADDR, dst is the RR address (or with
 * DNSYN_EVF_ADDR_V4N up to four IPv4 addresses) and src the answer's client
 * (IP destination of the response); with ts_ns and u.addr it stands on its
 * own, so a shard holding it needs no other event of the answer.
 */
struct dnsyn_event {
	uint64_t ts_ns;  /**< packet time, ns since the epoch (replay) or boot (live) */
	uint8_t type;    /**< enum dnsyn_ev_type */
	uint8_t flags;   /**< DNSYN_EVF_* */
	uint8_t rcode;   /**< ANSWER: header RCODE (4 bits) */
	uint8_t queue;   /**< ring (RX queue) that carried it, among all rings */
	uint16_t sport;
	uint16_t dport;
	union {
		struct {
			uint16_t qtype;
			uint16_t n_a;     /**< A RRs (ANSWER section, CLASS IN, RDLENGTH 4) */
			uint16_t n_aaaa;  /**< AAAA RRs, same rules */
			uint16_t n_cname; /**< CNAME RRs in the ANSWER section */
			uint32_t ttl_min; /**< minimum TTL over A/AAAA RRs, UINT32_MAX if none */
		} dns;
		struct {
			uint16_t qtype;     /**< = dns.qtype */
			uint16_t pad[3];
			/** QUERY: dnsyn_dns_name_hash() of the question name (0:
			 *  none), for the clients' distinct names. */
			uint32_t name_hash;
		} query;
		struct {
			uint32_t seq; /**< ISN */
		} tcp;
		struct {
			/** The answer it belongs to: its queue's count of answers
			 *  with addresses (wraps; unique far beyond any window).
			 *  With ev->queue, names the answer in every shard. */
			uint32_t answer;
			uint32_t ttl; /**< the answer's ttl_min */
			uint16_t n_v4; /**< with DNSYN_EVF_ADDR_V4N: addresses in dst */
		} addr;
		uint8_t raw[12];
	} u;
	uint8_t src[16];
	uint8_t dst[16];
	/** The event's place in its queue (wraps): with (ts_ns, queue) it orders
	 *  events of different shards exactly as one merged stream would. */
	uint32_t seq;
};

_Static_assert(sizeof(struct dnsyn_event) == DNSYN_CACHE_LINE, "event is one cache line");
_Static_assert(sizeof(struct dnsyn_event) % 4 == 0, "rte_ring elem size");

static inline int
dnsyn_addr_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	/* memcmp, not word loads: callers' addresses need not be aligned (the
	 * compiler turns it into the same two loads) */
	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/**
 * Correlation shard of an event among @p n_shards: SYNs and A/AAAA addresses by
 * the address they are about (a SYN's destination meets the answers naming it
 * in one shard), the rest by client, so per-client tables split cleanly.
 */
static inline unsigned int
dnsyn_event_shard(const struct dnsyn_event *ev, unsigned int n_shards)
{
	const uint8_t *k;
	uint64_t x, y;

	if (n_shards <= 1)
		return 0;
	k = ev->type == DNSYN_EV_SYN || ev->type == DNSYN_EV_ADDR || ev->type == DNSYN_EV_ANSWER
		    ? ev->dst
		    : ev->src;
	memcpy(&x, k, 8);
	memcpy(&y, k + 8, 8);
	x ^= y * 0x9e3779b97f4a7c15ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return (unsigned int)(((x & 0xffffffffu) * n_shards) >> 32);
}

#endif
