/* SPDX-License-Identifier: BSD-3-Clause */
/* Exports a fixed, known set of IPFIX records (every template, both address
 * families, long and escaped query names, alerts and top clients, statistics)
 * to the targets given on the command line, then prints them as JSON on stdout
 * so that a functional test can compare what real decoders (tshark, ipfixDump)
 * make of the bytes.
 *
 * Usage: dnsyn_ipfix_sample [--mtu N] [--odid N] [--pen N] TARGET...
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsyn_ipfix_interval.h"
#include "dnsyn_ipfix_transport.h"

#define T0_S 1700000040ULL

static void
v4m(uint8_t a[16], const char *s)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	inet_pton(AF_INET, s, a + 12);
}

static void
addr_str(const uint8_t a[16], char *out, size_t len)
{
	if (dnsyn_ipfix_is_v4mapped(a))
		inet_ntop(AF_INET, a + 12, out, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)len);
}

/* The query name as the record carries it (escaped), JSON-quoted: the escapes
 * are ASCII and only '\\' and '"' need JSON escaping. */
static void
print_qname(const char *q, size_t n)
{
	uint8_t buf[DNSYN_IPFIX_QNAME_MAX];
	size_t len = dnsyn_ipfix_escape(q, n, buf, sizeof(buf));

	putchar('"');
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\\' || buf[i] == '"')
			putchar('\\');
		putchar(buf[i]);
	}
	putchar('"');
}

struct ctx {
	struct dnsyn_ipfix_exporter *ex;
	int first;
};

static int
on_port(void *ud, const struct dnsyn_ipfix_port_rec *r)
{
	struct ctx *c = ud;

	printf("%s{\"dport\":%u,\"start_s\":%" PRIu64 ",\"end_s\":%" PRIu64 ",\"syn\":%" PRIu64
	       ",\"matched\":%" PRIu64 ",\"unmatched\":%" PRIu64 "}",
	       c->first ? "" : ",", r->dport, r->start_s, r->end_s, r->syn, r->matched,
	       r->unmatched);
	c->first = 0;
	return dnsyn_ipfix_export_port(c->ex, r);
}

