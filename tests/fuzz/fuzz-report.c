/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: what reads a run's eve.json after the fact, the audit
 * report (`fabmon report`: JSON lines, RFC 3339 times, the policy copy the
 * run record names, the HTML/SVG/CSV renderers) and the incident bundle
 * (`fabmon handoff`: selection, evidence paths, policy excerpt, STIX,
 * Markdown, tar). A PSIRT runs these on output that came from elsewhere, so
 * any eve.json must give a report or a clear error. Input: the bytes of
 * eve.json; its size picks the handoff selection, tar or directory, TLP.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handoff/handoff.h"
#include "util/log.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static int rm_inside(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	return ftw->level ? remove(path) : 0;
}

static void cleanup(void)
{
	if (dir[0]) {
		nftw(dir, rm_inside, 16, FTW_DEPTH | FTW_PHYS);
		rmdir(dir);
	}
}

static bool setup(void)
{
	if (dir[0])
		return true;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/fuzz-report-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		dir[0] = 0;
		return false;
	}
	atexit(cleanup);
	log_set_level(LOG_ERROR);
	/* a policy copy and an evidence file, for records that name them */
	char p[128];
	snprintf(p, sizeof(p), "%s/evidence", dir);
	(void)mkdir(p, 0700);
	return true;
}

static void put(const char *name, const uint8_t *data, size_t size)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f)
		return;
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!setup())
		return 0;
	put("eve.json", data, size);
	char out[128], err[1024];
	snprintf(out, sizeof(out), "%s/report", dir);
	/* the Japanese report.html on every other input */
	(void)report_generate(dir, out, size & 1 ? "ja" : "en", err, sizeof(err));

	uint8_t sel = (uint8_t)(size ^ (size >> 8));
	char bundle[128];
	snprintf(bundle, sizeof(bundle), "%s/bundle", dir);
	char *argv[12] = { "handoff", dir, "-q", "-o", bundle };
	int argc = 5;
	switch (sel % 4) {
	case 0: argv[argc++] = "--since"; argv[argc++] = "1970-01-01T00:00:00Z"; break;
	case 1: argv[argc++] = "--rule"; argv[argc++] = "FAB-RA-001"; break;
	case 2: argv[argc++] = "--equipment"; argv[argc++] = "10.30.1.21"; break;
	default: argv[argc++] = "--until"; argv[argc++] = "2100-01-01T00:00:00.5+09:00"; break;
	}
	if (sel & 4)
		argv[argc++] = "--tar";
	if (sel & 8) {
		argv[argc++] = "--tlp";
		argv[argc++] = "RED";
	}
	(void)cmd_handoff(argc, argv);
	nftw(dir, rm_inside, 16, FTW_DEPTH | FTW_PHYS);
	char p[128];
	snprintf(p, sizeof(p), "%s/evidence", dir);
	(void)mkdir(p, 0700);
	return 0;
}
