/* SPDX-License-Identifier: BSD-2-Clause */
/* Incident bundles for an equipment vendor's PSIRT: `fabmon handoff`. */
#ifndef FABMON_HANDOFF_H
#define FABMON_HANDOFF_H

/* argv[0] is "handoff". Returns an enum exit_code. */
int cmd_handoff(int argc, char **argv);

#endif
