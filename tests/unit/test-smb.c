/* SPDX-License-Identifier: BSD-2-Clause */
/* SMB software hints: NativeOS/NativeLanMan of SMB1 session setups in all
 * four forms, the SMB2 dialect, and every prefix of a message (each copied
 * to a heap buffer of exactly its size, so ASan sees any read past it),
 * oversized counts and other protocols. */
#include <stdlib.h>

#include "dissectors/smb.h"
#include "test.h"

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct msg *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static void u16(struct msg *m, uint16_t v)
{
	u8(m, (uint8_t)v);
	u8(m, (uint8_t)(v >> 8));
}

static void u32(struct msg *m, uint32_t v)
{
	u16(m, (uint16_t)v);
	u16(m, (uint16_t)(v >> 16));
}

static void raw(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A string as SMB1 puts it: NUL-terminated, UTF-16LE aligned on 2 bytes
 * from the SMB header (4 bytes into the message: the NBSS header). */
static void str(struct msg *m, const char *s, bool wide)
{
	if (wide && ((m->n - 4) & 1))
		u8(m, 0);
	for (; *s; s++) {
		if (wide)
			u16(m, (uint8_t)*s);
		else
			u8(m, (uint8_t)*s);
	}
	if (wide)
		u16(m, 0);
	else
		u8(m, 0);
}

static void nbss(struct msg *m)
{
	m->n = 0;
	u32(m, 0); /* length set by done() */
}

static void done(struct msg *m)
{
	size_t len = m->n - 4;
	m->b[0] = 0;
	m->b[1] = (uint8_t)(len >> 16);
	m->b[2] = (uint8_t)(len >> 8);
	m->b[3] = (uint8_t)len;
}

static void smb1_header(struct msg *m, uint8_t cmd, bool reply, bool wide)
{
	raw(m, "\xffSMB", 4);
	u8(m, cmd);
	u32(m, 0);                          /* status */
	u8(m, reply ? 0x98 : 0x18);         /* flags: reply, case-insensitive, canonical */
	u16(m, (uint16_t)(0x4001 | (wide ? 0x8000 : 0) | 0x0800)); /* flags2 */
	u16(m, 0);                          /* PIDHigh */
	raw(m, "\0\0\0\0\0\0\0\0", 8);      /* signature */
	u16(m, 0);                          /* reserved */
	u16(m, 0xffff);                     /* TID */
	u16(m, 0xfeff);                     /* PID */
	u16(m, 0);                          /* UID */
	u16(m, 1);                          /* MID */
}

/* SESSION_SETUP_ANDX response, extended security (WordCount 4). */
static void ssx_response_ext(struct msg *m, bool wide, const char *os, const char *lm)
{
	nbss(m);
	smb1_header(m, 0x73, true, wide);
	u8(m, 4);
	u8(m, 0xff); u8(m, 0); u16(m, 0);   /* no AndX */
	u16(m, 0);                          /* Action */
	u16(m, 10);                         /* SecurityBlobLength */
	size_t bc = m->n;
	u16(m, 0);
	raw(m, "\xa1\x08\x30\x06\xa0\x04\x0a\x02\x00\x00", 10); /* SPNEGO accept-completed */
	str(m, os, wide);
	str(m, lm, wide);
	str(m, "FAB", wide);
	size_t n = m->n - bc - 2;
	m->b[bc] = (uint8_t)n;
	m->b[bc + 1] = (uint8_t)(n >> 8);
	done(m);
}

static enum smb_result parse_exact(const struct msg *m, size_t len, struct smb_hints *h)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, m->b, len);
	enum smb_result r = smb_hints_parse(copy, len, h);
	free(copy);
	return r;
}

static void test_response_ext_unicode(void)
{
	struct msg m;
	ssx_response_ext(&m, true, "Windows Server 2003 3790 Service Pack 2", "Windows Server 2003 5.2");
	struct smb_hints h;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_EQ(h.version, 1);
	CHECK(h.response);
	CHECK_EQ(h.command, 0x73);
	CHECK_STR(h.native_os, "Windows Server 2003 3790 Service Pack 2");
	CHECK_STR(h.native_lanman, "Windows Server 2003 5.2");
	/* every prefix: read up to where it is cut, never past it */
	for (size_t len = 0; len < m.n; len++) {
		enum smb_result r = parse_exact(&m, len, &h);
		if (len < 4)
			CHECK_EQ(r, SMB_NOT_SMB);
		else if (len < m.n - 2 * 4) /* "FAB" is not read: cut before the LanMan ends */
			CHECK_EQ(r, SMB_TRUNCATED);
		CHECK(strlen(h.native_os) < SMB_HINT_LEN);
	}
}

