/* SPDX-License-Identifier: BSD-2-Clause */
/* Alert aggregation windows and the rate limit per rule and source (see alert.h). */
#include "rules/alert.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct agg_entry {
	uint64_t key;
	int32_t next;                 /* hash chain / free list */
	bool used;
	int64_t window_end;
	uint64_t repeats;
	int64_t rfirst_sec, rlast_sec;
	uint32_t rfirst_usec, rlast_usec;
	struct alert a;               /* the latest hit, template of the repeat */
};

/* New records of one (rule, source address) in one minute. */
struct src_budget {
	uint64_t key;                 /* 0: never used */
	int64_t minute;
	uint32_t n;
};

#define SRC_BUDGETS 4096          /* power of two */
#define SRC_PROBES 8
#define RULE_CEILING 10           /* a rule's records per minute: this many times the rate */
/* half-open; then (in no zone, or in a zone of each area) x (unknown, known) */
#define CEILING_CLASSES (1 + (AREA_COUNT + 1) * 2)

struct alert_agg {
	uint32_t window, rate;
	uint32_t cap, nbuckets;
	struct agg_entry *e;
	int32_t *bucket;
	int32_t free_head;            /* entries given back */
	uint32_t fresh;               /* entries never used: [fresh, cap) (not touched yet) */
	uint32_t used;
	/* rate limit: new records of each rule, and of each (rule, source), in
	 * the current minute */
	int64_t minute[R_COUNT];
	/* per source class (ceiling_class): a flood from many sources escapes
	 * the limit per source and would use up the rule's ceiling, and the
	 * alerts of the fab's own hosts (of the same rule, a remote access
	 * alert say) would be suppressed for the minute. Half-open flows have
	 * their own ceiling (issue 16 item 2); connections have one per
	 * Purdue area of the source and per standing (a host the policy names
	 * or whose role is known, or not), so that a flood of completed
	 * connections from the internet, or from unknown addresses of a zone,
	 * does not silence the others. */
	uint32_t in_minute[R_COUNT][CEILING_CLASSES];
	uint64_t pending_suppressed[R_COUNT];
	struct src_budget src[SRC_BUDGETS];
	alert_sink_fn sink;
	alert_mark_fn mark;
	void *ctx;
	struct alert_stats st;
	struct alert scratch;
};

