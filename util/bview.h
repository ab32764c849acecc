/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bview: a bounded, read-only view over captured bytes.
 *
 * Every read a parser makes goes through these helpers (tcpdump's GET_* idea,
 * without longjmp). A short read returns false/0 and sets the sticky `err`
 * flag, so a parser can do several reads and check `v->err` once. Checks are
 * written as `len - off >= n`, never as pointer arithmetic past the end.
 */
#ifndef FABMON_BVIEW_H
#define FABMON_BVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bview {
	const uint8_t *p;  /* first byte of the view */
	size_t len;        /* bytes available (never past the captured length) */
	size_t off;        /* read cursor */
	bool err;          /* sticky: set by any read that would overrun */
};

static inline struct bview bv_make(const uint8_t *p, size_t len)
{
	struct bview v = { p, p ? len : 0, 0, false };
	return v;
}

static inline size_t bv_left(const struct bview *v)
{
	return v->len - v->off;
}

static inline bool bv_need(struct bview *v, size_t n)
{
	if (v->err || v->len - v->off < n) {
		v->err = true;
		return false;
	}
	return true;
}

static inline const uint8_t *bv_ptr(const struct bview *v)
{
	return v->p + v->off;
}

static inline bool bv_skip(struct bview *v, size_t n)
{
	if (!bv_need(v, n))
		return false;
	v->off += n;
	return true;
}

static inline uint8_t bv_u8(struct bview *v)
{
	if (!bv_need(v, 1))
		return 0;
	return v->p[v->off++];
}

static inline uint16_t bv_be16(struct bview *v)
{
	if (!bv_need(v, 2))
		return 0;
	const uint8_t *q = v->p + v->off;
	v->off += 2;
	return (uint16_t)((uint16_t)q[0] << 8 | q[1]);
}

static inline uint16_t bv_le16(struct bview *v)
{
	if (!bv_need(v, 2))
		return 0;
	const uint8_t *q = v->p + v->off;
	v->off += 2;
	return (uint16_t)((uint16_t)q[1] << 8 | q[0]);
}

static inline uint32_t bv_be24(struct bview *v)
{
	if (!bv_need(v, 3))
		return 0;
	const uint8_t *q = v->p + v->off;
	v->off += 3;
	return (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
}

static inline uint32_t bv_be32(struct bview *v)
{
	if (!bv_need(v, 4))
		return 0;
	const uint8_t *q = v->p + v->off;
	v->off += 4;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint32_t bv_le32(struct bview *v)
{
	if (!bv_need(v, 4))
		return 0;
	const uint8_t *q = v->p + v->off;
	v->off += 4;
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint64_t bv_be64(struct bview *v)
{
	if (!bv_need(v, 8))
		return 0; /* all or nothing: the cursor stays, as for the others */
	uint64_t hi = bv_be32(v);
	return hi << 32 | bv_be32(v);
}

/* An n-byte big-endian unsigned, n from 0 to 8 (SECS-II lengths and
 * elements); more than 8 bytes is an overrun, not a silent wrap. */
static inline uint64_t bv_be_n(struct bview *v, unsigned n)
{
	if (n > 8) {
		v->err = true;
		return 0;
	}
	if (!bv_need(v, n))
		return 0;
	const uint8_t *q = v->p + v->off;
	uint64_t x = 0;
	for (unsigned i = 0; i < n; i++)
		x = x << 8 | q[i];
	v->off += n;
	return x;
}

/* Copy n bytes out; on a short read the destination is left untouched. */
static inline bool bv_copy(struct bview *v, void *dst, size_t n)
{
	if (!bv_need(v, n))
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = v->p[v->off + i];
	v->off += n;
	return true;
}

/* A sub-view of the next n bytes; the parent cursor moves past them. */
static inline struct bview bv_sub(struct bview *v, size_t n)
{
	struct bview s = { NULL, 0, 0, true };
	if (!bv_need(v, n))
		return s;
	s = bv_make(v->p ? v->p + v->off : NULL, n);
	v->off += n;
	return s;
}

/* Move the cursor to `at` (from the start of the view); past the end is an
 * overrun. */
static inline bool bv_seek(struct bview *v, size_t at)
{
	if (v->err || at > v->len) {
		v->err = true;
		return false;
	}
	v->off = at;
	return true;
}

/* A new view of the bytes from `at` (from the start of the view) to its
 * end, cursor at 0; past the end gives an empty view with `err` set. */
static inline struct bview bv_from(const struct bview *v, size_t at)
{
	struct bview s = { NULL, 0, 0, true };
	if (at > v->len)
		return s;
	return bv_make(v->p ? v->p + at : NULL, v->len - at);
}

/* The bytes from the cursor to the end, as a view of their own. */
static inline struct bview bv_rest(const struct bview *v)
{
	return bv_from(v, v->off);
}

/* Readers at a fixed offset (from the start of the view) without moving a
 * cursor or setting `err`: false when the bytes are not there. */
static inline bool bv_peek_u8(const struct bview *v, size_t at, uint8_t *out)
{
	if (at >= v->len)
		return false;
	*out = v->p[at];
	return true;
}


static inline bool bv_peek_be16(const struct bview *v, size_t at, uint16_t *out)
{
	if (at > v->len || v->len - at < 2)
		return false;
	*out = (uint16_t)((uint16_t)v->p[at] << 8 | v->p[at + 1]);
	return true;
}

static inline bool bv_peek_be32(const struct bview *v, size_t at, uint32_t *out)
{
	if (at > v->len || v->len - at < 4)
		return false;
	const uint8_t *q = v->p + at;
	*out = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	return true;
}

#endif
