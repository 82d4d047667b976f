/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the configuration file and dnsyn's options.
 *
 * An input starting with byte 0x01 is a command line: the rest, split at NUL
 * bytes, is argv for dnsyn_conf_parse(). Any other input is a configuration
 * file: written to a memfd and read through /proc/self/fd/N by
 * dnsyn_cfgfile_read() (dnsyn's own scan, then DPDK's rte_cfgfile), and its
 * entries applied with dnsyn_conf_set() as the application does, stopping at
 * the first error.
 *
 * Checked: a file the scan accepts is one rte_cfgfile reads the same way (the
 * scan exists so that errors carry a line number), every entry's key and
 * value stand on the line it names, errors name file and line, and a
 * configuration that was accepted holds only values the options allow. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dnsyn_cfgfile.h"
#include "dnsyn_compiler.h"
#include "dnsyn_conf.h"
#include "dnsyn_detect.h"
#include "dnsyn_ipfix.h"
#include "dnsyn_ipfix_transport.h"
#include "dnsyn_privacy.h"

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static int
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static void
check_list(const int *l, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		CHECK(l[i] >= 0 && l[i] < DNSYN_MAX_LCORES);
		for (unsigned int j = 0; j < i; j++)
			CHECK(l[i] != l[j]);
	}
}

/* What an accepted configuration may hold: the bounds dnsyn_conf.h and
 * --help give. */
static void
check_conf(const struct dnsyn_conf *c)
{
	CHECK(c->n_pcaps <= DNSYN_MAX_PCAPS);
	for (unsigned int i = 0; i < c->n_pcaps; i++)
		CHECK(c->pcaps[i] != NULL);
	CHECK(c->window_ns >= 1 && c->window_ns <= 3600 * DNSYN_NS_PER_S);
	CHECK(c->interval_s >= 1 && c->interval_s <= 86400);
	CHECK(c->table_capacity >= 64 && c->table_capacity <= 1u << 30);
	CHECK(is_pow2(c->table_buckets) && c->table_buckets >= 4 && c->table_buckets <= 64);
	CHECK(c->key_client <= 1);
	CHECK(c->syn_set_max >= 1024 && c->syn_set_max <= 1u << 30);
	CHECK(c->n_ipfix <= DNSYN_MAX_IPFIX);
	for (unsigned int i = 0; i < c->n_ipfix; i++) {
		struct dnsyn_ipfix_target t;
		char err[160];

		CHECK(dnsyn_ipfix_target_parse(c->ipfix[i], &t, err, sizeof(err)) == 0);
	}
	CHECK(c->ipfix_pen >= 1 && c->ipfix_odid >= 1);
	CHECK(dnsyn_ipfix_mtu_ok(c->ipfix_mtu) == 0);
	CHECK(c->ipfix_refresh_s >= 1 && c->ipfix_refresh_s <= 86400);
	CHECK(c->quiet == 0 || c->quiet == 1);
	CHECK(c->progress >= -1 && c->progress <= 1);
	CHECK(is_pow2(c->ring_size) && c->ring_size >= 64 && c->ring_size <= 1u << 24);
	CHECK(c->mbufs >= 1023 && c->mbufs <= 1u << 24);
	CHECK(c->burst >= 1 && c->burst <= 512);
	CHECK(c->rx_queues >= 1 && c->rx_queues <= 128);
	CHECK(c->n_rx_lcores <= DNSYN_MAX_LCORES);
	check_list(c->rx_lcores, c->n_rx_lcores);
	CHECK(c->n_corr_lcores <= DNSYN_MAX_SHARDS);
	check_list(c->corr_lcores, c->n_corr_lcores);
	CHECK(c->shards >= 1 && c->shards <= DNSYN_MAX_SHARDS);
	CHECK(c->n_corr_lcores == 0 || c->shards == c->n_corr_lcores);
	CHECK(c->idle_exit_ms >= 10 && c->idle_exit_ms <= 3600000);
	CHECK(c->tcp_streams >= 16 && c->tcp_streams <= 1u << 22);
	CHECK(c->tcp_bufs >= 1 && c->tcp_bufs <= 65536);
	CHECK(c->frag_entries >= 16 && c->frag_entries <= 1u << 22);
	CHECK(c->mem_mb >= 64 && c->mem_mb <= 1u << 20);
	CHECK(c->qpc_max >= 1024 && c->qpc_max <= 1u << 30);
	CHECK(c->priv_clients <= DNSYN_PRIV_ADDR_PSEUDO && c->priv_names <= DNSYN_PRIV_NAME_DROP);
	CHECK(c->priv_v4_prefix <= 32 && c->priv_v6_prefix <= 128);
	CHECK(c->priv_key != NULL || (c->priv_clients != DNSYN_PRIV_ADDR_PSEUDO &&
				      c->priv_names != DNSYN_PRIV_NAME_HASH));
	CHECK(c->n_detect <= DNSYN_MAX_DETECT);
	{
		struct dnsyn_detect_conf d;
		char err[384];

		CHECK(dnsyn_conf_detect(c, &d, err, sizeof(err)) == 0);
	}
}

