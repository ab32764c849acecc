/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dissectors/ndpi_classify.h"
#include "report/report_feed.h"
#include "sensor/ndpi_feed.h"
#include "rules/engine.h"
#include "sensor/output/eve_alert.h"
#include "sensor/output/eve_sink.h"
#include "sensor/output/evidence.h"
#include "sensor/output/stats.h"
#include "util/log.h"
#include "util/sha256.h"
#include "sensor/output/syslog_out.h"
#include "zones/policy_file.h"

struct stream_ctx {
	struct pipeline *pl;
	struct flow *f;
	int64_t sec;
	uint32_t usec;
};

static void sink_data(void *ctx, int dir, const uint8_t *data, uint32_t len)
{
	struct stream_ctx *sc = ctx;
	applayer_data(&sc->pl->app, sc->f, dir, data, len, sc->sec, sc->usec);
}

static void sink_gap(void *ctx, int dir, uint32_t missing)
{
	struct stream_ctx *sc = ctx;
	applayer_gap(&sc->pl->app, sc->f, dir, missing, sc->sec, sc->usec);
}

/* The flow's application is known (or it ends unclassified): tell the
 * sinks, once per flow and again after a policy reload. */
static void flow_classified(struct pipeline *pl, struct flow *f)
{
	if (f->classified_gen == pl->classify_gen)
		return;
	f->classified_gen = pl->classify_gen;
	event_sinks_flow_classified(&pl->app.sinks, f);
}

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

