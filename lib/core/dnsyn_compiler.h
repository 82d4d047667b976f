/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by every module: branch hints, cache alignment, static asserts.
 * No DPDK here, so the pure libraries can use it without EAL. */
#ifndef DNSYN_COMPILER_H
#define DNSYN_COMPILER_H

#include <stddef.h>
#include <stdint.h>

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

/* Big-endian reads from wire data; callers have checked the bounds. */
#define DNSYN_RD16(p) ((uint16_t)(((p)[0] << 8) | (p)[1]))
#define DNSYN_RD32(p)                                                                         \
	(((uint32_t)(p)[0] << 24) | ((uint32_t)(p)[1] << 16) | ((uint32_t)(p)[2] << 8) |      \
	 (uint32_t)(p)[3])

/* Name of an enum value from a designated-initialiser table, "unknown" outside it. */
#define DNSYN_ENUM_NAME(table, v)                                                             \
	(((v) < 0 || (size_t)(v) >= DNSYN_ARRAY_SIZE(table) || !(table)[(v)]) ? "unknown"       \
									       : (table)[(v)])

#define DNSYN_NS_PER_S 1000000000ULL
#define DNSYN_NS_PER_MS 1000000ULL
#define DNSYN_NS_PER_US 1000ULL

#endif
