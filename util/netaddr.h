/* SPDX-License-Identifier: BSD-2-Clause */
/* IP addresses as every layer of fabmon sees them (decode, flows, dissector
 * events, zone lookup, rules). IPv4 sits in a[0..3] with the rest zero. */
#ifndef FABMON_NETADDR_H
#define FABMON_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP_ADDR_STRLEN 46   /* INET6_ADDRSTRLEN */

struct ip_addr {
	uint8_t family;     /* 4 or 6, 0 = unset */
	uint8_t a[16];
};

/* "10.0.0.1" / "fe80::1"; buf must hold IP_ADDR_STRLEN bytes */
const char *ip_addr_str(const struct ip_addr *a, char *buf, size_t len);

/* Parse a dotted quad or an IPv6 literal. */
bool ip_addr_parse(const char *s, struct ip_addr *out);

/* memcmp-like total order: family, then bytes */
int ip_addr_cmp(const struct ip_addr *x, const struct ip_addr *y);

static inline size_t ip_addr_len(const struct ip_addr *a)
{
	return a->family == 6 ? 16 : 4;
}

#endif
