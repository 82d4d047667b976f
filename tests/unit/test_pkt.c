/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the L2-L4 parser (dnsyn_pkt) and the classifier: every link
 * type, IPv4 options/fragments/lengths, IPv6 extension chains and fragment
 * headers, TCP/UDP header rules, and the bounds property: every prefix of a
 * valid frame parses without reading past it (each prefix sits right before a
 * PROT_NONE page) to the status its boundaries predict. */
#include "dnsyn_test_util.h"
#include "dnsyn_test_pkt.h"

#include <stdio.h>
#include <stdlib.h>

#include "dnsyn_classify.h"
#include "dnsyn_pkt.h"

#define C1 TP_V4(192, 0, 2, 1)
#define S1 TP_V4(198, 51, 100, 53)

static struct tp_buf F;   /* the frame under test */
static struct tp_buf MSG; /* a DNS message for payloads */

/* Parse @p len bytes of @p b from an exact-size guarded copy. */
static int
parse_exact(const uint8_t *b, size_t len, int link, struct dnsyn_pkt *pkt)
{
	struct tp_exact e;
	int st;

	tp_exact_dup(&e, b, len);
	st = dnsyn_pkt_parse(e.p, (uint32_t)len, link, pkt);
	tp_exact_free(&e);
	return st;
}

static int
parse_frame(int link, struct dnsyn_pkt *pkt)
{
	return parse_exact(F.b, F.n, link, pkt);
}

static void
dns_query_msg(void)
{
	tp_reset(&MSG);
	tp_dns_hdr(&MSG, 0xbeef, TP_DNS_RD, 1, 0, 0, 0);
	tp_dns_question(&MSG, "www.example.com", 1, 1);
}

/* UDP datagram carrying MSG; returns the IPv4 header offset. */
static size_t
add_ipv4_udp(struct tp_buf *t, uint16_t sport, uint16_t dport, unsigned int opt_len,
	     uint16_t frag)
{
	size_t ip = tp_ipv4_begin(t, 17, C1, S1, opt_len, frag);
	size_t u = tp_udp_begin(t, sport, dport);

	tp_put(t, MSG.b, MSG.n);
	tp_udp_end(t, u);
	tp_ipv4_end(t, ip);
	return ip;
}

static size_t
add_ipv4_tcp(struct tp_buf *t, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
	     unsigned int opt_len, size_t data_len)
{
	size_t ip = tp_ipv4_begin(t, 6, C1, S1, 0, TP_IP_DF);

	tp_tcp(t, sport, dport, seq, 0, flags, opt_len);
	tp_zero(t, data_len);
	tp_ipv4_end(t, ip);
	return ip;
}

static size_t
add_ipv6_udp(struct tp_buf *t, uint16_t sport, uint16_t dport)
{
	uint8_t s[16], d[16];
	size_t ip, u;

	tp_v6(s, 1, 1);
	tp_v6(d, 2, 0x53);
	ip = tp_ipv6_begin(t, 17, s, d);
	u = tp_udp_begin(t, sport, dport);
	tp_put(t, MSG.b, MSG.n);
	tp_udp_end(t, u);
	tp_ipv6_end(t, ip);
	return ip;
}

static void
assert_v4mapped(const uint8_t a[16], uint32_t v4)
{
	uint8_t want[16];

	tp_v4mapped(want, v4);
	assert_memory_equal(a, want, 16);
}

/* Common checks for a whole, unfragmented IPv4 UDP DNS frame. */
static void
assert_udp4_ok(const struct dnsyn_pkt *pkt, size_t l2, size_t ihl)
{
	assert_int_equal(pkt->l2_len, l2);
	assert_int_equal(pkt->l3_len, ihl);
	assert_int_equal(pkt->l4proto, 17);
	assert_int_equal(pkt->l4_off, l2 + ihl);
	assert_int_equal(pkt->payload_off, l2 + ihl + 8);
	assert_int_equal(pkt->payload_len, MSG.n);
	assert_int_equal(pkt->sport, 40000);
	assert_int_equal(pkt->dport, 53);
	assert_false(pkt->flags & (DNSYN_PKTF_V6 | DNSYN_PKTF_FRAG | DNSYN_PKTF_SNAPLEN));
	assert_v4mapped(pkt->src, C1);
	assert_v4mapped(pkt->dst, S1);
}

/* ---------------------------------------------------------------- link types */

static void
test_pkt_ethernet_ipv4_udp(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_udp4_ok(&pkt, 14, 20);
	assert_int_equal(pkt.n_vlan, 0);
	assert_false(pkt.flags & DNSYN_PKTF_VLAN);
	assert_int_equal(pkt.frag_hdr_off, 0);
	/* the payload is the DNS message, byte for byte */
	assert_memory_equal(F.b + pkt.payload_off, MSG.b, MSG.n);
}

static void
test_pkt_ethernet_ipv6_udp(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 40000, 53);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_V6);
	assert_int_equal(pkt.l2_len, 14);
	assert_int_equal(pkt.l3_len, 40);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.l4_off, 54);
	assert_int_equal(pkt.payload_off, 62);
	assert_int_equal(pkt.payload_len, MSG.n);
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 0x53);
	assert_memory_equal(pkt.src, s, 16);
	assert_memory_equal(pkt.dst, d, 16);
}

static void
check_vlan_stack(const uint16_t *tpids, unsigned int n)
{
	struct dnsyn_pkt pkt;

	tp_reset(&F);
	tp_eth_vlan(&F, tpids, n, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.n_vlan, n);
	assert_true(pkt.flags & DNSYN_PKTF_VLAN);
	assert_udp4_ok(&pkt, 14 + 4 * n, 20);
}

static void
test_pkt_vlan_8021q(void **state)
{
	static const uint16_t q[] = {TP_ETH_8021Q};

	(void)state;
	dns_query_msg();
	check_vlan_stack(q, 1);
}

static void
test_pkt_vlan_qinq_88a8_8100(void **state)
{
	static const uint16_t q[] = {TP_ETH_8021AD, TP_ETH_8021Q};

	(void)state;
	dns_query_msg();
	check_vlan_stack(q, 2);
}

static void
test_pkt_vlan_9100(void **state)
{
	static const uint16_t q1[] = {TP_ETH_QINQ_OLD};
	static const uint16_t q2[] = {TP_ETH_QINQ_OLD, TP_ETH_8021Q};

	(void)state;
	dns_query_msg();
	check_vlan_stack(q1, 1);
	check_vlan_stack(q2, 2);
}

static void
test_pkt_vlan_ipv6_inside(void **state)
{
	static const uint16_t q[] = {TP_ETH_8021AD, TP_ETH_8021Q};
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth_vlan(&F, q, 2, TP_ETH_IPV6);
	add_ipv6_udp(&F, 53, 40000);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.flags & (DNSYN_PKTF_V6 | DNSYN_PKTF_VLAN),
			 DNSYN_PKTF_V6 | DNSYN_PKTF_VLAN);
	assert_int_equal(pkt.l2_len, 22);
	assert_int_equal(pkt.sport, 53);
}

