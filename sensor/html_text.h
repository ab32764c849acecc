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
void h_esc(FILE *f, const char *s);
/* Text of at most max characters (UTF-8 aware), with an ellipsis when cut. */
void h_esc_cut(FILE *f, const char *s, size_t max);
/* A JSON value as text: strings escaped, numbers, yes/no; null empty. */
void h_val(FILE *f, const json_t *v);
/* h_val of o[key] */
void h_get(FILE *f, const json_t *o, const char *key);
/* " (VALUE)" of o[key] if it is a string (a name after an address) */
void h_paren(FILE *f, const json_t *o, const char *key);
/* ` name="value"`: a JSON value (booleans true/false), or a string. */
void h_attr(FILE *f, const char *name, const json_t *v);
void h_attr_s(FILE *f, const char *name, const char *s);
/* An array joined with sep, at most max items then "+N more"; a dash if empty. */
void h_list(FILE *f, const json_t *a, const char *sep, size_t max);
/* "2026-03-02T08:00:07.123456+00:00" as "2026-03-02 08:00:07", the whole in a title */
void h_ts(FILE *f, const json_t *v);
/* 1234 B, 12.3 kB, 12.3 MB, 12.3 GB */
void h_bytes(FILE *f, uint64_t b);
/* <section id="ID"><h2>TITLE</h2> (id and title are fabmon's, not escaped) */
void h_section(FILE *f, const char *id, const char *title);
/* A zone name that does not break at its hyphens. */
void h_zone(FILE *f, const char *name);

#endif
