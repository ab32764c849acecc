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
	uint64_t hi = bv_be32(v);
	uint64_t lo = bv_be32(v);
	return v->err ? 0 : hi << 32 | lo;
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
	s = bv_make(v->p + v->off, n);
	v->off += n;
	return s;
}

/* Big-endian readers at a fixed offset without moving a cursor. */
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
