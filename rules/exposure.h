/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Each fab host's exposure (issue 19 item 1, SEMI E187 network security):
 * the services it offered — connections it accepted, by transport, port
 * and application — who reached each from which zone, when, and the
 * insecure or legacy ones among them as nDPI 4.2's flow risks and the
 * application name show them; the equipment's model and software revision
 * as GEM reported them. Filled by the rule engine (engine_exposure.c),
 * read at the end of a run by the EVE writer (sensor/output/
 * eve_exposure.c). Hosts are kept by their learned-host slot
 * (engine_hosts.h): bounded by --max-hosts, entries never move.
 */
#ifndef FABMON_RULES_EXPOSURE_H
#define FABMON_RULES_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/ndpi_classify.h"
#include "zones/policy.h"

#define EXPOSURE_MAX_SERVICES 64      /* per host; more are counted, not kept */
#define EXPOSURE_MAX_CLIENTS 8        /* distinct clients listed per service */
#define EXPOSURE_MAX_ZONES 8          /* client zones listed per service */
#define EXPOSURE_MAX_SOFTWARE 8       /* software hints kept per host */
#define EXPOSURE_SOFTWARE_LEN 64

/* Where a host's software hint comes from. */
enum exposure_software {
	EXPOSURE_SW_HTTP_USER_AGENT = 1, /* as an HTTP client (nDPI) */
	EXPOSURE_SW_DHCP_CLASS,          /* as a DHCP client: vendor class, option 60 (nDPI) */
	EXPOSURE_SW_SMB_NATIVE_OS,       /* SMB1 session setup (sensor/smb_seen.h) */
	EXPOSURE_SW_SMB_NATIVE_LANMAN,
	EXPOSURE_SW_COUNT
};
const char *exposure_software_name(enum exposure_software k);

/* What the policy's `services:` says of a service. */
enum exposure_verdict {
	EXPOSURE_NOT_COVERED = 0,     /* no entry covers the host */
	EXPOSURE_ALLOWED,
	EXPOSURE_NOT_ALLOWED,         /* FAB-EXP-001 */
};

struct exposure_service {
	uint8_t proto;                /* 6 TCP, 17 UDP */
	uint16_t port;
	char app[NDPI_NAME_LEN];      /* app_proto: "hsms", nDPI's "NetBIOS.SMBv1", "Unknown" */
	uint64_t flows;
	int64_t first_sec, last_sec;
	uint32_t first_usec, last_usec;
	uint64_t risk;                /* nDPI risk bits of its flows, together */
	uint16_t tls_version;         /* the lowest a server chose; 0 none */
	uint16_t tls_cipher;          /* chosen with it */
	struct ip_addr clients[EXPOSURE_MAX_CLIENTS];
	uint8_t nclients;
	bool clients_more;            /* more distinct clients than listed */
	char zones[EXPOSURE_MAX_ZONES][POLICY_NAME_LEN]; /* the clients' zones */
	uint8_t nzones;
	bool zones_more;
	bool client_unzoned;          /* a client in no zone */
	uint8_t verdict;              /* enum exposure_verdict, as last checked */
	bool alerted;                 /* FAB-EXP-001 raised */
	uint16_t smb_dialect;         /* the highest SMB2 dialect the server chose; 0 none */
	bool rdp_nla, rdp_no_nla;     /* an RDP connection it accepted chose NLA / did not */
};

struct exposure_host {
	struct ip_addr ip;
	char zone[POLICY_NAME_LEN];
	char model[POLICY_ID_LEN];    /* GEM MDLN (S1F2/S1F14) or Modbus product; "" unknown */
	char softrev[POLICY_ID_LEN];
	struct exposure_service *svc;
	uint32_t nsvc, cap;
	uint64_t services_dropped;    /* services beyond EXPOSURE_MAX_SERVICES */
	struct {
		uint8_t kind;         /* enum exposure_software */
		char text[EXPOSURE_SOFTWARE_LEN];
	} software[EXPOSURE_MAX_SOFTWARE];
	uint8_t nsoftware;
	bool software_more;           /* more distinct hints than kept */
};

struct exposure {
	struct exposure_host **by_slot; /* [learned-host slot - 1] */
	uint32_t max;
	/* the entries in the order made: walked at the end instead of by_slot,
	 * whose untouched pages then stay unmapped */
	struct exposure_host **made;
	uint32_t nhosts, cap;
	uint64_t dropped;             /* hosts not kept: out of memory */
};

int exposure_init(struct exposure *x, uint32_t max_hosts);
void exposure_free(struct exposure *x);
/* The entry of learned-host slot (1-based), made if new with this
 * address; NULL: slot 0 or out of memory. */
struct exposure_host *exposure_host(struct exposure *x, uint32_t slot, const struct ip_addr *ip);
/* The host's service (proto, port, app), made if new; NULL when the host
 * has EXPOSURE_MAX_SERVICES already (counted) or out of memory. *created
 * says it is new. */
struct exposure_service *exposure_service(struct exposure_host *h, uint8_t proto, uint16_t port,
					  const char *app, bool *created);
/* One more flow of the service: its client (in zone, NULL none), times,
 * what nDPI said of it. */
void exposure_count(struct exposure_service *s, const struct ip_addr *client, const char *zone,
		    int64_t first_sec, uint32_t first_usec, int64_t last_sec, uint32_t last_usec,
		    const struct ndpi_summary *n);
/* A software hint of the host (distinct ones, up to EXPOSURE_MAX_SOFTWARE). */
void exposure_software(struct exposure_host *h, enum exposure_software kind, const char *text);
/* The hosts that offered a service, sorted by address (free() the array);
 * NULL with *n 0 when none. */
const struct exposure_host **exposure_sorted(const struct exposure *x, size_t *n);
/* Why a service is insecure or legacy: short names ("smbv1", "telnet",
 * "tls-obsolete-version", ...) from its nDPI risks and its application,
 * up to max; returns how many. */
size_t exposure_insecure(const struct exposure_service *s, const char **names, size_t max);

#endif
