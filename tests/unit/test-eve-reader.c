/* SPDX-License-Identifier: BSD-2-Clause */
/* The eve.json reader of report and handoff: every line is a record or a
 * bad line said with its file and line number (truncated, malformed, empty,
 * another JSON value), whatever the line ends and lengths; the digest and
 * byte count are those of the file as read. */
#include <errno.h>
#include <jansson.h>
#include <unistd.h>

#include "util/eve_reader.h"
#include "util/log.h"
#include "util/sha256.h"
#include "test.h"

struct seen {
	int nrec, nbad;
	uint64_t rec_line[16], bad_line[16];
	size_t rec_len[16];
	bool rec_complete[16], bad_complete[16];
	char bad_text[16][JSON_ERROR_TEXT_LENGTH];
	int bad_column[16];
	char first_et[32];
	int stop_after; /* > 0: stop after that many records */
};

static int on_rec(void *ctx, json_t *rec, const struct eve_line *l)
{
	struct seen *s = ctx;
	if (!json_is_object(rec) || strlen(l->text) > l->len)
		return 99;
	if (s->nrec < 16) {
		s->rec_line[s->nrec] = l->lineno;
		s->rec_len[s->nrec] = l->len;
		s->rec_complete[s->nrec] = l->complete;
	}
	if (!s->nrec) {
		json_t *et = json_object_get(rec, "event_type");
		snprintf(s->first_et, sizeof(s->first_et), "%s",
			 json_is_string(et) ? json_string_value(et) : "");
	}
	s->nrec++;
	return s->stop_after && s->nrec >= s->stop_after ? 7 : 0;
}

static void on_bad(void *ctx, const struct eve_line *l, const struct eve_bad *why)
{
	struct seen *s = ctx;
	if (s->nbad < 16) {
		s->bad_line[s->nbad] = l->lineno;
		s->bad_complete[s->nbad] = l->complete;
		s->bad_column[s->nbad] = why->column;
		snprintf(s->bad_text[s->nbad], sizeof(s->bad_text[0]), "%s", why->text);
	}
	s->nbad++;
}

static const struct eve_reader_ops ops = { .record = on_rec, .bad = on_bad, .sha256 = true };

static char tmpdir[] = "/tmp/test-eve-reader-XXXXXX";
static char errbuf[1 << 16]; /* what the reader said on stderr */

/* Writes text (len bytes) to a file, reads it, keeps stderr in errbuf. */
static int read_text(const char *text, size_t len, struct seen *s, struct eve_read_stats *st)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		return -100;
	fflush(stderr);
	FILE *cap = tmpfile();
	int saved = dup(2);
	dup2(fileno(cap), 2);
	int rc = eve_read_file(path, &ops, s, st);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	size_t n = fread(errbuf, 1, sizeof(errbuf) - 1, cap);
	errbuf[n] = '\0';
	fclose(cap);
	return rc;
}

static void check_digest(const char *text, size_t len, const struct eve_read_stats *st)
{
	char hex[65];
	sha256_hex(text, len, hex);
	CHECK_STR(st->sha256, hex);
	CHECK_EQ(st->bytes, len);
}

static void test_good_lines(void)
{
	const char *t = "{\"event_type\":\"flow\",\"a\":1}\n{\"event_type\":\"alert\"}\n";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 2);
	CHECK_EQ(st.records, 2);
	CHECK_EQ(st.bad, 0);
	CHECK_EQ(st.first_bad, 0);
	CHECK_EQ(s.nrec, 2);
	CHECK_STR(s.first_et, "flow");
	CHECK_EQ(s.rec_len[0], strlen("{\"event_type\":\"flow\",\"a\":1}"));
	CHECK(s.rec_complete[1]);
	CHECK_STR(errbuf, "");
	check_digest(t, strlen(t), &st);
}

/* the exact line number, jansson's message and column, on stderr and to the caller */
static void test_malformed_line(void)
{
	const char *t = "{\"a\":1}\n{\"a\":2}\n{\"event_type\":\"flow\", truncated\n{\"a\":3}\n";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 4);
	CHECK_EQ(st.records, 3);
	CHECK_EQ(st.bad, 1);
	CHECK_EQ(st.first_bad, 3);
	CHECK_EQ(s.nbad, 1);
	CHECK_EQ(s.bad_line[0], 3);
	CHECK_EQ(s.bad_column[0], 31); /* jansson: the column where the bad token ends */
	CHECK_STR(s.bad_text[0], "string or '}' expected near 'truncated'");
	CHECK_EQ(s.rec_line[2], 4);
	char want[512];
	snprintf(want, sizeof(want),
		 "fabmon: warning: %s/eve.json:3: not a JSON object: string or '}' expected near "
		 "'truncated' (column 31)\n", tmpdir);
	CHECK_STR(errbuf, want);
}

