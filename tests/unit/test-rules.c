/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The rule engine, table-driven: a flow or a dissector event goes in, the
 * exact alerts (rule, source, destination, severity) come out. Also the
 * aggregation window, the rate limit, overrides, reload and role inference.
 */
#include "dissectors/gem.h"
#include "dissectors/hsms.h"
#include "dissectors/modbus.h"
#include "rules/engine.h"
#include "rules/exposure.h"
#include "test.h"

static const char policy_text[] =
	"default_action: deny\n"
	"zones:\n"
	"  - {name: internet, purdue: 5, area: external, networks: [public]}\n"
	"  - {name: office, purdue: 4, area: enterprise, networks: [192.168.0.0/16]}\n"
	"  - {name: dmz, purdue: 3.5, area: it-ot-dmz, networks: [10.10.0.0/16]}\n"
	"  - {name: system, purdue: 3, area: fab-system-area, networks: [10.20.0.0/16],\n"
	"     inventory: closed}\n"
	"  - {name: tools, purdue: 2, area: fab-area, networks: [10.30.0.0/16]}\n"
	"hosts:\n"
	"  - {name: eap, address: 10.20.1.10, roles: [equipment-host]}\n"
	"  - {name: rms, address: 10.20.1.20, roles: [recipe-server]}\n"
	"  - {name: scada, address: 10.20.2.20, roles: [scada]}\n"
	"  - {name: ews, address: 10.20.3.30, roles: [engineering-workstation]}\n"
	"  - {name: jump, address: 10.10.0.5, roles: [jump-host]}\n"
	"  - {name: etcher, address: 10.30.1.21, roles: [equipment], model: ETCH-9000, softrev: 4.2.1}\n"
	"  - {name: plc, address: 10.30.50.5, roles: [controller]}\n"
	"conduits:\n"
	"  - name: eap-to-tools\n"
	"    from: system\n"
	"    to: tools\n"
	"    allow:\n"
	"      - {app: hsms, ports: [5000], initiators: [equipment-host, recipe-server],\n"
	"         messages: [S1, S2, S5, S6, S7]}\n"
	"      - {app: modbus, ports: [502], initiators: [scada], access: [read, write],\n"
	"         addresses: [\"0-199\"]}\n"
	"      - {app: modbus, ports: [502], initiators: [engineering-workstation]}\n"
	"      - {app: SMBv23, initiators: [engineering-workstation]}\n"
	"  - name: jump-to-tools\n"
	"    from: dmz\n"
	"    to: tools\n"
	"    allow:\n"
	"      - {app: RDP, initiators: [jump-host]}\n"
	"  - name: office-to-dmz\n"
	"    from: office\n"
	"    to: dmz\n"
	"    allow:\n"
	"      - {app: RDP, ports: [3389]}\n";

/* ---- an alert log ---- */

#define LOG_MAX 64
struct logged {
	char rule[24];
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	int severity;
	uint64_t count;
	bool repeat;
	uint64_t suppressed_before;
	char reason[ALERT_REASON_LEN];
	char detail[200];          /* an anomaly's */
	char sf[12];
	char conduit[64];
	bool inv_dirty;            /* an inventory alert carrying members it did not set */
	const void *sensor_flow;   /* the flow handed back to the sensor */
	struct alert_mark mark;    /* the evidence the sensor noted */
};
static struct logged logbuf[LOG_MAX];
static int nlog;

static void sink(void *ctx, const struct alert *a)
{
	(void)ctx;
	if (nlog >= LOG_MAX)
		return;
	struct logged *l = &logbuf[nlog++];
	memset(l, 0, sizeof(*l));
	snprintf(l->rule, sizeof(l->rule), "%s", a->def->id);
	ip_addr_str(&a->src.ip, l->src, sizeof(l->src));
	ip_addr_str(&a->dst.ip, l->dst, sizeof(l->dst));
	l->severity = a->severity;
	l->count = a->count;
	l->repeat = a->repeat;
	l->sensor_flow = a->sensor_flow;
	l->mark = a->mark;
	l->suppressed_before = a->suppressed_before;
	snprintf(l->reason, sizeof(l->reason), "%s", a->reason);
	snprintf(l->conduit, sizeof(l->conduit), "%s", a->conduit);
	if (a->ctx == ACTX_ANOMALY)
		snprintf(l->detail, sizeof(l->detail), "%s", a->u.anomaly.detail);
	if (a->ctx == ACTX_HSMS)
		snprintf(l->sf, sizeof(l->sf), "S%uF%u", a->u.hsms.stream, a->u.hsms.function);
	if (a->ctx == ACTX_INVENTORY) {
		/* no-zone and new-host alerts set none; identity sets model/softrev,
		 * MAC-in-two-zones other_zone/other_ip */
		const struct alert_inventory *in = &a->u.inv;
		bool ident = strcmp(a->def->id, "FAB-INV-004") == 0;
		bool mac = strcmp(a->def->id, "FAB-INV-003") == 0;
		struct ip_addr zero;
		memset(&zero, 0, sizeof(zero));
		l->inv_dirty = (!ident && (in->model[0] || in->softrev[0] || in->expected_model[0] ||
					   in->expected_softrev[0] || in->previous_softrev[0])) ||
			       (!mac && (in->other_zone[0] || memcmp(&in->other_ip, &zero, sizeof(zero)) != 0));
	}
}

/* "RULE src>dst sev;..." of everything logged since the last call */
static const char *take(void)
{
	static char out[2048];
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < nlog && o < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s %s>%s %d%s", i ? ";" : "",
				      logbuf[i].rule, logbuf[i].src, logbuf[i].dst, logbuf[i].severity,
				      logbuf[i].inv_dirty ? " (stale inventory members)" : "");
	nlog = 0;
	return out;
}

static struct rules *engine(const char *text)
{
	struct policy_error e;
	struct policy *p = text ? policy_parse(text, strlen(text), "t.yaml", &e) : NULL;
	if (text && !p) {
		fprintf(stderr, "policy: %d:%d %s\n", e.line, e.column, e.msg);
		return NULL;
	}
	struct rules_config cfg = { .max_hosts = 1024, .agg_capacity = 64 };
	struct rules *r = rules_create(p, &cfg, sink, NULL, &e);
	nlog = 0;
	return r;
}

