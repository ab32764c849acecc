/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/run.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "sensor/capture/capture.h"
#include "sensor/capture/capture_stream.h"
#include "sensor/capture/decode.h"
#include "util/log.h"
#include "sensor/fanout.h"
#include "sensor/output/evidence.h"
#include "sensor/pipeline.h"
#include "sensor/output/publish.h"
#include "sensor/privdrop.h"
#include "sensor/run_record.h"
#include "report/report.h"
#include "report/report_feed.h"
#include "sensor/output/report_queue.h"
#include "rules/catalog.h"
#include "rules/engine.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;
static volatile sig_atomic_t stats_requested;
static pcap_t *volatile current_pcap;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
	pcap_t *p = current_pcap;
	if (p)
		pcap_breakloop(p); /* documented as safe from a signal handler */
}

static void on_hup(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	stats_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0750) < 0 && errno != EEXIST)
		return -errno;
	struct stat sb;
	if (stat(buf, &sb) < 0)
		return -errno;
	if (!S_ISDIR(sb.st_mode))
		return -ENOTDIR;
	return 0;
}

static void handle_requests(struct pipeline *pl, int64_t sec, uint32_t usec)
{
	/* the worker threads finish what they hold first and wait: this
	 * thread has the pipeline to itself until the end */
	pipeline_pause(pl);
	if (reopen_requested) {
		reopen_requested = 0;
		char perr[1024];
		int prc = pipeline_reload_policy(pl, perr, sizeof(perr));
		if (prc < 0)
			log_error("policy not reloaded, keeping the previous one: %s", perr);
		else if (prc == 0)
			log_info("policy reloaded from '%s'", pl->opt->policy);
		else if (prc == 2)
			log_info("policy '%s' unchanged", pl->opt->policy);
		if (pl->eve_enabled) {
			int rc = outfile_reopen(&pl->eve.out);
			if (rc < 0)
				log_error("cannot reopen '%s': %s; still writing the old file",
					  pl->eve.out.path, strerror(-rc));
			else
				log_info("reopened '%s'", pl->eve.out.path);
		}
	}
	if (stats_requested) {
		stats_requested = 0;
		pipeline_write_stats(pl, sec, usec, false);
		pipeline_flush_output(pl);
	}
	pipeline_resume(pl);
}

static void packet_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct pipeline *pl = (struct pipeline *)user;
	pipeline_packet(pl, (int64_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec, h->caplen, h->len, data);
}

static void read_kernel_stats(struct pipeline *pl, pcap_t *p)
{
	if (pl->fanout) {
		fanout_kernel_stats(pl->fanout, &pl->cap);
		return;
	}
	struct pcap_stat ps;
	if (pcap_stats(p, &ps) == 0) {
		pl->cap.kernel_received = ps.ps_recv;
		pl->cap.kernel_dropped = ps.ps_drop;
		pl->cap.iface_dropped = ps.ps_ifdrop;
	}
}

static void log_damaged(const struct capture *c)
{
	struct capstream *s = capfile_stream(c->file);
	const char *codec = capstream_codec_name(capstream_codec(s));
	uint64_t n = capfile_packets(c->file);
	char where[128];
	if (codec)
		snprintf(where, sizeof(where),
			 " (near byte %" PRIu64 " of the decompressed capture, %" PRIu64
			 " bytes of the %s file read)",
			 capfile_error_offset(c->file), capstream_raw_offset(s), codec);
	else
		snprintf(where, sizeof(where), " (near byte %" PRIu64 ")", capfile_error_offset(c->file));
	log_error("capture %s is damaged after packet %" PRIu64 "%s: %s; the %" PRIu64
		  " packets before it were processed",
		  c->label, n, where, capfile_error(c->file), n);
}

static bool warned_before(int *warned, size_t *n, int dlt)
{
	for (size_t i = 0; i < *n; i++)
		if (warned[i] == dlt)
			return true;
	if (*n < 8)
		warned[(*n)++] = dlt;
	return false;
}

/* Returns EXIT_OK, EXIT_INPUT_DAMAGED, or EXIT_USAGE (a filter that does not
 * compile for a link type met inside the file). */
