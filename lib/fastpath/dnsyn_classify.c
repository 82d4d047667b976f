/* SPDX-License-Identifier: BSD-3-Clause */
#include "dnsyn_compiler.h"
#include "dnsyn_classify.h"

static const char *const cls_names[DNSYN_CLS_MAX] = {
	[DNSYN_CLS_OTHER] = "other",
	[DNSYN_CLS_DNS_UDP] = "dns_udp",
	[DNSYN_CLS_DNS_TCP] = "dns_tcp",
	[DNSYN_CLS_SYN] = "syn",
	[DNSYN_CLS_SYNACK] = "synack",
	[DNSYN_CLS_FRAG] = "ip_fragment",
};

const char *
dnsyn_cls_name(unsigned int cls)
{
	return DNSYN_ENUM_NAME(cls_names, (int)(cls & 0xff));
}
