/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: section 9 of report.html, each fab host's exposure
 * (issue 19 item 1, SEMI E187 network security; IEC 62443-3-3 SR 7.7):
 * the services it offered, the insecure ones, who reached them from which
 * zone, and what the policy's services: says of them. */
#include "report/report_render.h"

#include <inttypes.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "util/json_value.h"

/* One service of host h: a row. */
static void h_service(FILE *f, const json_t *rep, enum rep_lang lang, const json_t *h,
		      const json_t *s, size_t nsvc, bool first)
{
	const json_t *allowed = json_object_get(s, "allowed");
	bool insecure = json_array_size(json_object_get(s, "insecure")) > 0;
	fputs("<tr class=\"exposure-row\"", f);
	html_attr_json(f, "data-ip", json_object_get(h, "ip"));
	html_attr_json(f, "data-proto", json_object_get(s, "proto"));
	html_attr_json(f, "data-port", json_object_get(s, "port"));
	html_attr_json(f, "data-flows", json_object_get(s, "flows"));
	html_attr(f, "data-allowed", json_is_boolean(allowed) ? (json_is_true(allowed) ? "true" : "false")
							     : "");
	fputs(">", f);
	if (first) {
		fprintf(f, "<td rowspan=\"%zu\" class=\"mono nw\"><b>", nsvc);
		html_member(f, h, "ip");
		fputs("</b><br>", f);
		report_html_zone(f, rep, json_member_str_or(h, "zone", ""));
		if (json_member_str(h, "model")) {
			fputs("<br>", f);
			html_member(f, h, "model");
			fputs(" ", f);
			html_member(f, h, "softrev");
		}
		fputs("</td>", f);
	}
	fprintf(f, "<td class=\"mono nw\">%s/%" JSON_INTEGER_FORMAT " ",
		json_member_str_or(s, "proto", "?"), json_integer_value(json_object_get(s, "port")));
	html_member(f, s, "app_proto");
	fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"mono peers\">",
		json_member_count(s, "flows"));
	html_json_list(f, json_object_get(s, "clients"), ", ", 20);
	if (json_is_true(json_object_get(s, "clients_more")))
		fputs(", \xe2\x80\xa6", f);
	fputs("</td><td>", f);
	html_json_list(f, json_object_get(s, "client_zones"), ", ", 20);
	if (json_is_true(json_object_get(s, "client_unzoned")))
		fputs(T("<br><span class=\"note\">and hosts in no zone</span>"), f);
	fputs("</td><td>", f);
	if (insecure) {
		fputs("<span class=\"tag v-violating\">", f);
		html_json_list(f, json_object_get(s, "insecure"), ", ", 20);
		fputs("</span>", f);
	}
	fputs("</td><td class=\"mono\">", f);
	const json_t *tls = json_object_get(s, "tls");
	if (tls) {
		html_member(f, tls, "version");
		fputs("<br>", f);
		html_member(f, tls, "cipher");
	}
	fputs("</td><td>", f);
	if (json_is_boolean(allowed))
		fprintf(f, "<span class=\"tag %s\">%s</span>",
			json_is_true(allowed) ? "v-allowed" : "v-violating",
			json_is_true(allowed) ? T("allowed") : T("not allowed (FAB-EXP-001)"));
	else
		fputs(T("<span class=\"muted\">not declared</span>"), f);
	fputs("</td><td>", f);
	html_timestamp(f, json_object_get(s, "first_seen"));
	fputs(" \xe2\x80\x93 ", f);
	html_timestamp(f, json_object_get(s, "last_seen"));
	fputs("</td></tr>\n", f);
}

void report_html_exposure(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	const json_t *x = json_object_get(rep, "exposure");
	html_section(f, "exposure", T("9. Exposure: services offered"));
	fputs(T("<p class=\"note\">Every host of a zone of the fab area, the fab system area or the "
		"IT/OT DMZ that accepted connections: the services it offered (TCP: it answered; UDP: "
		"it replied), who reached them from which zone, the insecure or legacy ones as nDPI's "
		"flow risks and the application show them (SMBv1, Telnet, FTP, VNC, RDP, TLS below 1.2, "
		"weak ciphers, clear-text credentials), and whether the policy's services: allows "
		"them (SEMI E187 network security; IEC 62443-3-3 SR 7.7 least functionality). As CSV: "
		"exposure.csv.</p>\n"), f);
	fprintf(f, T("<p>%" PRIu64 " hosts, %" PRIu64 " services offered, %" PRIu64 " insecure or "
		     "legacy, %" PRIu64 " not allowed by the policy.</p>\n"),
		json_member_count(x, "host_count"), json_member_count(x, "services"),
		json_member_count(x, "insecure_services"), json_member_count(x, "not_allowed_services"));
	fputs(T("<table><tr><th>host</th><th>service</th><th>flows</th><th>clients</th>"
		"<th>client zones</th><th>insecure</th><th>TLS</th><th>policy</th><th>period</th>"
		"</tr>\n"), f);
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(json_object_get(x, "hosts"), i, h) {
		const json_t *svc = json_object_get(h, "services");
		json_array_foreach(svc, j, s)
			h_service(f, rep, lang, h, s, json_array_size(svc), j == 0);
	}
	if (!json_array_size(json_object_get(x, "hosts")))
		fputs(T("<tr><td colspan=\"9\">No host of a fab zone accepted a connection.</td></tr>\n"),
		      f);
	fputs("</table>\n</section>\n", f);
}
