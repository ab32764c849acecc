/* SPDX-License-Identifier: BSD-2-Clause */
/* Builders for crafted frames in unit tests (network byte order by hand). */
#ifndef FABMON_PKTBUILD_H
#define FABMON_PKTBUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* TCP header (20 bytes, no options) + payload at b. */
static inline size_t pb_tcp(uint8_t *b, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack,
			    uint8_t flags, const void *pl, size_t n)
{
	memset(b, 0, 20);
	put16(b, sp); put16(b + 2, dp); put32(b + 4, seq); put32(b + 8, ack);
	b[12] = 5 << 4; b[13] = flags; put16(b + 14, 65535);
	if (n) memcpy(b + 20, pl, n);
	return 20 + n;
}

static inline size_t pb_udp(uint8_t *b, uint16_t sp, uint16_t dp, const void *pl, size_t n)
{
	put16(b, sp); put16(b + 2, dp); put16(b + 4, (uint16_t)(8 + n)); put16(b + 6, 0);
	if (n) memcpy(b + 8, pl, n);
	return 8 + n;
}

/* IPv4 header + l4 bytes (already built) at b. */
static inline size_t pb_ipv4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
			     const uint8_t *l4, size_t l4len, uint16_t id, uint16_t frag)
{
	memset(b, 0, 20);
	b[0] = 0x45; put16(b + 2, (uint16_t)(20 + l4len)); put16(b + 4, id); put16(b + 6, frag);
	b[8] = 64; b[9] = proto;
	inet_pton(AF_INET, src, b + 12); inet_pton(AF_INET, dst, b + 16);
	memmove(b + 20, l4, l4len);
	return 20 + l4len;
}

static inline size_t pb_ipv6(uint8_t *b, const char *src, const char *dst, uint8_t nh,
			     const uint8_t *rest, size_t restlen)
{
	memset(b, 0, 40);
	b[0] = 0x60; put16(b + 4, (uint16_t)restlen); b[6] = nh; b[7] = 64;
	inet_pton(AF_INET6, src, b + 8); inet_pton(AF_INET6, dst, b + 24);
	memmove(b + 40, rest, restlen);
	return 40 + restlen;
}

/* Ethernet header (+ 802.1Q tags from tpids/vids, n tags) in front of l3. */
static inline size_t pb_eth(uint8_t *b, uint16_t type, const uint16_t *tpid, const uint16_t *vid,
			    int ntags, const uint8_t *l3, size_t l3len)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 2 }, src[6] = { 0x02, 0, 0, 0, 0, 1 };
	size_t o = 0;
	memcpy(b, dst, 6); memcpy(b + 6, src, 6); o = 12;
	for (int i = 0; i < ntags; i++) {
		put16(b + o, tpid[i]); put16(b + o + 2, vid[i]); o += 4;
	}
	put16(b + o, type); o += 2;
	memmove(b + o, l3, l3len);
	return o + l3len;
}

/* Convenience: Ethernet/IPv4/TCP frame. */
static inline size_t pb_eth_ipv4_tcp(uint8_t *out, const char *src, const char *dst, uint16_t sp,
				     uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
				     const void *pl, size_t n)
{
	uint8_t l4[2048], l3[2100];
	size_t l4len = pb_tcp(l4, sp, dp, seq, ack, flags, pl, n);
	size_t l3len = pb_ipv4(l3, src, dst, 6, l4, l4len, 1, 0);
	return pb_eth(out, 0x0800, NULL, NULL, 0, l3, l3len);
}

#endif
