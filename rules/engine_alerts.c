/* SPDX-License-Identifier: BSD-2-Clause */
/* Building and raising the rule engine's alerts (see engine_alerts.h). */
#include "rules/engine_alerts.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules/engine.h"
#include "rules/engine_internal.h"

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
		a->half_open = v->half_open;
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
