/* SPDX-License-Identifier: BSD-3-Clause */
/* DNS message parser (RFC 1035 §4.1). Pure, bounds-checked, allocation-free.
 * Called by the RX lcore on every port-53 payload (UDP datagram or one TCP
 * message after the length prefix). A hostile message can make it stop early,
 * never read outside [msg, msg+len). */
#ifndef DNSYN_DNS_H
#define DNSYN_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNSYN_DNS_HDR_LEN 12
/** Address RRs listed per message. A 64 KiB message holds at most 4094 A RRs
 *  (16 bytes each with a compressed owner), so every one is listed: the
 *  definitions let a SYN to any of them match. */
#define DNSYN_DNS_MAX_ADDRS 4096
/** RRs walked per section. The smallest RR takes 11 bytes, so no 64 KiB
 *  message reaches this: the walk is bounded by the message length. */
#define DNSYN_DNS_MAX_RRS 6000
/** Compression pointer jumps allowed while decoding one name. */
#define DNSYN_DNS_MAX_JUMPS 16
/** CNAME RRs remembered per message for following the chain. */
#define DNSYN_DNS_MAX_CNAMES 16
/** Labels of a name at most (255 wire bytes, one-octet labels). */
#define DNSYN_DNS_MAX_LABELS 127
/** chain_init once the chain memo was cleared (a struct that never was may
 *  hold anything there). */
#define DNSYN_DNS_CHAIN_INIT 0x6e6d656dU
/** Longest presentation-format name dnsyn_dns_name_decode() can write
 *  (255 wire bytes, every byte escaped as \DDD, plus NUL). */
#define DNSYN_DNS_NAME_TXT_MAX (255 * 4 + 1)

#define DNSYN_DNS_T_A 1
#define DNSYN_DNS_T_NS 2
#define DNSYN_DNS_T_CNAME 5
#define DNSYN_DNS_T_SOA 6
#define DNSYN_DNS_T_PTR 12
#define DNSYN_DNS_T_MX 15
#define DNSYN_DNS_T_TXT 16
#define DNSYN_DNS_T_AAAA 28
#define DNSYN_DNS_T_SRV 33
#define DNSYN_DNS_T_OPT 41
#define DNSYN_DNS_T_SVCB 64
#define DNSYN_DNS_T_HTTPS 65
#define DNSYN_DNS_C_IN 1

/** Why parsing stopped. OK means every section was walked. */
enum dnsyn_dns_status {
	DNSYN_DNS_OK = 0,
	DNSYN_DNS_SHORT,        /**< fewer than 12 bytes: not a DNS message */
	DNSYN_DNS_BAD_QUESTION, /**< question section does not fit */
	DNSYN_DNS_BAD_ANSWER,   /**< an ANSWER RR does not fit */
	DNSYN_DNS_BAD_AUTH,     /**< an AUTHORITY RR does not fit */
	DNSYN_DNS_BAD_ADDL,     /**< an ADDITIONAL RR does not fit */
	DNSYN_DNS_STATUS_MAX
};

