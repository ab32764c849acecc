/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the Modbus/TCP dissector over a reassembled stream
 * (through the app-layer glue), and the PDU decoder directly. Input:
 * segments separated by the 4-byte marker, alternating direction; a
 * segment's first byte: bit 0 = a gap before it, bit 1 = decode the segment
 * also as one bare PDU (request if bit 2), bits 3-7 = seconds to advance.
 * Each segment is copied to a heap buffer of exactly its size.
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/modbus.h"
#include "sensor/applayer.h"
#include "sensor/output/eve_modbus.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sep[4] = { 0x01, 0xd5, 0xca, 0x7a };
static const struct dissector *const registry[] = { &dissector_modbus, NULL };

/* Every transaction is written as its record's modbus object would be
 * (Suricata's part is computed from the ADU: its reads must stay inside). */
static void observe(void *ctx, struct flow *f, const struct app_event *ev, int64_t sec,
		    uint32_t usec)
{
	(void)sec;
	(void)usec;
	struct jbuf *b = ctx;
	(void)f;
	if (ev->kind != APP_EVENT_MODBUS_TX)
		return;
	const struct modbus_tx *tx = ev->body;
	jb_reset(b);
	jb_obj_open(b, NULL);
	if (tx->request)
		eve_modbus_message(b, "request", tx->request);
	if (tx->response)
		eve_modbus_message(b, "response", tx->response);
	jb_obj_close(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct applayer al;
	static struct jbuf jb;
	static bool init;
	if (!init) {
		applayer_init(&al, registry);
		if (applayer_start(&al) < 0 || !jb_init(&jb, 4096))
			abort();
		event_sinks_add(&al.sinks, (struct event_sink){ .ctx = &jb, .app_event = observe });
		init = true;
	}
	struct flow f;
	memset(&f, 0, sizeof(f));
	f.key.family = 4;
	f.key.proto = 6;
	f.key.a[0][3] = 1;
	f.key.a[1][3] = 2;
	f.key.port[0] = 40000;
	f.key.port[1] = 502;
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
			t += ctl >> 3;
			if (ctl & 1)
				applayer_gap(&al, &f, dir, 1 + (ctl >> 3), t, 0);
			size_t n = end - start - 1;
			uint8_t *seg = malloc(n ? n : 1);
			if (seg) {
				memcpy(seg, data + start + 1, n);
				if ((ctl & 2) && n) {
					struct modbus_pdu o, r;
					struct modbus_request req;
					memset(&r, 0, sizeof(r));
					modbus_decode_pdu(seg, n, true, NULL, &r);
					modbus_request_of(&r, &req);
					memset(&o, 0, sizeof(o));
					modbus_decode_pdu(seg, n, (ctl & 4) != 0, (ctl & 4) ? NULL : &req, &o);
				}
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
