/* SPDX-License-Identifier: BSD-2-Clause */
/* Flow rules: zones and conduits (default deny, level skipping, internet
 * from equipment), applications (remote access, SMB, cleartext), and
 * rules_flow_check, run once per flow when its application is known. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

static bool zone_is_fab(const struct policy *p, int z)
{
	return z >= 0 && (p->zones[z].area == AREA_FAB || p->zones[z].area == AREA_FAB_SYSTEM);
}

#define EQUIPMENT_ROLES (ROLE_BIT(ROLE_EQUIPMENT) | ROLE_BIT(ROLE_CONTROLLER) | ROLE_BIT(ROLE_AMHS))

/* Equipment or a controller: by role, or by sitting in a fab-area zone. */
static bool is_equipment(const struct policy *p, const struct ep *e)
{
	return (e->roles & EQUIPMENT_ROLES) || (e->zone >= 0 && p->zones[e->zone].area == AREA_FAB &&
						!(e->roles & ROLE_BIT(ROLE_ENGINEERING_WORKSTATION)));
}

/* ---------- flow rules ---------- */

static bool app_is(const char *app, const char *const *names)
{
	if (!app)
		return false;
	for (const char *const *n = names; *n; n++) {
		size_t l = strlen(*n);
		/* "RDP", or either part of "Master.App" */
		if (!strcasecmp(app, *n))
			return true;
		const char *dot = strchr(app, '.');
		if (dot && (((size_t)(dot - app) == l && !strncasecmp(app, *n, l)) ||
			    !strcasecmp(dot + 1, *n)))
			return true;
	}
	return false;
}

static const char *const remote_access_apps[] = { "RDP", "VNC", "SSH", "Telnet", "TeamViewer",
						  "AnyDesk", "Radmin", "RealVNC", "Rlogin", NULL };
static const char *const cleartext_apps[] = { "Telnet", "FTP_CONTROL", "FTP_DATA", "TFTP",
					      "Rlogin", "Rsh", NULL };
static const char *const smb1_apps[] = { "SMBv1", NULL };
static const char *const smb_apps[] = { "SMBv1", "SMBv23", "SMB", NULL };

/* Does the conduit's matched entry name this application explicitly? */
static bool allowed_explicitly(const struct policy *p, const struct rules_flow *rf,
			       const char *const *apps, bool need_initiators)
{
	if (rf->conduit < 0)
		return false;
	const struct policy_conduit *c = &p->conduits[rf->conduit];
	for (size_t i = 0; i < c->nallow && i < 32; i++) {
		if (!(rf->allow_mask & (1u << i)) || c->allow[i].app_any)
			continue;
		if (need_initiators && !c->allow[i].initiators)
			continue;
		if (app_is(c->allow[i].app, apps))
			return true;
	}
	return false;
}

static bool is_hsms(const struct rules_flow_view *v)
{
	return v->app && !strcmp(v->app, "hsms");
}

/* Find the conduit that allows this flow; sets rf->conduit/allow_mask.
 * Returns 1 allowed, 0 a conduit exists for the zones but nothing in it
 * matches (*named: one of its entries names the app), -1 no conduit. */
static int match_conduit(const struct policy *p, struct rules_flow *rf,
			 const struct rules_flow_view *v, const struct ep ep[2], int *near,
			 bool *named)
{
	int found = -1;
	*near = -1;
	*named = false;
	for (size_t ci = 0; ci < p->nconduits; ci++) {
		const struct policy_conduit *c = &p->conduits[ci];
		bool fwd = c->from == ep[0].zone && c->to == ep[1].zone;
		bool rev = c->both_ways && c->from == ep[1].zone && c->to == ep[0].zone;
		if (!fwd && !rev)
			continue;
		found = 0;
		if (*near < 0)
			*near = (int)ci;
		uint32_t mask = 0;
		for (size_t i = 0; i < c->nallow && i < POLICY_MAX_ALLOW; i++) {
			const struct policy_allow *a = &c->allow[i];
			if (!policy_allow_app(a, v->app))
				continue;
			*named = *named || !a->app_any;
			if (!policy_allow_port(a, v->port[1]))
				continue;
			uint32_t who_roles = ep[0].roles;
			/* HSMS: the host side may be either end (reversed connect) */
			if (!a->app_any && !strcasecmp(a->app, "hsms"))
				who_roles |= ep[1].roles;
			if (a->initiators && !(a->initiators & who_roles))
				continue;
			mask |= 1u << i;
		}
		if (mask) {
			rf->conduit = (int16_t)ci;
			rf->allow_mask = mask;
			return 1;
		}
	}
	return found;
}

const char *rules_verdict_name(enum rules_verdict v)
{
	static const char *const n[] = { "unchecked", "unzoned", "intra-zone", "allowed", "violation" };
	return (unsigned)v <= RV_VIOLATION ? n[v] : "?";
}

