/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane: reading the INI configuration file (--config) with DPDK's
 * rte_cfgfile; validation is lib/conf's (dnsyn_conf_set()). Needs no EAL. */
#ifndef DNSYN_CFGFILE_H
#define DNSYN_CFGFILE_H

#include <stddef.h>

#include "dnsyn_conf.h"

/**
 * Read @p path into entries in file order, each with its line number (for
 * messages). The strings live until the process ends (the configuration
 * keeps pointers into them).
 * @return number of entries, or -errno with a one-line reason (with the line
 *         of a syntax error) in @p err
 */
int dnsyn_cfgfile_read(const char *path, struct dnsyn_conf_kv **ret, char *err, size_t errlen);

#endif
