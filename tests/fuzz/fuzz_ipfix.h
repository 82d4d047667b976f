/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_ipfix's two halves: the round trip (fuzz_ipfix.c, decoder not
 * instrumented) and the decoder on raw bytes (fuzz_ipfix_raw.c). */
#ifndef FUZZ_IPFIX_H
#define FUZZ_IPFIX_H

#include <stddef.h>
#include <stdint.h>

/** Decode @p size bytes as a message stream (@p check_seq: sequence numbers too). */
void fuzz_ipfix_raw(const uint8_t *data, size_t size, int check_seq);

/* td_init() also clears the 2 MB of record slots, which the decoder always
 * writes before it reads them: too slow for every input. The rest as it does. */
#define FUZZ_TD_RESET(s)                                                                      \
	do {                                                                                  \
		(s)->n_tmpl = 0;                                                              \
		memset((s)->dom, 0, sizeof((s)->dom));                                        \
		(s)->n_rec = 0;                                                               \
		(s)->n_msgs = (s)->n_template_recs = 0;                                       \
		(s)->n_template_sets = (s)->n_option_sets = 0;                                \
		(s)->last_export_time = 0;                                                    \
		(s)->check_seq = 1;                                                           \
		(s)->arena_len = 0;                                                           \
		(s)->err[0] = '\0';                                                           \
	} while (0)

#endif
