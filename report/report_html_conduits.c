/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: section 5 of report.html, the conduits (allowed against
 * observed), HSMS messages per host pair and Modbus access per client. */
#include "report/report_render.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "util/json_value.h"

static void html_allow(FILE *f, const json_t *a, enum rep_lang lang)
{
	fputs("<li class=\"allow\">", f);
	fputs("<b>", f);
	html_member(f, a, "app");
	fputs("</b>", f);
	fputs(T(" ports "), f);
	if (json_array_size(json_object_get(a, "ports")))
		html_json_list(f, json_object_get(a, "ports"), ",", SIZE_MAX);
	else
		fputs(T("any"), f);
	fputs(T("; initiators "), f);
	if (json_array_size(json_object_get(a, "initiators")))
		html_json_list(f, json_object_get(a, "initiators"), ", ", SIZE_MAX);
	else
		fputs(T("any"), f);
	if (json_object_get(a, "messages")) {
		json_t *m = json_object_get(a, "messages"), *c = json_object_get(a, "categories");
		fputs(T("; messages "), f);
		if (json_array_size(m))
			html_json_list(f, m, ",", SIZE_MAX);
		if (json_array_size(c)) {
			fputs(json_array_size(m) ? "," : "", f);
			html_json_list(f, c, ",", SIZE_MAX);
		}
	}
	if (json_object_get(a, "access")) {
		static const char *const keys[] = { "access", "function_codes", "unit_ids",
						    "write_addresses" };
		static const char *const names[] = { "access", "function codes", "units",
						     "write addresses" };
		for (int k = 0; k < 4; k++) {
			json_t *v = json_object_get(a, keys[k]);
			if (!json_array_size(v))
				continue;
			fprintf(f, "; %s ", tr(lang, names[k]));
			html_json_list(f, v, ",", SIZE_MAX);
		}
	}
	fputs("</li>", f);
}

/* The cells of the two ends of a host pair (keys as in report.json: the
 * addresses, their names, their zones): "IP (name)", "IP (name)", "a → b". */
static void h_ends(FILE *f, const json_t *rep, const json_t *o, const char *const key[6])
{
	fputs("><td class=\"mono\">", f);
	html_member(f, o, key[0]);
	html_member_in_parens(f, o, key[2]);
	fputs("</td><td class=\"mono\">", f);
	html_member(f, o, key[1]);
	html_member_in_parens(f, o, key[3]);
	fputs("</td><td>", f);
	report_html_zone(f, rep, json_member_str_or(o, key[4], ""));
	fputs(" \xe2\x86\x92 ", f);
	report_html_zone(f, rep, json_member_str_or(o, key[5], ""));
}

/* A counter object as "name ×N, name ×N" */
static void h_counts(FILE *f, json_t *o)
{
	const char *k;
	json_t *n;
	bool first = true;
	json_object_foreach(o, k, n) {
		fputs(first ? "" : ", ", f);
		html_escape(f, k);
		fprintf(f, "\xc2\xa0\xc3\x97%" JSON_INTEGER_FORMAT, json_integer_value(n));
		first = false;
	}
}

