/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for lib/privacy: SipHash against its reference vectors, the
 * prefix-preserving pseudonyms, truncation, name hashing, the key file's
 * checks, an interval's output view, and the options that set them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsyn_conf.h"
#include "dnsyn_privacy.h"
#include "dnsyn_report.h"
#include "dnsyn_test_util.h"

static const uint8_t key_a[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t key_b[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1};

static struct dnsyn_privacy
priv(int addr_mode, int name_mode, const uint8_t *key)
{
	struct dnsyn_privacy p;

	memset(&p, 0, sizeof(p));
	p.addr_mode = (uint8_t)addr_mode;
	p.name_mode = (uint8_t)name_mode;
	p.v4_prefix = 24;
	p.v6_prefix = 48;
	if (key)
		dnsyn_privacy_set_key(&p, key);
	return p;
}

/* Bits two 16-byte strings share from the start (of @p nbits, from @p off). */
static unsigned int
common_prefix(const uint8_t *a, const uint8_t *b, unsigned int off, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++) {
		unsigned int byte = off + i / 8, sh = 7 - i % 8;

		if (((a[byte] >> sh) & 1) != ((b[byte] >> sh) & 1))
			break;
	}
	return i;
}

static void
test_siphash_vectors(void **state)
{
	uint8_t msg[64];
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;

	(void)state;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	/* The reference implementation's vectors (key 00..0f, message 00..len-1). */
	assert_int_equal(dnsyn_siphash24(k0, k1, msg, 0), 0x726fdb47dd0e0e31ULL);
	assert_int_equal(dnsyn_siphash24(k0, k1, msg, 1), 0x74f839c593dc67fdULL);
	assert_int_equal(dnsyn_siphash24(k0, k1, msg, 8), 0x93f5f5799a932462ULL);
	assert_int_equal(dnsyn_siphash24(k0, k1, msg, 15), 0xa129ca6149be45e5ULL);
	assert_int_equal(dnsyn_siphash24(k0, k1, msg, 63), 0x958a324ceb064572ULL);
}

static void
test_pseudo_prefix_preserving_v4(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_PSEUDO, 0, key_a);
	uint64_t st = 42;
	uint8_t a[16], b[16], pa[16], pb[16];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		uint32_t x = tp_xorshift(&st), y = x ^ (tp_xorshift(&st) >> (tp_xorshift(&st) % 32));

		tp_v4m(a, x);
		tp_v4m(b, y);
		dnsyn_privacy_addr(&p, a, pa);
		dnsyn_privacy_addr(&p, b, pb);
		/* still IPv4, and exactly as much prefix shared as before */
		assert_memory_equal(pa, a, 12);
		assert_int_equal(common_prefix(pa, pb, 12, 32), common_prefix(a, b, 12, 32));
	}
}

static void
test_pseudo_prefix_preserving_v6(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_PSEUDO, 0, key_a);
	uint64_t st = 7;
	uint8_t a[16], b[16], pa[16], pb[16];

	(void)state;
	for (int i = 0; i < 3000; i++) {
		unsigned int flip = tp_xorshift(&st) % 128;

		for (int k = 0; k < 16; k++)
			a[k] = (uint8_t)tp_xorshift(&st);
		a[0] = 0x20; /* not v4-mapped */
		memcpy(b, a, 16);
		b[flip / 8] ^= (uint8_t)(0x80 >> (flip % 8));
		for (unsigned int k = flip + 1; k < 128; k++)
			if (tp_xorshift(&st) & 1)
				b[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
		dnsyn_privacy_addr(&p, a, pa);
		dnsyn_privacy_addr(&p, b, pb);
		assert_int_equal(common_prefix(pa, pb, 0, 128), flip);
	}
}

/* Distinct clients stay distinct, the /16 they share stays shared, and the
 * pseudonyms depend on the key. */
static void
test_pseudo_bijective_and_keyed(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_PSEUDO, 0, key_a);
	struct dnsyn_privacy q = priv(DNSYN_PRIV_ADDR_PSEUDO, 0, key_b);
	uint8_t *seen = calloc(65536, 1);
	uint8_t a[16], pa[16], qa[16], first[16];
	unsigned int same_as_input = 0, same_other_key = 0, masks = 0;
	uint8_t *mask_seen = calloc(65536, 1);

	(void)state;
	assert_non_null(seen);
	for (uint32_t lo = 0; lo < 65536; lo++) {
		tp_v4m(a, 0x0a010000u | lo);
		dnsyn_privacy_addr(&p, a, pa);
		dnsyn_privacy_addr(&q, a, qa);
		if (lo == 0)
			memcpy(first, pa, 16);
		assert_memory_equal(pa, first, 14); /* the same /16 */
		uint32_t v = (uint32_t)pa[14] << 8 | pa[15];

		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		same_as_input += memcmp(pa, a, 16) == 0;
		/* Each bit flip depends on the bits before it: not one XOR mask
		 * for all, which would give away every client's relation to the
		 * others once one is known. */
		uint32_t mask = ((uint32_t)(pa[14] ^ a[14]) << 8) | (pa[15] ^ a[15]);

		masks += !mask_seen[mask];
		mask_seen[mask] = 1;
		same_other_key += memcmp(pa, qa, 16) == 0;
	}
	/* A keyed permutation: a few fixed points or agreements by chance, no more. */
	assert_true(same_as_input < 64);
	assert_true(same_other_key < 64);
	/* thousands (7070 with key_a); a single mask would be 1 */
	assert_true(masks > 1000);
	free(seen);
	free(mask_seen);
}

