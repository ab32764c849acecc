/* SPDX-License-Identifier: BSD-2-Clause */
/* What the rule engine learns about addresses and MACs: two bounded
 * open-addressing tables that belong to one engine (struct rules), never
 * to the process. Entries never move, so a flow may keep the slot of its
 * ends (struct rules_flow's slot[]). */
#ifndef FABMON_RULES_ENGINE_HOSTS_H
#define FABMON_RULES_ENGINE_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/netaddr.h"

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

struct engine_hosts {
	struct rhost *hosts;
	uint32_t hmask;               /* table size - 1 */
	uint32_t nhosts, max_hosts;
	uint64_t dropped;             /* addresses not learned: the table was full */
	struct rmac *macs;
	uint32_t mmask;
};

/* Room for max_hosts addresses (and as many MACs). -1: out of memory
 * (what was allocated is still freed by engine_hosts_free). */
int engine_hosts_init(struct engine_hosts *t, uint32_t max_hosts);
void engine_hosts_free(struct engine_hosts *t);
/* The entry of ip; with create, a new one unless the table is full (NULL). */
struct rhost *engine_host_get(struct engine_hosts *t, const struct ip_addr *ip, bool create);
/* An entry's slot, +1 (0 means none), and back. */
uint32_t engine_host_slot(const struct engine_hosts *t, const struct rhost *h);
struct rhost *engine_host_at(struct engine_hosts *t, uint32_t slot);
/* The entry of a MAC, created if new; NULL if the table is full. */
struct rmac *engine_mac_get(struct engine_hosts *t, const uint8_t *mac);
/* Forget every MAC (their zone indexes belong to a replaced policy). */
void engine_macs_forget(struct engine_hosts *t);

#endif
