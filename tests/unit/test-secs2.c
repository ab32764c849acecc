/* SPDX-License-Identifier: BSD-2-Clause */
/* SECS-II items: every format and length-byte count, malformed bodies,
 * exact SML, field lookup; GEM table and field extraction. */
#include "dissectors/gem.h"
#include "dissectors/secs2.h"
#include "test.h"

static const struct secs2_limits LIM = { 32, 100000 };

struct row {
	const char *name;
	const char *hex;           /* the body, hex */
	enum secs2_err err;
	const char *sml;           /* NULL: not checked */
};

/* Items built by hand from E5 §9: format byte (code << 2 | n), length, data. */
static const struct row rows[] = {
	{ "empty list", "0100", SECS2_OK, "<L[0]>" },
	{ "list 2-byte length", "020000", SECS2_OK, "<L[0]>" },
	{ "list 3-byte length", "03000000", SECS2_OK, "<L[0]>" },
	{ "binary", "21020aff", SECS2_OK, "<B 0x0a 0xff>" },
	{ "binary 2-byte len", "22000100", SECS2_OK, "<B 0x00>" },
	{ "binary 3-byte len", "2300000101", SECS2_OK, "<B 0x01>" },
	{ "boolean", "25020100", SECS2_OK, "<BOOLEAN TRUE FALSE>" },
	{ "ascii", "41055354415254", SECS2_OK, "<A \"START\">" },
	{ "ascii empty", "4100", SECS2_OK, "<A \"\">" },
	{ "ascii 3-byte len", "430000024f4b", SECS2_OK, "<A \"OK\">" },
	{ "ascii escapes", "4104225c0a01", SECS2_OK, "<A \"\\\"\\\\\\x0a\\x01\">" },
	{ "jis8", "45024142", SECS2_OK, "<J \"AB\">" },
	{ "localized utf-8", "4905000268c3a9", SECS2_OK, "<LOC[5] enc=2 \"h\\xc3\\xa9\">" },
	{ "i1", "6502ff7f", SECS2_OK, "<I1 -1 127>" },
	{ "i2", "6902fffe", SECS2_OK, "<I2 -2>" },
	{ "i4", "7104fffffffd", SECS2_OK, "<I4 -3>" },
	{ "i8", "6108fffffffffffffffc", SECS2_OK, "<I8 -4>" },
	{ "u1", "a5030102ff", SECS2_OK, "<U1 1 2 255>" },
	{ "u2", "a9020100", SECS2_OK, "<U2 256>" },
	{ "u4", "b10400010000", SECS2_OK, "<U4 65536>" },
	{ "u8", "a108ffffffffffffffff", SECS2_OK, "<U8 18446744073709551615>" },
	{ "f4", "91043fc00000", SECS2_OK, "<F4 1.5>" },
	{ "f8", "8108c000000000000000", SECS2_OK, "<F8 -2>" },
	{ "u4 empty", "b100", SECS2_OK, "<U4>" },
	{ "nested", "0102410553544152540100", SECS2_OK, "<L[2] <A \"START\"> <L[0]>>" },
	{ "deeper", "010201020100a50101a50102", SECS2_OK,
	  "<L[2] <L[2] <L[0]> <U1 1>> <U1 2>>" },
	{ "empty body", "", SECS2_OK, "" },
	/* malformed */
	{ "zero length bytes", "40", SECS2_E_ZERO_LENGTH_BYTES, "..." },
	{ "unknown format 077", "fd00", SECS2_E_UNKNOWN_FORMAT, "..." },
	{ "unknown format 013", "2d00", SECS2_E_UNKNOWN_FORMAT, "..." },
	{ "u4 with 3 bytes", "b103000001", SECS2_E_ELEMENT_SIZE, "..." },
	{ "localized without encoding", "490141", SECS2_E_ELEMENT_SIZE, "..." },
	{ "ascii longer than body", "41054142", SECS2_E_TRUNCATED, "..." },
	{ "huge 3-byte length", "43ffffff41", SECS2_E_TRUNCATED, "..." },
	{ "length bytes cut", "4200", SECS2_E_TRUNCATED, "..." },
	{ "list promises more", "01034100", SECS2_E_TRUNCATED, "..." },
	{ "huge list count", "03ffffff0100", SECS2_E_TRUNCATED, "..." },
	{ "trailing bytes", "41014141", SECS2_E_TRAILING, "<A \"A\">" },
	{ "two roots", "01000100", SECS2_E_TRAILING, "<L[0]>" },
};

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t tmp[256];
		size_t n = unhex(rows[i].hex, tmp);
		uint8_t *body = malloc(n ? n : 1); /* exact size: over-reads trip ASan */
		memcpy(body, tmp, n);
		struct secs2_check c;
		secs2_validate(body, n, n, &LIM, &c);
		if (c.err != rows[i].err)
			fprintf(stderr, "row '%s'\n", rows[i].name);
		CHECK_EQ(c.err, rows[i].err);
		char sml[256];
		bool cut;
		secs2_sml(body, n, n, &LIM, sml, sizeof(sml), &cut);
		if (rows[i].sml) {
			if (strcmp(sml, rows[i].sml) != 0)
				fprintf(stderr, "row '%s'\n", rows[i].name);
			CHECK_STR(sml, rows[i].sml);
		}
		free(body);
	}
}