static void
test_truncate(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_TRUNCATE, 0, NULL);
	uint8_t a[16], out[16], want[16];

	(void)state;
	tp_v4m(a, 0x0a0102fe);
	dnsyn_privacy_addr(&p, a, out);
	tp_v4m(want, 0x0a010200);
	assert_memory_equal(out, want, 16);
	p.v4_prefix = 20;
	dnsyn_privacy_addr(&p, a, out);
	tp_v4m(want, 0x0a010000);
	assert_memory_equal(out, want, 16);
	p.v4_prefix = 0;
	dnsyn_privacy_addr(&p, a, out);
	tp_v4m(want, 0);
	assert_memory_equal(out, want, 16); /* still ::ffff:0.0.0.0 */
	p.v4_prefix = 32;
	dnsyn_privacy_addr(&p, a, out);
	assert_memory_equal(out, a, 16);

	tp_v6a(a, 0x1234);
	a[6] = 0xab;
	a[7] = 0xcd;
	memcpy(want, a, 16);
	memset(want + 6, 0, 10);
	dnsyn_privacy_addr(&p, a, out); /* /48 */
	assert_memory_equal(out, want, 16);
	/* keep and a NULL policy leave it alone */
	p.addr_mode = DNSYN_PRIV_ADDR_KEEP;
	dnsyn_privacy_addr(&p, a, out);
	assert_memory_equal(out, a, 16);
	dnsyn_privacy_addr(NULL, a, out);
	assert_memory_equal(out, a, 16);
}

