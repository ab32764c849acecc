/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * HSMS dissector through the app-layer glue: framing (split, coalesced,
 * oversized, undersized, gaps), control messages and session state, the
 * anomalies of SEMI E37, transactions and T3, roles, the inventory, and the
 * probe. Each test compares the exact transcript of events.
 */
#include <stdarg.h>

#include "dissectors/hsms.h"
#include "sensor/applayer.h"
#include "test.h"

static const struct dissector *const registry[] = { &dissector_hsms, NULL };

struct log {
	char s[16384];
	size_t n;
	char routine[64];            /* per message: R routine, - not (hsms_message_routine) */
	size_t nr;
	uint64_t anomalies, resyncs; /* of the last session summary */
};

static void logf_(struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct log *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(l->s) - l->n)
		l->n += (size_t)n;
}

static void observe(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		    uint32_t usec)
{
	(void)sec;
	(void)usec;
	(void)f;
	struct log *l = ctx;
	switch (ev->kind) {
	case APP_EVENT_HSMS: {
		const struct hsms_message *m = ev->body;
		if (l->nr + 1 < sizeof(l->routine))
			l->routine[l->nr++] = hsms_message_routine(m) ? 'R' : '-';
		if (m->stype == HSMS_DATA && m->ptype == 0)
			logf_(l, "%s S%uF%u%s sys=%u%s%s|", m->sender == HSMS_ROLE_HOST ? "H" : "E", m->stream,
			      m->function, m->wbit ? "W" : "", m->system, m->is_reply ? (m->matched ? " reply" : " orphan") : "",
			      hsms_message_fields(m) && hsms_message_fields(m)->n ? " +" : "");
		else
			logf_(l, "%s %s sys=%u|", m->sender == HSMS_ROLE_HOST ? "H" : "E",
			      hsms_stype_name(m->stype), m->system);
		break;
	}
	case APP_EVENT_ANOMALY:
		logf_(l, "! %s|", ((const struct app_anomaly *)ev->body)->name);
		break;
	case APP_EVENT_HSMS_ASSET: {
		const struct hsms_asset_event *a = ev->body;
		logf_(l, "asset %d %s %s|", a->change, a->eq->mdln, a->eq->softrev);
		break;
	}
	case APP_EVENT_HSMS_SESSION: {
		const struct hsms_session_summary *s = ev->body;
		l->anomalies = s->anomalies;
		l->resyncs = s->resyncs;
		logf_(l, "end %s data=%" PRIu64 " ctl=%" PRIu64 " unanswered=%" PRIu64 "|", hsms_state_name(s->state),
		      s->data_messages, s->control_messages, s->unanswered);
		break;
	}
	default:
		break;
	}
}

struct fx {
	struct applayer al;
	struct flow f;
	struct log log;
	int64_t t;
};

static void setup(struct fx *x, uint16_t server_port)
{
	memset(x, 0, sizeof(*x));
	applayer_init(&x->al, registry);
	CHECK_EQ(applayer_start(&x->al), 0);
	event_sinks_add(&x->al.sinks, (struct event_sink){ .ctx = &x->log, .app_event = observe });
	x->f.key.family = 4;
	x->f.key.proto = 6;
	x->f.key.a[0][0] = 10, x->f.key.a[0][3] = 1;   /* client 10.0.0.1 */
	x->f.key.a[1][0] = 10, x->f.key.a[1][3] = 2;   /* server 10.0.0.2 */
	x->f.key.port[0] = 40000;
	x->f.key.port[1] = server_port;
	x->f.flow_id = 1;
	x->t = 1000;
}

static void teardown(struct fx *x)
{
	applayer_end(&x->al, &x->f, x->t, 0);
	applayer_destroy(&x->al);
}

/* HSMS frame builders */
static size_t ctl(uint8_t *o, uint8_t stype, uint32_t sys, uint16_t session, uint8_t b3)
{
	const uint8_t h[14] = { 0, 0, 0, 10, (uint8_t)(session >> 8), (uint8_t)session, 0, b3, 0, stype,
				(uint8_t)(sys >> 24), (uint8_t)(sys >> 16), (uint8_t)(sys >> 8), (uint8_t)sys };
	memcpy(o, h, 14);
	return 14;
}

