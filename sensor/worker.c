/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dissectors/ndpi_classify.h"
#include "sensor/ndpi_feed.h"
#include "sensor/output/evidence.h"
#include "sensor/output/eve_sink.h"
#include "sensor/summary.h"
#include "sensor/options.h"
#include "sensor/rdp_seen.h"
#include "sensor/smb_seen.h"
#include "util/cpu_list.h"
#include "util/log.h"

/* A 1/n share of a limit, never 0 where the limit is not. */
static uint64_t share(uint64_t total, unsigned n)
{
	if (n <= 1 || !total)
		return total;
	uint64_t s = (total + n - 1) / n;
	return s ? s : 1;
}

void worker_enter_shared(struct worker *w)
{
	if (w->turn.enter)
		w->turn.enter(w->turn.ctx);
}

/* The first sink of a worker with a thread: every event waits for its
 * packet's turn before the rules, the summary and EVE see it. */
static void gate_event(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		       uint32_t usec)
{
	(void)f, (void)ev, (void)sec, (void)usec;
	worker_enter_shared(ctx);
}

static void gate_flow(void *ctx, struct flow *f)
{
	(void)f;
	worker_enter_shared(ctx);
}

static void gate_end(void *ctx, struct flow *f, const struct flow_end *end)
{
	(void)f, (void)end;
	worker_enter_shared(ctx);
}

/* The dissectors' hook before they touch their global state (the
 * inventory, the HSMS select table). */
static void gate_dissector(void *ctx)
{
	worker_enter_shared(ctx);
}

struct stream_ctx {
	struct worker *w;
	struct flow *f;
	int64_t sec;
	uint32_t usec;
};

static void sink_data(void *ctx, int dir, const uint8_t *data, uint32_t len)
{
	struct stream_ctx *sc = ctx;
	applayer_data(&sc->w->app, sc->f, dir, data, len, sc->sec, sc->usec);
}

static void sink_gap(void *ctx, int dir, uint32_t missing)
{
	struct stream_ctx *sc = ctx;
	applayer_gap(&sc->w->app, sc->f, dir, missing, sc->sec, sc->usec);
}

/* The flow's application is known (or it ends unclassified): tell the
 * sinks, once per flow and again after a policy reload. */
static void flow_classified(struct worker *w, struct flow *f)
{
	if (f->classified_gen == *w->sh.classify_gen)
		return;
	f->classified_gen = *w->sh.classify_gen;
	event_sinks_flow_classified(&w->app.sinks, f);
}

static void flow_ended(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct worker *w = ctx;
	/* its record, the rules' end of flow, its evidence: all shared */
	worker_enter_shared(w);
	if (f->key.proto == 6) {
		struct stream_ctx sc = { w, f, f->last.sec, f->last.usec };
		struct tcp_sink sink = { sink_data, sink_gap, &sc };
		for (int d = 0; d < 2; d++) {
			tcp_stream_flush(&w->reasm, &f->tcp[d], d, &sink);
			tcp_stream_release(&w->reasm, &f->tcp[d]);
		}
	}
	ndpi_feed_end(w->ndpi, f, &w->dc.ndpi_no_state);
	flow_classified(w, f);
	/* checked (above) while still in its destination's backlog */
	if (f->attempt_counted)
		rules_sink_attempt_over(&w->rules_sink, f);
	applayer_end(&w->app, f, f->last.sec, f->last.usec);
	struct flow_end end = { why, w->app.session_kind, &w->app.session };
	event_sinks_flow_ended(&w->app.sinks, f, &end);
	if (f->evidence)
		evidence_flow_end(w->sh.evidence, f);
	smb_seen_free(f);
	rdp_seen_free(f);
}

/*
 * Where the packet path's events go, in this order: the turn (with worker
 * threads); the rules (or the learner) first, so that an alert is written
 * before the record of the message that raised it; the summary; the EVE
 * records.
 */
void worker_register_sinks(struct worker *w)
{
	struct event_sinks *l = &w->app.sinks;
	bool threads = w->turn.enter != NULL;
	event_sinks_clear(l);
	if (threads)
		event_sinks_add(l, (struct event_sink){ w, gate_event, gate_flow, gate_end });
	if (w->sh.rules || w->rules_sink.learn)
		event_sinks_add(l, rules_event_sink(&w->rules_sink));
	event_sinks_add(l, summary_event_sink(w->sh.sum));
	event_sinks_add(l, eve_event_sink(w->sh.eve_sink));
	w->app.enter_shared = threads ? gate_dissector : NULL;
	w->app.enter_ctx = w;
}

void worker_thread_begin(const struct worker *w, bool main_thread)
{
	const struct options *o = w->sh.opt;
	if (!main_thread) {
		char name[16];
		snprintf(name, sizeof(name), "fabmon-w%u", w->index);
		pthread_setname_np(pthread_self(), name);
	}
	if (!o->n_cpus)
		return;
	unsigned cpu = o->cpus[w->index % o->n_cpus];
	int rc = cpu_pin_self(cpu);
	if (rc < 0)
		log_warn("--cpus: worker %u cannot be pinned to CPU %u: %s; it runs where the "
			 "kernel puts it", w->index, cpu, strerror(-rc));
	else
		log_debug("worker %u runs on CPU %u", w->index, cpu);
}

