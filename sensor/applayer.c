/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/applayer.h"

#include <stdlib.h>
#include <string.h>


void applayer_init(struct applayer *al, const struct dissector *const *registry)
{
	memset(al, 0, sizeof(*al));
	al->session_kind = APP_EVENT_KIND_COUNT;
	for (const struct dissector *const *it = registry; *it && al->nprotos < APPLAYER_MAX_PROTOS; it++) {
		struct applayer_proto *p = &al->protos[al->nprotos++];
		p->d = *it;
		p->enabled = true;
		p->max_buffer = (*it)->max_buffer;
		int n = 0;
		for (const uint16_t *port = (*it)->default_ports; port && *port && n < APPLAYER_MAX_PORTS; port++)
			p->ports[n++] = *port;
	}
}

struct applayer_proto *applayer_proto(struct applayer *al, const char *name)
{
	for (int i = 0; i < al->nprotos; i++)
		if (strcmp(al->protos[i].d->name, name) == 0)
			return &al->protos[i];
	return NULL;
}

int applayer_share(struct applayer *al, const struct applayer *owner)
{
	for (int i = 0; i < al->nprotos && i < owner->nprotos; i++) {
		al->protos[i].global = owner->protos[i].global;
		al->protos[i].borrowed = owner->protos[i].global != NULL;
	}
	return 0;
}

int applayer_start(struct applayer *al)
{
	for (int i = 0; i < al->nprotos; i++) {
		struct applayer_proto *p = &al->protos[i];
		if (p->enabled && p->d->global_create && !p->global) {
			p->global = p->d->global_create(p->cfg);
			if (!p->global)
				return -1;
		}
	}
	return 0;
}

/* Emptied buffers of 512 bytes to 64 KiB wait here for the next flow with a
 * split message, instead of staying with their flow until it ends. A busy
 * fab has hundreds of HSMS sessions that each once received a recipe in many
 * segments; kept per flow, each session held a 32 KiB buffer (and its page
 * faults) for its whole life, though few are ever mid-message at once. Not
 * handed back to malloc either: freed, the buffers are split for other
 * sizes and the next recipe needs fresh pages. */
#define POOL_MIN_SHIFT 9
#define POOL_CLASSES 8
#define APPLAYER_POOL_BYTES ((uint64_t)4 << 20)

static int pool_class(size_t cap)
{
	if (cap < ((size_t)1 << POOL_MIN_SHIFT) || cap > ((size_t)1 << (POOL_MIN_SHIFT + POOL_CLASSES - 1)) ||
	    (cap & (cap - 1)))
		return -1;
	return __builtin_ctzll(cap) - POOL_MIN_SHIFT;
}

static uint8_t *pool_get(struct applayer *al, size_t cap)
{
	int c = pool_class(cap);
	if (c < 0 || !al->pool[c])
		return malloc(cap);
	uint8_t *p = al->pool[c];
	memcpy(&al->pool[c], p, sizeof(void *)); /* the next one */
	al->pool_bytes -= cap;
	return p;
}

static void pool_put(struct applayer *al, uint8_t *p, size_t cap)
{
	if (!p)
		return;
	int c = pool_class(cap);
	if (c < 0 || al->pool_bytes + cap > APPLAYER_POOL_BYTES) {
		free(p);
		return;
	}
	memcpy(p, &al->pool[c], sizeof(void *));
	al->pool[c] = p;
	al->pool_bytes += cap;
}

void applayer_destroy(struct applayer *al)
{
	for (int c = 0; c < POOL_CLASSES; c++) {
		while (al->pool[c]) {
			void *p = al->pool[c];
			memcpy(&al->pool[c], p, sizeof(void *));
			free(p);
		}
	}
	al->pool_bytes = 0;
	for (int i = 0; i < al->nprotos; i++) {
		struct applayer_proto *p = &al->protos[i];
		if (p->global && p->d->global_destroy && !p->borrowed)
			p->d->global_destroy(p->global);
		p->global = NULL;
	}
}

