/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: reading eve.json, the alerts the command line selects
 * (by id, rule, equipment address, time), the flow records that end their
 * flows, and the run, policy and asset records around them. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/catalog.h"
#include "util/eve_reader.h"
#include "util/json_value.h"
#include "util/log.h"
#include "util/exit_codes.h"
#include "util/rfc3339.h"

static bool alert_selected(struct ho *h, json_t *rec, int64_t ts)
{
	struct ho_args *g = h->args;
	json_t *a = json_member(rec, "alert");
	const char *id = json_member_str(a, "id");
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
		const char *rule = eve_alert_rule_id(a, NULL);
		bool hit = false;
		for (size_t i = 0; rule && i < g->nrules; i++)
			hit |= !strcasecmp(rule, g->rules[i]->id);
		ok = hit;
	}
	if (ok && g->nequip) {
		struct ip_addr s, d;
		bool hs = ip_addr_parse(json_member_str_or(rec, "src_ip", ""), &s);
		bool hd = ip_addr_parse(json_member_str_or(rec, "dest_ip", ""), &d);
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
	x->a = json_member(rec, "alert");
	x->run = run;
	x->policy = pol;
	x->flow = -1;
	x->evidence = -1;
	rfc3339_parse(json_member_str(rec, "timestamp"), &x->ts);
	if (!rfc3339_parse(json_member_str(x->a, "first_seen"), &x->first))
		x->first = x->ts;
	if (!rfc3339_parse(json_member_str(x->a, "last_seen"), &x->last))
		x->last = x->ts;
	if (x->last < x->first)
		x->last = x->first;
	h->nalerts++;
	/* the flow it belongs to, for the flow record that ends it */
	json_int_t fid;
	const char *cid = json_member_str(rec, "community_id");
	if (json_member_int(rec, "flow_id", &fid) && fid > 0) {
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
	if (!json_member_int(rec, "flow_id", &fid))
		return;
	const char *cid = json_member_str_or(rec, "community_id", "");
	for (size_t i = 0; i < h->nflows; i++) {
		struct ho_flow *f = &h->flows[i];
		if (!f->rec && f->flow_id == (uint64_t)fid && !strcmp(f->cid, cid) && lineno > f->after)
			f->rec = json_incref(rec);
	}
}

struct eve_pass {
	struct ho *h;
	int run, pol; /* the run and policy records in force */
};

static int on_record(void *ctx, json_t *rec, const struct eve_line *l)
{
	struct eve_pass *p = ctx;
	struct ho *h = p->h;
	const char *et = json_member_str_or(rec, "event_type", "");
	if (!strcmp(et, "run")) {
		json_array_append(h->runs, rec);
		p->run = (int)json_array_size(h->runs) - 1;
		json_t *pr = json_member(json_member(rec, "run"), "policy");
		p->pol = -1;
		if (json_is_object(pr)) {
			json_array_append_new(h->policies,
					      json_pack("{sOsi}", "policy", pr, "run", p->run));
			p->pol = (int)json_array_size(h->policies) - 1;
		}
	} else if (!strcmp(et, "policy")) {
		json_t *pr = json_member(rec, "policy");
		if (json_is_object(pr)) {
			json_array_append_new(h->policies,
					      json_pack("{sOsi}", "policy", pr, "run", p->run));
			p->pol = (int)json_array_size(h->policies) - 1;
		}
	} else if (!strcmp(et, "asset")) {
		const char *ip = json_member_str(json_member(rec, "asset"), "ip");
		if (ip)
			json_object_set(h->assets, ip, rec);
	} else if (!strcmp(et, "alert")) {
		int64_t ts = 0;
		rfc3339_parse(json_member_str(rec, "timestamp"), &ts);
		const char *aid = json_member_str(json_member(rec, "alert"), "id");
		if (alert_selected(h, rec, ts) && aid && json_object_get(h->alert_ids, aid)) {
			h->dup_alerts++;
		} else if (alert_selected(h, rec, ts)) {
			if (aid)
				json_object_set_new(h->alert_ids, aid, json_true());
			if (add_alert(h, l->text, l->len, rec, p->run, p->pol, l->lineno) < 0) {
				log_error("out of memory");
				return EXIT_RUNTIME;
			}
			const char *host = json_member_str(rec, "host");
			if (host && !h->sensor[0])
				snprintf(h->sensor, sizeof(h->sensor), "%s", host);
		}
	} else if (!strcmp(et, "flow")) {
		take_flow(h, rec, l->lineno);
	}
	return 0;
}

/* Read DIR/eve.json once: the run and policy records, the last asset
 * record of every address, the selected alerts and the flow records that
 * end their flows. A line that is not a record is said (util/eve_reader.h)
 * and counted. */
int ho_read_eve(struct ho *h)
{
	char path[HO_PATH];
	if ((size_t)snprintf(path, sizeof(path), "%s/eve.json", h->args->dir) >= sizeof(path)) {
		log_error("handoff: path too long: %s", h->args->dir);
		return EXIT_USAGE;
	}
	static const char *const types[] = { "run", "policy", "asset", "alert", "flow", NULL };
	static const struct eve_reader_ops ops = { .record = on_record, .types = types };
	struct eve_pass pass = { .h = h, .run = -1, .pol = -1 };
	struct eve_read_stats st;
	int rc = eve_read_file(path, &ops, &pass, &st);
	h->bad_lines = (size_t)st.bad;
	if (rc == EVE_READ_CANNOT_OPEN) {
		log_error("handoff: cannot read %s: %s", path, strerror(st.err));
		return EXIT_INPUT;
	}
	if (rc == EVE_READ_ERROR) {
		log_error("handoff: error reading %s: %s", path, strerror(st.err));
		rc = EXIT_INPUT;
	}
	if (h->bad_lines)
		log_warn("handoff: %s: %zu line%s not JSON (first: line %" PRIu64 "), skipped", path,
			 h->bad_lines, h->bad_lines == 1 ? " is" : "s are", st.first_bad);
	return rc == EVE_READ_OK ? EXIT_OK : rc;
}
