/* SPDX-License-Identifier: BSD-2-Clause */
/* Policy file: every error with its exact message and place, the parsed
 * model, longest-prefix zone lookup, the built-in default. */
#include "rules/catalog.h"
#include "test.h"
#include "zones/policy.h"

static struct policy *parse(const char *text, struct policy_error *e)
{
	return policy_parse(text, strlen(text), "site.yaml", e);
}

/* A policy must fail with exactly this "file:line:col: message". */
static void expect_error(const char *text, const char *want)
{
	struct policy_error e;
	struct policy *p = parse(text, &e);
	CHECK(p == NULL);
	char got[1024];
	policy_error_format(&e, got, sizeof(got));
	CHECK_STR(got, want);
	policy_free(p);
}

static const char base_zones[] =
	"zones:\n"
	"  - {name: fab-equipment, purdue: 2, area: fab-area, networks: [10.30.0.0/16]}\n"
	"  - {name: fab-system, purdue: 3, area: fab-system-area, networks: [10.20.0.0/16]}\n";

static void test_errors(void)
{
	/* YAML syntax */
	expect_error("zones: [\n", "site.yaml:2:1: YAML syntax error: did not find expected node "
				  "content while parsing a flow node");
	/* wrong types */
	expect_error("- a\n- b\n", "site.yaml:1:1: the policy must be a mapping, found a list");
	expect_error("zones: fab\n", "site.yaml:1:8: zones must be a list, found 'fab'");
	expect_error("zones:\n  - {name: z, purdue: two, area: fab-area}\n",
		     "site.yaml:2:23: purdue must be a level 0-5 or 3.5 (the IT/OT DMZ), found 'two'");
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, sl_t: 7}\n",
		     "site.yaml:2:48: sl_t must be a number 1-4, found '7'");
	expect_error("zones:\n  - {name: [a], purdue: 2, area: fab-area}\n",
		     "site.yaml:2:12: zone name must be a value, found a list");
	/* unknown keys */
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, netwroks: [10.0.0.0/8]}\n",
		     "site.yaml:2:42: zone 1: unknown key 'netwroks' (expected one of: name, "
		     "name_ja, description, purdue, area, networks, vlans, sl_t, inventory, roles)");
	expect_error("zone:\n  - {name: z}\n",
		     "site.yaml:1:1: policy: unknown key 'zone' (expected one of: version, name, "
		     "default_action, infer_roles, zones, hosts, conduits, rules, alerting, gateways, scan, "
		     "services, baseline)");
	expect_error("zones:\n  - {purdue: 2, area: fab-area}\n",
		     "site.yaml:2:5: zone 1: missing 'name'");
	expect_error("zones:\n  - {name: z, area: fab-area}\n",
		     "site.yaml:2:5: zone 'z': missing 'purdue'");
	expect_error("zones:\n  - {name: z, purdue: 2, area: factory}\n",
		     "site.yaml:2:32: unknown area 'factory' (areas: fab-area, fab-system-area, "
		     "it-ot-dmz, enterprise, external)");
	/* bad CIDRs */
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, networks: [10.30.0.0/33]}\n",
		     "site.yaml:2:53: bad network '10.30.0.0/33': prefix length must be 0-32 for IPv4");
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, networks: [10.300.0.0/16]}\n",
		     "site.yaml:2:53: bad network '10.300.0.0/16': '10.300.0.0' is not an IPv4 or "
		     "IPv6 address");
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, networks: [10.30.1.0/16]}\n",
		     "site.yaml:2:53: bad network '10.30.1.0/16': host bits are set (did you mean "
		     "10.30.0.0/16?)");
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area, networks: [\"fd00::/129\"]}\n",
		     "site.yaml:2:53: bad network 'fd00::/129': prefix length must be 0-128 for IPv6");
	/* duplicates */
	expect_error("zones:\n  - {name: z, purdue: 2, area: fab-area}\n"
		     "  - {name: z, purdue: 3, area: fab-system-area}\n",
		     "site.yaml:3:5: duplicate zone name 'z' (first defined at line 2)");
	expect_error("zones:\n  - {name: a, purdue: 2, area: fab-area, networks: [10.1.0.0/16]}\n"
		     "  - {name: b, purdue: 3, area: fab-system-area, networks: [10.1.0.0/16]}\n",
		     "site.yaml:3:1: network 10.1.0.0/16 of zone 'b' is already in zone 'a' (line 2)");
	char buf[2048];
	snprintf(buf, sizeof(buf), "%shosts:\n  - {name: eap, address: 10.20.1.10}\n"
		 "  - {name: eap, address: 10.20.1.11}\n", base_zones);
	expect_error(buf, "site.yaml:6:5: duplicate host name 'eap' (first defined at line 5)");
	snprintf(buf, sizeof(buf), "%shosts:\n  - {name: a, address: 10.20.1.10}\n"
		 "  - {name: b, address: 10.20.1.10}\n", base_zones);
	expect_error(buf, "site.yaml:6:1: address 10.20.1.10 of host 'b' already belongs to host "
			  "'a' (line 5)");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-system, "
		 "allow: [{app: hsms}]}\n  - {name: c, from: fab-system, to: fab-equipment, allow: "
		 "[{app: hsms}]}\n", base_zones);
	expect_error(buf, "site.yaml:6:5: duplicate conduit name 'c' (first defined at line 5)");
	/* more allow entries than the engine's match mask holds: said, not
	 * silently ignored */
	{
		int o = snprintf(buf, sizeof(buf), "%sconduits:\n  - name: big\n    from: fab-system\n"
				 "    to: fab-equipment\n    allow:\n", base_zones);
		for (int i = 0; i < 33; i++)
			o += snprintf(buf + o, sizeof(buf) - (size_t)o, "      - {app: hsms, ports: [%d]}\n",
				      5000 + i);
		expect_error(buf, "site.yaml:41:9: conduit 'big' has more than 32 allow entries; split it "
				  "into two conduits between the same zones");
		buf[o - (int)strlen("      - {app: hsms, ports: [5032]}\n")] = '\0';
		struct policy_error e;
		struct policy *p = parse(buf, &e);
		CHECK(p != NULL);
		CHECK(p && p->nconduits == 1 && p->conduits[0].nallow == 32);
		policy_free(p);
	}
	/* unknown zone in a conduit, unknown role, host */
	snprintf(buf, sizeof(buf), "%sconduits:\n  - name: eap-to-tools\n    from: fab-system\n"
		 "    to: fab-equpment\n    allow: [{app: hsms}]\n", base_zones);
	expect_error(buf, "site.yaml:7:9: conduit 'eap-to-tools': unknown zone 'fab-equpment' in "
			  "'to' (zones: fab-equipment, fab-system)");
	snprintf(buf, sizeof(buf), "%shosts:\n  - {name: eap, address: 10.20.1.10, roles: [eaps]}\n",
		 base_zones);
	expect_error(buf, "site.yaml:5:46: unknown role 'eaps' (roles: equipment-host, "
			  "recipe-server, mes, mcs, fdc, engineering-workstation, jump-host, "
			  "patch-server, historian, scada, equipment, controller, amhs, dns-server, "
			  "ntp-server, file-server, domain-controller, mirror, vendor-support)");
	snprintf(buf, sizeof(buf), "%shosts:\n  - {name: eap, roles: [eap]}\n", base_zones);
	expect_error(buf, "site.yaml:5:5: host 'eap': missing 'address'");
	snprintf(buf, sizeof(buf), "%shosts:\n  - {name: eap, address: 10.20.1}\n", base_zones);
	expect_error(buf, "site.yaml:5:26: bad address '10.20.1': expected an IPv4 or IPv6 address");
	/* allow entries */
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment, "
		 "allow: [{app: hsms, messages: [S7F3, X9]}]}\n", base_zones);
	expect_error(buf, "site.yaml:5:89: bad HSMS message 'X9': expected a stream like S7 or a "
			  "stream/function like S7F3");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment, "
		 "allow: [{app: modbus, ports: [502, 70000]}]}\n", base_zones);
	expect_error(buf, "site.yaml:5:87: bad port '70000': expected a port 1-65535 or a range "
			  "like 5000-5010");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment, "
		 "allow: [{app: RDP, access: [write]}]}\n", base_zones);
	expect_error(buf, "site.yaml:5:60: conduit 'c' allow entry 1: access/function_codes/unit_ids/"
			  "addresses need app: modbus, not 'RDP'");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment, "
		 "allow: [{app: modbus, access: [wrte]}]}\n", base_zones);
	expect_error(buf, "site.yaml:5:83: unknown Modbus access class 'wrte' (classes: read, "
			  "write, diagnostic, programming, identification, other)");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment, "
		 "allow: [{app: modbus, addresses: [\"100-50\"]}]}\n", base_zones);
	expect_error(buf, "site.yaml:5:86: bad Modbus address '100-50': expected an address 0-65535 "
			  "or a range like 0-99");
	snprintf(buf, sizeof(buf), "%sconduits:\n  - {name: c, from: fab-system, to: fab-equipment}\n",
		 base_zones);
	expect_error(buf, "site.yaml:5:5: conduit 'c': missing 'allow'");
	/* rules and top level */
	expect_error("zones: []\nrules:\n  - {id: FAB-HSMS-002, severity: urgent}\n",
		     "site.yaml:3:34: severity must be 1-4 or critical, high, medium, low, found "
		     "'urgent'");
	expect_error("zones: []\ndefault_action: block\n",
		     "site.yaml:2:17: default_action must be 'deny' or 'allow', found 'block'");
	expect_error("zones: []\ngateways: [00:11:22]\n",
		     "site.yaml:2:12: bad MAC '00:11:22': expected six hex bytes like "
		     "00:1b:21:0a:0b:0c");
	expect_error("", "site.yaml: the policy is empty: expected a mapping with 'zones'");
	expect_error("name: x\n", "site.yaml:1:1: policy: missing 'zones'");

	/* an unknown rule id is found when the rules are set up */
	struct policy_error e;
	struct policy *p = parse("zones: []\nrules:\n  - {id: FAB-XX-001, enabled: false}\n", &e);
	CHECK(p != NULL);
	struct rule_setting set[R_COUNT];
	CHECK_EQ(rule_settings_from_policy(p, set, &e), -1);
	char got[512];
	policy_error_format(&e, got, sizeof(got));
	CHECK_STR(got, "site.yaml:3:1: unknown rule id 'FAB-XX-001' (see `fabmon rules` for the list)");
	policy_free(p);
}

