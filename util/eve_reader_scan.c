/* SPDX-License-Identifier: BSD-2-Clause */
/* The eve.json reader's fast path (eve_reader_scan.h): RFC 8259's grammar,
 * restricted to what a full parser accepts without a judgement call. Every
 * "return false" below means "give up": invalid, or not worth judging here. */
#include "util/eve_reader_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 32    /* jansson allows 2048; deeper texts are given up */
#define MAX_NUMBER 18   /* characters: any integer this long fits in int64 */

struct scan {
	const char *p, *end;
	struct eve_field *f;
	size_t nf;
	bool seen[EVE_SCAN_MAX_FIELDS];        /* the member was met (any type) */
	char paths[EVE_SCAN_MAX_FIELDS][64];   /* the parent objects met ("modbus", "modbus.request") */
	size_t npaths;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at s->p (a '"'): its raw content [*b, *b + *n), whether it
 * holds escapes, and whether any is a \u escape. ASCII only; of the \u
 * escapes only \u0000-\u007f (what control bytes in Suricata's byte
 * strings become), and those only where no value is wanted (the caller's
 * business: *uesc). */
static bool string_span(struct scan *s, const char **b, size_t *n, bool *escaped, bool *uesc)
{
	const char *p = s->p + 1;
	*b = p;
	*escaped = false;
	*uesc = false;
	while (p < s->end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			*n = (size_t)(p - *b);
			s->p = p + 1;
			return true;
		}
		if (c < 0x20 || c >= 0x80)
			return false;
		if (c == '\\') {
			if (p + 1 >= s->end)
				return false;
			if (p[1] == 'u') {
				if (s->end - p < 6 || p[2] != '0' || p[3] != '0' || p[4] < '0' || p[4] > '7' ||
				    !is_hex(p[5]))
					return false;
				*escaped = *uesc = true;
				p += 6;
				continue;
			}
			if (!memchr("\"\\/bfnrt", p[1], 8))
				return false;
			*escaped = true;
			p += 2;
			continue;
		}
		p++;
	}
	return false;
}

/* The decoded value of a string span into f->buf. */
static bool take_string(struct eve_field *f, const char *b, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (c == '\\') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			c = to[(const char *)memchr(from, b[++i], 8) - from];
		}
		if (o + 1 >= sizeof(f->buf))
			return false;
		f->buf[o++] = c;
	}
	f->buf[o] = '\0';
	f->value = f->buf;
	return true;
}

static bool number(struct scan *s)
{
	const char *p = s->p;
	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end)
		return false;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && is_digit(*p))
			p++;
	} else {
		return false;
	}
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || !is_digit(*p))
			return false;
		while (p < s->end && is_digit(*p))
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E'))
		return false;
	if (p - s->p > MAX_NUMBER)
		return false;
	s->p = p;
	return true;
}

static bool literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

static bool value(struct scan *s, int depth);

/* At a list's opening bracket: step over it; true if the list is empty
 * (its `close` consumed too). */
static bool list_open(struct scan *s, char close)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return true;
	}
	return false;
}

/* After an item of a list closed by `close`: 1 if another item follows
 * (the ',' consumed), 0 if the list ended (`close` consumed), -1 if
 * neither. */
static int list_next(struct scan *s, char close)
{
	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == close) {
		s->p++;
		return 0;
	}
	if (*s->p != ',')
		return -1;
	s->p++;
	skip_ws(s);
	return 1;
}

/* Whether some wanted member is inside the object at `path`. */
static bool leads_to_wanted(const struct scan *s, const char *path, size_t pn)
{
	for (size_t i = 0; i < s->nf; i++) {
		const char *fp = s->f[i].parent;
		if (fp && !strncmp(fp, path, pn) && (fp[pn] == '\0' || fp[pn] == '.'))
			return true;
	}
	return false;
}

/* An object at s->p (a '{'). path: NULL at the top level, else the dotted
 * names of the members it is inside ("modbus.request") when fields are
 * wanted in it; skip: nothing wanted inside. */
