/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the DNS parser and the name decoder on arbitrary bytes.
 * Checks the parser's own invariants, so a wrong count is a finding too. */
#include <stddef.h>
#include <stdint.h>

#include "dnsyn_dns.h"

/* Active in every build type, unlike assert(): a broken invariant is a crash. */
#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsyn_dns_msg m;
	char name[DNSYN_DNS_NAME_TXT_MAX];
	unsigned int i;

	if (dnsyn_dns_parse(data, (uint32_t)size, &m) < 0)
		return 0;
	CHECK(m.n_addr <= DNSYN_DNS_MAX_ADDRS);
	CHECK(m.n_addr <= (unsigned int)m.n_a + m.n_aaaa);
	for (i = 0; i < m.n_addr; i++) {
		uint32_t off = DNSYN_DNS_ADDR_OFF(m.addr[i]);

		CHECK(off + (DNSYN_DNS_ADDR_IS_V6(m.addr[i]) ? 16u : 4u) <= size);
	}
	if (m.qname_off) {
		int n = dnsyn_dns_name_decode(data, (uint32_t)size, m.qname_off, name, sizeof(name));

		CHECK(n < (int)sizeof(name));
	}
	/* Decoding from any offset must be safe too. */
	if (size > 12)
		dnsyn_dns_name_decode(data, (uint32_t)size, data[0] % size, name, sizeof(name));
	return 0;
}