static void
test_pkt_vlan_max_depth(void **state)
{
	uint16_t q[DNSYN_PKT_MAX_VLAN + 1];
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	dns_query_msg();
	for (i = 0; i < DNSYN_PKT_MAX_VLAN + 1; i++)
		q[i] = i % 2 ? TP_ETH_8021Q : TP_ETH_8021AD;
	/* exactly the maximum: parsed */
	check_vlan_stack(q, DNSYN_PKT_MAX_VLAN);
	/* one more: given up as non-IP, never walked beyond the cap */
	tp_reset(&F);
	tp_eth_vlan(&F, q, DNSYN_PKT_MAX_VLAN + 1, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_NON_IP);
}

static void
test_pkt_vlan_truncated_tag(void **state)
{
	static const uint16_t q[] = {TP_ETH_8021Q, TP_ETH_8021Q};
	struct dnsyn_pkt pkt;
	size_t len;

	(void)state;
	tp_reset(&F);
	tp_eth_vlan(&F, q, 2, TP_ETH_IPV4);
	for (len = 14; len < 22; len++)
		assert_int_equal(parse_exact(F.b, len, DNSYN_LINK_ETHERNET, &pkt),
				 DNSYN_PKT_TRUNC_L2);
	/* tags complete, IP header missing */
	assert_int_equal(parse_exact(F.b, 22, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L3);
}

static void
test_pkt_ethernet_non_ip(void **state)
{
	static const uint16_t types[] = {TP_ETH_ARP, TP_ETH_PPPOE, 0x8847 /* MPLS */, 0x0000,
					 0x05dc /* 802.3 length */};
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	for (i = 0; i < DNSYN_ARRAY_SIZE(types); i++) {
		tp_reset(&F);
		tp_eth(&F, types[i]);
		tp_zero(&F, 46);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_NON_IP);
	}
	/* VLAN-tagged ARP is non-IP too */
	{
		static const uint16_t q[] = {TP_ETH_8021Q};

		tp_reset(&F);
		tp_eth_vlan(&F, q, 1, TP_ETH_ARP);
		tp_zero(&F, 28);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_NON_IP);
	}
	/* shorter than an Ethernet header */
	assert_int_equal(parse_exact(F.b, 13, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L2);
	assert_int_equal(parse_exact(F.b, 0, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L2);
}

static void
test_pkt_linux_sll(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_sll(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL, &pkt), DNSYN_PKT_OK);
	assert_udp4_ok(&pkt, 16, 20);

	tp_reset(&F);
	tp_sll(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 40000, 53);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_V6);
	assert_int_equal(pkt.l2_len, 16);

	/* SLL carrying a VLAN-tagged frame (protocol 0x8100) */
	tp_reset(&F);
	tp_sll(&F, TP_ETH_8021Q);
	tp_be16(&F, 7);
	tp_be16(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.n_vlan, 1);
	assert_udp4_ok(&pkt, 20, 20);

	tp_reset(&F);
	tp_sll(&F, TP_ETH_ARP);
	tp_zero(&F, 28);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL, &pkt), DNSYN_PKT_NON_IP);
	assert_int_equal(parse_exact(F.b, 15, DNSYN_LINK_LINUX_SLL, &pkt), DNSYN_PKT_TRUNC_L2);
}

static void
test_pkt_linux_sll2(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_sll2(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL2, &pkt), DNSYN_PKT_OK);
	assert_udp4_ok(&pkt, 20, 20);

	tp_reset(&F);
	tp_sll2(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 40000, 53);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL2, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_V6);
	assert_int_equal(pkt.l2_len, 20);

	/* the SLL v1 protocol position (14) means nothing in SLL2 */
	tp_reset(&F);
	tp_sll2(&F, TP_ETH_ARP);
	F.b[14] = 0x08;
	F.b[15] = 0x00;
	tp_zero(&F, 28);
	assert_int_equal(parse_frame(DNSYN_LINK_LINUX_SLL2, &pkt), DNSYN_PKT_NON_IP);
	assert_int_equal(parse_exact(F.b, 19, DNSYN_LINK_LINUX_SLL2, &pkt), DNSYN_PKT_TRUNC_L2);
}

static void
test_pkt_raw_ip_linktypes(void **state)
{
	static const int links[] = {DNSYN_LINK_RAW, DNSYN_LINK_RAW_OPENBSD, DNSYN_LINK_RAW_BSDOS};
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	dns_query_msg();
	for (i = 0; i < DNSYN_ARRAY_SIZE(links); i++) {
		tp_reset(&F);
		add_ipv4_udp(&F, 40000, 53, 0, 0);
		assert_int_equal(parse_frame(links[i], &pkt), DNSYN_PKT_OK);
		assert_udp4_ok(&pkt, 0, 20);

		tp_reset(&F);
		add_ipv6_udp(&F, 40000, 53);
		assert_int_equal(parse_frame(links[i], &pkt), DNSYN_PKT_OK);
		assert_true(pkt.flags & DNSYN_PKTF_V6);
		assert_int_equal(pkt.l2_len, 0);
		assert_int_equal(pkt.payload_off, 48);

		/* version nibble neither 4 nor 6 */
		F.b[0] = 0x50;
		assert_int_equal(parse_frame(links[i], &pkt), DNSYN_PKT_NON_IP);
		/* nothing captured */
		assert_int_equal(parse_exact(F.b, 0, links[i], &pkt), DNSYN_PKT_TRUNC_L2);
		/* the version byte alone: an IP header cut short */
		F.b[0] = 0x45;
		assert_int_equal(parse_exact(F.b, 1, links[i], &pkt), DNSYN_PKT_TRUNC_L3);
	}
}

static void
test_pkt_ipv4_ipv6_linktypes(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_IPV4, &pkt), DNSYN_PKT_OK);
	assert_udp4_ok(&pkt, 0, 20);
	/* LINKTYPE_IPV6 given an IPv4 packet: the IPv6 header check rejects it */
	assert_int_equal(parse_frame(DNSYN_LINK_IPV6, &pkt), DNSYN_PKT_BAD_L3);

	tp_reset(&F);
	add_ipv6_udp(&F, 40000, 53);
	assert_int_equal(parse_frame(DNSYN_LINK_IPV6, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_V6);
	assert_int_equal(parse_frame(DNSYN_LINK_IPV4, &pkt), DNSYN_PKT_BAD_L3);
	assert_int_equal(parse_exact(F.b, 0, DNSYN_LINK_IPV6, &pkt), DNSYN_PKT_TRUNC_L3);
	assert_int_equal(parse_exact(F.b, 0, DNSYN_LINK_IPV4, &pkt), DNSYN_PKT_TRUNC_L3);
}

static void
check_null(int link, uint32_t af, int big_endian, int want_ipver)
{
	struct dnsyn_pkt pkt;
	int st;

	tp_reset(&F);
	tp_null(&F, af, big_endian);
	if (want_ipver == 6)
		add_ipv6_udp(&F, 40000, 53);
	else
		add_ipv4_udp(&F, 40000, 53, 0, 0);
	st = parse_frame(link, &pkt);
	if (want_ipver == 0) {
		assert_int_equal(st, DNSYN_PKT_NON_IP);
		return;
	}
	assert_int_equal(st, DNSYN_PKT_OK);
	assert_int_equal(pkt.l2_len, 4);
	assert_int_equal(!!(pkt.flags & DNSYN_PKTF_V6), want_ipver == 6);
	assert_int_equal(pkt.dport, 53);
}

