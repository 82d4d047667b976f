/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the app's lcore roles: contexts and counters. Each context is
 * written by its own lcore only; others read it after the lcore finished or
 * with relaxed atomic loads. */
#ifndef DNSYN_APP_H
#define DNSYN_APP_H

#include <stdint.h>

#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dnsyn_compiler.h"
#include "dnsyn_conf.h"
#include "dnsyn_dns.h"
#include "dnsyn_event.h"
#include "dnsyn_namelog.h"
#include "dnsyn_mbuf_ts.h"
#include "dnsyn_filesrc.h"
#include "dnsyn_memsrc.h"
#include "dnsyn_paper.h"
#include "dnsyn_resolve.h"
#include "dnsyn_pkt.h"
#include "dnsyn_tcpdns.h"

#define DNSYN_MAX_RXQ_PER_LCORE 16
#define DNSYN_MAX_RX_LCORES 64
/** RX queues in all (each has one event ring per correlation shard). */
#define DNSYN_MAX_RINGS 128
#define DNSYN_BURST_MAX 512
#define DNSYN_EV_BUF 1024
#define DNSYN_PREFETCH_OFS 3
/** Longest frame or reassembled datagram handled (IPv4/IPv6 max + headers). */
#define DNSYN_SCRATCH_LEN (65535 + 256)

/* RX lcore counters: group, name, help. Each packet lands in exactly one of
 * the rx-class or drop groups: rx.pkts == sum(class.*) + sum(drop.*). */
#define DNSYN_RX_COUNTERS(X)                                                        \
	X(rx, pkts, "packets received")                                             \
	X(rx, bytes, "bytes received")                                              \
	X(rx, multiseg, "multi-segment packets linearised")                         \
	X(class, other, "IP packets of no interest")                                \
	X(class, non_ip, "frames that are not IP (ARP, PPPoE, ...)")                 \
	X(class, dns_udp, "UDP port-53 datagrams")                                  \
	X(class, dns_tcp, "TCP port-53 segments (no SYN)")                          \
	X(class, syn, "TCP SYN, ACK clear")                                         \
	X(class, synack, "TCP SYN-ACK")                                             \
	X(class, ip_fragment, "IP fragments handed to reassembly")                  \
	X(drop, trunc_l2, "link header cut short")                                  \
	X(drop, bad_l3, "invalid IP header")                                        \
	X(drop, trunc_l3, "IP header cut short")                                    \
	X(drop, trunc_l4, "TCP/UDP header cut short or invalid")                    \
	X(drop, too_big, "frames longer than 64 KiB")                               \
	X(dns, messages, "DNS messages parsed")                                     \
	X(dns, short_msgs, "port-53 payloads < 12 bytes (not DNS)")                 \
	X(dns, bad_question, "DNS messages whose question did not fit")             \
	X(dns, bad_answer, "DNS messages cut in the ANSWER section")                \
	X(dns, bad_authority, "DNS messages cut in the AUTHORITY section")          \
	X(dns, bad_additional, "DNS messages cut in the ADDITIONAL section")        \
	X(dns, addrs_capped, "A/AAAA RRs beyond the per-message event cap")         \
	X(dns, cname_chains, "answers reaching their addresses through CNAMEs")     \
	X(dns, cname_loops, "answers whose CNAME chain does not end")               \
	X(dns, addrs_off_chain, "A/AAAA RRs not owned by the CNAME chain's end")    \
	X(frag, reassembled, "datagrams reassembled")                               \
	X(frag, snaplen, "fragments cut by the capture (not reassembled)")           \
	X(frag, v6_ext_before_frag, "IPv6 fragments behind other ext. headers")     \
	X(frag, dropped, "fragments freed unassembled (expired, overlap, > 8 frags)") \
	X(frag, reasm_bad, "reassembled datagrams that failed to parse")            \
	X(ev, sent, "events enqueued to the correlation shards")                    \
	X(ev, synacks_counted, "SYN-ACKs counted here, no event (no interval tables)") \
	X(ev, answers_counted, "DNS answers counted here, no event (no interval tables)") \
	X(ev, ring_full, "events dropped: ring full (live ports)")                  \
	X(ev, ring_waits, "replay: waits for ring space (back-pressure, no loss)")   \
	X(rx, ts_backwards, "packets older than the previous one of their queue")

struct dnsyn_rx_counters {
#define DNSYN_CNT_FIELD(g, n, h) uint64_t g##_##n;
	DNSYN_RX_COUNTERS(DNSYN_CNT_FIELD)
#undef DNSYN_CNT_FIELD
};

/* One RX queue and its event rings, one per correlation shard. Packets of one
 * queue are in time order, so its events are too; the watermark tells the
 * shards how far that order has got, so each can merge its rings by time
 * (docs/architecture.md). */
