/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon report`: the aggregates (struct rep) as the report's JSON tree,
 * report.json, from which the HTML and the CSV files are rendered: the run,
 * the policy, zone coverage, the zone x zone matrix, the conduits, HSMS and
 * Modbus per host pair, the rules and alerts, the inventory, the summary.
 */
#include "report/report_model.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "report/report_exposure.h"
#include "report/report_guideline.h"
#include "zones/asset_baseline.h"
#include "util/json_value.h"
#include "util/rfc3339.h"
#include "util/version.h"
#include "zones/policy.h"

/* Seconds since the epoch of a record's time (either form, rfc3339.h); NAN if
 * it is not one. */
static double ts_seconds(const char *t)
{
	int64_t us;
	return rfc3339_parse(t, &us) ? (double)us / 1e6 : NAN;
}

/* A time quoted from a record, in the EVE form whichever form the record
 * has (earlier fabmon versions wrote "+00:00"); null if none. */
static json_t *jtime(const char *t)
{
	char eve[40];
	return json_string_or_null(t && rfc3339_to_eve(t, eve) ? eve : t);
}

/* Zones in the order of the policy (pol may be NULL), then zones it does
 * not name, then flows without a zone. */
static int zone_rank(const struct policy *pol, const char *z)
{
	if (!z)
		return INT_MAX;
	if (pol) {
		int i = policy_zone_index(pol, z);
		if (i >= 0)
			return i;
	}
	return INT_MAX - 1;
}

static int zone_cmp(const struct policy *pol, const char *a, const char *b)
{
	int ra = zone_rank(pol, a), rb = zone_rank(pol, b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return a && b ? strcmp(a, b) : 0;
}

/* qsort_r's comparator of zone pairs; ctx: the struct rep */
static int pair_cmp(const void *x, const void *y, void *ctx)
{
	const struct policy *pol = ((const struct rep *)ctx)->pol;
	const struct pair *a = *(const struct pair *const *)x, *b = *(const struct pair *const *)y;
	int c = zone_cmp(pol, a->src, b->src);
	return c ? c : zone_cmp(pol, a->dst, b->dst);
}

static int host_cmp(const void *x, const void *y)
{
	const struct host *a = *(const struct host *const *)x, *b = *(const struct host *const *)y;
	return natcmp(a->ip, b->ip);
}

static int hsms_cmp(const void *x, const void *y)
{
	const struct hsms_pair *a = *(const struct hsms_pair *const *)x;
	const struct hsms_pair *b = *(const struct hsms_pair *const *)y;
	int c = natcmp(a->src, b->src);
	return c ? c : natcmp(a->dst, b->dst);
}

static int mb_cmp(const void *x, const void *y)
{
	const struct mb_pair *a = *(const struct mb_pair *const *)x;
	const struct mb_pair *b = *(const struct mb_pair *const *)y;
	int c = natcmp(a->client, b->client);
	return c ? c : natcmp(a->server, b->server);
}

static int rule_cmp(const void *x, const void *y)
{
	const struct rule_agg *a = *(const struct rule_agg *const *)x;
	const struct rule_agg *b = *(const struct rule_agg *const *)y;
	int sa = a->severity ? a->severity : 9, sb = b->severity ? b->severity : 9;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static int asset_cmp(const void *x, const void *y)
{
	const struct asset *a = *(const struct asset *const *)x, *b = *(const struct asset *const *)y;
	int c = natcmp(a->ip, b->ip);
	return c ? c : strcmp(a->kind, b->kind);
}

static json_t *sset_json(const struct sset *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static json_t *uset_json(const struct uset *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->n; i++)
		json_array_append_new(a, json_integer(s->v[i]));
	return a;
}

/* A counter map as an object, keys in natural order. */
static json_t *counts_json(const struct smap *m)
{
	json_t *o = json_object();
	const char **keys = malloc((m->n ? m->n : 1) * sizeof(*keys));
	if (!o || !keys) {
		free(keys);
		json_decref(o);
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key && m->e[i].val)
			keys[n++] = m->e[i].key;
	qsort(keys, n, sizeof(*keys), natcmp_p);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, keys[i], json_count(*(uint64_t *)smap_find(m, keys[i])));
	free(keys);
	return o;
}

static const char *host_name(const struct rep *r, const char *ip)
{
	const struct policy_host *ph = policy_host_by_ip(r->pol, ip);
	return ph ? ph->name : NULL;
}

/* The zone a host was seen in; else the policy's; NULL if none is known. */
static const char *zone_of_ip(const struct rep *r, const char *ip, bool *known)
{
	struct host *h = smap_find(&r->hosts, ip);
	*known = true;
	if (h)
		return h->zone;
	struct ip_addr a;
	if (r->pol && ip_addr_parse(ip, &a)) {
		int z = policy_zone_of(r->pol, &a, 0);
		return z >= 0 ? r->pol->zones[z].name : NULL;
	}
	*known = false;
	return NULL;
}

static json_t *zone_json_of_ip(const struct rep *r, const char *ip)
{
	bool known;
	const char *z = zone_of_ip(r, ip, &known);
	return z ? json_string(z) : known ? json_string(NO_ZONE) : json_null();
}

static json_t *host_json(const struct rep *r, const struct host *h)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "ip", json_string(h->ip));
	json_object_set_new(o, "name", json_string_or_null(host_name(r, h->ip)));
	json_object_set_new(o, "flows_out", json_count(h->flows_out));
	json_object_set_new(o, "flows_in", json_count(h->flows_in));
	json_object_set_new(o, "bytes", json_count(h->bytes));
	json_object_set_new(o, "first_seen", json_timestamp_or_null(h->first));
	json_object_set_new(o, "last_seen", json_timestamp_or_null(h->last));
	if (h->other_zones.n)
		json_object_set_new(o, "also_in_zones", sset_json(&h->other_zones));
	json_object_set_new(o, "sensors", sset_json(&h->sensors));
	return o;
}

static json_t *zone_obj(const char *name)
{
	json_t *o = json_object();
	if (o)
		json_object_set_new(o, "name", json_string(name));
	return o;
}

/* zones: one object per policy zone, then the zones flows named that the
 * policy does not have; unzoned: hosts in no zone. */
static void build_zones(struct rep *r, struct host **hosts, size_t nh, struct pair **pairs,
			size_t np, json_t *out)
{
	json_t *zones = json_array(), *unzoned = json_array(), *not_ev = json_array();
	size_t nz = r->pol ? r->pol->nzones : 0;
	/* zones seen in flows but not in the policy */
	struct sset extra = { 0 };
	for (size_t i = 0; i < nh; i++)
		if (hosts[i]->zone && (!r->pol || policy_zone_index(r->pol, hosts[i]->zone) < 0))
			rep_sadd(r, &extra, hosts[i]->zone);
	for (size_t zi = 0; zi < nz + extra.n; zi++) {
		const struct policy_zone *pz = zi < nz ? &r->pol->zones[zi] : NULL;
		const char *name = pz ? pz->name : extra.v[zi - nz];
		json_t *z = zone_obj(name), *hl = json_array();
		char pd[24];
		if (!z || !hl) {
			r->oom = true;
			json_decref(z);
			json_decref(hl);
			break;
		}
		json_object_set_new(z, "in_policy", json_boolean(pz != NULL));
		if (pz) {
			json_object_set_new(z, "purdue", json_string(policy_purdue_str(pz->purdue_x10, pd)));
			json_object_set_new(z, "purdue_x10", json_integer(pz->purdue_x10));
			json_object_set_new(z, "area", json_string(policy_area_name(pz->area)));
			json_object_set_new(z, "sl_t", pz->sl_t ? json_integer(pz->sl_t) : json_null());
			json_object_set_new(z, "inventory", json_string(pz->inventory_closed ? "closed"
										     : "open"));
			if (pz->name_ja[0])
				json_object_set_new(z, "name_ja", json_string(pz->name_ja));
			if (pz->description[0])
				json_object_set_new(z, "description", json_string(pz->description));
		}
		struct sset seen_by = { 0 }; /* the sensors that saw hosts of the zone */
		for (size_t i = 0; i < nh; i++)
			if (hosts[i]->zone && !strcmp(hosts[i]->zone, name)) {
				json_array_append_new(hl, host_json(r, hosts[i]));
				for (size_t k = 0; k < hosts[i]->sensors.n; k++)
					rep_sadd(r, &seen_by, hosts[i]->sensors.v[k]);
			}
		json_object_set_new(z, "sensors", sset_json(&seen_by));
		sset_free(&seen_by);
		uint64_t out_f = 0, in_f = 0, intra = 0;
		for (size_t i = 0; i < np; i++) {
			bool s = pairs[i]->src && !strcmp(pairs[i]->src, name);
			bool d = pairs[i]->dst && !strcmp(pairs[i]->dst, name);
			if (s && d)
				intra += pairs[i]->flows;
			else if (s)
				out_f += pairs[i]->flows;
			else if (d)
				in_f += pairs[i]->flows;
		}
		size_t nhosts = json_array_size(hl);
		json_object_set_new(z, "evidenced", json_boolean(nhosts > 0));
		json_object_set_new(z, "host_count", json_integer((json_int_t)nhosts));
		json_object_set_new(z, "flows_out", json_count(out_f));
		json_object_set_new(z, "flows_in", json_count(in_f));
		json_object_set_new(z, "flows_intra", json_count(intra));
		json_object_set_new(z, "hosts", hl);
		if (pz) {
			/* hosts the policy lists here that no flow showed */
			json_t *ns = json_array();
			for (size_t k = 0; k < r->pol->nhosts; k++) {
				const struct policy_host *ph = &r->pol->hosts[k];
				int hz = ph->zone >= 0 ? ph->zone : ph->naddrs ?
					 policy_zone_of(r->pol, &ph->addrs[0], 0) : -1;
				if (hz != (int)zi)
					continue;
				bool seen = false;
				char ip[IP_ADDR_STRLEN];
				json_t *addrs = json_array();
				for (unsigned a = 0; a < ph->naddrs; a++) {
					ip_addr_str(&ph->addrs[a], ip, sizeof(ip));
					json_array_append_new(addrs, json_string(ip));
					if (smap_find(&r->hosts, ip))
						seen = true;
				}
				if (seen) {
					json_decref(addrs);
					continue;
				}
				json_array_append_new(ns, json_pack("{s:s,s:o}", "name", ph->name,
								    "addresses", addrs));
			}
			json_object_set_new(z, "declared_hosts_not_seen", ns);
		}
		if (!nhosts)
			json_array_append_new(not_ev, json_string(name));
		json_array_append_new(zones, z);
	}
	sset_free(&extra);
	for (size_t i = 0; i < nh; i++)
		if (!hosts[i]->zone)
			json_array_append_new(unzoned, host_json(r, hosts[i]));
	json_object_set_new(out, "zones", zones);
	json_object_set_new(out, "zones_not_evidenced", not_ev);
	json_object_set_new(out, "unzoned_hosts", unzoned);
}

static const char *pair_verdict(const struct pair *p)
{
	if (p->verdicts[V_VIOLATION])
		return "violating";
	if (p->verdicts[V_ALLOWED])
		return "allowed";
	if (p->verdicts[V_INTRA])
		return "intra-zone";
	if (p->verdicts[V_UNZONED])
		return "unzoned";
	return "unknown";
}

static json_t *build_matrix(struct pair **pairs, size_t np)
{
	json_t *m = json_array();
	for (size_t i = 0; m && i < np; i++) {
		const struct pair *p = pairs[i];
		json_t *bv = json_object();
		for (int v = 0; v < V_COUNT; v++)
			if (p->verdicts[v])
				json_object_set_new(bv, verdict_names[v], json_count(p->verdicts[v]));
		json_t *o = json_object();
		json_object_set_new(o, "src_zone", json_string_or_null(p->src));
		json_object_set_new(o, "dest_zone", json_string_or_null(p->dst));
		json_object_set_new(o, "verdict", json_string(pair_verdict(p)));
		json_object_set_new(o, "flows", json_count(p->flows));
		json_object_set_new(o, "bytes", json_count(p->bytes));
		json_object_set_new(o, "apps", sset_json(&p->apps));
		json_object_set_new(o, "ports", uset_json(&p->ports));
		json_object_set_new(o, "conduits", sset_json(&p->conduits));
		json_object_set_new(o, "sensors", sset_json(&p->sensors));
		json_object_set_new(o, "first_seen", json_timestamp_or_null(p->first));
		json_object_set_new(o, "last_seen", json_timestamp_or_null(p->last));
		json_object_set_new(o, "flows_by_verdict", bv);
		json_object_set_new(o, "violation_flows", json_count(p->verdicts[V_VIOLATION]));
		json_object_set_new(o, "flows_without_conduit", json_count(p->no_conduit));
		json_object_set_new(o, "alerts", json_count(p->alerts));
		json_array_append_new(m, o);
	}
	return m;
}

static json_t *allow_json(const struct policy_allow *a)
{
	json_t *o = json_object(), *ports = json_array(), *init = json_array();
	char buf[32];
	json_object_set_new(o, "app", json_string(a->app));
	for (unsigned i = 0; i < a->nports; i++) {
		if (a->ports[i].lo == a->ports[i].hi)
			snprintf(buf, sizeof(buf), "%u", a->ports[i].lo);
		else
			snprintf(buf, sizeof(buf), "%u-%u", a->ports[i].lo, a->ports[i].hi);
		json_array_append_new(ports, json_string(buf));
	}
	json_object_set_new(o, "ports", ports);
	for (int r = 0; r < ROLE_COUNT; r++)
		if (a->initiators & ROLE_BIT(r))
			json_array_append_new(init, json_string(policy_role_name((enum host_role)r)));
	json_object_set_new(o, "initiators", init);
	if (a->has_hsms_filter) {
		json_t *msg = json_array();
		for (int s = 0; s < 256; s++)
			if (a->streams[s / 8] & (1u << (s % 8))) {
				snprintf(buf, sizeof(buf), "S%d", s);
				json_array_append_new(msg, json_string(buf));
			}
		for (unsigned i = 0; i < a->nsf; i++) {
			snprintf(buf, sizeof(buf), "S%uF%u", a->sf[i] >> 8, a->sf[i] & 0xff);
			json_array_append_new(msg, json_string(buf));
		}
		json_t *cat = json_array();
		for (int c = 0; c < GEM_CAT_COUNT; c++)
			if (a->categories & (1u << c))
				json_array_append_new(cat, json_string(gem_category_name((enum gem_category)c)));
		json_object_set_new(o, "messages", msg);
		json_object_set_new(o, "categories", cat);
	}
	if (a->has_modbus_filter) {
		json_t *acc = json_array(), *fc = json_array(), *units = json_array();
		json_t *addrs = json_array();
		for (int c = 0; c < MODBUS_ACCESS_COUNT; c++)
			if (a->access & (1u << c))
				json_array_append_new(acc, json_string(modbus_access_name((enum modbus_access)c)));
		if (a->has_function_codes)
			for (int f = 1; f < 128; f++)
				if (a->function_codes[f / 8] & (1u << (f % 8)))
					json_array_append_new(fc, json_integer(f));
		if (a->has_unit_ids)
			for (int u = 0; u < 256; u++)
				if (a->unit_ids[u / 8] & (1u << (u % 8)))
					json_array_append_new(units, json_integer(u));
		for (unsigned i = 0; i < a->naddresses; i++) {
			snprintf(buf, sizeof(buf), "%u-%u", a->addresses[i].lo, a->addresses[i].hi);
			json_array_append_new(addrs, json_string(buf));
		}
		json_object_set_new(o, "access", acc);
		json_object_set_new(o, "function_codes", fc);
		json_object_set_new(o, "unit_ids", units);
		json_object_set_new(o, "write_addresses", addrs);
	}
	json_object_set_new(o, "line", json_integer(a->line));
	return o;
}

static void cobs_into(json_t *o, const struct cobs *c)
{
	json_object_set_new(o, "observed", json_boolean(c && c->flows));
	json_object_set_new(o, "flows", json_count(c ? c->flows : 0));
	json_object_set_new(o, "bytes", json_count(c ? c->bytes : 0));
	json_object_set_new(o, "apps", c ? sset_json(&c->apps) : json_array());
	json_object_set_new(o, "ports", c ? uset_json(&c->ports) : json_array());
	json_object_set_new(o, "zone_pairs", c ? sset_json(&c->zone_pairs) : json_array());
	json_object_set_new(o, "clients", c ? sset_json(&c->clients) : json_array());
	json_object_set_new(o, "sensors", c ? sset_json(&c->sensors) : json_array());
	json_object_set_new(o, "first_seen", json_timestamp_or_null(c ? c->first : NULL));
	json_object_set_new(o, "last_seen", json_timestamp_or_null(c ? c->last : NULL));
	json_object_set_new(o, "alerts", json_count(c ? c->alerts : 0));
	json_object_set_new(o, "alert_rules", c ? sset_json(&c->rules) : json_array());
	json_object_set_new(o, "flows_not_allowed", json_count(c ? c->outside_flows : 0));
	json_object_set_new(o, "apps_not_allowed", c ? sset_json(&c->outside_apps) : json_array());
	json_object_set_new(o, "ports_not_allowed", c ? uset_json(&c->outside_ports) : json_array());
	json_object_set_new(o, "clients_not_allowed", c ? sset_json(&c->outside_clients) : json_array());
}

static void build_conduits(struct rep *r, json_t *out)
{
	json_t *list = json_array(), *extra = json_array();
	for (size_t i = 0; r->pol && i < r->pol->nconduits; i++) {
		const struct policy_conduit *c = &r->pol->conduits[i];
		json_t *o = json_object(), *al = json_array();
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "from", json_string(r->pol->zones[c->from].name));
		json_object_set_new(o, "to", json_string(r->pol->zones[c->to].name));
		json_object_set_new(o, "direction", json_string(c->both_ways ? "both" : "one-way"));
		if (c->description[0])
			json_object_set_new(o, "description", json_string(c->description));
		for (size_t k = 0; k < c->nallow; k++)
			json_array_append_new(al, allow_json(&c->allow[k]));
		json_object_set_new(o, "allow", al);
		cobs_into(o, smap_find(&r->cobs, c->name));
		json_array_append_new(list, o);
	}
	size_t n;
	struct cobs **cs = (struct cobs **)smap_values(&r->cobs, &n);
	if (!cs) {
		r->oom = true;
		n = 0;
	}
	const char **names = malloc((n ? n : 1) * sizeof(*names));
	size_t nn = 0;
	for (size_t i = 0; names && i < n; i++) {
		bool known = false;
		for (size_t k = 0; r->pol && k < r->pol->nconduits; k++)
			if (!strcmp(r->pol->conduits[k].name, cs[i]->name))
				known = true;
		if (!known)
			names[nn++] = cs[i]->name;
	}
	if (names) {
		qsort(names, nn, sizeof(*names), natcmp_p);
		for (size_t i = 0; i < nn; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(names[i]));
			cobs_into(o, smap_find(&r->cobs, names[i]));
			json_array_append_new(extra, o);
		}
	}
	free(names);
	free(cs);
	json_object_set_new(out, "conduits", list);
	json_object_set_new(out, "conduits_not_in_policy", extra);
}

/* An array of the values of m in the order of cmp, each as fn makes it. */
static json_t *sorted_json(struct rep *r, const struct smap *m,
			   int (*cmp)(const void *, const void *),
			   json_t *(*fn)(const struct rep *, const void *, const void *), const void *ctx)
{
	size_t n;
	void **v = smap_values(m, &n);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		r->oom = true;
		return a;
	}
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, fn(r, v[i], ctx));
	free(v);
	return a;
}

/* The two ends of a host pair: under key[0] and key[1] the addresses, then
 * their names in the policy, then their zones. */
static void ends_into(const struct rep *r, json_t *o, const char *const key[6], const char *a,
		      const char *b)
{
	json_object_set_new(o, key[0], json_string(a));
	json_object_set_new(o, key[1], json_string(b));
	json_object_set_new(o, key[2], json_string_or_null(host_name(r, a)));
	json_object_set_new(o, key[3], json_string_or_null(host_name(r, b)));
	json_object_set_new(o, key[4], zone_json_of_ip(r, a));
	json_object_set_new(o, key[5], zone_json_of_ip(r, b));
}

static json_t *hsms_json(const struct rep *r, const void *x, const void *ctx)
{
	static const char *const ends[6] = { "src_ip", "dest_ip", "src_name", "dest_name",
					     "src_zone", "dest_zone" };
	const struct hsms_pair *p = x;
	json_t *o = json_object();
	(void)ctx;
	ends_into(r, o, ends, p->src, p->dst);
	json_object_set_new(o, "total", json_count(p->total));
	json_object_set_new(o, "messages", counts_json(&p->sf));
	json_object_set_new(o, "first_seen", json_timestamp_or_null(p->first));
	json_object_set_new(o, "last_seen", json_timestamp_or_null(p->last));
	return o;
}

static json_t *modbus_json(const struct rep *r, const void *x, const void *ctx)
{
	static const char *const ends[6] = { "client", "server", "client_name", "server_name",
					     "client_zone", "server_zone" };
	const struct mb_pair *p = x;
	json_t *o = json_object();
	(void)ctx;
	ends_into(r, o, ends, p->client, p->server);
	json_object_set_new(o, "flows", json_count(p->flows));
	json_object_set_new(o, "requests", json_count(p->requests));
	json_object_set_new(o, "exceptions", json_count(p->exceptions));
	json_object_set_new(o, "access", counts_json(&p->access));
	json_object_set_new(o, "functions", counts_json(&p->functions));
	return o;
}

/* The alerting counters of the stats records, by rule. */
struct rule_stats {
	const json_t *by_rule, *supp;
};

static json_t *rule_json(const struct rep *r, const void *x, const void *ctx)
{
	const struct rule_agg *g = x;
	const struct rule_stats *st = ctx;
	json_t *o = json_object();
	(void)r;
	json_object_set_new(o, "rule", json_string(g->rule));
	json_object_set_new(o, "signature", json_string_or_null(g->signature));
	json_object_set_new(o, "category", json_string_or_null(g->category));
	json_object_set_new(o, "severity", json_integer(g->severity));
	json_object_set_new(o, "severity_name", json_string_or_null(g->sev_name));
	json_object_set_new(o, "references", g->refs ? json_incref(g->refs) : json_array());
	json_object_set_new(o, "count", json_count(g->count));
	json_object_set_new(o, "records", json_count(g->records));
	json_object_set_new(o, "repeat_records", json_count(g->repeats));
	json_object_set_new(o, "stats_hits", json_is_integer(json_object_get(st->by_rule, g->rule))
			    ? json_incref(json_object_get(st->by_rule, g->rule)) : json_null());
	json_object_set_new(o, "suppressed", json_count(json_member_count(st->supp, g->rule)));
	json_object_set_new(o, "first_seen", json_timestamp_or_null(g->first));
	json_object_set_new(o, "last_seen", json_timestamp_or_null(g->last));
	return o;
}

/* An asset of a collected directory with an entry in the key-value
 * inventory (inventory.json): its lists and times as every sensor saw
 * them, the sensors, the entry's revision. Elsewhere: sensors and
 * inventory_revision null. */
static void kv_merge(const struct rep *r, json_t *o)
{
	json_t *kv = json_object_get(r->kv_assets, json_string_value(json_object_get(o, "ip")));
	json_t *sensors = json_object_get(kv, "sensors");
	json_object_set_new(o, "sensors", json_is_array(sensors) ? json_incref(sensors) : json_null());
	json_t *rev = json_object_get(kv, "revision");
	json_object_set_new(o, "inventory_revision", json_is_integer(rev) ? json_incref(rev)
							       : json_null());
	if (!kv)
		return;
	static const char *const lists[][3] = { { "ports", "hsms_ports", "ports" },
						{ "peers", "hosts", "clients" } };
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 1; k < 3; k++)
			if (json_is_array(json_object_get(kv, lists[i][k])))
				json_object_set(o, lists[i][0], json_object_get(kv, lists[i][k]));
	static const char *const times[] = { "first_seen", "last_seen" };
	for (size_t i = 0; i < 2; i++) {
		const char *t = json_string_value(json_object_get(kv, times[i]));
		if (t)
			json_object_set_new(o, times[i], jtime(t));
	}
}

static json_t *asset_json(const struct rep *r, const void *x, const void *ctx)
{
	const struct asset *s = x;
	const json_t *a = s->a;
	json_t *o = json_object();
	(void)ctx;
	const char *model = asset_model(a), *rev = asset_revision(a);
	json_object_set_new(o, "ip", json_string(s->ip));
	json_object_set_new(o, "kind", json_string(s->kind));
	json_object_set_new(o, "protocol", json_string_or_null(json_member_str(a, "protocol")));
	json_object_set_new(o, "zone", zone_json_of_ip(r, s->ip));
	json_object_set_new(o, "host_name", json_string_or_null(host_name(r, s->ip)));
	json_object_set_new(o, "vendor", json_string_or_null(json_member_str(a, "vendor")));
	json_object_set_new(o, "model", json_string_or_null(model));
	json_object_set_new(o, "revision", json_string_or_null(rev));
	json_t *ports = json_object_get(a, "hsms_ports");
	if (!ports)
		ports = json_object_get(a, "ports");
	json_t *peers = json_object_get(a, "hosts");
	if (!peers)
		peers = json_object_get(a, "clients");
	json_object_set_new(o, "ports", json_is_array(ports) ? json_incref(ports) : json_array());
	json_object_set_new(o, "peers", json_is_array(peers) ? json_incref(peers) : json_array());
	json_object_set_new(o, "first_seen", jtime(json_member_str(a, "first_seen")));
	json_object_set_new(o, "last_seen", jtime(json_member_str(a, "last_seen")));
	json_object_set_new(o, "messages", json_object_get(a, "messages")
			    ? json_count(json_member_count(a, "messages")) : json_null());
	json_object_set_new(o, "requests", json_object_get(a, "requests")
			    ? json_count(json_member_count(a, "requests")) : json_null());
	json_object_set_new(o, "writes", json_object_get(a, "writes")
			    ? json_count(json_member_count(a, "writes")) : json_null());
	json_object_set_new(o, "change", json_string_or_null(json_member_str(a, "change")));
	kv_merge(r, o);
	json_object_set_new(o, "records", json_count(s->records));
	json_object_set_new(o, "models_seen", sset_json(&s->models));
	json_object_set_new(o, "revisions_seen", sset_json(&s->revisions));
	/* the baseline the policy holds for it */
	const struct policy_host *ph = policy_host_by_ip(r->pol, s->ip);
	bool has_base = baseline_declared(ph);
	json_object_set_new(o, "baseline_model", has_base && ph->model[0]
			    ? json_string(ph->model) : json_null());
	json_object_set_new(o, "baseline_revision", has_base && ph->softrev[0]
			    ? json_string(ph->softrev) : json_null());
	json_object_set_new(o, "baseline_match", has_base
			    ? json_boolean(baseline_matches(ph, model, rev)) : json_null());
	json_object_set_new(o, "last_record", json_incref(s->a));
	return o;
}

/* Sum a counter of every final stats record (one per run in the file). */
static uint64_t stats_sum(const json_t *stats, const char *sect, const char *key)
{
	uint64_t s = 0;
	size_t i;
	json_t *st;
	json_array_foreach(stats, i, st)
		s += json_member_count(json_object_get(st, sect), key);
	return s;
}

static json_t *stats_sum_obj(const json_t *stats, const char *sect, const char *key)
{
	json_t *o = json_object();
	size_t i;
	json_t *st;
	json_array_foreach(stats, i, st) {
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(json_object_get(st, sect), key), k, v) {
			uint64_t prev = json_member_count(o, k);
			json_object_set_new(o, k, json_count(prev + (json_is_integer(v) ? (uint64_t)json_integer_value(v)
								       : 0)));
		}
	}
	return o;
}

static json_t *build_header(struct rep *r, json_t *stats, bool final)
{
	json_t *h = json_object();
	json_t *run0 = json_array_get(r->runs, 0);
	json_t *inputs = json_array();
	size_t i;
	json_t *run;
	json_array_foreach(r->runs, i, run) {
		size_t k;
		json_t *in;
		json_array_foreach(json_object_get(run, "inputs"), k, in)
			json_array_append(inputs, in);
	}
	json_object_set_new(h, "fabmon_version", json_string_or_null(json_member_str(run0, "fabmon_version")));
	json_object_set_new(h, "sensor", json_string_or_null(r->sensor));
	json_object_set_new(h, "mode", json_string_or_null(json_member_str(run0, "mode")));
	json_object_set_new(h, "interface", json_string_or_null(json_member_str(run0, "interface")));
	json_object_set_new(h, "started", jtime(json_member_str(run0, "started")));
	json_object_set_new(h, "user", json_string_or_null(json_member_str(run0, "user")));
	json_object_set_new(h, "inputs", inputs);
	json_object_set_new(h, "runs", json_integer((json_int_t)json_array_size(r->runs)));
	if (json_array_size(r->runs) > 1)
		json_object_set(h, "run_records", r->runs);
	json_object_set_new(h, "first_flow_start", json_timestamp_or_null(r->first));
	json_object_set_new(h, "last_flow_end", json_timestamp_or_null(r->last));
	double d = ts_seconds(r->last) - ts_seconds(r->first);
	json_object_set_new(h, "duration_s", isfinite(d) ? json_real(round(d * 1e6) / 1e6) : json_null());

	json_t *cap = json_object();
	json_object_set_new(cap, "final_stats", json_boolean(final));
	static const char *const ck[] = { "packets", "bytes", "kernel_packets", "kernel_drops",
					  "kernel_ifdrops", "files_read", "files_damaged",
					  "files_skipped" };
	for (size_t k = 0; k < sizeof(ck) / sizeof(ck[0]); k++)
		json_object_set_new(cap, ck[k], json_count(stats_sum(stats, "capture", ck[k])));
	json_object_set_new(cap, "output_records", json_count(stats_sum(stats, "output", "records")));
	json_object_set_new(cap, "output_dropped", json_count(stats_sum(stats, "output", "dropped")));
	json_object_set_new(h, "capture", cap);

	json_t *al = json_object();
	static const char *const ak[] = { "hits", "records", "aggregated", "suppressed",
					  "policy_reloads", "policy_reload_failures" };
	for (size_t k = 0; k < sizeof(ak) / sizeof(ak[0]); k++)
		json_object_set_new(al, ak[k], json_count(stats_sum(stats, "alerts", ak[k])));
	json_object_set_new(al, "by_rule", stats_sum_obj(stats, "alerts", "by_rule"));
	json_object_set_new(al, "suppressed_by_rule", stats_sum_obj(stats, "alerts",
								    "suppressed_by_rule"));
	json_object_set_new(h, "alerting", al);
	return h;
}

static json_t *build_policy(struct rep *r)
{
	json_t *p = json_is_object(r->pol_rec) ? json_deep_copy(r->pol_rec) : json_object();
	if (!p)
		return NULL;
	json_object_del(p, "reload");
	json_object_set_new(p, "loaded", json_boolean(r->pol != NULL));
	json_object_set_new(p, "copy_path", r->pol_path[0] ? json_string(r->pol_path) : json_null());
	json_object_set_new(p, "copy_sha256_verified", r->pol_verified < 0 ? json_null()
			    : json_boolean(r->pol_verified));
	json_t *rl = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(r->reloads, i, x) {
		json_t *pp = json_object_get(x, "policy");
		json_array_append_new(rl, json_pack("{s:o,s:o,s:o,s:o,s:o}",
						    "timestamp", jtime(json_member_str(x, "timestamp")),
						    "source", json_string_or_null(json_member_str(pp, "source")),
						    "name", json_string_or_null(json_member_str(pp, "name")),
						    "sha256", json_string_or_null(json_member_str(pp, "sha256")),
						    "copy", json_string_or_null(json_member_str(pp, "copy"))));
	}
	json_object_set_new(p, "reloads", rl);
	/* the built-in rules the policy switched off: what cannot have alerted */
	json_t *off = r->pol ? json_array() : json_null();
	for (size_t k = 0; r->pol && k < r->pol->nrules; k++)
		if (r->pol->rules[k].enabled == 0)
			json_array_append_new(off, json_string(r->pol->rules[k].id));
	json_object_set_new(p, "rules_disabled", off);
	/* the policy at the start, if reloads changed it */
	json_t *first = json_object_get(json_array_get(r->runs, 0), "policy");
	if (json_array_size(r->reloads) && json_is_object(first))
		json_object_set_new(p, "at_start", json_pack("{s:o,s:o,s:o}",
							     "source", json_string_or_null(json_member_str(first, "source")),
							     "sha256", json_string_or_null(json_member_str(first, "sha256")),
							     "copy", json_string_or_null(json_member_str(first, "copy"))));
	return p;
}

/* what was read (a live sensor's eve.json grows on), so that a reader
 * can tie the report to its source: head -c BYTES eve.json | sha256sum */
static json_t *build_input(const struct rep *r)
{
	json_t *in = json_object();
	/* several sensors' eve.json: each is in "sensors", with its SHA-256 */
	bool merged = r->src.n > 1 && !r->src.by_host;
	json_object_set_new(in, "file", merged ? json_null() : json_string(r->eve));
	json_object_set_new(in, "sources", json_integer((json_int_t)r->src.n));
	/* a run's report is built from what it wrote, as it wrote it, without
	 * reading eve.json back: `fabmon report DIR` reads it and hashes it */
	json_object_set_new(in, "built_from", json_string(r->from_run ? "run" : "eve.json"));
	json_object_set_new(in, "bytes", json_count(r->eve_bytes));
	json_object_set_new(in, "sha256", r->from_run || merged ? json_null()
			    : json_string(r->eve_sha256));
	json_object_set_new(in, "complete", json_boolean(!r->oom));
	json_object_set_new(in, "lines", json_count(r->lines));
	json_object_set_new(in, "records", json_count(r->records));
	json_object_set_new(in, "bad_lines", json_count(r->bad_lines));
	json_object_set(in, "bad_line_examples", r->bad);
	json_object_set_new(in, "records_by_type", counts_json(&r->types));
	return in;
}

static json_t *build_flows(const struct rep *r)
{
	json_t *fl = json_object();
	json_object_set_new(fl, "total", json_count(r->flows));
	json_object_set_new(fl, "without_policy_verdict", json_count(r->flows_no_verdict));
	json_t *bv = json_object();
	for (int v = 0; v < V_COUNT; v++)
		if (r->verdicts[v])
			json_object_set_new(bv, verdict_names[v], json_count(r->verdicts[v]));
	json_object_set_new(fl, "by_verdict", bv);
	return fl;
}

/* the summary cards, counted over the tree out made so far */
static json_t *build_summary(const struct rep *r, const json_t *out, struct pair **pairs,
			     size_t np, size_t nh)
{
	uint64_t violating = 0, evidenced = 0, cobs_used = 0;
	for (size_t i = 0; i < np; i++)
		if (pairs[i]->verdicts[V_VIOLATION])
			violating++;
	size_t i;
	json_t *z;
	json_array_foreach(json_object_get(out, "zones"), i, z)
		if (json_is_true(json_object_get(z, "evidenced")))
			evidenced++;
	json_array_foreach(json_object_get(out, "conduits"), i, z)
		if (json_is_true(json_object_get(z, "observed")))
			cobs_used++;
	json_t *s = json_object();
	json_object_set_new(s, "flows", json_count(r->flows));
	json_object_set_new(s, "zone_pairs", json_count(np));
	json_object_set_new(s, "violating_pairs", json_count(violating));
	json_object_set_new(s, "zones", json_count(json_array_size(json_object_get(out, "zones"))));
	json_object_set_new(s, "zones_evidenced", json_count(evidenced));
	json_object_set_new(s, "hosts", json_count(nh));
	json_object_set_new(s, "unzoned_hosts", json_count(json_array_size(json_object_get(out,
										    "unzoned_hosts"))));
	json_object_set_new(s, "conduits", json_count(json_array_size(json_object_get(out, "conduits"))));
	json_object_set_new(s, "conduits_observed", json_count(cobs_used));
	json_object_set_new(s, "alert_hits", json_count(r->alert_hits));
	json_object_set_new(s, "alert_records", json_count(r->alert_records));
	json_object_set_new(s, "rules_fired", json_count(r->rules.n));
	json_object_set_new(s, "assets", json_count(r->assets.n));
	json_object_set_new(s, "bad_lines", json_count(r->bad_lines));
	json_object_set_new(s, "sensors", json_count(r->src.n));
	json_object_set_new(s, "duplicate_flows", json_count(r->src.duplicate_flows));
	return s;
}

json_t *rep_to_json(struct rep *r)
{
	json_t *out = json_object();
	if (!out)
		return NULL;

	char now[40];
	rfc3339_eve((int64_t)time(NULL), 0, now); /* as eve.json's times */
	json_object_set_new(out, "report", json_pack("{s:s,s:s,s:s,s:s}", "title",
						     "fabmon zone-separation audit report",
						     "generator", "fabmon report " FABMON_VERSION,
						     "generated", now, "eve_json", r->eve));
	json_object_set_new(json_object_get(out, "report"), "lang",
			    json_string(rep_lang_name(r->lang)));
	if (r->src.n > 1 && !r->src.by_host) /* the sensors' files are in "sensors" */
		json_object_set_new(json_object_get(out, "report"), "eve_json", json_null());

	bool final = json_array_size(r->final_stats) > 0;
	json_t *stats = final ? r->final_stats : json_array();
	if (!final && r->last_stats)
		json_array_append(stats, r->last_stats);
	if (!final)
		rep_note(r, "eve.json has no final stats record (the run is still going, or did not end "
			"normally): packet and drop counts are %s",
		     r->last_stats ? "those of the last stats record" : "not known");
	json_t *hdr = build_header(r, stats, final);
	json_t *by_rule = json_object_get(json_object_get(hdr, "alerting"), "by_rule");
	json_t *supp = json_object_get(json_object_get(hdr, "alerting"), "suppressed_by_rule");
	json_object_set_new(out, "run", hdr);
	json_object_set_new(out, "policy", build_policy(r));

	json_object_set_new(out, "input", build_input(r));
	json_object_set_new(out, "sensors", rep_sources_json(&r->src));

	size_t nh, np;
	struct host **hosts = (struct host **)smap_values(&r->hosts, &nh);
	struct pair **pairs = (struct pair **)smap_values(&r->pairs, &np);
	if (!hosts || !pairs) {
		free(hosts);
		free(pairs);
		json_decref(stats == r->final_stats ? NULL : stats);
		json_decref(out);
		r->oom = true;
		return NULL;
	}
	qsort(hosts, nh, sizeof(*hosts), host_cmp);
	qsort_r(pairs, np, sizeof(*pairs), pair_cmp, r);

	json_object_set_new(out, "flows", build_flows(r));

	build_zones(r, hosts, nh, pairs, np, out);
	json_object_set_new(out, "matrix", build_matrix(pairs, np));
	build_conduits(r, out);
	struct rule_stats rst = { by_rule, supp };
	json_object_set_new(out, "hsms", sorted_json(r, &r->hsms, hsms_cmp, hsms_json, NULL));
	json_object_set_new(out, "modbus", sorted_json(r, &r->modbus, mb_cmp, modbus_json, NULL));
	json_object_set_new(out, "rules", sorted_json(r, &r->rules, rule_cmp, rule_json, &rst));
	json_object_set(out, "alerts", r->alerts);
	json_object_set_new(out, "alerts_listed", json_integer((json_int_t)json_array_size(r->alerts)));
	json_object_set_new(out, "alert_records", json_count(r->alert_records));
	if (r->alert_records > json_array_size(r->alerts))
		rep_note(r, "%" PRIu64 " alert records: the first %d are listed one by one; the counts by "
			"rule include all", r->alert_records, MAX_ALERTS_LISTED);
	json_object_set_new(out, "assets", sorted_json(r, &r->assets, asset_cmp, asset_json, NULL));
	json_t *exposure = rep_exposure_json(r->exposure);
	if (!exposure)
		r->oom = true;
	json_object_set_new(out, "exposure", exposure);

	json_object_set_new(out, "summary", build_summary(r, out, pairs, np, nh));
	/* last: it reads the tree made so far */
	json_object_set_new(out, "guideline_evidence", rep_guideline_json(out));
	json_object_set(out, "notes", r->notes);

	free(hosts);
	free(pairs);
	if (stats != r->final_stats)
		json_decref(stats);
	return out;
}
