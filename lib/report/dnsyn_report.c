/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsyn_compiler.h"
#include "dnsyn_report.h"

#define TOP_N 10
#define TEXT_HIST_GROUP 5 /* 50 ms rows in the text report */

void
dnsyn_report_addr(const uint8_t a[16], char *buf, size_t len)
{
	if (dnsyn_addr_is_v4mapped(a))
		inet_ntop(AF_INET, a + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

void
dnsyn_report_client(const struct dnsyn_privacy *p, const uint8_t a[16], char *buf, size_t len)
{
	uint8_t out[16];

	dnsyn_privacy_addr(p, a, out);
	dnsyn_report_addr(out, buf, len);
}

unsigned int
dnsyn_report_top_ports(const uint64_t *counts, unsigned int max, uint32_t *ret_port,
		       uint64_t *ret_count)
{
	unsigned int n = 0, i, j;
	uint32_t port;

	if (max == 0)
		return 0;
	/* Insertion into a short sorted list: one pass over 64 Ki ports. */
	for (port = 0; port < 65536; port++) {
		uint64_t c = counts[port];

		if (c == 0)
			continue;
		if (n == max && c <= ret_count[n - 1])
			continue; /* ties keep the lower port, which came first */
		i = n < max ? n++ : max - 1;
		for (j = i; j > 0 && ret_count[j - 1] < c; j--) {
			ret_count[j] = ret_count[j - 1];
			ret_port[j] = ret_port[j - 1];
		}
		ret_count[j] = c;
		ret_port[j] = port;
	}
	return n;
}

/* A figure of key variant @p var as JSON: null where the run's key cannot
 * give it (--key client has no dst-only figures). @p buf: 24 bytes. */
static const char *
var_u64(char *buf, int key_client, unsigned int var, uint64_t v)
{
	if (key_client && var == DNSYN_VAR_DST)
		return "null";
	snprintf(buf, 24, "%" PRIu64, v);
	return buf;
}

static double
pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void
text_ports(FILE *f, const char *title, const uint64_t *counts, uint64_t total)
{
	uint32_t port[TOP_N];
	uint64_t cnt[TOP_N];
	unsigned int n = dnsyn_report_top_ports(counts, TOP_N, port, cnt), i;

	fprintf(f, "%s\n  %-5s %-7s %12s %8s\n", title, "rank", "port", "SYNs", "%");
	for (i = 0; i < n; i++)
		fprintf(f, "  %-5u %-7u %12" PRIu64 " %7.2f%%\n", i + 1, port[i], cnt[i],
			pct(cnt[i], total));
	if (n == 0)
		fprintf(f, "  (none)\n");
}

void
dnsyn_report_text(FILE *f, const struct dnsyn_paper *p, const struct dnsyn_report_input *in)
{
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	const struct dnsyn_paper_family *v4 = &st->fam[DNSYN_FAM_V4], *v6 = &st->fam[DNSYN_FAM_V6];
	const int kc = dnsyn_paper_config(p)->key_client;
	const unsigned int vm = dnsyn_paper_var_main(kc);
	/* d: the variant of Tables 3-4 and Fig. 5 (the paper's dst only; with
	 * --key client, dst+client, the only one there is). */
	const struct dnsyn_paper_variant *d = &v4->var[vm];
	const struct dnsyn_paper_variant *d0 = &v4->var[DNSYN_VAR_DST];
	const struct dnsyn_paper_variant *dc = &v4->var[DNSYN_VAR_DST_CLIENT];
	const char *vname = kc ? "dst+client" : "dst only";
	uint64_t hmax = 0, rows[DNSYN_HIST_BINS / TEXT_HIST_GROUP];
	unsigned int i, last = 0;
	char b0[24], b1[24];

	fprintf(f, "dnsyn report: answer->SYN window %.3f s", (double)in->window_ns / 1e9);
	if (in->last_ts_ns > in->first_ts_ns)
		fprintf(f, ", %.3f s of traffic", (double)(in->last_ts_ns - in->first_ts_ns) / 1e9);
	fprintf(f, "\n%s\n", kc ? "key (client, address): dst+client figures only\n" : "");
	fprintf(f, "Table 1. DNS answers\n");
	fprintf(f, "  DNS answers                    %12" PRIu64 "\n", st->dns_answers);
	fprintf(f, "  answers with A RRs             %12" PRIu64 " (%.2f%%)\n", v4->answers_with,
		pct(v4->answers_with, st->dns_answers));
	fprintf(f, "  A RRs                          %12" PRIu64 "\n", v4->total_rrs);
	fprintf(f, "  (DNS queries                   %12" PRIu64 ")\n\n", st->dns_queries);

	fprintf(f, "Table 2. TCP SYNs and DNS answers       dst only   dst+client\n");
	fprintf(f, "  SYNs                           %12" PRIu64 "\n", st->total_syn);
	fprintf(f, "  distinct SYNs                  %12" PRIu64 "\n", st->syn_unique);
	fprintf(f, "  SYN-ACKs                       %12" PRIu64 "\n", st->synack);
	if (kc) {
		fprintf(f, "  SYNs following an A answer     %12s %12" PRIu64 " (%.2f%%)\n", "-",
			dc->matched_syns, pct(dc->matched_syns, st->total_syn));
		fprintf(f, "  answers followed by a SYN      %12s %12" PRIu64 "\n", "-",
			dc->matched_answers);
	} else {
		fprintf(f, "  SYNs following an A answer     %12" PRIu64 " %12" PRIu64
			   " (%.2f%% / %.2f%%)\n",
			d0->matched_syns, dc->matched_syns, pct(d0->matched_syns, st->total_syn),
			pct(dc->matched_syns, st->total_syn));
		fprintf(f, "  answers followed by a SYN      %12" PRIu64 " %12" PRIu64 "\n",
			d0->matched_answers, dc->matched_answers);
	}
	fprintf(f, "  SYNs following no answer       %12" PRIu64 "%s\n\n",
		st->total_syn - d->matched_syns - v6->var[vm].matched_syns,
		kc ? " (of the SYN's own client)" : "");

	text_ports(f, "Table 3. Top destination ports of all SYNs", st->syn_dport, st->total_syn);
	fprintf(f, "\n");
	snprintf(b0, sizeof(b0), "(%s)", vname);
	fprintf(f, "Table 4. Top destination ports of SYNs following an answer %s", b0);
	text_ports(f, "", d->matched_dport, d->matched_syns);
	fprintf(f, "\n");

	fprintf(f, "Fig. 5. answer->SYN delay %s, %" PRIu64 " answers", b0, d->matched_answers);
	if (d->matched_answers)
		fprintf(f, ", mean %.1f ms",
			(double)d->delay_sum_ns / (double)d->matched_answers / 1e6);
	fprintf(f, "; 10 ms bins summed by %u (JSON has each bin)\n", TEXT_HIST_GROUP);
	for (i = 0; i < DNSYN_HIST_BINS; i += TEXT_HIST_GROUP) {
		uint64_t sum = 0;
		unsigned int b;

		for (b = i; b < i + TEXT_HIST_GROUP; b++)
			sum += d->hist_10ms[b];
		rows[i / TEXT_HIST_GROUP] = sum;
		hmax = DNSYN_MAX(hmax, sum);
		if (sum)
			last = i / TEXT_HIST_GROUP;
	}
	for (i = 0; hmax && i <= last; i++) {
		unsigned int bar = (unsigned int)((rows[i] * 50 + hmax - 1) / hmax), b;

		fprintf(f, "  %4u-%4u ms %8" PRIu64 " ", i * 10 * TEXT_HIST_GROUP,
			(i + 1) * 10 * TEXT_HIST_GROUP, rows[i]);
		for (b = 0; b < bar; b++)
			fputc('#', f);
		fputc('\n', f);
	}
	{
		struct dnsyn_expfit fit = dnsyn_expfit_truncated(d->hist_10ms, DNSYN_HIST_BINS,
								 in->window_ns / DNSYN_HIST_BINS,
								 d->delay_sum_ns);

		if (fit.ok)
			fprintf(f, "  exponential fit (ML, truncated at the window): rate %.2f /s "
				   "(1/rate %.1f ms), KS distance %.3f over %" PRIu64 " answers\n",
				fit.rate_per_s, fit.rate_per_s > 0 ? 1e3 / fit.rate_per_s : 0.0,
				fit.ks_d, fit.n);
	}
	fprintf(f, "\nAAAA extension: %" PRIu64 " answers with %" PRIu64
		   " AAAA RRs; IPv6 SYNs %" PRIu64 ", matched %s (dst) / %" PRIu64
		   " (dst+client)\n",
		v6->answers_with, v6->total_rrs, st->syn_v6,
		kc ? "-" : var_u64(b1, 0, 0, v6->var[DNSYN_VAR_DST].matched_syns),
		v6->var[DNSYN_VAR_DST_CLIENT].matched_syns);

	fprintf(f, "\nCounters (non-zero)\n");
	for (i = 0; i < in->n_counters; i++)
		if (in->counters[i].value)
			fprintf(f, "  %-8s %-28s %12" PRIu64 "\n", in->counters[i].group,
				in->counters[i].name, in->counters[i].value);
}

/* JSON writing: a few helpers, no general-purpose library needed. */
static void
json_ports(FILE *f, const uint64_t *counts, unsigned int max)
{
	uint32_t *port = malloc(sizeof(*port) * max);
	uint64_t *cnt = malloc(sizeof(*cnt) * max);
	unsigned int n = 0, i;

	if (port && cnt)
		n = dnsyn_report_top_ports(counts, max, port, cnt);
	fputc('[', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s[%u, %" PRIu64 "]", i ? ", " : "", port[i], cnt[i]);
	fputc(']', f);
	free(port);
	free(cnt);
}

static void
json_hist(FILE *f, const uint64_t *h)
{
	unsigned int i;

	fputc('[', f);
	for (i = 0; i < DNSYN_HIST_BINS; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", h[i]);
	fputc(']', f);
}

/* Rows: 16-byte client, 8-byte bucket (host order), 8-byte count. */
static void
json_logh(FILE *f, const char *key, const struct dnsyn_logh *h)
{
	unsigned int i;

	fprintf(f, ", \"%s\": {\"below\": %" PRIu64 ", \"above\": %" PRIu64 ", \"counts\": [", key,
		h->below, h->above);
	for (i = 0; i < DNSYN_LOGH_BINS; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", h->bins[i]);
	fprintf(f, "]}");
}

static int
qpc_cmp(const void *a, const void *b)
{
	int c = memcmp(a, b, 16);
	uint64_t x, y;

	if (c)
		return c;
	memcpy(&x, (const uint8_t *)a + 16, 8);
	memcpy(&y, (const uint8_t *)b + 16, 8);
	return x < y ? -1 : x > y;
}

static void
json_qpc(FILE *f, const struct dnsyn_paper *p, uint32_t bucket_s, const struct dnsyn_privacy *priv)
{
	const struct dnsyn_map *m = dnsyn_paper_qpc(p);
	uint8_t *rows = malloc(m->count * 32 + 1);
	size_t it = 0, n = 0, i, clients = 0;
	const void *key;
	uint64_t val;

	if (rows == NULL) {
		fprintf(f, "null");
		return;
	}
	while (dnsyn_map_next(m, &it, &key, &val)) {
		memcpy(rows + n * 32, key, 24);
		/* the client as outputs show it, sorted and merged by that */
		dnsyn_privacy_addr(priv, key, rows + n * 32);
		memcpy(rows + n * 32 + 24, &val, 8);
		n++;
	}
	/* Sort by client then bucket so each client's buckets are adjacent. */
	qsort(rows, n, 32, qpc_cmp);
	if (dnsyn_privacy_active(priv)) {
		/* Truncation makes clients coincide: one row per (client, bucket). */
		size_t w = 0;

		for (i = 0; i < n; i++) {
			if (w > 0 && memcmp(rows + (w - 1) * 32, rows + i * 32, 24) == 0) {
				uint64_t a, b;

				memcpy(&a, rows + (w - 1) * 32 + 24, 8);
				memcpy(&b, rows + i * 32 + 24, 8);
				a += b;
				memcpy(rows + (w - 1) * 32 + 24, &a, 8);
				continue;
			}
			memmove(rows + w * 32, rows + i * 32, 32);
			w++;
		}
		n = w;
	}
	for (i = 0; i < n; i++)
		if (i == 0 || memcmp(rows + i * 32, rows + (i - 1) * 32, 16))
			clients++;
	fprintf(f, "{\"bucket_s\": %u, \"clients\": %zu, \"counts\": {", bucket_s, clients);
	for (i = 0; i < n; i++) {
		char addr[64];
		uint64_t b, c;
		int first = i == 0 || memcmp(rows + i * 32, rows + (i - 1) * 32, 16);

		memcpy(&b, rows + i * 32 + 16, 8);
		memcpy(&c, rows + i * 32 + 24, 8);
		if (first) {
			dnsyn_report_addr(rows + i * 32, addr, sizeof(addr));
			fprintf(f, "%s\"%s\": {", i ? "}, " : "", addr);
		}
		fprintf(f, "%s\"%" PRIu64 "\": %" PRIu64, first ? "" : ", ", b, c);
	}
	fprintf(f, "%s}}", n ? "}" : "");
	free(rows);
}

/* Length of the valid UTF-8 sequence at @p s (RFC 3629), 0 if invalid. */
static unsigned int
utf8_len(const unsigned char *s)
{
	unsigned int n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Valid UTF-8 passes through; a byte that is not (a file name in another
 * encoding) is written as the code point of the same value, so the output is
 * always valid JSON. */
static void
json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned int n = utf8_len(s);

		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s);
		} else if (*s < 0x20 || *s == 0x7f || n == 0) {
			fprintf(f, "\\u%04x", *s);
			n = 1;
		} else {
			fwrite(s, 1, n, f);
		}
		s += n ? n : 1;
	}
	fputc('"', f);
}

int
dnsyn_report_json(FILE *f, const struct dnsyn_paper *p, const struct dnsyn_report_input *in)
{
	const struct dnsyn_paper_stats *st = dnsyn_paper_stats(p);
	const struct dnsyn_paper_family *v4 = &st->fam[DNSYN_FAM_V4], *v6 = &st->fam[DNSYN_FAM_V6];
	const int kc = dnsyn_paper_config(p)->key_client;
	unsigned int i, first;
	static const char *const var_key[DNSYN_VAR_MAX] = {"dst_only", "dst_and_client"};
	char b[4][24];

	fprintf(f, "{\n  \"generator\": \"dnsyn\",\n  \"input\": {\"files\": [");
	for (i = 0; i < in->n_files; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_string(f, in->files[i]);
	}
	fprintf(f, "], \"linktypes\": [");
	for (i = 0; i < in->n_files; i++)
		fprintf(f, "%s%d", i ? ", " : "", in->linktypes[i]);
	fprintf(f, "], \"window_ns\": %" PRIu64 ", \"key\": \"%s\", \"first_ts_ns\": %" PRIu64
		   ", \"last_ts_ns\": %" PRIu64 "},\n",
		in->window_ns, kc ? "client" : "address", in->first_ts_ns, in->last_ts_ns);

	fprintf(f, "  \"paper\": {\n");
	fprintf(f, "    \"table1\": {\"dns_answers\": %" PRIu64 ", \"answers_with_A\": %" PRIu64
		   ", \"total_A_RRs\": %" PRIu64 "},\n",
		st->dns_answers, v4->answers_with, v4->total_rrs);
	fprintf(f, "    \"table2\": {\"total_syn\": %" PRIu64 ", \"syn_unique\": %" PRIu64
		   ", \"synack\": %" PRIu64 ", \"matched_dst_only\": %s"
		   ", \"matched_answers_dst_only\": %s, \"matched_dst_and_client\": %" PRIu64
		   ", \"matched_answers_dst_and_client\": %" PRIu64 "},\n",
		st->total_syn, st->syn_unique, st->synack,
		var_u64(b[0], kc, 0, v4->var[0].matched_syns),
		var_u64(b[1], kc, 0, v4->var[0].matched_answers), v4->var[1].matched_syns,
		v4->var[1].matched_answers);
	fprintf(f, "    \"table3_top10_syn_dports\": ");
	json_ports(f, st->syn_dport, TOP_N);
	fprintf(f, ",\n    \"table4_matched_syn_dports\": {");
	for (i = 0; i < DNSYN_VAR_MAX; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", var_key[i]);
		if (kc && i == DNSYN_VAR_DST)
			fprintf(f, "null");
		else
			json_ports(f, v4->var[i].matched_dport, 65536);
	}
	fprintf(f, "},\n    \"delay_hist_10ms\": {\"bin_width_ms\": 10");
	for (i = 0; i < DNSYN_VAR_MAX; i++) {
		fprintf(f, ", \"%s\": ", var_key[i]);
		if (kc && i == DNSYN_VAR_DST)
			fprintf(f, "null");
		else
			json_hist(f, v4->var[i].hist_10ms);
	}
	fprintf(f, "},\n    \"aaaa_extension\": {\"answers_with_AAAA\": %" PRIu64
		   ", \"total_AAAA_RRs\": %" PRIu64 ", \"matched_syns_dst_only\": %s"
		   ", \"matched_answers_dst_only\": %s"
		   ", \"matched_syns_dst_and_client\": %" PRIu64
		   ", \"matched_answers_dst_and_client\": %" PRIu64 "},\n",
		v6->answers_with, v6->total_rrs, var_u64(b[0], kc, 0, v6->var[0].matched_syns),
		var_u64(b[1], kc, 0, v6->var[0].matched_answers), v6->var[1].matched_syns,
		v6->var[1].matched_answers);
	fprintf(f, "    \"dns_queries\": %" PRIu64 ",\n    \"dns_rcodes\": {", st->dns_queries);
	for (i = 0, first = 1; i < 16; i++) {
		if (!st->rcodes[i])
			continue;
		fprintf(f, "%s\"%u\": %" PRIu64, first ? "" : ", ", i, st->rcodes[i]);
		first = 0;
	}
	fprintf(f, "},\n    \"queries_per_client\": ");
	json_qpc(f, p, dnsyn_paper_config(p)->qpc_bucket_s, in->privacy);
	fprintf(f, "\n  },\n");

	fprintf(f, "  \"detail\": {\"syn_ipv4\": %" PRIu64 ", \"syn_ipv6\": %" PRIu64
		   ", \"answers_tcp\": %" PRIu64 ", \"answers_from_reassembled_ip_fragments\": %" PRIu64
		   ", \"answers_tc\": %" PRIu64 ", \"answers_ipv6\": %" PRIu64
		   ", \"answers_with_CNAME\": %" PRIu64 ", \"total_CNAME_RRs\": %" PRIu64
		   ", \"delay_sum_ns_dst_only\": %s, \"delay_sum_ns_dst_and_client\": %" PRIu64
		   ", \"pending_answer_addrs\": %" PRIu64 ", \"pending_expired\": %" PRIu64
		   ", \"timestamps_going_backwards\": %" PRIu64 "},\n",
		st->syn_v4, st->syn_v6, st->answers_tcp, st->answers_reasm, st->answers_tc,
		st->answers_v6, st->answers_with_cname, st->cname_rrs,
		var_u64(b[0], kc, 0, v4->var[0].delay_sum_ns), v4->var[1].delay_sum_ns, dnsyn_paper_pending(p), st->pending_expired,
		st->ts_backwards);

	fprintf(f, "  \"delay\": {\"log_hist\": {\"min_ns\": %llu, \"bins_per_decade\": %u",
		(unsigned long long)DNSYN_LOGH_MIN_NS, DNSYN_LOGH_PER_DECADE);
	for (i = 0; i < DNSYN_VAR_MAX; i++)
		if (kc && i == DNSYN_VAR_DST)
			fprintf(f, ", \"%s\": null", var_key[i]);
		else
			json_logh(f, var_key[i], &v4->var[i].delay_log);
	fprintf(f, "}, \"exp_fit\": {");
	for (i = 0; i < DNSYN_VAR_MAX; i++) {
		struct dnsyn_expfit fit = dnsyn_expfit_truncated(
			v4->var[i].hist_10ms, DNSYN_HIST_BINS, in->window_ns / DNSYN_HIST_BINS,
			v4->var[i].delay_sum_ns);

		if (kc && i == DNSYN_VAR_DST) {
			fprintf(f, "\"%s\": null", var_key[i]);
			continue;
		}
		fprintf(f, "%s\"%s\": {\"n\": %" PRIu64 ", \"ok\": %s, \"rate_per_s\": %.6g, "
			   "\"mean_ms\": %.6g, \"ks_d\": %.6g}",
			i ? ", " : "", var_key[i], fit.n, fit.ok ? "true" : "false", fit.rate_per_s,
			fit.mean_ms, fit.ks_d);
	}
	fprintf(f, "}},\n");
	if (in->json_extra)
		in->json_extra(f, in->json_extra_ud);
	fprintf(f, "  \"counters\": {");
	for (i = 0; i < in->n_counters; i++)
		fprintf(f, "%s\"%s.%s\": %" PRIu64, i ? ", " : "", in->counters[i].group,
			in->counters[i].name, in->counters[i].value);
	fprintf(f, "}\n}\n");
	return ferror(f) ? -EIO : 0;
}

/* Clients by unmatched SYNs, descending (address ascending on ties). */
struct client_count {
	uint8_t addr[16];
	uint64_t n;
};

static int
client_cmp(const void *a, const void *b)
{
	const struct client_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return memcmp(x->addr, y->addr, 16);
}

int
dnsyn_report_interval_jsonl(FILE *f, const struct dnsyn_interval *iv, unsigned int top_n,
			    int key_client)
{
	uint32_t port[64];
	uint64_t cnt[64];
	const struct dnsyn_map *m = &iv->unmatched_clients;
	struct client_count *cl = malloc(sizeof(*cl) * (m->count + 1));
	unsigned int n, i;
	size_t it = 0, nc = 0;
	const void *key;
	uint64_t val;
	char ts[32], addr[64], b[2][24];
	time_t t = (time_t)iv->start_s;
	struct tm tm;

	top_n = DNSYN_MIN(top_n, 64u);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "{\"record\": \"interval\", \"time\": \"%s\", \"start_s\": %" PRIu64
		   ", \"interval_s\": %u, \"dns_answers\": %" PRIu64 ", \"answers_with_A\": %" PRIu64
		   ", \"A_RRs\": %" PRIu64 ", \"answers_with_AAAA\": %" PRIu64 ", \"AAAA_RRs\": %" PRIu64
		   ", \"dns_queries\": %" PRIu64 ", \"nxdomain\": %" PRIu64 ", \"syn\": %" PRIu64
		   ", \"synack\": %" PRIu64 ", \"matched_syns_dst_only\": %s"
		   ", \"matched_syns_dst_and_client\": %" PRIu64
		   ", \"matched_answers_dst_only\": %s"
		   ", \"matched_answers_dst_and_client\": %" PRIu64 ", \"syn_dports\": [",
		ts, iv->start_s, iv->len_s, iv->dns_answers, iv->answers_with_a, iv->a_rrs,
		iv->answers_with_aaaa, iv->aaaa_rrs, iv->dns_queries, iv->nxdomain, iv->syn,
		iv->synack, var_u64(b[0], key_client, 0, iv->matched_syns[0]), iv->matched_syns[1],
		var_u64(b[1], key_client, 0, iv->matched_answers[0]), iv->matched_answers[1]);
	/* Top ports by all SYNs, each with its matched / unmatched split. */
	n = dnsyn_report_top_ports(iv->syn_dport, top_n, port, cnt);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"port\": %u, \"syn\": %" PRIu64 ", \"matched\": %" PRIu64
			   ", \"unmatched\": %" PRIu64 "}",
			i ? ", " : "", port[i], cnt[i], iv->matched_dport[port[i]],
			cnt[i] - iv->matched_dport[port[i]]);
	fprintf(f, "], \"matched_syn_dports\": [");
	n = dnsyn_report_top_ports(iv->matched_dport, top_n, port, cnt);
	for (i = 0; i < n; i++)
		fprintf(f, "%s[%u, %" PRIu64 "]", i ? ", " : "", port[i], cnt[i]);
	while (cl && dnsyn_map_next(m, &it, &key, &val)) {
		memcpy(cl[nc].addr, key, 16);
		cl[nc++].n = val;
	}
	if (cl)
		qsort(cl, nc, sizeof(*cl), client_cmp);
	fprintf(f, "], \"unmatched_syn_clients\": {\"clients\": %zu, \"overflow_syns\": %" PRIu64
		   ", \"top\": [",
		m->count, m->refused);
	for (i = 0; cl && i < DNSYN_MIN(nc, (size_t)top_n); i++) {
		dnsyn_report_addr(cl[i].addr, addr, sizeof(addr));
		fprintf(f, "%s[\"%s\", %" PRIu64 "]", i ? ", " : "", addr, cl[i].n);
	}
	fprintf(f, "]}}\n");
	free(cl);
	return ferror(f) ? -EIO : 0;
}
