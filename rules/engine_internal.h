/* SPDX-License-Identifier: BSD-2-Clause */
/* What the rule engine's files share (rules/engine*.c): the state of one
 * engine and the entry points of the rule families that engine.c calls
 * down into. Not for use outside rules/.
 *
 * Layers, each calling only the ones below it:
 *   engine.c                      the public entry points (engine.h)
 *   engine_{flow,hsms,modbus,     the rule families (engine_flow.c hands
 *     inventory,anomaly,scan,     half-open flows to engine_scan.c, and
 *     exposure}.c                 accepted ones to engine_exposure.c)
 *   engine_alerts.c               building and raising alerts
 *   engine_ends.c                 a flow's two ends as the rules see them
 *   engine_hosts.c                the learned host and MAC tables
 * This header does not include rules/engine.h (engine.c includes it): the
 * public types are declared here only as far as the prototypes need. */
#ifndef FABMON_RULES_ENGINE_INTERNAL_H
#define FABMON_RULES_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "rules/alert.h"
#include "rules/catalog.h"
#include "rules/engine_hosts.h"
#include "rules/exposure.h"
#include "zones/policy.h"

struct ep;
struct rules_flow;
struct rules_flow_view;
struct rules_stats;
struct app_anomaly;
struct hsms_message;
struct modbus_pdu;
struct scan_state;

/* The engine's counters; rules_stats() reports them with the host table's. */
struct rules_counts {
	uint64_t flows_checked;
	uint64_t hsms_checked, modbus_checked;
	uint64_t reloads, reload_failures;
};

struct rules {
	struct policy *pol;
	struct rule_setting set[R_COUNT];
	uint32_t gen;
	uint32_t window_override;     /* struct rules_config's, 0: the policy's */
	uint32_t rate_override;
	struct alert_agg *agg;
	struct engine_hosts hosts;
	struct rules_counts st;
	struct rules_stats *report;   /* filled by rules_stats() */
	struct alert a;               /* being built */
	struct scan_state *scan;      /* engine_scan.c's tables */
	struct exposure exp;          /* what each fab host offered (engine_exposure.c) */
};

/* A message just taught the engine a role of one of the flow's ends. If
 * the flow was checked before, while an end was in no zone (the built-in
 * policy places hosts by their roles), it is checked again: junk or a
 * malformed first PDU can get a flow classified, and so checked, before
 * its first request shows who is who (issue 16). An unzoned check raised
 * no zone rule, so checking again repeats no alert. (engine_flow.c) */
void rl_recheck_unzoned(struct rules *r, struct rules_flow *rf);

/* engine_flow.c: a flow's rule state reset when the policy generation
 * changed (its learned-host slots stay: entries never move). */
void rl_ensure_resolved(struct rules *r, struct rules_flow *rf);
/* engine_inventory.c: the inventory rules of end i (engine_flow.c, once
 * per flow; ep: both ends), an equipment's reported identity (a dissector's
 * asset event) */
void rl_inventory_host(struct rules *r, const struct rules_flow_view *v, const struct ep *ep,
		       int i, int64_t sec, uint32_t usec);
void rl_identity_check(struct rules *r, const struct rules_flow_view *v, int eq_i,
		       const char *model, const char *softrev, const char *prev, bool changed,
		       int64_t sec, uint32_t usec);
/* engine_hsms.c, engine_modbus.c, engine_anomaly.c: one dissector event */
void rl_hsms_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		   const struct hsms_message *m, int64_t sec, uint32_t usec);
void rl_modbus_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct modbus_pdu *pd, int64_t sec, uint32_t usec);
void rl_anomaly_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      const struct app_anomaly *an, int64_t sec, uint32_t usec);
/* The message's or request's part of an alert (engine_context.c). */
void rl_hsms_context(struct alert *a, const struct hsms_message *m);
void rl_modbus_context(struct alert *a, const struct modbus_pdu *pd);
/* engine_baseline.c: a data message (host_i: the host's end) or a request
 * against the policy's `baseline:` (FAB-BL-001, FAB-BL-002). */
void rl_baseline_hsms(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      const struct hsms_message *m, int host_i, int64_t sec, uint32_t usec);
void rl_baseline_modbus(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			const struct modbus_pdu *pd, int cli, int64_t sec, uint32_t usec);

/* engine_exposure.c: a flow its server accepted, counted once in the
 * server's exposure (at its check, or at its end: at_end also moves its
 * last time), FAB-EXP-001 for a service `services:` does not allow; an
 * equipment's reported model (eq: its address) checks the services seen
 * before it was known. */
void rl_exposure_flow(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      bool at_end, int64_t sec, uint32_t usec);
void rl_exposure_identity(struct rules *r, const struct ip_addr *eq, const char *model,
			  const char *softrev, int64_t sec, uint32_t usec);
/* A new policy (SIGHUP): every service seen so far checked against its
 * `services:`. */
void rl_exposure_policy(struct rules *r);

/* engine_scan.c: scans and floods over half-open flows. rl_scan_flow
 * counts a flow (ep: its resolved ends) and says whether a flagged flood
 * or scan covers it: then its own alerts are folded (rl_scan_folded: the
 * rule it would have hit, the source zone) instead of raised. */
int rl_scan_init(struct rules *r);
void rl_scan_free(struct rules *r);
bool rl_scan_flow(struct rules *r, const struct rules_flow_view *v, const struct ep *ep,
		  int64_t sec, uint32_t usec);
void rl_scan_folded(struct rules *r, enum rule_id rule, int src_zone);
/* A TCP connection attempt to v->addr[1] opens (delta +1: true if counted,
 * then the caller owes one -1) or stops being one (-1). rules_scan_attempt
 * in engine.h; engine_scan.c's head comment says what it is for. */
bool rl_scan_attempt(struct rules *r, const struct rules_flow_view *v, int delta);
/* capture time; end of run or policy change (closes the interval) */
void rl_scan_tick(struct rules *r, int64_t sec);
void rl_scan_finish(struct rules *r);

#endif