int
main(int argc, char **argv)
{
	static char longname[300];
	static const char *names[] = { "www.example.com", "", "mail.example.org", "x.test" };
	struct dnsyn_ipfix_conf conf;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_interval iv;
	struct ctx cx;
	const char *targets[8];
	unsigned int nt = 0;
	char err[256], a[64], b[64];
	int i;

	dnsyn_ipfix_conf_default(&conf);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mtu") == 0 && i + 1 < argc)
			conf.mtu = (uint16_t)atoi(argv[++i]);
		else if (strcmp(argv[i], "--odid") == 0 && i + 1 < argc)
			conf.odid = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--pen") == 0 && i + 1 < argc)
			conf.pen = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (nt < 8)
			targets[nt++] = argv[i];
	}
	if (nt == 0) {
		fprintf(stderr, "usage: %s [--mtu N] [--odid N] [--pen N] TARGET...\n", argv[0]);
		return 2;
	}
	if (dnsyn_ipfix_exporter_create(&ex, &conf, targets, nt, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsyn_ipfix_sample: %s\n", err);
		return 2;
	}
	memset(longname, 'l', sizeof(longname));
	memcpy(longname, "long.", 5);

	printf("{\"odid\":%u,\"pen\":%u,\"corr\":[", conf.odid, conf.pen);
	for (i = 0; i < 40; i++) {
		struct dnsyn_ipfix_corr_rec r;
		char ip[32];

		memset(&r, 0, sizeof(r));
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 200, 1 + i % 200);
		v4m(r.client, ip);
		snprintf(ip, sizeof(ip), "192.0.2.%d", 1 + i % 7);
		v4m(r.server, ip);
		if (i % 10 == 9) { /* an IPv6 pair */
			inet_pton(AF_INET6, "2001:db8::1", r.client);
			inet_pton(AF_INET6, "2001:db8:53::7", r.server);
			r.client[15] = (uint8_t)i;
		}
		r.first_ms = T0_S * 1000 + (uint64_t)i * 1000 + 123;
		r.last_ms = r.first_ms + 456;
		r.dport = (uint16_t)(i % 3 == 0 ? 443 : i % 3 == 1 ? 80 : 8443);
		r.proto = 6;
		r.syns = 1 + (uint64_t)i % 4;
		r.delay_min_us = 1000u + (uint32_t)i;
		r.delay_max_us = 900000u + (uint32_t)i;
		r.delay_sum_us = (uint64_t)r.delay_min_us * r.syns;
		r.answer_ttl = 60u * (uint32_t)(1 + i % 5);
		if (i == 7) {
			r.qname = longname;
			r.qname_len = sizeof(longname);
		} else if (i == 8) {
			r.qname = "caf\xc3\xa9.example"; /* raw bytes: escaped */
			r.qname_len = strlen(r.qname);
		} else {
			r.qname = names[i % 4];
			r.qname_len = strlen(r.qname);
		}
		addr_str(r.client, a, sizeof(a));
		addr_str(r.server, b, sizeof(b));
		printf("%s{\"client\":\"%s\",\"server\":\"%s\",\"dport\":%u,\"first_ms\":%" PRIu64
		       ",\"last_ms\":%" PRIu64 ",\"syns\":%" PRIu64 ",\"delay_min_us\":%u"
		       ",\"delay_max_us\":%u,\"delay_sum_us\":%" PRIu64 ",\"ttl\":%u,\"qname\":",
		       i ? "," : "", a, b, r.dport, r.first_ms, r.last_ms, r.syns, r.delay_min_us,
		       r.delay_max_us, r.delay_sum_us, r.answer_ttl);
		print_qname(r.qname, r.qname_len);
		putchar('}');
		if (dnsyn_ipfix_export_corr(ex, &r) < 0)
			return 1;
	}

	/* Per-port records straight from an interval's tables. */
	printf("],\"port\":[");
	if (dnsyn_interval_init(&iv, 60, 64) < 0)
		return 1;
	dnsyn_interval_reset(&iv, T0_S);
	iv.syn_dport[22] = 3;
	iv.syn_dport[80] = 20;
	iv.matched_dport[80] = 18;
	iv.syn_dport[135] = 1302;
	iv.syn_dport[443] = 964;
	iv.matched_dport[443] = 532;
	cx.ex = ex;
	cx.first = 1;
	if (dnsyn_ipfix_from_interval(&iv, on_port, NULL, NULL, &cx) < 0)
		return 1;
	dnsyn_interval_fini(&iv);

	printf("],\"client\":[");
	for (i = 0; i < 4; i++) {
		struct dnsyn_ipfix_client_rec r;

		memset(&r, 0, sizeof(r));
		r.start_s = T0_S;
		r.end_s = T0_S + 60;
		if (i == 3) {
			inet_pton(AF_INET6, "2001:db8::99", r.client);
		} else {
			snprintf(a, sizeof(a), "10.0.0.%d", 99 + i);
			v4m(r.client, a);
		}
		r.q_a = 10u + (uint64_t)i, r.q_aaaa = 5, r.q_mx = 1, r.q_ptr = 2, r.q_txt = 3;
		r.q_other = 4, r.responses = 20, r.nxdomain = 6, r.unmatched_syn = 100u * (uint64_t)i;
		addr_str(r.client, a, sizeof(a));
		printf("%s{\"client\":\"%s\",\"q_a\":%" PRIu64 ",\"unmatched\":%" PRIu64
		       ",\"nxdomain\":%" PRIu64 "}",
		       i ? "," : "", a, r.q_a, r.unmatched_syn, r.nxdomain);
		if (dnsyn_ipfix_export_client(ex, &r) < 0)
			return 1;
	}
	/* Detection: an alert about an IPv4 /24 and one about an IPv6 resolver,
	 * then an interval's top clients of both families. */
	printf("],\"alert\":[");
	for (i = 0; i < 2; i++) {
		struct dnsyn_ipfix_alert_rec r;

		memset(&r, 0, sizeof(r));
		r.start_s = T0_S;
		r.end_s = T0_S + 60;
		if (i == 0) {
			v4m(r.addr, "10.1.2.0");
			r.plen = 24;
			r.detector = DNSYN_IPFIX_DET_RATE_JUMP;
			r.score = 98.875;
			r.ev_name = "dq";
			r.ev_value = 1027;
			r.reason = "rate-jump: Dq 1027 at z=98.9 over EWMA mean 25 sd 10";
		} else {
			inet_pton(AF_INET6, "2001:db8:53::7", r.addr);
			r.plen = 128;
			r.detector = DNSYN_IPFIX_DET_RESOLVER_DOS;
			r.resolver = 1;
			r.score = 6.5;
			r.ev_name = "answers";
			r.ev_value = 25000.5;
			r.reason = "resolver-dos: answers 25000 \"quoted\" \\ at z=6.5";
		}
		addr_str(r.addr, a, sizeof(a));
		printf("%s{\"addr\":\"%s\",\"plen\":%u,\"detector\":%u,\"resolver\":%u,"
		       "\"score\":%.17g,\"ev_name\":\"%s\",\"ev_value\":%.17g,\"reason\":",
		       i ? "," : "", a, r.plen, r.detector, r.resolver, r.score, r.ev_name,
		       r.ev_value);
		print_qname(r.reason, strlen(r.reason));
		putchar('}');
		if (dnsyn_ipfix_export_alert(ex, &r) < 0)
			return 1;
	}
	printf("],\"top\":[");
	for (i = 0; i < 3; i++) {
		struct dnsyn_ipfix_top_rec r;

		memset(&r, 0, sizeof(r));
		r.start_s = T0_S;
		r.end_s = T0_S + 60;
		r.rank = (uint16_t)(i + 1);
		r.plen = i == 2 ? 128 : 32;
		if (i == 2) {
			inet_pton(AF_INET6, "2001:db8::99", r.client);
		} else {
			snprintf(a, sizeof(a), "10.0.0.%d", 7 + i);
			v4m(r.client, a);
		}
		r.queries = 500u - 100u * (uint64_t)i;
		addr_str(r.client, a, sizeof(a));
		printf("%s{\"rank\":%u,\"client\":\"%s\",\"plen\":%u,\"queries\":%" PRIu64 "}",
		       i ? "," : "", r.rank, a, r.plen, r.queries);
		if (dnsyn_ipfix_export_top(ex, &r) < 0)
			return 1;
	}
	{
		struct dnsyn_ipfix_meter_stats ms = { 0, 123456, 78 };
		struct dnsyn_ipfix_counters cn = { 0, 11, 12, 13, 14000, 1048576, 15, 16, 17, 18, 19,
						     20 };
		struct dnsyn_ipfix_target_stats st;

		dnsyn_ipfix_export_stats(ex, &ms, &cn);
		printf("],\"meter\":{\"packets\":123456,\"ignored\":78},\"n_ie_infos\":%u,"
		       "\"targets\":[",
		       dnsyn_ipfix_n_ie_infos);
		for (unsigned int k = 0; k < nt; k++) {
			dnsyn_ipfix_exporter_target_stats(ex, k, &st);
			printf("%s{\"target\":\"%s\",\"messages\":%" PRIu64 ",\"records\":%" PRIu64
			       ",\"not_sent\":%" PRIu64 ",\"template_sends\":%" PRIu64
			       ",\"src_port\":%u}",
			       k ? "," : "", targets[k], st.messages, st.records, st.not_sent,
			       st.template_sends, dnsyn_ipfix_exporter_local_port(ex, k));
		}
	}
	printf("]}\n");
	dnsyn_ipfix_exporter_destroy(ex);
	return 0;
}
