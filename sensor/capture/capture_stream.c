/* SPDX-License-Identifier: BSD-2-Clause */
#include "sensor/capture/capture_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* 64 KiB each: large enough that a read or a decompressor step is not the
 * cost, small enough that opening a stream is cheap (the fuzz targets open
 * one per input; ASan maps and poisons every block above 128 KiB afresh) */
#define IN_SIZE (64u * 1024)       /* compressed bytes read at once */
#define OUT_INITIAL (64u * 1024)   /* decompressed bytes held; grows to the largest peek */
/* xz -9 needs 65 MiB; an xz file asking for more is refused, not obeyed */
#define XZ_MEMLIMIT ((uint64_t)256 * 1024 * 1024)

struct capstream {
	int fd;                    /* -1: reading mem */
	bool close_fd;
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	const volatile sig_atomic_t *cancel;
	enum capstream_codec codec;
	enum capstream_state state;
	char msg[160];
	/* compressed bytes (unused for CS_PLAIN) */
	uint8_t *in;
	size_t in_pos, in_len;
	bool in_eof;
	uint64_t raw_read;
	/* decompressed bytes handed out by peek: buf[start, end) */
	uint8_t *buf;
	size_t cap, start, end;
	uint64_t offset;           /* decompressed offset of buf[start] */
	bool in_frame;             /* the decompressor is inside a member/frame */
	int stalls;                /* steps in a row without progress */
	z_stream z;
	ZSTD_DStream *zs;
	lzma_stream lz;
};

const char *capstream_codec_name(enum capstream_codec c)
{
	switch (c) {
	case CS_GZIP: return "gzip";
	case CS_ZSTD: return "zstd";
	case CS_XZ: return "xz";
	default: return NULL;
	}
}

static void set_state(struct capstream *s, enum capstream_state st, const char *msg)
{
	s->state = st;
	snprintf(s->msg, sizeof(s->msg), "%s", msg ? msg : "");
}

/* Read raw bytes into dst. >0 bytes, 0 at the end, -1 with the state set. */
static ssize_t raw_read(struct capstream *s, uint8_t *dst, size_t room)
{
	if (s->fd < 0) {
		size_t n = s->mem_len - s->mem_pos;
		if (n > room)
			n = room;
		memcpy(dst, s->mem + s->mem_pos, n);
		s->mem_pos += n;
		s->raw_read += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t n = read(s->fd, dst, room);
		if (n >= 0) {
			s->raw_read += (uint64_t)n;
			return n;
		}
		if (errno == EINTR) {
			if (s->cancel && *s->cancel) {
				s->state = CS_INTERRUPTED;
				return -1;
			}
			continue;
		}
		set_state(s, CS_IO_ERROR, strerror(errno));
		return -1;
	}
}

/* Top up the compressed input. 0, or -1 with the state set. */
static int fill_input(struct capstream *s)
{
	if (s->in_eof || s->in_pos < s->in_len)
		return 0;
	s->in_pos = s->in_len = 0;
	ssize_t n = raw_read(s, s->in, IN_SIZE);
	if (n < 0)
		return -1;
	if (n == 0)
		s->in_eof = true;
	s->in_len = (size_t)n;
	return 0;
}

/* At the end of the compressed bytes: clean between frames, else cut short. */
static void input_ended(struct capstream *s)
{
	if (s->in_frame)
		set_state(s, CS_TRUNCATED, NULL);
	else
		set_state(s, CS_EOF, NULL);
}

static void step_gzip(struct capstream *s)
{
	if (!s->in_frame && inflateReset(&s->z) != Z_OK) {
		set_state(s, CS_CORRUPT, "zlib: cannot reset");
		return;
	}
	s->z.next_in = s->in + s->in_pos;
	s->z.avail_in = (uInt)(s->in_len - s->in_pos);
	s->z.next_out = s->buf + s->end;
	s->z.avail_out = (uInt)(s->cap - s->end);
	int rc = inflate(&s->z, Z_NO_FLUSH);
	s->in_pos = s->in_len - s->z.avail_in;
	s->end = s->cap - s->z.avail_out;
	switch (rc) {
	case Z_STREAM_END:
		s->in_frame = false; /* another member may follow (cat a.gz b.gz) */
		break;
	case Z_OK:
	case Z_BUF_ERROR:
		s->in_frame = true;
		break;
	case Z_MEM_ERROR:
		set_state(s, CS_CORRUPT, "out of memory");
		break;
	default:
		set_state(s, CS_CORRUPT, s->z.msg ? s->z.msg : "invalid data");
		break;
	}
}