/* ---- flows ---- */

static uint8_t macs[2][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 } };

static struct rules_flow_view view(const char *cli, uint16_t cport, const char *srv,
				   uint16_t sport, const char *app)
{
	static uint64_t id = 1;
	struct rules_flow_view v;
	memset(&v, 0, sizeof(v));
	v.flow_id = id++;
	v.community_id = "1:test";
	ip_addr_parse(cli, &v.addr[0]);
	ip_addr_parse(srv, &v.addr[1]);
	v.port[0] = cport;
	v.port[1] = sport;
	v.proto = 6;
	v.app = app;
	return v;
}

static const char *flow(struct rules *r, const char *cli, const char *srv, uint16_t port,
			const char *app)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 40000, srv, port, app);
	rules_flow_check(r, &rf, &v, 1000, 0);
	return take();
}

static void test_flow_rules(void)
{
	struct rules *r = engine(policy_text);
	CHECK(r != NULL);
	if (!r)
		return;
	static const struct {
		const char *cli, *srv;
		uint16_t port;
		const char *app, *want;
	} t[] = {
		/* allowed by a conduit, or inside a zone */
		{ "10.20.1.10", "10.30.1.21", 5000, "hsms", "" },
		{ "10.10.0.5", "10.30.1.21", 3389, "RDP", "" },
		{ "192.168.10.50", "10.10.0.5", 3389, "RDP", "" },
		{ "10.20.1.10", "10.20.1.20", 443, "TLS", "" },
		{ "10.20.3.30", "10.30.1.21", 445, "NetBIOS.SMBv23", "" },
		/* default deny: no conduit between system and dmz */
		{ "10.20.1.10", "10.10.0.8", 443, "TLS", "FAB-ZC-001 10.20.1.10>10.10.0.8 2" },
		/* a conduit, but not this application or port or initiator */
		{ "10.20.1.10", "10.30.1.21", 22, "SSH",
		  "FAB-ZC-002 10.20.1.10>10.30.1.21 2;FAB-RA-001 10.20.1.10>10.30.1.21 2" },
		{ "192.168.10.50", "10.10.0.5", 22, "SSH", "FAB-ZC-002 192.168.10.50>10.10.0.5 2" },
		{ "10.20.2.20", "10.30.1.21", 5000, "hsms", "FAB-ZC-002 10.20.2.20>10.30.1.21 2" },
		/* level skipping, internet */
		{ "192.168.10.50", "10.20.1.10", 443, "TLS", "FAB-ZC-003 192.168.10.50>10.20.1.10 1" },
		{ "10.30.1.21", "8.8.8.8", 443, "TLS", "FAB-ZC-004 10.30.1.21>8.8.8.8 1" },
		{ "10.20.1.10", "8.8.8.8", 443, "TLS", "FAB-ZC-005 10.20.1.10>8.8.8.8 2" },
		/* remote access, SMB, cleartext */
		{ "203.0.113.50", "10.30.1.21", 3389, "RDP",
		  "FAB-ZC-003 203.0.113.50>10.30.1.21 1;FAB-RA-001 203.0.113.50>10.30.1.21 2" },
		{ "10.30.1.22", "10.30.1.21", 3389, "RDP", "FAB-RA-001 10.30.1.22>10.30.1.21 2" },
		{ "10.30.1.21", "10.30.1.22", 445, "NetBIOS.SMBv1", "FAB-SMB-002 10.30.1.21>10.30.1.22 1" },
		{ "10.30.1.21", "10.30.1.22", 445, "NetBIOS.SMBv23", "FAB-SMB-001 10.30.1.21>10.30.1.22 2" },
		{ "10.30.1.21", "10.30.1.22", 21, "FTP_CONTROL", "FAB-CL-001 10.30.1.21>10.30.1.22 3" },
		/* the engineering workstation may log in, but not in cleartext */
		{ "10.20.3.30", "10.20.2.20", 23, "Telnet", "FAB-CL-001 10.20.3.30>10.20.2.20 3" },
		{ "10.20.1.20", "10.20.2.20", 23, "Telnet", "FAB-RA-001 10.20.1.20>10.20.2.20 2;"
		  "FAB-CL-001 10.20.1.20>10.20.2.20 3" },
		/* HSMS between equipment in one zone: no conduit names it */
		{ "10.30.1.22", "10.30.1.21", 5000, "hsms", "FAB-HSMS-009 10.30.1.22>10.30.1.21 2" },
		/* inventory: once per host */
		{ "10.20.9.99", "10.20.1.10", 80, "HTTP", "FAB-INV-002 10.20.9.99>10.20.1.10 3" },
		{ "10.20.9.99", "10.20.1.10", 80, "HTTP", "" },
		{ "172.16.0.1", "192.168.1.1", 80, "HTTP", "FAB-INV-001 172.16.0.1>192.168.1.1 3" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = flow(r, t[i].cli, t[i].srv, t[i].port, t[i].app);
		if (strcmp(got, t[i].want) != 0)
			fprintf(stderr, "  case %zu: %s -> %s:%u %s\n", i, t[i].cli, t[i].srv, t[i].port,
				t[i].app);
		CHECK_STR(got, t[i].want);
	}
	/* the reason says what and why */
	flow(r, "10.20.1.10", "10.30.1.21", 22, "SSH");
	rules_finish(r);
	take();
	rules_destroy(r);
}

/* ---- HSMS ---- */

struct hsms_case {
	const char *host;          /* the HSMS host side (TCP client) */
	uint8_t stype, stream, function;
	bool from_equipment;
	const char *field, *value; /* one body field, e.g. aled=0 */
	const char *want;
};

static const char *hsms(struct rules *r, const struct hsms_case *c, const char *eq)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(c->host, 40000, eq, 5000, "hsms");
	struct hsms_message m;
	memset(&m, 0, sizeof(m));
	m.stype = c->stype;
	m.stream = c->stream;
	m.function = c->function;
	m.sender = c->from_equipment ? HSMS_ROLE_EQUIPMENT : HSMS_ROLE_HOST;
	m.dir = c->from_equipment ? 1 : 0;
	m.gem = gem_lookup(c->stream, c->function);
	m.category = gem_category_of(c->stream, c->function);
	struct gem_fields f;
	memset(&f, 0, sizeof(f));
	f.ack = -1;
	if (c->field) {
		f.n = 1;
		f.f[0].key = c->field;
		f.f[0].numeric = c->value[0] >= '0' && c->value[0] <= '9';
		f.f[0].num = strtoull(c->value, NULL, 10);
		snprintf(f.f[0].text, sizeof(f.f[0].text), "%s", c->value);
	}
	m.fields = &f;
	struct app_event ev = { APP_EVENT_HSMS, m.dir, &m };
	rules_app_event(r, &rf, &v, &ev, 2000, 0);
	return take();
}

