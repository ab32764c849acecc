/* SPDX-License-Identifier: BSD-2-Clause */
#include "dissectors/rdp.h"

#include <string.h>

#define TPKT_VERSION 3
#define X224_CR 0xE0
#define X224_CC 0xD0
#define X224_FIXED 7              /* LI, code, DST-REF, SRC-REF, class */
#define NEG_LEN 8
#define NEG_REQ 0x01
#define NEG_RSP 0x02
#define NEG_FAILURE 0x03

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An RDP_NEG_* structure at p (8 bytes there). */
static enum rdp_result negotiation(const uint8_t *p, bool confirm, struct rdp_hints *h)
{
	uint8_t type = p[0];
	if (p[2] != NEG_LEN || p[3] != 0)
		return RDP_MALFORMED;
	if (confirm ? type != NEG_RSP && type != NEG_FAILURE : type != NEG_REQ)
		return RDP_MALFORMED;
	h->negotiated = true;
	h->failure = type == NEG_FAILURE;
	h->protocols = le32(p + 4);
	return RDP_OK;
}

enum rdp_result rdp_hints_parse(const uint8_t *p, size_t len, struct rdp_hints *h)
{
	memset(h, 0, sizeof(*h));
	/* TPKT and the X.224 code, as far as captured */
	if (len < 1 || p[0] != TPKT_VERSION || (len > 1 && p[1] != 0))
		return RDP_NOT_RDP;
	if (len > 5 && p[5] != X224_CR && p[5] != X224_CC)
		return RDP_NOT_RDP;
	if (len < 4 + X224_FIXED)
		return RDP_TRUNCATED;
	size_t tpkt = (size_t)p[2] << 8 | p[3];
	size_t li = p[4];
	/* the TPDU (LI + 1 bytes) fills the TPKT exactly: a Request or
	 * Confirm is not followed by data in the same TPKT */
	if (tpkt < 4 + X224_FIXED || li + 1 + 4 != tpkt || li + 1 < X224_FIXED)
		return RDP_MALFORMED;
	h->confirm = p[5] == X224_CC;
	size_t end = tpkt; /* the TPDU's end, from p */
	size_t vars = 4 + X224_FIXED;
	if (end - vars < NEG_LEN)
		return RDP_OK; /* no negotiation: a Confirm is standard RDP security */
	/* the negotiation structure ends the TPDU (after a Request's cookie) */
	size_t at = end - NEG_LEN;
	if (at + NEG_LEN > len)
		return RDP_TRUNCATED;
	uint8_t type = p[at];
	if (type != NEG_REQ && type != NEG_RSP && type != NEG_FAILURE)
		return h->confirm ? RDP_MALFORMED : RDP_OK; /* a Request with a cookie only */
	return negotiation(p + at, h->confirm, h);
}

const char *rdp_protocol_name(uint32_t bit)
{
	switch (bit) {
	case RDP_PROTOCOL_RDP: return "rdp";
	case RDP_PROTOCOL_SSL: return "tls";
	case RDP_PROTOCOL_HYBRID: return "hybrid";
	case RDP_PROTOCOL_RDSTLS: return "rdstls";
	case RDP_PROTOCOL_HYBRID_EX: return "hybrid-ex";
	case RDP_PROTOCOL_RDSAAD: return "rdsaad";
	default: return NULL;
	}
}