static void test_response_plain(void)
{
	/* WordCount 3, OEM strings (Samba without extended security) */
	struct msg m;
	nbss(&m);
	smb1_header(&m, 0x73, true, false);
	u8(&m, 3);
	u8(&m, 0xff); u8(&m, 0); u16(&m, 0);
	u16(&m, 1);                         /* Action: guest */
	const char bytes[] = "Unix\0Samba 3.0.37\0WORKGROUP";
	u16(&m, sizeof(bytes));
	raw(&m, bytes, sizeof(bytes));
	done(&m);
	struct smb_hints h;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_STR(h.native_os, "Unix");
	CHECK_STR(h.native_lanman, "Samba 3.0.37");
	/* the LanMan string without its NUL, ended by ByteCount: kept */
	nbss(&m);
	smb1_header(&m, 0x73, true, false);
	u8(&m, 3);
	u8(&m, 0xff); u8(&m, 0); u16(&m, 0);
	u16(&m, 0);
	u16(&m, 12);
	raw(&m, "Unix\0Samba 4", 12);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_STR(h.native_lanman, "Samba 4");
}

static void test_requests(void)
{
	/* WordCount 13: passwords, then AccountName, PrimaryDomain, NativeOS, NativeLanMan */
	struct msg m;
	nbss(&m);
	smb1_header(&m, 0x73, false, true);
	u8(&m, 13);
	u8(&m, 0xff); u8(&m, 0); u16(&m, 0);
	u16(&m, 4356); u16(&m, 10); u16(&m, 0); u32(&m, 0);
	u16(&m, 24);                        /* OEM password */
	u16(&m, 0);                         /* Unicode password */
	u32(&m, 0); u32(&m, 0xd4);
	size_t bc = m.n;
	u16(&m, 0);
	for (int i = 0; i < 24; i++)
		u8(&m, (uint8_t)(0xa0 + i));
	str(&m, "operator", true);
	str(&m, "FAB", true);
	str(&m, "Windows 2000 2195", true);
	str(&m, "Windows 2000 5.0", true);
	m.b[bc] = (uint8_t)(m.n - bc - 2);
	done(&m);
	struct smb_hints h;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK(!h.response);
	CHECK_STR(h.native_os, "Windows 2000 2195");
	CHECK_STR(h.native_lanman, "Windows 2000 5.0");
	/* WordCount 12: extended security, the blob then the strings */
	nbss(&m);
	smb1_header(&m, 0x73, false, false);
	u8(&m, 12);
	u8(&m, 0xff); u8(&m, 0); u16(&m, 0);
	u16(&m, 4356); u16(&m, 10); u16(&m, 0); u32(&m, 0);
	u16(&m, 5);                         /* SecurityBlobLength */
	u32(&m, 0); u32(&m, 0x800000d4);
	bc = m.n;
	u16(&m, 0);
	raw(&m, "NTLMS", 5);
	str(&m, "Windows 5.1", false);
	str(&m, "Windows 2000 LAN Manager", false);
	m.b[bc] = (uint8_t)(m.n - bc - 2);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_STR(h.native_os, "Windows 5.1");
	CHECK_STR(h.native_lanman, "Windows 2000 LAN Manager");
}

static void smb2_header(struct msg *m, uint16_t cmd, bool reply)
{
	raw(m, "\xfeSMB", 4);
	u16(m, 64);
	u16(m, 0);
	u32(m, 0);
	u16(m, cmd);
	u16(m, 1);
	u32(m, reply ? 1 : 0);
	u32(m, 0);
	u32(m, 0); u32(m, 0);               /* MessageId */
	u32(m, 0); u32(m, 0);               /* Reserved, TreeId */
	u32(m, 0); u32(m, 0);               /* SessionId */
	for (int i = 0; i < 16; i++)
		u8(m, 0);                   /* Signature */
}