static size_t data(uint8_t *o, uint8_t s, uint8_t f, bool w, uint32_t sys, const char *bodyhex)
{
	size_t n = 14;
	for (const char *h = bodyhex; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		o[n++] = (uint8_t)v;
	}
	uint32_t len = (uint32_t)n - 4;
	const uint8_t hd[14] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
				 0, 0, (uint8_t)((w ? 0x80 : 0) | s), f, 0, 0,
				 (uint8_t)(sys >> 24), (uint8_t)(sys >> 16), (uint8_t)(sys >> 8), (uint8_t)sys };
	memcpy(o, hd, 14);
	return n;
}

static void feed(struct fx *x, int dir, const uint8_t *b, size_t n, size_t chunk)
{
	for (size_t i = 0; i < n; i += chunk)
		applayer_data(&x->al, &x->f, dir, b + i, n - i < chunk ? n - i : chunk, x->t, 0);
}

/* A normal GEM session, fed as one byte per segment and as one segment. */
static void test_session(void)
{
	for (int mode = 0; mode < 2; mode++) {
		struct fx x;
		setup(&x, 5000);
		uint8_t c[512], s[512];
		size_t cn = 0, sn = 0;
		cn += ctl(c + cn, HSMS_SELECT_REQ, 1, 0xffff, 0);
		feed(&x, 0, c, cn, mode ? cn : 1);
		sn += ctl(s + sn, HSMS_SELECT_RSP, 1, 0xffff, 0);
		feed(&x, 1, s, sn, mode ? sn : 1);
		cn = data(c, 1, 13, true, 2, "0100");
		feed(&x, 0, c, cn, mode ? cn : 1);
		/* S1F14 <L[2] <B 0> <L[2] <A "ETCH"> <A "1.0">>> */
		sn = data(s, 1, 14, false, 2, "0102210100010241044554434841033" "12e30");
		feed(&x, 1, s, sn, mode ? sn : 1);
		/* S2F41 W and its S2F42, both in one segment each way */
		cn = data(c, 2, 41, true, 3, "0102410553544152540100");
		cn += ctl(c + cn, HSMS_LINKTEST_REQ, 4, 0xffff, 0);
		feed(&x, 0, c, cn, mode ? cn : 1);
		sn = data(s, 2, 42, false, 3, "01022101000100");
		sn += ctl(s + sn, HSMS_LINKTEST_RSP, 4, 0xffff, 0);
		sn += data(s + sn, 6, 11, true, 5, "0103a50101a5010a0100");
		feed(&x, 1, s, sn, mode ? sn : 1);
		cn = data(c, 6, 12, false, 5, "210100");
		cn += ctl(c + cn, HSMS_SEPARATE_REQ, 6, 0xffff, 0);
		feed(&x, 0, c, cn, mode ? cn : 1);
		teardown(&x);
		CHECK_STR(x.log.s,
			  "H select.req sys=1|E select.rsp sys=1|H S1F13W sys=2|asset 0  |asset 1 ETCH 1.0|"
			  "E S1F14 sys=2 reply +|H S2F41W sys=3 +|H linktest.req sys=4|E S2F42 sys=3 reply +|"
			  "E linktest.rsp sys=4|E S6F11W sys=5 +|H S6F12 sys=5 reply +|H separate.req sys=6|"
			  "end separated data=6 ctl=5 unanswered=0|");
		/* routine: the linktests and the event report with its ack */
		CHECK_STR(x.log.routine, "-----R-RRR-");
	}
}