/* Every prefix of a valid body is a truncated body, never a crash. */
static void test_every_cut(void)
{
	uint8_t tmp[64];
	size_t n = unhex("01034105535441525401020100a50101b10400010000", tmp);
	struct secs2_check full;
	secs2_validate(tmp, n, n, &LIM, &full);
	CHECK_EQ(full.err, SECS2_OK);
	CHECK_EQ(full.items, 6);
	CHECK_EQ(full.depth, 2);
	for (size_t cut = 1; cut < n; cut++) {
		uint8_t *b = malloc(cut);
		memcpy(b, tmp, cut);
		struct secs2_check c;
		secs2_validate(b, cut, cut, &LIM, &c);
		CHECK_EQ(c.err, SECS2_E_TRUNCATED);
		/* the same bytes as a window of the whole body: partial, fine */
		secs2_validate(b, cut, n, &LIM, &c);
		CHECK_EQ(c.err, SECS2_PARTIAL);
		char sml[128];
		bool t;
		secs2_sml(b, cut, n, &LIM, sml, sizeof(sml), &t);
		CHECK(t);
		free(b);
	}
}

static void test_depth_and_count_limits(void)
{
	uint8_t b[200];
	size_t n = 0;
	for (int i = 0; i < 40; i++) { /* 40 nested one-element lists */
		b[n++] = 0x01;
		b[n++] = 0x01;
	}
	b[n++] = 0x01;
	b[n++] = 0x00;
	struct secs2_check c;
	secs2_validate(b, n, n, &LIM, &c);
	CHECK_EQ(c.err, SECS2_E_DEPTH);
	struct secs2_limits deep = { 64, 1000 };
	secs2_validate(b, n, n, &deep, &c);
	CHECK_EQ(c.err, SECS2_OK);
	CHECK_EQ(c.depth, 40);

	n = 0;
	b[n++] = 0x01;
	b[n++] = 50;
	for (int i = 0; i < 50; i++) {
		b[n++] = 0x01;
		b[n++] = 0x00;
	}
	struct secs2_limits few = { 32, 10 };
	secs2_validate(b, n, n, &few, &c);
	CHECK_EQ(c.err, SECS2_E_TOO_MANY_ITEMS);
	secs2_validate(b, n, n, &LIM, &c);
	CHECK_EQ(c.err, SECS2_OK);
	CHECK_EQ(c.items, 51);
}

