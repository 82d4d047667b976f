/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS over TCP reassembly (RFC 1035 §4.2.2, RFC 7766 §8).
 *
 * Layout of the caller's block, every part 64-byte aligned:
 *   struct dnsyn_tcpdns | tags[nslots] (u32) | streams[nslots] (64 B each) |
 *   free buffer stack[max_bufs] (u32) | buffers[max_bufs] (64 KiB each)
 *
 * The stream table is open addressed: a key may live in any slot of the window
 * of `probe` slots that starts at its home (hash & mask). Lookups scan the whole
 * window of tags, so a slot is freed by zeroing its tag: no tombstones and no
 * entries moved on delete, and every operation costs at most `probe` tag reads.
 * Tags are kept apart from the streams so that the window scan touches one or
 * two cache lines, and the stream's own line only on a tag hit.
 *
 * A complete message found inside one segment is handed out in place; only a
 * message that straddles segments takes a buffer, and only once its first body
 * byte has to be held (a prefix alone at the end of a segment is kept in the
 * stream itself, so "write(len); write(msg)" senders need no buffer). */
#include <stdint.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_tcpdns.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

#define TCPDNS_BUF_SIZE 65536u	/* any 16-bit length fits */
#define TCPDNS_MSG_MIN 12u	/* a DNS header */
#define TCPDNS_PROBE_MAX 32u	/* window: 128 B of tags */
#define TCPDNS_SLOTS_MAX (1u << 31)
#define TCPDNS_BUFS_MAX (1u << 20) /* 64 GiB: far beyond any sane config */
#define TCPDNS_NO_BUF UINT32_MAX
#define TCPDNS_NO_SLOT UINT32_MAX
/* Slots one expiry call may look at per stream it may reclaim. The scan must
 * not grow with the table: a whole lap per call cost the RX lcore more than
 * its packets did once --tcp-streams was large and no stream was idle (every
 * stream of a half-open flood is fresh). With the RX loop's budget of 16 it
 * is 4096 slots a call: the default table still gets a lap a call. */
#define TCPDNS_EXPIRE_SCAN 256u

enum tcpdns_mode {
	MODE_HDR0,	/* expecting both length prefix bytes */
	MODE_HDR1,	/* first prefix byte held in hdr0 */
	MODE_BODY,	/* collecting msg_len bytes, got of them in buf */
	MODE_SKIP,	/* discarding msg_len bytes (short or no buffer), got seen */
};

struct tcpdns_stream {
	struct dnsyn_tcpdns_key key;
	uint32_t nxt;		/* next expected sequence number */
	uint64_t last_ns;	/* last segment time, for idle reclaim */
	uint32_t buf;		/* buffer index or TCPDNS_NO_BUF */
	uint16_t msg_len;
	uint16_t got;
	uint8_t mode;
	uint8_t hdr0;
} DNSYN_CACHE_ALIGNED;

/* Keys are hashed and compared bytewise: any padding would make equal keys differ. */
_Static_assert(sizeof(struct dnsyn_tcpdns_key) == 36, "dnsyn_tcpdns_key must have no padding");
_Static_assert(sizeof(struct tcpdns_stream) == DNSYN_CACHE_LINE, "one stream per cache line");

struct dnsyn_tcpdns {
	uint32_t mask;		/* nslots - 1 */
	uint32_t probe;		/* window length, <= nslots */
	uint32_t cursor;	/* next slot dnsyn_tcpdns_expire() looks at */
	uint32_t active;
	uint32_t nbufs;
	uint32_t free_top;	/* free_bufs[0..free_top) are free */
	uint64_t idle_ns;
	uint32_t *tags;		/* 0: slot free, else the key's hash (never 0) */
	struct tcpdns_stream *streams;
	uint32_t *free_bufs;
	uint8_t *bufs;
	struct dnsyn_tcpdns_stats stats;
} DNSYN_CACHE_ALIGNED;

struct tcpdns_layout {
	uint32_t nslots;
	size_t off_tags;
	size_t off_streams;
	size_t off_free;
	size_t off_bufs;
	size_t total;
};

static inline uint64_t
align_up(uint64_t v)
{
	return (v + DNSYN_CACHE_LINE - 1) & ~(uint64_t)(DNSYN_CACHE_LINE - 1);
}

