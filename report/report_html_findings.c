/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: sections 6 and 7 of report.html, the violations by rule
 * with the alerts, and the equipment inventory. */
#include "report/report_render.h"

#include <inttypes.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "rules/catalog.h"
#include "util/json_value.h"

static const char *sev_class(const char *s)
{
	if (!s)
		return "sev-unknown";
	if (!strcmp(s, "critical"))
		return "sev-critical";
	if (!strcmp(s, "high"))
		return "sev-high";
	if (!strcmp(s, "medium"))
		return "sev-medium";
	if (!strcmp(s, "low"))
		return "sev-low";
	return "sev-unknown";
}

/* The severity of o ("severity_name") as a coloured tag in a cell */
static void h_sev_cell(FILE *f, const json_t *o, enum rep_lang lang)
{
	const char *s = json_member_str(o, "severity_name");
	fprintf(f, "<td><span class=\"tag %s\">", sev_class(s));
	html_escape(f, s ? tr(lang, s) : "?");
	fputs("</span></td>", f);
}

void report_html_violations(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "violations", T("6. Violations by rule"));
	fputs(T("<p class=\"note\">Count: the hits of each rule (the sum of the alert records' "
		"<code>count</code>; repeat records carry the hits aggregated after the first). "
		"Suppressed: hits beyond the rate limit, counted by the sensor but not recorded.</p>\n"),
	      f);
	fputs(T("<table><tr><th>rule</th><th>severity</th><th>signature</th>"
		"<th class=\"num\">count</th><th class=\"num\">records</th>"
		"<th class=\"num\">suppressed</th><th>references</th><th>first seen</th>"
		"<th>last seen</th></tr>\n"), f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "rules"), i, o) {
		fputs("<tr class=\"rule-row\"", f);
		html_attr_json(f, "data-rule", json_object_get(o, "rule"));
		html_attr_json(f, "data-count", json_object_get(o, "count"));
		html_attr_json(f, "data-severity", json_object_get(o, "severity_name"));
		fputs("><td class=\"nw\"><b>", f);
		html_member(f, o, "rule");
		fputs("</b></td>", f);
		h_sev_cell(f, o, lang);
		fputs("<td>", f);
		/* the rule's title in the catalog's Japanese; the record's own
		 * signature when the catalog does not know the rule */
		const struct rule_def *d = lang == REP_LANG_JA ? rule_def_by_id(json_member_str(o, "rule"))
							       : NULL;
		if (d && d->signature_ja)
			html_escape(f, d->signature_ja);
		else
			html_member(f, o, "signature");
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			   "</td><td class=\"num\">%" PRIu64 "</td><td>", json_member_count(o, "count"),
			json_member_count(o, "records"), json_member_count(o, "suppressed"));
		html_json_list(f, json_object_get(o, "references"), ", ", SIZE_MAX);
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "rules")))
		fputs(T("<tr><td colspan=\"9\">No alert.</td></tr>\n"), f);
	fputs("</table>\n", f);

	const json_t *al = json_object_get(rep, "alerts");
	fprintf(f, T("<h3>Alerts (%zu listed of %" PRIu64 " records)</h3>\n"), json_array_size(al),
		json_member_count(rep, "alert_records"));
	if (json_array_size(al)) {
		fputs(T("<table><tr><th>time</th><th>rule</th><th>severity</th><th>source</th>"
			"<th>target</th><th>zones</th><th>app</th><th class=\"num\">count</th>"
			"<th>reason</th><th>evidence</th></tr>\n"), f);
		json_array_foreach(al, i, o) {
			fputs("<tr class=\"alert-row\"", f);
			html_attr_json(f, "data-rule", json_object_get(o, "rule"));
			html_attr_json(f, "data-src", json_object_get(o, "src_ip"));
			html_attr_json(f, "data-dst", json_object_get(o, "dest_ip"));
			html_attr_json(f, "data-count", json_object_get(o, "count"));
			if (json_is_true(json_object_get(o, "repeat")))
				fputs(" data-repeat=\"true\"", f);
			fputs("><td>", f);
			html_timestamp(f, json_object_get(o, "timestamp"));
			fputs("</td><td class=\"nw\">", f);
			html_member(f, o, "rule");
			fputs("</td>", f);
			h_sev_cell(f, o, lang);
			fputs("<td class=\"mono nw\">", f);
			html_member(f, o, "src_ip");
			if (json_object_get(o, "src_port")) {
				fputs(":", f);
				html_member(f, o, "src_port");
			}
			fputs("</td><td class=\"mono nw\">", f);
			html_member(f, o, "dest_ip");
			if (json_object_get(o, "dest_port")) {
				fputs(":", f);
				html_member(f, o, "dest_port");
			}
			fputs("</td><td>", f);
			report_html_zone(f, rep, json_member_str_or(o, "src_zone", NO_ZONE));
			fputs(" \xe2\x86\x92 ", f);
			report_html_zone(f, rep, json_member_str_or(o, "dest_zone", NO_ZONE));
			fputs("</td><td>", f);
			html_member(f, o, "app_proto");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "%s</td><td>", json_member_count(o, "count"),
				json_is_true(json_object_get(o, "repeat")) ? T(" (repeat)") : "");
			html_member(f, o, "reason");
			fputs("</td><td class=\"mono hash\">", f);
			html_member(f, o, "evidence");
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

void report_html_inventory(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "inventory", T("7. Equipment inventory"));
	fputs(T("<p class=\"note\">Equipment (HSMS: MDLN/SOFTREV from S1F2/S1F13/S1F14) and Modbus "
		"devices (FC 43/14, FC 17) identified in the traffic, from the last inventory record of "
		"each (the end-of-run summary when there is one), with the baseline the policy "
		"lists (NIST CSF ID.AM-01/02; SEMI E187).</p>\n"), f);
	fputs(T("<table><tr><th>address</th><th>name</th><th>zone</th><th>kind</th><th>vendor</th>"
		"<th>model</th><th>revision</th><th>baseline</th><th>ports</th><th>hosts / clients</th>"
		"<th>first seen</th><th>last seen</th></tr>\n"), f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "assets"), i, o) {
		json_t *bm = json_object_get(o, "baseline_match");
		fputs("<tr class=\"asset-row\"", f);
		html_attr_json(f, "data-ip", json_object_get(o, "ip"));
		html_attr_json(f, "data-kind", json_object_get(o, "kind"));
		html_attr_json(f, "data-model", json_object_get(o, "model"));
		html_attr_json(f, "data-revision", json_object_get(o, "revision"));
		html_attr_json(f, "data-zone", json_object_get(o, "zone"));
		fputs("><td class=\"mono nw\">", f);
		html_member(f, o, "ip");
		if (json_array_size(json_object_get(o, "sensors"))) { /* the key-value inventory's */
			fputs(T("<br><span class=\"note seen-by\">seen by "), f);
			html_json_list(f, json_object_get(o, "sensors"), ", ", HTML_MAX_ITEMS);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		html_member(f, o, "host_name");
		fputs("</td><td>", f);
		report_html_zone(f, rep, json_member_str_or(o, "zone", ""));
		fputs("</td><td>", f);
		html_escape(f, tr(lang, json_member_str(o, "kind")));
		fputs("</td><td>", f);
		html_member(f, o, "vendor");
		fputs("</td><td><b>", f);
		html_member(f, o, "model");
		fputs("</b></td><td>", f);
		html_member(f, o, "revision");
		if (json_array_size(json_object_get(o, "revisions_seen")) > 1) {
			fputs(T("<br><span class=\"note\">seen: "), f);
			html_json_list(f, json_object_get(o, "revisions_seen"), ", ", SIZE_MAX);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		if (json_is_boolean(bm)) {
			fprintf(f, "<span class=\"tag %s\">%s</span> ", json_is_true(bm) ? "v-allowed"
				: "v-violating", json_is_true(bm) ? T("matches") : T("differs"));
			html_member(f, o, "baseline_model");
			fputs(" ", f);
			html_member(f, o, "baseline_revision");
		} else {
			fputs(T("<span class=\"muted\">none</span>"), f);
		}
		fputs("</td><td>", f);
		html_json_list(f, json_object_get(o, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td class=\"mono peers\">", f);
		html_json_list(f, json_object_get(o, "peers"), ", ", 20);
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "assets")))
		fputs(T("<tr><td colspan=\"12\">No equipment or Modbus device identified.</td></tr>\n"), f);
	fputs("</table>\n</section>\n", f);
}
