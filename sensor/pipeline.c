/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dissectors/ndpi_classify.h"
#include "sensor/output/report_queue.h"
#include "sensor/ndpi_feed.h"
#include "rules/engine.h"
#include "sensor/output/eve_alert.h"
#include "sensor/output/eve_exposure.h"
#include "sensor/output/eve_sink.h"
#include "sensor/output/evidence.h"
#include "sensor/output/stats.h"
#include "util/cpu_list.h"
#include "util/log.h"
#include "util/sha256.h"
#include "sensor/output/publish.h"
#include "sensor/output/syslog_out.h"
#include "sensor/fanout.h"
#include "sensor/shards.h"
#include "sensor/worker.h"
#include "zones/policy_file.h"

/* A rule hit, written or folded into an aggregation window: its evidence is
 * written or noted now, while its flow is there; the record names it
 * (struct alert_mark carries the note through rules/, opaque there). */
_Static_assert(sizeof(struct evidence_note) <= sizeof(struct alert_mark),
	       "an evidence note travels in an alert mark");

static struct alert_mark mark_evidence(void *ctx, const struct alert *hit, bool repeat)
{
	struct pipeline *pl = ctx;
	struct flow *f = hit->flow_id ? hit->sensor_flow : NULL;
	struct evidence_note n;
	evidence_note_hit(pl->evidence, f, repeat, &n);
	struct alert_mark m;
	memset(&m, 0, sizeof(m));
	memcpy(&m, &n, sizeof(n));
	return m;
}

/* Where the rules' alerts go: the flow's count and evidence, the summary,
 * eve.json and syslog. */
static void write_alert(void *ctx, const struct alert *a)
{
	struct pipeline *pl = ctx;
	/* the flow it was raised on (none for repeats: that flow may be gone) */
	struct flow *f = a->flow_id ? a->sensor_flow : NULL;
	if (f && !a->repeat)
		f->alert_hits++;
	/* where its hits' packets are, noted by mark_evidence */
	struct evidence_note n;
	memcpy(&n, &a->mark, sizeof(n));
	struct evidence_ref ref;
	if (!evidence_resolve(pl->evidence, &n, &ref) && ref.none != EVIDENCE_NONE_OFF)
		evidence_without(pl->evidence);
	summary_alert(&pl->sum, a);
	char id[17];
	eve_alert_id(a, id);
	if (!pl->eve_enabled && !pl->syslog)
		return;
	eve_alert_build(&pl->eve, a, id, &ref);
	if (pl->syslog && !pl->eve.jb.oom)
		syslog_out_send(pl->syslog, a->severity, a->def->id, pl->eve.jb.p, pl->eve.jb.len,
				a->repeat ? a->last_sec : a->first_sec,
				a->repeat ? a->last_usec : a->first_usec);
	if (pl->eve_enabled)
		eve_put(&pl->eve, &pl->eve.jb);
}

/* The outputs from the capture loop's thread while live workers run. */
static void outputs_lock(struct pipeline *pl)
{
	if (pl->fanout)
		fanout_lock(pl->fanout);
}

static void outputs_unlock(struct pipeline *pl)
{
	if (pl->fanout)
		fanout_unlock(pl->fanout);
}

void pipeline_poll_outputs(struct pipeline *pl)
{
	if (!pl->syslog)
		return;
	outputs_lock(pl);
	syslog_out_poll(pl->syslog);
	outputs_unlock(pl);
}

void pipeline_flush_syslog(struct pipeline *pl, int timeout_ms)
{
	if (!pl->syslog)
		return;
	uint32_t lost = syslog_out_flush(pl->syslog, timeout_ms);
	if (lost)
		log_error("syslog receiver %s: %u alerts could not be delivered before exit (counted in "
			  "stats.syslog.dropped)", pl->opt->syslog, lost);
}

void pipeline_open_evidence(struct pipeline *pl)
{
	if (pl->rules && pl->opt->outdir && pl->opt->evidence.ring_packets && !pl->evidence)
		pl->evidence = evidence_create(&pl->opt->evidence, pl->opt->outdir);
	for (unsigned i = 0; i < pl->nworkers; i++)
		pl->w[i].sh.evidence = pl->evidence;
}

