/* SPDX-License-Identifier: BSD-2-Clause */
/* fabmon: passive OT network monitoring sensor for semiconductor fabs. */
#include <stdlib.h>

#include "sensor/options.h"
#include "sensor/run.h"

int main(int argc, char **argv)
{
	struct options o;
	options_defaults(&o);
	int rc = options_parse(&o, argc, argv);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return EXIT_OK;
	return sensor_run(&o);
}