static void
test_names(void **state)
{
	struct dnsyn_privacy p = priv(0, DNSYN_PRIV_NAME_HASH, key_a);
	struct dnsyn_privacy q = priv(0, DNSYN_PRIV_NAME_HASH, key_b);
	char a[64] = "www.Example.COM", b[64] = "www.example.com", c[64] = "www.example.org";
	char d[64] = "www.example.com";
	size_t la, lb, lc, ld;

	(void)state;
	la = dnsyn_privacy_name(&p, a, strlen(a), sizeof(a));
	lb = dnsyn_privacy_name(&p, b, strlen(b), sizeof(b));
	lc = dnsyn_privacy_name(&p, c, strlen(c), sizeof(c));
	ld = dnsyn_privacy_name(&q, d, strlen(d), sizeof(d));
	assert_int_equal(la, DNSYN_PRIV_NAME_HASH_LEN);
	assert_int_equal(lb, la);
	assert_int_equal(lc, la);
	assert_int_equal(ld, la);
	assert_memory_equal(a, b, la);      /* case does not matter (0x20 encoding) */
	assert_memory_not_equal(a, c, la);  /* names differ */
	assert_memory_not_equal(b, d, la);  /* keys differ */
	assert_memory_equal(a, "h-", 2);
	for (size_t i = 2; i < la; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	/* too small a buffer: nothing rather than a partial hash */
	assert_int_equal(dnsyn_privacy_name(&p, c, 10, 17), 0);
	p.name_mode = DNSYN_PRIV_NAME_DROP;
	assert_int_equal(dnsyn_privacy_name(&p, c, 10, sizeof(c)), 0);
	p.name_mode = DNSYN_PRIV_NAME_KEEP;
	assert_int_equal(dnsyn_privacy_name(&p, c, 10, sizeof(c)), 10);
}

static char dir[] = "/tmp/dnsyn-privacy-XXXXXX";

static const char *
write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
test_key_file(void **state)
{
	struct dnsyn_privacy raw, hex, p;
	char err[256];
	char link[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&raw, 0, sizeof(raw));
	memset(&hex, 0, sizeof(hex));
	assert_int_equal(dnsyn_privacy_load_key(&raw, write_file("raw", key_a, 16, 0600), err,
						sizeof(err)),
			 0);
	assert_int_equal(
		dnsyn_privacy_load_key(&hex,
				       write_file("hex", "000102030405060708090a0B0c0d0e0f\n", 33, 0400),
				       err, sizeof(err)),
		0);
	assert_true(raw.has_key && hex.has_key);
	assert_true(raw.k0 == hex.k0 && raw.k1 == hex.k1);
	/* others may read it: refused, and the message shows no key byte */
	memset(&p, 0, sizeof(p));
	assert_int_equal(dnsyn_privacy_load_key(&p, write_file("open", key_a, 16, 0640), err,
						sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
	assert_false(p.has_key);
	/* wrong sizes and non-hex text */
	assert_int_equal(dnsyn_privacy_load_key(&p, write_file("short", key_a, 15, 0600), err,
						sizeof(err)),
			 -EINVAL);
	assert_int_equal(dnsyn_privacy_load_key(&p, write_file("long", "0123456789abcdef0123", 20,
								0600),
						err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(
		dnsyn_privacy_load_key(&p,
				       write_file("nothex", "000102030405060708090a0b0c0d0e0g", 32, 0600),
				       err, sizeof(err)),
		-EINVAL);
	/* a symbolic link is not followed (someone could point it elsewhere) */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("raw", link), 0);
	assert_true(dnsyn_privacy_load_key(&p, link, err, sizeof(err)) < 0);
	assert_int_equal(dnsyn_privacy_load_key(&p, "/nonexistent/key", err, sizeof(err)), -ENOENT);
	/* a directory is not a key */
	assert_int_equal(dnsyn_privacy_load_key(&p, dir, err, sizeof(err)), -EINVAL);
}

static void
test_config_file_check(void **state)
{
	char err[256];
	const char *path;

	(void)state;
	path = write_file("ok.ini", "[correlation]\n", 14, 0644);
	assert_int_equal(dnsyn_conf_file_check(path, err, sizeof(err)), 0);
	path = write_file("grp.ini", "[correlation]\n", 14, 0664);
	assert_int_equal(dnsyn_conf_file_check(path, err, sizeof(err)), 1);
	path = write_file("any.ini", "[correlation]\n", 14, 0666);
	assert_int_equal(dnsyn_conf_file_check(path, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by anyone"));
}

static int
parse(struct dnsyn_conf *c, char *err, size_t errlen, ...)
{
	char *argv[16] = {(char *)"dnsyn"};
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, errlen);
	while ((a = va_arg(ap, char *)) != NULL && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	dnsyn_conf_defaults(c);
	return dnsyn_conf_parse(c, argc, argv, err, errlen);
}

static void
test_options(void **state)
{
	struct dnsyn_conf c;
	char err[512];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), NULL), 0);
	assert_int_equal(c.priv_clients, DNSYN_PRIV_ADDR_KEEP);
	assert_int_equal(c.priv_names, DNSYN_PRIV_NAME_KEEP);
	assert_int_equal(c.priv_v4_prefix, 24);
	assert_int_equal(c.priv_v6_prefix, 48);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-clients", "truncate",
			       "--privacy-prefix", "16/32", "--privacy-names", "drop", NULL),
			 0);
	assert_int_equal(c.priv_clients, DNSYN_PRIV_ADDR_TRUNCATE);
	assert_int_equal(c.priv_names, DNSYN_PRIV_NAME_DROP);
	assert_int_equal(c.priv_v4_prefix, 16);
	assert_int_equal(c.priv_v6_prefix, 32);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-clients", "pseudonymise",
			       "--privacy-key", "/k", "--privacy-names", "hash", NULL),
			 0);
	assert_int_equal(c.priv_clients, DNSYN_PRIV_ADDR_PSEUDO);
	assert_string_equal(c.priv_key, "/k");
	/* keyed modes without a key */
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-clients", "pseudonymise", NULL),
			 -EINVAL);
	assert_non_null(strstr(err, "--privacy-key"));
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-names", "hash", NULL), -EINVAL);
	/* nonsense */
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-clients", "hide", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-names", "", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-prefix", "33/48", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-prefix", "24/129", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-prefix", "24", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-prefix", "24/48x", NULL), -EINVAL);
	assert_int_equal(parse(&c, err, sizeof(err), "--privacy-prefix", "-1/48", NULL), -EINVAL);
}

/* One interval's output view: truncation merges two clients of a /24 in
 * every table, names are hashed, resolvers and servers stay as they were. */
