/* SPDX-License-Identifier: BSD-2-Clause */
/* A flow's two ends as the rules see them (see engine_ends.h). */
#include "rules/engine_ends.h"

#include <stddef.h>

#include "rules/engine.h"
#include "rules/engine_internal.h"

/* What end i of a flow may claim in the learned-host table (engine_hosts.h):
 * a half-open flow nothing (its source may be spoofed: SYNs cost nothing), a
 * host the policy names the fab's room, any other end of a completed
 * connection the plain room. A flow to the HSMS or Modbus port is no more
 * than that: the rank of the fab's hosts comes with the messages they
 * exchange (rl_fab_host), which an attacker's empty handshakes have not. */
static enum host_rank rank_of(const struct rules *r, const struct rules_flow_view *v, int i)
{
	if (v->half_open)
		return HOST_LOOKUP;
	if (policy_host_of(r->pol, &v->addr[i]) >= 0)
		return HOST_FAB;
	return HOST_PLAIN;
}

static struct rhost *flow_host(struct rules *r, struct rules_flow *rf,
			       const struct rules_flow_view *v, int i, enum host_rank rank)
{
	if (rf && rf->slot[i]) {
		struct rhost *h = engine_host_at(&r->hosts, rf->slot[i]);
		engine_host_raise(&r->hosts, h, rank);
		return h;
	}
	if (rank == HOST_LOOKUP)
		r->hosts.half_open_lookups++;
	struct rhost *h = engine_host_get(&r->hosts, &v->addr[i], rank);
	if (rf && h)
		rf->slot[i] = engine_host_slot(&r->hosts, h);
	return h;
}

/* The learned-host entry of one end of a flow; its slot is kept in the
 * flow's state (entries never move), so each message costs no lookup. The
 * slot of a half-open flow's end is kept too when the host is known: it
 * cannot move, and the flow may still complete. */
struct rhost *rl_flow_host(struct rules *r, struct rules_flow *rf,
			   const struct rules_flow_view *v, int i)
{
	return flow_host(r, rf, v, i, rank_of(r, v, i));
}

struct rhost *rl_fab_host(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			  int i)
{
	return flow_host(r, rf, v, i, HOST_FAB);
}

static void resolve_end(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v, int i,
			struct ep *e)
{
	const struct policy *p = r->pol;
	e->ip = &v->addr[i];
	e->host = policy_host_of(p, e->ip);
	e->h = rl_flow_host(r, rf, v, i);
	e->inferred = false;
	e->roles = 0;
	if (e->host >= 0) {
		e->roles = p->hosts[e->host].roles;
	} else if (p->infer_roles && e->h) {
		e->roles = e->h->inferred;
		e->inferred = true;
	}
	e->zone = policy_zone_of(p, e->ip, v->vlan);
	if (e->zone < 0 && p->infer_roles)
		e->zone = policy_zone_of_roles(p, e->roles);
}

void rl_resolve_ends(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     struct ep ep[2])
{
	resolve_end(r, rf, v, 0, &ep[0]);
	resolve_end(r, rf, v, 1, &ep[1]);
}

/* Is the sender trusted by rule `rule` toward this equipment/server? Hosts
 * the policy lists are trusted by role; with infer_roles, an unlisted host
 * is trusted when it is the designated host of that equipment. */
bool rl_trusted(struct rules *r, enum rule_id rule, const struct ep *sender,
		const struct ip_addr *designated)
{
	uint32_t need = r->set[rule].roles;
	if (sender->host >= 0 || !r->pol->infer_roles)
		return (sender->roles & need) != 0;
	return designated && ip_addr_cmp(designated, sender->ip) == 0;
}
