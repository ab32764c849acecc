/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/stats.h"

#include <time.h>

#include "dissectors/ndpi_classify.h"
#include "rules/engine.h"
#include "sensor/capture/ipfrag.h"
#include "sensor/flow/flow.h"
#include "sensor/flow/tcp_reasm.h"
#include "sensor/output/evidence.h"
#include "sensor/output/publish.h"
#include "sensor/output/syslog_out.h"

static void capture(struct jbuf *b, const struct stats_sources *s)
{
	jb_obj_open(b, "capture");
	jb_u64(b, "packets", s->dc->packets);
	jb_u64(b, "bytes", s->dc->bytes);
	jb_u64(b, "kernel_packets", s->cap->kernel_received);
	jb_u64(b, "kernel_drops", s->cap->kernel_dropped);
	jb_u64(b, "kernel_ifdrops", s->cap->iface_dropped);
	jb_u64(b, "files_read", s->cap->files_read);
	jb_u64(b, "files_damaged", s->cap->files_damaged);
	jb_u64(b, "files_skipped", s->cap->files_skipped);
	jb_obj_close(b);
}

static void ipfrag(struct jbuf *b, const struct ipfrag_stats *fs)
{
	jb_obj_open(b, "ipfrag");
	jb_u64(b, "fragments", fs->fragments);
	jb_u64(b, "reassembled", fs->reassembled);
	jb_u64(b, "timeouts", fs->timeouts);
	jb_u64(b, "evicted", fs->evicted);
	jb_u64(b, "overlaps", fs->overlaps);
	jb_u64(b, "overlaps_differing", fs->overlap_diff);
	jb_u64(b, "invalid", fs->invalid);
	jb_obj_close(b);
}

static void decoder(struct jbuf *b, const struct stats_sources *s)
{
	const struct decode_counters *dc = s->dc;
	jb_obj_open(b, "decoder");
	jb_u64(b, "ipv4", dc->ipv4);
	jb_u64(b, "ipv6", dc->ipv6);
	jb_u64(b, "tcp", dc->tcp);
	jb_u64(b, "udp", dc->udp);
	jb_u64(b, "icmpv4", dc->icmp4);
	jb_u64(b, "icmpv6", dc->icmp6);
	jb_u64(b, "other_ip", dc->other_l4);
	jb_u64(b, "vlan", dc->vlan);
	jb_u64(b, "vlan_qinq", dc->qinq);
	jb_u64(b, "mpls", dc->mpls);
	jb_u64(b, "not_ip", dc->status[DEC_NOT_IP]);
	jb_u64(b, "unsupported_link", dc->status[DEC_UNSUPPORTED_LINK]);
	jb_u64(b, "truncated", dc->status[DEC_TRUNCATED]);
	jb_u64(b, "invalid", dc->status[DEC_INVALID]);
	jb_u64(b, "payload_truncated", dc->payload_truncated);
	jb_obj_open(b, "errors");
	for (int e = 1; e < DERR_COUNT; e++)
		if (dc->error[e])
			jb_u64(b, decode_error_name((enum decode_error)e), dc->error[e]);
	jb_obj_close(b);
	ipfrag(b, s->frag);
	jb_obj_close(b);
}

static void flows(struct jbuf *b, const struct stats_sources *s)
{
	const struct flow_table_stats *ft = s->ft;
	jb_obj_open(b, "flow");
	jb_u64(b, "capacity", s->ft_capacity);
	jb_u64(b, "active", ft->active);
	jb_u64(b, "active_peak", ft->active_peak);
	jb_u64(b, "created", ft->created);
	jb_u64(b, "ended", ft->ended);
	jb_u64(b, "timeouts", ft->timeouts);
	jb_u64(b, "evicted", ft->evicted);
	jb_u64(b, "reused", ft->reused);
	jb_u64(b, "no_entry", s->dc->no_flow);
	jb_bool(b, "emergency", ft->emergency);
	jb_u64(b, "emergencies", ft->emergencies);
	jb_u64(b, "emergency_timeouts", ft->emergency_timeouts);
	jb_obj_close(b);
}

static void tcp(struct jbuf *b, const struct tcp_reasm *reasm)
{
	jb_obj_open(b, "tcp");
	jb_u64(b, "reassembly_memuse", reasm->mem_used);
	jb_u64(b, "reassembly_mempeak", reasm->mem_peak);
	jb_u64(b, "reassembly_memcap_hits", reasm->memcap_hits);
	jb_u64(b, "forced_gaps", reasm->forced_gaps);
	jb_obj_close(b);
}

static void ndpi(struct jbuf *b, const struct stats_sources *s)
{
	const struct ndpi_classifier_stats *ns = s->ndpi;
	jb_obj_open(b, "ndpi");
	jb_u64(b, "detected", ns->detected);
	jb_u64(b, "guessed", ns->guessed);
	jb_u64(b, "unknown", ns->unknown);
	jb_u64(b, "in_progress", ns->pool_in_use);
	jb_u64(b, "no_state", s->dc->ndpi_no_state);
	jb_obj_close(b);
}

static void app_layer(struct jbuf *b, const struct applayer_stats *st)
{
	jb_obj_open(b, "app_layer");
	jb_u64(b, "claimed", st->claimed);
	jb_u64(b, "events", st->events);
	jb_u64(b, "anomalies", st->anomalies);
	jb_u64(b, "parse_errors", st->parse_errors);
	jb_u64(b, "buffer_overflows", st->buffer_overflows);
	jb_u64(b, "gaps", st->gaps);
	jb_u64(b, "memuse", st->memuse);
	jb_u64(b, "mempeak", st->mempeak);
	jb_u64(b, "memcap_hits", st->memcap_hits);
	jb_obj_close(b);
}

