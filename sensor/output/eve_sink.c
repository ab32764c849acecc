/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_sink.h"

#include <stdlib.h>

#include "sensor/output/eve_app.h"
#include "sensor/output/eve_flow.h"
#include "sensor/output/eve_hsms_counts.h"
#include "sensor/output/eve_modbus.h"

/* A message gets its own record at this level: all, or by default all but
 * the routine ones (those are counted in the flow record) */
static bool level_writes(enum eve_records level, bool routine)
{
	return level == RECORDS_ALL || (level == RECORDS_DEFAULT && !routine);
}

static void app_event(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		      uint32_t usec)
{
	struct eve_sink *s = ctx;
	struct eve *e = s->eve;
	if (!e->open)
		return;
	switch (ev->kind) {
	case APP_EVENT_ANOMALY:
		eve_anomaly(e, f, sec, usec, ev->dir, ev->body);
		break;
	case APP_EVENT_HSMS: {
		/* by default linktests, event reports and status polls are only
		 * counted in the flow record (hsms_message_routine) */
		const struct hsms_message *m = ev->body;
		/* with no memory to count it, its record */
		if (level_writes(s->hsms, hsms_message_routine(m)) ||
		    eve_hsms_count(&f->eve_hsms_counts, m) < 0)
			eve_hsms(e, f, sec, usec, m);
		break;
	}
	case APP_EVENT_HSMS_ASSET:
		eve_hsms_asset(e, f, sec, usec, ev->body);
		break;
	case APP_EVENT_MODBUS_TX: {
		/* by default routine polling (reads answered without exception
		 * or fault) is only counted in the flow record; every write,
		 * diagnostic, programming and identification transaction, every
		 * exception, fault and unpaired message is written */
		const struct modbus_tx *tx = ev->body;
		if (level_writes(s->modbus, modbus_tx_routine(tx)))
			eve_modbus_tx(e, f, sec, usec, tx);
		break;
	}
	case APP_EVENT_MODBUS_ASSET:
		eve_modbus_asset(e, f, sec, usec, ev->body);
		break;
	default:
		break;
	}
}

static void flow_ended(void *ctx, struct flow *f, const struct flow_end *end)
{
	struct eve_sink *s = ctx;
	/* a half-open flow tells who tried whom: summarised, so that a flood
	 * of spoofed SYNs writes a record per interval, not per SYN */
	bool half_open = flow_half_open(f);
	if (half_open)
		eve_attempts_add(&s->attempts, s->eve, f);
	if (s->eve->open && (!half_open || s->flow_records_all))
		eve_flow(s->eve, f, end->why, (int)end->session_kind, end->session);
	/* the flow's cached record header goes with it */
	free(f->eve_hdr);
	f->eve_hdr = NULL;
	free(f->eve_hsms_counts);
	f->eve_hsms_counts = NULL;
}

void eve_sink_tick(struct eve_sink *s, int64_t sec)
{
	eve_attempts_tick(&s->attempts, s->eve, sec);
}

void eve_sink_finish(struct eve_sink *s)
{
	eve_attempts_finish(&s->attempts, s->eve);
}

struct event_sink eve_event_sink(struct eve_sink *s)
{
	return (struct event_sink){ .ctx = s, .app_event = app_event, .flow_ended = flow_ended };
}
