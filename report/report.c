/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `fabmon report DIR`: the zone-separation audit report.
 *
 * Reads DIR/eve.json one line at a time, keeping only aggregates (an
 * eve.json of a few hundred MB needs little memory), and the policy copy
 * the run record names; writes report.json, report.html (self-contained:
 * inline CSS and SVG, no script), matrix.csv, inventory.csv, guideline.csv and
 * exposure.csv:
 *
 *  1. the run: fabmon version, sensor, mode, captures with their SHA-256,
 *     the policy with its SHA-256 and reloads, time window, packets, drops;
 *  2. zone coverage (IEC 62443-3-2 ZCR 3, NIST CSF ID.AM-03): the hosts
 *     seen in each zone, hosts in no zone, zones with no evidence;
 *  3. the zone x zone matrix of observed flows and their verdicts;
 *  4. per conduit, what it allows against what was observed through it;
 *     the HSMS S/F histogram per host pair, Modbus access per client;
 *  5. violations by rule and the alerts;
 *  6. the equipment inventory;
 *  7. the guideline evidence table (report_guideline.h);
 *  8. each fab host's exposure: the services it offered (report_exposure.h).
 *
 * The aggregates become one JSON tree (report.json); the HTML and the CSV
 * files are rendered from that tree, so all six say the same thing.
 *
 * This file: the command and the writing of the files. The aggregates are
 * read in report_model.c (or fed by an -r run as it writes eve.json:
 * report_feed.h), the tree made in report_build.c, and rendered
 * in report_html*.c, report_svg.c (the zone diagram) and report_csv.c.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json_value.h"
#include "util/log.h"
#include "util/exit_codes.h"
#include "report/report_i18n.h"
#include "report/report_model.h"
#include "report/report_render.h"

/* report.json goes out through a buffer of its own: json_dumpf calls fwrite
 * for every token (about 100 instructions a byte of report.json), and
 * json_dumps would hold all of it in memory at the end of the run, when
 * memory peaks. */
struct json_out {
	FILE *f;
	size_t len;
	bool failed;
	char buf[64 * 1024];
};

static void json_out_flush(struct json_out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
}

static int json_out_put(const char *s, size_t n, void *data)
{
	struct json_out *o = data;
	if (o->len + n > sizeof(o->buf)) {
		json_out_flush(o);
		if (n > sizeof(o->buf)) {
			o->failed |= fwrite(s, 1, n, o->f) != n;
			return o->failed ? -1 : 0;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return o->failed ? -1 : 0;
}

static int write_json(FILE *f, const json_t *rep)
{
	struct json_out *o = malloc(sizeof(*o));
	if (!o)
		return -1;
	o->f = f;
	o->len = 0;
	o->failed = false;
	int rc = json_dump_callback(rep, json_out_put, o, JSON_INDENT(1));
	json_out_put("\n", 1, o);
	json_out_flush(o);
	rc = rc < 0 || o->failed ? -1 : 0;
	free(o);
	return rc;
}

/* Write outdir/name through a temporary file renamed into place. */
static int write_file(const char *outdir, const char *name, int (*fn)(FILE *, const json_t *),
		      const json_t *rep, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", outdir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", outdir, name) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s/%s: path too long", outdir, name);
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, 64 * 1024); /* report.html is a megabyte or more */
	int rc = fn(f, rep);
	bool bad = rc < 0 || ferror(f);
	int e = bad ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (!bad && rename(tmp, path) < 0) {
		bad = true;
		e = errno;
	}
	if (bad) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, rc < 0 && !e ? "out of memory"
			 : strerror(e));
		return -1;
	}
	return 0;
}

/* report.json and the CSV files, written on a thread of their own while
 * report.html is (the tree is only read: jansson's reference counts are
 * atomic). The two take about as long; the report is the end of a run, and
 * a PSIRT replaying a capture waits for it. */
struct json_job {
	const char *outdir;
	const json_t *rep;
	char err[512];
	int rc;
};

static void *write_json_job(void *arg)
{
	struct json_job *j = arg;
	char *e = j->err;
	size_t el = sizeof(j->err);
	j->rc = write_file(j->outdir, "report.json", write_json, j->rep, e, el) < 0 ||
			write_file(j->outdir, "matrix.csv", report_write_matrix_csv, j->rep, e, el) < 0 ||
			write_file(j->outdir, "inventory.csv", report_write_inventory_csv, j->rep, e, el) < 0 ||
			write_file(j->outdir, "guideline.csv", report_write_guideline_csv, j->rep, e, el) < 0 ||
			write_file(j->outdir, "exposure.csv", report_write_exposure_csv, j->rep, e, el) < 0
		? -1 : 0;
	return NULL;
}

struct report_result {
	uint64_t flows, pairs, violating, alerts, bad_lines;
};

/* The report of r (read or fed) into outdir: the policy in force at the
 * end, the tree, the four files. */
