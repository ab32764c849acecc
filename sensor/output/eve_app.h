/* SPDX-License-Identifier: BSD-2-Clause */
/* EVE records of what fabmon's dissectors report: `anomaly`, `hsms`,
 * `asset`, and the per-protocol summary inside a flow record. */
#ifndef FABMON_EVE_APP_H
#define FABMON_EVE_APP_H

#include "dissectors/dissector.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "sensor/output/eve.h"
#include "sensor/output/eve_hsms_counts.h"

void eve_anomaly(struct eve *e, struct flow *f, int64_t sec, uint32_t usec, int dir,
		 const struct app_anomaly *a);
void eve_hsms(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
	      const struct hsms_message *m);
void eve_hsms_asset(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
		    const struct hsms_asset_event *a);
void eve_modbus_asset(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
		      const struct modbus_asset_event *a);
/* The dissector's summary object inside a flow record (kind as emitted),
 * with the HSMS messages that got no record of their own (or NULL). */
void eve_app_session(struct jbuf *b, enum app_event_kind kind, const void *summary,
		     const struct eve_hsms_counts *unrecorded);

#endif
