/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_app.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sensor/output/eve_feed.h"

static const char *dir_name(int dir)
{
	return dir == DIR_TOSERVER ? "toserver" : "toclient";
}

void eve_anomaly(struct eve *e, struct flow *f, int64_t sec, uint32_t usec, int dir,
		 const struct app_anomaly *a)
{
	struct jbuf *b = &e->jb;
	eve_header(e, b, sec, usec, f, "anomaly");
	jb_obj_open(b, "anomaly");
	jb_name(b, "type", "applayer");
	jb_str(b, "event", a->name);
	if (a->detail)
		jb_str(b, "detail", a->detail);
	jb_name(b, "layer", a->layer ? a->layer : (f && f->app ? f->app->name : "unknown"));
	if (f)
		jb_name(b, "direction", dir_name(dir));
	jb_obj_close(b);
	eve_commit(e, b);
}

static void fields(struct jbuf *b, const struct gem_fields *g)
{
	if (!g || g->n == 0)
		return;
	jb_obj_open(b, "fields");
	for (int i = 0; i < g->n; i++) {
		const struct gem_field *f = &g->f[i];
		if (f->numeric)
			jb_u64(b, f->key, f->num);
		else
			jb_str(b, f->key, f->text);
	}
	jb_obj_close(b);
	if (g->ack >= 0) {
		jb_obj_open(b, "ack");
		jb_name(b, "name", g->ack_name);
		jb_u64(b, "code", (uint64_t)g->ack);
		jb_bool(b, "ok", gem_ack_ok(g->ack_name, g->ack));
		jb_obj_close(b);
	}
}

void eve_hsms(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
	      const struct hsms_message *m)
{
	struct jbuf *b = &e->jb;
	/* what the audit report counts it as: hsms.sf of a data message,
	 * hsms.stype of the others */
	char sf[16];
	const char *what = hsms_stype_name(m->stype);
	eve_header(e, b, sec, usec, f, "hsms");
	jb_obj_open(b, "hsms");
	jb_name(b, "direction", dir_name(m->dir));
	jb_name(b, "sender", m->sender == HSMS_ROLE_HOST ? "host" : "equipment");
	jb_u64(b, "session_id", m->session_id);
	jb_name(b, "stype", hsms_stype_name(m->stype));
	/* the codes only where the name does not say it all */
	if (!hsms_stype_defined(m->stype))
		jb_u64(b, "stype_code", m->stype);
	if (m->ptype)
		jb_u64(b, "ptype", m->ptype);
	jb_u64(b, "system_bytes", m->system);
	jb_u64(b, "length", m->length);
	if (m->ptype == 0 && m->stype == HSMS_DATA) {
		hsms_sf_text(sf, m->stream, m->function);
		what = sf;
		jb_u64(b, "stream", m->stream);
		jb_u64(b, "function", m->function);
		jb_name(b, "sf", sf);
		jb_bool(b, "wbit", m->wbit);
		if (m->gem)
			jb_name(b, "name", m->gem->name);
		jb_name(b, "category", gem_category_name(m->category));
		char sml[HSMS_SML_MAX];
		bool cut;
		if (hsms_message_sml(m, sml, sizeof(sml), &cut)) {
			jb_str(b, "sml", sml);
			if (cut)
				jb_bool(b, "sml_truncated", true);
		}
		jb_u64(b, "body_bytes", m->body_total);
		if (m->body_len < m->body_total)
			jb_u64(b, "body_decoded", m->body_len);
		if (m->check.err != SECS2_OK && m->check.err != SECS2_PARTIAL)
			jb_str(b, "body_error", secs2_err_name(m->check.err));
		fields(b, hsms_message_fields(m));
	} else if (m->stype == HSMS_SELECT_RSP) {
		jb_u64(b, "status", m->byte3);
		jb_name(b, "status_text", hsms_select_status_name(m->byte3));
	} else if (m->stype == HSMS_DESELECT_RSP) {
		jb_u64(b, "status", m->byte3);
		jb_name(b, "status_text", hsms_deselect_status_name(m->byte3));
	} else if (m->stype == HSMS_REJECT_REQ) {
		jb_u64(b, "reason", m->byte3);
		jb_name(b, "reason_text", hsms_reject_reason_name(m->byte3));
		jb_u64(b, "rejected_type", m->byte2);
	}
	if (m->is_reply) {
		jb_obj_open(b, "transaction");
		jb_name(b, "type", "reply");
		jb_bool(b, "matched", m->matched);
		if (m->matched) {
			if (m->stype == HSMS_DATA) {
				char primary[16];
				hsms_sf_text(primary, m->primary_stream, m->primary_function);
				jb_name(b, "primary", primary);
				if (!m->primary_wbit)
					jb_bool(b, "primary_wbit", false);
			}
			jb_u64(b, "latency_us", m->latency_us);
		}
		jb_obj_close(b);
	}
	jb_name(b, "session_state", hsms_state_name(m->state));
	jb_name(b, "roles_from", m->roles_from_messages ? "messages" : "connect-mode");
	jb_obj_close(b);
	if (eve_commit(e, b) && e->report)
		eve_feed_hsms(e, f, what);
}

