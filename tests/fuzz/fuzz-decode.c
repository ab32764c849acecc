/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the packet decoder and IP fragment reassembly.
 * Input: 1 byte choosing the link type, then the frame. The frame is copied
 * into a heap buffer of exactly its size so ASan sees any over-read.
 */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/capture/decode.h"
#include "sensor/capture/ipfrag.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
			    DLT_NULL,   DLT_LOOP,      228,            229 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ipfrag *fr;
	if (!fr) {
		struct ipfrag_config c = { 8, 30 };
		fr = ipfrag_create(&c);
	}
	if (size < 1)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	size_t n = size - 1;
	uint8_t *frame = malloc(n ? n : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 1, n);
	struct packet p;
	memset(&p, 0, sizeof(p));
	p.data = frame;
	p.caplen = (uint32_t)n;
	/* the top bit of the selector byte says "cut by snaplen" */
	p.wirelen = (uint32_t)n + ((data[0] & 0x80) ? 100 : 0);
	if (decode_packet(&p, dlt) == DEC_FRAGMENT) {
		uint32_t len;
		uint64_t fb;
		const uint8_t *d = ipfrag_add(fr, &p, &len, &fb);
		if (d) {
			struct packet q;
			memset(&q, 0, sizeof(q));
			q.data = d;
			q.caplen = q.wirelen = len;
			decode_ip(&q, d, len);
		}
	}
	/* touch what the decoder points at, so ASan checks the bounds */
	volatile uint8_t sink = 0;
	for (uint32_t i = 0; p.payload && i < p.payload_caplen; i++)
		sink ^= p.payload[i];
	for (uint32_t i = 0; p.l3 && i < p.l3_caplen; i++)
		sink ^= p.l3[i];
	(void)sink;
	free(frame);
	return 0;
}
