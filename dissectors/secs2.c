/* SPDX-License-Identifier: BSD-2-Clause */
/* SECS-II item decoding (SEMI E5 §9). See secs2.h. */
#include "dissectors/secs2.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SECS2_STACK_MAX 256     /* hard ceiling for lim->max_depth */
#define SML_ARRAY_MAX 16        /* elements of a numeric/B array shown */
#define SML_STRING_MAX 64       /* characters of an A/J string shown */

const char *secs2_fmt_name(uint8_t fmt)
{
	switch (fmt) {
	case SECS2_L: return "L";
	case SECS2_B: return "B";
	case SECS2_BOOLEAN: return "BOOLEAN";
	case SECS2_A: return "A";
	case SECS2_J: return "J";
	case SECS2_LOCALIZED: return "LOC";
	case SECS2_I8: return "I8";
	case SECS2_I1: return "I1";
	case SECS2_I2: return "I2";
	case SECS2_I4: return "I4";
	case SECS2_F8: return "F8";
	case SECS2_F4: return "F4";
	case SECS2_U8: return "U8";
	case SECS2_U1: return "U1";
	case SECS2_U2: return "U2";
	case SECS2_U4: return "U4";
	default: return NULL;
	}
}

const char *secs2_err_name(enum secs2_err e)
{
	static const char *const names[SECS2_ERR_COUNT] = {
		[SECS2_OK] = "SECS_OK",
		[SECS2_PARTIAL] = "SECS_PARTIAL",
		[SECS2_E_TRUNCATED] = "SECS_ITEM_TRUNCATED",
		[SECS2_E_ZERO_LENGTH_BYTES] = "SECS_ZERO_LENGTH_BYTES",
		[SECS2_E_UNKNOWN_FORMAT] = "SECS_UNKNOWN_FORMAT",
		[SECS2_E_ELEMENT_SIZE] = "SECS_BAD_ELEMENT_SIZE",
		[SECS2_E_DEPTH] = "SECS_DEPTH_EXCEEDED",
		[SECS2_E_TOO_MANY_ITEMS] = "SECS_TOO_MANY_ITEMS",
		[SECS2_E_TRAILING] = "SECS_TRAILING_BYTES",
	};
	return (unsigned)e < SECS2_ERR_COUNT ? names[e] : "SECS_?";
}

/* The item's data or children after a header of hdr_end bytes from the
 * body's start (the header inside the window). */
static enum secs2_err item_body(const uint8_t *win, size_t winlen, size_t total, size_t hdr_end,
				struct secs2_item *it)
{
	uint32_t len = it->length;
	if (it->fmt == SECS2_L) {
		/* every child takes at least 2 bytes: reject absurd counts early */
		if (len > (total - hdr_end) / 2)
			return SECS2_E_TRUNCATED;
		it->end = hdr_end;
		return SECS2_OK;
	}
	unsigned es = secs2_elem_size(it->fmt);
	if ((len & (es - 1)) != 0 || (it->fmt == SECS2_LOCALIZED && len < 2)) /* es: 1, 2, 4 or 8 */
		return SECS2_E_ELEMENT_SIZE;
	if (total - hdr_end < len)
		return SECS2_E_TRUNCATED;
	it->end = hdr_end + len;
	it->data = win + hdr_end;
	size_t in_win = winlen - hdr_end;
	it->avail = in_win < len ? (uint32_t)in_win : len;
	return it->avail < len ? SECS2_PARTIAL : SECS2_OK;
}

/* The format byte fb of an item with left bytes of the body from it on. */
static enum secs2_err format_byte(struct secs2_item *it, uint8_t fb, size_t left)
{
	uint8_t n = fb & 3;
	it->fmt = fb >> 2;
	it->nlen = n;
	if (n == 0)
		return SECS2_E_ZERO_LENGTH_BYTES;
	if (it->fmt != SECS2_L && secs2_elem_size(it->fmt) == 0)
		return SECS2_E_UNKNOWN_FORMAT;
	if (left < 1u + n)
		return SECS2_E_TRUNCATED;
	return SECS2_OK;
}