static const char *asset_change_name(enum hsms_asset_change c)
{
	switch (c) {
	case HSMS_ASSET_NEW: return "new";
	case HSMS_ASSET_IDENTIFIED: return "identified";
	case HSMS_ASSET_CHANGED: return "changed";
	case HSMS_ASSET_NEW_HOST: return "new-host";
	case HSMS_ASSET_SUMMARY: return "summary";
	}
	return "?";
}

void eve_hsms_asset(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
		    const struct hsms_asset_event *a)
{
	const struct hsms_equipment *q = a->eq;
	struct jbuf *b = &e->jb;
	char ip[IP_ADDR_STRLEN], ts[40];
	eve_header(e, b, sec, usec, f, "asset");
	jb_obj_open(b, "asset");
	jb_name(b, "change", asset_change_name(a->change));
	jb_name(b, "kind", "equipment");
	jb_name(b, "protocol", "hsms");
	jb_str(b, "ip", ip_addr_str(&q->addr, ip, sizeof(ip)));
	if (q->identified) {
		jb_str(b, "model", q->mdln);
		jb_str(b, "software_revision", q->softrev);
	}
	if (a->change == HSMS_ASSET_CHANGED && q->prev_softrev[0])
		jb_str(b, "previous_software_revision", q->prev_softrev);
	jb_arr_open(b, "hsms_ports");
	for (int i = 0; i < q->nports; i++)
		jb_u64(b, NULL, q->ports[i]);
	jb_arr_close(b);
	jb_arr_open(b, "device_ids");
	for (int i = 0; i < q->ndevice_ids; i++)
		jb_u64(b, NULL, q->device_ids[i]);
	jb_arr_close(b);
	jb_arr_open(b, "hosts");
	for (int i = 0; i < q->nhosts; i++)
		jb_str(b, NULL, ip_addr_str(&q->hosts[i], ip, sizeof(ip)));
	jb_arr_close(b);
	if (q->hosts_overflow)
		jb_bool(b, "more_hosts", true);
	eve_format_time(q->first_sec, q->first_usec, ts);
	jb_str(b, "first_seen", ts);
	if (q->last_sec) {
		eve_format_time(q->last_sec, q->last_usec, ts);
		jb_str(b, "last_seen", ts);
	}
	jb_u64(b, "messages", q->messages);
	jb_obj_close(b);
	eve_commit(e, b);
}

static const char *modbus_change_name(enum modbus_asset_change c)
{
	switch (c) {
	case MODBUS_ASSET_NEW: return "new";
	case MODBUS_ASSET_IDENTIFIED: return "identified";
	case MODBUS_ASSET_CHANGED: return "changed";
	case MODBUS_ASSET_NEW_CLIENT: return "new-client";
	case MODBUS_ASSET_SUMMARY: return "summary";
	}
	return "?";
}

