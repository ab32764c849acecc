/* SPDX-License-Identifier: BSD-2-Clause */
/* EVE `alert` records of the rule engine. */
#ifndef FABMON_EVE_ALERT_H
#define FABMON_EVE_ALERT_H

#include "rules/alert.h"
#include "sensor/output/eve.h"
#include "sensor/output/evidence.h"

/* A stable id for an alert record (the same on every replay of the same
 * packets): 16 hex digits. */
void eve_alert_id(const struct alert *a, char out[17]);

/* Build the record in e->jb, whole (no newline): for eve.json and syslog.
 * ev: where its packets are; NULL, or no file: none (ev->none says why,
 * written as evidence.none unless evidence is off). */
void eve_alert_build(struct eve *e, const struct alert *a, const char *id,
		     const struct evidence_ref *ev);
/* Build and write it. */
void eve_alert(struct eve *e, const struct alert *a, const char *id, const struct evidence_ref *ev);

#endif
