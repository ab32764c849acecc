/* SPDX-License-Identifier: BSD-2-Clause */
/* Decoder: every link type, VLAN/QinQ/MPLS, IPv4/IPv6 (+ext), TCP/UDP/ICMP,
 * and for each crafted frame every truncation point. */
#include <arpa/inet.h>
#include <pcap/dlt.h>

#include "pktbuild.h"
#include "sensor/capture/decode.h"
#include "test.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static enum decode_status dec(struct packet *p, const uint8_t *f, size_t caplen, size_t wirelen, int dlt)
{
	memset(p, 0, sizeof(*p));
	p->data = f;
	p->caplen = (uint32_t)caplen;
	p->wirelen = (uint32_t)wirelen;
	return decode_packet(p, dlt);
}

static void test_eth_ipv4_tcp(void)
{
	uint8_t f[256];
	size_t n = pb_eth_ipv4_tcp(f, "10.20.1.10", "10.30.1.21", 40001, 5000, 1000, 2000, 0x18, "hello", 5);
	struct packet p;
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.ip_version, 4);
	CHECK_EQ(p.proto, 6);
	CHECK_EQ(p.sport, 40001);
	CHECK_EQ(p.dport, 5000);
	CHECK_EQ(p.tcp_seq, 1000);
	CHECK_EQ(p.tcp_ack, 2000);
	CHECK_EQ(p.tcp_flags, 0x18);
	CHECK_EQ(p.payload_caplen, 5);
	CHECK_EQ(p.payload_wirelen, 5);
	CHECK_MEM(p.payload, "hello", 5);
	char ip[IP_ADDR_STRLEN];
	CHECK_STR(ip_addr_str(&p.src, ip, sizeof(ip)), "10.20.1.10");
	CHECK_STR(ip_addr_str(&p.dst, ip, sizeof(ip)), "10.30.1.21");
	CHECK(p.mac_src != NULL && p.mac_src[5] == 1);
	CHECK_EQ(p.flags & DEC_F_TRUNCATED, 0);
}

/* Cut a good frame at every length: truncated (snaplen) vs invalid (wire). */
static void test_every_truncation(void)
{
	uint8_t f[256];
	size_t n = pb_eth_ipv4_tcp(f, "10.0.0.1", "10.0.0.2", 1, 2, 0, 0, 0x02, "abcdefgh", 8);
	size_t hdrs = 14 + 20 + 20;
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan catches over-reads */
		memcpy(copy, f, cut);
		struct packet p;
		enum decode_status s = dec(&p, copy, cut, n, DLT_EN10MB);
		if (cut < hdrs) {
			CHECK_EQ(s, DEC_TRUNCATED);
		} else {
			CHECK_EQ(s, DEC_OK);
			CHECK(p.flags & DEC_F_TRUNCATED);
			CHECK_EQ(p.payload_caplen, cut - hdrs);
			CHECK_EQ(p.payload_wirelen, 8);
		}
		/* the same bytes as a complete frame: headers claim bytes that are
		 * not on the wire */
		s = dec(&p, copy, cut, cut, DLT_EN10MB);
		CHECK_EQ(s, DEC_INVALID);
		free(copy);
	}
}

static void test_eth_padding_trimmed(void)
{
	uint8_t f[128];
	uint8_t l4[64], l3[128];
	size_t l4len = pb_udp(l4, 5353, 53, "x", 1);
	size_t l3len = pb_ipv4(l3, "1.1.1.1", "2.2.2.2", 17, l4, l4len, 7, 0);
	size_t n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	memset(f + n, 0xee, 60 - n); /* minimum Ethernet frame: padded */
	struct packet p;
	CHECK_EQ(dec(&p, f, 60, 60, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.payload_caplen, 1);
	CHECK(p.flags & DEC_F_ETH_PADDED);
	CHECK_EQ(p.l3_caplen, 29);
}

static void test_vlans(void)
{
	uint8_t f[256], l4[64], l3[128];
	size_t l4len = pb_tcp(l4, 1, 2, 0, 0, 2, NULL, 0);
	size_t l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 6, l4, l4len, 1, 0);
	struct packet p;
	uint16_t tp1[] = { 0x8100 }, v1[] = { 0x2000 | 30 }; /* PCP bits must be masked off */
	size_t n = pb_eth(f, 0x0800, tp1, v1, 1, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.vlan_count, 1);
	CHECK_EQ(p.vlan[0], 30);

	uint16_t tp2[] = { 0x88a8, 0x8100 }, v2[] = { 100, 200 };
	n = pb_eth(f, 0x0800, tp2, v2, 2, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.vlan_count, 2);
	CHECK_EQ(p.vlan[0], 100);
	CHECK_EQ(p.vlan[1], 200);

	uint16_t tp3[] = { 0x9100, 0x8100, 0x8100 }, v3[] = { 1, 2, 3 };
	n = pb_eth(f, 0x0800, tp3, v3, 3, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.vlan_count, 2);
	CHECK(p.flags & DEC_F_VLAN_EXTRA);

	uint16_t tp9[9], v9[9];
	for (int i = 0; i < 9; i++) { tp9[i] = 0x8100; v9[i] = (uint16_t)i; }
	n = pb_eth(f, 0x0800, tp9, v9, 9, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_VLAN_TOO_DEEP);

	/* a tag with nothing after it */
	n = pb_eth(f, 0x8100, NULL, NULL, 0, (const uint8_t *)"", 0);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_VLAN_SHORT);
}

