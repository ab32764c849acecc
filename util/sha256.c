/* SPDX-License-Identifier: BSD-2-Clause */
#include "util/sha256.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct sha256_stream *)0)->opaque),
	       "Nettle's sha256_ctx does not fit struct sha256_stream");
_Static_assert(alignof(struct sha256_ctx) <= alignof(struct sha256_stream),
	       "Nettle's sha256_ctx needs more alignment than struct sha256_stream");

static struct sha256_ctx *ctx(struct sha256_stream *c)
{
	return (struct sha256_ctx *)(void *)c->opaque.bytes;
}

void sha256_stream_init(struct sha256_stream *c)
{
	sha256_init(ctx(c));
}

void sha256_stream_update(struct sha256_stream *c, const void *data, size_t len)
{
	if (len)
		sha256_update(ctx(c), len, data);
}

void sha256_stream_final(struct sha256_stream *c, uint8_t out[32])
{
	sha256_digest(ctx(c), SHA256_DIGEST_SIZE, out);
}

void sha256_to_hex(const uint8_t d[32], char out[65])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[64] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256_stream c;
	uint8_t d[32];
	sha256_stream_init(&c);
	sha256_stream_update(&c, data, len);
	sha256_stream_final(&c, d);
	sha256_to_hex(d, out);
}

int sha256_file(const char *path, char out[65], uint64_t *bytes)
{
	return sha256_file_until(path, out, bytes, NULL);
}

int sha256_file_until(const char *path, char out[65], uint64_t *bytes, const _Atomic int *stop)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -errno;
	struct sha256_stream c;
	sha256_stream_init(&c);
	enum { CHUNK = 1 << 18 };
	uint8_t *buf = malloc(CHUNK);
	if (!buf) {
		fclose(fp);
		return -ENOMEM;
	}
	size_t n;
	uint64_t total = 0;
	bool stopped = false;
	while (!(stopped = stop && atomic_load_explicit(stop, memory_order_relaxed)) &&
	       (n = fread(buf, 1, CHUNK, fp)) > 0) {
		sha256_stream_update(&c, buf, n);
		total += n;
	}
	int err = stopped ? -ECANCELED : ferror(fp) ? -EIO : 0;
	fclose(fp);
	free(buf);
	if (err)
		return err;
	uint8_t d[32];
	sha256_stream_final(&c, d);
	sha256_to_hex(d, out);
	if (bytes)
		*bytes = total;
	return 0;
}
