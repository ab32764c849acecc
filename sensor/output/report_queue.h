/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The audit report's feed (report/report_feed.h) on a thread of its own
 * (issue 17: every core). An -r run feeds the report every record it
 * writes; the kinds it keeps by their text (assets, exposure, alerts, the
 * run) are parsed again as JSON, and that, with the aggregation of the
 * others, was a tenth of a run's instructions on the packet path's thread.
 * Here the packet path only copies each call's values into a chunk (64
 * KiB; at most 32 of them wait: past that it waits for the report thread)
 * and the report thread makes the calls, in the order given: the
 * aggregates, so the report, are the same as fed directly.
 */
#ifndef FABMON_REPORT_QUEUE_H
#define FABMON_REPORT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "report/report_feed.h"

struct report_queue;

/* Feed r through a thread (r is the queue's until report_queue_finish).
 * Without a thread (none could be started) the calls are made at once.
 * NULL: out of memory (r is left as it was). */
struct report_queue *report_queue_start(struct rep *r);
/* Every call made, the thread joined and the queue freed: r, to write. */
struct rep *report_queue_finish(struct report_queue *q);

/* As report_feed_*, by way of the queue. */
void report_queue_record(struct report_queue *q, const char *event_type, const char *host,
			 const char *line, size_t len);
void report_queue_flow(struct report_queue *q, const struct report_flow *f);
void report_queue_flow_modbus(struct report_queue *q, const char *client, const char *server,
			      uint64_t requests, uint64_t exceptions);
void report_queue_flow_modbus_access(struct report_queue *q, const char *client,
				     const char *server, const char *access, uint64_t requests);
void report_queue_flow_hsms(struct report_queue *q, const char *src, const char *dst,
			    const char *what, uint64_t n, const char *start, const char *end);
void report_queue_hsms(struct report_queue *q, const char *src, const char *dst, const char *what,
		       const char *ts);
void report_queue_modbus_request(struct report_queue *q, const char *client, const char *server,
				 const char *function);

#endif