enum secs2_err secs2_item_at(const uint8_t *win, size_t winlen, size_t total, size_t off,
			     struct secs2_item *it)
{
	memset(it, 0, sizeof(*it));
	it->offset = off;
	if (off >= total)
		return SECS2_E_TRUNCATED;
	if (winlen >= 4 && off <= winlen - 4) {
		/* the header's four bytes at most are in the window: read them
		 * straight (the common case; the bounded view below otherwise) */
		const uint8_t *h = win + off;
		enum secs2_err e = format_byte(it, h[0], total - off);
		if (e != SECS2_OK)
			return e;
		uint8_t n = it->nlen;
		uint32_t len = h[1];
		if (n > 1)
			len = len << 8 | h[2];
		if (n > 2)
			len = len << 8 | h[3];
		it->length = len;
		return item_body(win, winlen, total, off + 1 + n, it);
	}
	struct bview v = bv_make(win, winlen);
	bv_seek(&v, off);
	uint8_t fb = bv_u8(&v);
	if (v.err)
		return SECS2_PARTIAL; /* the format byte is past the window */
	enum secs2_err e = format_byte(it, fb, total - off);
	if (e != SECS2_OK)
		return e;
	uint32_t len = (uint32_t)bv_be_n(&v, it->nlen);
	if (v.err)
		return SECS2_PARTIAL; /* length bytes past the window */
	it->length = len;
	return item_body(win, winlen, total, v.off, it);
}

/* Walk state shared by validation and SML rendering. */
struct walk {
	const uint8_t *win;
	size_t winlen, total;
	const struct secs2_limits *lim;
	uint32_t left[SECS2_STACK_MAX]; /* children still to come, per open list */
	int sp;
	size_t off;
	uint32_t items;
	uint16_t depth;
	bool partial;
};

static void walk_init(struct walk *w, const uint8_t *win, size_t winlen, size_t total,
		      const struct secs2_limits *lim)
{
	memset(w, 0, sizeof(*w));
	w->win = win;
	w->winlen = winlen < total ? winlen : total;
	w->total = total;
	w->lim = lim;
}

static unsigned max_depth(const struct secs2_limits *lim)
{
	return lim->max_depth < SECS2_STACK_MAX ? lim->max_depth : SECS2_STACK_MAX;
}

/*
 * Next item in document order. Returns SECS2_OK with *it filled and *closes
 * the number of lists that end right after it; SECS2_PARTIAL when the window
 * ends; an error otherwise. Sets *done when the root item is complete.
 */
static enum secs2_err walk_next(struct walk *w, struct secs2_item *it, int *closes, bool *done)
{
	*closes = 0;
	*done = false;
	if (w->off >= w->winlen && w->off < w->total)
		return SECS2_PARTIAL;
	enum secs2_err e = secs2_item_at(w->win, w->winlen, w->total, w->off, it);
	if (e == SECS2_PARTIAL && it->length == 0 && it->end == 0)
		return SECS2_PARTIAL; /* header not in the window */
	if (e != SECS2_OK && e != SECS2_PARTIAL)
		return e;
	if (e == SECS2_PARTIAL)
		w->partial = true;
	if (++w->items > w->lim->max_items)
		return SECS2_E_TOO_MANY_ITEMS;
	if (w->sp > 0)
		w->left[w->sp - 1]--;
	w->off = it->end;
	if (it->fmt == SECS2_L && it->length > 0) {
		if ((unsigned)w->sp + 1 > max_depth(w->lim))
			return SECS2_E_DEPTH;
		w->left[w->sp++] = it->length;
		if (w->sp > w->depth)
			w->depth = (uint16_t)w->sp;
		return SECS2_OK;
	}
	while (w->sp > 0 && w->left[w->sp - 1] == 0) {
		w->sp--;
		(*closes)++;
	}
	*done = w->sp == 0;
	return SECS2_OK;
}

void secs2_validate(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		    struct secs2_check *out)
{
	memset(out, 0, sizeof(*out));
	if (total == 0)
		return; /* header-only message */
	struct walk w;
	walk_init(&w, win, winlen, total, lim);
	for (;;) {
		struct secs2_item it;
		int closes;
		bool done;
		size_t at = w.off;
		enum secs2_err e = walk_next(&w, &it, &closes, &done);
		out->items = w.items;
		out->depth = w.depth;
		if (e != SECS2_OK) {
			out->err = e;
			out->err_offset = at;
			return;
		}
		if (done)
			break;
	}
	if (w.off < w.total) {
		out->err = SECS2_E_TRAILING;
		out->err_offset = w.off;
	} else if (w.partial) {
		out->err = SECS2_PARTIAL;
	}
}

/* ------------------------------------------------------------ SML text */

struct sb {
	char *p;
	size_t len, cap; /* cap excludes the room kept for "...\0" */
	bool full;
};

static void sb_put(struct sb *s, const char *t, size_t n)
{
	if (s->full)
		return;
	if (s->cap - s->len < n) {
		s->full = true;
		return;
	}
	memcpy(s->p + s->len, t, n);
	s->len += n;
}

static void sb_str(struct sb *s, const char *t)
{
	sb_put(s, t, strlen(t));
}

