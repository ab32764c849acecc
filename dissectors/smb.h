/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMB software hints (issue 19, SEMI E187 exposure): which SMB a host
 * speaks and what its software calls itself. One NetBIOS session message
 * at a time, as it starts a TCP segment, not reassembled: the negotiate
 * and session-setup exchanges that carry these come first in a connection
 * and are small. nDPI names the flow SMB and flags SMBv1; this reads what
 * it does not keep.
 *
 *   NBSS (RFC 1002 4.3.1)   type 1 | flags 1 (bit 0: length bit 16) | length 2
 *   SMB1 (MS-CIFS 2.2.3.1)  0xFF 'S' 'M' 'B' | command 1 | status 4 | flags 1
 *                           (0x80 reply) | flags2 2 (0x8000 Unicode) | ... 32 bytes;
 *                           WordCount 1 | words | ByteCount 2 | bytes
 *   SMB2 (MS-SMB2 2.2.1.2)  0xFE 'S' 'M' 'B' | StructureSize 2 (64) | CreditCharge 2 |
 *                           Status 4 | Command 2 | Credits 2 | Flags 4 (0x1 reply) | ... 64 bytes
 *   SMB3 transform (MS-SMB2 2.2.41) 0xFD 'S' 'M' 'B': encrypted, nothing more to read.
 *
 * Read: SMB1 Session Setup AndX (0x73) request and response, both forms
 * (MS-CIFS 2.2.4.53: WordCount 13 request, 3 response; MS-SMB 2.2.4.6:
 * extended security, WordCount 12 request, 4 response): NativeOS and
 * NativeLanMan; the SMB2 NEGOTIATE response (MS-SMB2 2.2.4): the dialect
 * the server chose.
 */
#ifndef FABMON_SMB_H
#define FABMON_SMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB_HINT_LEN 64           /* NativeOS / NativeLanMan kept, with the NUL */

enum smb_result {
	SMB_NOT_SMB,              /* no NBSS message of SMB here */
	SMB_OK,                   /* read (hints may be empty) */
	SMB_TRUNCATED,            /* a field it needed lies past the segment: read what was there */
	SMB_MALFORMED,            /* a count or offset points outside the message */
};

struct smb_hints {
	uint8_t version;          /* 1, 2 (SMB 2 and 3); 0: an NBSS message that is not SMB (keep-alive, session request) */
	bool response;            /* server to client */
	bool encrypted;           /* an SMB3 transform header: nothing readable */
	uint16_t command;         /* SMB1 or SMB2 command */
	uint16_t dialect;         /* SMB2 NEGOTIATE response: DialectRevision (0x0311 = 3.1.1); 0: not said */
	/* SMB1 SESSION_SETUP_ANDX: printable ASCII (other characters '?'); "" not said */
	char native_os[SMB_HINT_LEN];
	char native_lanman[SMB_HINT_LEN];
};

/* One NBSS message starting at p (len bytes of it captured). h is filled
 * as far as the message could be read. */
enum smb_result smb_hints_parse(const uint8_t *p, size_t len, struct smb_hints *h);

/* "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" (a wildcard negotiate);
 * NULL for any other value. */
const char *smb2_dialect_name(uint16_t dialect);

#endif
