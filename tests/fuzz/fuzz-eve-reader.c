/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the eve.json reader of report and handoff over any
 * bytes. Every line is either a record (a JSON object) or a bad line; the
 * lines, bytes and digest are those of the input; a record's text is one
 * line of it. Input: an eve.json file.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/eve_reader.h"
#include "util/log.h"
#include "util/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
	uint64_t recs, bads, last;
	size_t text;
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "eve_reader: %s\n", what);
		abort();
	}
}

static int on_rec(void *ctx, json_t *rec, const struct eve_line *l)
{
	struct count *c = ctx;
	check(json_is_object(rec), "a record that is not an object");
	check(l->lineno == c->last + 1, "line numbers not in order");
	c->last = l->lineno;
	c->recs++;
	c->text += l->len;
	return 0;
}

static void on_bad(void *ctx, const struct eve_line *l, const struct eve_bad *why)
{
	struct count *c = ctx;
	check(l->lineno == c->last + 1, "line numbers not in order");
	check(why->text[0] != '\0', "a bad line without a reason");
	c->last = l->lineno;
	c->bads++;
	c->text += l->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct eve_reader_ops ops = { .record = on_rec, .bad = on_bad, .sha256 = true };
	log_set_level(LOG_ERROR); /* bad lines are expected here */
	static char none[1];
	FILE *fp = fmemopen(size ? (void *)data : none, size ? size : 1, "r");
	if (!fp)
		return 0;
	if (!size)
		fgetc(fp); /* an empty input: a stream of one byte, read already */
	struct count c = { 0 };
	struct eve_read_stats st;
	int rc = eve_read_stream(fp, "fuzz", &ops, &c, &st);
	fclose(fp);
	check(rc == EVE_READ_OK, "reading memory failed");
	uint64_t newlines = 0;
	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	uint64_t lines = newlines + (size && data[size - 1] != '\n');
	check(st.lines == lines, "not every line read");
	check(st.bytes == size, "not every byte read");
	check(st.records == c.recs && st.bad == c.bads && c.recs + c.bads == lines,
	      "a line neither a record nor bad");
	check(c.text <= size, "lines longer than the input");
	char hex[65];
	sha256_hex(data, size, hex);
	check(!strcmp(hex, st.sha256), "digest differs from the input's");
	return 0;
}