static void sb_fmt(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sb *s, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(s, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void sb_uint(struct sb *s, uint64_t v)
{
	char tmp[21];
	size_t n = 0;
	do {
		tmp[20 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_put(s, tmp + 21 - n, n);
}

static void sb_hex2(struct sb *s, const char *prefix, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	char t[4];
	size_t n = strlen(prefix);
	memcpy(t, prefix, n);
	t[n] = hex[c >> 4];
	t[n + 1] = hex[c & 15];
	sb_put(s, t, n + 2);
}

static bool plain_char(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Quoted text, printable ASCII as is, the rest as \xNN. */
static void sb_quoted(struct sb *s, struct bview d)
{
	sb_put(s, "\"", 1);
	while (bv_left(&d) && !s->full) {
		size_t run = 0; /* a run of plain characters at once */
		uint8_t c;
		while (bv_peek_u8(&d, d.off + run, &c) && plain_char(c))
			run++;
		if (run) {
			sb_put(s, (const char *)bv_ptr(&d), run);
			bv_skip(&d, run);
			continue;
		}
		c = bv_u8(&d);
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			sb_put(s, e, 2);
		} else {
			sb_hex2(s, "\\x", c);
		}
	}
	sb_put(s, "\"", 1);
}

/* The next element of a numeric item as text. */
static void sb_elem(struct sb *s, uint8_t fmt, struct bview *data)
{
	uint64_t raw = bv_be_n(data, secs2_elem_size(fmt));
	switch (fmt) {
	case SECS2_B: sb_hex2(s, "0x", (uint8_t)raw); break;
	case SECS2_BOOLEAN: sb_str(s, raw ? "TRUE" : "FALSE"); break;
	case SECS2_I1: sb_fmt(s, "%d", (int8_t)raw); break;
	case SECS2_I2: sb_fmt(s, "%d", (int16_t)raw); break;
	case SECS2_I4: sb_fmt(s, "%" PRId32, (int32_t)raw); break;
	case SECS2_I8: sb_fmt(s, "%" PRId64, (int64_t)raw); break;
	case SECS2_F4: {
		uint32_t u = (uint32_t)raw;
		float f;
		memcpy(&f, &u, 4);
		sb_fmt(s, "%.9g", (double)f);
		break;
	}
	case SECS2_F8: {
		double d;
		memcpy(&d, &raw, 8);
		sb_fmt(s, "%.17g", d);
		break;
	}
	default: sb_uint(s, raw); break; /* U1..U8 */
	}
}

static void sml_value(struct sb *s, const struct secs2_item *it)
{
	const char *name = secs2_fmt_name(it->fmt);
	unsigned es = secs2_elem_size(it->fmt);
	uint32_t count = it->length / es;
	bool text = it->fmt == SECS2_A || it->fmt == SECS2_J || it->fmt == SECS2_LOCALIZED;
	uint32_t show_max = text ? SML_STRING_MAX : SML_ARRAY_MAX;
	bool cut = count > show_max || it->avail < it->length;
	sb_put(s, "<", 1);
	sb_str(s, name);
	if (cut || it->fmt == SECS2_LOCALIZED) {
		sb_put(s, "[", 1);
		sb_uint(s, count);
		sb_put(s, "]", 1);
	}
	struct bview d = secs2_data(it);
	if (it->fmt == SECS2_LOCALIZED) {
		/* encoding code first (E5: 1 UCS-2, 2 UTF-8, ...), then the text */
		if (bv_left(&d) >= 2)
			sb_fmt(s, " enc=%u", (unsigned)bv_be16(&d));
		else
			d = bv_make(NULL, 0);
	}
	if (text) {
		size_t n = bv_left(&d) < show_max ? bv_left(&d) : show_max;
		sb_put(s, " ", 1);
		sb_quoted(s, bv_sub(&d, n));
	} else {
		uint32_t shown = it->avail / es;
		if (shown > show_max)
			shown = show_max;
		for (uint32_t i = 0; i < shown && !s->full; i++) {
			sb_put(s, " ", 1);
			sb_elem(s, it->fmt, &d);
		}
	}
	if (cut)
		sb_str(s, " ...");
	sb_put(s, ">", 1);
}

size_t secs2_sml(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		 char *out, size_t outlen, bool *truncated)
{
	*truncated = false;
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (outlen < 5) {
		*truncated = total > 0;
		return 0;
	}
	struct sb s = { out, 0, outlen - 4, false };
	struct walk w;
	walk_init(&w, win, winlen, total, lim);
	if (total > 0) {
		bool first_in_list = true;
		for (;;) {
			struct secs2_item it;
			int closes;
			bool done;
			enum secs2_err e = walk_next(&w, &it, &closes, &done);
			if (e != SECS2_OK || s.full) {
				s.full = true;
				break;
			}
			if (!first_in_list)
				sb_put(&s, " ", 1);
			if (it.fmt == SECS2_L && it.length > 0) {
				sb_put(&s, "<L[", 3);
				sb_uint(&s, it.length);
				sb_put(&s, "] ", 2);
				first_in_list = true;
				continue;
			}
			if (it.fmt == SECS2_L)
				sb_str(&s, "<L[0]>");
			else
				sml_value(&s, &it);
			first_in_list = false;
			for (int i = 0; i < closes; i++)
				sb_put(&s, ">", 1);
			if (done)
				break;
		}
	}
	if (s.full) {
		*truncated = true;
		memcpy(out + s.len, "...", 3);
		s.len += 3;
	}
	/* an item cut by the window shows " ..." inside itself */
	if (w.partial)
		*truncated = true;
	out[s.len] = '\0';
	return s.len;
}

/* ------------------------------------------------------------ lookup */

/* Offset just past the subtree of the item at off; 0 on failure. */
static size_t skip_subtree(const uint8_t *win, size_t winlen, size_t total,
			   const struct secs2_limits *lim, size_t off)
{
	uint64_t pending = 1;
	uint32_t walked = 0;
	while (pending > 0) {
		struct secs2_item it;
		enum secs2_err e = secs2_item_at(win, winlen, total, off, &it);
		if (e != SECS2_OK && !(e == SECS2_PARTIAL && it.end != 0))
			return 0;
		if (++walked > lim->max_items)
			return 0;
		pending--;
		if (it.fmt == SECS2_L)
			pending += it.length;
		off = it.end;
	}
	return off;
}

bool secs2_next(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		const struct secs2_item *it, struct secs2_item *out)
{
	size_t off = it->fmt == SECS2_L ? skip_subtree(win, winlen, total, lim, it->offset) : it->end;
	if (off == 0 || off >= total)
		return false;
	enum secs2_err e = secs2_item_at(win, winlen, total, off, out);
	return e == SECS2_OK || (e == SECS2_PARTIAL && out->end != 0);
}

bool secs2_child(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		 const struct secs2_item *list, uint32_t n, struct secs2_item *out)
{
	if (list->fmt != SECS2_L || n >= list->length)
		return false;
	size_t off = list->end;
	for (uint32_t i = 0; i < n; i++) {
		off = skip_subtree(win, winlen, total, lim, off);
		if (off == 0)
			return false;
	}
	enum secs2_err e = secs2_item_at(win, winlen, total, off, out);
	return e == SECS2_OK || (e == SECS2_PARTIAL && out->end != 0);
}

bool secs2_path(const uint8_t *win, size_t winlen, size_t total, const struct secs2_limits *lim,
		const uint8_t *path, int depth, struct secs2_item *out)
{
	if (total == 0)
		return false;
	enum secs2_err e = secs2_item_at(win, winlen, total, 0, out);
	if (!(e == SECS2_OK || (e == SECS2_PARTIAL && out->end != 0)))
		return false;
	for (int i = 0; i < depth; i++) {
		struct secs2_item child;
		if (!secs2_child(win, winlen, total, lim, out, path[i], &child))
			return false;
		*out = child;
	}
	return true;
}

bool secs2_u64(const struct secs2_item *it, uint64_t *v)
{
	unsigned es = secs2_elem_size(it->fmt);
	if (it->fmt == SECS2_L || it->fmt == SECS2_A || it->fmt == SECS2_J ||
	    it->fmt == SECS2_LOCALIZED || es == 0 || it->avail < es)
		return false;
	struct bview d = secs2_data(it);
	uint64_t raw = bv_be_n(&d, es);
	switch (it->fmt) { /* sign-extend the signed formats */
	case SECS2_I1: raw = (uint64_t)(int64_t)(int8_t)raw; break;
	case SECS2_I2: raw = (uint64_t)(int64_t)(int16_t)raw; break;
	case SECS2_I4: raw = (uint64_t)(int64_t)(int32_t)raw; break;
	default: break;
	}
	*v = raw;
	return true;
}

size_t secs2_value_str(const struct secs2_item *it, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	struct sb s = { out, 0, outlen - 1, false };
	struct bview d = secs2_data(it);
	if (it->fmt == SECS2_A || it->fmt == SECS2_J) {
		while (bv_left(&d) && !s.full) {
			uint8_t c = bv_u8(&d);
			if (c >= 0x20 && c < 0x7f)
				sb_put(&s, (const char *)&c, 1);
			else
				sb_hex2(&s, "\\x", c);
		}
	} else if (it->fmt != SECS2_L && secs2_elem_size(it->fmt)) {
		unsigned es = secs2_elem_size(it->fmt);
		while (bv_left(&d) >= es && !s.full) {
			if (d.off)
				sb_put(&s, " ", 1);
			sb_elem(&s, it->fmt, &d);
		}
	}
	out[s.len] = '\0';
	return s.len;
}
