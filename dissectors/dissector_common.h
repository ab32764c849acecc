/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What fabmon's stream dissectors (HSMS, Modbus/TCP) do the same way,
 * written once: anomalies, resynchronising on the next frame header after a
 * gap or an untrusted length, the table of open transactions that grows
 * once, the per-address asset inventory and the small bounded sets its
 * entries keep.
 *
 * All state lives in what the caller passes in: a struct dissect_stream
 * inside the dissector's per-flow state, a struct asset_table inside its
 * global (per-instance) state.
 */
#ifndef FABMON_DISSECTOR_COMMON_H
#define FABMON_DISSECTOR_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissectors/dissector.h"
#include "util/bview.h"
#include "util/netaddr.h"

/* ------------------------------------------------------------ per flow */

#define DISSECT_DETAIL_LEN 200

/* The part of a flow's state every stream dissector keeps. */
struct dissect_stream {
	bool init;                  /* dissect_stream_init done */
	const char *layer;          /* the dissector's name: the anomalies' layer */
	bool midstream;             /* the capture began inside the connection */
	bool resync[2];             /* per direction: looking for the next header */
	bool framed[2];             /* per direction: a frame was taken (not junk) */
	uint64_t resync_skipped[2]; /* bytes skipped by the search under way */
	uint64_t anomalies;         /* anomalies emitted on this flow */
	uint64_t resyncs;           /* searches that had to skip bytes */
	char detail[DISSECT_DETAIL_LEN]; /* text of the anomaly being emitted */
};

/* Picked up mid-stream, either direction may start inside a frame. */
void dissect_stream_init(struct dissect_stream *s, const char *layer, bool midstream);

/* Emit an APP_EVENT_ANOMALY of s->layer; fmt gives its detail text. */
void dissect_anomaly(struct dissect_stream *s, struct dissect_ctx *ctx, int dir, const char *name,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* How a protocol's frames begin: what a resync looks for. */
struct dissect_framing {
	size_t min_header;          /* bytes a plausibility check needs */
	size_t resync_wait;         /* bytes to wait for a confirming next header */
	const char *resync_anomaly; /* e.g. "HSMS_RESYNC" */
	/* the same, when the bytes skipped are the first of a direction of a
	 * connection seen from its start: junk before the first frame */
	const char *junk_anomaly;   /* e.g. "HSMS_JUNK_BEFORE_FIRST_MESSAGE" */
	const char *header_name;    /* "... to the next plausible <name> header" */
	/* A plausible header at the start of `at`? If so, *frame_len is the
	 * bytes of its whole frame. */
	bool (*plausible)(struct bview at, const void *arg, size_t *frame_len);
};

/* The header at hand is not to be trusted: search from the next byte.
 * Returns the bytes to consume (1). */
size_t dissect_resync_begin(struct dissect_stream *s, int dir);

/*
 * One step of a search in direction dir over `rest`, the bytes at hand. A
 * candidate header is taken when it is confirmed: the header after its frame
 * is plausible too, or its frame ends exactly where the data at hand ends.
 * Otherwise wait for more bytes (up to f->resync_wait), then take the first
 * candidate that passes every check on its own. Adds the bytes skipped to
 * r->consumed; returns true while undecided (r->need set: return r), false
 * once the stream is in step again (go on parsing at r->consumed).
 */
bool dissect_resync_step(struct dissect_stream *s, const struct dissect_framing *f, const void *arg,
			 struct dissect_ctx *ctx, int dir, struct bview rest, struct parse_result *r);

/* A frame was taken in direction dir: skips from now on are resyncs. */
static inline void dissect_framed(struct dissect_stream *s, int dir)
{
	s->framed[dir] = true;
}

/*
 * For a probe: a header at an offset >= `from` of data that is plausible
 * and confirmed the way dissect_resync_step confirms one (the header after
 * its frame is plausible too, or its frame ends exactly where the data
 * ends). *at is its offset. PROBE_NEED_MORE while a candidate waits for
 * more bytes or the data is shorter than DISSECT_PROBE_MAX.
 */
enum probe_result dissect_probe_scan(const struct dissect_framing *f, const void *arg,
				     struct bview data, size_t from, size_t *at);

/*
 * A table of open transactions kept in a flow's own state for its first few
 * entries, grown once to a larger one (dissect_alloc) for the flows that
 * need more. The grown table starts with the inline slots, in the same
 * places, so an index stays valid.
 */
struct dissect_grown {
	void *more;                 /* the grown table, NULL until then */
	bool refused;               /* the memory cap refused it: not asked again */
};

/* Grow: all_bytes for the table, its first inline_bytes copied from
 * inline_slots. NULL if grown already or refused (now or before). */
void *dissect_grow(struct dissect_ctx *ctx, struct dissect_grown *g, const void *inline_slots,
		   size_t inline_bytes, size_t all_bytes);

/* Hand the grown table (all_bytes, as grown) back, if any: in finish(). */
void dissect_grown_release(struct dissect_ctx *ctx, struct dissect_grown *g, size_t all_bytes);

/* Microseconds from (s0, u0) to (s1, u1); 0 if not later. */
static inline uint64_t dissect_elapsed_us(int64_t s0, uint32_t u0, int64_t s1, uint32_t u1)
{
	int64_t d = (s1 - s0) * 1000000 + ((int64_t)u1 - (int64_t)u0);
	return d > 0 ? (uint64_t)d : 0;
}

/* ------------------------------------------------------------ inventory */

/*
 * Entries of one type, found by an address they hold (at addr_offset),
 * created zeroed with that address, at most `max`; never moved, so an
 * index stays valid for the life of the table.
 */
struct asset_table {
	uint8_t *entries;
	size_t entry_size, addr_offset;
	size_t n, max;
	uint64_t overflow;          /* entries refused: the table was full */
};

bool asset_table_init(struct asset_table *t, size_t entry_size, size_t addr_offset, size_t max);
void asset_table_free(struct asset_table *t);
/* The entry with address a; with `create`, a new one if there is room
 * (*created tells). NULL if none. */
void *asset_table_find(struct asset_table *t, const struct ip_addr *a, bool create, bool *created);

static inline size_t asset_table_count(const struct asset_table *t)
{
	return t->n;
}

static inline void *asset_table_at(const struct asset_table *t, size_t i)
{
	return i < t->n ? t->entries + i * t->entry_size : NULL;
}

/* The index of an entry of t. */
static inline size_t asset_table_index(const struct asset_table *t, const void *entry)
{
	return (size_t)((const uint8_t *)entry - t->entries) / t->entry_size;
}

/* Bounded sets of an entry (on the path of every message, hence inline):
 * add v unless present or the set is full. */
static inline void set_add_u8(uint8_t *set, uint8_t *n, uint8_t max, uint8_t v)
{
	for (uint8_t i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < max)
		set[(*n)++] = v;
}

static inline void set_add_u16(uint16_t *set, uint8_t *n, uint8_t max, uint16_t v)
{
	for (uint8_t i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < max)
		set[(*n)++] = v;
}

/* Add address a; true if it was there already. A full list sets *overflow. */
bool set_add_addr(struct ip_addr *set, uint8_t *n, uint8_t max, bool *overflow,
		  const struct ip_addr *a);

#endif
