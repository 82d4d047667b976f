/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the L2-L4 parser and classifier for every link type. The
 * first byte picks the link type; the rest is the frame. */
#include <stddef.h>
#include <stdint.h>

#include "dnsyn_classify.h"
#include "dnsyn_pkt.h"

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	DNSYN_LINK_ETHERNET, DNSYN_LINK_LINUX_SLL, DNSYN_LINK_LINUX_SLL2, DNSYN_LINK_RAW,
	DNSYN_LINK_NULL, DNSYN_LINK_LOOP, DNSYN_LINK_IPV4, DNSYN_LINK_IPV6,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsyn_pkt pkt;
	int lt, st;

	if (size < 1)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	st = dnsyn_pkt_parse(data + 1, (uint32_t)(size - 1), lt, &pkt);
	if (st == DNSYN_PKT_OK) {
		CHECK(pkt.payload_off + pkt.payload_len <= size - 1);
		CHECK(pkt.l4_off <= size - 1);
		(void)dnsyn_classify(&pkt);
	}
	return 0;
}
