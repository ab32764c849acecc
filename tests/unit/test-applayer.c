/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The dissector hook: probing, messages split over segments and several per
 * segment, skipping oversized messages, the buffer bound, gaps, contract
 * violations. Uses a toy protocol: 2-byte length N, then N bytes starting 'L'.
 */
#include "sensor/applayer.h"
#include "test.h"

#define LP_MAX_MSG 1000

struct lp_state {
	int msgs;
	char bodies[4096];
	size_t blen;
	int gaps;
	uint64_t gap_bytes;
	int finished;
	int oversize;
};

static struct app_anomaly oversize_anomaly = { "LP_TOO_LARGE", NULL, "lp" };

static enum probe_result lp_probe(const struct dissect_flow *f, int dir, const uint8_t *d, size_t n,
				  bool on_port)
{
	(void)f; (void)dir; (void)on_port;
	if (n < 3)
		return PROBE_NEED_MORE;
	uint16_t len = (uint16_t)(d[0] << 8 | d[1]);
	return len >= 1 && d[2] == 'L' ? PROBE_MATCH : PROBE_NO;
}

static struct parse_result lp_parse(void *st, struct dissect_ctx *ctx, int dir, const uint8_t *d,
				    size_t n)
{
	struct lp_state *s = st;
	struct parse_result r = { PARSE_OK, 0, 0, 0 };
	while (n - r.consumed >= 2) {
		const uint8_t *m = d + r.consumed;
		size_t len = (size_t)(m[0] << 8 | m[1]);
		if (len > LP_MAX_MSG) {
			struct app_event ev = { APP_EVENT_ANOMALY, dir, &oversize_anomaly };
			ctx->emit(ctx, &ev);
			s->oversize++;
			r.consumed += 2;
			r.skip = len;
			return r;
		}
		if (n - r.consumed < 2 + len) {
			r.need = 2 + len;
			return r;
		}
		if (s->blen + len + 1 < sizeof(s->bodies)) {
			memcpy(s->bodies + s->blen, m + 2, len);
			s->blen += len;
			s->bodies[s->blen++] = '|';
			s->bodies[s->blen] = '\0';
		}
		s->msgs++;
		r.consumed += 2 + len;
	}
	if (r.consumed < n)
		r.need = 2;
	return r;
}

static void lp_gap(void *st, struct dissect_ctx *ctx, int dir, uint64_t missing)
{
	(void)ctx; (void)dir;
	struct lp_state *s = st;
	s->gaps++;
	s->gap_bytes += missing;
}

static void lp_finish(void *st, struct dissect_ctx *ctx)
{
	(void)ctx;
	((struct lp_state *)st)->finished++;
}

static const uint16_t lp_ports[] = { 7777, 0 };
static struct dissector lp = {
	.name = "lp",
	.state_size = sizeof(struct lp_state),
	.max_buffer = 2 + LP_MAX_MSG,
	.default_ports = lp_ports,
	.probe = lp_probe,
	.parse = lp_parse,
	.gap = lp_gap,
	.finish = lp_finish,
};
static const struct dissector *const registry[] = { &lp, NULL };

struct seen {
	int events;
	const char *last;
};

static void observe(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		    uint32_t usec)
{
	(void)sec;
	(void)usec;
	(void)f;
	struct seen *s = ctx;
	s->events++;
	if (ev->kind == APP_EVENT_ANOMALY)
		s->last = ((const struct app_anomaly *)ev->body)->name;
}

static void new_flow(struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->key.family = 4;
	f->key.proto = 6;
	f->key.port[0] = 40000;
	f->key.port[1] = 7777;
	f->client_ep = 0;
}

/* Append message "L<body>" with its length prefix. */
static size_t msg(uint8_t *out, const char *body)
{
	size_t n = strlen(body) + 1;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	out[2] = 'L';
	memcpy(out + 3, body, n - 1);
	return n + 2;
}

static void test_byte_by_byte(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	struct flow f;
	new_flow(&f);
	uint8_t s[256];
	size_t n = 0;
	n += msg(s + n, "one");
	n += msg(s + n, "two");
	n += msg(s + n, "three");
	for (size_t i = 0; i < n; i++)
		applayer_data(&al, &f, 0, s + i, 1, 0, 0);
	CHECK(f.app == &lp);
	struct lp_state *st = f.app_state;
	CHECK_EQ(st->msgs, 3);
	CHECK_STR(st->bodies, "Lone|Ltwo|Lthree|");
	CHECK_EQ(al.st.claimed, 1);
	applayer_end(&al, &f, 0, 0);
	CHECK(f.app_state == NULL);
	applayer_destroy(&al);
}

