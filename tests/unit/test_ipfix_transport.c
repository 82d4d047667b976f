/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the IPFIX transports on loopback: target strings, UDP
 * (fixed source port, MTU, template refresh by time and by count, a dead
 * collector), TCP (templates on every connection, a collector that goes away
 * and comes back, one that never reads), RFC 5655 files, several at once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dnsyn_compiler.h"
#include "dnsyn_test_util.h"
#include "test_ipfix_decode.h"
#include "dnsyn_ipfix_transport.h"

#define PEN DNSYN_IPFIX_PEN_DEFAULT
#define T0_MS 1700000000000ULL

static struct td_session *S;
static uint64_t fake_now;

static uint64_t
fake_clock(void *ud)
{
	(void)ud;
	return fake_now;
}

static int
setup(void **state)
{
	(void)state;
	S = malloc(sizeof(*S));
	assert_non_null(S);
	td_init(S);
	fake_now = T0_MS;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(S);
	return 0;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
conf_test(struct dnsyn_ipfix_conf *c)
{
	dnsyn_ipfix_conf_default(c);
	c->clock_ms = fake_clock;
	c->refresh_msgs = 0;
}

static void
corr(struct dnsyn_ipfix_corr_rec *c, uint32_t i)
{
	static const char *names[] = { "www.example.com", "", "a.b", "mail.example.org" };

	memset(c, 0, sizeof(*c));
	c->first_ms = T0_MS + i;
	c->last_ms = T0_MS + i + 10;
	tp_v4m(c->client, 0x0a000000 + i);
	tp_v4m(c->server, 0xc0000200 + (i & 0xff));
	c->dport = 443;
	c->proto = 6;
	c->syns = i + 1;
	c->delay_min_us = 5;
	c->delay_max_us = 50;
	c->delay_sum_us = 100;
	c->answer_ttl = 60;
	c->qname = names[i % 4];
	c->qname_len = strlen(c->qname);
}

static struct dnsyn_ipfix_exporter *
create1(const struct dnsyn_ipfix_conf *c, const char *target)
{
	struct dnsyn_ipfix_exporter *ex = NULL;
	char err[256] = "";
	int rc = dnsyn_ipfix_exporter_create(&ex, c, &target, 1, err, sizeof(err));

	if (rc != 0)
		fail_msg("create %s: %d %s", target, rc, err);
	return ex;
}

/* ---- target strings ------------------------------------------------- */

static void
test_target_parse(void **state)
{
	static const struct {
		const char *s;
		int proto;
		const char *host;
		unsigned int port;
	} good[] = {
		{ "udp:127.0.0.1:4739", DNSYN_IPFIX_UDP, "127.0.0.1", 4739 },
		{ "udp:collector.example", DNSYN_IPFIX_UDP, "collector.example", 4739 },
		{ "tcp:[::1]:9995", DNSYN_IPFIX_TCP, "::1", 9995 },
		{ "udp:[2001:db8::1]", DNSYN_IPFIX_UDP, "2001:db8::1", 4739 },
		{ "tcp:h:1", DNSYN_IPFIX_TCP, "h", 1 },
		{ "udp:h:65535", DNSYN_IPFIX_UDP, "h", 65535 },
	};
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "", "expected udp:HOST" },
		{ "sctp:h:4739", "expected udp:HOST" },
		{ "udp:", "host missing" },
		{ "udp::4739", "host missing" },
		{ "udp:h:", "port missing" },
		{ "udp:h:0", "1-65535" },
		{ "udp:h:65536", "1-65535" },
		{ "udp:h:99999999999", "1-65535" },
		{ "udp:h:47a", "1-65535" },
		{ "udp:::1", "brackets" },
		{ "tcp:2001:db8::1:4739", "brackets, e.g. tcp:[::1]:4739" },
		{ "udp:[::1", "missing ']'" },
		{ "udp:[::1]4739", "expected ':PORT'" },
		{ "udp:[]:1", "host missing" },
		{ "udp:a b:1", "bad character" },
		{ "file:", "needs a path" },
	};
	struct dnsyn_ipfix_target t;
	char err[256];

	(void)state;
	for (size_t i = 0; i < DNSYN_ARRAY_SIZE(good); i++) {
		err[0] = '\0';
		if (dnsyn_ipfix_target_parse(good[i].s, &t, err, sizeof(err)) != 0)
			fail_msg("%s: %s", good[i].s, err);
		assert_int_equal(t.proto, good[i].proto);
		assert_string_equal(t.host, good[i].host);
		assert_int_equal(t.port, good[i].port);
	}
	assert_int_equal(dnsyn_ipfix_target_parse("file:/tmp/x.ipfix", &t, err, sizeof(err)), 0);
	assert_int_equal(t.proto, DNSYN_IPFIX_FILE);
	assert_string_equal(t.path, "/tmp/x.ipfix");
	for (size_t i = 0; i < DNSYN_ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(dnsyn_ipfix_target_parse(bad[i].s, &t, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].s, err, bad[i].why);
	}
	assert_int_equal(dnsyn_ipfix_target_parse(NULL, &t, NULL, 0), -EINVAL);
}

