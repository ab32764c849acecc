/* SPDX-License-Identifier: BSD-2-Clause */
/* Inventory rules: a host in no zone, a host not in a closed zone's
 * inventory, one MAC in two zones, an equipment identity off its
 * baseline or changed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_hosts.h"
#include "rules/engine_internal.h"

/* ---------- inventory ---------- */

/* rl_begin() clears only what precedes the union: the inventory members are
 * printed whenever set, so they must start empty. */
static void inventory_context(struct alert *a)
{
	a->ctx = ACTX_INVENTORY;
	memset(&a->u.inv, 0, sizeof(a->u.inv));
}

void rl_inventory_host(struct rules *r, const struct rules_flow_view *v, const struct ep *ep,
		       int i, int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	const struct ep *e = &ep[i];
	if (!e->h)
		return;
	if (e->h->alerted_gen != r->gen) {
		e->h->alerted_gen = r->gen;
		e->h->alerted = 0;
	}
	char w[256];
	if (e->zone < 0 && r->set[R_INV_NO_ZONE].enabled && !(e->h->alerted & 1)) {
		e->h->alerted |= 1;
		struct alert *a = rl_begin(r, R_INV_NO_ZONE, v, ep, sec, usec);
		inventory_context(a);
		rl_reason(a, "%s is in no zone of the policy", rl_who(e, w, sizeof(w), p));
		rl_raise_alert(r, a, (uint64_t)i);
	}
	if (e->zone >= 0 && e->host < 0 && p->zones[e->zone].inventory_closed &&
	    r->set[R_INV_NEW_HOST].enabled && !(e->h->alerted & 2)) {
		e->h->alerted |= 2;
		struct alert *a = rl_begin(r, R_INV_NEW_HOST, v, ep, sec, usec);
		inventory_context(a);
		rl_reason(a, "%s is not in the inventory of zone '%s'", rl_who(e, w, sizeof(w), p),
		       p->zones[e->zone].name);
		rl_raise_alert(r, a, (uint64_t)i);
	}
	const uint8_t *mac = v->mac[i];
	/* a half-open flow teaches no MAC: its source address may be spoofed
	 * (a known host's address behind the attacker's MAC) */
	if (!mac || v->half_open || e->zone < 0 || !r->set[R_INV_MAC_TWO_ZONES].enabled)
		return;
	for (size_t g = 0; g < p->ngateways; g++)
		if (memcmp(p->gateways[g], mac, 6) == 0)
			return;
	struct rmac *m = engine_mac_get(&r->hosts, mac);
	if (!m || m->router)
		return;
	int other = -1;
	for (int k = 0; k < m->nips; k++) {
		if (ip_addr_cmp(&m->ip[k], e->ip) == 0)
			return;
		if (m->zone[k] != e->zone)
			other = k;
	}
	if (m->nips >= MAC_MAX_IPS) {
		m->router = true; /* many addresses behind one MAC: a router */
		return;
	}
	m->ip[m->nips] = *e->ip;
	m->zone[m->nips] = (int16_t)e->zone;
	m->nips++;
	if (other < 0 || m->alerted)
		return;
	m->alerted = true;
	struct alert *a = rl_begin(r, R_INV_MAC_TWO_ZONES, v, ep, sec, usec);
	inventory_context(a);
	snprintf(a->u.inv.other_zone, sizeof(a->u.inv.other_zone), "%s",
		 p->zones[m->zone[other]].name);
	a->u.inv.other_ip = m->ip[other];
	char o[IP_ADDR_STRLEN];
	rl_reason(a, "MAC %02x:%02x:%02x:%02x:%02x:%02x is %s in zone '%s' and %s in zone '%s'", mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], rl_who(e, w, sizeof(w), p),
	       p->zones[e->zone].name, ip_addr_str(&m->ip[other], o, sizeof(o)),
	       p->zones[m->zone[other]].name);
	rl_raise_alert(r, a, 0);
}

void rl_identity_check(struct rules *r, const struct rules_flow_view *v, int eq_i,
		       const char *model, const char *softrev, const char *prev, bool changed,
		       int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (!r->set[R_INV_IDENTITY].enabled)
		return;
	struct ep ep[2];
	rl_resolve_ends(r, NULL, v, ep);
	const struct policy_host *h = ep[eq_i].host >= 0 ? &p->hosts[ep[eq_i].host] : NULL;
	bool model_bad = h && h->model[0] && model[0] && strncmp(h->model, model, POLICY_ID_LEN - 1) != 0;
	bool rev_bad = h && h->softrev[0] && softrev[0] && strncmp(h->softrev, softrev, POLICY_ID_LEN - 1) != 0;
	if (!model_bad && !rev_bad && !changed)
		return;
	struct alert *a = rl_begin(r, R_INV_IDENTITY, v, ep, sec, usec);
	inventory_context(a);
	struct alert_inventory *in = &a->u.inv;
	snprintf(in->model, sizeof(in->model), "%s", model);
	snprintf(in->softrev, sizeof(in->softrev), "%s", softrev);
	if (h) {
		snprintf(in->expected_model, sizeof(in->expected_model), "%s", h->model);
		snprintf(in->expected_softrev, sizeof(in->expected_softrev), "%s", h->softrev);
	}
	snprintf(in->previous_softrev, sizeof(in->previous_softrev), "%s", prev ? prev : "");
	char w[256];
	if (model_bad || rev_bad)
		rl_reason(a, "equipment %s reports model '%s' revision '%s'; the baseline says '%s' '%s'",
		       rl_who(&ep[eq_i], w, sizeof(w), p), model, softrev, h->model, h->softrev);
	else
		rl_reason(a, "equipment %s changed its software revision from '%s' to '%s'",
		       rl_who(&ep[eq_i], w, sizeof(w), p), prev ? prev : "", softrev);
	uint64_t k = alert_key_mix(0, model, strlen(model));
	rl_raise_alert(r, a, alert_key_mix(k, softrev, strlen(softrev)));
}
