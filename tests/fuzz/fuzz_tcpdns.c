/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: DNS-over-TCP reassembly fed sequences of segments.
 *
 * Input: a 4-byte header, N 8-byte segment descriptors, then the data W.
 *   header  [0] max_streams = 1 << (b & 7), max_bufs = (b >> 3) & 7,
 *               bit 6: raw mode (sequence numbers unrelated to the data)
 *           [1] idle time (one of a few), [2] N, [3] unused
 *   segment [0] stream: bits 0-4 one of 32 4-tuples, bit 5 the reverse
 *               direction (64 streams, enough to fill small tables)
 *           [1] bits 0-2 FIN/SYN/RST, bit 3 run the idle expiry after it,
 *               bits 4-6 how far the clock moves (it may step back)
 *           [2-3] offset into W, [4-5] length, [6-7] raw mode: sequence skew
 * Every direction's byte stream is W itself: the segment at offset o carries
 * W[o..o+len) with the sequence number of that position (ISN + 1 + o), so
 * retransmissions, overlaps and reordered segments carry consistent bytes as
 * in real TCP, and every message delivered can be checked against W: it must
 * be the bytes after a 2-byte prefix in W that announces its length. When the
 * run had no gap, eviction or buffer shortage, each stream's messages must be
 * exactly those a whole-buffer framing of what it received finds. Raw mode
 * gives arbitrary sequence numbers (gaps, resynchronisation on garbage); it
 * checks bounds and counters only. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_tcpdns.h"

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

#define N_KEYS 64
#define MAX_STREAMS 128
#define MAX_BUFS 7
#define BUF_SIZE 65536u
#define LOG_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t idle_choice[] = { 0, 1, 1000, 1000000, UINT64_MAX };
/* Clock moves per segment; the last one goes back (pcap replay). */
static const int64_t step_choice[] = { 0, 1, 10, 100, 999, 1000, 100000, -50 };

struct delivered {
	uint8_t key;
	uint16_t len;
	uint32_t pos; /* body's offset in W */
};

static struct {
	struct dnsyn_tcpdns_key keys[N_KEYS];
	uint32_t isn[N_KEYS];
	void *mem;
	size_t mem_max;
	/* the segment being fed */
	int raw;
	unsigned int key;
	const uint8_t *w, *payload;
	uint32_t wlen, off, plen;
	const uint8_t *bufs;
	uint32_t nbufs;
	/* what came out */
	unsigned int n_cb;
	uint64_t msg_bytes;
	unsigned int n_log;
	int log_full;
	struct delivered log[LOG_MAX];
} G;

static void
init_once(void)
{
	struct dnsyn_tcpdns_cfg cfg = { MAX_STREAMS, MAX_BUFS, 0 };
	unsigned int k;

	if (G.mem != NULL)
		return;
	for (k = 0; k < N_KEYS; k++) {
		struct dnsyn_tcpdns_key *key = &G.keys[k];
		unsigned int id = k & 31;
		uint8_t cl[16] = { 0 }, sv[16] = { 0 };

		/* ::ffff:10.0.0.id and 2001:db8::id clients, one resolver each */
		if (id < 24) {
			cl[10] = cl[11] = sv[10] = sv[11] = 0xff;
			cl[12] = 10, cl[15] = (uint8_t)id;
			sv[12] = 192, sv[14] = 2, sv[15] = 53;
		} else {
			cl[0] = sv[0] = 0x20, cl[1] = sv[1] = 0x01;
			cl[2] = sv[2] = 0x0d, cl[3] = sv[3] = 0xb8;
			cl[15] = (uint8_t)id, sv[15] = 53;
		}
		memset(key, 0, sizeof(*key));
		if (k < 32) {	/* query direction */
			memcpy(key->src, cl, 16), memcpy(key->dst, sv, 16);
			key->sport = (uint16_t)(40000 + id), key->dport = 53;
		} else {	/* answer direction */
			memcpy(key->src, sv, 16), memcpy(key->dst, cl, 16);
			key->sport = 53, key->dport = (uint16_t)(40000 + id);
		}
		/* Some streams start just below 2^32 so their data wraps. */
		G.isn[k] = (k % 4 == 0) ? 0xfffffff0u - 64u * k : k * 0x9e3779b9u;
	}
	G.mem_max = dnsyn_tcpdns_memsize(&cfg);
	G.mem = aligned_alloc(64, (G.mem_max + 63) & ~(size_t)63);
	CHECK(G.mem != NULL);
}

