/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An append-only output file of whole records (JSON Lines).
 *
 * Records are buffered and written in large writes. When the disk refuses
 * (full, I/O error, removed mount) the records stay queued in memory up to a
 * bound and writing is retried on every flush, so a disk that fills up and is
 * then cleaned loses nothing; beyond the bound new records are dropped and
 * counted, never half-written. The caller is told when the state changes so it
 * can say so once, not per record.
 */
#ifndef FABMON_OUTFILE_H
#define FABMON_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct outfile {
	char *path;
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	size_t flush_at;        /* write when this much is queued */
	size_t max_pending;     /* queue bound while writes fail */
	uint64_t records;       /* accepted */
	uint64_t dropped;       /* refused because the queue was full */
	uint64_t bytes_written;
	uint64_t write_errors;
	int err;                /* errno of the failure in progress, 0 if fine */
	bool held;              /* queue, do not write yet (outfile_put_front) */
};

enum outfile_event { OUTFILE_OK, OUTFILE_STARTED_FAILING, OUTFILE_RECOVERED };

/* 0 or -errno. */
int outfile_open(struct outfile *o, const char *path, bool truncate, size_t max_pending);

/* Queue one record (len bytes, including its newline). Returns the state
 * change this caused, if any. */
enum outfile_event outfile_put(struct outfile *o, const char *rec, size_t len);

/* Queue one record before every record queued, and write again: what was
 * held waited for it (eve.json's run record, whose hashes of the inputs are
 * computed while the packets are read). */
enum outfile_event outfile_put_front(struct outfile *o, const char *rec, size_t len);

/* Write what is queued (nothing while held). */
enum outfile_event outfile_flush(struct outfile *o);

/* Reopen the path (after logrotate moved the file). 0 or -errno. */
int outfile_reopen(struct outfile *o);

/* Flush, fsync and close. Returns 0, or -errno if queued records could not be
 * written (they are counted in dropped). */
int outfile_close(struct outfile *o);

#endif
