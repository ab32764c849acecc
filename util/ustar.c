/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/ustar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Field offsets and sizes of the ustar header block (POSIX pax, "ustar
 * Interchange Format", Table: ustar Header Block). */
enum {
	F_NAME = 0, L_NAME = 100,
	F_MODE = 100, L_MODE = 8,
	F_UID = 108, L_UID = 8,
	F_GID = 116, L_GID = 8,
	F_SIZE = 124, L_SIZE = 12,
	F_MTIME = 136, L_MTIME = 12,
	F_CHKSUM = 148, L_CHKSUM = 8,
	F_TYPE = 156,
	F_MAGIC = 257,  /* "ustar\0" then version "00" */
	F_UNAME = 265, L_UNAME = 32,
	F_GNAME = 297, L_GNAME = 32,
	F_DEVMAJOR = 329, F_DEVMINOR = 337, L_DEV = 8,
	F_PREFIX = 345, L_PREFIX = 155,
};

static int fail(struct ustar *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ustar *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	t->failed = true;
	return -1;
}

void ustar_open(struct ustar *t, int fd)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
}

const char *ustar_error(const struct ustar *t)
{
	return t->why[0] ? t->why : "no error";
}

static int flush_record(struct ustar *t)
{
	size_t off = 0;
	while (off < t->used) {
		ssize_t n = write(t->fd, t->rec + off, t->used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(t, "write failed: %s", n < 0 ? strerror(errno) : "nothing written");
		off += (size_t)n;
	}
	t->used = 0;
	return 0;
}

/* n bytes into the record (zeros when p is NULL), written out as it fills */
static int put(struct ustar *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		size_t k = USTAR_RECORD - t->used;
		if (k > n)
			k = n;
		if (b) {
			memcpy(t->rec + t->used, b, k);
			b += k;
		} else {
			memset(t->rec + t->used, 0, k);
		}
		t->used += (unsigned)k;
		n -= k;
		if (t->used == USTAR_RECORD && flush_record(t) != 0)
			return -1;
	}
	return 0;
}

/* v as len-1 octal digits, zero-filled, and a NUL: false when it does not fit */
static bool octal(uint8_t *field, size_t len, uint64_t v)
{
	field[len - 1] = '\0';
	for (size_t i = len - 1; i-- > 0;) {
		field[i] = (uint8_t)('0' + (v & 7));
		v >>= 3;
	}
	return v == 0;
}

/* The name and prefix fields: the whole path in name when it fits, or split
 * at the last '/' that leaves at most 100 bytes after it and 155 before. */
static bool put_name(uint8_t *h, const char *path)
{
	size_t len = strlen(path);
	if (len == 0)
		return false;
	if (len <= L_NAME) {
		memcpy(h + F_NAME, path, len);
		return true;
	}
	/* a directory's trailing '/' stays with the name part */
	size_t end = path[len - 1] == '/' ? len - 1 : len;
	for (size_t i = end; i-- > 0;) {
		if (path[i] != '/')
			continue;
		if (len - i - 1 > L_NAME)
			return false; /* the name part only grows going left */
		if (i == 0 || i > L_PREFIX)
			continue;
		memcpy(h + F_PREFIX, path, i);
		memcpy(h + F_NAME, path + i + 1, len - i - 1);
		return true;
	}
	return false;
}

int ustar_header(struct ustar *t, const struct ustar_member *m)
{
	if (t->failed)
		return -1;
	if (t->left)
		return fail(t, "%llu bytes of the previous member missing",
			    (unsigned long long)t->left);
	uint8_t h[USTAR_BLOCK];
	memset(h, 0, sizeof(h));
	if (!put_name(h, m->name))
		return fail(t, "pathname too long for ustar: %s", m->name);
	uint64_t size = m->dir ? 0 : m->size;
	if (size > USTAR_MAX_SIZE)
		return fail(t, "%s: %llu bytes, more than ustar can hold", m->name,
			    (unsigned long long)size);
	const char *un = m->uname ? m->uname : "", *gn = m->gname ? m->gname : "";
	if (strlen(un) >= L_UNAME || strlen(gn) >= L_GNAME)
		return fail(t, "%s: owner name too long for ustar", m->name);
	if (!octal(h + F_MODE, L_MODE, m->mode & 07777) || !octal(h + F_UID, L_UID, m->uid) ||
	    !octal(h + F_GID, L_GID, m->gid))
		return fail(t, "%s: mode, uid or gid too large for ustar", m->name);
	octal(h + F_SIZE, L_SIZE, size);
	uint64_t mtime = m->mtime > 0 ? (uint64_t)m->mtime : 0;
	if (!octal(h + F_MTIME, L_MTIME, mtime))
		return fail(t, "%s: time too large for ustar", m->name);
	h[F_TYPE] = m->dir ? '5' : '0';
	memcpy(h + F_MAGIC, "ustar\0" "00", 8);
	memcpy(h + F_UNAME, un, strlen(un));
	memcpy(h + F_GNAME, gn, strlen(gn));
	octal(h + F_DEVMAJOR, L_DEV, 0);
	octal(h + F_DEVMINOR, L_DEV, 0);
	/* the checksum: the sum of the header's bytes, its own field counted
	 * as spaces; six octal digits, a NUL and a space */
	memset(h + F_CHKSUM, ' ', L_CHKSUM);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	octal(h + F_CHKSUM, 7, sum);
	h[F_CHKSUM + 7] = ' ';
	t->left = size;
	t->pad = (USTAR_BLOCK - size % USTAR_BLOCK) % USTAR_BLOCK;
	return put(t, h, sizeof(h));
}

int ustar_data(struct ustar *t, const void *buf, size_t n)
{
	if (t->failed)
		return -1;
	if (n > t->left)
		return fail(t, "%zu bytes more than the member's size", n - (size_t)t->left);
	if (put(t, buf, n) != 0)
		return -1;
	t->left -= n;
	if (t->left == 0 && t->pad) {
		if (put(t, NULL, t->pad) != 0)
			return -1;
		t->pad = 0;
	}
	return 0;
}

int ustar_close(struct ustar *t)
{
	if (t->failed)
		return -1;
	if (t->left)
		return fail(t, "%llu bytes of the last member missing", (unsigned long long)t->left);
	/* two zero blocks end the archive; zeros fill its last record */
	if (put(t, NULL, 2 * USTAR_BLOCK) != 0)
		return -1;
	if (t->used && (put(t, NULL, USTAR_RECORD - t->used) != 0))
		return -1;
	return t->used ? flush_record(t) : 0;
}
