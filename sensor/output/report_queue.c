/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/output/report_queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* At most CHUNKS * CHUNK_BYTES (2 MiB) of calls wait for the report thread.
 * A chunk is allocated only when none is free, and the one given back last
 * is filled first: a report thread that keeps up keeps two or three chunks
 * in use, and only those are ever touched (peak RSS). */
#define CHUNK_BYTES ((size_t)64 * 1024)
#define CHUNKS 32

/* Calls, one after the other: op, then its values (numbers as 8 bytes,
 * strings as a 4-byte length, the bytes and a NUL; NO_STR: NULL). */
enum op { OP_RECORD = 1, OP_FLOW, OP_FLOW_MODBUS, OP_FLOW_MODBUS_ACCESS, OP_FLOW_HSMS, OP_HSMS,
	  OP_MODBUS_REQUEST };
#define NO_STR UINT32_MAX

struct chunk {
	size_t len, cap;
	bool own;                     /* one call larger than a chunk: freed once made */
	uint8_t *data;
};

struct report_queue {
	struct rep *r;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t have_full, have_free;
	struct chunk *full[CHUNKS + 1]; /* handed over, oldest first (a ring) */
	unsigned full_head, nfull;
	struct chunk *free[CHUNKS];
	unsigned nfree;
	bool done;
	struct chunk *cur;            /* being filled (the feeding thread's) */
	struct chunk pool[CHUNKS];
	unsigned nalloc;              /* pool[0..nalloc) have their data */
	/* the call being written (the feeding thread's) */
	uint8_t *w;
	size_t wlen, wcap;
	bool woom;
};

/* ---- writing a call ---- */

static void put(struct report_queue *q, const void *p, size_t n)
{
	if (q->woom)
		return;
	if (q->wlen + n > q->wcap) {
		size_t cap = q->wcap ? q->wcap : 4096;
		while (cap < q->wlen + n)
			cap *= 2;
		uint8_t *nw = realloc(q->w, cap);
		if (!nw) {
			q->woom = true;
			return;
		}
		q->w = nw;
		q->wcap = cap;
	}
	memcpy(q->w + q->wlen, p, n);
	q->wlen += n;
}

static void put_u64(struct report_queue *q, uint64_t v)
{
	put(q, &v, sizeof(v));
}

static void put_bytes(struct report_queue *q, const char *s, size_t n)
{
	uint32_t len = s ? (uint32_t)n : NO_STR;
	put(q, &len, sizeof(len));
	if (s) {
		put(q, s, n);
		put(q, "", 1);
	}
}

static void put_str(struct report_queue *q, const char *s)
{
	put_bytes(q, s, s ? strlen(s) : 0);
}

static void begin(struct report_queue *q, enum op op)
{
	uint8_t o = (uint8_t)op;
	q->wlen = 0;
	q->woom = false;
	put(q, &o, 1);
}

/* ---- reading a call ---- */

struct cursor {
	const uint8_t *p, *end;
};

static uint64_t get_u64(struct cursor *c)
{
	uint64_t v;
	memcpy(&v, c->p, sizeof(v));
	c->p += sizeof(v);
	return v;
}

static const char *get_bytes(struct cursor *c, size_t *n)
{
	uint32_t len;
	memcpy(&len, c->p, sizeof(len));
	c->p += sizeof(len);
	if (len == NO_STR) {
		*n = 0;
		return NULL;
	}
	const char *s = (const char *)c->p;
	c->p += (size_t)len + 1;
	*n = len;
	return s;
}

static const char *get_str(struct cursor *c)
{
	size_t n;
	return get_bytes(c, &n);
}

