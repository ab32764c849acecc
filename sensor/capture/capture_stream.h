/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bytes of a capture, from a file, standard input or memory, decompressed
 * as they are read when they are gzip, zstd or xz (told by their magic number,
 * not by the file name). Memory is bounded: a read buffer, the decompressor's
 * state and the largest block the reader asks to see at once.
 *
 * The end of the bytes is told apart: a clean end, a compressed stream cut
 * short, corrupt compressed data (with the decompressor's message), a read
 * error, or a read interrupted by a signal while *cancel was set.
 */
#ifndef FABMON_CAPTURE_STREAM_H
#define FABMON_CAPTURE_STREAM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

enum capstream_codec { CS_PLAIN = 0, CS_GZIP, CS_ZSTD, CS_XZ };

enum capstream_state {
	CS_MORE = 0,      /* more bytes may come */
	CS_EOF,           /* clean end of the (decompressed) bytes */
	CS_TRUNCATED,     /* the compressed stream ends inside a frame/member */
	CS_CORRUPT,       /* the decompressor rejects the data */
	CS_IO_ERROR,      /* read() failed */
	CS_INTERRUPTED,   /* a signal came while *cancel was set: may be retried */
};

struct capstream;

/* Open path ("-" is standard input, which is not closed). On failure returns
 * NULL with errno set. cancel (may be NULL): a flag a signal handler sets to
 * make a blocked read give up. */
struct capstream *capstream_open(const char *path, const volatile sig_atomic_t *cancel);
/* Read from memory (tests, fuzzing); data must outlive the stream. */
struct capstream *capstream_open_mem(const uint8_t *data, size_t len);
void capstream_close(struct capstream *s);

/*
 * Make n contiguous bytes available at *p (n at most CAPSTREAM_MAX_PEEK).
 * Returns n, or fewer at the end of the bytes or on an error:
 * capstream_state() then says which. Nothing is consumed.
 */
#define CAPSTREAM_MAX_PEEK ((size_t)160 * 1024 * 1024)
size_t capstream_peek(struct capstream *s, size_t n, const uint8_t **p);
void capstream_consume(struct capstream *s, size_t n);

enum capstream_state capstream_state(const struct capstream *s);
/* The decompressor's or the system's words for CS_CORRUPT / CS_IO_ERROR. */
const char *capstream_error(const struct capstream *s);
enum capstream_codec capstream_codec(const struct capstream *s);
const char *capstream_codec_name(enum capstream_codec c); /* "gzip", ...; NULL for plain */
/* A descriptor of the file when its bytes can be read again at their
 * offsets (a regular file, not compressed); -1 otherwise. */
int capstream_reread_fd(const struct capstream *s);
/* Offset of the next unconsumed byte in the decompressed bytes. */
uint64_t capstream_offset(const struct capstream *s);
/* Bytes read so far from the file itself (compressed). */
uint64_t capstream_raw_offset(const struct capstream *s);

#endif