static int read_file(struct pipeline *pl, struct capture *c, uint16_t source)
{
	/* evidence finds this file's frames again at their offsets (packet.at;
	 * ignored when the rings keep the bytes) */
	evidence_source(pl->evidence, source, capture_reread_fd(c), c->name);
	struct capfile_packet p;
	int rc = CAPFILE_END;
	char err[512];
	int warned[8]; /* link types of this file already warned about */
	size_t nwarned = 0;
	while (!stop_requested && (rc = capture_next(c, &p, err, sizeof(err))) != CAPFILE_END) {
		if (rc == CAPFILE_STOPPED)
			continue; /* a signal: the loop checks why */
		if (rc == CAPTURE_BAD_FILTER) {
			log_error("%s", err);
			return EXIT_USAGE;
		}
		if (rc == CAPFILE_DAMAGED) {
			log_damaged(c);
			return EXIT_INPUT_DAMAGED;
		}
		if (p.dlt != pl->dlt) /* a pcapng's interfaces may differ */
			pipeline_set_source(pl, source, p.dlt);
		if (p.new_iface && !decode_link_supported(p.dlt) && !warned_before(warned, &nwarned, p.dlt))
			log_warn("%s: interface %u has link type %s (%d), which carries no IP fabmon "
				 "can decode: its packets are counted, not decoded",
				 c->label, p.iface, capture_dlt_name(p.dlt), p.dlt);
		c->packets++;
		pipeline_packet_at(pl, p.sec, p.usec, p.caplen, p.wirelen, p.data, p.at);
		if (reopen_requested || stats_requested)
			handle_requests(pl, pl->now_sec, pl->now_usec);
	}
	return EXIT_OK;
}

static int64_t wall_now(uint32_t *usec)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	*usec = (uint32_t)tv.tv_usec;
	return (int64_t)tv.tv_sec;
}

static int read_live(struct pipeline *pl, struct capture *c, const struct options *o)
{
	int fd = pcap_get_selectable_fd(c->pcap);
	uint32_t usec;
	int64_t next_stats = wall_now(&usec) + o->stats_interval;
	int64_t last_flush = 0;
	int code = EXIT_OK;
	current_pcap = c->pcap;
	log_info("capturing on '%s' (%s)", c->name, capture_dlt_name(c->dlt));
	while (!stop_requested) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (fd >= 0 && poll(&pfd, 1, 200) < 0 && errno != EINTR) {
			log_error("poll on '%s' failed: %s", c->name, strerror(errno));
			code = EXIT_RUNTIME;
			break;
		}
		/* with worker threads, this thread is worker 0 */
		int n = pl->fanout ? fanout_read_own(pl->fanout)
				   : pcap_dispatch(c->pcap, -1, packet_cb, (u_char *)pl);
		if (n == PCAP_ERROR_BREAK)
			break;
		if (n < 0) {
			if (pl->fanout && fanout_error(pl->fanout)[0])
				log_error("%s", fanout_error(pl->fanout));
			else
				log_error("capture on '%s' failed: %s", c->name, pcap_geterr(c->pcap));
			code = EXIT_INPUT;
			break;
		}
		int64_t now = wall_now(&usec);
		pipeline_tick(pl, now, usec);
		if (reopen_requested || stats_requested)
			handle_requests(pl, now, usec);
		pipeline_poll_outputs(pl);
		if (now != last_flush) {
			last_flush = now;
			pipeline_flush_output(pl);
		}
		if (now >= next_stats) {
			next_stats = now + o->stats_interval;
			/* the workers' sockets too: while they wait */
			pipeline_pause(pl);
			read_kernel_stats(pl, c->pcap);
			pipeline_write_stats(pl, now, usec, false);
			pipeline_resume(pl);
		}
	}
	if (pl->fanout) {
		pipeline_stop_workers(pl); /* each worker reads the rest of its socket */
	} else {
		if (code == EXIT_OK)
			capture_read_rest(c, packet_cb, (u_char *)pl);
		read_kernel_stats(pl, c->pcap);
	}
	current_pcap = NULL;
	return code;
}

static int open_eve_file(struct pipeline *pl, const struct options *o)
{
	if (!o->outdir)
		return EXIT_OK;
	int rc = make_dirs(o->outdir);
	if (rc < 0) {
		log_error("cannot use output directory '%s': %s", o->outdir, strerror(-rc));
		return EXIT_OUTPUT;
	}
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/eve.json", o->outdir) >= (int)sizeof(path)) {
		log_error("output directory path '%s' is too long", o->outdir);
		return EXIT_OUTPUT;
	}
	bool truncate = !o->iface && !o->append;
	rc = outfile_open(&pl->eve.out, path, truncate, o->out_backlog);
	if (rc < 0) {
		log_error("cannot write '%s': %s", path, strerror(-rc));
		return EXIT_OUTPUT;
	}
	pl->eve.open = true;
	pl->eve_enabled = true;
	/* the audit report at the end of an -r run, from aggregates fed as
	 * each record is written (issue 17: eve.json is not read back). With
	 * --append, eve.json holds earlier runs too: the report reads it. */
	if (!o->iface && !pl->learn && o->report && !o->append)
	{
		struct rep *r = report_feed_new(o->outdir);
		pl->eve.report = report_queue_start(r); /* NULL: read back */
		if (!pl->eve.report)
			report_feed_free(r);
	}
	return EXIT_OK;
}

