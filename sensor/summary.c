/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/pipeline.h"

void summary_flow(struct summary *s, const struct flow *f, const char *app)
{
	int pi = f->key.proto == 6 ? 0 : f->key.proto == 17 ? 1 :
		 (f->key.proto == 1 || f->key.proto == 58) ? 2 : 3;
	s->flows_by_proto[pi]++;
	if (s->first_sec == 0 || f->first.sec < s->first_sec)
		s->first_sec = f->first.sec;
	if (f->last.sec > s->last_sec)
		s->last_sec = f->last.sec;
	for (int i = 0; i < s->napps; i++) {
		if (strcmp(s->apps[i].name, app) == 0) {
			s->apps[i].flows++;
			s->apps[i].pkts += f->pkts[0] + f->pkts[1];
			s->apps[i].bytes += f->bytes[0] + f->bytes[1];
			return;
		}
	}
	if (s->napps == SUMMARY_MAX_APPS) {
		s->other_apps++;
		return;
	}
	struct summary_app *a = &s->apps[s->napps++];
	snprintf(a->name, sizeof(a->name), "%s", app);
	a->flows = 1;
	a->pkts = f->pkts[0] + f->pkts[1];
	a->bytes = f->bytes[0] + f->bytes[1];
}

static int by_flows(const void *x, const void *y)
{
	const struct summary_app *a = x, *b = y;
	if (a->flows != b->flows)
		return a->flows > b->flows ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void fmt_time(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (sec == 0 || !gmtime_r(&t, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

void summary_print(FILE *out, const struct summary *s, const struct pipeline *pl, const char *what)
{
	const struct decode_counters *dc = &pl->dc;
	const struct flow_table_stats *ft = flow_table_stats(pl->ft);
	char t0[32], t1[32];
	fmt_time(s->first_sec, t0, sizeof(t0));
	fmt_time(s->last_sec, t1, sizeof(t1));
	fprintf(out, "fabmon summary of %s\n", what);
	fprintf(out, "  packets   %" PRIu64 " (%" PRIu64 " bytes), %s .. %s\n", dc->packets, dc->bytes,
		t0, t1);
	fprintf(out, "  flows     %" PRIu64 " (TCP %" PRIu64 ", UDP %" PRIu64 ", ICMP %" PRIu64
		", other %" PRIu64 "), evicted %" PRIu64 "\n",
		ft->created, s->flows_by_proto[0], s->flows_by_proto[1], s->flows_by_proto[2],
		s->flows_by_proto[3], ft->evicted);
	fprintf(out, "  decoder   not IP %" PRIu64 ", truncated %" PRIu64 ", invalid %" PRIu64
		", cut by snaplen %" PRIu64 ", IP fragments %" PRIu64 " (datagrams reassembled %" PRIu64 ")\n",
		dc->status[DEC_NOT_IP], dc->status[DEC_TRUNCATED], dc->status[DEC_INVALID],
		dc->payload_truncated, ipfrag_stats(pl->frag)->fragments,
		ipfrag_stats(pl->frag)->reassembled);
	if (pl->cap.kernel_received || pl->cap.kernel_dropped || pl->cap.iface_dropped)
		fprintf(out, "  capture   kernel received %" PRIu64 ", dropped %" PRIu64
			", interface dropped %" PRIu64 "\n",
			pl->cap.kernel_received, pl->cap.kernel_dropped, pl->cap.iface_dropped);
	struct summary_app sorted[SUMMARY_MAX_APPS];
	memcpy(sorted, s->apps, sizeof(sorted[0]) * (size_t)s->napps);
	qsort(sorted, (size_t)s->napps, sizeof(sorted[0]), by_flows);
	fprintf(out, "  applications (app_proto: flows, packets, bytes)\n");
	for (int i = 0; i < s->napps; i++)
		fprintf(out, "    %-24s %8" PRIu64 " %10" PRIu64 " %12" PRIu64 "\n", sorted[i].name,
			sorted[i].flows, sorted[i].pkts, sorted[i].bytes);
	if (s->other_apps)
		fprintf(out, "    (%" PRIu64 " more flows of other applications)\n", s->other_apps);
}
