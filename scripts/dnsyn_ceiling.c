/* SPDX-License-Identifier: BSD-3-Clause */
/* The machine's ceiling for scripts/bench: one lcore receives bursts from the
 * same source dnsyn reads (net_pcap on the file, once or looping from
 * memory; or, with --mem-laps, dnsyn's in-memory source: the file in memory,
 * a few mbufs going round a net_ring port, lib/dpdk/dnsyn_memsrc.h), touches each
 * packet's first cache line, parses L2-L4 with dnsyn's own parser
 * (lib/fastpath/dnsyn_pkt.c) and frees (or recycles) it. Nothing else: what
 * dnsyn does beyond this is its own cost.
 *
 *   dnsyn_ceiling --pcap FILE [--loop SEC | --mem-laps N] [--burst N] [--mem-mb MB]
 *
 * Prints one line: ceiling packets=N seconds=S mpps=X cycles_per_pkt=C
 * (file mode: the whole file once, from the first packet to the last;
 * loop mode: SEC seconds of infinite_rx; mem-laps: the file N times). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dnsyn_memsrc.h"
#include "dnsyn_pkt.h"
#include "dnsyn_port.h"
#include "dnsyn_replay.h"

#define BURST_MAX 512

struct job {
	uint16_t port;
	int linktype;
	unsigned int burst;
	uint64_t expected;   /* file mode: the file's records */
	uint64_t loop_tsc;   /* loop mode: how long */
	struct dnsyn_memsrc *mem; /* --mem-laps: recycle, do not free */
	uint64_t pkts, tsc, sum;
	int ok;
};

