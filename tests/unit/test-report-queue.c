/* SPDX-License-Identifier: BSD-2-Clause */
/* The report's feed through its thread (sensor/output/report_queue.c) gives
 * the report it gives fed directly: the same calls, in the same order,
 * through many chunks (the feeding side waits for free ones), with records
 * larger than a chunk among them (more than there are chunks, one after the
 * other), strings NULL and empty. The two
 * report.json files must be the same but for their generation time. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_feed.h"
#include "sensor/output/report_queue.h"
#include "test.h"

#define CALLS 12000

struct feeder {
	struct rep *r;            /* direct */
	struct report_queue *q;   /* or queued */
};

static void rec(struct feeder *fd, const char *et, const char *line)
{
	size_t len = strlen(line);
	if (fd->q)
		report_queue_record(fd->q, et, "sensor-a", line, len);
	else
		report_feed_record(fd->r, et, "sensor-a", line, len);
}

static void feed_all(struct feeder *fd, const char *huge)
{
	char line[1024], src[32], dst[32], ts[64], what[16];
	for (int i = 0; i < CALLS; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i % 7, i % 200);
		snprintf(dst, sizeof(dst), "10.2.0.%d", i % 50);
		snprintf(ts, sizeof(ts), "2026-03-02T08:%02d:%02d.%06d+0000", (i / 60) % 60, i % 60, i);
		snprintf(what, sizeof(what), "S%dF%d", 1 + i % 9, 1 + i % 13);
		struct report_flow f = {
			.start = ts, .end = ts, .src_ip = src, .dest_ip = dst,
			.app_proto = i % 3 ? "hsms" : NULL, .bytes = (uint64_t)i * 91,
			.has_port = i % 5 != 0, .dest_port = 5000 + (uint32_t)(i % 3),
			.has_policy = i % 4 != 0, .verdict = i % 11 ? "allowed" : "violation",
			.src_zone = i % 2 ? "fab-equipment" : NULL, .dest_zone = "fab-system",
			.conduit = i % 11 ? "hsms-host" : NULL,
			.violated_conduit = i % 11 ? NULL : "hsms-host", .alerts = (uint64_t)(i % 11 == 0),
		};
		snprintf(line, sizeof(line),
			 "{\"timestamp\":\"%s\",\"event_type\":\"flow\",\"src_ip\":\"%s\",\"dest_ip\":\"%s\"}\n",
			 ts, src, dst);
		rec(fd, "flow", line);
		if (fd->q) {
			report_queue_flow(fd->q, &f);
			report_queue_flow_hsms(fd->q, src, dst, what, (uint64_t)i % 17, ts, ts);
			report_queue_hsms(fd->q, src, dst, what, ts);
			report_queue_flow_modbus(fd->q, src, dst, (uint64_t)i, (uint64_t)i % 3);
			report_queue_flow_modbus_access(fd->q, src, dst, i % 2 ? "read" : "write", 7);
			report_queue_modbus_request(fd->q, src, dst, i % 2 ? "Read Holding Registers" : "");
		} else {
			report_feed_flow(fd->r, &f);
			report_feed_flow_hsms(fd->r, src, dst, what, (uint64_t)i % 17, ts, ts);
			report_feed_hsms(fd->r, src, dst, what, ts);
			report_feed_flow_modbus(fd->r, src, dst, (uint64_t)i, (uint64_t)i % 3);
			report_feed_flow_modbus_access(fd->r, src, dst, i % 2 ? "read" : "write", 7);
			report_feed_modbus_request(fd->r, src, dst, i % 2 ? "Read Holding Registers" : "");
		}
		if (i % 10 == 0) {
			/* a kind the report reads from its text */
			snprintf(line, sizeof(line),
				 "{\"timestamp\":\"%s\",\"event_type\":\"asset\",\"src_ip\":\"%s\","
				 "\"asset\":{\"ip\":\"%s\",\"kind\":\"equipment\",\"model\":\"ETCH-%d\","
				 "\"softrev\":\"%d.0\"}}\n",
				 ts, src, src, i % 4, i % 3);
			rec(fd, "asset", line);
		}
		if (i == CALLS / 2) /* larger than a chunk, more of them than chunks (32) */
			for (int k = 0; k < 40; k++)
				rec(fd, "asset", huge);
	}
}

static json_t *report_of(struct rep *r, const char *out)
{
	char err[256];
	CHECK_EQ(report_feed_write(r, out, "en", err, sizeof(err)), 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/report.json", out);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	CHECK(j != NULL);
	json_t *meta = json_object_get(j, "report");
	if (meta)
		json_object_del(meta, "generated");
	return j;
}

int main(void)
{
	char dir[] = "/tmp/fabmon-rq-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char a[700], b[700];
	snprintf(a, sizeof(a), "%s/direct", dir);
	snprintf(b, sizeof(b), "%s/queued", dir);

	/* an asset record of 300 kB (a model name no tool has; the report
	 * keeps it) */
	size_t hn = 300 * 1024;
	char *huge = malloc(hn + 256);
	CHECK(huge != NULL);
	if (!huge)
		return test_done();
	int k = snprintf(huge, 256,
			 "{\"timestamp\":\"2026-03-02T08:30:00.000000+0000\",\"event_type\":\"asset\","
			 "\"src_ip\":\"10.9.9.9\",\"asset\":{\"ip\":\"10.9.9.9\",\"kind\":\"equipment\","
			 "\"model\":\"");
	memset(huge + k, 'M', hn);
	strcpy(huge + k + hn, "\"}}\n");

	struct feeder direct = { report_feed_new(dir), NULL };
	CHECK(direct.r != NULL);
	struct rep *qr = report_feed_new(dir);
	struct feeder queued = { NULL, report_queue_start(qr) };
	CHECK(queued.q != NULL);
	if (!direct.r || !queued.q)
		return test_done();
	feed_all(&direct, huge);
	feed_all(&queued, huge);
	struct rep *back = report_queue_finish(queued.q);
	CHECK(back == qr);
	json_t *ja = report_of(direct.r, a), *jb = report_of(back, b);
	CHECK(ja && jb && json_equal(ja, jb));
	/* and it has what was fed: the flows, the huge asset */
	const json_t *s = json_object_get(jb, "summary");
	CHECK_EQ(json_integer_value(json_object_get(s, "flows")), CALLS);
	char *text = json_dumps(jb, 0);
	CHECK(text && strstr(text, "MMMMMMMMMMMMMMMMMMMM") != NULL);
	free(text);
	json_decref(ja);
	json_decref(jb);
	report_feed_free(direct.r);
	report_feed_free(back);
	free(huge);
	CHECK_EQ(test_remove_tree(dir), 0);
	return test_done();
}