void eve_modbus_asset(struct eve *e, struct flow *f, int64_t sec, uint32_t usec,
		      const struct modbus_asset_event *a)
{
	const struct modbus_device *d = a->dev;
	struct jbuf *b = &e->jb;
	char ip[IP_ADDR_STRLEN], ts[40];
	eve_header(e, b, sec, usec, f, "asset");
	jb_obj_open(b, "asset");
	jb_name(b, "change", modbus_change_name(a->change));
	jb_name(b, "kind", "modbus-server");
	jb_name(b, "protocol", "modbus");
	jb_str(b, "ip", ip_addr_str(&d->addr, ip, sizeof(ip)));
	static const struct { const char *key; size_t off; } ids[] = {
		{ "vendor", offsetof(struct modbus_device, vendor) },
		{ "product_code", offsetof(struct modbus_device, product_code) },
		{ "revision", offsetof(struct modbus_device, revision) },
		{ "vendor_url", offsetof(struct modbus_device, vendor_url) },
		{ "product_name", offsetof(struct modbus_device, product_name) },
		{ "model_name", offsetof(struct modbus_device, model_name) },
		{ "user_application", offsetof(struct modbus_device, user_application) },
		{ "server_id", offsetof(struct modbus_device, server_id) },
		{ "server_data", offsetof(struct modbus_device, server_data) },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *v = (const char *)d + ids[i].off;
		if (v[0])
			jb_str(b, ids[i].key, v);
	}
	if (a->change == MODBUS_ASSET_CHANGED && d->prev_revision[0])
		jb_str(b, "previous_revision", d->prev_revision);
	jb_arr_open(b, "ports");
	for (int i = 0; i < d->nports; i++)
		jb_u64(b, NULL, d->ports[i]);
	jb_arr_close(b);
	jb_arr_open(b, "unit_ids");
	for (int i = 0; i < d->nunits; i++)
		jb_u64(b, NULL, d->units[i]);
	jb_arr_close(b);
	jb_arr_open(b, "clients");
	for (int i = 0; i < d->nclients; i++)
		jb_str(b, NULL, ip_addr_str(&d->clients[i], ip, sizeof(ip)));
	jb_arr_close(b);
	if (d->clients_overflow)
		jb_bool(b, "more_clients", true);
	eve_format_time(d->first_sec, d->first_usec, ts);
	jb_str(b, "first_seen", ts);
	eve_format_time(d->last_sec, d->last_usec, ts);
	jb_str(b, "last_seen", ts);
	jb_u64(b, "requests", d->requests);
	jb_u64(b, "writes", d->writes);
	jb_obj_close(b);
	eve_commit(e, b);
}

static void modbus_session(struct jbuf *b, const struct modbus_session_summary *s)
{
	jb_obj_open(b, "modbus");
	jb_u64(b, "requests", s->requests);
	jb_u64(b, "responses", s->responses);
	jb_u64(b, "exceptions", s->exceptions);
	jb_obj_open(b, "requests_by_access");
	for (int a = 0; a < MODBUS_ACCESS_COUNT; a++)
		if (s->by_access[a])
			jb_u64(b, modbus_access_name((enum modbus_access)a), s->by_access[a]);
	jb_obj_close(b);
	jb_u64(b, "unanswered", s->unanswered);
	jb_u64(b, "unmatched_responses", s->unmatched_responses);
	jb_u64(b, "anomalies", s->anomalies);
	jb_u64(b, "resyncs", s->resyncs);
	jb_arr_open(b, "unit_ids");
	for (int i = 0; i < s->nunits; i++)
		jb_u64(b, NULL, s->units[i]);
	jb_arr_close(b);
	jb_obj_close(b);
}

void eve_app_session(struct jbuf *b, enum app_event_kind kind, const void *summary,
		     const struct eve_hsms_counts *unrecorded)
{
	if (kind == APP_EVENT_MODBUS_SESSION) {
		modbus_session(b, summary);
		return;
	}
	/* a flow with HSMS messages ends with its session's summary (the
	 * dissector's state lives until then), so the counts go inside it */
	if (kind != APP_EVENT_HSMS_SESSION || !summary)
		return;
	const struct hsms_session_summary *s = summary;
	jb_obj_open(b, "hsms");
	jb_name(b, "session_state", hsms_state_name(s->state));
	jb_name(b, "host", s->host_is_client ? "client" : "server");
	jb_name(b, "roles_from", s->roles_from_messages ? "messages" : "connect-mode");
	jb_u64(b, "messages_toserver", s->messages[0]);
	jb_u64(b, "messages_toclient", s->messages[1]);
	jb_u64(b, "data_messages", s->data_messages);
	jb_u64(b, "control_messages", s->control_messages);
	jb_u64(b, "transactions", s->transactions);
	jb_u64(b, "unanswered", s->unanswered);
	jb_u64(b, "unmatched_replies", s->unmatched_replies);
	jb_u64(b, "anomalies", s->anomalies);
	jb_u64(b, "resyncs", s->resyncs);
	jb_arr_open(b, "session_ids");
	for (int i = 0; i < s->nsession_ids; i++)
		jb_u64(b, NULL, s->session_ids[i]);
	jb_arr_close(b);
	if (unrecorded)
		eve_hsms_counts_write(b, unrecorded);
	jb_obj_close(b);
}