struct emit_ctx {
	struct dissect_ctx dc;
	struct dissect_flow df;
	struct applayer *al;
	struct flow *f;               /* NULL for events outside any flow */
	struct applayer_proto *proto;
};

static void emit(struct dissect_ctx *dc, const struct app_event *ev)
{
	struct emit_ctx *ec = (struct emit_ctx *)dc;
	struct applayer *al = ec->al;
	al->st.events++;
	switch (ev->kind) {
	case APP_EVENT_ANOMALY:
		al->st.anomalies++;
		break;
	case APP_EVENT_HSMS_SESSION:
		al->session_kind = ev->kind;
		al->session.hsms = *(const struct hsms_session_summary *)ev->body;
		break;
	case APP_EVENT_MODBUS_SESSION:
		al->session_kind = ev->kind;
		al->session.modbus = *(const struct modbus_session_summary *)ev->body;
		break;
	default:
		break;
	}
	event_sinks_app_event(&al->sinks, ec->f, ev, dc->ts_sec, dc->ts_usec);
}

static void enter_shared(struct dissect_ctx *dc)
{
	struct applayer *al = ((struct emit_ctx *)dc)->al;
	al->enter_shared(al->enter_ctx);
}

/* The per-flow memory of the dissectors, under --app-memcap: false when n
 * more bytes would pass it (counted by the caller). */
static bool mem_take(struct applayer *al, size_t n)
{
	if (al->memcap && al->st.memuse + n > al->memcap)
		return false;
	al->st.memuse += n;
	if (al->st.memuse > al->st.mempeak)
		al->st.mempeak = al->st.memuse;
	return true;
}

static void mem_give(struct applayer *al, size_t n)
{
	al->st.memuse -= n < al->st.memuse ? n : al->st.memuse;
}

/* A dissector's flow state grows (dissect_alloc): under --app-memcap, a
 * refusal counted in memcap_hits like a state or buffer refused. */
static void *ctx_alloc(struct dissect_ctx *dc, size_t n)
{
	struct applayer *al = ((struct emit_ctx *)dc)->al;
	if (!mem_take(al, n)) {
		al->st.memcap_hits++;
		return NULL;
	}
	void *p = calloc(1, n);
	if (!p)
		mem_give(al, n);
	return p;
}

static void ctx_release(struct dissect_ctx *dc, void *p, size_t n)
{
	mem_give(((struct emit_ctx *)dc)->al, n);
	free(p);
}

static void make_ctx(struct emit_ctx *ec, struct applayer *al, struct flow *f,
		     struct applayer_proto *proto, int64_t sec, uint32_t usec)
{
	memset(ec, 0, sizeof(*ec));
	ec->al = al;
	ec->f = f;
	ec->proto = proto;
	if (f) {
		ec->df.flow_id = f->flow_id;
		ec->df.community_id = f->community_id;
		flow_endpoints(f, &ec->df.client, &ec->df.client_port, &ec->df.server,
			       &ec->df.server_port);
		ec->df.vlan = f->key.vlan_count ? f->key.vlan[0] : 0;
		ec->df.proto = f->key.proto;
		ec->df.midstream = ((f->tcp[0].state | f->tcp[1].state) & TCPS_MIDSTREAM) != 0;
		ec->dc.flow = &ec->df;
	}
	ec->dc.ts_sec = sec;
	ec->dc.ts_usec = usec;
	ec->dc.global = proto ? proto->global : NULL;
	ec->dc.emit = emit;
	ec->dc.shared = al->enter_shared ? enter_shared : NULL;
	ec->dc.alloc = ctx_alloc;
	ec->dc.release = ctx_release;
	ec->dc.sink = al;
}

