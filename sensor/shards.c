/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/shards.h"

#include <ck_pr.h>
#include <ck_ring.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/worker.h"
#include "util/hash_mix.h"

/* Items in flight per worker: enough to ride out a worker's wait for its
 * turn, small enough to stay in cache (each slot holds a frame). */
#define RING_SIZE 1024u                 /* a power of two; holds RING_SIZE - 1 */
#define SLOTS (RING_SIZE + 1u)          /* the ring's, and the one being worked on */
#define FRAME_MIN 2048u                 /* a slot's first buffer: an Ethernet frame */
/* The reading thread's own frames wait until this many frames have been
 * read since the first of them: meanwhile the other workers have theirs to
 * work on (and it has theirs to hand out instead of waiting for them). */
#define LOCAL_BATCH 128u

enum item_kind { ITEM_PACKET, ITEM_STOP };

struct item {
	uint64_t seq;                   /* capture order, from 1 */
	enum item_kind kind;
	uint16_t source;
	int dlt;
	uint64_t frame;                 /* the frame's number in the capture */
	struct packet p;                /* ITEM_PACKET: its pointers into buf */
	uint8_t *buf;
	uint32_t cap;
};

struct shard {
	/* written by the worker, read by the others: every item of this worker
	 * with a sequence number below low is done */
	_Alignas(64) _Atomic uint64_t low;
	/* written by the reader: the sequence number of its last item for this
	 * worker */
	_Alignas(64) _Atomic uint64_t sent;
	_Alignas(64) struct ck_ring ring;
	struct ck_ring_buffer ring_buf[RING_SIZE];
	struct item *slots;             /* SLOTS of them; worker 0: LOCAL_BATCH, its queue */
	uint64_t produced;              /* reader's: items handed to this worker */
	unsigned queued;                /* worker 0: frames in its queue */
	uint64_t cur;                   /* worker's: the item it works on */
	bool holding;                   /* worker's: it has cur's turn */
	struct shards *all;
	struct worker *w;
	pthread_t thread;
	bool started;
};

struct shards {
	/* the reading thread has the workers (shards_pause); read by a worker
	 * only in its turn, set while none is in one: relaxed will do */
	_Atomic bool paused;
	unsigned n;
	uint64_t seq;                   /* the last sequence number given */
	struct shard *sh;               /* n of them */
};

/* Spin (a thread for each core: the wait is short, and the other thread is
 * running), then let other threads run (more workers than cores). */
static void backoff(unsigned *spins)
{
	if (++*spins < 2048)
		ck_pr_stall();
	else
		sched_yield();
}

/* A worker thread waits for the turn of the item it is working on (at once
 * when it already has it). */
static void shard_enter(void *ctx)
{
	struct shard *sh = ctx;
	if (atomic_load_explicit(&sh->all->paused, memory_order_relaxed))
		return; /* called on the reading thread while the workers wait */
	if (sh->holding)
		return;
	struct shards *s = sh->all;
	for (unsigned i = 0; i < s->n; i++) {
		struct shard *o = &s->sh[i];
		if (o == sh)
			continue;
		/* every item of o before ours was sent before ours: sent covers them */
		uint64_t sent = atomic_load_explicit(&o->sent, memory_order_acquire);
		unsigned spins = 0;
		for (;;) {
			uint64_t low = atomic_load_explicit(&o->low, memory_order_acquire);
			if (low > sh->cur || low > sent)
				break;
			backoff(&spins);
		}
	}
	sh->holding = true;
}

static void *worker_main(void *arg)
{
	struct shard *sh = arg;
	struct worker *w = sh->w;
	for (;;) {
		struct item *it;
		unsigned spins = 0;
		while (!ck_ring_dequeue_spsc(&sh->ring, sh->ring_buf, &it))
			backoff(&spins);
		sh->cur = it->seq;
		sh->holding = false;
		/* what came before it for this worker is done */
		atomic_store_explicit(&sh->low, it->seq, memory_order_release);
		if (it->kind == ITEM_STOP) {
			atomic_store_explicit(&sh->low, it->seq + 1, memory_order_release);
			break;
		}
		worker_packet(w, &it->p, it->source, it->dlt, it->frame);
		atomic_store_explicit(&sh->low, it->seq + 1, memory_order_release);
	}
	return NULL;
}

/* The next free slot of sh (the ring may be full: its slot is still free). */
static struct item *next_slot(struct shard *sh)
{
	return &sh->slots[sh->produced % SLOTS];
}

static void run_queue(struct shards *s);

/* Hand an item to a worker thread. */
static void put(struct shards *s, struct shard *sh, struct item *it)
{
	it->seq = ++s->seq;
	struct shard *reader = &s->sh[0];
	if (!reader->queued) /* the reading thread has nothing of its own left before it */
		atomic_store_explicit(&reader->low, it->seq + 1, memory_order_release);
	atomic_store_explicit(&sh->sent, it->seq, memory_order_release);
	unsigned spins = 0;
	while (!ck_ring_enqueue_spsc(&sh->ring, sh->ring_buf, it)) {
		/* the worker may be waiting for the turn of one of ours */
		if (reader->queued)
			run_queue(s);
		backoff(&spins);
	}
	sh->produced++;
}

/* Worker 0's frames, in order, on the reading thread. */
static void run_queue(struct shards *s)
{
	struct shard *sh = &s->sh[0];
	for (unsigned i = 0; i < sh->queued; i++) {
		struct item *it = &sh->slots[i];
		sh->cur = it->seq;
		sh->holding = false;
		atomic_store_explicit(&sh->low, it->seq, memory_order_release);
		worker_packet(sh->w, &it->p, it->source, it->dlt, it->frame);
	}
	sh->queued = 0;
	atomic_store_explicit(&sh->low, s->seq + 1, memory_order_release);
}