static inline uint32_t
rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* Is there a prefix in W announcing @p len, followed by exactly @p msg, that
 * ends inside the segment being fed? */
static int
in_wire(const uint8_t *msg, uint32_t len, uint32_t *pos)
{
	uint32_t e;

	for (e = G.off + 1; e <= G.off + G.plen; e++) {
		uint32_t p;

		if (e < 2 + len)
			continue;
		p = e - 2 - len;
		if (rd16(G.w + p) == len && memcmp(G.w + p + 2, msg, len) == 0) {
			*pos = p + 2;
			return 1;
		}
	}
	return 0;
}

static void
on_msg(void *ud, const struct dnsyn_tcpdns_key *key, const uint8_t *msg, uint32_t len)
{
	uint32_t pos = 0;

	(void)ud;
	G.n_cb++;
	G.msg_bytes += 2 + (uint64_t)len;
	CHECK(memcmp(key, &G.keys[G.key], sizeof(*key)) == 0);
	CHECK(len >= 12 && len <= 65535);
	if (msg >= G.payload && msg < G.payload + G.plen) {
		/* Handed out in place: wholly inside the segment. */
		CHECK(len <= (uint32_t)(G.payload + G.plen - msg));
		if (!G.raw) {
			pos = (uint32_t)(msg - G.w);
			CHECK(pos >= 2 && rd16(G.w + pos - 2) == len);
		}
	} else {
		/* Reassembled: from the start of one of the 64 KiB buffers. */
		size_t boff;

		CHECK(msg >= G.bufs && msg < G.bufs + (size_t)G.nbufs * BUF_SIZE);
		boff = (size_t)(msg - G.bufs);
		CHECK(boff % BUF_SIZE == 0);
		if (!G.raw)
			CHECK(in_wire(msg, len, &pos));
	}
	if (G.n_log < LOG_MAX) {
		G.log[G.n_log].key = (uint8_t)G.key;
		G.log[G.n_log].len = (uint16_t)len;
		G.log[G.n_log].pos = pos;
		G.n_log++;
	} else {
		G.log_full = 1;
	}
}

/* The messages a whole-buffer framing of W[from, to) finds, in order, must be
 * those the stream delivered. */