static void buf_free(struct applayer *al, struct app_stream_buf *b)
{
	mem_give(al, b->cap);
	pool_put(al, b->data, b->cap);
	memset(b, 0, sizeof(*b));
}

/* Emptied: the buffer goes back to the pool (what the dissector waits for
 * and skips stays). */
static void buf_release(struct applayer *al, struct app_stream_buf *b)
{
	mem_give(al, b->cap);
	pool_put(al, b->data, b->cap);
	b->data = NULL;
	b->cap = 0;
}

enum append_result { APPEND_OK, APPEND_TOO_BIG, APPEND_MEMCAP };

/* Append to a direction's buffer within the dissector's cap. */
static enum append_result buf_append(struct applayer *al, struct app_stream_buf *b,
				     const uint8_t *data, size_t len, size_t max)
{
	if (len > max || b->len > max - len)
		return APPEND_TOO_BIG;
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 512;
		while (ncap < b->len + len)
			ncap *= 2;
		if (ncap > max)
			ncap = max;
		if (!mem_take(al, ncap - b->cap))
			return APPEND_MEMCAP;
		uint8_t *nd = pool_get(al, ncap);
		if (!nd) {
			mem_give(al, ncap - b->cap);
			return APPEND_TOO_BIG;
		}
		if (b->len)
			memcpy(nd, b->data, b->len);
		pool_put(al, b->data, b->cap);
		b->data = nd;
		b->cap = (uint32_t)ncap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += (uint32_t)len;
	return APPEND_OK;
}

/* A buffer the flow's dissector could not have: too big, or the memcap. */
static void count_refused(struct applayer *al, enum append_result why)
{
	if (why == APPEND_MEMCAP)
		al->st.memcap_hits++;
	else
		al->st.buffer_overflows++;
}

/* Dissection of the flow ends here (its buffers go; its state stays for
 * finish); parse_error: counted as one. */
static void stop_flow(struct applayer *al, struct flow *f, bool parse_error)
{
	f->app_failed = 1;
	buf_free(al, &f->app_buf[0]);
	buf_free(al, &f->app_buf[1]);
	if (parse_error)
		al->st.parse_errors++;
}

static void fail_flow(struct applayer *al, struct flow *f)
{
	stop_flow(al, f, true);
}

/* A parse result the contract forbids: it would loop or overrun. */
static bool result_invalid(const struct parse_result *r, size_t in_len)
{
	return r->status == PARSE_ERROR || r->consumed > in_len ||
	       (r->consumed == 0 && r->skip == 0 && r->need <= in_len);
}

/* Drop up to b->skip bytes from the front of the buffer. */
static void skip_buffered(struct app_stream_buf *b)
{
	size_t n = b->skip < b->len ? (size_t)b->skip : b->len;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= (uint32_t)n;
	b->skip -= n;
}

/*
 * Run the dissector over a direction's bytes: straight from the segment
 * when nothing is buffered, through the buffer when a message is split.
 * `need` and `skip` count from the first byte parse() did not consume. Each
 * call must consume, skip, or ask for more than it was given; anything else
 * would loop, and ends dissection of the flow.
 */