static void step_zstd(struct capstream *s)
{
	ZSTD_inBuffer ib = { s->in, s->in_len, s->in_pos };
	ZSTD_outBuffer ob = { s->buf, s->cap, s->end };
	size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);
	s->in_pos = ib.pos;
	s->end = ob.pos;
	if (ZSTD_isError(rc)) {
		set_state(s, CS_CORRUPT, ZSTD_getErrorName(rc));
		return;
	}
	s->in_frame = rc != 0; /* 0: a frame is complete and flushed */
}

static void step_xz(struct capstream *s)
{
	s->lz.next_in = s->in + s->in_pos;
	s->lz.avail_in = s->in_len - s->in_pos;
	s->lz.next_out = s->buf + s->end;
	s->lz.avail_out = s->cap - s->end;
	lzma_ret rc = lzma_code(&s->lz, s->in_eof ? LZMA_FINISH : LZMA_RUN);
	s->in_pos = s->in_len - s->lz.avail_in;
	s->end = s->cap - s->lz.avail_out;
	switch (rc) {
	case LZMA_OK:
		s->in_frame = true;
		break;
	case LZMA_STREAM_END:
		set_state(s, CS_EOF, NULL);
		break;
	case LZMA_BUF_ERROR: /* no progress possible: the input ended early */
		set_state(s, s->in_eof ? CS_TRUNCATED : CS_CORRUPT,
			  s->in_eof ? NULL : "no progress");
		break;
	case LZMA_MEMLIMIT_ERROR:
		set_state(s, CS_CORRUPT, "needs more than 256 MiB of memory to decompress");
		break;
	case LZMA_MEM_ERROR:
		set_state(s, CS_CORRUPT, "out of memory");
		break;
	case LZMA_FORMAT_ERROR:
		set_state(s, CS_CORRUPT, "not in the .xz format");
		break;
	case LZMA_OPTIONS_ERROR:
		set_state(s, CS_CORRUPT, "unsupported compression options");
		break;
	case LZMA_DATA_ERROR:
		set_state(s, CS_CORRUPT, "compressed data is corrupt");
		break;
	default:
		set_state(s, CS_CORRUPT, "internal decompressor error");
		break;
	}
}

/* Add at least one byte at buf[end], or change the state. */
static void produce(struct capstream *s)
{
	if (s->codec == CS_PLAIN) {
		ssize_t n = raw_read(s, s->buf + s->end, s->cap - s->end);
		if (n > 0)
			s->end += (size_t)n;
		else if (n == 0)
			set_state(s, CS_EOF, NULL);
		return;
	}
	while (s->state == CS_MORE) {
		if (fill_input(s) < 0)
			return;
		bool drained = s->in_pos == s->in_len && s->in_eof;
		if (drained && !s->in_frame && s->codec != CS_XZ) {
			set_state(s, CS_EOF, NULL); /* ended between members/frames */
			return;
		}
		size_t in_before = s->in_pos, out_before = s->end;
		switch (s->codec) {
		case CS_GZIP: step_gzip(s); break;
		case CS_ZSTD: step_zstd(s); break;
		default: step_xz(s); break;
		}
		if (s->end > out_before)
			return;
		/* the decompressor had a last chance to flush what it holds */
		if (drained && s->state == CS_MORE && s->codec != CS_XZ) {
			input_ended(s);
			return;
		}
		if (s->in_pos == in_before && s->state == CS_MORE && ++s->stalls > 4) {
			set_state(s, CS_CORRUPT, "the decompressor makes no progress");
			return;
		}
		if (s->in_pos != in_before)
			s->stalls = 0;
	}
}

