/* SPDX-License-Identifier: BSD-2-Clause */
#include "dissectors/smb.h"

#include <string.h>

#define NBSS_SESSION_MESSAGE 0x00
#define SMB1_HEADER_LEN 32
#define SMB1_FLAGS_REPLY 0x80
#define SMB1_FLAGS2_UNICODE 0x8000
#define SMB1_COM_SESSION_SETUP_ANDX 0x73
#define SMB2_HEADER_LEN 64
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_NEGOTIATE 0x0000

/* The message as far as it was captured: every read checks against end
 * (the segment) before it touches a byte; msg_end is where the message
 * says it ends, which may lie past the segment. */
struct view {
	const uint8_t *base;      /* the SMB header: string alignment counts from it */
	size_t end;               /* bytes captured from base */
	size_t msg_end;           /* bytes the message has from base */
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A field of n bytes at off: in the message and captured? */
static enum smb_result need(const struct view *v, size_t off, size_t n)
{
	if (off > v->msg_end || n > v->msg_end - off)
		return SMB_MALFORMED;
	if (off > v->end || n > v->end - off)
		return SMB_TRUNCATED;
	return SMB_OK;
}

static char printable(uint32_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

/* A NUL-terminated string at *off (UTF-16LE if wide, aligned to 2 bytes
 * from the header, MS-CIFS 2.2.1.1), into out as printable ASCII (the
 * first SMB_HINT_LEN - 1 characters); *off moves past it. SMB_TRUNCATED:
 * the segment ended inside it (out holds its start). */
static enum smb_result string_at(const struct view *v, size_t *off, bool wide, char out[SMB_HINT_LEN])
{
	size_t i = *off, n = 0;
	size_t limit = v->end < v->msg_end ? v->end : v->msg_end;
	if (wide && (i & 1))
		i++; /* the pad byte */
	size_t unit = wide ? 2 : 1;
	for (;;) {
		if (i + unit > limit) {
			/* the message's bytes end it too (lenient: some stacks
			 * leave out the last NUL); the segment's end cuts it */
			out[n] = '\0';
			*off = i;
			return v->end < v->msg_end ? SMB_TRUNCATED : SMB_OK;
		}
		uint32_t c = wide ? le16(v->base + i) : v->base[i];
		i += unit;
		if (c == 0)
			break;
		if (n < SMB_HINT_LEN - 1)
			out[n++] = printable(c);
	}
	out[n] = '\0';
	*off = i;
	return SMB_OK;
}

/* SESSION_SETUP_ANDX forms that carry NativeOS, by WordCount (MS-CIFS
 * 2.2.4.53, MS-SMB 2.2.4.6); the older LANMAN forms do not. */
static bool has_native_os(bool response, uint8_t wc)
{
	return response ? wc == 3 || wc == 4 : wc == 12 || wc == 13;
}

/* Where NativeOS starts: past the security blob or the passwords, and for
 * a WordCount 13 request past AccountName and PrimaryDomain. */
static enum smb_result native_os_at(const struct view *v, bool response, uint8_t wc, size_t words,
				    size_t bytes, size_t *off, bool wide)
{
	enum smb_result r;
	size_t skip = 0, strings_before = 0;
	if (response && wc == 3) {
		skip = 0;                                  /* NativeOS first */
	} else if (response && wc == 4) {
		if ((r = need(v, words + 6, 2)) != SMB_OK) /* SecurityBlobLength */
			return r;
		skip = le16(v->base + words + 6);
	} else if (!response && wc == 12) {
		if ((r = need(v, words + 14, 2)) != SMB_OK)
			return r;
		skip = le16(v->base + words + 14);
	} else {                                           /* request, WordCount 13 */
		if ((r = need(v, words + 14, 4)) != SMB_OK) /* OEM and Unicode password lengths */
			return r;
		skip = (size_t)le16(v->base + words + 14) + le16(v->base + words + 16);
		strings_before = 2;                        /* AccountName, PrimaryDomain */
	}
	*off = bytes + skip;
	if (*off > v->msg_end)
		return SMB_MALFORMED;
	char ignored[SMB_HINT_LEN];
	for (size_t k = 0; k < strings_before; k++)
		if ((r = string_at(v, off, wide, ignored)) != SMB_OK)
			return r;
	return SMB_OK;
}

static enum smb_result smb1(const struct view *v, struct smb_hints *h)
{
	enum smb_result r = need(v, 0, SMB1_HEADER_LEN + 1);
	if (r != SMB_OK)
		return r;
	h->command = v->base[4];
	h->response = (v->base[9] & SMB1_FLAGS_REPLY) != 0;
	bool wide = (le16(v->base + 10) & SMB1_FLAGS2_UNICODE) != 0;
	if (h->command != SMB1_COM_SESSION_SETUP_ANDX)
		return SMB_OK;
	uint8_t wc = v->base[SMB1_HEADER_LEN];
	size_t words = SMB1_HEADER_LEN + 1;
	if (!has_native_os(h->response, wc))
		return SMB_OK; /* e.g. an error response: WordCount 0 */
	size_t count_at = words + 2u * wc;
	if ((r = need(v, count_at, 2)) != SMB_OK)
		return r;
	size_t bytes = count_at + 2;
	size_t byte_count = le16(v->base + count_at);
	if (bytes + byte_count > v->msg_end)
		return SMB_MALFORMED;
	struct view in = *v;
	in.msg_end = bytes + byte_count; /* the strings end with the bytes */
	size_t off;
	if ((r = native_os_at(&in, h->response, wc, words, bytes, &off, wide)) != SMB_OK)
		return r;
	if ((r = string_at(&in, &off, wide, h->native_os)) != SMB_OK)
		return r;
	return string_at(&in, &off, wide, h->native_lanman);
}

static enum smb_result smb2(const struct view *v, struct smb_hints *h)
{
	enum smb_result r = need(v, 0, SMB2_HEADER_LEN);
	if (r != SMB_OK)
		return r;
	if (le16(v->base + 4) != SMB2_HEADER_LEN)
		return SMB_MALFORMED;
	h->command = le16(v->base + 12);
	h->response = (le32(v->base + 16) & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
	if (h->command != SMB2_NEGOTIATE || !h->response)
		return SMB_OK;
	/* NEGOTIATE response: StructureSize 65, SecurityMode, DialectRevision */
	if ((r = need(v, SMB2_HEADER_LEN, 6)) != SMB_OK)
		return r;
	if (le16(v->base + SMB2_HEADER_LEN) != 65)
		return SMB_MALFORMED;
	h->dialect = le16(v->base + SMB2_HEADER_LEN + 4);
	return SMB_OK;
}

enum smb_result smb_hints_parse(const uint8_t *p, size_t len, struct smb_hints *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 4)
		return SMB_NOT_SMB;
	/* NBSS: a session message's 17-bit length (the flags' low bit); the
	 * other types (session request, keep-alive, ...) carry no SMB */
	if (p[1] & 0xfe)
		return SMB_NOT_SMB;
	size_t msg_len = (size_t)(p[1] & 1) << 16 | (size_t)p[2] << 8 | p[3];
	if (p[0] != NBSS_SESSION_MESSAGE)
		return p[0] >= 0x81 && p[0] <= 0x85 ? SMB_OK : SMB_NOT_SMB;
	if (msg_len < 4)
		return SMB_NOT_SMB;
	/* the protocol id, as far as it was captured */
	static const char id[] = "SMB";
	if (len > 4 && p[4] != 0xff && p[4] != 0xfe && p[4] != 0xfd)
		return SMB_NOT_SMB;
	for (size_t i = 5; i < len && i < 8; i++)
		if (p[i] != (uint8_t)id[i - 5])
			return SMB_NOT_SMB;
	if (len < 8)
		return SMB_TRUNCATED;
	struct view v = { p + 4, len - 4, msg_len };
	switch (p[4]) {
	case 0xff:
		h->version = 1;
		return smb1(&v, h);
	case 0xfe:
		h->version = 2;
		return smb2(&v, h);
	case 0xfd:
		h->version = 2;
		h->encrypted = true;
		return SMB_OK;
	default:
		return SMB_NOT_SMB;
	}
}

const char *smb2_dialect_name(uint16_t dialect)
{
	switch (dialect) {
	case 0x0202: return "2.0.2";
	case 0x0210: return "2.1";
	case 0x0300: return "3.0";
	case 0x0302: return "3.0.2";
	case 0x0311: return "3.1.1";
	case 0x02ff: return "2.???";
	default: return NULL;
	}
}
