/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the HSMS dissector over a reassembled stream, through
 * the sensor's app-layer glue (buffering, skips, gaps). Input: segments
 * separated by the 4-byte marker (Suricata's harness idea), alternating
 * direction; a segment's first byte: bit 0 = announce a gap before it,
 * bits 1-7 = seconds to advance (so T3 timeouts fire). Each segment is
 * copied to a heap buffer of exactly its size.
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/hsms.h"
#include "sensor/applayer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sep[4] = { 0x01, 0xd5, 0xca, 0x7a };
static const struct dissector *const registry[] = { &dissector_hsms, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct applayer al;
	static bool init;
	if (!init) {
		applayer_init(&al, registry);
		if (applayer_start(&al) < 0)
			abort();
		init = true;
	}
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.key.family = 4;
	f.key.proto = 6;
	f.key.a[0][3] = 1;
	f.key.a[1][3] = 2;
	f.key.port[0] = 40000;
	f.key.port[1] = 5000; /* the default port: the probe is lenient */
	f.flow_id = 1;
	int64_t t = 1000;
	int dir = 0;
	size_t start = 0;
	while (start < size) {
		size_t end = start;
		while (end + 4 <= size && memcmp(data + end, sep, 4) != 0)
			end++;
		if (end + 4 > size)
			end = size;
		if (end > start) {
			uint8_t ctl = data[start];
			t += ctl >> 1;
			if (ctl & 1)
				applayer_gap(&al, &f, dir, 1 + (ctl >> 1), t, 0);
			size_t n = end - start - 1;
			uint8_t *seg = malloc(n ? n : 1);
			if (seg) {
				memcpy(seg, data + start + 1, n);
				applayer_data(&al, &f, dir, seg, n, t, 0);
				free(seg);
			}
		}
		dir ^= 1;
		start = end + 4;
	}
	applayer_end(&al, &f, t, 0);
	return 0;
}
