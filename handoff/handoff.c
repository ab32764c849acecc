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
 *
 * This file: the command line. The alerts are selected in handoff_select.c;
 * the bundle directory is made in handoff_bundle.c, its files written by
 * handoff_files.c (alerts.jsonl, SHA256SUMS), handoff_evidence.c,
 * handoff_excerpt.c (the policy), handoff_equipment.c, handoff_stix.c,
 * handoff_summary.c (README.md) and handoff_tar.c.
 */
#include "handoff/handoff.h"

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/catalog.h"
#include "handoff/handoff_bundle.h"
#include "util/json_value.h"
#include "util/log.h"
#include "util/exit_codes.h"
#include "util/rfc3339.h"

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
	       "  --since TIME        alerts at or after TIME (RFC 3339, 2026-03-02T08:00:00Z,\n"
	       "                      or as eve.json writes it, 2026-03-02T08:00:00.000000+0000)\n"
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

/* The selection options: each adds to g, or says why not and returns an
 * enum exit_code (EXIT_USAGE, or EXIT_RUNTIME when out of memory). */

static int add_alert_id(struct ho_args *g, const char *arg)
{
	size_t n = strlen(arg);
	bool hex = n == 16;
	for (size_t i = 0; hex && i < n; i++)
		hex = strchr("0123456789abcdefABCDEF", arg[i]) != NULL;
	if (!hex) {
		log_error("handoff: --alert takes an alert.id of 16 hex digits, not '%s'", arg);
		return EXIT_USAGE;
	}
	if (!grow((void **)&g->ids, g->nids, sizeof(*g->ids)) ||
	    !grow((void **)&g->id_seen, g->nids, sizeof(*g->id_seen)))
		return EXIT_RUNTIME;
	snprintf(g->ids[g->nids], sizeof(g->ids[0]), "%s", arg);
	ho_lower(g->ids[g->nids]);
	g->id_seen[g->nids++] = false;
	return EXIT_OK;
}

static int add_rule(struct ho_args *g, const char *arg)
{
	const struct rule_def *d = rule_def_by_id(arg);
	if (!d) {
		log_error("handoff: unknown rule '%s' (see fabmon rules)", arg);
		return EXIT_USAGE;
	}
	if (!grow((void **)&g->rules, g->nrules, sizeof(*g->rules)))
		return EXIT_RUNTIME;
	g->rules[g->nrules++] = d;
	return EXIT_OK;
}

static int add_equipment(struct ho_args *g, const char *arg)
{
	struct ip_addr a;
	if (!ip_addr_parse(arg, &a)) {
		log_error("handoff: --equipment takes an IPv4 or IPv6 address, not '%s'", arg);
		return EXIT_USAGE;
	}
	if (!grow((void **)&g->equip, g->nequip, sizeof(*g->equip)) ||
	    !grow((void **)&g->equip_str, g->nequip, sizeof(*g->equip_str)))
		return EXIT_RUNTIME;
	g->equip_str[g->nequip] = arg;
	g->equip[g->nequip++] = a;
	return EXIT_OK;
}

/* --since (since true) or --until */
static int set_time_bound(struct ho_args *g, bool since, const char *arg)
{
	int64_t us;
	if (!rfc3339_parse(arg, &us)) {
		log_error("handoff: --%s takes an RFC 3339 time like "
			  "2026-03-02T08:00:00Z or 2026-03-02T17:00:00+09:00 (or as "
			  "eve.json writes it, 2026-03-02T08:00:00.000000+0000), not '%s'",
			  since ? "since" : "until", arg);
		return EXIT_USAGE;
	}
	if (since) {
		g->has_since = true;
		g->since = us;
		g->since_str = arg;
	} else {
		g->has_until = true;
		g->until = us;
		g->until_str = arg;
	}
	return EXIT_OK;
}

/* After the options: DIR, and a selection that can select something. */
static int check_args(struct ho_args *g, int argc, char **argv)
{
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

/* An enum exit_code; -1 when --help was given (usage written). */
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
		int rc = EXIT_OK;
		switch (c) {
		case OPT_ALERT: rc = add_alert_id(g, optarg); break;
		case OPT_RULE: rc = add_rule(g, optarg); break;
		case OPT_EQUIPMENT: rc = add_equipment(g, optarg); break;
		case OPT_SINCE:
		case OPT_UNTIL: rc = set_time_bound(g, c == OPT_SINCE, optarg); break;
		case 'o': g->out = optarg; break;
		case OPT_TLP:
			g->tlp = ho_tlp_parse(optarg);
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
		if (rc != EXIT_OK)
			return rc;
	}
	return check_args(g, argc, argv);
}

int cmd_handoff(int argc, char **argv)
{
	struct ho_args g;
	memset(&g, 0, sizeof(g));
	g.tlp = ho_tlp_parse("AMBER");
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
	rc = ho_read_eve(&h);
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
		const char *id = g.nids ? json_member_str_or(h.alerts[0].a, "id", "selection") : "selection";
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
	rc = ho_make_bundle(&h, out);
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
