/* SPDX-License-Identifier: BSD-2-Clause */
/* The conduit/policy engine (see engine.h, README "Rules"): setup, policy
 * reloads, counters, and the dispatch of dissector events down to the rule
 * families (engine_*.c; the layers are listed in engine_internal.h). */
#include "rules/engine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/engine_internal.h"

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
	uint32_t max_hosts = cfg->max_hosts ? cfg->max_hosts : 65536;
	uint32_t agg_capacity = cfg->agg_capacity ? cfg->agg_capacity : 4096;
	r->window_override = cfg->window_override;
	r->rate_override = cfg->rate_override;
	int hosts_ok = engine_hosts_init(&r->hosts, max_hosts);
	int exp_ok = exposure_init(&r->exp, max_hosts);
	r->report = calloc(1, sizeof(*r->report));
	int scan_ok = rl_scan_init(r);
	r->agg = alert_agg_create(60, 100, agg_capacity, sink, sink_ctx);
	if (r->agg)
		alert_agg_set_mark(r->agg, cfg->mark);
	if (hosts_ok < 0 || exp_ok < 0 || scan_ok < 0 || !r->report || !r->agg) {
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
	engine_hosts_free(&r->hosts);
	exposure_free(&r->exp);
	rl_scan_free(r);
	free(r->report);
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
	/* the open scan interval is closed under the policy it was counted by */
	if (r->pol)
		rl_scan_finish(r);
	policy_free(r->pol);
	r->pol = pol;
	memcpy(r->set, set, sizeof(set));
	r->gen++;
	r->st.reloads++;
	alert_agg_configure(r->agg, r->window_override ? r->window_override : pol->alert_window,
			    r->rate_override ? r->rate_override : pol->alert_rate);
	/* inventory alerts are per policy (a new one may place hosts anew):
	 * host entries compare their alerted_gen. The MAC table holds zone
	 * indexes of the old policy, meaningless (or out of range) in the new
	 * one: it is learned again */
	engine_macs_forget(&r->hosts);
	rl_exposure_policy(r);
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

/* The counters as they are now, in the report the engine owns. */
const struct rules_stats *rules_stats(const struct rules *r)
{
	struct rules_stats *s = r->report;
	s->flows_checked = r->st.flows_checked;
	s->hsms_checked = r->st.hsms_checked;
	s->modbus_checked = r->st.modbus_checked;
	s->hosts = r->hosts.nhosts;
	s->hosts_dropped = r->hosts.dropped;
	s->hosts_refused_rank = r->hosts.refused_rank;
	s->hosts_half_open_lookups = r->hosts.half_open_lookups;
	s->macs_dropped = r->hosts.macs_dropped;
	s->reloads = r->st.reloads;
	s->reload_failures = r->st.reload_failures;
	return s;
}

const struct alert_stats *rules_alert_stats(const struct rules *r)
{
	return alert_agg_stats(r->agg);
}

bool rules_scan_attempt(struct rules *r, const struct rules_flow_view *v, int delta)
{
	return rl_scan_attempt(r, v, delta);
}

void rules_flow_ended(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      int64_t sec, uint32_t usec)
{
	rl_ensure_resolved(r, rf);
	rl_exposure_flow(r, rf, v, true, sec, usec);
}

const struct exposure *rules_exposure(const struct rules *r)
{
	return &r->exp;
}

void rules_tick(struct rules *r, int64_t sec)
{
	rl_scan_tick(r, sec);
	alert_agg_tick(r->agg, sec);
}

void rules_finish(struct rules *r)
{
	rl_scan_finish(r);
	alert_agg_flush(r->agg);
}

/* ---------- dissector events ---------- */

void rules_app_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct app_event *ev, int64_t sec, uint32_t usec)
{
	if (!rules_event_wanted(ev->kind))
		return;
	rl_ensure_resolved(r, rf);
	switch (ev->kind) {
	case APP_EVENT_HSMS:
		rl_hsms_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_MODBUS:
		rl_modbus_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_ANOMALY:
		rl_anomaly_event(r, rf, v, ev->body, sec, usec);
		break;
	case APP_EVENT_HSMS_ASSET: {
		const struct hsms_asset_event *ae = ev->body;
		if (!v || (ae->change != HSMS_ASSET_IDENTIFIED && ae->change != HSMS_ASSET_CHANGED))
			break;
		int eq_i = ip_addr_cmp(&v->addr[0], &ae->eq->addr) == 0 ? 0 : 1;
		rl_identity_check(r, v, eq_i, ae->eq->mdln, ae->eq->softrev, ae->eq->prev_softrev,
			       ae->change == HSMS_ASSET_CHANGED, sec, usec);
		rl_exposure_identity(r, &ae->eq->addr, ae->eq->mdln, ae->eq->softrev, sec, usec);
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
		rl_exposure_identity(r, &ae->dev->addr, model, d->revision, sec, usec);
		break;
	}
	default:
		break;
	}
}
