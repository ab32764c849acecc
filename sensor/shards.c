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
#include <time.h>
#include <unistd.h>

#include "sensor/worker.h"
#include "util/hash_mix.h"

/* Frames go to a worker in batches: the cache lines the two threads share
 * (the ring's indices, the turn counters) then change hands once a batch,
 * not once a frame; on two cores handing frames over one by one cost more
 * than the work it shared out. */
#define BATCH 32u
/* Batches in a worker's ring: a power of two; it holds RING_SIZE - 1, 224
 * frames, beyond the reading thread's window of LOCAL_BATCH. Each slot's
 * frames keep their buffers: with 32 batches the idle slots were 1.7 MiB
 * of RSS with two workers, 5 MiB with four, for no speed (fab, 5 paired
 * runs: 0.53-0.56 s with 8, 0.55-0.58 s with 32). */
#define RING_SIZE 8u
#define POOL (RING_SIZE + 1u)           /* the ring's, and the one being filled */
#define FRAME_MIN 2048u                 /* a slot's first buffer: an Ethernet frame */
/* The reading thread's own frames wait until this many frames have been
 * read since the first of them: meanwhile the other workers have theirs to
 * work on (and it has theirs to hand out instead of waiting for them). */
#define LOCAL_BATCH 128u

struct item {
	uint64_t seq;                   /* capture order, from 1 */
	uint16_t source;
	int dlt;
	uint64_t frame;                 /* the frame's number in the capture */
	struct packet p;                /* its pointers into buf */
	uint8_t *buf;
	uint32_t cap;
};

struct batch {
	unsigned n;                     /* items; 0 in a full ring: stop */
	struct item it[BATCH];
};

struct shard {
	/* written by the worker, read by the others: every item of this worker
	 * with a sequence number below low is done */
	_Alignas(64) _Atomic uint64_t low;
	/* written by the reader: the sequence number of its last item for this
	 * worker (handed over or still in the batch being filled) */
	_Alignas(64) _Atomic uint64_t sent;
	_Alignas(64) struct ck_ring ring;
	struct ck_ring_buffer ring_buf[RING_SIZE];
	struct batch *pool;             /* POOL of them (not worker 0's) */
	struct item *queue;             /* worker 0's: LOCAL_BATCH frames of its own */
	unsigned queued;                /* worker 0's: frames in its queue */
	uint64_t produced;              /* reader's: batches handed to this worker */
	struct batch *filling;          /* reader's: pool[produced % POOL] */
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
	_Alignas(64) _Atomic bool paused;
	unsigned n;
	unsigned spin_max;              /* spins before a waiting thread yields */
	struct shard *sh;               /* n of them */
	_Alignas(64) uint64_t seq;      /* reader's: the last sequence number given */
};

/* Spin (a thread for each core: the wait is short, and the other thread is
 * running), then let other threads run. With more workers than cores,
 * spinning keeps the thread waited for from running: let the others run
 * at once, and after a while sleep (4 workers on 2 cores, fab capture:
 * 3.9 s when each wait spun first, 1.05 s now). */
static void backoff(const struct shards *s, unsigned *spins)
{
	unsigned n = ++*spins;
	if (n < s->spin_max) {
		ck_pr_stall();
	} else if (n < s->spin_max + 64) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
}

static void flush_all(struct shards *s);

/* A worker waits for the turn of the item it is working on (at once when
 * it already has it). */
static void shard_enter(void *ctx)
{
	struct shard *sh = ctx;
	if (atomic_load_explicit(&sh->all->paused, memory_order_relaxed))
		return; /* called on the reading thread while the workers wait */
	if (sh->holding)
		return;
	struct shards *s = sh->all;
	bool reader = sh == &s->sh[0];
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
			if (reader)
				flush_all(s); /* o may wait for items still in a batch */
			backoff(s, &spins);
		}
	}
	sh->holding = true;
}

static void *worker_main(void *arg)
{
	struct shard *sh = arg;
	struct worker *w = sh->w;
	worker_thread_begin(w, false);
	for (;;) {
		struct batch *b;
		unsigned spins = 0;
		while (!ck_ring_dequeue_spsc(&sh->ring, sh->ring_buf, &b))
			backoff(sh->all, &spins);
		if (b->n == 0)
			break;
		for (unsigned i = 0; i < b->n; i++) {
			struct item *it = &b->it[i];
			sh->cur = it->seq;
			sh->holding = false;
			/* what came before it for this worker is done */
			atomic_store_explicit(&sh->low, it->seq, memory_order_release);
			worker_packet(w, &it->p, it->source, it->dlt, it->frame);
		}
		atomic_store_explicit(&sh->low, b->it[b->n - 1].seq + 1, memory_order_release);
	}
	atomic_store_explicit(&sh->low, UINT64_MAX, memory_order_release);
	return NULL;
}