static void
test_pkt_null_both_byte_orders(void **state)
{
	static const uint32_t v6afs[] = {10, 24, 28, 30};
	unsigned int i, be;

	(void)state;
	dns_query_msg();
	for (be = 0; be < 2; be++) {
		check_null(DNSYN_LINK_NULL, 2, (int)be, 4);
		for (i = 0; i < DNSYN_ARRAY_SIZE(v6afs); i++)
			check_null(DNSYN_LINK_NULL, v6afs[i], (int)be, 6);
		check_null(DNSYN_LINK_NULL, 7, (int)be, 0);   /* AF_NS or whatever: not IP */
		check_null(DNSYN_LINK_NULL, 23, (int)be, 0);  /* AF_ISO on some BSDs */
	}
	check_null(DNSYN_LINK_NULL, 0, 0, 0);
	{
		struct dnsyn_pkt pkt;
		size_t len;

		for (len = 0; len < 4; len++)
			assert_int_equal(parse_exact(F.b, len, DNSYN_LINK_NULL, &pkt),
					 DNSYN_PKT_TRUNC_L2);
	}
}

static void
test_pkt_loop_network_order(void **state)
{
	static const uint32_t v6afs[] = {10, 24, 28, 30};
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	dns_query_msg();
	check_null(DNSYN_LINK_LOOP, 2, 1, 4);
	for (i = 0; i < DNSYN_ARRAY_SIZE(v6afs); i++)
		check_null(DNSYN_LINK_LOOP, v6afs[i], 1, 6);
	/* LINKTYPE_LOOP is always network byte order: a little-endian AF is not one */
	check_null(DNSYN_LINK_LOOP, 2, 0, 0);
	check_null(DNSYN_LINK_LOOP, 24, 0, 0);
	assert_int_equal(parse_exact(F.b, 3, DNSYN_LINK_LOOP, &pkt), DNSYN_PKT_TRUNC_L2);
}

static void
test_pkt_unsupported_linktype(void **state)
{
	static const int bad[] = {-1, 9 /* PPP */, 105 /* 802.11 */, 127 /* radiotap */,
				  147, 1000, 65535};
	static const int good[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	add_ipv4_udp(&F, 40000, 53, 0, 0); /* a perfectly good raw IP packet */
	for (i = 0; i < DNSYN_ARRAY_SIZE(bad); i++) {
		assert_false(dnsyn_pkt_linktype_supported(bad[i]));
		assert_int_equal(parse_frame(bad[i], &pkt), DNSYN_PKT_NON_IP);
		assert_int_equal(parse_exact(F.b, 0, bad[i], &pkt), DNSYN_PKT_NON_IP);
	}
	for (i = 0; i < DNSYN_ARRAY_SIZE(good); i++)
		assert_true(dnsyn_pkt_linktype_supported(good[i]));
}

static void
test_pkt_status_names(void **state)
{
	(void)state;
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_OK), "ok");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_NON_IP), "non_ip");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_TRUNC_L2), "trunc_l2");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_BAD_L3), "bad_l3");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_TRUNC_L3), "trunc_l3");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_TRUNC_L4), "trunc_l4");
	assert_string_equal(dnsyn_pkt_status_name(DNSYN_PKT_STATUS_MAX), "unknown");
	assert_string_equal(dnsyn_pkt_status_name(-1), "unknown");
}

/* ---------------------------------------------------------------- IPv4 */

static void
test_pkt_ipv4_options_every_ihl(void **state)
{
	struct dnsyn_pkt pkt;
	unsigned int ihl;

	(void)state;
	dns_query_msg();
	for (ihl = 5; ihl <= 15; ihl++) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV4);
		add_ipv4_udp(&F, 40000, 53, (ihl - 5) * 4, 0);
		assert_int_equal(F.b[14] & 0x0f, ihl);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
		assert_udp4_ok(&pkt, 14, ihl * 4);
		assert_memory_equal(F.b + pkt.payload_off, MSG.b, MSG.n);
		/* the header is complete only with all its options */
		assert_int_equal(parse_exact(F.b, 14 + ihl * 4 - 1, DNSYN_LINK_ETHERNET, &pkt),
				 DNSYN_PKT_TRUNC_L3);
	}
}

static void
test_pkt_ipv4_bad_ihl(void **state)
{
	struct dnsyn_pkt pkt;
	unsigned int ihl;

	(void)state;
	dns_query_msg();
	for (ihl = 0; ihl < 5; ihl++) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV4);
		add_ipv4_udp(&F, 40000, 53, 0, 0);
		F.b[14] = (uint8_t)(0x40 | ihl);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
	}
}

static void
test_pkt_ipv4_bad_version(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	F.b[14] = 0x65; /* IPv6 version under the IPv4 ethertype */
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
	F.b[14] = 0x05;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
}

static void
test_pkt_ipv4_total_length_below_ihl(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 8, 0); /* IHL 7 = 28 bytes */
	tp_set16(&F, ip + 2, 27);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
	tp_set16(&F, ip + 2, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
	/* exactly the header: valid IP, the UDP header is missing */
	tp_set16(&F, ip + 2, 28);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L4);
}

static void
test_pkt_ipv4_snaplen_flag(void **state)
{
	struct dnsyn_pkt pkt;
	size_t cut;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	cut = F.n - 5;
	assert_int_equal(parse_exact(F.b, cut, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_SNAPLEN);
	assert_int_equal(pkt.payload_off, 42);
	assert_int_equal(pkt.payload_len, MSG.n - 5);
	/* whole: no flag */
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_false(pkt.flags & DNSYN_PKTF_SNAPLEN);
}

static void
test_pkt_ethernet_padding_trimmed(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip;

	(void)state;
	/* a 40-byte TCP SYN in a minimum 60-byte frame: 6 bytes of padding */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_tcp(&F, 40000, 443, 1000, TP_TCP_SYN, 0, 0);
	assert_int_equal(F.n - ip, 40);
	memset(F.b + F.n, 0xee, 6);
	F.n += 6;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_off, 54);
	assert_int_equal(pkt.payload_len, 0);
	assert_false(pkt.flags & DNSYN_PKTF_SNAPLEN);

	/* a small UDP datagram: the padding is not payload */
	tp_reset(&MSG);
	tp_put(&MSG, "abcd", 4);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	tp_zero(&F, 60 - F.n);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 4);

	/* IPv6 too: the payload length field bounds the datagram */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 40000, 53);
	tp_zero(&F, 17);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 4);
	assert_false(pkt.flags & DNSYN_PKTF_SNAPLEN);
}

static void
test_pkt_udp_length_trims_payload(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip, u;

	(void)state;
	tp_reset(&MSG);
	tp_zero(&MSG, 30);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 0, 0);
	u = ip + 20;
	/* UDP says 8 + 12: the last 18 IP payload bytes are not the datagram's */
	tp_set16(&F, u + 4, 20);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 12);
	/* UDP length larger than the IP payload: the IP length wins */
	tp_set16(&F, u + 4, 200);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 30);
	/* UDP length below 8 (0 = jumbogram style): ignored */
	tp_set16(&F, u + 4, 0);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 30);
	tp_set16(&F, u + 4, 7);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 30);
	/* exactly 8: empty datagram */
	tp_set16(&F, u + 4, 8);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 0);
	/* IPv6: same rule */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = add_ipv6_udp(&F, 40000, 53);
	tp_set16(&F, ip + 40 + 4, 8 + 5);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 5);
}

