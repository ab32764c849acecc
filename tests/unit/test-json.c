/* SPDX-License-Identifier: BSD-2-Clause */
/* JSON writer: exact output, escaping, and validity whatever the bytes. */
#include "util/json.h"
#include "test.h"

static const char *str(struct jbuf *b)
{
	static char out[4096];
	size_t n = b->len < sizeof(out) - 1 ? b->len : sizeof(out) - 1;
	memcpy(out, b->p, n);
	out[n] = '\0';
	return out;
}

static void test_structure(void)
{
	struct jbuf b;
	CHECK(jb_init(&b, 8)); /* tiny: forces growth */
	jb_obj_open(&b, NULL);
	jb_str(&b, "a", "x");
	jb_u64(&b, "n", 18446744073709551615ull);
	jb_i64(&b, "neg", -5);
	jb_bool(&b, "t", true);
	jb_null(&b, "z");
	jb_arr_open(&b, "arr");
	jb_u64(&b, NULL, 1);
	jb_str(&b, NULL, "two");
	jb_obj_open(&b, NULL);
	jb_obj_close(&b);
	jb_arr_close(&b);
	jb_obj_open(&b, "o");
	jb_double(&b, "d", 1.5);
	jb_obj_close(&b);
	jb_obj_close(&b);
	CHECK_STR(str(&b), "{\"a\":\"x\",\"n\":18446744073709551615,\"neg\":-5,\"t\":true,\"z\":null,"
			   "\"arr\":[1,\"two\",{}],\"o\":{\"d\":1.500000}}");
	CHECK(!b.oom);
	jb_reset(&b);
	jb_obj_open(&b, NULL);
	jb_double(&b, "nan", 0.0 / 0.0);
	jb_obj_close(&b);
	CHECK_STR(str(&b), "{\"nan\":null}");
	jb_free(&b);
}

static void test_escaping(void)
{
	struct jbuf b;
	CHECK(jb_init(&b, 64));
	const uint8_t raw[] = { 'a', '"', '\\', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, 0x00, 'z' };
	jb_strn(&b, NULL, raw, sizeof(raw));
	CHECK_STR(str(&b), "\"a\\\"\\\\\\n\\r\\t\\u0001\\u001f\\u007f\\u0000z\"");

	/* valid UTF-8 passes; invalid sequences become U+FFFD */
	jb_reset(&b);
	const uint8_t utf[] = { 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac, /* 日本 */
				0xff, 0xc3, 0x28, /* bad lead, bad continuation */
				0xed, 0xa0, 0x80, /* surrogate */
				0xe0, 0x80, 0x80, /* overlong */
				0xf0, 0x9f, 0x98 /* cut 4-byte */ };
	jb_strn(&b, NULL, utf, sizeof(utf));
	CHECK_STR(str(&b), "\"日本\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
			   "\\ufffd\\ufffd\"");
	jb_free(&b);
}

/* Every byte value alone and in random runs yields printable ASCII or valid
 * UTF-8 with no raw control characters: one line per record, always. */
static void test_any_bytes(void)
{
	struct jbuf b;
	CHECK(jb_init(&b, 64));
	unsigned seed = 7;
	for (int round = 0; round < 2000; round++) {
		uint8_t in[64];
		size_t n = (size_t)(rand_r(&seed) % 64);
		for (size_t i = 0; i < n; i++)
			in[i] = (uint8_t)rand_r(&seed);
		jb_reset(&b);
		jb_strn(&b, "k", in, n);
		int bad = 0;
		for (size_t i = 0; i < b.len; i++)
			if ((uint8_t)b.p[i] < 0x20)
				bad++;
		CHECK_EQ(bad, 0);
	}
	jb_free(&b);
}

int main(void)
{
	RUN(test_structure);
	RUN(test_escaping);
	RUN(test_any_bytes);
	return test_done();
}
