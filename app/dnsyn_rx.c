/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: RX lcore. Poll -> parse -> classify -> DNS/TCP/fragment handling
 * -> events over an rte_ring to the correlation lcore. No allocation, no
 * syscalls, no locks in the loop; a full ring is a counted drop. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "dnsyn_app.h"
#include "dnsyn_classify.h"

struct dnsyn_quit_flag dnsyn_quit;

/* Fragment table buckets of 8 entries for --frag-entries. */
static uint32_t
frag_buckets(const struct dnsyn_conf *conf)
{
	uint32_t buckets = 1;

	while (buckets * 8 < conf->frag_entries)
		buckets <<= 1;
	return buckets;
}

uint64_t
dnsyn_rx_held_max(const struct dnsyn_conf *conf)
{
	return (uint64_t)frag_buckets(conf) * 8 * RTE_LIBRTE_IP_FRAG_MAX_FRAG +
	       RTE_IP_FRAG_DEATH_ROW_MBUF_LEN;
}

int
dnsyn_rx_ctx_init(struct dnsyn_rx_ctx *rx, const struct dnsyn_conf *conf, int socket)
{
	struct dnsyn_tcpdns_cfg tcfg = {
		.max_streams = conf->tcp_streams,
		.max_bufs = conf->tcp_bufs,
		.idle_ns = 120ULL * DNSYN_NS_PER_S,
	};
	uint32_t buckets = frag_buckets(conf);
	size_t tsz = dnsyn_tcpdns_memsize(&tcfg);
	void *tmem;

	rx->frag = rte_ip_frag_table_create(buckets, 8, buckets * 8, DNSYN_FRAG_TTL_NS, socket);
	rx->scratch = rte_malloc_socket("dnsyn_scratch", 2 * DNSYN_SCRATCH_LEN, 64, socket);
	tmem = tsz ? rte_zmalloc_socket("dnsyn_tcpdns", tsz, 64, socket) : NULL;
	if (rx->frag == NULL || rx->scratch == NULL || tmem == NULL)
		return -ENOMEM;
	rx->scratch2 = rx->scratch + DNSYN_SCRATCH_LEN;
	rx->tcp = dnsyn_tcpdns_init(tmem, &tcfg);
	if (rx->tcp == NULL)
		return -EINVAL;
	rx->burst = DNSYN_MIN(conf->burst, DNSYN_BURST_MAX);
	return 0;
}

void
dnsyn_rx_ctx_fini(struct dnsyn_rx_ctx *rx)
{
	if (rx->frag)
		rte_ip_frag_table_destroy(rx->frag);
	rte_free(rx->scratch);
	rte_free(rx->tcp);
	rx->frag = NULL;
	rx->scratch = NULL;
	rx->tcp = NULL;
}

/* rte_ring_enqueue_burst_elem() copies a 64-byte element 4 bytes at a time;
 * a zero-copy enqueue and memcpy move it in whole vectors. */
static inline unsigned int
ring_put(struct rte_ring *r, const struct dnsyn_event *ev, unsigned int nev)
{
	struct rte_ring_zc_data zc = {.ptr1 = NULL};
	unsigned int n = rte_ring_enqueue_zc_burst_elem_start(r, sizeof(*ev), nev, &zc, NULL);

	if (n) {
		memcpy(zc.ptr1, ev, (size_t)zc.n1 * sizeof(*ev));
		if (n > zc.n1) /* wrapped round the ring's end */
			memcpy(zc.ptr2, ev + zc.n1, (size_t)(n - zc.n1) * sizeof(*ev));
		rte_ring_enqueue_zc_elem_finish(r, n);
	}
	return n;
}

static void
ev_enqueue(struct dnsyn_rx_ctx *rx, struct rte_ring *r, const struct dnsyn_event *ev,
	   unsigned int nev)
{
	unsigned int n = ring_put(r, ev, nev);

	/* A replayed file can wait for the correlator; a live port cannot (the
	 * NIC would drop unseen), so only replay applies back-pressure. */
	while (unlikely(n < nev) && rx->lossless) {
		rx->c.ev_ring_waits++;
		rte_pause();
		n += ring_put(r, &ev[n], nev - n);
	}
	rx->c.ev_sent += n;
	rx->c.ev_ring_full += nev - n;
}

