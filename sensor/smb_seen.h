/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SMB software hints of a connection (dissectors/smb.h): read from the
 * first segments of each direction of a TCP connection to port 445 or 139
 * (NetBIOS session service, RFC 1002), kept with the flow for its record
 * and for its server's exposure (issue 19, SEMI E187: the dialects a host
 * offers and what its software calls itself). Allocated only for a flow
 * that gave a hint.
 */
#ifndef FABMON_SMB_SEEN_H
#define FABMON_SMB_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "dissectors/smb.h"
#include "sensor/flow/flow.h"

/* Packets looked at in each direction (handshake and ACKs count): the
 * negotiate and session-setup exchanges come first. */
#define SMB_SEEN_SEGMENTS 12

struct flow_smb {
	uint8_t versions;             /* bit 0: SMB1 seen, bit 1: SMB2/3 */
	bool encrypted;               /* SMB3 transform headers */
	uint16_t dialect;             /* the SMB2 dialect the server chose; 0 none */
	/* [0] the client's (requests), [1] the server's (responses); "" none */
	char native_os[2][SMB_HINT_LEN];
	char native_lanman[2][SMB_HINT_LEN];
};

void smb_seen_read(struct flow *f, const uint8_t *payload, uint32_t caplen);

/* A TCP segment's payload of f in direction dir (its pkts[dir]-th packet):
 * inline, since every TCP packet passes here and nearly all go no further. */
static inline void smb_seen_segment(struct flow *f, int dir, const uint8_t *payload,
				    uint32_t caplen)
{
	if (f->pkts[dir] <= SMB_SEEN_SEGMENTS && caplen)
		smb_seen_read(f, payload, caplen);
}

/* At the flow's end, after its record. */
void smb_seen_free(struct flow *f);

#endif
