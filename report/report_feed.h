/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The audit report's aggregates, fed record by record (issue 17 item 1).
 *
 * Two feeders give the same aggregates, so the same report.json:
 *  - `fabmon report DIR` reads DIR/eve.json (report_model.c);
 *  - an -r run feeds them as it writes eve.json (sensor/output/eve_feed.c):
 *    every record by its type and text, and the kinds a busy run writes by
 *    the thousand (flow, hsms, modbus) by their values, typed, so that the
 *    run does not parse its own JSON again. The report is then written
 *    from these aggregates at the end of the run; memory stays what the
 *    aggregates need (hosts, zone pairs, conduits, rules, assets), however
 *    large eve.json grows.
 * Strings are the record's values as written (times in EVE's form); the
 * feed copies what it keeps.
 */
#ifndef FABMON_REPORT_FEED_H
#define FABMON_REPORT_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rep;

/* A flow record's values that the report counts. */
struct report_flow {
	const char *start, *end;        /* flow.start, flow.end */
	const char *src_ip, *dest_ip;   /* NULL: none */
	const char *app_proto;
	uint64_t bytes;                 /* bytes_toserver + bytes_toclient */
	bool has_port;
	uint32_t dest_port;
	bool has_policy;                /* the record has a policy object: */
	const char *verdict;            /* policy.verdict */
	const char *src_zone, *dest_zone; /* NULL: in no zone */
	const char *conduit, *violated_conduit;
	uint64_t alerts;                /* policy.alerts */
};

/* Aggregates of the run whose output directory is dir (eve.json in it),
 * fed by the run: NULL when out of memory. */
struct rep *report_feed_new(const char *dir);
void report_feed_free(struct rep *r);

/* Every record, in the order written: its event_type, the sensor's name
 * (its host member) and its text (one line, its newline included). The
 * kinds the report keeps whole or reads few of (run, policy, stats, alert,
 * asset, flow_attempts) are taken from the text; flow, hsms and modbus
 * records must be fed their values too, with the calls below. */
void report_feed_record(struct rep *r, const char *event_type, const char *host,
			const char *line, size_t len);
/* Does report_feed_record read the text of a record of this kind? Not for
 * the kinds fed by their values (flow, hsms, modbus) nor kinds the report
 * does not read: for those, line may be NULL (its length still counts). */
bool report_feed_wants_text(const char *event_type);

/* A flow record; then, for a Modbus connection, its summary (modbus
 * object: requests, exceptions, and requests_by_access one class at a
 * time); for an HSMS connection, each count of hsms.messages_without_record
 * (both directions). */
void report_feed_flow(struct rep *r, const struct report_flow *f);
void report_feed_flow_modbus(struct rep *r, const char *client, const char *server,
			     uint64_t requests, uint64_t exceptions);
void report_feed_flow_modbus_access(struct rep *r, const char *client, const char *server,
				    const char *access, uint64_t requests);
void report_feed_flow_hsms(struct rep *r, const char *src, const char *dst, const char *what,
			   uint64_t n, const char *start, const char *end);

/* An hsms record: what is hsms.sf, or hsms.stype for a control message. */
void report_feed_hsms(struct rep *r, const char *src, const char *dst, const char *what,
		      const char *ts);
/* A modbus record with a request: the request's function_name. */
void report_feed_modbus_request(struct rep *r, const char *client, const char *server,
				const char *function);

/* The report files into outdir (NULL: the run's directory) from what was
 * fed, report.html in lang ("en" or "ja"; NULL: English). 0, or -1 with err
 * saying why. */
int report_feed_write(struct rep *r, const char *outdir, const char *lang, char *err,
		      size_t errlen);

#endif
