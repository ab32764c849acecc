/* SPDX-License-Identifier: BSD-2-Clause */
/* asset_kv.c: the merge of asset records into one inventory entry — exact
 * entries, the same entry in any order and when a record comes twice, the
 * keys, and what is not an asset record or not fabmon's value. */
#include "sensor/output/asset_kv.h"

#include <stdlib.h>
#include <string.h>

#include "test.h"

/* 10.30.1.21 as two sensors see it (records cut to what the merge reads) */
static const char *const s1_new =
	"{\"event_type\":\"asset\",\"asset\":{\"change\":\"new\",\"kind\":\"equipment\","
	"\"protocol\":\"hsms\",\"ip\":\"10.30.1.21\",\"hsms_ports\":[5000],\"device_ids\":[0],"
	"\"hosts\":[\"10.20.1.10\"],\"first_seen\":\"2026-03-02T08:00:00.005500+0000\","
	"\"last_seen\":\"2026-03-02T08:00:00.009099+0000\",\"messages\":4}}";
static const char *const s1_ident =
	"{\"event_type\":\"asset\",\"asset\":{\"change\":\"identified\",\"kind\":\"equipment\","
	"\"protocol\":\"hsms\",\"ip\":\"10.30.1.21\",\"model\":\"ETCH-3000\","
	"\"software_revision\":\"4.2.1\",\"hsms_ports\":[5000],\"device_ids\":[0],"
	"\"hosts\":[\"10.20.1.10\"],\"first_seen\":\"2026-03-02T08:00:00.005500+0000\","
	"\"last_seen\":\"2026-03-02T08:00:00.010000+0000\",\"messages\":6}}";
static const char *const s2_new =
	"{\"event_type\":\"asset\",\"asset\":{\"change\":\"new\",\"kind\":\"equipment\","
	"\"protocol\":\"hsms\",\"ip\":\"10.30.1.21\",\"hsms_ports\":[5001],\"device_ids\":[0],"
	"\"hosts\":[\"10.20.1.99\"],\"first_seen\":\"2026-03-02T07:59:00.000000+0000\","
	"\"last_seen\":\"2026-03-02T08:00:05.000000+0000\",\"messages\":2}}";

static const char *const merged_all =
	"{\"by_sensor\":{\"s1\":{\"first_seen\":\"2026-03-02T08:00:00.005500+0000\","
	"\"last_seen\":\"2026-03-02T08:00:00.010000+0000\",\"messages\":6},"
	"\"s2\":{\"first_seen\":\"2026-03-02T07:59:00.000000+0000\","
	"\"last_seen\":\"2026-03-02T08:00:05.000000+0000\",\"messages\":2}},"
	"\"device_ids\":[0],\"first_seen\":\"2026-03-02T07:59:00.000000+0000\","
	"\"hosts\":[\"10.20.1.10\",\"10.20.1.99\"],\"hsms_ports\":[5000,5001],"
	"\"ip\":\"10.30.1.21\",\"kind\":\"equipment\","
	"\"last_seen\":\"2026-03-02T08:00:05.000000+0000\",\"model\":\"ETCH-3000\","
	"\"protocol\":\"hsms\",\"sensors\":[\"s1\",\"s2\"],\"site\":\"fab1\","
	"\"software_revision\":\"4.2.1\"}";

struct step {
	const char *record, *sensor;
};

/* The entry after the records in order, from nothing. */
static char *fold(const struct step *steps, size_t n)
{
	char *cur = NULL;
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nlen = 0;
		char *next = asset_kv_merge(cur, len, steps[i].record, strlen(steps[i].record), "fab1",
					    steps[i].sensor, &nlen);
		free(cur);
		cur = next;
		len = nlen;
	}
	return cur;
}

static void test_merge_exact(void)
{
	const struct step s[] = { { s1_new, "s1" }, { s1_ident, "s1" }, { s2_new, "s2" } };
	char *e = fold(s, 3);
	CHECK_STR(e, merged_all);
	free(e);
	/* one sensor, one record */
	const struct step one[] = { { s1_new, "s1" } };
	e = fold(one, 1);
	CHECK(e && strstr(e, "\"sensors\":[\"s1\"]") && strstr(e, "\"messages\":4") &&
	      !strstr(e, "change") && !strstr(e, "model"));
	free(e);
}

static void test_any_order_and_twice(void)
{
	/* every order of the three, and each record sent twice */
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
					  { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	const struct step all[] = { { s1_new, "s1" }, { s1_ident, "s1" }, { s2_new, "s2" } };
	for (int o = 0; o < 6; o++) {
		struct step s[6];
		for (int i = 0; i < 3; i++)
			s[2 * i] = s[2 * i + 1] = all[orders[o][i]];
		char *e = fold(s, 6);
		CHECK_STR(e, merged_all);
		free(e);
	}
	/* a newer identification replaces the names; the lists keep growing */
	const char *upgraded =
		"{\"event_type\":\"asset\",\"asset\":{\"ip\":\"10.30.1.21\",\"model\":\"ETCH-3000\","
		"\"software_revision\":\"4.3.0\",\"last_seen\":\"2026-03-03T00:00:00.000000+0000\"}}";
	const struct step up[] = { { s1_ident, "s1" }, { upgraded, "s2" }, { s1_ident, "s1" } };
	char *e = fold(up, 3);
	CHECK(e && strstr(e, "\"software_revision\":\"4.3.0\""));
	free(e);
}

static void test_not_assets(void)
{
	size_t len = 99;
	static const char *const bad[] = {
		"{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\"}",
		"{\"event_type\":\"asset\",\"asset\":{\"kind\":\"equipment\"}}", /* no ip */
		"{\"event_type\":\"asset\",\"asset\":{\"ip\":21}}",
		"{\"event_type\":\"asset\",\"asset\":[1,2]}",
		"{\"event_type\":\"asset\",\"asset\":{\"ip\":\"10.0.0.1\"", /* cut */
		"",
		"not json",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!asset_kv_merge(NULL, 0, bad[i], strlen(bad[i]), "fab1", "s1", &len));
	/* a stored value that is not fabmon's (not an object, cut): started afresh */
	static const char *const stored[] = { "[1]", "{\"ip\":", "", "42" };
	for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++) {
		char *e = asset_kv_merge(stored[i], strlen(stored[i]), s1_new, strlen(s1_new), "fab1",
					 "s1", &len);
		CHECK(e && len == strlen(e) && strstr(e, "\"ip\":\"10.30.1.21\""));
		free(e);
	}
	/* wrong types in the record are taken as given, never crash */
	const char *odd = "{\"asset\":{\"ip\":\"10.0.0.9\",\"messages\":\"many\",\"first_seen\":3,"
			  "\"hosts\":{}}}";
	char *e = asset_kv_merge(NULL, 0, odd, strlen(odd), "fab1", "s1", &len);
	CHECK(e && strstr(e, "\"ip\":\"10.0.0.9\""));
	free(e);
}

static void test_keys(void)
{
	char key[192];
	asset_kv_key(key, sizeof(key), "fab1", "10.30.1.21");
	CHECK_STR(key, "fab1.10.30.1.21");
	asset_kv_key(key, sizeof(key), "fab1", "2001:db8::1");
	CHECK_STR(key, "fab1.2001_db8__1");
	char small[8];
	asset_kv_key(small, sizeof(small), "fab1", "10.30.1.21");
	CHECK_STR(small, "fab1.10"); /* cut, terminated */
}

int main(void)
{
	RUN(test_merge_exact);
	RUN(test_any_order_and_twice);
	RUN(test_not_assets);
	RUN(test_keys);
	return test_done();
}
