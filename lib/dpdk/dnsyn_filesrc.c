/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "dnsyn_filesrc.h"

int
dnsyn_filesrc_open(struct dnsyn_filesrc *s, const char *path, uint32_t snaplen,
		   unsigned int mbufs, int socket, char *err, size_t errlen)
{
	static unsigned int seq;
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret;

	memset(s, 0, sizeof(*s));
	ret = dnsyn_pcapfile_open(&s->file, path, snaplen, err, errlen);
	if (ret < 0)
		return ret;
	if (rte_mbuf_dyn_rx_timestamp_register(&s->ts_off, &s->ts_flag) < 0) {
		snprintf(err, errlen, "%s: no room for the timestamp dynfield", path);
		dnsyn_pcapfile_close(&s->file);
		return -ENOSPC;
	}
	snprintf(name, sizeof(name), "dnsyn_file%u_%d", seq++, getpid() % 100000);
	/* no data room: each mbuf gets a record's bytes in the mapping */
	s->pool = rte_pktmbuf_pool_create(name, mbufs, 256, 0, 0, socket);
	if (s->pool == NULL) {
		snprintf(err, errlen, "%s: cannot create its mbuf pool", path);
		dnsyn_pcapfile_close(&s->file);
		return -ENOMEM;
	}
	return 0;
}

int
dnsyn_filesrc_chain(struct dnsyn_filesrc *s, struct rte_mbuf *m, uint8_t *data, uint32_t len)
{
	const uint32_t seg = 32768;
	struct rte_mbuf *last = m;
	uint32_t done;

	m->buf_len = m->data_len = (uint16_t)seg;
	m->pkt_len = len;
	m->nb_segs = 1;
	for (done = seg; done < len; done += seg) {
		struct rte_mbuf *x = rte_pktmbuf_alloc(s->pool);
		uint32_t part = len - done < seg ? len - done : seg;

		if (x == NULL) {
			m->pkt_len = m->data_len;
			rte_pktmbuf_free(m->next); /* the segments taken so far */
			m->next = NULL;
			m->nb_segs = 1;
			return -1;
		}
		x->buf_addr = data + done;
		x->buf_iova = 0;
		x->data_off = 0;
		x->buf_len = x->data_len = (uint16_t)part;
		last->next = x;
		last = x;
		m->nb_segs++;
	}
	return 0;
}

void
dnsyn_filesrc_close(struct dnsyn_filesrc *s)
{
	rte_mempool_free(s->pool);
	s->pool = NULL;
	dnsyn_pcapfile_close(&s->file);
}
