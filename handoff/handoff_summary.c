/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: README.md, the bundle's summary in Markdown: what
 * happened, the equipment, the evidence, how to open it, the policy, the
 * references, the files and how the bundle was made. */
#include "handoff/handoff_bundle.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "rules/catalog.h"
#include "zones/asset_baseline.h"
#include "util/json_value.h"
#include "util/rfc3339.h"
#include "util/version.h"

/* a record's time as "2026-03-02T08:00:07.123456Z" (as given if it does not parse) */
static const char *rtime(const char *s, char out[40])
{
	int64_t us;
	if (!s)
		return "-";
	if (!rfc3339_parse(s, &us))
		return s;
	rfc3339_utc(us, out);
	return out;
}

/* an array of scalars as "a, b, c" */
static const char *jlist(json_t *v, char *buf, size_t len)
{
	if (!json_is_array(v))
		return json_scalar_text(v, buf, len);
	size_t o = 0, i;
	json_t *e;
	buf[0] = '\0';
	json_array_foreach(v, i, e) {
		char one[128];
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", json_scalar_text(e, one, sizeof(one)));
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	return json_array_size(v) ? buf : "-";
}

/* text in a Markdown table cell: no line breaks, pipes escaped, no HTML tags */
static void md_cell(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '|')
			fputs("\\|", f);
		else if (*p == '<')
			fputs("&lt;", f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc(' ', f);
		else
			fputc(*p, f);
	}
}

/* text from the wire as inline code */
/* Why an alert record has no evidence pcap (its `evidence.none`, written
 * by the sensor), in words for the vendor reading the bundle; NULL when
 * the reason is not one fabmon writes. */
static const char *evidence_none_text(const char *why)
{
	static const struct { const char *code, *text; } reasons[] = {
		{ "memcap", "the sensor's evidence memory cap was reached when its flow began "
			    "(no packet ring) (`memcap`)" },
		{ "no_packets", "its flow's packet ring held none of its packets (`no_packets`)" },
		{ "no_flow", "it was not raised on a flow (`no_flow`)" },
		{ "no_directory", "the run had no evidence directory (`no_directory`)" },
		{ "write_error", "the sensor could not write the pcap (`write_error`)" },
		{ "rotated", "the pcap was deleted by the evidence directory cap before the "
			     "record was written (`rotated`)" },
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(why, reasons[i].code) == 0)
			return reasons[i].text;
	return NULL;
}

