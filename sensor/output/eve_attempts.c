/* SPDX-License-Identifier: BSD-2-Clause */
/* The `flow_attempts` summary record (see eve_attempts.h). */
#include "sensor/output/eve_attempts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"

static uint32_t interval_of(const struct eve *e)
{
	return e->policy && e->policy->scan.interval ? e->policy->scan.interval : 60;
}

static void zone_name(const struct eve *e, int z, char out[64])
{
	const struct policy *p = e->policy;
	if (p && z >= 0 && (size_t)z < p->nzones)
		snprintf(out, 64, "%s", p->zones[z].name);
	else
		out[0] = '\0';
}

static void count_pair(struct eve_attempts *a, const struct eve *e, const struct rules_flow *rf)
{
	struct attempts_pair k;
	memset(&k, 0, sizeof(k));
	k.verdict = rf ? rf->verdict : RV_UNCHECKED;
	if (rf && e->policy) {
		zone_name(e, rf->zone[0], k.zone[0]);
		zone_name(e, rf->zone[1], k.zone[1]);
		const struct policy *p = e->policy;
		if (rf->conduit >= 0 && (size_t)rf->conduit < p->nconduits) {
			snprintf(k.conduit, sizeof(k.conduit), "%s", p->conduits[rf->conduit].name);
		} else if (rf->violated_conduit && rf->violated_conduit <= p->nconduits) {
			snprintf(k.conduit, sizeof(k.conduit), "%s",
				 p->conduits[rf->violated_conduit - 1].name);
			k.violated = true;
		}
	}
	for (unsigned i = 0; i < a->npairs; i++) {
		struct attempts_pair *q = &a->pairs[i];
		if (q->verdict == k.verdict && q->violated == k.violated && !strcmp(q->zone[0], k.zone[0]) &&
		    !strcmp(q->zone[1], k.zone[1]) && !strcmp(q->conduit, k.conduit)) {
			q->flows++;
			return;
		}
	}
	if (a->npairs == ATTEMPTS_PAIRS) {
		a->pairs_other++;
		return;
	}
	k.flows = 1;
	a->pairs[a->npairs++] = k;
}

static uint32_t port_bit(uint16_t port)
{
	uint32_t h = port * 2654435761u;
	return (h >> 16) % ATTEMPTS_PORT_BITS;
}

static void count_host(struct eve_attempts *a, const struct eve *e, int side,
		       const struct ip_addr *ip, int zone, uint16_t dport)
{
	struct attempts_host *t = a->hosts[side], *h = NULL, *min = NULL;
	for (unsigned i = 0; i < a->nhosts[side]; i++) {
		if (memcmp(&t[i].ip, ip, sizeof(*ip)) == 0) {
			h = &t[i];
			break;
		}
		if (!min || t[i].flows < min->flows)
			min = &t[i];
	}
	if (!h) {
		if (a->nhosts[side] < ATTEMPTS_HOSTS) {
			h = &t[a->nhosts[side]++];
			memset(h, 0, sizeof(*h));
		} else { /* space-saving: the smallest goes, its count stays */
			h = min;
			uint64_t n = h->flows;
			memset(h, 0, sizeof(*h));
			h->flows = h->overcount = n;
			a->replaced[side]++;
		}
		h->ip = *ip;
		zone_name(e, zone, h->zone);
	}
	h->flows++;
	uint32_t b = port_bit(dport);
	h->ports[b / 64] |= 1ull << (b % 64);
}

/* Distinct ports by linear counting over the bitmap (exact while no two
 * ports share a bit; within a few percent up to a few hundred ports). */
static uint64_t distinct_ports(const struct attempts_host *h)
{
	unsigned set = 0;
	for (unsigned i = 0; i < ATTEMPTS_PORT_BITS / 64; i++)
		set += (unsigned)__builtin_popcountll(h->ports[i]);
	if (set == ATTEMPTS_PORT_BITS)
		return set;
	double m = ATTEMPTS_PORT_BITS;
	return (uint64_t)(-m * log((m - set) / m) + 0.5);
}

static int by_flows(const void *x, const void *y)
{
	const struct attempts_host *a = x, *b = y;
	if (a->flows != b->flows)
		return a->flows < b->flows ? 1 : -1;
	return ip_addr_cmp(&a->ip, &b->ip);
}

static void write_hosts(struct jbuf *b, const char *key, struct attempts_host *t, unsigned n)
{
	char ip[IP_ADDR_STRLEN];
	qsort(t, n, sizeof(*t), by_flows);
	jb_arr_open(b, key);
	for (unsigned i = 0; i < n && i < ATTEMPTS_TOP; i++) {
		jb_obj_open(b, NULL);
		jb_str(b, "ip", ip_addr_str(&t[i].ip, ip, sizeof(ip)));
		if (t[i].zone[0])
			jb_str(b, "zone", t[i].zone);
		else
			jb_null(b, "zone");
		jb_u64(b, "flows", t[i].flows);
		if (t[i].overcount)
			jb_u64(b, "max_overcount", t[i].overcount);
		jb_u64(b, "distinct_ports", distinct_ports(&t[i]));
		jb_obj_close(b);
	}
	jb_arr_close(b);
}