/* pid file, then root goes: the capture and the outputs are open. The user
 * was looked up before any output was created. */
static int become_service(const struct options *o, uid_t uid, gid_t gid)
{
	if (o->pidfile) {
		int rc = pidfile_write(o->pidfile);
		if (rc < 0) {
			log_error("cannot write pid file '%s': %s", o->pidfile, strerror(-rc));
			return EXIT_OUTPUT;
		}
	}
	if (!o->user)
		return EXIT_OK;
	char err[256];
	if (o->outdir) {
		int rc = privdrop_chown_outputs(o->outdir, uid, gid);
		if (rc < 0)
			log_warn("cannot give '%s' to user '%s': %s; rotating outputs may fail",
				 o->outdir, o->user, strerror(-rc));
	}
	if (privdrop_to(uid, gid, err, sizeof(err)) < 0) {
		log_error("--user %s: %s", o->user, err);
		return EXIT_RUNTIME;
	}
	log_info("running as user '%s' (uid %u)", o->user, (unsigned)uid);
	return EXIT_OK;
}

/* --fail-on: a replay as a CI gate. Every hit counts, also those folded
 * into a repeat record or held back by the rate limit: the gate asks what
 * happened, not what was written. A failed run (1-6) keeps its own code. */
static int fail_on_verdict(const struct pipeline *pl, const struct options *o, int code)
{
	if (!o->fail_on || !pl->rules)
		return code;
	const struct alert_stats *as = rules_alert_stats(pl->rules);
	uint64_t at_or_above = 0;
	char detail[160] = "";
	size_t len = 0;
	for (int sev = 1; sev <= o->fail_on; sev++) {
		at_or_above += as->by_severity[sev];
		if (as->by_severity[sev] && len < sizeof(detail))
			len += (size_t)snprintf(detail + len, sizeof(detail) - len, "%s%" PRIu64 " %s",
						len ? ", " : "", as->by_severity[sev],
						rule_severity_name(sev));
	}
	const char *threshold = rule_severity_name(o->fail_on);
	if (!at_or_above) {
		log_info("--fail-on %s: no alert at or above %s", threshold, threshold);
		return code;
	}
	if (code != EXIT_OK) {
		log_warn("--fail-on %s: %" PRIu64 " alert hits at or above %s (%s), but the run "
			 "failed: exit %d",
			 threshold, at_or_above, threshold, detail, code);
		return code;
	}
	log_warn("--fail-on %s: %" PRIu64 " alert hits at or above %s (%s): exit %d", threshold,
		 at_or_above, threshold, detail, EXIT_FAIL_ON);
	return EXIT_FAIL_ON;
}

static int worse(int a, int b)
{
	/* the most serious failure decides the exit code */
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_INPUT_DAMAGED] = 1, [EXIT_INPUT] = 2,
				    [EXIT_OUTPUT] = 3, [EXIT_RUNTIME] = 4, [EXIT_USAGE] = 5,
				    [EXIT_POLICY] = 5 };
	return rank[b] > rank[a] ? b : a;
}

/* What a run reads: the capture files (-r, directories expanded) or one
 * interface (-i). `names` outlives the pipeline that keeps it. */
struct run_inputs {
	char **paths;
	int npaths;
	uint32_t skipped;        /* files in the directories that are not captures */
	const char *live_name[2];
	const char *const *names; /* the name of each source, by source index */
};

