/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SECS-II message bodies (SEMI E5 §9): items, their validation, SML text and
 * field lookup. Zero-copy over the body bytes; nothing is allocated.
 *
 *   item := format byte (format code << 2 | n) , n length bytes (1..3, big
 *           endian) , data
 *   L  (list): length = number of child items, which follow
 *   others:    length = bytes of data, a multiple of the element size
 *
 *    7 6 5 4 3 2   1 0
 *   +-----------+-----+----------------+
 *   |format code|  n  | length (n B)   | data ...
 *   +-----------+-----+----------------+
 *
 * Large messages (a recipe of megabytes) are decoded from a window of their
 * first bytes: `win`/`winlen` is what is at hand, `total` the body length
 * the HSMS header declared. An item whose data runs past the window but not
 * past `total` is fine (SECS2_PARTIAL): its data is just not all visible.
 */
#ifndef FABMON_SECS2_H
#define FABMON_SECS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bview.h"

/* Format codes, octal as in E5 Table 1. */
enum secs2_fmt {
	SECS2_L = 000,
	SECS2_B = 010,
	SECS2_BOOLEAN = 011,
	SECS2_A = 020,
	SECS2_J = 021,
	SECS2_LOCALIZED = 022,  /* 2-byte character encoding code, then text */
	SECS2_I8 = 030,
	SECS2_I1 = 031,
	SECS2_I2 = 032,
	SECS2_I4 = 034,
	SECS2_F8 = 040,
	SECS2_F4 = 044,
	SECS2_U8 = 050,
	SECS2_U1 = 051,
	SECS2_U2 = 052,
	SECS2_U4 = 054,
};

/* Why a body is not valid SECS-II; stable anomaly names in secs2_err_name(). */
enum secs2_err {
	SECS2_OK = 0,
	SECS2_PARTIAL,             /* valid as far as the window shows */
	SECS2_E_TRUNCATED,         /* an item runs past the end of the message */
	SECS2_E_ZERO_LENGTH_BYTES, /* format byte says 0 length bytes */
	SECS2_E_UNKNOWN_FORMAT,
	SECS2_E_ELEMENT_SIZE,      /* byte count not a multiple of the element size */
	SECS2_E_DEPTH,             /* lists nested deeper than the limit */
	SECS2_E_TOO_MANY_ITEMS,
	SECS2_E_TRAILING,          /* bytes after the root item */
	SECS2_ERR_COUNT
};

struct secs2_limits {
	uint16_t max_depth;   /* list nesting; 32 is far beyond any GEM message */
	uint32_t max_items;   /* items walked in one body */
};

struct secs2_item {
	uint8_t fmt;          /* enum secs2_fmt */
	uint8_t nlen;         /* number of length bytes */
	uint32_t length;      /* L: child count; others: data bytes */
	const uint8_t *data;  /* first data byte (non-L) */
	uint32_t avail;       /* data bytes inside the window (< length if cut) */
	size_t offset;        /* of the format byte, from the start of the body */
	size_t end;           /* offset just after the item's header (L) or data */
};

struct secs2_check {
	enum secs2_err err;
	size_t err_offset;    /* where the problem is */
	uint32_t items;
	uint16_t depth;       /* deepest nesting seen */
};

/* The item's data that the window holds, as a bounded view (empty for L). */
static inline struct bview secs2_data(const struct secs2_item *it)
{
	return bv_make(it->data, it->avail);
}

/* Element size of a format (0 for L and unknown codes). */
static inline unsigned secs2_elem_size(uint8_t fmt)
{
	/* a table: every item of every message asks (secs2.c) */
	static const uint8_t size[64] = {
		[SECS2_B] = 1, [SECS2_BOOLEAN] = 1, [SECS2_A] = 1, [SECS2_J] = 1,
		[SECS2_LOCALIZED] = 1, [SECS2_I1] = 1, [SECS2_U1] = 1,
		[SECS2_I2] = 2, [SECS2_U2] = 2,
		[SECS2_I4] = 4, [SECS2_U4] = 4, [SECS2_F4] = 4,
		[SECS2_I8] = 8, [SECS2_U8] = 8, [SECS2_F8] = 8,
	};
	return fmt < 64 ? size[fmt] : 0;
}
/* "L", "B", "BOOLEAN", "A", "J", "LOC", "I1".., "F4", "U8"; NULL if unknown */
const char *secs2_fmt_name(uint8_t fmt);
/* Stable anomaly name, e.g. "SECS_DEPTH_EXCEEDED". */
const char *secs2_err_name(enum secs2_err e);

/* Read the item header at `off`. Returns SECS2_OK, SECS2_PARTIAL (data runs
 * past the window), or an error. */
enum secs2_err secs2_item_at(const uint8_t *win, size_t winlen, size_t total, size_t off,
			     struct secs2_item *it);

/* Validate a whole body: one root item (or none: an empty body is a
 * header-only message), nothing after it. */
void secs2_validate(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		    struct secs2_check *out);

/*
 * SML text of a body: `<L[2] <A "START"> <L[0]>>`. At most outlen-1 chars;
 * when that is not enough (or the window ends) it ends in "..." and
 * *truncated is set. Long strings and arrays are cut inside the item with
 * their full length shown: `<B[4096] 0x0b 0x30 ...>`. Bytes that are not
 * printable ASCII are written \xNN. Returns the length written.
 */
size_t secs2_sml(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		 char *out, size_t outlen, bool *truncated);

/* The item at a path of child indexes from the root (path of length 0 is
 * the root). False if the path does not exist or is beyond the window. */
bool secs2_path(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		const uint8_t *path, int depth, struct secs2_item *out);

/* The n-th child of a list item (as returned by secs2_path/secs2_item_at). */
bool secs2_child(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		 const struct secs2_item *list, uint32_t n, struct secs2_item *out);

/* The item after `it` and everything nested in it (its next sibling, when
 * `it` is a list's child). False at the end of the window or the body. */
bool secs2_next(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		const struct secs2_item *it, struct secs2_item *out);

/* First element of a numeric, B or BOOLEAN item as an unsigned (signed
 * values are cast). False for L/A/J/empty items. */
bool secs2_u64(const struct secs2_item *it, uint64_t *v);

/* A short text of an item's value for a field: the string of A/J (bytes that
 * are not printable ASCII as \xNN), or the first elements of a numeric item
 * ("7", "1 2 3"). Bounded by outlen; returns the length. */
size_t secs2_value_str(const struct secs2_item *it, char *out, size_t outlen);

#endif