static const char full[] =
	"version: 1\n"
	"name: test fab\n"
	"default_action: deny\n"
	"zones:\n"
	"  - {name: external, purdue: 5, area: external, networks: [public]}\n"
	"  - {name: fab-equipment, purdue: 2, area: fab-area, sl_t: 4, inventory: closed,\n"
	"     networks: [10.30.0.0/16, \"fd00:30::/48\"], vlans: [30]}\n"
	"  - {name: etch-bay, purdue: 2, area: fab-area, networks: [10.30.1.0/24]}\n"
	"  - {name: fab-system, purdue: 3, area: fab-system-area, networks: [10.20.0.0/16]}\n"
	"  - {name: dmz, purdue: 3.5, area: it-ot-dmz, networks: [10.10.0.0/16]}\n"
	"hosts:\n"
	"  - {name: eap-01, address: 10.20.1.10, roles: [eap]}\n"
	"  - name: etcher\n"
	"    addresses: [10.30.1.21, \"fd00:30::21\"]\n"
	"    roles: [equipment]\n"
	"    model: ETCH-9000\n"
	"    softrev: 4.2.1\n"
	"conduits:\n"
	"  - name: eap-to-tools\n"
	"    from: fab-system\n"
	"    to: fab-equipment\n"
	"    direction: both\n"
	"    allow:\n"
	"      - {app: hsms, ports: [5000, 6000-6010], initiators: [equipment-host],\n"
	"         messages: [S1, S2, S6F11], categories: [recipe-download]}\n"
	"      - {app: modbus, access: [read, write], function_codes: [3, 6], unit_ids: [1],\n"
	"         addresses: [\"0-99\", 200]}\n"
	"      - {app: TLS}\n"
	"rules:\n"
	"  - {id: FAB-ZC-001, severity: critical}\n"
	"  - {id: fab-inv-001, enabled: false}\n"
	"alerting: {window: 30, rate_limit: 10}\n"
	"gateways: [\"00:1b:21:0a:0b:0c\"]\n";

