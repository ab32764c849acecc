/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One shard of the packet path: the flows a worker owns, with everything
 * kept per flow — flow table, nDPI, IP and TCP reassembly, the dissectors'
 * flow state, the rules' flow state — and the path a decoded packet takes
 * through them:
 *   flow -> nDPI -> TCP reassembly -> dissectors -> events
 * and the flow-end path: reassembly flush -> dissector finish -> flow record.
 *
 * What spans flows (the rules' host state, the inventory, the outputs) is
 * the pipeline's (pipeline.h), one for all workers. With worker threads
 * (shards.h) a worker enters its packet's turn before it touches any of it
 * (worker_enter_shared): the turn comes in capture order, so shared state
 * sees exactly what one worker would have shown it. A worker knows nothing
 * of threads or of the pipeline: both are handed to it (worker_shared,
 * worker_turn).
 */
#ifndef FABMON_WORKER_H
#define FABMON_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "sensor/applayer.h"
#include "sensor/capture/counters.h"
#include "sensor/capture/decode.h"
#include "sensor/capture/ipfrag.h"
#include "sensor/flow/flow.h"
#include "sensor/flow/tcp_reasm.h"
#include "sensor/rules_sink.h"

#include "dissectors/ndpi_classify.h"

struct rules;
struct evidence;
struct summary;
struct eve_sink;
struct options;

/* What all workers share, the pipeline's (pipeline.h). */
struct worker_shared {
	const struct options *opt;
	struct rules *rules;          /* NULL with --no-alerts */
	struct evidence *evidence;    /* NULL: none (yet) */
	struct summary *sum;
	struct eve_sink *eve_sink;
	const uint32_t *classify_gen; /* +1 on each policy reload */
	const struct applayer *dissectors; /* the one whose global state all use; NULL: this one */
};

/* The wait for a packet's turn (shards.h); enter NULL: no threads. */
struct worker_turn {
	void (*enter)(void *ctx);
	void *ctx;
};

struct worker {
	struct worker_shared sh;
	unsigned index;
	struct flow_table *ft;
	struct ndpi_classifier *ndpi; /* NULL once released (worker_release_classifier) */
	struct ndpi_classifier_stats ndpi_final; /* its counters then */
	struct tcp_reasm reasm;
	struct ipfrag *frag;
	struct applayer app;          /* the dissectors; their global state is worker 0's */
	struct hsms_config hsms_cfg;  /* the HSMS dissector's, for this run */
	struct decode_counters dc;    /* what this worker counts (decode counts are the pipeline's) */
	struct rules_sink rules_sink; /* the rules or the learner, as an event sink */
	struct worker_turn turn;      /* with worker threads */
};

/* Worker index of n: a 1/n share of the flow table, nDPI pool, reassembly
 * memcap and fragment table of the options. 0, or -1 (err says why). */
int worker_init(struct worker *w, const struct worker_shared *shared, unsigned index, unsigned n,
		char *err, size_t errlen);
void worker_destroy(struct worker *w);
/* nDPI's detection module and flow pool freed ahead of the rest, its
 * counters kept (pipeline_totals reads them): once the flows have ended. */
void worker_release_classifier(struct worker *w);

/* Where its events go (the rules or learner, the summary, EVE); again
 * when the learner or the turn changes. */
void worker_register_sinks(struct worker *w);

/* The calling thread works for w from here on: pinned to w's CPU of
 * --cpus (if given), and named fabmon-wN (top -H, /proc/PID/task/TID/comm)
 * unless it is the process's main thread, whose name is the process's. */
void worker_thread_begin(const struct worker *w, bool main_thread);

/* Run on a thread of its own (turn.enter set) or not (NULL). */
void worker_set_turn(struct worker *w, struct worker_turn turn);

/* Before touching what all workers share: wait for this packet's turn. */
void worker_enter_shared(struct worker *w);

/* A frame with a decoded transport header (DEC_OK, or a datagram
 * reassembled from fragments: frame_bytes of frames), and a fragment. */
void worker_l4(struct worker *w, const struct packet *p, uint64_t frame_bytes, uint16_t source,
	       int dlt, uint64_t seq);
void worker_fragment(struct worker *w, struct packet *p, uint16_t source, int dlt, uint64_t seq);

/* A decoded frame (status DEC_OK or DEC_FRAGMENT) of input source, link
 * dlt, the seq-th frame of the capture. */
static inline void worker_packet(struct worker *w, struct packet *p, uint16_t source, int dlt,
				 uint64_t seq)
{
	if (p->status == DEC_OK)
		worker_l4(w, p, p->wirelen, source, dlt, seq);
	else if (p->status == DEC_FRAGMENT)
		worker_fragment(w, p, source, dlt, seq);
}

/* The capture clock reached a new second: the n workers end the flows and
 * fragments whose time is up, in the order one worker would have (on the
 * calling thread: with worker threads, while they wait). */
void workers_expire(struct worker *w, unsigned n, int64_t sec, uint32_t usec);

/* End every flow that is still open, likewise. */
void workers_flush(struct worker *w, unsigned n);


#endif
