/* SPDX-License-Identifier: BSD-3-Clause */
/* The question names of recent answers, per RX queue, for the correlation
 * records (docs/ipfix.md): the RX lcore writes the name of its queue's answer
 * number n into slot n mod N; a correlation shard reads it back when one of
 * the answer's addresses is matched, usually well under a second later. A
 * seqlock lets the reader see a slot being rewritten: it gets the name or
 * nothing (an answer N answers old was overwritten), never half a name. One
 * writer per log. rte_seqlock's pattern, kept EAL-free for the unit tests. */
#ifndef DNSYN_NAMELOG_H
#define DNSYN_NAMELOG_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/** Name bytes kept (presentation format, \DDD escapes never cut). */
#define DNSYN_NAME_MAX 118

struct dnsyn_name_slot {
	_Atomic uint32_t seq; /* odd while being written */
	uint32_t answer;      /* the queue's answer number the name is of */
	uint8_t len;
	uint8_t trunc;        /* the name was longer and was cut */
	char name[DNSYN_NAME_MAX];
};
_Static_assert(sizeof(struct dnsyn_name_slot) == 128, "two cache lines a slot");

struct dnsyn_namelog {
	struct dnsyn_name_slot *s; /* mask + 1 slots */
	uint32_t mask;
};

/** Bytes of a log of @p n slots (a power of two). */
static inline size_t
dnsyn_namelog_memsize(uint32_t n)
{
	return (size_t)n * sizeof(struct dnsyn_name_slot);
}

/** The RX lcore: answer @p answer's name (@p len bytes, cut to DNSYN_NAME_MAX). */
static inline void
dnsyn_namelog_put(struct dnsyn_namelog *l, uint32_t answer, const char *name, size_t len,
		  int trunc)
{
	struct dnsyn_name_slot *s = &l->s[answer & l->mask];
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	if (len > DNSYN_NAME_MAX) {
		len = DNSYN_NAME_MAX;
		trunc = 1;
		/* never end inside a \DDD escape */
		for (size_t k = len > 3 ? len - 3 : 0; k < len; k++)
			if (name[k] == '\\') {
				len = k;
				break;
			}
	}
	s->answer = answer;
	s->len = (uint8_t)len;
	s->trunc = (uint8_t)(trunc != 0);
	memcpy(s->name, name, len);
	atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

/**
 * A shard: the name of answer @p answer into @p out (DNSYN_NAME_MAX bytes).
 * @return its length, or -1 when the slot holds another answer by now or is
 *         being rewritten (the name is lost; the caller counts it)
 */
static inline int
dnsyn_namelog_get(const struct dnsyn_namelog *l, uint32_t answer, char *out, int *trunc)
{
	const struct dnsyn_name_slot *s = &l->s[answer & l->mask];
	uint32_t q1 = atomic_load_explicit(&s->seq, memory_order_acquire), q2;
	uint32_t a;
	uint8_t len, tr;

	if (q1 & 1)
		return -1;
	a = s->answer;
	len = s->len;
	tr = s->trunc;
	if (len > DNSYN_NAME_MAX)
		return -1;
	memcpy(out, s->name, len);
	atomic_thread_fence(memory_order_acquire);
	q2 = atomic_load_explicit(&s->seq, memory_order_relaxed);
	if (q1 != q2 || a != answer || q1 == 0)
		return -1;
	*trunc = tr;
	return len;
}

#endif