static void test_anomalies(void)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t b[512];
	size_t n = 0;
	n += data(b + n, 1, 1, true, 1, "");                 /* data before select */
	n += ctl(b + n, HSMS_LINKTEST_REQ, 2, 7, 0);          /* linktest with session 7 */
	b[n] = 0, b[n + 1] = 0, b[n + 2] = 0, b[n + 3] = 12;  /* select.req with 2 body bytes */
	memcpy(b + n + 4, "\xff\xff\x00\x00\x00\x01\x00\x00\x00\x03\xaa\xbb", 12);
	n += 16;
	n += ctl(b + n, 8, 4, 0xffff, 0);                     /* SType 8: undefined */
	n += data(b + n, 1, 2, false, 99, "");                /* reply to nothing */
	size_t m = data(b + n, 1, 3, true, 5, "0100");
	b[n + 8] = 1;                                         /* PType 1 */
	n += m;
	n += data(b + n, 1, 3, true, 6, "b103000000");        /* U4 with 3 bytes */
	feed(&x, 0, b, n, n);
	x.t += 46;                                            /* T3 (45 s) passes */
	n = ctl(b, HSMS_LINKTEST_REQ, 7, 0xffff, 0);
	feed(&x, 0, b, n, n);
	teardown(&x);
	CHECK_STR(x.log.s,
		  "! HSMS_DATA_BEFORE_SELECT|H S1F1W sys=1|! HSMS_LINKTEST_BAD_SESSION|H linktest.req sys=2|"
		  "! HSMS_CONTROL_WITH_BODY|H select.req sys=3|! HSMS_UNKNOWN_STYPE|H unknown sys=4|"
		  "! HSMS_DATA_BEFORE_SELECT|! HSMS_REPLY_WITHOUT_PRIMARY|H S1F2 sys=99 orphan|"
		  "! HSMS_UNKNOWN_PTYPE|H data sys=5|! HSMS_DATA_BEFORE_SELECT|! SECS_BAD_ELEMENT_SIZE|"
		  "asset 0  |H S1F3W sys=6|! HSMS_T3_TIMEOUT|! HSMS_CONTROL_TIMEOUT|! HSMS_CONTROL_TIMEOUT|"
		  "! HSMS_T3_TIMEOUT|H linktest.req sys=7|"
		  /* a control request still open at close is counted, not reported */
		  "end not-selected data=3 ctl=4 unanswered=5|");
	/* nothing routine: not selected, session 7, a body, an orphan, a bad
	 * body; the last linktest is routine in any state */
	CHECK_STR(x.log.routine, "-------R");
}

/* What is routine once a session is selected: the polls and event reports
 * that answer or are answered, well-formed; not their look-alikes. */
static void test_routine(void)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t c[512], s[512];
	size_t cn = ctl(c, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, c, cn, cn);
	size_t sn = ctl(s, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(&x, 1, s, sn, sn);
	cn = data(c, 1, 3, true, 2, "0100");                   /* S1F3 W: routine */
	feed(&x, 0, c, cn, cn);
	sn = data(s, 1, 4, false, 2, "0100");                  /* its S1F4: routine */
	sn += data(s + sn, 1, 4, false, 77, "0100");           /* S1F4 to nothing */
	sn += data(s + sn, 6, 11, true, 3, "b103000000");      /* S6F11 with a bad U4 */
	sn += data(s + sn, 6, 11, true, 4, "0100");            /* S6F11: routine */
	feed(&x, 1, s, sn, sn);
	cn = data(c, 6, 12, false, 4, "210100");               /* its S6F12: routine */
	cn += data(c + cn, 2, 41, true, 5, "0100");            /* a remote command */
	cn += data(c + cn, 1, 13, true, 6, "0100");            /* establish communication */
	feed(&x, 0, c, cn, cn);
	teardown(&x);
	CHECK_STR(x.log.routine, "--RR--RR--");
}

/* Lengths that cannot be trusted: too small, too large; resynchronise on
 * the next plausible header. A gap does the same. */
static void test_lengths_and_resync(void)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t b[512];
	size_t n = 0;
	n += ctl(b + n, HSMS_SELECT_REQ, 1, 0xffff, 0);
	memcpy(b + n, "\x00\x00\x00\x05garbage", 11);          /* length 5 */
	n += 11;
	n += data(b + n, 1, 1, true, 2, "");
	memcpy(b + n, "\x7f\x00\x00\x00\x00\x00\x81\x01\x00\x00", 10); /* 2 GB declared */
	n += 10;
	n += data(b + n, 1, 1, true, 3, "");
	feed(&x, 0, b, n, 3);
	n = data(b, 1, 1, true, 4, "");
	feed(&x, 0, b, 7, 7);                                 /* half a message, then loss */
	applayer_gap(&x.al, &x.f, 0, 100, x.t, 0);
	n = 0;
	memcpy(b, "\x01\x02\x03", 3);                         /* the rest of something */
	n = 3 + data(b + 3, 1, 1, true, 5, "");
	feed(&x, 0, b, n, n);
	teardown(&x);
	CHECK_STR(x.log.s,
		  "H select.req sys=1|! HSMS_LENGTH_TOO_SMALL|! HSMS_RESYNC|! HSMS_DATA_BEFORE_SELECT|"
		  "H S1F1W sys=2|! HSMS_LENGTH_TOO_LARGE|! HSMS_RESYNC|! HSMS_DATA_BEFORE_SELECT|"
		  "H S1F1W sys=3|! HSMS_RESYNC|! HSMS_DATA_BEFORE_SELECT|H S1F1W sys=5|"
		  "! HSMS_UNANSWERED_AT_CLOSE|! HSMS_UNANSWERED_AT_CLOSE|! HSMS_UNANSWERED_AT_CLOSE|"
		  "asset 0  |end not-selected data=3 ctl=1 unanswered=4|");
	/* the summary counts what the flow emitted: 11 anomalies, 3 of them resyncs */
	CHECK_EQ(x.log.anomalies, 11);
	CHECK_EQ(x.log.resyncs, 3);
}

