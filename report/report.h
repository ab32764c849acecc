/* SPDX-License-Identifier: BSD-2-Clause */
/* The zone-separation audit report: `fabmon report DIR` (and at the end of
 * an -r run with -o): report.json, report.html, matrix.csv, inventory.csv. */
#ifndef FABMON_REPORT_H
#define FABMON_REPORT_H

#include <stddef.h>

/* Read dir/eve.json (and the policy copy it names); write the report files
 * into outdir (NULL: dir), report.html in lang ("en" or "ja"; NULL:
 * English). 0, or -1 with err saying why. */
int report_generate(const char *dir, const char *outdir, const char *lang, char *err,
		    size_t errlen);

/* argv[0] is "report". Returns an enum exit_code. */
int cmd_report(int argc, char **argv);

#endif
