/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The zone/conduit policy of a fab: zones (Purdue level, METI guideline
 * area, networks, VLANs, SL-T), hosts (addresses, roles, the equipment
 * identity learned as baseline), conduits (which zone may reach which, with
 * which application, ports, initiator roles, HSMS messages and Modbus
 * functions), overrides of built-in rules, and alerting settings.
 *
 * Zones and conduits follow IEC 62443-3-2 (ZCR 3) and the areas of Japan
 * METI's OT security guideline for semiconductor device factories (fab
 * area, fab system area, IT/OT DMZ, external). A policy is parsed once
 * (policy_yaml.c), compiled (policy_compile) and then only read: the lookups
 * below are what the hot path uses.
 */
#ifndef FABMON_POLICY_H
#define FABMON_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define POLICY_NAME_LEN 64
#define POLICY_ID_LEN 48          /* MDLN/SOFTREV/Modbus ids kept as baseline */
#define POLICY_MAX_PORTS 32       /* port ranges per allow entry */
#define POLICY_MAX_RANGES 16      /* Modbus address ranges per allow entry */
#define POLICY_MAX_SF 64          /* stream/function pairs per allow entry */
#define POLICY_MAX_ADDRS 8        /* addresses per host */

/* METI guideline areas (fab-zones.md, section 1), plus enterprise IT. */
enum zone_area {
	AREA_FAB = 0,       /* ファブエリア, Purdue 0-2: equipment, AMHS, facility */
	AREA_FAB_SYSTEM,    /* ファブシステムエリア, Purdue 3: MES, EAP, RMS, FDC */
	AREA_DMZ,           /* IT/OT DMZ, Purdue 3.5 */
	AREA_ENTERPRISE,    /* corporate IT, Purdue 4 */
	AREA_EXTERNAL,      /* 外部サービス / internet, Purdue 5 */
	AREA_COUNT
};

/* Roles a host plays; a bit each. Stable names in policy_role_name(). */
enum host_role {
	ROLE_EQUIPMENT_HOST = 0,  /* EAP: the SECS/GEM host of equipment */
	ROLE_RECIPE_SERVER,       /* RMS (SEMI E42) */
	ROLE_MES,
	ROLE_MCS,                 /* material control system, host of AMHS */
	ROLE_FDC,
	ROLE_ENGINEERING_WORKSTATION,
	ROLE_JUMP_HOST,
	ROLE_PATCH_SERVER,
	ROLE_HISTORIAN,
	ROLE_SCADA,
	ROLE_EQUIPMENT,           /* a tool's equipment PC / controller (HSMS passive side) */
	ROLE_CONTROLLER,          /* PLC, Modbus server */
	ROLE_AMHS,
	ROLE_DNS_SERVER,
	ROLE_NTP_SERVER,
	ROLE_FILE_SERVER,
	ROLE_DOMAIN_CONTROLLER,
	ROLE_MIRROR,              /* data mirror / replication in the DMZ */
	ROLE_VENDOR_SUPPORT,
	ROLE_COUNT
};
#define ROLE_BIT(r) (1u << (r))

struct port_range {
	uint16_t lo, hi;
};

struct addr_range {
	uint16_t lo, hi;
};

/* One "allow" entry of a conduit. Empty lists mean "any". */
struct policy_allow {
	char app[POLICY_NAME_LEN];    /* "hsms", "modbus", an nDPI name, or "any" */
	bool app_any;
	struct port_range ports[POLICY_MAX_PORTS];
	uint8_t nports;
	uint32_t initiators;          /* role bits; 0 = any */
	/* HSMS (SECS-II): a data message passes if any filter names it */
	bool has_hsms_filter;
	uint8_t streams[32];          /* bit per stream 0..255 */
	uint16_t sf[POLICY_MAX_SF];   /* stream << 8 | function */
	uint8_t nsf;
	uint32_t categories;          /* bit per enum gem_category */
	/* Modbus */
	bool has_modbus_filter;
	uint8_t access;               /* bit per enum modbus_access; 0 = any */
	uint8_t function_codes[32];   /* bit per FC; all zero = any */
	bool has_function_codes;
	uint8_t unit_ids[32];
	bool has_unit_ids;
	struct addr_range addresses[POLICY_MAX_RANGES]; /* for writes; 0 = any */
	uint8_t naddresses;
	int line;                     /* in the policy file, for messages */
};

struct policy_network {
	struct ip_addr prefix;        /* masked */
	uint8_t len;                  /* prefix length */
	int zone;
};

