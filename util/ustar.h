/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A POSIX ustar archive writer (IEEE Std 1003.1-2017, pax "ustar
 * Interchange Format"): directories and regular files, no links, no
 * compression. Enough for an incident bundle that any tar reads, in a few
 * hundred bytes of code instead of a library that brings libxml2, ICU and
 * libstdc++ into every fabmon process.
 *
 * The archive is written in records of USTAR_RECORD bytes, the last one
 * padded with zeros, so that its size is a whole number of records as
 * POSIX tar writes it. Every call returns 0 or -1; after -1 the archive is
 * unusable and ustar_error() says why.
 */
#ifndef FABMON_USTAR_H
#define FABMON_USTAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USTAR_BLOCK 512u
#define USTAR_RECORD 10240u /* 20 blocks: POSIX tar's default blocking */
#define USTAR_MAX_SIZE 077777777777ull /* 11 octal digits: 8 GiB - 1 */

struct ustar {
	int fd;
	unsigned used;          /* bytes of rec filled */
	uint64_t left;          /* bytes still owed to the member being written */
	uint64_t pad;           /* zeros after it, to the next block */
	bool failed;
	char why[200];
	uint8_t rec[USTAR_RECORD];
};

/* A member's header. name: a path with '/' separators, a directory's ending
 * with '/'; up to 100 bytes, or up to 256 where it splits at a '/' into a
 * prefix of at most 155 and a name of at most 100. */
struct ustar_member {
	const char *name;
	bool dir;
	unsigned mode;          /* permission bits, e.g. 0644 */
	uint64_t size;          /* a file's bytes; 0 for a directory */
	int64_t mtime;          /* seconds since the epoch; below 0 written as 0 */
	unsigned uid, gid;
	const char *uname, *gname; /* up to 31 bytes each */
};

/* Start an archive on fd (open for writing; not closed here). */
void ustar_open(struct ustar *t, int fd);
/* A member's header; a file's size bytes follow through ustar_data. */
int ustar_header(struct ustar *t, const struct ustar_member *m);
/* n more bytes of the current file; more than its size is an error. */
int ustar_data(struct ustar *t, const void *buf, size_t n);
/* The end-of-archive blocks and the last record. The current file must be
 * complete. */
int ustar_close(struct ustar *t);
/* Why the last call failed ("pathname too long for ustar: ...",
 * "write failed: No space left on device"). */
const char *ustar_error(const struct ustar *t);

#endif
