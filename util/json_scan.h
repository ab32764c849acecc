/* SPDX-License-Identifier: BSD-2-Clause */
/* A fast, validating scan of one JSON object that picks out a few string
 * members without building a tree: the audit report reads hundreds of
 * thousands of hsms/modbus records of which it needs four fields each, and
 * a full parse (jansson) cost it ~180 instructions a byte.
 *
 * It is conservative by contract: it answers only for texts a full parser
 * certainly accepts with the same values (plain ASCII, simple escapes,
 * \u escapes of ASCII only and never in a key or a wanted value, short
 * numbers without exponents, modest nesting, no wanted member or parent
 * given twice). Anything else is JSCAN_GIVE_UP, and the caller
 * parses the text fully — so the two paths cannot disagree on a text
 * (tests/fuzz/fuzz-json-scan.c checks exactly that against jansson). */
#ifndef FABMON_JSON_SCAN_H
#define FABMON_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

enum jscan_result {
	JSCAN_OK,       /* a valid object; the wanted members are filled in */
	JSCAN_GIVE_UP,  /* not judged here: parse it fully */
};

/* A wanted member: "key" at the top level, or "key" inside the object at
 * the dotted path "parent" ("modbus", "modbus.request"; NULL: top level). */
struct jscan_field {
	const char *parent;
	const char *key;
	/* out: the member's string value, NUL-terminated in buf; NULL when the
	 * member is absent or not a string (what jansson's accessors give) */
	const char *value;
	char buf[160];
};

enum jscan_result json_scan(const char *text, size_t len, struct jscan_field *f, size_t nf);

#endif
