/* SPDX-License-Identifier: BSD-2-Clause */
/* The conduit/policy engine (see engine.h, README "Rules"). */
#include "rules/engine.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"

/* What the engine learns about one address. */
struct rhost {
	struct ip_addr ip;            /* family 0: free slot */
	uint32_t inferred;            /* role bits from behaviour */
	uint8_t alerted;              /* bit per inventory rule already raised ... */
	uint32_t alerted_gen;         /* ... under this policy generation */
	bool has_hsms_host, has_modbus_client;
	struct ip_addr hsms_host;     /* designated HSMS host of this equipment */
	struct ip_addr modbus_client; /* designated client of this Modbus server */
};

#define MAC_MAX_IPS 3                 /* more source addresses: a router */
struct rmac {
	uint8_t mac[6];
	bool used, alerted, router;
	uint8_t nips;
	struct ip_addr ip[MAC_MAX_IPS];
	int16_t zone[MAC_MAX_IPS];
};

struct rules {
	struct policy *pol;
	struct rule_setting set[R_COUNT];
	uint32_t gen;
	struct rules_config cfg;
	struct alert_agg *agg;
	struct rhost *hosts;
	uint32_t hmask;               /* table size - 1 */
	uint32_t nhosts;
	struct rmac *macs;
	uint32_t mmask;
	struct rules_stats st;
	struct alert a;               /* being built */
};

/* ---------- tables ---------- */

static uint32_t ip_hash(const struct ip_addr *ip)
{
	return (uint32_t)alert_key_mix(0, ip, sizeof(*ip));
}

static struct rhost *host_get(struct rules *r, const struct ip_addr *ip, bool create)
{
	uint32_t i = ip_hash(ip) & r->hmask;
	for (uint32_t n = 0; n <= r->hmask; n++, i = (i + 1) & r->hmask) {
		struct rhost *h = &r->hosts[i];
		if (!h->ip.family) {
			if (!create)
				return NULL;
			if (r->nhosts >= r->cfg.max_hosts) {
				r->st.hosts_dropped++;
				return NULL;
			}
			memset(h, 0, sizeof(*h));
			h->ip = *ip;
			r->nhosts++;
			r->st.hosts = r->nhosts;
			return h;
		}
		if (ip_addr_cmp(&h->ip, ip) == 0)
			return h;
	}
	return NULL;
}

