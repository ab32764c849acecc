/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eve.json's first record, the run record: what was read, with which
 * policy, by which fabmon. The captures' SHA-256 let a PSIRT or an auditor
 * show they replayed the same bytes. Hashing is one more read of each file
 * (0.09 s of a 0.56 s run on the 90 MB benchmark capture, issue 17): a
 * thread of its own hashes the files from the start of the run, while
 * the pipeline is set up and the packet path reads them, and
 * the records written meanwhile wait in memory for the run record
 * (eve_hold), so eve.json still begins with it.
 */
#ifndef FABMON_RUN_RECORD_H
#define FABMON_RUN_RECORD_H

struct pipeline;
struct options;
struct run_record;

/* The files of a run reading paths hashed from its start, on a thread of
 * their own, before the pipeline exists: nDPI's set-up takes some 30 ms,
 * and every millisecond the hash is late is eve.json records held in
 * memory. NULL: no memory (said). */
struct run_record *run_record_hash(const struct options *o, char **paths, int npaths);

/* The run record of a run reading paths (none: live), once eve.json is
 * open: written now or, if a file is being hashed, as soon as it is. r:
 * run_record_hash's, or NULL to begin here. Returns NULL when nothing is
 * left to free (written, or no memory: said). */
struct run_record *run_record_start(struct run_record *r, struct pipeline *pl,
				    const struct options *o, char **paths, int npaths);

/* The run stops early (a signal): a file still being hashed is given up,
 * `"not_hashed":"interrupted"`, rather than read to its end first. */
void run_record_stop(struct run_record *r);

/* After eve_release (or without eve.json records held: the thread is
 * joined). NULL-safe. */
void run_record_free(struct run_record *r);

#endif
