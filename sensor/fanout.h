/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Worker threads for a live interface (--workers N with -i, issue 17).
 * Each worker reads an AF_PACKET socket of its own; the N sockets form one
 * PACKET_FANOUT_HASH group, so the kernel hands every flow (both
 * directions, every fragment) to one socket, and no thread decodes or
 * copies frames for another. Worker 0 is the calling thread (run.c's
 * capture loop); the others are threads of their own.
 *
 * A live capture has no one order to keep: a worker takes the shared
 * state (the rules' host state, the inventory, evidence accounting, EVE,
 * the report's aggregates) under one lock, for the rest of the frame it is
 * working on, when it first needs it. What touches every worker's tables
 * at once (the timeouts each second, a stats record, a policy reload) runs
 * on the calling thread while the others wait (fanout_pause).
 */
#ifndef FABMON_FANOUT_H
#define FABMON_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/capture/capture.h"
#include "sensor/capture/counters.h"

struct worker;
struct options;
struct fanout;

/* Workers w[0..n-1] (n >= 2) read interface o->iface: first, already open
 * (worker 0's, on the calling thread), and n - 1 sockets opened here, all
 * joined to one fanout group. NULL on failure (err says why; nothing
 * changed: first is still open and worker 0 may read it alone). */
struct fanout *fanout_start(struct worker *w, unsigned n, struct capture *first, uint16_t source,
			    const struct options *o, char *err, size_t errlen);

/* Worker 0's frames: what its socket holds now, on the calling thread.
 * pcap_dispatch's result; -1: a worker's capture failed (fanout_error). */
int fanout_read_own(struct fanout *f);
const char *fanout_error(const struct fanout *f);

/* The calling thread gets every worker and the shared state to itself
 * until fanout_resume (nested pairs: the outermost counts). */
void fanout_pause(struct fanout *f);
void fanout_resume(struct fanout *f);

/* The shared state (outputs) from the calling thread while the workers
 * run: between lock and unlock no worker is in it. */
void fanout_lock(struct fanout *f);
void fanout_unlock(struct fanout *f);

/* The kernel's counters of all the group's sockets, summed. */
void fanout_kernel_stats(struct fanout *f, struct capture_counters *cap);

/* Each worker (worker 0 on the calling thread) reads what its socket still
 * holds (the kernel hands a TPACKET_V3 block over after its block
 * timeout), the threads are joined, the kernel's counters summed into
 * kernel (may be NULL) and the sockets but the first closed; the workers
 * run on the calling thread again, with no lock. NULL-safe. */
void fanout_stop(struct fanout *f, struct capture_counters *kernel);

#endif
