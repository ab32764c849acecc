/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Running as a service: a pid file, and dropping root once the capture and
 * the outputs are open. The sensor keeps nothing it does not need: after
 * setgroups/setgid/setuid to the unprivileged user no capability is left
 * (the capture handle is already open), and PR_SET_NO_NEW_PRIVS stops any
 * way back.
 */
#ifndef FABMON_PRIVDROP_H
#define FABMON_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write our pid to path (mode 0644). 0, or -errno. */
int pidfile_write(const char *path);
void pidfile_remove(const char *path);

/* Look the user up. 0, or -1 with err. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen);
/* Give the output directory and what fabmon wrote in it to uid/gid, so the
 * dropped process can rotate and reopen them. 0, or -errno. */
int privdrop_chown_outputs(const char *dir, uid_t uid, gid_t gid);
/* Become uid/gid for good. 0, or -1 with err. */
int privdrop_to(uid_t uid, gid_t gid, char *err, size_t errlen);

#endif
