/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Community ID v1 (https://github.com/corelight/community-id-spec): the flow
 * hash Zeek, Suricata, Malcolm and Wireshark print, so a fabmon alert can be
 * joined with their records of the same flow.
 */
#ifndef FABMON_COMMUNITY_ID_H
#define FABMON_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define COMMUNITY_ID_LEN 31  /* "1:" + 28 base64 chars + NUL */

/* For ICMP/ICMPv6 pass the type as sport and the code as dport; the spec's
 * type/code mapping (echo request <-> reply, ...) is applied here. */
void community_id_v1(uint16_t seed, const struct ip_addr *src, const struct ip_addr *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN]);

#endif
