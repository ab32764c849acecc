/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run's audit report fed the values of the records that a busy run
 * writes by the thousand (flow, hsms, modbus), as they are written, so
 * that the report needs no second reading of eve.json (report_feed.h;
 * every record is also fed its type and text by eve_put). Each call comes
 * after the record was queued, and gives what the record says.
 */
#ifndef FABMON_EVE_FEED_H
#define FABMON_EVE_FEED_H

#include "sensor/output/report_queue.h"
#include "sensor/output/eve.h"

/* The flow record of f; rf holds what eve_flow wrote of its policy and
 * times, the rest is taken from f and the session summary. */
void eve_feed_flow(struct eve *e, const struct flow *f, struct report_flow *rf,
		   int session_kind, const void *session);
/* An hsms record of f counted as what (hsms.sf or hsms.stype), at the
 * record's time. */
void eve_feed_hsms(struct eve *e, const struct flow *f, const char *what);
/* A modbus record whose request has this function_name. */
void eve_feed_modbus(struct eve *e, const struct flow *f, const char *function);

#endif
