/* SPDX-License-Identifier: BSD-2-Clause */
/* The short human summary of a run (stdout without -o, a line with -o). */
#ifndef FABMON_SUMMARY_H
#define FABMON_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "sensor/flow.h"

#define SUMMARY_MAX_APPS 128

struct summary_app {
	char name[64];
	uint64_t flows, pkts, bytes;
};

struct summary {
	uint64_t flows_by_proto[4]; /* TCP, UDP, ICMP, other */
	struct summary_app apps[SUMMARY_MAX_APPS];
	int napps;
	uint64_t other_apps;        /* flows whose name did not fit the table */
	int64_t first_sec, last_sec;
};

void summary_flow(struct summary *s, const struct flow *f, const char *app);

struct pipeline;
void summary_print(FILE *out, const struct summary *s, const struct pipeline *pl,
		   const char *what);

#endif