static void
test_create_errors(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex = (void *)1;
	const char *tg[] = { "udp:127.0.0.1:4739", "file:/nonexistent-dir/x.ipfix" };
	char err[256];

	(void)state;
	conf_test(&c);
	c.mtu = DNSYN_IPFIX_MTU_MIN - 1;
	assert_int_equal(dnsyn_ipfix_exporter_create(&ex, &c, tg, 1, err, sizeof(err)), -EINVAL);
	assert_null(ex);
	assert_non_null(strstr(err, "MTU 511"));
	conf_test(&c);
	assert_true(dnsyn_ipfix_exporter_create(&ex, &c, tg, 2, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/x.ipfix"));
	tg[0] = "udp:host.invalid:4739";
	assert_true(dnsyn_ipfix_exporter_create(&ex, &c, tg, 1, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "host.invalid"));
	tg[0] = "udp:[::1:4739";
	assert_true(dnsyn_ipfix_exporter_create(&ex, &c, tg, 1, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "missing ']'"));
	dnsyn_ipfix_exporter_destroy(NULL);
}

/* ---- UDP --------------------------------------------------------------- */

static int
udp_listener(int family, uint16_t *port)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof(a);
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&a)->sin6_addr = in6addr_loopback;
	if (bind(fd, (struct sockaddr *)&a,
		 family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) <
	    0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&a)->sin_port
					: ((struct sockaddr_in6 *)&a)->sin6_port);
	return fd;
}

/* Receive and decode every datagram until 150 ms pass without one. Checks the
 * size bound and that the source port never changes. @return datagrams. */
static unsigned int
udp_drain(int fd, uint16_t mtu, uint16_t *src_port)
{
	static uint8_t buf[65536];
	unsigned int n = 0;
	struct pollfd p = { fd, POLLIN, 0 };

	while (poll(&p, 1, 150) > 0) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		uint16_t sp;

		assert_true(r > 0);
		assert_true((size_t)r <= mtu);
		sp = ntohs(from.ss_family == AF_INET ? ((struct sockaddr_in *)&from)->sin_port
						     : ((struct sockaddr_in6 *)&from)->sin6_port);
		if (*src_port == 0)
			*src_port = sp;
		assert_int_equal(sp, *src_port);
		if (td_decode(S, buf, (size_t)r) < 0)
			fail_msg("datagram %u: %s", n, S->err);
		n++;
	}
	return n;
}