void pipeline_poll_outputs(struct pipeline *pl)
{
	if (pl->syslog)
		syslog_out_poll(pl->syslog);
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

static void flow_ended(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct pipeline *pl = ctx;
	if (f->key.proto == 6) {
		struct stream_ctx sc = { pl, f, f->last.sec, f->last.usec };
		struct tcp_sink sink = { sink_data, sink_gap, &sc };
		for (int d = 0; d < 2; d++) {
			tcp_stream_flush(&pl->reasm, &f->tcp[d], d, &sink);
			tcp_stream_release(&pl->reasm, &f->tcp[d]);
		}
	}
	ndpi_feed_end(pl->ndpi, f, &pl->dc.ndpi_no_state);
	flow_classified(pl, f);
	/* checked (above) while still in its destination's backlog */
	if (f->attempt_counted)
		rules_sink_attempt_over(&pl->rules_sink, f);
	applayer_end(&pl->app, f, f->last.sec, f->last.usec);
	struct flow_end end = { why, pl->app.session_kind, &pl->app.session };
	event_sinks_flow_ended(&pl->app.sinks, f, &end);
	if (f->evidence)
		evidence_flow_end(pl->evidence, f);
}

/*
 * Where the packet path's events go, in this order: the rules (or the
 * learner) first, so that an alert is written before the record of the
 * message that raised it; the summary; the EVE records.
 */
static void register_sinks(struct pipeline *pl)
{
	struct event_sinks *l = &pl->app.sinks;
	event_sinks_clear(l);
	if (pl->rules || pl->learn)
		event_sinks_add(l, rules_event_sink(&pl->rules_sink));
	event_sinks_add(l, summary_event_sink(&pl->sum));
	event_sinks_add(l, eve_event_sink(&pl->eve_sink));
}

int pipeline_init(struct pipeline *pl, const struct options *opt, const char *const *source_names,
		  bool live, char *err, size_t errlen)
{
	memset(pl, 0, sizeof(*pl));
	pl->opt = opt;
	pl->start_wall = (int64_t)time(NULL);
	pl->classify_gen = 1; /* a new flow's 0: not yet told */

	struct ndpi_classifier_config nc = {
		.pool_size = opt->flow.capacity,
		.max_tcp_packets = opt->ndpi_tcp_pkts,
		.max_udp_packets = opt->ndpi_udp_pkts,
		.guess = opt->ndpi_guess,
	};
	pl->ndpi = ndpi_classifier_create(&nc, err, errlen);
	if (!pl->ndpi)
		return -1;

	struct tcp_reasm_config rc = {
		.max_ooo_bytes = opt->tcp_ooo_bytes,
		.max_ooo_segs = opt->tcp_ooo_segs,
		.memcap = opt->reasm_memcap,
	};
	tcp_reasm_init(&pl->reasm, &rc);

	struct ipfrag_config fc = { .max_datagrams = opt->frag_max, .timeout_sec = opt->frag_timeout };
	pl->frag = ipfrag_create(&fc);
	pl->ft = flow_table_create(&opt->flow, flow_ended, pl);
	if (!pl->frag || !pl->ft) {
		snprintf(err, errlen, "out of memory for a flow table of %u flows", opt->flow.capacity);
		pipeline_destroy(pl);
		return -1;
	}

	pl->eve.sensor_name = opt->sensor_name;
	pl->eve.ndpi = pl->ndpi;
	pl->eve.source_names = source_names;
	pl->eve.live = live;
	if (!jb_init(&pl->eve.jb, 4096)) {
		snprintf(err, errlen, "out of memory");
		pipeline_destroy(pl);
		return -1;
	}
	applayer_init(&pl->app, dissector_registry);
	pl->eve_sink.eve = &pl->eve;
	pl->eve_sink.hsms = (enum eve_records)opt->hsms_records;
	pl->eve_sink.modbus = (enum eve_records)opt->modbus_records;
	pl->eve_sink.flow_records_all = opt->flow_records_all;
	pl->eve_sink.attempts.flows_recorded = opt->flow_records_all;
	struct applayer_proto *hp = applayer_proto(&pl->app, "hsms");
	if (hp) {
		hp->enabled = opt->hsms_enabled;
		/* SML is rendered only where a record or an alert shows it
		 * (hsms_message_sml); --no-sml turns it off */
		pl->hsms_cfg = opt->hsms;
		hp->cfg = &pl->hsms_cfg;
		/* a message's decoded window and its length prefix */
		hp->max_buffer = 4 + (size_t)opt->hsms.decode_window + 64;
		if (opt->hsms_ports[0])
			memcpy(hp->ports, opt->hsms_ports, sizeof(opt->hsms_ports));
	}
	struct applayer_proto *mp = applayer_proto(&pl->app, "modbus");
	if (mp) {
		mp->enabled = opt->modbus_enabled;
		if (opt->modbus_ports[0])
			memcpy(mp->ports, opt->modbus_ports, sizeof(opt->modbus_ports));
	}
	if (applayer_start(&pl->app) < 0) {
		snprintf(err, errlen, "out of memory for the dissectors");
		pipeline_destroy(pl);
		return -1;
	}
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
		if (rules_sink_init(&pl->rules_sink, pl->rules, pl->ft, opt->flow.capacity) < 0) {
			snprintf(err, errlen, "out of memory for the rules' state of %u flows",
				 opt->flow.capacity);
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
	register_sinks(pl);
	return 0;
}

void pipeline_set_learner(struct pipeline *pl, struct learner *l)
{
	pl->learn = l;
	pl->rules_sink.learn = l;
	register_sinks(pl);
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
	syslog_out_destroy(pl->syslog);
	pl->syslog = NULL;
	evidence_destroy(pl->evidence);
	pl->evidence = NULL;
	rules_destroy(pl->rules);
	pl->rules = NULL;
	rules_sink_destroy(&pl->rules_sink);
	applayer_destroy(&pl->app);
	flow_table_destroy(pl->ft);
	pl->ft = NULL;
	ipfrag_destroy(pl->frag);
	pl->frag = NULL;
	ndpi_classifier_destroy(pl->ndpi);
	pl->ndpi = NULL;
	jb_free(&pl->eve.jb);
	report_feed_free(pl->eve.report);
	pl->eve.report = NULL;
}

void pipeline_set_source(struct pipeline *pl, uint16_t source, int dlt)
{
	pl->source = source;
	pl->dlt = dlt;
}

static void advance_clock(struct pipeline *pl, int64_t sec, uint32_t usec)
{
	if (sec < pl->now_sec || (sec == pl->now_sec && usec <= pl->now_usec))
		return; /* time never runs backwards for timeouts */
	pl->now_sec = sec;
	pl->now_usec = usec;
	if (sec != pl->last_expire_sec) {
		pl->last_expire_sec = sec;
		flow_table_expire(pl->ft, sec, usec);
		ipfrag_expire(pl->frag, sec);
		if (pl->rules)
			rules_tick(pl->rules, sec);
		eve_sink_tick(&pl->eve_sink, sec);
	}
}

static void update_state(struct flow *f, const struct packet *p, int dir)
{
	if (p->proto == 6) {
		if (p->tcp_flags & TCP_RST) {
			f->state = FLOW_STATE_CLOSED;
		} else if ((f->tcp[0].state & TCPS_FIN) && (f->tcp[1].state & TCPS_FIN)) {
			f->state = FLOW_STATE_CLOSED;
		} else if (f->state == FLOW_STATE_NEW) {
			bool synack = dir == DIR_TOCLIENT &&
				      (p->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
			/* picked up mid-stream: an ACK with no SYN ever seen means the
			 * connection was established before the capture began */
			bool midstream = (p->tcp_flags & TCP_ACK) &&
					 !((f->tcp_flags[0] | f->tcp_flags[1]) & TCP_SYN);
			if (synack || midstream || (f->pkts[0] && f->pkts[1]))
				f->state = FLOW_STATE_ESTABLISHED;
		}
	} else if (f->state == FLOW_STATE_NEW && f->pkts[0] && f->pkts[1]) {
		f->state = FLOW_STATE_ESTABLISHED;
	}
}

/* A packet with a decoded transport header (possibly from fragments). */
static void process_l4(struct pipeline *pl, const struct packet *p, uint64_t frame_bytes)
{
	switch (p->proto) {
	case 6: pl->dc.tcp++; break;
	case 17: pl->dc.udp++; break;
	case 1: pl->dc.icmp4++; break;
	case 58: pl->dc.icmp6++; break;
	default: pl->dc.other_l4++; break;
	}
	int dir;
	bool created;
	struct flow *f = flow_table_get(pl->ft, p, &dir, &created);
	if (!f) {
		pl->dc.no_flow++;
		return;
	}
	/* A SYN on a closed TCP flow is a new connection reusing the 5-tuple. */
	if (!created && p->proto == 6 && f->state == FLOW_STATE_CLOSED &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		flow_table_end(pl->ft, f, FLOW_END_REUSED);
		f = flow_table_get(pl->ft, p, &dir, &created);
		if (!f) {
			pl->dc.no_flow++;
			return;
		}
	}
	if (created) {
		f->source = pl->source;
		if (p->mac_src && p->mac_dst) {
			/* the client sent this first packet */
			memcpy(f->mac[dir == DIR_TOSERVER ? 0 : 1], p->mac_src, 6);
			memcpy(f->mac[dir == DIR_TOSERVER ? 1 : 0], p->mac_dst, 6);
			f->has_mac = 1;
		}
		/* a connection attempt: counted in its destination's SYN backlog */
		if (p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && pl->rules)
			rules_sink_attempt_open(&pl->rules_sink, f);
	}
	/* the frame goes to the flow's evidence ring before anything can alert
	 * on it (a reassembled datagram is not a frame: its fragments are not kept) */
	if (pl->evidence && !(p->flags & DEC_F_REASSEMBLED))
		evidence_packet(pl->evidence, f, pl->dlt, p->ts_sec, p->ts_usec, p->caplen, p->wirelen,
				p->data, p->payload_wirelen != 0);
	f->pkts[dir]++;
	f->bytes[dir] += frame_bytes;
	f->last.sec = p->ts_sec;
	f->last.usec = p->ts_usec;
	if (p->flags & DEC_F_TRUNCATED) {
		f->truncated_pkts++;
		pl->dc.payload_truncated++;
	}

	ndpi_feed_packet(pl->ndpi, f, p, dir, &pl->dc.ndpi_no_state);

	if (p->proto == 6) {
		f->tcp_flags[dir] |= p->tcp_flags;
		struct stream_ctx sc = { pl, f, p->ts_sec, p->ts_usec };
		struct tcp_sink sink = { sink_data, sink_gap, &sc };
		tcp_stream_segment(&pl->reasm, &f->tcp[dir], dir, &sink, p->tcp_seq, p->tcp_flags,
				   p->payload, p->payload_caplen, p->payload_wirelen);
		if (p->tcp_flags & TCP_ACK)
			tcp_stream_peer_ack(&pl->reasm, &f->tcp[1 - dir], 1 - dir, &sink, p->tcp_ack);
	}
	update_state(f, p, dir);
	/* answered and acknowledged, or payload: no longer an open attempt */
	if (f->attempt_counted && !flow_half_open(f))
		rules_sink_attempt_over(&pl->rules_sink, f);
	/* flow rules run once the application is known */
	if (f->app || f->ndpi_done)
		flow_classified(pl, f);
	flow_table_touch(pl->ft, f);
}

void pipeline_packet(struct pipeline *pl, int64_t ts_sec, uint32_t ts_usec, uint32_t caplen,
		     uint32_t wirelen, const uint8_t *data)
{
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.ts_sec = ts_sec;
	p.ts_usec = ts_usec;
	p.caplen = caplen;
	p.wirelen = wirelen < caplen ? caplen : wirelen;
	p.data = data;

	pl->dc.packets++;
	pl->dc.bytes += p.wirelen;
	advance_clock(pl, ts_sec, ts_usec);

	enum decode_status st = decode_packet(&p, pl->dlt);
	pl->dc.status[st]++;
	if (p.vlan_count)
		pl->dc.vlan++;
	if (p.vlan_count > 1)
		pl->dc.qinq++;
	if (p.mpls_labels)
		pl->dc.mpls++;
	if (p.ip_version == 4)
		pl->dc.ipv4++;
	else if (p.ip_version == 6)
		pl->dc.ipv6++;

	switch (st) {
	case DEC_OK:
		process_l4(pl, &p, p.wirelen);
		return;
	case DEC_FRAGMENT: {
		uint32_t len;
		uint64_t frame_bytes;
		const uint8_t *dgram = ipfrag_add(pl->frag, &p, &len, &frame_bytes);
		if (!dgram)
			return;
		/* decode the whole datagram as if it had come in one frame */
		struct packet q;
		memset(&q, 0, sizeof(q));
		q.ts_sec = ts_sec;
		q.ts_usec = ts_usec;
		q.caplen = q.wirelen = len;
		q.data = dgram;
		q.mac_src = p.mac_src;
		q.mac_dst = p.mac_dst;
		q.vlan_count = p.vlan_count;
		memcpy(q.vlan, p.vlan, sizeof(q.vlan));
		q.flags = DEC_F_REASSEMBLED;
		enum decode_status qs = decode_ip(&q, dgram, len);
		if (qs == DEC_OK)
			process_l4(pl, &q, frame_bytes);
		else
			pl->dc.error[q.error]++;
		return;
	}
	case DEC_TRUNCATED:
	case DEC_INVALID:
		pl->dc.error[p.error]++;
		return;
	default:
		return;
	}
}

void pipeline_tick(struct pipeline *pl, int64_t now_sec, uint32_t now_usec)
{
	advance_clock(pl, now_sec, now_usec);
}

void pipeline_finish(struct pipeline *pl)
{
	flow_table_flush(pl->ft, FLOW_END_SHUTDOWN);
	applayer_finish(&pl->app, pl->now_sec, pl->now_usec);
	if (pl->rules)
		rules_finish(pl->rules);
	eve_sink_finish(&pl->eve_sink);
}

void pipeline_flush_output(struct pipeline *pl)
{
	if (pl->eve_enabled)
		eve_flush(&pl->eve);
}

void pipeline_write_stats(struct pipeline *pl, int64_t sec, uint32_t usec, bool final)
{
	if (!pl->eve_enabled)
		return;
	struct stats_sources src = {
		.start_wall = pl->start_wall,
		.cap = &pl->cap,
		.dc = &pl->dc,
		.frag = pl->frag,
		.ft = pl->ft,
		.reasm = &pl->reasm,
		.ndpi = pl->ndpi,
		.app = &pl->app.st,
		.rules = pl->rules,
		.policy_reloads = pl->policy_reloads,
		.policy_reload_failures = pl->policy_reload_failures,
		.syslog = pl->syslog,
		.syslog_target = pl->opt->syslog,
		.evidence = pl->evidence,
	};
	stats_write(&pl->eve, &src, sec, usec, final);
}

void pipeline_print_summary(const struct pipeline *pl, FILE *out, const char *what)
{
	const struct flow_table_stats *ft = flow_table_stats(pl->ft);
	const struct ipfrag_stats *fs = ipfrag_stats(pl->frag);
	struct summary_counts c = {
		.packets = pl->dc.packets,
		.bytes = pl->dc.bytes,
		.flows = ft->created,
		.evicted = ft->evicted,
		.not_ip = pl->dc.status[DEC_NOT_IP],
		.truncated = pl->dc.status[DEC_TRUNCATED],
		.invalid = pl->dc.status[DEC_INVALID],
		.payload_truncated = pl->dc.payload_truncated,
		.fragments = fs->fragments,
		.reassembled = fs->reassembled,
		.kernel_received = pl->cap.kernel_received,
		.kernel_dropped = pl->cap.kernel_dropped,
		.iface_dropped = pl->cap.iface_dropped,
		.alerts = pl->rules != NULL,
	};
	summary_print(out, &pl->sum, &c, what);
}
