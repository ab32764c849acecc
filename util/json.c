/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool jb_init(struct jbuf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = malloc(cap);
	if (!b->p)
		return false;
	b->cap = cap;
	b->first[0] = true;
	return true;
}

void jb_free(struct jbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void jb_reset(struct jbuf *b)
{
	b->len = 0;
	b->oom = false;
	b->depth = 0;
	b->first[0] = true;
}

static bool grow(struct jbuf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->cap - b->len >= more)
		return true;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap - b->len < more)
		ncap *= 2;
	char *np = realloc(b->p, ncap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void jb__raw_grow(struct jbuf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void put(struct jbuf *b, char c)
{
	if (b->cap > b->len || grow(b, 1))
		b->p[b->len++] = c;
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes that can be copied as they are: printable ASCII but " and \ */
static const uint8_t plain_tbl[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline bool plain(uint8_t c)
{
	return plain_tbl[c];
}

void jb_escape(struct jbuf *b, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (plain(c)) {
			/* copy the whole run of plain bytes at once */
			size_t j = i + 1;
			while (j < n && plain(s[j]))
				j++;
			if (j - i > 32 && grow(b, j - i)) {
				memcpy(b->p + b->len, s + i, j - i);
				b->len += j - i;
			} else {
				jb_raw(b, (const char *)s + i, j - i);
			}
			i = j;
			continue;
		}
		switch (c) {
		case '"': jb_raw(b, "\\\"", 2); i++; continue;
		case '\\': jb_raw(b, "\\\\", 2); i++; continue;
		case '\n': jb_raw(b, "\\n", 2); i++; continue;
		case '\r': jb_raw(b, "\\r", 2); i++; continue;
		case '\t': jb_raw(b, "\\t", 2); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			jb_raw(b, e, 6);
			i++;
			continue;
		}
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0) {
			jb_raw(b, "\\ufffd", 6);
			i++;
		} else {
			jb_raw(b, (const char *)s + i, l);
			i += l;
		}
	}
}

/* Comma and key before a member. */
static void member(struct jbuf *b, const char *key)
{
	if (!b->first[b->depth])
		put(b, ',');
	b->first[b->depth] = false;
	if (key) {
		/* keys are fabmon's own literals: plain ASCII, no escaping */
		put(b, '"');
		jb_raw(b, key, strlen(key));
		jb_raw(b, "\":", 2);
	}
}

static void open_(struct jbuf *b, const char *key, char c)
{
	member(b, key);
	put(b, c);
	if (b->depth + 1 < JB_MAX_DEPTH)
		b->depth++;
	else
		b->oom = true; /* too deep: callers never nest this far */
	b->first[b->depth] = true;
}

void jb_obj_open(struct jbuf *b, const char *key)
{
	open_(b, key, '{');
}

void jb_arr_open(struct jbuf *b, const char *key)
{
	open_(b, key, '[');
}

static void close_(struct jbuf *b, char c)
{
	if (b->depth > 0)
		b->depth--;
	put(b, c);
}

void jb_obj_close(struct jbuf *b)
{
	close_(b, '}');
}

void jb_arr_close(struct jbuf *b)
{
	close_(b, ']');
}

void jb_strn(struct jbuf *b, const char *key, const uint8_t *s, size_t n)
{
	member(b, key);
	put(b, '"');
	jb_escape(b, s, n);
	put(b, '"');
}

void jb_name(struct jbuf *b, const char *key, const char *s)
{
	member(b, key);
	put(b, '"');
	jb_raw(b, s, strlen(s));
	put(b, '"');
}

void jb_str(struct jbuf *b, const char *key, const char *s)
{
	jb_strn(b, key, (const uint8_t *)s, s ? strlen(s) : 0);
}

void jb_strf(struct jbuf *b, const char *key, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	jb_strn(b, key, (const uint8_t *)tmp, (size_t)n);
}

size_t jb_utoa(uint64_t v, char out[21])
{
	/* two digits per division, written from the end */
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[20];
	size_t i = 20;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		tmp[--i] = pairs[2 * r + 1];
		tmp[--i] = pairs[2 * r];
	}
	if (v >= 10) {
		tmp[--i] = pairs[2 * v + 1];
		tmp[--i] = pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	size_t n = 20 - i;
	memcpy(out, tmp + i, n);
	out[n] = '\0';
	return n;
}

void jb_u64(struct jbuf *b, const char *key, uint64_t v)
{
	char tmp[21];
	size_t n = jb_utoa(v, tmp);
	member(b, key);
	jb_raw(b, tmp, n);
}

void jb_u16_array(struct jbuf *b, const char *key, const uint16_t *v, size_t n)
{
	member(b, key);
	if (!grow(b, 2 + n * 6))
		return;
	char *o = b->p + b->len;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		o += jb_utoa(v[i], o);
	}
	*o++ = ']';
	b->len = (size_t)(o - b->p);
}

void jb_i64(struct jbuf *b, const char *key, int64_t v)
{
	char tmp[22];
	size_t n = 0;
	if (v < 0)
		tmp[n++] = '-';
	n += jb_utoa(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, tmp + n);
	member(b, key);
	jb_raw(b, tmp, n);
}

void jb_bool(struct jbuf *b, const char *key, bool v)
{
	member(b, key);
	jb_raw(b, v ? "true" : "false", v ? 4 : 5);
}

void jb_double(struct jbuf *b, const char *key, double v)
{
	member(b, key);
	if (!isfinite(v)) { /* JSON has no NaN/Inf */
		jb_raw(b, "null", 4);
		return;
	}
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%.6f", v);
	jb_raw(b, tmp, (size_t)n);
}

void jb_null(struct jbuf *b, const char *key)
{
	member(b, key);
	jb_raw(b, "null", 4);
}
