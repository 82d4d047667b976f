/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "dnsyn_compiler.h"
#include "dnsyn_ipfix.h"

/* ---- Templates ------------------------------------------------------- */

#define IANA(id_, len_, name_) { (id_), (len_), DNSYN_IPFIX_IANA, (name_) }
#define DNSYN(id_, len_, name_) { (id_), (len_), DNSYN_IPFIX_DNSYN, (name_) }

static const struct dnsyn_ipfix_field f_corr4[] = {
	IANA(152, 8, "flowStartMilliseconds"),
	IANA(153, 8, "flowEndMilliseconds"),
	IANA(8, 4, "sourceIPv4Address"),
	IANA(12, 4, "destinationIPv4Address"),
	IANA(11, 2, "destinationTransportPort"),
	IANA(4, 1, "protocolIdentifier"),
	IANA(6, 2, "tcpControlBits"),
	IANA(2, 8, "packetDeltaCount"),
	DNSYN(DNSYN_IE_DELAY_MIN, 4, "answerSynDelayMinMicroseconds"),
	DNSYN(DNSYN_IE_DELAY_MAX, 4, "answerSynDelayMaxMicroseconds"),
	DNSYN(DNSYN_IE_DELAY_SUM, 8, "answerSynDelaySumMicroseconds"),
	DNSYN(DNSYN_IE_ANSWER_TTL, 4, "dnsAnswerMinTtl"),
	{ DNSYN_IE_CERT_DNS_QNAME, DNSYN_IPFIX_VARLEN, DNSYN_IPFIX_CERT, "dnsQName" },
};

static const struct dnsyn_ipfix_field f_corr6[] = {
	IANA(152, 8, "flowStartMilliseconds"),
	IANA(153, 8, "flowEndMilliseconds"),
	IANA(27, 16, "sourceIPv6Address"),
	IANA(28, 16, "destinationIPv6Address"),
	IANA(11, 2, "destinationTransportPort"),
	IANA(4, 1, "protocolIdentifier"),
	IANA(6, 2, "tcpControlBits"),
	IANA(2, 8, "packetDeltaCount"),
	DNSYN(DNSYN_IE_DELAY_MIN, 4, "answerSynDelayMinMicroseconds"),
	DNSYN(DNSYN_IE_DELAY_MAX, 4, "answerSynDelayMaxMicroseconds"),
	DNSYN(DNSYN_IE_DELAY_SUM, 8, "answerSynDelaySumMicroseconds"),
	DNSYN(DNSYN_IE_ANSWER_TTL, 4, "dnsAnswerMinTtl"),
	{ DNSYN_IE_CERT_DNS_QNAME, DNSYN_IPFIX_VARLEN, DNSYN_IPFIX_CERT, "dnsQName" },
};

static const struct dnsyn_ipfix_field f_port[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	IANA(11, 2, "destinationTransportPort"),
	IANA(4, 1, "protocolIdentifier"),
	IANA(6, 2, "tcpControlBits"),
	IANA(2, 8, "packetDeltaCount"),
	DNSYN(DNSYN_IE_SYN_MATCHED, 8, "synMatchedDeltaCount"),
	DNSYN(DNSYN_IE_SYN_UNMATCHED, 8, "synUnmatchedDeltaCount"),
};

#define CLIENT_COUNTS                                                                         \
	DNSYN(DNSYN_IE_Q_A, 8, "dnsQueryADeltaCount"),                                        \
	DNSYN(DNSYN_IE_Q_AAAA, 8, "dnsQueryAAAADeltaCount"),                                  \
	DNSYN(DNSYN_IE_Q_MX, 8, "dnsQueryMXDeltaCount"),                                      \
	DNSYN(DNSYN_IE_Q_PTR, 8, "dnsQueryPTRDeltaCount"),                                    \
	DNSYN(DNSYN_IE_Q_TXT, 8, "dnsQueryTXTDeltaCount"),                                    \
	DNSYN(DNSYN_IE_Q_OTHER, 8, "dnsQueryOtherDeltaCount"),                                \
	DNSYN(DNSYN_IE_RESPONSES, 8, "dnsResponseDeltaCount"),                                \
	DNSYN(DNSYN_IE_NXDOMAIN, 8, "dnsNxdomainDeltaCount"),                                 \
	DNSYN(DNSYN_IE_SYN_UNMATCHED, 8, "synUnmatchedDeltaCount"),                            \
	DNSYN(DNSYN_IE_Q_NAMES, 4, "dnsQueryNameDistinctCount")