size_t capstream_peek(struct capstream *s, size_t n, const uint8_t **p)
{
	if (n > CAPSTREAM_MAX_PEEK)
		n = CAPSTREAM_MAX_PEEK;
	if (s->state == CS_INTERRUPTED)
		s->state = CS_MORE;
	while (s->end - s->start < n && s->state == CS_MORE) {
		if (s->cap - s->start < n || s->end == s->cap) {
			/* move what is held to the front; grow if it still does not fit */
			memmove(s->buf, s->buf + s->start, s->end - s->start);
			s->end -= s->start;
			s->start = 0;
			if (s->cap < n) {
				size_t nc = s->cap;
				while (nc < n)
					nc *= 2;
				uint8_t *nb = realloc(s->buf, nc);
				if (!nb) {
					set_state(s, CS_IO_ERROR, "out of memory");
					break;
				}
				s->buf = nb;
				s->cap = nc;
			}
		}
		produce(s);
	}
	*p = s->buf + s->start;
	size_t have = s->end - s->start;
	return have < n ? have : n;
}

void capstream_consume(struct capstream *s, size_t n)
{
	if (n > s->end - s->start)
		n = s->end - s->start;
	s->start += n;
	s->offset += n;
	if (s->start == s->end)
		s->start = s->end = 0;
}

enum capstream_state capstream_state(const struct capstream *s)
{
	return s->state;
}

const char *capstream_error(const struct capstream *s)
{
	return s->msg;
}

enum capstream_codec capstream_codec(const struct capstream *s)
{
	return s->codec;
}

uint64_t capstream_offset(const struct capstream *s)
{
	return s->offset;
}

uint64_t capstream_raw_offset(const struct capstream *s)
{
	return s->raw_read;
}

static enum capstream_codec sniff(const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return CS_GZIP;
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return CS_ZSTD;
	if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return CS_XZ;
	return CS_PLAIN;
}

/* Read the first bytes, tell the codec from them and set it up. */
static struct capstream *start(struct capstream *s)
{
	s->cap = OUT_INITIAL;
	s->buf = malloc(s->cap);
	if (!s->buf)
		goto nomem;
	/* the first bytes go to buf; a compressed file moves them to in */
	size_t got = 0;
	while (got < 6) {
		ssize_t n = raw_read(s, s->buf + got, 6 - got);
		if (n < 0) {
			if (s->state == CS_INTERRUPTED) {
				errno = EINTR;
				goto fail;
			}
			errno = EIO;
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	s->codec = sniff(s->buf, got);
	if (s->codec == CS_PLAIN) {
		s->end = got;
		if (got == 0)
			s->state = CS_EOF;
		return s;
	}
	s->in = malloc(IN_SIZE);
	if (!s->in)
		goto nomem;
	memcpy(s->in, s->buf, got);
	s->in_len = got;
	switch (s->codec) {
	case CS_GZIP:
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			goto nomem;
		s->in_frame = true; /* already inside its first member */
		break;
	case CS_ZSTD:
		s->zs = ZSTD_createDStream();
		if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs)))
			goto nomem;
		break;
	default: {
		lzma_stream init = LZMA_STREAM_INIT;
		s->lz = init;
		if (lzma_stream_decoder(&s->lz, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
			goto nomem;
		break;
	}
	}
	return s;
nomem:
	errno = ENOMEM;
fail: {
	int e = errno;
	capstream_close(s);
	errno = e;
	return NULL;
}
}

struct capstream *capstream_open(const char *path, const volatile sig_atomic_t *cancel)
{
	struct capstream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cancel = cancel;
	if (strcmp(path, "-") == 0) {
		s->fd = 0;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			int e = errno;
			free(s);
			errno = e;
			return NULL;
		}
		s->close_fd = true;
	}
	return start(s);
}

struct capstream *capstream_open_mem(const uint8_t *data, size_t len)
{
	struct capstream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = -1;
	s->mem = data;
	s->mem_len = len;
	return start(s);
}

void capstream_close(struct capstream *s)
{
	if (!s)
		return;
	switch (s->codec) {
	case CS_GZIP: inflateEnd(&s->z); break;
	case CS_ZSTD: ZSTD_freeDStream(s->zs); break;
	case CS_XZ: lzma_end(&s->lz); break;
	default: break;
	}
	if (s->close_fd)
		close(s->fd);
	free(s->in);
	free(s->buf);
	free(s);
}

int capstream_reread_fd(const struct capstream *s)
{
	struct stat sb;
	if (!s || s->fd < 0 || s->codec != CS_PLAIN || fstat(s->fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return -1;
	return s->fd;
}
