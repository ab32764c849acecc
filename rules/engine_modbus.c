/* SPDX-License-Identifier: BSD-2-Clause */
/* Modbus rules: writes, diagnostics and programming from hosts without
 * the role, and the conduits' access, function, unit and address filters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissectors/modbus.h"
#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

/* ---------- Modbus ---------- */

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
		if (pd->access != MODBUS_ACCESS_WRITE || !a->naddresses || !modbus_write_span(pd, &lo, &hi))
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
	rl_resolve_ends(r, rf, v, ep);
	struct alert *a = rl_begin(r, rule, v, ep, sec, usec);
	rl_modbus_context(a, pd);
	snprintf(a->conduit, sizeof(a->conduit), "%s", c->name);
	if (rule == R_MODBUS_ADDRESS) {
		rl_reason(a, "%s to address %u (%u values) of unit %u: conduit '%s' allows writes to %s",
		       pd->function_name, a->u.modbus.address, a->u.modbus.quantity, pd->unit_id,
		       c->name, ranges);
	} else {
		rl_reason(a, "function %u (%s, %s) to unit %u is not allowed by conduit '%s'",
		       pd->function, pd->function_name, modbus_access_name(pd->access), pd->unit_id,
		       c->name);
	}
	rl_raise_alert(r, a, (uint64_t)pd->function << 8 | pd->unit_id);
}

void rl_modbus_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct modbus_pdu *pd, int64_t sec, uint32_t usec)
{
	const struct policy *p = r->pol;
	if (!pd->request)
		return;
	r->st.modbus_checked++;
	int cli = pd->dir == 0 ? 0 : 1, srv = 1 - cli;
	struct rhost *sh = rl_fab_host(r, rf, v, srv);
	if (sh && (!(sh->inferred & ROLE_BIT(ROLE_CONTROLLER)) || !sh->has_modbus_client)) {
		struct rhost *ch = rl_fab_host(r, rf, v, cli);
		sh->inferred |= ROLE_BIT(ROLE_CONTROLLER);
		if (!sh->has_modbus_client && ch) {
			sh->has_modbus_client = true;
			sh->modbus_client = v->addr[cli];
			ch->inferred |= ROLE_BIT(ROLE_SCADA);
		}
		rl_recheck_unzoned(r, rf);
	}
	if (!rf->checked || rf->gen != r->gen)
		rules_flow_check(r, rf, v, sec, usec);
	if (rf->conduit >= 0)
		modbus_conduit_filter(r, rf, v, pd, sec, usec);
	if (p->baseline.line)
		rl_baseline_modbus(r, rf, v, pd, cli, sec, usec);
	enum rule_id rule = R_COUNT;
	if (pd->access == MODBUS_ACCESS_WRITE)
		rule = R_MODBUS_WRITE;
	else if (pd->access == MODBUS_ACCESS_DIAGNOSTIC || pd->access == MODBUS_ACCESS_PROGRAMMING)
		rule = R_MODBUS_DIAG_PROG;
	if (rule == R_COUNT || !r->set[rule].enabled)
		return;
	struct ep ep[2];
	rl_resolve_ends(r, rf, v, ep);
	const struct ip_addr *designated = sh && sh->has_modbus_client ? &sh->modbus_client : NULL;
	/* diagnostics/programming: never trusted by designation alone */
	if (rule == R_MODBUS_DIAG_PROG && ep[cli].host < 0)
		designated = NULL;
	if (rl_trusted(r, rule, &ep[cli], designated))
		return;
	struct alert *a = rl_begin(r, rule, v, ep, sec, usec);
	rl_modbus_context(a, pd);
	char w[256], t[256], roles[160];
	policy_roles_str(r->set[rule].roles, roles, sizeof(roles));
	rl_reason(a, "%s (function %u, %s) to %s unit %u from %s, which does not have the role (%s)",
	       pd->function_name, pd->function, modbus_access_name(pd->access),
	       rl_who(&ep[srv], t, sizeof(t), p), pd->unit_id, rl_who(&ep[cli], w, sizeof(w), p), roles);
	rl_raise_alert(r, a, (uint64_t)pd->function << 8 | pd->unit_id);
}