/* Counts by rule id, only the rules that have one. */
static void by_rule(struct jbuf *b, const char *key, const uint64_t n[R_COUNT])
{
	jb_obj_open(b, key);
	for (int r = 0; r < R_COUNT; r++)
		if (n[r])
			jb_u64(b, rule_def((enum rule_id)r)->id, n[r]);
	jb_obj_close(b);
}

static void alerts(struct jbuf *b, const struct stats_sources *s)
{
	const struct alert_stats *as = rules_alert_stats(s->rules);
	const struct rules_stats *rs = rules_stats(s->rules);
	jb_obj_open(b, "alerts");
	jb_u64(b, "hits", as->hits);
	jb_u64(b, "records", as->records);
	jb_u64(b, "aggregated", as->aggregated);
	jb_u64(b, "suppressed", as->suppressed);
	by_rule(b, "by_rule", as->by_rule);
	if (as->suppressed)
		by_rule(b, "suppressed_by_rule", as->suppressed_by_rule);
	jb_str(b, "policy", rules_policy(s->rules)->source);
	jb_u64(b, "policy_reloads", s->policy_reloads);
	jb_u64(b, "policy_reload_failures", s->policy_reload_failures);
	jb_u64(b, "flows_checked", rs->flows_checked);
	jb_u64(b, "hosts_learned", rs->hosts);
	jb_u64(b, "hosts_dropped", rs->hosts_dropped);
	jb_u64(b, "hosts_refused_rank", rs->hosts_refused_rank);
	jb_u64(b, "hosts_half_open_lookups", rs->hosts_half_open_lookups);
	jb_u64(b, "macs_dropped", rs->macs_dropped);
	jb_obj_close(b);
}

static void syslog_sender(struct jbuf *b, const struct stats_sources *s)
{
	const struct syslog_stats *ss = syslog_out_stats(s->syslog);
	jb_obj_open(b, "syslog");
	jb_str(b, "target", s->syslog_target);
	jb_bool(b, "connected", ss->connected);
	jb_u64(b, "sent", ss->sent);
	jb_u64(b, "queued", ss->queued);
	jb_u64(b, "dropped", ss->dropped);
	jb_u64(b, "connects", ss->connects);
	jb_u64(b, "connect_failures", ss->connect_failures);
	jb_u64(b, "disconnects", ss->disconnects);
	jb_u64(b, "send_errors", ss->send_errors);
	jb_obj_close(b);
}

static void publish(struct jbuf *b, const struct stats_sources *s)
{
	const struct publish_stats *ps = s->publish;
	jb_obj_open(b, "publish");
	jb_str(b, "target", s->publish_target);
	jb_bool(b, "connected", ps->connected);
	jb_u64(b, "published", ps->published);
	jb_u64(b, "duplicates", ps->duplicates);
	jb_u64(b, "backlog_bytes", ps->backlog_bytes);
	jb_u64(b, "errors", ps->errors);
	jb_u64(b, "rejected", ps->rejected);
	jb_u64(b, "stream_errors", ps->stream_errors);
	jb_u64(b, "bad_records", ps->bad_records);
	jb_u64(b, "not_selected", ps->not_selected);
	jb_u64(b, "skipped_stored", ps->skipped_stored);
	jb_u64(b, "assets_stored", ps->assets_stored);
	jb_u64(b, "asset_conflicts", ps->asset_conflicts);
	jb_u64(b, "asset_errors", ps->asset_errors);
	jb_obj_close(b);
}

static void evidence(struct jbuf *b, const struct evidence_stats *es)
{
	jb_obj_open(b, "evidence");
	jb_u64(b, "files", es->files);
	jb_u64(b, "packets", es->packets);
	jb_u64(b, "bytes", es->bytes);
	jb_u64(b, "rotated_files", es->rotated);
	jb_u64(b, "rotated_bytes", es->rotated_bytes);
	jb_u64(b, "flows_without_ring", es->no_ring);
	jb_u64(b, "empty_flows_without_ring", es->empty_no_ring);
	jb_u64(b, "alerts_without_evidence", es->not_written);
	jb_u64(b, "write_errors", es->write_errors);
	jb_bool(b, "read_back", es->read_back);
	jb_obj_close(b);
}

static void output(struct jbuf *b, const struct eve *e)
{
	jb_obj_open(b, "output");
	/* this record itself is not yet counted */
	jb_u64(b, "records", e->out.records);
	jb_u64(b, "dropped", e->out.dropped);
	jb_u64(b, "write_errors", e->out.write_errors);
	jb_obj_close(b);
}

void stats_write(struct eve *e, const struct stats_sources *s, int64_t sec, uint32_t usec,
		 bool final)
{
	struct jbuf *b = &e->jb;
	eve_header(e, b, sec, usec, NULL, "stats");
	jb_obj_open(b, "stats");
	jb_bool(b, "final", final);
	jb_i64(b, "uptime", (int64_t)time(NULL) - s->start_wall);
	capture(b, s);
	decoder(b, s);
	flows(b, s);
	tcp(b, s->reasm);
	ndpi(b, s);
	app_layer(b, s->app);
	if (s->rules)
		alerts(b, s);
	if (s->syslog)
		syslog_sender(b, s);
	if (s->publish)
		publish(b, s);
	if (s->evidence)
		evidence(b, evidence_stats(s->evidence));
	output(b, e);
	jb_obj_close(b);
	eve_commit(e, b);
}