static void
test_pkt_udp_header_truncated(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip;

	(void)state;
	tp_reset(&MSG);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 0, 0);
	/* IP total length leaves 7 bytes of UDP header (bytes are captured) */
	tp_set16(&F, ip + 2, 27);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L4);
	tp_set16(&F, ip + 2, 28);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 0);
}

static void
test_pkt_ipv4_fragments(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip;

	(void)state;
	dns_query_msg();
	/* first fragment: MF, offset 0 -> L4 not parsed (no ports) */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 0, TP_IP_MF);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.l3_len, 20);
	assert_int_equal(pkt.l4_off, 34);
	assert_int_equal(pkt.payload_off, 34);
	assert_int_equal(pkt.payload_len, F.n - 34);
	assert_int_equal(pkt.sport, 0);
	assert_int_equal(pkt.dport, 0);
	assert_v4mapped(pkt.src, C1);
	/* a later fragment: offset only */
	tp_set16(&F, ip + 6, 185);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	/* middle: MF + offset */
	tp_set16(&F, ip + 6, TP_IP_MF | 1);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	/* a fragment whose payload is shorter than a UDP header is still OK */
	tp_set16(&F, ip + 2, 24);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.payload_len, 4);
	/* DF alone is not a fragment; neither is the reserved bit */
	tp_set16(&F, ip + 2, (uint16_t)(F.n - ip));
	tp_set16(&F, ip + 6, TP_IP_DF);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_false(pkt.flags & DNSYN_PKTF_FRAG);
	assert_int_equal(pkt.dport, 53);
	tp_set16(&F, ip + 6, 0x8000);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_false(pkt.flags & DNSYN_PKTF_FRAG);
}

static void
test_pkt_ipv4_other_protocol(void **state)
{
	struct dnsyn_pkt pkt;
	size_t ip;

	(void)state;
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = tp_ipv4_begin(&F, 1, C1, S1, 0, 0);
	tp_u8(&F, 8); /* echo request */
	tp_zero(&F, 15);
	tp_ipv4_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l4proto, 1);
	assert_int_equal(pkt.l4_off, 34);
	assert_int_equal(pkt.payload_off, 34);
	assert_int_equal(pkt.payload_len, 16);
	assert_int_equal(pkt.sport, 0);
	assert_int_equal(pkt.tcp_flags, 0);
}

/* ---------------------------------------------------------------- IPv6 */

static void
test_pkt_ipv6_ext_chain_udp(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	size_t ip, u;

	(void)state;
	dns_query_msg();
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 0, s, d);
	tp_ipv6_ext(&F, 43, 0); /* hop-by-hop, 8 bytes -> routing */
	tp_ipv6_ext(&F, 60, 2); /* routing, 24 bytes -> dstopts */
	tp_ipv6_ext(&F, 17, 1); /* dstopts, 16 bytes -> UDP */
	u = tp_udp_begin(&F, 40000, 53);
	tp_put(&F, MSG.b, MSG.n);
	tp_udp_end(&F, u);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.l3_len, 40 + 8 + 24 + 16);
	assert_int_equal(pkt.l4_off, u);
	assert_int_equal(pkt.payload_off, u + 8);
	assert_int_equal(pkt.payload_len, MSG.n);
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.frag_hdr_off, 0);
	assert_false(pkt.flags & DNSYN_PKTF_FRAG);
	/* the chain extending past the payload length is cut short, even though
	 * more bytes were captured (trailing padding does not count) */
	tp_set16(&F, ip + 4, 8 + 24 + 8);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L3);
}

static void
test_pkt_ipv6_other_ext_types(void **state)
{
	static const uint8_t types[] = {135, 139, 140};
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	unsigned int i;
	size_t ip;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	for (i = 0; i < DNSYN_ARRAY_SIZE(types); i++) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV6);
		ip = tp_ipv6_begin(&F, types[i], s, d);
		tp_ipv6_ext(&F, 6, 3);
		tp_tcp(&F, 40000, 80, 7, 0, TP_TCP_SYN, 0);
		tp_ipv6_end(&F, ip);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
		assert_int_equal(pkt.l4proto, 6);
		assert_int_equal(pkt.l3_len, 40 + 32);
		assert_int_equal(pkt.dport, 80);
	}
}

static void
test_pkt_ipv6_ext_chain_too_long(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	unsigned int i;
	size_t ip;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	/* exactly the cap: walked to UDP */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 60, s, d);
	for (i = 0; i < DNSYN_PKT_MAX_V6_EXT; i++)
		tp_ipv6_ext(&F, i + 1 < DNSYN_PKT_MAX_V6_EXT ? 60 : 17, 0);
	tp_udp_begin(&F, 1, 53);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.dport, 53);
	/* one more: stopped at the 9th header, which is reported as the protocol */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 60, s, d);
	for (i = 0; i < DNSYN_PKT_MAX_V6_EXT + 1; i++)
		tp_ipv6_ext(&F, i < DNSYN_PKT_MAX_V6_EXT ? 60 : 17, 0);
	tp_udp_begin(&F, 1, 53);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l4proto, 60);
	assert_int_equal(pkt.dport, 0);
	assert_int_equal(pkt.l3_len, 40 + 8 * DNSYN_PKT_MAX_V6_EXT);
}

static void
test_pkt_ipv6_fragment_nonatomic(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	size_t ip, fh;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	dns_query_msg();
	/* fragment header right after the fixed header, M=1 offset 0 */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 44, s, d);
	fh = tp_ipv6_frag(&F, 17, 0, 1, 0xabcd);
	tp_udp_begin(&F, 53, 40000);
	tp_put(&F, MSG.b, MSG.n);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	assert_true(pkt.flags & DNSYN_PKTF_V6);
	assert_int_equal(pkt.frag_hdr_off, fh);
	assert_int_equal(pkt.frag_hdr_off, 14 + 40);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.l3_len, 48);
	assert_int_equal(pkt.l4_off, 14 + 48);
	assert_int_equal(pkt.payload_off, 14 + 48);
	assert_int_equal(pkt.payload_len, 8 + MSG.n);
	assert_int_equal(pkt.sport, 0);
	/* a later fragment: offset != 0, M = 0 */
	tp_set16(&F, fh + 2, (uint16_t)(100 << 3));
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	assert_int_equal(pkt.frag_hdr_off, fh);

	/* behind hop-by-hop: frag_hdr_off tells where it is */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 0, s, d);
	tp_ipv6_ext(&F, 44, 0);
	fh = tp_ipv6_frag(&F, 6, 0, 1, 1);
	tp_zero(&F, 24);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_FRAG);
	assert_int_equal(pkt.frag_hdr_off, 14 + 48);
	assert_int_equal(pkt.frag_hdr_off, fh);
	assert_int_equal(pkt.l4proto, 6);
	assert_int_equal(pkt.l3_len, 56);
	assert_int_equal(pkt.payload_off, 14 + 56);
	assert_int_equal(pkt.payload_len, 24);
	/* fragment header cut short */
	tp_set16(&F, ip + 4, 8 + 7);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L3);
}