static void policy_in_force(struct pipeline *pl)
{
	const struct policy *p = rules_policy(pl->rules);
	struct run_policy *rp = &pl->run_policy;
	rp->policy = p;
	sha256_hex(p->text ? p->text : "", p->text ? p->text_len : 0, rp->sha256);
	snprintf(rp->copy, sizeof(rp->copy), "policy-%.12s.yaml", rp->sha256);
	pl->eve.policy = p;
}

int pipeline_save_policy(struct pipeline *pl, bool reload)
{
	if (!pl->rules || !pl->eve_enabled || !pl->opt->outdir)
		return 0;
	const struct policy *p = pl->run_policy.policy;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", pl->opt->outdir, pl->run_policy.copy);
	int rc = 0;
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(p->text, 1, p->text_len, fp) != p->text_len)
		rc = -1;
	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc < 0) {
		log_error("cannot keep a copy of the policy in '%s': %s", path, strerror(errno));
		pl->run_policy.copy[0] = '\0';
	}
	if (reload)
		eve_policy(&pl->eve, pl->now_sec, pl->now_usec, &pl->run_policy, true);
	return rc;
}

unsigned pipeline_worker_count(const struct options *opt)
{
	long n = opt->workers ? (long)opt->workers : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > OPT_MAX_WORKERS ? OPT_MAX_WORKERS : (unsigned)n;
}

int pipeline_init(struct pipeline *pl, const struct options *opt, const char *const *source_names,
		  bool live, char *err, size_t errlen)
{
	memset(pl, 0, sizeof(*pl));
	pl->opt = opt;
	pl->start_wall = (int64_t)time(NULL);
	pl->classify_gen = 1; /* a new flow's 0: not yet told */

	pl->eve.sensor_name = opt->sensor_name;
	pl->eve.source_names = source_names;
	pl->eve.live = live;
	if (!jb_init(&pl->eve.jb, 4096)) {
		snprintf(err, errlen, "out of memory");
		pipeline_destroy(pl);
		return -1;
	}
	pl->eve_sink.eve = &pl->eve;
	pl->eve_sink.hsms = (enum eve_records)opt->hsms_records;
	pl->eve_sink.modbus = (enum eve_records)opt->modbus_records;
	pl->eve_sink.flow_records_all = opt->flow_records_all;
	pl->eve_sink.attempts.flows_recorded = opt->flow_records_all;
	if (opt->rules_enabled) {
		struct policy_error pe;
		struct policy *pol = NULL;
		if (opt->policy && !(pol = policy_load_file(opt->policy, &pe))) {
			policy_error_format(&pe, err, errlen);
			pl->policy_failed = true;
			pipeline_destroy(pl);
			return -1;
		}
		struct rules_config rc2 = {
			.window_override = opt->alert_window,
			.rate_override = opt->alert_rate,
			.max_hosts = opt->max_hosts,
			.mark = mark_evidence,
		};
		pl->rules = rules_create(pol, &rc2, write_alert, pl, &pe);
		if (!pl->rules) {
			policy_error_format(&pe, err, errlen);
			pl->policy_failed = true;
			pipeline_destroy(pl);
			return -1;
		}
		policy_in_force(pl);
		if (opt->syslog) {
			struct syslog_config sc;
			memset(&sc, 0, sizeof(sc));
			syslog_parse_target(opt->syslog, &sc, err, errlen);
			sc.facility = opt->syslog_facility;
			sc.queue_max = opt->syslog_queue;
			sc.hostname = opt->sensor_name;
			pl->syslog = syslog_out_create(&sc, err, errlen);
			if (!pl->syslog) {
				pipeline_destroy(pl);
				return -1;
			}
		}
	}
	unsigned n = pipeline_worker_count(opt);
	pl->w = calloc(n, sizeof(*pl->w));
	if (!pl->w) {
		snprintf(err, errlen, "out of memory for %u workers", n);
		pipeline_destroy(pl);
		return -1;
	}
	struct worker_shared shared = {
		.opt = opt,
		.rules = pl->rules,
		.evidence = pl->evidence,
		.sum = &pl->sum,
		.eve_sink = &pl->eve_sink,
		.classify_gen = &pl->classify_gen,
	};
	for (unsigned i = 0; i < n; i++) {
		pl->nworkers = i + 1;
		/* one inventory for all: the dissectors' global state is worker 0's */
		shared.dissectors = i ? &pl->w[0].app : NULL;
		if (worker_init(&pl->w[i], &shared, i, n, err, errlen) < 0) {
			pipeline_destroy(pl);
			return -1;
		}
		worker_register_sinks(&pl->w[i]);
	}
	pl->eve.ndpi = pl->w[0].ndpi; /* for names only */
	return 0;
}