static int
ceiling_lcore(void *arg)
{
	struct job *j = arg;
	struct rte_mbuf *m[BURST_MAX];
	struct dnsyn_pkt pkt;
	uint64_t start = 0, end = 0, got = 0, sum = 0, idle_since = rte_rdtsc();
	const uint64_t hz = rte_get_tsc_hz();

	for (;;) {
		uint16_t n = rte_eth_rx_burst(j->port, 0, m, (uint16_t)j->burst), i;
		uint64_t now = rte_rdtsc();

		if (n == 0) {
			/* file mode: the PMD signals no end; stop after 2 s idle */
			if (got && now - idle_since > 2 * hz)
				break;
			if (!got && now - idle_since > 10 * hz)
				break;
			if (j->loop_tsc && got && now - start >= j->loop_tsc)
				break;
			continue;
		}
		idle_since = now;
		if (got == 0)
			start = now;
		for (i = 0; i < n; i++) {
			const uint8_t *p = rte_pktmbuf_mtod(m[i], const uint8_t *);

			/* the first cache line is read by the parse itself */
			sum += (uint64_t)dnsyn_pkt_parse(p, rte_pktmbuf_data_len(m[i]), j->linktype, &pkt);
			sum += pkt.dport;
		}
		if (j->mem)
			dnsyn_memsrc_recycle(j->mem, m, n, n);
		else
			rte_pktmbuf_free_bulk(m, n);
		got += n;
		end = rte_rdtsc();
		if (j->expected && got >= j->expected)
			break;
		if (j->loop_tsc && end - start >= j->loop_tsc)
			break;
	}
	j->pkts = got;
	j->tsc = end - start;
	j->sum = sum;
	j->ok = got > 0 && (!j->expected || got == j->expected);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dnsyn_replay_file file;
	struct dnsyn_replay_eal eal;
	static struct dnsyn_memsrc mem;
	struct rte_mempool *mp;
	struct job j;
	const char *pcap = NULL;
	char err[512], vdev[4200];
	double loop_s = 0;
	unsigned int mem_mb = 1024, burst = 64, laps = 0, i, mbufs; /* dnsyn's default */
	int a, ret;
	uint16_t port;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--pcap") && a + 1 < argc)
			pcap = argv[++a];
		else if (!strcmp(argv[a], "--loop") && a + 1 < argc)
			loop_s = atof(argv[++a]);
		else if (!strcmp(argv[a], "--mem-laps") && a + 1 < argc)
			laps = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--burst") && a + 1 < argc)
			burst = (unsigned int)atoi(argv[++a]);
		else if (!strcmp(argv[a], "--mem-mb") && a + 1 < argc)
			mem_mb = (unsigned int)atoi(argv[++a]);
		else {
			fprintf(stderr, "usage: %s --pcap FILE [--loop SEC | --mem-laps N] [--burst N] "
					"[--mem-mb MB]\n",
				argv[0]);
			return 2;
		}
	}
	if (pcap == NULL || burst == 0 || burst > BURST_MAX || loop_s < 0 || (loop_s > 0 && laps)) {
		fprintf(stderr, "dnsyn_ceiling: need --pcap FILE, a burst in [1, %d], --loop >= 0 "
				"or --mem-laps, not both\n",
			BURST_MAX);
		return 2;
	}
	if (dnsyn_replay_scan(pcap, &file, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsyn_ceiling: %s\n", err);
		return 2;
	}
	if (file.packets == 0) {
		fprintf(stderr, "dnsyn_ceiling: %s holds no packet\n", pcap);
		return 2;
	}
	if (laps) /* dnsyn's --mem-laps sizing, less its spares for fragments */
		mem_mb += dnsyn_memsrc_mem_mb(file.packets, file.bytes, 0);
	if (dnsyn_replay_eal_args(&eal, argv[0], &file, laps ? 0 : 1, 1, mem_mb, err,
				  sizeof(err)) < 0) {
		fprintf(stderr, "dnsyn_ceiling: %s\n", err);
		return 2;
	}
	/* loop mode: the PMD holds the whole file in mbufs and replays it */
	for (i = 0; loop_s > 0 && i < (unsigned int)eal.argc; i++)
		if (!strncmp(eal.argv[i], "net_pcap0", 9)) {
			snprintf(vdev, sizeof(vdev), "%s,infinite_rx=1", eal.argv[i]);
			eal.argv[i] = vdev;
		}
	ret = rte_eal_init(eal.argc, eal.argv);
	if (ret < 0) {
		fprintf(stderr, "dnsyn_ceiling: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (laps) {
		if (dnsyn_memsrc_create(&mem, &file, laps, 1000000, 0, rte_socket_id(), err,
					sizeof(err)) < 0) {
			fprintf(stderr, "dnsyn_ceiling: %s\n", err);
			return 1;
		}
		port = mem.port;
	} else if (rte_eth_dev_get_port_by_name("net_pcap0", &port) != 0) {
		fprintf(stderr, "dnsyn_ceiling: no pcap port\n");
		return 1;
	}
	mbufs = loop_s > 0 ? (unsigned int)file.packets + 4096 : 8191;
	mp = rte_pktmbuf_pool_create("ceil", mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_eth_dev_socket_id(port));
	if (mp == NULL || dnsyn_port_setup(port, 1, 1024, mp, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "dnsyn_ceiling: %s\n", mp ? err : "cannot create the mbuf pool");
		return 1;
	}
	memset(&j, 0, sizeof(j));
	j.port = port;
	j.linktype = file.linktype;
	j.burst = burst;
	j.expected = loop_s > 0 ? 0 : file.packets * (laps ? laps : 1);
	j.mem = laps ? &mem : NULL;
	j.loop_tsc = (uint64_t)(loop_s * (double)rte_get_tsc_hz());
	if (rte_eal_remote_launch(ceiling_lcore, &j, rte_get_next_lcore(-1, 1, 0)) != 0) {
		fprintf(stderr, "dnsyn_ceiling: cannot launch the worker lcore\n");
		return 1;
	}
	rte_eal_mp_wait_lcore();
	if (!j.ok) {
		fprintf(stderr, "dnsyn_ceiling: received %" PRIu64 " of %" PRIu64 " packets\n", j.pkts,
			file.packets);
		return 1;
	}
	printf("ceiling packets=%" PRIu64 " seconds=%.6f mpps=%.3f cycles_per_pkt=%.1f "
	       "(check %" PRIu64 ")\n",
	       j.pkts, (double)j.tsc / (double)rte_get_tsc_hz(),
	       (double)j.pkts / ((double)j.tsc / (double)rte_get_tsc_hz()) / 1e6,
	       (double)j.tsc / (double)j.pkts, j.sum & 0xff);
	rte_eth_dev_stop(port);
	if (laps)
		dnsyn_memsrc_free(&mem);
	rte_eal_cleanup();
	return 0;
}
