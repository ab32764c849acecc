/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon report`: reading eve.json into aggregates (struct rep). One line
 * at a time, keeping only aggregates (an eve.json of a few hundred MB needs
 * little memory): flows by zone pair, host, conduit; HSMS and Modbus per
 * host pair; alerts by rule; the last asset record per address. Then the
 * policy copy the run record names.
 */
#include "report/report_model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "zones/asset_baseline.h"
#include "util/eve_reader.h"
#include "util/json_value.h"
#include "util/log.h"
#include "util/exit_codes.h"
#include "zones/policy_file.h"
#include "util/rfc3339.h"
#include "util/sha256.h"
#include "zones/policy.h"

#define MAX_BAD_EXAMPLES 20      /* bad lines quoted in the report */

const char *const verdict_names[V_COUNT] = {
	"allowed", "intra-zone", "violation", "unzoned", "other",
};

static void pair_free(void *p)
{
	struct pair *x = p;
	free(x->src);
	free(x->dst);
	sset_free(&x->apps);
	sset_free(&x->conduits);
	sset_free(&x->sensors);
	uset_free(&x->ports);
	free(x);
}

static void host_free(void *p)
{
	struct host *h = p;
	free(h->ip);
	free(h->zone);
	sset_free(&h->other_zones);
	sset_free(&h->sensors);
	free(h);
}

static void cobs_free(void *p)
{
	struct cobs *c = p;
	free(c->name);
	sset_free(&c->apps);
	sset_free(&c->zone_pairs);
	sset_free(&c->clients);
	sset_free(&c->rules);
	sset_free(&c->sensors);
	uset_free(&c->ports);
	sset_free(&c->outside_apps);
	sset_free(&c->outside_clients);
	uset_free(&c->outside_ports);
	free(c);
}

static void hsms_pair_free(void *p)
{
	struct hsms_pair *h = p;
	free(h->src);
	free(h->dst);
	smap_free(&h->sf, free);
	free(h);
}

static void mb_pair_free(void *p)
{
	struct mb_pair *m = p;
	free(m->client);
	free(m->server);
	smap_free(&m->access, free);
	smap_free(&m->functions, free);
	free(m);
}

static void rule_free(void *p)
{
	struct rule_agg *r = p;
	free(r->rule);
	free(r->signature);
	free(r->sev_name);
	free(r->category);
	json_decref(r->refs);
	free(r);
}

static void asset_free(void *p)
{
	struct asset *a = p;
	free(a->kind);
	free(a->ip);
	json_decref(a->a);
	sset_free(&a->models);
	sset_free(&a->revisions);
	free(a);
}

bool rep_init(struct rep *r)
{
	memset(r, 0, sizeof(*r));
	r->pol_verified = -1;
	r->bad = json_array();
	r->runs = json_array();
	r->reloads = json_array();
	r->final_stats = json_array();
	r->alerts = json_array();
	r->notes = json_array();
	r->exposure = json_object();
	if (!r->bad || !r->runs || !r->reloads || !r->final_stats || !r->alerts || !r->notes ||
	    !r->exposure)
		r->oom = true;
	return !r->oom;
}

bool rep_source_begin(struct rep *r, const char *dir, char *err, size_t errlen)
{
	if ((size_t)snprintf(r->eve, sizeof(r->eve), "%s/eve.json", dir) >= sizeof(r->eve)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return false;
	}
	if (!rep_sources_add(&r->src, dir, r->eve)) {
		r->oom = true;
		snprintf(err, errlen, "out of memory");
		return false;
	}
	r->dir = rep_sources_cur(&r->src)->dir;
	return true;
}

void rep_free(struct rep *r)
{
	json_decref(r->bad);
	smap_free(&r->types, free);
	json_decref(r->runs);
	json_decref(r->reloads);
	json_decref(r->final_stats);
	json_decref(r->last_stats);
	free(r->sensor);
	smap_free(&r->pairs, pair_free);
	smap_free(&r->hosts, host_free);
	smap_free(&r->cobs, cobs_free);
	smap_free(&r->hsms, hsms_pair_free);
	smap_free(&r->modbus, mb_pair_free);
	smap_free(&r->rules, rule_free);
	smap_free(&r->assets, asset_free);
	json_decref(r->alerts);
	json_decref(r->exposure);
	json_decref(r->notes);
	policy_free(r->pol);
	rep_sources_free(&r->src);
	json_decref(r->kv_assets);
}

void rep_note(struct rep *r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_array_append_new(r->notes, json_string(msg)) < 0)
		r->oom = true;
}

static void count_add(struct rep *r, struct smap *m, const char *key, uint64_t n)
{
	bool created;
	void **v = smap_get(m, key, true, &created);
	if (!v) {
		r->oom = true;
		return;
	}
	if (created && !(*v = calloc(1, sizeof(uint64_t)))) {
		r->oom = true;
		return;
	}
	*(uint64_t *)*v += n;
}

void rep_sadd(struct rep *r, struct sset *s, const char *str)
{
	if (str && sset_add(s, str) < 0)
		r->oom = true;
}

static void uadd(struct rep *r, struct uset *s, uint32_t x)
{
	if (uset_add(s, x) < 0)
		r->oom = true;
}

/* Get or make the entry for key: calloc(size) with its first member (a
 * char *) set by the caller. NULL when out of memory. */
static void *entry(struct rep *r, struct smap *m, const char *key, size_t size, bool *created)
{
	void **v = smap_get(m, key, true, created);
	if (!v) {
		r->oom = true;
		return NULL;
	}
	if (*created && !(*v = calloc(1, size)))
		r->oom = true;
	return *v;
}

static char *xstrdup(struct rep *r, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		r->oom = true;
	return d;
}

/* A record's time as the report keeps it: in Suricata's EVE form, UTC,
 * whichever form the record has (earlier fabmon versions wrote "+00:00"), so
 * that times of one width sort as strings; one that cannot be read is
 * kept as it is. False: none. */
static bool ts_canon(struct rep *r, const char *t, char out[TS_LEN])
{
	if (!t || !*t || strlen(t) >= TS_LEN)
		return false;
	/* a flow's start and end are counted in half a dozen places: the
	 * last two times read are kept as read and as canonical */
	for (int i = 0; i < 2; i++)
		if (r->ts_cache[i].in[0] && !strcmp(t, r->ts_cache[i].in)) {
			strcpy(out, r->ts_cache[i].out);
			return true;
		}
	if (!rfc3339_to_eve(t, out))
		strcpy(out, t);
	int slot = r->ts_cache_next;
	r->ts_cache_next ^= 1;
	strcpy(r->ts_cache[slot].in, t);
	strcpy(r->ts_cache[slot].out, out);
	return true;
}

static void ts_min(struct rep *r, char dst[TS_LEN], const char *t)
{
	char c[TS_LEN];
	if (ts_canon(r, t, c) && (!dst[0] || strcmp(c, dst) < 0))
		strcpy(dst, c);
}

static void ts_max(struct rep *r, char dst[TS_LEN], const char *t)
{
	char c[TS_LEN];
	if (ts_canon(r, t, c) && (!dst[0] || strcmp(c, dst) > 0))
		strcpy(dst, c);
}

/* The key of a pair of names (either may be NULL, kept apart from ""). */
static void pair_key(char *key, size_t size, const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 1, lb = b ? strlen(b) : 1;
	if (la + lb + 2 > size) {
		snprintf(key, size, "%s\x1f%s", a ? a : "\x01", b ? b : "\x01");
		return;
	}
	memcpy(key, a ? a : "\x01", la);
	key[la] = '\x1f';
	memcpy(key + la + 1, b ? b : "\x01", lb);
	key[la + 1 + lb] = 0;
}

static struct host *get_host(struct rep *r, const char *ip)
{
	bool created;
	struct host *h = entry(r, &r->hosts, ip, sizeof(*h), &created);
	if (h && created)
		h->ip = xstrdup(r, ip);
	return h;
}

static struct cobs *get_cobs(struct rep *r, const char *name)
{
	bool created;
	struct cobs *c = entry(r, &r->cobs, name, sizeof(*c), &created);
	if (c && created)
		c->name = xstrdup(r, name);
	return c;
}

static void host_zone(struct rep *r, struct host *h, bool first, const char *zone)
{
	if (first) {
		h->zone = xstrdup(r, zone);
		return;
	}
	if ((h->zone == NULL) != (zone == NULL) || (zone && strcmp(h->zone, zone)))
		rep_sadd(r, &h->other_zones, zone ? zone : NO_ZONE);
}

/* The verdict a flow record's (or a summary's) policy names. */
static enum verdict verdict_of(const char *vs)
{
	for (int i = 0; i < V_OTHER; i++)
		if (vs && !strcmp(vs, verdict_names[i]))
			return (enum verdict)i;
	return V_OTHER;
}

/* n flows from zone sz to dz with verdict v, through conduit (or none),
 * in [start, end]: the totals, the zone x zone matrix and the conduit's
 * observations, as a flow record or an attempts summary gives them. The
 * matrix cell, for what only a flow record has (bytes, ports, ...). */
static struct pair *count_flows(struct rep *r, enum verdict v, const char *sz, const char *dz,
				const char *conduit, uint64_t n, const char *start, const char *end)
{
	r->verdicts[v] += n;
	char key[512];
	pair_key(key, sizeof(key), sz, dz);
	bool created;
	struct pair *p = entry(r, &r->pairs, key, sizeof(*p), &created);
	if (!p)
		return NULL;
	if (created) {
		p->src = xstrdup(r, sz);
		p->dst = xstrdup(r, dz);
	}
	p->flows += n;
	p->verdicts[v] += n;
	if (v != V_VIOLATION && v != V_INTRA && !conduit)
		p->no_conduit += n;
	rep_sadd(r, &p->conduits, conduit);
	ts_min(r, p->first, start);
	ts_max(r, p->last, end);
	return p;
}

/* The observations of the conduit a flow (or n flows) went through. */
static struct cobs *count_conduit(struct rep *r, const char *conduit, const char *sz,
				  const char *dz, uint64_t n, const char *start, const char *end)
{
	struct cobs *c = get_cobs(r, conduit);
	if (!c)
		return NULL;
	c->flows += n;
	char zp[300];
	snprintf(zp, sizeof(zp), "%s \xe2\x86\x92 %s", sz ? sz : NO_ZONE, dz ? dz : NO_ZONE);
	rep_sadd(r, &c->zone_pairs, zp);
	ts_min(r, c->first, start);
	ts_max(r, c->last, end);
	return c;
}

/* A flow's ends as hosts of the report. */
static void flow_hosts(struct rep *r, const char *src_ip, const char *dst_ip, const char *sz,
		       const char *dz, uint64_t bytes, const char *start, const char *end)
{
	for (int side = 0; side < 2; side++) {
		const char *ip = side ? dst_ip : src_ip;
		if (!ip)
			continue;
		struct host *h = get_host(r, ip);
		if (!h)
			return;
		bool first = !h->flows_out && !h->flows_in;
		host_zone(r, h, first, side ? dz : sz);
		if (side)
			h->flows_in++;
		else
			h->flows_out++;
		h->bytes += bytes;
		rep_sadd(r, &h->sensors, rep_source_name(r));
		ts_min(r, h->first, start);
		ts_max(r, h->last, end);
	}
}

static struct mb_pair *get_mb_pair(struct rep *r, const char *client, const char *server)
{
	char key[512];
	pair_key(key, sizeof(key), client, server);
	bool created;
	struct mb_pair *m = entry(r, &r->modbus, key, sizeof(*m), &created);
	if (m && created) {
		m->client = xstrdup(r, client);
		m->server = xstrdup(r, server);
	}
	return m;
}

/* A Modbus connection's summary, per client and server. */
void report_feed_flow_modbus(struct rep *r, const char *client, const char *server,
			     uint64_t requests, uint64_t exceptions)
{
	struct mb_pair *m = get_mb_pair(r, client, server);
	if (!m)
		return;
	m->flows++;
	m->requests += requests;
	m->exceptions += exceptions;
}

void report_feed_flow_modbus_access(struct rep *r, const char *client, const char *server,
				    const char *access, uint64_t requests)
{
	struct mb_pair *m = get_mb_pair(r, client, server);
	if (m)
		count_add(r, &m->access, access, requests);
}

static void flow_hsms_unrecorded(struct rep *r, json_t *rec, const char *src, const char *dst,
				 const char *start, const char *end);

void report_feed_flow(struct rep *r, const struct report_flow *f)
{
	r->flows++;
	struct rep_source *src = rep_sources_cur(&r->src);
	if (src)
		src->flows++;
	ts_min(r, r->first, f->start);
	ts_max(r, r->last, f->end);
	if (!f->has_policy) {
		r->flows_no_verdict++;
		return;
	}
	enum verdict v = verdict_of(f->verdict);
	struct pair *p = count_flows(r, v, f->src_zone, f->dest_zone, f->conduit, 1, f->start,
				     f->end);
	if (!p)
		return;
	p->bytes += f->bytes;
	p->alerts += f->alerts;
	rep_sadd(r, &p->apps, f->app_proto);
	rep_sadd(r, &p->sensors, rep_source_name(r));
	if (f->has_port)
		uadd(r, &p->ports, f->dest_port);
	flow_hosts(r, f->src_ip, f->dest_ip, f->src_zone, f->dest_zone, f->bytes, f->start, f->end);

	if (f->conduit) {
		struct cobs *c = count_conduit(r, f->conduit, f->src_zone, f->dest_zone, 1, f->start,
					       f->end);
		if (!c)
			return;
		c->bytes += f->bytes;
		rep_sadd(r, &c->apps, f->app_proto);
		rep_sadd(r, &c->sensors, rep_source_name(r));
		if (f->has_port)
			uadd(r, &c->ports, f->dest_port);
		rep_sadd(r, &c->clients, f->src_ip);
	}

	const char *outside = v == V_VIOLATION ? f->violated_conduit : NULL;
	if (outside) {
		struct cobs *c = get_cobs(r, outside);
		if (!c)
			return;
		c->outside_flows++;
		rep_sadd(r, &c->outside_apps, f->app_proto);
		rep_sadd(r, &c->outside_clients, f->src_ip);
		if (f->has_port)
			uadd(r, &c->outside_ports, f->dest_port);
	}
}

/* A flow another sensor's record counted already: only this sensor is
 * listed beside it, in the matrix cell, its hosts and its conduit. */
static void also_seen(struct rep *r, const struct report_flow *f)
{
	const char *me = rep_source_name(r);
	char key[512];
	pair_key(key, sizeof(key), f->src_zone, f->dest_zone);
	struct pair *p = f->has_policy ? smap_find(&r->pairs, key) : NULL;
	if (p)
		rep_sadd(r, &p->sensors, me);
	for (int side = 0; side < 2; side++) {
		const char *ip = side ? f->dest_ip : f->src_ip;
		struct host *h = ip && f->has_policy ? smap_find(&r->hosts, ip) : NULL;
		if (h)
			rep_sadd(r, &h->sensors, me);
	}
	struct cobs *c = f->conduit && f->has_policy ? smap_find(&r->cobs, f->conduit) : NULL;
	if (c)
		rep_sadd(r, &c->sensors, me);
}

static void on_flow(struct rep *r, json_t *rec)
{
	json_t *fl = json_object_get(rec, "flow"), *pol = json_object_get(rec, "policy");
	json_t *dport = json_object_get(rec, "dest_port");
	struct report_flow f = {
		.start = json_member_str(fl, "start"),
		.end = json_member_str(fl, "end"),
		.src_ip = json_member_str(rec, "src_ip"),
		.dest_ip = json_member_str(rec, "dest_ip"),
		.app_proto = json_member_str(rec, "app_proto"),
		.bytes = json_member_count(fl, "bytes_toserver") + json_member_count(fl, "bytes_toclient"),
		.has_port = json_is_integer(dport),
		.dest_port = json_is_integer(dport) ? (uint32_t)json_integer_value(dport) : 0,
		.has_policy = json_is_object(pol),
		.verdict = json_member_str(pol, "verdict"),
		.src_zone = json_member_str(pol, "src_zone"),
		.dest_zone = json_member_str(pol, "dest_zone"),
		.conduit = json_member_str(pol, "conduit"),
		.violated_conduit = json_member_str(pol, "violated_conduit"),
		.alerts = json_member_count(pol, "alerts"),
	};
	int seen = rep_sources_flow_seen(&r->src, json_member_str(rec, "community_id"), f.start,
					 f.end);
	if (seen < 0)
		r->oom = true;
	if (seen > 0) {
		also_seen(r, &f);
		return;
	}
	report_feed_flow(r, &f);
	flow_hsms_unrecorded(r, rec, f.src_ip, f.dest_ip, f.start, f.end);

	json_t *mb = json_object_get(rec, "modbus");
	if (!json_is_object(mb) || !f.src_ip || !f.dest_ip)
		return;
	report_feed_flow_modbus(r, f.src_ip, f.dest_ip, json_member_count(mb, "requests"),
				json_member_count(mb, "exceptions"));
	const char *k;
	json_t *n;
	json_object_foreach(json_object_get(mb, "requests_by_access"), k, n)
		report_feed_flow_modbus_access(r, f.src_ip, f.dest_ip, k,
					       json_is_integer(n) ? (uint64_t)json_integer_value(n) : 0);
}

/* n HSMS messages: what (S6F11, select.req) from src to dst, between
 * first and last (one message: first = last = its time). */
void report_feed_flow_hsms(struct rep *r, const char *src, const char *dst, const char *what,
			   uint64_t n, const char *first, const char *last)
{
	if (!src || !dst || !what)
		return;
	char key[256];
	pair_key(key, sizeof(key), src, dst);
	bool created;
	struct hsms_pair *p = entry(r, &r->hsms, key, sizeof(*p), &created);
	if (!p)
		return;
	if (created) {
		p->src = xstrdup(r, src);
		p->dst = xstrdup(r, dst);
	}
	p->total += n;
	count_add(r, &p->sf, what, n);
	ts_min(r, p->first, first);
	ts_max(r, p->last, last);
}

void report_feed_hsms(struct rep *r, const char *src, const char *dst, const char *what,
		      const char *ts)
{
	report_feed_flow_hsms(r, src, dst, what, 1, ts, ts);
}

/* The messages a flow record counts instead of writing a record for each
 * (--hsms-records non-routine or none), both directions under the flow's
 * pair as hsms records are: the histogram is the same whichever records
 * the run wrote; their times are the flow's start and end. */
static void flow_hsms_unrecorded(struct rep *r, json_t *rec, const char *src, const char *dst,
				 const char *start, const char *end)
{
	json_t *u = json_object_get(json_object_get(rec, "hsms"), "messages_without_record");
	if (!json_is_object(u) || !src || !dst)
		return;
	static const char *const dirs[2] = { "toserver", "toclient" };
	for (int d = 0; d < 2; d++) {
		const char *k;
		json_t *n;
		json_object_foreach(json_object_get(u, dirs[d]), k, n)
			if (json_is_integer(n) && json_integer_value(n) > 0)
				report_feed_flow_hsms(r, src, dst, k, (uint64_t)json_integer_value(n), start, end);
	}
}

static void on_hsms(struct rep *r, json_t *rec)
{
	if (rep_sources_record_seen(&r->src, json_member_str(rec, "community_id"),
				   json_member_str(rec, "timestamp")))
		return;
	json_t *h = json_object_get(rec, "hsms");
	const char *what = json_member_str(h, "sf");
	report_feed_hsms(r, json_member_str(rec, "src_ip"), json_member_str(rec, "dest_ip"), what ? what : json_member_str(h, "stype"),
		     json_member_str(rec, "timestamp"));
}

/* One Modbus request of function fn from client src to server dst. */
void report_feed_modbus_request(struct rep *r, const char *client, const char *server,
				const char *function)
{
	struct mb_pair *p = get_mb_pair(r, client, server);
	if (p)
		count_add(r, &p->functions, function, 1);
}

/* A modbus record is a transaction (Suricata's layout): its request, if it
 * was seen, is one request of its function. */
static void on_modbus(struct rep *r, json_t *rec)
{
	json_t *q = json_object_get(json_object_get(rec, "modbus"), "request");
	const char *src = json_member_str(rec, "src_ip"), *dst = json_member_str(rec, "dest_ip");
	const char *fn = json_member_str(q, "function_name");
	if (!src || !dst || !json_is_object(q))
		return;
	if (rep_sources_record_seen(&r->src, json_member_str(rec, "community_id"),
				   json_member_str(rec, "timestamp")))
		return;
	char fname[96];
	if (!fn) {
		snprintf(fname, sizeof(fname), "fc %" PRIu64, json_member_count(q, "function_raw") & 0x7f);
		fn = fname;
	}
	report_feed_modbus_request(r, src, dst, fn);
}

static void on_alert(struct rep *r, json_t *rec)
{
	json_t *a = json_object_get(rec, "alert");
	if (rep_sources_record_seen(&r->src, json_member_str(rec, "community_id"),
				   json_member_str(rec, "timestamp")))
		return; /* the same alert of another sensor that saw the connection */
	const char *rule = eve_alert_rule_id(a, NULL);
	if (!rule)
		rule = "(no rule id)";
	json_t *cnt = json_object_get(a, "count");
	uint64_t count = json_is_integer(cnt) ? json_member_count(a, "count") : 1;
	bool repeat = json_is_true(json_object_get(a, "repeat"));
	r->alert_records++;
	r->alert_hits += count;

	bool created;
	struct rule_agg *g = entry(r, &r->rules, rule, sizeof(*g), &created);
	if (!g)
		return;
	if (created) {
		g->rule = xstrdup(r, rule);
		g->severity = (int)json_member_count(a, "severity");
	}
	if (!g->signature)
		g->signature = xstrdup(r, json_member_str(a, "signature"));
	if (!g->sev_name)
		g->sev_name = xstrdup(r, json_member_str(a, "severity_name"));
	if (!g->category)
		g->category = xstrdup(r, json_member_str(a, "category"));
	if (!g->refs && json_is_array(json_object_get(a, "references")))
		g->refs = json_incref(json_object_get(a, "references"));
	g->count += count;
	g->records++;
	if (repeat)
		g->repeats++;
	const char *fs = json_member_str(a, "first_seen"), *ls = json_member_str(a, "last_seen");
	ts_min(r, g->first, fs ? fs : json_member_str(rec, "timestamp"));
	ts_max(r, g->last, ls ? ls : json_member_str(rec, "timestamp"));

	const char *conduit = json_member_str(a, "conduit");
	if (conduit) {
		struct cobs *c = get_cobs(r, conduit);
		if (!c)
			return;
		c->alerts += count;
		rep_sadd(r, &c->rules, rule);
	}

	if (json_array_size(r->alerts) >= MAX_ALERTS_LISTED)
		return;
	json_t *src = json_object_get(a, "source"), *tgt = json_object_get(a, "target");
	json_t *o = json_object();
	if (!o) {
		r->oom = true;
		return;
	}
	char when[TS_LEN];
	const char *ts = json_member_str(rec, "timestamp");
	json_object_set_new(o, "timestamp", json_string_or_null(ts_canon(r, ts, when) ? when : ts));
	json_object_set_new(o, "rule", json_string(rule));
	json_object_set_new(o, "severity", json_integer(g->severity));
	json_object_set_new(o, "severity_name", json_string_or_null(json_member_str(a, "severity_name")));
	json_object_set_new(o, "src_ip", json_string_or_null(json_member_str(rec, "src_ip")));
	if (json_object_get(rec, "src_port"))
		json_object_set_new(o, "src_port", json_count(json_member_count(rec, "src_port")));
	json_object_set_new(o, "dest_ip", json_string_or_null(json_member_str(rec, "dest_ip")));
	if (json_object_get(rec, "dest_port"))
		json_object_set_new(o, "dest_port", json_count(json_member_count(rec, "dest_port")));
	json_object_set_new(o, "src_zone", json_string_or_null(json_member_str(src, "zone")));
	json_object_set_new(o, "dest_zone", json_string_or_null(json_member_str(tgt, "zone")));
	json_object_set_new(o, "app_proto", json_string_or_null(json_member_str(rec, "app_proto")));
	json_object_set_new(o, "conduit", json_string_or_null(conduit));
	json_object_set_new(o, "reason", json_string_or_null(json_member_str(a, "reason")));
	json_object_set_new(o, "count", json_count(count));
	json_object_set_new(o, "repeat", json_boolean(repeat));
	json_object_set_new(o, "community_id", json_string_or_null(json_member_str(rec, "community_id")));
	json_object_set_new(o, "evidence", json_string_or_null(json_member_str(json_object_get(a, "evidence"), "file")));
	if (json_array_append_new(r->alerts, o) < 0)
		r->oom = true;
}

static void on_asset(struct rep *r, json_t *rec)
{
	json_t *a = json_object_get(rec, "asset");
	const char *ip = json_member_str(a, "ip"), *kind = json_member_str(a, "kind");
	if (!ip)
		return;
	if (!kind)
		kind = "asset";
	char key[256];
	pair_key(key, sizeof(key), ip, kind);
	bool created;
	struct asset *s = entry(r, &r->assets, key, sizeof(*s), &created);
	if (!s)
		return;
	if (created) {
		s->ip = xstrdup(r, ip);
		s->kind = xstrdup(r, kind);
	}
	json_decref(s->a);
	s->a = json_incref(a);
	s->records++;
	rep_sadd(r, &s->models, asset_model(a));
	rep_sadd(r, &s->revisions, asset_revision(a));
	ts_canon(r, json_member_str(rec, "timestamp"), s->ts);
}

/* Half-open TCP flows, summarised per interval (flow_attempts, issue 16)
 * instead of a flow record each: counted in the totals, the zone x zone
 * matrix and the conduits' observations as their flow records were. The
 * summary has no ports, applications or hosts per zone pair: those stay
 * out (a flood's spoofed sources should not become hosts anyway). */
static void on_flow_attempts(struct rep *r, json_t *rec)
{
	json_t *fa = json_object_get(rec, "flow_attempts");
	const char *start = json_member_str(fa, "interval_start");
	const char *end = json_member_str(fa, "interval_end");
	json_t *pairs = json_object_get(fa, "zone_pairs");
	/* --flow-records all: their flow records were counted already */
	if (!json_is_array(pairs) || json_is_true(json_object_get(fa, "flows_recorded")))
		return;
	size_t i;
	json_t *it;
	json_array_foreach(pairs, i, it) {
		uint64_t n = json_member_count(it, "flows");
		if (!n)
			continue;
		r->flows += n;
		ts_min(r, r->first, start);
		ts_max(r, r->last, end);
		const char *vs = json_member_str(it, "verdict");
		if (!vs) {
			r->flows_no_verdict += n;
			continue;
		}
		const char *sz = json_member_str(it, "src_zone"), *dz = json_member_str(it, "dest_zone");
		const char *conduit = json_member_str(it, "conduit");
		if (!count_flows(r, verdict_of(vs), sz, dz, conduit, n, start, end))
			return;
		if (conduit && !count_conduit(r, conduit, sz, dz, n, start, end))
			return;
	}
}

/* A host's exposure (issue 19 item 1), written once at the end of a run:
 * kept whole, the last record of each address (several sensors: the last
 * directory's). */
static void on_exposure(struct rep *r, json_t *rec)
{
	json_t *x = json_object_get(rec, "exposure");
	const char *ip = json_member_str(x, "ip");
	if (!ip || !json_is_array(json_object_get(x, "services")))
		return;
	/* its times in EVE's form, as the report's others (an older file's
	 * +00:00 reads the same); the record is dropped after this call, so
	 * its part is kept and changed in place, not copied */
	json_t *c = json_incref(x);
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c, "services"), i, s) {
		static const char *const keys[] = { "first_seen", "last_seen" };
		for (int k = 0; k < 2; k++) {
			char t[TS_LEN];
			if (ts_canon(r, json_member_str(s, keys[k]), t))
				json_object_set_new(s, keys[k], json_string(t));
		}
	}
	if (!c || json_object_set_new(r->exposure, ip, c) < 0)
		r->oom = true;
}

/* What every record gives: its type, the sensor's name. */
static void on_any(struct rep *r, const char *et, const char *host)
{
	count_add(r, &r->types, et ? et : "(none)", 1);
	if (host && !r->sensor)
		r->sensor = xstrdup(r, host);
	if (!rep_sources_host(&r->src, host))
		r->oom = true;
	struct rep_source *s = rep_sources_cur(&r->src);
	if (s)
		s->records++;
}

static void on_run(struct rep *r, json_t *rec)
{
	json_t *run = json_object_get(rec, "run");
	if (json_is_object(run)) {
		json_array_append(r->runs, run);
		r->pol_rec = json_object_get(run, "policy");
		r->pol_dir = r->dir;
		if (!rep_sources_policy(&r->src, json_member_str(r->pol_rec, "sha256")))
			r->oom = true;
	}
}

static void on_policy(struct rep *r, json_t *rec)
{
	json_t *p = json_object_get(rec, "policy");
	if (json_is_object(p)) {
		json_t *o = json_pack("{s:O?,s:O}", "timestamp", json_object_get(rec, "timestamp"),
				      "policy", p);
		if (!o || json_array_append_new(r->reloads, o) < 0)
			r->oom = true;
		r->pol_rec = p;
		r->pol_dir = r->dir;
		if (!rep_sources_policy(&r->src, json_member_str(p, "sha256")))
			r->oom = true;
	}
}

static void on_stats(struct rep *r, json_t *rec)
{
	json_t *st = json_object_get(rec, "stats");
	if (json_is_object(st)) {
		json_decref(r->last_stats);
		r->last_stats = json_incref(st);
		if (json_is_true(json_object_get(st, "final")))
			json_array_append(r->final_stats, st);
	}
}

/* The kinds of record the report reads, beyond on_any. A run feeds the
 * typed ones by their values (report_feed.h), the others by their text:
 * few per run, or kept whole (run, policy and stats objects, the last
 * asset object, the alerts listed). */
static const struct record_kind {
	const char *event_type;
	void (*read)(struct rep *r, json_t *rec);
	bool typed;
} record_kinds[] = {
	{ "flow", on_flow, true },
	{ "hsms", on_hsms, true },
	{ "modbus", on_modbus, true },
	{ "flow_attempts", on_flow_attempts, false },
	{ "alert", on_alert, false },
	{ "asset", on_asset, false },
	{ "exposure", on_exposure, false },
	{ "run", on_run, false },
	{ "policy", on_policy, false },
	{ "stats", on_stats, false },
};

static const struct record_kind *record_kind(const char *et)
{
	for (size_t i = 0; et && i < sizeof(record_kinds) / sizeof(record_kinds[0]); i++)
		if (!strcmp(et, record_kinds[i].event_type))
			return &record_kinds[i];
	return NULL;
}

/* A line that is not a record: counted and quoted in the report (the
 * reader has said it on stderr). */
static void on_bad(void *ctx, const struct eve_line *l, const struct eve_bad *why)
{
	struct rep *r = ctx;
	r->bad_lines++;
	struct rep_source *s = rep_sources_cur(&r->src);
	if (s)
		s->bad_lines++;
	if (json_array_size(r->bad) >= MAX_BAD_EXAMPLES)
		return;
	char msg[PATH_MAX + 320];
	if (why->column > 0)
		snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": not a JSON record (column %d: %s); skipped",
			 r->eve, l->lineno, why->column, why->text);
	else
		snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": not a JSON record (%s); skipped", r->eve,
			 l->lineno, why->text);
	json_array_append_new(r->bad, json_string(msg));
}

static int on_line(void *ctx, json_t *rec, const struct eve_line *l)
{
	(void)l;
	struct rep *r = ctx;
	r->records++;
	const char *et = json_member_str(rec, "event_type");
	on_any(r, et, json_member_str(rec, "host"));
	const struct record_kind *k = record_kind(et);
	if (k)
		k->read(r, rec);
	return r->oom ? 1 : 0; /* out of memory: rep_build says so */
}

/* The bulk of a busy eve.json, one hsms record per HSMS message and one
 * modbus record per transaction, taken from the reader's scan of a few
 * members (the values jansson would give, by its contract) instead of a
 * json_t: the same aggregates as on_hsms and on_modbus. */
enum { F_ET, F_HOST, F_SRC, F_DST, F_TS, F_SF, F_STYPE, F_FN, F_CID, F_COUNT };

static const struct eve_field scan_fields[F_COUNT] = {
	[F_ET] = { .key = "event_type" }, [F_HOST] = { .key = "host" },
	[F_SRC] = { .key = "src_ip" }, [F_DST] = { .key = "dest_ip" },
	[F_TS] = { .key = "timestamp" },
	[F_SF] = { .parent = "hsms", .key = "sf" }, [F_STYPE] = { .parent = "hsms", .key = "stype" },
	[F_FN] = { .parent = "modbus.request", .key = "function_name" },
	[F_CID] = { .key = "community_id" },
};

static const char *const scan_types[] = { "hsms", "modbus", NULL };

static int on_scanned(void *ctx, const struct eve_field *f, const struct eve_line *l)
{
	(void)l;
	struct rep *r = ctx;
	const char *et = f[F_ET].value;
	bool hsms = et && !strcmp(et, "hsms"), modbus = et && !strcmp(et, "modbus");
	/* fabmon names every request's function; a record without the name
	 * (a response alone, or another writer's) is parsed fully */
	bool req = modbus && f[F_SRC].value && f[F_DST].value && f[F_FN].value;
	if (!hsms && !req)
		return EVE_SCAN_DECLINED;
	r->records++;
	on_any(r, et, f[F_HOST].value);
	if (rep_sources_record_seen(&r->src, f[F_CID].value, f[F_TS].value))
		return 0;
	if (hsms)
		report_feed_hsms(r, f[F_SRC].value, f[F_DST].value,
			     f[F_SF].value ? f[F_SF].value : f[F_STYPE].value, f[F_TS].value);
	else
		report_feed_modbus_request(r, f[F_SRC].value, f[F_DST].value, f[F_FN].value);
	return r->oom ? 1 : 0;
}

void report_feed_record(struct rep *r, const char *et, const char *host, const char *line,
			size_t len)
{
	r->lines++;
	r->records++;
	r->eve_bytes += len;
	struct rep_source *s = rep_sources_cur(&r->src);
	if (s) {
		s->lines++;
		s->bytes += len;
	}
	on_any(r, et, host);
	const struct record_kind *k = record_kind(et);
	if (!k || k->typed)
		return;
	json_error_t je;
	json_t *rec = json_loadb(line, len, EVE_LOAD_FLAGS, &je);
	if (!rec) {
		/* not expected of fabmon's own writer: said, not hidden */
		rep_note(r, "record %" PRIu64 " (%s) of the run could not be read back (column %d: "
			 "%s); the report leaves it out", r->records, et, je.column, je.text);
		return;
	}
	k->read(r, rec);
	json_decref(rec);
}

bool report_feed_wants_text(const char *et)
{
	const struct record_kind *k = record_kind(et);
	return k && !k->typed;
}

struct rep *report_feed_new(const char *dir)
{
	struct rep *r = malloc(sizeof(*r));
	if (!r)
		return NULL;
	char err[64];
	bool ok = rep_init(r);
	r->from_run = true;
	if (!ok || !rep_source_begin(r, dir, err, sizeof(err))) {
		report_feed_free(r);
		return NULL;
	}
	return r;
}

void report_feed_free(struct rep *r)
{
	if (!r)
		return;
	rep_free(r);
	free(r);
}

int rep_read_eve(struct rep *r, char *err, size_t errlen)
{
	static const struct eve_reader_ops ops = {
		.record = on_line, .bad = on_bad, .sha256 = true,
		.scanned = on_scanned, .scan_types = scan_types,
		.scan_fields = scan_fields, .scan_nfields = F_COUNT,
	};
	struct eve_read_stats st;
	int rc = eve_read_file(r->eve, &ops, r, &st);
	r->lines += st.lines;
	r->eve_bytes += st.bytes;
	memcpy(r->eve_sha256, st.sha256, sizeof(st.sha256));
	struct rep_source *s = rep_sources_cur(&r->src);
	if (s && !r->src.by_host) { /* by host, the file is all the sources' */
		s->lines = st.lines;
		s->bytes = st.bytes;
		memcpy(s->sha256, st.sha256, sizeof(s->sha256));
	}
	if (rc == EVE_READ_CANNOT_OPEN) {
		snprintf(err, errlen, "cannot read %s: %s", r->eve, strerror(st.err));
		return EXIT_INPUT;
	}
	if (rc == EVE_READ_ERROR) {
		snprintf(err, errlen, "error reading %s (after line %" PRIu64 "): %s", r->eve, r->lines,
			 strerror(st.err));
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/* The first pass over one eve.json of several sensors: their flows, to know
 * which sensor's record of a connection counts before any of its records
 * is read. */
static int on_prescan(void *ctx, json_t *rec, const struct eve_line *l)
{
	(void)l;
	struct rep *r = ctx;
	json_t *fl = json_object_get(rec, "flow");
	if (!rep_sources_host(&r->src, json_member_str(rec, "host")) ||
	    rep_sources_prescan_flow(&r->src, json_member_str(rec, "community_id"),
				     json_member_str(fl, "start"), json_member_str(fl, "end")) < 0)
		r->oom = true;
	return r->oom ? 1 : 0;
}

int rep_prescan_eve(struct rep *r, char *err, size_t errlen)
{
	static const char *const flows[] = { "flow", NULL };
	static const struct eve_reader_ops ops = { .record = on_prescan, .types = flows };
	struct eve_read_stats st;
	int rc = eve_read_file(r->eve, &ops, r, &st);
	if (rc == EVE_READ_CANNOT_OPEN || rc == EVE_READ_ERROR) {
		snprintf(err, errlen, "cannot read %s: %s", r->eve, strerror(st.err));
		return EXIT_INPUT;
	}
	r->src.prescanned = true;
	return EXIT_OK;
}

/* The policy in force at the end: its copy beside eve.json. */
void rep_load_policy(struct rep *r)
{
	if (!json_is_object(r->pol_rec)) {
		if (!json_array_size(r->runs))
			rep_note(r, "eve.json has no run record: the policy in force is not known, so the "
				"report has no policy sections (zones from the flows only)");
		else
			rep_note(r, "the run had no policy (rules off): the report has no policy sections");
		return;
	}
	const char *copy = json_member_str(r->pol_rec, "copy"), *sha = json_member_str(r->pol_rec, "sha256");
	bool builtin = json_is_true(json_object_get(r->pol_rec, "builtin"));
	struct policy_error pe;
	char msg[1024];
	if (copy && *copy && !strchr(copy, '/') && strcmp(copy, "..") && strcmp(copy, ".")) {
		snprintf(r->pol_path, sizeof(r->pol_path), "%s/%s", r->pol_dir ? r->pol_dir : r->dir, copy);
		char hex[65];
		uint64_t len;
		int e = sha256_file(r->pol_path, hex, &len);
		if (e == 0) {
			r->pol_verified = sha && !strcmp(hex, sha);
			if (!r->pol_verified) {
				rep_note(r, "the policy copy %s has SHA-256 %s but the run recorded %s: it was "
					"changed after the run; the report uses it as it is now", copy, hex,
				     sha ? sha : "none");
				log_warn("report: policy copy %s differs from the one the run recorded",
					 r->pol_path);
			}
			r->pol = policy_load_file(r->pol_path, &pe);
			if (!r->pol) {
				policy_error_format(&pe, msg, sizeof(msg));
				rep_note(r, "the policy copy cannot be parsed (%s): the report has no policy "
					"sections", msg);
				log_warn("report: %s", msg);
			}
			return;
		}
		if (!builtin) {
			rep_note(r, "the policy copy %s cannot be read (%s): the report has no policy "
				"sections (zones and conduits of the policy, coverage of zones without "
				"traffic); the matrix and the rest come from eve.json", copy, strerror(-e));
			log_warn("report: cannot read the policy copy %s: %s; writing the report without "
				 "the policy sections", r->pol_path, strerror(-e));
			r->pol_path[0] = 0;
			return;
		}
		r->pol_path[0] = 0;
	} else if (!builtin) {
		rep_note(r, "the run record names no policy copy: the report has no policy sections");
		log_warn("report: the run record names no policy copy; writing the report without the "
			 "policy sections");
		return;
	}
	/* the built-in default, if it is the one the run used */
	char hex[65];
	sha256_hex(policy_builtin_yaml, strlen(policy_builtin_yaml), hex);
	if (sha && !strcmp(sha, hex)) {
		r->pol = policy_builtin(&pe);
		r->pol_verified = r->pol != NULL;
		snprintf(r->pol_path, sizeof(r->pol_path), "built-in");
		return;
	}
	rep_note(r, "the run used a built-in policy of another fabmon version (SHA-256 %s) and its copy "
		"is missing: the report has no policy sections", sha ? sha : "none");
	log_warn("report: the built-in policy of the run is not this fabmon's and its copy is "
		 "missing; writing the report without the policy sections");
}
