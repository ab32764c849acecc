/* SPDX-License-Identifier: BSD-2-Clause */
/* bview.h: every reader gives the bytes' value when they are there, and
 * 0/false with the sticky error when even one is missing; nothing is read
 * past the view (the views below end where a heap buffer ends, so ASan
 * would see a read past them). */
#include "util/bview.h"

#include "test.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

/* A copy of the first n bytes in a buffer of exactly n bytes. */
static uint8_t *exact(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, bytes, n);
	return p;
}

static void test_readers_in_bounds(void)
{
	uint8_t *p = exact(sizeof(bytes));
	struct bview v = bv_make(p, sizeof(bytes));
	CHECK_EQ(bv_u8(&v), 0x01);
	CHECK_EQ(bv_be16(&v), 0x0203);
	CHECK_EQ(bv_be24(&v), 0x040506);
	CHECK_EQ(bv_left(&v), 3);
	CHECK(bv_seek(&v, 0));
	CHECK_EQ(bv_be32(&v), 0x01020304);
	CHECK_EQ(bv_le16(&v), 0x0605);
	CHECK(bv_seek(&v, 1));
	CHECK_EQ(bv_be64(&v), 0x0203040506070809ull);
	CHECK_EQ(bv_left(&v), 0);
	CHECK(!v.err);
	CHECK(bv_seek(&v, 2));
	CHECK_EQ(bv_be_n(&v, 0), 0);
	CHECK_EQ(bv_be_n(&v, 1), 0x03);
	CHECK_EQ(bv_be_n(&v, 3), 0x040506);
	CHECK_EQ(bv_be_n(&v, 3), 0x070809);
	CHECK(!v.err);
	CHECK(bv_seek(&v, 1));
	CHECK_EQ(bv_be_n(&v, 8), 0x0203040506070809ull);
	CHECK(!v.err);
	free(p);
}

/* Each reader on a view one byte too short: 0, err set, cursor unmoved. */
static void test_readers_one_short(void)
{
	for (size_t want = 1; want <= 8; want++) {
		uint8_t *p = exact(want - 1);
		struct bview v = bv_make(p, want - 1);
		uint64_t got = 0;
		switch (want) {
		case 1: got = bv_u8(&v); break;
		case 2: got = bv_be16(&v); break;
		case 3: got = bv_be24(&v); break;
		case 4: got = bv_be32(&v); break;
		case 8: got = bv_be64(&v); break;
		default: got = bv_be_n(&v, (unsigned)want); break;
		}
		CHECK_EQ(got, 0);
		CHECK(v.err);
		CHECK_EQ(v.off, 0);
		struct bview w = bv_make(p, want - 1);
		CHECK_EQ(bv_be_n(&w, (unsigned)want), 0);
		CHECK(w.err);
		free(p);
	}
}

static void test_sticky_error(void)
{
	struct bview v = bv_make(bytes, 3);
	CHECK_EQ(bv_be32(&v), 0);
	CHECK(v.err);
	/* a read that would fit is refused once the view has failed */
	CHECK_EQ(bv_u8(&v), 0);
	CHECK(!bv_skip(&v, 0));
	CHECK(!bv_seek(&v, 0));
	/* more than 8 bytes is an error, never a silent wrap */
	struct bview w = bv_make(bytes, sizeof(bytes));
	CHECK_EQ(bv_be_n(&w, 9), 0);
	CHECK(w.err);
}

static void test_seek_from_rest_sub(void)
{
	struct bview v = bv_make(bytes, 4);
	CHECK(bv_seek(&v, 4)); /* the end itself is a valid place */
	CHECK_EQ(bv_left(&v), 0);
	CHECK(!bv_seek(&v, 5));
	CHECK(v.err);

	v = bv_make(bytes, 4);
	struct bview f = bv_from(&v, 1);
	CHECK(!f.err);
	CHECK_EQ(f.len, 3);
	CHECK_EQ(bv_u8(&f), 0x02);
	f = bv_from(&v, 4);
	CHECK(!f.err);
	CHECK_EQ(f.len, 0);
	f = bv_from(&v, 5);
	CHECK(f.err);
	CHECK_EQ(f.len, 0);

	bv_skip(&v, 3);
	struct bview r = bv_rest(&v);
	CHECK_EQ(r.len, 1);
	CHECK_EQ(r.off, 0);
	CHECK_EQ(bv_u8(&r), 0x04);
	CHECK_EQ(v.off, 3); /* the parent's cursor stays */

	v = bv_make(bytes, 4);
	struct bview s = bv_sub(&v, 2);
	CHECK_EQ(bv_be16(&s), 0x0102);
	CHECK_EQ(bv_u8(&s), 0); /* a sub-view ends where it was cut */
	CHECK(s.err);
	CHECK_EQ(v.off, 2);
	s = bv_sub(&v, 3);
	CHECK(s.err);
	CHECK(v.err);

	/* an empty view over no memory: every reader refuses */
	struct bview n = bv_make(NULL, 10);
	CHECK_EQ(n.len, 0);
	struct bview nf = bv_from(&n, 0);
	CHECK(!nf.err);
	CHECK_EQ(nf.len, 0);
	struct bview ns = bv_sub(&n, 0);
	CHECK(!ns.err);
	CHECK_EQ(bv_u8(&ns), 0);
	CHECK(ns.err);
}

static void test_peeks(void)
{
	uint8_t *p = exact(5);
	struct bview v = bv_make(p, 5);
	uint8_t b = 0;
	uint16_t h = 0;
	uint32_t w = 0;
	CHECK(bv_peek_u8(&v, 4, &b));
	CHECK_EQ(b, 0x05);
	CHECK(!bv_peek_u8(&v, 5, &b));
	CHECK(bv_peek_be16(&v, 3, &h));
	CHECK_EQ(h, 0x0405);
	CHECK(!bv_peek_be16(&v, 4, &h));
	CHECK(!bv_peek_be16(&v, SIZE_MAX, &h));
	CHECK(bv_peek_be32(&v, 1, &w));
	CHECK_EQ(w, 0x02030405);
	CHECK(!bv_peek_be32(&v, 2, &w));
	/* peeks neither move the cursor nor set the error */
	CHECK_EQ(v.off, 0);
	CHECK(!v.err);
	free(p);
}

int main(void)
{
	RUN(test_readers_in_bounds);
	RUN(test_readers_one_short);
	RUN(test_sticky_error);
	RUN(test_seek_from_rest_sub);
	RUN(test_peeks);
	return test_done();
}