static void
test_pkt_ipv6_fragment_atomic(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	size_t ip, fh, u;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 44, s, d);
	fh = tp_ipv6_frag(&F, 17, 0, 0, 0x1111);
	u = tp_udp_begin(&F, 53, 40000);
	tp_put(&F, MSG.b, MSG.n);
	tp_udp_end(&F, u);
	tp_ipv6_end(&F, ip);
	/* reserved bits set do not make it a fragment either */
	F.b[fh + 3] = 0x06;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_false(pkt.flags & DNSYN_PKTF_FRAG);
	assert_int_equal(pkt.l4proto, 17);
	assert_int_equal(pkt.l3_len, 48);
	assert_int_equal(pkt.l4_off, u);
	assert_int_equal(pkt.sport, 53);
	assert_int_equal(pkt.dport, 40000);
	assert_int_equal(pkt.payload_off, u + 8);
	assert_int_equal(pkt.payload_len, MSG.n);
}

static void
test_pkt_ipv6_ah_length_rule(void **state)
{
	struct dnsyn_pkt pkt;
	uint8_t s[16], d[16];
	size_t ip, t;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	/* AH payload len 4 -> (4 + 2) * 4 = 24 bytes (not (4 + 1) * 8 = 40) */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 51, s, d);
	tp_ipv6_ah(&F, 6, 4);
	t = tp_tcp(&F, 40000, 443, 0x01020304, 0, TP_TCP_SYN, 0);
	tp_ipv6_end(&F, ip);
	assert_int_equal(t - ip, 40 + 24);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l4proto, 6);
	assert_int_equal(pkt.l3_len, 64);
	assert_int_equal(pkt.l4_off, t);
	assert_int_equal(pkt.dport, 443);
	assert_int_equal(pkt.tcp_seq, 0x01020304);
	/* AH claiming more than the datagram holds */
	F.b[ip + 41] = 200;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L3);
	/* AH then dstopts then UDP */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 51, s, d);
	tp_ipv6_ah(&F, 60, 1); /* 12 bytes */
	tp_ipv6_ext(&F, 17, 0);
	t = tp_udp_begin(&F, 5, 53);
	tp_udp_end(&F, t);
	tp_ipv6_end(&F, ip);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_int_equal(pkt.l3_len, 40 + 12 + 8);
	assert_int_equal(pkt.dport, 53);
}

static void
test_pkt_ipv6_bad_version_and_short(void **state)
{
	struct dnsyn_pkt pkt;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 40000, 53);
	F.b[14] = 0x45;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_BAD_L3);
	F.b[14] = 0x60;
	assert_int_equal(parse_exact(F.b, 14 + 39, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L3);
	/* snaplen inside the UDP payload */
	assert_int_equal(parse_exact(F.b, F.n - 3, DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_SNAPLEN);
	assert_int_equal(pkt.payload_len, MSG.n - 3);
}

/* ---------------------------------------------------------------- TCP */

static void
test_pkt_tcp_flags_and_seq(void **state)
{
	static const uint8_t flag_sets[] = {
		TP_TCP_SYN, TP_TCP_SYN | TP_TCP_ACK, TP_TCP_ACK | TP_TCP_PSH, TP_TCP_FIN | TP_TCP_ACK,
		TP_TCP_RST, TP_TCP_SYN | TP_TCP_ECE | TP_TCP_CWR, 0xff, 0};
	struct dnsyn_pkt pkt;
	unsigned int i;

	(void)state;
	for (i = 0; i < DNSYN_ARRAY_SIZE(flag_sets); i++) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV4);
		add_ipv4_tcp(&F, 51000, 443, 0xdeadbeef, flag_sets[i], 0, 10);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
		assert_int_equal(pkt.l4proto, 6);
		assert_int_equal(pkt.tcp_flags, flag_sets[i]);
		assert_int_equal(pkt.tcp_seq, 0xdeadbeef);
		assert_int_equal(pkt.sport, 51000);
		assert_int_equal(pkt.dport, 443);
		assert_int_equal(pkt.payload_off, 54);
		assert_int_equal(pkt.payload_len, 10);
	}
	assert_int_equal(DNSYN_TCP_SYN, TP_TCP_SYN);
	assert_int_equal(DNSYN_TCP_ACK, TP_TCP_ACK);
}

static void
test_pkt_tcp_options_data_offset(void **state)
{
	struct dnsyn_pkt pkt;
	unsigned int opt;

	(void)state;
	for (opt = 0; opt <= 40; opt += 4) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV4);
		add_ipv4_tcp(&F, 1, 53, 1, TP_TCP_ACK | TP_TCP_PSH, opt, 3);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_OK);
		assert_int_equal(pkt.payload_off, 54 + opt);
		assert_int_equal(pkt.payload_len, 3);
	}
}

static void
test_pkt_tcp_data_offset_below_5(void **state)
{
	struct dnsyn_pkt pkt;
	unsigned int doff;

	(void)state;
	for (doff = 0; doff < 5; doff++) {
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV4);
		add_ipv4_tcp(&F, 1, 80, 1, TP_TCP_SYN, 0, 20);
		F.b[34 + 12] = (uint8_t)(doff << 4);
		assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L4);
	}
	/* data offset beyond the segment */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_tcp(&F, 1, 80, 1, TP_TCP_SYN, 0, 0);
	F.b[34 + 12] = 6 << 4;
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L4);
	/* header cut by the IP length although bytes were captured */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_tcp(&F, 1, 80, 1, TP_TCP_SYN, 0, 0);
	tp_set16(&F, 14 + 2, 20 + 19);
	assert_int_equal(parse_frame(DNSYN_LINK_ETHERNET, &pkt), DNSYN_PKT_TRUNC_L4);
}

/*
 * Was a bug (dnsyn_pkt.c parse_l4, TCP): a SYN whose options were cut by the
 * capture's snaplen is TRUNC_L4 and dropped, although its flags, ports and ISN
 * (the first 20 bytes) are all there. The paper's tap filter, libpcap's
 * `tcp[13] & 0x2 != 0`, selects such a packet (it reads byte 13 only), and a
 * header-only capture (tcpdump -s 68, or -s 54/64) cuts the options of nearly
 * every SYN (MSS+SACK+TS+WS = 20 bytes: 14 + 20 + 40 = 74 > 68).
 * Frame: Ethernet + IPv4 + TCP SYN 50000->443, seq 0x01020304, data offset 10,
 * captured 68 of 74 bytes. Got TRUNC_L4; expected OK + SNAPLEN, tcp_flags SYN.
 */
static void
test_pkt_tcp_syn_options_cut_by_snaplen(void **state)
{
	struct dnsyn_pkt pkt;
	int st;

	(void)state;
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_tcp(&F, 50000, 443, 0x01020304, TP_TCP_SYN, 20, 0);
	assert_int_equal(F.n, 74);
	st = parse_exact(F.b, 68, DNSYN_LINK_ETHERNET, &pkt);
	assert_int_equal(st, DNSYN_PKT_OK);
	assert_true(pkt.flags & DNSYN_PKTF_SNAPLEN);
	assert_int_equal(pkt.tcp_flags, TP_TCP_SYN);
	assert_int_equal(pkt.sport, 50000);
	assert_int_equal(pkt.dport, 443);
	assert_int_equal(pkt.tcp_seq, 0x01020304);
	assert_true(pkt.payload_off + (uint64_t)pkt.payload_len <= 68);
	assert_int_equal(dnsyn_classify(&pkt), DNSYN_CLS_SYN);
}

/* ------------------------------------------------- truncation at every offset */

/* Where the layers of a valid frame start: a prefix shorter than l3 is TRUNC_L2,
 * shorter than l4 TRUNC_L3, shorter than pay TRUNC_L4, else OK (SNAPLEN while
 * shorter than the whole IP datagram ending at end). */