static struct rmac *mac_get(struct rules *r, const uint8_t *mac)
{
	uint32_t i = (uint32_t)alert_key_mix(0, mac, 6) & r->mmask;
	for (uint32_t n = 0; n <= r->mmask; n++, i = (i + 1) & r->mmask) {
		struct rmac *m = &r->macs[i];
		if (!m->used) {
			m->used = true;
			memcpy(m->mac, mac, 6);
			return m;
		}
		if (memcmp(m->mac, mac, 6) == 0)
			return m;
	}
	return NULL;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

/* ---------- setup ---------- */

struct rules *rules_create(struct policy *pol, const struct rules_config *cfg, alert_sink_fn sink,
			   void *sink_ctx, struct policy_error *err)
{
	struct rules *r = calloc(1, sizeof(*r));
	if (!r) {
		policy_free(pol);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	r->cfg = *cfg;
	if (!r->cfg.max_hosts)
		r->cfg.max_hosts = 65536;
	if (!r->cfg.agg_capacity)
		r->cfg.agg_capacity = 4096;
	uint32_t hsize = pow2_at_least(r->cfg.max_hosts * 2);
	r->hmask = hsize - 1;
	r->mmask = hsize - 1;
	r->hosts = calloc(hsize, sizeof(*r->hosts));
	r->macs = calloc(hsize, sizeof(*r->macs));
	r->agg = alert_agg_create(60, 100, r->cfg.agg_capacity, sink, sink_ctx);
	if (!r->hosts || !r->macs || !r->agg) {
		policy_free(pol);
		rules_destroy(r);
		snprintf(err->msg, sizeof(err->msg), "out of memory for the rule engine");
		return NULL;
	}
	if (!pol) {
		pol = policy_builtin(err);
		if (!pol) {
			rules_destroy(r);
			return NULL;
		}
	}
	if (rules_set_policy(r, pol, err) < 0) {
		rules_destroy(r);
		return NULL;
	}
	r->st.reloads = 0;
	return r;
}

void rules_destroy(struct rules *r)
{
	if (!r)
		return;
	policy_free(r->pol);
	alert_agg_destroy(r->agg);
	free(r->hosts);
	free(r->macs);
	free(r);
}

int rules_set_policy(struct rules *r, struct policy *pol, struct policy_error *err)
{
	struct rule_setting set[R_COUNT];
	if (rule_settings_from_policy(pol, set, err) < 0) {
		policy_free(pol);
		r->st.reload_failures++;
		return -1;
	}
	policy_free(r->pol);
	r->pol = pol;
	memcpy(r->set, set, sizeof(set));
	r->gen++;
	r->st.reloads++;
	alert_agg_configure(r->agg, r->cfg.window_override ? r->cfg.window_override : pol->alert_window,
			    r->cfg.rate_override ? r->cfg.rate_override : pol->alert_rate);
	/* inventory alerts are per policy (a new one may place hosts anew):
	 * entries compare their alerted_gen, so nothing is touched here */
	return 0;
}

const struct policy *rules_policy(const struct rules *r)
{
	return r->pol;
}

uint32_t rules_generation(const struct rules *r)
{
	return r->gen;
}

const struct rules_stats *rules_stats(const struct rules *r)
{
	return &r->st;
}

const struct alert_stats *rules_alert_stats(const struct rules *r)
{
	return alert_agg_stats(r->agg);
}

void rules_tick(struct rules *r, int64_t sec)
{
	alert_agg_tick(r->agg, sec);
}

void rules_finish(struct rules *r)
{
	alert_agg_flush(r->agg);
}

/* ---------- endpoints ---------- */

struct ep {
	const struct ip_addr *ip;
	int host;                     /* policy host, -1 */
	uint32_t roles;
	bool inferred;
	int zone;                     /* -1 */
	struct rhost *h;
};

/* The learned-host entry of one end of a flow; its slot is kept in the
 * flow's state (entries never move), so each message costs no lookup. */
static struct rhost *flow_host(struct rules *r, struct rules_flow *rf,
			       const struct rules_flow_view *v, int i)
{
	if (rf && rf->slot[i])
		return &r->hosts[rf->slot[i] - 1];
	struct rhost *h = host_get(r, &v->addr[i], true);
	if (rf && h)
		rf->slot[i] = (uint32_t)(h - r->hosts) + 1;
	return h;
}

static void resolve(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v, int i,
		    struct ep *e)
{
	const struct policy *p = r->pol;
	e->ip = &v->addr[i];
	e->host = policy_host_of(p, e->ip);
	e->h = flow_host(r, rf, v, i);
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

/* Is the sender trusted by rule `rule` toward this equipment/server? Hosts
 * the policy lists are trusted by role; with infer_roles, an unlisted host
 * is trusted when it is the designated host of that equipment. */
static bool trusted(struct rules *r, enum rule_id rule, const struct ep *sender,
		    const struct ip_addr *designated)
{
	uint32_t need = r->set[rule].roles;
	if (sender->host >= 0 || !r->pol->infer_roles)
		return (sender->roles & need) != 0;
	return designated && ip_addr_cmp(designated, sender->ip) == 0;
}

/* ---------- alert building ---------- */

static void fill_endpoint(struct rules *r, struct alert_endpoint *out, const struct ep *e,
			  uint16_t port, const uint8_t *mac)
{
	const struct policy *p = r->pol;
	memset(out, 0, sizeof(*out));
	out->ip = *e->ip;
	out->port = port;
	out->purdue_x10 = -1;
	if (e->zone >= 0) {
		const struct policy_zone *z = &p->zones[e->zone];
		out->has_zone = true;
		snprintf(out->zone, sizeof(out->zone), "%s", z->name);
		out->area = z->area;
		out->purdue_x10 = z->purdue_x10;
	}
	if (e->host >= 0)
		snprintf(out->host, sizeof(out->host), "%s", p->hosts[e->host].name);
	out->roles = e->roles;
	out->roles_inferred = e->inferred;
	if (mac) {
		out->has_mac = true;
		memcpy(out->mac, mac, 6);
	}
}

static struct alert *begin(struct rules *r, enum rule_id rule, const struct rules_flow_view *v,
			   const struct ep ep[2], int64_t sec, uint32_t usec)
{
	struct alert *a = &r->a;
	memset(a, 0, offsetof(struct alert, u));
	a->def = rule_def(rule);
	a->severity = r->set[rule].severity;
	a->first_sec = a->last_sec = sec;
	a->first_usec = a->last_usec = usec;
	a->ctx = ACTX_NONE;
	if (v) {
		a->flow_id = v->flow_id;
		if (v->community_id)
			snprintf(a->community_id, sizeof(a->community_id), "%s", v->community_id);
		a->proto = v->proto;
		snprintf(a->app, sizeof(a->app), "%s", v->app ? v->app : "");
		a->vlan = v->vlan;
		a->source = v->source;
		for (int i = 0; i < 2; i++)
			fill_endpoint(r, i ? &a->dst : &a->src, &ep[i], v->port[i], v->mac[i]);
	}
	return a;
}

__attribute__((format(printf, 2, 3)))
static void reason(struct alert *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

static void raise_alert(struct rules *r, struct alert *a, uint64_t msgkey)
{
	uint64_t k = alert_key_mix(0, a->def->id, strlen(a->def->id));
	k = alert_key_mix(k, &a->src.ip, sizeof(a->src.ip));
	k = alert_key_mix(k, &a->dst.ip, sizeof(a->dst.ip));
	k = alert_key_mix(k, &msgkey, sizeof(msgkey));
	alert_agg_raise(r->agg, a, k);
}

static const char *who(const struct ep *e, char *buf, size_t len, const struct policy *p)
{
	char ip[IP_ADDR_STRLEN], roles[160];
	ip_addr_str(e->ip, ip, sizeof(ip));
	policy_roles_str(e->roles, roles, sizeof(roles));
	if (snprintf(buf, len, "%s%s%s%s (zone %s, roles %s%s)", ip, e->host >= 0 ? " '" : "",
		 e->host >= 0 ? p->hosts[e->host].name : "", e->host >= 0 ? "'" : "",
		 e->zone >= 0 ? p->zones[e->zone].name : "none", roles[0] ? roles : "none",
		 e->inferred && roles[0] ? ", inferred" : "") >= (int)len)
		buf[len - 1] = '\0'; /* cut, still a string */
	return buf;
}

/* ---------- inventory ---------- */

/* begin() clears only what precedes the union: the inventory members are
 * printed whenever set, so they must start empty. */
static void inventory_context(struct alert *a)
{
	a->ctx = ACTX_INVENTORY;
	memset(&a->u.inv, 0, sizeof(a->u.inv));
}

static void inventory_host(struct rules *r, const struct rules_flow_view *v, const struct ep ep[2],
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
		struct alert *a = begin(r, R_INV_NO_ZONE, v, ep, sec, usec);
		inventory_context(a);
		reason(a, "%s is in no zone of the policy", who(e, w, sizeof(w), p));
		raise_alert(r, a, (uint64_t)i);
	}
	if (e->zone >= 0 && e->host < 0 && p->zones[e->zone].inventory_closed &&
	    r->set[R_INV_NEW_HOST].enabled && !(e->h->alerted & 2)) {
		e->h->alerted |= 2;
		struct alert *a = begin(r, R_INV_NEW_HOST, v, ep, sec, usec);
		inventory_context(a);
		reason(a, "%s is not in the inventory of zone '%s'", who(e, w, sizeof(w), p),
		       p->zones[e->zone].name);
		raise_alert(r, a, (uint64_t)i);
	}
	const uint8_t *mac = v->mac[i];
	if (!mac || e->zone < 0 || !r->set[R_INV_MAC_TWO_ZONES].enabled)
		return;
	for (size_t g = 0; g < p->ngateways; g++)
		if (memcmp(p->gateways[g], mac, 6) == 0)
			return;
	struct rmac *m = mac_get(r, mac);
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
	struct alert *a = begin(r, R_INV_MAC_TWO_ZONES, v, ep, sec, usec);
	inventory_context(a);
	snprintf(a->u.inv.other_zone, sizeof(a->u.inv.other_zone), "%s",
		 p->zones[m->zone[other]].name);
	a->u.inv.other_ip = m->ip[other];
	char o[IP_ADDR_STRLEN];
	reason(a, "MAC %02x:%02x:%02x:%02x:%02x:%02x is %s in zone '%s' and %s in zone '%s'", mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], who(e, w, sizeof(w), p),
	       p->zones[e->zone].name, ip_addr_str(&m->ip[other], o, sizeof(o)),
	       p->zones[m->zone[other]].name);
	raise_alert(r, a, 0);
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
		for (size_t i = 0; i < c->nallow && i < 32; i++) {
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

static void flow_zone_rules(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			    const struct ep ep[2], int64_t sec, uint32_t usec)
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
		struct alert *a = begin(r, R_HSMS_NO_CONDUIT, v, ep, sec, usec);
		reason(a, "HSMS inside zone '%s' with no conduit naming hsms for it",
		       p->zones[z0].name);
		raise_alert(r, a, v->port[1]);
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
	struct alert *a = begin(r, rule, v, ep, sec, usec);
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
		reason(a, "conduit '%s' (%s -> %s) does not allow %s from %s",
		       p->conduits[near].name, p->zones[p->conduits[near].from].name,
		       p->zones[p->conduits[near].to].name, svc, who(&ep[0], w, sizeof(w), p));
		break;
	case R_LEVEL_SKIP:
		reason(a, "%s zone '%s' (Purdue %d) reaches %s zone '%s' directly with %s; "
		       "it must go through the IT/OT DMZ", policy_area_name(a0), p->zones[z0].name,
		       p->zones[z0].purdue_x10 / 10, policy_area_name(a1), p->zones[z1].name, svc);
		break;
	case R_FAB_TO_INTERNET:
	case R_SYSTEM_TO_INTERNET:
		reason(a, "%s in %s zone '%s' talks to internet address %s (%s)",
		       who(&ep[0], w, sizeof(w), p), policy_area_name(a0), p->zones[z0].name,
		       ip_addr_str(ep[1].ip, ip, sizeof(ip)), svc);
		break;
	default:
		reason(a, "no conduit allows %s from zone '%s' to zone '%s' (%s); the "
		       "default action is deny", rule == R_HSMS_NO_CONDUIT ? "HSMS" : "traffic",
		       p->zones[z0].name, p->zones[z1].name, svc);
		break;
	}
	raise_alert(r, a, v->port[1]);
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
		struct alert *a = begin(r, R_REMOTE_ACCESS, v, ep, sec, usec);
		char t[256];
		reason(a, "%s into %s from %s, which is not a jump host or engineering workstation",
		       app, who(&ep[1], t, sizeof(t), p), who(&ep[0], w, sizeof(w), p));
		raise_alert(r, a, v->port[1]);
	}
	bool smb = app_is(app, smb_apps) || (v->proto == 6 && (v->port[1] == 445 || v->port[1] == 139));
	if (smb && (eq0 || eq1)) {
		const struct ep *e = eq0 ? &ep[0] : &ep[1];
		if (app_is(app, smb1_apps)) {
			if (r->set[R_SMB1_EQUIPMENT].enabled) {
				struct alert *a = begin(r, R_SMB1_EQUIPMENT, v, ep, sec, usec);
				reason(a, "SMBv1 %s equipment %s", eq0 ? "from" : "to",
				       who(e, w, sizeof(w), p));
				raise_alert(r, a, v->port[1]);
			}
		} else if (r->set[R_SMB_EQUIPMENT].enabled &&
			   !allowed_explicitly(p, rf, smb_apps, false)) {
			struct alert *a = begin(r, R_SMB_EQUIPMENT, v, ep, sec, usec);
			reason(a, "SMB (%s) %s equipment %s, not allowed by a conduit",
			       app ? app : "port 445", eq0 ? "from" : "to", who(e, w, sizeof(w), p));
			raise_alert(r, a, v->port[1]);
		}
	}
	if (app_is(app, cleartext_apps) && r->set[R_CLEARTEXT].enabled &&
	    (eq0 || eq1 || zone_is_fab(p, ep[0].zone) || zone_is_fab(p, ep[1].zone)) &&
	    !allowed_explicitly(p, rf, cleartext_apps, false)) {
		struct alert *a = begin(r, R_CLEARTEXT, v, ep, sec, usec);
		char t[256];
		reason(a, "cleartext %s from %s to %s", app, who(&ep[0], w, sizeof(w), p),
		       who(&ep[1], t, sizeof(t), p));
		raise_alert(r, a, v->port[1]);
	}
}

static void ensure_resolved(struct rules *r, struct rules_flow *rf)
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

void rules_flow_check(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      int64_t sec, uint32_t usec)
{
	ensure_resolved(r, rf);
	if (rf->checked)
		return;
	rf->checked = 1;
	r->st.flows_checked++;
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	inventory_host(r, v, ep, 0, sec, usec);
	inventory_host(r, v, ep, 1, sec, usec);
	flow_zone_rules(r, rf, v, ep, sec, usec);
	flow_app_rules(r, rf, v, ep, sec, usec);
}

/* ---------- HSMS ---------- */

static void copy_field(char *out, size_t len, const struct gem_fields *g, const char *key)
{
	const struct gem_field *f = g ? gem_field(g, key) : NULL;
	if (!f)
		return;
	if (f->numeric) {
		snprintf(out, len, "%llu", (unsigned long long)f->num);
	} else {
		/* cut to the alert's field (a PPID may be long) */
		size_t n = strnlen(f->text, len - 1);
		memcpy(out, f->text, n);
		out[n] = '\0';
	}
}

static void hsms_context(struct alert *a, const struct hsms_message *m)
{
	struct alert_hsms *h = &a->u.hsms;
	a->ctx = ACTX_HSMS;
	memset(h, 0, sizeof(*h));
	h->stream = m->stream;
	h->function = m->function;
	h->wbit = m->wbit;
	if (m->gem)
		snprintf(h->name, sizeof(h->name), "%s", m->gem->name);
	snprintf(h->category, sizeof(h->category), "%s", gem_category_name(m->category));
	snprintf(h->direction, sizeof(h->direction), "%s",
		 m->sender == HSMS_ROLE_HOST ? "H>E" : "E>H");
	h->session_id = m->session_id;
	h->system = m->system;
	if (m->sml) {
		size_t n = strlen(m->sml);
		h->sml_truncated = m->sml_truncated || n >= sizeof(h->sml);
		snprintf(h->sml, sizeof(h->sml), "%s", m->sml);
	}
	copy_field(h->rcmd, sizeof(h->rcmd), m->fields, "rcmd");
	copy_field(h->ppid, sizeof(h->ppid), m->fields, "ppid");
}

/* Field "key" says "disable" (0 / false); unknown counts as disable. */
static bool field_disables(const struct gem_fields *g, const char *key, uint64_t enable_bit)
{
	const struct gem_field *f = g ? gem_field(g, key) : NULL;
	if (!f || !f->numeric)
		return true;
	return enable_bit ? !(f->num & enable_bit) : f->num == 0;
}

/* The message rules about who may send what (FAB-HSMS-001..007). */
static enum rule_id hsms_message_rule(const struct hsms_message *m, bool *to_host)
{
	*to_host = false;
	if (m->stype != HSMS_DATA)
		return R_COUNT;
	uint16_t sf = (uint16_t)(m->stream << 8 | m->function);
	bool h2e = m->sender == HSMS_ROLE_HOST;
	if (h2e) {
		switch (sf) {
		case 2 << 8 | 41: case 2 << 8 | 49: case 2 << 8 | 21:
			return R_HSMS_REMOTE_COMMAND;
		case 7 << 8 | 3: case 7 << 8 | 23:
			return R_HSMS_RECIPE_DOWNLOAD;
		case 7 << 8 | 17:
			return R_HSMS_RECIPE_DELETE;
		case 2 << 8 | 15:
			return R_HSMS_EC_CHANGE;
		case 1 << 8 | 15: case 1 << 8 | 17:
			return R_HSMS_CONTROL_STATE;
		case 5 << 8 | 3:
			return field_disables(m->fields, "aled", 0x80) ? R_HSMS_ALARM_REPORT_OFF : R_COUNT;
		case 2 << 8 | 37:
			return field_disables(m->fields, "ceed", 0) ? R_HSMS_ALARM_REPORT_OFF : R_COUNT;
		case 7 << 8 | 5: case 7 << 8 | 25:
			return R_HSMS_RECIPE_UPLOAD;
		default:
			return R_COUNT;
		}
	}
	/* equipment to host: a process program leaving the tool */
	*to_host = true;
	if (sf == (7 << 8 | 3) || sf == (7 << 8 | 23))
		return R_HSMS_RECIPE_UPLOAD;
	if ((sf == (7 << 8 | 6) || sf == (7 << 8 | 26)) && !m->matched)
		return R_HSMS_RECIPE_UPLOAD; /* its request was not seen */
	return R_COUNT;
}

/* Does an allow entry's message filter admit this message? */
static bool hsms_filter_admits(const struct policy_allow *a, const struct hsms_message *m)
{
	if (!a->has_hsms_filter)
		return true;
	uint8_t st = m->stream, fn = m->function;
	if (m->function == 0)
		return true; /* SxF0 abort answers anything */
	if (m->is_reply && m->matched) {
		st = m->primary_stream;
		fn = m->primary_function;
	}
	if (a->streams[st / 8] & (1u << (st % 8)))
		return true;
	uint16_t sf = (uint16_t)(st << 8 | fn);
	for (unsigned i = 0; i < a->nsf; i++)
		if (a->sf[i] == sf)
			return true;
	return (a->categories & (1u << gem_category_of(st, fn))) != 0;
}

static void hsms_conduit_filter(struct rules *r, struct rules_flow *rf,
				const struct rules_flow_view *v, const struct hsms_message *m,
				int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (rf->conduit < 0 || m->stype != HSMS_DATA || !r->set[R_HSMS_MESSAGE_NOT_ALLOWED].enabled)
		return;
	const struct policy_conduit *c = &p->conduits[rf->conduit];
	for (size_t i = 0; i < c->nallow && i < 32; i++) {
		if (!(rf->allow_mask & (1u << i)))
			continue;
		if (hsms_filter_admits(&c->allow[i], m))
			return;
	}
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	struct alert *a = begin(r, R_HSMS_MESSAGE_NOT_ALLOWED, v, ep, sec, usec);
	hsms_context(a, m);
	snprintf(a->conduit, sizeof(a->conduit), "%s", c->name);
	char sf[12];
	hsms_sf_text(sf, m->stream, m->function);
	reason(a, "%s (%s) is not among the messages conduit '%s' allows", sf,
	       gem_category_name(m->category), c->name);
	raise_alert(r, a, (uint64_t)(m->stream << 8 | m->function));
}

static void hsms_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		       const struct hsms_message *m, int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	r->st.hsms_checked++;
	/* which end is the host, which the equipment */
	int host_i = (m->sender == HSMS_ROLE_HOST) == (m->dir == 0) ? 0 : 1;
	if (m->stype != HSMS_DATA && m->stype != HSMS_SELECT_REQ)
		host_i = 0; /* control traffic: the active (client) side is the host */
	int eq_i = 1 - host_i;
	bool designate = m->stype == HSMS_SELECT_REQ || m->stype == HSMS_DATA;
	struct rhost *eqh = designate ? flow_host(r, rf, v, eq_i) : NULL;
	if (eqh && (!(eqh->inferred & ROLE_BIT(ROLE_EQUIPMENT)) || !eqh->has_hsms_host)) {
		struct rhost *hh = flow_host(r, rf, v, host_i);
		eqh->inferred |= ROLE_BIT(ROLE_EQUIPMENT);
		if (!eqh->has_hsms_host && hh) {
			eqh->has_hsms_host = true;
			eqh->hsms_host = v->addr[host_i];
			hh->inferred |= ROLE_BIT(ROLE_EQUIPMENT_HOST);
		}
	}
	if (!rf->checked || rf->gen != r->gen)
		rules_flow_check(r, rf, v, sec, usec);
	if (m->stype == HSMS_DATA && rf->conduit >= 0)
		hsms_conduit_filter(r, rf, v, m, sec, usec);
	/* most messages concern no rule: decide that before any lookup */
	bool to_host = false;
	enum rule_id rule = R_COUNT;
	if (m->stype == HSMS_SELECT_REQ)
		rule = R_HSMS_SECOND_HOST;
	else if (m->stype == HSMS_DATA)
		rule = hsms_message_rule(m, &to_host);
	if (rule == R_COUNT || !r->set[rule].enabled)
		return;
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	const struct ip_addr *designated = eqh && eqh->has_hsms_host ? &eqh->hsms_host : NULL;
	char w[256], t[256], sf[12];