/* a file cut mid-line: its last line is bad, said so; the lines before are read */
static void test_truncated_last_line(void)
{
	const char *t = "{\"a\":1}\n{\"event_type\":\"hsms\",\"hs";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 2);
	CHECK_EQ(st.records, 1);
	CHECK_EQ(st.bad, 1);
	CHECK_EQ(s.bad_line[0], 2);
	CHECK(!s.bad_complete[0]);
	CHECK(strstr(errbuf, "/eve.json:2: not a JSON object: ") != NULL);
	CHECK(strstr(errbuf, "the last line, without its newline") != NULL);
	check_digest(t, strlen(t), &st);
}

/* a good last line without its newline is a record */
static void test_missing_final_newline(void)
{
	const char *t = "{\"a\":1}\n{\"event_type\":\"stats\"}";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 2);
	CHECK_EQ(st.records, 2);
	CHECK_EQ(st.bad, 0);
	CHECK(s.rec_complete[0]);
	CHECK(!s.rec_complete[1]);
	CHECK_EQ(s.rec_len[1], strlen("{\"event_type\":\"stats\"}"));
	check_digest(t, strlen(t), &st);
}

static void test_crlf(void)
{
	const char *t = "{\"event_type\":\"run\"}\r\n{\"b\":\"x\"}\r\n";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.records, 2);
	CHECK_EQ(st.bad, 0);
	CHECK_EQ(s.rec_len[0], strlen("{\"event_type\":\"run\"}"));
	CHECK_STR(s.first_et, "run");
	check_digest(t, strlen(t), &st);
}

/* an empty line (or one of a lone CR) is not a record: said and counted */
static void test_empty_lines(void)
{
	const char *t = "\n{\"a\":1}\n\r\n\n{\"a\":2}\n";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 5);
	CHECK_EQ(st.records, 2);
	CHECK_EQ(st.bad, 3);
	CHECK_EQ(s.bad_line[0], 1);
	CHECK_EQ(s.bad_line[1], 3);
	CHECK_EQ(s.bad_line[2], 4);
	CHECK_STR(s.bad_text[1], "empty line");
	CHECK_EQ(s.bad_column[1], 0);
	CHECK(strstr(errbuf, "/eve.json:4: not a JSON object: empty line\n") != NULL);
	CHECK_EQ(s.rec_line[1], 5);
}

/* JSON that is not an object: an array, a number, a string, null */
static void test_not_object(void)
{
	const char *t = "[1,2]\n42\n\"text\"\nnull\n{\"a\":1}\n";
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.records, 1);
	CHECK_EQ(st.bad, 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(s.bad_line[i], i + 1);
	CHECK_STR(s.bad_text[0], "not an object");
	/* jansson's parser takes only an array or an object at the top */
	CHECK_STR(s.bad_text[1], "'[' or '{' expected near '42'");
	CHECK_STR(s.bad_text[3], "'[' or '{' expected near 'null'");
	CHECK(strstr(errbuf, "/eve.json:1: not a JSON object: not an object\n") != NULL);
	/* two values on one line, a NUL byte in the line: malformed */
	static const char t2[] = "{\"a\":1}{\"b\":2}\n{\"a\":\"x\0y\"}\n{\"a\":\"\\u0000\"}\n";
	memset(&s, 0, sizeof(s));
	CHECK_EQ(read_text(t2, sizeof(t2) - 1, &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 3);
	CHECK_EQ(st.bad, 2);
	CHECK_EQ(s.bad_line[0], 1);
	CHECK_EQ(s.bad_line[1], 2);
	CHECK_EQ(st.records, 1); /* an escaped NUL is Suricata's, and fine */
	check_digest(t2, sizeof(t2) - 1, &st);
}

/* lines of several MiB, good and cut short; many bad lines are said up to a limit */
static void test_oversized_lines(void)
{
	size_t big = 5u << 20;
	char *t = malloc(2 * big + 64);
	CHECK(t != NULL);
	if (!t)
		return;
	size_t n = 0;
	n += (size_t)sprintf(t + n, "{\"event_type\":\"flow\",\"pad\":\"");
	memset(t + n, 'x', big);
	n += big;
	n += (size_t)sprintf(t + n, "\"}\n{\"pad\":\"");
	memset(t + n, 'y', big);
	n += big;
	struct seen s = { 0 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, n, &s, &st), EVE_READ_OK);
	CHECK_EQ(st.records, 1);
	CHECK_EQ(s.rec_len[0], big + 30);
	CHECK_EQ(st.bad, 1);
	CHECK_EQ(s.bad_line[0], 2);
	check_digest(t, n, &st);
	free(t);

	/* 25 bad lines: 10 said one by one, then once that there are more */
	char many[25 * 4 + 1] = "";
	for (int i = 0; i < 25; i++)
		strcat(many, "{x}\n");
	memset(&s, 0, sizeof(s));
	CHECK_EQ(read_text(many, strlen(many), &s, &st), EVE_READ_OK);
	CHECK_EQ(st.bad, 25);
	CHECK_EQ(s.nbad, 25);
	int said = 0;
	for (const char *p = errbuf; (p = strstr(p, ": not a JSON object: ")); p++)
		said++;
	CHECK_EQ(said, EVE_BAD_LOGGED);
	CHECK(strstr(errbuf, "/eve.json:10: not a JSON object") != NULL);
	CHECK(strstr(errbuf, "/eve.json:11: not a JSON object") == NULL);
	CHECK(strstr(errbuf, "more lines are not JSON objects") != NULL);
}

