/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to the handoff*.c files of `fabmon handoff`: the bundle being
 * written (struct ho, made and freed by handoff_bundle.c) with the command
 * line and the alerts read from eve.json it holds, and the parts that write
 * its files. */
#ifndef FABMON_HANDOFF_BUNDLE_H
#define FABMON_HANDOFF_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/netaddr.h"

struct policy;
struct rule_def;

#define HO_PATH 4096
#define HO_MAX_FILES 4096

/* TLP 2.0 (FIRST) and the STIX 2.1 TLP marking definitions (handoff_refs.c) */
struct tlp_def {
	const char *name;        /* as given to --tlp */
	const char *alias;
	const char *label;       /* "TLP:AMBER" */
	const char *meaning;     /* FIRST TLP 2.0, one line */
	const char *stix_id;     /* STIX 2.1 section 7.2.1.4 */
	const char *stix_name;
	const char *stix_tlp;
};

/* "AMBER", "TLP:amber", "WHITE" (the TLP 1.0 name of CLEAR); NULL if unknown. */
const struct tlp_def *ho_tlp_parse(const char *s);

/* What the references of the rule catalogue mean (handoff_refs.c) */
struct ref_text {
	const char *key;         /* as in alert.references */
	const char *source;      /* STIX external_references source_name */
	const char *ext_id;
	const char *text;
};

const struct ref_text *ho_ref_lookup(const char *key);

/* ASCII lower case in place (alert ids, STIX protocol names) */
void ho_lower(char *s);

/* The command line */
struct ho_args {
	const char *dir;
	const char *out;
	const char *org;
	char (*ids)[17];
	size_t nids;
	bool *id_seen;
	const struct rule_def **rules;
	size_t nrules;
	struct ip_addr *equip;
	const char **equip_str;
	size_t nequip;
	const char *since_str, *until_str;
	bool has_since, has_until;
	int64_t since, until;        /* microseconds since the epoch */
	const struct tlp_def *tlp;
	bool tar, force, quiet;
};

/* The records read from eve.json, and the bundle being written */
struct ho_flow {
	uint64_t flow_id;
	char cid[64];
	size_t after;                /* the alert's line: the flow record comes later */
	json_t *rec;                 /* the flow record, NULL while not seen */
};

struct ho_evidence {
	char rel[256];               /* evidence/NAME.pcap */
	bool copied;
	char why[160];               /* when not copied */
	char sha[65];
	uint64_t bytes;
	long packets;                /* -1 if not a pcap we can count */
};

struct ho_alert {
	char *line;                  /* verbatim, without the newline */
	size_t len;
	json_t *rec;
	json_t *a;                   /* rec.alert */
	int run, policy;             /* indexes into the runs and policies seen, -1 none */
	int flow;                    /* index into flows, -1 */
	int evidence;                /* index into evidence, -1 */
	int64_t ts, first, last;     /* microseconds */
};

struct ho {
	struct ho_args *args;
	json_t *runs;                /* run records */
	json_t *policies;            /* policy objects: {policy: {...}, run: n} */
	json_t *assets;              /* ip -> last asset record */
	json_t *alert_ids;           /* the selected alerts' ids */
	size_t dup_alerts;           /* records of an alert already selected (a capture read twice) */
	struct ho_alert *alerts;
	size_t nalerts, calerts;
	struct ho_flow *flows;
	size_t nflows;
	struct ho_evidence *ev;
	size_t nev;
	char sensor[128];
	size_t bad_lines;
	/* the policy in force for the first selected alert, parsed */
	struct policy *pol;
	json_t *polobj;
	char pol_note[1200];
	bool pol_verified;
	size_t npolicies_used;
	/* output */
	char tmp[HO_PATH];
	struct ho_file {
		char rel[256];
		char sha[65];
		uint64_t bytes;
	} *files;
	size_t nfiles, files_cap;
	bool evidence_dir;
	int64_t mtime;               /* for the tar: the last selected alert's time */
	/* the id of the STIX identity (ho_build_stix) */
	char identity_id[80];
};

/* handoff_bundle.c: write the bundle of the selected alerts at OUT (and
 * OUT.tar with --tar); an enum exit_code, said on stderr. */
int ho_make_bundle(struct ho *h, const char *out);
/* what h holds (not h->args) */
void ho_free(struct ho *h);

/* handoff_select.c: read DIR/eve.json once (an enum exit_code). */
int ho_read_eve(struct ho *h);

/* handoff_files.c: files in the bundle's temporary directory, each
 * recorded with its SHA-256 for SHA256SUMS; 0, or -1 said on stderr. */
/* "a/b" into out; false if it does not fit */
bool ho_pjoin(char *out, size_t len, const char *a, const char *b);
int ho_record_file(struct ho *h, const char *rel, const char *sha, uint64_t bytes);
int ho_put_json(struct ho *h, json_t *j, const char *rel);

/* An in-memory text file, then written as REL. */
struct mbuf {
	FILE *f;
	char *data;
	size_t len;
};

bool mbuf_open(struct mbuf *m);
int mbuf_put(struct ho *h, struct mbuf *m, const char *rel);

int ho_write_alerts(struct ho *h);
/* last: SHA256SUMS, then the files sorted as the archive lists them */
int ho_write_sums(struct ho *h);

/* handoff_evidence.c: copy the alerts' evidence pcaps (-1 on a write error;
 * a missing one is noted in h->ev). */
int ho_collect_evidence(struct ho *h);
/* "evidence/NAME.pcap" with a plain file name */
bool ho_evidence_name_ok(const char *rel);
/* Packets in a classic pcap file of size bytes read from f (the complete
 * ones), -1 if it is not one. Exposed for tests/fuzz/fuzz-evidence-pcap.c. */
long ho_pcap_count(FILE *f, long size);

/* handoff_excerpt.c: the policy in force for the first alert, then
 * policy-excerpt.yaml. */
void ho_load_policy(struct ho *h);
int ho_write_excerpt(struct ho *h);
/* The excerpt's text to f (what ho_write_excerpt writes), from h->pol or,
 * without it, from the alerts; needs h->args->tlp. Exposed for
 * tests/fuzz/fuzz-policy-excerpt.c. */
void ho_excerpt_text(struct ho *h, FILE *f);
/* distinct rules of the selected alerts, in order of appearance */
size_t ho_alert_rules(const struct ho *h, const struct rule_def **out, size_t max);
/* text on one line (for a YAML comment or a code block): control characters '?' */
void ho_y_comment(FILE *f, const char *s);
/* append s to the array of strings arr if not empty nor there yet */
void ho_add_name(json_t *arr, const char *s);

/* handoff_equipment.c: equipment.json */
json_t *ho_build_equipment(struct ho *h);

/* handoff_stix.c: stix-bundle.json; sets h->identity_id */
json_t *ho_build_stix(struct ho *h);

/* handoff_summary.c: README.md */
void ho_readme(struct ho *h, FILE *f);

/* handoff_tar.c: the bundle's files as a POSIX ustar archive, under TOP/ */
int ho_write_tar(struct ho *h, const char *tarpath, const char *top);

#endif