	if (m->stype == HSMS_SELECT_REQ) {
		if (trusted(r, R_HSMS_SECOND_HOST, &ep[host_i], designated))
			return;
		struct alert *a = begin(r, R_HSMS_SECOND_HOST, v, ep, sec, usec);
		a->ctx = ACTX_HSMS;
		memset(&a->u.hsms, 0, sizeof(a->u.hsms));
		snprintf(a->u.hsms.name, sizeof(a->u.hsms.name), "Select.req");
		snprintf(a->u.hsms.direction, sizeof(a->u.hsms.direction), "H>E");
		a->u.hsms.session_id = m->session_id;
		a->u.hsms.system = m->system;
		char d[IP_ADDR_STRLEN];
		if (designated && ip_addr_cmp(designated, ep[host_i].ip) != 0)
			reason(a, "%s selects equipment %s, whose designated host is %s",
			       who(&ep[host_i], w, sizeof(w), p), who(&ep[eq_i], t, sizeof(t), p),
			       ip_addr_str(designated, d, sizeof(d)));
		else
			reason(a, "%s selects equipment %s without the role (trusted roles: %s)",
			       who(&ep[host_i], w, sizeof(w), p), who(&ep[eq_i], t, sizeof(t), p),
			       policy_roles_str(r->set[R_HSMS_SECOND_HOST].roles, d, sizeof(d)));
		raise_alert(r, a, 1u << 16);
		return;
	}
	/* the host concerned: the sender of a command, the receiver of a
	 * process program leaving the equipment */
	if (trusted(r, rule, &ep[host_i], designated))
		return;
	struct alert *a = begin(r, rule, v, ep, sec, usec);
	hsms_context(a, m);
	hsms_sf_text(sf, m->stream, m->function);
	char roles[240];
	policy_roles_str(r->set[rule].roles, roles, sizeof(roles));
	if (ep[host_i].host < 0 && r->pol->infer_roles && designated) {
		char d[IP_ADDR_STRLEN];
		size_t n = strlen(roles);
		snprintf(roles + n, sizeof(roles) - n, "; designated host %s",
			 ip_addr_str(designated, d, sizeof(d)));
	}
	if (to_host)
		reason(a, "%s %s: process program%s%s leaves equipment %s for %s, which is not a "
		       "trusted host (roles %s)", sf, m->gem ? m->gem->name : "",
		       a->u.hsms.ppid[0] ? " " : "", a->u.hsms.ppid, who(&ep[eq_i], t, sizeof(t), p),
		       who(&ep[host_i], w, sizeof(w), p), roles);
	else
		reason(a, "%s %s%s%s%s%s sent to equipment %s by %s, which is not a trusted host "
		       "(roles %s)", sf, m->gem ? m->gem->name : "",
		       a->u.hsms.rcmd[0] ? " RCMD=" : "", a->u.hsms.rcmd,
		       a->u.hsms.ppid[0] ? " PPID=" : "", a->u.hsms.ppid,
		       who(&ep[eq_i], t, sizeof(t), p), who(&ep[host_i], w, sizeof(w), p), roles);
	raise_alert(r, a, (uint64_t)(m->stream << 8 | m->function));
}