static void test_hsms_rules(void)
{
	struct rules *r = engine(policy_text);
	CHECK(r != NULL);
	if (!r)
		return;
	const char *eq = "10.30.1.21";
	static const struct hsms_case t[] = {
		/* the EAP may do all of it */
		{ "10.20.1.10", HSMS_SELECT_REQ, 0, 0, false, NULL, NULL, "" },
		{ "10.20.1.10", HSMS_DATA, 2, 41, false, "rcmd", "START", "" },
		{ "10.20.1.10", HSMS_DATA, 7, 3, false, "ppid", "R1", "" },
		{ "10.20.1.10", HSMS_DATA, 7, 17, false, NULL, NULL, "" },
		{ "10.20.1.10", HSMS_DATA, 6, 11, true, NULL, NULL, "" },
		{ "10.20.1.10", HSMS_DATA, 7, 6, true, "ppid", "R1", "" },
		/* the recipe server: recipes yes, commands no */
		{ "10.20.1.20", HSMS_DATA, 7, 3, false, NULL, NULL, "" },
		{ "10.20.1.20", HSMS_DATA, 2, 41, false, NULL, NULL,
		  "FAB-HSMS-001 10.20.1.20>10.30.1.21 1" },
		/* a host without roles in the fab system zone (and not in its inventory) */
		{ "10.20.9.99", HSMS_SELECT_REQ, 0, 0, false, NULL, NULL,
		  "FAB-INV-002 10.20.9.99>10.30.1.21 3;FAB-ZC-002 10.20.9.99>10.30.1.21 2;"
		  "FAB-HSMS-008 10.20.9.99>10.30.1.21 2" },
		/* the flow verdict again: aggregated into the first record's window */
		{ "10.20.9.99", HSMS_DATA, 2, 49, false, NULL, NULL, "FAB-HSMS-001 10.20.9.99>10.30.1.21 1" },
		{ "10.20.9.98", HSMS_DATA, 7, 23, false, NULL, NULL,
		  "FAB-INV-002 10.20.9.98>10.30.1.21 3;FAB-ZC-002 10.20.9.98>10.30.1.21 2;"
		  "FAB-HSMS-002 10.20.9.98>10.30.1.21 1" },
		/* from here the conduit verdict repeats within the window: only the new rules */
		{ "10.20.9.98", HSMS_DATA, 7, 17, false, NULL, NULL, "FAB-HSMS-003 10.20.9.98>10.30.1.21 2" },
		{ "10.20.9.98", HSMS_DATA, 2, 15, false, NULL, NULL, "FAB-HSMS-004 10.20.9.98>10.30.1.21 2" },
		{ "10.20.9.98", HSMS_DATA, 1, 17, false, NULL, NULL, "FAB-HSMS-005 10.20.9.98>10.30.1.21 2" },
		{ "10.20.9.98", HSMS_DATA, 5, 3, false, "aled", "0", "FAB-HSMS-006 10.20.9.98>10.30.1.21 2" },
		{ "10.20.9.98", HSMS_DATA, 5, 3, false, "aled", "128", "" },   /* enabling */
		{ "10.20.9.98", HSMS_DATA, 2, 37, false, "ceed", "0", "FAB-HSMS-006 10.20.9.98>10.30.1.21 2" },
		{ "10.20.9.98", HSMS_DATA, 7, 5, false, "ppid", "R1", "FAB-HSMS-007 10.20.9.98>10.30.1.21 2" },
		/* a process program sent unsolicited to a host that may not have it */
		{ "10.20.9.97", HSMS_DATA, 7, 3, true, NULL, NULL,
		  "FAB-INV-002 10.20.9.97>10.30.1.21 3;FAB-ZC-002 10.20.9.97>10.30.1.21 2;"
		  "FAB-HSMS-007 10.20.9.97>10.30.1.21 2" },
		/* the EAP, but a stream the conduit does not name */
		{ "10.20.1.10", HSMS_DATA, 10, 3, false, NULL, NULL, "FAB-HSMS-010 10.20.1.10>10.30.1.21 2" },
		{ "10.20.1.10", HSMS_DATA, 10, 0, true, NULL, NULL, "" },     /* SxF0 always */
		/* enterprise straight into the tools */
		{ "192.168.10.77", HSMS_DATA, 7, 3, false, "ppid", "X", "FAB-ZC-003 192.168.10.77>10.30.1.21 1;"
		  "FAB-HSMS-002 192.168.10.77>10.30.1.21 1" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = hsms(r, &t[i], eq);
		if (strcmp(got, t[i].want) != 0)
			fprintf(stderr, "  case %zu: %s S%uF%u\n", i, t[i].host, t[i].stream, t[i].function);
		CHECK_STR(got, t[i].want);
	}
	/* exact record of a recipe download: reason names the PPID and the roles */
	struct hsms_case c = { "192.168.10.78", HSMS_DATA, 7, 3, false, "ppid", "ETCH-POLY-07", NULL };
	CHECK_STR(hsms(r, &c, "10.30.1.22"), "FAB-ZC-003 192.168.10.78>10.30.1.22 1;"
		  "FAB-HSMS-002 192.168.10.78>10.30.1.22 1");
	CHECK_STR(logbuf[1].rule, "FAB-HSMS-002");
	CHECK_STR(logbuf[1].sf, "S7F3");
	CHECK_STR(logbuf[1].reason, "S7F3 Process Program Send PPID=ETCH-POLY-07 sent to equipment "
				    "10.30.1.22 (zone tools, roles none) by 192.168.10.78 (zone "
				    "office, roles none), which is not a trusted host (roles "
				    "equipment-host,recipe-server)");
	nlog = 0;
	rules_destroy(r);
}

/* ---- Modbus ---- */

static const char *modbus(struct rules *r, const char *cli, uint8_t fc, uint16_t addr,
			  uint16_t qty)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 40000, "10.30.50.5", 502, "modbus");
	struct modbus_pdu p;
	memset(&p, 0, sizeof(p));
	p.request = true;
	p.unit_id = 1;
	p.fc = p.function = fc;
	p.function_name = modbus_function_name(fc);
	p.access = modbus_access_of(fc, 0);
	p.has_address = p.has_quantity = true;
	p.address = addr;
	p.quantity = qty;
	struct app_event ev = { APP_EVENT_MODBUS, 0, &p };
	rules_app_event(r, &rf, &v, &ev, 3000, 0);
	return take();
}

