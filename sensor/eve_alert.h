/* SPDX-License-Identifier: BSD-2-Clause */
/* EVE `alert` records of the rule engine. */
#ifndef FABMON_EVE_ALERT_H
#define FABMON_EVE_ALERT_H

#include "rules/alert.h"
#include "sensor/eve.h"

void eve_alert(struct eve *e, const struct alert *a);

#endif