/* A message larger than the decode window: decoded from its start, the
 * rest skipped without being buffered; the next message is intact. */
static void test_large_message(void)
{
	struct fx x;
	setup(&x, 5000);
	static uint8_t b[300000];
	size_t n = ctl(b, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, b, n, n);
	n = ctl(b, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(&x, 1, b, n, n);
	/* S7F3 <L[2] <A "BIG"> <B[200000]>> */
	size_t hdr = data(b, 7, 3, true, 2, "0102410342494723030d40");
	memset(b + hdr, 0x5a, 200000);
	uint32_t len = (uint32_t)(hdr + 200000 - 4);
	b[0] = (uint8_t)(len >> 24), b[1] = (uint8_t)(len >> 16), b[2] = (uint8_t)(len >> 8), b[3] = (uint8_t)len;
	n = hdr + 200000;
	n += ctl(b + n, HSMS_LINKTEST_REQ, 3, 0xffff, 0);
	feed(&x, 0, b, n, 1460);
	CHECK(x.f.app_buf[0].cap <= 4 + 64 * 1024 + 64);
	teardown(&x);
	CHECK_STR(x.log.s, "H select.req sys=1|E select.rsp sys=1|H S7F3W sys=2 +|H linktest.req sys=3|"
			   "! HSMS_UNANSWERED_AT_CLOSE|asset 0  |end selected data=1 ctl=3 unanswered=2|");
}

/* The equipment connects out (reversed connect modes): its S6F11 and its
 * named S1F13 say so, whatever the TCP roles. */
static void test_roles(void)
{
	struct fx x;
	setup(&x, 6000);
	uint8_t b[256];
	size_t n = ctl(b, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, b, n, n);
	n = ctl(b, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(&x, 1, b, n, n);
	n = data(b, 1, 13, true, 2, "010241045443564441023031"); /* <L[2] <A "TCVD"> <A "01">> */
	feed(&x, 0, b, n, n);
	n = data(b, 1, 14, false, 2, "01022101000100");
	feed(&x, 1, b, n, n);
	n = data(b, 2, 41, true, 3, "010241025354" "0100");      /* a host command from the client */
	feed(&x, 0, b, n, n);
	teardown(&x);
	CHECK_STR(x.log.s, "H select.req sys=1|E select.rsp sys=1|asset 0  |asset 1 TCVD 01|"
			   "E S1F13W sys=2 +|H S1F14 sys=2 reply +|! HSMS_UNEXPECTED_DIRECTION|"
			   "E S2F41W sys=3 +|! HSMS_UNANSWERED_AT_CLOSE|end selected data=3 ctl=2 unanswered=1|");
}

/* A second host selects an equipment another host holds selected. */
static void test_second_host(void)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t b[64];
	size_t n = ctl(b, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, b, n, n);
	n = ctl(b, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(&x, 1, b, n, n);
	struct flow g = x.f; /* another host, same equipment and port */
	memset(&g.tcp, 0, sizeof(g.tcp));
	g.app = NULL, g.app_state = NULL, g.app_probing_done = 0;
	memset(g.app_buf, 0, sizeof(g.app_buf));
	g.key.a[0][3] = 9;
	g.flow_id = 2;
	n = ctl(b, HSMS_SELECT_REQ, 7, 0xffff, 0);
	applayer_data(&x.al, &g, 0, b, n, x.t, 0);
	n = ctl(b, HSMS_SELECT_RSP, 7, 0xffff, 1);               /* already active */
	applayer_data(&x.al, &g, 1, b, n, x.t, 0);
	applayer_end(&x.al, &g, x.t, 0);
	teardown(&x);
	CHECK_STR(x.log.s, "H select.req sys=1|E select.rsp sys=1|! HSMS_SECOND_HOST_SELECT|"
			   "H select.req sys=7|! HSMS_SELECT_REFUSED|E select.rsp sys=7|asset 0  |"
			   "end not-selected data=0 ctl=2 unanswered=0|asset 3  |"
			   "end selected data=0 ctl=2 unanswered=0|");
}

/* probe bytes of DISSECT_PROBE_MAX: src then `fill` */
static const uint8_t *padded(uint8_t *out, const void *src, size_t n, uint8_t fill)
{
	memset(out, fill, DISSECT_PROBE_MAX);
	memcpy(out, src, n);
	return out;
}

static void test_probe(void)
{
	struct dissect_flow df;
	memset(&df, 0, sizeof(df));
	uint8_t b[64], p[DISSECT_PROBE_MAX];
	const size_t P = DISSECT_PROBE_MAX;
	size_t n = ctl(b, HSMS_SELECT_REQ, 1, 0xffff, 0);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, n, false), PROBE_MATCH);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, 3, false), PROBE_NEED_MORE);
	n = ctl(b, HSMS_LINKTEST_REQ, 1, 0xffff, 0);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, n, true), PROBE_MATCH);
	CHECK_EQ(dissector_hsms.probe(&df, 0, padded(p, b, n, 0xee), P, false), PROBE_NO); /* off-port needs select */
	n = data(b, 1, 1, true, 1, "");
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, n, false), PROBE_MATCH); /* complete, known S/F */
	n = data(b, 99, 1, true, 1, "");
	CHECK_EQ(dissector_hsms.probe(&df, 0, padded(p, b, n, 0xee), P, false), PROBE_NO);
	CHECK_EQ(dissector_hsms.probe(&df, 0, padded(p, "GET / HTTP/1.1\r\n", 16, 'a'), P, true), PROBE_NO);
	CHECK_EQ(dissector_hsms.probe(&df, 0, (const uint8_t *)"\x00\x00\x00\x06\x01\x00", 6, true),
		 PROBE_NEED_MORE);
	n = data(b, 0, 1, true, 1, ""); /* stream 0, nothing after it */
	CHECK_EQ(dissector_hsms.probe(&df, 0, padded(p, b, n, 0xee), P, true), PROBE_NO);
	/* a bad first message, then a good one: claimed on the port; off it
	 * only with a select.req or a validated known data message after it */
	n = data(b, 0, 0, false, 1, "");
	size_t m = n + ctl(b + n, HSMS_LINKTEST_REQ, 2, 0xffff, 0);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, m, true), PROBE_MATCH);
	CHECK_EQ(dissector_hsms.probe(&df, 0, padded(p, b, m, 0xee), P, false), PROBE_NO);
	m = n + ctl(b + n, HSMS_SELECT_REQ, 2, 0xffff, 0);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, m, false), PROBE_MATCH);
	memcpy(b, "\xff", 1);
	m = 1 + data(b + 1, 1, 1, true, 1, "");
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, m, false), PROBE_MATCH);
	CHECK_EQ(dissector_hsms.probe(&df, 0, b, m, true), PROBE_MATCH);
}

