/* SPDX-License-Identifier: BSD-2-Clause */
/* The Japanese of the audit report (report/report_i18n.c) and the rule
 * titles (rules/catalog.c): every translation of a format string has the
 * conversions of its English (in order, or numbered %N$), every text is
 * valid UTF-8, no key twice, markup kept; the languages; every rule has its
 * signature_ja. */
#include <stdbool.h>
#include <stdlib.h>

#include "report/report_i18n.h"
#include "rules/catalog.h"
#include "test.h"

#define MAX_CONV 16

/* The conversions of a printf format, "%zu" "%lu" "%s" ... (flags, width
 * and precision left out), by argument position; numbered ones (%2$s) at
 * their number. The count, or -1 if the format mixes the two kinds or is
 * malformed. */
static int conversions(const char *f, char conv[MAX_CONV][8])
{
	int n = 0, numbered = -1;
	for (const char *p = f; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		int pos = -1;
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == '$' && q > p) {
			pos = atoi(p) - 1;
			p = q + 1;
		}
		if (numbered >= 0 && numbered != (pos >= 0))
			return -1;
		numbered = pos >= 0;
		while (*p && strchr("-+ #0123456789.", *p))
			p++;
		char c[8];
		size_t k = 0;
		while (*p && strchr("hlzjt", *p) && k < 4)
			c[k++] = *p++;
		if (!*p || !strchr("diouxXsc", *p))
			return -1;
		c[k++] = *p;
		c[k] = 0;
		int at = pos >= 0 ? pos : n;
		if (at >= MAX_CONV)
			return -1;
		memcpy(conv[at], c, k + 1);
		n = at + 1 > n ? at + 1 : n;
	}
	return n;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
			: (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (!len || (len == 2 && *p < 0xc2))
			return false;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += len;
	}
	return true;
}

/* The tags of an HTML fragment, in order ("<th class=\"num\">", "</th>"),
 * without the text of title attributes (translated too). */
static void tags(const char *s, char *out, size_t len)
{
	size_t o = 0;
	for (const char *p = s; *p && o + 1 < len; p++) {
		if (*p != '<')
			continue;
		while (*p && *p != '>' && o + 2 < len) {
			if (!strncmp(p, "title=\"", 7)) {
				p += 7;
				while (*p && *p != '"')
					p++;
				if (!*p)
					break;
			}
			out[o++] = *p++;
		}
		out[o++] = '>';
		if (!*p)
			break;
	}
	out[o] = 0;
}

static bool has_japanese(const char *s)
{
	/* U+3000..U+9FFF, U+FF00..U+FFEF: kana, CJK, full-width forms */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == 0xe3 || (*p >= 0xe4 && *p <= 0xe9) || (*p == 0xef && (p[1] == 0xbc ||
									  p[1] == 0xbd)))
			return true;
	return false;
}

static void test_table(void)
{
	const char *ja, *en;
	size_t n = 0;
	for (size_t i = 0; (en = rep_i18n_entry(i, &ja)); i++, n++) {
		char ce[MAX_CONV][8], cj[MAX_CONV][8];
		memset(ce, 0, sizeof(ce));
		memset(cj, 0, sizeof(cj));
		int ne = conversions(en, ce), nj = conversions(ja, cj);
		test_checks++;
		if (ne < 0 || ne != nj || memcmp(ce, cj, sizeof(ce)) != 0) {
			test_failures++;
			fprintf(stderr, "entry %zu: conversions of \"%s\" differ from \"%s\"\n", i, ja, en);
		}
		CHECK(utf8_valid(en) && utf8_valid(ja));
		char te[4096], tj[4096];
		tags(en, te, sizeof(te));
		tags(ja, tj, sizeof(tj));
		test_checks++;
		if (strcmp(te, tj) != 0) {
			test_failures++;
			fprintf(stderr, "entry %zu: markup of \"%s\" differs from \"%s\"\n", i, ja, en);
		}
		for (size_t k = 0; k < i; k++) {
			const char *ja2, *en2 = rep_i18n_entry(k, &ja2);
			test_checks++;
			if (!strcmp(en, en2)) {
				test_failures++;
				fprintf(stderr, "entry %zu: \"%s\" is also entry %zu\n", i, en, k);
			}
		}
		CHECK(!strcmp(tr(REP_LANG_JA, en), ja));
		CHECK(tr(REP_LANG_EN, en) == en);
	}
	CHECK(n > 150);
	/* a text the table lacks stays English; NULL stays NULL */
	CHECK_STR(tr(REP_LANG_JA, "no such text"), "no such text");
	CHECK(tr(REP_LANG_JA, NULL) == NULL);
}

static void test_terms(void)
{
	/* the guideline's own names of its areas */
	CHECK_STR(tr_area(REP_LANG_JA, "fab-area"), "ファブエリア");
	CHECK_STR(tr_area(REP_LANG_JA, "fab-system-area"), "ファブシステムエリア");
	CHECK_STR(tr_area(REP_LANG_JA, "it-ot-dmz"), "IT/OT DMZ");
	CHECK_STR(tr_area(REP_LANG_JA, "external"), "外部サービス");
	CHECK_STR(tr_area(REP_LANG_EN, "fab-area"), "fab-area");
	CHECK_STR(tr_area(REP_LANG_JA, "no-such-area"), "no-such-area");
	CHECK(tr_area(REP_LANG_JA, NULL) == NULL);
	CHECK_STR(tr(REP_LANG_JA, "2. Zones and conduits"), "2. ゾーンとコンジット");
	CHECK_STR(tr(REP_LANG_JA, "conduits"), "コンジット");
	CHECK_STR(tr(REP_LANG_JA, "Level 3 \xc2\xb7 fab system area"),
		  "レベル3 \xc2\xb7 ファブシステムエリア");
	/* the languages */
	CHECK_EQ(rep_lang_parse("ja"), REP_LANG_JA);
	CHECK_EQ(rep_lang_parse("en"), REP_LANG_EN);
	CHECK_EQ(rep_lang_parse("JA"), -1);
	CHECK_EQ(rep_lang_parse(""), -1);
	CHECK_EQ(rep_lang_parse(NULL), -1);
	CHECK_STR(rep_lang_name(REP_LANG_JA), "ja");
	json_t *rep = json_pack("{s:{s:s}}", "report", "lang", "ja");
	CHECK_EQ(rep_lang_of(rep), REP_LANG_JA);
	json_object_set_new(json_object_get(rep, "report"), "lang", json_string("en"));
	CHECK_EQ(rep_lang_of(rep), REP_LANG_EN);
	CHECK_EQ(rep_lang_of(NULL), REP_LANG_EN);
	json_decref(rep);
}

static void test_signatures(void)
{
	for (int r = 0; r < R_COUNT; r++) {
		const struct rule_def *d = rule_def((enum rule_id)r);
		test_checks++;
		if (!d || !d->signature_ja || !*d->signature_ja || !utf8_valid(d->signature_ja) ||
		    !has_japanese(d->signature_ja) || strchr(d->signature_ja, '"') ||
		    strchr(d->signature_ja, '\\')) {
			test_failures++;
			fprintf(stderr, "rule %d (%s): no good signature_ja\n", r, d ? d->id : "?");
		}
	}
	CHECK_STR(rule_def_by_id("FAB-ZC-001")->signature_ja,
		  "コンジットで許可されていないゾーン間通信（デフォルト拒否）");
}

int main(void)
{
	RUN(test_table);
	RUN(test_terms);
	RUN(test_signatures);
	return test_done();
}
