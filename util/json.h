/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small JSON writer into one reusable buffer (Suricata's JsonBuilder idea).
 * Strings are written as valid JSON whatever bytes they hold: control
 * characters are escaped and byte sequences that are not UTF-8 become U+FFFD,
 * so every line fabmon writes parses.
 */
#ifndef FABMON_JSON_H
#define FABMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JB_MAX_DEPTH 32

struct jbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;                 /* an allocation failed: content is incomplete */
	uint8_t depth;
	bool first[JB_MAX_DEPTH]; /* no member written yet at this depth */
};

bool jb_init(struct jbuf *b, size_t cap);
void jb_free(struct jbuf *b);
void jb_reset(struct jbuf *b);

/* Keys are string literals of fabmon's (plain ASCII, written unescaped). */
void jb_obj_open(struct jbuf *b, const char *key);   /* key NULL at top level / in arrays */
void jb_obj_close(struct jbuf *b);
void jb_arr_open(struct jbuf *b, const char *key);
void jb_arr_close(struct jbuf *b);

void jb_str(struct jbuf *b, const char *key, const char *s);
/* A string of fabmon's own (a name from its tables, a number it formatted):
 * plain ASCII without quotes or backslashes, written without escaping. */
void jb_name(struct jbuf *b, const char *key, const char *s);
void jb_strn(struct jbuf *b, const char *key, const uint8_t *s, size_t n);
void jb_u64(struct jbuf *b, const char *key, uint64_t v);
void jb_i64(struct jbuf *b, const char *key, int64_t v);
/* An array of small unsigned numbers ([1,2,3]) in one go. */
void jb_u16_array(struct jbuf *b, const char *key, const uint16_t *v, size_t n);
void jb_bool(struct jbuf *b, const char *key, bool v);
void jb_double(struct jbuf *b, const char *key, double v);
void jb_null(struct jbuf *b, const char *key);
/* A string member from printf-style arguments. */
void jb_strf(struct jbuf *b, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Slow path of jb_raw: grow, then append. */
void jb__raw_grow(struct jbuf *b, const char *s, size_t n);

/* Append raw bytes (a newline after a record). Inline: records are built
 * from many short pieces. */
static inline void jb_raw(struct jbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len >= n) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		return;
	}
	jb__raw_grow(b, s, n);
}

/* Decimal text of v (no sign), NUL-terminated; returns its length. */
size_t jb_utoa(uint64_t v, char out[21]);

/* Escape n bytes as a JSON string body (no quotes) into b. */
void jb_escape(struct jbuf *b, const uint8_t *s, size_t n);

#endif
