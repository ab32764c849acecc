/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/eve_feed.h"

#include <string.h>

#include "dissectors/modbus.h"
#include "sensor/output/eve_hsms_counts.h"

/* The record header's src_ip and dest_ip (the flow's client and server);
 * returns dest_port. A flow's records come in runs (an HSMS session, a
 * Modbus poll), so the last pair's text is kept (inet_ntop is most of the
 * cost of feeding a record). */
static uint16_t endpoints(struct eve *e, const struct flow *f, char src[IP_ADDR_STRLEN],
			  char dst[IP_ADDR_STRLEN])
{
	struct ip_addr c, s;
	uint16_t cp, sp;
	flow_endpoints(f, &c, &cp, &s, &sp);
	struct eve_feed_cache *k = &e->feed_cache;
	if (!k->valid || memcmp(&k->c, &c, sizeof(c)) || memcmp(&k->s, &s, sizeof(s))) {
		ip_addr_str(&c, k->src, IP_ADDR_STRLEN);
		ip_addr_str(&s, k->dst, IP_ADDR_STRLEN);
		k->c = c;
		k->s = s;
		k->valid = true;
	}
	memcpy(src, k->src, IP_ADDR_STRLEN);
	memcpy(dst, k->dst, IP_ADDR_STRLEN);
	return sp;
}

void eve_feed_flow(struct eve *e, const struct flow *f, struct report_flow *rf,
		   int session_kind, const void *session)
{
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	uint16_t dport = endpoints(e, f, src, dst);
	rf->src_ip = src;
	rf->dest_ip = dst;
	rf->app_proto = flow_app_proto(f);
	rf->bytes = f->bytes[DIR_TOSERVER] + f->bytes[DIR_TOCLIENT];
	rf->has_port = eve_has_ports(f->key.proto);
	rf->dest_port = rf->has_port ? dport : 0;
	report_queue_flow(e->report, rf);

	/* as eve_app_session writes them */
	if (session_kind == APP_EVENT_MODBUS_SESSION) {
		const struct modbus_session_summary *s = session;
		report_queue_flow_modbus(e->report, src, dst, s->requests, s->exceptions);
		for (int a = 0; a < MODBUS_ACCESS_COUNT; a++)
			if (s->by_access[a])
				report_queue_flow_modbus_access(e->report, src, dst,
							       modbus_access_name((enum modbus_access)a),
							       s->by_access[a]);
		return;
	}
	const struct eve_hsms_counts *c = f->eve_hsms_counts;
	if (session_kind != APP_EVENT_HSMS_SESSION || !session || !c)
		return;
	for (uint8_t i = 0; i < c->ntypes; i++) {
		char what[16];
		eve_hsms_count_key(c->t[i].code, what);
		report_queue_flow_hsms(e->report, src, dst, what, c->t[i].n, rf->start, rf->end);
	}
	for (int d = 0; d < 2; d++)
		if (c->other[d])
			report_queue_flow_hsms(e->report, src, dst, "other", c->other[d], rf->start,
					      rf->end);
}

void eve_feed_hsms(struct eve *e, const struct flow *f, const char *what)
{
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	endpoints(e, f, src, dst);
	report_queue_hsms(e->report, src, dst, what, e->rec_time);
}

void eve_feed_modbus(struct eve *e, const struct flow *f, const char *function)
{
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	endpoints(e, f, src, dst);
	report_queue_modbus_request(e->report, src, dst, function);
}