/* folded: a flood or scan covers the flow; its verdict is found, its alert
 * is counted in the scan alert instead of raised */
static void flow_zone_rules(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			    const struct ep ep[2], int64_t sec, uint32_t usec, bool folded)
{
	const struct policy *p = r->pol;
	rf->conduit = -1;
	rf->allow_mask = 0;
	int z0 = ep[0].zone, z1 = ep[1].zone;
	rf->zone[0] = (int16_t)z0;
	rf->zone[1] = (int16_t)z1;
	rf->violated_conduit = 0;
	if (z0 < 0 || z1 < 0) {
		rf->verdict = RV_UNZONED;
		return;
	}
	bool hsms = is_hsms(v);
	rf->verdict = z0 == z1 ? RV_INTRA_ZONE : RV_ALLOWED;
	if (z0 == z1) {
		/* inside a zone everything may talk, but HSMS only where a
		 * conduit (zone to itself) names it */
		int near;
		bool named;
		if (!hsms || ip_addr_cmp(ep[0].ip, ep[1].ip) == 0 ||
		    match_conduit(p, rf, v, ep, &near, &named) == 1 ||
		    !r->set[R_HSMS_NO_CONDUIT].enabled)
			return;
		rf->verdict = RV_VIOLATION;
		if (folded) {
			rl_scan_folded(r, R_HSMS_NO_CONDUIT, z0);
			return;
		}
		struct alert *a = rl_begin(r, R_HSMS_NO_CONDUIT, v, ep, sec, usec);
		rl_reason(a, "HSMS inside zone '%s' with no conduit naming hsms for it",
		       p->zones[z0].name);
		rl_raise_alert(r, a, v->port[1]);
		return;
	}
	rf->inter_zone = 1;
	int near;
	bool named;
	int m = match_conduit(p, rf, v, ep, &near, &named);
	if (m == 1)
		return;
	if (near >= 0)
		rf->violated_conduit = (uint16_t)(near + 1);
	enum zone_area a0 = p->zones[z0].area, a1 = p->zones[z1].area;
	enum rule_id rule;
	if (a1 == AREA_EXTERNAL && a0 == AREA_FAB)
		rule = R_FAB_TO_INTERNET;
	else if (a1 == AREA_EXTERNAL && a0 == AREA_FAB_SYSTEM)
		rule = R_SYSTEM_TO_INTERNET;
	else if ((a0 == AREA_ENTERPRISE || a0 == AREA_EXTERNAL) && zone_is_fab(p, z1))
		rule = R_LEVEL_SKIP;
	else if (hsms && !named)
		rule = R_HSMS_NO_CONDUIT;
	else if (m == 0)
		rule = R_CONDUIT_NOT_ALLOWED;
	else if (p->default_action == POLICY_DENY)
		rule = R_ZONE_NO_CONDUIT;
	else
		return;
	rf->verdict = RV_VIOLATION;
	if (!r->set[rule].enabled)
		return;
	if (folded) {
		rl_scan_folded(r, rule, z0);
		return;
	}
	struct alert *a = rl_begin(r, rule, v, ep, sec, usec);
	char ip[IP_ADDR_STRLEN], w[256], svc[96];
	const char *app = v->app && *v->app ? v->app : "unknown";
	if (v->proto == 6 || v->proto == 17 || v->proto == 132)
		snprintf(svc, sizeof(svc), "%s to port %u", app, v->port[1]);
	else
		snprintf(svc, sizeof(svc), "%s", app);
	if (near >= 0)
		snprintf(a->conduit, sizeof(a->conduit), "%s", p->conduits[near].name);
	switch (rule) {
	case R_CONDUIT_NOT_ALLOWED:
		rl_reason(a, "conduit '%s' (%s -> %s) does not allow %s from %s",
		       p->conduits[near].name, p->zones[p->conduits[near].from].name,
		       p->zones[p->conduits[near].to].name, svc, rl_who(&ep[0], w, sizeof(w), p));
		break;
	case R_LEVEL_SKIP:
		rl_reason(a, "%s zone '%s' (Purdue %d) reaches %s zone '%s' directly with %s; "
		       "it must go through the IT/OT DMZ", policy_area_name(a0), p->zones[z0].name,
		       p->zones[z0].purdue_x10 / 10, policy_area_name(a1), p->zones[z1].name, svc);
		break;
	case R_FAB_TO_INTERNET:
	case R_SYSTEM_TO_INTERNET:
		rl_reason(a, "%s in %s zone '%s' talks to internet address %s (%s)",
		       rl_who(&ep[0], w, sizeof(w), p), policy_area_name(a0), p->zones[z0].name,
		       ip_addr_str(ep[1].ip, ip, sizeof(ip)), svc);
		break;
	default:
		rl_reason(a, "no conduit allows %s from zone '%s' to zone '%s' (%s); the "
		       "default action is deny", rule == R_HSMS_NO_CONDUIT ? "HSMS" : "traffic",
		       p->zones[z0].name, p->zones[z1].name, svc);
		break;
	}
	rl_raise_alert(r, a, v->port[1]);
}

