/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/output/report_queue.h"
#include "util/log.h"
#include "util/rfc3339.h"

void eve_format_time(int64_t sec, uint32_t usec, char out[40])
{
	rfc3339_eve(sec, usec, out);
}

const char *eve_proto_name(uint8_t proto, char buf[8])
{
	switch (proto) {
	case 1: return "ICMP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 58: return "IPv6-ICMP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 132: return "SCTP";
	default:
		snprintf(buf, 8, "%u", proto);
		return buf;
	}
}

/* The part of a record's header that a flow never changes, as JSON
 * members ("flow_id":...,"community_id":...,"src_ip":...,...). */
static void flow_members(struct eve *e, struct jbuf *b, const struct flow *f)
{
	char ip[IP_ADDR_STRLEN], pn[8];
	struct ip_addr c, s;
	uint16_t cp, sp;
	flow_endpoints(f, &c, &cp, &s, &sp);
	bool ports = eve_has_ports(f->key.proto);
	jb_u64(b, "flow_id", f->flow_id);
	jb_str(b, "community_id", f->community_id);
	jb_str(b, "src_ip", ip_addr_str(&c, ip, sizeof(ip)));
	if (ports)
		jb_u64(b, "src_port", cp);
	jb_str(b, "dest_ip", ip_addr_str(&s, ip, sizeof(ip)));
	if (ports)
		jb_u64(b, "dest_port", sp);
	jb_str(b, "proto", eve_proto_name(f->key.proto, pn));
	if (f->key.proto == 1 || f->key.proto == 58) {
		jb_u64(b, "icmp_type", f->icmp_type);
		jb_u64(b, "icmp_code", f->icmp_code);
	}
	if (f->key.vlan_count) {
		jb_arr_open(b, "vlan");
		for (int i = 0; i < f->key.vlan_count; i++)
			jb_u64(b, NULL, f->key.vlan[i]);
		jb_arr_close(b);
	}
	if (e->source_names && e->source_names[f->source])
		jb_str(b, e->live ? "in_iface" : "pcap_filename", e->source_names[f->source]);
}

void eve_header(struct eve *e, struct jbuf *b, int64_t sec, uint32_t usec, struct flow *f,
		const char *event_type)
{
	jb_reset(b);
	jb_obj_open(b, NULL);
	eve_format_time(sec, usec, e->rec_time);
	jb_name(b, "timestamp", e->rec_time);
	jb_name(b, "event_type", event_type);
	e->rec_type = event_type;
	if (f) {
		/* a flow's members are built once and then copied: flows with a
		 * dissector write a record per message */
		if (!f->eve_hdr) {
			struct jbuf tmp;
			if (jb_init(&tmp, 256)) {
				tmp.first[0] = false; /* every member gets its comma */
				flow_members(e, &tmp, f);
				if (!tmp.oom && tmp.len < UINT16_MAX && (f->eve_hdr = malloc(tmp.len)) != NULL) {
					memcpy(f->eve_hdr, tmp.p, tmp.len);
					f->eve_hdr_len = (uint16_t)tmp.len;
				}
				jb_free(&tmp);
			}
		}
		if (f->eve_hdr)
			jb_raw(b, f->eve_hdr, f->eve_hdr_len);
		else
			flow_members(e, b, f);
		jb_str(b, "app_proto", flow_app_proto(f)); /* nDPI names: escaped */
	}
	if (e->sensor_name)
		jb_str(b, "host", e->sensor_name);
}

bool eve_commit(struct eve *e, struct jbuf *b)
{
	jb_obj_close(b);
	return eve_put(e, b);
}

void eve_hold(struct eve *e, struct eve_first first)
{
	e->first = first;
	e->holding = true;
	e->out.held = true;
}

void eve_release(struct eve *e)
{
	if (!e->holding)
		return;
	e->holding = false;
	/* the record being queued keeps its type and time (eve_feed reads them) */
	const char *type = e->rec_type;
	char when[sizeof(e->rec_time)];
	memcpy(when, e->rec_time, sizeof(when));
	struct jbuf b;
	if (jb_init(&b, 1024)) {
		e->first.build(e, &b, e->first.ctx);
		jb_raw(&b, "\n", 1);
		if (!b.oom) {
			eve_report(e, outfile_put_front(&e->out, b.p, b.len));
			if (e->report)
				report_queue_record(e->report, e->rec_type, e->sensor_name, b.p, b.len);
		}
		jb_free(&b);
	}
	e->out.held = false;
	e->rec_type = type;
	memcpy(e->rec_time, when, sizeof(when));
}

bool eve_put(struct eve *e, struct jbuf *b)
{
	jb_raw(b, "\n", 1);
	if (b->oom || !e->open)
		return false;
	if (e->holding &&
	    (e->first.ready(e->first.ctx) || e->out.len + b->len > e->out.max_pending / 2))
		eve_release(e);
	eve_report(e, outfile_put(&e->out, b->p, b->len));
	if (e->report)
		report_queue_record(e->report, e->rec_type, e->sensor_name, b->p, b->len);
	return true;
}

void eve_report(struct eve *e, enum outfile_event ev)
{
	if (ev == OUTFILE_STARTED_FAILING)
		log_error("cannot write '%s': %s; holding records in memory (up to %zu MiB) and retrying",
			  e->out.path, strerror(e->out.err), e->out.max_pending >> 20);
	else if (ev == OUTFILE_RECOVERED)
		log_warn("writing '%s' again", e->out.path);
}

void eve_flush(struct eve *e)
{
	if (e->holding && e->first.ready(e->first.ctx))
		eve_release(e);
	if (e->open)
		eve_report(e, outfile_flush(&e->out));
}