void worker_set_turn(struct worker *w, struct worker_turn turn)
{
	w->turn = turn;
	worker_register_sinks(w);
}

int worker_init(struct worker *w, const struct worker_shared *shared, unsigned index, unsigned n,
		char *err, size_t errlen)
{
	const struct options *opt = shared->opt;
	memset(w, 0, sizeof(*w));
	w->sh = *shared;
	w->index = index;
	struct flow_config fcfg = opt->flow;
	fcfg.capacity = (uint32_t)share(opt->flow.capacity, n);

	struct ndpi_classifier_config nc = {
		.pool_size = fcfg.capacity,
		.max_tcp_packets = opt->ndpi_tcp_pkts,
		.max_udp_packets = opt->ndpi_udp_pkts,
		.guess = opt->ndpi_guess,
	};
	w->ndpi = ndpi_classifier_create(&nc, err, errlen);
	if (!w->ndpi)
		return -1;

	struct tcp_reasm_config rc = {
		.max_ooo_bytes = opt->tcp_ooo_bytes,
		.max_ooo_segs = opt->tcp_ooo_segs,
		.memcap = share(opt->reasm_memcap, n),
	};
	tcp_reasm_init(&w->reasm, &rc);

	struct ipfrag_config fc = { .max_datagrams = (uint32_t)share(opt->frag_max, n),
				    .timeout_sec = opt->frag_timeout };
	w->frag = ipfrag_create(&fc);
	w->ft = flow_table_create(&fcfg, flow_ended, w);
	if (!w->frag || !w->ft) {
		snprintf(err, errlen, "out of memory for a flow table of %u flows", fcfg.capacity);
		return -1;
	}

	applayer_init(&w->app, dissector_registry);
	w->app.memcap = share(opt->app_memcap, n);
	struct applayer_proto *hp = applayer_proto(&w->app, "hsms");
	if (hp) {
		hp->enabled = opt->hsms_enabled;
		/* SML is rendered only where a record or an alert shows it
		 * (hsms_message_sml); --no-sml turns it off */
		w->hsms_cfg = opt->hsms;
		hp->cfg = &w->hsms_cfg;
		/* a message's decoded window and its length prefix */
		hp->max_buffer = 4 + (size_t)opt->hsms.decode_window + 64;
		if (opt->hsms_ports[0])
			memcpy(hp->ports, opt->hsms_ports, sizeof(opt->hsms_ports));
	}
	struct applayer_proto *mp = applayer_proto(&w->app, "modbus");
	if (mp) {
		mp->enabled = opt->modbus_enabled;
		if (opt->modbus_ports[0])
			memcpy(mp->ports, opt->modbus_ports, sizeof(opt->modbus_ports));
	}
	/* one inventory for all: the dissectors' global state is worker 0's */
	int rc2 = shared->dissectors ? applayer_share(&w->app, shared->dissectors)
				     : applayer_start(&w->app);
	if (rc2 < 0) {
		snprintf(err, errlen, "out of memory for the dissectors");
		return -1;
	}
	if (w->sh.rules && rules_sink_init(&w->rules_sink, w->sh.rules, w->ft, fcfg.capacity) < 0) {
		snprintf(err, errlen, "out of memory for the rules' state of %u flows", fcfg.capacity);
		return -1;
	}
	return 0;
}

void worker_release_classifier(struct worker *w)
{
	if (!w->ndpi)
		return;
	w->ndpi_final = *ndpi_classifier_stats(w->ndpi);
	ndpi_classifier_destroy(w->ndpi);
	w->ndpi = NULL;
}