/* One place computes the layout, so memsize() and init() cannot disagree. */
static int
layout_get(const struct dnsyn_tcpdns_cfg *cfg, struct tcpdns_layout *l)
{
	uint64_t off;
	uint32_t n = 1;

	if (cfg == NULL || cfg->max_streams == 0 || cfg->max_streams > TCPDNS_SLOTS_MAX ||
	    cfg->max_bufs > TCPDNS_BUFS_MAX)
		return -1;
	while (n < cfg->max_streams)
		n <<= 1;
	l->nslots = n;
	/* 64-bit arithmetic: the sums are checked against SIZE_MAX for 32-bit hosts. */
	off = align_up(sizeof(struct dnsyn_tcpdns));
	l->off_tags = (size_t)off;
	off += align_up((uint64_t)n * sizeof(uint32_t));
	l->off_streams = (size_t)off;
	off += (uint64_t)n * sizeof(struct tcpdns_stream);
	l->off_free = (size_t)off;
	off += align_up((uint64_t)cfg->max_bufs * sizeof(uint32_t));
	l->off_bufs = (size_t)off;
	off += (uint64_t)cfg->max_bufs * TCPDNS_BUF_SIZE;
	if (off > SIZE_MAX)
		return -1;
	l->total = (size_t)off;
	return 0;
}

size_t
dnsyn_tcpdns_memsize(const struct dnsyn_tcpdns_cfg *cfg)
{
	struct tcpdns_layout l;

	if (layout_get(cfg, &l) < 0)
		return 0;
	return l.total;
}

struct dnsyn_tcpdns *
dnsyn_tcpdns_init(void *mem, const struct dnsyn_tcpdns_cfg *cfg)
{
	struct tcpdns_layout l;
	struct dnsyn_tcpdns *t = mem;
	uint8_t *base = mem;
	uint32_t i;

	if (mem == NULL || ((uintptr_t)mem & (DNSYN_CACHE_LINE - 1)) != 0 ||
	    layout_get(cfg, &l) < 0)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->mask = l.nslots - 1;
	t->probe = DNSYN_MIN(l.nslots, TCPDNS_PROBE_MAX);
	t->nbufs = cfg->max_bufs;
	t->idle_ns = cfg->idle_ns;
	t->tags = (void *)(base + l.off_tags);
	t->streams = (void *)(base + l.off_streams);
	t->free_bufs = (void *)(base + l.off_free);
	t->bufs = base + l.off_bufs;
	memset(t->tags, 0, (size_t)l.nslots * sizeof(uint32_t));
	memset(t->streams, 0, (size_t)l.nslots * sizeof(struct tcpdns_stream));
	/* Stack order hands out buffer 0 first: deterministic for tests and dumps. */
	for (i = 0; i < t->nbufs; i++)
		t->free_bufs[i] = t->nbufs - 1 - i;
	t->free_top = t->nbufs;
	return t;
}

/* RFC 1982-style comparison: correct while the two are < 2^31 apart. */
static inline int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline uint64_t
hash_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* Not keyed: no entropy source is allowed here. The bounded window keeps the
 * damage of deliberate collisions to that window. */
static inline uint32_t
key_hash(const struct dnsyn_tcpdns_key *k)
{
	uint64_t w[4], h = 0x243f6a8885a308d3ULL;
	uint32_t tag;

	memcpy(&w[0], k->src, 16);
	memcpy(&w[2], k->dst, 16);
	h = hash_mix(h, w[0]);
	h = hash_mix(h, w[1]);
	h = hash_mix(h, w[2]);
	h = hash_mix(h, w[3]);
	h = hash_mix(h, ((uint64_t)k->sport << 16) | k->dport);
	/* murmur3 fmix64: the home slot comes from the low bits */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	tag = (uint32_t)h;
	return tag != 0 ? tag : 1;
}

static inline int
stream_idle(const struct dnsyn_tcpdns *t, const struct tcpdns_stream *s, uint64_t now_ns)
{
	/* A clock that went backwards (pcap replay) must not make streams look ancient. */
	return now_ns >= s->last_ns && now_ns - s->last_ns >= t->idle_ns;
}

static inline uint32_t
buf_get(struct dnsyn_tcpdns *t)
{
	if (unlikely(t->free_top == 0))
		return TCPDNS_NO_BUF;
	return t->free_bufs[--t->free_top];
}

static inline void
buf_put(struct dnsyn_tcpdns *t, uint32_t b)
{
	t->free_bufs[t->free_top++] = b;
}

static inline uint8_t *
buf_ptr(struct dnsyn_tcpdns *t, uint32_t b)
{
	return t->bufs + (size_t)b * TCPDNS_BUF_SIZE;
}

/* Forget any partial message; the stream then expects a length prefix. */
static inline void
stream_reset_msg(struct dnsyn_tcpdns *t, struct tcpdns_stream *s)
{
	if (s->buf != TCPDNS_NO_BUF) {
		buf_put(t, s->buf);
		s->buf = TCPDNS_NO_BUF;
	}
	s->mode = MODE_HDR0;
	s->msg_len = 0;
	s->got = 0;
}