static void test_chunks(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	struct flow f;
	new_flow(&f);
	uint8_t s[512];
	size_t n = 0;
	n += msg(s + n, "a");
	n += msg(s + n, "bb");
	n += msg(s + n, "a longer message that spans segments");
	n += msg(s + n, "c");
	/* chunks of 7 bytes, then of 13 */
	size_t half = n / 2;
	for (size_t i = 0; i < half; i += 7)
		applayer_data(&al, &f, 0, s + i, (i + 7 <= half ? 7 : half - i), 0, 0);
	for (size_t i = half; i < n; i += 13)
		applayer_data(&al, &f, 0, s + i, (i + 13 <= n ? 13 : n - i), 0, 0);
	struct lp_state *st = f.app_state;
	CHECK_EQ(st->msgs, 4);
	CHECK_STR(st->bodies, "La|Lbb|La longer message that spans segments|Lc|");
	/* all at once, in the other direction */
	applayer_data(&al, &f, 1, s, n, 0, 0);
	CHECK_EQ(st->msgs, 8);
	applayer_end(&al, &f, 0, 0);
	applayer_destroy(&al);
}

static void test_skip_oversized(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	struct seen seen = { 0, NULL };
	event_sinks_add(&al.sinks, (struct event_sink){ .ctx = &seen, .app_event = observe });
	struct flow f;
	new_flow(&f);
	static uint8_t s[4096];
	size_t n = msg(s, "first");
	/* declared 3000 bytes: skipped unseen, never buffered */
	s[n] = 3000 >> 8;
	s[n + 1] = 3000 & 0xff;
	memset(s + n + 2, 'x', 3000);
	n += 3002;
	n += msg(s + n, "after");
	for (size_t i = 0; i < n; i += 100)
		applayer_data(&al, &f, 0, s + i, (i + 100 <= n ? 100 : n - i), 0, 0);
	struct lp_state *st = f.app_state;
	CHECK_EQ(st->msgs, 2);
	CHECK_STR(st->bodies, "Lfirst|Lafter|");
	CHECK_EQ(st->oversize, 1);
	CHECK_EQ(seen.events, 1);
	CHECK_STR(seen.last, "LP_TOO_LARGE");
	CHECK(f.app_buf[0].cap <= 2 + LP_MAX_MSG);
	applayer_end(&al, &f, 0, 0);
	applayer_destroy(&al);
}

/* Sinks are told in the order registered, only through the callbacks
 * they have: the pipeline relies on it for the order of eve.json. */
struct order_log {
	char text[64];
};

static void log_add(struct order_log *l, const char *what)
{
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof(l->text) - n, "%s|", what);
}

static struct order_log order;

static void a_event(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		    uint32_t usec)
{
	(void)f;
	(void)sec;
	(void)usec;
	log_add(&order, ev->kind == APP_EVENT_ANOMALY ? ctx : "?");
}

static void a_ended(void *ctx, struct flow *f, const struct flow_end *end)
{
	(void)f;
	log_add(&order, end->why == FLOW_END_SHUTDOWN ? ctx : "?");
}

static void test_sinks_in_order(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	memset(&order, 0, sizeof(order));
	CHECK_EQ(event_sinks_add(&al.sinks, (struct event_sink){ .ctx = "A", .app_event = a_event,
								 .flow_ended = a_ended }), 0);
	CHECK_EQ(event_sinks_add(&al.sinks, (struct event_sink){ .ctx = "B", .flow_ended = a_ended }), 0);
	CHECK_EQ(event_sinks_add(&al.sinks, (struct event_sink){ .ctx = "C", .app_event = a_event }), 0);
	CHECK_EQ(event_sinks_add(&al.sinks, (struct event_sink){ .ctx = "D" }), 0);
	CHECK_EQ(event_sinks_add(&al.sinks, (struct event_sink){ .ctx = "E", .app_event = a_event }), -1);
	struct flow f;
	new_flow(&f);
	static uint8_t s[4096];
	size_t n = msg(s, "first");
	s[n] = 3000 >> 8;     /* too large: one anomaly event */
	s[n + 1] = 3000 & 0xff;
	applayer_data(&al, &f, 0, s, n + 2, 0, 0);
	CHECK_EQ(al.st.anomalies, 1);
	CHECK_STR(order.text, "A|C|");
	struct flow_end end = { FLOW_END_SHUTDOWN, APP_EVENT_KIND_COUNT, NULL };
	applayer_end(&al, &f, 0, 0);
	event_sinks_flow_ended(&al.sinks, &f, &end);
	CHECK_STR(order.text, "A|C|A|B|");
	event_sinks_clear(&al.sinks);
	event_sinks_flow_ended(&al.sinks, &f, &end);
	CHECK_STR(order.text, "A|C|A|B|");
	applayer_destroy(&al);
}

