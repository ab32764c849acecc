/* SPDX-License-Identifier: BSD-2-Clause */
/* SHA-256 (FIPS 180-4): the digests of captures, policies and evidence that
 * let a PSIRT or an auditor check they have the same bytes. Computed by
 * Nettle, which uses the CPU's SHA extensions where it has them: a capture
 * of gigabytes is hashed at memory speed, not at a portable C loop's
 * ~60 instructions a byte (that loop cost more than the whole packet path). */
#ifndef FABMON_SHA256_H
#define FABMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Nettle's context, kept opaque so that its macros (sha256_init, …) stay
 * out of every file that hashes; sha256.c checks that it fits. */
struct sha256_stream {
	union {
		uint64_t align;
		uint8_t bytes[128];
	} opaque;
};

void sha256_stream_init(struct sha256_stream *c);
void sha256_stream_update(struct sha256_stream *c, const void *data, size_t len);
void sha256_stream_final(struct sha256_stream *c, uint8_t out[32]);
/* lowercase hex of the digest of data */
void sha256_hex(const void *data, size_t len, char out[65]);
void sha256_to_hex(const uint8_t d[32], char out[65]);
/* The digest of a file's bytes. 0, or -errno. */
int sha256_file(const char *path, char out[65], uint64_t *bytes);
/* The same, given up (-ECANCELED) as soon as *stop is set (checked every
 * 256 KiB read; set from another thread). */
int sha256_file_until(const char *path, char out[65], uint64_t *bytes, const _Atomic int *stop);

#endif
