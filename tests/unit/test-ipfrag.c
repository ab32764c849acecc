/* SPDX-License-Identifier: BSD-2-Clause */
/* IP fragment reassembly: orders, overlaps, bounds, IPv6 header rebuild. */
#include "pktbuild.h"
#include "sensor/capture/decode.h"
#include "sensor/capture/ipfrag.h"
#include "test.h"

static uint8_t payload[3000];

/* Raw IPv4 fragment [off, off+len) of a UDP datagram carrying `payload`. */
static size_t frag4(uint8_t *out, uint16_t id, uint32_t off, uint32_t len, bool more)
{
	static uint8_t udp[3008];
	pb_udp(udp, 1111, 2222, payload, sizeof(payload));
	uint16_t frag = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
	return pb_ipv4(out, "10.0.0.1", "10.0.0.2", 17, udp + off, len, id, frag);
}

static const uint8_t *feed(struct ipfrag *fr, const uint8_t *ip, size_t n, int64_t t, uint32_t *len,
			   uint64_t *fb, enum decode_status *st)
{
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.data = ip;
	p.caplen = p.wirelen = (uint32_t)n;
	p.ts_sec = t;
	*st = decode_ip(&p, ip, (uint32_t)n);
	if (*st != DEC_FRAGMENT)
		return NULL;
	return ipfrag_add(fr, &p, len, fb);
}

static void check_whole(const uint8_t *d, uint32_t len)
{
	CHECK_EQ(len, 20 + 8 + sizeof(payload));
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.caplen = p.wirelen = len;
	CHECK_EQ(decode_ip(&p, d, len), DEC_OK);
	CHECK_EQ(p.sport, 1111);
	CHECK_EQ(p.dport, 2222);
	CHECK_EQ(p.payload_caplen, sizeof(payload));
	CHECK_MEM(p.payload, payload, sizeof(payload));
}

static void test_orders(void)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	struct ipfrag_config c = { 16, 30 };
	/* three fragments of the 3008-byte UDP datagram: 0..1480, 1480..2960, 2960..3008 */
	const uint32_t offs[3] = { 0, 1480, 2960 }, lens[3] = { 1480, 1480, 48 };
	const int orders[4][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 2, 0 }, { 2, 0, 1 } };
	for (int o = 0; o < 4; o++) {
		struct ipfrag *fr = ipfrag_create(&c);
		uint8_t buf[1600];
		const uint8_t *done = NULL;
		uint32_t len = 0;
		uint64_t fb = 0;
		for (int k = 0; k < 3; k++) {
			int i = orders[o][k];
			size_t n = frag4(buf, (uint16_t)(100 + o), offs[i], lens[i], i < 2);
			enum decode_status st;
			done = feed(fr, buf, n, 1, &len, &fb, &st);
			CHECK_EQ(st, DEC_FRAGMENT);
			if (k < 2)
				CHECK(done == NULL);
		}
		CHECK(done != NULL);
		if (done)
			check_whole(done, len);
		CHECK_EQ(fb, 3 * 20 + 3008);
		CHECK_EQ(ipfrag_stats(fr)->reassembled, 1);
		CHECK_EQ(ipfrag_stats(fr)->in_progress, 0);
		ipfrag_destroy(fr);
	}
}

static void test_overlap_first_wins(void)
{
	struct ipfrag_config c = { 16, 30 };
	struct ipfrag *fr = ipfrag_create(&c);
	uint8_t buf[1600];
	uint32_t len;
	uint64_t fb;
	enum decode_status st;
	size_t n = frag4(buf, 7, 0, 1480, true);
	feed(fr, buf, n, 1, &len, &fb, &st);
	/* an overlapping fragment with different bytes at 1472..1480 */
	uint8_t saved = payload[1472 - 8];
	payload[1472 - 8] ^= 0xff;
	n = frag4(buf, 7, 1472, 1488, true);
	CHECK(feed(fr, buf, n, 1, &len, &fb, &st) == NULL);
	payload[1472 - 8] = saved;
	n = frag4(buf, 7, 2960, 48, false);
	const uint8_t *d = feed(fr, buf, n, 1, &len, &fb, &st);
	CHECK(d != NULL);
	if (d)
		check_whole(d, len); /* the first copy of 1472..1480 stands */
	CHECK_EQ(ipfrag_stats(fr)->overlaps, 1);
	CHECK_EQ(ipfrag_stats(fr)->overlap_diff, 1);
	ipfrag_destroy(fr);
}