static inline void
slot_free(struct dnsyn_tcpdns *t, uint32_t i)
{
	stream_reset_msg(t, &t->streams[i]);
	t->tags[i] = 0;
	t->active--;
}

static inline void
stream_start(struct tcpdns_stream *s, const struct dnsyn_tcpdns_key *key)
{
	s->key = *key;
	s->buf = TCPDNS_NO_BUF;
	s->mode = MODE_HDR0;
	s->msg_len = 0;
	s->got = 0;
	s->hdr0 = 0;
}

/*
 * Find the key's slot or make one. *created tells which. Returns TCPDNS_NO_SLOT
 * when the window holds neither a free nor an idle slot.
 */
static uint32_t
slot_lookup(struct dnsyn_tcpdns *t, const struct dnsyn_tcpdns_key *key, uint32_t tag,
	    uint64_t now_ns, int may_create, int *created)
{
	uint32_t home = tag & t->mask, free_slot = TCPDNS_NO_SLOT, victim = TCPDNS_NO_SLOT;
	uint32_t d, i;

	for (d = 0; d < t->probe; d++) {
		i = (home + d) & t->mask;
		if (t->tags[i] == tag) {
			if (likely(memcmp(&t->streams[i].key, key, sizeof(*key)) == 0)) {
				*created = 0;
				return i;
			}
		} else if (t->tags[i] == 0 && free_slot == TCPDNS_NO_SLOT) {
			free_slot = i;
		}
	}
	*created = 0;
	if (!may_create)
		return TCPDNS_NO_SLOT;
	if (likely(free_slot != TCPDNS_NO_SLOT)) {
		t->active++;
		i = free_slot;
	} else {
		/* Window full: evict its least recently used idle stream, if any. */
		for (d = 0; d < t->probe; d++) {
			i = (home + d) & t->mask;
			if (stream_idle(t, &t->streams[i], now_ns) &&
			    (victim == TCPDNS_NO_SLOT ||
			     t->streams[i].last_ns < t->streams[victim].last_ns))
				victim = i;
		}
		if (victim == TCPDNS_NO_SLOT) {
			t->stats.streams_full++;
			return TCPDNS_NO_SLOT;
		}
		i = victim;
		stream_reset_msg(t, &t->streams[i]);
		t->stats.streams_expired++;
	}
	t->tags[i] = tag;
	stream_start(&t->streams[i], key);
	t->stats.streams_new++;
	*created = 1;
	return i;
}

static inline void
deliver(struct dnsyn_tcpdns *t, const struct dnsyn_tcpdns_key *key, const uint8_t *msg,
	uint32_t len, dnsyn_tcpdns_msg_cb cb, void *ud)
{
	t->stats.messages++;
	if (cb != NULL)
		cb(ud, key, msg, len);
}

/* Bytes of the message in progress that a gap throws away. A message already
 * being skipped was counted as dropped (short/buf_exhausted) when it began. */
static inline uint32_t
partial_bytes(const struct tcpdns_stream *s)
{
	switch (s->mode) {
	case MODE_HDR1:
		return 1;
	case MODE_BODY:
		return 2u + s->got;
	default:
		return 0;
	}
}

/* Cut in-order payload into messages; returns how many were delivered. */
static unsigned int
stream_consume(struct dnsyn_tcpdns *t, struct tcpdns_stream *s,
	       const struct dnsyn_tcpdns_key *key, const uint8_t *p, uint32_t n,
	       dnsyn_tcpdns_msg_cb cb, void *ud)
{
	unsigned int nmsg = 0;
	uint32_t mlen, c;

	while (n > 0) {
		switch (s->mode) {
		case MODE_HDR0:
			if (unlikely(n == 1)) {
				s->hdr0 = p[0];
				s->mode = MODE_HDR1;
				return nmsg;
			}
			mlen = ((uint32_t)p[0] << 8) | p[1];
			p += 2;
			n -= 2;
			break;
		case MODE_HDR1:
			mlen = ((uint32_t)s->hdr0 << 8) | p[0];
			p++;
			n--;
			break;
		case MODE_BODY:
			if (s->buf == TCPDNS_NO_BUF) {
				/* Nothing held yet: the whole body may still be right here. */
				if (likely(n >= s->msg_len)) {
					deliver(t, key, p, s->msg_len, cb, ud);
					nmsg++;
					p += s->msg_len;
					n -= s->msg_len;
					s->mode = MODE_HDR0;
					continue;
				}
				s->buf = buf_get(t);
				if (unlikely(s->buf == TCPDNS_NO_BUF)) {
					/* The length is known, so the stream stays in step. */
					t->stats.buf_exhausted++;
					s->mode = MODE_SKIP;
					continue;
				}
			}
			c = DNSYN_MIN(n, (uint32_t)s->msg_len - s->got);
			memcpy(buf_ptr(t, s->buf) + s->got, p, c);
			s->got = (uint16_t)(s->got + c);
			p += c;
			n -= c;
			if (s->got == s->msg_len) {
				deliver(t, key, buf_ptr(t, s->buf), s->msg_len, cb, ud);
				nmsg++;
				stream_reset_msg(t, s);
			}
			continue;
		case MODE_SKIP:
		default:
			c = DNSYN_MIN(n, (uint32_t)s->msg_len - s->got);
			s->got = (uint16_t)(s->got + c);
			p += c;
			n -= c;
			if (s->got == s->msg_len)
				stream_reset_msg(t, s);
			continue;
		}
		/* A length prefix is complete. */
		s->msg_len = (uint16_t)mlen;
		s->got = 0;
		if (unlikely(mlen < TCPDNS_MSG_MIN)) {
			t->stats.short_messages++;
			s->mode = mlen != 0 ? MODE_SKIP : MODE_HDR0;
		} else {
			s->mode = MODE_BODY;
		}
	}
	return nmsg;
}