void pipeline_set_learner(struct pipeline *pl, struct learner *l)
{
	pl->learn = l;
	for (unsigned i = 0; i < pl->nworkers; i++) {
		pl->w[i].rules_sink.learn = l;
		worker_register_sinks(&pl->w[i]);
	}
}

int pipeline_reload_policy(struct pipeline *pl, char *err, size_t errlen)
{
	if (!pl->rules || !pl->opt->policy)
		return 1;
	struct policy_error pe;
	struct policy *pol = policy_load_file(pl->opt->policy, &pe);
	if (pol) {
		/* the same bytes (a logrotate HUP): nothing to re-check */
		char sha[65];
		sha256_hex(pol->text, pol->text_len, sha);
		if (strcmp(sha, pl->run_policy.sha256) == 0) {
			policy_free(pol);
			return 2;
		}
	}
	if (!pol || rules_set_policy(pl->rules, pol, &pe) < 0) {
		policy_error_format(&pe, err, errlen);
		pl->policy_reload_failures++;
		return -1;
	}
	pl->policy_reloads++;
	pl->classify_gen++;
	policy_in_force(pl);
	pipeline_save_policy(pl, true);
	return 0;
}

void pipeline_destroy(struct pipeline *pl)
{
	pipeline_release_classifiers_wait(pl);
	pipeline_stop_workers(pl);
	syslog_out_destroy(pl->syslog);
	pl->syslog = NULL;
	evidence_destroy(pl->evidence);
	pl->evidence = NULL;
	/* worker 0's dissectors last: the others borrow their global state */
	for (unsigned i = pl->nworkers; i-- > 0;)
		worker_destroy(&pl->w[i]);
	free(pl->w);
	pl->w = NULL;
	pl->nworkers = 0;
	rules_destroy(pl->rules);
	pl->rules = NULL;
	jb_free(&pl->eve.jb);
	report_feed_free(report_queue_finish(pl->eve.report));
	pl->eve.report = NULL;
}

void pipeline_set_source(struct pipeline *pl, uint16_t source, int dlt)
{
	pl->source = source;
	pl->dlt = dlt;
}

static void shared_tick(struct pipeline *pl, int64_t sec)
{
	if (pl->rules)
		rules_tick(pl->rules, sec);
	eve_sink_tick(&pl->eve_sink, sec);
}

static void advance_clock(struct pipeline *pl, int64_t sec, uint32_t usec)
{
	if (sec < pl->now_sec || (sec == pl->now_sec && usec <= pl->now_usec))
		return; /* time never runs backwards for timeouts */
	pl->now_sec = sec;
	pl->now_usec = usec;
	if (sec != pl->last_expire_sec) {
		pl->last_expire_sec = sec;
		/* with worker threads, while they wait: the flows of all tables
		 * end in the order of one */
		pipeline_pause(pl);
		workers_expire(pl->w, pl->nworkers, sec, usec);
		shared_tick(pl, sec);
		pipeline_resume(pl);
	}
}

/* The worker of a decoded frame (with threads: by its address pair). */
static void dispatch(struct pipeline *pl, struct packet *p)
{
	if (pl->shards) {
		if (!shards_packet(pl->shards, p, pl->source, pl->dlt, pl->dc.packets))
			pl->dc.no_flow++; /* no memory to hand it over */
	} else {
		worker_packet(&pl->w[0], p, pl->source, pl->dlt, pl->dc.packets);
	}
}

void pipeline_packet(struct pipeline *pl, int64_t ts_sec, uint32_t ts_usec, uint32_t caplen,
		     uint32_t wirelen, const uint8_t *data)
{
	pipeline_packet_at(pl, ts_sec, ts_usec, caplen, wirelen, data, 0);
}

void pipeline_packet_at(struct pipeline *pl, int64_t ts_sec, uint32_t ts_usec, uint32_t caplen,
			uint32_t wirelen, const uint8_t *data, uint64_t at)
{
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.ts_sec = ts_sec;
	p.ts_usec = ts_usec;
	p.caplen = caplen;
	p.wirelen = wirelen < caplen ? caplen : wirelen;
	p.data = data;
	p.at = at;

	advance_clock(pl, ts_sec, ts_usec);
	enum decode_status st = decode_counted(&p, pl->dlt, &pl->dc);
	if (st == DEC_OK || st == DEC_FRAGMENT)
		dispatch(pl, &p);
}

