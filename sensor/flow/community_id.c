/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/flow/community_id.h"

#include <nettle/sha1.h>
#include <stdbool.h>
#include <string.h>

/* ICMPv4 types with a counterpart (spec: "ICMP and ICMPv6"), mapped to the
 * type that plays the "port" of the other side. */
static bool icmp4_peer(uint8_t t, uint8_t *peer)
{
	switch (t) {
	case 8: *peer = 0; return true;    /* echo -> echo reply */
	case 0: *peer = 8; return true;
	case 13: *peer = 14; return true;  /* timestamp */
	case 14: *peer = 13; return true;
	case 15: *peer = 16; return true;  /* info */
	case 16: *peer = 15; return true;
	case 10: *peer = 9; return true;   /* router solicitation / advertisement */
	case 9: *peer = 10; return true;
	case 17: *peer = 18; return true;  /* address mask */
	case 18: *peer = 17; return true;
	default: return false;
	}
}

static bool icmp6_peer(uint8_t t, uint8_t *peer)
{
	switch (t) {
	case 128: *peer = 129; return true; /* echo */
	case 129: *peer = 128; return true;
	case 133: *peer = 134; return true; /* router sol / adv */
	case 134: *peer = 133; return true;
	case 135: *peer = 136; return true; /* neighbor sol / adv */
	case 136: *peer = 135; return true;
	case 130: *peer = 131; return true; /* MLD query / report */
	case 131: *peer = 130; return true;
	case 144: *peer = 145; return true; /* home agent address discovery */
	case 145: *peer = 144; return true;
	default: return false;
	}
}

static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
}

void community_id_v1(uint16_t seed, const struct ip_addr *src, const struct ip_addr *dst,
		     uint8_t proto, uint16_t sport, uint16_t dport, char out[COMMUNITY_ID_LEN])
{
	bool one_way = false;
	if (proto == 1 || proto == 58) {
		uint8_t peer;
		bool two_way = proto == 1 ? icmp4_peer((uint8_t)sport, &peer)
					  : icmp6_peer((uint8_t)sport, &peer);
		if (two_way)
			dport = peer;
		else
			one_way = true;
	}
	size_t alen = ip_addr_len(src);
	int c = memcmp(src->a, dst->a, alen);
	/* order the endpoints: smaller address first, ports break ties;
	 * one-way ICMP keeps its orientation */
	bool swap = !one_way && (c > 0 || (c == 0 && sport > dport));
	const struct ip_addr *a = swap ? dst : src, *b = swap ? src : dst;
	uint16_t pa = swap ? dport : sport, pb = swap ? sport : dport;

	uint8_t buf[2 + 16 + 16 + 1 + 1 + 2 + 2];
	size_t n = 0;
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a->a, alen);
	n += alen;
	memcpy(buf + n, b->a, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	bool has_ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;
	if (has_ports) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	struct sha1_ctx ctx;
	uint8_t digest[20];
	sha1_init(&ctx);
	sha1_update(&ctx, n, buf);
	sha1_digest(&ctx, sizeof(digest), digest);
	out[0] = '1';
	out[1] = ':';
	base64(digest, sizeof(digest), out + 2);
}
