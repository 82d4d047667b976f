/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnsyn_compiler.h"
#include "dnsyn_ipfix_transport.h"

/* ---- Target strings -------------------------------------------------- */

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int
dnsyn_ipfix_target_parse(const char *s, struct dnsyn_ipfix_target *t, char *err, size_t errlen)
{
	const char *rest, *host, *host_end, *port = NULL;
	size_t hl;

	memset(t, 0, sizeof(*t));
	if (s == NULL)
		return fail(err, errlen, "IPFIX target missing");
	if (strncmp(s, "udp:", 4) == 0) {
		t->proto = DNSYN_IPFIX_UDP;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		t->proto = DNSYN_IPFIX_TCP;
	} else if (strncmp(s, "file:", 5) == 0) {
		if (s[5] == '\0')
			return fail(err, errlen, "IPFIX target '%s': file: needs a path", s);
		if (strlen(s + 5) >= sizeof(t->path))
			return fail(err, errlen, "IPFIX target: path too long");
		t->proto = DNSYN_IPFIX_FILE;
		strcpy(t->path, s + 5);
		return 0;
	} else {
		return fail(err, errlen,
			    "IPFIX target '%s': expected udp:HOST[:PORT], tcp:HOST[:PORT] or file:PATH",
			    s);
	}
	rest = s + 4;
	if (rest[0] == '[') {
		host = rest + 1;
		host_end = strchr(host, ']');
		if (host_end == NULL)
			return fail(err, errlen, "IPFIX target '%s': missing ']' after IPv6 address", s);
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end[1] != '\0')
			return fail(err, errlen, "IPFIX target '%s': expected ':PORT' after ']'", s);
	} else {
		const char *c = strchr(rest, ':');

		host = rest;
		if (c != NULL && strchr(c + 1, ':') != NULL)
			return fail(err, errlen,
				    "IPFIX target '%s': IPv6 addresses go in brackets, e.g. %.4s[::1]:%u",
				    s, s, DNSYN_IPFIX_PORT);
		host_end = c ? c : rest + strlen(rest);
		port = c ? c + 1 : NULL;
	}
	hl = (size_t)(host_end - host);
	if (hl == 0)
		return fail(err, errlen, "IPFIX target '%s': host missing", s);
	if (hl >= sizeof(t->host))
		return fail(err, errlen, "IPFIX target '%s': host too long", s);
	for (size_t i = 0; i < hl; i++)
		if (host[i] == ' ' || host[i] == '/' || host[i] == '[' || host[i] == ']')
			return fail(err, errlen, "IPFIX target '%s': bad character in host", s);
	memcpy(t->host, host, hl);
	t->host[hl] = '\0';
	t->port = DNSYN_IPFIX_PORT;
	if (port != NULL) {
		unsigned long v = 0;

		if (*port == '\0')
			return fail(err, errlen, "IPFIX target '%s': port missing after ':'", s);
		for (const char *c = port; *c; c++) {
			if (*c < '0' || *c > '9' || v > 65535)
				return fail(err, errlen,
					    "IPFIX target '%s': port must be a number 1-65535", s);
			v = v * 10 + (unsigned long)(*c - '0');
		}
		if (v == 0 || v > 65535)
			return fail(err, errlen, "IPFIX target '%s': port must be a number 1-65535", s);
		t->port = (uint16_t)v;
	}
	return 0;
}

/* ---- The exporter ---------------------------------------------------- */

enum { T_DOWN, T_CONNECTING, T_UP };

/* TCP: whole messages wait in a bounded queue until the socket takes them. */
#define QMSG_MAX 1024

struct qmsg {
	uint32_t len, nrec;
};

struct target {
	struct dnsyn_ipfix_target spec;
	int fd;
	int state;
	struct sockaddr_storage addr;
	socklen_t alen;
	uint32_t seq[2];          /* [0] the data domain, [1] domain 0 */
	uint64_t last_tmpl_ms;
	uint32_t msgs_since_tmpl;
	int need_tmpl;
	uint64_t next_connect_ms;
	uint32_t backoff_ms;
	uint8_t *q;               /* TCP queue: q[qoff, qlen) not yet sent */
	size_t qoff, qlen;
	struct qmsg qm[QMSG_MAX]; /* its messages, oldest first, from qm[qh] */
	unsigned int qh, qn;
	size_t head_sent;         /* octets of the oldest message already sent */
	struct dnsyn_ipfix_target_stats st;
};

