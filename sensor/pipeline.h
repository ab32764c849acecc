/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-packet path, identical for files and live interfaces:
 *   decode -> worker: (IP reassembly) -> flow -> nDPI -> TCP reassembly ->
 *   dissectors
 * and the flow-end path: reassembly flush -> dissector finish -> flow record.
 * What the dissectors report, a flow classified and a flow ended fan out to
 * the event sinks each worker registers (worker.c).
 * The pipeline holds what all workers share: the rules, the learner, the
 * summary, EVE, evidence, syslog. Files may be read by several worker
 * threads (shards.h), a live interface too (fanout.h).
 * Time is capture time: timeouts follow packet timestamps, so replaying a
 * capture gives the same flows as watching it live.
 */
#ifndef FABMON_PIPELINE_H
#define FABMON_PIPELINE_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sensor/applayer.h"
#include "sensor/capture/counters.h"
#include "sensor/capture/decode.h"
#include "sensor/output/eve.h"
#include "sensor/output/eve_run.h"
#include "sensor/output/eve_sink.h"
#include "sensor/flow/flow.h"
#include "sensor/capture/ipfrag.h"
#include "sensor/options.h"
#include "sensor/rules_sink.h"
#include "dissectors/ndpi_classify.h"
#include "sensor/summary.h"
#include "sensor/flow/tcp_reasm.h"

struct shards;
struct worker;

struct pipeline {
	const struct options *opt;
	struct worker *w;             /* nworkers of them; w[0] always */
	unsigned nworkers;
	struct shards *shards;        /* their threads while files are read (pipeline_start_workers) */
	struct fanout *fanout;        /* their threads on a live interface (pipeline_start_live_workers) */
	unsigned paused;              /* pipeline_pause depth */
	struct eve eve;
	struct decode_counters dc;    /* what decoding counts; the workers count the rest */
	struct capture_counters cap;
	struct summary sum;
	uint16_t source;
	int dlt;
	int64_t now_sec;
	uint32_t now_usec;
	int64_t last_expire_sec;
	int64_t start_wall;
	bool eve_enabled;
	struct rules *rules;          /* NULL with --no-alerts */
	struct learner *learn;        /* `fabmon learn`: observes instead of enforcing */
	struct eve_sink eve_sink;     /* the EVE records of events and flows */
	uint32_t classify_gen;        /* +1 on each policy reload: every open flow is told again */
	uint64_t policy_reloads, policy_reload_failures;
	struct run_policy run_policy; /* the policy in force: digest, copy's name */
	struct evidence *evidence;    /* evidence pcaps, once the output directory is open */
	struct syslog_out *syslog;    /* --syslog */
	struct publisher *publisher;  /* --publish: started once eve.json is open (run.c) */
	uint64_t publish_left;        /* bytes not acknowledged when the final stats were written */
	bool policy_failed;           /* pipeline_init failed on the policy */
	cpu_set_t reader_cpus;        /* this thread's CPUs before --cpus pinned it */
	bool reader_pinned;
	pthread_t release_thread;     /* pipeline_release_classifiers_start's */
	bool releasing;
};

/* The workers' counters, summed. */
struct pipeline_totals {
	struct decode_counters dc;
	struct flow_table_stats ft;
	uint32_t ft_capacity;
	struct ipfrag_stats frag;
	struct tcp_reasm reasm;
	struct ndpi_classifier_stats ndpi;
	struct applayer_stats app;
};
void pipeline_totals(const struct pipeline *pl, struct pipeline_totals *t);

/* Workers for a run: --workers, or the online CPUs (0). */
unsigned pipeline_worker_count(const struct options *opt);

/* 0 on success; on failure err says why. */
int pipeline_init(struct pipeline *pl, const struct options *opt, const char *const *source_names,
		  bool live, char *err, size_t errlen);
void pipeline_destroy(struct pipeline *pl);

void pipeline_set_source(struct pipeline *pl, uint16_t source, int dlt);