static void md_code(FILE *f, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t len = strlen(s);
	bool pad = !len || s[0] == '`' || s[0] == ' ' || s[len - 1] == '`' || s[len - 1] == ' ';
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

static void md_endpoint(FILE *f, json_t *rec, json_t *ep, bool src)
{
	char buf[64];
	const char *ip = json_member_str_or(rec, src ? "src_ip" : "dest_ip", "?");
	json_int_t port;
	if (json_member_int(rec, src ? "src_port" : "dest_port", &port))
		fprintf(f, "%s%s%s:%lld", strchr(ip, ':') ? "[" : "", ip, strchr(ip, ':') ? "]" : "",
			(long long)port);
	else
		fprintf(f, "%s", ip);
	if (!ep)
		return;
	if (json_member_str(ep, "host")) {
		fputc(' ', f);
		md_cell(f, json_member_str(ep, "host"));
	}
	fprintf(f, " (zone ");
	md_cell(f, json_member_str_or(ep, "zone", "none"));
	if (json_member(ep, "purdue"))
		fprintf(f, ", Purdue %s", json_scalar_text(json_member(ep, "purdue"), buf, sizeof(buf)));
	fprintf(f, "; roles ");
	json_t *roles = json_member(ep, "roles");
	if (!json_array_size(roles)) {
		fprintf(f, "none");
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(roles, i, r) {
			fprintf(f, "%s", i ? ", " : "");
			md_cell(f, json_scalar_text(r, buf, sizeof(buf)));
		}
		if (json_is_true(json_member(ep, "roles_inferred")))
			fprintf(f, ", inferred");
	}
	fprintf(f, ")");
}

static const char *const header_keys[] = { "timestamp", "flow_id", "community_id", "event_type",
					   "src_ip", "src_port", "dest_ip", "dest_port", "proto",
					   "icmp_type", "icmp_code", "app_proto", "vlan",
					   "pcap_filename", "in_iface", "host", "alert", NULL };

static bool is_header_key(const char *k)
{
	for (int i = 0; header_keys[i]; i++)
		if (!strcmp(header_keys[i], k))
			return true;
	return false;
}

/* the protocol context of an alert (hsms, modbus, anomaly, inventory, ...) */
static void md_context(FILE *f, json_t *rec)
{
	const char *k;
	json_t *v;
	json_object_foreach(rec, k, v) {
		if (is_header_key(k) || !json_is_object(v))
			continue;
		const char *label = !strcmp(k, "hsms") ? "HSMS/SECS-II"
				    : !strcmp(k, "modbus") ? "Modbus/TCP"
				    : !strcmp(k, "anomaly") ? "protocol anomaly"
				    : !strcmp(k, "inventory") ? "inventory" : k;
		fprintf(f, "- %s:", label);
		const char *kk;
		json_t *vv;
		bool first = true;
		json_object_foreach(v, kk, vv) {
			char buf[2048];
			/* a message object (a Modbus request) member by member */
			if (json_is_object(vv)) {
				const char *k3;
				json_t *v3;
				json_object_foreach(vv, k3, v3) {
					fprintf(f, "%s %s.%s ", first ? "" : ",", kk, k3);
					md_code(f, json_scalar_text(v3, buf, sizeof(buf)));
					first = false;
				}
				continue;
			}
			fprintf(f, "%s %s ", first ? "" : ",", kk);
			md_code(f, json_scalar_text(vv, buf, sizeof(buf)));
			first = false;
		}
		fprintf(f, "\n");
	}
}

static void readme_tlp(struct ho *h, FILE *f)
{
	const struct tlp_def *t = h->args->tlp;
	fprintf(f, "**%s** — %s", t->label, t->meaning);
	fprintf(f, " (FIRST Traffic Light Protocol 2.0, https://www.first.org/tlp/)\n");
}

/* ## Summary: who reports what, when, from which rules */
static void md_summary(struct ho *h, FILE *f, const struct rule_def *const *rules, size_t nr)
{
	char first[40], last[40];
	int64_t tmin = h->alerts[0].first, tmax = h->alerts[0].last;
	for (size_t i = 0; i < h->nalerts; i++) {
		if (h->alerts[i].first < tmin)
			tmin = h->alerts[i].first;
		if (h->alerts[i].last > tmax)
			tmax = h->alerts[i].last;
	}
	rfc3339_utc(tmin, first);
	rfc3339_utc(tmax, last);
	fprintf(f, "## Summary\n\n");
	fprintf(f, "%s reports %zu alert%s raised by fabmon, a passive OT network monitoring sensor "
		   "(it only listens to a mirror of the fab's traffic and never sends a packet), "
		   "between %s and %s (UTC), from rule%s",
		h->args->org, h->nalerts, h->nalerts == 1 ? "" : "s", first, last, nr == 1 ? "" : "s");
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "%s %s (%s)", i ? (i + 1 == nr ? " and" : ",") : "", rules[i]->id,
			rules[i]->signature);
	fprintf(f, ".%s%s%s\n\n", h->sensor[0] ? " Sensor: " : "", h->sensor,
		h->sensor[0] ? "." : "");
}

