/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for the configuration file reader (lib/dpdk/dnsyn_cfgfile.c):
 * dnsyn's own scan must refuse, with a line number, every file DPDK's
 * rte_cfgfile would read differently or not at all. rte_cfgfile needs no
 * EAL. The regression inputs are the bytes fuzz_cfg found (also in
 * tests/fuzz/corpus_cfg/regress_*). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsyn_cfgfile.h"

static char path[64];
static char err[512];
static struct dnsyn_conf_kv *kv;

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/dnsyn_test_cfgfile.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	kv = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Write @p len bytes as the file, read it; the entries are freed on return
 * (their count is what is kept). */
static int
read_bytes(const void *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	int n;

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	fclose(f);
	err[0] = '\0';
	kv = NULL;
	n = dnsyn_cfgfile_read(path, &kv, err, sizeof(err));
	return n;
}

static void
free_kv(int n)
{
	for (int i = 0; i < n; i++) {
		free((char *)(uintptr_t)kv[i].section);
		free((char *)(uintptr_t)kv[i].key);
		free((char *)(uintptr_t)kv[i].value);
	}
	free(kv);
	kv = NULL;
}

static void
assert_err(int n, const char *what)
{
	char want[600];

	assert_int_equal(n, -EINVAL);
	snprintf(want, sizeof(want), "%s%s", path, what);
	assert_string_equal(err, want);
}

static void
test_cfgfile_entries(void **state)
{
	static const char text[] = "# a comment\n"
				   "[correlation]\n"
				   "window = 0.25   # inline comment\n"
				   "\n"
				   "[report]\n"
				   "  report-json=/var/lib/dnsyn/a\\b.json\n";
	int n;

	(void)state;
	n = read_bytes(text, sizeof(text) - 1);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0].section, "correlation");
	assert_string_equal(kv[0].key, "window");
	assert_string_equal(kv[0].value, "0.25");
	assert_int_equal(kv[0].line, 3);
	assert_string_equal(kv[1].section, "report");
	assert_string_equal(kv[1].key, "report-json");
	assert_string_equal(kv[1].value, "/var/lib/dnsyn/a\\b.json"); /* a backslash alone stays */
	assert_int_equal(kv[1].line, 6);
	assert_ptr_equal(kv[1].file, path);
	free_kv(n);
}

/* fuzz_cfg: a comment line of 323 bytes. The scan took lines up to 1022
 * bytes, rte_cfgfile refuses any over 322, so the file was refused with
 * "rte_cfgfile cannot read it" and no line number. */
static void
test_cfgfile_regress_comment_323_bytes(void **state)
{
	static const uint8_t bytes[] = {
	0x23, 0x20, 0x41, 0x6f, 0x20, 0x73, 0x68, 0x61, 0x72, 0x64, 0x73, 0x20,
	0x6f, 0x6e, 0x20, 0x74, 0x98, 0x9a, 0xdf, 0xb1, 0xb6, 0xbc, 0x8c, 0xe0,
	0x20, 0x4e, 0x55, 0x4d, 0x41, 0x20, 0x73, 0x6f, 0x63, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xff, 0xff, 0x7e, 0xfc, 0xf9, 0xf9, 0xf9,
	0xf9, 0xf9, 0x06, 0x06, 0x06, 0x06, 0x06, 0x06, 0x06, 0xf9, 0xf9, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xff, 0xff, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x71, 0xf9, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x31, 0x36, 0xb9, 0x38, 0x34, 0xf9, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x07, 0x06, 0x06,
	0x06, 0x06, 0x06, 0x06, 0x06, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9,
	0xf9, 0xff, 0xff, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3,
	0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xa3, 0xf9, 0xf9, 0xf9, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x71, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9,
	0xf9, 0x31, 0x36, 0xb9, 0x38, 0x34, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9,
	0xf9, 0xf9, 0x2e, 0x30, 0x2e, 0x32, 0x2e, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9,
	0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0x07, 0x06, 0x06, 0x06, 0x06, 0x06, 0x06,
	0x06, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xf9, 0xff, 0xff,
	};

	(void)state;
	assert_int_equal(sizeof(bytes), 323);
	assert_err(read_bytes(bytes, sizeof(bytes)), ":1: line longer than 322 bytes");
}

/* 322 bytes (rte_cfgfile's limit) pass, with or without the last newline;
 * 323 are refused at their line. */
static void
test_cfgfile_line_limit(void **state)
{
	static char text[1200];
	size_t len;
	int n;

	(void)state;
	for (int last_nl = 0; last_nl < 2; last_nl++) {
		for (size_t line = 322; line <= 324; line++) {
			len = (size_t)snprintf(text, sizeof(text), "[report]\nquiet = yes\n#");
			memset(text + len, 'c', line - 1);
			len += line - 1;
			if (last_nl)
				text[len++] = '\n';
			n = read_bytes(text, len);
			if (line == 322) {
				assert_int_equal(n, 1);
				free_kv(n);
			} else {
				assert_err(n, ":3: line longer than 322 bytes");
			}
		}
	}
}

/* fuzz_cfg: "\#". rte_cfgfile takes a first '#' after a backslash as a '#'
 * of the value (dropping the backslash), the scan as a comment: the value
 * used ("d#") was not the one checked ("d\"). */
static void
test_cfgfile_regress_escaped_hash(void **state)
{
	static const uint8_t bytes[] = { '[', 'o', ']', '\n', 'i', '=', 'd', '\\', '#' };

	(void)state;
	assert_err(read_bytes(bytes, sizeof(bytes)),
		   ":2: '\\#' is not supported ('#' always starts a comment)");
}

/* What that let through: the scan saw "/a\" (under the 255-byte bound),
 * rte_cfgfile "/a#bbb..." cut to 255 bytes without a word. */
static void
test_cfgfile_escaped_hash_long_value(void **state)
{
	static char text[400];
	size_t len;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), "[report]\nreport-json = /a\\#");
	memset(text + len, 'b', 300);
	len += 300;
	text[len++] = '\n';
	assert_err(read_bytes(text, len),
		   ":2: '\\#' is not supported ('#' always starts a comment)");
	/* A '#' that is not the first on the line is inside the comment. */
	len = (size_t)snprintf(text, sizeof(text), "[report]\nquiet = yes # see \\# below\n");
	assert_int_equal(read_bytes(text, len), 1);
	assert_string_equal(kv[0].value, "yes");
	free_kv(1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cfgfile_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfgfile_regress_comment_323_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cfgfile_line_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfgfile_regress_escaped_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfgfile_escaped_hash_long_value, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