static void
ev_flush(struct dnsyn_rx_ctx *rx)
{
	unsigned int cnt[DNSYN_MAX_SHARDS + 1] = {0}, i, s;

	if (rx->nev == 0)
		return;
	if (rx->n_shards == 1) {
		ev_enqueue(rx, rx->cur->ring[0], rx->ev, rx->nev);
		rx->nev = 0;
		return;
	}
	/* Group by shard, keeping queue order within each (a counting sort). */
	for (i = 0; i < rx->nev; i++) {
		s = dnsyn_event_shard(&rx->ev[i], rx->n_shards);
		rx->ev_shard[i] = (uint8_t)s;
		cnt[s + 1]++;
	}
	for (s = 1; s <= rx->n_shards; s++)
		cnt[s] += cnt[s - 1];
	for (i = 0; i < rx->nev; i++)
		rx->ev_sorted[cnt[rx->ev_shard[i]]++] = rx->ev[i];
	/* cnt[s] is now the end of shard s's run. */
	for (s = 0; s < rx->n_shards; s++) {
		unsigned int from = s ? cnt[s - 1] : 0;

		if (cnt[s] > from)
			ev_enqueue(rx, rx->cur->ring[s], &rx->ev_sorted[from], cnt[s] - from);
	}
	rx->nev = 0;
}

/* Events are handed over once EV_BATCH are buffered or after
 * EV_BATCH_BURSTS bursts (and on an empty poll): each hand-over moves the
 * ring's producer line and the watermark's to the other core. */
#define EV_BATCH 32
#define EV_BATCH_BURSTS 8

/* Hand the buffered events over, then the watermark of their queue. */
static void
ev_publish(struct dnsyn_rx_ctx *rx)
{
	ev_flush(rx);
	/* After the events: the correlator reads wm, then the ring. */
	__atomic_store_n(&rx->cur->wm, rx->cur->wm_local, __ATOMIC_RELEASE);
	rx->held_bursts = 0;
}

static inline struct dnsyn_event *
ev_new(struct dnsyn_rx_ctx *rx, uint8_t type)
{
	struct dnsyn_event *ev;

	if (unlikely(rx->nev == DNSYN_EV_BUF))
		ev_flush(rx);
	ev = &rx->ev[rx->nev++];
	ev->ts_ns = rx->pkt_ts;
	ev->type = type;
	ev->flags = rx->ev_flags;
	ev->queue = rx->cur->ring_id;
	ev->seq = rx->cur->ev_seq++;
	return ev;
}

/* The question name of the queue's latest answer, for the correlation
 * records (only with --ipfix: decoding a name costs the RX lcore). */
static void
log_name(struct dnsyn_rx_ctx *rx, const uint8_t *msg, uint32_t len,
	 const struct dnsyn_dns_msg *m)
{
	char name[1024]; /* 255 wire bytes, each at most a 4-byte \DDD */
	int n = m->qname_off ? dnsyn_dns_name_decode(msg, len, m->qname_off, name, sizeof(name))
			     : -EINVAL;

	if (n < 0)
		n = 0; /* no question, or a malformed name: an empty name */
	dnsyn_namelog_put(rx->cur->names, rx->cur->answers, name, (size_t)n, 0);
}

