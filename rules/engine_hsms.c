/* SPDX-License-Identifier: BSD-2-Clause */
/* HSMS/SECS-II/GEM message rules: remote commands, recipes, constants,
 * online/offline, alarm and report disabling, recipe upload, a second
 * commander, and the conduits' stream/function/category filters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

/* ---------- HSMS ---------- */

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
			return field_disables(hsms_message_fields(m), "aled", 0x80) ? R_HSMS_ALARM_REPORT_OFF : R_COUNT;
		case 2 << 8 | 37:
			return field_disables(hsms_message_fields(m), "ceed", 0) ? R_HSMS_ALARM_REPORT_OFF : R_COUNT;
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
	rl_resolve_ends(r, rf, v, ep);
	struct alert *a = rl_begin(r, R_HSMS_MESSAGE_NOT_ALLOWED, v, ep, sec, usec);
	rl_hsms_context(a, m);
	snprintf(a->conduit, sizeof(a->conduit), "%s", c->name);
	char sf[12];
	hsms_sf_text(sf, m->stream, m->function);
	rl_reason(a, "%s (%s) is not among the messages conduit '%s' allows", sf,
	       gem_category_name(m->category), c->name);
	rl_raise_alert(r, a, (uint64_t)(m->stream << 8 | m->function));
}

void rl_hsms_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
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
	struct rhost *eqh = designate ? rl_fab_host(r, rf, v, eq_i) : NULL;
	if (eqh && (!(eqh->inferred & ROLE_BIT(ROLE_EQUIPMENT)) || !eqh->has_hsms_host)) {
		struct rhost *hh = rl_fab_host(r, rf, v, host_i);
		eqh->inferred |= ROLE_BIT(ROLE_EQUIPMENT);
		if (!eqh->has_hsms_host && hh) {
			eqh->has_hsms_host = true;
			eqh->hsms_host = v->addr[host_i];
			hh->inferred |= ROLE_BIT(ROLE_EQUIPMENT_HOST);
		}
		rl_recheck_unzoned(r, rf);
	}
	if (!rf->checked || rf->gen != r->gen)
		rules_flow_check(r, rf, v, sec, usec);
	if (m->stype == HSMS_DATA && rf->conduit >= 0)
		hsms_conduit_filter(r, rf, v, m, sec, usec);
	if (m->stype == HSMS_DATA && p->baseline.line)
		rl_baseline_hsms(r, rf, v, m, host_i, sec, usec);
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
	rl_resolve_ends(r, rf, v, ep);
	const struct ip_addr *designated = eqh && eqh->has_hsms_host ? &eqh->hsms_host : NULL;
	char w[256], t[256], sf[12];

	if (m->stype == HSMS_SELECT_REQ) {
		if (rl_trusted(r, R_HSMS_SECOND_HOST, &ep[host_i], designated))
			return;
		struct alert *a = rl_begin(r, R_HSMS_SECOND_HOST, v, ep, sec, usec);
		a->ctx = ACTX_HSMS;
		memset(&a->u.hsms, 0, sizeof(a->u.hsms));
		snprintf(a->u.hsms.name, sizeof(a->u.hsms.name), "Select.req");
		snprintf(a->u.hsms.direction, sizeof(a->u.hsms.direction), "H>E");
		a->u.hsms.session_id = m->session_id;
		a->u.hsms.system = m->system;
		char d[IP_ADDR_STRLEN], trusted_roles[240];
		if (designated && ip_addr_cmp(designated, ep[host_i].ip) != 0)
			rl_reason(a, "%s selects equipment %s, whose designated host is %s",
			       rl_who(&ep[host_i], w, sizeof(w), p), rl_who(&ep[eq_i], t, sizeof(t), p),
			       ip_addr_str(designated, d, sizeof(d)));
		else
			rl_reason(a, "%s selects equipment %s without the role (trusted roles: %s)",
			       rl_who(&ep[host_i], w, sizeof(w), p), rl_who(&ep[eq_i], t, sizeof(t), p),
			       policy_roles_str(r->set[R_HSMS_SECOND_HOST].roles, trusted_roles,
						sizeof(trusted_roles)));
		rl_raise_alert(r, a, 1u << 16);
		return;
	}
	/* the host concerned: the sender of a command, the receiver of a
	 * process program leaving the equipment */
	if (rl_trusted(r, rule, &ep[host_i], designated))
		return;
	struct alert *a = rl_begin(r, rule, v, ep, sec, usec);
	rl_hsms_context(a, m);
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
		rl_reason(a, "%s %s: process program%s%s leaves equipment %s for %s, which is not a "
		       "trusted host (roles %s)", sf, m->gem ? m->gem->name : "",
		       a->u.hsms.ppid[0] ? " " : "", a->u.hsms.ppid, rl_who(&ep[eq_i], t, sizeof(t), p),
		       rl_who(&ep[host_i], w, sizeof(w), p), roles);
	else
		rl_reason(a, "%s %s%s%s%s%s sent to equipment %s by %s, which is not a trusted host "
		       "(roles %s)", sf, m->gem ? m->gem->name : "",
		       a->u.hsms.rcmd[0] ? " RCMD=" : "", a->u.hsms.rcmd,
		       a->u.hsms.ppid[0] ? " PPID=" : "", a->u.hsms.ppid,
		       rl_who(&ep[eq_i], t, sizeof(t), p), rl_who(&ep[host_i], w, sizeof(w), p), roles);
	rl_raise_alert(r, a, (uint64_t)(m->stream << 8 | m->function));
}
