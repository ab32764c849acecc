/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The output directories a report is made of (issue 18 item 4): one for a
 * run's own report, several for the fab-wide report of several sensors
 * (`fabmon report DIR1 DIR2 ... -o OUT`, an auditor with each sensor's
 * output on a USB stick).
 *
 * Each directory is a source, named by its records' `host` member
 * (--sensor-name) or, without one, by the directory's last component.
 * Mirror ports overlap: the same connection may be seen by two sensors.
 * When several directories are merged, a flow record of a later source
 * whose Community ID an earlier source's flow has, at an overlapping time
 * (within SOURCES_SLACK_S, for sensors' clocks), is the same connection:
 * counted once in the matrix, the hosts and the conduits, and its sensor
 * listed beside the first's; the hsms, modbus and alert records of that
 * connection likewise. A sensor is never a duplicate of itself (two runs
 * of one sensor in two directories are compared as two sources, but a
 * connection seen twice by one sensor is two records of its own).
 */
#ifndef FABMON_REPORT_SOURCES_H
#define FABMON_REPORT_SOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/strmap.h"

/* How far apart two sensors' clocks may be for one connection. */
#define SOURCES_SLACK_S 2.0

struct rep_source {
	char *dir;
	char *name;                   /* the records' host, else dir's last component */
	bool named;                   /* name came from the records */
	char *eve;                    /* dir/eve.json */
	char sha256[65];              /* of eve.json as read ("" when fed by a run) */
	char *policy_sha256;          /* of the policy in force at its end */
	uint64_t bytes, lines, records, bad_lines;
	uint64_t flows, duplicate_flows, duplicate_records;
};

/* The sources of one report. */
struct rep_sources {
	struct rep_source *v;
	unsigned n;
	unsigned cur;                 /* the one being read */
	bool merging;                 /* several: look for connections seen twice */
	/* One eve.json of several sensors (the directory `fabmon collect`
	 * writes): each record's host is its source, and the flows were read
	 * first (rep_sources_prescan_flow): seen holds the flows that count. */
	bool by_host, prescanned;
	struct smap seen;             /* merging: community id -> its flows */
	uint64_t duplicate_flows, duplicate_records;
};

/* A new source, the one read from now on: the output directory dir with
 * its eve.json. false: out of memory. */
bool rep_sources_add(struct rep_sources *s, const char *dir, const char *eve);

/* The source being read; NULL before the first. */
struct rep_source *rep_sources_cur(struct rep_sources *s);

/* A record's host member (NULL: none): the first names the source; by
 * host, the source of that name becomes the current one (made if new).
 * false: out of memory. */
bool rep_sources_host(struct rep_sources *s, const char *host);

/* The name the current source's observations are listed under ("" if none). */
const char *rep_sources_name(const struct rep_sources *s);

/* A flow record of the current source with community id cid, from t0 to
 * t1: 1 when another source saw that connection then (the caller counts
 * it no more; the duplicate is counted in the source); otherwise 0, and
 * remembered while merging; -1 when out of memory. */
int rep_sources_flow_seen(struct rep_sources *s, const char *cid, const char *t0, const char *t1);

/* The first pass over a by-host eve.json: a flow record of the current
 * source, remembered as the one that counts unless another source's flow
 * of that connection (counted) overlaps it. -1: out of memory. */
int rep_sources_prescan_flow(struct rep_sources *s, const char *cid, const char *t0,
			     const char *t1);

/* Any other record of a connection (hsms, modbus, alert) at time t: true
 * when another source's flow of that connection covers t (counted). */
bool rep_sources_record_seen(struct rep_sources *s, const char *cid, const char *t);

/* The policy a source's run had in force (its sha256), as records say.
 * false: out of memory. */
bool rep_sources_policy(struct rep_sources *s, const char *sha256);

/* report.json's "sensors": one object per source (NULL: out of memory). */
json_t *rep_sources_json(const struct rep_sources *s);

/* The report's notes on a merge (duplicates found, sources whose policies
 * differ), appended to notes. */
void rep_sources_notes(const struct rep_sources *s, json_t *notes);

void rep_sources_free(struct rep_sources *s);

#endif
