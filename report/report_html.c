/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon report`: report.html, self-contained (inline CSS and SVG, no
 * script): the page, its summary cards, section 1 (the run) and the notes;
 * the other sections are in report_html_*.c and report_svg.c.
 */
#include "report/report_render.h"

#include <inttypes.h>
#include <string.h>

#include "report/html_text.h"
#include "report/report_i18n.h"
#include "util/json_value.h"
#include "util/version.h"

static const char css[] =
	":root{--ok:#2e7d32;--bad:#c62828;--grey:#8a939c;--amber:#d98200;--ink:#1d232a}"
	"*{box-sizing:border-box}"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK JP',"
	"sans-serif;margin:0;color:var(--ink);background:#f4f6f8}"
	"header{background:#1f3347;color:#fff;padding:18px 28px}"
	"header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#c9d6e2}"
	"nav{padding:8px 28px;background:#e6ecf2;font-size:13px}nav a{margin-right:14px;color:#1f3347}"
	"main{padding:4px 28px 40px;max-width:1600px}"
	"section{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:14px 18px;"
	"margin:16px 0}"
	"h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:18px 0 6px}"
	"table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0 8px}"
	"th,td{border-bottom:1px solid #e4e8ee;padding:4px 8px;text-align:left;vertical-align:top}"
	"th{background:#eef2f6;font-weight:600}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"table.kv th{width:230px;background:#f6f8fa}"
	".mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}"
	".hash{word-break:break-all}.nw{white-space:nowrap}"
	"tr.asset-row td{white-space:nowrap}tr.asset-row td.peers{white-space:normal}"
	".ts{white-space:nowrap}"
	".tag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;"
	"white-space:nowrap}"
	".v-violating{background:#fde3e3;color:#a31515}.v-allowed{background:#e1f3e3;color:#1e6b25}"
	".v-intra{background:#e8eef6;color:#35506b}.v-unzoned{background:#fff0d6;color:#8a5600}"
	".v-unknown{background:#eee;color:#555}"
	".sev-critical{background:#7f1d1d;color:#fff}.sev-high{background:#fde3e3;color:#a31515}"
	".sev-medium{background:#fff0d6;color:#8a5600}.sev-low{background:#e8eef6;color:#35506b}"
	".sev-unknown{background:#eee;color:#555}"
	".cards{display:flex;flex-wrap:wrap;gap:10px}"
	".card{border:1px solid #dde2e8;border-radius:6px;padding:8px 14px;min-width:130px;"
	"background:#fafbfc}.card .n{font-size:22px;font-weight:700}.card .l{font-size:12px;"
	"color:#5a6570}.card.bad .n{color:var(--bad)}.card.good .n{color:var(--ok)}"
	".note{color:#5a6570;font-size:12.5px}"
	".warn{background:#fff6e0;border-left:4px solid #e0a000;padding:6px 10px;margin:6px 0}"
	"table.grid td,table.grid th{text-align:center;border:1px solid #e4e8ee}"
	"table.grid th.rowh{text-align:right}"
	"td.mcell.empty{background:#fafbfc}td.mcell.c-unused{color:var(--grey)}"
	".diagram{overflow-x:auto}"
	"svg text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}"
	"ul.allow{margin:0;padding-left:16px}"
	".muted{color:#8a939c}"
	"@media print{nav{display:none}section{break-inside:avoid-page}}";

/* A row of a key-value table: label is English, shown in lang. */
static void h_kv(FILE *f, enum rep_lang lang, const char *key, const char *label, const json_t *v)
{
	fprintf(f, "<tr class=\"kv-row\" data-key=\"%s\"><th>%s</th><td>", key, tr(lang, label));
	if (json_is_null(v) || !v)
		fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? T("yes") : T("no"), f);
	else
		html_json_value(f, v);
	fputs("</td></tr>\n", f);
}

static void h_card(FILE *f, enum rep_lang lang, const char *key, const char *label, uint64_t n,
		   const char *cls)
{
	fprintf(f, "<div class=\"card %s\" data-key=\"%s\" data-value=\"%" PRIu64 "\">"
		   "<div class=\"n\">%" PRIu64 "</div><div class=\"l\">%s</div></div>\n",
		cls, key, n, n, tr(lang, label));
}

/* A fab-wide report (`fabmon report DIR1 DIR2 ...`): the sensors merged. */
static void html_sensors(FILE *f, const json_t *rep, enum rep_lang lang)
{
	const json_t *sensors = json_object_get(rep, "sensors");
	if (json_array_size(sensors) < 2)
		return;
	fputs(T("<h3>Sensors merged</h3>\n<p class=\"note\">Each sensor's output directory. A "
		"connection two sensors saw (same Community ID, overlapping times) is counted once, "
		"by the first directory given that has it; the later ones' records of it are counted "
		"here as duplicates. Packet, drop and alert counters of section 1 are the sensors' "
		"own, summed.</p>\n"), f);
	fputs(T("<table><tr><th>sensor</th><th>directory</th>"
		"<th>SHA-256 of eve.json</th><th class=\"num\">records</th>"
		"<th class=\"num\">flows counted</th><th class=\"num\">duplicate flows</th>"
		"<th class=\"num\">duplicate records</th><th>policy SHA-256</th></tr>\n"), f);
	size_t i;
	json_t *x;
	json_array_foreach(sensors, i, x) {
		fputs("<tr class=\"sensor-row\"", f);
		html_attr_json(f, "data-sensor", json_object_get(x, "name"));
		html_attr_json(f, "data-flows", json_object_get(x, "flows"));
		html_attr_json(f, "data-duplicate-flows", json_object_get(x, "duplicate_flows"));
		fputs(">", f);
		static const struct { const char *key, *cls; } cells[] = {
			{ "name", "" }, { "directory", "mono" }, { "sha256", "mono hash" },
			{ "records", "num" }, { "flows", "num" }, { "duplicate_flows", "num" },
			{ "duplicate_records", "num" }, { "policy_sha256", "mono hash" },
		};
		for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++) {
			fprintf(f, "<td class=\"%s\">", cells[k].cls);
			html_member(f, x, cells[k].key);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_run(FILE *f, const json_t *rep, enum rep_lang lang)
{
	const json_t *run = json_object_get(rep, "run"), *pol = json_object_get(rep, "policy");
	const json_t *cap = json_object_get(run, "capture"), *al = json_object_get(run, "alerting");
	const json_t *in = json_object_get(rep, "input");
	html_section(f, "run", T("1. Run"));
	fputs("<table class=\"kv\">\n", f);
	h_kv(f, lang, "fabmon_version", "fabmon version (run)", json_object_get(run, "fabmon_version"));
	h_kv(f, lang, "sensor", "sensor", json_object_get(run, "sensor"));
	h_kv(f, lang, "mode", "mode", json_object_get(run, "mode"));
	if (json_is_string(json_object_get(run, "interface")))
		h_kv(f, lang, "interface", "interface", json_object_get(run, "interface"));
	h_kv(f, lang, "started", "run started (wall clock)", json_object_get(run, "started"));
	if (json_integer_value(json_object_get(run, "runs")) != 1)
		h_kv(f, lang, "runs", "runs in this eve.json", json_object_get(run, "runs"));
	h_kv(f, lang, "first_flow_start", "first flow start (capture time)",
	     json_object_get(run, "first_flow_start"));
	h_kv(f, lang, "last_flow_end", "last flow end (capture time)", json_object_get(run, "last_flow_end"));
	h_kv(f, lang, "duration_s", "time window (s)", json_object_get(run, "duration_s"));
	h_kv(f, lang, "packets", "packets read", json_object_get(cap, "packets"));
	h_kv(f, lang, "bytes", "bytes read", json_object_get(cap, "bytes"));
	h_kv(f, lang, "kernel_drops", "kernel drops", json_object_get(cap, "kernel_drops"));
	h_kv(f, lang, "kernel_ifdrops", "interface drops", json_object_get(cap, "kernel_ifdrops"));
	h_kv(f, lang, "files_damaged", "damaged capture files", json_object_get(cap, "files_damaged"));
	h_kv(f, lang, "output_dropped", "eve.json records lost", json_object_get(cap, "output_dropped"));
	h_kv(f, lang, "final_stats", "final stats record", json_object_get(cap, "final_stats"));
	h_kv(f, lang, "alert_hits", "alert hits (stats)", json_object_get(al, "hits"));
	h_kv(f, lang, "alert_records", "alert records (stats)", json_object_get(al, "records"));
	h_kv(f, lang, "alerts_suppressed", "alerts suppressed by the rate limit",
	     json_object_get(al, "suppressed"));
	h_kv(f, lang, "eve_json", "eve.json", json_object_get(in, "file"));
	const char *from = json_string_value(json_object_get(in, "built_from"));
	if (from && !strcmp(from, "run")) {
		/* written at the end of the run from what it wrote */
		fputs(T("<tr class=\"kv-row\" data-key=\"built_from\"><th>report built from</th><td>"
			"the records of the run, as it wrote them (<code>fabmon report</code> of the "
			"directory reads eve.json back and adds its SHA-256)</td></tr>\n"), f);
		h_kv(f, lang, "eve_json_bytes", "eve.json bytes written", json_object_get(in, "bytes"));
		h_kv(f, lang, "records", "records written", json_object_get(in, "records"));
	} else {
		h_kv(f, lang, "eve_json_sha256", "SHA-256 of the eve.json bytes read",
		     json_object_get(in, "sha256"));
		h_kv(f, lang, "eve_json_bytes", "eve.json bytes read", json_object_get(in, "bytes"));
		h_kv(f, lang, "records", "records read", json_object_get(in, "records"));
	}
	h_kv(f, lang, "bad_lines", "lines that are not JSON records (skipped)",
	     json_object_get(in, "bad_lines"));
	fputs("</table>\n", f);

	fputs(T("<h3>Captures read</h3>\n<table><tr><th>file</th><th>SHA-256</th>"
		"<th class=\"num\">bytes</th></tr>\n"), f);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(run, "inputs"), i, x) {
		fputs("<tr class=\"input-row\"", f);
		html_attr_json(f, "data-file", json_object_get(x, "file"));
		html_attr_json(f, "data-sha256", json_object_get(x, "sha256"));
		html_attr_json(f, "data-bytes", json_object_get(x, "bytes"));
		fputs("><td class=\"mono hash\">", f);
		html_member(f, x, "file");
		fputs("</td><td class=\"mono hash\">", f);
		if (json_is_string(json_object_get(x, "sha256"))) {
			html_member(f, x, "sha256");
		} else {
			fputs(T("<span class=\"muted\">not hashed ("), f);
			html_escape(f, json_member_str_or(x, "not_hashed", "unknown"));
			fputs(T(")</span>"), f);
		}
		fputs("</td><td class=\"num\">", f);
		html_member(f, x, "bytes");
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(run, "inputs")))
		fputs(T("<tr><td colspan=\"3\" class=\"muted\">none (live capture)</td></tr>\n"), f);
	fputs("</table>\n", f);
	html_sensors(f, rep, lang);

	fputs(T("<h3>Policy</h3>\n"), f);
	fputs("<table class=\"kv\">\n", f);
	h_kv(f, lang, "policy_name", "name", json_object_get(pol, "name"));
	h_kv(f, lang, "policy_source", "source", json_object_get(pol, "source"));
	fputs("<tr class=\"kv-row\" data-key=\"policy_sha256\"><th>SHA-256</th><td class=\"mono hash\">", f);
	html_member(f, pol, "sha256");
	fputs("</td></tr>\n", f);
	h_kv(f, lang, "policy_copy", "copy beside eve.json", json_object_get(pol, "copy"));
	h_kv(f, lang, "policy_verified", "copy matches the recorded SHA-256",
	     json_object_get(pol, "copy_sha256_verified"));
	h_kv(f, lang, "policy_loaded", "used for this report", json_object_get(pol, "loaded"));
	h_kv(f, lang, "default_action", "default action", json_object_get(pol, "default_action"));
	h_kv(f, lang, "infer_roles", "roles inferred from behaviour", json_object_get(pol, "infer_roles"));
	fputs("</table>\n", f);
	const json_t *rl = json_object_get(pol, "reloads");
	if (json_array_size(rl)) {
		fputs(T("<p>The policy was reloaded during the run; the policy sections of this report "
			"use the one in force at the end.</p>\n"), f);
		fputs(T("<table><tr><th>time</th><th>source</th><th>SHA-256</th><th>copy</th></tr>\n"),
		      f);
		json_array_foreach(rl, i, x) {
			fputs("<tr class=\"reload-row\"><td>", f);
			html_timestamp(f, json_object_get(x, "timestamp"));
			fputs("</td><td>", f);
			html_member(f, x, "source");
			fputs("</td><td class=\"mono hash\">", f);
			html_member(f, x, "sha256");
			fputs("</td><td class=\"mono hash\">", f);
			html_member(f, x, "copy");
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

int report_write_html(FILE *f, const json_t *rep)
{
	const json_t *pol = json_object_get(rep, "policy"), *s = json_object_get(rep, "summary");
	const json_t *notes = json_object_get(rep, "notes"), *in = json_object_get(rep, "input");
	enum rep_lang lang = rep_lang_of(rep);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n",
		rep_lang_name(lang));
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"fabmon report " FABMON_VERSION "\">\n<title>", f);
	fputs(T("Zone-separation audit report"), f);
	if (json_is_string(json_object_get(pol, "name"))) {
		fputs(" \xe2\x80\x94 ", f);
		html_member(f, pol, "name");
	}
	fprintf(f, "</title>\n<style>%s</style>\n</head><body>\n", css);
	fputs("<header><h1>", f);
	fputs(T("Zone-separation audit report"), f);
	fputs("</h1><p>", f);
	if (json_is_string(json_object_get(pol, "name"))) {
		fputs(T("Policy: "), f);
		html_member(f, pol, "name");
		fputs(" \xc2\xb7 ", f);
	}
	fputs(T("capture "), f);
	html_timestamp(f, json_object_get(json_object_get(rep, "run"), "first_flow_start"));
	fputs(" \xe2\x80\x93 ", f);
	html_timestamp(f, json_object_get(json_object_get(rep, "run"), "last_flow_end"));
	fputs(T(" UTC \xc2\xb7 generated "), f);
	html_member(f, json_object_get(rep, "report"), "generated");
	fputs(T(" by fabmon "), f);
	fputs(FABMON_VERSION "</p></header>\n", f);
	fputs(T("<nav><a href=\"#run\">Run</a><a href=\"#diagram\">Diagram</a><a href=\"#zones\">"
		"Zones</a><a href=\"#matrix\">Matrix</a><a href=\"#conduits\">Conduits</a>"
		"<a href=\"#violations\">Violations</a><a href=\"#inventory\">Inventory</a>"
		"<a href=\"#guideline\">Guideline</a>"
		"<a href=\"#exposure\">Exposure</a>"
		"<a href=\"#notes\">Notes</a></nav>\n"), f);
	fputs("<main>\n", f);

	fputs("<section id=\"summary\"><div class=\"cards\">\n", f);
	uint64_t vp = json_member_count(s, "violating_pairs");
	h_card(f, lang, "flows", "flows", json_member_count(s, "flows"), "");
	h_card(f, lang, "zone_pairs", "zone pairs observed", json_member_count(s, "zone_pairs"), "");
	h_card(f, lang, "violating_pairs", "violating zone pairs", vp, vp ? "bad" : "good");
	h_card(f, lang, "alert_hits", "alert hits", json_member_count(s, "alert_hits"),
	       json_member_count(s, "alert_hits") ? "bad" : "good");
	h_card(f, lang, "zones_evidenced", "zones evidenced", json_member_count(s, "zones_evidenced"), "");
	h_card(f, lang, "zones", "zones", json_member_count(s, "zones"), "");
	h_card(f, lang, "conduits_observed", "conduits observed", json_member_count(s, "conduits_observed"), "");
	h_card(f, lang, "conduits", "conduits", json_member_count(s, "conduits"), "");
	h_card(f, lang, "unzoned_hosts", "hosts in no zone", json_member_count(s, "unzoned_hosts"),
	       json_member_count(s, "unzoned_hosts") ? "bad" : "");
	h_card(f, lang, "assets", "equipment / devices", json_member_count(s, "assets"), "");
	fputs("</div>\n", f);
	size_t i;
	json_t *n;
	json_array_foreach(notes, i, n) {
		fputs("<p class=\"warn\">", f);
		html_json_value(f, n);
		fputs("</p>\n", f);
	}
	fputs("</section>\n", f);

	html_run(f, rep, lang);
	html_section(f, "diagram", T("2. Zones and conduits"));
	fputs(T("<p class=\"note\">Zones by Purdue level (METI areas), with every conduit of the policy "
		"and every observed zone pair that broke it. Hover an edge or a zone for details.</p>\n"),
	      f);
	fputs("<div class=\"diagram\">\n", f);
	if (report_html_diagram(f, rep) < 0)
		return -1;
	fputs("</div>\n</section>\n", f);
	report_html_zones(f, rep);
	report_html_matrix(f, rep);
	report_html_conduits(f, rep);
	report_html_violations(f, rep);
	report_html_inventory(f, rep);
	report_html_guideline(f, rep);
	report_html_exposure(f, rep);

	html_section(f, "notes", T("Notes and method"));
	fputs("<ul>\n<li>", f);
	fputs(T("Source: "), f);
	html_member(f, in, "file");
	fprintf(f, T(", %" PRIu64 " lines, %" PRIu64 " records"), json_member_count(in, "lines"),
		json_member_count(in, "records"));
	if (json_member_count(in, "bad_lines")) {
		fprintf(f, T(", <b>%" PRIu64 " lines that are not JSON records were skipped</b>:"),
			json_member_count(in, "bad_lines"));
		fputs("<ul>", f);
		json_array_foreach(json_object_get(in, "bad_line_examples"), i, n) {
			fputs("<li class=\"mono bad-line\">", f);
			html_json_value(f, n);
			fputs("</li>", f);
		}
		fputs("</ul>", f);
	}
	fputs(T(".</li>\n<li>Zones and verdicts are those fabmon recorded for each flow "
		"(<code>policy</code> in the flow records) under the policy in force at the time.</li>\n"
		"<li>Times are capture times in UTC (the run's start is wall-clock time).</li>\n"
		"<li>References: IEC 62443-3-2 (zones and conduits, ZCR 3), IEC 62443-3-3 SR 5.1/5.2, "
		"METI OT security guideline for semiconductor device factories (fab area, fab "
		"system area, IT/OT DMZ, external), NIST CSF 2.0 ID.AM-03 (representation of "
		"authorised data flows) as profiled in NIST IR 8546, SEMI E187/E188.</li>\n"
		"<li>The same data: report.json; the matrix, the inventory and the guideline evidence "
		"as CSV: matrix.csv, inventory.csv, guideline.csv.</li>\n</ul>\n"), f);
	fputs("</section>\n</main>\n</body></html>\n", f);
	return 0;
}
