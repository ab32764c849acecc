/* SPDX-License-Identifier: BSD-2-Clause */
/* What the rule engine learns about addresses and MACs: two bounded
 * open-addressing tables that belong to one engine (struct rules), never
 * to the process. Entries never move and are never evicted, so a flow may
 * keep the slot of its ends (struct rules_flow's slot[]).
 *
 * A flood must not take the room of the fab's real hosts (issue 16 item
 * 2). Half-open flows (a SYN that never became a connection: spoofed
 * sources cost an attacker nothing) only look entries up, they create none
 * (engine_ends.c). Each entry has a rank: hosts that carried HSMS or Modbus
 * or that the policy names outrank hosts seen only in completed plain
 * connections, and the last quarter of the table is kept for them: a flood
 * of completed connections from many sources fills at most three quarters
 * and is refused from there (counted), while the equipment, its hosts, the
 * PLCs and their masters still find room. */
#ifndef FABMON_RULES_ENGINE_HOSTS_H
#define FABMON_RULES_ENGINE_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/netaddr.h"

/* The rank of an entry (and what a lookup asks for). */
enum host_rank {
	HOST_LOOKUP = 0,              /* find only: never create (half-open flows) */
	HOST_PLAIN,                   /* seen in a completed connection */
	HOST_FAB,                     /* carried HSMS/Modbus, or named in the policy */
};

/* What the engine learns about one address. */
struct rhost {
	struct ip_addr ip;
	uint8_t rank;                 /* enum host_rank: the highest it was asked for */
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
	bool alerted, router;
	uint8_t nips;
	struct ip_addr ip[MAC_MAX_IPS];
	int16_t zone[MAC_MAX_IPS];
};

/* Each table: entries in the order they were learned (never removed but
 * all MACs at once), found through an open-addressing index of twice
 * max_hosts slots holding entry + 1 (0: free). The index is 4 bytes a slot
 * and the entries fill pages in order: memory grows with what was learned,
 * not with where the hash put it. */
struct engine_hosts {
	struct rhost *hosts;          /* nhosts of max_hosts used */
	uint32_t *hidx;
	uint32_t hmask;               /* index size - 1 */
	uint32_t nhosts, max_hosts;
	uint32_t nplain, max_plain;   /* entries of rank HOST_PLAIN, and their room */
	uint64_t dropped;             /* addresses not learned: the table was full */
	uint64_t refused_rank;        /* plain hosts not learned: only the fab's room was left */
	uint64_t half_open_lookups;   /* ends of half-open flows looked up, never learned */
	struct rmac *macs;            /* nmacs of max_hosts used */
	uint32_t *midx;
	uint32_t mmask;
	uint32_t nmacs;               /* at most max_hosts: the MAC table stays half empty */
	uint64_t macs_dropped;        /* MACs not learned: the table was full */
};

/* Room for max_hosts addresses (and as many MACs). -1: out of memory
 * (what was allocated is still freed by engine_hosts_free). */
int engine_hosts_init(struct engine_hosts *t, uint32_t max_hosts);
void engine_hosts_free(struct engine_hosts *t);
/* The entry of ip. HOST_LOOKUP: NULL if unknown. Otherwise a new entry of
 * that rank if unknown (NULL if the table is full, or only the fab's room
 * is left and rank is HOST_PLAIN), and a known entry of a lower rank is
 * raised to it. */
struct rhost *engine_host_get(struct engine_hosts *t, const struct ip_addr *ip, enum host_rank rank);
/* Raise an entry (NULL: none) to rank, if below it. */
void engine_host_raise(struct engine_hosts *t, struct rhost *h, enum host_rank rank);
/* An entry's slot, +1 (0 means none), and back. */
uint32_t engine_host_slot(const struct engine_hosts *t, const struct rhost *h);
struct rhost *engine_host_at(struct engine_hosts *t, uint32_t slot);
/* The entry of a MAC, created if new; NULL if the table is full (max_hosts
 * MACs). */
struct rmac *engine_mac_get(struct engine_hosts *t, const uint8_t *mac);
/* Forget every MAC (their zone indexes belong to a replaced policy). */
void engine_macs_forget(struct engine_hosts *t);

#endif