static void
check_complete(unsigned int k, uint32_t from, uint32_t to)
{
	unsigned int i = 0;
	uint32_t p = from;

	while (to - p >= 2) {
		uint32_t len = rd16(G.w + p);

		if (len >= 12 && to - p - 2 < len)
			break; /* the last message is still partial */
		if (len >= 12) {
			while (i < G.n_log && G.log[i].key != k)
				i++;
			CHECK(i < G.n_log);
			CHECK(G.log[i].len == len);
			CHECK(memcmp(G.w + G.log[i].pos, G.w + p + 2, len) == 0);
			i++;
		}
		if (to - p - 2 < len)
			break;
		p += 2 + len;
	}
	while (i < G.n_log && G.log[i].key != k)
		i++;
	CHECK(i == G.n_log);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsyn_tcpdns_cfg cfg;
	struct dnsyn_tcpdns *t;
	const struct dnsyn_tcpdns_stats *st;
	const uint8_t *seg;
	uint64_t now = 1000000, fed = 0, ret_sum = 0, n_seg = 0;
	uint32_t first[N_KEYS], end[N_KEYS];
	uint8_t open[N_KEYS], closed[N_KEYS], fed_key[N_KEYS];
	unsigned int n, i, k, nslots, probe_bufs;
	uint64_t before_exh, before_full;

	init_once();
	if (size < 4)
		return 0;
	cfg.max_streams = 1u << (data[0] & 7);
	cfg.max_bufs = (data[0] >> 3) & 7;
	cfg.idle_ns = idle_choice[data[1] % 5];
	G.raw = (data[0] >> 6) & 1;
	n = data[2];
	if (n > (size - 4) / 8)
		n = (uint32_t)((size - 4) / 8);
	seg = data + 4;
	G.w = seg + 8 * n;
	G.wlen = (uint32_t)(size - 4 - 8 * n);
	CHECK(dnsyn_tcpdns_memsize(&cfg) <= G.mem_max);
	t = dnsyn_tcpdns_init(G.mem, &cfg);
	CHECK(t != NULL);
	st = dnsyn_tcpdns_stats_get(t);
	/* The buffers are the block's tail (dnsyn_tcpdns.c's layout). */
	G.nbufs = cfg.max_bufs;
	G.bufs = (const uint8_t *)G.mem + dnsyn_tcpdns_memsize(&cfg) - (size_t)G.nbufs * BUF_SIZE;
	G.n_cb = 0;
	G.msg_bytes = 0;
	G.n_log = 0;
	G.log_full = 0;
	memset(open, 0, sizeof(open));
	memset(closed, 0, sizeof(closed));
	memset(fed_key, 0, sizeof(fed_key));

	for (i = 0; i < n; i++, seg += 8) {
		uint8_t fl = seg[1] & (F_FIN | F_SYN | F_RST);
		uint32_t seq, pos;
		uint64_t msgs_before = st->messages;
		int r;

		G.key = seg[0] & 63;
		k = G.key;
		G.off = G.wlen ? rd16(seg + 2) % (G.wlen + 1) : 0;
		G.plen = rd16(seg + 4) % (G.wlen - G.off + 1);
		G.payload = G.w + G.off;
		pos = G.off;
		/* Data at W[o] has sequence number ISN + 1 + o; a SYN takes ISN + o. */
		seq = G.isn[k] + 1 + pos - ((fl & F_SYN) ? 1u : 0u);
		if (G.raw)
			seq += rd16(seg + 6) * 0x10001u;
		if (!open[k] && (G.plen > 0 || (fl & F_SYN))) {
			open[k] = 1;
			first[k] = pos;
			end[k] = pos;
		}
		if (open[k] && pos + G.plen > end[k])
			end[k] = pos + G.plen;
		if (fl & (F_FIN | F_RST))
			closed[k] = 1;
		fed_key[k] = 1;
		r = dnsyn_tcpdns_segment(t, &G.keys[k], seq, (uint8_t)(fl | F_ACK), G.payload,
					 G.plen, now, on_msg, NULL);
		n_seg++;
		fed += G.plen;
		CHECK(r >= 0 && (uint64_t)r == st->messages - msgs_before);
		ret_sum += (uint64_t)r;
		now += (uint64_t)step_choice[(seg[1] >> 4) & 7];
		if (seg[1] & 0x08)
			(void)dnsyn_tcpdns_expire(t, now, seg[7] % 8);
		CHECK(dnsyn_tcpdns_active(t) ==
		      st->streams_new - st->streams_closed - st->streams_expired);
	}

	/* Counters agree with what was fed and what came out. */
	CHECK(st->segments == n_seg);
	CHECK(st->messages == G.n_cb && ret_sum == G.n_cb);
	CHECK(st->dup_segments + st->streams_full <= n_seg);
	CHECK(st->gaps <= n_seg);
	/* Delivered messages (prefix and body), short ones' prefixes and the
	 * partial messages lost at gaps are distinct bytes of what was fed. */
	CHECK(G.msg_bytes + 2 * st->short_messages + st->gap_bytes_lost <= fed);
	for (nslots = 1; nslots < cfg.max_streams; nslots <<= 1)
		;
	CHECK(dnsyn_tcpdns_active(t) <= nslots);

	/* Nothing lost when nothing had to be dropped. */
	if (!G.raw && !G.log_full && st->gaps == 0 && st->streams_full == 0 &&
	    st->streams_expired == 0 && st->buf_exhausted == 0)
		for (k = 0; k < N_KEYS; k++)
			if (open[k] && !closed[k])
				check_complete(k, first[k], end[k]);

	/* RST closes every stream (only the keys fed have one): then none is
	 * held ... */
	for (k = 0; k < N_KEYS; k++)
		if (fed_key[k])
			(void)dnsyn_tcpdns_segment(t, &G.keys[k], 0, F_RST | F_ACK, NULL, 0, now,
						   on_msg, NULL);
	CHECK(dnsyn_tcpdns_active(t) == 0);
	CHECK(st->streams_new == st->streams_closed + st->streams_expired);
	/* ... and every buffer is back: as many streams as there are buffers can
	 * each hold a partial message, and one more finds none. */
	probe_bufs = nslots < cfg.max_bufs + 1 ? nslots : cfg.max_bufs + 1;
	before_exh = st->buf_exhausted;
	before_full = st->streams_full;
	for (k = 0; k < probe_bufs; k++) {
		static const uint8_t partial[6] = { 0x00, 0x20, 1, 2, 3, 4 };

		G.key = k;
		G.payload = partial;
		G.plen = sizeof(partial);
		(void)dnsyn_tcpdns_segment(t, &G.keys[k], 1, F_ACK, partial, sizeof(partial), now,
					   on_msg, NULL);
	}
	CHECK(st->streams_full == before_full);
	CHECK(st->buf_exhausted - before_exh == (probe_bufs > cfg.max_bufs ? 1u : 0u));
	return 0;
}