struct policy_zone {
	char name[POLICY_NAME_LEN];
	char name_ja[128];            /* the name in Japanese (UTF-8), for the report; "" none */
	char description[128];
	int purdue_x10;               /* Purdue level * 10: 35 for the DMZ */
	enum zone_area area;
	int sl_t;                     /* IEC 62443 SL-T 1..4, 0 = not set */
	uint16_t *vlans;
	size_t nvlans;
	bool public_addresses;        /* takes every globally routable address */
	bool inventory_closed;        /* hosts not listed here are alerted */
	uint32_t member_roles;        /* hosts with these (inferred) roles belong here */
	int line;
};

struct policy_host {
	char name[POLICY_NAME_LEN];
	struct ip_addr addrs[POLICY_MAX_ADDRS];
	uint8_t naddrs;
	uint32_t roles;
	int zone;                     /* -1: by address */
	/* baseline identity (learned): an empty string means not set */
	char model[POLICY_ID_LEN];
	char softrev[POLICY_ID_LEN];
	int line;
};

/* allow entries of one conduit: the engine keeps which of them a flow
 * matched in a 32-bit mask (rules/engine_flow.c) */
#define POLICY_MAX_ALLOW 32

struct policy_conduit {
	char name[POLICY_NAME_LEN];
	char description[128];
	int from, to;                 /* zone indexes */
	bool both_ways;               /* either side may initiate */
	struct policy_allow *allow;
	size_t nallow;
	int line;
};

/* Override of a built-in rule (rules/catalog.c). */
struct policy_rule {
	char id[24];
	int enabled;                  /* -1 unchanged, 0, 1 */
	int severity;                 /* 0 unchanged, 1..4 */
	uint32_t roles;               /* 0 unchanged: the roles the rule trusts */
	int line;
};

enum policy_action { POLICY_DENY = 0, POLICY_ALLOW };

#define POLICY_MAX_SCAN_ZONES 32
/* the largest port_scan / host_sweep threshold: distinct ports and hosts
 * are counted exactly up to this (rules/engine_scan.c) */
#define POLICY_SCAN_SET_MAX 384

/* The `scan:` section: thresholds of the scan and flood rules
 * (rules/engine_scan.c), counted over half-open TCP flows per interval. */
struct policy_scan {
	uint32_t interval;            /* seconds */
	uint32_t syn_flood;           /* half-open flows to one destination host; 0 off */
	uint32_t port_scan;           /* distinct ports of one host probed by one source; 0 off */
	uint32_t host_sweep;          /* distinct hosts probed by one source; 0 off */
	uint32_t areas;               /* bit per enum zone_area: destinations watched */
	int zones[POLICY_MAX_SCAN_ZONES]; /* and these zones, whatever their area */
	uint8_t nzones;
	int line;                     /* of the section, 0 if absent (the defaults) */
};
#define POLICY_SCAN_DEFAULTS                                                          \
	{ .interval = 60, .syn_flood = 1000, .port_scan = 100, .host_sweep = 64,          \
	  .areas = (1u << AREA_FAB) | (1u << AREA_FAB_SYSTEM) }

/* The `baseline:` section (issue 19 item 2): what `fabmon learn` saw each
 * host pair do, so that detection can name what is new (rules/
 * engine_baseline.c). A list left out of an entry means none seen. */
struct baseline_names {
	char (*v)[POLICY_ID_LEN];
	size_t n;
};

struct policy_baseline_hsms {
	struct ip_addr host, equipment;
	uint16_t *sf;                 /* primary messages (stream << 8 | function), either way */
	size_t nsf;
	struct baseline_names rcmds;  /* S2F41/S2F49/S2F21 remote commands */
	struct baseline_names ppids;  /* process programs named (S7) */
	struct baseline_names ecids;  /* equipment constants changed (S2F15) */
	int line;
};

struct policy_baseline_modbus {
	struct ip_addr client, server;
	uint8_t functions[32];        /* bit per function code */
	struct addr_range *reads, *writes;
	size_t nreads, nwrites;
	int line;
};

struct policy_baseline {
	char taken[160];              /* when: the capture period it was learned from */
	struct policy_baseline_hsms *hsms;
	size_t nhsms;
	struct policy_baseline_modbus *modbus;
	size_t nmodbus;
	int line;                     /* of the section; 0: none */
};

/* The `services:` section (issue 19 item 1): per host (address or
 * network) or per equipment model (the MDLN its S1F2/S1F14 reports), the
 * services it may offer. A service a covered host is seen offering that no
 * covering entry allows raises FAB-EXP-001 (rules/engine_exposure.c); a
 * host no entry covers raises nothing. */
#define POLICY_MAX_SERVICE_ALLOW 32
struct policy_service_allow {
	uint8_t proto;                /* IP protocol: 6 tcp, 17 udp */
	struct port_range ports;
	char app[POLICY_NAME_LEN];    /* "" any; else as a conduit's app (either part of
				       * nDPI's Master.App, case-insensitive) */
};
struct policy_services {
	char model[POLICY_ID_LEN];    /* "" : by address */
	struct ip_addr prefix;        /* masked */
	uint8_t len;
	struct policy_service_allow allow[POLICY_MAX_SERVICE_ALLOW];
	uint8_t nallow;
	int line;
};