static int report_write(struct rep *r, const char *outdir, char *err, size_t errlen,
			struct report_result *res)
{
	int rc = EXIT_OK;
	json_t *rep = NULL;
	if (!r->oom)
		rep_load_policy(r);
	rep_sources_notes(&r->src, r->notes);
	if (r->bad_lines)
		rep_note(r, "%" PRIu64 " line%s of eve.json %s not JSON records and %s skipped (see Notes)",
		     r->bad_lines, r->bad_lines == 1 ? "" : "s", r->bad_lines == 1 ? "is" : "are",
		     r->bad_lines == 1 ? "was" : "were");
	if (!r->oom)
		rep = rep_to_json(r);
	if (r->oom || !rep)
		goto out;

	if (mkdir(outdir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		rc = EXIT_OUTPUT;
		goto out;
	}
	struct json_job job = { outdir, rep, "", 0 };
	pthread_t thread;
	bool threaded = pthread_create(&thread, NULL, write_json_job, &job) == 0;
	if (!threaded)
		write_json_job(&job);
	int wrc = write_file(outdir, "report.html", report_write_html, rep, err, errlen);
	if (threaded)
		pthread_join(thread, NULL);
	if (job.rc < 0 || wrc < 0) {
		if (job.rc < 0) /* report.json's (or a CSV file's) reason first */
			snprintf(err, errlen, "%s", job.err);
		rc = EXIT_OUTPUT;
		goto out;
	}
	if (res) {
		const json_t *s = json_object_get(rep, "summary");
		res->flows = json_member_count(s, "flows");
		res->pairs = json_member_count(s, "zone_pairs");
		res->violating = json_member_count(s, "violating_pairs");
		res->alerts = json_member_count(s, "alert_hits");
		res->bad_lines = r->bad_lines;
	}
out:
	if (r->oom && rc == EXIT_OK) {
		snprintf(err, errlen, "out of memory");
		rc = EXIT_RUNTIME;
	}
	json_decref(rep);
	return rc;
}

/* Whether dir is an output directory to read. */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", dir, stat(dir, &st) < 0 ? strerror(errno)
			 : "not a directory (give the output directory of a fabmon run)");
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/* DIR/inventory.json, which fabmon collect writes beside the fab-wide
 * eve.json: the key-value inventory every sensor merged into (see
 * sensor/output/asset_kv.h), by ip. Not there: nothing; not readable or
 * not one: said in the report's notes, the report goes on without it. */
static void load_kv_inventory(struct rep *r, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(path, sizeof(path), "%s/inventory.json", dir) >= sizeof(path) ||
	    stat(path, &st) != 0)
		return;
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	json_t *assets = json_object_get(doc, "assets");
	if (!json_is_array(assets)) {
		if (doc)
			rep_note(r, "%s not used: it has no \"assets\" list", path);
		else
			rep_note(r, "%s not used: line %d, column %d: %s", path, je.line, je.column,
				 je.text);
		json_decref(doc);
		return;
	}
	r->kv_assets = json_object();
	size_t i;
	json_t *a;
	json_array_foreach(assets, i, a) {
		json_t *v = json_object_get(a, "value");
		const char *ip = json_string_value(json_object_get(v, "ip"));
		if (ip && json_object_set(v, "revision", json_object_get(a, "revision")) == 0)
			json_object_set(r->kv_assets, ip, v);
	}
	json_decref(doc);
}

/* The report of the ndirs output directories (several: one sensor's each,
 * merged, report_sources.h) into outdir (NULL: the one directory). */
static int report_run(const char *const *dirs, int ndirs, const char *outdir, enum rep_lang lang,
		      char *err, size_t errlen, struct report_result *res)
{
	if (!outdir)
		outdir = dirs[0];
	for (int i = 0; i < ndirs; i++) {
		int rc = check_dir(dirs[i], err, errlen);
		if (rc != EXIT_OK)
			return rc;
	}
	struct rep r;
	int rc = EXIT_OK;
	if (!rep_init(&r)) {
		snprintf(err, errlen, "out of memory");
		rc = EXIT_RUNTIME;
	}
	r.lang = lang;
	r.src.merging = ndirs > 1;
	/* the directory `fabmon collect` writes: one eve.json of many sensors */
	char cstate[PATH_MAX];
	struct stat st;
	if (ndirs == 1 && (size_t)snprintf(cstate, sizeof(cstate), "%s/collect.state", dirs[0]) <
	    sizeof(cstate) && stat(cstate, &st) == 0) {
		r.src.merging = r.src.by_host = true;
		load_kv_inventory(&r, dirs[0]);
	}
	for (int i = 0; i < ndirs && rc == EXIT_OK; i++) {
		if (!rep_source_begin(&r, dirs[i], err, errlen))
			rc = r.oom ? EXIT_RUNTIME : EXIT_INPUT;
		else if (r.src.by_host && (rc = rep_prescan_eve(&r, err, errlen)) != EXIT_OK)
			break;
		else
			rc = rep_read_eve(&r, err, errlen);
	}
	if (rc == EXIT_OK)
		rc = report_write(&r, outdir, err, errlen, res);
	rep_free(&r);
	return rc;
}

