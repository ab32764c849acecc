/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: the policy in force for the alerts, and
 * policy-excerpt.yaml, the part of it they broke (itself a valid policy;
 * from the alert records when the policy file is not available). */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "rules/catalog.h"
#include "util/json_value.h"
#include "util/log.h"
#include "util/sha256.h"
#include "zones/policy.h"

void ho_load_policy(struct ho *h)
{
	const struct ho_alert *x0 = &h->alerts[0];
	/* how many distinct policies the selected alerts were raised under */
	const char *shas[64];
	size_t nsha = 0;
	for (size_t i = 0; i < h->nalerts; i++) {
		json_t *po = json_member(json_array_get(h->policies, (size_t)h->alerts[i].policy), "policy");
		const char *s = json_member_str(po, "sha256");
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
	h->polobj = json_member(json_array_get(h->policies, (size_t)x0->policy), "policy");
	const char *copy = json_member_str(h->polobj, "copy");
	const char *want = json_member_str_or(h->polobj, "sha256", "");
	char *text = NULL;
	size_t len = 0;
	char src[HO_PATH];
	/* the copy is a plain file name in the run's directory (eve_run.c);
	 * anything else in a record is not followed */
	bool plain = copy && copy[0] && copy[0] != '.' && !strchr(copy, '/');
	if (plain) {
		snprintf(src, sizeof(src), "%s/%s", h->args->dir, copy);
		FILE *f = fopen(src, "rb");
		if (f) {
			struct mbuf m;
			if (mbuf_open(&m)) {
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
	} else if (copy && copy[0]) {
		snprintf(h->pol_note, sizeof(h->pol_note),
			 "the run record's policy copy '%.200s' is not a file name in the output directory; "
			 "not followed", copy);
	} else if (!json_is_true(json_member(h->polobj, "builtin"))) {
		snprintf(h->pol_note, sizeof(h->pol_note), "the run record names no policy copy");
	}
	if (!text && json_is_true(json_member(h->polobj, "builtin"))) {
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
	h->pol = policy_parse(text, len, json_member_str_or(h->polobj, "source", copy ? copy : "policy"), &err);
	if (!h->pol) {
		char msg[1024];
		policy_error_format(&err, msg, sizeof(msg));
		snprintf(h->pol_note, sizeof(h->pol_note), "the policy does not parse: %s", msg);
	} else if (json_is_true(json_member(h->polobj, "builtin"))) {
		h->pol->builtin = true;
	}
	free(text);
}

/* One UTF-8 character at p: its length, and its code point in *cp (a byte
 * that starts no valid sequence is taken alone, as itself). */
static size_t utf8_char(const unsigned char *p, uint32_t *cp)
{
	size_t n = p[0] >= 0xf0 && p[0] < 0xf5 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 1;
	if (p[0] >= 0xf5)
		n = 1;
	uint32_t c = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = p[0];
			return 1;
		}
		c = c << 6 | (p[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* What YAML 1.1 lets a stream hold (libyaml refuses the rest, even in a
 * comment): tab, newline, printable ASCII, NEL, and Unicode above 0xa0
 * but the surrogates, the BOM and the two non-characters U+FFFE/FFFF. */
static bool yaml_printable(uint32_t c)
{
	return c == 0x09 || (c >= 0x20 && c <= 0x7e) || c == 0x85 ||
	       (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) ||
	       (c >= 0x10000 && c <= 0x10ffff);
}

static void y_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t c;
		size_t n = utf8_char(p, &c);
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (n == 1 && *p >= 0x80)
			fprintf(f, "\\x%02x", *p);   /* not UTF-8: the byte, escaped */
		else if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			fputc('?', f);                /* no escape YAML takes */
		else if (!yaml_printable(c) || c == 0x85)
			fprintf(f, c > 0xffff ? "\\U%08x" : c > 0xff ? "\\u%04x" : "\\x%02x", (unsigned)c);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

void ho_y_comment(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		uint32_t c;
		size_t n = utf8_char(p, &c);
		/* one line: no newline, NEL, or line/paragraph separator either */
		if (!yaml_printable(c) || c == 0x85 || c == 0x2028 || c == 0x2029 || (n == 1 && *p >= 0x80))
			fputc('?', f);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
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

/* ", KEY: [N, N]" of the numbers lo..hi-1 whose bit is set in bits */
static void y_bits(FILE *f, const char *key, const uint8_t *bits, int lo, int hi)
{
	fprintf(f, ", %s: [", key);
	bool first = true;
	for (int c = lo; c < hi; c++)
		if ((bits[c / 8] >> (c % 8)) & 1) {
			fprintf(f, "%s%d", first ? "" : ", ", c);
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
		if (a->has_function_codes)
			y_bits(f, "function_codes", a->function_codes, 1, 128);
		if (a->has_unit_ids)
			y_bits(f, "unit_ids", a->unit_ids, 0, 256);
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

size_t ho_alert_rules(const struct ho *h, const struct rule_def **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nalerts; i++) {
		const struct rule_def *d = rule_def_by_id(eve_alert_rule_id(h->alerts[i].a, ""));
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
	size_t nr = ho_alert_rules(h, rules, R_COUNT);
	if (!nr)
		return;
	fprintf(f, "\n# The rules the alerts come from (built into fabmon; `fabmon rules`), as this\n"
		   "# policy sets them.\nrules:\n");
	for (size_t i = 0; i < nr; i++) {
		const struct rule_def *d = rules[i];
		fprintf(f, "  # %s (sid %u, %s): ", d->id, d->sid, d->category);
		ho_y_comment(f, d->signature);
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
		ho_y_comment(f, json_member_str_or(h->polobj, "name", "(no name)"));
		fprintf(f, "\n# source:  ");
		ho_y_comment(f, json_member_str_or(h->polobj, "source", "?"));
		fprintf(f, "\n# sha256:  ");
		ho_y_comment(f, json_member_str_or(h->polobj, "sha256", "?"));
		if (json_member_str(h->polobj, "copy")) {
			fprintf(f, "\n# copy:    ");
			ho_y_comment(f, json_member_str(h->polobj, "copy"));
			fprintf(f, " (in the sensor's output directory%s)",
				h->pol_verified ? "; its SHA-256 verified" : "");
		}
		fprintf(f, "\n");
	}
	if (h->pol_note[0]) {
		fprintf(f, "# note:    ");
		ho_y_comment(f, h->pol_note);
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

void ho_add_name(json_t *arr, const char *s)
{
	if (s && *s && !name_in(arr, s))
		json_array_append_new(arr, json_string(s));
}

/* What of the policy the selected alerts touch: the zones, hosts and
 * conduits the excerpt keeps (indexes into the policy's arrays). */
struct excerpt_marks {
	bool *zone, *host, *cond;
};

/* The zones and hosts of an alert's two ends. */
static void mark_alert_ends(const struct policy *p, const struct ho_alert *x,
			    struct excerpt_marks *m)
{
	const char *ends[2] = { "source", "target" };
	for (int e = 0; e < 2; e++) {
		json_t *ep = json_member(x->a, ends[e]);
		const char *zn = json_member_str(ep, "zone");
		int zi = zn ? policy_zone_index(p, zn) : -1;
		if (zi >= 0)
			m->zone[zi] = true;
		struct ip_addr ip;
		if (ip_addr_parse(json_member_str_or(x->rec, e ? "dest_ip" : "src_ip", ""), &ip)) {
			int hi = policy_host_of(p, &ip);
			if (hi >= 0)
				m->host[hi] = true;
		}
	}
}

/* The conduit an alert names (and its zones), and the conduits between the
 * two ends' zones, in the alert's direction. */
static void mark_alert_conduits(const struct policy *p, const struct ho_alert *x,
				struct excerpt_marks *m)
{
	const char *cn = json_member_str(x->a, "conduit");
	for (size_t c = 0; cn && c < p->nconduits; c++)
		if (!strcmp(p->conduits[c].name, cn)) {
			m->cond[c] = true;
			m->zone[p->conduits[c].from] = m->zone[p->conduits[c].to] = true;
		}
	const char *zs = json_member_str(json_member(x->a, "source"), "zone");
	const char *zt = json_member_str(json_member(x->a, "target"), "zone");
	int is = zs ? policy_zone_index(p, zs) : -1, it = zt ? policy_zone_index(p, zt) : -1;
	for (size_t c = 0; is >= 0 && it >= 0 && is != it && c < p->nconduits; c++) {
		const struct policy_conduit *pc = &p->conduits[c];
		if ((pc->from == is && pc->to == it) ||
		    (pc->both_ways && pc->from == it && pc->to == is))
			m->cond[c] = true;
	}
}

/* What the selected alerts touch; a marked host's zone is marked too. */
static void mark_alerts(const struct ho *h, const struct policy *p, struct excerpt_marks *m)
{
	for (size_t i = 0; i < h->nalerts; i++) {
		mark_alert_ends(p, &h->alerts[i], m);
		mark_alert_conduits(p, &h->alerts[i], m);
	}
	for (size_t i = 0; i < p->nhosts; i++)
		if (m->host[i] && p->hosts[i].zone >= 0)
			m->zone[p->hosts[i].zone] = true;
}

/* version, name, the default action, alerting */
static void excerpt_settings(const struct policy *p, FILE *f)
{
	fprintf(f, "\nversion: 1\nname: ");
	/* the policy's name and " - excerpt", within what the parser takes
	 * (found by fuzz-policy-excerpt): a long name is cut, at a character */
	const char *suffix = p->name[0] ? " - excerpt" : "excerpt";
	size_t keep = strlen(p->name), room = POLICY_NAME_LEN - 1 - strlen(suffix);
	if (keep > room) {
		keep = room;
		while (keep && ((unsigned char)p->name[keep] & 0xc0) == 0x80)
			keep--;
	}
	char nm[POLICY_NAME_LEN + 16];
	snprintf(nm, sizeof(nm), "%.*s%s", (int)keep, p->name, suffix);
	y_str(f, nm);
	fprintf(f, "\ndefault_action: %s\ninfer_roles: %s\nalerting: {window: %u, rate_limit: %u}\n",
		p->default_action == POLICY_DENY ? "deny" : "allow",
		p->infer_roles ? "true" : "false", p->alert_window, p->alert_rate);
}

/* networks: [...] of zone zi (its prefixes, then "public"), if any */
static void excerpt_zone_networks(const struct policy *p, FILE *f, size_t zi)
{
	const struct policy_zone *z = &p->zones[zi];
	char ip[IP_ADDR_STRLEN];
	bool first = true;
	for (size_t k = 0; k < p->nnets; k++) {
		if (p->nets[k].zone != (int)zi)
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
}

static void excerpt_zone(const struct policy *p, FILE *f, size_t zi)
{
	const struct policy_zone *z = &p->zones[zi];
	char pd[24];
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
	excerpt_zone_networks(p, f, zi);
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

static void excerpt_zones(const struct policy *p, FILE *f, const bool *zone)
{
	fprintf(f, "\n# The zones of both ends (METI area, Purdue level, IEC 62443 SL-T).\nzones:\n");
	bool anyz = false;
	for (size_t i = 0; i < p->nzones; i++) {
		if (!zone[i])
			continue;
		anyz = true;
		excerpt_zone(p, f, i);
	}
	if (!anyz) /* a policy needs zones: none of the ends was in one */
		fprintf(f, "  []\n");
}

/* one host on one line, a YAML flow mapping */
static void excerpt_host(const struct policy *p, FILE *f, const struct policy_host *ph)
{
	char ip[IP_ADDR_STRLEN];
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

/* the marked hosts; no hosts: section when there is none */
static void excerpt_hosts(const struct policy *p, FILE *f, const bool *host)
{
	bool anyh = false;
	for (size_t i = 0; i < p->nhosts; i++) {
		if (!host[i])
			continue;
		if (!anyh)
			fprintf(f, "\n# The hosts at both ends, as the policy lists them (model/softrev: "
				   "the baseline).\nhosts:\n");
		anyh = true;
		excerpt_host(p, f, &p->hosts[i]);
	}
}

static void excerpt_conduit(const struct policy *p, FILE *f, const struct policy_conduit *c)
{
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

/* the marked conduits, or a comment that none leads between the ends' zones */
static void excerpt_conduits(const struct policy *p, FILE *f, const bool *cond)
{
	bool anyc = false;
	for (size_t i = 0; i < p->nconduits; i++) {
		if (!cond[i])
			continue;
		if (!anyc)
			fprintf(f, "\n# The conduits the alerts name, and those from the source's zone to "
				   "the target's\n# (IEC 62443-3-2 ZCR 3), with what they allow; everything "
				   "else between\n# zones is %s.\nconduits:\n",
				p->default_action == POLICY_DENY ? "denied" : "allowed");
		anyc = true;
		excerpt_conduit(p, f, &p->conduits[i]);
	}
	if (!anyc)
		fprintf(f, "\n# No conduit leads from the source's zone to the target's: nothing "
			   "between them is allowed.\n");
}

/* From the policy file: the parts of it the alerts touch, itself a valid policy. */
static void excerpt_from_policy(struct ho *h, FILE *f)
{
	const struct policy *p = h->pol;
	struct excerpt_marks m = {
		.zone = calloc(p->nzones + 1, 1),
		.host = calloc(p->nhosts + 1, 1),
		.cond = calloc(p->nconduits + 1, 1),
	};
	if (!m.zone || !m.host || !m.cond)
		goto out;
	mark_alerts(h, p, &m);
	excerpt_settings(p, f);
	excerpt_zones(p, f, m.zone);
	excerpt_hosts(p, f, m.host);
	excerpt_conduits(p, f, m.cond);
	struct rule_setting set[R_COUNT];
	struct policy_error err;
	excerpt_rules(h, f, rule_settings_from_policy(p, set, &err) == 0 ? set : NULL);
out:
	free(m.zone);
	free(m.host);
	free(m.cond);
}

/* The Purdue level of an alert's end as a policy writes it ("3", "3.5"),
 * false if it has none the policy parser takes. */
static bool end_purdue(json_t *ep, char out[8])
{
	json_t *v = json_member(ep, "purdue");
	double d;
	if (json_is_integer(v))
		d = (double)json_integer_value(v);
	else if (json_is_real(v))
		d = json_real_value(v);
	else
		return false;
	if (d == 3.5) {
		snprintf(out, 8, "3.5");
		return true;
	}
	if (d < 0 || d > 5 || d != (double)(int)d)
		return false;
	snprintf(out, 8, "%d", (int)d);
	return true;
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
			json_t *ep = json_member(h->alerts[i].a, ends[e]);
			const char *zn = json_member_str(ep, "zone");
			if (!zn || name_in(done, zn))
				continue;
			ho_add_name(done, zn);
			/* a zone needs its Purdue level and area: a record without
			 * them (edited, or from elsewhere) names the zone in a comment */
			char purdue[8];
			const char *area = json_member_str(ep, "area");
			if (!zn[0] || strlen(zn) >= POLICY_NAME_LEN || !end_purdue(ep, purdue) || !area ||
			    policy_area_parse(area) < 0) {
				fprintf(f, "# zone named by the alerts without a valid Purdue level and area: ");
				ho_y_comment(f, zn);
				fprintf(f, "\n");
				continue;
			}
			any = true;
			fprintf(f, "  - {name: ");
			y_str(f, zn);
			fprintf(f, ", purdue: %s, area: %s}\n", purdue, area);
		}
		ho_add_name(conduits, json_member_str(h->alerts[i].a, "conduit"));
	}
	if (!any)
		fprintf(f, "  []\n");
	size_t k;
	json_t *v;
	json_array_foreach(conduits, k, v) {
		fprintf(f, "# conduit named by the alerts: ");
		ho_y_comment(f, json_string_value(v));
		fprintf(f, "\n");
	}
	json_decref(done);
	json_decref(conduits);
	excerpt_rules(h, f, NULL);
}

void ho_excerpt_text(struct ho *h, FILE *f)
{
	excerpt_header(h, f);
	if (h->pol)
		excerpt_from_policy(h, f);
	else
		excerpt_from_alerts(h, f);
}

int ho_write_excerpt(struct ho *h)
{
	struct mbuf m;
	if (!mbuf_open(&m))
		return -1;
	ho_excerpt_text(h, m.f);
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
	return mbuf_put(h, &m, "policy-excerpt.yaml");
}
