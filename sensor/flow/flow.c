/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/flow/flow.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash_mix.h"

struct lru {
	uint32_t head, tail; /* head = least recently active */
};

struct flow_table {
	struct flow_config cfg;
	struct flow *flows;
	uint32_t *buckets;
	uint32_t nbuckets_mask;
	uint32_t nbuckets_max;   /* a power of two >= the capacity */
	uint32_t free_head;      /* freed entries chained through hnext */
	uint32_t never_used;     /* entries from here on were never handed out */
	struct lru lists[FLOW_TC_COUNT];
	struct flow_table_stats st;
	flow_end_fn on_end;
	void *ctx;
};

static const char *const end_names[] = {
	[FLOW_END_TIMEOUT] = "timeout",
	[FLOW_END_EVICTED] = "evicted",
	[FLOW_END_SHUTDOWN] = "shutdown",
	[FLOW_END_REUSED] = "reused",
};

const char *flow_end_reason_name(enum flow_end_reason r)
{
	return (unsigned)r < sizeof(end_names) / sizeof(end_names[0]) ? end_names[r] : "?";
}

const char *flow_state_name(enum flow_state s)
{
	switch (s) {
	case FLOW_STATE_NEW: return "new";
	case FLOW_STATE_ESTABLISHED: return "established";
	case FLOW_STATE_CLOSED: return "closed";
	}
	return "?";
}

static uint64_t key_hash(const struct flow_key *k, uint64_t seed)
{
	uint64_t w[sizeof(*k) / 8 + 1] = { 0 };
	memcpy(w, k, sizeof(*k));
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < sizeof(w) / 8; i++)
		h = hash_mix64(h ^ w[i]) + 0x9e3779b97f4a7c15ULL;
	return h;
}

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
	struct lru *l = &ft->lists[f->tclass];
	uint32_t idx = (uint32_t)(f - ft->flows);
	if (f->lru_prev != FLOW_NONE)
		ft->flows[f->lru_prev].lru_next = f->lru_next;
	else if (l->head == idx)
		l->head = f->lru_next;
	if (f->lru_next != FLOW_NONE)
		ft->flows[f->lru_next].lru_prev = f->lru_prev;
	else if (l->tail == idx)
		l->tail = f->lru_prev;
	f->lru_prev = f->lru_next = FLOW_NONE;
}

static void lru_append(struct flow_table *ft, struct flow *f, uint8_t tclass)
{
	struct lru *l = &ft->lists[tclass];
	uint32_t idx = (uint32_t)(f - ft->flows);
	f->tclass = tclass;
	f->lru_next = FLOW_NONE;
	f->lru_prev = l->tail;
	if (l->tail != FLOW_NONE)
		ft->flows[l->tail].lru_next = idx;
	else
		l->head = idx;
	l->tail = idx;
}

#define BUCKETS_MIN 1024u

/* Twice the buckets, the flows rehashed (chain order does not matter: keys
 * are unique). Without memory the table keeps its size, only slower. */
static void grow_buckets(struct flow_table *ft)
{
	uint32_t nb = (ft->nbuckets_mask + 1) * 2;
	uint32_t *b = malloc((size_t)nb * sizeof(*b));
	if (!b)
		return;
	memset(b, 0xff, (size_t)nb * sizeof(*b));
	for (uint32_t i = 0; i < ft->never_used; i++) {
		struct flow *f = &ft->flows[i];
		if (!f->in_use)
			continue;
		uint32_t h = (uint32_t)key_hash(&f->key, ft->cfg.hash_seed) & (nb - 1);
		f->hnext = b[h];
		b[h] = i;
	}
	free(ft->buckets);
	ft->buckets = b;
	ft->nbuckets_mask = nb - 1;
}

struct flow_table *flow_table_create(const struct flow_config *cfg, flow_end_fn on_end, void *ctx)
{
	if (cfg->capacity == 0 || cfg->capacity >= FLOW_NONE / 2)
		return NULL;
	struct flow_table *ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	ft->cfg = *cfg;
	ft->on_end = on_end;
	ft->ctx = ctx;
	uint32_t nb = 1;
	while (nb < cfg->capacity)
		nb <<= 1;
	ft->nbuckets_max = nb;
	/* the buckets grow with the flows (flow_table_get): a table sized for
	 * the capacity would spread a few thousand flows over 512 KiB, and
	 * every lookup would miss the cache */
	if (nb > BUCKETS_MIN)
		nb = BUCKETS_MIN;
	ft->nbuckets_mask = nb - 1;
	/* calloc of a large block maps zero pages lazily: RSS grows with the
	 * flows actually used, the bound is fixed here */
	ft->flows = calloc(cfg->capacity, sizeof(*ft->flows));
	ft->buckets = malloc((size_t)nb * sizeof(*ft->buckets));
	if (!ft->flows || !ft->buckets) {
		flow_table_destroy(ft);
		return NULL;
	}
	memset(ft->buckets, 0xff, (size_t)nb * sizeof(*ft->buckets));
	/* entries are handed out in order and only then touched, so memory is
	 * committed as flows appear, not at start */
	ft->free_head = FLOW_NONE;
	ft->never_used = 0;
	for (int c = 0; c < FLOW_TC_COUNT; c++)
		ft->lists[c].head = ft->lists[c].tail = FLOW_NONE;
	return ft;
}

