/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_flow.h"

#include <stdio.h>

#include "dissectors/ndpi_classify.h"
#include "rules/engine.h"
#include "sensor/output/eve_app.h"
#include "sensor/output/eve_feed.h"
#include "sensor/rdp_seen.h"
#include "sensor/smb_seen.h"

static void flags_hex(struct jbuf *b, const char *key, uint8_t fl)
{
	jb_strf(b, key, "%02x", fl);
}

/* What the SMB connection said of its software (sensor/smb_seen.h). */
static void smb_members(struct jbuf *b, const struct flow_smb *s)
{
	static const char *const side[2] = { "client", "server" };
	jb_obj_open(b, "smb");
	jb_bool(b, "smb1", s->versions & 1);
	jb_bool(b, "smb2", (s->versions & 2) != 0);
	char other[8];
	const char *dialect = smb2_dialect_name(s->dialect);
	if (s->dialect && !dialect)
		snprintf(other, sizeof(other), "0x%04x", s->dialect);
	if (s->dialect)
		jb_str(b, "dialect", dialect ? dialect : other);
	if (s->encrypted)
		jb_bool(b, "encrypted", true);
	for (int i = 0; i < 2; i++) {
		if (!s->native_os[i][0] && !s->native_lanman[i][0])
			continue;
		jb_obj_open(b, side[i]);
		if (s->native_os[i][0])
			jb_str(b, "native_os", s->native_os[i]);
		if (s->native_lanman[i][0])
			jb_str(b, "native_lanman", s->native_lanman[i]);
		jb_obj_close(b);
	}
	jb_obj_close(b);
}

/* An RDP protocol value by its name, or in hex when it has none. */
static const char *rdp_protocol_text(uint32_t v, char other[12])
{
	const char *name = rdp_protocol_name(v);
	if (name)
		return name;
	snprintf(other, 12, "0x%x", v);
	return other;
}

/* The protocols of an RDP negotiation mask, by name. */
static void rdp_protocols(struct jbuf *b, const char *key, uint32_t mask)
{
	char other[12];
	jb_arr_open(b, key);
	if (!mask)
		jb_str(b, NULL, rdp_protocol_name(0));
	for (uint32_t bit = 1; bit; bit <<= 1)
		if (mask & bit)
			jb_str(b, NULL, rdp_protocol_text(bit, other));
	jb_arr_close(b);
}

/* What the RDP connection negotiated (sensor/rdp_seen.h): NLA or not. */
static void rdp_members(struct jbuf *b, const struct flow_rdp *r)
{
	jb_obj_open(b, "rdp");
	if (r->requested_seen)
		rdp_protocols(b, "requested", r->requested);
	if (r->confirmed && r->failure) {
		jb_u64(b, "failure_code", r->selected);
	} else if (r->confirmed) {
		char other[12];
		jb_str(b, "selected", rdp_protocol_text(r->selected, other));
		jb_bool(b, "nla", rdp_nla(r->selected));
	}
	jb_obj_close(b);
}

