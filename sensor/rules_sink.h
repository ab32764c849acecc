/* SPDX-License-Identifier: BSD-2-Clause */
/* The rule engine (or, for `fabmon learn`, the learner) as an event sink:
 * it sees each flow once its application is known, and every dissector
 * event on a flow, through the read-only view of rules/engine.h. */
#ifndef FABMON_RULES_SINK_H
#define FABMON_RULES_SINK_H

#include "sensor/event_sink.h"

struct rules;
struct learner;
struct flow_table;

struct rules_sink {
	struct rules *rules;          /* checks the policy; or */
	struct learner *learn;        /* observes instead (rules NULL) */
	struct rules_flow *flows;     /* the rules' state of each flow, by table slot */
	const struct flow_table *ft;
};

/* The rules' per-flow state for a table of capacity flows. 0, or -1 (out
 * of memory). */
int rules_sink_init(struct rules_sink *s, struct rules *rules, const struct flow_table *ft,
		    uint32_t capacity);
void rules_sink_destroy(struct rules_sink *s);

struct event_sink rules_event_sink(struct rules_sink *s);

struct flow;
/* A destination's SYN backlog (rules_scan_attempt, rules/engine.h): a TCP
 * flow just opened by a bare SYN (marks it attempt_counted if the rules
 * count it), and the end of that attempt (the flow is no longer half-open,
 * or it ends: only for a marked flow; clears the mark). */
void rules_sink_attempt_open(struct rules_sink *s, struct flow *f);
void rules_sink_attempt_over(struct rules_sink *s, struct flow *f);

#endif