static void test_model(void)
{
	struct policy_error e;
	struct policy *p = parse(full, &e);
	if (!p) {
		char msg[600];
		policy_error_format(&e, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
	}
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_STR(p->name, "test fab");
	CHECK_EQ(p->nzones, 5);
	CHECK_EQ(p->zones[4].purdue_x10, 35);
	CHECK_EQ(p->zones[1].sl_t, 4);
	CHECK(p->zones[1].inventory_closed);
	CHECK(p->zones[0].public_addresses);
	CHECK_EQ(p->nhosts, 2);
	CHECK_EQ(p->hosts[0].roles, ROLE_BIT(ROLE_EQUIPMENT_HOST));
	CHECK_EQ(p->hosts[1].naddrs, 2);
	CHECK_STR(p->hosts[1].softrev, "4.2.1");
	CHECK_EQ(p->nconduits, 1);
	const struct policy_conduit *c = &p->conduits[0];
	CHECK(c->both_ways);
	CHECK_EQ(c->nallow, 3);
	CHECK_EQ(c->allow[0].nports, 2);
	CHECK_EQ(c->allow[0].ports[1].lo, 6000);
	CHECK_EQ(c->allow[0].ports[1].hi, 6010);
	CHECK(policy_allow_port(&c->allow[0], 6005));
	CHECK(!policy_allow_port(&c->allow[0], 6011));
	CHECK(c->allow[0].streams[0] & 0x06);      /* S1, S2 */
	CHECK_EQ(c->allow[0].nsf, 1);
	CHECK_EQ(c->allow[0].sf[0], 6 << 8 | 11);
	CHECK(c->allow[1].has_function_codes);
	CHECK_EQ(c->allow[1].naddresses, 2);
	CHECK_EQ(c->allow[1].addresses[1].lo, 200);
	CHECK(policy_allow_app(&c->allow[2], "TLS.Google"));
	CHECK(policy_allow_app(&c->allow[2], "TLS"));
	CHECK(!policy_allow_app(&c->allow[2], "HTTP"));
	CHECK(!policy_allow_app(&c->allow[2], "DTLS"));
	CHECK_EQ(p->alert_window, 30);
	CHECK_EQ(p->alert_rate, 10);
	CHECK_EQ(p->ngateways, 1);
	struct rule_setting set[R_COUNT];
	CHECK_EQ(rule_settings_from_policy(p, set, &e), 0);
	CHECK_EQ(set[R_ZONE_NO_CONDUIT].severity, 1);
	CHECK(!set[R_INV_NO_ZONE].enabled);
	CHECK(set[R_INV_NEW_HOST].enabled);

	/* longest prefix match, hosts, VLANs, public addresses */
	struct ip_addr a;
	ip_addr_parse("10.30.1.99", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), 2);      /* etch-bay /24 beats fab-equipment /16 */
	ip_addr_parse("10.30.2.1", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), 1);
	ip_addr_parse("fd00:30::21", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), 1);
	CHECK_EQ(policy_host_of(p, &a), 1);
	ip_addr_parse("10.20.1.10", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), 3);
	CHECK_EQ(policy_host_of(p, &a), 0);
	ip_addr_parse("10.99.0.1", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), -1);
	CHECK_EQ(policy_zone_of(p, &a, 30), 1);     /* by VLAN */
	CHECK_EQ(policy_host_of(p, &a), -1);
	ip_addr_parse("8.8.8.8", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), 0);
	ip_addr_parse("192.168.1.1", &a);
	CHECK_EQ(policy_zone_of(p, &a, 0), -1);     /* private: not the internet */
	policy_free(p);
}