struct dnsyn_rxq {
	uint16_t port;
	uint16_t queue;
	uint8_t ring_id;       /**< index among all queues; copied into events */
	int linktype;
	/** Prefetch mbuf headers and data ahead: not for a PMD that copies
	 *  each packet into the mbuf it hands over (both just written, in
	 *  cache: the prefetches were 2 % of a pcap PMD replay). */
	uint8_t prefetch;
	uint64_t expected;     /**< replay: packets in the file, 0 = live */
	uint8_t ts_src;        /**< enum dnsyn_ts_src */
	struct dnsyn_clock_map clk; /**< DNSYN_TS_DEVICE: the port's NIC clock */
	/** Live, idle: the watermark is now minus this. A NIC stamps packets
	 *  before the burst that brings them is polled, so its next packet may
	 *  be a little older than the poll that found the queue empty. */
	uint64_t wm_slack;
	/** Question names of this queue's answers (NULL: no correlation
	 *  records exported, names not kept). */
	struct dnsyn_namelog *names;
	struct rte_ring *ring[DNSYN_MAX_SHARDS]; /**< to each correlation shard */
	/** --mem-laps: the in-memory source whose mbufs this queue sends round
	 *  again instead of freeing them (NULL: a real port or the pcap PMD). */
	struct dnsyn_memsrc *mem;
	/** A plain pcap replayed from its mapping: read instead of the port. */
	struct dnsyn_filesrc *file;
	/* Written by the RX lcore for every packet: a line of their own, or
	 * each store would take back the line the shards keep reading ring[]
	 * from (false sharing cost the realistic mix ~15 % of its RX time). */
	uint64_t received DNSYN_CACHE_ALIGNED;
	uint64_t wm_local;     /**< newest packet time seen on this queue */
	uint32_t ev_seq;       /**< events made on this queue (ev->seq) */
	uint32_t answers;      /**< answers made on this queue (ev->u.addr.answer) */
	/** Every event enqueued later, to any shard, has ts >= wm. Written
	 *  (release) by the RX lcore, read (acquire) by the shards; UINT64_MAX
	 *  when finished. */
	uint64_t wm DNSYN_CACHE_ALIGNED;
} DNSYN_CACHE_ALIGNED;

struct dnsyn_rx_ctx {
	/* read-only after launch */
	unsigned int lcore;
	unsigned int nq;
	struct dnsyn_rxq q[DNSYN_MAX_RXQ_PER_LCORE];
	uint32_t burst;
	uint64_t idle_exit_ns;        /**< replay safety net */
	int lossless;                 /**< replay: wait for ring space instead of dropping */
	uint8_t query_names;          /**< hash queries' names (interval tables count them) */
	/** SYN-ACKs and DNS answers as events (interval tables count them by
	 *  time and client); without, only counted here (ev.synacks_counted,
	 *  ev.answers_counted, ans): the correlator would only add them up,
	 *  and two fifths of the realistic mix's events crossed to the other
	 *  core for that. An answer's addresses are events either way. */
	uint8_t count_events;
	struct dnsyn_answer_counts ans; /**< answers counted here */
	struct dnsyn_ts ts;
	struct rte_ip_frag_tbl *frag;
	struct dnsyn_tcpdns *tcp;
	unsigned int n_shards;
	uint8_t *scratch;             /**< DNSYN_SCRATCH_LEN bytes */
	uint8_t *scratch2;            /**< for reassembled datagrams */

	/* written by the RX lcore only */
	struct dnsyn_rx_counters c DNSYN_CACHE_ALIGNED;
	struct rte_ip_frag_death_row dr;
	struct dnsyn_rxq *cur;        /**< queue being processed: events go to its ring */
	uint64_t pkt_ts;              /**< time of the packet being processed */
	uint8_t ev_flags;             /**< flags of the packet being processed */
	unsigned int nev;
	unsigned int held_bursts; /**< bursts since the events were last handed over */
	struct dnsyn_event ev[DNSYN_EV_BUF];
	struct dnsyn_event ev_sorted[DNSYN_EV_BUF]; /**< ev grouped by shard */
	uint8_t ev_shard[DNSYN_EV_BUF];
	struct dnsyn_dns_msg dns;
	uint64_t first_ts, last_ts;
	uint64_t first_tsc;           /**< TSC of the first packet received */
	int replay_short;             /**< stopped by idle timeout before the file count */
	volatile int done;            /**< set (release) after the last enqueue */
} DNSYN_CACHE_ALIGNED;

/* Interval tables go from a correlation shard to the main lcore, which adds
 * up the shards' parts and writes them: two buffers, each full or free;
 * filled and taken in turn. */
struct dnsyn_corr_ctx;