static int find_inputs(const struct options *o, struct run_inputs *in)
{
	memset(in, 0, sizeof(*in));
	in->live_name[0] = o->iface;
	in->names = in->live_name;
	if (o->iface)
		return EXIT_OK;
	char err[1024] = "";
	if (capture_expand_inputs(o->inputs, o->n_inputs, &in->paths, &in->npaths, &in->skipped, err,
				  sizeof(err)) < 0) {
		log_error("%s", err);
		return EXIT_INPUT;
	}
	if (in->npaths == 0) {
		log_error("no capture files to read");
		capture_free_inputs(in->paths, in->npaths);
		return EXIT_INPUT;
	}
	if (in->npaths > UINT16_MAX) {
		log_error("too many capture files (%d, at most %d per run)", in->npaths, UINT16_MAX);
		capture_free_inputs(in->paths, in->npaths);
		return EXIT_USAGE;
	}
	in->names = (const char *const *)in->paths;
	return EXIT_OK;
}

/* The first input is opened before any output exists, so a wrong -r or -i
 * leaves nothing behind. */
static int open_first_input(const struct options *o, const struct run_inputs *in,
			    struct capture *cap)
{
	char err[1024] = "";
	char warn[512];
	enum capture_error ce = o->iface
		? capture_open_live(cap, o,
				    pipeline_worker_count(o) > 1 ? CAPTURE_FANOUT_BLOCK_MS : CAPTURE_BLOCK_MS,
				    err, sizeof(err), warn, sizeof(warn))
		: capture_open_file(cap, in->paths[0], o->bpf, &stop_requested, err, sizeof(err));
	if (ce != CAP_OK) {
		log_error("%s", err);
		return ce == CAP_ERR_FILTER ? EXIT_USAGE : EXIT_INPUT;
	}
	if (o->iface && warn[0])
		log_warn("%s", warn);
	return EXIT_OK;
}

/* NULL when it cannot start: *code then says why (the policy, or not). */
static struct pipeline *start_pipeline(const struct options *o, const struct run_inputs *in,
				       struct learner *learn, int *code)
{
	char err[1024] = "";
	struct pipeline *pl = calloc(1, sizeof(*pl));
	if (!pl || pipeline_init(pl, o, in->names, o->iface != NULL, err, sizeof(err)) < 0) {
		log_error("%s", pl ? err : "out of memory");
		*code = pl && pl->policy_failed ? EXIT_POLICY : EXIT_RUNTIME;
		free(pl);
		return NULL;
	}
	if (learn)
		pipeline_set_learner(pl, learn);
	return pl;
}

/* eve.json with its run record and the evidence directory, then the
 * service (pid file, root goes). An unknown --user is a bad command line:
 * caught before any output exists. */
static int open_outputs(struct pipeline *pl, const struct options *o, const struct run_inputs *in,
			struct run_record **rr)
{
	uid_t uid = 0;
	gid_t gid = 0;
	char err[1024] = "";
	if (o->user && privdrop_lookup(o->user, &uid, &gid, err, sizeof(err)) < 0) {
		log_error("--user: %s", err);
		return EXIT_USAGE;
	}
	int code = open_eve_file(pl, o);
	if (code != EXIT_OK)
		return code;
	if (pl->eve_enabled) {
		*rr = run_record_start(*rr, pl, o, in->paths, in->npaths);
		pipeline_open_evidence(pl);
		pipeline_flush_output(pl);
	}
	return become_service(o, uid, gid);
}

/* Each file in turn, the first one already open; one that cannot be opened
 * is skipped and decides the exit code, like a damaged one. */
static int read_files(struct pipeline *pl, struct capture *cap, const struct options *o,
		      const struct run_inputs *in)
{
	int code = EXIT_OK;
	char err[1024] = "";
	if (pipeline_start_workers(pl, err, sizeof(err)) < 0)
		log_warn("%s: reading with one worker", err);
	pipeline_pin_reader(pl);
	/* evidence pcaps read from the capture files (evidence.c) when each
	 * of them can be read again: not standard input, not compressed */
	bool rereadable = pl->evidence != NULL;
	for (int i = 0; i < in->npaths && rereadable; i++)
		rereadable = capture_path_rereadable(in->paths[i]);
	if (rereadable)
		evidence_reread(pl->evidence);
	for (int i = 0; i < in->npaths && !stop_requested; i++) {
		if (i > 0) {
			enum capture_error ce = capture_open_file(cap, in->paths[i], o->bpf,
								  &stop_requested, err, sizeof(err));
			if (ce != CAP_OK) {
				log_error("%s", err);
				code = worse(code, ce == CAP_ERR_FILTER ? EXIT_USAGE : EXIT_INPUT);
				continue;
			}
		}
		log_debug("reading '%s' (%s)", in->paths[i], capture_dlt_name(cap->dlt));
		pipeline_set_source(pl, (uint16_t)i, cap->dlt);
		int rc = read_file(pl, cap, (uint16_t)i);
		pl->cap.files_read++;
		if (rc == EXIT_INPUT_DAMAGED)
			pl->cap.files_damaged++;
		code = worse(code, rc);
		capture_close(cap);
	}
	pipeline_stop_workers(pl);
	pipeline_unpin_reader(pl);
	return code;
}

