/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to util/eve_reader.c (and its tests): the reader's fast path, a
 * validating scan of one JSON object that picks out a few string members
 * (struct eve_field) without building a tree. `fabmon report` reads hundreds
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

#include "util/eve_reader.h"

/* True: text is a JSON object and f[i].value is its member's string (or
 * NULL, as jansson's accessors give it). False: not judged, parse it fully
 * (f[i].value then means nothing). At most EVE_SCAN_MAX_FIELDS fields. */
bool eve_scan_record(const char *text, size_t len, struct eve_field *f, size_t nf);

#endif