/* ---------- Modbus ---------- */

static void modbus_context(struct alert *a, const struct modbus_pdu *pd)
{
	struct alert_modbus *mb = &a->u.modbus;
	a->ctx = ACTX_MODBUS;
	memset(mb, 0, sizeof(*mb));
	mb->function = pd->function;
	snprintf(mb->function_name, sizeof(mb->function_name), "%s",
		 pd->function_name ? pd->function_name : "");
	snprintf(mb->access, sizeof(mb->access), "%s", modbus_access_name(pd->access));
	mb->unit_id = pd->unit_id;
	if (pd->function == 23 && pd->has_write) {
		mb->has_address = true;
		mb->address = pd->write_address;
		mb->quantity = pd->write_quantity;
	} else if (pd->has_address) {
		mb->has_address = true;
		mb->address = pd->address;
		mb->quantity = pd->has_quantity ? pd->quantity : 1;
	}
	mb->values_are_bits = pd->values_are_bits;
	for (unsigned i = 0; i < pd->nvalues && i < ALERT_MAX_VALUES; i++)
		mb->values[mb->nvalues++] = pd->values[i];
}

/* The registers/coils a write touches: [lo, hi]. */
static bool write_span(const struct modbus_pdu *pd, uint32_t *lo, uint32_t *hi)
{
	if (pd->function == 23 && pd->has_write) {
		*lo = pd->write_address;
		*hi = *lo + (pd->write_quantity ? pd->write_quantity - 1u : 0);
		return true;
	}
	if (!pd->has_address)
		return false;
	*lo = pd->address;
	uint32_t q = (pd->function == 15 || pd->function == 16) && pd->has_quantity ? pd->quantity : 1;
	*hi = *lo + (q ? q - 1 : 0);
	return true;
}

