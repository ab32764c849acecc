/* SPDX-License-Identifier: BSD-2-Clause */
/* The `exposure` records (issue 19 item 1): one per host of a fab zone
 * that offered a service, written at the end of the run from what the
 * rule engine gathered (rules/exposure.h). */
#ifndef FABMON_EVE_EXPOSURE_H
#define FABMON_EVE_EXPOSURE_H

#include "rules/exposure.h"
#include "sensor/output/eve.h"

void eve_exposure_all(struct eve *e, const struct exposure *x);

#endif