static void run_queue(struct shards *s);

/* Hand sh's batch to its worker when the ring has room; wait = until it
 * has. false: not handed (no room, wait false). */
static bool hand_over(struct shards *s, struct shard *sh, bool wait)
{
	unsigned spins = 0;
	struct batch *b = sh->filling;
	while (!ck_ring_enqueue_spsc(&sh->ring, sh->ring_buf, b)) {
		if (!wait)
			return false;
		/* the worker may be waiting for the turn of one of ours */
		if (s->sh[0].queued)
			run_queue(s);
		flush_all(s);
		if (sh->filling != b)
			return true; /* flush_all handed it over */
		backoff(s, &spins);
	}
	sh->produced++;
	sh->filling = &sh->pool[sh->produced % POOL];
	sh->filling->n = 0;
	return true;
}

/* Every worker's frames still in a batch handed over, where its ring has room. */
static void flush_all(struct shards *s)
{
	for (unsigned i = 1; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		if (sh->filling->n)
			hand_over(s, sh, false);
	}
}

/* Worker 0's frames, in order, on the reading thread. */
static void run_queue(struct shards *s)
{
	struct shard *sh = &s->sh[0];
	for (unsigned i = 0; i < sh->queued; i++) {
		struct item *it = &sh->queue[i];
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
	struct shard *sh = &s->sh[shard_of(s, p)];
	struct batch *b = sh->filling;
	struct item *it = sh == reader ? &reader->queue[reader->queued] : &b->it[b->n];
	if (!fill(it, p, source, dlt, seq))
		return false;
	it->seq = ++s->seq;
	if (sh == reader) {
		reader->queued++; /* low stays at the first queued one's */
	} else {
		b->n++;
		if (!reader->queued) /* the reading thread has nothing of its own left before it */
			atomic_store_explicit(&reader->low, it->seq + 1, memory_order_release);
		atomic_store_explicit(&sh->sent, it->seq, memory_order_release);
		if (b->n == BATCH)
			hand_over(s, sh, true);
	}
	if (reader->queued &&
	    (reader->queued == LOCAL_BATCH || s->seq - reader->queue[0].seq >= LOCAL_BATCH)) {
		flush_all(s); /* the others' frames before ours, while we work */
		run_queue(s);
	}
	return true;
}

void shards_pause(struct shards *s)
{
	run_queue(s);
	for (unsigned i = 1; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		if (sh->filling->n)
			hand_over(s, sh, true);
	}
	for (unsigned i = 1; i < s->n; i++) {
		struct shard *sh = &s->sh[i];
		uint64_t sent = atomic_load_explicit(&sh->sent, memory_order_acquire);
		unsigned spins = 0;
		while (atomic_load_explicit(&sh->low, memory_order_acquire) <= sent)
			backoff(s, &spins);
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
		if (sh->pool)
			for (unsigned k = 0; k < POOL; k++)
				for (unsigned j = 0; j < BATCH; j++)
					free(sh->pool[k].it[j].buf);
		if (sh->queue)
			for (unsigned j = 0; j < LOCAL_BATCH; j++)
				free(sh->queue[j].buf);
		free(sh->pool);
		free(sh->queue);
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
		if (sh->filling->n)
			hand_over(s, sh, true);
		hand_over(s, sh, true); /* an empty batch: stop */
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
	/* one thread per core at most: waiting threads may spin */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	s->spin_max = cpus >= (long)n ? 2048 : 16;
	for (unsigned i = 0; i < n; i++) {
		struct shard *sh = &s->sh[i];
		sh->all = s;
		sh->w = &w[i];
		atomic_init(&sh->low, 1);
		/* the reading thread's own frames wait in its queue: only low says
		 * which are done */
		atomic_init(&sh->sent, i ? 0 : UINT64_MAX);
		if (i > 0) { /* the reading thread's: a queue, no ring */
			ck_ring_init(&sh->ring, RING_SIZE);
			sh->pool = calloc(POOL, sizeof(*sh->pool));
			sh->filling = sh->pool;
		} else {
			sh->queue = calloc(LOCAL_BATCH, sizeof(*sh->queue));
		}
		if (i ? !sh->pool : !sh->queue) {
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