static bool bit_set(const uint8_t *bits, unsigned v)
{
	return bits[v / 8] & (1u << (v % 8));
}

static void modbus_conduit_filter(struct rules *r, struct rules_flow *rf,
				  const struct rules_flow_view *v, const struct modbus_pdu *pd,
				  int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (rf->conduit < 0)
		return;
	const struct policy_conduit *c = &p->conduits[rf->conduit];
	bool function_ok = false;
	char ranges[200];
	size_t ro = 0;
	ranges[0] = '\0';
	for (size_t i = 0; i < c->nallow && i < 32; i++) {
		const struct policy_allow *a = &c->allow[i];
		if (!(rf->allow_mask & (1u << i)))
			continue;
		if (a->access && !(a->access & (1u << pd->access)))
			continue;
		if (a->has_function_codes && !bit_set(a->function_codes, pd->function))
			continue;
		if (a->has_unit_ids && !bit_set(a->unit_ids, pd->unit_id))
			continue;
		function_ok = true;
		uint32_t lo, hi;
		if (pd->access != MODBUS_ACCESS_WRITE || !a->naddresses || !write_span(pd, &lo, &hi))
			return;
		for (unsigned k = 0; k < a->naddresses; k++)
			if (lo >= a->addresses[k].lo && hi <= a->addresses[k].hi)
				return;
		for (unsigned k = 0; k < a->naddresses && ro < sizeof(ranges); k++)
			ro += (size_t)snprintf(ranges + ro, sizeof(ranges) - ro, "%s%u-%u", ro ? ", " : "",
					       a->addresses[k].lo, a->addresses[k].hi);
	}
	enum rule_id rule = function_ok ? R_MODBUS_ADDRESS : R_MODBUS_NOT_ALLOWED;
	if (!r->set[rule].enabled)
		return;
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	struct alert *a = begin(r, rule, v, ep, sec, usec);
	modbus_context(a, pd);
	snprintf(a->conduit, sizeof(a->conduit), "%s", c->name);
	if (rule == R_MODBUS_ADDRESS) {
		reason(a, "%s to address %u (%u values) of unit %u: conduit '%s' allows writes to %s",
		       pd->function_name, a->u.modbus.address, a->u.modbus.quantity, pd->unit_id,
		       c->name, ranges);
	} else {
		reason(a, "function %u (%s, %s) to unit %u is not allowed by conduit '%s'",
		       pd->function, pd->function_name, modbus_access_name(pd->access), pd->unit_id,
		       c->name);
	}
	raise_alert(r, a, (uint64_t)pd->function << 8 | pd->unit_id);
}

