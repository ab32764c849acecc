/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where the packet path's events go. Every dissector event (an HSMS
 * message, a Modbus transaction, an asset, an anomaly, a session summary),
 * a flow whose application became known, and the end of a flow fan out to
 * a list of sinks that the pipeline registers (the rules or the learner,
 * the summary, the EVE records), each told in the order registered: a
 * sink registered earlier writes its records (an alert) before a later one
 * writes its own (the message's record).
 */
#ifndef FABMON_EVENT_SINK_H
#define FABMON_EVENT_SINK_H

#include <stdint.h>

#include "dissectors/dissector.h"
#include "sensor/flow/flow.h"

/* How a flow ended, with what its dissector said of it at the end. */
struct flow_end {
	enum flow_end_reason why;
	enum app_event_kind session_kind; /* APP_EVENT_KIND_COUNT: no summary */
	const void *session;              /* the summary of that kind */
};

/* One sink; a callback it does not need is NULL. */
struct event_sink {
	void *ctx;
	/* A dissector's event at capture time (sec, usec); f is NULL for
	 * events outside any flow (the inventory at the end of the run). */
	void (*app_event)(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
			  uint32_t usec);
	/* The flow's application is known (or it ends unclassified); again
	 * after a policy reload. */
	void (*flow_classified)(void *ctx, struct flow *f);
	/* The flow ends (its dissector has finished). */
	void (*flow_ended)(void *ctx, struct flow *f, const struct flow_end *end);
};

#define EVENT_SINKS_MAX 4

/* The registered sinks, kept per callback (only those that have it), so
 * that telling them costs one indirect call each on the packet path. */
struct event_sinks {
	struct {
		void (*fn)(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
			   uint32_t usec);
		void *ctx;
	} app_event[EVENT_SINKS_MAX];
	struct {
		void (*fn)(void *ctx, struct flow *f);
		void *ctx;
	} flow_classified[EVENT_SINKS_MAX];
	struct {
		void (*fn)(void *ctx, struct flow *f, const struct flow_end *end);
		void *ctx;
	} flow_ended[EVENT_SINKS_MAX];
	int n, n_app_event, n_flow_classified, n_flow_ended;
};

/* Append a sink (after those registered before). 0, or -1 when the list
 * is full. */
static inline int event_sinks_add(struct event_sinks *l, struct event_sink s)
{
	if (l->n == EVENT_SINKS_MAX)
		return -1;
	l->n++;
	if (s.app_event) {
		l->app_event[l->n_app_event].fn = s.app_event;
		l->app_event[l->n_app_event++].ctx = s.ctx;
	}
	if (s.flow_classified) {
		l->flow_classified[l->n_flow_classified].fn = s.flow_classified;
		l->flow_classified[l->n_flow_classified++].ctx = s.ctx;
	}
	if (s.flow_ended) {
		l->flow_ended[l->n_flow_ended].fn = s.flow_ended;
		l->flow_ended[l->n_flow_ended++].ctx = s.ctx;
	}
	return 0;
}

/* Forget every sink. */
static inline void event_sinks_clear(struct event_sinks *l)
{
	l->n = l->n_app_event = l->n_flow_classified = l->n_flow_ended = 0;
}

static inline void event_sinks_app_event(const struct event_sinks *l, struct flow *f,
					 const struct app_event *ev, int64_t sec, uint32_t usec)
{
	for (int i = 0, n = l->n_app_event; i < n; i++)
		l->app_event[i].fn(l->app_event[i].ctx, f, ev, sec, usec);
}

static inline void event_sinks_flow_classified(const struct event_sinks *l, struct flow *f)
{
	for (int i = 0, n = l->n_flow_classified; i < n; i++)
		l->flow_classified[i].fn(l->flow_classified[i].ctx, f);
}

static inline void event_sinks_flow_ended(const struct event_sinks *l, struct flow *f,
					  const struct flow_end *end)
{
	for (int i = 0, n = l->n_flow_ended; i < n; i++)
		l->flow_ended[i].fn(l->flow_ended[i].ctx, f, end);
}

#endif
