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

void
dnsyn_filesrc_close(struct dnsyn_filesrc *s)
{
	rte_mempool_free(s->pool);
	s->pool = NULL;
	dnsyn_pcapfile_close(&s->file);
}