/* the second commander's reason names every role the rule trusts, uncut */
static void test_second_host_roles(void)
{
	static const char text[] =
		"infer_roles: false\n"
		"zones:\n"
		"  - {name: sys, purdue: 3, area: fab-system-area, networks: [10.20.0.0/16]}\n"
		"  - {name: tools, purdue: 2, area: fab-area, networks: [10.30.0.0/16]}\n"
		"hosts:\n"
		"  - {name: etcher, address: 10.30.1.21, roles: [equipment]}\n"
		"conduits:\n"
		"  - {name: c, from: sys, to: tools, allow: [{app: hsms}]}\n"
		"rules:\n"
		"  - {id: FAB-HSMS-008, roles: [equipment-host, mes, mcs, recipe-server, "
		"engineering-workstation, jump-host, vendor-support]}\n";
	struct rules *r = engine(text);
	CHECK(r != NULL);
	if (!r)
		return;
	struct hsms_case c = { "10.20.9.99", HSMS_SELECT_REQ, 0, 0, false, NULL, NULL, NULL };
	CHECK_STR(hsms(r, &c, "10.30.1.21"), "FAB-HSMS-008 10.20.9.99>10.30.1.21 2");
	static const char want[] = "(trusted roles: equipment-host,recipe-server,mes,mcs,"
				   "engineering-workstation,jump-host,vendor-support)";
	CHECK(strstr(logbuf[0].reason, want) != NULL);
	if (!strstr(logbuf[0].reason, want))
		fprintf(stderr, "  reason: %s\n", logbuf[0].reason);
	rules_destroy(r);
}

static void test_modbus_rules(void)
{
	struct rules *r = engine(policy_text);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(modbus(r, "10.20.2.20", 3, 0, 10), "");
	CHECK_STR(modbus(r, "10.20.2.20", 16, 100, 100), "");           /* 100..199 */
	CHECK_STR(modbus(r, "10.20.2.20", 16, 150, 60), "FAB-MB-003 10.20.2.20>10.30.50.5 2");
	CHECK_STR(modbus(r, "10.20.2.20", 8, 0, 1),
		  "FAB-MB-004 10.20.2.20>10.30.50.5 2;FAB-MB-002 10.20.2.20>10.30.50.5 2");
	CHECK_STR(modbus(r, "10.20.3.30", 8, 0, 1), "");                /* the EWS may */
	CHECK_STR(modbus(r, "10.20.3.30", 5, 9000, 1), "");
	CHECK_STR(modbus(r, "10.20.1.10", 6, 100, 1),
		  "FAB-ZC-002 10.20.1.10>10.30.50.5 2;FAB-MB-001 10.20.1.10>10.30.50.5 2");
	CHECK_STR(modbus(r, "10.20.1.10", 3, 0, 1), "");                /* aggregated: same flow verdict */
	rules_destroy(r);
}

/* ---- inventory, identity, anomalies ---- */

/* An HTTP flow whose frames carry these MACs (NULL: none). */
static const char *mac_flow(struct rules *r, const char *cli, const char *srv, const uint8_t *mac0,
			    const uint8_t *mac1, int64_t sec)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 1, srv, 80, "HTTP");
	v.mac[0] = mac0;
	v.mac[1] = mac1;
	rules_flow_check(r, &rf, &v, sec, 0);
	return take();
}

