/* SPDX-License-Identifier: BSD-3-Clause */
/* The paper's tap filter, `(udp port 53) || (tcp port 53) || (tcp[13] & 0x2 != 0)`,
 * compiled by libpcap itself, must select the same packets as dnsyn's classes.
 *
 * Each frame is judged twice: by the BPF program compiled for the capture's
 * link type on the whole frame, and by the program compiled for raw IP on the
 * IP packet dnsyn found (so VLAN stacks, which the paper's filter does not
 * look through, are compared too). Where the filter language cannot express
 * dnsyn's wider reach the frame is counted in a named column, not compared:
 *   ipv6_syn   tcp[13] indexes IPv4 only; dnsyn also sees IPv6 SYNs
 *   ipv6_ext   libpcap does not walk IPv6 extension headers
 *   fragment   dnsyn classifies fragments after reassembly
 *   bad_ip     an IP header dnsyn rejects (version, IHL, length: counted in
 *              drop.bad_l3); BPF reads the ports behind it regardless
 * Usage: test_tapfilter FILE.pcap...   (exit 1 on any disagreement) */
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "dnsyn_classify.h"
#include "dnsyn_pkt.h"

static const char *const filter = "(udp port 53) || (tcp port 53) || (tcp[13] & 0x2 != 0)";

struct tally {
	unsigned long pkts, tap_bpf, tap_dnsyn, compared, ipv6_syn, ipv6_ext, fragment, bad_ip, mismatch;
};

static int
check_file(const char *path, struct tally *t)
{
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program link_prog, raw_prog;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p, *raw;
	int lt;

	p = pcap_open_offline(path, err);
	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	lt = pcap_datalink(p);
	raw = pcap_open_dead(DLT_RAW, 65535);
	if (pcap_compile(p, &link_prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
	    pcap_compile(raw, &raw_prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "%s: filter: %s\n", path, pcap_geterr(p));
		return -1;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct dnsyn_pkt pkt;
		struct pcap_pkthdr rh = *h;
		int st = dnsyn_pkt_parse(data, h->caplen, lt, &pkt);
		int ours = st == DNSYN_PKT_OK && dnsyn_classify_in_tap(dnsyn_classify(&pkt));
		int bpf_link = pcap_offline_filter(&link_prog, h, data) != 0;
		int bpf_raw = bpf_link;

		t->pkts++;
		if (st == DNSYN_PKT_OK || st == DNSYN_PKT_TRUNC_L4) {
			rh.caplen = h->caplen - pkt.l2_len;
			rh.len = h->len - pkt.l2_len;
			bpf_raw = pcap_offline_filter(&raw_prog, &rh, data + pkt.l2_len) != 0;
		}
		t->tap_bpf += bpf_raw;
		t->tap_dnsyn += ours;
		if (st == DNSYN_PKT_BAD_L3) {
			t->bad_ip++;
			continue;
		}
		if (st == DNSYN_PKT_OK && (pkt.flags & DNSYN_PKTF_FRAG)) {
			t->fragment++;
			continue;
		}
		if (st == DNSYN_PKT_OK && (pkt.flags & DNSYN_PKTF_V6)) {
			if (pkt.l3_len != 40) {
				t->ipv6_ext++;
				continue;
			}
			if ((dnsyn_classify(&pkt) & 0xff) == DNSYN_CLS_SYN ||
			    (dnsyn_classify(&pkt) & 0xff) == DNSYN_CLS_SYNACK) {
				t->ipv6_syn++;
				continue;
			}
		}
		t->compared++;
		/* Untagged frames: the filter on the whole frame must agree too. */
		if (ours != bpf_raw || (!(pkt.flags & DNSYN_PKTF_VLAN) && ours != bpf_link)) {
			t->mismatch++;
			fprintf(stderr, "%s: packet %lu: dnsyn %s (status %s, class %s), filter %d/%d\n",
				path, t->pkts, ours ? "in" : "out", dnsyn_pkt_status_name(st),
				st == DNSYN_PKT_OK ? dnsyn_cls_name(dnsyn_classify(&pkt)) : "-",
				bpf_link, bpf_raw);
		}
	}
	pcap_freecode(&link_prog);
	pcap_freecode(&raw_prog);
	pcap_close(raw);
	pcap_close(p);
	return 0;
}

int
main(int argc, char **argv)
{
	struct tally all;
	int i, bad = 0;

	memset(&all, 0, sizeof(all));
	printf("%-44s %7s %7s %7s %8s %8s %8s %8s %8s %8s\n", "capture", "pkts", "filter", "dnsyn",
	       "compared", "ipv6_syn", "ipv6_ext", "fragment", "bad_ip", "mismatch");
	for (i = 1; i < argc; i++) {
		struct tally t;
		const char *base = strrchr(argv[i], '/');

		memset(&t, 0, sizeof(t));
		if (check_file(argv[i], &t) < 0) {
			bad = 1;
			continue;
		}
		printf("%-44s %7lu %7lu %7lu %8lu %8lu %8lu %8lu %8lu %8lu\n",
		       base ? base + 1 : argv[i], t.pkts, t.tap_bpf, t.tap_dnsyn, t.compared, t.ipv6_syn,
		       t.ipv6_ext, t.fragment, t.bad_ip, t.mismatch);
		all.pkts += t.pkts;
		all.compared += t.compared;
		all.mismatch += t.mismatch;
	}
	printf("total: %lu packets, %lu compared, %lu disagree\n", all.pkts, all.compared,
	       all.mismatch);
	if (argc < 2 || all.compared == 0) {
		fprintf(stderr, "test_tapfilter: nothing compared\n");
		return 1;
	}
	return bad || all.mismatch ? 1 : 0;
}