static void
test_udp_loopback(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_target_stats st;
	struct dnsyn_ipfix_meter_stats ms = { 0, 1000, 7 };
	struct dnsyn_ipfix_counters cn = { 0, 1, 2, 3, 4, 5, 6 };
	uint16_t port = 0, src = 0;
	char tg[64];
	int fd = udp_listener(AF_INET, &port);
	unsigned int sets;
	const struct td_rec *r;

	(void)state;
	assert_true(fd >= 0);
	conf_test(&c);
	c.odid = 5;
	snprintf(tg, sizeof(tg), "udp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	/* Templates at start, before any record: both domains, type records. */
	assert_true(udp_drain(fd, c.mtu, &src) >= 2);
	assert_int_equal(src, dnsyn_ipfix_exporter_local_port(ex, 0));
	assert_non_null(td_find(S, 5, DNSYN_IPFIX_TID_CORR4));
	assert_non_null(td_find(S, 0, DNSYN_IPFIX_TID_EXPORT));
	assert_int_equal(td_count(S, 5, DNSYN_IPFIX_TID_IETYPE), dnsyn_ipfix_n_ie_infos);
	assert_int_equal(td_count(S, 0, DNSYN_IPFIX_TID_IETYPE), dnsyn_ipfix_n_ie_infos);
	sets = S->n_template_sets;

	for (uint32_t i = 0; i < 300; i++) {
		struct dnsyn_ipfix_corr_rec cr;

		corr(&cr, i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	}
	dnsyn_ipfix_exporter_flush(ex);
	assert_true(udp_drain(fd, c.mtu, &src) > 5); /* 300 records need several messages */
	assert_int_equal(td_count(S, 5, DNSYN_IPFIX_TID_CORR4), 300);
	r = td_nth(S, 5, DNSYN_IPFIX_TID_CORR4, 299);
	assert_int_equal(td_u(r, 0, 2), 300);
	assert_int_equal(td_u(r, 0, 8), 0x0a000000 + 299);
	assert_int_equal(S->n_template_sets, sets); /* no refresh yet */

	/* Refresh on time (RFC 7011 section 8.4): due at 60 s, poll sends it. */
	fake_now += 59000;
	dnsyn_ipfix_exporter_poll(ex);
	assert_int_equal(udp_drain(fd, c.mtu, &src), 0);
	fake_now += 1000;
	dnsyn_ipfix_exporter_poll(ex);
	assert_true(udp_drain(fd, c.mtu, &src) >= 2);
	assert_true(S->n_template_sets > sets);

	/* Statistics in domain 0, with the target's own reliability figures. */
	dnsyn_ipfix_export_stats(ex, &ms, &cn);
	assert_int_equal(udp_drain(fd, c.mtu, &src), 1);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_METER, 0);
	assert_int_equal(td_u(r, 0, 149), 5);
	assert_int_equal(td_u(r, 0, 86), 1000);
	assert_int_equal(td_u(r, 0, 164), 7);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_EXPORT, 0);
	assert_int_equal(td_u(r, 0, 166), 0);
	dnsyn_ipfix_exporter_target_stats(ex, 0, &st);
	assert_int_equal(td_u(r, 0, 41), st.messages - 1); /* before this one */
	assert_int_equal(st.not_sent, 0);
	assert_int_equal(st.template_sends, 2);
	assert_int_equal(td_u(td_nth(S, 0, DNSYN_IPFIX_TID_COUNTERS, 0), PEN, DNSYN_IE_RING_DROPS), 6);
	dnsyn_ipfix_exporter_destroy(ex);
	close(fd);
}

static void
test_udp_refresh_by_count(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_target_stats st;
	uint16_t port = 0, src = 0;
	char tg[64];
	int fd = udp_listener(AF_INET, &port);

	(void)state;
	assert_true(fd >= 0);
	conf_test(&c);
	c.refresh_msgs = 5;
	c.refresh_s = 0;
	snprintf(tg, sizeof(tg), "udp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	for (uint16_t i = 0; i < 12; i++) {
		struct dnsyn_ipfix_port_rec p = { 1, 61, i, 1, 1, 0 };

		assert_int_equal(dnsyn_ipfix_export_port(ex, &p), 0);
		dnsyn_ipfix_exporter_flush(ex);
	}
	udp_drain(fd, c.mtu, &src);
	dnsyn_ipfix_exporter_target_stats(ex, 0, &st);
	/* Every 5 messages (template messages count too): start + at least 2. */
	assert_true(st.template_sends >= 3);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_PORT), 12);
	dnsyn_ipfix_exporter_destroy(ex);
	close(fd);
}