static void test_inventory(void)
{
	struct rules *r = engine(policy_text);
	CHECK(r != NULL);
	if (!r)
		return;
	/* one MAC in two zones */
	CHECK_STR(mac_flow(r, "10.20.1.10", "10.20.1.20", macs[0], macs[1], 10), "");
	CHECK_STR(mac_flow(r, "10.30.1.21", "10.20.1.20", macs[0], macs[1], 11), "FAB-INV-003 10.30.1.21>10.20.1.20 2;FAB-ZC-001 10.30.1.21>10.20.1.20 2");
	/* a reload to a policy with fewer zones: the MAC's zones of the old
	 * policy are forgotten (they indexed past the new zone list), and the
	 * alert can fire again under the new policy */
	{
		static const char one_zone[] =
			"zones:\n  - {name: only, purdue: 3, area: fab-system-area, networks: [10.0.0.0/8]}\n"
			"  - {name: two, purdue: 2, area: fab-area, networks: [192.168.0.0/16]}\n";
		struct policy_error e;
		struct policy *p1 = policy_parse(one_zone, sizeof(one_zone) - 1, "t.yaml", &e);
		CHECK(p1 != NULL);
		CHECK_EQ(rules_set_policy(r, p1, &e), 0);
		CHECK_STR(mac_flow(r, "10.30.1.22", "10.20.1.20", macs[0], NULL, 12), "");
		CHECK_STR(mac_flow(r, "192.168.1.5", "192.168.1.6", macs[0], NULL, 13),
			  "FAB-INV-003 192.168.1.5>192.168.1.6 2");
		struct policy *p2 = policy_parse(policy_text, strlen(policy_text), "t.yaml", &e);
		CHECK(p2 != NULL);
		CHECK_EQ(rules_set_policy(r, p2, &e), 0);
		take();
	}
	/* equipment identity against the baseline */
	struct hsms_equipment eq;
	memset(&eq, 0, sizeof(eq));
	ip_addr_parse("10.30.1.21", &eq.addr);
	snprintf(eq.mdln, sizeof(eq.mdln), "ETCH-9000");
	snprintf(eq.softrev, sizeof(eq.softrev), "4.2.1");
	eq.identified = true;
	struct hsms_asset_event ae = { HSMS_ASSET_IDENTIFIED, &eq };
	struct app_event ev = { APP_EVENT_HSMS_ASSET, 1, &ae };
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view("10.20.1.10", 1, "10.30.1.21", 5000, "hsms");
	rules_app_event(r, &rf, &v, &ev, 20, 0);
	CHECK_STR(take(), "");
	snprintf(eq.softrev, sizeof(eq.softrev), "4.3.0-beta");
	rules_app_event(r, &rf, &v, &ev, 21, 0);
	CHECK_STR(take(), "FAB-INV-004 10.20.1.10>10.30.1.21 3");
	/* a dissector anomaly, with its own severity */
	struct app_anomaly an = { "HSMS_LENGTH_TOO_SMALL", "length 8", "hsms" };
	struct app_event aev = { APP_EVENT_ANOMALY, 0, &an };
	rules_app_event(r, &rf, &v, &aev, 22, 0);
	CHECK_STR(take(), "FAB-AN-HSMS 10.20.1.10>10.30.1.21 2");
	struct app_anomaly an2 = { "MODBUS_INVALID_QUANTITY", NULL, "modbus" };
	aev.body = &an2;
	rules_app_event(r, &rf, &v, &aev, 22, 0);
	CHECK_STR(take(), "FAB-AN-MODBUS 10.20.1.10>10.30.1.21 3");
	rules_destroy(r);
}

/* ---- aggregation, rate limit, overrides, reload ---- */

/* A repeat record describes the hits it counts: it carries the last one's
 * detail (and reason), not the first hit's, which has its own record. */
static void test_repeat_detail(void)
{
	char text[4096];
	snprintf(text, sizeof(text), "%salerting: {window: 60, rate_limit: 100}\n", policy_text);
	struct rules *r = engine(text);
	CHECK(r != NULL);
	if (!r)
		return;
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view("10.20.1.10", 1, "10.30.1.21", 5000, "hsms");
	int the_flow;              /* stands for the sensor's flow */
	v.sensor_flow = &the_flow;
	const char *details[] = { "length 8", "length 4", "length 2" };
	for (int i = 0; i < 3; i++) {
		struct app_anomaly an = { "HSMS_LENGTH_TOO_SMALL", details[i], "hsms" };
		struct app_event aev = { APP_EVENT_ANOMALY, 0, &an };
		rules_app_event(r, &rf, &v, &aev, 100 + 10 * i, 0);
	}
	CHECK_EQ(nlog, 1);
	CHECK_STR(logbuf[0].detail, "length 8");
	CHECK_EQ(logbuf[0].count, 1);
	/* the alert carries its flow; the repeat, written when the window
	 * closes (the flow may be gone by then), does not */
	CHECK(logbuf[0].sensor_flow == &the_flow);
	nlog = 0;
	rules_tick(r, 160);
	CHECK_EQ(nlog, 1);
	CHECK(logbuf[0].repeat);
	CHECK_EQ(logbuf[0].count, 2);
	CHECK_STR(logbuf[0].detail, "length 2");
	CHECK(logbuf[0].sensor_flow == NULL);
	nlog = 0;
	rules_destroy(r);
}

/* The sensor's mark hook: called for every hit that is written or folded
 * into a window, while its flow is there; the mark of the last hit goes
 * with the repeat record (its evidence, when its flow may be gone). */
static int marks_taken;
static struct alert_mark mark_hit(void *ctx, const struct alert *hit, bool repeat)
{
	(void)ctx;
	struct alert_mark m = { { (uint64_t)hit->first_sec, repeat } };
	CHECK(hit->sensor_flow != NULL);
	marks_taken++;
	return m;
}

static void test_repeat_mark(void)
{
	char text[4096];
	snprintf(text, sizeof(text), "%salerting: {window: 60, rate_limit: 100}\n", policy_text);
	struct policy_error e;
	struct policy *p = policy_parse(text, strlen(text), "t.yaml", &e);
	CHECK(p != NULL);
	struct rules_config cfg = { .max_hosts = 1024, .agg_capacity = 64, .mark = mark_hit };
	struct rules *r = p ? rules_create(p, &cfg, sink, NULL, &e) : NULL;
	CHECK(r != NULL);
	if (!r)
		return;
	nlog = 0;
	marks_taken = 0;
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view("10.20.1.10", 1, "10.30.1.21", 5000, "hsms");
	int the_flow;
	v.sensor_flow = &the_flow;
	for (int i = 0; i < 3; i++) {
		struct app_anomaly an = { "HSMS_LENGTH_TOO_SMALL", "length 8", "hsms" };
		struct app_event aev = { APP_EVENT_ANOMALY, 0, &an };
		rules_app_event(r, &rf, &v, &aev, 100 + 10 * i, 0);
	}
	CHECK_EQ(marks_taken, 3);
	CHECK_EQ(nlog, 1);
	CHECK_EQ(logbuf[0].mark.v[0], 100);     /* the first hit's, not a repeat */
	CHECK_EQ(logbuf[0].mark.v[1], 0);
	nlog = 0;
	rules_tick(r, 160);
	CHECK_EQ(nlog, 1);
	CHECK(logbuf[0].repeat);
	CHECK_EQ(logbuf[0].count, 2);
	CHECK_EQ(logbuf[0].mark.v[0], 120);     /* the last hit's, noted as a repeat */
	CHECK_EQ(logbuf[0].mark.v[1], 1);
	CHECK_EQ(marks_taken, 3);               /* none when the window closes */
	nlog = 0;
	rules_destroy(r);
}

