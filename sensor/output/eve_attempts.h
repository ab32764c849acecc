/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The EVE `flow_attempts` record (issue 16): half-open TCP flows
 * (flow_half_open(): a SYN never answered-and-acknowledged, no payload)
 * summarised per interval instead of a `flow` record each, so that a flood
 * of a million spoofed SYNs writes a few records, not a million. One
 * record per interval that had attempts, and one at the end of the run
 * ("final": true): totals, counts per zone pair and policy verdict (the
 * audit report's zone x zone matrix reads them), and the top sources and
 * destinations with their zone, flows and distinct ports.
 *
 * Bounded memory: the zone-pair table and the two host tables have fixed
 * capacity; hosts are counted with space-saving (a new host replaces the
 * smallest and inherits its count, noted as its possible overcount), so
 * any host with more than 1/HOSTS of the interval's attempts is listed.
 */
#ifndef FABMON_EVE_ATTEMPTS_H
#define FABMON_EVE_ATTEMPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/flow/flow.h"
#include "sensor/output/eve.h"

#define ATTEMPTS_PAIRS 64
#define ATTEMPTS_HOSTS 64
#define ATTEMPTS_TOP 10
#define ATTEMPTS_PORT_BITS 1024

struct attempts_pair {
	char zone[2][64];             /* "" none */
	uint8_t verdict;              /* enum rules_verdict */
	char conduit[64];             /* the allowing conduit, or the violated one */
	bool violated;
	uint64_t flows;
};

struct attempts_host {
	struct ip_addr ip;
	char zone[64];
	uint64_t flows, overcount;
	uint64_t ports[ATTEMPTS_PORT_BITS / 64]; /* dest ports, hashed: linear counting */
};

struct eve_attempts {
	bool flows_recorded;          /* --flow-records all: each also has its flow record */
	bool open;
	int64_t start, now;           /* capture seconds: the interval's clock */
	int64_t first, last;          /* the attempts' times (last packets) in it */
	uint64_t flows, refused, unanswered, pkts;
	struct attempts_pair pairs[ATTEMPTS_PAIRS];
	unsigned npairs;
	uint64_t pairs_other;         /* flows of pairs beyond the table */
	struct attempts_host hosts[2][ATTEMPTS_HOSTS]; /* sources, destinations */
	unsigned nhosts[2];
	uint64_t replaced[2];
};

/* A half-open flow ended (f->rules: its verdict, if the rules run). */
void eve_attempts_add(struct eve_attempts *a, struct eve *e, const struct flow *f);
/* Capture time moved on: the interval's record once it has ended. */
void eve_attempts_tick(struct eve_attempts *a, struct eve *e, int64_t sec);
/* End of run: the last record ("final"). */
void eve_attempts_finish(struct eve_attempts *a, struct eve *e);

#endif