uint64_t alert_key_mix(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	if (!h)
		h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

struct alert_agg *alert_agg_create(uint32_t window_sec, uint32_t rate_per_min, uint32_t capacity,
				   alert_sink_fn sink, void *ctx)
{
	struct alert_agg *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cap = capacity ? capacity : 1;
	g->nbuckets = g->cap * 2;
	g->e = calloc(g->cap, sizeof(*g->e));
	g->bucket = malloc(g->nbuckets * sizeof(*g->bucket));
	if (!g->e || !g->bucket) {
		alert_agg_destroy(g);
		return NULL;
	}
	for (uint32_t i = 0; i < g->nbuckets; i++)
		g->bucket[i] = -1;
	g->free_head = -1;
	g->sink = sink;
	g->ctx = ctx;
	alert_agg_configure(g, window_sec, rate_per_min);
	for (int r = 0; r < R_COUNT; r++)
		g->minute[r] = INT64_MIN;
	return g;
}

void alert_agg_configure(struct alert_agg *g, uint32_t window_sec, uint32_t rate_per_min)
{
	g->window = window_sec;
	g->rate = rate_per_min ? rate_per_min : 1;
}

void alert_agg_set_mark(struct alert_agg *g, alert_mark_fn mark)
{
	g->mark = mark;
}

void alert_agg_destroy(struct alert_agg *g)
{
	if (!g)
		return;
	free(g->e);
	free(g->bucket);
	free(g);
}

const struct alert_stats *alert_agg_stats(const struct alert_agg *g)
{
	return &g->st;
}

static void emit(struct alert_agg *g, const struct alert *a)
{
	g->st.records++;
	g->sink(g->ctx, a);
}

/* Write the repeats of an entry (if any) and free it. */
static void close_entry(struct alert_agg *g, int32_t idx)
{
	struct agg_entry *e = &g->e[idx];
	if (e->repeats) {
		struct alert *r = &g->scratch;
		*r = e->a;
		r->repeat = true;
		r->count = e->repeats;
		r->first_sec = e->rfirst_sec;
		r->first_usec = e->rfirst_usec;
		r->last_sec = e->rlast_sec;
		r->last_usec = e->rlast_usec;
		r->suppressed_before = 0;
		r->sensor_flow = NULL;
		emit(g, r);
	}
	uint32_t b = (uint32_t)(e->key % g->nbuckets);
	for (int32_t *pp = &g->bucket[b]; *pp >= 0; pp = &g->e[*pp].next) {
		if (*pp == idx) {
			*pp = e->next;
			break;
		}
	}
	e->used = false;
	e->next = g->free_head;
	g->free_head = idx;
	g->used--;
}

void alert_agg_tick(struct alert_agg *g, int64_t sec)
{
	if (!g->used)
		return;
	for (uint32_t i = 0; i < g->fresh; i++)
		if (g->e[i].used && g->e[i].window_end <= sec)
			close_entry(g, (int32_t)i);
}

void alert_agg_flush(struct alert_agg *g)
{
	for (uint32_t i = 0; i < g->fresh; i++)
		if (g->e[i].used)
			close_entry(g, (int32_t)i);
}

/* The budget of (rule, source) this minute: found, or a slot of an earlier
 * minute taken over. NULL when every probed slot is busy this minute (more
 * sources than the table holds): then only the rule's ceiling applies. */
static struct src_budget *src_budget(struct alert_agg *g, enum rule_id r, const struct ip_addr *ip,
				     int64_t minute)
{
	uint32_t rr = (uint32_t)r;
	uint64_t k = alert_key_mix(alert_key_mix(0, &rr, sizeof(rr)), ip, sizeof(*ip));
	k |= 1; /* 0 marks an unused slot */
	struct src_budget *stale = NULL;
	for (uint32_t i = 0; i < SRC_PROBES; i++) {
		struct src_budget *b = &g->src[(k + i) & (SRC_BUDGETS - 1)];
		if (b->key == k && b->minute == minute)
			return b;
		if (!stale && (b->key == 0 || b->minute != minute))
			stale = b;
	}
	if (stale) {
		stale->key = k;
		stale->minute = minute;
		stale->n = 0;
	}
	return stale;
}

/* The share of a rule's ceiling a hit counts to: half-open flows apart;
 * connections by the source's Purdue area (or none) and standing. */
static unsigned ceiling_class(const struct alert *a)
{
	if (a->half_open)
		return 0;
	const struct alert_endpoint *s = &a->src;
	unsigned area = s->has_zone && s->area < AREA_COUNT ? (unsigned)s->area + 1 : 0;
	bool known = s->host[0] || s->roles;
	return 1 + area * 2 + (known ? 1 : 0);
}

void alert_agg_raise(struct alert_agg *g, const struct alert *a, uint64_t key)
{
	enum rule_id r = a->def->rule;
	g->st.hits++;
	g->st.by_rule[r]++;
	if (a->severity >= 1 && a->severity <= 4)
		g->st.by_severity[a->severity]++;
	int64_t now = a->first_sec;
	uint32_t b = (uint32_t)(key % g->nbuckets);
	for (int32_t i = g->bucket[b]; i >= 0; i = g->e[i].next) {
		struct agg_entry *e = &g->e[i];
		if (e->key != key)
			continue;
		if (now < e->window_end) {
			if (!e->repeats) {
				e->rfirst_sec = a->first_sec;
				e->rfirst_usec = a->first_usec;
			}
			/* the repeat's evidence: noted now, while the hit's
			 * flow is there */
			struct alert_mark m = { { 0, 0 } };
			if (g->mark)
				m = g->mark(g->ctx, a, true);
			e->repeats++;
			e->rlast_sec = a->last_sec;
			e->rlast_usec = a->last_usec;
			/* the repeat record describes the hits it counts: the
			 * last one's flow, reason and detail (the first hit has
			 * its own record) */
			e->a = *a;
			e->a.mark = m;
			g->st.aggregated++;
			return;
		}
		close_entry(g, i);
		break;
	}
	/* a new record: within the rate of this rule for this source, and
	 * within the rule's ceiling? */
	int64_t minute = now / 60;
	if (g->minute[r] != minute) {
		g->minute[r] = minute;
		memset(g->in_minute[r], 0, sizeof(g->in_minute[r]));
	}
	uint32_t *in_minute = &g->in_minute[r][ceiling_class(a)];
	struct src_budget *sb = src_budget(g, r, &a->src.ip, minute);
	uint64_t ceiling = (uint64_t)g->rate * RULE_CEILING;
	if ((sb && sb->n >= g->rate) || *in_minute >= ceiling) {
		g->st.suppressed++;
		g->st.suppressed_by_rule[r]++;
		g->pending_suppressed[r]++;
		return;
	}
	(*in_minute)++;
	if (sb)
		sb->n++;
	struct alert *out = &g->scratch;
	*out = *a;
	out->count = 1;
	out->repeat = false;
	out->suppressed_before = g->pending_suppressed[r];
	g->pending_suppressed[r] = 0;
	memset(&out->mark, 0, sizeof(out->mark));
	if (g->mark)
		out->mark = g->mark(g->ctx, a, false);
	emit(g, out);
	if (!g->window)
		return;
	if (g->free_head < 0 && g->fresh < g->cap) {
		g->e[g->fresh].next = -1;
		g->free_head = (int32_t)g->fresh++;
	}
	if (g->free_head < 0) {
		/* full: close the window that ends first to make room */
		int32_t oldest = 0;
		for (uint32_t i = 1; i < g->cap; i++)
			if (g->e[i].window_end < g->e[oldest].window_end)
				oldest = (int32_t)i;
		close_entry(g, oldest);
	}
	int32_t idx = g->free_head;
	struct agg_entry *e = &g->e[idx];
	g->free_head = e->next;
	memset(e, 0, offsetof(struct agg_entry, a));
	e->a = *a;
	e->a.count = 1;
	e->a.mark = out->mark;
	e->key = key;
	e->used = true;
	e->window_end = now + (int64_t)g->window;
	e->next = g->bucket[b];
	g->bucket[b] = idx;
	g->used++;
}
