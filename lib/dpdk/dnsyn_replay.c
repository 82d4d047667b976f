/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "dnsyn_pcapfile.h"
#include "dnsyn_replay.h"

int
dnsyn_replay_scan(const char *path, struct dnsyn_replay_file *out, int count, char *err,
		  size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct dnsyn_pcapfile f;
	pcap_t *p;
	int ret;

	memset(out, 0, sizeof(*out));
	out->path = path;
	if (strchr(path, ',') != NULL) {
		/* DPDK's vdev argument syntax cannot carry a comma. */
		snprintf(err, errlen, "%s: file names with ',' cannot be replayed (rename it)", path);
		return -EINVAL;
	}
	p = pcap_open_offline(path, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -ENOENT;
	}
	out->linktype = pcap_datalink(p);
	out->snaplen = (uint32_t)pcap_snapshot(p);
	if (dnsyn_pcapfile_open(&f, path, out->snaplen, err, errlen) == 0) {
		struct dnsyn_pcapfile_scan sc;

		/* libpcap read every record just to count them: 0.7 s of a
		 * 10 M-packet replay; the headers alone, in place, 0.3 s; the
		 * mapped replay needs neither. */
		if (count)
			dnsyn_pcapfile_scan(&f, &sc);
		dnsyn_pcapfile_close(&f);
		out->plain = 1;
		if (count) {
			out->packets = sc.packets;
			out->bytes = sc.bytes;
			out->max_caplen = sc.max_caplen;
			out->truncated = sc.truncated;
		}
		pcap_close(p);
		return 0;
	}
	while ((ret = pcap_next_ex(p, &h, &data)) == 1) {
		out->packets++;
		out->bytes += h->caplen;
		if (h->caplen > out->max_caplen)
			out->max_caplen = h->caplen;
	}
	if (ret == PCAP_ERROR)
		out->truncated = 1;
	pcap_close(p);
	return 0;
}

static int
hugepages_free(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long free_pages = 0;
	int mounted = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1)
			break;
	fclose(f);
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " hugetlbfs "))
			mounted = 1;
	fclose(f);
	return free_pages > 0 && mounted;
}

static const char *
add(struct dnsyn_replay_eal *e, size_t *used, const char *fmt, const char *s1, unsigned int u)
{
	char *dst = e->buf + *used;
	int n = snprintf(dst, sizeof(e->buf) - *used, fmt, s1 ? s1 : "", u);

	if (n < 0 || (size_t)n >= sizeof(e->buf) - *used || e->argc >= 31)
		return NULL;
	*used += (size_t)n + 1;
	e->argv[e->argc++] = dst;
	return dst;
}

int
dnsyn_replay_eal_args(struct dnsyn_replay_eal *e, const char *prog,
		      const struct dnsyn_replay_file *files, unsigned int n, unsigned int n_workers,
		      unsigned int mem_mb, char *err, size_t errlen)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], ncpu = 0, c;
	size_t used = 0, vlen;
	char lcores[512], *v;
	unsigned int i, w;

	memset(e, 0, sizeof(*e));
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[ncpu++] = c;
	}
	if (ncpu == 0)
		cpus[ncpu++] = 0;
	/* Main lcore (control, mostly asleep) on the first CPU; workers on the
	 * others, wrapping round when there are fewer CPUs than workers. The
	 * last worker (correlation) shares the main lcore's CPU when only two
	 * CPUs exist, so RX gets a CPU of its own. */
	c = snprintf(lcores, sizeof(lcores), "--lcores=0@%d", cpus[0]);
	for (w = 1; w <= n_workers && c > 0 && (size_t)c < sizeof(lcores); w++) {
		int cpu = ncpu == 1 ? cpus[0] : cpus[1 + (w - 1) % (unsigned int)(ncpu - 1)];

		if (w == n_workers && (unsigned int)ncpu <= n_workers)
			cpu = cpus[0];
		c += snprintf(lcores + c, sizeof(lcores) - (size_t)c, ",%u@%d", w, cpu);
	}
	if (c < 0 || (size_t)c >= sizeof(lcores)) {
		snprintf(err, errlen, "too many lcores");
		return -EINVAL;
	}

	if (!add(e, &used, "%s", prog, 0) || !add(e, &used, "%s", lcores, 0) ||
	    !add(e, &used, "--no-pci", NULL, 0) ||
	    !add(e, &used, "--file-prefix=dnsyn-%s%u", "", (unsigned int)getpid()) ||
	    /* Errors only: a replay's output is its report (and telemetry
	     * announces its legacy socket at warning level). */
	    !add(e, &used, "--log-level=%s4", "", 0))
		goto toolong;
	if (!hugepages_free()) {
		if (!add(e, &used, "--no-huge", NULL, 0) || !add(e, &used, "-m", NULL, 0) ||
		    !add(e, &used, "%s%u", "", mem_mb))
			goto toolong;
	}
	if (n == 0) {
		e->argv[e->argc] = NULL;
		return 0;
	}
	if (!add(e, &used, "--vdev", NULL, 0))
		goto toolong;
	v = e->buf + used;
	vlen = sizeof(e->buf) - used;
	c = snprintf(v, vlen, "net_pcap0");
	for (i = 0; i < n && c > 0 && (size_t)c < vlen; i++)
		c += snprintf(v + c, vlen - (size_t)c, ",rx_pcap=%s", files[i].path);
	if (c < 0 || (size_t)c >= vlen || e->argc >= 31)
		goto toolong;
	e->argv[e->argc++] = v;
	e->argv[e->argc] = NULL;
	return 0;
toolong:
	snprintf(err, errlen, "EAL command line too long (file names?)");
	return -EINVAL;
}
