/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scans and floods (issue 16 item 3; rules FAB-SCAN-001, FAB-SCAN-002,
 * FAB-SCAN-003 in rules/catalog.c; thresholds in the policy's `scan:`).
 *
 * What is counted: TCP half-open flows (rules_flow_view.half_open: a SYN
 * never answered-and-acknowledged, no payload) whose destination is in a
 * watched zone (the policy's scan areas or zones; fab areas by default).
 * That covers SYN floods, SYN scans of open and closed ports, and connect
 * scans of closed or filtered ports (most of any scan). A connect scan's
 * hits on open ports complete a handshake: those few are real connections
 * that the per-flow rules see one by one, so they are not counted here.
 *
 * Intervals: an interval starts with the first flow counted and lasts the
 * policy's `interval` seconds of capture time, so that a short flood lies in
 * one interval and gives one alert. Flows are checked when they end (a
 * half-open flow: at its timeout), and counted in the interval open then.
 * When the interval closes, every destination, (source, destination) pair
 * and source over its threshold raises one alert with the interval's
 * counts; the aggregation (rules/alert.h) folds the same flood over several
 * intervals into its repeat record.
 *
 * Folding: from the flow that crosses a threshold on, the half-open flows a
 * flagged entry covers raise no alert of their own (no per-SYN conduit or
 * inventory alert for a million spoofed sources): they are counted in the
 * scan alert (`folded`, and by the rule and source zone they would have
 * hit).
 *
 * A flood's first flows are folded too, through its backlog: flows are
 * checked at their end, but a SYN is seen when it opens its flow. The
 * sensor tells rl_scan_attempt() when a TCP flow opens with a bare SYN to a
 * watched destination (+1) and when that attempt stops being one: answered
 * and acknowledged, payload, or the flow ends (-1). A destination's backlog
 * is the number of attempts open to it now, a level that survives interval
 * closes: a busy server's stays small (its handshakes complete in
 * milliseconds), a flood's grows with the flood. When it reaches the
 * syn_flood threshold the destination is `flooded` until its backlog is
 * back to 0, and every half-open flow to it checked meanwhile is covered:
 * the flood's first SYNs end (time out, are evicted) after the backlog
 * crossed, so the flood raises its one alert and no per-flow one. An
 * interval that counts flows of a flooded destination raises the flood
 * alert even below the threshold (the backlog crossed it; the reason says
 * so), so that folded flows are never left without their alert.
 * Backlogs live in a fixed table (BACKLOG_SETS x SCAN_WAYS, keyed by the
 * destination: spoofed sources do not add entries); a new destination
 * takes a free way or the smallest unflooded backlog of its set, which
 * loses its count (its later -1s find nothing and are ignored, or, if it
 * came back meanwhile, take from its new count: a backlog may be
 * understated after an eviction, never below 0). The sensor calls with
 * one flag test per packet (struct flow's attempt_counted).
 *
 * Port scans and sweeps are not pre-flagged: a scanner uses one or a few
 * source addresses, so the flows before their threshold (at most
 * threshold - 1 per entry and interval) are checked as usual, and the
 * per-source alert rate limit bounds what they can raise.
 *
 * Memory is fixed whatever the number of (spoofed) sources: three tables of
 * SCAN_SETS x SCAN_WAYS entries, set-associative by key hash; a new key
 * takes a free way of its set or evicts the way with the smallest count
 * (never a flagged one if another is there), counted in `table_evictions`.
 * A flood or scan has the largest counts of its set and is not evicted by
 * one-flow spoofed entries. Distinct counts:
 *  - sources of a flood: a HyperLogLog of 256 one-byte registers (~6.5%
 *    error, any number of sources in 256 bytes): it is only reported;
 *  - ports of a pair and hosts of a source: exact, in an open-addressed set
 *    of SCAN_SET_SLOTS slots, up to SCAN_SET_MAX values (then "at least"):
 *    thresholds must be exact (N-1 no alert, N one). Each slot carries the
 *    entry's epoch, so that reusing an entry costs no clearing.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

#define SCAN_SETS 64
#define SCAN_WAYS 8
#define SCAN_ENTRIES (SCAN_SETS * SCAN_WAYS)
#define SCAN_SET_SLOTS 512
#define HLL_REGS 256
/* exact distinct values per entry (75% of the slots: probes stay short);
 * the policy's port_scan and host_sweep thresholds are at most this */
#define SCAN_SET_MAX POLICY_SCAN_SET_MAX
_Static_assert(SCAN_SET_MAX * 4 <= SCAN_SET_SLOTS * 3, "the sets keep a quarter free");

enum scan_kind { SK_FLOOD, SK_PAIR, SK_SOURCE, SK_COUNT };

struct scan_entry {
	struct ip_addr key[2];        /* flood: dst; pair: src, dst; source: src */
	bool used, flagged, capped;
	bool crossed;                 /* its threshold, in this interval (flagged: or going on) */
	uint64_t n;                   /* flows counted: the eviction order */
	uint64_t seen;                /* the table's clock when last counted: ties go LRU */
	uint32_t distinct;
	uint32_t backlog;             /* flood: the largest backlog of its flows when counted */
	int16_t zone[2];              /* source and destination zones (first flow) */
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	uint64_t folded;
	struct { uint8_t rule; int16_t zone; uint64_t n; } fold[ALERT_SCAN_FOLDED];
	uint8_t nfold;
	struct { struct ip_addr ip; uint16_t port; uint64_t n, seen; } top[ALERT_SCAN_TOP];
	uint32_t epoch;               /* of set[]: slots of another epoch are empty */
	uint64_t set[SCAN_SET_SLOTS]; /* pair: ports, source: host hashes (epoch << 32 | value) */
	uint8_t hll[HLL_REGS];        /* flood: sources */
};

struct scan_table {
	struct scan_entry e[SCAN_ENTRIES];
	uint64_t clock;               /* flows counted, for the entries' `seen` */
	uint64_t evictions;           /* this interval */
};

/* A flood or scan that goes on: flagged in consecutive intervals. It
 * raised its alert when its first interval closed; while it goes on (no
 * pause of a whole interval) the next intervals raise none, and its flows
 * are folded from the first one (no per-flow alert before the threshold
 * either). So one flood is one alert, however long it lasts; its later
 * intervals are in the flow_attempts summaries. */
#define SCAN_EPISODES 64
struct scan_episode {
	bool used;
	uint8_t kind;
	struct ip_addr key[2];
	int64_t last_end;             /* end of the last interval it was flagged in */
};

/* Open connection attempts per watched destination (the head comment). */
#define BACKLOG_SETS 64
struct scan_backlog {
	struct ip_addr dst;
	bool used;
	bool flooded;                 /* reached syn_flood; until back to 0 */
	uint32_t n;                   /* attempts open now */
	uint64_t seen;                /* the table's clock when last changed: ties go LRU */
};

struct scan_state {
	struct scan_table t[SK_COUNT];
	struct scan_backlog backlog[BACKLOG_SETS * SCAN_WAYS];
	uint64_t backlog_clock;
	struct scan_episode ep[SCAN_EPISODES];
	bool open;                    /* an interval is open */
	int64_t start, now;
	int64_t first;                /* the earliest flow time counted in it (flows are
				       * checked at their end, after their last packet) */
	struct scan_entry *cover[SK_COUNT]; /* the flagged entries covering the flow being checked */
};

static void scan_close(struct rules *r, int64_t end);

static const enum rule_id kind_rule[SK_COUNT] = { R_SCAN_SYN_FLOOD, R_SCAN_PORT_SCAN,
						  R_SCAN_HOST_SWEEP };

int rl_scan_init(struct rules *r)
{
	r->scan = calloc(1, sizeof(*r->scan));
	return r->scan ? 0 : -1;
}

void rl_scan_free(struct rules *r)
{
	free(r->scan);
	r->scan = NULL;
}

static uint64_t mix64(uint64_t h)
{
	/* splitmix64's finaliser: FNV-1a's low bits are not uniform enough */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static uint64_t ip_hash(const struct ip_addr *a)
{
	return mix64(alert_key_mix(0, a, sizeof(*a)));
}

static bool watched(const struct policy *p, int zone)
{
	if (zone < 0)
		return false;
	if (p->scan.areas & (1u << p->zones[zone].area))
		return true;
	for (unsigned i = 0; i < p->scan.nzones; i++)
		if (p->scan.zones[i] == zone)
			return true;
	return false;
}

static struct scan_episode *episode_of(struct scan_state *s, int kind, const struct ip_addr *k0,
				       const struct ip_addr *k1)
{
	for (int i = 0; i < SCAN_EPISODES; i++) {
		struct scan_episode *e = &s->ep[i];
		if (e->used && e->kind == kind && ip_addr_cmp(&e->key[0], k0) == 0 &&
		    (!k1 || ip_addr_cmp(&e->key[1], k1) == 0))
			return e;
	}
	return NULL;
}

/* An episode that went on until the interval before the one open now. */
static bool goes_on(const struct scan_state *s, const struct scan_episode *e, uint32_t interval)
{
	return e && s->start - e->last_end < (int64_t)interval;
}

/* The entry of a key, taken (and counted as evicted) if it is new. */
static struct scan_entry *entry_get(struct scan_table *t, const struct ip_addr *k0,
				    const struct ip_addr *k1, uint64_t h)
{
	struct scan_entry *set = &t->e[(h % SCAN_SETS) * SCAN_WAYS], *victim = NULL;
	for (int w = 0; w < SCAN_WAYS; w++) {
		struct scan_entry *e = &set[w];
		if (!e->used) {
			if (!victim || victim->used)
				victim = e;
			continue;
		}
		if (ip_addr_cmp(&e->key[0], k0) == 0 && (!k1 || ip_addr_cmp(&e->key[1], k1) == 0)) {
			e->seen = ++t->clock;
			return e;
		}
		if (!victim || (victim->used &&
				((victim->flagged && !e->flagged) ||
				 (victim->flagged == e->flagged &&
				  (e->n < victim->n || (e->n == victim->n && e->seen < victim->seen))))))
			victim = e;
	}
	if (victim->used)
		t->evictions++;
	uint32_t epoch = victim->epoch + 1;
	memset(victim, 0, offsetof(struct scan_entry, epoch));
	if (epoch == 0) { /* wrapped: old slots could look current */
		memset(victim->set, 0, sizeof(victim->set));
		epoch = 1;
	}
	victim->epoch = epoch;
	victim->used = true;
	victim->seen = ++t->clock;
	victim->key[0] = *k0;
	if (k1)
		victim->key[1] = *k1;
	return victim;
}

/* Add a value to the entry's exact set: true if it was not there. */
static bool set_add(struct scan_entry *e, uint32_t value)
{
	if (e->capped)
		return false;
	uint64_t tag = (uint64_t)e->epoch << 32 | value;
	uint32_t i = (uint32_t)mix64(value) % SCAN_SET_SLOTS;
	for (;; i = (i + 1) % SCAN_SET_SLOTS) {
		if (e->set[i] == tag)
			return false;
		if ((uint32_t)(e->set[i] >> 32) != e->epoch)
			break;
	}
	if (e->distinct >= SCAN_SET_MAX) {
		e->capped = true; /* "at least SCAN_SET_MAX" */
		return false;
	}
	e->set[i] = tag;
	return true;
}

static void hll_add(struct scan_entry *e, uint64_t h)
{
	uint8_t idx = (uint8_t)(h >> 56);
	uint64_t w = h << 8;
	uint8_t rho = w ? (uint8_t)(__builtin_clzll(w) + 1) : 57;
	if (rho > e->hll[idx])
		e->hll[idx] = rho;
}

static uint64_t hll_estimate(const struct scan_entry *e)
{
	double sum = 0;
	int zeros = 0;
	for (int i = 0; i < HLL_REGS; i++) {
		sum += ldexp(1.0, -e->hll[i]);
		zeros += e->hll[i] == 0;
	}
	double m = HLL_REGS, est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (est <= 2.5 * m && zeros)
		est = m * log(m / zeros); /* small range: linear counting */
	return (uint64_t)(est + 0.5);
}

/* The top list: a new value takes the place of the smallest count (the
 * least recently counted among equals) and starts at 1, so that counts are
 * never overstated; a value counted more often than the others stays. */
static void top_add(struct scan_entry *e, const struct ip_addr *ip, uint16_t port, uint64_t clock)
{
	int min = 0;
	for (int i = 0; i < ALERT_SCAN_TOP; i++) {
		if (e->top[i].n && (ip ? ip_addr_cmp(&e->top[i].ip, ip) == 0 : e->top[i].port == port)) {
			e->top[i].n++;
			e->top[i].seen = clock;
			return;
		}
		if (e->top[i].n < e->top[min].n ||
		    (e->top[i].n == e->top[min].n && e->top[i].seen < e->top[min].seen))
			min = i;
	}
	if (ip)
		e->top[min].ip = *ip;
	e->top[min].port = port;
	e->top[min].n = 1;
	e->top[min].seen = clock;
}

static void touch(struct scan_entry *e, const struct ep *ep, int64_t sec, uint32_t usec)
{
	if (!e->n) {
		e->first_sec = sec;
		e->first_usec = usec;
		e->zone[0] = (int16_t)ep[0].zone;
		e->zone[1] = (int16_t)ep[1].zone;
	}
	e->n++;
	e->last_sec = sec;
	e->last_usec = usec;
}

/* The backlog entry of a destination; with take, a new one if it has none
 * (a free way, else the smallest unflooded backlog of the set). */
static struct scan_backlog *backlog_of(struct scan_state *s, const struct ip_addr *dst, uint64_t h,
				       bool take)
{
	struct scan_backlog *set = &s->backlog[(h % BACKLOG_SETS) * SCAN_WAYS], *victim = NULL;
	for (int w = 0; w < SCAN_WAYS; w++) {
		struct scan_backlog *b = &set[w];
		if (!b->used) {
			if (!victim || victim->used)
				victim = b;
			continue;
		}
		if (ip_addr_cmp(&b->dst, dst) == 0)
			return b;
		if (!victim || (victim->used &&
				((victim->flooded && !b->flooded) ||
				 (victim->flooded == b->flooded &&
				  (b->n < victim->n || (b->n == victim->n && b->seen < victim->seen))))))
			victim = b;
	}
	if (!take)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->dst = *dst;
	return victim;
}

/* The zone of a destination as rl_resolve_ends() would place it, without a
 * flow's state: the policy's networks, else (infer_roles) its roles. */
static int dst_zone(struct rules *r, const struct rules_flow_view *v)
{
	const struct policy *p = r->pol;
	int zone = policy_zone_of(p, &v->addr[1], v->vlan);
	if (zone >= 0 || !p->infer_roles)
		return zone;
	int host = policy_host_of(p, &v->addr[1]);
	uint32_t roles = 0;
	if (host >= 0) {
		roles = p->hosts[host].roles;
	} else {
		struct rhost *h = engine_host_get(&r->hosts, &v->addr[1], HOST_LOOKUP);
		roles = h ? h->inferred : 0;
	}
	return policy_zone_of_roles(p, roles);
}

bool rl_scan_attempt(struct rules *r, const struct rules_flow_view *v, int delta)
{
	struct scan_state *s = r->scan;
	uint64_t h = ip_hash(&v->addr[1]);
	if (delta < 0) {
		/* the entry may have been taken by another destination since:
		 * then there is nothing to take back */
		struct scan_backlog *b = backlog_of(s, &v->addr[1], h, false);
		if (b && b->n && --b->n == 0)
			b->used = false; /* back to 0: no longer flooded */
		if (b)
			b->seen = ++s->backlog_clock;
		return false;
	}
	const struct policy_scan *ps = &r->pol->scan;
	if (!ps->syn_flood || !r->set[R_SCAN_SYN_FLOOD].enabled)
		return false;
	/* A destination in no zone yet is counted too when roles are inferred:
	 * it may get its zone (by its roles) before the flood's flows end and
	 * are checked, as a flood that starts before the fab's traffic does. A
	 * flow checked while its destination is still in no zone is neither
	 * counted nor folded (rl_scan_flow), so this only costs a way. */
	int zone = dst_zone(r, v);
	if (!watched(r->pol, zone) && !(zone < 0 && r->pol->infer_roles))
		return false;
	struct scan_backlog *b = backlog_of(s, &v->addr[1], h, true);
	if (b->n < UINT32_MAX)
		b->n++;
	b->seen = ++s->backlog_clock;
	if (b->n >= ps->syn_flood)
		b->flooded = true;
	return true;
}

bool rl_scan_flow(struct rules *r, const struct rules_flow_view *v, const struct ep *ep,
		  int64_t sec, uint32_t usec)
{
	struct scan_state *s = r->scan;
	const struct policy_scan *ps = &r->pol->scan;
	memset(s->cover, 0, sizeof(s->cover));
	if (!v->half_open || !watched(r->pol, ep[1].zone))
		return false;
	int64_t now = sec > s->now ? sec : s->now;
	if (s->open && now >= s->start + (int64_t)ps->interval)
		scan_close(r, s->start + (int64_t)ps->interval); /* no tick since it ended */
	if (!s->open) {
		s->open = true;
		s->start = s->first = now;
	}
	if (sec < s->first)
		s->first = sec;
	bool covered = false;
	uint64_t hs = ip_hash(&v->addr[0]), hd = ip_hash(&v->addr[1]);
	if (ps->syn_flood && r->set[R_SCAN_SYN_FLOOD].enabled) {
		struct scan_entry *e = entry_get(&s->t[SK_FLOOD], &v->addr[1], NULL, hd);
		if (!e->n && goes_on(s, episode_of(s, SK_FLOOD, &v->addr[1], NULL), ps->interval))
			e->flagged = true;
		touch(e, ep, sec, usec);
		hll_add(e, hs);
		top_add(e, &v->addr[0], 0, s->t[SK_FLOOD].clock);
		if (e->n >= ps->syn_flood)
			e->flagged = e->crossed = true;
		const struct scan_backlog *b = backlog_of(s, &v->addr[1], hd, false);
		if (b && b->flooded) {
			/* its backlog crossed: a flood, from its first flow on */
			e->flagged = e->crossed = true;
			if (b->n > e->backlog)
				e->backlog = b->n;
		}
		if (e->flagged)
			s->cover[SK_FLOOD] = e;
	}
	if (ps->port_scan && r->set[R_SCAN_PORT_SCAN].enabled) {
		struct scan_entry *e =
			entry_get(&s->t[SK_PAIR], &v->addr[0], &v->addr[1], mix64(hs ^ (hd * 31)));
		if (!e->n && goes_on(s, episode_of(s, SK_PAIR, &v->addr[0], &v->addr[1]), ps->interval))
			e->flagged = true;
		touch(e, ep, sec, usec);
		if (set_add(e, v->port[1]))
			e->distinct++;
		top_add(e, NULL, v->port[1], s->t[SK_PAIR].clock);
		if (e->distinct >= ps->port_scan)
			e->flagged = e->crossed = true;
		if (e->flagged)
			s->cover[SK_PAIR] = e;
	}
	if (ps->host_sweep && r->set[R_SCAN_HOST_SWEEP].enabled) {
		struct scan_entry *e = entry_get(&s->t[SK_SOURCE], &v->addr[0], NULL, hs);
		if (!e->n && goes_on(s, episode_of(s, SK_SOURCE, &v->addr[0], NULL), ps->interval))
			e->flagged = true;
		touch(e, ep, sec, usec);
		if (set_add(e, (uint32_t)hd))
			e->distinct++;
		top_add(e, &v->addr[1], 0, s->t[SK_SOURCE].clock);
		if (e->distinct >= ps->host_sweep)
			e->flagged = e->crossed = true;
		if (e->flagged)
			s->cover[SK_SOURCE] = e;
	}
	for (int k = 0; k < SK_COUNT; k++)
		if (s->cover[k]) {
			s->cover[k]->folded++;
			covered = true;
		}
	return covered;
}

void rl_scan_folded(struct rules *r, enum rule_id rule, int src_zone)
{
	for (int k = 0; k < SK_COUNT; k++) {
		struct scan_entry *e = r->scan->cover[k];
		if (!e)
			continue;
		int i = 0;
		while (i < e->nfold && !(e->fold[i].rule == rule && e->fold[i].zone == src_zone))
			i++;
		if (i == e->nfold) {
			if (e->nfold == ALERT_SCAN_FOLDED)
				continue; /* the first kinds only: folded counts them all */
			e->nfold++;
			e->fold[i].rule = (uint8_t)rule;
			e->fold[i].zone = (int16_t)src_zone;
		}
		e->fold[i].n++;
	}
}

/* One alert for a flagged entry, with what the interval counted. */
static void raise_entry(struct rules *r, enum scan_kind k, const struct scan_entry *e,
			int64_t end)
{
	const struct policy *p = r->pol;
	const struct policy_scan *ps = &p->scan;
	enum rule_id rule = kind_rule[k];
	struct rules_flow_view v;
	memset(&v, 0, sizeof(v));
	v.proto = 6;
	struct ep ep[2];
	memset(ep, 0, sizeof(ep));
	/* the ends: a flood's target; a scan's source and target; a sweep's source */
	if (k == SK_FLOOD) {
		v.addr[1] = e->key[0];
		v.addr[0] = e->top[0].ip;
	} else {
		v.addr[0] = e->key[0];
		v.addr[1] = k == SK_PAIR ? e->key[1] : e->top[0].ip;
	}
	for (int i = 0; i < 2; i++) {
		ep[i].ip = &v.addr[i];
		ep[i].host = policy_host_of(p, &v.addr[i]);
		ep[i].roles = ep[i].host >= 0 ? p->hosts[ep[i].host].roles : 0;
		ep[i].zone = policy_zone_of(p, &v.addr[i], 0);
	}
	if (k == SK_FLOOD)
		ep[1].zone = e->zone[1];
	struct alert *a = rl_begin(r, rule, &v, ep, e->first_sec, e->first_usec);
	a->flow_id = 0; /* no one flow: the alert stands for the interval's */
	a->last_sec = e->last_sec;
	a->last_usec = e->last_usec;
	a->ctx = ACTX_SCAN;
	struct alert_scan *sc = &a->u.scan;
	memset(sc, 0, sizeof(*sc));
	sc->interval_start = r->scan->first;
	sc->interval_end = end > e->last_sec ? end : e->last_sec;
	sc->flows = e->n;
	sc->folded = e->folded;
	sc->table_evictions = r->scan->t[k].evictions;
	if (k == SK_FLOOD) {
		sc->distinct = hll_estimate(e);
		sc->distinct_estimated = true;
		sc->threshold = ps->syn_flood;
	} else {
		sc->distinct = e->distinct;
		sc->distinct_estimated = e->capped; /* at least */
		sc->threshold = k == SK_PAIR ? ps->port_scan : ps->host_sweep;
	}
	for (int i = 0; i < e->nfold; i++) {
		snprintf(sc->folded_by[i].rule, sizeof(sc->folded_by[i].rule), "%s",
			 rule_def((enum rule_id)e->fold[i].rule)->id);
		snprintf(sc->folded_by[i].src_zone, sizeof(sc->folded_by[i].src_zone), "%s",
			 e->fold[i].zone >= 0 && (size_t)e->fold[i].zone < p->nzones
				 ? p->zones[e->fold[i].zone].name : "");
		sc->folded_by[i].n = e->fold[i].n;
	}
	sc->nfolded_by = e->nfold;
	/* the top list, largest first */
	bool taken[ALERT_SCAN_TOP] = { false };
	for (int n = 0; n < ALERT_SCAN_TOP; n++) {
		int best = -1;
		for (int i = 0; i < ALERT_SCAN_TOP; i++)
			if (!taken[i] && e->top[i].n && (best < 0 || e->top[i].n > e->top[best].n))
				best = i;
		if (best < 0)
			break;
		taken[best] = true;
		sc->top[n].ip = e->top[best].ip;
		sc->top[n].port = e->top[best].port;
		sc->top[n].n = e->top[best].n;
		sc->ntop++;
	}
	char w0[IP_ADDR_STRLEN], w1[IP_ADDR_STRLEN];
	ip_addr_str(&e->key[0], w0, sizeof(w0));
	const char *zone = e->zone[1] >= 0 && (size_t)e->zone[1] < p->nzones
				   ? p->zones[e->zone[1]].name : "none";
	switch (k) {
	case SK_FLOOD:
		if (sc->flows < sc->threshold) /* flagged by its backlog (head comment) */
			rl_reason(a, "%" PRIu64 " half-open TCP connections to %s (zone %s) from ~%"
				  PRIu64 " sources in %" PRId64 " s, %u attempts open at once"
				  " (threshold %u)", sc->flows, w0, zone, sc->distinct,
				  sc->interval_end - sc->interval_start, e->backlog, sc->threshold);
		else
			rl_reason(a, "%" PRIu64 " half-open TCP connections to %s (zone %s) from ~%"
				  PRIu64 " sources in %" PRId64 " s (threshold %u)", sc->flows, w0,
				  zone, sc->distinct, sc->interval_end - sc->interval_start,
				  sc->threshold);
		break;
	case SK_PAIR:
		rl_reason(a, "%s probed %s%" PRIu64 " ports of %s (zone %s) in %" PRIu64
			  " half-open connections in %" PRId64 " s (threshold %u)", w0,
			  e->capped ? "at least " : "", sc->distinct,
			  ip_addr_str(&e->key[1], w1, sizeof(w1)), zone, sc->flows,
			  sc->interval_end - sc->interval_start, sc->threshold);
		break;
	default:
		rl_reason(a, "%s probed %s%" PRIu64 " hosts in watched zones in %" PRIu64
			  " half-open connections in %" PRId64 " s (threshold %u)", w0,
			  e->capped ? "at least " : "", sc->distinct, sc->flows,
			  sc->interval_end - sc->interval_start, sc->threshold);
		break;
	}
	/* one key per flood target, scanning pair, sweeping source */
	uint64_t key = alert_key_mix(0, a->def->id, strlen(a->def->id));
	key = alert_key_mix(key, &e->key[0], sizeof(e->key[0]));
	if (k == SK_PAIR)
		key = alert_key_mix(key, &e->key[1], sizeof(e->key[1]));
	alert_agg_raise(r->agg, a, key);
}

/* A flagged entry at the end of its interval: a new episode raises its
 * alert; one that goes on only moves on. */
static void episode_close(struct rules *r, enum scan_kind k, const struct scan_entry *e,
			  int64_t end)
{
	struct scan_state *s = r->scan;
	const struct ip_addr *k1 = k == SK_PAIR ? &e->key[1] : NULL;
	struct scan_episode *ep = episode_of(s, k, &e->key[0], k1);
	if (goes_on(s, ep, r->pol->scan.interval)) {
		if (e->crossed) /* still over the threshold: it goes on */
			ep->last_end = end;
		return;
	}
	if (!e->crossed)
		return;
	/* a flagged entry crossed its threshold in this interval: its alert */
	raise_entry(r, k, e, end);
	if (!ep) { /* a free slot, else the one that ended longest ago */
		ep = &s->ep[0];
		for (int i = 0; i < SCAN_EPISODES && ep->used; i++)
			if (!s->ep[i].used || s->ep[i].last_end < ep->last_end)
				ep = &s->ep[i];
	}
	memset(ep, 0, sizeof(*ep));
	ep->used = true;
	ep->kind = (uint8_t)k;
	ep->key[0] = e->key[0];
	if (k1)
		ep->key[1] = *k1;
	ep->last_end = end;
}

/* Close the open interval: its alerts, then empty tables. */
static void scan_close(struct rules *r, int64_t end)
{
	struct scan_state *s = r->scan;
	if (!s->open)
		return;
	for (int k = 0; k < SK_COUNT; k++) {
		struct scan_table *t = &s->t[k];
		for (int i = 0; i < SCAN_ENTRIES; i++) {
			struct scan_entry *e = &t->e[i];
			if (e->used && e->flagged)
				episode_close(r, (enum scan_kind)k, e, end);
			e->used = false;
		}
		t->evictions = 0;
	}
	s->open = false;
}

void rl_scan_tick(struct rules *r, int64_t sec)
{
	struct scan_state *s = r->scan;
	if (sec > s->now)
		s->now = sec;
	if (s->open && sec >= s->start + (int64_t)r->pol->scan.interval)
		scan_close(r, s->start + (int64_t)r->pol->scan.interval);
}

void rl_scan_finish(struct rules *r)
{
	struct scan_state *s = r->scan;
	int64_t end = s->start + (int64_t)r->pol->scan.interval;
	scan_close(r, s->now < end ? s->now : end);
}