/*
 * A GEM attack session (select, an S2F41 remote command, an S7F3 recipe
 * download) with a junk or malformed prefix at the start of the
 * connection, after the select, and after a gap: the clean transcript plus
 * the exact anomalies, and nothing decoded from the junk that E37 would not
 * frame as a message.
 */
struct prefix {
	const char *what;
	const char *hex;
	const char *start;   /* events of the prefix at the start */
	const char *middle;  /* after the select */
	int framed;          /* 1: E37 frames it as a data message (counted) */
};

static const struct prefix prefixes[] = {
	{ "junk byte ff", "ff", "! HSMS_LENGTH_TOO_LARGE|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_LARGE|! HSMS_RESYNC|" , 0 },
	{ "junk byte 00", "00", "! HSMS_LENGTH_TOO_SMALL|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_SMALL|! HSMS_RESYNC|" , 0 },
	{ "seven junk bytes", "deadbeefcafe01", "! HSMS_LENGTH_TOO_LARGE|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_LARGE|! HSMS_RESYNC|" , 0 },
	{ "text", "474554202f20485454502f312e300d0a0d0a",
	  "! HSMS_LENGTH_TOO_LARGE|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|", "! HSMS_LENGTH_TOO_LARGE|! HSMS_RESYNC|" , 0 },
	{ "length 5", "000000056761726261", "! HSMS_LENGTH_TOO_SMALL|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_SMALL|! HSMS_RESYNC|" , 0 },
	{ "length 0", "00000000", "! HSMS_LENGTH_TOO_SMALL|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_SMALL|! HSMS_RESYNC|" , 0 },
	{ "length 2 GB", "7f000000ffff00000001000000aa", "! HSMS_LENGTH_TOO_LARGE|! HSMS_JUNK_BEFORE_FIRST_MESSAGE|",
	  "! HSMS_LENGTH_TOO_LARGE|! HSMS_RESYNC|" , 0 },
	/* framed by its length as E37 frames it; the peer answers reject.req */
	{ "select.req PType 1", "0000000affff000001010000006" "3",
	  "! HSMS_UNKNOWN_PTYPE|H select.req sys=99|", "! HSMS_UNKNOWN_PTYPE|H select.req sys=99|" , 0 },
	/* framed, reported as what it is: a stream 0 message, no command */
	{ "S0F0", "0000000a000000000000000000" "62",
	  "! HSMS_DATA_STREAM_ZERO|! HSMS_DATA_BEFORE_SELECT|! HSMS_REPLY_WITHOUT_PRIMARY|H S0F0 sys=98 orphan|",
	  "! HSMS_DATA_STREAM_ZERO|! HSMS_REPLY_WITHOUT_PRIMARY|H S0F0 sys=98 orphan|", 1 },
};