static void test_public(void)
{
	static const struct { const char *ip; bool pub; } t[] = {
		{ "10.1.2.3", false }, { "172.16.0.1", false }, { "172.32.0.1", true },
		{ "192.168.0.1", false }, { "127.0.0.1", false }, { "169.254.1.1", false },
		{ "100.64.0.1", false }, { "224.0.0.1", false }, { "8.8.8.8", true },
		{ "203.0.113.50", true }, { "fd00::1", false }, { "fe80::1", false }, { "::1", false },
		{ "2001:db8::1", true }, { "::ffff:10.0.0.1", false }, { "::ffff:8.8.8.8", true },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ip_addr a;
		CHECK(ip_addr_parse(t[i].ip, &a));
		if (ip_addr_is_public(&a) != t[i].pub) {
			fprintf(stderr, "  %s\n", t[i].ip);
			CHECK(false);
		}
	}
}

static void test_builtin(void)
{
	struct policy_error e;
	struct policy *p = policy_builtin(&e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(p->infer_roles);
	CHECK(p->builtin);
	CHECK_EQ(p->default_action, POLICY_DENY);
	CHECK(p->public_zone >= 0);
	int fe = policy_zone_index(p, "fab-equipment");
	CHECK(fe >= 0);
	CHECK_EQ(policy_zone_of_roles(p, ROLE_BIT(ROLE_EQUIPMENT)), fe);
	CHECK_EQ(policy_zone_of_roles(p, ROLE_BIT(ROLE_CONTROLLER)), policy_zone_index(p, "facility"));
	CHECK_EQ(policy_zone_of_roles(p, 0), -1);
	struct rule_setting set[R_COUNT];
	CHECK_EQ(rule_settings_from_policy(p, set, &e), 0);
	CHECK(!set[R_INV_NO_ZONE].enabled);
	policy_free(p);
}

/* Oversized and hostile input: long names, deep nesting, many items. */
static void test_limits(void)
{
	char name[200];
	memset(name, 'z', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	char buf[1024];
	snprintf(buf, sizeof(buf), "zones:\n  - {name: %s, purdue: 2, area: fab-area}\n", name);
	expect_error(buf, "site.yaml:2:12: zone name is longer than 63 characters");
	/* 40 ports in one entry: more than the entry holds */
	char *big = malloc(8192);
	size_t o = (size_t)snprintf(big, 8192, "%sconduits:\n  - {name: c, from: fab-system, "
				   "to: fab-equipment, allow: [{app: x, ports: [", base_zones);
	for (int i = 1; i <= 40; i++)
		o += (size_t)snprintf(big + o, 8192 - o, "%s%d", i > 1 ? ", " : "", i);
	snprintf(big + o, 8192 - o, "]}]}\n");
	struct policy_error e;
	struct policy *p = parse(big, &e);
	CHECK(p == NULL);
	CHECK(strstr(e.msg, "more than 32 ports") != NULL);
	policy_free(p);
	/* nested deep: an error, not a crash */
	o = 0;
	o += (size_t)snprintf(big + o, 8192 - o, "zones: ");
	for (int i = 0; i < 2000; i++)
		big[o++] = '[';
	big[o] = '\0';
	p = parse(big, &e);
	CHECK(p == NULL);
	policy_free(p);
	free(big);
}

/* The `baseline:` section (issue 19 item 2): the model, and each error. */
static void test_baseline(void)
{
	char buf[2048];
	snprintf(buf, sizeof(buf),
		 "%sbaseline:\n"
		 "  taken: \"2026-03-02T08:00:00Z .. 2026-03-02T08:05:00Z\"\n"
		 "  hsms:\n"
		 "    - host: 10.20.1.10\n"
		 "      equipment: 10.30.1.21\n"
		 "      messages: [S1F13, S2F41, S7F3]\n"
		 "      rcmds: [START, \"STOP\"]\n"
		 "      ppids: [\"ETCH \\\"A\\\"\"]\n"
		 "      ecids: [\"1001\"]\n"
		 "  modbus:\n"
		 "    - {client: 10.20.2.20, server: 10.30.50.5, functions: [3, 16],\n"
		 "       reads: [\"0-9\"], writes: [\"100\", \"120-122\"]}\n",
		 base_zones);
	struct policy_error e;
	struct policy *p = parse(buf, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	const struct policy_baseline *b = &p->baseline;
	CHECK_EQ(b->line, 5); /* the section's mapping */
	CHECK_STR(b->taken, "2026-03-02T08:00:00Z .. 2026-03-02T08:05:00Z");
	CHECK_EQ(b->nhsms, 1);
	CHECK_EQ(b->hsms[0].nsf, 3);
	CHECK_EQ(b->hsms[0].sf[1], 2 << 8 | 41);
	CHECK_EQ(b->hsms[0].rcmds.n, 2);
	CHECK_STR(b->hsms[0].rcmds.v[1], "STOP");
	CHECK_STR(b->hsms[0].ppids.v[0], "ETCH \"A\"");
	CHECK_STR(b->hsms[0].ecids.v[0], "1001");
	CHECK_EQ(b->nmodbus, 1);
	CHECK(b->modbus[0].functions[0] & (1u << 3));
	CHECK(b->modbus[0].functions[2] & (1u << 0));
	CHECK_EQ(b->modbus[0].nwrites, 2);
	CHECK_EQ(b->modbus[0].writes[1].lo, 120);
	CHECK_EQ(b->modbus[0].writes[1].hi, 122);
	CHECK_EQ(b->modbus[0].reads[0].hi, 9);
	policy_free(p);

	snprintf(buf, sizeof(buf), "%sbaseline:\n  hsms: []\n", base_zones);
	expect_error(buf, "site.yaml:5:3: baseline: missing 'taken'");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  hsms:\n    - {host: 10.20.1.10}\n",
		 base_zones);
	expect_error(buf, "site.yaml:7:7: a baseline hsms entry: missing 'equipment'");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  hsms:\n"
		 "    - {host: 10.20.1.10, equipment: 10.30.1.21, messages: [S2F41, S2]}\n", base_zones);
	expect_error(buf, "site.yaml:7:67: bad HSMS message 'S2': expected a stream/function like S2F41");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  hsms:\n"
		 "    - {host: 10.20.1, equipment: 10.30.1.21}\n", base_zones);
	expect_error(buf, "site.yaml:7:14: bad host '10.20.1': expected an IPv4 or IPv6 address");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  modbus:\n"
		 "    - {client: 10.20.2.20, server: 10.30.50.5, functions: [0]}\n", base_zones);
	expect_error(buf, "site.yaml:7:60: bad Modbus function code '0': expected 1-255");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  modbus:\n"
		 "    - {client: 10.20.2.20, server: 10.30.50.5, writes: [\"9-1\"]}\n", base_zones);
	expect_error(buf, "site.yaml:7:57: bad Modbus address '9-1': expected an address 0-65535 or "
			  "a range like 0-99");
	snprintf(buf, sizeof(buf), "%sbaseline:\n  taken: x\n  modbus:\n"
		 "    - {client: 10.20.2.20, server: 10.30.50.5, write: [\"1\"]}\n", base_zones);
	expect_error(buf, "site.yaml:7:48: a baseline modbus entry: unknown key 'write' (expected one "
			  "of: client, server, functions, reads, writes)");
}

