/* SPDX-License-Identifier: BSD-2-Clause */
/* The eve.json reader's fast path. The scan: the values it picks out, what
 * it gives up on (truncated, malformed, oversized, beyond its remit), and
 * for every text it answers, the same values as jansson's full parse. The
 * reader around it: scanned records and parsed ones in the file's order and
 * count, a line the scan gives up on parsed (a record, or a bad line said
 * with its line number as without the fast path), a caller's decline. */
#include <jansson.h>

#include "util/eve_reader.h"
#include "util/eve_reader_scan.h"
#include "eve_scan_oracle.h"
#include "test.h"

enum { ET, SRC, SF, STYPE, MBFN, NF };

static void fields(struct eve_field f[NF])
{
	memset(f, 0, NF * sizeof(*f));
	f[ET].key = "event_type";
	f[SRC].key = "src_ip";
	f[SF].parent = "hsms";
	f[SF].key = "sf";
	f[STYPE].parent = "hsms";
	f[STYPE].key = "stype";
	f[MBFN].parent = "modbus.request";
	f[MBFN].key = "function_name";
}

/* The scan's answer; when it is OK, jansson must agree on every field. */
static bool scan(const char *text, struct eve_field f[NF])
{
	fields(f);
	bool r = eve_scan_record(text, strlen(text), f, NF);
	if (r) {
		json_error_t e;
		json_t *o = json_loads(text, JSON_ALLOW_NUL, &e);
		CHECK(json_is_object(o));
		for (int i = 0; o && i < NF; i++) {
			const char *a = f[i].value, *b = eve_scan_oracle(o, &f[i]);
			CHECK((a == NULL) == (b == NULL));
			if (a && b)
				CHECK_STR(a, b);
		}
		json_decref(o);
	}
	return r;
}

static void test_values(void)
{
	struct eve_field f[NF];
	CHECK_EQ(scan("{\"timestamp\":\"2026-03-02T08:00:00.000800+00:00\",\"event_type\":\"hsms\","
		      "\"flow_id\":54760015194115,\"src_ip\":\"10.20.1.10\",\"src_port\":40000,"
		      "\"hsms\":{\"direction\":\"toserver\",\"session_id\":65535,\"sf\":\"S6F11\","
		      "\"body\":{\"sml\":\"<L [2] <U4 7> <A \\\"x\\\">>\",\"items\":[1,2.5,-3,true,"
		      "false,null,[],{}]}},\"x\":-0.0}", f), true);
	CHECK_STR(f[ET].value, "hsms");
	CHECK_STR(f[SRC].value, "10.20.1.10");
	CHECK_STR(f[SF].value, "S6F11");
	CHECK(f[STYPE].value == NULL);
	/* whitespace anywhere JSON allows it; escapes decoded */
	CHECK_EQ(scan(" \t{ \"event_type\" : \"a\\\"b\\\\c\\/d\\n\" , \"hsms\" : { } }\r ", f), true);
	CHECK_STR(f[ET].value, "a\"b\\c/d\n");
	/* a member that is not a string, a parent that is not an object */
	CHECK_EQ(scan("{\"event_type\":5,\"hsms\":\"S1F1\",\"src_ip\":null}", f), true);
	CHECK(f[ET].value == NULL && f[SF].value == NULL && f[SRC].value == NULL);
	/* a nested member of that name elsewhere is not the wanted one */
	CHECK_EQ(scan("{\"flow\":{\"sf\":\"S9F9\",\"event_type\":\"x\"},\"hsms\":{\"stype\":\"select.req\"}}", f),
		 true);
	CHECK(f[ET].value == NULL && f[SF].value == NULL);
	CHECK_STR(f[STYPE].value, "select.req");
	CHECK_EQ(scan("{}", f), true);
	CHECK_EQ(scan("{\"\":\"\",\"event_type\":\"\"}", f), true);
	CHECK_STR(f[ET].value, "");
	/* a member two objects down; a dotted key is no path; \u escapes of
	 * ASCII (Suricata's byte strings) where nothing is wanted */
	CHECK_EQ(scan("{\"event_type\":\"modbus\",\"modbus\":{\"id\":1,\"function_name\":\"x\","
		      "\"request\":{\"function_name\":\"read_coils\",\"read\":{\"data\":\"\\u0000\\u007f\\u001F\"}},"
		      "\"response\":{\"function_name\":\"y\"}},\"modbus.request\":{\"function_name\":\"z\"}}", f),
		 true);
	CHECK_STR(f[MBFN].value, "read_coils");
	CHECK_EQ(scan("{\"modbus\":{\"request\":5}}", f), true);
	CHECK(f[MBFN].value == NULL);
	CHECK_EQ(scan("{\"modbus\":{\"response\":{\"function_name\":\"y\"}}}", f), true);
	CHECK(f[MBFN].value == NULL);
	/* 18 characters of number: still certain to fit */
	CHECK_EQ(scan("{\"n\":-12345678901234567,\"m\":123456789.12345678}", f), true);
}

