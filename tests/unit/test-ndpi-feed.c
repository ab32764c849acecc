/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nDPI fed a flow with its handshake held back (sensor/ndpi_feed.c): the
 * result must be the one nDPI gives when it is fed every packet as it
 * comes (a second classifier, fed directly, is the reference), and a
 * handshake without payload must hold no nDPI state.
 */
#include <pcap/dlt.h>

#include "pktbuild.h"
#include "sensor/ndpi_feed.h"
#include "test.h"


static struct ndpi_classifier *classifier(void)
{
	struct ndpi_classifier_config cfg = {
		.pool_size = 8, .max_tcp_packets = 10, .max_udp_packets = 4, .guess = true,
	};
	char err[256];
	struct ndpi_classifier *c = ndpi_classifier_create(&cfg, err, sizeof(err));
	if (!c)
		fprintf(stderr, "%s\n", err);
	return c;
}

/* One packet of a scenario: from the client or the server, TCP flags,
 * sequence and acknowledgement numbers, payload. */
struct step {
	bool from_server;
	uint8_t flags;
	uint32_t seq, ack;
	const char *payload;
	bool pool_empty_after; /* no nDPI state held after this packet */
	size_t len;            /* of the payload; 0: strlen */
};

struct side {
	struct ndpi_classifier *c;
	struct ndpi_flow_struct *nf;
	struct ndpi_summary res;
	bool done;
	uint64_t pkts;
};

static size_t frame(uint8_t *b, bool v6, bool from_server, uint16_t sport, uint16_t dport,
		    const struct step *s)
{
	uint8_t l4[1600];
	size_t n = s->len ? s->len : s->payload ? strlen(s->payload) : 0;
	size_t l4len = pb_tcp(l4, from_server ? dport : sport, from_server ? sport : dport, s->seq,
			      s->ack, s->flags, s->payload, n);
	const char *c = v6 ? "2001:db8::10" : "10.20.1.10", *srv = v6 ? "2001:db8::21" : "10.30.1.21";
	return v6 ? pb_ipv6(b, from_server ? srv : c, from_server ? c : srv, 6, l4, l4len)
		  : pb_ipv4(b, from_server ? srv : c, from_server ? c : srv, 6, l4, l4len, 1, 0);
}

/* The scenario through ndpi_feed and, packet by packet, straight into a
 * reference classifier; both results compared at the end. */
static void scenario(const char *name, bool v6, uint16_t dport, const struct step *steps, int n)
{
	struct ndpi_classifier *c = classifier(), *ref = classifier();
	CHECK(c && ref);
	if (!c || !ref)
		return;
	struct flow_config fc = { .capacity = 16, .hash_seed = 7 };
	for (int i = 0; i < FLOW_TC_COUNT; i++)
		fc.timeout[i] = 60;
	struct flow_table *ft = flow_table_create(&fc, NULL, NULL);
	struct side r = { .c = ref };
	struct flow *f = NULL;
	uint64_t no_state = 0;
	for (int i = 0; i < n; i++) {
		uint8_t b[2048];
		size_t len = frame(b, v6, steps[i].from_server, 40001, dport, &steps[i]);
		struct packet p;
		memset(&p, 0, sizeof(p));
		p.ts_sec = 100;
		p.ts_usec = (uint32_t)i * 1500;
		p.data = b;
		p.caplen = p.wirelen = (uint32_t)len;
		CHECK_EQ(decode_packet(&p, DLT_RAW), DEC_OK);
		int dir;
		bool created;
		f = flow_table_get(ft, &p, &dir, &created);
		CHECK(f != NULL);
		if (!f)
			break;
		f->pkts[dir]++;
		f->last.sec = p.ts_sec;
		f->last.usec = p.ts_usec;
		ndpi_feed_packet(c, f, &p, dir, &no_state);
		if (steps[i].pool_empty_after)
			CHECK_EQ(ndpi_classifier_stats(c)->pool_in_use, 0);
		if (!r.done) {
			if (!r.nf)
				r.nf = ndpi_classifier_flow_get(ref);
			r.pkts++;
			uint64_t ms = (uint64_t)p.ts_sec * 1000u + p.ts_usec / 1000u;
			r.done = ndpi_classifier_packet(ref, r.nf, p.l3, p.l3_caplen, ms, 6, (uint64_t)i + 1,
							&r.res);
		}
	}
	if (f)
		ndpi_feed_end(c, f, &no_state);
	if (!r.done)
		ndpi_classifier_giveup(ref, r.nf, &r.res);
	if (r.nf)
		ndpi_classifier_flow_put(ref, r.nf);
	CHECK_EQ(no_state, 0);
	CHECK_EQ(ndpi_classifier_stats(c)->pool_in_use, 0);
	if (f) {
		if (strcmp(f->ndpi_res.name, r.res.name) || strcmp(f->ndpi_res.host, r.res.host))
			fprintf(stderr, "%s: '%s' '%s' != reference '%s' '%s'\n", name, f->ndpi_res.name,
				f->ndpi_res.host, r.res.name, r.res.host);
		CHECK_STR(f->ndpi_res.name, r.res.name);
		CHECK_STR(f->ndpi_res.host, r.res.host);
		CHECK_EQ(f->ndpi_res.app_id, r.res.app_id);
		CHECK_EQ(f->ndpi_res.master_id, r.res.master_id);
		CHECK_EQ(f->ndpi_res.confidence, r.res.confidence);
		CHECK_EQ(f->ndpi_res.guessed, r.res.guessed);
		CHECK_EQ(f->ndpi_res.risk, r.res.risk);
		CHECK_EQ(f->ndpi_pkts, r.pkts);
	}
	flow_table_destroy(ft);
	ndpi_classifier_destroy(c);
	ndpi_classifier_destroy(ref);
}

