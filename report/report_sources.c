/* SPDX-License-Identifier: BSD-2-Clause */
/* The sources of a report and the connections two sensors both saw
 * (report_sources.h). */
#include "report/report_sources.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_value.h"
#include "util/rfc3339.h"

/* One flow record of a source, kept while merging: where a later source's
 * record of the same connection is looked up. */
struct seen_flow {
	int64_t t0, t1;               /* microseconds since the epoch */
	unsigned src;
	struct seen_flow *next;       /* the same community id, other times or sources */
};

static const int64_t slack_us = (int64_t)(SOURCES_SLACK_S * 1e6);

struct rep_source *rep_sources_cur(struct rep_sources *s)
{
	return s->n ? &s->v[s->cur] : NULL;
}

/* The last component of a directory's path ("out/" and "a/out" give "out"). */
static char *last_component(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && dir[b - 1] != '/')
		b--;
	char *s = malloc(n - b + 1);
	if (s) {
		memcpy(s, dir + b, n - b);
		s[n - b] = 0;
	}
	return s;
}

bool rep_sources_add(struct rep_sources *s, const char *dir, const char *eve)
{
	struct rep_source *a = realloc(s->v, (s->n + 1) * sizeof(*a));
	if (!a)
		return false;
	s->v = a;
	s->cur = s->n;
	struct rep_source *x = &a[s->n++];
	memset(x, 0, sizeof(*x));
	x->dir = strdup(dir);
	x->name = last_component(dir);
	x->eve = strdup(eve);
	return x->dir && x->name && x->eve;
}

/* x named by its records' host. false: out of memory. */
static bool name_source(struct rep_source *x, const char *host)
{
	char *n = strdup(host);
	if (!n)
		return false;
	free(x->name);
	x->name = n;
	x->named = true;
	return true;
}

/* By host: the source named host, made (in the current one's file) if new;
 * the first host names the directory's own source while it has nothing. */
static bool select_host(struct rep_sources *s, const char *host)
{
	struct rep_source *x = rep_sources_cur(s);
	if (x->named && !strcmp(x->name, host))
		return true;
	for (unsigned i = 0; i < s->n; i++)
		if (s->v[i].named && !strcmp(s->v[i].name, host)) {
			s->cur = i;
			return true;
		}
	if (x->named || x->records) {
		char *dir = strdup(x->dir), *eve = strdup(x->eve);
		bool ok = dir && eve && rep_sources_add(s, dir, eve);
		free(dir);
		free(eve);
		if (!ok)
			return false;
		x = rep_sources_cur(s);
	}
	return name_source(x, host);
}

bool rep_sources_host(struct rep_sources *s, const char *host)
{
	struct rep_source *x = rep_sources_cur(s);
	if (x && s->by_host && host && *host)
		return select_host(s, host);
	if (!x || x->named || !host || !*host)
		return true;
	return name_source(x, host);
}

const char *rep_sources_name(const struct rep_sources *s)
{
	return s->n && s->v[s->cur].name ? s->v[s->cur].name : "";
}

static bool when(const char *t, int64_t *us)
{
	return t && rfc3339_parse(t, us);
}

/* Another source's flow of cid over [t0, t1] (give or take the slack). */
static bool other_source_has(const struct rep_sources *s, const char *cid, int64_t t0, int64_t t1)
{
	unsigned me = s->cur;
	for (const struct seen_flow *f = smap_find(&s->seen, cid); f; f = f->next)
		if (f->src != me && f->t0 - slack_us <= t1 && t0 <= f->t1 + slack_us)
			return true;
	return false;
}

/* The current source's flow of cid over [t0, t1], the one that counts. */
static int remember(struct rep_sources *s, const char *cid, int64_t t0, int64_t t1)
{
	bool created;
	void **slot = smap_get(&s->seen, cid, true, &created);
	struct seen_flow *f = slot ? malloc(sizeof(*f)) : NULL;
	if (!f)
		return -1;
	*f = (struct seen_flow){ t0, t1, s->cur, *slot };
	*slot = f;
	return 0;
}

