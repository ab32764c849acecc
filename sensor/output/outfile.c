/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

#define OUTFILE_FLUSH_AT (256 * 1024)

/* A file appended to whose last line was cut (the writer was killed in the
 * middle of it): that line ended, so that the next record starts a line of
 * its own (readers skip the cut one, and say so). */
static void end_cut_line(int fd, const char *path)
{
	int rfd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char last;
	if (rfd < 0)
		return;
	if (fstat(rfd, &st) == 0 && st.st_size > 0 && pread(rfd, &last, 1, st.st_size - 1) == 1 &&
	    last != '\n' && write(fd, "\n", 1) == 1)
		log_warn("%s ended in the middle of a record (an earlier run was killed while "
			 "writing it): that line is left as it is, cut", path);
	close(rfd);
}

int outfile_open(struct outfile *o, const char *path, bool truncate, size_t max_pending)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
	o->fd = open(path, flags, 0640);
	if (o->fd < 0) {
		int e = errno;
		free(o->path);
		o->path = NULL;
		return -e;
	}
	if (!truncate)
		end_cut_line(o->fd, path);
	o->flush_at = OUTFILE_FLUSH_AT;
	o->max_pending = max_pending < OUTFILE_FLUSH_AT * 2 ? OUTFILE_FLUSH_AT * 2 : max_pending;
	o->cap = OUTFILE_FLUSH_AT * 2;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		close(o->fd);
		free(o->path);
		o->path = NULL;
		return -ENOMEM;
	}
	return 0;
}

enum outfile_event outfile_flush(struct outfile *o)
{
	if (o->held)
		return OUTFILE_OK;
	bool was_failing = o->err != 0;
	size_t done = 0;
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->write_errors++;
			o->err = n < 0 ? errno : ENOSPC;
			break;
		}
		done += (size_t)n;
		o->bytes_written += (uint64_t)n;
	}
	if (done > 0) {
		memmove(o->buf, o->buf + done, o->len - done);
		o->len -= done;
	}
	if (o->len == 0)
		o->err = 0;
	/* what was held back (the run record waiting for the capture's hash,
	 * a disk that refused) is out: the queue goes back to its usual size,
	 * so that those megabytes do not stay part of the run's peak */
	if (o->cap > OUTFILE_FLUSH_AT * 2 && o->len <= OUTFILE_FLUSH_AT) {
		char *nb = realloc(o->buf, OUTFILE_FLUSH_AT * 2);
		if (nb) {
			o->buf = nb;
			o->cap = OUTFILE_FLUSH_AT * 2;
		}
	}
	if (!was_failing && o->err)
		return OUTFILE_STARTED_FAILING;
	if (was_failing && !o->err)
		return OUTFILE_RECOVERED;
	return OUTFILE_OK;
}

/* Room for len more bytes: written out, or the queue grown up to its
 * bound. False: no room. */
static bool make_room(struct outfile *o, size_t len, enum outfile_event *ev)
{
	if (o->len + len <= o->cap)
		return true;
	*ev = outfile_flush(o);
	if (o->len + len <= o->cap)
		return true;
	size_t need = o->len + len;
	size_t ncap = o->cap;
	while (ncap < need)
		ncap *= 2;
	char *nb = ncap <= o->max_pending ? realloc(o->buf, ncap) : NULL;
	if (!nb)
		return false;
	o->buf = nb;
	o->cap = ncap;
	return true;
}

enum outfile_event outfile_put(struct outfile *o, const char *rec, size_t len)
{
	enum outfile_event ev = OUTFILE_OK;
	if (!make_room(o, len, &ev)) {
		o->dropped++;
		return ev;
	}
	memcpy(o->buf + o->len, rec, len);
	o->len += len;
	o->records++;
	if (o->len >= o->flush_at && !o->err)
		ev = outfile_flush(o);
	return ev;
}

enum outfile_event outfile_put_front(struct outfile *o, const char *rec, size_t len)
{
	enum outfile_event ev = OUTFILE_OK;
	bool held = o->held;
	o->held = true; /* room by growing: what is queued must not go first */
	bool room = make_room(o, len, &ev);
	o->held = held;
	if (!room) {
		o->dropped++;
		return ev;
	}
	memmove(o->buf + len, o->buf, o->len);
	memcpy(o->buf, rec, len);
	o->len += len;
	o->records++;
	o->held = false;
	if (o->len >= o->flush_at && !o->err)
		ev = outfile_flush(o);
	return ev;
}

int outfile_reopen(struct outfile *o)
{
	outfile_flush(o);
	int fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	close(o->fd);
	o->fd = fd;
	return 0;
}

int outfile_close(struct outfile *o)
{
	if (!o->path)
		return 0;
	o->held = false; /* the record it waited for never came: keep the rest */
	outfile_flush(o);
	int rc = 0;
	if (o->len > 0) {
		rc = -(o->err ? o->err : EIO);
		/* count the records still queued as lost */
		for (size_t i = 0; i < o->len; i++)
			if (o->buf[i] == '\n')
				o->dropped++;
	}
	if (o->fd >= 0) {
		if (fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS && rc == 0)
			rc = -errno;
		if (close(o->fd) < 0 && rc == 0)
			rc = -errno;
	}
	free(o->buf);
	free(o->path);
	o->buf = NULL;
	o->path = NULL;
	o->fd = -1;
	return rc;
}
