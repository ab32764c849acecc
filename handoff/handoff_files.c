/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: the files of the bundle's temporary directory, each
 * recorded with its SHA-256: in-memory text files, JSON files,
 * alerts.jsonl, and SHA256SUMS last. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sha256.h"

bool ho_pjoin(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);
	return n >= 0 && (size_t)n < len;
}

int ho_record_file(struct ho *h, const char *rel, const char *sha, uint64_t bytes)
{
	if (h->nfiles >= HO_MAX_FILES)
		return -1;
	if (h->nfiles == h->files_cap) {
		/* grown as files are written: most bundles hold a dozen */
		size_t nc = h->files_cap ? h->files_cap * 2 : 32;
		if (nc > HO_MAX_FILES)
			nc = HO_MAX_FILES;
		struct ho_file *nf = realloc(h->files, nc * sizeof(*nf));
		if (!nf)
			return -1;
		h->files = nf;
		h->files_cap = nc;
	}
	struct ho_file *f = &h->files[h->nfiles++];
	snprintf(f->rel, sizeof(f->rel), "%s", rel);
	snprintf(f->sha, sizeof(f->sha), "%s", sha);
	f->bytes = bytes;
	return 0;
}

static int put_file(struct ho *h, const char *rel, const char *data, size_t len)
{
	char path[HO_PATH];
	if (!ho_pjoin(path, sizeof(path), h->tmp, rel)) {
		log_error("handoff: path too long: %s/%s", h->tmp, rel);
		return -1;
	}
	FILE *f = fopen(path, "wbx");
	if (!f) {
		log_error("handoff: cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	bool ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		log_error("handoff: cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	char sha[65];
	sha256_hex(data, len, sha);
	return ho_record_file(h, rel, sha, len);
}

bool mbuf_open(struct mbuf *m)
{
	m->data = NULL;
	m->len = 0;
	m->f = open_memstream(&m->data, &m->len);
	return m->f != NULL;
}

int mbuf_put(struct ho *h, struct mbuf *m, const char *rel)
{
	bool ok = !ferror(m->f);
	ok = fclose(m->f) == 0 && ok;
	m->f = NULL;
	int rc = ok ? put_file(h, rel, m->data, m->len) : -1;
	if (!ok)
		log_error("out of memory");
	free(m->data);
	m->data = NULL;
	return rc;
}

int ho_put_json(struct ho *h, json_t *j, const char *rel)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	if (!s) {
		log_error("out of memory");
		return -1;
	}
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return -1;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	int rc = put_file(h, rel, t, n + 1);
	free(t);
	return rc;
}

int ho_write_alerts(struct ho *h)
{
	struct mbuf m;
	if (!mbuf_open(&m))
		return -1;
	for (size_t i = 0; i < h->nalerts; i++) {
		fwrite(h->alerts[i].line, 1, h->alerts[i].len, m.f);
		fputc('\n', m.f);
	}
	return mbuf_put(h, &m, "alerts.jsonl");
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct ho_file *)a)->rel, ((const struct ho_file *)b)->rel);
}

int ho_write_sums(struct ho *h)
{
	qsort(h->files, h->nfiles, sizeof(*h->files), cmp_files);
	struct mbuf m;
	if (!mbuf_open(&m))
		return -1;
	for (size_t i = 0; i < h->nfiles; i++)
		fprintf(m.f, "%s  %s\n", h->files[i].sha, h->files[i].rel);
	int rc = mbuf_put(h, &m, "SHA256SUMS");
	/* the archive lists every file, SHA256SUMS too, in this order */
	qsort(h->files, h->nfiles, sizeof(*h->files), cmp_files);
	return rc;
}
