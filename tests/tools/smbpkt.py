# SPDX-License-Identifier: BSD-2-Clause
"""SMB messages for fabmon's tests (the fuzz seeds, the e2e smb test): one
NetBIOS session message each (RFC 1002 4.3.1), laid out as MS-CIFS, MS-SMB
and MS-SMB2 say. Deterministic bytes, no scapy needed."""
import struct


def nbss(body):
    """An NBSS session message around body."""
    return struct.pack(">I", len(body)) + body


def smb1_header(cmd, reply, wide):
    flags2 = 0x4801 | (0x8000 if wide else 0)
    return (b"\xffSMB" + bytes([cmd]) + b"\0\0\0\0" + bytes([0x98 if reply else 0x18])
            + struct.pack("<HH", flags2, 0) + b"\0" * 8 + struct.pack("<HHHHH", 0, 0xffff, 0xfeff, 0, 1))


def _string(text, wide, at):
    """A NUL-terminated string at offset at from the SMB header (UTF-16LE
    aligned on 2 bytes, MS-CIFS 2.2.1.1)."""
    if wide:
        pad = b"\0" if at % 2 else b""
        return pad + text.encode("utf-16-le") + b"\0\0"
    return text.encode() + b"\0"


def _strings(start, items, wide):
    out = b""
    for t in items:
        out += _string(t, wide, start + len(out))
    return out


def smb1_negotiate_request(dialects=("PC NETWORK PROGRAM 1.0", "NT LM 0.12")):
    data = b"".join(b"\x02" + d.encode() + b"\0" for d in dialects)
    return nbss(smb1_header(0x72, False, True) + b"\0" + struct.pack("<H", len(data)) + data)


def smb1_negotiate_response(index):
    """NT LM 0.12 chosen (MS-CIFS 2.2.4.52.2, WordCount 17, extended security)."""
    words = struct.pack("<HBHHIIIIQhB", index, 3, 50, 1, 16644, 65536, 0, 0x8000e3fd, 0, 0, 0)
    guid = bytes(range(16))
    return nbss(smb1_header(0x72, True, True) + bytes([17]) + words + struct.pack("<H", len(guid)) + guid)


def smb1_session_setup(reply, wc, wide, names, blob=b"", pw=(b"", b"")):
    """SESSION_SETUP_ANDX: response WordCount 3 (names: NativeOS, NativeLanMan,
    PrimaryDomain) or 4 (extended security: blob first); request WordCount 13
    (passwords, AccountName, PrimaryDomain, NativeOS, NativeLanMan) or 12
    (blob, NativeOS, NativeLanMan)."""
    h = smb1_header(0x73, reply, wide)
    if reply and wc == 3:
        words = b"\xff\0\0\0" + struct.pack("<H", 0)
    elif reply and wc == 4:
        words = b"\xff\0\0\0" + struct.pack("<HH", 0, len(blob))
    elif wc == 12:
        words = b"\xff\0\0\0" + struct.pack("<HHHIHII", 4356, 10, 0, 0, len(blob), 0, 0x800000d4)
    else:
        words = b"\xff\0\0\0" + struct.pack("<HHHIHHII", 4356, 10, 0, 0, len(pw[0]), len(pw[1]), 0, 0xd4)
    head = h + bytes([wc]) + words
    lead = blob + pw[0] + pw[1]
    data = lead + _strings(len(head) + 2 + len(lead), names, wide)
    return nbss(head + struct.pack("<H", len(data)) + data)


def smb2_header(cmd, reply):
    return (b"\xfeSMB" + struct.pack("<HHIHHII", 64, 0, 0, cmd, 1, 1 if reply else 0, 0)
            + b"\0" * 40)


def smb2_negotiate_request(dialects=(0x0202, 0x0210, 0x0300, 0x0302, 0x0311)):
    body = struct.pack("<HHHHI", 36, len(dialects), 1, 0, 0) + b"\0" * 16 + b"\0" * 8
    body += b"".join(struct.pack("<H", d) for d in dialects)
    return nbss(smb2_header(0, False) + body)


def smb2_negotiate_response(dialect):
    body = struct.pack("<HHHH", 65, 1, dialect, 0) + bytes(range(16)) + struct.pack("<IIII", 0x7f, 65536, 65536, 65536)
    body += b"\0" * 16 + struct.pack("<HHI", 128, 0, 0)
    return nbss(smb2_header(0, True) + body)


def smb3_transform(payload_len=48):
    return nbss(b"\xfdSMB" + b"\x55" * (48 + payload_len))


NBSS_KEEPALIVE = b"\x85\0\0\0"
SPNEGO_ACCEPT = b"\xa1\x08\x30\x06\xa0\x04\x0a\x02\x00\x00"
