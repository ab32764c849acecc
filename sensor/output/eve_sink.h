/* SPDX-License-Identifier: BSD-2-Clause */
/* The EVE records of the packet path's events, as an event sink: a record
 * per dissector message (as chosen per protocol), asset and anomaly, and
 * the flow record when a flow ends. */
#ifndef FABMON_EVE_SINK_H
#define FABMON_EVE_SINK_H

#include "sensor/event_sink.h"
#include "sensor/output/eve.h"

/* Which per-message records a protocol writes. */
enum eve_records {
	RECORDS_NONE,
	RECORDS_DEFAULT,   /* the protocol's choice: HSMS all, Modbus all but routine reads */
	RECORDS_ALL,
};

struct eve_sink {
	struct eve *eve;              /* records are written while it is open */
	enum eve_records hsms, modbus;
};

struct event_sink eve_event_sink(struct eve_sink *s);

#endif