/* "en"/"ja" (NULL: English); false, with err, for anything else. */
static bool lang_of(const char *name, enum rep_lang *lang, char *err, size_t errlen)
{
	int l = name ? rep_lang_parse(name) : REP_LANG_EN;
	if (l < 0) {
		snprintf(err, errlen, "unknown report language '%s' (ja or en)", name);
		return false;
	}
	*lang = (enum rep_lang)l;
	return true;
}

int report_feed_write(struct rep *r, const char *outdir, const char *lang, char *err,
		      size_t errlen)
{
	if (!lang_of(lang, &r->lang, err, errlen))
		return -1;
	return report_write(r, outdir ? outdir : r->dir, err, errlen, NULL) == EXIT_OK ? 0 : -1;
}

int report_generate(const char *dir, const char *outdir, const char *lang, char *err,
		    size_t errlen)
{
	enum rep_lang l;
	if (!lang_of(lang, &l, err, errlen))
		return -1;
	int rc = report_run(&dir, 1, outdir, l, err, errlen, NULL);
	return rc == EXIT_OK ? 0 : -1;
}

/* Sensors' directories merged at once: each stays open only while read,
 * so this bounds the command line, not memory. */
#define REPORT_MAX_DIRS 4096

/* a and b name the same existing directory. */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: fabmon report DIR [-o OUTDIR] [--lang ja|en] [-q]\n"
		   "       fabmon report DIR1 DIR2 ... -o OUTDIR [--lang ja|en] [-q]\n"
		   "Write the zone-separation audit report of a run: DIR/eve.json (and the\n"
		   "policy copy beside it) into OUTDIR (default DIR): report.html, report.json,\n"
		   "matrix.csv, inventory.csv, guideline.csv, exposure.csv.\n"
		   "--lang ja writes report.html in Japanese, with the terms of METI's guideline\n"
		   "(default en); report.json and the CSV files are data, English in both.\n"
		   "With several directories (each the output of one sensor), the fab-wide\n"
		   "report: a connection two sensors saw (same Community ID, overlapping times)\n"
		   "counted once, listed with both sensors; the policy of the last one.\n"
		   "Exit 0; 3 if DIR/eve.json cannot be read; 4 if lines of it are not JSON\n"
		   "(skipped, counted in the report); 5 if the report cannot be written.\n");
}

int cmd_report(int argc, char **argv)
{
	const char *outdir = NULL, *dir = NULL;
	bool quiet = false;
	enum rep_lang lang = REP_LANG_EN;
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': outdir = optarg; break;
		case 'q': quiet = true; break;
		case 'L':
			if (rep_lang_parse(optarg) < 0) {
				log_error("report: --lang takes ja or en, not '%s'", optarg);
				return EXIT_USAGE;
			}
			lang = (enum rep_lang)rep_lang_parse(optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	int ndirs = argc - optind;
	if (ndirs < 1) {
		log_error("report: give the output directory of a fabmon run, or several sensors' "
			  "(fabmon report --help)");
		return EXIT_USAGE;
	}
	if (ndirs > REPORT_MAX_DIRS) {
		log_error("report: %d directories; at most %d at once", ndirs, REPORT_MAX_DIRS);
		return EXIT_USAGE;
	}
	const char *const *dirs = (const char *const *)argv + optind;
	dir = dirs[0];
	if (ndirs > 1 && !outdir) {
		log_error("report: several directories make a fab-wide report: give -o OUTDIR for it "
			  "(each directory keeps its own sensor's report)");
		return EXIT_USAGE;
	}
	for (int i = 0; ndirs > 1 && i < ndirs; i++)
		if (same_dir(dirs[i], outdir)) {
			log_error("report: -o %s is one of the sensors' directories: the fab-wide report "
				  "would replace that sensor's own; give another directory", outdir);
			return EXIT_USAGE;
		}
	char err[1024] = "";
	struct report_result res = { 0 };
	int rc = report_run(dirs, ndirs, outdir, lang, err, sizeof(err), &res);
	if (rc != EXIT_OK) {
		log_error("report: %s", err);
		return rc;
	}
	if (!quiet)
		printf("report: %s/report.html, report.json, matrix.csv, inventory.csv, guideline.csv, "
		       "exposure.csv (%" PRIu64
		       " flows, %" PRIu64 " zone pairs, %" PRIu64 " violating, %" PRIu64 " alert hits)\n",
		       outdir ? outdir : dir, res.flows, res.pairs, res.violating, res.alerts);
	return res.bad_lines ? EXIT_INPUT_DAMAGED : EXIT_OK;
}
