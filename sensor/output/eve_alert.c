/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * EVE `alert` records (README "Alerts"): Suricata's alert fields (action,
 * gid, signature_id, rev, signature, category, severity) plus fabmon's rule
 * id (as rule_id: Suricata's alert.rule is the raw text of the signature
 * that fired, which fabmon's rules do not have), the reason, the zones/hosts/roles of both ends, the guideline
 * references, aggregation counts, and the protocol context.
 */
#include "sensor/output/eve_alert.h"

#include <stdio.h>
#include <string.h>

#include "dissectors/modbus.h"
#include "sensor/output/eve_modbus.h"

static void endpoint(struct jbuf *b, const char *key, const struct alert_endpoint *e, bool ports)
{
	char ip[IP_ADDR_STRLEN];
	jb_obj_open(b, key);
	jb_str(b, "ip", ip_addr_str(&e->ip, ip, sizeof(ip)));
	if (ports)
		jb_u64(b, "port", e->port);
	if (e->has_zone) {
		jb_str(b, "zone", e->zone);
		if (e->purdue_x10 % 10)
			jb_double(b, "purdue", e->purdue_x10 / 10.0);
		else
			jb_u64(b, "purdue", (uint64_t)e->purdue_x10 / 10);
		jb_name(b, "area", policy_area_name(e->area));
	} else {
		jb_null(b, "zone");
	}
	if (e->host[0])
		jb_str(b, "host", e->host);
	jb_arr_open(b, "roles");
	for (int r = 0; r < ROLE_COUNT; r++)
		if (e->roles & ROLE_BIT(r))
			jb_name(b, NULL, policy_role_name((enum host_role)r));
	jb_arr_close(b);
	if (e->roles)
		jb_bool(b, "roles_inferred", e->roles_inferred);
	if (e->has_mac)
		jb_strf(b, "mac", "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2],
			e->mac[3], e->mac[4], e->mac[5]);
	jb_obj_close(b);
}

static void context(struct jbuf *b, const struct alert *a)
{
	switch (a->ctx) {
	case ACTX_HSMS: {
		const struct alert_hsms *h = &a->u.hsms;
		jb_obj_open(b, "hsms");
		if (h->stream || h->function) {
			jb_strf(b, "sf", "S%uF%u", h->stream, h->function);
			jb_u64(b, "stream", h->stream);
			jb_u64(b, "function", h->function);
			jb_bool(b, "wbit", h->wbit);
			jb_str(b, "category", h->category);
		}
		if (h->name[0])
			jb_str(b, "name", h->name);
		jb_str(b, "direction", h->direction);
		jb_u64(b, "session_id", h->session_id);
		jb_u64(b, "system_bytes", h->system);
		if (h->rcmd[0])
			jb_str(b, "rcmd", h->rcmd);
		if (h->ppid[0])
			jb_str(b, "ppid", h->ppid);
		if (h->sml[0]) {
			jb_str(b, "sml", h->sml);
			if (h->sml_truncated)
				jb_bool(b, "sml_truncated", true);
		}
		jb_obj_close(b);
		break;
	}
	case ACTX_MODBUS: {
		/* the transaction as a modbus record has it so far (Suricata
		 * puts the transaction's app object in an alert): its id and
		 * the request that raised the alert */
		const struct alert_modbus *m = &a->u.modbus;
		jb_obj_open(b, "modbus");
		jb_u64(b, "id", m->tx_id);
		if (m->adu_len > MODBUS_MBAP_LEN) {
			struct modbus_pdu p;
			memset(&p, 0, sizeof(p));
			p.transaction_id = (uint16_t)(m->adu[0] << 8 | m->adu[1]);
			p.protocol_id = (uint16_t)(m->adu[2] << 8 | m->adu[3]);
			p.length = (uint16_t)(m->adu[4] << 8 | m->adu[5]);
			p.unit_id = m->adu[6];
			p.adu = m->adu;
			p.adu_len = m->adu_len;
			p.anomaly = modbus_decode_pdu(m->adu + MODBUS_MBAP_LEN, m->adu_len - MODBUS_MBAP_LEN,
						      true, NULL, &p);
			eve_modbus_message(b, "request", &p);
		}
		jb_obj_close(b);
		break;
	}
	case ACTX_ANOMALY:
		jb_obj_open(b, "anomaly");
		jb_str(b, "name", a->u.anomaly.name);
		if (a->u.anomaly.detail[0])
			jb_str(b, "detail", a->u.anomaly.detail);
		jb_str(b, "layer", a->u.anomaly.layer);
		jb_obj_close(b);
		break;
	case ACTX_INVENTORY: {
		const struct alert_inventory *in = &a->u.inv;
		jb_obj_open(b, "inventory");
		if (in->model[0] || in->softrev[0]) {
			jb_str(b, "model", in->model);
			jb_str(b, "softrev", in->softrev);
		}
		if (in->expected_model[0] || in->expected_softrev[0]) {
			jb_str(b, "expected_model", in->expected_model);
			jb_str(b, "expected_softrev", in->expected_softrev);
		}
		if (in->previous_softrev[0])
			jb_str(b, "previous_softrev", in->previous_softrev);
		if (in->other_zone[0]) {
			char ip[IP_ADDR_STRLEN];
			jb_str(b, "other_zone", in->other_zone);
			jb_str(b, "other_ip", ip_addr_str(&in->other_ip, ip, sizeof(ip)));
		}
		jb_obj_close(b);
		break;
	}
	case ACTX_SCAN: {
		/* a scan or flood: the interval's counts (rules/engine_scan.c) */
		const struct alert_scan *sc = &a->u.scan;
		bool flood = a->def->rule == R_SCAN_SYN_FLOOD, pair = a->def->rule == R_SCAN_PORT_SCAN;
		char ts[40], ip[IP_ADDR_STRLEN];
		jb_obj_open(b, "scan");
		eve_format_time(sc->interval_start, 0, ts);
		jb_str(b, "interval_start", ts);
		eve_format_time(sc->interval_end, 0, ts);
		jb_str(b, "interval_end", ts);
		jb_u64(b, "flows", sc->flows);
		jb_u64(b, flood ? "distinct_sources" : pair ? "distinct_ports" : "distinct_hosts",
		       sc->distinct);
		if (sc->distinct_estimated)
			jb_bool(b, flood ? "estimated" : "at_least", true);
		jb_u64(b, "threshold", sc->threshold);
		jb_u64(b, "folded", sc->folded);
		if (sc->nfolded_by) {
			jb_arr_open(b, "folded_by");
			for (int i = 0; i < sc->nfolded_by; i++) {
				jb_obj_open(b, NULL);
				jb_str(b, "rule_id", sc->folded_by[i].rule);
				if (sc->folded_by[i].src_zone[0])
					jb_str(b, "src_zone", sc->folded_by[i].src_zone);
				else
					jb_null(b, "src_zone");
				jb_u64(b, "flows", sc->folded_by[i].n);
				jb_obj_close(b);
			}
			jb_arr_close(b);
		}
		if (sc->table_evictions)
			jb_u64(b, "table_evictions", sc->table_evictions);
		jb_arr_open(b, flood ? "top_sources" : pair ? "top_ports" : "top_hosts");
		for (int i = 0; i < sc->ntop; i++) {
			jb_obj_open(b, NULL);
			if (pair)
				jb_u64(b, "port", sc->top[i].port);
			else
				jb_str(b, "ip", ip_addr_str(&sc->top[i].ip, ip, sizeof(ip)));
			jb_u64(b, "flows", sc->top[i].n);
			jb_obj_close(b);
		}
		jb_arr_close(b);
		jb_obj_close(b);
		break;
	}
	default:
		break;
	}
}

void eve_alert_id(const struct alert *a, char out[17])
{
	uint64_t h = alert_key_mix(0, a->def->id, strlen(a->def->id));
	h = alert_key_mix(h, &a->flow_id, sizeof(a->flow_id));
	h = alert_key_mix(h, &a->src.ip, sizeof(a->src.ip));
	h = alert_key_mix(h, &a->dst.ip, sizeof(a->dst.ip));
	int64_t t[2] = { a->repeat ? a->last_sec : a->first_sec,
			 a->repeat ? a->last_usec : a->first_usec };
	h = alert_key_mix(h, t, sizeof(t));
	h = alert_key_mix(h, &a->repeat, sizeof(a->repeat));
	h = alert_key_mix(h, a->reason, strlen(a->reason));
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

void eve_alert(struct eve *e, const struct alert *a, const char *id, const struct evidence_ref *ev)
{
	eve_alert_build(e, a, id, ev);
	eve_put(e, &e->jb);
}

void eve_alert_build(struct eve *e, const struct alert *a, const char *id,
		     const struct evidence_ref *ev)
{
	struct jbuf *b = &e->jb;
	char ts[40], pn[8];
	bool ports = a->proto == 6 || a->proto == 17 || a->proto == 132;
	jb_reset(b);
	jb_obj_open(b, NULL);
	if (a->repeat)
		eve_format_time(a->last_sec, a->last_usec, ts);
	else
		eve_format_time(a->first_sec, a->first_usec, ts);
	jb_name(b, "timestamp", ts);
	jb_name(b, "event_type", "alert");
	e->rec_type = "alert";
	if (a->flow_id) {
		char ip[IP_ADDR_STRLEN];
		jb_u64(b, "flow_id", a->flow_id);
		jb_str(b, "community_id", a->community_id);
		jb_str(b, "src_ip", ip_addr_str(&a->src.ip, ip, sizeof(ip)));
		if (ports)
			jb_u64(b, "src_port", a->src.port);
		jb_str(b, "dest_ip", ip_addr_str(&a->dst.ip, ip, sizeof(ip)));
		if (ports)
			jb_u64(b, "dest_port", a->dst.port);
		jb_str(b, "proto", eve_proto_name(a->proto, pn));
		jb_str(b, "app_proto", a->app);
		if (a->vlan) {
			jb_arr_open(b, "vlan");
			jb_u64(b, NULL, a->vlan);
			jb_arr_close(b);
		}
		if (e->source_names && e->source_names[a->source])
			jb_str(b, e->live ? "in_iface" : "pcap_filename", e->source_names[a->source]);
	} else if (a->ctx == ACTX_SCAN) {
		/* a scan or flood stands for many flows: its ends without ports
		 * (a flood's target, a port scan's two ends, a sweep's source) */
		char ip[IP_ADDR_STRLEN];
		if (a->def->rule != R_SCAN_SYN_FLOOD)
			jb_str(b, "src_ip", ip_addr_str(&a->src.ip, ip, sizeof(ip)));
		if (a->def->rule != R_SCAN_HOST_SWEEP)
			jb_str(b, "dest_ip", ip_addr_str(&a->dst.ip, ip, sizeof(ip)));
		jb_str(b, "proto", "TCP");
	} else if (a->def->rule == R_EXP_SERVICE) {
		/* a service seen before its equipment identified itself: the
		 * host and one of its clients, the flow may be gone */
		char ip[IP_ADDR_STRLEN];
		jb_str(b, "src_ip", ip_addr_str(&a->src.ip, ip, sizeof(ip)));
		jb_str(b, "dest_ip", ip_addr_str(&a->dst.ip, ip, sizeof(ip)));
		jb_u64(b, "dest_port", a->dst.port);
		jb_str(b, "proto", eve_proto_name(a->proto, pn));
		jb_str(b, "app_proto", a->app);
	}
	if (e->sensor_name)
		jb_str(b, "host", e->sensor_name);

	jb_obj_open(b, "alert");
	jb_name(b, "id", id);
	jb_name(b, "action", "allowed"); /* passive: fabmon observes, never blocks */
	jb_u64(b, "gid", 1);
	jb_u64(b, "signature_id", a->def->sid);
	jb_u64(b, "rev", 1);
	jb_name(b, "rule_id", a->def->id);
	jb_name(b, "signature", a->def->signature);
	jb_str(b, "signature_ja", a->def->signature_ja); /* UTF-8: jb_str, not jb_name */
	jb_name(b, "category", a->def->category);
	jb_u64(b, "severity", a->severity);
	jb_name(b, "severity_name", rule_severity_name(a->severity));
	jb_str(b, "reason", a->reason);
	if (a->conduit[0])
		jb_str(b, "conduit", a->conduit);
	jb_arr_open(b, "references");
	for (int i = 0; i < RULE_MAX_REFS && a->def->refs[i]; i++)
		jb_name(b, NULL, a->def->refs[i]);
	jb_arr_close(b);
	jb_u64(b, "count", a->count);
	eve_format_time(a->first_sec, a->first_usec, ts);
	jb_name(b, "first_seen", ts);
	eve_format_time(a->last_sec, a->last_usec, ts);
	jb_name(b, "last_seen", ts);
	if (a->repeat)
		jb_bool(b, "repeat", true);
	if (a->suppressed_before)
		jb_u64(b, "suppressed_before", a->suppressed_before);
	if (a->baseline_taken[0] || a->baseline_new[0]) {
		/* what was new, one item each, and when the baseline was taken */
		jb_obj_open(b, "baseline");
		jb_str(b, "taken", a->baseline_taken);
		jb_arr_open(b, "new");
		char item[sizeof(a->baseline_new)];
		for (const char *s = a->baseline_new; *s;) {
			const char *sep = strstr(s, "; ");
			size_t n = sep ? (size_t)(sep - s) : strlen(s);
			snprintf(item, sizeof(item), "%.*s", (int)n, s);
			jb_str(b, NULL, item);
			s += n + (sep ? 2 : 0);
		}
		jb_arr_close(b);
		jb_obj_close(b);
	}
	if (a->flow_id) {
		endpoint(b, "source", &a->src, ports);
		endpoint(b, "target", &a->dst, ports);
	} else if (a->ctx == ACTX_SCAN) {
		if (a->def->rule != R_SCAN_SYN_FLOOD)
			endpoint(b, "source", &a->src, false);
		if (a->def->rule != R_SCAN_HOST_SWEEP)
			endpoint(b, "target", &a->dst, false);
	}
	if (ev && ev->file[0]) {
		jb_obj_open(b, "evidence");
		jb_str(b, "file", ev->file);
		jb_u64(b, "first_packet", ev->first_packet);
		jb_u64(b, "last_packet", ev->last_packet);
		jb_obj_close(b);
	} else if (ev && ev->none != EVIDENCE_HAS_FILE && ev->none != EVIDENCE_NONE_OFF) {
		/* no pcap: say why (evidence turned off says nothing) */
		jb_obj_open(b, "evidence");
		jb_name(b, "none", evidence_none_name(ev->none));
		jb_obj_close(b);
	}
	jb_obj_close(b);
	context(b, a);
	jb_obj_close(b);
}
