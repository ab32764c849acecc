/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the capture reader (capture_file.c) over the
 * decompressing stream (capture_stream.c). Input: the bytes of a capture
 * file, plain pcap/pcapng or gzip/zstd/xz compressed. Every packet's bytes
 * are read, so ASan sees any packet pointing outside what was read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/capture/capture_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the input: reads past it are caught */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct capstream *s = capstream_open_mem(copy, size);
	struct capfile *f;
	char err[512];
	if (s && capfile_open(&f, s, err, sizeof(err)) == CAPFILE_OPEN_OK) {
		struct capfile_packet p;
		volatile uint8_t sink = 0;
		size_t ifaces = capfile_ifaces(f);
		for (size_t i = 0; i < ifaces; i++)
			sink ^= (uint8_t)capfile_iface_dlt(f, i);
		/* a decompression bomb would only cost time: stop after a while */
		for (int n = 0; n < 100000 && capfile_next(f, &p) == CAPFILE_PACKET; n++) {
			for (uint32_t i = 0; i < p.caplen; i++)
				sink ^= p.data[i];
			if (p.wirelen == 0 && p.caplen > 0)
				sink ^= 1;
		}
		(void)sink;
		(void)capfile_error(f);
		capfile_close(f);
	}
	free(copy);
	return 0;
}