/* Drive the capture: the interface until a signal, or the files to their
 * end. The capture is closed when this returns. */
static int read_inputs(struct pipeline *pl, struct capture *cap, const struct options *o,
		       const struct run_inputs *in)
{
	pl->cap.files_skipped = in->skipped;
	if (!o->iface)
		return read_files(pl, cap, o, in);
	pipeline_set_source(pl, 0, cap->dlt);
	char err[1024] = "";
	if (pipeline_start_live_workers(pl, cap, err, sizeof(err)) < 0)
		log_warn("%s: capturing with one worker", err);
	else if (pl->fanout)
		log_info("%u workers share '%s' (PACKET_FANOUT_HASH)", pl->nworkers, cap->name);
	pipeline_pin_reader(pl);
	int code = read_live(pl, cap, o);
	pipeline_unpin_reader(pl);
	capture_close(cap);
	return code;
}

/* Open flows flushed, the syslog queue given a few seconds, final stats. */
static void finish_pipeline(struct pipeline *pl, const struct options *o)
{
	if (stop_requested)
		log_info("stopping: flushing open flows");
	pipeline_finish(pl);
	pipeline_flush_syslog(pl, 5000);
	uint32_t usec;
	int64_t sec = o->iface ? wall_now(&usec) : pl->now_sec;
	if (!o->iface)
		usec = pl->now_usec;
	/* the final stats record says what the stream acknowledged of every
	 * record before it: those go first (the record itself goes after it,
	 * stop_publisher) */
	if (pl->publisher) {
		pipeline_flush_output(pl);
		pl->publish_left = publisher_drain(pl->publisher, (int)o->publish_drain * 1000, true);
	}
	pipeline_write_stats(pl, sec, usec, true);
}

static uint64_t flows_created(const struct pipeline *pl)
{
	struct pipeline_totals t;
	pipeline_totals(pl, &t);
	return t.ft.created;
}

/* eve.json closed and checked complete; an offline run then ends with its
 * audit report (issue 6: auditors and PSIRTs replay a capture and want the
 * zone separation at once). Returns EXIT_OK or EXIT_OUTPUT. */
static int close_eve(struct pipeline *pl, const struct options *o, bool learning)
{
	int code = EXIT_OK;
	uint64_t records = pl->eve.out.records;
	int rc = outfile_close(&pl->eve.out);
	bool eve_complete = rc >= 0 && !pl->eve.out.dropped;
	if (!eve_complete) {
		log_error("output '%s/eve.json' is incomplete: %" PRIu64 " records could not be "
			  "written (%s)",
			  o->outdir, pl->eve.out.dropped, strerror(rc < 0 ? -rc : ENOSPC));
		code = EXIT_OUTPUT;
	}
	if (o->verbosity >= 0)
		printf("fabmon: %" PRIu64 " flows, %" PRIu64 " records written to %s/eve.json\n",
		       flows_created(pl), records - pl->eve.out.dropped, o->outdir);
	if (!o->iface && !learning && o->report && !stop_requested && eve_complete) {
		char rerr[512];
		/* nDPI freed on the other core while the report thread takes
		 * its last records; the report's tree then reuses that memory */
		pipeline_release_classifiers_start(pl);
		struct rep *fed = report_queue_finish(pl->eve.report); /* every record fed */
		pl->eve.report = NULL;
		pipeline_release_classifiers_wait(pl);
		int rrc = fed ? report_feed_write(fed, NULL, o->report_lang, rerr, sizeof(rerr))
			      : report_generate(o->outdir, NULL, o->report_lang, rerr, sizeof(rerr));
		report_feed_free(fed);
		if (rrc < 0) {
			log_error("audit report not written: %s", rerr);
			code = EXIT_OUTPUT;
		} else if (o->verbosity >= 0) {
			printf("fabmon: audit report written to %s/report.html\n", o->outdir);
		}
	}
	return code;
}

/* --publish: eve.json's records to NATS JetStream from a thread of its own
 * (sensor/output/publish.h). One that cannot start is said; the capture
 * goes on. */
