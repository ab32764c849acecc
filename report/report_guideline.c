/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon report`: the guideline evidence table (report_guideline.h). */
#include "report/report_guideline.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report/report_i18n.h"
#include "rules/catalog.h"
#include "util/json_value.h"

#define EXAMPLES_MAX 3           /* alerts named per broken row */

/* What "observed" rests on: the traffic the clause speaks about. */
enum basis {
	B_INTER_ZONE,             /* flows between two zones */
	B_FROM_FAB,               /* flows leaving a fab zone */
	B_INTO_FAB,               /* flows into a fab zone from outside the fab zones */
	B_EQUIPMENT,              /* flows with an end in the fab area */
	B_COMMANDS,               /* SECS/GEM commands and Modbus writes */
	B_INVENTORY,              /* equipment and devices identified */
	B_COVERAGE,               /* the policy's zones seen in traffic */
};

struct clause {
	const char *id;
	const char *title;        /* what the clause asks, as traffic can show it */
	const char *guideline;    /* METI's area and measure (clause numbers not yet confirmed) */
	const char *rules[12];    /* the rules whose alerts break it */
	const char *refs[6];      /* counterparts beside the rules' own (rules/catalog.c) */
	enum basis basis;
	const char *basis_text;   /* "flows between zones" */
};

/* The clauses passive observation can speak to. METI's guideline groups
 * its measures by area (fab area, fab system area, IT/OT DMZ, external);
 * its clause numbers are not confirmed yet, so a row cites the area and the
 * measure. The counterparts are those of the rules that break the row
 * (rules/catalog.c) plus refs. */
static const struct clause clauses[] = {
	{ "zone-separation",
	  "Zones separated: traffic between zones only through the conduits the policy declares "
	  "(default deny)",
	  "METI, fab area and fab system area: network separation into zones and conduits",
	  { "FAB-ZC-001", "FAB-ZC-002", "FAB-HSMS-009", "FAB-HSMS-010", "FAB-MB-004" },
	  { 0 }, B_INTER_ZONE, "flows between zones" },
	{ "internet-egress",
	  "No direct internet access from the fab area or the fab system area",
	  "METI, fab area and fab system area: no direct connection to external networks",
	  { "FAB-ZC-004", "FAB-ZC-005" }, { 0 }, B_FROM_FAB, "flows out of fab zones" },
	{ "dmz-only-way-in",
	  "Enterprise, external and remote access into fab zones only through the IT/OT DMZ "
	  "(jump host) or an engineering workstation",
	  "METI, IT/OT DMZ: connections between IT and OT, and remote maintenance, through the DMZ",
	  { "FAB-ZC-003", "FAB-RA-001" }, { 0 }, B_INTO_FAB,
	  "flows into fab zones from other zones" },
	{ "insecure-protocols",
	  "No insecure or legacy protocols to or from equipment: SMB outside declared conduits, "
	  "SMBv1, cleartext Telnet, FTP, TFTP and r-commands; no service beyond those declared "
	  "for it (SEMI E187)",
	  "METI, fab area: vulnerability management and access control of manufacturing equipment",
	  { "FAB-SMB-001", "FAB-SMB-002", "FAB-CL-001", "FAB-EXP-001" }, { 0 }, B_EQUIPMENT,
	  "flows to or from the fab area" },
	{ "equipment-control",
	  "Equipment told what to do only by its designated hosts: remote commands, recipes, "
	  "equipment constants, control state, alarm reports, Modbus writes",
	  "METI, fab area: access control of manufacturing equipment (product quality)",
	  { "FAB-HSMS-001", "FAB-HSMS-002", "FAB-HSMS-003", "FAB-HSMS-004", "FAB-HSMS-005",
	    "FAB-HSMS-006", "FAB-HSMS-007", "FAB-HSMS-008", "FAB-MB-001", "FAB-MB-002",
	    "FAB-MB-003" },
	  { 0 }, B_COMMANDS, "SECS/GEM commands and Modbus writes" },
	{ "asset-inventory",
	  "An inventory of the equipment, and every host in a zone of the policy (none dual-homed)",
	  "METI, fab system area: asset management, the inventory first",
	  { "FAB-INV-001", "FAB-INV-003" }, { "E187:NW" }, B_INVENTORY,
	  "equipment and devices identified" },
	{ "monitoring-coverage",
	  "Monitoring sees every zone of the policy",
	  "METI, all areas: monitoring of the OT network",
	  { 0 }, { "E187:MON", "CSF:DE.CM-01", "62443-3-3:SR6.2" }, B_COVERAGE,
	  "zones of the policy seen in traffic" },
};

/* SECS-II messages that tell equipment to do something (rules/engine_hsms.c). */
static const char *const command_messages[] = {
	"S1F15", "S1F17", "S2F15", "S2F21", "S2F37", "S2F41", "S2F49",
	"S5F3", "S7F3", "S7F5", "S7F17", "S7F23", "S7F25",
};

static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (s && !strcmp(list[i], s))
			return true;
	return false;
}

static size_t nrules(const struct clause *c)
{
	size_t n = 0;
	while (n < sizeof(c->rules) / sizeof(c->rules[0]) && c->rules[n])
		n++;
	return n;
}

/* The area of zone name (the report's zones), NULL when unknown. */
static const char *zone_area(const json_t *rep, const char *name)
{
	size_t i;
	json_t *z;
	if (!name)
		return NULL;
	json_array_foreach(json_object_get(rep, "zones"), i, z)
		if (!strcmp(json_member_str_or(z, "name", ""), name))
			return json_member_str(z, "area");
	return NULL;
}

static bool fab_zone(const json_t *rep, const char *name)
{
	const char *a = zone_area(rep, name);
	return a && (!strcmp(a, "fab-area") || !strcmp(a, "fab-system-area"));
}

static bool fab_area_zone(const json_t *rep, const char *name)
{
	const char *a = zone_area(rep, name);
	return a && !strcmp(a, "fab-area");
}

/* How much of the basis traffic was seen; *of: out of how many (coverage). */
static uint64_t basis_count(const json_t *rep, enum basis b, uint64_t *of)
{
	uint64_t n = 0;
	size_t i;
	json_t *o;
	*of = 0;
	switch (b) {
	case B_INTER_ZONE:
	case B_FROM_FAB:
	case B_INTO_FAB:
	case B_EQUIPMENT:
		json_array_foreach(json_object_get(rep, "matrix"), i, o) {
			const char *s = json_member_str(o, "src_zone"), *d = json_member_str(o, "dest_zone");
			bool take = false;
			if (b == B_INTER_ZONE)
				take = s && d && strcmp(s, d);
			else if (b == B_FROM_FAB)
				take = fab_zone(rep, s);
			else if (b == B_INTO_FAB)
				take = fab_zone(rep, d) && !fab_zone(rep, s);
			else
				take = fab_area_zone(rep, s) || fab_area_zone(rep, d);
			if (take)
				n += json_member_count(o, "flows");
		}
		break;
	case B_COMMANDS:
		json_array_foreach(json_object_get(rep, "hsms"), i, o) {
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(o, "messages"), k, v)
				if (in_list(command_messages,
					    sizeof(command_messages) / sizeof(command_messages[0]), k))
					n += (uint64_t)json_integer_value(v);
		}
		json_array_foreach(json_object_get(rep, "modbus"), i, o)
			n += json_member_count(json_object_get(o, "access"), "write");
		break;
	case B_INVENTORY:
		n = json_array_size(json_object_get(rep, "assets"));
		break;
	case B_COVERAGE:
		json_array_foreach(json_object_get(rep, "zones"), i, o) {
			if (!json_is_true(json_object_get(o, "in_policy")))
				continue;
			(*of)++;
			if (json_is_true(json_object_get(o, "evidenced")))
				n++;
		}
		break;
	}
	return n;
}

/* The counterparts: refs, then those of the clause's rules, each once;
 * METI's own are the row's guideline. */
static json_t *counterparts(const struct clause *c)
{
	json_t *a = json_array();
	const char *seen[64];
	size_t ns = 0;
	for (size_t r = 0; r <= nrules(c); r++) {
		const struct rule_def *d = r ? rule_def_by_id(c->rules[r - 1]) : NULL;
		const char *const *refs = r ? (d ? d->refs : NULL) : c->refs;
		size_t max = r ? RULE_MAX_REFS : sizeof(c->refs) / sizeof(c->refs[0]);
		for (size_t k = 0; refs && k < max && refs[k]; k++) {
			if (!strncmp(refs[k], "METI:", 5) || in_list(seen, ns, refs[k]) || ns == 64)
				continue;
			seen[ns++] = refs[k];
			json_array_append_new(a, json_string(refs[k]));
		}
	}
	return a;
}

/* The report's by-rule row of rule, NULL when it did not fire. */
static const json_t *fired(const json_t *rep, const char *rule)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "rules"), i, o)
		if (!strcmp(json_member_str_or(o, "rule", ""), rule) && json_member_count(o, "count"))
			return o;
	return NULL;
}

/* The rules of c that fired, with their hits and times; *hits their sum. */
static json_t *broken_by(const json_t *rep, const struct clause *c, uint64_t *hits)
{
	json_t *a = json_array();
	*hits = 0;
	for (size_t r = 0; r < nrules(c); r++) {
		const json_t *o = fired(rep, c->rules[r]);
		if (!o)
			continue;
		*hits += json_member_count(o, "count");
		json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:o}", "rule", c->rules[r], "count",
						   json_count(json_member_count(o, "count")),
						   "first_seen", json_timestamp_or_null(json_member_str(o, "first_seen")),
						   "last_seen", json_timestamp_or_null(json_member_str(o, "last_seen"))));
	}
	return a;
}

/* The rules of c the policy switched off (they cannot have alerted). */
static json_t *disabled(const json_t *rep, const struct clause *c)
{
	json_t *a = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(json_object_get(rep, "policy"), "rules_disabled"), i, o)
		if (in_list(c->rules, nrules(c), json_string_value(o)))
			json_array_append(a, o);
	return a;
}

/* The first alerts of c's rules, as the report lists them. */
static json_t *examples(const json_t *rep, const struct clause *c)
{
	json_t *a = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "alerts"), i, o) {
		if (json_array_size(a) == EXAMPLES_MAX)
			break;
		if (!in_list(c->rules, nrules(c), json_member_str(o, "rule")))
			continue;
		json_t *e = json_object();
		static const char *const keys[] = { "timestamp", "rule", "src_ip", "src_zone", "dest_ip",
						    "dest_zone", "app_proto", "community_id",
						    "evidence" };
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			json_t *v = json_object_get(o, keys[k]);
			json_object_set(e, keys[k], or_null(v));
		}
		json_array_append_new(a, e);
	}
	return a;
}

/* The zones of the policy no traffic was seen in (coverage). */
static json_t *unseen_zones(const json_t *rep)
{
	json_t *a = json_array();
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "zones"), i, o)
		if (json_is_true(json_object_get(o, "in_policy")) &&
		    !json_is_true(json_object_get(o, "evidenced")))
			json_array_append(a, json_object_get(o, "name"));
	return a;
}

/* One sentence a reader of the table (and of guideline.csv) can act on,
 * made from the row alone (its basis, counts, rules, unseen zones). */
static json_t *summary(const json_t *row, enum rep_lang lang)
{
	char text[768];
	size_t len = 0;
	const char *status = json_member_str_or(row, "status", "");
	const char *basis = tr(lang, json_member_str_or(row, "basis", ""));
	bool coverage = json_object_get(row, "of") != NULL;
	bool inventory = json_object_get(row, "hosts_in_no_zone") != NULL;
	uint64_t seen = json_member_count(row, "observed_count");
	uint64_t hits = json_member_count(row, "alert_hits");
	uint64_t unzoned = json_member_count(row, "hosts_in_no_zone");
	size_t nr = json_array_size(json_object_get(row, "rules"));
	const json_t *off = json_object_get(row, "rules_disabled");
	const json_t *unseen = json_object_get(row, "not_seen");
#define ADD(...) len += (size_t)snprintf(text + len, len < sizeof(text) ? sizeof(text) - len : 0, __VA_ARGS__)
	if (coverage)
		ADD(T("%" PRIu64 " of %" PRIu64 " %s"), seen, json_member_count(row, "of"), basis);
	else
		ADD(T("%" PRIu64 " %s"), seen, basis);
	if (hits) {
		ADD(hits == 1 ? T("; %" PRIu64 " alert hit:") : T("; %" PRIu64 " alert hits:"), hits);
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(row, "broken_by"), i, o)
			ADD(T("%s %s x%" PRIu64), i ? T(",") : "", json_member_str_or(o, "rule", "?"),
			    json_member_count(o, "count"));
	} else if (!strcmp(status, "observed") && !coverage && !inventory) {
		ADD(nr == 1 ? T("; no alert of %zu rule") : T("; no alert of %zu rules"), nr);
	}
	if (unzoned)
		ADD(unzoned == 1 ? T("; %" PRIu64 " host in no zone") : T("; %" PRIu64 " hosts in no zone"),
		    unzoned);
	if (json_array_size(off)) {
		ADD("%s", T("; switched off by the policy, so not checked:"));
		size_t i;
		json_t *o;
		json_array_foreach(off, i, o)
			ADD(T("%s %s"), i ? T(",") : "", json_string_value(o));
	}
	if (!strcmp(status, "not observed") && json_array_size(unseen)) {
		ADD("%s", T("; not seen:"));
		size_t i;
		json_t *o;
		json_array_foreach(unseen, i, o)
			ADD(T("%s %s"), i ? T(",") : "", json_string_value(o));
	}
#undef ADD
	if (len >= sizeof(text))
		memcpy(text + sizeof(text) - 4, "...", 4);
	return json_string(text);
}

json_t *rep_guideline_evidence(const json_t *row, enum rep_lang lang)
{
	return summary(row, lang);
}

json_t *rep_guideline_json(const json_t *rep)
{
	json_t *rows = json_array();
	if (!rows)
		return NULL;
	const json_t *run = json_object_get(rep, "run");
	for (size_t k = 0; k < sizeof(clauses) / sizeof(clauses[0]); k++) {
		const struct clause *c = &clauses[k];
		uint64_t of = 0, hits = 0;
		uint64_t seen = basis_count(rep, c->basis, &of);
		json_t *by = broken_by(rep, c, &hits);
		json_t *unseen = c->basis == B_COVERAGE ? unseen_zones(rep) : json_array();
		json_t *off = disabled(rep, c);
		/* the inventory: a host in no zone is one the zone model misses,
		 * whether or not FAB-INV-001 is on */
		uint64_t unzoned = c->basis == B_INVENTORY
					   ? json_array_size(json_object_get(rep, "unzoned_hosts")) : 0;
		/* broken: an alert of its rules (the inventory: a host in no zone
		 * too); observed: its traffic seen and nothing broke it (coverage:
		 * every zone seen); else nothing to conclude from this capture */
		const char *status = hits || unzoned ? "broken"
				   : c->basis == B_COVERAGE ? (of && seen == of ? "observed" : "not observed")
				   : seen ? "observed" : "not observed";
		json_t *rules = json_array();
		for (size_t r = 0; r < nrules(c); r++)
			json_array_append_new(rules, json_string(c->rules[r]));
		json_t *row = json_object();
		json_object_set_new(row, "clause", json_string(c->id));
		json_object_set_new(row, "title", json_string(c->title));
		json_object_set_new(row, "guideline", json_string(c->guideline));
		json_object_set_new(row, "counterparts", counterparts(c));
		json_object_set_new(row, "rules", rules);
		json_object_set_new(row, "status", json_string(status));
		json_object_set_new(row, "basis", json_string(c->basis_text));
		json_object_set_new(row, "observed_count", json_count(seen));
		if (c->basis == B_COVERAGE) {
			json_object_set_new(row, "of", json_count(of));
			json_object_set(row, "not_seen", unseen);
		}
		json_object_set_new(row, "alert_hits", json_count(hits));
		if (c->basis == B_INVENTORY)
			json_object_set_new(row, "hosts_in_no_zone", json_count(unzoned));
		json_object_set_new(row, "rules_disabled", off);
		json_object_set_new(row, "broken_by", by);
		/* in this place among the members (report.json's order), from the row */
		json_object_set_new(row, "evidence", json_null());
		json_object_set_new(row, "examples", examples(rep, c));
		json_t *period = json_object();
		json_object_set(period, "from", or_null(json_object_get(run, "first_flow_start")));
		json_object_set(period, "to", or_null(json_object_get(run, "last_flow_end")));
		json_object_set_new(row, "period", period);
		json_object_set_new(row, "evidence", summary(row, REP_LANG_EN));
		json_decref(unseen);
		if (json_array_append_new(rows, row) < 0) {
			json_decref(rows);
			return NULL;
		}
	}
	return rows;
}
