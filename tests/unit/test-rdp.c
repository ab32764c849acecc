/* SPDX-License-Identifier: BSD-2-Clause */
/* RDP security negotiation: a client's Connection Request with a cookie
 * and RDP_NEG_REQ, a server's Confirm with RDP_NEG_RSP (NLA or not), an
 * RDP_NEG_FAILURE, an old server's bare Confirm; every prefix in an
 * exact-size heap buffer; lengths that do not fit; other protocols. */
#include <stdlib.h>

#include "dissectors/rdp.h"
#include "test.h"

struct msg {
	uint8_t b[256];
	size_t n;
};

/* TPKT + X.224 (code) + extra bytes, lengths filled in. */
static struct msg x224(uint8_t code, const void *extra, size_t n)
{
	struct msg m = { .n = 0 };
	m.b[0] = 3;
	m.b[1] = 0;
	m.b[4] = (uint8_t)(6 + n);
	m.b[5] = code;
	memset(m.b + 6, 0, 5);      /* DST-REF, SRC-REF, class 0 */
	memcpy(m.b + 11, extra, n);
	m.n = 11 + n;
	m.b[2] = (uint8_t)(m.n >> 8);
	m.b[3] = (uint8_t)m.n;
	return m;
}

static enum rdp_result parse_exact(const struct msg *m, size_t len, struct rdp_hints *h)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, m->b, len);
	enum rdp_result r = rdp_hints_parse(copy, len, h);
	free(copy);
	return r;
}

static const uint8_t neg_req_tls_hybrid[] = { 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00 };

static void test_request(void)
{
	uint8_t extra[64];
	static const char cookie[] = "Cookie: mstshash=operator\r\n";
	memcpy(extra, cookie, sizeof(cookie) - 1);
	memcpy(extra + sizeof(cookie) - 1, neg_req_tls_hybrid, 8);
	struct msg m = x224(0xE0, extra, sizeof(cookie) - 1 + 8);
	struct rdp_hints h;
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(!h.confirm);
	CHECK(h.negotiated);
	CHECK_EQ(h.protocols, RDP_PROTOCOL_SSL | RDP_PROTOCOL_HYBRID);
	for (size_t len = 0; len < m.n; len++) {
		enum rdp_result r = parse_exact(&m, len, &h);
		CHECK_EQ(r, len == 0 ? RDP_NOT_RDP : RDP_TRUNCATED);
	}
	/* a cookie and no negotiation (an old client) */
	m = x224(0xE0, cookie, sizeof(cookie) - 1);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(!h.negotiated);
}

static void test_confirm(void)
{
	struct rdp_hints h;
	static const uint8_t rsp_hybrid[] = { 0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00 };
	struct msg m = x224(0xD0, rsp_hybrid, 8);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(h.confirm && h.negotiated && !h.failure);
	CHECK_EQ(h.protocols, RDP_PROTOCOL_HYBRID);
	CHECK(rdp_nla(h.protocols));
	static const uint8_t rsp_tls[] = { 0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00 };
	m = x224(0xD0, rsp_tls, 8);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(!rdp_nla(h.protocols));
	CHECK_STR(rdp_protocol_name(h.protocols), "tls");
	static const uint8_t failure[] = { 0x03, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00 };
	m = x224(0xD0, failure, 8);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(h.failure);
	CHECK_EQ(h.protocols, 5); /* HYBRID_REQUIRED_BY_SERVER */
	/* an old server: a bare Confirm, standard RDP security */
	m = x224(0xD0, "", 0);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_OK);
	CHECK(h.confirm && !h.negotiated);
	CHECK_STR(rdp_protocol_name(0), "rdp");
	CHECK(rdp_protocol_name(3) == NULL);
}

static void test_malformed_and_other(void)
{
	struct rdp_hints h;
	static const uint8_t rsp[] = { 0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00 };
	struct msg m = x224(0xD0, rsp, 8);
	m.b[3] += 4;                /* TPKT longer than the TPDU */
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_MALFORMED);
	m = x224(0xD0, rsp, 8);
	m.b[11 + 2] = 9;            /* a negotiation length other than 8 */
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_MALFORMED);
	m = x224(0xD0, neg_req_tls_hybrid, 8); /* a request's structure in a Confirm */
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_MALFORMED);
	m = x224(0xD0, rsp, 8);
	m.b[4] = 1;                 /* LI shorter than the fixed part */
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_MALFORMED);
	/* TPKT with another X.224 code (data), TLS, HTTP */
	m = x224(0xF0, rsp, 8);
	CHECK_EQ(parse_exact(&m, m.n, &h), RDP_NOT_RDP);
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x2e, 0x01 };
	CHECK_EQ(rdp_hints_parse(tls, sizeof(tls), &h), RDP_NOT_RDP);
	CHECK_EQ(rdp_hints_parse((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &h), RDP_NOT_RDP);
}

int main(void)
{
	RUN(test_request);
	RUN(test_confirm);
	RUN(test_malformed_and_other);
	return test_done();
}