struct dnsyn_ipfix_exporter {
	struct dnsyn_ipfix_conf c;
	unsigned int n;
	struct target *t;
	uint32_t last_export_s;
	struct dnsyn_ipfix_msg data;  /* the data domain's open message */
	uint8_t *dbuf, *tbuf;         /* data; templates and statistics */
};

static uint64_t
now_ms(const struct dnsyn_ipfix_exporter *ex)
{
	struct timespec ts;

	if (ex->c.clock_ms != NULL)
		return ex->c.clock_ms(ex->c.clock_ud);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Export time never goes backwards, whatever the clock does. */
static uint32_t
export_time(struct dnsyn_ipfix_exporter *ex)
{
	uint64_t s = now_ms(ex) / 1000;
	uint32_t s32 = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;

	if (s32 > ex->last_export_s)
		ex->last_export_s = s32;
	return ex->last_export_s;
}

void
dnsyn_ipfix_conf_default(struct dnsyn_ipfix_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->pen = DNSYN_IPFIX_PEN_DEFAULT;
	c->odid = 1;
	c->exporter_id = 1;
	c->mtu = DNSYN_IPFIX_MTU_DEFAULT;
	c->refresh_s = 60;
	c->refresh_msgs = 1000;
	c->backoff_min_ms = 250;
	c->backoff_max_ms = 30000;
	c->tcp_queue = 256 * 1024;
}

static unsigned int
seq_idx(const struct dnsyn_ipfix_exporter *ex, uint32_t odid)
{
	return odid == ex->c.odid ? 0 : 1;
}

static void
count_drop(struct dnsyn_ipfix_exporter *ex, struct target *t, uint32_t nrec)
{
	uint64_t now = now_ms(ex);

	t->st.messages_not_sent++;
	t->st.not_sent += nrec;
	if (nrec) {
		if (t->st.first_drop_ms == 0)
			t->st.first_drop_ms = now;
		t->st.last_drop_ms = now;
	}
}

static void
count_sent(struct target *t, uint32_t len, uint32_t nrec)
{
	t->st.messages++;
	t->st.records += nrec;
	t->st.octets += len;
}

static void tcp_down(struct dnsyn_ipfix_exporter *ex, struct target *t);

/* Send what the TCP queue holds, as far as the socket takes it now. */
static void
tcp_drain(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	while (t->state == T_UP && t->qoff < t->qlen) {
		ssize_t w = send(t->fd, t->q + t->qoff, t->qlen - t->qoff,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				tcp_down(ex, t);
			return;
		}
		t->qoff += (size_t)w;
		t->head_sent += (size_t)w;
		while (t->qn > 0 && t->head_sent >= t->qm[t->qh].len) {
			t->head_sent -= t->qm[t->qh].len;
			count_sent(t, t->qm[t->qh].len, t->qm[t->qh].nrec);
			t->qh = (t->qh + 1) % QMSG_MAX;
			t->qn--;
		}
	}
	if (t->qoff == t->qlen)
		t->qoff = t->qlen = 0;
}

static void
tcp_schedule(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	t->next_connect_ms = now_ms(ex) + t->backoff_ms;
	t->backoff_ms = t->backoff_ms >= ex->c.backoff_max_ms / 2 ? ex->c.backoff_max_ms
								    : t->backoff_ms * 2;
}

/* Connection lost: what is queued is lost with it (a half-sent message can
 * not go on in a new session), counted as not sent. */
static void
tcp_down(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->state == T_UP)
		t->st.disconnects++;
	t->state = T_DOWN;
	while (t->qn > 0) {
		count_drop(ex, t, t->qm[t->qh].nrec);
		t->qh = (t->qh + 1) % QMSG_MAX;
		t->qn--;
	}
	t->qh = 0;
	t->qoff = t->qlen = t->head_sent = 0;
	t->st.up = 0;
	tcp_schedule(ex, t);
}

static void
tcp_up(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	t->state = T_UP;
	t->st.up = 1;
	t->st.connects++;
	t->backoff_ms = ex->c.backoff_min_ms;
	t->need_tmpl = 1; /* a new session knows no template */
}

static void
tcp_connect(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	t->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		tcp_schedule(ex, t);
		return;
	}
	if (connect(t->fd, (struct sockaddr *)&t->addr, t->alen) == 0) {
		tcp_up(ex, t);
	} else if (errno == EINPROGRESS) {
		t->state = T_CONNECTING;
	} else {
		close(t->fd);
		t->fd = -1;
		t->state = T_DOWN;
		tcp_schedule(ex, t);
	}
}

