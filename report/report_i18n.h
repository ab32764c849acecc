/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to `fabmon report`: the languages of report.html (issue 19 item
 * 4). English is the text of the renderers themselves; the Japanese of each
 * text is in one table (report_i18n.c), keyed by the English, written with
 * the terms of METI's OT security guideline for semiconductor device
 * factories (ゾーン, コンジット, ファブエリア, ファブシステムエリア, IT/OT DMZ,
 * 外部サービス). report.json and the CSV files are data: English keys and
 * values in either language; only report.json's report.lang says which.
 *
 * A renderer takes the language from the tree (rep_lang_of) into a
 * variable named `lang` and writes T("English text"): the English itself,
 * or its translation. A text the table lacks stays English.
 */
#ifndef FABMON_REPORT_I18N_H
#define FABMON_REPORT_I18N_H

#include <jansson.h>
#include <stddef.h>

enum rep_lang { REP_LANG_EN, REP_LANG_JA };

/* "en" or "ja"; -1 for anything else. */
int rep_lang_parse(const char *s);
const char *rep_lang_name(enum rep_lang lang);
/* The language of a report tree: its report.lang (English when absent). */
enum rep_lang rep_lang_of(const json_t *rep);

/* key_en in lang. A format string's translation has the same conversions
 * in the same order (tests/unit/test-report-i18n.c checks every entry), so
 * format_arg lets the compiler check the arguments against key_en. */
const char *tr(enum rep_lang lang, const char *key_en) __attribute__((format_arg(2)));
#define T(s) tr(lang, s)

/* A zone's area (`area:` of the policy: fab-area, ...) as the guideline
 * names it; the identifier itself in English. */
const char *tr_area(enum rep_lang lang, const char *area);

/* The table, for the unit test: entry i's English and Japanese (NULL past
 * the end). */
const char *rep_i18n_entry(size_t i, const char **ja);

#endif
