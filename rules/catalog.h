/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fabmon's built-in rules: stable ids, signature ids, default severities,
 * categories, the roles each trusts, and the guideline and standard clauses
 * each comes from (README "Rules" documents them one by one).
 *
 * Reference keys: "METI:FA|FSA|DMZ|EXT" (METI semiconductor OT guideline
 * area; clause numbers not yet confirmed), "E187:NW|MON", "E188",
 * "CSF:<subcategory>" (NIST CSF 2.0 as profiled by NIST IR 8546),
 * "62443-3-3:SR<n>" (IEC 62443-3-3 system requirement).
 */
#ifndef FABMON_RULES_CATALOG_H
#define FABMON_RULES_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "zones/policy.h"

enum rule_id {
	R_ZONE_NO_CONDUIT,        /* FAB-ZC-001 */
	R_CONDUIT_NOT_ALLOWED,    /* FAB-ZC-002 */
	R_LEVEL_SKIP,             /* FAB-ZC-003 */
	R_FAB_TO_INTERNET,        /* FAB-ZC-004 */
	R_SYSTEM_TO_INTERNET,     /* FAB-ZC-005 */
	R_REMOTE_ACCESS,          /* FAB-RA-001 */
	R_SMB_EQUIPMENT,          /* FAB-SMB-001 */
	R_SMB1_EQUIPMENT,         /* FAB-SMB-002 */
	R_CLEARTEXT,              /* FAB-CL-001 */
	R_HSMS_REMOTE_COMMAND,    /* FAB-HSMS-001 */
	R_HSMS_RECIPE_DOWNLOAD,   /* FAB-HSMS-002 */
	R_HSMS_RECIPE_DELETE,     /* FAB-HSMS-003 */
	R_HSMS_EC_CHANGE,         /* FAB-HSMS-004 */
	R_HSMS_CONTROL_STATE,     /* FAB-HSMS-005 */
	R_HSMS_ALARM_REPORT_OFF,  /* FAB-HSMS-006 */
	R_HSMS_RECIPE_UPLOAD,     /* FAB-HSMS-007 */
	R_HSMS_SECOND_HOST,       /* FAB-HSMS-008 */
	R_HSMS_NO_CONDUIT,        /* FAB-HSMS-009 */
	R_HSMS_MESSAGE_NOT_ALLOWED, /* FAB-HSMS-010 */
	R_MODBUS_WRITE,           /* FAB-MB-001 */
	R_MODBUS_DIAG_PROG,       /* FAB-MB-002 */
	R_MODBUS_ADDRESS,         /* FAB-MB-003 */
	R_MODBUS_NOT_ALLOWED,     /* FAB-MB-004 */
	R_INV_NO_ZONE,            /* FAB-INV-001 */
	R_INV_NEW_HOST,           /* FAB-INV-002 */
	R_INV_MAC_TWO_ZONES,      /* FAB-INV-003 */
	R_INV_IDENTITY,           /* FAB-INV-004 */
	R_ANOMALY_HSMS,           /* FAB-AN-HSMS */
	R_ANOMALY_MODBUS,         /* FAB-AN-MODBUS */
	R_SCAN_SYN_FLOOD,         /* FAB-SCAN-001 */
	R_SCAN_PORT_SCAN,         /* FAB-SCAN-002 */
	R_SCAN_HOST_SWEEP,        /* FAB-SCAN-003 */
	R_BASELINE_HSMS,          /* FAB-BL-001 */
	R_BASELINE_MODBUS,        /* FAB-BL-002 */
	R_EXP_SERVICE,            /* FAB-EXP-001 */
	R_COUNT
};

#define RULE_MAX_REFS 6

struct rule_def {
	enum rule_id rule;
	const char *id;           /* "FAB-HSMS-002": stable, documented */
	uint32_t sid;             /* numeric signature id for SIEMs (Suricata style) */
	uint8_t severity;         /* default: 1 critical, 2 high, 3 medium, 4 low */
	const char *category;
	const char *signature;    /* one line, what happened */
	uint32_t roles;           /* the roles this rule trusts (0: none apply) */
	const char *refs[RULE_MAX_REFS];
	const char *signature_ja; /* the signature in Japanese (alert.signature_ja) */
};

/* The rule as built in. */
const struct rule_def *rule_def(enum rule_id r);
/* By stable id (case-insensitive); NULL if unknown. */
const struct rule_def *rule_def_by_id(const char *id);
const char *rule_severity_name(int severity);

/* A rule as this run uses it: the built-in one with the policy's
 * overrides applied. */
struct rule_setting {
	bool enabled;
	uint8_t severity;
	uint32_t roles;
};

/* Apply a policy's `rules:` overrides; an unknown rule id is an error
 * (err filled with its line). 0 or -1. */
int rule_settings_from_policy(const struct policy *p, struct rule_setting out[R_COUNT],
			      struct policy_error *err);

/* Severity of a dissector anomaly, by its stable name. */
uint8_t rule_anomaly_severity(const char *name);

#endif
