/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the EVE writers. The whole packet path over a sequence
 * of frames (frames.h) with EVE output on, every record kind enabled (flow,
 * hsms all or non-routine by turns, modbus all, anomaly, asset, alert,
 * stats), so every string from the wire that reaches JSON passes the
 * writers. The records stay in the output's memory queue (never flushed:
 * no disk) and each line is checked:
 * it must be one JSON object that jansson parses (valid UTF-8, no duplicate
 * key). A crash or an invalid line is a finding. One fresh pipeline in
 * four also feeds the audit report's aggregates every record, as an -r
 * run does (report_feed.h), so that the wire's strings pass the feed too
 * (in every pipeline it halved the inputs a second).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "frames.h"
#include "report/report_feed.h"
#include "sensor/output/report_queue.h"
#include "util/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct options o;
static struct pipeline pl;
static unsigned long inputs, pipelines;

static void start(void)
{
	/* every HSMS message a record, or routine ones counted in the flow
	 * record (the default): each fresh pipeline takes the other */
	o.hsms_records = o.hsms_records == RECORDS_ALL ? RECORDS_DEFAULT : RECORDS_ALL;
	char err[256];
	if (pipeline_init(&pl, &o, NULL, false, err, sizeof(err)) < 0)
		abort();
	/* a sink that is never written: the queue is checked, then emptied */
	if (outfile_open(&pl.eve.out, "/dev/null", false, 64u << 20) < 0)
		abort();
	pl.eve.out.flush_at = SIZE_MAX;
	pl.eve.open = true;
	pl.eve_enabled = true;
	/* freed by pipeline_destroy; never written out */
	if (pipelines++ % 4 == 0 &&
	    !(pl.eve.report = report_queue_start(report_feed_new("/nonexistent"))))
		abort();
}

/* the queue was checked and emptied: closing writes nothing */
static void close_queue(void)
{
	pl.eve.out.len = 0;
	(void)outfile_close(&pl.eve.out);
	pl.eve.open = false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	fuzz_small_options(&o);
	o.modbus_records = RECORDS_ALL;
	start();
	return 0;
}

static void check_lines(struct outfile *out)
{
	const char *p = out->buf, *end = out->buf + out->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			fprintf(stderr, "EVE record without its newline: %.*s\n", (int)(end - p), p);
			abort();
		}
		json_error_t e;
		json_t *j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
		if (!j || !json_is_object(j)) {
			fprintf(stderr, "invalid EVE line (%s at column %d): %.*s\n",
				j ? "not an object" : e.text, e.column, (int)(nl - p), p);
			abort();
		}
		json_decref(j);
		p = nl + 1;
	}
	out->len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t t = fuzz_frames(&pl, data, size);
	pipeline_finish(&pl);
	pipeline_write_stats(&pl, t, 0, false);
	check_lines(&pl.eve.out);
	/* The state kept across inputs (assets, hosts, devices) is what a
	 * long run holds, but every finish writes a summary of all of it:
	 * a fresh pipeline every FUZZ_FRESH_EVERY inputs keeps that bounded
	 * (it was two thirds of the time once the tables were full) */
	if (++inputs % FUZZ_FRESH_EVERY == 0) {
		close_queue();
		pipeline_destroy(&pl);
		start();
	}
	return 0;
}
