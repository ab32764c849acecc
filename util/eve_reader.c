/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/eve_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/eve_reader_scan.h"
#include "util/log.h"
#include "util/sha256.h"

static void bad_line(const char *name, const struct eve_reader_ops *ops, void *ctx,
		     struct eve_read_stats *st, const struct eve_line *l, const struct eve_bad *why)
{
	if (!st->bad++)
		st->first_bad = l->lineno;
	const char *cut = l->complete ? "" : " (the last line, without its newline: cut short?)";
	if (st->bad <= EVE_BAD_LOGGED && why->column > 0)
		log_warn("%s:%" PRIu64 ": not a JSON object: %s (column %d)%s", name, l->lineno,
			 why->text, why->column, cut);
	else if (st->bad <= EVE_BAD_LOGGED)
		log_warn("%s:%" PRIu64 ": not a JSON object: %s%s", name, l->lineno, why->text, cut);
	else if (st->bad == EVE_BAD_LOGGED + 1)
		log_warn("%s: more lines are not JSON objects; not all are said", name);
	if (ops->bad)
		ops->bad(ctx, l, why);
}

/* A line's event type by a look for its first "event_type":"X" (what
 * fabmon and Suricata write), without a parse: false when it is not found
 * that way. */
static bool event_type(const char *text, size_t len, const char **t, size_t *tn)
{
	static const char key[] = "\"event_type\":\"";
	const char *p = memmem(text, len, key, sizeof(key) - 1);
	if (!p)
		return false;
	p += sizeof(key) - 1;
	const char *q = memchr(p, '"', len - (size_t)(p - text));
	if (!q)
		return false;
	*t = p;
	*tn = (size_t)(q - p);
	return true;
}

static bool type_in(const char *const *types, const char *t, size_t tn)
{
	for (size_t i = 0; types[i]; i++)
		if (strlen(types[i]) == tn && !memcmp(types[i], t, tn))
			return true;
	return false;
}

/* The fast path (ops->scanned) for a line of a type the caller named:
 * EVE_SCAN_DECLINED when the scan gives up or the caller declines, else
 * what ops->scanned said. */
static int scan_line(const struct eve_reader_ops *ops, void *ctx, struct eve_field *f,
		     const struct eve_line *l, bool typed, const char *t, size_t tn)
{
	if (!typed || !type_in(ops->scan_types, t, tn))
		return EVE_SCAN_DECLINED;
	if (!eve_scan_record(l->text, l->len, f, ops->scan_nfields))
		return EVE_SCAN_DECLINED;
	return ops->scanned(ctx, f, l);
}

int eve_read_stream(FILE *fp, const char *name, const struct eve_reader_ops *ops, void *ctx,
		    struct eve_read_stats *st)
{
	memset(st, 0, sizeof(*st));
	/* the wanted members, filled in by each scan */
	struct eve_field fields[EVE_SCAN_MAX_FIELDS];
	bool scan = ops->scanned && ops->scan_types && ops->scan_nfields <= EVE_SCAN_MAX_FIELDS;
	if (scan)
		memcpy(fields, ops->scan_fields, ops->scan_nfields * sizeof(*fields));
	struct sha256_stream sha;
	if (ops->sha256)
		sha256_stream_init(&sha);
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = EVE_READ_OK;
	errno = 0;
	while ((n = getline(&buf, &cap, fp)) >= 0) {
		st->lines++;
		st->bytes += (uint64_t)n;
		if (ops->sha256)
			sha256_stream_update(&sha, buf, (size_t)n);
		struct eve_line l = { .text = buf, .lineno = st->lines,
				      .complete = n > 0 && buf[n - 1] == '\n' };
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		l.len = (size_t)n;
		struct eve_bad why = { 0 };
		if (!n) {
			snprintf(why.text, sizeof(why.text), "empty line");
			bad_line(name, ops, ctx, st, &l, &why);
			continue;
		}
		const char *t = NULL;
		size_t tn = 0;
		bool typed = (ops->types || scan) && event_type(buf, (size_t)n, &t, &tn);
		if (ops->types && typed && !type_in(ops->types, t, tn)) {
			st->skipped++;
			continue;
		}
		int taken = scan ? scan_line(ops, ctx, fields, &l, typed, t, tn) : EVE_SCAN_DECLINED;
		if (taken != EVE_SCAN_DECLINED) {
			st->records++;
			st->scanned++;
			if (taken > 0) {
				rc = taken;
				break;
			}
			errno = 0;
			continue;
		}
		json_error_t je;
		json_t *rec = json_loadb(buf, (size_t)n, EVE_LOAD_FLAGS, &je);
		if (!json_is_object(rec)) {
			if (rec) {
				snprintf(why.text, sizeof(why.text), "not an object");
			} else {
				why.column = je.column;
				snprintf(why.text, sizeof(why.text), "%s", je.text);
			}
			json_decref(rec);
			bad_line(name, ops, ctx, st, &l, &why);
			continue;
		}
		st->records++;
		rc = ops->record(ctx, rec, &l);
		json_decref(rec);
		if (rc > 0)
			break;
		errno = 0;
	}
	if (!rc && ferror(fp)) {
		st->err = errno ? errno : EIO;
		rc = EVE_READ_ERROR;
	}
	free(buf);
	if (ops->sha256) {
		uint8_t d[32];
		sha256_stream_final(&sha, d);
		sha256_to_hex(d, st->sha256);
	}
	return rc;
}

int eve_read_file(const char *path, const struct eve_reader_ops *ops, void *ctx,
		  struct eve_read_stats *st)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		memset(st, 0, sizeof(*st));
		st->err = errno;
		return EVE_READ_CANNOT_OPEN;
	}
	int rc = eve_read_stream(fp, path, ops, ctx, st);
	fclose(fp);
	return rc;
}