static void test_buffer_bound(void)
{
	struct dissector small = lp;
	small.max_buffer = 64;
	const struct dissector *const reg[] = { &small, NULL };
	struct applayer al;
	applayer_init(&al, reg);
	struct flow f;
	new_flow(&f);
	uint8_t s[600];
	memset(s, 'y', sizeof(s));
	s[0] = 500 >> 8;
	s[1] = 500 & 0xff;
	s[2] = 'L';
	for (size_t i = 0; i < 502; i += 50)
		applayer_data(&al, &f, 0, s + i, 50, 0, 0);
	CHECK(f.app_failed);
	CHECK_EQ(al.st.buffer_overflows, 1);
	CHECK(f.app_buf[0].data == NULL);
	applayer_end(&al, &f, 0, 0);
	applayer_destroy(&al);
}

/* --app-memcap: state and buffers counted; a flow claimed at the cap is
 * named, not dissected; a buffer that would pass it ends dissection; every
 * byte comes back when the flows end. */
static void test_memcap(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	size_t state = sizeof(struct lp_state);
	al.memcap = 2 * state + 600; /* two flows' state and a buffer of 512 */
	struct flow f[3];
	uint8_t m[64];
	size_t n = msg(m, "abc");
	for (int i = 0; i < 3; i++) {
		new_flow(&f[i]);
		applayer_data(&al, &f[i], 0, m, n, 0, 0);
	}
	CHECK_EQ(al.st.claimed, 2);
	CHECK_EQ(al.st.memcap_hits, 1);
	CHECK(f[2].app == &lp && f[2].app_failed && !f[2].app_state);
	CHECK_EQ(((struct lp_state *)f[0].app_state)->msgs, 1);
	CHECK_EQ(al.st.memuse, 2 * state);
	/* half a message: buffered (512 bytes) in flow 0 */
	applayer_data(&al, &f[0], 0, m, 3, 0, 0);
	CHECK_EQ(al.st.memuse, 2 * state + 512);
	CHECK_EQ(al.st.mempeak, 2 * state + 512);
	/* flow 1's half message would pass the cap: its dissection ends */
	applayer_data(&al, &f[1], 0, m, 3, 0, 0);
	CHECK(f[1].app_failed);
	CHECK_EQ(al.st.memcap_hits, 2);
	CHECK_EQ(al.st.parse_errors, 0);
	CHECK_EQ(al.st.buffer_overflows, 0);
	/* the rest of flow 0's message still comes through */
	applayer_data(&al, &f[0], 0, m + 3, n - 3, 0, 0);
	CHECK_EQ(((struct lp_state *)f[0].app_state)->msgs, 2);
	for (int i = 0; i < 3; i++)
		applayer_end(&al, &f[i], 0, 0);
	CHECK_EQ(al.st.memuse, 0);
	CHECK_EQ(al.st.mempeak, 2 * state + 512);
	applayer_destroy(&al);
}

/* A buffer emptied by a complete message goes to the pool, and the next
 * flow with a split message gets it (not one buffer per flow for its whole
 * life); the pool goes with applayer_destroy (ASan's leak check). */
static void test_buffer_pool(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	size_t state = sizeof(struct lp_state);
	struct flow f[2];
	uint8_t m[64];
	size_t n = msg(m, "abcdef");
	for (int i = 0; i < 2; i++) {
		new_flow(&f[i]);
		applayer_data(&al, &f[i], 0, m, n, 0, 0); /* claimed, nothing buffered */
	}
	CHECK_EQ(al.st.memuse, 2 * state);
	applayer_data(&al, &f[0], 0, m, 3, 0, 0); /* a split message: buffered */
	const uint8_t *first = f[0].app_buf[0].data;
	CHECK(first != NULL);
	CHECK_EQ(al.st.memuse, 2 * state + 512);
	applayer_data(&al, &f[0], 0, m + 3, n - 3, 0, 0); /* complete: emptied */
	CHECK_EQ(((struct lp_state *)f[0].app_state)->msgs, 2);
	CHECK(f[0].app_buf[0].data == NULL);
	CHECK_EQ(f[0].app_buf[0].cap, 0);
	CHECK_EQ(al.st.memuse, 2 * state);
	CHECK_EQ(al.pool_bytes, 512);
	applayer_data(&al, &f[1], 0, m, 3, 0, 0);
	CHECK(f[1].app_buf[0].data == first); /* the same buffer, from the pool */
	CHECK_EQ(al.pool_bytes, 0);
	applayer_data(&al, &f[1], 0, m + 3, n - 3, 0, 0);
	CHECK_EQ(((struct lp_state *)f[1].app_state)->msgs, 2);
	CHECK_STR(((struct lp_state *)f[1].app_state)->bodies, "Labcdef|Labcdef|");
	/* split again, a byte at a time, after its buffer went back */
	for (size_t i = 0; i < n; i++)
		applayer_data(&al, &f[0], 0, m + i, 1, 0, 0);
	CHECK_EQ(((struct lp_state *)f[0].app_state)->msgs, 3);
	CHECK_STR(((struct lp_state *)f[0].app_state)->bodies, "Labcdef|Labcdef|Labcdef|");
	for (int i = 0; i < 2; i++)
		applayer_end(&al, &f[i], 0, 0);
	CHECK_EQ(al.st.memuse, 0);
	CHECK_EQ(al.st.mempeak, 2 * state + 512);
	applayer_destroy(&al);
	CHECK_EQ(al.pool_bytes, 0);
}

