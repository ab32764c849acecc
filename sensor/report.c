/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon report DIR`: the zone-separation audit report.
 *
 * Reads DIR/eve.json one line at a time, keeping only aggregates (an
 * eve.json of a few hundred MB needs little memory), and the policy copy
 * the run record names; writes report.json, report.html (self-contained:
 * inline CSS and SVG, no script), matrix.csv and inventory.csv:
 *
 *  1. the run: fabmon version, sensor, mode, captures with their SHA-256,
 *     the policy with its SHA-256 and reloads, time window, packets, drops;
 *  2. zone coverage (IEC 62443-3-2 ZCR 3, NIST CSF ID.AM-03): the hosts
 *     seen in each zone, hosts in no zone, zones with no evidence;
 *  3. the zone x zone matrix of observed flows and their verdicts;
 *  4. per conduit, what it allows against what was observed through it;
 *     the HSMS S/F histogram per host pair, Modbus access per client;
 *  5. violations by rule and the alerts;
 *  6. the equipment inventory.
 *
 * The aggregates become one JSON tree (report.json); the HTML and the CSV
 * files are rendered from that tree, so all four say the same thing.
 */
#include "sensor/report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dissectors/gem.h"
#include "dissectors/modbus.h"
#include "sensor/log.h"
#include "sensor/options.h"
#include "sensor/policy_file.h"
#include "sensor/sha256.h"
#include "sensor/version.h"
#include "zones/policy.h"

#define TS_LEN 40
#define NO_ZONE "(none)"
#define MAX_ALERTS_LISTED 5000   /* alerts listed one by one; all are counted */
#define MAX_BAD_EXAMPLES 20      /* bad lines quoted in the report */
#define MAX_BAD_LOGGED 10        /* bad lines said on stderr */
#define HTML_MAX_ITEMS 100       /* hosts, ports, clients shown per table cell */

/* ------------------------------------------------------------------ helpers */

/* Hash map from strings to pointers (open addressing). */
struct smap_ent {
	char *key;
	void *val;
};

struct smap {
	struct smap_ent *e;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static int smap_grow(struct smap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct smap_ent *ne = calloc(ncap, sizeof(*ne));
	if (!ne)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		size_t j = str_hash(m->e[i].key) & (ncap - 1);
		while (ne[j].key)
			j = (j + 1) & (ncap - 1);
		ne[j] = m->e[i];
	}
	free(m->e);
	m->e = ne;
	m->cap = ncap;
	return 0;
}

/* The value slot of key: NULL when absent and !create, or out of memory.
 * A new entry's value is NULL and *created is set. */
static void **smap_get(struct smap *m, const char *key, bool create, bool *created)
{
	if (created)
		*created = false;
	if (m->cap) {
		size_t j = str_hash(key) & (m->cap - 1);
		while (m->e[j].key) {
			if (!strcmp(m->e[j].key, key))
				return &m->e[j].val;
			j = (j + 1) & (m->cap - 1);
		}
	}
	if (!create)
		return NULL;
	if ((m->n + 1) * 10 > m->cap * 7 && smap_grow(m) < 0)
		return NULL;
	char *k = strdup(key);
	if (!k)
		return NULL;
	size_t j = str_hash(key) & (m->cap - 1);
	while (m->e[j].key)
		j = (j + 1) & (m->cap - 1);
	m->e[j].key = k;
	m->e[j].val = NULL;
	m->n++;
	if (created)
		*created = true;
	return &m->e[j].val;
}

static void *smap_find(const struct smap *m, const char *key)
{
	void **v = smap_get((struct smap *)m, key, false, NULL);
	return v ? *v : NULL;
}

static void smap_free(struct smap *m, void (*fn)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->e[i].key)
			continue;
		free(m->e[i].key);
		if (fn && m->e[i].val)
			fn(m->e[i].val);
	}
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* The values, in no order (NULL values left out); *n says how many. */
static void **smap_values(const struct smap *m, size_t *n)
{
	void **v = malloc((m->n ? m->n : 1) * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key && m->e[i].val)
			v[(*n)++] = m->e[i].val;
	return v;
}

/* Compare with digit runs as numbers: S1F2 < S1F13, 10.0.0.9 < 10.0.0.10. */
static int natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			while (*a == '0' && a[1] >= '0' && a[1] <= '9')
				a++;
			while (*b == '0' && b[1] >= '0' && b[1] <= '9')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int natcmp_p(const void *x, const void *y)
{
	return natcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorted sets of strings and of numbers. */
struct sset {
	char **v;
	size_t n, cap;
};

struct uset {
	uint32_t *v;
	size_t n, cap;
};

static int sset_add(struct sset *s, const char *str)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = natcmp(s->v[mid], str);
		if (!c)
			c = strcmp(s->v[mid], str);
		if (!c)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4;
		char **nv = realloc(s->v, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	char *d = strdup(str);
	if (!d)
		return -1;
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	s->v[lo] = d;
	s->n++;
	return 0;
}

static void sset_free(struct sset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int uset_add(struct uset *s, uint32_t x)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] == x)
			return 0;
		if (s->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4;
		uint32_t *nv = realloc(s->v, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv;
		s->cap = ncap;
	}
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	s->v[lo] = x;
	s->n++;
	return 0;
}

static void uset_free(struct uset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Timestamps are RFC 3339 in UTC with a fixed width: they sort as strings. */
static void ts_min(char dst[TS_LEN], const char *t)
{
	if (t && *t && strlen(t) < TS_LEN && (!dst[0] || strcmp(t, dst) < 0))
		strcpy(dst, t);
}

static void ts_max(char dst[TS_LEN], const char *t)
{
	if (t && *t && strlen(t) < TS_LEN && (!dst[0] || strcmp(t, dst) > 0))
		strcpy(dst, t);
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM"; NAN if not. */
static double ts_seconds(const char *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int n = 0;
	if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return NAN;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double s = (double)timegm(&tm);
	const char *p = t + n;
	if (*p == '.') {
		double scale = 0.1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			s += (*p - '0') * scale;
	}
	int oh, om;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
		s -= (*p == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
	return s;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static uint64_t ju(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	if (json_is_real(v))
		return json_real_value(v) > 0 ? (uint64_t)json_real_value(v) : 0;
	return 0;
}

static json_t *ji(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *jsn(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jts(const char *t)
{
	return t && *t ? json_string(t) : json_null();
}

/* ------------------------------------------------------------ aggregates */

enum verdict { V_ALLOWED, V_INTRA, V_VIOLATION, V_UNZONED, V_OTHER, V_COUNT };

static const char *const verdict_names[V_COUNT] = {
	"allowed", "intra-zone", "violation", "unzoned", "other",
};

/* One cell of the zone x zone matrix. */
struct pair {
	char *src, *dst;              /* NULL: no zone */
	uint64_t flows, bytes, alerts;
	uint64_t verdicts[V_COUNT];
	uint64_t no_conduit;          /* not intra-zone, not a violation, through no conduit */
	struct sset apps, conduits;
	struct uset ports;
	char first[TS_LEN], last[TS_LEN];
};

struct host {
	char *ip;
	char *zone;                   /* NULL: in no zone */
	struct sset other_zones;      /* when flows disagree (a reload moved it) */
	uint64_t flows_out, flows_in, bytes;
	char first[TS_LEN], last[TS_LEN];
};

/* A conduit as observed in flows (policy.conduit) and alerts (alert.conduit). */
struct cobs {
	char *name;
	uint64_t flows, bytes, alerts;
	struct sset apps, zone_pairs, clients, rules;
	struct uset ports;
	char first[TS_LEN], last[TS_LEN];
};

struct hsms_pair {
	char *src, *dst;
	uint64_t total;
	struct smap sf;               /* "S6F11" / "select.req" -> uint64_t */
	char first[TS_LEN], last[TS_LEN];
};

struct mb_pair {
	char *client, *server;
	uint64_t flows, requests, exceptions;
	struct smap access;           /* access class -> requests (flow summaries) */
	struct smap functions;        /* function name -> requests (modbus records) */
};

struct rule_agg {
	char *rule, *signature, *sev_name, *category;
	int severity;
	json_t *refs;
	uint64_t count, records, repeats;
	char first[TS_LEN], last[TS_LEN];
};

struct asset {
	char *kind, *ip;
	json_t *a;                    /* the last asset object */
	uint64_t records;
	struct sset models, revisions;
	char ts[TS_LEN];
};

struct rep {
	const char *dir;
	char eve[PATH_MAX];
	uint64_t lines, records, bad_lines;
	json_t *bad;                  /* "eve.json:LINE: why", the first ones */
	struct smap types;            /* event_type -> uint64_t */
	json_t *runs;                 /* run objects */
	json_t *reloads;              /* policy records: {timestamp, policy} */
	json_t *final_stats;          /* stats objects with final: true */
	json_t *last_stats;
	json_t *pol_rec;              /* the policy in force at the end (borrowed) */
	char *sensor;
	uint64_t flows, flows_no_verdict;
	uint64_t verdicts[V_COUNT];
	char first[TS_LEN], last[TS_LEN];
	struct smap pairs, hosts, cobs, hsms, modbus, rules, assets;
	json_t *alerts;
	uint64_t alert_records, alert_hits;
	struct policy *pol;
	char pol_path[PATH_MAX];
	int pol_verified;             /* -1 not checked, 0 differs, 1 same SHA-256 */
	json_t *notes;
	bool oom;
};

static void pair_free(void *p)
{
	struct pair *x = p;
	free(x->src);
	free(x->dst);
	sset_free(&x->apps);
	sset_free(&x->conduits);
	uset_free(&x->ports);
	free(x);
}

static void host_free(void *p)
{
	struct host *h = p;
	free(h->ip);
	free(h->zone);
	sset_free(&h->other_zones);
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
	uset_free(&c->ports);
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

static void rep_free(struct rep *r)
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
	json_decref(r->notes);
	policy_free(r->pol);
}

static void note(struct rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct rep *r, const char *fmt, ...)
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

static void sadd(struct rep *r, struct sset *s, const char *str)
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

/* ---------------------------------------------------------------- reading */

static struct host *get_host(struct rep *r, const char *ip)
{
	bool created;
	struct host *h = entry(r, &r->hosts, ip, sizeof(*h), &created);
	if (h && created)
		h->ip = xstrdup(r, ip);
	return h;
}

static void host_zone(struct rep *r, struct host *h, bool first, const char *zone)
{
	if (first) {
		h->zone = xstrdup(r, zone);
		return;
	}
	if ((h->zone == NULL) != (zone == NULL) || (zone && strcmp(h->zone, zone)))
		sadd(r, &h->other_zones, zone ? zone : NO_ZONE);
}

static void on_flow(struct rep *r, json_t *rec)
{
	json_t *fl = json_object_get(rec, "flow");
	const char *start = jstr(fl, "start"), *end = jstr(fl, "end");
	uint64_t bytes = ju(fl, "bytes_toserver") + ju(fl, "bytes_toclient");
	const char *src_ip = jstr(rec, "src_ip"), *dst_ip = jstr(rec, "dest_ip");
	const char *app = jstr(rec, "app_proto");
	json_t *dport = json_object_get(rec, "dest_port");
	r->flows++;
	ts_min(r->first, start);
	ts_max(r->last, end);

	json_t *pol = json_object_get(rec, "policy");
	if (!json_is_object(pol)) {
		r->flows_no_verdict++;
		return;
	}
	const char *vs = jstr(pol, "verdict");
	enum verdict v = V_OTHER;
	for (int i = 0; i < V_OTHER; i++)
		if (vs && !strcmp(vs, verdict_names[i]))
			v = (enum verdict)i;
	r->verdicts[v]++;
	const char *sz = jstr(pol, "src_zone"), *dz = jstr(pol, "dest_zone");
	const char *conduit = jstr(pol, "conduit");

	char key[512];
	snprintf(key, sizeof(key), "%s\x1f%s", sz ? sz : "\x01", dz ? dz : "\x01");
	bool created;
	struct pair *p = entry(r, &r->pairs, key, sizeof(*p), &created);
	if (!p)
		return;
	if (created) {
		p->src = xstrdup(r, sz);
		p->dst = xstrdup(r, dz);
	}
	p->flows++;
	p->bytes += bytes;
	p->alerts += ju(pol, "alerts");
	p->verdicts[v]++;
	if (v != V_VIOLATION && v != V_INTRA && !conduit)
		p->no_conduit++;
	sadd(r, &p->apps, app);
	sadd(r, &p->conduits, conduit);
	if (json_is_integer(dport))
		uadd(r, &p->ports, (uint32_t)json_integer_value(dport));
	ts_min(p->first, start);
	ts_max(p->last, end);

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
		ts_min(h->first, start);
		ts_max(h->last, end);
	}

	if (conduit) {
		struct cobs *c = entry(r, &r->cobs, conduit, sizeof(*c), &created);
		if (!c)
			return;
		if (created)
			c->name = xstrdup(r, conduit);
		c->flows++;
		c->bytes += bytes;
		sadd(r, &c->apps, app);
		if (json_is_integer(dport))
			uadd(r, &c->ports, (uint32_t)json_integer_value(dport));
		char zp[300];
		snprintf(zp, sizeof(zp), "%s \xe2\x86\x92 %s", sz ? sz : NO_ZONE, dz ? dz : NO_ZONE);
		sadd(r, &c->zone_pairs, zp);
		sadd(r, &c->clients, src_ip);
		ts_min(c->first, start);
		ts_max(c->last, end);
	}

	json_t *mb = json_object_get(rec, "modbus");
	if (json_is_object(mb) && src_ip && dst_ip) {
		snprintf(key, sizeof(key), "%s\x1f%s", src_ip, dst_ip);
		struct mb_pair *m = entry(r, &r->modbus, key, sizeof(*m), &created);
		if (!m)
			return;
		if (created) {
			m->client = xstrdup(r, src_ip);
			m->server = xstrdup(r, dst_ip);
		}
		m->flows++;
		m->requests += ju(mb, "requests");
		m->exceptions += ju(mb, "exceptions");
		const char *k;
		json_t *n;
		json_object_foreach(json_object_get(mb, "requests_by_access"), k, n)
			count_add(r, &m->access, k, json_is_integer(n) ? (uint64_t)json_integer_value(n) : 0);
	}
}

static void on_hsms(struct rep *r, json_t *rec)
{
	json_t *h = json_object_get(rec, "hsms");
	const char *src = jstr(rec, "src_ip"), *dst = jstr(rec, "dest_ip");
	const char *what = jstr(h, "sf");
	if (!what)
		what = jstr(h, "stype");
	if (!src || !dst || !what)
		return;
	char key[256];
	snprintf(key, sizeof(key), "%s\x1f%s", src, dst);
	bool created;
	struct hsms_pair *p = entry(r, &r->hsms, key, sizeof(*p), &created);
	if (!p)
		return;
	if (created) {
		p->src = xstrdup(r, src);
		p->dst = xstrdup(r, dst);
	}
	p->total++;
	count_add(r, &p->sf, what, 1);
	ts_min(p->first, jstr(rec, "timestamp"));
	ts_max(p->last, jstr(rec, "timestamp"));
}

static void on_modbus(struct rep *r, json_t *rec)
{
	json_t *m = json_object_get(rec, "modbus");
	const char *src = jstr(rec, "src_ip"), *dst = jstr(rec, "dest_ip");
	const char *dir = jstr(m, "direction"), *fn = jstr(m, "function_name");
	if (!src || !dst || !dir || strcmp(dir, "request"))
		return;
	char key[256], fname[96];
	snprintf(key, sizeof(key), "%s\x1f%s", src, dst);
	bool created;
	struct mb_pair *p = entry(r, &r->modbus, key, sizeof(*p), &created);
	if (!p)
		return;
	if (created) {
		p->client = xstrdup(r, src);
		p->server = xstrdup(r, dst);
	}
	if (!fn) {
		snprintf(fname, sizeof(fname), "fc %" PRIu64, ju(m, "function"));
		fn = fname;
	}
	count_add(r, &p->functions, fn, 1);
}

static void on_alert(struct rep *r, json_t *rec)
{
	json_t *a = json_object_get(rec, "alert");
	const char *rule = jstr(a, "rule");
	if (!rule)
		rule = "(no rule id)";
	json_t *cnt = json_object_get(a, "count");
	uint64_t count = json_is_integer(cnt) ? ju(a, "count") : 1;
	bool repeat = json_is_true(json_object_get(a, "repeat"));
	r->alert_records++;
	r->alert_hits += count;

	bool created;
	struct rule_agg *g = entry(r, &r->rules, rule, sizeof(*g), &created);
	if (!g)
		return;
	if (created) {
		g->rule = xstrdup(r, rule);
		g->severity = (int)ju(a, "severity");
	}
	if (!g->signature)
		g->signature = xstrdup(r, jstr(a, "signature"));
	if (!g->sev_name)
		g->sev_name = xstrdup(r, jstr(a, "severity_name"));
	if (!g->category)
		g->category = xstrdup(r, jstr(a, "category"));
	if (!g->refs && json_is_array(json_object_get(a, "references")))
		g->refs = json_incref(json_object_get(a, "references"));
	g->count += count;
	g->records++;
	if (repeat)
		g->repeats++;
	const char *fs = jstr(a, "first_seen"), *ls = jstr(a, "last_seen");
	ts_min(g->first, fs ? fs : jstr(rec, "timestamp"));
	ts_max(g->last, ls ? ls : jstr(rec, "timestamp"));

	const char *conduit = jstr(a, "conduit");
	if (conduit) {
		struct cobs *c = entry(r, &r->cobs, conduit, sizeof(*c), &created);
		if (!c)
			return;
		if (created)
			c->name = xstrdup(r, conduit);
		c->alerts += count;
		sadd(r, &c->rules, rule);
	}

	if (json_array_size(r->alerts) >= MAX_ALERTS_LISTED)
		return;
	json_t *src = json_object_get(a, "source"), *tgt = json_object_get(a, "target");
	json_t *o = json_object();
	if (!o) {
		r->oom = true;
		return;
	}
	json_object_set_new(o, "timestamp", jsn(jstr(rec, "timestamp")));
	json_object_set_new(o, "rule", json_string(rule));
	json_object_set_new(o, "severity", json_integer(g->severity));
	json_object_set_new(o, "severity_name", jsn(jstr(a, "severity_name")));
	json_object_set_new(o, "src_ip", jsn(jstr(rec, "src_ip")));
	if (json_object_get(rec, "src_port"))
		json_object_set_new(o, "src_port", ji(ju(rec, "src_port")));
	json_object_set_new(o, "dest_ip", jsn(jstr(rec, "dest_ip")));
	if (json_object_get(rec, "dest_port"))
		json_object_set_new(o, "dest_port", ji(ju(rec, "dest_port")));
	json_object_set_new(o, "src_zone", jsn(jstr(src, "zone")));
	json_object_set_new(o, "dest_zone", jsn(jstr(tgt, "zone")));
	json_object_set_new(o, "app_proto", jsn(jstr(rec, "app_proto")));
	json_object_set_new(o, "conduit", jsn(conduit));
	json_object_set_new(o, "reason", jsn(jstr(a, "reason")));
	json_object_set_new(o, "count", ji(count));
	json_object_set_new(o, "repeat", json_boolean(repeat));
	json_object_set_new(o, "community_id", jsn(jstr(rec, "community_id")));
	json_object_set_new(o, "evidence", jsn(jstr(json_object_get(a, "evidence"), "file")));
	if (json_array_append_new(r->alerts, o) < 0)
		r->oom = true;
}

static void on_asset(struct rep *r, json_t *rec)
{
	json_t *a = json_object_get(rec, "asset");
	const char *ip = jstr(a, "ip"), *kind = jstr(a, "kind");
	if (!ip)
		return;
	if (!kind)
		kind = "asset";
	char key[256];
	snprintf(key, sizeof(key), "%s\x1f%s", ip, kind);
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
	const char *model = jstr(a, "model"), *rev = jstr(a, "software_revision");
	if (!model)
		model = jstr(a, "product_code");
	if (!rev)
		rev = jstr(a, "revision");
	sadd(r, &s->models, model);
	sadd(r, &s->revisions, rev);
	const char *ts = jstr(rec, "timestamp");
	if (ts && strlen(ts) < TS_LEN)
		strcpy(s->ts, ts);
}

static void on_record(struct rep *r, json_t *rec)
{
	const char *et = jstr(rec, "event_type");
	count_add(r, &r->types, et ? et : "(none)", 1);
	const char *host = jstr(rec, "host");
	if (host && !r->sensor)
		r->sensor = xstrdup(r, host);
	if (!et)
		return;
	if (!strcmp(et, "flow")) {
		on_flow(r, rec);
	} else if (!strcmp(et, "hsms")) {
		on_hsms(r, rec);
	} else if (!strcmp(et, "modbus")) {
		on_modbus(r, rec);
	} else if (!strcmp(et, "alert")) {
		on_alert(r, rec);
	} else if (!strcmp(et, "asset")) {
		on_asset(r, rec);
	} else if (!strcmp(et, "run")) {
		json_t *run = json_object_get(rec, "run");
		if (json_is_object(run)) {
			json_array_append(r->runs, run);
			r->pol_rec = json_object_get(run, "policy");
		}
	} else if (!strcmp(et, "policy")) {
		json_t *p = json_object_get(rec, "policy");
		if (json_is_object(p)) {
			json_t *o = json_pack("{s:O?,s:O}", "timestamp", json_object_get(rec, "timestamp"),
					      "policy", p);
			if (!o || json_array_append_new(r->reloads, o) < 0)
				r->oom = true;
			r->pol_rec = p;
		}
	} else if (!strcmp(et, "stats")) {
		json_t *st = json_object_get(rec, "stats");
		if (json_is_object(st)) {
			json_decref(r->last_stats);
			r->last_stats = json_incref(st);
			if (json_is_true(json_object_get(st, "final")))
				json_array_append(r->final_stats, st);
		}
	}
}

static void bad_line(struct rep *r, const char *why)
{
	r->bad_lines++;
	char msg[PATH_MAX + 320];
	snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": not a JSON record (%s); skipped", r->eve, r->lines,
		 why);
	if (r->bad_lines <= MAX_BAD_LOGGED)
		log_warn("%s", msg);
	else if (r->bad_lines == MAX_BAD_LOGGED + 1)
		log_warn("%s: more lines are not JSON records; the report counts them", r->eve);
	if (json_array_size(r->bad) < MAX_BAD_EXAMPLES)
		json_array_append_new(r->bad, json_string(msg));
}

static int read_eve(struct rep *r, char *err, size_t errlen)
{
	FILE *fp = fopen(r->eve, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot read %s: %s", r->eve, strerror(errno));
		return EXIT_INPUT;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	errno = 0;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		r->lines++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n) {
			bad_line(r, "empty line");
			continue;
		}
		json_error_t je;
		json_t *rec = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &je);
		if (!json_is_object(rec)) {
			char why[200];
			if (rec)
				snprintf(why, sizeof(why), "not an object");
			else
				snprintf(why, sizeof(why), "column %d: %s", je.column, je.text);
			bad_line(r, why);
			json_decref(rec);
			continue;
		}
		r->records++;
		on_record(r, rec);
		json_decref(rec);
		if (r->oom)
			break;
	}
	int rerr = ferror(fp) ? (errno ? errno : EIO) : 0;
	free(line);
	fclose(fp);
	if (rerr) {
		snprintf(err, errlen, "error reading %s (after line %" PRIu64 "): %s", r->eve, r->lines,
			 strerror(rerr));
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/* The policy in force at the end: its copy beside eve.json. */
static void load_policy(struct rep *r)
{
	if (!json_is_object(r->pol_rec)) {
		if (!json_array_size(r->runs))
			note(r, "eve.json has no run record: the policy in force is not known, so the "
				"report has no policy sections (zones from the flows only)");
		else
			note(r, "the run had no policy (rules off): the report has no policy sections");
		return;
	}
	const char *copy = jstr(r->pol_rec, "copy"), *sha = jstr(r->pol_rec, "sha256");
	bool builtin = json_is_true(json_object_get(r->pol_rec, "builtin"));
	struct policy_error pe;
	char msg[1024];
	if (copy && *copy && !strchr(copy, '/') && strcmp(copy, "..") && strcmp(copy, ".")) {
		snprintf(r->pol_path, sizeof(r->pol_path), "%s/%s", r->dir, copy);
		char hex[65];
		uint64_t len;
		int e = sha256_file(r->pol_path, hex, &len);
		if (e == 0) {
			r->pol_verified = sha && !strcmp(hex, sha);
			if (!r->pol_verified) {
				note(r, "the policy copy %s has SHA-256 %s but the run recorded %s: it was "
					"changed after the run; the report uses it as it is now", copy, hex,
				     sha ? sha : "none");
				log_warn("report: policy copy %s differs from the one the run recorded",
					 r->pol_path);
			}
			r->pol = policy_load_file(r->pol_path, &pe);
			if (!r->pol) {
				policy_error_format(&pe, msg, sizeof(msg));
				note(r, "the policy copy cannot be parsed (%s): the report has no policy "
					"sections", msg);
				log_warn("report: %s", msg);
			}
			return;
		}
		if (!builtin) {
			note(r, "the policy copy %s cannot be read (%s): the report has no policy "
				"sections (zones and conduits of the policy, coverage of zones without "
				"traffic); the matrix and the rest come from eve.json", copy, strerror(-e));
			log_warn("report: cannot read the policy copy %s: %s; writing the report without "
				 "the policy sections", r->pol_path, strerror(-e));
			r->pol_path[0] = 0;
			return;
		}
		r->pol_path[0] = 0;
	} else if (!builtin) {
		note(r, "the run record names no policy copy: the report has no policy sections");
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
	note(r, "the run used a built-in policy of another fabmon version (SHA-256 %s) and its copy "
		"is missing: the report has no policy sections", sha ? sha : "none");
	log_warn("report: the built-in policy of the run is not this fabmon's and its copy is "
		 "missing; writing the report without the policy sections");
}

/* --------------------------------------------------------- the JSON tree */

static const struct rep *sort_rep; /* context of the qsort comparators */

static int zone_rank(const char *z)
{
	if (!z)
		return INT_MAX;
	if (sort_rep->pol) {
		int i = policy_zone_index(sort_rep->pol, z);
		if (i >= 0)
			return i;
	}
	return INT_MAX - 1;
}

static int zone_cmp(const char *a, const char *b)
{
	int ra = zone_rank(a), rb = zone_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return a && b ? strcmp(a, b) : 0;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = *(const struct pair *const *)x, *b = *(const struct pair *const *)y;
	int c = zone_cmp(a->src, b->src);
	return c ? c : zone_cmp(a->dst, b->dst);
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
		json_object_set_new(o, keys[i], ji(*(uint64_t *)smap_find(m, keys[i])));
	free(keys);
	return o;
}

static const char *host_name(const struct rep *r, const char *ip)
{
	struct ip_addr a;
	if (!r->pol || !ip || !ip_addr_parse(ip, &a))
		return NULL;
	int h = policy_host_of(r->pol, &a);
	return h >= 0 ? r->pol->hosts[h].name : NULL;
}

static const struct policy_host *policy_host(const struct rep *r, const char *ip)
{
	struct ip_addr a;
	if (!r->pol || !ip || !ip_addr_parse(ip, &a))
		return NULL;
	int h = policy_host_of(r->pol, &a);
	return h >= 0 ? &r->pol->hosts[h] : NULL;
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
	json_object_set_new(o, "name", jsn(host_name(r, h->ip)));
	json_object_set_new(o, "flows_out", ji(h->flows_out));
	json_object_set_new(o, "flows_in", ji(h->flows_in));
	json_object_set_new(o, "bytes", ji(h->bytes));
	json_object_set_new(o, "first_seen", jts(h->first));
	json_object_set_new(o, "last_seen", jts(h->last));
	if (h->other_zones.n)
		json_object_set_new(o, "also_in_zones", sset_json(&h->other_zones));
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
			sadd(r, &extra, hosts[i]->zone);
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
			if (pz->description[0])
				json_object_set_new(z, "description", json_string(pz->description));
		}
		for (size_t i = 0; i < nh; i++)
			if (hosts[i]->zone && !strcmp(hosts[i]->zone, name))
				json_array_append_new(hl, host_json(r, hosts[i]));
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
		json_object_set_new(z, "flows_out", ji(out_f));
		json_object_set_new(z, "flows_in", ji(in_f));
		json_object_set_new(z, "flows_intra", ji(intra));
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
				json_object_set_new(bv, verdict_names[v], ji(p->verdicts[v]));
		json_t *o = json_object();
		json_object_set_new(o, "src_zone", jsn(p->src));
		json_object_set_new(o, "dest_zone", jsn(p->dst));
		json_object_set_new(o, "verdict", json_string(pair_verdict(p)));
		json_object_set_new(o, "flows", ji(p->flows));
		json_object_set_new(o, "bytes", ji(p->bytes));
		json_object_set_new(o, "apps", sset_json(&p->apps));
		json_object_set_new(o, "ports", uset_json(&p->ports));
		json_object_set_new(o, "conduits", sset_json(&p->conduits));
		json_object_set_new(o, "first_seen", jts(p->first));
		json_object_set_new(o, "last_seen", jts(p->last));
		json_object_set_new(o, "flows_by_verdict", bv);
		json_object_set_new(o, "violation_flows", ji(p->verdicts[V_VIOLATION]));
		json_object_set_new(o, "flows_without_conduit", ji(p->no_conduit));
		json_object_set_new(o, "alerts", ji(p->alerts));
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
	json_object_set_new(o, "flows", ji(c ? c->flows : 0));
	json_object_set_new(o, "bytes", ji(c ? c->bytes : 0));
	json_object_set_new(o, "apps", c ? sset_json(&c->apps) : json_array());
	json_object_set_new(o, "ports", c ? uset_json(&c->ports) : json_array());
	json_object_set_new(o, "zone_pairs", c ? sset_json(&c->zone_pairs) : json_array());
	json_object_set_new(o, "clients", c ? sset_json(&c->clients) : json_array());
	json_object_set_new(o, "first_seen", jts(c ? c->first : NULL));
	json_object_set_new(o, "last_seen", jts(c ? c->last : NULL));
	json_object_set_new(o, "alerts", ji(c ? c->alerts : 0));
	json_object_set_new(o, "alert_rules", c ? sset_json(&c->rules) : json_array());
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

static json_t *build_hsms(struct rep *r)
{
	size_t n;
	struct hsms_pair **v = (struct hsms_pair **)smap_values(&r->hsms, &n);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		r->oom = true;
		return a;
	}
	qsort(v, n, sizeof(*v), hsms_cmp);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "src_ip", json_string(v[i]->src));
		json_object_set_new(o, "dest_ip", json_string(v[i]->dst));
		json_object_set_new(o, "src_name", jsn(host_name(r, v[i]->src)));
		json_object_set_new(o, "dest_name", jsn(host_name(r, v[i]->dst)));
		json_object_set_new(o, "src_zone", zone_json_of_ip(r, v[i]->src));
		json_object_set_new(o, "dest_zone", zone_json_of_ip(r, v[i]->dst));
		json_object_set_new(o, "total", ji(v[i]->total));
		json_object_set_new(o, "messages", counts_json(&v[i]->sf));
		json_object_set_new(o, "first_seen", jts(v[i]->first));
		json_object_set_new(o, "last_seen", jts(v[i]->last));
		json_array_append_new(a, o);
	}
	free(v);
	return a;
}

static json_t *build_modbus(struct rep *r)
{
	size_t n;
	struct mb_pair **v = (struct mb_pair **)smap_values(&r->modbus, &n);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		r->oom = true;
		return a;
	}
	qsort(v, n, sizeof(*v), mb_cmp);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "client", json_string(v[i]->client));
		json_object_set_new(o, "server", json_string(v[i]->server));
		json_object_set_new(o, "client_name", jsn(host_name(r, v[i]->client)));
		json_object_set_new(o, "server_name", jsn(host_name(r, v[i]->server)));
		json_object_set_new(o, "client_zone", zone_json_of_ip(r, v[i]->client));
		json_object_set_new(o, "server_zone", zone_json_of_ip(r, v[i]->server));
		json_object_set_new(o, "flows", ji(v[i]->flows));
		json_object_set_new(o, "requests", ji(v[i]->requests));
		json_object_set_new(o, "exceptions", ji(v[i]->exceptions));
		json_object_set_new(o, "access", counts_json(&v[i]->access));
		json_object_set_new(o, "functions", counts_json(&v[i]->functions));
		json_array_append_new(a, o);
	}
	free(v);
	return a;
}

static json_t *build_rules(struct rep *r, json_t *by_rule, json_t *supp)
{
	size_t n;
	struct rule_agg **v = (struct rule_agg **)smap_values(&r->rules, &n);
	json_t *a = json_array();
	if (!v || !a) {
		free(v);
		r->oom = true;
		return a;
	}
	qsort(v, n, sizeof(*v), rule_cmp);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_string(v[i]->rule));
		json_object_set_new(o, "signature", jsn(v[i]->signature));
		json_object_set_new(o, "category", jsn(v[i]->category));
		json_object_set_new(o, "severity", json_integer(v[i]->severity));
		json_object_set_new(o, "severity_name", jsn(v[i]->sev_name));
		json_object_set_new(o, "references", v[i]->refs ? json_incref(v[i]->refs) : json_array());
		json_object_set_new(o, "count", ji(v[i]->count));
		json_object_set_new(o, "records", ji(v[i]->records));
		json_object_set_new(o, "repeat_records", ji(v[i]->repeats));
		json_object_set_new(o, "stats_hits", json_is_integer(json_object_get(by_rule, v[i]->rule))
				    ? json_incref(json_object_get(by_rule, v[i]->rule)) : json_null());
		json_object_set_new(o, "suppressed", ji(ju(supp, v[i]->rule)));
		json_object_set_new(o, "first_seen", jts(v[i]->first));
		json_object_set_new(o, "last_seen", jts(v[i]->last));
		json_array_append_new(a, o);
	}
	free(v);
	return a;
}

static json_t *build_assets(struct rep *r)
{
	size_t n;
	struct asset **v = (struct asset **)smap_values(&r->assets, &n);
	json_t *arr = json_array();
	if (!v || !arr) {
		free(v);
		r->oom = true;
		return arr;
	}
	qsort(v, n, sizeof(*v), asset_cmp);
	for (size_t i = 0; i < n; i++) {
		const json_t *a = v[i]->a;
		json_t *o = json_object();
		const char *model = jstr(a, "model"), *rev = jstr(a, "software_revision");
		if (!model)
			model = jstr(a, "model_name");
		if (!model)
			model = jstr(a, "product_code");
		if (!model)
			model = jstr(a, "product_name");
		if (!rev)
			rev = jstr(a, "revision");
		json_object_set_new(o, "ip", json_string(v[i]->ip));
		json_object_set_new(o, "kind", json_string(v[i]->kind));
		json_object_set_new(o, "protocol", jsn(jstr(a, "protocol")));
		json_object_set_new(o, "zone", zone_json_of_ip(r, v[i]->ip));
		json_object_set_new(o, "host_name", jsn(host_name(r, v[i]->ip)));
		json_object_set_new(o, "vendor", jsn(jstr(a, "vendor")));
		json_object_set_new(o, "model", jsn(model));
		json_object_set_new(o, "revision", jsn(rev));
		json_t *ports = json_object_get(a, "hsms_ports");
		if (!ports)
			ports = json_object_get(a, "ports");
		json_t *peers = json_object_get(a, "hosts");
		if (!peers)
			peers = json_object_get(a, "clients");
		json_object_set_new(o, "ports", json_is_array(ports) ? json_incref(ports) : json_array());
		json_object_set_new(o, "peers", json_is_array(peers) ? json_incref(peers) : json_array());
		json_object_set_new(o, "first_seen", jsn(jstr(a, "first_seen")));
		json_object_set_new(o, "last_seen", jsn(jstr(a, "last_seen")));
		json_object_set_new(o, "messages", json_object_get(a, "messages")
				    ? ji(ju(a, "messages")) : json_null());
		json_object_set_new(o, "requests", json_object_get(a, "requests")
				    ? ji(ju(a, "requests")) : json_null());
		json_object_set_new(o, "writes", json_object_get(a, "writes")
				    ? ji(ju(a, "writes")) : json_null());
		json_object_set_new(o, "change", jsn(jstr(a, "change")));
		json_object_set_new(o, "records", ji(v[i]->records));
		json_object_set_new(o, "models_seen", sset_json(&v[i]->models));
		json_object_set_new(o, "revisions_seen", sset_json(&v[i]->revisions));
		const struct policy_host *ph = policy_host(r, v[i]->ip);
		bool has_base = ph && (ph->model[0] || ph->softrev[0]);
		json_object_set_new(o, "baseline_model", has_base && ph->model[0]
				    ? json_string(ph->model) : json_null());
		json_object_set_new(o, "baseline_revision", has_base && ph->softrev[0]
				    ? json_string(ph->softrev) : json_null());
		if (has_base) {
			bool ok = (!ph->model[0] || (model && !strcmp(model, ph->model))) &&
				  (!ph->softrev[0] || (rev && !strcmp(rev, ph->softrev)));
			json_object_set_new(o, "baseline_match", json_boolean(ok));
		} else {
			json_object_set_new(o, "baseline_match", json_null());
		}
		json_object_set_new(o, "last_record", json_incref(v[i]->a));
		json_array_append_new(arr, o);
	}
	free(v);
	return arr;
}

/* Sum a counter of every final stats record (one per run in the file). */
static uint64_t stats_sum(const json_t *stats, const char *sect, const char *key)
{
	uint64_t s = 0;
	size_t i;
	json_t *st;
	json_array_foreach(stats, i, st)
		s += ju(json_object_get(st, sect), key);
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
			uint64_t prev = ju(o, k);
			json_object_set_new(o, k, ji(prev + (json_is_integer(v) ? (uint64_t)json_integer_value(v)
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
	json_object_set_new(h, "fabmon_version", jsn(jstr(run0, "fabmon_version")));
	json_object_set_new(h, "sensor", jsn(r->sensor));
	json_object_set_new(h, "mode", jsn(jstr(run0, "mode")));
	json_object_set_new(h, "interface", jsn(jstr(run0, "interface")));
	json_object_set_new(h, "started", jsn(jstr(run0, "started")));
	json_object_set_new(h, "user", jsn(jstr(run0, "user")));
	json_object_set_new(h, "inputs", inputs);
	json_object_set_new(h, "runs", json_integer((json_int_t)json_array_size(r->runs)));
	if (json_array_size(r->runs) > 1)
		json_object_set(h, "run_records", r->runs);
	json_object_set_new(h, "first_flow_start", jts(r->first));
	json_object_set_new(h, "last_flow_end", jts(r->last));
	double d = ts_seconds(r->last) - ts_seconds(r->first);
	json_object_set_new(h, "duration_s", isfinite(d) ? json_real(round(d * 1e6) / 1e6) : json_null());

	json_t *cap = json_object();
	json_object_set_new(cap, "final_stats", json_boolean(final));
	static const char *const ck[] = { "packets", "bytes", "kernel_packets", "kernel_drops",
					  "kernel_ifdrops", "files_read", "files_damaged",
					  "files_skipped" };
	for (size_t k = 0; k < sizeof(ck) / sizeof(ck[0]); k++)
		json_object_set_new(cap, ck[k], ji(stats_sum(stats, "capture", ck[k])));
	json_object_set_new(cap, "output_records", ji(stats_sum(stats, "output", "records")));
	json_object_set_new(cap, "output_dropped", ji(stats_sum(stats, "output", "dropped")));
	json_object_set_new(h, "capture", cap);

	json_t *al = json_object();
	static const char *const ak[] = { "hits", "records", "aggregated", "suppressed",
					  "policy_reloads", "policy_reload_failures" };
	for (size_t k = 0; k < sizeof(ak) / sizeof(ak[0]); k++)
		json_object_set_new(al, ak[k], ji(stats_sum(stats, "alerts", ak[k])));
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
		json_array_append_new(rl, json_pack("{s:O?,s:o,s:o,s:o,s:o}",
						    "timestamp", json_object_get(x, "timestamp"),
						    "source", jsn(jstr(pp, "source")),
						    "name", jsn(jstr(pp, "name")),
						    "sha256", jsn(jstr(pp, "sha256")),
						    "copy", jsn(jstr(pp, "copy"))));
	}
	json_object_set_new(p, "reloads", rl);
	/* the policy at the start, if reloads changed it */
	json_t *first = json_object_get(json_array_get(r->runs, 0), "policy");
	if (json_array_size(r->reloads) && json_is_object(first))
		json_object_set_new(p, "at_start", json_pack("{s:o,s:o,s:o}",
							     "source", jsn(jstr(first, "source")),
							     "sha256", jsn(jstr(first, "sha256")),
							     "copy", jsn(jstr(first, "copy"))));
	return p;
}

static json_t *build_report(struct rep *r)
{
	json_t *out = json_object();
	if (!out)
		return NULL;
	sort_rep = r;

	char now[40];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	json_object_set_new(out, "report", json_pack("{s:s,s:s,s:s,s:s}", "title",
						     "fabmon zone-separation audit report",
						     "generator", "fabmon report " FABMON_VERSION,
						     "generated", now, "eve_json", r->eve));

	bool final = json_array_size(r->final_stats) > 0;
	json_t *stats = final ? r->final_stats : json_array();
	if (!final && r->last_stats)
		json_array_append(stats, r->last_stats);
	if (!final)
		note(r, "eve.json has no final stats record (the run is still going, or did not end "
			"normally): packet and drop counts are %s",
		     r->last_stats ? "those of the last stats record" : "not known");
	json_t *hdr = build_header(r, stats, final);
	json_t *by_rule = json_object_get(json_object_get(hdr, "alerting"), "by_rule");
	json_t *supp = json_object_get(json_object_get(hdr, "alerting"), "suppressed_by_rule");
	json_object_set_new(out, "run", hdr);
	json_object_set_new(out, "policy", build_policy(r));

	json_t *in = json_object();
	json_object_set_new(in, "file", json_string(r->eve));
	json_object_set_new(in, "lines", ji(r->lines));
	json_object_set_new(in, "records", ji(r->records));
	json_object_set_new(in, "bad_lines", ji(r->bad_lines));
	json_object_set(in, "bad_line_examples", r->bad);
	json_object_set_new(in, "records_by_type", counts_json(&r->types));
	json_object_set_new(out, "input", in);

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
	qsort(pairs, np, sizeof(*pairs), pair_cmp);

	json_t *fl = json_object();
	json_object_set_new(fl, "total", ji(r->flows));
	json_object_set_new(fl, "without_policy_verdict", ji(r->flows_no_verdict));
	json_t *bv = json_object();
	for (int v = 0; v < V_COUNT; v++)
		if (r->verdicts[v])
			json_object_set_new(bv, verdict_names[v], ji(r->verdicts[v]));
	json_object_set_new(fl, "by_verdict", bv);
	json_object_set_new(out, "flows", fl);

	build_zones(r, hosts, nh, pairs, np, out);
	json_object_set_new(out, "matrix", build_matrix(pairs, np));
	build_conduits(r, out);
	json_object_set_new(out, "hsms", build_hsms(r));
	json_object_set_new(out, "modbus", build_modbus(r));
	json_object_set_new(out, "rules", build_rules(r, by_rule, supp));
	json_object_set(out, "alerts", r->alerts);
	json_object_set_new(out, "alerts_listed", json_integer((json_int_t)json_array_size(r->alerts)));
	json_object_set_new(out, "alert_records", ji(r->alert_records));
	if (r->alert_records > json_array_size(r->alerts))
		note(r, "%" PRIu64 " alert records: the first %d are listed one by one; the counts by "
			"rule include all", r->alert_records, MAX_ALERTS_LISTED);
	json_object_set_new(out, "assets", build_assets(r));

	/* the summary cards */
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
	json_object_set_new(s, "flows", ji(r->flows));
	json_object_set_new(s, "zone_pairs", ji(np));
	json_object_set_new(s, "violating_pairs", ji(violating));
	json_object_set_new(s, "zones", ji(json_array_size(json_object_get(out, "zones"))));
	json_object_set_new(s, "zones_evidenced", ji(evidenced));
	json_object_set_new(s, "hosts", ji(nh));
	json_object_set_new(s, "unzoned_hosts", ji(json_array_size(json_object_get(out,
										    "unzoned_hosts"))));
	json_object_set_new(s, "conduits", ji(json_array_size(json_object_get(out, "conduits"))));
	json_object_set_new(s, "conduits_observed", ji(cobs_used));
	json_object_set_new(s, "alert_hits", ji(r->alert_hits));
	json_object_set_new(s, "alert_records", ji(r->alert_records));
	json_object_set_new(s, "rules_fired", ji(r->rules.n));
	json_object_set_new(s, "assets", ji(r->assets.n));
	json_object_set_new(s, "bad_lines", ji(r->bad_lines));
	json_object_set_new(out, "summary", s);
	json_object_set(out, "notes", r->notes);

	free(hosts);
	free(pairs);
	if (stats != r->final_stats)
		json_decref(stats);
	return out;
}

/* ----------------------------------------------------------------- HTML */

/* Text or attribute value: &<>"' escaped; control characters shown as \xNN. */
static void h_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

/* A JSON value as text: strings escaped, numbers, true/false; null empty. */
static void h_val(FILE *f, const json_t *v)
{
	if (json_is_string(v))
		h_esc(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
}

static void h_get(FILE *f, const json_t *o, const char *key)
{
	h_val(f, json_object_get(o, key));
}

static void h_attr(FILE *f, const char *name, const json_t *v)
{
	fprintf(f, " %s=\"", name);
	if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", f);
	else
		h_val(f, v);
	fputc('"', f);
}

static void h_attr_s(FILE *f, const char *name, const char *s)
{
	fprintf(f, " %s=\"", name);
	h_esc(f, s);
	fputc('"', f);
}

/* An array joined with sep, at most max items then "+N more". */
static void h_list(FILE *f, const json_t *a, const char *sep, size_t max)
{
	size_t i, n = json_array_size(a);
	json_t *v;
	json_array_foreach(a, i, v) {
		if (i == max) {
			fprintf(f, "%s\xe2\x80\xa6 (+%zu more)", sep, n - max);
			break;
		}
		if (i)
			fputs(sep, f);
		h_val(f, v);
	}
	if (!n)
		fputs("\xe2\x80\x94", f);
}

/* "2026-03-02T08:00:07.123456+00:00" as "2026-03-02 08:00:07", the whole in a title */
static void h_ts(FILE *f, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s) {
		fputs("\xe2\x80\x94", f);
		return;
	}
	fputs("<span class=\"ts\" title=\"", f);
	h_esc(f, s);
	fputs("\">", f);
	char buf[20];
	size_t n = strlen(s);
	if (n >= 19) {
		memcpy(buf, s, 19);
		buf[19] = 0;
		if (buf[10] == 'T')
			buf[10] = ' ';
		h_esc(f, buf);
	} else {
		h_esc(f, s);
	}
	fputs("</span>", f);
}

static void h_bytes(FILE *f, uint64_t b)
{
	if (b < 10000)
		fprintf(f, "%" PRIu64 " B", b);
	else if (b < 10000000)
		fprintf(f, "%.1f kB", b / 1e3);
	else if (b < 10000000000ull)
		fprintf(f, "%.1f MB", b / 1e6);
	else
		fprintf(f, "%.1f GB", b / 1e9);
}

static uint64_t jget_u(const json_t *o, const char *k)
{
	return ju(o, k);
}

static const char *verdict_class(const char *v)
{
	if (!v)
		return "v-unknown";
	if (!strcmp(v, "violating") || !strcmp(v, "violation"))
		return "v-violating";
	if (!strcmp(v, "allowed"))
		return "v-allowed";
	if (!strcmp(v, "intra-zone"))
		return "v-intra";
	if (!strcmp(v, "unzoned"))
		return "v-unzoned";
	return "v-unknown";
}

static const char *sev_class(const char *s)
{
	if (!s)
		return "sev-unknown";
	if (!strcmp(s, "critical"))
		return "sev-critical";
	if (!strcmp(s, "high"))
		return "sev-high";
	if (!strcmp(s, "medium"))
		return "sev-medium";
	if (!strcmp(s, "low"))
		return "sev-low";
	return "sev-unknown";
}

static const char *str_or(const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}

/* A zone name that does not break at its hyphens. */
static void h_zone(FILE *f, const char *name)
{
	fputs("<span class=\"nw\">", f);
	h_esc(f, name);
	fputs("</span>", f);
}

static const char *zone_label(const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : NO_ZONE;
}

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

static void h_section(FILE *f, const char *id, const char *title)
{
	fprintf(f, "<section id=\"%s\"><h2>%s</h2>\n", id, title);
}

static void h_kv(FILE *f, const char *key, const char *label, const json_t *v)
{
	fprintf(f, "<tr class=\"kv-row\" data-key=\"%s\"><th>%s</th><td>", key, label);
	if (json_is_null(v) || !v)
		fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
	else
		h_val(f, v);
	fputs("</td></tr>\n", f);
}

static void h_card(FILE *f, const char *key, const char *label, uint64_t n, const char *cls)
{
	fprintf(f, "<div class=\"card %s\" data-key=\"%s\" data-value=\"%" PRIu64 "\">"
		   "<div class=\"n\">%" PRIu64 "</div><div class=\"l\">%s</div></div>\n",
		cls, key, n, n, label);
}

static void html_run(FILE *f, const json_t *rep)
{
	const json_t *run = json_object_get(rep, "run"), *pol = json_object_get(rep, "policy");
	const json_t *cap = json_object_get(run, "capture"), *al = json_object_get(run, "alerting");
	const json_t *in = json_object_get(rep, "input");
	h_section(f, "run", "1. Run");
	fputs("<table class=\"kv\">\n", f);
	h_kv(f, "fabmon_version", "fabmon version (run)", json_object_get(run, "fabmon_version"));
	h_kv(f, "sensor", "sensor", json_object_get(run, "sensor"));
	h_kv(f, "mode", "mode", json_object_get(run, "mode"));
	if (json_is_string(json_object_get(run, "interface")))
		h_kv(f, "interface", "interface", json_object_get(run, "interface"));
	h_kv(f, "started", "run started (wall clock)", json_object_get(run, "started"));
	if (json_integer_value(json_object_get(run, "runs")) != 1)
		h_kv(f, "runs", "runs in this eve.json", json_object_get(run, "runs"));
	h_kv(f, "first_flow_start", "first flow start (capture time)",
	     json_object_get(run, "first_flow_start"));
	h_kv(f, "last_flow_end", "last flow end (capture time)", json_object_get(run, "last_flow_end"));
	h_kv(f, "duration_s", "time window (s)", json_object_get(run, "duration_s"));
	h_kv(f, "packets", "packets read", json_object_get(cap, "packets"));
	h_kv(f, "bytes", "bytes read", json_object_get(cap, "bytes"));
	h_kv(f, "kernel_drops", "kernel drops", json_object_get(cap, "kernel_drops"));
	h_kv(f, "kernel_ifdrops", "interface drops", json_object_get(cap, "kernel_ifdrops"));
	h_kv(f, "files_damaged", "damaged capture files", json_object_get(cap, "files_damaged"));
	h_kv(f, "output_dropped", "eve.json records lost", json_object_get(cap, "output_dropped"));
	h_kv(f, "final_stats", "final stats record", json_object_get(cap, "final_stats"));
	h_kv(f, "alert_hits", "alert hits (stats)", json_object_get(al, "hits"));
	h_kv(f, "alert_records", "alert records (stats)", json_object_get(al, "records"));
	h_kv(f, "alerts_suppressed", "alerts suppressed by the rate limit",
	     json_object_get(al, "suppressed"));
	h_kv(f, "eve_json", "eve.json", json_object_get(in, "file"));
	h_kv(f, "records", "records read", json_object_get(in, "records"));
	h_kv(f, "bad_lines", "lines that are not JSON records (skipped)",
	     json_object_get(in, "bad_lines"));
	fputs("</table>\n", f);

	fputs("<h3>Captures read</h3>\n<table><tr><th>file</th><th>SHA-256</th>"
	      "<th class=\"num\">bytes</th></tr>\n", f);
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(run, "inputs"), i, x) {
		fputs("<tr class=\"input-row\"", f);
		h_attr(f, "data-file", json_object_get(x, "file"));
		h_attr(f, "data-sha256", json_object_get(x, "sha256"));
		h_attr(f, "data-bytes", json_object_get(x, "bytes"));
		fputs("><td class=\"mono hash\">", f);
		h_get(f, x, "file");
		fputs("</td><td class=\"mono hash\">", f);
		h_get(f, x, "sha256");
		fputs("</td><td class=\"num\">", f);
		h_get(f, x, "bytes");
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(run, "inputs")))
		fputs("<tr><td colspan=\"3\" class=\"muted\">none (live capture)</td></tr>\n", f);
	fputs("</table>\n", f);

	fputs("<h3>Policy</h3>\n<table class=\"kv\">\n", f);
	h_kv(f, "policy_name", "name", json_object_get(pol, "name"));
	h_kv(f, "policy_source", "source", json_object_get(pol, "source"));
	fputs("<tr class=\"kv-row\" data-key=\"policy_sha256\"><th>SHA-256</th><td class=\"mono hash\">", f);
	h_get(f, pol, "sha256");
	fputs("</td></tr>\n", f);
	h_kv(f, "policy_copy", "copy beside eve.json", json_object_get(pol, "copy"));
	h_kv(f, "policy_verified", "copy matches the recorded SHA-256",
	     json_object_get(pol, "copy_sha256_verified"));
	h_kv(f, "policy_loaded", "used for this report", json_object_get(pol, "loaded"));
	h_kv(f, "default_action", "default action", json_object_get(pol, "default_action"));
	h_kv(f, "infer_roles", "roles inferred from behaviour", json_object_get(pol, "infer_roles"));
	fputs("</table>\n", f);
	const json_t *rl = json_object_get(pol, "reloads");
	if (json_array_size(rl)) {
		fputs("<p>The policy was reloaded during the run; the policy sections of this report "
		      "use the one in force at the end.</p>\n<table><tr><th>time</th><th>source</th>"
		      "<th>SHA-256</th><th>copy</th></tr>\n", f);
		json_array_foreach(rl, i, x) {
			fputs("<tr class=\"reload-row\"><td>", f);
			h_ts(f, json_object_get(x, "timestamp"));
			fputs("</td><td>", f);
			h_get(f, x, "source");
			fputs("</td><td class=\"mono hash\">", f);
			h_get(f, x, "sha256");
			fputs("</td><td class=\"mono hash\">", f);
			h_get(f, x, "copy");
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

/* --- the zone diagram (SVG)
 *
 * Zones are boxes in rows, one row per Purdue level (5 at the top). Edges
 * between adjacent rows are straight segments across the gap between the
 * rows; edges that skip rows leave through the gap next to their zone, run
 * along a lane of their own right of the boxes and enter the other zone
 * from its gap; edges within a row go through the gap above it. Every edge
 * ends at its own slot on the box, and carries a number explained in the
 * table below the diagram. */

#define BOX_W 196.0
#define BOX_H 66.0
#define BOX_GAP 60.0
#define EMPTY_ROW_H 30.0
#define LABEL_W 210.0
#define LANE_GAP 18.0
#define TRACK_GAP 10.0
#define MIN_GAP 58.0

enum edge_kind { E_OK, E_UNUSED, E_VIOL, E_OTHER };
enum route { R_ADJ, R_SIDE, R_ARC, R_LANE };
enum side { S_TOP, S_BOTTOM, S_LEFT, S_RIGHT };

static const char *const edge_class[] = { "edge-ok", "edge-unused", "edge-violating",
					  "edge-other" };
static const char *const edge_kind_name[] = { "conduit", "conduit", "violation", "observed" };
static const char *const edge_status[] = { "observed", "not-observed", "violating", "no-conduit" };
static const char *const edge_colour[] = { "#2e7d32", "#9aa3ab", "#c62828", "#d98200" };
static const char *const edge_dash[] = { "", " stroke-dasharray=\"7 5\"", "",
					 " stroke-dasharray=\"2 4\"" };

struct box {
	const char *name;
	const json_t *z;              /* the zone object; NULL for "(none)" */
	int row, col;
	double x, y;                  /* top left */
};

struct edge {
	int a, b;                     /* boxes: from, to */
	enum edge_kind kind;
	bool both;
	const json_t *obj;            /* conduit or matrix row */
	enum route route;
	enum side sa, sb;
	int ga, gb;                   /* gaps used (LANE, ARC): -1 above row 0 */
	int ta, tb;                   /* tracks in them: >= 0 from the top, < 0 from the bottom */
	int lane;
	double ax, ay, bx, by;        /* where the edge leaves a and enters b */
};

/* An end of an edge on a side of a box, for spreading the ends. */
struct slot {
	int box;
	enum side side;
	int lane;                     /* 0 direct, 1 to a lane (right part of the side) */
	double key;
	int edge, end;
};

/* A horizontal run of an edge in a gap between rows: runs next to the box
 * above (grp 0) are stacked from the top, the others from the bottom, so
 * that the band in the middle stays free for labels. */
struct gitem {
	int gap, grp;
	double key;
	int edge, end;
};

static int gitem_cmp(const void *x, const void *y)
{
	const struct gitem *a = x, *b = y;
	if (a->gap != b->gap)
		return a->gap < b->gap ? -1 : 1;
	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->edge - b->edge;
}

static const int level_x10[] = { 50, 40, 35, 30, 20, 10, 0 };
static const char *const level_label[] = {
	"Level 5 \xc2\xb7 external services", "Level 4 \xc2\xb7 enterprise",
	"Level 3.5 \xc2\xb7 IT/OT DMZ", "Level 3 \xc2\xb7 fab system area",
	"Level 2 \xc2\xb7 fab area", "Level 1 \xc2\xb7 fab area (control)",
	"Level 0 \xc2\xb7 fab area (process)",
};
#define NLEVELS 7

static const char *area_fill(const char *area)
{
	if (!area)
		return "#f1f1f1";
	if (!strcmp(area, "external"))
		return "#fbe4e4";
	if (!strcmp(area, "enterprise"))
		return "#e3ecfa";
	if (!strcmp(area, "it-ot-dmz"))
		return "#fff3d1";
	if (!strcmp(area, "fab-system-area"))
		return "#e1f2e3";
	if (!strcmp(area, "fab-area"))
		return "#ece4f7";
	return "#f1f1f1";
}

static int box_index(const struct box *bx, int nb, const char *name)
{
	for (int i = 0; i < nb; i++)
		if ((name && bx[i].z && !strcmp(bx[i].name, name)) || (!name && !bx[i].z))
			return i;
	return -1;
}

/* Text of at most max characters (UTF-8 aware), with an ellipsis when cut. */
static void h_esc_cut(FILE *f, const char *s, size_t max)
{
	size_t chars = 0, cut = 0, i;
	if (!s)
		return;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == max - 1)
			cut = i;
		if (++chars > max)
			break;
	}
	if (!s[i]) {
		h_esc(f, s);
		return;
	}
	char *t = strndup(s, cut);
	h_esc(f, t);
	free(t);
	fputs("\xe2\x80\xa6", f);
}

static int slot_cmp(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;
	if (a->box != b->box)
		return a->box < b->box ? -1 : 1;
	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	if (a->lane != b->lane)
		return a->lane - b->lane;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->edge != b->edge)
		return a->edge < b->edge ? -1 : 1;
	return a->end - b->end;
}

struct geom {
	double gap_top[NLEVELS + 3], gap_h[NLEVELS + 3];
	int nup[NLEVELS + 3], nlo[NLEVELS + 3];  /* runs stacked from the top, bottom */
	double lane_x0;
};

static double track_y(const struct geom *g, int gap, int t)
{
	double top = g->gap_top[gap + 1];
	return t >= 0 ? top + TRACK_GAP * (t + 1) : top + g->gap_h[gap + 1] + TRACK_GAP * t;
}

/* The middle of the free band of a gap. */
static double gap_mid(const struct geom *g, int gap)
{
	double top = g->gap_top[gap + 1] + TRACK_GAP * (g->nup[gap + 1] + 0.5);
	double bot = g->gap_top[gap + 1] + g->gap_h[gap + 1] - TRACK_GAP * (g->nlo[gap + 1] + 0.5);
	return (top + bot) / 2;
}

static void svg_edge(FILE *f, const struct box *bx, const struct edge *e, int id,
		     const struct geom *g)
{
	const json_t *o = e->obj;
	fprintf(f, "<g class=\"edge %s\" data-id=\"%d\" data-kind=\"%s\" data-status=\"%s\"",
		edge_class[e->kind], id, edge_kind_name[e->kind], edge_status[e->kind]);
	h_attr_s(f, "data-src", bx[e->a].name);
	h_attr_s(f, "data-dst", bx[e->b].name);
	if (e->kind == E_OK || e->kind == E_UNUSED)
		h_attr(f, "data-conduit", json_object_get(o, "name"));
	h_attr(f, "data-flows", json_object_get(o, "flows"));
	fprintf(f, "><title>%d: ", id);
	if (e->kind == E_OK || e->kind == E_UNUSED) {
		fputs("conduit ", f);
		h_get(f, o, "name");
		fputs(", ", f);
	}
	h_esc(f, bx[e->a].name);
	fputs(e->both ? " \xe2\x86\x94 " : " \xe2\x86\x92 ", f);
	h_esc(f, bx[e->b].name);
	if (e->kind == E_OK)
		fprintf(f, ": %" PRIu64 " flows observed", jget_u(o, "flows"));
	else if (e->kind == E_UNUSED)
		fputs(": allowed, not observed", f);
	else if (e->kind == E_VIOL)
		fprintf(f, ": %" PRIu64 " violating flows of %" PRIu64, jget_u(o, "violation_flows"),
			jget_u(o, "flows"));
	else
		fprintf(f, ": %" PRIu64 " flows through no conduit", jget_u(o, "flows_without_conduit"));
	fputs("</title>", f);

	double lx, ly;
	fprintf(f, "<path d=\"M%.1f %.1f", e->ax, e->ay);
	if (e->route == R_SIDE) {
		fprintf(f, " L%.1f %.1f", e->bx, e->by);
		lx = (e->ax + e->bx) / 2;
		ly = (e->ay + e->by) / 2;
	} else if (e->route == R_ADJ) {
		fprintf(f, " L%.1f %.1f", e->bx, e->by);
		int gap = bx[e->a].row < bx[e->b].row ? bx[e->a].row : bx[e->b].row;
		ly = gap_mid(g, gap);
		double t = fabs(e->by - e->ay) > 1e-6 ? (ly - e->ay) / (e->by - e->ay) : 0.5;
		lx = e->ax + (e->bx - e->ax) * t;
	} else if (e->route == R_ARC) {
		double ty = track_y(g, e->ga, e->ta);
		fprintf(f, " V%.1f H%.1f V%.1f", ty, e->bx, e->by);
		lx = (e->ax + e->bx) / 2;
		ly = ty;
	} else {
		double t1 = track_y(g, e->ga, e->ta), t2 = track_y(g, e->gb, e->tb);
		double x = g->lane_x0 + e->lane * LANE_GAP;
		fprintf(f, " V%.1f H%.1f V%.1f H%.1f V%.1f", t1, x, t2, e->bx, e->by);
		lx = x;
		ly = (t1 + t2) / 2;
	}
	fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"%s "
		   "marker-end=\"url(#ah%d)\"%s/>", edge_colour[e->kind],
		e->kind == E_VIOL ? "2.6" : "2", edge_dash[e->kind], (int)e->kind,
		e->both ? (e->kind == E_OK ? " marker-start=\"url(#as0)\""
				       : " marker-start=\"url(#as1)\"") : "");
	fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8.5\" fill=\"#fff\" stroke=\"%s\" "
		   "stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		   "font-size=\"10\" font-weight=\"700\" fill=\"%s\">%d</text></g>\n",
		lx, ly, edge_colour[e->kind], lx, ly + 3.5, edge_colour[e->kind], id);
}

/* Item k of n in [lo, hi] of a side of a box. */
static void box_side_point(const struct box *b, enum side s, int k, int n, double lo, double hi,
			   double *x, double *y)
{
	double t = lo + (hi - lo) * (k + 0.5) / n;
	switch (s) {
	case S_TOP: *x = b->x + BOX_W * t; *y = b->y; break;
	case S_BOTTOM: *x = b->x + BOX_W * t; *y = b->y + BOX_H; break;
	case S_LEFT: *x = b->x; *y = b->y + BOX_H * t; break;
	case S_RIGHT: *x = b->x + BOX_W; *y = b->y + BOX_H * t; break;
	}
}

static void svg_box(FILE *f, const json_t *rep, const struct box *b)
{
	const json_t *z = b->z;
	bool ev = z ? json_is_true(json_object_get(z, "evidenced")) : true;
	const char *area = z ? json_string_value(json_object_get(z, "area")) : NULL;
	fputs("<g class=\"zone-box\"", f);
	h_attr_s(f, "data-zone", b->name);
	fprintf(f, " data-evidenced=\"%s\"><title>", ev ? "true" : "false");
	h_esc(f, b->name);
	if (area) {
		fputs(" \xe2\x80\x94 ", f);
		h_esc(f, area);
	}
	if (!ev)
		fputs(" \xe2\x80\x94 not evidenced: no host of this zone was seen", f);
	fputs("</title>", f);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" rx=\"8\" fill=\"%s\" "
		   "stroke=\"%s\" stroke-width=\"1.6\"%s/>", b->x, b->y, BOX_W, BOX_H,
		ev ? area_fill(area) : "#ffffff", ev ? "#4a5a6a" : "#8a939c",
		ev ? "" : " stroke-dasharray=\"6 4\"");
	double cx = b->x + BOX_W / 2;
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
		   "font-weight=\"700\" fill=\"#1d232a\">", cx, b->y + 20);
	h_esc_cut(f, b->name, 26);
	fputs("</text>", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
		   "fill=\"#3c4a57\">", cx, b->y + 37);
	if (z && json_is_true(json_object_get(z, "in_policy"))) {
		h_esc(f, area ? area : "");
		json_t *sl = json_object_get(z, "sl_t");
		if (json_is_integer(sl))
			fprintf(f, " \xc2\xb7 SL-T %" JSON_INTEGER_FORMAT, json_integer_value(sl));
		else
			fputs(" \xc2\xb7 no SL-T", f);
	} else {
		fputs(z ? "not in the policy" : "hosts in no zone", f);
	}
	fputs("</text>", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
		   "fill=\"%s\">", cx, b->y + 54, ev ? "#3c4a57" : "#8a939c");
	size_t nh = z ? (size_t)jget_u(z, "host_count")
		      : json_array_size(json_object_get(rep, "unzoned_hosts"));
	if (ev)
		fprintf(f, "%zu host%s", nh, nh == 1 ? "" : "s");
	else
		fputs("not evidenced", f);
	if (z && jget_u(z, "flows_intra"))
		fprintf(f, " \xc2\xb7 %" PRIu64 " intra-zone", jget_u(z, "flows_intra"));
	fputs("</text></g>\n", f);
}

/* The table under the diagram: what each numbered edge is. */
static void html_edge_table(FILE *f, const struct box *bx, const struct edge *ed, int ne)
{
	fputs("<table class=\"edges\"><tr><th>#</th><th>from</th><th>to</th><th>edge</th>"
	      "<th>status</th><th class=\"num\">flows</th></tr>\n", f);
	for (int i = 0; i < ne; i++) {
		const struct edge *e = &ed[i];
		const json_t *o = e->obj;
		fprintf(f, "<tr class=\"edge-row\" data-id=\"%d\" data-kind=\"%s\" data-status=\"%s\"",
			i + 1, edge_kind_name[e->kind], edge_status[e->kind]);
		h_attr_s(f, "data-src", bx[e->a].name);
		h_attr_s(f, "data-dst", bx[e->b].name);
		fprintf(f, "><td><b style=\"color:%s\">%d</b></td><td>", edge_colour[e->kind], i + 1);
		h_esc(f, bx[e->a].name);
		fputs("</td><td>", f);
		h_esc(f, bx[e->b].name);
		fputs("</td><td>", f);
		if (e->kind == E_OK || e->kind == E_UNUSED) {
			fputs("conduit <b>", f);
			h_get(f, o, "name");
			fputs(e->both ? "</b> (both ways)" : "</b>", f);
		} else if (e->kind == E_VIOL) {
			fputs("observed zone pair", f);
		} else {
			fputs("observed zone pair, flows through no conduit", f);
		}
		static const char *const txt[] = { "allowed and observed", "allowed, not observed",
						   "violating", "no conduit (unzoned or default allow)" };
		static const char *const cls[] = { "v-allowed", "v-unknown", "v-violating", "v-unzoned" };
		uint64_t n = e->kind == E_VIOL ? jget_u(o, "violation_flows")
			   : e->kind == E_OTHER ? jget_u(o, "flows_without_conduit") : jget_u(o, "flows");
		fprintf(f, "</td><td><span class=\"tag %s\">%s</span></td><td class=\"num\">%" PRIu64
			   "</td></tr>\n", cls[e->kind], txt[e->kind], n);
	}
	if (!ne)
		fputs("<tr><td colspan=\"6\" class=\"muted\">no conduit and no observed pair between "
		      "zones</td></tr>\n", f);
	fputs("</table>\n", f);
}

static int html_diagram(FILE *f, const json_t *rep)
{
	const json_t *zones = json_object_get(rep, "zones");
	const json_t *matrix = json_object_get(rep, "matrix");
	const json_t *conduits = json_object_get(rep, "conduits");
	size_t nz = json_array_size(zones);
	bool none = json_array_size(json_object_get(rep, "unzoned_hosts")) > 0;
	int nb = (int)nz + (none ? 1 : 0);
	size_t maxe = json_array_size(conduits) + json_array_size(matrix) * 2 + 1;
	struct box *bx = calloc((size_t)nb + 1, sizeof(*bx));
	struct edge *ed = calloc(maxe, sizeof(*ed));
	struct slot *sl = calloc(maxe * 2, sizeof(*sl));
	struct gitem *gi = calloc(maxe * 2, sizeof(*gi));
	if (!bx || !ed || !sl || !gi) {
		free(bx);
		free(ed);
		free(sl);
		free(gi);
		return -1;
	}
	/* rows: the Purdue levels, then one for zones outside the policy */
	int rows = NLEVELS, count[NLEVELS + 1] = { 0 };
	for (size_t i = 0; i < nz; i++) {
		const json_t *z = json_array_get(zones, i);
		bx[i].name = json_string_value(json_object_get(z, "name"));
		bx[i].z = z;
		json_t *px = json_object_get(z, "purdue_x10");
		int row = NLEVELS;
		if (json_is_integer(px)) {
			row = 0;
			for (int l = 1; l < NLEVELS; l++)
				if (llabs(json_integer_value(px) - level_x10[l]) <
				    llabs(json_integer_value(px) - level_x10[row]))
					row = l;
		}
		bx[i].row = row;
		bx[i].col = count[row]++;
	}
	if (none) {
		bx[nb - 1].name = NO_ZONE;
		bx[nb - 1].row = NLEVELS;
		bx[nb - 1].col = count[NLEVELS]++;
	}
	if (count[NLEVELS])
		rows++;

	/* edges: every conduit; every violating pair; pairs through no conduit */
	int ne = 0;
	size_t i;
	json_t *o;
	json_array_foreach(conduits, i, o) {
		int a = box_index(bx, nb, json_string_value(json_object_get(o, "from")));
		int b = box_index(bx, nb, json_string_value(json_object_get(o, "to")));
		if (a < 0 || b < 0 || a == b)
			continue;
		ed[ne++] = (struct edge){ .a = a, .b = b, .obj = o,
			.kind = json_is_true(json_object_get(o, "observed")) ? E_OK : E_UNUSED,
			.both = !strcmp(str_or(json_object_get(o, "direction")), "both") };
	}
	json_array_foreach(matrix, i, o) {
		int a = box_index(bx, nb, json_string_value(json_object_get(o, "src_zone")));
		int b = box_index(bx, nb, json_string_value(json_object_get(o, "dest_zone")));
		if (a < 0 || b < 0 || a == b)
			continue;
		if (jget_u(o, "violation_flows"))
			ed[ne++] = (struct edge){ .a = a, .b = b, .kind = E_VIOL, .obj = o };
		if (jget_u(o, "flows_without_conduit"))
			ed[ne++] = (struct edge){ .a = a, .b = b, .kind = E_OTHER, .obj = o };
	}

	/* routes and lanes */
	int nlanes = 0;
	for (int k = 0; k < ne; k++) {
		struct edge *e = &ed[k];
		int ra = bx[e->a].row, rb = bx[e->b].row, dc = bx[e->b].col - bx[e->a].col;
		if (abs(ra - rb) == 1) {
			e->route = R_ADJ;
			e->sa = rb > ra ? S_BOTTOM : S_TOP;
			e->sb = rb > ra ? S_TOP : S_BOTTOM;
		} else if (ra == rb && abs(dc) == 1) {
			e->route = R_SIDE;
			e->sa = dc > 0 ? S_RIGHT : S_LEFT;
			e->sb = dc > 0 ? S_LEFT : S_RIGHT;
		} else if (ra == rb) {
			e->route = R_ARC;
			e->sa = e->sb = S_TOP;
			e->ga = ra - 1;
		} else {
			e->route = R_LANE;
			e->sa = rb > ra ? S_BOTTOM : S_TOP;
			e->sb = rb > ra ? S_TOP : S_BOTTOM;
			e->ga = rb > ra ? ra : ra - 1;
			e->gb = rb > ra ? rb - 1 : rb;
			e->lane = nlanes++;
		}
	}
	/* tracks: the outer lanes nearest the box above a gap, the inner ones
	 * nearest the box below, so that lane edges do not cross each other */
	struct geom g;
	memset(&g, 0, sizeof(g));
	int ngi = 0;
	for (int k = 0; k < ne; k++) {
		const struct edge *e = &ed[k];
		if (e->route == R_ARC) {
			gi[ngi++] = (struct gitem){ e->ga, 1, 1e6 + k, k, 0 };
		} else if (e->route == R_LANE) {
			bool down = bx[e->b].row > bx[e->a].row;
			gi[ngi++] = (struct gitem){ e->ga, down ? 0 : 1, down ? -e->lane : e->lane, k, 0 };
			gi[ngi++] = (struct gitem){ e->gb, down ? 1 : 0, down ? e->lane : -e->lane, k, 1 };
		}
	}
	qsort(gi, (size_t)ngi, sizeof(*gi), gitem_cmp);
	for (int s = 0; s < ngi;) {
		int n = 1;
		while (s + n < ngi && gi[s + n].gap == gi[s].gap && gi[s + n].grp == gi[s].grp)
			n++;
		for (int k = 0; k < n; k++) {
			struct edge *e = &ed[gi[s + k].edge];
			int t = gi[s].grp ? -(n - k) : k;
			if (gi[s + k].end)
				e->tb = t;
			else
				e->ta = t;
		}
		if (gi[s].grp)
			g.nlo[gi[s].gap + 1] = n;
		else
			g.nup[gi[s].gap + 1] = n;
		s += n;
	}
	/* geometry: gap heights from their tracks, rows from their boxes */
	double row_y[NLEVELS + 1], row_h[NLEVELS + 1];
	for (int gp = -1; gp < rows; gp++) {
		int n = g.nup[gp + 1] + g.nlo[gp + 1];
		g.gap_h[gp + 1] = gp < 0 || gp == rows - 1 ? fmax(24.0, TRACK_GAP * (n + 1.5))
			: fmax(MIN_GAP, TRACK_GAP * (n + 1) + 26);
	}
	double y = 8;
	for (int r = 0; r < rows; r++) {
		g.gap_top[r] = y;
		y += g.gap_h[r];
		row_y[r] = y;
		row_h[r] = count[r] ? BOX_H : EMPTY_ROW_H;
		y += row_h[r];
	}
	g.gap_top[rows] = y;
	y += g.gap_h[rows];
	double height = y + 64;
	int maxc = 3;
	for (int r = 0; r <= NLEVELS; r++)
		if (count[r] > maxc)
			maxc = count[r];
	double inner = maxc * (BOX_W + BOX_GAP);
	g.lane_x0 = LABEL_W + inner + 10;
	double width = fmax(g.lane_x0 + nlanes * LANE_GAP + 20, 1000);
	for (int b = 0; b < nb; b++) {
		double start = LABEL_W + (inner - count[bx[b].row] * (BOX_W + BOX_GAP)) / 2 +
			       BOX_GAP / 2;
		bx[b].x = start + bx[b].col * (BOX_W + BOX_GAP);
		bx[b].y = row_y[bx[b].row];
	}
	/* spread the ends of the edges over the sides of the boxes: direct
	 * edges on the left part, lane edges on the right part */
	int ns = 0;
	for (int k = 0; k < ne; k++) {
		for (int end = 0; end < 2; end++) {
			const struct edge *e = &ed[k];
			int me = end ? e->b : e->a, other = end ? e->a : e->b;
			enum side s = end ? e->sb : e->sa;
			double key = (s == S_TOP || s == S_BOTTOM) ? bx[other].x : bx[other].y;
			if (e->route == R_LANE)
				key = e->lane;
			sl[ns++] = (struct slot){ me, s, e->route == R_LANE, key, k, end };
		}
	}
	qsort(sl, (size_t)ns, sizeof(*sl), slot_cmp);
	for (int s = 0; s < ns;) {
		int n = 1, nd = 0;
		while (s + n < ns && sl[s + n].box == sl[s].box && sl[s + n].side == sl[s].side)
			n++;
		for (int k = 0; k < n; k++)
			nd += !sl[s + k].lane;
		for (int k = 0; k < n; k++) {
			const struct slot *t = &sl[s + k];
			struct edge *e = &ed[t->edge];
			double lo = 0.06, hi = 0.94;
			int idx = k, cnt = nd;
			if (nd < n) {
				lo = t->lane ? 0.66 : 0.04;
				hi = t->lane ? 0.96 : 0.60;
				if (t->lane) {
					idx = k - nd;
					cnt = n - nd;
				}
				if (!nd)
					lo = 0.30;
			}
			if (t->end)
				box_side_point(&bx[t->box], t->side, idx, cnt, lo, hi, &e->bx, &e->by);
			else
				box_side_point(&bx[t->box], t->side, idx, cnt, lo, hi, &e->ax, &e->ay);
		}
		s += n;
	}

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"zone-diagram\" "
		   "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
		   "aria-label=\"zones by Purdue level with conduits and observed zone pairs\">\n",
		width, height, width, height);
	fputs("<defs>", f);
	for (int k = 0; k < 4; k++)
		fprintf(f, "<marker id=\"ah%d\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			   "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
			   "<path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>"
			   "<marker id=\"as%d\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			   "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
			   "<path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>",
			k, edge_colour[k], k, edge_colour[k]);
	fputs("</defs>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", width,
		height);
	for (int r = 0; r < rows; r++) {
		double top = r ? g.gap_top[r] + g.gap_h[r] / 2 : 0;
		double bot = r == rows - 1 ? g.gap_top[rows] + g.gap_h[rows]
				: g.gap_top[r + 1] + g.gap_h[r + 1] / 2;
		char lv[24];
		fprintf(f, "<g class=\"level\" data-level=\"%s\"><rect x=\"0\" y=\"%.1f\" "
			   "width=\"%.0f\" height=\"%.1f\" fill=\"%s\"/>",
			r < NLEVELS ? policy_purdue_str(level_x10[r], lv) : "outside", top, width,
			bot - top, r % 2 ? "#ffffff" : "#f3f5f8");
		fprintf(f, "<text x=\"12\" y=\"%.1f\" font-size=\"13\" font-weight=\"600\" "
			   "fill=\"#3c4a57\">%s</text></g>\n", row_y[r] + row_h[r] / 2 + 4,
			r < NLEVELS ? level_label[r] : "not in the policy / no zone");
	}
	for (int k = 0; k < ne; k++)
		svg_edge(f, bx, &ed[k], k + 1, &g);
	for (int b = 0; b < nb; b++)
		svg_box(f, rep, &bx[b]);
	/* legend */
	double ly = height - 40;
	static const char *const legend[] = { "conduit allowed and observed",
					      "conduit allowed, not observed",
					      "observed violating zone pair",
					      "observed, through no conduit" };
	for (int k = 0; k < 4; k++) {
		double lx = 20 + k * 235;
		fprintf(f, "<g class=\"legend\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
			   "stroke=\"%s\" stroke-width=\"2.4\"%s/><text x=\"%.0f\" y=\"%.0f\" "
			   "font-size=\"12\" fill=\"#3c4a57\">%s</text></g>\n", lx, ly, lx + 36, ly,
			edge_colour[k], edge_dash[k], lx + 44, ly + 4, legend[k]);
	}
	fprintf(f, "<g class=\"legend\"><rect x=\"20\" y=\"%.0f\" width=\"36\" height=\"16\" rx=\"4\" "
		   "fill=\"#fff\" stroke=\"#8a939c\" stroke-dasharray=\"6 4\"/><text x=\"64\" "
		   "y=\"%.0f\" font-size=\"12\" fill=\"#3c4a57\">zone not evidenced (no host seen; "
		   "not proof of absence)</text></g>\n", ly + 14, ly + 26);
	fputs("</svg>\n", f);
	html_edge_table(f, bx, ed, ne);
	free(bx);
	free(ed);
	free(sl);
	free(gi);
	return 0;
}

static void html_zones(FILE *f, const json_t *rep)
{
	h_section(f, "zones", "3. Zone coverage");
	fputs("<p class=\"note\">Hosts seen in each zone of the policy (ends of flows, placed by "
	      "fabmon's policy verdict). A zone <b>not evidenced</b> had no host in any flow of this "
	      "capture: that is not proof that it is empty or unused \xe2\x80\x94 the sensor sees "
	      "only the mirrored links (IEC 62443-3-2 ZCR 3; NIST CSF ID.AM-03).</p>\n", f);
	fputs("<table><tr><th>zone</th><th>Purdue</th><th>area</th><th>SL-T</th><th>evidence</th>"
	      "<th class=\"num\">hosts</th><th class=\"num\">flows out</th>"
	      "<th class=\"num\">flows in</th><th class=\"num\">intra-zone</th><th>hosts seen</th>"
	      "<th>policy hosts not seen</th></tr>\n", f);
	size_t i;
	json_t *z;
	json_array_foreach(json_object_get(rep, "zones"), i, z) {
		bool ev = json_is_true(json_object_get(z, "evidenced"));
		fputs("<tr class=\"zone-row\"", f);
		h_attr(f, "data-zone", json_object_get(z, "name"));
		h_attr(f, "data-evidenced", json_object_get(z, "evidenced"));
		h_attr(f, "data-hosts", json_object_get(z, "host_count"));
		h_attr(f, "data-in-policy", json_object_get(z, "in_policy"));
		fputs("><td><b>", f);
		h_zone(f, str_or(json_object_get(z, "name")));
		fputs("</b></td><td>", f);
		h_get(f, z, "purdue");
		fputs("</td><td>", f);
		h_get(f, z, "area");
		fputs("</td><td>", f);
		h_get(f, z, "sl_t");
		fprintf(f, "</td><td><span class=\"tag %s\">%s</span></td>",
			ev ? "v-allowed" : "v-unknown", ev ? "evidenced" : "not evidenced");
		fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td>"
			   "<td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64 "</td><td>",
			jget_u(z, "host_count"), jget_u(z, "flows_out"), jget_u(z, "flows_in"),
			jget_u(z, "flows_intra"));
		size_t k;
		json_t *h;
		json_array_foreach(json_object_get(z, "hosts"), k, h) {
			if (k == HTML_MAX_ITEMS) {
				fprintf(f, " \xe2\x80\xa6 (+%zu more, see report.json)",
					json_array_size(json_object_get(z, "hosts")) - k);
				break;
			}
			fputs(k ? ", " : "", f);
			fputs("<span class=\"mono\">", f);
			h_get(f, h, "ip");
			fputs("</span>", f);
			if (json_is_string(json_object_get(h, "name"))) {
				fputs(" (", f);
				h_get(f, h, "name");
				fputs(")", f);
			}
		}
		if (!k)
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(z, "declared_hosts_not_seen"), k, h) {
			fputs(k ? ", " : "", f);
			h_get(f, h, "name");
		}
		if (!k)
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	const json_t *ne = json_object_get(rep, "zones_not_evidenced");
	fputs("<p id=\"zones-not-evidenced\">Zones not evidenced: ", f);
	h_list(f, ne, ", ", 1000);
	fputs("</p>\n", f);

	fputs("<h3>Hosts in no zone</h3>\n", f);
	const json_t *un = json_object_get(rep, "unzoned_hosts");
	if (!json_array_size(un)) {
		fputs("<p>None: every host seen is in a zone.</p>\n", f);
	} else {
		fputs("<p class=\"note\">IEC 62443-3-2 ZCR 3.1 asks every asset to be in a zone.</p>\n"
		      "<table><tr><th>address</th><th class=\"num\">flows out</th>"
		      "<th class=\"num\">flows in</th><th class=\"num\">bytes</th><th>first seen</th>"
		      "<th>last seen</th></tr>\n", f);
		json_array_foreach(un, i, z) {
			fputs("<tr class=\"unzoned-row\"", f);
			h_attr(f, "data-ip", json_object_get(z, "ip"));
			fputs("><td class=\"mono nw\">", f);
			h_get(f, z, "ip");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
				   "</td><td class=\"num\">", jget_u(z, "flows_out"), jget_u(z, "flows_in"));
			h_bytes(f, jget_u(z, "bytes"));
			fputs("</td><td>", f);
			h_ts(f, json_object_get(z, "first_seen"));
			fputs("</td><td>", f);
			h_ts(f, json_object_get(z, "last_seen"));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static const json_t *find_pair(const json_t *matrix, const char *s, const char *d)
{
	size_t i;
	json_t *o;
	json_array_foreach(matrix, i, o) {
		const char *ps = json_string_value(json_object_get(o, "src_zone"));
		const char *pd = json_string_value(json_object_get(o, "dest_zone"));
		if (((!ps && !s) || (ps && s && !strcmp(ps, s))) &&
		    ((!pd && !d) || (pd && d && !strcmp(pd, d))))
			return o;
	}
	return NULL;
}

static const json_t *find_conduit(const json_t *conduits, const char *s, const char *d)
{
	size_t i;
	json_t *o;
	json_array_foreach(conduits, i, o) {
		const char *from = json_string_value(json_object_get(o, "from"));
		const char *to = json_string_value(json_object_get(o, "to"));
		bool both = !strcmp(str_or(json_object_get(o, "direction")), "both");
		if (!s || !d || !from || !to)
			continue;
		if ((!strcmp(from, s) && !strcmp(to, d)) || (both && !strcmp(from, d) && !strcmp(to, s)))
			return o;
	}
	return NULL;
}

static void html_matrix(FILE *f, const json_t *rep)
{
	const json_t *matrix = json_object_get(rep, "matrix"), *zones = json_object_get(rep, "zones");
	const json_t *conduits = json_object_get(rep, "conduits");
	h_section(f, "matrix", "4. Zone \xc3\x97 zone matrix of observed flows");
	fputs("<p class=\"note\">The data flows observed between zones (rows: the zone that opened "
	      "the flow; columns: the zone it reached), to compare with the authorised flows of the "
	      "conduits (NIST CSF ID.AM-03; IEC 62443-3-2 ZCR 3). A pair is <b>violating</b> if any "
	      "of its flows broke the policy, <b>allowed</b> if a conduit allowed its flows. "
	      "\xe2\x80\x9c\xe2\x80\x93\xe2\x80\x9d: a conduit allows the pair but no flow was "
	      "seen.</p>\n", f);
	/* the grid: policy zones, zones outside it, (none) */
	size_t nz = json_array_size(zones);
	bool none = false;
	size_t i;
	json_t *o;
	json_array_foreach(matrix, i, o)
		if (json_is_null(json_object_get(o, "src_zone")) ||
		    json_is_null(json_object_get(o, "dest_zone")))
			none = true;
	size_t nn = nz + (none ? 1 : 0);
	fputs("<div class=\"diagram\"><table class=\"grid\"><tr><th>from \xe2\x86\x93 / to "
	      "\xe2\x86\x92</th>", f);
	for (size_t c = 0; c < nn; c++) {
		fputs("<th>", f);
		h_esc(f, c < nz ? json_string_value(json_object_get(json_array_get(zones, c), "name"))
				: NO_ZONE);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t r = 0; r < nn; r++) {
		const char *s = r < nz ? json_string_value(json_object_get(json_array_get(zones, r),
									   "name")) : NULL;
		fputs("<tr><th class=\"rowh\">", f);
		h_esc(f, s ? s : NO_ZONE);
		fputs("</th>", f);
		for (size_t c = 0; c < nn; c++) {
			const char *d = c < nz ? json_string_value(json_object_get(json_array_get(zones, c),
										   "name")) : NULL;
			const json_t *p = find_pair(matrix, s, d);
			const json_t *cd = find_conduit(conduits, s, d);
			if (p) {
				const char *v = json_string_value(json_object_get(p, "verdict"));
				fprintf(f, "<td class=\"mcell %s\"", verdict_class(v));
				h_attr_s(f, "data-src", s ? s : NO_ZONE);
				h_attr_s(f, "data-dst", d ? d : NO_ZONE);
				h_attr(f, "data-verdict", json_object_get(p, "verdict"));
				h_attr(f, "data-flows", json_object_get(p, "flows"));
				fputs(" title=\"", f);
				h_esc(f, v);
				fprintf(f, ", %" PRIu64 " flows\">%" PRIu64 "</td>", jget_u(p, "flows"),
					jget_u(p, "flows"));
			} else if (cd) {
				fputs("<td class=\"mcell c-unused\" title=\"conduit ", f);
				h_get(f, cd, "name");
				fputs(" allows this pair: not observed\">\xe2\x80\x93</td>", f);
			} else {
				fputs("<td class=\"mcell empty\"></td>", f);
			}
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);

	fputs("<h3>Zone pairs</h3>\n<table><tr><th>from zone</th><th>to zone</th><th>verdict</th>"
	      "<th class=\"num\">flows</th><th class=\"num\">violating flows</th>"
	      "<th class=\"num\">bytes</th><th>applications</th><th>server ports</th>"
	      "<th>conduits</th><th>first seen</th><th>last seen</th></tr>\n", f);
	json_array_foreach(matrix, i, o) {
		const char *v = json_string_value(json_object_get(o, "verdict"));
		fputs("<tr class=\"matrix-row\"", f);
		h_attr_s(f, "data-src", zone_label(json_object_get(o, "src_zone")));
		h_attr_s(f, "data-dst", zone_label(json_object_get(o, "dest_zone")));
		h_attr(f, "data-verdict", json_object_get(o, "verdict"));
		h_attr(f, "data-flows", json_object_get(o, "flows"));
		h_attr(f, "data-bytes", json_object_get(o, "bytes"));
		fputs(" data-apps=\"", f);
		h_list(f, json_object_get(o, "apps"), " ", SIZE_MAX);
		fputs("\" data-ports=\"", f);
		h_list(f, json_object_get(o, "ports"), " ", SIZE_MAX);
		fputs("\"><td>", f);
		h_zone(f, zone_label(json_object_get(o, "src_zone")));
		fputs("</td><td>", f);
		h_zone(f, zone_label(json_object_get(o, "dest_zone")));
		fprintf(f, "</td><td><span class=\"tag %s\">", verdict_class(v));
		h_esc(f, v);
		fprintf(f, "</span></td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			   "</td><td class=\"num\">", jget_u(o, "flows"), jget_u(o, "violation_flows"));
		h_bytes(f, jget_u(o, "bytes"));
		fputs("</td><td>", f);
		h_list(f, json_object_get(o, "apps"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		h_list(f, json_object_get(o, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		h_list(f, json_object_get(o, "conduits"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(matrix))
		fputs("<tr><td colspan=\"11\" class=\"muted\">no flow with a policy verdict</td></tr>\n", f);
	fputs("</table>\n</section>\n", f);
}

static void html_allow(FILE *f, const json_t *a)
{
	fputs("<li class=\"allow\">", f);
	fputs("<b>", f);
	h_get(f, a, "app");
	fputs("</b> ports ", f);
	if (json_array_size(json_object_get(a, "ports")))
		h_list(f, json_object_get(a, "ports"), ",", SIZE_MAX);
	else
		fputs("any", f);
	fputs("; initiators ", f);
	if (json_array_size(json_object_get(a, "initiators")))
		h_list(f, json_object_get(a, "initiators"), ", ", SIZE_MAX);
	else
		fputs("any", f);
	if (json_object_get(a, "messages")) {
		json_t *m = json_object_get(a, "messages"), *c = json_object_get(a, "categories");
		fputs("; messages ", f);
		if (json_array_size(m))
			h_list(f, m, ",", SIZE_MAX);
		if (json_array_size(c)) {
			fputs(json_array_size(m) ? "," : "", f);
			h_list(f, c, ",", SIZE_MAX);
		}
	}
	if (json_object_get(a, "access")) {
		static const char *const keys[] = { "access", "function_codes", "unit_ids",
						    "write_addresses" };
		static const char *const names[] = { "access", "function codes", "units",
						     "write addresses" };
		for (int k = 0; k < 4; k++) {
			json_t *v = json_object_get(a, keys[k]);
			if (!json_array_size(v))
				continue;
			fprintf(f, "; %s ", names[k]);
			h_list(f, v, ",", SIZE_MAX);
		}
	}
	fputs("</li>", f);
}

static void html_conduits(FILE *f, const json_t *rep)
{
	h_section(f, "conduits", "5. Conduits: allowed against observed");
	fputs("<p class=\"note\">Each conduit of the policy (IEC 62443-3-2 ZCR 3: what one zone "
	      "may open toward another) with what it allows, and the flows fabmon saw go through it. "
	      "A conduit <b>not observed</b> carried no flow in this capture; it may be unused, or "
	      "its traffic is not on the mirrored links.</p>\n", f);
	fputs("<table><tr><th>conduit</th><th>zones</th><th>allows</th><th>status</th>"
	      "<th class=\"num\">flows</th><th>applications seen</th><th>ports seen</th>"
	      "<th>clients</th><th>alerts on it</th></tr>\n", f);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rep, "conduits"), i, c) {
		bool obs = json_is_true(json_object_get(c, "observed"));
		bool both = !strcmp(str_or(json_object_get(c, "direction")), "both");
		fputs("<tr class=\"conduit-row\"", f);
		h_attr(f, "data-conduit", json_object_get(c, "name"));
		h_attr(f, "data-observed", json_object_get(c, "observed"));
		h_attr(f, "data-flows", json_object_get(c, "flows"));
		fputs("><td><b>", f);
		h_get(f, c, "name");
		fputs("</b>", f);
		if (json_is_string(json_object_get(c, "description"))) {
			fputs("<br><span class=\"note\">", f);
			h_get(f, c, "description");
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		h_zone(f, str_or(json_object_get(c, "from")));
		fputs(both ? " \xe2\x86\x94 " : " \xe2\x86\x92 ", f);
		h_zone(f, str_or(json_object_get(c, "to")));
		fputs("</td><td><ul class=\"allow\">", f);
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(c, "allow"), k, a)
			html_allow(f, a);
		fprintf(f, "</ul></td><td><span class=\"tag %s\">%s</span></td>",
			obs ? "v-allowed" : "v-unknown", obs ? "observed" : "not observed");
		fprintf(f, "<td class=\"num\">%" PRIu64 "</td><td>", jget_u(c, "flows"));
		h_list(f, json_object_get(c, "apps"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td>", f);
		h_list(f, json_object_get(c, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td class=\"mono\">", f);
		h_list(f, json_object_get(c, "clients"), ", ", 20);
		fputs("</td><td>", f);
		if (jget_u(c, "alerts")) {
			fprintf(f, "%" PRIu64 " (", jget_u(c, "alerts"));
			h_list(f, json_object_get(c, "alert_rules"), ", ", SIZE_MAX);
			fputs(")", f);
		} else {
			fputs("<span class=\"muted\">\xe2\x80\x94</span>", f);
		}
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "conduits")))
		fputs("<tr><td colspan=\"9\" class=\"muted\">no policy loaded, or it has no "
		      "conduits</td></tr>\n", f);
	fputs("</table>\n", f);
	const json_t *extra = json_object_get(rep, "conduits_not_in_policy");
	if (json_array_size(extra)) {
		fputs("<h3>Conduits in the records but not in this policy</h3>\n<p class=\"note\">"
		      "Named by flows or alerts of an earlier policy (before a reload).</p>\n<table>"
		      "<tr><th>conduit</th><th class=\"num\">flows</th><th>applications</th>"
		      "<th>ports</th><th>zone pairs</th></tr>\n", f);
		json_array_foreach(extra, i, c) {
			fputs("<tr class=\"conduit-extra-row\"", f);
			h_attr(f, "data-conduit", json_object_get(c, "name"));
			h_attr(f, "data-flows", json_object_get(c, "flows"));
			fputs("><td>", f);
			h_get(f, c, "name");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td>", jget_u(c, "flows"));
			h_list(f, json_object_get(c, "apps"), ", ", HTML_MAX_ITEMS);
			fputs("</td><td>", f);
			h_list(f, json_object_get(c, "ports"), ", ", HTML_MAX_ITEMS);
			fputs("</td><td>", f);
			h_list(f, json_object_get(c, "zone_pairs"), ", ", HTML_MAX_ITEMS);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}

	fputs("<h3>HSMS (SECS/GEM) messages per host pair</h3>\n", f);
	const json_t *hs = json_object_get(rep, "hsms");
	if (!json_array_size(hs)) {
		fputs("<p>No HSMS message records.</p>\n", f);
	} else {
		fputs("<table><tr><th>host (client)</th><th>equipment (server)</th><th>zones</th>"
		      "<th class=\"num\">messages</th><th>stream/function histogram</th></tr>\n", f);
		json_array_foreach(hs, i, c) {
			fputs("<tr class=\"hsms-row\"", f);
			h_attr(f, "data-src", json_object_get(c, "src_ip"));
			h_attr(f, "data-dst", json_object_get(c, "dest_ip"));
			h_attr(f, "data-total", json_object_get(c, "total"));
			fputs("><td class=\"mono\">", f);
			h_get(f, c, "src_ip");
			if (json_is_string(json_object_get(c, "src_name"))) {
				fputs(" (", f);
				h_get(f, c, "src_name");
				fputs(")", f);
			}
			fputs("</td><td class=\"mono\">", f);
			h_get(f, c, "dest_ip");
			if (json_is_string(json_object_get(c, "dest_name"))) {
				fputs(" (", f);
				h_get(f, c, "dest_name");
				fputs(")", f);
			}
			fputs("</td><td>", f);
			h_zone(f, str_or(json_object_get(c, "src_zone")));
			fputs(" \xe2\x86\x92 ", f);
			h_zone(f, str_or(json_object_get(c, "dest_zone")));
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td>", jget_u(c, "total"));
			const char *k;
			json_t *n;
			bool first = true;
			json_object_foreach(json_object_get(c, "messages"), k, n) {
				fprintf(f, "%s<span class=\"sf\" data-sf=\"", first ? "" : " ");
				h_esc(f, k);
				fprintf(f, "\" data-count=\"%" JSON_INTEGER_FORMAT "\">", json_integer_value(n));
				h_esc(f, k);
				fprintf(f, "\xc2\xa0\xc3\x97%" JSON_INTEGER_FORMAT "</span>",
					json_integer_value(n));
				first = false;
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}

	fputs("<h3>Modbus/TCP access per client</h3>\n", f);
	const json_t *mb = json_object_get(rep, "modbus");
	if (!json_array_size(mb)) {
		fputs("<p>No Modbus/TCP traffic.</p>\n", f);
	} else {
		fputs("<p class=\"note\">Access classes count every request (from the flow records); "
		      "functions come from the per-PDU records, which by default leave out successful "
		      "reads.</p>\n<table><tr><th>client</th><th>server</th><th>zones</th>"
		      "<th class=\"num\">flows</th><th class=\"num\">requests</th>"
		      "<th class=\"num\">exceptions</th><th>access classes</th><th>functions</th></tr>\n",
		      f);
		json_array_foreach(mb, i, c) {
			fputs("<tr class=\"modbus-row\"", f);
			h_attr(f, "data-client", json_object_get(c, "client"));
			h_attr(f, "data-server", json_object_get(c, "server"));
			const char *k;
			json_t *n;
			json_object_foreach(json_object_get(c, "access"), k, n) {
				char an[64];
				snprintf(an, sizeof(an), "data-access-%s", k);
				bool ok = true;
				for (char *p = an; *p; p++)
					if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
						ok = false;
				if (ok)
					h_attr(f, an, n);
			}
			fputs("><td class=\"mono\">", f);
			h_get(f, c, "client");
			if (json_is_string(json_object_get(c, "client_name"))) {
				fputs(" (", f);
				h_get(f, c, "client_name");
				fputs(")", f);
			}
			fputs("</td><td class=\"mono\">", f);
			h_get(f, c, "server");
			if (json_is_string(json_object_get(c, "server_name"))) {
				fputs(" (", f);
				h_get(f, c, "server_name");
				fputs(")", f);
			}
			fputs("</td><td>", f);
			h_zone(f, str_or(json_object_get(c, "client_zone")));
			fputs(" \xe2\x86\x92 ", f);
			h_zone(f, str_or(json_object_get(c, "server_zone")));
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
				   "</td><td class=\"num\">%" PRIu64 "</td><td>", jget_u(c, "flows"),
				jget_u(c, "requests"), jget_u(c, "exceptions"));
			bool first = true;
			json_object_foreach(json_object_get(c, "access"), k, n) {
				fputs(first ? "" : ", ", f);
				h_esc(f, k);
				fprintf(f, "\xc2\xa0\xc3\x97%" JSON_INTEGER_FORMAT, json_integer_value(n));
				first = false;
			}
			fputs("</td><td>", f);
			first = true;
			json_object_foreach(json_object_get(c, "functions"), k, n) {
				fputs(first ? "" : ", ", f);
				h_esc(f, k);
				fprintf(f, "\xc2\xa0\xc3\x97%" JSON_INTEGER_FORMAT, json_integer_value(n));
				first = false;
			}
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static void html_violations(FILE *f, const json_t *rep)
{
	h_section(f, "violations", "6. Violations by rule");
	fputs("<p class=\"note\">Count: the hits of each rule (the sum of the alert records' "
	      "<code>count</code>; repeat records carry the hits aggregated after the first). "
	      "Suppressed: hits beyond the rate limit, counted by the sensor but not recorded.</p>\n",
	      f);
	fputs("<table><tr><th>rule</th><th>severity</th><th>signature</th>"
	      "<th class=\"num\">count</th><th class=\"num\">records</th>"
	      "<th class=\"num\">suppressed</th><th>references</th><th>first seen</th>"
	      "<th>last seen</th></tr>\n", f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "rules"), i, o) {
		const char *sev = json_string_value(json_object_get(o, "severity_name"));
		fputs("<tr class=\"rule-row\"", f);
		h_attr(f, "data-rule", json_object_get(o, "rule"));
		h_attr(f, "data-count", json_object_get(o, "count"));
		h_attr(f, "data-severity", json_object_get(o, "severity_name"));
		fputs("><td class=\"nw\"><b>", f);
		h_get(f, o, "rule");
		fprintf(f, "</b></td><td><span class=\"tag %s\">", sev_class(sev));
		h_esc(f, sev ? sev : "?");
		fputs("</span></td><td>", f);
		h_get(f, o, "signature");
		fprintf(f, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			   "</td><td class=\"num\">%" PRIu64 "</td><td>", jget_u(o, "count"),
			jget_u(o, "records"), jget_u(o, "suppressed"));
		h_list(f, json_object_get(o, "references"), ", ", SIZE_MAX);
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "rules")))
		fputs("<tr><td colspan=\"9\">No alert.</td></tr>\n", f);
	fputs("</table>\n", f);

	const json_t *al = json_object_get(rep, "alerts");
	fprintf(f, "<h3>Alerts (%zu listed of %" PRIu64 " records)</h3>\n", json_array_size(al),
		jget_u(rep, "alert_records"));
	if (json_array_size(al)) {
		fputs("<table><tr><th>time</th><th>rule</th><th>severity</th><th>source</th>"
		      "<th>target</th><th>zones</th><th>app</th><th class=\"num\">count</th>"
		      "<th>reason</th><th>evidence</th></tr>\n", f);
		json_array_foreach(al, i, o) {
			const char *sev = json_string_value(json_object_get(o, "severity_name"));
			fputs("<tr class=\"alert-row\"", f);
			h_attr(f, "data-rule", json_object_get(o, "rule"));
			h_attr(f, "data-src", json_object_get(o, "src_ip"));
			h_attr(f, "data-dst", json_object_get(o, "dest_ip"));
			h_attr(f, "data-count", json_object_get(o, "count"));
			if (json_is_true(json_object_get(o, "repeat")))
				fputs(" data-repeat=\"true\"", f);
			fputs("><td>", f);
			h_ts(f, json_object_get(o, "timestamp"));
			fputs("</td><td class=\"nw\">", f);
			h_get(f, o, "rule");
			fprintf(f, "</td><td><span class=\"tag %s\">", sev_class(sev));
			h_esc(f, sev ? sev : "?");
			fputs("</span></td><td class=\"mono nw\">", f);
			h_get(f, o, "src_ip");
			if (json_object_get(o, "src_port")) {
				fputs(":", f);
				h_get(f, o, "src_port");
			}
			fputs("</td><td class=\"mono nw\">", f);
			h_get(f, o, "dest_ip");
			if (json_object_get(o, "dest_port")) {
				fputs(":", f);
				h_get(f, o, "dest_port");
			}
			fputs("</td><td>", f);
			h_zone(f, zone_label(json_object_get(o, "src_zone")));
			fputs(" \xe2\x86\x92 ", f);
			h_zone(f, zone_label(json_object_get(o, "dest_zone")));
			fputs("</td><td>", f);
			h_get(f, o, "app_proto");
			fprintf(f, "</td><td class=\"num\">%" PRIu64 "%s</td><td>", jget_u(o, "count"),
				json_is_true(json_object_get(o, "repeat")) ? " (repeat)" : "");
			h_get(f, o, "reason");
			fputs("</td><td class=\"mono hash\">", f);
			h_get(f, o, "evidence");
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static void html_inventory(FILE *f, const json_t *rep)
{
	h_section(f, "inventory", "7. Equipment inventory");
	fputs("<p class=\"note\">Equipment (HSMS: MDLN/SOFTREV from S1F2/S1F13/S1F14) and Modbus "
	      "devices (FC 43/14, FC 17) identified in the traffic, from the last inventory record of "
	      "each (the end-of-run summary when there is one), with the baseline the policy "
	      "lists (NIST CSF ID.AM-01/02; SEMI E187).</p>\n", f);
	fputs("<table><tr><th>address</th><th>name</th><th>zone</th><th>kind</th><th>vendor</th>"
	      "<th>model</th><th>revision</th><th>baseline</th><th>ports</th><th>hosts / clients</th>"
	      "<th>first seen</th><th>last seen</th></tr>\n", f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "assets"), i, o) {
		json_t *bm = json_object_get(o, "baseline_match");
		fputs("<tr class=\"asset-row\"", f);
		h_attr(f, "data-ip", json_object_get(o, "ip"));
		h_attr(f, "data-kind", json_object_get(o, "kind"));
		h_attr(f, "data-model", json_object_get(o, "model"));
		h_attr(f, "data-revision", json_object_get(o, "revision"));
		h_attr(f, "data-zone", json_object_get(o, "zone"));
		fputs("><td class=\"mono nw\">", f);
		h_get(f, o, "ip");
		fputs("</td><td>", f);
		h_get(f, o, "host_name");
		fputs("</td><td>", f);
		h_zone(f, str_or(json_object_get(o, "zone")));
		fputs("</td><td>", f);
		h_get(f, o, "kind");
		fputs("</td><td>", f);
		h_get(f, o, "vendor");
		fputs("</td><td><b>", f);
		h_get(f, o, "model");
		fputs("</b></td><td>", f);
		h_get(f, o, "revision");
		if (json_array_size(json_object_get(o, "revisions_seen")) > 1) {
			fputs("<br><span class=\"note\">seen: ", f);
			h_list(f, json_object_get(o, "revisions_seen"), ", ", SIZE_MAX);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		if (json_is_boolean(bm)) {
			fprintf(f, "<span class=\"tag %s\">%s</span> ", json_is_true(bm) ? "v-allowed"
				: "v-violating", json_is_true(bm) ? "matches" : "differs");
			h_get(f, o, "baseline_model");
			fputs(" ", f);
			h_get(f, o, "baseline_revision");
		} else {
			fputs("<span class=\"muted\">none</span>", f);
		}
		fputs("</td><td>", f);
		h_list(f, json_object_get(o, "ports"), ", ", HTML_MAX_ITEMS);
		fputs("</td><td class=\"mono peers\">", f);
		h_list(f, json_object_get(o, "peers"), ", ", 20);
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "first_seen"));
		fputs("</td><td>", f);
		h_ts(f, json_object_get(o, "last_seen"));
		fputs("</td></tr>\n", f);
	}
	if (!json_array_size(json_object_get(rep, "assets")))
		fputs("<tr><td colspan=\"12\">No equipment or Modbus device identified.</td></tr>\n", f);
	fputs("</table>\n</section>\n", f);
}

static int write_html(FILE *f, const json_t *rep)
{
	const json_t *pol = json_object_get(rep, "policy"), *s = json_object_get(rep, "summary");
	const json_t *notes = json_object_get(rep, "notes"), *in = json_object_get(rep, "input");
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"fabmon report " FABMON_VERSION "\">\n"
	      "<title>Zone-separation audit report", f);
	if (json_is_string(json_object_get(pol, "name"))) {
		fputs(" \xe2\x80\x94 ", f);
		h_get(f, pol, "name");
	}
	fprintf(f, "</title>\n<style>%s</style>\n</head><body>\n", css);
	fputs("<header><h1>Zone-separation audit report</h1><p>", f);
	if (json_is_string(json_object_get(pol, "name"))) {
		fputs("Policy: ", f);
		h_get(f, pol, "name");
		fputs(" \xc2\xb7 ", f);
	}
	fputs("capture ", f);
	h_ts(f, json_object_get(json_object_get(rep, "run"), "first_flow_start"));
	fputs(" \xe2\x80\x93 ", f);
	h_ts(f, json_object_get(json_object_get(rep, "run"), "last_flow_end"));
	fputs(" UTC \xc2\xb7 generated ", f);
	h_get(f, json_object_get(rep, "report"), "generated");
	fputs(" by fabmon " FABMON_VERSION "</p></header>\n", f);
	fputs("<nav><a href=\"#run\">Run</a><a href=\"#diagram\">Diagram</a><a href=\"#zones\">"
	      "Zones</a><a href=\"#matrix\">Matrix</a><a href=\"#conduits\">Conduits</a>"
	      "<a href=\"#violations\">Violations</a><a href=\"#inventory\">Inventory</a>"
	      "<a href=\"#notes\">Notes</a></nav>\n<main>\n", f);

	fputs("<section id=\"summary\"><div class=\"cards\">\n", f);
	uint64_t vp = jget_u(s, "violating_pairs");
	h_card(f, "flows", "flows", jget_u(s, "flows"), "");
	h_card(f, "zone_pairs", "zone pairs observed", jget_u(s, "zone_pairs"), "");
	h_card(f, "violating_pairs", "violating zone pairs", vp, vp ? "bad" : "good");
	h_card(f, "alert_hits", "alert hits", jget_u(s, "alert_hits"),
	       jget_u(s, "alert_hits") ? "bad" : "good");
	h_card(f, "zones_evidenced", "zones evidenced", jget_u(s, "zones_evidenced"), "");
	h_card(f, "zones", "zones", jget_u(s, "zones"), "");
	h_card(f, "conduits_observed", "conduits observed", jget_u(s, "conduits_observed"), "");
	h_card(f, "conduits", "conduits", jget_u(s, "conduits"), "");
	h_card(f, "unzoned_hosts", "hosts in no zone", jget_u(s, "unzoned_hosts"),
	       jget_u(s, "unzoned_hosts") ? "bad" : "");
	h_card(f, "assets", "equipment / devices", jget_u(s, "assets"), "");
	fputs("</div>\n", f);
	size_t i;
	json_t *n;
	json_array_foreach(notes, i, n) {
		fputs("<p class=\"warn\">", f);
		h_val(f, n);
		fputs("</p>\n", f);
	}
	fputs("</section>\n", f);

	html_run(f, rep);
	h_section(f, "diagram", "2. Zones and conduits");
	fputs("<p class=\"note\">Zones by Purdue level (METI areas), with every conduit of the policy "
	      "and every observed zone pair that broke it. Hover an edge or a zone for details.</p>\n"
	      "<div class=\"diagram\">\n", f);
	if (html_diagram(f, rep) < 0)
		return -1;
	fputs("</div>\n</section>\n", f);
	html_zones(f, rep);
	html_matrix(f, rep);
	html_conduits(f, rep);
	html_violations(f, rep);
	html_inventory(f, rep);

	h_section(f, "notes", "Notes and method");
	fputs("<ul>\n<li>Source: ", f);
	h_get(f, in, "file");
	fprintf(f, ", %" PRIu64 " lines, %" PRIu64 " records", jget_u(in, "lines"),
		jget_u(in, "records"));
	if (jget_u(in, "bad_lines")) {
		fprintf(f, ", <b>%" PRIu64 " lines that are not JSON records were skipped</b>:",
			jget_u(in, "bad_lines"));
		fputs("<ul>", f);
		json_array_foreach(json_object_get(in, "bad_line_examples"), i, n) {
			fputs("<li class=\"mono bad-line\">", f);
			h_val(f, n);
			fputs("</li>", f);
		}
		fputs("</ul>", f);
	}
	fputs(".</li>\n<li>Zones and verdicts are those fabmon recorded for each flow "
	      "(<code>policy</code> in the flow records) under the policy in force at the time.</li>\n"
	      "<li>Times are capture times in UTC (the run's start is wall-clock time).</li>\n"
	      "<li>References: IEC 62443-3-2 (zones and conduits, ZCR 3), IEC 62443-3-3 SR 5.1/5.2, "
	      "METI OT security guideline for semiconductor device factories (fab area, fab "
	      "system area, IT/OT DMZ, external), NIST CSF 2.0 ID.AM-03 (representation of "
	      "authorised data flows) as profiled in NIST IR 8546, SEMI E187/E188.</li>\n"
	      "<li>The same data: report.json; the matrix and the inventory as CSV: matrix.csv, "
	      "inventory.csv.</li>\n</ul>\n</section>\n</main>\n</body></html>\n", f);
	return 0;
}

/* ------------------------------------------------------------------ CSV */

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	/* a cell a spreadsheet would run as a formula (values come from packets) */
	bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0];
	if (quote || formula)
		fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote || formula)
		fputc('"', f);
}

static void csv_val(FILE *f, const json_t *v)
{
	char buf[32];
	if (json_is_string(v)) {
		csv_field(f, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		fputs(buf, f);
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	} else if (json_is_array(v)) {
		/* a list in one cell, ';'-separated */
		size_t cap = 256, len = 0, i;
		char *s = malloc(cap);
		json_t *x;
		if (!s)
			return;
		s[0] = 0;
		json_array_foreach(v, i, x) {
			const char *t = json_string_value(x);
			if (json_is_integer(x)) {
				snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(x));
				t = buf;
			}
			if (!t)
				continue;
			size_t need = len + strlen(t) + 2;
			if (need > cap) {
				char *ns = realloc(s, need * 2);
				if (!ns)
					break;
				s = ns;
				cap = need * 2;
			}
			len += (size_t)sprintf(s + len, "%s%s", len ? ";" : "", t);
		}
		csv_field(f, s);
		free(s);
	}
}

static int write_matrix_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "src_zone", "dest_zone", "verdict", "flows", "bytes",
					    "apps", "ports", "conduits", "first_seen", "last_seen",
					    "violation_flows", "alerts" };
	size_t nc = sizeof(cols) / sizeof(cols[0]);
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "%s%s", c ? "," : "", cols[c]);
	fputs("\r\n", f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "matrix"), i, o) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				fputc(',', f);
			json_t *v = json_object_get(o, cols[c]);
			if (c < 2 && json_is_null(v))
				fputs(NO_ZONE, f);
			else
				csv_val(f, v);
		}
		fputs("\r\n", f);
	}
	return 0;
}

static int write_inventory_csv(FILE *f, const json_t *rep)
{
	static const char *const cols[] = { "ip", "kind", "protocol", "zone", "host_name", "vendor",
					    "model", "revision", "baseline_model",
					    "baseline_revision", "baseline_match", "ports", "peers",
					    "first_seen", "last_seen", "messages", "requests",
					    "writes", "revisions_seen" };
	size_t nc = sizeof(cols) / sizeof(cols[0]);
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "%s%s", c ? "," : "", cols[c]);
	fputs("\r\n", f);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(rep, "assets"), i, o) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				fputc(',', f);
			csv_val(f, json_object_get(o, cols[c]));
		}
		fputs("\r\n", f);
	}
	return 0;
}

static int write_json(FILE *f, const json_t *rep)
{
	if (json_dumpf(rep, f, JSON_INDENT(1)) < 0)
		return -1;
	fputc('\n', f);
	return 0;
}

/* ---------------------------------------------------------------- output */

/* Write outdir/name through a temporary file renamed into place. */
static int write_file(const char *outdir, const char *name, int (*fn)(FILE *, const json_t *),
		      const json_t *rep, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", outdir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", outdir, name) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s/%s: path too long", outdir, name);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = fn(f, rep);
	bool bad = rc < 0 || ferror(f);
	int e = bad ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad && rename(tmp, path) < 0) {
		bad = true;
		e = errno;
	}
	if (bad) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, rc < 0 && !e ? "out of memory"
			 : strerror(e));
		return -1;
	}
	return 0;
}

struct report_result {
	uint64_t flows, pairs, violating, alerts, bad_lines;
};

static int report_run(const char *dir, const char *outdir, char *err, size_t errlen,
		      struct report_result *res)
{
	struct rep r;
	memset(&r, 0, sizeof(r));
	r.dir = dir;
	r.pol_verified = -1;
	if (!outdir)
		outdir = dir;
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", dir, stat(dir, &st) < 0 ? strerror(errno)
			 : "not a directory (give the output directory of a fabmon run)");
		return EXIT_INPUT;
	}
	if ((size_t)snprintf(r.eve, sizeof(r.eve), "%s/eve.json", dir) >= sizeof(r.eve)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return EXIT_INPUT;
	}
	r.bad = json_array();
	r.runs = json_array();
	r.reloads = json_array();
	r.final_stats = json_array();
	r.alerts = json_array();
	r.notes = json_array();
	int rc = EXIT_OK;
	json_t *rep = NULL;
	if (!r.bad || !r.runs || !r.reloads || !r.final_stats || !r.alerts || !r.notes) {
		r.oom = true;
		goto out;
	}
	rc = read_eve(&r, err, errlen);
	if (rc != EXIT_OK)
		goto out;
	if (!r.oom)
		load_policy(&r);
	if (r.bad_lines)
		note(&r, "%" PRIu64 " line%s of eve.json %s not JSON records and %s skipped (see Notes)",
		     r.bad_lines, r.bad_lines == 1 ? "" : "s", r.bad_lines == 1 ? "is" : "are",
		     r.bad_lines == 1 ? "was" : "were");
	if (!r.oom)
		rep = build_report(&r);
	if (r.oom || !rep)
		goto out;

	if (mkdir(outdir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		rc = EXIT_OUTPUT;
		goto out;
	}
	if (write_file(outdir, "report.json", write_json, rep, err, errlen) < 0 ||
	    write_file(outdir, "report.html", write_html, rep, err, errlen) < 0 ||
	    write_file(outdir, "matrix.csv", write_matrix_csv, rep, err, errlen) < 0 ||
	    write_file(outdir, "inventory.csv", write_inventory_csv, rep, err, errlen) < 0) {
		rc = EXIT_OUTPUT;
		goto out;
	}
	if (res) {
		const json_t *s = json_object_get(rep, "summary");
		res->flows = ju(s, "flows");
		res->pairs = ju(s, "zone_pairs");
		res->violating = ju(s, "violating_pairs");
		res->alerts = ju(s, "alert_hits");
		res->bad_lines = r.bad_lines;
	}
out:
	if (r.oom && rc == EXIT_OK) {
		snprintf(err, errlen, "out of memory");
		rc = EXIT_RUNTIME;
	}
	json_decref(rep);
	rep_free(&r);
	return rc;
}

int report_generate(const char *dir, const char *outdir, char *err, size_t errlen)
{
	int rc = report_run(dir, outdir, err, errlen, NULL);
	return rc == EXIT_OK ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: fabmon report DIR [-o OUTDIR] [-q]\n"
		   "Write the zone-separation audit report of a run: DIR/eve.json (and the\n"
		   "policy copy beside it) into OUTDIR (default DIR): report.html, report.json,\n"
		   "matrix.csv, inventory.csv.\n"
		   "Exit 0; 3 if DIR/eve.json cannot be read; 4 if lines of it are not JSON\n"
		   "(skipped, counted in the report); 5 if the report cannot be written.\n");
}

int cmd_report(int argc, char **argv)
{
	const char *outdir = NULL, *dir = NULL;
	bool quiet = false;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': outdir = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		log_error("report: give one directory, the output of a fabmon run (fabmon report "
			  "--help)");
		return EXIT_USAGE;
	}
	dir = argv[optind];
	char err[1024] = "";
	struct report_result res = { 0 };
	int rc = report_run(dir, outdir, err, sizeof(err), &res);
	if (rc != EXIT_OK) {
		log_error("report: %s", err);
		return rc;
	}
	if (!quiet)
		printf("report: %s/report.html, report.json, matrix.csv, inventory.csv (%" PRIu64
		       " flows, %" PRIu64 " zone pairs, %" PRIu64 " violating, %" PRIu64 " alert hits)\n",
		       outdir ? outdir : dir, res.flows, res.pairs, res.violating, res.alerts);
	return res.bad_lines ? EXIT_INPUT_DAMAGED : EXIT_OK;
}
