/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Alerts: what a rule hit carries (self-contained: it may be written after
 * its flow is gone), and the aggregation/rate limit between the engine and
 * the outputs.
 *
 * Aggregation: the first hit of a key (rule, source, destination, message)
 * is written at once with count 1; further hits of the same key within the
 * window (capture time) are counted, and when the window closes one more
 * record (repeat: true) carries their count and first/last time, and the
 * last hit's flow, reason and protocol detail, and the evidence of its hits
 * (struct alert_mark, noted when each hit happened). The sum of
 * `count` over all records of a key is the number of hits.
 * Rate limit: at most `rate` new keys per rule and source address per
 * minute are written, and at most 10 x `rate` per rule from each class of
 * source (half-open flows; else the Purdue area of the source's zone, or
 * none, and whether the policy names the host or its role is known); the
 * hits beyond are counted as suppressed (stats, and `suppressed_before` on
 * the rule's next record). Per source, so that one noisy host does not hide
 * another host's alert of the same rule (a critical one among them); per
 * class, so that a flood from many addresses (the internet, or unknown
 * addresses of a zone) does not hide the fab's own hosts' alerts.
 */
#ifndef FABMON_RULES_ALERT_H
#define FABMON_RULES_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/netaddr.h"
#include "rules/catalog.h"
#include "zones/policy.h"

#define ALERT_REASON_LEN 320
#define ALERT_SML_LEN 384
#define ALERT_MODBUS_ADU 260 /* MODBUS_MAX_ADU */

struct alert_endpoint {
	struct ip_addr ip;
	uint16_t port;
	bool has_zone;
	char zone[POLICY_NAME_LEN];
	enum zone_area area;
	int purdue_x10;
	char host[POLICY_NAME_LEN];   /* "" if not in the policy */
	uint32_t roles;
	bool roles_inferred;          /* from behaviour, not the policy */
	bool has_mac;
	uint8_t mac[6];
};

/* The sensor's note of where a hit's packets were kept (its evidence pcap,
 * or why there is none), opaque to rules/: the aggregation keeps the note
 * of a window's hits so that the repeat record, written when the window
 * closes (its flows may be gone), names their evidence too. */
struct alert_mark {
	uint64_t v[2];
};

enum alert_context { ACTX_NONE, ACTX_HSMS, ACTX_MODBUS, ACTX_ANOMALY, ACTX_INVENTORY, ACTX_SCAN };

struct alert_hsms {
	uint8_t stream, function;
	bool wbit;
	char name[48];
	char category[24];
	char direction[4];            /* "H>E" / "E>H" */
	uint16_t session_id;
	uint32_t system;
	char sml[ALERT_SML_LEN];      /* excerpt */
	bool sml_truncated;
	char rcmd[64];
	char ppid[128];
};

struct alert_modbus {
	uint8_t function;
	char function_name[40];
	char access[16];
	uint8_t unit_id;
	bool has_address;
	uint16_t address, quantity;
	/* the request as sent, for its record in Suricata's layout */
	uint64_t tx_id;
	uint16_t adu_len;
	uint8_t adu[ALERT_MODBUS_ADU];
};

struct alert_anomaly {
	char name[48];
	char detail[200];
	char layer[16];
};

struct alert_inventory {
	char model[POLICY_ID_LEN], softrev[POLICY_ID_LEN];
	char expected_model[POLICY_ID_LEN], expected_softrev[POLICY_ID_LEN];
	char previous_softrev[POLICY_ID_LEN];
	char other_zone[POLICY_NAME_LEN];  /* one MAC in two zones */
	struct ip_addr other_ip;
};

/* A scan or flood (rules/engine_scan.c): what one interval counted. */
#define ALERT_SCAN_TOP 5
#define ALERT_SCAN_FOLDED 4
struct alert_scan {
	int64_t interval_start, interval_end;   /* seconds */
	uint64_t flows;               /* half-open flows (and probes) counted */
	uint64_t distinct;            /* sources (flood), ports (port scan), hosts (sweep) */
	bool distinct_estimated;      /* from a bitmap estimate, not exact */
	uint32_t threshold;
	uint64_t folded;              /* flows covered: no alert of their own */
	struct { char rule[24]; char src_zone[POLICY_NAME_LEN]; uint64_t n; }
		folded_by[ALERT_SCAN_FOLDED]; /* the rules they would have hit, by source zone */
	uint8_t nfolded_by;
	uint64_t table_evictions;     /* entries of the detector's tables evicted this interval */
	struct { struct ip_addr ip; uint16_t port; uint64_t n; } top[ALERT_SCAN_TOP];
	uint8_t ntop;                 /* top sources (flood, sweep: top hosts), or ports */
};

struct alert {
	const struct rule_def *def;
	uint8_t severity;
	/* the flow (flow_id 0: none) */
	uint64_t flow_id;
	char community_id[64];
	uint8_t proto;
	char app[64];
	uint16_t vlan;
	uint16_t source;              /* the sensor's capture source index */
	bool half_open;               /* raised on a half-open flow: counts to the rule's
				       * ceiling of such flows, not to that of connections */
	void *sensor_flow;            /* the sensor's flow it was raised on (its view's);
				       * NULL without a flow and on repeat records, which
				       * are written when the flow may have ended */
	struct alert_mark mark;       /* the evidence of this record's hits (the mark hook's) */
	struct alert_endpoint src, dst;   /* flow client, flow server */
	char conduit[POLICY_NAME_LEN];    /* the conduit involved, "" if none */
	char reason[ALERT_REASON_LEN];
	/* time of this record's hits */
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	uint64_t count;
	bool repeat;                  /* aggregated repeats of an earlier record */
	uint64_t suppressed_before;   /* hits of this rule rate-limited since its last record */
	/* FAB-BL-001/002 (engine_baseline.c): when the baseline was taken and
	 * what was new, "; "-separated; "" for every other rule */
	char baseline_taken[160];     /* as policy_baseline.taken */
	char baseline_new[400];       /* as engine_baseline.c writes it */
	enum alert_context ctx;
	union {
		struct alert_hsms hsms;
		struct alert_modbus modbus;
		struct alert_anomaly anomaly;
		struct alert_inventory inv;
		struct alert_scan scan;
	} u;
};

typedef void (*alert_sink_fn)(void *ctx, const struct alert *a);
/* Called with the sink's ctx for every hit that is written or folded into
 * a window, while its flow is there (hit->sensor_flow), before any record
 * of it: returns the mark of the hit (repeat: folded into a window, its
 * record comes when the window closes). */
typedef struct alert_mark (*alert_mark_fn)(void *ctx, const struct alert *hit, bool repeat);

struct alert_stats {
	uint64_t hits;                /* rule hits */
	uint64_t records;             /* alert records handed to the outputs */
	uint64_t aggregated;          /* hits folded into a repeat record */
	uint64_t suppressed;          /* hits dropped by the rate limit */
	uint64_t by_rule[R_COUNT];    /* hits */
	uint64_t by_severity[5];      /* hits by the severity they were raised with (1..4) */
	uint64_t suppressed_by_rule[R_COUNT];
};

struct alert_agg;

struct alert_agg *alert_agg_create(uint32_t window_sec, uint32_t rate_per_min, uint32_t capacity,
				   alert_sink_fn sink, void *ctx);
void alert_agg_destroy(struct alert_agg *g);
/* The hook that marks each hit's evidence (NULL: none; marks stay zero). */
void alert_agg_set_mark(struct alert_agg *g, alert_mark_fn mark);
void alert_agg_configure(struct alert_agg *g, uint32_t window_sec, uint32_t rate_per_min);
/* A rule hit at a->first_sec/usec. key identifies "the same alert". */
void alert_agg_raise(struct alert_agg *g, const struct alert *a, uint64_t key);
/* Capture time moved on: close windows that ended. */
void alert_agg_tick(struct alert_agg *g, int64_t sec);
/* Close every window (end of run, shutdown). */
void alert_agg_flush(struct alert_agg *g);
const struct alert_stats *alert_agg_stats(const struct alert_agg *g);

/* 64-bit FNV-1a, for keys. */
uint64_t alert_key_mix(uint64_t h, const void *data, size_t len);

#endif
