/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The conduit/policy engine: checks every flow and every HSMS/Modbus
 * message against the zone/conduit policy and the built-in rules
 * (rules/catalog.c) and raises alerts (rules/alert.c).
 *
 * The sensor tells it about a flow through a read-only view and keeps a
 * small per-flow state (struct rules_flow) for it; the engine keeps what it
 * learns about hosts (inferred roles, the designated HSMS host of each
 * equipment and Modbus client of each server, MACs) in bounded tables.
 */
#ifndef FABMON_RULES_ENGINE_H
#define FABMON_RULES_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "rules/alert.h"
#include "rules/catalog.h"
#include "zones/policy.h"

struct ndpi_summary;
struct exposure;

/* What an RDP server chose in its Connection Confirm (dissectors/rdp.h). */
enum rdp_security {
	RDP_SECURITY_UNSEEN = 0,
	RDP_SECURITY_NLA,             /* CredSSP */
	RDP_SECURITY_NO_NLA,          /* TLS alone, or RDP's own standard security */
};

/* A flow as the sensor shows it; [0] is the client, [1] the server. */
struct rules_flow_view {
	uint64_t flow_id;
	const char *community_id;
	struct ip_addr addr[2];
	uint16_t port[2];
	const uint8_t *mac[2];        /* NULL if unknown */
	uint8_t proto;
	uint16_t vlan;
	uint16_t source;
	const char *app;              /* app_proto as reported: "hsms", nDPI's name, ... */
	bool half_open;               /* a TCP attempt that never became a connection
				       * (flow_half_open() in sensor/flow/flow.h) */
	void *sensor_flow;            /* the sensor's flow, opaque here: handed back on the
				       * alerts raised on it (alert.sensor_flow) */
	bool answered;                /* the server accepted it: TCP handshake answered or data
				       * from the server; UDP: the server replied */
	const struct ndpi_summary *ndpi; /* nDPI's verdict so far (risks, TLS); NULL none */
	int64_t first_sec;            /* the flow's first packet */
	uint32_t first_usec;
	/* what SMB said of the software (sensor/smb_seen.h), at the flow's
	 * end: [0] the client's, [1] the server's; NULL none */
	const char *smb_native_os[2], *smb_native_lanman[2];
	uint16_t smb_dialect;         /* the SMB2 dialect the server chose; 0 none */
	uint8_t rdp_security;         /* enum rdp_security: what an RDP server chose */
};

/* Per-flow state, zeroed by the sensor when the flow starts. */
struct rules_flow {
	uint32_t gen;                 /* policy generation it was resolved for */
	uint8_t checked;              /* flow rules done */
	uint8_t inter_zone;
	int16_t conduit;              /* allowing conduit, -1 none */
	uint16_t violated_conduit;    /* a conduit between the zones that does not allow it, +1; 0 none */
	uint8_t verdict;              /* enum rules_verdict */
	uint8_t exposed;              /* its service in the server's exposure entry +1
				       * (rules/exposure.h); 0 not counted */
	uint32_t allow_mask;          /* its allow entries that matched */
	uint32_t slot[2];             /* learned-host entries of client, server (+1; 0 unknown) */
	int16_t zone[2];              /* zones of client and server, -1 none */
	int32_t baseline;             /* its policy baseline entry +1; -1 none; 0 not looked up */
	uint32_t baseline_gen;        /* the policy generation it was looked up for */
};

/* What the zone/conduit policy says of a flow (its record's "policy"). */
enum rules_verdict {
	RV_UNCHECKED = 0,
	RV_UNZONED,                   /* an end is in no zone */
	RV_INTRA_ZONE,                /* both ends in one zone */
	RV_ALLOWED,                   /* between zones, through a conduit */
	RV_VIOLATION,                 /* between zones, no conduit allows it */
};
const char *rules_verdict_name(enum rules_verdict v);

struct rules_config {
	uint32_t max_hosts;           /* learned-host table */
	uint32_t agg_capacity;        /* open aggregation windows */
	uint32_t window_override;     /* if non-zero: replaces the policy's */
	uint32_t rate_override;
	alert_mark_fn mark;           /* optional: notes each hit's evidence (sink_ctx) */
};

struct rules_stats {
	uint64_t flows_checked;
	uint64_t hsms_checked, modbus_checked;
	uint64_t hosts, hosts_dropped;    /* learned-host table */
	uint64_t hosts_refused_rank;      /* plain hosts refused: the rest is the fab's (engine_hosts.h) */
	uint64_t hosts_half_open_lookups; /* half-open flows' ends looked up, not learned */
	uint64_t macs_dropped;            /* MACs not learned: the table was full */
	uint64_t reloads, reload_failures;
};

struct rules;

/* The engine takes ownership of pol (NULL: the built-in default). NULL on
 * error (err filled: an unknown rule id in the policy, out of memory). */
struct rules *rules_create(struct policy *pol, const struct rules_config *cfg, alert_sink_fn sink,
			   void *sink_ctx, struct policy_error *err);
void rules_destroy(struct rules *r);
/* Replace the policy (SIGHUP). On error the old one stays and err says why. */
int rules_set_policy(struct rules *r, struct policy *pol, struct policy_error *err);
const struct policy *rules_policy(const struct rules *r);
/* Changes with every policy: flows checked under an older one are checked again. */
uint32_t rules_generation(const struct rules *r);

/* The flow's application is known (or the flow ends unclassified). */
void rules_flow_check(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      int64_t sec, uint32_t usec);
/* SYN backlog (FAB-SCAN-001, rules/engine_scan.c): a TCP flow opened
 * with a bare SYN from v->addr[0] to v->addr[1] (delta +1), or that attempt
 * stopped being one: answered and acknowledged, payload, or the flow ended
 * (delta -1). For +1, true if the rules counted it (syn_flood on, the
 * destination in a watched zone, or in no zone yet while roles are
 * inferred): then, and only then, the caller owes exactly one -1. The
 * flows checked while a destination's backlog is at the threshold are
 * folded into its flood alert, the flood's first ones included. */
bool rules_scan_attempt(struct rules *r, const struct rules_flow_view *v, int delta);
/* The kinds of dissector event a rule looks at: a caller may skip the
 * others (a Modbus transaction record, a session summary) without building
 * the flow's view, which is most of an event's cost on a polling network. */
static inline bool rules_event_wanted(enum app_event_kind kind)
{
	return kind == APP_EVENT_HSMS || kind == APP_EVENT_MODBUS || kind == APP_EVENT_ANOMALY ||
	       kind == APP_EVENT_HSMS_ASSET || kind == APP_EVENT_MODBUS_ASSET;
}
/* A dissector event on the flow (rules_event_wanted() says which matter). */
void rules_app_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct app_event *ev, int64_t sec, uint32_t usec);
/* The flow ends: its server's exposure learns of it if it had not yet
 * (a UDP reply, data after the check) and when it was last seen. */
void rules_flow_ended(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		      int64_t sec, uint32_t usec);
/* What each fab host offered (rules/exposure.h), for the records at the
 * end of the run. */
const struct exposure *rules_exposure(const struct rules *r);
/* Capture time moved on. */
void rules_tick(struct rules *r, int64_t sec);
/* End of run: close aggregation windows. */
void rules_finish(struct rules *r);

const struct rules_stats *rules_stats(const struct rules *r);
const struct alert_stats *rules_alert_stats(const struct rules *r);

#endif