static void test_bounds(void)
{
	struct ipfrag_config c = { 2, 30 };
	struct ipfrag *fr = ipfrag_create(&c);
	uint8_t buf[1600];
	uint32_t len;
	uint64_t fb;
	enum decode_status st;
	/* three datagrams in progress with room for two: the oldest goes */
	for (int i = 0; i < 3; i++) {
		size_t n = frag4(buf, (uint16_t)(200 + i), 0, 1480, true);
		feed(fr, buf, n, 10 + i, &len, &fb, &st);
	}
	CHECK_EQ(ipfrag_stats(fr)->evicted, 1);
	CHECK_EQ(ipfrag_stats(fr)->in_progress, 2);
	/* timeout */
	ipfrag_expire(fr, 41);
	CHECK_EQ(ipfrag_stats(fr)->timeouts, 0); /* 30 s exactly: not yet */
	ipfrag_expire(fr, 42);
	CHECK_EQ(ipfrag_stats(fr)->timeouts, 1);
	ipfrag_expire(fr, 43);
	CHECK_EQ(ipfrag_stats(fr)->timeouts, 2);
	CHECK_EQ(ipfrag_stats(fr)->in_progress, 0);
	/* non-final fragment whose length is not a multiple of 8 */
	size_t n = frag4(buf, 300, 0, 1001, true);
	CHECK(feed(fr, buf, n, 50, &len, &fb, &st) == NULL);
	CHECK_EQ(ipfrag_stats(fr)->invalid, 1);
	/* past 64 KiB */
	uint8_t big[64];
	memset(big, 0, sizeof(big));
	n = pb_ipv4(buf, "10.0.0.1", "10.0.0.2", 17, big, 16, 301, 8190);
	CHECK(feed(fr, buf, n, 50, &len, &fb, &st) == NULL);
	CHECK_EQ(ipfrag_stats(fr)->invalid, 2);
	/* cut by snaplen: cannot be reassembled */
	n = frag4(buf, 302, 0, 1480, true);
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.caplen = 100;
	p.wirelen = (uint32_t)n;
	CHECK_EQ(decode_ip(&p, buf, 100), DEC_FRAGMENT);
	CHECK(ipfrag_add(fr, &p, &len, &fb) == NULL);
	CHECK_EQ(ipfrag_stats(fr)->invalid, 3);
	ipfrag_destroy(fr);
}

static void test_ipv6(void)
{
	struct ipfrag_config c = { 4, 30 };
	struct ipfrag *fr = ipfrag_create(&c);
	uint8_t udp[3008], rest[1600], ip[1700];
	pb_udp(udp, 1111, 2222, payload, sizeof(payload));
	const uint8_t *d = NULL;
	uint32_t len = 0;
	uint64_t fb;
	/* destination options header before the fragment header: it must stay,
	 * and name UDP afterwards */
	const uint32_t offs[3] = { 0, 1448, 2896 }, lens[3] = { 1448, 1448, 112 };
	for (int k = 2; k >= 0; k--) {
		size_t o = 0;
		rest[o] = 44; rest[o + 1] = 0; memset(rest + o + 2, 0, 6); o += 8; /* DST -> FRAG */
		rest[o] = 17; rest[o + 1] = 0;
		put16(rest + o + 2, (uint16_t)(offs[k] | (k < 2 ? 1 : 0)));
		put32(rest + o + 4, 0x11223344);
		o += 8;
		memcpy(rest + o, udp + offs[k], lens[k]);
		size_t n = pb_ipv6(ip, "2001:db8::1", "2001:db8::2", 60, rest, o + lens[k]);
		enum decode_status st;
		d = feed(fr, ip, n, 1, &len, &fb, &st);
		CHECK_EQ(st, DEC_FRAGMENT);
	}
	CHECK(d != NULL);
	if (d) {
		CHECK_EQ(len, 40 + 8 + 3008);
		struct packet p;
		memset(&p, 0, sizeof(p));
		p.caplen = p.wirelen = len;
		CHECK_EQ(decode_ip(&p, d, len), DEC_OK);
		CHECK_EQ(p.proto, 17);
		CHECK_EQ(p.dport, 2222);
		CHECK_EQ(p.payload_caplen, sizeof(payload));
		CHECK_MEM(p.payload, payload, sizeof(payload));
	}
	ipfrag_destroy(fr);
}

int main(void)
{
	RUN(test_orders);
	RUN(test_overlap_first_wins);
	RUN(test_bounds);
	RUN(test_ipv6);
	return test_done();
}
