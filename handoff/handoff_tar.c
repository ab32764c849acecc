/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff --tar`: the bundle as a POSIX ustar archive, written by
 * libarchive: members owned by root (uid/gid 0), directories 0755, files
 * 0644, all with the time of the last selected alert, so that the same
 * selection gives the same archive. */
#include "handoff/handoff_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* Why the archive failed, in libarchive's words ("Write error", "Pathname
 * too long") with the system's reason when there is one (a full disk). */
static void tar_error(struct archive *a, const char *tarpath)
{
	int e = archive_errno(a);
	const char *why = archive_error_string(a);
	/* libarchive's own kinds of error borrow EILSEQ (a format's limit) and
	 * EINVAL (a misuse); their text is in why, not in strerror */
	bool sys = e > 0 && e != EILSEQ && e != EINVAL;
	if (!why)
		why = "libarchive failed";
	if (sys)
		log_error("handoff: cannot write %s: %s: %s", tarpath, why, strerror(e));
	else
		log_error("handoff: cannot write %s: %s", tarpath, why);
}

static struct archive_entry *member(const char *name, mode_t type, unsigned mode, uint64_t size,
				    int64_t mtime)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return NULL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, "root");
	archive_entry_set_gname(e, "root");
	archive_entry_set_mtime(e, mtime > 0 ? (time_t)mtime : 0, 0);
	return e;
}

static int tar_dir(struct archive *a, const char *name, int64_t mtime)
{
	struct archive_entry *e = member(name, AE_IFDIR, 0755, 0, mtime);
	if (!e)
		return -1;
	int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	return rc;
}

#define COPY_BUF (1 << 16) /* bytes read and archived at a time */

/* -1 with the error set on a; buf: the caller's, COPY_BUF bytes */
static int tar_file(struct archive *a, const char *path, const char *name, int64_t mtime,
		    char *buf)
{
	FILE *in = fopen(path, "rb");
	struct stat st;
	if (!in || fstat(fileno(in), &st) != 0) {
		archive_set_error(a, errno, "cannot read %s", path);
		if (in)
			fclose(in);
		return -1;
	}
	struct archive_entry *e = member(name, AE_IFREG, 0644, (uint64_t)st.st_size, mtime);
	int rc = e && archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	size_t n;
	uint64_t total = 0;
	while (!rc && (n = fread(buf, 1, COPY_BUF, in)) > 0) {
		if (archive_write_data(a, buf, n) != (la_ssize_t)n)
			rc = -1;
		total += n;
	}
	if (!rc && (ferror(in) || total != (uint64_t)st.st_size)) {
		archive_set_error(a, ferror(in) ? EIO : 0, "%s changed while it was archived", path);
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
	struct archive *a = archive_write_new();
	/* ustar in whole records of 10240 bytes (POSIX's default), the last one
	 * too: libarchive would cut a regular file's last record short */
	int rc = a && archive_write_set_format_ustar(a) == ARCHIVE_OK &&
			 archive_write_add_filter_none(a) == ARCHIVE_OK &&
			 archive_write_set_bytes_per_block(a, 10240) == ARCHIVE_OK &&
			 archive_write_set_bytes_in_last_block(a, 0) == ARCHIVE_OK &&
			 archive_write_open_fd(a, fd) == ARCHIVE_OK
		 ? 0
		 : -1;
	char *buf = rc ? NULL : malloc(COPY_BUF);
	if (!rc && !buf) {
		archive_set_error(a, ENOMEM, "out of memory");
		rc = -1;
	}
	char name[HO_PATH], path[HO_PATH];
	snprintf(name, sizeof(name), "%s/", top);
	if (!rc)
		rc = tar_dir(a, name, h->mtime);
	bool evdir = false;
	for (size_t i = 0; i < h->nfiles && !rc; i++) {
		const char *rel = h->files[i].rel;
		if (!strncmp(rel, "evidence/", 9) && !evdir) {
			snprintf(name, sizeof(name), "%s/evidence/", top);
			rc = tar_dir(a, name, h->mtime);
			evdir = true;
		}
		snprintf(name, sizeof(name), "%s/%s", top, rel);
		if (rc)
			break;
		if (!ho_pjoin(path, sizeof(path), h->tmp, rel)) {
			archive_set_error(a, ENAMETOOLONG, "%s", rel);
			rc = -1;
		} else {
			rc = tar_file(a, path, name, h->mtime, buf);
		}
	}
	/* the end-of-archive blocks and the last record */
	if (!rc && archive_write_close(a) != ARCHIVE_OK)
		rc = -1;
	if (rc) {
		if (a)
			tar_error(a, tarpath);
		else
			log_error("handoff: cannot write %s: out of memory", tarpath);
	}
	archive_write_free(a);
	free(buf);
	if (close(fd) != 0 && !rc) {
		log_error("handoff: cannot write %s: %s", tarpath, strerror(errno));
		rc = -1;
	}
	if (rc) {
		unlink(tarpath);
		return -1;
	}
	return 0;
}