static void test_gives_up(void)
{
	struct eve_field f[NF];
	static const char *const texts[] = {
		"",
		"   ",
		"[]",
		"\"event_type\"",
		"{",
		"{\"event_type\"",
		"{\"event_type\":",
		"{\"event_type\":\"hsms",
		"{\"event_type\":\"hsms\"",
		"{\"event_type\":\"hsms\",}",
		"{\"event_type\":\"hsms\"}x",
		"{\"event_type\":\"hsms\"}{}",
		"{\"a\":[1,2,]}",
		"{\"a\":[1 2]}",
		"{\"a\":01}",
		"{\"a\":-}",
		"{\"a\":1.}",
		"{\"a\":.5}",
		"{\"a\":+1}",
		"{\"a\":1e5}",               /* exponents: not judged */
		"{\"a\":1234567890123456789}", /* too long to be sure */
		"{\"a\":tru}",
		"{\"a\":nul}",
		"{\"a\":True}",
		"{\"a\":'x'}",
		"{a:1}",
		"{\"a\" 1}",
		"{\"a\":\"\\x\"}",
		"{\"a\":\"\\u0100\"}",      /* \u escapes beyond ASCII: not judged */
		"{\"a\":\"\\u00e9\"}",
		"{\"a\":\"\\ud83d\\ude00\"}",
		"{\"a\":\"\\u00\"}",
		"{\"a\":\"\\u004\"}",
		"{\"event_type\":\"\\u0041\"}",  /* \u in a wanted value */
		"{\"\\u0065vent_type\":\"x\"}",  /* \u in a key: could be a wanted one */
		"{\"flow\":{\"a\\u0000b\":1}}",  /* or a NUL, which jansson refuses in a key */
		"{\"modbus\":{\"request\":{\"function_name\":\"a\"},\"request\":{}}}", /* parent twice */
		"{\"modbus\":{\"request\":{}},\"modbus\":{}}",
		"{\"a\":\"tab\there\"}",    /* a raw control character */
		"{\"a\":\"caf\xc3\xa9\"}",  /* non-ASCII: not judged */
		"{\"event_type\":\"a\",\"event_type\":\"b\"}",        /* given twice */
		"{\"hsms\":{\"sf\":\"S1F1\"},\"hsms\":{\"sf\":\"S2F2\"}}",
		"{\"hsms\":{\"sf\":\"S1F1\",\"sf\":\"S2F2\"}}",
		"{\"a\":\"\\\"}",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		bool r = scan(texts[i], f);
		if (r)
			fprintf(stderr, "not given up: %s\n", texts[i]);
		CHECK(!r);
	}
	/* a NUL inside the text */
	fields(f);
	CHECK(!eve_scan_record("{\"a\":\"x\0y\"}", 11, f, NF));
	/* too deep */
	char deep[200] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	CHECK(!scan(deep, f));
	/* a wanted string longer than its buffer */
	char big[400] = "{\"event_type\":\"";
	memset(big + strlen(big), 'x', 200);
	strcat(big, "\"}");
	CHECK(!scan(big, f));
	/* every truncation of a valid record is given up (or still whole) */
	static const char rec[] = "{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S6F11\",\"n\":[1,{\"b\":true}]}}";
	for (size_t n = 0; n < sizeof(rec) - 1; n++) {
		fields(f);
		CHECK(!eve_scan_record(rec, n, f, NF));
	}
}

/* The reader with a fast path as the report sets it up. */
enum { R_ET, R_SF, R_FN, R_NF };

static const struct eve_field rfields[R_NF] = {
	[R_ET] = { .key = "event_type" },
	[R_SF] = { .parent = "hsms", .key = "sf" },
	[R_FN] = { .parent = "modbus.request", .key = "function_name" },
};

static const char *const rtypes[] = { "hsms", "modbus", NULL };

/* What the reader handed over, in order: 's' scanned, 'r' a record, 'b' a
 * bad line, with the line number and the scanned sf/function or the
 * record's event_type. */
struct log {
	char kind[32];
	uint64_t line[32];
	char what[32][JSON_ERROR_TEXT_LENGTH];
	bool complete[32];
	int n, stop_at; /* stop_at > 0: the scanned callback stops at that line */
};

static void note(struct log *g, char kind, const struct eve_line *l, const char *what)
{
	if (g->n >= 32)
		return;
	g->kind[g->n] = kind;
	g->line[g->n] = l->lineno;
	g->complete[g->n] = l->complete;
	snprintf(g->what[g->n], sizeof(g->what[0]), "%s", what ? what : "-");
	g->n++;
	g->kind[g->n] = '\0';
}

static int r_scanned(void *ctx, const struct eve_field *f, const struct eve_line *l)
{
	struct log *g = ctx;
	/* a modbus record without a request's function: the caller wants a json_t */
	if (f[R_ET].value && !strcmp(f[R_ET].value, "modbus") && !f[R_FN].value)
		return EVE_SCAN_DECLINED;
	note(g, 's', l, f[R_SF].value ? f[R_SF].value : f[R_FN].value);
	return g->stop_at && (int)l->lineno == g->stop_at ? 5 : 0;
}