static void test_smb2(void)
{
	struct msg m;
	nbss(&m);
	smb2_header(&m, 0, true);
	u16(&m, 65); u16(&m, 1); u16(&m, 0x0311); u16(&m, 0);
	for (int i = 0; i < 56; i++)
		u8(&m, 0);
	done(&m);
	struct smb_hints h;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_EQ(h.version, 2);
	CHECK(h.response);
	CHECK_EQ(h.dialect, 0x0311);
	CHECK_STR(smb2_dialect_name(h.dialect), "3.1.1");
	CHECK_STR(smb2_dialect_name(0x0202), "2.0.2");
	CHECK(smb2_dialect_name(0x0100) == NULL);
	/* cut inside the dialect: the version is known, the dialect is not */
	CHECK_EQ(parse_exact(&m, 4 + 64 + 5, &h), SMB_TRUNCATED);
	CHECK_EQ(h.version, 2);
	CHECK_EQ(h.dialect, 0);
	/* a request says no dialect; a wrong StructureSize is malformed */
	nbss(&m);
	smb2_header(&m, 0, false);
	u16(&m, 36); u16(&m, 2);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK(!h.response);
	CHECK_EQ(h.dialect, 0);
	nbss(&m);
	smb2_header(&m, 0, true);
	u16(&m, 64); u16(&m, 1); u16(&m, 0x0210);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_MALFORMED);
	/* SMB3 encrypted */
	nbss(&m);
	raw(&m, "\xfdSMB", 4);
	for (int i = 0; i < 48; i++)
		u8(&m, 0x55);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK(h.encrypted);
	CHECK_EQ(h.version, 2);
}

static void test_not_smb(void)
{
	struct msg m = { .n = 0 };
	struct smb_hints h;
	raw(&m, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_NOT_SMB);
	CHECK_EQ(h.version, 0);
	/* NBSS keep-alive and session request: NBSS, no SMB */
	static const uint8_t keepalive[] = { 0x85, 0, 0, 0 };
	CHECK_EQ(smb_hints_parse(keepalive, sizeof(keepalive), &h), SMB_OK);
	CHECK_EQ(h.version, 0);
	/* an NBSS length but another protocol id */
	nbss(&m);
	raw(&m, "\xffSMX", 4);
	u32(&m, 0);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_NOT_SMB);
	CHECK_EQ(parse_exact(&m, 6, &h), SMB_TRUNCATED); /* "\xffS" could still be SMB */
	CHECK_EQ(parse_exact(&m, 7, &h), SMB_TRUNCATED);
	CHECK_EQ(parse_exact(&m, 8, &h), SMB_NOT_SMB);
}

static void test_oversized_and_malformed(void)
{
	struct msg m;
	struct smb_hints h;
	/* ByteCount past the message */
	ssx_response_ext(&m, true, "Windows 5.1", "Windows 2000 LAN Manager");
	size_t bc = 4 + 32 + 1 + 8;
	m.b[bc] = 0xff;
	m.b[bc + 1] = 0x7f;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_MALFORMED);
	/* SecurityBlobLength past ByteCount */
	ssx_response_ext(&m, true, "Windows 5.1", "Windows 2000 LAN Manager");
	m.b[bc - 2] = 0xf0;
	m.b[bc - 1] = 0x0f;
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_MALFORMED);
	/* the NBSS length says more than was captured: what is there is read */
	ssx_response_ext(&m, true, "Windows 5.1", "Windows 2000 LAN Manager");
	m.b[1] = 1; /* + 65536 */
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_STR(h.native_os, "Windows 5.1");
	/* a NativeOS longer than kept, with bytes that are not printable ASCII */
	char os[300];
	memset(os, 'A', sizeof(os) - 1);
	os[sizeof(os) - 1] = '\0';
	os[1] = '\t';
	os[2] = (char)0xe9;
	ssx_response_ext(&m, true, os, "LM");
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_EQ(strlen(h.native_os), SMB_HINT_LEN - 1);
	CHECK(memcmp(h.native_os, "A??AAA", 6) == 0);
	CHECK_STR(h.native_lanman, "LM");
	/* a session setup error response: WordCount 0, no hints */
	nbss(&m);
	smb1_header(&m, 0x73, true, true);
	u8(&m, 0);
	u16(&m, 0);
	done(&m);
	CHECK_EQ(parse_exact(&m, m.n, &h), SMB_OK);
	CHECK_STR(h.native_os, "");
}

int main(void)
{
	RUN(test_response_ext_unicode);
	RUN(test_response_plain);
	RUN(test_requests);
	RUN(test_smb2);
	RUN(test_not_smb);
	RUN(test_oversized_and_malformed);
	return test_done();
}
