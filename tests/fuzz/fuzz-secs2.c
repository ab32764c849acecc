/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the SECS-II decoder, SML rendering and GEM field
 * extraction over one message body. Input: byte 0 = stream, byte 1 =
 * function, byte 2 = how much of the body is in the window (as a share of
 * it), then the body, copied to a heap buffer of exactly the window's size.
 */
#include <stdlib.h>
#include <string.h>

#include "dissectors/gem.h"
#include "dissectors/secs2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint8_t stream = data[0] & 0x7f, function = data[1];
	size_t total = size - 3;
	size_t win = data[2] == 0xff ? total : total * data[2] / 255;
	uint8_t *body = malloc(win ? win : 1);
	if (!body)
		return 0;
	memcpy(body, data + 3, win);
	static const struct secs2_limits lims[2] = { { 32, 100000 }, { 4, 64 } };
	for (int l = 0; l < 2; l++) {
		struct secs2_check c;
		secs2_validate(body, win, total, &lims[l], &c);
		char sml[1024];
		bool cut;
		size_t n = secs2_sml(body, win, total, &lims[l], sml, sizeof(sml), &cut);
		if (n >= sizeof(sml) || strlen(sml) != n)
			abort();
		char small[7];
		secs2_sml(body, win, total, &lims[l], small, sizeof(small), &cut);
		struct gem_fields g;
		gem_extract(stream, function, body, win, total, &lims[l], &g);
		for (int i = 0; i < g.n; i++)
			if (strlen(g.f[i].text) >= GEM_FIELD_LEN)
				abort();
		struct secs2_item it;
		uint8_t path[4] = { data[1] & 3, data[0] & 3, 1, 0 };
		if (secs2_path(body, win, total, &lims[l], path, data[2] & 3, &it)) {
			char v[64];
			uint64_t u;
			secs2_value_str(&it, v, sizeof(v));
			secs2_u64(&it, &u);
		}
	}
	free(body);
	return 0;
}