/* A collector that is not there: ICMP port unreachable turns into send
 * errors; everything is counted, nothing blocks, sequence numbers go on. */
static void
test_udp_dead_collector(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_target_stats st;
	uint16_t port = 0;
	char tg[64];
	int fd = udp_listener(AF_INET, &port);
	uint64_t t0;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	conf_test(&c);
	snprintf(tg, sizeof(tg), "udp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	t0 = mono_ms();
	for (uint32_t i = 0; i < 2000; i++) {
		struct dnsyn_ipfix_corr_rec cr;

		corr(&cr, i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
		if (i % 20 == 19)
			dnsyn_ipfix_exporter_flush(ex);
	}
	dnsyn_ipfix_export_stats(ex, NULL, NULL);
	dnsyn_ipfix_exporter_target_stats(ex, 0, &st);
	assert_true(mono_ms() - t0 < 2000);
	assert_true(st.messages_not_sent > 0);
	assert_true(st.not_sent > 0);
	assert_true(st.first_drop_ms >= T0_MS);
	/* Every data record either went or is counted: 2000, the type records of
	 * both domains, the reliability record. */
	assert_int_equal(st.records + st.not_sent, 2000 + 2 * dnsyn_ipfix_n_ie_infos + 1);
	dnsyn_ipfix_exporter_destroy(ex);
}

static void
test_udp_ipv6(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_corr_rec cr;
	uint16_t port = 0, src = 0;
	char tg[64];
	int fd = udp_listener(AF_INET6, &port);

	(void)state;
	if (fd < 0)
		skip();
	conf_test(&c);
	snprintf(tg, sizeof(tg), "udp:[::1]:%u", port);
	ex = create1(&c, tg);
	corr(&cr, 1);
	tp_v6a(cr.client, 1);
	assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	dnsyn_ipfix_exporter_flush(ex);
	assert_true(udp_drain(fd, c.mtu, &src) >= 3);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CORR6), 1);
	dnsyn_ipfix_exporter_destroy(ex);
	close(fd);
}

/* ---- TCP --------------------------------------------------------------- */

/* @p rcvbuf > 0: a small receive buffer (set before listen, so the window
 * scale follows), for a collector that is slow to read. */