struct layers {
	int link;
	size_t l3, l4, pay, end;
	uint8_t l4proto;
	uint8_t flags; /* expected flags besides SNAPLEN */
};

static void
check_every_prefix(const uint8_t *frame, size_t len, const struct layers *ly)
{
	size_t cut;

	for (cut = 0; cut <= len; cut++) {
		struct dnsyn_pkt pkt;
		int st, want;

		memset(&pkt, 0xa5, sizeof(pkt));
		st = parse_exact(frame, cut, ly->link, &pkt);
		if (cut < ly->l3)
			want = DNSYN_PKT_TRUNC_L2;
		else if (cut < ly->l4)
			want = DNSYN_PKT_TRUNC_L3;
		else if (cut < ly->pay)
			want = DNSYN_PKT_TRUNC_L4;
		else
			want = DNSYN_PKT_OK;
		if (ly->l3 == 0 && cut == 0)
			want = DNSYN_PKT_TRUNC_L2; /* raw IP: not even the version */
		/* TCP options cut by the capture: either the header counts as cut
		 * (today) or the packet is kept with SNAPLEN (see
		 * test_pkt_tcp_syn_options_cut_by_snaplen); nothing else */
		if (ly->l4proto == 6 && st == DNSYN_PKT_OK && want == DNSYN_PKT_TRUNC_L4 &&
		    cut >= ly->l4 + 20) {
			assert_true(pkt.flags & DNSYN_PKTF_SNAPLEN);
			assert_true(pkt.payload_off + (uint64_t)pkt.payload_len <= cut);
			assert_int_equal(pkt.payload_len, 0);
			assert_int_equal(pkt.l4_off, ly->l4);
			continue;
		}
		if (st != want)
			fail_msg("prefix %zu of %zu: status %s, want %s", cut, len,
				 dnsyn_pkt_status_name(st), dnsyn_pkt_status_name(want));
		if (st != DNSYN_PKT_OK)
			continue;
		assert_true(pkt.payload_off + (uint64_t)pkt.payload_len <= cut);
		assert_int_equal(pkt.payload_off, ly->pay);
		assert_int_equal(pkt.payload_len, cut - ly->pay);
		assert_int_equal(pkt.l4_off, ly->l4);
		assert_int_equal(pkt.l2_len, ly->l3);
		assert_int_equal(pkt.l2_len + pkt.l3_len, pkt.l4_off);
		assert_int_equal(pkt.l4proto, ly->l4proto);
		assert_int_equal(pkt.flags & ~DNSYN_PKTF_SNAPLEN, ly->flags);
		assert_int_equal(!!(pkt.flags & DNSYN_PKTF_SNAPLEN), cut < ly->end);
	}
}

static void
test_pkt_truncation_every_offset_udp_dns_v4(void **state)
{
	struct layers ly = {.link = DNSYN_LINK_ETHERNET, .l4proto = 17};
	size_t ip;

	(void)state;
	/* a real-looking response with IP options */
	tp_reset(&MSG);
	tp_dns_hdr(&MSG, 1, TP_DNS_QR | TP_DNS_RD | TP_DNS_RA, 1, 2, 0, 0);
	tp_dns_question(&MSG, "www.example.com", 1, 1);
	tp_dns_rr_a(&MSG, 12, 300, TP_V4(93, 184, 216, 34));
	tp_dns_rr_a(&MSG, 12, 300, TP_V4(93, 184, 216, 35));
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 53, 40000, 8, 0);
	ly.l3 = ip;
	ly.l4 = ip + 28;
	ly.pay = ly.l4 + 8;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
	/* same on raw IP */
	tp_reset(&F);
	add_ipv4_udp(&F, 53, 40000, 0, 0);
	ly.link = DNSYN_LINK_RAW;
	ly.l3 = 0;
	ly.l4 = 20;
	ly.pay = 28;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
}

static void
test_pkt_truncation_every_offset_tcp_syn_v6_ext(void **state)
{
	struct layers ly = {.link = DNSYN_LINK_ETHERNET, .l4proto = 6, .flags = DNSYN_PKTF_V6};
	uint8_t s[16], d[16];
	size_t ip, t;

	(void)state;
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 0, s, d);
	tp_ipv6_ext(&F, 43, 0);
	tp_ipv6_ext(&F, 44, 1);
	tp_ipv6_frag(&F, 51, 0, 0, 9); /* atomic */
	tp_ipv6_ah(&F, 60, 2);
	tp_ipv6_ext(&F, 6, 0);
	t = tp_tcp(&F, 50000, 443, 123456789, 0, TP_TCP_SYN, 20);
	tp_ipv6_end(&F, ip);
	ly.l3 = ip;
	ly.l4 = t;
	ly.pay = t + 40;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
	/* same frame over SLL2 */
	{
		static struct tp_buf G;

		tp_reset(&G);
		tp_sll2(&G, TP_ETH_IPV6);
		tp_put(&G, F.b + 14, F.n - 14);
		ly.link = DNSYN_LINK_LINUX_SLL2;
		ly.l3 += 6;
		ly.l4 += 6;
		ly.pay += 6;
		ly.end += 6;
		check_every_prefix(G.b, G.n, &ly);
	}
}

static void
test_pkt_truncation_every_offset_vlan_stacked(void **state)
{
	static const uint16_t q[] = {TP_ETH_8021AD, TP_ETH_8021Q, TP_ETH_QINQ_OLD};
	struct layers ly = {.link = DNSYN_LINK_ETHERNET, .l4proto = 17, .flags = DNSYN_PKTF_VLAN};
	size_t ip;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth_vlan(&F, q, 3, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 0, 0);
	ly.l3 = ip;
	ly.l4 = ip + 20;
	ly.pay = ip + 28;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
}

static void
test_pkt_truncation_every_offset_fragments(void **state)
{
	struct layers ly = {.link = DNSYN_LINK_ETHERNET, .l4proto = 17, .flags = DNSYN_PKTF_FRAG};
	uint8_t s[16], d[16];
	size_t ip, fh;

	(void)state;
	dns_query_msg();
	/* IPv4 first fragment: no L4 header is needed */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = add_ipv4_udp(&F, 40000, 53, 4, TP_IP_MF);
	ly.l3 = ip;
	ly.l4 = ly.pay = ip + 24;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
	/* IPv6 fragment behind a routing header */
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&F);
	tp_null(&F, 30, 0);
	ip = tp_ipv6_begin(&F, 43, s, d);
	tp_ipv6_ext(&F, 44, 0);
	fh = tp_ipv6_frag(&F, 17, 0, 1, 5);
	tp_zero(&F, 30);
	tp_ipv6_end(&F, ip);
	ly.link = DNSYN_LINK_NULL;
	ly.flags = DNSYN_PKTF_FRAG | DNSYN_PKTF_V6;
	ly.l3 = ip;
	ly.l4 = ly.pay = fh + 8;
	ly.end = F.n;
	check_every_prefix(F.b, F.n, &ly);
}

