/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon handoff`: an incident bundle an FSIRT hands to an equipment
 * vendor's PSIRT. From a fabmon output directory (eve.json, the policy copy,
 * evidence pcaps) it selects alerts (by id, rule, equipment address, time)
 * and writes a directory a reader without fabmon can use: the alert
 * records, their evidence pcaps, the identity of the equipment involved,
 * the part of the policy that was broken (itself a valid policy), a README
 * with the TLP marking, a STIX 2.1 bundle, and SHA256SUMS; optionally a
 * ustar archive of it.
 *
 * Everything written is a function of the input records: no wall clock,
 * so the same selection from the same directory gives the same bytes (the
 * STIX ids are derived from the objects' content).
 */
#include "sensor/handoff.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "dissectors/netaddr.h"
#include "rules/catalog.h"
#include "sensor/log.h"
#include "sensor/options.h"
#include "sensor/sha1.h"
#include "sensor/sha256.h"
#include "sensor/version.h"
#include "zones/policy.h"

#define HO_PATH 4096
#define HO_MAX_FILES 4096

/* ---- TLP 2.0 (FIRST) and the STIX 2.1 TLP marking definitions ---- */

struct tlp_def {
	const char *name;        /* as given to --tlp */
	const char *alias;
	const char *label;       /* "TLP:AMBER" */
	const char *meaning;     /* FIRST TLP 2.0, one line */
	const char *stix_id;     /* STIX 2.1 section 7.2.1.4 */
	const char *stix_name;
	const char *stix_tlp;
};

static const struct tlp_def tlps[] = {
	{ "CLEAR", "WHITE", "TLP:CLEAR",
	  "Recipients can spread this to the world, there is no limit on disclosure.",
	  "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE", "white" },
	{ "GREEN", NULL, "TLP:GREEN",
	  "Limited disclosure, recipients can spread this within their community.",
	  "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN", "green" },
	{ "AMBER", NULL, "TLP:AMBER",
	  "Limited disclosure, recipients can only spread this on a need-to-know basis within "
	  "their organization and its clients.",
	  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber" },
	{ "AMBER+STRICT", NULL, "TLP:AMBER+STRICT",
	  "Limited disclosure, recipients can only spread this on a need-to-know basis within "
	  "their own organization (not its clients).",
	  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER", "amber" },
	{ "RED", NULL, "TLP:RED",
	  "For the eyes and ears of individual recipients only, no further disclosure.",
	  "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED", "red" },
};

static const struct tlp_def *tlp_parse(const char *s)
{
	if (!strncasecmp(s, "TLP:", 4))
		s += 4;
	for (size_t i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
		if (!strcasecmp(s, tlps[i].name) || (tlps[i].alias && !strcasecmp(s, tlps[i].alias)))
			return &tlps[i];
	return NULL;
}

/* ---- what the references of the rule catalogue mean ---- */

struct ref_text {
	const char *key;         /* as in alert.references */
	const char *source;      /* STIX external_references source_name */
	const char *ext_id;
	const char *text;
};

static const struct ref_text ref_texts[] = {
	{ "METI:FA", "METI semiconductor OT security guideline", "fab area",
	  "the fab area (ファブエリア, Purdue 0-2): process and metrology equipment, AMHS, "
	  "facility controllers; what protects production quality and confidential recipes" },
	{ "METI:FSA", "METI semiconductor OT security guideline", "fab system area",
	  "the fab system area (ファブシステムエリア, Purdue 3): MES, EAP (SECS/GEM host), RMS, "
	  "FDC, SCADA; the only systems that should command equipment" },
	{ "METI:DMZ", "METI semiconductor OT security guideline", "IT/OT DMZ",
	  "the IT/OT DMZ (Purdue 3.5): every connection between enterprise or external "
	  "networks and the fab goes through it (jump host, relays)" },
	{ "METI:EXT", "METI semiconductor OT security guideline", "external services",
	  "external services (外部サービス): the internet, cloud and vendors' remote support" },
	{ "METI:all-areas", "METI semiconductor OT security guideline", "all areas",
	  "all areas: the fab is separated into zones and only the connections the site "
	  "needs are allowed between them" },
	{ "E187:NW", "SEMI E187", "network security",
	  "SEMI E187 (Specification for Cybersecurity of Fab Equipment), network security: "
	  "the equipment's network exposure and communication are limited to what it needs" },
	{ "E187:MON", "SEMI E187", "security monitoring",
	  "SEMI E187 (Specification for Cybersecurity of Fab Equipment), security monitoring: "
	  "security-relevant events of the equipment can be logged and monitored" },
	{ "E188", "SEMI E188", NULL,
	  "SEMI E188 (Specification for Malware Free Equipment Integration): equipment is "
	  "integrated free of malware, with its software and network use declared by the supplier" },
	{ "CSF:ID.AM-01", "NIST CSF 2.0", "ID.AM-01",
	  "Inventories of hardware managed by the organization are maintained" },
	{ "CSF:ID.AM-02", "NIST CSF 2.0", "ID.AM-02",
	  "Inventories of software, services, and systems managed by the organization are maintained" },
	{ "CSF:ID.AM-03", "NIST CSF 2.0", "ID.AM-03",
	  "Representations of the organization's authorized network communication and internal "
	  "and external network data flows are maintained" },
	{ "CSF:PR.AA-05", "NIST CSF 2.0", "PR.AA-05",
	  "Access permissions, entitlements, and authorizations are defined in a policy, managed, "
	  "enforced, and reviewed, and incorporate the principles of least privilege and "
	  "separation of duties" },
	{ "CSF:PR.DS-01", "NIST CSF 2.0", "PR.DS-01",
	  "The confidentiality, integrity, and availability of data-at-rest are protected" },
	{ "CSF:PR.DS-02", "NIST CSF 2.0", "PR.DS-02",
	  "The confidentiality, integrity, and availability of data-in-transit are protected" },
	{ "CSF:PR.PS-02", "NIST CSF 2.0", "PR.PS-02",
	  "Software is maintained, replaced, and removed commensurate with risk" },
	{ "CSF:PR.IR-01", "NIST CSF 2.0", "PR.IR-01",
	  "Networks and environments are protected from unauthorized logical access and usage" },
	{ "CSF:DE.CM-01", "NIST CSF 2.0", "DE.CM-01",
	  "Networks and network services are monitored to find potentially adverse events" },
	{ "CSF:DE.CM-06", "NIST CSF 2.0", "DE.CM-06",
	  "External service provider activities and services are monitored to find potentially "
	  "adverse events" },
	{ "CSF:DE.CM-09", "NIST CSF 2.0", "DE.CM-09",
	  "Computing hardware and software, runtime environments, and their data are monitored "
	  "to find potentially adverse events" },
	{ "CSF:DE.AE-02", "NIST CSF 2.0", "DE.AE-02",
	  "Potentially adverse events are analyzed to better understand associated activities" },
	{ "62443-3-3:SR1.1", "IEC 62443-3-3", "SR 1.1", "Human user identification and authentication" },
	{ "62443-3-3:SR1.13", "IEC 62443-3-3", "SR 1.13", "Access via untrusted networks" },
	{ "62443-3-3:SR2.1", "IEC 62443-3-3", "SR 2.1", "Authorization enforcement" },
	{ "62443-3-3:SR3.1", "IEC 62443-3-3", "SR 3.1", "Communication integrity" },
	{ "62443-3-3:SR3.5", "IEC 62443-3-3", "SR 3.5", "Input validation" },
	{ "62443-3-3:SR4.1", "IEC 62443-3-3", "SR 4.1", "Information confidentiality" },
	{ "62443-3-3:SR5.1", "IEC 62443-3-3", "SR 5.1", "Network segmentation" },
	{ "62443-3-3:SR5.2", "IEC 62443-3-3", "SR 5.2", "Zone boundary protection" },
	{ "62443-3-3:SR6.2", "IEC 62443-3-3", "SR 6.2", "Continuous monitoring" },
	{ "62443-3-3:SR7.8", "IEC 62443-3-3", "SR 7.8", "Control system component inventory" },
};

static const struct ref_text *ref_lookup(const char *key)
{
	for (size_t i = 0; i < sizeof(ref_texts) / sizeof(ref_texts[0]); i++)
		if (!strcmp(ref_texts[i].key, key))
			return &ref_texts[i];
	return NULL;
}

/* ---- command line ---- */

struct ho_args {
	const char *dir;
	const char *out;
	const char *org;
	char (*ids)[17];
	size_t nids;
	bool *id_seen;
	const struct rule_def **rules;
	size_t nrules;
	struct ip_addr *equip;
	const char **equip_str;
	size_t nequip;
	const char *since_str, *until_str;
	bool has_since, has_until;
	int64_t since, until;        /* microseconds since the epoch */
	const struct tlp_def *tlp;
	bool tar, force, quiet;
};

/* ---- time: RFC 3339 <-> microseconds since the epoch ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "2026-03-02T08:00:07.123456+00:00", "...Z", fraction optional. */
static bool parse_time(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, se;
	if (!s || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	const char *p = s + 19;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 6)
				frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (!n)
			return false;
		for (; n < 6; n++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return false;
		off = (oh * 60 + om) * 60;
		if (*p == '-')
			off = -off;
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*us = secs * 1000000 + frac;
	return true;
}

/* STIX timestamps: UTC with "Z" and microseconds. */
static void stix_time(int64_t us, char out[40])
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - secs * 1000000;
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 40, "1970-01-01T00:00:00.000000Z");
		return;
	}
	int n = snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(frac % 1000000));
	if (n < 0 || n >= 40)
		snprintf(out, 40, "1970-01-01T00:00:00.000000Z");
}

/* ---- small helpers over jansson ---- */

static json_t *jget(json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = jget(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *jstrd(json_t *o, const char *key, const char *dflt)
{
	const char *s = jstr(o, key);
	return s ? s : dflt;
}

static bool jint(json_t *o, const char *key, json_int_t *out)
{
	json_t *v = jget(o, key);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/* a scalar as text (strings bare, numbers and the rest as JSON) into buf */
static const char *jtext(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!v) {
		snprintf(buf, len, "-");
		return buf;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

/* a record's time as "2026-03-02T08:00:07.123456Z" (as given if it does not parse) */
static const char *rtime(const char *s, char out[40])
{
	int64_t us;
	if (!s)
		return "-";
	if (!parse_time(s, &us))
		return s;
	stix_time(us, out);
	return out;
}

/* an array of scalars as "a, b, c" */
static const char *jlist(json_t *v, char *buf, size_t len)
{
	if (!json_is_array(v))
		return jtext(v, buf, len);
	size_t o = 0, i;
	json_t *e;
	buf[0] = '\0';
	json_array_foreach(v, i, e) {
		char one[128];
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", jtext(e, one, sizeof(one)));
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	return json_array_size(v) ? buf : "-";
}

/* ---- the records read from eve.json ---- */

struct ho_flow {
	uint64_t flow_id;
	char cid[64];
	size_t after;                /* the alert's line: the flow record comes later */
	json_t *rec;                 /* the flow record, NULL while not seen */
};

struct ho_evidence {
	char rel[256];               /* evidence/NAME.pcap */
	bool copied;
	char why[160];               /* when not copied */
	char sha[65];
	uint64_t bytes;
	long packets;                /* -1 if not a pcap we can count */
};

struct ho_alert {
	char *line;                  /* verbatim, without the newline */
	size_t len;
	json_t *rec;
	json_t *a;                   /* rec.alert */
	int run, policy;             /* indexes into the runs and policies seen, -1 none */
	int flow;                    /* index into flows, -1 */
	int evidence;                /* index into evidence, -1 */
	int64_t ts, first, last;     /* microseconds */
};

struct ho {
	struct ho_args *args;
	json_t *runs;                /* run records */
	json_t *policies;            /* policy objects: {policy: {...}, run: n} */
	json_t *assets;              /* ip -> last asset record */
	json_t *alert_ids;           /* the selected alerts' ids */
	size_t dup_alerts;           /* records of an alert already selected (a capture read twice) */
	struct ho_alert *alerts;
	size_t nalerts, calerts;
	struct ho_flow *flows;
	size_t nflows;
	struct ho_evidence *ev;
	size_t nev;
	char sensor[128];
	size_t bad_lines;
	/* the policy in force for the first selected alert, parsed */
	struct policy *pol;
	json_t *polobj;
	char pol_note[1200];
	bool pol_verified;
	size_t npolicies_used;
	/* output */
	char tmp[HO_PATH];
	struct ho_file {
		char rel[256];
		char sha[65];
		uint64_t bytes;
	} *files;
	size_t nfiles;
	bool evidence_dir;
	int64_t mtime;               /* for the tar: the last selected alert's time */
	/* STIX ids used by README */
	char identity_id[80];
};

/* the value of "event_type" without parsing, NULL if the line is spaced differently */
static bool quick_type(const char *line, char *out, size_t len)
{
	const char *p = strstr(line, "\"event_type\":\"");
	if (!p)
		return false;
	p += 14;
	size_t n = 0;
	while (p[n] && p[n] != '"' && n + 1 < len)
		n++;
	if (p[n] != '"')
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static bool quick_flow_id(const char *line, uint64_t *id)
{
	const char *p = strstr(line, "\"flow_id\":");
	if (!p)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + 10, &end, 10);
	if (errno || end == p + 10)
		return false;
	*id = v;
	return true;
}

static bool alert_selected(struct ho *h, json_t *rec, int64_t ts)
{
	struct ho_args *g = h->args;
	json_t *a = jget(rec, "alert");
	const char *id = jstr(a, "id");
	bool ok = true;
	if (g->nids) {
		bool hit = false;
		for (size_t i = 0; id && i < g->nids; i++)
			if (!strcasecmp(id, g->ids[i])) {
				g->id_seen[i] = true;
				hit = true;
			}
		ok = hit;
	}
	if (ok && g->nrules) {
		const char *rule = jstr(a, "rule");
		bool hit = false;
		for (size_t i = 0; rule && i < g->nrules; i++)
			hit |= !strcasecmp(rule, g->rules[i]->id);
		ok = hit;
	}
	if (ok && g->nequip) {
		struct ip_addr s, d;
		bool hs = ip_addr_parse(jstrd(rec, "src_ip", ""), &s);
		bool hd = ip_addr_parse(jstrd(rec, "dest_ip", ""), &d);
		bool hit = false;
		for (size_t i = 0; i < g->nequip; i++)
			hit |= (hs && !ip_addr_cmp(&s, &g->equip[i])) ||
			       (hd && !ip_addr_cmp(&d, &g->equip[i]));
		ok = hit;
	}
	if (ok && g->has_since)
		ok = ts >= g->since;
	if (ok && g->has_until)
		ok = ts <= g->until;
	return ok;
}

static int add_alert(struct ho *h, const char *line, size_t len, json_t *rec, int run, int pol,
		     size_t lineno)
{
	if (h->nalerts == h->calerts) {
		size_t nc = h->calerts ? h->calerts * 2 : 16;
		struct ho_alert *na = realloc(h->alerts, nc * sizeof(*na));
		if (!na)
			return -1;
		h->alerts = na;
		h->calerts = nc;
	}
	struct ho_alert *x = &h->alerts[h->nalerts];
	memset(x, 0, sizeof(*x));
	x->line = malloc(len + 1);
	if (!x->line)
		return -1;
	memcpy(x->line, line, len);
	x->line[len] = '\0';
	x->len = len;
	x->rec = json_incref(rec);
	x->a = jget(rec, "alert");
	x->run = run;
	x->policy = pol;
	x->flow = -1;
	x->evidence = -1;
	parse_time(jstr(rec, "timestamp"), &x->ts);
	if (!parse_time(jstr(x->a, "first_seen"), &x->first))
		x->first = x->ts;
	if (!parse_time(jstr(x->a, "last_seen"), &x->last))
		x->last = x->ts;
	if (x->last < x->first)
		x->last = x->first;
	h->nalerts++;
	/* the flow it belongs to, for the flow record that ends it */
	json_int_t fid;
	const char *cid = jstr(rec, "community_id");
	if (jint(rec, "flow_id", &fid) && fid > 0) {
		for (size_t i = 0; i < h->nflows; i++)
			if (h->flows[i].flow_id == (uint64_t)fid &&
			    !strcmp(h->flows[i].cid, cid ? cid : "") && !h->flows[i].rec) {
				x->flow = (int)i;
				return 0;
			}
		struct ho_flow *nf = realloc(h->flows, (h->nflows + 1) * sizeof(*nf));
		if (!nf)
			return -1;
		h->flows = nf;
		struct ho_flow *f = &h->flows[h->nflows];
		memset(f, 0, sizeof(*f));
		f->flow_id = (uint64_t)fid;
		snprintf(f->cid, sizeof(f->cid), "%s", cid ? cid : "");
		f->after = lineno;
		x->flow = (int)h->nflows++;
	}
	return 0;
}

static void take_flow(struct ho *h, json_t *rec, size_t lineno)
{
	json_int_t fid;
	if (!jint(rec, "flow_id", &fid))
		return;
	const char *cid = jstrd(rec, "community_id", "");
	for (size_t i = 0; i < h->nflows; i++) {
		struct ho_flow *f = &h->flows[i];
		if (!f->rec && f->flow_id == (uint64_t)fid && !strcmp(f->cid, cid) && lineno > f->after)
			f->rec = json_incref(rec);
	}
}

/* Read DIR/eve.json once: the run and policy records, the last asset
 * record of every address, the selected alerts and the flow records that
 * end their flows. */
static int read_eve(struct ho *h)
{
	char path[HO_PATH];
	if ((size_t)snprintf(path, sizeof(path), "%s/eve.json", h->args->dir) >= sizeof(path)) {
		log_error("handoff: path too long: %s", h->args->dir);
		return EXIT_USAGE;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("handoff: cannot read %s: %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t lineno = 0;
	int run = -1, pol = -1;
	int rc = EXIT_OK;
	size_t first_bad = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		bool complete = n > 0 && line[n - 1] == '\n';
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		char type[24];
		bool known = quick_type(line, type, sizeof(type));
		if (known) {
			if (!strcmp(type, "flow")) {
				uint64_t fid;
				bool want = false;
				if (quick_flow_id(line, &fid))
					for (size_t i = 0; i < h->nflows && !want; i++)
						want = !h->flows[i].rec && h->flows[i].flow_id == fid;
				if (!want)
					continue;
			} else if (strcmp(type, "run") && strcmp(type, "policy") &&
				   strcmp(type, "alert") && strcmp(type, "asset")) {
				continue;
			}
		}
		json_error_t jerr;
		json_t *rec = json_loadb(line, (size_t)n, 0, &jerr);
		if (!json_is_object(rec)) {
			json_decref(rec);
			if (complete) { /* a running sensor's last line may be half written */
				if (!h->bad_lines++)
					first_bad = lineno;
			}
			continue;
		}
		const char *et = jstrd(rec, "event_type", "");
		if (!strcmp(et, "run")) {
			json_array_append(h->runs, rec);
			run = (int)json_array_size(h->runs) - 1;
			json_t *p = jget(jget(rec, "run"), "policy");
			pol = -1;
			if (json_is_object(p)) {
				json_array_append_new(h->policies,
						      json_pack("{sOsi}", "policy", p, "run", run));
				pol = (int)json_array_size(h->policies) - 1;
			}
		} else if (!strcmp(et, "policy")) {
			json_t *p = jget(rec, "policy");
			if (json_is_object(p)) {
				json_array_append_new(h->policies,
						      json_pack("{sOsi}", "policy", p, "run", run));
				pol = (int)json_array_size(h->policies) - 1;
			}
		} else if (!strcmp(et, "asset")) {
			const char *ip = jstr(jget(rec, "asset"), "ip");
			if (ip)
				json_object_set(h->assets, ip, rec);
		} else if (!strcmp(et, "alert")) {
			int64_t ts = 0;
			parse_time(jstr(rec, "timestamp"), &ts);
			const char *aid = jstr(jget(rec, "alert"), "id");
			if (alert_selected(h, rec, ts) && aid && json_object_get(h->alert_ids, aid)) {
				h->dup_alerts++;
			} else if (alert_selected(h, rec, ts)) {
				if (aid)
					json_object_set_new(h->alert_ids, aid, json_true());
				if (add_alert(h, line, (size_t)n, rec, run, pol, lineno) < 0) {
					json_decref(rec);
					log_error("out of memory");
					rc = EXIT_RUNTIME;
					break;
				}
				const char *host = jstr(rec, "host");
				if (host && !h->sensor[0])
					snprintf(h->sensor, sizeof(h->sensor), "%s", host);
			}
		} else if (!strcmp(et, "flow")) {
			take_flow(h, rec, lineno);
		}
		json_decref(rec);
	}
	if (rc == EXIT_OK && ferror(f)) {
		log_error("handoff: error reading %s: %s", path, strerror(errno));
		rc = EXIT_INPUT;
	}
	free(line);
	fclose(f);
	if (h->bad_lines)
		log_warn("handoff: %s: %zu line%s not JSON (first: line %zu), skipped", path,
			 h->bad_lines, h->bad_lines == 1 ? " is" : "s are", first_bad);
	return rc;
}

/* ---- output: files in the bundle's temporary directory ---- */

/* "a/b" into out; false if it does not fit */
static bool pjoin(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);
	return n >= 0 && (size_t)n < len;
}

static int record_file(struct ho *h, const char *rel, const char *sha, uint64_t bytes)
{
	if (h->nfiles >= HO_MAX_FILES)
		return -1;
	if (!h->files) {
		h->files = calloc(HO_MAX_FILES, sizeof(*h->files));
		if (!h->files)
			return -1;
	}
	struct ho_file *f = &h->files[h->nfiles++];
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	snprintf(f->sha, sizeof(f->sha), "%s", sha);
	f->bytes = bytes;
	return 0;
}

static int put_file(struct ho *h, const char *rel, const char *data, size_t len)
{
	char path[HO_PATH];
	if (!pjoin(path, sizeof(path), h->tmp, rel)) {
		log_error("handoff: path too long: %s/%s", h->tmp, rel);
		return -1;
	}
	FILE *f = fopen(path, "wbx");
	if (!f) {
		log_error("handoff: cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		log_error("handoff: cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	char sha[65];
	sha256_hex(data, len, sha);
	return record_file(h, rel, sha, len);
}

/* An in-memory text file. */
struct mbuf {
	FILE *f;
	char *data;
	size_t len;
};

static bool mb_open(struct mbuf *m)
{
	m->data = NULL;
	m->len = 0;
	m->f = open_memstream(&m->data, &m->len);
	return m->f != NULL;
}

static int mb_put(struct ho *h, struct mbuf *m, const char *rel)
{
	bool ok = !ferror(m->f);
	ok = fclose(m->f) == 0 && ok;
	m->f = NULL;
	int rc = ok ? put_file(h, rel, m->data, m->len) : -1;
	if (!ok)
		log_error("out of memory");
	free(m->data);
	m->data = NULL;
	return rc;
}

static int put_json(struct ho *h, json_t *j, const char *rel)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	if (!s) {
		log_error("out of memory");
		return -1;
	}
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return -1;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	int rc = put_file(h, rel, t, n + 1);
	free(t);
	return rc;
}

/* ---- alerts.jsonl ---- */

static int write_alerts(struct ho *h)
{
	struct mbuf m;
	if (!mb_open(&m))
		return -1;
	for (size_t i = 0; i < h->nalerts; i++) {
		fwrite(h->alerts[i].line, 1, h->alerts[i].len, m.f);
		fputc('\n', m.f);
	}
	return mb_put(h, &m, "alerts.jsonl");
}

/* ---- evidence ---- */

/* "evidence/NAME.pcap" with a plain file name: an alert record names only
 * files fabmon wrote, and a record edited to name another file is refused. */
static bool evidence_name_ok(const char *rel)
{
	if (strncmp(rel, "evidence/", 9))
		return false;
	const char *n = rel + 9;
	size_t len = strlen(n);
	if (!len || len > 200 || n[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
	if (swap)
		v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return v;
}

/* Packets in a classic pcap file (the complete ones), -1 if it is not one. */
static long pcap_packets(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	uint8_t hdr[24];
	long n = -1;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
		uint32_t magic = rd32(hdr, false);
		bool swap;
		if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
			swap = false;
		else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
			swap = true;
		else
			goto out;
		n = 0;
		uint8_t rh[16];
		while (fread(rh, 1, sizeof(rh), f) == sizeof(rh)) {
			uint32_t incl = rd32(rh + 8, swap);
			if (incl > (256u << 20) || fseek(f, (long)incl, SEEK_CUR) != 0)
				break;
			/* a record cut short by a sensor still writing is not counted */
			int c = fgetc(f);
			if (c == EOF) {
				struct stat st;
				if (fstat(fileno(f), &st) == 0 && ftell(f) <= st.st_size)
					n++;
				break;
			}
			ungetc(c, f);
			n++;
		}
	}
out:
	fclose(f);
	return n;
}

static int copy_evidence(struct ho *h, struct ho_evidence *e)
{
	char src[HO_PATH], dst[HO_PATH];
	if (!pjoin(src, sizeof(src), h->args->dir, e->rel) ||
	    !pjoin(dst, sizeof(dst), h->tmp, e->rel)) {
		snprintf(e->why, sizeof(e->why), "path too long");
		return 0;
	}
	FILE *in = fopen(src, "rb");
	if (!in) {
		snprintf(e->why, sizeof(e->why), "%s", strerror(errno));
		return 0;
	}
	struct stat st;
	if (fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(e->why, sizeof(e->why), "not a regular file");
		fclose(in);
		return 0;
	}
	if (!h->evidence_dir) {
		char d[HO_PATH];
		if (!pjoin(d, sizeof(d), h->tmp, "evidence") || mkdir(d, 0750) != 0) {
			log_error("handoff: cannot create %s: %s", d, strerror(errno));
			fclose(in);
			return -1;
		}
		h->evidence_dir = true;
	}
	FILE *out = fopen(dst, "wbx");
	if (!out) {
		log_error("handoff: cannot write %s: %s", dst, strerror(errno));
		fclose(in);
		return -1;
	}
	struct sha256_ctx c;
	sha256_init(&c);
	static uint8_t buf[1 << 16];
	size_t n;
	uint64_t total = 0;
	bool ok = true;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		sha256_update(&c, buf, n);
		total += n;
		if (fwrite(buf, 1, n, out) != n) {
			ok = false;
			break;
		}
	}
	bool rerr = ferror(in);
	fclose(in);
	ok = fclose(out) == 0 && ok;
	if (!ok) {
		log_error("handoff: cannot write %s: %s", dst, strerror(errno));
		unlink(dst);
		return -1;
	}
	if (rerr) {
		snprintf(e->why, sizeof(e->why), "read error");
		unlink(dst);
		return 0;
	}
	uint8_t d[32];
	sha256_final(&c, d);
	sha256_to_hex(d, e->sha);
	e->bytes = total;
	e->copied = true;
	e->packets = pcap_packets(dst);
	return record_file(h, e->rel, e->sha, total);
}

static int collect_evidence(struct ho *h)
{
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *rel = jstr(jget(x->a, "evidence"), "file");
		if (!rel)
			continue;
		size_t k;
		for (k = 0; k < h->nev; k++)
			if (!strcmp(h->ev[k].rel, rel))
				break;
		if (k == h->nev) {
			struct ho_evidence *ne = realloc(h->ev, (h->nev + 1) * sizeof(*ne));
			if (!ne)
				return -1;
			h->ev = ne;
			struct ho_evidence *e = &h->ev[h->nev++];
			memset(e, 0, sizeof(*e));
			snprintf(e->rel, sizeof(e->rel), "%s", rel);
			e->packets = -1;
			if (!evidence_name_ok(rel) || strlen(rel) >= sizeof(e->rel))
				snprintf(e->why, sizeof(e->why),
					 "not a file name fabmon writes (evidence/NAME.pcap): refused");
			else if (copy_evidence(h, e) < 0)
				return -1;
			if (!e->copied)
				log_warn("handoff: evidence %s not copied: %s", rel, e->why);
		}
		x->evidence = (int)k;
	}
	return 0;
}

/* ---- the policy in force ---- */

static void load_policy(struct ho *h)
{
	const struct ho_alert *x0 = &h->alerts[0];
	/* how many distinct policies the selected alerts were raised under */
	const char *shas[64];
	size_t nsha = 0;
	for (size_t i = 0; i < h->nalerts; i++) {
		json_t *po = jget(json_array_get(h->policies, (size_t)h->alerts[i].policy), "policy");
		const char *s = jstr(po, "sha256");
		if (!s)
			continue;
		size_t k;
		for (k = 0; k < nsha && strcmp(shas[k], s); k++)
			;
		if (k == nsha && nsha < 64)
			shas[nsha++] = s;
	}
	h->npolicies_used = nsha;
	if (x0->policy < 0) {
		snprintf(h->pol_note, sizeof(h->pol_note),
			 "eve.json has no run or policy record before the alert");
		return;
	}
	h->polobj = jget(json_array_get(h->policies, (size_t)x0->policy), "policy");
	const char *copy = jstr(h->polobj, "copy");
	const char *want = jstrd(h->polobj, "sha256", "");
	char *text = NULL;
	size_t len = 0;
	char src[HO_PATH];
	if (copy && !strchr(copy, '/') && copy[0] != '.') {
		snprintf(src, sizeof(src), "%s/%s", h->args->dir, copy);
		FILE *f = fopen(src, "rb");
		if (f) {
			struct mbuf m;
			if (mb_open(&m)) {
				char buf[8192];
				size_t n;
				while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
					fwrite(buf, 1, n, m.f);
				if (fclose(m.f) == 0) {
					text = m.data;
					len = m.len;
				} else {
					free(m.data);
				}
			}
			fclose(f);
		} else {
			snprintf(h->pol_note, sizeof(h->pol_note), "the policy copy %s cannot be read: %s",
				 copy, strerror(errno));
		}
	} else if (!json_is_true(jget(h->polobj, "builtin"))) {
		snprintf(h->pol_note, sizeof(h->pol_note), "the run record names no policy copy");
	}
	if (!text && json_is_true(jget(h->polobj, "builtin"))) {
		len = strlen(policy_builtin_yaml);
		text = malloc(len + 1);
		if (text)
			memcpy(text, policy_builtin_yaml, len + 1);
	}
	if (!text)
		return;
	char sha[65];
	sha256_hex(text, len, sha);
	h->pol_verified = !strcmp(sha, want);
	if (!h->pol_verified) {
		snprintf(h->pol_note, sizeof(h->pol_note),
			 "the policy text's SHA-256 %s differs from the one the run recorded (%s)", sha,
			 want);
	}
	struct policy_error err;
	h->pol = policy_parse(text, len, jstrd(h->polobj, "source", copy ? copy : "policy"), &err);
	if (!h->pol) {
		char msg[1024];
		policy_error_format(&err, msg, sizeof(msg));
		snprintf(h->pol_note, sizeof(h->pol_note), "the policy does not parse: %s", msg);
	} else if (json_is_true(jget(h->polobj, "builtin"))) {
		h->pol->builtin = true;
	}
	free(text);
}

/* ---- policy-excerpt.yaml ---- */

static void y_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* text for a YAML comment: one line */
static void y_comment(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
}

static void y_roles(FILE *f, uint32_t roles)
{
	fputc('[', f);
	bool first = true;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (roles & ROLE_BIT(r)) {
			fprintf(f, "%s%s", first ? "" : ", ", policy_role_name((enum host_role)r));
			first = false;
		}
	fputc(']', f);
}

static void y_allow(FILE *f, const struct policy_allow *a)
{
	fprintf(f, "      - {app: ");
	y_str(f, a->app);
	if (a->nports) {
		fprintf(f, ", ports: [");
		for (unsigned i = 0; i < a->nports; i++) {
			if (a->ports[i].lo == a->ports[i].hi)
				fprintf(f, "%s%u", i ? ", " : "", a->ports[i].lo);
			else
				fprintf(f, "%s\"%u-%u\"", i ? ", " : "", a->ports[i].lo, a->ports[i].hi);
		}
		fputc(']', f);
	}
	if (a->initiators) {
		fprintf(f, ", initiators: ");
		y_roles(f, a->initiators);
	}
	if (a->has_hsms_filter) {
		bool any = false;
		for (int s = 0; s < 256; s++)
			any |= (a->streams[s / 8] >> (s % 8)) & 1;
		if (any || a->nsf) {
			fprintf(f, ", messages: [");
			bool first = true;
			for (int s = 0; s < 256; s++)
				if ((a->streams[s / 8] >> (s % 8)) & 1) {
					fprintf(f, "%sS%d", first ? "" : ", ", s);
					first = false;
				}
			for (unsigned i = 0; i < a->nsf; i++) {
				fprintf(f, "%sS%uF%u", first ? "" : ", ", a->sf[i] >> 8, a->sf[i] & 0xff);
				first = false;
			}
			fputc(']', f);
		}
		if (a->categories) {
			fprintf(f, ", categories: [");
			bool first = true;
			for (int c = 0; c < GEM_CAT_COUNT && c < 32; c++)
				if (a->categories & (1u << c)) {
					fprintf(f, "%s%s", first ? "" : ", ",
						gem_category_name((enum gem_category)c));
					first = false;
				}
			fputc(']', f);
		}
	}
	if (a->has_modbus_filter) {
		if (a->access) {
			fprintf(f, ", access: [");
			bool first = true;
			for (int c = 0; c < MODBUS_ACCESS_COUNT; c++)
				if (a->access & (1u << c)) {
					fprintf(f, "%s%s", first ? "" : ", ",
						modbus_access_name((enum modbus_access)c));
					first = false;
				}
			fputc(']', f);
		}
		if (a->has_function_codes) {
			fprintf(f, ", function_codes: [");
			bool first = true;
			for (int c = 1; c < 128; c++)
				if ((a->function_codes[c / 8] >> (c % 8)) & 1) {
					fprintf(f, "%s%d", first ? "" : ", ", c);
					first = false;
				}
			fputc(']', f);
		}
		if (a->has_unit_ids) {
			fprintf(f, ", unit_ids: [");
			bool first = true;
			for (int u = 0; u < 256; u++)
				if ((a->unit_ids[u / 8] >> (u % 8)) & 1) {
					fprintf(f, "%s%d", first ? "" : ", ", u);
					first = false;
				}
			fputc(']', f);
		}
		if (a->naddresses) {
			fprintf(f, ", addresses: [");
			for (unsigned i = 0; i < a->naddresses; i++)
				fprintf(f, "%s\"%u-%u\"", i ? ", " : "", a->addresses[i].lo,
					a->addresses[i].hi);
			fputc(']', f);
		}
	}
	fprintf(f, "}\n");
}

/* distinct rule ids of the selected alerts, in order of appearance */
static size_t alert_rules(const struct ho *h, const struct rule_def **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nalerts; i++) {
		const struct rule_def *d = rule_def_by_id(jstrd(h->alerts[i].a, "rule", ""));
		if (!d)
			continue;
		size_t k;
		for (k = 0; k < n && out[k] != d; k++)
			;
		if (k == n && n < max)
			out[n++] = d;
	}
	return n;
}

static void excerpt_rules(const struct ho *h, FILE *f, const struct rule_setting *set)
{
	const struct rule_def *rules[R_COUNT];
	size_t nr = alert_rules(h, rules, R_COUNT);
	if (!nr)
		return;
	fprintf(f, "\n# The rules the alerts come from (built into fabmon; `fabmon rules`), as this\n"
		   "# policy sets them.\nrules:\n");
	for (size_t i = 0; i < nr; i++) {
		const struct rule_def *d = rules[i];
		fprintf(f, "  # %s (sid %u, %s): ", d->id, d->sid, d->category);
		y_comment(f, d->signature);
		fprintf(f, "\n  #   references:");
		for (int k = 0; k < RULE_MAX_REFS && d->refs[k]; k++)
			fprintf(f, "%s %s", k ? "," : "", d->refs[k]);
		const struct rule_setting *s = set ? &set[d->rule] : NULL;
		uint8_t sev = s ? s->severity : d->severity;
		uint32_t roles = s ? s->roles : d->roles;
		fprintf(f, "\n  - {id: %s, enabled: %s, severity: %s", d->id,
			!s || s->enabled ? "true" : "false", rule_severity_name(sev));
		if (roles) {
			fprintf(f, ", roles: ");
			y_roles(f, roles);
		}
		fprintf(f, "}\n");
	}
}

static void excerpt_header(struct ho *h, FILE *f)
{
	const struct tlp_def *t = h->args->tlp;
	fprintf(f, "# %s - fabmon incident hand-off: policy excerpt\n#\n", t->label);
	fprintf(f, "# The part of the site's zone/conduit policy the alerts of this bundle broke:\n"
		   "# the zones of both ends, the conduits the alerts name, the hosts at both ends\n"
		   "# and the rules. It is itself a policy fabmon accepts:\n"
		   "#   fabmon check-policy policy-excerpt.yaml\n#\n");
	if (h->polobj) {
		fprintf(f, "# policy:  ");
		y_comment(f, jstrd(h->polobj, "name", "(no name)"));
		fprintf(f, "\n# source:  ");
		y_comment(f, jstrd(h->polobj, "source", "?"));
		fprintf(f, "\n# sha256:  ");
		y_comment(f, jstrd(h->polobj, "sha256", "?"));
		if (jstr(h->polobj, "copy")) {
			fprintf(f, "\n# copy:    ");
			y_comment(f, jstr(h->polobj, "copy"));
			fprintf(f, " (in the sensor's output directory%s)",
				h->pol_verified ? "; its SHA-256 verified" : "");
		}
		fprintf(f, "\n");
	}
	if (h->pol_note[0]) {
		fprintf(f, "# note:    ");
		y_comment(f, h->pol_note);
		fprintf(f, "\n");
	}
	if (h->npolicies_used > 1)
		fprintf(f, "# note:    the selected alerts were raised under %zu policies (reloaded, or "
			   "runs appended to eve.json);\n#          this is the one in force for the "
			   "first\n", h->npolicies_used);
	fprintf(f, "# alerts:  %zu\n", h->nalerts);
}

/* zone names of the alerts' ends, and the conduits they name */
static bool name_in(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void add_name(json_t *arr, const char *s)
{
	if (s && *s && !name_in(arr, s))
		json_array_append_new(arr, json_string(s));
}

static void excerpt_from_policy(struct ho *h, FILE *f)
{
	const struct policy *p = h->pol;
	size_t nz = p->nzones;
	bool *zone = calloc(nz + 1, 1), *host = calloc(p->nhosts + 1, 1),
	     *cond = calloc(p->nconduits + 1, 1);
	if (!zone || !host || !cond)
		goto out;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *ends[2] = { "source", "target" };
		for (int e = 0; e < 2; e++) {
			json_t *ep = jget(x->a, ends[e]);
			const char *zn = jstr(ep, "zone");
			int zi = zn ? policy_zone_index(p, zn) : -1;
			if (zi >= 0)
				zone[zi] = true;
			struct ip_addr ip;
			if (ip_addr_parse(jstrd(x->rec, e ? "dest_ip" : "src_ip", ""), &ip)) {
				int hi = policy_host_of(p, &ip);
				if (hi >= 0)
					host[hi] = true;
			}
		}
		const char *cn = jstr(x->a, "conduit");
		for (size_t c = 0; cn && c < p->nconduits; c++)
			if (!strcmp(p->conduits[c].name, cn)) {
				cond[c] = true;
				zone[p->conduits[c].from] = zone[p->conduits[c].to] = true;
			}
		/* and the conduits between the two ends' zones, in the alert's direction */
		const char *zs = jstr(jget(x->a, "source"), "zone");
		const char *zt = jstr(jget(x->a, "target"), "zone");
		int is = zs ? policy_zone_index(p, zs) : -1, it = zt ? policy_zone_index(p, zt) : -1;
		for (size_t c = 0; is >= 0 && it >= 0 && is != it && c < p->nconduits; c++) {
			const struct policy_conduit *pc = &p->conduits[c];
			if ((pc->from == is && pc->to == it) ||
			    (pc->both_ways && pc->from == it && pc->to == is))
				cond[c] = true;
		}
	}
	for (size_t i = 0; i < p->nhosts; i++)
		if (host[i] && p->hosts[i].zone >= 0)
			zone[p->hosts[i].zone] = true;

	fprintf(f, "\nversion: 1\nname: ");
	char nm[POLICY_NAME_LEN + 16];
	snprintf(nm, sizeof(nm), "%s%sexcerpt", p->name, p->name[0] ? " - " : "");
	y_str(f, nm);
	fprintf(f, "\ndefault_action: %s\ninfer_roles: %s\nalerting: {window: %u, rate_limit: %u}\n",
		p->default_action == POLICY_DENY ? "deny" : "allow",
		p->infer_roles ? "true" : "false", p->alert_window, p->alert_rate);

	fprintf(f, "\n# The zones of both ends (METI area, Purdue level, IEC 62443 SL-T).\nzones:\n");
	bool anyz = false;
	for (size_t i = 0; i < nz; i++) {
		if (!zone[i])
			continue;
		const struct policy_zone *z = &p->zones[i];
		char pd[24], ip[IP_ADDR_STRLEN];
		anyz = true;
		fprintf(f, "  - name: ");
		y_str(f, z->name);
		fprintf(f, "\n");
		if (z->description[0]) {
			fprintf(f, "    description: ");
			y_str(f, z->description);
			fprintf(f, "\n");
		}
		if (z->purdue_x10 >= 0)
			fprintf(f, "    purdue: %s\n", policy_purdue_str(z->purdue_x10, pd));
		if (z->area < AREA_COUNT)
			fprintf(f, "    area: %s\n", policy_area_name(z->area));
		if (z->sl_t)
			fprintf(f, "    sl_t: %d\n", z->sl_t);
		bool first = true;
		for (size_t k = 0; k < p->nnets; k++) {
			if (p->nets[k].zone != (int)i)
				continue;
			fprintf(f, "%s\"%s/%u\"", first ? "    networks: [" : ", ",
				ip_addr_str(&p->nets[k].prefix, ip, sizeof(ip)), p->nets[k].len);
			first = false;
		}
		if (z->public_addresses) {
			fprintf(f, "%spublic", first ? "    networks: [" : ", ");
			first = false;
		}
		if (!first)
			fprintf(f, "]\n");
		for (size_t k = 0; k < z->nvlans; k++)
			fprintf(f, "%s%u", k ? ", " : "    vlans: [", z->vlans[k]);
		if (z->nvlans)
			fprintf(f, "]\n");
		if (z->inventory_closed)
			fprintf(f, "    inventory: closed\n");
		if (z->member_roles) {
			fprintf(f, "    roles: ");
			y_roles(f, z->member_roles);
			fprintf(f, "\n");
		}
	}
	if (!anyz) /* a policy needs zones: none of the ends was in one */
		fprintf(f, "  []\n");

	bool anyh = false;
	for (size_t i = 0; i < p->nhosts; i++) {
		if (!host[i])
			continue;
		const struct policy_host *ph = &p->hosts[i];
		char ip[IP_ADDR_STRLEN];
		if (!anyh)
			fprintf(f, "\n# The hosts at both ends, as the policy lists them (model/softrev: "
				   "the baseline).\nhosts:\n");
		anyh = true;
		fprintf(f, "  - {name: ");
		y_str(f, ph->name);
		fprintf(f, ", addresses: [");
		for (unsigned k = 0; k < ph->naddrs; k++)
			fprintf(f, "%s\"%s\"", k ? ", " : "", ip_addr_str(&ph->addrs[k], ip, sizeof(ip)));
		fprintf(f, "]");
		if (ph->roles) {
			fprintf(f, ", roles: ");
			y_roles(f, ph->roles);
		}
		if (ph->zone >= 0) {
			fprintf(f, ", zone: ");
			y_str(f, p->zones[ph->zone].name);
		}
		if (ph->model[0]) {
			fprintf(f, ", model: ");
			y_str(f, ph->model);
		}
		if (ph->softrev[0]) {
			fprintf(f, ", softrev: ");
			y_str(f, ph->softrev);
		}
		fprintf(f, "}\n");
	}

	bool anyc = false;
	for (size_t i = 0; i < p->nconduits; i++) {
		if (!cond[i])
			continue;
		const struct policy_conduit *c = &p->conduits[i];
		if (!anyc)
			fprintf(f, "\n# The conduits the alerts name, and those from the source's zone to "
				   "the target's\n# (IEC 62443-3-2 ZCR 3), with what they allow; everything "
				   "else between\n# zones is %s.\nconduits:\n",
				p->default_action == POLICY_DENY ? "denied" : "allowed");
		anyc = true;
		fprintf(f, "  - name: ");
		y_str(f, c->name);
		fprintf(f, "\n");
		if (c->description[0]) {
			fprintf(f, "    description: ");
			y_str(f, c->description);
			fprintf(f, "\n");
		}
		fprintf(f, "    from: ");
		y_str(f, p->zones[c->from].name);
		fprintf(f, "\n    to: ");
		y_str(f, p->zones[c->to].name);
		fprintf(f, "\n    direction: %s\n    allow:\n", c->both_ways ? "both" : "one-way");
		for (size_t k = 0; k < c->nallow; k++)
			y_allow(f, &c->allow[k]);
		if (!c->nallow)
			fprintf(f, "      []\n");
	}
	if (!anyc)
		fprintf(f, "\n# No conduit leads from the source's zone to the target's: nothing "
			   "between them is allowed.\n");

	struct rule_setting set[R_COUNT];
	struct policy_error err;
	excerpt_rules(h, f, rule_settings_from_policy(p, set, &err) == 0 ? set : NULL);
out:
	free(zone);
	free(host);
	free(cond);
}

/* Without the policy file: what the alert records say of the zones. */
static void excerpt_from_alerts(struct ho *h, FILE *f)
{
	fprintf(f, "# The policy file was not available: the zones below are what the alerts\n"
		   "# say of them (no networks); the conduits are named in comments.\n");
	fprintf(f, "\nversion: 1\nname: \"excerpt (from the alert records)\"\nzones:\n");
	json_t *done = json_array(), *conduits = json_array();
	bool any = false;
	for (size_t i = 0; i < h->nalerts; i++) {
		const char *ends[2] = { "source", "target" };
		for (int e = 0; e < 2; e++) {
			json_t *ep = jget(h->alerts[i].a, ends[e]);
			const char *zn = jstr(ep, "zone");
			if (!zn || name_in(done, zn))
				continue;
			add_name(done, zn);
			any = true;
			char buf[64];
			fprintf(f, "  - {name: ");
			y_str(f, zn);
			if (jget(ep, "purdue"))
				fprintf(f, ", purdue: %s", jtext(jget(ep, "purdue"), buf, sizeof(buf)));
			const char *area = jstr(ep, "area");
			if (area && policy_area_parse(area) >= 0)
				fprintf(f, ", area: %s", area);
			fprintf(f, "}\n");
		}
		add_name(conduits, jstr(h->alerts[i].a, "conduit"));
	}
	if (!any)
		fprintf(f, "  []\n");
	size_t k;
	json_t *v;
	json_array_foreach(conduits, k, v) {
		fprintf(f, "# conduit named by the alerts: ");
		y_comment(f, json_string_value(v));
		fprintf(f, "\n");
	}
	json_decref(done);
	json_decref(conduits);
	excerpt_rules(h, f, NULL);
}

static int write_excerpt(struct ho *h)
{
	struct mbuf m;
	if (!mb_open(&m))
		return -1;
	excerpt_header(h, m.f);
	if (h->pol)
		excerpt_from_policy(h, m.f);
	else
		excerpt_from_alerts(h, m.f);
	fflush(m.f);
	/* what we wrote must be a policy fabmon accepts */
	struct policy_error err;
	struct policy *p = m.data ? policy_parse(m.data, m.len, "policy-excerpt.yaml", &err) : NULL;
	if (!p) {
		char msg[1024];
		policy_error_format(&err, msg, sizeof(msg));
		log_warn("handoff: the policy excerpt is not a valid policy: %s", msg);
	}
	policy_free(p);
	return mb_put(h, &m, "policy-excerpt.yaml");
}

/* ---- equipment.json ---- */

/* the alerts' addresses in order of appearance, each with the end it was */
static json_t *alert_endpoints(struct ho *h)
{
	json_t *eps = json_object();
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *ends[2] = { "source", "target" };
		for (int e = 0; e < 2; e++) {
			const char *ip = jstr(x->rec, e ? "dest_ip" : "src_ip");
			if (!ip)
				continue;
			json_t *ep = jget(x->a, ends[e]);
			json_t *o = json_object_get(eps, ip);
			if (!o) {
				o = json_object();
				json_object_set_new(o, "ip", json_string(ip));
				const char *keys[] = { "host", "zone", "purdue", "area", "roles",
						       "roles_inferred", "mac" };
				for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
					if (jget(ep, keys[k]))
						json_object_set(o, keys[k], jget(ep, keys[k]));
				json_object_set_new(o, "alerts", json_array());
				json_object_set_new(eps, ip, o);
			}
			json_array_append_new(json_object_get(o, "alerts"),
					      json_pack("{ssssss}", "id", jstrd(x->a, "id", ""),
							"rule", jstrd(x->a, "rule", ""), "end",
							ends[e]));
		}
	}
	return eps;
}

static json_t *build_equipment(struct ho *h)
{
	json_t *root = json_object();
	json_object_set_new(root, "tlp", json_string(h->args->tlp->label));
	json_object_set_new(root, "description",
			    json_string("Identity of the equipment involved in the alerts of this "
					"bundle, from fabmon's inventory (the last asset record of "
					"each address: MDLN/SOFTREV from SECS/GEM S1F2/S1F13/S1F14, "
					"Modbus device identification), with the policy's baseline"));
	json_t *eq = json_array(), *others = json_array();
	json_t *eps = alert_endpoints(h);
	const char *ip;
	json_t *ep;
	json_object_foreach(eps, ip, ep) {
		json_t *rec = json_object_get(h->assets, ip);
		json_t *asset = jget(rec, "asset");
		if (!json_is_object(asset)) {
			json_array_append(others, ep);
			continue;
		}
		json_t *o = json_object();
		json_object_set_new(o, "ip", json_string(ip));
		const char *name = jstr(ep, "host");
		json_object_set_new(o, "name", name ? json_string(name) : json_null());
		const char *k;
		json_t *v;
		json_object_foreach(asset, k, v)
			if (strcmp(k, "change") && strcmp(k, "ip"))
				json_object_set(o, k, v);
		const char *pk[] = { "zone", "purdue", "area", "roles", "roles_inferred", "mac" };
		for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++)
			if (jget(ep, pk[i]))
				json_object_set(o, pk[i], jget(ep, pk[i]));
		json_object_set_new(o, "inventory_record",
				    json_pack("{ssss}", "timestamp", jstrd(rec, "timestamp", ""),
					      "change", jstrd(asset, "change", "")));
		/* the baseline the policy holds for it */
		struct ip_addr a;
		if (h->pol && ip_addr_parse(ip, &a)) {
			int hi = policy_host_of(h->pol, &a);
			if (hi >= 0 && (h->pol->hosts[hi].model[0] || h->pol->hosts[hi].softrev[0])) {
				const struct policy_host *ph = &h->pol->hosts[hi];
				const char *mdl = jstr(asset, "model");
				if (!mdl)
					mdl = jstr(asset, "product_code");
				const char *rev = jstr(asset, "software_revision");
				if (!rev)
					rev = jstr(asset, "revision");
				bool match = (!ph->model[0] || (mdl && !strcmp(mdl, ph->model))) &&
					     (!ph->softrev[0] || (rev && !strcmp(rev, ph->softrev)));
				json_object_set_new(o, "baseline",
						    json_pack("{sssssb}", "model", ph->model, "softrev",
							      ph->softrev, "matches", match));
			}
		}
		json_object_set(o, "alerts", json_object_get(ep, "alerts"));
		json_array_append_new(eq, o);
	}
	json_decref(eps);
	json_object_set_new(root, "equipment", eq);
	json_object_set_new(root, "endpoints_not_in_inventory", others);
	return root;
}

/* ---- STIX 2.1 ---- */

static void uuid_fmt(const uint8_t d[16], char out[37])
{
	uint8_t u[16];
	memcpy(u, d, 16);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x50); /* version 5 */
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

/* SDOs and SROs: "<type>--<uuid>" from a SHA-256 of their identifying content */
static void sdo_id(char out[80], const char *type, const char *content)
{
	struct sha256_ctx c;
	uint8_t d[32];
	char u[37];
	sha256_init(&c);
	sha256_update(&c, "fabmon-handoff|", 15);
	sha256_update(&c, type, strlen(type));
	sha256_update(&c, "|", 1);
	sha256_update(&c, content, strlen(content));
	sha256_final(&c, d);
	uuid_fmt(d, u);
	snprintf(out, 80, "%s--%s", type, u);
}

/* SCOs: the deterministic id of STIX 2.1 section 2.9, a UUIDv5 (RFC 4122, SHA-1)
 * in the SCO namespace over the canonical JSON of the ID contributing
 * properties, so the same address gets the same id from every producer. */
static void sco_id(char out[80], const char *type, json_t *contrib)
{
	static const uint8_t ns[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
					0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
	char *s = json_dumps(contrib, JSON_COMPACT | JSON_SORT_KEYS);
	struct sha1_ctx c;
	uint8_t d[20];
	char u[37];
	sha1_init(&c);
	sha1_update(&c, ns, sizeof(ns));
	if (s)
		sha1_update(&c, s, strlen(s));
	sha1_final(&c, d);
	free(s);
	uuid_fmt(d, u);
	snprintf(out, 80, "%s--%s", type, u);
}

static json_t *sdo(const char *type, const char *id, const char *created, const struct ho *h,
		   bool by_identity)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "spec_version", json_string("2.1"));
	json_object_set_new(o, "id", json_string(id));
	if (by_identity)
		json_object_set_new(o, "created_by_ref", json_string(h->identity_id));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "modified", json_string(created));
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", h->args->tlp->stix_id));
	return o;
}

static json_t *stix_ip(json_t *objs, json_t *seen, const char *ip, const struct ho *h)
{
	json_t *have = json_object_get(seen, ip);
	if (have)
		return have;
	struct ip_addr a;
	const char *type = ip_addr_parse(ip, &a) && a.family == 6 ? "ipv6-addr" : "ipv4-addr";
	char id[80];
	json_t *contrib = json_pack("{ss}", "value", ip);
	sco_id(id, type, contrib);
	json_decref(contrib);
	json_t *o = json_pack("{ssssssss}", "type", type, "spec_version", "2.1", "id", id, "value",
			      ip);
	json_object_set_new(o, "object_marking_refs", json_pack("[s]", h->args->tlp->stix_id));
	json_array_append_new(objs, o);
	json_t *idj = json_string(id);
	json_object_set_new(seen, ip, idj);
	return idj;
}

struct ho_ind {
	char key[256];
	size_t *alerts;
	size_t n;
};

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static json_t *rule_external_refs(const struct rule_def *d, const char *rule, json_t *refs)
{
	json_t *er = json_array();
	char desc[320];
	if (d)
		snprintf(desc, sizeof(desc), "%s (fabmon sid %u, category %s)", d->signature, d->sid,
			 d->category);
	json_array_append_new(er, json_pack("{ssssss}", "source_name", "fabmon", "external_id", rule,
					    "description", d ? desc : rule));
	size_t i;
	json_t *v;
	json_array_foreach(refs, i, v) {
		const char *key = json_string_value(v);
		if (!key)
			continue;
		const struct ref_text *t = ref_lookup(key);
		json_t *r = json_object();
		json_object_set_new(r, "source_name", json_string(t ? t->source : key));
		if (t && t->ext_id)
			json_object_set_new(r, "external_id", json_string(t->ext_id));
		json_object_set_new(r, "description", json_string(t ? t->text : key));
		if (t && !strcmp(t->source, "NIST CSF 2.0"))
			json_object_set_new(r, "url", json_string("https://doi.org/10.6028/NIST.CSWP.29"));
		json_array_append_new(er, r);
	}
	return er;
}

static json_t *build_stix(struct ho *h)
{
	const struct tlp_def *t = h->args->tlp;
	json_t *objs = json_array();
	int64_t tmin = h->alerts[0].ts;
	for (size_t i = 0; i < h->nalerts; i++)
		if (h->alerts[i].ts < tmin)
			tmin = h->alerts[i].ts;
	char created[40];
	stix_time(tmin, created);

	/* the TLP marking, exactly as STIX 2.1 defines it */
	json_array_append_new(objs, json_pack("{sssssssssssss{ss}}", "type", "marking-definition",
					      "spec_version", "2.1", "id", t->stix_id, "created",
					      "2017-01-20T00:00:00.000Z", "definition_type", "tlp",
					      "name", t->stix_name, "definition", "tlp",
					      t->stix_tlp));

	/* the reporting FSIRT and its sensor */
	char content[1024], desc[512];
	snprintf(content, sizeof(content), "%s|%s|%s", h->args->org, h->sensor, created);
	sdo_id(h->identity_id, "identity", content);
	json_t *ident = sdo("identity", h->identity_id, created, h, false);
	json_object_set_new(ident, "name", json_string(h->args->org));
	snprintf(desc, sizeof(desc),
		 "Reporter of the alerts: fabmon %s, a passive OT network monitoring sensor%s%s",
		 FABMON_VERSION, h->sensor[0] ? " named " : "", h->sensor);
	json_object_set_new(ident, "description", json_string(desc));
	json_object_set_new(ident, "identity_class", json_string("organization"));
	json_object_set_new(ident, "sectors", json_pack("[s]", "manufacturing"));
	json_array_append_new(objs, ident);

	/* addresses and network traffic, one per flow */
	json_t *ips = json_object();
	json_t *nt_ids = json_array(); /* per flow index */
	for (size_t i = 0; i < h->nflows; i++)
		json_array_append_new(nt_ids, json_null());
	json_t **od_ids = calloc(h->nalerts + 1, sizeof(*od_ids));
	if (!od_ids)
		goto fail;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *src = jstr(x->rec, "src_ip"), *dst = jstr(x->rec, "dest_ip");
		if (!src || !dst || x->flow < 0)
			continue;
		json_t *sid = stix_ip(objs, ips, src, h), *did = stix_ip(objs, ips, dst, h);
		if (json_is_null(json_array_get(nt_ids, (size_t)x->flow))) {
			struct ho_flow *fl = &h->flows[x->flow];
			json_t *fr = jget(fl->rec, "flow");
			struct ip_addr a;
			char proto[32];
			snprintf(proto, sizeof(proto), "%s", jstrd(x->rec, "proto", ""));
			lower(proto);
			json_t *protocols = json_array();
			json_array_append_new(protocols, json_string(ip_addr_parse(src, &a) &&
								      a.family == 6 ? "ipv6" : "ipv4"));
			if (proto[0])
				json_array_append_new(protocols, json_string(proto));
			const char *app = jstr(x->rec, "app_proto");
			if (app && strcasecmp(app, "unknown") && strcasecmp(app, "failed")) {
				char ap[64];
				snprintf(ap, sizeof(ap), "%s", app);
				lower(ap);
				json_array_append_new(protocols, json_string(ap));
			}
			json_t *c = json_object();
			int64_t st, en;
			char ts[40];
			if (fr && parse_time(jstr(fr, "start"), &st) && parse_time(jstr(fr, "end"), &en)) {
				stix_time(st, ts);
				json_object_set_new(c, "start", json_string(ts));
				stix_time(en, ts);
				json_object_set_new(c, "end", json_string(ts));
			}
			json_object_set(c, "src_ref", sid);
			json_object_set(c, "dst_ref", did);
			json_int_t port;
			if (jint(x->rec, "src_port", &port))
				json_object_set_new(c, "src_port", json_integer(port));
			if (jint(x->rec, "dest_port", &port))
				json_object_set_new(c, "dst_port", json_integer(port));
			json_object_set_new(c, "protocols", protocols);
			char id[80];
			sco_id(id, "network-traffic", c);
			/* the same flow read twice (an appended run) is the same object */
			if (json_object_get(ips, id)) {
				json_decref(c);
				json_array_set_new(nt_ids, (size_t)x->flow, json_string(id));
				continue;
			}
			json_object_set_new(ips, id, json_true());
			json_t *o = json_pack("{ssssss}", "type", "network-traffic", "spec_version",
					      "2.1", "id", id);
			json_object_update(o, c);
			json_decref(c);
			if (fr) {
				json_int_t v;
				json_object_set_new(o, "is_active", json_false());
				if (jint(fr, "bytes_toserver", &v))
					json_object_set_new(o, "src_byte_count", json_integer(v));
				if (jint(fr, "bytes_toclient", &v))
					json_object_set_new(o, "dst_byte_count", json_integer(v));
				if (jint(fr, "pkts_toserver", &v))
					json_object_set_new(o, "src_packets", json_integer(v));
				if (jint(fr, "pkts_toclient", &v))
					json_object_set_new(o, "dst_packets", json_integer(v));
			}
			json_object_set_new(o, "object_marking_refs", json_pack("[s]", t->stix_id));
			json_array_append_new(objs, o);
			json_array_set_new(nt_ids, (size_t)x->flow, json_string(id));
		}
	}

	/* one observed-data per alert record */
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *src = jstr(x->rec, "src_ip"), *dst = jstr(x->rec, "dest_ip");
		if (!src || !dst || x->flow < 0)
			continue;
		char id[80], ts[40], fo[40], lo[40];
		snprintf(content, sizeof(content), "%s|%s|%s", jstrd(x->a, "id", ""),
			 jstrd(x->rec, "community_id", ""), jstrd(x->rec, "timestamp", ""));
		sdo_id(id, "observed-data", content);
		stix_time(x->ts, ts);
		stix_time(x->first, fo);
		stix_time(x->last, lo);
		json_t *o = sdo("observed-data", id, ts, h, true);
		json_int_t count = 1;
		jint(x->a, "count", &count);
		if (count < 1)
			count = 1;
		if (count > 999999999)
			count = 999999999;
		json_object_set_new(o, "first_observed", json_string(fo));
		json_object_set_new(o, "last_observed", json_string(lo));
		json_object_set_new(o, "number_observed", json_integer(count));
		json_object_set_new(o, "object_refs",
				    json_pack("[OOO]", json_array_get(nt_ids, (size_t)x->flow),
					      json_object_get(ips, src), json_object_get(ips, dst)));
		json_array_append_new(objs, o);
		od_ids[i] = json_string(id);
	}

	/* one indicator and one sighting per (rule, source, target) */
	struct ho_ind *ind = calloc(h->nalerts + 1, sizeof(*ind));
	size_t nind = 0;
	if (!ind)
		goto fail;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		if (!od_ids[i])
			continue;
		char key[256];
		json_int_t port = -1;
		jint(x->rec, "dest_port", &port);
		snprintf(key, sizeof(key), "%s|%s|%s|%lld", jstrd(x->a, "rule", ""),
			 jstrd(x->rec, "src_ip", ""), jstrd(x->rec, "dest_ip", ""), (long long)port);
		size_t k;
		for (k = 0; k < nind && strcmp(ind[k].key, key); k++)
			;
		if (k == nind) {
			snprintf(ind[nind].key, sizeof(ind[nind].key), "%s", key);
			ind[nind].alerts = calloc(h->nalerts, sizeof(size_t));
			if (!ind[nind].alerts)
				goto fail_ind;
			nind++;
		}
		ind[k].alerts[ind[k].n++] = i;
	}
	json_t *sightings = json_array();
	for (size_t k = 0; k < nind; k++) {
		struct ho_alert *x = &h->alerts[ind[k].alerts[0]];
		const char *rule = jstrd(x->a, "rule", "");
		const struct rule_def *d = rule_def_by_id(rule);
		int64_t first = x->first, last = x->last, tfirst = x->ts;
		json_int_t total = 0;
		json_t *odr = json_array();
		for (size_t j = 0; j < ind[k].n; j++) {
			struct ho_alert *y = &h->alerts[ind[k].alerts[j]];
			json_int_t c = 1;
			jint(y->a, "count", &c);
			total += c > 0 ? c : 1;
			if (y->first < first)
				first = y->first;
			if (y->last > last)
				last = y->last;
			if (y->ts < tfirst)
				tfirst = y->ts;
			json_array_append(odr, od_ids[ind[k].alerts[j]]);
		}
		char pattern[512], vf[40], id[80], name[400];
		json_int_t port;
		int pn = snprintf(pattern, sizeof(pattern),
				  "[network-traffic:src_ref.value = '%s' AND "
				  "network-traffic:dst_ref.value = '%s'",
				  jstrd(x->rec, "src_ip", ""), jstrd(x->rec, "dest_ip", ""));
		if (jint(x->rec, "dest_port", &port))
			snprintf(pattern + pn, sizeof(pattern) - (size_t)pn,
				 " AND network-traffic:dst_port = %lld]", (long long)port);
		else
			snprintf(pattern + pn, sizeof(pattern) - (size_t)pn, "]");
		stix_time(tfirst, vf);
		const char *reason = jstrd(x->a, "reason", "");
		snprintf(content, sizeof(content), "%s|%s|%s", pattern, rule, vf);
		sdo_id(id, "indicator", content);
		json_t *o = sdo("indicator", id, vf, h, true);
		snprintf(name, sizeof(name), "%s %s", rule,
			 d ? d->signature : jstrd(x->a, "signature", ""));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "description", json_string(reason));
		json_object_set_new(o, "indicator_types", json_pack("[s]", "anomalous-activity"));
		json_object_set_new(o, "pattern", json_string(pattern));
		json_object_set_new(o, "pattern_type", json_string("stix"));
		json_object_set_new(o, "pattern_version", json_string("2.1"));
		json_object_set_new(o, "valid_from", json_string(vf));
		json_t *labels = json_array();
		json_array_append_new(labels, json_string(rule));
		if (jstr(x->a, "category"))
			json_array_append_new(labels, json_string(jstr(x->a, "category")));
		if (jstr(x->a, "severity_name"))
			json_array_append_new(labels, json_string(jstr(x->a, "severity_name")));
		size_t ri;
		json_t *rv;
		json_array_foreach(jget(x->a, "references"), ri, rv)
			if (json_is_string(rv))
				json_array_append(labels, rv);
		json_object_set_new(o, "labels", labels);
		json_object_set_new(o, "external_references",
				    rule_external_refs(d, rule, jget(x->a, "references")));
		json_array_append_new(objs, o);

		/* the sighting of it by the FSIRT's sensor */
		char sid[80], fs[40], ls[40];
		char *odr_s = json_dumps(odr, JSON_COMPACT);
		snprintf(content, sizeof(content), "%s|%s", id, odr_s ? odr_s : "");
		free(odr_s);
		sdo_id(sid, "sighting", content);
		stix_time(first, fs);
		stix_time(last, ls);
		json_t *s = sdo("sighting", sid, vf, h, true);
		json_object_set_new(s, "sighting_of_ref", json_string(id));
		json_object_set_new(s, "observed_data_refs", odr);
		json_object_set_new(s, "where_sighted_refs", json_pack("[s]", h->identity_id));
		json_object_set_new(s, "count", json_integer(total > 999999999 ? 999999999 : total));
		json_object_set_new(s, "first_seen", json_string(fs));
		json_object_set_new(s, "last_seen", json_string(ls));
		json_array_append_new(sightings, s);
	}
	json_array_extend(objs, sightings);
	json_decref(sightings);

	/* the bundle's id: from the ids it carries */
	struct sha256_ctx c;
	sha256_init(&c);
	size_t i;
	json_t *v;
	json_array_foreach(objs, i, v) {
		const char *oid = jstrd(v, "id", "");
		sha256_update(&c, oid, strlen(oid));
		sha256_update(&c, "\n", 1);
	}
	uint8_t dg[32];
	char hex[65], bid[80];
	sha256_final(&c, dg);
	sha256_to_hex(dg, hex);
	sdo_id(bid, "bundle", hex);
	json_t *bundle = json_pack("{sssssO}", "type", "bundle", "id", bid, "objects", objs);

	for (size_t k = 0; k < nind; k++)
		free(ind[k].alerts);
	free(ind);
	for (size_t k = 0; k < h->nalerts; k++)
		json_decref(od_ids[k]);
	free(od_ids);
	json_decref(objs);
	json_decref(ips);
	json_decref(nt_ids);
	return bundle;
fail_ind:
	for (size_t k = 0; k < nind; k++)
		free(ind[k].alerts);
	free(ind);
fail:
	if (od_ids)
		for (size_t k = 0; k < h->nalerts; k++)
			json_decref(od_ids[k]);
	free(od_ids);
	json_decref(objs);
	json_decref(ips);
	json_decref(nt_ids);
	return NULL;
}

/* ---- README.md ---- */

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
	const char *ip = jstrd(rec, src ? "src_ip" : "dest_ip", "?");
	json_int_t port;
	if (jint(rec, src ? "src_port" : "dest_port", &port))
		fprintf(f, "%s%s%s:%lld", strchr(ip, ':') ? "[" : "", ip, strchr(ip, ':') ? "]" : "",
			(long long)port);
	else
		fprintf(f, "%s", ip);
	if (!ep)
		return;
	if (jstr(ep, "host")) {
		fputc(' ', f);
		md_cell(f, jstr(ep, "host"));
	}
	fprintf(f, " (zone ");
	md_cell(f, jstrd(ep, "zone", "none"));
	if (jget(ep, "purdue"))
		fprintf(f, ", Purdue %s", jtext(jget(ep, "purdue"), buf, sizeof(buf)));
	fprintf(f, "; roles ");
	json_t *roles = jget(ep, "roles");
	if (!json_array_size(roles)) {
		fprintf(f, "none");
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(roles, i, r) {
			fprintf(f, "%s", i ? ", " : "");
			md_cell(f, jtext(r, buf, sizeof(buf)));
		}
		if (json_is_true(jget(ep, "roles_inferred")))
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
			fprintf(f, "%s %s ", first ? "" : ",", kk);
			md_code(f, jtext(vv, buf, sizeof(buf)));
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

static void readme(struct ho *h, FILE *f)
{
	const struct tlp_def *t = h->args->tlp;
	struct ho_args *g = h->args;
	char buf[256];
	const struct rule_def *rules[R_COUNT];
	size_t nr = alert_rules(h, rules, R_COUNT);

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

	/* summary */
	char first[40], last[40];
	int64_t tmin = h->alerts[0].first, tmax = h->alerts[0].last;
	for (size_t i = 0; i < h->nalerts; i++) {
		if (h->alerts[i].first < tmin)
			tmin = h->alerts[i].first;
		if (h->alerts[i].last > tmax)
			tmax = h->alerts[i].last;
	}
	stix_time(tmin, first);
	stix_time(tmax, last);
	fprintf(f, "## Summary\n\n");
	fprintf(f, "%s reports %zu alert%s raised by fabmon, a passive OT network monitoring sensor "
		   "(it only listens to a mirror of the fab's traffic and never sends a packet), "
		   "between %s and %s (UTC), from rule%s",
		g->org, h->nalerts, h->nalerts == 1 ? "" : "s", first, last, nr == 1 ? "" : "s");
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "%s %s (%s)", i ? (i + 1 == nr ? " and" : ",") : "", rules[i]->id,
			rules[i]->signature);
	fprintf(f, ".%s%s%s\n\n", h->sensor[0] ? " Sensor: " : "", h->sensor,
		h->sensor[0] ? "." : "");

	/* what happened */
	fprintf(f, "## What happened\n\n");
	fprintf(f, "| time (UTC) | rule | severity | source → target | reason |\n"
		   "|---|---|---|---|---|\n");
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		char ts[40];
		stix_time(x->ts, ts);
		fprintf(f, "| %s | ", ts);
		md_cell(f, jstrd(x->a, "rule", "?"));
		fprintf(f, " | ");
		md_cell(f, jstrd(x->a, "severity_name", "?"));
		fprintf(f, " | ");
		if (jstr(x->rec, "src_ip")) {
			md_endpoint(f, x->rec, jget(x->a, "source"), true);
			fprintf(f, " → ");
			md_endpoint(f, x->rec, jget(x->a, "target"), false);
		} else {
			fprintf(f, "-");
		}
		fprintf(f, " | ");
		md_cell(f, jstrd(x->a, "reason", ""));
		fprintf(f, " |\n");
	}
	fprintf(f, "\nThe source is the side that opened the connection. Roles are what the site "
		   "policy assigns (or fabmon inferred from behaviour).");
	if (h->dup_alerts)
		fprintf(f, " %zu more record%s of these alerts (the same alert id: the same packets "
			   "read again, in a run appended to eve.json) %s left out.", h->dup_alerts,
			h->dup_alerts == 1 ? "" : "s", h->dup_alerts == 1 ? "is" : "are");
	fprintf(f, "\n\n");
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		json_int_t cnt = 1;
		jint(x->a, "count", &cnt);
		fprintf(f, "### Alert %s — ", jstrd(x->a, "id", "?"));
		md_cell(f, jstrd(x->a, "rule", "?"));
		fprintf(f, "\n\n- ");
		md_cell(f, jstrd(x->a, "signature", ""));
		fprintf(f, " (severity %s, category %s, sid %s)\n",
			jstrd(x->a, "severity_name", "?"), jstrd(x->a, "category", "?"),
			jtext(jget(x->a, "signature_id"), buf, sizeof(buf)));
		char t1[40], t2[40];
		fprintf(f, "- seen %lld time%s, %s to %s%s\n", (long long)cnt, cnt == 1 ? "" : "s",
			rtime(jstr(x->a, "first_seen"), t1), rtime(jstr(x->a, "last_seen"), t2),
			json_is_true(jget(x->a, "repeat")) ? " (a repeat record: hits after the first)"
							   : "");
		if (jstr(x->rec, "src_ip")) {
			fprintf(f, "- connection: %s ", jstrd(x->rec, "proto", "?"));
			md_endpoint(f, x->rec, NULL, true);
			fprintf(f, " → ");
			md_endpoint(f, x->rec, NULL, false);
			fprintf(f, ", application %s, flow_id %s, Community ID `%s`\n",
				jstrd(x->rec, "app_proto", "?"),
				jtext(jget(x->rec, "flow_id"), buf, sizeof(buf)),
				jstrd(x->rec, "community_id", "-"));
			if (x->flow >= 0 && h->flows[x->flow].rec) {
				json_t *fr = jget(h->flows[x->flow].rec, "flow");
				char b1[32], b2[32], b3[32], b4[32], t3[40], t4[40];
				fprintf(f, "- the whole flow: %s to %s, %s packets / %s bytes to the server, "
					   "%s / %s back, ended: %s\n",
					rtime(jstr(fr, "start"), t3), rtime(jstr(fr, "end"), t4),
					jtext(jget(fr, "pkts_toserver"), b1, sizeof(b1)),
					jtext(jget(fr, "bytes_toserver"), b2, sizeof(b2)),
					jtext(jget(fr, "pkts_toclient"), b3, sizeof(b3)),
					jtext(jget(fr, "bytes_toclient"), b4, sizeof(b4)),
					jstrd(fr, "reason", "?"));
			}
		}
		if (jstr(x->a, "conduit")) {
			fprintf(f, "- conduit: ");
			md_code(f, jstr(x->a, "conduit"));
			fprintf(f, " (see `policy-excerpt.yaml`)\n");
		}
		md_context(f, x->rec);
		json_t *ev = jget(x->a, "evidence");
		if (x->evidence >= 0) {
			const struct ho_evidence *e = &h->ev[x->evidence];
			char b1[32], b2[32];
			fprintf(f, "- evidence: `%s`, packets %s to %s (the last one raised the alert)%s\n",
				e->rel, jtext(jget(ev, "first_packet"), b1, sizeof(b1)),
				jtext(jget(ev, "last_packet"), b2, sizeof(b2)),
				e->copied ? "" : " — NOT in this bundle (see Evidence)");
		} else {
			fprintf(f, "- evidence: none recorded for this alert\n");
		}
		fprintf(f, "\n");
	}

	/* the equipment */
	fprintf(f, "## Equipment involved\n\n");
	json_t *eq = build_equipment(h);
	json_t *list = jget(eq, "equipment");
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
			const bool mb = !strcmp(jstrd(o, "protocol", ""), "modbus");
			const char *model = jstr(o, "model");
			char mbuf_[256];
			if (!model && mb) {
				snprintf(mbuf_, sizeof(mbuf_), "%s%s%s%s%s",
					 jstrd(o, "vendor", ""), jstr(o, "vendor") ? " " : "",
					 jstrd(o, "product_code", ""),
					 jstr(o, "product_name") || jstr(o, "model_name") ? " " : "",
					 jstrd(o, "model_name", jstrd(o, "product_name", "")));
				model = mbuf_[0] ? mbuf_ : NULL;
			}
			const char *rev = jstr(o, "software_revision");
			if (!rev)
				rev = jstr(o, "revision");
			fprintf(f, "| %s | ", jstrd(o, "ip", "?"));
			md_cell(f, jstrd(o, "name", "-"));
			fprintf(f, " | %s (%s) | ", jstrd(o, "kind", "?"), jstrd(o, "protocol", "?"));
			md_cell(f, model ? model : "not identified");
			fprintf(f, " | ");
			md_cell(f, rev ? rev : "-");
			char b2[1024], t1[40], t2[40];
			fprintf(f, " | %s %s | ", mb ? "unit ids" : "device ids",
				jlist(jget(o, mb ? "unit_ids" : "device_ids"), b2, sizeof(b2)));
			md_cell(f, jlist(jget(o, mb ? "ports" : "hsms_ports"), b2, sizeof(b2)));
			fprintf(f, " | ");
			md_cell(f, jlist(jget(o, mb ? "clients" : "hosts"), b2, sizeof(b2)));
			fprintf(f, " | %s | %s |\n", rtime(jstr(o, "first_seen"), t1),
				rtime(jstr(o, "last_seen"), t2));
		}
		fprintf(f, "\n");
		json_array_foreach(list, i, o) {
			json_t *bl = jget(o, "baseline");
			if (!bl)
				continue;
			fprintf(f, "- %s: the site's baseline is model ", jstrd(o, "ip", "?"));
			md_code(f, jstrd(bl, "model", ""));
			fprintf(f, ", software revision ");
			md_code(f, jstrd(bl, "softrev", ""));
			fprintf(f, " — %s\n", json_is_true(jget(bl, "matches"))
						      ? "what the equipment reported matches it"
						      : "what the equipment reported DIFFERS from it");
		}
		fprintf(f, "\n");
	}
	json_t *others = jget(eq, "endpoints_not_in_inventory");
	if (json_array_size(others)) {
		fprintf(f, "Other addresses in these alerts (not equipment fabmon identified):");
		size_t i;
		json_t *o;
		json_array_foreach(others, i, o) {
			fprintf(f, "%s %s", i ? "," : "", jstrd(o, "ip", "?"));
			if (jstr(o, "host")) {
				fprintf(f, " (");
				md_cell(f, jstr(o, "host"));
				fprintf(f, ")");
			}
			fprintf(f, " zone ");
			md_cell(f, jstrd(o, "zone", "none"));
		}
		fprintf(f, ".\n\n");
	}
	json_decref(eq);

	/* evidence */
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
				json_t *ev = jget(h->alerts[i].a, "evidence");
				char b1[32], b2[32];
				fprintf(f, "%s%s %s: %s–%s", firsta ? "" : "; ",
					jstrd(h->alerts[i].a, "id", "?"),
					jstrd(h->alerts[i].a, "rule", "?"),
					jtext(jget(ev, "first_packet"), b1, sizeof(b1)),
					jtext(jget(ev, "last_packet"), b2, sizeof(b2)));
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

	/* how to open them */
	fprintf(f, "## Opening the captures\n\n"
		   "The files are classic pcap, readable by Wireshark, tshark and tcpdump. Packet "
		   "numbers above are Wireshark's frame numbers (filter `frame.number <= N`).\n\n");
	json_t *hs = json_array(), *mb = json_array();
	for (size_t i = 0; i < h->nalerts; i++) {
		json_int_t port;
		const char *app = jstrd(h->alerts[i].rec, "app_proto", "");
		if (!jint(h->alerts[i].rec, "dest_port", &port))
			continue;
		snprintf(buf, sizeof(buf), "%lld", (long long)port);
		if (!strcasecmp(app, "hsms"))
			add_name(hs, buf);
		else if (!strcasecmp(app, "modbus") && port != 502)
			add_name(mb, buf);
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

	/* the policy */
	fprintf(f, "## The policy that was broken\n\n");
	fprintf(f, "`policy-excerpt.yaml` holds the zones of both ends, the conduits the alerts "
		   "name or that lead from the source's zone to the target's, with what they allow, "
		   "the hosts at both ends and the rules, taken from the site policy");
	if (h->polobj) {
		fprintf(f, " ");
		md_code(f, jstrd(h->polobj, "name", "?"));
		fprintf(f, " (source ");
		md_code(f, jstrd(h->polobj, "source", "?"));
		fprintf(f, ", SHA-256 `%s`%s)", jstrd(h->polobj, "sha256", "?"),
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

	/* the references */
	fprintf(f, "## References\n\nThe rules cite the guidelines and standards they come from:\n\n");
	for (size_t r = 0; r < nr; r++) {
		fprintf(f, "- **%s** — %s\n", rules[r]->id, rules[r]->signature);
		for (int k = 0; k < RULE_MAX_REFS && rules[r]->refs[k]; k++) {
			const struct ref_text *rt = ref_lookup(rules[r]->refs[k]);
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

	/* the files */
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

	/* provenance */
	fprintf(f, "## How this bundle was made\n\n");
	fprintf(f, "With `fabmon handoff` (fabmon %s) from the sensor's output directory:\n\n"
		   "```\nfabmon handoff ", FABMON_VERSION);
	y_comment(f, g->dir);
	for (size_t k = 0; k < g->nids; k++)
		fprintf(f, " --alert %s", g->ids[k]);
	for (size_t k = 0; k < g->nrules; k++)
		fprintf(f, " --rule %s", g->rules[k]->id);
	for (size_t k = 0; k < g->nequip; k++) {
		fprintf(f, " --equipment ");
		y_comment(f, g->equip_str[k]);
	}
	if (g->since_str) {
		fprintf(f, " --since ");
		y_comment(f, g->since_str);
	}
	if (g->until_str) {
		fprintf(f, " --until ");
		y_comment(f, g->until_str);
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
		json_t *run = jget(v, "run");
		char t1[40];
		fprintf(f, "The alerts come from a fabmon %s run (%s mode, started %s",
			jstrd(run, "fabmon_version", "?"), jstrd(run, "mode", "?"),
			rtime(jstr(run, "started"), t1));
		if (jstr(run, "interface")) {
			fprintf(f, ", interface ");
			md_code(f, jstr(run, "interface"));
		}
		if (jstr(v, "host")) {
			fprintf(f, ", sensor ");
			md_code(f, jstr(v, "host"));
		}
		fprintf(f, ")");
		json_t *inputs = jget(run, "inputs");
		if (json_array_size(inputs)) {
			fprintf(f, " reading:\n\n| capture | bytes | SHA-256 |\n|---|---|---|\n");
			size_t k;
			json_t *in;
			json_array_foreach(inputs, k, in) {
				char b1[32];
				fprintf(f, "| ");
				md_cell(f, jstrd(in, "file", "?"));
				fprintf(f, " | %s | `%s` |\n", jtext(jget(in, "bytes"), b1, sizeof(b1)),
					jstrd(in, "sha256", "not hashed"));
			}
			fprintf(f, "\n");
		} else {
			fprintf(f, ".\n\n");
		}
		json_t *po = jget(run, "policy");
		if (json_is_object(po)) {
			fprintf(f, "Policy: ");
			md_code(f, jstrd(po, "source", "?"));
			fprintf(f, ", SHA-256 `%s`.\n\n", jstrd(po, "sha256", "?"));
		}
	}
	json_decref(runs_used);
	fprintf(f, "A PSIRT with the same captures can replay them (`fabmon -r CAPTURE -o out/ -c "
		   "POLICY`) and get the same records: fabmon writes capture time, not wall-clock "
		   "time. The STIX ids are derived from the content, so the same selection gives the "
		   "same bundle.\n\n");
	fprintf(f, "---\n\n");
	readme_tlp(h, f);
}

