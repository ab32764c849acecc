/* SPDX-License-Identifier: BSD-2-Clause */
/* The EVE `flow` record, written when a flow ends. */
#ifndef FABMON_EVE_FLOW_H
#define FABMON_EVE_FLOW_H

#include "sensor/output/eve.h"

/* The flow record at its end, with the dissector's summary of it if any
 * (session_kind APP_EVENT_KIND_COUNT: none). */
void eve_flow(struct eve *e, struct flow *f, enum flow_end_reason why, int session_kind,
	      const void *session);

#endif