/* Make the call at c (its size: what the op reads). */
static void make_call(struct rep *r, struct cursor *c)
{
	enum op op = (enum op)*c->p++;
	switch (op) {
	case OP_RECORD: {
		const char *et = get_str(c), *host = get_str(c);
		size_t n;
		const char *line = get_bytes(c, &n);
		uint64_t len = get_u64(c);
		report_feed_record(r, et, host, line, line ? n : (size_t)len);
		break;
	}
	case OP_FLOW: {
		struct report_flow f;
		f.start = get_str(c);
		f.end = get_str(c);
		f.src_ip = get_str(c);
		f.dest_ip = get_str(c);
		f.app_proto = get_str(c);
		f.verdict = get_str(c);
		f.src_zone = get_str(c);
		f.dest_zone = get_str(c);
		f.conduit = get_str(c);
		f.violated_conduit = get_str(c);
		f.bytes = get_u64(c);
		f.has_port = get_u64(c) != 0;
		f.dest_port = (uint32_t)get_u64(c);
		f.has_policy = get_u64(c) != 0;
		f.alerts = get_u64(c);
		report_feed_flow(r, &f);
		break;
	}
	case OP_FLOW_MODBUS: {
		const char *cl = get_str(c), *sv = get_str(c);
		uint64_t req = get_u64(c), exc = get_u64(c);
		report_feed_flow_modbus(r, cl, sv, req, exc);
		break;
	}
	case OP_FLOW_MODBUS_ACCESS: {
		const char *cl = get_str(c), *sv = get_str(c), *acc = get_str(c);
		report_feed_flow_modbus_access(r, cl, sv, acc, get_u64(c));
		break;
	}
	case OP_FLOW_HSMS: {
		const char *src = get_str(c), *dst = get_str(c), *what = get_str(c);
		uint64_t n = get_u64(c);
		const char *start = get_str(c), *end = get_str(c);
		report_feed_flow_hsms(r, src, dst, what, n, start, end);
		break;
	}
	case OP_HSMS: {
		const char *src = get_str(c), *dst = get_str(c), *what = get_str(c), *ts = get_str(c);
		report_feed_hsms(r, src, dst, what, ts);
		break;
	}
	case OP_MODBUS_REQUEST: {
		const char *cl = get_str(c), *sv = get_str(c), *fn = get_str(c);
		report_feed_modbus_request(r, cl, sv, fn);
		break;
	}
	}
}

static void make_calls(struct rep *r, const struct chunk *k)
{
	struct cursor c = { k->data, k->data + k->len };
	while (c.p < c.end) {
		uint32_t size;
		memcpy(&size, c.p, sizeof(size));
		struct cursor one = { c.p + sizeof(size), c.p + sizeof(size) + size };
		make_call(r, &one);
		c.p = one.end;
	}
}

/* ---- the two threads ---- */

static void *report_thread(void *arg)
{
	struct report_queue *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->nfull && !q->done)
			pthread_cond_wait(&q->have_full, &q->mu);
		if (!q->nfull)
			break;
		struct chunk *k = q->full[q->full_head];
		q->full_head = (q->full_head + 1) % (CHUNKS + 1);
		q->nfull--;
		pthread_mutex_unlock(&q->mu);
		make_calls(q->r, k);
		pthread_mutex_lock(&q->mu);
		if (k->own) {
			free(k->data);
			free(k);
		} else {
			k->len = 0;
			q->free[q->nfree++] = k;
		}
		pthread_cond_signal(&q->have_free); /* a chunk, or room in full */
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Hand k to the report thread (waiting for room: chunks of one large call
 * each can be more than the pool's). */
static void hand_over(struct report_queue *q, struct chunk *k)
{
	pthread_mutex_lock(&q->mu);
	while (q->nfull == CHUNKS + 1)
		pthread_cond_wait(&q->have_free, &q->mu);
	q->full[(q->full_head + q->nfull) % (CHUNKS + 1)] = k;
	q->nfull++;
	pthread_cond_signal(&q->have_full);
	pthread_mutex_unlock(&q->mu);
}

/* A chunk to fill: one the report thread gave back, a new one while the
 * pool has room, or else the next one given back. */
static struct chunk *take_free(struct report_queue *q)
{
	pthread_mutex_lock(&q->mu);
	if (!q->nfree && q->nalloc < CHUNKS) {
		struct chunk *k = &q->pool[q->nalloc];
		if ((k->data = malloc(CHUNK_BYTES)) != NULL) {
			k->cap = CHUNK_BYTES;
			q->nalloc++;
			pthread_mutex_unlock(&q->mu);
			return k;
		}
	}
	while (!q->nfree)
		pthread_cond_wait(&q->have_free, &q->mu);
	struct chunk *k = q->free[--q->nfree];
	pthread_mutex_unlock(&q->mu);
	return k;
}

/* The call written (size, then the call) into the chunk being filled, or
 * made here without a thread. */
static void end(struct report_queue *q)
{
	if (q->woom) {
		log_error("audit report: out of memory while queueing a record; the report "
			  "leaves it out");
		return;
	}
	if (!q->threaded) {
		struct cursor c = { q->w, q->w + q->wlen };
		make_call(q->r, &c);
		return;
	}
	uint32_t size = (uint32_t)q->wlen;
	size_t need = sizeof(size) + q->wlen;
	if (need > CHUNK_BYTES) {
		/* larger than a chunk: a chunk of its own (the order kept) */
		struct chunk *big = calloc(1, sizeof(*big));
		uint8_t *data = big ? malloc(need) : NULL;
		if (!data) {
			free(big);
			log_error("audit report: out of memory for a record of %zu bytes; the "
				  "report leaves it out", q->wlen);
			return;
		}
		if (q->cur->len) {
			hand_over(q, q->cur);
			q->cur = take_free(q);
		}
		memcpy(data, &size, sizeof(size));
		memcpy(data + sizeof(size), q->w, q->wlen);
		*big = (struct chunk){ need, need, true, data };
		hand_over(q, big);
		return;
	}
	if (q->cur->len + need > q->cur->cap) {
		hand_over(q, q->cur);
		q->cur = take_free(q);
	}
	memcpy(q->cur->data + q->cur->len, &size, sizeof(size));
	memcpy(q->cur->data + q->cur->len + sizeof(size), q->w, q->wlen);
	q->cur->len += need;
}

struct report_queue *report_queue_start(struct rep *r)
{
	if (!r)
		return NULL;
	struct report_queue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->r = r;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->have_full, NULL);
	pthread_cond_init(&q->have_free, NULL);
	struct chunk *k = &q->pool[0];
	k->cap = CHUNK_BYTES;
	bool ok = (k->data = malloc(CHUNK_BYTES)) != NULL;
	q->nalloc = ok;
	q->cur = k;
	q->threaded = ok && pthread_create(&q->thread, NULL, report_thread, q) == 0;
	if (!q->threaded)
		log_debug("audit report: fed on the packet path (no thread)");
	return q;
}

