/* SPDX-License-Identifier: BSD-2-Clause */
/* What the rule engine's files share (rules/engine*.c): its state, one
 * flow end as the rules see it, and the helpers that resolve ends and
 * build alerts. Not for use outside rules/. */
#ifndef FABMON_RULES_ENGINE_INTERNAL_H
#define FABMON_RULES_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/engine.h"

struct hsms_message;
struct modbus_pdu;

/* What the engine learns about one address. */
struct rhost {
	struct ip_addr ip;            /* family 0: free slot */
	uint32_t inferred;            /* role bits from behaviour */
	uint8_t alerted;              /* bit per inventory rule already raised ... */
	uint32_t alerted_gen;         /* ... under this policy generation */
	bool has_hsms_host, has_modbus_client;
	struct ip_addr hsms_host;     /* designated HSMS host of this equipment */
	struct ip_addr modbus_client; /* designated client of this Modbus server */
};

#define MAC_MAX_IPS 3                 /* more source addresses: a router */
struct rmac {
	uint8_t mac[6];
	bool used, alerted, router;
	uint8_t nips;
	struct ip_addr ip[MAC_MAX_IPS];
	int16_t zone[MAC_MAX_IPS];
};

struct rules {
	struct policy *pol;
	struct rule_setting set[R_COUNT];
	uint32_t gen;
	struct rules_config cfg;
	struct alert_agg *agg;
	struct rhost *hosts;
	uint32_t hmask;               /* table size - 1 */
	uint32_t nhosts;
	struct rmac *macs;
	uint32_t mmask;
	struct rules_stats st;
	struct alert a;               /* being built */
};

struct ep {
	const struct ip_addr *ip;
	int host;                     /* policy host, -1 */
	uint32_t roles;
	bool inferred;
	int zone;                     /* -1 */
	struct rhost *h;
};

/* The learned-host entry of one end of a flow (engine.c). */
struct rhost *rl_flow_host(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			   int i);
/* The learned MAC entry (engine.c); NULL if the table is full. */
struct rmac *rl_mac_get(struct rules *r, const uint8_t *mac);
/* Both ends of a flow (ep[0] its source): policy host, roles (listed or
 * inferred), zone. */
void rl_resolve_ends(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     struct ep ep[2]);
/* Is the sender trusted by rule `rule` toward the equipment/server whose
 * designated host (infer_roles) is `designated`? */
bool rl_trusted(struct rules *r, enum rule_id rule, const struct ep *sender,
		const struct ip_addr *designated);
/* A flow's rule state reset when the policy generation changed. */
void rl_ensure_resolved(struct rules *r, struct rules_flow *rf);

/* Alert building: begin() fills the common part, reason() the text,
 * raise_alert() hands it to aggregation keyed by rule, ends and msgkey. */
struct alert *rl_begin(struct rules *r, enum rule_id rule, const struct rules_flow_view *v,
		       const struct ep ep[2], int64_t sec, uint32_t usec);
void rl_reason(struct alert *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rl_raise_alert(struct rules *r, struct alert *a, uint64_t msgkey);
/* "ip 'name' (zone z, roles …)" for reasons */
const char *rl_who(const struct ep *e, char *buf, size_t len, const struct policy *p);

/* The rule families (engine_flow.c has rules_flow_check itself). */
void rl_inventory_context(struct alert *a);
void rl_inventory_host(struct rules *r, const struct rules_flow_view *v, const struct ep ep[2],
		       int i, int64_t sec, uint32_t usec);
void rl_identity_check(struct rules *r, const struct rules_flow_view *v, int eq_i,
		       const char *model, const char *softrev, const char *prev, bool changed,
		       int64_t sec, uint32_t usec);
void rl_hsms_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		   const struct hsms_message *m, int64_t sec, uint32_t usec);
void rl_modbus_event(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     const struct modbus_pdu *pd, int64_t sec, uint32_t usec);

#endif