void pipeline_tick(struct pipeline *pl, int64_t now_sec, uint32_t now_usec)
{
	advance_clock(pl, now_sec, now_usec);
}

int pipeline_start_workers(struct pipeline *pl, char *err, size_t errlen)
{
	if (pl->nworkers < 2 || pl->shards)
		return 0;
	pl->shards = shards_start(pl->w, pl->nworkers, err, errlen);
	return pl->shards ? 0 : -1;
}

int pipeline_start_live_workers(struct pipeline *pl, struct capture *first, char *err,
				size_t errlen)
{
	if (pl->nworkers < 2 || pl->fanout)
		return 0;
	pl->fanout = fanout_start(pl->w, pl->nworkers, first, pl->source, pl->opt, err, errlen);
	return pl->fanout ? 0 : -1;
}

void pipeline_pin_reader(struct pipeline *pl)
{
	if (!pl->opt->n_cpus || pl->reader_pinned)
		return;
	pl->reader_pinned = cpu_save_self(&pl->reader_cpus) == 0;
	worker_thread_begin(&pl->w[0], true);
}

void pipeline_unpin_reader(struct pipeline *pl)
{
	if (!pl->reader_pinned)
		return;
	pl->reader_pinned = false;
	cpu_restore_self(&pl->reader_cpus);
}

void pipeline_pause(struct pipeline *pl)
{
	if (pl->paused++ > 0)
		return; /* nested: the outermost pair counts */
	if (pl->shards)
		shards_pause(pl->shards);
	if (pl->fanout)
		fanout_pause(pl->fanout);
}

void pipeline_resume(struct pipeline *pl)
{
	if (pl->paused == 0 || --pl->paused > 0)
		return;
	if (pl->shards)
		shards_resume(pl->shards);
	if (pl->fanout)
		fanout_resume(pl->fanout);
}

void pipeline_stop_workers(struct pipeline *pl)
{
	shards_stop(pl->shards);
	pl->shards = NULL;
	fanout_stop(pl->fanout, &pl->cap);
	pl->fanout = NULL;
}

void pipeline_finish(struct pipeline *pl)
{
	pipeline_stop_workers(pl);
	workers_flush(pl->w, pl->nworkers);
	applayer_finish(&pl->w[0].app, pl->now_sec, pl->now_usec);
	if (pl->rules)
		rules_finish(pl->rules);
	eve_sink_finish(&pl->eve_sink);
	/* each fab host's exposure, as the run saw it (issue 19 item 1) */
	if (pl->rules)
		eve_exposure_all(&pl->eve, rules_exposure(pl->rules));
}

static void *release_classifiers(void *arg)
{
	struct pipeline *pl = arg;
	for (unsigned i = 0; i < pl->nworkers; i++)
		worker_release_classifier(&pl->w[i]);
	return NULL;
}

void pipeline_release_classifiers_start(struct pipeline *pl)
{
	pipeline_stop_workers(pl);
	pl->eve.ndpi = NULL; /* no record is written after pipeline_finish's */
	pl->releasing = pthread_create(&pl->release_thread, NULL, release_classifiers, pl) == 0;
	if (!pl->releasing)
		release_classifiers(pl);
}

void pipeline_release_classifiers_wait(struct pipeline *pl)
{
	if (pl->releasing)
		pthread_join(pl->release_thread, NULL);
	pl->releasing = false;
}

void pipeline_flush_output(struct pipeline *pl)
{
	if (!pl->eve_enabled)
		return;
	outputs_lock(pl);
	eve_flush(&pl->eve);
	outputs_unlock(pl);
}

static void add_u64s(uint64_t *to, const uint64_t *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] += from[i];
}