/* Poll the TCP state machine once, without waiting. */
static void
tcp_poll(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	struct pollfd pfd;

	if (t->state == T_DOWN) {
		if (now_ms(ex) >= t->next_connect_ms)
			tcp_connect(ex, t);
		if (t->state != T_CONNECTING)
			return;
	}
	pfd.fd = t->fd;
	pfd.events = t->state == T_CONNECTING ? POLLOUT : POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return;
	if (t->state == T_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
			close(t->fd);
			t->fd = -1;
			t->state = T_DOWN;
			tcp_schedule(ex, t);
			return;
		}
		tcp_up(ex, t);
		return;
	}
	/* A collector sends nothing over IPFIX/TCP: readable means closed. */
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		uint8_t b[256];
		ssize_t r = recv(t->fd, b, sizeof(b), MSG_DONTWAIT);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			tcp_down(ex, t);
	}
}

/* Hand one finished message to one target, stamped with its own sequence
 * number. UDP and files advance the sequence number even when the send fails,
 * so a collector sees the gap; a TCP session only counts what it carried. */
static void
deliver(struct dnsyn_ipfix_exporter *ex, struct target *t, uint8_t *msg, uint16_t len,
	uint32_t odid, uint32_t nrec)
{
	uint32_t *seq = &t->seq[seq_idx(ex, odid)];

	dnsyn_ipfix_msg_stamp(msg, export_time(ex), *seq);
	switch (t->spec.proto) {
	case DNSYN_IPFIX_UDP: {
		ssize_t w = send(t->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w == (ssize_t)len)
			count_sent(t, len, nrec);
		else
			count_drop(ex, t, nrec); /* ECONNREFUSED, ENOBUFS, EAGAIN... */
		*seq += nrec;
		t->msgs_since_tmpl++;
		break;
	}
	case DNSYN_IPFIX_FILE: {
		size_t off = 0;

		while (t->fd >= 0 && off < len) {
			ssize_t w = write(t->fd, msg + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (off == len)
			count_sent(t, len, nrec);
		else
			count_drop(ex, t, nrec);
		*seq += nrec;
		break;
	}
	case DNSYN_IPFIX_TCP:
		if (t->state != T_UP || t->qn == QMSG_MAX ||
		    t->qlen + len > ex->c.tcp_queue) {
			count_drop(ex, t, nrec);
			break;
		}
		memcpy(t->q + t->qlen, msg, len);
		t->qlen += len;
		t->qm[(t->qh + t->qn) % QMSG_MAX] = (struct qmsg){ len, nrec };
		t->qn++;
		*seq += nrec;
		tcp_drain(ex, t);
		break;
	}
}

/* Templates of one domain and the RFC 5610 type records, in as many messages
 * as the MTU needs. The type records go first: a collector that learns
 * element types from them (libfixbuf's --rfc5610) binds a template's fields
 * when it reads the template, so the types must be known by then. */
static void
send_templates_domain(struct dnsyn_ipfix_exporter *ex, struct target *t, uint32_t odid,
		      int domain0, int all)
{
	const struct dnsyn_ipfix_template *ietype =
		dnsyn_ipfix_template_find(DNSYN_IPFIX_TID_IETYPE);
	unsigned int n_steps = 1 + dnsyn_ipfix_n_ie_infos + DNSYN_IPFIX_N_TEMPLATES;
	struct dnsyn_ipfix_msg m;

	dnsyn_ipfix_msg_init(&m, ex->tbuf, ex->c.mtu, odid, ex->c.pen);
	for (unsigned int step = 0; step < n_steps;) {
		int rc;

		if (step == 0) {
			rc = dnsyn_ipfix_add_template(&m, ietype);
		} else if (step <= dnsyn_ipfix_n_ie_infos) {
			rc = dnsyn_ipfix_add_ie_info(&m, &dnsyn_ipfix_ie_infos[step - 1]);
		} else {
			const struct dnsyn_ipfix_template *tp =
				&dnsyn_ipfix_templates[step - 1 - dnsyn_ipfix_n_ie_infos];

			if (tp == ietype || (!all && tp->domain0 != domain0)) {
				step++;
				continue;
			}
			rc = dnsyn_ipfix_add_template(&m, tp);
		}
		if (rc == 0) {
			step++;
			continue;
		}
		if (dnsyn_ipfix_msg_empty(&m))
			return; /* cannot happen with an MTU >= DNSYN_IPFIX_MTU_MIN */
		dnsyn_ipfix_msg_finish(&m, 0, 0);
		deliver(ex, t, m.buf, m.len, odid, m.n_data);
		dnsyn_ipfix_msg_init(&m, ex->tbuf, ex->c.mtu, odid, ex->c.pen);
	}
	if (!dnsyn_ipfix_msg_empty(&m)) {
		dnsyn_ipfix_msg_finish(&m, 0, 0);
		deliver(ex, t, m.buf, m.len, odid, m.n_data);
	}
}

static void
send_templates(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	if (ex->c.odid == 0) {
		send_templates_domain(ex, t, 0, 0, 1);
	} else {
		send_templates_domain(ex, t, ex->c.odid, 0, 0);
		send_templates_domain(ex, t, 0, 1, 0);
	}
	t->need_tmpl = 0;
	t->last_tmpl_ms = now_ms(ex);
	t->msgs_since_tmpl = 0;
	t->st.template_sends++;
}

/* Templates go first where a target needs them: a new TCP session, or the
 * UDP refresh (RFC 7011 section 8.4) by time or message count. */
static void
maybe_templates(struct dnsyn_ipfix_exporter *ex, struct target *t)
{
	if (t->spec.proto == DNSYN_IPFIX_TCP && t->state != T_UP)
		return;
	if (t->spec.proto == DNSYN_IPFIX_UDP && !t->need_tmpl) {
		uint64_t now = now_ms(ex);

		if ((ex->c.refresh_s && now >= t->last_tmpl_ms + (uint64_t)ex->c.refresh_s * 1000) ||
		    (ex->c.refresh_msgs && t->msgs_since_tmpl >= ex->c.refresh_msgs))
			t->need_tmpl = 1;
	}
	if (t->need_tmpl)
		send_templates(ex, t);
}

static void
send_all(struct dnsyn_ipfix_exporter *ex, struct dnsyn_ipfix_msg *m)
{
	for (unsigned int i = 0; i < ex->n; i++) {
		struct target *t = &ex->t[i];

		if (t->spec.proto == DNSYN_IPFIX_TCP)
			tcp_poll(ex, t);
		maybe_templates(ex, t);
		deliver(ex, t, m->buf, m->len, m->odid, m->n_data);
		t->st.truncated += m->truncated;
	}
}

void
dnsyn_ipfix_exporter_flush(struct dnsyn_ipfix_exporter *ex)
{
	if (ex == NULL || dnsyn_ipfix_msg_empty(&ex->data))
		return;
	dnsyn_ipfix_msg_finish(&ex->data, 0, 0);
	send_all(ex, &ex->data);
	dnsyn_ipfix_msg_init(&ex->data, ex->dbuf, ex->c.mtu, ex->c.odid, ex->c.pen);
}

/* Add with @p add; a full message is sent and the record goes in a new one. */
#define EXPORT_REC(ex, add, r)                                                                \
	do {                                                                                  \
		if (add(&(ex)->data, (r)) == 0)                                               \
			return 0;                                                             \
		if (dnsyn_ipfix_msg_empty(&(ex)->data))                                       \
			return -EMSGSIZE;                                                     \
		dnsyn_ipfix_exporter_flush(ex);                                               \
		return add(&(ex)->data, (r)) == 0 ? 0 : -EMSGSIZE;                            \
	} while (0)

int
dnsyn_ipfix_export_corr(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_corr_rec *r)
{
	EXPORT_REC(ex, dnsyn_ipfix_add_corr, r);
}

int
dnsyn_ipfix_export_port(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_port_rec *r)
{
	EXPORT_REC(ex, dnsyn_ipfix_add_port, r);
}

int
dnsyn_ipfix_export_client(struct dnsyn_ipfix_exporter *ex,
			  const struct dnsyn_ipfix_client_rec *r)
{
	EXPORT_REC(ex, dnsyn_ipfix_add_client, r);
}

int
dnsyn_ipfix_export_alert(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_alert_rec *r)
{
	EXPORT_REC(ex, dnsyn_ipfix_add_alert, r);
}

int
dnsyn_ipfix_export_top(struct dnsyn_ipfix_exporter *ex, const struct dnsyn_ipfix_top_rec *r)
{
	EXPORT_REC(ex, dnsyn_ipfix_add_top, r);
}

void
dnsyn_ipfix_export_stats(struct dnsyn_ipfix_exporter *ex,
			 const struct dnsyn_ipfix_meter_stats *meter,
			 const struct dnsyn_ipfix_counters *counters)
{
	dnsyn_ipfix_exporter_flush(ex);
	for (unsigned int i = 0; i < ex->n; i++) {
		struct target *t = &ex->t[i];
		struct dnsyn_ipfix_export_stats es;
		struct dnsyn_ipfix_msg m;

		if (t->spec.proto == DNSYN_IPFIX_TCP)
			tcp_poll(ex, t);
		maybe_templates(ex, t);
		/* Each target reports its own losses: they differ per collector. */
		memset(&es, 0, sizeof(es));
		es.exporter_id = ex->c.exporter_id;
		es.messages = t->st.messages;
		es.records = t->st.records;
		es.octets = t->st.octets;
		es.not_sent = t->st.not_sent;
		es.first_drop_ms = t->st.first_drop_ms;
		es.last_drop_ms = t->st.last_drop_ms;
		dnsyn_ipfix_msg_init(&m, ex->tbuf, ex->c.mtu, 0, ex->c.pen);
		if (meter != NULL) {
			struct dnsyn_ipfix_meter_stats ms = *meter;

			ms.odid = ex->c.odid;
			dnsyn_ipfix_add_meter(&m, &ms);
		}
		dnsyn_ipfix_add_export(&m, &es);
		if (counters != NULL) {
			struct dnsyn_ipfix_counters cs = *counters;

			cs.odid = ex->c.odid;
			dnsyn_ipfix_add_counters(&m, &cs);
		}
		dnsyn_ipfix_msg_finish(&m, 0, 0);
		deliver(ex, t, m.buf, m.len, 0, m.n_data);
	}
}

void
dnsyn_ipfix_exporter_poll(struct dnsyn_ipfix_exporter *ex)
{
	for (unsigned int i = 0; i < ex->n; i++) {
		struct target *t = &ex->t[i];

		if (t->spec.proto == DNSYN_IPFIX_TCP) {
			tcp_poll(ex, t);
			tcp_drain(ex, t);
		}
		if (t->spec.proto != DNSYN_IPFIX_FILE)
			maybe_templates(ex, t);
	}
}

static int
resolve(struct target *t, int socktype, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", t->spec.port);
	rc = getaddrinfo(t->spec.host, port, &hints, &res);
	if (rc == EAI_BADFLAGS || (rc != 0 && rc != EAI_SYSTEM)) {
		/* AI_ADDRCONFIG hides ::1 on hosts with only loopback IPv6. */
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(t->spec.host, port, &hints, &res);
	}
	if (rc != 0) {
		fail(err, errlen, "IPFIX collector '%s': %s", t->spec.host, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->alen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
open_target(struct dnsyn_ipfix_exporter *ex, struct target *t, char *err, size_t errlen)
{
	int rc;

	t->fd = -1;
	t->backoff_ms = ex->c.backoff_min_ms;
	switch (t->spec.proto) {
	case DNSYN_IPFIX_FILE:
		t->fd = open(t->spec.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		if (t->fd < 0) {
			rc = -errno;
			fail(err, errlen, "IPFIX file '%s': %s", t->spec.path, strerror(errno));
			return rc;
		}
		t->st.up = 1;
		t->need_tmpl = 1; /* RFC 5655: templates at the start of the file */
		return 0;
	case DNSYN_IPFIX_UDP: {
		struct sockaddr_storage local;

		rc = resolve(t, SOCK_DGRAM, err, errlen);
		if (rc < 0)
			return rc;
		/* One socket, bound once: the source port stays for the process's
		 * life, which is how a UDP collector tells sessions apart. */
		t->fd = socket(t->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		memset(&local, 0, sizeof(local));
		local.ss_family = t->addr.ss_family;
		if (t->fd < 0 ||
		    bind(t->fd, (struct sockaddr *)&local,
			 t->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in)) < 0 ||
		    connect(t->fd, (struct sockaddr *)&t->addr, t->alen) < 0) {
			rc = -errno;
			fail(err, errlen, "IPFIX collector udp:%s:%u: %s", t->spec.host,
			     t->spec.port, strerror(errno));
			return rc;
		}
		t->st.up = 1;
		t->need_tmpl = 1;
		return 0;
	}
	case DNSYN_IPFIX_TCP:
		rc = resolve(t, SOCK_STREAM, err, errlen);
		if (rc < 0)
			return rc;
		t->q = malloc(ex->c.tcp_queue);
		if (t->q == NULL) {
			fail(err, errlen, "IPFIX: out of memory");
			return -ENOMEM;
		}
		t->state = T_DOWN;
		t->next_connect_ms = 0;
		tcp_connect(ex, t);
		return 0;
	}
	return -EINVAL;
}

int
dnsyn_ipfix_exporter_create(struct dnsyn_ipfix_exporter **ret,
			    const struct dnsyn_ipfix_conf *conf, const char *const *targets,
			    unsigned int n, char *err, size_t errlen)
{
	struct dnsyn_ipfix_exporter *ex;
	int rc;

	*ret = NULL;
	if (dnsyn_ipfix_mtu_ok(conf->mtu) < 0)
		return fail(err, errlen, "IPFIX MTU %u: must be %u-%u octets", conf->mtu,
			    DNSYN_IPFIX_MTU_MIN, DNSYN_IPFIX_MSG_MAX);
	if (conf->tcp_queue < conf->mtu)
		return fail(err, errlen, "IPFIX TCP queue must hold at least one message");
	if (conf->backoff_min_ms == 0 || conf->backoff_max_ms < conf->backoff_min_ms)
		return fail(err, errlen, "IPFIX TCP back-off: need 0 < min <= max");
	ex = calloc(1, sizeof(*ex));
	if (ex == NULL)
		return -ENOMEM;
	ex->c = *conf;
	ex->t = calloc(n ? n : 1, sizeof(*ex->t));
	ex->dbuf = malloc(conf->mtu);
	ex->tbuf = malloc(conf->mtu);
	if (ex->t == NULL || ex->dbuf == NULL || ex->tbuf == NULL) {
		dnsyn_ipfix_exporter_destroy(ex);
		fail(err, errlen, "IPFIX: out of memory");
		return -ENOMEM;
	}
	dnsyn_ipfix_msg_init(&ex->data, ex->dbuf, ex->c.mtu, ex->c.odid, ex->c.pen);
	for (unsigned int i = 0; i < n; i++) {
		ex->t[i].fd = -1;
		rc = dnsyn_ipfix_target_parse(targets[i], &ex->t[i].spec, err, errlen);
		if (rc == 0)
			rc = open_target(ex, &ex->t[i], err, errlen);
		ex->n = i + 1;
		if (rc < 0) {
			dnsyn_ipfix_exporter_destroy(ex);
			return rc;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		maybe_templates(ex, &ex->t[i]);
	*ret = ex;
	return 0;
}

void
dnsyn_ipfix_exporter_destroy(struct dnsyn_ipfix_exporter *ex)
{
	if (ex == NULL)
		return;
	if (ex->dbuf != NULL && ex->tbuf != NULL)
		dnsyn_ipfix_exporter_flush(ex);
	for (unsigned int i = 0; i < ex->n; i++) {
		struct target *t = &ex->t[i];

		if (t->spec.proto == DNSYN_IPFIX_TCP && t->state == T_UP)
			tcp_drain(ex, t); /* one last try, without waiting */
		if (t->fd >= 0)
			close(t->fd);
		free(t->q);
	}
	free(ex->t);
	free(ex->dbuf);
	free(ex->tbuf);
	free(ex);
}

unsigned int
dnsyn_ipfix_exporter_n_targets(const struct dnsyn_ipfix_exporter *ex)
{
	return ex->n;
}

void
dnsyn_ipfix_exporter_target_stats(const struct dnsyn_ipfix_exporter *ex, unsigned int i,
				  struct dnsyn_ipfix_target_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (i < ex->n)
		*out = ex->t[i].st;
}

uint16_t
dnsyn_ipfix_exporter_local_port(const struct dnsyn_ipfix_exporter *ex, unsigned int i)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof(a);

	if (i >= ex->n || ex->t[i].spec.proto != DNSYN_IPFIX_UDP || ex->t[i].fd < 0 ||
	    getsockname(ex->t[i].fd, (struct sockaddr *)&a, &al) < 0)
		return 0;
	if (a.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	return ntohs(((struct sockaddr_in *)&a)->sin_port);
}
