/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: one parsed packet -> one class. Pure. */
#ifndef DNSYN_CLASSIFY_H
#define DNSYN_CLASSIFY_H

#include <stdint.h>

#include "dnsyn_compiler.h"
#include "dnsyn_pkt.h"

/** Exactly one class per IP packet that parsed (status OK). */
enum dnsyn_cls {
	DNSYN_CLS_OTHER = 0, /**< IP, nothing dnsyn looks at */
	DNSYN_CLS_DNS_UDP,   /**< UDP, port 53 on either side */
	DNSYN_CLS_DNS_TCP,   /**< TCP, port 53 on either side, SYN clear */
	DNSYN_CLS_SYN,       /**< TCP SYN set, ACK clear (any port) */
	DNSYN_CLS_SYNACK,    /**< TCP SYN and ACK set (any port) */
	DNSYN_CLS_FRAG,      /**< IP fragment: classified after reassembly */
	DNSYN_CLS_MAX
};

/** Also set on SYN/SYN-ACK of a port-53 TCP flow: feed the DNS stream too. */
#define DNSYN_CLS_F_TCPDNS 0x100

static inline unsigned int
dnsyn_classify(const struct dnsyn_pkt *pkt)
{
	unsigned int udp = pkt->l4proto == 17, tcp = pkt->l4proto == 6;
	unsigned int p53 = (pkt->sport == 53) | (pkt->dport == 53);
	unsigned int syn = tcp & ((pkt->tcp_flags & DNSYN_TCP_SYN) != 0);
	unsigned int ack = (pkt->tcp_flags & DNSYN_TCP_ACK) != 0;
	unsigned int cls;

	if (unlikely(pkt->flags & DNSYN_PKTF_FRAG))
		return DNSYN_CLS_FRAG;
	/* Packed tests, one decision at the end (no per-field branches). */
	cls = syn ? (ack ? DNSYN_CLS_SYNACK : DNSYN_CLS_SYN)
		  : (p53 ? (udp ? DNSYN_CLS_DNS_UDP : (tcp ? DNSYN_CLS_DNS_TCP : DNSYN_CLS_OTHER))
			 : DNSYN_CLS_OTHER);
	return cls | ((tcp & p53) ? DNSYN_CLS_F_TCPDNS : 0);
}

const char *dnsyn_cls_name(unsigned int cls);

/**
 * The paper's tap filter, `(udp port 53) || (tcp port 53) || (tcp[13] & 0x2 != 0)`,
 * expressed on dnsyn's classes: 1 if the packet belongs to the tap.
 */
static inline int
dnsyn_classify_in_tap(unsigned int cls)
{
	cls &= 0xff;
	return cls == DNSYN_CLS_DNS_UDP || cls == DNSYN_CLS_DNS_TCP || cls == DNSYN_CLS_SYN ||
	       cls == DNSYN_CLS_SYNACK;
}

#endif
