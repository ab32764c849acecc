/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon check-policy`: validate a policy and print the effective zone,
 * host, conduit and rule tables (what an auditor compares with the fab's
 * zone/conduit register), with warnings about choices the guideline
 * advises against. `fabmon rules`: the built-in rules. `fabmon learn`: a
 * draft policy from captures.
 */
#include "sensor/policy_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "rules/catalog.h"
#include "rules/learn.h"
#include "util/log.h"
#include "sensor/options.h"
#include "zones/policy_file.h"
#include "sensor/run.h"

static void print_error(const struct policy_error *e)
{
	char msg[1024];
	policy_error_format(e, msg, sizeof(msg));
	fprintf(stderr, "fabmon: error: %s\n", msg);
}

static void print_allow(const struct policy *p, const struct policy_allow *a)
{
	(void)p;
	char buf[256];
	printf("      allow %-10s", a->app);
	if (a->nports) {
		printf(" ports ");
		for (unsigned i = 0; i < a->nports; i++) {
			if (a->ports[i].lo == a->ports[i].hi)
				printf("%s%u", i ? "," : "", a->ports[i].lo);
			else
				printf("%s%u-%u", i ? "," : "", a->ports[i].lo, a->ports[i].hi);
		}
	} else {
		printf(" ports any");
	}
	printf("  initiators %s", a->initiators ? policy_roles_str(a->initiators, buf, sizeof(buf))
						: "any");
	if (a->has_hsms_filter) {
		printf("  messages ");
		bool first = true;
		for (int s = 0; s < 256; s++)
			if (a->streams[s / 8] & (1u << (s % 8))) {
				printf("%sS%d", first ? "" : ",", s);
				first = false;
			}
		for (unsigned i = 0; i < a->nsf; i++) {
			printf("%sS%uF%u", first ? "" : ",", a->sf[i] >> 8, a->sf[i] & 0xff);
			first = false;
		}
		for (int c = 0; c < GEM_CAT_COUNT; c++)
			if (a->categories & (1u << c)) {
				printf("%s%s", first ? "" : ",", gem_category_name((enum gem_category)c));
				first = false;
			}
	}
	if (a->has_modbus_filter) {
		printf("  access ");
		if (!a->access)
			printf("any");
		bool first = true;
		for (int c = 0; c < MODBUS_ACCESS_COUNT; c++)
			if (a->access & (1u << c)) {
				printf("%s%s", first ? "" : ",", modbus_access_name((enum modbus_access)c));
				first = false;
			}
		if (a->has_function_codes) {
			printf("  fc ");
			first = true;
			for (int f = 1; f < 128; f++)
				if (a->function_codes[f / 8] & (1u << (f % 8))) {
					printf("%s%d", first ? "" : ",", f);
					first = false;
				}
		}
		if (a->has_unit_ids) {
			printf("  units ");
			first = true;
			for (int u = 0; u < 256; u++)
				if (a->unit_ids[u / 8] & (1u << (u % 8))) {
					printf("%s%d", first ? "" : ",", u);
					first = false;
				}
		}
		if (a->naddresses) {
			printf("  write-addresses ");
			for (unsigned i = 0; i < a->naddresses; i++)
				printf("%s%u-%u", i ? "," : "", a->addresses[i].lo, a->addresses[i].hi);
		}
	}
	printf("\n");
}

/* Guideline checks of the policy itself, for auditors. */
static int warnings(const struct policy *p)
{
	int n = 0;
	for (size_t i = 0; i < p->nconduits; i++) {
		const struct policy_conduit *c = &p->conduits[i];
		const struct policy_zone *f = &p->zones[c->from], *t = &p->zones[c->to];
		bool fab_t = t->area == AREA_FAB || t->area == AREA_FAB_SYSTEM;
		bool fab_f = f->area == AREA_FAB || f->area == AREA_FAB_SYSTEM;
		if ((f->area == AREA_ENTERPRISE || f->area == AREA_EXTERNAL) && fab_t) {
			printf("warning: line %d: conduit '%s' lets %s zone '%s' reach %s zone '%s' "
			       "directly, bypassing the IT/OT DMZ (METI IT/OT DMZ; 62443-3-3 SR 5.1)\n",
			       c->line, c->name, policy_area_name(f->area), f->name,
			       policy_area_name(t->area), t->name);
			n++;
		}
		if (t->area == AREA_EXTERNAL && fab_f) {
			printf("warning: line %d: conduit '%s' lets zone '%s' reach the internet "
			       "(METI fab area; CSF PR.IR-01)\n", c->line, c->name, f->name);
			n++;
		}
		for (size_t k = 0; k < c->nallow; k++)
			if (c->allow[k].app_any && !c->allow[k].nports) {
				printf("warning: line %d: conduit '%s' allows any application on any "
				       "port (62443-3-3 SR 5.2: permit by exception)\n",
				       c->allow[k].line, c->name);
				n++;
			}
	}
	for (size_t i = 0; i < p->nzones; i++) {
		const struct policy_zone *z = &p->zones[i];
		if ((z->area == AREA_FAB || z->area == AREA_FAB_SYSTEM) && !z->sl_t) {
			printf("warning: line %d: zone '%s' has no security level target (sl_t; "
			       "62443-3-2 ZCR 5)\n", z->line, z->name);
			n++;
		}
	}
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct policy_host *h = &p->hosts[i];
		for (unsigned k = 0; k < h->naddrs; k++) {
			int z = policy_zone_of(p, &h->addrs[k], 0);
			if (h->zone < 0 && z < 0) {
				char ip[IP_ADDR_STRLEN];
				printf("warning: line %d: host '%s' address %s is in no zone "
				       "(62443-3-2 ZCR 6.3: every asset in a zone)\n", h->line, h->name,
				       ip_addr_str(&h->addrs[k], ip, sizeof(ip)));
				n++;
			}
		}
	}
	return n;
}

static void print_policy(const struct policy *p, const struct rule_setting *set)
{
	char buf[512], pd[24], ip[IP_ADDR_STRLEN];
	printf("policy: %s%s%s\n", p->source, p->name[0] ? " - " : "", p->name);
	printf("default action: %s; roles %s; %zu zones, %zu hosts, %zu conduits\n",
	       p->default_action == POLICY_DENY ? "deny" : "allow",
	       p->infer_roles ? "inferred from behaviour for unlisted hosts" : "only from the policy",
	       p->nzones, p->nhosts, p->nconduits);
	printf("alerting: window %u s, at most %u new records per rule and minute\n",
	       p->alert_window, p->alert_rate);
	/* the scan and flood thresholds (0: the rule is off), and what they watch */
	printf("scan: per %u s, syn_flood %u half-open flows to a host, port_scan %u ports, "
	       "host_sweep %u hosts; into", p->scan.interval, p->scan.syn_flood, p->scan.port_scan,
	       p->scan.host_sweep);
	int watched = 0;
	for (int a = 0; a < AREA_COUNT; a++)
		if (p->scan.areas & (1u << a))
			printf("%s %s", watched++ ? "," : "", policy_area_name((enum zone_area)a));
	for (unsigned i = 0; i < p->scan.nzones; i++)
		printf("%s zone %s", watched++ ? "," : "", p->zones[p->scan.zones[i]].name);
	printf("%s\n\n", watched ? "" : " nothing");

	printf("ZONES\n  %-22s %-6s %-16s %-4s %-9s %s\n", "name", "purdue", "area", "sl-t",
	       "inventory", "members");
	for (size_t i = 0; i < p->nzones; i++) {
		const struct policy_zone *z = &p->zones[i];
		char sl[8];
		snprintf(sl, sizeof(sl), "%d", z->sl_t);
		printf("  %-22s %-6s %-16s %-4s %-9s", z->name, policy_purdue_str(z->purdue_x10, pd),
		       policy_area_name(z->area), z->sl_t ? sl : "-",
		       z->inventory_closed ? "closed" : "open");
		bool any = false;
		for (size_t k = 0; k < p->nnets; k++)
			if (p->nets[k].zone == (int)i) {
				printf("%s%s/%u", any ? ", " : " ", ip_addr_str(&p->nets[k].prefix, ip,
										  sizeof(ip)),
				       p->nets[k].len);
				any = true;
			}
		for (size_t k = 0; k < z->nvlans; k++) {
			printf("%svlan %u", any ? ", " : " ", z->vlans[k]);
			any = true;
		}
		if (z->public_addresses) {
			printf("%spublic addresses", any ? ", " : " ");
			any = true;
		}
		if (z->member_roles) {
			printf("%shosts with roles %s", any ? ", " : " ",
			       policy_roles_str(z->member_roles, buf, sizeof(buf)));
			any = true;
		}
		printf("%s\n", any ? "" : " (none)");
	}

	printf("\nHOSTS\n");
	if (!p->nhosts)
		printf("  (none)\n");
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct policy_host *h = &p->hosts[i];
		int z = h->zone >= 0 ? h->zone : policy_zone_of(p, &h->addrs[0], 0);
		printf("  %-24s zone %-18s roles %-28s", h->name, z >= 0 ? p->zones[z].name : "NONE",
		       h->roles ? policy_roles_str(h->roles, buf, sizeof(buf)) : "-");
		for (unsigned k = 0; k < h->naddrs; k++)
			printf("%s%s", k ? "," : " ", ip_addr_str(&h->addrs[k], ip, sizeof(ip)));
		if (h->model[0] || h->softrev[0])
			printf("  baseline %s %s", h->model, h->softrev);
		printf("\n");
	}

	printf("\nCONDUITS\n");
	if (!p->nconduits)
		printf("  (none)\n");
	for (size_t i = 0; i < p->nconduits; i++) {
		const struct policy_conduit *c = &p->conduits[i];
		printf("  %s: %s %s %s\n", c->name, p->zones[c->from].name, c->both_ways ? "<->" : "->",
		       p->zones[c->to].name);
		for (size_t k = 0; k < c->nallow; k++)
			print_allow(p, &c->allow[k]);
	}
	printf("  everything else between zones: %s\n",
	       p->default_action == POLICY_DENY ? "denied (FAB-ZC-001)" : "allowed");

	/* what hosts and equipment models may offer (issue 19 item 1; only
	 * when declared, so that policies without it print as before) */
	if (p->nservices)
		printf("\nSERVICES (anything else offered: FAB-EXP-001)\n");
	for (size_t i = 0; i < p->nservices; i++) {
		const struct policy_services *e = &p->services[i];
		if (e->model[0])
			printf("  model %s:", e->model);
		else
			printf("  host %s/%u:", ip_addr_str(&e->prefix, ip, sizeof(ip)), e->len);
		if (!e->nallow)
			printf(" (nothing)");
		for (unsigned k = 0; k < e->nallow; k++) {
			const struct policy_service_allow *w = &e->allow[k];
			printf("%s %s/%u", k ? "," : "", w->proto == 6 ? "tcp" : "udp", w->ports.lo);
			if (w->ports.hi != w->ports.lo)
				printf("-%u", w->ports.hi);
			if (w->app[0])
				printf(" %s", w->app);
		}
		printf("\n");
	}

	printf("\nRULES\n  %-14s %-3s %-8s %-9s %s\n", "id", "on", "severity", "sid", "trusts roles");
	for (int r = 0; r < R_COUNT; r++) {
		const struct rule_def *d = rule_def((enum rule_id)r);
		printf("  %-14s %-3s %-8s %-9u %s\n", d->id, set[r].enabled ? "yes" : "no",
		       rule_severity_name(set[r].severity), d->sid,
		       set[r].roles ? policy_roles_str(set[r].roles, buf, sizeof(buf)) : "-");
	}
}

int cmd_check_policy(int argc, char **argv)
{
	bool quiet = false;
	const char *file = NULL;
	bool builtin = false;
	bool fail_on_warning = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--builtin"))
			builtin = true;
		else if (!strcmp(argv[i], "--fail-on")) {
			const char *what = i + 1 < argc ? argv[++i] : "";
			if (!strcmp(what, "warning"))
				fail_on_warning = true;
			else if (strcmp(what, "error") != 0) {
				log_error("check-policy: --fail-on takes error (the default) or warning");
				return EXIT_USAGE;
			}
		}
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: fabmon check-policy [-q] [--fail-on error|warning] FILE|--builtin\n"
			       "Validate a zone/conduit policy and print its effective tables.\n"
			       "Exit 0 valid, 2 bad command line, 6 invalid (the error names\n"
			       "file:line:column), 7 valid but with warnings and --fail-on warning.\n");
			return EXIT_OK;
		} else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			log_error("check-policy: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!file == !builtin) {
		log_error("check-policy takes one policy file, or --builtin");
		return EXIT_USAGE;
	}
	struct policy_error err;
	struct policy *p = builtin ? policy_builtin(&err) : policy_load_file(file, &err);
	struct rule_setting set[R_COUNT];
	if (!p || rule_settings_from_policy(p, set, &err) < 0) {
		print_error(&err);
		policy_free(p);
		return EXIT_POLICY;
	}
	if (!quiet)
		print_policy(p, set);
	printf("%s", quiet ? "" : "\n");
	int w = warnings(p);
	printf("%s: valid (%zu zones, %zu hosts, %zu conduits, %d warning%s)\n", p->source,
	       p->nzones, p->nhosts, p->nconduits, w, w == 1 ? "" : "s");
	policy_free(p);
	if (fail_on_warning && w > 0) {
		log_warn("check-policy --fail-on warning: %d warning%s: exit %d", w, w == 1 ? "" : "s",
			 EXIT_FAIL_ON);
		return EXIT_FAIL_ON;
	}
	return EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char buf[256];
	for (int r = 0; r < R_COUNT; r++) {
		const struct rule_def *d = rule_def((enum rule_id)r);
		printf("%-14s sid %u  %-8s %-18s %s\n", d->id, d->sid, rule_severity_name(d->severity),
		       d->category, d->signature);
		if (d->roles)
			printf("%-14s trusts roles: %s\n", "", policy_roles_str(d->roles, buf, sizeof(buf)));
		printf("%-14s references:", "");
		for (int i = 0; i < RULE_MAX_REFS && d->refs[i]; i++)
			printf(" %s", d->refs[i]);
		printf("\n");
	}
	return EXIT_OK;
}

/* `fabmon learn`'s command line into O (a run with the rules off), OUT and
 * LC. False when the command ends here, with *code. */
static bool parse_learn_args(int argc, char **argv, struct options *o, const char **out,
			     struct learn_config *lc, int *code)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "zone-prefix", required_argument, NULL, 'z' },
		{ "policy", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	options_defaults(o);
	o->rules_enabled = false;
	*code = EXIT_USAGE;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:o:z:c:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (o->n_inputs >= OPT_MAX_INPUTS) {
				log_error("too many -r arguments");
				return false;
			}
			o->inputs[o->n_inputs++] = optarg;
			break;
		case 'o': *out = optarg; break;
		case 'c':
			/* the site policy: its rules run, and its text gets the baseline */
			o->policy = optarg;
			o->rules_enabled = true;
			break;
		case 'z': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 8 || v > 32) {
				log_error("--zone-prefix takes an IPv4 prefix length 8..32");
				return false;
			}
			lc->v4_prefix = (uint8_t)v;
			break;
		}
		case 'q': o->verbosity = -1; break;
		case 'h':
			printf("Usage: fabmon learn -r CAPTURE|DIR [-r ...] [-o POLICY.yaml] [--zone-prefix N]\n"
			       "       fabmon learn -c SITE.yaml -r CAPTURE|DIR [-r ...] [-o POLICY.yaml]\n"
			       "Write a draft zone/conduit policy from the traffic of the captures\n"
			       "(stdout without -o). Zones are the observed private /N subnets (default\n"
			       "16); review the draft, then enforce it with `fabmon -c POLICY.yaml`.\n"
			       "Either way the policy gets a behaviour baseline (baseline:): per host\n"
			       "pair the SECS/GEM messages, RCMDs, PPIDs and ECIDs, per Modbus client\n"
			       "and server the functions and register ranges read and written.\n"
			       "  -c, --policy SITE.yaml  keep this policy and add the baseline to it,\n"
			       "                          learned only from flows it allows\n");
			*code = EXIT_OK;
			return false;
		default:
			return false;
		}
	}
	if (optind < argc || !o->n_inputs) {
		log_error("learn: give the captures with -r (see fabmon learn --help)");
		return false;
	}
	return true;
}

/* The draft must be a policy fabmon accepts; then it goes to OUT, or to
 * stdout without -o. */
static int write_draft(const char *yaml, const char *out)
{
	struct policy_error err;
	struct policy *p = policy_parse(yaml, strlen(yaml), out ? out : "<learned>", &err);
	if (!p) {
		print_error(&err);
		return EXIT_RUNTIME;
	}
	policy_free(p);
	FILE *fp = out ? fopen(out, "w") : stdout;
	if (!fp) {
		log_error("cannot write '%s': %s", out, strerror(errno));
		return EXIT_OUTPUT;
	}
	size_t n = strlen(yaml);
	bool ok = fwrite(yaml, 1, n, fp) == n;
	ok = (out ? fclose(fp) : fflush(fp)) == 0 && ok;
	if (!ok) {
		log_error("cannot write '%s': %s", out ? out : "stdout", strerror(errno));
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
}

int cmd_learn(int argc, char **argv)
{
	struct options o;
	const char *out = NULL;
	struct learn_config lc = { 0 };
	int code;
	if (!parse_learn_args(argc, argv, &o, &out, &lc, &code))
		return code;
	/* -c: the site policy, which gets the baseline (and must not have one:
	 * its baseline rules would run while learning) */
	struct policy *sp = NULL;
	if (o.policy) {
		struct policy_error perr;
		if (!(sp = policy_load_file(o.policy, &perr))) {
			print_error(&perr);
			return EXIT_POLICY;
		}
		if (sp->baseline.line) {
			log_error("%s:%d: the policy has a baseline already: remove the section to learn "
				  "a new one", o.policy, sp->baseline.line);
			policy_free(sp);
			return EXIT_POLICY;
		}
	}
	struct learner *l = learner_create(&lc);
	if (!l) {
		log_error("out of memory");
		policy_free(sp);
		return EXIT_RUNTIME;
	}
	int verbosity = o.verbosity;
	o.verbosity = -1; /* no "flows, records" line: this run writes no records */
	int rc = sensor_run(&o, l);
	if (rc != EXIT_OK && rc != EXIT_INPUT_DAMAGED) {
		learner_destroy(l);
		policy_free(sp);
		return rc;
	}
	char origin[512];
	if (o.n_inputs == 1)
		snprintf(origin, sizeof(origin), "%s", o.inputs[0]);
	else
		snprintf(origin, sizeof(origin), "%d captures (first: %s)", o.n_inputs, o.inputs[0]);
	char *yaml = NULL;
	if (sp) {
		yaml = learner_baseline_for(l, sp->text, origin);
		policy_free(sp);
	} else {
		yaml = learner_policy_yaml(l, origin);
	}
	uint64_t hosts, edges, dropped, not_learned;
	learner_counts(l, &hosts, &edges, &dropped, &not_learned);
	learner_destroy(l);
	if (!yaml) {
		log_error("out of memory");
		return EXIT_RUNTIME;
	}
	code = write_draft(yaml, out);
	free(yaml);
	if (code != EXIT_OK)
		return code;
	if (out && verbosity >= 0 && o.policy)
		fprintf(stderr, "fabmon: baseline learned from %" PRIu64 " host pairs the policy "
			"allows; %s with the baseline written to %s\n", edges, o.policy, out);
	else if (out && verbosity >= 0)
		fprintf(stderr, "fabmon: learned %" PRIu64 " hosts and %" PRIu64
			" host pairs; draft policy written to %s%s\n", hosts, edges, out,
			dropped ? " (some hosts did not fit: raise the limits)" : "");
	if (out && verbosity >= 0 && not_learned)
		fprintf(stderr, "fabmon: %" PRIu64 " half-open connection attempts or flows to port 0 "
			"not learned (the draft alerts on them)\n", not_learned);
	return rc;
}