/* Deterministic mutation fuzz: random byte edits of valid frames, every link
 * type; whatever comes out must stay inside the buffer. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	return tp_xorshift(&rng_state);
}

static void
test_pkt_mutation_fuzz_stays_in_bounds(void **state)
{
	static const int links[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276};
	static struct tp_buf seed[4];
	static uint8_t buf[512];
	unsigned int iter;
	uint8_t s[16], d[16];
	size_t ip;

	(void)state;
	dns_query_msg();
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&seed[0]);
	add_ipv4_udp(&seed[0], 40000, 53, 8, 0);
	tp_reset(&seed[1]);
	ip = tp_ipv6_begin(&seed[1], 0, s, d);
	tp_ipv6_ext(&seed[1], 44, 0);
	tp_ipv6_frag(&seed[1], 6, 0, 0, 1);
	tp_tcp(&seed[1], 1, 2, 3, 4, TP_TCP_SYN, 8);
	tp_ipv6_end(&seed[1], ip);
	tp_reset(&seed[2]);
	add_ipv4_tcp(&seed[2], 1, 53, 5, TP_TCP_ACK, 4, 30);
	tp_reset(&seed[3]);
	add_ipv6_udp(&seed[3], 53, 1);

	for (iter = 0; iter < 60000; iter++) {
		const struct tp_buf *sd = &seed[rng() % 4];
		int link = links[rng() % DNSYN_ARRAY_SIZE(links)];
		size_t pre = 0, len, n, k;
		struct dnsyn_pkt pkt;
		struct tp_exact e;
		int st;

		/* a plausible link header in front */
		switch (link) {
		case 1: {
			static const uint16_t tp[] = {0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100};
			uint16_t ty = tp[rng() % 5];

			memset(buf, 0, 12);
			buf[12] = (uint8_t)(ty >> 8);
			buf[13] = (uint8_t)ty;
			pre = 14;
			break;
		}
		case 113:
			memset(buf, 0, 16);
			buf[14] = (sd->b[0] >> 4) == 6 ? 0x86 : 0x08;
			buf[15] = (sd->b[0] >> 4) == 6 ? 0xdd : 0x00;
			pre = 16;
			break;
		case 276:
			memset(buf, 0, 20);
			buf[0] = (sd->b[0] >> 4) == 6 ? 0x86 : 0x08;
			buf[1] = (sd->b[0] >> 4) == 6 ? 0xdd : 0x00;
			pre = 20;
			break;
		case 0:
		case 108:
			memset(buf, 0, 4);
			buf[3] = (sd->b[0] >> 4) == 6 ? 24 : 2;
			pre = 4;
			break;
		default:
			break;
		}
		memcpy(buf + pre, sd->b, sd->n);
		len = pre + sd->n;
		n = 1 + rng() % 4;
		for (k = 0; k < n; k++)
			buf[rng() % len] = (uint8_t)rng();
		if (rng() % 2)
			len = rng() % (len + 1);
		tp_exact_dup(&e, buf, len);
		st = dnsyn_pkt_parse(e.p, (uint32_t)len, link, &pkt);
		assert_true(st >= 0 && st < DNSYN_PKT_STATUS_MAX);
		if (st == DNSYN_PKT_OK) {
			assert_true(pkt.payload_off + (uint64_t)pkt.payload_len <= len);
			assert_true(pkt.l4_off <= len);
			assert_int_equal(pkt.l2_len + pkt.l3_len, pkt.l4_off);
			if (pkt.flags & DNSYN_PKTF_FRAG && pkt.flags & DNSYN_PKTF_V6)
				assert_true(pkt.frag_hdr_off + 8u <= len);
		}
		tp_exact_free(&e);
	}
}

/* ---------------------------------------------------------------- classifier */

static unsigned int
classify_frame(int link)
{
	struct dnsyn_pkt pkt;

	assert_int_equal(parse_frame(link, &pkt), DNSYN_PKT_OK);
	return dnsyn_classify(&pkt);
}

static unsigned int
classify_tcp4(uint16_t sport, uint16_t dport, uint8_t flags)
{
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_tcp(&F, sport, dport, 1, flags, 0, 0);
	return classify_frame(DNSYN_LINK_ETHERNET);
}

static void
test_classify_dns_udp_both_directions(void **state)
{
	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 40000, 53, 0, 0);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_DNS_UDP);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 53, 40000, 0, 0);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_DNS_UDP);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	add_ipv6_udp(&F, 53, 53);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_DNS_UDP);
	/* other UDP ports, including 5353 (mDNS) and 853 */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 5353, 5353, 0, 0);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_OTHER);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 853, 40000, 0, 0);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_OTHER);
}

static void
test_classify_dns_tcp(void **state)
{
	(void)state;
	assert_int_equal(classify_tcp4(40000, 53, TP_TCP_ACK | TP_TCP_PSH),
			 DNSYN_CLS_DNS_TCP | DNSYN_CLS_F_TCPDNS);
	assert_int_equal(classify_tcp4(53, 40000, TP_TCP_ACK), DNSYN_CLS_DNS_TCP | DNSYN_CLS_F_TCPDNS);
	assert_int_equal(classify_tcp4(53, 40000, TP_TCP_FIN | TP_TCP_ACK),
			 DNSYN_CLS_DNS_TCP | DNSYN_CLS_F_TCPDNS);
	assert_int_equal(classify_tcp4(53, 40000, TP_TCP_RST), DNSYN_CLS_DNS_TCP | DNSYN_CLS_F_TCPDNS);
	/* not port 53 and no SYN */
	assert_int_equal(classify_tcp4(40000, 443, TP_TCP_ACK), DNSYN_CLS_OTHER);
}

static void
test_classify_syn_variants(void **state)
{
	(void)state;
	assert_int_equal(classify_tcp4(40000, 443, TP_TCP_SYN), DNSYN_CLS_SYN);
	assert_int_equal(classify_tcp4(40000, 443, TP_TCP_SYN | TP_TCP_ECE | TP_TCP_CWR),
			 DNSYN_CLS_SYN);
	assert_int_equal(classify_tcp4(40000, 80, TP_TCP_SYN | TP_TCP_PSH | TP_TCP_URG),
			 DNSYN_CLS_SYN);
	assert_int_equal(classify_tcp4(443, 40000, TP_TCP_SYN | TP_TCP_ACK), DNSYN_CLS_SYNACK);
	assert_int_equal(classify_tcp4(443, 40000, TP_TCP_SYN | TP_TCP_ACK | TP_TCP_ECE),
			 DNSYN_CLS_SYNACK);
	/* SYN to port 53: still a SYN, and the DNS stream must see it */
	assert_int_equal(classify_tcp4(40000, 53, TP_TCP_SYN), DNSYN_CLS_SYN | DNSYN_CLS_F_TCPDNS);
	assert_int_equal(classify_tcp4(53, 40000, TP_TCP_SYN | TP_TCP_ACK),
			 DNSYN_CLS_SYNACK | DNSYN_CLS_F_TCPDNS);
	/* IPv6 SYN */
	{
		uint8_t s[16], d[16];
		size_t ip;

		tp_v6(s, 1, 1);
		tp_v6(d, 2, 2);
		tp_reset(&F);
		tp_eth(&F, TP_ETH_IPV6);
		ip = tp_ipv6_begin(&F, 6, s, d);
		tp_tcp(&F, 40000, 443, 1, 0, TP_TCP_SYN, 0);
		tp_ipv6_end(&F, ip);
		assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_SYN);
	}
}

