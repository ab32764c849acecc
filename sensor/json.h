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

void jb_obj_open(struct jbuf *b, const char *key);   /* key NULL at top level / in arrays */
void jb_obj_close(struct jbuf *b);
void jb_arr_open(struct jbuf *b, const char *key);
void jb_arr_close(struct jbuf *b);

void jb_str(struct jbuf *b, const char *key, const char *s);
void jb_strn(struct jbuf *b, const char *key, const uint8_t *s, size_t n);
void jb_u64(struct jbuf *b, const char *key, uint64_t v);
void jb_i64(struct jbuf *b, const char *key, int64_t v);
void jb_bool(struct jbuf *b, const char *key, bool v);
void jb_double(struct jbuf *b, const char *key, double v);
void jb_null(struct jbuf *b, const char *key);
/* A string member from printf-style arguments. */
void jb_strf(struct jbuf *b, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append raw bytes (a newline after a record). */
void jb_raw(struct jbuf *b, const char *s, size_t n);

/* Escape n bytes as a JSON string body (no quotes) into b. */
void jb_escape(struct jbuf *b, const uint8_t *s, size_t n);

#endif