void pipeline_totals(const struct pipeline *pl, struct pipeline_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->dc = pl->dc;
	for (unsigned i = 0; i < pl->nworkers; i++) {
		const struct worker *w = &pl->w[i];
		_Static_assert(sizeof(struct decode_counters) % sizeof(uint64_t) == 0,
			       "decode counters are all uint64_t");
		add_u64s((uint64_t *)&t->dc, (const uint64_t *)&w->dc,
			 sizeof(w->dc) / sizeof(uint64_t));
		const struct flow_table_stats *fs = flow_table_stats(w->ft);
		t->ft.created += fs->created;
		t->ft.ended += fs->ended;
		t->ft.timeouts += fs->timeouts;
		t->ft.evicted += fs->evicted;
		t->ft.reused += fs->reused;
		t->ft.active += fs->active;
		t->ft.active_peak += fs->active_peak; /* each table's peak: an upper bound */
		t->ft.emergency |= fs->emergency;
		t->ft.emergencies += fs->emergencies;
		t->ft.emergency_timeouts += fs->emergency_timeouts;
		t->ft_capacity += flow_table_capacity(w->ft);
		const struct ipfrag_stats *is = ipfrag_stats(w->frag);
		t->frag.fragments += is->fragments;
		t->frag.reassembled += is->reassembled;
		t->frag.timeouts += is->timeouts;
		t->frag.evicted += is->evicted;
		t->frag.overlaps += is->overlaps;
		t->frag.overlap_diff += is->overlap_diff;
		t->frag.invalid += is->invalid;
		t->frag.in_progress += is->in_progress;
		t->reasm.cfg = w->reasm.cfg;
		t->reasm.mem_used += w->reasm.mem_used;
		t->reasm.mem_peak += w->reasm.mem_peak;
		t->reasm.memcap_hits += w->reasm.memcap_hits;
		t->reasm.forced_gaps += w->reasm.forced_gaps;
		const struct ndpi_classifier_stats *ns = w->ndpi ? ndpi_classifier_stats(w->ndpi) : &w->ndpi_final;
		t->ndpi.detected += ns->detected;
		t->ndpi.guessed += ns->guessed;
		t->ndpi.unknown += ns->unknown;
		t->ndpi.pool_exhausted += ns->pool_exhausted;
		t->ndpi.pool_in_use += ns->pool_in_use;
		t->ndpi.pool_peak += ns->pool_peak;
		t->app.claimed += w->app.st.claimed;
		t->app.events += w->app.st.events;
		t->app.anomalies += w->app.st.anomalies;
		t->app.parse_errors += w->app.st.parse_errors;
		t->app.buffer_overflows += w->app.st.buffer_overflows;
		t->app.gaps += w->app.st.gaps;
		t->app.memuse += w->app.st.memuse;
		t->app.mempeak += w->app.st.mempeak; /* each worker's peak: an upper bound */
		t->app.memcap_hits += w->app.st.memcap_hits;
	}
}

void pipeline_write_stats(struct pipeline *pl, int64_t sec, uint32_t usec, bool final)
{
	if (!pl->eve_enabled)
		return;
	pipeline_pause(pl); /* every worker's counters */
	struct pipeline_totals t;
	pipeline_totals(pl, &t);
	struct publish_stats ps;
	publisher_stats(pl->publisher, &ps);
	struct stats_sources src = {
		.start_wall = pl->start_wall,
		.cap = &pl->cap,
		.dc = &t.dc,
		.frag = &t.frag,
		.ft = &t.ft,
		.ft_capacity = t.ft_capacity,
		.reasm = &t.reasm,
		.ndpi = &t.ndpi,
		.app = &t.app,
		.rules = pl->rules,
		.policy_reloads = pl->policy_reloads,
		.policy_reload_failures = pl->policy_reload_failures,
		.syslog = pl->syslog,
		.syslog_target = pl->opt->syslog,
		.evidence = pl->evidence,
		.publish = pl->publisher ? &ps : NULL,
		.publish_target = pl->opt->publish,
	};
	stats_write(&pl->eve, &src, sec, usec, final);
	pipeline_resume(pl);
}

void pipeline_print_summary(const struct pipeline *pl, FILE *out, const char *what)
{
	struct pipeline_totals t;
	pipeline_totals(pl, &t);
	struct summary_counts c = {
		.packets = t.dc.packets,
		.bytes = t.dc.bytes,
		.flows = t.ft.created,
		.evicted = t.ft.evicted,
		.not_ip = t.dc.status[DEC_NOT_IP],
		.truncated = t.dc.status[DEC_TRUNCATED],
		.invalid = t.dc.status[DEC_INVALID],
		.payload_truncated = t.dc.payload_truncated,
		.fragments = t.frag.fragments,
		.reassembled = t.frag.reassembled,
		.kernel_received = pl->cap.kernel_received,
		.kernel_dropped = pl->cap.kernel_dropped,
		.iface_dropped = pl->cap.iface_dropped,
		.alerts = pl->rules != NULL,
	};
	summary_print(out, &pl->sum, &c, what);
}