static const struct dnsyn_ipfix_field f_client4[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	IANA(8, 4, "sourceIPv4Address"),
	CLIENT_COUNTS,
};

static const struct dnsyn_ipfix_field f_client6[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	IANA(27, 16, "sourceIPv6Address"),
	CLIENT_COUNTS,
};

static const struct dnsyn_ipfix_field f_meter[] = {
	IANA(149, 4, "observationDomainId"),
	IANA(86, 8, "packetTotalCount"),
	IANA(164, 8, "ignoredPacketTotalCount"),
};

static const struct dnsyn_ipfix_field f_export[] = {
	IANA(144, 4, "exportingProcessId"),
	IANA(41, 8, "exportedMessageTotalCount"),
	IANA(42, 8, "exportedFlowRecordTotalCount"),
	IANA(40, 8, "exportedOctetTotalCount"),
	IANA(166, 8, "notSentFlowTotalCount"),
	IANA(152, 8, "flowStartMilliseconds"),
	IANA(153, 8, "flowEndMilliseconds"),
};

static const struct dnsyn_ipfix_field f_counters[] = {
	IANA(149, 4, "observationDomainId"),
	DNSYN(DNSYN_IE_PARSE_ERRORS, 8, "parseErrorTotalCount"),
	DNSYN(DNSYN_IE_EVICTED_ANSWERS, 8, "evictedAnswerTotalCount"),
	DNSYN(DNSYN_IE_EVICTED_ADDRS, 8, "evictedAddressTotalCount"),
	DNSYN(DNSYN_IE_TABLE_OCCUPANCY, 8, "tableOccupancy"),
	DNSYN(DNSYN_IE_TABLE_CAPACITY, 8, "tableCapacity"),
	DNSYN(DNSYN_IE_RING_DROPS, 8, "exportRingDropTotalCount"),
	DNSYN(DNSYN_IE_SYN_SET_EARLY, 8, "synSetEarlyRotationTotalCount"),
	DNSYN(DNSYN_IE_QPC_REFUSED, 8, "clientQueryRefusedTotalCount"),
	DNSYN(DNSYN_IE_IV_CLIENTS_REFUSED, 8, "intervalClientRefusedTotalCount"),
	DNSYN(DNSYN_IE_TCP_STREAMS_FULL, 8, "tcpStreamFullTotalCount"),
	DNSYN(DNSYN_IE_TCP_BUF_EXHAUSTED, 8, "tcpBufferExhaustedTotalCount"),
};

/* Alerts: the interval as the other interval records have it (a collector
 * joins them on time and address); the strings at the end, the reason last. */
#define ALERT_FIELDS                                                                          \
	DNSYN(DNSYN_IE_ALERT_DETECTOR, 1, "alertDetectorId"),                                 \
	DNSYN(DNSYN_IE_ALERT_SCORE, 8, "alertScore"),                                         \
	DNSYN(DNSYN_IE_ALERT_RESOLVER, 1, "alertKeyIsResolver"),                              \
	DNSYN(DNSYN_IE_ALERT_EV_VALUE, 8, "alertEvidenceValue"),                              \
	DNSYN(DNSYN_IE_ALERT_EV_NAME, DNSYN_IPFIX_VARLEN, "alertEvidenceName"),               \
	DNSYN(DNSYN_IE_ALERT_REASON, DNSYN_IPFIX_VARLEN, "alertReason")

static const struct dnsyn_ipfix_field f_alert4[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	IANA(8, 4, "sourceIPv4Address"),
	IANA(9, 1, "sourceIPv4PrefixLength"),
	ALERT_FIELDS,
};

static const struct dnsyn_ipfix_field f_alert6[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	IANA(27, 16, "sourceIPv6Address"),
	IANA(29, 1, "sourceIPv6PrefixLength"),
	ALERT_FIELDS,
};

/* Top clients: with prefix aggregation (docs/detection.md) an entry is a
 * prefix, hence its length. */
static const struct dnsyn_ipfix_field f_top4[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	DNSYN(DNSYN_IE_TOP_RANK, 2, "topClientRank"),
	IANA(8, 4, "sourceIPv4Address"),
	IANA(9, 1, "sourceIPv4PrefixLength"),
	DNSYN(DNSYN_IE_Q_ALL, 8, "dnsQueryDeltaCount"),
};