static void test_aggregation(void)
{
	char text[4096];
	snprintf(text, sizeof(text), "%salerting: {window: 60, rate_limit: 2}\n", policy_text);
	struct rules *r = engine(text);
	CHECK(r != NULL);
	if (!r)
		return;
	struct rules_flow_view v = view("192.168.10.50", 1, "10.20.1.10", 443, "TLS");
	for (int i = 0; i < 5; i++) {
		struct rules_flow rf;
		memset(&rf, 0, sizeof(rf));
		rules_flow_check(r, &rf, &v, 100 + i, 0);
	}
	CHECK_EQ(nlog, 1);
	CHECK_EQ(logbuf[0].count, 1);
	nlog = 0;
	rules_tick(r, 159);
	CHECK_EQ(nlog, 0);
	rules_tick(r, 160);            /* the window of the first hit (t=100) closes */
	CHECK_EQ(nlog, 1);
	CHECK(logbuf[0].repeat);
	CHECK_EQ(logbuf[0].count, 4);
	nlog = 0;
	/* rate limit: 2 new keys of one rule and source per minute, the rest
	 * counted; one noisy source does not hide another's alert */
	for (int i = 0; i < 5; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.20.1.%d", 60 + i);
		struct rules_flow_view w = view("192.168.10.60", 1, ip, 443, "TLS");
		struct rules_flow rf;
		memset(&rf, 0, sizeof(rf));
		rules_flow_check(r, &rf, &w, 200, 0);
	}
	/* (the new hosts' FAB-INV-002 have their own budget of 2 for this source) */
	CHECK_STR(take(), "FAB-INV-002 192.168.10.60>10.20.1.60 3;FAB-ZC-003 192.168.10.60>10.20.1.60 1;"
			  "FAB-INV-002 192.168.10.60>10.20.1.61 3;FAB-ZC-003 192.168.10.60>10.20.1.61 1");
	CHECK_EQ(rules_alert_stats(r)->suppressed, 6);
	CHECK_EQ(rules_alert_stats(r)->suppressed_by_rule[R_LEVEL_SKIP], 3);
	{
		struct rules_flow_view w = view("192.168.10.61", 1, "10.20.1.10", 443, "TLS");
		struct rules_flow rf;
		memset(&rf, 0, sizeof(rf));
		rules_flow_check(r, &rf, &w, 201, 0);
		CHECK_EQ(nlog, 1);
		CHECK_EQ(logbuf[0].suppressed_before, 3);
		CHECK_STR(take(), "FAB-ZC-003 192.168.10.61>10.20.1.10 1");
	}
	/* and the rule's ceiling, 10 x the rate, holds against many sources: 20
	 * records this minute, 3 written above, 17 more of these 25 */
	for (int i = 0; i < 25; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "192.168.11.%d", 1 + i);
		struct rules_flow_view w = view(ip, 1, "10.20.1.10", 443, "TLS");
		struct rules_flow rf;
		memset(&rf, 0, sizeof(rf));
		rules_flow_check(r, &rf, &w, 202, 0);
	}
	CHECK_EQ(nlog, 17);
	CHECK_EQ(rules_alert_stats(r)->suppressed_by_rule[R_LEVEL_SKIP], 3 + 8);
	CHECK_EQ(rules_alert_stats(r)->suppressed, 6 + 8);
	nlog = 0;
	/* ... but only for its own class of source (unknown office addresses):
	 * a source of another area in the same minute still has its record */
	{
		struct rules_flow_view w = view("203.0.113.9", 1, "10.20.1.10", 443, "TLS");
		struct rules_flow rf;
		memset(&rf, 0, sizeof(rf));
		rules_flow_check(r, &rf, &w, 203, 0);
		CHECK_EQ(nlog, 1);
		CHECK_EQ(logbuf[0].suppressed_before, 8); /* the office sources' */
		CHECK_STR(take(), "FAB-ZC-003 203.0.113.9>10.20.1.10 1");
	}
	struct rules_flow_view w = view("192.168.10.99", 1, "10.20.1.10", 443, "TLS");
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	rules_flow_check(r, &rf, &w, 260, 0);   /* next minute */
	CHECK_EQ(nlog, 1);
	CHECK_EQ(logbuf[0].suppressed_before, 0);
	nlog = 0;
	rules_finish(r);
	CHECK_EQ(rules_alert_stats(r)->hits, 43);
	/* reload: a policy that allows it, with severity overrides */
	snprintf(text, sizeof(text), "%s  - name: office-to-system\n    from: office\n    to: system\n"
		 "    allow: [{app: TLS}]\nrules:\n  - {id: FAB-RA-001, severity: 1}\n"
		 "  - {id: FAB-SMB-002, enabled: false}\n", policy_text);
	struct policy_error e;
	struct policy *p = policy_parse(text, strlen(text), "t2.yaml", &e);
	CHECK(p != NULL);
	uint32_t gen = rules_generation(r);
	CHECK_EQ(rules_set_policy(r, p, &e), 0);
	CHECK(rules_generation(r) != gen);
	rules_flow_check(r, &rf, &w, 400, 0);   /* the same flow is checked again */
	CHECK_STR(take(), "");
	CHECK_STR(flow(r, "10.30.1.22", "10.30.1.21", 3389, "RDP"), "FAB-RA-001 10.30.1.22>10.30.1.21 1");
	CHECK_STR(flow(r, "10.30.1.21", "10.30.1.22", 445, "NetBIOS.SMBv1"), "");
	/* a broken reload keeps the old policy */
	p = policy_parse("zones: []\nrules: [{id: NOPE}]\n", 29, "bad.yaml", &e);
	CHECK(p != NULL);
	CHECK_EQ(rules_set_policy(r, p, &e), -1);
	CHECK_STR(rules_policy(r)->source, "t2.yaml");
	rules_destroy(r);
}

/* ---- the built-in default: roles from behaviour ---- */