static void feed(struct applayer *al, struct flow *f, int dir, const uint8_t *data, size_t len,
		 struct emit_ctx *ec)
{
	struct app_stream_buf *b = &f->app_buf[dir];
	const struct dissector *d = f->app;
	size_t max_buffer = al->protos[f->app_index].max_buffer;
	while (!f->app_failed) {
		if (b->skip && b->len)
			skip_buffered(b);
		if (b->skip && len) {
			size_t n = b->skip < len ? (size_t)b->skip : len;
			b->skip -= n;
			data += n;
			len -= n;
		}
		if (b->skip)
			return; /* everything at hand skipped */
		struct parse_result r;
		if (b->len > 0) {
			if (len > 0) {
				/* take all the new data that fits, not just what was
				 * asked for: the dissector then sees where the data at
				 * hand really ends (HSMS resynchronisation uses that) */
				size_t space = max_buffer > b->len ? max_buffer - b->len : 0;
				size_t take = len < space ? len : space;
				enum append_result ar = b->cap_need > b->len && b->cap_need - b->len > space
								? APPEND_TOO_BIG
								: buf_append(al, b, data, take, max_buffer);
				if (ar != APPEND_OK) {
					count_refused(al, ar);
					stop_flow(al, f, ar != APPEND_MEMCAP);
					return;
				}
				data += take;
				len -= take;
			}
			if (b->len < b->cap_need)
				return; /* len is 0 here: wait for more */
			r = d->parse(f->app_state, &ec->dc, dir, b->data, b->len);
			if (result_invalid(&r, b->len)) {
				fail_flow(al, f);
				return;
			}
			memmove(b->data, b->data + r.consumed, b->len - r.consumed);
			b->len -= (uint32_t)r.consumed;
			if (b->len == 0)
				buf_release(al, b);
			b->cap_need = r.need > UINT32_MAX ? UINT32_MAX : (uint32_t)r.need;
			b->skip = r.skip;
			if (b->len == 0 && len == 0 && b->skip == 0)
				return;
			if (r.need > b->len && len == 0)
				return;
			continue;
		}
		if (len == 0)
			return;
		r = d->parse(f->app_state, &ec->dc, dir, data, len);
		if (result_invalid(&r, len)) {
			fail_flow(al, f);
			return;
		}
		data += r.consumed;
		len -= r.consumed;
		b->cap_need = r.need > UINT32_MAX ? UINT32_MAX : (uint32_t)r.need;
		b->skip = r.skip;
		if (b->skip)
			continue;
		if (len > 0 && r.need > len) {
			/* incomplete message: keep the tail until the rest arrives */
			enum append_result ar = buf_append(al, b, data, len, max_buffer);
			if (ar != APPEND_OK) {
				count_refused(al, ar);
				stop_flow(al, f, ar != APPEND_MEMCAP);
			}
			return;
		}
	}
}

static void claim(struct applayer *al, struct flow *f, int index, struct emit_ctx *ec)
{
	const struct dissector *d = al->protos[index].d;
	f->app = d;
	f->app_index = (uint8_t)index;
	ec->proto = &al->protos[index];
	ec->dc.global = ec->proto->global;
	size_t size = d->state_size ? d->state_size : 1;
	if (!mem_take(al, size)) {
		/* named, not dissected: the flow record says so (app_proto, no
		 * summary) and stats.app_layer.memcap_hits counts it */
		al->st.memcap_hits++;
		stop_flow(al, f, false);
		return;
	}
	f->app_state = calloc(1, size);
	if (!f->app_state) {
		mem_give(al, size);
		fail_flow(al, f);
		return;
	}
	if (d->init)
		d->init(f->app_state);
	al->st.claimed++;
}

