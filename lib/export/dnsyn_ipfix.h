/* SPDX-License-Identifier: BSD-3-Clause */
/* Export side, pure: the IPFIX (RFC 7011) message encoder. dnsyn's templates,
 * its enterprise Information Elements (with RFC 5610 type records), the record
 * structs the correlation hands over, and a builder that packs them into
 * messages bounded by an MTU. No allocation, no system call: the transports
 * (dnsyn_ipfix_transport.h) own the buffers, clocks and sequence numbers.
 * docs/ipfix.md lists every template and element. */
#ifndef DNSYN_IPFIX_H
#define DNSYN_IPFIX_H

#include <stddef.h>
#include <stdint.h>

#define DNSYN_IPFIX_VERSION 10
#define DNSYN_IPFIX_PORT 4739
#define DNSYN_IPFIX_HDR_LEN 16
#define DNSYN_IPFIX_SET_HDR_LEN 4
/** RFC 5612's documentation number, until an operator sets theirs. */
#define DNSYN_IPFIX_PEN_DEFAULT 32473
/** CERT's PEN: dnsQName is reused from its registry (docs/ipfix.md). */
#define DNSYN_IPFIX_PEN_CERT 6871
#define DNSYN_IPFIX_MTU_DEFAULT 1400
/** Smallest MTU accepted: the largest fixed-size record with room to spare
 * (checked by dnsyn_ipfix_mtu_ok(), the unit tests keep the two in step). */
#define DNSYN_IPFIX_MTU_MIN 512
#define DNSYN_IPFIX_MSG_MAX 65535
/** Query names are cut (after escaping, never inside an escape) to this, and
 * further to what fits an otherwise empty message of the MTU, so a correlation
 * record always fits (only MTUs below ~1130 octets cut any real name). */
#define DNSYN_IPFIX_QNAME_MAX 1024

#define DNSYN_IPFIX_SET_TEMPLATE 2
#define DNSYN_IPFIX_SET_OPTIONS 3
#define DNSYN_IPFIX_VARLEN 65535

/* IANA data types, semantics and units (RFC 7012, RFC 5610 registries). */
enum dnsyn_ipfix_type {
	DNSYN_IPFIX_T_OCTETS = 0, DNSYN_IPFIX_T_U8 = 1, DNSYN_IPFIX_T_U16 = 2,
	DNSYN_IPFIX_T_U32 = 3, DNSYN_IPFIX_T_U64 = 4, DNSYN_IPFIX_T_FLOAT64 = 10,
	DNSYN_IPFIX_T_BOOL = 11, DNSYN_IPFIX_T_STRING = 13,
	DNSYN_IPFIX_T_DT_S = 14, DNSYN_IPFIX_T_DT_MS = 15, DNSYN_IPFIX_T_IPV4 = 18,
	DNSYN_IPFIX_T_IPV6 = 19,
};
enum dnsyn_ipfix_sem {
	DNSYN_IPFIX_S_DEFAULT = 0, DNSYN_IPFIX_S_QUANTITY = 1, DNSYN_IPFIX_S_TOTAL = 2,
	DNSYN_IPFIX_S_DELTA = 3, DNSYN_IPFIX_S_ID = 4,
};
enum dnsyn_ipfix_unit {
	DNSYN_IPFIX_U_NONE = 0, DNSYN_IPFIX_U_PACKETS = 3, DNSYN_IPFIX_U_SECONDS = 5,
	DNSYN_IPFIX_U_US = 7, DNSYN_IPFIX_U_MESSAGES = 10, DNSYN_IPFIX_U_ENTRIES = 12,
};

/* Template ids (>= 256). Data templates go out in the configured observation
 * domain, options templates for statistics in domain 0 (RFC 7011 section 4);
 * the RFC 5610 type-record template in both (type records are scoped to the
 * session and domain that use the elements). */
enum dnsyn_ipfix_tid {
	DNSYN_IPFIX_TID_CORR4 = 256,
	DNSYN_IPFIX_TID_CORR6 = 257,
	DNSYN_IPFIX_TID_PORT = 258,
	DNSYN_IPFIX_TID_CLIENT4 = 259,
	DNSYN_IPFIX_TID_CLIENT6 = 260,
	DNSYN_IPFIX_TID_METER = 261,
	DNSYN_IPFIX_TID_EXPORT = 262,
	DNSYN_IPFIX_TID_COUNTERS = 263,
	DNSYN_IPFIX_TID_IETYPE = 264,
	DNSYN_IPFIX_TID_ALERT4 = 265,
	DNSYN_IPFIX_TID_ALERT6 = 266,
	DNSYN_IPFIX_TID_TOP4 = 267,
	DNSYN_IPFIX_TID_TOP6 = 268,
};
#define DNSYN_IPFIX_N_TEMPLATES 13