/* One DNS message from UDP, TCP, or a reassembled datagram. */
static void
handle_dns(struct dnsyn_rx_ctx *rx, const uint8_t *msg, uint32_t len, const uint8_t *src,
	   const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct dnsyn_dns_msg *m = &rx->dns;
	struct dnsyn_event *ev, counted;
	unsigned int i;

	if (dnsyn_dns_parse(msg, len, m) < 0) {
		rx->c.dns_short_msgs++;
		return;
	}
	rx->c.dns_messages++;
	switch (m->status) {
	case DNSYN_DNS_BAD_QUESTION:
		rx->c.dns_bad_question++;
		break;
	case DNSYN_DNS_BAD_ANSWER:
		rx->c.dns_bad_answer++;
		break;
	case DNSYN_DNS_BAD_AUTH:
		rx->c.dns_bad_authority++;
		break;
	case DNSYN_DNS_BAD_ADDL:
		rx->c.dns_bad_additional++;
		break;
	default:
		break;
	}
	if (m->qr && rx->count_events) {
		/* built as the event would be, counted here, not sent */
		ev = &counted;
		ev->flags = rx->ev_flags;
	} else {
		ev = ev_new(rx, m->qr ? DNSYN_EV_ANSWER : DNSYN_EV_QUERY);
	}
	ev->flags |= m->tc ? DNSYN_EVF_TC : 0;
	ev->rcode = m->rcode;
	ev->sport = sport;
	ev->dport = dport;
	ev->u.dns.qtype = m->qtype;
	ev->u.dns.n_a = m->n_a;
	ev->u.dns.n_aaaa = m->n_aaaa;
	ev->u.dns.n_cname = m->n_cname;
	ev->u.dns.ttl_min = m->ttl_min;
	memcpy(ev->src, src, 16);
	memcpy(ev->dst, dst, 16);
	if (!m->qr) {
		/* a query carries no answer counts: its name's hash goes there */
		ev->u.query.name_hash = rx->query_names && m->qname_off
						? dnsyn_dns_name_hash(msg, len, m->qname_off)
						: 0;
		return;
	}
	if (ev == &counted) {
		dnsyn_answer_count(&rx->ans, ev);
		rx->c.ev_answers_counted++;
	}
	rx->c.dns_cname_chains += m->chain_len > 0;
	rx->c.dns_cname_loops += m->chain_loop;
	rx->c.dns_addrs_off_chain += m->n_addr_off_chain;
	if ((unsigned int)m->n_a + m->n_aaaa > m->n_addr) {
		ev->flags |= DNSYN_EVF_TRUNC_ADDRS;
		rx->c.dns_addrs_capped += (unsigned int)m->n_a + m->n_aaaa - m->n_addr;
	}
	rx->cur->answers += m->n_addr > 0;
	if (rx->cur->names && m->n_addr)
		log_name(rx, msg, len, m);
	for (i = 0; i < m->n_addr;) {
		uint32_t a = m->addr[i];
		const uint8_t *rd = msg + DNSYN_DNS_ADDR_OFF(a);

		ev = ev_new(rx, DNSYN_EV_ADDR);
		ev->u.addr.answer = rx->cur->answers;
		ev->u.addr.ttl = m->ttl_min;
		ev->u.addr.n_v4 = 0;
		ev->sport = sport;
		ev->dport = dport;
		memcpy(ev->src, dst, 16); /* the answer's client */
		if (DNSYN_DNS_ADDR_IS_V6(a)) {
			ev->flags |= DNSYN_EVF_ADDR_V6;
			memcpy(ev->dst, rd, 16);
			i++;
		} else if (rx->n_shards == 1) { /* the A RRs from here, up to 4 */
			ev->flags |= DNSYN_EVF_ADDR_V4N;
			memset(ev->dst, 0, 16);
			do {
				memcpy(ev->dst + 4 * ev->u.addr.n_v4++,
				       msg + DNSYN_DNS_ADDR_OFF(m->addr[i]), 4);
			} while (++i < m->n_addr && ev->u.addr.n_v4 < DNSYN_EV_V4N_MAX &&
				 !DNSYN_DNS_ADDR_IS_V6(m->addr[i]));
		} else {
			memset(ev->dst, 0, 10);
			ev->dst[10] = ev->dst[11] = 0xff;
			memcpy(ev->dst + 12, rd, 4);
			i++;
		}
	}
}

static void
tcpdns_msg(void *ud, const struct dnsyn_tcpdns_key *key, const uint8_t *msg, uint32_t len)
{
	struct dnsyn_rx_ctx *rx = ud;

	handle_dns(rx, msg, len, key->src, key->dst, key->sport, key->dport);
}

static void handle_l4(struct dnsyn_rx_ctx *rx, const uint8_t *data, const struct dnsyn_pkt *pkt,
		      unsigned int cls);

/* Hand a fragment to rte_ip_frag; when it completes a datagram, process the
 * datagram at this packet's time. Returns 1 when the library took the mbuf. */
