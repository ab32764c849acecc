/* SPDX-License-Identifier: BSD-2-Clause */
/* Writing HTML text: escaping, JSON values, lists, times (html_text.h). */
#include "report/html_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A character html_escape writes otherwise than as itself. */
static bool html_special(unsigned char c)
{
	return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' ||
	       (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

void html_escape(FILE *f, const char *s)
{
	while (s && *s) {
		/* a run of plain characters in one write: a report of thousands
		 * of rows is mostly those (fputc each took a lock each) */
		size_t n = 0;
		while (s[n] && !html_special((unsigned char)s[n]))
			n++;
		fwrite(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		unsigned char c = (unsigned char)*s++;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: /* a control character */
			fprintf(f, "\\x%02x", c);
		}
	}
}

void html_json_value(FILE *f, const json_t *v)
{
	if (json_is_string(v))
		html_escape(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
}

void html_member(FILE *f, const json_t *o, const char *key)
{
	html_json_value(f, json_object_get(o, key));
}

void html_member_in_parens(FILE *f, const json_t *o, const char *key)
{
	if (json_is_string(json_object_get(o, key))) {
		fputs(" (", f);
		html_member(f, o, key);
		fputs(")", f);
	}
}

void html_attr_json(FILE *f, const char *name, const json_t *v)
{
	fprintf(f, " %s=\"", name);
	if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", f);
	else
		html_json_value(f, v);
	fputc('"', f);
}

void html_attr(FILE *f, const char *name, const char *s)
{
	fprintf(f, " %s=\"", name);
	html_escape(f, s);
	fputc('"', f);
}

void html_json_list(FILE *f, const json_t *a, const char *sep, size_t max)
{
	size_t i, n = json_array_size(a);
	json_t *v;
	json_array_foreach(a, i, v) {
		if (i == max) {
			fprintf(f, "%s\xe2\x80\xa6 (+%zu more)", sep, n - max);
			break;
		}
		if (i)
			fputs(sep, f);
		html_json_value(f, v);
	}
	if (!n)
		fputs("\xe2\x80\x94", f);
}

void html_timestamp(FILE *f, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s) {
		fputs("\xe2\x80\x94", f);
		return;
	}
	fputs("<span class=\"ts\" title=\"", f);
	html_escape(f, s);
	fputs("\">", f);
	char buf[20];
	size_t n = strlen(s);
	if (n >= 19) {
		memcpy(buf, s, 19);
		buf[19] = 0;
		if (buf[10] == 'T')
			buf[10] = ' ';
		html_escape(f, buf);
	} else {
		html_escape(f, s);
	}
	fputs("</span>", f);
}

void html_bytes(FILE *f, uint64_t b)
{
	if (b < 10000)
		fprintf(f, "%" PRIu64 " B", b);
	else if (b < 10000000)
		fprintf(f, "%.1f kB", b / 1e3);
	else if (b < 10000000000ull)
		fprintf(f, "%.1f MB", b / 1e6);
	else
		fprintf(f, "%.1f GB", b / 1e9);
}

void html_escape_cut(FILE *f, const char *s, size_t max)
{
	size_t chars = 0, cut = 0, i;
	if (!s)
		return;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == max - 1)
			cut = i;
		if (++chars > max)
			break;
	}
	if (!s[i]) {
		html_escape(f, s);
		return;
	}
	char *t = strndup(s, cut);
	html_escape(f, t);
	free(t);
	fputs("\xe2\x80\xa6", f);
}

void html_section(FILE *f, const char *id, const char *title)
{
	fprintf(f, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
}

void html_zone_name(FILE *f, const char *name)
{
	fputs("<span class=\"nw\">", f);
	html_escape(f, name);
	fputs("</span>", f);
}