static void test_sml_bounds(void)
{
	uint8_t b[400];
	size_t n = 0;
	b[n++] = 0x41;
	b[n++] = 100;
	for (int i = 0; i < 100; i++)
		b[n++] = (uint8_t)('a' + i % 26);
	char sml[512];
	bool cut;
	secs2_sml(b, n, n, &LIM, sml, sizeof(sml), &cut);
	CHECK(!cut);
	CHECK_STR(sml, "<A[100] \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\" ...>");
	/* binary array: 16 elements shown, length given */
	n = 0;
	b[n++] = 0x21;
	b[n++] = 20;
	for (int i = 0; i < 20; i++)
		b[n++] = (uint8_t)i;
	secs2_sml(b, n, n, &LIM, sml, sizeof(sml), &cut);
	CHECK_STR(sml, "<B[20] 0x00 0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0x0a 0x0b 0x0c 0x0d 0x0e "
		       "0x0f ...>");
	/* output too small: visible ellipsis, never overrun */
	uint8_t l[64];
	size_t ln = unhex("0103410553544152544105535441525441055354415254", l);
	for (size_t cap = 0; cap < 40; cap++) {
		char *o = malloc(cap ? cap : 1);
		size_t w = secs2_sml(l, ln, ln, &LIM, o, cap, &cut);
		if (cap) {
			CHECK(w < cap);
			CHECK_EQ(strlen(o), w);
		}
		if (cap >= 5 && cap < 30) {
			CHECK(cut);
			CHECK(w >= 3 && strcmp(o + w - 3, "...") == 0);
		}
		free(o);
	}
	/* a window that ends inside a big item */
	uint8_t big[32];
	size_t bn = unhex("01024102505023001000" "42424242", big); /* B[4096], 4 bytes at hand */
	secs2_sml(big, bn, bn - 4 + 4096, &LIM, sml, sizeof(sml), &cut);
	CHECK_STR(sml, "<L[2] <A \"PP\"> <B[4096] 0x42 0x42 0x42 0x42 ...>>");
	CHECK(cut);
}

static void test_path_and_values(void)
{
	uint8_t b[128];
	/* <L[2] <A "START"> <L[2] <L[2] <A "LOTID"> <A "L42">> <L[2] <A "QTY"> <U4 25>>>> */
	size_t n = unhex("0102" "41055354415254" "0102" "0102" "41054c4f544944" "41034c3432"
			 "0102" "4103515459" "b10400000019", b);
	struct secs2_check c;
	secs2_validate(b, n, n, &LIM, &c);
	CHECK_EQ(c.err, SECS2_OK);
	struct secs2_item it;
	char v[64];
	CHECK(secs2_path(b, n, n, &LIM, (const uint8_t[]){ 0 }, 1, &it));
	secs2_value_str(&it, v, sizeof(v));
	CHECK_STR(v, "START");
	CHECK(secs2_path(b, n, n, &LIM, (const uint8_t[]){ 1, 1, 1 }, 3, &it));
	uint64_t u;
	CHECK(secs2_u64(&it, &u));
	CHECK_EQ(u, 25);
	CHECK(!secs2_path(b, n, n, &LIM, (const uint8_t[]){ 2 }, 1, &it));
	CHECK(!secs2_path(b, n, n, &LIM, (const uint8_t[]){ 0, 0 }, 2, &it));
	uint8_t i1[] = { 0x65, 0x01, 0xfe };
	secs2_item_at(i1, 3, 3, 0, &it);
	CHECK(secs2_u64(&it, &u));
	CHECK_EQ((int64_t)u, -2);
}

