/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/summary.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


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

static void summary_flow_ended(void *ctx, struct flow *f, const struct flow_end *end)
{
	(void)end;
	summary_flow(ctx, f, flow_app_proto(f));
}

struct event_sink summary_event_sink(struct summary *s)
{
	return (struct event_sink){ .ctx = s, .flow_ended = summary_flow_ended };
}

void summary_alert(struct summary *s, const struct alert *a)
{
	struct summary_rule *r = &s->rules[a->def->rule];
	uint8_t sev = a->severity >= 1 && a->severity <= 4 ? a->severity : 4;
	r->hits += a->count;
	s->hits_by_severity[sev] += a->count;
	if (a->repeat)
		return;
	if (!r->records++) {
		char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
		ip_addr_str(&a->src.ip, src, sizeof(src));
		ip_addr_str(&a->dst.ip, dst, sizeof(dst));
		if (!a->flow_id)
			snprintf(r->example, sizeof(r->example), "%s", src);
		else if (a->proto == 6 || a->proto == 17 || a->proto == 132)
			snprintf(r->example, sizeof(r->example), "%s -> %s:%u (%s)", src, dst,
				 a->dst.port, a->app);
		else
			snprintf(r->example, sizeof(r->example), "%s -> %s (%s)", src, dst, a->app);
	}
	if (!r->severity || sev < r->severity)
		r->severity = sev;
}

/* Rules by severity, most severe first, then by id. */
struct rule_line {
	uint8_t severity;
	const struct rule_def *def;
};

static int by_severity(const void *x, const void *y)
{
	const struct rule_line *a = x, *b = y;
	if (a->severity != b->severity)
		return a->severity < b->severity ? -1 : 1;
	return strcmp(a->def->id, b->def->id);
}

static void print_alerts(FILE *out, const struct summary *s)
{
	struct rule_line lines[R_COUNT];
	int n = 0;
	uint64_t hits = 0;
	for (int r = 0; r < R_COUNT; r++) {
		if (!s->rules[r].records && !s->rules[r].hits)
			continue;
		lines[n++] = (struct rule_line){ s->rules[r].severity, rule_def((enum rule_id)r) };
		hits += s->rules[r].hits;
	}
	fprintf(out, "  alerts    %" PRIu64, hits);
	const char *sep = " (";
	for (int v = 1; v <= 4; v++) {
		if (s->hits_by_severity[v]) {
			fprintf(out, "%s%s %" PRIu64, sep, rule_severity_name(v), s->hits_by_severity[v]);
			sep = ", ";
		}
	}
	fprintf(out, "%s\n", hits ? "); -o DIR writes them with their evidence" : "");
	if (!n)
		return;
	qsort(lines, (size_t)n, sizeof(lines[0]), by_severity);
	fprintf(out, "    (severity, rule, hits, the first: client -> server)\n");
	for (int i = 0; i < n; i++) {
		const struct summary_rule *r = &s->rules[lines[i].def->rule];
		fprintf(out, "    %-9s %-13s %6" PRIu64 "  %s\n", rule_severity_name(lines[i].severity),
			lines[i].def->id, r->hits, r->example);
	}
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

void summary_print(FILE *out, const struct summary *s, const struct summary_counts *c,
		   const char *what)
{
	char t0[32], t1[32];
	fmt_time(s->first_sec, t0, sizeof(t0));
	fmt_time(s->last_sec, t1, sizeof(t1));
	fprintf(out, "fabmon summary of %s\n", what);
	fprintf(out, "  packets   %" PRIu64 " (%" PRIu64 " bytes), %s .. %s\n", c->packets, c->bytes,
		t0, t1);
	fprintf(out, "  flows     %" PRIu64 " (TCP %" PRIu64 ", UDP %" PRIu64 ", ICMP %" PRIu64
		", other %" PRIu64 "), evicted %" PRIu64 "\n",
		c->flows, s->flows_by_proto[0], s->flows_by_proto[1], s->flows_by_proto[2],
		s->flows_by_proto[3], c->evicted);
	fprintf(out, "  decoder   not IP %" PRIu64 ", truncated %" PRIu64 ", invalid %" PRIu64
		", cut by snaplen %" PRIu64 ", IP fragments %" PRIu64 " (datagrams reassembled %" PRIu64 ")\n",
		c->not_ip, c->truncated, c->invalid, c->payload_truncated, c->fragments, c->reassembled);
	if (c->kernel_received || c->kernel_dropped || c->iface_dropped)
		fprintf(out, "  capture   kernel received %" PRIu64 ", dropped %" PRIu64
			", interface dropped %" PRIu64 "\n",
			c->kernel_received, c->kernel_dropped, c->iface_dropped);
	struct summary_app sorted[SUMMARY_MAX_APPS];
	memcpy(sorted, s->apps, sizeof(sorted[0]) * (size_t)s->napps);
	qsort(sorted, (size_t)s->napps, sizeof(sorted[0]), by_flows);
	fprintf(out, "  applications (app_proto: flows, packets, bytes)\n");
	for (int i = 0; i < s->napps; i++)
		fprintf(out, "    %-24s %8" PRIu64 " %10" PRIu64 " %12" PRIu64 "\n", sorted[i].name,
			sorted[i].flows, sorted[i].pkts, sorted[i].bytes);
	if (s->other_apps)
		fprintf(out, "    (%" PRIu64 " more flows of other applications)\n", s->other_apps);
	if (c->alerts)
		print_alerts(out, s);
}
