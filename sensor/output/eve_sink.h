/* SPDX-License-Identifier: BSD-2-Clause */
/* The EVE records of the packet path's events, as an event sink: a record
 * per dissector message (as chosen per protocol), asset and anomaly, and
 * the flow record when a flow ends (a half-open TCP flow: counted in the
 * flow_attempts summary instead, unless --flow-records all). */
#ifndef FABMON_EVE_SINK_H
#define FABMON_EVE_SINK_H

#include "sensor/event_sink.h"
#include "sensor/output/eve.h"
#include "sensor/output/eve_attempts.h"

/* Which per-message records a protocol writes. */
enum eve_records {
	RECORDS_NONE,
	RECORDS_DEFAULT,   /* all but routine messages: HSMS linktests, event reports and
			    * status polls, Modbus reads answered without fault */
	RECORDS_ALL,
};

struct eve_sink {
	struct eve *eve;              /* records are written while it is open */
	enum eve_records hsms, modbus;
	bool flow_records_all;        /* --flow-records all: half-open flows get a record too */
	struct eve_attempts attempts; /* half-open flows, summarised */
};

struct event_sink eve_event_sink(struct eve_sink *s);
/* Capture time moved on; end of run (the last flow_attempts record). */
void eve_sink_tick(struct eve_sink *s, int64_t sec);
void eve_sink_finish(struct eve_sink *s);

#endif