static int
tcp_listener(uint16_t *port, int rcvbuf)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(*port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail_msg("bind %u: %s", *port, strerror(errno));
	assert_int_equal(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Poll the exporter (real time passes in 5 ms steps) until @p cond. */
#define PUMP_UNTIL(ex, cond)                                                                  \
	do {                                                                                  \
		for (int k_ = 0; k_ < 400 && !(cond); k_++) {                                 \
			dnsyn_ipfix_exporter_poll(ex);                                        \
			if (!(cond))                                                          \
				usleep(5000);                                                 \
		}                                                                             \
		assert_true(cond);                                                            \
	} while (0)

static int
accept_wait(int lfd)
{
	struct pollfd p = { lfd, POLLIN, 0 };

	assert_true(poll(&p, 1, 2000) > 0);
	return accept(lfd, NULL, NULL);
}

/* Read until 150 ms pass without data. */
static size_t
tcp_read(int fd, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	struct pollfd p = { fd, POLLIN, 0 };

	while (n < cap && poll(&p, 1, 150) > 0) {
		ssize_t r = recv(fd, buf + n, cap - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

static struct dnsyn_ipfix_target_stats
tstats(struct dnsyn_ipfix_exporter *ex)
{
	struct dnsyn_ipfix_target_stats st;

	dnsyn_ipfix_exporter_target_stats(ex, 0, &st);
	return st;
}

static void
test_tcp_reconnect(void **state)
{
	static uint8_t buf[1 << 20];
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_corr_rec cr;
	uint16_t port = 0;
	char tg[64];
	int lfd = tcp_listener(&port, 0), cfd;
	size_t n;
	const struct td_rec *r;

	(void)state;
	conf_test(&c);
	c.backoff_min_ms = 1000;
	c.backoff_max_ms = 4000;
	snprintf(tg, sizeof(tg), "tcp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	PUMP_UNTIL(ex, tstats(ex).up);
	cfd = accept_wait(lfd);
	assert_true(cfd >= 0);
	for (uint32_t i = 0; i < 50; i++) {
		corr(&cr, i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	}
	dnsyn_ipfix_exporter_flush(ex);
	n = tcp_read(cfd, buf, sizeof(buf));
	/* The session starts with the templates. */
	assert_true(n > 20);
	assert_int_equal(buf[16] << 8 | buf[17], DNSYN_IPFIX_SET_OPTIONS); /* type records first */
	if (td_decode_stream(S, buf, n) < 0)
		fail_msg("first session: %s", S->err);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CORR4), 50);

	/* The collector goes away: connection and listener closed. */
	close(cfd);
	close(lfd);
	PUMP_UNTIL(ex, !tstats(ex).up);
	assert_int_equal(tstats(ex).disconnects, 1);
	for (uint32_t i = 0; i < 10; i++) {
		corr(&cr, i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	}
	dnsyn_ipfix_exporter_flush(ex);
	assert_int_equal(tstats(ex).not_sent, 10);
	/* Attempts while nobody listens fail and back off; nothing blocks. */
	fake_now += 1000;
	dnsyn_ipfix_exporter_poll(ex);
	usleep(20000);
	dnsyn_ipfix_exporter_poll(ex);
	assert_false(tstats(ex).up);

	/* Back on the same port: reconnect once the back-off (2 s now) passed. */
	lfd = tcp_listener(&port, 0);
	dnsyn_ipfix_exporter_poll(ex);
	usleep(20000);
	dnsyn_ipfix_exporter_poll(ex);
	assert_false(tstats(ex).up);
	fake_now += 2000;
	PUMP_UNTIL(ex, tstats(ex).up);
	assert_int_equal(tstats(ex).connects, 2);
	cfd = accept_wait(lfd);
	assert_true(cfd >= 0);
	corr(&cr, 77);
	assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	dnsyn_ipfix_export_stats(ex, NULL, NULL);
	n = tcp_read(cfd, buf, sizeof(buf));
	/* A new session: templates again, first; then the record and the
	 * reliability record with what the outage cost. */
	td_init(S);
	assert_true(n > 20);
	assert_int_equal(buf[16] << 8 | buf[17], DNSYN_IPFIX_SET_OPTIONS); /* type records first */
	if (td_decode_stream(S, buf, n) < 0)
		fail_msg("second session: %s", S->err);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CORR4), 1);
	r = td_nth(S, 0, DNSYN_IPFIX_TID_EXPORT, 0);
	assert_non_null(r);
	assert_int_equal(td_u(r, 0, 166), 10);
	assert_true(td_u(r, 0, 152) >= T0_MS);
	assert_int_equal(tstats(ex).template_sends, 2);
	dnsyn_ipfix_exporter_destroy(ex);
	close(cfd);
	close(lfd);
}

/* A collector that accepts and never reads: the bounded queue fills, the rest
 * is counted, and the caller never waits. */
static void
test_tcp_slow_collector(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_target_stats st;
	uint16_t port = 0;
	char tg[64];
	int lfd = tcp_listener(&port, 4096), cfd;
	uint64_t t0;

	(void)state;
	conf_test(&c);
	c.tcp_queue = 64 * 1024;
	snprintf(tg, sizeof(tg), "tcp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	PUMP_UNTIL(ex, tstats(ex).up);
	cfd = accept_wait(lfd);
	t0 = mono_ms();
	for (uint32_t i = 0; i < 200000; i++) {
		struct dnsyn_ipfix_corr_rec cr;

		corr(&cr, i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	}
	dnsyn_ipfix_exporter_flush(ex);
	dnsyn_ipfix_exporter_poll(ex);
	st = tstats(ex);
	assert_true(mono_ms() - t0 < 5000);
	assert_true(st.not_sent > 0);
	assert_true(st.up);
	dnsyn_ipfix_exporter_destroy(ex);
	close(cfd);
	close(lfd);
}

/* Nobody listens at all: connect is refused, records are counted. */
static void
test_tcp_refused(void **state)
{
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex;
	struct dnsyn_ipfix_corr_rec cr;
	uint16_t port = 0;
	char tg[64];
	int lfd = tcp_listener(&port, 0);

	(void)state;
	close(lfd);
	conf_test(&c);
	snprintf(tg, sizeof(tg), "tcp:127.0.0.1:%u", port);
	ex = create1(&c, tg);
	for (int k = 0; k < 5; k++) {
		dnsyn_ipfix_exporter_poll(ex);
		fake_now += 100000;
		usleep(2000);
	}
	corr(&cr, 1);
	assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
	dnsyn_ipfix_exporter_flush(ex);
	assert_false(tstats(ex).up);
	assert_int_equal(tstats(ex).not_sent, 1);
	assert_int_equal(tstats(ex).connects, 0);
	dnsyn_ipfix_exporter_destroy(ex);
}

/* ---- files, and several targets ---------------------------------------- */

static void
test_file_and_udp(void **state)
{
	static uint8_t buf[1 << 20];
	struct dnsyn_ipfix_conf c;
	struct dnsyn_ipfix_exporter *ex = NULL;
	char path[] = "/tmp/dnsyn_test_ipfix_XXXXXX";
	char tg0[64], tg1[64], err[256];
	const char *tgs[2] = { tg0, tg1 };
	uint16_t port = 0, src = 0;
	int fd = udp_listener(AF_INET, &port), pfd;
	struct dnsyn_ipfix_port_rec p = { 1700000040, 1700000100, 80, 5, 3, 2 };
	struct dnsyn_ipfix_client_rec cl;
	FILE *f;
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	pfd = mkstemp(path);
	assert_true(pfd >= 0);
	close(pfd);
	snprintf(tg0, sizeof(tg0), "file:%s", path);
	snprintf(tg1, sizeof(tg1), "udp:127.0.0.1:%u", port);
	conf_test(&c);
	c.mtu = 600;
	assert_int_equal(dnsyn_ipfix_exporter_create(&ex, &c, tgs, 2, err, sizeof(err)), 0);
	assert_int_equal(dnsyn_ipfix_exporter_n_targets(ex), 2);
	memset(&cl, 0, sizeof(cl));
	tp_v4m(cl.client, 0x0a000001);
	cl.q_a = 4;
	for (int i = 0; i < 40; i++) {
		struct dnsyn_ipfix_corr_rec cr;

		corr(&cr, (uint32_t)i);
		assert_int_equal(dnsyn_ipfix_export_corr(ex, &cr), 0);
		assert_int_equal(dnsyn_ipfix_export_port(ex, &p), 0);
		assert_int_equal(dnsyn_ipfix_export_client(ex, &cl), 0);
	}
	dnsyn_ipfix_export_stats(ex, NULL, NULL);
	dnsyn_ipfix_exporter_destroy(ex);

	/* UDP got it all. */
	udp_drain(fd, c.mtu, &src);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CORR4), 40);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_PORT), 40);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CLIENT4), 40);
	close(fd);

	/* And so did the file, templates first (RFC 5655). */
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	assert_int_equal(buf[16] << 8 | buf[17], DNSYN_IPFIX_SET_OPTIONS); /* type records first */
	td_init(S);
	if (td_decode_stream(S, buf, n) < 0)
		fail_msg("file: %s", S->err);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CORR4), 40);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_PORT), 40);
	assert_int_equal(td_count(S, 1, DNSYN_IPFIX_TID_CLIENT4), 40);
	assert_int_equal(td_count(S, 0, DNSYN_IPFIX_TID_EXPORT), 1);
	assert_int_equal(td_u(td_nth(S, 1, DNSYN_IPFIX_TID_CLIENT4, 0), PEN, DNSYN_IE_Q_A), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_target_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_refresh_by_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_dead_collector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_slow_collector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_and_udp, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
