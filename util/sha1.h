/* SPDX-License-Identifier: BSD-2-Clause */
/* SHA-1 (FIPS 180-4), only for the Community ID flow hash, which is
 * defined over SHA-1. Not used for anything that needs collision resistance. */
#ifndef FABMON_SHA1_H
#define FABMON_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1_ctx {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
	size_t used;
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
void sha1_final(struct sha1_ctx *c, uint8_t out[20]);

#endif