void flow_table_destroy(struct flow_table *ft)
{
	if (!ft)
		return;
	free(ft->flows);
	free(ft->buckets);
	free(ft);
}

/* Build the normalised key; returns true if the packet's source is the
 * key's endpoint 0. */
static bool make_key(const struct packet *p, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = p->proto;
	k->family = p->src.family;
	k->vlan_count = p->vlan_count;
	for (int i = 0; i < p->vlan_count && i < DECODE_MAX_VLANS; i++)
		k->vlan[i] = p->vlan[i];
	uint16_t sp = p->sport, dp = p->dport;
	if (p->proto == 1 || p->proto == 58) {
		/* ICMP: echo request and reply share the identifier; other ICMP
		 * between two hosts is one flow */
		sp = dp = p->icmp_id;
	} else if (p->proto != 6 && p->proto != 17 && p->proto != 132) {
		sp = dp = 0;
	}
	size_t n = ip_addr_len(&p->src);
	int c = memcmp(p->src.a, p->dst.a, n);
	bool src_first = c < 0 || (c == 0 && sp <= dp);
	const struct ip_addr *x = src_first ? &p->src : &p->dst;
	const struct ip_addr *y = src_first ? &p->dst : &p->src;
	memcpy(k->a[0], x->a, 16);
	memcpy(k->a[1], y->a, 16);
	k->port[0] = src_first ? sp : dp;
	k->port[1] = src_first ? dp : sp;
	return src_first;
}

static void unlink_hash(struct flow_table *ft, struct flow *f, uint32_t idx)
{
	uint32_t b = (uint32_t)key_hash(&f->key, ft->cfg.hash_seed) & ft->nbuckets_mask;
	uint32_t *link = &ft->buckets[b];
	while (*link != FLOW_NONE) {
		if (*link == idx) {
			*link = f->hnext;
			return;
		}
		link = &ft->flows[*link].hnext;
	}
}

void flow_table_end(struct flow_table *ft, struct flow *f, enum flow_end_reason why)
{
	if (!f->in_use)
		return;
	uint32_t idx = (uint32_t)(f - ft->flows);
	if (ft->on_end)
		ft->on_end(ft->ctx, f, why);
	lru_unlink(ft, f);
	unlink_hash(ft, f, idx);
	switch (why) {
	case FLOW_END_TIMEOUT: ft->st.timeouts++; break;
	case FLOW_END_EVICTED: ft->st.evicted++; break;
	case FLOW_END_REUSED: ft->st.reused++; break;
	case FLOW_END_SHUTDOWN: break;
	}
	ft->st.ended++;
	ft->st.active--;
	memset(f, 0, sizeof(*f));
	f->hnext = ft->free_head;
	ft->free_head = idx;
}

static struct flow *oldest_flow(struct flow_table *ft)
{
	struct flow *best = NULL;
	for (int c = 0; c < FLOW_TC_COUNT; c++) {
		uint32_t h = ft->lists[c].head;
		if (h == FLOW_NONE)
			continue;
		struct flow *f = &ft->flows[h];
		if (!best || f->last.sec < best->last.sec ||
		    (f->last.sec == best->last.sec && f->last.usec < best->last.usec))
			best = f;
	}
	return best;
}

enum flow_tclass flow_class_of(const struct flow *f)
{
	if (f->key.proto == 6) {
		if (f->state == FLOW_STATE_CLOSED)
			return FLOW_TC_TCP_CLOSED;
		return f->state == FLOW_STATE_ESTABLISHED ? FLOW_TC_TCP_ESTABLISHED : FLOW_TC_TCP_NEW;
	}
	if (f->key.proto == 17)
		return FLOW_TC_UDP;
	return FLOW_TC_OTHER;
}

/* Stable 48-bit flow id: same packets, same id, on every run (offline runs
 * must match live runs and each other). Fits a JSON double exactly. */
