/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the time parser that reads eve.json's timestamps (both
 * the "+0000" fabmon writes and the "+00:00" of earlier versions) and
 * --since/--until. Whatever it accepts must come back the same through
 * both written forms: EVE and RFC 3339 "Z". Input: one time, any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the input, NUL-terminated: reads past it are
	 * caught */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	int64_t us;
	if (rfc3339_parse(text, &us) && us > -INT64_C(62135596800000000) &&
	    us < INT64_C(253402300800000000)) { /* years 1..9999: both forms can write it */
		char eve[40], z[40];
		int64_t back;
		int64_t sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
		rfc3339_eve(sec, (uint32_t)(us - sec * 1000000), eve);
		if (!rfc3339_parse(eve, &back) || back != us)
			abort();
		rfc3339_utc(us, z);
		if (!rfc3339_parse(z, &back) || back != us)
			abort();
	}
	free(text);
	return 0;
}