static void
fuzz_argv(const uint8_t *data, size_t size)
{
	static char words[8192];
	static struct dnsyn_conf c;
	char *argv[MAX_WORDS + 2], err[384];
	size_t len = size < sizeof(words) - 1 ? size : sizeof(words) - 1, i;
	int argc = 0;

	memcpy(words, data, len);
	words[len] = '\0';
	argv[argc++] = (char *)"dnsyn";
	for (i = 0; i <= len && argc <= MAX_WORDS; i += strlen(words + i) + 1)
		argv[argc++] = words + i;
	argv[argc] = NULL;
	dnsyn_conf_defaults(&c);
	err[0] = '\0';
	if (dnsyn_conf_parse(&c, argc, argv, err, sizeof(err)) == 0)
		check_conf(&c);
	else
		CHECK(err[0] != '\0');
}

/* Line @p line (from 1) of the input, as fgets() splits it. */
static const uint8_t *
line_of(const uint8_t *data, size_t size, unsigned int line, size_t *len)
{
	const uint8_t *p = data, *end = data + size, *nl;

	while (--line > 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		CHECK(nl != NULL);
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

static void
fuzz_file(const uint8_t *data, size_t size)
{
	static struct dnsyn_conf c;
	struct dnsyn_conf_kv *kv = NULL;
	char err[512], where[96];
	unsigned int last_line = 0;
	int n, i, rc = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_cfg", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	err[0] = '\0';
	n = dnsyn_cfgfile_read(path, &kv, err, sizeof(err));
	if (n < 0) {
		size_t pl = strlen(path);

		/* Every refusal is the scan's, with a line: one from rte_cfgfile
		 * after the scan passed ("PATH: rte_cfgfile cannot read it", "PATH:
		 * could not be read consistently") would name none. */
		CHECK(n == -EINVAL);
		CHECK(strncmp(err, path, pl) == 0 && err[pl] == ':' && isdigit((unsigned char)err[pl + 1]));
		return;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *l;
		size_t ll;

		CHECK(kv[i].file == path);
		CHECK(kv[i].line > last_line);
		last_line = kv[i].line;
		CHECK(kv[i].section[0] && kv[i].key[0] && kv[i].value[0]);
		l = line_of(data, size, kv[i].line, &ll);
		CHECK(memmem(l, ll, kv[i].key, strlen(kv[i].key)) != NULL);
		CHECK(memmem(l, ll, kv[i].value, strlen(kv[i].value)) != NULL);
	}
	dnsyn_conf_defaults(&c);
	for (i = 0; i < n && rc == 0; i++) {
		err[0] = '\0';
		rc = dnsyn_conf_set(&c, &kv[i], err, sizeof(err));
		if (rc < 0) {
			snprintf(where, sizeof(where), "%s:%u: ", path, kv[i].line);
			CHECK(strncmp(err, where, strlen(where)) == 0);
		}
	}
	if (rc == 0 && dnsyn_conf_finish(&c, err, sizeof(err)) == 0)
		check_conf(&c);
	/* dnsyn keeps the entries for the process's life; here they go. */
	for (i = 0; i < n; i++) {
		free((char *)(uintptr_t)kv[i].section);
		free((char *)(uintptr_t)kv[i].key);
		free((char *)(uintptr_t)kv[i].value);
	}
	free(kv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 0x01)
		fuzz_argv(data + 1, size - 1);
	else
		fuzz_file(data, size);
	return 0;
}