static int r_record(void *ctx, json_t *rec, const struct eve_line *l)
{
	note(ctx, 'r', l, json_string_value(json_object_get(rec, "event_type")));
	return 0;
}

static void r_bad(void *ctx, const struct eve_line *l, const struct eve_bad *why)
{
	note(ctx, 'b', l, why->text);
}

static int read_with(const char *text, struct log *g, struct eve_read_stats *st,
		     const char *const *types)
{
	struct eve_reader_ops ops = {
		.record = r_record, .bad = r_bad, .types = types,
		.scanned = r_scanned, .scan_types = rtypes, .scan_fields = rfields, .scan_nfields = R_NF,
	};
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	CHECK(fp != NULL);
	if (!fp)
		return -100;
	int rc = eve_read_stream(fp, "eve.json", &ops, g, st);
	fclose(fp);
	return rc;
}

static const char eve[] =
	"{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S6F11\"}}\n"                 /* 1 scanned */
	"{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S\\u0036F12\"}}\n"           /* 2 given up: parsed */
	"{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S1F1\"}\n"                  /* 3 cut: bad */
	"\n"                                                                     /* 4 empty: bad */
	"{\"event_type\":\"modbus\",\"modbus\":{\"response\":{}}}\n"             /* 5 declined: parsed */
	"{\"event_type\":\"modbus\",\"modbus\":{\"request\":{\"function_name\":\"read_coils\"}}}\r\n" /* 6 */
	"{\"event_type\":\"flow\",\"hsms\":{\"sf\":\"S9F9\"}}\n"                 /* 7 not a scan type */
	"42\n"                                                                   /* 8 bad */
	"[1,2]\n"                                                                /* 9 bad */
	"{\"event_type\":\"hsms\",\"event_type\":\"hsms\"}\n"                    /* 10 twice: parsed */
	"{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S2F2\"},\"x\":\"\\u0000\"}\n" /* 11 scanned */
	"{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S5F1\"}}";                  /* 12 no newline */

static void test_reader_fast_path(void)
{
	struct log g = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_with(eve, &g, &st, NULL), EVE_READ_OK);
	CHECK_STR(g.kind, "srbbrsrbbrss");
	static const uint64_t lines[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	for (int i = 0; i < 12; i++)
		CHECK_EQ(g.line[i], lines[i]);
	CHECK_STR(g.what[0], "S6F11");
	CHECK_STR(g.what[1], "hsms");
	CHECK_STR(g.what[2], "'}' expected near end of file");
	CHECK_STR(g.what[3], "empty line");
	CHECK_STR(g.what[4], "modbus");
	CHECK_STR(g.what[5], "read_coils");
	CHECK_STR(g.what[6], "flow");
	CHECK_STR(g.what[7], "'[' or '{' expected near '42'");
	CHECK_STR(g.what[8], "not an object");
	CHECK_STR(g.what[10], "S2F2");
	CHECK_STR(g.what[11], "S5F1");
	CHECK(g.complete[10] && !g.complete[11]);
	CHECK_EQ(st.lines, 12);
	CHECK_EQ(st.records, 8);
	CHECK_EQ(st.scanned, 4);
	CHECK_EQ(st.bad, 4);
	CHECK_EQ(st.first_bad, 3);
	CHECK_EQ(st.skipped, 0);
	CHECK_EQ(st.bytes, strlen(eve));

	/* the same lines are bad, at the same numbers, without the fast path */
	struct log plain = { 0 };
	struct eve_reader_ops ops = { .record = r_record, .bad = r_bad };
	FILE *fp = fmemopen((void *)eve, strlen(eve), "r");
	struct eve_read_stats pst;
	CHECK_EQ(eve_read_stream(fp, "eve.json", &ops, &plain, &pst), EVE_READ_OK);
	fclose(fp);
	CHECK_STR(plain.kind, "rrbbrrrbbrrr");
	for (int i = 0; i < 12; i++)
		if (g.kind[i] == 'b')
			CHECK_STR(plain.what[i], g.what[i]);
	CHECK_EQ(pst.records, st.records);
	CHECK_EQ(pst.bad, st.bad);
	CHECK_EQ(pst.scanned, 0);

	/* a type filter first (a handoff's: lines of other types, the cut one
	 * too, are skipped unparsed), then the fast path */
	static const char *const only_modbus[] = { "modbus", NULL };
	struct log m = { 0 };
	CHECK_EQ(read_with(eve, &m, &st, only_modbus), EVE_READ_OK);
	CHECK_STR(m.kind, "brsbb");
	CHECK_EQ(m.line[0], 4);
	CHECK_EQ(m.line[2], 6);
	CHECK_EQ(st.skipped, 7);
	CHECK_EQ(st.scanned, 1);

	/* the scanned callback stops the reading */
	struct log s = { .stop_at = 6 };
	CHECK_EQ(read_with(eve, &s, &st, NULL), 5);
	CHECK_STR(s.kind, "srbbrs");
	CHECK_EQ(st.lines, 6);
}

int main(void)
{
	RUN(test_values);
	RUN(test_gives_up);
	RUN(test_reader_fast_path);
	return test_done();
}