static struct parse_result stuck_parse(void *st, struct dissect_ctx *ctx, int dir, const uint8_t *d,
				       size_t n)
{
	(void)st; (void)ctx; (void)dir; (void)d; (void)n;
	struct parse_result r = { PARSE_OK, 0, 1, 0 }; /* consumes nothing, wants what it has */
	return r;
}

static void test_contract_violation(void)
{
	struct dissector stuck = lp;
	stuck.parse = stuck_parse;
	const struct dissector *const reg[] = { &stuck, NULL };
	struct applayer al;
	applayer_init(&al, reg);
	struct flow f;
	new_flow(&f);
	uint8_t s[32];
	size_t n = msg(s, "zz");
	applayer_data(&al, &f, 0, s, n, 0, 0);
	CHECK(f.app_failed);
	CHECK_EQ(al.st.parse_errors, 1);
	applayer_data(&al, &f, 0, s, n, 0, 0); /* ignored from now on */
	applayer_end(&al, &f, 0, 0);
	applayer_destroy(&al);
}

static void test_probe_no(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	struct flow f;
	new_flow(&f);
	applayer_data(&al, &f, 0, (const uint8_t *)"\x00", 1, 0, 0); /* need more */
	CHECK(!f.app_probing_done);
	applayer_data(&al, &f, 0, (const uint8_t *)"\x05GET /", 6, 0, 0);
	CHECK(f.app == NULL);
	CHECK(f.app_probing_done);
	CHECK(f.app_buf[0].data == NULL);
	applayer_end(&al, &f, 0, 0);
	applayer_destroy(&al);
}

static void test_gap(void)
{
	struct applayer al;
	applayer_init(&al, registry);
	struct flow f;
	new_flow(&f);
	uint8_t s[64];
	size_t n = msg(s, "hello");
	applayer_data(&al, &f, 0, s, n, 0, 0);
	applayer_data(&al, &f, 0, s, 4, 0, 0); /* half a message */
	CHECK(f.app_buf[0].len == 4);
	applayer_gap(&al, &f, 0, 100, 0, 0);
	CHECK_EQ(f.app_buf[0].len, 0);
	applayer_data(&al, &f, 0, s, n, 0, 0);
	struct lp_state *st = f.app_state;
	CHECK_EQ(st->gaps, 1);
	CHECK_EQ(st->gap_bytes, 100);
	CHECK_EQ(st->msgs, 2);
	applayer_end(&al, &f, 0, 0);
	CHECK_EQ(al.st.gaps, 1);
	applayer_destroy(&al);
}

static int finished_count;
static void count_finish(void *st, struct dissect_ctx *ctx)
{
	(void)ctx;
	finished_count += ((struct lp_state *)st)->msgs;
}

static void test_finish_called(void)
{
	struct dissector d = lp;
	d.finish = count_finish;
	const struct dissector *const reg[] = { &d, NULL };
	struct applayer al;
	applayer_init(&al, reg);
	struct flow f;
	new_flow(&f);
	uint8_t s[64];
	size_t n = msg(s, "x");
	applayer_data(&al, &f, 0, s, n, 0, 0);
	finished_count = 0;
	applayer_end(&al, &f, 0, 0);
	CHECK_EQ(finished_count, 1);
	applayer_destroy(&al);
}

int main(void)
{
	RUN(test_byte_by_byte);
	RUN(test_chunks);
	RUN(test_skip_oversized);
	RUN(test_sinks_in_order);
	RUN(test_buffer_bound);
	RUN(test_memcap);
	RUN(test_buffer_pool);
	RUN(test_contract_violation);
	RUN(test_probe_no);
	RUN(test_gap);
	RUN(test_finish_called);
	return test_done();
}
