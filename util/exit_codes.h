/* SPDX-License-Identifier: BSD-2-Clause */
/* fabmon's exit statuses, shared by the sensor run and the tools that read its
 * output (report, handoff, check-policy). */
#ifndef FABMON_EXIT_CODES_H
#define FABMON_EXIT_CODES_H

/* Exit codes (documented in README and fabmon --help). */
enum exit_code {
	EXIT_OK = 0,          /* all input read, all output written */
	EXIT_RUNTIME = 1,     /* internal failure (out of memory, nDPI init) */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_INPUT = 3,       /* an input could not be opened: missing, not a capture,
			       * no permission, unknown interface */
	EXIT_INPUT_DAMAGED = 4, /* an input was damaged (e.g. truncated); what was
				 * readable was processed */
	EXIT_OUTPUT = 5,      /* output could not be (fully) written: records lost */
	EXIT_POLICY = 6,      /* the policy file could not be read or is invalid */
	EXIT_FAIL_ON = 7,     /* --fail-on: an alert at or above the severity was raised
			       * (check-policy --fail-on warning: the policy has warnings);
			       * only when the run itself succeeded */
};

#endif