static void html_policy_conduits(FILE *f, const json_t *rep, enum rep_lang lang)
{
	fputs(T("<p class=\"note\">Each conduit of the policy (IEC 62443-3-2 ZCR 3: what one zone "
		"may open toward another) with what it allows, and the flows fabmon saw go through it. "
		"A conduit <b>not observed</b> carried no flow in this capture; it may be unused, or "
		"its traffic is not on the mirrored links. <b>Not allowed by it</b>: flows between its "
		"zones, in its direction, that it does not allow (application, port or initiator) "
		"\xe2\x80\x94 each a violation.</p>\n"), f);
	fputs(T("<table><tr><th>conduit</th><th>zones</th><th>allows</th><th>status</th>"
		"<th class=\"num\">flows</th><th>applications seen</th><th>ports seen</th>"
		"<th>clients</th><th>not allowed by it</th><th>alerts on it</th></tr>\n"), f);
	size_t i;
	json_t *c;
	bool merged = json_array_size(json_object_get(rep, "sensors")) > 1;
	json_array_foreach(json_object_get(rep, "conduits"), i, c) {
		bool obs = json_is_true(json_object_get(c, "observed"));
		bool both = !strcmp(json_member_str_or(c, "direction", ""), "both");
		fputs("<tr class=\"conduit-row\"", f);
		html_attr_json(f, "data-conduit", json_object_get(c, "name"));
		html_attr_json(f, "data-observed", json_object_get(c, "observed"));
		html_attr_json(f, "data-flows", json_object_get(c, "flows"));
		html_attr_json(f, "data-flows-not-allowed", json_object_get(c, "flows_not_allowed"));
		if (merged && json_array_size(json_object_get(c, "sensors"))) {
			/* the sensor names, comma-separated */
			fputs(" data-sensors=\"", f);
			html_json_list(f, json_object_get(c, "sensors"), ",", SIZE_MAX);
			fputc('"', f);
		}
		fputs("><td><b>", f);
		html_member(f, c, "name");
		fputs("</b>", f);
		if (json_is_string(json_object_get(c, "description"))) {
			fputs("<br><span class=\"note\">", f);
			html_member(f, c, "description");
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		report_html_zone(f, rep, json_member_str_or(c, "from", ""));
		fputs(both ? " \xe2\x86\x94 " : " \xe2\x86\x92 ", f);
		report_html_zone(f, rep, json_member_str_or(c, "to", ""));
		fputs("</td><td><ul class=\"allow\">", f);
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(c, "allow"), k, a)
			html_allow(f, a, lang);
		uint64_t outside = json_member_count(c, "flows_not_allowed");
		fprintf(f, "</ul></td><td><span class=\"tag %s\">%s</span>%s",
			obs ? "v-allowed" : "v-unknown", obs ? T("observed") : T("not observed"),
			outside ? T(" <span class=\"tag v-violating\">traffic it does not allow</span>") : "");
		if (merged && json_array_size(json_object_get(c, "sensors"))) {
			fputs(T("<br><span class=\"note\">seen by "), f);
			html_json_list(f, json_object_get(c, "sensors"), ", ", SIZE_MAX);
			fputs("</span>", f);
		}
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td>", json_member_count(c, "flows"));
		html_json_list(f, json_object_get(c, "apps"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		html_json_list(f, json_object_get(c, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td class=\"mono\">", f);
		html_json_list(f, json_object_get(c, "clients"), ", ", 20);
		fputs("</td><td>", f);
		if (outside) {
			fprintf(f, outside == 1 ? T("%" PRIu64 " flow: ") : T("%" PRIu64 " flows: "), outside);
			html_json_list(f, json_object_get(c, "apps_not_allowed"), ", ", HTML_MAX_ITEMS);
			fputs(T("; port "), f);
			html_json_list(f, json_object_get(c, "ports_not_allowed"), ", ", HTML_MAX_ITEMS);
			fputs(T("; from <span class=\"mono\">"), f);
			html_json_list(f, json_object_get(c, "clients_not_allowed"), ", ", 20);
			fputs("</span>", f);
		} else {
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		}
		fputs("</td><td>", f);
		if (json_member_count(c, "alerts")) {
			fprintf(f, "%" PRIu64 " (", json_member_count(c, "alerts"));
			html_json_list(f, json_object_get(c, "alert_rules"), ", ", SIZE_MAX);
			fputs(")", f);
		} else {
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "conduits")))
		fputs(T("<tr><td colspan=\"10\" class=\"muted\">no policy loaded, or it has no "
			"conduits</td></tr>\n"), f);
	fputs("</table>\n", f);
	const json_t *extra = json_object_get(rep, "conduits_not_in_policy");
	if (json_array_size(extra)) {
		fputs(T("<h3>Conduits in the records but not in this policy</h3>\n<p class=\"note\">"
			"Named by flows or alerts of an earlier policy (before a reload).</p>\n"), f);
		fputs(T("<table><tr><th>conduit</th><th class=\"num\">flows</th><th>applications</th>"
			"<th>ports</th><th>zone pairs</th></tr>\n"), f);
		json_array_foreach(extra, i, c) {
			fputs("<tr class=\"conduit-extra-row\"", f);
			html_attr_json(f, "data-conduit", json_object_get(c, "name"));
			html_attr_json(f, "data-flows", json_object_get(c, "flows"));
			fputs("><td>", f);
			html_member(f, c, "name");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td>", json_member_count(c, "flows"));
			html_json_list(f, json_object_get(c, "apps"), ", ", HTML_MAX_ITEMS);
			fputs("</td><td>", f);
			html_json_list(f, json_object_get(c, "ports"), ", ", HTML_MAX_ITEMS);
			fputs("</td><td>", f);
			html_json_list(f, json_object_get(c, "zone_pairs"), ", ", HTML_MAX_ITEMS);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
}

static void html_hsms(FILE *f, const json_t *rep, enum rep_lang lang)
{
	static const char *const ends[6] = { "src_ip", "dest_ip", "src_name", "dest_name",
					     "src_zone", "dest_zone" };
	size_t i;
	json_t *c;
	fputs(T("<h3>HSMS (SECS/GEM) messages per host pair</h3>\n"), f);
	const json_t *hs = json_object_get(rep, "hsms");
	if (!json_array_size(hs)) {
		fputs(T("<p>No HSMS message records.</p>\n"), f);
	} else {
		fputs(T("<table><tr><th>host (client)</th><th>equipment (server)</th><th>zones</th>"
			"<th class=\"num\">messages</th><th>stream/function histogram</th></tr>\n"), f);
		json_array_foreach(hs, i, c) {
			fputs("<tr class=\"hsms-row\"", f);
			html_attr_json(f, "data-src", json_object_get(c, "src_ip"));
			html_attr_json(f, "data-dst", json_object_get(c, "dest_ip"));
			html_attr_json(f, "data-total", json_object_get(c, "total"));
			h_ends(f, rep, c, ends);
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td>", json_member_count(c, "total"));
			const char *k;
			json_t *n;
			bool first = true;
			json_object_foreach(json_object_get(c, "messages"), k, n) {
				fprintf(f, "%s<span class=\"sf\" data-sf=\"", first ? "" : " ");
				html_escape(f, k);
				fprintf(f, "\" data-count=\"%" JSON_INTEGER_FORMAT "\">", json_integer_value(n));
				html_escape(f, k);
				fprintf(f, "\xc2\xa0\xc3\x97%" JSON_INTEGER_FORMAT "</span>",
					json_integer_value(n));
				first = false;
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
}

static void html_modbus(FILE *f, const json_t *rep, enum rep_lang lang)
{
	static const char *const ends[6] = { "client", "server", "client_name", "server_name",
					     "client_zone", "server_zone" };
	size_t i;
	json_t *c;
	fputs(T("<h3>Modbus/TCP access per client</h3>\n"), f);
	const json_t *mb = json_object_get(rep, "modbus");
	if (!json_array_size(mb)) {
		fputs(T("<p>No Modbus/TCP traffic.</p>\n"), f);
	} else {
		fputs(T("<p class=\"note\">Access classes count every request (from the flow records); "
			"functions come from the per-PDU records, which by default leave out successful "
			"reads.</p>\n"), f);
		fputs(T("<table><tr><th>client</th><th>server</th><th>zones</th>"
			"<th class=\"num\">flows</th><th class=\"num\">requests</th>"
			"<th class=\"num\">exceptions</th><th>access classes</th><th>functions</th></tr>\n"),
		      f);
		json_array_foreach(mb, i, c) {
			fputs("<tr class=\"modbus-row\"", f);
			html_attr_json(f, "data-client", json_object_get(c, "client"));
			html_attr_json(f, "data-server", json_object_get(c, "server"));
			const char *k;
			json_t *n;
			json_object_foreach(json_object_get(c, "access"), k, n) {
				char an[64];
				snprintf(an, sizeof(an), "data-access-%s", k);
				bool ok = true;
				for (char *p = an; *p; p++)
					if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
						ok = false;
				if (ok)
					html_attr_json(f, an, n);
			}
			h_ends(f, rep, c, ends);
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
				   "</td><td class=\"num\">%" PRIu64 "</td><td>", json_member_count(c, "flows"),
				json_member_count(c, "requests"), json_member_count(c, "exceptions"));
			h_counts(f, json_object_get(c, "access"));
			fputs("</td><td>", f);
			h_counts(f, json_object_get(c, "functions"));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
}

void report_html_conduits(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "conduits", T("5. Conduits: allowed against observed"));
	html_policy_conduits(f, rep, lang);
	html_hsms(f, rep, lang);
	html_modbus(f, rep, lang);
	fputs("</section>\n", f);
}
