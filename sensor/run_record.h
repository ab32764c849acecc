/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eve.json's first record, the run record: what was read, with which
 * policy, by which fabmon. The captures' SHA-256 let a PSIRT or an auditor
 * show they replayed the same bytes. Hashing is one more read of each file
 * (0.09 s of a 0.56 s run on the 90 MB benchmark capture, issue 17): a
 * thread of its own hashes the files while the packet path reads them, and
 * the records written meanwhile wait in memory for the run record
 * (eve_hold), so eve.json still begins with it.
 */
#ifndef FABMON_RUN_RECORD_H
#define FABMON_RUN_RECORD_H

struct pipeline;
struct options;
struct run_record;

/* The run record of a run reading paths (none: live), written now or, if
 * a file is to be hashed, as soon as it is (the hashing thread started
 * here). NULL: nothing left to free (written, or no memory: said). */
struct run_record *run_record_start(struct pipeline *pl, const struct options *o, char **paths,
				    int npaths);

/* The run stops early (a signal): a file still being hashed is given up,
 * `"not_hashed":"interrupted"`, rather than read to its end first. */
void run_record_stop(struct run_record *r);

/* After eve_release (or without eve.json records held: the thread is
 * joined). NULL-safe. */
void run_record_free(struct run_record *r);

#endif