#define GEM_SELECT "H select.req sys=1|E select.rsp sys=1|"
#define GEM_REST "asset 0  |H S2F41W sys=3 +|H S7F3W sys=4 +|"
#define GEM_END "! HSMS_UNANSWERED_AT_CLOSE|! HSMS_UNANSWERED_AT_CLOSE|end selected data=%d ctl=2 unanswered=2|"

static void run_variant(const struct prefix *pf, int where, size_t chunk, const char *want_prefix)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t junk[64], a[128], b[256];
	size_t jn = 0;
	for (const char *h = pf->hex; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		junk[jn++] = (uint8_t)v;
	}
	size_t an = 0, bn = 0;
	if (where == 0) {
		memcpy(a, junk, jn);
		an = jn;
	}
	an += ctl(a + an, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, a, an, chunk);
	an = ctl(a, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(&x, 1, a, an, chunk);
	if (where == 2)
		applayer_gap(&x.al, &x.f, 0, 100, x.t, 0);
	if (where != 0) {
		memcpy(b, junk, jn);
		bn = jn;
	}
	bn += data(b + bn, 2, 41, true, 3, "010241055354415254" "0100");            /* S2F41 START */
	bn += data(b + bn, 7, 3, true, 4, "01024104524543312" "10b53657420504f5745522039");
	feed(&x, 0, b, bn, chunk);
	teardown(&x);
	char want[1024];
	int ndata = 2 + (where != 2 ? pf->framed : 0);
	if (where == 0)
		snprintf(want, sizeof(want), "%s%s%s" GEM_END, want_prefix, GEM_SELECT, GEM_REST, ndata);
	else
		snprintf(want, sizeof(want), "%s%s%s" GEM_END, GEM_SELECT, want_prefix, GEM_REST, ndata);
	if (strcmp(x.log.s, want) != 0)
		fprintf(stderr, "%s, position %d, segments of %zu:\n", pf->what, where, chunk);
	CHECK_STR(x.log.s, want);
}

static void test_resync_everywhere(void)
{
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		for (size_t c = 0; c < 3; c++) {
			size_t chunk = c == 0 ? 1000 : c == 1 ? 1 : 5;
			run_variant(&prefixes[i], 0, chunk, prefixes[i].start);
			run_variant(&prefixes[i], 1, chunk, prefixes[i].middle);
			/* after a gap every prefix is skipped by the resync */
			run_variant(&prefixes[i], 2, chunk, "! HSMS_RESYNC|");
		}
}

/* Junk past the probe bytes on port 5000: not HSMS. */
static void test_junk_past_probe(void)
{
	struct fx x;
	setup(&x, 5000);
	uint8_t b[600];
	memset(b, 0x16, 300);
	size_t n = 300 + ctl(b + 300, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(&x, 0, b, n, n);
	CHECK(x.f.app == NULL);
	CHECK(x.f.app_probing_done);
	teardown(&x);
	CHECK_STR(x.log.s, "");
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *t = s; (t = strstr(t, what)) != NULL; t++)
		n++;
	return n;
}

