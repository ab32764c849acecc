/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to `fabmon report`: the aggregates read from eve.json or fed by
 * the run (struct rep, report_feed.h; read and freed by report_model.c) and the JSON tree made of them
 * (report_build.c). The renderers of that tree are in report_render.h. */
#ifndef FABMON_REPORT_MODEL_H
#define FABMON_REPORT_MODEL_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/report_feed.h"
#include "report/report_i18n.h"
#include "report/report_render.h"
#include "report/report_sources.h"   /* NO_ZONE, the tree's name for no zone */
#include "util/sorted_set.h"
#include "util/strmap.h"

struct policy;

#define TS_LEN 40
#define MAX_ALERTS_LISTED 5000   /* alerts listed one by one; all are counted */

/* ------------------------------------------------------------ aggregates */

enum verdict { V_ALLOWED, V_INTRA, V_VIOLATION, V_UNZONED, V_OTHER, V_COUNT };

extern const char *const verdict_names[V_COUNT];

/* One cell of the zone x zone matrix. */
struct pair {
	char *src, *dst;              /* NULL: no zone */
	uint64_t flows, bytes, alerts;
	uint64_t verdicts[V_COUNT];
	uint64_t no_conduit;          /* not intra-zone, not a violation, through no conduit */
	struct sset apps, conduits;
	struct sset sensors;          /* the sources that saw its flows (report_sources.h) */
	struct uset ports;
	char first[TS_LEN], last[TS_LEN];
};

struct host {
	char *ip;
	char *zone;                   /* NULL: in no zone */
	struct sset other_zones;      /* when flows disagree (a reload moved it) */
	struct sset sensors;
	uint64_t flows_out, flows_in, bytes;
	char first[TS_LEN], last[TS_LEN];
};

/* A conduit as observed in flows (policy.conduit) and alerts (alert.conduit). */
struct cobs {
	char *name;
	uint64_t flows, bytes, alerts;
	struct sset apps, zone_pairs, clients, rules;
	struct sset sensors;          /* the sources that saw a flow through it */
	struct uset ports;
	char first[TS_LEN], last[TS_LEN];
	/* violating flows between its zones that it does not allow (the flow
	 * record's policy.violated_conduit) */
	uint64_t outside_flows;
	struct sset outside_apps, outside_clients;
	struct uset outside_ports;
};

struct hsms_pair {
	char *src, *dst;
	uint64_t total;
	struct smap sf;               /* "S6F11" / "select.req" -> uint64_t */
	char first[TS_LEN], last[TS_LEN];
};

struct mb_pair {
	char *client, *server;
	uint64_t flows, requests, exceptions;
	struct smap access;           /* access class -> requests (flow summaries) */
	struct smap functions;        /* function name -> requests (modbus records) */
};

struct rule_agg {
	char *rule, *signature, *sev_name, *category;
	int severity;
	json_t *refs;
	uint64_t count, records, repeats;
	char first[TS_LEN], last[TS_LEN];
};

struct asset {
	char *kind, *ip;
	json_t *a;                    /* the last asset object */
	uint64_t records;
	struct sset models, revisions;
	char ts[TS_LEN];
};

struct rep {
	const char *dir;              /* the source being read (report_sources.h) */
	char eve[PATH_MAX];
	uint64_t lines, records, bad_lines;
	uint64_t eve_bytes;           /* read, and hashed: */
	char eve_sha256[65];          /* the report's source, for whoever checks it */
	bool from_run;                /* fed by the run as it wrote eve.json: not hashed */
	struct { char in[TS_LEN], out[TS_LEN]; } ts_cache[2]; /* ts_canon's last two */
	int ts_cache_next;
	json_t *bad;                  /* "eve.json:LINE: why", the first ones */
	struct smap types;            /* event_type -> uint64_t */
	json_t *runs;                 /* run objects */
	json_t *reloads;              /* policy records: {timestamp, policy} */
	json_t *final_stats;          /* stats objects with final: true */
	json_t *last_stats;
	json_t *pol_rec;              /* the policy in force at the end (borrowed) */
	char *sensor;
	uint64_t flows, flows_no_verdict;
	uint64_t verdicts[V_COUNT];
	char first[TS_LEN], last[TS_LEN];
	struct smap pairs, hosts, cobs, hsms, modbus, rules, assets;
	json_t *alerts;
	uint64_t alert_records, alert_hits;
	json_t *exposure;             /* exposure objects by host address: each host's last */
	struct policy *pol;
	const char *pol_dir;          /* the directory of the run whose policy is pol_rec */
	char pol_path[PATH_MAX];
	int pol_verified;             /* -1 not checked, 0 differs, 1 same SHA-256 */
	json_t *notes;
	struct rep_sources src;       /* the output directories read */
	json_t *kv_assets;            /* fabmon collect's inventory.json: ip -> entry (NULL: none) */
	enum rep_lang lang;           /* of report.html (report.lang) */
	bool oom;
};

/* report_model.c: an empty model (each directory to read is begun with
 * rep_source_begin); false, and r->oom, when out of memory. rep_free frees
 * it either way. */
bool rep_init(struct rep *r);
/* Read (or be fed) the output directory dir from now on: r->dir and r->eve
 * are set to it. false: out of memory (r->oom) or the path too long (err). */
bool rep_source_begin(struct rep *r, const char *dir, char *err, size_t errlen);
/* The name the current source's observations are listed under. */
static inline const char *rep_source_name(const struct rep *r)
{
	return rep_sources_name(&r->src);
}
/* Read the current source's eve.json (r->eve) into r (EXIT_OK, or EXIT_INPUT with err); then the policy in
 * force at the end (notes say what is missing). */
int rep_read_eve(struct rep *r, char *err, size_t errlen);
void rep_load_policy(struct rep *r);
/* The first pass over a by-host eve.json (r->src.by_host): its flows. */
int rep_prescan_eve(struct rep *r, char *err, size_t errlen);
void rep_free(struct rep *r);
/* A note of the report (a "notes" line); r->oom when out of memory. */
void rep_note(struct rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add str (if not NULL) to s; r->oom when out of memory. */
void rep_sadd(struct rep *r, struct sset *s, const char *str);

/* report_build.c: the report's JSON tree (NULL, or r->oom, when out of memory). */
json_t *rep_to_json(struct rep *r);

#endif
