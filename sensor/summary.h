/* SPDX-License-Identifier: BSD-2-Clause */
/* The short human summary of a run (stdout without -o, a line with -o). */
#ifndef FABMON_SUMMARY_H
#define FABMON_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rules/alert.h"
#include "sensor/event_sink.h"
#include "sensor/flow/flow.h"

#define SUMMARY_MAX_APPS 128

struct summary_app {
	char name[64];
	uint64_t flows, pkts, bytes;
};

/* The alerts of one rule: what a reader without eve.json needs first. */
struct summary_rule {
	uint64_t records, hits;     /* hits: the sum of count, repeats included */
	uint8_t severity;           /* the most severe of its records */
	char example[IP_ADDR_STRLEN * 2 + 80]; /* the first record: "src -> dest:port (app)" */
};

struct summary {
	uint64_t flows_by_proto[4]; /* TCP, UDP, ICMP, other */
	struct summary_app apps[SUMMARY_MAX_APPS];
	int napps;
	uint64_t other_apps;        /* flows whose name did not fit the table */
	int64_t first_sec, last_sec;
	struct summary_rule rules[R_COUNT];
	uint64_t hits_by_severity[5];   /* 1 critical .. 4 low */
};

void summary_flow(struct summary *s, const struct flow *f, const char *app);
/* The summary as an event sink: counts each flow when it ends. */
struct event_sink summary_event_sink(struct summary *s);
/* Every alert record, as it is written. */
void summary_alert(struct summary *s, const struct alert *a);

/* What the summary reports of the packet path besides what it counted. */
struct summary_counts {
	uint64_t packets, bytes;
	uint64_t flows, evicted;        /* flows created; evicted from a full table */
	uint64_t not_ip, truncated, invalid, payload_truncated;
	uint64_t fragments, reassembled;    /* IP fragments; datagrams made of them */
	uint64_t kernel_received, kernel_dropped, iface_dropped;
	bool alerts;                    /* rules were checked: list the alerts */
};

void summary_print(FILE *out, const struct summary *s, const struct summary_counts *c,
		   const char *what);

#endif
