/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: sections 3 and 4 of report.html, zone coverage and the
 * zone x zone matrix of observed flows. */
#include "report/report_render.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "util/json_value.h"

/* The zone of the report named name (NULL: none such). */
static const json_t *zone_of(const json_t *rep, const char *name)
{
	size_t i;
	json_t *z;
	json_array_foreach(json_object_get(rep, "zones"), i, z)
		if (name && !strcmp(json_member_str_or(z, "name", ""), name))
			return z;
	return NULL;
}

const char *report_zone_name_ja(const json_t *rep, const char *name)
{
	if (rep_lang_of(rep) != REP_LANG_JA || !name)
		return NULL;
	if (!strcmp(name, NO_ZONE))
		return tr(REP_LANG_JA, NO_ZONE);
	return json_member_str(zone_of(rep, name), "name_ja");
}

void report_html_zone(FILE *f, const json_t *rep, const char *name)
{
	const char *ja = report_zone_name_ja(rep, name);
	if (!ja) {
		html_zone_name(f, name);
		return;
	}
	fputs("<span class=\"nw\"", f);
	html_attr(f, "title", name);
	fputs(">", f);
	html_escape(f, ja);
	fputs("</span>", f);
}

void report_html_zones(FILE *f, const json_t *rep)
{
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "zones", T("3. Zone coverage"));
	fputs(T("<p class=\"note\">Hosts seen in each zone of the policy (ends of flows, placed by "
		"fabmon's policy verdict). A zone <b>not evidenced</b> had no host in any flow of this "
		"capture: that is not proof that it is empty or unused \xe2\x80\x94 the sensor sees "
		"only the mirrored links (IEC 62443-3-2 ZCR 3; NIST CSF ID.AM-03).</p>\n"), f);
	fputs(T("<table><tr><th>zone</th><th>Purdue</th><th>area</th><th>SL-T</th><th>evidence</th>"
		"<th class=\"num\">hosts</th><th class=\"num\">flows out</th>"
		"<th class=\"num\">flows in</th><th class=\"num\">intra-zone</th><th>hosts seen</th>"
		"<th>policy hosts not seen</th></tr>\n"), f);
	size_t i;
	json_t *z;
	json_array_foreach(json_object_get(rep, "zones"), i, z) {
		bool ev = json_is_true(json_object_get(z, "evidenced"));
		fputs("<tr class=\"zone-row\"", f);
		html_attr_json(f, "data-zone", json_object_get(z, "name"));
		html_attr_json(f, "data-evidenced", json_object_get(z, "evidenced"));
		html_attr_json(f, "data-hosts", json_object_get(z, "host_count"));
		html_attr_json(f, "data-in-policy", json_object_get(z, "in_policy"));
		fputs("><td><b>", f);
		const char *ja = lang == REP_LANG_JA ? json_member_str(z, "name_ja") : NULL;
		if (ja)
			html_escape(f, ja);
		else
			html_zone_name(f, json_member_str_or(z, "name", ""));
		fputs("</b>", f);
		if (ja) {
			fputs("<br><span class=\"note mono\">", f);
			html_zone_name(f, json_member_str_or(z, "name", ""));
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		html_member(f, z, "purdue");
		fputs("</td><td>", f);
		html_escape(f, tr_area(lang, json_member_str(z, "area")));
		fputs("</td><td>", f);
		html_member(f, z, "sl_t");
		fprintf(f, "</td><td><span class=\"tag %s\">%s</span></td>",
			ev ? "v-allowed" : "v-unknown", ev ? T("evidenced") : T("not evidenced"));
		fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td>"
			   "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td><td>",
			json_member_count(z, "host_count"), json_member_count(z, "flows_out"), json_member_count(z, "flows_in"),
			json_member_count(z, "flows_intra"));
		size_t k;
		json_t *h;
		json_array_foreach(json_object_get(z, "hosts"), k, h) {
			if (k == HTML_MAX_ITEMS) {
				fprintf(f, T(" \xe2\x80\xa6 (+%zu more, see report.json)"),
					json_array_size(json_object_get(z, "hosts")) - k);
				break;
			}
			fputs(k ? ", " : "", f);
			fputs("<span class=\"mono\">", f);
			html_member(f, h, "ip");
			fputs("</span>", f);
			html_member_in_parens(f, h, "name");
		}
		if (!k)
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(z, "declared_hosts_not_seen"), k, h) {
			fputs(k ? ", " : "", f);
			html_member(f, h, "name");
		}
		if (!k)
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	const json_t *ne = json_object_get(rep, "zones_not_evidenced");
	fputs("<p id=\"zones-not-evidenced\">", f);
	fputs(T("Zones not evidenced: "), f);
	html_json_list(f, ne, ", ", 1000);
	fputs("</p>\n", f);

	fputs(T("<h3>Hosts in no zone</h3>\n"), f);
	const json_t *un = json_object_get(rep, "unzoned_hosts");
	if (!json_array_size(un)) {
		fputs(T("<p>None: every host seen is in a zone.</p>\n"), f);
	} else {
		fputs(T("<p class=\"note\">IEC 62443-3-2 ZCR 3.1 asks every asset to be in a zone.</p>\n"),
		      f);
		fputs(T("<table><tr><th>address</th><th class=\"num\">flows out</th>"
			"<th class=\"num\">flows in</th><th class=\"num\">bytes</th><th>first seen</th>"
			"<th>last seen</th></tr>\n"), f);
		json_array_foreach(un, i, z) {
			fputs("<tr class=\"unzoned-row\"", f);
			html_attr_json(f, "data-ip", json_object_get(z, "ip"));
			fputs("><td class=\"mono nw\">", f);
			html_member(f, z, "ip");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
				   "</td><td class=\"num\">", json_member_count(z, "flows_out"), json_member_count(z, "flows_in"));
			html_bytes(f, json_member_count(z, "bytes"));
			fputs("</td><td>", f);
			html_timestamp(f, json_object_get(z, "first_seen"));
			fputs("</td><td>", f);
			html_timestamp(f, json_object_get(z, "last_seen"));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

/* A zone name (NULL: none) as text, escaped: its Japanese name in a
 * Japanese report when the policy gives one. */
static void h_zone_plain(FILE *f, const json_t *rep, const char *name)
{
	const char *ja = report_zone_name_ja(rep, name ? name : NO_ZONE);
	html_escape(f, ja ? ja : name ? name : NO_ZONE);
}

static const char *verdict_class(const char *v)
{
	if (!v)
		return "v-unknown";
	if (!strcmp(v, "violating") || !strcmp(v, "violation"))
		return "v-violating";
	if (!strcmp(v, "allowed"))
		return "v-allowed";
	if (!strcmp(v, "intra-zone"))
		return "v-intra";
	if (!strcmp(v, "unzoned"))
		return "v-unzoned";
	return "v-unknown";
}

static const json_t *find_pair(const json_t *matrix, const char *s, const char *d)
{
	size_t i;
	json_t *o;
	json_array_foreach(matrix, i, o) {
		const char *ps = json_string_value(json_object_get(o, "src_zone"));
		const char *pd = json_string_value(json_object_get(o, "dest_zone"));
		if (((!ps && !s) || (ps && s && !strcmp(ps, s))) &&
		    ((!pd && !d) || (pd && d && !strcmp(pd, d))))
			return o;
	}
	return NULL;
}

static const json_t *find_conduit(const json_t *conduits, const char *s, const char *d)
{
	size_t i;
	json_t *o;
	json_array_foreach(conduits, i, o) {
		const char *from = json_string_value(json_object_get(o, "from"));
		const char *to = json_string_value(json_object_get(o, "to"));
		bool both = !strcmp(json_member_str_or(o, "direction", ""), "both");
		if (!s || !d || !from || !to)
			continue;
		if ((!strcmp(from, s) && !strcmp(to, d)) || (both && !strcmp(from, d) && !strcmp(to, s)))
			return o;
	}
	return NULL;
}

void report_html_matrix(FILE *f, const json_t *rep)
{
	const json_t *matrix = json_object_get(rep, "matrix"), *zones = json_object_get(rep, "zones");
	const json_t *conduits = json_object_get(rep, "conduits");
	enum rep_lang lang = rep_lang_of(rep);
	html_section(f, "matrix", T("4. Zone \xc3\x97 zone matrix of observed flows"));
	fputs(T("<p class=\"note\">The data flows observed between zones (rows: the zone that opened "
		"the flow; columns: the zone it reached), to compare with the authorised flows of the "
		"conduits (NIST CSF ID.AM-03; IEC 62443-3-2 ZCR 3). A pair is <b>violating</b> if any "
		"of its flows broke the policy, <b>allowed</b> if a conduit allowed its flows. "
		"\xe2\x80\x9c\xe2\x80\x93\xe2\x80\x9d: a conduit allows the pair but no flow was "
		"seen.</p>\n"), f);
	/* the grid: policy zones, zones outside it, (none) */
	size_t nz = json_array_size(zones);
	bool none = false;
	size_t i;
	json_t *o;
	json_array_foreach(matrix, i, o)
		if (json_is_null(json_object_get(o, "src_zone")) ||
		    json_is_null(json_object_get(o, "dest_zone")))
			none = true;
	size_t nn = nz + (none ? 1 : 0);
	fputs("<div class=\"diagram\"><table class=\"grid\"><tr><th>", f);
	fputs(T("from \xe2\x86\x93 / to \xe2\x86\x92"), f);
	fputs("</th>", f);
	for (size_t c = 0; c < nn; c++) {
		fputs("<th>", f);
		h_zone_plain(f, rep, c < nz ? json_string_value(json_object_get(json_array_get(zones, c),
										  "name")) : NULL);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t r = 0; r < nn; r++) {
		const char *s = r < nz ? json_string_value(json_object_get(json_array_get(zones, r),
									   "name")) : NULL;
		fputs("<tr><th class=\"rowh\">", f);
		h_zone_plain(f, rep, s);
		fputs("</th>", f);
		for (size_t c = 0; c < nn; c++) {
			const char *d = c < nz ? json_string_value(json_object_get(json_array_get(zones, c),
										   "name")) : NULL;
			const json_t *p = find_pair(matrix, s, d);
			const json_t *cd = find_conduit(conduits, s, d);
			if (p) {
				const char *v = json_string_value(json_object_get(p, "verdict"));
				fprintf(f, "<td class=\"mcell %s\"", verdict_class(v));
				html_attr(f, "data-src", s ? s : NO_ZONE);
				html_attr(f, "data-dst", d ? d : NO_ZONE);
				html_attr_json(f, "data-verdict", json_object_get(p, "verdict"));
				html_attr_json(f, "data-flows", json_object_get(p, "flows"));
				fputs(" title=\"", f);
				html_escape(f, tr(lang, v));
				fprintf(f, T(", %" PRIu64 " flows\">%" PRIu64 "</td>"), json_member_count(p, "flows"),
					json_member_count(p, "flows"));
			} else if (cd) {
				fputs(T("<td class=\"mcell c-unused\" title=\"conduit "), f);
				html_member(f, cd, "name");
				fputs(T(" allows this pair: not observed\">\xe2\x80\x93</td>"), f);
			} else {
				fputs("<td class=\"mcell empty\"></td>", f);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);

	fputs(T("<h3>Zone pairs</h3>\n<table><tr><th>from zone</th><th>to zone</th><th>verdict</th>"
		"<th class=\"num\">flows</th><th class=\"num\">violating flows</th>"
		"<th class=\"num\">bytes</th><th>applications</th><th>server ports</th>"
		"<th>conduits</th><th>first seen</th><th>last seen</th></tr>\n"), f);
	json_array_foreach(matrix, i, o) {
		const char *v = json_string_value(json_object_get(o, "verdict"));
		fputs("<tr class=\"matrix-row\"", f);
		html_attr(f, "data-src", json_member_str_or(o, "src_zone", NO_ZONE));
		html_attr(f, "data-dst", json_member_str_or(o, "dest_zone", NO_ZONE));
		html_attr_json(f, "data-verdict", json_object_get(o, "verdict"));
		html_attr_json(f, "data-flows", json_object_get(o, "flows"));
		html_attr_json(f, "data-bytes", json_object_get(o, "bytes"));
		fputs(" data-apps=\"", f);
		html_json_list(f, json_object_get(o, "apps"), " ", SIZE_MAX);
		fputs("\" data-ports=\"", f);
		html_json_list(f, json_object_get(o, "ports"), " ", SIZE_MAX);
		fputs("\"><td>", f);
		report_html_zone(f, rep, json_member_str_or(o, "src_zone", NO_ZONE));
		fputs("</td><td>", f);
		report_html_zone(f, rep, json_member_str_or(o, "dest_zone", NO_ZONE));
		fprintf(f, "</td><td><span class=\"tag %s\">", verdict_class(v));
		html_escape(f, v ? tr(lang, v) : NULL);
		fprintf(f, "</span></td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			   "</td><td class=\"num\">", json_member_count(o, "flows"), json_member_count(o, "violation_flows"));
		html_bytes(f, json_member_count(o, "bytes"));
		fputs("</td><td>", f);
		html_json_list(f, json_object_get(o, "apps"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		html_json_list(f, json_object_get(o, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		html_json_list(f, json_object_get(o, "conduits"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		html_timestamp(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(matrix))
		fputs(T("<tr><td colspan=\"11\" class=\"muted\">no flow with a policy verdict</td></tr>\n"), f);
	fputs("</table>\n</section>\n", f);
}
