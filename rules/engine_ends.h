/* SPDX-License-Identifier: BSD-2-Clause */
/* A flow's two ends as the rules see them: policy host, roles (listed or
 * inferred), zone and learned-host entry; and whether a sender is trusted. */
#ifndef FABMON_RULES_ENGINE_ENDS_H
#define FABMON_RULES_ENGINE_ENDS_H

#include <stdbool.h>

#include "rules/catalog.h"
#include "rules/engine_hosts.h"
#include "util/netaddr.h"

struct rules;
struct rules_flow;
struct rules_flow_view;

struct ep {
	const struct ip_addr *ip;
	int host;                     /* policy host, -1 */
	uint32_t roles;
	bool inferred;
	int zone;                     /* -1 */
	struct rhost *h;
};

/* The learned-host entry of end i of a flow (rf may be NULL); NULL if the
 * table is full. */
struct rhost *rl_flow_host(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			   int i);
/* The same for an end that exchanged HSMS or Modbus messages: the entry
 * has (or is raised to) the rank of the fab's hosts. */
struct rhost *rl_fab_host(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
			  int i);
/* Both ends of a flow (ep[0] its source). */
void rl_resolve_ends(struct rules *r, struct rules_flow *rf, const struct rules_flow_view *v,
		     struct ep ep[2]);
/* Is the sender trusted by rule `rule` toward the equipment/server whose
 * designated host (infer_roles) is `designated`? */
bool rl_trusted(struct rules *r, enum rule_id rule, const struct ep *sender,
		const struct ip_addr *designated);

#endif