struct rep *report_queue_finish(struct report_queue *q)
{
	if (!q)
		return NULL;
	if (q->threaded) {
		if (q->cur->len)
			hand_over(q, q->cur);
		pthread_mutex_lock(&q->mu);
		q->done = true;
		pthread_cond_signal(&q->have_full);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
	}
	struct rep *r = q->r;
	for (unsigned i = 0; i < q->nalloc; i++)
		free(q->pool[i].data);
	free(q->w);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->have_full);
	pthread_cond_destroy(&q->have_free);
	free(q);
	return r;
}

/* ---- the calls ---- */

void report_queue_record(struct report_queue *q, const char *event_type, const char *host,
			 const char *line, size_t len)
{
	begin(q, OP_RECORD);
	put_str(q, event_type);
	put_str(q, host);
	/* the kinds the report takes by their values need only the length */
	put_bytes(q, report_feed_wants_text(event_type) ? line : NULL, len);
	put_u64(q, len);
	end(q);
}

void report_queue_flow(struct report_queue *q, const struct report_flow *f)
{
	begin(q, OP_FLOW);
	put_str(q, f->start);
	put_str(q, f->end);
	put_str(q, f->src_ip);
	put_str(q, f->dest_ip);
	put_str(q, f->app_proto);
	put_str(q, f->verdict);
	put_str(q, f->src_zone);
	put_str(q, f->dest_zone);
	put_str(q, f->conduit);
	put_str(q, f->violated_conduit);
	put_u64(q, f->bytes);
	put_u64(q, f->has_port);
	put_u64(q, f->dest_port);
	put_u64(q, f->has_policy);
	put_u64(q, f->alerts);
	end(q);
}

void report_queue_flow_modbus(struct report_queue *q, const char *client, const char *server,
			      uint64_t requests, uint64_t exceptions)
{
	begin(q, OP_FLOW_MODBUS);
	put_str(q, client);
	put_str(q, server);
	put_u64(q, requests);
	put_u64(q, exceptions);
	end(q);
}

void report_queue_flow_modbus_access(struct report_queue *q, const char *client,
				     const char *server, const char *access, uint64_t requests)
{
	begin(q, OP_FLOW_MODBUS_ACCESS);
	put_str(q, client);
	put_str(q, server);
	put_str(q, access);
	put_u64(q, requests);
	end(q);
}

void report_queue_flow_hsms(struct report_queue *q, const char *src, const char *dst,
			    const char *what, uint64_t n, const char *start, const char *end_ts)
{
	begin(q, OP_FLOW_HSMS);
	put_str(q, src);
	put_str(q, dst);
	put_str(q, what);
	put_u64(q, n);
	put_str(q, start);
	put_str(q, end_ts);
	end(q);
}

void report_queue_hsms(struct report_queue *q, const char *src, const char *dst, const char *what,
		       const char *ts)
{
	begin(q, OP_HSMS);
	put_str(q, src);
	put_str(q, dst);
	put_str(q, what);
	put_str(q, ts);
	end(q);
}

void report_queue_modbus_request(struct report_queue *q, const char *client, const char *server,
				 const char *function)
{
	begin(q, OP_MODBUS_REQUEST);
	put_str(q, client);
	put_str(q, server);
	put_str(q, function);
	end(q);
}