static void modbus_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			 const struct modbus_pdu *pd, int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (!pd->request)
		return;
	r->st.modbus_checked++;
	int cli = pd->dir == 0 ? 0 : 1, srv = 1 - cli;
	struct rhost *sh = flow_host(r, rf, v, srv);
	if (sh && (!(sh->inferred & ROLE_BIT(ROLE_CONTROLLER)) || !sh->has_modbus_client)) {
		struct rhost *ch = flow_host(r, rf, v, cli);
		sh->inferred |= ROLE_BIT(ROLE_CONTROLLER);
		if (!sh->has_modbus_client && ch) {
			sh->has_modbus_client = true;
			sh->modbus_client = v->addr[cli];
			ch->inferred |= ROLE_BIT(ROLE_SCADA);
		}
	}
	if (!rf->checked || rf->gen != r->gen)
		rules_flow_check(r, rf, v, sec, usec);
	if (rf->conduit >= 0)
		modbus_conduit_filter(r, rf, v, pd, sec, usec);
	enum rule_id rule = R_COUNT;
	if (pd->access == MODBUS_ACCESS_WRITE)
		rule = R_MODBUS_WRITE;
	else if (pd->access == MODBUS_ACCESS_DIAGNOSTIC || pd->access == MODBUS_ACCESS_PROGRAMMING)
		rule = R_MODBUS_DIAG_PROG;
	if (rule == R_COUNT || !r->set[rule].enabled)
		return;
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	const struct ip_addr *designated = sh && sh->has_modbus_client ? &sh->modbus_client : NULL;
	/* diagnostics/programming: never trusted by designation alone */
	if (rule == R_MODBUS_DIAG_PROG && ep[cli].host < 0)
		designated = NULL;
	if (trusted(r, rule, &ep[cli], designated))
		return;
	struct alert *a = begin(r, rule, v, ep, sec, usec);
	modbus_context(a, pd);
	char w[256], t[256], roles[160];
	policy_roles_str(r->set[rule].roles, roles, sizeof(roles));
	reason(a, "%s (function %u, %s) to %s unit %u from %s, which does not have the role (%s)",
	       pd->function_name, pd->function, modbus_access_name(pd->access),
	       who(&ep[srv], t, sizeof(t), p), pd->unit_id, who(&ep[cli], w, sizeof(w), p), roles);
	raise_alert(r, a, (uint64_t)pd->function << 8 | pd->unit_id);
}

