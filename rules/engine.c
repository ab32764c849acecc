/* SPDX-License-Identifier: BSD-2-Clause */
/* The conduit/policy engine (see engine.h, README "Rules"): its tables of
 * learned hosts and MACs, setup, flow ends, alert building, and the
 * dispatch of dissector events to the rule families (engine_*.c). */
#include "rules/engine.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/engine_internal.h"

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

struct rmac *rl_mac_get(struct rules *r, const uint8_t *mac)
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
	 * host entries compare their alerted_gen. The MAC table holds zone
	 * indexes of the old policy, meaningless (or out of range) in the new
	 * one: it is learned again */
	if (r->macs)
		memset(r->macs, 0, ((size_t)r->mmask + 1) * sizeof(*r->macs));
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

/* The learned-host entry of one end of a flow; its slot is kept in the
 * flow's state (entries never move), so each message costs no lookup. */
struct rhost *rl_flow_host(struct rules *r, struct rules_flow *rf,
			   const struct rules_flow_view *v, int i)
{
	if (rf && rf->slot[i])
		return &r->hosts[rf->slot[i] - 1];
	struct rhost *h = host_get(r, &v->addr[i], true);
	if (rf && h)
		rf->slot[i] = (uint32_t)(h - r->hosts) + 1;
	return h;
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

struct alert *rl_begin(struct rules *r, enum rule_id rule, const struct rules_flow_view *v,
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
		a->sensor_flow = v->sensor_flow;
		for (int i = 0; i < 2; i++)
			fill_endpoint(r, i ? &a->dst : &a->src, &ep[i], v->port[i], v->mac[i]);
	}
	return a;
}

__attribute__((format(printf, 2, 3)))
void rl_reason(struct alert *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
}

void rl_raise_alert(struct rules *r, struct alert *a, uint64_t msgkey)
{
	uint64_t k = alert_key_mix(0, a->def->id, strlen(a->def->id));
	k = alert_key_mix(k, &a->src.ip, sizeof(a->src.ip));
	k = alert_key_mix(k, &a->dst.ip, sizeof(a->dst.ip));
	k = alert_key_mix(k, &msgkey, sizeof(msgkey));
	alert_agg_raise(r->agg, a, k);
}

const char *rl_who(const struct ep *e, char *buf, size_t len, const struct policy *p)
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
	rl_resolve_ends(r, rf, v, ep);
	struct alert *a = rl_begin(r, rule, v, ep, sec, usec);
	if (rule != R_HSMS_SECOND_HOST) {
		const struct policy_rule *o = policy_rule_override(r->pol, a->def->id);
		if (!o || !o->severity)
			a->severity = rule_anomaly_severity(an->name);
	}
	a->ctx = ACTX_ANOMALY;
	snprintf(a->u.anomaly.name, sizeof(a->u.anomaly.name), "%s", an->name);
	snprintf(a->u.anomaly.detail, sizeof(a->u.anomaly.detail), "%s", an->detail ? an->detail : "");
	snprintf(a->u.anomaly.layer, sizeof(a->u.anomaly.layer), "%s", an->layer ? an->layer : "");
	rl_reason(a, "%s%s%s", an->name, an->detail ? ": " : "", an->detail ? an->detail : "");
	uint64_t key = rule == R_HSMS_SECOND_HOST ? 1u << 16 : alert_key_mix(0, an->name, strlen(an->name));
	rl_raise_alert(r, a, key);
}

void rules_app_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct app_event *ev, int64_t sec, uint32_t usec)
{
	rl_ensure_resolved(r, rf);
	switch (ev->kind) {
	case APP_EVENT_HSMS:
		rl_hsms_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_MODBUS:
		rl_modbus_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_ANOMALY:
		anomaly_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_HSMS_ASSET: {
		const struct hsms_asset_event *ae = ev->body;
		if (!v || (ae->change != HSMS_ASSET_IDENTIFIED && ae->change != HSMS_ASSET_CHANGED))
			break;
		int eq_i = ip_addr_cmp(&v->addr[0], &ae->eq->addr) == 0 ? 0 : 1;
		rl_identity_check(r, v, eq_i, ae->eq->mdln, ae->eq->softrev, ae->eq->prev_softrev,
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
		rl_identity_check(r, v, eq_i, model, d->revision, d->prev_revision,
			       ae->change == MODBUS_ASSET_CHANGED, sec, usec);
		break;
	}
	default:
		break;
	}
}