struct dnsyn_dns_msg {
	uint16_t id;
	uint8_t qr;
	uint8_t opcode;
	uint8_t rcode;      /**< header RCODE (4 bits) */
	uint8_t tc;
	uint8_t has_opt;    /**< an OPT RR was found in ADDITIONAL */
	uint8_t status;     /**< enum dnsyn_dns_status */
	uint16_t ext_rcode; /**< 12-bit RCODE with the OPT extension, else rcode */
	uint16_t qdcount, ancount, nscount, arcount;
	uint16_t qtype;     /**< first question; 0 when there is none */
	uint16_t qclass;
	uint16_t qname_off; /**< offset of the first question's name; 0 if none */
	uint16_t n_a;       /**< ANSWER RRs: TYPE A, CLASS IN, RDLENGTH 4 */
	uint16_t n_aaaa;    /**< ANSWER RRs: TYPE AAAA, CLASS IN, RDLENGTH 16 */
	uint16_t n_cname;   /**< ANSWER RRs of TYPE CNAME */
	uint16_t n_rr;      /**< RRs walked in all sections */
	uint32_t ttl_min;   /**< min TTL over A/AAAA RRs; UINT32_MAX if none */
	uint8_t chain_len;  /**< CNAME hops from the question name to the final name */
	uint8_t chain_loop; /**< the CNAME chain goes on past DNSYN_DNS_MAX_CNAMES hops */
	uint16_t n_addr_off_chain; /**< listed A/AAAA RRs whose owner is not the chain's end */
	uint16_t n_addr;    /**< entries in addr[] (<= DNSYN_DNS_MAX_ADDRS) */
	/** RDATA offset of each A/AAAA RR in ANSWER order; bit 16 set for AAAA. */
	uint32_t addr[DNSYN_DNS_MAX_ADDRS];
	/* Working state for the chain (owner/target name offsets). */
	uint16_t addr_owner[DNSYN_DNS_MAX_ADDRS];
	uint16_t cname_owner[DNSYN_DNS_MAX_CNAMES + 1]; /* +1: to see a chain go on */
	uint16_t cname_target[DNSYN_DNS_MAX_CNAMES + 1];
	uint8_t n_cname_list;
	/* Working state of the chain and owner checks, kept across messages
	 * (cleared on first use and when the stamp wraps): per message offset,
	 * stamp << 16 | matched suffix of the name compared with << 8 | jumps. */
	uint32_t chain_init;
	uint16_t chain_stamp;
	uint32_t chain_memo[65536];
};

#define DNSYN_DNS_ADDR_OFF(a) ((a) & 0xffffu)
#define DNSYN_DNS_ADDR_IS_V6(a) (((a) >> 16) & 1u)

/**
 * Parse a DNS message. For a response with addresses it also follows the CNAME
 * chain from the question name (chain_len) and counts address RRs whose owner
 * is not the name the chain ends at (n_addr_off_chain: tunnels, poisoning
 * attempts, or sloppy servers).
 *
 * @param msg the message (UDP payload, or a TCP message without its prefix)
 * @param len its length; at most 65535 is looked at
 * @param m   filled on return, also on failure (what was valid before the fault)
 * @return 0 when the header was read (m->status tells how far the rest got),
 *         -EINVAL when the message is shorter than a header (m->status SHORT)
 */
int dnsyn_dns_parse(const uint8_t *msg, uint32_t len, struct dnsyn_dns_msg *m);

/**
 * 1 when the names at @p a and @p b are equal (ASCII case-insensitive, RFC 4343),
 * following compression pointers with the limits of dnsyn_dns_name_decode();
 * 0 when they differ or either is malformed.
 */
int dnsyn_dns_name_equal(const uint8_t *msg, uint32_t len, uint32_t a, uint32_t b);

/**
 * A 32-bit hash of the name at @p off, the same for names equal by
 * dnsyn_dns_name_equal() (case folded, compression followed, same limits);
 * 0 for a malformed name, never 0 otherwise. For counting distinct names.
 */
uint32_t dnsyn_dns_name_hash(const uint8_t *msg, uint32_t len, uint32_t off);

/**
 * Decode the name at @p off into presentation format ("www.example.com",
 * root as "."), following compression pointers (backwards only, never into the
 * header, at most DNSYN_DNS_MAX_JUMPS), labels <= 63, names <= 255 wire bytes.
 * Bytes outside [A-Za-z0-9-_] are written as \DDD so the output is ASCII.
 *
 * @return length written (excluding NUL), -EINVAL on a malformed name,
 *         -EMSGSIZE when @p outlen is too small
 */
int dnsyn_dns_name_decode(const uint8_t *msg, uint32_t len, uint32_t off, char *out,
			  size_t outlen);

const char *dnsyn_dns_status_name(int status);

#endif
