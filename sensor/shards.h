/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Worker threads for captures read from files (--workers N, issue 17).
 * The timeouts of each second of capture time run on the reading thread,
 * while the workers wait (shards_pause), over all their flow tables at once
 * (workers_expire): flows end in the order one worker would have ended them.
 *
 * The reading thread decodes each frame and hands it to the worker that
 * owns its address pair (a symmetric hash of the two IP addresses: both
 * directions, and every fragment of a datagram, go to the same worker),
 * through a bounded single-producer single-consumer ring (Concurrency
 * Kit's ck_ring) of batches of up to 32 frames, each a copy (the cache
 * lines both threads write change hands once a batch). Worker 0 is the
 * reading thread itself: N workers are N threads, one per core, and
 * waiting can spin. Its own frames wait in a queue of up to LOCAL_BATCH
 * (shards.c) while it hands out the others'.
 *
 * Every frame carries a sequence number in capture order. A worker does everything that belongs to its own flows at once —
 * flow table, nDPI, reassembly, SECS-II decoding — and waits for its
 * item's turn only when it is about to touch what all workers share (the
 * rules' host state, the inventory, evidence accounting, EVE, the report's
 * aggregates): the turn comes when every item before it is done. So the
 * shared state sees the events in exactly the order one worker would have
 * given them, and the records are the same records, in the same order, as
 * long as no worker's share of the limits (flow table, memcaps) is reached.
 */
#ifndef FABMON_SHARDS_H
#define FABMON_SHARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/capture/decode.h"

struct worker;
struct shards;

/* Start a thread for each of the n workers but the first (n >= 2), which
 * runs on the reading thread; they wait for items. NULL on failure (err
 * says why; the workers are as they were). */
struct shards *shards_start(struct worker *w, unsigned n, char *err, size_t errlen);

/* A decoded frame (status DEC_OK or DEC_FRAGMENT), the seq-th of the
 * capture, to its worker: worker 0's at once, on this thread; another's
 * copied into its ring (waiting for room). false: no memory for the copy,
 * the frame is lost. */
bool shards_packet(struct shards *s, struct packet *p, uint16_t source, int dlt, uint64_t seq);

/* Wait until every worker has done all it was given, and keep them waiting
 * until shards_resume: the calling thread then has the workers and the
 * pipeline to itself (the flows' timeouts each second of capture time, a
 * policy reload, a stats record). */
void shards_pause(struct shards *s);
void shards_resume(struct shards *s);

/* Every worker done, the threads joined and freed; the workers then run
 * on the calling thread, with no turn to wait for. NULL-safe. */
void shards_stop(struct shards *s);


#endif