/* the caller stops the reading; a file that cannot be opened */
static void test_stop_and_errors(void)
{
	const char *t = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
	struct seen s = { .stop_after = 2 };
	struct eve_read_stats st;
	CHECK_EQ(read_text(t, strlen(t), &s, &st), 7);
	CHECK_EQ(s.nrec, 2);
	CHECK_EQ(st.lines, 2);
	CHECK_EQ(eve_read_file("/nonexistent/eve.json", &ops, &s, &st), EVE_READ_CANNOT_OPEN);
	CHECK_EQ(st.err, ENOENT);
	/* a directory opens but cannot be read */
	CHECK_EQ(eve_read_file(tmpdir, &ops, &s, &st), EVE_READ_ERROR);
	CHECK_EQ(st.err, EISDIR);
	/* an empty file: no line */
	memset(&s, 0, sizeof(s));
	CHECK_EQ(read_text("", 0, &s, &st), EVE_READ_OK);
	CHECK_EQ(st.lines, 0);
	CHECK_STR(st.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* the event type pre-check: other types are counted as skipped, not parsed;
 * a line whose type is not found that way is parsed */
static void test_types(void)
{
	static const char *const want[] = { "alert", "run", NULL };
	static const struct eve_reader_ops tops = { .record = on_rec, .bad = on_bad, .types = want };
	const char *t = "{\"event_type\":\"hsms\",\"x\":1}\n"
			"{\"event_type\":\"alert\"}\n"
			"{\"event_type\":\"hsms\", broken\n"      /* skipped: not checked */
			"{\"event_type\": \"hsms\"}\n"            /* spaced: parsed */
			"{\"event_type\":\"alerts\"}\n"           /* another type */
			"{\"event_type\":\"run\", broken\n"       /* wanted: parsed, bad */
			"{\"event_type\":\"al\n";                  /* no closing quote: parsed, bad */
	char path[256];
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	FILE *f = fopen(path, "wb");
	fputs(t, f);
	fclose(f);
	struct seen s = { 0 };
	struct eve_read_stats st;
	log_set_level(LOG_ERROR);
	CHECK_EQ(eve_read_file(path, &tops, &s, &st), EVE_READ_OK);
	log_set_level(LOG_INFO);
	CHECK_EQ(st.lines, 7);
	CHECK_EQ(st.skipped, 3);
	CHECK_EQ(st.records, 2);
	CHECK_EQ(s.rec_line[0], 2);
	CHECK_EQ(s.rec_line[1], 4);
	CHECK_EQ(st.bad, 2);
	CHECK_EQ(s.bad_line[0], 6);
	CHECK_EQ(s.bad_line[1], 7);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 2;
	RUN(test_good_lines);
	RUN(test_malformed_line);
	RUN(test_truncated_last_line);
	RUN(test_missing_final_newline);
	RUN(test_crlf);
	RUN(test_empty_lines);
	RUN(test_not_object);
	RUN(test_oversized_lines);
	RUN(test_stop_and_errors);
	RUN(test_types);
	char path[256];
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return test_done();
}
