/* SPDX-License-Identifier: BSD-3-Clause */
/* L2-L4 parser. Every read is checked against the captured length; nothing
 * beyond p[caplen-1] is ever touched (the fuzz target checks it). */
#include <stddef.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_pkt.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100


static const char *const status_names[DNSYN_PKT_STATUS_MAX] = {
	[DNSYN_PKT_OK] = "ok",
	[DNSYN_PKT_NON_IP] = "non_ip",
	[DNSYN_PKT_TRUNC_L2] = "trunc_l2",
	[DNSYN_PKT_BAD_L3] = "bad_l3",
	[DNSYN_PKT_TRUNC_L3] = "trunc_l3",
	[DNSYN_PKT_TRUNC_L4] = "trunc_l4",
};

const char *
dnsyn_pkt_status_name(int status)
{
	return DNSYN_ENUM_NAME(status_names, status);
}

int
dnsyn_pkt_linktype_supported(int lt)
{
	switch (lt) {
	case DNSYN_LINK_NULL:
	case DNSYN_LINK_ETHERNET:
	case DNSYN_LINK_RAW_OPENBSD:
	case DNSYN_LINK_RAW_BSDOS:
	case DNSYN_LINK_RAW:
	case DNSYN_LINK_LOOP:
	case DNSYN_LINK_LINUX_SLL:
	case DNSYN_LINK_IPV4:
	case DNSYN_LINK_IPV6:
	case DNSYN_LINK_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

/* Address families seen in DLT_NULL/DLT_LOOP headers across OSes. */
static int
af_to_ipver(uint32_t af)
{
	switch (af) {
	case 2:
		return 4;
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD, BSD/OS */
	case 28: /* FreeBSD */
	case 30: /* Darwin */
		return 6;
	default:
		return 0;
	}
}

/* Walk an Ethernet-style type field through any stack of VLAN tags.
 * Returns the IP version (4/6), 0 for non-IP, -1 when truncated. */
static int
walk_ethertype(const uint8_t *p, uint32_t caplen, uint32_t *off, uint16_t type,
	       struct dnsyn_pkt *pkt)
{
	while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD) {
		if (pkt->n_vlan >= DNSYN_PKT_MAX_VLAN)
			return 0;
		if (*off + 4 > caplen)
			return -1;
		type = DNSYN_RD16(p + *off + 2);
		*off += 4;
		pkt->n_vlan++;
		pkt->flags |= DNSYN_PKTF_VLAN;
	}
	if (type == ETH_P_IPV4)
		return 4;
	if (type == ETH_P_IPV6)
		return 6;
	return 0;
}

/* Returns IP version, 0 non-IP, -1 truncated; sets *off to the IP header. */
static int
parse_l2(const uint8_t *p, uint32_t caplen, int linktype, uint32_t *off, struct dnsyn_pkt *pkt)
{
	uint32_t af;

	switch (linktype) {
	case DNSYN_LINK_ETHERNET:
		if (caplen < 14)
			return -1;
		*off = 14;
		return walk_ethertype(p, caplen, off, DNSYN_RD16(p + 12), pkt);
	case DNSYN_LINK_LINUX_SLL:
		if (caplen < 16)
			return -1;
		*off = 16;
		return walk_ethertype(p, caplen, off, DNSYN_RD16(p + 14), pkt);
	case DNSYN_LINK_LINUX_SLL2:
		if (caplen < 20)
			return -1;
		*off = 20;
		return walk_ethertype(p, caplen, off, DNSYN_RD16(p), pkt);
	case DNSYN_LINK_NULL:
	case DNSYN_LINK_LOOP:
		if (caplen < 4)
			return -1;
		*off = 4;
		if (linktype == DNSYN_LINK_LOOP)
			return af_to_ipver(DNSYN_RD32(p));
		/* DLT_NULL is in the capturing host's byte order: accept either. */
		af = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
		     ((uint32_t)p[3] << 24);
		if (af_to_ipver(af))
			return af_to_ipver(af);
		return af_to_ipver(DNSYN_RD32(p));
	case DNSYN_LINK_RAW:
	case DNSYN_LINK_RAW_OPENBSD:
	case DNSYN_LINK_RAW_BSDOS:
		*off = 0;
		if (caplen < 1)
			return -1;
		return (p[0] >> 4) == 4 ? 4 : ((p[0] >> 4) == 6 ? 6 : 0);
	case DNSYN_LINK_IPV4:
		*off = 0;
		return 4;
	case DNSYN_LINK_IPV6:
		*off = 0;
		return 6;
	default:
		return 0;
	}
}

static int
parse_l4(const uint8_t *p, uint32_t l4, uint32_t end, struct dnsyn_pkt *pkt)
{
	uint32_t hl;

	pkt->l4_off = (uint16_t)l4;
	switch (pkt->l4proto) {
	case 17: /* UDP */
		if (l4 + 8 > end)
			return DNSYN_PKT_TRUNC_L4;
		pkt->sport = DNSYN_RD16(p + l4);
		pkt->dport = DNSYN_RD16(p + l4 + 2);
		hl = DNSYN_RD16(p + l4 + 4);
		pkt->payload_off = l4 + 8;
		pkt->payload_len = end - (l4 + 8);
		/* Trust the UDP length only when it is consistent with what we hold;
		 * a shorter one trims Ethernet/IP trailing garbage. */
		if (hl >= 8 && hl - 8u < pkt->payload_len)
			pkt->payload_len = hl - 8u;
		return DNSYN_PKT_OK;
	case 6: /* TCP */
		if (l4 + 20 > end)
			return DNSYN_PKT_TRUNC_L4;
		hl = (uint32_t)(p[l4 + 12] >> 4) * 4u;
		if (hl < 20)
			return DNSYN_PKT_TRUNC_L4;
		pkt->sport = DNSYN_RD16(p + l4);
		pkt->dport = DNSYN_RD16(p + l4 + 2);
		pkt->tcp_seq = DNSYN_RD32(p + l4 + 4);
		pkt->tcp_flags = p[l4 + 13];
		if (l4 + hl > end) {
			/* Options cut by a short snaplen (tcpdump -s 68): ports, flags
			 * and sequence are whole, so a SYN is still a SYN. */
			if (!(pkt->flags & DNSYN_PKTF_SNAPLEN))
				return DNSYN_PKT_TRUNC_L4; /* the IP length itself lies */
			hl = end - l4;
		}
		pkt->payload_off = l4 + hl;
		pkt->payload_len = end - (l4 + hl);
		return DNSYN_PKT_OK;
	default:
		pkt->payload_off = l4;
		pkt->payload_len = end - l4;
		return DNSYN_PKT_OK;
	}
}

static int
parse_ipv4(const uint8_t *p, uint32_t caplen, uint32_t l3, struct dnsyn_pkt *pkt)
{
	uint32_t ihl, tot, end;
	uint16_t frag;

	if (l3 + 20 > caplen)
		return DNSYN_PKT_TRUNC_L3;
	if ((p[l3] >> 4) != 4)
		return DNSYN_PKT_BAD_L3;
	ihl = (uint32_t)(p[l3] & 0x0f) * 4u;
	tot = DNSYN_RD16(p + l3 + 2);
	if (ihl < 20 || tot < ihl)
		return DNSYN_PKT_BAD_L3;
	if (l3 + ihl > caplen)
		return DNSYN_PKT_TRUNC_L3;
	end = l3 + tot;
	if (end > caplen) {
		end = caplen;
		pkt->flags |= DNSYN_PKTF_SNAPLEN;
	}
	pkt->l3_len = (uint16_t)ihl;
	pkt->l4proto = p[l3 + 9];
	memset(pkt->src, 0, 10);
	pkt->src[10] = pkt->src[11] = 0xff;
	memcpy(pkt->src + 12, p + l3 + 12, 4);
	memset(pkt->dst, 0, 10);
	pkt->dst[10] = pkt->dst[11] = 0xff;
	memcpy(pkt->dst + 12, p + l3 + 16, 4);
	frag = DNSYN_RD16(p + l3 + 6);
	if (frag & 0x3fff) { /* MF or offset: L4 is not here (or not whole) */
		pkt->flags |= DNSYN_PKTF_FRAG;
		pkt->l4_off = (uint16_t)(l3 + ihl);
		pkt->payload_off = l3 + ihl;
		pkt->payload_len = end - (l3 + ihl);
		return DNSYN_PKT_OK;
	}
	return parse_l4(p, l3 + ihl, end, pkt);
}

static int
parse_ipv6(const uint8_t *p, uint32_t caplen, uint32_t l3, struct dnsyn_pkt *pkt)
{
	uint32_t end, off, hl;
	uint8_t nh;
	unsigned int i;

	if (l3 + 40 > caplen)
		return DNSYN_PKT_TRUNC_L3;
	if ((p[l3] >> 4) != 6)
		return DNSYN_PKT_BAD_L3;
	pkt->flags |= DNSYN_PKTF_V6;
	end = l3 + 40 + DNSYN_RD16(p + l3 + 4);
	if (end > caplen) {
		end = caplen;
		pkt->flags |= DNSYN_PKTF_SNAPLEN;
	}
	memcpy(pkt->src, p + l3 + 8, 16);
	memcpy(pkt->dst, p + l3 + 24, 16);
	nh = p[l3 + 6];
	off = l3 + 40;
	for (i = 0; i < DNSYN_PKT_MAX_V6_EXT; i++) {
		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */
			if (off + 2 > end)
				return DNSYN_PKT_TRUNC_L3;
			hl = ((uint32_t)p[off + 1] + 1u) * 8u;
			break;
		case 51: /* AH: length in 4-octet units, minus 2 */
			if (off + 2 > end)
				return DNSYN_PKT_TRUNC_L3;
			hl = ((uint32_t)p[off + 1] + 2u) * 4u;
			break;
		case 44: /* fragment */
			if (off + 8 > end)
				return DNSYN_PKT_TRUNC_L3;
			if ((DNSYN_RD16(p + off + 2) & 0xfff9) != 0) {
				/* offset != 0 or M set: a real fragment */
				pkt->flags |= DNSYN_PKTF_FRAG;
				pkt->frag_hdr_off = (uint16_t)off;
				pkt->l4proto = p[off];
				pkt->l3_len = (uint16_t)(off + 8 - l3);
				pkt->l4_off = (uint16_t)(off + 8);
				pkt->payload_off = off + 8;
				pkt->payload_len = end - (off + 8);
				return DNSYN_PKT_OK;
			}
			hl = 8; /* atomic fragment (RFC 6946): the datagram is whole */
			break;
		default:
			goto l4;
		}
		if (off + hl > end)
			return DNSYN_PKT_TRUNC_L3;
		nh = p[off];
		off += hl;
	}
	/* Too long an extension chain: report the protocol we stopped at. */
l4:
	pkt->l4proto = nh;
	pkt->l3_len = (uint16_t)(off - l3);
	return parse_l4(p, off, end, pkt);
}

int
dnsyn_pkt_parse(const uint8_t *p, uint32_t caplen, int linktype, struct dnsyn_pkt *pkt)
{
	uint32_t off = 0;
	int ipv;

	memset(pkt, 0, offsetof(struct dnsyn_pkt, src));
	ipv = parse_l2(p, caplen, linktype, &off, pkt);
	if (unlikely(ipv < 0))
		return DNSYN_PKT_TRUNC_L2;
	if (ipv == 0)
		return DNSYN_PKT_NON_IP;
	pkt->l2_len = (uint16_t)off;
	if (ipv == 4)
		return parse_ipv4(p, caplen, off, pkt);
	return parse_ipv6(p, caplen, off, pkt);
}
