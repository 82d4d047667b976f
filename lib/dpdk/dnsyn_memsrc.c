/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "dnsyn_memsrc.h"

/* A packet's place in the image: its bytes, then (8-aligned) the shared-info
 * block an external buffer needs. */
#define SLOT_EXTRA (sizeof(struct rte_mbuf_ext_shared_info) + 8)

static void
extbuf_keep(void *addr, void *opaque)
{
	(void)addr; /* the image is freed whole, by dnsyn_memsrc_free() */
	(void)opaque;
}

static int
fail(char *err, size_t errlen, int ret, const char *what, const char *path)
{
	snprintf(err, errlen, "in-memory replay of %s: %s", path, what);
	return ret;
}

int
dnsyn_memsrc_create(struct dnsyn_memsrc *s, const struct dnsyn_replay_file *f, uint64_t laps,
		    uint64_t gap_us, int socket, char *err, size_t errlen)
{
	const char *path = f->path;
	uint64_t packets = f->packets;
	static const struct rte_mbuf_dynfield left_desc = {
		.name = "dnsyn_memsrc_laps_left",
		.size = sizeof(uint32_t),
		.align = __alignof__(uint32_t),
	};
	char perr[PCAP_ERRBUF_SIZE], name[RTE_MEMPOOL_NAMESIZE], what[128];
	uint64_t first_us = 0, last_us = 0, n = 0, dyn_flag;
	size_t image_len = f->bytes + packets * (7 + SLOT_EXTRA), used = 0;
	struct rte_mbuf **all = NULL;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t *image = NULL;
	rte_iova_t image_iova;
	pcap_t *p = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	s->port = UINT16_MAX;
	if (packets == 0 || laps == 0 || laps > UINT32_MAX || packets > UINT32_MAX - 1)
		return fail(err, errlen, -EINVAL, "needs 1 to 2^32-2 packets and laps", path);
	if (rte_mbuf_dyn_rx_timestamp_register(&s->ts_off, &dyn_flag) < 0 ||
	    (s->left_off = rte_mbuf_dynfield_register(&left_desc)) < 0)
		return fail(err, errlen, -ENOSPC, "no room for the mbuf dynfields", path);
	snprintf(name, sizeof(name), "dnsyn_mem%d", getpid() % 100000);
	/* Header-only mbufs: the bytes stay in the image, attached. */
	s->pool = rte_pktmbuf_pool_create(name, (unsigned int)packets, 0, 0, 0, socket);
	image = rte_malloc_socket("dnsyn_memsrc", image_len, 64, socket);
	all = rte_malloc_socket("dnsyn_memsrc_list", packets * sizeof(*all), 64, socket);
	s->ring = rte_ring_create(name, (unsigned int)packets, socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (s->pool == NULL || image == NULL || all == NULL || s->ring == NULL) {
		snprintf(what, sizeof(what), "out of DPDK memory (it needs about %u MB more: raise "
			 "--mem-mb)", dnsyn_memsrc_mem_mb(packets, f->bytes));
		ret = fail(err, errlen, -ENOMEM, what, path);
		goto out;
	}
	if (rte_pktmbuf_alloc_bulk(s->pool, all, (unsigned int)packets) != 0) {
		ret = fail(err, errlen, -ENOMEM, "cannot take the mbufs", path);
		goto out;
	}
	image_iova = rte_malloc_virt2iova(image);
	p = pcap_open_offline(path, perr);
	if (p == NULL) {
		ret = fail(err, errlen, -ENOENT, perr, path);
		goto out;
	}
	while (n < packets && (ret = pcap_next_ex(p, &h, &data)) == 1) {
		struct rte_mbuf *m = all[n];
		struct rte_mbuf_ext_shared_info *shinfo;
		uint64_t us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		uint16_t len = (uint16_t)RTE_ALIGN_CEIL(h->caplen, 8) + SLOT_EXTRA;
		uint8_t *buf = image + used;

		if (h->caplen > f->max_caplen || h->caplen > UINT16_MAX - SLOT_EXTRA - 8 ||
		    used + RTE_ALIGN_CEIL(h->caplen, 8) + SLOT_EXTRA > image_len) {
			ret = fail(err, errlen, -EIO, "the file changed since it was scanned, or has "
					"records of 64 KiB", path);
			goto out;
		}
		memcpy(buf, data, h->caplen);
		shinfo = rte_pktmbuf_ext_shinfo_init_helper(buf, &len, extbuf_keep, NULL);
		/* the IOVA is never used (nothing DMAs these): base + offset */
		rte_pktmbuf_attach_extbuf(m, buf, image_iova + used, len, shinfo);
		m->data_len = (uint16_t)h->caplen;
		m->pkt_len = h->caplen;
		m->ol_flags |= dyn_flag;
		*RTE_MBUF_DYNFIELD(m, s->ts_off, uint64_t *) = us;
		*RTE_MBUF_DYNFIELD(m, s->left_off, uint32_t *) = (uint32_t)(laps - 1);
		if (n == 0)
			first_us = us;
		last_us = us > last_us ? us : last_us;
		used += RTE_ALIGN_CEIL(h->caplen, 8) + SLOT_EXTRA;
		n++;
	}
	if (n != packets) {
		ret = fail(err, errlen, -EIO, "the file changed since it was scanned", path);
		goto out;
	}
	s->lap_us = (last_us > first_us ? last_us - first_us : 0) + gap_us;
	if (rte_ring_enqueue_bulk(s->ring, (void **)all, (unsigned int)packets, NULL) != packets) {
		ret = fail(err, errlen, -ENOSPC, "the ring did not take every mbuf", path);
		goto out;
	}
	ret = rte_eth_from_ring(s->ring);
	if (ret < 0) {
		ret = fail(err, errlen, -ENODEV, "net_ring would not make a port", path);
		goto out;
	}
	s->port = (uint16_t)ret;
	s->image = image;
	image = NULL;
	ret = 0;
out:
	if (p != NULL)
		pcap_close(p);
	rte_free(all);
	if (ret < 0) {
		rte_free(image);
		dnsyn_memsrc_free(s);
	}
	return ret;
}

void
dnsyn_memsrc_free(struct dnsyn_memsrc *s)
{
	if (s->port != UINT16_MAX && rte_eth_dev_is_valid_port(s->port)) {
		rte_eth_dev_stop(s->port);
		rte_eth_dev_close(s->port);
	}
	s->port = UINT16_MAX;
	/* Mbufs left on the ring (a run cut short) go back with the pool. */
	rte_ring_free(s->ring);
	rte_mempool_free(s->pool);
	rte_free(s->image);
	s->ring = NULL;
	s->pool = NULL;
	s->image = NULL;
}