/* ---------- anomalies and assets ---------- */

static void anomaly_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			  const struct app_anomaly *an, int64_t sec, uint32_t usec)
{
	(void)rf;
	enum rule_id rule = !strcmp(an->name, "HSMS_SECOND_HOST_SELECT") ? R_HSMS_SECOND_HOST
			    : an->layer && !strcmp(an->layer, "modbus") ? R_ANOMALY_MODBUS
									 : R_ANOMALY_HSMS;
	if (!r->set[rule].enabled)
		return;
	struct ep ep[2];
	resolve(r, rf, v, 0, &ep[0]);
	resolve(r, rf, v, 1, &ep[1]);
	struct alert *a = begin(r, rule, v, ep, sec, usec);
	if (rule != R_HSMS_SECOND_HOST) {
		const struct policy_rule *o = policy_rule_override(r->pol, a->def->id);
		if (!o || !o->severity)
			a->severity = rule_anomaly_severity(an->name);
	}
	a->ctx = ACTX_ANOMALY;
	snprintf(a->u.anomaly.name, sizeof(a->u.anomaly.name), "%s", an->name);
	snprintf(a->u.anomaly.detail, sizeof(a->u.anomaly.detail), "%s", an->detail ? an->detail : "");
	snprintf(a->u.anomaly.layer, sizeof(a->u.anomaly.layer), "%s", an->layer ? an->layer : "");
	reason(a, "%s%s%s", an->name, an->detail ? ": " : "", an->detail ? an->detail : "");
	uint64_t key = rule == R_HSMS_SECOND_HOST ? 1u << 16 : alert_key_mix(0, an->name, strlen(an->name));
	raise_alert(r, a, key);
}

