/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: section 8 of report.html, the guideline evidence table
 * (report_guideline.h): one row per clause, its status and evidence. */
#include "report/report_render.h"

#include <inttypes.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_guideline.h"
#include "report/report_i18n.h"
#include "util/json_value.h"

static const char *status_class(const char *s)
{
	if (s && !strcmp(s, "broken"))
		return "v-violating";
	if (s && !strcmp(s, "observed"))
		return "v-allowed";
	return "v-unknown";
}

/* The alerts that evidence a broken row: time, rule, who, the pcap. */
static void h_examples(FILE *f, const json_t *row)
{
	const json_t *ex = json_object_get(row, "examples");
	if (!json_array_size(ex))
		return;
	fputs("<ul class=\"allow\">", f);
	size_t i;
	json_t *e;
	json_array_foreach(ex, i, e) {
		fputs("<li class=\"example\">", f);
		html_timestamp(f, json_object_get(e, "timestamp"));
		fputs(" <b>", f);
		html_member(f, e, "rule");
		fputs("</b> <span class=\"mono\">", f);
		html_member(f, e, "src_ip");
		fputs(" \xe2\x86\x92 ", f);
		html_member(f, e, "dest_ip");
		fputs("</span> ", f);
		html_member(f, e, "app_proto");
		if (json_member_str(e, "evidence")) {
			fputs(" <span class=\"mono note\">", f);
			html_member(f, e, "evidence");
			fputs("</span>", f);
		}
		fputs("</li>", f);
	}
	fputs("</ul>", f);
}

void report_html_guideline(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "guideline", T("8. Guideline evidence"));
	fputs(T("<p class=\"note\">One row per clause of METI's OT security guideline for "
		"semiconductor device factories that passive observation can speak to, with its SEMI "
		"E187, NIST CSF 2.0 (semiconductor profile, NIST IR 8546) and IEC 62443-3-3 "
		"counterparts. <b>broken</b>: the traffic broke it (alerts of the rules named, or, for "
		"the inventory, hosts in no zone); <b>observed</b>: the traffic it speaks of was seen "
		"and nothing broke it; <b>not observed</b>: this capture cannot tell. The guideline's "
		"clause numbers are not confirmed yet: rows cite its area and measure.</p>\n"), f);
	fputs(T("<table><tr><th>clause</th><th>counterparts</th><th>status</th><th>evidence</th>"
		"<th>period</th></tr>\n"), f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "guideline_evidence"), i, o) {
		fputs("<tr class=\"clause-row\"", f);
		html_attr_json(f, "data-clause", json_object_get(o, "clause"));
		html_attr_json(f, "data-status", json_object_get(o, "status"));
		html_attr_json(f, "data-observed", json_object_get(o, "observed_count"));
		html_attr_json(f, "data-hits", json_object_get(o, "alert_hits"));
		fputs("><td><b>", f);
		html_escape(f, tr(lang, json_member_str(o, "title")));
		fputs("</b><br><span class=\"note\">", f);
		html_escape(f, tr(lang, json_member_str(o, "guideline")));
		fputs("</span></td><td class=\"mono\">", f);
		html_json_list(f, json_object_get(o, "counterparts"), ", ", HTML_MAX_ITEMS);
		fprintf(f, "</td><td><span class=\"tag %s\">",
			status_class(json_member_str(o, "status")));
		html_escape(f, tr(lang, json_member_str(o, "status")));
		fputs("</span></td><td>", f);
		if (lang == REP_LANG_EN) {
			html_member(f, o, "evidence");
		} else {
			json_t *ev = rep_guideline_evidence(o, lang);
			html_json_value(f, ev);
			json_decref(ev);
		}
		h_examples(f, o);
		fputs("</td><td>", f);
		const json_t *p = json_object_get(o, "period");
		html_timestamp(f, json_object_get(p, "from"));
		fputs(" \xe2\x80\x93 ", f);
		html_timestamp(f, json_object_get(p, "to"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}