#define C2S false
#define S2C true
#define HTTP_GET "GET /index.html HTTP/1.1\r\nHost: mes.fab.example\r\nUser-Agent: t\r\n\r\n"

static void test_handshake_then_http(void)
{
	const struct step s[] = {
		{ C2S, TCP_SYN, 1000, 0, NULL, true, 0 },
		{ S2C, TCP_SYN | TCP_ACK, 5000, 1001, NULL, true, 0 },
		{ C2S, TCP_ACK, 1001, 5001, NULL, true, 0 },
		{ C2S, TCP_ACK | TCP_PSH, 1001, 5001, HTTP_GET, false, 0 },
		{ S2C, TCP_ACK | TCP_PSH, 5001, 1001 + sizeof(HTTP_GET) - 1, "HTTP/1.1 200 OK\r\n\r\n", false, 0 },
	};
	scenario("v4 http", false, 80, s, 5);
	scenario("v6 http", true, 80, s, 5);
	/* the same on a port that says nothing: nDPI must see the SYN to go on */
	scenario("v4 http on 7777", false, 7777, s, 5);
}

static void test_handshake_only(void)
{
	/* the flow ends after its handshake: nDPI's guess from the port */
	const struct step s[] = {
		{ C2S, TCP_SYN | TCP_ECE | TCP_CWR, 77, 0, NULL, true, 0 },
		{ S2C, TCP_SYN | TCP_ACK, 9, 78, NULL, true, 0 },
		{ C2S, TCP_ACK, 78, 10, NULL, true, 0 },
	};
	scenario("v4 rdp handshake", false, 3389, s, 3);
	scenario("v6 ssh handshake", true, 22, s, 3);
	scenario("v4 syn only", false, 445, s, 1);
}

static void test_not_a_plain_handshake(void)
{
	/* a second SYN: the state is taken there, the first SYN replayed */
	const struct step again[] = {
		{ C2S, TCP_SYN, 1000, 0, NULL, true, 0 },
		{ C2S, TCP_SYN, 1000, 0, NULL, false, 0 },
		{ S2C, TCP_SYN | TCP_ACK, 5000, 1001, NULL, false, 0 },
	};
	scenario("syn again", false, 3389, again, 3);
	/* an ACK that does not acknowledge the SYN+ACK */
	const struct step odd[] = {
		{ C2S, TCP_SYN, 1000, 0, NULL, true, 0 },
		{ S2C, TCP_SYN | TCP_ACK, 5000, 1001, NULL, true, 0 },
		{ C2S, TCP_ACK, 1001, 4000, NULL, false, 0 },
		{ C2S, TCP_ACK | TCP_PSH, 1001, 5001, HTTP_GET, false, 0 },
	};
	scenario("odd ack", false, 80, odd, 4);
	/* picked up mid-stream: nothing held */
	const struct step mid[] = {
		{ C2S, TCP_ACK | TCP_PSH, 1001, 5001, HTTP_GET, false, 0 },
	};
	scenario("mid-stream", false, 80, mid, 1);
	/* a RST after the SYN */
	const struct step rst[] = {
		{ C2S, TCP_SYN, 1000, 0, NULL, true, 0 },
		{ S2C, TCP_RST | TCP_ACK, 0, 1001, NULL, false, 0 },
	};
	scenario("refused", false, 23, rst, 2);
}