static int
handle_frag(struct dnsyn_rx_ctx *rx, struct rte_mbuf *m, const struct dnsyn_pkt *pkt,
	    int linktype)
{
	struct rte_mbuf *mo;
	uint32_t ip_end;
	struct dnsyn_pkt rp;
	const uint8_t *data;
	int st;

	if (pkt->flags & DNSYN_PKTF_SNAPLEN) {
		rx->c.frag_snaplen++;
		return 0;
	}
	m->l2_len = pkt->l2_len;
	m->l3_len = pkt->l3_len;
	ip_end = pkt->payload_off + pkt->payload_len;
	if (m->pkt_len > ip_end) /* Ethernet padding after the datagram */
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - ip_end));
	if (pkt->flags & DNSYN_PKTF_V6) {
		struct rte_ipv6_hdr *ip6;

		/* rte_ip_frag expects the fragment header right after the fixed one. */
		if (pkt->frag_hdr_off != pkt->l2_len + 40) {
			rx->c.frag_v6_ext_before_frag++;
			return 0;
		}
		ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pkt->l2_len);
		mo = rte_ipv6_frag_reassemble_packet(
			rx->frag, &rx->dr, m, rx->pkt_ts, ip6,
			rte_pktmbuf_mtod_offset(m, struct rte_ipv6_fragment_ext *, pkt->frag_hdr_off));
	} else {
		mo = rte_ipv4_frag_reassemble_packet(
			rx->frag, &rx->dr, m, rx->pkt_ts,
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pkt->l2_len));
	}
	if (mo == NULL)
		return 1; /* held, or dropped into the death row */
	rx->c.frag_reassembled++;
	data = rte_pktmbuf_read(mo, 0, mo->pkt_len, rx->scratch2);
	st = data ? dnsyn_pkt_parse(data, mo->pkt_len, linktype, &rp) : DNSYN_PKT_BAD_L3;
	if (st != DNSYN_PKT_OK || (rp.flags & DNSYN_PKTF_FRAG)) {
		rx->c.frag_reasm_bad++;
	} else {
		rx->ev_flags |= DNSYN_EVF_REASM;
		handle_l4(rx, data, &rp, dnsyn_classify(&rp));
	}
	rte_pktmbuf_free(mo);
	return 1;
}

static void
handle_l4(struct dnsyn_rx_ctx *rx, const uint8_t *data, const struct dnsyn_pkt *pkt,
	  unsigned int cls)
{
	struct dnsyn_event *ev;

	if (pkt->flags & DNSYN_PKTF_V6)
		rx->ev_flags |= DNSYN_EVF_V6;
	switch (cls & 0xff) {
	case DNSYN_CLS_DNS_UDP:
		handle_dns(rx, data + pkt->payload_off, pkt->payload_len, pkt->src, pkt->dst,
			   pkt->sport, pkt->dport);
		break;
	case DNSYN_CLS_SYNACK:
		if (rx->count_events) {
			rx->c.ev_synacks_counted++;
			break;
		}
		/* fall through */
	case DNSYN_CLS_SYN:
		ev = ev_new(rx, (cls & 0xff) == DNSYN_CLS_SYN ? DNSYN_EV_SYN : DNSYN_EV_SYNACK);
		ev->sport = pkt->sport;
		ev->dport = pkt->dport;
		ev->u.tcp.seq = pkt->tcp_seq;
		memcpy(ev->src, pkt->src, 16);
		memcpy(ev->dst, pkt->dst, 16);
		break;
	default:
		break;
	}
	if (cls & DNSYN_CLS_F_TCPDNS) {
		struct dnsyn_tcpdns_key k;

		memcpy(k.src, pkt->src, 16);
		memcpy(k.dst, pkt->dst, 16);
		k.sport = pkt->sport;
		k.dport = pkt->dport;
		rx->ev_flags |= DNSYN_EVF_TCP;
		dnsyn_tcpdns_segment(rx->tcp, &k, pkt->tcp_seq, pkt->tcp_flags,
				     data + pkt->payload_off, pkt->payload_len, rx->pkt_ts,
				     tcpdns_msg, rx);
	}
}