static void test_mpls(void)
{
	uint8_t f[256], l4[64], l3[128], m[200];
	size_t l4len = pb_udp(l4, 1, 2, "a", 1);
	size_t l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 17, l4, l4len, 1, 0);
	put32(m, 0x00010000);         /* label 16, not bottom */
	put32(m + 4, 0x00011100 | 64); /* label 17, bottom of stack */
	memcpy(m + 8, l3, l3len);
	size_t n = pb_eth(f, 0x8847, NULL, NULL, 0, m, 8 + l3len);
	struct packet p;
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.mpls_labels, 2);
	CHECK_EQ(p.proto, 17);
}

static void test_not_ip(void)
{
	uint8_t f[64] = { 0 };
	put16(f + 12, 0x0806); /* ARP */
	struct packet p;
	CHECK_EQ(dec(&p, f, 42, 42, DLT_EN10MB), DEC_NOT_IP);
	put16(f + 12, 0x88cc); /* LLDP */
	CHECK_EQ(dec(&p, f, 60, 60, DLT_EN10MB), DEC_NOT_IP);
	put16(f + 12, 0x0030); /* 802.3 length field */
	CHECK_EQ(dec(&p, f, 60, 60, DLT_EN10MB), DEC_NOT_IP);
	CHECK_EQ(dec(&p, f, 60, 60, 9999), DEC_UNSUPPORTED_LINK);
	CHECK_EQ(dec(&p, f, 10, 10, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(dec(&p, f, 10, 60, DLT_EN10MB), DEC_TRUNCATED);
}

static void test_ipv4_invalid(void)
{
	uint8_t l4[64], l3[128], f[256];
	size_t l4len = pb_tcp(l4, 1, 2, 0, 0, 2, NULL, 0);
	size_t l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 6, l4, l4len, 1, 0);
	struct packet p;
	size_t n;

	l3[0] = 0x43; /* IHL 3 */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_IPV4_IHL);

	l3[0] = 0x45;
	put16(l3 + 2, 200); /* longer than the frame */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_IPV4_TOTLEN);
	put16(l3 + 2, 12); /* shorter than its header */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);

	put16(l3 + 2, (uint16_t)l3len);
	l3[0] = 0x65; /* version 6 under ethertype IPv4 */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_IP_VERSION);

	l3[0] = 0x45;
	l3[20 + 12] = 2 << 4; /* TCP data offset 2 */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_TCP_DOFF);
	l3[20 + 12] = 15 << 4; /* 60 bytes: more than the segment */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);

	/* UDP length beyond the datagram */
	l4len = pb_udp(l4, 1, 2, "abc", 3);
	put16(l4 + 4, 100);
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 17, l4, l4len, 1, 0);
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_UDP_LEN);
	put16(l4 + 4, 9); /* shorter than the datagram: payload bounded by it */
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 17, l4, l4len, 1, 0);
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.payload_caplen, 1);
}

static void test_ipv4_fragment(void)
{
	uint8_t l3[128], f[256];
	uint8_t data[16] = { 0 };
	size_t l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 17, data, 16, 0x4242, 0x2000); /* MF */
	size_t n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	struct packet p;
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_FRAGMENT);
	CHECK_EQ(p.frag_id, 0x4242);
	CHECK_EQ(p.frag_offset, 0);
	CHECK(p.frag_more);
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 17, data, 16, 0x4242, 3); /* offset 24 */
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_FRAGMENT);
	CHECK_EQ(p.frag_offset, 24);
	CHECK(!p.frag_more);
}

