/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RDP security negotiation (issue 19, SEMI E187 exposure: "RDP without
 * NLA where visible"): the first message each way of a connection, as it
 * starts a TCP segment. The client's X.224 Connection Request may carry an
 * RDP_NEG_REQ with the security protocols it asks for; the server's
 * Connection Confirm an RDP_NEG_RSP with the one it chose, or an
 * RDP_NEG_FAILURE; a Confirm with neither is an old server: standard RDP
 * security. Network Level Authentication is CredSSP: PROTOCOL_HYBRID or
 * PROTOCOL_HYBRID_EX chosen. What follows is TLS or RDP's own encryption.
 *
 *   TPKT (RFC 1006)        version 1 (3) | reserved 1 | length 2 (big-endian, all of it)
 *   X.224 (ISO 8073)       LI 1 | code 1 (0xE0 CR, 0xD0 CC) | DST-REF 2 | SRC-REF 2 | class 1 |
 *                          CR: [cookie or routing token, CRLF-ended] [RDP_NEG_REQ]
 *                          CC: [RDP_NEG_RSP or RDP_NEG_FAILURE]
 *   RDP_NEG_* (MS-RDPBCGR 2.2.1.1.1, 2.2.1.2.1, 2.2.1.2.2)
 *                          type 1 (1 req, 2 rsp, 3 failure) | flags 1 | length 2 (8, LE) |
 *                          requestedProtocols / selectedProtocol / failureCode 4 (LE)
 */
#ifndef FABMON_RDP_H
#define FABMON_RDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MS-RDPBCGR 2.2.1.1.1 */
#define RDP_PROTOCOL_RDP 0x00000000u       /* standard RDP security */
#define RDP_PROTOCOL_SSL 0x00000001u       /* TLS */
#define RDP_PROTOCOL_HYBRID 0x00000002u    /* CredSSP: NLA */
#define RDP_PROTOCOL_RDSTLS 0x00000004u
#define RDP_PROTOCOL_HYBRID_EX 0x00000008u /* CredSSP with Early User Authorization Result */
#define RDP_PROTOCOL_RDSAAD 0x00000010u

enum rdp_result {
	RDP_NOT_RDP,              /* no TPKT with an X.224 CR or CC */
	RDP_OK,
	RDP_TRUNCATED,            /* the message goes on past the segment */
	RDP_MALFORMED,            /* a length that does not fit */
};

struct rdp_hints {
	bool confirm;             /* the server's Connection Confirm (else the client's Request) */
	bool negotiated;          /* an RDP_NEG_REQ / RSP was there */
	bool failure;             /* RDP_NEG_FAILURE */
	uint32_t protocols;       /* requested (Request) or selected (Confirm); failureCode on failure */
};

enum rdp_result rdp_hints_parse(const uint8_t *p, size_t len, struct rdp_hints *h);

/* The server chose Network Level Authentication (CredSSP). */
static inline bool rdp_nla(uint32_t selected)
{
	return (selected & (RDP_PROTOCOL_HYBRID | RDP_PROTOCOL_HYBRID_EX)) != 0;
}

/* "rdp", "tls", "hybrid", "rdstls", "hybrid-ex", "rdsaad": the name of one
 * protocol bit (or of 0); NULL for another value. */
const char *rdp_protocol_name(uint32_t bit);

#endif