static uint64_t make_flow_id(const struct flow_key *k, const struct packet *p)
{
	uint64_t h = key_hash(k, 0x666162u /* "fab" */);
	h = hash_mix64(h ^ ((uint64_t)p->ts_sec * 1000000u + p->ts_usec));
	return h & 0xffffffffffffULL;
}

struct flow *flow_table_get(struct flow_table *ft, const struct packet *p, int *dir, bool *created)
{
	struct flow_key k;
	bool src_first = make_key(p, &k);
	uint32_t b = (uint32_t)key_hash(&k, ft->cfg.hash_seed) & ft->nbuckets_mask;
	*created = false;
	for (uint32_t i = ft->buckets[b]; i != FLOW_NONE; i = ft->flows[i].hnext) {
		struct flow *f = &ft->flows[i];
		if (memcmp(&f->key, &k, sizeof(k)) == 0) {
			*dir = (src_first ? 0 : 1) == f->client_ep ? DIR_TOSERVER : DIR_TOCLIENT;
			return f;
		}
	}

	if (ft->free_head == FLOW_NONE && ft->never_used == ft->cfg.capacity) {
		struct flow *victim = oldest_flow(ft);
		if (!victim)
			return NULL;
		/* the victim may share our bucket: the new entry is pushed at the
		 * bucket's head below, after the victim is unlinked */
		flow_table_end(ft, victim, FLOW_END_EVICTED);
	}
	uint32_t idx;
	if (ft->free_head != FLOW_NONE) {
		idx = ft->free_head;
		ft->free_head = ft->flows[idx].hnext;
	} else {
		idx = ft->never_used++;
	}
	struct flow *f = &ft->flows[idx];
	memset(f, 0, sizeof(*f));
	f->key = k;
	f->in_use = 1;
	f->hnext = ft->buckets[b];
	ft->buckets[b] = idx;

	/* The sender of the first packet is the client, except a SYN+ACK seen
	 * first (its SYN was missed): then the receiver is. */
	bool reverse = p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	uint8_t src_ep = src_first ? 0 : 1;
	f->client_ep = reverse ? (uint8_t)(1 - src_ep) : src_ep;
	*dir = reverse ? DIR_TOCLIENT : DIR_TOSERVER;

	f->first.sec = f->last.sec = p->ts_sec;
	f->first.usec = f->last.usec = p->ts_usec;
	f->state = FLOW_STATE_NEW;
	f->flow_id = make_flow_id(&k, p);
	f->icmp_type = p->icmp_type;
	f->icmp_code = p->icmp_code;
	const struct ip_addr *c = reverse ? &p->dst : &p->src, *s = reverse ? &p->src : &p->dst;
	uint16_t cp = reverse ? p->dport : p->sport, sp = reverse ? p->sport : p->dport;
	if (p->proto == 1 || p->proto == 58) {
		cp = p->icmp_type;
		sp = p->icmp_code;
		if (reverse) { /* unreachable: ICMP never has TCP flags */
			c = &p->src;
			s = &p->dst;
		}
	}
	community_id_v1(0, c, s, p->proto, cp, sp, f->community_id);
	lru_append(ft, f, (uint8_t)flow_class_of(f));
	ft->st.created++;
	if (++ft->st.active > ft->st.active_peak)
		ft->st.active_peak = ft->st.active;
	if (ft->st.active > (ft->nbuckets_mask + 1) / 4 && ft->nbuckets_mask + 1 < ft->nbuckets_max)
		grow_buckets(ft); /* a quarter of the buckets used at most: a
				   * collision costs a visit to another flow */
	*created = true;
	return f;
}

void flow_table_touch(struct flow_table *ft, struct flow *f, uint64_t seq)
{
	f->touched = seq;
	uint32_t idx = (uint32_t)(f - ft->flows);
	uint8_t tc = (uint8_t)flow_class_of(f);
	if (tc == f->tclass && ft->lists[tc].tail == idx)
		return;
	lru_unlink(ft, f);
	lru_append(ft, f, tc);
}

const uint32_t flow_emergency_timeout[FLOW_TC_COUNT] = {
	[FLOW_TC_TCP_NEW] = 5, [FLOW_TC_TCP_ESTABLISHED] = 100, [FLOW_TC_TCP_CLOSED] = 5,
	[FLOW_TC_UDP] = 30, [FLOW_TC_OTHER] = 10,
};

/* Enter emergency mode at 15/16 of the capacity, leave it at 5/8. */
static void check_emergency(struct flow_table *ft)
{
	uint32_t cap = ft->cfg.capacity;
	if (!ft->st.emergency && ft->st.active >= cap - cap / 16) {
		ft->st.emergency = true;
		ft->st.emergencies++;
	} else if (ft->st.emergency && ft->st.active <= cap / 8 * 5) {
		ft->st.emergency = false;
	}
}

