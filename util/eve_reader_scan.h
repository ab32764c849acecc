/* SPDX-License-Identifier: BSD-2-Clause */
/* The fast path of util/eve_reader.c: callers include util/eve_reader.h
 * and name the members they want (struct eve_field) in its ops; the scan
 * itself, eve_scan_record, is called by the reader (and its tests) only.
 *
 * A validating scan of one JSON object that picks out a few string members
 * without building a tree. `fabmon report` reads hundreds
 * of thousands of hsms/modbus records of which it needs a few fields each,
 * and a full parse (jansson) cost it ~180 instructions a byte.
 *
 * It is conservative by contract: it answers only for texts a full parser
 * certainly accepts with the same values (plain ASCII, simple escapes,
 * \u escapes of ASCII only and never in a key or a wanted value, short
 * numbers without exponents, modest nesting, no wanted member or parent
 * given twice). Anything else is given up, and the reader parses the text
 * with jansson, so the two paths cannot disagree on a text
 * (tests/unit/test-eve-reader-scan.c and tests/fuzz/fuzz-eve-reader-scan.c
 * hold it to jansson). */
#ifndef FABMON_EVE_READER_SCAN_H
#define FABMON_EVE_READER_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* A member a caller wants of a record, without a json_t: "key" at the top
 * level, or "key" inside the object at the dotted path "parent" ("hsms",
 * "modbus.request"; NULL: top level). */
struct eve_field {
	const char *parent;
	const char *key;
	/* out: the member's string value, NUL-terminated in buf; NULL when the
	 * member is absent or not a string (what jansson's accessors give) */
	const char *value;
	char buf[160];
};

#define EVE_SCAN_MAX_FIELDS 16 /* members one scan picks out, at most */

/* True: text is a JSON object and f[i].value is its member's string (or
 * NULL, as jansson's accessors give it). False: not judged, parse it fully
 * (f[i].value then means nothing). At most EVE_SCAN_MAX_FIELDS fields. */
bool eve_scan_record(const char *text, size_t len, struct eve_field *f, size_t nf);

#endif