static void
test_interval_view(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_TRUNCATE, DNSYN_PRIV_NAME_HASH, key_a);
	struct dnsyn_interval src, dst;
	struct dnsyn_iv_client *c;
	uint8_t c1[16], c2[16], c3[16], srv[16], res[16], net[16];
	struct dnsyn_corr_match m;
	uint64_t *u;
	char name[DNSYN_PRIV_NAME_HASH_LEN + 8] = "example.com";

	(void)state;
	assert_int_equal(dnsyn_interval_init(&src, 60, 1000), 0);
	assert_int_equal(dnsyn_interval_init(&dst, 60, 1000), 0);
	dnsyn_interval_reset(&src, 600);
	tp_v4m(c1, 0x0a000001);
	tp_v4m(c2, 0x0a0000fe);
	tp_v4m(c3, 0x0a000101);
	tp_v4m(srv, 0xc6336401);
	tp_v4m(res, 0x0a000035);
	tp_v4m(net, 0x0a000000);
	c = dnsyn_interval_client(&src, c1);
	c->queries[DNSYN_IVQ_A] = 3;
	c->unmatched_syn = 1;
	c = dnsyn_interval_client(&src, c2);
	c->queries[DNSYN_IVQ_A] = 4;
	c->responses = 2;
	c = dnsyn_interval_client(&src, c3);
	c->queries[DNSYN_IVQ_MX] = 5;
	dnsyn_interval_syn(&src, c1, srv, 135, 0);
	dnsyn_interval_syn(&src, c2, srv, 135, 0);
	src.syn = 2;
	src.syn_dport[135] = 2;
	*dnsyn_map_upsert(&src.unmatched_clients, c1, NULL) += 1;
	*dnsyn_map_upsert(&src.unmatched_clients, c2, NULL) += 1;
	dnsyn_interval_resolver(&src, res, 1);
	memset(&m, 0, sizeof(m));
	m.server = srv;
	m.dport = 443;
	m.name = "example.com";
	m.name_len = 11;
	m.ttl = 300;
	m.client = c1;
	m.syn_ns = 600 * 1000000000ULL + 5;
	m.delay_ns = 1000;
	dnsyn_interval_corr_add(&src, &m);
	m.client = c2;
	m.syn_ns += 10;
	m.delay_ns = 3000;
	dnsyn_interval_corr_add(&src, &m);

	dnsyn_privacy_interval(&p, &dst, &src);
	assert_int_equal(dst.start_s, 600);
	assert_int_equal(dst.n_cl, 2); /* 10.0.0.0/24 and 10.0.1.0/24 */
	c = dnsyn_interval_client(&dst, net);
	assert_int_equal(c->queries[DNSYN_IVQ_A], 7);
	assert_int_equal(c->responses, 2);
	assert_int_equal(c->syn, 2);
	assert_int_equal(dst.unmatched_clients.count, 1);
	u = dnsyn_map_find(&dst.unmatched_clients, net);
	assert_non_null(u);
	assert_int_equal(*u, 2);
	assert_non_null(dnsyn_map_find(&dst.resolvers, res)); /* resolvers kept */
	assert_int_equal(dst.n_co, 1);
	assert_memory_equal(dst.co[0].client, net, 16);
	assert_memory_equal(dst.co[0].server, srv, 16);
	assert_int_equal(dst.co[0].syns, 2);
	assert_int_equal(dst.co[0].delay_min_ns, 1000);
	assert_int_equal(dst.co[0].delay_max_ns, 3000);
	dnsyn_privacy_name(&p, name, 11, sizeof(name));
	assert_int_equal(dst.co[0].name_len, DNSYN_PRIV_NAME_HASH_LEN);
	assert_memory_equal(dst.co[0].name, name, DNSYN_PRIV_NAME_HASH_LEN);
	/* the source is untouched: detection still sees every client */
	assert_int_equal(src.n_cl, 3);
	assert_int_equal(src.n_co, 2);
	assert_memory_equal(src.co[0].name, "example.com", 11);
	/* the interval's totals are the same */
	assert_int_equal(dst.syn, src.syn);
	assert_int_equal(dst.syn_dport[135], 2);
	dnsyn_interval_fini(&src);
	dnsyn_interval_fini(&dst);
}

static void
test_report_client(void **state)
{
	struct dnsyn_privacy p = priv(DNSYN_PRIV_ADDR_TRUNCATE, 0, NULL);
	uint8_t a[16];
	char buf[64];

	(void)state;
	tp_v4m(a, 0xc0a80109);
	dnsyn_report_client(&p, a, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.1.0");
	dnsyn_report_client(NULL, a, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.1.9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_pseudo_prefix_preserving_v4),
		cmocka_unit_test(test_pseudo_prefix_preserving_v6),
		cmocka_unit_test(test_pseudo_bijective_and_keyed),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_config_file_check),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_interval_view),
		cmocka_unit_test(test_report_client),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	/* leave no key files behind */
	if (dir[sizeof(dir) - 2] != 'X') {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return rc;
}
