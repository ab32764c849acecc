/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff --tar`: the bundle as a POSIX ustar archive. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits and a NUL */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0;) {
		field[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

static int tar_header(FILE *f, const char *name, char type, uint64_t size, unsigned mode,
		      int64_t mtime)
{
	unsigned char hd[512];
	memset(hd, 0, sizeof(hd));
	size_t len = strlen(name);
	const char *base = name;
	size_t plen = 0;
	if (len > 100) {
		/* split at a '/' into prefix (<= 155) and name (<= 100) */
		const char *cut = NULL;
		for (const char *p = name; *p; p++)
			if (*p == '/' && (size_t)(p - name) <= 155 && len - (size_t)(p - name) - 1 <= 100 &&
			    p[1])
				cut = p;
		if (!cut)
			return -1;
		plen = (size_t)(cut - name);
		base = cut + 1;
	}
	if (size >= (1ull << 33))
		return -1;
	memcpy(hd, base, strlen(base));
	octal((char *)hd + 100, 8, mode);
	octal((char *)hd + 108, 8, 0);
	octal((char *)hd + 116, 8, 0);
	octal((char *)hd + 124, 12, size);
	octal((char *)hd + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
	memset(hd + 148, ' ', 8);
	hd[156] = (unsigned char)type;
	memcpy(hd + 257, "ustar", 6);
	memcpy(hd + 263, "00", 2);
	memcpy(hd + 265, "root", 4);
	memcpy(hd + 297, "root", 4);
	octal((char *)hd + 329, 8, 0);
	octal((char *)hd + 337, 8, 0);
	if (plen)
		memcpy(hd + 345, name, plen);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(hd); i++)
		sum += hd[i];
	octal((char *)hd + 148, 7, sum);
	hd[155] = ' ';
	return fwrite(hd, 1, sizeof(hd), f) == sizeof(hd) ? 0 : -1;
}

static int tar_file(FILE *f, const char *path, const char *name, int64_t mtime)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		return -1;
	struct stat st;
	if (fstat(fileno(in), &st) != 0 || tar_header(f, name, '0', (uint64_t)st.st_size, 0644,
						      mtime) < 0) {
		fclose(in);
		return -1;
	}
	static uint8_t buf[1 << 16];
	size_t n;
	uint64_t total = 0;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (fwrite(buf, 1, n, f) != n) {
			fclose(in);
			return -1;
		}
		total += n;
	}
	fclose(in);
	if (total != (uint64_t)st.st_size)
		return -1;
	static const uint8_t zero[512];
	size_t pad = (512 - total % 512) % 512;
	return fwrite(zero, 1, pad, f) == pad ? 0 : -1;
}

int ho_write_tar(struct ho *h, const char *tarpath, const char *top)
{
	FILE *f = fopen(tarpath, "wbx");
	if (!f) {
		log_error("handoff: cannot write %s: %s", tarpath, strerror(errno));
		return -1;
	}
	char name[HO_PATH], path[HO_PATH];
	int rc = 0;
	snprintf(name, sizeof(name), "%s/", top);
	rc |= tar_header(f, name, '5', 0, 0755, h->mtime);
	bool evdir = false;
	for (size_t i = 0; i < h->nfiles && !rc; i++) {
		const char *rel = h->files[i].rel;
		if (!strncmp(rel, "evidence/", 9) && !evdir) {
			snprintf(name, sizeof(name), "%s/evidence/", top);
			rc |= tar_header(f, name, '5', 0, 0755, h->mtime);
			evdir = true;
		}
		snprintf(name, sizeof(name), "%s/%s", top, rel);
		if (!ho_pjoin(path, sizeof(path), h->tmp, rel))
			rc = -1;
		else
			rc |= tar_file(f, path, name, h->mtime);
	}
	/* end of archive: two zero blocks, then up to a whole 10240-byte record */
	static const uint8_t zero[512];
	long pos = ftell(f);
	if (!rc && pos >= 0) {
		long end = pos + 1024;
		long total = (end + 10239) / 10240 * 10240;
		for (long p = pos; p < total && !rc; p += 512)
			rc |= fwrite(zero, 1, 512, f) == 512 ? 0 : -1;
	}
	rc |= fclose(f) == 0 ? 0 : -1;
	if (rc) {
		log_error("handoff: cannot write %s: %s", tarpath,
			  errno ? strerror(errno) : "a name or file too long for ustar");
		unlink(tarpath);
		return -1;
	}
	return 0;
}