/* dnsyn's enterprise elements (ids under the configured PEN). */
enum dnsyn_ipfix_eid {
	DNSYN_IE_DELAY_MIN = 1,
	DNSYN_IE_DELAY_MAX,
	DNSYN_IE_DELAY_SUM,
	DNSYN_IE_ANSWER_TTL,
	DNSYN_IE_SYN_MATCHED,
	DNSYN_IE_SYN_UNMATCHED,
	DNSYN_IE_Q_A,
	DNSYN_IE_Q_AAAA,
	DNSYN_IE_Q_MX,
	DNSYN_IE_Q_PTR,
	DNSYN_IE_Q_TXT,
	DNSYN_IE_Q_OTHER,
	DNSYN_IE_RESPONSES,
	DNSYN_IE_NXDOMAIN,
	DNSYN_IE_PARSE_ERRORS,
	DNSYN_IE_EVICTED_ANSWERS,
	DNSYN_IE_EVICTED_ADDRS,
	DNSYN_IE_TABLE_OCCUPANCY,
	DNSYN_IE_TABLE_CAPACITY,
	DNSYN_IE_RING_DROPS,
	/* Bounds reached under adversarial load: what was dropped or refused. */
	DNSYN_IE_SYN_SET_EARLY,
	DNSYN_IE_QPC_REFUSED,
	DNSYN_IE_IV_CLIENTS_REFUSED,
	DNSYN_IE_TCP_STREAMS_FULL,
	DNSYN_IE_TCP_BUF_EXHAUSTED,
	/* Detection (lib/detect): alerts and the per-interval top DNS clients. */
	DNSYN_IE_ALERT_DETECTOR,
	DNSYN_IE_ALERT_SCORE,
	DNSYN_IE_ALERT_RESOLVER,
	DNSYN_IE_ALERT_EV_NAME,
	DNSYN_IE_ALERT_EV_VALUE,
	DNSYN_IE_ALERT_REASON,
	DNSYN_IE_TOP_RANK,
	DNSYN_IE_Q_ALL,
	DNSYN_IE_Q_NAMES,
};
/** CERT (PEN 6871) dnsQName, reused: the question's QNAME in text. */
#define DNSYN_IE_CERT_DNS_QNAME 179

/** Whose number a field's element id is. */
enum dnsyn_ipfix_ent {
	DNSYN_IPFIX_IANA = 0,
	DNSYN_IPFIX_DNSYN, /**< the configured PEN */
	DNSYN_IPFIX_CERT,  /**< 6871 */
};

struct dnsyn_ipfix_field {
	uint16_t id;
	uint16_t len; /**< DNSYN_IPFIX_VARLEN for variable length */
	uint8_t ent;  /**< enum dnsyn_ipfix_ent */
	const char *name;
};

struct dnsyn_ipfix_template {
	uint16_t id;
	uint8_t options;     /**< options template (set id 3) */
	uint8_t scope_count; /**< options: the first scope_count fields are scope */
	uint8_t domain0;     /**< sent in observation domain 0 */
	uint8_t n_fields;
	const struct dnsyn_ipfix_field *fields;
	const char *name;
};

/** One enterprise element's RFC 5610 type information. */
struct dnsyn_ipfix_ie_info {
	uint8_t ent; /**< DNSYN_IPFIX_DNSYN or DNSYN_IPFIX_CERT */
	uint16_t id;
	uint8_t type, semantics;
	uint16_t units;
	const char *name;
	const char *description;
};

/** Every template, in the order they are sent. */
extern const struct dnsyn_ipfix_template dnsyn_ipfix_templates[DNSYN_IPFIX_N_TEMPLATES];
/** Every enterprise element (type records are sent for each). */
extern const struct dnsyn_ipfix_ie_info dnsyn_ipfix_ie_infos[];
extern const unsigned int dnsyn_ipfix_n_ie_infos;

