/* SPDX-License-Identifier: BSD-2-Clause */
/* rfc3339.c: the EVE form fabmon writes (Suricata's, "+0000"), the "Z"
 * form STIX wants, and the parser that reads both and the "+00:00" of
 * eve.json files written by earlier fabmon versions. */
#include "util/rfc3339.h"

#include "test.h"

/* 2026-03-02T08:00:07.123456 UTC */
#define T0 (INT64_C(1772438407) * 1000000 + 123456)

static void test_write_forms(void)
{
	char out[40];
	rfc3339_eve(T0 / 1000000, T0 % 1000000, out);
	CHECK_STR(out, "2026-03-02T08:00:07.123456+0000");
	CHECK_EQ(strlen(out), 31);
	rfc3339_utc(T0, out);
	CHECK_STR(out, "2026-03-02T08:00:07.123456Z");
	/* the cached date is per second: the next second and back again */
	rfc3339_eve(T0 / 1000000 + 1, 5, out);
	CHECK_STR(out, "2026-03-02T08:00:08.000005+0000");
	rfc3339_eve(T0 / 1000000, 999999, out);
	CHECK_STR(out, "2026-03-02T08:00:07.999999+0000");
	rfc3339_eve(0, 0, out);
	CHECK_STR(out, "1970-01-01T00:00:00.000000+0000");
	/* microseconds past a second are reduced, as eve_format_time did */
	rfc3339_eve(0, 1000001, out);
	CHECK_STR(out, "1970-01-01T00:00:00.000001+0000");
}

static void test_parse_both_forms(void)
{
	static const char *const same[] = {
		"2026-03-02T08:00:07.123456+0000",  /* fabmon now, Suricata */
		"2026-03-02T08:00:07.123456+00:00", /* fabmon before: old eve.json files */
		"2026-03-02T08:00:07.123456Z",
		"2026-03-02t08:00:07.123456z",
		"2026-03-02 08:00:07.123456+0000",
		"2026-03-02T17:00:07.123456+0900",
		"2026-03-02T17:00:07.123456+09:00",
		"2026-03-02T03:30:07.123456-0430",
		"2026-03-02T03:30:07.123456-04:30",
		"2026-03-02T08:00:07.1234567890+0000", /* digits past the sixth ignored */
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		int64_t us = 0;
		CHECK(rfc3339_parse(same[i], &us));
		if (us != T0)
			fprintf(stderr, "  %s -> %" PRId64 "\n", same[i], us);
		CHECK_EQ(us, T0);
	}
	int64_t us = 0;
	CHECK(rfc3339_parse("2026-03-02T08:00:07+0000", &us));
	CHECK_EQ(us, T0 - 123456);
	CHECK(rfc3339_parse("2026-03-02T08:00:07.1Z", &us));
	CHECK_EQ(us, T0 - 23456);
}

static void test_parse_rejects(void)
{
	static const char *const bad[] = {
		"", "2026", "2026-03-02", "2026-03-02T08:00:07", /* no offset */
		"2026-03-02T08:00:07.123456",                  /* no offset */
		"2026-03-02T08:00:07.123456+",                 /* truncated offsets */
		"2026-03-02T08:00:07.123456+0",
		"2026-03-02T08:00:07.123456+00",
		"2026-03-02T08:00:07.123456+000",
		"2026-03-02T08:00:07.123456+00:",
		"2026-03-02T08:00:07.123456+00:0",
		"2026-03-02T08:00:07.123456+00000",            /* oversized */
		"2026-03-02T08:00:07.123456+00:000",
		"2026-03-02T08:00:07.123456+0000 ",
		"2026-03-02T08:00:07.123456+00:00Z",
		"2026-03-02T08:00:07.123456+2400",             /* malformed */
		"2026-03-02T08:00:07.123456+0060",
		"2026-03-02T08:00:07.123456+0a00",
		"2026-03-02T08:00:07.123456+00;00",
		"2026-03-02T08:00:07.+0000",
		"2026-13-02T08:00:07.123456+0000",
		"2026-03-02T24:00:07.123456+0000",
		"2026-03-02X08:00:07.123456+0000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t us = 42;
		bool ok = rfc3339_parse(bad[i], &us);
		if (ok)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		CHECK(!ok);
	}
	int64_t us;
	CHECK(!rfc3339_parse(NULL, &us));
}

static void test_to_eve(void)
{
	char out[40] = "unchanged";
	CHECK(rfc3339_to_eve("2026-03-02T08:00:07.123456+00:00", out));
	CHECK_STR(out, "2026-03-02T08:00:07.123456+0000");
	CHECK(rfc3339_to_eve("2026-03-02T17:00:07.123456+09:00", out));
	CHECK_STR(out, "2026-03-02T08:00:07.123456+0000");
	CHECK(rfc3339_to_eve("2026-03-02T08:00:07Z", out));
	CHECK_STR(out, "2026-03-02T08:00:07.000000+0000");
	CHECK(rfc3339_to_eve("1969-12-31T23:59:59.500000+0000", out));
	CHECK_STR(out, "1969-12-31T23:59:59.500000+0000");
	strcpy(out, "unchanged");
	CHECK(!rfc3339_to_eve("yesterday", out));
	CHECK_STR(out, "unchanged");
}

int main(void)
{
	RUN(test_write_forms);
	RUN(test_parse_both_forms);
	RUN(test_parse_rejects);
	RUN(test_to_eve);
	return test_done();
}
