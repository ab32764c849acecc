/* SPDX-License-Identifier: BSD-2-Clause */
/* A small state file replaced whole or not at all: the text written to
 * PATH.tmp, synced, renamed over PATH (a crash leaves the old file or the
 * new one, never half of one). Used for the places a reader keeps in a
 * stream: --publish's publish.state, fabmon collect's collect.state. */
#ifndef FABMON_STATE_FILE_H
#define FABMON_STATE_FILE_H

/* 0, or -errno (PATH.tmp removed). */
int state_file_write(const char *path, const char *text);

#endif