static void flow_app_rules(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			   const struct ep ep[2], int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	const char *app = v->app;
	char w[256];
	bool eq0 = is_equipment(p, &ep[0]), eq1 = is_equipment(p, &ep[1]);
	bool fab1 = eq1 || zone_is_fab(p, ep[1].zone);
	if (app_is(app, remote_access_apps) && fab1 && r->set[R_REMOTE_ACCESS].enabled &&
	    !(ep[0].roles & r->set[R_REMOTE_ACCESS].roles) &&
	    !allowed_explicitly(p, rf, remote_access_apps, true)) {
		struct alert *a = rl_begin(r, R_REMOTE_ACCESS, v, ep, sec, usec);
		char t[256];
		rl_reason(a, "%s into %s from %s, which is not a jump host or engineering workstation",
		       app, rl_who(&ep[1], t, sizeof(t), p), rl_who(&ep[0], w, sizeof(w), p));
		rl_raise_alert(r, a, v->port[1]);
	}
	bool smb = app_is(app, smb_apps) || (v->proto == 6 && (v->port[1] == 445 || v->port[1] == 139));
	if (smb && (eq0 || eq1)) {
		const struct ep *e = eq0 ? &ep[0] : &ep[1];
		if (app_is(app, smb1_apps)) {
			if (r->set[R_SMB1_EQUIPMENT].enabled) {
				struct alert *a = rl_begin(r, R_SMB1_EQUIPMENT, v, ep, sec, usec);
				rl_reason(a, "SMBv1 %s equipment %s", eq0 ? "from" : "to",
				       rl_who(e, w, sizeof(w), p));
				rl_raise_alert(r, a, v->port[1]);
			}
		} else if (r->set[R_SMB_EQUIPMENT].enabled &&
			   !allowed_explicitly(p, rf, smb_apps, false)) {
			struct alert *a = rl_begin(r, R_SMB_EQUIPMENT, v, ep, sec, usec);
			char port[16];
			snprintf(port, sizeof(port), "port %u", v->port[1]);
			rl_reason(a, "SMB (%s) %s equipment %s, not allowed by a conduit",
			       app ? app : port, eq0 ? "from" : "to", rl_who(e, w, sizeof(w), p));
			rl_raise_alert(r, a, v->port[1]);
		}
	}
	if (app_is(app, cleartext_apps) && r->set[R_CLEARTEXT].enabled &&
	    (eq0 || eq1 || zone_is_fab(p, ep[0].zone) || zone_is_fab(p, ep[1].zone)) &&
	    !allowed_explicitly(p, rf, cleartext_apps, false)) {
		struct alert *a = rl_begin(r, R_CLEARTEXT, v, ep, sec, usec);
		char t[256];
		rl_reason(a, "cleartext %s from %s to %s", app, rl_who(&ep[0], w, sizeof(w), p),
		       rl_who(&ep[1], t, sizeof(t), p));
		rl_raise_alert(r, a, v->port[1]);
	}
}

void rl_ensure_resolved(struct rules *r, struct rules_flow *rf)
{
	if (rf->gen != r->gen) {
		rf->gen = r->gen;
		rf->checked = 0;
		rf->conduit = -1;
		rf->allow_mask = 0;
		rf->inter_zone = 0;
		rf->verdict = RV_UNCHECKED;
	}
}

void rl_recheck_unzoned(struct rules *r, struct rules_flow *rf)
{
	if (rf->checked && rf->gen == r->gen && rf->verdict == RV_UNZONED) {
		rf->checked = 0;
		r->st.flows_checked--; /* one flow, counted once */
	}
}

void rules_flow_check(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      int64_t sec, uint32_t usec)
{
	rl_ensure_resolved(r, rf);
	if (rf->checked)
		return;
	rf->checked = 1;
	r->st.flows_checked++;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	/* a half-open flow a flood or scan covers raises nothing of its own:
	 * the scan alert counts it (engine_scan.c) */
	bool folded = v->half_open && rl_scan_flow(r, v, ep, sec, usec);
	if (!folded) {
		rl_inventory_host(r, v, ep, 0, sec, usec);
		rl_inventory_host(r, v, ep, 1, sec, usec);
	}
	flow_zone_rules(r, rf, v, ep, sec, usec, folded);
	if (!folded) {
		flow_app_rules(r, rf, v, ep, sec, usec);
		rl_exposure_flow(r, rf, v, false, sec, usec);
	}
}
