/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scans and floods (rules/engine_scan.c): the thresholds exactly (N-1
 * half-open flows no alert, N one), one alert per flood whatever the
 * number of spoofed sources, the folding of the covered flows' own alerts,
 * fixed memory under a million distinct sources, the policy's `scan:`
 * section (defaults, values, errors with their line).
 */
#include "rules/engine.h"
#include "test.h"

static const char policy_base[] =
	"default_action: deny\n"
	"zones:\n"
	"  - {name: internet, purdue: 5, area: external, networks: [public]}\n"
	"  - {name: office, purdue: 4, area: enterprise, networks: [192.168.0.0/16]}\n"
	"  - {name: system, purdue: 3, area: fab-system-area, networks: [10.20.0.0/16]}\n"
	"  - {name: tools, purdue: 2, area: fab-area, networks: [10.30.0.0/16]}\n"
	"conduits:\n"
	"  - name: system-to-tools\n"
	"    from: system\n"
	"    to: tools\n"
	"    allow:\n"
	"      - {app: hsms, ports: [5000]}\n";

#define LOG_MAX 4096
struct logged {
	char rule[24];
	char src[IP_ADDR_STRLEN], dst[IP_ADDR_STRLEN];
	uint64_t count;
	bool repeat;
	bool scan;
	struct alert_scan sc;
	char reason[ALERT_REASON_LEN];
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
	l->count = a->count;
	l->repeat = a->repeat;
	l->scan = a->ctx == ACTX_SCAN;
	if (l->scan)
		l->sc = a->u.scan;
	snprintf(l->reason, sizeof(l->reason), "%s", a->reason);
}

static int count_rule(const char *prefix)
{
	int n = 0;
	for (int i = 0; i < nlog; i++)
		n += strncmp(logbuf[i].rule, prefix, strlen(prefix)) == 0;
	return n;
}

static const struct logged *find(const char *rule)
{
	for (int i = 0; i < nlog; i++)
		if (!strcmp(logbuf[i].rule, rule))
			return &logbuf[i];
	return NULL;
}

static struct rules *engine(const char *scan)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", policy_base, scan ? scan : "");
	struct policy_error e;
	struct policy *p = policy_parse(text, strlen(text), "t.yaml", &e);
	if (!p) {
		fprintf(stderr, "policy: %d:%d %s\n", e.line, e.column, e.msg);
		return NULL;
	}
	struct rules_config cfg = { .max_hosts = 1024, .agg_capacity = 64 };
	struct rules *r = rules_create(p, &cfg, sink, NULL, &e);
	nlog = 0;
	return r;
}

/* The view of a TCP attempt (a SYN) from src to dst:dport. */
static void attempt_view(struct rules_flow_view *v, const struct ip_addr *src, const char *dst,
			 uint16_t dport)
{
	static uint64_t id = 1;
	memset(v, 0, sizeof(*v));
	v->flow_id = id++;
	v->community_id = "1:test";
	v->addr[0] = *src;
	ip_addr_parse(dst, &v->addr[1]);
	v->port[0] = 40000;
	v->port[1] = dport;
	v->proto = 6;
	v->app = "Unknown";
	v->half_open = true;
}

/* One half-open flow (a SYN, unanswered) checked at its end. */
static void attempt(struct rules *r, const struct ip_addr *src, const char *dst, uint16_t dport,
		    int64_t sec)
{
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v;
	attempt_view(&v, src, dst, dport);
	rules_flow_check(r, &rf, &v, sec, 0);
}

/* The SYN backlog as the sensor keeps it: a SYN opens an attempt (+1),
 * its answer or its flow's end closes it (-1). */
static bool syn_open(struct rules *r, const struct ip_addr *src, const char *dst, uint16_t dport)
{
	struct rules_flow_view v;
	attempt_view(&v, src, dst, dport);
	return rules_scan_attempt(r, &v, +1);
}