static void test_handshake_read_by_ndpi(void)
{
	/* nDPI 4.2 names Citrix ICA only when it has seen the three-way
	 * handshake (citrix.c tests seen_syn, seen_syn_ack and seen_ack): the
	 * replayed handshake must say so (with the flags rebuilt wrong, this
	 * flow stays unknown) */
	const struct step s[] = {
		{ C2S, TCP_SYN, 1000, 0, NULL, true, 0 },
		{ S2C, TCP_SYN | TCP_ACK, 5000, 1001, NULL, true, 0 },
		{ C2S, TCP_ACK, 1001, 5001, NULL, true, 0 },
		{ C2S, TCP_ACK | TCP_PSH, 1001, 5001, "a", false, 0 },
		{ S2C, TCP_ACK | TCP_PSH, 5001, 1002, "b", false, 0 },
		{ S2C, TCP_ACK | TCP_PSH, 5002, 1002, "\x07\x07ICA", false, 6 },
	};
	/* on a port nDPI guesses nothing from: the name comes from the
	 * third packet with payload, which citrix.c reads */
	scenario("citrix", false, 7001, s, 6);
}

/* The pool of per-flow states: every state once before any is reused, the
 * last given back reused first, exhaustion counted, states still out at
 * the end freed with the classifier (ASan's leak check). */
static void test_pool(void)
{
	struct ndpi_classifier *c = classifier(); /* 8 states */
	CHECK(c != NULL);
	if (!c)
		return;
	struct ndpi_flow_struct *f[9];
	for (int i = 0; i < 8; i++) {
		f[i] = ndpi_classifier_flow_get(c);
		CHECK(f[i] != NULL);
		for (int j = 0; j < i; j++)
			CHECK(f[i] != f[j]);
	}
	CHECK_EQ(ndpi_classifier_stats(c)->pool_in_use, 8);
	f[8] = ndpi_classifier_flow_get(c);
	CHECK(f[8] == NULL);
	CHECK_EQ(ndpi_classifier_stats(c)->pool_exhausted, 1);
	ndpi_classifier_flow_put(c, f[5]);
	ndpi_classifier_flow_put(c, f[2]);
	CHECK_EQ(ndpi_classifier_stats(c)->pool_in_use, 6);
	CHECK(ndpi_classifier_flow_get(c) == f[2]);
	CHECK(ndpi_classifier_flow_get(c) == f[5]);
	CHECK(ndpi_classifier_flow_get(c) == NULL);
	CHECK_EQ(ndpi_classifier_stats(c)->pool_exhausted, 2);
	CHECK_EQ(ndpi_classifier_stats(c)->pool_peak, 8);
	/* seven still out at the end: destroy frees them */
	ndpi_classifier_flow_put(c, f[0]);
	ndpi_classifier_destroy(c);

	/* a fresh classifier hands out states not used before first */
	c = classifier();
	struct ndpi_flow_struct *a = ndpi_classifier_flow_get(c);
	struct ndpi_flow_struct *b = ndpi_classifier_flow_get(c);
	CHECK(a != b);
	ndpi_classifier_flow_put(c, a);
	CHECK(ndpi_classifier_flow_get(c) == a);
	ndpi_classifier_destroy(c);
}

int main(void)
{
	RUN(test_pool);
	RUN(test_handshake_then_http);
	RUN(test_handshake_only);
	RUN(test_not_a_plain_handshake);
	RUN(test_handshake_read_by_ndpi);
	return test_done();
}