/* ---- SHA256SUMS ---- */

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct ho_file *)a)->rel, ((const struct ho_file *)b)->rel);
}

static int write_sums(struct ho *h)
{
	qsort(h->files, h->nfiles, sizeof(*h->files), cmp_files);
	struct mbuf m;
	if (!mb_open(&m))
		return -1;
	for (size_t i = 0; i < h->nfiles; i++)
		fprintf(m.f, "%s  %s\n", h->files[i].sha, h->files[i].rel);
	int rc = mb_put(h, &m, "SHA256SUMS");
	/* the archive lists every file, SHA256SUMS too, in this order */
	qsort(h->files, h->nfiles, sizeof(*h->files), cmp_files);
	return rc;
}

/* ---- POSIX ustar ---- */

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits and a NUL */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0;) {
		field[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

static int tar_header(FILE *f, const char *name, char type, uint64_t size, unsigned mode,
		      int64_t mtime)
{
	unsigned char hd[512];
	memset(hd, 0, sizeof(hd));
	size_t len = strlen(name);
	const char *base = name;
	size_t plen = 0;
	if (len > 100) {
		/* split at a '/' into prefix (<= 155) and name (<= 100) */
		const char *cut = NULL;
		for (const char *p = name; *p; p++)
			if (*p == '/' && (size_t)(p - name) <= 155 && len - (size_t)(p - name) - 1 <= 100 &&
			    p[1])
				cut = p;
		if (!cut)
			return -1;
		plen = (size_t)(cut - name);
		base = cut + 1;
	}
	if (size >= (1ull << 33))
		return -1;
	memcpy(hd, base, strlen(base));
	octal((char *)hd + 100, 8, mode);
	octal((char *)hd + 108, 8, 0);
	octal((char *)hd + 116, 8, 0);
	octal((char *)hd + 124, 12, size);
	octal((char *)hd + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
	memset(hd + 148, ' ', 8);
	hd[156] = (unsigned char)type;
	memcpy(hd + 257, "ustar", 6);
	memcpy(hd + 263, "00", 2);
	memcpy(hd + 265, "root", 4);
	memcpy(hd + 297, "root", 4);
	octal((char *)hd + 329, 8, 0);
	octal((char *)hd + 337, 8, 0);
	if (plen)
		memcpy(hd + 345, name, plen);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(hd); i++)
		sum += hd[i];
	octal((char *)hd + 148, 7, sum);
	hd[155] = ' ';
	return fwrite(hd, 1, sizeof(hd), f) == sizeof(hd) ? 0 : -1;
}

static int tar_file(FILE *f, const char *path, const char *name, int64_t mtime)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		return -1;
	struct stat st;
	if (fstat(fileno(in), &st) != 0 || tar_header(f, name, '0', (uint64_t)st.st_size, 0644,
						      mtime) < 0) {
		fclose(in);
		return -1;
	}
	static uint8_t buf[1 << 16];
	size_t n;
	uint64_t total = 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, f) != n) {
			fclose(in);
			return -1;
		}
		total += n;
	}
	fclose(in);
	if (total != (uint64_t)st.st_size)
		return -1;
	static const uint8_t zero[512];
	size_t pad = (512 - total % 512) % 512;
	return fwrite(zero, 1, pad, f) == pad ? 0 : -1;
}

