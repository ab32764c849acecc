/* SPDX-License-Identifier: BSD-2-Clause */
/* `fabmon handoff`: the bundle being written. It is made in a temporary
 * directory next to OUT, by the parts that write its files, and renamed
 * into place when all of them succeeded (with --force, after an earlier
 * bundle at OUT is removed, file by file as its SHA256SUMS lists them);
 * on a failure the temporary directory goes again. */
#include "handoff/handoff_bundle.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/exit_codes.h"
#include "util/log.h"
#include "zones/policy.h"

static void remove_tmp(struct ho *h)
{
	char path[HO_PATH];
	if (!h->tmp[0])
		return;
	const char *fixed[] = { "README.md", "SHA256SUMS", "alerts.jsonl", "equipment.json",
				"policy-excerpt.yaml", "stix-bundle.json" };
	/* h->tmp is at most HO_PATH - 300 long (ho_make_bundle): every path fits */
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (ho_pjoin(path, sizeof(path), h->tmp, fixed[i]))
			unlink(path);
	for (size_t i = 0; i < h->nev; i++)
		if (ho_pjoin(path, sizeof(path), h->tmp, h->ev[i].rel) &&
		    ho_evidence_name_ok(h->ev[i].rel))
			unlink(path);
	if (ho_pjoin(path, sizeof(path), h->tmp, "evidence"))
		rmdir(path);
	rmdir(h->tmp);
}

/* An earlier bundle at OUT (--force): remove the files its SHA256SUMS lists. */
static int remove_old_bundle(const char *out)
{
	char path[HO_PATH];
	snprintf(path, sizeof(path), "%s/SHA256SUMS", out);
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("handoff: %s exists and is not a hand-off bundle (no SHA256SUMS): not "
			  "replaced", out);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n < 67 || line[64] != ' ' || line[65] != ' ')
			continue;
		const char *rel = line + 66;
		if (strstr(rel, "..") || rel[0] == '/')
			continue;
		snprintf(path, sizeof(path), "%s/%s", out, rel);
		unlink(path);
	}
	free(line);
	fclose(f);
	snprintf(path, sizeof(path), "%s/SHA256SUMS", out);
	unlink(path);
	snprintf(path, sizeof(path), "%s/evidence", out);
	rmdir(path);
	if (rmdir(out) != 0) {
		log_error("handoff: cannot replace %s: %s (files not from a bundle are in it?)", out,
			  strerror(errno));
		return -1;
	}
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int ho_make_bundle(struct ho *h, const char *out)
{
	struct ho_args *g = h->args;
	char tarpath[HO_PATH], tartmp[HO_PATH];
	snprintf(tarpath, sizeof(tarpath), "%s.tar", out);
	if (!g->force && exists(out)) {
		log_error("handoff: %s already exists (--force replaces an earlier bundle, or give "
			  "another -o)", out);
		return EXIT_OUTPUT;
	}
	if (!g->force && g->tar && exists(tarpath)) {
		log_error("handoff: %s already exists (--force replaces it, or give another -o)",
			  tarpath);
		return EXIT_OUTPUT;
	}
	if ((size_t)snprintf(h->tmp, sizeof(h->tmp), "%s.tmp-XXXXXX", out) >= sizeof(h->tmp) - 300) {
		log_error("handoff: output path too long: %s", out);
		h->tmp[0] = '\0';
		return EXIT_USAGE;
	}
	if (!mkdtemp(h->tmp)) {
		log_error("handoff: cannot create the bundle directory next to %s: %s", out,
			  strerror(errno));
		h->tmp[0] = '\0';
		return EXIT_OUTPUT;
	}
	chmod(h->tmp, 0750);
	int rc = EXIT_OUTPUT;
	if (ho_write_alerts(h) < 0 || ho_collect_evidence(h) < 0)
		goto fail;
	ho_load_policy(h);
	if (ho_write_excerpt(h) < 0)
		goto fail;
	json_t *eq = ho_build_equipment(h);
	int r = eq ? ho_put_json(h, eq, "equipment.json") : -1;
	json_decref(eq);
	if (r < 0)
		goto fail;
	json_t *stix = ho_build_stix(h);
	r = stix ? ho_put_json(h, stix, "stix-bundle.json") : -1;
	json_decref(stix);
	if (r < 0)
		goto fail;
	struct mbuf m;
	if (!mbuf_open(&m))
		goto fail;
	ho_readme(h, m.f);
	if (mbuf_put(h, &m, "README.md") < 0 || ho_write_sums(h) < 0)
		goto fail;
	/* the archive, named after OUT's last component */
	const char *top = strrchr(out, '/');
	top = top ? top + 1 : out;
	char topname[256];
	snprintf(topname, sizeof(topname), "%s", top);
	size_t tl = strlen(topname);
	while (tl > 1 && topname[tl - 1] == '/')
		topname[--tl] = '\0';
	tartmp[0] = '\0';
	if (g->tar) {
		if (snprintf(tartmp, sizeof(tartmp), "%s.tmp", h->tmp) >= (int)sizeof(tartmp) ||
		    ho_write_tar(h, tartmp, topname) < 0) {
			tartmp[0] = '\0';
			goto fail;
		}
	}
	if (g->force && exists(out) && remove_old_bundle(out) < 0)
		goto fail;
	if (rename(h->tmp, out) != 0) {
		log_error("handoff: cannot move the bundle to %s: %s", out, strerror(errno));
		goto fail;
	}
	h->tmp[0] = '\0';
	if (g->tar && rename(tartmp, tarpath) != 0) {
		log_error("handoff: cannot move the archive to %s: %s", tarpath, strerror(errno));
		unlink(tartmp);
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
fail:
	if (tartmp[0])
		unlink(tartmp);
	remove_tmp(h);
	h->tmp[0] = '\0';
	return rc;
}

void ho_free(struct ho *h)
{
	for (size_t i = 0; i < h->nalerts; i++) {
		free(h->alerts[i].line);
		json_decref(h->alerts[i].rec);
	}
	free(h->alerts);
	for (size_t i = 0; i < h->nflows; i++)
		json_decref(h->flows[i].rec);
	free(h->flows);
	free(h->ev);
	free(h->files);
	json_decref(h->runs);
	json_decref(h->policies);
	json_decref(h->assets);
	json_decref(h->alert_ids);
	policy_free(h->pol);
}
