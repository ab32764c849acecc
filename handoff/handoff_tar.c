/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff --tar`: the bundle as a POSIX ustar archive (util/ustar):
 * members owned by root (uid/gid 0), directories 0755, files 0644, all
 * with the time of the last selected alert, so that the same selection
 * gives the same archive. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "util/ustar.h"

static int tar_member(struct ustar *t, const char *name, bool dir, uint64_t size, int64_t mtime)
{
	struct ustar_member m = { .name = name, .dir = dir, .mode = dir ? 0755 : 0644,
				  .size = size, .mtime = mtime, .uname = "root", .gname = "root" };
	return ustar_header(t, &m);
}

#define COPY_BUF (1 << 16) /* bytes read and archived at a time */

/* -1 with why set, or with the archive's error in t; buf: the caller's,
 * COPY_BUF bytes */
static int tar_file(struct ustar *t, const char *path, const char *name, int64_t mtime, char *buf,
		    char *why, size_t whylen)
{
	FILE *in = fopen(path, "rb");
	struct stat st;
	if (!in || fstat(fileno(in), &st) != 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		if (in)
			fclose(in);
		return -1;
	}
	int rc = tar_member(t, name, false, (uint64_t)st.st_size, mtime);
	size_t n;
	uint64_t total = 0;
	while (!rc && total < (uint64_t)st.st_size && (n = fread(buf, 1, COPY_BUF, in)) > 0) {
		if (total + n > (uint64_t)st.st_size)
			break; /* grew meanwhile: said below */
		rc = ustar_data(t, buf, n);
		total += n;
	}
	if (!rc && (ferror(in) || total != (uint64_t)st.st_size || fgetc(in) != EOF)) {
		snprintf(why, whylen, "%s changed while it was archived", path);
		rc = -1;
	}
	fclose(in);
	return rc;
}

int ho_write_tar(struct ho *h, const char *tarpath, const char *top)
{
	int fd = open(tarpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_error("handoff: cannot write %s: %s", tarpath, strerror(errno));
		return -1;
	}
	struct ustar *t = malloc(sizeof(*t));
	char *buf = malloc(COPY_BUF);
	char why[HO_PATH + 256] = ""; /* empty: the archive's error (ustar_error) */
	int rc = t && buf ? 0 : -1;
	if (!rc)
		ustar_open(t, fd);
	char name[HO_PATH], path[HO_PATH];
	snprintf(name, sizeof(name), "%s/", top);
	if (!rc)
		rc = tar_member(t, name, true, 0, h->mtime);
	bool evdir = false;
	for (size_t i = 0; i < h->nfiles && !rc; i++) {
		const char *rel = h->files[i].rel;
		if (!strncmp(rel, "evidence/", 9) && !evdir) {
			snprintf(name, sizeof(name), "%s/evidence/", top);
			if ((rc = tar_member(t, name, true, 0, h->mtime)) != 0)
				break;
			evdir = true;
		}
		snprintf(name, sizeof(name), "%s/%s", top, rel);
		if (!ho_pjoin(path, sizeof(path), h->tmp, rel)) {
			snprintf(why, sizeof(why), "%s: %s", rel, strerror(ENAMETOOLONG));
			rc = -1;
		} else {
			rc = tar_file(t, path, name, h->mtime, buf, why, sizeof(why));
		}
	}
	/* the end-of-archive blocks and the last record */
	if (!rc)
		rc = ustar_close(t);
	if (close(fd) != 0 && !rc) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		rc = -1;
	}
	if (rc && !why[0])
		snprintf(why, sizeof(why), "%s", t && buf ? ustar_error(t) : "out of memory");
	free(t);
	free(buf);
	if (rc) {
		log_error("handoff: cannot write %s: %s", tarpath, why);
		unlink(tarpath);
		return -1;
	}
	return 0;
}
