/* SPDX-License-Identifier: BSD-2-Clause */
/* Anomaly rules: what a dissector reports as malformed or out of protocol
 * (an HSMS or Modbus anomaly, a second host selecting an equipment)
 * becomes an alert, its severity the catalog's for that anomaly unless the
 * policy overrides it. */
#include <stdio.h>
#include <string.h>

#include "dissectors/dissector.h"
#include "rules/engine.h"
#include "rules/engine_alerts.h"
#include "rules/engine_ends.h"
#include "rules/engine_internal.h"

void rl_anomaly_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      const struct app_anomaly *an, int64_t sec, uint32_t usec)
{
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