void flow_table_expire(struct flow_table *ft, int64_t now_sec, uint32_t now_usec)
{
	(void)now_usec;
	check_emergency(ft);
	for (int c = 0; c < FLOW_TC_COUNT; c++) {
		int64_t normal = (int64_t)ft->cfg.timeout[c], limit = normal;
		if (ft->st.emergency && flow_emergency_timeout[c] < limit)
			limit = flow_emergency_timeout[c];
		while (ft->lists[c].head != FLOW_NONE) {
			struct flow *f = &ft->flows[ft->lists[c].head];
			if (now_sec - f->last.sec <= limit)
				break;
			if (now_sec - f->last.sec <= normal)
				ft->st.emergency_timeouts++;
			flow_table_end(ft, f, FLOW_END_TIMEOUT);
		}
	}
	check_emergency(ft);
}

void flow_table_flush(struct flow_table *ft, enum flow_end_reason why)
{
	/* oldest first, so the output is in order of last activity */
	struct flow *f;
	while ((f = oldest_flow(ft)) != NULL)
		flow_table_end(ft, f, why);
}

/* The flow at the head of class c among n tables: the one touched first
 * (each list is in touch order, so one table would hold it first). */
static struct flow *merged_head(struct flow_table *const *t, unsigned n, int c, unsigned *which)
{
	struct flow *best = NULL;
	for (unsigned i = 0; i < n; i++) {
		uint32_t h = t[i]->lists[c].head;
		if (h == FLOW_NONE)
			continue;
		struct flow *f = &t[i]->flows[h];
		if (!best || f->touched < best->touched) {
			best = f;
			*which = i;
		}
	}
	return best;
}

void flow_tables_expire(struct flow_table *const *t, unsigned n, int64_t now_sec, uint32_t now_usec)
{
	if (n == 1) {
		flow_table_expire(t[0], now_sec, now_usec);
		return;
	}
	bool emergency = false;
	for (unsigned i = 0; i < n; i++) {
		check_emergency(t[i]);
		emergency |= t[i]->st.emergency;
	}
	if (emergency) {
		for (unsigned i = 0; i < n; i++)
			flow_table_expire(t[i], now_sec, now_usec);
		return;
	}
	for (int c = 0; c < FLOW_TC_COUNT; c++) {
		unsigned k = 0;
		struct flow *f;
		while ((f = merged_head(t, n, c, &k)) != NULL) {
			if (now_sec - f->last.sec <= (int64_t)t[k]->cfg.timeout[c])
				break;
			flow_table_end(t[k], f, FLOW_END_TIMEOUT);
		}
	}
	for (unsigned i = 0; i < n; i++)
		check_emergency(t[i]);
}

void flow_tables_flush(struct flow_table *const *t, unsigned n, enum flow_end_reason why)
{
	if (n == 1) {
		flow_table_flush(t[0], why);
		return;
	}
	for (;;) {
		/* oldest_flow over the classes' merged heads */
		struct flow *best = NULL;
		unsigned bk = 0;
		for (int c = 0; c < FLOW_TC_COUNT; c++) {
			unsigned k = 0;
			struct flow *f = merged_head(t, n, c, &k);
			if (f && (!best || f->last.sec < best->last.sec ||
				  (f->last.sec == best->last.sec && f->last.usec < best->last.usec))) {
				best = f;
				bk = k;
			}
		}
		if (!best)
			return;
		flow_table_end(t[bk], best, why);
	}
}

const struct flow_table_stats *flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}

uint32_t flow_table_capacity(const struct flow_table *ft)
{
	return ft->cfg.capacity;
}

uint32_t flow_table_slot(const struct flow_table *ft, const struct flow *f)
{
	return (uint32_t)(f - ft->flows);
}

void flow_table_foreach(struct flow_table *ft, bool (*fn)(void *ctx, struct flow *f), void *ctx)
{
	for (uint32_t i = 0; i < ft->cfg.capacity; i++)
		if (ft->flows[i].in_use && !fn(ctx, &ft->flows[i]))
			return;
}

void flow_endpoints(const struct flow *f, struct ip_addr *client, uint16_t *cport,
		    struct ip_addr *server, uint16_t *sport)
{
	int c = f->client_ep, s = 1 - c;
	client->family = server->family = f->key.family;
	memcpy(client->a, f->key.a[c], 16);
	memcpy(server->a, f->key.a[s], 16);
	*cport = f->key.port[c];
	*sport = f->key.port[s];
}