static void test_gem(void)
{
	const struct gem_msg *m = gem_lookup(2, 41);
	CHECK(m && strcmp(m->name, "Host Command Send") == 0);
	CHECK_EQ(gem_category_of(2, 41), GEM_CAT_REMOTE_COMMAND);
	CHECK_EQ(gem_category_of(7, 5), GEM_CAT_RECIPE_UPLOAD);
	CHECK_EQ(gem_category_of(7, 0), GEM_CAT_ABORT);
	CHECK_EQ(gem_category_of(7, 99), GEM_CAT_RECIPE_MANAGEMENT);
	CHECK_EQ(gem_category_of(99, 1), GEM_CAT_UNKNOWN);
	CHECK(gem_lookup(99, 1) == NULL);
	CHECK_STR(gem_category_name(GEM_CAT_RECIPE_DOWNLOAD), "recipe-download");
	CHECK_EQ(gem_category_parse("ec-change"), GEM_CAT_EC_CHANGE);
	CHECK_EQ(gem_category_parse("nonsense"), GEM_CAT_COUNT);
	for (int c = 0; c < GEM_CAT_COUNT; c++)
		CHECK_EQ(gem_category_parse(gem_category_name((enum gem_category)c)), c);

	struct gem_fields g;
	uint8_t b[128];
	/* S2F41 <L[2] <A "START"> <L[1] <L[2] <A "LOTID"> <A "L42">>>> */
	size_t n = unhex("010241055354415254010101024105" "4c4f544944" "41034c3432", b);
	gem_extract(2, 41, b, n, n, &LIM, &g);
	CHECK_STR(gem_field(&g, "rcmd")->text, "START");
	CHECK_STR(gem_field(&g, "params")->text, "LOTID=L42");
	CHECK_EQ(g.ack, -1);
	/* S2F42 <L[2] <B 0x04> <L[0]>>: HCACK 4 is success ("will be performed") */
	n = unhex("0102210104" "0100", b);
	gem_extract(2, 42, b, n, n, &LIM, &g);
	CHECK_EQ(g.ack, 4);
	CHECK_STR(g.ack_name, "hcack");
	CHECK(gem_ack_ok(g.ack_name, g.ack));
	CHECK(!gem_ack_ok("ackc7", 4));
	/* S1F14 <L[2] <B 0> <L[2] <A "ETCH"> <A "1.0">>> */
	n = unhex("0102210100" "0102" "410445544348" "4103312e30", b);
	gem_extract(1, 14, b, n, n, &LIM, &g);
	CHECK_STR(gem_field(&g, "mdln")->text, "ETCH");
	CHECK_STR(gem_field(&g, "softrev")->text, "1.0");
	CHECK_EQ(gem_field(&g, "commack")->num, 0);
	/* S5F1 <L[3] <B 0x82> <U4 1001> <A "OVERTEMP">> */
	n = unhex("0103210182" "b104000003e9" "41084f56455254454d50", b);
	gem_extract(5, 1, b, n, n, &LIM, &g);
	CHECK_EQ(gem_field(&g, "alcd")->num, 0x82);
	CHECK_EQ(gem_field(&g, "alid")->num, 1001);
	CHECK(gem_field(&g, "alid")->numeric);
	CHECK_STR(gem_field(&g, "altx")->text, "OVERTEMP");
	/* S7F3 window cut inside a 1 MB PPBODY: PPID and its length still known */
	n = unhex("0102" "410452435031" "23" "0f4240" "424242", b);
	gem_extract(7, 3, b, n, n - 3 + 1000000, &LIM, &g);
	CHECK_STR(gem_field(&g, "ppid")->text, "RCP1");
	CHECK_EQ(gem_field(&g, "ppbody_length")->num, 1000000);
	/* S9F5 with the header of the message it refuses */
	n = unhex("210a" "0001" "8219" "0000" "00000007", b);
	gem_extract(9, 5, b, n, n, &LIM, &g);
	CHECK_STR(gem_field(&g, "mhead_sf")->text, "S2F25 W");
	CHECK_EQ(gem_field(&g, "mhead_session_id")->num, 1);
	/* S2F15 <L[2] <L[2] <U4 10> <I4 -5>> <L[2] <A "T3"> <U2 45>>> */
	n = unhex("0102" "0102b1040000000a71" "04fffffffb" "01024102" "5433a902002d", b);
	gem_extract(2, 15, b, n, n, &LIM, &g);
	CHECK_STR(gem_field(&g, "ecids")->text, "10,T3");
	CHECK_STR(gem_field(&g, "ec_values")->text, "10=-5,T3=45");
	/* malformed bodies yield no fields, never a crash */
	n = unhex("01054100", b);
	gem_extract(2, 41, b, n, n, &LIM, &g);
	CHECK(gem_field(&g, "params") == NULL);
}

int main(void)
{
	RUN(test_table);
	RUN(test_every_cut);
	RUN(test_depth_and_count_limits);
	RUN(test_sml_bounds);
	RUN(test_path_and_values);
	RUN(test_gem);
	return test_done();
}