struct dnsyn_iv_handoff {
	struct dnsyn_interval buf[2];
	volatile int full[2];  /**< set by the shard (release), cleared by main */
	uint64_t seq[2];       /**< order in which they were filled */
	uint64_t produced;     /**< shard only */
	uint64_t taken;        /**< main only */
	uint64_t waits;        /**< shard waited for main to take one */
	struct dnsyn_corr_ctx *cc; /**< the shard that fills it */
	/** Every interval ending at or before this was handed over (release). */
	uint64_t clock DNSYN_CACHE_ALIGNED;
};

/** dnsyn_interval_cb for dnsyn_paper: hand @p done to main, take the other. */
struct dnsyn_interval *dnsyn_iv_handoff_cb(void *ud, struct dnsyn_interval *done);

#define DNSYN_CLAIM_BURST 64

/* One correlation shard: merges its ring of every RX queue by time, feeds its
 * dnsyn_paper, and (several shards) sends SYN claims to the resolver. */
struct dnsyn_corr_ctx {
	unsigned int lcore;
	unsigned int shard;
	unsigned int n_rings;
	struct dnsyn_rxq *rxq[DNSYN_MAX_RINGS]; /**< watermark of each queue; ring[shard] */
	uint64_t horizon_ns;    /**< live: stop waiting for a ring this far behind */
	struct dnsyn_paper *paper;
	struct dnsyn_iv_handoff *ivh; /**< NULL: no interval tables */
	struct rte_ring *claims;      /**< to the resolver; NULL with one shard */
	unsigned int n_claims;
	struct dnsyn_cand claim_buf[DNSYN_CLAIM_BURST];
	uint64_t events DNSYN_CACHE_ALIGNED;
	uint64_t horizon_skips; /**< merges that went ahead of a lagging ring */
	uint64_t claim_waits;   /**< waits for room in the claim ring */
	/** Every claim enqueued later has syn_ts >= wm (release; UINT64_MAX: done). */
	uint64_t wm DNSYN_CACHE_ALIGNED;
	volatile int done;
} DNSYN_CACHE_ALIGNED;

/** dnsyn_cand_cb of a shard: claims go to the resolver in bursts. */
void dnsyn_corr_claim_cb(void *ud, const struct dnsyn_cand *c);

/* The resolver, polled by the main lcore when there are several shards:
 * merges the shards' claims by (time, queue, seq) and grants answers. */
struct dnsyn_claimq {
	struct dnsyn_cand *c; /* growable FIFO: shards never wait for the resolver */
	size_t cap, head, n;
};

struct dnsyn_resolver_ctx {
	unsigned int n_shards;
	struct dnsyn_corr_ctx *shard[DNSYN_MAX_SHARDS];
	struct dnsyn_claimq q[DNSYN_MAX_SHARDS];
	uint64_t wm[DNSYN_MAX_SHARDS];
	struct dnsyn_resolve *res;
	uint64_t horizon_ns;
	uint64_t horizon_skips;
	uint64_t peak_queued;   /**< most claims held waiting for another shard */
	int oom;
};

/** Take what the shards sent and resolve what can be. Returns claims resolved,
 *  or -ENOMEM. */
int dnsyn_resolver_poll(struct dnsyn_resolver_ctx *rc);

/** 1 once every shard is done and every claim resolved. */
int dnsyn_resolver_idle(const struct dnsyn_resolver_ctx *rc);

/** Set by the signal handler or the control loop: RX lcores stop. Read by
 *  the RX lcores every burst, written once: alone on its cache line (it once
 *  shared one with the correlation lcore's ring buffers, written per event,
 *  and the RX lcore missed on it every burst). */
struct dnsyn_quit_flag {
	volatile int v;
	char pad[DNSYN_CACHE_LINE - sizeof(int)];
} DNSYN_CACHE_ALIGNED;
extern struct dnsyn_quit_flag dnsyn_quit;
#define dnsyn_force_quit (dnsyn_quit.v)

int dnsyn_rx_lcore_main(void *arg);
int dnsyn_corr_lcore_main(void *arg);

/** Per-RX-lcore state set-up (frag table, TCP reassembler, scratch). 0 or -errno. */
int dnsyn_rx_ctx_init(struct dnsyn_rx_ctx *rx, const struct dnsyn_conf *conf, int socket);
/** Fragment table entries live this long (ns of packet time) before they expire. */
#define DNSYN_FRAG_TTL_NS (30ULL * DNSYN_NS_PER_S)
/** Most mbufs an RX lcore keeps at once: fragments awaiting reassembly. */
uint64_t dnsyn_rx_held_max(const struct dnsyn_conf *conf);
void dnsyn_rx_ctx_fini(struct dnsyn_rx_ctx *rx);

#endif
