/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Glue between TCP reassembly and fabmon's own dissectors: probing which
 * dissector claims a flow, the bounded per-direction buffer for messages
 * split across segments, gaps, and turning dissector events into records.
 * See dissectors/dissector.h for the contract.
 */
#ifndef FABMON_APPLAYER_H
#define FABMON_APPLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "sensor/flow.h"

#define APPLAYER_PROBE_MAX 256   /* bytes offered to probes before giving up */

struct eve;

struct applayer_stats {
	uint64_t claimed;           /* flows a dissector took */
	uint64_t events;            /* events emitted by dissectors */
	uint64_t anomalies;
	uint64_t parse_errors;      /* dissector gave up on a flow */
	uint64_t buffer_overflows;  /* a message larger than the dissector's buffer cap */
	uint64_t gaps;              /* gaps announced to dissectors */
};

struct applayer {
	const struct dissector *const *registry;  /* NULL-terminated */
	struct eve *eve;
	struct applayer_stats st;
	/* optional observer of every event (tests, later: the rule engine) */
	void (*observer)(void *ctx, const struct flow *f, const struct app_event *ev);
	void *observer_ctx;
};

void applayer_init(struct applayer *al, const struct dissector *const *registry, struct eve *eve);

void applayer_data(struct applayer *al, struct flow *f, int dir, const uint8_t *data, size_t len,
		   int64_t sec, uint32_t usec);
void applayer_gap(struct applayer *al, struct flow *f, int dir, uint64_t missing, int64_t sec,
		  uint32_t usec);
/* Flow ends: let the dissector finish, free its state and buffers. */
void applayer_end(struct applayer *al, struct flow *f, int64_t sec, uint32_t usec);

#endif
