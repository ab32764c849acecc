/* SPDX-License-Identifier: BSD-2-Clause */
/* The rule engine's learned-host and MAC tables (see engine_hosts.h). */
#include "rules/engine_hosts.h"

#include <stdlib.h>
#include <string.h>

#include "rules/alert.h"

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

int engine_hosts_init(struct engine_hosts *t, uint32_t max_hosts)
{
	memset(t, 0, sizeof(*t));
	uint32_t size = pow2_at_least(max_hosts * 2);
	t->max_hosts = max_hosts;
	/* a quarter kept for hosts of rank HOST_FAB (engine_hosts.h) */
	t->max_plain = max_hosts - max_hosts / 4;
	t->hmask = size - 1;
	t->mmask = size - 1;
	t->hosts = calloc(max_hosts ? max_hosts : 1, sizeof(*t->hosts));
	t->macs = calloc(max_hosts ? max_hosts : 1, sizeof(*t->macs));
	t->hidx = calloc(size, sizeof(*t->hidx));
	t->midx = calloc(size, sizeof(*t->midx));
	return t->hosts && t->macs && t->hidx && t->midx ? 0 : -1;
}

void engine_hosts_free(struct engine_hosts *t)
{
	free(t->hosts);
	free(t->macs);
	free(t->hidx);
	free(t->midx);
	t->hosts = NULL;
	t->macs = NULL;
	t->hidx = t->midx = NULL;
}

static uint32_t ip_hash(const struct ip_addr *ip)
{
	return (uint32_t)alert_key_mix(0, ip, sizeof(*ip));
}

/* A plain host that carries HSMS gives its plain room back. */
void engine_host_raise(struct engine_hosts *t, struct rhost *h, enum host_rank rank)
{
	if (!h || rank <= h->rank)
		return;
	if (h->rank == HOST_PLAIN)
		t->nplain--;
	h->rank = (uint8_t)rank;
}

struct rhost *engine_host_get(struct engine_hosts *t, const struct ip_addr *ip, enum host_rank rank)
{
	uint32_t i = ip_hash(ip) & t->hmask;
	/* at most max_hosts entries in twice as many slots: a free slot ends
	 * every probe */
	for (uint32_t n = 0; n <= t->hmask; n++, i = (i + 1) & t->hmask) {
		if (!t->hidx[i]) {
			if (rank == HOST_LOOKUP)
				return NULL;
			if (t->nhosts >= t->max_hosts) {
				t->dropped++;
				return NULL;
			}
			if (rank == HOST_PLAIN && t->nplain >= t->max_plain) {
				t->refused_rank++;
				return NULL;
			}
			struct rhost *h = &t->hosts[t->nhosts++];
			t->hidx[i] = t->nhosts;
			memset(h, 0, sizeof(*h));
			h->ip = *ip;
			h->rank = (uint8_t)rank;
			if (rank == HOST_PLAIN)
				t->nplain++;
			return h;
		}
		struct rhost *h = &t->hosts[t->hidx[i] - 1];
		if (ip_addr_cmp(&h->ip, ip) == 0) {
			engine_host_raise(t, h, rank);
			return h;
		}
	}
	return NULL;
}

uint32_t engine_host_slot(const struct engine_hosts *t, const struct rhost *h)
{
	return h ? (uint32_t)(h - t->hosts) + 1 : 0;
}

struct rhost *engine_host_at(struct engine_hosts *t, uint32_t slot)
{
	return slot ? &t->hosts[slot - 1] : NULL;
}

struct rmac *engine_mac_get(struct engine_hosts *t, const uint8_t *mac)
{
	uint32_t i = (uint32_t)alert_key_mix(0, mac, 6) & t->mmask;
	for (uint32_t n = 0; n <= t->mmask; n++, i = (i + 1) & t->mmask) {
		if (!t->midx[i]) {
			if (t->nmacs >= t->max_hosts) {
				t->macs_dropped++;
				return NULL;
			}
			struct rmac *m = &t->macs[t->nmacs++];
			t->midx[i] = t->nmacs;
			memset(m, 0, sizeof(*m));
			memcpy(m->mac, mac, 6);
			return m;
		}
		struct rmac *m = &t->macs[t->midx[i] - 1];
		if (memcmp(m->mac, mac, 6) == 0)
			return m;
	}
	return NULL;
}

void engine_macs_forget(struct engine_hosts *t)
{
	/* an empty table is all zero already: clearing it would commit every
	 * page of the calloc'd index at start (the policy is set then) */
	if (t->midx && t->nmacs)
		memset(t->midx, 0, ((size_t)t->mmask + 1) * sizeof(*t->midx));
	t->nmacs = 0;
}