/* A zone's Japanese name (issue 19 item 4): parsed as UTF-8 text, and the
 * errors of a wrong type, an empty one and a long one, as description's. */
static void test_name_ja(void)
{
	struct policy_error e;
	struct policy *p = parse("zones:\n  - {name: fab-equipment, name_ja: \"製造装置ゾーン\", "
				 "purdue: 2, area: fab-area}\n"
				 "  - {name: fab-system, purdue: 3, area: fab-system-area}\n", &e);
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->zones[0].name_ja, "製造装置ゾーン");
		CHECK_STR(p->zones[1].name_ja, "");
		policy_free(p);
	}
	expect_error("zones:\n  - {name: z, name_ja: [a], purdue: 2, area: fab-area}\n",
		     "site.yaml:2:24: name_ja must be a value, found a list");
	expect_error("zones:\n  - {name: z, name_ja: {a: b}, purdue: 2, area: fab-area}\n",
		     "site.yaml:2:24: name_ja must be a value, found a mapping");
	expect_error("zones:\n  - {name: z, name_ja: \"\", purdue: 2, area: fab-area}\n",
		     "site.yaml:2:24: name_ja must not be empty");
	char buf[1024], name[200];
	memset(name, 'z', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(buf, sizeof(buf), "zones:\n  - {name: z, name_ja: %s, purdue: 2, area: fab-area}\n",
		 name);
	expect_error(buf, "site.yaml:2:24: name_ja is longer than 127 characters");
}


