/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: the alerts' evidence pcaps, copied into evidence/ with
 * their SHA-256 and packet count. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json_value.h"
#include "util/log.h"
#include "util/sha256.h"

/* "evidence/NAME.pcap" with a plain file name: an alert record names only
 * files fabmon wrote, and a record edited to name another file is refused. */
bool ho_evidence_name_ok(const char *rel)
{
	if (strncmp(rel, "evidence/", 9))
		return false;
	const char *n = rel + 9;
	size_t len = strlen(n);
	if (!len || len > 200 || n[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
	if (swap)
		v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return v;
}

long ho_pcap_count(FILE *f, long size)
{
	uint8_t hdr[24];
	if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return -1;
	uint32_t magic = rd32(hdr, false);
	bool swap;
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = true;
	else
		return -1;
	long n = 0;
	uint8_t rh[16];
	while (fread(rh, 1, sizeof(rh), f) == sizeof(rh)) {
		uint32_t incl = rd32(rh + 8, swap);
		if (incl > (256u << 20) || fseek(f, (long)incl, SEEK_CUR) != 0)
			break;
		/* a record cut short by a sensor still writing is not counted */
		int c = fgetc(f);
		if (c == EOF) {
			if (ftell(f) <= size)
				n++;
			break;
		}
		ungetc(c, f);
		n++;
	}
	return n;
}

/* Packets in the pcap file at path, -1 if it is not one. */
static long pcap_packets(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct stat st;
	long n = fstat(fileno(f), &st) == 0 ? ho_pcap_count(f, (long)st.st_size) : -1;
	fclose(f);
	return n;
}

#define COPY_BUF (1 << 16) /* bytes read and written at a time */

/* buf: the caller's, COPY_BUF bytes */
static int copy_evidence(struct ho *h, struct ho_evidence *e, uint8_t *buf)
{
	char src[HO_PATH], dst[HO_PATH];
	if (!ho_pjoin(src, sizeof(src), h->args->dir, e->rel) ||
	    !ho_pjoin(dst, sizeof(dst), h->tmp, e->rel)) {
		snprintf(e->why, sizeof(e->why), "path too long");
		return 0;
	}
	FILE *in = fopen(src, "rb");
	if (!in) {
		snprintf(e->why, sizeof(e->why), "%s", strerror(errno));
		return 0;
	}
	struct stat st;
	if (fstat(fileno(in), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(e->why, sizeof(e->why), "not a regular file");
		fclose(in);
		return 0;
	}
	if (!h->evidence_dir) {
		char d[HO_PATH];
		if (!ho_pjoin(d, sizeof(d), h->tmp, "evidence") || mkdir(d, 0750) != 0) {
			log_error("handoff: cannot create %s: %s", d, strerror(errno));
			fclose(in);
			return -1;
		}
		h->evidence_dir = true;
	}
	FILE *out = fopen(dst, "wbx");
	if (!out) {
		log_error("handoff: cannot write %s: %s", dst, strerror(errno));
		fclose(in);
		return -1;
	}
	struct sha256_stream c;
	sha256_stream_init(&c);
	size_t n;
	uint64_t total = 0;
	bool ok = true;
	while ((n = fread(buf, 1, COPY_BUF, in)) > 0) {
		sha256_stream_update(&c, buf, n);
		total += n;
		if (fwrite(buf, 1, n, out) != n) {
			ok = false;
			break;
		}
	}
	bool rerr = ferror(in);
	fclose(in);
	ok = fclose(out) == 0 && ok;
	if (!ok) {
		log_error("handoff: cannot write %s: %s", dst, strerror(errno));
		unlink(dst);
		return -1;
	}
	if (rerr) {
		snprintf(e->why, sizeof(e->why), "read error");
		unlink(dst);
		return 0;
	}
	uint8_t d[32];
	sha256_stream_final(&c, d);
	sha256_to_hex(d, e->sha);
	e->bytes = total;
	e->copied = true;
	e->packets = pcap_packets(dst);
	return ho_record_file(h, e->rel, e->sha, total);
}

int ho_collect_evidence(struct ho *h)
{
	uint8_t *buf = NULL;
	int rc = 0;
	for (size_t i = 0; i < h->nalerts; i++) {
		struct ho_alert *x = &h->alerts[i];
		const char *rel = json_member_str(json_member(x->a, "evidence"), "file");
		if (!rel)
			continue;
		size_t k;
		for (k = 0; k < h->nev; k++)
			if (!strcmp(h->ev[k].rel, rel))
				break;
		if (k == h->nev) {
			struct ho_evidence *ne = realloc(h->ev, (h->nev + 1) * sizeof(*ne));
			if (!ne) {
				rc = -1;
				break;
			}
			h->ev = ne;
			struct ho_evidence *e = &h->ev[h->nev++];
			memset(e, 0, sizeof(*e));
			snprintf(e->rel, sizeof(e->rel), "%s", rel);
			e->packets = -1;
			if (!ho_evidence_name_ok(rel) || strlen(rel) >= sizeof(e->rel))
				snprintf(e->why, sizeof(e->why),
					 "not a file name fabmon writes (evidence/NAME.pcap): refused");
			else if ((!buf && !(buf = malloc(COPY_BUF))) || copy_evidence(h, e, buf) < 0) {
				rc = -1;
				break;
			}
			if (!e->copied)
				log_warn("handoff: evidence %s not copied: %s", rel, e->why);
		}
		x->evidence = (int)k;
	}
	free(buf);
	return rc;
}
