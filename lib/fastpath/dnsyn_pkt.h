/* SPDX-License-Identifier: BSD-3-Clause */
/* Fast path: L2-L4 parse of one contiguous frame. Pure: no DPDK, no allocation,
 * no clock. Called by the RX lcore for every packet, by the tap-filter test and
 * by the fuzz target. */
#ifndef DNSYN_PKT_H
#define DNSYN_PKT_H

#include <stdint.h>

/* pcap link types (LINKTYPE_*, www.tcpdump.org/linktypes.html) */
#define DNSYN_LINK_NULL 0
#define DNSYN_LINK_ETHERNET 1
#define DNSYN_LINK_RAW_OPENBSD 12 /* DLT_RAW on some BSDs */
#define DNSYN_LINK_RAW_BSDOS 14
#define DNSYN_LINK_RAW 101
#define DNSYN_LINK_LOOP 108
#define DNSYN_LINK_LINUX_SLL 113
#define DNSYN_LINK_IPV4 228
#define DNSYN_LINK_IPV6 229
#define DNSYN_LINK_LINUX_SLL2 276

/** Max VLAN tags walked before giving up (802.1Q/802.1ad/0x9100 stacks). */
#define DNSYN_PKT_MAX_VLAN 8
/** Max IPv6 extension headers walked. */
#define DNSYN_PKT_MAX_V6_EXT 8

/** Result of dnsyn_pkt_parse(): exactly one per packet. */
enum dnsyn_pkt_status {
	DNSYN_PKT_OK = 0,     /**< IPv4/IPv6 parsed; see l4proto */
	DNSYN_PKT_NON_IP,     /**< not IP (ARP, PPPoE, unknown link...) */
	DNSYN_PKT_TRUNC_L2,   /**< link/VLAN header cut short */
	DNSYN_PKT_BAD_L3,     /**< IP header invalid (version, IHL, length) */
	DNSYN_PKT_TRUNC_L3,   /**< IP header (or v6 ext chain) cut short */
	DNSYN_PKT_TRUNC_L4,   /**< TCP/UDP header cut short or invalid */
	DNSYN_PKT_STATUS_MAX
};

/* pkt->flags */
#define DNSYN_PKTF_V6 0x01       /**< IPv6 (else IPv4) */
#define DNSYN_PKTF_FRAG 0x02     /**< non-atomic IP fragment: L4 not parsed */
#define DNSYN_PKTF_SNAPLEN 0x04  /**< captured bytes < IP length (payload cut) */
#define DNSYN_PKTF_VLAN 0x08     /**< at least one VLAN tag */

#define DNSYN_TCP_FIN 0x01
#define DNSYN_TCP_SYN 0x02
#define DNSYN_TCP_RST 0x04
#define DNSYN_TCP_PSH 0x08
#define DNSYN_TCP_ACK 0x10

struct dnsyn_pkt {
	uint8_t flags;      /**< DNSYN_PKTF_* */
	uint8_t l4proto;    /**< IP protocol after the v6 extension chain */
	uint8_t tcp_flags;  /**< TCP only */
	uint8_t n_vlan;
	uint16_t l2_len;    /**< bytes before the IP header */
	uint16_t l3_len;    /**< IP header incl. options / v6 ext headers */
	uint16_t l4_off;    /**< offset of the L4 header in the frame */
	uint16_t frag_hdr_off; /**< v6: offset of the fragment header, 0 if none */
	uint32_t payload_off;  /**< offset of L4 payload in the frame */
	uint32_t payload_len;  /**< L4 payload bytes present (min of IP length, captured) */
	uint16_t sport;
	uint16_t dport;
	uint32_t tcp_seq;
	uint8_t src[16];    /**< v4-mapped for IPv4 */
	uint8_t dst[16];
};

/**
 * Parse one frame.
 *
 * @param p        first byte of the frame as captured
 * @param caplen   bytes available at p
 * @param linktype DNSYN_LINK_* of the capture (Ethernet for live ports)
 * @param pkt      filled on return; valid fields depend on the status
 * @return an enum dnsyn_pkt_status
 */
int dnsyn_pkt_parse(const uint8_t *p, uint32_t caplen, int linktype, struct dnsyn_pkt *pkt);

/** 1 if dnsyn_pkt_parse() can decode this link type. */
int dnsyn_pkt_linktype_supported(int linktype);

/** Name of a status, for reports and counters. */
const char *dnsyn_pkt_status_name(int status);

#endif