static void identity_check(struct rules *r, const struct rules_flow_view *v, int eq_i,
			   const char *model, const char *softrev, const char *prev, bool changed,
			   int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (!r->set[R_INV_IDENTITY].enabled)
		return;
	struct ep ep[2];
	resolve(r, NULL, v, 0, &ep[0]);
	resolve(r, NULL, v, 1, &ep[1]);
	const struct policy_host *h = ep[eq_i].host >= 0 ? &p->hosts[ep[eq_i].host] : NULL;
	bool model_bad = h && h->model[0] && model[0] && strncmp(h->model, model, POLICY_ID_LEN - 1) != 0;
	bool rev_bad = h && h->softrev[0] && softrev[0] && strncmp(h->softrev, softrev, POLICY_ID_LEN - 1) != 0;
	if (!model_bad && !rev_bad && !changed)
		return;
	struct alert *a = begin(r, R_INV_IDENTITY, v, ep, sec, usec);
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
		reason(a, "equipment %s reports model '%s' revision '%s'; the baseline says '%s' '%s'",
		       who(&ep[eq_i], w, sizeof(w), p), model, softrev, h->model, h->softrev);
	else
		reason(a, "equipment %s changed its software revision from '%s' to '%s'",
		       who(&ep[eq_i], w, sizeof(w), p), prev ? prev : "", softrev);
	uint64_t k = alert_key_mix(0, model, strlen(model));
	raise_alert(r, a, alert_key_mix(k, softrev, strlen(softrev)));
}

void rules_app_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct app_event *ev, int64_t sec, uint32_t usec)
{
	ensure_resolved(r, rf);
	switch (ev->kind) {
	case APP_EVENT_HSMS:
		hsms_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_MODBUS:
		modbus_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_ANOMALY:
		anomaly_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_HSMS_ASSET: {
		const struct hsms_asset_event *ae = ev->body;
		if (!v || (ae->change != HSMS_ASSET_IDENTIFIED && ae->change != HSMS_ASSET_CHANGED))
			break;
		int eq_i = ip_addr_cmp(&v->addr[0], &ae->eq->addr) == 0 ? 0 : 1;
		identity_check(r, v, eq_i, ae->eq->mdln, ae->eq->softrev, ae->eq->prev_softrev,
			       ae->change == HSMS_ASSET_CHANGED, sec, usec);
		break;
	}
	case APP_EVENT_MODBUS_ASSET: {
		const struct modbus_asset_event *ae = ev->body;
		if (!v || (ae->change != MODBUS_ASSET_IDENTIFIED && ae->change != MODBUS_ASSET_CHANGED))
			break;
		int eq_i = ip_addr_cmp(&v->addr[0], &ae->dev->addr) == 0 ? 0 : 1;
		const struct modbus_device *d = ae->dev;
		const char *model = d->product_code[0] ? d->product_code : d->model_name;
		identity_check(r, v, eq_i, model, d->revision, d->prev_revision,
			       ae->change == MODBUS_ASSET_CHANGED, sec, usec);
		break;
	}
	default:
		break;
	}
}
