/* SPDX-License-Identifier: BSD-2-Clause */
/* placeholder: the audit report is being written */
#include "sensor/report.h"

#include <stdio.h>

int report_generate(const char *dir, const char *outdir, char *err, size_t errlen)
{
	(void)dir;
	(void)outdir;
	snprintf(err, errlen, "not implemented yet");
	return -1;
}

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "fabmon: report: not implemented yet\n");
	return 1;
}
