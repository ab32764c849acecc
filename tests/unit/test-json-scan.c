/* SPDX-License-Identifier: BSD-2-Clause */
/* The conservative JSON scan: the values it picks out, what it gives up on
 * (truncated, malformed, oversized, beyond its remit), and for every text it
 * answers, the same values as jansson's full parse. */
#include <jansson.h>

#include "util/json_scan.h"
#include "jscan_oracle.h"
#include "test.h"

enum { ET, SRC, SF, STYPE, MBFN, NF };

static void fields(struct jscan_field f[NF])
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
static enum jscan_result scan(const char *text, struct jscan_field f[NF])
{
	fields(f);
	enum jscan_result r = json_scan(text, strlen(text), f, NF);
	if (r == JSCAN_OK) {
		json_error_t e;
		json_t *o = json_loads(text, JSON_ALLOW_NUL, &e);
		CHECK(json_is_object(o));
		for (int i = 0; o && i < NF; i++) {
			const char *a = f[i].value, *b = jscan_oracle(o, &f[i]);
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
	struct jscan_field f[NF];
	CHECK_EQ(scan("{\"timestamp\":\"2026-03-02T08:00:00.000800+00:00\",\"event_type\":\"hsms\","
		      "\"flow_id\":54760015194115,\"src_ip\":\"10.20.1.10\",\"src_port\":40000,"
		      "\"hsms\":{\"direction\":\"toserver\",\"session_id\":65535,\"sf\":\"S6F11\","
		      "\"body\":{\"sml\":\"<L [2] <U4 7> <A \\\"x\\\">>\",\"items\":[1,2.5,-3,true,"
		      "false,null,[],{}]}},\"x\":-0.0}", f), JSCAN_OK);
	CHECK_STR(f[ET].value, "hsms");
	CHECK_STR(f[SRC].value, "10.20.1.10");
	CHECK_STR(f[SF].value, "S6F11");
	CHECK(f[STYPE].value == NULL);
	/* whitespace anywhere JSON allows it; escapes decoded */
	CHECK_EQ(scan(" \t{ \"event_type\" : \"a\\\"b\\\\c\\/d\\n\" , \"hsms\" : { } }\r ", f), JSCAN_OK);
	CHECK_STR(f[ET].value, "a\"b\\c/d\n");
	/* a member that is not a string, a parent that is not an object */
	CHECK_EQ(scan("{\"event_type\":5,\"hsms\":\"S1F1\",\"src_ip\":null}", f), JSCAN_OK);
	CHECK(f[ET].value == NULL && f[SF].value == NULL && f[SRC].value == NULL);
	/* a nested member of that name elsewhere is not the wanted one */
	CHECK_EQ(scan("{\"flow\":{\"sf\":\"S9F9\",\"event_type\":\"x\"},\"hsms\":{\"stype\":\"select.req\"}}", f),
		 JSCAN_OK);
	CHECK(f[ET].value == NULL && f[SF].value == NULL);
	CHECK_STR(f[STYPE].value, "select.req");
	CHECK_EQ(scan("{}", f), JSCAN_OK);
	CHECK_EQ(scan("{\"\":\"\",\"event_type\":\"\"}", f), JSCAN_OK);
	CHECK_STR(f[ET].value, "");
	/* a member two objects down; a dotted key is no path; \u escapes of
	 * ASCII (Suricata's byte strings) where nothing is wanted */
	CHECK_EQ(scan("{\"event_type\":\"modbus\",\"modbus\":{\"id\":1,\"function_name\":\"x\","
		      "\"request\":{\"function_name\":\"read_coils\",\"read\":{\"data\":\"\\u0000\\u007f\\u001F\"}},"
		      "\"response\":{\"function_name\":\"y\"}},\"modbus.request\":{\"function_name\":\"z\"}}", f),
		 JSCAN_OK);
	CHECK_STR(f[MBFN].value, "read_coils");
	CHECK_EQ(scan("{\"modbus\":{\"request\":5}}", f), JSCAN_OK);
	CHECK(f[MBFN].value == NULL);
	CHECK_EQ(scan("{\"modbus\":{\"response\":{\"function_name\":\"y\"}}}", f), JSCAN_OK);
	CHECK(f[MBFN].value == NULL);
	/* 18 characters of number: still certain to fit */
	CHECK_EQ(scan("{\"n\":-12345678901234567,\"m\":123456789.12345678}", f), JSCAN_OK);
}

static void test_gives_up(void)
{
	struct jscan_field f[NF];
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
		enum jscan_result r = scan(texts[i], f);
		if (r != JSCAN_GIVE_UP)
			fprintf(stderr, "not given up: %s\n", texts[i]);
		CHECK_EQ(r, JSCAN_GIVE_UP);
	}
	/* a NUL inside the text */
	fields(f);
	CHECK_EQ(json_scan("{\"a\":\"x\0y\"}", 11, f, NF), JSCAN_GIVE_UP);
	/* too deep */
	char deep[200] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	for (int i = 0; i < 40; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	CHECK_EQ(scan(deep, f), JSCAN_GIVE_UP);
	/* a wanted string longer than its buffer */
	char big[400] = "{\"event_type\":\"";
	memset(big + strlen(big), 'x', 200);
	strcat(big, "\"}");
	CHECK_EQ(scan(big, f), JSCAN_GIVE_UP);
	/* every truncation of a valid record is given up (or still whole) */
	static const char rec[] = "{\"event_type\":\"hsms\",\"hsms\":{\"sf\":\"S6F11\",\"n\":[1,{\"b\":true}]}}";
	for (size_t n = 0; n < sizeof(rec) - 1; n++) {
		fields(f);
		CHECK_EQ(json_scan(rec, n, f, NF), JSCAN_GIVE_UP);
	}
}

int main(void)
{
	RUN(test_values);
	RUN(test_gives_up);
	return test_done();
}