/* ### Alert ID: one alert in detail */
static void md_alert(struct ho *h, FILE *f, const struct ho_alert *x)
{
	char buf[256];
	json_int_t cnt = 1;
	json_member_int(x->a, "count", &cnt);
	fprintf(f, "### Alert %s — ", json_member_str_or(x->a, "id", "?"));
	md_cell(f, eve_alert_rule_id(x->a, "?"));
	fprintf(f, "\n\n- ");
	md_cell(f, json_member_str_or(x->a, "signature", ""));
	fprintf(f, " (severity %s, category %s, sid %s)\n",
		json_member_str_or(x->a, "severity_name", "?"), json_member_str_or(x->a, "category", "?"),
		json_scalar_text(json_member(x->a, "signature_id"), buf, sizeof(buf)));
	char t1[40], t2[40];
	fprintf(f, "- seen %lld time%s, %s to %s%s\n", (long long)cnt, cnt == 1 ? "" : "s",
		rtime(json_member_str(x->a, "first_seen"), t1), rtime(json_member_str(x->a, "last_seen"), t2),
		json_is_true(json_member(x->a, "repeat")) ? " (a repeat record: hits after the first)"
						   : "");
	if (json_member_str(x->rec, "src_ip")) {
		fprintf(f, "- connection: %s ", json_member_str_or(x->rec, "proto", "?"));
		md_endpoint(f, x->rec, NULL, true);
		fprintf(f, " → ");
		md_endpoint(f, x->rec, NULL, false);
		fprintf(f, ", application %s, flow_id %s, Community ID `%s`\n",
			json_member_str_or(x->rec, "app_proto", "?"),
			json_scalar_text(json_member(x->rec, "flow_id"), buf, sizeof(buf)),
			json_member_str_or(x->rec, "community_id", "-"));
		if (x->flow >= 0 && h->flows[x->flow].rec) {
			json_t *fr = json_member(h->flows[x->flow].rec, "flow");
			char b1[32], b2[32], b3[32], b4[32], t3[40], t4[40];
			fprintf(f, "- the whole flow: %s to %s, %s packets / %s bytes to the server, "
				   "%s / %s back, ended: %s\n",
				rtime(json_member_str(fr, "start"), t3), rtime(json_member_str(fr, "end"), t4),
				json_scalar_text(json_member(fr, "pkts_toserver"), b1, sizeof(b1)),
				json_scalar_text(json_member(fr, "bytes_toserver"), b2, sizeof(b2)),
				json_scalar_text(json_member(fr, "pkts_toclient"), b3, sizeof(b3)),
				json_scalar_text(json_member(fr, "bytes_toclient"), b4, sizeof(b4)),
				json_member_str_or(fr, "reason", "?"));
		}
	}
	if (json_member_str(x->a, "conduit")) {
		fprintf(f, "- conduit: ");
		md_code(f, json_member_str(x->a, "conduit"));
		fprintf(f, " (see `policy-excerpt.yaml`)\n");
	}
	md_context(f, x->rec);
	json_t *ev = json_member(x->a, "evidence");
	if (x->evidence >= 0) {
		const struct ho_evidence *e = &h->ev[x->evidence];
		char b1[32], b2[32];
		fprintf(f, "- evidence: `%s`, packets %s to %s (the last one raised the alert)%s\n",
			e->rel, json_scalar_text(json_member(ev, "first_packet"), b1, sizeof(b1)),
			json_scalar_text(json_member(ev, "last_packet"), b2, sizeof(b2)),
			e->copied ? "" : " — NOT in this bundle (see Evidence)");
	} else {
		const char *why = json_member_str(ev, "none");
		fprintf(f, "- evidence: none recorded for this alert");
		if (why) {
			const char *text = evidence_none_text(why);
			if (text) {
				fprintf(f, ": %s", text);
			} else {
				fprintf(f, ": ");
				md_code(f, why);
			}
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* ## What happened: the alerts as a table, then each in detail */
static void md_what_happened(struct ho *h, FILE *f)
{
	fprintf(f, "## What happened\n\n");
	fprintf(f, "| time (UTC) | rule | severity | source → target | reason |\n"
		   "|---|---|---|---|---|\n");
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		char ts[40];
		rfc3339_utc(x->ts, ts);
		fprintf(f, "| %s | ", ts);
		md_cell(f, eve_alert_rule_id(x->a, "?"));
		fprintf(f, " | ");
		md_cell(f, json_member_str_or(x->a, "severity_name", "?"));
		fprintf(f, " | ");
		if (json_member_str(x->rec, "src_ip")) {
			md_endpoint(f, x->rec, json_member(x->a, "source"), true);
			fprintf(f, " → ");
			md_endpoint(f, x->rec, json_member(x->a, "target"), false);
		} else {
			fprintf(f, "-");
		}
		fprintf(f, " | ");
		md_cell(f, json_member_str_or(x->a, "reason", ""));
		fprintf(f, " |\n");
	}
	fprintf(f, "\nThe source is the side that opened the connection. Roles are what the site "
		   "policy assigns (or fabmon inferred from behaviour).");
	if (h->dup_alerts)
		fprintf(f, " %zu more record%s of these alerts (the same alert id: the same packets "
			   "read again, in a run appended to eve.json) %s left out.", h->dup_alerts,
			h->dup_alerts == 1 ? "" : "s", h->dup_alerts == 1 ? "is" : "are");
	fprintf(f, "\n\n");
	for (size_t i = 0; i < h->nalerts; i++)
		md_alert(h, f, &h->alerts[i]);
}

/* ## Equipment involved (from equipment.json) */
static void md_equipment(struct ho *h, FILE *f)
{
	fprintf(f, "## Equipment involved\n\n");
	json_t *eq = ho_build_equipment(h);
	json_t *list = json_member(eq, "equipment");
	if (!json_array_size(list)) {
		fprintf(f, "No address of these alerts is in fabmon's equipment inventory (it "
			   "identifies HSMS equipment and Modbus servers).\n\n");
	} else {
		fprintf(f, "From fabmon's inventory (`equipment.json` has every field):\n\n"
			   "| address | name | kind | model | software revision | ids | ports | talks to | "
			   "first seen | last seen |\n|---|---|---|---|---|---|---|---|---|---|\n");
		size_t i;
		json_t *o;
		json_array_foreach(list, i, o) {
			const bool mb = !strcmp(json_member_str_or(o, "protocol", ""), "modbus");
			const char *model = json_member_str(o, "model");
			char mbuf_[256];
			if (!model && mb) {
				snprintf(mbuf_, sizeof(mbuf_), "%s%s%s%s%s",
					 json_member_str_or(o, "vendor", ""), json_member_str(o, "vendor") ? " " : "",
					 json_member_str_or(o, "product_code", ""),
					 json_member_str(o, "product_name") || json_member_str(o, "model_name") ? " " : "",
					 json_member_str_or(o, "model_name", json_member_str_or(o, "product_name", "")));
				model = mbuf_[0] ? mbuf_ : NULL;
			}
			const char *rev = asset_revision(o);
			fprintf(f, "| %s | ", json_member_str_or(o, "ip", "?"));
			md_cell(f, json_member_str_or(o, "name", "-"));
			fprintf(f, " | %s (%s) | ", json_member_str_or(o, "kind", "?"), json_member_str_or(o, "protocol", "?"));
			md_cell(f, model ? model : "not identified");
			fprintf(f, " | ");
			md_cell(f, rev ? rev : "-");
			char b2[1024], t1[40], t2[40];
			fprintf(f, " | %s %s | ", mb ? "unit ids" : "device ids",
				jlist(json_member(o, mb ? "unit_ids" : "device_ids"), b2, sizeof(b2)));
			md_cell(f, jlist(json_member(o, mb ? "ports" : "hsms_ports"), b2, sizeof(b2)));
			fprintf(f, " | ");
			md_cell(f, jlist(json_member(o, mb ? "clients" : "hosts"), b2, sizeof(b2)));
			fprintf(f, " | %s | %s |\n", rtime(json_member_str(o, "first_seen"), t1),
				rtime(json_member_str(o, "last_seen"), t2));
		}
		fprintf(f, "\n");
		json_array_foreach(list, i, o) {
			json_t *bl = json_member(o, "baseline");
			if (!bl)
				continue;
			fprintf(f, "- %s: the site's baseline is model ", json_member_str_or(o, "ip", "?"));
			md_code(f, json_member_str_or(bl, "model", ""));
			fprintf(f, ", software revision ");
			md_code(f, json_member_str_or(bl, "softrev", ""));
			fprintf(f, " — %s\n", json_is_true(json_member(bl, "matches"))
						      ? "what the equipment reported matches it"
						      : "what the equipment reported DIFFERS from it");
		}
		fprintf(f, "\n");
	}
	json_t *others = json_member(eq, "endpoints_not_in_inventory");
	if (json_array_size(others)) {
		fprintf(f, "Other addresses in these alerts (not equipment fabmon identified):");
		size_t i;
		json_t *o;
		json_array_foreach(others, i, o) {
			fprintf(f, "%s %s", i ? "," : "", json_member_str_or(o, "ip", "?"));
			if (json_member_str(o, "host")) {
				fprintf(f, " (");
				md_cell(f, json_member_str(o, "host"));
				fprintf(f, ")");
			}
			fprintf(f, " zone ");
			md_cell(f, json_member_str_or(o, "zone", "none"));
		}
		fprintf(f, ".\n\n");
	}
	json_decref(eq);
}

/* ## Evidence: the pcaps and the alerts' packet ranges */
static void md_evidence(struct ho *h, FILE *f)
{
	fprintf(f, "## Evidence\n\n");
	if (!h->nev) {
		fprintf(f, "The alerts carry no evidence capture.\n\n");
	} else {
		fprintf(f, "Packet captures of the alerting flows (the packets before the alert and "
			   "the flow's next ones, original timestamps), in `evidence/`:\n\n"
			   "| file | packets | alerts (packet range up to the alerting packet) | "
			   "bytes | SHA-256 |\n|---|---|---|---|---|\n");
		for (size_t k = 0; k < h->nev; k++) {
			const struct ho_evidence *e = &h->ev[k];
			fprintf(f, "| `");
			md_cell(f, e->rel);
			fprintf(f, "` | ");
			if (e->copied && e->packets >= 0)
				fprintf(f, "%ld", e->packets);
			else
				fprintf(f, "-");
			fprintf(f, " | ");
			bool firsta = true;
			for (size_t i = 0; i < h->nalerts; i++) {
				if (h->alerts[i].evidence != (int)k)
					continue;
				json_t *ev = json_member(h->alerts[i].a, "evidence");
				char b1[32], b2[32];
				fprintf(f, "%s%s %s: %s–%s", firsta ? "" : "; ",
					json_member_str_or(h->alerts[i].a, "id", "?"),
					eve_alert_rule_id(h->alerts[i].a, "?"),
					json_scalar_text(json_member(ev, "first_packet"), b1, sizeof(b1)),
					json_scalar_text(json_member(ev, "last_packet"), b2, sizeof(b2)));
				firsta = false;
			}
			if (e->copied)
				fprintf(f, " | %" PRIu64 " | `%s` |\n", e->bytes, e->sha);
			else {
				fprintf(f, " | - | NOT INCLUDED: ");
				md_cell(f, e->why);
				fprintf(f, " |\n");
			}
		}
		size_t missing = 0;
		for (size_t k = 0; k < h->nev; k++)
			missing += !h->ev[k].copied;
		if (missing)
			fprintf(f, "\n%zu evidence file%s named by the alerts could not be included "
				   "(rotated away by the sensor's evidence cap, or not yet written).\n",
				missing, missing == 1 ? "" : "s");
		fprintf(f, "\n");
	}
	size_t without = 0;
	for (size_t i = 0; i < h->nalerts; i++)
		without += h->alerts[i].evidence < 0;
	if (without && h->nev)
		fprintf(f, "%zu of the alerts carry no evidence capture.\n\n", without);
}

/* ## Opening the captures: Wireshark and tshark with the ports to decode */
static void md_captures(struct ho *h, FILE *f)
{
	char buf[256];
	fprintf(f, "## Opening the captures\n\n"
		   "The files are classic pcap, readable by Wireshark, tshark and tcpdump. Packet "
		   "numbers above are Wireshark's frame numbers (filter `frame.number <= N`).\n\n");
	json_t *hs = json_array(), *mb = json_array();
	for (size_t i = 0; i < h->nalerts; i++) {
		json_int_t port;
		const char *app = json_member_str_or(h->alerts[i].rec, "app_proto", "");
		if (!json_member_int(h->alerts[i].rec, "dest_port", &port))
			continue;
		snprintf(buf, sizeof(buf), "%lld", (long long)port);
		if (!strcasecmp(app, "hsms"))
			ho_add_name(hs, buf);
		else if (!strcasecmp(app, "modbus") && port != 502)
			ho_add_name(mb, buf);
	}
	fprintf(f, "```sh\n");
	const char *ex = h->nev && h->ev[0].copied ? h->ev[0].rel : "evidence/FILE.pcap";
	fprintf(f, "wireshark");
	size_t i;
	json_t *v;
	json_array_foreach(hs, i, v)
		fprintf(f, " -d tcp.port==%s,hsms", json_string_value(v));
	json_array_foreach(mb, i, v)
		fprintf(f, " -d tcp.port==%s,mbtcp", json_string_value(v));
	fprintf(f, " %s\n", ex);
	fprintf(f, "tshark -r %s", ex);
	json_array_foreach(hs, i, v)
		fprintf(f, " -d tcp.port==%s,hsms", json_string_value(v));
	json_array_foreach(mb, i, v)
		fprintf(f, " -d tcp.port==%s,mbtcp", json_string_value(v));
	fprintf(f, " -V\n```\n\n");
	if (json_array_size(hs))
		fprintf(f, "Wireshark does not find HSMS (SEMI E37) by itself: `-d tcp.port==PORT,hsms` "
			   "(or Analyze → Decode As…) decodes it, with the SECS-II (SEMI E5) "
			   "messages.\n");
	fprintf(f, "Modbus/TCP on port 502 is decoded without options%s.\n\n",
		json_array_size(mb) ? "; on other ports with `-d tcp.port==PORT,mbtcp`" : "");
	json_decref(hs);
	json_decref(mb);
}

/* ## The policy that was broken */
static void md_policy(struct ho *h, FILE *f)
{
	fprintf(f, "## The policy that was broken\n\n");
	fprintf(f, "`policy-excerpt.yaml` holds the zones of both ends, the conduits the alerts "
		   "name or that lead from the source's zone to the target's, with what they allow, "
		   "the hosts at both ends and the rules, taken from the site policy");
	if (h->polobj) {
		fprintf(f, " ");
		md_code(f, json_member_str_or(h->polobj, "name", "?"));
		fprintf(f, " (source ");
		md_code(f, json_member_str_or(h->polobj, "source", "?"));
		fprintf(f, ", SHA-256 `%s`%s)", json_member_str_or(h->polobj, "sha256", "?"),
			h->pol_verified ? ", verified against the sensor's copy" : "");
	}
	fprintf(f, ". It is a valid fabmon policy (`fabmon check-policy policy-excerpt.yaml`).");
	if (h->pol_note[0]) {
		fprintf(f, " Note: ");
		md_cell(f, h->pol_note);
		fprintf(f, ".");
	}
	if (h->npolicies_used > 1)
		fprintf(f, " The alerts were raised under %zu policies (reloaded, or runs appended to "
			   "eve.json); the excerpt is of the one in force for the first alert.",
			h->npolicies_used);
	fprintf(f, "\n\n");
}

/* ## References: what the rules cite */
static void md_references(FILE *f, const struct rule_def *const *rules, size_t nr)
{
	fprintf(f, "## References\n\nThe rules cite the guidelines and standards they come from:\n\n");
	for (size_t r = 0; r < nr; r++) {
		fprintf(f, "- **%s** — %s\n", rules[r]->id, rules[r]->signature);
		for (int k = 0; k < RULE_MAX_REFS && rules[r]->refs[k]; k++) {
			const struct ref_text *rt = ho_ref_lookup(rules[r]->refs[k]);
			fprintf(f, "  - `%s`: ", rules[r]->refs[k]);
			if (!rt)
				fprintf(f, "(no description)\n");
			else if (!strncmp(rt->key, "METI:", 5))
				fprintf(f, "METI's OT security guideline for semiconductor device "
					   "factories (2025), %s\n", rt->text);
			else if (!strncmp(rt->key, "CSF:", 4))
				fprintf(f, "NIST Cybersecurity Framework 2.0 %s: %s\n", rt->ext_id, rt->text);
			else if (!strncmp(rt->key, "62443", 5))
				fprintf(f, "IEC 62443-3-3 %s: %s\n", rt->ext_id, rt->text);
			else
				fprintf(f, "%s\n", rt->text);
		}
	}
	fprintf(f, "\nMETI's guideline is cited by area (its clause numbers are not confirmed in "
		   "public sources). NIST CSF 2.0 is NIST CSWP 29 (https://doi.org/10.6028/NIST.CSWP.29), "
		   "profiled for semiconductor manufacturing by NIST IR 8546.\n\n");
}

/* ## Files */
static void md_files(struct ho *h, FILE *f)
{
	fprintf(f, "## Files\n\n"
		   "| file | what |\n|---|---|\n"
		   "| `README.md` | this summary |\n"
		   "| `alerts.jsonl` | the alert records, verbatim from the sensor's eve.json (one JSON "
		   "object a line, Suricata EVE style) |\n"
		   "| `equipment.json` | the identity of the equipment involved (model/MDLN, software "
		   "revision, ids, ports, peers, first and last seen) |\n"
		   "| `policy-excerpt.yaml` | the part of the site policy that was broken |\n"
		   "| `stix-bundle.json` | the same as STIX 2.1: identity, TLP marking, addresses, "
		   "network traffic, observed data, indicators and sightings |\n");
	if (h->evidence_dir)
		fprintf(f, "| `evidence/` | the packet captures |\n");
	fprintf(f, "| `SHA256SUMS` | the SHA-256 of every other file: `sha256sum -c SHA256SUMS` |\n\n");
}

/* ## How this bundle was made: the command, the runs, their captures */
static void md_provenance(struct ho *h, FILE *f)
{
	const struct tlp_def *t = h->args->tlp;
	struct ho_args *g = h->args;
	size_t i;
	json_t *v;
	fprintf(f, "## How this bundle was made\n\n");
	fprintf(f, "With `fabmon handoff` (fabmon %s) from the sensor's output directory:\n\n"
		   "```\nfabmon handoff ", FABMON_VERSION);
	ho_y_comment(f, g->dir);
	for (size_t k = 0; k < g->nids; k++)
		fprintf(f, " --alert %s", g->ids[k]);
	for (size_t k = 0; k < g->nrules; k++)
		fprintf(f, " --rule %s", g->rules[k]->id);
	for (size_t k = 0; k < g->nequip; k++) {
		fprintf(f, " --equipment ");
		ho_y_comment(f, g->equip_str[k]);
	}
	if (g->since_str) {
		fprintf(f, " --since ");
		ho_y_comment(f, g->since_str);
	}
	if (g->until_str) {
		fprintf(f, " --until ");
		ho_y_comment(f, g->until_str);
	}
	fprintf(f, " --tlp %s\n```\n\n", t->name);
	json_t *runs_used = json_array();
	for (size_t k = 0; k < h->nalerts; k++) {
		json_t *rr = json_array_get(h->runs, (size_t)h->alerts[k].run);
		if (rr && !json_array_size(runs_used))
			json_array_append(runs_used, rr);
		else if (rr) {
			bool have = false;
			json_array_foreach(runs_used, i, v)
				have |= v == rr;
			if (!have)
				json_array_append(runs_used, rr);
		}
	}
	if (!json_array_size(runs_used))
		fprintf(f, "eve.json has no run record before the alerts.\n\n");
	json_array_foreach(runs_used, i, v) {
		json_t *run = json_member(v, "run");
		char t1[40];
		fprintf(f, "The alerts come from a fabmon %s run (%s mode, started %s",
			json_member_str_or(run, "fabmon_version", "?"), json_member_str_or(run, "mode", "?"),
			rtime(json_member_str(run, "started"), t1));
		if (json_member_str(run, "interface")) {
			fprintf(f, ", interface ");
			md_code(f, json_member_str(run, "interface"));
		}
		if (json_member_str(v, "host")) {
			fprintf(f, ", sensor ");
			md_code(f, json_member_str(v, "host"));
		}
		fprintf(f, ")");
		json_t *inputs = json_member(run, "inputs");
		if (json_array_size(inputs)) {
			fprintf(f, " reading:\n\n| capture | bytes | SHA-256 |\n|---|---|---|\n");
			size_t k;
			json_t *in;
			json_array_foreach(inputs, k, in) {
				char b1[32];
				fprintf(f, "| ");
				md_cell(f, json_member_str_or(in, "file", "?"));
				fprintf(f, " | %s | `%s` |\n", json_scalar_text(json_member(in, "bytes"), b1, sizeof(b1)),
					json_member_str_or(in, "sha256", "not hashed"));
			}
			fprintf(f, "\n");
		} else {
			fprintf(f, ".\n\n");
		}
		json_t *po = json_member(run, "policy");
		if (json_is_object(po)) {
			fprintf(f, "Policy: ");
			md_code(f, json_member_str_or(po, "source", "?"));
			fprintf(f, ", SHA-256 `%s`.\n\n", json_member_str_or(po, "sha256", "?"));
		}
	}
	json_decref(runs_used);
	fprintf(f, "A PSIRT with the same captures can replay them (`fabmon -r CAPTURE -o out/ -c "
		   "POLICY`) and get the same records: fabmon writes capture time, not wall-clock "
		   "time. The STIX ids are derived from the content, so the same selection gives the "
		   "same bundle.\n\n");
}

void ho_readme(struct ho *h, FILE *f)
{
	const struct tlp_def *t = h->args->tlp;
	const struct rule_def *rules[R_COUNT];
	size_t nr = ho_alert_rules(h, rules, R_COUNT);

	fprintf(f, "# %s — fabmon incident hand-off\n\n", t->label);
	readme_tlp(h, f);
	fprintf(f, "\n");
	if (!strcmp(t->name, "AMBER+STRICT"))
		fprintf(f, "STIX 2.1 has no marking definition for %s: `stix-bundle.json` carries "
			   "%s (`%s`), and this README's %s marking is the one that applies.\n\n",
			t->label, t->stix_name, t->stix_id, t->label);
	else if (!strcmp(t->label, "TLP:CLEAR"))
		fprintf(f, "`stix-bundle.json` carries STIX 2.1's TLP:WHITE marking (`%s`), the "
			   "TLP 1.0 name of TLP:CLEAR.\n\n", t->stix_id);

	md_summary(h, f, rules, nr);
	md_what_happened(h, f);
	md_equipment(h, f);
	md_evidence(h, f);
	md_captures(h, f);
	md_policy(h, f);
	md_references(f, rules, nr);
	md_files(h, f);
	md_provenance(h, f);
	fprintf(f, "---\n\n");
	readme_tlp(h, f);
}
