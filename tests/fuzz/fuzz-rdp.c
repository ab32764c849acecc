/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the RDP security negotiation parser (dissectors/rdp.c)
 * over one TCP segment's payload, copied to a heap buffer of exactly its
 * size. Oracle: a result of the enum; a negotiation only with a TPKT and
 * X.224 CR or CC in front of it. Seeds: the messages of tests/e2e/test_rdp.py
 * (make_rdp_seeds.py).
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/rdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *seg = malloc(size ? size : 1);
	if (!seg)
		return 0;
	memcpy(seg, data, size);
	struct rdp_hints h;
	enum rdp_result r = rdp_hints_parse(seg, size, &h);
	if (r != RDP_NOT_RDP && r != RDP_OK && r != RDP_TRUNCATED && r != RDP_MALFORMED)
		abort();
	if (h.negotiated && (size < 19 || seg[0] != 3 || (seg[5] != 0xE0 && seg[5] != 0xD0)))
		abort();
	if (r == RDP_NOT_RDP && (h.negotiated || h.confirm))
		abort();
	(void)rdp_protocol_name(h.protocols);
	free(seg);
	return 0;
}
