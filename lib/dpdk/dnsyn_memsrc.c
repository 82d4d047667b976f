/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "dnsyn_memsrc.h"
#include "dnsyn_pkt.h"

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

/* An mbuf from the pool, made an external-buffer one (header only: the
 * bytes stay in the image) that carries a capture time. */
static void
memsrc_adopt(struct dnsyn_memsrc *s, struct rte_mbuf *m)
{
	rte_pktmbuf_attach_extbuf(m, s->image, s->image_iova, 0, &s->shinfo);
	m->ol_flags |= s->ts_flag;
}

/* rte_mempool_obj_iter(): an mbuf's own room for a fragment's bytes. */
static void
give_room(struct rte_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	struct dnsyn_memsrc *s = opaque;

	(void)mp;
	*(uint8_t **)rte_mbuf_to_priv((struct rte_mbuf *)obj) = s->own + (size_t)idx * s->own_len;
}

void
dnsyn_memsrc_repay(struct dnsyn_memsrc *s)
{
	while (s->owed && s->left) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);

		if (m == NULL)
			return; /* all spares held: the next burst tries again */
		memsrc_adopt(s, m);
		dnsyn_memsrc_load(s, m);
		rte_ring_enqueue(s->ring, m); /* it holds every mbuf there is */
		s->owed--;
	}
	if (s->left == 0)
		s->owed = 0;
}

/* Read the file into the image and the records, and find its fragments; 0 or -errno. */
static int
memsrc_read(struct dnsyn_memsrc *s, struct dnsyn_memsrc_rec *rec, size_t image_len,
	    const struct dnsyn_replay_file *f, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	uint64_t first_us = 0, last_us = 0, n = 0;
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t used = 0, frag_len = 0;
	struct dnsyn_pkt pkt;
	pcap_t *p;
	int ret = 1;

	p = pcap_open_offline(f->path, perr);
	if (p == NULL)
		return fail(err, errlen, -ENOENT, perr, f->path);
	while (n < s->packets && (ret = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

		if (h->caplen > f->max_caplen || h->caplen > UINT16_MAX ||
		    used + RTE_ALIGN_CEIL(h->caplen, 64) > image_len) {
			pcap_close(p);
			return fail(err, errlen, -EIO, "the file changed since it was scanned", f->path);
		}
		memcpy(s->image + used, data, h->caplen);
		rec[n] = (struct dnsyn_memsrc_rec){
			.us = us, .line = (uint32_t)(used >> 6), .len = (uint16_t)h->caplen};
		if (dnsyn_pkt_parse(data, h->caplen, f->linktype, &pkt) == DNSYN_PKT_OK &&
		    (pkt.flags & DNSYN_PKTF_FRAG))
			rec[n].kept = 1, frag_len = RTE_MAX(frag_len, (size_t)RTE_ALIGN_CEIL(h->caplen, 64));
		if (n == 0)
			first_us = us;
		last_us = us > last_us ? us : last_us;
		used += RTE_ALIGN_CEIL(h->caplen, 64);
		n++;
	}
	pcap_close(p);
	if (n != s->packets)
		return fail(err, errlen, -EIO, "the file changed since it was scanned", f->path);
	s->lap_us = last_us > first_us ? last_us - first_us : 0;
	s->own_len = frag_len; /* 0: no fragment */
	return 0;
}

int
dnsyn_memsrc_create(struct dnsyn_memsrc *s, const struct dnsyn_replay_file *f, uint64_t laps,
		    uint64_t gap_us, uint64_t held, int socket, char *err, size_t errlen)
{
	const char *path = f->path;
	char name[RTE_MEMPOOL_NAMESIZE], what[128];
	struct rte_mbuf *first[DNSYN_MEMSRC_MBUFS];
	struct dnsyn_memsrc_rec *rec = NULL;
	unsigned int going, i;
	size_t image_len;
	int ret;

	memset(s, 0, sizeof(*s));
	s->port = UINT16_MAX;
	s->packets = f->packets;
	if (s->packets == 0 || laps == 0 || laps > UINT32_MAX || s->packets > UINT32_MAX - 1 ||
	    held > UINT32_MAX / 2)
		return fail(err, errlen, -EINVAL, "needs 1 to 2^32-2 packets and laps", path);
	if (rte_mbuf_dyn_rx_timestamp_register(&s->ts_off, &s->ts_flag) < 0)
		return fail(err, errlen, -ENOSPC, "no room for the mbuf timestamp", path);
	s->left = s->packets * laps;
	going = (unsigned int)RTE_MIN((uint64_t)DNSYN_MEMSRC_MBUFS, s->left);
	image_len = f->bytes + s->packets * 63;
	snprintf(name, sizeof(name), "dnsyn_mem%d", getpid() % 100000);
	/* Header-only mbufs: the bytes stay in the image, attached. The
	 * private area holds the address of the mbuf's own room for a fragment. */
	s->pool = rte_pktmbuf_pool_create(name, going + (unsigned int)held, 0,
					  RTE_ALIGN_CEIL(sizeof(uint8_t *), RTE_MBUF_PRIV_ALIGN), 0,
					  socket);
	s->ring = rte_ring_create(name, going + (unsigned int)held, socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	s->image = rte_malloc_socket("dnsyn_memsrc", image_len, 64, socket);
	rec = rte_malloc_socket("dnsyn_memsrc_rec", s->packets * sizeof(*rec), 64, socket);
	s->rec = rec;
	if (s->pool == NULL || s->image == NULL || rec == NULL || s->ring == NULL) {
		snprintf(what, sizeof(what), "out of DPDK memory (it needs about %u MB more: raise "
			 "--mem-mb)", dnsyn_memsrc_mem_mb(s->packets, f->bytes, held));
		ret = fail(err, errlen, -ENOMEM, what, path);
		goto out;
	}
	s->image_iova = rte_malloc_virt2iova(s->image);
	ret = memsrc_read(s, rec, image_len, f, err, errlen);
	if (ret < 0)
		goto out;
	s->lap_us += gap_us;
	if (s->own_len) {
		/* untouched until a fragment uses it: not DPDK memory */
		s->own = malloc((size_t)(going + held) * s->own_len);
		if (s->own == NULL) {
			ret = fail(err, errlen, -ENOMEM, "no memory for the fragments' copies", path);
			goto out;
		}
		rte_mempool_obj_iter(s->pool, give_room, s);
	}
	s->shinfo.free_cb = extbuf_keep;
	rte_mbuf_ext_refcnt_set(&s->shinfo, 1);
	if (rte_pktmbuf_alloc_bulk(s->pool, first, going) != 0) {
		ret = fail(err, errlen, -ENOMEM, "cannot take the mbufs", path);
		goto out;
	}
	for (i = 0; i < going; i++) {
		memsrc_adopt(s, first[i]);
		dnsyn_memsrc_load(s, first[i]);
	}
	if (rte_ring_enqueue_bulk(s->ring, (void **)first, going, NULL) != going) {
		rte_pktmbuf_free_bulk(first, going);
		ret = fail(err, errlen, -ENOSPC, "the ring did not take every mbuf", path);
		goto out;
	}
	ret = rte_eth_from_ring(s->ring);
	if (ret < 0) {
		ret = fail(err, errlen, -ENODEV, "net_ring would not make a port", path);
		goto out;
	}
	s->port = (uint16_t)ret;
	ret = 0;
out:
	if (ret < 0)
		dnsyn_memsrc_free(s);
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
	free(s->own);
	rte_free((void *)(uintptr_t)s->rec);
	s->rec = NULL;
	s->ring = NULL;
	s->own = NULL;
	s->pool = NULL;
	s->image = NULL;
}
