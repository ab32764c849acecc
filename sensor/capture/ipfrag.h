/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5) fragment reassembly.
 *
 * A fixed number of datagrams can be in reassembly at once, each at most
 * 64 KiB; when the table is full the oldest is dropped and counted. Overlaps
 * are first-wins (RFC 5722 says drop the datagram for IPv6; a passive sensor
 * keeps what it saw first and counts the overlap, and whether the bytes
 * differ, since differing overlaps are an evasion technique).
 */
#ifndef FABMON_IPFRAG_H
#define FABMON_IPFRAG_H

#include <stdint.h>

#include "sensor/capture/decode.h"

struct ipfrag_config {
	uint32_t max_datagrams;  /* in reassembly at once */
	uint32_t timeout_sec;    /* since the first fragment */
};

struct ipfrag_stats {
	uint64_t fragments;      /* fragments offered */
	uint64_t reassembled;    /* datagrams completed */
	uint64_t timeouts;       /* datagrams never completed */
	uint64_t evicted;        /* dropped because the table was full */
	uint64_t overlaps;
	uint64_t overlap_diff;
	uint64_t invalid;        /* bad offset/length, too big, truncated fragment */
	uint32_t in_progress;
};

struct ipfrag;

struct ipfrag *ipfrag_create(const struct ipfrag_config *cfg);
void ipfrag_destroy(struct ipfrag *fr);

/*
 * Offer a packet that decoded as DEC_FRAGMENT. When it completes a datagram,
 * returns the whole IP datagram (header without fragmentation) and sets
 * *len and *frame_bytes (wire bytes of all its fragments); the buffer stays
 * valid until the next call. Otherwise returns NULL.
 */
const uint8_t *ipfrag_add(struct ipfrag *fr, const struct packet *p, uint32_t *len,
			  uint64_t *frame_bytes);

/* Drop datagrams whose first fragment is older than the timeout. */
void ipfrag_expire(struct ipfrag *fr, int64_t now_sec);

const struct ipfrag_stats *ipfrag_stats(const struct ipfrag *fr);

#endif