void eve_flow(struct eve *e, struct flow *f, enum flow_end_reason why, int session_kind,
	      const void *session)
{
	struct jbuf *b = &e->jb;
	char start[40], end[40];
	/* what the run's audit report counts of the record (eve_feed_flow) */
	struct report_flow rep = { .start = start, .end = end };
	eve_header(e, b, f->last.sec, f->last.usec, f, "flow");

	jb_obj_open(b, "flow");
	jb_u64(b, "pkts_toserver", f->pkts[DIR_TOSERVER]);
	jb_u64(b, "pkts_toclient", f->pkts[DIR_TOCLIENT]);
	jb_u64(b, "bytes_toserver", f->bytes[DIR_TOSERVER]);
	jb_u64(b, "bytes_toclient", f->bytes[DIR_TOCLIENT]);
	eve_format_time(f->first.sec, f->first.usec, start);
	jb_str(b, "start", start);
	eve_format_time(f->last.sec, f->last.usec, end);
	jb_str(b, "end", end);
	jb_i64(b, "age", f->last.sec - f->first.sec);
	jb_str(b, "state", flow_state_name((enum flow_state)f->state));
	jb_str(b, "reason", flow_end_reason_name(why));
	if (f->truncated_pkts)
		jb_u64(b, "truncated_pkts", f->truncated_pkts);
	jb_obj_close(b);

	if (f->key.proto == 6) {
		const struct tcp_stream *ts_ = &f->tcp[DIR_TOSERVER], *tc = &f->tcp[DIR_TOCLIENT];
		uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
		jb_obj_open(b, "tcp");
		flags_hex(b, "tcp_flags", all);
		flags_hex(b, "tcp_flags_ts", f->tcp_flags[DIR_TOSERVER]);
		flags_hex(b, "tcp_flags_tc", f->tcp_flags[DIR_TOCLIENT]);
		if (all & TCP_SYN) jb_bool(b, "syn", true);
		if (all & TCP_FIN) jb_bool(b, "fin", true);
		if (all & TCP_RST) jb_bool(b, "rst", true);
		if (all & TCP_PSH) jb_bool(b, "psh", true);
		if (all & TCP_ACK) jb_bool(b, "ack", true);
		if (all & TCP_URG) jb_bool(b, "urg", true);
		if (all & TCP_ECE) jb_bool(b, "ecn", true);
		if (all & TCP_CWR) jb_bool(b, "cwr", true);
		jb_bool(b, "midstream", (ts_->state | tc->state) & TCPS_MIDSTREAM);
		jb_obj_open(b, "reassembly");
		jb_u64(b, "bytes_toserver", ts_->bytes);
		jb_u64(b, "bytes_toclient", tc->bytes);
		jb_u64(b, "gaps_toserver", ts_->gaps);
		jb_u64(b, "gaps_toclient", tc->gaps);
		jb_u64(b, "gap_bytes_toserver", ts_->gap_bytes);
		jb_u64(b, "gap_bytes_toclient", tc->gap_bytes);
		jb_u64(b, "out_of_order", (uint64_t)ts_->ooo_segs + tc->ooo_segs);
		jb_u64(b, "retransmissions", (uint64_t)ts_->retrans + tc->retrans);
		jb_u64(b, "overlaps", (uint64_t)ts_->overlaps + tc->overlaps);
		jb_u64(b, "overlaps_differing", (uint64_t)ts_->overlap_diff + tc->overlap_diff);
		jb_obj_close(b);
		jb_obj_close(b);
	}

	const struct ndpi_summary *n = &f->ndpi_res;
	jb_obj_open(b, "ndpi");
	jb_str(b, "protocol", n->name[0] ? n->name : "Unknown");
	if (e->ndpi)
		jb_str(b, "category", ndpi_classifier_category_name(e->ndpi, n->category_id));
	jb_str(b, "confidence", ndpi_classifier_confidence_name(n->confidence));
	if (n->guessed)
		jb_bool(b, "guessed", true);
	if (n->host[0])
		jb_str(b, "hostname", n->host);
	if (n->risk) {
		const char *names[64];
		size_t k = ndpi_classifier_risk_names(n->risk, names, 64);
		jb_arr_open(b, "risks");
		for (size_t i = 0; i < k; i++)
			jb_str(b, NULL, names[i]);
		jb_arr_close(b);
	}
	jb_u64(b, "packets_inspected", f->ndpi_pkts);
	jb_obj_close(b);

	if (f->smb)
		smb_members(b, f->smb);
	if (f->rdp)
		rdp_members(b, f->rdp);

	/* what the zone/conduit policy says of the flow (auditors' matrix) */
	const struct rules_flow *rf = f->rules;
	if (e->policy && rf && rf->verdict != RV_UNCHECKED) {
		const struct policy *p = e->policy;
		jb_obj_open(b, "policy");
		rep.has_policy = true;
		rep.verdict = rules_verdict_name((enum rules_verdict)rf->verdict);
		jb_name(b, "verdict", rep.verdict);
		for (int i = 0; i < 2; i++) {
			int z = rf->zone[i];
			const char *name = z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
			*(i ? &rep.dest_zone : &rep.src_zone) = name;
			if (name)
				jb_str(b, i ? "dest_zone" : "src_zone", name);
			else
				jb_null(b, i ? "dest_zone" : "src_zone");
		}
		if (rf->conduit >= 0 && (size_t)rf->conduit < p->nconduits) {
			rep.conduit = p->conduits[rf->conduit].name;
			jb_str(b, "conduit", rep.conduit);
		} else if (rf->violated_conduit && rf->violated_conduit <= p->nconduits) {
			/* the zones have a conduit, but it does not allow this */
			rep.violated_conduit = p->conduits[rf->violated_conduit - 1].name;
			jb_str(b, "violated_conduit", rep.violated_conduit);
		}
		rep.alerts = f->alert_hits;
		jb_u64(b, "alerts", rep.alerts);
		jb_obj_close(b);
	}

	eve_app_session(b, (enum app_event_kind)session_kind, session, f->eve_hsms_counts);
	if (eve_commit(e, b) && e->report)
		eve_feed_flow(e, f, &rep, session_kind, session);
}