static const struct dnsyn_ipfix_field f_top6[] = {
	IANA(150, 4, "flowStartSeconds"),
	IANA(151, 4, "flowEndSeconds"),
	DNSYN(DNSYN_IE_TOP_RANK, 2, "topClientRank"),
	IANA(27, 16, "sourceIPv6Address"),
	IANA(29, 1, "sourceIPv6PrefixLength"),
	DNSYN(DNSYN_IE_Q_ALL, 8, "dnsQueryDeltaCount"),
};

static const struct dnsyn_ipfix_field f_ietype[] = {
	IANA(346, 4, "privateEnterpriseNumber"),
	IANA(303, 2, "informationElementId"),
	IANA(339, 1, "informationElementDataType"),
	IANA(344, 1, "informationElementSemantics"),
	IANA(345, 2, "informationElementUnits"),
	/* Not required by RFC 5610, but libfixbuf only takes type records whose
	 * template has them; 0/0 (no range) as libfixbuf itself writes. */
	IANA(342, 8, "informationElementRangeBegin"),
	IANA(343, 8, "informationElementRangeEnd"),
	IANA(341, DNSYN_IPFIX_VARLEN, "informationElementName"),
	IANA(340, DNSYN_IPFIX_VARLEN, "informationElementDescription"),
};

#define TMPL(id_, opt_, scope_, d0_, f_, name_)                                              \
	{ (id_), (opt_), (scope_), (d0_), (uint8_t)DNSYN_ARRAY_SIZE(f_), (f_), (name_) }

const struct dnsyn_ipfix_template dnsyn_ipfix_templates[DNSYN_IPFIX_N_TEMPLATES] = {
	TMPL(DNSYN_IPFIX_TID_CORR4, 0, 0, 0, f_corr4, "answer->SYN correlation, IPv4"),
	TMPL(DNSYN_IPFIX_TID_CORR6, 0, 0, 0, f_corr6, "answer->SYN correlation, IPv6"),
	TMPL(DNSYN_IPFIX_TID_PORT, 0, 0, 0, f_port, "SYNs per destination port"),
	TMPL(DNSYN_IPFIX_TID_CLIENT4, 0, 0, 0, f_client4, "per client, IPv4"),
	TMPL(DNSYN_IPFIX_TID_CLIENT6, 0, 0, 0, f_client6, "per client, IPv6"),
	TMPL(DNSYN_IPFIX_TID_METER, 1, 1, 1, f_meter, "metering process statistics"),
	TMPL(DNSYN_IPFIX_TID_EXPORT, 1, 1, 1, f_export, "exporting process reliability"),
	TMPL(DNSYN_IPFIX_TID_COUNTERS, 1, 1, 1, f_counters, "dnsyn counters"),
	TMPL(DNSYN_IPFIX_TID_IETYPE, 1, 2, 0, f_ietype, "RFC 5610 element type"),
	TMPL(DNSYN_IPFIX_TID_ALERT4, 0, 0, 0, f_alert4, "detection alert, IPv4"),
	TMPL(DNSYN_IPFIX_TID_ALERT6, 0, 0, 0, f_alert6, "detection alert, IPv6"),
	TMPL(DNSYN_IPFIX_TID_TOP4, 0, 0, 0, f_top4, "top DNS client, IPv4"),
	TMPL(DNSYN_IPFIX_TID_TOP6, 0, 0, 0, f_top6, "top DNS client, IPv6"),
};

