/* SPDX-License-Identifier: BSD-2-Clause */
/* Community ID v1 against the spec's published vectors and against nDPI's
 * independent implementation over many random tuples; SHA-1 against FIPS
 * 180 test vectors. */
#include <arpa/inet.h>
#include <nettle/sha1.h>
#include <ndpi/ndpi_api.h>

#include "sensor/flow/community_id.h"
#include "test.h"

static void cid4(const char *s, const char *d, uint8_t proto, uint16_t sp, uint16_t dp, uint16_t seed,
		 char out[COMMUNITY_ID_LEN])
{
	struct ip_addr a, b;
	CHECK(ip_addr_parse(s, &a));
	CHECK(ip_addr_parse(d, &b));
	community_id_v1(seed, &a, &b, proto, sp, dp, out);
}

static void test_spec_vectors(void)
{
	char out[COMMUNITY_ID_LEN];
	/* corelight/community-id-spec README examples */
	cid4("128.232.110.120", "66.35.250.204", 6, 34855, 80, 0, out);
	CHECK_STR(out, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	cid4("66.35.250.204", "128.232.110.120", 6, 80, 34855, 0, out); /* direction-free */
	CHECK_STR(out, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	cid4("192.168.0.89", "192.168.0.1", 1, 8, 0, 0, out);          /* ICMP echo request */
	CHECK_STR(out, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
	cid4("192.168.0.1", "192.168.0.89", 1, 0, 0, 0, out);          /* and its reply */
	CHECK_STR(out, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
}

static void test_against_ndpi(void)
{
	unsigned seed = 4242;
	for (int i = 0; i < 2000; i++) {
		uint32_t s = (uint32_t)rand_r(&seed) << 1 ^ (uint32_t)rand_r(&seed);
		uint32_t d = (uint32_t)rand_r(&seed) << 1 ^ (uint32_t)rand_r(&seed);
		if (d == s)
			continue; /* nDPI 4.2 orders equal addresses wrongly: see test_same_address */
		uint16_t sp = (uint16_t)rand_r(&seed), dp = (uint16_t)rand_r(&seed);
		uint8_t proto = (i % 3 == 0) ? 17 : 6;
		struct ip_addr a = { 4, { 0 } }, b = { 4, { 0 } };
		uint32_t sn = htonl(s), dn = htonl(d);
		memcpy(a.a, &sn, 4);
		memcpy(b.a, &dn, 4);
		char mine[COMMUNITY_ID_LEN];
		u_char theirs[64];
		community_id_v1(0, &a, &b, proto, sp, dp, mine);
		ndpi_flowv4_flow_hash(proto, s, d, sp, dp, 0, 0, theirs, sizeof(theirs));
		CHECK_STR(mine, (const char *)theirs);
	}
	for (int i = 0; i < 500; i++) {
		struct ip_addr a = { 6, { 0 } }, b = { 6, { 0 } };
		for (int k = 0; k < 16; k++) {
			a.a[k] = (uint8_t)rand_r(&seed);
			b.a[k] = (uint8_t)rand_r(&seed);
		}
		uint16_t sp = (uint16_t)rand_r(&seed), dp = (uint16_t)rand_r(&seed);
		char mine[COMMUNITY_ID_LEN];
		u_char theirs[64];
		community_id_v1(0, &a, &b, 6, sp, dp, mine);
		ndpi_flowv6_flow_hash(6, (struct ndpi_in6_addr *)a.a, (struct ndpi_in6_addr *)b.a, sp, dp,
				      0, 0, theirs, sizeof(theirs));
		CHECK_STR(mine, (const char *)theirs);
	}
}

/* Equal addresses: the ports decide the order. Values from Wireshark 4.0's
 * communityid dissector (tshark --enable-protocol communityid); nDPI 4.2's
 * ndpi_flowv4_flow_hash disagrees with both on these. */
static void test_same_address(void)
{
	char out[COMMUNITY_ID_LEN];
	cid4("10.100.243.183", "10.100.243.183", 6, 25648, 1636, 0, out);
	CHECK_STR(out, "1:Q4vrMe+ggW02vIwqSsTUa68cD2o=");
	cid4("10.100.243.183", "10.100.243.183", 6, 1636, 25648, 0, out);
	CHECK_STR(out, "1:Q4vrMe+ggW02vIwqSsTUa68cD2o=");
	cid4("21.66.176.121", "21.66.176.121", 17, 11684, 6910, 0, out);
	CHECK_STR(out, "1:vt22rmzV47SEMGUvMbJ60VrDin4=");
}

static void test_seed_changes_hash(void)
{
	char a[COMMUNITY_ID_LEN], b[COMMUNITY_ID_LEN];
	cid4("10.0.0.1", "10.0.0.2", 6, 1, 2, 0, a);
	cid4("10.0.0.1", "10.0.0.2", 6, 1, 2, 1, b);
	CHECK(strcmp(a, b) != 0);
	CHECK_EQ(strlen(a), 30);
}

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* FIPS 180-4 vectors through Nettle, the SHA-1 the Community ID is built on */
static void test_sha1(void)
{
	struct sha1_ctx c;
	uint8_t d[20];
	char h[41];
	sha1_init(&c);
	sha1_digest(&c, sizeof(d), d);
	hex(d, h);
	CHECK_STR(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_init(&c);
	sha1_update(&c, 3, (const uint8_t *)"abc");
	sha1_digest(&c, sizeof(d), d);
	hex(d, h);
	CHECK_STR(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha1_init(&c);
	sha1_update(&c, strlen(m), (const uint8_t *)m);
	sha1_digest(&c, sizeof(d), d);
	hex(d, h);
	CHECK_STR(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	char block[1000];
	memset(block, 'a', sizeof(block));
	sha1_init(&c);
	for (int i = 0; i < 1000; i++)
		sha1_update(&c, sizeof(block), (const uint8_t *)block);
	sha1_digest(&c, sizeof(d), d);
	hex(d, h);
	CHECK_STR(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

int main(void)
{
	RUN(test_spec_vectors);
	RUN(test_against_ndpi);
	RUN(test_same_address);
	RUN(test_seed_changes_hash);
	RUN(test_sha1);
	return test_done();
}
