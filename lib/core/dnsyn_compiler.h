/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by every module: branch hints, cache alignment, static asserts.
 * No DPDK here, so the pure libraries can use it without EAL. */
#ifndef DNSYN_COMPILER_H
#define DNSYN_COMPILER_H

#define DNSYN_CACHE_LINE 64
#define DNSYN_CACHE_ALIGNED __attribute__((aligned(DNSYN_CACHE_LINE)))

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define DNSYN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DNSYN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DNSYN_MAX(a, b) ((a) > (b) ? (a) : (b))

#define DNSYN_NS_PER_S 1000000000ULL
#define DNSYN_NS_PER_MS 1000000ULL
#define DNSYN_NS_PER_US 1000ULL

#endif
