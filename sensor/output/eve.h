/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EVE JSON output (Suricata's format, one JSON object per line in
 * DIR/eve.json). Every record starts with the common header:
 *   timestamp, flow_id, community_id, event_type, src_ip, src_port,
 *   dest_ip, dest_port, proto, app_proto, vlan, pcap_filename | in_iface, host
 * then one object named after event_type ("flow", "stats", "anomaly", ...).
 * src is the flow's client (initiator), dest its server, whatever the
 * direction of the packet that caused the record.
 */
#ifndef FABMON_EVE_H
#define FABMON_EVE_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/flow/flow.h"
#include "util/json.h"
#include "sensor/output/outfile.h"

struct ndpi_classifier;
struct report_queue;
struct eve;

/* The record that must come first in eve.json when it cannot be built
 * yet: the run record waits for the inputs' SHA-256, which a thread of its
 * own computes while the packets are read (issue 17). The records written
 * meanwhile are held in memory (eve_hold). */
struct eve_first {
	bool (*ready)(void *ctx);       /* build would not wait; cheap, any time */
	/* the record into b, its top object closed, e->rec_type set; may
	 * wait for what it needs */
	void (*build)(struct eve *e, struct jbuf *b, void *ctx);
	void *ctx;
};

struct eve {
	struct outfile out;
	bool open;
	struct jbuf jb;
	const char *sensor_name;
	struct ndpi_classifier *ndpi;   /* for category names */
	const char *const *source_names; /* by flow->source */
	bool live;
	const struct policy *policy;    /* the policy in force, for zone names; NULL: no rules */
	/* the run's audit report, fed every record written (eve_feed.h)
	 * through its thread (report_queue.h); NULL: not built during the run */
	struct report_queue *report;
	struct eve_feed_cache {         /* the last addresses fed, as text */
		bool valid;
		struct ip_addr c, s;
		char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	} feed_cache;
	const char *rec_type;           /* event_type of the record being built */
	char rec_time[40];              /* and its timestamp (eve_header's) */
	bool holding;                   /* records wait for first */
	struct eve_first first;
};

/* As Suricata writes times (microseconds, offset without a colon, see
 * rfc3339.h): 2026-03-02T08:00:01.000123+0000 */
void eve_format_time(int64_t sec, uint32_t usec, char out[40]);

/* Common header of a flow-bound record; leaves the top object open. */
void eve_header(struct eve *e, struct jbuf *b, int64_t sec, uint32_t usec, struct flow *f,
		const char *event_type);

/* Finish a record started with eve_header (closes it and queues the line).
 * True if it was queued (then the report, if any, has been fed it). */
bool eve_commit(struct eve *e, struct jbuf *b);

/* Queue a record built whole (its top object closed, e->rec_type set). */
bool eve_put(struct eve *e, struct jbuf *b);

/* Hold the records in memory until first is ready (checked as each record
 * is queued) or they fill half the output backlog (then it is waited
 * for); first's record then goes before them, to eve.json and the report. */
void eve_hold(struct eve *e, struct eve_first first);
/* Now: first's record built (waiting for it) and the held records freed
 * to go. Nothing when not holding. */
void eve_release(struct eve *e);

/* Write what is queued; say so (once) when the disk starts or stops
 * refusing. */
void eve_flush(struct eve *e);
void eve_report(struct eve *e, enum outfile_event ev);

const char *eve_proto_name(uint8_t proto, char buf[8]);

/* Records of a flow of this IP protocol have src_port and dest_port. */
static inline bool eve_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

#endif