int rep_sources_flow_seen(struct rep_sources *s, const char *cid, const char *t0, const char *t1)
{
	struct rep_source *x = rep_sources_cur(s);
	int64_t a, b;
	if (!s->merging || !x || !cid || !when(t0, &a) || !when(t1, &b))
		return 0;
	if (other_source_has(s, cid, a, b)) {
		x->duplicate_flows++;
		s->duplicate_flows++;
		return 1;
	}
	if (s->prescanned)
		return 0; /* remembered in the first pass */
	return remember(s, cid, a, b);
}

int rep_sources_prescan_flow(struct rep_sources *s, const char *cid, const char *t0,
			     const char *t1)
{
	int64_t a, b;
	if (!s->n || !cid || !when(t0, &a) || !when(t1, &b) || other_source_has(s, cid, a, b))
		return 0;
	return remember(s, cid, a, b);
}

bool rep_sources_record_seen(struct rep_sources *s, const char *cid, const char *t)
{
	struct rep_source *x = rep_sources_cur(s);
	int64_t a;
	if (!s->merging || !x || !cid || !when(t, &a) || !other_source_has(s, cid, a, a))
		return false;
	x->duplicate_records++;
	s->duplicate_records++;
	return true;
}

bool rep_sources_policy(struct rep_sources *s, const char *sha256)
{
	struct rep_source *x = rep_sources_cur(s);
	if (!x || !sha256)
		return true;
	free(x->policy_sha256);
	x->policy_sha256 = strdup(sha256);
	return x->policy_sha256 != NULL;
}

json_t *rep_sources_json(const struct rep_sources *s)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i < s->n; i++) {
		const struct rep_source *x = &s->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string_or_null(x->name));
		json_object_set_new(o, "named_by", json_string(x->named ? "records" : "directory"));
		json_object_set_new(o, "directory", json_string_or_null(x->dir));
		json_object_set_new(o, "eve_json", json_string_or_null(x->eve));
		json_object_set_new(o, "sha256", x->sha256[0] ? json_string(x->sha256) : json_null());
		json_object_set_new(o, "bytes", json_count(x->bytes));
		json_object_set_new(o, "records", json_count(x->records));
		json_object_set_new(o, "bad_lines", json_count(x->bad_lines));
		json_object_set_new(o, "policy_sha256", json_string_or_null(x->policy_sha256));
		json_object_set_new(o, "flows", json_count(x->flows));
		json_object_set_new(o, "duplicate_flows", json_count(x->duplicate_flows));
		json_object_set_new(o, "duplicate_records", json_count(x->duplicate_records));
		json_array_append_new(a, o);
	}
	return a;
}

static void note(json_t *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(json_t *notes, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(notes, json_string(buf));
}

void rep_sources_notes(const struct rep_sources *s, json_t *notes)
{
	if (s->n < 2)
		return;
	note(notes, "fab-wide report of %u sensors' %s: a connection two sensors saw (same "
	     "Community ID, overlapping times within %.0f s) is counted once; %" PRIu64
	     " flow record%s and %" PRIu64 " other record%s were such duplicates", s->n,
	     s->by_host ? "records, collected into one eve.json" : "output directories",
	     SOURCES_SLACK_S, s->duplicate_flows, s->duplicate_flows == 1 ? "" : "s",
	     s->duplicate_records, s->duplicate_records == 1 ? "" : "s");
	const struct rep_source *last = &s->v[s->n - 1];
	for (unsigned i = 0; i + 1 < s->n; i++) {
		const struct rep_source *x = &s->v[i];
		if (x->policy_sha256 && last->policy_sha256 && strcmp(x->policy_sha256, last->policy_sha256))
			note(notes, "sensor %s (%s) ran another policy (SHA-256 %s) than %s (%s): the "
			     "report's policy sections are those of %s, the last directory given",
			     x->name, x->dir, x->policy_sha256, last->name, last->policy_sha256, last->name);
	}
}

static void seen_free(void *p)
{
	for (struct seen_flow *f = p, *n; f; f = n) {
		n = f->next;
		free(f);
	}
}

void rep_sources_free(struct rep_sources *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		free(s->v[i].dir);
		free(s->v[i].name);
		free(s->v[i].eve);
		free(s->v[i].policy_sha256);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
	smap_free(&s->seen, seen_free);
}