/* One captured frame. */
/* A frame found at byte `at` of the current input's capture file (0: in
 * none; pipeline_packet). */
void pipeline_packet_at(struct pipeline *pl, int64_t ts_sec, uint32_t ts_usec, uint32_t caplen,
			uint32_t wirelen, const uint8_t *data, uint64_t at);
void pipeline_packet(struct pipeline *pl, int64_t ts_sec, uint32_t ts_usec, uint32_t caplen,
		     uint32_t wirelen, const uint8_t *data);

/* No packet for a while (live): let time advance for timeouts. */
void pipeline_tick(struct pipeline *pl, int64_t now_sec, uint32_t now_usec);

/* Start the worker threads (with more than one worker): packets go to them
 * until pipeline_stop_workers. 0, or -1 (err says why; the workers then run
 * on this thread). */
int pipeline_start_workers(struct pipeline *pl, char *err, size_t errlen);
/* Start the worker threads of a live interface (with more than one
 * worker): capture is first, already open, read by worker 0 on this
 * thread (fanout_read_own); each other worker gets a socket of its own
 * (fanout.h). 0, or -1 (err says why; worker 0 then reads alone). */
struct capture;
int pipeline_start_live_workers(struct pipeline *pl, struct capture *first, char *err,
				size_t errlen);
/* This thread reads the capture and is worker 0: pinned to its CPU of
 * --cpus (after the output threads have started, so that they stay free)
 * until pipeline_unpin_reader, before the threads of the run's end start. */
void pipeline_pin_reader(struct pipeline *pl);
void pipeline_unpin_reader(struct pipeline *pl);
/* Wait until the worker threads have done what they were given, and keep
 * them waiting until pipeline_resume: the pipeline may be used from this
 * thread in between (a reload, a stats record). Pairs may nest. */
void pipeline_pause(struct pipeline *pl);
void pipeline_resume(struct pipeline *pl);
/* Stop and join them. */
void pipeline_stop_workers(struct pipeline *pl);

/* End every flow that is still open. */
void pipeline_finish(struct pipeline *pl);
/* After pipeline_finish, before the audit report: nDPI's detection
 * modules freed on a thread of their own (their teardown is some 10 ms of
 * tables) while the report's thread takes its last records, joined by
 * _wait (or pipeline_destroy) before the report's tree is built, which
 * then takes their memory instead of adding to the run's peak. Their
 * counters stay; nothing may classify or name a protocol meanwhile. */
void pipeline_release_classifiers_start(struct pipeline *pl);
void pipeline_release_classifiers_wait(struct pipeline *pl);

/* A stats record at capture time (sec, usec). */
void pipeline_write_stats(struct pipeline *pl, int64_t sec, uint32_t usec, bool final);

/* The short human summary of the run to out; what: the capture it read. */
void pipeline_print_summary(const struct pipeline *pl, FILE *out, const char *what);

/* Observe for `fabmon learn` instead of checking rules (opt->rules_enabled
 * must be false). */
struct learner;
void pipeline_set_learner(struct pipeline *pl, struct learner *l);

/* Re-read the policy file (SIGHUP). On error the old policy stays; err
 * says why. 0 reloaded (every open flow is checked again), 1 no file to
 * re-read, 2 the file did not change, -1 error. */
int pipeline_reload_policy(struct pipeline *pl, char *err, size_t errlen);

/* Keep a copy of the policy in force beside eve.json (policy-SHA.yaml) and
 * write a `policy` record if reload. 0, or -errno (said in the log). */
int pipeline_save_policy(struct pipeline *pl, bool reload);

/* Start writing evidence pcaps under the output directory. */
void pipeline_open_evidence(struct pipeline *pl);

/* Send queued syslog messages when the receiver takes them (never blocks). */
void pipeline_poll_outputs(struct pipeline *pl);
/* Shutdown: give the syslog receiver up to timeout_ms for what is queued. */
void pipeline_flush_syslog(struct pipeline *pl, int timeout_ms);

/* Flush queued output. */
void pipeline_flush_output(struct pipeline *pl);

#endif
