/* SPDX-License-Identifier: BSD-2-Clause */
/* SHA-256 (FIPS 180-4): the digests of captures, policies and evidence that
 * let a PSIRT or an auditor check they have the same bytes. */
#ifndef FABMON_SHA256_H
#define FABMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t used;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);
/* lowercase hex of the digest of data */
void sha256_hex(const void *data, size_t len, char out[65]);
void sha256_to_hex(const uint8_t d[32], char out[65]);
/* The digest of a file's bytes. 0, or -errno. */
int sha256_file(const char *path, char out[65], uint64_t *bytes);

#endif
