/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Glue between TCP reassembly and fabmon's own dissectors: probing which
 * dissector claims a flow, the bounded per-direction buffer for messages
 * split across segments, gaps, and handing dissector events to the sinks
 * the pipeline registered (sensor/event_sink.h). See dissectors/dissector.h
 * for the contract.
 */
#ifndef FABMON_APPLAYER_H
#define FABMON_APPLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "sensor/event_sink.h"
#include "sensor/flow/flow.h"

#define APPLAYER_PROBE_MAX DISSECT_PROBE_MAX   /* bytes offered to probes before giving up */

struct applayer_stats {
	uint64_t claimed;           /* flows a dissector took */
	uint64_t events;            /* events emitted by dissectors */
	uint64_t anomalies;
	uint64_t parse_errors;      /* dissector gave up on a flow */
	uint64_t buffer_overflows;  /* a message larger than the dissector's buffer cap */
	uint64_t gaps;              /* gaps announced to dissectors */
	/* the dissectors' per-flow memory: state and buffers (applayer.memcap) */
	uint64_t memuse, mempeak;
	uint64_t memcap_hits;       /* flows not dissected (or no further), or refused more state, at the cap */
};

#define APPLAYER_MAX_PROTOS 8
#define APPLAYER_MAX_PORTS 16

/* One registered dissector as this run uses it. */
struct applayer_proto {
	const struct dissector *d;
	bool enabled;
	uint16_t ports[APPLAYER_MAX_PORTS + 1]; /* 0-terminated */
	size_t max_buffer;            /* per direction */
	const void *cfg;              /* given to global_create */
	void *global;
	bool borrowed;                /* global is another applayer's (applayer_share) */
};

struct applayer {
	struct applayer_proto protos[APPLAYER_MAX_PROTOS];
	int nprotos;
	struct applayer_stats st;
	uint64_t memcap;              /* bytes of per-flow state and buffers; 0: no cap */
	/* emptied stream buffers kept for the next split message (applayer.c),
	 * one list per power-of-two size, at most APPLAYER_POOL_BYTES */
	void *pool[8];
	uint64_t pool_bytes;
	struct event_sinks sinks;     /* every event goes to each, in order */
	/* called before a dissector touches its global state (worker.c); NULL: never */
	void (*enter_shared)(void *ctx);
	void *enter_ctx;
	/* what a dissector reported at the end of the flow being ended, for
	 * that flow's record; kind APP_EVENT_KIND_COUNT when nothing */
	enum app_event_kind session_kind;
	union {
		struct hsms_session_summary hsms;
		struct modbus_session_summary modbus;
	} session;
};

/* Take the dissectors of a registry, each enabled on its default ports. */
void applayer_init(struct applayer *al, const struct dissector *const *registry);
/* Configuration of one protocol by name, before applayer_start(). */
struct applayer_proto *applayer_proto(struct applayer *al, const char *name);
/* Create the dissectors' global state. 0, or -1 (out of memory). */
int applayer_start(struct applayer *al);
/* Or use owner's (started, outliving al): one inventory for all workers.
 * al neither finishes nor frees it. 0. */
int applayer_share(struct applayer *al, const struct applayer *owner);
/* End of run: dissectors report what they keep (e.g. the inventory). */
void applayer_finish(struct applayer *al, int64_t sec, uint32_t usec);
void applayer_destroy(struct applayer *al);

void applayer_data(struct applayer *al, struct flow *f, int dir, const uint8_t *data, size_t len,
		   int64_t sec, uint32_t usec);
void applayer_gap(struct applayer *al, struct flow *f, int dir, uint64_t missing, int64_t sec,
		  uint32_t usec);
/* Flow ends: let the dissector finish, free its state and buffers. */
void applayer_end(struct applayer *al, struct flow *f, int64_t sec, uint32_t usec);

#endif
