/* SPDX-License-Identifier: BSD-2-Clause */
/* Building an alert of the rule engine: rl_begin() fills the common part
 * (flow, both ends), rl_reason() the text, rl_raise_alert() hands it to the
 * engine's aggregation keyed by rule, ends and msgkey. */
#ifndef FABMON_RULES_ENGINE_ALERTS_H
#define FABMON_RULES_ENGINE_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "rules/alert.h"
#include "rules/catalog.h"
#include "rules/engine_ends.h"
#include "zones/policy.h"

struct rules;
struct rules_flow_view;

/* The engine's alert being built (one per engine), its common part filled;
 * v NULL: no flow. */
struct alert *rl_begin(struct rules *r, enum rule_id rule, const struct rules_flow_view *v,
		       const struct ep ep[2], int64_t sec, uint32_t usec);
void rl_reason(struct alert *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rl_raise_alert(struct rules *r, struct alert *a, uint64_t msgkey);
/* "ip 'name' (zone z, roles …)" for reasons */
const char *rl_who(const struct ep *e, char *buf, size_t len, const struct policy *p);

#endif