const struct dnsyn_ipfix_template *dnsyn_ipfix_template_find(uint16_t id);
/** Octets of one record of template @p t, variable-length fields counted 0. */
size_t dnsyn_ipfix_template_fixed_len(const struct dnsyn_ipfix_template *t);

/* ---- The records ----------------------------------------------------- */

/**
 * Answer->SYN correlation aggregate: one (client, server address, destination
 * port) in one interval. Addresses are 16 bytes, IPv4 v4-mapped; the IPv4
 * template is used when both are v4-mapped.
 */
struct dnsyn_ipfix_corr_rec {
	uint64_t first_ms, last_ms; /**< first / last matched SYN, Unix ms */
	uint8_t client[16], server[16];
	uint16_t dport;
	uint8_t proto;               /**< 6 */
	uint64_t syns;               /**< matched SYNs (packetDeltaCount) */
	uint32_t delay_min_us, delay_max_us;
	uint64_t delay_sum_us;       /**< mean = sum / syns */
	uint32_t answer_ttl;         /**< smallest A/AAAA TTL of the answer, s */
	const char *qname;           /**< presentation format; NULL = empty */
	size_t qname_len;
};

/** All / matched / unmatched SYNs to one destination port in one interval. */
struct dnsyn_ipfix_port_rec {
	uint64_t start_s, end_s;
	uint16_t dport;
	uint64_t syn, matched, unmatched;
};

/** One client in one interval (address 16 bytes, IPv4 v4-mapped). */
struct dnsyn_ipfix_client_rec {
	uint64_t start_s, end_s;
	uint8_t client[16];
	uint64_t q_a, q_aaaa, q_mx, q_ptr, q_txt, q_other;
	uint64_t responses, nxdomain, unmatched_syn;
	uint32_t names; /**< distinct question names queried (estimate) */
};

/** Metering process statistics and reliability (domain 0, scope: domain). */
struct dnsyn_ipfix_meter_stats {
	uint32_t odid;           /**< scope: the domain the figures are for */
	uint64_t packets;        /**< packets seen (packetTotalCount) */
	uint64_t ignored;        /**< ignoredPacketTotalCount: missed + no-mbuf + ring drops */
};

/** Exporting process reliability (domain 0, scope: exporting process). */
struct dnsyn_ipfix_export_stats {
	uint32_t exporter_id;    /**< exportingProcessId */
	uint64_t messages, records, octets; /**< exported*TotalCount */
	uint64_t not_sent;       /**< notSentFlowTotalCount */
	uint64_t first_drop_ms, last_drop_ms; /**< 0 when nothing was dropped */
};

/** dnsyn's own counters (domain 0, scope: domain). */
struct dnsyn_ipfix_counters {
	uint32_t odid;
	uint64_t parse_errors, evicted_answers, evicted_addrs;
	uint64_t table_occupancy, table_capacity, ring_drops;
	uint64_t syn_set_early;      /**< corr.syn_set_rotations_early */
	uint64_t qpc_refused;        /**< corr.qpc_refused */
	uint64_t iv_clients_refused; /**< corr.interval_clients_refused */
	uint64_t tcp_streams_full;   /**< tcpdns.streams_full */
	uint64_t tcp_buf_exhausted;  /**< tcpdns.buf_exhausted */
};

/** alertDetectorId values: lib/detect's dnsyn_det_id + 1, so that 0 (what a
 *  collector shows for a missing field) is never a detector. */
enum dnsyn_ipfix_detector {
	DNSYN_IPFIX_DET_UNRESOLVED_SCAN = 1,
	DNSYN_IPFIX_DET_MX_STORM,
	DNSYN_IPFIX_DET_RATE_JUMP,
	DNSYN_IPFIX_DET_PLATEAU,
	DNSYN_IPFIX_DET_RESOLVER_DOS,
	DNSYN_IPFIX_DET_MAIL_MODEL,
};

/** Longest evidence name and reason sent (escaped octets; longer ones are
 *  cut, never inside an escape): an alert record then always fits the
 *  smallest MTU, and each string a one-octet length. lib/detect's reasons are
 *  at most 191 ASCII octets, so in practice nothing is cut. */
#define DNSYN_IPFIX_EV_NAME_MAX 32
#define DNSYN_IPFIX_REASON_MAX 254

