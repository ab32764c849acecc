/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The RDP security negotiation of a connection (dissectors/rdp.h): read
 * from the first packets of each direction of a TCP connection to port
 * 3389, kept with the flow for its record and for its server's exposure
 * (issue 19, SEMI E187: RDP without Network Level Authentication).
 * Allocated only for a flow that negotiated.
 */
#ifndef FABMON_RDP_SEEN_H
#define FABMON_RDP_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "dissectors/rdp.h"
#include "sensor/flow/flow.h"

/* Packets looked at in each direction: the Connection Request and Confirm
 * come right after the handshake. */
#define RDP_SEEN_SEGMENTS 6

struct flow_rdp {
	bool requested_seen;          /* the client's Request was read */
	bool confirmed;               /* the server's Confirm was read */
	bool failure;
	uint32_t requested;           /* protocols the client asked for */
	uint32_t selected;            /* the one the server chose (failureCode on failure) */
};

void rdp_seen_read(struct flow *f, const uint8_t *payload, uint32_t caplen);

/* A TCP segment's payload of f in direction dir: inline, as for SMB. */
static inline void rdp_seen_segment(struct flow *f, int dir, const uint8_t *payload,
				    uint32_t caplen)
{
	if (f->pkts[dir] <= RDP_SEEN_SEGMENTS && caplen)
		rdp_seen_read(f, payload, caplen);
}

/* At the flow's end, after its record. */
void rdp_seen_free(struct flow *f);

#endif
