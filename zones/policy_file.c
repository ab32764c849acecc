/* SPDX-License-Identifier: BSD-2-Clause */
#include "zones/policy_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct policy *policy_load_file(const char *path, struct policy_error *err)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err->msg, sizeof(err->msg), "cannot open the policy: %s", strerror(errno));
		return NULL;
	}
	char *buf = malloc(POLICY_FILE_MAX + 1);
	if (!buf) {
		fclose(fp);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	size_t n = fread(buf, 1, POLICY_FILE_MAX + 1, fp);
	int rerr = ferror(fp) ? errno : 0;
	fclose(fp);
	struct policy *p = NULL;
	if (rerr)
		snprintf(err->msg, sizeof(err->msg), "cannot read the policy: %s", strerror(rerr));
	else if (n > POLICY_FILE_MAX)
		snprintf(err->msg, sizeof(err->msg), "the policy is larger than %u MiB",
			 POLICY_FILE_MAX >> 20);
	else
		p = policy_parse(buf, n, path, err);
	free(buf);
	return p;
}