static void syn_over(struct rules *r, const struct ip_addr *src, const char *dst, uint16_t dport)
{
	struct rules_flow_view v;
	attempt_view(&v, src, dst, dport);
	rules_scan_attempt(r, &v, -1);
}

static struct ip_addr ip4(uint32_t a)
{
	struct ip_addr ip;
	char s[IP_ADDR_STRLEN];
	snprintf(s, sizeof(s), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	ip_addr_parse(s, &ip);
	return ip;
}

static const char thresholds[] =
	"scan:\n"
	"  interval: 60\n"
	"  syn_flood: 50\n"
	"  port_scan: 20\n"
	"  host_sweep: 10\n";

/* syn_flood: 49 half-open flows to one host, no alert; 50, one. */
static void test_flood_threshold(void)
{
	for (int n = 49; n <= 50; n++) {
		struct rules *r = engine(thresholds);
		CHECK(r != NULL);
		if (!r)
			return;
		for (int i = 0; i < n; i++) { /* sources in the tools zone: no conduit alert */
			struct ip_addr s = ip4(0x0a1e6400u + (uint32_t)i); /* 10.30.100.x */
			attempt(r, &s, "10.30.1.21", 5000, 2000 + i / 10);
		}
		rules_tick(r, 2000 + 59);
		CHECK_EQ(count_rule("FAB-SCAN-"), 0); /* the interval is still open */
		rules_tick(r, 2000 + 60);
		CHECK_EQ(count_rule("FAB-SCAN-001"), n == 50 ? 1 : 0);
		CHECK_EQ(count_rule("FAB-SCAN-002") + count_rule("FAB-SCAN-003"), 0);
		const struct logged *l = find("FAB-SCAN-001");
		if (n == 50 && l) {
			CHECK_EQ(l->sc.flows, 50);
			CHECK_EQ(l->sc.threshold, 50);
			CHECK_EQ(l->sc.interval_start, 2000);
			CHECK_EQ(l->sc.interval_end, 2060);
			CHECK_EQ(l->sc.folded, 1); /* the 50th flow */
			CHECK(l->sc.distinct >= 45 && l->sc.distinct <= 55); /* HLL of 50 sources */
			CHECK_STR(l->dst, "10.30.1.21");
		}
		rules_destroy(r);
	}
}

/* port_scan: 19 distinct ports no alert, 20 one (repeats of a port do not
 * count); host_sweep: 9 hosts no alert, 10 one. */
static void test_scan_thresholds(void)
{
	for (int n = 19; n <= 20; n++) {
		struct rules *r = engine(thresholds);
		if (!r)
			return;
		struct ip_addr s = ip4(0x0a1e0163u); /* 10.30.1.99 */
		for (int i = 0; i < n; i++) {
			attempt(r, &s, "10.30.1.22", (uint16_t)(1 + i), 1000);
			attempt(r, &s, "10.30.1.22", (uint16_t)(1 + i), 1000); /* a retry */
		}
		rules_finish(r);
		CHECK_EQ(count_rule("FAB-SCAN-002"), n == 20 ? 1 : 0);
		const struct logged *l = find("FAB-SCAN-002");
		if (l) {
			CHECK_EQ(l->sc.distinct, 20);
			CHECK_EQ(l->sc.flows, 40);
			CHECK_EQ(l->sc.folded, 2); /* the 20th port and its retry */
			CHECK_STR(l->src, "10.30.1.99");
			CHECK_STR(l->dst, "10.30.1.22");
		}
		rules_destroy(r);
	}
	for (int n = 9; n <= 10; n++) {
		struct rules *r = engine(thresholds);
		if (!r)
			return;
		struct ip_addr s = ip4(0x0a1e0162u); /* 10.30.1.98 */
		for (int i = 0; i < n; i++) {
			char d[32];
			snprintf(d, sizeof(d), "10.30.2.%d", 1 + i);
			attempt(r, &s, d, 502, 1000);
		}
		/* hosts outside the watched areas do not count */
		attempt(r, &s, "192.168.1.1", 502, 1000);
		rules_finish(r);
		CHECK_EQ(count_rule("FAB-SCAN-003"), n == 10 ? 1 : 0);
		const struct logged *l = find("FAB-SCAN-003");
		if (l) {
			CHECK_EQ(l->sc.distinct, 10);
			CHECK_STR(l->src, "10.30.1.98");
		}
		rules_destroy(r);
	}
}

/* A flood from spoofed internet sources: before the threshold each flow is
 * checked (level skipping), from it on they are folded into the flood's
 * alert, by rule and source zone. */
static void test_folding(void)
{
	struct rules *r = engine(thresholds);
	if (!r)
		return;
	for (int i = 0; i < 80; i++) {
		struct ip_addr s = ip4(0xc6336400u + (uint32_t)i); /* 198.51.100.x: internet */
		attempt(r, &s, "10.30.1.21", 5000, 1000);
	}
	/* a connection (not half-open) to the flooded host is checked as usual */
	struct rules_flow rf;
	memset(&rf, 0, sizeof(rf));
	struct rules_flow_view v;
	memset(&v, 0, sizeof(v));
	v.flow_id = 999999;
	ip_addr_parse("192.168.1.5", &v.addr[0]);
	ip_addr_parse("10.30.1.21", &v.addr[1]);
	v.port[1] = 80;
	v.proto = 6;
	v.app = "HTTP";
	rules_flow_check(r, &rf, &v, 1001, 0);
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-ZC-003"), 49 + 1);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	const struct logged *l = find("FAB-SCAN-001");
	if (l) {
		CHECK_EQ(l->sc.flows, 80);
		CHECK_EQ(l->sc.folded, 31);
		CHECK_EQ(l->sc.nfolded_by, 1);
		CHECK_STR(l->sc.folded_by[0].rule, "FAB-ZC-003");
		CHECK_STR(l->sc.folded_by[0].src_zone, "internet");
		CHECK_EQ(l->sc.folded_by[0].n, 31);
	}
	rules_destroy(r);
}

/* A flood's first flows are folded too: its SYNs open their attempts
 * before any of its flows ends (times out), so the backlog crosses the
 * threshold first; the flows checked afterwards, the first included, raise
 * nothing of their own, and the flood one alert. */
static void test_backlog_flood(void)
{
	struct rules *r = engine(thresholds);
	if (!r)
		return;
	for (int i = 0; i < 80; i++) {
		struct ip_addr s = ip4(0xc6336400u + (uint32_t)i); /* 198.51.100.x: internet */
		CHECK(syn_open(r, &s, "10.30.1.21", 5000));
	}
	for (int i = 0; i < 80; i++) { /* each checked at its end, then over */
		struct ip_addr s = ip4(0xc6336400u + (uint32_t)i);
		attempt(r, &s, "10.30.1.21", 5000, 1060);
		syn_over(r, &s, "10.30.1.21", 5000);
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-ZC-003"), 0);
	CHECK_EQ(nlog, 1);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	const struct logged *l = find("FAB-SCAN-001");
	if (l) {
		CHECK_EQ(l->sc.flows, 80);
		CHECK_EQ(l->sc.folded, 80);
		CHECK_EQ(l->sc.folded_by[0].n, 80);
	}
	/* a destination outside the watched zones is not counted */
	struct ip_addr s = ip4(0xc6336401u);
	CHECK(!syn_open(r, &s, "192.168.1.1", 80));
	rules_destroy(r);
}

/* A busy legitimate server: thousands of SYNs, each answered and
 * acknowledged at once (its backlog never above 10), is never pre-flagged:
 * one real half-open attempt to it across a forbidden conduit still raises
 * its conduit alert, and no flood alert is raised. */
static void test_backlog_busy_server(void)
{
	struct rules *r = engine(thresholds);
	if (!r)
		return;
	for (int i = 0; i < 10000; i++) {
		struct ip_addr s = ip4(0x0a140000u + (uint32_t)(i % 10)); /* system zone hosts */
		CHECK(syn_open(r, &s, "10.30.1.21", 5000));
		if (i >= 9) { /* the handshake ten SYNs ago completed */
			struct ip_addr o = ip4(0x0a140000u + (uint32_t)((i - 9) % 10));
			syn_over(r, &o, "10.30.1.21", 5000);
		}
	}
	struct ip_addr atk = ip4(0xc6336401u);
	CHECK(syn_open(r, &atk, "10.30.1.21", 22));
	attempt(r, &atk, "10.30.1.21", 22, 1060);
	syn_over(r, &atk, "10.30.1.21", 22);
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-ZC-003"), 1);
	CHECK_EQ(count_rule("FAB-SCAN-"), 0);
	rules_destroy(r);
}

/* The backlog is a level: an attempt answered (completed) or ended leaves
 * it, and it never goes below 0. Threshold 50. */
static void test_backlog_levels(void)
{
	struct rules *r = engine(thresholds);
	if (!r)
		return;
	const char *dst = "10.30.1.22";
	for (int i = 0; i < 5; i++) { /* attempts it never counted: nothing to take back */
		struct ip_addr s = ip4(0xc6336500u + (uint32_t)i);
		syn_over(r, &s, dst, 5000);
	}
	for (int i = 0; i < 40; i++) { /* 40 open, then completed */
		struct ip_addr s = ip4(0x0a140100u + (uint32_t)i);
		CHECK(syn_open(r, &s, dst, 5000));
	}
	for (int i = 0; i < 40; i++) {
		struct ip_addr s = ip4(0x0a140100u + (uint32_t)i);
		syn_over(r, &s, dst, 5000);
	}
	for (int i = 0; i < 40; i++) { /* 40 open, then their flows end */
		struct ip_addr s = ip4(0x0a140200u + (uint32_t)i);
		CHECK(syn_open(r, &s, dst, 5000));
	}
	for (int i = 0; i < 40; i++) {
		struct ip_addr s = ip4(0x0a140200u + (uint32_t)i);
		syn_over(r, &s, dst, 5000);
	}
	/* 49 open now (129 had nothing left it; 54 had -5 wrapped or stuck) */
	for (int i = 0; i < 49; i++) {
		struct ip_addr s = ip4(0xc6336600u + (uint32_t)i);
		CHECK(syn_open(r, &s, dst, 5000));
	}
	struct ip_addr a = ip4(0xc6336600u);
	attempt(r, &a, dst, 5000, 1000);
	CHECK_EQ(count_rule("FAB-ZC-003"), 1); /* below the threshold: its own alert */
	struct ip_addr fiftieth = ip4(0xc6336700u);
	CHECK(syn_open(r, &fiftieth, dst, 5000));
	struct ip_addr b = ip4(0xc6336601u);
	attempt(r, &b, dst, 5000, 1000);
	CHECK_EQ(count_rule("FAB-ZC-003"), 1); /* the backlog reached 50: folded */
	rules_finish(r);
	/* two flows counted, below the threshold: flagged by the backlog, and so
	 * one alert for the flow it folded */
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	const struct logged *l = find("FAB-SCAN-001");
	if (l) {
		CHECK_EQ(l->sc.flows, 2);
		CHECK_EQ(l->sc.folded, 1);
		CHECK(strstr(l->reason, "50 attempts open at once") != NULL);
	}
	rules_destroy(r);
}

/* A flood over several intervals is one alert (its first interval's
 * counts); the intervals that follow fold all their flows, even before the
 * threshold. After a pause of a whole interval it is a new flood. Outside the
 * watched areas nothing counts; a policy can watch a zone by name. */
static void test_intervals_and_zones(void)
{
	struct rules *r = engine(thresholds);
	if (!r)
		return;
	/* from 198.51.100.x: each flow before the threshold is level skipping */
	for (int t = 0; t < 3; t++) {
		for (int i = 0; i < 60; i++) {
			struct ip_addr s = ip4(0xc6336400u + (uint32_t)(t * 60 + i));
			attempt(r, &s, "10.30.1.21", 5000, 1000 + t * 61);
		}
		rules_tick(r, 1000 + t * 61 + 1);
	}
	rules_tick(r, 1300);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	CHECK_EQ(count_rule("FAB-ZC-003"), 49); /* the first interval's, before the threshold */
	CHECK(nlog == 50 && logbuf[49].sc.interval_start == 1000 && logbuf[49].sc.interval_end == 1060 &&
	      logbuf[49].sc.flows == 60);
	nlog = 0;
	/* a pause of more than an interval: a new flood */
	for (int i = 0; i < 60; i++) {
		struct ip_addr s = ip4(0x0a1e6400u + (uint32_t)i);
		attempt(r, &s, "10.30.1.21", 5000, 1400);
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	rules_destroy(r);

	r = engine(thresholds);
	if (!r)
		return;
	for (int i = 0; i < 60; i++) { /* office is not watched */
		struct ip_addr s = ip4(0x0a1e6400u + (uint32_t)i);
		attempt(r, &s, "192.168.1.1", 80, 1000);
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-SCAN-"), 0);
	rules_destroy(r);

	char text[512];
	snprintf(text, sizeof(text), "%s  areas: []\n  zones: [office]\n", thresholds);
	r = engine(text);
	if (!r)
		return;
	for (int i = 0; i < 60; i++) {
		struct ip_addr s = ip4(0x0a1e6400u + (uint32_t)i);
		attempt(r, &s, "192.168.1.1", 80, 1000);
		attempt(r, &s, "10.30.1.21", 80, 1000); /* tools no longer watched */
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	CHECK(find("FAB-SCAN-001") && !strcmp(find("FAB-SCAN-001")->dst, "192.168.1.1"));
	rules_destroy(r);

	/* a rule turned off by the policy counts nothing */
	snprintf(text, sizeof(text), "%srules:\n  - {id: FAB-SCAN-001, enabled: false}\n",
		 thresholds);
	r = engine(text);
	if (!r)
		return;
	for (int i = 0; i < 60; i++) {
		struct ip_addr s = ip4(0x0a1e6400u + (uint32_t)i);
		attempt(r, &s, "10.30.1.21", 80, 1000);
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-SCAN-"), 0);
	rules_destroy(r);
}

/* A million spoofed sources: fixed tables (nothing grows), exactly one
 * flood alert, no per-flow alert after the threshold; a real scanner among
 * them still found. */
static void test_million_sources(void)
{
	struct rules *r = engine(
		"scan:\n  interval: 3600\n  syn_flood: 1000\n  port_scan: 100\n  host_sweep: 64\n");
	if (!r)
		return;
	struct ip_addr scanner = ip4(0x0a140909u); /* 10.20.9.9, system */
	int scanned = 0;
	for (uint32_t i = 0; i < 1000000; i++) {
		struct ip_addr s = ip4(0xc6000000u + i * 7919u % 0x00ffffffu); /* 198.x.x.x */
		attempt(r, &s, "10.30.1.21", 5000, 1000 + i / 1000);
		if (i % 200 == 0 && scanned < 150)
			attempt(r, &scanner, "10.30.1.22", (uint16_t)(1000 + scanned++), 1000 + i / 1000);
	}
	rules_finish(r);
	CHECK_EQ(count_rule("FAB-SCAN-001"), 1);
	CHECK_EQ(count_rule("FAB-SCAN-002"), 1);
	CHECK_EQ(count_rule("FAB-SCAN-003"), 0);
	CHECK(count_rule("FAB-ZC-003") <= 999);
	const struct logged *l = find("FAB-SCAN-001");
	if (l) {
		CHECK_EQ(l->sc.flows, 1000000);
		CHECK_EQ(l->sc.folded, 1000000 - 999);
		/* HyperLogLog of 256 registers: within 25% at a million */
		CHECK(l->sc.distinct > 750000 && l->sc.distinct < 1250000);
	}
	l = find("FAB-SCAN-002");
	if (l) {
		CHECK_EQ(l->sc.distinct, 150);
		CHECK(l->sc.table_evictions > 0); /* the pair table was full of spoofed pairs */
	}
	rules_destroy(r);
}

/* The policy's section: defaults when absent, values, and errors with
 * their line. */
static void test_policy_section(void)
{
	struct policy_error e;
	struct policy *p = policy_parse(policy_base, strlen(policy_base), "t.yaml", &e);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->scan.interval, 60);
		CHECK_EQ(p->scan.syn_flood, 1000);
		CHECK_EQ(p->scan.port_scan, 100);
		CHECK_EQ(p->scan.host_sweep, 64);
		CHECK_EQ(p->scan.areas, (1u << AREA_FAB) | (1u << AREA_FAB_SYSTEM));
		CHECK_EQ(p->scan.line, 0);
		policy_free(p);
	}
	char text[4096];
	snprintf(text, sizeof(text), "%s%s  areas: it-ot-dmz\n  zones: [system, tools]\n",
		 policy_base, thresholds);
	p = policy_parse(text, strlen(text), "t.yaml", &e);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ(p->scan.syn_flood, 50);
		CHECK_EQ(p->scan.port_scan, 20);
		CHECK_EQ(p->scan.host_sweep, 10);
		CHECK_EQ(p->scan.areas, 1u << AREA_DMZ);
		CHECK_EQ(p->scan.nzones, 2);
		CHECK_EQ(p->scan.line, 14); /* its first key */
		policy_free(p);
	}
	static const struct {
		const char *scan;
		int line;
		const char *msg;
	} bad[] = {
		{ "scan:\n  interval: 0\n", 14, "scan: interval must be a number 1-86400, found '0'" },
		{ "scan:\n  syn_flood: lots\n", 14,
		  "scan: syn_flood must be a number 0-100000000, found 'lots'" },
		{ "scan:\n  port_scan: 1\n", 14, "scan: port_scan must be 0 (off) or at least 2, found 1" },
		{ "scan:\n  host_sweep: 385\n", 14, "scan: host_sweep must be a number 0-384, found '385'" },
		{ "scan:\n  areas: [fab-area, moon]\n", 14,
		  "scan: unknown area 'moon' (areas: fab-area, fab-system-area, it-ot-dmz, enterprise, "
		  "external)" },
		{ "scan:\n  zones: [nowhere]\n", 14, "scan: unknown zone 'nowhere' (not in `zones:`)" },
		{ "scan:\n  rate: 5\n", 14,
		  "scan: unknown key 'rate' (expected one of: interval, syn_flood, port_scan, host_sweep, "
		  "areas, zones)" },
		{ "scan: 5\n", 13, NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", policy_base, bad[i].scan);
		p = policy_parse(text, strlen(text), "t.yaml", &e);
		CHECK(p == NULL);
		policy_free(p);
		CHECK_EQ(e.line, bad[i].line);
		if (bad[i].msg)
			CHECK_STR(e.msg, bad[i].msg);
	}
}

int main(void)
{
	RUN(test_flood_threshold);
	RUN(test_scan_thresholds);
	RUN(test_folding);
	RUN(test_backlog_flood);
	RUN(test_backlog_busy_server);
	RUN(test_backlog_levels);
	RUN(test_intervals_and_zones);
	RUN(test_million_sources);
	RUN(test_policy_section);
	return test_done();
}
