/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GEM meaning of SECS-II messages (SEMI E30 on E5): what a stream/function
 * is for, who is supposed to send it, and the fields a rule needs (RCMD,
 * PPID, ECIDs, ALID, CEID, acknowledge codes, ...). Names and directions
 * follow E5's message dictionary as implemented by secsgem's functions.yaml;
 * categories are fabmon's, for policy rules (see README).
 */
#ifndef FABMON_GEM_H
#define FABMON_GEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/secs2.h"

enum gem_dir {
	GEM_DIR_BOTH = 0,  /* either side may send it */
	GEM_DIR_H2E,       /* host to equipment */
	GEM_DIR_E2H,       /* equipment to host */
};

/* Stable names in gem_category_name(); policy files use them. */
enum gem_category {
	GEM_CAT_UNKNOWN = 0,
	GEM_CAT_CONNECTION,       /* S1F13/14 establish communications */
	GEM_CAT_STATUS,           /* S1 status, namelists: reconnaissance */
	GEM_CAT_CONTROL_STATE,    /* S1F15/17 offline/online */
	GEM_CAT_EC_READ,          /* S2F13, S2F29 */
	GEM_CAT_EC_CHANGE,        /* S2F15 new equipment constants */
	GEM_CAT_CLOCK,            /* S2F17, S2F31 */
	GEM_CAT_TRACE,            /* S2F23, S6F1 */
	GEM_CAT_REPORT_SETUP,     /* S2F33/35/37, S2F45 */
	GEM_CAT_REMOTE_COMMAND,   /* S2F21, S2F27, S2F41, S2F49 */
	GEM_CAT_SPOOL,            /* S2F43, S6F23 */
	GEM_CAT_EQUIPMENT_CONTROL,/* other S2 */
	GEM_CAT_MATERIAL,         /* S3 */
	GEM_CAT_ALARM,            /* S5F1, S5F9/11 */
	GEM_CAT_ALARM_ENABLE,     /* S5F3 */
	GEM_CAT_ALARM_LIST,       /* S5F5/7 */
	GEM_CAT_EVENT_REPORT,     /* S6F11/13 */
	GEM_CAT_DATA_COLLECTION,  /* other S6 */
	GEM_CAT_RECIPE_DOWNLOAD,  /* S7F1/3, S7F23 */
	GEM_CAT_RECIPE_UPLOAD,    /* S7F5/6, S7F25/26 */
	GEM_CAT_RECIPE_DELETE,    /* S7F17 */
	GEM_CAT_RECIPE_LIST,      /* S7F19/20 */
	GEM_CAT_RECIPE_MANAGEMENT,/* other S7, S15 */
	GEM_CAT_ERROR,            /* S9 */
	GEM_CAT_TERMINAL,         /* S10 */
	GEM_CAT_WAFER_MAP,        /* S12 */
	GEM_CAT_OBJECTS_JOBS,     /* S14, S16 */
	GEM_CAT_ABORT,            /* SxF0 */
	GEM_CAT_COUNT
};

struct gem_msg {
	uint8_t stream;
	uint8_t function;
	const char *name;
	uint8_t category;   /* enum gem_category */
	uint8_t dir;        /* enum gem_dir */
};

/* The table entry of S/F, or NULL. */
const struct gem_msg *gem_lookup(uint8_t stream, uint8_t function);
/* Category of S/F: the table's, else by stream (SxF0 is always abort). */
enum gem_category gem_category_of(uint8_t stream, uint8_t function);
const char *gem_category_name(enum gem_category c);
/* Category from its name (policy files); GEM_CAT_COUNT if unknown. */
enum gem_category gem_category_parse(const char *name);
const char *gem_dir_name(enum gem_dir d);

/* Fields extracted from a message body, for records and rules. */
#define GEM_MAX_FIELDS 12
#define GEM_FIELD_LEN 128

struct gem_field {
	const char *key;          /* "rcmd", "ppid", "mdln", "hcack", ... */
	bool numeric;
	uint64_t num;
	char text[GEM_FIELD_LEN];
};

struct gem_fields {
	int n;
	struct gem_field f[GEM_MAX_FIELDS];
	int ack;                  /* the reply's acknowledge code, -1 if none */
	const char *ack_name;     /* "hcack", "ackc7", ... */
};

/* Extract what S/F's body says. Never fails: missing parts are left out. */
void gem_extract(uint8_t stream, uint8_t function, const uint8_t *win, size_t winlen, size_t total,
		 const struct secs2_limits *lim, struct gem_fields *out);

/* The field with this key, or NULL. */
const struct gem_field *gem_field(const struct gem_fields *g, const char *key);

/* Does an acknowledge code mean success? (0 everywhere; HCACK 4 "will be
 * performed" too.) */
bool gem_ack_ok(const char *ack_name, int code);

#endif