static void test_inferred(void)
{
	struct rules *r = engine(NULL);
	CHECK(r != NULL);
	if (!r)
		return;
	const char *eq = "10.1.2.3";
	static const struct hsms_case t[] = {
		/* the first host to select the equipment is its designated host */
		{ "10.9.0.1", HSMS_SELECT_REQ, 0, 0, false, NULL, NULL, "" },
		{ "10.9.0.1", HSMS_DATA, 2, 41, false, NULL, NULL, "" },
		{ "10.9.0.1", HSMS_DATA, 7, 3, false, NULL, NULL, "" },
		/* another host selecting it, commanding it, taking its recipes */
		{ "10.9.0.66", HSMS_SELECT_REQ, 0, 0, false, NULL, NULL, "FAB-HSMS-008 10.9.0.66>10.1.2.3 2" },
		{ "10.9.0.66", HSMS_DATA, 2, 41, false, NULL, NULL, "FAB-HSMS-001 10.9.0.66>10.1.2.3 1" },
		{ "10.9.0.66", HSMS_DATA, 7, 5, false, NULL, NULL, "FAB-HSMS-007 10.9.0.66>10.1.2.3 2" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = hsms(r, &t[i], eq);
		if (strcmp(got, t[i].want) != 0)
			fprintf(stderr, "  case %zu\n", i);
		CHECK_STR(got, t[i].want);
	}
	/* the equipment, known by its behaviour, reaching the internet; RDP and SMB to it */
	CHECK_STR(flow(r, eq, "198.51.100.23", 443, "TLS"), "FAB-ZC-004 10.1.2.3>198.51.100.23 1");
	CHECK_STR(flow(r, "10.9.0.77", eq, 3389, "RDP"), "FAB-RA-001 10.9.0.77>10.1.2.3 2");
	CHECK_STR(flow(r, eq, "10.9.0.5", 445, "NetBIOS.SMBv1"), "FAB-SMB-002 10.1.2.3>10.9.0.5 1");
	/* SMB by port alone (no application named): the reason gives the port */
	CHECK_STR(flow(r, "10.9.0.5", eq, 139, NULL), "FAB-SMB-001 10.9.0.5>10.1.2.3 2");
	CHECK(strstr(logbuf[0].reason, "SMB (port 139) to equipment") != NULL);
	/* unknown hosts among themselves: nothing (no addressing) */
	CHECK_STR(flow(r, "10.9.0.77", "10.9.0.78", 3389, "RDP"), "");
	CHECK_STR(flow(r, "10.9.0.77", "8.8.8.8", 443, "TLS"), "");
	rules_destroy(r);
}

/* ---- the learned-host table under a flood (issue 16 item 2) ---- */

static void flow_v(struct rules *r, const char *cli, const char *srv, uint16_t port,
		   const char *app, bool half_open)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 40000, srv, port, app);
	v.half_open = half_open;
	v.mac[0] = macs[0];
	v.mac[1] = macs[1];
	rules_flow_check(r, &rf, &v, 1000, 0);
	take();
}

/* A Select.req from host to eq, and a Modbus read from cli to srv: the
 * messages that give their ends the fab's rank. */
static void select_req(struct rules *r, const char *host, const char *eq)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(host, 40000, eq, 5000, "hsms");
	struct hsms_message m;
	memset(&m, 0, sizeof(m));
	m.stype = HSMS_SELECT_REQ;
	m.sender = HSMS_ROLE_HOST;
	struct app_event ev = { APP_EVENT_HSMS, 0, &m };
	rules_app_event(r, &rf, &v, &ev, 2000, 0);
	take();
}

static void modbus_read(struct rules *r, const char *cli, const char *srv)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 40000, srv, 502, "modbus");
	struct modbus_pdu p;
	memset(&p, 0, sizeof(p));
	p.request = true;
	p.unit_id = 1;
	p.fc = p.function = 3;
	p.function_name = modbus_function_name(3);
	p.access = modbus_access_of(3, 0);
	struct app_event ev = { APP_EVENT_MODBUS, 0, &p };
	rules_app_event(r, &rf, &v, &ev, 3000, 0);
	take();
}

static void test_host_ranks(void)
{
	struct policy_error e;
	/* 16 hosts: 12 for any completed connection, the last 4 for HSMS/Modbus */
	struct rules_config cfg = { .max_hosts = 16, .agg_capacity = 8 };
	struct rules *r = rules_create(NULL, &cfg, sink, NULL, &e);
	CHECK(r != NULL);
	if (!r)
		return;
	char a[32], b[32];
	/* half-open flows teach nothing, however many */
	for (int i = 0; i < 40; i++) {
		snprintf(a, sizeof(a), "11.0.%d.%d", i / 200, i % 200 + 1);
		flow_v(r, a, "10.30.1.21", 5000, NULL, true);
	}
	const struct rules_stats *s = rules_stats(r);
	CHECK_EQ(s->hosts, 0);
	CHECK_EQ(s->hosts_half_open_lookups, 80);
	CHECK_EQ(s->hosts_dropped, 0);
	/* plain hosts fill three quarters, then are refused by rank */
	for (int i = 0; i < 6; i++) {
		snprintf(a, sizeof(a), "10.9.0.%d", 2 * i);
		snprintf(b, sizeof(b), "10.9.0.%d", 2 * i + 1);
		flow_v(r, a, b, 80, "HTTP", false);
	}
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 12);
	flow_v(r, "10.9.1.1", "10.9.1.2", 80, "HTTP", false);
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 12);
	CHECK_EQ(s->hosts_refused_rank, 2);
	CHECK_EQ(s->hosts_dropped, 0);
	/* a handshake to the HSMS port that carries no message is plain */
	flow_v(r, "10.7.0.1", "10.7.0.2", 5000, "hsms", false);
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 12);
	CHECK_EQ(s->hosts_refused_rank, 4);
	/* HSMS messages find the kept quarter; a plain host that exchanges
	 * them gives its plain room back */
	select_req(r, "10.9.0.0", "10.8.0.1");
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 13);
	flow_v(r, "10.9.1.1", "10.9.0.1", 80, "HTTP", false);
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 14);
	CHECK_EQ(s->hosts_refused_rank, 4);
	/* Modbus too, up to the whole table */
	modbus_read(r, "10.8.0.2", "10.8.0.3");
	modbus_read(r, "10.8.0.4", "10.8.0.5");
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 16);
	CHECK_EQ(s->hosts_dropped, 3);
	/* a half-open flow of known hosts finds them (no new entry) */
	flow_v(r, "10.8.0.2", "10.8.0.3", 22, NULL, true);
	s = rules_stats(r);
	CHECK_EQ(s->hosts, 16);
	CHECK_EQ(s->hosts_dropped, 3);
	CHECK_EQ(s->hosts_half_open_lookups, 82);
	CHECK_EQ(s->macs_dropped, 0);
	rules_destroy(r);
}