/* Returns 1 when the mbuf was consumed (fragment reassembly owns it). */
static inline int
rx_one(struct dnsyn_rx_ctx *rx, struct rte_mbuf *m, int linktype, uint64_t now_ns)
{
	struct dnsyn_pkt pkt;
	const uint8_t *data;
	uint32_t len = m->pkt_len;
	unsigned int cls;
	int st;

	rx->c.rx_pkts++;
	rx->c.rx_bytes += len;
	rx->pkt_ts = dnsyn_mbuf_ts_ns(&rx->ts, rx->cur->ts_src, &rx->cur->clk, m, now_ns);
	rx->ev_flags = 0;
	if (unlikely(rx->first_ts == 0))
		rx->first_ts = rx->pkt_ts;
	if (likely(rx->pkt_ts >= rx->cur->wm_local))
		rx->cur->wm_local = rx->pkt_ts;
	else
		rx->c.rx_ts_backwards++; /* merged as it comes; the paper counts it too */
	if (likely(m->nb_segs == 1)) {
		data = rte_pktmbuf_mtod(m, const uint8_t *);
	} else {
		if (unlikely(len > DNSYN_SCRATCH_LEN)) {
			rx->c.drop_too_big++;
			return 0;
		}
		rx->c.rx_multiseg++;
		data = rte_pktmbuf_read(m, 0, len, rx->scratch);
	}
	st = dnsyn_pkt_parse(data, len, linktype, &pkt);
	if (unlikely(st != DNSYN_PKT_OK)) {
		/* Not IP is a class; the rest are drops, each with its counter. */
		rx->c.class_non_ip += st == DNSYN_PKT_NON_IP;
		rx->c.drop_trunc_l2 += st == DNSYN_PKT_TRUNC_L2;
		rx->c.drop_bad_l3 += st == DNSYN_PKT_BAD_L3;
		rx->c.drop_trunc_l3 += st == DNSYN_PKT_TRUNC_L3;
		rx->c.drop_trunc_l4 += st == DNSYN_PKT_TRUNC_L4;
		return 0;
	}
	cls = dnsyn_classify(&pkt);
	switch (cls & 0xff) {
	case DNSYN_CLS_OTHER:
		rx->c.class_other++;
		return 0;
	case DNSYN_CLS_DNS_UDP:
		rx->c.class_dns_udp++;
		break;
	case DNSYN_CLS_DNS_TCP:
		rx->c.class_dns_tcp++;
		break;
	case DNSYN_CLS_SYN:
		rx->c.class_syn++;
		break;
	case DNSYN_CLS_SYNACK:
		rx->c.class_synack++;
		break;
	case DNSYN_CLS_FRAG:
		rx->c.class_ip_fragment++;
		return handle_frag(rx, m, &pkt, linktype);
	}
	handle_l4(rx, data, &pkt, cls);
	return 0;
}

/* Prefetch distances in packets: an mbuf's header, then (its data address
 * read from it) its data. A software PMD (net_ring, memif) hands over cold
 * headers, and prefetching a whole burst's at once filled the line-fill
 * buffers and stalled (a fifth of the RX lcore on --mem-laps). */
#define HDR_PREFETCH_OFS 16
#define DATA_PREFETCH_OFS 8

static inline void
mbuf_prefetch(const struct rte_mbuf *m)
{
	rte_prefetch0(m);
	rte_prefetch0((const uint8_t *)m + RTE_CACHE_LINE_SIZE);
}

static int
queue_finished(const struct dnsyn_rxq *q)
{
	return q->expected && q->received >= q->expected;
}

