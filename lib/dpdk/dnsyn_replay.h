/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: the `--pcap FILE` shortcut. Reads each file's link type and
 * packet count with libpcap (the pcap PMD hands bytes through whatever the link
 * type is, and signals no end of file), and builds the EAL command line. */
#ifndef DNSYN_REPLAY_H
#define DNSYN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct dnsyn_replay_file {
	const char *path;
	int linktype;
	uint64_t packets;  /**< records libpcap reads before EOF or error */
	int truncated;     /**< the file ended in the middle of a record */
	uint32_t max_caplen; /**< longest record (bytes captured) */
	uint64_t bytes;    /**< bytes captured, all records */
	uint32_t snaplen;  /**< the snapshot length libpcap applies */
	/** A plain pcap (dnsyn_pcapfile.h): dnsyn can map it and replay its
	 *  bytes in place (dnsyn_filesrc.h). */
	int plain;
};

/** Scan one capture: its link type; its records counted (a plain pcap by
 *  walking its mapped record headers, any other through libpcap), except a
 *  plain pcap's when @p count is 0 (packets, bytes, max_caplen then 0: the
 *  mapped replay finds its end itself). 0, or -errno with a message. */
int dnsyn_replay_scan(const char *path, struct dnsyn_replay_file *out, int count, char *err,
		      size_t errlen);

struct dnsyn_replay_eal {
	char *argv[32];
	int argc;
	char buf[8192];
};

/**
 * Build EAL arguments for replaying @p n files on one net_pcap port (one RX
 * queue per file; @p n 0: no port, the caller makes its own): no PCI, no hugepages unless some are free, a unique file
 * prefix, and lcores for main + @p n_workers workers placed on the CPUs this
 * process may use. 0 or -EINVAL (message in @p err).
 */
int dnsyn_replay_eal_args(struct dnsyn_replay_eal *e, const char *prog,
			  const struct dnsyn_replay_file *files, unsigned int n, unsigned int n_workers,
			  unsigned int mem_mb, char *err, size_t errlen);

#endif
