/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon collect`: the fab-wide eve.json from NATS JetStream (collect.c). */
#ifndef FABMON_COLLECT_H
#define FABMON_COLLECT_H

/* argv[0] is "collect". Returns an enum exit_code. */
int cmd_collect(int argc, char **argv);

#endif
