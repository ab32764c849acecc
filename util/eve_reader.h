/* SPDX-License-Identifier: BSD-2-Clause */
/* The one eve.json reader of `fabmon report` and `fabmon handoff`: a file
 * read line by line (lines of any length, "\n" or "\r\n" ends, the last line
 * with or without its end), each line parsed by jansson and handed to the
 * caller as a record (or, for the bulk types the caller names, its few
 * wanted members by a validating scan, when that can vouch for them: see
 * ops->scanned). A line that is not a JSON object (empty, malformed,
 * cut short, another JSON value) is never skipped silently: the reader says
 * `PATH:LINE: not a JSON object: WHY` on stderr (the first EVE_BAD_LOGGED of
 * them, then that there are more), counts it and hands it to the caller. */
#ifndef FABMON_EVE_READER_H
#define FABMON_EVE_READER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/eve_reader_scan.h" /* struct eve_field */

#define EVE_BAD_LOGGED 10 /* bad lines said one by one on stderr */

struct eve_line {
	const char *text;  /* without its line end, NUL-terminated (it may hold NULs) */
	size_t len;
	uint64_t lineno;   /* from 1 */
	bool complete;     /* false: the last line, without its newline */
};

/* Why a line is not a record: jansson's message and its column (0: no
 * column, the text says it all: "empty line", "not an object"). */
struct eve_bad {
	int column;
	char text[JSON_ERROR_TEXT_LENGTH];
};

#define EVE_SCAN_DECLINED (-1) /* ops->scanned: parse this record, hand it to ops->record */

struct eve_reader_ops {
	/* A record (a JSON object). A value > 0 stops the reading;
	 * eve_read_file returns it. */
	int (*record)(void *ctx, json_t *rec, const struct eve_line *line);
	/* A line that is not a record, after the reader said so. May be NULL. */
	void (*bad)(void *ctx, const struct eve_line *line, const struct eve_bad *why);
	bool sha256;       /* compute the SHA-256 of the bytes read */
	/* NULL: every line is parsed. Else the event types the caller wants,
	 * NULL-terminated: a line whose first "event_type":"X" names another
	 * type is counted as skipped and not parsed (nor checked): a full parse
	 * costs ~50 times a look for the type, and a handoff needs a few
	 * records of a file of mostly hsms/modbus ones. */
	const char *const *types;
	/* The fast path, for the bulk of a busy eve.json. NULL: none. Else a
	 * line whose first "event_type":"X" names one of scan_types (NULL-
	 * terminated) is scanned for the members scan_fields[0..scan_nfields)
	 * (at most EVE_SCAN_MAX_FIELDS) without building a json_t; if the scan
	 * can vouch that jansson reads the line as an object with the same
	 * values, scanned gets them in that order (0: go on, > 0: stop, as
	 * record; EVE_SCAN_DECLINED: the line is parsed and handed to record).
	 * A line the scan does not vouch for is parsed as any other: the bad
	 * lines are those jansson rejects, said and counted as ever. */
	int (*scanned)(void *ctx, const struct eve_field *f, const struct eve_line *line);
	const char *const *scan_types;
	const struct eve_field *scan_fields;
	size_t scan_nfields;
};

struct eve_read_stats {
	uint64_t lines, bytes;  /* lines read (empty ones too), bytes read */
	uint64_t records, bad;  /* lines that are records, lines that are not */
	uint64_t scanned;       /* of the records, those taken by ops->scanned */
	uint64_t skipped;       /* lines of types not wanted (ops->types), not parsed */
	uint64_t first_bad;     /* the line number of the first bad line, 0: none */
	char sha256[65];        /* lowercase hex, if ops->sha256 */
	int err;                /* errno of a failed read, 0: none */
};

/* How a record's line is parsed (json_loadb flags): Suricata's byte
 * strings (modbus `data`) may hold \u0000. */
#define EVE_LOAD_FLAGS JSON_ALLOW_NUL

enum {
	EVE_READ_OK = 0,          /* every line read, bad lines included */
	EVE_READ_CANNOT_OPEN = -1, /* st->err says why */
	EVE_READ_ERROR = -2,      /* a read failed: st->err says why, st holds what was read */
};

/* Reads the file at path: EVE_READ_*, or the value > 0 of ops->record that
 * stopped it. */
int eve_read_file(const char *path, const struct eve_reader_ops *ops, void *ctx,
		  struct eve_read_stats *st);

/* The same over an open stream; name is the path said in messages. */
int eve_read_stream(FILE *fp, const char *name, const struct eve_reader_ops *ops, void *ctx,
		    struct eve_read_stats *st);

#endif