static int write_tar(struct ho *h, const char *tarpath, const char *top)
{
	FILE *f = fopen(tarpath, "wbx");
	if (!f) {
		log_error("handoff: cannot write %s: %s", tarpath, strerror(errno));
		return -1;
	}
	char name[HO_PATH], path[HO_PATH];
	int rc = 0;
	snprintf(name, sizeof(name), "%s/", top);
	rc |= tar_header(f, name, '5', 0, 0755, h->mtime);
	bool evdir = false;
	for (size_t i = 0; i < h->nfiles && !rc; i++) {
		const char *rel = h->files[i].rel;
		if (!strncmp(rel, "evidence/", 9) && !evdir) {
			snprintf(name, sizeof(name), "%s/evidence/", top);
			rc |= tar_header(f, name, '5', 0, 0755, h->mtime);
			evdir = true;
		}
		snprintf(name, sizeof(name), "%s/%s", top, rel);
		if (!pjoin(path, sizeof(path), h->tmp, rel))
			rc = -1;
		else
			rc |= tar_file(f, path, name, h->mtime);
	}
	/* end of archive: two zero blocks, then up to a whole 10240-byte record */
	static const uint8_t zero[512];
	long pos = ftell(f);
	if (!rc && pos >= 0) {
		long end = pos + 1024;
		long total = (end + 10239) / 10240 * 10240;
		for (long p = pos; p < total && !rc; p += 512)
			rc |= fwrite(zero, 1, 512, f) == 512 ? 0 : -1;
	}
	rc |= fclose(f) == 0 ? 0 : -1;
	if (rc) {
		log_error("handoff: cannot write %s: %s", tarpath,
			  errno ? strerror(errno) : "a name or file too long for ustar");
		unlink(tarpath);
		return -1;
	}
	return 0;
}