static void test_ipv6_ext(void)
{
	uint8_t rest[256], l3[512], f[600], l4[64];
	size_t l4len = pb_tcp(l4, 443, 50000, 7, 0, 0x12, NULL, 0);
	/* hop-by-hop (8) -> dest opts (16) -> routing (8) -> AH (12) -> TCP */
	size_t o = 0;
	rest[o] = 60; rest[o + 1] = 0; memset(rest + o + 2, 0, 6); o += 8;         /* HBH -> DST */
	rest[o] = 43; rest[o + 1] = 1; memset(rest + o + 2, 0, 14); o += 16;       /* DST -> RH */
	rest[o] = 51; rest[o + 1] = 0; memset(rest + o + 2, 0, 6); o += 8;         /* RH -> AH */
	rest[o] = 6; rest[o + 1] = 1; memset(rest + o + 2, 0, 10); o += 12;        /* AH -> TCP */
	memcpy(rest + o, l4, l4len);
	size_t l3len = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 0, rest, o + l4len);
	size_t n = pb_eth(f, 0x86dd, NULL, NULL, 0, l3, l3len);
	struct packet p;
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.ip_version, 6);
	CHECK_EQ(p.proto, 6);
	CHECK_EQ(p.sport, 443);
	CHECK_EQ(p.tcp_flags, 0x12);
	char ip[IP_ADDR_STRLEN];
	CHECK_STR(ip_addr_str(&p.dst, ip, sizeof(ip)), "2001:db8::2");
	for (size_t cut = 14; cut < n; cut++) {
		uint8_t *copy = malloc(cut);
		memcpy(copy, f, cut);
		enum decode_status s = dec(&p, copy, cut, n, DLT_EN10MB);
		CHECK(s == DEC_TRUNCATED);
		free(copy);
	}

	/* nine destination-options headers in a row */
	o = 0;
	for (int i = 0; i < 9; i++) {
		rest[o] = i < 8 ? 60 : 59;
		rest[o + 1] = 0;
		memset(rest + o + 2, 0, 6);
		o += 8;
	}
	l3len = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 60, rest, o);
	n = pb_eth(f, 0x86dd, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_IPV6_EXT_DEPTH);

	/* fragment header */
	o = 0;
	rest[0] = 17; rest[1] = 0; put16(rest + 2, (uint16_t)(8 << 3) | 1); put32(rest + 4, 0xabcd);
	memset(rest + 8, 0, 16);
	l3len = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 44, rest, 24);
	n = pb_eth(f, 0x86dd, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_FRAGMENT);
	CHECK_EQ(p.frag_offset, 64);
	CHECK(p.frag_more);
	CHECK_EQ(p.frag_id, 0xabcd);
	CHECK_EQ(p.proto, 17);
	CHECK_EQ(p.v6_frag_ext_off, 40);
	CHECK_EQ(p.frag_hdr_off, 48);

	/* payload length beyond the frame */
	l3len = pb_ipv6(l3, "2001:db8::1", "2001:db8::2", 59, rest, 0);
	put16(l3 + 4, 100);
	n = pb_eth(f, 0x86dd, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_IPV6_PLEN);
}

static void test_icmp(void)
{
	uint8_t l4[64], l3[128], f[256];
	uint8_t icmp[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
	memcpy(l4, icmp, 8);
	size_t l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 1, l4, 8, 1, 0);
	size_t n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	struct packet p;
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.icmp_type, 8);
	CHECK_EQ(p.icmp_id, 0x1234);
	icmp[0] = 3; icmp[1] = 1; /* unreachable: no identifier */
	memcpy(l4, icmp, 8);
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 1, l4, 8, 1, 0);
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.icmp_type, 3);
	CHECK_EQ(p.icmp_code, 1);
	CHECK_EQ(p.icmp_id, 0);
	/* echo with only 5 bytes of ICMP */
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 1, (const uint8_t *)"\x08\x00\x00\x00\x01", 5, 1, 0);
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_INVALID);
	CHECK_EQ(p.error, DERR_ICMP_SHORT);
	/* GRE: addresses and protocol only */
	l3len = pb_ipv4(l3, "10.0.0.1", "10.0.0.2", 47, (const uint8_t *)"\0\0\x08\0", 4, 1, 0);
	n = pb_eth(f, 0x0800, NULL, NULL, 0, l3, l3len);
	CHECK_EQ(dec(&p, f, n, n, DLT_EN10MB), DEC_OK);
	CHECK_EQ(p.proto, 47);
	CHECK_EQ(p.payload_caplen, 4);
}