/* ---- counters; two engines share no state ---- */

static void test_stats(void)
{
	struct policy_error e;
	struct rules_config cfg = { .max_hosts = 3, .agg_capacity = 8 };
	struct rules *r = rules_create(NULL, &cfg, sink, NULL, &e);
	struct rules *other = rules_create(NULL, &cfg, sink, NULL, &e);
	CHECK(r != NULL && other != NULL);
	if (!r || !other)
		return;
	flow(r, "10.9.0.1", "10.9.0.2", 80, "HTTP");
	flow(r, "10.9.0.1", "10.9.0.3", 80, "HTTP");
	flow(r, "10.9.0.4", "10.9.0.5", 80, "HTTP"); /* the table holds 3 */
	nlog = 0;
	const struct rules_stats *s = rules_stats(r);
	CHECK_EQ(s->flows_checked, 3);
	CHECK_EQ(s->hosts, 3);
	CHECK_EQ(s->hosts_dropped, 2);
	CHECK_EQ(s->reloads, 0);
	CHECK_EQ(rules_stats(other)->flows_checked, 0);
	CHECK_EQ(rules_stats(other)->hosts, 0);
	struct policy *p = policy_parse("zones: []\nrules: [{id: NOPE}]\n", 29, "bad.yaml", &e);
	CHECK(p != NULL);
	CHECK_EQ(rules_set_policy(r, p, &e), -1);
	p = policy_builtin(&e);
	CHECK(p != NULL);
	CHECK_EQ(rules_set_policy(r, p, &e), 0);
	s = rules_stats(r);
	CHECK_EQ(s->reloads, 1);
	CHECK_EQ(s->reload_failures, 1);
	CHECK_EQ(s->hosts, 3); /* learned hosts outlive a reload */
	CHECK_EQ(rules_stats(other)->reloads, 0);
	rules_destroy(other);
	rules_destroy(r);
}


/* FAB-EXP-001 (issue 19 item 1): an accepted flow to a host `services:`
 * covers raises it once per host and service, with the flow; a refused or
 * half-open one offers nothing; a reload checks every service seen so far
 * against the new `services:` (no flow then). */
static const char *offered(struct rules *r, const char *cli, const char *srv, uint16_t port,
			   const char *app, bool answered, bool half_open)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v = view(cli, 40000, srv, port, app);
	v.answered = answered;
	v.half_open = half_open;
	rules_flow_check(r, &rf, &v, 1000, 0);
	rules_flow_ended(r, &rf, &v, 1001, 0);
	return take();
}

static void test_exposure_services(void)
{
	char text[sizeof(policy_text) + 256];
	snprintf(text, sizeof(text), "%sservices:\n  - host: 10.30.1.0/24\n"
		 "    allow: [tcp/5000 hsms, tcp/8443 TLS]\n", policy_text);
	struct rules *r = engine(text);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(offered(r, "10.30.1.22", "10.30.1.21", 8443, "TLS.Google", true, false), "");
	CHECK_STR(offered(r, "10.30.1.22", "10.30.1.21", 8080, "HTTP", true, false),
		  "FAB-EXP-001 10.30.1.22>10.30.1.21 2");
	CHECK(nlog == 0 && strstr(logbuf[0].reason, "offers tcp/8080 (HTTP)") != NULL);
	CHECK(logbuf[0].sensor_flow == NULL); /* view(): no sensor flow; the flow's id is there */
	CHECK_STR(offered(r, "10.30.1.23", "10.30.1.21", 8080, "HTTP", true, false), ""); /* once */
	CHECK_STR(offered(r, "10.30.1.22", "10.30.1.21", 8081, "HTTP", false, false), "");
	CHECK_STR(offered(r, "10.30.1.22", "10.30.1.21", 8082, "Unknown", false, true), "");
	/* not covered: nothing */
	CHECK_STR(offered(r, "10.30.1.22", "10.30.2.21", 8080, "HTTP", true, false), "");
	const struct exposure *x = rules_exposure(r);
	CHECK_EQ(x->nhosts, 2);

	/* a reload: what is allowed changes; every service seen is checked */
	struct policy_error e;
	snprintf(text, sizeof(text), "%sservices:\n  - host: 10.30.1.21\n    allow: [tcp/8080 HTTP]\n"
		 "  - host: 10.30.2.21\n    allow: []\n", policy_text);
	struct policy *p = policy_parse(text, strlen(text), "t.yaml", &e);
	CHECK(p != NULL);
	CHECK_EQ(rules_set_policy(r, p, &e), 0);
	CHECK_STR(take(), "FAB-EXP-001 10.30.1.22>10.30.1.21 2;FAB-EXP-001 10.30.1.22>10.30.2.21 2");
	/* a policy without services: nothing, and nothing after */
	p = policy_parse(policy_text, strlen(policy_text), "t.yaml", &e);
	CHECK_EQ(rules_set_policy(r, p, &e), 0);
	CHECK_STR(take(), "");
	CHECK_STR(offered(r, "10.30.1.22", "10.30.1.21", 9000, "Unknown", true, false), "");
	rules_destroy(r);
}

int main(void)
{
	RUN(test_flow_rules);
	RUN(test_hsms_rules);
	RUN(test_second_host_roles);
	RUN(test_modbus_rules);
	RUN(test_inventory);
	RUN(test_aggregation);
	RUN(test_repeat_detail);
	RUN(test_repeat_mark);
	RUN(test_inferred);
	RUN(test_stats);
	RUN(test_host_ranks);
	RUN(test_exposure_services);
	return test_done();
}
