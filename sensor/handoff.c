/* SPDX-License-Identifier: BSD-2-Clause */
/* placeholder: incident bundles are being written */
#include "sensor/handoff.h"

#include <stdio.h>

int cmd_handoff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fabmon: handoff: not implemented yet\n");
	return 1;
}