/* ---- the output directory ---- */

static void remove_tmp(struct ho *h)
{
	char path[HO_PATH];
	if (!h->tmp[0])
		return;
	const char *fixed[] = { "README.md", "SHA256SUMS", "alerts.jsonl", "equipment.json",
				"policy-excerpt.yaml", "stix-bundle.json" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", h->tmp, fixed[i]);
		unlink(path);
	}
	for (size_t i = 0; i < h->nev; i++) {
		snprintf(path, sizeof(path), "%s/%s", h->tmp, h->ev[i].rel);
		if (evidence_name_ok(h->ev[i].rel))
			unlink(path);
	}
	snprintf(path, sizeof(path), "%s/evidence", h->tmp);
	rmdir(path);
	rmdir(h->tmp);
}

/* An earlier bundle at OUT (--force): remove the files its SHA256SUMS lists. */
static int remove_old_bundle(const char *out)
{
	char path[HO_PATH];
	snprintf(path, sizeof(path), "%s/SHA256SUMS", out);
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("handoff: %s exists and is not a hand-off bundle (no SHA256SUMS): not "
			  "replaced", out);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n < 67 || line[64] != ' ' || line[65] != ' ')
			continue;
		const char *rel = line + 66;
		if (strstr(rel, "..") || rel[0] == '/')
			continue;
		snprintf(path, sizeof(path), "%s/%s", out, rel);
		unlink(path);
	}
	free(line);
	fclose(f);
	snprintf(path, sizeof(path), "%s/SHA256SUMS", out);
	unlink(path);
	snprintf(path, sizeof(path), "%s/evidence", out);
	rmdir(path);
	if (rmdir(out) != 0) {
		log_error("handoff: cannot replace %s: %s (files not from a bundle are in it?)", out,
			  strerror(errno));
		return -1;
	}
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int make_bundle(struct ho *h, const char *out)
{
	struct ho_args *g = h->args;
	char tarpath[HO_PATH], tartmp[HO_PATH];
	snprintf(tarpath, sizeof(tarpath), "%s.tar", out);
	if (!g->force && exists(out)) {
		log_error("handoff: %s already exists (--force replaces an earlier bundle, or give "
			  "another -o)", out);
		return EXIT_OUTPUT;
	}
	if (!g->force && g->tar && exists(tarpath)) {
		log_error("handoff: %s already exists (--force replaces it, or give another -o)",
			  tarpath);
		return EXIT_OUTPUT;
	}
	if ((size_t)snprintf(h->tmp, sizeof(h->tmp), "%s.tmp-XXXXXX", out) >= sizeof(h->tmp) - 300) {
		log_error("handoff: output path too long: %s", out);
		h->tmp[0] = '\0';
		return EXIT_USAGE;
	}
	if (!mkdtemp(h->tmp)) {
		log_error("handoff: cannot create the bundle directory next to %s: %s", out,
			  strerror(errno));
		h->tmp[0] = '\0';
		return EXIT_OUTPUT;
	}
	chmod(h->tmp, 0750);
	int rc = EXIT_OUTPUT;
	if (write_alerts(h) < 0 || collect_evidence(h) < 0)
		goto fail;
	load_policy(h);
	if (write_excerpt(h) < 0)
		goto fail;
	json_t *eq = build_equipment(h);
	int r = eq ? put_json(h, eq, "equipment.json") : -1;
	json_decref(eq);
	if (r < 0)
		goto fail;
	json_t *stix = build_stix(h);
	r = stix ? put_json(h, stix, "stix-bundle.json") : -1;
	json_decref(stix);
	if (r < 0)
		goto fail;
	struct mbuf m;
	if (!mb_open(&m))
		goto fail;
	readme(h, m.f);
	if (mb_put(h, &m, "README.md") < 0 || write_sums(h) < 0)
		goto fail;
	/* the archive, named after OUT's last component */
	const char *top = strrchr(out, '/');
	top = top ? top + 1 : out;
	char topname[256];
	snprintf(topname, sizeof(topname), "%s", top);
	size_t tl = strlen(topname);
	while (tl > 1 && topname[tl - 1] == '/')
		topname[--tl] = '\0';
	tartmp[0] = '\0';
	if (g->tar) {
		if (snprintf(tartmp, sizeof(tartmp), "%s.tmp", h->tmp) >= (int)sizeof(tartmp) ||
		    write_tar(h, tartmp, topname) < 0) {
			tartmp[0] = '\0';
			goto fail;
		}
	}
	if (g->force && exists(out) && remove_old_bundle(out) < 0)
		goto fail;
	if (rename(h->tmp, out) != 0) {
		log_error("handoff: cannot move the bundle to %s: %s", out, strerror(errno));
		goto fail;
	}
	h->tmp[0] = '\0';
	if (g->tar && rename(tartmp, tarpath) != 0) {
		log_error("handoff: cannot move the archive to %s: %s", tarpath, strerror(errno));
		unlink(tartmp);
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
fail:
	if (tartmp[0])
		unlink(tartmp);
	remove_tmp(h);
	h->tmp[0] = '\0';
	return rc;
}

/* ---- the command ---- */

static void usage(void)
{
	printf("Usage: fabmon handoff DIR [selection] [-o OUT] [--tlp LEVEL] [--tar] [--force]\n"
	       "Write an incident bundle for an equipment vendor's PSIRT from a fabmon output\n"
	       "directory (DIR/eve.json, the policy copy, DIR/evidence/).\n\n"
	       "Selection (at least one; different kinds combine with AND, repeats with OR):\n"
	       "  --alert ID          an alert by its alert.id (16 hex digits)\n"
	       "  --rule RULE         alerts of a rule (e.g. FAB-HSMS-002; see fabmon rules)\n"
	       "  --equipment IP      alerts whose source or destination is this address\n"
	       "  --since TIME        alerts at or after TIME (RFC 3339, 2026-03-02T08:00:00Z)\n"
	       "  --until TIME        alerts at or before TIME\n\n"
	       "  -o, --output OUT    the bundle directory (default DIR/handoff-<first alert id>\n"
	       "                      with --alert, DIR/handoff-selection otherwise)\n"
	       "  --tlp LEVEL         CLEAR (WHITE), GREEN, AMBER (default), AMBER+STRICT, RED\n"
	       "  --org NAME          the reporting team (STIX identity, README)\n"
	       "  --tar               also write OUT.tar (POSIX ustar)\n"
	       "  --force             replace an earlier bundle at OUT\n"
	       "  -q, --quiet         no summary line\n\n"
	       "The bundle: README.md, alerts.jsonl, evidence/, equipment.json,\n"
	       "policy-excerpt.yaml, stix-bundle.json (STIX 2.1), SHA256SUMS.\n"
	       "Exit 0 written, 2 bad command line, 3 DIR unreadable or no alert selected,\n"
	       "5 the bundle could not be written.\n");
}

enum {
	OPT_ALERT = 256,
	OPT_RULE,
	OPT_EQUIPMENT,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_TLP,
	OPT_TAR,
	OPT_FORCE,
	OPT_ORG,
};

static bool grow(void **p, size_t n, size_t size)
{
	void *np = realloc(*p, (n + 1) * size);
	if (!np)
		return false;
	*p = np;
	return true;
}

static int parse_args(struct ho_args *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "alert", required_argument, NULL, OPT_ALERT },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "equipment", required_argument, NULL, OPT_EQUIPMENT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "output", required_argument, NULL, 'o' },
		{ "tlp", required_argument, NULL, OPT_TLP },
		{ "tar", no_argument, NULL, OPT_TAR },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "org", required_argument, NULL, OPT_ORG },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ALERT: {
			size_t n = strlen(optarg);
			bool hex = n == 16;
			for (size_t i = 0; hex && i < n; i++)
				hex = strchr("0123456789abcdefABCDEF", optarg[i]) != NULL;
			if (!hex) {
				log_error("handoff: --alert takes an alert.id of 16 hex digits, not '%s'",
					  optarg);
				return EXIT_USAGE;
			}
			if (!grow((void **)&g->ids, g->nids, sizeof(*g->ids)) ||
			    !grow((void **)&g->id_seen, g->nids, sizeof(*g->id_seen)))
				return EXIT_RUNTIME;
			snprintf(g->ids[g->nids], sizeof(g->ids[0]), "%s", optarg);
			lower(g->ids[g->nids]);
			g->id_seen[g->nids++] = false;
			break;
		}
		case OPT_RULE: {
			const struct rule_def *d = rule_def_by_id(optarg);
			if (!d) {
				log_error("handoff: unknown rule '%s' (see fabmon rules)", optarg);
				return EXIT_USAGE;
			}
			if (!grow((void **)&g->rules, g->nrules, sizeof(*g->rules)))
				return EXIT_RUNTIME;
			g->rules[g->nrules++] = d;
			break;
		}
		case OPT_EQUIPMENT: {
			struct ip_addr a;
			if (!ip_addr_parse(optarg, &a)) {
				log_error("handoff: --equipment takes an IPv4 or IPv6 address, not '%s'",
					  optarg);
				return EXIT_USAGE;
			}
			if (!grow((void **)&g->equip, g->nequip, sizeof(*g->equip)) ||
			    !grow((void **)&g->equip_str, g->nequip, sizeof(*g->equip_str)))
				return EXIT_RUNTIME;
			g->equip_str[g->nequip] = optarg;
			g->equip[g->nequip++] = a;
			break;
		}
		case OPT_SINCE:
		case OPT_UNTIL: {
			int64_t us;
			if (!parse_time(optarg, &us)) {
				log_error("handoff: --%s takes an RFC 3339 time like "
					  "2026-03-02T08:00:00Z or 2026-03-02T17:00:00+09:00, not '%s'",
					  c == OPT_SINCE ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			if (c == OPT_SINCE) {
				g->has_since = true;
				g->since = us;
				g->since_str = optarg;
			} else {
				g->has_until = true;
				g->until = us;
				g->until_str = optarg;
			}
			break;
		}
		case 'o': g->out = optarg; break;
		case OPT_TLP:
			g->tlp = tlp_parse(optarg);
			if (!g->tlp) {
				log_error("handoff: unknown TLP level '%s' (CLEAR, WHITE, GREEN, AMBER, "
					  "AMBER+STRICT, RED)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TAR: g->tar = true; break;
		case OPT_FORCE: g->force = true; break;
		case OPT_ORG:
			if (!*optarg || strlen(optarg) > 200) {
				log_error("handoff: --org takes a name of 1 to 200 characters");
				return EXIT_USAGE;
			}
			g->org = optarg;
			break;
		case 'q': g->quiet = true; break;
		case 'h': usage(); return -1;
		default: return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		log_error("handoff: %s (see fabmon handoff --help)",
			  optind == argc ? "give the fabmon output directory" : "one directory only");
		return EXIT_USAGE;
	}
	g->dir = argv[optind];
	if (!g->nids && !g->nrules && !g->nequip && !g->has_since && !g->has_until) {
		log_error("handoff: select alerts with --alert, --rule, --equipment, --since or "
			  "--until (see fabmon handoff --help)");
		return EXIT_USAGE;
	}
	if (g->has_since && g->has_until && g->since > g->until) {
		log_error("handoff: --since is after --until");
		return EXIT_USAGE;
	}
	if (g->out && !*g->out) {
		log_error("handoff: -o takes a directory name");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static void ho_free(struct ho *h)
{
	for (size_t i = 0; i < h->nalerts; i++) {
		free(h->alerts[i].line);
		json_decref(h->alerts[i].rec);
	}
	free(h->alerts);
	for (size_t i = 0; i < h->nflows; i++)
		json_decref(h->flows[i].rec);
	free(h->flows);
	free(h->ev);
	free(h->files);
	json_decref(h->runs);
	json_decref(h->policies);
	json_decref(h->assets);
	json_decref(h->alert_ids);
	policy_free(h->pol);
}

int cmd_handoff(int argc, char **argv)
{
	struct ho_args g;
	memset(&g, 0, sizeof(g));
	g.tlp = tlp_parse("AMBER");
	g.org = "Fab security incident response team (FSIRT)";
	int rc = parse_args(&g, argc, argv);
	struct ho h;
	memset(&h, 0, sizeof(h));
	h.args = &g;
	char out[HO_PATH];
	if (rc != EXIT_OK) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto done;
	}
	h.runs = json_array();
	h.policies = json_array();
	h.assets = json_object();
	h.alert_ids = json_object();
	if (!h.runs || !h.policies || !h.assets || !h.alert_ids) {
		rc = EXIT_RUNTIME;
		goto done;
	}
	rc = read_eve(&h);
	if (rc != EXIT_OK)
		goto done;
	for (size_t i = 0; i < g.nids; i++)
		if (!g.id_seen[i]) {
			log_error("handoff: no alert %s in %s/eve.json", g.ids[i], g.dir);
			rc = EXIT_INPUT;
		}
	if (rc != EXIT_OK)
		goto done;
	if (!h.nalerts) {
		log_error("handoff: no alert in %s/eve.json matches the selection", g.dir);
		rc = EXIT_INPUT;
		goto done;
	}
	h.mtime = h.alerts[0].ts;
	for (size_t i = 0; i < h.nalerts; i++)
		if (h.alerts[i].ts > h.mtime)
			h.mtime = h.alerts[i].ts;
	h.mtime /= 1000000;
	if (g.out) {
		snprintf(out, sizeof(out), "%s", g.out);
	} else {
		const char *id = g.nids ? jstrd(h.alerts[0].a, "id", "selection") : "selection";
		snprintf(out, sizeof(out), "%s/handoff-%s", g.dir, id);
	}
	size_t ol = strlen(out);
	while (ol > 1 && out[ol - 1] == '/')
		out[--ol] = '\0';
	if (ol + 300 >= sizeof(out)) {
		log_error("handoff: output path too long");
		rc = EXIT_USAGE;
		goto done;
	}
	rc = make_bundle(&h, out);
	if (rc == EXIT_OK && !g.quiet) {
		size_t copied = 0;
		for (size_t i = 0; i < h.nev; i++)
			copied += h.ev[i].copied;
		fprintf(stderr, "fabmon: hand-off bundle %s%s: %zu alert%s, %zu evidence file%s%s, %s\n",
			out, g.tar ? " (and .tar)" : "", h.nalerts, h.nalerts == 1 ? "" : "s", copied,
			copied == 1 ? "" : "s", copied < h.nev ? " (some missing: see README.md)" : "",
			g.tlp->label);
	}
done:
	ho_free(&h);
	free(g.ids);
	free(g.id_seen);
	free(g.rules);
	free(g.equip);
	free(g.equip_str);
	return rc;
}