static bool object(struct scan *s, int depth, const char *path, bool skip)
{
	if (depth > MAX_DEPTH)
		return false;
	if (list_open(s, '}'))
		return true;
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return false;
		const char *kb;
		size_t kn;
		bool kesc, kuesc;
		if (!string_span(s, &kb, &kn, &kesc, &kuesc))
			return false;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return false;
		s->p++;
		skip_ws(s);
		if (s->p >= s->end)
			return false;
		/* a \u escape in a key could spell a wanted one, or a NUL that
		 * jansson refuses in any key: not judged */
		if (kuesc)
			return false;
		/* a key with other escapes never names a wanted member (they have none) */
		int want = -1;
		char child[64];
		size_t cn = 0;
		bool is_parent = false;
		if (!skip && !kesc) {
			for (size_t i = 0; i < s->nf; i++) {
				const struct eve_field *f = &s->f[i];
				bool here = path ? f->parent && !strcmp(f->parent, path) : !f->parent;
				if (here && strlen(f->key) == kn && !memcmp(f->key, kb, kn))
					want = (int)i;
			}
			int w = path ? snprintf(child, sizeof(child), "%s.%.*s", path, (int)kn, kb)
				     : snprintf(child, sizeof(child), "%.*s", (int)kn, kb);
			if (w < 0 || (size_t)w >= sizeof(child))
				return false;
			cn = (size_t)w;
			/* a key with a dot is no step of a dotted path */
			is_parent = !memchr(kb, '.', kn) && leads_to_wanted(s, child, cn);
		}
		if (want >= 0) {
			if (s->seen[want])
				return false; /* given twice: the last wins in jansson; not judged */
			s->seen[want] = true;
			if (*s->p == '"') {
				const char *vb;
				size_t vn;
				bool vesc, vuesc;
				if (!string_span(s, &vb, &vn, &vesc, &vuesc) || vuesc ||
				    !take_string(&s->f[want], vb, vn))
					return false;
			} else if (!value(s, depth + 1)) {
				return false;
			}
		} else if (is_parent) {
			for (size_t i = 0; i < s->npaths; i++)
				if (!strcmp(s->paths[i], child))
					return false; /* a parent given twice */
			if (s->npaths >= EVE_SCAN_MAX_FIELDS)
				return false;
			memcpy(s->paths[s->npaths++], child, cn + 1);
			if (*s->p == '{') {
				if (!object(s, depth + 1, s->paths[s->npaths - 1], false))
					return false;
			} else if (!value(s, depth + 1)) {
				return false;
			}
		} else if (!value(s, depth + 1)) {
			return false;
		}
		int next = list_next(s, '}');
		if (next <= 0)
			return next == 0;
	}
}

static bool array(struct scan *s, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	if (list_open(s, ']'))
		return true;
	for (;;) {
		if (!value(s, depth + 1))
			return false;
		int next = list_next(s, ']');
		if (next <= 0)
			return next == 0;
	}
}

/* Any value at s->p, nothing wanted inside it. */
static bool value(struct scan *s, int depth)
{
	if (s->p >= s->end)
		return false;
	const char *b;
	size_t n;
	bool esc, uesc;
	switch (*s->p) {
	case '{': return object(s, depth, NULL, true);
	case '[': return array(s, depth);
	case '"': return string_span(s, &b, &n, &esc, &uesc);
	case 't': return literal(s, "true", 4);
	case 'f': return literal(s, "false", 5);
	case 'n': return literal(s, "null", 4);
	default: return number(s);
	}
}

bool eve_scan_record(const char *text, size_t len, struct eve_field *f, size_t nf)
{
	if (nf > EVE_SCAN_MAX_FIELDS)
		return false;
	struct scan s = { .p = text, .end = text + len, .f = f, .nf = nf };
	for (size_t i = 0; i < nf; i++)
		f[i].value = NULL;
	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || !object(&s, 1, NULL, false))
		return false;
	skip_ws(&s);
	return s.p == s.end;
}