static void write_record(struct eve_attempts *a, struct eve *e, int64_t end, bool final)
{
	struct jbuf *b = &e->jb;
	char ts[40];
	eve_header(e, b, end, 0, NULL, "flow_attempts");
	jb_obj_open(b, "flow_attempts");
	eve_format_time(a->first < a->start ? a->first : a->start, 0, ts);
	jb_str(b, "interval_start", ts);
	eve_format_time(end > a->last ? end : a->last, 0, ts);
	jb_str(b, "interval_end", ts);
	if (final)
		jb_bool(b, "final", true);
	if (a->flows_recorded) /* readers that count flow records must not count these again */
		jb_bool(b, "flows_recorded", true);
	jb_u64(b, "flows", a->flows);
	jb_u64(b, "refused", a->refused);
	jb_u64(b, "unanswered", a->unanswered);
	jb_u64(b, "pkts", a->pkts);
	jb_arr_open(b, "zone_pairs");
	for (unsigned i = 0; i < a->npairs; i++) {
		const struct attempts_pair *q = &a->pairs[i];
		jb_obj_open(b, NULL);
		for (int s = 0; s < 2; s++) {
			if (q->zone[s][0])
				jb_str(b, s ? "dest_zone" : "src_zone", q->zone[s]);
			else
				jb_null(b, s ? "dest_zone" : "src_zone");
		}
		if (q->verdict != RV_UNCHECKED)
			jb_name(b, "verdict", rules_verdict_name((enum rules_verdict)q->verdict));
		if (q->conduit[0])
			jb_str(b, q->violated ? "violated_conduit" : "conduit", q->conduit);
		jb_u64(b, "flows", q->flows);
		jb_obj_close(b);
	}
	jb_arr_close(b);
	if (a->pairs_other)
		jb_u64(b, "zone_pairs_other", a->pairs_other);
	write_hosts(b, "top_sources", a->hosts[0], a->nhosts[0]);
	write_hosts(b, "top_destinations", a->hosts[1], a->nhosts[1]);
	jb_u64(b, "sources_tracked", a->nhosts[0]);
	jb_u64(b, "destinations_tracked", a->nhosts[1]);
	if (a->replaced[0] || a->replaced[1]) {
		jb_u64(b, "sources_replaced", a->replaced[0]);
		jb_u64(b, "destinations_replaced", a->replaced[1]);
	}
	jb_obj_close(b);
	eve_commit(e, b);
}

static void reset(struct eve_attempts *a)
{
	a->open = false;
	a->flows = a->refused = a->unanswered = a->pkts = 0;
	a->npairs = 0;
	a->pairs_other = 0;
	a->nhosts[0] = a->nhosts[1] = 0;
	a->replaced[0] = a->replaced[1] = 0;
}

void eve_attempts_add(struct eve_attempts *a, struct eve *e, const struct flow *f)
{
	int64_t t = f->last.sec;
	uint32_t iv = interval_of(e);
	if (a->open && t >= a->start + (int64_t)iv) {
		if (e->open)
			write_record(a, e, a->start + (int64_t)iv, false);
		reset(a);
	}
	if (!a->open) {
		a->open = true;
		a->start = t > a->now ? t : a->now;
		a->first = a->last = t;
	}
	if (t < a->first)
		a->first = t;
	if (t > a->last)
		a->last = t;
	if (t > a->now)
		a->now = t;
	a->flows++;
	a->pkts += f->pkts[DIR_TOSERVER] + f->pkts[DIR_TOCLIENT];
	if (f->tcp_flags[DIR_TOCLIENT] & TCP_RST)
		a->refused++;
	else if (!f->pkts[DIR_TOCLIENT])
		a->unanswered++;
	const struct rules_flow *rf = f->rules;
	count_pair(a, e, rf);
	struct ip_addr c, s;
	uint16_t cp, sp;
	flow_endpoints(f, &c, &cp, &s, &sp);
	count_host(a, e, 0, &c, rf ? rf->zone[0] : -1, sp);
	count_host(a, e, 1, &s, rf ? rf->zone[1] : -1, sp);
}

void eve_attempts_tick(struct eve_attempts *a, struct eve *e, int64_t sec)
{
	if (sec > a->now)
		a->now = sec;
	int64_t end = a->start + (int64_t)interval_of(e);
	if (a->open && sec >= end) {
		if (e->open)
			write_record(a, e, end, false);
		reset(a);
	}
}

void eve_attempts_finish(struct eve_attempts *a, struct eve *e)
{
	if (a->open && e->open)
		write_record(a, e, a->now, true);
	reset(a);
}
