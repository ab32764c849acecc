/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the whole per-packet path (decode, flows, nDPI, TCP
 * reassembly, dissector hook) over a sequence of frames. Input: frames
 * separated by the 4-byte marker below (Suricata's fuzz-harness idea); the
 * first byte of each frame picks the link type; each frame is copied to a
 * heap buffer of its exact size. Small limits make eviction, out-of-order
 * bounds and fragment-table overflow reachable.
 */
#include <stdlib.h>
#include <string.h>

#include "sensor/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sep[4] = { 0x01, 0xd5, 0xca, 0x7a };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* nDPI takes tens of milliseconds to initialise: do it once, and end
	 * every flow after each input so inputs stay independent */
	static struct options o;
	static struct pipeline pl;
	static bool init;
	if (!init) {
		options_defaults(&o);
		o.flow.capacity = 32;
		o.tcp_ooo_bytes = 4096;
		o.tcp_ooo_segs = 8;
		o.reasm_memcap = 1 << 16;
		o.frag_max = 4;
		char err[256];
		if (pipeline_init(&pl, &o, NULL, false, err, sizeof(err)) < 0)
			abort();
		init = true;
	}
	int64_t t = 1700000000;
	size_t start = 0;
	while (start < size) {
		size_t end = start;
		while (end + 4 <= size && memcmp(data + end, sep, 4) != 0)
			end++;
		if (end + 4 > size)
			end = size;
		if (end > start) {
			static const int dlts[] = { 1, 113, 276, 12, 0, 108 };
			pipeline_set_source(&pl, 0, dlts[data[start] % 6]);
			size_t n = end - start - 1;
			uint8_t *frame = malloc(n ? n : 1);
			if (frame) {
				memcpy(frame, data + start + 1, n);
				/* time moves by the selector's high bits: timeouts fire */
				t += data[start] >> 5;
				pipeline_packet(&pl, t, 0, (uint32_t)n, (uint32_t)n, frame);
				free(frame);
			}
		}
		start = end + 4;
	}
	pipeline_finish(&pl);
	return 0;
}
