/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/rules_sink.h"

#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"
#include "rules/learn.h"
#include "sensor/rdp_seen.h"
#include "sensor/smb_seen.h"

int rules_sink_init(struct rules_sink *s, struct rules *rules, const struct flow_table *ft,
		    uint32_t capacity)
{
	s->rules = rules;
	s->ft = ft;
	s->flows = calloc(capacity ? capacity : 1, sizeof(*s->flows));
	return s->flows ? 0 : -1;
}

void rules_sink_destroy(struct rules_sink *s)
{
	free(s->flows);
	s->flows = NULL;
}

/* Did the server accept the flow (what makes a service offered, rules/
 * exposure.h)? TCP: it answered the SYN (SYN+ACK) or sent data (a flow
 * picked up mid-stream); UDP: it replied. */
static bool answered(const struct flow *f)
{
	if (f->key.proto == 6)
		return (f->tcp_flags[DIR_TOCLIENT] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) ||
		       f->tcp[DIR_TOCLIENT].bytes > 0;
	return f->pkts[DIR_TOCLIENT] > 0;
}

/* The rule engine's view of a flow. */
static void view_of(struct flow *f, struct rules_flow_view *v)
{
	v->flow_id = f->flow_id;
	v->community_id = f->community_id;
	flow_endpoints(f, &v->addr[0], &v->port[0], &v->addr[1], &v->port[1]);
	v->mac[0] = f->has_mac ? f->mac[0] : NULL;
	v->mac[1] = f->has_mac ? f->mac[1] : NULL;
	v->proto = f->key.proto;
	v->vlan = f->key.vlan_count ? f->key.vlan[0] : 0;
	v->source = f->source;
	v->app = flow_app_proto(f);
	v->half_open = flow_half_open(f);
	v->sensor_flow = f;
	v->answered = answered(f);
	v->ndpi = f->ndpi_done ? &f->ndpi_res : NULL;
	v->first_sec = f->first.sec;
	v->first_usec = f->first.usec;
	const struct flow_smb *smb = f->smb;
	v->smb_dialect = smb ? smb->dialect : 0;
	const struct flow_rdp *rdp = f->rdp;
	v->rdp_security = !rdp || !rdp->confirmed || rdp->failure ? RDP_SECURITY_UNSEEN
			  : rdp_nla(rdp->selected) ? RDP_SECURITY_NLA : RDP_SECURITY_NO_NLA;
	for (int i = 0; i < 2; i++) {
		v->smb_native_os[i] = smb && smb->native_os[i][0] ? smb->native_os[i] : NULL;
		v->smb_native_lanman[i] = smb && smb->native_lanman[i][0] ? smb->native_lanman[i] : NULL;
	}
}

/* The rules' state of a flow, zeroed when they first see it. */
static struct rules_flow *state_of(struct rules_sink *s, struct flow *f)
{
	if (!f->rules) {
		f->rules = &s->flows[flow_table_slot(s->ft, f)];
		memset(f->rules, 0, sizeof(*f->rules));
	}
	return f->rules;
}

/* `fabmon learn -c POLICY` runs the rules beside the learner: nothing is
 * learned from a flow that broke a conduit of that policy. */
static bool broke_conduit(const struct rules_flow *rf)
{
	return rf && rf->verdict == RV_VIOLATION;
}

static void flow_classified(void *ctx, struct flow *f)
{
	struct rules_sink *s = ctx;
	struct rules_flow_view v;
	view_of(f, &v);
	struct rules_flow *rf = s->rules ? state_of(s, f) : NULL;
	if (rf)
		rules_flow_check(s->rules, rf, &v, f->last.sec, f->last.usec);
	if (s->learn && !broke_conduit(rf))
		learner_flow(s->learn, &v);
}

static void app_event(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		      uint32_t usec)
{
	struct rules_sink *s = ctx;
	bool rules = s->rules && rules_event_wanted(ev->kind);
	if (!f || (!s->learn && !rules))
		return;
	struct rules_flow_view v;
	view_of(f, &v);
	struct rules_flow *rf = s->rules ? state_of(s, f) : NULL;
	if (rules)
		rules_app_event(s->rules, rf, &v, ev, sec, usec);
	if (s->learn && !broke_conduit(rf))
		learner_event(s->learn, &v, ev, sec, usec);
}

static void flow_ended(void *ctx, struct flow *f, const struct flow_end *end)
{
	(void)end;
	struct rules_sink *s = ctx;
	if (!s->rules || !f->rules)
		return;
	struct rules_flow_view v;
	view_of(f, &v);
	rules_flow_ended(s->rules, f->rules, &v, f->last.sec, f->last.usec);
}

struct event_sink rules_event_sink(struct rules_sink *s)
{
	return (struct event_sink){ .ctx = s, .app_event = app_event,
				    .flow_classified = flow_classified, .flow_ended = flow_ended };
}

void rules_sink_attempt_open(struct rules_sink *s, struct flow *f)
{
	if (!s->rules || s->learn)
		return;
	struct rules_flow_view v;
	view_of(f, &v);
	f->attempt_counted = rules_scan_attempt(s->rules, &v, +1);
}

void rules_sink_attempt_over(struct rules_sink *s, struct flow *f)
{
	if (!f->attempt_counted)
		return;
	f->attempt_counted = 0;
	if (!s->rules)
		return;
	struct rules_flow_view v;
	view_of(f, &v);
	rules_scan_attempt(s->rules, &v, -1);
}
