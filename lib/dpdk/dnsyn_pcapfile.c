/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsyn_pcapfile.h"

int
dnsyn_pcapfile_open(struct dnsyn_pcapfile *f, const char *path, uint32_t snaplen, char *err,
		    size_t errlen)
{
	struct stat st;
	uint32_t magic;
	uint16_t ver[2];
	void *m;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 24) {
		close(fd);
		return -ENOTSUP; /* a pipe, or no header: libpcap says what is wrong */
	}
	/* Private and writable: IP reassembly rewrites a first fragment's
	 * header in place, and that must not reach the file. */
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return -errno;
	}
	f->base = m;
	f->size = (size_t)st.st_size;
	memcpy(&magic, f->base, 4);
	memcpy(ver, f->base + 4, 4);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
		f->swapped = 0;
	} else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
		f->swapped = 1;
		magic = __builtin_bswap32(magic);
		ver[0] = __builtin_bswap16(ver[0]);
		ver[1] = __builtin_bswap16(ver[1]);
	} else {
		dnsyn_pcapfile_close(f);
		return -ENOTSUP;
	}
	if (ver[0] != 2 || ver[1] != 4) { /* libpcap fixes up older files */
		dnsyn_pcapfile_close(f);
		return -ENOTSUP;
	}
	f->frac_div = magic == 0xa1b23c4d ? 1000 : 1;
	f->snaplen = snaplen;
	f->off = 24;
	(void)madvise(f->base, f->size, MADV_SEQUENTIAL);
	(void)madvise(f->base, f->size, MADV_WILLNEED);
	return 0;
}

void
dnsyn_pcapfile_scan(struct dnsyn_pcapfile *f, struct dnsyn_pcapfile_scan *out)
{
	size_t off = f->off;
	uint8_t *data;
	uint32_t len;
	uint64_t ts;

	memset(out, 0, sizeof(*out));
	while (dnsyn_pcapfile_next(f, &data, &len, &ts)) {
		out->packets++;
		out->bytes += len;
		if (len > out->max_caplen)
			out->max_caplen = len;
	}
	out->truncated = dnsyn_pcapfile_truncated(f);
	f->off = off;
}

void
dnsyn_pcapfile_close(struct dnsyn_pcapfile *f)
{
	if (f->base != NULL)
		munmap(f->base, f->size);
	f->base = NULL;
	f->size = 0;
}