void worker_destroy(struct worker *w)
{
	rules_sink_destroy(&w->rules_sink);
	applayer_destroy(&w->app);
	flow_table_destroy(w->ft);
	w->ft = NULL;
	ipfrag_destroy(w->frag);
	w->frag = NULL;
	ndpi_classifier_destroy(w->ndpi);
	w->ndpi = NULL;
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

void worker_l4(struct worker *w, const struct packet *p, uint64_t frame_bytes, uint16_t source,
	       int dlt, uint64_t seq)
{
	const struct worker_shared *sh = &w->sh;
	switch (p->proto) {
	case 6: w->dc.tcp++; break;
	case 17: w->dc.udp++; break;
	case 1: w->dc.icmp4++; break;
	case 58: w->dc.icmp6++; break;
	default: w->dc.other_l4++; break;
	}
	int dir;
	bool created;
	struct flow *f = flow_table_get(w->ft, p, &dir, &created);
	if (!f) {
		w->dc.no_flow++;
		return;
	}
	/* A SYN on a closed TCP flow is a new connection reusing the 5-tuple. */
	if (!created && p->proto == 6 && f->state == FLOW_STATE_CLOSED &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		flow_table_end(w->ft, f, FLOW_END_REUSED);
		f = flow_table_get(w->ft, p, &dir, &created);
		if (!f) {
			w->dc.no_flow++;
			return;
		}
	}
	if (created) {
		f->source = source;
		if (p->mac_src && p->mac_dst) {
			/* the client sent this first packet */
			memcpy(f->mac[dir == DIR_TOSERVER ? 0 : 1], p->mac_src, 6);
			memcpy(f->mac[dir == DIR_TOSERVER ? 1 : 0], p->mac_dst, 6);
			f->has_mac = 1;
		}
		/* a connection attempt: counted in its destination's SYN backlog */
		if (p->proto == 6 && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && sh->rules) {
			worker_enter_shared(w);
			rules_sink_attempt_open(&w->rules_sink, f);
		}
	}
	/* the frame goes to the flow's evidence ring before anything can alert
	 * on it (a reassembled datagram is not a frame: its fragments are not kept) */
	if (sh->evidence && !(p->flags & DEC_F_REASSEMBLED)) {
		bool payload = p->payload_wirelen != 0;
		if (w->turn.enter && evidence_packet_shared(sh->evidence, f, payload))
			worker_enter_shared(w);
		evidence_packet_at(sh->evidence, f, dlt, p->ts_sec, p->ts_usec, p->caplen,
				   p->wirelen, p->data, payload, source, p->at);
	}
	f->pkts[dir]++;
	f->bytes[dir] += frame_bytes;
	f->last.sec = p->ts_sec;
	f->last.usec = p->ts_usec;
	if (p->flags & DEC_F_TRUNCATED) {
		f->truncated_pkts++;
		w->dc.payload_truncated++;
	}

	ndpi_feed_packet(w->ndpi, f, p, dir, &w->dc.ndpi_no_state);

	if (p->proto == 6) {
		f->tcp_flags[dir] |= p->tcp_flags;
		smb_seen_segment(f, dir, p->payload, p->payload_caplen);
		rdp_seen_segment(f, dir, p->payload, p->payload_caplen);
		struct stream_ctx sc = { w, f, p->ts_sec, p->ts_usec };
		struct tcp_sink sink = { sink_data, sink_gap, &sc };
		tcp_stream_segment(&w->reasm, &f->tcp[dir], dir, &sink, p->tcp_seq, p->tcp_flags,
				   p->payload, p->payload_caplen, p->payload_wirelen);
		if (p->tcp_flags & TCP_ACK)
			tcp_stream_peer_ack(&w->reasm, &f->tcp[1 - dir], 1 - dir, &sink, p->tcp_ack);
	}
	update_state(f, p, dir);
	/* answered and acknowledged, or payload: no longer an open attempt */
	if (f->attempt_counted && !flow_half_open(f)) {
		worker_enter_shared(w);
		rules_sink_attempt_over(&w->rules_sink, f);
	}
	/* flow rules run once the application is known */
	if (f->app || f->ndpi_done)
		flow_classified(w, f);
	flow_table_touch(w->ft, f, seq);
}

void worker_fragment(struct worker *w, struct packet *p, uint16_t source, int dlt, uint64_t seq)
{
	uint32_t len;
	uint64_t frame_bytes;
	const uint8_t *dgram = ipfrag_add(w->frag, p, &len, &frame_bytes);
	if (!dgram)
		return;
	/* decode the whole datagram as if it had come in one frame */
	struct packet q;
	memset(&q, 0, sizeof(q));
	q.ts_sec = p->ts_sec;
	q.ts_usec = p->ts_usec;
	q.caplen = q.wirelen = len;
	q.data = dgram;
	q.mac_src = p->mac_src;
	q.mac_dst = p->mac_dst;
	q.vlan_count = p->vlan_count;
	memcpy(q.vlan, p->vlan, sizeof(q.vlan));
	q.flags = DEC_F_REASSEMBLED;
	enum decode_status qs = decode_ip(&q, dgram, len);
	if (qs == DEC_OK)
		worker_l4(w, &q, frame_bytes, source, dlt, seq);
	else
		w->dc.error[q.error]++;
}

/* The flow tables of n workers. */
static unsigned tables(struct worker *w, unsigned n, struct flow_table **t)
{
	for (unsigned i = 0; i < n; i++)
		t[i] = w[i].ft;
	return n;
}

void workers_expire(struct worker *w, unsigned n, int64_t sec, uint32_t usec)
{
	struct flow_table *t[OPT_MAX_WORKERS] = { 0 };
	n = tables(w, n, t);
	flow_tables_expire(t, n, sec, usec);
	for (unsigned i = 0; i < n; i++)
		ipfrag_expire(w[i].frag, sec);
}

void workers_flush(struct worker *w, unsigned n)
{
	struct flow_table *t[OPT_MAX_WORKERS] = { 0 };
	n = tables(w, n, t);
	flow_tables_flush(t, n, FLOW_END_SHUTDOWN);
}