/* A selected session, then n primaries S1F3 W from the host, system bytes
 * 10 on. */
static void open_transactions(struct fx *x, int n)
{
	uint8_t b[64];
	size_t bn = ctl(b, HSMS_SELECT_REQ, 1, 0xffff, 0);
	feed(x, 0, b, bn, bn);
	bn = ctl(b, HSMS_SELECT_RSP, 1, 0xffff, 0);
	feed(x, 1, b, bn, bn);
	for (int i = 0; i < n; i++) {
		bn = data(b, 1, 3, true, (uint32_t)(10 + i), "0100");
		feed(x, 0, b, bn, bn);
	}
}

static void answer(struct fx *x, uint32_t sys)
{
	uint8_t b[64];
	size_t bn = data(b, 1, 4, false, sys, "0100");
	feed(x, 1, b, bn, bn);
}

/* The table of open transactions: a flow's state holds 8, a flow with more
 * open gets a table of HSMS_MAX_PENDING (under the memory cap), past that
 * the oldest is given up (HSMS_TRANSACTION_FLOOD, once). */
static void test_transaction_table(void)
{
	/* 12 open, answered last first: every reply finds its primary */
	struct fx x;
	setup(&x, 5000);
	open_transactions(&x, 12);
	CHECK(x.al.st.memuse >= dissector_hsms.state_size + HSMS_MAX_PENDING * 16);
	for (int i = 11; i >= 0; i--)
		answer(&x, (uint32_t)(10 + i));
	teardown(&x);
	CHECK_EQ(count(x.log.s, " reply|"), 12);
	CHECK_EQ(count(x.log.s, "!"), 0);
	CHECK(strstr(x.log.s, "E S1F4 sys=10 reply|end selected data=24 ctl=2 unanswered=0|") != NULL);
	CHECK_EQ(x.al.st.memuse, 0);
	CHECK_EQ(x.al.st.memcap_hits, 0);

	/* 70 open, none answered: the 6 oldest given up, the 64 others at the end */
	setup(&x, 5000);
	open_transactions(&x, 70);
	teardown(&x);
	CHECK_EQ(count(x.log.s, "! HSMS_TRANSACTION_FLOOD|"), 1);
	CHECK(strstr(x.log.s, "H S1F3W sys=73 +|! HSMS_TRANSACTION_FLOOD|H S1F3W sys=74 +|") != NULL);
	CHECK_EQ(count(x.log.s, "! HSMS_UNANSWERED_AT_CLOSE|"), 64);
	CHECK(strstr(x.log.s, "end selected data=70 ctl=2 unanswered=70|") != NULL);

	/* the memory cap refuses the table: 8 open at most; the two oldest are
	 * given up, though all have the same timestamp (one segment can carry
	 * many), and the replies to them answer nothing */
	setup(&x, 5000);
	x.al.memcap = dissector_hsms.state_size + 256;
	open_transactions(&x, 10);
	CHECK_EQ(x.al.st.memcap_hits, 1);
	CHECK_EQ(x.al.st.memuse, dissector_hsms.state_size);
	for (int i = 0; i < 10; i++)
		answer(&x, (uint32_t)(10 + i));
	teardown(&x);
	CHECK_EQ(x.al.st.memcap_hits, 1); /* asked once */
	CHECK_EQ(count(x.log.s, "! HSMS_TRANSACTION_FLOOD|"), 1);
	CHECK(strstr(x.log.s, "! HSMS_REPLY_WITHOUT_PRIMARY|E S1F4 sys=10 orphan|"
			      "! HSMS_REPLY_WITHOUT_PRIMARY|E S1F4 sys=11 orphan|E S1F4 sys=12 reply|") != NULL);
	CHECK_EQ(count(x.log.s, " reply|"), 8);
	CHECK(strstr(x.log.s, "end selected data=20 ctl=2 unanswered=2|") != NULL);
}

int main(void)
{
	RUN(test_session);
	RUN(test_anomalies);
	RUN(test_lengths_and_resync);
	RUN(test_large_message);
	RUN(test_roles);
	RUN(test_second_host);
	RUN(test_probe);
	RUN(test_resync_everywhere);
	RUN(test_junk_past_probe);
	RUN(test_routine);
	RUN(test_transaction_table);
	return test_done();
}
