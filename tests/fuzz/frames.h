/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The frame sequence of the whole-pipeline targets (fuzz-pipeline,
 * fuzz-eve-output): frames separated by a 4-byte marker (Suricata's
 * fuzz-harness idea); the first byte of each frame picks the link type and,
 * by its high bits, how far time moves; each frame is copied to a heap
 * buffer of its exact size so that a read past it is caught.
 */
#ifndef FABMON_FUZZ_FRAMES_H
#define FABMON_FUZZ_FRAMES_H

#include <stdlib.h>
#include <string.h>

#include "sensor/pipeline.h"

/* The defaults with small limits, so that flow eviction, out-of-order
 * bounds and fragment-table overflow are reachable from a small input. */
static inline void fuzz_small_options(struct options *o)
{
	options_defaults(o);
	o->flow.capacity = 32;
	o->tcp_ooo_bytes = 4096;
	o->tcp_ooo_segs = 8;
	o->reasm_memcap = 1 << 16;
	o->frag_max = 4;
}

/* How many inputs a whole-pipeline target runs through one pipeline before
 * it starts a fresh one (a set-up costs about ten eve-output inputs: 4% of
 * its time at this rate, perf). */
#define FUZZ_FRESH_EVERY 256

static const uint8_t fuzz_frame_sep[4] = { 0x01, 0xd5, 0xca, 0x7a };

/* Feed data's frames to pl; returns the capture time reached. */
static inline int64_t fuzz_frames(struct pipeline *pl, const uint8_t *data, size_t size)
{
	int64_t t = 1700000000;
	size_t start = 0;
	while (start < size) {
		const uint8_t *m = memmem(data + start, size - start, fuzz_frame_sep, 4);
		size_t end = m ? (size_t)(m - data) : size;
		if (end > start) {
			static const int dlts[] = { 1, 113, 276, 12, 0, 108 };
			pipeline_set_source(pl, 0, dlts[data[start] % 6]);
			size_t n = end - start - 1;
			uint8_t *frame = malloc(n ? n : 1);
			if (frame) {
				memcpy(frame, data + start + 1, n);
				/* time moves by the selector's high bits: timeouts fire */
				t += data[start] >> 5;
				pipeline_packet(pl, t, 0, (uint32_t)n, (uint32_t)n, frame);
				free(frame);
			}
		}
		start = end + 4;
	}
	return t;
}

#endif
