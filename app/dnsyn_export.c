/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "dnsyn_export.h"
#include "dnsyn_ipfix_interval.h"

int
dnsyn_export_open(struct dnsyn_export *x, const struct dnsyn_conf *conf, char *err,
		  size_t errlen)
{
	struct dnsyn_ipfix_conf ic;

	memset(x, 0, sizeof(*x));
	if (conf->n_ipfix == 0)
		return 0;
	dnsyn_ipfix_conf_default(&ic);
	ic.pen = conf->ipfix_pen;
	ic.odid = conf->ipfix_odid;
	ic.mtu = (uint16_t)conf->ipfix_mtu;
	ic.refresh_s = conf->ipfix_refresh_s;
	if (dnsyn_ipfix_exporter_create(&x->ex, &ic, conf->ipfix, conf->n_ipfix, err, errlen) < 0)
		return -EINVAL;
	x->n_targets = conf->n_ipfix;
	return 0;
}

static int
port_rec(void *ud, const struct dnsyn_ipfix_port_rec *r)
{
	struct dnsyn_export *x = ud;

	x->records++;
	return dnsyn_ipfix_export_port(x->ex, r);
}

static void
send_stats(struct dnsyn_export *x)
{
	struct dnsyn_export_figures f;
	struct dnsyn_ipfix_meter_stats m;
	struct dnsyn_ipfix_counters c;

	memset(&f, 0, sizeof(f));
	if (x->figures)
		x->figures(x->figures_ud, &f);
	memset(&m, 0, sizeof(m));
	m.packets = f.packets;
	m.ignored = f.ignored;
	memset(&c, 0, sizeof(c));
	c.parse_errors = f.parse_errors;
	c.evicted_answers = f.evicted_answers;
	c.evicted_addrs = f.evicted_addrs;
	c.table_occupancy = f.table_occupancy;
	c.table_capacity = f.table_capacity;
	c.ring_drops = f.ring_drops;
	c.syn_set_early = f.syn_set_early;
	c.qpc_refused = f.qpc_refused;
	c.iv_clients_refused = f.iv_clients_refused;
	c.tcp_streams_full = f.tcp_streams_full;
	c.tcp_buf_exhausted = f.tcp_buf_exhausted;
	dnsyn_ipfix_export_stats(x->ex, &m, &c);
}

static int
client_rec(void *ud, const struct dnsyn_ipfix_client_rec *r)
{
	struct dnsyn_export *x = ud;

	x->records++;
	return dnsyn_ipfix_export_client(x->ex, r);
}

static int
corr_rec(void *ud, const struct dnsyn_ipfix_corr_rec *r)
{
	struct dnsyn_export *x = ud;

	x->records++;
	return dnsyn_ipfix_export_corr(x->ex, r);
}

/* lib/detect counts IPv4 prefixes in the 128-bit form (120 a /24); the
 * records, in the address's own family (24). */
static uint8_t
family_plen(const uint8_t addr[16], uint8_t plen)
{
	return dnsyn_ipfix_is_v4mapped(addr) && plen >= 96 ? (uint8_t)(plen - 96) : plen;
}

/* The detector's alerts and top list of the interval just exported. Only
 * the main lcore writes and reads det->last, one after the other. */
static void
detection_recs(struct dnsyn_export *x, const struct dnsyn_detector *det)
{
	const struct dnsyn_detector_last *l = &det->last;
	uint32_t i;

	for (i = 0; i < l->n_alerts; i++) {
		const struct dnsyn_alert *a = &l->alerts[i];
		struct dnsyn_ipfix_alert_rec r;

		memset(&r, 0, sizeof(r));
		r.start_s = a->iv_start_s;
		r.end_s = a->iv_start_s + a->iv_len_s;
		dnsyn_privacy_addr(det->priv, a->addr, r.addr);
		r.plen = family_plen(a->addr, a->plen);
		r.detector = (uint8_t)(a->det + 1);
		r.resolver = a->resolver;
		r.score = a->score;
		if (a->n_ev > 0) {
			r.ev_name = a->ev[0].name;
			r.ev_value = a->ev[0].value;
		}
		r.reason = a->reason;
		x->records++;
		if (dnsyn_ipfix_export_alert(x->ex, &r) < 0)
			x->errors++;
	}
	for (i = 0; i < l->n_top; i++) {
		struct dnsyn_ipfix_top_rec r;

		memset(&r, 0, sizeof(r));
		r.start_s = l->start_s;
		r.end_s = l->start_s + l->len_s;
		r.rank = (uint16_t)(i + 1);
		dnsyn_privacy_addr(det->priv, l->top[i].addr, r.client);
		r.plen = family_plen(l->top[i].addr, l->top[i].plen);
		r.queries = l->top[i].dq;
		x->records++;
		if (dnsyn_ipfix_export_top(x->ex, &r) < 0)
			x->errors++;
	}
}

void
dnsyn_export_interval(struct dnsyn_export *x, const struct dnsyn_interval *iv,
		      const struct dnsyn_detector *det)
{
	if (x->ex == NULL)
		return;
	if (dnsyn_ipfix_from_interval(iv, port_rec, client_rec, corr_rec, x) < 0)
		x->errors++;
	/* A part written apart (time went back) was refused by the detector:
	 * its last alerts belong to another interval. */
	if (det != NULL && det->last.valid && det->last.start_s == iv->start_s)
		detection_recs(x, det);
	/* Statistics after each interval: they also flush its records. */
	send_stats(x);
	x->intervals++;
}

void
dnsyn_export_poll(struct dnsyn_export *x)
{
	if (x->ex)
		dnsyn_ipfix_exporter_poll(x->ex);
}

void
dnsyn_export_close(struct dnsyn_export *x)
{
	if (x->ex == NULL)
		return;
	send_stats(x);
	dnsyn_ipfix_exporter_flush(x->ex);
	/* added to what earlier exporters sent (SIGHUP replaces the exporter) */
	for (unsigned int i = 0; i < dnsyn_ipfix_exporter_n_targets(x->ex); i++) {
		struct dnsyn_ipfix_target_stats t;

		dnsyn_ipfix_exporter_target_stats(x->ex, i, &t);
		x->sent.messages += t.messages;
		x->sent.records += t.records;
		x->sent.octets += t.octets;
		x->sent.not_sent += t.not_sent;
		x->sent.messages_not_sent += t.messages_not_sent;
		x->sent.template_sends += t.template_sends;
		x->sent.connects += t.connects;
		x->sent.disconnects += t.disconnects;
		x->sent.truncated += t.truncated;
	}
	dnsyn_ipfix_exporter_destroy(x->ex);
	x->ex = NULL;
}