static uint64_t addr_hash(const struct ip_addr *a)
{
	uint64_t h[2];
	memcpy(h, a->a, sizeof(h));
	return hash_mix64(h[0] ^ hash_mix64(h[1]));
}

/* The worker of an address pair, the same for both directions. */
static unsigned shard_of(const struct shards *s, const struct packet *p)
{
	return (unsigned)(hash_mix64(addr_hash(&p->src) + addr_hash(&p->dst)) % s->n);
}

static const uint8_t *rebase(const uint8_t *ptr, const uint8_t *from, const uint8_t *to)
{
	return ptr ? to + (ptr - from) : NULL;
}

/* A copy of frame p in item it. */
static bool fill(struct item *it, const struct packet *p, uint16_t source, int dlt, uint64_t frame)
{
	if (it->cap < p->caplen) {
		uint32_t cap = p->caplen > FRAME_MIN ? p->caplen : FRAME_MIN;
		uint8_t *b = realloc(it->buf, cap);
		if (!b)
			return false;
		it->buf = b;
		it->cap = cap;
	}
	memcpy(it->buf, p->data, p->caplen);
	it->kind = ITEM_PACKET;
	it->source = source;
	it->dlt = dlt;
	it->frame = frame;
	it->p = *p;
	const uint8_t *from = p->data;
	it->p.data = it->buf;
	it->p.mac_src = rebase(p->mac_src, from, it->buf);
	it->p.mac_dst = rebase(p->mac_dst, from, it->buf);
	it->p.l3 = rebase(p->l3, from, it->buf);
	it->p.l4 = rebase(p->l4, from, it->buf);
	it->p.payload = rebase(p->payload, from, it->buf);
	return true;
}

bool shards_packet(struct shards *s, struct packet *p, uint16_t source, int dlt, uint64_t seq)
{
	struct shard *reader = &s->sh[0];
	unsigned k = shard_of(s, p);
	bool ok;
	if (k == 0) {
		struct item *it = &reader->slots[reader->queued];
		ok = fill(it, p, source, dlt, seq);
		if (ok) {
			it->seq = ++s->seq; /* low stays at the first queued one's */
			reader->queued++;
		}
	} else {
		struct shard *sh = &s->sh[k];
		struct item *it = next_slot(sh);
		ok = fill(it, p, source, dlt, seq);
		if (ok)
			put(s, sh, it);
	}
	if (reader->queued &&
	    (reader->queued == LOCAL_BATCH || s->seq - reader->slots[0].seq >= LOCAL_BATCH))
		run_queue(s);
	return ok;
}

void shards_pause(struct shards *s)
{
	run_queue(s);
	for (unsigned i = 1; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		uint64_t sent = atomic_load_explicit(&sh->sent, memory_order_acquire);
		unsigned spins = 0;
		while (atomic_load_explicit(&sh->low, memory_order_acquire) <= sent)
			backoff(&spins);
	}
	atomic_store_explicit(&s->paused, true, memory_order_relaxed);
}

void shards_resume(struct shards *s)
{
	atomic_store_explicit(&s->paused, false, memory_order_relaxed); /* before any next item */
}

static void free_shards(struct shards *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		if (sh->slots)
			for (unsigned k = 0; k < (i ? SLOTS : LOCAL_BATCH); k++)
				free(sh->slots[k].buf);
		free(sh->slots);
		if (sh->w)
			worker_set_turn(sh->w, (struct worker_turn){ NULL, NULL });
	}
	free(s->sh);
	free(s);
}

void shards_stop(struct shards *s)
{
	if (!s)
		return;
	run_queue(s);
	for (unsigned i = 1; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		if (!sh->started)
			continue;
		struct item *it = next_slot(sh);
		it->kind = ITEM_STOP;
		put(s, sh, it);
	}
	for (unsigned i = 1; i < s->n; i++)
		if (s->sh[i].started)
			pthread_join(s->sh[i].thread, NULL);
	free_shards(s);
}

struct shards *shards_start(struct worker *w, unsigned n, char *err, size_t errlen)
{
	struct shards *s = calloc(1, sizeof(*s));
	if (!s || !(s->sh = aligned_alloc(64, sizeof(struct shard) * n))) {
		free(s);
		snprintf(err, errlen, "out of memory for %u workers", n);
		return NULL;
	}
	memset(s->sh, 0, sizeof(struct shard) * n);
	atomic_init(&s->paused, false);
	s->n = n;
	for (unsigned i = 0; i < n; i++) {
		struct shard *sh = &s->sh[i];
		sh->all = s;
		sh->w = &w[i];
		atomic_init(&sh->low, 1);
		/* the reading thread's own frames wait in its queue: only low says
		 * which are done */
		atomic_init(&sh->sent, i ? 0 : UINT64_MAX);
		if (i > 0)
			ck_ring_init(&sh->ring, RING_SIZE); /* the reading thread's: none */
		sh->slots = calloc(i ? SLOTS : LOCAL_BATCH, sizeof(*sh->slots));
		if (!sh->slots) {
			snprintf(err, errlen, "out of memory for %u workers", n);
			free_shards(s);
			return NULL;
		}
	}
	for (unsigned i = 0; i < n; i++)
		worker_set_turn(&w[i], (struct worker_turn){ shard_enter, &s->sh[i] });
	for (unsigned i = 1; i < n; i++) {
		struct shard *sh = &s->sh[i];
		int rc = pthread_create(&sh->thread, NULL, worker_main, sh);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start worker thread %u: %s", i, strerror(rc));
			shards_stop(s);
			return NULL;
		}
		sh->started = true;
	}
	return s;
}