int
dnsyn_tcpdns_segment(struct dnsyn_tcpdns *t, const struct dnsyn_tcpdns_key *key,
		     uint32_t seq, uint8_t tcp_flags, const uint8_t *payload, uint32_t len,
		     uint64_t now_ns, dnsyn_tcpdns_msg_cb cb, void *ud)
{
	struct tcpdns_stream *s;
	unsigned int nmsg = 0;
	uint32_t idx, dseq;
	int created;

	t->stats.segments++;
	/* An empty segment without SYN carries nothing to frame: it must not
	 * open a stream (the last ACK of every closed connection would). */
	idx = slot_lookup(t, key, key_hash(key), now_ns, len > 0 || (tcp_flags & TCP_SYN),
			  &created);
	if (unlikely(idx == TCPDNS_NO_SLOT))
		return 0;
	s = &t->streams[idx];
	s->last_ns = now_ns;
	/* SYN occupies one sequence number; its payload (TFO) follows it. */
	dseq = seq + ((tcp_flags & TCP_SYN) ? 1u : 0u);
	if (created)
		s->nxt = dseq;

	if (unlikely(dseq != s->nxt)) {
		if (!(tcp_flags & TCP_SYN) && seq_lt(dseq, s->nxt)) {
			uint32_t behind = s->nxt - dseq;

			if (len <= behind) {
				/* Wholly old: retransmission (or keep-alive probe). */
				if (len > 0)
					t->stats.dup_segments++;
				len = 0;
			} else {
				payload += behind;
				len -= behind;
			}
		} else {
			/* Lost data, or a SYN of a new connection reusing the key: no
			 * out-of-order queue, so drop the partial message and restart
			 * framing at this segment. */
			t->stats.gaps++;
			t->stats.gap_bytes_lost += partial_bytes(s);
			stream_reset_msg(t, s);
			s->nxt = dseq;
		}
	}
	if (len > 0) {
		nmsg = stream_consume(t, s, key, payload, len, cb, ud);
		s->nxt += len;
	}
	if (tcp_flags & (TCP_FIN | TCP_RST)) {
		slot_free(t, idx);
		t->stats.streams_closed++;
	}
	return (int)nmsg;
}

unsigned int
dnsyn_tcpdns_expire(struct dnsyn_tcpdns *t, uint64_t now_ns, unsigned int budget)
{
	unsigned int n = 0;
	uint64_t steps, max_steps = (uint64_t)budget * TCPDNS_EXPIRE_SCAN;
	uint32_t i;

	/* A bounded piece of a lap per call, resumed at the cursor: an idle-free
	 * table costs the same whatever its size, and any idle stream is found
	 * within (slots / max_steps) calls. */
	if (t->active == 0)
		return 0; /* the usual case: nothing to scan for */
	if (max_steps > (uint64_t)t->mask + 1)
		max_steps = (uint64_t)t->mask + 1;
	for (steps = 0; steps < max_steps && n < budget; steps++) {
		i = t->cursor;
		t->cursor = (i + 1) & t->mask;
		if (t->tags[i] != 0 && stream_idle(t, &t->streams[i], now_ns)) {
			slot_free(t, i);
			t->stats.streams_expired++;
			n++;
		}
	}
	return n;
}

uint32_t
dnsyn_tcpdns_active(const struct dnsyn_tcpdns *t)
{
	return t->active;
}

const struct dnsyn_tcpdns_stats *
dnsyn_tcpdns_stats_get(const struct dnsyn_tcpdns *t)
{
	return &t->stats;
}