/**
 * One alert raised on one interval (address 16 bytes, IPv4 v4-mapped: then
 * the IPv4 template, and @c plen counts IPv4 bits).
 */
struct dnsyn_ipfix_alert_rec {
	uint64_t start_s, end_s;   /**< the interval that raised it */
	uint8_t addr[16];          /**< client, prefix or resolver, as outputs show it */
	uint8_t plen;              /**< prefix length in its family: 32 / 128 one host */
	uint8_t detector;          /**< enum dnsyn_ipfix_detector */
	uint8_t resolver;          /**< 1: @c addr is a resolver (resolver-dos) */
	double score;              /**< the detector's main figure */
	const char *ev_name;       /**< the main evidence figure; NULL = empty */
	double ev_value;
	const char *reason;        /**< NULL = empty */
};

/** One entry of an interval's top DNS clients (rank 1 the busiest). */
struct dnsyn_ipfix_top_rec {
	uint64_t start_s, end_s;
	uint16_t rank;
	uint8_t client[16];        /**< IPv4 v4-mapped */
	uint8_t plen;              /**< prefix length in its family: 32 / 128 one host */
	uint64_t queries;          /**< Dq: DNS queries in the interval, all types */
};

/* ---- The message builder --------------------------------------------- */

/**
 * One message being built in a caller's buffer of at least @c mtu bytes. The
 * header's length, export time and sequence number are written by
 * dnsyn_ipfix_msg_finish(). Records are added whole or not at all.
 */
struct dnsyn_ipfix_msg {
	uint8_t *buf;
	uint16_t mtu;
	uint16_t len;
	uint16_t set_off;   /**< offset of the open set's header, 0 = none */
	uint16_t set_id;
	uint32_t odid;
	uint32_t pen;       /**< dnsyn's PEN for enterprise fields */
	uint32_t n_data;    /**< data records (options records included) */
	uint32_t n_templates;
	uint32_t truncated; /**< query names cut to fit */
};

/** Start an empty message (header only). @p mtu in [MTU_MIN, MSG_MAX]. */
void dnsyn_ipfix_msg_init(struct dnsyn_ipfix_msg *m, uint8_t *buf, uint16_t mtu, uint32_t odid,
			  uint32_t pen);
/** Close the open set and write length, export time and sequence number. */
uint16_t dnsyn_ipfix_msg_finish(struct dnsyn_ipfix_msg *m, uint32_t export_time, uint32_t seq);
/** 1 when no set has been added yet. */
static inline int
dnsyn_ipfix_msg_empty(const struct dnsyn_ipfix_msg *m)
{
	return m->len == DNSYN_IPFIX_HDR_LEN;
}
/** Rewrite sequence number and export time of a finished message. */
void dnsyn_ipfix_msg_stamp(uint8_t *msg, uint32_t export_time, uint32_t seq);

/* Each returns 0, or -ENOSPC when the record does not fit what is left (the
 * message is unchanged: finish it and retry in a new one). */
int dnsyn_ipfix_add_template(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_template *t);
int dnsyn_ipfix_add_ie_info(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_ie_info *ie);
int dnsyn_ipfix_add_corr(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_corr_rec *r);
int dnsyn_ipfix_add_port(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_port_rec *r);
int dnsyn_ipfix_add_client(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_client_rec *r);
int dnsyn_ipfix_add_meter(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_meter_stats *r);
int dnsyn_ipfix_add_export(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_export_stats *r);
int dnsyn_ipfix_add_counters(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_counters *r);
int dnsyn_ipfix_add_alert(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_alert_rec *r);
int dnsyn_ipfix_add_top(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_top_rec *r);

/**
 * Write @p in as an IPFIX string: bytes outside printable ASCII and '\' become
 * \DDD (RFC 1035 presentation escapes), so the value is always valid UTF-8.
 * Escapes are never cut in half. @return octets written (<= @p cap).
 */
size_t dnsyn_ipfix_escape(const char *in, size_t in_len, uint8_t *out, size_t cap);

/** 1 when the address (16 bytes) is v4-mapped (::ffff:a.b.c.d). */
int dnsyn_ipfix_is_v4mapped(const uint8_t a[16]);

/** 0 when @p mtu can carry every record kind; else -EINVAL. */
int dnsyn_ipfix_mtu_ok(unsigned long mtu);

#endif