/* Offer the first bytes of a direction to the probes. */
static void probe(struct applayer *al, struct flow *f, int dir, const uint8_t *data, size_t len,
		  struct emit_ctx *ec)
{
	struct app_stream_buf *b = &f->app_buf[dir];
	size_t take = len;
	if (b->len + take > APPLAYER_PROBE_MAX)
		take = APPLAYER_PROBE_MAX - b->len;
	if (buf_append(al, b, data, take, APPLAYER_PROBE_MAX) != APPEND_OK) {
		f->app_probing_done = 1;
		return;
	}
	uint16_t sport = ec->df.server_port;
	bool undecided = false;
	for (int pass = 0; pass < 2 && !f->app; pass++) {
		/* pass 0: dissectors configured for this port; pass 1: all others */
		for (int i = 0; i < al->nprotos; i++) {
			struct applayer_proto *p = &al->protos[i];
			if (!p->enabled)
				continue;
			bool on_port = false;
			for (const uint16_t *port = p->ports; *port; port++)
				if (*port == sport)
					on_port = true;
			if ((pass == 0) != on_port)
				continue;
			enum probe_result pr = p->d->probe(&ec->df, dir, b->data, b->len, on_port);
			if (pr == PROBE_MATCH) {
				claim(al, f, i, ec);
				break;
			}
			if (pr == PROBE_NEED_MORE)
				undecided = true;
		}
	}
	if (f->app) {
		f->app_probing_done = 1;
		if (f->app_failed)
			return;
		/* replay what the probes saw, this direction last (it is newest) */
		struct app_stream_buf saved[2] = { f->app_buf[0], f->app_buf[1] };
		memset(f->app_buf, 0, sizeof(f->app_buf));
		int order[2] = { 1 - dir, dir };
		for (int i = 0; i < 2; i++) {
			struct app_stream_buf *s = &saved[order[i]];
			if (s->len && !f->app_failed)
				feed(al, f, order[i], s->data, s->len, ec);
		}
		buf_free(al, &saved[0]);
		buf_free(al, &saved[1]);
		/* bytes of this segment the probe buffer could not hold */
		if (take < len && !f->app_failed)
			feed(al, f, dir, data + take, len - take, ec);
		return;
	}
	if (!undecided || b->len >= APPLAYER_PROBE_MAX) {
		f->app_probing_done = 1;
		buf_free(al, &f->app_buf[0]);
		buf_free(al, &f->app_buf[1]);
	}
}

void applayer_data(struct applayer *al, struct flow *f, int dir, const uint8_t *data, size_t len,
		   int64_t sec, uint32_t usec)
{
	if (f->app_failed || len == 0 || (f->app_probing_done && !f->app))
		return;
	struct emit_ctx ec;
	make_ctx(&ec, al, f, f->app ? &al->protos[f->app_index] : NULL, sec, usec);
	if (!f->app)
		probe(al, f, dir, data, len, &ec);
	else
		feed(al, f, dir, data, len, &ec);
}

void applayer_gap(struct applayer *al, struct flow *f, int dir, uint64_t missing, int64_t sec,
		  uint32_t usec)
{
	if (f->app_failed)
		return;
	if (!f->app) {
		/* a gap before anything was claimed: probing from mid-message
		 * would misfire, so start probing afresh after it */
		buf_free(al, &f->app_buf[dir]);
		return;
	}
	al->st.gaps++;
	struct app_stream_buf *b = &f->app_buf[dir];
	b->len = 0;
	b->cap_need = 0;
	b->skip = b->skip > missing ? b->skip - missing : 0;
	if (f->app->gap) {
		struct emit_ctx ec;
		make_ctx(&ec, al, f, &al->protos[f->app_index], sec, usec);
		f->app->gap(f->app_state, &ec.dc, dir, missing);
	}
}

void applayer_end(struct applayer *al, struct flow *f, int64_t sec, uint32_t usec)
{
	al->session_kind = APP_EVENT_KIND_COUNT;
	if (f->app && f->app_state && f->app->finish) {
		struct emit_ctx ec;
		make_ctx(&ec, al, f, &al->protos[f->app_index], sec, usec);
		f->app->finish(f->app_state, &ec.dc);
	}
	if (f->app_state)
		mem_give(al, f->app->state_size ? f->app->state_size : 1);
	free(f->app_state);
	f->app_state = NULL;
	buf_free(al, &f->app_buf[0]);
	buf_free(al, &f->app_buf[1]);
}

void applayer_finish(struct applayer *al, int64_t sec, uint32_t usec)
{
	for (int i = 0; i < al->nprotos; i++) {
		struct applayer_proto *p = &al->protos[i];
		if (p->global && p->d->global_finish && !p->borrowed) {
			struct emit_ctx ec;
			make_ctx(&ec, al, NULL, p, sec, usec);
			p->d->global_finish(p->global, &ec.dc);
		}
	}
}
