/* SPDX-License-Identifier: BSD-2-Clause */
/* Writing HTML text: escaped strings and attributes, JSON values as text,
 * lists, timestamps, byte counts. */
#ifndef FABMON_HTML_TEXT_H
#define FABMON_HTML_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Text or attribute value: &<>"' escaped; control characters shown as \xNN. */
void html_escape(FILE *f, const char *s);
/* Text of at most max characters (UTF-8 aware), with an ellipsis when cut. */
void html_escape_cut(FILE *f, const char *s, size_t max);
/* A JSON value as text: strings escaped, numbers, yes/no; null empty. */
void html_json_value(FILE *f, const json_t *v);
/* h_val of o[key] */
void html_member(FILE *f, const json_t *o, const char *key);
/* " (VALUE)" of o[key] if it is a string (a name after an address) */
void html_member_in_parens(FILE *f, const json_t *o, const char *key);
/* ` name="value"`: a JSON value (booleans true/false), or a string. */
void html_attr_json(FILE *f, const char *name, const json_t *v);
void html_attr(FILE *f, const char *name, const char *s);
/* An array joined with sep, at most max items then "+N more"; a dash if empty. */
void html_json_list(FILE *f, const json_t *a, const char *sep, size_t max);
/* "2026-03-02T08:00:07.123456+00:00" as "2026-03-02 08:00:07", the whole in a title */
void html_timestamp(FILE *f, const json_t *v);
/* 1234 B, 12.3 kB, 12.3 MB, 12.3 GB */
void html_bytes(FILE *f, uint64_t b);
/* <section id="ID"><h2>TITLE</h2> (id and title are fabmon's, not escaped) */
void html_section(FILE *f, const char *id, const char *title);
/* A zone name that does not break at its hyphens. */
void html_zone_name(FILE *f, const char *name);

#endif