static void
test_classify_fragments(void **state)
{
	uint8_t s[16], d[16];
	size_t ip;

	(void)state;
	dns_query_msg();
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	add_ipv4_udp(&F, 53, 40000, 0, TP_IP_MF);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_FRAG);
	/* a TCP first fragment whose bytes look like a SYN is still just a fragment */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = tp_ipv4_begin(&F, 6, C1, S1, 0, TP_IP_MF);
	tp_tcp(&F, 40000, 443, 1, 0, TP_TCP_SYN, 0);
	tp_ipv4_end(&F, ip);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_FRAG);
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 44, s, d);
	tp_ipv6_frag(&F, 17, 0, 1, 1);
	tp_zero(&F, 16);
	tp_ipv6_end(&F, ip);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_FRAG);
}

static void
test_classify_icmp_and_other(void **state)
{
	size_t ip;
	uint8_t s[16], d[16];

	(void)state;
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = tp_ipv4_begin(&F, 1, C1, S1, 0, 0);
	/* a port-unreachable quoting a DNS packet: the quoted ports do not count */
	tp_u8(&F, 3);
	tp_u8(&F, 3);
	tp_zero(&F, 6);
	{
		size_t qip = tp_ipv4_begin(&F, 17, S1, C1, 0, 0);
		size_t u = tp_udp_begin(&F, 53, 40000);

		tp_udp_end(&F, u);
		tp_ipv4_end(&F, qip);
	}
	tp_ipv4_end(&F, ip);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_OTHER);
	/* ICMPv6 */
	tp_v6(s, 1, 1);
	tp_v6(d, 2, 2);
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV6);
	ip = tp_ipv6_begin(&F, 58, s, d);
	tp_zero(&F, 8);
	tp_ipv6_end(&F, ip);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_OTHER);
	/* GRE with bytes that would look like port 53 at the UDP position */
	tp_reset(&F);
	tp_eth(&F, TP_ETH_IPV4);
	ip = tp_ipv4_begin(&F, 47, C1, S1, 0, 0);
	tp_be16(&F, 53);
	tp_be16(&F, 53);
	tp_zero(&F, 4);
	tp_ipv4_end(&F, ip);
	assert_int_equal(classify_frame(DNSYN_LINK_ETHERNET), DNSYN_CLS_OTHER);
}

static void
test_classify_in_tap(void **state)
{
	(void)state;
	assert_false(dnsyn_classify_in_tap(DNSYN_CLS_OTHER));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_DNS_UDP));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_DNS_TCP));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_SYN));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_SYNACK));
	assert_false(dnsyn_classify_in_tap(DNSYN_CLS_FRAG));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_SYN | DNSYN_CLS_F_TCPDNS));
	assert_true(dnsyn_classify_in_tap(DNSYN_CLS_DNS_TCP | DNSYN_CLS_F_TCPDNS));
	assert_false(dnsyn_classify_in_tap(DNSYN_CLS_OTHER | DNSYN_CLS_F_TCPDNS));
	assert_false(dnsyn_classify_in_tap(DNSYN_CLS_MAX));
	/* end to end: the tap filter on built frames */
	assert_true(dnsyn_classify_in_tap(classify_tcp4(1, 2, TP_TCP_SYN)));
	assert_true(dnsyn_classify_in_tap(classify_tcp4(2, 1, TP_TCP_SYN | TP_TCP_ACK)));
	assert_true(dnsyn_classify_in_tap(classify_tcp4(53, 1, TP_TCP_ACK)));
	assert_false(dnsyn_classify_in_tap(classify_tcp4(80, 1, TP_TCP_ACK)));
}

static void
test_classify_names(void **state)
{
	(void)state;
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_OTHER), "other");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_DNS_UDP), "dns_udp");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_DNS_TCP), "dns_tcp");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_SYN), "syn");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_SYNACK), "synack");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_FRAG), "ip_fragment");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_SYN | DNSYN_CLS_F_TCPDNS), "syn");
	assert_string_equal(dnsyn_cls_name(DNSYN_CLS_MAX), "unknown");
	assert_string_equal(dnsyn_cls_name(0xff), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_ethernet_ipv4_udp),
		cmocka_unit_test(test_pkt_ethernet_ipv6_udp),
		cmocka_unit_test(test_pkt_vlan_8021q),
		cmocka_unit_test(test_pkt_vlan_qinq_88a8_8100),
		cmocka_unit_test(test_pkt_vlan_9100),
		cmocka_unit_test(test_pkt_vlan_ipv6_inside),
		cmocka_unit_test(test_pkt_vlan_max_depth),
		cmocka_unit_test(test_pkt_vlan_truncated_tag),
		cmocka_unit_test(test_pkt_ethernet_non_ip),
		cmocka_unit_test(test_pkt_linux_sll),
		cmocka_unit_test(test_pkt_linux_sll2),
		cmocka_unit_test(test_pkt_raw_ip_linktypes),
		cmocka_unit_test(test_pkt_ipv4_ipv6_linktypes),
		cmocka_unit_test(test_pkt_null_both_byte_orders),
		cmocka_unit_test(test_pkt_loop_network_order),
		cmocka_unit_test(test_pkt_unsupported_linktype),
		cmocka_unit_test(test_pkt_status_names),
		cmocka_unit_test(test_pkt_ipv4_options_every_ihl),
		cmocka_unit_test(test_pkt_ipv4_bad_ihl),
		cmocka_unit_test(test_pkt_ipv4_bad_version),
		cmocka_unit_test(test_pkt_ipv4_total_length_below_ihl),
		cmocka_unit_test(test_pkt_ipv4_snaplen_flag),
		cmocka_unit_test(test_pkt_ethernet_padding_trimmed),
		cmocka_unit_test(test_pkt_udp_length_trims_payload),
		cmocka_unit_test(test_pkt_udp_header_truncated),
		cmocka_unit_test(test_pkt_ipv4_fragments),
		cmocka_unit_test(test_pkt_ipv4_other_protocol),
		cmocka_unit_test(test_pkt_ipv6_ext_chain_udp),
		cmocka_unit_test(test_pkt_ipv6_other_ext_types),
		cmocka_unit_test(test_pkt_ipv6_ext_chain_too_long),
		cmocka_unit_test(test_pkt_ipv6_fragment_nonatomic),
		cmocka_unit_test(test_pkt_ipv6_fragment_atomic),
		cmocka_unit_test(test_pkt_ipv6_ah_length_rule),
		cmocka_unit_test(test_pkt_ipv6_bad_version_and_short),
		cmocka_unit_test(test_pkt_tcp_flags_and_seq),
		cmocka_unit_test(test_pkt_tcp_options_data_offset),
		cmocka_unit_test(test_pkt_tcp_data_offset_below_5),
		cmocka_unit_test(test_pkt_tcp_syn_options_cut_by_snaplen),
		cmocka_unit_test(test_pkt_truncation_every_offset_udp_dns_v4),
		cmocka_unit_test(test_pkt_truncation_every_offset_tcp_syn_v6_ext),
		cmocka_unit_test(test_pkt_truncation_every_offset_vlan_stacked),
		cmocka_unit_test(test_pkt_truncation_every_offset_fragments),
		cmocka_unit_test(test_pkt_mutation_fuzz_stays_in_bounds),
		cmocka_unit_test(test_classify_dns_udp_both_directions),
		cmocka_unit_test(test_classify_dns_tcp),
		cmocka_unit_test(test_classify_syn_variants),
		cmocka_unit_test(test_classify_fragments),
		cmocka_unit_test(test_classify_icmp_and_other),
		cmocka_unit_test(test_classify_in_tap),
		cmocka_unit_test(test_classify_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