struct policy {
	char name[POLICY_NAME_LEN];
	char source[256];             /* file name, or "built-in" */
	char *text;                   /* the file's bytes as parsed (for copies and digests) */
	size_t text_len;
	bool builtin;
	enum policy_action default_action;  /* inter-zone flows with no conduit */
	bool infer_roles;             /* hosts not listed get roles from behaviour */
	struct policy_zone *zones;
	size_t nzones;
	struct policy_host *hosts;
	size_t nhosts;
	struct policy_conduit *conduits;
	size_t nconduits;
	struct policy_rule *rules;
	size_t nrules;
	uint8_t (*gateways)[6];       /* MACs of routers: exempt from one-MAC-two-zones */
	size_t ngateways;
	uint32_t alert_window;        /* seconds of aggregation */
	uint32_t alert_rate;          /* new alert records per rule per minute */
	struct policy_scan scan;
	struct policy_baseline baseline;
	struct policy_services *services;
	size_t nservices;
	/* compiled lookups (policy_compile) */
	struct policy_network *nets;  /* sorted by family, length desc, prefix */
	size_t nnets;
	uint8_t v4_lens[33], nv4_lens; /* distinct prefix lengths, longest first */
	uint8_t v6_lens[129], nv6_lens;
	struct policy_host_addr { struct ip_addr a; int host; } *host_index;
	size_t nhost_index;
	int public_zone;              /* -1 if none */
};

/* Error of parsing or checking, with its place in the file. */
struct policy_error {
	char file[256];
	int line, column;             /* 1-based; 0 if not known */
	char msg[512];
};

/* "file:line:column: msg" */
void policy_error_format(const struct policy_error *e, char *out, size_t len);

/* Parse a YAML policy from memory. NULL on error (err filled). */
struct policy *policy_parse(const char *text, size_t len, const char *source,
			    struct policy_error *err);
/* The built-in default (zones/default-fab.yaml, embedded at build time). */
struct policy *policy_builtin(struct policy_error *err);
extern const char policy_builtin_yaml[];
void policy_free(struct policy *p);

/* For the parser: add a zone's network (masked here). 0 or -1 (memory). */
int policy_add_network(struct policy *p, const struct ip_addr *prefix, unsigned len, int zone);

/* Build the lookup tables; checks cross-references. 0 or -1 (err filled). */
int policy_compile(struct policy *p, struct policy_error *err);

/* Zone of an address: a listed host's zone, else the longest matching
 * network, else a zone claiming the VLAN, else the public zone for a
 * globally routable address; -1 when none. */
int policy_zone_of(const struct policy *p, const struct ip_addr *a, uint16_t vlan);
/* Zone for hosts playing these (inferred) roles, -1 if none claims them. */
int policy_zone_of_roles(const struct policy *p, uint32_t roles);
/* Host listing this address, -1 if none. */
int policy_host_of(const struct policy *p, const struct ip_addr *a);
int policy_zone_index(const struct policy *p, const char *name);
/* Does a `services:` entry cover this host (its address; model: the MDLN
 * it reported, NULL or "" unknown)? */
bool policy_services_cover(const struct policy_services *s, const struct ip_addr *a,
			   const char *model);
/* Does the entry allow (proto, port, app)? +1-based index of the allow
 * item that does, 0 none. */
int policy_services_allow(const struct policy_services *s, uint8_t proto, uint16_t port,
			  const char *app);
const struct policy_rule *policy_rule_override(const struct policy *p, const char *id);

/* Does an allow entry admit this server port? */
bool policy_allow_port(const struct policy_allow *a, uint16_t port);
/* Does it admit this application? app is a flow's app_proto ("hsms",
 * "modbus", or nDPI's "Master.App"): matches the whole name, or either part. */
bool policy_allow_app(const struct policy_allow *a, const char *app);
/* The same test for a name of the policy (name) against app. */
bool policy_app_name_matches(const char *name, const char *app);

/* Is this address on the internet: not private (RFC 1918, fc00::/7),
 * shared (100.64/10), loopback, link-local, multicast or unspecified?
 * Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32)
 * count as public: they stand for internet addresses in examples and tests. */
bool ip_addr_is_public(const struct ip_addr *a);

const char *policy_role_name(enum host_role r);
int policy_role_parse(const char *name);         /* -1 if unknown */
const char *policy_area_name(enum zone_area a);
int policy_area_parse(const char *name);         /* -1 if unknown */
/* "equipment-host,recipe-server" into buf; "" for none */
const char *policy_roles_str(uint32_t roles, char *buf, size_t len);
/* "3.5" / "2" */
const char *policy_purdue_str(int purdue_x10, char buf[24]);

#endif