/* The same IPv4/TCP packet under every link type fabmon reads. */
static void test_link_types(void)
{
	uint8_t l4[64], l3[128], f[256];
	size_t l4len = pb_tcp(l4, 1000, 502, 1, 0, 2, NULL, 0);
	size_t l3len = pb_ipv4(l3, "192.168.0.1", "192.168.0.2", 6, l4, l4len, 1, 0);
	struct packet p;

	/* Linux cooked v1: 16 bytes, protocol last */
	memset(f, 0, 16);
	put16(f + 2, 1); put16(f + 4, 6); memcpy(f + 6, "\x02\0\0\0\0\x09", 6); put16(f + 14, 0x0800);
	memcpy(f + 16, l3, l3len);
	CHECK_EQ(dec(&p, f, 16 + l3len, 16 + l3len, DLT_LINUX_SLL), DEC_OK);
	CHECK_EQ(p.dport, 502);
	CHECK(p.mac_src && p.mac_src[5] == 9);

	/* Linux cooked v2: 20 bytes, protocol first */
	memset(f, 0, 20);
	put16(f, 0x0800); put16(f + 8, 1); f[11] = 6; memcpy(f + 12, "\x02\0\0\0\0\x07", 6);
	memcpy(f + 20, l3, l3len);
	CHECK_EQ(dec(&p, f, 20 + l3len, 20 + l3len, DLT_LINUX_SLL2), DEC_OK);
	CHECK_EQ(p.dport, 502);
	CHECK(p.mac_src && p.mac_src[5] == 7);

	/* raw IP, both DLT values */
	CHECK_EQ(dec(&p, l3, l3len, l3len, DLT_RAW), DEC_OK);
	CHECK_EQ(dec(&p, l3, l3len, l3len, DLT_IPV4), DEC_OK);
	CHECK_EQ(p.dport, 502);

	/* BSD loopback: host order (DLT_NULL, either endianness) and network order */
	uint8_t af_le[4] = { 2, 0, 0, 0 }, af_be[4] = { 0, 0, 0, 2 };
	memcpy(f, af_le, 4); memcpy(f + 4, l3, l3len);
	CHECK_EQ(dec(&p, f, 4 + l3len, 4 + l3len, DLT_NULL), DEC_OK);
	memcpy(f, af_be, 4);
	CHECK_EQ(dec(&p, f, 4 + l3len, 4 + l3len, DLT_NULL), DEC_OK);
	CHECK_EQ(dec(&p, f, 4 + l3len, 4 + l3len, DLT_LOOP), DEC_OK);
	memcpy(f, af_le, 4);
	CHECK_EQ(dec(&p, f, 4 + l3len, 4 + l3len, DLT_LOOP), DEC_NOT_IP); /* LOOP is big-endian */
	uint8_t af_unknown[4] = { 99, 0, 0, 0 };
	memcpy(f, af_unknown, 4);
	CHECK_EQ(dec(&p, f, 4 + l3len, 4 + l3len, DLT_NULL), DEC_NOT_IP);

	/* IPv6 over DLT_NULL with the BSD AF values */
	uint8_t r6[64], l36[128];
	size_t l4len6 = pb_udp(r6, 1, 2, "z", 1);
	size_t l3len6 = pb_ipv6(l36, "::1", "::1", 17, r6, l4len6);
	const uint32_t afs[] = { 24, 28, 30, 10 };
	for (int i = 0; i < 4; i++) {
		f[0] = (uint8_t)afs[i]; f[1] = f[2] = f[3] = 0;
		memcpy(f + 4, l36, l3len6);
		CHECK_EQ(dec(&p, f, 4 + l3len6, 4 + l3len6, DLT_NULL), DEC_OK);
		CHECK_EQ(p.ip_version, 6);
	}

	CHECK(decode_link_supported(DLT_EN10MB));
	CHECK(decode_link_supported(DLT_LINUX_SLL2));
	CHECK(!decode_link_supported(DLT_IEEE802_11));
}

/* ip_addr_str writes IPv4 itself: the same text as inet_ntop for every
 * octet value in every position, and for a short buffer what inet_ntop
 * gives (nothing). */
static void test_ipv4_text(void)
{
	struct ip_addr a = { .family = 4 };
	char got[64], want[64];
	int bad = 0;
	for (unsigned v = 0; v < 256; v++) {
		for (int pos = 0; pos < 4; pos++) {
			uint8_t oct[4] = { 10, 255, 0, 7 };
			oct[pos] = (uint8_t)v;
			memcpy(a.a, oct, 4);
			ip_addr_str(&a, got, sizeof(got));
			inet_ntop(AF_INET, oct, want, sizeof(want));
			bad += strcmp(got, want) != 0;
		}
	}
	CHECK_EQ(bad, 0);
	uint8_t max[4] = { 255, 255, 255, 255 };
	memcpy(a.a, max, 4);
	CHECK_STR(ip_addr_str(&a, got, 16), "255.255.255.255");
	CHECK_STR(ip_addr_str(&a, got, 15), ""); /* does not fit: as inet_ntop */
	CHECK_STR(ip_addr_str(&a, got, 1), "");
}

int main(void)
{
	RUN(test_ipv4_text);
	RUN(test_eth_ipv4_tcp);
	RUN(test_every_truncation);
	RUN(test_eth_padding_trimmed);
	RUN(test_vlans);
	RUN(test_mpls);
	RUN(test_not_ip);
	RUN(test_ipv4_invalid);
	RUN(test_ipv4_fragment);
	RUN(test_ipv6_ext);
	RUN(test_icmp);
	RUN(test_link_types);
	return test_done();
}