/* The services: section (issue 19 item 1): entries by address, network or
 * model, what they allow, and every error at its place. */
static void test_services(void)
{
	char buf[2048];
	snprintf(buf, sizeof(buf),
		 "%sservices:\n"
		 "  - model: \"ETCH-9000\"\n"
		 "    allow: [tcp/5000 hsms, tcp/22]\n"
		 "  - host: 10.30.2.0/24\n"
		 "    allow: [\"udp/161\", tcp/6000-6010 X11, tcp/445 smb]\n"
		 "  - host: \"fd00:30::7\"\n"
		 "    allow: []\n",
		 base_zones);
	struct policy_error e;
	struct policy *p = parse(buf, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(p->nservices, 3);
	const struct policy_services *m = &p->services[0], *n = &p->services[1];
	CHECK_EQ(m->line, 5);
	CHECK_STR(m->model, "ETCH-9000");
	CHECK_EQ(m->nallow, 2);
	CHECK_EQ(m->allow[0].proto, 6);
	CHECK_EQ(m->allow[0].ports.lo, 5000);
	CHECK_STR(m->allow[0].app, "hsms");
	CHECK_STR(m->allow[1].app, "");
	CHECK_EQ(n->len, 24);
	CHECK_EQ(p->services[2].len, 128);
	CHECK_EQ(p->services[2].nallow, 0);
	struct ip_addr a, b, c;
	ip_addr_parse("10.30.2.77", &a);
	ip_addr_parse("10.30.3.1", &b);
	ip_addr_parse("fd00:30::7", &c);
	/* coverage: by network, by model (only once it is known) */
	CHECK(policy_services_cover(n, &a, NULL));
	CHECK(!policy_services_cover(n, &b, NULL));
	CHECK(!policy_services_cover(n, &c, NULL));
	CHECK(policy_services_cover(&p->services[2], &c, ""));
	CHECK(policy_services_cover(m, &b, "ETCH-9000"));
	CHECK(!policy_services_cover(m, &b, NULL));
	CHECK(!policy_services_cover(m, &b, "ETCH-9001"));
	/* allow: protocol, port range, application (either part of nDPI's name) */
	CHECK_EQ(policy_services_allow(m, 6, 5000, "hsms"), 1);
	CHECK_EQ(policy_services_allow(m, 6, 5000, "Unknown"), 0);
	CHECK_EQ(policy_services_allow(m, 6, 22, "SSH"), 2);
	CHECK_EQ(policy_services_allow(m, 17, 22, "SSH"), 0);
	CHECK_EQ(policy_services_allow(n, 17, 161, "SNMP"), 1);
	CHECK_EQ(policy_services_allow(n, 6, 6005, "X11"), 2);
	CHECK_EQ(policy_services_allow(n, 6, 6011, "X11"), 0);
	CHECK_EQ(policy_services_allow(n, 6, 445, "NetBIOS.SMB"), 3);
	CHECK_EQ(policy_services_allow(n, 6, 445, "NetBIOS.SMBv1"), 0);
	policy_free(p);

	static const struct { const char *entry, *want; } bad[] = {
		{ "  - {host: 10.30.1.20}\n", "site.yaml:5:5: services entry: missing 'allow'" },
		{ "  - {allow: [tcp/22]}\n", "site.yaml:5:5: services entry: give either 'host' (an "
		  "address or network) or 'model' (the equipment's MDLN), found neither" },
		{ "  - {host: 10.30.1.20, model: X, allow: [tcp/22]}\n", "site.yaml:5:5: services "
		  "entry: give either 'host' (an address or network) or 'model' (the equipment's "
		  "MDLN), not both" },
		{ "  - {hosts: 10.30.1.20, allow: [tcp/22]}\n", "site.yaml:5:6: services entry: "
		  "unknown key 'hosts' (expected one of: host, model, allow)" },
		{ "  - {host: 10.30.1, allow: [tcp/22]}\n", "site.yaml:5:12: bad host '10.30.1': "
		  "'10.30.1' is not an IPv4 or IPv6 address" },
		{ "  - {host: 10.30.1.1/24, allow: [tcp/22]}\n", "site.yaml:5:12: bad host "
		  "'10.30.1.1/24': host bits are set (did you mean 10.30.1.0/24?)" },
		{ "  - {model: \"\", allow: [tcp/22]}\n", "site.yaml:5:13: model must not be empty" },
		{ "  - {host: 10.30.1.20, allow: [tcp22]}\n", "site.yaml:5:32: bad service 'tcp22': "
		  "expected PROTO/PORT [APP], like 'tcp/5000 hsms' or 'udp/161'" },
		{ "  - {host: 10.30.1.20, allow: [tcp/22 ssh extra]}\n", "site.yaml:5:32: bad service "
		  "'tcp/22 ssh extra': expected PROTO/PORT [APP], like 'tcp/5000 hsms' or 'udp/161'" },
		{ "  - {host: 10.30.1.20, allow: [icmp/8]}\n", "site.yaml:5:32: bad service 'icmp/8': "
		  "the protocol must be tcp or udp, found 'icmp'" },
		{ "  - {host: 10.30.1.20, allow: [tcp/0]}\n", "site.yaml:5:32: bad service 'tcp/0': "
		  "expected a port 1-65535 or a range like 6000-6010, found '0'" },
		{ "  - {host: 10.30.1.20, allow: [udp/9-1]}\n", "site.yaml:5:32: bad service 'udp/9-1': "
		  "expected a port 1-65535 or a range like 6000-6010, found '9-1'" },
		{ "  - {host: 10.30.1.20, allow: [{tcp: 22}]}\n", "site.yaml:5:32: each item of allow "
		  "must be a value, found a mapping" },
		{ "  host: 10.30.1.20\n", "site.yaml:5:3: services must be a list, found a mapping" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%sservices:\n%s", base_zones, bad[i].entry);
		expect_error(buf, bad[i].want);
	}
	/* an application name longer than the policy keeps, and too many */
	char name[80];
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(buf, sizeof(buf), "%sservices:\n  - {host: 10.30.1.20, allow: [\"tcp/1 %s\"]}\n",
		 base_zones, name);
	char want[256];
	snprintf(want, sizeof(want), "site.yaml:5:32: bad service 'tcp/1 %s': the application name "
		 "is longer than 63 characters", name);
	expect_error(buf, want);
	size_t o = (size_t)snprintf(buf, sizeof(buf), "%sservices:\n  - {host: 10.30.1.20, allow: [",
				    base_zones);
	for (int i = 1; i <= 33; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%stcp/%d", i > 1 ? ", " : "", i);
	snprintf(buf + o, sizeof(buf) - o, "]}\n");
	expect_error(buf, "site.yaml:5:279: more than 32 services in one entry");
}

int main(void)
{
	RUN(test_errors);
	RUN(test_model);
	RUN(test_public);
	RUN(test_builtin);
	RUN(test_limits);
	RUN(test_baseline);
	RUN(test_name_ja);
	RUN(test_services);
	return test_done();
}
