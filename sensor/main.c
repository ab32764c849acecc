/* SPDX-License-Identifier: BSD-2-Clause */
/* fabmon: passive OT network monitoring sensor for semiconductor fabs. */
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>

#include "handoff/handoff.h"
#include "sensor/collect.h"
#include "sensor/options.h"
#include "sensor/policy_cli.h"
#include "report/report.h"
#include "sensor/run.h"

int main(int argc, char **argv)
{
	/* What fabmon writes shows the fab's network and carries its packets
	 * (recipes, equipment identities): never readable by others, whatever
	 * the umask it was started with (a stricter one is kept). */
	mode_t um = umask(0);
	umask(um | 027);
#ifdef __GLIBC__
	/* One malloc arena for all threads (unless MALLOC_ARENA_MAX or
	 * GLIBC_TUNABLES says otherwise). fabmon's threads hardly malloc on the
	 * packet path, and with an arena each the report thread's aggregates
	 * could not reuse what the main thread had freed: 1.7 MiB more peak RSS
	 * on the bench's fab capture (25.1 against 23.4 MiB), no faster, with
	 * one worker or two. */
	const char *tun = getenv("GLIBC_TUNABLES");
	if (!getenv("MALLOC_ARENA_MAX") && !(tun && strstr(tun, "arena_max")))
		mallopt(M_ARENA_MAX, 1);
#endif
	if (argc > 1 && strcmp(argv[1], "check-policy") == 0)
		return cmd_check_policy(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "learn") == 0)
		return cmd_learn(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "rules") == 0)
		return cmd_rules(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "collect") == 0)
		return cmd_collect(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "handoff") == 0)
		return cmd_handoff(argc - 1, argv + 1);
	struct options o;
	options_defaults(&o);
	int rc = options_parse(&o, argc, argv);
	if (rc < 0)
		return EXIT_USAGE;
	if (rc > 0)
		return EXIT_OK;
	return sensor_run(&o, NULL);
}