int
dnsyn_rx_lcore_main(void *arg)
{
	struct dnsyn_rx_ctx *rx = arg;
	struct rte_mbuf *pkts[DNSYN_BURST_MAX], *to_free[DNSYN_BURST_MAX];
	uint64_t hz = rte_get_tsc_hz(), last_rx_tsc = rte_rdtsc(), iter = 0, idle_iter = 0;
	unsigned int qi = 0, finished = 0, i;

	for (i = 0; i < rx->nq; i++)
		finished += queue_finished(&rx->q[i]); /* empty files */
	while (!dnsyn_force_quit && finished < rx->nq) {
		struct dnsyn_rxq *q = &rx->q[qi];
		uint64_t tsc, now_ns;
		uint16_t n, nf = 0;

		qi = qi + 1 == rx->nq ? 0 : qi + 1;
		if (queue_finished(q))
			continue;
		n = q->file ? dnsyn_filesrc_burst(q->file, pkts, (uint16_t)rx->burst)
			    : rte_eth_rx_burst(q->port, q->queue, pkts, (uint16_t)rx->burst);
		tsc = rte_rdtsc();
		if (n == 0 && q->file != NULL && dnsyn_filesrc_eof(q->file)) {
			/* a mapped file ends by itself: what came is what was expected */
			q->expected = q->received ? q->received : UINT64_MAX;
			q->received = q->received ? q->received : UINT64_MAX;
			finished++;
			continue;
		}
		if (n == 0) {
			if (rx->held_bursts)
				ev_publish(rx);
			/* Live: packets get TSC time, so an idle queue's next
			 * packet is no older than now and must not hold the merge. */
			if (!q->expected)
				__atomic_store_n(&q->wm, dnsyn_ts_tsc_ns(&rx->ts, tsc) - q->wm_slack,
						 __ATOMIC_RELEASE);
			/* Replay safety net: a file that yields fewer packets than
			 * libpcap counted (it should not) must not hang dnsyn. */
			if ((++idle_iter & 0xff) == 0 && q->expected && rx->idle_exit_ns &&
			    (tsc - last_rx_tsc) * 1000000000ULL / hz > rx->idle_exit_ns) {
				rx->replay_short = 1;
				break;
			}
			continue;
		}
		last_rx_tsc = tsc;
		if (unlikely(rx->first_tsc == 0))
			rx->first_tsc = tsc; /* for run.us: the pipeline's own time */
		now_ns = dnsyn_ts_tsc_ns(&rx->ts, tsc);
		rx->cur = q;
		/* Two stages, each some packets ahead: the mbuf header (both
		 * lines: the packet time is in the second), then the data it
		 * points to. A NIC's PMD hands over headers it has just written,
		 * so the first stage is nearly free there; a software PMD
		 * (memif, ring) hands over cold ones, and the data address missed.
		 * A copying PMD (pcap, AF_PACKET) has just written both: none. */
		for (i = 0; q->prefetch && i < DNSYN_MIN(n, HDR_PREFETCH_OFS); i++)
			mbuf_prefetch(pkts[i]);
		for (i = 0; q->prefetch && i < DNSYN_MIN(n, DATA_PREFETCH_OFS); i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		for (i = 0; i < n; i++) {
			if (q->prefetch && i + HDR_PREFETCH_OFS < n)
				mbuf_prefetch(pkts[i + HDR_PREFETCH_OFS]);
			if (q->prefetch && i + DATA_PREFETCH_OFS < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DATA_PREFETCH_OFS], void *));
			if (!rx_one(rx, pkts[i], q->linktype, now_ns))
				to_free[nf++] = pkts[i];
		}
		rx->last_ts = rx->pkt_ts;
		if (rx->nev >= EV_BATCH || ++rx->held_bursts >= EV_BATCH_BURSTS || rx->nq > 1)
			ev_publish(rx);
		if (unlikely(q->mem != NULL))
			dnsyn_memsrc_recycle(q->mem, to_free, nf, n);
		else
			rte_pktmbuf_free_bulk(to_free, nf);
		if (unlikely(rx->dr.cnt)) {
			rx->c.frag_dropped += rx->dr.cnt;
			rte_ip_frag_free_death_row(&rx->dr, DNSYN_PREFETCH_OFS);
		}
		q->received += n;
		if (queue_finished(q))
			finished++;
		/* Bounded housekeeping, amortised over many bursts: reclaim idle
		 * TCP streams and time out incomplete datagrams (packet time). */
		if (unlikely((++iter & 0x3f) == 0)) {
			dnsyn_tcpdns_expire(rx->tcp, rx->pkt_ts, 16);
			rte_ip_frag_table_del_expired_entries(rx->frag, &rx->dr, rx->pkt_ts);
		}
	}
	/* Datagrams still incomplete at the end: expire them all, and count
	 * their fragments with the other dropped ones. */
	rte_ip_frag_table_del_expired_entries(rx->frag, &rx->dr, UINT64_MAX);
	rx->c.frag_dropped += rx->dr.cnt;
	rte_ip_frag_free_death_row(&rx->dr, 0);
	ev_flush(rx);
	for (i = 0; i < rx->nq; i++)
		__atomic_store_n(&rx->q[i].wm, UINT64_MAX, __ATOMIC_RELEASE);
	__atomic_store_n(&rx->done, 1, __ATOMIC_RELEASE);
	return 0;
}