#define IE(id_, t_, s_, u_, name_, desc_)                                                    \
	{ DNSYN_IPFIX_DNSYN, (id_), DNSYN_IPFIX_T_##t_, DNSYN_IPFIX_S_##s_,                 \
	  DNSYN_IPFIX_U_##u_, (name_), (desc_) }

const struct dnsyn_ipfix_ie_info dnsyn_ipfix_ie_infos[] = {
	IE(DNSYN_IE_DELAY_MIN, U32, QUANTITY, US, "answerSynDelayMinMicroseconds",
	   "Smallest delay from a DNS answer to a TCP SYN it was followed by."),
	IE(DNSYN_IE_DELAY_MAX, U32, QUANTITY, US, "answerSynDelayMaxMicroseconds",
	   "Largest delay from a DNS answer to a TCP SYN it was followed by."),
	IE(DNSYN_IE_DELAY_SUM, U64, DELTA, US, "answerSynDelaySumMicroseconds",
	   "Sum of the answer->SYN delays; divided by packetDeltaCount, the mean."),
	IE(DNSYN_IE_ANSWER_TTL, U32, QUANTITY, SECONDS, "dnsAnswerMinTtl",
	   "Smallest TTL of the A/AAAA records of the answer the SYNs followed."),
	IE(DNSYN_IE_SYN_MATCHED, U64, DELTA, PACKETS, "synMatchedDeltaCount",
	   "TCP SYNs that followed a DNS answer carrying their destination."),
	IE(DNSYN_IE_SYN_UNMATCHED, U64, DELTA, PACKETS, "synUnmatchedDeltaCount",
	   "TCP SYNs that followed no DNS answer (scanning signal)."),
	IE(DNSYN_IE_Q_A, U64, DELTA, MESSAGES, "dnsQueryADeltaCount", "DNS queries for A."),
	IE(DNSYN_IE_Q_AAAA, U64, DELTA, MESSAGES, "dnsQueryAAAADeltaCount",
	   "DNS queries for AAAA."),
	IE(DNSYN_IE_Q_MX, U64, DELTA, MESSAGES, "dnsQueryMXDeltaCount", "DNS queries for MX."),
	IE(DNSYN_IE_Q_PTR, U64, DELTA, MESSAGES, "dnsQueryPTRDeltaCount", "DNS queries for PTR."),
	IE(DNSYN_IE_Q_TXT, U64, DELTA, MESSAGES, "dnsQueryTXTDeltaCount", "DNS queries for TXT."),
	IE(DNSYN_IE_Q_OTHER, U64, DELTA, MESSAGES, "dnsQueryOtherDeltaCount",
	   "DNS queries of any other type."),
	IE(DNSYN_IE_RESPONSES, U64, DELTA, MESSAGES, "dnsResponseDeltaCount",
	   "DNS responses to the client."),
	IE(DNSYN_IE_NXDOMAIN, U64, DELTA, MESSAGES, "dnsNxdomainDeltaCount",
	   "DNS responses to the client with RCODE NXDOMAIN."),
	IE(DNSYN_IE_PARSE_ERRORS, U64, TOTAL, PACKETS, "parseErrorTotalCount",
	   "Packets whose headers or DNS message could not be parsed."),
	IE(DNSYN_IE_EVICTED_ANSWERS, U64, TOTAL, ENTRIES, "evictedAnswerTotalCount",
	   "Answer records reused while their window was still open."),
	IE(DNSYN_IE_EVICTED_ADDRS, U64, TOTAL, ENTRIES, "evictedAddressTotalCount",
	   "Address entries dropped from a full correlation table."),
	IE(DNSYN_IE_TABLE_OCCUPANCY, U64, QUANTITY, ENTRIES, "tableOccupancy",
	   "Address entries in the correlation tables now."),
	IE(DNSYN_IE_TABLE_CAPACITY, U64, QUANTITY, ENTRIES, "tableCapacity",
	   "Address entries the correlation tables can hold."),
	IE(DNSYN_IE_RING_DROPS, U64, TOTAL, ENTRIES, "exportRingDropTotalCount",
	   "Records dropped because the export ring was full."),
	IE(DNSYN_IE_SYN_SET_EARLY, U64, TOTAL, NONE, "synSetEarlyRotationTotalCount",
	   "Times the distinct-SYN set filled up before its span ended and forgot its older half."),
	IE(DNSYN_IE_QPC_REFUSED, U64, TOTAL, MESSAGES, "clientQueryRefusedTotalCount",
	   "DNS queries not counted per client and minute: that map was full."),
	IE(DNSYN_IE_IV_CLIENTS_REFUSED, U64, TOTAL, NONE, "intervalClientRefusedTotalCount",
	   "Events of clients left without a per-interval client record: the bound was reached."),
	IE(DNSYN_IE_TCP_STREAMS_FULL, U64, TOTAL, PACKETS, "tcpStreamFullTotalCount",
	   "DNS-over-TCP segments not followed: the stream table was full."),
	IE(DNSYN_IE_TCP_BUF_EXHAUSTED, U64, TOTAL, MESSAGES, "tcpBufferExhaustedTotalCount",
	   "DNS-over-TCP messages dropped: no free reassembly buffer."),
	IE(DNSYN_IE_ALERT_DETECTOR, U8, ID, NONE, "alertDetectorId",
	   "Detector that raised the alert: 1 unresolved-scan, 2 mx-storm, 3 rate-jump, "
	   "4 plateau, 5 resolver-dos, 6 mail-model."),
	IE(DNSYN_IE_ALERT_SCORE, FLOAT64, QUANTITY, NONE, "alertScore",
	   "The detector's main score (a z-score, a residual in standard deviations, ...)."),
	IE(DNSYN_IE_ALERT_RESOLVER, BOOL, DEFAULT, NONE, "alertKeyIsResolver",
	   "True when the alert's address is a resolver (resolver-dos), false a client or prefix."),
	IE(DNSYN_IE_ALERT_EV_NAME, STRING, DEFAULT, NONE, "alertEvidenceName",
	   "Name of the alert's main evidence figure (syn_unmatched, mx, dq, ...)."),
	IE(DNSYN_IE_ALERT_EV_VALUE, FLOAT64, QUANTITY, NONE, "alertEvidenceValue",
	   "Value of the alert's main evidence figure in the interval."),
	IE(DNSYN_IE_ALERT_REASON, STRING, DEFAULT, NONE, "alertReason",
	   "Why the alert was raised, in words and figures."),
	IE(DNSYN_IE_TOP_RANK, U16, DEFAULT, NONE, "topClientRank",
	   "Rank of the client among the interval's top DNS clients, 1 the busiest."),
	IE(DNSYN_IE_Q_ALL, U64, DELTA, MESSAGES, "dnsQueryDeltaCount",
	   "DNS queries of any type the client sent in the interval (Dq)."),
	IE(DNSYN_IE_Q_NAMES, U32, QUANTITY, NONE, "dnsQueryNameDistinctCount",
	   "Distinct question names the client queried in the interval (a linear-counting "
	   "estimate, exact to a few percent up to ~100, 768 when saturated)."),
	/* Not ours: described so collectors without CERT's registry decode it. */
	{ DNSYN_IPFIX_CERT, DNSYN_IE_CERT_DNS_QNAME, DNSYN_IPFIX_T_STRING, DNSYN_IPFIX_S_DEFAULT,
	  DNSYN_IPFIX_U_NONE, "dnsQName",
	  "A DNS Query or Response Name (the QNAME of the question)." },
};
const unsigned int dnsyn_ipfix_n_ie_infos = DNSYN_ARRAY_SIZE(dnsyn_ipfix_ie_infos);

const struct dnsyn_ipfix_template *
dnsyn_ipfix_template_find(uint16_t id)
{
	for (unsigned int i = 0; i < DNSYN_IPFIX_N_TEMPLATES; i++)
		if (dnsyn_ipfix_templates[i].id == id)
			return &dnsyn_ipfix_templates[i];
	return NULL;
}

size_t
dnsyn_ipfix_template_fixed_len(const struct dnsyn_ipfix_template *t)
{
	size_t n = 0;

	for (unsigned int i = 0; i < t->n_fields; i++)
		if (t->fields[i].len != DNSYN_IPFIX_VARLEN)
			n += t->fields[i].len;
	return n;
}

/* ---- Writing --------------------------------------------------------- */

/* Byte by byte: big-endian whatever the host, no unaligned access. */
static inline uint8_t *
put8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint8_t *
put64(uint8_t *p, uint64_t v)
{
	p = put32(p, (uint32_t)(v >> 32));
	return put32(p, (uint32_t)v);
}

static inline uint8_t *
putmem(uint8_t *p, const void *src, size_t n)
{
	if (n)
		memcpy(p, src, n);
	return p + n;
}

/* Variable-length prefix: 1 octet below 255, else 255 and 2 octets. */
static inline size_t
varlen_prefix(size_t n)
{
	return n < 255 ? 1 : 3;
}

static inline uint8_t *
put_varlen(uint8_t *p, size_t n)
{
	if (n < 255)
		return put8(p, (uint8_t)n);
	p = put8(p, 255);
	return put16(p, (uint16_t)n);
}

/* dateTimeSeconds is 32 bits: clamp instead of wrapping. */
static inline uint32_t
sec32(uint64_t s)
{
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

void
dnsyn_ipfix_msg_init(struct dnsyn_ipfix_msg *m, uint8_t *buf, uint16_t mtu, uint32_t odid,
		     uint32_t pen)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->mtu = mtu;
	m->odid = odid;
	m->pen = pen;
	memset(buf, 0, DNSYN_IPFIX_HDR_LEN);
	put16(buf, DNSYN_IPFIX_VERSION);
	put32(buf + 12, odid);
	m->len = DNSYN_IPFIX_HDR_LEN;
}

static void
close_set(struct dnsyn_ipfix_msg *m)
{
	if (m->set_off == 0)
		return;
	/* No padding: records are written back to back and the set ends there. */
	put16(m->buf + m->set_off + 2, (uint16_t)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

void
dnsyn_ipfix_msg_stamp(uint8_t *msg, uint32_t export_time, uint32_t seq)
{
	put32(msg + 4, export_time);
	put32(msg + 8, seq);
}

uint16_t
dnsyn_ipfix_msg_finish(struct dnsyn_ipfix_msg *m, uint32_t export_time, uint32_t seq)
{
	close_set(m);
	put16(m->buf + 2, m->len);
	dnsyn_ipfix_msg_stamp(m->buf, export_time, seq);
	return m->len;
}

/* Room for @p need octets in a set of @p set_id (opening it, which closes the
 * previous one, when needed), or NULL with the message unchanged. */
static uint8_t *
reserve(struct dnsyn_ipfix_msg *m, uint16_t set_id, size_t need)
{
	size_t extra = (m->set_off != 0 && m->set_id == set_id) ? 0 : DNSYN_IPFIX_SET_HDR_LEN;
	uint8_t *p;

	if ((size_t)m->len + extra + need > m->mtu)
		return NULL;
	if (extra) {
		close_set(m);
		m->set_off = m->len;
		m->set_id = set_id;
		put32(m->buf + m->len, (uint32_t)set_id << 16);
		m->len += DNSYN_IPFIX_SET_HDR_LEN;
	}
	p = m->buf + m->len;
	m->len = (uint16_t)(m->len + need);
	return p;
}

static uint32_t
field_pen(const struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_field *f)
{
	return f->ent == DNSYN_IPFIX_CERT ? DNSYN_IPFIX_PEN_CERT : m->pen;
}

int
dnsyn_ipfix_add_template(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_template *t)
{
	size_t need = t->options ? 6 : 4;
	uint8_t *p;

	for (unsigned int i = 0; i < t->n_fields; i++)
		need += t->fields[i].ent == DNSYN_IPFIX_IANA ? 4 : 8;
	p = reserve(m, t->options ? DNSYN_IPFIX_SET_OPTIONS : DNSYN_IPFIX_SET_TEMPLATE, need);
	if (p == NULL)
		return -ENOSPC;
	p = put16(p, t->id);
	p = put16(p, t->n_fields);
	if (t->options)
		p = put16(p, t->scope_count);
	for (unsigned int i = 0; i < t->n_fields; i++) {
		const struct dnsyn_ipfix_field *f = &t->fields[i];

		if (f->ent == DNSYN_IPFIX_IANA) {
			p = put16(p, f->id);
			p = put16(p, f->len);
		} else {
			p = put16(p, (uint16_t)(0x8000 | f->id));
			p = put16(p, f->len);
			p = put32(p, field_pen(m, f));
		}
	}
	m->n_templates++;
	return 0;
}

int
dnsyn_ipfix_add_ie_info(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_ie_info *ie)
{
	size_t nl = strlen(ie->name), dl = ie->description ? strlen(ie->description) : 0;
	size_t need = 4 + 2 + 1 + 1 + 2 + 8 + 8 + varlen_prefix(nl) + nl + varlen_prefix(dl) + dl;
	uint8_t *p = reserve(m, DNSYN_IPFIX_TID_IETYPE, need);

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, ie->ent == DNSYN_IPFIX_CERT ? DNSYN_IPFIX_PEN_CERT : m->pen);
	p = put16(p, ie->id);
	p = put8(p, ie->type);
	p = put8(p, ie->semantics);
	p = put16(p, ie->units);
	p = put64(p, 0);
	p = put64(p, 0);
	p = put_varlen(p, nl);
	p = putmem(p, ie->name, nl);
	p = put_varlen(p, dl);
	putmem(p, ie->description, dl);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

size_t
dnsyn_ipfix_escape(const char *in, size_t in_len, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < in_len; i++) {
		uint8_t c = (uint8_t)in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (n + 1 > cap)
				break;
			if (out)
				out[n] = c;
			n++;
		} else {
			/* \DDD: plain ASCII, so any collector's UTF-8 check passes. */
			if (n + 4 > cap)
				break;
			if (out) {
				out[n] = '\\';
				out[n + 1] = (uint8_t)('0' + c / 100);
				out[n + 2] = (uint8_t)('0' + c / 10 % 10);
				out[n + 3] = (uint8_t)('0' + c % 10);
			}
			n += 4;
		}
	}
	return n;
}

int
dnsyn_ipfix_add_corr(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_corr_rec *r)
{
	int v4 = dnsyn_ipfix_is_v4mapped(r->client) && dnsyn_ipfix_is_v4mapped(r->server);
	const struct dnsyn_ipfix_template *t =
		&dnsyn_ipfix_templates[v4 ? 0 : 1];
	size_t fixed = dnsyn_ipfix_template_fixed_len(t);
	size_t in_len = r->qname ? r->qname_len : 0;
	size_t over = DNSYN_IPFIX_HDR_LEN + DNSYN_IPFIX_SET_HDR_LEN + fixed + 3;
	/* The name may take what is left of an otherwise empty message. */
	size_t room = m->mtu > over ? m->mtu - over : 0;
	size_t cap = DNSYN_MIN(room, (size_t)DNSYN_IPFIX_QNAME_MAX);
	size_t qlen = dnsyn_ipfix_escape(r->qname, in_len, NULL, cap);
	uint8_t *p = reserve(m, t->id, fixed + varlen_prefix(qlen) + qlen);

	if (p == NULL)
		return -ENOSPC;
	p = put64(p, r->first_ms);
	p = put64(p, r->last_ms);
	if (v4) {
		p = putmem(p, r->client + 12, 4);
		p = putmem(p, r->server + 12, 4);
	} else {
		p = putmem(p, r->client, 16);
		p = putmem(p, r->server, 16);
	}
	p = put16(p, r->dport);
	p = put8(p, r->proto);
	p = put16(p, 0x02); /* SYN: every SYN counted here had only that flag */
	p = put64(p, r->syns);
	p = put32(p, r->delay_min_us);
	p = put32(p, r->delay_max_us);
	p = put64(p, r->delay_sum_us);
	p = put32(p, r->answer_ttl);
	p = put_varlen(p, qlen);
	dnsyn_ipfix_escape(r->qname, in_len, p, qlen);
	/* Cut only if it stopped within an escape's length of the cap. */
	if (qlen + 4 > cap && qlen < dnsyn_ipfix_escape(r->qname, in_len, NULL, SIZE_MAX))
		m->truncated++;
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_port(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_port_rec *r)
{
	uint8_t *p = reserve(m, DNSYN_IPFIX_TID_PORT,
			     dnsyn_ipfix_template_fixed_len(&dnsyn_ipfix_templates[2]));

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, sec32(r->start_s));
	p = put32(p, sec32(r->end_s));
	p = put16(p, r->dport);
	p = put8(p, 6);
	p = put16(p, 0x02);
	p = put64(p, r->syn);
	p = put64(p, r->matched);
	put64(p, r->unmatched);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_client(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_client_rec *r)
{
	int v4 = dnsyn_ipfix_is_v4mapped(r->client);
	const struct dnsyn_ipfix_template *t = &dnsyn_ipfix_templates[v4 ? 3 : 4];
	uint8_t *p = reserve(m, t->id, dnsyn_ipfix_template_fixed_len(t));

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, sec32(r->start_s));
	p = put32(p, sec32(r->end_s));
	p = v4 ? putmem(p, r->client + 12, 4) : putmem(p, r->client, 16);
	p = put64(p, r->q_a);
	p = put64(p, r->q_aaaa);
	p = put64(p, r->q_mx);
	p = put64(p, r->q_ptr);
	p = put64(p, r->q_txt);
	p = put64(p, r->q_other);
	p = put64(p, r->responses);
	p = put64(p, r->nxdomain);
	p = put64(p, r->unmatched_syn);
	put32(p, r->names);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_meter(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_meter_stats *r)
{
	uint8_t *p = reserve(m, DNSYN_IPFIX_TID_METER, 20);

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, r->odid);
	p = put64(p, r->packets);
	put64(p, r->ignored);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_export(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_export_stats *r)
{
	uint8_t *p = reserve(m, DNSYN_IPFIX_TID_EXPORT, 52);

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, r->exporter_id);
	p = put64(p, r->messages);
	p = put64(p, r->records);
	p = put64(p, r->octets);
	p = put64(p, r->not_sent);
	p = put64(p, r->first_drop_ms);
	put64(p, r->last_drop_ms);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_counters(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_counters *r)
{
	uint8_t *p = reserve(m, DNSYN_IPFIX_TID_COUNTERS, 92);

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, r->odid);
	p = put64(p, r->parse_errors);
	p = put64(p, r->evicted_answers);
	p = put64(p, r->evicted_addrs);
	p = put64(p, r->table_occupancy);
	p = put64(p, r->table_capacity);
	p = put64(p, r->ring_drops);
	p = put64(p, r->syn_set_early);
	p = put64(p, r->qpc_refused);
	p = put64(p, r->iv_clients_refused);
	p = put64(p, r->tcp_streams_full);
	put64(p, r->tcp_buf_exhausted);
	m->n_data++;
	return 0;
}

/* float64 (RFC 7011 section 6.1.3): IEEE 754 binary64, network byte order. */
static inline uint8_t *
put_f64(uint8_t *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return put64(p, u);
}

/* An escaped string of at most @p cap octets, with its length prefix. */
static inline uint8_t *
put_text(uint8_t *p, const char *s, size_t len, size_t cap)
{
	size_t n = dnsyn_ipfix_escape(s, len, NULL, cap);

	p = put_varlen(p, n);
	dnsyn_ipfix_escape(s, len, p, n);
	return p + n;
}

int
dnsyn_ipfix_add_alert(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_alert_rec *r)
{
	int v4 = dnsyn_ipfix_is_v4mapped(r->addr);
	const struct dnsyn_ipfix_template *t =
		dnsyn_ipfix_template_find(v4 ? DNSYN_IPFIX_TID_ALERT4 : DNSYN_IPFIX_TID_ALERT6);
	size_t nl = r->ev_name ? strlen(r->ev_name) : 0, rl = r->reason ? strlen(r->reason) : 0;
	size_t nq = dnsyn_ipfix_escape(r->ev_name, nl, NULL, DNSYN_IPFIX_EV_NAME_MAX);
	size_t rq = dnsyn_ipfix_escape(r->reason, rl, NULL, DNSYN_IPFIX_REASON_MAX);
	/* both under 255: one length octet each */
	uint8_t *p = reserve(m, t->id, dnsyn_ipfix_template_fixed_len(t) + 1 + nq + 1 + rq);

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, sec32(r->start_s));
	p = put32(p, sec32(r->end_s));
	p = v4 ? putmem(p, r->addr + 12, 4) : putmem(p, r->addr, 16);
	p = put8(p, r->plen);
	p = put8(p, r->detector);
	p = put_f64(p, r->score);
	p = put8(p, r->resolver ? 1 : 2); /* RFC 7011 section 6.1.5: true 1, false 2 */
	p = put_f64(p, r->ev_value);
	p = put_text(p, r->ev_name, nl, DNSYN_IPFIX_EV_NAME_MAX);
	put_text(p, r->reason, rl, DNSYN_IPFIX_REASON_MAX);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_add_top(struct dnsyn_ipfix_msg *m, const struct dnsyn_ipfix_top_rec *r)
{
	int v4 = dnsyn_ipfix_is_v4mapped(r->client);
	const struct dnsyn_ipfix_template *t =
		dnsyn_ipfix_template_find(v4 ? DNSYN_IPFIX_TID_TOP4 : DNSYN_IPFIX_TID_TOP6);
	uint8_t *p = reserve(m, t->id, dnsyn_ipfix_template_fixed_len(t));

	if (p == NULL)
		return -ENOSPC;
	p = put32(p, sec32(r->start_s));
	p = put32(p, sec32(r->end_s));
	p = put16(p, r->rank);
	p = v4 ? putmem(p, r->client + 12, 4) : putmem(p, r->client, 16);
	p = put8(p, r->plen);
	put64(p, r->queries);
	m->n_data++;
	return 0;
}

int
dnsyn_ipfix_mtu_ok(unsigned long mtu)
{
	return mtu >= DNSYN_IPFIX_MTU_MIN && mtu <= DNSYN_IPFIX_MSG_MAX ? 0 : -EINVAL;
}
