/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The contract between the sensor and fabmon's own application dissectors
 * (HSMS/SECS-II, Modbus/TCP, ...), after Suricata's AppLayerParser.
 *
 * The sensor owns flows, TCP reassembly and all I/O. For a TCP flow it offers
 * the first reassembled bytes of each direction to every registered
 * dissector's probe(); the first to answer PROBE_MATCH claims the flow, its
 * name becomes the flow's app_proto, and from then on every reassembled byte
 * goes to its parse(), in order, per direction.
 *
 * parse() works directly on the bytes it is given and returns how many it
 * consumed. If a message is incomplete it returns fewer and says how many
 * bytes in total it needs (`need`); the sensor keeps the unconsumed tail in a
 * bounded per-direction buffer and calls again once that much is there. A
 * dissector may also ask to skip bytes unseen (`skip`, e.g. the body of an
 * oversized message it refuses to buffer). Gaps in the stream (capture loss)
 * are announced with gap(): the dissector must resynchronise.
 *
 * Dissectors never allocate (a flow's state may grow, once per need, through
 * ctx->alloc, under the sensor's memory cap), never log, and never read
 * outside the bytes they are given. They report what they see as typed
 * events through ctx->emit().
 */
#ifndef FABMON_DISSECTOR_H
#define FABMON_DISSECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

/* probe() is offered at most this many bytes of a direction; a probe that
 * is still undecided (PROBE_NEED_MORE) then gets no more. */
#define DISSECT_PROBE_MAX 256

enum probe_result {
	PROBE_NO = 0,     /* not this protocol */
	PROBE_MATCH,      /* this protocol */
	PROBE_NEED_MORE,  /* cannot tell yet: offer more bytes */
};

enum parse_status {
	PARSE_OK = 0,     /* consumed what it could; `need` says what it waits for */
	PARSE_ERROR,      /* cannot continue on this flow: stop dissecting it */
};

struct parse_result {
	enum parse_status status;
	size_t consumed;  /* bytes of this call's input used up */
	size_t need;      /* if > 0: total bytes wanted before the next call */
	uint64_t skip;    /* bytes after `consumed` to drop without parsing */
};

/* What a dissector may know of the flow it parses. Read-only. */
struct dissect_flow {
	uint64_t flow_id;
	const char *community_id;
	struct ip_addr client, server;
	uint16_t client_port, server_port;
	uint16_t vlan;     /* outer VLAN id, 0 if untagged */
	uint8_t proto;
	bool midstream;    /* the capture began after the connection did */
};

/* Event kinds; the body type depends on the kind. */
enum app_event_kind {
	APP_EVENT_ANOMALY,       /* body: struct app_anomaly */
	APP_EVENT_HSMS,          /* body: struct hsms_message (hsms.h) */
	APP_EVENT_HSMS_ASSET,    /* body: struct hsms_asset_event */
	APP_EVENT_HSMS_SESSION,  /* body: struct hsms_session_summary, at flow end */
	APP_EVENT_MODBUS,        /* body: struct modbus_pdu (modbus.h), each PDU as it arrives */
	APP_EVENT_MODBUS_ASSET,  /* body: struct modbus_asset_event */
	APP_EVENT_MODBUS_SESSION,/* body: struct modbus_session_summary, at flow end */
	APP_EVENT_MODBUS_TX,     /* body: struct modbus_tx, when answered or given up */
	APP_EVENT_KIND_COUNT
};

struct app_anomaly {
	const char *name;     /* stable, e.g. "HSMS_LENGTH_TOO_LARGE" */
	const char *detail;   /* short human text, may be NULL */
	const char *layer;    /* the dissector's name */
};

struct app_event {
	enum app_event_kind kind;
	int dir;              /* 0 client->server, 1 server->client */
	const void *body;
};

struct dissect_ctx {
	const struct dissect_flow *flow;  /* NULL in global_finish */
	int64_t ts_sec;       /* capture time of the bytes being parsed */
	uint32_t ts_usec;
	void *global;         /* the dissector's global state (global_create) */
	void (*emit)(struct dissect_ctx *ctx, const struct app_event *ev);
	/* Called before the dissector changes (or reads what changes in) its
	 * global state: the sensor's workers share one, and this waits for the
	 * packet's turn (sensor/worker.h). NULL: nothing to wait for. Reading
	 * the configuration in the global state needs no call. */
	void (*shared)(struct dissect_ctx *ctx);
	/* Per-flow memory beyond state_size, for what few flows need (a table
	 * of open transactions past its first few entries): n zeroed bytes,
	 * counted under the sensor's memory cap, or NULL when the cap is
	 * reached (or there is no hook): the dissector does without. Taken
	 * once per flow and need, never per packet; each block is handed back
	 * with release() in finish() at the latest. */
	void *(*alloc)(struct dissect_ctx *ctx, size_t n);
	void (*release)(struct dissect_ctx *ctx, void *p, size_t n);
	void *sink;           /* the sensor's, opaque here */
};

/* The global state, to change it (see shared above). */
static inline void *dissect_global(struct dissect_ctx *ctx)
{
	if (ctx->shared)
		ctx->shared(ctx);
	return ctx->global;
}

/* More per-flow memory (see alloc above); NULL: do without. */
static inline void *dissect_alloc(struct dissect_ctx *ctx, size_t n)
{
	return ctx->alloc ? ctx->alloc(ctx, n) : NULL;
}

static inline void dissect_release(struct dissect_ctx *ctx, void *p, size_t n)
{
	if (p && ctx->release)
		ctx->release(ctx, p, n);
}

struct dissector {
	const char *name;     /* app_proto value, lowercase */
	size_t state_size;    /* per-flow state, zeroed by the sensor */
	size_t max_buffer;    /* cap on bytes buffered per direction */
	/* Port hint: probe() is tried on every flow, `default_ports` only orders
	 * the tries and lets probe() be less strict there. */
	const uint16_t *default_ports;
	enum probe_result (*probe)(const struct dissect_flow *flow, int dir,
				   const uint8_t *data, size_t len, bool on_default_port);
	void (*init)(void *state);
	struct parse_result (*parse)(void *state, struct dissect_ctx *ctx, int dir,
				     const uint8_t *data, size_t len);
	void (*gap)(void *state, struct dissect_ctx *ctx, int dir, uint64_t missing);
	void (*finish)(void *state, struct dissect_ctx *ctx);  /* flow ended */
	/* State shared by all flows of this protocol (inventory, config). cfg is
	 * the dissector's own config struct, or NULL for defaults. */
	void *(*global_create)(const void *cfg);
	void (*global_destroy)(void *global);
	void (*global_finish)(void *global, struct dissect_ctx *ctx); /* end of run */
};

/* NULL-terminated list of registered dissectors, in probe order. */
extern const struct dissector *const dissector_registry[];

#endif