static void start_publisher(struct pipeline *pl, const struct options *o)
{
	char host[256] = "";
	if (!o->sensor_name && gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "sensor");
	struct publish_config pc = {
		.servers = o->publish, .site = o->site,
		.sensor = o->sensor_name ? o->sensor_name : host,
		.outdir = o->outdir, .creds = o->nats_creds, .tls_ca = o->nats_tls_ca,
		.types = o->publish_types,
	};
	char err[512];
	pl->publisher = publisher_start(&pc, err, sizeof(err));
	if (!pl->publisher)
		log_error("--publish: %s; capturing without publishing", err);
}

/* What eve.json holds given time to reach the servers, the rest left for
 * the next start (publish.state says where it stopped). */
static void stop_publisher(struct pipeline *pl, const struct options *o)
{
	if (!pl->publisher)
		return;
	/* what finish_pipeline's drain left waits no longer: only the final
	 * stats record gets the time again */
	int wait_ms = pl->publish_left ? 0 : (int)o->publish_drain * 1000;
	uint64_t left = publisher_drain(pl->publisher, wait_ms, false);
	char why[256];
	if (left && publisher_why(pl->publisher, why, sizeof(why)))
		log_warn("--publish: %" PRIu64 " bytes of %s/eve.json not yet acknowledged by %s "
			 "(%s); they are sent at the next start with this -o", left, o->outdir,
			 o->publish, why);
	else if (left)
		log_warn("--publish: %" PRIu64 " bytes of %s/eve.json not yet acknowledged by %s; "
			 "they are sent at the next start with this -o", left, o->outdir, o->publish);
	publisher_stop(pl->publisher);
	pl->publisher = NULL;
}

/* Without -o: the summary on stdout. */
static void print_summary(const struct pipeline *pl, const struct options *o,
			  const struct run_inputs *in)
{
	char what[256];
	if (o->iface)
		snprintf(what, sizeof(what), "interface %s", o->iface);
	else if (in->npaths == 1)
		snprintf(what, sizeof(what), "%s", in->paths[0]);
	else
		snprintf(what, sizeof(what), "%d capture files", in->npaths);
	pipeline_print_summary(pl, stdout, what);
}

int sensor_run(const struct options *o, struct learner *learn)
{
	log_set_level(o->verbosity < 0 ? LOG_ERROR : o->verbosity > 0 ? LOG_DEBUG : LOG_INFO);
	struct run_inputs in;
	int code = find_inputs(o, &in);
	if (code != EXIT_OK)
		return code;
	struct capture cap;
	code = open_first_input(o, &in, &cap);
	if (code != EXIT_OK) {
		capture_free_inputs(in.paths, in.npaths);
		return code;
	}
	/* From here a SIGTERM/SIGINT is a request to stop and flush, not death:
	 * the setup below (nDPI, policy, outputs) can take a while on a loaded
	 * machine, and a signal then must still leave complete outputs. */
	install_signals();
	/* the captures' SHA-256 for eve.json's run record, from now on */
	struct run_record *rr = o->outdir ? run_record_hash(o, in.paths, in.npaths) : NULL;
	struct pipeline *pl = start_pipeline(o, &in, learn, &code);
	if (!pl) {
		run_record_stop(rr);
		run_record_free(rr);
		capture_close(&cap);
		capture_free_inputs(in.paths, in.npaths);
		return code;
	}
	code = open_outputs(pl, o, &in, &rr);
	if (code != EXIT_OK) {
		eve_release(&pl->eve);
		run_record_stop(rr);
		run_record_free(rr);
		capture_close(&cap);
		pipeline_destroy(pl);
		free(pl);
		capture_free_inputs(in.paths, in.npaths);
		return code;
	}

	if (pl->eve_enabled && o->publish && !learn)
		start_publisher(pl, o);
	code = read_inputs(pl, &cap, o, &in);
	if (stop_requested)
		run_record_stop(rr);
	eve_release(&pl->eve); /* the run record, if it waited for the hashes */
	run_record_free(rr);
	finish_pipeline(pl, o);
	if (pl->eve_enabled)
		code = worse(code, close_eve(pl, o, learn != NULL));
	else if (!learn)
		print_summary(pl, o, &in);
	stop_publisher(pl, o);
	if (!learn)
		code = fail_on_verdict(pl, o, code);

	fflush(stdout);
	pipeline_destroy(pl);
	free(pl);
	capture_free_inputs(in.paths, in.npaths);
	pidfile_remove(o->pidfile);
	return code;
}
